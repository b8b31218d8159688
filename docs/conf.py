"""Sphinx configuration: API reference from the numpydoc docstrings, the Markdown docs and
the notebooks with their saved outputs (never executed here: notebooks/run.py runs them).

Build from the repository root (CI does, warnings as errors):
    pip install -e '.[docs]'
    sphinx-build -W --keep-going -c docs -b html . build/docs
The source directory is the repository root so the notebooks and README are included in
place; ``include_patterns`` keeps everything else out.
"""

from fipeval import __version__

project = "fipeval"
author = "the fipeval developers"
release = version = __version__
root_doc = "docs/index"
include_patterns = ["docs/**", "notebooks/*.ipynb"]
exclude_patterns = ["build", ".venv", "docs/conf.py", "docs/_root"]

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",          # numpydoc-style sections
    "sphinx.ext.viewcode",
    "myst_nb",                      # Markdown pages and .ipynb with saved outputs
]
autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
nb_execution_mode = "off"           # outputs are saved by `python notebooks/run.py`
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # Markdown docs start below h1 in places
html_theme = "alabaster"
html_extra_path = ["_root"]         # build/docs/index.html: a link to docs/index.html
html_title = f"fipeval {__version__}"
