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
    # derandomize: the same examples on every run, so a CI failure reproduces (and a clean
    # clone's run is the run CI did); search further on purpose with another profile
    settings.register_profile("fipeval", database=None, derandomize=True)
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


# Names a municipality's export or study file might carry that must stay text in every output.
HOSTILE = {"Woensdrecht": "<script>window.pwned=1</script> [x](javascript:alert(1))",
           "BOZ-01": "<img src=x onerror=window.pwned=2>",
           "brabantse_wal": "</pre><script>window.pwned=3</script> | [x](javascript:alert(1)) ```"}


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory) -> Path:
    """The demo report with a municipality, a FIP caseworker and the study named as HTML and
    Markdown injections (the bundled brabantse_wal export with those names replaced)."""
    from fipeval.cli import main

    source = REPO / "data" / "synthetic" / "brabantse_wal"
    folder = tmp_path_factory.mktemp("hostile_export")
    for name in ("uitkeringen.csv", "contacten.csv", "gebeurtenissen.csv", "study.toml"):
        text = (source / name).read_text(encoding="utf-8")
        for plain, hostile in HOSTILE.items():
            if name == "study.toml":
                hostile = hostile.replace('"', '\\"')
            text = text.replace(plain, hostile)
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("hostile_report")
    assert main(["report", str(folder / "uitkeringen.csv"), str(folder / "contacten.csv"),
                 str(folder / "gebeurtenissen.csv"), "--config", str(folder / "study.toml"),
                 "--key", str(source / "pseudonym.key"), "--out", str(out), "--quiet"]) == 0
    return out


_BUNDLED_REPORTS: dict = {}


def bundled_report(scenario: str, language: str):
    """(Report, StudyConfig) of a bundled synthetic study in ``language``, built once per
    test session (each build runs every analysis: seconds, not milliseconds)."""
    key = (scenario, language)
    if key not in _BUNDLED_REPORTS:
        from dataclasses import replace

        from fipeval.io import load
        from fipeval.report.config import load_config
        from fipeval.report.run import build_report

        folder = Path(__file__).resolve().parents[1] / "data" / "synthetic" / scenario
        config = replace(load_config(folder / "study.toml"), language=language)
        register = load(folder, key=folder / "pseudonym.key", extract_date=config.extract_date)
        _BUNDLED_REPORTS[key] = (build_report(register, config), config)
    return _BUNDLED_REPORTS[key]
