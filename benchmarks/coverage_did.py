"""Coverage study of the DiD section's design-based intervals, over simulated studies.

The DiD's truth is a monthly rate (``fipeval.synthetic.true_did_att``) that depends on who
stays on the caseload, so it is not a fixed potential outcome per caseworker that
re-assigning FIP on one study could check. Instead each replicate simulates the scenario
anew (seed ``--seed + replicate``), builds the report's caseworker panel and runs the
section's design table (``fipeval.diff_in_diff.section._design_table``: FIP re-assigned to
caseworkers of the same municipality, randomization-t). For the fraud-signal rate it
records, per model, whether the interval covers the truth, the bias and the rejection of
"no effect". ``--null`` sets every site's fraud ratio to 1 (rejections are then the size).
``--outcome termination_rate``: the same for the termination rate, whose truth is the mean
extra monthly exit probability under FIP over the FIP client-months (``did_truth``); it needs
the simulator's caseworker history (issue 21: before it, the register relabelled whole
spells and TWFE covered 61% over 100 replicates). ``--null`` then sets every site's end-reason
multipliers to 1.
The rule picks the method: randomization-t with the bundled studies' 2 FIP caseworkers per
municipality; the wild bootstrap by caseworker with the national scenario's 80
(``--scenario national --scale 0.05``: 40 sites, 1,069 caseworkers, 92k spells), where
Callaway-Sant'Anna is stated without interval unless ``--cs-bootstrap`` (its multiplier
bootstrap, measured and rejected: 90-91% coverage, 10% size).

Targets: Callaway-Sant'Anna's simple aggregate against the mean over (site, month) cells;
TWFE (caseload-weighted) against the FIP client-month weighted mean, which it estimates with
one start date; with staggered starts TWFE weights cells its own way (Goodman-Bacon 2021), so
its "coverage" there says how far that target is from what it estimates.

Run:  .venv/bin/python benchmarks/coverage_did.py [--null] [--scenario S [--scale X]] [--reps 200]
          [--outcome termination_rate]
Writes benchmarks/results/did_coverage_<scenario>[_<outcome>][_null].json (the outcome in
the name unless it is the fraud-signal rate) with the command, commit, CPU seconds and load
average.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "results"
OUTCOME = "fraud_signal_rate"
TARGETS = {"TWFE": "client_months", "Callaway-Sant'Anna": "cells"}


def one_replicate(scenario: str, seed: int, *, n_draws: int, null: bool, alpha: float,
                  scale: float | None = None, cs_bootstrap: bool = False,
                  outcome: str = OUTCOME) -> list[dict]:
    from fipeval import synthetic
    from fipeval.diff_in_diff import caseworker_panel
    from fipeval.diff_in_diff.section import _design_table, design_method, section_window

    size = {} if scale is None else {"scale": scale}
    if null:
        base = synthetic.SCENARIOS[scenario](**size)
        size["sites"] = tuple(dataclasses.replace(s, fraud_rate_ratio=1.0) if outcome == OUTCOME
                              else dataclasses.replace(s, reason_multipliers={})
                              for s in base.sites)
    study = synthetic.generate(scenario, seed=seed, **size)
    design = study.design
    start, end = section_window(study.register, design)
    panel = caseworker_panel(study.register, start=start, end=end, design=design,
                             min_months_on_benefit=design.min_months_on_benefit,
                             max_ladder_rung=design.max_ladder_rung)
    method = design_method(panel, alpha=alpha)   # the report's rule
    table = _design_table(panel, staggered=bool(design.staggered), alpha=alpha, seed=seed,
                          n_draws=n_draws, method=method, cs_bootstrap=cs_bootstrap)
    rows = []
    for est in table.estimates:
        model = next((m for m in TARGETS if est.term == f"{m} ATT {outcome}"), None)
        if model is None:
            continue
        truth = synthetic.true_did_att(study, outcome, end, weights=TARGETS[model])
        rows.append({"seed": seed, "model": model, "method": est.method, "truth": truth,
                     "estimate": est.estimate,
                     "ci_lower": est.ci_lower, "ci_upper": est.ci_upper, "p_value": est.p_value,
                     "n_assignments": est.n_assignments, "valid": est.valid})
    return rows


def summarise(rows: pd.DataFrame, alpha: float) -> pd.DataFrame:
    out = []
    rows = rows[rows["valid"]]          # estimate-only rows state no interval to check
    for (model, method), g in rows.groupby(["model", "method"], sort=False):
        covered = (g["ci_lower"] <= g["truth"]) & (g["truth"] <= g["ci_upper"])
        cover = float(covered.mean())
        error = g["estimate"] - g["truth"]
        out.append({"model": model, "method": method, "reps": len(g), "coverage": cover,
                    "coverage_mc_se": float(np.sqrt(cover * (1 - cover) / len(g))),
                    "mean_truth": float(g["truth"].mean()), "bias": float(error.mean()),
                    "bias_mc_se": float(error.std(ddof=1) / np.sqrt(len(g))),
                    "rmse": float(np.sqrt((error ** 2).mean())),
                    "median_width": float((g["ci_upper"] - g["ci_lower"]).median()),
                    "rejection_rate": float((g["p_value"] < alpha).mean())})
    return pd.DataFrame(out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="three_municipalities",
                        choices=["brabantse_wal", "three_municipalities", "national"])
    parser.add_argument("--scale", type=float, default=None,
                        help="size of the national scenario (80 FIP caseworkers at any scale)")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1_000, help="seed of the first replicate")
    parser.add_argument("--n-draws", type=int, default=99, help="re-assignments per replicate")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--null", action="store_true", help="no effect on the outcome")
    parser.add_argument("--outcome", default=OUTCOME, choices=[OUTCOME, "termination_rate"])
    parser.add_argument("--cs-bootstrap", action="store_true",
                        help="state Callaway-Sant'Anna's multiplier bootstrap interval in the "
                             "wild branch (the alternative the section rejects; kept so the "
                             "measurement can be repeated)")
    args = parser.parse_args(argv)
    start, cpu0 = time.perf_counter(), time.process_time()
    rows = []
    for rep in range(args.reps):
        rows += one_replicate(args.scenario, args.seed + rep, n_draws=args.n_draws,
                              null=args.null, alpha=args.alpha, scale=args.scale,
                              cs_bootstrap=args.cs_bootstrap, outcome=args.outcome)
        if (rep + 1) % 10 == 0:
            print(f"{rep + 1} replicates, {time.process_time() - cpu0:.0f} CPU s", file=sys.stderr)
    rows = pd.DataFrame(rows)
    table = summarise(rows, args.alpha)
    with pd.option_context("display.width", 200):
        print(table.to_string(index=False))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=OUT.parent).stdout.strip()
    meta = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "commit": commit,
            "scenario": args.scenario, "scale": args.scale, "outcome": args.outcome, "reps": args.reps,
            "first_seed": args.seed, "n_draws": args.n_draws, "null": args.null,
            "cs_bootstrap": args.cs_bootstrap,
            "wall_seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu0, 1),
            "load_average": os.getloadavg()}
    tag = "" if args.outcome == OUTCOME else f"_{args.outcome}"
    name = f"did_coverage_{args.scenario}{tag}{'_null' if args.null else ''}.json"
    if args.scale is not None:
        name = name.replace(".json", f"_scale{args.scale:g}.json")
    (OUT / name).write_text(json.dumps({"meta": meta, "summary": table.to_dict(orient="records"),
                                        "replicates": rows.to_dict(orient="records")},
                                       indent=1) + "\n")
    print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
