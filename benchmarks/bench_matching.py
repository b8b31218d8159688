"""Benchmark: nearest-neighbour propensity score matching.

1. 100,000 FIP clients against 1,000,000 controls, 1:1 without replacement, caliper 0.2 SD of
   the logit: ``fipeval.match`` end to end (logistic propensity score + matching + weights),
   and the matching step alone on a given score. No Python peer is run at this size: psmpy
   asks its KD-tree for every control per treated unit (n_t x n_c = 1e11 distances) and
   causalinference forms a treated x control distance block per unit; both need terabytes.
2. 2,000 against 20,000 on identical data, side by side:
   * psmpy 0.3 (``logistic_ps`` + ``kdtree_matched`` on the logit) against
     ``fipeval.match(distance="logit")``: 1:1 without replacement (psmpy's list-removal loop
     is cubic here and is stopped after ``--peer-timeout`` seconds) and 1:1 with replacement;
   * causalinference 0.1 (``est_propensity`` + ``est_via_matching``: 1:1 covariate matching
     with replacement in both directions, for the ATE) against fipeval's closest task, 1:1
     with replacement on the logit for the ATT and for the ATC.

Each run is a fresh process, so peak memory (maximum resident set size above the size after
imports and data generation) is per run. fipeval tasks: medians over ``--repeats``; the
peers, which take tens of seconds each, run ``--peer-repeats`` times (default once).

Run: ``/work/venv/bin/python benchmarks/bench_matching.py [--repeats R] [--quick]``.
Writes ``benchmarks/results/matching.json`` and prints a table with medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

COVARIATES = ["x1", "x2", "x3", "x4"]
RESULTS = Path(__file__).resolve().parent / "results" / "matching.json"


def make_data(n_treated: int, n_control: int, seed: int = 1) -> pd.DataFrame:
    """Four normal covariates, shifted by 0.3 SD for the FIP group; outcome linear + 1."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    treated = np.r_[np.ones(n_treated, bool), np.zeros(n_control, bool)]
    x = rng.normal(size=(n, len(COVARIATES)))
    x[treated] += 0.3
    df = pd.DataFrame(x, columns=COVARIATES)
    df["fip"] = treated.astype(int)
    df["id"] = np.arange(n)
    df["y"] = x.sum(axis=1) + treated + rng.normal(size=n)
    return df


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _task(name: str, n_treated: int, n_control: int):
    """Return a zero-argument callable doing one benchmarked task on fresh data."""
    df = make_data(n_treated, n_control)
    if name == "fipeval_match_caliper":
        from fipeval.matching import match

        def run():
            res = match(df, treatment="fip", covariates=COVARIATES, distance="logit", caliper=0.2)
            return int((res.weights > 0).sum())
    elif name == "fipeval_nearest_only":
        from fipeval.matching.nearest import match_nearest
        # a score passed in (the true logit up to scale), so that the setup's memory peak
        # does not hide the matching step's
        score = 0.3 * df[COVARIATES].to_numpy().sum(axis=1)
        focal = df["fip"].to_numpy() == 1

        def run():
            mm = match_nearest(score, focal, caliper=0.2 * score.std(ddof=1))
            return int((mm >= 0).sum() * 2)
    elif name == "fipeval_match":
        from fipeval.matching import match

        def run():
            res = match(df, treatment="fip", covariates=COVARIATES, distance="logit")
            return int((res.weights > 0).sum())
    elif name == "fipeval_match_replace":
        from fipeval.matching import match

        def run():
            res = match(df, treatment="fip", covariates=COVARIATES, distance="logit", replace=True)
            return int((res.weights > 0).sum())
    elif name in ("psmpy", "psmpy_replace"):
        from psmpy import PsmPy

        def run():
            psm = PsmPy(df.drop(columns="y"), treatment="fip", indx="id", exclude=[])
            psm.logistic_ps(balance=False)
            psm.kdtree_matched(matcher="propensity_logit", replacement=name == "psmpy_replace",
                               caliper=None)
            return int(len(psm.matched_ids) * 2)
    elif name == "fipeval_att_atc_replace":
        from fipeval.matching import match

        def run():
            a = match(df, treatment="fip", covariates=COVARIATES, distance="logit", replace=True)
            b = match(df, treatment="fip", covariates=COVARIATES, distance="logit", replace=True, estimand="ATC")
            return int((a.weights > 0).sum() + (b.weights > 0).sum())
    elif name == "causalinference":
        from causalinference import CausalModel
        y, d = df["y"].to_numpy(), df["fip"].to_numpy()
        x = df[COVARIATES].to_numpy()

        def run():
            cm = CausalModel(y, d, x)
            cm.est_propensity()
            cm.est_via_matching(matches=1)
            return len(y)
    else:  # pragma: no cover
        raise ValueError(name)
    return run


