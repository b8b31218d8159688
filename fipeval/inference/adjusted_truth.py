"""Adjusted effects on synthetic truth: bias and coverage over re-drawn FIP caseworkers.

The cohort of a synthetic study and every client's two potential outcomes stay fixed; each
replicate draws which caseworkers run FIP (the same number per municipality), reveals the
matching outcomes and runs :func:`fipeval.inference.adjusted.adjusted_effects` as the report
does (pooled, FIP re-assigned within municipality). The target is that replicate's ATT: the
mean of ``y1 - y0`` over its FIP clients.

``confounded=True`` builds a confounded variant from the same data: control clients with
fewer months on benefit before the start than the median are kept with probability
``keep``, so the control group holds more long-term clients than the FIP group, and
months before the start drives the outcomes (fewer ended benefits, more months on benefit).
The selection variable (``long_history``: at least the median) is added as a covariate. The
unadjusted difference is then biased; the adjusted ones adjust for that covariate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .adjusted import ESTIMATORS, adjusted_effects

OUTCOMES = ("ended", "months_on_benefit")
COVARIATES = ("age", "household_type", "sex", "ladder_rung", "months_before_start")


def adjusted_truth_study(cohort: pd.DataFrame, truth: pd.DataFrame, *, reps: int,
                         fip_per_municipality: int = 2, confounded: bool = False,
                         keep: float = 0.1, refit_draws: int = 99, n_draws: int = 999,
                         seed: int | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """One row per replicate, outcome and estimator: estimate, interval, truth, covered."""
    base = cohort.drop(columns=list(OUTCOMES) + ["fip"]).merge(
        truth[["client_id"] + [f"{o}_{k}" for o in OUTCOMES for k in (0, 1)]], on="client_id")
    rng = np.random.default_rng(seed)
    per_muni = base.groupby("municipality", observed=True)["caseworker"].unique()
    short = base["months_before_start"] < base["months_before_start"].median()
    rows = []
    for rep in range(reps):
        chosen = np.concatenate([rng.choice(np.sort(cws), fip_per_municipality, replace=False)
                                 for cws in per_muni])
        d = base["caseworker"].isin(chosen).to_numpy()
        data = base.assign(fip=d.astype(int))
        for o in OUTCOMES:
            data[o] = np.where(d, base[f"{o}_1"], base[f"{o}_0"]).astype(float)
        covariates = COVARIATES
        if confounded:
            kept = d | ~short.to_numpy() | (rng.random(len(base)) < keep)
            data = data.assign(long_history=(~short).astype(int))[kept].reset_index(drop=True)
            covariates = COVARIATES + ("long_history",)
        res = adjusted_effects(data, outcomes=list(OUTCOMES), kinds=["binary", "continuous"],
                               covariates=covariates, strata="municipality",
                               refit_draws=refit_draws, n_draws=n_draws,
                               seed=None if seed is None else seed + rep, alpha=alpha)
        fip = data["fip"].to_numpy() == 1
        for r in res.tidy().itertuples():
            true = float(np.mean(data.loc[fip, f"{r.outcome}_1"] - data.loc[fip, f"{r.outcome}_0"]))
            rows.append({"rep": rep, "outcome": r.outcome, "estimator": r.estimator,
                         "estimate": r.estimate, "ci_lower": r.ci_lower, "ci_upper": r.ci_upper,
                         "truth": true, "covered": bool(r.ci_lower <= true <= r.ci_upper)})
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Bias (with its Monte Carlo SE) and coverage per outcome and estimator."""
    runs = runs.assign(error=runs["estimate"] - runs["truth"])
    out = runs.groupby(["outcome", "estimator"], sort=False).agg(
        reps=("error", "size"), bias=("error", "mean"), sd=("error", "std"),
        coverage=("covered", "mean"),
        median_width=("ci_upper", lambda s: float(np.median(s - runs.loc[s.index, "ci_lower"]))))
    out["bias_mc_se"] = out["sd"] / np.sqrt(out["reps"])
    out = out.reset_index()
    order = {e: i for i, e in enumerate(ESTIMATORS)}
    return out.sort_values(["outcome", "estimator"], key=lambda s: s.map(order).fillna(s)
                           if s.name == "estimator" else s).reset_index(drop=True)
