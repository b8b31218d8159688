"""``python -m fipeval report --dry-run``: what a report run would do, before doing it.

Lists the files with their detected format and mapping, the study's sites and options, the
cohort per municipality (caseworkers and clients, counts below the disclosure threshold
suppressed as in the report), the inference the design rule chooses, and the sections that
would run with their resampling effort. The exports are loaded once (the formats and
mappings listed are what the load detected) and the cohort is built, so the counts are the
ones the report would use; no analysis runs and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import StudyConfig


def dry_run(paths, config: StudyConfig, *, config_path=None, mapping=None, key=None,
            out=None, sheet=None) -> str:
    """The plan of a report run as text (see the module docstring)."""
    from ..design import build_cohort
    from ..io import load
    from .analyses import _suppress_summary
    from .run import _plan, section_builders

    # one read of every file: the load report holds what was detected in each
    register = load(paths if len(paths) > 1 else paths[0], mapping=mapping,
                    key=Path(key) if key is not None else None, extract_date=config.extract_date,
                    sheet=sheet, preset=config.preset)
    report = register.load_report
    files = list(report["files"].values())
    skipped = [n.split(": skipped", 1)[0] for n in report["notes"] if ": skipped (" in n]
    lines = ["Dry run: what `report` would do. No analysis runs and nothing is written.", ""]
    lines.append(f"Files ({len(files) + len(skipped)}), mapping: built-in presets"
                 + (f" with {mapping}" if mapping else "") + ":")
    for f in sorted(files, key=lambda f: str(f["file"])):
        d = f["detected"]
        form = d.get("format", "") + (f", {d['encoding']}" if d.get("encoding") else "") + \
            (f", separator {_separator(d['separator'])}" if d.get("separator") else "") + \
            (f", sheet {d['sheet']}" if d.get("sheet") else "")
        columns, unmapped = d.get("columns", {}), d.get("unmapped", [])
        lines.append(f"  {f['file']}: {f['table']}; {form}; {f['rows_read']:,} rows; "
                     f"{len(columns)} columns mapped, {len(unmapped)} unmapped"
                     + (f"; unknown codes in {', '.join(f['unknown_codes'])}"
                        if f.get("unknown_codes") else ""))
        if columns:
            lines.append("    " + ", ".join(f"{header} -> {role}"
                                            for role, header in columns.items()))
    lines += [f"  {name}: no table recognised (skipped)" for name in skipped]
    lines += ["", f"Study: {config.name}" + (f" ({config_path})" if config_path else "")
              + f"; seed {config.seed}; extract date "
              + (str(pd.Timestamp(config.extract_date).date()) if config.extract_date is not None
                 else "the latest date in the data"), "Sites:"]
    for site in config.sites:
        fip = ", ".join(site.fip_caseworkers) or f"{len(site.fip_clients)} named clients"
        lines.append(f"  {site.municipality or '(all)'}: start {pd.Timestamp(site.start_date).date()}, "
                     f"follow-up {site.follow_up_months} months, FIP caseworkers {fip}")

    lines += ["", f"Loading: {report.get('rows_read', 0):,} lines read, "
                  f"{report.get('rows_kept', 0):,} kept, {report.get('rows_rejected', 0):,} "
                  "rejected (the report lists every rejected and repaired line)."]
    cohort = build_cohort(register, config.design())
    plan = _plan(cohort, config)
    summary = plan.summary()
    shown = _suppress_summary(summary, config.suppress_below)
    lines += ["", f"Cohort and inference (counts below {config.suppress_below} shown as "
                  f"'<{config.suppress_below}'):", shown.table.to_string(index=False),
              f"method: {summary.header.get('method', '')}"]

    effort = {
        "balance": (f"matching on {', '.join(config.matching.covariates)}"
                    if config.matching.enabled else None),
        "effects": f"design-based intervals, up to {config.inference.bootstrap_reps:,} "
                   "re-assignments or bootstrap draws per comparison",
        "survival": "Kaplan-Meier, Cox, RMST, cumulative incidence; re-assigned refits",
        "did": "caseworker-month panel, TWFE and event study; re-assigned refits",
        "costing": f"Monte Carlo with {config.costing.n_draws:,} draws",
    }
    lines += ["", "Sections that would run:"]
    for name, _ in section_builders():
        if name == "balance" and not config.matching.enabled:
            lines.append("  balance: skipped ([matching] enabled = false)")
            continue
        lines.append(f"  {name}" + (f": {effort[name]}" if effort.get(name) else ""))
    if out is not None:
        out = Path(out)
        lines += ["", f"Output: report.html, report.md, estimates.json and load_report.json in "
                      f"{out}" + (" (exists; its report files would be replaced)"
                                  if out.exists() else " (would be created)")]
    return "\n".join(lines)


def _separator(sep: str) -> str:
    return {"\t": "tab", ";": "';'", ",": "','", "|": "'|'"}.get(sep, repr(sep))
