"""Command line: ``python -m fipeval COMMAND`` (report, check, inspect, synth, init, key new).

One voice for every command:

- exit 0 on success; 1 when ``check`` finds estimates that moved;
- exit 2 for a user error (a missing or wrong argument, unreadable or unfit input, a bad
  study file): one line on stderr naming the flag or study-file key to change;
- exit 3 for an internal error (a defect in fipeval): one line asking to re-run with
  ``--traceback``, which shows the full traceback.

Progress goes to stderr (a bar on a terminal, one line per stage otherwise, nothing with
``--quiet``); results and file names go to stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import FipevalError, UsageError, command_line_message

DATA = Path(__file__).resolve().parents[1] / "data" / "synthetic"
DEMO = "brabantse_wal"
SCENARIOS = ("brabantse_wal", "three_municipalities", "national", "ww_example", "aov_example")

EXIT_OK, EXIT_DIFFERENCES, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR = 0, 1, 2, 3


def program_name() -> str:
    """How the user called us: ``fipeval`` (the installed script) or ``python -m fipeval``."""
    return "fipeval" if Path(sys.argv[0] if sys.argv else "").name == "fipeval" \
        else "python -m fipeval"


# -- shared inputs ----------------------------------------------------------------------
def _bundled(scenario: str) -> Path:
    path = DATA / scenario
    if not path.is_dir():
        raise FipevalError(f"The bundled synthetic data are not at {path}; regenerate them with "
                           f"`python -m fipeval synth {scenario} --out {path}`.")
    return path


def _inputs(args, *, need_config: bool = True):
    """(export paths, study file, key file) from ``paths``/``--config``/``--key``/``--demo``."""
    if args.demo:
        folder = _bundled(DEMO)
        return [folder], args.config or folder / "study.toml", args.key or folder / "pseudonym.key"
    if not args.paths:
        raise UsageError("Name the export file(s) or folder to read (PATH ...), or pass --demo "
                         "for the bundled synthetic data.")
    if need_config and args.config is None:
        raise UsageError("Pass the study file with --config FILE (write a starting one with "
                         f"`{program_name()} init`).")
    from .io.loading import export_files

    export_files(args.paths)  # a missing file or an empty folder fails before any work
    return list(args.paths), args.config, args.key


def _load(paths, config, mapping, key, progress, sheet=None):
    from .io import load

    progress("loading")
    return load(paths if len(paths) > 1 else paths[0], mapping=mapping,
                key=Path(key) if key is not None else None, extract_date=config.extract_date,
                sheet=sheet, preset=config.preset)


def _progress(args, total: int | None = None):
    from .progress import Progress

    return Progress("off" if args.quiet else "auto", total=total)


def _say(args, text: str) -> None:
    if not args.quiet:
        print(text)


# -- commands ---------------------------------------------------------------------------
def cmd_report(args) -> int:
    from .report.config import load_config
    from .report.run import build_report, section_builders, write_report

    paths, config_path, key = _inputs(args)
    if args.out is None and not args.dry_run:
        raise UsageError("Pass the folder to write the report into with --out DIR.")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is a file; pass a folder (created if needed).")
    config = load_config(config_path)
    from dataclasses import replace
    if args.suppress_below is not None and args.no_suppression:
        raise UsageError("--suppress-below and --no-suppression contradict each other; "
                         "choose one.")
    if args.suppress_below is not None:
        config = replace(config, suppress_below=args.suppress_below)
    if args.no_suppression:
        config = replace(config, suppress_below=0)
    if args.lang is not None:
        config = replace(config, language=args.lang)
    if args.dry_run:
        from .report.dry_run import dry_run
        print(dry_run(paths, config, config_path=config_path, mapping=args.mapping, key=key,
                      out=args.out, sheet=args.sheet))
        return EXIT_OK
    # stages: loading, the cohort, each section, the first page, writing (and the PDF)
    progress = _progress(args, total=len(section_builders()) + 4 + bool(args.pdf))
    with progress.active():
        register = _load(paths, config, args.mapping, key, progress, args.sheet)
        report = build_report(register, config, progress=progress)
        progress("writing the report")
        files = write_report(report, Path(args.out), register.load_report,
                             timings=progress.timings())
        if args.pdf:
            from .report.pdf import write_pdf

            progress("printing report.pdf")
            files["pdf"] = write_pdf(files["html"], Path(args.out) / "report.pdf")
    progress.finish()
    written = [files["html"], files["markdown"], files["estimates"]] + \
        [files[k] for k in ("workbook", "pdf") if k in files]
    _say(args, "wrote " + ", ".join(map(str, written[:-1])) + f" and {written[-1]}")
    return EXIT_OK


def cmd_check(args) -> int:
    from .report.check import check_estimates, read_baseline
    from .report.config import load_config
    from .report.run import build_report, section_builders

    baseline = read_baseline(args.baseline)
    paths, config_path, key = _inputs(args)
    config = load_config(config_path)
    progress = _progress(args, total=len(section_builders()) + 3)  # + loading, cohort, first page
    with progress.active():
        register = _load(paths, config, args.mapping, key, progress, args.sheet)
        current = build_report(register, config, progress=progress).estimates
    progress.finish()
    moved, text = check_estimates(baseline, current, rtol=args.rtol, atol=args.atol,
                                  source=args.baseline)
    if len(moved) or not args.quiet:  # differences are the result: shown even when quiet
        print(text)
    return EXIT_DIFFERENCES if len(moved) else EXIT_OK


def cmd_inspect(args) -> int:
    from .io.inspection import inspect_paths

    if args.demo:
        paths = [_bundled(DEMO)]
    elif not args.paths:
        raise UsageError("Name the export file(s) or folder to inspect (PATH ...), or pass --demo.")
    else:
        paths = args.paths
    results = inspect_paths(paths, mapping=args.mapping, sheet=args.sheet)
    print("\n\n".join(r.to_text() for r in results))
    if args.write_mapping:
        target = Path(args.write_mapping)
        target.write_text(results[0].mapping_toml(), encoding="utf-8")
        print(f"\nwrote mapping file {target} (for {results[0].file}); pass it with "
              f"--mapping {target}")
    return EXIT_OK


def cmd_synth(args) -> int:
    from .synthetic import generate
    from .synthetic.export import write_export

    if args.scale is not None and args.scenario != "national":
        raise UsageError("--scale applies to the national scenario only; drop it or use "
                         "`synth national`.")
    kwargs = {"scale": args.scale} if args.scale is not None else {}
    progress = _progress(args, total=2)
    with progress.active():
        progress(f"simulating {args.scenario}")
        study = generate(args.scenario, seed=args.seed, **kwargs)
        progress("writing the export")
        out = write_export(study, args.out)
    progress.finish(summary=False)
    register, truth = study.register, study.truth
    files = ", ".join(sorted(p.name for p in Path(out).iterdir() if p.is_file()))
    _say(args, f"wrote the synthetic study {study.scenario} (seed {study.seed}) to {out}: "
               f"{register.spells['municipality'].nunique()} municipalities, "
               f"{len(register.spells):,} benefit spells, {len(truth):,} cohort clients; "
               f"files {files}")
    _say(args, f"report on it with `{program_name()} report {out} --config {out / 'study.toml'} "
               f"--key {out / 'pseudonym.key'} --out REPORT_DIR`")
    return EXIT_OK


def cmd_init(args) -> int:
    from .report.config import STARTER

    out = Path(args.out)
    if out.exists() and not args.force:
        raise UsageError(f"{out} exists; pass --force to overwrite it, or choose another --out.")
    out.write_text(STARTER, encoding="utf-8")
    print(f"wrote {out}: edit the FIP caseworkers, start date and follow-up, then run "
          f"`{program_name()} report EXPORT --config {out} --key KEYFILE --out report/`")
    return EXIT_OK


def cmd_key_new(args) -> int:
    import os

    from .io.bsn import new_key

    out = Path(args.out)
    if out.exists():
        raise UsageError(f"{out} exists; a key is never overwritten (pseudonyms made with it "
                         "would no longer join). Choose another --out.")
    # readable by its owner only, from the first byte on
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(new_key() + "\n")
    print(f"wrote a new pseudonymisation key to {out} (owner-only). Keep it secret and keep it: "
          "whoever has it can reverse the pseudonyms, and without it new exports no longer "
          f"join the old ones. Use it with `--key {out}` or FIPEVAL_BSN_KEY_FILE={out}.")
    return EXIT_OK


# -- the parser -------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """argparse with fipeval's error voice: a usage mistake raises UsageError (exit 2)."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}; see `{self.prog} --help`.")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)


