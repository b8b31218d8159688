"""Costing on the synthetic scenarios: the pilot's figure, the known truth, the report section."""

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from fipeval import design, synthetic
from fipeval.costing.section import costing_section
from fipeval.costing import (CostInputs, caseload_from_spells, cohort_effects,
                             crude_savings, monte_carlo, refined_savings)
from fipeval.errors import InputError
from fipeval.inference.section import effects_section
from fipeval.results import Result, Summary

PILOT_FIGURE = 750_000
PILOT_RTOL = 0.10     # "over EUR 750,000": the scenario's crude figure within 10%
RTOL = 1e-10
N_DRAWS = 20_000


@pytest.fixture(scope="module")
def brabantse_wal():
    study = synthetic.generate("brabantse_wal")
    return study, design.build_cohort(study.register, study.design)


@pytest.fixture(scope="module")
def three_municipalities():
    study = synthetic.generate("three_municipalities")
    return study, design.build_cohort(study.register, study.design)


def test_design_based_effects_equal_the_effects_section(brabantse_wal):
    """One estimate and interval per outcome across sections: costing's effects are the effects
    section's pooled rows (OLS with municipality effects, FIP re-assigned to caseworkers)."""
    _, cohort = brabantse_wal
    effects = cohort_effects(cohort, seed=4).set_index("term")
    overview = effects_section(cohort, seed=4, n_draws=999,
                               outcomes=["ended", "months_on_benefit"])[0].tidy()
    pooled = overview[overview.subset == "all municipalities"].set_index("outcome")
    X = pd.get_dummies(cohort["municipality"].astype(str), drop_first=True, dtype=float)
    X = sm.add_constant(X.assign(fip=cohort["fip"].astype(float)))
    for term, col in (("risk_difference", "ended"), ("rmst_difference_months", "months_on_benefit")):
        fit = sm.OLS(cohort[col].astype(float), X).fit()
        np.testing.assert_allclose(effects.loc[term, "estimate"], fit.params["fip"], rtol=RTOL)
        np.testing.assert_allclose(effects.loc[term, ["estimate", "ci_lower", "ci_upper", "p_value"]]
                                   .astype(float),
                                   pooled.loc[col, ["estimate", "ci_lower", "ci_upper", "p_value"]]
                                   .astype(float), rtol=RTOL)
        assert effects.loc[term, "inference"] == "randomization"
        assert effects.loc[term, "assignments"] == 36     # 2 of 9 caseworkers in Bergen op Zoom


def test_pilot_crude_figure_near_750k(brabantse_wal):
    """The pilot's arithmetic on the scenario: observed extra terminations per FIP client x the
    study population (clients on benefit six months or more at the start) x EUR 14,000."""
    _, cohort = brabantse_wal
    fip = cohort["fip"] == 1
    rd = cohort.loc[fip, "ended"].mean() - cohort.loc[~fip, "ended"].mean()
    res = crude_savings(rd, caseload=len(cohort))
    np.testing.assert_allclose(res.savings_per_year, PILOT_FIGURE, rtol=PILOT_RTOL)
    np.testing.assert_allclose(res.savings_per_year, rd * len(cohort) * 14_000, rtol=RTOL)
    assert f"x {len(cohort):,} clients in the whole caseload" in res.arithmetic()


def test_true_effect_savings_inside_monte_carlo_interval(brabantse_wal):
    study, cohort = brabantse_wal
    effects = cohort_effects(cohort).set_index("term")
    att = study.true_effects["att"]
    inputs = CostInputs()
    n = len(cohort)
    ci = effects[["ci_lower", "ci_upper"]].astype(float)
    crude = crude_savings(effects.loc["risk_difference", "estimate"], caseload=n, inputs=inputs,
                          ci=tuple(ci.loc["risk_difference"]))
    true_crude = crude_savings(att["ended"], caseload=n, inputs=inputs).savings_per_year
    lo, hi = monte_carlo(crude, n_draws=N_DRAWS, seed=1, vary_inputs=True).interval()
    assert lo < true_crude < hi

    kwargs = dict(horizon_months=12, caseload=n, price_date="2015-05-01", inputs=inputs,
                  household_mix=cohort["household_type"].astype(str).value_counts().to_dict())
    refined = refined_savings(effects.loc["rmst_difference_months", "estimate"],
                              ci=tuple(ci.loc["rmst_difference_months"]), **kwargs)
    true_refined = refined_savings(att["months_on_benefit"], **kwargs).savings_per_year
    lo, hi = monte_carlo(refined, n_draws=N_DRAWS, seed=1, vary_inputs=True).interval()
    assert lo < true_refined < hi
    assert true_refined < true_crude   # months avoided, not a full year per termination


