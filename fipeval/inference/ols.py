"""Weighted least squares with honest variance estimates: iid, HC1, CR0, CR1, CR2.

API (imported by the DiD and effect-measure stages)
---------------------------------------------------
``fit_ols(y, X, *, weights=None, cluster=None, vcov="CR1", names=None, alpha=0.05) -> OLSFit``

- ``y`` (n,), ``X`` (n, k) array or DataFrame (its columns become ``names``); include the
  intercept column yourself.
- ``weights``: non-negative analysis/precision weights (IPW, matching weights); rows with
  weight 0 are dropped before fitting (n counts only positive weights).
- ``cluster``: array of cluster labels (caseworker ids), required for the CR kinds.
- ``vcov``:
    ``"iid"``  s^2 (X'WX)^-1, t with n-k df;
    ``"HC1"``  White's sandwich times n/(n-k), t with n-k df;
    ``"CR0"``  Liang-Zeger sandwich without any small-sample factor, t with G-1 df;
    ``"CR1"``  CR0 times G/(G-1) * (n-1)/(n-k): exactly R ``sandwich::vcovCL(type="HC1")``
               (its default), Stata's ``vce(cluster)``; t with G-1 df;
    ``"CR2"``  Bell-McCaffrey bias-reduced sandwich (Pustejovsky & Tipton 2018), t with the
               Bell-McCaffrey / Satterthwaite degrees of freedom, one per coefficient:
               exactly R ``clubSandwich::coef_test(vcovCR(lm(y ~ X, weights = w), cluster,
               type = "CR2", inverse_var = inverse_var), test = "Satterthwaite")``, for both
               working models (``inverse_var=False``, clubSandwich's default with weights,
               and ``True``).
  R's ``vcovCL(type="HC0")`` equals our CR0 times G/(G-1) (its ``cadjust=TRUE``).

``OLSFit`` (frozen, a ``fipeval.results.Result``): ``.coef``, ``.vcov``, ``.se``,
``.df_resid`` (n-k), ``.df`` (degrees of freedom used for each coefficient's t test),
``.n_obs``, ``.n_clusters``, ``.vcov_kind``, ``.names``, ``.residuals`` (unweighted y - Xb),
``.tidy()``, ``.coef_of(name)``, ``.se_of(name)``, ``.index(name)``.

Resampling inference for one coefficient lives beside this module and is re-exported
from ``fipeval.inference``:
``wild_cluster_bootstrap(y, X, cluster, *, column, ...)`` (``fipeval.inference.wild``) and
``randomization_inference(y, X, cluster, *, column, ...)`` (``fipeval.inference.randomization``).

References
----------
Cameron, Gelbach & Miller (2008); Bell & McCaffrey (2002); Imbens & Kolesar (2016);
Pustejovsky & Tipton (2018), J. Business & Economic Statistics 36(4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, InputError, check_option
from ..results import TIDY_COLUMNS, Result
from .._version import __version__

VcovKind = Literal["iid", "HC1", "CR0", "CR1", "CR2"]
VCOV_KINDS = ("iid", "HC1", "CR0", "CR1", "CR2")
CLUSTER_KINDS = ("CR0", "CR1", "CR2")
# Eigenvalues of I - H_gg below this are treated as zero (a generalised inverse square
# root, as clubSandwich does) so clusters absorbed by fixed effects do not blow up CR2.
_CR2_EIG_TOL = 1e-12
_RANK_TOL = 1e-10


@dataclass(frozen=True)
class Design:
    """Validated, weight-transformed design: the common input of every variance routine."""

    y: np.ndarray              # sqrt(w) * y; (n, m) when several outcomes share the design
    X: np.ndarray              # sqrt(w) * X
    sqrt_w: np.ndarray
    cluster_codes: np.ndarray | None   # 0..G-1 per row, or None
    n_clusters: int | None
    names: tuple[str, ...]
    keep: np.ndarray           # boolean mask of rows kept (positive weight) in the input


def prepare_design(y, X, *, weights=None, cluster=None, names: Sequence[str] | None = None,
                   need_cluster: bool = False, several: bool = False) -> Design:
    """Check inputs and return the weight-transformed design (rows with weight 0 dropped).

    ``several=True``: ``y`` holds several outcomes as the columns of an (n, m) array, which
    share every check and transform; otherwise ``y`` is one outcome (flattened)."""
    if isinstance(X, pd.DataFrame):
        names = tuple(map(str, X.columns)) if names is None else tuple(names)
        X = X.to_numpy(dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=float)
    y = y.reshape(len(y), -1) if several else y.ravel()
    n, k = X.shape
    if names is None:
        names = tuple(f"x{j}" for j in range(k))
    names = tuple(names)
    if len(names) != k:
        raise InputError(f"`names` has {len(names)} entries but X has {k} columns; "
                         "give one name per column.")
    if len(y) != n:
        raise InputError(f"`y` has {len(y)} values but X has {n} rows; pass arrays of equal length.")
    if not np.all(np.isfinite(y)):
        bad = int(np.flatnonzero(~np.isfinite(y).reshape(n, -1).all(axis=1))[0])
        raise InputError(f"`y` has {int((~np.isfinite(y)).sum())} missing or infinite value(s) "
                         f"(first: row {bad}); drop or impute them before fitting.")
    if not np.all(np.isfinite(X)):
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise InputError(f"X has missing or infinite values (first: row {row}, column "
                         f"`{names[col]}`); drop or impute them before fitting.")
    if weights is None:
        w = np.ones(n)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if len(w) != n:
            raise InputError(f"`weights` has {len(w)} values but the data have {n} rows.")
        if not np.all(np.isfinite(w)):
            raise InputError("`weights` has missing or infinite values; every row needs a "
                             "finite weight (use 0 to leave a row out).")
        if np.any(w < 0):
            bad = int(np.flatnonzero(w < 0)[0])
            raise InputError(f"`weights` has {int((w < 0).sum())} negative value(s) (first: row "
                             f"{bad}, value {w[bad]:g}); weights must be >= 0.")
        if not np.any(w > 0):
            raise InputError("`weights` are all zero: no row is left to fit; check the matching "
                             "or IPW step that produced them.")
    keep = w > 0
    codes, g = None, None
    if cluster is not None:
        cl = np.asarray(cluster)
        if cl.ndim != 1 or len(cl) != n:
            raise InputError(f"`cluster` must be one label per row ({n} rows); got shape {cl.shape}.")
        if pd.isna(pd.Series(cl)).any():
            raise InputError("`cluster` has missing labels; every row needs a cluster "
                             "(caseworker) id.")
        codes_all = pd.factorize(pd.Series(cl)[keep], sort=True)[0]
        codes = codes_all.astype(np.int64)
        g = int(codes.max()) + 1 if len(codes) else 0
        if g < 2:
            raise InputError(f"`cluster` has only {g} level(s) among the rows used; cluster-robust "
                             "variance needs at least 2 clusters (use vcov='HC1' or a coarser "
                             "design).")
    elif need_cluster:
        raise InputError("A cluster-robust variance needs `cluster` (one label per row, e.g. the "
                         "caseworker column); pass it or choose vcov='HC1'.")
    sw = np.sqrt(w[keep])
    Xk, yk = X[keep] * sw[:, None], y[keep] * (sw[:, None] if y.ndim == 2 else sw)
    if Xk.shape[0] <= k:
        raise EstimationError(f"Only {Xk.shape[0]} rows with positive weight for {k} "
                              "coefficients; the model cannot be estimated.")
    # rank from the eigenvalues of the scaled cross-product (cheap for millions of rows)
    xtx = Xk.T @ Xk
    scale = np.sqrt(np.diag(xtx))
    zero = scale == 0
    scale[zero] = 1.0
    eig = np.linalg.eigvalsh(xtx / np.outer(scale, scale))
    rank = int(np.sum(eig > _RANK_TOL * eig.max())) - int(zero.sum()) if eig.max() > 0 else 0
    if rank < k:
        raise EstimationError(f"X is rank deficient (rank {max(rank, 0)} < {k} columns): some "
                              f"columns ({', '.join(names)}) are collinear or all zero; drop one.")
    return Design(yk, Xk, sw, codes, g, names, keep)


def _bread(X: np.ndarray) -> np.ndarray:
    return np.linalg.inv(X.T @ X)


def cluster_scores(X: np.ndarray, resid: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sum of x_i * e_i within each cluster: a (G, k) array."""
    xe = X * resid[:, None]
    return np.column_stack([np.bincount(codes, xe[:, c], minlength=n_clusters)
                            for c in range(X.shape[1])])