def _examples(*lines: str) -> str:
    prog = program_name()
    return "examples:\n" + "\n".join(f"  {line.format(prog=prog)}" for line in lines)


def _add_input_options(p, *, config: bool = True, key: bool = True) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="export files or folders (every .csv/.txt/.xlsx/.parquet/.sav/.dta in a "
                        "folder), e.g. exports/uitkeringen.csv or exports/")
    if config:
        p.add_argument("--config", type=Path, metavar="FILE",
                       help="the study file (TOML) naming FIP caseworkers, start date and "
                            "follow-up, e.g. --config study.toml (write one with `init`)")
    p.add_argument("--mapping", type=Path, metavar="FILE",
                   help="mapping file (TOML) for export columns and codes the built-in presets do "
                        "not know, e.g. --mapping mapping.toml (start one with `inspect "
                        "--write-mapping`)")
    p.add_argument("--sheet", metavar="NAME",
                   help="the sheet of an Excel export to read, e.g. --sheet Uitkeringen "
                        "(default: the first sheet whose headers hold a table)")
    if key:
        p.add_argument("--key", type=Path, metavar="FILE",
                       help="file holding the BSN pseudonymisation key, e.g. --key pseudonym.key "
                            "(default: $FIPEVAL_BSN_KEY_FILE; make one with `key new`)")
    p.add_argument("--demo", action="store_true",
                   help=f"use the bundled synthetic {DEMO} data, its study file and key")


