"""``fipeval.io.loading``: benefit-register exports in, one ``Register`` out, every row accounted for.

Which table a file holds (spells, contacts or events) is read from its headers (see
``fipeval.io.mapping``); several files combine into one register: one file per
municipality, separate spells/contacts/events exports, or both. A folder loads every
export in it (``.csv``, ``.txt``, ``.xlsx``, ``.parquet``, ``.sav``, ``.dta``) whose
table can be recognised; others are listed in the report's notes.

Row rules within a file are in ``fipeval.io.normalise``. Rules across rows, applied after
all files are combined (so duplicates across files are found too):

* **duplicate spells**: spells of one client in one municipality with the same start and
  end date: the first (by file order, then line) is kept, the others are rejected as
  ``duplicate spell`` (detail: which line they duplicate);
* **overlapping spells**: a spell of the same client and municipality that starts on or
  before the (latest) end of an earlier spell is merged into it: the merged spell runs from
  the earliest start to the latest end (running if any part is running), takes the end
  reason of the part that ends last and the other attributes of the earliest part (repair
  ``merged_overlapping_spells``); the absorbed rows are rejected as
  ``overlapping spell merged`` (detail: into which line). Spells that touch without overlap
  (the next starts the day after the previous ends) are kept apart: the study design
  decides how re-entries count;
* **duplicate contacts/events**: identical rows (client, date, kind and the rest): the first
  is kept, the others rejected as ``duplicate row``.

Contacts and events of clients without a spell are kept (and counted in the notes).

Memory: large text files are parsed in chunks; each batch's rows are kept as 1-D columns,
combined per table a column at a time (each source freed once copied), resolved the same
way and handed to the Register without a defensive copy. Clients are matched on their
numbers among the load's distinct pseudonyms, not their text. The peak of live allocations stays near 3x the final
tables (``benchmarks/bench_io.py``).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from ..errors import LoadError
from ..progress import steps
from ..schema import OPTIONAL_TABLES, TABLES, Register, empty_table, is_member
from .accounting import REPAIR_BIT, REPAIR_KINDS, FileReport, LoadReport
from .bsn import redact
from .detect import KINDS, TEXT_EXTENSIONS
from .fields import as_text, compiled_text, factorize_integers, normalise_key, parse_code
from .mapping import (BENEFIT_PRESETS, CLIENT_ROLES, REQUIRED_ROLES, ROLES, Mapping, match_columns,
                      resolve)
from .memory import release
from .normalise import (Context, KeyHolder, Part, implausible_notes, normalise_file,
                        pseudonymise_parts)
from .readers import RawTable, StreamFallback, read_file

LOADABLE = TEXT_EXTENSIONS + tuple(KINDS)


def export_files(paths) -> list[tuple[Path, bool]]:
    """(file, found in a folder) for every file ``load`` would read from ``paths``.

    Raises LoadError for a path that does not exist or a folder without exports, before
    anything is read."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in LOADABLE)
            if not found:
                raise LoadError("The folder holds no exports (.csv, .txt, .xlsx, .parquet, .sav, "
                                ".dta).", file=str(p))
            files += [(f, True) for f in found]
        elif not p.exists():
            raise LoadError("The file does not exist; check the path.", file=str(p))
        else:
            files.append((p, False))
    if not files:
        raise LoadError("No files given; pass a path, a list of paths or a folder.")
    return files


def _kind_share(raw: RawTable, header: str, codes: dict) -> float:
    sample = as_text(raw.table.column(header).slice(0, 2000).combine_chunks())
    parsed = parse_code(sample, codes, unknown=None)
    filled = ~parsed.missing
    return float((~pd.isna(parsed.values) & filled).sum() / max(filled.sum(), 1))


def _holds_table(roles: dict, table: str) -> bool:
    """A client column and the table's required columns are among the matched roles."""
    return any(r in roles for r in CLIENT_ROLES) and all(r in roles for r in REQUIRED_ROLES[table])


