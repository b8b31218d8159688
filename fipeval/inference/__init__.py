"""Effect measures and honest inference: OLS with cluster-robust variance, wild cluster
bootstrap, randomization inference, effect measures, meta-analysis, multiplicity, power."""

from .compare import Comparison, compare
from .measures import EffectResult, mann_whitney, rate_ratio_glm, two_by_two, welch_test
from .ols import OLSFit, fit_ols
from .randomization import RandomizationResult, randomization_inference
from .wild import WildBootstrapResult, wild_cluster_bootstrap

__all__ = ["compare", "Comparison", "two_by_two", "welch_test", "mann_whitney",
           "rate_ratio_glm", "EffectResult", "OLSFit", "fit_ols", "wild_cluster_bootstrap", "WildBootstrapResult",
           "randomization_inference", "RandomizationResult"]
