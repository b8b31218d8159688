import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = Path(os.environ.get("FIPEVAL_SHARED", REPO.parent / "shared")) / "reference"


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    if not SHARED_REFERENCE.exists():
        pytest.fail(f"reference data not found at {SHARED_REFERENCE}; set FIPEVAL_SHARED")
    return SHARED_REFERENCE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")
