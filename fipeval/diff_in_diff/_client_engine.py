"""The client-by-month panel's spells, and its expansion in DuckDB (``engine="duckdb"``).

Everything a client-month needs is known per spell (its first and last month in the window,
whether it ends in a termination, its labels) and per event (the spell and month it counts
in); those are linear in the register and computed in NumPy (``_register_index``). Only the
expansion into one row per client and month grows with the length of the window: a national
register over ten years gives over a hundred million rows (docs/SCALING.md). DuckDB does that
expansion and the sums out of core: the spells and event counts go in as Arrow tables
(zero-copy), the panel comes out as a Parquet file or as sums by a few columns, and DuckDB
spills to disk beyond its memory limit. The same SQL runs on a cluster engine (Spark SQL,
Trino) if a register ever outgrows one machine.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, UsageError
from ..schema import END_REASONS, EVENT_KINDS
from ._register_index import (_EPOCH, _Prepared, _codes, _kind_codes, _month_start,
                              _take_categorical, _window)
from ._treatment import NO_START, _mark_treatment, treatment_starts

TOTALS = ("client_months", "terminations", "fraud_signals", "activations", "contacts",
          "months_on_benefit")
PLAIN_BY = ("month", "period", "municipality", "caseworker", "end_reason")
DESIGN_BY = ("fip", "post", "event_time", "after_follow_up")
# DuckDB's share of memory; the rest is the register and the per-spell arrays
MEMORY_LIMIT = os.environ.get("FIPEVAL_DUCKDB_MEMORY", "2GB")


@dataclass(frozen=True)
class ClientSpells:
    """Per spell and per counted event: all the client panel is made of."""

    register: object
    start_m: int              # window, months since 1970-01
    end_m: int
    lo: np.ndarray            # first month of the spell in the window
    hi: np.ndarray            # last month in the window (lo > hi: not in the panel)
    length: np.ndarray        # months in the window (0 if none)
    offset: np.ndarray        # first panel row of each spell (pandas order), and the total
    last: np.ndarray          # last month on a caseload
    ended: np.ndarray         # ends in a termination (continuations excluded)
    start_day: np.ndarray     # days since 1900-01-01
    reason: np.ndarray        # END_REASONS code (-1 missing)
    counted: dict             # column -> (spell rows, months) of the events counted in it


def client_spells(register, start, end) -> ClientSpells:
    start_m, end_m = _window(register, start, end)
    prep = _Prepared(register)
    first, last, ended = prep.spell_months()
    ended &= ~prep.continued()
    lo = np.maximum(first, start_m)
    hi = np.minimum(last, end_m)
    length = np.clip(hi - lo + 1, 0, None)
    counted = {}
    for which, table in enumerate((register.events, register.contacts)):
        row = prep.attribute(which)
        m = prep.month(prep.t_days[which])
        ok = row >= 0
        ok[ok] &= (m[ok] >= lo[row[ok]]) & (m[ok] <= hi[row[ok]])
        rows, months = row[ok], m[ok]
        if which == 0:
            kind = _kind_codes(table, EVENT_KINDS)[ok]
            counted["fraud_signals"] = rows[kind == 0], months[kind == 0]
            counted["activations"] = rows[kind > 0], months[kind > 0]
        else:
            counted["contacts"] = rows, months
    reason = pd.Categorical(register.spells["end_reason"], categories=END_REASONS).codes
    return ClientSpells(register, start_m, end_m, lo, hi, length,
                        np.concatenate([[0], np.cumsum(length)]), last, ended, prep.start,
                        reason.astype(np.int64), counted)


def check_by(by, design) -> tuple:
    by = (by,) if isinstance(by, str) else tuple(by)
    allowed = PLAIN_BY + (DESIGN_BY if design is not None else ())
    bad = [b for b in by if b not in allowed]
    if bad or not by:
        hint = "" if design is not None else " (fip, post, event_time need design=)"
        raise InputError(f"`by` must name columns of the client panel among "
                         f"{', '.join(allowed)}{hint}; got {bad or 'none'}.")
    return by


def _connect():
    try:
        import duckdb
    except ImportError as err:
        raise UsageError("engine='duckdb' needs the duckdb package: pip install "
                              "'fipeval[scale]' (or pip install duckdb).") from err
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/fipeval-duckdb'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _tables(con, cs: ClientSpells, design):
    """Register the spells (in the window) and the event counts with DuckDB."""
    import pyarrow as pa
    spells = cs.register.spells
    keep = np.flatnonzero(cs.length > 0)
    cw, _ = _codes(spells["caseworker"])
    mun, _ = _codes(spells["municipality"])
    columns = {"spell_row": keep, "lo": cs.lo[keep], "hi": cs.hi[keep],
               "term_month": np.where(cs.ended[keep], cs.last[keep], -1),
               "start_day": cs.start_day[keep], "reason": cs.reason[keep],
               "caseworker": cw[keep], "municipality": mun[keep]}
    if design is not None:
        fip, follow_up, site = treatment_starts(
            pd.DataFrame({c: _take_categorical(spells[c], keep, sort=c != "client_id")
                          for c in ("client_id", "caseworker", "municipality")}), design)
        columns |= {"fip_start": np.where(fip == NO_START, -1, fip), "follow_up": follow_up,
                    "site_start": np.where(site == NO_START, -1, site)}
    con.register("spells", pa.table(columns))
    counts = []
    for column, (rows, months) in cs.counted.items():
        key = np.unique(rows * (cs.end_m + 2) + months - cs.start_m, return_counts=True)
        counts.append(pd.DataFrame({"spell_row": key[0] // (cs.end_m + 2),
                                    "month": key[0] % (cs.end_m + 2) + cs.start_m,
                                    column: key[1]}))
    events = counts[0]
    for more in counts[1:]:
        events = events.merge(more, on=["spell_row", "month"], how="outer")
    con.register("events", pa.Table.from_pandas(events.fillna(0).astype(np.int64),
                                                preserve_index=False))


_PANEL_SQL = """
WITH months AS (
    SELECT s.*, unnest(range(s.lo, s.hi + 1)) AS month FROM spells s
)
SELECT m.*, (m.month = m.term_month)::BIGINT AS terminated,
       coalesce(e.fraud_signals, 0) AS fraud_signals,
       coalesce(e.activations, 0) AS activations, coalesce(e.contacts, 0) AS contacts
       {design}
