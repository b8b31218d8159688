"""Wild cluster bootstrap for one regression coefficient (works with as few as 2 clusters).

The restricted ("WCR", null imposed) wild cluster bootstrap-t of Cameron, Gelbach & Miller
(2008), computed without refitting (Roodman, MacKinnon, Nielsen & Webb 2019, "Fast and
wild"): every bootstrap t is a ratio of a linear and a quadratic form in the sign vector,
so B draws cost O(B G^2). With few clusters all 2^G Rademacher sign vectors (or 6^G Webb
vectors) are enumerated, which makes the p-value exact and free of simulation noise.

References
----------
Cameron, Gelbach & Miller (2008), Review of Economics and Statistics 90(3).
MacKinnon & Webb (2017), Journal of Applied Econometrics 32(2): few treated clusters.
Webb (2023), Canadian Journal of Economics: six-point weights.
Roodman, MacKinnon, Nielsen & Webb (2019), Stata Journal 19(1): boottest.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import EstimationError, FipevalError, InputError, check_option, renamed
from ..results import TIDY_COLUMNS, Result
from .ols import _bread, cluster_scores, prepare_design
from ._threads import with_one_blas_thread
from .._version import __version__

WEIGHT_TYPES = ("rademacher", "webb")
TIE_RULES = ("inclusive", "exclusive")
CI_METHODS = ("inversion", "percentile-t", None)
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
_TIE_TOL = 1e-9          # relative: bootstrap |t| equal to the observed |t| counts as extreme
_MAX_ENUMERATED = 2 ** 16
_CHUNK_CELLS = 2_000_000


def column_index(column, names) -> int:
    if isinstance(column, (int, np.integer)):
        if not 0 <= column < len(names):
            raise InputError(f"`column` {column} is out of range for {len(names)} coefficients.")
        return int(column)
    if column not in names:
        raise InputError(f"`column` {column!r} is not a coefficient; coefficients are: "
                         f"{', '.join(names)}.")
    return list(names).index(column)


def check_positive_se(se: float, beta: float, term: str, n_clusters: int) -> None:
    """Refuse a zero cluster-robust SE (e.g. one cluster per arm: scores vanish)."""
    if not se > 1e-12 * max(1.0, abs(beta)):
        raise EstimationError(
            f"The cluster-robust standard error of `{term}` is zero with {n_clusters} clusters: "
            "the tested column is constant within clusters and each arm has one cluster (or "
            "the outcome is fitted exactly). No cluster-level inference is possible; more "
            "clusters are needed.")


def sign_vectors(n_clusters: int, weight_type: str, n_draws: int, rng) -> tuple[np.ndarray, bool]:
    """Bootstrap weights (B, G); enumerates all vectors when there are at most ``n_draws``."""
    points = np.array([-1.0, 1.0]) if weight_type == "rademacher" else _WEBB
    total = len(points) ** n_clusters
    if total <= min(n_draws, _MAX_ENUMERATED):
        return np.array(list(itertools.product(points, repeat=n_clusters))), True
    if weight_type == "rademacher":
        return rng.choice(points, size=(n_draws, n_clusters)), False
    return points[rng.integers(0, 6, size=(n_draws, n_clusters))], False


@dataclass(frozen=True, repr=False, eq=False)
class WildBootstrapResult(Result):
    """Wild cluster bootstrap-t test and interval for one coefficient."""

    term: str
    estimate: float
    std_error: float          # CR1
    statistic: float          # t against the null value, CR1
    p_value: float
    ci_lower: float
    ci_upper: float
    null: float
    n_obs: int
    n_clusters: int
    n_draws: int
    enumerated: bool
    weight_type: str
    ci_method: str | None
    alpha: float
    seed: int | None
    ties: str = "inclusive"
    n_ties: int = 0           # draws whose |t| equals the observed |t| (relative 1e-9)
    title: str = "Wild cluster bootstrap (restricted, bootstrap-t)"

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": self.term, "estimate": self.estimate,
                              "std_error": self.std_error, "statistic": self.statistic,
                              "p_value": self.p_value, "ci_lower": self.ci_lower,
                              "ci_upper": self.ci_upper, "null": self.null}])[TIDY_COLUMNS + ["null"]]

    def _header(self) -> dict:
        draws = (f"all {self.n_draws} {self.weight_type} sign vectors (exact)" if self.enumerated
                 else f"{self.n_draws} {self.weight_type} draws, seed {self.seed}")
        return {"method": "wild cluster bootstrap-t, null imposed (WCR), CR1 studentised",
                "n": self.n_obs, "clusters": self.n_clusters, "bootstrap": draws,
                "interval": {"inversion": "test inversion", "percentile-t":
                             "percentile-t (unrestricted)", None: "none"}[self.ci_method],
                "ties": (f"{self.ties}: {self.n_ties} draw(s) with |t| equal to the observed "
                         f"{'counted' if self.ties == 'inclusive' else 'not counted'}"),
                "alpha": self.alpha, "fipeval": __version__}

    def _notes(self) -> tuple:
        notes = []
        if self.enumerated and self.weight_type == "rademacher":
            notes.append(f"With {self.n_clusters} clusters there are only {self.n_draws} distinct "
                         f"sign vectors: the smallest attainable p-value is about "
                         f"{2 / self.n_draws:.3g}.")
        if not np.isfinite(self.ci_lower) or not np.isfinite(self.ci_upper):
            notes.append("The interval is unbounded: the data cannot rule out any effect size "
                         "at this level with so few clusters.")
        return tuple(notes)


def _bootstrap_parts(X, resid, codes, G, bread, j):
    """Per-cluster pieces: s_g = a'X_g'e_g and F[h, g] = a'X_h'X_h bread X_g'e_g."""
    a = bread[:, j]
    U = cluster_scores(X, resid, codes, G)            # (G, k): X_g' e_g
    s = U @ a
    XhXh_a = cluster_scores(X, X @ a, codes, G)       # rows: X_h'X_h a
    F = (XhXh_a @ bread) @ U.T                        # (G, G)
    return s, F


