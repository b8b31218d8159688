"""Validation shared by the DiD estimators: one place for the bad-input errors of the issue."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DesignError, InputError, check_columns


@dataclass(frozen=True)
class PanelArrays:
    """Rows kept for estimation, as arrays (never views of the caller's frame)."""

    y: np.ndarray
    unit: np.ndarray          # codes 0..U-1
    time: np.ndarray          # codes 0..T-1 (consecutive periods)
    time_values: np.ndarray   # sorted distinct time values (label of each code)
    unit_labels: np.ndarray
    treated: np.ndarray       # unit-level 0/1 per row
    post: np.ndarray | None   # 0/1 per row
    weights: np.ndarray | None
    cluster: np.ndarray | None
    n_dropped: int            # rows left out (weight 0)


def time_codes(values: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Map a time column to consecutive codes; raise on gaps (a missing period)."""
    if values.isna().any():
        raise InputError(f"The time column `{column}` has {int(values.isna().sum())} missing "
                         "value(s); every row needs its period.")
    if pd.api.types.is_datetime64_any_dtype(values):
        steps = values.to_numpy(dtype="datetime64[M]").astype(np.int64)
        label = "months"
    elif pd.api.types.is_numeric_dtype(values):
        steps = values.to_numpy()
        if not np.all(np.equal(np.mod(steps, 1), 0)):
            raise InputError(f"The time column `{column}` has non-integer values; use integer "
                             "periods (0, 1, 2, ...) or month dates.")
        steps = steps.astype(np.int64)
        label = "periods"
    elif isinstance(values.dtype, pd.PeriodDtype):
        steps = values.array.asi8
        label = "periods"
    else:
        raise InputError(f"The time column `{column}` must hold integers or dates; got dtype "
                         f"{values.dtype}.")
    distinct = np.unique(steps)
    if len(distinct) > 1:
        gaps = np.diff(distinct)
        step = gaps.min()
        if np.any(gaps != step):
            at = int(np.flatnonzero(gaps != step)[0])
            raise InputError(
                f"The time column `{column}` has a gap: no rows between {_show(values, distinct, at)} "
                f"and {_show(values, distinct, at + 1)} ({gaps[at]} {label} apart where the other "
                f"periods are {step} apart); fill the missing period(s) or rebuild the panel "
                "over a continuous window.")
    codes = np.searchsorted(distinct, steps)
    if pd.api.types.is_datetime64_any_dtype(values):
        labels = distinct.astype("datetime64[M]").astype("datetime64[ns]")
    else:
        labels = distinct
    return codes.astype(np.int64), labels


def _show(values, distinct, i):
    if pd.api.types.is_datetime64_any_dtype(values):
        return str(distinct[i].astype("datetime64[M]"))
    return str(distinct[i])


def binary(df: pd.DataFrame, column: str) -> np.ndarray:
    v = df[column]
    if v.isna().any():
        raise InputError(f"`{column}` has {int(v.isna().sum())} missing value(s); it must be 0/1 "
                         "in every row.")
    arr = v.to_numpy()
    if arr.dtype == bool:
        return arr.astype(np.int64)
    ok = np.isin(arr, [0, 1])
    if not ok.all():
        bad = arr[~ok][0]
        raise InputError(f"`{column}` must be 0/1; found '{bad}' ({int((~ok).sum())} row(s)).")
    return arr.astype(np.int64)


def prepare(panel: pd.DataFrame, *, outcome: str, unit: str | None, time: str, treated: str,
            post: str | None, weights: str | None, cluster: str | None,
            require_post: bool = True) -> PanelArrays:
    """Check a panel and return the arrays the estimators use (rows with weight 0 dropped)."""
    if not isinstance(panel, pd.DataFrame):
        raise InputError(f"`panel` must be a pandas DataFrame; got {type(panel).__name__}.")
    cols = [c for c in (outcome, unit, time, treated, post, weights, cluster) if c]
    check_columns(panel, cols, what="The panel")
    keep = np.ones(len(panel), dtype=bool)
    w = None
    if weights is not None:
        w = panel[weights].to_numpy(dtype=float)
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            bad = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
            raise InputError(f"`{weights}` must be finite and >= 0 (row {bad}: {w[bad]!r}).")
        keep = w > 0
    y_all = panel[outcome].to_numpy(dtype=float)
    missing = keep & ~np.isfinite(y_all)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        hint = (" (a rate is missing where the caseload is 0: pass weights='caseload' so those "
                "rows get weight 0)" if "rate" in outcome else "")
        raise InputError(f"The outcome `{outcome}` is missing in {int(missing.sum())} row(s) with "
                         f"positive weight (first: row {first}){hint}; drop them first.")
    if unit is not None and panel[unit].isna().any():
        raise InputError(f"The unit column `{unit}` has missing values.")
    sub = panel.loc[keep]
    if len(sub) == 0:
        raise InputError("No rows left with positive weight; check the weights column.")
    t_codes, t_labels = time_codes(sub[time], time)
    tr = binary(sub, treated)
    if unit is None:  # repeated cross-sections (2x2 only): every row its own unit
        u_codes, u_labels = np.arange(len(sub)), np.arange(len(sub))
    else:
        u_codes, u_labels = pd.factorize(sub[unit], sort=True)
    n_units = len(u_labels)
    lo = np.full(n_units, 2)
    hi = np.full(n_units, -1)
    np.minimum.at(lo, u_codes, tr)
    np.maximum.at(hi, u_codes, tr)
    if np.any(lo != hi):
        bad = u_labels[int(np.flatnonzero(lo != hi)[0])]
        raise InputError(f"`{treated}` must be constant within each unit (it marks the units that "
                         f"ever get FIP); unit '{bad}' has both 0 and 1. Put the timing in `{post}`.")
    if hi.min() == 1:
        raise DesignError(f"Every unit is treated (`{treated}` = 1 for all {n_units} units): "
                          "there is no untreated comparison group.")
    if hi.max() == 0:
        raise DesignError(f"No unit is treated (`{treated}` = 0 for all {n_units} units).")
    p = None
    if post is not None:
        p = binary(sub, post)
        d = tr * p
        if not np.any(d == 1):
            raise DesignError(f"No treated row is in the post period (`{treated}` * `{post}` is 0 "
                              "everywhere): there is no effect to estimate.")
        if not np.any((tr == 1) & (p == 0)):
            raise DesignError(f"There is no pre-period: every row of the treated units has "
                              f"`{post}` = 1. Widen the window to include months before the start.")
        first_t = np.full(n_units, np.iinfo(np.int64).max)
        np.minimum.at(first_t, u_codes, t_codes)
        treated_first = (tr == 1) & (p == 1) & (t_codes == first_t[u_codes])
        if unit is None:
            treated_first[:] = False
        if treated_first.any():
            bad = u_labels[u_codes[int(np.flatnonzero(treated_first)[0])]]
            n_bad = len(np.unique(u_codes[treated_first]))
            raise DesignError(
                f"{n_bad} treated unit(s) are already treated in their first period of the window "
                f"(first: '{bad}'): they have no pre-period. Start the window before their start "
                "date or leave them out.")
    elif require_post:
        raise InputError("`post` is required: the 0/1 column marking periods after the start.")
    cl = None
    if cluster is not None:
        if sub[cluster].isna().any():
            raise InputError(f"The cluster column `{cluster}` has missing values.")
        cl = pd.factorize(sub[cluster], sort=True)[0].astype(np.int64)
    return PanelArrays(y=y_all[keep], unit=u_codes.astype(np.int64), time=t_codes,
                       time_values=t_labels, unit_labels=np.asarray(u_labels), treated=tr,
                       post=p, weights=None if w is None else w[keep], cluster=cl,
                       n_dropped=int((~keep).sum()))
