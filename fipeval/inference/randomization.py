"""Randomization inference: re-assign treatment across clusters (caseworkers).

Under the sharp null that FIP changed no one's outcome by more than a constant ``tau``, the
outcome ``y - tau * x_j`` would have been the same whichever caseworkers had been chosen.
Re-assigning FIP status to every possible set of the same number of caseworkers (within
strata, e.g. municipalities) gives the exact distribution of the statistic under that null.
Inverting the test over ``tau`` gives the interval. The statistic is the coefficient or its
CR1 t (studentising helps when cluster sizes differ; Young 2019, MacKinnon & Webb 2020).

References
----------
Fisher (1935); Rosenbaum (2002), Observational Studies, ch. 2; Young (2019), QJE 134(2);
MacKinnon & Webb (2020), Journal of Econometrics 218(2): randomization inference with few
treated clusters.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DesignError, InputError, check_option, renamed
from ..results import TIDY_COLUMNS, Result
from .ols import _bread, cluster_scores, prepare_design
from .wild import _invert, check_positive_se, column_index
from .._version import __version__

STATISTICS = ("coef", "t")
_TIE_TOL = 1e-9
_MAX_TENSOR_CLUSTERS = 120


@dataclass(frozen=True, repr=False, eq=False)
class RandomizationResult(Result):
    """Randomization (permutation) test and interval for one coefficient."""

    term: str
    estimate: float
    std_error: float
    statistic: float
    p_value: float
    ci_lower: float
    ci_upper: float
    null: float
    n_obs: int
    n_clusters: int
    n_treated_clusters: int
    n_assignments: int
    enumerated: bool
    statistic_kind: str
    alpha: float
    seed: int | None
    title: str = "Randomization inference (treatment re-assigned across clusters)"

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": self.term, "estimate": self.estimate,
                              "std_error": self.std_error, "statistic": self.statistic,
                              "p_value": self.p_value, "ci_lower": self.ci_lower,
                              "ci_upper": self.ci_upper, "null": self.null}])[TIDY_COLUMNS + ["null"]]

    def _header(self) -> dict:
        what = (f"all {self.n_assignments} assignments (exact)" if self.enumerated
                else f"{self.n_assignments} random assignments, seed {self.seed}")
        return {"method": "randomization inference, sharp null of a constant effect",
                "statistic": {"coef": "coefficient", "t": "CR1 t statistic"}[self.statistic_kind],
                "n": self.n_obs, "clusters": self.n_clusters,
                "treated clusters": self.n_treated_clusters, "assignments": what,
                "alpha": self.alpha, "fipeval": __version__}

    def _notes(self) -> tuple:
        notes = []
        if self.enumerated:
            notes.append(f"Only {self.n_assignments} ways to choose the treated clusters: the "
                         f"smallest attainable p-value is {1 / self.n_assignments:.3g}.")
        if not np.isfinite(self.ci_lower) or not np.isfinite(self.ci_upper):
            notes.append("The interval is unbounded: too few possible assignments to rule out "
                         "any effect size at this level.")
        return tuple(notes)


def _assignments(cluster_treated: np.ndarray, cluster_stratum: np.ndarray, n_draws: int, rng):
    """Treated-cluster indicator matrices (A, G); the observed assignment is row 0."""
    strata = np.unique(cluster_stratum)
    per = []
    total = 1
    for s in strata:
        members = np.flatnonzero(cluster_stratum == s)
        k = int(cluster_treated[members].sum())
        per.append((members, k))
        total *= math.comb(len(members), k)
    G = len(cluster_treated)
    if total <= n_draws:
        choices = [list(itertools.combinations(m, k)) for m, k in per]
        out = np.zeros((total, G))
        for row, combo in enumerate(itertools.product(*choices)):
            for chosen in combo:
                out[row, list(chosen)] = 1.0
        obs = np.flatnonzero((out == cluster_treated).all(axis=1))[0]
        out[[0, obs]] = out[[obs, 0]]
        return out, True
    out = np.zeros((n_draws + 1, G))
    out[0] = cluster_treated
    for members, k in per:
        keys = rng.random((n_draws, len(members)))
        ranks = np.argsort(keys, axis=1)[:, :k]
        rows = np.repeat(np.arange(1, n_draws + 1), k)
        out[rows, members[ranks.ravel()]] = 1.0
    return out, False


@renamed(n_perm="n_draws")
def randomization_inference(y, X, cluster, *, column, treatment=None,
                            make_X: Callable[[np.ndarray], np.ndarray] | None = None,
                            strata=None, null: float = 0.0, weights=None,
                            statistic: Literal["coef", "t"] = "t", n_draws: int = 9999,
                            seed: int | None = None, alpha: float = 0.05,
                            ci: bool = True, names=None) -> RandomizationResult:
    """Randomization test and interval for one coefficient, re-assigning treatment by cluster.

    Parameters
    ----------
    y, X, weights, names
        As in :func:`fipeval.inference.fit_ols`.
    cluster : array-like
        Cluster (caseworker) per row: the unit of assignment.
    column : int or str
        The coefficient to test; the effect is assumed to enter through this column.
    treatment : array-like, optional
        0/1 per row, constant within cluster (default: ``X[:, column]``).
    make_X : callable, optional
        Builds the design for a re-assigned per-row treatment vector (e.g. for DiD,
        ``lambda d: np.column_stack([one, d, post, d * post])``). Default: replace ``column``.
    strata : array-like, optional
        Per row, constant within cluster: re-assign within each stratum (municipality),
        keeping its number of treated clusters.
    statistic : {"t", "coef"}
        Studentised (CR1 t, the default) or the raw coefficient.
    n_draws : int
        Random assignments drawn when there are more than this many possible ones;
        otherwise every assignment is enumerated and the p-value is exact.
    ci : bool
        Invert the test over constant effects for a ``1 - alpha`` interval.

    Returns
    -------
    RandomizationResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> cl = np.repeat(np.arange(8), 25); d = (cl < 2).astype(float)
    >>> y = rng.normal(size=200) + d
    >>> res = randomization_inference(y, np.column_stack([np.ones(200), d]), cl, column=1)
    >>> res.n_assignments, res.enumerated
    (28, True)
    """
    check_option("statistic", statistic, STATISTICS)
    if not (0 < alpha < 1):
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if int(n_draws) < 99:
        raise InputError(f"`n_draws` must be at least 99; got {n_draws!r}.")
    design = prepare_design(y, X, weights=weights, cluster=cluster, names=names, need_cluster=True)
    keep, sw, codes, G = design.keep, design.sqrt_w, design.cluster_codes, design.n_clusters
    j = column_index(column, design.names)
    d = design.X[:, j] / sw if treatment is None else np.asarray(treatment, dtype=float).ravel()[keep]
    if not np.all(np.isin(d, (0.0, 1.0))):
        raise InputError("`treatment` must be 0/1 (FIP or control) in every row; pass it "
                         "explicitly when the tested column is not the treatment indicator.")
    cl_d = _per_cluster(d, codes, G, "treatment")
    cl_s = (np.zeros(G) if strata is None
            else _per_cluster(pd.factorize(pd.Series(np.asarray(strata))[keep])[0].astype(float),
                              codes, G, "strata"))
    if cl_d.sum() == 0 or cl_d.sum() == G:
        raise DesignError(f"All {G} clusters are {'control' if cl_d.sum() == 0 else 'treated'}: "
                          "there is nothing to re-assign; check the treatment column.")
    rng = np.random.default_rng(seed)
    A, enumerated = _assignments(cl_d, cl_s, int(n_draws), rng)
    if len(A) < 2:
        raise DesignError("Only one possible assignment of treatment to clusters; randomization "
                          "inference needs at least two (more clusters or fewer strata).")
    yw = design.y
    n, k = design.X.shape
    cadj = G / (G - 1) * (n - 1) / (n - k)

    # Per assignment: b(tau) = b_y - tau b_x and, for "t", the CR1 variance as a quadratic
    # var(tau) = q0 - 2 tau q1 + tau^2 q2.
    if make_X is None:
        b_y, b_x, q = _replace_column_stats(design, j, A, statistic == "t", cadj)
    else:
        b_y, b_x, q = _refit_stats(design, j, A, make_X, statistic == "t", cadj)

    def stat(tau: float) -> np.ndarray:
        b = b_y - tau * b_x
        if statistic == "coef":
            return np.abs(b)
        var = np.clip(q[:, 0] - 2 * tau * q[:, 1] + tau ** 2 * q[:, 2], 0, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(b) / np.sqrt(var)
        return np.where(np.isnan(t), 0.0, t)

    def p_value(tau: float) -> float:
        # Row 0 is the observed assignment: exact share when enumerated, (1 + B_extreme) /
        # (1 + B) for random draws.
        s = stat(tau)
        return float(np.sum(s >= s[0] * (1 - _TIE_TOL)) / len(s))

    beta = float(b_y[0])
    if statistic == "t":
        se = float(np.sqrt(q[0, 0]))
    else:
        bread0 = _bread(design.X)
        e0 = yw - design.X @ (bread0 @ (design.X.T @ yw))
        se = float(np.sqrt(cadj * np.sum((cluster_scores(design.X, e0, codes, G)
                                          @ bread0[:, j]) ** 2)))
    check_positive_se(se, beta, design.names[j], G)
    p = p_value(null)
    lo = hi = np.nan
    if ci:
        lo = _invert(p_value, beta, se, alpha, -1)
        hi = _invert(p_value, beta, se, alpha, +1)
    return RandomizationResult(
        term=design.names[j], estimate=beta, std_error=se, statistic=(beta - null) / se,
        p_value=p, ci_lower=float(lo), ci_upper=float(hi), null=float(null), n_obs=n,
        n_clusters=G, n_treated_clusters=int(cl_d.sum()), n_assignments=len(A),
        enumerated=enumerated, statistic_kind=statistic, alpha=alpha,
        seed=None if enumerated else seed)


def _refit_stats(design, j, A, make_X, studentise, cadj):
    """One weighted least-squares fit per assignment with the design from ``make_X``."""
    codes, G, sw = design.cluster_codes, design.n_clusters, design.sqrt_w
    n, k = design.X.shape
    yx = np.column_stack([design.y, design.X[:, j]])   # outcome, effect direction
    b_y, b_x, q = np.empty(len(A)), np.empty(len(A)), np.zeros((len(A), 3))
    for r in range(len(A)):
        Xp = np.asarray(make_X(A[r][codes]), dtype=float)
        if Xp.shape != (n, k):
            raise InputError(f"`make_X` returned shape {Xp.shape}; expected ({n}, {k}).")
        Xp = Xp * sw[:, None]
        bread = _bread(Xp)
        coefs = bread @ (Xp.T @ yx)
        b_y[r], b_x[r] = coefs[j]
        if studentise:
            xa = Xp @ bread[:, j]
            e = yx - Xp @ coefs
            sy = np.bincount(codes, xa * e[:, 0], minlength=G)
            sx = np.bincount(codes, xa * e[:, 1], minlength=G)
            q[r] = cadj * np.array([sy @ sy, sy @ sx, sx @ sx])
    return b_y, b_x, q


def _replace_column_stats(design, j, A, studentise, cadj):
    """Vectorised path when only column j changes (Frisch-Waugh-Lovell).

    With Z the other columns and M the annihilator of Z, the coefficient is
    d~'y / d~'d~ with d~ = M C a (C: weighted cluster indicators, a: treated clusters), and
    the j-th row of (X'X)^-1 X' is d~' / d~'d~, so the CR1 scores are cluster sums of
    d~ * e / d~'d~.
    """
    codes, G, sw = design.cluster_codes, design.n_clusters, design.sqrt_w
    order = np.argsort(codes, kind="stable")
    codes_s = codes[order]
    Xs, ys, sws = design.X[order], design.y[order], sw[order]
    Z = np.delete(Xs, j, axis=1)
    # orthonormal basis of the column space of Z (rank-revealing SVD, once): M V = V - U U'V
    if Z.shape[1]:
        U, sv, _ = np.linalg.svd(Z, full_matrices=False)
        U = U[:, sv > sv[0] * max(Z.shape) * np.finfo(float).eps]
    else:
        U = Z

    def annihilate(V):
        return V - U @ (U.T @ V) if U.shape[1] else V

    bounds = np.searchsorted(codes_s, np.arange(G + 1))
    starts = bounds[:-1]
    m_y, m_x = annihilate(np.column_stack([ys, Xs[:, j]])).T
    # (M C)' v = C' (M v): cluster sums of sqrt(w) * (M v)
    g_y = np.bincount(codes_s, weights=sws * m_y, minlength=G)
    g_x = np.bincount(codes_s, weights=sws * m_x, minlength=G)
    b_y, b_x, q = np.empty(len(A)), np.empty(len(A)), np.zeros((len(A), 3))
    # cluster sums of d~^2 are quadratic in a: a' T_h a with T_h = MC_h' MC_h. With few
    # clusters precompute T (G^3 numbers) and P (cluster sums of d~ * m are P a); with many,
    # form d~ = M C a per assignment instead, never the dense n x G matrix M C, so the cost
    # stays linear in n for a fixed number of draws.
    small = G <= _MAX_TENSOR_CLUSTERS
    if small:
        C = np.zeros((len(ys), G))
        C[np.arange(len(ys)), codes_s] = sws
        MC = np.ascontiguousarray(annihilate(C))
        parts = [slice(bounds[h], bounds[h + 1]) for h in range(G)]
        P_y = np.stack([m_y[sl] @ MC[sl] for sl in parts])
        P_x = np.stack([m_x[sl] @ MC[sl] for sl in parts])
        # every assignment treats the same number of clusters: a' T_h a is the sum of
        # T_h over pairs of treated clusters (a gather of G * k^2 numbers per assignment)
        T = np.stack([MC[sl].T @ MC[sl] for sl in parts])
        k1 = int(A[0].sum())
        step = max(1, 4_000_000 // (G * k1 * k1))
    else:
        step = max(1, 2_000_000 // len(ys))
    for lo in range(0, len(A), step):
        Ab = A[lo:lo + step]
        if small:
            idx = np.nonzero(Ab)[1].reshape(len(Ab), k1)
            DD = T[:, idx[:, :, None], idx[:, None, :]].sum(axis=(2, 3))       # G x b
            PyA, PxA = P_y @ Ab.T, P_x @ Ab.T
        else:
            D = annihilate(sws[:, None] * Ab.T[codes_s].astype(float))        # n x b: M C a
            DD = np.add.reduceat(D * D, starts, axis=0)
            PyA = np.add.reduceat(m_y[:, None] * D, starts, axis=0)
            PxA = np.add.reduceat(m_x[:, None] * D, starts, axis=0)
        ss = DD.sum(axis=0)
        by, bx = (Ab @ g_y) / ss, (Ab @ g_x) / ss
        b_y[lo:lo + step], b_x[lo:lo + step] = by, bx
        if studentise:
            Sy = (PyA - DD * by) / ss
            Sx = (PxA - DD * bx) / ss
            q[lo:lo + step] = cadj * np.column_stack([np.einsum("gb,gb->b", Sy, Sy),
                                                      np.einsum("gb,gb->b", Sy, Sx),
                                                      np.einsum("gb,gb->b", Sx, Sx)])
    return b_y, b_x, q


def _per_cluster(values: np.ndarray, codes: np.ndarray, G: int, what: str) -> np.ndarray:
    lo = np.full(G, np.inf); hi = np.full(G, -np.inf)
    np.minimum.at(lo, codes, values)
    np.maximum.at(hi, codes, values)
    if np.any(lo != hi):
        g = int(np.flatnonzero(lo != hi)[0])
        raise DesignError(f"`{what}` varies within cluster number {g} (values {lo[g]:g} and "
                          f"{hi[g]:g}); randomization inference re-assigns whole clusters, so "
                          f"`{what}` must be constant within each cluster.")
    return lo

