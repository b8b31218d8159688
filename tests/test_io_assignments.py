"""Loading a caseworker-assignment export (toewijzingen, issue 21)."""

import pandas as pd
import pytest

from fipeval import load, synthetic
from fipeval.errors import LoadError
from fipeval.io.bsn import pseudonymise
from fipeval.synthetic.export import write_export

KEY = "a-secret-of-16-bytes-or-more"
SPELLS = ("bsn;gemeente;klantmanager;ingangsdatum;einddatum;reden beëindiging\n"
          "111222333;Steenbergen;KM2;01-03-2013;;\n"
          "123456782;Steenbergen;KM2;15-06-2012;31-12-2015;Werk\n")


def _folder(tmp_path, assignments: str):
    (tmp_path / "uitkeringen.csv").write_text(SPELLS, encoding="utf-8")
    (tmp_path / "toewijzingen.csv").write_text(assignments, encoding="utf-8")
    return tmp_path


def test_dutch_assignment_export_is_recognised_and_accounted(tmp_path):
    folder = _folder(tmp_path, "bsn;gemeente;klantmanager;datum van;datum tot\n"
                               "111222333;Steenbergen;KM1;01-03-2013;01-07-2014\n"
                               "111222333;Steenbergen;KM2;01-07-2014;\n"
                               "123456789;Steenbergen;KM1;01-03-2013;\n"       # fails the 11-proef
                               "123456782;Steenbergen;KM2;15-06-2012\n"          # a field short
                               "123456782;Steenbergen;KM2;15-06-2012;31-12-9999\n")
    reg = load(folder, key=KEY, extract_date="2016-01-01")
    files = {f["file"].split("/")[-1]: f for f in reg.load_report["files"].values()}
    rep = files["toewijzingen.csv"]
    assert rep["table"] == "assignments"
    assert (rep["rows_read"], rep["rows_kept"]) == (5, 3)
    assert sorted(r["line"] for r in rep["rejected"]) == [4, 5]
    a = reg.assignments.sort_values(["client_id", "from_date"]).reset_index(drop=True)
    # the same pseudonyms as the spells (the BSN hashed with the same key)
    ids = pseudonymise(["111222333", "123456782"], KEY.encode())
    assert set(a["client_id"]) == set(ids) == set(reg.spells["client_id"])
    first = a[a["client_id"] == ids[0]]
    assert first["caseworker"].astype(str).tolist() == ["KM1", "KM2"]
    assert first["to_date"].iloc[0] == pd.Timestamp("2014-07-01") and pd.isna(first["to_date"].iloc[1])
    assert pd.isna(a.loc[a["client_id"] == ids[1], "to_date"]).all()     # 31-12-9999: open


def test_overlapping_assignments_stop_the_load_with_file_and_line(tmp_path):
    folder = _folder(tmp_path, "bsn;klantmanager;datum van;datum tot\n"
                               "111222333;KM1;01-03-2013;01-08-2014\n"
                               "111222333;KM2;01-07-2014;\n")
    with pytest.raises(LoadError, match=r"overlap.*toewijzingen.csv, line 3, column `from_date`"):
        load(folder, key=KEY, extract_date="2016-01-01")


@pytest.mark.parametrize("row,message", [
    ("111222333;KM1;31-02-2013;", r"missing or unreadable from date.*'31-02-2013'.*line 2, column `datum van`"),
    ("111222333;KM1;01-03-2013;01-01-2013", r"to date on or before its from date.*line 2, column `datum tot`"),
    ("111222333;KM1;01-03-2017;", r"from date after the extract date.*line 2"),
    ("111222333;;01-03-2013;", r"without a caseworker.*line 2, column `klantmanager`"),
])
def test_bad_assignment_rows_name_file_line_column_value(tmp_path, row, message):
    folder = _folder(tmp_path, "bsn;klantmanager;datum van;datum tot\n" + row + "\n")
    with pytest.raises(LoadError, match=message):
        load(folder, key=KEY, extract_date="2016-01-01")


def test_mapping_file_names_the_assignment_columns(tmp_path):
    (tmp_path / "uitkeringen.csv").write_text(SPELLS, encoding="utf-8")
    path = tmp_path / "historie.csv"
    path.write_text("BSN;Behandelaar;Start behandeling;Einde behandeling\n"
                    "111222333;KM1;01-03-2013;\n", encoding="utf-8")
    mapping = {"assignments": {"columns": {"caseworker": "Behandelaar",
                                           "from_date": "Start behandeling",
                                           "to_date": "Einde behandeling"}}}
    reg = load([tmp_path / "uitkeringen.csv", path], mapping=mapping, key=KEY,
               extract_date="2016-01-01")
    assert reg.assignments["caseworker"].astype(str).tolist() == ["KM1"]


def test_synthetic_export_round_trip(tmp_path):
    study = synthetic.generate("brabantse_wal")
    write_export(study, tmp_path)
    reg = load(tmp_path, key=synthetic.DEMO_KEY)
    cols = ["client_id", "caseworker", "from_date", "to_date"]
    mine = reg.assignments[cols].astype({"caseworker": str}).sort_values(cols[:3])
    truth = study.register.assignments[cols].astype({"caseworker": str}).sort_values(cols[:3])
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), truth.reset_index(drop=True))
    # without the assignments file each spell keeps its own caseworker
    (tmp_path / "toewijzingen.csv").unlink()
    assert load(tmp_path, key=synthetic.DEMO_KEY).assignments is None
