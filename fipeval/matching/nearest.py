"""Greedy nearest-neighbour matching on a scalar score in O(n log n).

The units are sorted once on the score. A focal unit's nearest available match is then the
first available unit to its left or right in that order; "available" is tracked with two
disjoint-set forests (next free to the right, next free to the left) with path compression,
so each look-up costs near-constant amortised time. No n_focal x n_other distance matrix is
ever formed.

The rules follow MatchIt 4.5.1's ``nn_matchC_vec`` (Ho, Imai, King and Stuart 2011):

* focal units are matched one at a time in ``order`` ("largest" score first by default);
* with ``ratio = k`` matching happens in k rounds, each focal unit taking one more match per
  round;
* between an equally distant neighbour on the left (smaller score) and on the right, the left
  one wins; among tied scores the sort is stable (data order);
* a match farther than ``caliper`` (absolute, on the score) is refused: the focal unit gets no
  further match;
* with replacement a unit can be reused without limit, so the order does not matter and each
  focal unit simply takes its k nearest neighbours.
"""

from __future__ import annotations

import numpy as np

ORDERS = ("largest", "smallest", "random", "data")


def focal_order(score: np.ndarray, order: str, rng: np.random.Generator | None) -> np.ndarray:
    """Positions of the focal units in the order in which they pick their matches."""
    n = len(score)
    if order == "largest":
        return np.argsort(-score, kind="stable")
    if order == "smallest":
        return np.argsort(score, kind="stable")
    if order == "random":
        return (rng if rng is not None else np.random.default_rng()).permutation(n)
    return np.arange(n)


def match_nearest(score: np.ndarray, focal: np.ndarray, *, ratio: int = 1,
                  replace: bool = False, caliper: float | None = None,
                  order: str = "largest", rng: np.random.Generator | None = None,
                  emulate: str | None = None) -> np.ndarray:
    """Match focal units to the other units on a scalar score.

    Parameters
    ----------
    score : 1-d float array
        The score of every unit, in data order (data order breaks ties, as in MatchIt).
    focal : 1-d bool array
        True for the focal units (the treated for the ATT, the controls for the ATC).
    ratio : int
        Matches per focal unit.
    replace : bool
        Whether a unit may be matched to more than one focal unit.
    caliper : float or None
        Largest allowed absolute score difference.
    order : {"largest", "smallest", "random", "data"}
        Order in which focal units choose (irrelevant with replacement).
    rng : numpy.random.Generator, optional
        Used by ``order="random"``.
    emulate : {None, "matchit-4.5.1"}
        ``"matchit-4.5.1"`` reproduces two defects of MatchIt 4.5.1-4.5.3 (MatchIt issue #163):
        distances were truncated to integers before comparison, so the left (lower-score)
        neighbour always won and calipers below 1 were ignored; and with replacement and
        ``ratio > 1`` a unit already matched to a focal unit was not excluded from its later
        rounds. Only for reproducing analyses run with those versions.

    Returns
    -------
    numpy.ndarray
        ``(n_focal, ratio)`` int array: row i belongs to the i-th focal unit in data order and
        holds positions into ``score`` of its matches, -1 where there is none.

    Examples
    --------
    >>> match_nearest(np.array([0.5, 0.1, 0.45, 0.9, 0.8]),
    ...               np.array([True, False, False, True, False])).tolist()
    [[2], [4]]
    """
    score = np.asarray(score, dtype=float)
    focal = np.asarray(focal, dtype=bool)
    focal_pos = np.flatnonzero(focal)
    other_pos = np.flatnonzero(~focal)
    n1, n0 = len(focal_pos), len(other_pos)
    out = np.full((n1, ratio), -1, dtype=np.int64)
    if n1 == 0 or n0 == 0:
        return out
    cal = np.inf if caliper is None else float(caliper)
    # One stable sort of all units, like MatchIt: equal scores keep data order, so a tied
    # candidate earlier in the data lies to the left of the focal unit, a later one right.
    sorted_all = np.argsort(score, kind="stable")
    is_other = ~focal[sorted_all]
    o_order = sorted_all[is_other]
    sorted_other = score[o_order]
    # insertion point of each focal unit = number of other units before it in the sort
    before = np.cumsum(is_other)
    insert = np.empty(n1, dtype=np.int64)
    insert[np.cumsum(focal)[sorted_all[~is_other]] - 1] = before[~is_other]
    if emulate == "matchit-4.5.1":
        return _match_legacy(score[focal_pos], sorted_other, o_order, insert, out, ratio,
                             replace, cal, order, rng)
    return _match_core(score[focal_pos], sorted_other, o_order, insert, out, ratio, replace,
                       cal, order, rng)


