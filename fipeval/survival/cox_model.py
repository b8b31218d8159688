"""Cox proportional hazards: Efron/Breslow ties, weights, strata, delayed entry, robust SE.

The numbers come from ``_coxcore`` (vectorised, O(n p^2) per iteration); this module checks
the input, runs Newton-Raphson with step halving and packages a ``CoxResult``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy import linalg, stats

from ..errors import (ConvergenceWarning, EstimationError, FewClustersWarning, InputError,
                      caller_stacklevel, check_option, columns_by_name)
from ..results import Result
from . import _coxcore as core
from ._input import as_list, check_no_missing, codes, robust_variance, survival_arrays
from .._version import __version__

TIES = ("efron", "breslow")


def _version() -> str:
    return __version__

FEW_CLUSTERS = 20  # below this many clusters the sandwich variance is unreliable
MAX_ITER = 30
TOLERANCE = 1e-9  # relative change in the log partial likelihood at convergence (R's eps)
DIVERGED = 15.0   # log hazard ratio across a covariate's range beyond which it ran off


def design_matrix(data: pd.DataFrame, covariates: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Numeric columns as they are; bool as 0/1; categorical or text columns as indicator
    columns against their first (sorted) level, named ``column[level]``."""
    blocks, names = [], []
    for col in covariates:
        values = data[col]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            blocks.append(values.to_numpy(dtype=float))
            names.append(col)
            continue
        cat = pd.Categorical(values)
        levels = [lv for lv in cat.categories if (cat == lv).any()]
        if len(levels) < 2:
            raise EstimationError(
                f"Covariate `{col}` has a single level ({levels[0]!r}) in the data, so it has no "
                "effect to estimate; drop it from `covariates`.")
        for lv in levels[1:]:
            blocks.append(np.asarray(cat == lv, dtype=float))
            names.append(f"{col}[{lv}]")
    X = np.empty((len(data), len(blocks)), order="F")
    for j, b in enumerate(blocks):
        X[:, j] = b
    return X, names


def _check_identifiable(X: np.ndarray, names: list[str], strata: np.ndarray | None,
                        strata_name: str | None) -> None:
    if strata is None:
        const = X.min(axis=0) == X.max(axis=0)
        where = ""
    else:
        frame = pd.DataFrame(X).groupby(strata)
        const = ((frame.max() - frame.min()).to_numpy() == 0).all(axis=0)
        where = f" within every stratum of `{strata_name}`"
    if const.any():
        bad = [names[j] for j in np.flatnonzero(const)]
        raise EstimationError(
            f"Covariate `{bad[0]}` is constant{where}, so its hazard ratio cannot be estimated"
            + (" (also: " + ", ".join(bad[1:]) + ")" if len(bad) > 1 else "")
            + "; drop it from `covariates`" + (" or stratify on something else." if strata is not None else ".")
        )
    if X.shape[1] > 1:
        mean = X.mean(axis=0)
        C = X.T @ X - len(X) * np.outer(mean, mean)      # centred cross-products: p x p
        scale = np.sqrt(np.diag(C))
        C = C / np.outer(scale, scale)
        _, R, piv = linalg.qr(C, pivoting=True)
        diag = np.abs(np.diag(R))
        rank = int((diag > diag[0] * 1e-10).sum())
        if rank < X.shape[1]:
            dropped = [names[j] for j in piv[rank:]]
            raise EstimationError(
                f"Covariates are collinear: `{dropped[0]}` is a linear combination of the others; "
                "drop one of them from `covariates`.")


