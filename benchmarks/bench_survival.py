"""Benchmark: Cox model with cluster-robust SE, fipeval vs lifelines vs statsmodels PHReg.

Data: 1,000,000 spells x 10 covariates, exit times in whole months (heavily tied, as benefit
data are), about 2,000 caseworker clusters; Efron ties everywhere. Every measurement runs in
its own process (so peak memory can be read from the OS); all processes build the same data
from the same seed, and a subsample is the first n rows of it.

lifelines' and statsmodels' clustered fits grow about quadratically, so they run on
subsamples (the largest that stays within PEER_BUDGET seconds) and fipeval runs on the same
subsamples for the ratios, plus the full million rows.

Run: /work/venv/bin/python benchmarks/bench_survival.py   (writes benchmarks/results/survival.json)
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from procstat import peak_mb, reset_peak, rss_mb

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
}
COLUMNS = [f"x{i}" for i in range(N_COVARIATES)]
OUT = Path(__file__).resolve().parent / "results" / "survival.json"


DATA_FILE = Path(tempfile.gettempdir()) / f"fipeval_bench_survival_{SEED}.npy"


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
    np.save(DATA_FILE, np.column_stack([X, months, (t <= c), cluster]).astype(float))


def _fit(tool: str, data):
    import warnings
    warnings.simplefilter("ignore")
    if tool == "fipeval":
        import fipeval
        res = fipeval.cox(data, duration="months", event="ended", covariates=COLUMNS, cluster="caseworker")
        return res.coef, res.std_error
    if tool == "lifelines":
        from lifelines import CoxPHFitter
        fit = CoxPHFitter().fit(data, "months", "ended", cluster_col="caseworker")
        return fit.params_.to_numpy(), fit.standard_errors_.to_numpy()
    if tool == "statsmodels":
        from statsmodels.duration.hazard_regression import PHReg
        fit = PHReg(data["months"].to_numpy(), data[COLUMNS].to_numpy(),
                    status=data["ended"].to_numpy(), ties="efron").fit(
            groups=data["caseworker"].to_numpy())
        return fit.params, fit.bse
    raise ValueError(tool)


def child(tool: str, n: int, repeats: int) -> dict:
    data = make_data(n)
    _fit(tool, data.iloc[:2000])                        # warm up imports and caches
    import gc
    gc.collect()
    base = rss_mb()
    reset_peak()
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        coef, se = _fit(tool, data)
        times.append(time.perf_counter() - t0)
        if times[-1] > REPEAT_BELOW and tool != "fipeval":
            break
    peak = peak_mb()
    return {"tool": tool, "n": n, "seconds": times, "median_seconds": statistics.median(times),
            "peak_rss_mb": peak, "rss_before_fit_mb": base, "peak_increase_mb": peak - base,
            "coef": list(map(float, coef)), "std_error": list(map(float, se))}


def run(tool: str, n: int, repeats: int) -> dict | None:
    cmd = [sys.executable, __file__, "--child", tool, str(n), str(repeats)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT,
                             check=True)
    except subprocess.TimeoutExpired:
        return {"tool": tool, "n": n, "timed_out": CHILD_TIMEOUT}
    except subprocess.CalledProcessError as err:
        return {"tool": tool, "n": n, "error": err.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    _write_data()
    rows = []
    ours = {}
    for tool, sizes in SIZES.items():
        for n in sizes:
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
        if r["tool"] == "fipeval" or "median_seconds" not in r:
            continue
        mine = ours[r["n"]]
        comparisons.append({
            "peer": r["tool"], "n": r["n"], "peer_seconds": r["median_seconds"],
            "fipeval_seconds": mine["median_seconds"],
            "speedup": r["median_seconds"] / mine["median_seconds"],
            "peer_peak_increase_mb": r["peak_increase_mb"],
            "fipeval_peak_increase_mb": mine["peak_increase_mb"],
            "max_abs_coef_diff": float(np.max(np.abs(np.subtract(r["coef"], mine["coef"])))),
            "max_rel_se_diff": float(np.max(np.abs(np.divide(r["std_error"], mine["std_error"]) - 1))),
        })
    print()
    print(f"{'peer':<12}{'n':>10}{'peer s':>10}{'fipeval s':>11}{'ratio':>8}"
          f"{'peer MB':>9}{'ours MB':>9}{'coef diff':>11}{'SE rel diff':>13}")
    for c in comparisons:
        print(f"{c['peer']:<12}{c['n']:>10,}{c['peer_seconds']:>10.2f}{c['fipeval_seconds']:>11.2f}"
              f"{c['speedup']:>8.1f}{c['peer_peak_increase_mb']:>9.0f}"
              f"{c['fipeval_peak_increase_mb']:>9.0f}{c['max_abs_coef_diff']:>11.1e}"
              f"{c['max_rel_se_diff']:>13.1e}")
    full = ours[N_FULL]
    print(f"\nfipeval on {N_FULL:,} rows x {N_COVARIATES} covariates, {N_CLUSTERS:,} clusters: "
          f"median {full['median_seconds']:.2f} s over {len(full['seconds'])} runs, peak RSS "
          f"{full['peak_rss_mb']:.0f} MB (+{full['peak_increase_mb']:.0f} MB during the fit)")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "benchmark": "Cox PH, Efron ties, cluster-robust SE",
        "data": {"rows": N_FULL, "covariates": N_COVARIATES, "clusters": N_CLUSTERS,
                 "time_unit": "whole months (about 60 distinct times)", "seed": SEED},
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "platform": platform.platform(),
                    "load_average_at_end": list(__import__("os").getloadavg())},
        "notes": ["Ratio = peer seconds / fipeval seconds on the same rows.",
                  "Peers run on subsamples (first n rows of the same data) because their "
                  "clustered fits grow about quadratically; a peer stops growing once a run "
                  f"exceeds {PEER_BUDGET:.0f} s.",
                  "Medians over 3 runs; a peer's runs longer than 5 s are not repeated.",
                  "peak_increase_mb: the process's peak RSS during the fits minus its RSS "
                  "with the data loaded (OS high-water mark)."],
        "runs": rows, "comparisons": comparisons}, indent=2) + "\n")
    print(f"wrote {OUT}")


def _line(r: dict) -> str:
    if "median_seconds" in r:
        return (f"{r['tool']:<12} n={r['n']:>9,}  median {r['median_seconds']:8.2f} s  "
                f"peak +{r['peak_increase_mb']:.0f} MB")
    return f"{r['tool']:<12} n={r['n']:>9,}  FAILED: {r.get('timed_out') or r.get('error', '')[-300:]}"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
