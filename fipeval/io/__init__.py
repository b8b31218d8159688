"""Loaders: municipal benefit-register exports into the canonical ``Register``.

``load`` reads CSV/TXT, Excel, Parquet, SPSS and Stata exports, maps their columns and codes
(``mapping``: TOML files over built-in presets), replaces BSNs by keyed pseudonyms
(``bsn``) and accounts for every row (``accounting.LoadReport``). ``inspect`` shows what
was detected in an unknown export and can write a starting mapping file.

Row rules in brief (details: ``fipeval.io.normalise`` within a file, ``fipeval.io.loading``
across rows and files). Every row read is kept or rejected with file, line and reason:

* BSN: 11-proef checked; an 8-digit BSN gets a leading zero (repaired); an invalid one
  rejects the row (by line, never by value); valid ones become HMAC-SHA256 pseudonyms.
* Start date missing/unreadable, end date unreadable, end before start, start after the
  extract date: rejected. End after the extract date: running at the extract (censored).
  End dates such as ``31-12-9999``: no end.
* Dates: two-digit years, unambiguous day/month swaps and other recognised forms are
  read and counted as repairs.
* Unknown end-reason codes become ``unknown`` and are counted, never dropped; unknown
  household/sex codes are counted too; unknown contact/event kinds reject the row.
* Duplicate spells (same client, municipality, start and end): later copies rejected.
  Overlapping spells of one client: merged into the earliest (the absorbed rows are
  rejected as merged, naming the line they went into).
* A spell without caseworker (missing group assignment) is kept; the study design decides.
"""

from .accounting import REPAIR_KINDS, FileReport, LoadReport
from .bsn import is_valid_bsn, pseudonymise, resolve_key
from .dates import DATE_FORMATS, parse_dates
from .inspection import inspect, inspect_paths
from .loading import detect_table, load
from .mapping import Mapping, default_mapping, preset_mapping, read_mapping
from .normalise import REASONS

__all__ = ["load", "inspect", "inspect_paths", "LoadReport", "FileReport", "REPAIR_KINDS", "REASONS",
           "is_valid_bsn", "pseudonymise", "resolve_key", "parse_dates", "DATE_FORMATS",
           "Mapping", "read_mapping", "default_mapping", "preset_mapping", "detect_table"]
