"""Survival statistics for all re-assignments at once equal the one-at-a-time functions.

The batch versions (fipeval.survival.by_assignment) feed randomization_t in the report; the
one-at-a-time functions (rmst, logrank, cox) are themselves checked against R's survival
(tests/test_survival_reference.py), so equality here carries that reference over.
"""

import numpy as np
import pandas as pd
import pytest

from fipeval.design import build_cohort
from fipeval.errors import InputError
from fipeval.inference.design import randomization_t
from fipeval.inference.randomization import _assignments
from fipeval.survival.by_assignment import (
    cox_log_hr_batch,
    logrank_root_batch,
    rmst_difference_batch,
)
from fipeval.survival.cox_model import cox
from fipeval.survival.km import logrank, rmst
from fipeval.survival.section import survival_data
from fipeval.synthetic import generate

RTOL_EXACT = 1e-10   # same arithmetic, other summation order
# cox() stops Newton-Raphson at a relative log-likelihood change of 1e-9 (R's eps); the batch
# runs to full convergence, so coefficients agree to about 1e-8
ATOL_COX = 1e-7


@pytest.fixture(scope="module")
def data():
    s = generate("three_municipalities")
    cohort = build_cohort(s.register, s.design)
    study, spell = survival_data(cohort, "study"), survival_data(cohort, "spell")
    clusters = pd.Index(sorted(study["caseworker"].unique()))
    cl_fip = study.groupby("caseworker")["fip"].first().reindex(clusters).to_numpy(float)
    cl_muni = pd.factorize(study.groupby("caseworker")["municipality"].first()
                           .reindex(clusters), sort=True)[0].astype(float)
    A, _ = _assignments(cl_fip, cl_muni, 24, np.random.default_rng(5))
    return study, spell, clusters, A


def _each(frame, clusters, A, statistic):
    out = []
    codes = clusters.get_indexer(frame["caseworker"])
    for a in A:
        f = frame.assign(fip=a[codes].astype(int))
        try:
            out.append(statistic(f))
        except InputError:
            out.append((np.nan, np.nan))
    return np.array(out)


def test_rmst_difference_for_all_assignments_equals_rmst(data):
    study, _, clusters, A = data
    tau = 12.0
    batch = rmst_difference_batch(study, "exit", "event", cluster="caseworker", tau=tau)
    est, se = batch(A, clusters)
    one = _each(study, clusters, A, lambda f: (lambda r: (r.difference, r.std_error))(
        rmst(f, duration="exit", event="event", treatment="fip", tau=tau)))
    np.testing.assert_allclose(est, one[:, 0], rtol=RTOL_EXACT)
    np.testing.assert_allclose(se, one[:, 1], rtol=RTOL_EXACT)


def test_rmst_beyond_a_groups_follow_up_is_a_failed_assignment(data):
    study, _, clusters, A = data
    longest = study.groupby("fip")["exit"].max().min()
    est, se = rmst_difference_batch(study, "exit", "event", cluster="caseworker",
                                    tau=float(longest) + 1)(A[:1], clusters)
    assert np.isnan(est[0]) and np.isnan(se[0])
    with pytest.raises(InputError, match="beyond the follow-up"):
        rmst(study, duration="exit", event="event", treatment="fip", tau=float(longest) + 1)


@pytest.mark.parametrize("strata", [None, "municipality"])
def test_logrank_for_all_assignments_equals_logrank(data, strata):
    study, _, clusters, A = data
    root, one_ = logrank_root_batch(study, "exit", "event", cluster="caseworker",
                                    strata=strata)(A, clusters)
    one = _each(study, clusters, A, lambda f: (np.sqrt(logrank(f, duration="exit", event="event", treatment="fip",
                                                                strata=strata).chisq), 1.0))
    np.testing.assert_allclose(root, one[:, 0], rtol=RTOL_EXACT)
    assert (one_ == 1).all()


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("strata, entry", [("municipality", "entry"), (None, None)])
def test_cox_for_all_assignments_equals_cox(data, ties, strata, entry):
    _, spell, clusters, A = data
    beta, se = cox_log_hr_batch(spell, "exit", "event", cluster="caseworker", strata=strata,
                                entry=entry, ties=ties)(A, clusters)
    one = _each(spell, clusters, A, lambda f: (lambda r: (r.estimate, r.std_error))(
        cox(f, duration="exit", event="event", covariates=["fip"], entry=entry, cluster="caseworker", strata=strata,
            ties=ties).tidy().iloc[0]))
    np.testing.assert_allclose(beta, one[:, 0], rtol=0, atol=ATOL_COX)
    np.testing.assert_allclose(se, one[:, 1], rtol=0, atol=ATOL_COX)


def test_cox_without_events_in_a_group_is_a_failed_assignment():
    # caseworker a's clients (FIP in the first assignment) never leave benefit
    frame = pd.DataFrame({"caseworker": np.repeat(list("abcd"), 5),
                          "exit": np.tile([1.0, 2.0, 3.0, 4.0, 5.0], 4),
                          "event": [0] * 5 + [1, 0, 1, 1, 0] * 3})
    A = np.array([[1, 0, 0, 0], [0, 1, 0, 0]], float)
    beta, se = cox_log_hr_batch(frame, "exit", "event", cluster="caseworker")(
        A, pd.Index(list("abcd")))
    assert np.isnan(beta[0]) and np.isnan(se[0])
    assert np.isfinite(beta[1]) and se[1] > 0


def test_randomization_t_takes_one_statistic_or_one_batch(data):
    study, _, _, _ = data
    batch = logrank_root_batch(study, "exit", "event", cluster="caseworker")
    with pytest.raises(InputError, match="exactly one"):
        randomization_t(study, lambda f: (0.0, 1.0), term="x", batch=batch)
    with pytest.raises(InputError, match="exactly one"):
        randomization_t(study, term="x")


def test_randomization_t_with_a_batch_equals_the_loop(data):
    study, _, _, _ = data
    kw = {"term": "log-rank", "n_draws": 99, "seed": 2}
    loop = randomization_t(study, lambda f: (np.sqrt(logrank(
        f, duration="exit", event="event", treatment="fip", strata="municipality").chisq), 1.0), **kw)
    batched = randomization_t(study, batch=logrank_root_batch(
        study, "exit", "event", cluster="caseworker", strata="municipality"), **kw)
    np.testing.assert_allclose(batched.t_draws, loop.t_draws, rtol=RTOL_EXACT)
    assert (batched.p_value, batched.failed) == (loop.p_value, loop.failed)
