"""Fine-Gray subdistribution hazards regression, reproducing R's ``cmprsk::crr``.

Fine and Gray (1999), "A proportional hazards model for the subdistribution of a competing
risk", JASA 94: 496-509. The numbers are those of ``cmprsk::crr`` (cmprsk 2.2-11, R 4.2.2):
coefficients, ``var`` (the sandwich variance that includes the term for the estimated
censoring distribution), ``loglik`` and ``score``, with crr's Newton-Raphson (same start,
step-halving line search, ``gtol`` and ``maxiter``). This is an independent numpy
formulation of the mathematics, not a translation of cmprsk's Fortran.

The estimator, for rows sorted by time with ``r_i = exp(x_i'b)``:

* ``G(t-)``: Kaplan-Meier estimate of the censoring distribution just before ``t``. As crr
  does, it is read off the step function at ``t * (1 - 100 * eps)`` (R's ``approx`` with
  ``method = "constant"``), so a censoring tied with a failure at ``t`` does not count in
  ``G(t-)`` but does count in the censoring risk set ``Y(t) = #{T_i >= t}``.
* risk set at a failure time ``tau``: every row with ``T_i >= tau`` with weight 1, plus the
  rows that failed from another cause before ``tau`` with weight ``G(tau-) / G(T_i-)``;
  censored rows leave at their time.
* ties: Breslow. The ``d`` failures of the cause of interest at ``tau`` all face the same
  risk set: ``-log L = sum_tau [ -sum_{fail at tau} x_i'b + d log S0(tau) ]``.
* ``var = I^-1 (sum_i (eta_i + psi_i)(eta_i + psi_i)') I^-1``: ``I`` is the information,
  ``eta_i`` the score residual of row ``i`` (its failure term minus its ``dLambda`` term
  over every failure row it is at risk for) and ``psi_i`` the correction for estimating
  ``G``: ``q(T_i)/Y(T_i)`` if row ``i`` is censored, minus the sum over censoring times
  ``u <= T_i`` of ``c(u) q(u) / Y(u)^2`` (``c(u)`` censorings at ``u``), where
  ``q(u) = sum_{failures at tau >= u} G(tau-)/S0(tau) * sum_{other-cause failures T_j < u}
  r_j / G(T_j-) (x_j - xbar(tau))``.

Every risk-set sum is a cumulative sum over the time-sorted rows, so a likelihood
evaluation is O(n p^2) after one O(n log n) sort (no loop over rows or failure times).

Constraints (as used here): one censoring group (crr's default ``cengroup``); no
time-varying covariates (crr's ``cov2``/``tf``); no case weights (crr has none); rows with
missing values are rejected, not dropped (crr's ``na.omit``). crr's internal ``survfit``
merges times closer than about 1e-8 relative (``timefix``); this module does not, which only
matters for times that differ by rounding error.
"""

from __future__ import annotations

import numpy as np

from ..errors import EstimationError, InputError

_EPS = np.finfo(float).eps
_MAX_HALVINGS = 20     # crr: give up (converged = FALSE) after 20 step halvings
_ARMIJO = 1e-4         # crr: accept a step when f(b + s) <= f(b) + 1e-4 * s'grad


def _rev_cumsum(a: np.ndarray) -> np.ndarray:
    """Sums from each row to the end, with one zero row appended (index n is the empty sum)."""
    out = np.zeros((a.shape[0] + 1,) + a.shape[1:])
    out[:-1] = np.cumsum(a[::-1], axis=0)[::-1]
    return out


def _cumsum0(a: np.ndarray) -> np.ndarray:
    """Sums of the rows before each row: index i holds the sum of rows 0..i-1."""
    out = np.zeros((a.shape[0] + 1,) + a.shape[1:])
    out[1:] = np.cumsum(a, axis=0)
    return out


