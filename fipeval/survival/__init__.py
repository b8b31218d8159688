"""Survival analysis of time on benefit: Kaplan-Meier, log-rank, RMST, Cox, competing risks."""

from .cox import CoxResult, PHTest, cox

__all__ = ["cox", "CoxResult", "PHTest"]
