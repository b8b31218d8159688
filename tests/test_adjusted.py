"""Adjusted effects on the FIP clients (fipeval.inference.adjusted): the doubly robust AIPW,
propensity-weighted and regression-adjusted ATT against R, by hand and on synthetic truth;
the balance rule; the first page's headline is the adjusted estimate it names."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fipeval.errors import InputError
from fipeval.inference.adjusted import (
    ESTIMATORS,
    adjusted_effects,
    att_many,
    choose_estimator,
    fit_logit_many,
    headline_table,
)

REFERENCE = Path(__file__).parent / "reference" / "inference"
LALONDE = Path(__file__).parent / "reference" / "matching" / "lalonde.csv"
# R prints 17 significant digits; the logit is fitted to a relative step of 1e-9 here and to
# glm's deviance tolerance (1e-8) there: the estimates agree to about 1e-9 relative
R_RTOL = 1e-7
EXACT = 1e-10
COVARIATES = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]


def _r_reference() -> dict:
    text = (REFERENCE / "aipw_att.out").read_text().splitlines()
    assert text[0].startswith("R version 4.2.2")
    table = pd.read_csv(io.StringIO("\n".join(text[1:])))
    return dict(zip(table["term"], table["estimate"]))


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(LALONDE)


def test_aipw_weighted_and_regression_match_r_by_hand(lalonde):
    """tests/reference/inference/aipw_att.R: base R glm + lm, the formulas written out."""
    ref = _r_reference()
    res = adjusted_effects(lalonde, outcomes=["re78"], kinds=["continuous"], treatment="treat",
                           cluster="id", covariates=COVARIATES, inference="wild", n_draws=99,
                           seed=1)
    est = res.tidy().set_index("estimator")["estimate"]
    for name in ("aipw", "weighted", "regression"):
        assert est[name] == pytest.approx(ref[name], rel=R_RTOL), name
    assert est["unadjusted"] == pytest.approx(
        lalonde.re78[lalonde.treat == 1].mean() - lalonde.re78[lalonde.treat == 0].mean(),
        rel=EXACT)


def test_aipw_with_base_weights_matches_r(lalonde):
    """The count outcomes' exposure enters as a base weight of every client."""
    ref = _r_reference()
    X = pd.get_dummies(lalonde[COVARIATES].astype({"race": "category"}), drop_first=True,
                       dtype=float)
    X.insert(0, "const", 1.0)
    b = lalonde["educ"].to_numpy() / 10 + 0.5
    out = att_many(lalonde[["re78"]].to_numpy(float), X.to_numpy(float),
                   lalonde[["treat"]].to_numpy(float), np.arange(len(lalonde)), base_weights=b)
    assert out["aipw"][0][0, 0] == pytest.approx(ref["aipw_base_weights"], rel=R_RTOL)


def test_regression_adjustment_matches_statsmodels(lalonde):
    import statsmodels.formula.api as smf

    fit = smf.ols("re78 ~ treat + age + educ + C(race) + married + nodegree + re74 + re75",
                  data=lalonde).fit()
    res = adjusted_effects(lalonde, outcomes=["re78"], kinds=["continuous"], treatment="treat",
                           cluster="id", covariates=COVARIATES, inference="wild", n_draws=99)
    est = res.tidy().set_index("estimator")["estimate"]
    assert est["regression"] == pytest.approx(fit.params["treat"], rel=EXACT)


def _hand_data() -> pd.DataFrame:
    # one binary covariate: the logit is saturated, the odds weights reproduce the FIP
    # clients' covariate mix exactly, and AIPW = weighted = the exactly matched difference
    rows = []
    groups = {  # (fip, x): outcomes
        (1, 0): [1, 0], (1, 1): [1, 1, 1, 0],
        (0, 0): [0, 0, 1, 0, 0, 0], (0, 1): [1, 0, 1, 0],
    }
    cw = 0
    for (d, x), ys in groups.items():
        for y in ys:
            rows.append({"fip": d, "x": x, "y": y, "caseworker": cw % 4 + 4 * (1 - d)})
            cw += 1
    return pd.DataFrame(rows)


