"""Sensitivity to unmeasured confounding: the E-value (VanderWeele & Ding 2017).

FIP caseworkers were chosen, not drawn by lot, so their clients may differ from the control
clients in ways the register does not show. The E-value of an estimate is the smallest
strength of association, on the risk-ratio scale, that an unmeasured confounder would need
with both FIP and the outcome, above the measured ones, to move the estimate to no effect;
the E-value of the interval is that strength for the interval's limit nearest to no effect
(1 when the interval already includes it).

For a risk ratio RR >= 1: ``E = RR + sqrt(RR * (RR - 1))``; below 1 the same of ``1 / RR``.
A difference in proportions (the report's risk difference) is first turned into the risk
ratio it implies at the control group's risk ``p0``: ``RR = (p0 + RD) / p0``, and so are its
interval limits (VanderWeele & Ding's suggestion for a risk difference with a known baseline;
R's ``EValue::evalues.RD`` instead needs the 2 x 2 counts, which a clustered design does not
give honestly).

References
----------
VanderWeele, T. J. & Ding, P. (2017). Sensitivity analysis in observational research:
introducing the E-value. Annals of Internal Medicine 167(4), 268-274.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..results import Result


def _e(rr: float) -> float:
    """The E-value of one risk ratio (1 at no effect)."""
    rr = 1 / rr if rr < 1 else rr
    return rr + math.sqrt(rr * (rr - 1))


@dataclass(frozen=True, repr=False, eq=False)
class EValue(Result):
    """E-values of an estimate and of its interval. ``float(r)`` is the estimate's."""

    estimate: float            # the effect on its own scale (risk ratio or risk difference)
    ci: tuple                  # its interval on that scale
    measure: str               # "RR" or "RD"
    risk_ratio: float          # the effect as a risk ratio
    risk_ratio_ci: tuple
    e_value: float             # for the estimate
    e_value_ci: float          # for the interval's limit nearest to no effect (1 if it spans it)
    baseline: float | None = None
    title: str = "Sensitivity to unmeasured confounding (E-value)"

    def __float__(self) -> float:
        return float(self.e_value)

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"term": "e_value", "estimate": self.e_value, "std_error": np.nan,
             "statistic": np.nan, "p_value": np.nan, "ci_lower": np.nan, "ci_upper": np.nan},
            {"term": "e_value_ci", "estimate": self.e_value_ci, "std_error": np.nan,
             "statistic": np.nan, "p_value": np.nan, "ci_lower": np.nan, "ci_upper": np.nan},
            {"term": "risk_ratio", "estimate": self.risk_ratio, "std_error": np.nan,
             "statistic": np.nan, "p_value": np.nan, "ci_lower": self.risk_ratio_ci[0],
             "ci_upper": self.risk_ratio_ci[1]},
        ])

    def _header(self) -> dict:
        h = {"measure": {"RR": "risk ratio", "RD": "risk difference"}[self.measure],
             "estimate": self.estimate, "interval": f"{self.ci[0]:.4g} to {self.ci[1]:.4g}"}
        if self.baseline is not None:
            h["control risk (baseline)"] = self.baseline
        return h

    def _notes(self) -> tuple:
        return (f"An unmeasured confounder associated with both FIP and the outcome by a risk "
                f"ratio of {self.e_value:.3g} each, above the measured covariates, could explain "
                f"the estimate away; one of {self.e_value_ci:.3g} could move the interval to "
                "include no effect (VanderWeele & Ding 2017).",)


def e_value(estimate: float, *, ci: tuple[float, float] | None = None, measure: str = "RR",
            baseline: float | None = None) -> EValue:
    """E-value of a risk ratio, or of a risk difference at the control group's risk.

    Parameters
    ----------
    estimate
        The effect: a risk ratio (``measure="RR"``) or a difference in proportions FIP minus
        control (``measure="RD"``, needs ``baseline``).
    ci
        Its interval on the same scale (the design-based one); without it the interval's
        E-value is not computed (NaN).
    measure
        ``"RR"`` or ``"RD"``.
    baseline
        The control group's risk (share of benefits ended) for ``measure="RD"``.

    Examples
    --------
    VanderWeele & Ding (2017)'s example, a risk ratio of 3.9 (1.8 to 8.7):

    >>> r = e_value(3.9, ci=(1.8, 8.7))
    >>> round(r.e_value, 2), round(r.e_value_ci, 2)
    (7.26, 3.0)
    >>> round(float(e_value(-0.05, ci=(-0.09, -0.01), measure="RD", baseline=0.2)), 3)
    2.0
    """
    if measure not in ("RR", "RD"):
        raise InputError(f"`measure` must be 'RR' or 'RD'; got {measure!r}.")
    lo, hi = ci if ci is not None else (np.nan, np.nan)
    if measure == "RD":
        if baseline is None or not 0 < baseline < 1:
            raise InputError("A risk difference needs `baseline`, the control group's risk, "
                             f"strictly between 0 and 1; got {baseline!r}.")
        to_rr = lambda rd: (baseline + rd) / baseline  # noqa: E731
        rr, rr_lo, rr_hi = to_rr(estimate), to_rr(lo), to_rr(hi)
    else:
        rr, rr_lo, rr_hi = estimate, lo, hi
    for name, value in (("estimate", rr), ("ci", rr_lo), ("ci", rr_hi)):
        if not np.isnan(value) and value <= 0:
            raise InputError(f"The risk ratio implied by `{name}` is {value:.4g}; it must be "
                             "positive (a risk difference below minus the baseline risk is "
                             "impossible).")
    if np.isnan(rr_lo) or np.isnan(rr_hi):
        e_ci = np.nan
    elif rr_lo <= 1 <= rr_hi:
        e_ci = 1.0
    else:
        e_ci = _e(rr_lo if rr > 1 else rr_hi)
    return EValue(estimate=float(estimate), ci=(float(lo), float(hi)), measure=measure,
                  risk_ratio=float(rr), risk_ratio_ci=(float(rr_lo), float(rr_hi)),
                  e_value=_e(rr), e_value_ci=float(e_ci), baseline=baseline)
