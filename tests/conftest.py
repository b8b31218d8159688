import tempfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
# Independent reference values (R scripts beside their outputs); see tests/reference/README.md.
REFERENCE = REPO / "tests" / "reference"

# Scripts that write into the repository on purpose; never collected (not even as doctests).
collect_ignore = ["baseline/update.py"]

try:  # hypothesis keeps examples and caches in .hypothesis/ of the work tree: a test writes
    # nothing into the repository, so no example database and its caches under the temp dir
    from hypothesis import settings
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "fipeval-hypothesis")
    settings.register_profile("fipeval", database=None)
    settings.load_profile("fipeval")
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")
