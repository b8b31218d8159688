"""Benchmark: the caseworker-month panel of the ``national`` scenario and a TWFE fit on it.

1. ``caseworker_panel`` on the national register (about 1.3 million clients, 1.5 million
   spells, 0.8 million events, 1.1 million contacts, 2,851 caseworkers), window 2015-01 to
   the last complete month before the extract (2024-11), with the design's treatment columns.
2. The two-way fixed-effects DiD of the monthly termination rate (caseworker and month
   effects, caseload weights, CR1 clustered by caseworker) on that panel: fipeval ``did``
   against ``pyfixest.feols`` (its default demeaning tolerance 1e-6; ours 1e-13) on the
   identical rows (caseload > 0). statsmodels has no absorbed fixed effects: it needs the
   2,970 dummy columns (a dense 330,000 x 2,970 matrix, about 8 GB), so it runs on a
   subsample of caseworkers (every 10th), together with the two others on the same rows.

Every tool runs in a fresh process. Per tool: ``seconds`` (wall clock, median of
``--repeats`` runs after one untimed warm-up, so pyfixest's JIT compilation is not
counted), ``cpu_seconds`` (user + system, all threads; steadier on a shared machine) and
``extra_mb``, the growth of the process's peak resident memory (VmHWM, reset through
``/proc/self/clear_refs`` after the data are loaded) during the timed runs. Estimates and
standard errors are compared across tools.

Run: ``/work/venv/bin/python benchmarks/bench_did.py [--repeats 3]`` (2-5 minutes; the
national register is simulated once, about a minute, and cached in ``$TMPDIR``).
Writes ``benchmarks/results/did.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from procstat import cpu_seconds, peak_mb, reset_peak, rss_mb

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CACHE = Path(os.environ.get("FIPEVAL_BENCH_CACHE", Path(tempfile.gettempdir()) / "fipeval-bench"))
SEED = 2024
WINDOW_START = "2015-01-01"
SUBSAMPLE_EVERY = 10
FORMULA = "termination_rate ~ D | caseworker + month"


# ------------------------------------------------------------------ memory and timing
def _timed(fn, repeats: int, warmup: bool) -> dict:
    if warmup:
        out = fn()
    rss0 = rss_mb()
    reset_peak()
    seconds, cpu = [], []
    for _ in range(repeats):
        c0, t0 = cpu_seconds(), time.perf_counter()
        out = fn()
        seconds.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
    return {"seconds": seconds, "median_seconds": statistics.median(seconds),
            "cpu_seconds": statistics.median(cpu),
            "extra_mb": peak_mb() - rss0, "result": out}


# ------------------------------------------------------------------ workers (fresh processes)
def worker(task: str, path: str, repeats: int) -> dict:
    with open(path, "rb") as fh:
        data = pickle.load(fh)
    if task == "panel":
        from fipeval.diff_in_diff import caseworker_panel
        register, design = data
        res = _timed(lambda: caseworker_panel(register, start=WINDOW_START, design=design),
                     repeats, warmup=False)
        panel = res.pop("result")
        res["rows"] = len(panel)
        res["caseworkers"] = int(panel["caseworker"].nunique())
        res["months"] = int(panel["month"].nunique())
        return res
    panel = data
    if task == "fipeval":
        from fipeval.diff_in_diff import did
        res = _timed(lambda: did(panel, outcome="termination_rate", unit="caseworker",
                                 time="month", treatment="fip", post="post", cluster="caseworker",
                                 weights="caseload", inference="CR1"), repeats, warmup=True)
        fit = res.pop("result")
        res.update(estimate=fit.estimate, std_error=fit.std_error)
    elif task == "pyfixest":
        import pyfixest as pf
        res = _timed(lambda: pf.feols(FORMULA, data=panel, weights="caseload",
                                      vcov={"CRV1": "caseworker"}), repeats, warmup=True)
        fit = res.pop("result")
        res.update(estimate=float(fit.coef()["D"]), std_error=float(fit.se()["D"]),
                   version=pf.__version__)
    elif task == "statsmodels":
        import pandas as pd
        import statsmodels.api as sm

        def fit_sm():
            X = pd.get_dummies(panel[["caseworker", "month"]].astype(str), drop_first=True,
                               dtype=float)
            X.insert(0, "D", panel["D"].astype(float))
            X = sm.add_constant(X)
            return sm.WLS(panel["termination_rate"], X, weights=panel["caseload"]).fit(
                cov_type="cluster", cov_kwds={"groups": pd.factorize(panel["caseworker"])[0]})
        res = _timed(fit_sm, repeats, warmup=True)
        fit = res.pop("result")
        res.update(estimate=float(fit.params["D"]), std_error=float(fit.bse["D"]),
                   version=sm.__version__, note="dummy columns; K counts every dummy "
                   "(compare with fipeval ssc='lm')")
    else:
        raise SystemExit(f"unknown task {task}")
    res["rows"] = len(panel)
    return res


def run_worker(task: str, path: Path, repeats: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", task, str(path),
                          "--repeats", str(repeats)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ data
def national_register() -> Path:
    import fipeval.synthetic as synthetic
    src = hashlib.sha1()
    for f in sorted(Path(synthetic.__file__).parent.glob("*.py")):
        src.update(f.read_bytes())
    path = CACHE / f"national_{SEED}_{src.hexdigest()[:10]}.pkl"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        study = synthetic.generate("national", seed=SEED)
        print(f"simulated the national register in {time.perf_counter() - t0:.0f} s "
              f"(cached at {path})", flush=True)
        with open(path, "wb") as fh:
            pickle.dump((study.register, study.design), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def did_inputs(panel):
    """What every DiD tool fits, from a caseworker-month panel: the months with a caseload,
    ``D`` = fip x post, caseworkers as text; and the subsample small enough for statsmodels'
    dummies (every ``SUBSAMPLE_EVERY``-th caseworker, plus every FIP caseworker so that the
    effect stays identified)."""
    import numpy as np
    panel = panel.loc[panel["caseload"] > 0, ["caseworker", "month", "termination_rate",
                                              "caseload", "fip", "post"]].copy()
    panel["D"] = panel["fip"] * panel["post"]
    panel["caseworker"] = panel["caseworker"].astype(str)
    cws = np.sort(panel["caseworker"].unique())
    sub = panel[panel["caseworker"].isin(set(cws[::SUBSAMPLE_EVERY])
                                         | set(panel.loc[panel["fip"] == 1, "caseworker"]))]
    return panel, sub


def main(repeats: int) -> None:
    from fipeval.diff_in_diff import caseworker_panel
    reg_path = national_register()
    with open(reg_path, "rb") as fh:
        register, design = pickle.load(fh)
    panel, sub = did_inputs(caseworker_panel(register, start=WINDOW_START, design=design))
    tmp = Path(tempfile.mkdtemp(prefix="bench_did_"))
    full_path, sub_path = tmp / "panel.pkl", tmp / "sub.pkl"
    panel.to_pickle(full_path)
    sub.to_pickle(sub_path)
    del register

    runs = {"panel": run_worker("panel", reg_path, repeats)}
    for tool in ("fipeval", "pyfixest"):
        runs[f"twfe_full_{tool}"] = run_worker(tool, full_path, repeats)
    for tool in ("fipeval", "pyfixest", "statsmodels"):
        runs[f"twfe_sub_{tool}"] = run_worker(tool, sub_path, repeats)

    def ratio(a, b):
        try:
            return runs[a]["median_seconds"] / runs[b]["median_seconds"]
        except (KeyError, ZeroDivisionError):
            return None

    def rel(a, b, key):
        try:
            return abs(runs[a][key] / runs[b][key] - 1)
        except (KeyError, ZeroDivisionError):
            return None

    summary = {
        "panel_seconds": runs["panel"].get("median_seconds"),
        "panel_cpu_seconds": runs["panel"].get("cpu_seconds"),
        "twfe_full_pyfixest_over_fipeval": ratio("twfe_full_pyfixest", "twfe_full_fipeval"),
        "twfe_sub_pyfixest_over_fipeval": ratio("twfe_sub_pyfixest", "twfe_sub_fipeval"),
        "twfe_sub_statsmodels_over_fipeval": ratio("twfe_sub_statsmodels", "twfe_sub_fipeval"),
        "estimate_rel_diff_full_pyfixest": rel("twfe_full_pyfixest", "twfe_full_fipeval", "estimate"),
        "se_rel_diff_full_pyfixest": rel("twfe_full_pyfixest", "twfe_full_fipeval", "std_error"),
        "estimate_rel_diff_sub_statsmodels": rel("twfe_sub_statsmodels", "twfe_sub_fipeval", "estimate"),
    }
    result = {
        "benchmark": "caseworker-month panel (national scenario) and TWFE DiD with caseworker "
                     "and month effects, caseload weights, CR1 by caseworker",
        "data": {"scenario": "national", "seed": SEED, "window_start": WINDOW_START,
                 "panel_rows": runs["panel"].get("rows"), "fit_rows": len(panel),
                 "subsample_rows": len(sub), "subsample": f"every {SUBSAMPLE_EVERY}th "
                 "caseworker plus the FIP caseworkers"},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "load_average_at_end": os.getloadavg()},
        "notes": ["Medians of the timed runs after one untimed warm-up (not for the panel).",
                  "extra_mb: growth of the peak resident memory during the timed runs.",
                  "statsmodels SE uses K with every dummy, fipeval/pyfixest the fixest rule, "
                  "so only the estimates are compared with it."],
        "summary": summary, "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "did.json").write_text(json.dumps(result, indent=2, default=float))
    print(f"\n{'run':<28}{'rows':>10}{'median s':>11}{'cpu s':>9}{'extra MB':>10}"
          f"{'estimate':>13}{'SE':>12}")
    for name, r in runs.items():
        if "error" in r:
            print(f"{name:<28} error: {r['error']}")
            continue
        print(f"{name:<28}{r.get('rows', 0):>10,}{r['median_seconds']:>11.3f}"
              f"{r['cpu_seconds']:>9.2f}{r['extra_mb']:>10.0f}"
              f"{r.get('estimate', float('nan')):>13.6g}{r.get('std_error', float('nan')):>12.4g}")
    print()
    for k, v in summary.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--worker", nargs=2, metavar=("TASK", "PATH"))
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.repeats), default=float))
    else:
        main(args.repeats)
