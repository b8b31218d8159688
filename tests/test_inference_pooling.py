"""Mantel-Haenszel, meta-analysis, multiplicity and power against references and hand cases."""

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.multitest import multipletests

from fipeval.errors import InputError
from fipeval.inference import (
    adjust_p_values,
    adjust_table,
    design_effect,
    estimate_icc,
    mantel_haenszel,
    meta_analysis,
    minimum_detectable_effect,
    power_table,
    required_caseworkers,
    two_by_two,
)

RTOL = 1e-10
ATOL = 1e-12
ATOL_PRINTED = 5e-5   # metafor prints 4 decimals

# metafor's dat.bcg (13 BCG vaccine trials): tpos, tneg, cpos, cneg
BCG = np.array([[4, 119, 11, 128], [6, 300, 29, 274], [3, 228, 11, 209], [62, 13536, 248, 12619],
                [33, 5036, 47, 5761], [180, 1361, 372, 1079], [8, 2537, 10, 619],
                [505, 87886, 499, 87892], [29, 7470, 45, 7232], [17, 1699, 65, 1600],
                [186, 50448, 141, 27197], [5, 2493, 3, 2338], [27, 16886, 29, 17825]], float)


def _bcg_log_rr():
    a, b, c, d = BCG.T
    return np.log(a / (a + b)) - np.log(c / (c + d)), 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)


def test_meta_fixed_and_dl_match_statsmodels():
    y, v = _bcg_log_rr()
    ref = combine_effects(y, v, method_re="dl").summary_frame()
    fe = meta_analysis(y, np.sqrt(v), method="fixed")
    dl = meta_analysis(y, np.sqrt(v), method="DL")
    np.testing.assert_allclose([fe.estimate, fe.std_error], ref.loc["fixed effect", ["eff", "sd_eff"]],
                               rtol=RTOL)
    np.testing.assert_allclose([dl.estimate, dl.std_error, dl.ci_lower, dl.ci_upper],
                               ref.loc["random effect", ["eff", "sd_eff", "ci_low", "ci_upp"]],
                               rtol=RTOL)
    ce = combine_effects(y, v, method_re="dl")
    np.testing.assert_allclose([dl.tau2, dl.q, dl.i2], [ce.tau2, ce.q, ce.i2], rtol=RTOL)


def test_meta_reml_matches_metafor():
    """metafor (Viechtbauer 2010, J Stat Softw 36(3)), documented output of

        dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
        rma(yi, vi, data=dat)   # REML: tau^2 0.3132, estimate -0.7145, se 0.1798,
                                # ci -1.0669 .. -0.3622, Q(df = 12) = 152.2330
        rma(yi, vi, data=dat, method="DL")   # tau^2 0.3088, estimate -0.7141, se 0.1787
    """
    y, v = _bcg_log_rr()
    reml = meta_analysis(y, np.sqrt(v), method="REML")
    np.testing.assert_allclose([reml.tau2, reml.estimate, reml.std_error, reml.ci_lower,
                                reml.ci_upper, reml.q],
                               [0.3132, -0.7145, 0.1798, -1.0669, -0.3622, 152.2330],
                               atol=ATOL_PRINTED, rtol=0)
    # the REML estimating equation holds at the estimate (Viechtbauer 2005, eq. 12)
    w = 1 / (v + reml.tau2)
    mu = np.sum(w * y) / w.sum()
    np.testing.assert_allclose(reml.tau2, np.sum(w ** 2 * ((y - mu) ** 2 - v)) / np.sum(w ** 2)
                               + 1 / w.sum(), rtol=1e-8)
    dl = meta_analysis(y, np.sqrt(v), method="DL")
    np.testing.assert_allclose([dl.tau2, dl.estimate, dl.std_error], [0.3088, -0.7141, 0.1787],
                               atol=ATOL_PRINTED, rtol=0)


def test_forest_plot_and_tidy():
    y, v = _bcg_log_rr()
    res = meta_analysis(y[:4], np.sqrt(v[:4]), labels=list("ABCD"), exponentiate=True,
                        measure="risk ratio")
    ax = res.plot()
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "pooled (REML)"
    tidy = res.tidy()
    assert list(tidy.term) == ["A", "B", "C", "D", "pooled (REML)"]
    np.testing.assert_allclose(tidy.estimate.iloc[-1], np.exp(res.estimate), rtol=RTOL)
    np.testing.assert_allclose(tidy.weight.iloc[:4].sum(), 1.0, rtol=RTOL)
    assert "Only 4 municipalities" in repr(res)


