"""Benchmark: the full report on the ``national`` scenario, stage by stage.

The report is run exactly as ``python -m fipeval report`` runs it: ``fipeval.io.loading`` on the
Dutch CSV export, ``build_report`` (``build_cohort`` and every section of
``fipeval.report.run.section_builders()``, whatever sections exist today) and
``write_report``. The builders and ``build_cohort`` are wrapped, not re-implemented, so a
section added to the report is benchmarked without touching this file.

Each size runs in a fresh process (pinned to ``--cores`` CPUs, BLAS threads capped to
match). Per stage it records:

- ``wall_s``: elapsed seconds (``time.perf_counter``);
- ``cpu_s``: user + system CPU seconds of the process, all threads (``getrusage``); on a
  shared machine this is the steadier number, wall time also counts waiting for a CPU;
- ``peak_rss_mb``: the process's peak resident memory during the stage. The kernel's
  high-water mark (VmHWM) is reset before the stage (``/proc/self/clear_refs``) and read
  after it, so it covers every allocation (numpy, pandas, pyarrow, C libraries), and it
  includes what the process already held (the register, the cohort): that is what a
  machine must have. ``extra_mb`` is the peak above the resident size at the stage's start.

The synthetic export is written once per (scale, seed, simulator source) into a cache
folder (``--cache``, default ``$TMPDIR/fipeval-bench``) and reused; its generation time is
recorded but is not part of the report's time.

Run: ``/work/venv/bin/python benchmarks/run_national.py [--scales 1 2] [--cores 2]``.
Writes ``benchmarks/results/national.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from procstat import cpu_seconds, peak_mb, reset_peak, status_mb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DEFAULT_CACHE = Path(os.environ.get("FIPEVAL_BENCH_CACHE",
                                    Path(tempfile.gettempdir()) / "fipeval-bench"))
NATIONAL_SEED = 2024
EXPORT_FILES = ("uitkeringen.csv", "contacten.csv", "gebeurtenissen.csv")

# The stages. A report section belongs to the first stage whose keyword occurs in
# its name; sections matching none (row accounting, groups) are "descriptive".
STAGES = ("load", "design", "descriptive", "matching", "tests", "survival", "did", "costing",
          "assembly", "rendering")
SECTION_STAGE = (
    ("matching", ("balance", "match", "propensity", "weight")),
    ("survival", ("survival", "duration", "cox", "kaplan", "competing", "hazard", "rmst")),
    ("did", ("did", "difference_in", "panel", "event_study", "staggered", "trend", "caseworker_month")),
    ("costing", ("saving", "cost", "net")),
    ("tests", ("termination", "effect", "outcome", "inference", "compare", "fraud", "activation",
               "meta", "power", "test", "randomi", "bootstrap")),
)
# the project's aim: the national report in 20 CPU seconds and 1.5 GB on 2 cores (CPU
# seconds, not wall time: the machines are shared)
AIM_CPU_SECONDS, AIM_MB = 20.0, 1536.0


def stage_of_section(name: str) -> str:
    """The issue's stage a report section counts towards (by keyword in its name)."""
    low = name.lower()
    for stage, words in SECTION_STAGE:
        if any(w in low for w in words):
            return stage
    return "descriptive"


# ---------------------------------------------------------------- measuring one stage

def command_line(script: str, argv) -> str:
    """How a benchmark was run, for its result file."""
    return f"python benchmarks/{script} " + " ".join(argv if argv is not None else sys.argv[1:])


