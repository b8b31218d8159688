"""The design decides the inference: one rule, used by every number the report states.

FIP is assigned to caseworkers (usually two per municipality), so the unit of assignment is
the caseworker, and within a municipality the clients of one caseworker are not independent
draws. Client-level or CR1 errors with two treated caseworkers over-reject badly (measured:
CR1 covers 68% with 2 FIP caseworkers; ``benchmarks/results/inference_coverage.json``).

The rule (:func:`plan_inference`), applied once per study, per comparison (each
municipality's own effect, and the pooled effect over all of them), and printed up front:

* **fewer than** ``FEW_TREATED_CLUSTERS`` **FIP (or control) caseworkers in the
  comparison**: randomization inference. FIP is re-assigned to every other choice of the
  same number of caseworkers within each municipality (all choices when there are at most
  ``n_draws``, else ``n_draws`` random ones). The p-value is exact under the sharp null of no
  effect; the interval comes from inverting the test (linear estimands, :mod:`.randomization`)
  or from the randomization distribution of the studentised statistic (any other estimand:
  :func:`randomization_t`). When the smallest attainable p-value exceeds ``alpha``, no
  interval at that level exists: the estimand is flagged "no valid inference".
* **otherwise**: the restricted wild cluster bootstrap-t (:mod:`.wild`) for linear estimands
  and the same randomization-t for the others. (The Cox model's own cluster-robust errors
  were measured and rejected: 92-94% coverage with 10-15 FIP of 38 caseworkers,
  ``benchmarks/results/design_coverage_many.json``.)

References
----------
MacKinnon & Webb (2017), J. Applied Econometrics 32(2); (2020), J. Econometrics 218(2):
few treated clusters, randomization inference. Conley & Taber (2011), REStat 93(1).
Ferman & Pinto (2019), REStat 101(3). Young (2019), QJE 134(2): randomization-t.
Canay, Romano & Shaikh (2017), Econometrica 85(4): approximate randomization tests.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DesignError, EstimationError, FipevalError, InputError, check_columns
from ..progress import steps
from ..results import TIDY_COLUMNS, Result
from .randomization import _assignments
from .._version import __version__

FEW_TREATED_CLUSTERS = 10   # below this many FIP or control caseworkers per stratum: RI
METHODS = ("randomization", "wild")
_TIE_TOL = 1e-9
_METHOD_WORDS = {
    "randomization": "randomization inference: FIP re-assigned to other caseworkers within "
                     "each municipality (exact p-value under the sharp null; interval by test "
                     "inversion, or from the randomization distribution of the studentised "
                     "statistic for non-linear estimands)",
    "wild": "restricted wild cluster bootstrap-t by caseworker (linear estimands); "
            "randomization-t over caseworker assignments (non-linear estimands)",
}


@dataclass(frozen=True, repr=False, eq=False)
class InferencePlan(Result):
    """How every interval and p-value of a study is computed, and why.

    ``table`` has one row per stratum (municipality) and, with several, one for all of them
    together: FIP and control caseworkers and clients, the number of possible assignments
    of FIP to caseworkers, the smallest attainable p-value and whether an interval at
    level ``1 - alpha`` exists.
    """

    method: str          # "randomization" if any comparison needs it, else "wild"
    reason: str
    treatment: str
    cluster: str
    strata: str | None
    table: pd.DataFrame
    alpha: float
    n_draws: int
    seed: int | None
    title: str = "How uncertainty is computed: the design decides"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def subset(self, name: str) -> pd.Series:
        """The row of one stratum (or of all together: ``"all"``)."""
        rows = self.table[self.table["subset"] == name]
        if not len(rows):
            raise InputError(f"No subset {name!r} in the inference plan; subsets are: "
                             f"{', '.join(self.table['subset'])}.")
        return rows.iloc[0]

    def method_for(self, name: str = "all") -> str:
        """The rule's method for one comparison: ``"randomization"`` or ``"wild"``."""
        method = self.subset(name)["method"]
        if method is None or pd.isna(method):   # pandas 3 stores a missing text as NaN
            raise InputError(f"{name!r} has no comparison of its own (only FIP or only control "
                             "caseworkers); it enters the pooled analysis only.")
        return str(method)

    def valid(self, name: str = "all") -> bool:
        """Whether an interval at level 1 - alpha exists for this subset's comparison."""
        return self.subset(name)["valid"] is True

    def _header(self) -> dict:
        return {"unit of assignment": f"`{self.cluster}` (FIP is given to caseworkers)",
                "method": _METHOD_WORDS[self.method], "why": self.reason,
                "strata": f"`{self.strata}`" if self.strata else "none",
                "draws": f"all assignments where at most {self.n_draws:,}, else {self.n_draws:,} "
                         f"random ones (seed {self.seed})",
                "alpha": self.alpha, "fipeval": __version__}

    def _notes(self) -> tuple:
        notes = ["Client-level and CR1 cluster-robust errors are not used for any interval or "
                 "verdict: with this few FIP caseworkers they state confident falsehoods "
                 "(CR1 covered 68% of true effects with 2 FIP caseworkers in our coverage "
                 "study)."] if self.method == "randomization" else []
        invalid = self.table[self.table["valid"].eq(False)]
        for row in invalid.itertuples():
            notes.append(f"{row.subset}: only {row.assignments:,} possible choices of FIP "
                         f"caseworkers, so the smallest attainable p-value is "
                         f"{row.smallest_p:.3g} > alpha = {self.alpha}: no valid interval or "
                         "verdict at this level; effects are shown without one.")
        return tuple(notes)


