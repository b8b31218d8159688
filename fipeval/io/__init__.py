"""Loaders: municipal benefit-register exports into the canonical ``Register``.

``load`` reads CSV/TXT, Excel, Parquet, SPSS and Stata exports, maps their columns and codes
(``mapping``: TOML files over built-in presets), replaces BSNs by keyed pseudonyms
(``bsn``) and accounts for every row (``accounting.LoadReport``). ``inspect`` shows what
was detected in an unknown export and can write a starting mapping file.
"""

from .accounting import REPAIR_KINDS, FileReport, LoadReport
from .bsn import is_valid_bsn, pseudonymise, resolve_key
from .dates import DATE_FORMATS, parse_dates
from .inspect import inspect, inspect_main
from .load import detect_table, load
from .mapping import Mapping, default_mapping, read_mapping
from .normalise import REASONS

__all__ = ["load", "inspect", "inspect_main", "LoadReport", "FileReport", "REPAIR_KINDS", "REASONS",
           "is_valid_bsn", "pseudonymise", "resolve_key", "parse_dates", "DATE_FORMATS",
           "Mapping", "read_mapping", "default_mapping", "detect_table"]
