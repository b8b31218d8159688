"""Bias of the client-level effect on ended benefits with caseworker moves (issue 21).

Before the simulator kept a caseworker history, a FIP site's start gave each FIP caseworker
its caseload by relabelling whole spells, and on ``brabantse_wal`` scaled to 30 FIP
caseworkers the municipality-adjusted difference in ended benefits was biased by +0.0023
(about 4 Monte Carlo SE over 200 replicates). Each replicate here simulates that scenario
anew (seed ``--seed + replicate``; the three municipalities 10 times their bundled stock,
FIP caseworkers BOZ-01 ... BOZ-30, 180 clients each), builds the cohort (FIP by the
caseworker assigned on the start date, intention to treat) and records:

- ``itt``: the municipality-adjusted difference FIP - control in ``ended``
  (``fipeval.compare(..., covariates=["municipality"])``) minus the true ATT on the sample
  (``study.true_effects["att"]["ended"]``);
- ``per_protocol``: the same difference among clients who stayed with their start
  caseworker (``fipeval.design.per_protocol_effect``), minus the same ATT: a sensitivity
  analysis, not expected to be unbiased for it (a FIP client moved away gets regular
  service from the move on, so the stayers' effect is larger);
- the share of FIP clients moved away during follow-up.

Run:  .venv/bin/python benchmarks/bias_assignments.py [--reps 200] [--seed 1000]
Writes benchmarks/results/bias_assignments.json with the command, commit, CPU seconds and
load average.
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
N_FIP_CASEWORKERS = 30
SCALE = 10


def scaled_brabantse_wal(seed: int):
    from fipeval import synthetic
    base = synthetic.SCENARIOS["brabantse_wal"]()
    municipalities = tuple((name, code, stock * SCALE) for name, code, stock in base.municipalities)
    site = dataclasses.replace(base.sites[0], fip_caseworkers=tuple(
        f"BOZ-{j:02d}" for j in range(1, N_FIP_CASEWORKERS + 1)))
    return synthetic.generate("brabantse_wal", seed=seed, municipalities=municipalities,
                              sites=(site,))


def one_replicate(seed: int) -> dict:
    from fipeval import compare
    from fipeval.design import build_cohort, per_protocol_effect
    study = scaled_brabantse_wal(seed)
    cohort = build_cohort(study.register, study.design)
    truth = study.true_effects["att"]["ended"]
    res = compare(cohort, outcome="ended", covariates=["municipality"], inference="iid",
                  ratios=False)
    pp = per_protocol_effect(cohort, outcome="ended")
    fip = cohort["fip"] == 1
    return {"seed": seed, "truth": truth, "itt": float(res.tidy()["estimate"].iloc[0]),
            "per_protocol": pp["per_protocol"], "n_fip": int(fip.sum()),
            "share_fip_moved": float(1 - cohort.loc[fip, "stayed_with_caseworker"].mean())}


def summarise(rows: pd.DataFrame) -> dict:
    out = {}
    for col in ("itt", "per_protocol"):
        error = rows[col] - rows["truth"]
        out[col] = {"bias": float(error.mean()),
                    "bias_mc_se": float(error.std(ddof=1) / np.sqrt(len(rows))),
                    "rmse": float(np.sqrt((error ** 2).mean()))}
    out["mean_truth"] = float(rows["truth"].mean())
    out["mean_share_fip_moved"] = float(rows["share_fip_moved"].mean())
    out["reps"] = len(rows)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1_000, help="seed of the first replicate")
    args = parser.parse_args(argv)
    start, cpu0 = time.perf_counter(), time.process_time()
    rows = []
    for rep in range(args.reps):
        rows.append(one_replicate(args.seed + rep))
        if (rep + 1) % 20 == 0:
            print(f"{rep + 1} replicates, {time.process_time() - cpu0:.0f} CPU s", file=sys.stderr)
    rows = pd.DataFrame(rows)
    summary = summarise(rows)
    print(json.dumps(summary, indent=1))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=OUT.parent).stdout.strip()
    meta = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "commit": commit,
            "scenario": f"brabantse_wal x{SCALE}, {N_FIP_CASEWORKERS} FIP caseworkers",
            "reps": args.reps, "first_seed": args.seed,
            "wall_seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu0, 1),
            "load_average": os.getloadavg()}
    path = OUT / "bias_assignments.json"
    path.write_text(json.dumps({"meta": meta, "summary": summary,
                                "replicates": rows.to_dict(orient="records")}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
