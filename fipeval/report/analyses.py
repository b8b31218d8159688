"""Report sections from the analysis modules (matching, inference, survival, DiD, costing).

Each module exposes a ``*_section`` function that returns results (``Result``/``Summary``)
and matplotlib figures; this module turns them into report ``Section``s: summaries with
small counts suppressed, figures embedded, and every tidy() row into estimates.json.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..inference.design import FEW_TREATED_CLUSTERS, blank_inference, without_inference
from ..results import Summary
from .disclosure import COUNT_COLUMN, suppress_counts
from .labels import adjusted_for_readers, effects_for_readers
from .document import Section, estimate

# Resampling estimators that refit a model per re-assignment of FIP (survival, DiD) use at
# most this many random assignments: each costs a full fit. 199 gives a 95% interval from
# the 190th of 200 ordered |t| (Davidson & MacKinnon 2000: B with alpha (B + 1) whole).
REFIT_DRAWS = 199
MODEL_BASED_NOTE = ("Estimates only: this model's own intervals and p-values treat clients (or "
                    "a few caseworkers) as independent and are withdrawn; the design-based table "
                    "of this section gives the uncertainty.")

# columns of result tables that count people (suppressed under the threshold)


def _suppress_summary(summary: Summary, threshold: int) -> Summary:
    table = summary.table
    columns = [c for c in table.columns if COUNT_COLUMN.match(str(c))
               and pd.api.types.is_numeric_dtype(table[c])]
    if not columns or threshold <= 0:
        return summary
    return Summary(summary.title, summary.header, suppress_counts(table, columns, threshold),
                   summary.notes)


def _method(header: dict) -> str:
    keys = ("method", "model", "estimator", "inference", "interval and p_value", "clustering",
            "cluster", "weights")
    return "; ".join(f"{k}: {header[k]}" for k in keys if k in header)


def result_section(title: str, intro: str | list, results, figures, *, threshold: int,
                   key: str, estimates_only: tuple = (), model_based: tuple = (),
                   for_readers: dict | None = None, appendix: tuple = (),
                   clients: dict | None = None) -> Section:
    """A Section of ``results`` (Result or Summary objects) and ``figures``.

    Results whose class name is in ``estimates_only`` go to estimates.json but are not
    shown (their numbers already stand in an overview table of the section). Results whose
    class name is in ``model_based`` are shown, and go to estimates.json, with their own
    intervals and p-values withdrawn (the design does not support them). ``for_readers``
    maps a class name to a function that relabels its (already suppressed) table for the
    report; estimates.json keeps the codes. Results whose class name is in ``appendix`` are
    shown in the report's appendix instead of the section (long detail tables).
    ``clients`` (``_clients(cohort)``: clients per municipality and in all) fills the n of
    estimates.json rows whose result states none: the clients the estimate rests on.
    """
    s = Section(title)
    for paragraph in ([intro] if isinstance(intro, str) else intro):
        s.text(paragraph)
    used = set()
    for i, r in enumerate(results):
        withdrawn = type(r).__name__ in model_based
        summary = (r if isinstance(r, Summary) else
                   without_inference(r, MODEL_BASED_NOTE) if withdrawn else r.summary())
        if type(r).__name__ not in estimates_only:
            shown = _suppress_summary(summary, threshold)
            relabel = (for_readers or {}).get(type(r).__name__)
            if relabel is not None:
                shown = Summary(shown.title, shown.header, relabel(shown.table), shown.notes)
            (s.appendix if type(r).__name__ in appendix else s.blocks).append(shown)
        if isinstance(r, Summary):
            continue
        header = summary.header
        n, unit = _n_and_unit(r, header)
        if n is None and clients:
            n = clients.get(unit, clients.get("all municipalities"))
        outcome = getattr(r, "outcome", "") or ""
        label = summary.title + (f" ({outcome})" if outcome else "") + (f" [{unit}]" if unit else "")
        keys = {k: v for k, v in (("municipality", unit), ("outcome", outcome)) if v}
        tidy = blank_inference(r.tidy()) if withdrawn else r.tidy()   # numbers, not display text
        for row in tidy.itertuples(index=False):
            name = f"{label}: {row.term}"
            if name in used:   # a last resort: results are named by title, outcome and unit
                name = f"{name} [{i}]"
            used.add(name)
            s.estimates.append(estimate(key, name, row.estimate, std_error=row.std_error,
                                        ci=(row.ci_lower, row.ci_upper), p_value=row.p_value,
                                        method=_method(header) or getattr(r, "method", ""),
                                        n=_row_n(row, (clients or {}).get(str(row.term), n)),
                                        **keys))
    for j, fig in enumerate(figures):
        caption = getattr(fig, "fipeval_caption", None) or _figure_title(fig) or title
        s.figure(fig, f"{key}_{j + 1}", caption)
    if s.appendix:
        s.text(f"{len(s.appendix)} detail table(s) of this chapter are in the appendix.")
    return s


def _clients(cohort: pd.DataFrame) -> dict:
    """Clients per municipality and in all ("all municipalities")."""
    out = {"all municipalities": len(cohort), "pooled": len(cohort)}
    if "municipality" in cohort:
        out.update({str(k): int(v) for k, v in cohort.groupby("municipality", observed=True).size().items()})
    return out


def _n_and_unit(result, header: dict) -> tuple:
    """Clients the result rests on and the municipality (or pooled unit) it is about, so that
    estimates.json rows are keyed by names, not positions."""
    n = header.get("n") if isinstance(header.get("n"), (int, np.integer)) else None
    if n is None and hasattr(result, "n_fip") and hasattr(result, "n_control"):
        n = int(result.n_fip) + int(result.n_control)
    if n is None and isinstance(header.get("caseload"), (int, float, np.number)):
        n = int(header["caseload"])   # costing: the clients the euros are extrapolated to
    unit = header.get("unit")
    if unit is None and hasattr(result, "subset"):
        unit = result.subset or "all municipalities"
    if unit is None and isinstance(header.get("units"), str) and "," in header["units"]:
        unit = "pooled"
    return n, (str(unit) if unit is not None else None)


def _row_n(row, default):
    """A row's own count where the table has one (n, or n_fip + n_control), else the result's."""
    own = getattr(row, "n", None)
    if own is None and hasattr(row, "n_fip") and hasattr(row, "n_control"):
        own = row.n_fip + row.n_control
    try:
        return int(own) if own is not None and np.isfinite(own) else default
    except (TypeError, ValueError):
        return default


def _figure_title(fig) -> str:
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    return fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else "; ".join(titles)


def _quiet(fn, *args, **kwargs):
    """Run a section builder; its warnings become notes in the section (not stderr noise)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    notes = sorted({str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)})
    return out, notes