def plan_inference(data: pd.DataFrame, *, treatment: str = "fip", cluster: str = "caseworker",
                   strata: str | None = "municipality", alpha: float = 0.05,
                   n_draws: int = 999, seed: int | None = None) -> InferencePlan:
    """Choose, by the rule in the module docstring, the inference every section uses.

    Parameters
    ----------
    data : DataFrame
        One row per client (``fipeval.design.build_cohort``). Not modified.
    treatment, cluster, strata : str
        FIP indicator (0/1, constant within ``cluster``), the unit FIP was assigned by, and
        the groups FIP is re-assigned within (``None``: one group).
    alpha : float
        1 - the level of every interval.
    n_draws : int
        Random assignments (and bootstrap draws) when there are more possible ones.
    seed : int, optional
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    InferencePlan

    Examples
    --------
    >>> import pandas as pd
    >>> cw = [f"c{i}" for i in range(15) for _ in range(20)]
    >>> df = pd.DataFrame({"caseworker": cw, "fip": [int(c in ("c0", "c1")) for c in cw],
    ...                    "municipality": "A"})
    >>> plan = plan_inference(df)
    >>> plan.method, int(plan.subset("A")["assignments"])
    ('randomization', 105)
    """
    if not 0 < alpha < 1:
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if int(n_draws) < 99:
        raise InputError(f"`n_draws` must be at least 99; got {n_draws!r}.")
    check_columns(data, [treatment, cluster] + ([strata] if strata else []), what="The cohort")
    frame = data[[treatment, cluster] + ([strata] if strata else [])]
    per_cluster = frame.groupby([strata, cluster] if strata else [cluster], observed=True,
                                sort=True)[treatment].agg(["min", "max", "size"])
    mixed = per_cluster[per_cluster["min"] != per_cluster["max"]]
    if len(mixed):
        raise DesignError(f"`{treatment}` varies within {len(mixed)} value(s) of `{cluster}` "
                          f"(first: {mixed.index[0]!r}); FIP must be assigned by `{cluster}` "
                          "for design-based inference. Check the design's FIP caseworkers.")
    rows = []
    groups = (per_cluster.groupby(level=0, observed=True, sort=True) if strata
              else [("all", per_cluster)])
    for name, part in groups:
        k, g = int(part["max"].sum()), len(part)
        fip_n = int(part.loc[part["max"] == 1, "size"].sum())
        rows.append({"subset": str(name), "fip_caseworkers": k, "control_caseworkers": g - k,
                     "clients_fip": fip_n, "clients_control": int(part["size"].sum()) - fip_n,
                     "assignments": math.comb(g, k)})
    table = pd.DataFrame(rows)
    both = table[(table.fip_caseworkers > 0) & (table.control_caseworkers > 0)]
    if not len(both):
        raise DesignError("No municipality has both FIP and control caseworkers: there is no "
                          "comparison to make inference about.")
    if strata and len(table) > 1:
        table = pd.concat([table, pd.DataFrame([{
            "subset": "all", "fip_caseworkers": int(both.fip_caseworkers.sum()),
            "control_caseworkers": int(both.control_caseworkers.sum()),
            "clients_fip": int(both.clients_fip.sum()),
            "clients_control": int(both.clients_control.sum()),
            "assignments": math.prod(int(a) for a in both.assignments)}])], ignore_index=True)
    elif table.loc[0, "subset"] != "all" and len(table) == 1:
        table = pd.concat([table, table.assign(subset="all")], ignore_index=True)
    table["smallest_p"] = 1.0 / table["assignments"].astype(float)
    # a municipality with only control (or only FIP) caseworkers has no comparison of its
    # own: it is neither valid nor invalid, it only enters the pooled analysis
    compared = (table.fip_caseworkers > 0) & (table.control_caseworkers > 0)
    table["valid"] = (table["smallest_p"] <= alpha).where(compared, other=None).astype(object)
    # the rule, per comparison: a municipality's own effect rests on its own caseworkers, the
    # pooled effect on all of them
    fewest = np.minimum(table.fip_caseworkers, table.control_caseworkers)
    table["method"] = np.where(fewest < FEW_TREATED_CLUSTERS, "randomization", "wild")
    table["method"] = table["method"].where(compared, other=None)
    method = "randomization" if (table["method"] == "randomization").any() else "wild"
    pooled = table[table.subset == "all"].iloc[0]
    reason = (f"as few as {int(both.fip_caseworkers.min())} FIP and "
              f"{int(both.control_caseworkers.min())} control caseworkers in a municipality "
              f"({int(pooled.fip_caseworkers)} and {int(pooled.control_caseworkers)} in all); "
              f"with fewer than {FEW_TREATED_CLUSTERS} of either, cluster-robust and bootstrap "
              "errors are unreliable and FIP is re-assigned over caseworkers (exact); with "
              "more, the wild cluster bootstrap is reliable for linear effects and cheaper "
              "(models are still re-assigned)")
    return InferencePlan(method=method, reason=reason, treatment=treatment, cluster=cluster,
                         strata=strata, table=table, alpha=alpha, n_draws=int(n_draws), seed=seed)