def write_json(path: Path, result: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")


class StageMeter:
    """Wall time, CPU time and peak resident memory of consecutive stages in one process."""

    def __init__(self):
        self.records: list[dict] = []
        self.peak_method = "VmHWM reset per stage" if reset_peak() else "ru_maxrss (monotone)"

    @contextmanager
    def stage(self, name: str, stage: str):
        rec = {"name": name, "stage": stage}
        rss0 = status_mb("VmRSS") or 0.0
        reset_peak()
        c0, t0 = cpu_seconds(), time.perf_counter()
        try:
            yield rec
        except BaseException as err:
            rec["error"] = f"{type(err).__name__}: {err}"
            raise
        finally:
            rec["wall_s"] = time.perf_counter() - t0
            rec["cpu_s"] = cpu_seconds() - c0
            peak = peak_mb()
            rec["peak_rss_mb"] = peak
            rec["extra_mb"] = max(peak - rss0, 0.0)
            self.records.append(rec)


# ---------------------------------------------------------------- the report, instrumented

def run_report(folder: Path, out: Path, times: int = 1) -> dict:
    """Run load -> build_report -> write_report on an export folder, timing every stage.

    ``times`` > 1: the loaded register is repeated that many times with disjoint clients and
    caseworkers (``scaling.repeated_register``; stage ``repeat``) before the report is built.

    ``build_cohort`` and each section builder of ``fipeval.report.run`` are wrapped for the
    duration of the call (and restored afterwards), so the sections are the report's own.
    """
    meter = StageMeter()
    try:
        return _run_report(Path(folder), Path(out), times, meter)
    except MemoryError as err:      # the stages finished before it, for the record
        err.stages = meter.records
        raise


def _run_report(folder: Path, out: Path, times: int, meter: "StageMeter") -> dict:
    import fipeval.report.run as run_mod
    from fipeval.io import load
    from fipeval.report.config import load_config

    baseline_mb = status_mb("VmRSS")
    config = load_config(folder / "study.toml")
    with meter.stage("load", "load"):
        register = load([folder / f for f in EXPORT_FILES], key=folder / "pseudonym.key",
                        extract_date=config.extract_date)
    if times > 1:
        from scaling import repeated_register
        with meter.stage("repeat", "load"):
            register = repeated_register(register, times)
    sizes = {"spells": len(register.spells), "contacts": len(register.contacts),
             "events": len(register.events), "clients": int(register.spells["client_id"].nunique())}

    original_builders, original_cohort = run_mod.section_builders, run_mod.build_cohort

    def timed_cohort(reg, design):
        with meter.stage("build_cohort", "design"):
            cohort = original_cohort(reg, design)
        sizes["cohort"] = len(cohort)
        sizes["cohort_fip"] = int(cohort["fip"].sum())
        return cohort

    def timed(name, builder):
        def run(ctx):
            with meter.stage(name, stage_of_section(name)):
                return builder(ctx)
        return run

    run_mod.build_cohort = timed_cohort
    run_mod.section_builders = lambda: [(n, timed(n, b)) for n, b in original_builders()]
    try:
        t0 = time.perf_counter()
        c0 = cpu_seconds()
        n_before = len(meter.records)
        report = run_mod.build_report(register, config)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    finally:
        run_mod.build_cohort, run_mod.section_builders = original_cohort, original_builders
    inner = meter.records[n_before:]
    # what build_report does besides the cohort and the sections (notes, settings)
    meter.records.append({"name": "assembly", "stage": "assembly",
                          "wall_s": max(wall - sum(r["wall_s"] for r in inner), 0.0),
                          "cpu_s": max(cpu - sum(r["cpu_s"] for r in inner), 0.0),
                          "peak_rss_mb": None, "extra_mb": None})
    with meter.stage("write_report", "rendering"):
        run_mod.write_report(report, out, register.load_report)
    errors = [e for e in report.estimates if e.get("name") == "error"]
    return {"sizes": sizes, "stages": meter.records, "section_errors": errors,
            "peak_method": meter.peak_method, "baseline_rss_mb": baseline_mb,
            "process_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            # the address space's high-water mark, what --memory-cap-gb caps: it counts
            # reserved pages too (Arrow's allocator reserves 1 GiB at a time)
            "process_peak_address_space_mb": status_mb("VmPeak")}


def stage_totals(records: list[dict]) -> dict:
    """Per issue stage: summed wall/CPU seconds and the largest peak memory."""
    totals = {}
    for r in records:
        t = totals.setdefault(r["stage"], {"wall_s": 0.0, "cpu_s": 0.0, "peak_rss_mb": None,
                                            "sections": []})
        t["wall_s"] += r["wall_s"]
        t["cpu_s"] += r["cpu_s"]
        if r.get("peak_rss_mb") is not None:
            t["peak_rss_mb"] = max(t["peak_rss_mb"] or 0.0, r["peak_rss_mb"])
        t["sections"].append(r["name"])
    return {s: totals[s] for s in STAGES if s in totals} | \
        {s: v for s, v in totals.items() if s not in STAGES}


# ---------------------------------------------------------------- data and worker processes

def _simulator_hash() -> str:
    h = hashlib.sha256()
    for p in sorted((ROOT / "fipeval" / "synthetic").glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:10]


def ensure_export(scale: float, seed: int = NATIONAL_SEED, cache: Path = DEFAULT_CACHE,
                  **size) -> Path:
    """The national scenario's Dutch export at ``scale``, written once and cached.

    Generated in a child process (so its memory is not held here). ``size`` passes further
    scenario parameters (``n_municipalities``, ``n_sites``), used by the smoke test.
    """
    extra = "".join(f"_{k}{v}" for k, v in sorted(size.items()))
    folder = Path(cache) / f"national_scale{scale:g}_seed{seed}{extra}_{_simulator_hash()}"
    if (folder / "export.json").exists():
        return folder
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    code = ("import json, sys, time\n"
            "from fipeval.synthetic import generate\n"
            "from fipeval.synthetic.export import write_export\n"
            "a = json.loads(sys.argv[1])\n"
            "t0 = time.perf_counter(); s = generate('national', seed=a['seed'], scale=a['scale'], **a['size'])\n"
            "t1 = time.perf_counter(); write_export(s, a['out']); t2 = time.perf_counter()\n"
            "print(json.dumps({'generate_s': t1 - t0, 'write_s': t2 - t1, 'cohort': len(s.truth),"
            " 'att_ended': s.true_effects['att']['ended']}))\n")
    args = json.dumps({"seed": seed, "scale": scale, "size": size, "out": str(tmp)})
    done = subprocess.run([sys.executable, "-c", code, args], capture_output=True, text=True,
                          cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"generating the national scenario at scale {scale} failed:\n{done.stderr}")
    meta = json.loads(done.stdout.strip().splitlines()[-1]) | {"scale": scale, "seed": seed,
                                                                "size": size}
    (tmp / "export.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


def run_in_process(folder: Path, cores: int | None = 2, times: int = 1,
                   memory_cap_gb: float | None = None) -> dict:
    """``run_report`` on ``folder`` in a fresh Python process; its JSON result.

    ``memory_cap_gb`` caps the worker's address space: a run that would need more ends
    with a MemoryError, which is returned as the result (``{"error": ...}``)."""
    env = dict(os.environ)
    if cores:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMEXPR_MAX_THREADS", "POLARS_MAX_THREADS", "RAYON_NUM_THREADS"):
            env[var] = str(cores)
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder),
               "--json", str(result), "--cores", str(cores or 0), "--times", str(times)]
        if memory_cap_gb:
            cmd += ["--memory-cap-gb", str(memory_cap_gb)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"the benchmark worker failed on {folder}:\n{done.stderr[-4000:]}")
        return json.loads(result.read_text(encoding="utf-8"))


