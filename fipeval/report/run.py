"""The report pipeline: load -> design -> cohort -> sections -> report.html / .md / .json.

``build_report(register, config)`` is what a notebook calls; ``write_report`` writes the
files; ``fipeval.cli`` runs both for ``python -m fipeval report``. Each analysis stage contributes a section; a section
that fails on the data (for example, too few events for a model) is reported as such in
the report instead of stopping the whole run, and its error is listed in estimates.json.
"""

from __future__ import annotations

from dataclasses import replace

import json
import platform
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .._version import __version__
from ..design import build_cohort
from ..errors import ConfigError, FipevalError
from ..progress import Progress
from ..schema import Register, study_benefit_type
from .config import StudyConfig
from .disclosure import (disclosure_setting, hidden_groups, protect_report, withheld_municipalities,
                         withhold_estimates)
from .document import Report, Section, localise, render_html, render_markdown, write_workbook
from .language import report_language
from . import analyses, foundation
from .fidelity import fidelity_section
from .first_page import first_page


@contextmanager
def warnings_as_notes():
    """Collect the warnings raised inside as note texts (deduplicated, in order).

    A warning that reaches this far (expected numerical ones are silenced at their source,
    with the reason there) qualifies the numbers of the stage that raised it, so the report
    lists it beside them instead of printing it to stderr. Warnings about code
    (deprecations) keep Python's own handling, and a caller's "error" filter still raises.

    Examples
    --------
    >>> with warnings_as_notes() as notes:
    ...     warnings.warn("overflow in exp", RuntimeWarning)
    >>> notes
    ['RuntimeWarning: overflow in exp']
    """
    notes: list[str] = []
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def keep(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, CODE_WARNINGS):
                shown(message, category, filename, lineno, file, line)
                return
            note = f"{category.__name__}: {' '.join(str(message).split())}"
            if note not in notes:
                notes.append(note)

        # The filters stay as they are: a caller's "ignore" or "error" (pytest's -W error)
        # holds. Entering catch_warnings invalidates the once-per-location memory, so each
        # run notes its own warnings.
        warnings.showwarning = keep
        yield notes


# warnings about code, not about the numbers: left to Python's handling
CODE_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning, ImportWarning,
                 ResourceWarning)


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
    """Run every analysis on ``register`` as ``config`` says and return the Report.

    ``progress`` (a ``fipeval.progress.Progress``) is told each stage; without one the run is
    silent. Warnings a section raises are listed in that section; those of building the
    cohort in the method notes.
    """
    names = _names(register, config)
    with report_language(config.language, names):   # figures are drawn in the reader's language
        report = _build_report(register, config, progress or Progress("off"), title)
    return replace(report, names=names)


def _names(register: Register, config: StudyConfig) -> tuple:
    """The study's name, municipalities and caseworkers: the data's own words, which no
    language translates (a site's municipality and FIP caseworkers are among the spells':
    build_cohort refuses a design naming others)."""
    spells = register.spells
    names = {str(config.name)}
    for column in ("municipality", "caseworker"):
        if column in spells:
            names.update(str(v) for v in spells[column].dropna().unique())
    return tuple(sorted(names))


def _build_report(register: Register, config: StudyConfig, progress: Progress,
                  title: str | None) -> Report:
    design = config.design()
    # the benefit the study is about (issue 21): named in the title, first page and costing
    benefit = study_benefit_type(register.spells, config.benefit_type)
    progress("building the cohort")
    with warnings_as_notes() as cohort_notes:
        cohort = build_cohort(register, design)
        plan = _plan(cohort, config)
    # one disclosure decision for every table: which groups' sizes are not published
    hidden = hidden_groups(cohort, config.suppress_below)
    ctx = {"register": register, "config": config, "design": design, "cohort": cohort,
           "threshold": config.suppress_below, "seed": config.seed, "progress": progress,
           "results": {}, "plan": plan, "hidden": hidden, "benefit": benefit,
           "withheld": withheld_municipalities(hidden, config.suppress_below)}
    sections, estimates = [], []
    for name, builder in section_builders():
        progress(f"section: {name}")
        section, failed = _run_stage(name, builder, ctx, title=name.capitalize(), what="section")
        estimates += failed
        if section is not None:
            sections.append(section)
            estimates += section.estimates
    progress("first page")
    page, failed = _run_stage("summary", first_page, ctx, title="The answer in brief",
                              what="page")
    if page is not None:   # first in the report and in estimates.json
        sections.insert(0, page)
        estimates[:0] = page.estimates
    estimates += failed
    detail = Section("Appendix: detail tables")
    for section in sections:
        if section.appendix:
            detail.text(f"From '{section.title}':")
            detail.blocks += section.appendix
    if detail.blocks:
        sections.append(detail)
    sections.append(_notes_section(config, register, cohort_notes))
    estimates = protect_report(sections, withhold_estimates(estimates, config.suppress_below),
                               hidden, config.suppress_below)
    settings = {"fipeval": __version__, "python": platform.python_version(),
                "numpy": np.__version__, "pandas": pd.__version__,
                "disclosure control": disclosure_setting(config.suppress_below),
                "config": config.to_dict()}
    # English like every section; rendering translates it with the rest (language.localise)
    return Report(title or report_title(config.name, benefit[0]), sections, settings, estimates,
                  language=config.language)


