from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
# Independent reference values (R scripts beside their outputs); see tests/reference/README.md.
REFERENCE = REPO / "tests" / "reference"

# Scripts that write into the repository on purpose; never collected (not even as doctests).
collect_ignore = ["baseline/update.py"]


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")
