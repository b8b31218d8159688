"""Row rules: one file's raw columns into canonical rows, each row kept or rejected.

Rules applied per row, in this order (the first rule that rejects a row names the reason):

Every table
    * no client id (empty BSN / client number) -> rejected ``missing client id``;
    * a BSN that fails the 11-proef -> rejected ``invalid BSN (11-proef)`` (by line, never
      by value); an 8-digit BSN gets its leading zero back (repair ``bsn_leading_zero``);
    * spaces around any value are trimmed (repair ``trimmed_whitespace``).
Spells
    * no municipality (column or ``[spells.constants]``) -> rejected ``missing municipality``;
    * no / unreadable start date -> rejected; unreadable end date -> rejected;
    * an end date with a year after 2200 (``31-12-9999``, ``88881231``: "no end" in many
      systems) -> no end date (repair ``open_end_date``);
    * end date before start date -> rejected ``end date before start date``;
    * start date after the extract date -> rejected ``start date after the extract date``;
    * end date after the extract date -> the spell is running at the extract date (end and
      end reason cleared; repair ``end_after_extract_censored``);
    * an end date without an end reason -> end reason ``unknown`` (counted under
      unknown codes as ``(empty)``); unknown reason codes -> ``unknown``, counted;
    * an end reason without an end date -> reason dropped (``reason_without_end_dropped``);
    * unreadable amount, ladder rung, birth date/year, or a birth year after the extract
      year -> left empty (``unreadable_value_blanked``); unknown household or sex codes
      -> empty / ``unknown``, counted under unknown codes;
    * an empty caseworker is kept (missing group assignment: the study design decides;
      counted under ``missing_values``).
Contacts and events (and domain assessments: ``fipeval.io.domains``)
    * no / unreadable date, or a date after the extract date -> rejected;
    * no kind, or a kind not in the mapping -> rejected (``missing kind`` /
      ``unknown kind``; unknown kinds are also counted under unknown codes);
    * unreadable or negative minutes -> left empty (``unreadable_value_blanked``).

Rules across rows (duplicate and overlapping spells) are in ``fipeval.io.loading``.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import LoadError
from ..schema import BENEFIT_TYPES, CONTACT_KINDS, END_REASONS, EVENT_KINDS, HOUSEHOLD_TYPES, SEXES
from .accounting import REPAIR_BIT
from .bsn import (is_valid_bsn, looks_like_bsn, nine_digit_numbers, normalise_bsn, pseudonym_numbers,
                  pseudonym_text, redact, resolve_key)
from .dates import detect_format, parse_dates, year_numbers
from .detect import detect_decimal
from .fields import (as_text, factorize_integers, integer_array, parse_amount, parse_code,
                     parse_integer, parse_text_codes, text_categorical, trimmed_mask)
from .mapping import TableMapping
from .readers import RawTable

REASONS = ("", "wrong number of fields", "missing client id", "invalid BSN (11-proef)",
           "missing municipality", "missing start date", "unreadable start date",
           "unreadable end date", "end date before start date",
           "start date after the extract date", "missing date", "unreadable date",
           "date after the extract date", "missing kind", "unknown kind", "duplicate row",
           "duplicate spell", "overlapping spell merged", "missing domain")
_CODE = {r: i for i, r in enumerate(REASONS)}


class KeyHolder:
    """Resolves the pseudonymisation key once, and only when BSNs are present."""

    def __init__(self, key):
        self._key, self._resolved = key, None

    def get(self) -> bytes:
        if self._resolved is None:
            self._resolved = resolve_key(self._key, required=True)
        return self._resolved


@dataclass
class Context:
    """Settings of one load shared by all files."""

    key: KeyHolder
    check_date: np.datetime64           # the extract date, or today without one
    pivot_year: int
    decimal: str | None = None
    date_format: str | None = None
    municipality: str | None = None
    client_is_bsn: bool | None = None   # fixed by a file's first batch


@dataclass
class Part:
    """One file's kept rows (canonical columns + ``_file``, ``_line``, ``_repair``) and rejects.

    The rows are kept as the batches made them: a list of ``{column: 1-D array}``, so that
    the loader can combine all files column by column, freeing each batch as it goes
    (a DataFrame would stack same-typed columns into 2-D blocks and copy them)."""

    table: str
    frames: list
    rejected_lines: np.ndarray
    rejected_reasons: list
    rejected_details: list
    unknown_codes: dict = field(default_factory=dict)
    missing_values: dict = field(default_factory=dict)
    detected: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    n_kept: int = 0
    rejected_cells: list = field(default_factory=list)   # (column, value) or None per reject
    repairs_listed: list = field(default_factory=list)   # {line, kind, column, value}
    # the frames' ``client_id`` holds BSNs as numbers, to be pseudonymised (``pseudonymise_parts``)
    bsn_pending: bool = False


# plausibility: values outside these are kept as read and noted in the load report
AGE_PLAUSIBLE_MIN, AGE_PLAUSIBLE_MAX = 16, 105     # bijstand is for adults (from 18; 16: youth)
EARLIEST_PLAUSIBLE_START = "1965-01-01"             # the Algemene Bijstandswet took effect

# load_report.json lists every rejected row with its column and value, and the first repairs
# of each kind per batch of rows (all of them are counted): a national load repairs millions
MAX_LISTED_REPAIRS = 100


def _cell_values(cell: tuple, rows: np.ndarray) -> list[str]:
    """The raw text of ``cell = (header, array or None)`` at ``rows``, BSN-redacted; None
    for the array means the column holds BSNs and no value is shown."""
    header, arr = cell
    if arr is None:
        return ["<bsn>"] * len(rows)
    values = arr.take(pa.array(rows, type=pa.int64())).to_pylist()
    return [redact("" if v is None else str(v)) for v in values]


class _Rows:
    def __init__(self, n: int):
        self.reason = np.zeros(n, dtype=np.int8)
        self.repair = np.zeros(n, dtype=np.int32)
        self.reject_cell: dict = {}          # row -> (column, value) of the cell at fault
        self.listed: list = []               # (row, kind, column, value) of listed repairs
        self._n_listed: Counter = Counter()

    def reject(self, mask: np.ndarray, reason: str, cell: tuple | None = None) -> None:
        new = np.asarray(mask, bool) & (self.reason == 0)
        self.reason[new] = _CODE[reason]
        if cell is not None and new.any():
            rows = np.flatnonzero(new)
            for row, value in zip(rows.tolist(), _cell_values(cell, rows)):
                self.reject_cell[row] = (cell[0], value)

    def repaired(self, mask: np.ndarray, kind: str, cell: tuple | None = None) -> None:
        mask = np.asarray(mask, bool)
        self.repair[mask] |= REPAIR_BIT[kind]
        room = MAX_LISTED_REPAIRS - self._n_listed[kind]
        if cell is not None and room > 0 and mask.any():
            rows = np.flatnonzero(mask & (self.reason == 0))[:room]
            self._n_listed[kind] += len(rows)
            self.listed += [(row, kind, cell[0], value)
                            for row, value in zip(rows.tolist(), _cell_values(cell, rows))]


class _Columns:
    """Hands out each raw column once, removing it from the raw table (so its memory goes
    as soon as it is parsed) and noting trimmed whitespace on the way."""

    def __init__(self, raw: RawTable, rows: "_Rows", used: set):
        self.raw, self.rows = raw, rows
        raw.table = raw.table.select([h for h in raw.table.column_names if h in used])

    def take(self, header: str) -> pa.Array:
        col = self.raw.table.column(header)
        self.raw.table = self.raw.table.drop_columns([header])
        arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        del col
        if self.raw.padded and (pa.types.is_string(arr.type) or pa.types.is_dictionary(arr.type)):
            self.rows.repaired(trimmed_mask(arr), "trimmed_whitespace", (header, arr))
        return arr


def _client_ids(raw: RawTable, cols: _Columns, roles: dict, rows: _Rows, ctx: Context, part_notes: list):
    n = len(raw.lines)
    if "bsn" in roles:
        header, is_bsn = roles["bsn"], True
    elif "client_id" in roles or "client_number" in roles:
        role = "client_id" if "client_id" in roles else "client_number"
        header = roles[role]
        arr = as_text(cols.take(header))
        is_bsn = looks_like_bsn(arr) if ctx.client_is_bsn is None else ctx.client_is_bsn
        if is_bsn:
            part_notes.append(f"column `{header}` holds BSNs: pseudonymised like a bsn column")
    else:
        raise LoadError("No client column found (bsn, klantnummer or client_id); name it in a "
                        "mapping file under [<table>.columns] bsn = \"...\".", file=raw.file)
    if "bsn" in roles:
        arr = as_text(cols.take(header))
    fast = nine_digit_numbers(arr) if is_bsn else None
    if fast is not None:      # nine digits in every row: nothing to trim, pad or call empty
        numbers, valid = fast
        rows.reject(~valid, "invalid BSN (11-proef)", (header, None))
        if valid.any():
            ctx.key.get()
        return None, numbers if valid.all() else np.where(valid, numbers, 0)
    text = pc.utf8_trim_whitespace(arr) if raw.padded else arr
    length = pc.utf8_length(text)
    empty = pc.fill_null(pc.equal(length, 0), True).to_numpy(zero_copy_only=False)
    rows.reject(empty, "missing client id", (header, arr))
    if not is_bsn:
        if "client_id_kind" in roles and "client_id" in roles:   # CBS: RINPERSOONS + RINPERSOON
            kind = pc.utf8_trim_whitespace(as_text(cols.take(roles["client_id_kind"])).cast(pa.string()))
            text = pc.binary_join_element_wise(pc.fill_null(kind, ""), text.cast(pa.string()), "")
        return pd.arrays.ArrowStringArray(pc.if_else(pa.array(empty), None, text)), None
    bsn = normalise_bsn(text)
    valid = is_valid_bsn(bsn, normalised=True)
    rows.reject(~valid & ~empty, "invalid BSN (11-proef)", (header, None))
    padded = pc.fill_null(pc.and_(pc.equal(pc.utf8_length(bsn), 9), pc.less(length, 9)),
                          False).to_numpy(zero_copy_only=False)
    rows.repaired(padded & valid, "bsn_leading_zero", (header, None))
    if valid.any():
        ctx.key.get()        # a missing or weak key fails here, at the first valid BSN
    # the BSNs as numbers (0 where not valid: those rows are rejected); the loader hashes
    # the distinct BSNs of every file once, after reading (``pseudonymise_parts``)
    if valid.all():
        return None, pc.cast(bsn, pa.int64()).to_numpy(zero_copy_only=False)
    numbers = np.zeros(n, dtype=np.int64)
    if valid.any():
        numbers[valid] = pc.cast(bsn.filter(pa.array(valid)), pa.int64()).to_numpy(zero_copy_only=False)
    return None, numbers


def _date(cols: _Columns, roles, role, tmap: TableMapping, ctx: Context, detected: dict):
    arr = cols.take(roles[role])
    fmt = tmap.date_formats.get(role) or ctx.date_format or detect_format(arr)
    detected[f"date_format.{role}"] = fmt
    parsed = parse_dates(arr, date_format=None if fmt == "native" else fmt,
                         pivot_year=ctx.pivot_year)
    parsed.cell = (roles[role], arr)
    return parsed


def _dated_rows(cols: _Columns, roles, tmap: TableMapping, ctx: Context, detected: dict,
                rows: "_Rows"):
    """The ``date`` column of contacts, events and domains, its rejects applied."""
    date = _date(cols, roles, "date", tmap, ctx, detected)
    rows.reject(date.missing, "missing date", date.cell)
    rows.reject(date.invalid, "unreadable date", date.cell)
    rows.reject(date.values > ctx.check_date, "date after the extract date", date.cell)
    for kind, mask in date.repairs.items():
        rows.repaired(mask, kind, date.cell)
    return date


def _decimal(arr, raw: RawTable, ctx: Context) -> str:
    if ctx.decimal:
        return ctx.decimal
    sep = raw.text_format.separator if raw.text_format else ";"
    return detect_decimal(arr, separator=sep)


def normalise(raw: RawTable, table: str, roles: dict, tmap: TableMapping, ctx: Context,
              file_index: int) -> Part:
    """Apply the row rules of the module docstring to one file."""
    n = raw.table.num_rows
    rows = _Rows(n)
    notes: list = []
    detected: dict = {"file": raw.file, "table": table, "format": raw.kind, "columns": dict(roles),
                      "unmapped": [h for h in raw.headers if h not in roles.values()]}
    if raw.text_format:
        detected.update(encoding=raw.text_format.encoding, separator=raw.text_format.separator)
    if raw.sheet:
        detected["sheet"] = raw.sheet
    if raw.line_accounting is not None:
        detected["lines"] = raw.line_accounting
    client_role = next(r for r in ("bsn", "client_id", "client_number") if r in roles) \
        if any(r in roles for r in ("bsn", "client_id", "client_number")) else None
    used = {h for r, h in roles.items() if r not in ("bsn", "client_id", "client_number") or r == client_role}
    cols = _Columns(raw, rows, used)
    notes += near_miss_headers(raw.file, detected["unmapped"], roles, tmap)
    ids, id_numbers = _client_ids(raw, cols, roles, rows, ctx, notes)
    detected["client_is_bsn"] = "bsn" in roles or any("holds BSNs" in n for n in notes)
    # BSNs: the client's BSN as a number until the loader pseudonymises every file's BSNs
    # at once; the pseudonyms' 64 bits then become the loader's join key (dropped after)
    out: dict = {"client_id": id_numbers if ids is None else ids}
    codes: dict = {}
    missing: dict = {}
    check = ctx.check_date
    if table == "spells":
        start = _date(cols, roles, "start_date", tmap, ctx, detected)
        if "municipality" in roles:
            muni_text = cols.take(roles["municipality"])
            muni = parse_text_codes(muni_text)
            muni.cell = (roles["municipality"], muni_text)
        else:
            value = tmap.constants.get("municipality") or ctx.municipality
            if value is None:
                raise LoadError("The spells have no municipality column (gemeente); add "
                                "[spells.constants] municipality = \"Name\" to the mapping file "
                                "or pass municipality=\"Name\".", file=raw.file).for_command_line(
                    "The spells have no municipality column (gemeente); add [spells.constants] "
                    "municipality = \"Name\" to a mapping file and pass it with --mapping FILE.")
            muni = parse_text_codes(pa.array([str(value)] * n, type=pa.string()))
        rows.reject(muni.missing, "missing municipality", muni.cell)
        rows.reject(start.missing, "missing start date", start.cell)
        rows.reject(start.invalid, "unreadable start date", start.cell)
        if "end_date" in roles:
            end = _date(cols, roles, "end_date", tmap, ctx, detected)
        else:
            end = parse_dates(pa.nulls(n, pa.string()))
        if end.far_future is not None and end.far_future.any():   # 31-12-9999: no end
            rows.repaired(end.far_future, "open_end_date", end.cell)
            end.invalid = end.invalid & ~end.far_future
            end.missing = end.missing | end.far_future
        rows.reject(end.invalid, "unreadable end date", end.cell)
        start_v, end_v = start.values, end.values.copy()
        rows.reject(~np.isnat(end_v) & ~np.isnat(start_v) & (end_v < start_v),
                    "end date before start date", end.cell)
        rows.reject(start_v > check, "start date after the extract date", start.cell)
        for parsed in (start, end):
            for kind, mask in parsed.repairs.items():
                rows.repaired(mask, kind, parsed.cell)
        censored = ~np.isnat(end_v) & (end_v > check)
        rows.repaired(censored, "end_after_extract_censored", end.cell)
        end_v[censored] = np.datetime64("NaT")
        ended = ~np.isnat(end_v)
        cats = list(END_REASONS)
        if "end_reason" in roles:
            reason_text = cols.take(roles["end_reason"])
            reason = parse_code(reason_text, tmap.codes.get("end_reason", {}),
                                unknown="unknown", row_values=False)
            reason_codes = reason.categorical(END_REASONS).codes.astype(np.int8)
            codes["end_reason"] = reason
        else:
            reason_codes = np.full(n, -1, dtype=np.int8)
        empty_reason = ended & (reason_codes < 0)
        reason_codes = np.where(ended, np.where(empty_reason, cats.index("unknown"), reason_codes), -1)
        reason_v = pd.Categorical.from_codes(reason_codes.astype(np.int8), categories=cats)
        if "end_reason" in roles:
            open_end = end.far_future if end.far_future is not None else np.zeros(n, bool)
            rows.repaired(~ended & ~censored & ~open_end & ~reason.missing,
                          "reason_without_end_dropped", (roles["end_reason"], reason_text))
        out.update(municipality=text_categorical(muni), start_date=start_v, end_date=end_v,
                   end_reason=reason_v)
        if "caseworker" in roles:
            cw = parse_text_codes(cols.take(roles["caseworker"]), redact=True)
            rows.repaired(cw.repairs["number_in_text_redacted"], "number_in_text_redacted",
                          (roles["caseworker"], cw.values))
            out["caseworker"] = text_categorical(cw)
            missing["caseworker"] = cw.missing
        else:
            out["caseworker"] = pd.Categorical([None] * n)
            missing["caseworker"] = np.ones(n, bool)
        if "monthly_amount" in roles:
            arr = cols.take(roles["monthly_amount"])
            dec = _decimal(arr, raw, ctx)
            detected["decimal"] = dec
            amount = parse_amount(arr, decimal=dec)
            out["monthly_amount"] = np.where(amount.invalid, np.nan, amount.values)
            rows.repaired(amount.invalid, "unreadable_value_blanked", (roles["monthly_amount"], arr))
            missing["monthly_amount"] = amount.missing | amount.invalid
            implausible = _implausible_amounts(out["monthly_amount"], raw.lines)
            if implausible:
                detected["implausible"] = implausible
        if "household_type" in roles:
            hh = parse_code(cols.take(roles["household_type"]),
                            tmap.codes.get("household_type", {}), unknown=None, row_values=False)
            out["household_type"] = hh.categorical(HOUSEHOLD_TYPES)
            codes["household_type"] = hh
            missing["household_type"] = np.asarray(out["household_type"].codes < 0)
        year_max = int(str(check)[:4])
        if "birth_date" in roles:
            born = _date(cols, roles, "birth_date", tmap, ctx, detected)
            years = year_numbers(born.values).astype(float) + 1970
            years[np.isnat(born.values)] = np.nan
            bad = born.invalid | (years > year_max)
            for kind, mask in born.repairs.items():
                rows.repaired(mask & ~bad, kind, born.cell)
        elif "birth_year" in roles:
            born_text = cols.take(roles["birth_year"])
            born = parse_integer(born_text, low=1880, high=year_max)
            born.cell = (roles["birth_year"], born_text)
            years, bad = born.values, born.invalid
        if "birth_date" in roles or "birth_year" in roles:
            years = np.where(bad, np.nan, years)
            rows.repaired(bad, "unreadable_value_blanked", born.cell)
            out["birth_year"] = integer_array(years, "Int16")
            missing["birth_year"] = np.isnan(years)
            age = year_numbers(start_v) + 1970 - years
            detected.setdefault("implausible", {}).update(_implausible(
                raw.lines, {f"client aged under {AGE_PLAUSIBLE_MIN} at the start of the benefit":
                            age < AGE_PLAUSIBLE_MIN,
                            f"client aged over {AGE_PLAUSIBLE_MAX} at the start of the benefit":
                            age > AGE_PLAUSIBLE_MAX}))
        if raw.text_format is not None and "municipality" in roles:
            sep = raw.text_format.separator
            inside = pc.fill_null(pc.match_substring(muni.uniques, sep), False)
            inside = np.append(inside.to_numpy(zero_copy_only=False), False)[muni.codes]
            detected.setdefault("implausible", {}).update(_implausible(
                raw.lines, {f"municipality name holding the separator `{sep}` (a quoted value)":
                            inside}))
        earliest = np.datetime64(EARLIEST_PLAUSIBLE_START)
        detected.setdefault("implausible", {}).update(_implausible(
            raw.lines, {f"start date before {EARLIEST_PLAUSIBLE_START[:4]}": start_v < earliest}))
        if not detected["implausible"]:
            del detected["implausible"]
        if "sex" in roles:
            sex = parse_code(cols.take(roles["sex"]), tmap.codes.get("sex", {}), unknown="unknown",
                             row_values=False)
            out["sex"] = sex.categorical(SEXES)
            codes["sex"] = sex
            missing["sex"] = sex.missing
        if "benefit_type" in roles or "benefit_type" in tmap.constants:
            out["benefit_type"] = _benefit_type(raw, cols, roles, tmap, n)
        if "ladder_rung" in roles:
            rung_text = cols.take(roles["ladder_rung"])
            rung = parse_integer(rung_text, low=1, high=6)
            rung_cell = (roles["ladder_rung"], rung_text)
            rows.repaired(rung.invalid, "unreadable_value_blanked", rung_cell)
            out["ladder_rung"] = integer_array(rung.values, "Int8")
            missing["ladder_rung"] = np.isnan(rung.values)
    elif table == "domains":          # the six FIP life domains: rules in fipeval.io.domains
        from .domains import domain_columns
        date = _dated_rows(cols, roles, tmap, ctx, detected, rows)
        out.update(domain_columns(raw, cols, roles, tmap, rows, date, codes, missing))
    elif table == "assignments":       # caseworker history (issue 21): fipeval.io.assignments
        from .assignments import normalise_assignments
        normalise_assignments(raw, cols, roles, ctx, rows, out,
                              date=lambda role: _date(cols, roles, role, tmap, ctx, detected),
                              constants=tmap.constants)
    else:
        date = _dated_rows(cols, roles, tmap, ctx, detected, rows)
        kind_text = cols.take(roles["kind"])
        kind = parse_code(kind_text, tmap.codes.get("kind", {}), unknown=None, row_values=False)
        rows.reject(kind.missing, "missing kind", (roles["kind"], kind_text))
        rows.reject(kind.unknown_rows, "unknown kind", (roles["kind"], kind_text))
        codes["kind"] = kind
        out.update(date=date.values,
                   kind=kind.categorical(CONTACT_KINDS if table == "contacts" else EVENT_KINDS))
        if table == "contacts" and "minutes" in roles:
            arr = cols.take(roles["minutes"])
            detected["decimal"] = _decimal(arr, raw, ctx)
            minutes = parse_amount(arr, decimal=detected["decimal"])
            bad = minutes.invalid | (np.nan_to_num(minutes.values) < 0)
            out["minutes"] = np.where(bad, np.nan, minutes.values)
            rows.repaired(bad, "unreadable_value_blanked", (roles["minutes"], arr))
            missing["minutes"] = minutes.missing | bad
        if table == "events" and "detail" in roles:
            detail = parse_text_codes(cols.take(roles["detail"]), redact=True)
            rows.repaired(detail.repairs["number_in_text_redacted"], "number_in_text_redacted",
                          (roles["detail"], detail.values))
            out["detail"] = pd.array(detail.values.cast(pa.string()), dtype="string")
    keep = rows.reason == 0
    everything = bool(keep.all())
    columns = {k: v if everything else v[keep] for k, v in out.items()}
    columns.update(_file=np.full(int(keep.sum()), file_index, dtype=np.int32),
                   _line=raw.lines if everything else raw.lines[keep],
                   _repair=rows.repair if everything else rows.repair[keep])
    lines = np.concatenate([np.array([b[0] for b in raw.bad_lines], dtype=np.int64),
                            raw.lines[~keep]])
    reasons = [b[1] for b in raw.bad_lines] + [REASONS[c] for c in rows.reason[~keep]]
    details = [b[2] for b in raw.bad_lines] + [None] * int((~keep).sum())
    cells = [None] * len(raw.bad_lines) + [rows.reject_cell.get(r)
                                           for r in np.flatnonzero(~keep).tolist()]
    listed = [{"line": int(raw.lines[row]), "kind": kind, "column": column, "value": value}
              for row, kind, column, value in rows.listed if keep[row]]
    unknown = {}
    for role, parsed in codes.items():
        counts = parsed.unknown_counts(keep if role != "kind" else
                                       keep | (rows.reason == _CODE["unknown kind"]))
        if role == "end_reason":
            filled = int((empty_reason & keep).sum())
            if filled:
                counts["(empty)"] = filled
        unknown[role] = counts
    return Part(table=table, frames=[columns], rejected_lines=lines, rejected_reasons=reasons,
                rejected_details=details, rejected_cells=cells, repairs_listed=listed,
                bsn_pending=ids is None,
                unknown_codes=unknown,
                missing_values={k: int(np.asarray(v)[keep].sum()) for k, v in missing.items()},
                detected=detected, notes=notes)


BATCH_ROWS = 1 << 18
# columns of codes and names (a few distinct values in a quarter million rows): a streamed
# file's parser dictionary-encodes them, and the rules read the distinct values
DICTIONARY_ROLES = ("municipality", "caseworker", "end_reason", "household_type", "sex",
                    "ladder_rung", "benefit_type", "kind", "detail", "domain")


# --- benefit types (issue 21) -------------------------------------------------------------
def _benefit_type(raw: RawTable, cols, roles: dict, tmap: TableMapping, n: int) -> pd.Categorical:
    """The spells' benefit type: the column's codes, empty cells filled with the preset's
    constant. A code the mapping does not know stops the load: mixing an unknown benefit
    into a study would change what every number means."""
    constant = tmap.constants.get("benefit_type")
    if constant is not None and constant not in BENEFIT_TYPES:
        raise LoadError(f"The mapping sets benefit_type = {constant!r}; use one of "
                        f"{', '.join(BENEFIT_TYPES)}.", file=raw.file)
    if "benefit_type" not in roles:
        return pd.Categorical([constant] * n, categories=BENEFIT_TYPES)
    text = cols.take(roles["benefit_type"])
    parsed = parse_code(text, tmap.codes.get("benefit_type", {}), unknown=None)
    if parsed.unknown_rows.any():
        row = int(np.flatnonzero(parsed.unknown_rows)[0])
        value = redact(str(parsed.uniques[parsed.codes[row]]).strip())
        raise LoadError(
            f"Unknown benefit type {value!r} in {int(parsed.unknown_rows.sum())} row(s) (first "
            f"shown); fipeval knows {', '.join(BENEFIT_TYPES)}. Map the code in a mapping file "
            f"([spells.codes.benefit_type] \"{value}\" = \"ww\") or load that benefit's rows "
            "separately.", file=raw.file, line=int(raw.lines[row]), column=roles["benefit_type"])
    values = parsed.values.copy()
    if constant is not None:
        values[parsed.missing] = constant
    return pd.Categorical(values, categories=BENEFIT_TYPES)
# --- end benefit types --------------------------------------------------------------------


def _slices(raw: RawTable, n: int):
    """``raw`` in RawTables of ``BATCH_ROWS`` rows (the first keeps the lines rejected on
    reading). The slices share the table's memory; ``raw`` lets go of it, so it is freed
    with the last slice."""
    table, raw.table = raw.table, raw.table.slice(0, 0)
    for start in range(0, n, BATCH_ROWS):
        yield replace(raw, table=table.slice(start, BATCH_ROWS), lines=raw.lines[start:start + BATCH_ROWS],
                      bad_lines=raw.bad_lines if start == 0 else [])


# A monthly bijstand benefit lies between a few euros (a top-up) and a few thousand; outside
# [0, AMOUNT_PLAUSIBLE_MAX] a value is kept but reported (a shifted decimal mark, a yearly sum).
AMOUNT_PLAUSIBLE_MAX = 10_000.0


def _implausible(lines: np.ndarray, checks: dict) -> dict:
    """{check: [rows, first line]} for the checks (boolean masks) that hit a row."""
    out = {}
    for check, mask in checks.items():
        mask = np.asarray(mask, bool)
        if mask.any():
            out[check] = [int(mask.sum()), int(lines[np.argmax(mask)]) if len(lines) else None]
    return out


def _implausible_amounts(amount: np.ndarray, lines: np.ndarray) -> dict:
    """{check: [rows, first line]} for negative and implausibly large monthly amounts."""
    with np.errstate(invalid="ignore"):
        return _implausible(lines, {
            "negative monthly amount": amount < 0,
            f"monthly amount above EUR {AMOUNT_PLAUSIBLE_MAX:,.0f}": amount > AMOUNT_PLAUSIBLE_MAX})


def near_miss_headers(file: str, unmapped: list, roles: dict, tmap: TableMapping) -> list[str]:
    """A column left unread whose header is nearly a known one (a typo, or letters changed by
    a wrong encoding: ``reden beÃ«indiging``): say so, since its role is now empty."""
    from difflib import SequenceMatcher

    from .mapping import normalise_key
    out = []
    for header in unmapped:
        key = normalise_key(header)
        best = max(((SequenceMatcher(None, key, normalise_key(alt)).ratio(), role, alt)
                    for role, alts in tmap.columns.items() if role not in roles
                    for alt in alts), default=None)
        if best is not None and best[0] >= 0.8:
            out.append(f"the column `{header}` looks like `{best[2]}` ({best[1]}) but "
                       f"is not that header, so it was not read and {best[1]} is empty; correct "
                       "the header or map it in a mapping file")
    return out


def implausible_notes(file: str, found: dict) -> list[str]:
    """The load report's words for the plausibility checks (values are kept, not changed)."""
    def advice(check: str) -> str:
        if "amount" in check:
            return "check the column and the decimal mark"
        if "separator" in check:
            return ("it makes a municipality of its own in every table; check that the quotes "
                    "are meant")
        return "check the date columns and their format (day and month swapped, two-digit years)"
    return [f"{file}: {rows:,} row(s) with a {check} (first at line {line}), kept as read: "
            f"{advice(check)}" for check, (rows, line) in found.items()]


