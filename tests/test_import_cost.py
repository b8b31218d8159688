"""What `import fipeval` costs: which heavy modules it loads (not a timing test: timings on a
shared machine are noise; the modules that are loaded are not)."""

import subprocess
import sys

import pytest

HEAVY = ("statsmodels", "matplotlib", "scipy.stats")


def _loaded_after(statement: str) -> list[str]:
    code = (f"import sys; {statement}; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def test_import_fipeval_loads_no_heavy_module():
    # the package's names are imported on first use (fipeval/__init__.py, PEP 562)
    assert _loaded_after("import fipeval") == []


@pytest.mark.parametrize("package", ["fipeval.matching", "fipeval.inference", "fipeval.costing"])
def test_analysis_packages_import_statsmodels_and_matplotlib_only_when_used(package):
    # statsmodels (2.5 s to import) only when a propensity score or a proportion interval is
    # computed; matplotlib only when a figure is drawn
    loaded = _loaded_after(f"import {package}")
    assert "statsmodels" not in loaded and "matplotlib" not in loaded, loaded
