"""Wild cluster bootstrap and randomization inference against wildboottest and brute force."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from fipeval.errors import DesignError, EstimationError, InputError
from fipeval.inference import fit_ols, randomization_inference, wild_cluster_bootstrap

RTOL_EXACT = 1e-10   # enumerated p-values are shares of a finite set: identical or wrong
ATOL_P = 1e-12
TIE = 1e-9


def _data(G=7, m=20, treated=3, seed=0, effect=0.4):
    rng = np.random.default_rng(seed)
    cl = np.repeat(np.arange(G), m)
    n = len(cl)
    d = (cl < treated).astype(float)
    x = rng.normal(size=n)
    y = rng.normal(size=G)[cl] + rng.normal(size=n) + effect * d + 0.3 * x
    return y, pd.DataFrame({"const": 1.0, "fip": d, "x": x}), cl


def _brute_wild(y, X, cl, col, null, points, w=None):
    """Refit every bootstrap sample: the textbook WCR algorithm (slow, obviously right)."""
    X = np.asarray(X, float)
    w = np.ones(len(y)) if w is None else w
    full = fit_ols(y, X, weights=w, cluster=cl, vcov="CR1")
    t_obs = (full.coef[col] - null) / full.se[col]
    others = [i for i in range(X.shape[1]) if i != col]
    sw = np.sqrt(w)
    b = np.linalg.lstsq(X[:, others] * sw[:, None], (y - null * X[:, col]) * sw, rcond=None)[0]
    fitted = X[:, others] @ b + null * X[:, col]
    u = y - fitted
    ts = []
    for v in itertools.product(points, repeat=cl.max() + 1):
        fs = fit_ols(fitted + u * np.asarray(v)[cl], X, weights=w, cluster=cl, vcov="CR1")
        ts.append((fs.coef[col] - null) / fs.se[col])
    return np.mean(np.abs(ts) >= abs(t_obs) * (1 - TIE))


def _brute_wild_t(y, X, cl, col):
    """Every enumerated Rademacher bootstrap |t| by refitting, and the observed |t|."""
    X = np.asarray(X, float)
    full = fit_ols(y, X, cluster=cl, vcov="CR1")
    others = [i for i in range(X.shape[1]) if i != col]
    fitted = X[:, others] @ np.linalg.lstsq(X[:, others], y, rcond=None)[0]
    ts = [fit_ols(fitted + (y - fitted) * np.asarray(v)[cl], X, cluster=cl, vcov="CR1")
          for v in itertools.product([-1.0, 1.0], repeat=cl.max() + 1)]
    return np.abs([f.coef[col] / f.se[col] for f in ts]), abs(full.coef[col] / full.se[col])


# data sets with G = 6 and 10 clusters where the two tie conventions give different p-values
TIE_DATA = [dict(G=6, m=15, treated=2, seed=s) for s in (1, 2, 3)] + \
    [dict(G=10, m=8, treated=4, seed=s) for s in (4, 5)]


@pytest.mark.parametrize("spec", TIE_DATA)
def test_wild_tie_conventions_against_hand_enumeration(spec):
    y, X, cl = _data(**spec)
    tb, t_obs = _brute_wild_t(y, X, cl, 1)
    inclusive = wild_cluster_bootstrap(y, X, cl, column="fip")
    exclusive = wild_cluster_bootstrap(y, X, cl, column="fip", ties="exclusive")
    tied = np.abs(tb / t_obs - 1) <= TIE
    # the sample itself (all signs +1) and its mirror reproduce |t|, and nothing else does here
    assert inclusive.n_ties == exclusive.n_ties == tied.sum() == 2
    assert inclusive.p_value == np.mean(tb >= t_obs * (1 - TIE))
    assert exclusive.p_value == np.mean(tb > t_obs * (1 + TIE))
    assert inclusive.p_value - exclusive.p_value == pytest.approx(2 / 2 ** spec["G"], abs=1e-15)
    assert "2 draw(s) with |t| equal to the observed counted" in repr(inclusive)


@pytest.mark.filterwarnings("ignore:2\\^G < the number:UserWarning")
@pytest.mark.parametrize("spec", TIE_DATA)
def test_wild_tie_conventions_against_wildboottest(spec):
    # wildboottest's strict `<` counts a tied draw only when rounding puts its |t| above the
    # observed one; its bootstrap |t| equal ours, and either convention applied to its own
    # draws gives our p-value under that convention
    wbt = pytest.importorskip("wildboottest.wildboottest")
    y, X, cl = _data(**spec)
    boot = wbt.WildboottestCL(X=X.to_numpy(), Y=y, cluster=cl, R=np.array([0.0, 1.0, 0.0]),
                              B=9999, seed=1)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    boot.get_weights(weights_type="rademacher")
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    t_obs, tb = abs(float(np.ravel(boot.t_stat)[0])), np.abs(np.ravel(boot.t_boot))
    ours_tb, ours_t = _brute_wild_t(y, X, cl, 1)
    np.testing.assert_allclose(np.sort(tb), np.sort(ours_tb), rtol=1e-9)
    np.testing.assert_allclose(t_obs, ours_t, rtol=1e-10)
    inclusive = wild_cluster_bootstrap(y, X, cl, column="fip")
    exclusive = wild_cluster_bootstrap(y, X, cl, column="fip", ties="exclusive")
    assert inclusive.p_value == np.mean(tb >= t_obs * (1 - TIE))
    assert exclusive.p_value == np.mean(tb > t_obs * (1 + TIE))
    assert boot.pvalue in (inclusive.p_value, exclusive.p_value)


@pytest.mark.filterwarnings("ignore:2\\^G < the number:UserWarning")
def test_wild_matches_wildboottest_full_enumeration():
    wbt = pytest.importorskip("wildboottest.wildboottest")
    y, X, cl = _data()
    ref = wbt.wildboottest(sm.OLS(y, X), B=9999, cluster=cl, param="fip", show=False)
    res = wild_cluster_bootstrap(y, X, cl, column="fip")
    assert res.enumerated and res.n_draws == 2 ** 7
    np.testing.assert_allclose(res.p_value, ref["p-value"].iloc[0], rtol=RTOL_EXACT, atol=ATOL_P)
    np.testing.assert_allclose(res.statistic, ref["statistic"].iloc[0], rtol=1e-8)


@pytest.mark.parametrize("weighted", [False, True])
def test_wild_matches_brute_force_refits(weighted):
    y, X, cl = _data(G=6, treated=2, seed=2)
    w = np.random.default_rng(1).uniform(0.3, 2.0, len(y)) if weighted else None
    res = wild_cluster_bootstrap(y, X, cl, column=1, null=0.25, weights=w, ci=None)
    ref = _brute_wild(y, X, cl, 1, 0.25, (-1.0, 1.0), w)
    np.testing.assert_allclose(res.p_value, ref, rtol=RTOL_EXACT, atol=ATOL_P)


def test_webb_enumeration_matches_brute_force():
    y, X, cl = _data(G=3, m=12, treated=1, seed=3)
    res = wild_cluster_bootstrap(y, X, cl, column="fip", weight_type="webb", ci=None)
    assert res.enumerated and res.n_draws == 6 ** 3
    webb = (-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5))
    np.testing.assert_allclose(res.p_value, _brute_wild(y, X, cl, 1, 0.0, webb),
                               rtol=RTOL_EXACT, atol=ATOL_P)


def test_wild_interval_is_the_set_of_nulls_not_rejected():
    y, X, cl = _data(G=9, treated=4, seed=4)
    res = wild_cluster_bootstrap(y, X, cl, column="fip", alpha=0.1)
    assert res.ci_lower < res.estimate < res.ci_upper
    eps = 1e-4 * res.std_error
    for bound, inside in ((res.ci_lower, +1), (res.ci_upper, -1)):
        p_in = wild_cluster_bootstrap(y, X, cl, column="fip", null=bound + inside * eps, ci=None)
        p_out = wild_cluster_bootstrap(y, X, cl, column="fip", null=bound - inside * eps, ci=None)
        assert p_in.p_value > 0.1 >= p_out.p_value
    pct = wild_cluster_bootstrap(y, X, cl, column="fip", ci="percentile-t", alpha=0.1)
    assert pct.ci_lower < pct.estimate < pct.ci_upper


def test_wild_few_clusters_is_honest():
    y, X, cl = _data(G=4, m=100, treated=2, seed=5, effect=3.0)
    res = wild_cluster_bootstrap(y, X, cl, column="fip")
    assert res.n_draws == 16 and res.p_value >= 2 / 16 - ATOL_P
    assert np.isinf(res.ci_lower) and np.isinf(res.ci_upper)
    assert "only 16 distinct sign vectors" in repr(res) and "unbounded" in repr(res)
    # Webb: 1296 vectors, can reach 5%
    webb = wild_cluster_bootstrap(y, X, cl, column="fip", weight_type="webb")
    assert webb.n_draws == 6 ** 4 and np.isfinite(webb.ci_lower)


def test_wild_one_cluster_per_arm_is_refused():
    y, X, cl = _data(G=2, m=50, treated=1, seed=5)
    with pytest.raises(EstimationError, match="cluster-robust standard error of `fip` is zero"):
        wild_cluster_bootstrap(y, X[["const", "fip"]], cl, column="fip")


def test_wild_random_draws_are_seeded():
    y, X, cl = _data(G=16, m=10, treated=6, seed=6)
    a = wild_cluster_bootstrap(y, X, cl, column="fip", n_draws=999, seed=1, ci=None)
    b = wild_cluster_bootstrap(y, X, cl, column="fip", n_draws=999, seed=1, ci=None)
    c = wild_cluster_bootstrap(y, X, cl, column="fip", n_draws=999, seed=2, ci=None)
    assert not a.enumerated and a.p_value == b.p_value
    assert a.p_value != c.p_value or a.p_value in (0.0, 1.0)
    assert "999 rademacher draws, seed 1" in repr(a)


def _brute_ri(y, X, cl, col, null, statistic, treated_sets):
    X = np.asarray(X, float)
    d_obs = X[:, col]
    vals = []
    for chosen in treated_sets:
        Xp = X.copy()
        Xp[:, col] = np.isin(cl, chosen).astype(float)
        f = fit_ols(y - null * d_obs, Xp, cluster=cl, vcov="CR1")
        vals.append(f.coef[col] if statistic == "coef" else f.coef[col] / f.se[col])
    return vals


@pytest.mark.parametrize("statistic", ["t", "coef"])
def test_randomization_matches_brute_force(statistic):
    y, X, cl = _data(G=8, m=15, treated=2, seed=7, effect=0.8)
    res = randomization_inference(y, X, cl, column="fip", statistic=statistic, null=0.2)
    sets = list(itertools.combinations(range(8), 2))
    vals = np.abs(_brute_ri(y, X, cl, 1, 0.2, statistic, sets))
    obs = vals[sets.index((0, 1))]
    assert res.enumerated and res.n_assignments == 28
    np.testing.assert_allclose(res.p_value, np.mean(vals >= obs * (1 - TIE)),
                               rtol=RTOL_EXACT, atol=ATOL_P)


def test_randomization_within_strata():
    y, X, cl = _data(G=8, m=10, treated=0, seed=8)
    d = np.isin(cl, [0, 4]).astype(float)           # one treated caseworker per municipality
    X = X.assign(fip=d)
    strata = (cl >= 4).astype(int)
    res = randomization_inference(y, X, cl, column="fip", strata=strata, statistic="coef")
    sets = [(a, b) for a in range(4) for b in range(4, 8)]
    vals = np.abs(_brute_ri(y, X, cl, 1, 0.0, "coef", sets))
    obs = vals[sets.index((0, 4))]
    assert res.n_assignments == 16
    np.testing.assert_allclose(res.p_value, np.mean(vals >= obs * (1 - TIE)),
                               rtol=RTOL_EXACT, atol=ATOL_P)


def test_randomization_did_design_with_make_x(reference_dir):
    panel = pd.read_csv(reference_dir / "did" / "did_panel.csv")
    post = panel.post.to_numpy(float)
    X = np.column_stack([np.ones(len(panel)), panel.treat, post, panel.treat * post])

    def make_X(d):
        return np.column_stack([np.ones(len(d)), d, post, d * post])

    res = randomization_inference(panel.y, X, panel.unit, column=3, treatment=panel.treat,
                                  make_X=make_X, n_draws=199, seed=3)
    fit = fit_ols(panel.y, X, cluster=panel.unit, vcov="CR1")
    np.testing.assert_allclose(res.estimate, fit.coef[3], rtol=1e-12)
    np.testing.assert_allclose(res.std_error, fit.se[3], rtol=1e-10)
    assert not res.enumerated and res.n_assignments == 200
    assert res.ci_lower < res.estimate < res.ci_upper
    again = randomization_inference(panel.y, X, panel.unit, column=3, treatment=panel.treat,
                                    make_X=make_X, n_draws=199, seed=3, ci=False)
    assert again.p_value == res.p_value


def test_resampling_bad_input():
    y, X, cl = _data()
    with pytest.raises(InputError, match="`weight_type` parameter must be one of"):
        wild_cluster_bootstrap(y, X, cl, column="fip", weight_type="mammen")
    with pytest.raises(InputError, match="`column` 'ffip' is not a coefficient"):
        wild_cluster_bootstrap(y, X, cl, column="ffip")
    with pytest.raises(InputError, match="only 1 level"):
        wild_cluster_bootstrap(y, X, np.zeros(len(y)), column="fip")
    with pytest.raises(InputError, match="`n_draws` must be at least 99"):
        wild_cluster_bootstrap(y, X, cl, column="fip", n_draws=10)
    with pytest.raises(DesignError, match="varies within cluster"):
        randomization_inference(y, X, cl, column="fip", treatment=np.r_[1, np.zeros(len(y) - 1)])
    with pytest.raises(DesignError, match="All 7 clusters are control"):
        randomization_inference(y, X, cl, column="fip", treatment=np.zeros(len(y)))
    with pytest.raises(InputError, match="`statistic` parameter"):
        randomization_inference(y, X, cl, column="fip", statistic="z")
    with pytest.raises(InputError, match="must be 0/1"):
        randomization_inference(y, X, cl, column="x")


@pytest.mark.parametrize("statistic", ["t", "coef"])
def test_randomization_fast_path_equals_refits(statistic):
    y, X, cl = _data(G=14, m=12, treated=4, seed=9)
    w = np.random.default_rng(2).uniform(0.5, 2.0, len(y))
    Xa = X.to_numpy()

    def make_X(d):
        out = Xa.copy()
        out[:, 1] = d
        return out

    kw = {"column": "fip", "weights": w, "statistic": statistic, "n_draws": 199, "seed": 4,
          "null": 0.1}
    fast = randomization_inference(y, X, cl, **kw)
    slow = randomization_inference(y, X, cl, make_X=make_X, **kw)
    np.testing.assert_allclose([fast.p_value, fast.ci_lower, fast.ci_upper, fast.std_error],
                               [slow.p_value, slow.ci_lower, slow.ci_upper, slow.std_error],
                               rtol=1e-8)


def test_randomization_many_clusters_path(monkeypatch):
    import fipeval.inference.randomization as ri
    y, X, cl = _data(G=10, m=8, treated=3, seed=10)
    a = randomization_inference(y, X, cl, column="fip", null=0.2)
    monkeypatch.setattr(ri, "_MAX_TENSOR_CLUSTERS", 2)
    b = randomization_inference(y, X, cl, column="fip", null=0.2)
    np.testing.assert_allclose([a.p_value, a.ci_lower, a.ci_upper],
                               [b.p_value, b.ci_lower, b.ci_upper], rtol=1e-8)


def _outcomes(y, X, seed=3):
    """Three outcomes on one design: y, a binary one and a skewed one."""
    rng = np.random.default_rng(seed)
    binary = (y + rng.normal(size=len(y)) > 0.5).astype(float)
    skewed = np.exp(y / 2) + X["x"].to_numpy()
    return np.column_stack([y, binary, skewed])


@pytest.mark.parametrize("weighted", [False, True])
def test_wild_many_equals_one_outcome_at_a_time(weighted):
    from fipeval.inference.wild import wild_many
    y, X, cl = _data(G=12, m=15, treated=4, seed=11)
    Y = _outcomes(y, X)
    w = np.random.default_rng(5).uniform(0.5, 2.0, len(y)) if weighted else None
    kw = {"column": "fip", "weights": w, "n_draws": 199, "seed": 8, "null": 0.1}
    many = wild_many(Y, X, cl, **kw)
    for c in range(Y.shape[1]):
        one = wild_cluster_bootstrap(Y[:, c], X, cl, **kw)
        np.testing.assert_allclose(
            [many[c].estimate, many[c].std_error, many[c].p_value, many[c].ci_lower,
             many[c].ci_upper, many[c].n_ties],
            [one.estimate, one.std_error, one.p_value, one.ci_lower, one.ci_upper, one.n_ties],
            rtol=RTOL_EXACT)


@pytest.mark.parametrize("statistic", ["t", "coef"])
@pytest.mark.parametrize("strata", [False, True])
def test_randomization_many_equals_one_outcome_at_a_time(statistic, strata):
    from fipeval.inference.randomization import randomization_many
    y, X, cl = _data(G=12, m=15, treated=4, seed=12)
    Y = _outcomes(y, X)
    s = (cl % 2) if strata else None        # treated clusters 0-3: two per stratum
    kw = {"column": "fip", "statistic": statistic, "n_draws": 199, "seed": 6, "strata": s}
    many = randomization_many(Y, X, cl, **kw)
    for c in range(Y.shape[1]):
        one = randomization_inference(Y[:, c], X, cl, **kw)
        np.testing.assert_allclose(
            [many[c].estimate, many[c].std_error, many[c].p_value, many[c].ci_lower,
             many[c].ci_upper], [one.estimate, one.std_error, one.p_value, one.ci_lower,
                                 one.ci_upper], rtol=RTOL_EXACT)


def test_randomization_with_a_zero_cluster_robust_se_uses_the_coefficient():
    # 2 FIP caseworkers with the same share ended, 1 control: every cluster score is zero,
    # so the CR1 t is undefined; the coefficient is an exact statistic all the same
    cl = np.repeat([0, 1, 2], 10)
    d = (cl < 2).astype(float)
    y = np.array([1.0] * 3 + [0.0] * 7 + [0.0] * 7 + [1.0] * 3 + [1.0] * 6 + [0.0] * 4)
    X = np.column_stack([np.ones(30), d])
    res = randomization_inference(y, X, cl, column=1)
    assert res.statistic_kind == "coef" and np.isnan(res.std_error)
    np.testing.assert_allclose(res.estimate, 0.3 - 0.6, rtol=RTOL_EXACT)
    # C(3, 2) = 3 assignments; the other two give 0.45 - 0.3, less extreme than |-0.3|
    np.testing.assert_allclose(res.p_value, 1 / 3, rtol=RTOL_EXACT)
    assert np.isinf(res.ci_lower) and np.isinf(res.ci_upper)
    assert any("standard error is zero" in n for n in res._notes())
    with pytest.raises(EstimationError, match="standard error of `x1` is zero"):
        randomization_inference(y, X, cl, column=1, statistic="coef")


@pytest.mark.parametrize("inference", ["iid", "CR1", "wild", "randomization"])
def test_compare_many_equals_compare(inference):
    from fipeval.inference.comparison import compare, compare_many
    rng = np.random.default_rng(21)
    cw = np.repeat(np.arange(14), 20)
    n = len(cw)
    df = pd.DataFrame({"caseworker": cw, "fip": (cw < 4).astype(int),
                       "municipality": np.where(cw % 2 == 0, "A", "B"),
                       "ended": rng.binomial(1, 0.3, n), "fraud_signals": rng.poisson(0.5, n),
                       "exposure_years": rng.uniform(0.2, 1.0, n),
                       "months_on_benefit": rng.gamma(2.0, 3.0, n)})
    outcomes = ["ended", "fraud_signals", "months_on_benefit"]
    kinds = ["binary", "count", "continuous"]
    for cov, strata in (((), None), (("municipality",), "municipality")):
        kw = {"cluster": "caseworker", "inference": inference, "covariates": cov,
              "strata": strata if inference == "randomization" else None, "seed": 2,
              "n_draws": 199, "ratios": False}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # CR1's few-cluster warning
            many = compare_many(df, outcomes=outcomes, kinds=kinds, **kw)
            for outcome, kind, res in zip(outcomes, kinds, many):
                one = compare(df, outcome=outcome, kind=kind, **kw)
                pd.testing.assert_frame_equal(res.tidy(), one.tidy(), rtol=RTOL_EXACT)
                assert res.notes == one.notes
                np.testing.assert_allclose(res.naive_p_value, one.naive_p_value, rtol=RTOL_EXACT)
