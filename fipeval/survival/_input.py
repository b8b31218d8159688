"""Checks shared by the survival estimators: columns, missing values, durations, entry, weights."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import EstimationError, InputError, check_columns


def as_list(columns: str | Sequence[str] | None) -> list[str]:
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def _first_bad(mask: np.ndarray, index: pd.Index) -> str:
    return repr(index[int(np.flatnonzero(mask)[0])])


def check_no_missing(data: pd.DataFrame, columns: Sequence[str]) -> None:
    for col in columns:
        miss = data[col].isna().to_numpy()
        if miss.any():
            raise InputError(
                f"`{col}` has {int(miss.sum())} missing value(s) (first at index "
                f"{_first_bad(miss, data.index)}); drop or impute these rows before fitting "
                "(for example data.dropna(subset=[...]))."
            )


def numeric(data: pd.DataFrame, col: str) -> np.ndarray:
    try:
        return data[col].to_numpy(dtype=float)
    except (ValueError, TypeError) as err:
        raise InputError(f"`{col}` must be numeric; got dtype {data[col].dtype}.") from err


def survival_arrays(data: pd.DataFrame, duration: str, event: str | None, entry: str | None,
                    weights: str | None, extra: Sequence[str] = (), *, timefix: bool = True):
    """Validate and return (stop, event, start, weights) as float arrays.

    ``start`` is None when there is no delayed entry; ``event`` is 0/1. With ``timefix``
    (R's default in coxph, survfit and survdiff) near-equal times are tied first
    (``tie_near_equal_times``), so every estimator sees the same event times R does.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"`data` must be a pandas DataFrame; got {type(data).__name__}.")
    cols = [duration] + as_list(event) + as_list(entry) + as_list(weights) + list(extra)
    check_columns(data, cols, what="data")
    check_no_missing(data, cols)
    if len(data) == 0:
        raise InputError("`data` has no rows.")
    stop = numeric(data, duration)
    bad = ~np.isfinite(stop) | (stop <= 0)
    if bad.any():
        raise InputError(
            f"`{duration}` must be a positive, finite duration; {int(bad.sum())} row(s) are not "
            f"(first at index {_first_bad(bad, data.index)}, value {stop[bad][0]!r}). Durations of "
            "zero usually mean a spell that ended on the day it started: drop them or add half a "
            "time unit."
        )
    if event is None:
        ev = np.ones(len(data))
    else:
        ev = numeric(data, event)
        bad = ~np.isin(ev, (0.0, 1.0))
        if bad.any():
            raise InputError(
                f"`{event}` must be 0/1 (1 = the benefit ended); found {ev[bad][0]!r} at index "
                f"{_first_bad(bad, data.index)}."
            )
    start = None
    if entry is not None:
        start = numeric(data, entry)
        bad = ~np.isfinite(start) | (start < 0)
        if bad.any():
            raise InputError(
                f"`{entry}` (delayed entry) must be a finite time >= 0; first bad value "
                f"{start[bad][0]!r} at index {_first_bad(bad, data.index)}."
            )
        bad = start >= stop
        if bad.any():
            raise InputError(
                f"entry `{entry}` is not before exit `{duration}` in {int(bad.sum())} row(s) "
                f"(first at index {_first_bad(bad, data.index)}: entry {start[bad][0]!r}, exit "
                f"{stop[bad][0]!r}); a spell must be observed for some time after entry. Check "
                "that both columns use the same time scale (total spell duration)."
            )
    w = np.ones(len(data))
    if weights is not None:
        w = numeric(data, weights)
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise InputError(
                f"`{weights}` must be finite and non-negative; first bad value {w[bad][0]!r} at "
                f"index {_first_bad(bad, data.index)}."
            )
        if not (w > 0).any():
            raise InputError(f"`{weights}` is zero in every row; nothing to estimate.")
    if ev[w > 0].sum() == 0:
        raise EstimationError(
            f"There are no events (`{event}` is 0 in every row with positive weight): a hazard "
            "cannot be estimated. Check the event column or lengthen the follow-up."
        )
    if timefix:
        stop, start = tie_near_equal_times(stop, start)
    return stop, ev, start, w


def codes(data: pd.DataFrame, col: str | None) -> tuple[np.ndarray | None, list]:
    """Integer codes (0..k-1) and the sorted labels of a grouping column."""
    if col is None:
        return None, []
    values = data[col]
    codes_, labels = pd.factorize(values, sort=True)
    return codes_.astype(np.int64), list(labels)


TIMEFIX_TOLERANCE = float(np.sqrt(np.finfo(float).eps))   # R: sqrt(.Machine$double.eps)


def tie_near_equal_times(stop: np.ndarray, start: np.ndarray | None = None,
                         tolerance: float = TIMEFIX_TOLERANCE):
    """Times closer than ``tolerance`` (absolutely, or relative to their mean) become one
    time, as R's ``survival::aeqSurv`` does for ``coxph(timefix = TRUE)``.

    Times computed from dates (days / 30.4375) along different paths differ in their last
    bits; without this, durations equal in days are distinct event times. Each time moves
    to the smallest of its run of near-equal times. Returns (stop, start).

    Examples
    --------
    >>> t = np.array([1.0, 1.0 + 1e-12, 2.0])
    >>> tie_near_equal_times(t)[0].tolist()
    [1.0, 1.0, 2.0]
    """
    values = stop if start is None else np.concatenate([start, stop])
    y = np.unique(values[np.isfinite(values)])
    if len(y) < 2:
        return stop, start
    dy = np.diff(y)
    tied = (dy <= tolerance) | (dy / np.mean(np.abs(y)) <= tolerance)
    if not tied.any():
        return stop, start
    cuts = y[np.concatenate([[True], ~tied])]

    def snap(x):
        return cuts[np.searchsorted(cuts, x, side="right") - 1]

    new_stop = snap(stop)
    if start is None:
        return new_stop, None
    new_start = snap(start)
    collapsed = (new_start >= new_stop) & (start < stop)
    if collapsed.any():
        raise InputError(f"{int(collapsed.sum())} row(s) have an entry and exit time closer than "
                         f"{tolerance:.3g}: their interval vanishes when near-equal times are "
                         "tied; pass timefix=False or correct the times.")
    return new_stop, new_start


def robust_variance(w: np.ndarray, cluster: str | None, robust: bool | None) -> bool:
    """R's rule, in coxph and survfit alike: the robust (sandwich / infinitesimal-jackknife)
    variance when a cluster is given or the weights are not whole numbers, unless ``robust``
    says otherwise; a cluster with ``robust=False`` is refused."""
    if robust is None:
        return cluster is not None or not bool(np.all(w == np.floor(w)))
    if cluster is not None and not robust:
        raise InputError("`cluster` was given with robust=False; drop one of them.")
    return bool(robust)