def _working_cross(X, w, theta, M) -> np.ndarray:
    """M T M with T = X' W Theta W X: the term both the adjustment and the df need."""
    T = (X * (w * w * theta)[:, None]).T @ X
    return M @ T @ M


def _cr2_adjustments(X, w, theta, bounds, bread, MTM):
    """Per cluster, the CR2 adjustment A_g, exactly as ``clubSandwich::vcovCR`` builds it.

    Rows are sorted by cluster; cluster g is rows bounds[g]:bounds[g+1]. In the original
    (unweighted) scale with W = diag(w), working variance Theta = diag(theta) and
    M = (X'WX)^-1:  A_g = Theta_g^1/2 B_g^-1/2 Theta_g^1/2 with
    B_g = Theta_g^1/2 (Theta_g - H_gg Theta_g - Theta_g H_gg' + X_g M T M X_g') Theta_g^1/2,
    H_gg = X_g M X_g' W_g, T = X' W Theta W X; B_g^-1/2 is the symmetric generalised inverse
    square root (eigenvalues below _CR2_EIG_TOL dropped).

    With Theta = I (clubSandwich's default for a weighted ``lm``, and the only case without
    weights) B_g = I + Z C Z' with Z = [X_g, W_g X_g] (Z = X_g without weights), so A_g is
    applied through a thin SVD of Z (cost n_g k^2). With Theta = 1/w (``inverse_var``) B_g
    is dense: n_g^3 per cluster.

    Returns one function per cluster: apply(v) = A_g v for a vector or matrix v.
    """
    M = bread
    k = X.shape[1]
    identity = bool(np.all(theta == 1.0))
    unweighted = bool(np.all(w == 1.0))
    if unweighted:                      # B_g = I - X_g M X_g'
        C = MTM - 2 * M
    elif identity:
        C = np.block([[MTM, -M], [-M, np.zeros((k, k))]])
    adjust = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        Xg, wg = X[a:b], w[a:b]
        if identity:
            Z = Xg if unweighted else np.hstack([Xg, Xg * wg[:, None]])
            U, s, Vt = np.linalg.svd(Z, full_matrices=False)
            keep = s > s.max() * 1e-12 if s.size and s.max() > 0 else np.zeros(len(s), bool)
            U, s, Vt = U[:, keep], s[keep], Vt[keep]
            K = (s[:, None] * (Vt @ C @ Vt.T)) * s[None, :]
            lam, Q = np.linalg.eigh(np.eye(len(s)) + (K + K.T) / 2)
            f = np.where(lam > _CR2_EIG_TOL,
                         1.0 / np.sqrt(np.clip(lam, _CR2_EIG_TOL, None)), 0.0) - 1.0
            F = (Q * f) @ Q.T
            adjust.append(lambda v, U=U, F=F: v + U @ (F @ (U.T @ v)))
        else:
            tg = theta[a:b]
            XM = Xg @ M
            XWT = Xg * (wg * tg)[:, None]
            Bg = np.diag(tg) - XM @ XWT.T - XWT @ XM.T + Xg @ MTM @ Xg.T
            r = np.sqrt(tg)
            Bg = r[:, None] * Bg * r[None, :]
            lam, Q = np.linalg.eigh((Bg + Bg.T) / 2)
            inv_sqrt = np.where(lam > _CR2_EIG_TOL, 1.0 / np.sqrt(np.clip(lam, _CR2_EIG_TOL, None)),
                                0.0)
            A = r[:, None] * ((Q * inv_sqrt) @ Q.T) * r[None, :]
            adjust.append(lambda v, A=A: A @ v)
    return adjust


