"""Effect measures and honest inference: OLS with cluster-robust variance, wild cluster
bootstrap, randomization inference, effect measures, meta-analysis, multiplicity, power."""

from .ols import OLSFit, fit_ols
from .randomization import RandomizationResult, randomization_inference
from .wild import WildBootstrapResult, wild_cluster_bootstrap

__all__ = ["OLSFit", "fit_ols", "wild_cluster_bootstrap", "WildBootstrapResult",
           "randomization_inference", "RandomizationResult"]
