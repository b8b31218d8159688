"""Caseworker assignments (issue 21): the history in the register, the cohort's FIP by the
caseworker at the start, the panel's months by the caseworker of the month, and the
simulator's moves. Hand-built registers whose every number can be counted on paper."""

import numpy as np
import pandas as pd
import pytest

from fipeval import synthetic
from fipeval.design import Site, StudyDesign, build_cohort, per_protocol_effect
from fipeval.diff_in_diff import caseworker_panel
from fipeval.errors import SchemaError
from fipeval.schema import Register, derive_assignments

D = pd.Timestamp


def _register(with_history: bool = True) -> Register:
    # a: with k1 from January, moved to k2 on 1 April, ends 15 June (work); the export
    #    writes the caseworker at the end (k2) on the whole spell, as real extracts do
    # b: k1 throughout (no assignment rows: the spell's caseworker fills in)
    # c, d: k2 throughout, control clients
    spells = pd.DataFrame({
        "client_id": ["a", "b", "c", "d"], "municipality": "X",
        "caseworker": ["k2", "k1", "k2", "k2"],
        "start_date": pd.to_datetime(["2013-12-20", "2013-12-01", "2013-11-05", "2013-12-01"]),
        "end_date": pd.to_datetime(["2014-06-15", None, "2014-05-20", None]),
        "end_reason": ["work", None, "moved", None]})
    events = pd.DataFrame({"client_id": ["a", "a", "b"],
                           "date": pd.to_datetime(["2014-02-10", "2014-05-03", "2014-05-04"]),
                           "kind": ["fraud_signal", "fraud_signal", "volunteering"]})
    history = pd.DataFrame({
        "client_id": ["a", "a", "c", "d"], "caseworker": ["k1", "k2", "k2", "k2"],
        "from_date": pd.to_datetime(["2013-12-20", "2014-04-01", "2013-11-05", "2013-12-01"]),
        "to_date": pd.to_datetime(["2014-04-01", "2014-06-15", "2014-05-20", None])})
    return Register(spells, events=events, extract_date="2014-08-01",
                    assignments=history if with_history else None)


def _by(panel, caseworker, column):
    p = panel[panel["caseworker"] == caseworker]
    p = p.set_index(p["month"].dt.strftime("%m"))
    return p[column].to_dict()


def test_panel_gives_each_month_to_the_caseworker_of_that_month():
    panel = caseworker_panel(_register(), start="2014-01-01", end="2014-07-01",
                             duration_bands=None)
    assert panel.attrs["caseworker_history"] is True
    # a: Jan-Mar with k1, Apr-Jun with k2 (on the caseload on 1 June, ends 15 June)
    assert _by(panel, "k1", "caseload") == {"01": 2, "02": 2, "03": 2, "04": 1, "05": 1,
                                            "06": 1, "07": 1}
    assert _by(panel, "k2", "caseload") == {"01": 2, "02": 2, "03": 2, "04": 3, "05": 3,
                                            "06": 2, "07": 1}
    # a's termination in June is k2's, c's in May is k2's; k1 has none
    assert sum(_by(panel, "k1", "terminations").values()) == 0
    assert _by(panel, "k2", "terminations")["06"] == 1 and _by(panel, "k2", "terminations")["05"] == 1
    # a's fraud signal in February is k1's, the one in May k2's
    assert _by(panel, "k1", "fraud_signals")["02"] == 1 and _by(panel, "k2", "fraud_signals")["05"] == 1
    assert sum(_by(panel, "k1", "fraud_signals").values()) == 1
    assert _by(panel, "k1", "activations")["05"] == 1


def test_without_history_the_spell_caseworker_takes_every_month():
    flat = caseworker_panel(_register(with_history=False), start="2014-01-01", end="2014-07-01",
                            duration_bands=None)
    assert flat.attrs["caseworker_history"] is False
    assert _by(flat, "k1", "caseload")["01"] == 1 and _by(flat, "k2", "caseload")["01"] == 3
    assert sum(_by(flat, "k2", "fraud_signals").values()) == 2
    # the derived history is exactly the register without one
    reg = _register(with_history=False)
    derived = reg.with_tables(assignments=derive_assignments(reg.spells))
    pd.testing.assert_frame_equal(
        caseworker_panel(derived, start="2014-01-01", end="2014-07-01"),
        caseworker_panel(reg, start="2014-01-01", end="2014-07-01"), check_exact=True)