@dataclass(frozen=True, eq=False, repr=False)
class PHTest(Result):
    """Grambsch-Therneau test of proportional hazards from scaled Schoenfeld residuals."""

    terms: tuple
    chisq: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    global_chisq: float
    global_p: float
    time: np.ndarray = field(repr=False)          # transformed event times
    scaled: np.ndarray = field(repr=False)        # scaled Schoenfeld residuals (events x p)
    transform: str = "km"
    title: str = "Proportional hazards test (scaled Schoenfeld residuals)"

    def tidy(self) -> pd.DataFrame:
        rows = pd.DataFrame({"term": list(self.terms) + ["GLOBAL"],
                             "estimate": np.nan, "std_error": np.nan,
                             "statistic": np.append(self.chisq, self.global_chisq),
                             "p_value": np.append(self.p_value, self.global_p),
                             "ci_lower": np.nan, "ci_upper": np.nan,
                             "df": np.append(self.df, self.df.sum())})
        return rows

    def _header(self) -> dict:
        return {"time transform": self.transform, "events": len(self.time),
                "fipeval": _version()}

    def _notes(self) -> tuple:
        return ("A small p-value means the hazard ratio of that term changes over time; the "
                "plot of the scaled residuals shows how.",)

    def plot(self, term: str | None = None, ax=None):
        """Scaled Schoenfeld residuals of one term against (transformed) time, with a lowess
        smooth: a flat line supports proportional hazards."""
        from .plots import plot_schoenfeld
        term = self.terms[0] if term is None else term
        if term not in self.terms:
            raise InputError(f"Unknown term {term!r}; terms are {', '.join(self.terms)}.")
        j = self.terms.index(term)
        return plot_schoenfeld(self.time, self.scaled[:, j], term, self.transform, ax=ax)


