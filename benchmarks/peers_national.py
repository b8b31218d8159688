"""Benchmark: each report stage against the peer a user would pick, on the national data.

One run, identical data: the ``national`` export of ``run_national.py`` (same cache). A
preparation process loads it with fipeval and saves what every tool then reads: the
cohort (``build_cohort``), the survival data on the spell clock (``survival_data``) and the
caseworker-month panel of the DiD section (``caseworker_panel`` over ``section_window``).
Every measurement runs in its own process (pinned to ``--cores`` CPUs) and records wall
seconds, CPU seconds and the growth of peak resident memory during the call.

| stage | fipeval | peers |
|---|---|---|
| load | ``fipeval.io.loading`` of the three CSV files | plain reads that do none of the job (``pandas.read_csv(sep=";", decimal=",")``, ``pyarrow.csv.read_csv``, ``polars.read_csv``), and pandas and polars doing the same job (``bench_load_national``: 11-proef, the same HMAC pseudonyms with precomputed pads, dates, codes, row rules, pandas out); also ``bench_io.measure`` on the spells file |
| matching | ``fipeval.match`` 1:1 nearest on the logit of the propensity score, caliper 0.2, no replacement | ``psmpy`` (logistic_ps + kdtree_matched, same settings), ``causalinference`` (propensity fit + ``est_via_matching``) |
| survival | ``fipeval.cox`` as the report fits it (spell clock, delayed entry, strata municipality, clustered SE); ``bench_survival._fit`` on 10 covariates (study clock) | ``lifelines.CoxPHFitter`` and ``statsmodels`` ``PHReg``, same models |
| DiD | ``fipeval.diff_in_diff`` TWFE, caseload weights, CR1 by caseworker, on the report's panel (via ``bench_did.run_worker``) | ``pyfixest.feols`` (CRV1); ``statsmodels`` WLS with dummies on every 10th caseworker (all tools also run on that subsample) |

Peers that take longer than ``--timeout`` seconds are stopped and reported as such.
Ratio = peer seconds / fipeval seconds (above 1: fipeval is faster).

Run: ``/work/venv/bin/python benchmarks/peers_national.py [--scale 1] [--cores 2]``.
Writes ``benchmarks/results/peers_national.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procstat import cpu_seconds, peak_mb, reset_peak, rss_mb  # noqa: E402
from run_national import (DEFAULT_CACHE, EXPORT_FILES, NATIONAL_SEED, RESULTS,  # noqa: E402
                          command_line, ensure_export, machine, write_json)

MATCH_COVARIATES = ["age", "household_type", "sex", "ladder_rung", "months_before_start"]
CALIPER = 0.2
# (stage, task, tool); the first tool of each task is fipeval, the reference of the ratios
TASKS = [
    ("load", "three CSV files", "fipeval"), ("load", "three CSV files", "pandas"),
    ("load", "three CSV files", "pyarrow.csv"), ("load", "three CSV files", "polars"),
    ("load", "three CSV files", "pandas, same job"), ("load", "three CSV files", "polars, same job"),
    ("matching", "1:1 nearest, logit PS", "fipeval"), ("matching", "1:1 nearest, logit PS", "psmpy"),
    ("matching", "1:1 nearest, logit PS", "causalinference"),
    ("survival", "Cox, report model", "fipeval"), ("survival", "Cox, report model", "lifelines"),
    ("survival", "Cox, report model", "statsmodels"),
    ("survival", "Cox, 10 covariates", "fipeval"), ("survival", "Cox, 10 covariates", "lifelines"),
    ("survival", "Cox, 10 covariates", "statsmodels"),
    ("did", "TWFE, CR1", "fipeval"), ("did", "TWFE, CR1", "pyfixest"),
    ("did", "TWFE, CR1, 1/10 cw", "fipeval"), ("did", "TWFE, CR1, 1/10 cw", "pyfixest"),
    ("did", "TWFE, CR1, 1/10 cw", "statsmodels"),
]


# ---------------------------------------------------------------- shared inputs

def prepare(folder: Path) -> Path:
    """Load the export with fipeval and save the inputs every tool reads.

    Rebuilt on every run, so the inputs follow the current cohort and panel code.
    """
    prepared = folder / "peers_inputs"
    prepared.mkdir(exist_ok=True)
    from fipeval.design import build_cohort
    from fipeval.diff_in_diff import caseworker_panel
    from fipeval.diff_in_diff.section import section_window
    from fipeval.io import load
    from fipeval.report.config import load_config
    from fipeval.survival.prep import survival_data

    config = load_config(folder / "study.toml")
    design = config.design()
    register = load([folder / f for f in EXPORT_FILES], key=folder / "pseudonym.key",
                    extract_date=config.extract_date)
    cohort = build_cohort(register, design)
    cohort.to_pickle(prepared / "cohort.pkl")
    survival_data(cohort, "spell").to_pickle(prepared / "spell.pkl")
    start, end = section_window(register, design)
    panel = caseworker_panel(register, start=start, end=end, design=design,
                             min_months_on_benefit=design.min_months_on_benefit,
                             max_ladder_rung=design.max_ladder_rung)
    # the DiD inputs as bench_did makes them; statsmodels needs a dummy per caseworker, so it
    # gets bench_did's subsample and the other tools run on it too
    from bench_did import did_inputs
    panel, sub = did_inputs(panel)
    panel.to_pickle(prepared / "did_full.pkl")
    sub.to_pickle(prepared / "did_sub.pkl")
    return prepared


def _ten_covariates(cohort):
    """The cohort in ``bench_survival``'s shape: months, ended, caseworker, x0..x9."""
    import numpy as np
    import pandas as pd
    from bench_survival import COLUMNS
    x = pd.DataFrame({
        "months": cohort["months_on_benefit"].to_numpy(), "ended": cohort["ended"].to_numpy(),
        "caseworker": pd.factorize(cohort["caseworker"])[0]})
    cols = [cohort["fip"], cohort["age"], cohort["age"] ** 2 / 100, cohort["months_before_start"],
            np.log1p(cohort["months_before_start"]), cohort["ladder_rung"],
            cohort["monthly_amount"] / 1000, (cohort["sex"].astype(str) == "female"),
            (cohort["household_type"].astype(str) == "single_parent"),
            (cohort["household_type"].astype(str) == "couple")]
    for name, c in zip(COLUMNS, cols):
        x[name] = np.asarray(c, dtype=float)
    return x