def test_build_cohort_assigns_fip_by_the_caseworker_at_the_start():
    design = StudyDesign((Site("2014-03-01", 6, fip_caseworkers=("k1",)),),
                         min_months_on_benefit=1)
    cohort = build_cohort(_register(), design).set_index("client_id")
    # a was k1's on 1 March: FIP, followed after the move to k2 (intention to treat)
    assert cohort.loc["a", "fip"] == 1 and cohort.loc["a", "caseworker"] == "k1"
    assert cohort.loc["a", "ended"] == 1 and cohort.loc["a", "stayed_with_caseworker"] == 0
    assert cohort.loc["a", "months_with_caseworker"] == pytest.approx(31 / 30.4375)
    assert cohort["fip"].to_dict() == {"a": 1, "b": 1, "c": 0, "d": 0}
    assert cohort["stayed_with_caseworker"].to_dict() == {"a": 0, "b": 1, "c": 1, "d": 1}
    # without the history the export's label (k2) puts a in the control group
    flat = build_cohort(_register(with_history=False), design).set_index("client_id")
    assert flat.loc["a", "fip"] == 0
    pp = per_protocol_effect(cohort.reset_index(), outcome="ended", strata=None)
    # ITT: FIP (a ended, b not) 1/2 vs control (c ended, d not) 1/2; stayers: b vs c, d
    assert pp["itt"] == 0.0 and pp["per_protocol"] == pytest.approx(0 - 0.5)
    assert pp["n_fip"] == 1 and pp["share_fip_stayed"] == 0.5


def test_overlapping_assignments_are_refused():
    history = pd.DataFrame({"client_id": ["a", "a"], "caseworker": ["k1", "k2"],
                            "from_date": pd.to_datetime(["2014-01-01", "2014-03-01"]),
                            "to_date": pd.to_datetime(["2014-04-01", None])})
    reg = _register(with_history=False)
    with pytest.raises(SchemaError, match="overlap an earlier one.*client a"):
        reg.with_tables(assignments=history)
    backwards = history.iloc[[0]].assign(to_date=pd.Timestamp("2013-12-01"))
    with pytest.raises(SchemaError, match="end before they start"):
        reg.with_tables(assignments=backwards)


@pytest.fixture(scope="module")
def brabant():
    return synthetic.generate("brabantse_wal")


def test_simulator_history_moves_and_the_cohort(brabant):
    reg, design = brabant.register, brabant.design
    a = reg.assignments
    assert a is not None and len(a) > len(reg.spells)
    start = design.sites[0].start_date
    # the site's start rebalancing is a move dated the start: the months before stay with
    # the previous caseworker
    moved_at_start = a[a["from_date"] == start]
    assert moved_at_start["caseworker"].astype(str).isin(design.sites[0].fip_caseworkers).sum() > 0
    # the export's caseworker is the last one of the spell's history
    last = a.sort_values("from_date").groupby("client_id", observed=True).tail(1)
    on_spell = reg.spells.drop_duplicates("client_id", keep="last").set_index("client_id")
    last = last[last["client_id"].isin(on_spell.index)].set_index("client_id")
    newest = reg.spells.sort_values("start_date").drop_duplicates("client_id", keep="last")
    newest = newest.set_index("client_id")["caseworker"].astype(str)
    assert (last["caseworker"].astype(str) == newest.loc[last.index]).mean() > 0.99
    cohort = build_cohort(reg, design)
    truth = brabant.truth.set_index("client_id")
    assert (truth.loc[cohort["client_id"], "fip"].to_numpy() == cohort["fip"].to_numpy()).all()
    # some FIP clients are moved away from their FIP caseworker in follow-up: still FIP
    fip = cohort[cohort["fip"] == 1]
    assert 0 < (fip["stayed_with_caseworker"] == 0).sum() < 0.1 * len(fip)
    assert fip["caseworker"].isin(design.sites[0].fip_caseworkers).all()


@pytest.mark.slow
def test_client_level_effect_unbiased_with_caseworker_moves():
    """A small version of benchmarks/bias_assignments.py (200 replicates there):
    brabantse_wal scaled to 30 FIP caseworkers, where relabelling whole spells biased the
    municipality-adjusted difference in ended benefits by +0.0023 (about 4 MC SE)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bias_assignments import one_replicate, summarise

    rows = pd.DataFrame([one_replicate(seed) for seed in range(7_000, 7_040)])
    summary = summarise(rows)
    assert abs(summary["itt"]["bias"]) <= 4 * summary["itt"]["bias_mc_se"], summary
    assert 0.01 < summary["mean_share_fip_moved"] < 0.1, summary     # moves happen


@pytest.mark.slow
def test_did_termination_rate_covers_with_the_caseworker_history():
    """A small version of benchmarks/coverage_did.py --outcome termination_rate (100
    replicates there): 30 simulated three_municipalities studies, randomization-t."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from coverage_did import one_replicate, summarise

    rows = pd.DataFrame([r for seed in range(5_000, 5_030)
                         for r in one_replicate("three_municipalities", seed, n_draws=99,
                                                null=False, alpha=0.05,
                                                outcome="termination_rate")])
    table = summarise(rows, 0.05).set_index("model")
    assert set(table.index) == {"TWFE", "Callaway-Sant'Anna"}       # no longer withheld
    # 30 replicates of a 95% interval: at least 24 cover with probability 0.998 (TWFE's
    # staggered and ageing-caseload bias costs it some coverage: 0.95 over 100 replicates,
    # 0.91 under the null; docs/INFERENCE.md), at least 26 with probability 0.98
    assert table.loc["TWFE", "coverage"] >= 24 / 30, table
    assert table.loc["Callaway-Sant'Anna", "coverage"] >= 26 / 30, table
    assert abs(table.loc["Callaway-Sant'Anna", "bias"]) <= 4 * table.loc["Callaway-Sant'Anna", "bias_mc_se"], table
