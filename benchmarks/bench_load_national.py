"""Benchmark: loading the national export, fipeval against plain reads and same-job peers.

Data: the three CSV files of the ``national`` scenario (``run_national.py``'s cache, scale 1:
1.50M spells, 1.08M contacts, 0.83M events, 243 MB). Every run is a fresh process pinned
to ``--cores`` CPUs (thread pools capped to match) and records CPU seconds (user + system,
all threads: ``getrusage``), wall seconds and the peak resident memory above the
process's size after its imports; the tools run interleaved, ``--repeats`` times, and the
table shows medians. The load average is recorded before and after.

Tools:

* ``fipeval``: ``fipeval.io.load`` (detects formats and tables, 11-proef, HMAC-SHA256
  pseudonyms, dates, codes, every row and physical line accounted for, repairs, duplicate
  and overlapping spells, pandas tables out);
* plain reads that do none of the job, for reference: ``pyarrow.csv.read_csv`` (the issue's
  "plain multi-threaded read", types inferred; and with one thread, its least CPU),
  ``pandas.read_csv`` with the C and the pyarrow engine, ``polars.read_csv``;
* ``polars, same job`` and ``pandas, same job``: the fastest loader a pandas or polars
  user would realistically write for the same result: BSNs trimmed, zero-padded and checked
  (11-proef, vectorised), the same pseudonyms (HMAC-SHA256 with the same key, hashed once
  per distinct BSN over the three files with precomputed pads, as fipeval does), dates
  parsed with the known format, rows with a missing or unreadable date or one after the
  extract date rejected, end before start rejected, ends after the extract censored, codes
  mapped to the canonical categories with fipeval's own code tables, amounts with a decimal
  comma, duplicate contacts/events dropped, duplicate spells dropped and overlapping spells
  merged, pandas DataFrames out (polars: ``to_pandas()``). They are told which file holds
  which table and its formats, and keep no accounting: no reasons or line numbers for
  rejected rows, no repairs, no whitespace checks, no unknown-code counts, no line
  accounting.

Run: ``/work/main/.venv/bin/python benchmarks/bench_load_national.py [--repeats 3] [--cores 2]``.
Writes ``benchmarks/results/load_national.json`` and prints a table. With ``--profile``:
a cProfile of fipeval's load, own time grouped by the loader's jobs (``JOBS``), into
``benchmarks/results/load_national_profile.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procstat import cpu_seconds, peak_mb, reset_peak, rss_mb  # noqa: E402
from run_national import (DEFAULT_CACHE, EXPORT_FILES, NATIONAL_SEED, RESULTS,  # noqa: E402
                          command_line, ensure_export, machine, write_json)

TOOLS = ("fipeval", "pyarrow.csv", "pyarrow.csv, one thread", "pandas", "pandas (pyarrow engine)",
         "polars", "polars, same job", "pandas, same job")
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
OPEN_END = dt.date(9999, 12, 31)


def pseudonyms(bsns: list[bytes], key: bytes) -> list[str]:
    """HMAC-SHA256(key, bsn) in hex, first 16 characters (fipeval's pseudonym), by fipeval's
    own routine (padded-key states hashed once, about 0.9 us per message: the fastest pure
    Python HMAC), so that the peers and fipeval spend the same on hashing and the
    comparison is about everything else."""
    import numpy as np
    from fipeval.io.bsn import _hex_of_numbers, _hmac_numbers
    text = _hex_of_numbers(_hmac_numbers(bsns, key))
    return np.frombuffer(text, dtype="S16").astype(str).tolist()


def _codes(table: str) -> dict:
    """fipeval's code tables (raw code, normalised -> canonical) for the peers."""
    from fipeval.io.mapping import resolve
    return resolve(None).table(table).codes


# ---------------------------------------------------------------- polars, same job

def polars_same_job(folder: Path, key: bytes, extract: dt.date):
    import polars as pl
    from fipeval.schema import CONTACT_KINDS, END_REASONS, EVENT_KINDS, HOUSEHOLD_TYPES, SEXES

    def read(name):
        return pl.read_csv(folder / name, separator=";", infer_schema=False)

    def bsn_checked(df):
        b = pl.col("bsn").str.strip_chars().str.zfill(9)
        df = df.with_columns(b.alias("bsn"))
        digits = [pl.col("bsn").str.slice(k, 1).cast(pl.Int32, strict=False) for k in range(9)]
        checksum = sum(w * d for w, d in zip(WEIGHTS, digits))
        ok = (pl.col("bsn").str.len_bytes() == 9) & (checksum % 11 == 0) & \
            (pl.col("bsn") != "000000000")
        # the number as the join, sort and duplicate key (cheaper than text)
        return df.filter(ok.fill_null(False)).with_columns(pl.col("bsn").cast(pl.Int64).alias("_n"))

    def code(col, table, role, categories, unknown):
        mapping = {k: v for k, v in _codes(table)[role].items()}
        raw = pl.col(col).str.strip_chars().str.to_lowercase()
        return raw.replace_strict(mapping, default=unknown).cast(pl.Enum(list(categories)))

    def date(col):
        return pl.col(col).str.strptime(pl.Date, "%d-%m-%Y", strict=False)

    spells, contacts, events = (bsn_checked(read(f)) for f in EXPORT_FILES)
    uniques = pl.concat([spells["_n"], contacts["_n"], events["_n"]]).unique()
    ids = pl.DataFrame({"_n": uniques, "client_id": pseudonyms(
        [f"{u:09d}".encode() for u in uniques.to_list()], key)})
    extract = pl.lit(extract)

    s = spells.with_columns(
        date("ingangsdatum").alias("start_date"), date("einddatum").alias("end_date"),
        date("geboortedatum").dt.year().cast(pl.Int16).alias("birth_year"))
    s = s.filter(pl.col("start_date").is_not_null() & (pl.col("start_date") <= extract)
                 & (pl.col("end_date").is_not_null() | (pl.col("einddatum").fill_null("") == ""))
                 & ~(pl.col("end_date") < pl.col("start_date")).fill_null(False))
    censored = (pl.col("end_date") > extract).fill_null(False)
    s = s.with_columns(pl.when(censored).then(None).otherwise(pl.col("end_date")).alias("end_date"))
    reason = code("reden beëindiging", "spells", "end_reason", END_REASONS, "unknown")
    s = s.with_columns(
        pl.when(pl.col("end_date").is_null()).then(None).otherwise(reason).alias("end_reason"),
        pl.col("gemeente").str.strip_chars().cast(pl.Categorical).alias("municipality"),
        pl.col("klantmanager").str.strip_chars().cast(pl.Categorical).alias("caseworker"),
        pl.col("uitkeringsbedrag").str.replace_all(".", "", literal=True)
        .str.replace(",", ".", literal=True).cast(pl.Float64, strict=False).alias("monthly_amount"),
        code("leefvorm", "spells", "household_type", HOUSEHOLD_TYPES, None).alias("household_type"),
        code("geslacht", "spells", "sex", SEXES, "unknown").alias("sex"),
        pl.col("trede participatieladder").cast(pl.Int8, strict=False).alias("ladder_rung"))
    # duplicate spells dropped, overlapping ones merged into the earliest (latest end wins).
    # A running maximum per person as one global running maximum of person * 2^22 + end
    # (``over`` with 1.3M groups costs 4 CPU s); the few merged blocks aggregated apart.
    s = s.with_row_index("_row").with_columns(
        pl.col("end_date").fill_null(OPEN_END).alias("_end")).sort(
        ["_n", "municipality", "start_date", "_end", "_row"])
    new_person = ((pl.col("_n") != pl.col("_n").shift(1))
                  | (pl.col("municipality") != pl.col("municipality").shift(1))).fill_null(True)
    days = pl.col("_end").cast(pl.Int32).cast(pl.Int64) + 100_000
    s = s.with_columns(new_person.alias("_new"), new_person.cum_sum().cast(pl.Int64).alias("_p"))
    reach = (pl.col("_p") * (1 << 22) + days).cum_max().shift(1) - pl.col("_p") * (1 << 22) - 100_000
    s = s.with_columns((~pl.col("_new") & (pl.col("start_date").cast(pl.Int32).cast(pl.Int64)
                                           <= reach).fill_null(False)).alias("_joins"))
    s = s.with_columns((~pl.col("_joins")).cum_sum().alias("_block"))
    merged = s.filter(pl.col("_joins") | pl.col("_joins").shift(-1).fill_null(False)).group_by(
        "_block").agg(pl.col("_end").max().alias("_last"),
                      pl.col("end_reason").sort_by("_end", maintain_order=True).last().alias("_reason"))
    s = s.filter(~pl.col("_joins")).join(merged, on="_block", how="left")
    s = s.with_columns(
        pl.when(pl.col("_last").is_null()).then(pl.col("end_date"))
        .when(pl.col("_last") == OPEN_END).then(None).otherwise(pl.col("_last")).alias("end_date"),
        pl.when(pl.col("_last").is_null()).then(pl.col("end_reason"))
        .otherwise(pl.col("_reason")).alias("end_reason")).sort("_row")
    s = s.join(ids, on="_n", how="left", maintain_order="left")
    s = s.select("client_id", "municipality", "caseworker", "start_date", "end_date", "end_reason",
                 "monthly_amount", "household_type", "birth_year", "sex", "ladder_rung")

    def rows(df, kind_col, table, categories, extra):
        df = df.with_columns(
            date("datum").alias("date"),
            code(kind_col, table, "kind", categories, None).alias("kind"), extra)
        df = df.filter(pl.col("date").is_not_null() & (pl.col("date") <= extract)
                       & pl.col("kind").is_not_null())
        cols = ["_n", "date", "kind", extra.meta.output_name()]
        df = df.select(cols).unique(maintain_order=True, keep="first")
        return df.join(ids, on="_n", how="left", maintain_order="left").select(
            ["client_id"] + cols[1:])

    c = rows(contacts, "soort contact", "contacts", CONTACT_KINDS,
             pl.col("duur minuten").str.replace(",", ".", literal=True)
             .cast(pl.Float64, strict=False).alias("minutes"))
    e = rows(events, "soort", "events", EVENT_KINDS, pl.col("omschrijving").alias("detail"))
    return [df.to_pandas() for df in (s, c, e)]


# ---------------------------------------------------------------- pandas, same job

def pandas_same_job(folder: Path, key: bytes, extract: dt.date):
    import numpy as np
    import pandas as pd
    from fipeval.schema import CONTACT_KINDS, END_REASONS, EVENT_KINDS, HOUSEHOLD_TYPES, SEXES
    extract = pd.Timestamp(extract)

    def read(name):
        # Arrow-backed strings: the .str methods run in Arrow, not per Python object
        df = pd.read_csv(folder / name, sep=";", engine="pyarrow", dtype="string[pyarrow]",
                         keep_default_na=False)
        b = df["bsn"].str.strip().str.zfill(9)
        ok = ((b.str.len() == 9) & b.str.isdigit()).to_numpy(dtype=bool, na_value=False)
        b, df = b[ok], df[ok]
        number = b.astype("int64[pyarrow]").to_numpy(dtype=np.int64)
        digits = number[:, None] // 10 ** np.arange(8, -1, -1) % 10
        valid = ((digits @ np.array(WEIGHTS)) % 11 == 0) & digits.any(axis=1)
        return df.assign(bsn=number)[valid].reset_index(drop=True)

    def code(values, table, role, categories, unknown):
        # mapped per distinct value (a category), not per row
        raw = pd.Categorical(values.str.strip().str.lower())
        table_ = _codes(table)[role]
        mapped = [table_.get(c, unknown if c != "" else None) for c in raw.categories]
        lookup = np.array([categories.index(m) if m is not None else -1 for m in mapped] + [-1])
        return pd.Categorical.from_codes(lookup[raw.codes], categories=list(categories))

    def date(values):     # Arrow's strptime on the Arrow-backed text (pandas' own is 5x slower)
        import pyarrow as pa
        import pyarrow.compute as pc
        text = pa.array(values.array)
        parsed = pc.strptime(pc.if_else(pc.equal(text, ""), None, text), format="%d-%m-%Y",
                             unit="ns", error_is_null=True)
        return pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index)

    spells, contacts, events = (read(f) for f in EXPORT_FILES)
    codes, uniques = pd.factorize(pd.concat([spells["bsn"], contacts["bsn"], events["bsn"]],
                                            ignore_index=True))
    import pyarrow as pa
    names = pa.array(pseudonyms([b"%09d" % u for u in uniques.tolist()], key), pa.string())
    n_s, n_c = len(spells), len(contacts)
    client = pd.arrays.ArrowStringArray(names.take(pa.array(codes)))
    number = np.concatenate([spells["bsn"], contacts["bsn"], events["bsn"]])

    start, end = date(spells["ingangsdatum"]), date(spells["einddatum"])
    ok = start.notna() & (start <= extract) & (end.notna() | (spells["einddatum"] == "")) \
        & ~(end < start)
    end = end.mask(end > extract)
    reason = code(spells["reden beëindiging"], "spells", "end_reason", END_REASONS, "unknown")
    s = pd.DataFrame({
        "client_id": client[:n_s], "municipality": spells["gemeente"].str.strip().astype("category"),
        "caseworker": spells["klantmanager"].str.strip().astype("category"),
        "start_date": start, "end_date": end,
        "end_reason": pd.Series(reason).where(end.notna()).astype(
            pd.CategoricalDtype(list(END_REASONS))),
        "monthly_amount": pd.to_numeric(spells["uitkeringsbedrag"].str.replace(".", "", regex=False)
                                        .str.replace(",", ".", regex=False), errors="coerce"),
        "household_type": code(spells["leefvorm"], "spells", "household_type", HOUSEHOLD_TYPES, None),
        "birth_year": date(spells["geboortedatum"]).dt.year.astype("Int16"),
        "sex": code(spells["geslacht"], "spells", "sex", SEXES, "unknown"),
        "ladder_rung": pd.to_numeric(spells["trede participatieladder"], errors="coerce").astype("Int8"),
    })[ok.to_numpy()]
    # duplicate spells dropped, overlapping ones merged into the earliest (latest end wins);
    # the running maximum per person as one global running maximum (groupby + cummax over
    # 1.3M groups is far slower); the few merged blocks aggregated apart
    s = s.assign(_end=s["end_date"].fillna(pd.Timestamp("2262-01-01")), _row=np.arange(len(s)))
    s["_n"] = number[:n_s][ok.to_numpy()]
    s = s.sort_values(["_n", "municipality", "start_date", "_end", "_row"], kind="stable")
    cid, muni = s["_n"].to_numpy(), s["municipality"].cat.codes.to_numpy()
    new = np.r_[True, (cid[1:] != cid[:-1]) | (muni[1:] != muni[:-1])]
    person = np.cumsum(new).astype(np.int64) << 22
    end_days = s["_end"].to_numpy().astype("datetime64[D]").astype(np.int64) + 100_000
    reach = np.maximum.accumulate(person + end_days)
    reach = np.r_[0, reach[:-1]] - person - 100_000
    start_days = s["start_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    joins = ~new & (start_days <= reach)
    block = np.cumsum(~joins)
    if joins.any():
        part = joins | np.r_[joins[1:], False]
        sub = s[part].assign(_block=block[part]).sort_values(["_block", "_end"], kind="stable")
        ends = sub.drop_duplicates("_block", keep="last").set_index("_block")   # latest end
        last = pd.DataFrame({"_last": ends["_end"], "_reason": ends["end_reason"]})
        heads = s.assign(_block=block)[~joins].join(last, on="_block")
        merged = heads["_last"].notna()
        heads.loc[merged, "end_date"] = heads.loc[merged, "_last"].where(
            heads.loc[merged, "_last"] != pd.Timestamp("2262-01-01"))
        heads.loc[merged, "end_reason"] = heads.loc[merged, "_reason"]
        s = heads.drop(columns=["_block", "_last", "_reason"])
    else:
        s = s[~joins]
    s = s.sort_values("_row").drop(columns=["_end", "_row", "_n"]).reset_index(drop=True)

    def rows(df, kind_col, table, categories, part, extra):
        d = date(df["datum"])
        out = pd.DataFrame({"_n": number[part], "date": d,
                            "kind": code(df[kind_col], table, "kind", categories, None), **extra})
        keep = (d.notna() & (d <= extract)).to_numpy() & out["kind"].notna().to_numpy()
        keep &= ~out.duplicated(keep="first").to_numpy()     # on the BSN number, not the text
        out = out[keep].drop(columns="_n").reset_index(drop=True)
        out.insert(0, "client_id", client[part][keep])
        return out

    c = rows(contacts, "soort contact", "contacts", CONTACT_KINDS, slice(n_s, n_s + n_c),
             {"minutes": pd.to_numeric(contacts["duur minuten"].str.replace(",", ".", regex=False),
                                       errors="coerce")})
    e = rows(events, "soort", "events", EVENT_KINDS, slice(n_s + n_c, None),
             {"detail": events["omschrijving"].astype("string")})
    return [s, c, e]


# ---------------------------------------------------------------- one run, in a child

def _work(tool: str, folder: Path):
    files = [folder / f for f in EXPORT_FILES]
    if tool == "fipeval":
        from fipeval.io import load
        from fipeval.report.config import load_config
        extract = load_config(folder / "study.toml").extract_date
        return lambda: load(files, key=folder / "pseudonym.key", extract_date=extract)
    if tool in ("polars, same job", "pandas, same job"):
        from fipeval.io import resolve_key
        from fipeval.report.config import load_config
        key = resolve_key(folder / "pseudonym.key")
        extract = load_config(folder / "study.toml").extract_date
        extract = dt.date.fromisoformat(str(extract)[:10])
        job = polars_same_job if tool.startswith("polars") else pandas_same_job
        if tool.startswith("polars"):
            import polars  # noqa: F401
        return lambda: job(folder, key, extract)
    if tool.startswith("pyarrow.csv"):
        import pyarrow.csv as pacsv
        options = pacsv.ParseOptions(delimiter=";")
        # one thread: the read's least CPU (two threads on a quiet machine spend about
        # twice as much, under load less: the reference moves with the machine)
        reading = pacsv.ReadOptions(use_threads="one thread" not in tool)
        return lambda: [pacsv.read_csv(f, read_options=reading, parse_options=options)
                        for f in files]
    if tool == "polars":
        import polars as pl
        return lambda: [pl.read_csv(f, separator=";") for f in files]
    import pandas as pd
    engine = "pyarrow" if "pyarrow" in tool else "c"
    return lambda: [pd.read_csv(f, sep=";", decimal=",", engine=engine) for f in files]


def child(tool: str, folder: Path) -> dict:
    import fipeval.io  # noqa: F401  (imports are not timed: every tool imports pandas + pyarrow)
    import pandas  # noqa: F401,E402
    import pyarrow.csv  # noqa: F401
    run = _work(tool, folder)
    base = rss_mb()
    reset_peak()
    c0, t0 = cpu_seconds(), time.perf_counter()
    out = run()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    rows = [len(getattr(out, t)) for t in ("spells", "contacts", "events")] \
        if tool == "fipeval" else [len(t) for t in out]
    return {"tool": tool, "wall_s": wall, "cpu_s": cpu, "peak_extra_mb": max(peak_mb() - base, 0.0),
            "rows": rows, "load_average": os.getloadavg()}


def measure(tool: str, folder: Path, cores: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "POLARS_MAX_THREADS", "RAYON_NUM_THREADS"):
        env[var] = str(cores)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                         env.get("PYTHONPATH", "")])
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", tool, str(folder), str(cores)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return {"tool": tool, "error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# The loader's jobs, by the functions that do them (``profile``); a function's own time goes
# to the job of its nearest caller in this table (through its costliest caller)
JOBS = {
    "HMAC-SHA256 of the distinct BSNs": ("bsn.py:_hmac_numbers", "bsn.py:digest",
                                         "bsn.py:_hmac_fixed_width"),
    "pseudonyms: distinct BSNs of the load, hex text per row": (
        "normalise.py:pseudonymise_parts", "bsn.py:pseudonym_numbers", "bsn.py:pseudonym_text",
        "bsn.py:_hex_of_numbers", "bsn.py:_ascii_digits", "fields.py:factorize_integers"),
    "BSN trim, padding, 11-proef": ("bsn.py:normalise_bsn", "bsn.py:is_valid_bsn",
                                    "bsn.py:nine_digit_numbers", "normalise.py:_client_ids"),
    "CSV parse to text (pyarrow)": ("readers.py:_arrow_strings",),
    "reading: chunking, quote/NUL/CR checks, line count, padding scan": (
        "readers.py:_arrow_batches", "readers.py:_maybe_padded", "readers.py:_has_blank_line",
        "readers.py:_read_text_streaming"),
    "dates": ("dates.py:",),
    "codes and text to categories": ("fields.py:parse_code", "fields.py:dictionary",
                                     "fields.py:parse_text_codes", "fields.py:text_categorical",
                                     "fields.py:categorical",
                                     "fields.py:parse_integer"),
    "amounts and minutes": ("fields.py:parse_amount", "fields.py:_plain_amounts"),
    "column hand-out (whitespace check)": ("normalise.py:take",),
    "row rules: spells by person, duplicates": ("loading.py:_resolve_spells", "loading.py:_person_order",
                                                "loading.py:_resolve_rows", "loading.py:_row_hashes",
                                                "loading.py:_value_numbers", "loading.py:_mix"),
    "combining batches, report, orphans, tables": ("loading.py:", "schema.py:", "memory.py:",
                                                   "accounting.py:"),
    "row rules within a file (rejects, repairs)": ("normalise.py:",),
}


