"""Statistical disclosure control: counts of fewer than ``threshold`` people are not shown.

The rules follow CBS's output checking for microdata (Statistics Netherlands, remote access:
a minimum of 10 units behind every published cell, no figure from which a suppressed one
can be calculated) and Eurostat's "Guidelines for the checking of output based on
microdata research" (primary and secondary suppression):

- primary: a count under the threshold is shown as ``"<10"``;
- derived: a rate, mean or difference computed from a suppressed count is not shown;
- complementary: where a column (within a group) would have exactly one hidden cell beside
  published cells and a published total, the smallest published cell is hidden too, so no
  subtraction gives the hidden count away (``protect``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# columns that count people (n, n_fip, clients_fip, events, at_risk, ...): what is suppressed
COUNT_COLUMN = re.compile(r"^(n|n_.*|.*_n|clients.*|events|at_risk|n_at_risk|.*_count|count)$")


def suppress_counts(df: pd.DataFrame, columns, threshold: int = 10) -> pd.DataFrame:
    """Copy of ``df`` with each count in ``columns`` under ``threshold`` shown as ``"<threshold"``.

    Rates computed from a suppressed count are blanked too when ``rate_columns`` map to them
    (pass the rate column name in ``columns`` with the count's name via ``df.attrs``).

    Examples
    --------
    >>> suppress_counts(pd.DataFrame({"n": [3, 25]}), ["n"]).n.tolist()
    ['<10', '25']
    """
    out = df.copy()
    if threshold <= 0:
        return out
    for col in columns:
        values = out[col]
        small = values.notna() & (values.astype(float) < threshold)
        out[col] = values.map(lambda v: "" if pd.isna(v) else f"{int(v):,}").astype(object)
        out.loc[small, col] = f"<{threshold}"
    return out


def suppress_with_rates(df: pd.DataFrame, count_to_rates: dict, threshold: int = 10) -> pd.DataFrame:
    """Suppress counts and blank the rates derived from each suppressed count."""
    out = df.copy()
    for count, rates in count_to_rates.items():
        small = out[count].astype(float) < threshold
        for rate in rates:
            out[rate] = out[rate].astype(object)
            out.loc[small, rate] = ""
    return suppress_counts(out, list(count_to_rates), threshold)


def withhold_estimates(estimates: list, threshold: int) -> list:
    """estimates.json under the report's rules: a row resting on fewer than ``threshold``
    people keeps its name and method but not its numbers (n shown as ``"<threshold"``)."""
    if threshold <= 0:
        return list(estimates)
    out = []
    for row in estimates:
        n = row.get("n")
        if isinstance(n, (int, float)) and n < threshold:
            row = {**row, **{k: None for k in ("estimate", "std_error", "ci_lower", "ci_upper",
                                                "p_value") if k in row},
                   "n": f"<{threshold}", "suppressed": True}
        out.append(row)
    return out


def disclosure_setting(threshold: int) -> str:
    """What estimates.json and the report say about their disclosure control."""
    if threshold <= 0:
        return ("none (--no-suppression): counts of every size are shown; for internal use "
                "only, not for publication")
    return (f"counts under {threshold} people shown as '<{threshold}', with the figures "
            "derived from them, in the report and in estimates.json; complementary "
            "suppression against published totals")


def hidden_cells(counts: pd.Series, threshold: int, groups=None) -> pd.Series:
    """Which cells of ``counts`` to hide: primary (under ``threshold``) plus complementary
    (within each group, never exactly one hidden cell beside published ones)."""
    values = counts.astype(float).to_numpy()
    hide = ~np.isnan(values) & (values < threshold)
    keys = np.zeros(len(values), int) if groups is None else pd.factorize(groups)[0]
    for key in np.unique(keys):
        rows = np.flatnonzero(keys == key)
        if hide[rows].sum() == 1 and (~hide[rows]).any():
            visible = rows[~hide[rows]]
            hide[visible[np.argmin(values[visible])]] = True
    return pd.Series(hide, index=counts.index)


def protect(df: pd.DataFrame, counts: dict, *, threshold: int = 10, total: pd.Series | None = None,
            groups: pd.Series | None = None) -> pd.DataFrame:
    """``df`` for publication: each count column in ``counts`` (mapped to the columns derived
    from it: rates, means, differences) gets primary and complementary suppression among the
    rows that add up to a total (``total`` marks a total row, which keeps its value), and the
    derived columns of a hidden cell are blanked.

    Examples
    --------
    >>> t = pd.DataFrame({"municipality": ["A", "B", "C", "all"], "n": [160, 150, 6, 316],
    ...                   "rate": [0.2, 0.1, 0.0, 0.15]})
    >>> out = protect(t, {"n": ["rate"]}, total=t.municipality == "all")
    >>> out.n.tolist(), out.rate.tolist()
    (['160', '<10', '<10', '316'], [0.2, nan, nan, 0.15])
    """
    out = df.copy()
    if threshold <= 0:
        return out
    total = pd.Series(False, index=df.index) if total is None else total.astype(bool)
    for count, derived in counts.items():
        inner = (~total).to_numpy()
        hide = np.zeros(len(df), bool)
        hide[inner] = hidden_cells(df.loc[inner, count], threshold,
                                   None if groups is None else groups[inner]).to_numpy()
        hide[~inner] = df.loc[~inner, count].astype(float).to_numpy() < threshold
        for col in derived:
            out[col] = out[col].astype(float)
            out.loc[hide, col] = float("nan")
        out[count] = df[count].map(lambda v: "" if pd.isna(v) else f"{int(v):,}").astype(object)
        out.loc[hide, count] = f"<{threshold}"
    return out
