"""Effect measures and classical tests, computed from their textbook formulas.

Binary outcomes (a 2x2 table: FIP events a of n1, control events c of n0):
risk difference (Wald; Newcombe's hybrid score interval), risk ratio and odds ratio (log
Wald), Pearson chi-square (optionally Yates) and Fisher's exact test. Counts with exposure:
Poisson and negative-binomial (NB2) rate ratios from a log-link GLM with offset
log(exposure). Continuous outcomes: Welch's t and Mann-Whitney's U.

These treat clients as independent. With treatment assigned by caseworker use
:func:`fipeval.inference.comparison` with a cluster-aware ``inference``.

References
----------
Newcombe (1998), Statistics in Medicine 17: interval 10 (hybrid score, Wilson without
continuity correction). Agresti (2013), Categorical Data Analysis, 3rd ed., ch. 3.
Cameron & Trivedi (2013), Regression Analysis of Count Data, 2nd ed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, InputError
from ..results import TIDY_COLUMNS, Result
from .._version import __version__


@dataclass(frozen=True, repr=False, eq=False)
class EffectResult(Result):
    """A table of effect estimates or tests with the header that says how they were made."""

    table: pd.DataFrame
    header: dict = field(default_factory=dict)
    notes: tuple = ()
    title: str = "Effect estimates"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def _header(self) -> dict:
        return {**self.header, "fipeval": __version__}

    def _notes(self) -> tuple:
        return self.notes

    def row(self, term: str) -> pd.Series:
        """The tidy row of one term (e.g. ``"risk difference"``)."""
        hit = self.table[self.table["term"] == term]
        if hit.empty:
            raise InputError(f"No term `{term}`; terms are: {', '.join(self.table['term'])}.")
        return hit.iloc[0]


def _row(term, estimate, se=np.nan, statistic=np.nan, p=np.nan, lo=np.nan, hi=np.nan, **extra):
    return {"term": term, "estimate": float(estimate), "std_error": float(se),
            "statistic": float(statistic), "p_value": float(p), "ci_lower": float(lo),
            "ci_upper": float(hi), **extra}


def _table(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    extra = [c for c in df.columns if c not in TIDY_COLUMNS]
    return df[TIDY_COLUMNS + extra]


def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


def _check_counts(a, n1, c, n0):
    for name, v in (("events_fip", a), ("n_fip", n1), ("events_control", c), ("n_control", n0)):
        if not float(v).is_integer() or v < 0:
            raise InputError(f"`{name}` must be a non-negative whole number; got {v!r}.")
    if n1 == 0 or n0 == 0:
        raise InputError(f"The {'FIP' if n1 == 0 else 'control'} group has no clients; a "
                         "comparison needs clients in both groups (check the treatment column).")
    if a > n1 or c > n0:
        raise InputError(f"More events than clients ({a} of {n1} FIP, {c} of {n0} control).")


def wilson_interval(events: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for one proportion (no continuity correction): statsmodels'
    ``proportion_confint(method="wilson")``, equal to R's ``prop.test(correct = FALSE)``."""
    from statsmodels.stats.proportion import proportion_confint
    _z(alpha)
    lower, upper = proportion_confint(events, n, alpha=alpha, method="wilson")
    return float(lower), float(upper)


