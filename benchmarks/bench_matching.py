"""Benchmark: nearest-neighbour propensity score matching.

Like for like (the same algorithm and options, the matched pairs compared):

1. ``fipeval.match(distance="logit", caliper=0.2)`` against R MatchIt (>= 4.5.4)
   ``matchit(method="nearest", distance="glm", link="linear.logit", caliper=0.2,
   m.order="largest")``: logistic propensity score, greedy 1:1 nearest neighbour on its
   logit without replacement, largest score first, caliper 0.2 SD of the logit. At 2,000 x
   20,000, 10,000 x 100,000 and 100,000 x 1,000,000 (R stopped after ``--r-timeout`` s). R
   runs through ``Rscript`` (``benchmarks/r/matchit_nearest.R``, timed inside R with
   ``proc.time()``), with the library folders of ``--r-libs`` (default
   ``$FIPEVAL_R_LIBS``); skipped without R or with a MatchIt older than 4.5.4 (calipers
   below 1 ignored, MatchIt issue #163). Its pairs are compared with fipeval's.
2. The matching step alone on a given score (``fipeval_nearest_only``) at 100k x 1M.

Not like for like (different algorithms or rules; listed for orientation, no ratio claim):

3. 2,000 against 20,000 on identical data:
   * psmpy 0.3 (``logistic_ps`` + ``kdtree_matched`` on the logit): treated units in data
     order and no caliper, so other pairs than MatchIt's rules give; against
     ``fipeval.match(distance="logit")`` without and with replacement (psmpy's list-removal
     loop is cubic here and is stopped after ``--peer-timeout`` seconds);
   * causalinference 0.1 (``est_propensity`` + ``est_via_matching``): 1:1 covariate
     matching with replacement in both directions for the ATE, a different and quadratic
     algorithm; fipeval's closest task is 1:1 with replacement on the logit for the ATT
     and for the ATC.

Each Python run is a fresh process, so peak memory (maximum resident set size above the
size after imports and data generation) is per run. fipeval tasks: medians over
``--repeats``; the Python peers, which take tens of seconds each, run ``--peer-repeats``
times (default once). CPU seconds (user + system) are recorded beside wall seconds; the
result file records the commit, the command and the load average.

Run: ``python benchmarks/bench_matching.py [--repeats R] [--quick] [--r-libs DIR ...]``.
Writes ``benchmarks/results/matching.json`` and prints a table with medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
COVARIATES = ["x1", "x2", "x3", "x4"]
MATCHIT_MIN = "4.5.4"  # 4.5.1-4.5.3 ignore calipers below 1 (MatchIt issue #163)
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


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


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
    try:
        run = _task(name, n_treated, n_control)
    except ModuleNotFoundError as err:
        queue.put({"skipped": f"{err.name} is not installed"})
        return
    base = _peak_kib()
    c0, t0 = _cpu(), time.perf_counter()
    matched = run()
    seconds = time.perf_counter() - t0
    queue.put({"seconds": seconds, "cpu_seconds": _cpu() - c0,
               "peak_mib": max(_peak_kib() - base, 0) / 1024, "matched_units": matched})


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
        if "skipped" in out:
            return {"task": name, "n_treated": n_treated, "n_control": n_control,
                    "repeats": 0, "median_seconds": None, "median_peak_mib": None,
                    "matched_units": None, "seconds": [], "note": out["skipped"]}
        runs.append(out)
    return {"task": name, "n_treated": n_treated, "n_control": n_control, "repeats": repeats,
            "median_seconds": statistics.median(r["seconds"] for r in runs),
            "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "median_peak_mib": statistics.median(r["peak_mib"] for r in runs),
            "matched_units": runs[0]["matched_units"],
            "seconds": [r["seconds"] for r in runs],
            "cpu_seconds": [r["cpu_seconds"] for r in runs]}


def r_matchit(n_treated: int, n_control: int, repeats: int, timeout: float, libs: str) -> dict:
    """R MatchIt on the same data with the same options as ``fipeval_match_caliper``; its
    pairs are compared with fipeval's (computed here, untimed)."""
    import rpeer
    row = {"task": "R MatchIt", "n_treated": n_treated, "n_control": n_control,
           "repeats": repeats, "median_seconds": None, "median_peak_mib": None,
           "matched_units": None, "seconds": [], "r_libs": libs or "(R default)"}
    version = rpeer.r_package_version("MatchIt", libs)
    if rpeer.rscript() is None or version is None:
        return row | {"note": "Rscript not found" if rpeer.rscript() is None
                      else "MatchIt not installed"}
    row["task"] = f"R MatchIt {version}"
    if not rpeer.version_at_least(version, MATCHIT_MIN):
        return row | {"note": f"MatchIt {version} < {MATCHIT_MIN} ignores calipers below 1 "
                              "(MatchIt issue #163): not the same algorithm; skipped"}
    df = make_data(n_treated, n_control)
    folder = Path(tempfile.mkdtemp(prefix="bench_matching_r_"))
    rpeer.write_columns(df, folder, numeric=COVARIATES + ["fip"])
    options = {"treatment": "fip", "covariates": COVARIATES, "categorical": [], "exact": None,
               "caliper": 0.2, "ratio": 1, "order": "largest", "distance": "glm",
               "summary": False}
    proc = rpeer.run_r("matchit_nearest.R", [folder, folder, repeats, json.dumps(options)],
                       timeout=timeout, libs=libs)
    if "process_wall_s" not in proc:
        return row | {"note": f"did not finish within {timeout:g} s; stopped"
                      if "timed_out_s" in proc else proc.get("error", "failed")[-300:]}
    r = json.loads((folder / "result_glm.json").read_text())
    import pandas as pd
    from fipeval.matching import match
    ours = match(df, treatment="fip", covariates=COVARIATES, distance="logit", caliper=0.2)
    mm = ours.match_matrix.iloc[:, 0]
    theirs = pd.read_csv(folder / "pairs_glm.csv").set_index("treated")["control"]
    theirs = theirs.reindex(mm.index.to_numpy())
    same = int(((mm.to_numpy(dtype=float) == theirs.to_numpy(dtype=float)) & mm.notna().to_numpy()).sum())
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    return row | {"median_seconds": statistics.median(r["wall_s"]),
                  "median_cpu_seconds": statistics.median(r["cpu_s"]),
                  "median_peak_mib": r.get("peak_extra_mb"), "seconds": r["wall_s"],
                  "cpu_seconds": r["cpu_s"], "matched_units": 2 * int(r["n_matched_treated"]),
                  "process_cpu_s": proc["process_cpu_s"], "r_version": r["r_version"],
                  "pairs_same_as_fipeval": same, "pairs_fipeval": int(mm.notna().sum())}