def _bm_df(X, w, theta, bread, bounds, adjust, MTM) -> np.ndarray:
    """Satterthwaite (Bell-McCaffrey) degrees of freedom for each coefficient, under the
    working model Var(e) = Theta, as ``clubSandwich::coef_test(test = "Satterthwaite")``.

    The CR2 variance of c'b is sum_g (g_g' e)^2 with g_g = A_g W_g X_g M c on cluster g and
    e = (I - H) y. With q_g = (I - H)' g_g its Satterthwaite df is tr(O)^2 / ||O||_F^2 where
    O[g, h] = q_g' Theta q_h = diag(g'Theta g) - E'MC - C'ME + C'M T M C, C_g = X_g'g_g,
    E_g = X_g' W_g Theta_g g_g and T = X'W Theta W X. All k coefficients at once (c = M).
    """
    M = bread
    k = X.shape[1]
    G = len(adjust)
    D = np.empty((G, k))
    C = np.empty((G, k, k))             # C[g][:, j] = X_g' p_g for coefficient j
    E = np.empty((G, k, k))
    for g, ((a, b), apply) in enumerate(zip(zip(bounds[:-1], bounds[1:]), adjust)):
        Xg, wg, tg = X[a:b], w[a:b], theta[a:b]
        P = apply(wg[:, None] * (Xg @ M))     # n_g x k: p_g for every coefficient
        D[g] = np.einsum("ij,ij->j", P, tg[:, None] * P)
        C[g] = Xg.T @ P
        E[g] = Xg.T @ ((wg * tg)[:, None] * P)
    dfs = np.empty(k)
    for j in range(k):
        Cj, Ej = C[:, :, j].T, E[:, :, j].T   # k x G
        cross = Ej.T @ M @ Cj
        O = np.diag(D[:, j]) - cross - cross.T + Cj.T @ MTM @ Cj
        dfs[j] = np.trace(O) ** 2 / np.sum(O ** 2)
    return dfs


