"""``compare``: one outcome, FIP versus control, with the inference printed beside it.

The primary row is always a difference on the outcome's own scale (risk difference for a
binary outcome, events per client-year for a count with exposure, mean difference for a
continuous outcome), estimated by (weighted) least squares of the outcome on the FIP
indicator and any covariates, so every inference option (naive, CR1, CR2, wild cluster
bootstrap, randomization) applies to the same number. Ratio measures and the classical
tests follow as extra rows, each labelled with the inference it uses.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import (
    DesignError,
    EstimationError,
    FewClustersWarning,
    FipevalError,
    InputError,
    caller_stacklevel,
    check_columns,
    check_option,
    columns_by_name,
    renamed,
)
from ..results import Result
from .measures import (
    _row,
    _table,
    mann_whitney,
    rate_ratio_glm,
    two_by_two,
    wald_risk_difference,
    welch_test,
)
from .ols import fit_ols, hc1_coefficient
from .randomization import randomization_many
from .wild import wild_many
from ._threads import with_one_blas_thread
from .._version import __version__

KINDS = ("auto", "binary", "count", "continuous")
INFERENCES = ("iid", "CR1", "CR2", "wild", "randomization")
# Below these numbers of treated clusters the plain-words warnings apply.
FEW_TREATED_CLUSTERS = 10
FEW_CLUSTERS = 42          # Angrist & Pischke's rule of thumb for cluster-robust SEs
_PRIMARY = {"binary": "risk difference", "count": "rate difference (per client-year)",
            "continuous": "mean difference"}
_INFERENCE_LABEL = {
    "iid": "iid: clients treated as independent (no clustering)",
    "CR1": "cluster-robust CR1, t(G-1)",
    "CR2": "cluster-robust CR2 (Bell-McCaffrey), Satterthwaite df",
    "wild": "wild cluster bootstrap-t (null imposed), CR1 studentised",
    "randomization": "randomization inference: FIP re-assigned across clusters",
}


@dataclass(frozen=True, repr=False, eq=False)
class Comparison(Result):
    """FIP versus control on one outcome: estimates, tests and how they were made."""

    outcome: str
    kind: str
    inference: str
    table: pd.DataFrame
    n_fip: int
    n_control: int
    mean_fip: float
    mean_control: float
    n_fip_clusters: int | None
    n_control_clusters: int | None
    cluster: str | None
    weights: str | None
    covariates: tuple
    alpha: float
    seed: int | None
    naive_p_value: float
    notes: tuple = ()
    subset: str | None = None
    title: str = "FIP versus control"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def primary(self) -> pd.Series:
        """The row of the difference the inference option applies to."""
        return self.table.iloc[0]

    @property
    def p_value(self) -> float:
        return float(self.primary["p_value"])

    def _header(self) -> dict:
        h = {"outcome": f"{self.outcome} ({self.kind})"}
        if self.subset:
            h["subset"] = self.subset
        h["n"] = f"{self.n_fip + self.n_control:,} clients ({self.n_fip:,} FIP, {self.n_control:,} control)"
        h["means"] = f"FIP {self.mean_fip:.4g}, control {self.mean_control:.4g}"
        if self.cluster:
            h["clusters"] = (f"{self.n_fip_clusters} FIP and {self.n_control_clusters} control "
                             f"values of `{self.cluster}`")
        h["inference"] = _INFERENCE_LABEL[self.inference]
        if self.inference != "iid":
            h["naive p-value"] = f"{self.naive_p_value:.3g} (ignores clustering; for contrast)"
        h["weights"] = f"`{self.weights}`" if self.weights else "none"
        h["covariates"] = ", ".join(self.covariates) if self.covariates else "none"
        h["alpha"] = self.alpha
        if self.seed is not None:
            h["seed"] = self.seed
        h["fipeval"] = __version__
        return h

    def _notes(self) -> tuple:
        return self.notes


def _few_cluster_notes(inference, n_fip_cl, n_ctl_cl, cluster, resampled, p_naive, p) -> list:
    if cluster is None:
        return ([("Clients are treated as independent. If FIP was assigned by caseworker, pass "
                  "cluster='caseworker': without it p-values overstate significance.")]
                if inference == "iid" else [])
    G = n_fip_cl + n_ctl_cl
    fip_words = f"only {n_fip_cl} FIP {cluster}{'s' if n_fip_cl != 1 else ''}"
    notes = []
    if inference == "iid":
        notes.append(f"FIP was assigned to {n_fip_cl} value(s) of `{cluster}`, but this p-value "
                     "treats every client as independent and overstates significance; use "
                     "inference='wild' or 'randomization'.")
    elif inference in ("CR1", "CR2") and (n_fip_cl < FEW_TREATED_CLUSTERS or G < FEW_CLUSTERS):
        notes.append(f"{fip_words[0].upper() + fip_words[1:]} (of {G} clusters): cluster-robust "
                     "SEs are unreliable; the wild cluster bootstrap p-value is the one to read "
                     "(inference='wild').")
    elif inference == "wild" and n_fip_cl < FEW_TREATED_CLUSTERS:
        notes.append(f"{fip_words[0].upper() + fip_words[1:]}: with so few treated clusters the "
                     "wild bootstrap tends to be conservative (MacKinnon & Webb 2017); a large "
                     "p-value here means 'no evidence either way', not 'no effect'.")
    elif inference == "randomization" and n_fip_cl < FEW_TREATED_CLUSTERS:
        notes.append(f"{fip_words[0].upper() + fip_words[1:]}: randomization inference compares "
                     "them with every other choice of caseworkers and is exact under the sharp "
                     "null, but it has little power with so few.")
    if resampled is not None:
        notes.extend(resampled._notes())
    if inference != "iid" and np.isfinite(p_naive) and p_naive < 0.05 <= p:
        notes.append(f"The naive p-value ({p_naive:.3g}) would call this significant; "
                     f"accounting for clustering it is {p:.3g}.")
    return notes


def _design_matrix(df: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> pd.DataFrame:
    parts = [pd.Series(1.0, index=df.index, name="const"),
             df[treatment].astype(float).rename(treatment)]
    for c in covariates:
        col = df[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            parts.append(col.astype(float).rename(c))
        else:
            dummies = pd.get_dummies(col.astype("category"), prefix=c, drop_first=True, dtype=float)
            parts.extend(dummies[k] for k in dummies.columns)
    X = pd.concat(parts, axis=1)
    const_cols = [c for c in X.columns[2:] if X[c].nunique() <= 1]
    return X.drop(columns=const_cols)


def _infer_kind(y: pd.Series, has_exposure: bool) -> str:
    vals = pd.unique(y)
    if set(vals) <= {0, 1}:
        return "binary"
    if has_exposure and np.all(np.equal(np.mod(y, 1), 0)) and (y >= 0).all():
        return "count"
    return "continuous"


@renamed(n_boot="n_draws")
@columns_by_name
def compare(cohort: pd.DataFrame, *, outcome: str, treatment: str = "fip",
            kind: Literal["auto", "binary", "count", "continuous"] = "auto",
            cluster: str | None = None,
            inference: Literal["iid", "CR1", "CR2", "wild", "randomization"] = "iid",
            weights: str | None = None, covariates: Sequence[str] = (),
            exposure: str = "exposure_years", strata: str | None = None,
            alpha: float = 0.05, seed: int | None = None, n_draws: int = 9999,
            bootstrap_weights: Literal["rademacher", "webb"] = "rademacher",
            ratios: bool = True, subset: str | None = None) -> Comparison:
    """Compare FIP with control on one outcome with the chosen inference.

    Parameters
    ----------
    cohort : DataFrame
        One row per client (``fipeval.design.build_cohort``). Not modified.
    outcome : str
        Outcome column: binary (``ended``, ``ended_work``), count (``fraud_signals``,
        ``activations``; per client-year of ``exposure``) or continuous.
    treatment : str
        0/1 column, 1 = FIP.
    kind : {"auto", "binary", "count", "continuous"}
        Outcome type; "auto" picks binary for 0/1, count for whole numbers when the exposure
        column exists, continuous otherwise.
    cluster : str, optional
        Column of the unit FIP was assigned by (``"caseworker"``). Needed for every
        inference except "iid".
    inference : {"iid", "CR1", "CR2", "wild", "randomization"}
        How the primary difference is tested (always printed in the header).
    weights : str, optional
        Column of matching or IPW weights (non-negative).
    covariates : sequence of str
        Adjust by regression on these columns (categorical ones as dummies); the primary row
        is then the adjusted difference.
    exposure : str
        Client-years at risk, for counts (rows with zero exposure are left out).
    strata : str, optional
        For ``inference="randomization"``: re-assign FIP within these groups (municipality).
    alpha, seed, n_draws, bootstrap_weights
        Level, seed for ``numpy.random.default_rng``, resampling draws, wild weights.
    ratios : bool
        Add risk ratio / odds ratio (binary) or Poisson / negative-binomial rate ratios
        (count) rows.
    subset : str, optional
        A label printed in the header (e.g. the municipality).

    Returns
    -------
    Comparison
        ``tidy()`` rows: the primary difference first, then ratios and classical tests, with
        an ``inference`` column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> cw = np.repeat(np.arange(10), 40)
    >>> df = pd.DataFrame({"caseworker": cw, "fip": (cw < 2).astype(int),
    ...                    "ended": rng.binomial(1, 0.2, 400)})
    >>> res = compare(df, outcome="ended", cluster="caseworker", inference="wild", seed=1)
    >>> res.n_fip_clusters
    2
    """
    out = compare_many(cohort, outcomes=[outcome], kinds=[kind], treatment=treatment,
                       cluster=cluster, inference=inference, weights=weights,
                       covariates=covariates, exposure=exposure, strata=strata, alpha=alpha,
                       seed=seed, n_draws=n_draws, bootstrap_weights=bootstrap_weights,
                       ratios=ratios, subset=subset)[0]
    if isinstance(out, FipevalError):
        raise out
    return out


@with_one_blas_thread
def compare_many(cohort: pd.DataFrame, *, outcomes: Sequence[str],
                 kinds: Sequence[str] | None = None, treatment: str = "fip",
                 cluster: str | None = None,
                 inference: Literal["iid", "CR1", "CR2", "wild", "randomization"] = "iid",
                 weights: str | None = None, covariates: Sequence[str] = (),
                 exposure: str = "exposure_years", strata: str | None = None,
                 alpha: float = 0.05, seed: int | None = None, n_draws: int = 9999,
                 bootstrap_weights: Literal["rademacher", "webb"] = "rademacher",
                 ratios: bool = True, subset: str | None = None) -> list:
    """:func:`compare` for several outcomes of the same clients, sharing the work.

    The checks of the cohort, the design matrix and, for the wild bootstrap and
    randomization inference, one set of draws (the ones ``compare`` uses with this seed) are
    shared: outcomes with the same regression weights (counts are weighted by exposure) are
    resampled together as the columns of one matrix, so each result equals ``compare``'s.

    Returns
    -------
    list
        Per outcome, its ``Comparison`` or the ``FipevalError`` that outcome raised alone (a
        constant outcome, a zero standard error). A problem of the cohort itself (a missing
        column, a treatment that is not 0/1, one group empty) raises.
    """
    outcomes = list(outcomes)
    kinds = ["auto"] * len(outcomes) if kinds is None else list(kinds)
    if len(kinds) != len(outcomes):
        raise InputError(f"`kinds` has {len(kinds)} entries for {len(outcomes)} outcomes; give "
                         "one per outcome.")
    for kind in kinds:
        check_option("kind", kind, KINDS)
    if inference == "naive":     # 0.x: one set of names across compare, did and fit_ols
        raise InputError("inference='naive' is now inference='iid' (clients treated as "
                         "independent, the name did() and fit_ols() use); change the call.")
    check_option("inference", inference, INFERENCES)
    if not (0 < alpha < 1):
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    covariates = tuple(covariates)
    shared = [treatment, *covariates] + [c for c in (cluster, weights, strata) if c]
    check_columns(cohort, list(dict.fromkeys(outcomes + shared)), what="The cohort")
    if inference != "iid" and cluster is None:
        raise InputError(f"inference={inference!r} needs `cluster` (the column FIP was assigned "
                         "by, e.g. cluster='caseworker'); pass it or use inference='iid'.")
    # read-only: the columns are never modified
    df = cohort[list(dict.fromkeys(outcomes + shared + ([exposure] if exposure in cohort else [])))]
    for c in dict.fromkeys(shared):
        _no_missing(df[c], c)
    d = df[treatment]
    if not d.isin([0, 1]).all():
        bad = d[~d.isin([0, 1])].iloc[0]
        raise InputError(f"Column `{treatment}` must be 0 (control) or 1 (FIP); found {bad!r}.")
    for value, name in ((1, "FIP"), (0, "control")):
        if not (d == value).any():
            raise DesignError(f"The {name} group has no clients (`{treatment}` is never "
                              f"{value}){f' in {subset}' if subset else ''}; a comparison "
                              "needs both groups.")
    w = None
    if weights is not None:
        w = df[weights].astype(float)
        if (w < 0).any():
            raise InputError(f"Column `{weights}` has {int((w < 0).sum())} negative weight(s) "
                             f"(first: row {int(np.flatnonzero(w.to_numpy() < 0)[0])}); "
                             "weights must be >= 0.")
        if not (w > 0).any():
            raise InputError(f"Column `{weights}` is zero for every client: nothing is left "
                             "to compare; check the matching or IPW step.")
    if cluster is not None and df[cluster].nunique() < 2:
        raise InputError(f"The cluster column `{cluster}` has one level "
                         f"({df[cluster].iloc[0]!r}); cluster-robust inference needs several "
                         "caseworkers. Use inference='iid' or check the column.")
    X = _design_matrix(df, treatment, covariates)
    cl = None if cluster is None else df[cluster].to_numpy()
    plain = w is None and not covariates
    fip = d.to_numpy() == 1
    n_fip_cl = n_ctl_cl = None
    if cluster is not None:
        n_fip_cl = int(df.loc[fip, cluster].nunique())
        n_ctl_cl = int(df.loc[~fip, cluster].nunique())

    results: list = [None] * len(outcomes)
    prepared = {}
    for i, (outcome, kind) in enumerate(zip(outcomes, kinds)):
        try:
            prepared[i] = _prepare_outcome(df, outcome, kind, exposure, w, subset)
        except FipevalError as err:
            results[i] = err
    # outcomes with the same regression weights share one design: resampled together
    groups: dict[str, list[int]] = {}
    for i, p in prepared.items():
        groups.setdefault("exposure" if p["kind"] == "count" else "weights", []).append(i)
    common = {"df": df, "treatment": treatment, "cluster": cluster, "inference": inference,
              "weights": weights, "covariates": covariates, "exposure": exposure,
              "alpha": alpha, "seed": seed, "ratios": ratios, "subset": subset, "X": X,
              "cl": cl, "plain": plain, "fip": fip, "w": w, "n_fip_cl": n_fip_cl,
              "n_ctl_cl": n_ctl_cl}
    for members in groups.values():
        reg_w = prepared[members[0]]["reg_w"]
        reg_Y = np.column_stack([prepared[i]["reg_y"] for i in members])
        try:
            naive = _naive_primaries([prepared[i] for i in members], reg_Y, reg_w, X, plain,
                                     fip, alpha)
            if inference == "wild":
                resampled = wild_many(reg_Y, X, cl, column=treatment, weights=reg_w,
                                      weight_type=bootstrap_weights, n_draws=n_draws,
                                      seed=seed, alpha=alpha)
            elif inference == "randomization":
                resampled = randomization_many(
                    reg_Y, X, cl, column=treatment, weights=reg_w, n_draws=n_draws, seed=seed,
                    alpha=alpha, strata=None if strata is None else df[strata].to_numpy())
            else:
                resampled = [None] * len(members)
        except FipevalError as err:
            for i in members:
                results[i] = err
            continue
        for i, nv, rs in zip(members, naive, resampled):
            try:
                if isinstance(nv, FipevalError):
                    raise nv
                if isinstance(rs, FipevalError):
                    raise rs
                results[i] = _one_comparison(outcomes[i], prepared[i], nv, rs, **common)
            except FipevalError as err:
                results[i] = err
    return results


def _no_missing(col: pd.Series, name: str) -> None:
    if col.isna().any():
        first = int(np.flatnonzero(col.isna().to_numpy())[0])
        raise InputError(f"Column `{name}` has {int(col.isna().sum())} missing value(s) "
                         f"(first: row {first}); drop those clients or impute before "
                         "comparing.")


def _prepare_outcome(df, outcome, kind, exposure, w, subset) -> dict:
    """One outcome's checks and its regression outcome and weights."""
    _no_missing(df[outcome], outcome)
    y = df[outcome].astype(float)
    if kind == "auto":
        kind = _infer_kind(y, exposure in df)
    if kind == "binary" and not y.isin([0, 1]).all():
        raise InputError(f"kind='binary' needs a 0/1 outcome, but `{outcome}` has the value "
                         f"{y[~y.isin([0, 1])].iloc[0]!r}; use kind='count' or 'continuous'.")
    if y.nunique() <= 1:
        raise EstimationError(f"The outcome `{outcome}` is constant ({y.iloc[0]:g} for every "
                              f"client{f' in {subset}' if subset else ''}); there is no "
                              "difference to test.")
    reg_y, reg_w = y.to_numpy(), None if w is None else w.to_numpy()
    if kind == "count":
        if exposure not in df:
            raise InputError(f"kind='count' needs the exposure column `{exposure}` (client-years "
                             "at risk); pass exposure=<column>.")
        t = df[exposure].astype(float).to_numpy()
        if (t < 0).any() or not (t > 0).any():
            raise InputError(f"Column `{exposure}` must be >= 0 with some positive values.")
        safe_t = np.where(t > 0, t, 1.0)
        reg_y = np.where(t > 0, y.to_numpy() / safe_t, 0.0)
        reg_w = t * (1.0 if w is None else w.to_numpy())
    return {"y": y, "kind": kind, "reg_y": reg_y, "reg_w": reg_w}


