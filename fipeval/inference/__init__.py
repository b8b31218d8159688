"""Effect measures and honest inference: OLS with cluster-robust variance, wild cluster
bootstrap, randomization inference, effect measures, meta-analysis, multiplicity, power."""

from .adjusted import AdjustedEffects, adjusted_effects, choose_estimator
from .comparison import Comparison, compare
from .coverage import CoverageTable, coverage_study
from .measures import EffectResult, mann_whitney, rate_ratio_glm, two_by_two, welch_test
from .multiplicity import adjust_p_values, adjust_table
from .ols import OLSFit, fit_ols
from .pooling import MetaAnalysis, mantel_haenszel, meta_analysis
from .power import (
    PlanningResult,
    PowerTable,
    design_effect,
    estimate_icc,
    minimum_detectable_effect,
    power_table,
    required_caseworkers,
    termination_probability,
)
from .randomization import RandomizationResult, randomization_inference
from .section import EffectsOverview
from .sensitivity import EValue, e_value
from .wild import WildBootstrapResult, wild_cluster_bootstrap

__all__ = [
    "AdjustedEffects",
    "Comparison",
    "CoverageTable",
    "EffectResult",
    "EffectsOverview",
    "EValue",
    "MetaAnalysis",
    "OLSFit",
    "PlanningResult",
    "PowerTable",
    "RandomizationResult",
    "WildBootstrapResult",
    "adjust_p_values",
    "adjusted_effects",
    "adjust_table",
    "choose_estimator",
    "compare",
    "coverage_study",
    "design_effect",
    "e_value",
    "estimate_icc",
    "fit_ols",
    "mann_whitney",
    "mantel_haenszel",
    "meta_analysis",
    "minimum_detectable_effect",
    "power_table",
    "randomization_inference",
    "rate_ratio_glm",
    "required_caseworkers",
    "termination_probability",
    "two_by_two",
    "welch_test",
    "wild_cluster_bootstrap",
]
