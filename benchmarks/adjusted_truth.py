"""Adjusted effects (unadjusted, weighted, regression, AIPW) on the synthetic truth of
three_municipalities: bias and coverage over re-drawn FIP caseworkers, as is and confounded.

    .venv/bin/python benchmarks/adjusted_truth.py --reps 200   # results/adjusted_truth.json
"""

import argparse
import json
import time
import warnings
from pathlib import Path

from fipeval.design import build_cohort
from fipeval.inference.adjusted_truth import adjusted_truth_study, summarise
from fipeval.synthetic import generate

parser = argparse.ArgumentParser()
parser.add_argument("--reps", type=int, default=200)
parser.add_argument("--seed", type=int, default=2026)
parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "adjusted_truth.json"))
args = parser.parse_args()
warnings.simplefilter("ignore")
study = generate("three_municipalities")
cohort = build_cohort(study.register, study.design)
out = {"reps": args.reps, "seed": args.seed, "scenario": "three_municipalities",
       "fip_per_municipality": 2, "refit_draws": 99, "n_draws": 999}
for confounded in (False, True):
    start = time.process_time()
    runs = adjusted_truth_study(cohort, study.truth, reps=args.reps, confounded=confounded,
                                seed=args.seed)
    key = "confounded" if confounded else "as_drawn"
    out[key] = summarise(runs).to_dict(orient="records")
    out[f"{key}_cpu_seconds"] = round(time.process_time() - start, 1)
    print(key, summarise(runs).to_string(), sep="\n")
Path(args.out).write_text(json.dumps(out, indent=1))
