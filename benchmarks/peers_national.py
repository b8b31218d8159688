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
| matching | ``fipeval.match`` as the report's balance section calls it: logistic propensity score, 1:1 nearest neighbour on its logit without replacement, largest score first, caliper 0.2 SD of the logit, exact on municipality | R ``MatchIt`` (>= 4.5.4; ``matchit(method="nearest", distance="glm", link="linear.logit", exact=~municipality, caliper=0.2, m.order="largest")``), the same options; also both on fipeval's score (the matching step alone) and with the balance table (``summary()``); the matched pairs are compared |
| matching, other algorithms | none (no ratio: not like for like) | ``psmpy`` (KD-tree, data order, no exact strata), ``causalinference`` (covariate matching with replacement, ATE: a different, quadratic algorithm) |
| survival | ``fipeval.cox`` as the report fits it (spell clock, delayed entry, strata municipality, clustered SE, Efron ties); ``bench_survival._fit`` on 10 covariates (study clock, clustered SE, Efron) | ``lifelines.CoxPHFitter`` (``entry_col``, ``strata``, ``cluster_col``; Efron is its only method), ``statsmodels`` ``PHReg`` (``entry``, ``strata``, ``ties="efron"``, ``groups``), R ``survival::coxph`` (``Surv(entry, exit, event)``, ``strata()``, ``cluster=``, ``ties="efron"``): same models; coefficients and SEs are recorded and compared |
| DiD | ``fipeval.diff_in_diff`` TWFE, caseload weights, CR1 by caseworker, on the report's panel (via ``bench_did.run_worker``) | ``pyfixest.feols`` (CRV1); ``statsmodels`` WLS with dummies on every 10th caseworker (all tools also run on that subsample) |

