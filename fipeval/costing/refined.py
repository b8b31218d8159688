"""Refined savings: months of benefit avoided, priced by household type, net of returns.

Steps (each an input the reader can see and change):

1. Months of benefit avoided per client over the horizon: minus the difference in restricted
   mean survival time (RMST, FIP minus control) of time on benefit over that horizon (not a
   full year per termination).
2. The cost of a benefit month: the dated net norm by household type (``NormTable``) on the
   price date, weighted by the caseload's household mix, times ``norm_factor``, plus the
   administration cost (Berenschot) per month.
3. Return to benefit: a share ``g`` of the avoided months is given back. With the extra exits
   spread evenly over the horizon H and a returner staying on benefit until H, the share
   given back is ``g = integral_0^H rho(u) 2 (H - u) / H^2 du`` with ``rho`` the cumulative
   return curve of the exit reason (Divosa defaults; ``RecidivismTable``). This leans to the
   cautious side: returners who leave again are not credited.
4. Discounting: under the same spread, avoided months accrue with density 2t/H^2; months in
   year k (k = 0, 1, ...) are discounted by (1 + r)^-k, so a horizon of up to a year is not
   discounted.
5. Extrapolation: per-client months times the caseload; per year = total / (H / 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import HOUSEHOLD_TYPES
from ._common import Effect, Savings, check_number, euros, fixed_row, scaled_row, tidy_frame
from .inputs import ALL_REASONS, CostInputs, RecidivismTable


def give_back_share(recidivism: RecidivismTable, end_reason: str, horizon_months: float,
                    scale: float = 1.0) -> float:
    """Share of avoided benefit months given back through returns within the horizon.

    ``integral_0^H min(1, scale * rho(u)) * 2 (H - u) / H^2 du`` with ``rho`` the cumulative
    return curve of ``end_reason``, integrated exactly (Simpson on each linear piece).

    Examples
    --------
    >>> from fipeval.costing.inputs import RecidivismTable
    >>> import pandas as pd
    >>> linear = RecidivismTable(pd.DataFrame({"end_reason": ["all"], "months": [60.0],
    ...                                        "share": [0.6]}))
    >>> round(give_back_share(linear, "work", 12), 10)  # rho(u) = 0.01 u: a H / 3
    0.04
    """
    horizon = check_number("horizon_months", horizon_months, positive=True)
    x, y = recidivism.curve(end_reason)
    scale = check_number("scale", scale, nonnegative=True)
    knots = np.union1d(np.r_[0.0, horizon], x[(x > 0) & (x < horizon)])
    # where the scaled curve crosses the cap of 1 is a kink too: add it so Simpson stays exact
    sy = scale * y
    cross = np.flatnonzero((sy[:-1] < 1.0) & (sy[1:] > 1.0))
    at = x[cross] + (1.0 - sy[cross]) / (sy[cross + 1] - sy[cross]) * (x[cross + 1] - x[cross])
    knots = np.union1d(knots, at[(at > 0) & (at < horizon)])
    a, b = knots[:-1], knots[1:]
    m = (a + b) / 2

    def f(u):
        return np.minimum(1.0, scale * np.interp(u, x, y)) * 2 * (horizon - u) / horizon ** 2

    return float(np.sum((b - a) / 6 * (f(a) + 4 * f(m) + f(b))))


def discount_factor(horizon_months: float, rate) -> np.ndarray | float:
    """Average discount factor of avoided months accruing with density 2t/H^2 on [0, H].

    Year k (months 12k to 12(k+1)) is discounted by (1 + rate)^-k.

    Examples
    --------
    >>> round(discount_factor(24, 0.05), 12) == round(0.25 + 0.75 / 1.05, 12)
    True
    """
    horizon = check_number("horizon_months", horizon_months, positive=True)
    rate = np.asarray(rate, dtype=float)
    edges = np.minimum(np.arange(0, horizon + 12, 12.0), horizon)
    edges = np.unique(np.r_[edges, horizon])
    mass = np.diff(edges ** 2) / horizon ** 2          # share of avoided months in each year
    years = np.arange(len(mass))
    out = np.sum(mass[:, None] * (1 + rate.reshape(1, -1)) ** -years[:, None], axis=0)
    return float(out[0]) if rate.ndim == 0 else out.reshape(rate.shape)


def _shares(name: str, mix: Mapping[str, float], allowed: tuple) -> dict[str, float]:
    if not isinstance(mix, Mapping) or not mix:
        raise InputError(f"`{name}` must be a non-empty mapping of category to share or count; got {mix!r}.")
    bad = [k for k in mix if k not in allowed]
    if bad:
        raise InputError(f"`{name}` has unknown category {bad[0]!r}; use {', '.join(allowed)}.")
    values = {k: check_number(f"{name}[{k!r}]", v, nonnegative=True) for k, v in mix.items()}
    total = sum(values.values())
    if total <= 0:
        raise InputError(f"`{name}` sums to zero; give positive shares or counts.")
    return {k: v / total for k, v in values.items()}


@dataclass(frozen=True, eq=False, repr=False)
class RefinedSavings(Savings):
    """Savings per year from months avoided (RMST), by household type, net of returns."""

    label: str
    effect: Effect
    caseload: float
    inputs: CostInputs
    horizon_months: float
    price_date: pd.Timestamp
    household_mix: Mapping[str, float]
    exit_reason_mix: Mapping[str, float]
    method: str = "refined: RMST months avoided x cost by household type, net of returns, discounted"
    title: str = "Savings, refined"

    def input_names(self) -> tuple[str, ...]:
        return ("norm_factor", "annual_administration_cost", "recidivism_scale", "discount_rate")

    @cached_property
    def mean_norm(self) -> float:
        if self.inputs.monthly_benefit is not None:   # WW / AOV: the benefit itself (issue 21)
            return self.inputs.monthly_benefit.value
        return sum(share * self.inputs.norm_table.monthly_norm(self.price_date, h)
                   for h, share in self.household_mix.items())

    def monthly_cost(self, values: Mapping[str, np.ndarray] | None = None):
        v = self._values(values)
        return self.mean_norm * np.asarray(v["norm_factor"], float) + \
            np.asarray(v["annual_administration_cost"], float) / 12.0

    @cached_property
    def _give_back_at_scale_1(self) -> dict[str, tuple[float, float]]:
        # per exit reason: the curve's peak and the share given back at scale 1 (the Monte
        # Carlo and the delta method ask for them thousands of times; they never change)
        return {reason: (float(self.inputs.recidivism.curve(reason)[1].max()),
                         give_back_share(self.inputs.recidivism, reason, self.horizon_months))
                for reason in self.exit_reason_mix}

    def give_back(self, values: Mapping[str, np.ndarray] | None = None):
        scale = np.asarray(self._values(values)["recidivism_scale"], float)
        out = np.zeros(scale.shape)
        for reason, share in self.exit_reason_mix.items():
            peak, at_one = self._give_back_at_scale_1[reason]
            if scale.max(initial=0.0) * peak <= 1.0:   # linear in the scale
                out = out + share * scale * at_one
            else:
                flat = [give_back_share(self.inputs.recidivism, reason, self.horizon_months, s)
                        for s in scale.ravel()]
                out = out + share * np.reshape(flat, scale.shape)
        return out

    def discount(self, values: Mapping[str, np.ndarray] | None = None):
        return discount_factor(self.horizon_months, self._values(values)["discount_rate"])

    def per_unit_effect(self, values: Mapping[str, np.ndarray] | None = None):
        # savings per year per month of RMST difference (FIP minus control): negative, since
        # a shorter time on benefit (negative difference) saves money
        return (-self.caseload * self.monthly_cost(values) * (1 - self.give_back(values))
                * self.discount(values) * 12.0 / self.horizon_months)

    def tidy(self) -> pd.DataFrame:
        g, years = float(self.give_back()), self.horizon_months / 12.0
        return tidy_frame([
            self.effect.row(),
            scaled_row("months_avoided_per_client", "months", self.effect, -(1 - g)),
            fixed_row("monthly_cost_per_benefit", "EUR per month", float(self.monthly_cost())),
            fixed_row("give_back_share", "share of avoided months", g),
            fixed_row("discount_factor", "factor", float(self.discount())),
            scaled_row("savings_over_horizon", "EUR (present value)", self.effect,
                       self.euros_per_unit_effect * years),
            self.savings_row(),
        ])

    def arithmetic(self) -> str:
        """The sum written out, one line per step, with the sources of the inputs."""
        e, inp = self.effect, self.inputs
        g, d, cost = float(self.give_back()), float(self.discount()), float(self.monthly_cost())
        mix = ", ".join(f"{h} {s:.0%}" for h, s in self.household_mix.items())
        reasons = ", ".join(f"{r} {s:.0%}" for r, s in self.exit_reason_mix.items())
        lo, hi = self.savings_ci
        total = self.savings_per_year * self.horizon_months / 12.0
        return "\n".join([
            f"Refined savings ({self.label}), horizon {self.horizon_months:g} months:",
            f"  {-e.estimate:.3f} months of benefit avoided per client (minus the {e.term}, "
            f"FIP minus control, over the horizon)",
            f"x (1 - {g:.3f}) for returns to benefit (exit reasons: {reasons}; "
            f"recidivism x {inp.recidivism_scale.value:g}; Divosa curves)",
            f"x {self.caseload:,.0f} clients in the caseload",
            (f"x EUR {cost:,.2f} a month per benefit: mean norm EUR {self.mean_norm:,.2f} on "
             f"{self.price_date.date()} ({mix}) x {inp.norm_factor.value:g} + "
             if inp.monthly_benefit is None else
             f"x EUR {cost:,.2f} a month per benefit: monthly {inp.benefit_type.upper()} "
             f"benefit EUR {self.mean_norm:,.2f} x {inp.norm_factor.value:g} + ")
            + f"{euros(inp.annual_administration_cost.value)}/12 administration",
            f"x {d:.4f} discounting at {inp.discount_rate.value:.2%} a year",
            f"= {euros(total)} over the horizon = {euros(self.savings_per_year)} a year "
            f"({100 * (1 - e.alpha):g}% CI {euros(lo)} to {euros(hi)})",
            "Assumes: the effect in the FIP group holds for every client of the caseload; extra "
            "exits spread evenly over the horizon; returners stay on benefit until the horizon.",
        ])

    def _header(self) -> dict:
        return {**super()._header(), "horizon_months": self.horizon_months,
                "price_date": str(self.price_date.date())}

    def _notes(self) -> tuple:
        return (self.arithmetic().replace("\n", " "),)


def refined_savings(rmst_difference_months: float, *, horizon_months: float, caseload: float,
                    price_date, std_error: float | None = None,
                    ci: tuple[float, float] | None = None, alpha: float = 0.05,
                    p_value: float | None = None,
                    inputs: CostInputs | None = None,
                    household_mix: Mapping[str, float] | None = None,
                    exit_reason_mix: Mapping[str, float] | None = None,
                    label: str = "all") -> RefinedSavings:
    """Savings per year from the months of benefit avoided (RMST difference).

    Parameters
    ----------
    rmst_difference_months
        Restricted mean time on benefit over the horizon, FIP minus control, in months
        (negative when FIP shortens time on benefit).
    horizon_months
        The RMST horizon (usually the follow-up); must be positive.
    caseload
        Number of clients the result is extrapolated to.
    price_date
        Date whose norms price a benefit month (e.g. the study start).
    std_error, ci, alpha, p_value
        The RMST difference's standard error and/or confidence interval, and its
        design-based p-value (default: normal, from the standard error).
    inputs
        ``CostInputs`` (norm table, administration cost, recidivism, discount rate).
    household_mix
        Shares or counts by household type (single, single_parent, couple). Default: all
        clients at the single norm (the lowest, so the cautious choice).
    exit_reason_mix
        Shares or counts of the extra exits by end reason (or ``"all"``), choosing the
        recidivism curves. Default ``{"all": 1}``: the general Divosa curve.
    label
        Municipality (or "all") the figure belongs to.

    Examples
    --------
    >>> res = refined_savings(-1.0, horizon_months=12, caseload=1000, price_date="2015-01-01",
    ...                       std_error=0.4)
    >>> round(float(res.give_back()), 4)
    0.09
    >>> round(res.savings_per_year, -3)
    1093000.0
    """
    horizon = check_number("horizon_months", horizon_months)
    if horizon <= 0:
        raise InputError(f"`horizon_months` must be positive (the RMST horizon); got {horizon:g}. "
                         "Use the follow-up length in months.")
    caseload = check_number("caseload", caseload, nonnegative=True)
    inputs = CostInputs() if inputs is None else inputs
    if not isinstance(inputs, CostInputs):
        raise InputError(f"`inputs` must be a CostInputs; got {type(inputs).__name__}.")
    if abs(check_number("rmst_difference_months", rmst_difference_months)) > horizon:
        raise InputError(f"An RMST difference of {rmst_difference_months:g} months cannot exceed the "
                         f"horizon of {horizon:g} months; check the units (months) and the horizon.")
    try:
        price_date = pd.Timestamp(price_date)
    except (TypeError, ValueError) as err:
        raise InputError(f"`price_date` must be a date; got {price_date!r}.") from err
    if pd.isna(price_date):
        raise InputError("`price_date` is missing; pass the date whose norms price a benefit month.")
    households = _shares("household_mix", household_mix or {"single": 1.0}, HOUSEHOLD_TYPES)
    for h in households if inputs.monthly_benefit is None else ():
        inputs.norm_table.monthly_norm(price_date, h)   # raises when the table has no norm
    from ..schema import END_REASONS
    reasons = _shares("exit_reason_mix", exit_reason_mix or {ALL_REASONS: 1.0},
                      (ALL_REASONS,) + END_REASONS)
    effect = Effect.of("rmst_difference_months", "months on benefit per client",
                       rmst_difference_months, std_error=std_error, ci=ci, alpha=alpha, p_value=p_value)
    return RefinedSavings(label=str(label), effect=effect, caseload=caseload, inputs=inputs,
                          horizon_months=horizon, price_date=price_date,
                          household_mix=households, exit_reason_mix=reasons)
