"""Statistical disclosure control: counts of fewer than ``threshold`` people are not shown.

The rules follow CBS's output checking for microdata (Statistics Netherlands, remote access:
a minimum of 10 units behind every published cell, no figure from which a suppressed one
can be calculated) and Eurostat's "Guidelines for the checking of output based on
microdata research" (primary and secondary suppression):

- primary: a count under the threshold is shown as ``"<10"``;
- derived: a rate, mean or difference computed from a suppressed count is not shown;
- complementary: where a column (within a group) would have exactly one hidden cell beside
  published cells and a published total, the smallest published cell is hidden too, so no
  subtraction gives the hidden count away (``protect``); it is shown as ``"x"`` (CBS's mark
  for a figure withheld), since it is not small;
- across tables: one decision per municipality and group (``hidden_groups``) is applied to
  every table and to estimates.json (``protect_report``): a municipality with a group under
  the threshold shows no figure computed on it anywhere.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

COMPLEMENTARY = "x"     # a count hidden only so that a small one cannot be derived

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


_NUMBERS = ("estimate", "std_error", "ci_lower", "ci_upper", "p_value")


def _without_numbers(row: dict, **extra) -> dict:
    """An estimates.json row that keeps its name and method but not its numbers."""
    return {**row, **{k: None for k in _NUMBERS if k in row}, **extra, "suppressed": True}


def withhold_estimates(estimates: list, threshold: int) -> list:
    """estimates.json under the report's rules: a row resting on fewer than ``threshold``
    people keeps its name and method but not its numbers (n shown as ``"<threshold"``)."""
    if threshold <= 0:
        return list(estimates)
    out = []
    for row in estimates:
        n = row.get("n")
        if isinstance(n, (int, float)) and n < threshold:
            row = _without_numbers(row, n=f"<{threshold}")
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
    (['160', 'x', '<10', '316'], [0.2, nan, nan, 0.15])
    """
    out = df.copy()
    if threshold <= 0:
        return out
    total = pd.Series(False, index=df.index) if total is None else total.astype(bool)
    inner = (~total).to_numpy()
    for count, derived in counts.items():
        hide = np.zeros(len(df), bool)
        hide[inner] = hidden_cells(df.loc[inner, count], threshold,
                                   None if groups is None else groups[inner]).to_numpy()
        hide[~inner] = df.loc[~inner, count].astype(float).to_numpy() < threshold
        for col in derived:
            out[col] = out[col].astype(float)
            out.loc[hide, col] = float("nan")
        small = hide & (df[count].astype(float).to_numpy() < threshold)
        out[count] = df[count].map(lambda v: "" if pd.isna(v) else f"{int(v):,}").astype(object)
        out.loc[hide, count] = COMPLEMENTARY
        out.loc[small, count] = f"<{threshold}"
    return out


def hidden_groups(cohort: pd.DataFrame, threshold: int) -> dict:
    """{(municipality, "FIP" | "control"): mark} of the cohort's groups whose size is not
    published: ``"<threshold"`` under the threshold, ``"x"`` hidden so that a small one does
    not follow from the published group totals (complementary, across municipalities)."""
    if threshold <= 0 or not len(cohort):
        return {}
    counts = cohort.groupby(["municipality", "fip"], observed=True).size()
    groups = pd.Series(counts.index.get_level_values("fip"), index=counts.index)
    hide = hidden_cells(counts, threshold, groups)
    return {(m, "FIP" if f == 1 else "control"):
            (f"<{threshold}" if counts[(m, f)] < threshold else COMPLEMENTARY)
            for (m, f), h in hide.items() if h}


def withheld_municipalities(hidden: dict, threshold: int) -> set:
    """Municipalities with a group under the threshold: no effect, rate or euro figure of
    theirs is published (it would rest on fewer than ``threshold`` people)."""
    return {m for (m, _), mark in hidden.items() if mark == f"<{threshold}"}


# columns (in the report's wording or codes) holding a unit and a group's client count
UNIT_COLUMNS = ("Municipality", "Gemeente", "municipality", "subset", "unit")
GROUP_COUNT_COLUMNS = {"FIP": ("FIP clients", "FIP-klanten", "clients_fip", "fip_n", "n_fip"),
                       "control": ("Control clients", "clients_control", "control_n",
                                   "n_control")}
# figures that give a group's size back from a published effect (effect x n)
FROM_FIP_COUNT = ("Extra ended benefits among FIP clients",
                  "Extra beëindigde uitkeringen bij FIP-klanten", "extra_ended_benefits",
                  "extra_ended_benefits_ci_lower", "extra_ended_benefits_ci_upper")


def protect_frame(df: pd.DataFrame, hidden: dict, withheld: set) -> pd.DataFrame:
    """One table under the report-wide decision: a withheld municipality's row keeps its
    label and marks but no number; a hidden group's count shows its mark."""
    unit = next((c for c in UNIT_COLUMNS if c in df.columns), None)
    if unit is None or not (hidden or withheld):
        return df
    out = df.copy()
    rows = out[unit].astype(str)
    for group, columns in GROUP_COUNT_COLUMNS.items():
        for col in (c for c in columns if c in out.columns):
            for m in rows.unique():
                if (m, group) in hidden:
                    out[col] = out[col].astype(object)
                    out.loc[rows == m, col] = hidden[(m, group)]
    fip_hidden = rows.isin([str(m) for (m, g) in hidden if g == "FIP"])
    for col in (c for c in FROM_FIP_COUNT if c in out.columns):
        if pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(float)
            out.loc[fip_hidden, col] = float("nan")
        else:
            out.loc[fip_hidden, col] = ""
    gone = rows.isin([str(m) for m in withheld])
    if gone.any():
        counts = {c for cols in GROUP_COUNT_COLUMNS.values() for c in cols}
        for col in out.columns:
            # counts keep their own suppression (a withheld municipality's other group may
            # be large); everything computed on the small group goes
            if col == unit or col in counts or COUNT_COLUMN.match(str(col)):
                continue
            if pd.api.types.is_numeric_dtype(out[col]):
                out[col] = out[col].astype(float)
                out.loc[gone, col] = float("nan")
            elif out[col].dtype == object and col not in ("Outcome", "outcome", "term", "group",
                                                          "method", "caseworker", "inference"):
                out.loc[gone, col] = ""
    return out


def protect_report(sections: list, estimates: list, hidden: dict, threshold: int) -> list:
    """Apply the report-wide decision to every table of ``sections`` (in place) and return
    estimates.json's rows with a withheld municipality's numbers removed."""
    from ..results import Summary

    if not hidden:
        return estimates
    withheld = withheld_municipalities(hidden, threshold)
    for section in sections:
        section.sheets = {name: protect_frame(df, hidden, withheld)
                          for name, df in section.sheets.items()}
        for blocks in (section.blocks, section.appendix):
            for i, block in enumerate(blocks):
                if isinstance(block, Summary):
                    blocks[i] = Summary(block.title, block.header,
                                        protect_frame(block.table, hidden, withheld), block.notes)
                elif isinstance(block, tuple) and isinstance(block[1], pd.DataFrame):
                    blocks[i] = (block[0], protect_frame(block[1], hidden, withheld))
    out = []
    for row in estimates:
        unit = row.get("municipality")
        named = any(f"[{m}]" in str(row.get("name", "")) for m in withheld)
        if unit in withheld or named:
            row = _without_numbers(row)
        out.append(row)
    return out
