"""Every Cox-type model of test_survival_cox.py and test_survival_competing.py against R
survival 3.5-3 at full precision (tests/reference/survival/cox_precise.R and .out), fipeval
called exactly as those tests call it."""

from __future__ import annotations

import csv
import warnings
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from fipeval import ConvergenceWarning, FewClustersWarning
from fipeval.survival import cox, fine_gray
from fipeval.survival.competing import cause_specific_cox

from test_survival_reference import COX_TERMS

# R prints 17 significant digits, so what remains is the Newton convergence of both programs:
# both stop on R's default criterion (relative change of the log partial likelihood below
# 1e-9; cox_precise.R uses coxph.control() as it is) and, Newton-Raphson being invariant to
# R's centring and scaling, on the same iterate, so they agree to rounding (measured: 3e-13
# coefficients, 2e-13 SE, 3e-14 log-likelihoods). That iterate is up to 2e-8 (relative)
# from the exact maximum, so either program stopping one Newton step earlier or later than
# the other would fail RTOL_COEF for most of these models.
RTOL_COEF = 1e-9      # coefficients, log-likelihoods and the score test (at beta = 0)
RTOL_SE = 1e-8        # naive and reported (robust) SE, and the Wald test built on them
# Separation: R reports `age` at the limit beta_sep -> infinity (to 17 digits), fipeval at
# the finite coefficient where it stops (measured from R: coef 9e-9, SE 1.6e-8,
# log-likelihood 2.8e-8)
RTOL_LIMIT = 1e-7

TOLERANCE = {"coef": RTOL_COEF, "loglik_null": RTOL_COEF, "loglik": RTOL_COEF,
             "score": RTOL_COEF, "se": RTOL_SE, "naive_se": RTOL_SE, "wald": RTOL_SE}
NOT_STRATA = [t for t in COX_TERMS if t != "wexp"]


def _csv(ref, name):
    return pd.read_csv(ref / "survival" / name)


def _weighted(ref):
    """test_cluster_robust_with_ties_and_delayed_entry_matches_definition's data."""
    data = _csv(ref, "rossi_entry.csv")
    data["w"] = 1 + (np.arange(len(data)) % 3) / 2
    data["stratum"] = (data["prio"] > 2).astype(int)
    return data


def _separation(ref, robust):
    data = _csv(ref, "rossi.csv")
    data["sep"] = ((data["arrest"] == 1) & (data["week"] < 10)).astype(float)
    with pytest.warns(ConvergenceWarning, match="`sep` is infinite"):
        return cox(data, duration="week", event="arrest", covariates=["sep", "age"], robust=robust)


def _rats(ref):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        return cox(_csv(ref, "rats_female.csv"), duration="time", event="status", covariates="rx", cluster="litter")


def _mgus(ref, **assign):
    return _csv(ref, "mgus2_cr.csv").assign(**assign)


