"""Checks of the inputs every matching function shares: the treatment column and a score.

The lowest module of the package: it imports nothing from the others, so every module can
import it at the top (no import cycles hidden inside functions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, check_columns


def treatment_indicator(data: pd.DataFrame, treatment: str) -> np.ndarray:
    """The treatment column as a bool array, after checking it is 0/1 with both groups."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"`data` must be a pandas DataFrame; got {type(data).__name__}.")
    check_columns(data, [treatment], what="data")
    s = data[treatment]
    if s.isna().any():
        raise InputError(f"Treatment column `{treatment}` has {int(s.isna().sum())} missing "
                         "values; every client must be FIP (1) or control (0).")
    values = pd.unique(s)
    if not (pd.api.types.is_bool_dtype(s.dtype)
            or (pd.api.types.is_numeric_dtype(s.dtype) and set(values) <= {0, 1})):
        shown = ", ".join(repr(v.item() if hasattr(v, "item") else v)
                          for v in sorted(values, key=str)[:5])
        raise InputError(f"Treatment column `{treatment}` must hold 0/1 (or True/False); found "
                         f"{shown}. Recode it, e.g. data['{treatment}'] = (data['{treatment}']"
                         " == 'FIP').astype(int).")
    treated = s.to_numpy().astype(bool)
    if treated.all() or not treated.any():
        which = "control" if treated.all() else "FIP (treated)"
        raise InputError(f"Treatment column `{treatment}` has no {which} clients among the "
                         f"{len(s)} rows; matching needs both groups.")
    if not data.index.is_unique:
        raise InputError("`data` has a duplicated index; weights are aligned on the index, so "
                         "call data.reset_index(drop=True) first.")
    return treated


def score_vector(data: pd.DataFrame, distance) -> np.ndarray:
    if isinstance(distance, str):
        check_columns(data, [distance], what="data")
        s = data[distance]
    elif isinstance(distance, pd.Series):
        if not distance.index.equals(data.index):
            if not data.index.isin(distance.index).all():
                raise InputError("`distance` (a Series) is missing some of data's index "
                                 "labels; pass one score per row of `data`.")
            distance = distance.reindex(data.index)
        s = distance
    else:
        arr = np.asarray(distance, dtype=float)
        if arr.shape != (len(data),):
            raise InputError(f"`distance` must have one score per row of `data` "
                             f"({len(data)}); got shape {arr.shape}.")
        s = pd.Series(arr, index=data.index)
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(x).all():
        raise InputError(f"`distance` has {int((~np.isfinite(x)).sum())} missing or infinite "
                         "scores; every client needs a finite score.")
    return x
