"""Command line: ``python -m fipeval {report, synth, inspect, init, check}``.

Exit code 0 on success; 2 with a one-line reason on stderr for bad input (a FipevalError);
3 for an internal error (``--traceback`` shows it in full).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import FipevalError

DATA = Path(__file__).resolve().parents[1] / "data" / "synthetic"


def _bundled(scenario: str) -> Path:
    path = DATA / scenario
    if not path.is_dir():
        raise FipevalError(f"The bundled synthetic data are not at {path}; regenerate them with "
                           f"`python -m fipeval synth {scenario} --out {path}`.")
    return path


def cmd_report(args) -> int:
    from .io import load
    from .report.config import load_config
    from .report.run import Progress, build_report, write_report

    if args.demo:
        folder = _bundled("brabantse_wal")
        paths = [folder / "uitkeringen.csv", folder / "contacten.csv", folder / "gebeurtenissen.csv"]
        config_path = args.config or folder / "study.toml"
        key = args.key or folder / "pseudonym.key"
    else:
        if not args.paths:
            raise FipevalError("Name the export file(s) or folder to report on, or pass --demo.")
        if args.config is None:
            raise FipevalError("Pass the study file with --config (write one with "
                               "`python -m fipeval init`).")
        paths, config_path, key = args.paths, args.config, args.key
    config = load_config(config_path)
    if args.suppress_below is not None:
        from dataclasses import replace
        config = replace(config, suppress_below=args.suppress_below)
    progress = Progress(None if not args.quiet else False)
    progress("loading")
    register = load(paths if len(paths) > 1 else paths[0], mapping=args.mapping,
                    key=Path(key) if key is not None else None, extract_date=config.extract_date)
    report = build_report(register, config, progress=progress)
    files = write_report(report, Path(args.out), register.load_report)
    print(f"wrote {files['html']}, {files['markdown']} and {files['estimates']}")
    return 0


def cmd_synth(args) -> int:
    from .synthetic import generate
    from .synthetic.export import write_export

    kwargs = {"scale": args.scale} if args.scale is not None else {}
    study = generate(args.scenario, seed=args.seed, **kwargs)
    out = write_export(study, args.out)
    print(f"wrote {study!r} to {out}")
    return 0


def cmd_init(args) -> int:
    from .report.config import STARTER

    out = Path(args.out)
    if out.exists() and not args.force:
        raise FipevalError(f"{out} exists; pass --force to overwrite it.")
    out.write_text(STARTER, encoding="utf-8")
    print(f"wrote {out}: edit the FIP caseworkers, start date and follow-up, then run "
          f"`python -m fipeval report EXPORT --config {out} --out report/`")
    return 0


def cmd_key_new(args) -> int:
    import os

    from .io.bsn import new_key

    out = Path(args.out)
    if out.exists():
        raise FipevalError(f"{out} exists; a key is never overwritten (pseudonyms made with it "
                           "would no longer join). Choose another --out.")
    # readable by its owner only, from the first byte on
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(new_key() + "\n")
    print(f"wrote a new pseudonymisation key to {out} (owner-only). Keep it secret and keep it: "
          "whoever has it can reverse the pseudonyms, and without it new exports no longer "
          f"join the old ones. Use it with `--key {out}` or FIPEVAL_BSN_KEY_FILE={out}.")
    return 0


def cmd_inspect(args) -> int:
    from .io.inspection import inspect_main

    return inspect_main(args.rest)


def cmd_check(args) -> int:
    from .report.check import check_main

    return check_main(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m fipeval", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("report", help="analyse an export and write report.html/.md/estimates.json")
    r.add_argument("paths", nargs="*", help="export files or folders")
    r.add_argument("--config", type=Path, help="study file (TOML)")
    r.add_argument("--mapping", type=Path, help="mapping file (TOML) for the export's columns")
    r.add_argument("--key", type=Path, help="file with the BSN pseudonymisation key "
                   "(default: $FIPEVAL_BSN_KEY / $FIPEVAL_BSN_KEY_FILE)")
    r.add_argument("--out", required=True, type=Path, help="output folder")
    r.add_argument("--demo", action="store_true", help="run on the bundled brabantse_wal data")
    r.add_argument("--suppress-below", type=int, default=None,
                   help="suppress counts under this many people (default from the study file: 10)")
    r.add_argument("--quiet", action="store_true", help="no progress messages")
    r.set_defaults(func=cmd_report)

    s = sub.add_parser("synth", help="write a synthetic scenario as a Dutch municipal export")
    s.add_argument("scenario", choices=["brabantse_wal", "three_municipalities", "national"])
    s.add_argument("--out", required=True, type=Path)
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--scale", type=float, default=None, help="size factor (national only)")
    s.set_defaults(func=cmd_synth)

    i = sub.add_parser("init", help="write a commented starting study file")
    i.add_argument("--out", type=Path, default=Path("study.toml"))
    i.add_argument("--force", action="store_true")
    i.set_defaults(func=cmd_init)

    k = sub.add_parser("key", help="make a pseudonymisation key")
    ksub = k.add_subparsers(dest="key_command", required=True)
    kn = ksub.add_parser("new", help="write a new random key (32 bytes, hex) to a file")
    kn.add_argument("--out", type=Path, required=True, help="key file to create (never overwritten)")
    kn.set_defaults(func=cmd_key_new)

    ins = sub.add_parser("inspect", help="show how an export is read; optionally write a mapping",
                         add_help=False)
    ins.add_argument("rest", nargs=argparse.REMAINDER)
    ins.set_defaults(func=cmd_inspect)

    c = sub.add_parser("check", help="re-run a study and compare estimates with a baseline")
    c.add_argument("paths", nargs="*")
    c.add_argument("--baseline", type=Path, required=True)
    c.add_argument("--config", type=Path)
    c.add_argument("--mapping", type=Path)
    c.add_argument("--key", type=Path)
    c.add_argument("--demo", action="store_true")
    c.add_argument("--rtol", type=float, default=1e-6)
    c.add_argument("--atol", type=float, default=1e-9)
    c.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in argv
    if show_traceback:
        argv.remove("--traceback")
    if argv[:1] == ["inspect"]:
        # the loader's own argument parser (its --help, --write-mapping, ...)
        args = argparse.Namespace(func=cmd_inspect, rest=argv[1:])
    else:
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FipevalError as err:
        print(f"fipeval: {_one_line(err)}", file=sys.stderr)
        return 2
    except Exception as err:  # a defect in fipeval, not in the input: say so in one line
        if show_traceback:
            raise
        print(f"fipeval: internal error ({type(err).__name__}: {_one_line(err)}); please report "
              "it with the output of the same command run with --traceback", file=sys.stderr)
        return 3


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
