"""Effect measures against R (classical.R), statsmodels and closed forms; compare() contract."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep

from fipeval.errors import (
    DesignError,
    EstimationError,
    FewClustersWarning,
    InputError,
    SchemaError,
)
from fipeval.inference import (
    adjust_p_values,
    compare,
    fit_ols,
    mann_whitney,
    rate_ratio_glm,
    two_by_two,
    welch_test,
    wild_cluster_bootstrap,
)
from fipeval.inference.measures import wilson_interval

# CR1/CR2 with few caseworkers warn on purpose; tested in test_compare_primary_rows_equal_the_engines
pytestmark = pytest.mark.filterwarnings("ignore::fipeval.errors.FewClustersWarning")

RTOL = 1e-10          # same formula computed by scipy/statsmodels
ATOL = 1e-12
RTOL_ITER = 1e-5      # iterative fits (NB dispersion) against each other

TABLES = [(60, 360, 200, 1600), (7, 20, 2, 25), (0, 15, 4, 30), (45, 50, 12, 40)]


@pytest.mark.parametrize("a,n1,c,n0", TABLES)
def test_two_by_two_matches_scipy_and_statsmodels(a, n1, c, n0):
    res = two_by_two(a, n1, c, n0)
    shift = min(a, n1 - a, c, n0 - c) == 0
    # Haldane-Anscombe: 0.5 added to every cell when one is zero
    ref = Table2x2(np.array([[a, n1 - a], [c, n0 - c]], dtype=float) + 0.5 * shift)
    rr, orr = res.row("risk ratio"), res.row("odds ratio")
    np.testing.assert_allclose([rr.estimate, rr.std_error, rr.p_value],
                               [ref.riskratio, ref.log_riskratio_se, ref.riskratio_pvalue()],
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose([rr.ci_lower, rr.ci_upper], ref.riskratio_confint(), rtol=RTOL)
    np.testing.assert_allclose([orr.estimate, orr.std_error, orr.p_value],
                               [ref.oddsratio, ref.log_oddsratio_se, ref.oddsratio_pvalue()],
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose([orr.ci_lower, orr.ci_upper], ref.oddsratio_confint(), rtol=RTOL)
    nw = res.row("risk difference (Newcombe)")
    np.testing.assert_allclose([nw.ci_lower, nw.ci_upper],
                               confint_proportions_2indep(a, n1, c, n0, method="newcomb",
                                                          compare="diff"), rtol=RTOL, atol=ATOL)
    wald = res.row("risk difference (Wald)")
    p1, p0 = a / n1, c / n0
    np.testing.assert_allclose(wald.std_error, np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0),
                               rtol=RTOL)
    assert ("0.5 was added" in repr(res)) == shift


RTOL_R = 1e-10        # R prints 17 significant digits (classical.R)


@pytest.fixture(scope="module")
def classical(reference_dir):
    ref = pd.read_csv(reference_dir / "inference" / "classical.out", comment="#",
                      dtype={"quantity": str})
    data = pd.read_csv(reference_dir / "inference" / "classical.csv")
    return {(c, q): v for c, q, v in zip(ref.case, ref.quantity, ref.value)}, data


@pytest.mark.parametrize("a,n1,c,n0", TABLES + [(3, 10, 4, 12)])
def test_chi_square_fisher_and_wilson_match_r(classical, a, n1, c, n0):
    ref, _ = classical
    case = f"{a}_{n1}_{c}_{n0}"
    for yates, name in ((False, "chi-square"), (True, "chi-square (Yates)")):
        row = two_by_two(a, n1, c, n0, yates=yates).row(name)
        np.testing.assert_allclose([row.statistic, row.p_value],
                                   [ref[case, f"chisq_{str(yates).upper()}"],
                                    ref[case, f"chisq_p_{str(yates).upper()}"]],
                                   rtol=RTOL_R, atol=1e-15)
    np.testing.assert_allclose(two_by_two(a, n1, c, n0).row("Fisher exact").p_value,
                               ref[case, "fisher_p"], rtol=RTOL_R)
    np.testing.assert_allclose(wilson_interval(a, n1), [ref[case, "wilson_fip_lower"],
                                                        ref[case, "wilson_fip_upper"]],
                               rtol=RTOL_R, atol=1e-15)
    np.testing.assert_allclose(wilson_interval(c, n0), [ref[case, "wilson_control_lower"],
                                                        ref[case, "wilson_control_upper"]],
                               rtol=RTOL_R, atol=1e-15)


def test_welch_and_mann_whitney_match_r(classical):
    ref, data = classical
    x = data.value[data.group == "x"].to_numpy()
    y = data.value[data.group == "y"].to_numpy()
    res = welch_test(x, y, alpha=0.1).row("mean difference (Welch)")
    np.testing.assert_allclose([res.statistic, res.df, res.p_value, res.ci_lower, res.ci_upper],
                               [ref["welch", q] for q in ("t", "df", "p", "lower", "upper")],
                               rtol=RTOL_R)
    mw = mann_whitney(np.round(x), np.round(y)).row("Mann-Whitney")   # ties
    np.testing.assert_allclose([mw.statistic, mw.p_value],
                               [ref["mann_whitney", "W"], ref["mann_whitney", "p"]], rtol=RTOL_R)
    np.testing.assert_allclose(mw.estimate, ref["mann_whitney", "W"] / (len(x) * len(y)),
                               rtol=RTOL_R)


@pytest.mark.parametrize("method", ["holm", "BH"])
def test_multiplicity_matches_r_p_adjust(classical, method):
    ref, _ = classical
    p = [0.001, 0.04, 0.03, 0.2, 0.011, 0.04, 0.9]
    np.testing.assert_allclose(adjust_p_values(p, method),
                               [ref[f"adjust_{method}", str(i)] for i in range(1, 8)],
                               rtol=RTOL_R)


def test_poisson_rate_ratio_closed_form():
    rng = np.random.default_rng(1)
    d = np.r_[np.ones(80), np.zeros(200)]
    t = rng.uniform(0.2, 1.5, len(d))
    y = rng.poisson(t * np.where(d == 1, 0.5, 0.2))
    row = rate_ratio_glm(y, t, np.column_stack([np.ones(len(d)), d]))
    Y1, T1, Y0, T0 = y[d == 1].sum(), t[d == 1].sum(), y[d == 0].sum(), t[d == 0].sum()
    np.testing.assert_allclose(row["estimate"], (Y1 / T1) / (Y0 / T0), rtol=1e-8)
    np.testing.assert_allclose(row["std_error"], np.sqrt(1 / Y1 + 1 / Y0), rtol=RTOL_ITER)


def test_negative_binomial_rate_ratio_equal_exposure_is_ratio_of_means():
    rng = np.random.default_rng(2)
    d = np.r_[np.ones(150), np.zeros(300)]
    y = rng.negative_binomial(2, 1 / (1 + np.where(d == 1, 0.9, 0.4) / 2))
    X = np.column_stack([np.ones(len(d)), d])
    row = rate_ratio_glm(y, np.ones(len(d)), X, family="negative_binomial")
    np.testing.assert_allclose(row["estimate"], y[d == 1].mean() / y[d == 0].mean(), rtol=1e-6)
    ref = sm.NegativeBinomial(y, X, loglike_method="nb2").fit(disp=0)
    np.testing.assert_allclose(row["dispersion"], ref.params[-1], rtol=RTOL_ITER)
    # the weighted profile likelihood with unit weights finds the same dispersion
    roww = rate_ratio_glm(y, np.ones(len(d)), X, family="negative_binomial",
                          weights=np.ones(len(d)))
    np.testing.assert_allclose(roww["dispersion"], ref.params[-1], rtol=1e-3)


def _cohort(seed=0, G=12, treated=3, m=30):
    rng = np.random.default_rng(seed)
    cw = np.repeat(np.arange(G), m)
    fip = (cw < treated).astype(int)
    u = rng.normal(0, 0.5, G)[cw]
    return pd.DataFrame({
        "caseworker": [f"km{c:02d}" for c in cw], "fip": fip,
        "municipality": np.where(cw % 2 == 0, "A", "B"),
        "ended": rng.binomial(1, 1 / (1 + np.exp(-(-1.5 + 0.4 * fip + u)))),
        "fraud_signals": rng.poisson(0.3 + 0.2 * fip, len(cw)),
        "exposure_years": rng.uniform(0.3, 1.0, len(cw)),
        "months_on_benefit": rng.gamma(3, 3, len(cw)),
        "age": rng.integers(20, 65, len(cw)).astype(float),
        "household_type": rng.choice(["single", "couple", "single_parent"], len(cw)),
        "w": rng.uniform(0.5, 2, len(cw)),
    })


def test_compare_primary_rows_equal_the_engines():
    df = _cohort()
    naive = compare(df, outcome="ended")
    tab = two_by_two(int(df.ended[df.fip == 1].sum()), int((df.fip == 1).sum()),
                     int(df.ended[df.fip == 0].sum()), int((df.fip == 0).sum()))
    np.testing.assert_allclose(naive.primary[["estimate", "std_error", "p_value"]].to_numpy(float),
                               tab.row("risk difference (Wald)")[["estimate", "std_error",
                                                                  "p_value"]].to_numpy(float),
                               rtol=RTOL)
    X = pd.DataFrame({"const": 1.0, "fip": df.fip.astype(float)})
    cr2 = compare(df, outcome="ended", cluster="caseworker", inference="CR2")
    fit = fit_ols(df.ended, X, cluster=df.caseworker, vcov="CR2")
    np.testing.assert_allclose(cr2.primary.p_value, fit.tidy().p_value[1], rtol=RTOL)
    wild = compare(df, outcome="ended", cluster="caseworker", inference="wild", seed=3, n_draws=999)
    ref = wild_cluster_bootstrap(df.ended, X, df.caseworker, column="fip", seed=3, n_draws=999)
    np.testing.assert_allclose([wild.p_value, wild.primary.ci_lower],
                               [ref.p_value, ref.ci_lower], rtol=RTOL)
    assert "wild cluster bootstrap" in repr(wild) and "naive p-value" in repr(wild)
    with pytest.warns(FewClustersWarning, match="rest on 3 FIP and 9 control"):
        cr1 = compare(df, outcome="ended", cluster="caseworker", inference="CR1")
    assert "Only 3 FIP caseworkers" in repr(cr1)


def test_compare_count_rate_difference_is_ratio_of_sums():
    df = _cohort(seed=4)
    res = compare(df, outcome="fraud_signals", cluster="caseworker", inference="CR1")
    f, c = df[df.fip == 1], df[df.fip == 0]
    rd = f.fraud_signals.sum() / f.exposure_years.sum() - c.fraud_signals.sum() / c.exposure_years.sum()
    np.testing.assert_allclose(res.primary.estimate, rd, rtol=RTOL)
    assert {"rate ratio (Poisson)", "rate ratio (negative binomial)"} <= set(res.tidy().term)


def test_compare_covariates_weights_and_randomization():
    df = _cohort(seed=5)
    res = compare(df, outcome="ended", cluster="caseworker", inference="randomization",
                  covariates=["age", "household_type"], weights="w", strata="municipality",
                  seed=1, n_draws=999)
    X = pd.concat([pd.DataFrame({"const": 1.0, "fip": df.fip.astype(float), "age": df.age}),
                   pd.get_dummies(df.household_type.astype("category"), prefix="household_type",
                                  drop_first=True, dtype=float)], axis=1)
    fit = fit_ols(df.ended, X, weights=df.w, cluster=df.caseworker, vcov="CR1")
    np.testing.assert_allclose(res.primary.estimate, fit.coef_of("fip"), rtol=RTOL)
    assert "age, household_type" in repr(res) and "`w`" in repr(res)


def test_compare_leaves_input_alone_and_ignores_row_order():
    df = _cohort(seed=6)
    before = df.copy()
    a = compare(df, outcome="months_on_benefit", cluster="caseworker", inference="CR2")
    b = compare(df.sample(frac=1, random_state=1), outcome="months_on_benefit", cluster="caseworker",
                inference="CR2")
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_allclose(a.tidy()[["estimate", "std_error", "p_value"]].to_numpy(float),
                               b.tidy()[["estimate", "std_error", "p_value"]].to_numpy(float),
                               rtol=1e-9)
    assert a.to_markdown().startswith("**FIP versus control**")


def test_compare_bad_input():
    df = _cohort()
    with pytest.raises(DesignError, match="FIP group has no clients"):
        compare(df.assign(fip=0), outcome="ended")
    with pytest.raises(InputError, match="`caseworker` has one level"):
        compare(df.assign(caseworker="km01"), outcome="ended", cluster="caseworker", inference="CR1")
    with pytest.raises(EstimationError, match="outcome `ended` is constant"):
        compare(df.assign(ended=1), outcome="ended")
    with pytest.raises(InputError, match="`w` has 1 negative weight"):
        w = df.w.copy(); w.iloc[5] = -1
        compare(df.assign(w=w), outcome="ended", weights="w")
    with pytest.raises(InputError, match="`w` is zero for every client"):
        compare(df.assign(w=0.0), outcome="ended", weights="w")
    with pytest.raises(SchemaError, match="no column `ended_work`"):
        compare(df, outcome="ended_work")
    with pytest.raises(InputError, match="needs `cluster`"):
        compare(df, outcome="ended", inference="wild")
    with pytest.raises(InputError, match="`inference` parameter must be one of"):
        compare(df, outcome="ended", inference="robust")
    with pytest.raises(InputError, match="0 \\(control\\) or 1 \\(FIP\\)"):
        compare(df.assign(fip=2), outcome="ended")
    with pytest.raises(InputError, match="missing value"):
        compare(df.assign(age=np.nan), outcome="ended", covariates=["age"])
    with pytest.raises(InputError, match="no clients"):
        two_by_two(0, 0, 3, 10)
    with pytest.raises(InputError, match="at least 2 per group"):
        welch_test([1.0], [1.0, 2.0])


def test_compare_categorical_cluster_with_unused_levels():
    df = _cohort(seed=7)
    cat = df.assign(caseworker=pd.Categorical(df.caseworker, categories=sorted(
        set(df.caseworker)) + ["km99"]))
    a = compare(df, outcome="ended", cluster="caseworker", inference="randomization", seed=1)
    b = compare(cat, outcome="ended", cluster="caseworker", inference="randomization", seed=1)
    np.testing.assert_allclose([a.p_value, a.primary.ci_lower], [b.p_value, b.primary.ci_lower],
                               rtol=RTOL)
    assert b.n_fip_clusters + b.n_control_clusters == 12


def test_a_ratio_that_cannot_be_estimated_stays_as_an_empty_row(monkeypatch):
    import fipeval.inference.comparison as comparison

    def fails(*args, family, **kwargs):
        raise EstimationError(f"The {family} fit could not be estimated (standard error nan).")

    monkeypatch.setattr(comparison, "rate_ratio_glm", fails)
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"fip": np.repeat([1, 0], 100), "caseworker": np.repeat(np.arange(20), 10),
                      "signals": rng.poisson(1.0, 200), "years": 1.0})
    res = compare(d, outcome="signals", kind="count", exposure="years", cluster="caseworker",
                  inference="CR1", ratios=True)
    tidy = res.tidy().set_index("term")
    for term in ("rate ratio (Poisson)", "rate ratio (negative binomial)"):
        assert term in tidy.index and np.isnan(tidy.loc[term, "estimate"])
    assert sum("Not computed" in n for n in res.notes) == 2


def test_ratio_rows_without_events_in_a_group_stay_as_empty_rows_with_the_reason():
    # the GLM would stop at a coefficient near -25 with an SE in the thousands: a fake estimate
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"fip": np.r_[np.ones(30), np.zeros(60)].astype(int),
                       "cnt": np.r_[np.zeros(30), rng.poisson(1, 60)],
                       "exposure_years": 1.0})
    res = compare(df, outcome="cnt", kind="count")
    tidy = res.tidy().set_index("term")
    for term in ("rate ratio (Poisson)", "rate ratio (negative binomial)"):
        assert term in tidy.index and np.isnan(tidy.loc[term, "estimate"])
    assert any("no events in the treated group" in n for n in res._notes())
    assert np.isfinite(tidy.loc["rate difference (per client-year)", "estimate"])