def _add_quiet(p) -> None:
    p.add_argument("--quiet", action="store_true",
                   help="print nothing but errors and, for `check`, the differences (no "
                        "progress, timings or file names)")


def build_parser() -> argparse.ArgumentParser:
    prog = program_name()
    p = _Parser(prog=prog, formatter_class=_Formatter,
                description="Evaluate FIP (Frequent, Intensief en Persoonlijk contact) and "
                            "similar interventions on benefit-register exports.",
                epilog=_examples("{prog} report --demo --out report/",
                                 "{prog} inspect exports/",
                                 "{prog} report exports/ --config study.toml --key pseudonym.key "
                                 "--out report/")
                + "\n\nEvery command takes --traceback to show the full traceback of an "
                  "internal error.\nExit codes: 0 success, 1 `check` found differences, 2 a "
                  "mistake in the input or arguments, 3 an internal error.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                           title="commands")

    r = sub.add_parser(
        "report", formatter_class=_Formatter,
        help="analyse exports and write report.html, report.md and estimates.json",
        description="Load the exports, build the cohort the study file defines, run every "
                    "analysis and write report.html, report.md, estimates.json and "
                    "load_report.json into --out.",
        epilog=_examples("{prog} report --demo --out report/",
                         "{prog} report exports/ --config study.toml --key pseudonym.key "
                         "--out report/",
                         "{prog} report exports/ --config study.toml --key pseudonym.key "
                         "--dry-run"))
    _add_input_options(r)
    r.add_argument("--out", type=Path, metavar="DIR",
                   help="folder to write the report into (created if needed), e.g. --out report/")
    r.add_argument("--suppress-below", type=int, default=None, metavar="N",
                   help="show counts of fewer than N people as '<N' (default: the study file's "
                        "suppress_below, 10), e.g. --suppress-below 15")
    r.add_argument("--no-suppression", action="store_true",
                   help="show counts of every size in the report and estimates.json, for "
                        "internal use only (the output says so); never for publication")
    r.add_argument("--lang", choices=("en", "nl"), default=None,
                   help="language of the report: en (English) or nl (Nederlands); default: "
                        "the study file's `language`, else en")
    r.add_argument("--pdf", action="store_true",
                   help="also write report.pdf, printed from report.html by a headless "
                        "Chromium (A4, the print stylesheet)")
    r.add_argument("--dry-run", action="store_true",
                   help="show the files, formats, mappings, sites, caseworkers, client counts and "
                        "the sections that would run, without running them or writing anything")
    _add_quiet(r)
    r.set_defaults(func=cmd_report)

    c = sub.add_parser(
        "check", formatter_class=_Formatter,
        help="re-run a study and compare its estimates with a committed baseline",
        description="Re-run the report's analyses and compare every estimate, standard error, "
                    "interval and p-value with a baseline estimates.json. Exit 1 and a table of "
                    "what moved when anything moved beyond --rtol/--atol, appeared or "
                    "disappeared.",
        epilog=_examples("{prog} check --demo --baseline tests/baseline/brabantse_wal.json",
                         "{prog} check exports/ --config study.toml --key pseudonym.key "
                         "--baseline baseline/estimates.json --rtol 1e-6"))
    _add_input_options(c)
    c.add_argument("--baseline", type=Path, required=True, metavar="FILE",
                   help="the estimates.json to compare with (written by `report`), e.g. "
                        "--baseline baseline/estimates.json")
    c.add_argument("--rtol", type=float, default=1e-6,
                   help="relative tolerance per number (default 1e-6), e.g. --rtol 1e-4")
    c.add_argument("--atol", type=float, default=1e-9,
                   help="absolute tolerance per number (default 1e-9), e.g. --atol 1e-6")
    _add_quiet(c)
    c.set_defaults(func=cmd_check)

    i = sub.add_parser(
        "inspect", formatter_class=_Formatter,
        help="show how exports are read (format, columns, codes); write a starting mapping",
        description="Show what fipeval detects in each export without loading it: format, "
                    "encoding, separator, decimal mark, the table, which column fills which "
                    "role, date formats, unknown codes and how many rows fail the BSN check "
                    "(counts only, no values). Needs no key.",
        epilog=_examples("{prog} inspect exports/",
                         "{prog} inspect exports/uitkeringen.csv --write-mapping mapping.toml",
                         "{prog} inspect exports/ --mapping mapping.toml"))
    _add_input_options(i, config=False, key=False)
    i.add_argument("--write-mapping", type=Path, metavar="FILE",
                   help="write a starting mapping file for the (first) export, with unknown codes "
                        "listed to fill in, e.g. --write-mapping mapping.toml")
    i.set_defaults(func=cmd_inspect)

    s = sub.add_parser(
        "synth", formatter_class=_Formatter,
        help="write a synthetic study (export, study file, key, truth) to a folder",
        description="Simulate a study with known effects and write it as a Dutch municipal "
                    "export (uitkeringen.csv, contacten.csv, gebeurtenissen.csv, the caseworker "
                    "history toewijzingen.csv and the life-domain assessments leefgebieden.csv; "
                    "a UWV WW or insurer AOV export for ww_example / aov_example) with its study "
                    "file, demo key and the true effects.",
        epilog=_examples("{prog} synth brabantse_wal --out synth/",
                         "{prog} synth national --scale 0.1 --seed 7 --out national/"))
    s.add_argument("scenario", choices=SCENARIOS,
                   help="brabantse_wal (one municipality), three_municipalities, national, "
                        "ww_example (WW) or aov_example (AOV)")
    s.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="folder to write into (created if needed), e.g. --out synth/")
    s.add_argument("--seed", type=int, default=None,
                   help="random seed (default: the scenario's own), e.g. --seed 7")
    s.add_argument("--scale", type=float, default=None,
                   help="size factor for the national scenario (default 1), e.g. --scale 0.1")
    _add_quiet(s)
    s.set_defaults(func=cmd_synth)

    n = sub.add_parser(
        "init", formatter_class=_Formatter, help="write a commented starting study file",
        description="Write a commented study file (TOML) to edit: sites, FIP caseworkers, start "
                    "date, follow-up, inference, matching and costing options with their "
                    "defaults.",
        epilog=_examples("{prog} init", "{prog} init --out studies/roosendaal.toml"))
    n.add_argument("--out", type=Path, default=Path("study.toml"), metavar="FILE",
                   help="where to write it (default study.toml), e.g. --out study.toml")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")
    n.set_defaults(func=cmd_init)

    k = sub.add_parser(
        "key", formatter_class=_Formatter, help="make a BSN pseudonymisation key",
        description="Keys for pseudonymising citizen numbers (BSN) on loading.",
        epilog=_examples("{prog} key new --out pseudonym.key"))
    ksub = k.add_subparsers(dest="key_command", metavar="KEY_COMMAND", parser_class=_Parser,
                            title="key commands", required=True)
    kn = ksub.add_parser(
        "new", formatter_class=_Formatter,
        help="write a new random key (32 bytes, hex) to a file readable by its owner only",
        description="Write a new random pseudonymisation key (32 bytes, hex) to a new file, "
                    "readable by its owner only. An existing file is never overwritten.",
        epilog=_examples("{prog} key new --out pseudonym.key"))
    kn.add_argument("--out", type=Path, required=True, metavar="FILE",
                    help="key file to create (never overwritten), e.g. --out pseudonym.key")
    kn.set_defaults(func=cmd_key_new)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in argv
    argv = [a for a in argv if a != "--traceback"]
    try:
        parser = build_parser()
        if not argv:
            parser.print_help()
            return EXIT_OK
        args, unknown = parser.parse_known_args(argv)
        command = " ".join(filter(None, (parser.prog, getattr(args, "command", None),
                                         getattr(args, "key_command", None))))
        if unknown:
            raise UsageError(f"{command}: unrecognized arguments: {' '.join(unknown)}; see "
                             f"`{command} --help`.")
        if not hasattr(args, "func"):
            raise UsageError(f"{parser.prog}: name a command; see `{parser.prog} --help`.")
        return args.func(args)
    except FipevalError as err:
        print(f"fipeval: {_redacted(command_line_message(err))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as err:
        if show_traceback or err.filename is None:
            if show_traceback:
                raise
            return _internal(err)
        # a path that cannot be read or written: the user's to fix
        print(f"fipeval: cannot use {err.filename}: {err.strerror}; check the path and its "
              "permissions.", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("fipeval: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a defect in fipeval, not in the input: say so in one line
        if show_traceback:
            raise
        return _internal(err)


def _redacted(text: str) -> str:
    """No run of 8+ digits (a BSN) reaches the terminal, whatever an error quotes."""
    from .io.bsn import redact

    return redact(text)


def _internal(err: Exception) -> int:
    print(f"fipeval: internal error ({type(err).__name__}: {_redacted(' '.join(str(err).split()))}); please "
          "report it with the output of the same command run with --traceback", file=sys.stderr)
    return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
