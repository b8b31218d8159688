"""fipeval: quasi-experimental evaluation of social-assistance interventions (Dutch FIP).

The public functions are imported on first use (PEP 562), so ``import fipeval`` and the
command line's ``--help`` do not pay for pandas, SciPy and statsmodels until an analysis
needs them.
"""


import importlib as _importlib

from .errors import (ConfigError, ConvergenceWarning, DesignError, EstimationError,
                     FewClustersWarning, FipevalError, InputError, LoadError, PrivacyError,
                     SchemaError)

from ._version import __version__

# public name -> the module that defines it. Section builders (effects_section, ...) are not
# public: report plumbing in their modules (``*.section``), called by fipeval.report.
_LAZY = {
    # data: exports -> Register -> cohort; synthetic studies with known truth
    "load": "io", "LoadReport": "io", "Register": "schema",
    "generate": "synthetic", "StudyDesign": "design", "Site": "design",
    "build_cohort": "design",
    # matching and balance
    "match": "matching", "balance": "matching",
    # effects with design-aware inference
    "compare": "inference", "adjusted_effects": "inference", "two_by_two": "inference", "mantel_haenszel": "inference",
    "meta_analysis": "inference", "fit_ols": "inference", "wild_cluster_bootstrap": "inference",
    "randomization_inference": "inference", "adjust_p_values": "inference",
    # planning: power
    "power_table": "inference", "minimum_detectable_effect": "inference",
    "required_caseworkers": "inference",
    # sensitivity to unmeasured confounding
    "e_value": "inference",
    # survival
    "survival_data": "survival.prep", "kaplan_meier": "survival", "logrank": "survival",
    "rmst": "survival", "cox": "survival", "cumulative_incidence": "survival",
    "fine_gray": "survival",
    # difference-in-differences
    "caseworker_panel": "diff_in_diff", "client_panel": "diff_in_diff", "did": "diff_in_diff",
    "event_study": "diff_in_diff", "staggered_did": "diff_in_diff",
    # costing
    "CostInputs": "costing", "Assumption": "costing", "crude_savings": "costing",
    "benefit_inputs": "costing",
    "refined_savings": "costing", "fip_cost": "costing", "net_result": "costing",
    "monte_carlo": "costing", "sensitivity": "costing", "capacity": "costing",
    # the report
    "load_config": "report.config", "build_report": "report.run", "write_report": "report.run",
}

__all__ = ["FipevalError", "InputError", "SchemaError", "LoadError", "PrivacyError",
           "DesignError", "EstimationError", "ConfigError", "ConvergenceWarning",
           "FewClustersWarning", "__version__", *_LAZY]


# subpackages reachable as attributes (``fipeval.survival.cox``) without an import
_SUBPACKAGES = ("costing", "design", "diff_in_diff", "inference", "io", "matching", "report",
                "results", "schema", "survival", "synthetic")


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return _importlib.import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fipeval' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
