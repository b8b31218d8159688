"""Harrell's concordance of a risk score with time to event, as R's ``coxph`` reports it.

A pair is comparable when one row has an event at time t while the other is at risk just
after it: entered before t (``entry < t``) and still under observation (``stop > t``, or
``stop == t`` and censored). Rows with an event at the same time are tied on time and not
compared (``tied_y``). A comparable pair is concordant when the row with the event has the
higher score, discordant when it has the lower one, ``tied_x`` when the scores are equal.
Strata are compared within themselves; case weights multiply (``w_i w_j``).

    concordance = (concordant + tied_x / 2) / (concordant + discordant + tied_x)

One pass over the distinct event times per stratum with the rows' weights in score order,
so the cost is (rows) x (distinct event times), in NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Concordance:
    concordant: float
    discordant: float
    tied_x: float
    tied_y: float

    @property
    def concordance(self) -> float:
        pairs = self.concordant + self.discordant + self.tied_x
        return (self.concordant + self.tied_x / 2) / pairs if pairs else float("nan")


def concordance(stop, event, score, *, entry=None, strata=None, weights=None) -> Concordance:
    """Pair counts and Harrell's C of ``score`` (higher: earlier event) with the times.

    Examples
    --------
    >>> c = concordance([1, 2, 3, 4], [1, 1, 0, 1], [4.0, 3.0, 2.0, 1.0])
    >>> c.concordant, c.discordant, c.concordance
    (5.0, 0.0, 1.0)
    """
    stop = np.asarray(stop, dtype=float)
    event = np.asarray(event).astype(bool)
    score = np.asarray(score, dtype=float)
    start = np.full(len(stop), -np.inf) if entry is None else np.asarray(entry, dtype=float)
    w = np.ones(len(stop)) if weights is None else np.asarray(weights, dtype=float)
    groups = np.zeros(len(stop), dtype=np.int64) if strata is None else np.asarray(strata)
    totals = np.zeros(4)
    for g in np.unique(groups):
        rows = groups == g
        totals += _stratum(stop[rows], event[rows], score[rows], start[rows], w[rows])
    return Concordance(*map(float, totals))


def _stratum(stop, event, score, start, w) -> np.ndarray:
    order = np.argsort(score, kind="stable")
    stop, event, score, start, w = stop[order], event[order], score[order], start[order], w[order]
    active = np.zeros(len(stop))            # weight of each row at risk, in score order
    by_start, by_stop = np.argsort(start, kind="stable"), np.argsort(stop, kind="stable")
    start_sorted, stop_sorted = start[by_start], stop[by_stop]
    times = np.unique(stop[event])
    # event rows of each time (rows sorted by score): indices into the score order
    ev_rows = np.flatnonzero(event)
    ev_rows = ev_rows[np.argsort(stop[ev_rows], kind="stable")]
    bounds = np.searchsorted(stop[ev_rows], times, side="left"), \
        np.searchsorted(stop[ev_rows], times, side="right")
    # for each event row, where its score starts and ends among all scores
    lo = np.searchsorted(score, score, side="left")
    hi = np.searchsorted(score, score, side="right")
    entered = left = 0
    concordant = discordant = tied_x = tied_y = 0.0
    for k, t in enumerate(times):
        n_in = np.searchsorted(start_sorted, t, side="left")      # entry < t
        if n_in > entered:
            rows = by_start[entered:n_in]
            active[rows] = w[rows]
            entered = n_in
        n_out = np.searchsorted(stop_sorted, t, side="left")      # stop < t: gone
        if n_out > left:
            active[by_stop[left:n_out]] = 0.0
            left = n_out
        here = ev_rows[bounds[0][k]:bounds[1][k]]
        active[here] = 0.0   # tied on time with each other: not compared, and gone after t
        cum = np.concatenate([[0.0], np.cumsum(active)])
        below, upto, total = cum[lo[here]], cum[hi[here]], cum[-1]
        wi = w[here]
        concordant += float(wi @ below)
        tied_x += float(wi @ (upto - below))
        discordant += float(wi @ (total - upto))
        tied_y += (wi.sum() ** 2 - (wi ** 2).sum()) / 2
    return np.array([concordant, discordant, tied_x, tied_y])
