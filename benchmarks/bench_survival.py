"""Benchmark: Cox model as the report fits it, fipeval vs lifelines, statsmodels PHReg, R coxph.

The model, identical in every tool: Efron ties, delayed entry (left truncation: at risk for
entry < t <= exit), cluster-robust (sandwich) SE by caseworker; 10 covariates.
fipeval ``cox(entry=, cluster=, ties="efron")``; lifelines ``CoxPHFitter.fit(entry_col=,
cluster_col=)`` (Efron is its only method); statsmodels ``PHReg(entry=, ties="efron")
.fit(groups=)`` with the entry shifted by ``ENTRY_SHIFT`` (its risk sets include a client at
its entry time); R ``coxph(Surv(entry, months, ended) ~ ., ties = "efron", cluster =
caseworker)`` through ``Rscript`` (``benchmarks/r/coxph.R``, skipped without R).

Data: 1,000,000 spells, exit times in whole months (heavily tied, as benefit data are),
entry a whole number of months before the exit, about 2,000 caseworker clusters. Every
measurement runs in its own process (so peak memory can be read from the OS); all build the
same data from the same seed, and a subsample is the first n rows of it.

lifelines' and statsmodels' clustered fits grow faster than the rows, so they run on
subsamples (growing until a run takes PEER_BUDGET seconds) and fipeval runs on the same
subsamples for the ratios, plus the full million rows. Each result records CPU seconds (user
+ system; R's from ``proc.time()``) beside wall seconds, the load average, the commit and
the command. Ratio = peer / fipeval on the same rows (CPU seconds: the machine is shared).

Run: python benchmarks/bench_survival.py   (writes benchmarks/results/survival.json)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from procstat import cpu_seconds, peak_mb, reset_peak, rss_mb

N_FULL = 1_000_000
N_COVARIATES = 10
N_CLUSTERS = 2_000
SEED = 2026
REPEATS = 3                 # runs per measurement when a run takes under REPEAT_BELOW seconds
REPEAT_BELOW = 5.0          # (peers' long runs are not repeated: the benchmark stays ~5 min)
PEER_BUDGET = 60.0          # stop growing a peer's subsample once a run takes longer than this
CHILD_TIMEOUT = 400
SIZES = {
    "lifelines": [10_000, 20_000, 40_000],
    "statsmodels": [50_000, 200_000, 1_000_000],
    "R coxph": [50_000, 200_000, 1_000_000],
}
COLUMNS = [f"x{i}" for i in range(N_COVARIATES)]
# statsmodels' PHReg counts a client as at risk at its entry time (entry <= t); R's coxph,
# lifelines and fipeval from just after it (entry < t). With whole-month times many entries
# equal an event time, so statsmodels gets entry + ENTRY_SHIFT: the same risk sets.
ENTRY_SHIFT = 1e-6
OUT = Path(__file__).resolve().parent / "results" / "survival.json"


DATA_FILE = Path(tempfile.gettempdir()) / f"fipeval_bench_survival_{SEED}_entry.npy"


def make_data(n: int):
    """The first ``n`` rows of the benchmark data (read from a memory-mapped file, so a
    process holds only what it uses and its peak memory reflects the fit)."""
    import pandas as pd
    if not DATA_FILE.exists():
        _write_data()
    full = np.load(DATA_FILE, mmap_mode="r")
    block = np.array(full[:n])
    data = pd.DataFrame(block[:, :N_COVARIATES], columns=COLUMNS)
    data["months"] = block[:, N_COVARIATES]
    data["ended"] = block[:, N_COVARIATES + 1].astype(int)
    data["caseworker"] = block[:, N_COVARIATES + 2].astype(int)
    data["entry"] = block[:, N_COVARIATES + 3]
    return data


def _write_data() -> None:
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(N_FULL, N_COVARIATES))
    X[:, :3] = (X[:, :3] > 0.5).astype(float)          # a few 0/1 covariates, like fip or sex
    beta = np.linspace(-0.3, 0.3, N_COVARIATES)
    cluster = rng.integers(0, N_CLUSTERS, N_FULL)
    frailty = rng.normal(0, 0.3, N_CLUSTERS)[cluster]   # caseworker effect: clustering matters
    t = rng.exponential(24 * np.exp(-(X @ beta + frailty)))
    c = rng.uniform(1, 60, N_FULL)
    months = np.ceil(np.minimum(t, c))                   # monthly: about 60 distinct times
    # delayed entry: 0 to months - 1 whole months already on benefit (own stream, so the
    # columns above are those of the benchmark without entry)
    entry = np.floor(np.random.default_rng([SEED, 1]).uniform(0, 1, N_FULL) * months)
    np.save(DATA_FILE, np.column_stack([X, months, (t <= c), cluster, entry]).astype(float))


def _fit(tool: str, data):
    """Efron ties, cluster-robust SE by caseworker, and delayed entry when ``data`` has an
    ``entry`` column; returns (coefficients, SEs)."""
    import warnings
    warnings.simplefilter("ignore")
    entry = "entry" if "entry" in data.columns else None
    if tool == "fipeval":
        import fipeval
        res = fipeval.cox(data, duration="months", event="ended", covariates=COLUMNS, entry=entry,
                          cluster="caseworker", ties="efron")
        return res.coef, res.std_error
    if tool == "lifelines":
        from lifelines import CoxPHFitter
        cols = ["months", "ended", "caseworker", *COLUMNS] + ([entry] if entry else [])
        fit = CoxPHFitter().fit(data[cols], "months", "ended", entry_col=entry,
                                cluster_col="caseworker")
        return fit.params_.to_numpy(), fit.standard_errors_.to_numpy()
    if tool == "statsmodels":
        from statsmodels.duration.hazard_regression import PHReg
        fit = PHReg(data["months"].to_numpy(), data[COLUMNS].to_numpy(),
                    status=data["ended"].to_numpy(),
                    entry=data[entry].to_numpy() + ENTRY_SHIFT if entry else None,
                    ties="efron").fit(groups=data["caseworker"].to_numpy())
        return fit.params, fit.bse
    raise ValueError(tool)


def child(tool: str, n: int, repeats: int) -> dict:
    data = make_data(n)
    _fit(tool, data.iloc[:2000])                        # warm up imports and caches
    import gc
    gc.collect()
    base = rss_mb()
    reset_peak()
    times, cpus = [], []
    for i in range(repeats):
        c0, t0 = cpu_seconds(), time.perf_counter()
        coef, se = _fit(tool, data)
        times.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
        if times[-1] > REPEAT_BELOW and tool != "fipeval":
            break
    peak = peak_mb()
    return {"tool": tool, "n": n, "seconds": times, "median_seconds": statistics.median(times),
            "cpu_seconds": cpus, "median_cpu_seconds": statistics.median(cpus),
            "peak_rss_mb": peak, "rss_before_fit_mb": base, "peak_increase_mb": peak - base,
            "coef": list(map(float, coef)), "std_error": list(map(float, se))}


def run_r(n: int, repeats: int) -> dict:
    """R coxph on the first ``n`` rows (CPU and wall seconds from R's proc.time())."""
    import rpeer
    if rpeer.rscript() is None:
        return {"tool": "R coxph", "n": n, "skipped": "Rscript not found"}
    folder = Path(tempfile.mkdtemp(prefix="bench_survival_r_"))
    rpeer.write_columns(make_data(n), folder, numeric=["months", "ended", "caseworker", "entry",
                                                       *COLUMNS])
    options = {"duration": "months", "event": "ended", "entry": "entry", "covariates": COLUMNS,
               "cluster": "caseworker", "strata": None, "ties": "efron"}
    out = folder / "result.json"
    proc = rpeer.run_r("coxph.R", [folder, out, repeats, json.dumps(options)],
                       timeout=CHILD_TIMEOUT)
    if "process_wall_s" not in proc:
        return {"tool": "R coxph", "n": n, **proc}
    r = json.loads(out.read_text())
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    coef = r["coef"] if isinstance(r["coef"], list) else [r["coef"]]
    se = r["std_error"] if isinstance(r["std_error"], list) else [r["std_error"]]
    return {"tool": "R coxph", "n": n, "seconds": r["wall_s"],
            "median_seconds": statistics.median(r["wall_s"]), "cpu_seconds": r["cpu_s"],
            "median_cpu_seconds": statistics.median(r["cpu_s"]),
            "peak_increase_mb": r.get("peak_extra_mb"), "survival_version": r["survival_version"],
            "r_version": r["r_version"], "formula": r["formula"],
            "process_cpu_s": proc["process_cpu_s"], "coef": coef, "std_error": se}


def run(tool: str, n: int, repeats: int) -> dict | None:
    if tool == "R coxph":
        return run_r(n, repeats)
    cmd = [sys.executable, __file__, "--child", tool, str(n), str(repeats)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT,
                             check=True)
    except subprocess.TimeoutExpired:
        return {"tool": tool, "n": n, "timed_out": CHILD_TIMEOUT}
    except subprocess.CalledProcessError as err:
        return {"tool": tool, "n": n, "error": err.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    import argparse
    from run_national import AIM_CPU_SECONDS, command_line, machine
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers", nargs="*", default=list(SIZES), choices=list(SIZES),
                   help="peers to run (default all)")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    before = machine()
    _write_data()
    rows = []
    ours = {}
    for tool in args.peers:
        for n in SIZES[tool]:
            res = run(tool, n, REPEATS)
            print(_line(res), flush=True)
            rows.append(res)
            if n not in ours:
                ours[n] = run("fipeval", n, REPEATS)
                rows.append(ours[n])
                print(_line(ours[n]), flush=True)
            if "median_seconds" not in res or res["median_seconds"] > PEER_BUDGET:
                break
    if N_FULL not in ours:
        ours[N_FULL] = run("fipeval", N_FULL, REPEATS)
        rows.append(ours[N_FULL])
        print(_line(ours[N_FULL]), flush=True)

    comparisons = []
    for r in rows:
        if r["tool"] == "fipeval" or "median_seconds" not in r or "median_seconds" not in ours[r["n"]]:
            continue
        mine = ours[r["n"]]
        comparisons.append({
            "peer": r["tool"], "n": r["n"], "peer_seconds": r["median_seconds"],
            "fipeval_seconds": mine["median_seconds"],
            "peer_cpu_seconds": r["median_cpu_seconds"],
            "fipeval_cpu_seconds": mine["median_cpu_seconds"],
            "ratio_wall": r["median_seconds"] / mine["median_seconds"],
            "ratio_cpu": r["median_cpu_seconds"] / mine["median_cpu_seconds"],
            "peer_peak_increase_mb": r["peak_increase_mb"],
            "fipeval_peak_increase_mb": mine["peak_increase_mb"],
            "max_abs_coef_diff": float(np.max(np.abs(np.subtract(r["coef"], mine["coef"])))),
            "max_rel_se_diff": float(np.max(np.abs(np.divide(r["std_error"], mine["std_error"]) - 1))),
        })
    print()
    print(f"{'peer':<12}{'n':>10}{'peer CPU s':>11}{'fipeval':>9}{'ratio':>7}{'(wall)':>8}"
          f"{'peer MB':>9}{'ours MB':>9}{'coef diff':>11}{'SE rel diff':>13}")
    for c in comparisons:
        peer_mb = c["peer_peak_increase_mb"]
        print(f"{c['peer']:<12}{c['n']:>10,}{c['peer_cpu_seconds']:>11.2f}"
              f"{c['fipeval_cpu_seconds']:>9.2f}{c['ratio_cpu']:>7.1f}{c['ratio_wall']:>8.1f}"
              + (f"{peer_mb:>9.0f}" if peer_mb is not None else f"{'-':>9}")
              + f"{c['fipeval_peak_increase_mb']:>9.0f}{c['max_abs_coef_diff']:>11.1e}"
              f"{c['max_rel_se_diff']:>13.1e}")
    full = ours[N_FULL]
    verdict = None
    if "median_seconds" in full:
        verdict = (f"fipeval on {N_FULL:,} rows x {N_COVARIATES} covariates, {N_CLUSTERS:,} "
                   f"clusters, delayed entry: median {full['median_cpu_seconds']:.2f} CPU s "
                   f"({full['median_seconds']:.2f} s wall) over {len(full['seconds'])} runs, "
                   f"{100 * full['median_cpu_seconds'] / AIM_CPU_SECONDS:.0f}% of the whole "
                   f"report's aim of {AIM_CPU_SECONDS:.0f} CPU s (the report's Cox fits are on "
                   f"the 30,000-client cohort, not a million rows); peak RSS "
                   f"{full['peak_rss_mb']:.0f} MB (+{full['peak_increase_mb']:.0f} MB during the fit)")
        print("\n" + verdict)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "benchmark": "Cox PH, Efron ties, delayed entry, cluster-robust SE",
        "command": command_line("bench_survival.py", argv),
        "data": {"rows": N_FULL, "covariates": N_COVARIATES, "clusters": N_CLUSTERS,
                 "time_unit": "whole months (about 60 distinct times)",
                 "entry": "0 to months - 1 whole months before the exit", "seed": SEED},
        "machine": before | {"load_average_at_end": list(os.getloadavg())},
        "notes": ["Ratio = peer / fipeval on the same rows; CPU seconds (user + system, all "
                  "threads; R's from proc.time()) are the figure to compare on a shared "
                  "machine.",
                  "Peers run on subsamples (first n rows of the same data) because their "
                  "clustered fits grow faster than the rows; a peer stops growing once a run "
                  f"exceeds {PEER_BUDGET:.0f} s.",
                  "Medians over 3 runs; a Python peer's runs longer than 5 s are not repeated.",
                  "peak_increase_mb: the process's peak RSS during the fits minus its RSS "
                  "with the data loaded (OS high-water mark; R reads its own /proc/self)."],
        "verdict": verdict, "runs": rows, "comparisons": comparisons}, indent=2) + "\n")
    print(f"wrote {args.out}")


def _line(r: dict) -> str:
    if "median_seconds" in r:
        peak = r.get("peak_increase_mb")
        return (f"{r['tool']:<12} n={r['n']:>9,}  median {r['median_cpu_seconds']:8.2f} CPU s "
                f"{r['median_seconds']:8.2f} s wall  "
                + (f"peak +{peak:.0f} MB" if peak is not None else ""))
    why = r.get("skipped") or r.get("timed_out") or r.get("timed_out_s") or r.get("error", "")[-300:]
    return f"{r['tool']:<12} n={r['n']:>9,}  not measured: {why}"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