def main(argv=None) -> None:
    from run_national import AIM_CPU_SECONDS, command_line, machine
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-repeats", type=int, default=1)
    parser.add_argument("--peer-timeout", type=float, default=90.0)
    parser.add_argument("--r-timeout", type=float, default=600.0,
                        help="seconds before an R MatchIt run (all its repeats) is stopped")
    parser.add_argument("--r-libs", default=os.environ.get("FIPEVAL_R_LIBS", ""),
                        help="R library folders (R_LIBS) holding MatchIt >= 4.5.4")
    parser.add_argument("--quick", action="store_true",
                        help="10k x 100k instead of 100k x 1M (for a smoke test)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    before = machine()
    big = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    mid = (10_000, 100_000)
    small = (2_000, 20_000)
    sizes = list(dict.fromkeys([small, mid, big]))
    plan = [("fipeval_match_caliper", *n) for n in sizes] + [
        ("fipeval_nearest_only", *big),
        ("fipeval_match", *small), ("psmpy", *small),
        ("fipeval_match_replace", *small), ("psmpy_replace", *small),
        ("fipeval_att_atc_replace", *small), ("causalinference", *small)]
    rows = []
    for name, n1, n0 in plan:
        peer = not name.startswith("fipeval")
        row = measure(name, n1, n0, args.peer_repeats if peer else args.repeats,
                      timeout=args.peer_timeout if peer else None)
        rows.append(row)
        print(_row_line(row), flush=True)
    for n1, n0 in sizes:
        # one run at the largest size (R then takes minutes, not the measurement's noise)
        row = r_matchit(n1, n0, args.repeats if n1 < 100_000 else 1, args.r_timeout, args.r_libs)
        rows.append(row)
        print(_row_line(row), flush=True)
        if row["median_seconds"] is None:
            break  # a larger size would not finish either

    def find(task, size):
        return next((r for r in rows if r["task"] == task and (r["n_treated"], r["n_control"]) == size),
                    None)

    def ratio(peer, ours, key="median_seconds", timeout=None):
        if peer is None or ours is None:
            return None
        a, b = peer.get(key), ours.get(key)
        if a is None:
            return f"> {timeout / b:.0f} (peer stopped)" if timeout and "did not finish" in \
                peer.get("note", "") else None
        return a / b

    like = {}
    for size in sizes:
        theirs = next((r for r in rows if r["task"].startswith("R MatchIt")
                       and (r["n_treated"], r["n_control"]) == size), None)
        ours = find("fipeval_match_caliper", size)
        if theirs is not None:
            key = (f"{theirs['task']} / fipeval, CPU s (1:1 NN without replacement, logit PS, "
                   f"caliper 0.2, largest first; {size[0]:,} x {size[1]:,})")
            like[key] = ratio(theirs, ours, "median_cpu_seconds", args.r_timeout)
    other = {
        "psmpy / fipeval (different rules: data order, no caliper; 1:1 without replacement, 2k x 20k)":
            ratio(find("psmpy", small), find("fipeval_match", small), timeout=args.peer_timeout),
        "psmpy / fipeval (1:1 with replacement, 2k x 20k)":
            ratio(find("psmpy_replace", small), find("fipeval_match_replace", small),
                  timeout=args.peer_timeout),
        "causalinference / fipeval (different algorithm: covariate matching with replacement "
        "for the ATE, quadratic; against fipeval's ATT + ATC with replacement, 2k x 20k)":
            ratio(find("causalinference", small), find("fipeval_att_atc_replace", small),
                  timeout=args.peer_timeout),
    }
    full = find("fipeval_match_caliper", big)
    verdict = (f"fipeval matches {big[0]:,} x {big[1]:,} (logit PS + caliper match) in "
               f"{full['median_cpu_seconds']:.2f} CPU s, {100 * full['median_cpu_seconds'] / AIM_CPU_SECONDS:.0f}% "
               f"of the whole report's aim ({AIM_CPU_SECONDS:.0f} CPU s; the report matches the "
               f"30,000-client cohort, see peers_national.py)")
    out = {"benchmark": "nearest-neighbour propensity score matching",
           "command": command_line("bench_matching.py", argv), "machine": before,
           "load_average_after": os.getloadavg(), "versions": _versions(),
           "results": rows, "like_for_like_ratios": like,
           "not_like_for_like_ratios": other, "verdict": verdict}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, default=str) + "\n")
    print()
    print(f"{'task':<26} {'n_treated':>9} {'n_control':>10} {'median s':>9} {'CPU s':>8} "
          f"{'peak MiB':>9}")
    for r in rows:
        print(f"{r['task']:<26} {r['n_treated']:>9,} {r['n_control']:>10,} "
              f"{_fmt(r['median_seconds'], 9, 3)} {_fmt(r.get('median_cpu_seconds'), 8, 3)} "
              f"{_fmt(r['median_peak_mib'], 9, 1)} {r.get('note', '')}"
              + (f" same pairs {r['pairs_same_as_fipeval']}/{r['pairs_fipeval']}"
                 if "pairs_same_as_fipeval" in r else ""))
    print("\nlike for like:")
    for k, v in like.items():
        print(f"  {k}: {v:.2f}x" if isinstance(v, float) else f"  {k}: {v}")
    print("not like for like (orientation only):")
    for k, v in other.items():
        print(f"  {k}: {v:.1f}x" if isinstance(v, float) else f"  {k}: {v}")
    print(verdict)
    print(f"wrote {args.out}")


def _row_line(row: dict) -> str:
    return (f"  {row['task']:<26} {row['n_treated']:>7,} x {row['n_control']:>9,}: "
            f"{_fmt(row['median_seconds'], 8, 3)} s {_fmt(row.get('median_cpu_seconds'), 8, 3)} CPU s "
            f"{_fmt(row['median_peak_mib'], 8, 1)} MiB {row.get('note', '')}")


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