def balance_report(ctx) -> Section | None:
    from ..matching.report import balance_section

    options = ctx["config"].matching
    if not options.enabled:
        return None
    (summary, figure), notes = _quiet(
        balance_section, ctx["cohort"], covariates=list(options.covariates), exact=list(options.exact),
        caliper=options.caliper, ratio=options.ratio)
    ctx["results"]["balance"] = summary
    return result_section(
        "Caseload composition and balance",
        ["Are the FIP and control caseloads comparable? Standardised mean differences above 0.1 "
         "are flagged. 'Before' compares all eligible clients; 'after' compares FIP clients with "
         "their nearest controls on the propensity score within municipality."] + notes,
        [summary], [figure], threshold=ctx["threshold"], clients=_clients(ctx["cohort"]), key="balance")


def inference_report(ctx) -> Section:
    """The design's inference, stated once, before any number that depends on it."""
    plan = ctx["plan"]
    s = Section("How uncertainty is computed")
    s.text("FIP was given to caseworkers, not to clients, so every interval, p-value and verdict "
           "in this report takes its uncertainty from that design: how different the results "
           "could have been had FIP gone to other caseworkers of the same municipality. The "
           "table shows, per municipality, how many FIP and control caseworkers there are and "
           "how many choices of FIP caseworkers were possible; with fewer than 20 choices no "
           "result can be significant at the 5% level.")
    s.text(f"The rule, one for every section: where a comparison has fewer than "
           f"{FEW_TREATED_CLUSTERS} FIP or control caseworkers (column method: randomization), "
           "FIP is re-assigned to other caseworkers of the same municipality: effects on ended "
           "benefits, fraud signals, activation and months on benefit (and the pooled effect, "
           "which re-assigns FIP within each municipality) by inverting the re-assignment "
           "test; hazard ratio, restricted mean months and difference-in-differences from the "
           "re-assignment distribution of their studentised statistic (at most "
           f"{REFIT_DRAWS} re-assignments, each a refit). With at least {FEW_TREATED_CLUSTERS} "
           "of each (method: wild), the effects use the wild cluster bootstrap by caseworker, "
           "which is then reliable; the models are still re-assigned. The "
           "meta-analysis weights each municipality by the width of its design-based interval; "
           "euros carry the effects' design-based intervals. Words such as 'significant' or "
           "'pays for itself' appear only where such an interval supports them. The coverage "
           "of every interval is measured on synthetic data with known truth "
           "(docs/INFERENCE.md).")
    s.blocks.append(_suppress_summary(plan.summary(), ctx["threshold"]))
    return s


