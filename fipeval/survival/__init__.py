"""Survival analysis of time on benefit: Kaplan-Meier, log-rank, RMST, Cox, competing risks."""

from .competing import (CumulativeIncidenceResult, cause_specific_cox, cumulative_incidence,
                        fine_gray)
from .cox_model import CoxResult, PHTest, cox
from .km import (KaplanMeierResult, LogRankResult, RMSTResult, kaplan_meier, logrank, rmst,
                 rmst_curve)

__all__ = ["cox", "CoxResult", "PHTest", "kaplan_meier", "KaplanMeierResult", "logrank",
           "LogRankResult", "rmst", "rmst_curve", "RMSTResult", "cumulative_incidence",
           "CumulativeIncidenceResult", "cause_specific_cox", "fine_gray"]