def compute_vcov(design: Design, kind: str, bread: np.ndarray, resid: np.ndarray, *,
                 inverse_var: bool = False):
    """Return (vcov, df per coefficient) for a fitted weighted-space design."""
    X = design.X
    n, k = X.shape
    if kind == "iid":
        sigma2 = resid @ resid / (n - k)
        return sigma2 * bread, np.full(k, float(n - k))
    if kind == "HC1":
        meat = (X * resid[:, None] ** 2).T @ X
        return n / (n - k) * bread @ meat @ bread, np.full(k, float(n - k))
    G = design.n_clusters
    if kind in ("CR0", "CR1"):
        S = cluster_scores(X, resid, design.cluster_codes, G)
        V = bread @ (S.T @ S) @ bread
        if kind == "CR1":
            V = V * (G / (G - 1)) * ((n - 1) / (n - k))
        return V, np.full(k, float(G - 1))
    # CR2 works in the original scale: raw X, residuals and weights (scaled to mean 1, as
    # clubSandwich does, so its absolute eigenvalue tolerance means the same here), rows
    # sorted by cluster so each cluster is a slice
    order = np.argsort(design.cluster_codes, kind="stable")
    bounds = np.searchsorted(design.cluster_codes[order], np.arange(G + 1))
    sw = design.sqrt_w[order]
    X0, e0 = X[order] / sw[:, None], resid[order] / sw
    mean_w = np.mean(sw ** 2)
    w = sw ** 2 / mean_w if np.ptp(sw) > 0 else np.ones(n)
    theta = 1.0 / w if inverse_var else np.ones(n)
    Mw = bread * mean_w                    # (X'WX)^-1 with the mean-1 weights
    MTM = _working_cross(X0, w, theta, Mw)
    adjust = _cr2_adjustments(X0, w, theta, bounds, Mw, MTM)
    S = np.array([X0[a:b].T @ (w[a:b] * apply(e0[a:b]))
                  for a, b, apply in zip(bounds[:-1], bounds[1:], adjust)])
    V = Mw @ (S.T @ S) @ Mw
    return V, _bm_df(X0, w, theta, Mw, bounds, adjust, MTM)


