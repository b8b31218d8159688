"""Matching on the synthetic brabantse_wal and three_municipalities cohorts (known truth)."""

import numpy as np
import pytest

from fipeval.design import build_cohort
from fipeval.matching import match
from fipeval.matching.report import COHORT_COVARIATES, balance_section
from fipeval.results import Summary
from fipeval.synthetic import generate

Z95 = 1.959963984540054
OUTCOMES = ("ended", "months_on_benefit", "fraud_signals", "activations")


@pytest.fixture(scope="module")
def brabantse_wal():
    study = generate("brabantse_wal")
    return study, build_cohort(study.register, study.design)


def test_balance_improves_on_brabantse_wal(brabantse_wal):
    _, cohort = brabantse_wal
    res = match(cohort, treatment="fip", covariates=list(COHORT_COVARIATES), distance="logit",
                exact=["municipality"], caliper=0.2)
    w = res.balance().wide()
    before, after = w["smd_before"].abs(), w["smd_after"].abs()
    assert after.mean() < before.mean() / 2
    assert after.max() < 0.1 < before.max()
    # exact on municipality: every pair lies in one municipality
    mm = res.match_matrix.dropna()
    assert (cohort.loc[mm.index, "municipality"].to_numpy()
            == cohort.loc[mm["match_1"], "municipality"].to_numpy()).all()


@pytest.mark.parametrize("scenario", ["brabantse_wal", "three_municipalities"])
def test_matched_pairs_recover_the_true_att(scenario):
    """The true ATT of each outcome lies in the paired-difference 95% CI of the matched
    sample (1:1 within municipality, caliper 0.2 SD of the logit)."""
    study = generate(scenario)
    cohort = build_cohort(study.register, study.design)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = match(cohort, treatment="fip", covariates=list(COHORT_COVARIATES), distance="logit",
                    exact=["municipality"], caliper=0.2)
    mm = res.match_matrix.dropna()
    truth = study.truth.set_index("client_id").loc[cohort.loc[mm.index, "client_id"]]
    for outcome in OUTCOMES:
        diff = (cohort.loc[mm.index, outcome].to_numpy(dtype=float)
                - cohort.loc[mm["match_1"], outcome].to_numpy(dtype=float))
        se = diff.std(ddof=1) / np.sqrt(len(diff))
        true_att = (truth[f"{outcome}_1"] - truth[f"{outcome}_0"]).mean()
        assert abs(diff.mean() - true_att) < Z95 * se, outcome
        assert res.matched_difference(outcome) == pytest.approx(diff.mean(), abs=1e-12)


def test_balance_section(brabantse_wal):
    import matplotlib.figure
    _, cohort = brabantse_wal
    table, fig = balance_section(cohort)
    assert isinstance(table, Summary) and isinstance(fig, matplotlib.figure.Figure)
    terms = table.table["term"].tolist()
    assert terms[0] == "distance" and "household_type_single" in terms
    assert "municipality_Bergen op Zoom" in terms
    assert "exact on municipality" in table.title
    assert not table.table["flagged"].any()
    assert "smd_after" in table.to_markdown()