@dataclass(frozen=True, eq=False, repr=False)
class CoxResult(Result):
    """A fitted Cox model. ``estimate`` in ``tidy()`` is the log hazard ratio."""

    terms: tuple
    coef: np.ndarray
    std_error: np.ndarray          # the reported SE (robust when robust=True)
    vcov: np.ndarray
    naive_std_error: np.ndarray
    naive_vcov: np.ndarray
    robust: bool
    loglik: float
    loglik_null: float
    n: int
    n_events: int
    n_clusters: int | None
    iterations: int
    converged: bool
    ties: str
    alpha: float
    score_test: float = np.nan     # the score (log-rank) test statistic, df = len(terms)
    columns: dict = field(default_factory=dict)
    _ph: dict = field(default_factory=dict, repr=False)
    title: str = "Cox proportional hazards model"
    extra_notes: tuple = ()

    def tidy(self) -> pd.DataFrame:
        z = stats.norm.ppf(1 - self.alpha / 2)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._tidy(z)

    def _tidy(self, z) -> pd.DataFrame:
        stat = self.coef / self.std_error
        lower, upper = self.coef - z * self.std_error, self.coef + z * self.std_error
        out = pd.DataFrame({
            "term": list(self.terms), "estimate": self.coef, "std_error": self.std_error,
            "statistic": stat, "p_value": 2 * stats.norm.sf(np.abs(stat)),
            "ci_lower": lower, "ci_upper": upper,
            "hazard_ratio": np.exp(self.coef), "hr_ci_lower": np.exp(lower),
            "hr_ci_upper": np.exp(upper)})
        if self.robust:
            out["naive_std_error"] = self.naive_std_error
        return out

    @property
    def hazard_ratios(self) -> pd.Series:
        return pd.Series(np.exp(self.coef), index=list(self.terms), name="hazard_ratio")

    @property
    def likelihood_ratio_test(self) -> tuple[float, int, float]:
        """(chi-square, df, p) of the fitted model against the model without covariates."""
        lr = 2 * (self.loglik - self.loglik_null)
        return lr, len(self.terms), float(stats.chi2.sf(lr, len(self.terms)))

    @property
    def wald_test(self) -> tuple[float, int, float]:
        """(chi-square, df, p) of all coefficients = 0, with the reported (robust if robust)
        variance, as R's ``summary(coxph)``."""
        try:
            chi2 = float(self.coef @ linalg.solve(self.vcov, self.coef, assume_a="pos"))
        except (linalg.LinAlgError, ValueError):
            chi2 = np.nan
        return chi2, len(self.terms), float(stats.chi2.sf(chi2, len(self.terms)))

    @property
    def score_test_result(self) -> tuple[float, int, float]:
        """(chi-square, df, p) of the score (log-rank) test at coefficients 0."""
        return (self.score_test, len(self.terms),
                float(stats.chi2.sf(self.score_test, len(self.terms))))

    @property
    def aic(self) -> float:
        """Akaike's information criterion, -2 log-likelihood + 2 x number of coefficients."""
        return -2 * self.loglik + 2 * len(self.terms)

    @functools.cached_property
    def concordance(self):
        """Harrell's concordance of the linear predictor (``survival.concordance``), with its
        pair counts, as R's ``coxph`` reports it; None after a diverged fit."""
        from .concordance import concordance

        if "concordance_data" not in self._ph or not np.isfinite(self.coef).all():
            return None
        stop, event, start, X, strata, w = self._ph["concordance_data"]
        return concordance(stop, event, X @ self.coef, entry=start, strata=strata, weights=w)

    def _header(self) -> dict:
        c = self.columns
        inference = "naive (model-based) SE"
        if self.robust:
            inference = (f"cluster-robust SE by `{c['cluster']}` ({self.n_clusters} clusters)"
                         if c.get("cluster") else "robust (sandwich) SE per row")
        return {"duration": c.get("duration"), "event": c.get("event"),
                "delayed entry": c.get("entry") or "none", "strata": c.get("strata") or "none",
                "weights": c.get("weights") or "none", "ties": self.ties,
                "inference": inference, "alpha": self.alpha, "n": self.n,
                "events": self.n_events}

    def _details(self) -> dict:
        """What R's summary(coxph) adds: log-likelihood, concordance and the three tests."""
        return {"log-likelihood": self.loglik, "iterations": self.iterations,
                **self._fit_statistics(), "fipeval": _version()}

    def _fit_statistics(self) -> dict:
        """What R's summary(coxph) prints below the coefficients."""
        def test(chi2, df, p):
            return f"{chi2:.4g} on {df} df, p = {p:.3g}"

        c = self.concordance
        return {"concordance": "not defined (diverged fit)" if c is None and
                "concordance_data" in self._ph else "not computed" if c is None else
                f"{c.concordance:.4f} ({c.concordant:,.0f} concordant, {c.discordant:,.0f} "
                f"discordant, {c.tied_x:,.0f} tied on the score)",
                "likelihood ratio test": test(*self.likelihood_ratio_test),
                "Wald test": test(*self.wald_test),
                "score (log-rank) test": test(*self.score_test_result),
                "AIC": round(self.aic, 4)}

    def _notes(self) -> tuple:
        notes = ["estimate is the log hazard ratio; hazard_ratio = exp(estimate). A hazard "
                 "ratio above 1 means benefits end sooner."]
        if not self.converged:
            notes.append("The fit did NOT converge; do not use these numbers.")
        if self.robust and self.columns.get("cluster") and self.n_clusters < FEW_CLUSTERS:
            notes.append(f"Only {self.n_clusters} clusters: the cluster-robust SE rest on few "
                         "clusters and may be too small.")
        return tuple(notes) + tuple(self.extra_notes)

    def ph_test(self, transform: Literal["km", "rank", "identity", "log"] = "km") -> PHTest:
        """Test proportional hazards per term and globally (Grambsch and Therneau 1994).

        Uses the scaled Schoenfeld residuals ``beta + d V r`` (``d`` events, ``V`` the
        model-based variance) regressed on transformed event time, as in R's
        ``cox.zph`` of survival 2.x; survival 3.x computes an exact score test instead and
        gives slightly different p-values.
        """
        check_option("transform", transform, ("km", "rank", "identity", "log"))
        ph = self._ph
        if "schoenfeld" not in ph:
            raise InputError(f"No proportional-hazards test for this fit ({self.title}); refit "
                             "with method='finegray' to test it on the expanded data.")
        t = {"km": ph["km"], "rank": stats.rankdata(ph["time"]), "identity": ph["time"],
             "log": np.log(ph["time"])}[transform]
        resid, V, d = ph["schoenfeld"], self.naive_vcov, len(ph["time"])
        xx = t - t.mean()
        u = xx @ resid
        uV = u @ V
        chisq = d * uV ** 2 / (np.diag(V) * (xx @ xx))
        global_chisq = float(d * uV @ u / (xx @ xx))
        p = len(self.terms)
        return PHTest(tuple(self.terms), chisq, np.ones(p), stats.chi2.sf(chisq, 1),
                      global_chisq, float(stats.chi2.sf(global_chisq, p)), t,
                      resid @ V * d + self.coef, transform)

    def plot(self, ax=None):
        """Forest plot of the hazard ratios with their confidence intervals."""
        from .plots import plot_forest
        return plot_forest(self.tidy(), ax=ax, title=self.title)