def _match_core(focal_score, sorted_other, o_order, insert, out, ratio, replace, cal, order,
                rng):
    n0 = len(sorted_other)
    if replace:
        left = insert - 1
        right = insert.copy()
        active = np.ones(len(focal_score), dtype=bool)
        for r in range(ratio):
            dl = np.where(left >= 0, focal_score - sorted_other[np.maximum(left, 0)], np.inf)
            dr = np.where(right < n0, sorted_other[np.minimum(right, n0 - 1)] - focal_score,
                          np.inf)
            take_left = dl <= dr
            dist = np.where(take_left, dl, dr)
            ok = active & (dist <= cal) & np.isfinite(dist)
            chosen = np.where(take_left, left, right)
            out[ok, r] = o_order[chosen[ok]]
            left = np.where(ok & take_left, left - 1, left)
            right = np.where(ok & ~take_left, right + 1, right)
            active = ok
        return out

    # Without replacement: next free candidate to the right of sorted position j is
    # find(right_parent, j) (n0 = none); to the left of j it is find(left_parent, j + 1) - 1
    # (-1 = none).
    right_parent = np.arange(n0 + 1)
    left_parent = np.arange(n0 + 1)
    seq = focal_order(focal_score, order, rng)
    rp, lp = right_parent.tolist(), left_parent.tolist()  # lists: faster scalar access
    so = sorted_other.tolist()
    fs = focal_score.tolist()
    ins = insert.tolist()
    o_ord = o_order.tolist()
    out_l = out.tolist()
    done = [False] * len(fs)  # refused once: no further rounds (caliper is monotone)
    n_free = n0
    for r in range(ratio):
        for i in seq.tolist():
            if done[i] or n_free == 0:
                continue
            s = fs[i]
            j = ins[i]
            # right
            k = j
            root = k
            while rp[root] != root:
                root = rp[root]
            while rp[k] != root:
                rp[k], k = root, rp[k]
            kr = root
            # left (left forest is indexed by position + 1)
            k = j
            root = k
            while lp[root] != root:
                root = lp[root]
            while lp[k] != root:
                lp[k], k = root, lp[k]
            kl = root - 1
            dl = s - so[kl] if kl >= 0 else np.inf
            dr = so[kr] - s if kr < n0 else np.inf
            if dl <= dr:
                pick, dist = kl, dl
            else:
                pick, dist = kr, dr
            if not dist <= cal:
                done[i] = True
                continue
            out_l[i][r] = o_ord[pick]
            rp[pick] = pick + 1
            lp[pick + 1] = pick
            n_free -= 1
    return np.asarray(out_l, dtype=np.int64).reshape(out.shape)


def _match_legacy(focal_score, sorted_other, o_order, insert, out, ratio, replace, cal, order,
                  rng):
    """MatchIt 4.5.1's nn_matchC_vec, defects included (see ``match_nearest``). Quadratic in
    the worst case; meant for reproducing small published analyses only."""
    n0 = len(sorted_other)
    used = np.zeros(n0, dtype=bool)
    seq = np.arange(len(focal_score)) if replace else focal_order(focal_score, order, rng)
    for r in range(ratio):
        for i in seq:
            s = focal_score[i]
            # the defect: row entries are stored 1-based and compared 0-based
            excluded = {p + 1 for p in out[i, :r] if p >= 0} if r > 0 else set()

            def free(k, excluded=excluded):
                return not used[k] and int(o_order[k]) not in excluded

            kl = insert[i] - 1
            while kl >= 0 and not free(kl):
                kl -= 1
            if kl >= 0 and np.trunc(abs(s - sorted_other[kl])) > cal:
                kl = -1
            kr = insert[i]
            while kr < n0 and not free(kr):
                kr += 1
            if kr < n0 and np.trunc(abs(sorted_other[kr] - s)) > cal:
                kr = n0
            if kl >= 0 and kr < n0:
                pick = kl if (np.trunc(abs(sorted_other[kl] - s))
                              <= np.trunc(abs(sorted_other[kr] - s))) else kr
            elif kl >= 0:
                pick = kl
            elif kr < n0:
                pick = kr
            else:
                continue
            out[i, r] = o_order[pick]
            if not replace:
                used[pick] = True
    return out


def weights_from_matches(match_matrix: np.ndarray, focal: np.ndarray) -> np.ndarray:
    """MatchIt's matching weights from a match matrix (``weights.matrix``).

    A focal unit with at least one match gets weight 1. A matched unit gets, summed over
    the focal units it serves, 1 / (that focal unit's number of matches); these weights are
    then scaled to sum to the number of distinct matched units.

    Examples
    --------
    >>> weights_from_matches(np.array([[1, 2], [2, -1]]),
    ...                      np.array([1, 0, 0, 1, 0], bool)).tolist()
    [1.0, 0.5, 1.5, 1.0, 0.0]
    """
    focal = np.asarray(focal, dtype=bool)
    w = np.zeros(len(focal))
    focal_pos = np.flatnonzero(focal)
    has = match_matrix >= 0
    n_matches = has.sum(axis=1)
    w[focal_pos] = (n_matches > 0).astype(float)
    share = np.broadcast_to((1.0 / np.maximum(n_matches, 1))[:, None], match_matrix.shape)
    np.add.at(w, match_matrix[has], share[has])
    other = ~focal
    total = w[other].sum()
    if total > 0:
        w[other] *= (w[other] > 0).sum() / total
    return w


def subclass_from_matches(match_matrix: np.ndarray, focal: np.ndarray) -> np.ndarray:
    """Pair/set membership for matching without replacement: focal units with a match are
    numbered 1, 2, ... in data order and their matches share the number; 0 = unmatched.

    Examples
    --------
    >>> subclass_from_matches(np.array([[2], [-1]]), np.array([1, 1, 0], bool)).tolist()
    [1, 0, 1]
    """
    sub = np.zeros(len(focal), dtype=np.int64)
    focal_pos = np.flatnonzero(focal)
    matched = (match_matrix >= 0).any(axis=1)
    ids = np.zeros(len(focal_pos), dtype=np.int64)
    ids[matched] = np.arange(1, matched.sum() + 1)
    sub[focal_pos] = ids
    for col in range(match_matrix.shape[1]):
        has = match_matrix[:, col] >= 0
        sub[match_matrix[has, col]] = ids[has]
    return sub
