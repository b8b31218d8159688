"""fipeval: quasi-experimental evaluation of social-assistance interventions (Dutch FIP)."""

from .errors import (ConfigError, ConvergenceWarning, DesignError, EstimationError,
                     FewClustersWarning, FipevalError, InputError, LoadError, PrivacyError,
                     SchemaError)
from .schema import Register

__version__ = "0.1.0"

__all__ = ["Register", "FipevalError", "InputError", "SchemaError", "LoadError", "PrivacyError",
           "DesignError", "EstimationError", "ConfigError", "ConvergenceWarning",
           "FewClustersWarning", "__version__"]
