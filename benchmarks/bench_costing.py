"""Benchmark: the costing stage at national scale.

1. ``cohort_effects`` (difference in means with CR1 cluster-robust SE, per municipality)
   against statsmodels ``OLS(...).fit(cov_type="cluster")`` on the same 40 municipalities
   (the numbers are checked equal before timing).
2. ``monte_carlo`` over 40 municipal refined-savings results with every input varied, against
   the plain alternative of recomputing the savings with the scalar API once per draw.
3. ``costing_section`` end to end on the 40-municipality cohort.

Run: ``/work/venv/bin/python benchmarks/bench_costing.py [--repeats R]``.
Writes ``benchmarks/results/costing.json`` and prints medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fipeval.costing import CostInputs, cohort_effects, monte_carlo, refined_savings
from fipeval.costing.section import costing_section

N_MUNICIPALITIES = 40
CLIENTS = 5_000          # per municipality: 200,000 cohort rows
CASEWORKERS = 30         # per municipality, two of them FIP
DRAWS = 100_000
LOOP_DRAWS = 200         # the per-draw loop is timed on fewer draws and scaled per draw


def make_cohort(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = N_MUNICIPALITIES * CLIENTS
    muni = np.repeat([f"Gemeente {i:02d}" for i in range(N_MUNICIPALITIES)], CLIENTS)
    cw = rng.integers(0, CASEWORKERS, n)
    fip = (cw < 2).astype(np.int64)
    ended = rng.random(n) < 0.15 + 0.03 * fip
    months = np.where(ended, rng.uniform(0, 12, n), 12.0)
    start = pd.Timestamp("2019-01-01")
    return pd.DataFrame({
        "client_id": np.arange(n).astype(str), "municipality": muni,
        "caseworker": np.char.add(np.char.add(muni.astype(str), "-"), cw.astype(str)),
        "fip": fip, "study_start": start, "follow_up_end": start + pd.DateOffset(months=12),
        "ended": ended.astype(np.int64), "months_on_benefit": months,
        "censored_at_extract": 0,
        "household_type": np.array(["single", "single_parent", "couple"])[rng.integers(0, 3, n)],
    })


def statsmodels_effects(cohort: pd.DataFrame) -> pd.DataFrame:
    import statsmodels.api as sm
    rows = []
    for name, unit in cohort.groupby("municipality", sort=True):
        X = sm.add_constant(unit["fip"].astype(float))
        groups = pd.factorize(unit["caseworker"])[0]
        for term, col in (("risk_difference", "ended"), ("rmst_difference_months", "months_on_benefit")):
            fit = sm.OLS(unit[col].astype(float), X).fit(cov_type="cluster", cov_kwds={"groups": groups})
            rows.append({"municipality": name, "term": term, "estimate": fit.params["fip"],
                         "std_error": fit.bse["fip"]})
    return pd.DataFrame(rows)


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def per_draw_loop(results, inputs: CostInputs, draws: int, seed: int) -> np.ndarray:
    """The plain alternative: rebuild every municipality's savings with drawn inputs, per draw."""
    rng = np.random.default_rng(seed)
    varied = {k: a for k, a in inputs.assumptions().items()
              if k in results[0].input_names() and a.has_range}
    out = np.empty(draws)
    for d in range(draws):
        drawn = inputs.with_values(**{k: rng.triangular(a.low, a.value, a.high) for k, a in varied.items()})
        out[d] = sum(refined_savings(rng.normal(r.effect.estimate, r.effect.std_error),
                                     horizon_months=r.horizon_months, caseload=r.caseload,
                                     price_date=r.price_date, inputs=drawn,
                                     household_mix=dict(r.household_mix)).savings_per_year
                     for r in results)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cohort = make_cohort()
    ours = cohort_effects(cohort)
    peer = statsmodels_effects(cohort)
    np.testing.assert_allclose(ours[["estimate", "std_error"]], peer[["estimate", "std_error"]], rtol=1e-9)

    rows = []
    t_ours, _ = timed(lambda: cohort_effects(cohort), args.repeats)
    t_peer, _ = timed(lambda: statsmodels_effects(cohort), max(1, args.repeats // 2))
    rows.append(("cohort_effects, 200k rows x 40 municipalities", "fipeval", t_ours, 1.0))
    rows.append(("cohort_effects, 200k rows x 40 municipalities", "statsmodels OLS cluster", t_peer,
                 t_peer / t_ours))

    inputs = CostInputs()
    results = [refined_savings(-0.3, std_error=0.2, horizon_months=12, caseload=5_000,
                               price_date="2019-07-01", inputs=inputs, label=f"m{i}",
                               household_mix={"single": 3, "couple": 1})
               for i in range(N_MUNICIPALITIES)]
    t_mc, _ = timed(lambda: monte_carlo(results, n_draws=DRAWS, seed=1, vary_inputs=True), args.repeats)
    t_loop, _ = timed(lambda: per_draw_loop(results, inputs, LOOP_DRAWS, 1), 1)
    t_loop_scaled = t_loop * DRAWS / LOOP_DRAWS
    rows.append((f"Monte Carlo, 40 units, {DRAWS:,} draws, inputs varied", "fipeval", t_mc, 1.0))
    rows.append((f"Monte Carlo, 40 units, {DRAWS:,} draws, inputs varied",
                 f"per-draw scalar API (timed on {LOOP_DRAWS:,}, scaled)", t_loop_scaled, t_loop_scaled / t_mc))

    t_sec, _ = timed(lambda: costing_section(cohort, n_draws=10_000, seed=1), max(1, args.repeats // 2))
    rows.append(("costing_section, 40 municipalities, 10,000 draws", "fipeval", t_sec, 1.0))

    table = pd.DataFrame(rows, columns=["task", "implementation", "median_seconds", "ratio_to_fipeval"])
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    out = Path(__file__).parent / "results" / "costing.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                               "repeats": args.repeats, "rows": table.to_dict(orient="records")},
                              indent=2))


if __name__ == "__main__":
    main()