@dataclass(frozen=True, repr=False, eq=False)
class DesignEstimate(Result):
    """One estimate with design-based (randomization) inference.

    ``std_error`` is the estimator's own (model-based) standard error, used only to
    studentise; the interval and p-value come from re-assigning FIP to caseworkers:
    ``estimate -/+ q * std_error`` with ``q`` the ``1 - alpha`` quantile of ``|t|`` over the
    assignments, and ``p`` the share of assignments with ``|t|`` at least the observed.
    ``t_draws`` are the studentised statistics of the re-assignments (observed first).
    """

    term: str
    estimate: float
    std_error: float
    p_value: float
    ci_lower: float
    ci_upper: float
    n_assignments: int
    enumerated: bool
    valid: bool
    failed: int
    alpha: float
    seed: int | None
    t_draws: np.ndarray = field(repr=False)
    method: str = "randomization-t over caseworker assignments"
    invalid_reason: str = ""
    bootstrap: bool = False     # n_assignments counts bootstrap draws (from_bootstrap)
    title: str = "Design-based inference (FIP re-assigned to caseworkers)"

    @property
    def statistic(self) -> float:
        return self.estimate / self.std_error if self.std_error > 0 else np.nan

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": self.term, "estimate": self.estimate,
                              "std_error": self.std_error, "statistic": self.statistic,
                              "p_value": self.p_value, "ci_lower": self.ci_lower,
                              "ci_upper": self.ci_upper, "inference": self.method,
                              "assignments": None if self.bootstrap else self.n_assignments,
                              "valid": self.valid}],
                            columns=TIDY_COLUMNS + ["inference", "assignments", "valid"])

    def _header(self) -> dict:
        if self.bootstrap:
            return {"method": self.method,
                    "draws": f"{self.n_assignments:,} bootstrap draws, seed {self.seed}",
                    "alpha": self.alpha}
        what = (f"all {self.n_assignments:,} assignments (exact)" if self.enumerated
                else f"{self.n_assignments - 1:,} random assignments and the observed one, "
                     f"seed {self.seed}")
        return {"method": self.method, "assignments": what, "alpha": self.alpha}

    @classmethod
    def from_bootstrap(cls, term: str, estimate: float, std_error: float, *, p_value: float,
                       ci_lower: float, ci_upper: float, n_draws: int, seed: int | None,
                       method: str, alpha: float = 0.05) -> "DesignEstimate":
        """An estimate whose interval comes from a wild (cluster) bootstrap over caseworkers:
        the rule's method when there are enough FIP and control caseworkers."""
        return cls(term=term, estimate=float(estimate), std_error=float(std_error),
                   p_value=float(p_value), ci_lower=float(ci_lower), ci_upper=float(ci_upper),
                   n_assignments=int(n_draws), enumerated=False, valid=True, failed=0,
                   alpha=alpha, seed=seed, t_draws=np.empty(0), method=method, bootstrap=True)

    @classmethod
    def estimate_only(cls, term: str, estimate: float, std_error: float, *, reason: str,
                      alpha: float = 0.05) -> "DesignEstimate":
        """An estimate for which no valid inference exists, with the reason why."""
        return cls(term=term, estimate=float(estimate), std_error=float(std_error),
                   p_value=np.nan, ci_lower=np.nan, ci_upper=np.nan, n_assignments=0,
                   enumerated=False, valid=False, failed=0, alpha=alpha, seed=None,
                   t_draws=np.empty(0), method="none (no valid inference)", invalid_reason=reason)

    def no_valid_inference(self, reason: str) -> "DesignEstimate":
        """This estimate with its interval and p-value withdrawn, and the reason why."""
        return dataclasses.replace(self, p_value=np.nan, ci_lower=np.nan, ci_upper=np.nan,
                                   valid=False, invalid_reason=reason)

    def _notes(self) -> tuple:
        notes = []
        if self.invalid_reason:
            notes.append(f"{self.term}: no valid inference. {self.invalid_reason}")
        elif not self.valid:
            notes.append(f"Only {self.n_assignments} possible assignments: the smallest "
                         f"attainable p-value {1 / self.n_assignments:.3g} exceeds alpha = "
                         f"{self.alpha}, so no interval at this level exists.")
        if self.failed:
            notes.append(f"{self.failed} re-assignment(s) could not be estimated (for example "
                         "no events in a group) and count as at least as extreme as the "
                         "observed (conservative).")
        return tuple(notes)