def report_title(name: str, benefit_type: str) -> str:
    """The report's title: a bijstand study's as it always was, another benefit's named."""
    from ..costing.inputs import BENEFIT_NAMES

    if benefit_type == "bijstand":
        return f"FIP evaluation: {name}"
    return f"FIP evaluation, {BENEFIT_NAMES[benefit_type]}: {name}"


def _run_stage(name: str, builder, ctx: dict, *, title: str, what: str):
    """One section builder: (section or None, estimates.json rows of a failure). A
    FipevalError becomes a section saying the data did not allow it; a warning becomes a
    note in the section."""
    from ..inference._threads import one_blas_thread

    failed = []
    # every section's algebra is small and dense: a second BLAS thread only waits for a core
    with warnings_as_notes() as caught, one_blas_thread():
        try:
            section = builder(ctx)
        except FipevalError as err:
            section = Section(title).text(f"This {what} could not be computed on these data: "
                                          f"{err}")
            failed.append({"section": name, "name": "error", "error": str(err)})
    if section is not None and caught:
        section.text(f"Warnings raised while computing this {what}: " + "; ".join(caught) + ".")
    return section, failed


def _plan(cohort: pd.DataFrame, config: StudyConfig):
    """The design's inference (one rule, one place) that every section takes its uncertainty from."""
    from ..inference.design import plan_inference

    multi = "municipality" in cohort and cohort["municipality"].nunique() > 1
    return plan_inference(cohort, cluster=config.inference.cluster,
                          strata="municipality" if multi else None,
                          alpha=config.inference.alpha, n_draws=config.inference.bootstrap_reps,
                          seed=config.seed)


def _notes_section(config: StudyConfig, register: Register, warned=()) -> Section:
    s = Section("Method notes and caveats")
    s.text("Clients are grouped by caseworker and FIP was given by caseworker, so outcomes of "
           "clients of one caseworker are correlated. With only a few FIP caseworkers, a "
           "difference can look significant in a test that treats clients as independent and "
           "still be within what differences between caseworkers produce by chance. Every "
           "interval and p-value in this report therefore comes from the design (see 'How "
           "uncertainty is computed'); none treats clients as independent.")
    s.text("The cohort was already on benefit at the start (at least "
           f"{config.min_months_on_benefit:g} months): duration models use delayed entry.")
    if config.suppress_below > 0:
        s.text(f"Disclosure control: {disclosure_setting(config.suppress_below)}. No client "
               "identifiers appear in this report.")
    else:
        s.text("NOT FOR PUBLICATION: this report was made with --no-suppression and shows "
               "counts of every size. No client identifiers appear in it.")
    if warned:
        s.text("Warnings raised while building the cohort: " + "; ".join(warned) + ".")
    s.text(f"fipeval {__version__}; seed {config.seed}; extract date {register.extract_date.date()}.")
    return s


def write_report(report: Report, out: Path, load_report=None, *, timings: dict | None = None) -> dict:
    """Write report.html, report.md, estimates.json, report.xlsx (with openpyxl) and
    load_report.json into ``out``.

    ``timings`` (``Progress.timings()``: wall and CPU seconds per stage) go into
    estimates.json's settings only, so report.html and report.md stay identical between runs.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"The output path {out} is a file; pass a folder with --out.")
    out.mkdir(parents=True, exist_ok=True)
    # estimates.json keeps the report's codes; the readers' files share one localised copy
    readers, _ = localise(report)
    (out / "report.html").write_text(render_html(readers), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(readers, out / "figures"), encoding="utf-8")
    (out / "estimates.json").write_text(json.dumps(
        {"title": report.title,
         "settings": report.settings if timings is None else {**report.settings, "timings": timings},
         "estimates": report.estimates},
        indent=2, default=str) + "\n", encoding="utf-8")
    workbook = write_workbook(readers, out / "report.xlsx",
                              report.settings.get("config", {}).get("suppress_below", 10))
    if load_report is not None:
        (out / "load_report.json").write_text(load_report.to_json() if hasattr(load_report, "to_json")
                                              else json.dumps(load_report, indent=2, default=str),
                                              encoding="utf-8")
    files = {"html": out / "report.html", "markdown": out / "report.md",
             "estimates": out / "estimates.json"}
    if workbook is not None:
        files["workbook"] = workbook
    return files
