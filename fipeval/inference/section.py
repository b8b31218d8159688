"""The effects section of the report: every outcome, per municipality and pooled, with the
design's inference (``fipeval.inference.design``) and the naive p-value beside it for contrast.

``effects_section(cohort, seed=...)`` returns a list of results: first an ``EffectsOverview``
(one row per outcome and subset), then the pooled ``Comparison`` of each outcome, then (with
two or more municipalities that have both groups) a random-effects meta-analysis of the
termination risk difference, each municipality weighted by its design-based precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import (
    FipevalError,
    check_columns,
    check_option,
    renamed,
)
from ..progress import steps
from ..results import TIDY_COLUMNS, Result
from ..schema import DOMAINS, END_REASONS
from .comparison import compare_many
from .design import design_std_error, plan_inference
from .multiplicity import adjust_p_values
from .pooling import meta_analysis
from .._version import __version__

MIN_EVENTS = 5           # end reasons with fewer terminations in a subset are left out
COUNT_OUTCOMES = ("fraud_signals", "activations")
CONTINUOUS_OUTCOMES = ("months_on_benefit",)
DOMAIN_OUTCOMES = ("domain_movement",) + tuple(f"domain_movement_{d}" for d in DOMAINS)
POOLED = "all municipalities"
DOMAIN_NOTE = ("Movement on the life domains compares each client's opening and closing "
               "assessment (the first in the first three months of follow-up, the last in the "
               "last three), among the clients who have both; the domains are a family of "
               "their own for the Holm / BH adjustment.")


@dataclass(frozen=True, repr=False, eq=False)
class EffectsOverview(Result):
    """Outcome-by-subset table: estimate, cluster-aware interval, naive and cluster-aware p."""

    table: pd.DataFrame
    inference: str
    seed: int | None
    n_draws: int
    alpha: float
    cluster: str
    covariates: tuple
    notes: tuple = ()
    title: str = "Effects of FIP with the design's inference"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def _header(self) -> dict:
        return {"estimate": "difference FIP - control (risk difference; events per "
                            "client-year for counts), regression-adjusted for "
                            + (", ".join(self.covariates) if self.covariates else "nothing"),
                "interval and p_value": {"design": "by the design's rule per comparison "
                                                   "(column `inference`): randomization "
                                                   f"inference re-assigning FIP across "
                                                   f"`{self.cluster}` within municipality "
                                                   "with few FIP or control caseworkers, the "
                                                   "wild cluster bootstrap with many",
                                         "wild": "wild cluster bootstrap-t by "
                                                 f"`{self.cluster}` (Rademacher, {self.n_draws} "
                                                 "draws or all sign vectors)",
                                         "randomization": "randomization inference re-assigning "
                                                          f"FIP across `{self.cluster}` within "
                                                          "municipality; interval by test "
                                                          "inversion"}[self.inference],
                "also shown": "p_naive (clients treated as independent: wrong under this "
                              "design, shown for contrast only), and Holm / BH adjustment "
                              "over outcomes within each subset",
                "alpha": self.alpha, "seed": self.seed, "fipeval": __version__}

    def _notes(self) -> tuple:
        return self.notes


def _outcomes(cohort: pd.DataFrame, outcomes) -> list[str]:
    if outcomes is not None:
        return list(outcomes)
    out = ["ended"] + [f"ended_{r}" for r in END_REASONS if f"ended_{r}" in cohort]
    out += [c for c in COUNT_OUTCOMES + CONTINUOUS_OUTCOMES if c in cohort]
    # the life domains where the register has assessments (design.domain_movement)
    return out + [c for c in DOMAIN_OUTCOMES if c in cohort and cohort[c].notna().any()]


def _compare_outcomes(part: pd.DataFrame, todo: list, kinds: list, **kw) -> list:
    """``compare_many`` over the outcomes, each on the clients it is measured for: outcomes
    without missing values share one call; one measured on fewer clients (domain movement:
    clients with an opening and a closing assessment) is compared among those, sharing a
    call with the outcomes missing for the same clients."""
    groups: dict[bytes, list[int]] = {}
    for i, o in enumerate(todo):
        groups.setdefault(np.packbits(part[o].isna().to_numpy()).tobytes(), []).append(i)
    mains: list = [None] * len(todo)
    for members in groups.values():
        measured = part[part[todo[members[0]]].notna()] if part[todo[members[0]]].isna().any() \
            else part
        try:
            got = compare_many(measured, outcomes=[todo[i] for i in members],
                               kinds=[kinds[i] for i in members], **kw)
        except FipevalError as err:
            got = [err] * len(members)
        for i, g in zip(members, got):
            mains[i] = g
    return mains


@renamed(n_boot="n_draws")
def effects_section(cohort: pd.DataFrame, *, seed: int | None = None, treatment: str = "fip",
                    cluster: str = "caseworker", by: str | None = "municipality",
                    outcomes: Sequence[str] | None = None, covariates: Sequence[str] = (),
                    weights: str | None = None,
                    inference: Literal["wild", "randomization"] | None = None,
                    n_draws: int = 9999, alpha: float = 0.05) -> list[Result]:
    """Effects of FIP on every outcome, per municipality and pooled, naive versus honest.

    Parameters
    ----------
    cohort : DataFrame
        ``fipeval.design.build_cohort`` output. Not modified.
    seed : int, optional
        Seed for the wild bootstrap and randomization draws.
    treatment, cluster, by : str
        FIP indicator, the unit FIP was assigned by, and the column to split by (``None``
        for no split). The pooled comparison adds ``by`` as fixed effects and re-assigns FIP
        within it for randomization inference.
    outcomes : sequence of str, optional
        Default: ended, ended_<reason> (reasons with at least ``MIN_EVENTS`` terminations in
        the subset), fraud_signals, activations, months_on_benefit, and where the cohort
        has them domain_movement (every subset) and domain_movement_<domain> (the pooled
        comparison only: six more comparisons per municipality cost more than they tell),
        each compared among the clients it is measured for.
    covariates, weights
        Passed to :func:`fipeval.inference.comparison`.
    inference : {"wild", "randomization"}, optional
        Which cluster-aware method gives the interval and ``p_value`` column. Default: the
        design's rule (:func:`fipeval.inference.design.plan_inference`).

    Returns
    -------
    list of Result
        ``[EffectsOverview, Comparison per outcome (pooled), MetaAnalysis of "ended"]`` (the
        last only with two or more municipalities that have both groups; it weights each by
        the normal-equivalent standard error of its design-based interval).

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> from fipeval.design import build_cohort
    >>> study = generate("brabantse_wal")
    >>> parts = effects_section(build_cohort(study.register, study.design), seed=1)
    >>> type(parts[0]).__name__
    'EffectsOverview'
    """
    check_columns(cohort, [treatment, cluster] + ([by] if by else []), what="The cohort")
    plan = None
    if inference is None:      # the design's rule, per comparison
        plan = plan_inference(cohort, treatment=treatment, cluster=cluster,
                              strata=by if by and cohort[by].nunique() > 1 else None,
                              alpha=alpha, n_draws=n_draws, seed=seed)
    else:
        check_option("inference", inference, ("wild", "randomization"))
    covariates = tuple(covariates)
    subsets: list[tuple[str, pd.DataFrame]] = []
    notes = []
    multi = by is not None and cohort[by].nunique() > 1
    if by is not None:
        for name, part in cohort.groupby(by, sort=True, observed=True):
            if part[treatment].nunique() == 2:
                subsets.append((str(name), part))
            else:
                notes.append(f"{name} has only {'FIP' if part[treatment].iloc[0] == 1 else 'control'}"
                             " clients: it enters the pooled comparison only.")
    if multi or not subsets:
        subsets.insert(0, (POOLED if multi else "all clients", cohort))
    rows, pooled_results = [], []
    n_comparisons = sum(len(_outcomes(part, outcomes)) for _, part in subsets)
    with steps("comparisons (municipality x outcome)", n_comparisons, unit="comparisons") as done:
        for label, part in subsets:
            pooled = part is cohort
            cov = covariates + ((by,) if pooled and multi and by not in covariates else ())
            strata = by if pooled and multi else None
            sub_rows = []
            todo = []
            for outcome in _outcomes(part, outcomes):
                if outcome not in part:
                    done()
                    continue
                if outcome.startswith("ended_") and part[outcome].sum() < MIN_EVENTS:
                    done()
                    continue
                if outcomes is None and multi and not pooled and outcome in DOMAIN_OUTCOMES[1:]:
                    done()      # each domain pooled only; any domain per municipality (cost)
                    continue
                todo.append(outcome)
            kw = {"treatment": treatment, "cluster": cluster, "covariates": cov,
                  "weights": weights, "alpha": alpha, "seed": seed, "n_draws": n_draws,
                  "ratios": False, "subset": None if pooled else label}
            method = inference or plan.method_for("all" if pooled or plan.strata is None
                                                  else label)
            kinds = ["count" if o in COUNT_OUTCOMES else
                     "continuous" if o in CONTINUOUS_OUTCOMES else
                     "binary" if o in DOMAIN_OUTCOMES else "auto" for o in todo]
            # every outcome of the subset at once: one set of draws, shared design
            mains = _compare_outcomes(part, todo, kinds, inference=method, strata=strata, **kw)
            for outcome, main in zip(todo, mains):
                done()
                if isinstance(main, FipevalError):
                    notes.append(f"{outcome} in {label}: not estimated ({main})")
                    continue
                if pooled:
                    pooled_results.append(main)
                p = main.primary
                sub_rows.append({
                    "term": f"{outcome} [{label}]", "estimate": p.estimate, "std_error": p.std_error,
                    "statistic": p.statistic, "p_value": p.p_value, "ci_lower": p.ci_lower,
                    "ci_upper": p.ci_upper, "outcome": outcome, "subset": label, "inference": method,
                    "kind": main.kind, "n_fip": main.n_fip, "n_control": main.n_control,
                    "fip_caseworkers": main.n_fip_clusters,
                    "control_caseworkers": main.n_control_clusters,
                    "p_naive": main.naive_p_value,
                })
            # Holm / BH within each family of outcomes: the life domains are a family of
            # their own, so adding them leaves the adjustment of the other outcomes as it was
            for family in (False, True):
                members = [r for r in sub_rows if (r["outcome"] in DOMAIN_OUTCOMES) == family]
                if not members:
                    continue
                ps = [r["p_value"] for r in members]
                for r, h, b in zip(members, adjust_p_values(ps, "holm"), adjust_p_values(ps, "BH")):
                    r["p_holm"], r["p_BH"] = h, b
            rows.extend(sub_rows)
    table = pd.DataFrame(rows)
    if len(table):
        table = table[TIDY_COLUMNS + [c for c in table.columns if c not in TIDY_COLUMNS]]
        notes = _plain_words(table) + notes
        if table.outcome.isin(DOMAIN_OUTCOMES).any():
            notes.append(DOMAIN_NOTE)
    overview = EffectsOverview(table=table, inference=inference or "design", seed=seed, n_draws=n_draws,
                               alpha=alpha, cluster=cluster, covariates=covariates,
                               notes=tuple(notes))
    results: list[Result] = [overview, *pooled_results]
    per_muni = table[(table.outcome == "ended") & (table.subset != POOLED)] if len(table) else table
    if multi and len(per_muni) >= 2:
        # each municipality weighted by its design-based precision, never a client-level SE
        se = [design_std_error(lo, hi, alpha) for lo, hi in zip(per_muni.ci_lower, per_muni.ci_upper)]
        if all(np.isfinite(se)) and all(x > 0 for x in se):
            results.append(meta_analysis(per_muni.estimate.to_numpy(), se,
                                         labels=list(per_muni.subset), method="REML",
                                         measure="risk difference (ended)", alpha=alpha))
    return results


def _plain_words(table: pd.DataFrame) -> list[str]:
    notes = []
    few = table[table.fip_caseworkers < 10]
    if len(few):
        k = int(few.fip_caseworkers.min())
        notes.append(f"Only {k} FIP caseworker{'s' if k != 1 else ''} per comparison: "
                     "cluster-robust SEs are unreliable; the intervals and p-values shown come "
                     "from the design (column `inference`), p_naive is shown for contrast only.")
    flipped = table[(table.p_naive < 0.05) & (table.p_value >= 0.05)]
    if len(flipped):
        from ..report.labels import outcome_label

        # every one named, in words ("Benefit ended (Amersfoort)"), not cut off
        named = [f"{outcome_label(r.outcome)} ({r.subset})" for r in flipped.itertuples()]
        notes.append(f"{len(flipped)} of {len(table)} results are 'significant' when clients are "
                     "treated as independent but not once clustering is accounted for: "
                     + "; ".join(named) + ".")
    return notes