def two_by_two(events_fip: int, n_fip: int, events_control: int, n_control: int, *,
               alpha: float = 0.05, yates: bool = False) -> EffectResult:
    """Risk difference, risk ratio, odds ratio, chi-square and Fisher's test of a 2x2 table.

    Parameters
    ----------
    events_fip, n_fip, events_control, n_control : int
        Clients with the outcome and clients in each group.
    alpha : float
        1 - confidence level.
    yates : bool
        Apply Yates' continuity correction to the chi-square test.

    Returns
    -------
    EffectResult
        Rows "risk difference (Wald)", "risk difference (Newcombe)", "risk ratio",
        "odds ratio", "chi-square", "Fisher exact". Ratios are on their natural scale (the
        standard error column holds the SE of the log). A zero cell adds 0.5 to every cell
        for the ratios (Haldane-Anscombe) and says so in a note.

    Examples
    --------
    >>> res = two_by_two(60, 360, 200, 1600)
    >>> round(float(res.row("risk difference (Wald)").estimate), 4)
    0.0417
    """
    a, n1, c, n0 = events_fip, n_fip, events_control, n_control
    _check_counts(a, n1, c, n0)
    b, d = n1 - a, n0 - c
    z = _z(alpha)
    p1, p0 = a / n1, c / n0
    rd = p1 - p0
    rows = [wald_risk_difference(a, n1, c, n0, alpha=alpha)]
    l1, u1 = wilson_interval(a, n1, alpha)
    l0, u0 = wilson_interval(c, n0, alpha)
    rows.append(_row("risk difference (Newcombe)", rd,
                     lo=rd - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
                     hi=rd + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)))
    notes = []
    aa, bb, cc, dd = a, b, c, d
    if min(a, b, c, d) == 0:
        aa, bb, cc, dd = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        notes.append("A cell of the 2x2 table is zero: 0.5 was added to every cell for the "
                     "risk and odds ratios.")
    log_rr = np.log((aa / (aa + bb)) / (cc / (cc + dd)))
    se_rr = np.sqrt(1 / aa - 1 / (aa + bb) + 1 / cc - 1 / (cc + dd))
    log_or = np.log(aa * dd / (bb * cc))
    se_or = np.sqrt(1 / aa + 1 / bb + 1 / cc + 1 / dd)
    for term, est, se in (("risk ratio", log_rr, se_rr), ("odds ratio", log_or, se_or)):
        rows.append(_row(term, np.exp(est), se, est / se, 2 * stats.norm.sf(abs(est / se)),
                         np.exp(est - z * se), np.exp(est + z * se)))
    chi2, p_chi = pearson_chi_square(a, b, c, d, yates=yates)
    rows.append(_row("chi-square" + (" (Yates)" if yates else ""), rd, statistic=chi2, p=p_chi))
    rows.append(_row("Fisher exact", np.exp(log_or) if min(a, b, c, d) > 0 else np.nan,
                     p=fisher_exact_p(a, b, c, d)))
    header = {"method": "2x2 table, clients treated as independent", "n": n1 + n0,
              "FIP": f"{a} of {n1} ({p1:.1%})", "control": f"{c} of {n0} ({p0:.1%})",
              "alpha": alpha}
    return EffectResult(title="Binary outcome: FIP versus control", table=_table(rows), header=header,
                        notes=tuple(notes))


def wald_risk_difference(events_fip: int, n_fip: int, events_control: int, n_control: int,
                         *, alpha: float = 0.05) -> dict:
    """The "risk difference (Wald)" row of :func:`two_by_two` alone (clients independent).

    Examples
    --------
    >>> round(wald_risk_difference(60, 360, 200, 1600)["estimate"], 4)
    0.0417
    """
    a, n1, c, n0 = events_fip, n_fip, events_control, n_control
    _check_counts(a, n1, c, n0)
    p1, p0 = a / n1, c / n0
    rd = p1 - p0
    se_rd = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    if not se_rd > 0:
        return _row("risk difference (Wald)", rd, 0.0)
    z = _z(alpha)
    return _row("risk difference (Wald)", rd, se_rd, rd / se_rd,
                2 * stats.norm.sf(abs(rd / se_rd)), rd - z * se_rd, rd + z * se_rd)


def pearson_chi_square(a, b, c, d, *, yates: bool = False) -> tuple[float, float]:
    """Pearson's chi-square (1 df) for the table [[a, b], [c, d]]: scipy's
    ``chi2_contingency`` (R's ``chisq.test``); NaN when a margin is zero (scipy raises)."""
    if a + b == 0 or c + d == 0 or a + c == 0 or b + d == 0:
        return np.nan, np.nan
    res = stats.chi2_contingency([[a, b], [c, d]], correction=yates)
    return float(res.statistic), float(res.pvalue)


