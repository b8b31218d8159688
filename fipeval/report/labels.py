"""Words for the report's readers instead of column and outcome codes.

The library's tables keep their codes (``ended_other_benefit``, ``p_naive``): they are what
a researcher filters on and what estimates.json is keyed by. The report shows the same
tables with these labels, the key columns first.
"""

from __future__ import annotations

import pandas as pd

OUTCOMES = {
    "ended": "Benefit ended",
    "ended_work": "Ended: work",
    "ended_enforcement": "Ended: enforcement",
    "ended_moved": "Ended: moved away",
    "ended_partner": "Ended: partner",
    "ended_other_benefit": "Ended: other benefit",
    "ended_education": "Ended: education",
    "ended_death": "Ended: death",
    "ended_other": "Ended: other reason",
    "ended_unknown": "Ended: reason unknown",
    # benefit types (issue 21): WW and AOV reasons
    "ended_exhausted": "Ended: maximum duration reached",
    "ended_recovered": "Ended: recovered",
    "ended_retirement": "Ended: retirement age",
    "fraud_signals": "Fraud signals (per client-year)",
    "activations": "Activation steps (per client-year)",
    "months_on_benefit": "Months on benefit",
    # the six FIP life domains (design.domain_movement)
    "domain_movement": "Moved up on a life domain",
    "domain_movement_relationship": "Moved up: relationship",
    "domain_movement_finances": "Moved up: finances",
    "domain_movement_health": "Moved up: health",
    "domain_movement_housing": "Moved up: housing",
    "domain_movement_family": "Moved up: family",
    "domain_movement_work_education": "Moved up: work and education",
}

EFFECT_COLUMNS = {
    "subset": "Municipality", "outcome": "Outcome", "difference": "FIP minus control",
    "ci_lower": "Interval from", "ci_upper": "Interval to", "p_value": "p",
    "inference": "Method", "n_fip": "FIP clients", "n_control": "Control clients",
    "fip_caseworkers": "FIP caseworkers", "control_caseworkers": "Control caseworkers",
    "p_holm": "p (Holm)", "p_BH": "p (BH)", "p_naive": "p if clients were independent",
    "std_error": "Standard error", "statistic": "Statistic", "kind": "Kind",
    "estimator": "Estimator", "headline": "Leads (first page and costs)",
}

def outcome_label(code: str) -> str:
    """``ended_other_benefit`` -> ``Ended: other benefit`` (unknown codes readable too).

    Examples
    --------
    >>> outcome_label("ended_other_benefit"), outcome_label("contacts_per_month")
    ('Ended: other benefit', 'Contacts per month')
    """
    return OUTCOMES.get(code, str(code).replace("_", " ").capitalize())


def effects_for_readers(table: pd.DataFrame) -> pd.DataFrame:
    """The effects overview for the report: its estimate is the difference FIP minus
    control, and without the term column, which repeats outcome and municipality as a code
    (``ended [Amersfoort]``); rendering labels the rest."""
    return (table.drop(columns=[c for c in ("term",) if c in table.columns])
            .rename(columns={"estimate": "difference"}))


ESTIMATORS = {"unadjusted": "Unadjusted", "weighted": "Propensity-weighted",
              "regression": "Regression adjustment", "aipw": "Doubly robust (AIPW)"}


def adjusted_for_readers(table: pd.DataFrame) -> pd.DataFrame:
    """The side-by-side table of adjusted effects for the report: estimators in words, the
    leading one marked, without the term code."""
    out = table.drop(columns=[c for c in ("term", "kind", "statistic") if c in table.columns])
    out = out.assign(estimator=out["estimator"].map(lambda e: ESTIMATORS.get(e, e)))
    return out.rename(columns={"estimate": "difference"})


def column_label(code) -> str:
    """A table column as the report shows it: ``COLUMNS[code]``, else the code itself."""
    return COLUMNS.get(code, code) if isinstance(code, str) else str(code)


