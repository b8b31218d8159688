"""``fipeval.io.load``: benefit-register exports in, one ``Register`` out, every row accounted for.

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
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import Counter
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import LoadError
from ..schema import TABLES, Register, empty_table, is_member
from .accounting import REPAIR_BIT, REPAIR_KINDS, FileReport, LoadReport
from .bsn import redact
from .detect import KINDS, TEXT_EXTENSIONS
from .fields import as_text, parse_code
from .mapping import CLIENT_ROLES, REQUIRED_ROLES, ROLES, Mapping, match_columns, resolve
from .normalise import Context, KeyHolder, Part, normalise_file
from .readers import RawTable, StreamFallback, read_file

LOADABLE = TEXT_EXTENSIONS + tuple(KINDS)


def _expand(paths) -> list[tuple[Path, bool]]:
    """(file, found in a folder) for every file to load."""
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


def detect_table(raw: RawTable, mapping: Mapping) -> tuple[str | None, dict]:
    """The table a file holds and which header fills which role (None if no table fits)."""
    declared = mapping.file.get("table")
    candidates = [declared] if declared else list(ROLES)
    best, best_score, best_roles = None, None, {}
    for table in candidates:
        tmap = mapping.table(table)
        roles = match_columns(raw.headers, tmap, table_name=table)
        if not any(r in roles for r in CLIENT_ROLES) or \
                not all(r in roles for r in REQUIRED_ROLES[table]):
            continue
        share = _kind_share(raw, roles["kind"], tmap.codes.get("kind", {})) if "kind" in roles else 1.0
        score = (len(tmap.explicit & set(roles)), share > 0.5, len(roles), share)
        if best_score is None or score > best_score:
            best, best_score, best_roles = table, score, roles
    return best, best_roles


def _unfit_message(raw: RawTable) -> str:
    return ("Cannot tell which table this file holds: spells need a client column (bsn, "
            "klantnummer or client_id) and a start date (ingangsdatum); contacts and events a "
            "client, a date (datum) and a kind (soort contact / soort). Headers found: "
            f"{', '.join(redact(h) for h in raw.headers[:30])}. Write a mapping file "
            "(`python -m fipeval inspect PATH --write-mapping mapping.toml`) and pass it as "
            "mapping=...")


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


def _client_keys(frame: pd.DataFrame):
    """What identifies a client: the pseudonyms' 64-bit numbers when every row has one
    (BSN exports; hashing integers is far cheaper than text), else the ids as text."""
    keys = frame.get("_client_key")
    if keys is not None and keys.dtype == np.int64:
        return keys.to_numpy()
    return frame["client_id"]


def _resolve_spells(spells: pd.DataFrame, names: list[str], rejected: list[tuple]) -> pd.DataFrame:
    if spells.empty:
        return spells
    # Memory: the temporaries below are int64 arrays of one value per spell; each is freed
    # as soon as it is used, so the peak stays near a few columns' worth, not a table's.
    client = pd.factorize(_client_keys(spells))[0]
    muni = np.asarray(spells["municipality"].cat.codes, dtype=np.int64)
    person = client.astype(np.int64, copy=False) * (int(muni.max()) + 2) + muni
    del client, muni
    start = spells["start_date"].to_numpy().astype("datetime64[D]").view(np.int64)
    end = spells["end_date"].to_numpy().astype("datetime64[D]").view(np.int64)
    end = np.where(end == np.iinfo(np.int64).min, np.int64(1 << 40), end)   # NaT: running
    order = np.lexsort((end, start, person))        # stable: file order, then line, among ties
    p = person[order]
    del person
    s_ = start[order]
    del start
    e = end[order]
    del end
    same_person = np.r_[False, p[1:] == p[:-1]]
    dup = same_person & np.r_[False, (s_[1:] == s_[:-1]) & (e[1:] == e[:-1])]
    file_no = spells["_file"].to_numpy()[order]
    line_no = spells["_line"].to_numpy()[order]
    if dup.any():
        first = _group_first(~dup)
        for i in np.flatnonzero(dup):
            rejected.append((int(file_no[i]), int(line_no[i]), "duplicate spell",
                             f"of {names[file_no[first[i]]]} line {line_no[first[i]]}"))
    keep = ~dup
    order, p, s_, e, file_no, line_no = (a[keep] for a in (order, p, s_, e, file_no, line_no))
    same_person = np.r_[False, p[1:] == p[:-1]]
    # running maximum of end dates within a person: persons are sorted, so offset each
    # person's block above all earlier blocks and take one running maximum
    rank = np.cumsum(~same_person)
    cummax = np.maximum.accumulate(rank * np.int64(1 << 41) + e) - rank * np.int64(1 << 41)
    overlap = same_person & np.r_[False, s_[1:] <= cummax[:-1]]
    del same_person, rank, cummax, s_, p
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
    kept = np.sort(order[~overlap])                  # rows that stay, in their original order
    del order, e, file_no, line_no, overlap
    # the one copy of the table, column by column (``_line`` is not needed after this)
    result = pd.DataFrame({c: spells[c].array.take(kept) for c in spells.columns if c != "_line"},
                          copy=False)
    if heads is not None:
        at = np.searchsorted(kept, heads)             # the heads' rows in ``result``
        col = result.columns.get_loc
        result.iloc[at, col("end_date")] = spells["end_date"].to_numpy()[tails]
        result.iloc[at, col("end_reason")] = spells["end_reason"].array.take(tails)
        result.iloc[at, col("_repair")] = spells["_repair"].to_numpy()[heads] | \
            REPAIR_BIT["merged_overlapping_spells"]
    return result


def _resolve_rows(frame: pd.DataFrame, names: list[str], rejected: list[tuple]) -> pd.DataFrame:
    if frame.empty:
        return frame
    cols = [c for c in frame.columns if not c.startswith("_")]
    if isinstance(_client_keys(frame), np.ndarray):   # the same client: compare 64-bit keys, not text
        cols = ["_client_key" if c == "client_id" else c for c in cols]
    dup = frame.duplicated(subset=cols, keep="first").to_numpy()
    if not dup.any():
        return frame
    group = frame.groupby(cols, sort=False, dropna=False, observed=True).ngroup().to_numpy()
    first = pd.Series(np.arange(len(frame))).groupby(group).transform("min").to_numpy()
    for i in np.flatnonzero(dup):
        rejected.append((int(frame["_file"].iat[i]), int(frame["_line"].iat[i]), "duplicate row",
                         f"of {names[frame['_file'].iat[first[i]]]} line {frame['_line'].iat[first[i]]}"))
    return frame[~dup].reset_index(drop=True)


def load(path_or_paths: str | os.PathLike | Iterable, mapping=None, key=None, extract_date=None, *,
         municipality: str | None = None, decimal: str | None = None,
         date_format: str | None = None) -> Register:
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
    merged = resolve(mapping)
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
    for path, in_folder in _expand(path_or_paths):
        raw = read_file(path, separator=opts.get("separator"), encoding=opts.get("encoding"),
                        sheet=opts.get("sheet"), stream=True)
        table, roles = detect_table(raw, merged)
        if table is None:
            for name in [merged.file.get("table")] + list(ROLES):
                if name and merged.table(name).explicit and not in_folder:
                    _check_explicit(raw, name, match_columns(raw.headers, merged.table(name),
                                                             table_name=name), merged)
            if not in_folder:
                raise LoadError(_unfit_message(raw), file=raw.file)
            notes.append(f"{raw.file}: skipped (no table recognised from its headers)")
            continue
        _check_explicit(raw, table, roles, merged)
        names.append(raw.file)
        try:
            part = normalise_file(raw, table, roles, merged.table(table), ctx, len(names) - 1)
        except StreamFallback:      # a ragged line mid-file: read it line by line instead
            del raw
            raw = read_file(path, separator=opts.get("separator"), encoding=opts.get("encoding"))
            part = normalise_file(raw, table, roles, merged.table(table), ctx, len(names) - 1)
        parts.append(part)
        del raw, part
    del ctx                  # every file is read: the pseudonym cache can go before the copies below
    rejected: list[tuple] = []
    tables = {}
    for table in ROLES:
        frames = [p.frame for p in parts if p.table == table]
        if not frames:
            tables[table] = None
            continue
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        del frames
        for p in parts:      # the combined table holds the rows now: free the pieces
            if p.table == table:
                p.n_kept, p.frame = len(p.frame), p.frame.iloc[:0]
        for name in ("municipality", "caseworker"):
            if name in frame.columns and not isinstance(frame[name].dtype, pd.CategoricalDtype):
                frame[name] = frame[name].astype("category")
        tables[table] = _resolve_spells(frame, names, rejected) if table == "spells" \
            else _resolve_rows(frame, names, rejected)
        del frame
    reports = _reports(parts, names, tables, rejected)
    for p in parts:
        notes += [f"{p.detected.get('file')}: {n}" for n in p.notes]
    spells = tables["spells"]
    for table in ("contacts", "events"):
        if tables[table] is not None and spells is not None and len(tables[table]):
            mine, theirs = _client_keys(tables[table]), _client_keys(spells)
            if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray):
                known = pd.Series(mine).isin(theirs).to_numpy()
            else:
                known = is_member(tables[table]["client_id"], spells["client_id"])
            orphans = int((~known).sum())
            if orphans:
                notes.append(f"{orphans} {table} rows belong to clients without a spell (kept)")
    report = LoadReport(reports, extract_date=extract, notes=notes)
    canonical = {}
    for t in list(tables):
        f = tables.pop(t)
        canonical[t] = empty_table(t) if f is None else _complete(t, f)
        del f
    return Register(spells=canonical["spells"], contacts=canonical["contacts"],
                    events=canonical["events"], extract_date=extract, load_report=report)


def _complete(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns, absent optional ones added typed (without copying the rest)."""
    n = len(frame)
    columns = {}
    for col in TABLES[table]:
        if col.name in frame.columns:
            columns[col.name] = frame[col.name]
        elif col.dtype == "float64":
            columns[col.name] = np.full(n, np.nan)
        elif col.dtype == "category":
            columns[col.name] = pd.Categorical([None] * n, categories=col.categories)
        elif col.dtype.startswith("datetime"):
            columns[col.name] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        else:
            columns[col.name] = pd.array([pd.NA] * n, dtype=col.dtype)
    return pd.DataFrame(columns, copy=False)


