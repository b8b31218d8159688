"""Vectorised partial likelihood of the Cox model (Efron and Breslow ties).

Everything here works on plain arrays and never touches a DataFrame, so each number can be
checked against R's ``survival`` (coxph, agreg.fit, agscore3, coxscore2) directly.

The risk set at an event time ``t`` holds the rows of the same stratum with
``entry < t <= stop`` (R's counting-process convention: a row that enters at ``t`` is not at
risk at ``t``). All per-iteration work is O(n p^2): risk-set sums come from cumulative sums
over rows sorted by exit and by entry, and the information matrix is one weighted
cross-product ``X' diag(c) X`` where ``c_i`` accumulates the hazard increments over the event
times row ``i`` is at risk for. Efron's correction treats the ``d`` tied events at a time as
``d`` pseudo-events with the tied rows' weight in the denominator reduced by ``k/d``.

Score residuals follow R's agscore3: for row ``i``

    U_i = delta_i (x_i - mean_k m_k) - e_i sum_{t at risk} sum_k h_tk (x_i - m_tk)
          + delta_i e_i sum_k h_k (k/d) (x_i - m_k)          (own event time, Efron only)

with ``e_i = exp(eta_i)``, ``h_tk = meanwt_t / D_tk`` and ``m_tk`` the weighted mean at the
k-th pseudo-event. The cluster-robust variance is ``I^-1 (sum_c W_c W_c') I^-1`` with
``W_c`` the sum of ``w_i U_i`` over cluster ``c``: linear time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _bincount2(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Column-wise bincount: sums the rows of ``values`` (n x p) by ``groups``."""
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(groups, weights=values[:, j], minlength=size)
    return out


@dataclass
class RiskSets:
    """Sorted data and the index arrays that give risk-set sums by cumulative differences."""

    X: np.ndarray            # n x p, centred, rows in exit order
    w: np.ndarray            # case weights
    event: np.ndarray        # 0/1
    order: np.ndarray        # sorted position -> original row
    start_order: np.ndarray | None   # positions sorted by entry key (None: no delayed entry)
    lo: np.ndarray           # per event time: first sorted row with exit >= t (same stratum)
    hi: np.ndarray           # per event time: end of the stratum in exit order
    lo_e: np.ndarray | None  # per event time: first row (entry order) with entry >= t
    hi_e: np.ndarray | None
    death_rows: np.ndarray   # sorted positions of event rows, grouped by event time
    group: np.ndarray        # event time index of each event row
    frac: np.ndarray         # k/d for Efron (0 for Breslow)
    n_tied: np.ndarray       # events per event time
    meanwt: np.ndarray       # mean weight of the events at each event time
    stop_idx: np.ndarray     # per row: number of event times <= its exit
    start_idx: np.ndarray    # per row: number of event times <= its entry (or stratum start)
    event_time: np.ndarray   # the time of each event time index
    event_stratum: np.ndarray
    means: np.ndarray        # the column means removed from X
    weighted_event_sum: np.ndarray | None = None   # sum of w x over the event rows

    @property
    def n_times(self) -> int:
        return len(self.n_tied)


