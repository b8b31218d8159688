"""Bias of the FIP-minus-control difference on the synthetic truth, with caseworker moves.

The simulator moves clients between caseworkers (issue 21): ~4% a year within the
municipality, the site start's redistribution as moves dated the start, FIP clients moved
away during follow-up (intention to treat keeps them FIP). Per replicate seed of the scenario
the report's cohort (FIP by the caseworker on the start date) gives, per outcome, the
difference of means FIP minus control within each municipality with FIP clients, weighted by
its FIP clients (the ATT's weights); the truth is the replicate's own ATT from both potential
outcomes (``study.true_effects``). Reported: mean bias, its Monte Carlo SE, and bias / SE.

    .venv/bin/python benchmarks/truth_with_moves.py --reps 200   # results/truth_with_moves.json
"""

import argparse
import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fipeval.design import build_cohort, fip_weighted_difference
from fipeval.synthetic import generate

OUTCOMES = ("ended", "months_on_benefit", "fraud_signals", "activations", "domain_movement")


def att_weighted_difference(cohort: pd.DataFrame, outcome: str) -> float:
    """``design.fip_weighted_difference`` by municipality; clients without the outcome
    (domain movement needs two assessments) are left out."""
    return fip_weighted_difference(cohort[cohort[outcome].notna()], outcome=outcome)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="brabantse_wal")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "truth_with_moves.json")
    args = parser.parse_args()
    start = time.process_time()
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.reps):
        study = generate(args.scenario, seed=seed)
        cohort = build_cohort(study.register, study.design)
        moved = float(1 - cohort.loc[cohort["fip"] == 1, "stayed_with_caseworker"].mean())
        for outcome in OUTCOMES:
            rows.append({"seed": seed, "outcome": outcome,
                         "estimate": att_weighted_difference(cohort, outcome),
                         "truth": study.true_effects["att"][outcome],
                         "fip_moved_away": moved})
    runs = pd.DataFrame(rows)
    runs["error"] = runs["estimate"] - runs["truth"]
    summary = runs.groupby("outcome", sort=False).agg(
        truth=("truth", "mean"), bias=("error", "mean"), sd=("error", "std"),
        fip_moved_away=("fip_moved_away", "mean")).reset_index()
    summary["mc_se"] = summary["sd"] / np.sqrt(args.reps)
    summary["bias_over_mc_se"] = summary["bias"] / summary["mc_se"]
    print(summary.to_string(index=False))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    args.out.write_text(json.dumps({
        "command": f"benchmarks/truth_with_moves.py --scenario {args.scenario} --reps {args.reps}",
        "commit": commit, "scenario": args.scenario, "reps": args.reps,
        "first_seed": args.first_seed, "cpu_seconds": round(time.process_time() - start, 1),
        "summary": summary.round(6).to_dict(orient="records")}, indent=1) + "\n")


if __name__ == "__main__":
    main()
