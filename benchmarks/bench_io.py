"""Benchmark: loading a 1,000,000-row Dutch-format spells export.

Data: the first 1,000,000 spells of the ``national`` scenario's Dutch export
(``uitkeringen.csv`` written by ``fipeval.synthetic``), taken from the cache of
``benchmarks/run_national.py`` when it is there (``--source national``); otherwise, or with
``--source generated``, an export of the same shape generated here (fake BSNs passing the
11-proef, ``;``, decimal comma, dd-mm-jjjj). The key is the scenario's public demo key.

Compares ``fipeval.io.loading`` (separator/encoding/date sniffing, 11-proef, HMAC pseudonyms,
code mapping, every row accounted for) with plain ``pandas.read_csv(sep=";", decimal=",")``
on the same file. Each run happens in a fresh process, so peak memory (the process's
maximum resident set size above its size after imports) is measured per run. Resident
memory also counts pages the allocators (glibc, Arrow's mimalloc) keep after the data are
freed; one more run under ``tracemalloc`` records the peak of live allocations instead
(Python and NumPy objects at their peak + Arrow's pool at its peak: an upper bound), which
is what the "~3x the canonical tables" aim is judged on, beside the resident figure.

Run: ``/work/venv/bin/python benchmarks/bench_io.py [--rows N] [--repeats R]``.
Writes ``benchmarks/results/io.json`` and prints a table with medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from procstat import peak_mb, rss_mb

KEY = "fipeval-synthetic-demo-key"   # the national export's public demo key
EXTRACT_DATE = "2025-01-01"
REASONS = np.array(["Werk", "Handhaving/fraude", "Verhuizing", "Huwelijk/samenwonen",
                    "Andere uitkering", "Studiefinanciering", "Overlijden", "Overig", "Onbekend"])
HOUSEHOLDS = np.array(["Alleenstaande", "Alleenstaande ouder", "Gehuwd/samenwonend"])
MUNICIPALITIES = np.array(["Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven",
                           "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen", "Amersfoort",
                           "Bergen op Zoom", "Steenbergen", "Woensdrecht"])


def fake_bsns(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct 9-digit numbers that pass the 11-proef (none is a real BSN on purpose:
    they start with 9, which the BSN issuer does not use yet)."""
    out = np.empty(0, dtype=np.int64)
    weights = np.array([9, 8, 7, 6, 5, 4, 3, 2])
    while len(out) < n:
        body = rng.integers(90_000_000, 100_000_000, size=2 * n)
        digits = (body[:, None] // 10 ** np.arange(7, -1, -1)) % 10
        check = (digits @ weights) % 11
        ok = check < 10
        out = np.unique(np.concatenate([out, body[ok] * 10 + check[ok]]))
    return rng.permutation(out)[:n]


def write_export(path: Path, rows: int, seed: int = 1) -> None:
    """A Dutch spells export: ``;``, decimal comma, dd-mm-jjjj dates, one or two spells per client."""
    rng = np.random.default_rng(seed)
    n_clients = int(rows / 1.4)
    n_second = rows - n_clients
    bsn = fake_bsns(n_clients, rng)
    client = np.concatenate([np.arange(n_clients), rng.choice(n_clients, n_second, replace=False)])
    second = np.r_[np.zeros(n_clients, bool), np.ones(n_second, bool)]
    base = np.datetime64("2005-01-01")
    first_start = base + rng.integers(0, 365 * 8, n_clients).astype("timedelta64[D]")
    first_len = rng.integers(60, 365 * 4, n_clients).astype("timedelta64[D]")
    first_end = first_start + first_len
    start = np.where(second, first_end[client] + rng.integers(40, 900, rows).astype("timedelta64[D]"),
                     first_start[client])
    length = rng.integers(30, 365 * 6, rows).astype("timedelta64[D]")
    end = np.where(second, start + length, first_end[client])
    running = second & (end > np.datetime64(EXTRACT_DATE))
    end_text = pd.Series(end).dt.strftime("%d-%m-%Y").to_numpy(dtype=object)
    end_text[running] = ""
    reason = REASONS[rng.integers(0, len(REASONS), rows)].astype(object)
    reason[running] = ""
    birth = np.datetime64("1950-01-01") + rng.integers(0, 365 * 50, n_clients).astype("timedelta64[D]")
    muni = MUNICIPALITIES[rng.integers(0, len(MUNICIPALITIES), n_clients)][client]
    frame = pd.DataFrame({
        "bsn": bsn[client].astype(str),
        "klantnummer": np.char.add("K", client.astype(str)),
        "gemeente": muni,
        "klantmanager": np.char.add("KM-", rng.integers(1, 2000, rows).astype(str)),
        "ingangsdatum": pd.Series(start).dt.strftime("%d-%m-%Y"),
        "einddatum": end_text,
        "reden beëindiging": reason,
        "uitkeringsbedrag": np.round(rng.uniform(300, 1900, rows), 2),
        "leefvorm": HOUSEHOLDS[rng.integers(0, 3, n_clients)][client],
        "geboortedatum": pd.Series(birth[client]).dt.strftime("%d-%m-%Y"),
        "geslacht": np.where(rng.random(n_clients) < 0.55, "V", "M")[client],
        "trede participatieladder": rng.integers(1, 7, rows),
    })
    frame.to_csv(path, sep=";", decimal=",", index=False, lineterminator="\n", encoding="utf-8")


def national_export(rows: int, out: Path) -> Path | None:
    """The first ``rows`` spells of a cached national export, or None if none is cached."""
    sys.path.insert(0, str(Path(__file__).parent))
    from run_national import DEFAULT_CACHE, NATIONAL_SEED
    found = sorted(p for p in Path(DEFAULT_CACHE).glob(f"national_scale*_seed{NATIONAL_SEED}_*/uitkeringen.csv")
                   if ".tmp" not in p.parent.name)
    for source in found:
        with open(source, "rb") as fh:
            lines = [fh.readline() for _ in range(rows + 1)]
        if lines[-1]:
            out.write_bytes(b"".join(lines))
            return source
    return None


def _run(which: str, path: str, queue) -> None:
    import fipeval.io  # noqa: F401  (imports before the baseline)
    import pyarrow  # noqa: F401
    base = rss_mb()
    if which == "fipeval-allocated":
        import tracemalloc
        tracemalloc.start()
    t0 = time.perf_counter()
    if which == "pandas":
        df = pd.read_csv(path, sep=";", decimal=",")
        rows, kept, size = len(df), len(df), df.memory_usage(deep=True).sum()
    else:
        reg = fipeval.io.load(path, key=KEY, extract_date=EXTRACT_DATE)
        rows, kept = reg.load_report["rows_read"], reg.load_report["rows_kept"]
        size = sum(getattr(reg, t).memory_usage(deep=True).sum() for t in ("spells", "contacts", "events"))
    seconds = time.perf_counter() - t0
    out = {"seconds": seconds, "peak_mb": peak_mb() - base, "rows": int(rows), "kept": int(kept),
           "table_mb": float(size) / 2**20}
    if which == "fipeval-allocated":
        import tracemalloc
        out["allocated_peak_mb"] = (tracemalloc.get_traced_memory()[1]
                                    + pyarrow.default_memory_pool().max_memory()) / 2**20
    queue.put(out)


def measure(which: str, path: Path) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(which, str(path), queue))
    proc.start()
    while True:                  # a child that dies must not leave us waiting forever
        try:
            out = queue.get(timeout=1.0)
            break
        except Exception:        # noqa: BLE001  (queue.Empty)
            if not proc.is_alive():
                raise RuntimeError(f"the {which} run failed (exit code {proc.exitcode})") from None
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--source", choices=["auto", "national", "generated"], default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "uitkeringen.csv"
        t0 = time.perf_counter()
        source = national_export(args.rows, path) if args.source != "generated" else None
        if source is None and args.source == "national":
            raise SystemExit("no cached national export with enough rows; run "
                             "`python benchmarks/run_national.py --scales 1` first")
        if source is None:
            write_export(path, args.rows)
            source = "generated by bench_io.write_export"
        print(f"{args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MB) from {source} in "
              f"{time.perf_counter() - t0:.1f} s")
        runs = {"pandas.read_csv": [], "fipeval.io.loading": []}
        for _ in range(args.repeats):
            runs["pandas.read_csv"].append(measure("pandas", path))
            runs["fipeval.io.loading"].append(measure("fipeval", path))
        allocated = measure("fipeval-allocated", path)     # slower (tracemalloc): memory only
        size_mb = path.stat().st_size / 2**20
    summary = {}
    for name, rs in runs.items():
        sec = statistics.median(r["seconds"] for r in rs)
        summary[name] = {"median_seconds": sec, "rows_per_second": args.rows / sec,
                         "peak_memory_mb": statistics.median(r["peak_mb"] for r in rs),
                         "table_mb": rs[0]["table_mb"], "rows_read": rs[0]["rows"],
                         "rows_kept": rs[0]["kept"], "seconds": [r["seconds"] for r in rs]}
    ours, peer = summary["fipeval.io.loading"], summary["pandas.read_csv"]
    ours["allocated_peak_mb"] = allocated["allocated_peak_mb"]
    ratios = {"time_vs_pandas": ours["median_seconds"] / peer["median_seconds"],
              "peak_memory_vs_pandas": ours["peak_memory_mb"] / peer["peak_memory_mb"],
              "peak_memory_vs_canonical_tables": ours["peak_memory_mb"] / ours["table_mb"],
              "allocated_peak_vs_canonical_tables": ours["allocated_peak_mb"] / ours["table_mb"]}
    result = {"benchmark": "load a Dutch-format spells CSV", "source": str(source), "rows": args.rows,
              "file_mb": size_mb,
              "repeats": args.repeats, "machine": platform.platform(), "python": platform.python_version(),
              "pandas": pd.__version__, "results": summary, "ratios": ratios}
    out = Path(__file__).parent / "results" / "io.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'':<18}{'median s':>10}{'rows/s':>12}{'peak MB':>10}{'tables MB':>11}")
    for name, r in summary.items():
        print(f"{name:<18}{r['median_seconds']:>10.2f}{r['rows_per_second']:>12,.0f}"
              f"{r['peak_memory_mb']:>10.0f}{r['table_mb']:>11.0f}")
    print(f"\nfipeval / pandas: time {ratios['time_vs_pandas']:.2f}x, peak memory "
          f"{ratios['peak_memory_vs_pandas']:.2f}x; peak memory / canonical tables "
          f"{ratios['peak_memory_vs_canonical_tables']:.2f}x; peak of live allocations "
          f"{ours['allocated_peak_mb']:.0f} MB = {ratios['allocated_peak_vs_canonical_tables']:.2f}x")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