def effects_report(ctx) -> Section:
    from ..inference.section import effects_section

    config = ctx["config"]
    results, notes = _quiet(effects_section, ctx["cohort"], seed=config.seed,
                            cluster=config.inference.cluster, inference=None,  # rule per comparison
                            n_draws=config.inference.bootstrap_reps, alpha=config.inference.alpha)
    ctx["results"]["effects"] = results
    adjusted, adjusted_notes = _adjusted_effects(ctx)
    if adjusted is not None:
        results = [results[0], adjusted, *results[1:]]
        notes = notes + adjusted_notes
    figures = []
    for r in results:
        if type(r).__name__ == "MetaAnalysis":
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots(figsize=(6.5, 3.0))
            r.plot(ax=ax)
            figures.append(fig)
    section = result_section(
        "Effects per municipality and pooled",
        ["Differences FIP minus control in the share of benefits ended within follow-up "
         "(overall and by end reason), fraud signals and activation steps per client-year, and "
         "months on benefit. Intervals and p-values come from the design (see 'How uncertainty "
         "is computed'). The column 'p if clients were independent' treats clients as independent "
         "draws: it is wrong under this design and is shown only to show how much it would "
         "overstate."] + ([adjusted_rule_text(adjusted)] if adjusted is not None else [])
        + notes,
        results, figures, threshold=ctx["threshold"], clients=_clients(ctx["cohort"]), key="effects",
        estimates_only=("Comparison",), for_readers={"EffectsOverview": effects_for_readers,
                                                     "AdjustedEffects": adjusted_for_readers})
    if len(results) and len(results[0].table):
        section.sheets["effects"] = results[0].table
    domains = domain_summary(ctx["cohort"], ctx["threshold"])
    if domains is not None:          # only where the register has life-domain assessments
        section.text(DOMAIN_PARAGRAPH)
        section.blocks.append(_suppress_summary(domains, ctx["threshold"]))
    paragraph = per_protocol_paragraph(ctx["cohort"])
    if paragraph:
        section.text(paragraph)
    return section


# --- the six FIP life domains ------------------------------------------------------------

DOMAIN_PARAGRAPH = (
    "Life domains: FIP's intake maps six life domains (relationship, finances, health, "
    "housing, family, work and education) and its talks aim at movement on any of them. A "
    "client moved up on a domain when the closing assessment (the last in the last three "
    "months of follow-up) scores it higher than the opening one (the first in the first three "
    "months). FIP clients are assessed every three months and controls less often, so only "
    "these two assessments are compared, in both groups: counting every rise would reward "
    "looking more often. Clients who left the benefit before the closing assessment have no "
    "score; the shares below are among the clients with both assessments, and the "
    "differences with their intervals are in the table above.")


