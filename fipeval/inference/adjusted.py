"""Adjusted effects on the FIP clients (ATT): weighted, regression-adjusted and doubly robust,
each with the design's inference.

The report's estimand is the effect of FIP on the clients of the FIP caseworkers (the average
treatment effect on the treated, ATT). Four estimates of it, side by side:

* ``unadjusted``: the difference in means (within municipality when pooled): ``compare``;
* ``weighted``: the difference after weighting the controls by their propensity odds
  ``e / (1 - e)`` (Hajek-normalised IPW for the ATT; the weighted analogue of the balance
  section's matching, which cannot be redone for every re-assignment of FIP);
* ``regression``: the coefficient of FIP in a least-squares regression on the covariates
  (and municipality fixed effects when pooled): ``compare(covariates=...)``;
* ``aipw``: augmented IPW for the ATT (doubly robust: consistent when either the propensity
  model or the outcome model is right): with ``m0`` the control outcome regression (least
  squares on the control clients) and ``r = y - m0(x)``,
  ``tau = sum_FIP b r / sum_FIP b - sum_control b o r / sum_control b o``, ``o = e / (1 - e)``
  the propensity odds (logit model), ``b`` 1 or the exposure (counts). This is the
  cross-sectional doubly robust ATT of Sant'Anna & Zhao (2020), with a linear outcome model.

Inference follows the design's rule (:func:`fipeval.inference.design.plan_inference`):

* **randomization**: FIP is re-assigned to other caseworkers within municipality; for each
  re-assignment the weighted and AIPW estimates are recomputed from scratch: the logit
  propensity model is refitted by Newton-Raphson for all re-assignments at once (one
  Hessian per assignment from the row outer products of the fixed covariate design), the
  control outcome regression in closed form from per-caseworker cross-products (a
  re-assignment moves whole caseworkers between the arms). The studentised statistic's
  randomization distribution gives p-value and interval (randomization-t, Young 2019; at
  most ``REFIT_DRAWS`` re-assignments as for the report's other non-linear estimators).
  The regression adjustment is linear and uses the exact inverted randomization test.
* **wild**: the restricted wild cluster bootstrap-t by caseworker of the estimate's
  linearisation with the fitted nuisance models held fixed (the ATT doubly robust score is
  Neyman-orthogonal, so their estimation does not change its first-order variance when both
  are right; with the weighted estimate the propensity's estimation is ignored, which is
  conservative for the ATT weights, Hirano, Imbens & Ridder 2003).

The standard error used to studentise is the cluster-robust one of that linearisation
(CR1-type, G / (G - 1)).

References
----------
Robins, Rotnitzky & Zhao (1994), JASA 89(427); Imbens (2004), REStat 86(1);
Sant'Anna & Zhao (2020), Journal of Econometrics 219(1): doubly robust ATT;
Hirano, Imbens & Ridder (2003), Econometrica 71(4); Young (2019), QJE 134(2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import expit

from ..errors import (
    EstimationError,
    FipevalError,
    InputError,
    check_columns,
    check_option,
)
from ..results import TIDY_COLUMNS, Result
from .comparison import _design_matrix, _prepare_outcome, compare_many
from .design import randomization_t
from .wild import wild_many
from ._threads import with_one_blas_thread
from .._version import __version__

ESTIMATORS = ("unadjusted", "weighted", "regression", "aipw")
INFERENCES = ("randomization", "wild")
# re-assignments for the estimators that refit models (the propensity logit): as the
# report's other non-linear estimators (report.analyses.REFIT_DRAWS)
REFIT_DRAWS = 199
NEWTON_STEPS = 50
NEWTON_TOL = 1e-9
ESTIMATOR_WORDS = {
    "unadjusted": "unadjusted difference",
    "weighted": "propensity-weighted difference (controls weighted by their odds of FIP)",
    "regression": "regression adjustment (least squares on the covariates)",
    "aipw": "doubly robust AIPW (logit propensity and control outcome regression)",
}
# the balance rule: any covariate above this |SMD| before adjustment and AIPW leads
IMBALANCE_THRESHOLD = 0.1
NO_BALANCE_RULE = "no balance table: the doubly robust estimate leads"


@dataclass(frozen=True, repr=False, eq=False)
class AdjustedEffects(Result):
    """Unadjusted, weighted, regression-adjusted and doubly robust (AIPW) effects on the FIP
    clients, per outcome, with the design's inference; ``headline`` names the estimator the
    balance rule chose (``choose_estimator``)."""

    table: pd.DataFrame
    treatment: str
    cluster: str
    covariates: tuple
    inference: str
    n_draws: int
    refit_draws: int
    seed: int | None
    alpha: float
    headline: str = "aipw"
    rule: str = ""
    notes: tuple = ()
    imbalance: tuple = ()      # (term, |SMD| before) the rule judged by, when it had a table
    covariates_label: str = ""  # words for the adjustment set (the report's), else the names
    title: str = "Effects on the FIP clients: unadjusted and adjusted side by side"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def headline_rows(self) -> pd.DataFrame:
        """The rows of the chosen estimator (one per outcome and subset)."""
        return self.table[self.table["estimator"] == self.headline].copy()

    def _header(self) -> dict:
        return {"estimand": "effect on the FIP group (ATT)",
                "adjusted for": (self.covariates_label or
                                 (f"{len(self.covariates)} covariates: "
                                  f"{', '.join(self.covariates)}" if self.covariates
                                  else "none")),
                "headline": ESTIMATOR_WORDS[self.headline],
                "inference": (f"the design's rule per comparison (column inference): FIP "
                              f"re-assigned within municipality ({self.n_draws} draws; "
                              f"weighted and AIPW refitted for {self.refit_draws} "
                              "re-assignments), or the wild cluster bootstrap by caseworker "
                              "with many FIP caseworkers"),
                "alpha": self.alpha, "seed": self.seed, "fipeval": __version__}

    def _notes(self) -> tuple:
        return self.notes


# --------------------------------------------------------------------------- numbers


def _covariate_design(df: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> np.ndarray:
    """Intercept and covariates (categorical as dummies, constant columns dropped)."""
    X = _design_matrix(df, treatment, covariates).drop(columns=[treatment])
    return X.to_numpy(dtype=float)


def _logit_coefficients(X: np.ndarray, d: np.ndarray) -> np.ndarray:
    return fit_logit_many(X, d, return_beta=True)


def fit_logit_many(X: np.ndarray, D: np.ndarray, *, return_beta: bool = False):
    """Logistic regression of each column of ``D`` (n, A) on ``X`` (n, k), all at once.

    Newton-Raphson for every column together: each step is two matrix products over the
    rows and one k x k solve per column (the Hessians from the row outer products of ``X``).
    Returns the fitted probabilities (n, A) and a (A,) flag of convergence; a column that
    does not converge (separation) is flagged, not raised.
    """
    X = np.ascontiguousarray(X, dtype=float)
    D = np.ascontiguousarray(D, dtype=float)
    n, k = X.shape
    A = D.shape[1]
    beta = np.zeros((k, A))
    if A > 1:   # start every assignment from the first one's fit (fewer Newton steps)
        beta[:] = _logit_coefficients(X, D[:, :1])
    # the Hessians of all columns from the row outer products of X (bounded memory, else one
    # product per column)
    outer = (X[:, :, None] * X[:, None, :]).reshape(n, k * k) if 1 < A and n * k * k <= 2e7 \
        else None
    ok = np.zeros(A, dtype=bool)
    ridge = 1e-10 * np.eye(k)
    XT = np.ascontiguousarray(X.T)        # X.T @ M with a strided X.T is 100x slower
    active = np.arange(A)                 # columns still iterating
    for _ in range(NEWTON_STEPS):
        b_act = beta[:, active]
        p = expit(np.clip(X @ b_act, -35, 35))
        grad = XT @ (D[:, active] - p)                         # k x a
        w = p * (1 - p)
        if outer is not None:
            H = (w.T @ outer).reshape(len(active), k, k)
        else:
            H = np.stack([XT @ (w[:, [c]] * X) for c in range(len(active))])
        try:
            step = np.linalg.solve(H + ridge, grad.T[..., None])[..., 0].T
        except np.linalg.LinAlgError:
            step = np.einsum("aij,ja->ia", np.linalg.pinv(H), grad)
        beta[:, active] = b_act + step
        size = np.max(np.abs(step), axis=0)
        done = ((size < NEWTON_TOL * (1 + np.max(np.abs(beta[:, active]), axis=0)))
                | (np.max(np.abs(grad), axis=0) < NEWTON_TOL * n))
        ok[active[done]] = True
        active = active[~done]
        if not len(active):
            break
    if return_beta:
        return beta
    p = expit(np.clip(X @ beta, -35, 35))
    # a control with a propensity near 0 only gets no weight (harmless for the ATT); one near
    # 1 means FIP clients like them have no comparable controls
    return p, ok & ~(p > 1 - 1e-8).any(axis=0)


def att_many(Y: np.ndarray, X: np.ndarray, D: np.ndarray, codes: np.ndarray, *,
             base_weights: np.ndarray | None = None) -> dict:
    """Weighted (IPW) and AIPW ATT estimates with their cluster-robust linearised SEs for every
    outcome (columns of ``Y``) and assignment (columns of ``D``).

    Parameters
    ----------
    Y : (n, m) outcomes; X : (n, k) covariate design with intercept; D : (n, A) 0/1 FIP per
    assignment (constant within cluster); codes : (n,) cluster codes 0..G-1;
    base_weights : (n,) or None, e.g. exposure for rates.

    Returns
    -------
    dict with ``weighted`` and ``aipw``, each ``(estimate, std_error)`` arrays of shape (A, m)
    (NaN for an assignment whose propensity model failed).
    """
    from scipy import sparse

    n, k = X.shape
    A, m = D.shape[1], Y.shape[1]
    b = np.ones(n) if base_weights is None else np.asarray(base_weights, float)
    # row-major: the sparse products copy any other layout
    D = np.ascontiguousarray(D, dtype=float)
    X = np.ascontiguousarray(X, dtype=float)
    Y = np.ascontiguousarray(Y, dtype=float)
    p, ok = fit_logit_many(X, D)
    odds = p / (1 - p)
    codes = np.asarray(codes)
    G = int(codes.max()) + 1
    # cluster sums as sparse products: row g of C @ V sums the rows of V in cluster g, and
    # C_v = C with the values v_i sums v_i V_i (never an n x A temporary per outcome)
    rows = np.arange(n)

    def summing(values):
        return sparse.csr_matrix((values, (codes, rows)), shape=(G, n))

    Dg = (summing(np.ones(n)) @ D > 0).astype(float)             # G x A: FIP caseworkers
    # the FIP arm: weights b, constant assignment within a cluster
    T1 = summing(b) @ np.ones(n)                                 # G
    Ty = (summing(b) @ Y)                                        # G x m
    Tx = (summing(b) @ X)                                        # G x k
    # the control arm: weights b * odds (per assignment) on the control caseworkers
    W0 = odds * (1.0 - D)                                        # n x A
    C1 = summing(b) @ W0                                         # G x A
    Cy = [summing(b * Y[:, c]) @ W0 for c in range(m)]           # m of G x A
    Cx = [summing(b * X[:, j]) @ W0 for j in range(k)]           # k of G x A
    # control outcome regression per assignment, in closed form: a re-assignment moves whole
    # caseworkers, so the controls' cross-products are the total minus the FIP caseworkers'
    # per caseworker X'BX and X'BY: one small product per caseworker (an n x k^2 array of
    # row outer products would be gigabytes with municipality dummies on a national cohort)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(G + 1))
    xx_g, xy_g = np.zeros((G, k * k)), np.zeros((G, k * m))
    for g in range(G):
        idx = order[bounds[g]:bounds[g + 1]]
        if len(idx):
            Xs = X[idx]
            Xbs = np.ascontiguousarray((Xs * b[idx, None]).T)
            xx_g[g] = (Xbs @ Xs).ravel()
            xy_g[g] = (Xbs @ Y[idx]).ravel()
    ctrl = 1.0 - Dg.T                                            # A x G
    beta0 = (np.linalg.pinv((ctrl @ xx_g).reshape(A, k, k), hermitian=True)
             @ (ctrl @ xy_g).reshape(A, k, m))                   # A x k x m
    S1 = Dg.T @ T1                                               # A
    S0 = C1.sum(axis=0)                                          # A
    present = np.bincount(codes, minlength=G) > 0
    cadj = present.sum() / (present.sum() - 1)
    out = {name: (np.full((A, m), np.nan), np.full((A, m), np.nan))
           for name in ("weighted", "aipw")}
    for c in range(m):
        fit_x = np.einsum("gk,ak->ga", Tx, beta0[:, :, c])        # G x A: sum_g b x'beta_a
        fit_0 = sum(Cx[j] * beta0[:, j, c] for j in range(k))     # G x A, control arm
        for name, t_r, c_r in (("weighted", Ty[:, c:c + 1] * Dg, Cy[c]),
                               ("aipw", (Ty[:, c:c + 1] - fit_x) * Dg, Cy[c] - fit_0)):
            mu1 = t_r.sum(axis=0) / S1
            mu0 = c_r.sum(axis=0) / S0
            infl = (t_r - mu1 * (T1[:, None] * Dg)) / S1 - (c_r - mu0 * C1) / S0   # G x A
            est, se = out[name]
            est[:, c] = np.where(ok, mu1 - mu0, np.nan)
            se[:, c] = np.where(ok, np.sqrt(cadj * np.sum(infl ** 2, axis=0)), np.nan)
    out["odds"] = odds
    out["beta0"] = beta0
    return out


# --------------------------------------------------------------------------- the estimator


@with_one_blas_thread
def adjusted_effects(data: pd.DataFrame, *, outcomes: Sequence[str], treatment: str = "fip",
                     cluster: str = "caseworker", covariates: Sequence[str] = (),
                     strata: str | None = None,
                     inference: Literal["randomization", "wild"] = "randomization",
                     kinds: Sequence[str] | None = None, exposure: str = "exposure_years",
                     n_draws: int = 9999, refit_draws: int = REFIT_DRAWS,
                     seed: int | None = None, alpha: float = 0.05,
                     headline: Literal["unadjusted", "weighted", "regression", "aipw"] = "aipw",
                     rule: str = "", subset: str | None = None,
                     estimators: Sequence[str] = ESTIMATORS) -> AdjustedEffects:
    """Unadjusted, propensity-weighted, regression-adjusted and doubly robust (AIPW) effects of
    FIP on the FIP clients (ATT), with the design's inference.

    Parameters
    ----------
    data : DataFrame
        One row per client (``fipeval.design.build_cohort``). Not modified.
    outcomes : sequence of str
        Binary (risk difference), count (events per client-year of ``exposure``) or
        continuous outcomes.
    treatment, cluster : str
        The 0/1 FIP column and the unit FIP was assigned by (constant FIP within it).
    covariates : sequence of str
        Adjustment set of the propensity and outcome models (categorical ones as dummies).
    strata : str, optional
        Municipality: FIP is re-assigned within it, and it enters every model as fixed
        effects (the pooled comparison).
    inference : {"randomization", "wild"}
        The design's method for this comparison
        (:meth:`fipeval.inference.design.InferencePlan.method_for`).
    kinds : sequence of {"auto", "binary", "count", "continuous"}, optional
    exposure : str
        Client-years at risk (counts).
    n_draws : int
        Re-assignments (or bootstrap draws) for the linear estimators.
    refit_draws : int
        Re-assignments for the weighted and AIPW estimators in the randomization branch
        (each refits the propensity and outcome models).
    seed, alpha
        ``numpy.random.default_rng`` seed; 1 - the interval level.
    headline : str
        The estimator the report leads with (``choose_estimator``); flagged in the table.
    rule : str
        Why (printed).
    subset : str, optional
        A label for the rows (municipality).
    estimators : sequence of str
        Which of ``ESTIMATORS`` to compute (default all four).

    Returns
    -------
    AdjustedEffects
        ``tidy()``: one row per outcome and estimator, with ``estimator``, ``outcome``,
        ``inference`` and ``headline`` columns.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> cw = np.repeat(np.arange(12), 30)
    >>> age = rng.normal(40, 10, 360)
    >>> df = pd.DataFrame({"caseworker": cw, "fip": (cw < 3).astype(int), "age": age,
    ...                    "y": 0.05 * age + rng.normal(size=360)})
    >>> res = adjusted_effects(df, outcomes=["y"], covariates=["age"], refit_draws=99, seed=1)
    >>> res.tidy()["estimator"].tolist()
    ['unadjusted', 'weighted', 'regression', 'aipw']
    """
    check_option("inference", inference, INFERENCES)
    check_option("headline", headline, ESTIMATORS)
    estimators = [e for e in ESTIMATORS if e in estimators]
    for e in estimators:
        check_option("estimators", e, ESTIMATORS)
    if not estimators:
        raise InputError(f"`estimators` is empty; choose from {', '.join(ESTIMATORS)}.")
    if int(refit_draws) < 99:
        raise InputError(f"`refit_draws` must be at least 99; got {refit_draws!r}.")
    outcomes = list(outcomes)
    if not outcomes:
        raise InputError("`outcomes` is empty; name at least one outcome column.")
    kinds = ["auto"] * len(outcomes) if kinds is None else list(kinds)
    covariates = tuple(covariates)
    if treatment in covariates:
        raise InputError(f"The treatment `{treatment}` is listed among the covariates; remove it.")
    check_columns(data, list(dict.fromkeys(outcomes + [treatment, cluster, *covariates]
                                           + ([strata] if strata else []))), what="The data")
    fixed = covariates + ((strata,) if strata and strata not in covariates else ())
    kw = {"treatment": treatment, "cluster": cluster, "inference": inference,
          "alpha": alpha, "seed": seed, "n_draws": n_draws, "ratios": False, "subset": subset,
          "strata": strata, "exposure": exposure}
    # the linear estimators (and all of compare's checks of the data)
    unadjusted = (compare_many(data, outcomes=outcomes, kinds=kinds,
                               covariates=(strata,) if strata else (), **kw)
                  if "unadjusted" in estimators else [None] * len(outcomes))
    # the regression adjustment always runs: it makes compare's checks of the data
    regression = compare_many(data, outcomes=outcomes, kinds=kinds, covariates=fixed, **kw)
    df = data[list(dict.fromkeys(outcomes + [treatment, cluster, *fixed]
                                 + ([exposure] if exposure in data else [])))]
    prepared, notes = {}, []
    for i, (outcome, kind) in enumerate(zip(outcomes, kinds)):
        try:
            prepared[i] = _prepare_outcome(df, outcome, kind, exposure, None, subset)
        except FipevalError:
            pass        # compare_many returned the same error for this outcome
    if strata:
        # municipalities with only FIP or only control clients have no comparison: their
        # controls would get propensity 0 (weight 0) anyway; left out of the models
        both = df.groupby(strata, observed=True)[treatment].transform("nunique") == 2
        if not both.all():
            df = df[both.to_numpy()]
            prepared = {i: _prepare_outcome(df, outcomes[i], p["kind"], exposure, None, subset)
                        for i, p in prepared.items()}
    propensity_based = bool({"weighted", "aipw"} & set(estimators))
    X = _covariate_design(df, treatment, fixed) if propensity_based else None
    codes = pd.factorize(df[cluster], sort=True)[0]
    d = df[treatment].to_numpy(float)
    propensity = {}
    # outcomes with the same base weights (1, or the exposure for counts) share one batch
    groups: dict[str, list[int]] = {}
    for i, p in prepared.items():
        groups.setdefault("exposure" if p["kind"] == "count" else "plain", []).append(i)
    if not propensity_based:
        groups = {}
    for key, members in groups.items():
        Y = np.column_stack([prepared[i]["reg_y"] for i in members])
        bw = prepared[members[0]]["reg_w"]
        try:
            found = (_randomized(df, Y, X, codes, bw, treatment, cluster, strata, refit_draws,
                                 seed, alpha, [outcomes[i] for i in members])
                     if inference == "randomization" else
                     _wild(Y, X, d, codes, bw, n_draws, seed, alpha, members))
        except FipevalError as err:
            found = {name: [err] * len(members) for name in ("weighted", "aipw")}
        for name in ("weighted", "aipw"):
            for i, res in zip(members, found[name]):
                propensity[(name, i)] = res
    rows = []
    fip = d == 1
    n_fip_cl = int(df.loc[fip, cluster].nunique())
    n_ctl_cl = int(df.loc[~fip, cluster].nunique())
    for i, outcome in enumerate(outcomes):
        per = {"unadjusted": unadjusted[i], "weighted": propensity.get(("weighted", i)),
               "regression": regression[i], "aipw": propensity.get(("aipw", i))}
        kind = prepared[i]["kind"] if i in prepared else kinds[i]
        for name in estimators:
            res = per[name]
            if res is None or isinstance(res, FipevalError):
                notes.append(f"{outcome}, {name}: not estimated ({res or 'outcome not usable'})")
                row = dict.fromkeys(TIDY_COLUMNS[1:], np.nan)
                method = inference
            elif name in ("unadjusted", "regression"):
                p = res.primary
                row = {c: float(p[c]) for c in TIDY_COLUMNS[1:]}
                method = inference
            else:
                row = {c: float(getattr(res, c)) for c in TIDY_COLUMNS[1:]}
                method = res.method
            rows.append({"term": f"{outcome} [{subset or 'all'}]: {name}", **row,
                         "outcome": outcome, "subset": subset, "estimator": name,
                         "headline": name == headline, "kind": kind, "inference": method,
                         "n_fip": int(fip.sum()), "n_control": int((~fip).sum()),
                         "fip_caseworkers": n_fip_cl, "control_caseworkers": n_ctl_cl})
    table = pd.DataFrame(rows)[TIDY_COLUMNS + ["outcome", "subset", "estimator", "headline",
                                               "kind", "inference", "n_fip", "n_control",
                                               "fip_caseworkers", "control_caseworkers"]]
    return AdjustedEffects(table=table, treatment=treatment, cluster=cluster,
                           covariates=covariates, inference=inference, n_draws=int(n_draws),
                           refit_draws=int(refit_draws), seed=seed, alpha=alpha,
                           headline=headline, rule=rule, notes=tuple(notes))


def _randomized(df, Y, X, codes, bw, treatment, cluster, strata, refit_draws, seed, alpha,
                names) -> dict:
    """Randomization-t for the weighted and AIPW estimates of every column of ``Y``: one batch
    of re-assignments (the ones ``randomization_t`` draws with this seed) for all outcomes."""
    cache = {}

    def batch_for(name, c):
        def batch(A, clusters):
            key = A.tobytes()
            if key not in cache:
                D = A.T[codes]                                   # n x assignments
                cache.clear()
                cache[key] = att_many(Y, X, D, codes, base_weights=bw)
            est, se = cache[key][name]
            return est[:, c], se[:, c]
        return batch

    frame = df[[treatment, cluster] + ([strata] if strata else [])]
    out = {}
    for name in ("weighted", "aipw"):
        out[name] = []
        for c, outcome in enumerate(names):
            try:
                res = randomization_t(frame, batch=batch_for(name, c), term=f"{outcome}: {name}",
                                      treatment=treatment, cluster=cluster, strata=strata,
                                      n_draws=refit_draws, seed=seed, alpha=alpha)
                if not res.valid:
                    res = res.no_valid_inference(
                        "too few possible re-assignments of FIP for an interval at level "
                        f"{1 - alpha:g}" if 1 / res.n_assignments > alpha else
                        f"{res.failed} of {res.n_assignments} re-assignments could not be "
                        "estimated (the propensity model separates FIP from control clients), "
                        f"too many for an interval at level {1 - alpha:g}")
            except FipevalError as err:
                res = err
            out[name].append(res)
    return out


def _wild(Y, X, d, codes, bw, n_draws, seed, alpha, members) -> dict:
    """Restricted wild cluster bootstrap-t of the linearised weighted and AIPW estimates (the
    fitted propensity and outcome models held fixed)."""
    from .design import DesignEstimate

    fit = att_many(Y, X, d[:, None], codes, base_weights=bw)
    if not np.isfinite(fit["aipw"][0]).all():
        raise EstimationError("The propensity model did not converge (the covariates separate "
                              "FIP from control clients); no weighted or doubly robust "
                              "estimate.")
    odds = fit["odds"][:, 0]
    b = np.ones(len(d)) if bw is None else bw
    omega = b * np.where(d == 1, 1.0, odds)
    design = np.column_stack([np.ones(len(d)), d])
    resid = Y - X @ fit["beta0"][0]
    out = {}
    for name, outcome_matrix in (("weighted", Y), ("aipw", resid)):
        found = wild_many(outcome_matrix, design, codes, column=1, weights=omega,
                          n_draws=n_draws, seed=seed, alpha=alpha)
        out[name] = [r if isinstance(r, FipevalError) else DesignEstimate.from_bootstrap(
            r.term, r.estimate, r.std_error, p_value=r.p_value, ci_lower=r.ci_lower,
            ci_upper=r.ci_upper, n_draws=r.n_draws, seed=seed, alpha=alpha,
            method="wild cluster bootstrap-t of the linearised estimate (models fixed)")
            for r in found]
    return out


# --------------------------------------------------------------------------- the rule


def largest_imbalance(balance: pd.DataFrame, *, exclude: Sequence[str] = ("distance",),
                      exact: Sequence[str] = ("municipality",)) -> tuple[str, float, float]:
    """The covariate term with the largest absolute standardised mean difference before
    adjustment: (term, |SMD| before, |SMD| after matching or NaN)."""
    check_columns(balance, ["term", "smd_before"], what="The balance table")
    terms = balance["term"].astype(str)
    keep = ~terms.isin(list(exclude)) & ~terms.str.startswith(tuple(f"{c}_" for c in exact))
    part = balance[keep]
    smd = part["smd_before"].abs().to_numpy(float)
    if not len(part) or not np.isfinite(smd).any():
        raise InputError("The balance table has no covariate rows to judge the balance by.")
    worst = int(np.nanargmax(smd))
    after = abs(float(part["smd_after"].iloc[worst])) if "smd_after" in part else np.nan
    return str(part["term"].iloc[worst]), float(smd[worst]), after


def choose_estimator(balance: pd.DataFrame, *, threshold: float = IMBALANCE_THRESHOLD,
                     exclude: Sequence[str] = ("distance",),
                     exact: Sequence[str] = ("municipality",),
                     names: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The headline estimator the balance justifies, and the reason in words.

    Any covariate with an absolute standardised mean difference above ``threshold`` in the
    unadjusted sample: the doubly robust AIPW (it corrects the imbalance through both the
    propensity and the outcome model); otherwise regression adjustment (the groups are
    comparable; adjusting only gains precision). The propensity score itself (``distance``)
    and variables compared exactly (``exact``: each municipality is its own comparison) are
    not covariates to balance.

    Parameters
    ----------
    balance : DataFrame
        The balance table (``MatchResult.balance().tidy()`` or the report's balance summary):
        columns ``term`` and ``smd_before`` (``smd_after`` is reported in the reason).
    names : mapping, optional
        Words for the terms in the reason (the report's labels); default the codes.

    Returns
    -------
    (str, str)
        ``"aipw"`` or ``"regression"``, and the reason.

    Examples
    --------
    >>> bal = pd.DataFrame({"term": ["age", "sex_male"], "smd_before": [0.25, 0.02],
    ...                     "smd_after": [0.03, 0.01]})
    >>> choose_estimator(bal)[0]
    'aipw'
    """
    if not 0 < threshold:
        raise InputError(f"`threshold` must be positive; got {threshold!r}.")
    name, value, value_after = largest_imbalance(balance, exclude=exclude, exact=exact)
    name = (names or {}).get(name, name)
    after = f"; {value_after:.2f} after matching" if np.isfinite(value_after) else ""
    if value > threshold:
        return "aipw", (f"the largest standardised difference between the groups before "
                        f"adjustment is {value:.2f} ({name}{after}), above {threshold:g}: the "
                        "doubly robust estimate leads")
    return "regression", (f"every standardised difference between the groups before "
                          f"adjustment is at most {threshold:g} (largest {value:.2f}, {name}): "
                          "the groups are comparable and regression adjustment leads")


