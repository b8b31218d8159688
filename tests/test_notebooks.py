"""The walk-through notebooks are executed, so they never rot, and their conclusions hold.

The saved outputs (for readers on a website) are written by ``python notebooks/run.py``;
these tests execute the notebooks in memory and never write them.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

# What each notebook's conclusion says in words, and the report's first page (shown in the
# cell tagged "conclusion") must support.
CONCLUSIONS = {
    "01_brabantse_wal_pilot": [
        "Bergen op Zoom: the data cannot tell whether FIP ends more benefits",
        "fraud signals rose", "so it cannot be said whether FIP pays for itself"],
    "02_three_municipalities": [
        "Amersfoort: the data cannot tell whether FIP ends more benefits",
        "Gemeente C: the data cannot tell whether FIP ends more benefits",
        "IJsselgemeenten: the data cannot tell whether FIP ends more benefits",
        "All municipalities: the data cannot tell whether FIP ends more benefits",
        "activation steps rose", "so it cannot be said whether FIP pays for itself"],
}


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def executed(request):
    path = request.param
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return path.stem, nb


def _outputs(nb):
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def test_notebook_runs_without_errors_or_warnings(executed):
    _, nb = executed
    outputs = _outputs(nb)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    stderr = [o["text"] for o in outputs if o.get("output_type") == "stream"
              and o.get("name") == "stderr"]
    assert stderr == []  # no library warning left unexplained
    assert any("text/html" in o.get("data", {}) for o in outputs)  # results as HTML tables


def test_plots_show_as_figures_not_as_an_axes_repr(executed):
    _, nb = executed
    results = [o["data"].get("text/plain", "") for o in _outputs(nb)
               if o.get("output_type") == "execute_result"]
    assert not [r for r in results if r.startswith(("<Axes", "<matplotlib", "[<matplotlib"))]
    assert any("image/png" in o.get("data", {}) for o in _outputs(nb))


def test_the_notebook_ends_with_its_conclusion_and_the_report_supports_it(executed):
    name, nb = executed
    assert nb.cells[-1].cell_type == "markdown" and nb.cells[-2].cell_type == "code"
    tagged = [c for c in nb.cells if "conclusion" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    shown = "".join(o.get("data", {}).get("text/html", "") for o in tagged[0].outputs)
    assert shown.startswith("<h2>The answer in brief</h2>")
    for phrase in CONCLUSIONS[name]:
        assert phrase in shown, phrase


def test_there_are_two_walk_throughs():
    assert [p.stem for p in NOTEBOOKS] == ["01_brabantse_wal_pilot", "02_three_municipalities"]