# every column code a report table carries; codes stay in tidy() and estimates.json
COLUMNS = {
    **EFFECT_COLUMNS,
    "file": "File", "rows read": "Rows read", "kept": "Kept", "repaired": "Repaired",
    "rejected": "Rejected", "table": "Table", "rows": "Rows", "clients": "Clients",
    "municipality": "Municipality", "group": "Group", "caseworkers": "Caseworkers",
    "mean_months_before_start": "Mean months on benefit before the start",
    "mean_age": "Mean age", "clients_fip": "FIP clients", "clients_control": "Control clients",
    "assignments": "Possible choices of FIP caseworkers",
    "smallest_p": "Smallest attainable p", "valid": "Design-based inference possible",
    "method": "Method", "quarter": "Quarter of follow-up",
    "clients_on_benefit": "Clients on benefit at the quarter's start",
    "clients_seen": "Clients seen", "share_seen": "Share seen",
    "contacts_per_client": "Contacts per client seen", "mean_minutes": "Mean minutes",
    "caseworker": "Caseworker", "client_years": "Client-years",
    "share_quarters_seen": "Share of client-quarters with a talk",
    "talks_per_client_year": "Talks per client-year",
    "intake_within_4_weeks": "Intake within 4 weeks", "talks_per_year": "Talks per year",
    "term": "Term", "mean_treated_before": "FIP mean before matching",
    "mean_control_before": "Control mean before matching",
    "smd_before": "Standardised difference before", "mean_treated_after": "FIP mean after",
    "mean_control_after": "Control mean after", "smd_after": "Standardised difference after",
    "variance_ratio_after": "Variance ratio after", "ecdf_mean_after": "Mean eCDF difference after",
    "ecdf_max_after": "Largest eCDF difference after", "flagged": "Imbalanced (|SMD| > 0.1)",
    "fip_n": "FIP clients", "fip_ended": "FIP: ended", "fip_rate": "FIP: share ended",
    "control_n": "Control clients", "control_ended": "Control: ended",
    "control_rate": "Control: share ended", "crude_difference": "Difference (FIP minus control)",
    "estimate": "Estimate", "p_value": "p", "ci_lower": "Interval from", "ci_upper": "Interval to",
    "n": "n", "events": "Events", "df": "Degrees of freedom", "tau": "Restricted to (months)",
    "hazard_ratio": "Hazard ratio", "hr_ci_lower": "Hazard ratio: interval from",
    "hr_ci_upper": "Hazard ratio: interval to",
    "naive_std_error": "Standard error if clients were independent", "time": "Month",
    "event_time": "Months since FIP started", "band_lower": "Band from", "band_upper": "Band to",
    "name": "Name", "value": "Value", "unit": "Unit", "low": "Low", "high": "High",
    "source": "Source", "caseload": "Caseload", "follow_up_months": "Follow-up (months)",
    "risk_difference": "Difference in share ended", "crude_per_year": "Crude savings per year",
    "crude_ci": "Crude savings: interval", "break_even_risk_difference":
        "Difference in share ended needed to break even",
    "rmst_difference_months": "Difference in months on benefit",
    "refined_per_year": "Refined savings per year", "refined_ci": "Refined savings: interval",
    "fip_cost_per_year": "Cost of FIP per year", "refined_net_per_year": "Net result per year",
    "break_even_rmst_difference": "Difference in months needed to break even",
    "verdict": "Verdict", "crude_mc_ci": "Crude savings: simulated interval",
    "refined_mc_ci": "Refined savings: simulated interval",
    "analytic_std_error": "Standard error (formula)", "analytic_ci_lower": "Formula interval from",
    "analytic_ci_upper": "Formula interval to", "weight": "Weight",
    "n_comparison": "Clients compared",
    "fip_share": "FIP: share", "control_share": "Control: share",
}


# Every report table shows these columns first, in this order (what a row is, then the
# answer: estimate, interval, p, verdict), so a table wider than the screen hides only
# detail behind its scroll bar; the others keep their order after them.
KEY_COLUMNS = (
    "subset", "municipality", "caseworker", "group", "quarter", "outcome", "estimator", "term",
    "name",
    "label", "difference", "estimate", "ci_lower", "ci_upper", "p_value", "verdict", "refined_net_per_year",
    "refined_per_year", "refined_ci", "fip_cost_per_year", "crude_per_year", "crude_ci",
    "smd_before", "smd_after", "flagged", "hazard_ratio", "hr_ci_lower", "hr_ci_upper",
    "n_fip", "n_control", "fip_caseworkers", "control_caseworkers", "inference", "method",
)


def key_columns_first(columns) -> list:
    """``columns`` reordered: ``KEY_COLUMNS`` present first, then the rest as they were.

    Examples
    --------
    >>> key_columns_first(["term", "std_error", "p_value", "estimate"])
    ['term', 'estimate', 'p_value', 'std_error']
    """
    columns = list(columns)
    first = [c for c in KEY_COLUMNS if c in columns]
    return first + [c for c in columns if c not in first]


