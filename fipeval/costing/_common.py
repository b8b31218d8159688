"""Shared pieces of the costing: effect estimates as plain numbers, the savings result base."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..results import TIDY_COLUMNS, Result
from .inputs import CostInputs
from .._version import __version__


def check_number(name: str, value, *, positive: bool = False, nonnegative: bool = False,
                 integer: bool = False) -> float:
    """Validate a scalar argument at the boundary; raise InputError naming it."""
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise InputError(f"`{name}` must be a number; got {value!r}.") from err
    if not math.isfinite(number):
        raise InputError(f"`{name}` must be finite; got {number}.")
    if positive and number <= 0:
        raise InputError(f"`{name}` must be positive; got {number:g}.")
    if nonnegative and number < 0:
        raise InputError(f"`{name}` must not be negative; got {number:g}.")
    if integer and number != int(number):
        raise InputError(f"`{name}` must be a whole number; got {number:g}.")
    return number


def z_value(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


@dataclass(frozen=True)
class Effect:
    """An effect estimate as plain numbers: estimate, standard error, confidence interval.

    Build with ``Effect.of(term, unit, estimate, std_error=..., ci=..., alpha=...)``: a missing
    standard error is recovered from a (normal) CI as (upper - lower) / (2 z); a missing CI
    from the standard error. Without either the effect has no sampling uncertainty.
    """

    term: str
    unit: str
    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    alpha: float = 0.05
    design_p_value: float = float("nan")   # the design-based p-value, when one was given

    @classmethod
    def of(cls, term: str, unit: str, estimate, *, std_error=None, ci=None,
           alpha: float = 0.05, p_value=None) -> "Effect":
        alpha = check_number("alpha", alpha, positive=True)
        if alpha >= 1:
            raise InputError(f"`alpha` must lie between 0 and 1; got {alpha:g}.")
        estimate = check_number(term, estimate)
        z = z_value(alpha)
        if ci is not None:
            try:
                lower, upper = (float(c) for c in ci)
            except (TypeError, ValueError) as err:
                raise InputError(f"`ci` must be a pair (lower, upper); got {ci!r}.") from err
            # an unbounded side is allowed: the design supports no interval at this level
            if math.isnan(lower) or math.isnan(upper):
                raise InputError(f"`ci` of `{term}` has a missing end ({ci!r}); give both ends, "
                                 "or -inf/inf where the design gives no bound.")
            if not lower <= estimate <= upper:
                raise InputError(f"The confidence interval [{lower:g}, {upper:g}] of `{term}` does not "
                                 f"contain the estimate {estimate:g}; check the order and the values.")
        if std_error is not None:
            std_error = check_number("std_error", std_error, nonnegative=True)
            if ci is None:
                lower, upper = estimate - z * std_error, estimate + z * std_error
        elif ci is not None:
            std_error = (upper - lower) / (2 * z)
        else:
            std_error, lower, upper = 0.0, estimate, estimate
        p = float("nan") if p_value is None else check_number("p_value", p_value, nonnegative=True)
        return cls(term, unit, estimate, std_error, lower, upper, alpha, p)

    @property
    def p_value(self) -> float:
        """The design-based p-value given with the effect, else the normal one from its SE."""
        if math.isfinite(self.design_p_value):
            return self.design_p_value
        if self.std_error <= 0:
            return float("nan")
        return float(2 * stats.norm.sf(abs(self.estimate / self.std_error)))

    def row(self) -> dict:
        stat = self.estimate / self.std_error if self.std_error > 0 else float("nan")
        return {"term": self.term, "estimate": self.estimate, "std_error": self.std_error,
                "statistic": stat, "p_value": self.p_value, "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper, "unit": self.unit}


def scaled_row(term: str, unit: str, effect: Effect, factor: float) -> dict:
    """A tidy row for ``factor * effect`` (linear in the effect: same z and p-value)."""
    lo, hi = sorted((factor * effect.ci_lower, factor * effect.ci_upper))
    se = abs(factor) * effect.std_error
    stat = factor * effect.estimate / se if se > 0 else float("nan")
    return {"term": term, "estimate": factor * effect.estimate, "std_error": se, "statistic": stat,
            "p_value": effect.p_value, "ci_lower": lo, "ci_upper": hi, "unit": unit}


def fixed_row(term: str, unit: str, value: float) -> dict:
    nan = float("nan")
    return {"term": term, "estimate": float(value), "std_error": nan, "statistic": nan,
            "p_value": nan, "ci_lower": nan, "ci_upper": nan, "unit": unit}


def tidy_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    return df[TIDY_COLUMNS + [c for c in df.columns if c not in TIDY_COLUMNS]]


def euros(x: float) -> str:
    if not math.isfinite(x):
        return "no bound" if math.isinf(x) else "not estimable"
    return f"EUR {x:,.0f}"


class Savings(Result):
    """Base of the savings results: savings per year = effect x euros per unit of effect.

    Subclasses are frozen dataclasses with fields ``label``, ``effect`` (an ``Effect``),
    ``caseload``, ``inputs`` (``CostInputs``), and implement ``per_unit_effect(values)``: the
    euros per year per unit of effect for given input values (arrays broadcast, which is how
    the Monte Carlo varies the inputs), and ``input_names()``: the inputs it depends on.
    """

    label: str
    effect: Effect
    caseload: float
    inputs: CostInputs
    method: str = "savings"

    def input_names(self) -> tuple[str, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    def per_unit_effect(self, values: Mapping[str, np.ndarray] | None = None):  # pragma: no cover
        raise NotImplementedError

    def _values(self, values: Mapping[str, np.ndarray] | None) -> dict:
        base = {name: self.inputs.assumptions()[name].value for name in self.input_names()}
        if values:
            base.update({k: v for k, v in values.items() if k in base})
        return base

    @cached_property
    def euros_per_unit_effect(self) -> float:
        return float(self.per_unit_effect())

    @property
    def savings_per_year(self) -> float:
        return self.effect.estimate * self.euros_per_unit_effect

    @property
    def savings_std_error(self) -> float:
        return abs(self.euros_per_unit_effect) * self.effect.std_error

    @property
    def savings_ci(self) -> tuple[float, float]:
        e = self.euros_per_unit_effect
        lo, hi = sorted((e * self.effect.ci_lower, e * self.effect.ci_upper))
        return lo, hi

    def savings_row(self) -> dict:
        return scaled_row("savings_per_year", "EUR per year", self.effect, self.euros_per_unit_effect)

    def _header(self) -> dict:
        e = self.effect
        return {"method": self.method, "unit": self.label, "caseload": self.caseload,
                "effect": f"{e.term} = {e.estimate:.4g} ({100 * (1 - e.alpha):g}% interval "
                          f"{e.ci_lower:.4g} to {e.ci_upper:.4g})",
                "inference": ("the effect's design-based interval and p-value, scaled (linear "
                              "in the effect)" if math.isfinite(e.design_p_value) else
                              f"normal, alpha = {e.alpha:g}; linear in the effect"),
                "fipeval": __version__}


def euro_axis(axis, max_ticks: int = 6) -> None:
    """Euro amounts on a Matplotlib axis as "EUR 750k" / "EUR 1.2M": no ``1e6`` offset and
    few enough ticks that their labels do not run together."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    def label(value, _pos):
        size = abs(value)
        if size >= 1e6:
            return f"{value / 1e6:,.1f}M"
        if size >= 1e3:
            return f"{value / 1e3:,.0f}k"
        return f"{value:,.0f}"
    axis.set_major_locator(MaxNLocator(max_ticks))
    axis.set_major_formatter(FuncFormatter(label))
