"""Recovery of the known truth of the synthetic studies, data preparation and the report
section."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from fipeval import FewClustersWarning, InputError, SchemaError
from fipeval.design import build_cohort
from fipeval.survival import cox, rmst
from fipeval.survival.prep import SAME_DAY, survival_data
from fipeval.survival.section import survival_section
from fipeval.synthetic import DEFAULT_SEEDS, generate


@pytest.fixture(scope="module")
def brabant():
    study = generate("brabantse_wal", seed=DEFAULT_SEEDS["brabantse_wal"])
    return study, build_cohort(study.register, study.design)


def _true_log_hr(truth: pd.DataFrame) -> float:
    """The sample's true hazard ratio: the FIP clients' potential times with FIP against
    their potential times without it (no confounding, no sampling of the assignment)."""
    fip = truth[truth["fip"] == 1]
    stacked = pd.DataFrame({
        "t": np.concatenate([fip["months_on_benefit_1"], fip["months_on_benefit_0"]]),
        "e": np.concatenate([fip["ended_1"], fip["ended_0"]]),
        "fip": np.repeat([1, 0], len(fip))})
    stacked["t"] = stacked["t"].clip(lower=SAME_DAY)
    return float(cox(stacked, duration="t", event="e", covariates="fip").coef[0])


def test_rmst_difference_ci_covers_true_att(brabant):
    study, cohort = brabant
    truth = study.truth[study.truth["fip"] == 1]
    true_diff = float((truth["months_on_benefit_1"] - truth["months_on_benefit_0"]).mean())
    np.testing.assert_allclose(true_diff, study.true_effects["att"]["months_on_benefit"],
                               rtol=1e-12)
    res = rmst(survival_data(cohort), duration="exit", event="event", treatment="fip")
    assert res.ci_lower < true_diff < res.ci_upper
    assert res.tau == pytest.approx(cohort["months_on_benefit"].max())


def test_cox_hazard_ratio_ci_covers_truth(brabant):
    study, cohort = brabant
    true = _true_log_hr(study.truth)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        for scale, entry in (("study", None), ("spell", "entry")):
            res = cox(survival_data(cohort, scale), duration="exit", event="event", covariates=["fip"], entry=entry,
                      cluster="caseworker", strata="municipality")
            row = res.tidy().iloc[0]
            assert row["ci_lower"] < true < row["ci_upper"], (scale, row.to_dict(), true)


def test_survival_data_clocks(brabant):
    _, cohort = brabant
    before = cohort.copy()
    study = survival_data(cohort, "study")
    spell = survival_data(cohort, "spell")
    pd.testing.assert_frame_equal(cohort, before)
    assert (study["entry"] == 0).all()
    np.testing.assert_allclose(spell["exit"] - spell["entry"], study["exit"], rtol=1e-12)
    np.testing.assert_allclose(spell["entry"], cohort["months_before_start"])
    assert study["cause"].isna().sum() == (cohort["ended"] == 0).sum()
    assert set(study["cause"].dropna()) <= {"work", "enforcement", "moved", "partner",
                                            "other_benefit", "other"}
    zero = cohort.assign(months_on_benefit=cohort["months_on_benefit"].where(cohort.index != 0, 0.0))
    assert survival_data(zero)["exit"].iloc[0] == SAME_DAY
    with pytest.raises(InputError, match="The `time_scale` parameter must be one of"):
        survival_data(cohort, "calendar")
    with pytest.raises(SchemaError, match="no column `months_before_start`"):
        survival_data(cohort.drop(columns="months_before_start"), "spell")
    with pytest.raises(InputError, match="have no entry in `reason_groups`"):
        survival_data(cohort, reason_groups={"work": "work"})


def test_survival_section(brabant):
    _, cohort = brabant
    results, figures = survival_section(cohort)
    assert [type(r).__name__ for r in results] == [
        "KaplanMeierResult", "LogRankResult", "RMSTResult", "CoxResult",
        "CumulativeIncidenceResult"]
    assert [f.get_label() for f in figures] == ["survival_km", "survival_cif", "survival_rmst"]
    assert all(f.fipeval_caption for f in figures)
    cox_res = results[3]
    assert cox_res.columns["cluster"] == "caseworker" and cox_res.columns["strata"] == "municipality"
    assert cox_res.columns["entry"] == "entry"
    assert "15 clusters" in repr(cox_res)


@pytest.mark.parametrize("module", ["cox_model", "km", "competing", "prep", "section"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"fipeval.survival.{module}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
