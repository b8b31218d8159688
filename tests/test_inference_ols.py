"""fit_ols against R sandwich::vcovCL, statsmodels, and hand-computable identities."""


import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from fipeval.errors import EstimationError, InputError
from fipeval.inference import fit_ols

RTOL_R = 1e-10       # R references print 17 significant digits
ATOL_R = 1e-12
RTOL_EXACT = 1e-10   # identical formulas computed two ways
ATOL_EXACT = 1e-12
TERMS = ["(Intercept)", "treat", "post", "treat:post"]


def _r_table(text: str, vcov: str) -> pd.DataFrame:
    """The coeftest table of one vcovCL type in did_ols.out (17 significant digits)."""
    rows = [line.split(",") for line in text.splitlines()[2:]]
    table = pd.DataFrame([r[1:] for r in rows if r[0] == vcov],
                         columns=["term", "estimate", "se", "t", "p"])
    table[["estimate", "se", "t", "p"]] = table[["estimate", "se", "t", "p"]].astype(float)
    return table.set_index("term").loc[TERMS].reset_index()


@pytest.fixture(scope="module")
def did(reference_dir):
    panel = pd.read_csv(reference_dir / "did" / "did_panel.csv")
    out = (reference_dir / "did" / "did_ols.out").read_text()
    cr1 = _r_table(out, "HC1")
    hc0 = _r_table(out, "HC0")
    X = pd.DataFrame({"(Intercept)": 1.0, "treat": panel.treat, "post": panel.post,
                      "treat:post": panel.treat * panel.post})
    return panel, X, cr1, hc0


def test_cr1_matches_r_vcovcl(did):
    panel, X, cr1, _ = did
    fit = fit_ols(panel.y, X, cluster=panel.unit, vcov="CR1")
    assert fit.names == tuple(TERMS)
    np.testing.assert_allclose(fit.coef, cr1.estimate, rtol=RTOL_R, atol=ATOL_R)
    np.testing.assert_allclose(fit.se, cr1.se, rtol=RTOL_R, atol=ATOL_R)
    assert fit.n_clusters == 30 and fit.df_resid == 176
    # coeftest uses t(n-k); our tidy uses t(G-1): the R p-values follow from df_resid
    t = fit.coef / fit.se
    np.testing.assert_allclose(t, cr1.t, rtol=RTOL_R)
    np.testing.assert_allclose(2 * stats.t.sf(np.abs(t), fit.df_resid), cr1.p, rtol=RTOL_R)
    np.testing.assert_allclose(fit.df, 29.0, rtol=0, atol=0)


def test_cr0_matches_r_vcovcl_hc0_without_cadjust(did):
    panel, X, _, hc0 = did
    fit = fit_ols(panel.y, X, cluster=panel.unit, vcov="CR0")
    G = 30
    # R's type="HC0" keeps cadjust=TRUE, i.e. multiplies our CR0 by G/(G-1)
    np.testing.assert_allclose(fit.se * np.sqrt(G / (G - 1)), hc0.se, rtol=RTOL_R, atol=ATOL_R)


def test_cluster_robust_matches_statsmodels_with_weights(did):
    panel, X, _, _ = did
    w = np.random.default_rng(3).uniform(0.2, 3.0, len(panel))
    fit = fit_ols(panel.y, X, weights=w, cluster=panel.unit, vcov="CR1")
    ref = sm.WLS(panel.y, X, weights=w).fit(cov_type="cluster",
                                           cov_kwds={"groups": panel.unit.to_numpy()})
    np.testing.assert_allclose(fit.coef, ref.params, rtol=RTOL_EXACT, atol=ATOL_EXACT)
    np.testing.assert_allclose(fit.vcov, ref.cov_params(), rtol=RTOL_EXACT, atol=ATOL_EXACT)


@pytest.mark.parametrize("kind,sm_kind", [("HC1", "HC1"), ("iid", "nonrobust")])
@pytest.mark.parametrize("weighted", [False, True])
def test_hc1_and_iid_match_statsmodels(did, kind, sm_kind, weighted):
    panel, X, _, _ = did
    w = np.random.default_rng(4).uniform(0.5, 2.0, len(panel)) if weighted else None
    fit = fit_ols(panel.y, X, weights=w, vcov=kind)
    ref = sm.WLS(panel.y, X, weights=1.0 if w is None else w).fit(cov_type=sm_kind, use_t=True)
    np.testing.assert_allclose(fit.coef, ref.params, rtol=RTOL_EXACT, atol=ATOL_EXACT)
    np.testing.assert_allclose(fit.vcov, ref.cov_params(), rtol=RTOL_EXACT, atol=ATOL_EXACT)
    tidy = fit.tidy()
    np.testing.assert_allclose(tidy.p_value, ref.pvalues, rtol=1e-9)
    np.testing.assert_allclose(tidy[["ci_lower", "ci_upper"]].to_numpy(),
                               ref.conf_int().to_numpy(), rtol=1e-9)


