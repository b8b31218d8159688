"""Monte Carlo intervals against the analytic (linear / delta-method / exact-moment) ones."""

import matplotlib.axes
import numpy as np
import pytest
from scipy import stats

from fipeval.costing import (Assumption, CostInputs, crude_savings, fip_cost, monte_carlo,
                             refined_savings, sensitivity)
from fipeval.errors import InputError

N_DRAWS = 40_000
# Percentile bounds from N_DRAWS draws: the 2.5% quantile of a normal has a Monte Carlo SE of
# sqrt(.025 * .975 / n) / phi(1.96) ~ 0.013 SD at n = 40,000; allow about 4 of those.
MC_ATOL_IN_SE = 0.05
# SD of the draws: Monte Carlo SE ~ 1 / sqrt(2 n) ~ 0.35%; allow about 4 of those.
MC_SD_RTOL = 0.015
# The delta method drops the product term var(a) var(b): with the default ranges (CV ~ 6%) its
# share of the variance is below 0.4%, i.e. 0.2% in SD, on top of the Monte Carlo error.
DELTA_SD_RTOL = 0.02
RTOL = 1e-12


def test_effect_only_interval_matches_the_linear_one():
    s = crude_savings(0.025, caseload=2400, std_error=0.011)
    mc = monte_carlo(s, n_draws=N_DRAWS, seed=11)
    se = s.savings_std_error
    np.testing.assert_allclose(mc.interval(), s.savings_ci, rtol=0, atol=MC_ATOL_IN_SE * se)
    np.testing.assert_allclose(mc.analytic_interval(), s.savings_ci, rtol=RTOL)
    np.testing.assert_allclose(np.std(mc.savings_draws, ddof=1), se, rtol=MC_SD_RTOL)


def test_refined_effect_only_interval_matches():
    r = refined_savings(-0.7, horizon_months=18, caseload=900, price_date="2017-06-01",
                        ci=(-1.3, -0.1), household_mix={"single": 2, "single_parent": 1})
    mc = monte_carlo(r, n_draws=N_DRAWS, seed=5)
    np.testing.assert_allclose(mc.interval(), r.savings_ci, rtol=0, atol=MC_ATOL_IN_SE * r.savings_std_error)


def test_uncertain_inputs_match_exact_moments_and_delta_method():
    """Crude savings = rd x N x C with rd ~ normal and C ~ triangular(12,000, 14,000, 16,000)
    independent: var = N^2 (E[rd^2] E[C^2] - E[rd]^2 E[C]^2), exactly."""
    rd, se, n = 0.02, 0.008, 2400
    s = crude_savings(rd, caseload=n, std_error=se)
    mc = monte_carlo(s, n_draws=N_DRAWS, seed=3, vary_inputs=True)
    assert mc.varied_inputs == ("annual_benefit_cost",)
    tri = stats.triang(c=0.5, loc=12_000, scale=4_000)
    exact_sd = n * np.sqrt((rd ** 2 + se ** 2) * (tri.var() + tri.mean() ** 2) - rd ** 2 * tri.mean() ** 2)
    np.testing.assert_allclose(np.std(mc.savings_draws, ddof=1), exact_sd, rtol=MC_SD_RTOL)
    np.testing.assert_allclose(mc.analytic_se["savings"], exact_sd, rtol=DELTA_SD_RTOL)
    lo, hi = mc.analytic_interval()
    np.testing.assert_allclose(mc.interval(), (lo, hi), rtol=0, atol=2 * MC_ATOL_IN_SE * exact_sd)


def test_net_interval_with_cost_uncertainty_matches_delta():
    inputs = CostInputs()
    r = refined_savings(-1.0, horizon_months=30, caseload=2400, price_date="2019-01-01",
                        std_error=0.35, inputs=inputs)
    cost = fip_cost(2400, inputs=inputs)
    mc = monte_carlo(r, cost=cost, n_draws=N_DRAWS, seed=8, vary_inputs=True)
    assert set(mc.varied_inputs) == {"norm_factor", "annual_administration_cost", "recidivism_scale",
                                     "discount_rate", "hourly_cost", "training_cost_per_caseworker"}
    net = mc.savings_draws - mc.cost_draws
    np.testing.assert_allclose(np.std(net, ddof=1), mc.analytic_se["net"], rtol=DELTA_SD_RTOL)
    np.testing.assert_allclose(mc.interval("net"), mc.analytic_interval("net"), rtol=0,
                               atol=2 * MC_ATOL_IN_SE * mc.analytic_se["net"])
    np.testing.assert_allclose(mc.prob_pays, stats.norm.cdf((r.savings_per_year - cost.total_per_year)
                                                            / mc.analytic_se["net"]), atol=0.01)
    assert list(mc.tidy()["term"]) == ["savings_per_year", "net_savings_per_year"]