# ---------------------------------------------------------------- one measurement

def _task(stage: str, task: str, tool: str, folder: Path, prepared: Path):
    """Return a callable doing the work (inputs already in memory) and a note."""
    import warnings
    import pandas as pd
    warnings.simplefilter("ignore")
    if stage == "load":
        files = [folder / f for f in EXPORT_FILES]
        if tool == "fipeval":
            from fipeval.io import load
            from fipeval.report.config import load_config
            extract = load_config(folder / "study.toml").extract_date
            return lambda: load(files, key=folder / "pseudonym.key", extract_date=extract), \
                "validated, pseudonymised, canonical dtypes"
        import bench_load_national
        notes = {"pandas, same job": "bench_load_national.pandas_same_job: 11-proef, same HMAC "
                                     "pseudonyms (pads, once per distinct BSN), dates, codes, "
                                     "row rules; no accounting",
                 "polars, same job": "bench_load_national.polars_same_job: the same job in polars, "
                                     "pandas out",
                 "pyarrow.csv": "plain multi-threaded read, types inferred, no checks",
                 "polars": "plain read, types inferred, no checks"}
        if tool in notes:
            return bench_load_national._work(tool, folder), notes[tool]
        return lambda: [pd.read_csv(f, sep=";", decimal=",") for f in files], \
            "plain read: text columns stay text, no dates, no checks"
    if stage == "matching":
        cohort = pd.read_pickle(prepared / "cohort.pkl")
        if tool == "fipeval":
            from fipeval import match
            return lambda: match(cohort, treatment="fip", covariates=MATCH_COVARIATES, distance="logit",
                                 caliper=CALIPER).balance(), "match + balance table"
        X = pd.get_dummies(cohort[MATCH_COVARIATES], columns=["household_type", "sex"],
                           drop_first=True, dtype=float)
        if tool == "psmpy":
            from psmpy import PsmPy
            df = pd.concat([cohort[["client_id", "fip"]], X], axis=1)

            def run():
                psm = PsmPy(df, treatment="fip", indx="client_id", exclude=[])
                psm.logistic_ps(balance=False)
                psm.kdtree_matched(matcher="propensity_logit", replacement=False, caliper=CALIPER)
                return psm
            return run, "logistic_ps(balance=False) + kdtree_matched(propensity_logit)"
        from causalinference import CausalModel

        def run():
            cm = CausalModel(cohort["ended"].to_numpy(float), cohort["fip"].to_numpy(),
                             X.to_numpy(float))
            cm.est_propensity_s()
            cm.est_via_matching(matches=1)
            return cm
        return run, "est_propensity_s + est_via_matching (with replacement, covariate distance)"
    if stage == "survival":
        if task == "Cox, 10 covariates":
            data = _ten_covariates(pd.read_pickle(prepared / "cohort.pkl"))
            from bench_survival import _fit
            _fit(tool, data.iloc[:2000])  # warm-up: _fit imports the tool inside
            return lambda: _fit(tool, data), "bench_survival._fit: Efron, clustered SE"
        spell = pd.read_pickle(prepared / "spell.pkl")
        if tool == "fipeval":
            from fipeval import cox
            return lambda: cox(spell, duration="exit", event="event", covariates=["fip"], entry="entry",
                               cluster="caseworker", strata="municipality"), \
                "spell clock, delayed entry, strata, clustered SE"
        if tool == "lifelines":
            from lifelines import CoxPHFitter
            d = spell[["exit", "event", "fip", "entry", "caseworker", "municipality"]].copy()
            return lambda: CoxPHFitter().fit(d, "exit", "event", entry_col="entry",
                                             strata=["municipality"], cluster_col="caseworker"), \
                "entry_col, strata, cluster_col"
        from statsmodels.duration.hazard_regression import PHReg
        groups = pd.factorize(spell["caseworker"])[0]
        strata = pd.factorize(spell["municipality"])[0]
        return lambda: PHReg(spell["exit"].to_numpy(float), spell[["fip"]].to_numpy(float),
                             status=spell["event"].to_numpy(), entry=spell["entry"].to_numpy(float),
                             strata=strata, ties="efron").fit(groups=groups), \
            "entry, strata, groups (robust SE)"
    raise ValueError(f"unknown task {stage}/{tool}")