def detect_table(raw: RawTable, mapping: Mapping) -> tuple[str | None, dict]:
    """The table a file holds and which header fills which role (None if no table fits)."""
    declared = mapping.file.get("table")
    candidates = [declared] if declared else list(ROLES)
    best, best_score, best_roles = None, None, {}
    for table in candidates:
        tmap = mapping.table(table)
        roles = match_columns(raw.headers, tmap, table_name=table)
        if not _holds_table(roles, table):
            continue
        share = _kind_share(raw, roles["kind"], tmap.codes.get("kind", {})) if "kind" in roles else 1.0
        score = (len(tmap.explicit & set(roles)), share > 0.5, len(roles), share)
        if best_score is None or score > best_score:
            best, best_score, best_roles = table, score, roles
    return best, best_roles


# --- benefit types (issue 21) -------------------------------------------------------------
def choose_preset(raw: RawTable, candidates: list[tuple[str, Mapping]]) -> tuple:
    """(preset, mapping, table, roles) of the candidate mapping that fits the file best.

    The first candidate (the municipal presets, or the preset the user named) is always
    tried; a benefit preset only for a file with one of its own headers (its ``detect``
    list: ``datum aanvang ww``, ``reden beeindiging claim``, ...), so a bijstand export with
    a column named like a WW or AOV one stays bijstand. Of those, the one whose table holds
    the most of the file's columns wins; a tie goes to the earlier candidate."""
    keys = {normalise_key(h) for h in raw.headers}
    best = (candidates[0][0], candidates[0][1], None, {})
    for k, (name, mapping) in enumerate(candidates):
        if k and not keys & mapping.detect:
            continue
        table, roles = detect_table(raw, mapping)
        if table is not None and (best[2] is None or len(roles) > len(best[3])):
            best = (name, mapping, table, roles)
    return best
# --- end benefit types --------------------------------------------------------------------


def _unfit_message(raw: RawTable, *, command_line: bool = False) -> str:
    sheets = ""
    if raw.sheets:
        sheets = (f" The workbook's sheets: {', '.join(map(redact, raw.sheets))} (read: "
                  f"{redact(raw.sheet)}); if the table is on another one, name it with "
                  + ("--sheet NAME." if command_line else "sheet=\"NAME\"."))
    return ("Cannot tell which table this file holds: spells need a client column (bsn, "
            "klantnummer or client_id) and a start date (ingangsdatum); contacts and events a "
            "client, a date (datum) and a kind (soort contact / soort); life-domain "
            "assessments a client, a date and a domain (leefgebied). Headers found: "
            f"{', '.join(redact(h) for h in raw.headers[:30])}.{sheets} Write a mapping file "
            "(`python -m fipeval inspect PATH --write-mapping mapping.toml`) and pass it as "
            + ("--mapping mapping.toml" if command_line else "mapping=..."))


def table_fits(mapping: Mapping):
    """``headers -> bool``: whether some table's client and required columns are among
    them (how a workbook's data sheet is told from a cover page)."""
    def fits(headers: list) -> bool:
        clean = [str(h).strip() for h in headers if h]
        return any(_holds_table(match_columns(clean, mapping.table(table), table_name=table),
                                table)
                   for table in ([mapping.file["table"]] if mapping.file.get("table")
                                 else list(ROLES)))
    return fits


def _duplicated_headers(detected: dict) -> list[str]:
    """A header that occurs twice: the reader calls the copy ``name.1``; say which one was
    read, since the export may have meant the other."""
    columns, unmapped = detected.get("columns", {}), detected.get("unmapped", [])
    used = {header: role for role, header in columns.items()}
    out = []
    for header in unmapped:
        match = re.fullmatch(r"(.+)\.(\d+)", header)
        if match and match.group(1) in used:
            out.append(f"{detected.get('file')}: the header `{match.group(1)}` occurs more than "
                       f"once; the first copy is read as {used[match.group(1)]}, `{header}` is "
                       "not read: check which one the export meant")
    return out


