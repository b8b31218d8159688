"""Running an R peer (``benchmarks/r/*.R``) from a benchmark: inputs, process, timings.

R is optional: ``rscript()`` is None without ``Rscript`` on the PATH, and the benchmarks then
record the R rows as skipped. No test needs R.

Packages come from R's default library unless ``$FIPEVAL_R_LIBS`` (a ``:``-separated list
of library folders, put first on ``.libPaths()``) names others; that is how a MatchIt newer
than the operating system's is used (see ``benchmarks/README.md``, "R peers").

Inputs are written column by column: numbers as raw little-endian float64 files that R reads
with ``readBin`` (bit-identical, unlike a decimal round trip through CSV), text columns in
one CSV. Each R script times its own calls with ``proc.time()`` (user + system CPU and
elapsed, per repeat, the data already in memory); the whole R process's CPU time, start-up
and reading included, is measured here from the children's resource usage.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

R_DIR = Path(__file__).resolve().parent / "r"


def rscript() -> str | None:
    """Path of ``Rscript``, or None when R is not installed."""
    return shutil.which("Rscript")


def r_env(libs: str | None = None) -> dict:
    """The environment for an R child: ``R_LIBS`` from ``libs`` or ``$FIPEVAL_R_LIBS``, and
    one BLAS/OpenMP thread (the R peers do no dense algebra worth threading)."""
    env = dict(os.environ)
    libs = libs if libs is not None else os.environ.get("FIPEVAL_R_LIBS")
    if libs:
        env["R_LIBS"] = libs
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


def r_package_version(package: str, libs: str | None = None) -> str | None:
    """Installed version of an R package (as R would load it), None if absent or no R."""
    exe = rscript()
    if exe is None:
        return None
    code = f'cat(tryCatch(as.character(packageVersion("{package}")), error = function(e) ""))'
    try:
        out = subprocess.run([exe, "-e", code], capture_output=True, text=True, timeout=60,
                             env=r_env(libs))
    except subprocess.TimeoutExpired:
        return None
    return out.stdout.strip() or None


def version_at_least(version: str | None, minimum: str) -> bool:
    """``4.5.5 >= 4.5.4``; R versions separate parts with dots or dashes."""
    if not version:
        return False

    def parts(v):
        return [int(p) for p in v.replace("-", ".").split(".") if p.isdigit()]
    return parts(version) >= parts(minimum)


def write_columns(data, folder: Path, numeric, text=()) -> Path:
    """Write ``data``'s columns for an R script: ``<col>.f64`` per numeric column,
    ``text.csv`` for the text columns, ``columns.json`` naming them (row order kept)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for col in numeric:
        np.ascontiguousarray(np.asarray(data[col], dtype="<f8")).tofile(folder / f"{col}.f64")
    if text:
        data[list(text)].astype(str).to_csv(folder / "text.csv", index=False)
    (folder / "columns.json").write_text(json.dumps(
        {"n": int(len(data)), "numeric": list(numeric), "text": list(text)}))
    return folder


def run_r(script: str, args: list[str], *, timeout: float, libs: str | None = None) -> dict:
    """Run ``benchmarks/r/<script>`` with ``args``; return wall and CPU seconds of the whole
    R process (``process_wall_s``, ``process_cpu_s``) or ``skipped`` / ``timed_out_s`` /
    ``error``."""
    exe = rscript()
    if exe is None:
        return {"skipped": "Rscript not found"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        done = subprocess.run([exe, "--vanilla", str(R_DIR / script), *map(str, args)],
                              capture_output=True, text=True, timeout=timeout,
                              env=r_env(libs))
    except subprocess.TimeoutExpired:
        return {"timed_out_s": timeout}
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout)[-1500:]}
    return {"process_wall_s": wall,
            "process_cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}