def child(stage: str, task: str, tool: str, folder: Path, prepared: Path) -> dict:
    run, note = _task(stage, task, tool, folder, prepared)
    base = rss_mb()
    reset_peak()
    c0, t0 = cpu_seconds(), time.perf_counter()
    run()
    wall = time.perf_counter() - t0
    return {"stage": stage, "task": task, "tool": tool, "note": note, "wall_s": wall,
            "cpu_s": cpu_seconds() - c0, "peak_extra_mb": max(peak_mb() - base, 0.0)}


def measure(stage, task, tool, folder, prepared, cores, timeout) -> dict:
    if stage == "did":  # bench_did's workers (one warm-up run, so pyfixest's JIT is not timed)
        import bench_did
        path = prepared / ("did_sub.pkl" if "1/10" in task else "did_full.pkl")
        r = bench_did.run_worker(tool, path, 1)
        if "error" in r:
            return {"stage": stage, "task": task, "tool": tool, "error": r["error"]}
        return {"stage": stage, "task": task, "tool": tool, "wall_s": r["median_seconds"],
                "cpu_s": r["cpu_seconds"], "peak_extra_mb": r["extra_mb"], "rows": r["rows"],
                "estimate": r.get("estimate"), "std_error": r.get("std_error"),
                "note": "bench_did.run_worker (after one warm-up run)"}
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS", "POLARS_MAX_THREADS"):
        env[var] = str(cores)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", stage, task, tool,
           str(folder), str(prepared), str(cores)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"stage": stage, "task": task, "tool": tool, "timed_out_s": timeout}
    if done.returncode != 0:
        return {"stage": stage, "task": task, "tool": tool, "error": done.stderr[-1500:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def ratios(rows: list[dict]) -> list[dict]:
    """Peer seconds / fipeval seconds for each task (wall and CPU)."""
    for r in rows:
        ours = next((x for x in rows if x["task"] == r["task"] and x["tool"] == "fipeval"), None)
        if r["tool"] == "fipeval" or ours is None or "wall_s" not in ours:
            continue
        if "wall_s" in r:
            r["ratio_wall"] = r["wall_s"] / ours["wall_s"]
            r["ratio_cpu"] = r["cpu_s"] / ours["cpu_s"]
        elif "timed_out_s" in r:
            r["ratio_wall"] = f"> {r['timed_out_s'] / ours['wall_s']:.1f}"
    return rows


def format_table(rows: list[dict]) -> str:
    head = (f"{'stage':<10}{'task':<24}{'tool':<19}{'wall s':>9}{'CPU s':>9}{'peak +MB':>10}"
            f"{'ratio':>9}{'(CPU)':>8}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if "wall_s" in r:
            ratio = r.get("ratio_wall")
            cells = (f"{r['wall_s']:>9.2f}{r['cpu_s']:>9.2f}{r['peak_extra_mb']:>10.0f}"
                     + (f"{ratio:>9.2f}{r['ratio_cpu']:>8.2f}" if isinstance(ratio, float) else ""))
        elif "timed_out_s" in r:
            cells = f"{'> ' + str(r['timed_out_s']):>9}{'':>19}{r.get('ratio_wall', ''):>9}"
        else:
            cells = "   failed: " + r["error"].strip().splitlines()[-1][:60]
        lines.append(f"{r['stage']:<10}{r['task']:<24}{r['tool']:<19}{cells}")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=NATIONAL_SEED)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is stopped")
    p.add_argument("--only", nargs="*", help="stages to run (load matching survival did)")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--out", type=Path, default=RESULTS / "peers_national.json")
    args = p.parse_args(argv)
    before = machine()
    folder = ensure_export(args.scale, args.seed, args.cache)
    prep = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--prepare", str(folder)],
                          capture_output=True, text=True)
    if prep.returncode != 0:
        raise SystemExit(f"preparing the shared inputs failed:\n{prep.stderr[-3000:]}")
    prepared = Path(prep.stdout.strip().splitlines()[-1])
    rows = []
    for stage, task, tool in TASKS:
        if args.only and stage not in args.only:
            continue
        r = measure(stage, task, tool, folder, prepared, args.cores, args.timeout)
        rows.append(r)
        print(f"{stage:<10}{task:<24}{tool:<19}" + (f"{r['wall_s']:.2f} s" if "wall_s" in r else
              "timed out" if "timed_out_s" in r else "failed"), flush=True)
    if not args.only or "load" in args.only:
        try:  # the io engineer's single-file measurement, on the national spells file
            import bench_io
            for which, tool in (("fipeval", "fipeval"), ("pandas", "pandas")):
                m = bench_io.measure(which, folder / "uitkeringen.csv")
                rows.append({"stage": "load", "task": "spells file (bench_io)", "tool": tool,
                             "wall_s": m["seconds"], "cpu_s": float("nan"),
                             "peak_extra_mb": m["peak_mb"], "note": "bench_io.measure"})
        except Exception as err:  # noqa: BLE001  (a failing peer must not lose the other rows)
            rows.append({"stage": "load", "task": "spells file (bench_io)", "tool": "fipeval",
                         "error": f"{type(err).__name__}: {err}"})
    rows = ratios(rows)
    meta = json.loads((folder / "export.json").read_text())
    result = {"benchmark": "report stages against peers on the national data",
              "command": command_line("peers_national.py", argv),
              "scale": args.scale, "seed": args.seed, "cores": args.cores, "timeout_s": args.timeout,
              "data": meta | {"folder": str(folder)}, "machine": before,
              "load_average_after": os.getloadavg(), "rows": rows}
    write_json(args.out, result)
    print()
    print(format_table(rows))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        stage, task, tool, folder, prepared, cores = sys.argv[2:8]
        if int(cores) and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:int(cores)])
        print(json.dumps(child(stage, task, tool, Path(folder), Path(prepared))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--prepare":
        print(prepare(Path(sys.argv[2])))
    else:
        main()
