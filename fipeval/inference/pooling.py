"""Pooling across municipalities: Mantel-Haenszel and fixed/random-effects meta-analysis.

Mantel-Haenszel combines stratified 2x2 tables (one per municipality) into a common risk
difference, risk ratio or odds ratio, with Greenland-Robins (RD, RR) and Robins-Breslow-
Greenland (OR) variances and the Cochran-Mantel-Haenszel test. Meta-analysis combines one
estimate and standard error per municipality: inverse-variance fixed effect, or random
effects with the between-municipality variance tau^2 by DerSimonian-Laird or REML.

References
----------
Greenland & Robins (1985), Biometrics 41; Robins, Breslow & Greenland (1986), Biometrics 42;
DerSimonian & Laird (1986), Controlled Clinical Trials 7; Viechtbauer (2005), J. Educational
and Behavioral Statistics 30 (REML); Higgins & Thompson (2002), Statistics in Medicine 21 (I^2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import EstimationError, InputError, check_option
from ..results import Result
from .measures import EffectResult, _row, _table, _z
from .._version import __version__

MH_MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")
RD_VARIANCES = ("sato", "greenland-robins")
META_METHODS = ("fixed", "DL", "REML")
_REML_TOL = 1e-12


def mantel_haenszel(events_fip: Sequence[float], n_fip: Sequence[float],
                    events_control: Sequence[float], n_control: Sequence[float], *,
                    measure: Literal["risk_difference", "risk_ratio", "odds_ratio"] = "risk_difference",
                    alpha: float = 0.05, correction: bool = False,
                    rd_variance: Literal["sato", "greenland-robins"] = "sato",
                    labels: Sequence[str] | None = None) -> EffectResult:
    """Mantel-Haenszel pooled effect over strata (municipalities) and the CMH test.

    Parameters
    ----------
    events_fip, n_fip, events_control, n_control : sequences of counts, one per stratum
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
    correction : bool
        Continuity correction in the Cochran-Mantel-Haenszel chi-square.
    rd_variance : {"sato", "greenland-robins"}
        Variance of the pooled risk difference: Sato, Greenland and Robins (1989), R's
        ``metafor::rma.mh(measure = "RD")`` (default); or Greenland and Robins (1985), which
        reduces to the Wald variance with one stratum (about 0.35% apart on dat.bcg).
    labels : sequence of str, optional
        Stratum names for the header.

    Returns
    -------
    EffectResult
        Rows "<measure> (Mantel-Haenszel)" (ratios on their natural scale, SE of the log)
        and "Cochran-Mantel-Haenszel".

    Examples
    --------
    >>> res = mantel_haenszel([20, 15], [100, 80], [30, 40], [300, 400])
    >>> round(float(res.row("risk difference (Mantel-Haenszel)").estimate), 4)
    0.0941
    """
    check_option("measure", measure, MH_MEASURES)
    a, n1, c, n0 = (np.asarray(v, dtype=float) for v in (events_fip, n_fip, events_control, n_control))
    if not (len(a) == len(n1) == len(c) == len(n0)) or len(a) == 0:
        raise InputError("Give one count per stratum in each of the four arguments "
                         f"(got lengths {len(a)}, {len(n1)}, {len(c)}, {len(n0)}).")
    if np.any((n1 == 0) | (n0 == 0)):
        k = int(np.flatnonzero((n1 == 0) | (n0 == 0))[0])
        name = labels[k] if labels is not None else f"stratum {k}"
        raise InputError(f"{name} has no {'FIP' if n1[k] == 0 else 'control'} clients; drop it "
                         "from the pooled analysis (it carries no comparison).")
    if np.any(a > n1) or np.any(c > n0) or np.any(np.minimum.reduce([a, c]) < 0):
        raise InputError("Events must lie between 0 and the number of clients in each stratum.")
    b, d = n1 - a, n0 - c
    n = n1 + n0
    z = _z(alpha)
    if measure == "risk_difference":
        w = n1 * n0 / n
        est = np.sum(w * (a / n1 - c / n0)) / w.sum()
        check_option("rd_variance", rd_variance, RD_VARIANCES)
        if rd_variance == "sato":
            P = (n1 ** 2 * c - n0 ** 2 * a + n1 * n0 * (n0 - n1) / 2) / n ** 2
            Q = (a * (n0 - c) + c * (n1 - a)) / (2 * n)
            var = (est * P.sum() + Q.sum()) / w.sum() ** 2
        else:
            var = np.sum((a * b * n0 ** 3 + c * d * n1 ** 3) / (n1 * n0 * n ** 2)) / w.sum() ** 2
        se = np.sqrt(var)
        row = _row("risk difference (Mantel-Haenszel)", est, se, est / se,
                   2 * stats.norm.sf(abs(est / se)), est - z * se, est + z * se)
    else:
        if measure == "risk_ratio":
            R, S = np.sum(a * n0 / n), np.sum(c * n1 / n)
            if R == 0 or S == 0:
                raise EstimationError("No events in one arm of every stratum: the MH risk "
                                      "ratio is 0 or infinite.")
            var = np.sum((n1 * n0 * (a + c) - a * c * n) / n ** 2) / (R * S)
            term = "risk ratio (Mantel-Haenszel)"
        else:
            R, S = np.sum(a * d / n), np.sum(b * c / n)
            if R == 0 or S == 0:
                raise EstimationError("The MH odds ratio is 0 or infinite (no discordant "
                                      "information in any stratum).")
            P, Q = (a + d) / n, (b + c) / n
            var = (np.sum(P * a * d / n) / (2 * R ** 2)
                   + np.sum((P * b * c + Q * a * d) / n) / (2 * R * S)
                   + np.sum(Q * b * c / n) / (2 * S ** 2))
            term = "odds ratio (Mantel-Haenszel)"
        log_est, se = np.log(R / S), np.sqrt(var)
        row = _row(term, np.exp(log_est), se, log_est / se, 2 * stats.norm.sf(abs(log_est / se)),
                   np.exp(log_est - z * se), np.exp(log_est + z * se))
    m1 = a + c
    expected = n1 * m1 / n
    v = n1 * n0 * m1 * (n - m1) / (n ** 2 * (n - 1))
    diff = abs(np.sum(a - expected))
    if correction:
        diff = max(0.0, diff - 0.5)
    cmh = diff ** 2 / v.sum()
    rows = [row, _row("Cochran-Mantel-Haenszel", row["estimate"], statistic=cmh,
                      p=stats.chi2.sf(cmh, 1))]
    header = {"method": "Mantel-Haenszel over strata, clients treated as independent"
              + (f"; RD variance {rd_variance}" if measure == "risk_difference" else ""),
              "strata": len(a) if labels is None else ", ".join(map(str, labels)),
              "n": int(n.sum()), "alpha": alpha}
    return EffectResult(title="Pooled over strata (Mantel-Haenszel)", table=_table(rows),
                        header=header)


@dataclass(frozen=True, repr=False, eq=False)
class MetaAnalysis(Result):
    """Per-study estimates and the pooled estimate; ``plot()`` draws a forest plot."""

    labels: tuple
    estimates: np.ndarray
    std_errors: np.ndarray
    weights: np.ndarray          # relative weights (sum 1) in the chosen model
    method: str
    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    tau2: float
    q: float
    q_p_value: float
    i2: float
    alpha: float
    exponentiate: bool = False
    measure: str = "effect"
    title: str = "Meta-analysis over municipalities"

    def tidy(self) -> pd.DataFrame:
        z = _z(self.alpha)
        t = self._t
        rows = [dict(_row(str(lab), t(y), s, y / s, 2 * stats.norm.sf(abs(y / s)),
                          t(y - z * s), t(y + z * s)), weight=w)
                for lab, y, s, w in zip(self.labels, self.estimates, self.std_errors, self.weights)]
        rows.append(dict(_row(f"pooled ({self.method})", t(self.estimate), self.std_error,
                              self.estimate / self.std_error, self.p_value, t(self.ci_lower),
                              t(self.ci_upper)), weight=1.0))
        return _table(rows)

    def _t(self, x):
        return np.exp(x) if self.exponentiate else x

    def _header(self) -> dict:
        return {"method": {"fixed": "fixed effect (inverse variance)",
                           "DL": "random effects, DerSimonian-Laird tau^2",
                           "REML": "random effects, REML tau^2"}[self.method],
                "measure": self.measure + (" (log scale pooled)" if self.exponentiate else ""),
                "studies": len(self.labels), "tau^2": self.tau2,
                "heterogeneity": f"Q = {self.q:.3f} on {len(self.labels) - 1} df, "
                                 f"p = {self.q_p_value:.3g}, I^2 = {100 * self.i2:.1f}%",
                "alpha": self.alpha, "fipeval": __version__}

    def _notes(self) -> tuple:
        if len(self.labels) < 5 and self.method != "fixed":
            return ((f"Only {len(self.labels)} municipalities: tau^2 is estimated very "
                     "imprecisely and the random-effects interval may be too narrow."),)
        return ()

    def plot(self, ax=None):
        """Forest plot: one line per municipality, a diamond for the pooled estimate."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.45 * len(self.labels) + 1.5))
        z = _z(self.alpha)
        k = len(self.labels)
        ys = np.arange(k, 0, -1) + 1
        lo, hi = self.estimates - z * self.std_errors, self.estimates + z * self.std_errors
        t = self._t
        ax.hlines(ys, t(lo), t(hi), color="black", lw=1)
        sizes = 40 + 260 * self.weights / self.weights.max()
        ax.scatter(t(self.estimates), ys, s=sizes, marker="s", color="tab:blue", zorder=3)
        dx = [t(self.ci_lower), t(self.estimate), t(self.ci_upper), t(self.estimate)]
        ax.fill(dx, [1, 1.25, 1, 0.75], color="tab:red", zorder=3)
        ax.axvline(1.0 if self.exponentiate else 0.0, color="grey", ls="--", lw=1)
        ax.set_yticks(list(ys) + [1])
        ax.set_yticklabels([str(lab) for lab in self.labels] + [f"pooled ({self.method})"])
        if self.exponentiate:
            ax.set_xscale("log")
        ax.set_xlabel(self.measure)
        ax.set_ylim(0.3, k + 1.7)
        return ax


