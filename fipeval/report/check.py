"""``python -m fipeval check``: re-run a study and compare its estimates with a baseline.

A CI pipeline commits an ``estimates.json`` (the one ``report`` writes) and runs ``check``
on every change: an estimate that moves outside ``rtol``/``atol`` (on the estimate, its
standard error, interval and p-value), appears or disappears fails the check with a table of
what moved (exit code 1).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from ..errors import ConfigError

COMPARED = ("estimate", "std_error", "ci_lower", "ci_upper", "p_value")


def compare_estimates(baseline: list, current: list, *, rtol: float, atol: float) -> pd.DataFrame:
    """Rows of (section, name, field, baseline, current, status) for every difference."""
    def keyed(rows):
        return {(r.get("section"), r.get("name")): r for r in rows}

    base, now = keyed(baseline), keyed(current)
    moved = []
    for key in sorted(set(base) | set(now), key=str):
        if key not in now:
            moved.append({"section": key[0], "name": key[1], "field": "-", "baseline": "present",
                          "current": "missing", "status": "disappeared"})
            continue
        if key not in base:
            moved.append({"section": key[0], "name": key[1], "field": "-", "baseline": "missing",
                          "current": "present", "status": "new"})
            continue
        for field in COMPARED:
            a, b = base[key].get(field), now[key].get(field)
            if a is None and b is None:
                continue
            if a is None or b is None or not math.isclose(a, b, rel_tol=rtol, abs_tol=atol):
                moved.append({"section": key[0], "name": key[1], "field": field, "baseline": a,
                              "current": b, "status": "moved"})
    return pd.DataFrame(moved, columns=["section", "name", "field", "baseline", "current", "status"])


def read_baseline(path) -> list:
    """The estimates of a baseline estimates.json (ConfigError naming --baseline if unusable)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"No baseline at {path} (--baseline): write one with `python -m fipeval "
                          "report ... --out DIR` and commit DIR/estimates.json.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))["estimates"]
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path} (--baseline) is not an estimates.json written by fipeval "
                          f"({type(err).__name__}: {err}); pass the estimates.json that "
                          "`report` wrote.") from err


def check_estimates(baseline: list, current: list, *, rtol: float, atol: float,
                    source="the baseline") -> tuple[pd.DataFrame, str]:
    """The differences (``compare_estimates``) and the text ``check`` prints about them."""
    moved = compare_estimates(baseline, current, rtol=rtol, atol=atol)
    if len(moved):
        return moved, (f"{len(moved)} difference(s) from {source} (rtol={rtol}, atol={atol}):\n"
                       + moved.to_string(index=False))
    return moved, f"all {len(current)} estimates within rtol={rtol}, atol={atol} of {source}"
