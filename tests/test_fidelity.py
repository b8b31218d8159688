"""Fidelity counts on a hand-made cohort."""

import pandas as pd
import pytest

from fipeval.report.fidelity import contact_quarters, fidelity_section

START = pd.Timestamp("2014-11-01")


def _cohort():
    return pd.DataFrame({
        "client_id": ["a", "b", "c", "d"], "fip": [1, 1, 0, 0], "study_start": START,
        # b leaves after ~4 months, so it is at risk in quarters 1 and 2 only
        "months_on_benefit": [11.99, 4.0, 11.99, 11.99],
    })


def _contacts():
    return pd.DataFrame({
        "client_id": ["a", "a", "b", "c", "a"],
        "date": pd.to_datetime(["2014-11-10", "2015-02-10", "2014-12-15", "2015-06-01", "2013-01-01"]),
        "kind": ["intake", "fip_talk", "intake", "regular", "regular"],
        "minutes": [45.0, 30.0, 45.0, 20.0, 20.0],
    })


def test_quarters_count_clients_seen_among_those_on_benefit():
    t = contact_quarters(_cohort(), _contacts()).set_index(["group", "quarter"])
    assert t.loc[("FIP", 1), "clients_on_benefit"] == 2
    assert t.loc[("FIP", 1), "share_seen"] == pytest.approx(1.0)    # a and b in quarter 1
    assert t.loc[("FIP", 2), "share_seen"] == pytest.approx(0.5)    # a seen, b not (Feb 10 is q2 for a)
    assert t.loc[("FIP", 3), "clients_on_benefit"] == 1             # b has left
    assert t.loc[("control", 3), "share_seen"] == pytest.approx(0.5)  # c on 2015-06-01 (month 7)
    # the 2013 contact is before the start and not counted
    assert t["contacts_per_client"].sum() == pytest.approx(1.0 + 0.5 + 0.5)


def test_intake_share_and_suppression():
    section = fidelity_section(_cohort(), _contacts(), threshold=10)
    share = next(e for e in section.estimates if e["name"] == "share_intake_within_4_weeks")
    assert share["estimate"] == pytest.approx(0.5)   # a within 4 weeks, b after 6 weeks
    table = next(b for b in section.blocks if isinstance(b, tuple))[1]
    assert set(table["clients_on_benefit"]) == {"<10"}
