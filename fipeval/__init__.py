"""fipeval: quasi-experimental evaluation of social-assistance interventions (Dutch FIP).

The public functions are imported on first use (PEP 562), so ``import fipeval`` and the
command line's ``--help`` do not pay for pandas, SciPy and statsmodels until an analysis
needs them.
"""

from __future__ import annotations

import importlib

from .errors import (ConfigError, ConvergenceWarning, DesignError, EstimationError,
                     FewClustersWarning, FipevalError, InputError, LoadError, PrivacyError,
                     SchemaError)

__version__ = "0.1.0"

# public name -> the subpackage that defines it
_LAZY = {
    "Register": "schema",
    # loaders: exports -> Register
    "load": "io", "LoadReport": "io",
    # matching and balance
    "balance": "matching", "match": "matching",
    # significance tests and design-aware inference
    "adjust_p_values": "inference", "compare": "inference", "effects_section": "inference",
    "fit_ols": "inference", "mantel_haenszel": "inference", "meta_analysis": "inference",
    "minimum_detectable_effect": "inference", "power_table": "inference",
    "randomization_inference": "inference", "required_caseworkers": "inference",
    "two_by_two": "inference", "wild_cluster_bootstrap": "inference",
    # survival
    "cox": "survival", "cumulative_incidence": "survival", "fine_gray": "survival",
    "kaplan_meier": "survival", "logrank": "survival", "rmst": "survival",
    "survival_section": "survival",
    # difference-in-differences
    "caseworker_panel": "diff_in_diff", "client_panel": "diff_in_diff", "did": "diff_in_diff",
    "did_section": "diff_in_diff", "event_study": "diff_in_diff",
    "staggered_did": "diff_in_diff",
    # costing
    "Assumption": "costing", "CostInputs": "costing", "capacity": "costing",
    "costing_section": "costing", "crude_savings": "costing", "fip_cost": "costing",
    "monte_carlo": "costing", "net_result": "costing", "refined_savings": "costing",
    "sensitivity": "costing",
}

__all__ = ["FipevalError", "InputError", "SchemaError", "LoadError", "PrivacyError",
           "DesignError", "EstimationError", "ConfigError", "ConvergenceWarning",
           "FewClustersWarning", "__version__", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fipeval' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