def build_risk_sets(stop, event, start, X, w, strata, ties: str) -> RiskSets:
    """Sort once; everything an iteration needs is an index array afterwards.

    Rows are sorted by (stratum, exit time) with the events first among tied exits, so the
    events at an event time are the contiguous block ``[lo, lo + n_tied)``.
    """
    n, p = X.shape
    keep = w > 0
    if not keep.all():
        stop, event, X, w = stop[keep], event[keep], X[keep], w[keep]
        start = None if start is None else start[keep]
        strata = None if strata is None else strata[keep]
        kept_rows = np.flatnonzero(keep)
    else:
        kept_rows = np.arange(n)
    n = len(stop)
    s = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata, dtype=np.int64)
    times = np.unique(stop) if start is None else np.unique(np.concatenate([stop, start]))
    n_codes = len(times) + 1
    stop_key = s * n_codes + np.searchsorted(times, stop) + 1
    if start is None:
        start_key = s * n_codes
    else:
        start_key = s * n_codes + np.searchsorted(times, start) + 1

    order = np.argsort(2 * stop_key + (event != 1), kind="stable")   # events first among ties
    stop_key, start_key = stop_key[order], start_key[order]
    ev, ws = event[order], w[order]
    # column-major: every per-iteration pass (products, cumulative sums) runs down columns
    Xs = np.empty((n, p), order="F")
    means = np.empty(p)
    for j in range(p):
        col = X[order, j]
        means[j] = np.dot(col, ws) / ws.sum()
        Xs[:, j] = col - means[j]

    death_rows = np.flatnonzero(ev == 1)
    dkeys, first, n_tied = np.unique(stop_key[death_rows], return_index=True, return_counts=True)
    group = np.repeat(np.arange(len(dkeys)), n_tied)
    if ties == "efron":
        frac = (np.arange(len(death_rows)) - np.repeat(first, n_tied)) / np.repeat(n_tied, n_tied)
    else:
        frac = np.zeros(len(death_rows))
    meanwt = np.bincount(group, weights=ws[death_rows], minlength=len(dkeys)) / n_tied
    d_stratum = dkeys // n_codes
    stratum_end = (d_stratum + 1) * n_codes
    lo = np.searchsorted(stop_key, dkeys, side="left")
    hi = np.searchsorted(stop_key, stratum_end, side="left")
    if start is None:
        start_order = lo_e = hi_e = None
    else:
        start_order = np.argsort(start_key, kind="stable")
        sk = start_key[start_order]
        lo_e = np.searchsorted(sk, dkeys, side="left")
        hi_e = np.searchsorted(sk, stratum_end, side="left")
    stop_idx = np.searchsorted(dkeys, stop_key, side="right")
    start_idx = np.searchsorted(dkeys, start_key, side="right")
    event_time = times[(dkeys % n_codes) - 1]
    rs = RiskSets(Xs, ws, ev, kept_rows[order], start_order, lo, hi, lo_e, hi_e, death_rows,
                  group, frac, n_tied, meanwt, stop_idx, start_idx, event_time, d_stratum, means)
    rs.weighted_event_sum = ws[death_rows] @ Xs[death_rows]
    return rs


def _cumsum0(values: np.ndarray) -> np.ndarray:
    """Cumulative sum along axis 0 with a leading row of zeros (column-major for 2-D)."""
    out = np.empty((values.shape[0] + 1,) + values.shape[1:], order="F")
    out[0] = 0
    np.cumsum(values, axis=0, out=out[1:])
    return out


