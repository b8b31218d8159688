"""Benchmark: R coxph's two routes to the cluster-robust variance, on the same model.

Without delayed entry, ``coxph(Surv(t, e) ~ ., cluster = cw)`` computes its robust variance
with the right-censored score residuals (``coxscore2``), whose cost grows quadratically with
the rows; written as ``Surv(0, t, e)`` the same model goes through the counting-process
residuals (``agscore3``). This measures both on the first n rows of ``bench_survival``'s
data without its entry column (Efron ties, 10 covariates, 2,000 caseworker clusters), so
that a peer timing of R's Cox says which route it took. Coefficients and SEs of the two
routes are compared (they are the same model).

Run: ``python benchmarks/r_coxph_routes.py [--sizes 30000 60000]``; needs Rscript (the
rows say "skipped" without it). Writes ``benchmarks/results/r_coxph_routes.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rpeer  # noqa: E402
from bench_survival import COLUMNS, make_data  # noqa: E402
from run_national import RESULTS, command_line, machine, write_json  # noqa: E402


def measure(n: int, timeout: float) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="r_coxph_routes_"))
    rpeer.write_columns(make_data(n), folder, numeric=["months", "ended", "caseworker", *COLUMNS])
    rows = []
    for counting in (False, True):
        route = "Surv(0, t, e): agscore3" if counting else "Surv(t, e): coxscore2"
        options = {"duration": "months", "event": "ended", "entry": None, "covariates": COLUMNS,
                   "cluster": "caseworker", "strata": None, "ties": "efron", "counting": counting}
        out = folder / f"result_{counting}.json"
        proc = rpeer.run_r("coxph.R", [folder, out, 1, json.dumps(options)], timeout=timeout)
        row = {"n": n, "route": route}
        if "process_wall_s" in proc:
            r = json.loads(out.read_text())
            row |= {"cpu_s": r["cpu_s"][0], "wall_s": r["wall_s"][0],
                    "survival_version": r["survival_version"], "coef": r["coef"],
                    "std_error": r["std_error"]}
        else:
            row |= proc
        rows.append(row)
        print(row["n"], route, row.get("cpu_s", proc), flush=True)
    if all("coef" in r for r in rows):
        rows[1]["max_abs_coef_diff"] = float(np.max(np.abs(np.subtract(rows[1]["coef"], rows[0]["coef"]))))
        rows[1]["max_rel_se_diff"] = float(np.max(np.abs(
            np.divide(rows[1]["std_error"], rows[0]["std_error"]) - 1)))
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="*", default=[30_000, 60_000])
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--out", type=Path, default=RESULTS / "r_coxph_routes.json")
    args = p.parse_args(argv)
    before = machine()
    rows = [r for n in args.sizes for r in measure(n, args.timeout)]
    write_json(args.out, {"benchmark": "R coxph robust variance: right-censored vs counting-process route",
                          "command": command_line("r_coxph_routes.py", argv), "machine": before,
                          "load_average_after": os.getloadavg(), "rows": rows})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
