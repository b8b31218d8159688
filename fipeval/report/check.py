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


def check_main(args) -> int:
    from ..io import load
    from .config import load_config
    from .run import build_report

    baseline_path = Path(args.baseline)
    if not baseline_path.is_file():
        raise ConfigError(f"No baseline at {baseline_path}: write one with `python -m fipeval "
                          "report ... --out DIR` and commit DIR/estimates.json.")
    try:
        baseline = json.loads(baseline_path.read_text(encoding="utf-8"))["estimates"]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ConfigError(f"{baseline_path} is not an estimates.json written by fipeval: {err}") from err
    if args.demo:
        folder = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "brabantse_wal"
        paths, config_path, key = [folder], args.config or folder / "study.toml", folder / "pseudonym.key"
    else:
        if not args.paths or args.config is None:
            raise ConfigError("Name the export(s) and the study file (--config), or pass --demo.")
        paths, config_path, key = args.paths, args.config, args.key
    config = load_config(config_path)
    register = load(paths if len(paths) > 1 else paths[0], mapping=args.mapping,
                    key=Path(key) if key is not None else None, extract_date=config.extract_date)
    current = build_report(register, config).estimates
    moved = compare_estimates(baseline, current, rtol=args.rtol, atol=args.atol)
    if len(moved):
        print(f"{len(moved)} difference(s) from {baseline_path} (rtol={args.rtol}, atol={args.atol}):")
        print(moved.to_string(index=False))
        return 1
    print(f"all {len(current)} estimates within rtol={args.rtol}, atol={args.atol} of {baseline_path}")
    return 0