def test_hand_computed_case():
    """FIP: x=0 mean 1/2 (2 clients), x=1 mean 3/4 (4). Control: x=0 mean 1/6, x=1 mean 2/4.
    ATT = (2/6)(1/2 - 1/6) + (4/6)(3/4 - 1/2) = 1/9 + 1/6 = 5/18."""
    data = _hand_data()
    res = adjusted_effects(data, outcomes=["y"], kinds=["continuous"], covariates=["x"],
                           inference="wild", n_draws=99, seed=1)
    est = res.tidy().set_index("estimator")["estimate"]
    assert est["aipw"] == pytest.approx(5 / 18, abs=1e-9)
    assert est["weighted"] == pytest.approx(5 / 18, abs=1e-9)
    assert est["unadjusted"] == pytest.approx(4 / 6 - 3 / 10, abs=EXACT)


def test_all_assignments_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(3)
    n, G = 240, 12
    codes = np.repeat(np.arange(G), n // G)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    Y = np.column_stack([X[:, 1] + rng.normal(size=n), rng.poisson(1.0, n)])
    A = np.zeros((5, G))
    for a in range(5):
        A[a, rng.choice(G, 3, replace=False)] = 1
    D = A.T[codes]
    together = att_many(Y, X, D, codes)
    for a in range(5):
        alone = att_many(Y, X, D[:, a:a + 1], codes)
        for name in ("weighted", "aipw"):
            np.testing.assert_allclose(together[name][0][a], alone[name][0][0], rtol=1e-9)
            np.testing.assert_allclose(together[name][1][a], alone[name][1][0], rtol=1e-9)
    p, ok = fit_logit_many(X, D)
    assert ok.all() and p.shape == D.shape


def test_randomization_inference_and_result_contract():
    data = _hand_data()
    data = pd.concat([data.assign(caseworker=data.caseworker + 10 * k) for k in range(3)],
                     ignore_index=True)
    res = adjusted_effects(data, outcomes=["y"], kinds=["binary"], covariates=["x"],
                           refit_draws=99, n_draws=999, seed=2)
    tidy = res.tidy()
    assert list(tidy["estimator"]) == list(ESTIMATORS)
    assert tidy["headline"].sum() == 1 and tidy.loc[tidy.headline, "estimator"].item() == "aipw"
    assert (tidy["ci_lower"] <= tidy["estimate"]).all() and (tidy["estimate"] <= tidy["ci_upper"]).all()
    assert "Effects on the FIP clients" in res.summary().to_markdown()
    assert "<table" in res._repr_html_()
    with pytest.raises(InputError, match="refit_draws"):
        adjusted_effects(data, outcomes=["y"], covariates=["x"], refit_draws=10)
    with pytest.raises(InputError, match="among the covariates"):
        adjusted_effects(data, outcomes=["y"], covariates=["fip"])
    with pytest.raises(InputError, match="inference"):
        adjusted_effects(data, outcomes=["y"], covariates=["x"], inference="CR1")


def test_the_rule_reads_the_balance_before_adjustment():
    bal = pd.DataFrame({"term": ["distance", "age", "municipality_A", "sex_male"],
                        "smd_before": [0.5, 0.05, 0.4, -0.12], "smd_after": [0.0, 0.01, 0.0, 0.02]})
    chosen, why = choose_estimator(bal)
    assert chosen == "aipw" and "sex_male" in why and "0.12" in why
    chosen, why = choose_estimator(bal.assign(smd_before=[0.5, 0.05, 0.4, 0.09]))
    assert chosen == "regression" and "0.09" in why     # distance and exact terms ignored
    with pytest.raises(InputError, match="no covariate rows"):
        choose_estimator(bal.iloc[[0, 2]])


def test_caller_data_unchanged_and_row_order_irrelevant(lalonde):
    before = lalonde.copy()
    kw = dict(outcomes=["re78"], kinds=["continuous"], treatment="treat", cluster="id",
              covariates=COVARIATES, inference="wild", n_draws=99, seed=1)
    a = adjusted_effects(lalonde, **kw).tidy()
    pd.testing.assert_frame_equal(lalonde, before)
    b = adjusted_effects(lalonde.sample(frac=1, random_state=1), **kw).tidy()
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-8)