def test_section_brabantse_wal(brabantse_wal):
    study, cohort = brabantse_wal
    before = cohort.copy()
    whole = int(caseload_from_spells(study.register.spells, "2014-11-01").sum())
    results, figures = costing_section(cohort, caseload=whole, n_draws=2_000, seed=3)
    pd.testing.assert_frame_equal(cohort, before)
    assert all(isinstance(r, (Result, Summary)) for r in results)
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figures) and len(figures) == 2
    table = results[1].table
    assert list(table["unit"]) == ["all"]   # FIP ran in one municipality of the shared service
    effects = cohort_effects(cohort).set_index("term")
    np.testing.assert_allclose(table["crude_per_year"].iloc[0],
                               effects.loc["risk_difference", "estimate"] * whole * 14_000, rtol=RTOL)
    assert "crude_mc_ci" in table.columns and "refined_mc_ci" in table.columns
    assert results[0].title == "Costing inputs and their sources"


def test_section_three_municipalities_pooled_is_the_sum(three_municipalities):
    _, cohort = three_municipalities
    results, _ = costing_section(cohort, n_draws=N_DRAWS, seed=5, vary_inputs=False)
    table = results[1].table.set_index("unit")
    assert list(table.index) == ["Amersfoort", "Gemeente C", "IJsselgemeenten", "pooled"]
    for col in ("crude_per_year", "refined_per_year", "fip_cost_per_year"):
        np.testing.assert_allclose(table.loc["pooled", col], table[col].iloc[:3].sum(), rtol=RTOL)
    np.testing.assert_allclose(table.loc[["Amersfoort", "Gemeente C", "IJsselgemeenten"],
                                         "follow_up_months"].astype(float), [18, 10, 14], rtol=RTOL)
    mc = [r for r in results if "Monte Carlo (refined" in getattr(r, "title", "")][0]
    refined = [r for r in results if type(r).__name__ == "RefinedSavings"]
    np.testing.assert_allclose(mc.analytic_se["savings"],
                               np.sqrt(sum(r.savings_std_error ** 2 for r in refined)), rtol=RTOL)
    # the draws reproduce each unit's asymmetric design interval (a two-piece normal, whose
    # mean is not its mode), the analytic interval is symmetric: on the bundled data (with the
    # caseworker history, issue 21) both ends lie 0.09 SE apart, a shift, not Monte Carlo noise
    np.testing.assert_allclose(mc.interval(), mc.analytic_interval(), rtol=0,
                               atol=0.1 * mc.analytic_se["savings"])


def test_section_uses_given_effects_and_rejects_bad_ones(three_municipalities):
    _, cohort = three_municipalities
    effects = pd.DataFrame({"municipality": ["Amersfoort", "Gemeente C", "IJsselgemeenten"],
                            "term": "risk_difference", "estimate": [0.02, 0.01, 0.0],
                            "ci_lower": [-0.01, -0.02, -0.03], "ci_upper": [0.05, 0.04, 0.03]})
    caseload = {"Amersfoort": 3000, "Gemeente C": 1500, "IJsselgemeenten": 1200}
    results, figures = costing_section(cohort, effects, caseload=caseload, n_draws=500)
    table = results[1].table.set_index("unit")
    np.testing.assert_allclose(table.loc["Amersfoort", "crude_per_year"], 0.02 * 3000 * 14_000, rtol=RTOL)
    assert "refined_per_year" not in table.columns and len(figures) == 1
    with pytest.raises(InputError, match="unit 'Utrecht' that is not an analysis unit"):
        costing_section(cohort, effects.assign(municipality="Utrecht"))
    with pytest.raises(InputError, match="`caseload` is one number but there are 3 units"):
        costing_section(cohort, effects, caseload=5000)
    with pytest.raises(InputError, match="`caseload` has no entry for 'IJsselgemeenten'"):
        costing_section(cohort, effects, caseload={"Amersfoort": 1, "Gemeente C": 1})
    with pytest.raises(InputError, match="The `cost_method` parameter must be one of"):
        costing_section(cohort, effects, cost_method="hours")


def test_same_answer_after_shuffling_rows(three_municipalities):
    _, cohort = three_municipalities
    shuffled = cohort.sample(frac=1.0, random_state=np.random.RandomState(0)).reset_index(drop=True)
    a, b = cohort_effects(cohort), cohort_effects(shuffled)
    np.testing.assert_allclose(a[["estimate", "ci_lower", "ci_upper", "p_value"]],
                               b[["estimate", "ci_lower", "ci_upper", "p_value"]], rtol=RTOL)
    ra, _ = costing_section(cohort, a, n_draws=500, seed=1)
    rb, _ = costing_section(shuffled, b, n_draws=500, seed=1)
    cols = ["crude_per_year", "refined_per_year", "fip_cost_per_year"]
    np.testing.assert_allclose(ra[1].table[cols], rb[1].table[cols], rtol=RTOL)
