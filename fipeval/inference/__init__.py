"""Effect measures and honest inference: OLS with cluster-robust variance, wild cluster
bootstrap, randomization inference, effect measures, meta-analysis, multiplicity, power."""

from .ols import OLSFit, fit_ols

__all__ = ["OLSFit", "fit_ols"]