@pytest.mark.parametrize("scenario", ("brabantse_wal", "three_municipalities"))
def test_first_page_headline_is_the_adjusted_estimate_it_names(scenario):
    from conftest import bundled_report

    report, _ = bundled_report(scenario, "en")
    first = report.sections[0]
    effects = next(s for s in report.sections if s.title.startswith("Effects per"))
    adjusted = {e["name"].split("side by side: ")[1]: e for e in effects.estimates
                if "Effects on the FIP clients" in e["name"]}
    stated = [e for e in first.estimates if e["name"].startswith("extra_ended_benefits[")]
    assert stated
    for e in stated:
        estimator = e["method"].split(":")[0]
        assert estimator in ESTIMATORS and estimator != "unadjusted"
        unit = e["municipality"]
        subset = "all municipalities" if unit == "pooled" else unit
        row = adjusted[f"ended [{subset}]: {estimator}"]
        assert e["estimate"] == pytest.approx(row["estimate"] * e["n"], rel=1e-12)
        assert e["ci_lower"] == pytest.approx(row["ci_lower"] * e["n"], rel=1e-12)
    text = " ".join(b for b in first.blocks if isinstance(b, str))
    assert "The figures are" in text


@pytest.mark.parametrize("scenario", ("brabantse_wal", "three_municipalities"))
def test_the_e_value_is_the_headline_estimates(scenario):
    """The first page's E-value is that of the leading estimate (and its interval) at the
    control share of ended benefits, not of the unadjusted difference."""
    from conftest import bundled_report

    from fipeval.design import build_cohort
    from fipeval.inference import e_value
    from fipeval.io import load

    report, config = bundled_report(scenario, "en")
    folder = Path(__file__).resolve().parents[1] / "data" / "synthetic" / scenario
    cohort = build_cohort(load(folder, key=folder / "pseudonym.key",
                               extract_date=config.extract_date), config.design())
    effects = next(s for s in report.sections if s.title.startswith("Effects per"))
    adjusted = {e["name"].split("side by side: ")[1]: e for e in effects.estimates
                if "Effects on the FIP clients" in e["name"]}
    stated = {e["municipality"]: e for e in report.sections[0].estimates
              if e["name"].startswith("e_value[")}
    extra = {e["municipality"]: e for e in report.sections[0].estimates
             if e["name"].startswith("extra_ended_benefits[")}
    assert stated
    for unit, e in stated.items():
        estimator = extra[unit]["method"].split(":")[0]
        subset = "all municipalities" if unit == "pooled" else unit
        row = adjusted[f"ended [{subset}]: {estimator}"]
        control = cohort[cohort["fip"] == 0]
        if unit != "pooled":
            control = control[control["municipality"] == unit]
        expected = e_value(row["estimate"], ci=(row["ci_lower"], row["ci_upper"]), measure="RD",
                           baseline=float(control["ended"].mean()))
        assert e["estimate"] == pytest.approx(expected.e_value, rel=1e-12)
        assert e["e_value_ci"] == pytest.approx(expected.e_value_ci, rel=1e-12)


def test_headline_table_swaps_only_the_chosen_rows():
    overview = pd.DataFrame({"subset": ["A", "A"], "outcome": ["ended", "ended_work"],
                             "estimate": [0.1, 0.2], "std_error": [1.0, 1.0],
                             "statistic": [0.1, 0.2], "p_value": [0.5, 0.5],
                             "ci_lower": [-1.0, -1.0], "ci_upper": [1.0, 1.0],
                             "inference": ["randomization"] * 2})
    from fipeval.inference.adjusted import AdjustedEffects

    table = pd.DataFrame({"subset": ["A", "A"], "outcome": ["ended", "ended"],
                          "estimator": ["unadjusted", "aipw"], "estimate": [0.1, 0.3],
                          "std_error": [1.0, 2.0], "statistic": [0.1, 0.15], "p_value": [0.5, 0.4],
                          "ci_lower": [-1.0, -2.0], "ci_upper": [1.0, 2.0],
                          "inference": ["randomization", "randomization-t"]})
    adj = AdjustedEffects(table=table, treatment="fip", cluster="caseworker", covariates=(),
                          inference="design", n_draws=99, refit_draws=99, seed=None, alpha=0.05,
                          headline="aipw")
    out = headline_table(overview, adj)
    assert out.loc[0, "estimate"] == 0.3 and out.loc[0, "estimator"] == "aipw"
    assert out.loc[1, "estimate"] == 0.2 and out.loc[1, "estimator"] == "unadjusted"
    assert overview.loc[0, "estimate"] == 0.1


