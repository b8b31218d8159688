"""Benchmark: how each stage of the report grows with the size of the register.

Runs the instrumented report of ``run_national.py`` (same stages, same measurements, a
fresh process per size) on the ``national`` scenario at 1/8, 1/4, 1/2, 1 and 2 times the
default size, and fits per stage the slope of log(time) on log(n), n being the clients in
the register. A stage that grows like n log n has, over these sizes, the slope of
log(n log n) on log(n) (about 1.07). A fixed cost (for example a bootstrap over a fixed
number of draws) flattens the slope fitted over all sizes and can hide a steeper growth at
the large end, so the slope between the two largest sizes (``slope_top``) is judged too:
a stage passes when both are at most the n log n slope over the same sizes plus
``SLOPE_MARGIN`` for timing noise. Stages that take under ``MIN_SECONDS`` at the largest size are reported but
not judged (their time is mostly fixed overhead).

The fit uses CPU seconds (user + system, all threads): on a shared machine wall time also
counts waiting for a CPU. Wall-time slopes are recorded beside them.

Run: ``/work/venv/bin/python benchmarks/scaling.py [--scales 0.125 0.25 0.5 1 2] [--cores 2]``.
Writes ``benchmarks/results/scaling.json`` and prints a table.

``--panel`` measures instead the client-by-month panel of the client-level DiD (only the
panel and its sums, not the report) per engine, each in a fresh process:
``client_totals(by=("month", "fip"))`` and ``client_panel`` (pandas: the frame; DuckDB: the
panel written to Parquet). The register at scale S is the cached national export at scale 1
loaded once and repeated S times with disjoint clients and caseworkers (``--source S``
loads the real export of scale S instead, to check that repeating is representative;
generating an export at scale 8 takes the better part of an hour). ``--memory-cap-gb``
caps the pandas runs' address space, so a run that would take the machine's memory down
ends with a MemoryError instead. Writes ``benchmarks/results/scaling_panel.json``; see
docs/SCALING.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_national import (DEFAULT_CACHE, NATIONAL_SEED, RESULTS, STAGES,  # noqa: E402
                          command_line, ensure_export, machine, run_in_process, summarise,
                          write_json)

DEFAULT_SCALES = (0.125, 0.25, 0.5, 1.0, 2.0)
SLOPE_MARGIN = 0.15
MIN_SECONDS = 0.5


def loglog_slope(n, seconds) -> float:
    """Least-squares slope of log(seconds) on log(n)."""
    x, y = np.log(np.asarray(n, dtype=float)), np.log(np.maximum(np.asarray(seconds, dtype=float), 1e-9))
    return float(np.polyfit(x, y, 1)[0])


def nlogn_slope(n) -> float:
    """The log-log slope of n log n over the sizes ``n`` (the verdict's reference)."""
    n = np.asarray(n, dtype=float)
    return loglog_slope(n, n * np.log(n))


def verdict(slope: float, reference: float, largest_seconds: float,
            slope_top: float | None = None, reference_top: float | None = None) -> str:
    if largest_seconds < MIN_SECONDS:
        return "too fast to judge"
    ok = slope <= reference + SLOPE_MARGIN
    if slope_top is not None:
        ok = ok and slope_top <= reference_top + SLOPE_MARGIN
    return "<= n log n" if ok else "WORSE than n log n"


def fit(runs: dict) -> dict:
    """Per stage and per section: times by size, slopes (CPU and wall) and the verdict."""
    scales = sorted(runs, key=float)
    n = [runs[s]["sizes"]["clients"] for s in scales]
    ref = nlogn_slope(n)
    ref_top = nlogn_slope(n[-2:]) if len(n) > 2 else None
    out = {"n_clients": n, "scales": [float(s) for s in scales], "nlogn_slope": ref,
           "nlogn_slope_top": ref_top, "stages": {}, "sections": {}}

    def entry(getter):
        cpu = [getter(runs[s], "cpu_s") for s in scales]
        wall = [getter(runs[s], "wall_s") for s in scales]
        peak = [getter(runs[s], "peak_rss_mb") for s in scales]
        if any(v is None for v in cpu):
            return None
        s_cpu = loglog_slope(n, cpu)
        top = loglog_slope(n[-2:], cpu[-2:]) if ref_top is not None else None
        return {"cpu_s": cpu, "wall_s": wall, "peak_rss_mb": peak, "slope_cpu": s_cpu,
                "slope_top_cpu": top, "slope_wall": loglog_slope(n, wall),
                "verdict": verdict(s_cpu, ref, cpu[-1], top, ref_top)}

    stages = [st for st in STAGES if all(st in runs[s]["by_stage"] for s in scales)]
    for st in stages:
        out["stages"][st] = entry(lambda r, k, st=st: r["by_stage"][st][k])
    out["stages"]["total"] = entry(lambda r, k: r["total"][k])
    names = {x["name"] for x in runs[scales[0]]["stages"]}
    for name in sorted(names):
        def get(r, k, name=name):
            rec = next((x for x in r["stages"] if x["name"] == name), None)
            return None if rec is None else rec.get(k)
        e = entry(get)
        if e is not None:
            out["sections"][name] = e
    return out


def format_table(fitted: dict) -> str:
    scales = fitted["scales"]
    top_ref = fitted.get("nlogn_slope_top")
    head = f"{'stage':<14}" + "".join(f"{'x' + format(s, 'g'):>10}" for s in scales) + \
        f"{'slope':>7}{'top':>7}{'(wall)':>8}  verdict"
    lines = [f"CPU seconds per stage; slope of log(CPU s) on log(clients) over all sizes and "
             f"between the two largest (top); n log n: {fitted['nlogn_slope']:.2f}"
             + (f" and {top_ref:.2f}" if top_ref is not None else "")
             + f", margin {SLOPE_MARGIN}", head, "-" * len(head)]
    for name, e in fitted["stages"].items():
        top = "" if e.get("slope_top_cpu") is None else f"{e['slope_top_cpu']:.2f}"
        lines.append(f"{name:<14}" + "".join(f"{v:>10.2f}" for v in e["cpu_s"]) +
                     f"{e['slope_cpu']:>7.2f}{top:>7}{e['slope_wall']:>8.2f}  {e['verdict']}")
    lines.append("-" * len(head))
    lines.append(f"{'wall s':<14}" + "".join(
        f"{v:>10.1f}" for v in fitted["stages"]["total"]["wall_s"]))
    lines.append(f"{'peak MB':<14}" + "".join(
        f"{v:>10.0f}" for v in fitted["stages"]["total"]["peak_rss_mb"]))
    lines.append(f"{'clients':<14}" + "".join(f"{v:>10,}" for v in fitted["n_clients"]))
    return "\n".join(lines)


# ---------------------------------------------------------------- the client panel, per engine

PANEL_ENGINES = ("pandas", "duckdb")


def repeated_register(register, times: int):
    """``times`` disjoint copies of a register: copy k > 0 has client ids and caseworkers
    suffixed with ``~k`` (so no caseload or client is shared), the same municipalities."""
    import pandas as pd
    from fipeval import Register
    if times == 1:
        return register
    tables = {}
    for name in ("spells", "events", "contacts"):
        t = getattr(register, name)
        parts = []
        for k in range(times):
            part = t.copy()
            if k:
                part["client_id"] = (part["client_id"] + f"~{k}").astype(t["client_id"].dtype)
                if "caseworker" in part.columns:
                    part["caseworker"] = (part["caseworker"].astype(str) + f"~{k}").astype("category")
            parts.append(part)
        tables[name] = pd.concat(parts, ignore_index=True)
        del parts
    return Register(tables["spells"], contacts=tables["contacts"], events=tables["events"],
                    extract_date=register.extract_date, owned=True)


def _return_freed_memory() -> None:
    """Give the heap that glibc keeps after frees back to the system (``malloc_trim``), so
    a stage's peak counts what is live, not what building the repeated register left."""
    import ctypes
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _panel_worker(args) -> dict:
    import gc
    import os
    import resource
    import tempfile

    from procstat import cpu_seconds, peak_mb, reset_peak, status_mb
    from run_national import EXPORT_FILES
    if args.memory_cap_gb and args.engine == "pandas":
        cap = int(args.memory_cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from fipeval.diff_in_diff import client_panel, client_totals
    from fipeval.io import load
    from fipeval.report.config import load_config
    folder = Path(args.folder)
    config = load_config(folder / "study.toml")
    t0 = time.perf_counter()
    register = load([folder / f for f in EXPORT_FILES], key=folder / "pseudonym.key",
                    extract_date=config.extract_date)
    register = repeated_register(register, args.times)
    gc.collect()
    _return_freed_memory()
    out = {"scale": args.scale, "engine": args.engine, "times": args.times,
           "source": str(folder), "spells": len(register.spells),
           "events": len(register.events), "contacts": len(register.contacts),
           "register_s": time.perf_counter() - t0, "register_rss_mb": status_mb("VmRSS"),
           "load_average_before": os.getloadavg(), "stages": {}}
    design = config.design()
    with tempfile.TemporaryDirectory() as tmp:
        for stage in ("client_totals", "client_panel"):
            rss0 = status_mb("VmRSS")
            reset_peak()
            c0, w0 = cpu_seconds(), time.perf_counter()
            rec, res = {}, None
            try:
                if stage == "client_totals":
                    res = client_totals(register, by=("month", "fip"), design=design,
                                        engine=args.engine)
                    rec["client_months"] = int(res["client_months"].sum())
                elif args.engine == "duckdb":
                    path = Path(tmp) / "panel.parquet"
                    client_panel(register, engine="duckdb", path=path)
                    rec["parquet_mb"] = path.stat().st_size / 2**20
                else:
                    res = client_panel(register)
                    rec["rows"] = len(res)
                    rec["frame_mb"] = res.memory_usage(deep=True).sum() / 2**20
            except MemoryError as err:
                rec["error"] = f"MemoryError {err}"
            except Exception as err:      # recorded, the other stage still runs
                rec["error"] = f"{type(err).__name__}: {err}"[:300]
            del res
            rec |= {"cpu_s": cpu_seconds() - c0, "wall_s": time.perf_counter() - w0,
                    "peak_rss_mb": peak_mb(), "extra_mb": peak_mb() - rss0,
                    "load_average": os.getloadavg()}
            out["stages"][stage] = rec
            gc.collect()
            _return_freed_memory()
    out["process_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def format_panel_table(runs: list) -> str:
    """Markdown: one row per scale, engine and stage."""
    lines = ["| scale | engine | spells | stage | CPU s | wall s | peak MB | load avg | result |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in runs:
        for stage, rec in r.get("stages", {}).items():
            result = rec.get("error", "").split(" Unable")[0] or (
                f"{rec['client_months']:,} client-months" if "client_months" in rec else
                f"{rec['parquet_mb']:.0f} MB Parquet" if "parquet_mb" in rec else
                f"{rec.get('rows', 0):,} rows, {rec.get('frame_mb', 0):.0f} MB frame")
            lines.append(f"| {r['scale']:g} | {r['engine']} | {r.get('spells', 0):,} | {stage} | "
                         f"{rec['cpu_s']:.1f} | {rec['wall_s']:.1f} | {rec['peak_rss_mb']:.0f} | "
                         f"{rec['load_average'][0]:.1f} | {result} |")
        if "error" in r:
            lines.append(f"| {r['scale']:g} | {r['engine']} | | | | | | | {r['error'][:80]} |")
    return "\n".join(lines)


def panel_main(args) -> None:
    import subprocess
    from run_national import ensure_export
    source = args.source or 1.0
    folder = ensure_export(source, args.seed, args.cache)
    runs = []
    for scale in args.scales:
        times = max(int(round(scale / source)), 1)
        for engine in args.engines:
            if engine == "pandas" and args.pandas_up_to is not None and scale > args.pandas_up_to:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                result = Path(tmp) / "panel.json"
                cmd = [sys.executable, str(Path(__file__).resolve()), "--panel-worker",
                       json.dumps({"folder": str(folder), "times": times, "scale": scale,
                                   "engine": engine, "out": str(result),
                                   "memory_cap_gb": args.memory_cap_gb})]
                env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.cores),
                           OMP_NUM_THREADS=str(args.cores))
                done = subprocess.run(cmd, capture_output=True, text=True, env=env)
                if done.returncode != 0 or not result.exists():
                    rec = {"scale": scale, "engine": engine, "times": times,
                           "error": f"worker exit {done.returncode}: {done.stderr[-1500:]}"}
                else:
                    rec = json.loads(result.read_text())
            runs.append(rec)
            print(json.dumps(rec, default=str), flush=True)
    write_json(args.out, {"benchmark": "client-month panel and its sums by engine and register "
                                       "size (national scenario repeated)",
                          "command": command_line("scaling.py", args.argv),
                          "machine": machine(), "cores": args.cores, "runs": runs})
    print(format_panel_table(runs))
    print(f"wrote {args.out}")


def main(argv=None) -> None:
    if argv is None and len(sys.argv) > 2 and sys.argv[1] == "--panel-worker":
        a = argparse.Namespace(**json.loads(sys.argv[2]))
        if getattr(os, "sched_setaffinity", None):
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
        Path(a.out).write_text(json.dumps(_panel_worker(a), default=str))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", type=float, nargs="+", default=list(DEFAULT_SCALES))
    p.add_argument("--seed", type=int, default=NATIONAL_SEED)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--out", type=Path, default=RESULTS / "scaling.json")
    p.add_argument("--refit", type=Path, help="refit and print an earlier scaling.json (no runs)")
    p.add_argument("--panel", action="store_true",
                   help="measure the client-month panel per engine instead of the report")
    p.add_argument("--engines", nargs="+", default=list(PANEL_ENGINES), choices=PANEL_ENGINES)
    p.add_argument("--source", type=float, default=None,
                   help="--panel: the export scale to load and repeat (default 1)")
    p.add_argument("--pandas-up-to", type=float, default=None,
                   help="--panel: run the pandas engine only up to this scale")
    p.add_argument("--memory-cap-gb", type=float, default=None,
                   help="--panel: address-space cap of the pandas runs")
    args = p.parse_args(argv)
    if args.panel:
        args.argv = argv
        if args.out == RESULTS / "scaling.json":
            args.out = RESULTS / "scaling_panel.json"
        panel_main(args)
        return
    if args.refit:
        old = json.loads(args.refit.read_text(encoding="utf-8"))
        old["fit"] = fit(old["runs"])
        write_json(args.refit, old)
        print(format_table(old["fit"]))
        return
    before = machine()
    runs = {}
    for scale in sorted(args.scales):
        t0 = time.perf_counter()
        folder = ensure_export(scale, args.seed, args.cache)
        runs[str(scale)] = summarise(run_in_process(folder, args.cores))
        print(f"x{scale:g}: {runs[str(scale)]['sizes']['clients']:,} clients, report "
              f"{runs[str(scale)]['total']['wall_s']:.1f} s wall, "
              f"{runs[str(scale)]['total']['cpu_s']:.1f} s CPU "
              f"(with data: {time.perf_counter() - t0:.0f} s)", flush=True)
    fitted = fit(runs)
    result = {"benchmark": "growth of each report stage with register size (national scenario)",
              "command": command_line("scaling.py", argv),
              "cores": args.cores, "seed": args.seed, "machine": before,
              "slope_margin": SLOPE_MARGIN, "min_seconds": MIN_SECONDS, "fit": fitted, "runs": runs}
    write_json(args.out, result)
    print()
    print(format_table(fitted))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