def _one_comparison(outcome, prep, naive_row, resampled, *, df, treatment, cluster, inference,
                    weights, covariates, exposure, alpha, seed, ratios, subset, X, cl, plain,
                    fip, w, n_fip_cl, n_ctl_cl) -> Comparison:
    y, kind, reg_y, reg_w = prep["y"], prep["kind"], prep["reg_y"], prep["reg_w"]
    # group means (weighted where weights are given; per client-year for counts)
    ww = np.ones(len(df)) if reg_w is None else reg_w
    mean_fip = float(np.average(reg_y[fip], weights=ww[fip])) if ww[fip].sum() > 0 else np.nan
    mean_ctl = float(np.average(reg_y[~fip], weights=ww[~fip])) if ww[~fip].sum() > 0 else np.nan
    if inference == "iid":
        primary = dict(naive_row)
    elif inference in ("CR1", "CR2"):
        fit = fit_ols(reg_y, X, weights=reg_w, cluster=cl, vcov=inference, alpha=alpha)
        r = fit.tidy().iloc[1]
        primary = _row(_PRIMARY[kind], r.estimate, r.std_error, r.statistic, r.p_value,
                       r.ci_lower, r.ci_upper, df=r.df)
    else:
        primary = _from_resampled(kind, resampled)
    primary["inference"] = inference
    rows = [primary]
    notes_not_computed = []
    ratio_inference = "iid" if inference == "iid" else "CR1"
    if ratios and kind == "binary":
        if plain and inference == "iid":
            tab = two_by_two(int(y[fip].sum()), int(fip.sum()), int(y[~fip].sum()),
                             int((~fip).sum()), alpha=alpha).tidy()
            for r in tab.iloc[1:].to_dict("records"):
                rows.append({**r, "inference": "iid"})
        else:
            for fam, term in (("poisson", "risk ratio"), ("binomial", "odds ratio")):
                try:
                    row = rate_ratio_glm(y.to_numpy(), np.ones(len(y)), X, family=fam,
                                         column=1, weights=reg_w, robust=True, alpha=alpha,
                                         cluster=None if inference == "iid" else cl)
                except EstimationError as err:
                    rows.append(_not_computed(term, ratio_inference))
                    notes_not_computed.append(f"{term}: {err}")
                    continue
                rows.append({**row, "term": term, "inference": ratio_inference})
    if ratios and kind == "count":
        for fam, term in (("poisson", "rate ratio (Poisson)"),
                          ("negative_binomial", "rate ratio (negative binomial)")):
            try:
                row = rate_ratio_glm(y.to_numpy(), df[exposure].to_numpy(float), X, family=fam,
                                     column=1, weights=None if w is None else w.to_numpy(),
                                     cluster=None if inference == "iid" else cl, alpha=alpha)
            except EstimationError as err:
                rows.append(_not_computed(term, ratio_inference))
                notes_not_computed.append(f"{term}: {err}")
                continue
            rows.append({**row, "inference": ratio_inference})
    if kind == "continuous" and plain and inference == "iid":
        rows.append({**mann_whitney(y[fip], y[~fip]).tidy().iloc[0].to_dict(),
                     "inference": "iid"})
    p = float(primary["p_value"])
    if inference in ("CR1", "CR2") and (n_fip_cl < FEW_TREATED_CLUSTERS
                                        or n_fip_cl + n_ctl_cl < FEW_CLUSTERS):
        warnings.warn(FewClustersWarning(
            f"{outcome}: {inference} standard errors rest on {n_fip_cl} FIP and {n_ctl_cl} "
            f"control values of `{cluster}`; use inference='wild' or 'randomization'."),
            stacklevel=caller_stacklevel())
    notes = _few_cluster_notes(inference, n_fip_cl, n_ctl_cl, cluster, resampled,
                               float(naive_row["p_value"]), p)
    notes += [f"Not computed (shown as an empty row): {n}" for n in notes_not_computed]
    if kind == "count":
        notes.append(f"Rates are events per client-year of `{exposure}`; clients with no "
                     "exposure are left out.")
    return Comparison(outcome=outcome, kind=kind, inference=inference, table=_table(rows),
                      n_fip=int(fip.sum()), n_control=int((~fip).sum()), mean_fip=mean_fip,
                      mean_control=mean_ctl, n_fip_clusters=n_fip_cl, n_control_clusters=n_ctl_cl,
                      cluster=cluster, weights=weights, covariates=covariates, alpha=alpha,
                      seed=seed if inference in ("wild", "randomization") else None,
                      naive_p_value=float(naive_row["p_value"]), notes=tuple(notes),
                      subset=subset)