FROM months m LEFT JOIN events e ON e.spell_row = m.spell_row AND e.month = m.month
"""
_DESIGN_SQL = """,
       (m.fip_start >= 0)::BIGINT AS fip,
       (m.site_start >= 0 AND m.month >= m.site_start)::BIGINT AS post,
       CASE WHEN m.fip_start >= 0 THEN (m.month - m.fip_start)::DOUBLE END AS event_time,
       (m.fip_start >= 0 AND m.month >= m.fip_start + m.follow_up)::BIGINT AS after_follow_up"""


def _panel_sql(design) -> str:
    return _PANEL_SQL.format(design=_DESIGN_SQL if design is not None else "")


def _day_of(month_sql: str) -> str:
    """Days since 1900-01-01 of the first day of a month index (months since 1970-01)."""
    return (f"(date_diff('day', DATE '1900-01-01', (DATE '1970-01-01' + "
            f"to_months(({month_sql})::INTEGER))::DATE))")


def duckdb_panel(cs: ClientSpells, design, path):
    """``client_panel`` through DuckDB: a DataFrame equal to the pandas engine's, or the
    panel written to Parquet at ``path``."""
    con = _connect()
    try:
        _tables(con, cs, design)
        sql = _panel_sql(design)
        if path is not None:
            spells = cs.register.spells
            labels = {c: pd.DataFrame({"code": np.arange(len(lab)), c: lab})
                      for c, lab in (("caseworker", _codes(spells["caseworker"])[1]),
                                     ("municipality", _codes(spells["municipality"])[1]))}
            for c, frame in labels.items():
                con.register(f"{c}_labels", frame)
            import pyarrow as pa
            keep = np.flatnonzero(cs.length > 0)
            con.register("client_ids", pa.table(
                {"spell_row": keep, "client_id": pa.array(spells["client_id"].array).take(keep)}))
            design_cols = ", p.fip, p.post, p.event_time, p.after_follow_up" if design else ""
            con.execute(f"""
                COPY (
                    SELECT ci.client_id, cl.caseworker, ml.municipality,
                           (DATE '1970-01-01' + to_months(p.month::INTEGER))::DATE AS month,
                           p.month - {cs.start_m} AS period,
                           ({_day_of('p.month')} - p.start_day) / 30.4375 AS months_on_benefit,
                           p.terminated,
                           CASE WHEN p.terminated = 1 AND p.reason >= 0
                                THEN list_extract({list(END_REASONS)}, p.reason + 1) END
                               AS end_reason,
                           p.fraud_signals, p.activations, p.contacts{design_cols}
                    FROM ({sql}) p
                    JOIN client_ids ci USING (spell_row)
                    JOIN caseworker_labels cl ON cl.code = p.caseworker
                    JOIN municipality_labels ml ON ml.code = p.municipality
                ) TO '{os.fspath(path)}' (FORMAT parquet)""")
            return path
        got = con.execute(f"SELECT spell_row, month, fraud_signals, activations, contacts "
                          f"FROM ({sql}) ORDER BY spell_row, month").fetchnumpy()
    finally:
        con.close()
    return panel_frame(cs, got, design)


def panel_frame(cs: ClientSpells, got: dict, design) -> pd.DataFrame:
    """The pandas frame of ``client_panel`` from its rows (spell, month and the counts of
    ``cs.counted``, in the panel's order), from either engine."""
    spells = cs.register.spells
    spell_row = np.asarray(got["spell_row"], dtype=np.int64)
    month = np.asarray(got["month"], dtype=np.int64)
    terminated = cs.ended[spell_row] & (month == cs.last[spell_row])
    window = np.arange(cs.start_m, cs.end_m + 1)
    first_day = (_month_start(window).astype("datetime64[D]") - _EPOCH).astype(np.int64)
    panel = pd.DataFrame({
        # categorical columns: a national panel has tens of millions of rows
        "client_id": _take_categorical(spells["client_id"], spell_row, sort=False),
        "caseworker": _take_categorical(spells["caseworker"], spell_row),
        "municipality": _take_categorical(spells["municipality"], spell_row),
        "month": _month_start(window)[month - cs.start_m],
        "period": (month - cs.start_m).astype(np.int64),
        "months_on_benefit": (first_day[month - cs.start_m] - cs.start_day[spell_row]) / 30.4375,
        "terminated": terminated.astype(np.int64),
        "end_reason": pd.Categorical.from_codes(np.where(terminated, cs.reason[spell_row], -1),
                                                categories=END_REASONS),
    })
    for column in cs.counted:
        panel[column] = np.asarray(got[column], dtype=np.int64)
    panel.attrs["unit"] = "client_id"
    if design is not None:
        panel = _mark_treatment(panel, design)
    return panel


def duckdb_totals(cs: ClientSpells, design, by: tuple) -> pd.DataFrame:
    """``client_totals`` in DuckDB: the client-months are counted, never held."""
    con = _connect()
    try:
        _tables(con, cs, design)
        keys = {"month": "month", "period": f"month - {cs.start_m}", "municipality":
                "municipality", "caseworker": "caseworker", "end_reason":
                "CASE WHEN terminated = 1 THEN reason ELSE -1 END", "fip": "fip",
                "post": "post", "event_time": "event_time", "after_follow_up": "after_follow_up"}
        select = ", ".join(f"{keys[b]} AS {b}" for b in by)
        design_sql = _DESIGN_SQL if design is not None else ""
        # the client-months and the events are summed apart: no join of the expanded
        # months (a hundred million rows) with the event counts
        got = con.execute(f"""
            WITH rows AS (
                SELECT m.*, (m.month = m.term_month)::BIGINT AS terminated {design_sql}
                FROM (SELECT s.*, unnest(range(s.lo, s.hi + 1)) AS month FROM spells s) m),
            counted AS (
                SELECT m.*, (m.month = m.term_month)::BIGINT AS terminated {design_sql}
                FROM (SELECT s.*, e.month, e.fraud_signals, e.activations, e.contacts
                      FROM events e JOIN spells s USING (spell_row)) m),
            parts AS (
                SELECT {select}, count(*) AS client_months, sum(terminated) AS terminations,
                       0 AS fraud_signals, 0 AS activations, 0 AS contacts,
                       sum(({_day_of('month')} - start_day) / 30.4375) AS months_on_benefit
                FROM rows GROUP BY ALL
                UNION ALL
                SELECT {select}, 0, 0, sum(fraud_signals), sum(activations), sum(contacts),
                       0.0 FROM counted GROUP BY ALL)
            SELECT {', '.join(by)}, sum(client_months) AS client_months,
                   sum(terminations) AS terminations, sum(fraud_signals) AS fraud_signals,
                   sum(activations) AS activations, sum(contacts) AS contacts,
                   sum(months_on_benefit) AS months_on_benefit
            FROM parts GROUP BY ALL ORDER BY {', '.join(by)}""").df()
    finally:
        con.close()
    return _labelled(cs, got, by)


def _labelled(cs: ClientSpells, got: pd.DataFrame, by: tuple) -> pd.DataFrame:
    """DuckDB's codes as the pandas engine's values and dtypes, sorted as pandas sorts."""
    spells = cs.register.spells
    out = got.copy()
    for c in ("caseworker", "municipality"):
        if c in by:
            out[c] = pd.Categorical.from_codes(out[c].astype(np.int64),
                                               categories=_codes(spells[c])[1])
    if "end_reason" in by:
        out["end_reason"] = pd.Categorical.from_codes(out["end_reason"].astype(np.int64),
                                                      categories=END_REASONS)
        out = out[out["end_reason"].notna()]     # pandas' groupby drops the missing reason
    if "month" in by:
        out["month"] = _month_start(out["month"].to_numpy(dtype=np.int64))
    for c in ("period", "fip", "post", "after_follow_up", *TOTALS[:-1]):
        if c in out.columns:
            out[c] = out[c].astype(np.int64)
    if "event_time" in by:
        out = out[out["event_time"].notna()]     # pandas' groupby drops NaN keys
    return out.sort_values(list(by), kind="stable").reset_index(drop=True)[list(by) + list(TOTALS)]