def _finite(ev: core.Evaluation) -> bool:
    return bool(np.isfinite(ev.loglik) and np.isfinite(ev.information).all())


def _newton(rs: core.RiskSets, p: int, max_iter: int, tol: float):
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return _newton_steps(rs, p, max_iter, tol)


def _newton_steps(rs: core.RiskSets, p: int, max_iter: int, tol: float):
    beta = np.zeros(p)
    ev = core.evaluate(rs, beta)
    loglik_null = ev.loglik
    try:  # the score (log-rank) test: U(0)' I(0)^-1 U(0)
        score_test = float(ev.score @ linalg.solve(ev.information, ev.score, assume_a="pos"))
    except (linalg.LinAlgError, ValueError):
        score_test = np.nan
    converged, halvings, it = False, 0, 0
    for it in range(1, max_iter + 1):
        try:
            step = linalg.solve(ev.information, ev.score, assume_a="pos")
        except (linalg.LinAlgError, ValueError) as err:
            if it > 1:  # information vanished on the way out: a coefficient runs off
                break
            raise EstimationError(
                "The information matrix of the Cox model is singular: the covariates do not "
                "vary enough among the rows at risk at the event times. Drop covariates that "
                "are (almost) constant or collinear.") from err
        new_beta = beta + step
        new = core.evaluate(rs, new_beta)
        while not _finite(new) or new.loglik < ev.loglik - 1e-12 * abs(ev.loglik):
            halvings += 1
            if halvings > 60:
                break
            new_beta = (new_beta + beta) / 2
            new = core.evaluate(rs, new_beta)
        if not _finite(new):
            # a coefficient runs off to infinity and exp() overflows or Efron's denominators
            # cancel: keep the last finite fit, flagged as not converged
            break
        change = abs(new.loglik - ev.loglik)
        beta, ev = new_beta, new
        if change <= tol * max(abs(ev.loglik), 1.0):
            converged = True
            break
    return beta, ev, loglik_null, it, converged, score_test


