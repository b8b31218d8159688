"""The pilot's crude extrapolation: extra terminations x whole caseload x annual cost.

This reproduces the kind of figure the Brabantse Wal pilot reported ("over EUR 750,000 a
year"), with every step written out so the reader sees what it assumes: each extra
termination saves a full year of benefit, nobody comes back, and the effect measured in the
FIP group holds for every client of the whole caseload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import Effect, Savings, check_number, euros, fixed_row, scaled_row, tidy_frame
from .inputs import Assumption, CostInputs


@dataclass(frozen=True, eq=False, repr=False)
class CrudeSavings(Savings):
    """Savings per year by the crude extrapolation; ``arithmetic()`` writes the sum out."""

    label: str
    effect: Effect
    caseload: float
    inputs: CostInputs
    include_administration: bool = False
    method: str = "crude extrapolation (the pilot's method)"
    title: str = "Savings, crude extrapolation"

    def input_names(self) -> tuple[str, ...]:
        names = ("annual_benefit_cost",)
        return names + (("annual_administration_cost",) if self.include_administration else ())

    def per_unit_effect(self, values: Mapping[str, np.ndarray] | None = None):
        v = self._values(values)
        annual = v["annual_benefit_cost"] + (v["annual_administration_cost"]
                                             if self.include_administration else 0.0)
        return self.caseload * np.asarray(annual, dtype=float)

    @property
    def annual_cost(self) -> float:
        return float(self.per_unit_effect() / self.caseload) if self.caseload else 0.0

    @property
    def benefits_avoided(self) -> float:
        return self.effect.estimate * self.caseload

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([
            self.effect.row(),
            scaled_row("benefits_avoided_per_year", "benefits", self.effect, self.caseload),
            fixed_row("annual_cost_per_benefit", "EUR per year", self.annual_cost),
            self.savings_row(),
        ])

    def arithmetic(self) -> str:
        """The sum written out, one line per step, with the sources of the inputs."""
        e, cost = self.effect, self.inputs.annual_benefit_cost
        lines = [
            f"Crude extrapolation ({self.label}):",
            f"  {e.estimate:.4f} extra terminations per client in the FIP group ({e.term})",
            f"x {self.caseload:,.0f} clients in the whole caseload",
            f"= {self.benefits_avoided:,.1f} benefits ended extra",
            f"x {euros(cost.value)} a year per benefit ({cost.source})",
        ]
        if self.include_administration:
            admin = self.inputs.annual_administration_cost
            lines.append(f"+ {euros(admin.value)} a year administration per benefit ({admin.source})")
        lo, hi = self.savings_ci
        lines += [f"= {euros(self.savings_per_year)} a year "
                  f"({100 * (1 - e.alpha):g}% CI {euros(lo)} to {euros(hi)})",
                  "Assumes: every extra termination saves a full year of benefit; nobody returns "
                  "to benefit; the effect in the FIP group holds for every client of the caseload; "
                  "FIP itself costs nothing."]
        return "\n".join(lines)

    def _notes(self) -> tuple:
        return (self.arithmetic().replace("\n", " "),)


def crude_savings(risk_difference: float, *, caseload: float, std_error: float | None = None,
                  ci: tuple[float, float] | None = None, alpha: float = 0.05,
                  p_value: float | None = None,
                  inputs: CostInputs | None = None, annual_cost: float | Assumption | None = None,
                  include_administration: bool = False, label: str = "all") -> CrudeSavings:
    """Savings per year as the pilot computed them.

    savings = risk difference (extra terminations per client, FIP minus control) x clients in
    the whole caseload x annual cost of a benefit. The savings are linear in the risk
    difference, so their standard error and CI are the effect's, scaled.

    Parameters
    ----------
    risk_difference
        P(benefit ended | FIP) - P(benefit ended | control) over the follow-up.
    caseload
        Number of clients the result is extrapolated to (the whole bijstand caseload).
    std_error, ci, alpha, p_value
        The effect's standard error and/or confidence interval (at level 1 - alpha), and its
        design-based p-value (default: normal, from the standard error).
    inputs
        ``CostInputs``; ``annual_benefit_cost`` (default EUR 14,000) is used.
    annual_cost
        Shortcut to override ``inputs.annual_benefit_cost``.
    include_administration
        Add the administration cost per benefit (Berenschot EUR 2,883) to the annual cost.
    label
        Municipality (or "all") the figure belongs to.

    Examples
    --------
    >>> res = crude_savings(54 / 2400, caseload=2400, std_error=0.01)
    >>> round(res.savings_per_year)
    756000
    >>> print(res.arithmetic().splitlines()[3])
    = 54.0 benefits ended extra
    """
    caseload = check_number("caseload", caseload, nonnegative=True)
    inputs = CostInputs() if inputs is None else inputs
    if not isinstance(inputs, CostInputs):
        raise InputError(f"`inputs` must be a CostInputs; got {type(inputs).__name__}.")
    if annual_cost is not None:
        if not isinstance(annual_cost, Assumption):
            check_number("annual_cost", annual_cost, nonnegative=True)
        inputs = inputs.with_values(annual_benefit_cost=annual_cost)
    if not -1 <= check_number("risk_difference", risk_difference) <= 1:
        raise InputError(f"`risk_difference` is a difference of two proportions and must lie in "
                         f"[-1, 1]; got {risk_difference:g}.")
    effect = Effect.of("risk_difference", "terminations per client", risk_difference,
                       std_error=std_error, ci=ci, alpha=alpha, p_value=p_value)
    return CrudeSavings(label=str(label), effect=effect, caseload=caseload, inputs=inputs,
                        include_administration=bool(include_administration))
