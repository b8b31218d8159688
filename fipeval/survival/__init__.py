"""Survival analysis of time on benefit: Kaplan-Meier, log-rank, RMST, Cox, competing risks."""

from .cox import CoxResult, PHTest, cox
from .km import (KaplanMeierResult, LogRankResult, RMSTResult, kaplan_meier, logrank, rmst,
                 rmst_curve)

__all__ = ["cox", "CoxResult", "PHTest", "kaplan_meier", "KaplanMeierResult", "logrank",
           "LogRankResult", "rmst", "rmst_curve", "RMSTResult"]
