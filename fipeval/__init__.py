"""fipeval: quasi-experimental evaluation of social-assistance interventions (Dutch FIP)."""

from .errors import (ConfigError, ConvergenceWarning, DesignError, EstimationError,
                     FewClustersWarning, FipevalError, InputError, LoadError, PrivacyError,
                     SchemaError)
from .schema import Register
from .matching import balance, match  # matching and balance (issue 4)
from .survival import (cox, cumulative_incidence, fine_gray, kaplan_meier, logrank,  # noqa: E402
                       rmst, survival_section)  # survival (issue 6)

__version__ = "0.1.0"

__all__ = ["Register", "FipevalError", "InputError", "SchemaError", "LoadError", "PrivacyError",
           "DesignError", "EstimationError", "ConfigError", "ConvergenceWarning",
           "FewClustersWarning", "__version__"]

from .costing import (Assumption, CostInputs, capacity, costing_section, crude_savings,  # noqa: E402
                      fip_cost, monte_carlo, net_result, refined_savings, sensitivity)

__all__ += ["Assumption", "CostInputs", "capacity", "costing_section", "crude_savings", "fip_cost",
            "monte_carlo", "net_result", "refined_savings", "sensitivity"]

from .diff_in_diff import (caseworker_panel, client_panel, did, did_section, event_study,  # noqa: E402
                  staggered_did)  # difference-in-differences (issue 7)

__all__ += ["caseworker_panel", "client_panel", "did", "did_section", "event_study",
            "staggered_did"]

from .inference import (adjust_p_values, compare, effects_section, fit_ols,  # noqa: E402
                        mantel_haenszel, meta_analysis, minimum_detectable_effect,
                        power_table, randomization_inference, required_caseworkers,
                        two_by_two, wild_cluster_bootstrap)  # significance tests (issue 5)

__all__ += ["adjust_p_values", "compare", "effects_section", "fit_ols", "mantel_haenszel",
            "meta_analysis", "minimum_detectable_effect", "power_table",
            "randomization_inference", "required_caseworkers", "two_by_two",
            "wild_cluster_bootstrap"]

from .io import LoadReport, load  # noqa: E402  loaders: exports -> Register (issue 3)

__all__ += ["load", "LoadReport"]
