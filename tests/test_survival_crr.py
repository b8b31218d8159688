"""fipeval.survival._crr.crr_fit against R's cmprsk::crr (cmprsk 2.2-11, R 4.2.2).

Reference: tests/reference/survival/crr_ref.R writes crr_ref.csv (the data, long format) and
crr_ref.out (CSV lines fit,dataset,failcode,quantity,i,j,value with 17 significant digits).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from fipeval.errors import EstimationError
from fipeval.survival._crr import crr_fit

REF = Path(__file__).parent / "reference" / "survival"

# crr_fit reproduces crr's arithmetic, not merely its estimand: the same Newton path, weights
# and variance terms. Measured differences are ~1e-14 relative; 1e-8 leaves room for
# summation order and BLAS, yet catches any difference in ties, weights or variance terms.
RTOL = 1e-8
# The score at convergence is ~1e-5 to 1e-9 in size, so it is compared absolutely
# (measured differences ~1e-11; the loglik it derives from is ~1e2 to 1e3).
SCORE_ATOL = 1e-8

FITS = ["a", "a_failcode2", "b", "c"]


def _read_data() -> dict[str, dict[str, np.ndarray]]:
    cols: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    with open(REF / "crr_ref.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            for key in ("time", "status", "x1", "x2"):
                cols[row["dataset"]][key].append(float(row[key]))
    return {ds: {k: np.array(v) for k, v in c.items()} for ds, c in cols.items()}


def _read_reference() -> dict[str, dict]:
    out: dict[str, dict] = {}
    with open(REF / "crr_ref.out", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    for row in csv.DictReader(lines):
        fit = out.setdefault(row["fit"], {"dataset": row["dataset"],
                                          "failcode": int(row["failcode"]), "values": {}})
        fit["values"][(row["quantity"], int(row["i"]), int(row["j"]))] = float(row["value"])
    for fit in out.values():
        v = fit["values"]
        k = max(i for (q, i, _) in v if q == "coef")
        fit["coef"] = np.array([v["coef", i, 0] for i in range(1, k + 1)])
        fit["se"] = np.array([v["se", i, 0] for i in range(1, k + 1)])
        fit["score"] = np.array([v["score", i, 0] for i in range(1, k + 1)])
        fit["var"] = np.array([[v["var", i, j] for j in range(1, k + 1)] for i in range(1, k + 1)])
        fit["loglik"] = v["loglik", 0, 0]
    return out


@pytest.fixture(scope="module")
def data():
    return _read_data()


@pytest.fixture(scope="module")
def reference():
    return _read_reference()


def _fit(d, failcode):
    return crr_fit(d["time"], d["status"], np.column_stack([d["x1"], d["x2"]]), failcode=failcode)


@pytest.mark.parametrize("name", FITS)
def test_matches_cmprsk_crr(name, data, reference):
    ref = reference[name]
    got = _fit(data[ref["dataset"]], ref["failcode"])
    assert got["converged"]
    np.testing.assert_allclose(got["coef"], ref["coef"], rtol=RTOL, atol=0)
    np.testing.assert_allclose(got["vcov"], ref["var"], rtol=RTOL, atol=0)
    np.testing.assert_allclose(np.sqrt(np.diag(got["vcov"])), ref["se"], rtol=RTOL, atol=0)
    assert got["loglik"] == pytest.approx(ref["loglik"], rel=RTOL, abs=0)
    np.testing.assert_allclose(got["score"], ref["score"], rtol=0, atol=SCORE_ATOL)


def test_failcode_2_matches_cmprsk_crr(data, reference):
    """The competing cause as the cause of interest (data set a, failcode = 2)."""
    ref = reference["a_failcode2"]
    assert ref["dataset"] == "a" and ref["failcode"] == 2
    got = _fit(data["a"], 2)
    np.testing.assert_allclose(got["coef"], ref["coef"], rtol=RTOL, atol=0)
    np.testing.assert_allclose(got["vcov"], ref["var"], rtol=RTOL, atol=0)
    assert got["loglik"] == pytest.approx(ref["loglik"], rel=RTOL, abs=0)


def test_reference_has_ties_between_censorings_and_failures(data):
    """Data set a exercises crr's tie handling: tied failures, censorings tied with them."""
    a = data["a"]
    fail_times = a["time"][a["status"] == 1]
    assert np.unique(fail_times).size < fail_times.size
    assert np.intersect1d(a["time"][a["status"] == 0], fail_times).size >= 5


def test_no_failure_of_the_cause_raises(data):
    a = data["a"]
    X = np.column_stack([a["x1"], a["x2"]])
    with pytest.raises(EstimationError):
        crr_fit(a["time"], a["status"], X, failcode=3)
    status = np.where(a["status"] == 1, 2.0, a["status"])
    with pytest.raises(EstimationError):
        crr_fit(a["time"], status, X, failcode=1)


def test_inputs_are_not_modified(data):
    a = data["a"]
    rng = np.random.default_rng(3)
    perm = rng.permutation(a["time"].size)            # unsorted input
    t, s = a["time"][perm].copy(), a["status"][perm].copy()
    X = np.column_stack([a["x1"], a["x2"]])[perm].copy()
    t0, s0, X0 = t.copy(), s.copy(), X.copy()
    got = crr_fit(t, s, X, failcode=1)
    np.testing.assert_array_equal(t, t0)
    np.testing.assert_array_equal(s, s0)
    np.testing.assert_array_equal(X, X0)
    # and the row order does not matter
    ref = _fit(a, 1)
    np.testing.assert_allclose(got["coef"], ref["coef"], rtol=1e-12)
    np.testing.assert_allclose(got["vcov"], ref["vcov"], rtol=1e-10)
