"""Statistical disclosure control: counts of fewer than ``threshold`` people are not shown."""

from __future__ import annotations

import re

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