def _refuse_empty_spells(report: LoadReport) -> None:
    """No benefit spell kept: say why instead of returning an empty register (the analyses
    would fail later with a message about something else)."""
    spells = [f for f in report["files"].values() if f.get("table") == "spells"]
    if not spells or sum(f["rows_kept"] for f in spells) > 0:
        return
    read = sum(f["rows_read"] for f in spells)
    names = ", ".join(str(f["file"]) for f in spells)
    if read == 0:
        raise LoadError("Nothing to load: the spells export has a header but no data lines; "
                        "check that the export holds the benefits.", file=names)
    first = next((r for r in report["rejected"] if any(r["file"] == f["file"] for f in spells)),
                 None)
    why = "" if first is None else (f" The first, line {first['line']} of {first['file']}, "
                                    f"because: {first['reason']}"
                                    + (f" ({redact(first['detail'])})" if first.get("detail") else "")
                                    + ".")
    raise LoadError(f"Every one of the {read:,} data lines of the spells export was rejected."
                    f"{why} A wrong separator or decimal mark is the usual cause: check them "
                    "with `python -m fipeval inspect` and set them in a mapping file "
                    "([file] separator / decimal).", file=names)


def _check_explicit(raw: RawTable, table: str, roles: dict, mapping: Mapping) -> None:
    tmap = mapping.table(table)
    for role in sorted(tmap.explicit):
        if role not in roles:
            names = " or ".join(f"`{h}`" for h in tmap.columns[role])
            raise LoadError(f"The mapping ({mapping.source}) names {names} for {table}.{role}, but "
                            f"the file has no such column; columns: {', '.join(map(redact, raw.headers))}. "
                            "Fix the header name in the mapping file.", file=raw.file,
                            column=tmap.columns[role][0])


def _group_first(new_group: np.ndarray) -> np.ndarray:
    """For rows sorted into groups (``new_group`` marks each group's first row), the position
    of each row's group start."""
    pos = np.where(new_group, np.arange(len(new_group)), 0)
    return np.maximum.accumulate(pos) if len(pos) else pos


# Tables inside the loader are dicts of 1-D columns (NumPy arrays or pandas extension
# arrays), not DataFrames: combining and resolving them can then free each source column
# as soon as it is copied, so the peak stays near one table plus one column.

def _n_rows(columns: dict) -> int:
    return len(columns["_file"])


def _take(values, positions: np.ndarray):
    return values[positions] if isinstance(values, np.ndarray) else values.take(positions)


def _missing(n: int, like):
    """``n`` missing values of the type of ``like`` (for a column one file lacks)."""
    if isinstance(like, np.ndarray):
        fill = {"f": np.nan, "M": np.datetime64("NaT"), "O": None}[like.dtype.kind]
        return np.full(n, fill, dtype=like.dtype)
    return type(like)._from_sequence([None] * n, dtype=like.dtype)


def _combine(frames: list[dict]) -> dict:
    """One table from the batches of every file, in order; ``frames`` is emptied as it goes.

    NumPy columns are filled into arrays allocated once; extension columns (Arrow strings,
    categoricals, nullable integers) are joined at the end (Arrow strings without a copy;
    categoricals with different categories by ``union_categoricals``)."""
    names = list(dict.fromkeys(c for f in frames for c in f))
    if "_client_key" in names and not all("_client_key" in f for f in frames):
        names.remove("_client_key")                       # some files had no BSNs: match on text
    sizes = [_n_rows(f) for f in frames]
    total = sum(sizes)
    likes = {c: next(f[c] for f in frames if c in f) for c in names}
    out = {c: np.empty(total, dtype=like.dtype) for c, like in likes.items()
           if isinstance(like, np.ndarray)}
    pieces: dict = {c: [] for c in names if c not in out}
    start = 0
    while frames:
        f, n = frames.pop(0), sizes.pop(0)
        for c in out:
            out[c][start:start + n] = f[c] if c in f else _missing(n, likes[c])
        for c in pieces:
            pieces[c].append(f[c] if c in f else _missing(n, likes[c]))
        start += n
        del f
    for c, parts in pieces.items():
        first = parts[0]
        if isinstance(first, pd.Categorical) and \
                any(not p.categories.equals(first.categories) for p in parts[1:]):
            out[c] = union_categoricals(parts, sort_categories=True)
        else:
            out[c] = type(first)._concat_same_type(parts) if len(parts) > 1 else first
        parts.clear()
    return {c: out[c] for c in names}


