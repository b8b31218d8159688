"""Several outcomes at once: Holm (family-wise error) and Benjamini-Hochberg (false discovery).

References
----------
Holm (1979), Scandinavian Journal of Statistics 6; Benjamini & Hochberg (1995), JRSS B 57.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError, check_option

ADJUSTMENTS = ("holm", "BH")


def adjust_p_values(p_values: Sequence[float],
                    method: Literal["holm", "BH"] = "holm") -> np.ndarray:
    """Adjusted p-values (Holm step-down or Benjamini-Hochberg step-up), in input order:
    R's ``p.adjust`` (statsmodels' ``multipletests``), with what they lack: missing p-values
    (NaN) stay missing and do not count towards the number of tests, and values outside
    [0, 1] are refused.

    Examples
    --------
    >>> adjust_p_values([0.01, 0.04, 0.03], method="holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_p_values([0.01, 0.04, 0.03], method="BH").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    check_option("method", method, ADJUSTMENTS)
    p = np.asarray(p_values, dtype=float).ravel()
    ok = ~np.isnan(p)
    if np.any((p[ok] < 0) | (p[ok] > 1)):
        bad = p[ok][(p[ok] < 0) | (p[ok] > 1)][0]
        raise InputError(f"p-values must lie in [0, 1]; got {bad!r}.")
    out = np.full(p.shape, np.nan)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    # R's p.adjust, with statsmodels' multipletests arithmetic (which calls gc.collect on
    # every Holm adjustment: 80 ms each with a large heap)
    order = np.argsort(q)
    ranked = q[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(ranked * np.arange(m, 0, -1))
    else:
        adjusted = np.minimum.accumulate((ranked / (np.arange(1, m + 1) / m))[::-1])[::-1]
    back = np.empty(m)
    back[order] = np.minimum(adjusted, 1.0)
    out[ok] = back
    return out


def adjust_table(table: pd.DataFrame, *, p_column: str = "p_value",
                 methods: Sequence[str] = ADJUSTMENTS) -> pd.DataFrame:
    """A copy of ``table`` with ``p_holm`` / ``p_BH`` columns (one family: all rows).

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["ended", "fraud"], "p_value": [0.02, 0.04]})
    >>> adjust_table(t)["p_holm"].tolist()
    [0.04, 0.04]
    """
    if p_column not in table.columns:
        raise InputError(f"The table has no column `{p_column}`; columns: "
                         f"{', '.join(map(str, table.columns))}.")
    out = table.copy()
    for method in methods:
        out[f"p_{method}"] = adjust_p_values(out[p_column].to_numpy(dtype=float), method)
    return out