@dataclass(frozen=True, repr=False, eq=False)
class OLSFit(Result):
    """A weighted least-squares fit with the variance estimate named in ``vcov_kind``."""

    coef: np.ndarray
    vcov: np.ndarray
    df: np.ndarray
    df_resid: int
    n_obs: int
    n_clusters: int | None
    vcov_kind: str
    names: tuple[str, ...]
    residuals: np.ndarray = field(repr=False)
    alpha: float = 0.05
    weighted: bool = False
    title: str = "Weighted least squares"

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov))

    def index(self, name: str) -> int:
        if name not in self.names:
            raise InputError(f"No coefficient `{name}`; coefficients are: {', '.join(self.names)}.")
        return self.names.index(name)

    def coef_of(self, name: str) -> float:
        return float(self.coef[self.index(name)])

    def se_of(self, name: str) -> float:
        return float(self.se[self.index(name)])

    def tidy(self) -> pd.DataFrame:
        se = self.se
        t = self.coef / se
        p = 2 * stats.t.sf(np.abs(t), self.df)
        q = stats.t.ppf(1 - self.alpha / 2, self.df)
        out = pd.DataFrame({"term": list(self.names), "estimate": self.coef, "std_error": se,
                            "statistic": t, "p_value": p, "ci_lower": self.coef - q * se,
                            "ci_upper": self.coef + q * se, "df": self.df})
        return out[TIDY_COLUMNS + ["df"]]

    def _header(self) -> dict:
        h = {"method": "OLS" if not self.weighted else "weighted least squares",
             "n": self.n_obs, "variance": _VCOV_LABEL[self.vcov_kind]}
        if self.n_clusters is not None:
            h["clusters"] = self.n_clusters
        h["weights"] = "yes" if self.weighted else "none"
        h["alpha"] = self.alpha
        h["fipeval"] = __version__
        return h

    def _notes(self) -> tuple:
        if self.n_clusters is not None and self.vcov_kind in CLUSTER_KINDS and self.n_clusters < 42:
            return ((f"Only {self.n_clusters} clusters: cluster-robust standard errors can be "
                     "badly off with fewer than about 40 clusters; check with "
                     "wild_cluster_bootstrap or randomization_inference."),)
        return ()


_VCOV_LABEL = {
    "iid": "classical (iid), t(n-k)",
    "HC1": "heteroskedasticity-robust HC1, t(n-k)",
    "CR0": "cluster-robust CR0 (no small-sample factor), t(G-1)",
    "CR1": "cluster-robust CR1 = G/(G-1)*(n-1)/(n-k), t(G-1)",
    "CR2": "cluster-robust CR2 (Bell-McCaffrey), Satterthwaite df",
}