def _take_rows(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """values[rows] for a column-major 2-D array, kept column-major."""
    out = np.empty((len(rows), values.shape[1]), order="F")
    for j in range(values.shape[1]):
        out[:, j] = values[rows, j]
    return out


@dataclass
class Evaluation:
    loglik: float
    score: np.ndarray
    information: np.ndarray | None
    eta: np.ndarray          # linear predictor minus the common shift of the risk scores
    S1: np.ndarray           # per event time: risk-set sum of w e x
    E1: np.ndarray           # per event time: sum of w e x over the tied events
    sums: dict               # per event time: sums over the Efron pseudo-events
    H: np.ndarray            # per row: cumulative hazard over the event times at risk


def evaluate(rs: RiskSets, beta: np.ndarray, *, information: bool = True) -> Evaluation:
    """Log partial likelihood, score and information at ``beta``.

    With ``D_k = S0 - f_k E0`` and ``M_k = (S1 - f_k E1) / D_k`` for the pseudo-events
    ``f_k = k/d`` (all 0 for Breslow), every sum over pseudo-events reduces to scalar sums
    ``a_j = sum_k meanwt f_k^j / D_k^2`` per event time; nothing of size events x p x p.
    """
    X, w = rs.X, rs.w
    eta = X @ beta
    # exp() overflows beyond ~709: rescale every risk score by a common factor, which leaves
    # every mean, hazard*score product and the information unchanged (like R's recenter).
    shift = float(eta.max()) if eta.size and np.abs(eta).max() > 500 else 0.0
    r = w * np.exp(eta - shift)
    rX = X * r[:, None]
    c0, c1 = _cumsum0(r), _cumsum0(rX)
    S0, S1 = c0[rs.hi] - c0[rs.lo], c1[rs.hi] - c1[rs.lo]
    end = rs.lo + rs.n_tied                    # the tied events are rows lo .. lo + d - 1
    E0, E1 = c0[end] - c0[rs.lo], c1[end] - c1[rs.lo]
    if rs.start_order is not None:
        c0e = _cumsum0(r[rs.start_order])
        c1e = _cumsum0(_take_rows(rX, rs.start_order))
        S0 = S0 - (c0e[rs.hi_e] - c0e[rs.lo_e])
        S1 = S1 - (c1e[rs.hi_e] - c1e[rs.lo_e])
    g, f, K = rs.group, rs.frac, rs.n_times
    D = S0[g] - f * E0[g]
    mw = rs.meanwt[g]
    inv = 1.0 / D
    sums = {
        "A": np.bincount(g, weights=mw * inv, minlength=K),          # sum_k h_k
        "B": np.bincount(g, weights=mw * f * inv, minlength=K),      # sum_k h_k f_k
        "a0": np.bincount(g, weights=mw * inv ** 2, minlength=K),
        "a1": np.bincount(g, weights=mw * f * inv ** 2, minlength=K),
        "a2": np.bincount(g, weights=mw * f ** 2 * inv ** 2, minlength=K),
        "inv": np.bincount(g, weights=inv, minlength=K),
        "finv": np.bincount(g, weights=f * inv, minlength=K),
    }
    dr = rs.death_rows
    loglik = float(np.dot(w[dr], eta[dr]) - np.dot(mw, np.log(D) + shift))
    A, B = sums["A"], sums["B"]
    score = rs.weighted_event_sum - (A @ S1 - B @ E1)
    CA = _cumsum0(A)
    H = CA[rs.stop_idx] - CA[rs.start_idx]
    info = None
    if information:
        c = r * H
        c[dr] -= r[dr] * B[g]
        a0, a1, a2 = sums["a0"], sums["a1"], sums["a2"]
        cross = S1.T @ (S1 * a0[:, None]) - S1.T @ (E1 * a1[:, None])
        info = X.T @ (X * c[:, None]) - (cross + cross.T - S1.T @ (S1 * a0[:, None])
                                          + E1.T @ (E1 * a2[:, None]))
    return Evaluation(loglik, score, info, eta - shift, S1, E1, sums, H)


def _event_means(ev: Evaluation, rs: RiskSets) -> np.ndarray:
    """Per event time: the mean over the pseudo-events of the weighted covariate mean."""
    sm = ev.sums
    return (ev.S1 * sm["inv"][:, None] - ev.E1 * sm["finv"][:, None]) / rs.n_tied[:, None]


def score_residuals(rs: RiskSets, ev: Evaluation) -> np.ndarray:
    """Score residuals per row in sorted order (R's residuals(fit, type = "score"))."""
    X, sm = rs.X, ev.sums
    g, dr = rs.group, rs.death_rows
    e = np.exp(ev.eta)
    XH = ev.S1 * sm["a0"][:, None] - ev.E1 * sm["a1"][:, None]     # sum_k h_k M_k
    XB = ev.S1 * sm["a1"][:, None] - ev.E1 * sm["a2"][:, None]     # sum_k h_k f_k M_k
    CXH = _cumsum0(XH)
    U = X * ev.H[:, None]
    U -= CXH[rs.stop_idx]
    U += CXH[rs.start_idx]
    U *= -e[:, None]
    B = sm["B"]
    U[dr] += (X[dr] - _event_means(ev, rs)[g]) + e[dr, None] * (X[dr] * B[g, None] - XB[g])
    return U


def schoenfeld_residuals(rs: RiskSets, ev: Evaluation) -> np.ndarray:
    """Schoenfeld residuals of the event rows (Efron: the mean over the pseudo-events)."""
    return rs.X[rs.death_rows] - _event_means(ev, rs)[rs.group]


def cluster_sums(values: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """Sum the rows of ``values`` within clusters (None: every row its own cluster)."""
    if clusters is None:
        return values
    n_clusters = int(clusters.max()) + 1
    return _bincount2(clusters, values, n_clusters)
