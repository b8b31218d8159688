"""Benchmark: cluster-robust OLS, wild cluster bootstrap and randomization inference.

Peers on identical data in one run: statsmodels (OLS cluster covariance), pyfixest (feols
CRV1, its wild bootstrap via the wildboottest package, its ritest), and wildboottest itself.

Data: 20,000 clients, 3 covariates, 60 caseworkers of which 10 FIP (treatment constant by
caseworker), a caseworker effect on the outcome. Each timing is the median of REPEATS runs.

Run:  /work/venv/bin/python benchmarks/bench_inference.py            (about 2-4 minutes)
      /work/venv/bin/python benchmarks/bench_inference.py --coverage (adds the coverage study)
Writes benchmarks/results/inference.json (and inference_coverage.json with --coverage).
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

N = 20_000
G = 60
G_TREATED = 10
B = 9_999
RI_REPS = 999
SEED = 2026
REPEATS = 5
OUT = Path(__file__).resolve().parent / "results"


def make_data() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    cw = rng.integers(0, G, N)
    fip = (cw < G_TREATED).astype(float)
    X = rng.normal(size=(N, 3))
    y = 0.1 * fip + X @ np.array([0.2, -0.1, 0.05]) + rng.normal(0, 0.3, G)[cw] + rng.normal(size=N)
    return pd.DataFrame({"y": y, "fip": fip, "x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2],
                         "cw": cw})


def timed(fn, repeats=REPEATS):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    import statsmodels.api as sm

    import fipeval
    from fipeval.inference import (
        fit_ols,
        randomization_inference,
        wild_cluster_bootstrap,
    )

    df = make_data()
    X = df[["fip", "x1", "x2", "x3"]].assign(const=1.0)[["const", "fip", "x1", "x2", "x3"]]
    y, cl = df.y.to_numpy(), df.cw.to_numpy()
    rows = []

    def add(task, tool, seconds, value, note=""):
        rows.append({"task": task, "tool": tool, "median_s": seconds, "value": value, "note": note})

    # 1. CR1 standard error of the FIP coefficient
    s, f = timed(lambda: fit_ols(y, X, cluster=cl, vcov="CR1"))
    add("CR1 OLS", "fipeval", s, f.se[1])
    s, r = timed(lambda: sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": cl}))
    add("CR1 OLS", "statsmodels", s, r.bse.iloc[1])
    try:
        import pyfixest as pf
        s, m = timed(lambda: pf.feols("y ~ fip + x1 + x2 + x3", data=df, vcov={"CRV1": "cw"}))
        add("CR1 OLS", "pyfixest", s, float(m.se()["fip"]))
    except ImportError:
        pf = None
    s, f2 = timed(lambda: fit_ols(y, X, cluster=cl, vcov="CR2"))
    add("CR2 OLS (+ BM df)", "fipeval", s, f2.se[1], f"df {f2.df[1]:.2f}")

    # 2. wild cluster bootstrap p-value, 9,999 Rademacher draws, null imposed
    s, w = timed(lambda: wild_cluster_bootstrap(y, X, cl, column="fip", n_draws=B, seed=1, ci=None))
    add("wild bootstrap p", "fipeval", s, w.p_value)
    s, w = timed(lambda: wild_cluster_bootstrap(y, X, cl, column="fip", n_draws=B, seed=1))
    add("wild bootstrap p + CI (inversion)", "fipeval", s, w.p_value,
        f"CI {w.ci_lower:.4f}..{w.ci_upper:.4f}")
    try:
        from wildboottest.wildboottest import wildboottest
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s, ref = timed(lambda: wildboottest(sm.OLS(y, X), B=B, cluster=cl, param="fip",
                                                seed=1, show=False), repeats=3)
        add("wild bootstrap p", "wildboottest", s, float(ref["p-value"].iloc[0]))
    except ImportError:
        pass
    if pf is not None:
        try:
            m = pf.feols("y ~ fip + x1 + x2 + x3", data=df, vcov={"CRV1": "cw"})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                s, ref = timed(lambda: m.wildboottest(reps=B, param="fip", cluster="cw", seed=1),
                               repeats=3)
            add("wild bootstrap p", "pyfixest", s, float(ref["Pr(>|t|)"]))
        except Exception as err:  # noqa: BLE001  (a peer failing must not stop the benchmark)
            add("wild bootstrap p", "pyfixest", float("nan"), float("nan"), f"failed: {err}")

    # 3. randomization inference re-assigning FIP across caseworkers, 999 draws
    s, ri = timed(lambda: randomization_inference(y, X, cl, column="fip", n_draws=RI_REPS, seed=1,
                                                  statistic="coef", ci=False))
    add("randomization p (coef)", "fipeval", s, ri.p_value)
    s, ri = timed(lambda: randomization_inference(y, X, cl, column="fip", n_draws=RI_REPS, seed=1))
    add("randomization p + CI (t stat)", "fipeval", s, ri.p_value,
        f"CI {ri.ci_lower:.4f}..{ri.ci_upper:.4f}")
    if pf is not None:
        m = pf.feols("y ~ fip + x1 + x2 + x3", data=df, vcov={"CRV1": "cw"})
        s, ref = timed(lambda: m.ritest(resampvar="fip", cluster="cw", reps=RI_REPS,
                                        rng=np.random.default_rng(1)), repeats=3)
        add("randomization p (coef)", "pyfixest ritest", s, float(ref["Pr(>|t|)"]),
            "each caseworker FIP by a coin flip (number of FIP caseworkers not fixed): "
            "a different null distribution, so p differs")

    table = pd.DataFrame(rows)
    base = table[table.tool == "fipeval"].groupby("task").median_s.min()
    table["ratio_to_fipeval"] = table.apply(
        lambda r: r.median_s / base.get(r.task, np.nan), axis=1)
    print(f"n = {N:,} clients, {G} caseworkers ({G_TREATED} FIP); median of {REPEATS} runs "
          "(peers' bootstraps: 3)")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"n": N, "clusters": G, "treated_clusters": G_TREATED, "bootstrap_draws": B,
            "ri_draws": RI_REPS, "repeats": REPEATS, "python": platform.python_version(),
            "machine": platform.machine(), "fipeval": fipeval.__version__}
    (OUT / "inference.json").write_text(json.dumps(
        {"meta": meta, "results": table.to_dict("records")}, indent=2, default=float))
    if "--coverage" in sys.argv:
        coverage()


def coverage(reps: int = 300) -> None:
    from fipeval.design import build_cohort
    from fipeval.inference.coverage import coverage_study
    from fipeval.synthetic import generate

    study = generate("three_municipalities")
    cohort = build_cohort(study.register, study.design)
    res = coverage_study(cohort, study.truth, fip_caseworkers=(2, 5, 30), reps=reps, seed=20240601,
                         scenario="three_municipalities")
    print(res)
    (OUT / "inference_coverage.json").write_text(json.dumps(
        {"reps": reps, "seed": 20240601, "table": res.tidy().to_dict("records")}, indent=2,
        default=float))


if __name__ == "__main__":
    main()
