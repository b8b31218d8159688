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

    @property
    def n_times(self) -> int:
        return len(self.n_tied)


def build_risk_sets(stop, event, start, X, w, strata, ties: str) -> RiskSets:
    """Sort once; everything an iteration needs is an index array afterwards."""
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
    start_key = s * n_codes if start is None else s * n_codes + np.searchsorted(times, start) + 1

    order = np.argsort(stop_key, kind="stable")
    stop_key = stop_key[order]
    start_key = start_key if start is None else start_key[order]
    if start is None:
        start_key = (s * n_codes)[order]
    ev = event[order]
    ws = w[order]
    Xs = X[order]
    means = np.average(Xs, axis=0, weights=ws) if p else np.zeros(0)
    Xs = Xs - means

    is_death = ev == 1
    death_rows = np.flatnonzero(is_death)            # already grouped by key (sorted)
    death_keys = stop_key[death_rows]
    dkeys, first, n_tied = np.unique(death_keys, return_index=True, return_counts=True)
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
    return RiskSets(Xs, ws, ev, kept_rows[order], start_order, lo, hi, lo_e, hi_e, death_rows,
                    group, frac, n_tied, meanwt, stop_idx, start_idx, event_time, d_stratum, means)


def _risk_sums(rs: RiskSets, r: np.ndarray, rX: np.ndarray):
    c0 = np.concatenate([[0.0], np.cumsum(r)])
    c1 = np.vstack([np.zeros((1, rX.shape[1])), np.cumsum(rX, axis=0)])
    S0 = c0[rs.hi] - c0[rs.lo]
    S1 = c1[rs.hi] - c1[rs.lo]
    if rs.start_order is not None:
        re, rXe = r[rs.start_order], rX[rs.start_order]
        c0 = np.concatenate([[0.0], np.cumsum(re)])
        c1 = np.vstack([np.zeros((1, rX.shape[1])), np.cumsum(rXe, axis=0)])
        S0 = S0 - (c0[rs.hi_e] - c0[rs.lo_e])
        S1 = S1 - (c1[rs.hi_e] - c1[rs.lo_e])
    return S0, S1


@dataclass
class Evaluation:
    loglik: float
    score: np.ndarray
    information: np.ndarray
    eta: np.ndarray          # linear predictor minus the common shift of the risk scores
    M: np.ndarray            # weighted covariate mean at each pseudo-event (n_events x p)
    h: np.ndarray            # hazard increment at each pseudo-event
    H: np.ndarray            # per row: cumulative hazard over the event times at risk
    B: np.ndarray            # per event time: sum_k h k/d


def evaluate(rs: RiskSets, beta: np.ndarray, *, information: bool = True) -> Evaluation:
    X, w = rs.X, rs.w
    eta = X @ beta
    # exp() overflows beyond ~709: rescale every risk score by a common factor, which leaves
    # every mean, hazard*score product and the information unchanged (like R's recenter).
    shift = float(eta.max()) if eta.size and np.abs(eta).max() > 500 else 0.0
    r = w * np.exp(eta - shift)
    rX = X * r[:, None]
    S0, S1 = _risk_sums(rs, r, rX)
    g, dr, frac = rs.group, rs.death_rows, rs.frac
    K = rs.n_times
    E0 = np.bincount(g, weights=r[dr], minlength=K)
    E1 = _bincount2(g, rX[dr], K)
    D = S0[g] - frac * E0[g]
    M = (S1[g] - frac[:, None] * E1[g]) / D[:, None]
    mw = rs.meanwt[g]
    loglik = float(np.dot(w[dr], eta[dr]) - np.dot(mw, np.log(D) + shift))
    score = w[dr] @ X[dr] - mw @ M
    h = mw / D
    A = np.bincount(g, weights=h, minlength=K)
    B = np.bincount(g, weights=h * frac, minlength=K)
    CA = np.concatenate([[0.0], np.cumsum(A)])
    H = CA[rs.stop_idx] - CA[rs.start_idx]
    info = None
    if information:
        c = r * H
        c[dr] -= r[dr] * B[g]
        info = (X * c[:, None]).T @ X - (M * mw[:, None]).T @ M
    return Evaluation(loglik, score, info, eta - shift, M, h, H, B)


def score_residuals(rs: RiskSets, ev: Evaluation) -> np.ndarray:
    """Score residuals per row in sorted order (R's residuals(fit, type = "score"))."""
    X = rs.X
    g, dr, K = rs.group, rs.death_rows, rs.n_times
    e = np.exp(ev.eta)
    n_tied = rs.n_tied
    mbar = _bincount2(g, ev.M, K) / n_tied[:, None]
    XH = _bincount2(g, ev.M * ev.h[:, None], K)
    XB = _bincount2(g, ev.M * (ev.h * rs.frac)[:, None], K)
    CXH = np.vstack([np.zeros((1, X.shape[1])), np.cumsum(XH, axis=0)])
    U = -e[:, None] * (X * ev.H[:, None] - (CXH[rs.stop_idx] - CXH[rs.start_idx]))
    U[dr] += (X[dr] - mbar[g]) + e[dr, None] * (X[dr] * ev.B[g, None] - XB[g])
    return U


def schoenfeld_residuals(rs: RiskSets, ev: Evaluation) -> np.ndarray:
    """Schoenfeld residuals of the event rows (Efron: the mean over the pseudo-events)."""
    K = rs.n_times
    mbar = _bincount2(rs.group, ev.M, K) / rs.n_tied[:, None]
    return rs.X[rs.death_rows] - mbar[rs.group]


def cluster_sums(values: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """Sum the rows of ``values`` within clusters (None: every row its own cluster)."""
    if clusters is None:
        return values
    n_clusters = int(clusters.max()) + 1
    return _bincount2(clusters, values, n_clusters)