@pytest.fixture(scope="module")
def three_municipalities():
    from fipeval.design import build_cohort
    from fipeval.synthetic import generate

    study = generate("three_municipalities")
    return build_cohort(study.register, study.design), study.truth


@pytest.mark.slow
def test_adjusted_estimates_are_unbiased_for_the_att_and_cover(three_municipalities):
    """Re-drawn FIP caseworkers (2 per municipality), potential outcomes fixed: every
    estimator's mean error is within 3 Monte Carlo SE of 0, and the design's intervals cover
    the replicate's ATT near nominally (60 replicates: MC SE of a 95% coverage 0.028)."""
    from fipeval.inference.adjusted_truth import adjusted_truth_study, summarise

    cohort, truth = three_municipalities
    table = summarise(adjusted_truth_study(cohort, truth, reps=60, seed=11))
    assert (table["bias"].abs() < 3 * table["bias_mc_se"]).all(), table
    assert (table["coverage"] >= 0.88).all(), table


@pytest.mark.slow
def test_confounded_variant_biases_the_unadjusted_difference_only(three_municipalities):
    """Controls with short benefit histories mostly left out: the unadjusted difference is
    biased (paired with the AIPW's, the gap exceeds 4 SE); the weighted, regression and AIPW
    estimates, adjusting for the selection covariate, stay within 3 Monte Carlo SE of the
    truth."""
    from fipeval.inference.adjusted_truth import adjusted_truth_study, summarise

    cohort, truth = three_municipalities
    runs = adjusted_truth_study(cohort, truth, reps=40, confounded=True, seed=12)
    table = summarise(runs).set_index(["outcome", "estimator"])
    for outcome in ("ended", "months_on_benefit"):
        part = runs[runs.outcome == outcome].pivot(index="rep", columns="estimator",
                                                   values="estimate")
        gap = part["unadjusted"] - part["aipw"]
        assert abs(gap.mean()) > 4 * gap.std() / np.sqrt(len(gap)), outcome
        for name in ("weighted", "regression", "aipw"):
            row = table.loc[(outcome, name)]
            assert abs(row["bias"]) < 3 * row["bias_mc_se"], (outcome, name, row)
    unadjusted = table.loc[("ended", "unadjusted")]
    assert abs(unadjusted["bias"]) > 3 * unadjusted["bias_mc_se"]


def test_cohort_effects_for_costing_use_the_chosen_adjustment(three_municipalities):
    from fipeval.costing.section import cohort_effects
    from fipeval.inference.design import plan_inference

    cohort, _ = three_municipalities
    part = cohort[cohort["municipality"] == "Gemeente C"]
    covariates = ["age", "sex", "months_before_start"]
    costing = cohort_effects(part, estimator="aipw", covariates=covariates, seed=3)
    method = plan_inference(part, strata=None, n_draws=999, seed=3).method_for("all")
    direct = adjusted_effects(part, outcomes=["ended", "months_on_benefit"],
                              kinds=["binary", "continuous"], covariates=covariates,
                              inference=method, n_draws=999, seed=3).tidy()
    aipw = direct[direct.estimator == "aipw"].set_index("outcome")
    for term, outcome in (("risk_difference", "ended"), ("rmst_difference_months",
                                                         "months_on_benefit")):
        row = costing[costing.term == term].iloc[0]
        assert row["estimator"] == "aipw"
        for c in ("estimate", "ci_lower", "ci_upper", "p_value"):
            assert row[c] == pytest.approx(aipw.loc[outcome, c], rel=EXACT)
    plain = cohort_effects(part, seed=3)
    assert (plain["estimator"] == "unadjusted").all()
    with pytest.raises(InputError, match="estimator"):
        cohort_effects(part, estimator="matched")
