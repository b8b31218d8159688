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
    "fraud_signals": "Fraud signals (per client-year)",
    "activations": "Activation steps (per client-year)",
    "months_on_benefit": "Months on benefit",
}

EFFECT_COLUMNS = {
    "subset": "Municipality", "outcome": "Outcome", "estimate": "FIP minus control",
    "ci_lower": "Interval from", "ci_upper": "Interval to", "p_value": "p",
    "inference": "Method", "n_fip": "FIP clients", "n_control": "Control clients",
    "fip_caseworkers": "FIP caseworkers", "control_caseworkers": "Control caseworkers",
    "p_holm": "p (Holm)", "p_BH": "p (BH)", "p_naive": "p if clients were independent",
    "std_error": "Standard error", "statistic": "Statistic", "kind": "Kind",
}

# what a reader needs first; the rest follows
EFFECT_ORDER = ("subset", "outcome", "estimate", "ci_lower", "ci_upper", "p_value", "n_fip",
                "n_control", "fip_caseworkers", "control_caseworkers", "inference", "p_holm",
                "p_BH", "p_naive", "std_error", "statistic", "kind")


def outcome_label(code: str) -> str:
    """``ended_other_benefit`` -> ``Ended: other benefit`` (unknown codes readable too).

    Examples
    --------
    >>> outcome_label("ended_other_benefit"), outcome_label("contacts_per_month")
    ('Ended: other benefit', 'Contacts per month')
    """
    return OUTCOMES.get(code, str(code).replace("_", " ").capitalize())


def effects_for_readers(table: pd.DataFrame) -> pd.DataFrame:
    """The effects overview with labels and the key columns first (the term column, which
    repeats outcome and municipality as a code, is left out).

    Counts keep their codes' names here; ``suppress`` runs on the coded table first.
    """
    out = table.copy()
    if "outcome" in out:
        out["outcome"] = out["outcome"].map(outcome_label)
    columns = [c for c in EFFECT_ORDER if c in out.columns]
    columns += [c for c in out.columns if c not in columns and c != "term"]
    return out[columns].rename(columns=EFFECT_COLUMNS)
