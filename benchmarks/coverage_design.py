"""Coverage study of the design-based inference (issue: one design-aware inference).

For every headline estimand the report states, on the bundled three_municipalities study:
FIP re-assigned to 2, 5 or 30 of the 38 caseworkers (over all caseworkers), and to 2 per
municipality (the real design: the pooled effect, meta-analysis and costing), each with
the scenario's effects and under a null of no effect for anyone. Reports coverage with its
Monte Carlo SE, median width, share of bounded intervals and the rejection rate of "no
effect" (power with effects, size under the null).

Run:  .venv/bin/python benchmarks/coverage_design.py [--null] [--reps 500]
      (about 45 CPU minutes per variant; run the two variants in parallel)
Writes benchmarks/results/design_coverage[_null].json with the command, commit, CPU
seconds and load average.

The rule's other branch (at least 10 FIP and 10 control caseworkers: wild bootstrap for
linear effects) is measured with 10 and 15 FIP caseworkers of 38, together with the Cox
model's own cluster-robust interval, which the rule rejects because of this measurement:
      .venv/bin/python benchmarks/coverage_design.py [--null] --treated 10 15 \\
          --estimands risk_difference months_difference cox_log_hr --cox-own-errors \\
          --out design_coverage_many
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent / "results"
SEED = 20261203


def main(argv=None) -> None:
    from fipeval.design import build_cohort
    from fipeval.inference.design_coverage import design_coverage_study
    from fipeval.synthetic import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--null", action="store_true", help="no effect for anyone (size)")
    parser.add_argument("--reps", type=int, default=500, help="replicates per design")
    parser.add_argument("--treated", type=int, nargs="+", default=[2, 5, 30],
                        help="FIP caseworkers over all caseworkers (default: 2 5 30)")
    parser.add_argument("--estimands", nargs="+", default=None,
                        help="only these estimands (then the per-municipality design is skipped)")
    parser.add_argument("--cox-own-errors", action="store_true",
                        help="measure the Cox model's own cluster-robust interval instead of "
                             "randomization-t (the alternative the rule rejects)")
    parser.add_argument("--out", default="design_coverage",
                        help="result file stem in benchmarks/results (_null added with --null)")
    args = parser.parse_args(argv)
    only = {"estimands": tuple(args.estimands)} if args.estimands else {}
    if args.cox_own_errors:
        only["cox_own_errors"] = True
    study = generate("three_municipalities")
    cohort = build_cohort(study.register, study.design)
    start, cpu0 = time.perf_counter(), time.process_time()
    parts = [design_coverage_study(cohort, study.truth, fip_caseworkers=tuple(args.treated),
                                   reps=args.reps, seed=SEED, null=args.null,
                                   scenario="three_municipalities", **only)]
    if not args.estimands:
        parts.append(design_coverage_study(cohort, study.truth, fip_caseworkers=(2,), stratified=True,
                                           reps=args.reps, seed=SEED + 1, null=args.null,
                                           scenario="three_municipalities"))
    table = pd.concat([p.tidy() for p in parts], ignore_index=True)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table.to_string(index=False))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=OUT.parent).stdout.strip()
    meta = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "commit": commit,
            "reps": args.reps, "seed": SEED, "null": args.null, "n_draws": parts[0].n_draws,
            "refit_draws": 99, "wall_seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu0, 1),
            "load_average": os.getloadavg()}
    name = f"{args.out}_null.json" if args.null else f"{args.out}.json"
    (OUT / name).write_text(json.dumps({"meta": meta, "table": table.to_dict("records")},
                                       indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