def _worker(name, n_treated, n_control, queue):
    warnings.simplefilter("ignore")
    run = _task(name, n_treated, n_control)
    base = _peak_kib()
    t0 = time.perf_counter()
    matched = run()
    seconds = time.perf_counter() - t0
    queue.put({"seconds": seconds, "peak_mib": max(_peak_kib() - base, 0) / 1024,
               "matched_units": matched})


def measure(name: str, n_treated: int, n_control: int, repeats: int,
            timeout: float | None = None) -> dict:
    import queue as queue_module
    ctx = mp.get_context("spawn")
    runs = []
    for _ in range(repeats):
        queue = ctx.Queue()
        proc = ctx.Process(target=_worker, args=(name, n_treated, n_control, queue))
        proc.start()
        try:
            out = queue.get(timeout=timeout)
        except queue_module.Empty:
            proc.terminate()
            proc.join()
            return {"task": name, "n_treated": n_treated, "n_control": n_control,
                    "repeats": 1, "median_seconds": None, "median_peak_mib": None,
                    "matched_units": None, "seconds": [],
                    "note": f"did not finish within {timeout:g} s (setup included); stopped"}
        proc.join()
        runs.append(out)
    return {"task": name, "n_treated": n_treated, "n_control": n_control, "repeats": repeats,
            "median_seconds": statistics.median(r["seconds"] for r in runs),
            "median_peak_mib": statistics.median(r["peak_mib"] for r in runs),
            "matched_units": runs[0]["matched_units"],
            "seconds": [r["seconds"] for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-repeats", type=int, default=1)
    parser.add_argument("--peer-timeout", type=float, default=90.0)
    parser.add_argument("--quick", action="store_true",
                        help="10k x 100k instead of 100k x 1M (for a smoke test)")
    args = parser.parse_args()
    big = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    small = (2_000, 20_000)
    plan = [("fipeval_match_caliper", *big), ("fipeval_nearest_only", *big),
            ("fipeval_match", *small), ("psmpy", *small),
            ("fipeval_match_replace", *small), ("psmpy_replace", *small),
            ("fipeval_att_atc_replace", *small), ("causalinference", *small)]
    rows = []
    for name, n1, n0 in plan:
        peer = not name.startswith("fipeval")
        row = measure(name, n1, n0, args.peer_repeats if peer else args.repeats,
                      timeout=args.peer_timeout if peer else None)
        rows.append(row)
        print(f"  {name:<26} {n1:>7,} x {n0:>9,}: {_fmt(row['median_seconds'], 8, 3)} s "
              f"{_fmt(row['median_peak_mib'], 8, 1)} MiB {row.get('note', '')}", flush=True)
    by = {r["task"]: r for r in rows}

    def ratio(peer, ours):
        a, b = by[peer]["median_seconds"], by[ours]["median_seconds"]
        return a / b if a is not None else f"> {args.peer_timeout / b:.0f} (peer stopped)"

    ratios = {
        "psmpy / fipeval (1:1 without replacement, 2k x 20k)": ratio("psmpy", "fipeval_match"),
        "psmpy / fipeval (1:1 with replacement, 2k x 20k)":
            ratio("psmpy_replace", "fipeval_match_replace"),
        "causalinference / fipeval (1:1 with replacement, ATT + ATC, 2k x 20k)":
            ratio("causalinference", "fipeval_att_atc_replace"),
    }
    out = {"machine": {"python": platform.python_version(), "processor": platform.machine(),
                       "cores_used": 1},
           "versions": _versions(), "results": rows, "time_ratios": ratios}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2))
    print()
    print(f"{'task':<26} {'n_treated':>9} {'n_control':>10} {'median s':>9} {'peak MiB':>9}")
    for r in rows:
        print(f"{r['task']:<26} {r['n_treated']:>9,} {r['n_control']:>10,} "
              f"{_fmt(r['median_seconds'], 9, 3)} {_fmt(r['median_peak_mib'], 9, 1)} "
              f"{r.get('note', '')}")
    for k, v in ratios.items():
        print(f"{k}: {v:.1f}x" if isinstance(v, float) else f"{k}: {v}x")
    print(f"wrote {RESULTS}")


def _fmt(value, width: int, digits: int) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for pkg in ("fipeval", "numpy", "pandas", "statsmodels", "psmpy", "causalinference"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


if __name__ == "__main__":
    main()
