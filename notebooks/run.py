"""Execute the walk-through notebooks and save their outputs in place.

    python notebooks/run.py            # every notebook in this folder
    python notebooks/run.py 01_*.ipynb

The saved outputs are what a reader sees on a website or on GitHub without running
anything. The tests execute the notebooks too (tests/test_notebooks.py) but never write
them; run this after changing a notebook or the numbers it shows, and commit the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:   # execution counts and timings only make diffs noisy
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, path)
    print(f"ran and saved {path.name}")


if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.name for p in HERE.glob("*.ipynb"))
    for name in names:
        run(HERE / name)
