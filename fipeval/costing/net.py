"""Net result: savings minus the cost of FIP, return per euro, break-even effect size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..results import Result
from ._common import Savings, euros, fixed_row, tidy_frame
from .cost_of_fip import FipCost

CASELOAD_RTOL = 1e-9


@dataclass(frozen=True, eq=False, repr=False)
class NetResult(Result):
    """Savings against the cost of FIP for the same clients."""

    savings: Savings
    cost: FipCost
    title: str = "Net result of FIP"

    @property
    def net_per_year(self) -> float:
        return self.savings.savings_per_year - self.cost.total_per_year

    @property
    def return_per_euro(self) -> float:
        c = self.cost.total_per_year
        return self.savings.savings_per_year / c if c > 0 else float("nan")

    @property
    def break_even_effect(self) -> float:
        """The effect (in the savings' effect units) at which savings equal the cost of FIP."""
        per_unit = self.savings.euros_per_unit_effect
        return self.cost.total_per_year / per_unit if per_unit != 0 else float("nan")

    @property
    def prob_pays(self) -> float:
        """P(net savings > 0) under the normal approximation of the effect."""
        se = self.savings.savings_std_error
        if se <= 0:
            return float(self.net_per_year > 0)
        return float(stats.norm.cdf(self.net_per_year / se))

    @property
    def verdict(self) -> str:
        e = self.savings.effect
        lo, hi = self.savings.savings_ci
        cost = self.cost.total_per_year
        level = f"{100 * (1 - e.alpha):g}%"
        be = f"break-even {e.term} {self.break_even_effect:.4g}"
        ci = f"the {level} CI of the effect [{e.ci_lower:.4g}, {e.ci_upper:.4g}]"
        if lo > cost:
            return f"FIP pays for itself: {ci} lies wholly beyond the {be}."
        if hi < cost:
            return f"FIP does not pay for itself: {ci} lies wholly short of the {be}."
        return f"Undecided: the {be} lies inside {ci}."

    def tidy(self) -> pd.DataFrame:
        s, cost = self.savings, self.cost.total_per_year
        row = s.savings_row()
        net = {**row, "term": "net_savings_per_year", "estimate": row["estimate"] - cost,
               "ci_lower": row["ci_lower"] - cost, "ci_upper": row["ci_upper"] - cost}
        se = row["std_error"]
        net["statistic"] = net["estimate"] / se if se > 0 else np.nan
        net["p_value"] = 2 * stats.norm.sf(abs(net["statistic"])) if se > 0 else np.nan
        ret = {**row, "term": "return_per_euro", "unit": "EUR saved per EUR spent"}
        for k in ("estimate", "std_error", "ci_lower", "ci_upper"):
            ret[k] = row[k] / cost if cost > 0 else np.nan
        ret.update(statistic=net["statistic"], p_value=net["p_value"])
        return tidy_frame([row, fixed_row("fip_cost_per_year", "EUR per year", cost), net, ret,
                           fixed_row(f"break_even_{s.effect.term}", s.effect.unit, self.break_even_effect)])

    def _header(self) -> dict:
        return {**self.savings._header(), "cost method": self.cost.method,
                "P(net savings > 0)": round(self.prob_pays, 4)}

    def _notes(self) -> tuple:
        return (self.verdict, "Statistic and p-value of net savings and return per euro test "
                "net savings = 0 (savings = cost).")

    def arithmetic(self) -> str:
        return "\n".join([f"{euros(self.savings.savings_per_year)} savings a year",
                          f"- {euros(self.cost.total_per_year)} cost of FIP a year",
                          f"= {euros(self.net_per_year)} net a year; "
                          f"{self.return_per_euro:.2f} euros back per euro spent",
                          self.verdict])


def net_result(savings: Savings, cost: FipCost) -> NetResult:
    """Net savings per year, return per euro and the break-even effect size.

    The savings are linear in the effect, so the break-even effect is the cost of FIP divided
    by the euros per year per unit of effect; the verdict compares it with the effect's CI.
    Savings and cost must concern the same number of clients.

    Examples
    --------
    >>> from fipeval.costing import crude_savings, fip_cost
    >>> s = crude_savings(0.02, caseload=2400, std_error=0.01)
    >>> net = net_result(s, fip_cost(2400))
    >>> round(net.cost.total_per_year)     # 5,400 hours x EUR 60 + 14 x EUR 2,500 / 3
    335667
    >>> round(net.break_even_effect, 4)    # the cost / (2,400 x EUR 14,000)
    0.01
    """
    if not isinstance(savings, Savings):
        raise InputError(f"`savings` must come from crude_savings or refined_savings; got "
                         f"{type(savings).__name__}.")
    if not isinstance(cost, FipCost):
        raise InputError(f"`cost` must come from fip_cost; got {type(cost).__name__}.")
    if not np.isclose(savings.caseload, cost.n_clients, rtol=CASELOAD_RTOL, atol=0):
        raise InputError(f"The savings are for a caseload of {savings.caseload:,.0f} clients but the cost "
                         f"of FIP is for {cost.n_clients:,.0f}; compute both for the same clients.")
    return NetResult(savings, cost)
