"""Callaway & Sant'Anna group-time effects against R did's mpdta example, moderndid, and
hand-computed cases."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fipeval.diff_in_diff import did, staggered_did
from fipeval.errors import DesignError, InputError

MODERNDID_RTOL = 1e-8      # same estimator and influence functions
MODERNDID_ATOL = 1e-10
PUBLISHED_ATOL = 5e-5      # R did documentation prints 4 decimals
BOOT_RTOL = 0.15           # bootstrap SE vs analytic SE (999 draws)
EXACT = dict(rtol=1e-12, atol=1e-14)


@pytest.fixture(scope="module")
def mpdta():
    moderndid = pytest.importorskip("moderndid")
    path = Path(moderndid.__file__).parent / "core" / "datasets" / "mpdta_long.pkl.gz"
    return pd.read_pickle(path)


KW = dict(outcome="lemp", unit="countyreal", time="year", first_treated="first.treat")


def test_mpdta_published_values(mpdta):
    """R did vignette: att_gt(yname="lemp", tname="year", idname="countyreal",
    gname="first.treat", data=mpdta): ATT(2004,2004) = -0.0105 (SE 0.0233);
    aggte(type="simple"): -0.0400."""
    res = staggered_did(mpdta, **KW)
    gt = res.group_time.set_index("term")
    np.testing.assert_allclose(gt.loc["ATT(2004,2004)", "estimate"], -0.0105, rtol=0,
                               atol=PUBLISHED_ATOL)
    np.testing.assert_allclose(gt.loc["ATT(2004,2004)", "std_error"], 0.0233, rtol=0,
                               atol=PUBLISHED_ATOL)
    np.testing.assert_allclose(res.estimate, -0.0400, rtol=0, atol=PUBLISHED_ATOL)
    assert res.tidy()["term"].iloc[0] == "att"


@pytest.mark.parametrize("control_group", ["nevertreated", "notyettreated"])
def test_mpdta_matches_moderndid(mpdta, control_group):
    moderndid = pytest.importorskip("moderndid")
    data = moderndid.load_mpdta()
    ref = moderndid.att_gt(data, yname="lemp", tname="year", idname="countyreal",
                           gname="first.treat", est_method="reg", control_group=control_group,
                           boot=False, cband=False)
    res = staggered_did(mpdta, control_group=control_group, **KW)
    gt = res.group_time
    np.testing.assert_array_equal(gt["group"].astype(int), np.asarray(ref.groups, dtype=int))
    np.testing.assert_array_equal(gt["time"].astype(int), np.asarray(ref.times, dtype=int))
    np.testing.assert_allclose(gt["estimate"], ref.att_gt, rtol=MODERNDID_RTOL, atol=MODERNDID_ATOL)
    np.testing.assert_allclose(gt["std_error"], ref.se_gt, rtol=MODERNDID_RTOL, atol=MODERNDID_ATOL)
    for kind in ("simple", "dynamic", "group"):
        agg = moderndid.aggte(ref, type=kind, boot=False, cband=False)
        ours = res.aggregate(kind).tidy()
        np.testing.assert_allclose(ours["estimate"].iloc[0], agg.overall_att,
                                   rtol=MODERNDID_RTOL, atol=MODERNDID_ATOL)
        np.testing.assert_allclose(ours["std_error"].iloc[0], agg.overall_se,
                                   rtol=MODERNDID_RTOL, atol=MODERNDID_ATOL)
        if kind != "simple":
            np.testing.assert_allclose(ours["estimate"].iloc[1:], agg.att_by_event,
                                       rtol=MODERNDID_RTOL, atol=MODERNDID_ATOL)
            np.testing.assert_allclose(ours["std_error"].iloc[1:], agg.se_by_event,
                                       rtol=MODERNDID_RTOL, atol=MODERNDID_ATOL)


def test_mpdta_twfe_beside_equals_did(mpdta):
    res = staggered_did(mpdta, **KW)
    long = mpdta.assign(treated=(mpdta["first.treat"] > 0).astype(int),
                        post=((mpdta["first.treat"] > 0)
                              & (mpdta["year"] >= mpdta["first.treat"])).astype(int))
    ref = did(long, outcome="lemp", unit="countyreal", time="year", treatment="treated",
              post="post", cluster="countyreal")
    np.testing.assert_allclose(res.twfe.estimate, ref.estimate, **EXACT)
    np.testing.assert_allclose(res.twfe.std_error, ref.std_error, rtol=1e-10, atol=0)
    assert "twfe" in res.tidy()["term"].tolist()


def test_bootstrap_close_to_analytic(mpdta):
    a = staggered_did(mpdta, **KW)
    b = staggered_did(mpdta, inference="bootstrap", n_draws=999, seed=11, **KW)
    np.testing.assert_allclose(b.group_time["std_error"], a.group_time["std_error"],
                               rtol=BOOT_RTOL, atol=0)
    assert b.critical_value > 1.96                        # simultaneous band is wider
    c = staggered_did(mpdta, inference="bootstrap", n_draws=999, seed=11, **KW)
    np.testing.assert_array_equal(b.group_time["std_error"], c.group_time["std_error"])


def hand_panel():
    # units 0-1 cohort 2, units 2-3 cohort 3, units 4-6 never; periods 0..3
    y = np.array([[1.0, 2.0, 4.0, 5.0],
                  [2.0, 2.5, 3.0, 6.0],
                  [0.0, 1.0, 1.0, 4.0],
                  [1.0, 1.0, 2.0, 2.5],
                  [0.0, 0.5, 1.0, 1.5],
                  [1.0, 1.0, 1.5, 2.0],
                  [2.0, 3.0, 3.0, 4.0]])
    g = [2, 2, 3, 3, np.nan, np.nan, np.nan]   # missing: never treated
    rows = [dict(unit=u, t=t, y=y[u, t], g=g[u]) for u in range(7) for t in range(4)]
    return pd.DataFrame(rows), y


def test_hand_computed_group_time_effects():
    panel, y = hand_panel()
    res = staggered_did(panel, outcome="y", unit="unit", time="t", first_treated="g",
                        control_group="notyettreated")
    gt = res.group_time.set_index("term")["estimate"]
    d = lambda t, b, units: np.mean(y[units, t] - y[units, b])  # noqa: E731
    # ATT(2,2): base 1, controls never treated + cohort 3 (not yet treated at 2)
    np.testing.assert_allclose(gt["ATT(2,2)"], d(2, 1, [0, 1]) - d(2, 1, [2, 3, 4, 5, 6]), **EXACT)
    # ATT(2,3): base 1, cohort 3 is treated at 3 -> never treated only
    np.testing.assert_allclose(gt["ATT(2,3)"], d(3, 1, [0, 1]) - d(3, 1, [4, 5, 6]), **EXACT)
    # pre-period ATT(3,1): varying base 0, controls never + cohort 2 (not yet at 1)
    np.testing.assert_allclose(gt["ATT(3,1)"], d(1, 0, [2, 3]) - d(1, 0, [0, 1, 4, 5, 6]), **EXACT)
    # simple aggregate: cohort-size weights (2 units each) over post cells
    post = [gt["ATT(2,2)"], gt["ATT(2,3)"], gt["ATT(3,3)"]]
    np.testing.assert_allclose(res.estimate, np.mean(post), **EXACT)
    dyn = res.dynamic.tidy().set_index("term")["estimate"]
    np.testing.assert_allclose(dyn["e=0"], (gt["ATT(2,2)"] + gt["ATT(3,3)"]) / 2, **EXACT)
    np.testing.assert_allclose(dyn["att"], (dyn["e=0"] + dyn["e=1"]) / 2, **EXACT)


def test_analytic_se_is_influence_function_se():
    panel, y = hand_panel()
    res = staggered_did(panel, outcome="y", unit="unit", time="t", first_treated="g")
    # ATT(3,3) vs never treated, base 2: IF_i = n (D_i (dy_i - mu1)/n1 - C_i (dy_i - mu0)/n0)
    dy = y[:, 3] - y[:, 2]
    n = 7
    inf = np.zeros(n)
    inf[[2, 3]] = n * (dy[[2, 3]] - dy[[2, 3]].mean()) / 2
    inf[[4, 5, 6]] = -n * (dy[[4, 5, 6]] - dy[[4, 5, 6]].mean()) / 3
    se = res.group_time.set_index("term").loc["ATT(3,3)", "std_error"]
    np.testing.assert_allclose(se, np.sqrt(np.sum(inf ** 2)) / n, **EXACT)


def test_dates_as_time_and_late_cohorts_are_never_treated():
    panel, _ = hand_panel()
    months = pd.date_range("2017-01-01", periods=4, freq="MS")
    p = panel.assign(month=months[panel["t"]],
                     start=[months[int(g)] if g == g else pd.NaT for g in panel["g"]])
    res = staggered_did(p, outcome="y", unit="unit", time="month", first_treated="start")
    ref = staggered_did(panel, outcome="y", unit="unit", time="t", first_treated="g")
    np.testing.assert_allclose(res.group_time["estimate"], ref.group_time["estimate"], **EXACT)
    assert res.group_time["term"].iloc[0] == "ATT(2017-03,2017-02)"
    later = panel.assign(g=panel["g"].replace({3: 9}))     # cohort 3 now starts after the window
    r2 = staggered_did(later, outcome="y", unit="unit", time="t", first_treated="g")
    assert r2.cohorts == ("2",) and r2.n_units == 7


def test_plot_and_summary(mpdta):
    res = staggered_did(mpdta, **KW)
    ax = res.plot()
    assert ax.get_xlabel().startswith("periods since start")
    assert res.group.plot().get_title().endswith("group aggregation")
    text = repr(res.summary())
    assert "never treated" in text and "fipeval" in text


def test_row_order_does_not_matter(mpdta):
    a = staggered_did(mpdta, **KW)
    b = staggered_did(mpdta.sample(frac=1, random_state=3), **KW)
    np.testing.assert_allclose(a.group_time["estimate"], b.group_time["estimate"], **EXACT)


def test_errors():
    panel, _ = hand_panel()
    kw = dict(outcome="y", unit="unit", time="t", first_treated="g")
    with pytest.raises(DesignError, match="treated at or before the first period"):
        staggered_did(panel.assign(g=panel["g"].replace({2: 0})), **kw)
    with pytest.raises(InputError, match="has a gap"):
        staggered_did(panel[panel["t"] != 1], **kw)
    unbalanced = panel.drop(index=[5])
    with pytest.raises(InputError, match="balanced panel.*incomplete='drop'"):
        staggered_did(unbalanced, **kw)
    assert staggered_did(unbalanced, incomplete="drop", **kw).n_units == 6
    with pytest.raises(DesignError, match="No never-treated units"):
        staggered_did(panel[panel["g"].notna()], **kw)
    with pytest.raises(DesignError, match="No unit is ever treated"):
        staggered_did(panel.assign(g=np.inf), **kw)
    with pytest.raises(InputError, match="not one of the periods"):
        staggered_did(panel.assign(g=panel["g"].replace({2: 1.5})), **kw)
    with pytest.raises(InputError, match="`control_group` parameter must be one of"):
        staggered_did(panel, control_group="never", **kw)
    with pytest.raises(InputError, match="needs inference='bootstrap'"):
        staggered_did(panel.assign(c=panel["unit"] % 2), cluster="c", **kw)
    with pytest.raises(InputError, match="duplicate rows"):
        staggered_did(pd.concat([panel, panel.iloc[[0]]]), **kw)


def test_treated_until_skips_cells_after_the_follow_up():
    panel, y = hand_panel()
    until = panel.assign(end=np.where(panel["g"] == 2, 3, np.nan))  # cohort 2 treated in t=2 only
    res = staggered_did(until, outcome="y", unit="unit", time="t", first_treated="g",
                        treated_until="end")
    full = staggered_did(panel, outcome="y", unit="unit", time="t", first_treated="g")
    assert "ATT(2,3)" not in set(res.group_time["term"])
    kept = full.group_time[full.group_time["term"] != "ATT(2,3)"].reset_index(drop=True)
    np.testing.assert_allclose(res.group_time["estimate"], kept["estimate"], **EXACT)
    # the simple aggregate now averages ATT(2,2) and ATT(3,3) only
    gt = res.group_time.set_index("term")["estimate"]
    np.testing.assert_allclose(res.estimate, (gt["ATT(2,2)"] + gt["ATT(3,3)"]) / 2, **EXACT)
    # the two-way comparison leaves out the row of cohort 2 after its treatment ended
    long = panel.assign(treated=panel["g"].notna().astype(int),
                        post=(panel["t"] >= panel["g"].fillna(99)).astype(int))
    long = long[~((long["g"] == 2) & (long["t"] >= 3))]
    ref = did(long, outcome="y", unit="unit", time="t", treatment="treated", post="post",
              cluster="unit")
    np.testing.assert_allclose(res.twfe.estimate, ref.estimate, **EXACT)
    with pytest.raises(InputError, match="same for every unit of a cohort"):
        staggered_did(until.assign(end=np.where(until["unit"] == 0, 2, until["end"])),
                      outcome="y", unit="unit", time="t", first_treated="g", treated_until="end")