def profile(folder: Path) -> dict:
    """cProfile of ``fipeval.io.load`` on the export, own time grouped by ``JOBS``, plus the
    CPU seconds of the same call unprofiled (cProfile inflates Python-call-heavy parts,
    above all the HMAC loop's 1.3M calls, so the shares are indicative)."""
    import cProfile
    import pstats
    from fipeval.io import load
    from fipeval.report.config import load_config
    files = [folder / f for f in EXPORT_FILES]
    extract = load_config(folder / "study.toml").extract_date
    c0 = cpu_seconds()
    load(files, key=folder / "pseudonym.key", extract_date=extract)
    plain = cpu_seconds() - c0
    prof = cProfile.Profile()
    prof.enable()
    load(files, key=folder / "pseudonym.key", extract_date=extract)
    prof.disable()
    stats = pstats.Stats(prof).stats

    def name(func):
        return f"{Path(func[0]).name}:{func[2]}"

    def job(func, seen=()):
        label = name(func)
        for title, keys in JOBS.items():
            if any(label.startswith(k) if k.endswith(":") else label == k for k in keys):
                return title
        callers = stats[func][4]
        if not callers or func in seen or len(seen) > 30:
            return "other"
        return job(max(callers.items(), key=lambda kv: kv[1][3])[0], seen + (func,))
    own: dict = {}
    for func, (_, _, tottime, _, _) in stats.items():
        key = job(func)
        own[key] = own.get(key, 0.0) + tottime
    total = sum(own.values())
    top = sorted(stats.items(), key=lambda kv: -kv[1][2])[:25]
    return {"cpu_s_unprofiled": plain, "profiled_s": total,
            "by_job": {k: {"profiled_s": v, "share": v / total}
                       for k, v in sorted(own.items(), key=lambda kv: -kv[1])},
            "top_own_time": [{"function": name(f), "calls": v[1], "own_s": v[2]} for f, v in top],
            "load_average": os.getloadavg()}