def _reml_tau2(y, v) -> float:
    def neg_restricted_ll(tau2):
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / w.sum()
        return 0.5 * (np.sum(np.log(v + tau2)) + np.log(w.sum()) + np.sum(w * (y - mu) ** 2))

    upper = max(10 * np.var(y) + 10 * v.max(), 1e-8)
    res = optimize.minimize_scalar(neg_restricted_ll, bounds=(0.0, upper), method="bounded",
                                   options={"xatol": _REML_TOL})
    tau2 = float(res.x)
    # Fisher-scoring polish (Viechtbauer 2005, eq. 12) from the bounded optimum
    for _ in range(100):
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / w.sum()
        new = max(0.0, float(np.sum(w ** 2 * ((y - mu) ** 2 - v)) / np.sum(w ** 2) + 1 / w.sum()))
        if abs(new - tau2) < _REML_TOL * max(1.0, tau2):
            tau2 = new
            break
        tau2 = new
    return tau2


def meta_analysis(estimates: Sequence[float], std_errors: Sequence[float], *,
                  labels: Sequence[str] | None = None,
                  method: Literal["fixed", "DL", "REML"] = "REML", alpha: float = 0.05,
                  exponentiate: bool = False, measure: str = "effect") -> MetaAnalysis:
    """Inverse-variance fixed- or random-effects meta-analysis of per-municipality estimates.

    Parameters
    ----------
    estimates, std_errors : sequences
        One estimate and its standard error per municipality (log scale for ratios).
    labels : sequence of str, optional
    method : {"fixed", "DL", "REML"}
        Fixed effect, or random effects with DerSimonian-Laird or REML tau^2.
    exponentiate : bool
        Report and plot on the exponentiated scale (for log ratios).
    measure : str
        Axis and header label.

    Returns
    -------
    MetaAnalysis

    Examples
    --------
    >>> res = meta_analysis([0.02, 0.05, -0.01], [0.02, 0.03, 0.025], method="DL")
    >>> round(res.estimate, 4)
    0.0174
    """
    check_option("method", method, META_METHODS)
    y = np.asarray(estimates, dtype=float)
    se = np.asarray(std_errors, dtype=float)
    if y.shape != se.shape or y.ndim != 1 or len(y) < 2:
        raise InputError(f"Give at least two estimates with one standard error each (got "
                         f"{y.size} estimates, {se.size} standard errors).")
    if not np.all(np.isfinite(y)) or not np.all(np.isfinite(se)) or np.any(se <= 0):
        k = int(np.flatnonzero(~np.isfinite(y) | ~np.isfinite(se) | ~(se > 0))[0])
        raise InputError(f"Study {labels[k] if labels is not None else k} has estimate "
                         f"{y[k]!r} and standard error {se[k]!r}; every study needs a finite "
                         "estimate and a positive standard error.")
    labels = tuple(labels) if labels is not None else tuple(f"study {i + 1}" for i in range(len(y)))
    v = se ** 2
    w = 1 / v
    mu_fe = np.sum(w * y) / w.sum()
    q = float(np.sum(w * (y - mu_fe) ** 2))
    k = len(y)
    if method == "fixed":
        tau2 = 0.0
    elif method == "DL":
        tau2 = max(0.0, (q - (k - 1)) / (w.sum() - np.sum(w ** 2) / w.sum()))
    else:
        tau2 = _reml_tau2(y, v)
    wr = 1 / (v + tau2)
    mu = float(np.sum(wr * y) / wr.sum())
    s = float(np.sqrt(1 / wr.sum()))
    z = _z(alpha)
    if method == "fixed" or k < 2:     # I^2 from Q (Higgins and Thompson 2002), as metafor for FE
        i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    else:                     # metafor: tau^2 / (tau^2 + typical within-study variance)
        typical = (k - 1) * w.sum() / (w.sum() ** 2 - np.sum(w ** 2))
        i2 = float(tau2 / (tau2 + typical))
    return MetaAnalysis(labels=labels, estimates=y, std_errors=se, weights=wr / wr.sum(),
                        method=method, estimate=mu, std_error=s, ci_lower=mu - z * s,
                        ci_upper=mu + z * s, p_value=float(2 * stats.norm.sf(abs(mu / s))),
                        tau2=float(tau2), q=q, q_p_value=float(stats.chi2.sf(q, k - 1)),
                        i2=i2, alpha=alpha,
                        exponentiate=exponentiate, measure=measure)