def headline_table(overview: pd.DataFrame, adjusted: AdjustedEffects | None) -> pd.DataFrame:
    """The effects overview's rows with the headline estimator's numbers in place of the
    unadjusted ones wherever the adjusted table has them (what the first page and costing
    state), and an ``estimator`` column naming which."""
    table = overview.copy()
    table["estimator"] = "unadjusted"
    if adjusted is None:
        return table
    chosen = adjusted.headline_rows().set_index(["subset", "outcome"])
    columns = ["estimate", "std_error", "statistic", "p_value", "ci_lower", "ci_upper"]
    for i, row in table.iterrows():
        key = (row["subset"], row["outcome"])
        if key in chosen.index and np.isfinite(chosen.loc[key, "estimate"]):
            for c in columns:
                table.at[i, c] = chosen.loc[key, c]
            table.at[i, "estimator"] = adjusted.headline
            table.at[i, "inference"] = chosen.loc[key, "inference"]
    return table


# with more municipalities than this, each municipality's comparison gets the unadjusted and
# the leading estimate only (all four for the pooled one): the side-by-side refits cost ~40 ms
# per municipality, seconds on a national study
SIDE_BY_SIDE_MAX = 10
HEADLINE_OUTCOMES = ("ended", "fraud_signals", "activations", "months_on_benefit")
_KINDS = {"ended": "binary", "fraud_signals": "count", "activations": "count",
          "months_on_benefit": "continuous"}