def _worker(folder: Path, result: Path, cores: int, times: int = 1,
            memory_cap_gb: float | None = None) -> None:
    if memory_cap_gb:
        cap = int(memory_cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if cores and hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, available[:cores])
    import matplotlib
    matplotlib.use("Agg")
    import fipeval.report.run  # noqa: F401  (imports happen before the stages are timed)
    import fipeval.io  # noqa: F401
    t0, c0 = time.perf_counter(), cpu_seconds()
    try:
        with tempfile.TemporaryDirectory() as out:
            res = run_report(folder, Path(out), times)
    except MemoryError as err:      # the cap was reached: that is the result
        res = {"error": f"MemoryError {err}".strip(), "stages_done": getattr(err, "stages", []),
               "wall_s": time.perf_counter() - t0,
               "cpu_s": cpu_seconds() - c0, "memory_cap_gb": memory_cap_gb,
               "process_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "process_peak_address_space_mb": status_mb("VmPeak")}
    res["times"], res["memory_cap_gb"] = times, memory_cap_gb
    res["cpus_used"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    result.write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")


def machine() -> dict:
    import numpy as np
    import pandas as pd
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=ROOT).stdout.strip()
    except OSError:
        commit = ""
    mem = None
    if hasattr(os, "sysconf"):
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"platform": platform.platform(), "processor": platform.processor(),
            "cpu_count": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "numpy": np.__version__, "pandas": pd.__version__, "git_commit": commit,
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}


# ---------------------------------------------------------------- table

def format_table(runs: dict) -> str:
    """Stages down, one (wall s, CPU s, peak MB) column group per scale across (runs that
    ended in an error, such as a MemoryError under the cap, are listed below the table)."""
    scales = [s for s in runs if "stages" in runs[s]]
    names = []
    for s in scales:
        for r in runs[s]["stages"]:
            key = (r["stage"], r["name"])
            if key not in names:
                names.append(key)
    head = f"{'stage':<12}{'section':<22}" + "".join(
        f"{'x' + format(float(s), 'g') + ' wall s':>14}{'cpu s':>8}{'peak MB':>9}" for s in scales)
    lines = [head, "-" * len(head)]
    for stage, name in sorted(names, key=lambda k: STAGES.index(k[0]) if k[0] in STAGES else 99):
        row = f"{stage:<12}{name[:21]:<22}"
        for s in scales:
            r = next((x for x in runs[s]["stages"] if (x["stage"], x["name"]) == (stage, name)), None)
            if r is None:
                row += f"{'-':>14}{'-':>8}{'-':>9}"
                continue
            peak = "-" if r.get("peak_rss_mb") is None else f"{r['peak_rss_mb']:.0f}"
            flag = "!" if r.get("error") else ""
            row += f"{r['wall_s']:>13.2f}{flag:1}{r['cpu_s']:>8.2f}{peak:>9}"
        lines.append(row)
    lines.append("-" * len(head))
    row = f"{'total':<34}"
    for s in scales:
        t = runs[s]["total"]
        row += f"{t['wall_s']:>14.2f}{t['cpu_s']:>8.2f}{t['peak_rss_mb']:>9.0f}"
    lines.append(row)
    for s in scales:
        z = runs[s]["sizes"]
        lines.append(f"x{float(s):g}: {z['clients']:,} clients, {z['spells']:,} spells, "
                     f"{z['contacts']:,} contacts, {z['events']:,} events, cohort {z.get('cohort', 0):,} "
                     f"({z.get('cohort_fip', 0):,} FIP)")
    lines += [f"x{float(s):g}: {r['error']} after {r['cpu_s']:.1f} CPU s, {r['wall_s']:.1f} s wall "
              f"(address space capped at {r.get('memory_cap_gb')} GB)"
              for s, r in runs.items() if "stages" not in r]
    return "\n".join(lines)