def test_cr2_with_singleton_clusters_is_statsmodels_hc2(did):
    panel, X, _, _ = did
    fit = fit_ols(panel.y, X, cluster=np.arange(len(panel)), vcov="CR2")
    ref = sm.OLS(panel.y, X).fit(cov_type="HC2")
    np.testing.assert_allclose(fit.vcov, ref.cov_params(), rtol=RTOL_EXACT, atol=ATOL_EXACT)


def test_hc2_difference_in_means_is_neyman_variance_with_bm_df():
    # Imbens & Kolesar (2016): with a binary regressor HC2 = s1^2/n1 + s0^2/n0, and under the
    # homoskedastic working model the BM df is Welch's formula with equal variances.
    rng = np.random.default_rng(11)
    d = np.r_[np.ones(7), np.zeros(12)]
    y = rng.normal(size=19) + d
    fit = fit_ols(y, np.column_stack([np.ones(19), d]), cluster=np.arange(19), vcov="CR2")
    n1, n0 = 7, 12
    v = y[d == 1].var(ddof=1) / n1 + y[d == 0].var(ddof=1) / n0
    np.testing.assert_allclose(fit.vcov[1, 1], v, rtol=RTOL_EXACT)
    df = (1 / n1 + 1 / n0) ** 2 / (1 / (n1 ** 2 * (n1 - 1)) + 1 / (n0 ** 2 * (n0 - 1)))
    np.testing.assert_allclose(fit.df[1], df, rtol=RTOL_EXACT)


def test_cr2_cluster_level_treatment_equals_welch_on_cluster_means():
    # Equal cluster sizes, treatment by cluster: CR2 of the difference in means is the
    # variance of the cluster means (s1^2/G1 + s0^2/G0), BM df as above with G1, G0.
    rng = np.random.default_rng(5)
    G1, G0, m = 3, 5, 6
    cl = np.repeat(np.arange(G1 + G0), m)
    d = (cl < G1).astype(float)
    y = rng.normal(size=(G1 + G0))[cl] + rng.normal(size=len(cl)) + 0.3 * d
    fit = fit_ols(y, np.column_stack([np.ones(len(y)), d]), cluster=cl, vcov="CR2")
    means = pd.Series(y).groupby(cl).mean().to_numpy()
    v = means[:G1].var(ddof=1) / G1 + means[G1:].var(ddof=1) / G0
    np.testing.assert_allclose(fit.vcov[1, 1], v, rtol=RTOL_EXACT)
    df = (1 / G1 + 1 / G0) ** 2 / (1 / (G1 ** 2 * (G1 - 1)) + 1 / (G0 ** 2 * (G0 - 1)))
    np.testing.assert_allclose(fit.df[1], df, rtol=RTOL_EXACT)


def test_zero_weights_drop_rows(did):
    panel, X, _, _ = did
    w = np.ones(len(panel))
    w[:10] = 0
    a = fit_ols(panel.y, X, weights=w, cluster=panel.unit, vcov="CR1")
    b = fit_ols(panel.y[10:], X.iloc[10:], cluster=panel.unit[10:], vcov="CR1")
    np.testing.assert_allclose(a.vcov, b.vcov, rtol=RTOL_EXACT, atol=ATOL_EXACT)
    assert a.n_obs == len(panel) - 10


def test_row_order_and_input_unchanged(did):
    panel, X, _, _ = did
    before = X.copy()
    perm = np.random.default_rng(0).permutation(len(panel))
    a = fit_ols(panel.y, X, cluster=panel.unit, vcov="CR2")
    b = fit_ols(panel.y.to_numpy()[perm], X.iloc[perm], cluster=panel.unit.to_numpy()[perm],
                vcov="CR2")
    np.testing.assert_allclose(a.vcov, b.vcov, rtol=RTOL_EXACT, atol=ATOL_EXACT)
    np.testing.assert_allclose(a.df, b.df, rtol=RTOL_EXACT)
    pd.testing.assert_frame_equal(X, before)
    assert "CR2" in repr(a) and "Only 30 clusters" in repr(a)