def _git_commit() -> str:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "fipeval"],
                           capture_output=True, text=True).stdout.strip()
    return done.stdout.strip() + (" (fipeval/ modified)" if dirty else "")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--tools", nargs="*", default=list(TOOLS))
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--out", type=Path, default=RESULTS / "load_national.json")
    p.add_argument("--profile", action="store_true",
                   help="instead: profile fipeval's load by job into results/load_national_profile.json")
    args = p.parse_args(argv)
    if args.profile:
        folder = ensure_export(args.scale, NATIONAL_SEED, args.cache)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--profile-child", str(folder),
               str(args.cores)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1]) | {
            "command": command_line("bench_load_national.py", argv), "git_commit": _git_commit(),
            "data": str(folder)}
        out = RESULTS / "load_national_profile.json"
        write_json(out, result)
        for title, v in result["by_job"].items():
            print(f"{v['share']:6.1%}  {title}")
        print(f"unprofiled {result['cpu_s_unprofiled']:.2f} CPU s; wrote {out}")
        return
    before = machine()
    folder = ensure_export(args.scale, NATIONAL_SEED, args.cache)
    runs: dict = {t: [] for t in args.tools}
    for _ in range(args.repeats):
        for tool in args.tools:
            r = measure(tool, folder, args.cores)
            runs[tool].append(r)
            print(f"{tool:<26}" + (f"cpu {r['cpu_s']:6.2f} s  wall {r['wall_s']:6.2f} s  "
                                   f"load avg {r['load_average'][0]:.1f}" if "cpu_s" in r
                                   else "failed: " + r["error"][-300:]), flush=True)
    summary = {}
    for tool, rs in runs.items():
        ok = [r for r in rs if "cpu_s" in r]
        if not ok:
            summary[tool] = {"error": rs[0].get("error")}
            continue
        summary[tool] = {"cpu_s": statistics.median(r["cpu_s"] for r in ok),
                         "wall_s": statistics.median(r["wall_s"] for r in ok),
                         "peak_extra_mb": statistics.median(r["peak_extra_mb"] for r in ok),
                         "rows": ok[0]["rows"], "runs": ok}
    ref = summary.get("pyarrow.csv", {}).get("cpu_s")
    for tool, s in summary.items():
        if ref and "cpu_s" in s:
            s["cpu_vs_pyarrow"] = s["cpu_s"] / ref
            s["wall_vs_pyarrow"] = s["wall_s"] / summary["pyarrow.csv"]["wall_s"]
    ours = summary.get("fipeval", {})
    verdict = None
    if "cpu_vs_pyarrow" in ours:
        # the runs are interleaved: each repeat's ratio compares like machine conditions
        paired = [a["cpu_s"] / b["cpu_s"] for a, b in
                  zip(runs["fipeval"], runs["pyarrow.csv"]) if "cpu_s" in a and "cpu_s" in b]
        one = summary.get("pyarrow.csv, one thread", {}).get("cpu_s")
        verdict = {"aim": "load within 2x of a plain multi-threaded read (pyarrow CSV), CPU s",
                   "ratio": ours["cpu_vs_pyarrow"], "met": ours["cpu_vs_pyarrow"] <= 2.0,
                   "ratio_paired_median": statistics.median(paired) if paired else None,
                   "ratio_vs_one_thread": ours["cpu_s"] / one if one else None,
                   "report_aim": "load about 5 CPU s of the national report's 20",
                   "report_aim_met": ours["cpu_s"] <= 5.0}
    result = {"benchmark": "load the national export (three CSV files)",
              "command": command_line("bench_load_national.py", argv),
              "git_commit": _git_commit(), "scale": args.scale, "cores": args.cores,
              "repeats": args.repeats, "data": str(folder), "machine": before,
              "load_average_after": os.getloadavg(), "verdict": verdict, "results": summary}
    write_json(args.out, result)
    print(f"\n{'tool':<26}{'CPU s':>8}{'wall s':>8}{'peak MB':>9}{'CPU/pyarrow':>13}")
    for tool, s in summary.items():
        if "cpu_s" in s:
            print(f"{tool:<26}{s['cpu_s']:>8.2f}{s['wall_s']:>8.2f}{s['peak_extra_mb']:>9.0f}"
                  f"{s.get('cpu_vs_pyarrow', float('nan')):>13.1f}")
        else:
            print(f"{tool:<26}failed")
    print(f"load average before {before['load_average']}, after {result['load_average_after']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        tool, folder, cores = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
        if cores and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])
        print(json.dumps(child(tool, folder)))
    elif len(sys.argv) > 1 and sys.argv[1] == "--profile-child":
        folder, cores = Path(sys.argv[2]), int(sys.argv[3])
        if cores and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])
        print(json.dumps(profile(folder)))
    else:
        main()