def domain_summary(cohort: pd.DataFrame, threshold: int) -> Summary | None:
    """Share moving up on any life domain and on each, FIP and control (all clients), with
    the clients compared; None when the cohort has no domain assessments. A share resting on
    fewer than ``threshold`` clients is not shown."""
    from ..design import DOMAIN_COLUMNS
    from .labels import outcome_label

    present = [c for c in DOMAIN_COLUMNS if c in cohort and cohort[c].notna().any()]
    if not present:
        return None
    fip = cohort["fip"].to_numpy() == 1
    rows = []
    for c in present:
        y = cohort[c].to_numpy(dtype=float)
        row = {"outcome": c}
        for name, group in (("fip", fip), ("control", ~fip)):
            values = y[group & ~np.isnan(y)]
            row[f"n_{name}"] = len(values)
            row[f"{name}_share"] = float(values.mean()) if len(values) >= max(threshold, 1) \
                else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)[["outcome", "fip_share", "control_share", "n_fip", "n_control"]]
    table["outcome"] = table["outcome"].map(outcome_label)
    return Summary("Movement on the life domains: shares moving up", {}, table,
                   ("Shares among the clients with an opening and a closing assessment; a share "
                    "resting on fewer clients than the disclosure threshold is not shown.",))


def _adjusted_effects(ctx):
    """The adjusted estimates of the headline outcomes (``inference.adjusted``), the headline
    chosen by the balance rule; stored as ``ctx["results"]["adjusted"]`` for the first page
    and costing. (None, notes) when they cannot be computed."""
    from ..errors import FipevalError
    from ..inference.adjusted import adjusted_section
    from ..matching.report import COHORT_COVARIATES
    from .labels import READABLE

    config = ctx["config"]
    balance = ctx["results"].get("balance")
    covariates = (tuple(config.matching.covariates) if config.matching.enabled
                  else COHORT_COVARIATES)
    try:
        adjusted, notes = _quiet(adjusted_section, ctx["cohort"],
                                 balance=None if balance is None else balance.table,
                                 covariates=covariates, plan=ctx["plan"], seed=config.seed,
                                 cluster=config.inference.cluster,
                                 n_draws=config.inference.bootstrap_reps,
                                 refit_draws=min(config.inference.bootstrap_reps, REFIT_DRAWS),
                                 alpha=config.inference.alpha,
                                 overview=ctx["results"]["effects"][0].table,
                                 names=READABLE, covariates_label=ADJUSTED_FOR)
    except FipevalError as err:
        return None, [f"No adjusted estimates: {err}"]
    ctx["results"]["adjusted"] = adjusted
    return adjusted, notes


def adjusted_rule_text(adjusted) -> str:
    """The rule that picks the headline estimate, as the report states it."""
    return ADJUSTED_RULE.format(rule=adjusted.rule)


ADJUSTED_FOR = "the covariates of the balance section (and municipality when pooled)"
ADJUSTED_RULE = ("Which estimate leads: {rule}. The table 'Effects on the FIP clients' shows for "
                 "ended benefits, fraud signals, activation and months on benefit the unadjusted "
                 "difference, the propensity-weighted difference, regression adjustment and the "
                 "doubly robust (AIPW) estimate side by side, each with the design's inference; "
                 "the first page and the costs use the leading one.")


# ---- per protocol (issue 21) ------------------------------------------------------------
PER_PROTOCOL_TEXT = (
    "Sensitivity analysis, not randomised: {f} of the FIP clients and {c} of the control "
    "clients stayed with their caseworker of the start through follow-up. Among those who "
    "stayed, the share of benefits ended differs by {pp} (FIP minus control; all clients as "
    "assigned: {itt}). Who is moved to another caseworker is not decided by lot, so this "
    "per-protocol difference can be biased; the effects above (intention to treat: every "
    "client in the group of their caseworker at the start) are the ones to read.")


