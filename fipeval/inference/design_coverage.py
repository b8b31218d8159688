"""Coverage of the design's inference for every headline estimand, on the synthetic truth.

Design-based simulation (the cohort and every client's potential outcomes,
``SyntheticStudy.truth``, stay fixed): each replicate draws which caseworkers run FIP, reveals
the ``_1`` outcomes of their clients and the ``_0`` outcomes of the rest, and runs each
estimand exactly as the report does (:func:`fipeval.inference.design.plan_inference` picks
the method). An interval covers when it contains the replicate's truth:

* ``risk_difference`` (ended), ``months_difference`` (months on benefit within follow-up),
  with :func:`fipeval.inference.comparison`; truth: the mean individual effect over the FIP
  clients of the replicate (ATT);
* ``rmst_difference`` (restricted mean months on benefit within ``tau``) and
  ``cox_log_hr`` (study clock), with :func:`fipeval.inference.design.randomization_t` (or,
  with ``cox_own_errors=True``, the Cox model's own cluster-robust interval); truth
  of the RMST: the ATT of ``min(T, tau)``; of the Cox: the log hazard ratio of all cohort
  clients' potential outcomes under FIP against without (a fixed, finite-population HR);
* with ``stratified=True`` (FIP re-assigned within each municipality, as the design does):
  the pooled risk difference (municipality effects), the random-effects meta-analysis over
  municipalities and the crude savings per municipality and pooled (Monte Carlo over the
  design-based intervals and the inputs' ranges) against the true savings
  (ATT x caseload x the central annual cost).

``null=True`` sets every ``_1`` outcome to its ``_0`` (no effect for anyone): the rejection
rate is then the test's size.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import FipevalError, InputError, renamed
from ..results import Result
from .comparison import compare
from .design import design_std_error, plan_inference, randomization_t
from .pooling import meta_analysis
from .._version import __version__

ESTIMANDS = ("risk_difference", "months_difference", "rmst_difference", "cox_log_hr")


@dataclass(frozen=True, repr=False, eq=False)
class DesignCoverage(Result):
    """Per estimand and design: coverage, Monte Carlo SE, median width, rejection rate."""

    table: pd.DataFrame
    scenario: str
    reps: int
    seed: int
    n_draws: int
    alpha: float
    title: str = "Coverage of the design-based intervals on the synthetic truth"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def _header(self) -> dict:
        return {"scenario": self.scenario, "replicates": self.reps,
                "design": "FIP re-assigned to caseworkers per replicate; truth from the "
                          "potential outcomes", "nominal coverage": 1 - self.alpha,
                "draws": self.n_draws, "seed": self.seed, "fipeval": __version__}

    def _notes(self) -> tuple:
        return (f"Monte Carlo SE of a coverage near 95% over {self.reps} replicates: "
                f"{np.sqrt(0.95 * 0.05 / self.reps):.3f}.",)


def _revealed(base: pd.DataFrame, d: np.ndarray) -> pd.DataFrame:
    out = base[["client_id", "municipality", "caseworker"]].copy()
    out["fip"] = d.astype(int)
    for name in ("ended", "months_on_benefit"):
        out[name] = np.where(d == 1, base[f"{name}_1"], base[f"{name}_0"]).astype(float)
    out["exit"] = out["months_on_benefit"]
    out["event"] = out["ended"].astype(int)
    return out


def _true_cox(base: pd.DataFrame) -> float:
    from ..survival.cox_model import cox
    stacked = pd.concat([
        pd.DataFrame({"exit": base[f"months_on_benefit_{a}"].to_numpy(float),
                      "event": base[f"ended_{a}"].to_numpy(int), "fip": a}) for a in (0, 1)],
        ignore_index=True)
    return float(cox(stacked, duration="exit", event="event", covariates=["fip"]).tidy().iloc[0].estimate)


@renamed(treated="fip_caseworkers")
def design_coverage_study(cohort: pd.DataFrame, truth: pd.DataFrame, *,
                          fip_caseworkers: Sequence[int] = (2, 5, 30), stratified: bool = False,
                          reps: int = 500, seed: int | None = None, n_draws: int = 999,
                          refit_draws: int = 99, tau: float | None = None,
                          estimands: Sequence[str] = ESTIMANDS, null: bool = False,
                          alpha: float = 0.05, scenario: str = "",
                          caseload: dict | None = None,
                          cox_own_errors: bool = False) -> DesignCoverage:
    """Coverage, width and rejection rate of each estimand's design-based interval.

    Parameters
    ----------
    cohort, truth : DataFrame
        ``build_cohort`` output (client ids, municipality, caseworker) and
        ``SyntheticStudy.truth`` (potential outcomes).
    fip_caseworkers : sequence of int
        FIP caseworkers per replicate: over all caseworkers (``stratified=False``), or per
        municipality (``stratified=True``).
    reps, seed : int
        Replicates per design; seed for ``numpy.random.default_rng``.
    n_draws, refit_draws : int
        Re-assignments for linear estimands (exact when there are fewer) and for estimands
        that refit a model per re-assignment (RMST, Cox), as the report uses them.
    tau : float, optional
        RMST horizon (default: the shortest follow-up in the cohort).
    estimands : sequence of str
        Which of ``ESTIMANDS`` to run (the stratified extras always run with stratified=True).
    null : bool
        Remove every effect (``_1`` outcomes := ``_0``): rejection rates are then the size.
    caseload : dict, optional
        Caseload per municipality for the costing check (default: the cohort's size).
    cox_own_errors : bool
        Measure the Cox model's own cluster-robust interval instead of randomization-t (the
        alternative the rule rejects; kept so the measurement can be repeated).

    Returns
    -------
    DesignCoverage

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> from fipeval.design import build_cohort
    >>> s = generate("three_municipalities")
    >>> c = design_coverage_study(build_cohort(s.register, s.design), s.truth, fip_caseworkers=(2,),
    ...                           reps=2, estimands=("risk_difference",))
    >>> c.tidy()[["estimand", "treated_caseworkers"]].values.tolist()
    [['risk_difference', 2]]
    """
    unknown = sorted(set(estimands) - set(ESTIMANDS))
    if unknown:
        raise InputError(f"Unknown estimand {unknown[0]!r}; choose from {', '.join(ESTIMANDS)}.")
    cols = ["ended", "months_on_benefit"]
    base = cohort[["client_id", "municipality", "caseworker"]].merge(
        truth[["client_id"] + [f"{c}_{a}" for c in cols for a in (0, 1)]],
        on="client_id", how="inner", validate="1:1").reset_index(drop=True)
    base["municipality"] = base["municipality"].astype(str)
    base["caseworker"] = base["caseworker"].astype(str)
    if null:
        for c in cols:
            base[f"{c}_1"] = base[f"{c}_0"]
    if tau is None:
        tau = float(cohort.groupby("municipality", observed=True)["months_on_benefit"].max().min())
    codes, labels = pd.factorize(base["caseworker"], sort=True)
    muni_of = base.groupby("caseworker")["municipality"].first().reindex(labels).to_numpy()
    rng = np.random.default_rng(seed)
    true_hr = _true_cox(base) if "cox_log_hr" in estimands else np.nan
    caseload = caseload or base.groupby("municipality").size().to_dict()
    rows = []
    for k in fip_caseworkers:
        hits: dict[str, list] = {}
        for _ in range(reps):
            chosen = _choose(rng, labels, muni_of, k, stratified)
            d = np.isin(labels[codes], chosen).astype(int)
            data = _revealed(base, d)
            draw_seed = int(rng.integers(2 ** 31))
            for name, (lo, hi, p, target) in _replicate(
                    data, base, d, estimands, stratified, tau, true_hr, n_draws, refit_draws,
                    draw_seed, alpha, caseload, cox_own_errors).items():
                hits.setdefault(name, []).append((lo <= target <= hi, hi - lo, p < alpha,
                                                  np.isfinite(hi - lo)))
        for name, values in hits.items():
            arr = np.array(values, dtype=float)
            cover = arr[:, 0].mean()
            rows.append({"estimand": name, "treated_caseworkers": k,
                         "design": "per municipality" if stratified else "over all caseworkers",
                         "null": null, "coverage": cover,
                         "mc_se": float(np.sqrt(cover * (1 - cover) / len(arr))),
                         "median_width": float(np.median(arr[:, 1])),
                         "bounded": arr[:, 3].mean(), "rejects_no_effect": arr[:, 2].mean(),
                         "reps": len(arr)})
    return DesignCoverage(table=pd.DataFrame(rows), scenario=scenario, reps=reps, seed=seed,
                          n_draws=n_draws, alpha=alpha)


def _choose(rng, labels, muni_of, k, stratified) -> np.ndarray:
    if not stratified:
        if k >= len(labels):
            raise InputError(f"{len(labels)} caseworkers: cannot make {k} of them FIP and keep "
                             "a control group.")
        return rng.choice(labels, size=k, replace=False)
    chosen = []
    for m in np.unique(muni_of):
        pool = labels[muni_of == m]
        if k >= len(pool):
            raise InputError(f"{m} has {len(pool)} caseworkers: cannot make {k} of them FIP.")
        chosen.extend(rng.choice(pool, size=k, replace=False))
    return np.array(chosen)


def _replicate(data, base, d, estimands, stratified, tau, true_hr, n_draws, refit_draws,
               seed, alpha, caseload, cox_own_errors=False) -> dict:
    from ..survival.by_assignment import cox_log_hr_batch, rmst_difference_batch
    from ..survival.cox_model import cox

    strata = "municipality" if stratified else None
    treated = d == 1
    effect = {c: (base[f"{c}_1"] - base[f"{c}_0"]).to_numpy(float) for c in
              ("ended", "months_on_benefit")}
    out = {}
    plan = plan_inference(data, strata=strata, alpha=alpha, n_draws=n_draws, seed=seed)
    kw = {"cluster": "caseworker", "inference": plan.method, "strata": strata, "alpha": alpha,
          "seed": seed, "n_draws": n_draws, "ratios": False,
          "covariates": (strata,) if strata else ()}
    for name, col, kind in (("risk_difference", "ended", "binary"),
                            ("months_difference", "months_on_benefit", "continuous")):
        if name in estimands:
            p = compare(data, outcome=col, kind=kind, **kw).primary
            out[name] = (p.ci_lower, p.ci_upper, p.p_value, effect[col][treated].mean())
    rt = {"strata": strata, "n_draws": refit_draws, "seed": seed, "alpha": alpha}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "rmst_difference" in estimands:
            r = randomization_t(data, term="rmst", batch=rmst_difference_batch(
                data, "exit", "event", cluster="caseworker", tau=tau), **rt)
            capped = (np.minimum(base["months_on_benefit_1"], tau)
                      - np.minimum(base["months_on_benefit_0"], tau)).to_numpy(float)
            out["rmst_difference"] = (r.ci_lower, r.ci_upper, r.p_value, capped[treated].mean())
        if "cox_log_hr" in estimands:
            if cox_own_errors:   # the alternative the rule rejects (docs/INFERENCE.md)
                r = cox(data, duration="exit", event="event", covariates=["fip"], cluster="caseworker", strata=strata,
                        alpha=alpha).tidy().iloc[0]
            else:
                r = randomization_t(data, term="cox", batch=cox_log_hr_batch(
                    data, "exit", "event", cluster="caseworker", strata=strata), **rt)
            out["cox_log_hr"] = (r.ci_lower, r.ci_upper, r.p_value, true_hr)
    if stratified:
        out.update(_pooled(data, effect["ended"], treated, kw, alpha, seed, caseload))
    return out


def _pooled(data, effect, treated, kw, alpha, seed, caseload) -> dict:
    """Per-municipality and pooled risk differences, meta-analysis and crude savings."""
    from ..costing import crude_savings, monte_carlo

    out, per = {}, []
    for m, part in data.groupby("municipality", sort=True):
        sel = part.index.to_numpy()
        p = compare(part, outcome="ended", kind="binary", **{**kw, "strata": None, "covariates": ()}).primary
        att = effect[sel][treated[sel]].mean()
        out[f"risk_difference [{m}]"] = (p.ci_lower, p.ci_upper, p.p_value, att)
        per.append((m, p, att))
    se = [design_std_error(p.ci_lower, p.ci_upper, alpha) for _, p, _ in per]
    if all(np.isfinite(se)):
        meta = meta_analysis([p.estimate for _, p, _ in per], se, method="REML", alpha=alpha)
        out["meta_analysis (REML)"] = (meta.ci_lower, meta.ci_upper, meta.p_value,
                                       effect[treated].mean())
    p = compare(data, outcome="ended", kind="binary", **kw).primary
    out["risk_difference [pooled]"] = (p.ci_lower, p.ci_upper, p.p_value, effect[treated].mean())
    try:
        savings = [crude_savings(p.estimate, ci=(p.ci_lower, p.ci_upper), p_value=p.p_value,
                                 caseload=caseload[m], label=m, alpha=alpha) for m, p, _ in per]
        truth = sum(att * caseload[m] * 14_000 for m, _, att in per)
        mc = monte_carlo(savings, n_draws=4_000, seed=seed, vary_inputs=True, alpha=alpha)
        lo, hi = mc.interval()
        out["crude_savings [pooled]"] = (lo, hi, float(mc.tidy().iloc[0].p_value), truth)
        for s, (m, _, att) in zip(savings, per):
            lo, hi = s.savings_ci
            out[f"crude_savings [{m}]"] = (lo, hi, s.effect.p_value, att * caseload[m] * 14_000)
    except FipevalError:
        pass
    return out
