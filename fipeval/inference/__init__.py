"""Effect measures and honest inference: OLS with cluster-robust variance, wild cluster
bootstrap, randomization inference, effect measures, meta-analysis, multiplicity, power."""

from .compare import Comparison, compare
from .coverage import CoverageTable, coverage_study
from .measures import EffectResult, mann_whitney, rate_ratio_glm, two_by_two, welch_test
from .multiplicity import adjust_p_values, adjust_table
from .ols import OLSFit, fit_ols
from .pooling import MetaAnalysis, mantel_haenszel, meta_analysis
from .power import (PowerTable, design_effect, minimum_detectable_effect, power_table,
                    required_caseworkers, termination_probability)
from .randomization import RandomizationResult, randomization_inference
from .section import EffectsOverview, effects_section
from .wild import WildBootstrapResult, wild_cluster_bootstrap

__all__ = [
    "fit_ols", "OLSFit", "wild_cluster_bootstrap", "WildBootstrapResult",
    "randomization_inference", "RandomizationResult",
    "compare", "Comparison", "two_by_two", "welch_test", "mann_whitney", "rate_ratio_glm",
    "EffectResult", "mantel_haenszel", "meta_analysis", "MetaAnalysis",
    "adjust_p_values", "adjust_table",
    "design_effect", "minimum_detectable_effect", "power_table", "required_caseworkers",
    "termination_probability", "PowerTable",
    "effects_section", "EffectsOverview", "coverage_study", "CoverageTable",
]