def fisher_exact_p(a, b, c, d) -> float:
    """Two-sided Fisher exact p: scipy's ``fisher_exact`` (R's ``fisher.test``: tables no
    more likely than the observed, with R's relative tolerance)."""
    return float(stats.fisher_exact([[a, b], [c, d]]).pvalue)


def welch_test(fip, control, *, alpha: float = 0.05) -> EffectResult:
    """Welch's unequal-variance t test for a difference in means.

    Examples
    --------
    >>> res = welch_test([3.0, 4.0, 5.0], [1.0, 2.0, 2.5, 3.0])
    >>> round(float(res.row("mean difference (Welch)").estimate), 4)
    1.875
    """
    x, y = _sample(fip, "FIP"), _sample(control, "control")
    diff = x.mean() - y.mean()
    se = np.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
    if se == 0:
        raise EstimationError("The outcome is constant in both groups: Welch's t is undefined.")
    res = stats.ttest_ind(x, y, equal_var=False)        # scipy = R t.test(var.equal = FALSE)
    ci = res.confidence_interval(1 - alpha)
    row = _row("mean difference (Welch)", diff, se, float(res.statistic), float(res.pvalue),
               float(ci.low), float(ci.high), df=float(res.df))
    return EffectResult(title="Welch two-sample t test", table=_table([row]),
                        header={"method": "Welch t, clients treated as independent",
                         "n": len(x) + len(y), "alpha": alpha})


def mann_whitney(fip, control) -> EffectResult:
    """Mann-Whitney U test (normal approximation with tie and continuity correction).

    The estimate is the probability of superiority P(FIP > control) + P(tie)/2 = U / (n1 n0).

    Examples
    --------
    >>> res = mann_whitney([3.0, 4.0, 5.0], [1.0, 2.0, 2.5, 3.0])
    >>> float(res.row("Mann-Whitney").estimate)
    0.9583333333333334
    """
    x, y = _sample(fip, "FIP"), _sample(control, "control")
    n1, n0 = len(x), len(y)
    n = n1 + n0
    if np.all(np.concatenate([x, y]) == x[0]):
        raise EstimationError("The outcome is constant across both groups: Mann-Whitney's "
                              "test is undefined.")
    # scipy = R wilcox.test(exact = FALSE, correct = TRUE): U of the FIP sample, tie-corrected
    res = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    u = float(res.statistic)
    row = _row("Mann-Whitney", u / (n1 * n0), statistic=u, p=float(res.pvalue))
    return EffectResult(title="Mann-Whitney U test", table=_table([row]),
                        header={"method": "Mann-Whitney U, normal approximation, clients treated "
                                   "as independent", "n": n})


def _sample(values, group: str) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    if len(x) < 2:
        raise InputError(f"The {group} group has {len(x)} non-missing value(s); a two-sample "
                         "test needs at least 2 per group.")
    return x


