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

from ..errors import DesignError, EstimationError, FipevalError, InputError, check_option, renamed
from ..results import TIDY_COLUMNS, Result
from .ols import _bread, prepare_design
from .wild import _invert, check_positive_se, column_index
from ._threads import with_one_blas_thread
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
    note: str = ""
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
        notes = [self.note] if self.note else []
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
    out = randomization_many(np.asarray(y, dtype=float).ravel()[:, None], X, cluster, column=column, treatment=treatment,
                             make_X=make_X, strata=strata, null=null, weights=weights,
                             statistic=statistic, n_draws=n_draws, seed=seed, alpha=alpha,
                             ci=ci, names=names)[0]
    if isinstance(out, FipevalError):
        raise out
    return out


@with_one_blas_thread
def randomization_many(Y, X, cluster, *, column, treatment=None,
                       make_X: Callable[[np.ndarray], np.ndarray] | None = None,
                       strata=None, null: float = 0.0, weights=None,
                       statistic: Literal["coef", "t"] = "t", n_draws: int = 9999,
                       seed: int | None = None, alpha: float = 0.05, ci: bool = True,
                       names=None) -> list:
    """:func:`randomization_inference` for every column of ``Y`` (n, m) at once.

    The outcomes share the design, the clusters and one set of assignments (the same ones
    ``randomization_inference`` draws with this seed, so each result equals the one-outcome
    call). What depends only on the design and the assignments (the re-assigned column
    after partialling out the others, its cluster cross-products) is computed once; the
    outcomes enter as columns of matrix products. Problems shared by all outcomes raise;
    one that concerns a single outcome (a zero coefficient variance) is returned in its place.

    Returns
    -------
    list
        Per column of ``Y``, a ``RandomizationResult`` or the ``EstimationError`` it raised.
    """
    check_option("statistic", statistic, STATISTICS)
    if not (0 < alpha < 1):
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if int(n_draws) < 99:
        raise InputError(f"`n_draws` must be at least 99; got {n_draws!r}.")
    Y = np.asarray(Y, dtype=float)
    Y = Y.reshape(len(Y), -1)
    design = prepare_design(Y, X, weights=weights, cluster=cluster, names=names, need_cluster=True,
                            several=True)
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

    # Per assignment and outcome: b(tau) = b_y - tau b_x and, for "t", the CR1 variance as a
    # quadratic var(tau) = q0 - 2 tau q1 + tau^2 q2.
    if make_X is None:
        b_y, b_x, q = _replace_column_stats(design, j, A, statistic == "t", cadj)
    else:
        b_y, b_x, q = _refit_stats(design, j, A, make_X, statistic == "t", cadj)
    se_cr1 = np.full(yw.shape[1], np.nan)
    if statistic == "coef":      # the CR1 SE of the observed fit (for "t" it is sqrt(q0))
        bread0 = _bread(design.X)
        e0 = yw - design.X @ (bread0 @ (design.X.T @ yw))
        h = design.X @ bread0[:, j]
        se_cr1 = np.sqrt(cadj * np.array([np.sum(np.bincount(codes, h * e0[:, c],
                                                             minlength=G) ** 2)
                                          for c in range(yw.shape[1])]))
    fixed = {"term": design.names[j], "null": float(null), "n_obs": n, "n_clusters": G,
             "n_treated_clusters": int(cl_d.sum()), "n_assignments": len(A),
             "enumerated": enumerated, "alpha": alpha, "seed": None if enumerated else seed}
    out = []
    for c in range(yw.shape[1]):
        try:
            out.append(_one_outcome(b_y[:, c], b_x, q[:, c], float(se_cr1[c]), statistic, ci,
                                    fixed))
        except EstimationError as err:
            out.append(err)
    return out


