"""The costing section of the report: crude beside refined, per municipality and pooled.

``costing_section(cohort, effects, inputs)`` takes the analysis cohort (for caseloads,
follow-up, household mix, start dates and exit reasons) and effect estimates as plain
numbers (a table; ``cohort_effects`` gives unadjusted ones), and returns the results and
figures the report shows.
"""

from __future__ import annotations

from typing import Literal, Mapping

import numpy as np
import pandas as pd

from ..errors import EstimationError, InputError, check_columns, check_option, renamed
from ..results import Summary
from ..schema import END_REASONS, HOUSEHOLD_TYPES
from ._common import euro_axis, euros
from .crude import crude_savings
from .cost_of_fip import fip_cost
from .inputs import ALL_REASONS, BENEFIT_NAMES, BENEFIT_PAYERS, CostInputs
from .net import net_result
from .refined import refined_savings
from .uncertainty import monte_carlo, sensitivity

POOLED = "pooled"
EFFECT_TERMS = ("risk_difference", "rmst_difference_months")
COHORT_COLUMNS = ["municipality", "fip", "caseworker", "study_start", "follow_up_end", "ended",
                  "months_on_benefit", "household_type"]


def analysis_units(cohort: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Municipalities with both a FIP and a control group; otherwise one unit ``"all"``.

    (In the Brabantse Wal pilot FIP ran in one municipality of a shared service against
    controls from all three, so the unit is the whole organisation.)
    """
    check_columns(cohort, ["municipality", "fip"], what="The cohort")
    groups = {str(m): g for m, g in cohort.groupby(cohort["municipality"].astype(str), sort=True)}
    if all(g["fip"].nunique() == 2 for g in groups.values()):
        return groups
    return {"all": cohort}


def _follow_up_months(unit: pd.DataFrame, name: str) -> int:
    pairs = unit[["study_start", "follow_up_end"]].drop_duplicates()
    if len(pairs) != 1:
        raise InputError(f"The cohort unit {name!r} mixes {len(pairs)} study periods; give effects "
                         "per municipality (one start date and follow-up each).")
    start, end = (pd.Timestamp(x) for x in pairs.iloc[0])
    return (end.year - start.year) * 12 + end.month - start.month


@renamed(n_boot="n_draws")
def cohort_effects(cohort: pd.DataFrame, *, cluster: str = "caseworker", n_draws: int = 999,
                   seed: int | None = None, alpha: float = 0.05,
                   estimator: Literal["unadjusted", "weighted", "regression", "aipw"]
                   = "unadjusted", covariates=()) -> pd.DataFrame:
    """Effects per analysis unit with design-based intervals, as ``costing_section`` reads
    them: unadjusted, or adjusted for ``covariates`` by ``estimator``
    (:func:`fipeval.inference.adjusted_effects`; the report's costing takes the effects
    section's leading estimate, which its balance rule chose, and this gives the same numbers
    outside the report).

    ``risk_difference``: difference in the share of ended benefits, FIP minus control;
    ``rmst_difference_months``: difference in mean months on benefit within the follow-up,
    which is the RMST difference at the follow-up horizon when nobody's follow-up is cut
    short by the extract. Intervals and p-values take their uncertainty from the design
    (``fipeval.inference.design.plan_inference``: FIP re-assigned to caseworkers, or the wild
    cluster bootstrap with many), never from CR1 errors. With ``estimator="unadjusted"`` (the
    default) nothing is adjusted for differences between the groups.

    Examples
    --------
    >>> cohort = pd.DataFrame({"municipality": "A", "fip": [1] * 4 + [0] * 16,
    ...     "caseworker": [c for c in "abcdefghij" for _ in range(2)],
    ...     "ended": [1, 0, 1, 1] + [0, 1, 0, 0] * 4,
    ...     "months_on_benefit": [3.0, 12, 6, 4] + [12.0, 6, 12, 12] * 4})
    >>> effects = cohort_effects(cohort)
    >>> effects["estimate"].round(4).tolist(), effects["assignments"].tolist()
    ([0.5, -4.25], [45, 45])
    """
    from ..inference.comparison import compare_many
    from ..inference.design import plan_inference

    check_columns(cohort, ["municipality", "fip", cluster, "ended", "months_on_benefit"],
                  what="The cohort")
    rows = []
    for name, unit in analysis_units(cohort).items():
        if "censored_at_extract" in unit.columns and unit["censored_at_extract"].to_numpy().any():
            raise InputError(f"Follow-up is cut short by the extract for "
                             f"{int(unit['censored_at_extract'].sum())} clients in {name!r}: mean months "
                             "on benefit is no RMST there; pass RMST estimates from fipeval.survival.")
        strata = "municipality" if name == "all" and unit["municipality"].nunique() > 1 else None
        plan = plan_inference(unit, cluster=cluster, strata=strata, alpha=alpha, n_draws=n_draws,
                              seed=seed)
        # the rule for this comparison (as the effects section applies it), not the study's
        method = plan.method_for("all")
        if estimator == "unadjusted":
            both = compare_many(unit, outcomes=["ended", "months_on_benefit"],
                                kinds=["binary", "continuous"], cluster=cluster,
                                inference=method, covariates=(strata,) if strata else (),
                                strata=strata, alpha=alpha, seed=seed, n_draws=n_draws,
                                ratios=False, subset=name)
        else:
            both = _adjusted_pair(unit, estimator, covariates, cluster=cluster, strata=strata,
                                  inference=method, n_draws=n_draws, seed=seed, alpha=alpha,
                                  subset=name)
        for term, col, res in zip(EFFECT_TERMS, ("ended", "months_on_benefit"), both):
            row = {"municipality": name, "term": term, "std_error": np.nan,
                   "inference": method, "assignments": int(plan.subset("all")["assignments"])}
            if isinstance(res, EstimationError):
                # no design-based inference for this effect: the estimate without an
                # interval (unbounded) and the reason, never an exception for the section
                fip = unit["fip"].to_numpy() == 1
                y = unit[col].to_numpy(float)
                rows.append(row | {"estimate": float(y[fip].mean() - y[~fip].mean()),
                                   "ci_lower": -np.inf, "ci_upper": np.inf, "p_value": np.nan,
                                   "inference": f"none: {res}"})
                continue
            if isinstance(res, Exception):
                raise res
            p = res.primary if hasattr(res, "primary") else res
            rows.append(row | {"estimate": float(p["estimate"]), "ci_lower": float(p["ci_lower"]),
                               "ci_upper": float(p["ci_upper"]), "p_value": float(p["p_value"]),
                               "estimator": estimator})
    return pd.DataFrame(rows)


def _adjusted_pair(unit, estimator, covariates, **kw) -> list:
    """The adjusted rows of ended and months on benefit (``adjusted_effects``), or the error."""
    from ..errors import FipevalError
    from ..inference.adjusted import adjusted_effects

    check_option("estimator", estimator, ("unadjusted", "weighted", "regression", "aipw"))
    try:
        res = adjusted_effects(unit, outcomes=["ended", "months_on_benefit"],
                               kinds=["binary", "continuous"], covariates=tuple(covariates),
                               estimators=(estimator,), headline=estimator, **kw)
    except FipevalError as err:
        return [err, err]
    table = res.tidy().set_index("outcome")
    return [EstimationError(f"{o}: no {estimator} estimate") if not np.isfinite(
        table.loc[o, "estimate"]) else table.loc[o] for o in ("ended", "months_on_benefit")]


def caseload_from_spells(spells: pd.DataFrame, date) -> pd.Series:
    """Clients on benefit on ``date`` per municipality (the caseload to extrapolate to).

    ``date`` is one date for every municipality, or a mapping municipality -> date (each on
    its own start; municipalities it does not name count 0). One pass over the spells
    either way.

    Examples
    --------
    >>> spells = pd.DataFrame({"client_id": ["a", "b", "c"], "municipality": ["X", "X", "Y"],
    ...     "start_date": pd.to_datetime(["2014-01-01", "2015-01-01", "2010-01-01"]),
    ...     "end_date": pd.to_datetime([None, None, "2014-06-01"])})
    >>> caseload_from_spells(spells, "2014-11-01").to_dict()
    {'X': 1, 'Y': 0}
    >>> caseload_from_spells(spells, {"X": "2015-02-01", "Y": "2012-01-01"}).to_dict()
    {'X': 2, 'Y': 1}
    """
    check_columns(spells, ["client_id", "municipality", "start_date", "end_date"], what="The spells table")
    codes, names = pd.factorize(spells["municipality"].astype(str), sort=True)
    if isinstance(date, Mapping):
        on = {str(k): pd.Timestamp(v) for k, v in date.items()}
        dates = pd.DatetimeIndex([on.get(name, pd.NaT) for name in names]).as_unit("ns")
        when = dates.to_numpy()[codes]
    else:
        when = np.datetime64(pd.Timestamp(date).as_unit("ns"))
    start = spells["start_date"].to_numpy("datetime64[ns]")
    end = spells["end_date"].to_numpy("datetime64[ns]")
    with np.errstate(invalid="ignore"):  # NaT compares False: not running
        running = (start <= when) & (np.isnat(end) | (end > when))
    clients = pd.Series(spells["client_id"].to_numpy()[running])
    out = clients.groupby(codes[running]).nunique()
    return pd.Series(out.reindex(range(len(names)), fill_value=0).to_numpy(), index=list(names),
                     name="caseload")


def _effect_args(effects: pd.DataFrame, unit: str, term: str) -> dict | None:
    rows = effects[(effects["municipality"].astype(str) == unit) & (effects["term"] == term)]
    if rows.empty:
        return None
    if len(rows) > 1:
        raise InputError(f"`effects` has {len(rows)} rows for {unit!r} and term {term!r}; give one.")
    r = rows.iloc[0]
    se = r.get("std_error")
    ci = (r.get("ci_lower"), r.get("ci_upper"))
    p = r.get("p_value")
    out = {"std_error": None if se is None or pd.isna(se) else float(se),
           # an infinite end (no valid design-based interval) is kept, never dropped: a
           # missing interval would read as a certain effect
           "ci": None if any(c is None or pd.isna(c) for c in ci) else tuple(map(float, ci)),
           "p_value": None if p is None or pd.isna(p) else float(p)}
    return {"estimate": float(r["estimate"]), **out}


def _exit_reason_mix(unit: pd.DataFrame) -> dict[str, float]:
    # extra exits by reason: the positive part of FIP minus control rates per end reason
    cols = [f"ended_{r}" for r in END_REASONS if f"ended_{r}" in unit.columns]
    if not cols:
        return {ALL_REASONS: 1.0}
    rates = unit.groupby("fip")[cols].mean()
    if not {0, 1} <= set(rates.index):
        return {ALL_REASONS: 1.0}
    extra = (rates.loc[1] - rates.loc[0]).clip(lower=0)
    extra = extra[extra > 0]
    return {c.removeprefix("ended_"): float(v) for c, v in extra.items()} or {ALL_REASONS: 1.0}


def costing_section(cohort: pd.DataFrame, effects: pd.DataFrame | None = None,
                    inputs: CostInputs | None = None, *,
                    caseload: int | Mapping[str, int] | None = None,
                    cost_method: Literal["protocol", "caseload"] = "protocol",
                    regular_caseload: float | None = None, n_draws: int = 10_000, seed: int | None = None,
                    vary_inputs: bool = True, alpha: float = 0.05) -> tuple[list, list]:
    """Crude beside refined savings, cost of FIP and net result, per unit and pooled.

    Parameters
    ----------
    cohort
        The analysis cohort (``fipeval.design.build_cohort``).
    effects
        Effect estimates as plain numbers: columns ``municipality`` (the analysis unit, see
        ``analysis_units``), ``term`` (``risk_difference`` and/or ``rmst_difference_months``,
        FIP minus control), ``estimate`` and ``std_error`` and/or ``ci_lower``/``ci_upper``;
        optional ``horizon_months`` for the RMST (default: the unit's follow-up). Default:
        ``cohort_effects(cohort)`` (unadjusted, noted in the output).
    inputs
        ``CostInputs`` (all named and sourced; listed in the output).
    caseload
        Clients to extrapolate to: one number (single unit) or a mapping unit -> number.
        Default: the unit's cohort size (the study population, not the whole caseload;
        ``caseload_from_spells`` counts the whole caseload from the register).
    cost_method, regular_caseload
        How the cost of FIP is counted (see ``fip_cost``).
    n_draws, seed, vary_inputs, alpha
        Monte Carlo settings (seeded) and the interval level.

    Returns
    -------
    (results, figures)
        Results: a ``Summary`` of the inputs, a ``Summary`` table with crude beside refined
        per unit and pooled, then per unit the crude, refined and net results, and the pooled
        Monte Carlo results. Figures: the savings with their intervals per unit, and a
        tornado chart of the pooled refined net savings.

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> from fipeval.design import build_cohort
    >>> study = generate("three_municipalities")
    >>> results, figures = costing_section(build_cohort(study.register, study.design),
    ...                                    n_draws=2000)
    >>> results[1].title
    'Savings per year: crude beside refined'
    """
    check_columns(cohort, COHORT_COLUMNS, what="The cohort")
    check_option("cost_method", cost_method, ("protocol", "caseload"))
    inputs = CostInputs() if inputs is None else inputs
    units = analysis_units(cohort)
    notes = []
    if effects is None:
        effects = cohort_effects(cohort, seed=seed, alpha=alpha)
        notes.append("Effects: unadjusted differences between the FIP and control groups with "
                     "design-based intervals (cohort_effects: FIP re-assigned to caseworkers); "
                     "no matching or adjustment.")
    check_columns(effects, ["municipality", "term", "estimate"], what="`effects`")
    unknown = sorted(set(effects["municipality"].astype(str)) - set(units))
    if unknown:
        raise InputError(f"`effects` has unit {unknown[0]!r} that is not an analysis unit of the cohort "
                         f"({', '.join(units)}).")
    if caseload is None:
        caseloads = {u: len(g) for u, g in units.items()}
        notes.append("Caseload: the study population of each unit (pass `caseload` with the whole "
                     "caseload to extrapolate as the pilot did).")
    elif isinstance(caseload, Mapping):
        missing = [u for u in units if u not in caseload]
        if missing:
            raise InputError(f"`caseload` has no entry for {missing[0]!r}; give one per unit "
                             f"({', '.join(units)}).")
        caseloads = {u: caseload[u] for u in units}
    else:
        if len(units) > 1:
            raise InputError(f"`caseload` is one number but there are {len(units)} units "
                             f"({', '.join(units)}); give a mapping unit -> caseload.")
        caseloads = {next(iter(units)): caseload}

    crude, refined, costs, nets, rows = [], [], [], [], []
    for name, unit in units.items():
        horizon = _follow_up_months(unit, name)
        # avoided months fall within the follow-up: price them at its middle
        price_date = pd.Timestamp(unit["study_start"].iloc[0]) + pd.DateOffset(months=horizon // 2)
        households = unit["household_type"].astype(str).value_counts()
        households = {h: float(n) for h, n in households.items() if h in HOUSEHOLD_TYPES}
        cost = fip_cost(caseloads[name], method=cost_method, regular_caseload=regular_caseload,
                        inputs=inputs, label=name)
        c_args = _effect_args(effects, name, "risk_difference")
        r_args = _effect_args(effects, name, "rmst_difference_months")
        c = r = None
        if c_args:
            c = crude_savings(c_args["estimate"], std_error=c_args["std_error"], ci=c_args["ci"],
                              p_value=c_args["p_value"], alpha=alpha, caseload=caseloads[name], inputs=inputs, label=name)
            crude.append(c)
        if r_args:
            sel = effects[(effects["municipality"].astype(str) == name)
                          & (effects["term"] == "rmst_difference_months")]
            h = sel["horizon_months"].iloc[0] if "horizon_months" in sel.columns else np.nan
            r = refined_savings(r_args["estimate"], std_error=r_args["std_error"], ci=r_args["ci"],
                                p_value=r_args["p_value"], alpha=alpha, horizon_months=horizon if pd.isna(h) else float(h),
                                caseload=caseloads[name], price_date=price_date, inputs=inputs,
                                household_mix=households or None,
                                exit_reason_mix=_exit_reason_mix(unit), label=name)
            refined.append(r)
            nets.append(net_result(r, cost))
        costs.append(cost)
        rows.append(_row(name, caseloads[name], horizon, c, r, cost))
    if not crude and not refined:
        raise InputError("`effects` has no `risk_difference` or `rmst_difference_months` row for any unit.")

    results, mcs = [], []
    for label, group in (("crude", crude), ("refined", refined)):
        if group:
            mcs.append((label, monte_carlo(
                group, cost=[costs[list(units).index(g.label)] for g in group], n_draws=n_draws,
                seed=seed, vary_inputs=vary_inputs, alpha=alpha,
                title=f"Savings, Monte Carlo ({label}, pooled over {', '.join(g.label for g in group)})")))
    pooled = _pooled_row(crude, refined, costs, units, dict(mcs))
    table = pd.DataFrame(rows + ([pooled] if len(units) > 1 else []))
    if len(units) == 1:  # the single unit is the pooled figure: add its Monte Carlo interval
        for label, mc in mcs:
            lo, hi = mc.interval()
            table[f"{label}_mc_ci"] = [f"{euros(lo)} to {euros(hi)}"]
    summary = Summary("Savings per year: crude beside refined",
                      {"units": ", ".join(units), "alpha": alpha, "Monte Carlo draws": n_draws,
                       "seed": seed, "inputs varied": vary_inputs, "cost method": cost_method},
                      table, tuple(notes) + _explanations(inputs.benefit_type))
    inputs_summary = Summary("Costing inputs and their sources", {}, inputs.table(),
                             _benefit_notes(inputs))
    results = [inputs_summary, summary]
    for k in range(len(units)):
        name = list(units)[k]
        results += [x for x in crude if x.label == name] + [x for x in refined if x.label == name]
        results += [n for n in nets if n.savings.label == name]
    results += [mc for _, mc in mcs]
    unit_cost = {c.label: c.total_per_year for c in costs}
    figures = [_interval_figure(crude, refined, dict(mcs), unit_cost)]
    if refined:
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(7, 3.5))
        sensitivity(refined, cost=[costs[list(units).index(g.label)] for g in refined]).plot(ax=ax)
        ax.set_title("Net savings per year (refined, pooled): sensitivity")
        fig.tight_layout()
        figures.append(fig)
    return results, figures


def _ci(lo: float, hi: float) -> str:
    return f"{euros(lo)} to {euros(hi)}"


def _row(name, caseload, horizon, c, r, cost) -> dict:
    row = {"unit": name, "caseload": caseload, "follow_up_months": horizon}
    if c is not None:
        row.update(risk_difference=c.effect.estimate, crude_per_year=c.savings_per_year,
                   crude_ci=_ci(*c.savings_ci),
                   break_even_risk_difference=net_result(c, cost).break_even_effect)
    if r is not None:
        row.update(rmst_difference_months=r.effect.estimate, refined_per_year=r.savings_per_year,
                   refined_ci=_ci(*r.savings_ci))
    row["fip_cost_per_year"] = cost.total_per_year
    if r is not None:
        net = net_result(r, cost)
        row.update(refined_net_per_year=net.net_per_year,
                   break_even_rmst_difference=net.break_even_effect, verdict=net.verdict)
    return row


def _pooled_row(crude, refined, costs, units, mcs) -> dict:
    row = {"unit": POOLED, "caseload": sum(c.n_clients for c in costs), "follow_up_months": np.nan}
    if crude:
        row.update(crude_per_year=sum(c.savings_per_year for c in crude),
                   crude_ci=_ci(*mcs["crude"].interval()))
    if refined:
        row.update(refined_per_year=sum(r.savings_per_year for r in refined),
                   refined_ci=_ci(*mcs["refined"].interval()))
        cost = sum(costs[list(units).index(r.label)].total_per_year for r in refined)
        row.update(fip_cost_per_year=cost,
                   refined_net_per_year=row["refined_per_year"] - cost)
    return row


# --- benefit types (issue 21) -------------------------------------------------------------
def _benefit_notes(inputs: CostInputs) -> tuple:
    """What is priced and who saves it, for the benefit type of the inputs."""
    name = BENEFIT_NAMES[inputs.benefit_type]
    saves = f"Benefit: {name}. Who saves: {BENEFIT_PAYERS[inputs.benefit_type]}."
    if inputs.monthly_benefit is None:
        return ("Norms by household type: the dated norm table (replaceable); "
                "recidivism: Divosa curves by exit reason (replaceable).", saves)
    return (f"A month of benefit is priced at the monthly {inputs.benefit_type.upper()} "
            f"benefit: {inputs.monthly_benefit.source}.", saves)
# --- end benefit types --------------------------------------------------------------------


def _explanations(benefit_type: str = "bijstand") -> tuple:
    refined = ("Refined: months avoided (RMST difference over the follow-up) x cost by household type "
               "from the norm table (norms in force at the middle of the follow-up) + administration, net of returns to benefit (Divosa), discounted; "
               "per year = over the horizon x 12 / horizon." if benefit_type == "bijstand" else
               "Refined: months avoided (RMST difference over the follow-up) x the monthly "
               f"{benefit_type.upper()} benefit + administration, net of returns to benefit, "
               "discounted; per year = over the horizon x 12 / horizon.")
    return ("Crude: extra terminations per client x caseload x EUR per benefit per year (the pilot's "
            "method: a full year saved per termination, nobody returns, FIP costs nothing).",
            refined,
            "Intervals: the effect's design-based interval (FIP re-assigned to caseworkers) scaled "
            "(exact: the savings are linear in the effect); pooled rows: Monte Carlo percentile "
            "intervals over the municipalities' effects (drawn to match their design-based "
            "intervals) and the inputs' ranges.")


MAX_FIGURE_UNITS = 12   # municipalities drawn one row each in the savings figure


def _interval_figure(crude, refined, mcs, unit_cost):
    import matplotlib.pyplot as plt

    # a row per municipality reads up to a dozen; beyond that (a national study) the figure
    # shows the pooled rows and the table every municipality
    pooled_only = len(crude) > MAX_FIGURE_UNITS and len(crude) > 1
    rows = 2 if pooled_only else len(crude) + len(refined) + 2
    fig, ax = plt.subplots(figsize=(7, 0.6 * rows + 1.2))
    labels, y = [], 0
    for kind, group, colour in (("crude", crude, "C1"), ("refined", refined, "C0")):
        items = [] if pooled_only else [(g.label, g.savings_per_year, g.savings_ci,
                                         unit_cost[g.label]) for g in group]
        if len(group) > 1:
            mc = mcs[kind]
            items.append((POOLED, mc.point_savings, mc.interval(), sum(unit_cost[g.label] for g in group)))
        for label, est, (lo, hi), cost in items:
            if np.isfinite(lo) and np.isfinite(hi):
                ax.errorbar(est, y, xerr=[[est - lo], [hi - est]], fmt="o", color=colour, capsize=3)
            else:   # no design-based interval: the estimate alone (the table says why)
                ax.plot([est], [y], "o", color=colour, markerfacecolor="none")
            ax.plot([cost], [y], marker="|", linestyle="none", markersize=14, color="0.3",
                    label="cost of FIP" if y == 0 else None)
            labels.append(f"{kind}: {label}")
            y += 1
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("savings per year (EUR)")
    euro_axis(ax.xaxis)
    ax.set_title(f"Savings per year with intervals, pooled over {len(crude)} municipalities "
                 "(each municipality in the table)" if pooled_only else
                 "Savings per year with intervals")
    ax.legend(loc="best")
    fig.tight_layout()
    return fig