def _client_keys(columns: dict):
    """What identifies a client: its number among the load's distinct pseudonyms when every
    row has one (BSN exports: ``normalise.pseudonymise_parts``; integers are far cheaper to
    sort and match than text), else the ids as text."""
    keys = columns.get("_client_key")
    if isinstance(keys, np.ndarray) and keys.dtype == np.int64:
        return keys
    return columns["client_id"]


_RUNNING = np.int64(1 << 40)       # the end "date" of a running spell while sorting


def _person_order(client: np.ndarray, muni: np.ndarray, start: np.ndarray,
                  end: np.ndarray) -> np.ndarray:
    """``np.lexsort((end, start, muni, client))``: one stable pass when client numbers (0,
    1, ...), municipality, start and end (as offsets from their minimum) fit one 63-bit
    key, two when all but the client do, else four."""
    if len(client) == 0:
        return np.lexsort((end, start, muni, client))
    m = muni.astype(np.int64) + 1                       # -1 (none) first, as in lexsort
    s_ = start - start.min()
    running = end == _RUNNING                           # after every real end: one past the last
    e_ = np.where(running, end[~running].max() + 1 if not running.all() else 0, end)
    e_ -= e_.min()
    bits_m, bits_s, bits_e = (int(x.max()).bit_length() for x in (m, s_, e_))
    if bits_m + bits_s + bits_e > 63:
        return np.lexsort((end, start, muni, client))
    key = (m << (bits_s + bits_e)) | (s_ << bits_e) | e_
    bits = bits_m + bits_s + bits_e
    if client.min() >= 0 and int(client.max()).bit_length() + bits <= 63:
        key |= client.astype(np.int64) << bits
        return np.argsort(key, kind="stable")
    return np.lexsort((key, client))