def _censoring_survival_before(t: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """crr's censoring weights: KM of the censoring times, evaluated at t * (1 - 100 eps).

    ``t`` is sorted. Kaplan-Meier with censorings as events (failures censor it), at the
    distinct times of all rows; then R's approx(method="constant", f=0, rule=2) on the knots
    crr builds: (min(0, t1) - 10 eps, 1), (time_k, S(time_k)), (max * (1 + 10 eps), 0).
    """
    n = t.size
    times, first = np.unique(t, return_index=True)
    at_risk = n - first
    n_cens = np.add.reduceat(censored.astype(float), first)
    surv = np.cumprod((at_risk - n_cens) / at_risk)
    knots = np.concatenate(([min(0.0, times[0]) - 10 * _EPS], times,
                            [times[-1] * (1 + 10 * _EPS)]))
    values = np.concatenate(([1.0], surv, [0.0]))
    xout = t * (1 - 100 * _EPS)
    pos = np.searchsorted(knots, xout, side="right") - 1   # largest knot <= xout
    return values[np.clip(pos, 0, knots.size - 1)]         # rule = 2 below the first knot


class _FineGray:
    """Sorted data and index arrays; evaluates crr's objective, score and information."""

    def __init__(self, t: np.ndarray, code: np.ndarray, X: np.ndarray):
        # t sorted ascending; code 1 = cause of interest, 2 = other cause, 0 = censored
        self.t, self.code, self.X = t, code, X
        n, p = X.shape
        self.n, self.p = n, p
        self.fail = code == 1
        self.other = code == 2
        self.cens = code == 0
        self.Gm = _censoring_survival_before(t, self.cens)       # G(T_i-) per row
        # distinct failure times of the cause of interest and their first sorted row
        self.tau, self.d = np.unique(t[self.fail], return_counts=True)
        self.lo = np.searchsorted(t, self.tau, side="left")      # first row with T >= tau
        self.G_tau = self.Gm[self.lo]                            # G(tau-)
        self.x_fail_sum = X[self.fail].sum(axis=0)
        self.XX = X[:, :, None] * X[:, None, :]                  # n x p x p

    def risk_sums(self, b: np.ndarray, second: bool = True):
        """S0, S1 (and S2) at each distinct failure time, with the censoring weights."""
        eta = self.X @ b
        with np.errstate(over="ignore"):
            r = np.exp(eta)
        # other-cause rows carried past their time, weight r / G(T_j-) (times G(tau-) below)
        u = np.where(self.other, r / self.Gm, 0.0)
        lo, G = self.lo, self.G_tau
        S0 = _rev_cumsum(r)[lo] + G * _cumsum0(u)[lo]
        S1 = _rev_cumsum(r[:, None] * self.X)[lo] + G[:, None] * _cumsum0(u[:, None] * self.X)[lo]
        S2 = None
        if second:
            S2 = (_rev_cumsum(r[:, None, None] * self.XX)[lo]
                  + G[:, None, None] * _cumsum0(u[:, None, None] * self.XX)[lo])
        return r, u, S0, S1, S2

    def objective(self, b: np.ndarray) -> float:
        """crr's minimised function: minus the log pseudo-likelihood (Breslow ties)."""
        _, _, S0, _, _ = self.risk_sums(b, second=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = -self.x_fail_sum @ b + self.d @ np.log(S0)
        return float(f) if np.isfinite(f) else np.nan

    def derivatives(self, b: np.ndarray):
        """Objective, its gradient and Hessian (the information matrix)."""
        _, _, S0, S1, S2 = self.risk_sums(b)
        f = -self.x_fail_sum @ b + self.d @ np.log(S0)
        xbar = S1 / S0[:, None]
        grad = -self.x_fail_sum + self.d @ xbar
        hess = (np.einsum("k,kij->ij", self.d / S0, S2)
                - np.einsum("k,ki,kj->ij", self.d, xbar, xbar))
        return float(f), grad, hess

    def influence(self, b: np.ndarray) -> np.ndarray:
        """eta_i + psi_i per row (n x p): crr's sandwich 'meat' is their cross-product."""
        X, t, n = self.X, self.t, self.n
        r, u, S0, S1, _ = self.risk_sums(b, second=False)
        xbar = S1 / S0[:, None]
        a = self.d / S0                       # dLambda_1 jump per distinct failure time
        ab = a[:, None] * xbar
        # eta: own failure term ...
        k_at = np.searchsorted(self.tau, t, side="right")      # failure times <= T_i
        eta = np.zeros_like(X)
        own = self.fail
        eta[own] = X[own] - xbar[k_at[own] - 1]
        # ... minus the dLambda terms while at risk with weight 1 (tau <= T_i) ...
        A, B = _cumsum0(a)[k_at], _cumsum0(ab)[k_at]
        eta -= r[:, None] * (X * A[:, None] - B)
        # ... and, for other-cause rows, with weight G(tau-)/G(T_i-) for tau > T_i
        Ga, Gab = self.G_tau * a, self.G_tau[:, None] * ab
        C, D = _rev_cumsum(Ga)[k_at], _rev_cumsum(Gab)[k_at]
        eta -= u[:, None] * (X * C[:, None] - D)

        # psi: censoring-distribution term, evaluated at the distinct censoring times
        psi = np.zeros_like(X)
        if self.cens.any():
            uc, n_c = np.unique(t[self.cens], return_counts=True)
            lo_c = np.searchsorted(t, uc, side="left")
            Y = (n - lo_c).astype(float)                         # #{T_i >= u}
            E0 = _cumsum0(u)[lo_c]                               # other-cause rows T_j < u
            E1 = _cumsum0(u[:, None] * X)[lo_c]
            k_ge = np.searchsorted(self.tau, uc, side="left")    # failure times >= u
            Cq, Dq = _rev_cumsum(Ga)[k_ge], _rev_cumsum(Gab)[k_ge]
            q = E1 * Cq[:, None] - E0[:, None] * Dq
            compensator = _cumsum0(q * (n_c / Y**2)[:, None])
            l_at = np.searchsorted(uc, t, side="right")          # censoring times <= T_i
            psi -= compensator[l_at]
            ci = np.flatnonzero(self.cens)
            psi[ci] += (q / Y[:, None])[l_at[ci] - 1]
        return eta + psi


def crr_fit(ftime, fstatus, X, *, failcode, cencode=0, gtol: float = 1e-6,
            max_iter: int = 10) -> dict:
    """Fit the Fine-Gray model exactly as ``cmprsk::crr(ftime, fstatus, X, failcode=, cencode=)``.

    Parameters
    ----------
    ftime : (n,) failure or censoring times.
    fstatus : (n,) status codes: ``failcode`` the cause of interest, ``cencode`` censored,
        anything else a competing cause.
    X : (n,) or (n, k) covariates (crr's ``cov1``).
    failcode, cencode : as in crr.
    gtol, max_iter : crr's ``gtol`` and ``maxiter``; the fit stops when
        ``max(|score| * max(|b|, 1)) < max(|loglik|, 1) * gtol``.

    Returns
    -------
    dict with ``coef`` (k,), ``vcov`` (k, k) (crr's ``var``), ``naive_vcov`` (the inverse
    information), ``loglik``, ``score`` (both at ``coef``, as crr), ``loglik_null`` (crr's
    ``loglik.null``), ``score_test`` (score statistic at b = 0), ``converged`` and
    ``n_iter`` (Newton steps taken). A fit that does
    not converge is returned with ``converged=False``, as crr does.

    Raises
    ------
    InputError for mismatched shapes or missing values; EstimationError when no row fails
    from ``failcode`` or the information matrix is singular.
    """
    t = np.array(ftime, dtype=float)               # copies: the caller's arrays stay intact
    status = np.asarray(fstatus)
    Xa = np.array(X, dtype=float)
    if Xa.ndim == 1:
        Xa = Xa[:, None]
    if t.ndim != 1 or status.shape != t.shape or Xa.ndim != 2 or Xa.shape[0] != t.size:
        raise InputError(f"crr_fit(): ftime, fstatus and X must have the same number of rows; "
                         f"got {t.shape}, {status.shape} and {Xa.shape}.")
    if Xa.shape[1] == 0:
        raise InputError("crr_fit(): X has no columns; pass at least one covariate.")
    if not (np.isfinite(t).all() and np.isfinite(Xa).all()) or _has_missing(status):
        raise InputError("crr_fit(): ftime, fstatus and X must not contain missing or "
                         "infinite values; drop those rows first (crr's na.omit).")
    if failcode == cencode:
        raise InputError(f"crr_fit(): failcode and cencode are both {failcode!r}.")
    code = np.where(status == failcode, 1, np.where(status == cencode, 0, 2))
    if not (code == 1).any():
        raise EstimationError(f"crr_fit(): no row has status {failcode!r} (the cause of "
                              "interest), so the Fine-Gray model cannot be estimated.")

    order = np.argsort(t, kind="stable")
    # Centring the covariates leaves likelihood, score, information and influence unchanged
    # (exp(-b'c) cancels from every risk-set ratio) and keeps exp() and S2 well conditioned.
    Xs = Xa[order]
    Xs = Xs - Xs.mean(axis=0)
    model = _FineGray(t[order], code[order], Xs)

    p = Xs.shape[1]
    b = np.zeros(p)
    converged = False
    n_iter = 0
    for it in range(max_iter + 1):
        f, grad, hess = model.derivatives(b)
        if it == 0:          # at b = 0: the null log-likelihood and the score test
            loglik_null = -f
            score_test = float(grad @ np.linalg.solve(_check_information(hess), grad))
        n_iter = it
        if np.max(np.abs(grad) * np.maximum(np.abs(b), 1.0)) < max(abs(f), 1.0) * gtol:
            converged = True
            break
        if it == max_iter:
            break
        step = -_solve(hess, grad)
        bn = b + step
        fbn = model.objective(bn)
        halvings = 0
        while np.isnan(fbn) or fbn > f + _ARMIJO * float(step @ grad):
            halvings += 1
            step = step * 0.5
            bn = b + step
            fbn = model.objective(bn)
            if halvings > _MAX_HALVINGS:
                break
        if halvings > _MAX_HALVINGS:
            break                                    # crr: converged = FALSE, keep b
        b = bn

    h_inv = np.linalg.inv(_check_information(hess))
    infl = model.influence(b)
    meat = infl.T @ infl
    vcov = h_inv @ meat @ h_inv.T
    return {"coef": b, "vcov": vcov, "naive_vcov": h_inv, "loglik": -f,
            "loglik_null": loglik_null, "score_test": score_test, "score": -grad,
            "converged": converged, "n_iter": n_iter}


def _has_missing(status: np.ndarray) -> bool:
    if status.dtype.kind in "fc":
        return not np.isfinite(status).all()
    if status.dtype.kind == "O":
        return any(s is None or (isinstance(s, float) and s != s) for s in status)
    return False


def _check_information(hess: np.ndarray) -> np.ndarray:
    if not np.isfinite(hess).all() or np.linalg.matrix_rank(hess) < hess.shape[0]:
        raise EstimationError("crr_fit(): the information matrix is singular (a covariate "
                              "without variation among the rows at risk, or collinear "
                              "covariates); drop or combine covariates.")
    return hess


def _solve(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return np.linalg.solve(_check_information(hess), grad)