def _reports(parts: list[Part], names: list[str], tables: dict, rejected: list[tuple]) -> list[FileReport]:
    reports = []
    by_file: dict[int, list] = {}
    for f, line, reason, detail in rejected:
        by_file.setdefault(f, []).append((line, reason, detail))
    for index, part in enumerate(parts):
        name = names[index]
        entries = [(int(line), reason, detail) for line, reason, detail in
                   zip(part.rejected_lines, part.rejected_reasons, part.rejected_details)]
        entries += by_file.get(index, [])
        entries.sort(key=lambda e: e[0])
        final = tables[part.table]
        bits = final["_repair"].to_numpy()[final["_file"].to_numpy() == index]
        repaired = Counter({kind: int(((bits & REPAIR_BIT[kind]) != 0).sum()) for kind in REPAIR_KINDS})
        reports.append(FileReport(
            file=name, table=part.table, rows_read=part.n_kept + len(part.rejected_lines),
            rows_kept=len(bits), rows_repaired=int((bits != 0).sum()),
            repaired_by_kind=+repaired,
            rejected=[{"file": name, "line": line, "reason": reason, **({"detail": detail} if detail else {})}
                      for line, reason, detail in entries],
            unknown_codes={k: v for k, v in part.unknown_codes.items() if v},
            missing_values=part.missing_values, detected=part.detected))
    return reports


__all__ = ["load", "detect_table"]