def _resolve_spells(spells: dict, names: list[str], rejected: list[tuple]) -> dict:
    """Duplicate and overlapping spells (module docstring). Takes ownership of ``spells``."""
    if _n_rows(spells) == 0:
        return spells
    # Memory: the temporaries below are int64 arrays of one value per spell; each is freed
    # as soon as it is used, so the peak stays near a few columns' worth, not a table's.
    # (no hash table: a person is a client in a municipality, found by sorting on both)
    client = _client_keys(spells)
    if not isinstance(client, np.ndarray):
        client = pd.factorize(client)[0]                # ids as text: their codes
    # Only a client with two or more spells can have a duplicate or an overlap: sort those
    # (a sixth of a national register) instead of every spell. ``rows`` are their positions.
    rows = np.flatnonzero(np.bincount(client)[client] > 1)
    if len(rows) == 0:
        return spells
    client = client[rows]
    muni = spells["municipality"].codes[rows]
    start = spells["start_date"][rows].astype("datetime64[D]").view(np.int64)
    end = spells["end_date"][rows].astype("datetime64[D]").view(np.int64)
    end = np.where(end == np.iinfo(np.int64).min, _RUNNING, end)   # NaT: running
    order = _person_order(client, muni, start, end)  # stable: file order, then line, among ties
    c, m = client[order], muni[order]
    del client, muni
    p = np.cumsum(np.r_[True, (c[1:] != c[:-1]) | (m[1:] != m[:-1])])   # person number, sorted
    del c, m
    s_ = start[order]
    del start
    e = end[order]
    del end
    order = rows[order]                                 # from here on: positions in ``spells``
    del rows
    same_person = np.r_[False, p[1:] == p[:-1]]
    dup = same_person & np.r_[False, (s_[1:] == s_[:-1]) & (e[1:] == e[:-1])]
    file_no = spells["_file"][order]
    line_no = spells["_line"][order].astype(np.int32)    # line numbers fit; half the memory
    if dup.any():
        first = _group_first(~dup)
        for i in np.flatnonzero(dup):
            rejected.append((int(file_no[i]), int(line_no[i]), "duplicate spell",
                             f"of {names[file_no[first[i]]]} line {line_no[first[i]]}"))
    dropped = order[dup]
    if dup.any():            # one array at a time, each old one freed as its copy is made
        keep = ~dup
        order = order[keep]
        p = p[keep]
        s_ = s_[keep]
        e = e[keep]
        file_no = file_no[keep]
        line_no = line_no[keep]
    same_person = np.r_[False, p[1:] == p[:-1]]
    # running maximum of end dates within a person: persons are sorted, so offset each
    # person's block above all earlier blocks and take one running maximum
    offset = np.cumsum(~same_person) * np.int64(1 << 41)
    cummax = offset + e                               # (in place: no further temporaries)
    np.maximum.accumulate(cummax, out=cummax)
    cummax -= offset
    del offset
    overlap = same_person & np.r_[False, s_[1:] <= cummax[:-1]]
    del same_person, cummax, s_, p
    if not dup.any() and not overlap.any():
        return spells
    heads = tails = None
    if overlap.any():
        first = _group_first(~overlap)
        block_rows = np.flatnonzero(overlap | np.r_[overlap[1:], False])
        sub = pd.DataFrame({"first": first[block_rows], "end": e[block_rows], "pos": block_rows})
        last = sub.sort_values(["first", "end", "pos"]).groupby("first")["pos"].last()
        heads, tails = order[last.index.to_numpy()], order[last.to_numpy()]
        for i in np.flatnonzero(overlap):
            rejected.append((int(file_no[i]), int(line_no[i]), "overlapping spell merged",
                             f"into {names[file_no[first[i]]]} line {line_no[first[i]]}"))
        del first, block_rows, sub, last
    gone = np.zeros(_n_rows(spells), bool)
    gone[dropped] = True
    gone[order[overlap]] = True
    kept = np.flatnonzero(~gone)                      # rows that stay, in their original order
    del order, e, file_no, line_no, overlap, gone, dropped
    if heads is not None:        # what the merged spells take from the parts they absorb
        merged = (spells["end_date"][tails], spells["end_reason"].take(tails),
                  spells["_repair"][heads] | REPAIR_BIT["merged_overlapping_spells"])
    # the one copy of the table, a column at a time, each source column freed once copied
    # (``_line`` is not needed after this)
    del spells["_line"]
    result = {c: _take(spells.pop(c), kept) for c in list(spells)}
    if heads is not None:
        at = np.searchsorted(kept, heads)             # the heads' rows in ``result``
        result["end_date"][at], result["end_reason"][at], result["_repair"][at] = merged
    return result


_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on a uint64 array (wrapping arithmetic)."""
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    return z


def _value_numbers(values) -> np.ndarray:
    """One uint64 per row, equal for rows whose values ``DataFrame.duplicated`` calls equal:
    the bits of numbers and dates (floats made canonical first: one NaN, no negative zero),
    the codes of categoricals, the factorized codes of text."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iumMb":
        return values.astype(np.int64, copy=False).view(np.uint64) if values.dtype.kind != "b" \
            else values.astype(np.uint64)
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return np.where(np.isnan(values), np.nan, values + 0.0).astype(np.float64).view(np.uint64)
    if isinstance(values, pd.Categorical):
        return values.codes.astype(np.int64).view(np.uint64)
    return pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64).view(np.uint64)


def _row_hashes(keys: dict) -> np.ndarray:
    """A 64-bit hash per row of the ``keys`` columns, equal for equal rows (see
    ``_value_numbers``): each column's numbers salted and mixed into the row's hash
    (compiled where built, else vectorised NumPy; the same hashes), no Python object per row."""
    h = None
    for i, values in enumerate(keys.values()):
        salt = 0x9E3779B97F4A7C15 * (i + 1) % 2 ** 64
        numbers = np.ascontiguousarray(_value_numbers(values))
        if compiled_text is not None:
            if h is None:
                h = np.empty(len(numbers), np.uint64)
            compiled_text.mix_column(h, numbers, salt, i == 0)
            continue
        x = numbers + np.uint64(salt)
        h = _mix(x) if h is None else _mix(h ^ _mix(x))
    return h.view(np.int64)


