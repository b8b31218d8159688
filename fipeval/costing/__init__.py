"""Costing: from extra terminations to euros a year, with the assumptions in plain sight.

- ``crude_savings``: the pilot's extrapolation (extra terminations x caseload x annual cost);
- ``refined_savings``: months avoided (RMST difference) x cost by household type, net of
  returns to benefit, discounted;
- ``fip_cost`` and ``capacity``: caseworker hours, training, FTE and talks per client;
- ``net_result``: net savings, return per euro, break-even effect size;
- ``monte_carlo`` and ``sensitivity``: intervals and the tornado chart;
- ``benefit_inputs``: the inputs of a benefit type (bijstand, WW, AOV), ``ww_monthly_benefit``
  the WW benefit of a month;
- ``fipeval.costing.section.costing_section``: crude beside refined, per municipality and
  pooled, for the report (report plumbing, not in ``__all__``).

Effects enter as plain numbers (estimate with standard error or CI), so any estimator's
output can be costed.
"""

from .crude import CrudeSavings, crude_savings
from .cost_of_fip import Capacity, ContactProtocol, FipCost, capacity, fip_cost
from .inputs import (Assumption, CostInputs, NormTable, RecidivismTable, benefit_inputs,
                     ww_monthly_benefit)
from .net import NetResult, net_result
from .refined import RefinedSavings, discount_factor, give_back_share, refined_savings
from .uncertainty import MonteCarloResult, Sensitivity, monte_carlo, sensitivity

__all__ = ["Assumption", "CostInputs", "NormTable", "RecidivismTable", "crude_savings",
           "CrudeSavings", "refined_savings", "RefinedSavings", "give_back_share",
           "discount_factor", "ContactProtocol", "fip_cost", "FipCost", "capacity", "Capacity",
           "net_result", "NetResult", "monte_carlo", "MonteCarloResult", "sensitivity",
           "Sensitivity", "benefit_inputs", "ww_monthly_benefit"]

from .section import analysis_units, caseload_from_spells, cohort_effects  # noqa: E402

__all__ += ["cohort_effects", "caseload_from_spells", "analysis_units"]
