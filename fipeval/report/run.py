"""The report pipeline: load -> design -> cohort -> sections -> report.html / .md / .json.

``build_report(register, config)`` is what a notebook calls; ``write_report`` writes the
files; ``report_main`` is the CLI. Each analysis stage contributes a section; a section
that fails on the data (for example, too few events for a model) is reported as such in
the report instead of stopping the whole run, and its error is listed in estimates.json.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..design import build_cohort
from ..errors import ConfigError, FipevalError
from ..schema import Register
from .config import StudyConfig
from .document import Report, Section, render_html, render_markdown
from . import analyses, foundation
from .fidelity import fidelity_section


class Progress:
    """Step messages on a terminal's stderr; silent when not a TTY (CI) unless forced."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {message}", file=sys.stderr, flush=True)


def section_builders():
    """The analysis sections in report order: (name, function(context) -> Section | None)."""
    return [
        ("data", lambda ctx: foundation.data_section(ctx["register"], ctx["threshold"])),
        ("groups", lambda ctx: foundation.groups_section(ctx["cohort"], ctx["design"], ctx["threshold"])),
        ("inference", analyses.inference_report),
        ("fidelity", lambda ctx: fidelity_section(ctx["cohort"], ctx["register"].contacts,
                                                  ctx["threshold"])),
        ("balance", analyses.balance_report),
        ("terminations", lambda ctx: foundation.terminations_section(
            ctx["cohort"], ctx["threshold"])),
        ("effects", analyses.effects_report),
        ("survival", analyses.survival_report),
        ("did", analyses.did_report),
        ("costing", analyses.costing_report),
    ]


def build_report(register: Register, config: StudyConfig, *, progress: Progress | None = None,
                 title: str | None = None) -> Report:
    """Run every analysis on ``register`` as ``config`` says and return the Report."""
    progress = progress or Progress(False)
    design = config.design()
    progress("building the cohort")
    cohort = build_cohort(register, design)
    ctx = {"register": register, "config": config, "design": design, "cohort": cohort,
           "threshold": config.suppress_below, "seed": config.seed, "progress": progress,
           "results": {}, "plan": _plan(cohort, config)}
    sections, estimates = [], []
    for name, builder in section_builders():
        progress(f"section: {name}")
        try:
            section = builder(ctx)
        except FipevalError as err:
            section = Section(name.capitalize()).text(
                f"This section could not be computed on these data: {err}")
            estimates.append({"section": name, "name": "error", "error": str(err)})
        if section is None:
            continue
        sections.append(section)
        estimates.extend(section.estimates)
    sections.append(_notes_section(config, register))
    settings = {"fipeval": __version__, "python": platform.python_version(),
                "numpy": np.__version__, "pandas": pd.__version__, "config": config.to_dict()}
    return Report(title or f"FIP evaluation: {config.name}", sections, settings, estimates)


def _plan(cohort: pd.DataFrame, config: StudyConfig):
    """The design's inference (one rule, one place) that every section takes its uncertainty from."""
    from ..inference.design import plan_inference

    multi = "municipality" in cohort and cohort["municipality"].nunique() > 1
    return plan_inference(cohort, cluster=config.inference.cluster,
                          strata="municipality" if multi else None,
                          alpha=config.inference.alpha, n_draws=config.inference.bootstrap_reps,
                          seed=config.seed)


def _notes_section(config: StudyConfig, register: Register) -> Section:
    s = Section("Method notes and caveats")
    s.text("Clients are grouped by caseworker and FIP was given by caseworker, so outcomes of "
           "clients of one caseworker are correlated. With only a few FIP caseworkers, a "
           "difference can look significant in a test that treats clients as independent and "
           "still be within what differences between caseworkers produce by chance. Every "
           "interval and p-value in this report therefore comes from the design (see 'How "
           "uncertainty is computed'); none treats clients as independent.")
    s.text("The cohort was already on benefit at the start (at least "
           f"{config.min_months_on_benefit:g} months): duration models use delayed entry.")
    s.text(f"Counts of fewer than {config.suppress_below} people are shown as "
           f"'<{config.suppress_below}'. No client identifiers appear in this report.")
    s.text(f"fipeval {__version__}; seed {config.seed}; extract date {register.extract_date.date()}.")
    return s


def write_report(report: Report, out: Path, load_report=None) -> dict:
    """Write report.html, report.md, estimates.json (and load_report.json) into ``out``."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"The output path {out} is a file; pass a folder with --out.")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.html").write_text(render_html(report), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(report, out / "figures"), encoding="utf-8")
    (out / "estimates.json").write_text(json.dumps(
        {"title": report.title, "settings": report.settings, "estimates": report.estimates},
        indent=2, default=str) + "\n", encoding="utf-8")
    if load_report is not None:
        (out / "load_report.json").write_text(load_report.to_json() if hasattr(load_report, "to_json")
                                              else json.dumps(load_report, indent=2, default=str),
                                              encoding="utf-8")
    return {"html": out / "report.html", "markdown": out / "report.md",
            "estimates": out / "estimates.json"}