def test_bad_input(did):
    panel, X, _, _ = did
    with pytest.raises(InputError, match="`vcov` parameter must be one of"):
        fit_ols(panel.y, X, vcov="HC3")
    with pytest.raises(InputError, match="needs `cluster`"):
        fit_ols(panel.y, X, vcov="CR1")
    with pytest.raises(InputError, match="only 1 level"):
        fit_ols(panel.y, X, cluster=np.ones(len(panel)), vcov="CR1")
    with pytest.raises(InputError, match="negative value.*row 3"):
        w = np.ones(len(panel)); w[3] = -1
        fit_ols(panel.y, X, weights=w, vcov="HC1")
    with pytest.raises(InputError, match="all zero"):
        fit_ols(panel.y, X, weights=np.zeros(len(panel)), vcov="HC1")
    with pytest.raises(InputError, match="missing or infinite.*row 2"):
        y = panel.y.to_numpy().copy(); y[2] = np.nan
        fit_ols(y, X, vcov="iid")
    with pytest.raises(EstimationError, match="rank deficient"):
        fit_ols(panel.y, X.assign(dup=X["treat"]), vcov="iid")
    with pytest.raises(InputError, match="cluster.*missing"):
        cl = panel.unit.astype(float).to_numpy().copy(); cl[0] = np.nan
        fit_ols(panel.y, X, cluster=cl)
    with pytest.raises(InputError, match="No coefficient `fip`"):
        fit_ols(panel.y, X, vcov="iid").coef_of("fip")


def test_weighted_cr2_with_singleton_clusters_is_statsmodels_wls_hc2(did):
    # with precision weights (working variance 1/w) and one row per cluster, CR2 is HC2
    panel, X, _, _ = did
    w = np.random.default_rng(8).uniform(0.3, 3.0, len(panel))
    fit = fit_ols(panel.y, X, weights=w, cluster=np.arange(len(panel)), vcov="CR2",
                  inverse_var=True)
    ref = sm.WLS(panel.y, X, weights=w).fit(cov_type="HC2")
    np.testing.assert_allclose(fit.vcov, ref.cov_params(), rtol=RTOL_EXACT, atol=ATOL_EXACT)


@pytest.fixture(scope="module")
def cr2_weighted(reference_dir):
    data = pd.read_csv(reference_dir / "inference" / "cr2_weighted.csv")
    ref = pd.read_csv(reference_dir / "inference" / "cr2_weighted.out", comment="#")
    return data, ref


@pytest.mark.parametrize("inverse_var", [False, True])
@pytest.mark.parametrize("dataset", ["unequal", "matching", "few_large"])
def test_weighted_cr2_matches_clubsandwich(cr2_weighted, dataset, inverse_var):
    # unequal clusters (one of a single row), non-integer weights, both working models
    data, ref = cr2_weighted
    s = data[data.dataset == dataset]
    r = ref[(ref.dataset == dataset) & (ref.inverse_var == inverse_var)]
    X = pd.DataFrame({"(Intercept)": 1.0, "treat": s.treat, "x": s.x})
    fit = fit_ols(s.y, X, weights=s.w, cluster=s.cluster, vcov="CR2", inverse_var=inverse_var)
    want = {q: r[r.quantity == q].set_index("term").value.reindex(list(X.columns))
            for q in ("coef", "se", "df", "p")}
    np.testing.assert_allclose(fit.coef, want["coef"], rtol=RTOL_R)
    np.testing.assert_allclose(fit.se, want["se"], rtol=RTOL_R)
    np.testing.assert_allclose(fit.df, want["df"], rtol=RTOL_R)
    np.testing.assert_allclose(fit.tidy().p_value, want["p"], rtol=RTOL_R)
    V = r[r.quantity == "vcov"].pivot(index="term", columns="term2", values="value")
    V = V.loc[list(X.columns), list(X.columns)].to_numpy()
    np.testing.assert_allclose(fit.vcov, V, rtol=RTOL_R, atol=ATOL_R)


def test_weighted_cr2_working_models_differ_and_agree_without_weights(cr2_weighted):
    data, _ = cr2_weighted
    s = data[data.dataset == "unequal"]
    X = np.column_stack([np.ones(len(s)), s.treat, s.x])
    a = fit_ols(s.y, X, weights=s.w, cluster=s.cluster, vcov="CR2")
    b = fit_ols(s.y, X, weights=s.w, cluster=s.cluster, vcov="CR2", inverse_var=True)
    assert np.all(np.abs(a.se / b.se - 1) > 1e-4)
    c = fit_ols(s.y, X, cluster=s.cluster, vcov="CR2")
    d = fit_ols(s.y, X, cluster=s.cluster, vcov="CR2", inverse_var=True)
    np.testing.assert_allclose(c.vcov, d.vcov, rtol=RTOL_EXACT, atol=ATOL_EXACT)
    np.testing.assert_allclose(c.df, d.df, rtol=RTOL_EXACT)
    with pytest.raises(InputError, match="only the CR2"):
        fit_ols(s.y, X, cluster=s.cluster, vcov="CR1", inverse_var=True)