def summarise(res: dict) -> dict:
    peaks = [r["peak_rss_mb"] for r in res["stages"] if r.get("peak_rss_mb") is not None]
    res["total"] = {"wall_s": sum(r["wall_s"] for r in res["stages"]),
                    "cpu_s": sum(r["cpu_s"] for r in res["stages"]),
                    "peak_rss_mb": max(peaks + [res.get("process_peak_mb") or 0.0])}
    res["by_stage"] = stage_totals(res["stages"])
    return res


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0])
    p.add_argument("--seed", type=int, default=NATIONAL_SEED)
    p.add_argument("--cores", type=int, default=2, help="CPUs the worker may use (0: all)")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--out", type=Path, default=RESULTS / "national.json")
    p.add_argument("--repeat", action="store_true",
                   help="scale S (a whole number): the scale-1 export repeated S times with "
                        "disjoint clients and caseworkers, instead of an export of scale S")
    p.add_argument("--memory-cap-gb", type=float, default=None,
                   help="address-space cap of the worker (a run over it records its MemoryError)")
    p.add_argument("--times", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.json, args.cores, args.times, args.memory_cap_gb)
        return
    runs, data = {}, {}
    before = machine()
    for scale in args.scales:
        t0 = time.perf_counter()
        times = int(scale) if args.repeat else 1
        if args.repeat and times != scale:
            p.error("--repeat needs whole-number scales")
        folder = ensure_export(1.0 if args.repeat else scale, args.seed, args.cache)
        data[str(scale)] = json.loads((folder / "export.json").read_text()) | {
            "folder": str(folder), "ready_s": time.perf_counter() - t0, "times": times}
        print(f"x{scale:g}: export ready in {data[str(scale)]['ready_s']:.1f} s ({folder}"
              + (f", repeated {times} times" if times > 1 else "") + ")", flush=True)
        res = run_in_process(folder, args.cores, times, args.memory_cap_gb)
        if "error" in res:
            runs[str(scale)] = res
            print(f"x{scale:g}: {res['error']} after {res['cpu_s']:.1f} CPU s "
                  f"(cap {args.memory_cap_gb} GB)", flush=True)
            continue
        runs[str(scale)] = summarise(res)
        print(f"x{scale:g}: report {runs[str(scale)]['total']['wall_s']:.1f} s", flush=True)
    default = runs.get("1.0")
    aim = None
    if default is not None:
        aim = {"cpu_seconds": AIM_CPU_SECONDS, "memory_mb": AIM_MB,
               "wall_s": default["total"]["wall_s"], "cpu_s": default["total"]["cpu_s"],
               "peak_rss_mb": default["total"]["peak_rss_mb"],
               "met": (default["total"]["cpu_s"] <= AIM_CPU_SECONDS
                       and default["total"]["peak_rss_mb"] <= AIM_MB)}
    result = {"benchmark": "full report on the national scenario, per stage",
              "command": command_line("run_national.py", argv),
              "cores": args.cores, "seed": args.seed, "machine": before,
              "load_average_after": os.getloadavg() if hasattr(os, "getloadavg") else None,
              "data": data, "runs": runs, "aim": aim}
    write_json(args.out, result)
    print()
    print(format_table(runs))
    if aim:
        print(f"\naim (default size): at most {AIM_CPU_SECONDS:.0f} CPU s and {AIM_MB / 1024:.1f} GB -> "
              f"{aim['wall_s']:.1f} s ({aim['cpu_s']:.1f} CPU s), {aim['peak_rss_mb'] / 1024:.2f} GB: "
              f"{'met' if aim['met'] else 'NOT met'}")
    la = before["load_average"]
    if la and before["cpu_count"] and la[0] > before["cpu_count"]:
        print(f"note: load average {la[0]:.1f} on {before['cpu_count']} CPUs at the start; wall "
              "times include waiting for a CPU, compare the CPU seconds.")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
