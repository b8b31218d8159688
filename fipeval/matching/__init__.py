"""Matching and balance: comparable FIP and control groups, and the proof that they are.

``match`` builds a matched or weighted sample (nearest neighbour on a propensity score, exact,
coarsened exact, inverse probability weights) with MatchIt's weight conventions;
``balance`` reports covariate balance before and after; ``balance_section`` gives the
report's balance table and love plot for a cohort.
"""

from .balance_table import SMD_THRESHOLD, BalanceResult, balance, expand_covariates
from .core import MatchResult, match
from .plot import love_plot
from .report import balance_section
from .score import propensity_score

__all__ = ["SMD_THRESHOLD", "BalanceResult", "MatchResult", "balance", "balance_section",
           "expand_covariates", "love_plot", "match", "propensity_score"]
