"""Kaplan-Meier, log-rank and RMST against R survival 3.5-3 (survival_ref.R sections 4-5)
and statsmodels' stratified survdiff."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from fipeval import InputError
from fipeval.survival import kaplan_meier, logrank, rmst
from fipeval.survival.km import rmst_curve

from test_survival_reference import after, read, section

KM_ATOL = 1e-12        # R prints 13 significant digits
RMST_ATOL = 1e-10
CHISQ_ATOL = 1e-12
SM_RTOL = 1e-10        # statsmodels computes the same formulas
TIMES = [10, 20, 30, 40, 52]


def _r_km_table(block: str) -> np.ndarray:
    rows = [line.split() for line in block.splitlines() if line.strip()[:1].isdigit()]
    return np.array([[float(x) for x in r] for r in rows])


@pytest.fixture(scope="module")
def ref_out(reference_dir):
    return read(reference_dir, "survival_ref.out")


@pytest.fixture(scope="module")
def rossi(reference_dir):
    return pd.read_csv(reference_dir / "survival" / "rossi_entry.csv")


@pytest.mark.parametrize("entry,marker,until", [
    (None, "===== KM overall =====", "====="),
    ("entry", "KM with delayed entry:", "mgus2 event table"),
])
def test_km_matches_r(rossi, ref_out, entry, marker, until):
    r = _r_km_table(after(ref_out, marker, until))
    got = kaplan_meier(rossi, duration="week", event="arrest", entry=entry).at(TIMES)
    cols = ["time", "n_risk", "n_event", "survival", "std_error", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(got[cols].to_numpy(float), r, rtol=0, atol=KM_ATOL)


def test_km_matches_statsmodels_with_weights(rossi):
    w = 1 + (np.arange(len(rossi)) % 3) / 2
    got = kaplan_meier(rossi.assign(w=w), duration="week", event="arrest", weights="w").table
    sm = SurvfuncRight(rossi["week"], rossi["arrest"], freq_weights=w)
    at_events = got[got["n_event"] > 0]
    np.testing.assert_allclose(at_events["survival"], sm.surv_prob, rtol=SM_RTOL)
    np.testing.assert_allclose(at_events["n_risk"], sm.n_risk, rtol=SM_RTOL)


def test_rmst_matches_r(rossi, ref_out):
    block = section(ref_out, "KM by fin, RMST up to 52 (print rmean=52)")
    rows = {line.split()[0]: line.split() for line in block.splitlines() if line.startswith("fin=")}
    res = rmst(rossi, duration="week", event="arrest", treatment="fin", tau=52)
    np.testing.assert_allclose(res.rmst, [float(rows["fin=0"][3]), float(rows["fin=1"][3])],
                               rtol=0, atol=RMST_ATOL)
    np.testing.assert_allclose(res.rmst_se, [float(rows["fin=0"][4]), float(rows["fin=1"][4])],
                               rtol=0, atol=RMST_ATOL)
    np.testing.assert_allclose(res.difference, 46.875 - 44.83333333333, rtol=0, atol=RMST_ATOL)
    np.testing.assert_allclose(res.std_error, np.hypot(*res.rmst_se), rtol=1e-14)
    assert res.months_avoided == -res.difference
    assert res.ci_lower < res.difference < res.ci_upper
    assert res.tidy()["term"].iloc[-1] == "difference[1 - 0]"
    assert res.tau == 52


def test_rmst_without_censoring_is_mean_of_truncated_times():
    """Exact case: with no censoring the RMST is the mean of min(T, tau)."""
    t = np.array([1.0, 2, 2, 3, 5, 8, 9, 12, 1, 4, 4, 6, 7, 7, 11, 13])
    g = np.repeat([0, 1], 8)
    data = pd.DataFrame({"t": t, "e": 1, "g": g})
    res = rmst(data, duration="t", event="e", treatment="g", tau=6)
    np.testing.assert_allclose(res.rmst, [np.minimum(t[g == 0], 6).mean(),
                                          np.minimum(t[g == 1], 6).mean()], rtol=1e-14)


def test_logrank_matches_r(rossi, ref_out):
    res = logrank(rossi, duration="week", event="arrest", treatment="fin")
    np.testing.assert_allclose(res.chisq, 3.837569576549055, rtol=0, atol=CHISQ_ATOL)
    np.testing.assert_allclose(res.p_value, 0.050116117409005671, rtol=0, atol=CHISQ_ATOL)
    np.testing.assert_allclose(res.table["expected"], [55.57444276841, 58.42555723159],
                               rtol=0, atol=1e-10)


def test_stratified_logrank_matches_statsmodels(rossi):
    chisq, p = survdiff(rossi["week"], rossi["arrest"], rossi["fin"], strata=rossi["wexp"])
    res = logrank(rossi, duration="week", event="arrest", treatment="fin", strata="wexp")
    np.testing.assert_allclose(res.chisq, chisq, rtol=SM_RTOL)
    np.testing.assert_allclose(res.p_value, p, rtol=SM_RTOL)
    three = rossi.assign(g=rossi["prio"].clip(upper=2))
    chisq3, _ = survdiff(three["week"], three["arrest"], three["g"], strata=three["mar"])
    np.testing.assert_allclose(logrank(three, duration="week", event="arrest", treatment="g", strata="mar").chisq,
                               chisq3, rtol=SM_RTOL)


def test_km_plot_and_contract(rossi):
    before = rossi.copy()
    km = kaplan_meier(rossi, duration="week", event="arrest", by="fin", entry="entry")
    pd.testing.assert_frame_equal(rossi, before)
    ax = km.plot()
    assert len(ax.get_lines()) == 2 and "at risk" in ax.texts[0].get_text()
    shuffled = kaplan_meier(rossi.sample(frac=1, random_state=1), duration="week", event="arrest", by="fin",
                            entry="entry")
    pd.testing.assert_frame_equal(km.table, shuffled.table)
    curve = rmst_curve(rossi, duration="week", event="arrest", treatment="fin", taus=[13, 26, 52])
    np.testing.assert_allclose(curve["estimate"].iloc[-1],
                               rmst(rossi, duration="week", event="arrest", treatment="fin", tau=52).difference)


def test_bad_input(rossi):
    with pytest.raises(InputError, match="exactly two values"):
        rmst(rossi, duration="week", event="arrest", treatment="prio")
    with pytest.raises(InputError, match="beyond the follow-up"):
        rmst(rossi, duration="week", event="arrest", treatment="fin", tau=100)
    with pytest.raises(InputError, match="`treated_value`=5 is not a value"):
        rmst(rossi, duration="week", event="arrest", treatment="fin", treated_value=5)
    with pytest.raises(InputError, match="The `conf_type` parameter must be one of"):
        kaplan_meier(rossi, duration="week", event="arrest", conf_type="arcsine")
    with pytest.raises(InputError, match="single value"):
        logrank(rossi.assign(one=1), duration="week", event="arrest", treatment="one")


def test_a_median_never_reached_says_so():
    data = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6], "e": [1, 0, 0, 0, 0, 0]})
    res = kaplan_meier(data, duration="t", event="e")
    assert np.isnan(res.tidy()["estimate"].iloc[0])              # numbers stay numbers
    row = res.summary().table.iloc[0]
    assert row["estimate"] == row["ci_upper"] == "not reached"
    assert "not reached" in res.to_markdown() and "not reached" in res._repr_html_()


# --- non-integer weights and clusters: R's robust (infinitesimal-jackknife) variance ------
# km_weighted.R: integer months (ties), delayed entry, weights with three decimals, 14
# clusters per arm. Survival is compared in absolute terms (S and its SE reach 0).
ATOL_KM_R = 1e-12
KM_CASES = {"robust": {}, "greenwood": {"robust": False}, "cluster": {"cluster": "cl"},
            "entry_robust": {"entry": "entry"},
            "entry_cluster": {"entry": "entry", "cluster": "cl"}}


@pytest.fixture(scope="module")
def km_weighted(reference_dir):
    data = pd.read_csv(reference_dir / "survival" / "km_weighted.csv")
    ref = pd.read_csv(reference_dir / "survival" / "km_weighted.out", comment="#")
    return data, ref


@pytest.mark.parametrize("case", list(KM_CASES))
def test_km_with_weights_matches_r_robust_and_greenwood(km_weighted, case):
    data, ref = km_weighted
    km = kaplan_meier(data, duration="time", event="event", by="fip", weights="w", **KM_CASES[case])
    assert km.columns["robust"] is (case != "greenwood")
    for g in (0, 1):
        ours = km.table[km.table.group == g].set_index("time")
        r = ref[(ref.case == case) & (ref.group == str(g))]
        for quantity, column in (("surv", "survival"), ("se", "std_error"),
                                 ("lower", "ci_lower"), ("upper", "ci_upper")):
            want = r[r.quantity == quantity].set_index("time").value
            assert len(want) == len(ours)
            # where S reaches 0 R's Greenwood SE is Inf * 0 = NaN; fipeval reports 0
            want = want.dropna()
            np.testing.assert_allclose(ours[column].reindex(want.index), want,
                                       rtol=0, atol=ATOL_KM_R, err_msg=f"{case} {quantity}")


@pytest.mark.parametrize("case,kwargs", [("rmst_robust", {}), ("rmst_cluster", {"cluster": "cl"}),
                                         ("rmst_greenwood", {"robust": False})])
def test_rmst_with_weights_matches_r(km_weighted, case, kwargs):
    data, ref = km_weighted
    res = rmst(data, duration="time", event="event", treatment="fip", tau=20, weights="w", **kwargs)
    r = ref[ref.case == case]
    value = {(g, q): v for g, q, v in zip(r.group, r.quantity, r.value)}
    np.testing.assert_allclose(res.rmst, [value["0", "rmst"], value["1", "rmst"]], rtol=1e-12)
    np.testing.assert_allclose(res.rmst_se, [value["0", "se"], value["1", "se"]], rtol=1e-10)
    if case != "rmst_greenwood":
        np.testing.assert_allclose(res.difference, value["diff", "estimate"], rtol=1e-12)
        np.testing.assert_allclose(res.std_error, value["diff", "se"], rtol=1e-10)


def test_robust_variance_rule_follows_r_and_cox(km_weighted):
    data, _ = km_weighted
    whole = data.assign(w=np.ceil(data.w))
    assert not kaplan_meier(whole, duration="time", event="event", weights="w").columns["robust"]
    assert kaplan_meier(data, duration="time", event="event", weights="w").columns["robust"]
    assert kaplan_meier(whole, duration="time", event="event", cluster="cl").columns["robust"]
    with pytest.raises(InputError, match="robust=False"):
        kaplan_meier(data, duration="time", event="event", cluster="cl", robust=False)
    # with unit weights and one row per cluster, the robust SE is the per-row one
    per_row = kaplan_meier(whole.assign(w=1.0, row=np.arange(len(data))), duration="time", event="event",
                           cluster="row")
    plain = kaplan_meier(whole.assign(w=1.0), duration="time", event="event", robust=True)
    np.testing.assert_allclose(per_row.table.std_error, plain.table.std_error, rtol=1e-12,
                               atol=1e-15)
    assert "by `row`" in repr(per_row) and "infinitesimal jackknife" in repr(plain)


def test_rmst_robust_difference_counts_a_shared_cluster_once(km_weighted):
    # a cluster with clients in both arms: its two influences are subtracted before squaring
    data, _ = km_weighted
    shared = data.assign(cl=data.cl % 100)
    res = rmst(shared, duration="time", event="event", treatment="fip", tau=20, weights="w", cluster="cl")
    assert not np.isclose(res.std_error, np.hypot(*res.rmst_se))