Matching and survival calls run ``--repeats`` times in their process (inputs in memory;
the table shows medians). R runs through ``Rscript`` (``benchmarks/r/``, timed inside R
with ``proc.time()``); without Rscript, or with a MatchIt older than 4.5.4 (whose caliper
is ignored, MatchIt issue #163), the R rows are skipped. ``--r-libs`` names R library
folders to try, one MatchIt per folder (see the README, "R peers").
Peers that take longer than ``--timeout`` seconds are stopped and reported as such.
Ratio = peer seconds / fipeval seconds (above 1: fipeval is faster), only between tools
doing the same task. Each stage's verdict relates fipeval's CPU seconds to the report's
aim (``run_national.AIM_CPU_SECONDS`` and ``AIM_MB`` for the whole report).

Run: ``python benchmarks/peers_national.py [--scale 1] [--cores 2] [--repeats 3]
[--only matching survival] [--r-libs /tmp/Rlib /tmp/Rlib-matchit-4.5.5]``.
Writes ``benchmarks/results/peers_national.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_national import (AIM_CPU_SECONDS, AIM_MB, DEFAULT_CACHE, EXPORT_FILES,  # noqa: E402
                          NATIONAL_SEED, RESULTS, command_line, ensure_export, machine,
                          write_json)

# the matching tasks (like for like: every tool with the report's options, see _report_matching)
MATCH = "PS + 1:1 NN match"
MATCH_SCORE = "1:1 NN, given score"
MATCH_BALANCE = "PS + NN + balance"
MATCH_OTHER = "other algorithms"  # not like for like: no fipeval row, no ratio
COX_REPORT, COX_TEN = "Cox, report model", "Cox, 10 covariates"
R_MATCHIT, R_COXPH = "R MatchIt", "R coxph"
MATCHIT_MIN = "4.5.4"  # 4.5.1-4.5.3 ignore calipers below 1 (MatchIt issue #163)
REPEATED = ("matching", "survival")  # stages whose calls run --repeats times
# (stage, task, tool); the first tool of each task is fipeval, the reference of the ratios
TASKS = [
    ("load", "three CSV files", "fipeval"), ("load", "three CSV files", "pandas"),
    ("load", "three CSV files", "pyarrow.csv"), ("load", "three CSV files", "polars"),
    ("load", "three CSV files", "pandas, same job"), ("load", "three CSV files", "polars, same job"),
    ("matching", MATCH, "fipeval"), ("matching", MATCH_SCORE, "fipeval"),
    ("matching", MATCH_BALANCE, "fipeval"), ("matching", MATCH, R_MATCHIT),
    ("matching", MATCH_OTHER, "psmpy"), ("matching", MATCH_OTHER, "causalinference"),
    ("survival", COX_REPORT, "fipeval"), ("survival", COX_REPORT, "lifelines"),
    ("survival", COX_REPORT, "statsmodels"), ("survival", COX_REPORT, R_COXPH),
    ("survival", COX_TEN, "fipeval"), ("survival", COX_TEN, "lifelines"),
    ("survival", COX_TEN, "statsmodels"), ("survival", COX_TEN, R_COXPH),
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


def _report_matching(cohort) -> dict:
    """The report's matching options, as ``fipeval.matching.report.balance_section`` applies
    ``fipeval.report.config.MatchingOptions``' defaults (exact columns that vary, the
    logit, no replacement, largest score first: MatchIt's default order for the ATT)."""
    from fipeval.report.config import MatchingOptions
    o = MatchingOptions()
    return {"covariates": list(o.covariates), "categorical": ["household_type", "sex"],
            "exact": [c for c in o.exact if cohort[c].nunique() > 1], "caliper": o.caliper,
            "ratio": o.ratio, "order": "largest"}


def matching_inputs(prepared: Path) -> None:
    """fipeval's logit score (``match_score.f64``, for the given-score task) and the
    cohort's matching columns for R (``r_matching/``)."""
    import pandas as pd
    import rpeer
    from fipeval.matching import propensity_score
    cohort = pd.read_pickle(prepared / "cohort.pkl")
    opts = _report_matching(cohort)
    score = propensity_score(cohort, treatment="fip", covariates=opts["covariates"],
                             scale="logit").to_numpy()
    score.astype("<f8").tofile(prepared / "match_score.f64")
    cols = cohort[opts["covariates"] + opts["exact"] + ["fip"]].assign(score=score)
    numeric = [c for c in opts["covariates"] if c not in opts["categorical"]] + ["fip", "score"]
    rpeer.write_columns(cols, prepared / "r_matching", numeric=numeric,
                        text=opts["categorical"] + opts["exact"])


# ---------------------------------------------------------------- R peers

def _median(values) -> float:
    import statistics
    return float(statistics.median(values))


def _pairs_agreement(ours_file: Path, r_pairs_file: Path, focal_rows) -> dict:
    """How many FIP clients got the same control from fipeval and from R."""
    import numpy as np
    import pandas as pd
    if not ours_file.exists():
        return {}
    ours = np.load(ours_file)
    r = pd.read_csv(r_pairs_file).set_index("treated")["control"]
    theirs = r.reindex(focal_rows).fillna(-1).to_numpy(dtype=np.int64)
    return {"matched_fip_fipeval": int((ours >= 0).sum()), "matched_fip_r": int((theirs >= 0).sum()),
            "same_control": int(((ours == theirs) & (ours >= 0)).sum()),
            "differing_pairs": int((ours != theirs).sum()),
            "same_matched_set": bool(set(ours[ours >= 0]) == set(theirs[theirs >= 0]))}


def r_matchit_rows(prepared: Path, libs: list[str], repeats: int, timeout: float) -> list[dict]:
    """R MatchIt with the report's options, once per library folder in ``libs``: rows for
    the three like-for-like matching tasks, each with the pairs compared to fipeval's."""
    import numpy as np
    import pandas as pd
    import rpeer
    cohort = pd.read_pickle(prepared / "cohort.pkl")
    opts = _report_matching(cohort)
    focal_rows = np.flatnonzero(cohort["fip"].to_numpy() == 1)
    ours_score = np.fromfile(prepared / "match_score.f64")
    rows = []
    for lib in libs:
        base = {"stage": "matching", "tool": R_MATCHIT, "r_libs": lib or "(R default)"}
        version = rpeer.r_package_version("MatchIt", lib)
        if rpeer.rscript() is None or version is None:
            why = "Rscript not found" if rpeer.rscript() is None else "MatchIt not installed"
            rows.append({**base, "task": MATCH, "skipped": why})
            continue
        tool = f"{R_MATCHIT} {version}"
        if not rpeer.version_at_least(version, MATCHIT_MIN):
            rows.append({**base, "task": MATCH, "tool": tool,
                         "skipped": f"MatchIt {version} < {MATCHIT_MIN} ignores calipers below "
                                    "1 (MatchIt issue #163): not the same algorithm"})
            continue
        out = prepared / f"r_matchit_{version}"
        out.mkdir(exist_ok=True)
        results = {}
        for distance in ("glm", "given"):
            options = {"treatment": "fip", **opts, "exact": (opts["exact"] or [None])[0],
                       "distance": distance, "summary": distance == "glm"}
            proc = rpeer.run_r("matchit_nearest.R",
                               [prepared / "r_matching", out, repeats, json.dumps(options)],
                               timeout=timeout, libs=lib)
            if "process_wall_s" in proc:
                proc |= json.loads((out / f"result_{distance}.json").read_text())
            results[distance] = proc
        for task, distance in ((MATCH, "glm"), (MATCH_SCORE, "given"), (MATCH_BALANCE, "glm")):
            r = results[distance]
            row = {**base, "task": task, "tool": tool, "r_version": r.get("r_version")}
            if "process_wall_s" not in r:
                rows.append(row | {k: v for k, v in r.items() if k in ("error", "timed_out_s")})
                continue
            cpu, wall = r["cpu_s"], r["wall_s"]
            if task == MATCH_BALANCE:
                cpu = [a + b for a, b in zip(cpu, r["summary_cpu_s"])]
                wall = [a + b for a, b in zip(wall, r["summary_wall_s"])]
            row |= {"repeats": repeats, "wall_s": _median(wall), "cpu_s": _median(cpu),
                    "wall_runs": wall, "cpu_runs": cpu, "peak_extra_mb": r.get("peak_extra_mb"),
                    "process_cpu_s": r["process_cpu_s"], "process_wall_s": r["process_wall_s"],
                    "note": ("matchit(" + ("distance = <fipeval's logit score>" if distance == "given"
                             else 'distance = "glm", link = "linear.logit"')
                             + f", exact = ~{options['exact']}, caliper = {opts['caliper']}, "
                             f"m.order = \"{opts['order']}\")"
                             + (" + summary(un = TRUE)" if task == MATCH_BALANCE else "")
                             + "; timed in R with proc.time()")}
            if task != MATCH_BALANCE:
                row |= _pairs_agreement(prepared / f"pairs_fipeval_{distance}.npy",
                                        out / f"pairs_{distance}.csv", focal_rows)
                r_score = np.fromfile(out / f"distance_{distance}.f64")
                row["max_abs_score_diff"] = float(np.max(np.abs(r_score - ours_score)))
            rows.append(row)
    return rows


def _cox_inputs(task: str, prepared: Path):
    """The data and coxph options of a Cox task, in the columns ``coxph.R`` reads."""
    import pandas as pd
    if task == COX_TEN:
        from bench_survival import COLUMNS
        data = _ten_covariates(pd.read_pickle(prepared / "cohort.pkl"))
        return data, ["months", "ended", "caseworker", *COLUMNS], [], {
            "duration": "months", "event": "ended", "entry": None, "covariates": COLUMNS,
            "cluster": "caseworker", "strata": None, "ties": "efron"}
    spell = pd.read_pickle(prepared / "spell.pkl")
    return spell, ["exit", "event", "fip", "entry"], ["caseworker", "municipality"], {
        "duration": "exit", "event": "event", "entry": "entry", "covariates": ["fip"],
        "cluster": "caseworker", "strata": "municipality", "ties": "efron"}


def r_coxph_rows(task: str, prepared: Path, repeats: int, timeout: float) -> list[dict]:
    """R survival::coxph on the same data with the same options as fipeval's row. A model
    without delayed entry is also fitted in counting-process form, Surv(0, t, event): the
    same model, but coxph's robust variance then takes its fast route (agscore3) instead of
    the right-censored one (coxscore2), which grows quadratically with the rows."""
    import rpeer
    row = {"stage": "survival", "task": task, "tool": R_COXPH}
    if rpeer.rscript() is None:
        return [row | {"skipped": "Rscript not found"}]
    data, numeric, text, options = _cox_inputs(task, prepared)
    folder = rpeer.write_columns(data, prepared / f"r_cox_{task.split(',')[-1].strip().replace(' ', '_')}",
                                 numeric=numeric, text=text)
    rows = []
    for counting in ((False, True) if options["entry"] is None else (False,)):
        out = folder / f"result{'_counting' if counting else ''}.json"
        proc = rpeer.run_r("coxph.R", [folder, out, repeats, json.dumps(options | {"counting": counting})],
                           timeout=timeout)
        if "process_wall_s" not in proc:
            rows.append(row | proc)
            continue
        r = json.loads(out.read_text())
        rows.append(row | {
            "tool": f"{R_COXPH} {r['survival_version']}" + (", Surv(0,t,e)" if counting else ""),
            "repeats": repeats, "wall_s": _median(r["wall_s"]), "cpu_s": _median(r["cpu_s"]),
            "wall_runs": r["wall_s"], "cpu_runs": r["cpu_s"], "peak_extra_mb": r.get("peak_extra_mb"),
            "process_cpu_s": proc["process_cpu_s"], "process_wall_s": proc["process_wall_s"],
            "coef": [float(x) for x in _as_list(r["coef"])],
            "std_error": [float(x) for x in _as_list(r["std_error"])],
            "r_version": r["r_version"], "note": r["formula"] + ', ties = "efron", cluster = '
            + options["cluster"] + "; timed in R with proc.time()"})
    return rows


def _as_list(x):
    return x if isinstance(x, list) else [x]


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
        opts = _report_matching(cohort)
        if tool == "fipeval":
            from fipeval import match
            kw = dict(treatment="fip", covariates=opts["covariates"], exact=opts["exact"],
                      caliper=opts["caliper"], ratio=opts["ratio"], order=opts["order"])
            if task == MATCH_SCORE:
                import numpy as np
                score = np.fromfile(prepared / "match_score.f64")
                return lambda: match(cohort, distance=score, **kw), \
                    "match(distance=<the logit score>), the matching step alone"
            if task == MATCH_BALANCE:
                return lambda: match(cohort, distance="logit", **kw).balance(), \
                    "match + balance table (SMD, variance ratio, eCDF; before and after)"
            return lambda: match(cohort, distance="logit", **kw), \
                "as the report's balance section: logit PS, caliper, exact, largest first"
        X = pd.get_dummies(cohort[opts["covariates"]], columns=["household_type", "sex"],
                           drop_first=True, dtype=float)
        if tool == "psmpy":
            from psmpy import PsmPy
            df = pd.concat([cohort[["client_id", "fip"]], X], axis=1)

            def run():
                psm = PsmPy(df, treatment="fip", indx="client_id", exclude=[])
                psm.logistic_ps(balance=False)
                psm.kdtree_matched(matcher="propensity_logit", replacement=False,
                                   caliper=opts["caliper"])
                return psm
            return run, ("different rules: KD-tree, data order, no exact strata "
                         "(logistic_ps + kdtree_matched(propensity_logit))")
        from causalinference import CausalModel

        def run():
            cm = CausalModel(cohort["ended"].to_numpy(float), cohort["fip"].to_numpy(),
                             X.to_numpy(float))
            cm.est_propensity_s()
            cm.est_via_matching(matches=1)
            return cm
        return run, ("different algorithm: covariate matching with replacement for the ATE "
                     "(est_propensity_s + est_via_matching), quadratic")
    if stage == "survival":
        if task == COX_TEN:
            data = _ten_covariates(pd.read_pickle(prepared / "cohort.pkl"))
            from bench_survival import _fit
            _fit(tool, data.iloc[:2000])  # warm-up: _fit imports the tool inside
            return lambda: _fit(tool, data), "bench_survival._fit: Efron, clustered SE"
        spell = pd.read_pickle(prepared / "spell.pkl")
        if tool == "fipeval":
            from fipeval import cox

            def run():
                res = cox(spell, duration="exit", event="event", covariates=["fip"], entry="entry",
                          cluster="caseworker", strata="municipality", ties="efron")
                return res.coef, res.std_error
            return run, "spell clock, delayed entry, strata, clustered SE, Efron"
        if tool == "lifelines":
            from lifelines import CoxPHFitter
            d = spell[["exit", "event", "fip", "entry", "caseworker", "municipality"]].copy()

            def run():
                fit = CoxPHFitter().fit(d, "exit", "event", entry_col="entry",
                                        strata=["municipality"], cluster_col="caseworker")
                return fit.params_.to_numpy(), fit.standard_errors_.to_numpy()
            return run, "entry_col, strata, cluster_col (Efron, lifelines' only method)"
        from statsmodels.duration.hazard_regression import PHReg
        groups = pd.factorize(spell["caseworker"])[0]
        strata = pd.factorize(spell["municipality"])[0]

        from bench_survival import ENTRY_SHIFT

        def run():
            fit = PHReg(spell["exit"].to_numpy(float), spell[["fip"]].to_numpy(float),
                        status=spell["event"].to_numpy(),
                        entry=spell["entry"].to_numpy(float) + ENTRY_SHIFT,
                        strata=strata, ties="efron").fit(groups=groups)
            return fit.params, fit.bse
        return run, ("entry + 1e-6 (PHReg's risk set includes a client at its entry time), "
                     "strata, ties='efron', groups (robust SE)")
    raise ValueError(f"unknown task {stage}/{tool}")


def child(stage: str, task: str, tool: str, folder: Path, prepared: Path,
          repeats: int = 1) -> dict:
    head = {"stage": stage, "task": task, "tool": tool}
    try:
        run, note = _task(stage, task, tool, folder, prepared)
    except ModuleNotFoundError as err:
        return head | {"skipped": f"{err.name} is not installed"}
    from bench_did import _timed  # the same timing loop as the DiD benchmark
    timed = _timed(run, repeats, warmup=False)
    out = timed["result"]
    row = head | {"note": note, "repeats": repeats, "wall_s": timed["median_seconds"],
                  "cpu_s": timed["cpu_seconds"], "wall_runs": timed["seconds"],
                  "peak_extra_mb": max(timed["extra_mb"], 0.0)}
    return row | _outputs(stage, task, tool, out, prepared)


def _outputs(stage, task, tool, out, prepared: Path) -> dict:
    """What a run produced that the other tools' runs are checked against: Cox
    coefficients and SEs; fipeval's matched pairs (saved for the comparison with R)."""
    import numpy as np
    if stage == "survival":
        coef, se = out
        return {"coef": [float(x) for x in np.ravel(coef)],
                "std_error": [float(x) for x in np.ravel(se)]}
    if stage == "matching" and tool == "fipeval" and task in (MATCH, MATCH_SCORE):
        mm = out.match_matrix.iloc[:, 0]
        pos = out.data.index.get_indexer(mm.dropna().to_numpy())
        pairs = np.full(len(mm), -1, dtype=np.int64)
        pairs[mm.notna().to_numpy()] = pos
        np.save(prepared / f"pairs_fipeval_{'glm' if task == MATCH else 'given'}.npy", pairs)
        return {"matched_fip": int((pairs >= 0).sum()), "fip": int(len(pairs)),
                "caliper_on_score": out.settings.get("caliper_abs")}
    return {}


def measure(stage, task, tool, folder, prepared, cores, timeout, repeats=1,
            r_libs=("",)) -> dict | list[dict]:
    if tool == R_MATCHIT:
        return r_matchit_rows(prepared, list(r_libs), repeats, timeout)
    if tool == R_COXPH:
        return r_coxph_rows(task, prepared, repeats, timeout)
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
           str(folder), str(prepared), str(cores), str(repeats)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"stage": stage, "task": task, "tool": tool, "timed_out_s": timeout}
    if done.returncode != 0:
        return {"stage": stage, "task": task, "tool": tool, "error": done.stderr[-1500:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def ratios(rows: list[dict]) -> list[dict]:
    """Peer seconds / fipeval seconds for each task (wall and CPU); tasks without a fipeval
    row (other algorithms) get none."""
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


def estimate_agreement(rows: list[dict]) -> list[dict]:
    """Each peer's Cox coefficients and SEs against fipeval's on the same task: the check
    that the options (ties, entry, strata, clustering) really are the same."""
    import numpy as np
    for r in rows:
        ours = next((x for x in rows if x["task"] == r["task"] and x["tool"] == "fipeval"), None)
        if r["tool"] == "fipeval" or ours is None or "coef" not in r or "coef" not in ours:
            continue
        r["max_abs_coef_diff"] = float(np.max(np.abs(np.subtract(r["coef"], ours["coef"]))))
        r["max_rel_se_diff"] = float(np.max(np.abs(np.divide(r["std_error"], ours["std_error"]) - 1)))
    return rows


def verdicts(rows: list[dict]) -> dict:
    """Per stage: fipeval's CPU seconds for the report's call against the whole report's
    aim, and the fastest like-for-like peer."""
    out = {}
    for stage, task in (("matching", MATCH), ("survival", COX_REPORT)):
        ours = next((r for r in rows if r["task"] == task and r["tool"] == "fipeval"
                     and "cpu_s" in r), None)
        if ours is None:
            continue
        peers = [r for r in rows if r["task"] == task and r["tool"] != "fipeval" and "cpu_s" in r]
        best = min(peers, key=lambda r: r["cpu_s"], default=None)
        text = (f"fipeval {ours['cpu_s']:.2f} CPU s = {100 * ours['cpu_s'] / AIM_CPU_SECONDS:.1f}% "
                f"of the report's aim ({AIM_CPU_SECONDS:.0f} CPU s, {AIM_MB / 1024:.1f} GB); "
                f"peak +{ours['peak_extra_mb']:.0f} MB")
        if best is not None:
            ratio = best["cpu_s"] / ours["cpu_s"]
            text += (f"; fastest like-for-like peer {best['tool']}: {best['cpu_s']:.2f} CPU s "
                     f"(ratio {ratio:.2f}: "
                     + ("fipeval faster" if ratio > 1.25 else "on par" if ratio >= 0.8
                        else "peer faster") + ")")
        out[stage] = {"task": task, "fipeval_cpu_s": ours["cpu_s"],
                      "share_of_aim": ours["cpu_s"] / AIM_CPU_SECONDS,
                      "fastest_peer": best and best["tool"],
                      "fastest_peer_cpu_s": best and best["cpu_s"], "verdict": text}
    return out


def _check(r: dict) -> str:
    """The agreement cell: matched pairs (matching) or coefficient difference (Cox)."""
    if "same_control" in r:
        return f"{r['same_control']}/{r['matched_fip_fipeval']} pairs"
    if "matched_fip" in r:
        return f"{r['matched_fip']}/{r['fip']} matched"
    if "max_abs_coef_diff" in r:
        return f"coef {r['max_abs_coef_diff']:.0e} se {r['max_rel_se_diff']:.0e}"
    return ""


def format_table(rows: list[dict]) -> str:
    head = (f"{'stage':<10}{'task':<24}{'tool':<26}{'wall s':>8}{'CPU s':>8}{'peak +MB':>9}"
            f"{'ratio':>8}{'(CPU)':>7}  check")
    lines = [head, "-" * (len(head) + 14)]
    for r in rows:
        if "wall_s" in r:
            ratio = r.get("ratio_wall")
            peak = r.get("peak_extra_mb")
            cells = (f"{r['wall_s']:>8.2f}{r['cpu_s']:>8.2f}"
                     + (f"{peak:>9.0f}" if isinstance(peak, (int, float)) else f"{'-':>9}")
                     + (f"{ratio:>8.2f}{r['ratio_cpu']:>7.2f}" if isinstance(ratio, float)
                        else f"{'':>15}") + "  " + _check(r))
        elif "timed_out_s" in r:
            cells = f"{'> ' + str(r['timed_out_s']):>8}{'':>17}{r.get('ratio_wall', ''):>8}"
        elif "skipped" in r:
            cells = "  skipped: " + r["skipped"][:70]
        else:
            cells = "  failed: " + r["error"].strip().splitlines()[-1][:60]
        lines.append(f"{r['stage']:<10}{r['task']:<24}{r['tool']:<26}{cells}")
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
    p.add_argument("--repeats", type=int, default=3,
                   help="runs per matching and survival call (medians are reported)")
    p.add_argument("--r-libs", nargs="*", default=[os.environ.get("FIPEVAL_R_LIBS", "")],
                   help="R library folders (R_LIBS), one R MatchIt row per folder "
                        "(default $FIPEVAL_R_LIBS, else R's own library)")
    p.add_argument("--reuse-inputs", action="store_true",
                   help="reuse the prepared inputs of an earlier run of the same export")
    args = p.parse_args(argv)
    before = machine()
    folder = ensure_export(args.scale, args.seed, args.cache)
    prepared = folder / "peers_inputs"
    if not (args.reuse_inputs and (prepared / "spell.pkl").exists()):
        prep = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--prepare",
                               str(folder)], capture_output=True, text=True)
        if prep.returncode != 0:
            raise SystemExit(f"preparing the shared inputs failed:\n{prep.stderr[-3000:]}")
        prepared = Path(prep.stdout.strip().splitlines()[-1])
    if not args.only or "matching" in args.only:
        matching_inputs(prepared)
    rows = []
    for stage, task, tool in TASKS:
        if args.only and stage not in args.only:
            continue
        repeats = args.repeats if stage in REPEATED else 1
        got = measure(stage, task, tool, folder, prepared, args.cores, args.timeout,
                      repeats=repeats, r_libs=args.r_libs)
        for r in got if isinstance(got, list) else [got]:
            rows.append(r)
            print(f"{stage:<10}{r['task']:<24}{r['tool']:<26}"
                  + (f"{r['wall_s']:.2f} s" if "wall_s" in r else "timed out"
                     if "timed_out_s" in r else "skipped" if "skipped" in r else "failed"),
                  flush=True)
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
    order = list(dict.fromkeys((r["stage"], r["task"]) for r in rows))
    rows = estimate_agreement(ratios(sorted(rows, key=lambda r: order.index((r["stage"], r["task"])))))
    meta = json.loads((folder / "export.json").read_text())
    result = {"benchmark": "report stages against peers on the national data",
              "command": command_line("peers_national.py", argv),
              "scale": args.scale, "seed": args.seed, "cores": args.cores, "timeout_s": args.timeout,
              "data": meta | {"folder": str(folder)}, "machine": before,
              "repeats": args.repeats, "r_libs": args.r_libs,
              "load_average_after": os.getloadavg(),
              "aim": {"cpu_seconds": AIM_CPU_SECONDS, "memory_mb": AIM_MB,
                      "what": "the whole national report (run_national.py)"},
              "verdicts": verdicts(rows), "rows": rows}
    write_json(args.out, result)
    print()
    print(format_table(rows))
    for stage, v in result["verdicts"].items():
        print(f"{stage}: {v['verdict']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        stage, task, tool, folder, prepared, cores = sys.argv[2:8]
        repeats = int(sys.argv[8]) if len(sys.argv) > 8 else 1
        if int(cores) and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:int(cores)])
        print(json.dumps(child(stage, task, tool, Path(folder), Path(prepared), repeats)))
    elif len(sys.argv) > 1 and sys.argv[1] == "--prepare":
        print(prepare(Path(sys.argv[2])))
    else:
        main()