def rate_ratio_glm(counts, exposure, X, *, family: str = "poisson", column: int = 1,
                   weights=None, cluster=None, robust: bool = False,
                   alpha: float = 0.05) -> dict:
    """Ratio for one column of ``X`` from a log-link (or logit) GLM; a tidy-row dict.

    ``family``: "poisson" (rate ratio with offset log(exposure); with exposure 1 and a 0/1
    outcome and ``robust=True`` this is Zou's modified Poisson risk ratio), "negative_binomial"
    (NB2, dispersion by maximum likelihood) or "binomial" (odds ratio). The estimate is on
    the ratio scale and the SE is that of the log. Variance: cluster sandwich with
    statsmodels' G/(G-1)*(n-1)/(n-k) factor (CR1) when ``cluster`` is given; HC1 when
    ``robust`` or weighted; model-based otherwise.
    """
    import statsmodels.api as sm

    y = np.asarray(counts, dtype=float)
    t = np.asarray(exposure, dtype=float)
    keep = t > 0
    if weights is not None:
        keep &= np.asarray(weights, dtype=float) > 0
    y, t, X = y[keep], t[keep], np.asarray(X, dtype=float)[keep]
    if y.sum() == 0:
        raise EstimationError("No events (all counts are zero): a ratio cannot be estimated.")
    cov = {"cov_type": "nonrobust"}
    if cluster is not None:
        cov = {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(
            pd.Series(np.asarray(cluster))[keep])[0]}}
    elif weights is not None or robust:
        cov = {"cov_type": "HC1"}
    w = None if weights is None else np.asarray(weights, dtype=float)[keep]
    arm = X[:, column]
    if np.isin(arm, (0.0, 1.0)).all():
        # a group without events puts the ratio at 0 or infinity: the GLM still stops at a
        # large finite coefficient with a huge SE, which would read as an estimate
        used = np.ones(len(y), bool) if w is None else w > 0
        for value, name in ((1.0, "the treated group (column 1)"), (0.0, "the reference group")):
            group = y[(arm == value) & used]
            if not np.any(group > 0):
                raise EstimationError(f"There are no events in {name}: the ratio is 0 or "
                                      "infinite and has no finite confidence interval; use the "
                                      "difference row.")
            if family == "binomial" and np.all(group >= 1):
                raise EstimationError(f"Every client in {name} has the outcome: the odds ratio "
                                      "is infinite; use the difference row.")
    extra = {}
    with warnings.catch_warnings():
        # Expected and handled: a group with no or all events drives the coefficient to
        # infinity (statsmodels warns of overflow, separation or non-convergence); the
        # standard error is then not finite and is refused below with an EstimationError,
        # which compare() keeps as a NaN row with a note saying why.
        warnings.simplefilter("ignore")
        if family == "poisson":
            fam, term = sm.families.Poisson(), "rate ratio (Poisson)"
        elif family == "binomial":
            fam, term = sm.families.Binomial(), "odds ratio (logistic)"
        else:
            if w is None:
                nb = sm.NegativeBinomial(y, X, exposure=t, loglike_method="nb2")
                alpha_nb = float(nb.fit(disp=0, maxiter=200).params[-1])
            else:
                alpha_nb = _nb_alpha_weighted(y, t, X, w)
            fam, term = sm.families.NegativeBinomial(alpha=alpha_nb), "rate ratio (negative binomial)"
            extra = {"dispersion": alpha_nb}
        offset = None if family == "binomial" else np.log(t)
        res = sm.GLM(y, X, family=fam, offset=offset, var_weights=w).fit(**cov)
    b, se = float(res.params[column]), float(res.bse[column])
    if not np.isfinite(se) or se <= 0:
        raise EstimationError(f"The {term} could not be estimated (standard error {se}).")
    z = _z(alpha)
    return _row(term, np.exp(b), se, b / se, 2 * stats.norm.sf(abs(b / se)), np.exp(b - z * se),
                np.exp(b + z * se), **extra)


def _nb_alpha_weighted(y, t, X, w) -> float:
    """NB2 dispersion maximising the weighted log-likelihood (profile over alpha)."""
    import statsmodels.api as sm
    from scipy.optimize import minimize_scalar

    def negll(log_alpha):
        a = np.exp(log_alpha)
        fam = sm.families.NegativeBinomial(alpha=a)
        r = sm.GLM(y, X, family=fam, offset=np.log(t), var_weights=w).fit()
        mu = r.fittedvalues
        ll = (stats.nbinom.logpmf(y, 1 / a, 1 / (1 + a * mu)) * w).sum()
        return -ll

    return float(np.exp(minimize_scalar(negll, bounds=(-10, 5), method="bounded").x))