def test_mantel_haenszel_matches_statsmodels():
    a, b, c, d = BCG[:6].T
    tables = [np.array([[ai, bi], [ci, di]]) for ai, bi, ci, di in zip(a, b, c, d)]
    ref = StratifiedTable(tables)
    mh_or = mantel_haenszel(a, a + b, c, c + d, measure="odds_ratio")
    row = mh_or.row("odds ratio (Mantel-Haenszel)")
    np.testing.assert_allclose([row.estimate, row.std_error], [ref.oddsratio_pooled,
                                                               ref.logodds_pooled_se], rtol=RTOL)
    np.testing.assert_allclose([row.ci_lower, row.ci_upper], ref.oddsratio_pooled_confint(),
                               rtol=RTOL)
    for corr in (False, True):
        cmh = mantel_haenszel(a, a + b, c, c + d, correction=corr).row("Cochran-Mantel-Haenszel")
        t = ref.test_null_odds(correction=corr)
        np.testing.assert_allclose([cmh.statistic, cmh.p_value], [t.statistic, t.pvalue],
                                   rtol=RTOL, atol=ATOL)
    rr = mantel_haenszel(a, a + b, c, c + d, measure="risk_ratio").row("risk ratio (Mantel-Haenszel)")
    np.testing.assert_allclose(rr.estimate, ref.riskratio_pooled, rtol=RTOL)


RTOL_R = 1e-10      # pooling.R prints 17 significant digits
MH_TERMS = {"RD": ("risk_difference", "risk difference (Mantel-Haenszel)"),
            "RR": ("risk_ratio", "risk ratio (Mantel-Haenszel)"),
            "OR": ("odds_ratio", "odds ratio (Mantel-Haenszel)")}


@pytest.fixture(scope="module")
def pooling_ref(reference_dir):
    lines = (reference_dir / "inference" / "pooling.out").read_text().splitlines()[2:]
    # NA: rma.mh computes the CMH test only for the odds ratio
    return {(c, q): float("nan" if v == "NA" else v)
            for c, q, v in (line.split(",") for line in lines)}


@pytest.mark.parametrize("k", [6, 13])
@pytest.mark.parametrize("measure", ["RD", "RR", "OR"])
@pytest.mark.parametrize("correct", [False, True])
def test_mantel_haenszel_matches_metafor_rma_mh(pooling_ref, k, measure, correct):
    a, b, c, d = BCG[:k].T
    name, term = MH_TERMS[measure]
    res = mantel_haenszel(a, a + b, c, c + d, measure=name, correction=correct)
    row, cmh = res.row(term), res.row("Cochran-Mantel-Haenszel")
    ref = {q: pooling_ref[f"mh_{measure}_{k}_{str(correct).upper()}", q]
           for q in ("estimate", "se", "lower", "upper", "cmh", "cmh_p")}
    ratio = measure != "RD"       # metafor reports log ratios
    est = np.log(row.estimate) if ratio else row.estimate
    lo, hi = (np.log([row.ci_lower, row.ci_upper]) if ratio else [row.ci_lower, row.ci_upper])
    np.testing.assert_allclose([est, row.std_error, lo, hi],
                               [ref["estimate"], ref["se"], ref["lower"], ref["upper"]],
                               rtol=RTOL_R)
    if measure == "OR":
        np.testing.assert_allclose([cmh.statistic, cmh.p_value], [ref["cmh"], ref["cmh_p"]],
                                   rtol=RTOL_R, atol=1e-300)


def test_mantel_haenszel_rd_variances_are_named_and_differ():
    a, b, c, d = BCG[:6].T
    sato = mantel_haenszel(a, a + b, c, c + d)
    gr = mantel_haenszel(a, a + b, c, c + d, rd_variance="greenland-robins")
    ratio = gr.tidy().std_error[0] / sato.tidy().std_error[0]
    assert 1e-4 < abs(ratio - 1) < 0.05 and "RD variance sato" in repr(sato)
    with pytest.raises(InputError, match="rd_variance"):
        mantel_haenszel(a, a + b, c, c + d, rd_variance="robins")


@pytest.mark.parametrize("method", ["FE", "DL", "REML"])
def test_meta_analysis_matches_metafor_rma_full_precision(pooling_ref, method):
    a, b, c, d = BCG.T
    yi = np.log((a / (a + b)) / (c / (c + d)))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    res = meta_analysis(yi, np.sqrt(vi), method={"FE": "fixed"}.get(method, method))
    ref = {q: pooling_ref[f"meta_{method}", q]
           for q in ("estimate", "se", "p", "lower", "upper", "tau2", "Q", "Q_p", "I2")}
    np.testing.assert_allclose(
        [res.estimate, res.std_error, res.p_value, res.ci_lower, res.ci_upper, res.q,
         res.q_p_value], [ref[q] for q in ("estimate", "se", "p", "lower", "upper", "Q", "Q_p")],
        rtol=RTOL_R)
    if method != "FE":
        np.testing.assert_allclose([res.tau2, 100 * res.i2], [ref["tau2"], ref["I2"]], rtol=1e-9)


@pytest.mark.parametrize("measure,term", [("risk_difference", "risk difference (Wald)"),
                                          ("risk_ratio", "risk ratio"),
                                          ("odds_ratio", "odds ratio")])