def adjusted_section(cohort: pd.DataFrame, *, balance: pd.DataFrame | None,
                     covariates: Sequence[str], plan, treatment: str = "fip",
                     cluster: str = "caseworker", by: str | None = "municipality",
                     outcomes: Sequence[str] = HEADLINE_OUTCOMES, n_draws: int = 9999,
                     refit_draws: int = REFIT_DRAWS, seed: int | None = None,
                     alpha: float = 0.05,
                     overview: pd.DataFrame | None = None,
                     names: Mapping[str, str] | None = None,
                     covariates_label: str = "") -> AdjustedEffects:
    """The report's side-by-side table: :func:`adjusted_effects` per municipality and pooled
    (as the effects section splits them), the headline chosen from ``balance`` by
    :func:`choose_estimator` (AIPW when the balance table has none).

    ``overview``: the effects section's table (``EffectsOverview.table``); its rows, computed
    with the same rule, seed and draws, are the unadjusted estimates (not computed twice).
    ``names`` (words for balance terms) and ``covariates_label`` (words for the adjustment
    set) are for the report's text.

    ``plan`` is the study's :class:`fipeval.inference.design.InferencePlan`; each comparison
    uses its method. Covariates that take one value in the cohort are left out.
    """
    imbalance = ()
    if balance is not None:
        headline, rule = choose_estimator(balance, names=names)
        imbalance = largest_imbalance(balance)[:2]
    else:
        headline, rule = "aipw", NO_BALANCE_RULE
    covariates = tuple(c for c in covariates if c in cohort and cohort[c].nunique() > 1)
    multi = by is not None and cohort[by].nunique() > 1
    subsets = []
    if by is not None:
        subsets = [(str(k), g) for k, g in cohort.groupby(by, sort=True, observed=True)
                   if g[treatment].nunique() == 2]
    if multi or not subsets:
        subsets.insert(0, ("all municipalities" if multi else "all clients", cohort))
    parts, notes = [], []
    few = len(subsets) <= SIDE_BY_SIDE_MAX + 1
    if not few:
        notes.append(f"{len(subsets) - 1} municipalities: each shows the unadjusted and the "
                     "leading estimate; all four side by side for all municipalities together.")
    for label, part in subsets:
        pooled = part is cohort
        chosen = (ESTIMATORS if few or pooled
                  else tuple(dict.fromkeys(("unadjusted", "regression", headline))))
        todo = [o for o in outcomes if o in part]
        method = plan.method_for("all" if pooled or plan.strata is None else label)
        try:
            res = adjusted_effects(part, outcomes=todo, kinds=[_KINDS.get(o, "auto") for o in todo],
                                   treatment=treatment, cluster=cluster, covariates=covariates,
                                   strata=by if pooled and multi else None, inference=method,
                                   n_draws=n_draws, refit_draws=refit_draws, seed=seed,
                                   alpha=alpha, headline=headline, rule=rule, subset=label,
                                   estimators=[e for e in chosen if overview is None
                                               or e != "unadjusted"])
        except FipevalError as err:
            notes.append(f"{label}: no adjusted estimates ({err})")
            continue
        parts.append(res.table)
        notes.extend(f"{label}: {n}" for n in res.notes)
    if not parts:
        raise EstimationError("No comparison could be adjusted: " + "; ".join(notes))
    table = pd.concat(parts, ignore_index=True)
    if overview is not None:
        table = _with_unadjusted(table, overview, headline)
    return AdjustedEffects(table=table, treatment=treatment, cluster=cluster,
                           covariates=covariates, inference="design", n_draws=int(n_draws),
                           refit_draws=int(refit_draws), seed=seed, alpha=alpha,
                           headline=headline, rule=rule, notes=tuple(notes),
                           imbalance=imbalance, covariates_label=covariates_label)


