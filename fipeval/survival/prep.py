"""Time-on-benefit data from the cohort table (``fipeval.design.build_cohort``).

Two clocks:

- ``"study"``: months since the study start. Everyone enters at 0; the benefit ends
  (``ended`` = 1) or is censored at the end of follow-up or the extract date.
- ``"spell"``: months since the spell began. A client who had been on benefit for
  ``months_before_start`` months when the study began enters then (delayed entry, left
  truncation) and leaves at ``months_before_start + months_on_benefit``. This clock compares
  clients at the same spell duration, which matters because the exit rate falls steeply with
  time on benefit.
"""

from __future__ import annotations

from typing import Literal, Mapping

import numpy as np
import pandas as pd

from ..design import DAYS_PER_MONTH
from ..errors import InputError, check_columns, check_option
from ..schema import END_REASONS

TIME_SCALES = ("study", "spell")
SAME_DAY = 0.5 / DAYS_PER_MONTH   # an exit on the start day counts as half a day later

# Competing end reasons for the models: the rare ones are pooled.
DEFAULT_REASON_GROUPS: Mapping[str, str] = {
    "work": "work", "enforcement": "enforcement", "moved": "moved", "partner": "partner",
    "other_benefit": "other_benefit", "education": "other", "death": "other",
    "other": "other", "unknown": "other",
    # benefit types (issue 21): WW's and AOV's own reasons (never seen in bijstand)
    "exhausted": "exhausted", "recovered": "recovered", "retirement": "other",
}


def survival_data(cohort: pd.DataFrame, time_scale: Literal["study", "spell"] = "study", *,
                  reason_groups: Mapping[str, str] | None = DEFAULT_REASON_GROUPS) -> pd.DataFrame:
    """A copy of the cohort with the columns the survival estimators read.

    Parameters
    ----------
    cohort : DataFrame
        The cohort table (``months_on_benefit``, ``ended``, ``end_reason``,
        ``months_before_start``); not modified.
    time_scale : {"study", "spell"}
        Clock of ``entry``/``exit`` (see the module docstring).
    reason_groups : mapping or None
        End reason -> competing cause (default pools education, death, other and unknown
        into "other"); None keeps the reasons as they are.

    Returns
    -------
    DataFrame
        The cohort's columns plus ``entry`` (0 on the study clock), ``exit``, ``event``
        (1 = the benefit ended within follow-up) and ``cause`` (the grouped end reason,
        missing when censored). A benefit that ended on the start day gets half a day.

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design), "spell")
    >>> bool((data["entry"] < data["exit"]).all())
    True
    >>> res = fipeval.cox(data, duration="exit", event="event", covariates=["fip"], entry="entry")
    """
    check_option("time_scale", time_scale, TIME_SCALES)
    check_columns(cohort, ["months_on_benefit", "ended", "end_reason"]
                  + (["months_before_start"] if time_scale == "spell" else []), what="cohort")
    out = cohort.copy()
    months = out["months_on_benefit"].to_numpy(dtype=float)
    if np.isnan(months).any() or (months < 0).any():
        bad = int(np.flatnonzero(np.isnan(months) | (months < 0))[0])
        raise InputError(f"`months_on_benefit` is missing or negative in row {bad} of the cohort; "
                         "rebuild the cohort with fipeval.design.build_cohort.")
    months = np.maximum(months, SAME_DAY)
    if time_scale == "study":
        out["entry"] = 0.0
        out["exit"] = months
    else:
        before = out["months_before_start"].to_numpy(dtype=float)
        if np.isnan(before).any() or (before < 0).any():
            raise InputError("`months_before_start` is missing or negative; the spell clock "
                             "needs the time already on benefit at the study start.")
        out["entry"] = before
        out["exit"] = before + months
    out["event"] = out["ended"].astype(int)
    reason = out["end_reason"].astype("object")
    if reason_groups is not None:
        unknown = set(reason.dropna()) - set(reason_groups)
        if unknown:
            raise InputError(f"End reason(s) {sorted(unknown)} have no entry in `reason_groups`; "
                             f"add them (known reasons: {', '.join(END_REASONS)}).")
        reason = reason.map(reason_groups)
    out["cause"] = reason.where(out["event"] == 1)
    return out