def _boot_t(V, s, F, cadj):
    num = V @ s
    score = V * s - V @ F.T
    den = np.sqrt(cadj * np.einsum("bg,bg->b", score, score))
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


@renamed(n_boot="n_draws")
def wild_cluster_bootstrap(y, X, cluster, *, column, null: float = 0.0, weights=None,
                           weight_type: Literal["rademacher", "webb"] = "rademacher",
                           n_draws: int = 9999, seed: int | None = None, alpha: float = 0.05,
                           ci: Literal["inversion", "percentile-t"] | None = "inversion",
                           ties: Literal["inclusive", "exclusive"] = "inclusive",
                           names=None) -> WildBootstrapResult:
    """Wild cluster bootstrap-t p-value (null imposed) and interval for one coefficient.

    Parameters
    ----------
    y, X, weights, names
        As in :func:`fipeval.inference.fit_ols` (X includes the intercept).
    cluster : array-like
        Cluster label per row (caseworker).
    column : int or str
        The coefficient to test (index or name).
    null : float
        Value of the coefficient under the null hypothesis.
    weight_type : {"rademacher", "webb"}
        Bootstrap weights; Webb's six-point weights give more distinct draws with few
        clusters (with 2 clusters Rademacher has only 4 sign vectors).
    n_draws : int
        Number of draws; when all sign vectors number at most ``n_draws`` they are enumerated.
    seed : int, optional
        Seed for ``numpy.random.default_rng`` (ignored when enumerating).
    ci : {"inversion", "percentile-t", None}
        Interval by inverting the restricted test (the set of nulls not rejected at
        ``alpha``) or percentile-t from the unrestricted bootstrap.
    ties : {"inclusive", "exclusive"}
        How a bootstrap ``|t|`` equal to the observed ``|t|`` (within 1e-9 relative) counts in the
        p-value. Such ties always exist under full Rademacher enumeration: the all-ones
        sign vector rebuilds the sample itself (restricted fit plus restricted residuals is
        ``y``) and its mirror gives the same ``|t|``. "inclusive" (default, the convention of
        exact permutation tests: p >= 2 / 2^G, a valid level) counts them; "exclusive" does
        not, as ``wildboottest`` (its strict ``<``; where its floating-point ``|t|`` for these
        vectors lands a hair above the observed one it counts them, so it agrees with one
        convention or the other by rounding). The two differ by ``n_ties / n_draws``.

    Returns
    -------
    WildBootstrapResult
        The symmetric p-value is the share of bootstrap ``|t|`` at least the observed ``|t|``
        (``ties="inclusive"``) or above it (``"exclusive"``); ``n_ties`` counts the equal ones.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> cl = np.repeat(np.arange(8), 25); d = (cl < 3).astype(float)
    >>> y = rng.normal(size=8)[cl] + rng.normal(size=200)
    >>> res = wild_cluster_bootstrap(y, np.column_stack([np.ones(200), d]), cl, column=1)
    >>> res.enumerated, res.n_draws
    (True, 256)
    """
    out = wild_many(np.asarray(y, dtype=float).ravel()[:, None], X, cluster, column=column, null=null, weights=weights,
                    weight_type=weight_type, n_draws=n_draws, seed=seed, alpha=alpha, ci=ci,
                    ties=ties, names=names)[0]
    if isinstance(out, FipevalError):
        raise out
    return out


