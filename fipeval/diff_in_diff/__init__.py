"""Difference-in-differences on caseworker and client panels.

``caseworker_panel`` / ``client_panel`` build the panels from a Register (``client_totals``
sums the client panel; ``engine="duckdb"`` builds it out of core), ``did`` fits the
2x2 and two-way fixed-effects models, ``staggered_did`` the Callaway-Sant'Anna group-time
effects for municipalities that start at different dates.
"""

from .estimate import DiDResult, demean, did
from .leads_lags import EventStudyResult, event_study
from .panels import caseworker_panel, client_panel, client_totals, mark_treatment, to_quarters
from .staggered import AggregateResult, StaggeredResult, staggered_did

__all__ = ["caseworker_panel", "client_panel", "client_totals", "mark_treatment", "to_quarters",
           "did",
           "DiDResult", "demean", "event_study", "EventStudyResult", "staggered_did",
           "StaggeredResult", "AggregateResult"]