def _not_computed(term: str, inference: str) -> dict:
    """A row that could not be estimated: kept, empty, with the reason in the notes."""
    return {**_row(term, np.nan), "inference": inference}


def _naive_primaries(prepared, reg_Y, reg_w, X, plain, fip, alpha) -> list:
    """The naive primary row of each outcome (clients independent; the contrast printed with
    cluster-aware inference). Regression-based ones share one fit of all the outcomes."""
    rows: list = [None] * len(prepared)
    fitted = []
    for c, p in enumerate(prepared):
        kind, y = p["kind"], p["y"]
        if plain and kind == "binary":
            r = wald_risk_difference(int(y[fip].sum()), int(fip.sum()), int(y[~fip].sum()),
                                     int((~fip).sum()), alpha=alpha)
            rows[c] = _row(_PRIMARY[kind], r["estimate"], r["std_error"], r["statistic"],
                           r["p_value"], r["ci_lower"], r["ci_upper"])
        elif plain and kind == "continuous":
            try:
                r = welch_test(y[fip], y[~fip], alpha=alpha).tidy().iloc[0]
            except FipevalError as err:
                rows[c] = err
                continue
            rows[c] = _row(_PRIMARY[kind], r.estimate, r.std_error, r.statistic, r.p_value,
                           r.ci_lower, r.ci_upper, df=r.df)
        else:
            fitted.append(c)
    if fitted:
        for c, r in zip(fitted, hc1_coefficient(reg_Y[:, fitted], X, column=1, weights=reg_w,
                                                alpha=alpha)):
            rows[c] = _row(_PRIMARY[prepared[c]["kind"]], *r[:6], df=r[6])
    return rows


def _from_resampled(kind, res) -> dict:
    return _row(_PRIMARY[kind], res.estimate, res.std_error, res.statistic, res.p_value,
                res.ci_lower, res.ci_upper)
