"""The report's balance section: a matched cohort's balance table and love plot."""

from __future__ import annotations

import warnings
from dataclasses import replace

import pandas as pd

from ..results import Summary
from .balance_table import SMD_THRESHOLD
from .core import match

COHORT_COVARIATES = ("age", "household_type", "sex", "ladder_rung", "months_before_start")
COHORT_EXACT = ("municipality",)


def balance_section(cohort: pd.DataFrame, *, covariates=COHORT_COVARIATES,
                    treatment: str = "fip", exact=COHORT_EXACT, caliper: float | None = 0.2,
                    ratio: int = 1, threshold: float = SMD_THRESHOLD):
    """Match a cohort and return the balance table and love plot for the report.

    FIP clients are matched 1:1 (``ratio``) without replacement to the nearest control on the
    logit of a logistic propensity score, within municipality (``exact``), with a caliper of
    0.2 standard deviations of that logit (Austin 2011) unless ``caliper=None``. Warnings
    raised while matching (for example FIP clients left unmatched) become notes.

    Parameters
    ----------
    cohort : DataFrame
        ``fipeval.design.build_cohort`` output (one row per client).
    covariates : sequence of str
        Default: age, household type, sex, ladder rung, months on benefit before the start.

    Returns
    -------
    (Summary, matplotlib.figure.Figure)
        The balance table (before/after SMD, variance ratio, eCDF, flags) with the matching
        settings in its header, and a love plot.

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> from fipeval.design import build_cohort
    >>> study = generate("brabantse_wal")
    >>> table, fig = balance_section(build_cohort(study.register, study.design))
    """
    import matplotlib.pyplot as plt

    exact = [c for c in (exact or ()) if cohort[c].nunique() > 1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = match(cohort, treatment=treatment, covariates=list(covariates), distance="logit", exact=exact,
                    caliper=caliper, ratio=ratio)
    bal = res.balance(threshold=threshold)
    base = bal.summary()
    notes = tuple(str(w.message) for w in caught) + base.notes
    table = Summary(f"Covariate balance: {res._method_text()}", res._header(), base.table,
                    notes)
    # terms of variables matched exactly are equal after matching by construction: the table
    # lists them, the plot leaves them out (a national study has one per municipality)
    exact_terms = bal.table["term"].astype(str).str.startswith(tuple(f"{c}_" for c in exact)) \
        if exact else pd.Series(False, index=bal.table.index)
    shown = replace(bal, table=bal.table[~exact_terms]) if exact_terms.any() else bal
    rows = shown.table["term"].nunique()
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * rows + 1.6))
    shown.plot(ax=ax)
    ax.set_title("Covariate balance before and after matching" + (
        f" ({', '.join(exact)}: exact, not shown)" if exact_terms.any() else ""))
    fig.tight_layout()
    return table, fig