def normalise_file(raw: RawTable, table: str, roles: dict, tmap: TableMapping, ctx: Context,
                   file_index: int) -> Part:
    """``normalise`` in batches of ``BATCH_ROWS`` rows, each batch's raw columns freed once
    parsed. Formats detected in the first batch (dates, decimal mark, whether the client
    column holds BSNs) hold for the whole file, so every row is read the same way."""
    if raw.batches is not None:
        batches = raw.batches(dictionary={roles[r] for r in DICTIONARY_ROLES if r in roles})
    else:
        n = raw.table.num_rows
        if n <= BATCH_ROWS:
            return normalise(raw, table, roles, tmap, ctx, file_index)
        batches = _slices(raw, n)
    parts: list[Part] = []
    for i, batch in enumerate(batches):
        parts.append(normalise(batch, table, roles, tmap, ctx, file_index))
        del batch
        # the batch's temporaries are freed but not handed back: the next batch (and the
        # next file) reuses their pages (handing them back per batch made the kernel zero
        # 0.6 GB of fresh pages again, a fifth of the national load's CPU time); the loader
        # releases memory between its phases (``loading.load``)
        if i == 0:
            first = parts[0].detected
            tmap = replace(tmap, date_formats={**tmap.date_formats, **{
                k.split(".", 1)[1]: v for k, v in first.items() if k.startswith("date_format.") and v}})
            ctx = replace(ctx, decimal=ctx.decimal or first.get("decimal"),
                          client_is_bsn=first["client_is_bsn"])
    head = parts[0]
    unknown: dict = {}
    missing: dict = {}
    implausible: dict = {}
    for p in parts:
        for check, (rows, line) in p.detected.get("implausible", {}).items():
            seen = implausible.setdefault(check, [0, line])
            seen[0] += rows
    if implausible:
        head.detected["implausible"] = implausible
    if raw.batches is not None:      # streamed: a blank or continuation line sends a file
        records = sum(len(p.rejected_lines) + sum(len(f["_line"]) for f in p.frames)
                      for p in parts)                    # to the exact path, so none here
        head.detected["lines"] = {"physical": 1 + records, "header": 1, "records": records,
                                  "blank": 0, "continuation": 0, "multiline": []}
    for p in parts:
        for role, counts in p.unknown_codes.items():
            unknown.setdefault(role, Counter()).update(counts)
        for col, count in p.missing_values.items():
            missing[col] = missing.get(col, 0) + count
    return Part(table=table, frames=[f for p in parts for f in p.frames],
                rejected_lines=np.concatenate([p.rejected_lines for p in parts]),
                rejected_reasons=[r for p in parts for r in p.rejected_reasons],
                rejected_details=[d for p in parts for d in p.rejected_details],
                rejected_cells=[c for p in parts for c in p.rejected_cells],
                repairs_listed=[r for p in parts for r in p.repairs_listed],
                unknown_codes=unknown, missing_values=missing, detected=head.detected,
                notes=head.notes, bsn_pending=head.bsn_pending)


