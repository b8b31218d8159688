"""Competing end reasons: Aalen-Johansen cumulative incidence, cause-specific Cox, Fine-Gray.

A benefit ends for one reason (work, enforcement, moving, partner, other benefit, ...); the
others compete. The cumulative incidence of a reason is the probability of having left for
that reason by time ``t``; the incidences of all reasons add up to 1 - Kaplan-Meier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import (EstimationError, InputError, check_columns, check_option, columns_by_name,
                      renamed)
from ..results import Result
from ._input import as_list, check_no_missing, survival_arrays
from .cox_model import CoxResult, cox
from .km import _at_risk, _group_codes, _version, _z


def _causes(data: pd.DataFrame, cause: str, event: str | None, censored_value) -> tuple:
    """Per row the cause label (None = censored) and the sorted list of causes."""
    values = data[cause]
    if event is not None:
        censored = data[event].to_numpy(dtype=float) == 0
        missing = (~censored) & values.isna().to_numpy()
        if missing.any():
            raise InputError(f"`{cause}` is missing for {int(missing.sum())} row(s) with "
                             f"`{event}` = 1; every ended benefit needs an end reason "
                             "(map unknown ones to 'unknown').")
    else:
        censored = values.isna().to_numpy()
        if censored_value is not None:
            censored = censored | (values == censored_value).to_numpy()   # to_numpy may be read-only (copy-on-write)
    labels = sorted(pd.unique(values[~censored]).tolist(), key=str)
    if not labels:
        raise EstimationError(f"No row has an end reason in `{cause}` (all censored); nothing "
                              "to estimate.")
    code = np.full(len(data), -1, dtype=np.int64)
    lookup = {lab: k for k, lab in enumerate(labels)}
    code[~censored] = values[~censored].map(lookup).to_numpy()
    return code, labels


def aalen_johansen(stop, code, n_causes: int, start=None, w=None) -> dict:
    """Cumulative incidence per cause at every distinct exit time with Gray's (1988)
    variance as computed by cmprsk::cuminc (counts as weights when ``w`` is given)."""
    w = np.ones(len(stop)) if w is None else w
    times = np.unique(stop)
    idx = np.searchsorted(times, stop)
    n = _at_risk(times, stop, start, w)
    d = np.column_stack([np.bincount(idx, weights=w * (code == k), minlength=len(times))
                         for k in range(n_causes)])
    d_all = d.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(n > 0, 1 - d_all / n, 1.0))
        before = np.concatenate([[1.0], surv[:-1]])
        cif = np.cumsum(before[:, None] * np.where(n[:, None] > 0, d / n[:, None], 0.0), axis=0)
        var = np.empty_like(cif)
        t3 = np.where(surv > 0, 1 / surv, 0.0)
        for k in range(n_causes):
            F = cif[:, k]
            nd1, nd2 = d[:, k], d_all - d[:, k]
            t5_1 = np.where(nd1 > 1, 1 - (nd1 - 1) / (n - 1), 1.0)
            t5_2 = np.where(nd2 > 1, 1 - (nd2 - 1) / (n - 1), 1.0)
            t6_1 = before ** 2 * t5_1 * nd1 / n ** 2
            t6_2 = np.where((nd2 > 0) & (surv > 0), before ** 2 * t5_2 * nd2 / n ** 2, 0.0)
            t6_1 = np.where(nd1 > 0, t6_1, 0.0)
            t4_2 = F * t3
            t4_1 = 1 + t3 * F
            v1 = np.cumsum(t4_2 ** 2 * t6_2 + t4_1 ** 2 * t6_1)
            v2 = np.cumsum(t3 * t4_2 * t6_2 + t3 * t4_1 * t6_1)
            v3 = np.cumsum(t3 ** 2 * t6_2 + t3 ** 2 * t6_1)
            v = v1 + F ** 2 * v3 - 2 * F * v2
            # cmprsk reports a new variance only at times with an event of this cause
            last = np.maximum.accumulate(np.where(nd1 > 0, np.arange(len(times)), -1))
            var[:, k] = np.where(last >= 0, v[np.maximum(last, 0)], 0.0)
    return {"time": times, "n_risk": n, "n_event": d, "survival": surv, "cif": cif,
            "variance": var}


@dataclass(frozen=True, eq=False, repr=False)
class CumulativeIncidenceResult(Result):
    """Aalen-Johansen cumulative incidence per end reason (and group)."""

    table: pd.DataFrame
    groups: tuple
    causes: tuple
    alpha: float
    columns: dict = field(default_factory=dict)
    title: str = "Cumulative incidence of ending benefit, by end reason (Aalen-Johansen)"

    def at(self, times: Sequence[float]) -> pd.DataFrame:
        """Cumulative incidence, variance and CI at the given times (cmprsk::timepoints)."""
        rows = []
        for (g, c), part in self.table.groupby(["group", "cause"], sort=False):
            t = part["time"].to_numpy()
            for tau in times:
                i = np.searchsorted(t, tau, side="right") - 1
                rec = part.iloc[i] if i >= 0 else None
                rows.append({"group": g, "cause": c, "time": float(tau),
                             "cif": rec["cif"] if rec is not None else 0.0,
                             "variance": rec["variance"] if rec is not None else 0.0,
                             "ci_lower": rec["ci_lower"] if rec is not None else np.nan,
                             "ci_upper": rec["ci_upper"] if rec is not None else np.nan})
        return pd.DataFrame(rows)

    def tidy(self) -> pd.DataFrame:
        """Cumulative incidence per group and cause at the end of follow-up."""
        last = self.table.groupby(["group", "cause"], sort=False).tail(1)
        out = pd.DataFrame({
            "term": [f"cif[{c}|{g}]" for g, c in zip(last["group"], last["cause"])],
            "estimate": last["cif"].to_numpy(), "std_error": np.sqrt(last["variance"]).to_numpy(),
            "statistic": np.nan, "p_value": np.nan,
            "ci_lower": last["ci_lower"].to_numpy(), "ci_upper": last["ci_upper"].to_numpy(),
            "time": last["time"].to_numpy()})
        return out

    def _header(self) -> dict:
        c = self.columns
        return {"duration": c.get("duration"), "end reason": c.get("cause"),
                "group": c.get("group") or "none", "delayed entry": c.get("entry") or "none",
                "weights": c.get("weights") or "none",
                "variance": "Gray (1988), as cmprsk::cuminc",
                "confidence interval": f"{1 - self.alpha:.0%}, log(-log) scale",
                "fipeval": _version()}

    @renamed(group="value")
    def plot(self, value=None, ax=None, stacked: bool = True, **kwargs):
        """Cumulative incidence of each end reason for one value of ``by`` (default: the
        first), stacked (default) or as lines with confidence bands."""
        from .plots import plot_cumulative_incidence
        group = self.groups[0] if value is None else value
        if group not in self.groups:
            raise InputError(f"Unknown group {group!r}; groups are {list(self.groups)}.")
        part = self.table[self.table["group"] == group]
        return plot_cumulative_incidence(part, ax=ax, stacked=stacked, **kwargs)


@renamed(group="by")
@columns_by_name
def cumulative_incidence(data: pd.DataFrame, *, duration: str, cause: str,
                         event: str | None = None, by: str | None = None,
                         entry: str | None = None, weights: str | None = None,
                         censored_value=0, alpha: float = 0.05) -> CumulativeIncidenceResult:
    """Aalen-Johansen cumulative incidence of each end reason, per group.

    Parameters
    ----------
    data : DataFrame
        One row per spell; not modified.
    duration : str
        Exit time (months on benefit until end or censoring).
    cause : str
        End reason; missing (or ``censored_value``) means censored, e.g. ``end_reason``.
    event : str, optional
        0/1 column; rows with 0 are censored whatever ``cause`` says (e.g. ``ended``).
    by : str, optional
        One set of curves per value of this column, e.g. ``fip``.
    entry, weights : str, optional
        Delayed entry and case weights.
    censored_value : optional
        Value of ``cause`` meaning censored (default 0, for numeric codes).
    alpha : float
        1 - confidence level; intervals on the log(-log) scale.

    Notes
    -----
    Aalen and Johansen (1978); variance of Gray (1988), as ``cmprsk::cuminc``. Tied times
    are handled exactly (no random jitter), so the result does not depend on a seed.

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.survival.prep import survival_data
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design))
    >>> ci = fipeval.cumulative_incidence(data, duration="exit", cause="cause", event="event", by="fip")
    >>> ci.causes
    ('enforcement', 'moved', 'other', 'other_benefit', 'partner', 'work')
    """
    group = by  # the result's table calls the column "group"
    z = _z(alpha)
    check_columns(data, [cause], what="data")
    stop, _, start, w = survival_arrays(data, duration, event, entry, weights,
                                        extra=as_list(group))
    code, labels = _causes(data, cause, event, censored_value)
    gcodes, glabels = _group_codes(data, group)
    parts = []
    for gi, g in enumerate(glabels):
        m = gcodes == gi
        aj = aalen_johansen(stop[m], code[m], len(labels), None if start is None else start[m],
                            w[m])
        for k, c in enumerate(labels):
            F, V = aj["cif"][:, k], aj["variance"][:, k]
            with np.errstate(divide="ignore", invalid="ignore"):
                sd = np.sqrt(V) / (F * np.log(F))
                lower, upper = F ** np.exp(-z * sd), F ** np.exp(z * sd)
            ok = (F > 0) & (F < 1)
            parts.append(pd.DataFrame({
                "group": g, "cause": c, "time": aj["time"], "n_risk": aj["n_risk"],
                "n_event": aj["n_event"][:, k], "cif": F, "variance": V,
                "std_error": np.sqrt(V), "ci_lower": np.where(ok, lower, np.nan),
                "ci_upper": np.where(ok, upper, np.nan)}))
    return CumulativeIncidenceResult(pd.concat(parts, ignore_index=True), tuple(glabels),
                                     tuple(labels), alpha,
                                     {"duration": duration, "cause": cause, "group": group,
                                      "entry": entry, "weights": weights})


@columns_by_name
def cause_specific_cox(data: pd.DataFrame, *, duration: str, cause: str, covariates,
                       cause_of_interest, event: str | None = None, censored_value=0,
                       **kwargs) -> CoxResult:
    """Cox model of the hazard of ending for one reason, the other reasons censored.

    Takes every option of ``cox`` (entry, cluster, strata, weights, ties).

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.survival.prep import survival_data
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design))
    >>> res = fipeval.survival.cause_specific_cox(data, duration="exit", cause="cause",
    ...                                           covariates=["fip"], cause_of_interest="work",
    ...                                           event="event")
    >>> res.n_events
    95
    """
    code, labels = _causes(data, cause, event, censored_value)
    if cause_of_interest not in labels:
        raise InputError(f"`cause_of_interest`={cause_of_interest!r} does not occur in "
                         f"`{cause}` (reasons seen: {labels}).")
    column = "__event_of_interest__"
    frame = data.assign(**{column: (code == labels.index(cause_of_interest)).astype(int)})
    res = cox(frame, duration=duration, event=column, covariates=covariates, **kwargs)
    columns = dict(res.columns, event=f"{cause} == {cause_of_interest!r}")
    return _replace(res, columns=columns,
                    title=f"Cause-specific Cox model: ending by {cause_of_interest}")


def _replace(res, **changes):
    from dataclasses import replace
    return replace(res, **changes)


def finegray_data(data: pd.DataFrame, duration: str, code: np.ndarray, target: int,
                  keep: Sequence[str]) -> pd.DataFrame:
    """Expand the data for a Fine-Gray fit exactly as R's ``survival::finegray``: rows that
    ended for a competing reason stay in the risk set after their exit with weights
    G(t-) / G(T-), G the Kaplan-Meier curve of the censoring, over the intervals that hold an
    event of interest."""
    T = data[duration].to_numpy(dtype=float)
    status = code + 1                                     # 0 censored, k+1 cause k
    enum = target + 1
    utime = np.unique(np.concatenate([[0.0], T]))
    # censoring KM on the index scale; events sit 0.2 before their time, so censorings at an
    # event time are processed after the events (R's newtime trick)
    idx = np.searchsorted(utime, T).astype(float)
    idx[status != 0] -= 0.2
    cens_times = np.unique(idx[status == 0])
    order = np.sort(idx)
    n_risk = len(idx) - np.searchsorted(order, cens_times, side="left")
    n_cens = np.bincount(np.searchsorted(cens_times, idx[status == 0]),
                         minlength=len(cens_times))
    G = np.cumprod(1 - n_cens / n_risk)
    ctime = utime[cens_times.astype(int)]
    times = np.unique(T[status == enum])
    ct2 = np.concatenate([ctime, [T.max()]])
    cp2 = np.concatenate([[1.0], G])
    seen = np.unique(np.searchsorted(ct2, times, side="left"))   # findInterval(left.open)
    kept = seen[seen >= 1]                                # interval j: (ct2[j-1], ct2[j]]
    expand = (status != 0) & (status != enum)
    j0 = np.searchsorted(ct2, T, side="left")             # first ct2 >= T
    stop = T.copy()
    stop[expand] = ct2[j0[expand]]
    rows = [np.arange(len(T))]
    start_parts, stop_parts, wt_parts = [np.zeros(len(T))], [stop], [np.ones(len(T))]
    ex = np.flatnonzero(expand)
    first = np.searchsorted(kept, j0[ex], side="right")
    counts = len(kept) - first
    rep_rows = np.repeat(ex, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    js = kept[np.repeat(first, counts) + offsets]
    rows.append(rep_rows)
    start_parts.append(ct2[js - 1])
    stop_parts.append(ct2[js])
    wt_parts.append(cp2[js] / cp2[j0[rep_rows]])
    row = np.concatenate(rows)
    out = data.iloc[row][list(keep)].reset_index(drop=True)
    out["fgstart"] = np.concatenate(start_parts)
    out["fgstop"] = np.concatenate(stop_parts)
    out["fgstatus"] = (status[row] == enum).astype(int)
    out["fgwt"] = np.concatenate(wt_parts)
    out["fgrow"] = row
    return out.sort_values(["fgrow", "fgstart"], kind="stable").reset_index(drop=True)


FINE_GRAY_METHODS = ("finegray", "crr")


@columns_by_name
def fine_gray(data: pd.DataFrame, *, duration: str, cause: str, covariates,
              cause_of_interest, event: str | None = None, censored_value=0,
              cluster: str | None = None, weights: str | None = None,
              method: str = "finegray", ties: str | None = None,
              alpha: float = 0.05) -> CoxResult:
    """Fine-Gray model of the subdistribution hazard of ending for one reason.

    The coefficients describe the effect on the cumulative incidence of that reason (a
    subdistribution hazard ratio above 1 means more clients leave for that reason), with the
    competing reasons kept in the risk set with inverse-probability-of-censoring weights.

    Parameters
    ----------
    data : DataFrame
        One row per spell; not modified. Right-censored data only (no delayed entry).
    duration, cause, covariates
        As in ``cause_specific_cox``.
    cause_of_interest
        The end reason modelled (e.g. "work").
    cluster : str, optional
        Cluster the robust SE by this column of ``data`` (e.g. ``caseworker``). Without it
        the SE is R's default for ``coxph`` on ``finegray`` data: robust per expanded row.
    weights : str, optional
        Case weights (e.g. matching weights); they multiply the censoring weights, as in R.
    method : {"finegray", "crr"}
        "finegray" (default): R's ``coxph(Surv(fgstart, fgstop, fgstatus) ~ x,
        weights = fgwt, data = finegray(...))``, with clusters and weights, robust SE per
        expanded row or cluster. "crr": ``cmprsk::crr(ftime, fstatus, x)``, its estimator
        exactly: censoring weights read just before each time, Breslow ties, and its
        variance with the term for the estimated censoring distribution; no clusters or
        weights (crr has none). The two differ where censorings tie with events (about 0.005
        in a coefficient on monthly data).
    ties : {"efron", "breslow"}, optional
        Ties among events of interest. Default "efron" for "finegray" (coxph's default) and
        "breslow" for "crr" (the only choice crr has).
    alpha : float
        1 - confidence level.

    Notes
    -----
    Fine and Gray (1999). ``method="finegray"`` equals R's ``finegray`` + ``coxph``;
    ``method="crr"`` equals ``cmprsk::crr`` (tests/reference/survival/crr_ref.R).

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.survival.prep import survival_data
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design))
    >>> res = fipeval.fine_gray(data, duration="exit", cause="cause", covariates=["fip"], cause_of_interest="work",
    ...                         event="event")
    >>> res.tidy()["term"].tolist()
    ['fip']
    """
    check_option("method", method, FINE_GRAY_METHODS)
    if ties is None:
        ties = "efron" if method == "finegray" else "breslow"
    check_option("ties", ties, ("efron", "breslow"))
    if method == "crr" and (ties != "breslow" or cluster is not None or weights is not None):
        raise InputError("method='crr' reproduces cmprsk::crr, which has Breslow ties and no "
                         "clusters or weights; use method='finegray' for those.")
    covariates = as_list(covariates)
    check_no_missing(data, covariates + as_list(cluster) + [duration])
    stop, _, _, _ = survival_arrays(data, duration, None, None, weights,
                                    extra=covariates + as_list(cluster))
    code, labels = _causes(data, cause, event, censored_value)
    if cause_of_interest not in labels:
        raise InputError(f"`cause_of_interest`={cause_of_interest!r} does not occur in "
                         f"`{cause}` (reasons seen: {labels}).")
    if method == "crr":
        return _fine_gray_crr(data, stop, code, labels, cause, cause_of_interest, covariates,
                              duration, alpha)
    expanded = finegray_data(data, duration, code, labels.index(cause_of_interest),
                             covariates + as_list(cluster) + as_list(weights))
    if weights is not None:
        expanded["fgwt"] = expanded["fgwt"] * expanded[weights].to_numpy(dtype=float)
    res = cox(expanded, duration="fgstop", event="fgstatus", covariates=covariates, entry="fgstart", weights="fgwt",
              cluster=cluster, robust=True, ties=ties, alpha=alpha)
    columns = dict(res.columns, duration=duration, event=f"{cause} == {cause_of_interest!r}",
                   entry=None, weights="IPCW (finegray)" + (f" x `{weights}`" if weights else ""))
    return _replace(res, columns=columns, n=len(data),
                    title=f"Fine-Gray subdistribution hazards: ending by {cause_of_interest}")


def _fine_gray_crr(data, stop, code, labels, cause, cause_of_interest, covariates, duration,
                   alpha) -> CoxResult:
    """``cmprsk::crr`` on the (timefix-tied) durations, as a CoxResult."""
    from ._crr import crr_fit

    X = data[covariates].to_numpy(dtype=float)
    target = labels.index(cause_of_interest)
    # crr's codes: 0 censored, 1 the cause of interest, 2 any competing cause
    status = np.where(code < 0, 0, np.where(code == target, 1, 2))
    fit = crr_fit(stop, status, X, failcode=1, cencode=0)
    with np.errstate(invalid="ignore"):
        se, naive_se = np.sqrt(np.diag(fit["vcov"])), np.sqrt(np.diag(fit["naive_vcov"]))
    return CoxResult(
        terms=tuple(covariates), coef=fit["coef"], std_error=se, vcov=fit["vcov"],
        naive_std_error=naive_se, naive_vcov=fit["naive_vcov"], robust=True,
        loglik=fit["loglik"], loglik_null=fit["loglik_null"], n=len(data),
        n_events=int(np.sum(status == 1)), n_clusters=None, iterations=fit["n_iter"],
        converged=fit["converged"], ties="breslow", alpha=alpha, score_test=fit["score_test"],
        columns={"duration": duration, "event": f"{cause} == {cause_of_interest!r}",
                 "entry": None, "cluster": None, "strata": None,
                 "weights": "IPCW (cmprsk::crr)"},
        title=f"Fine-Gray subdistribution hazards (crr): ending by {cause_of_interest}")