def fit_ols(y, X, *, weights=None, cluster=None, vcov: VcovKind = "CR1",
            names: Sequence[str] | None = None, alpha: float = 0.05,
            inverse_var: bool = False) -> OLSFit:
    """Fit weighted least squares and estimate the variance of the coefficients.

    Parameters
    ----------
    y : array-like, shape (n,)
        Outcome.
    X : array-like or DataFrame, shape (n, k)
        Regressors including the intercept column.
    weights : array-like, optional
        Non-negative weights (matching or IPW); weight-0 rows are dropped.
    cluster : array-like, optional
        Cluster label per row (e.g. caseworker). Required for ``CR0``, ``CR1``, ``CR2``.
    vcov : {"iid", "HC1", "CR0", "CR1", "CR2"}
        Variance estimator (see the module docstring for the exact formulas).
    names : sequence of str, optional
        Coefficient names (default: DataFrame columns or x0, x1, ...).
    alpha : float
        Level for the confidence intervals in ``tidy()``.
    inverse_var : bool
        Only for ``vcov="CR2"`` with weights: the working model of the bias-reduction
        adjustment, named as in ``clubSandwich::vcovCR``. False (default, clubSandwich's
        default for a weighted ``lm``): errors homoskedastic in the original scale, the
        weights being analysis weights (matching, IPW). True: the weights are inverse
        variances (precision weights), working variance 1/w; each cluster then costs n_g^3.
        Without weights the two are the same estimator.

    Returns
    -------
    OLSFit

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> d = np.repeat([0, 1], 50); cl = np.repeat(np.arange(10), 10)
    >>> y = 1 + 0.5 * d + rng.normal(size=100)
    >>> fit = fit_ols(y, np.column_stack([np.ones(100), d]), cluster=cl, vcov="CR1",
    ...               names=["const", "fip"])
    >>> fit.coef_of("fip") == float(fit.coef[1])
    True
    """
    check_option("vcov", vcov, VCOV_KINDS)
    if not (0 < alpha < 1):
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    design = prepare_design(y, X, weights=weights, cluster=cluster, names=names,
                            need_cluster=vcov in CLUSTER_KINDS)
    bread = _bread(design.X)
    coef = bread @ (design.X.T @ design.y)
    resid_w = design.y - design.X @ coef
    if inverse_var and vcov != "CR2":
        raise InputError(f"`inverse_var` changes only the CR2 adjustment; it has no meaning "
                         f"for vcov={vcov!r}. Drop it or choose vcov='CR2'.")
    V, df = compute_vcov(design, vcov, bread, resid_w, inverse_var=inverse_var)
    V = (V + V.T) / 2
    return OLSFit(coef=coef, vcov=V, df=df, df_resid=design.X.shape[0] - design.X.shape[1],
                  n_obs=design.X.shape[0],
                  n_clusters=design.n_clusters if vcov in CLUSTER_KINDS else None,
                  vcov_kind=vcov, names=design.names, residuals=resid_w / design.sqrt_w,
                  alpha=alpha, weighted=weights is not None)


def hc1_coefficient(Y, X, *, column: int, weights=None, alpha: float = 0.05) -> list[tuple]:
    """One coefficient of the HC1 (heteroskedasticity-robust) fit of each column of ``Y``.

    The same numbers as ``fit_ols(Y[:, c], X, weights=weights, vcov="HC1").tidy()`` row
    ``column`` for every outcome c, from one factorisation of the shared design. Returns per
    outcome ``(estimate, std_error, statistic, p_value, ci_lower, ci_upper, df)``.
    """
    design = prepare_design(Y, X, weights=weights, several=True)
    Xw, Yw = design.X, design.y
    n, k = Xw.shape
    bread = _bread(Xw)
    coefs = bread @ (Xw.T @ Yw)
    coef = coefs[column]
    resid = Yw - Xw @ coefs
    h = Xw @ bread[:, column]
    se = np.sqrt(n / (n - k) * ((h * h) @ (resid * resid)))
    df = float(n - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    p = 2 * stats.t.sf(np.abs(t), df)
    q = stats.t.ppf(1 - alpha / 2, df)
    return [(coef[c], se[c], t[c], p[c], coef[c] - q * se[c], coef[c] + q * se[c], df)
            for c in range(len(coef))]
