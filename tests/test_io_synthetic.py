"""The bundled synthetic exports (data/synthetic/<scenario>/) load with exact accounting
and give back the generator's register: same pseudonyms, spells, contacts and events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fipeval.io import inspect, load
from fipeval.synthetic import DEMO_KEY, generate

DATA = Path(__file__).resolve().parents[1] / "data" / "synthetic"
SCENARIOS = ["brabantse_wal", "three_municipalities"]
EXPORT_FILES = ("uitkeringen.csv", "contacten.csv", "gebeurtenissen.csv", "leefgebieden.csv",
                "toewijzingen.csv")


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns[:4])).reset_index(drop=True)


@pytest.fixture(scope="module", params=SCENARIOS)
def scenario(request):
    folder = DATA / request.param
    if not (folder / "uitkeringen.csv").exists():
        pytest.fail(f"bundled export {folder} is missing; run the synthetic exporter")
    return request.param, folder, load(folder, key=folder / "pseudonym.key")


def test_bundled_exports_load_with_exact_accounting(scenario):
    name, folder, reg = scenario
    rep = reg.load_report
    for file in EXPORT_FILES:
        lines = (folder / file).read_text(encoding="utf-8").splitlines()
        f = rep["files"][str(folder / file)]
        assert f["rows_read"] == len(lines) - 1 == f["rows_kept"]
        assert f["rows_rejected"] == 0 and f["rows_repaired"] == 0
    assert rep["rows_read"] == rep["rows_kept"] == len(reg.spells) + len(reg.contacts) + \
        len(reg.events) + len(reg.domains) + len(reg.assignments)
    assert rep["unknown_codes"] == {}
    assert any("truth.csv: skipped" in n for n in rep["notes"])


def test_bundled_exports_give_back_the_generated_register(scenario):
    name, folder, reg = scenario
    truth = generate(name).register
    for table in ("spells", "contacts", "events", "domains", "assignments"):
        got, want = getattr(reg, table), getattr(truth, table)
        if table == "events":   # the export writes a description the generator leaves empty
            got, want = got.drop(columns="detail"), want.drop(columns="detail")
        pd.testing.assert_frame_equal(_sorted(got), _sorted(want), check_categorical=False)
    assert reg.load_report["files"][str(folder / "uitkeringen.csv")]["detected"]["date_format.start_date"] \
        == "dd-mm-jjjj"


def test_demo_key_is_the_key_file(scenario):
    _, folder, reg = scenario
    again = load(folder / "uitkeringen.csv", key=DEMO_KEY.decode())
    assert again.spells["client_id"].equals(reg.spells["client_id"])


def test_inspect_bundled_export(scenario):
    _, folder, _ = scenario
    res = inspect(folder / "uitkeringen.csv")
    assert res.table == "spells" and res.separator == ";" and res.decimal == ","
    assert res.unmapped == [] and res.unknown_codes == {} and res.invalid_bsn_rows == 0