def _one_outcome(b_y, b_x, q, se_cr1, statistic, ci, fixed) -> RandomizationResult:
    """Test and interval for one outcome from its per-assignment statistics."""
    beta = float(b_y[0])
    se = float(np.sqrt(q[0, 0])) if statistic == "t" else se_cr1
    note = ""
    if statistic == "t" and not se > 1e-12 * max(1.0, abs(beta)):
        # The observed CR1 SE is zero (every FIP caseworker's clients have, to the last
        # digit, the same adjusted mean as their arm, so each cluster score vanishes): the
        # studentised statistic is undefined at the observed assignment. The coefficient
        # itself is an equally exact statistic under the sharp null, so the test uses it.
        statistic, se = "coef", np.nan
        note = ("The cluster-robust standard error is zero here (the clusters' scores "
                "cancel exactly), so the studentised statistic is undefined: the test "
                "re-assigns FIP with the coefficient itself as statistic (equally exact "
                "under the sharp null); no standard error is shown.")
    elif statistic == "coef":
        check_positive_se(se, beta, fixed["term"], fixed["n_clusters"])

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

    null = fixed["null"]
    p = p_value(null)
    lo = hi = np.nan
    if ci and 1.0 / len(b_y) > fixed["alpha"]:
        # the observed assignment always counts as extreme, so p >= 1 / assignments > alpha
        # for every effect size: nothing is rejected, the interval is unbounded
        lo, hi = -np.inf, np.inf
    elif ci:
        # the inversion's first step: the SE, else the spread of the coefficient over the
        # assignments (any positive scale brackets the same boundaries)
        scale = se if np.isfinite(se) else float(np.std(b_y - null * b_x))
        scale = scale if scale > 0 else max(abs(beta), 1.0)
        lo = _invert(p_value, beta, scale, fixed["alpha"], -1)
        hi = _invert(p_value, beta, scale, fixed["alpha"], +1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_obs = (beta - null) / se
    return RandomizationResult(estimate=beta, std_error=se, statistic=float(t_obs), p_value=p,
                               ci_lower=float(lo), ci_upper=float(hi), statistic_kind=statistic,
                               note=note, **fixed)


def _refit_stats(design, j, A, make_X, studentise, cadj):
    """One weighted least-squares fit per assignment with the design from ``make_X``; every
    outcome (column of ``design.y``) from the same fit. Returns b_y (A, m), b_x (A,) and
    q (A, m, 3)."""
    codes, G, sw = design.cluster_codes, design.n_clusters, design.sqrt_w
    n, k = design.X.shape
    m = design.y.shape[1]
    yx = np.column_stack([design.y, design.X[:, j]])   # outcomes, effect direction
    b_y, b_x, q = np.empty((len(A), m)), np.empty(len(A)), np.zeros((len(A), m, 3))
    for r in range(len(A)):
        Xp = np.asarray(make_X(A[r][codes]), dtype=float)
        if Xp.shape != (n, k):
            raise InputError(f"`make_X` returned shape {Xp.shape}; expected ({n}, {k}).")
        Xp = Xp * sw[:, None]
        bread = _bread(Xp)
        coefs = bread @ (Xp.T @ yx)
        b_y[r], b_x[r] = coefs[j, :m], coefs[j, m]
        if studentise:
            xa = Xp @ bread[:, j]
            e = yx - Xp @ coefs
            S = np.column_stack([np.bincount(codes, xa * e[:, c], minlength=G)
                                 for c in range(m + 1)])
            q[r] = cadj * np.column_stack([np.sum(S[:, :m] ** 2, axis=0), S[:, :m].T @ S[:, m],
                                           np.full(m, S[:, m] @ S[:, m])])
    return b_y, b_x, q


def _replace_column_stats(design, j, A, studentise, cadj):
    """Vectorised path when only column j changes (Frisch-Waugh-Lovell), all outcomes at once.

    With Z the other columns and M the annihilator of Z, the coefficient is
    d~'y / d~'d~ with d~ = M C a (C: weighted cluster indicators, a: treated clusters), and
    the j-th row of (X'X)^-1 X' is d~' / d~'d~, so the CR1 scores are cluster sums of
    d~ * e / d~'d~. Everything that depends on d~ alone (its cluster cross-products, b_x) is
    shared by the outcomes (the columns of ``design.y``). Returns b_y (A, m), b_x (A,) and
    q (A, m, 3).
    """
    codes, G, sw = design.cluster_codes, design.n_clusters, design.sqrt_w
    order = np.argsort(codes, kind="stable")
    codes_s = codes[order]
    Xs, ys, sws = design.X[order], design.y[order], sw[order]
    m = ys.shape[1]
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
    resid = annihilate(np.column_stack([ys, Xs[:, j]]))
    m_Y, m_x = resid[:, :m], resid[:, m]
    # (M C)' v = C' (M v): cluster sums of sqrt(w) * (M v)
    g_Y = np.column_stack([np.bincount(codes_s, weights=sws * m_Y[:, c], minlength=G)
                           for c in range(m)])
    g_x = np.bincount(codes_s, weights=sws * m_x, minlength=G)
    b_y, b_x, q = np.empty((len(A), m)), np.empty(len(A)), np.zeros((len(A), m, 3))
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
        P_Y = np.stack([m_Y[sl].T @ MC[sl] for sl in parts])       # G x m x G
        P_x = np.stack([m_x[sl] @ MC[sl] for sl in parts])
        # every assignment treats the same number of clusters: a' T_h a is the sum of
        # T_h over pairs of treated clusters (a gather of G * k^2 numbers per assignment)
        T = np.stack([MC[sl].T @ MC[sl] for sl in parts])
        k1 = int(A[0].sum())
        step = max(1, 4_000_000 // (G * max(k1 * k1, m)))
    else:
        step = max(1, 2_000_000 // (len(ys) * max(1, m // 4)))
    for lo in range(0, len(A), step):
        Ab = A[lo:lo + step]
        if small:
            idx = np.nonzero(Ab)[1].reshape(len(Ab), k1)
            DD = T[:, idx[:, :, None], idx[:, None, :]].sum(axis=(2, 3))       # G x b
            PYA, PxA = P_Y @ Ab.T, P_x @ Ab.T                                   # G x m x b, G x b
        else:
            D = annihilate(sws[:, None] * Ab.T[codes_s].astype(float))        # n x b: M C a
            DD = np.add.reduceat(D * D, starts, axis=0)
            PYA = np.stack([np.add.reduceat(m_Y[:, c, None] * D, starts, axis=0)
                            for c in range(m)], axis=1)
            PxA = np.add.reduceat(m_x[:, None] * D, starts, axis=0)
        ss = DD.sum(axis=0)
        by, bx = (Ab @ g_Y) / ss[:, None], (Ab @ g_x) / ss                    # b x m, b
        b_y[lo:lo + step], b_x[lo:lo + step] = by, bx
        if studentise:
            Sy = (PYA - DD[:, None, :] * by.T[None]) / ss                       # G x m x b
            Sx = (PxA - DD * bx) / ss                                           # G x b
            q[lo:lo + step, :, 0] = cadj * np.einsum("gmb,gmb->bm", Sy, Sy)
            q[lo:lo + step, :, 1] = cadj * np.einsum("gmb,gb->bm", Sy, Sx)
            q[lo:lo + step, :, 2] = cadj * np.einsum("gb,gb->b", Sx, Sx)[:, None]
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