def per_protocol_paragraph(cohort: pd.DataFrame) -> str | None:
    """The per-protocol sensitivity paragraph, when some clients were moved and enough
    stayed in each group (at least 10: no small counts behind a share)."""
    from ..design import per_protocol_effect
    if "stayed_with_caseworker" not in cohort.columns or \
            bool((cohort["stayed_with_caseworker"] == 1).all()):
        return None
    pp = per_protocol_effect(cohort, outcome="ended")
    if min(pp["n_fip"], pp["n_control"]) < 10 or np.isnan(pp["per_protocol"]):
        return None
    return PER_PROTOCOL_TEXT.format(f=f"{pp['share_fip_stayed']:.1%}",
                                    c=f"{pp['share_control_stayed']:.1%}",
                                    pp=f"{pp['per_protocol']:+.3f}", itt=f"{pp['itt']:+.3f}")
# ---- end per protocol -------------------------------------------------------------------


def survival_report(ctx) -> Section:
    from ..survival.section import survival_section

    config = ctx["config"]
    (results, figures), notes = _quiet(survival_section, ctx["cohort"], alpha=config.inference.alpha,
                                       cluster=config.inference.cluster, seed=config.seed,
                                       n_draws=min(config.inference.bootstrap_reps, REFIT_DRAWS))
    ctx["results"]["survival"] = results
    return result_section(
        "Time on benefit and end reasons",
        ["How long benefits last after the start, and how they end. Kaplan-Meier curves per "
         "group, a Cox model stratified by municipality, the restricted mean months on benefit, "
         "and the cumulative incidence of each end reason (Aalen-Johansen), which treats the "
         "other reasons as competing. The first table gives the design-based intervals; the "
         "model tables after it show estimates only, and the bands in the figures are "
         "descriptive (they treat clients as independent)."] + notes,
        results, figures, threshold=ctx["threshold"], clients=_clients(ctx["cohort"]), key="survival",
        model_based=("KaplanMeierResult", "LogRankResult", "RMSTResult", "CoxResult",
                     "CumulativeIncidenceResult"))


def did_report(ctx) -> Section:
    from ..diff_in_diff.section import did_section

    config = ctx["config"]
    (results, figures), notes = _quiet(did_section, ctx["register"], ctx["design"],
                                       alpha=config.inference.alpha, seed=config.seed,
                                       n_draws=min(config.inference.bootstrap_reps, REFIT_DRAWS))
    return result_section(
        "Difference-in-differences: caseworkers before and after",
        ["The study plan's comparison: monthly outcomes of the FIP caseworkers' caseloads and of "
         "the other caseworkers, before and after the start. The event study shows whether the "
         "two moved in parallel before FIP. The first table gives the design-based intervals; "
         "the model tables after it show estimates only."] + notes,
        results, figures, threshold=ctx["threshold"], clients=_clients(ctx["cohort"]), key="did",
        model_based=("DiDResult", "EventStudyResult", "StaggeredResult"),
        appendix=("StaggeredResult",))   # group-time tables: thousands of pixels of detail


def costing_report(ctx) -> Section:
    from ..costing.section import analysis_units, caseload_from_spells, costing_section

    config, cohort = ctx["config"], ctx["cohort"]
    options = config.costing
    units = analysis_units(cohort)
    spells = ctx["register"].spells
    site_start = {s.municipality: s.start_date for s in ctx["design"].sites}
    first_start = min(site_start.values())
    if options.caseload is not None:
        caseload = options.caseload if len(units) == 1 else None
    elif len(units) == 1:
        # one unit: the whole caseload on benefit at the (first) start
        caseload = int(caseload_from_spells(spells, first_start).sum())
    else:
        # per municipality: its caseload on its own start date
        on_benefit = caseload_from_spells(spells, {u: site_start.get(u, first_start) for u in units})
        caseload = {u: int(on_benefit.get(u, 0)) for u in units}
    benefit_type = ctx.get("benefit", ("bijstand", "assumed"))[0]
    amounts = cohort["monthly_amount"].dropna() if "monthly_amount" in cohort else pd.Series([])
    inputs = options.inputs(benefit_type, float(amounts.mean()) if len(amounts) else None)
    (results, figures), notes = _quiet(
        costing_section, cohort, _costing_effects(ctx, units), inputs=inputs,
        caseload=caseload,
        cost_method=options.cost_method, regular_caseload=options.regular_caseload,
        n_draws=options.n_draws, seed=config.seed,
        alpha=config.inference.alpha)
    ctx["results"]["costing"] = results
    section = result_section(
        "Costs and savings",
        [_costing_intro(benefit_type)] + _costing_adjustment(ctx) + notes,
        results, figures, threshold=ctx["threshold"], clients=_clients(ctx["cohort"]), key="costing")
    for r in results:
        if isinstance(r, Summary) and r.title.startswith("Savings per year"):
            section.sheets["costing"] = r.table
    return section