def _resolve_rows(frame: dict, names: list[str], rejected: list[tuple],
                  scratch: list | None = None) -> dict:
    """Duplicate contacts/events (module docstring). Takes ownership of ``frame``.
    ``scratch``: the load's hash table (``factorize_integers``)."""
    if _n_rows(frame) == 0:
        return frame
    cols = [c for c in frame if not c.startswith("_")]
    if isinstance(_client_keys(frame), np.ndarray):   # the same client: compare 64-bit keys, not text
        cols = ["_client_key" if c == "client_id" else c for c in cols]
    # Equal rows have equal hashes: only rows sharing a 64-bit row hash can be duplicates,
    # so the exact comparison below runs on those few (none, in a clean export) instead of
    # factorizing every column of every row.
    hashes = factorize_integers(_row_hashes({c: frame[c] for c in cols}), scratch)[0]
    maybe = np.bincount(hashes)[hashes] > 1
    del hashes
    if not maybe.any():
        return frame
    keys = pd.DataFrame({c: frame[c] for c in cols}, copy=False)
    candidates = np.flatnonzero(maybe)
    keys = keys.take(candidates)
    dup_sub = keys.duplicated(keep="first").to_numpy()
    if not dup_sub.any():
        return frame
    group = keys.groupby(cols, sort=False, dropna=False, observed=True).ngroup().to_numpy()
    del keys
    first_sub = pd.Series(np.arange(len(group))).groupby(group).transform("min").to_numpy()
    n = _n_rows(frame)
    dup = np.zeros(n, bool)
    dup[candidates[dup_sub]] = True
    first = np.full(n, -1, dtype=np.int64)
    first[candidates] = candidates[first_sub]
    files, lines = frame["_file"], frame["_line"]
    for i in np.flatnonzero(dup):
        rejected.append((int(files[i]), int(lines[i]), "duplicate row",
                         f"of {names[files[first[i]]]} line {lines[first[i]]}"))
    kept = np.flatnonzero(~dup)
    return {c: _take(frame.pop(c), kept) for c in list(frame)}