def randomization_t(data: pd.DataFrame,
                    statistic: Callable[[pd.DataFrame], tuple[float, float]] | None = None,
                    *, term: str, treatment: str = "fip", cluster: str = "caseworker",
                    strata: str | None = "municipality", n_draws: int = 999,
                    seed: int | None = None, alpha: float = 0.05,
                    batch: Callable[[np.ndarray, pd.Index], tuple[np.ndarray, np.ndarray]]
                    | None = None) -> DesignEstimate:
    """Design-based p-value and interval for any estimator, by re-assigning FIP to caseworkers.

    ``statistic(frame)`` returns ``(estimate, std_error)`` for a copy of ``data`` whose
    ``treatment`` column holds a re-assigned FIP indicator (same number of FIP caseworkers in
    each stratum). The studentised statistic's randomization distribution gives the p-value
    of "no effect" and the interval ``estimate -/+ q * std_error`` (Young 2019's
    randomization-t; for a constant additive effect on a linear estimator it is the
    inverted randomization test).

    Parameters
    ----------
    data : DataFrame
        Rows with ``treatment`` constant within ``cluster`` (and ``cluster`` nested in
        ``strata``). Not modified.
    statistic : callable
        ``frame -> (estimate, std_error)``; a FipevalError for one re-assignment counts that
        assignment as extreme (conservative) and is reported.
    term : str
        Name of the estimate.
    n_draws, seed, alpha
        Random assignments when there are more possible ones; seed; level.
    batch : callable, optional
        The same statistic for all assignments at once, instead of ``statistic``:
        ``batch(A, clusters) -> (estimates, std_errors)`` with ``A`` the 0/1 assignment
        matrix (rows: assignments, the observed first; columns: the ``clusters`` in order).
        A non-finite value marks a failed assignment. See :mod:`fipeval.survival.by_assignment`.

    Returns
    -------
    DesignEstimate

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> cw = np.repeat(np.arange(8), 25)
    >>> df = pd.DataFrame({"caseworker": cw, "fip": (cw < 2).astype(int),
    ...                    "y": rng.normal(size=200)})
    >>> def diff(f):
    ...     a, b = f.y[f.fip == 1], f.y[f.fip == 0]
    ...     return a.mean() - b.mean(), np.sqrt(a.var() / len(a) + b.var() / len(b))
    >>> res = randomization_t(df, diff, term="difference", strata=None)
    >>> res.n_assignments, res.enumerated
    (28, True)
    """
    if not 0 < alpha < 1:
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if int(n_draws) < 99:
        raise InputError(f"`n_draws` must be at least 99; got {n_draws!r}.")
    check_columns(data, [treatment, cluster] + ([strata] if strata else []), what="The data")
    codes, uniques = pd.factorize(data[cluster], sort=True)
    G = len(uniques)
    d = data[treatment].to_numpy(float)
    cl_d = np.zeros(G)
    np.maximum.at(cl_d, codes, d)
    low = np.ones(G)
    np.minimum.at(low, codes, d)
    if np.any(low != cl_d):
        raise DesignError(f"`{treatment}` varies within `{cluster}`; FIP must be assigned by "
                          f"`{cluster}` for design-based inference.")
    if strata:
        s_codes = pd.factorize(data[strata], sort=True)[0].astype(float)
        cl_s = np.full(G, np.nan)
        cl_s[codes] = s_codes
    else:
        cl_s = np.zeros(G)
    rng = np.random.default_rng(seed)
    A, enumerated = _assignments(cl_d, cl_s, int(n_draws), rng)
    if len(A) < 2:
        raise DesignError("Only one possible assignment of FIP to caseworkers: no design-based "
                          "inference is possible.")
    if (statistic is None) == (batch is None):
        raise InputError("Give exactly one of `statistic` (one assignment at a time) and "
                         "`batch` (all assignments at once).")
    if batch is not None:
        with warnings.catch_warnings():
            # Expected and handled: up to n_draws re-assigned fits at once; one that fails
            # (an empty group, an overflow) yields a non-finite value, which counts as
            # extreme below (conservative) and is reported as "failed". Per-draw warnings
            # would repeat hundreds of times and say nothing more.
            warnings.simplefilter("ignore")
            est, se = (np.asarray(v, float) for v in batch(A, pd.Index(uniques)))
        est0, se0 = est[0], se[0]
    else:
        est0, se0 = statistic(data)
    if not (np.isfinite(est0) and np.isfinite(se0) and se0 > 0):
        raise EstimationError(f"{term}: the estimate or its standard error is not finite "
                              f"({est0!r}, {se0!r}); no design-based interval.")
    if batch is None:
        est, se = np.empty(len(A)), np.empty(len(A))
        est[0], se[0] = est0, se0
        frame = data.copy()
        with steps(f"{term}: re-assigned refits", len(A) - 1, unit="refits") as done:
            for r in range(1, len(A)):
                frame[treatment] = A[r][codes].astype(data[treatment].dtype)
                try:
                    with warnings.catch_warnings():
                        # as for batch above: a failed refit counts as extreme and is reported
                        warnings.simplefilter("ignore")
                        est[r], se[r] = statistic(frame)
                except FipevalError:
                    est[r], se[r] = np.nan, np.nan
                done()
    judged = np.isfinite(est) & np.isfinite(se) & (se > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # conservative: an assignment we cannot judge is extreme
        t = np.where(judged, est / se, np.inf)
    failed = int((~judged).sum())
    abs_t = np.abs(t)
    p = float(np.mean(abs_t >= abs_t[0] * (1 - _TIE_TOL)))
    valid = 1.0 / len(A) <= alpha
    if valid:
        q = float(np.quantile(abs_t, 1 - alpha, method="inverted_cdf"))   # R type 1
        lo, hi = est0 - q * se0, est0 + q * se0
    else:
        lo, hi = -np.inf, np.inf
    return DesignEstimate(term=term, estimate=float(est0), std_error=float(se0), p_value=p,
                          ci_lower=float(lo), ci_upper=float(hi), n_assignments=len(A),
                          enumerated=enumerated, valid=bool(valid and np.isfinite(hi)),
                          failed=failed, alpha=alpha, seed=None if enumerated else seed,
                          t_draws=t)


def interval_draws(estimate: float, ci_lower: float, ci_upper: float, *, alpha: float,
                   n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of an effect whose ``alpha``-level percentile interval is ``[ci_lower, ci_upper]``.

    A two-piece normal: below the estimate with scale ``(estimate - ci_lower) / z``, above it
    with ``(ci_upper - estimate) / z``, each half taken with probability 1/2, so its
    ``alpha/2`` and ``1 - alpha/2`` quantiles are the design-based interval's ends. This is
    how costing carries the design's uncertainty (never a CR1 standard error). Returns NaN
    draws when the interval is unbounded (no valid inference).

    Examples
    --------
    >>> import numpy as np
    >>> x = interval_draws(0.0, -1.0, 2.0, alpha=0.05, n_draws=200_000,
    ...                    rng=np.random.default_rng(1))
    >>> np.round(np.quantile(x, [0.025, 0.975]), 1).tolist()
    [-1.0, 2.0]
    """
    if not (np.isfinite(ci_lower) and np.isfinite(ci_upper)):
        return np.full(n_draws, np.nan)
    if not ci_lower <= estimate <= ci_upper:
        raise InputError(f"The interval [{ci_lower:g}, {ci_upper:g}] does not contain the "
                         f"estimate {estimate:g}.")
    z = stats.norm.ppf(1 - alpha / 2)
    lower = rng.random(n_draws) < 0.5
    half = np.abs(rng.standard_normal(n_draws))
    return np.where(lower, estimate - half * (estimate - ci_lower) / z,
                    estimate + half * (ci_upper - estimate) / z)


def design_std_error(ci_lower: float, ci_upper: float, alpha: float) -> float:
    """The normal-equivalent standard error of a design-based interval (for pooling).

    Half the interval's width over ``z_{1-alpha/2}``; infinite when the interval is.
    """
    if not (np.isfinite(ci_lower) and np.isfinite(ci_upper)):
        return np.inf
    return float((ci_upper - ci_lower) / (2 * stats.norm.ppf(1 - alpha / 2)))




@dataclass(frozen=True, repr=False, eq=False)
class DesignTable(Result):
    """Several design-based estimates of one section, as one table."""

    estimates: tuple
    alpha: float
    title: str = "Design-based inference"
    notes: tuple = ()

    def tidy(self) -> pd.DataFrame:
        return pd.concat([e.tidy() for e in self.estimates], ignore_index=True)

    def _header(self) -> dict:
        drawn = [e for e in self.estimates if e.n_assignments] or list(self.estimates)
        first = drawn[0]
        what = (f"all {first.n_assignments:,} assignments (exact)" if first.enumerated
                else f"{first.n_assignments - 1:,} random assignments and the observed one, "
                     f"seed {first.seed}")
        return {"inference": "randomization-t: FIP re-assigned to other caseworkers within "
                             "each municipality; p-value = share of assignments with |t| at "
                             "least the observed; interval = estimate -/+ the 95th percentile "
                             "of |t| x standard error"
                             + ("" if all(e.n_assignments for e in self.estimates) else
                                " (rows without assignments: see column `inference`)"),
                "assignments": what, "alpha": self.alpha, "fipeval": __version__}

    def _notes(self) -> tuple:
        return tuple(self.notes) + tuple(n for e in self.estimates for n in e._notes())


INFERENCE_COLUMNS = ("std_error", "statistic", "p_value", "ci_lower", "ci_upper", "df",
                     "p_holm", "p_BH", "sup_t_lower", "sup_t_upper")


def blank_inference(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with its own standard errors, intervals and p-values set to NaN."""
    return table.assign(**{c: np.nan for c in INFERENCE_COLUMNS if c in table.columns})


def without_inference(result: Result, note: str) -> "Summary":
    """The summary of ``result`` with its own intervals and p-values blanked.

    For model-based results whose intervals the design does not support (client-level or
    CR1 with few FIP caseworkers): the report shows their estimates and the design-based
    table beside them, never their intervals.
    """
    from ..results import Summary

    summary = result.summary() if isinstance(result, Result) else result
    table = blank_inference(summary.table)
    header = {k: v for k, v in summary.header.items()
              if k not in ("inference", "clustering", "interval and p_value")}
    return Summary(summary.title, header, table, (note,) + tuple(
        n for n in summary.notes if "cluster" not in n.lower()))
