"""Known truth of the synthetic scenarios: intervals cover the true ATT; the report section."""

import numpy as np
import pandas as pd
import pytest

from fipeval.design import build_cohort
from fipeval.inference import (
    Comparison,
    EffectsOverview,
    MetaAnalysis,
    compare,
)
from fipeval.inference.section import effects_section
from fipeval.synthetic import generate

# CR1/CR2 with few caseworkers warn on purpose; tested in test_compare_primary_rows_equal_the_engines
pytestmark = pytest.mark.filterwarnings("ignore::fipeval.errors.FewClustersWarning")


@pytest.fixture(scope="module")
def brabantse_wal():
    study = generate("brabantse_wal")
    return study, build_cohort(study.register, study.design)


@pytest.fixture(scope="module")
def section(brabantse_wal):
    _, cohort = brabantse_wal
    return effects_section(cohort, seed=1)


SEEDS = range(1, 11)   # ten simulated pilots: the estimator's bias and power, not one draw
MC_SE_LIMIT = 3.0       # mean error within 3 Monte Carlo standard errors of 0


@pytest.fixture(scope="module")
def pilots():
    """(true ATTs, cohort) of ten simulated brabantse_wal pilots (2 FIP caseworkers each)."""
    out = []
    for seed in SEEDS:
        study = generate("brabantse_wal", seed=seed)
        cohort = build_cohort(study.register, study.design)
        fip = cohort[cohort.fip == 1]
        # the truth table counts events per client; per client-year divide by FIP exposure
        truth = {"ended": study.true_effects["att"]["ended"],
                 "fraud_signals": study.true_effects["att"]["fraud_signals"] * len(fip)
                 / fip.exposure_years.sum()}
        out.append((truth, cohort))
    return out


@pytest.mark.parametrize("inference", ["wild", "randomization"])
@pytest.mark.parametrize("outcome,kind", [("ended", "binary"), ("fraud_signals", "count")])
def test_estimates_are_unbiased_and_intervals_cover_over_pilots(pilots, outcome, kind, inference):
    rows = []
    for truth, cohort in pilots:
        res = compare(cohort, outcome=outcome, kind=kind, cluster="caseworker", inference=inference,
                      seed=1, covariates=["municipality"], n_draws=999)
        assert res.n_fip_clusters == 2
        p = res.primary
        rows.append((truth[outcome], p.estimate, p.ci_lower, p.ci_upper))
    truth, est, lo, hi = map(np.array, zip(*rows))
    error = est - truth
    assert abs(error.mean()) <= MC_SE_LIMIT * error.std(ddof=1) / np.sqrt(len(error))
    # a 95% interval misses 2 or more of 10 with probability 8.6%; 3 or more: 1.2%
    assert ((lo <= truth) & (truth <= hi)).sum() >= 8
    if outcome == "fraud_signals":
        # FIP multiplies the fraud-signal rate by 2.5: with 2 FIP caseworkers the design has
        # the power to see it (an estimator returning 0, or an interval of any width, fails)
        assert truth.min() > 0.05 and (lo > 0).sum() >= 8


def test_naive_is_overconfident_on_the_pilot(brabantse_wal):
    _, cohort = brabantse_wal
    naive = compare(cohort, outcome="fraud_signals", kind="count", cluster="caseworker")
    wild = compare(cohort, outcome="fraud_signals", kind="count", cluster="caseworker",
                   inference="wild", seed=1)
    assert naive.primary.ci_upper - naive.primary.ci_lower < \
        wild.primary.ci_upper - wild.primary.ci_lower
    assert "overstates significance" in repr(naive)
    assert "Only 2 FIP caseworkers" in repr(wild)


def test_effects_section_on_the_pilot(section, brabantse_wal):
    study, cohort = brabantse_wal
    overview = section[0]
    assert isinstance(overview, EffectsOverview)
    assert all(isinstance(r, Comparison) for r in section[1:])
    tab = overview.tidy()
    assert {"ended", "fraud_signals", "activations"} <= set(tab.outcome)
    assert set(tab.subset) == {"all municipalities", "Bergen op Zoom"}
    for col in ("p_naive", "p_holm", "p_BH"):
        assert tab[col].between(0, 1).all()
    row = tab[(tab.outcome == "ended") & (tab.subset == "Bergen op Zoom")].iloc[0]
    truth = study.true_effects["by_municipality"]["Bergen op Zoom"]["att"]["ended"]
    assert row.ci_lower <= truth <= row.ci_upper
    assert row.fip_caseworkers == 2
    text = repr(overview)
    assert "Only 2 FIP caseworkers" in text and "Steenbergen has only control clients" in text
    assert (tab.p_holm >= tab.p_value - 1e-12).all()
    pd.testing.assert_frame_equal(cohort, build_cohort(study.register, study.design))


def test_effects_section_is_seeded(section, brabantse_wal):
    _, cohort = brabantse_wal
    again = effects_section(cohort, seed=1, outcomes=["ended"])
    first = section[0].tidy()
    a = first[first.outcome == "ended"].reset_index(drop=True)
    b = again[0].tidy().reset_index(drop=True)
    pd.testing.assert_frame_equal(a[["estimate", "p_value", "ci_lower"]],
                                  b[["estimate", "p_value", "ci_lower"]])


def test_effects_section_three_municipalities_has_meta_analysis():
    study = generate("three_municipalities")
    cohort = build_cohort(study.register, study.design)
    parts = effects_section(cohort, seed=2, outcomes=["ended", "activations"], n_draws=999)
    meta = parts[-1]
    assert isinstance(meta, MetaAnalysis) and len(meta.labels) == 3
    tab = parts[0].tidy()
    # each municipality weighted by its design-based interval, not a client-level SE
    rows = tab[(tab.outcome == "ended") & (tab.subset != "all municipalities")]
    np.testing.assert_allclose(meta.std_errors, (rows.ci_upper - rows.ci_lower) / (2 * 1.959963984540054),
                               rtol=1e-12)
    pooled = tab[(tab.subset == "all municipalities") & (tab.outcome == "ended")].iloc[0]
    assert pooled.ci_lower <= study.true_effects["att"]["ended"] <= pooled.ci_upper
    assert pooled.fip_caseworkers == 6
    meta.plot()
