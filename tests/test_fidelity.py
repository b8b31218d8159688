"""The process evaluation per caseworker: hand-computable counts and disclosure control."""

import numpy as np
import pandas as pd
import pytest

from fipeval.report.fidelity import caseworker_process, suppress_caseworkers

START = pd.Timestamp("2015-01-01")


def _cohort():
    # two FIP clients of caseworker A (6 and 12 months on benefit), one control of B (12)
    return pd.DataFrame({
        "client_id": ["a1", "a2", "b1"], "municipality": ["X"] * 3,
        "caseworker": ["A", "A", "B"], "fip": [1, 1, 0], "study_start": [START] * 3,
        "follow_up_end": [START + pd.DateOffset(months=12)] * 3,
        "months_on_benefit": [6.0, 12.0, 12.0], "exposure_years": [0.5, 1.0, 1.0]})


def _contacts():
    day = lambda d: START + pd.Timedelta(days=d)  # noqa: E731
    return pd.DataFrame({
        "client_id": ["a1", "a1", "a2", "a2", "a2", "b1", "a1"],
        "date": [day(10), day(100), day(40), day(200), day(210), day(50), day(400)],
        "kind": ["intake", "talk", "intake", "talk", "talk", "talk", "talk"]})


def test_process_per_caseworker_by_hand():
    table = caseworker_process(_cohort(), _contacts()).set_index("caseworker")
    a, b = table.loc["A"], table.loc["B"]
    # A: a1 on benefit 2 quarters, seen in q1 (day 10) and q2 (day 100); a2 4 quarters, seen
    # in q1 (day 40) and q3 (days 200, 210): 4 of 6 quarters. a1's talk on day 400 is after
    # their benefit ended and does not count.
    assert a.share_quarters_seen == pytest.approx(4 / 6)
    assert a.talks_per_client_year == pytest.approx(5 / 1.5)
    assert a.intake_within_4_weeks == pytest.approx(0.5)  # a1 on day 10; a2 on day 40
    assert a.talks_per_year == pytest.approx(5 / (365 / 365.25))
    assert (a.group, a.clients, b.group) == ("FIP", 2, "control")
    assert b.share_quarters_seen == pytest.approx(1 / 4)


def test_one_small_caseworker_takes_a_second_into_suppression():
    table = pd.DataFrame({"municipality": ["X"] * 4 + ["Y"] * 2,
                          "caseworker": ["a", "b", "c", "d", "e", "f"],
                          "group": ["control"] * 6, "clients": [5, 40, 12, 60, 3, 4],
                          "talks_per_year": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    shown = suppress_caseworkers(table, 10).set_index("caseworker")
    # X: a is small (primary), c the next smallest (complementary); Y: both small already
    assert shown["clients"].tolist() == ["<10", "40", "x", "60", "<10", "<10"]
    assert shown["talks_per_year"].isna().tolist() == [True, False, True, False, True, True]


def test_the_report_has_every_caseworker_and_suppresses_small_ones(tmp_path):
    from fipeval.io import load
    from fipeval.report.config import load_config
    from fipeval.report.run import build_report
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "brabantse_wal"
    config = load_config(folder / "study.toml")
    report = build_report(load(folder, key=folder / "pseudonym.key"), config)
    fidelity = report.section("Fidelity of FIP")
    table = next(df for caption, df in (b for b in fidelity.blocks if isinstance(b, tuple))
                 if caption.startswith("Process per caseworker"))
    cohort_caseworkers = 15  # brabantse_wal: 9 in Bergen op Zoom, 3 each elsewhere
    assert len(table) == cohort_caseworkers
    assert set(table.loc[table["group"] == "FIP", "caseworker"]) == {"BOZ-01", "BOZ-02"}
    assert "process per caseworker" in fidelity.sheets
    # with a threshold above every caseload, every count is hidden and no rate is shown
    strict = build_report(load(folder, key=folder / "pseudonym.key"),
                          type(config)(**{**config.__dict__, "suppress_below": 1000}))
    hidden = next(df for caption, df in (b for b in strict.section("Fidelity of FIP").blocks
                                         if isinstance(b, tuple))
                  if caption.startswith("Process per caseworker"))
    assert (hidden["clients"] == "<1000").all() and hidden["talks_per_year"].isna().all()
    assert np.isfinite(table["talks_per_year"].astype(float)).any()
