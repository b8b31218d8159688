"""Matching and balance: comparable FIP and control groups, and the proof that they are.

``match`` builds a matched or weighted sample (nearest neighbour on a propensity score, exact,
coarsened exact, inverse probability weights) with MatchIt's weight conventions;
``balance`` reports covariate balance before and after. The report's balance section is
``fipeval.matching.report.balance_section`` (report plumbing, not public API).
"""

from .balance_table import SMD_THRESHOLD, BalanceResult, balance, expand_covariates
from .core import MatchResult, match
from .plot import love_plot
from .score import propensity_score

__all__ = ["SMD_THRESHOLD", "BalanceResult", "MatchResult", "balance",
           "expand_covariates", "love_plot", "match", "propensity_score"]
