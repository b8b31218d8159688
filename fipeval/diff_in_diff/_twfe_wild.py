"""The restricted wild cluster bootstrap of the two-way fixed-effects DiD without a dense design.

With unit effects nested in the clusters, the bootstrap regression keeps the period effects
as dummies (``estimate._twfe_wild``): X = [d, T] demeaned within units, n rows by T
columns. Every piece the bootstrap needs is a sum over clusters of ``w x_i e_i`` for some
vector e, and the demeaned dummy columns are ``1[t_i = p] - tbar[u_i, p]`` with ``tbar`` the
weighted share of period p in unit u. So those sums are cell sums over (cluster, period)
minus ``tbar`` times unit sums, and ``X'WX`` is ``diag(period weights) - tbar' diag(W_u)
tbar`` bordered by the row of d: the cost is O(n + U T + G T^2) instead of O(n T^2) and the
memory a few n-vectors instead of an n x T matrix. The numbers are those of
``wild_cluster_bootstrap`` on the dense design (same sign vectors; equal up to rounding,
``tests/test_did_estimate.py``); ``fipeval.inference.wild._wild_test`` turns them into the
p-value and interval. F (G x G per residual) is kept as its factors A U', so the draws cost
B G T, not B G^2.
"""

from __future__ import annotations

import numpy as np

from ..errors import EstimationError
from ..inference.wild import (_CHUNK_CELLS, WildBootstrapResult, _wild_test, check_positive_se,
                              sign_vectors)

_RANK_TOL = 1e-10


class _TwoWay:
    """Weighted sums over clusters of X = [d, T] demeaned within units, X never formed."""

    def __init__(self, unit, time, cluster, w, d_within):
        self.unit, self.time, self.cluster, self.w = unit, time, cluster, w
        self.n_units, self.n_periods = int(unit.max()) + 1, int(time.max()) + 1
        self.n_clusters = int(cluster.max()) + 1
        unit_w = np.bincount(unit, weights=w, minlength=self.n_units)
        cell_w = np.bincount(unit * self.n_periods + time, weights=w,
                             minlength=self.n_units * self.n_periods)
        # tbar[u, p]: weighted share of period p (1..T-1) among unit u's rows
        self.tbar = (cell_w.reshape(self.n_units, self.n_periods)[:, 1:]
                     / np.where(unit_w > 0, unit_w, 1.0)[:, None])
        self.unit_w = unit_w
        self.unit_cluster = np.zeros(self.n_units, dtype=np.int64)
        self.unit_cluster[unit] = cluster
        self.d = d_within

    def scores(self, e: np.ndarray) -> np.ndarray:
        """(G, T) array: row g is sum over cluster g of w_i x_i e_i."""
        we = self.w * e
        G, T = self.n_clusters, self.n_periods
        out = np.empty((G, T))
        out[:, 0] = np.bincount(self.cluster, weights=we * self.d, minlength=G)
        cells = np.bincount(self.cluster * T + self.time, weights=we, minlength=G * T)
        out[:, 1:] = cells.reshape(G, T)[:, 1:]
        unit_sum = np.bincount(self.unit, weights=we, minlength=self.n_units)
        np.subtract.at(out[:, 1:], self.unit_cluster, self.tbar * unit_sum[:, None])
        return out

    def cross(self) -> np.ndarray:
        """X'WX (T x T)."""
        T = self.n_periods
        M = np.empty((T, T))
        M[0] = self.scores(self.d).sum(axis=0)
        M[1:, 0] = M[0, 1:]
        period_w = np.bincount(self.time, weights=self.w, minlength=T)[1:]
        M[1:, 1:] = np.diag(period_w) - (self.tbar * self.unit_w[:, None]).T @ self.tbar
        return M

    def times(self, coef: np.ndarray) -> np.ndarray:
        """X @ coef (n-vector)."""
        dummies = np.concatenate([[0.0], coef[1:]])
        return (self.d * coef[0] + dummies[self.time]
                - (self.tbar @ coef[1:])[self.unit])


def twfe_wild_bootstrap(y_within, d_within, unit, time, cluster, weights, *, n_draws: int,
                        seed, alpha: float, term: str = "att"):
    """``wild_cluster_bootstrap(y, [d, T] within units, cluster, column=0, weights=...)``
    with ``y``, ``d`` already demeaned within units, computed through cell sums."""
    w = np.ones(len(y_within)) if weights is None else np.asarray(weights, dtype=float)
    X = _TwoWay(unit, time, cluster, w, d_within)
    n, k, G = len(y_within), X.n_periods, X.n_clusters
    M = X.cross()
    scale = np.sqrt(np.diag(M))
    eig = np.linalg.eigvalsh(M / np.outer(scale, scale)) if np.all(scale > 0) else np.zeros(1)
    if eig.max() <= 0 or np.sum(eig > _RANK_TOL * eig.max()) < k:
        raise EstimationError("The bootstrap design (the effect and the period dummies within "
                              "units) is rank deficient: some period is empty once the unit "
                              "effects are removed; widen the window or drop that period.")
    bread = np.linalg.inv(M)
    coef = bread @ X.scores(y_within).sum(axis=0)
    resid = y_within - X.times(coef)
    cadj = G / (G - 1) * (n - 1) / (n - k)
    a = bread[:, 0]
    se = float(np.sqrt(cadj * np.sum((X.scores(resid) @ a) ** 2)))
    beta = float(coef[0])
    check_positive_se(se, beta, term, G)
    # residuals of y and of d on the period dummies (within units): the restricted model
    rhs = np.column_stack([X.scores(y_within).sum(axis=0)[1:], M[1:, 0]])
    proj = np.linalg.solve(M[1:, 1:], rhs)

    def on_periods(c):
        return X.times(np.concatenate([[0.0], c]))

    xx_a_bread = X.scores(X.times(a)) @ bread             # A: F = A U' for every residual
    rng = np.random.default_rng(seed)
    V, enumerated = sign_vectors(G, "rademacher", int(n_draws), rng)
    restricted = [X.scores(y_within - on_periods(proj[:, 0])),
                  X.scores(d_within - on_periods(proj[:, 1]))]
    s_y, s_x = (U @ a for U in restricted)
    num_y, num_x = V @ s_y, V @ s_x
    q_yy, q_xy, q_xx = np.empty(len(V)), np.empty(len(V)), np.empty(len(V))
    step = max(1, _CHUNK_CELLS // G)
    for lo in range(0, len(V), step):
        Vb = V[lo:lo + step]
        sc_y, sc_x = ((Vb * s - (Vb @ U) @ xx_a_bread.T) for s, U in zip((s_y, s_x), restricted))
        q_yy[lo:lo + step] = np.einsum("bg,bg->b", sc_y, sc_y)
        q_xy[lo:lo + step] = np.einsum("bg,bg->b", sc_y, sc_x)
        q_xx[lo:lo + step] = np.einsum("bg,bg->b", sc_x, sc_x)
    lo, hi, p, n_ties = _wild_test(num_y, num_x, q_yy, q_xy, q_xx, beta, se, 0.0, cadj, alpha,
                                   "inversion", "inclusive")
    return WildBootstrapResult(
        term=term, estimate=beta, std_error=se, statistic=beta / se, p_value=p,
        ci_lower=float(lo), ci_upper=float(hi), null=0.0, n_obs=n, n_clusters=G,
        n_draws=len(V), enumerated=enumerated, weight_type="rademacher", ci_method="inversion",
        alpha=alpha, seed=None if enumerated else seed, ties="inclusive", n_ties=n_ties)