def _with_unadjusted(table: pd.DataFrame, overview: pd.DataFrame,
                     headline: str) -> pd.DataFrame:
    """``table`` with the overview's rows of the same subsets and outcomes as the unadjusted
    estimates, each first among its outcome's rows."""
    first = table.drop_duplicates(["subset", "outcome"])
    keys = ["subset", "outcome"]
    rows = overview[[c for c in overview.columns if c in table.columns
                     and c not in ("n_fip", "n_control", "fip_caseworkers",
                                   "control_caseworkers", "kind")]]
    rows = rows.merge(first[keys + ["n_fip", "n_control", "fip_caseworkers",
                                    "control_caseworkers", "kind"]], on=keys)
    rows = rows.assign(term=rows["outcome"] + " [" + rows["subset"] + "]: unadjusted",
                       estimator="unadjusted", headline=headline == "unadjusted")
    both = pd.concat([rows[table.columns], table], ignore_index=True)
    position = pd.Series(np.arange(len(first)), index=pd.MultiIndex.from_frame(first[keys]))
    both["_at"] = position.reindex(pd.MultiIndex.from_frame(both[keys])).to_numpy()
    both["_rank"] = both["estimator"].map({e: i for i, e in enumerate(ESTIMATORS)})
    return (both.sort_values(["_at", "_rank"], kind="stable")
            .drop(columns=["_at", "_rank"]).reset_index(drop=True))
