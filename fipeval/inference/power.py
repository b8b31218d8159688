"""Power for cluster-assigned designs: minimum detectable effect and the sample needed.

FIP is assigned by caseworker, so the variance of a difference in proportions is inflated by
the design effect ``1 + (m - 1) * ICC`` (m clients per caseload, ICC the intra-class
correlation of the outcome within caseloads). The chance that a benefit ends within the
follow-up follows from a monthly termination rate h: ``1 - (1 - h) ** months``.

With few caseworkers the test is a t test on about ``2 * k - 2`` degrees of freedom (k
caseworkers per arm; Donner & Klar 2000): ``df="clusters"`` uses those quantiles.

References
----------
Donner & Klar (2000), Design and Analysis of Cluster Randomization Trials in Health
Research, ch. 5; Hayes & Moulton (2017), Cluster Randomised Trials, 2nd ed., ch. 7.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import InputError, check_option
from ..results import Result
from .._version import __version__

DF_OPTIONS = ("normal", "clusters")


def design_effect(caseload: float, icc: float) -> float:
    """``1 + (caseload - 1) * icc``.

    Examples
    --------
    >>> design_effect(180, 0.02)
    4.58
    """
    if caseload < 1:
        raise InputError(f"`caseload` (clients per caseworker) must be at least 1; got {caseload!r}.")
    if not 0 <= icc <= 1:
        raise InputError(f"`icc` must lie in [0, 1]; got {icc!r}.")
    return 1 + (caseload - 1) * icc


def termination_probability(monthly_rate: float, follow_up_months: float) -> float:
    """Chance that a benefit ends within the follow-up at a constant monthly rate.

    Examples
    --------
    >>> round(termination_probability(0.01, 12), 4)
    0.1136
    """
    if not 0 <= monthly_rate < 1:
        raise InputError(f"`monthly_rate` must lie in [0, 1); got {monthly_rate!r}.")
    if follow_up_months <= 0:
        raise InputError(f"`follow_up_months` must be positive; got {follow_up_months!r}.")
    return 1 - (1 - monthly_rate) ** follow_up_months


def _quantiles(alpha, power, df_kind, k_fip, k_control):
    if df_kind == "normal":
        return stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    df = k_fip + k_control - 2
    if df < 1:
        raise InputError("df='clusters' needs at least 3 caseworkers in total (df = k_fip + "
                         "k_control - 2 >= 1).")
    return stats.t.ppf(1 - alpha / 2, df), stats.t.ppf(power, df)


def _check(alpha, power):
    if not 0 < alpha < 1:
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if not 0 < power < 1:
        raise InputError(f"`power` must lie strictly between 0 and 1; got {power!r}.")


def minimum_detectable_effect(*, baseline: float, caseworkers_fip: int, caseworkers_control: int,
                              caseload: float, icc: float, alpha: float = 0.05,
                              power: float = 0.8,
                              df: Literal["normal", "clusters"] = "clusters") -> "PlanningResult":
    """Smallest rise in the termination probability detectable with the given design.

    Solves ``delta = (q_alpha + q_power) * sqrt(DE * (p1 q1 / n1 + p0 q0 / n0))`` with
    ``p1 = baseline + delta``, n = caseworkers * caseload per arm.

    Parameters
    ----------
    baseline : float
        Termination probability within follow-up without FIP.
    caseworkers_fip, caseworkers_control : int
        Caseloads in each arm.
    caseload : float
        Clients per caseworker (m).
    icc : float
        Intra-class correlation of the outcome within caseloads.
    alpha, power : float
    df : {"clusters", "normal"}
        t quantiles on k_fip + k_control - 2 df (honest with few caseworkers) or normal.

    Examples
    --------
    >>> mde = minimum_detectable_effect(baseline=0.5, caseworkers_fip=400,
    ...                                 caseworkers_control=400, caseload=1, icc=0.0,
    ...                                 df="normal")
    >>> round(mde.value, 4)
    0.0981

    Returns
    -------
    PlanningResult
        ``value`` is the effect (a difference in probability; inf when no effect below
        ``1 - baseline`` is detectable); ``float(result)`` gives it too.
    """
    settings = {"baseline": baseline, "caseworkers (FIP / control)":
                f"{caseworkers_fip} / {caseworkers_control}", "caseload": caseload,
                "ICC": icc, "alpha": alpha, "power": power,
                "quantiles": "t on k_fip + k_control - 2 df" if df == "clusters" else "normal"}
    return PlanningResult("minimum_detectable_effect", _mde(
        baseline=baseline, caseworkers_fip=caseworkers_fip,
        caseworkers_control=caseworkers_control, caseload=caseload, icc=icc, alpha=alpha,
        power=power, df=df), "difference in the probability that a benefit ends", settings)


def _mde(*, baseline, caseworkers_fip, caseworkers_control, caseload, icc, alpha, power,
         df) -> float:
    _check(alpha, power)
    check_option("df", df, DF_OPTIONS)
    if not 0 < baseline < 1:
        raise InputError(f"`baseline` must lie strictly between 0 and 1; got {baseline!r}.")
    if caseworkers_fip < 1 or caseworkers_control < 1:
        raise InputError("Each arm needs at least one caseworker.")
    de = design_effect(caseload, icc)
    n1, n0 = caseworkers_fip * caseload, caseworkers_control * caseload
    qa, qb = _quantiles(alpha, power, df, caseworkers_fip, caseworkers_control)

    def gap(delta):
        p1 = baseline + delta
        return delta - (qa + qb) * math.sqrt(de * (p1 * (1 - p1) / n1 + baseline * (1 - baseline) / n0))

    hi = 1 - baseline - 1e-12
    if gap(hi) < 0:
        return float("inf")
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-14))


def required_caseworkers(*, effect: float, baseline: float, caseload: float, icc: float,
                         alpha: float = 0.05, power: float = 0.8, control_ratio: float = 1.0,
                         df: Literal["normal", "clusters"] = "clusters") -> "PlanningResult":
    """FIP caseworkers needed to detect ``effect`` (control arm: ``control_ratio`` times as many).

    With ``df="normal"`` this is the closed form
    ``k = (z_a + z_b)^2 * DE * (p1 q1 + p0 q0 / r) / (m * effect^2)``, rounded up; with
    ``df="clusters"`` the smallest k for which the t-based inequality holds.

    Examples
    --------
    >>> required_caseworkers(effect=0.1, baseline=0.5, caseload=1, icc=0.0, df="normal").value
    385

    Returns
    -------
    PlanningResult
        ``value`` is the number of FIP caseworkers; ``int(result)`` gives it too.
    """
    settings = {"effect": effect, "baseline": baseline, "caseload": caseload, "ICC": icc,
                "alpha": alpha, "power": power, "control caseworkers per FIP caseworker":
                control_ratio,
                "quantiles": "t on k_fip + k_control - 2 df" if df == "clusters" else "normal"}
    return PlanningResult("caseworkers_fip_needed", _required(
        effect=effect, baseline=baseline, caseload=caseload, icc=icc, alpha=alpha, power=power,
        control_ratio=control_ratio, df=df), "FIP caseworkers", settings)


def _required(*, effect, baseline, caseload, icc, alpha, power, control_ratio, df) -> int:
    _check(alpha, power)
    check_option("df", df, DF_OPTIONS)
    if effect == 0 or not 0 < baseline < 1 or not 0 < baseline + effect < 1:
        raise InputError(f"Need a non-zero `effect` with baseline and baseline + effect in (0, 1); "
                         f"got effect={effect!r}, baseline={baseline!r}.")
    if control_ratio <= 0:
        raise InputError(f"`control_ratio` must be positive; got {control_ratio!r}.")
    de = design_effect(caseload, icc)
    p1 = baseline + effect
    var1 = de * (p1 * (1 - p1) + baseline * (1 - baseline) / control_ratio) / caseload

    def enough(k):
        qa, qb = _quantiles(alpha, power, df, k, k * control_ratio)
        return (qa + qb) ** 2 * var1 / k <= effect ** 2

    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    k = max(1, math.ceil(z ** 2 * var1 / effect ** 2 - 1e-9))
    if df == "normal":
        return int(k)
    k = max(k, 2)
    while not enough(k):
        k += 1
    return int(k)


@dataclass(frozen=True, repr=False, eq=False)
class PlanningResult(Result):
    """One planning quantity (a minimum detectable effect, caseworkers needed) with the
    assumptions it rests on. ``float(r)`` / ``int(r)`` give the value."""

    quantity: str
    value: float
    unit: str
    settings: dict
    title: str = "Power for a caseworker-assigned design"

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def tidy(self) -> pd.DataFrame:
        row = {"term": self.quantity, "estimate": float(self.value), "std_error": np.nan,
               "statistic": np.nan, "p_value": np.nan, "ci_lower": np.nan, "ci_upper": np.nan,
               "unit": self.unit}
        return pd.DataFrame([row])

    def _header(self) -> dict:
        return dict(self.settings)

    def _notes(self) -> tuple:
        return ("A planning figure for a design with the stated caseworkers, caseload and "
                "ICC, not an estimate from data: it has no interval.",)


@dataclass(frozen=True, repr=False, eq=False)
class PowerTable(Result):
    """Required caseworkers and minimum detectable effect by follow-up length."""

    table: pd.DataFrame
    settings: dict
    title: str = "Power for a caseworker-assigned design"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def _header(self) -> dict:
        return {**self.settings, "fipeval": __version__}


def power_table(*, effect: float, monthly_rate: float, caseload: float, icc: float,
                caseworkers_fip: int, caseworkers_control: int,
                months=(6, 12, 18, 24), alpha: float = 0.05, power: float = 0.8,
                df: Literal["normal", "clusters"] = "clusters") -> PowerTable:
    """For each follow-up length: baseline, MDE of the actual design, caseworkers needed.

    Answers "how many caseworkers and months would the study have needed to detect a rise of
    ``effect`` in terminations?".

    Examples
    --------
    >>> t = power_table(effect=0.03, monthly_rate=0.012, caseload=180, icc=0.02,
    ...                 caseworkers_fip=2, caseworkers_control=8).tidy()
    >>> list(t.columns)[:3]
    ['follow_up_months', 'baseline', 'minimum_detectable_effect']
    """
    rows = []
    for mo in months:
        p0 = termination_probability(monthly_rate, mo)
        rows.append({
            "follow_up_months": mo, "baseline": p0,
            "minimum_detectable_effect": _mde(
                baseline=p0, caseworkers_fip=caseworkers_fip,
                caseworkers_control=caseworkers_control, caseload=caseload, icc=icc,
                alpha=alpha, power=power, df=df),
            "caseworkers_fip_needed": _required(
                effect=effect, baseline=p0, caseload=caseload, icc=icc, alpha=alpha, power=power,
                control_ratio=caseworkers_control / caseworkers_fip, df=df),
        })
    settings = {"effect": effect, "monthly termination rate": monthly_rate,
                "caseload": caseload, "ICC": icc,
                "design effect": design_effect(caseload, icc),
                "caseworkers (FIP / control)": f"{caseworkers_fip} / {caseworkers_control}",
                "alpha": alpha, "power": power,
                "quantiles": "t on k_fip + k_control - 2 df" if df == "clusters" else "normal"}
    return PowerTable(table=pd.DataFrame(rows), settings=settings)


def estimate_icc(values, cluster) -> float:
    """One-way ANOVA estimate of the intra-class correlation (truncated at 0).

    ``(MSB - MSW) / (MSB + (n0 - 1) MSW)`` with ``n0 = (N - sum n_g^2 / N) / (G - 1)``, the
    usual estimator for unequal cluster sizes (Donner & Klar 2000, section 2.6).

    Examples
    --------
    >>> round(estimate_icc([1, 1, 0, 0, 1, 0], [1, 1, 2, 2, 3, 3]), 4)
    0.5
    """
    y = np.asarray(values, dtype=float)
    codes, _ = pd.factorize(pd.Series(np.asarray(cluster)), sort=True)
    if len(y) != len(codes):
        raise InputError(f"`values` ({len(y)}) and `cluster` ({len(codes)}) differ in length.")
    G = int(codes.max()) + 1 if len(codes) else 0
    if G < 2 or len(y) <= G:
        raise InputError(f"Estimating the ICC needs at least 2 clusters and more rows than "
                         f"clusters; got {len(y)} rows in {G} cluster(s).")
    n_g = np.bincount(codes, minlength=G).astype(float)
    means = np.bincount(codes, y, minlength=G) / n_g
    N = len(y)
    msb = np.sum(n_g * (means - y.mean()) ** 2) / (G - 1)
    msw = np.sum((y - means[codes]) ** 2) / (N - G)
    n0 = (N - np.sum(n_g ** 2) / N) / (G - 1)
    if msb + (n0 - 1) * msw == 0:
        raise InputError("The outcome is constant: the ICC is undefined.")
    return float(max(0.0, (msb - msw) / (msb + (n0 - 1) * msw)))