# Codes the library's results print (terms, input names, group codes) as the report's
# readers read them, in English; the Dutch catalog translates these words in turn. Fields
# with a spec take their words from VOCABULARIES ("{g:group}": 0 -> control, 1 -> FIP, the
# survival sections' coding of the `fip` column).
END_REASONS = {
    "work": "work", "enforcement": "enforcement", "moved": "moved away", "partner": "partner",
    "other_benefit": "other benefit", "education": "education", "death": "death",
    "other": "other reason", "unknown": "reason unknown",
    # benefit types (issue 21)
    "exhausted": "maximum duration reached", "recovered": "recovered",
    "retirement": "retirement age",
}
TERMS = {
    "risk_difference": "difference in share ended",
    "benefits_avoided_per_year": "benefits ended extra per year",
    "annual_cost_per_benefit": "cost per benefit per year",
    "savings_per_year": "savings per year",
    "rmst_difference_months": "difference in months on benefit",
    "months_avoided_per_client": "months avoided per client",
    "monthly_cost_per_benefit": "cost per benefit per month",
    "give_back_share": "share lost to returns to benefit",
    "discount_factor": "discount factor",
    "savings_over_horizon": "savings over the horizon",
    "fip_cost_per_year": "cost of FIP per year",
    "net_savings_per_year": "net savings per year",
    "return_per_euro": "return per euro",
    "break_even_rmst_difference_months": "difference in months needed to break even",
    "break_even_risk_difference": "difference in share ended needed to break even",
    "annual_benefit_cost": "benefit cost per year",
    "annual_administration_cost": "administration cost per benefit per year",
    "norm_factor": "share of the norm paid",
    "recidivism_scale": "return-to-benefit multiplier",
    "discount_rate": "discount rate",
    "hourly_cost": "caseworker cost per hour",
    "fte_hours_per_year": "productive hours per FTE",
    "training_cost_per_caseworker": "training cost per caseworker",
    "training_lifetime_years": "training written off over",
    "termination_rate": "termination rate",
    "fraud_signal_rate": "fraud-signal rate",
    "activation_rate": "activation rate",
    "distance": "propensity score (logit)",
    "age": "age", "ladder_rung": "participation ladder rung",
    "monthly_amount": "monthly benefit amount", "monthly_benefit": "monthly benefit",
    "months_before_start": "months on benefit before the start",
    "sex_female": "sex: female", "sex_male": "sex: male",
    "household_type_single": "household: single", "household_type_couple": "household: couple",
    "household_type_single_parent": "household: single parent",
    **{code: label.lower() for code, label in OUTCOMES.items()},
}
VOCABULARIES = {
    "group": {"0": "control", "1": "FIP", "0.0": "control", "1.0": "FIP"},
    "reason": END_REASONS,
    "term": TERMS,
    "outcome": {label: label for label in OUTCOMES.values()},
}
READABLE = {
    **{code: label[0].upper() + label[1:] for code, label in TERMS.items()},
    **{code: label for code, label in END_REASONS.items() if code != label},
    "median[{g:group}]": "Median months on benefit: {g}",
    "rmst[{g:group}]": "Mean months on benefit (RMST): {g}",
    "difference[1 - 0]": "Difference (FIP minus control)",
    "cif[{r:reason}|{g:group}]": "Ended, {r}: {g}",
    "e={k}": "Month {k} since the start",
    "ATT({g},{t})": "Effect of the {g} start in {t}",
    "att": "Average effect after the start",
    "ATT": "effect on the FIP group (ATT)",
    "twfe": "Two-way fixed effects (for comparison)",
    "TWFE ATT {o:term}": "Two-way fixed effects: {o}",
    "Callaway-Sant'Anna ATT {o:term}": "Callaway-Sant'Anna: {o}",
    "municipality_{m}": "Municipality: {m}",
    "randomization": "re-assignment of FIP (randomization)",
    "wild": "wild cluster bootstrap",
    "`{code}`": "{code}",
    "{t}: no valid inference. {reason}": "{t}: no valid inference. {reason}",
    "`{c}` (FIP is given to caseworkers)": "{c} (FIP is given to caseworkers)",
    "Observed and expected events: 0: {o0} vs {e0}; 1: {o1} vs {e1}":
        "Observed and expected events: control {o0} vs {e0}; FIP {o1} vs {e1}",
    "The difference is in units of `{unit}` within the first {tau}; negative means fewer "
    "months on benefit for {g:group}.":
        "The difference is in months on benefit within the first {tau} months; negative "
        "means fewer months on benefit for {g} clients.",
    "{t:term} = {v} ({level} interval {lo} to {hi})": "{t} = {v} ({level} interval {lo} to {hi})",
    "Undecided: the break-even {t:term} {be} lies inside the {level} CI of the effect "
    "[{lo}, {hi}].": "Undecided: the {t} needed to break even ({be}) lies inside the {level} "
                     "interval of the effect ({lo} to {hi}).",
    "FIP pays for itself: the {level} CI of the effect [{lo}, {hi}] lies wholly beyond the "
    "break-even {t:term} {be}.": "FIP pays for itself: the {level} interval of the effect "
                                 "({lo} to {hi}) lies wholly beyond the {t} needed to break "
                                 "even ({be}).",
    "FIP does not pay for itself: the {level} CI of the effect [{lo}, {hi}] lies wholly "
    "short of the break-even {t:term} {be}.": "FIP does not pay for itself: the {level} "
                                              "interval of the effect ({lo} to {hi}) lies "
                                              "wholly short of the {t} needed to break even "
                                              "({be}).",
}