def load(path_or_paths: str | os.PathLike | Iterable, mapping=None, key=None, extract_date=None, *,
         municipality: str | None = None, decimal: str | None = None,
         date_format: str | None = None, sheet: str | int | None = None,
         preset: str | None = None) -> Register:
    """Load benefit-register exports into a canonical ``Register``.

    Parameters
    ----------
    path_or_paths
        A file, a folder (every export in it) or a list of both. Spells, contacts and events
        files are recognised from their headers.
    mapping
        A mapping file (TOML path), dict or ``Mapping`` laid over the built-in presets
        (Dutch headers and canonical names); None uses the presets alone.
    key
        Pseudonymisation key for BSNs (str/bytes, or a ``pathlib.Path`` to a key file);
        default ``$FIPEVAL_BSN_KEY`` / ``$FIPEVAL_BSN_KEY_FILE``. Required when the data hold
        BSNs (``PrivacyError`` otherwise).
    extract_date
        The day of the extract: later dates are rejected or censored (see the row rules).
        Default: the mapping's ``[file] extract_date``, else today for the checks and the
        latest spell date for the register.
    municipality
        Municipality of spells files without a municipality column.
    decimal, date_format
        Override the detected decimal mark (``","``/``"."``) and date format.
    sheet
        The sheet of an Excel workbook to read (name, or number from 0); overrides the
        mapping's ``[file] sheet``. Default: the first sheet whose header row holds a table
        (so a cover page is skipped), else the first sheet. The load report names the sheet
        read.
    preset
        The built-in preset to read with (``fipeval.io.mapping.PRESETS``): ``"ww"`` for a
        UWV WW export, ``"aov"`` for an insurer's AOV export, ``"dutch"``/``"canonical"``
        for municipal exports. Default: per file, the preset whose headers fit it best
        (``choose_preset``); the load report names it per file (``detected["preset"]``).

    Returns
    -------
    Register
        With ``load_report`` (a ``LoadReport``): rows read, kept, repaired and rejected per
        file and in total; ``rows_read == rows_kept + rows_rejected``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "uitkeringen.csv").write_text(
    ...     "bsn;gemeente;klantmanager;ingangsdatum;einddatum;reden beëindiging\\n"
    ...     "111222333;Steenbergen;KM1;01-03-2013;;\\n"
    ...     "123456782;Steenbergen;KM2;15-06-2012;31-12-2015;Werk\\n", encoding="utf-8")
    >>> reg = load(folder / "uitkeringen.csv", key="a-secret-of-16-bytes-or-more")
    >>> reg.load_report["rows_read"], reg.load_report["rows_kept"]
    (2, 2)
    >>> reg.spells["end_reason"].tolist()
    [nan, 'work']
    """
    merged = resolve(mapping, preset)
    candidates = [(preset or "dutch", merged)] + ([] if preset is not None else
                                                   [(p, resolve(mapping, p)) for p in BENEFIT_PRESETS])
    opts = merged.file
    if extract_date is None and opts.get("extract_date") is not None:
        extract_date = opts["extract_date"]
    try:
        extract = None if extract_date is None else pd.Timestamp(extract_date).normalize()
    except (ValueError, TypeError) as err:
        raise LoadError(f"extract_date {extract_date!r} is not a date; use e.g. '2019-07-01'.") from err
    check = np.datetime64(extract if extract is not None else pd.Timestamp(_dt.date.today()), "ns")
    ctx = Context(key=KeyHolder(key), check_date=check, pivot_year=int(str(check)[:4]),
                  decimal=decimal or opts.get("decimal"), date_format=date_format or opts.get("date_format"),
                  municipality=municipality)
    notes: list[str] = []
    parts: list[Part] = []
    names: list[str] = []
    files = export_files(path_or_paths)
    with steps("exports read", len(files), unit="files") as done:
        for path, in_folder in files:
            raw = read_file(path, separator=opts.get("separator"), encoding=opts.get("encoding"),
                            sheet=sheet if sheet is not None else opts.get("sheet"), stream=True,
                            fits=table_fits(merged))
            if raw.sheets and raw.sheet != raw.sheets[0] and sheet is None and not opts.get("sheet"):
                skipped_sheets = raw.sheets[:raw.sheets.index(raw.sheet)]
                notes.append(f"{raw.file}: read the sheet `{raw.sheet}`; the sheet(s) before it "
                             f"({', '.join(skipped_sheets)}) hold no table")
            chosen, used, table, roles = choose_preset(raw, candidates)
            if table is None:
                for name in [merged.file.get("table")] + list(ROLES):
                    if name and merged.table(name).explicit and not in_folder:
                        _check_explicit(raw, name, match_columns(raw.headers, merged.table(name),
                                                                 table_name=name), merged)
                if not in_folder:
                    raise LoadError(_unfit_message(raw), file=raw.file).for_command_line(
                        _unfit_message(raw, command_line=True))
                notes.append(f"{raw.file}: skipped (no table recognised from its headers)")
                done()
                continue
            _check_explicit(raw, table, roles, used)
            names.append(raw.file)
            try:
                part = normalise_file(raw, table, roles, used.table(table), ctx, len(names) - 1)
            except StreamFallback:      # a ragged line mid-file: read it line by line instead
                del raw
                raw = read_file(path, separator=opts.get("separator"), encoding=opts.get("encoding"))
                part = normalise_file(raw, table, roles, used.table(table), ctx, len(names) - 1)
            if chosen in BENEFIT_PRESETS:      # a municipal export's report stays as it was
                part.detected["preset"] = chosen
            parts.append(part)
            del raw, part
            done()
    scratch: list = []                      # one hash table for the load's factorizations
    pseudonymise_parts(parts, ctx.key, scratch)   # every file is read: each distinct BSN hashed once
    del ctx
    rejected: list[tuple] = []
    tables = {}
    for table in ROLES:
        frames = [f for p in parts if p.table == table for f in p.frames]
        for p in parts:      # from here on ``frames`` holds the only reference to the rows
            if p.table == table:
                p.n_kept, p.frames = sum(_n_rows(f) for f in p.frames), []
        if not frames:
            tables[table] = None
            continue
        columns = _combine(frames)
        release()
        tables[table] = _resolve_spells(columns, names, rejected) if table == "spells" \
            else _resolve_rows(columns, names, rejected, scratch)
        del columns
        release()
    scratch.clear()
    if tables.get("assignments") is not None:     # caseworker history (issue 21)
        from .assignments import check_assignment_rows
        check_assignment_rows(tables["assignments"], names)
    reports = _reports(parts, names, tables, rejected)
    for p in parts:
        notes += [f"{p.detected.get('file')}: {n}" for n in p.notes]
        notes += implausible_notes(p.detected.get("file"), p.detected.get("implausible", {}))
        notes += _duplicated_headers(p.detected)
    spells = tables["spells"]
    for table in ("contacts", "events", "domains"):
        if tables[table] is not None and spells is not None and _n_rows(tables[table]):
            mine, theirs = _client_keys(tables[table]), _client_keys(spells)
            if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray):
                has_spell = np.zeros(max(mine.max(), theirs.max()) + 1, dtype=bool)
                has_spell[theirs] = True          # client numbers: 0, 1, ... (dense)
                known = has_spell[mine]
            else:
                known = is_member(tables[table]["client_id"], spells["client_id"])
            orphans = int((~known).sum())
            if orphans:
                notes.append(f"{orphans} {table} rows belong to clients without a spell (kept)")
    report = LoadReport(reports, extract_date=extract, notes=notes)
    _refuse_empty_spells(report)
    canonical = {}
    for t in list(tables):
        f = tables.pop(t)
        canonical[t] = (None if t in OPTIONAL_TABLES else empty_table(t)) if f is None \
            else _complete(t, f)
        del f
    return Register(spells=canonical.pop("spells"), contacts=canonical.pop("contacts"),
                    events=canonical.pop("events"), extract_date=extract, load_report=report,
                    domains=canonical.pop("domains", None),
                    assignments=canonical.pop("assignments", None), owned=True)