def test_mantel_haenszel_one_stratum_is_the_crude_2x2(measure, term):
    # Greenland-Robins / RGB variances reduce to the Wald variances with one stratum
    a, n1, c, n0 = 60, 360, 200, 1600
    mh = mantel_haenszel([a], [n1], [c], [n0], measure=measure,
                         rd_variance="greenland-robins").tidy().iloc[0]
    crude = two_by_two(a, n1, c, n0).row(term)
    np.testing.assert_allclose(mh[["estimate", "std_error", "ci_lower", "ci_upper"]].to_numpy(float),
                               crude[["estimate", "std_error", "ci_lower", "ci_upper"]].to_numpy(float),
                               rtol=RTOL)


def test_mantel_haenszel_and_meta_bad_input():
    with pytest.raises(InputError, match="Amersfoort has no FIP clients"):
        mantel_haenszel([0, 3], [0, 10], [2, 3], [20, 30], labels=["Amersfoort", "Ede"])
    with pytest.raises(InputError, match="`measure` parameter"):
        mantel_haenszel([1], [2], [1], [2], measure="hazard_ratio")
    with pytest.raises(InputError, match="positive standard error"):
        meta_analysis([0.1, 0.2], [0.1, 0.0], labels=["A", "B"])
    with pytest.raises(InputError, match="at least two estimates"):
        meta_analysis([0.1], [0.1])


@pytest.mark.parametrize("method,sm_method", [("holm", "holm"), ("BH", "fdr_bh")])
def test_multiplicity_matches_statsmodels(method, sm_method):
    p = np.random.default_rng(0).uniform(0, 0.2, 25) ** 2
    p[[3, 9]] = p[[4, 4]]  # ties
    np.testing.assert_allclose(adjust_p_values(p, method), multipletests(p, method=sm_method)[1],
                               rtol=RTOL, atol=ATOL)
    with_nan = np.r_[p[:5], np.nan]
    out = adjust_p_values(with_nan, method)
    assert np.isnan(out[-1])
    np.testing.assert_allclose(out[:5], multipletests(p[:5], method=sm_method)[1], rtol=RTOL)


def test_adjust_table_and_bad_p():
    import pandas as pd
    t = pd.DataFrame({"term": list("abc"), "p_value": [0.01, 0.04, 0.03]})
    out = adjust_table(t)
    assert list(out.columns) == ["term", "p_value", "p_holm", "p_BH"] and "p_holm" not in t
    with pytest.raises(InputError, match="must lie in \\[0, 1\\]"):
        adjust_p_values([0.5, 1.5])


def test_power_hand_computed():
    # n per arm = (1.959964 + 0.841621)^2 * (0.6*0.4 + 0.5*0.5) / 0.1^2 = 384.6 -> 385
    planned = required_caseworkers(effect=0.1, baseline=0.5, caseload=1, icc=0.0, df="normal")
    assert planned.value == 385 and int(planned) == 385
    assert planned.tidy().loc[0, "term"] == "caseworkers_fip_needed"
    assert planned.summary().header["ICC"] == 0.0
    # clustering: 180 clients per caseload and ICC 0.02 multiply the variance by 4.58
    assert design_effect(180, 0.02) == pytest.approx(4.58, rel=RTOL)
    k = required_caseworkers(effect=0.1, baseline=0.5, caseload=180, icc=0.02, df="normal").value
    assert k == int(np.ceil(384.6175 * 4.58 / 180))
    # MDE is the inverse of the sample size formula
    mde = minimum_detectable_effect(baseline=0.5, caseworkers_fip=10, caseworkers_control=10,
                                    caseload=180, icc=0.02, df="normal").value
    z = 1.959963984540054 + 0.8416212335729143
    p1 = 0.5 + mde
    np.testing.assert_allclose(mde, z * np.sqrt(4.58 * (p1 * (1 - p1) + 0.25) / 1800), rtol=1e-10)
    # t quantiles with few caseworkers need more than the normal approximation
    assert required_caseworkers(effect=0.1, baseline=0.5, caseload=180, icc=0.02).value > k
    tab = power_table(effect=0.03, monthly_rate=0.012, caseload=180, icc=0.02,
                      caseworkers_fip=2, caseworkers_control=8).tidy()
    np.testing.assert_allclose(tab.baseline, 1 - 0.988 ** tab.follow_up_months, rtol=RTOL)
    assert (tab.minimum_detectable_effect > 0.03).all()
    with pytest.raises(InputError, match="`icc` must lie in"):
        design_effect(180, 1.5)
    with pytest.raises(InputError, match="non-zero `effect`"):
        required_caseworkers(effect=0.0, baseline=0.5, caseload=1, icc=0.0)


def test_icc_anova_hand_computed():
    # groups (1,1), (0,0), (1,0): MSB = 0.5, MSW = 1/6, n0 = 2 -> ICC = (1/3) / (2/3)
    np.testing.assert_allclose(estimate_icc([1, 1, 0, 0, 1, 0], [1, 1, 2, 2, 3, 3]), 0.5,
                               rtol=RTOL)
    # no between-cluster variation: truncated at zero
    assert estimate_icc([1, 0, 1, 0], ["a", "a", "b", "b"]) == 0.0
    with pytest.raises(InputError, match="at least 2 clusters"):
        estimate_icc([1, 0], [1, 1])

