"""Competing risks against R survival 3.5-3 and cmprsk on mgus2 (survival_ref.R section 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fipeval import EstimationError, InputError
from fipeval.survival import cumulative_incidence, fine_gray, kaplan_meier
from fipeval.survival.competing import cause_specific_cox

from test_survival_reference import after, coef_table, read

CIF_ATOL = 1e-13       # R prints 17 significant digits
VAR_RTOL = 1e-10
COEF_ATOL = 1e-6
SE_ATOL = 1e-5
LOGLIK_ATOL = 1e-6
TIMES = [60, 120, 240, 360]


@pytest.fixture(scope="module")
def ref_out(reference_dir):
    return read(reference_dir, "survival_ref.out")


@pytest.fixture(scope="module")
def mgus(reference_dir):
    return pd.read_csv(reference_dir / "survival" / "mgus2_cr.csv")


def _cmprsk_block(text: str, what: str) -> np.ndarray:
    block = after(text, f"${what}", "$" if what == "est" else "=====")
    rows = [line.split()[2:] for line in block.splitlines() if line.startswith("1 ")]
    return np.array([[float(x) for x in r] for r in rows])


def test_aalen_johansen_matches_r_and_cmprsk(mgus, ref_out):
    got = cumulative_incidence(mgus, duration="etime", cause="event").at(TIMES)
    est = _cmprsk_block(after(ref_out, "cmprsk::cuminc at 60,120,240,360:"), "est")
    var = _cmprsk_block(after(ref_out, "cmprsk::cuminc at 60,120,240,360:"), "var")
    for k, cause in enumerate([1, 2]):
        part = got[got["cause"] == cause]
        np.testing.assert_allclose(part["cif"], est[k], rtol=0, atol=CIF_ATOL)
        np.testing.assert_allclose(part["variance"], var[k], rtol=VAR_RTOL)
    # survfit's multi-state table agrees (13 digits printed)
    aj = after(ref_out, "Pr(death)", "=====")
    rows = np.array([[float(x) for x in line.split()] for line in aj.splitlines()
                     if line.strip()[:1].isdigit()])
    np.testing.assert_allclose(got.loc[got["cause"] == 1, "cif"], rows[:, 4], rtol=0, atol=1e-13)
    np.testing.assert_allclose(got.loc[got["cause"] == 2, "cif"], rows[:, 5], rtol=0, atol=1e-13)


def test_cumulative_incidences_add_up_to_one_minus_km(mgus):
    ci = cumulative_incidence(mgus.assign(sex=mgus["sex"]), duration="etime", cause="event", by="sex")
    km = kaplan_meier(mgus.assign(ended=(mgus["event"] > 0).astype(int)), duration="etime", event="ended",
                      by="sex")
    for g in (0, 1):
        total = ci.table[ci.table["group"] == g].groupby("time")["cif"].sum()
        surv = km.table[km.table["group"] == g].set_index("time")["survival"]
        np.testing.assert_allclose(total.to_numpy(), 1 - surv.loc[total.index].to_numpy(),
                                   rtol=0, atol=1e-12)


def test_fine_gray_matches_r_finegray(mgus, ref_out):
    table = coef_table(ref_out, "Fine-Gray (survival::finegray) PCM ~ age + sex")
    res = fine_gray(mgus, duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1)
    np.testing.assert_allclose(res.coef, [table["age"][0], table["sex"][0]], rtol=0,
                               atol=COEF_ATOL)
    np.testing.assert_allclose(res.std_error, [table["age"][3], table["sex"][3]], rtol=0,
                               atol=SE_ATOL)
    np.testing.assert_allclose(res.naive_std_error, [table["age"][2], table["sex"][2]], rtol=0,
                               atol=SE_ATOL)
    np.testing.assert_allclose([res.loglik_null, res.loglik],
                               [-793.575823936928, -789.935826379372], rtol=0, atol=LOGLIK_ATOL)
    assert res.n == len(mgus) and "Fine-Gray" in res.title


def _crr_reference(reference_dir, fit):
    out = {}
    for line in (reference_dir / "survival" / "crr_ref.out").read_text().splitlines():
        parts = line.split(",")
        if parts[0] == fit:
            out[parts[3], int(parts[4]), int(parts[5])] = float(parts[6])
    return out


CRR_RTOL = 1e-8      # crr's arithmetic reproduced: measured 1e-14


def test_fine_gray_crr_matches_cmprsk(mgus, reference_dir):
    ref = _crr_reference(reference_dir, "c")
    res = fine_gray(mgus, duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1, method="crr")
    np.testing.assert_allclose(res.coef, [ref["coef", 1, 0], ref["coef", 2, 0]], rtol=CRR_RTOL)
    np.testing.assert_allclose(res.std_error, [ref["se", 1, 0], ref["se", 2, 0]], rtol=CRR_RTOL)
    np.testing.assert_allclose(res.vcov, [[ref["var", i, j] for j in (1, 2)] for i in (1, 2)],
                               rtol=CRR_RTOL)
    np.testing.assert_allclose([res.loglik, res.loglik_null],
                               [ref["loglik", 0, 0], ref["loglik_null", 0, 0]], rtol=CRR_RTOL)
    assert res.ties == "breslow" and res.converged and "crr" in res.title
    assert "not computed" in repr(res.summary())   # no concordance for crr (R prints none)
    with pytest.raises(InputError, match="proportional-hazards"):
        res.ph_test()
    # the two estimators differ where censorings tie with events: named, not hidden
    fg = fine_gray(mgus, duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1)
    assert 1e-4 < np.max(np.abs(fg.coef - res.coef)) < 0.01


def test_fine_gray_crr_on_monthly_ties_and_competing_codes(reference_dir):
    data = pd.read_csv(reference_dir / "survival" / "crr_ref.csv")
    b = data[data.dataset == "b"]
    ref = _crr_reference(reference_dir, "b")
    covariates = ["x1", "x2"]
    res = fine_gray(b, duration="time", cause="status", covariates=covariates, cause_of_interest=1, method="crr")
    np.testing.assert_allclose(res.coef, [ref["coef", i + 1, 0] for i in range(len(covariates))],
                               rtol=CRR_RTOL)
    np.testing.assert_allclose(res.std_error, [ref["se", i + 1, 0] for i in range(len(covariates))],
                               rtol=CRR_RTOL)


def test_fine_gray_options(mgus):
    breslow = fine_gray(mgus, duration="etime", cause="event", covariates=["age"], cause_of_interest=1, ties="breslow")
    efron = fine_gray(mgus, duration="etime", cause="event", covariates=["age"], cause_of_interest=1)
    assert breslow.ties == "breslow" and efron.ties == "efron"
    assert breslow.coef[0] != efron.coef[0]
    for bad in ({"ties": "efron"}, {"cluster": "sex"}, {"weights": "age"}):
        with pytest.raises(InputError, match="cmprsk::crr"):
            fine_gray(mgus, duration="etime", cause="event", covariates=["age"], cause_of_interest=1, method="crr", **bad)
    with pytest.raises(InputError, match="method"):
        fine_gray(mgus, duration="etime", cause="event", covariates=["age"], cause_of_interest=1, method="cmprsk")


def test_cause_specific_cox_matches_r(mgus, ref_out):
    table = coef_table(ref_out, "cause-specific Cox PCM ~ age + sex")
    res = cause_specific_cox(mgus, duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1)
    np.testing.assert_allclose(res.coef, [table["age"][0], table["sex"][0]], rtol=0,
                               atol=COEF_ATOL)
    np.testing.assert_allclose(res.std_error, [table["age"][2], table["sex"][2]], rtol=0,
                               atol=SE_ATOL)


def test_text_end_reasons_with_event_column(mgus):
    labelled = mgus.assign(reason=mgus["event"].map({0: None, 1: "pcm", 2: "death"}),
                           ended=(mgus["event"] > 0).astype(int))
    a = cumulative_incidence(labelled, duration="etime", cause="reason", event="ended")
    b = cumulative_incidence(mgus, duration="etime", cause="event")
    np.testing.assert_allclose(a.at([120]).set_index("cause").loc["pcm", "cif"],
                               b.at([120]).set_index("cause").loc[1, "cif"], rtol=1e-14)
    fg = fine_gray(labelled, duration="etime", cause="reason", covariates=["age"], cause_of_interest="pcm", event="ended")
    coded = fine_gray(mgus, duration="etime", cause="event", covariates=["age"], cause_of_interest=1)
    np.testing.assert_allclose(fg.coef, coded.coef, rtol=1e-12)
    ax = a.plot()
    assert len(ax.collections) >= 2
    ax2 = a.plot(stacked=False)
    assert len(ax2.get_lines()) == 2


def test_bad_input(mgus):
    with pytest.raises(InputError, match="does not occur"):
        fine_gray(mgus, duration="etime", cause="event", covariates=["age"], cause_of_interest=7)
    with pytest.raises(EstimationError, match="all censored"):
        cumulative_incidence(mgus.assign(event=0), duration="etime", cause="event")
    labelled = mgus.assign(reason=None, ended=1)
    with pytest.raises(InputError, match="needs an end reason"):
        cumulative_incidence(labelled, duration="etime", cause="reason", event="ended")
    with pytest.raises(InputError, match="Unknown group"):
        cumulative_incidence(mgus, duration="etime", cause="event").plot("x")


def test_same_answer_after_shuffling_rows(mgus):
    shuffled = mgus.sample(frac=1, random_state=7)
    a = fine_gray(mgus, duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1)
    b = fine_gray(shuffled, duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1)
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-9)
    np.testing.assert_allclose(b.std_error, a.std_error, rtol=1e-9)
    ca = cumulative_incidence(mgus, duration="etime", cause="event").table
    cb = cumulative_incidence(shuffled, duration="etime", cause="event").table
    pd.testing.assert_frame_equal(ca, cb)


def test_fine_gray_case_weights(mgus):
    """Case weights multiply the censoring weights: a common factor leaves the estimate
    unchanged, unequal weights move it, and the header says which weights were used."""
    b = fine_gray(mgus, duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1)
    a = fine_gray(mgus.assign(w=2.0), duration="etime", cause="event", covariates=["age", "sex"], cause_of_interest=1,
                  weights="w")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-9)
    c = fine_gray(mgus.assign(w=1.0 + mgus["sex"]), duration="etime", cause="event", covariates=["age", "sex"],
                  cause_of_interest=1, weights="w")
    assert np.abs(c.coef - b.coef).max() > 1e-4
    assert "x `w`" in repr(c)