@with_one_blas_thread
def wild_many(Y, X, cluster, *, column, null: float = 0.0, weights=None,
              weight_type: Literal["rademacher", "webb"] = "rademacher",
              n_draws: int = 9999, seed: int | None = None, alpha: float = 0.05,
              ci: Literal["inversion", "percentile-t"] | None = "inversion",
              ties: Literal["inclusive", "exclusive"] = "inclusive",
              names=None) -> list:
    """:func:`wild_cluster_bootstrap` for every column of ``Y`` (n, m) at once.

    The outcomes share the design, the clusters and one set of sign vectors (the ones
    ``wild_cluster_bootstrap`` draws with this seed, so each result equals the one-outcome
    call). The bread, the partialling-out of the other columns and the per-cluster
    cross-products of the design are computed once; each outcome adds matrix products.

    Returns
    -------
    list
        Per column of ``Y``, a ``WildBootstrapResult`` or the ``EstimationError`` it raised
        (a zero cluster-robust standard error). Problems shared by all outcomes raise.
    """
    check_option("weight_type", weight_type, WEIGHT_TYPES)
    check_option("ci", ci, CI_METHODS)
    check_option("ties", ties, TIE_RULES)
    if not (0 < alpha < 1):
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if int(n_draws) < 99:
        raise InputError(f"`n_draws` must be at least 99; got {n_draws!r}.")
    Y = np.asarray(Y, dtype=float)
    Y = Y.reshape(len(Y), -1)
    design = prepare_design(Y, X, weights=weights, cluster=cluster, names=names, need_cluster=True,
                            several=True)
    Xw, Yw, codes, G = design.X, design.y, design.cluster_codes, design.n_clusters
    n, k = Xw.shape
    m = Yw.shape[1]
    j = column_index(column, design.names)
    bread = _bread(Xw)
    coef = bread @ (Xw.T @ Yw)                          # k x m
    resid = Yw - Xw @ coef
    cadj = G / (G - 1) * (n - 1) / (n - k)
    a = bread[:, j]
    h = Xw @ a                                          # the j-th row of (X'X)^-1 X'

    def by_cluster(V):                                  # cluster sums of each column
        return np.column_stack([np.bincount(codes, V[:, c], minlength=G)
                                for c in range(V.shape[1])])

    se_all = np.sqrt(cadj * np.sum(by_cluster(h[:, None] * resid) ** 2, axis=0))

    # Restricted residuals are linear in the null value r: e(r) = e_y - r e_x, with e_x and
    # e_y the residuals of x_j and y on the other columns. By Frisch-Waugh-Lovell they follow
    # from the full fit without another decomposition (or an n x k copy: DiD panels have
    # millions of rows and many fixed effects): h = X bread e_j = e_x / (e_x'e_x) and
    # bread[j, j] = 1 / (e_x'e_x), so e_x = h / bread[j, j] and e_y = e + b_j e_x.
    e_x = h / bread[j, j]
    res_r = np.column_stack([resid + coef[j] * e_x[:, None], e_x])
    # s_g = a'X_g'e_g and F[h, g] = a'X_h'X_h bread X_g'e_g for every residual column:
    # with B = (X_h'X_h a)_h bread (G x k, shared), F = B U' where U (G x k) holds the
    # cluster sums X_g'e_g of the column (never an n x G matrix: panels have millions of rows)
    B = cluster_scores(Xw, h, codes, G) @ bread        # G x k
    S_r = by_cluster(h[:, None] * res_r)                # G x (m + 1)
    F = np.empty((G, G, m + 1))                         # F[g, h, c]: column c's F[h, g]
    for c in range(m + 1):
        F[:, :, c] = cluster_scores(Xw, res_r[:, c], codes, G) @ B.T

    rng = np.random.default_rng(seed)
    V, enumerated = sign_vectors(G, weight_type, int(n_draws), rng)
    num = V @ S_r                                       # B x (m + 1)
    s_x, F_x = S_r[:, m], F[:, :, m].T
    # the bootstrap variance is a quadratic in r: q_yy - 2 r q_xy + r^2 q_xx (in chunks of
    # draws, so memory stays bounded with many clusters)
    q_yy, q_xy = np.empty((len(V), m)), np.empty((len(V), m))
    q_xx = np.empty(len(V))
    step = max(1, _CHUNK_CELLS // G)
    for lo in range(0, len(V), step):
        Vb = V[lo:lo + step]
        sc_x = Vb * s_x - Vb @ F_x.T
        q_xx[lo:lo + step] = np.einsum("bg,bg->b", sc_x, sc_x)
        for c in range(m):
            sc_y = Vb * S_r[:, c] - Vb @ F[:, :, c]
            q_yy[lo:lo + step, c] = np.einsum("bg,bg->b", sc_y, sc_y)
            q_xy[lo:lo + step, c] = np.einsum("bg,bg->b", sc_y, sc_x)
    out = []
    for c in range(m):
        beta, se = float(coef[j, c]), float(se_all[c])
        try:
            check_positive_se(se, beta, design.names[j], G)
        except EstimationError as err:
            out.append(err)
            continue
        lo, hi, p, n_ties = _wild_test(num[:, c], num[:, m], q_yy[:, c], q_xy[:, c], q_xx,
                                       beta, se, null, cadj, alpha, ci, ties)
        if ci == "percentile-t":
            s_u, F_u = _bootstrap_parts(Xw, resid[:, c], codes, G, bread, j)
            tb = _boot_t(V, s_u, F_u, cadj)
            tb = tb[np.isfinite(tb)]
            q_lo, q_hi = np.quantile(tb, [alpha / 2, 1 - alpha / 2])
            lo, hi = beta - q_hi * se, beta - q_lo * se
        out.append(WildBootstrapResult(
            term=design.names[j], estimate=beta, std_error=se, statistic=(beta - null) / se,
            p_value=p, ci_lower=float(lo), ci_upper=float(hi), null=float(null), n_obs=n,
            n_clusters=G, n_draws=len(V), enumerated=enumerated, weight_type=weight_type,
            ci_method=ci, alpha=alpha, seed=None if enumerated else seed, ties=ties,
            n_ties=n_ties))
    return out


def _wild_test(num_y, num_x, q_yy, q_xy, q_xx, beta, se, null, cadj, alpha, ci, ties):
    """p-value at ``null``, ties there, and (``ci="inversion"``) the inverted interval."""

    def abs_t(r: float) -> np.ndarray:
        num = num_y - r * num_x
        den = np.sqrt(cadj * np.clip(q_yy - 2 * r * q_xy + r * r * q_xx, 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            tb = np.abs(num / den)
        return np.where(np.isnan(tb), np.inf, tb)

    def share_extreme(tb: np.ndarray, t_obs: float) -> float:
        if ties == "inclusive":
            return float(np.mean(tb >= t_obs * (1 - _TIE_TOL)))
        return float(np.mean(tb > t_obs * (1 + _TIE_TOL)))

    def p_value(r: float) -> float:
        return share_extreme(abs_t(r), abs(beta - r) / se)

    t_null = abs(beta - null) / se
    tb_null = abs_t(null)
    p = share_extreme(tb_null, t_null)
    n_ties = int(np.sum((tb_null >= t_null * (1 - _TIE_TOL)) & (tb_null <= t_null * (1 + _TIE_TOL))))
    lo = hi = np.nan
    if ci == "inversion":
        lo = _invert(p_value, beta, se, alpha, -1)
        hi = _invert(p_value, beta, se, alpha, +1)
    return lo, hi, p, n_ties


def _invert(p_value, beta: float, se: float, alpha: float, side: int,
            max_width: float = 1e4, iterations: int = 60) -> float:
    """Boundary of {r : p(r) > alpha} on one side of the estimate; +-inf if never rejected."""
    inner, step = beta, se
    outer = beta + side * step
    while p_value(outer) > alpha:
        inner = outer
        step *= 2
        if step > max_width * se:
            return side * np.inf
        outer = beta + side * step
    for _ in range(iterations):
        mid = (inner + outer) / 2
        if p_value(mid) > alpha:
            inner = mid
        else:
            outer = mid
        if abs(outer - inner) <= 1e-10 * max(se, abs(beta)):
            break
    return (inner + outer) / 2
