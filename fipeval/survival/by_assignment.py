"""Survival statistics for many re-assignments of FIP to caseworkers at once.

Randomization inference (:func:`fipeval.inference.design.randomization_t`) recomputes a
statistic for every re-assignment of FIP to caseworkers. FIP is constant within a caseworker,
so a group's numbers at risk and events at each time are sums of its caseworkers' numbers:
with ``N`` (caseworkers x times) at risk and ``D`` events, the FIP group of every assignment
at once is ``A @ N`` and ``A @ D`` (``A``: assignments x caseworkers, 0/1). Each function
here returns a ``batch(A, clusters) -> (estimates, std_errors)`` for ``randomization_t``
that equals the one-assignment-at-a-time statistic (tested to 1e-10 against
:func:`fipeval.survival.km.rmst` and :func:`~fipeval.survival.km.logrank`) at the cost of a
few matrix products instead of one refit per assignment.

Unweighted data only; ``entry`` (delayed entry) is supported.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import InputError
from ._input import survival_arrays

Batch = Callable[[np.ndarray, pd.Index], tuple[np.ndarray, np.ndarray]]


def _counts(stop, event, start, codes, n_clusters, times):
    """At risk (entry < t <= stop) and events per cluster at each of ``times``."""
    def reaching(t_end):          # rows with t_end >= t, per cluster and time
        k = np.searchsorted(times, t_end, side="right")    # the row reaches times[:k]
        m = np.zeros((n_clusters, len(times) + 1))
        np.add.at(m, (codes, k), 1.0)
        return np.cumsum(m[:, ::-1], axis=1)[:, ::-1][:, 1:]
    at_risk = reaching(stop)
    if start is not None:
        at_risk = at_risk - reaching(start)
    ev = event == 1
    events = np.zeros((n_clusters, len(times)))
    np.add.at(events, (codes[ev], np.searchsorted(times, stop[ev])), 1.0)
    return at_risk, events


def _stratified_counts(data, duration, event, *, cluster, strata, entry):
    """``counts(clusters) -> (N, D)``: at risk and events per cluster (rows) at each stratum's
    event times (columns, the strata side by side; zeros outside a cluster's stratum)."""
    stop, ev, start, _ = survival_arrays(data, duration, event, entry, None,
                                         extra=[cluster] + ([strata] if strata else []))
    s_codes = (pd.factorize(data[strata], sort=True)[0] if strata
               else np.zeros(len(data), dtype=np.int64))

    def counts(clusters):
        codes = _cluster_codes(data, cluster, clusters)
        Ns, Ds = [], []
        for s in np.unique(s_codes):
            m = s_codes == s
            times = np.unique(stop[m][ev[m] == 1])
            if len(times):
                N, D = _counts(stop[m], ev[m], None if start is None else start[m], codes[m],
                               len(clusters), times)
                Ns.append(N)
                Ds.append(D)
        return np.hstack(Ns), np.hstack(Ds)
    return counts


def _cluster_codes(data, cluster, clusters):
    codes = pd.Index(clusters).get_indexer(data[cluster])
    if (codes < 0).any():
        raise InputError(f"`{cluster}` has values outside the assignment's clusters.")
    return codes


def rmst_difference_batch(data: pd.DataFrame, duration: str, event: str, *, cluster: str,
                          tau: float, entry: str | None = None) -> Batch:
    """RMST difference FIP - control within ``tau`` and its SE, for many assignments.

    Equals ``rmst(data_with_assignment, duration, event, group, tau=tau).difference`` and
    ``.std_error``; an assignment whose group is not followed up to ``tau`` (where ``rmst``
    refuses to extrapolate) gives NaN.
    """
    stop, ev, start, _ = survival_arrays(data, duration, event, entry, None, extra=[cluster])
    times = np.unique(stop)

    def batch(A: np.ndarray, clusters: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        codes = _cluster_codes(data, cluster, clusters)
        N, D = _counts(stop, ev, start, codes, len(clusters), times)
        longest = np.zeros(len(clusters))
        np.maximum.at(longest, codes, stop)
        A = np.asarray(A, float)
        keep = times < tau
        widths = np.diff(np.concatenate([[0.0], times[keep], [tau]]))
        means, variances, reach = [], [], []
        for member in (A, 1.0 - A):                    # FIP, then control
            n, d = member @ N[:, keep], member @ D[:, keep]
            with np.errstate(divide="ignore", invalid="ignore"):
                surv = np.cumprod(1.0 - np.where(n > 0, d / n, 0.0), axis=1)
                inc = np.where((n > d) & (d > 0), d / (n * (n - d)), 0.0)
            heights = np.column_stack([np.ones(len(A)), surv])
            areas = widths * heights
            after = np.cumsum(areas[:, ::-1], axis=1)[:, ::-1][:, 1:]
            means.append(areas.sum(axis=1))
            variances.append(np.sum(after ** 2 * inc, axis=1))
            reach.append(np.max(np.where(member > 0, longest, -np.inf), axis=1) >= tau)
        diff = means[0] - means[1]
        se = np.sqrt(variances[0] + variances[1])
        ok = reach[0] & reach[1]
        return np.where(ok, diff, np.nan), np.where(ok, se, np.nan)
    return batch


def logrank_root_batch(data: pd.DataFrame, duration: str, event: str, *, cluster: str,
                       strata: str | None = None, entry: str | None = None) -> Batch:
    """Square root of the (stratified) two-group log-rank chi-square, for many assignments.

    Equals ``sqrt(logrank(data_with_assignment, duration, event, group, strata=strata).chisq)``
    (the second value returned is 1: the statistic is already studentised).
    """
    counts = _stratified_counts(data, duration, event, cluster=cluster, strata=strata,
                                entry=entry)

    def batch(A: np.ndarray, clusters: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        N, D = counts(clusters)
        n, d = N.sum(axis=0), D.sum(axis=0)
        A = np.asarray(A, float)
        n1, d1 = A @ N, A @ D
        factor = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1e-300), 0.0) / n
        o_minus_e = (d1 - n1 * (d / n)).sum(axis=1)
        variance = (factor * n1 - n1 ** 2 * (factor / n)).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.abs(o_minus_e) / np.sqrt(variance)
        return root, np.ones(len(A))
    return batch


def cox_log_hr_batch(data: pd.DataFrame, duration: str, event: str, *, cluster: str,
                     strata: str | None = None, entry: str | None = None,
                     ties: str = "efron", max_iter: int = 50) -> Batch:
    """Cox log hazard ratio of FIP and its cluster-robust SE (by ``cluster``), for many
    assignments.

    Equals ``cox(data_with_assignment, duration, event, [group], entry=entry, cluster=cluster,
    strata=strata, ties=ties)`` for the one covariate: with FIP constant within a caseworker,
    the Efron (or Breslow) score and information at every event time depend only on the
    numbers at risk and events of the two groups, and a caseworker's summed score residual
    (R's agscore3, summed by cluster) on its own numbers. Newton-Raphson runs for all
    assignments at once, to full convergence; an assignment whose fit runs off to an
    infinite coefficient (no events in a group) gives NaN.
    """
    if ties not in ("efron", "breslow"):
        raise InputError(f"`ties` must be 'efron' or 'breslow'; got {ties!r}.")
    counts = _stratified_counts(data, duration, event, cluster=cluster, strata=strata,
                                entry=entry)

    def batch(A: np.ndarray, clusters: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        N, D = counts(clusters)
        d = D.sum(axis=0).astype(np.int64)
        g = np.repeat(np.arange(len(d)), d)              # event time of each pseudo-event
        first = np.concatenate([[0], np.cumsum(d)[:-1]])
        f = ((np.arange(len(g)) - first[g]) / d[g] if ties == "efron"
             else np.zeros(len(g)))
        A = np.asarray(A, float)
        beta, se = np.empty(len(A)), np.empty(len(A))
        chunk = max(1, int(4e6 // max(len(g), 1)))       # keep draws x pseudo-events small
        for lo in range(0, len(A), chunk):
            beta[lo:lo + chunk], se[lo:lo + chunk] = _cox_binary(
                A[lo:lo + chunk], N, D, g, f, first, max_iter)
        return beta, se
    return batch


def _cox_binary(A, N, D, g, f, first, max_iter):
    """Newton-Raphson and the cluster-robust SE for rows of assignments ``A`` (R x G)."""
    n1, d1 = A @ N, A @ D                                # R x J
    n, d = N.sum(axis=0), D.sum(axis=0)
    n0, d0 = n - n1, d - d1
    events1 = d1.sum(axis=1)

    def moments(beta):
        e = np.exp(beta)[:, None]
        S1, E1 = n1 * e, d1 * e
        den = (S1 + n0)[:, g] - f * (E1 + d0)[:, g]      # R x pseudo-events
        M = (S1[:, g] - f * E1[:, g]) / den
        return e, den, M

    beta = np.zeros(len(A))
    converged = np.zeros(len(A), bool)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            _, _, M = moments(beta)
            score = events1 - M.sum(axis=1)
            info = (M - M ** 2).sum(axis=1)
            step = score / info
            beta = np.where(converged, beta, beta + step)
            converged |= np.abs(step) <= 1e-12 * np.maximum(1.0, np.abs(beta))
            if converged.all():
                break
        e, den, M = moments(beta)
        info = (M - M ** 2).sum(axis=1)
        h = 1.0 / den
        P0, P1 = np.add.reduceat(h, first, axis=1), np.add.reduceat(h * M, first, axis=1)
        Q0 = np.add.reduceat(h * f, first, axis=1)
        Q1 = np.add.reduceat(h * f * M, first, axis=1)
        mbar = np.add.reduceat(M, first, axis=1) / d
        # each caseworker's summed score residual, all of its clients sharing FIP = a
        risk = np.where(A > 0, e, 1.0)                  # exp(beta * FIP) per caseworker
        W = (A * D.sum(axis=1) - mbar @ D.T
             - risk * (A * (P0 @ N.T) - P1 @ N.T)
             + risk * (A * (Q0 @ D.T) - Q1 @ D.T))
        se = np.sqrt((W ** 2).sum(axis=1)) / info
    ok = converged & np.isfinite(beta) & np.isfinite(se) & (np.abs(beta) < 20)
    return np.where(ok, beta, np.nan), np.where(ok, se, np.nan)
