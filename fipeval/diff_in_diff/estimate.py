"""2x2 difference-in-differences and two-way fixed effects with honest standard errors.

``did(panel, outcome=, unit=, time=, treatment=, post=, cluster=, weights=, inference=)``

- ``estimator="2x2"`` regresses the outcome on ``treated``, ``post`` and ``treated x post``
  (an intercept included): exactly R ``lm(y ~ treated * post)``.
- ``estimator="twfe"`` (default) regresses it on ``D = treated x post`` with unit and period
  fixed effects. The fixed effects are absorbed by alternating projections (weighted group
  means via ``np.bincount``; Guimaraes & Portugal 2010, Gaure 2013), never by dummy columns,
  so a panel of a million caseworker-months fits in about a second.

Small-sample factor (``ssc``) for the absorbed fixed effects. With ``n`` rows, ``k``
regressors, ``U`` units, ``T`` periods, ``G`` clusters, CR1 is
``G/(G-1) * (n-1)/(n-K)`` and HC1 ``n/(n-K)`` with

- ``ssc="fixest"`` (default): R ``fixest`` / ``pyfixest`` defaults (``ssc(adj=TRUE,
  fixef.K="nested", cluster.adj=TRUE)``): ``K = k + (U + T - 1) - (levels of fixed effects
  nested in the clusters) + (number of such nested fixed effects)``; clustering by unit
  gives ``K = k + T``.
- ``ssc="lm"``: R ``lm`` with the dummies written out followed by ``sandwich::vcovCL(type=
  "HC1")``: ``K = k + U + T - 1`` (every dummy counts).

For the 2x2 model both are ``K = 4``. The t reference distribution has ``G - 1`` degrees of
freedom for cluster-robust variances (as Stata and fixest; R ``lmtest::coeftest`` uses
``n - K`` by default, which changes the p-value only), and ``n - K`` for ``iid``/``HC1``.
With few treated caseworkers, use ``inference="wild"`` (restricted wild cluster bootstrap-t,
from ``fipeval.inference.wild``): its p-value and interval replace the t-based ones.

References
----------
Angrist & Pischke (2009), ch. 5; Cameron & Miller (2015), J. Human Resources 50(2);
Bertrand, Duflo & Mullainathan (2004), QJE 119(1); MacKinnon & Webb (2017).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, InputError, check_option, renamed
from ..inference.ols import fit_ols
from ..results import TIDY_COLUMNS, Result
from ._panel_checks import prepare
from .._version import __version__

__all__ = ["did", "DiDResult", "demean", "fit_absorbed", "INFERENCE_KINDS"]

INFERENCE_KINDS = ("iid", "HC1", "CR0", "CR1", "CR2", "wild")
ESTIMATORS = ("twfe", "2x2")
SSC_KINDS = ("fixest", "lm")
DEMEAN_TOL = 1e-13        # max change of a column (relative to its scale) between sweeps
DEMEAN_MAX_ITER = 10_000
_MAX_DUMMIES_CR2 = 3_000


def demean(X: np.ndarray, groups: list[np.ndarray], weights: np.ndarray | None = None, *,
           tol: float = DEMEAN_TOL, max_iter: int = DEMEAN_MAX_ITER) -> np.ndarray:
    """Residuals of each column of ``X`` on the dummies of ``groups`` (alternating projections).

    Parameters
    ----------
    X : ndarray, shape (n,) or (n, p)
    groups : list of integer code arrays (0..L-1), one per fixed effect
    weights : ndarray, optional
        Observation weights (weighted group means).

    Returns
    -------
    ndarray shaped like ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([0, 0, 1, 1]); t = np.array([0, 1, 0, 1])
    >>> demean(np.array([1.0, 2.0, 3.0, 5.0]), [u, t]).round(3).tolist()
    [0.25, -0.25, -0.25, 0.25]
    """
    one_d = X.ndim == 1
    out = np.array(X, dtype=float, copy=True).reshape(len(X), -1)
    w = np.ones(len(out)) if weights is None else np.asarray(weights, dtype=float)
    sums_w = [np.bincount(g, weights=w) for g in groups]
    safe = [np.where(s > 0, s, 1.0) for s in sums_w]
    for j in range(out.shape[1]):
        col = out[:, j]
        scale = max(float(np.max(np.abs(col))) if len(col) else 0.0, 1.0)
        for it in range(max_iter):
            change = 0.0
            for g, s in zip(groups, safe):
                means = np.bincount(g, weights=w * col) / s
                col -= means[g]
                change = max(change, float(np.max(np.abs(means))))
            if change <= tol * scale or len(groups) == 1:
                break
        else:
            raise EstimationError(f"Absorbing the fixed effects did not converge in {max_iter} "
                                  "sweeps; the panel may be very unbalanced. Try fewer periods.")
        out[:, j] = col
    return out[:, 0] if one_d else out


def _nested(fe: np.ndarray, cluster: np.ndarray) -> bool:
    """True when every level of ``fe`` lies within one cluster."""
    n_levels = int(fe.max()) + 1
    lo = np.full(n_levels, np.iinfo(np.int64).max)
    hi = np.full(n_levels, -1)
    np.minimum.at(lo, fe, cluster)
    np.maximum.at(hi, fe, cluster)
    return bool(np.all(lo == hi))


def absorbed_k(groups: list[np.ndarray], cluster: np.ndarray | None, ssc: str) -> int:
    """Number of parameters the absorbed fixed effects add to K (see the module docstring)."""
    levels = [int(g.max()) + 1 for g in groups]
    k_fe = sum(levels) - (len(groups) - 1) if groups else 0
    if ssc == "lm" or cluster is None:
        return k_fe
    nested = [L for g, L in zip(groups, levels) if _nested(g, cluster)]
    return k_fe - sum(nested) + len(nested)


def fit_absorbed(X: np.ndarray, names, a, vcov_kind: str, ssc: str, alpha: float):
    """OLS of ``a.y`` on ``X`` with unit and period effects; returns
    ``(coef, vcov, df, K, y_used, X_used)`` with the small-sample factor of ``ssc``."""
    n, k = X.shape
    n_units, n_periods = int(a.unit.max()) + 1, int(a.time.max()) + 1
    if vcov_kind == "CR2":
        if n_units + n_periods > _MAX_DUMMIES_CR2:
            raise InputError(f"CR2 with {n_units} units and {n_periods} periods needs the "
                             f"fixed effects as {n_units + n_periods} dummy columns; that is too "
                             "many. Use inference='CR1' or 'wild'.")
        Xd = np.column_stack([X, np.ones(n), np.eye(n_units)[a.unit][:, 1:],
                              np.eye(n_periods)[a.time][:, 1:]])
        fit = fit_ols(a.y, Xd, weights=a.weights, cluster=a.cluster, vcov="CR2", alpha=alpha)
        return fit.coef[:k], fit.vcov[:k, :k], fit.df[:k], Xd.shape[1], a.y, Xd
    groups = [a.unit, a.time]
    Z = demean(np.column_stack([a.y, X]), groups, a.weights)
    y_fit, X_fit = Z[:, 0], Z[:, 1:]
    dead = np.all(np.abs(X_fit) < 1e-10, axis=0)
    if dead.any():
        raise EstimationError(f"`{names[int(np.flatnonzero(dead)[0])]}` is absorbed by the unit "
                              "and period effects (no treated row varies within unit and "
                              "period); check the treatment timing and the window.")
    fit = fit_ols(y_fit, X_fit, weights=a.weights, cluster=a.cluster, vcov=vcov_kind,
                  names=list(names), alpha=alpha)
    k_total = k + absorbed_k(groups, a.cluster if vcov_kind in ("CR0", "CR1") else None, ssc)
    if n - k_total <= 0:
        raise EstimationError(f"{n} rows are too few for {k_total} parameters.")
    V = fit.vcov
    if vcov_kind in ("iid", "HC1", "CR1"):
        V = V * (n - k) / (n - k_total)
    df = fit.df if vcov_kind in ("CR0", "CR1") else np.full(k, float(n - k_total))
    return fit.coef, V, df, k_total, y_fit, X_fit


def _twfe_wild(a, d, *, n_draws, seed, alpha):
    """Restricted wild cluster bootstrap of the TWFE effect: unit effects absorbed, period
    effects as dummies.

    Multiplying residuals by a cluster's sign keeps them orthogonal to effects nested in
    the clusters (the units) but not to the period effects, so those must stay in the
    bootstrap regressions for the result to equal the one with every dummy written out.
    The dummies are never formed (``_twfe_wild.twfe_wild_bootstrap``).
    """
    from ._twfe_wild import twfe_wild_bootstrap
    if not _nested(a.unit, a.cluster):
        raise InputError("inference='wild' needs units nested in clusters (cluster by the unit "
                         "or by a grouping of units such as the municipality).")
    Z = demean(np.column_stack([a.y, d]), [a.unit], a.weights)
    return twfe_wild_bootstrap(Z[:, 0], Z[:, 1], a.unit, a.time, a.cluster, a.weights,
                               n_draws=n_draws, seed=seed, alpha=alpha)


@dataclass(frozen=True, repr=False, eq=False)
class DiDResult(Result):
    """Difference-in-differences estimate: the effect row is named ``att``."""

    estimate: float
    std_error: float
    statistic: float
    p_value: float
    ci_lower: float
    ci_upper: float
    df: float
    coefficients: pd.DataFrame = field(repr=False)
    estimator: str = "twfe"
    outcome: str = ""
    inference: str = "CR1"
    ssc: str = "fixest"
    n_obs: int = 0
    n_units: int = 0
    n_treated_units: int = 0
    n_periods: int = 0
    n_clusters: int | None = None
    cluster: str | None = None
    weights: str | None = None
    alpha: float = 0.05
    seed: int | None = None
    n_dropped: int = 0
    k_total: int = 0
    title: str = "Difference-in-differences"

    def tidy(self) -> pd.DataFrame:
        return self.coefficients.copy()

    def _header(self) -> dict:
        method = ("2x2 difference-in-differences, OLS on treated x post" if self.estimator == "2x2"
                  else "two-way fixed effects (unit and period absorbed)")
        h = {"method": method, "outcome": self.outcome, "n": self.n_obs, "units": self.n_units,
             "treated units": self.n_treated_units, "periods": self.n_periods,
             "inference": _INFERENCE_LABEL[self.inference]}
        if self.cluster is not None:
            h["clusters"] = f"{self.n_clusters} ({self.cluster})"
        h["small-sample factor"] = (f"K = {self.k_total} ({self.ssc})"
                                    if self.inference in ("iid", "HC1", "CR1", "wild") else "none")
        h["weights"] = self.weights or "none"
        h["alpha"] = self.alpha
        if self.inference == "wild":
            h["seed"] = self.seed
        h["fipeval"] = __version__
        return h

    def _notes(self) -> tuple:
        notes = []
        if self.n_dropped:
            notes.append(f"{self.n_dropped} row(s) with weight 0 (e.g. an empty caseload) were "
                         "left out.")
        if self.n_clusters is not None and self.n_clusters < 42 and self.inference != "wild":
            notes.append(f"Only {self.n_clusters} clusters: consider inference='wild'.")
        if self.estimator == "twfe" and self.n_treated_units and self.inference != "wild" \
                and self.n_treated_units < 10 and self.cluster is not None:
            notes.append(f"Only {self.n_treated_units} treated unit(s): cluster-robust SEs are "
                         "unreliable with few treated clusters (MacKinnon & Webb 2017); use "
                         "inference='wild'.")
        return tuple(notes)


_INFERENCE_LABEL = {
    "iid": "classical (iid), t(n-K)", "HC1": "heteroskedasticity-robust HC1, t(n-K)",
    "CR0": "cluster-robust CR0, t(G-1)", "CR1": "cluster-robust CR1, t(G-1)",
    "CR2": "cluster-robust CR2 (Bell-McCaffrey df)",
    "wild": "wild cluster bootstrap-t (restricted, Rademacher); SE shown is CR1",
}


@renamed(n_boot="n_draws", treated="treatment")
def did(panel: pd.DataFrame, *, outcome: str, unit: str | None, time: str, treatment: str,
        post: str, cluster: str | None = None, weights: str | None = None,
        inference: Literal["iid", "HC1", "CR0", "CR1", "CR2", "wild"] = "CR1",
        estimator: Literal["twfe", "2x2"] = "twfe", ssc: Literal["fixest", "lm"] = "fixest",
        alpha: float = 0.05, n_draws: int = 9999, seed: int | None = None) -> DiDResult:
    """Difference-in-differences: the effect of FIP on a caseworker (or client) outcome.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period (e.g. from :func:`caseworker_panel`).
    outcome : str
        Outcome column (e.g. ``"termination_rate"``).
    unit, time : str
        Unit id (caseworker) and period (consecutive integers or month dates) columns.
        ``unit=None`` treats each row as its own unit: repeated cross-sections, 2x2 only.
    treatment : str
        0/1, constant within a unit: the unit gets FIP at some point.
    post : str
        0/1: the period lies after the unit's start (or after the common start).
    cluster : str, optional
        Cluster column for CR0/CR1/CR2/wild; by default the ``unit`` (as fixest clusters by
        the first fixed effect). With repeated cross-sections (``unit=None``) name it, or
        choose ``inference="HC1"``.
    weights : str, optional
        Weight column; ``"caseload"`` for rates, so each caseworker-month counts as many
        clients as it holds (rows with weight 0 are left out).
    inference : {"iid", "HC1", "CR0", "CR1", "CR2", "wild"}
        Variance estimator, or the restricted wild cluster bootstrap-t.
    estimator : {"twfe", "2x2"}
    ssc : {"fixest", "lm"}
        How absorbed fixed effects count in the small-sample factor (module docstring).
    alpha : float
        Level of the confidence interval.
    n_draws, seed : int
        Draws and seed for ``inference="wild"``.

    Returns
    -------
    DiDResult
        ``tidy()`` has the effect in the row ``att`` (for the 2x2 model the other
        coefficients follow).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> p = pd.DataFrame({"unit": np.repeat(np.arange(20), 4), "t": np.tile(np.arange(4), 20)})
    >>> p["treated"] = (p["unit"] < 8).astype(int); p["post"] = (p["t"] >= 2).astype(int)
    >>> p["y"] = 0.5 * p["treated"] * p["post"] + rng.normal(size=80)
    >>> res = did(p, outcome="y", unit="unit", time="t", treatment="treated", post="post",
    ...           cluster="unit")
    >>> res.tidy()["term"].tolist()
    ['att']
    """
    check_option("inference", inference, INFERENCE_KINDS)
    check_option("estimator", estimator, ESTIMATORS)
    check_option("ssc", ssc, SSC_KINDS)
    if not 0 < alpha < 1:
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if inference in ("CR0", "CR1", "CR2", "wild") and cluster is None:
        cluster = unit      # fixest's default: cluster by the unit (None for cross-sections)
    if inference in ("CR0", "CR1", "CR2", "wild") and cluster is None:
        raise InputError(f"inference={inference!r} needs `cluster`: with repeated "
                         "cross-sections (unit=None) there is no unit to cluster by; pass "
                         "cluster=... or choose inference='HC1'.")
    if inference in ("iid", "HC1") and cluster is not None:
        # R's sandwich::vcovCL(type = "HC1") is clustered (fipeval's CR1); here HC1 is
        # sandwich::vcovHC / fixest "hetero", which ignores clusters: refuse the ambiguity
        raise InputError(f"inference={inference!r} ignores `cluster` ({cluster!r}): for "
                         "clustered errors (R's vcovCL(type = 'HC1'), fixest's default) use "
                         f"inference='CR1'; for {inference} drop cluster=.")
    if unit is None and estimator != "2x2":
        raise InputError("`unit` is required for estimator='twfe'; unit=None (repeated "
                         "cross-sections) works only with estimator='2x2'.")
    a = prepare(panel, outcome=outcome, unit=unit, time=time, treated=treatment, post=post,
                weights=weights, cluster=cluster)
    d = (a.treated * a.post).astype(float)
    n = len(a.y)
    n_units, n_periods = len(a.unit_labels), len(a.time_values)
    vcov_kind = "CR1" if inference == "wild" else inference

    if estimator == "2x2":
        X = np.column_stack([np.ones(n), a.treated, a.post, d])
        names = ["(Intercept)", treatment, post, "att"]
        fit = fit_ols(a.y, X, weights=a.weights, cluster=a.cluster, vcov=vcov_kind,
                      names=names, alpha=alpha)
        k_total, coef, V, df = 4, fit.coef, fit.vcov, fit.df
        y_fit, X_fit, j = a.y, X, 3
    else:
        coef, V, df, k_total, y_fit, X_fit = fit_absorbed(d[:, None], ["att"], a, vcov_kind, ssc,
                                                          alpha)
        names, j = ["att"], 0

    se = np.sqrt(np.diag(V))
    t = coef / se
    p = 2 * stats.t.sf(np.abs(t), df)
    q = stats.t.ppf(1 - alpha / 2, df)
    lo, hi = coef - q * se, coef + q * se
    if inference == "wild":
        if estimator == "twfe":
            wb = _twfe_wild(a, d, n_draws=n_draws, seed=seed, alpha=alpha)
        else:
            from ..inference.wild import wild_cluster_bootstrap
            wb = wild_cluster_bootstrap(y_fit, X_fit, a.cluster, column=j, weights=a.weights,
                                        n_draws=n_draws, seed=seed, alpha=alpha)
        p, lo, hi = p.copy(), lo.copy(), hi.copy()
        p[j], lo[j], hi[j] = wb.p_value, wb.ci_lower, wb.ci_upper
    table = pd.DataFrame({"term": names, "estimate": coef, "std_error": se, "statistic": t,
                          "p_value": p, "ci_lower": lo, "ci_upper": hi, "df": df})
    table = pd.concat([table.iloc[[j]], table.drop(index=j)], ignore_index=True)[TIDY_COLUMNS + ["df"]]
    n_clusters = None if a.cluster is None or vcov_kind in ("iid", "HC1") else int(a.cluster.max()) + 1
    return DiDResult(
        estimate=float(coef[j]), std_error=float(se[j]), statistic=float(t[j]),
        p_value=float(p[j]), ci_lower=float(lo[j]), ci_upper=float(hi[j]), df=float(df[j]),
        coefficients=table, estimator=estimator, outcome=outcome, inference=inference, ssc=ssc,
        n_obs=n, n_units=n_units, n_treated_units=int(np.unique(a.unit[a.treated == 1]).size),
        n_periods=n_periods, n_clusters=n_clusters, cluster=cluster, weights=weights,
        alpha=alpha, seed=seed if inference == "wild" else None, n_dropped=a.n_dropped,
        k_total=int(k_total))