def test_pooled_municipalities_sum_with_independent_effects():
    a = crude_savings(0.03, caseload=1000, std_error=0.01, label="A")
    b = crude_savings(0.00, caseload=3000, std_error=0.015, label="B")
    mc = monte_carlo([a, b], n_draws=N_DRAWS, seed=2)
    sd = np.hypot(a.savings_std_error, b.savings_std_error)
    np.testing.assert_allclose(mc.analytic_se["savings"], sd, rtol=RTOL)
    np.testing.assert_allclose(mc.point_savings, a.savings_per_year + b.savings_per_year, rtol=RTOL)
    np.testing.assert_allclose(np.std(mc.savings_draws, ddof=1), sd, rtol=MC_SD_RTOL)


def test_seeded_and_reproducible():
    s = crude_savings(0.02, caseload=100, std_error=0.01)
    one, two = monte_carlo(s, seed=4), monte_carlo(s, seed=4)
    np.testing.assert_array_equal(one.savings_draws, two.savings_draws)
    assert not np.array_equal(one.savings_draws, monte_carlo(s, seed=5).savings_draws)
    assert "seed: 4" in repr(one)


def test_monte_carlo_bad_input():
    s = crude_savings(0.02, caseload=100, std_error=0.01)
    with pytest.raises(InputError, match="`n_draws` must be at least 100"):
        monte_carlo(s, n_draws=10)
    with pytest.raises(InputError, match="Cannot vary `hourly_cost`"):
        monte_carlo(s, vary_inputs=["hourly_cost"])
    no_range = s.inputs.with_values(annual_benefit_cost=14_000)
    with pytest.raises(InputError, match="it has no range"):
        monte_carlo(crude_savings(0.02, caseload=100, inputs=no_range), vary_inputs=["annual_benefit_cost"])
    r = refined_savings(-1, horizon_months=12, caseload=100, price_date="2020-01-01")
    with pytest.raises(InputError, match="mixes CrudeSavings, RefinedSavings"):
        monte_carlo([s, r])
    other = crude_savings(0.02, caseload=100, annual_cost=Assumption(13_000, "EUR", "x", 12_000, 15_000))
    with pytest.raises(InputError, match="different values of `annual_benefit_cost`"):
        monte_carlo([s, other], vary_inputs=True)
    with pytest.raises(InputError, match="must be a Savings"):
        monte_carlo("savings")


def test_tornado_values_and_chart():
    s = crude_savings(0.02, caseload=2400, std_error=0.01)
    cost = fip_cost(2400)
    sens = sensitivity(s, cost=cost)
    t = sens.table.set_index("input")
    c = cost.total_per_year
    np.testing.assert_allclose(t.loc["annual_benefit_cost", ["output_at_low", "output_at_high"]].astype(float),
                               [0.02 * 2400 * 12_000 - c, 0.02 * 2400 * 16_000 - c], rtol=RTOL)
    np.testing.assert_allclose(t.loc["effect (CI bounds)", ["output_at_low", "output_at_high"]].astype(float),
                               np.array(s.savings_ci) - c, rtol=RTOL)
    hourly = fip_cost(2400, inputs=CostInputs().with_values(hourly_cost=80)).total_per_year
    np.testing.assert_allclose(t.loc["hourly_cost", "output_at_high"], s.savings_per_year - hourly, rtol=RTOL)
    assert list(sens.table["swing"]) == sorted(sens.table["swing"], reverse=True)
    ax = sens.plot()
    assert isinstance(ax, matplotlib.axes.Axes) and len(ax.patches) == 2 * len(t)
    assert isinstance(monte_carlo(s, cost=cost, n_draws=500).plot(), matplotlib.axes.Axes)