def pseudonymise_parts(parts: list[Part], key: KeyHolder, scratch: list | None = None) -> None:
    """Replace the BSN numbers of every pending part's frames by their pseudonyms' text,
    hashing each distinct BSN of the whole load once. ``_client_key`` becomes the client's
    number among the load's distinct pseudonyms (0, 1, ...: equal exactly when the
    pseudonyms are), the loader's sort and join key. ``scratch``: the load's hash table
    (``factorize_integers``)."""
    frames = [f for p in parts if p.bsn_pending for f in p.frames]
    if not frames:
        return
    sizes = [len(f["client_id"]) for f in frames]
    codes, bsns = factorize_integers(np.concatenate([f["client_id"] for f in frames]), scratch)
    # (rows are kept only with a valid BSN, so the key was checked when there are any)
    hashed = pseudonym_numbers(bsns, key.get()) if len(bsns) else np.empty(0, np.int64)
    numbers, clients = hashed[codes], factorize_integers(hashed, scratch)[0][codes]
    del codes
    start = 0
    for f, n in zip(frames, sizes):
        keys, client = numbers[start:start + n], clients[start:start + n]
        start += n
        columns = dict(f)
        f.clear()
        for name, values in columns.items():
            if name == "client_id":
                f["client_id"] = pd.arrays.ArrowStringArray(pseudonym_text(keys))
                f["_client_key"] = client
            else:
                f[name] = values
    for p in parts:
        p.bsn_pending = False


def today() -> np.datetime64:
    return np.datetime64(_dt.date.today(), "ns")

