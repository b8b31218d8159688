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
"""

from __future__ import annotations

import argparse
import json
import sys
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


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", type=float, nargs="+", default=list(DEFAULT_SCALES))
    p.add_argument("--seed", type=int, default=NATIONAL_SEED)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--out", type=Path, default=RESULTS / "scaling.json")
    p.add_argument("--refit", type=Path, help="refit and print an earlier scaling.json (no runs)")
    args = p.parse_args(argv)
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