@columns_by_name
def cox(data: pd.DataFrame, *, duration: str, event: str, covariates: str | Sequence[str],
        entry: str | None = None, cluster: str | None = None, strata: str | Sequence[str] | None = None,
        weights: str | None = None, ties: Literal["efron", "breslow"] = "efron",
        robust: bool | None = None, alpha: float = 0.05, max_iter: int = MAX_ITER,
        timefix: bool = True) -> CoxResult:
    """Fit a Cox proportional hazards model of the time until the benefit ends.

    Parameters
    ----------
    data : DataFrame
        One row per spell (e.g. the cohort from ``fipeval.design.build_cohort``); not modified.
    duration : str
        Exit time: months on benefit until the end or censoring. With ``entry``, the time on
        the same clock (total spell duration).
    event : str
        1 if the benefit ended (by the reason of interest), 0 if censored.
    covariates : str or list of str
        Numeric, bool or categorical columns (categorical ones become indicators).
    entry : str, optional
        Delayed entry (left truncation): the time already spent on benefit when follow-up
        began, e.g. ``months_before_start``. A row is at risk at ``t`` when
        ``entry < t <= duration``, as in R's ``Surv(entry, duration, event)``.
    cluster : str, optional
        Cluster-robust (sandwich) standard errors with score residuals summed per cluster,
        e.g. ``caseworker`` (R's ``cluster()``; no small-sample factor, like R).
    strata : str or list of str, optional
        Separate baseline hazards per stratum, e.g. ``municipality``.
    weights : str, optional
        Case weights (e.g. matching weights). Non-integer weights switch on robust SE, as in R.
    ties : {"efron", "breslow"}
        Handling of tied exit times; monthly data are full of ties, Efron is the better one.
    robust : bool, optional
        Default: True when ``cluster`` is given or weights are not whole numbers.
    alpha : float
        1 - confidence level.
    max_iter : int
        Newton-Raphson iterations before giving up with a ``ConvergenceWarning``.
    timefix : bool
        Treat times closer than sqrt(machine epsilon) (absolutely or relative to their mean)
        as tied, as R's ``coxph`` does by default (``timefix = TRUE``): months computed from
        days along different paths differ in their last bits. False keeps every distinct
        float a distinct time.

    Returns
    -------
    CoxResult
        ``tidy()`` has the log hazard ratio in ``estimate`` and the hazard ratio after.

    Notes
    -----
    Matches R ``survival::coxph`` (3.5): coefficients, model-based and robust SE, including
    Efron ties with delayed entry (the score residuals of R's agscore3). Cox (1972); Efron
    (1977); Lin and Wei (1989) for the robust variance.

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.survival.prep import survival_data
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design))
    >>> res = fipeval.cox(data, duration="exit", event="event", covariates=["fip", "age"], cluster="caseworker",
    ...                   strata="municipality")
    >>> res.tidy()["term"].tolist()
    ['fip', 'age']
    >>> res.robust, res.n_clusters
    (True, 15)
    """
    check_option("ties", ties, TIES)
    if not 0 < alpha < 1:
        raise InputError(f"`alpha` must be between 0 and 1; got {alpha!r}.")
    covariates = as_list(covariates)
    if not covariates:
        raise InputError("`covariates` is empty; name at least one column (e.g. covariates=['fip']).")
    strata_cols = as_list(strata)
    extra = covariates + strata_cols + as_list(cluster)
    stop, ev, start, w = survival_arrays(data, duration, event, entry, weights, extra=extra,
                                         timefix=timefix)
    check_no_missing(data, extra)
    X, names = design_matrix(data, covariates)
    if strata_cols:
        key = data[strata_cols[0]] if len(strata_cols) == 1 else \
            data[strata_cols].astype(str).agg("|".join, axis=1)
        s_codes = pd.factorize(key, sort=True)[0].astype(np.int64)
    else:
        s_codes = None
    _check_identifiable(X, names, s_codes, ", ".join(strata_cols) or None)
    cl_codes, cl_labels = codes(data, cluster)
    robust = robust_variance(w, cluster, robust)

    rs = core.build_risk_sets(stop, ev, start, X, w, s_codes, ties)
    beta, fit, loglik_null, iterations, converged, score_test = _newton(rs, X.shape[1], max_iter,
                                                                       TOLERANCE)
    try:
        naive = linalg.inv(fit.information)
    except (linalg.LinAlgError, ValueError):
        naive = linalg.pinv(fit.information)
        converged = False
    naive = (naive + naive.T) / 2
    step = np.abs(fit.score @ naive)
    # a coefficient whose hazard ratio across its column's range exceeds exp(DIVERGED) is not
    # estimated by the data, it ran off (R's coxph reports NA for it)
    diverged = (not converged) & (np.abs(beta) * np.ptp(X, axis=0) > DIVERGED)
    if diverged.any():
        off = ", ".join(f"`{n}`" for n, d in zip(names, diverged) if d)
        warnings.warn(
            f"The Cox model did not converge: the coefficient of {off} is infinite (that "
            "covariate (almost) perfectly separates who leaves benefit, e.g. no events in one "
            "of its groups); it is reported as +/-inf without standard error and the other "
            "coefficients are their limits. Drop or merge that covariate.",
            ConvergenceWarning, stacklevel=caller_stacklevel())
    elif not converged:
        warnings.warn(
            f"The Cox model did not converge (stopped after {iterations} of at most {max_iter} "
            "iterations). A coefficient may be "
            "infinite (a covariate that (almost) perfectly separates who leaves benefit); "
            "check the covariates or raise `max_iter`.", ConvergenceWarning, stacklevel=caller_stacklevel())
    elif np.any((step > 1e-6) & (step > 1e-4 * np.abs(beta))):
        bad = names[int(np.argmax(step))]
        warnings.warn(
            f"The log-likelihood converged before `{bad}`; its coefficient may be infinite "
            "(e.g. no events in one of its groups). Drop or merge that covariate.",
            ConvergenceWarning, stacklevel=caller_stacklevel())
    # the other coefficients' variance, as R: from the information without the diverged ones
    kept = ~diverged
    naive_kept = (linalg.pinv(fit.information[np.ix_(kept, kept)]) if diverged.any()
                  else naive)
    n_clusters = None
    vcov = naive
    vcov_kept = naive_kept
    if robust:
        U = core.score_residuals(rs, fit) * rs.w[:, None]
        cl = None if cl_codes is None else cl_codes[rs.order]
        summed = core.cluster_sums(U, cl)
        G = summed @ naive
        vcov = G.T @ G
        if diverged.any():
            G_kept = summed[:, kept] @ naive_kept
            vcov_kept = G_kept.T @ G_kept
        n_clusters = len(cl_labels) if cluster is not None else len(rs.w)
        if cluster is not None and n_clusters < FEW_CLUSTERS:
            warnings.warn(
                f"Only {n_clusters} clusters in `{cluster}`: cluster-robust standard errors "
                "are unreliable with few clusters; report them with caution.",
                FewClustersWarning, stacklevel=caller_stacklevel())
    event_times = rs.event_time[rs.group]
    if diverged.any():
        beta = np.where(diverged, np.sign(beta) * np.inf, beta)
        vcov, naive = vcov.copy(), naive.copy()
        for m in (vcov, naive):
            m[diverged, :] = np.nan
            m[:, diverged] = np.nan
        if not diverged.all() and np.isfinite(naive_kept).all():
            keep = np.ix_(~diverged, ~diverged)
            naive[keep] = naive_kept
            vcov[keep] = vcov_kept
    with np.errstate(invalid="ignore"):
        se, naive_se = np.sqrt(np.diag(vcov)), np.sqrt(np.diag(naive))
    ph = {"schoenfeld": core.schoenfeld_residuals(rs, fit), "time": event_times,
          "km": _km_transform(stop, ev, start, event_times),
          # what the concordance needs; it is computed when asked for (summary()), not in
          # every re-assigned refit
          "concordance_data": (stop, ev, start, X, s_codes, w)}
    return CoxResult(
        terms=tuple(names), coef=beta, std_error=se, vcov=vcov,
        naive_std_error=naive_se, naive_vcov=naive, robust=bool(robust),
        loglik=fit.loglik, loglik_null=loglik_null, n=len(rs.w), n_events=len(rs.death_rows),
        n_clusters=n_clusters, iterations=iterations, converged=converged, ties=ties,
        alpha=alpha, score_test=score_test,
        columns={"duration": duration, "event": event, "entry": entry, "cluster": cluster,
                 "strata": ", ".join(strata_cols) or None, "weights": weights},
        _ph=ph)


def _km_transform(stop, ev, start, at) -> np.ndarray:
    """1 - KM(t-) evaluated at the event times (R cox.zph's default 'km' transform)."""
    times = np.unique(stop[ev == 1])
    n_exit = np.searchsorted(np.sort(stop), times, side="left")
    at_risk = len(stop) - n_exit
    if start is not None:
        at_risk = at_risk - (len(start) - np.searchsorted(np.sort(start), times, side="left"))
    deaths = np.bincount(np.searchsorted(times, stop[ev == 1]), minlength=len(times))
    surv = np.cumprod(1 - deaths / at_risk)
    before = np.concatenate([[1.0], surv[:-1]])
    return 1 - before[np.searchsorted(times, at)]