MODELS = {
    "efron": lambda r: cox(_csv(r, "rossi.csv"), duration="week", event="arrest", covariates=COX_TERMS),
    "breslow": lambda r: cox(_csv(r, "rossi.csv"), duration="week", event="arrest", covariates=COX_TERMS, ties="breslow"),
    "robust": lambda r: cox(_csv(r, "rossi.csv"), duration="week", event="arrest", covariates=COX_TERMS, robust=True),
    "strata_wexp": lambda r: cox(_csv(r, "rossi.csv"), duration="week", event="arrest", covariates=NOT_STRATA,
                                 strata="wexp"),
    "cluster": lambda r: cox(_csv(r, "rossi_clustered.csv"), duration="week", event="arrest", covariates=COX_TERMS,
                             cluster="cl"),
    "rats_cluster": _rats,
    "entry": lambda r: cox(_csv(r, "rossi_entry.csv"), duration="week", event="arrest", covariates=COX_TERMS,
                           entry="entry"),
    "entry_half": lambda r: cox(_csv(r, "rossi_entry_half.csv"), duration="week", event="arrest", covariates=COX_TERMS,
                                entry="entry5"),
    "noties_cluster": lambda r: cox(_csv(r, "rossi_clustered_noties.csv"), duration="weekj", event="arrest",
                                    covariates=COX_TERMS, cluster="cl"),
    "noties_robust": lambda r: cox(_csv(r, "rossi_clustered_noties.csv"), duration="weekj", event="arrest",
                                   covariates=COX_TERMS, robust=True),
    "entry_cluster_noties": lambda r: cox(_csv(r, "rossi_lt_cluster_noties.csv"), duration="weekj",
                                          event="arrest", covariates=COX_TERMS, entry="entry", cluster="cl"),
    **{f"weighted_entry_cluster_strata_{ties}": (
        lambda r, ties=ties: cox(_weighted(r), duration="week", event="arrest", covariates=COX_TERMS, entry="entry",
                                 cluster="cl", weights="w", strata="stratum", ties=ties))
       for ties in ("efron", "breslow")},
    "fine_gray": lambda r: fine_gray(_mgus(r), duration="etime", cause="event", covariates=["age", "sex"],
                                     cause_of_interest=1),
    "fine_gray_weighted": lambda r: fine_gray(
        _mgus(r, w=lambda d: 1.0 + d["sex"]), duration="etime", cause="event", covariates=["age", "sex"],
        cause_of_interest=1, weights="w"),
    "cause_specific": lambda r: cause_specific_cox(_mgus(r), duration="etime", cause="event", covariates=["age", "sex"],
                                                   cause_of_interest=1),
    "separation": lambda r: _separation(r, False),
    "separation_robust": lambda r: _separation(r, True),
}


@pytest.fixture(scope="module")
def reference(reference_dir):
    """{model: {quantity: {term: value}}} from cox_precise.out ("NA" read as NaN)."""
    out = defaultdict(lambda: defaultdict(dict))
    with open(reference_dir / "survival" / "cox_precise.out", newline="") as f:
        assert next(f).startswith("# R 4.2.2, survival 3.5")
        for row in csv.DictReader(f):
            value = row["value"]
            out[row["model"]][row["quantity"]][row["term"]] = (
                np.nan if value == "NA" else float(value))
    return out


def _got(res, quantity):
    return {"coef": res.coef, "se": res.std_error, "naive_se": res.naive_std_error,
            "loglik_null": [res.loglik_null], "loglik": [res.loglik],
            "score": [res.score_test], "wald": [res.wald_test[0]]}[quantity]


def test_every_reference_model_is_checked(reference):
    assert set(reference) == set(MODELS)
    for model, quantities in reference.items():
        assert set(quantities) == set(TOLERANCE) | {"iter"}, model


@pytest.mark.parametrize("model", [m for m in MODELS if not m.startswith("separation")])
def test_cox_matches_r_to_full_precision(reference_dir, reference, model):
    res = MODELS[model](reference_dir)
    ref = reference[model]
    assert list(res.terms) == list(ref["coef"])
    assert res.converged
    for quantity, rtol in TOLERANCE.items():
        np.testing.assert_allclose(_got(res, quantity), list(ref[quantity].values()), rtol=rtol,
                                   atol=0, err_msg=f"{model} {quantity}")


@pytest.mark.parametrize("model", ["separation", "separation_robust"])
def test_separation_matches_r_limit(reference_dir, reference, model):
    """R drops `sep` (NA, SE 0) and reports the rest at the limit; fipeval reports +inf."""
    res = MODELS[model](reference_dir)
    ref = reference[model]
    assert list(res.terms) == list(ref["coef"]) == ["sep", "age"]
    assert np.isnan(ref["coef"]["sep"]) and res.coef[0] == np.inf
    assert np.isnan(res.std_error[0]) and np.isnan(res.naive_std_error[0])
    age = 1
    for quantity in ("coef", "se", "naive_se"):
        np.testing.assert_allclose(_got(res, quantity)[age], ref[quantity]["age"],
                                   rtol=RTOL_LIMIT, atol=0, err_msg=f"{model} {quantity}")
    np.testing.assert_allclose(res.loglik, ref["loglik"][""], rtol=RTOL_LIMIT, atol=0)
    # at beta = 0 nothing is a limit
    for quantity in ("loglik_null", "score"):
        np.testing.assert_allclose(_got(res, quantity), [ref[quantity][""]], rtol=RTOL_COEF,
                                   atol=0, err_msg=f"{model} {quantity}")