def _costing_intro(benefit_type: str) -> str:
    """The costing section's first paragraph, naming the benefit (issue 21)."""
    if benefit_type == "bijstand":
        return ("The pilot's kind of extrapolation (extra terminations x whole caseload x a year of "
                "benefit) beside a refined version (months of benefit actually avoided, benefit by "
                "household type, return to benefit after exit, discounting), the cost of the FIP "
                "talks, and the net result. Intervals carry the effects' design-based uncertainty (the "
                "same effects and intervals as the effects section) and the inputs' ranges. Every "
                "input is listed with its source.")
    from ..costing.inputs import BENEFIT_NAMES

    return (f"The benefit is {BENEFIT_NAMES[benefit_type]}. The pilot's kind of extrapolation "
            "(extra terminations x whole caseload x a year of benefit) beside a refined version "
            f"(months of benefit actually avoided, priced at the monthly {benefit_type.upper()} "
            "benefit, return to benefit after exit, discounting), the cost of the FIP talks, and "
            "the net result. Intervals carry the effects' design-based uncertainty (the same "
            "effects and intervals as the effects section) and the inputs' ranges. Every input "
            "is listed with its source.")


COSTING_ADJUSTMENT = ("Effects: the effects section's leading estimate, {estimator}, chosen by "
                      "the balance rule ({rule}).")


def _costing_adjustment(ctx) -> list:
    """Which adjustment the euros rest on (the headline estimator), in words."""
    from ..inference.adjusted import ESTIMATOR_WORDS

    adjusted = ctx["results"].get("adjusted")
    if adjusted is None:
        return []
    return [COSTING_ADJUSTMENT.format(estimator=ESTIMATOR_WORDS[adjusted.headline],
                                      rule=adjusted.rule)]


def _costing_effects(ctx, units) -> pd.DataFrame | None:
    """The effects section's own rows (estimate, design-based interval and p-value) for each
    costing unit, so that costing states the same effects as the effects section; None when
    that section failed (costing then computes them the same way)."""
    from ..costing.section import EFFECT_TERMS
    from ..inference.section import POOLED

    parts = ctx["results"].get("effects")
    if not parts:
        return None
    table = parts[0].table
    pooled = POOLED if (table["subset"] == POOLED).any() else "all clients"
    from ..inference.adjusted import headline_table

    table = headline_table(table, ctx["results"].get("adjusted"))
    rows = []
    for unit, members in units.items():
        subset = pooled if unit == "all" else unit
        # mean months on benefit is the RMST only when no follow-up is cut by the extract
        cut = "censored_at_extract" in members and members["censored_at_extract"].to_numpy().any()
        for term, outcome in list(zip(EFFECT_TERMS, ("ended", "months_on_benefit")))[:1 if cut else 2]:
            hit = table[(table["subset"] == subset) & (table["outcome"] == outcome)]
            if len(hit) != 1:
                return None
            r = hit.iloc[0]
            rows.append({"municipality": unit, "term": term, "estimate": r.estimate,
                         "ci_lower": r.ci_lower, "ci_upper": r.ci_upper, "p_value": r.p_value,
                         "estimator": r.estimator})
    return pd.DataFrame(rows)