def _complete(table: str, frame: dict) -> pd.DataFrame:
    """The canonical columns the files had, handed over without a copy; ``Register``
    (``schema.conform``) adds the optional ones no file had, typed."""
    return pd.DataFrame({c.name: frame.pop(c.name) for c in TABLES[table] if c.name in frame},
                        copy=False)


def _reports(parts: list[Part], names: list[str], tables: dict, rejected: list[tuple]) -> list[FileReport]:
    reports = []
    by_file: dict[int, list] = {}
    for f, line, reason, detail in rejected:
        by_file.setdefault(f, []).append((line, reason, detail))
    for index, part in enumerate(parts):
        name = names[index]
        cells = part.rejected_cells or [None] * len(part.rejected_lines)
        entries = [(int(line), reason, detail, cell) for line, reason, detail, cell in
                   zip(part.rejected_lines, part.rejected_reasons, part.rejected_details, cells)]
        entries += [(line, reason, detail, None) for line, reason, detail in by_file.get(index, [])]
        entries.sort(key=lambda e: e[0])
        final = tables[part.table]
        bits = final["_repair"][final["_file"] == index]
        repaired = Counter({kind: int(((bits & REPAIR_BIT[kind]) != 0).sum()) for kind in REPAIR_KINDS})
        reports.append(FileReport(
            file=name, table=part.table, rows_read=part.n_kept + len(part.rejected_lines),
            rows_kept=len(bits), rows_repaired=int((bits != 0).sum()),
            repaired_by_kind=+repaired,
            rejected=[{"file": name, "line": line, "reason": reason,
                       **({"detail": detail} if detail else {}),
                       **({"column": cell[0], "value": cell[1]} if cell else {})}
                      for line, reason, detail, cell in entries],
            repaired=[{"file": name, **r} for r in sorted(part.repairs_listed,
                                                          key=lambda r: r["line"])],
            unknown_codes={k: v for k, v in part.unknown_codes.items() if v},
            missing_values=part.missing_values, detected=part.detected))
    return reports


__all__ = ["load", "detect_table"]
