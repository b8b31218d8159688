"""Costing: hand-computed cases, independent integrals, and bad input.

References: the arithmetic in ../shared/DOMAIN.md (EUR 750,000 at EUR 14,000 a benefit is
about 54 benefits; 3 talks a morning ~ 60 a month, 180 clients -> 4 talks a year), exact
hand sums, and scipy.integrate.quad for the give-back integral.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from fipeval.costing import (Assumption, ContactProtocol, CostInputs, NormTable, RecidivismTable,
                             capacity, crude_savings, discount_factor, fip_cost, give_back_share,
                             net_result, refined_savings)
from fipeval.errors import DesignError, FipevalError, InputError, SchemaError

RTOL = 1e-12          # exact arithmetic
QUAD_RTOL = 1e-9      # Simpson on linear pieces against adaptive quadrature

SINGLE_2015 = 960.83
COUPLE_2015 = 1372.62
ADMIN = 2883.0


# ---- crude -------------------------------------------------------------------------------

def test_crude_reproduces_750k_as_54_benefits():
    rd = (750_000 / 14_000) / 2400
    res = crude_savings(rd, caseload=2400, std_error=0.01)
    np.testing.assert_allclose(res.savings_per_year, 750_000, rtol=RTOL)
    np.testing.assert_allclose(res.benefits_avoided, 53.5714285714, rtol=1e-9)
    assert round(res.benefits_avoided) == 54
    text = res.arithmetic()
    assert "= 53.6 benefits ended extra" in text
    assert "x 2,400 clients" in text and "EUR 14,000 a year per benefit" in text
    assert "= EUR 750,000 a year" in text
    assert "nobody returns" in text


def test_crude_interval_is_the_effect_scaled():
    res = crude_savings(0.03, caseload=1000, std_error=0.012, alpha=0.1)
    t = res.tidy().set_index("term")
    z = stats.norm.ppf(0.95)
    factor = 1000 * 14_000
    np.testing.assert_allclose(t.loc["savings_per_year", ["estimate", "std_error", "ci_lower", "ci_upper"]].astype(float),
                               [0.03 * factor, 0.012 * factor, (0.03 - z * 0.012) * factor,
                                (0.03 + z * 0.012) * factor], rtol=RTOL)
    np.testing.assert_allclose(t.loc["savings_per_year", "p_value"], 2 * stats.norm.sf(2.5), rtol=RTOL)


def test_crude_standard_error_from_ci_and_administration():
    res = crude_savings(0.02, caseload=500, ci=(0.0, 0.04), include_administration=True)
    np.testing.assert_allclose(res.effect.std_error, 0.04 / (2 * stats.norm.ppf(0.975)), rtol=RTOL)
    np.testing.assert_allclose(res.annual_cost, 14_000 + ADMIN, rtol=RTOL)
    np.testing.assert_allclose(res.savings_ci, (0.0, 0.04 * 500 * (14_000 + ADMIN)), rtol=RTOL, atol=1e-6)


def test_crude_override_is_recorded():
    res = crude_savings(0.02, caseload=100, annual_cost=12_000)
    assert res.inputs.annual_benefit_cost.value == 12_000
    assert res.inputs.annual_benefit_cost.source.startswith("set by the user")
    np.testing.assert_allclose(res.savings_per_year, 0.02 * 100 * 12_000, rtol=RTOL)


# ---- refined -----------------------------------------------------------------------------

def _quad_give_back(table: RecidivismTable, reason: str, horizon: float, scale: float = 1.0) -> float:
    x, y = table.curve(reason)
    points = [p for p in x if 0 < p < horizon]
    value, _ = integrate.quad(lambda u: min(1.0, scale * np.interp(u, x, y)) * 2 * (horizon - u) / horizon ** 2,
                              0, horizon, points=points or None, epsabs=1e-13, epsrel=1e-12, limit=200)
    return value


@pytest.mark.parametrize("reason,horizon", [("all", 12), ("all", 18), ("enforcement", 10), ("work", 72)])
def test_give_back_matches_quadrature(reason, horizon):
    table = RecidivismTable.default()
    np.testing.assert_allclose(give_back_share(table, reason, horizon),
                               _quad_give_back(table, reason, horizon), rtol=QUAD_RTOL)


def test_give_back_hand_cases():
    linear = RecidivismTable(pd.DataFrame({"end_reason": ["all"], "months": [100.0], "share": [0.5]}))
    # rho(u) = a u with a = 0.005: the share given back is a H / 3
    np.testing.assert_allclose(give_back_share(linear, "work", 12), 0.005 * 12 / 3, rtol=RTOL)
    np.testing.assert_allclose(give_back_share(linear, "work", 12, scale=2.0), 2 * 0.005 * 12 / 3, rtol=RTOL)
    capped = RecidivismTable(pd.DataFrame({"end_reason": ["all"], "months": [1.0], "share": [0.8]}))
    np.testing.assert_allclose(give_back_share(capped, "all", 6, scale=2.0),
                               _quad_give_back(capped, "all", 6, scale=2.0), rtol=QUAD_RTOL)


def test_discount_factor_hand_cases():
    assert discount_factor(12, 0.05) == 1.0
    assert discount_factor(7, 0.05) == 1.0
    np.testing.assert_allclose(discount_factor(24, 0.05), 0.25 + 0.75 / 1.05, rtol=RTOL)
    np.testing.assert_allclose(discount_factor(36, 0.03), (1 + 3 / 1.03 + 5 / 1.03 ** 2) / 9, rtol=RTOL)
    np.testing.assert_allclose(discount_factor(18, np.array([0.0, 0.1])),
                               [1.0, 144 / 324 + 180 / 324 / 1.1], rtol=RTOL)


def test_refined_hand_computed_one_year():
    inputs = CostInputs()
    res = refined_savings(-0.9, horizon_months=12, caseload=2000, price_date="2015-03-01",
                          std_error=0.3, household_mix={"single": 3, "couple": 1}, inputs=inputs)
    g = _quad_give_back(inputs.recidivism, "all", 12)
    monthly = 0.75 * SINGLE_2015 + 0.25 * COUPLE_2015 + ADMIN / 12
    expected = 0.9 * 2000 * (1 - g) * monthly
    np.testing.assert_allclose(res.savings_per_year, expected, rtol=QUAD_RTOL)
    np.testing.assert_allclose(res.savings_std_error, expected / 0.9 * 0.3, rtol=QUAD_RTOL)
    t = res.tidy().set_index("term")
    np.testing.assert_allclose(t.loc["monthly_cost_per_benefit", "estimate"], monthly, rtol=RTOL)
    np.testing.assert_allclose(t.loc["months_avoided_per_client", "estimate"], 0.9 * (1 - g), rtol=QUAD_RTOL)
    assert t.loc["savings_per_year", "ci_lower"] < expected < t.loc["savings_per_year", "ci_upper"]
    assert "EUR 2,883/12 administration" in res.arithmetic()


def test_refined_multi_year_discounting_and_exit_reasons():
    inputs = CostInputs().with_values(discount_rate=0.04, norm_factor=0.9)
    res = refined_savings(-2.0, horizon_months=24, caseload=100, price_date="2019-06-01",
                          household_mix={"couple": 1}, inputs=inputs,
                          exit_reason_mix={"work": 1, "enforcement": 1})
    g = 0.5 * _quad_give_back(inputs.recidivism, "all", 24) + \
        0.5 * _quad_give_back(inputs.recidivism, "enforcement", 24)
    monthly = 0.9 * 1461.41 + ADMIN / 12
    total = 2.0 * 100 * (1 - g) * monthly * (0.25 + 0.75 / 1.04)
    np.testing.assert_allclose(res.savings_per_year, total / 2, rtol=QUAD_RTOL)


def test_refined_shorter_time_on_benefit_saves_money():
    worse = refined_savings(0.5, horizon_months=12, caseload=10, price_date="2024-02-01")
    assert worse.savings_per_year < 0 < -worse.euros_per_unit_effect


# ---- tables ------------------------------------------------------------------------------

def _norms(rows):
    return pd.DataFrame(rows, columns=["valid_from", "valid_until", "household_type", "monthly_norm"])


def test_default_norms_and_replacement_table():
    norms = NormTable.default()
    assert norms.monthly_norm("2015-06-30", "single") == SINGLE_2015
    assert norms.monthly_norm("2015-07-01", "couple") == 1375.18
    assert norms.monthly_norm("2030-01-01", "single_parent") == 1345.45
    mine = _norms([("2020-01-01", "2020-12-31", "single", 1000.0),
                   ("2021-01-01", None, "single", 1100.0)])
    before = mine.copy()
    table = NormTable(mine)
    pd.testing.assert_frame_equal(mine, before)
    assert table.monthly_norm("2021-05-05", "single") == 1100.0
    res = refined_savings(-1.0, horizon_months=12, caseload=1, price_date="2020-05-01",
                          inputs=CostInputs(norm_table=mine))
    np.testing.assert_allclose(res.mean_norm, 1000.0, rtol=RTOL)


@pytest.mark.parametrize("rows,match", [
    ([("2020-01-01", "2020-06-30", "single", 1000.0), ("2020-08-01", None, "single", 1100.0)],
     "gap: no norm from 2020-07-01 to 2020-07-31"),
    ([("2020-01-01", "2020-12-31", "couple", 1000.0), ("2020-07-01", None, "couple", 1100.0)],
     "overlapping periods"),
    ([("2020-01-01", None, "single", 1000.0), ("2021-01-01", None, "single", 1100.0)],
     "open-ended period"),
    ([("2020-01-01", None, "single", -5.0)], "must be a positive number"),
    ([("2020-01-01", "2019-01-01", "single", 900.0)], "`valid_until` is before `valid_from`"),
    ([("2020-01-01", None, "widow", 900.0)], "household_type"),
])
def test_norm_table_errors(rows, match):
    with pytest.raises(FipevalError, match=match):
        NormTable(_norms(rows))


def test_norm_table_missing_column_and_uncovered_date():
    with pytest.raises(SchemaError, match="no column `valid_until`"):
        NormTable(pd.DataFrame({"valid_from": ["2020-01-01"], "household_type": ["single"],
                                "monthly_norm": [900.0]}))
    with pytest.raises(InputError, match="does not cover 2014-12-01"):
        refined_savings(-1.0, horizon_months=12, caseload=10, price_date="2014-12-01")
    with pytest.raises(InputError, match="no rows for household type 'couple'"):
        refined_savings(-1.0, horizon_months=12, caseload=10, price_date="2020-05-01",
                        household_mix={"couple": 1},
                        inputs=CostInputs(norm_table=_norms([("2020-01-01", None, "single", 1.0)])))


def test_default_recidivism_curves():
    table = RecidivismTable.default()
    np.testing.assert_allclose([table.share("work", 6), table.share("work", 12), table.share("moved", 60)],
                               [0.145, 0.21, 0.35], rtol=RTOL)
    np.testing.assert_allclose(table.share("enforcement", 6), 0.28, rtol=RTOL)
    np.testing.assert_allclose(table.share("all", 3), 0.145 / 2, rtol=RTOL)   # linear from 0
    assert give_back_share(table, "death", 24) == 0.0


@pytest.mark.parametrize("share,match", [([0.3, 0.2], "decreases"), ([0.3, 1.2], "between 0 and 1")])
def test_recidivism_table_errors(share, match):
    with pytest.raises(InputError, match=match):
        RecidivismTable(pd.DataFrame({"end_reason": ["all", "all"], "months": [6.0, 12.0], "share": share}))


# ---- cost of FIP and capacity ------------------------------------------------------------

def test_protocol_four_contacts_a_year():
    p = ContactProtocol()
    assert p.contacts(12) == (1, 3)
    assert p.contacts(12, include_intake=False) == (0, 4)
    assert p.minutes_per_client(12) == 45 + 3 * 30
    assert p.contacts(10) == (1, 3) and p.contacts(18) == (1, 5)


def test_fip_cost_protocol_contacts_and_caseload():
    inputs = CostInputs().with_values(hourly_cost=50, training_cost_per_caseworker=3000,
                                      training_lifetime_years=2)
    cost = fip_cost(360, inputs=inputs, regular_minutes_per_client=15)
    np.testing.assert_allclose(cost.hours_per_year, 360 * 120 / 60, rtol=RTOL)
    np.testing.assert_allclose(cost.total_per_year, 720 * 50 + 2 * 3000 / 2, rtol=RTOL)

    contacts = pd.DataFrame({"client_id": ["a", "a", "b", "b", "b"],
                             "kind": ["intake", "fip_talk", "intake", "fip_talk", "fip_talk"],
                             "minutes": [60.0, np.nan, 40.0, 20.0, np.nan]})
    before = contacts.copy()
    rec = fip_cost(1000, method="contacts", contacts=contacts, months=6, inputs=inputs)
    pd.testing.assert_frame_equal(contacts, before)
    minutes = (60 + 30 + 40 + 20 + 30) / 2          # missing minutes from the protocol
    np.testing.assert_allclose(rec.hours_per_year, 1000 * minutes / 60 * 2, rtol=RTOL)
    rec3 = fip_cost(1000, method="contacts", contacts=contacts, months=6, n_recorded_clients=3)
    np.testing.assert_allclose(rec3.hours_per_year, 1000 * 180 / 3 / 60 * 2, rtol=RTOL)

    load = fip_cost(2400, method="caseload", regular_caseload=300, inputs=inputs)
    np.testing.assert_allclose(load.hours_per_year, (2400 / 180 - 2400 / 300) * 1500, rtol=RTOL)
    assert load.n_caseworkers == 14


def test_capacity_arithmetic_from_domain():
    cap = capacity(180)
    assert cap.talks_per_caseworker_per_month == 60
    assert cap.talks_per_client_per_year == 4
    assert cap.months_between_talks == 3
    assert cap.fte == 1
    big = capacity(2400, regular_caseload=300)
    np.testing.assert_allclose([big.fte, big.regular_fte], [2400 / 180, 8.0], rtol=RTOL)
    np.testing.assert_allclose(capacity(3000, clients_per_caseworker=300).talks_per_client_per_year, 2.4, rtol=RTOL)
    t = big.tidy().set_index("term")
    np.testing.assert_allclose(t.loc["extra_fte", "estimate"], 2400 / 180 - 8, rtol=RTOL)


# ---- net result --------------------------------------------------------------------------

def test_net_break_even_round_trip_and_verdicts():
    inputs = CostInputs()
    cost = fip_cost(2400, inputs=inputs)
    s = crude_savings(0.02, caseload=2400, std_error=0.01)
    net = net_result(s, cost)
    np.testing.assert_allclose(net.break_even_effect, cost.total_per_year / (2400 * 14_000), rtol=RTOL)
    at_break_even = crude_savings(net.break_even_effect, caseload=2400)
    np.testing.assert_allclose(at_break_even.savings_per_year, cost.total_per_year, rtol=RTOL)
    np.testing.assert_allclose(net.return_per_euro, s.savings_per_year / cost.total_per_year, rtol=RTOL)
    np.testing.assert_allclose(net.net_per_year, s.savings_per_year - cost.total_per_year, rtol=RTOL)
    assert net.verdict.startswith("Undecided")
    assert net_result(crude_savings(0.05, caseload=2400, std_error=0.01), cost).verdict.startswith(
        "FIP pays for itself")
    assert net_result(crude_savings(0.0, caseload=2400, std_error=0.002), cost).verdict.startswith(
        "FIP does not pay")
    refined = refined_savings(-1.0, horizon_months=12, caseload=2400, price_date="2015-01-01",
                              std_error=0.2)
    rnet = net_result(refined, cost)
    assert rnet.break_even_effect < 0   # a negative RMST difference is needed
    np.testing.assert_allclose(rnet.break_even_effect * refined.euros_per_unit_effect,
                               cost.total_per_year, rtol=RTOL)
    assert "break_even_risk_difference" in set(net.tidy()["term"])


def test_net_rejects_different_caseloads():
    with pytest.raises(InputError, match="caseload of 2,400 clients but the cost of FIP is for 360"):
        net_result(crude_savings(0.02, caseload=2400), fip_cost(360))


# ---- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: crude_savings(0.02, caseload=-10), "`caseload` must not be negative; got -10"),
    (lambda: crude_savings(0.02, caseload=10, annual_cost=-1), "`annual_cost` must not be negative"),
    (lambda: crude_savings(1.5, caseload=10), "must lie in \\[-1, 1\\]"),
    (lambda: crude_savings(0.02, caseload=10, ci=(0.03, 0.05)), "does not contain the estimate"),
    (lambda: crude_savings(0.02, caseload=10, std_error=-0.1), "`std_error` must not be negative"),
    (lambda: refined_savings(-1, horizon_months=0, caseload=10, price_date="2020-01-01"),
     "`horizon_months` must be positive"),
    (lambda: refined_savings(-13, horizon_months=12, caseload=10, price_date="2020-01-01"),
     "cannot exceed the horizon"),
    (lambda: refined_savings(-1, horizon_months=12, caseload=10, price_date="2020-01-01",
                             household_mix={"family": 1}), "unknown category 'family'"),
    (lambda: CostInputs().with_values(hourly_cost=-60), "`hourly_cost` must not be negative"),
    (lambda: CostInputs().with_values(annual_administration_cost=-1), "must not be negative"),
    (lambda: CostInputs().with_values(hourly_rate=60), "CostInputs has no input `hourly_rate`"),
    (lambda: Assumption(10, "EUR", "x", low=11, high=12), "does not contain the value 10"),
    (lambda: fip_cost(-5), "`n_clients` must not be negative"),
    (lambda: fip_cost(100, months=0), "`months` must be positive"),
    (lambda: fip_cost(100, method="hours"), "The `method` parameter must be one of"),
    (lambda: fip_cost(100, method="caseload"), "needs `regular_caseload`"),
    (lambda: fip_cost(100, method="contacts"), "needs the recorded `contacts`"),
    (lambda: capacity(-1), "`caseload` must not be negative"),
    (lambda: capacity(100, working_days_per_month=40), "cannot exceed 31"),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_cost_inputs_table_names_its_sources():
    table = CostInputs().table()
    assert set(table.columns) >= {"name", "value", "unit", "source"}
    assert table["source"].str.len().min() > 10


def test_contacts_table_errors():
    with pytest.raises(InputError, match="kind 'phone'"):
        fip_cost(10, method="contacts", contacts=pd.DataFrame({"client_id": ["a"], "kind": ["phone"]}))
    with pytest.raises(InputError, match="`minutes` in the contacts table is negative in 1 rows"):
        fip_cost(10, method="contacts", contacts=pd.DataFrame({"client_id": ["a"], "kind": ["intake"],
                                                               "minutes": [-5.0]}))
    with pytest.raises(SchemaError, match="no column `kind`"):
        fip_cost(10, method="contacts", contacts=pd.DataFrame({"client_id": ["a"]}))


def test_caseload_from_spells_and_cohort_effects_errors():
    from fipeval.costing import caseload_from_spells, cohort_effects
    spells = pd.DataFrame({"client_id": ["a", "a", "b", "c", "d"], "municipality": ["X", "X", "X", "Y", "Y"],
                           "start_date": pd.to_datetime(["2014-01-01", "2014-03-01", "2015-01-01",
                                                         "2010-01-01", "2014-10-31"]),
                           "end_date": pd.to_datetime([None, None, None, "2014-11-01", "2014-11-02"])})
    # a counted once (two overlapping spells); b starts later; c ends on the day; d runs
    assert caseload_from_spells(spells, "2014-11-01").to_dict() == {"X": 1, "Y": 1}
    # caseworkers a, b run FIP; c-f do not (two clients each)
    cohort = pd.DataFrame({"municipality": "A", "fip": [1] * 4 + [0] * 8,
                           "caseworker": [c for c in "abcdef" for _ in range(2)],
                           "ended": [1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0],
                           "months_on_benefit": [3.0, 12, 6, 4, 12, 6, 12, 12, 2, 12, 12, 12],
                           "censored_at_extract": 0})
    with pytest.raises(DesignError, match="`fip` varies within 1 value"):
        cohort_effects(cohort.assign(caseworker="a"))
    with pytest.raises(InputError, match="cut short by the extract for 12 clients"):
        cohort_effects(cohort.assign(censored_at_extract=1))
    effects = cohort_effects(cohort).set_index("term")
    np.testing.assert_allclose(effects["estimate"].to_numpy(float),
                               [3 / 4 - 2 / 8, 25 / 4 - 80 / 8], rtol=RTOL)
    # C(6, 2) = 15 choices of FIP caseworkers: exact, and 1/15 > 0.05 allows no 95% interval
    assert (effects["assignments"] == 15).all()
    assert np.isinf(effects["ci_lower"]).all() or effects["ci_lower"].isna().all()


def test_analysis_units():
    from fipeval.costing import analysis_units
    cohort = pd.DataFrame({"municipality": ["A", "A", "B", "B", "C"], "fip": [1, 0, 1, 0, 0]})
    assert list(analysis_units(cohort)) == ["all"]                  # C has no FIP group
    assert list(analysis_units(cohort.iloc[:4])) == ["A", "B"]
    assert list(analysis_units(cohort.iloc[:2])) == ["A"]


def test_cohort_effects_when_the_cluster_robust_se_is_zero():
    """The national run: a municipality with 2 FIP caseworkers whose clients ended in the same
    share and 1 control caseworker has a CR1 SE of exactly zero. The design's rule still
    applies (randomization over the C(3, 2) = 3 choices, with the coefficient as statistic):
    an estimate, an exact p-value and no interval, never an exception."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fipeval.costing import cohort_effects
    from fipeval.costing.section import costing_section
    rows = []
    ended = {"p1": [1] * 3 + [0] * 7, "p2": [0] * 7 + [1] * 3, "c1": [1] * 6 + [0] * 4}
    for cw, values in ended.items():
        for i, e in enumerate(values):
            rows.append({"municipality": "A", "caseworker": cw, "fip": int(cw[0] == "p"),
                         "ended": e, "months_on_benefit": 12.0 - 5 * e - (i % 3),
                         "household_type": "single", "study_start": pd.Timestamp("2020-01-01"),
                         "follow_up_end": pd.Timestamp("2021-01-01"), "censored_at_extract": 0})
    cohort = pd.DataFrame(rows)
    effects = cohort_effects(cohort, seed=1).set_index("term")
    rd = effects.loc["risk_difference"]
    np.testing.assert_allclose(rd["estimate"], 0.3 - 0.6, rtol=RTOL)
    np.testing.assert_allclose(rd["p_value"], 1 / 3, rtol=RTOL)   # exact: 1 of 3 assignments
    assert rd["inference"] == "randomization" and rd["assignments"] == 3
    assert np.isinf(rd["ci_lower"]) and np.isinf(rd["ci_upper"])   # 1/3 > alpha: no interval
    results, figures = costing_section(cohort, cohort_effects(cohort, seed=1), n_draws=200, seed=1)
    table = results[1].table.set_index("unit")
    np.testing.assert_allclose(table.loc["A", "risk_difference"], -0.3, rtol=RTOL)
    for fig in figures:
        plt.close(fig)
