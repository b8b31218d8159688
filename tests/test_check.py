"""`python -m fipeval check`: the regression check against committed baselines."""

import json
from pathlib import Path

import pytest

from fipeval.cli import main
from fipeval.report.check import compare_estimates

REPO = Path(__file__).resolve().parents[1]
BASELINES = REPO / "tests" / "baseline"
DATA = REPO / "data" / "synthetic"


@pytest.mark.parametrize("scenario", ["brabantse_wal", "three_municipalities"])
def test_synthetic_estimates_match_the_committed_baseline(scenario, capsys):
    folder = DATA / scenario
    code = main(["check", str(folder), "--config", str(folder / "study.toml"),
                 "--key", str(folder / "pseudonym.key"),
                 "--baseline", str(BASELINES / f"{scenario}.json"), "--rtol", "1e-6"])
    assert code == 0, capsys.readouterr().out


def test_check_fails_on_a_perturbed_baseline(tmp_path, capsys):
    data = json.loads((BASELINES / "brabantse_wal.json").read_text())
    data["estimates"][0]["estimate"] *= 1.01
    perturbed = tmp_path / "baseline.json"
    perturbed.write_text(json.dumps(data))
    assert main(["check", "--demo", "--baseline", str(perturbed)]) == 1
    out = capsys.readouterr().out
    assert "moved" in out and data["estimates"][0]["name"] in out


def test_compare_reports_new_and_missing_estimates():
    a = [{"section": "s", "name": "x", "estimate": 1.0}]
    b = [{"section": "s", "name": "y", "estimate": 1.0}]
    moved = compare_estimates(a, b, rtol=1e-6, atol=0)
    assert sorted(moved["status"]) == ["disappeared", "new"]


def test_missing_baseline_is_a_clear_error(tmp_path, capsys):
    assert main(["check", "--demo", "--baseline", str(tmp_path / "nope.json")]) == 2
    assert "No baseline" in capsys.readouterr().err


def test_importing_the_baseline_updater_writes_nothing():
    import importlib.util

    before = {p.name: p.read_bytes() for p in BASELINES.glob("*.json")}
    spec = importlib.util.spec_from_file_location("baseline_update", BASELINES / "update.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert {p.name: p.read_bytes() for p in BASELINES.glob("*.json")} == before


@pytest.mark.parametrize("field", ["std_error", "ci_upper", "p_value"])
def test_check_fails_when_any_compared_field_moves(tmp_path, capsys, field):
    data = json.loads((BASELINES / "brabantse_wal.json").read_text())
    row = next(e for e in data["estimates"] if e.get(field) not in (None, 0))
    row[field] *= 1.001            # beyond rtol=1e-6, within a rounding of the printed report
    perturbed = tmp_path / "baseline.json"
    perturbed.write_text(json.dumps(data))
    assert main(["check", "--demo", "--baseline", str(perturbed), "--rtol", "1e-6"]) == 1
    out = capsys.readouterr().out
    assert row["name"] in out and field in out
