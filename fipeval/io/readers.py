"""Readers: one file in, its raw columns out (``RawTable``), with the line of every row.

Text exports are split into lines first (NumPy over the bytes): the header is the first
non-blank line; blank lines are not rows; a line with a different number of fields than
the header is a row that is rejected (``wrong number of fields``) with its line number.
The remaining lines are parsed by pyarrow's CSV reader with every column as text. A file
with quote characters is split by Python's ``csv`` module instead (quoted fields may hold
separators and line breaks), which is slower but keeps line numbers exact. Large UTF-8
files are read by pyarrow without holding their bytes: for the loader chunk by chunk,
each cut at a line end, checked and parsed in one pass (``RawTable.batches``), so neither
the file's bytes nor all its parsed text are ever in memory at once; a chunk with quotes,
a NUL byte or a blank or ragged line sends the file to the exact path.

Excel rows are numbered as in Excel (the header is row 1 when it is the first row);
Parquet, SPSS and Stata rows are numbered from 1 after the header.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import LoadError
from .bsn import redact
from .detect import TextFormat, check_text, decode, detect_encoding, detect_separator, file_kind
from .fields import compiled_text

_SEPARATOR_NAMES = {"\\t": "\t", "tab": "\t", "TAB": "\t"}
STREAM_BYTES = 8 << 20       # text files larger than this are scanned in chunks of this size
HEAD_BYTES = 1 << 20        # what a scanned file's separator, headers and first rows are read from


@dataclass
class RawTable:
    """A file's columns as read (text for CSV; native types for the other formats)."""

    file: str
    kind: str
    table: pa.Table
    lines: np.ndarray                           # line (or row) number of each row
    bad_lines: list = field(default_factory=list)   # (line, reason, detail) rejected on reading
    text_format: TextFormat | None = None
    sheet: str | None = None
    sheets: tuple = ()                          # every sheet of an Excel workbook, in order
    # text files: every physical line is the header, a record's (first) line, a blank line
    # or a continuation line of a quoted value with a line break: {"physical", "header",
    # "records", "blank", "continuation", "multiline"} (``line_accounting``)
    line_accounting: dict | None = None
    padded: bool = True                         # values may carry surrounding whitespace
    # Streamed text files: ``table`` holds only the first lines (enough to detect the table
    # and formats) and ``lines`` is empty; ``batches(dictionary=headers)`` yields the whole
    # file, in order, as RawTables of consecutive lines (each with its own ``lines`` and
    # ``padded``), the ``dictionary`` columns dictionary-encoded as they are parsed.
    batches: Callable[..., Iterator["RawTable"]] | None = None

    @property
    def headers(self) -> list[str]:
        return list(self.table.column_names)


class StreamFallback(Exception):
    """A streamed file holds something only the exact path numbers right (quotes, a NUL
    byte, a blank or ragged line): read it again line by line. Internal; never reaches
    the user."""


def _clean_headers(names: list, path: str) -> list[str]:
    out, seen = [], {}
    for i, name in enumerate(names):
        text = "" if name is None else str(name).strip().lstrip("\ufeff").strip()
        text = text or f"column_{i + 1}"
        if text in seen:
            seen[text] += 1
            text = f"{text}.{seen[text]}"
        else:
            seen[text] = 0
        out.append(text)
    return out


def read_file(path: str | Path, *, separator: str | None = None, encoding: str | None = None,
              sheet: str | int | None = None, stream: bool = False,
              fits: Callable[[list], bool] | None = None) -> RawTable:
    """Read one export into a ``RawTable`` (see the module docstring for line numbering).

    ``stream=True`` lets a large, clean UTF-8 text file be read batch by batch later (see
    ``RawTable.batches``), so its raw text is never in memory whole. For a workbook without
    a ``sheet``, ``fits(headers)`` picks the first sheet whose header row holds a table (a
    cover page first is common); without one that fits, the first sheet is read."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise LoadError("The file does not exist; check the path.", file=name)
    if path.is_dir():
        raise LoadError("This is a folder, not a file; name the export files inside it.", file=name)
    kind = file_kind(path)
    try:
        if kind == "text":
            return _read_text(path, separator=separator, encoding=encoding, stream=stream)
        if kind == "excel":
            return _read_excel(path, sheet, fits)
        if kind == "parquet":
            return _read_parquet(path)
        return _read_stat(path, kind)
    except PermissionError as err:
        raise LoadError(f"The file cannot be read ({err.strerror}); check its permissions.",
                        file=name) from err
    except OSError as err:
        raise LoadError(f"The file cannot be read ({redact(err)}); check that it is a complete "
                        f"{kind} file.", file=name) from err


def _read_text(path: Path, *, separator: str | None, encoding: str | None, stream: bool = False) -> RawTable:
    name = str(path)
    if path.stat().st_size > STREAM_BYTES and (encoding or "utf-8").replace("-", "").lower() in (
            "utf8", "utf8sig"):
        raw = _read_text_streaming(path, separator, stream)
        if raw is not None:
            return raw
    data = path.read_bytes()
    check_text(data, name)
    encoding = encoding or detect_encoding(data, name)
    if encoding.replace("-", "").lower() not in ("utf8",):
        data = decode(data, encoding, name).encode("utf-8")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:200_000].decode("utf-8", errors="replace").splitlines()
    head = [line for line in head if line.strip()]
    if not head:
        raise LoadError("The file holds only blank lines; export the table again.", file=name)
    sep = _SEPARATOR_NAMES.get(separator, separator) if separator else detect_separator(head)
    if len(sep) != 1:
        raise LoadError(f"The separator must be one character; got {sep!r}.", file=name)
    has_quotes = b'"' in data
    fmt = TextFormat(encoding=encoding, separator=sep, has_quotes=has_quotes)
    padded = _maybe_padded(data, sep)
    acc: dict = {"blank": 0, "spans": []}
    if has_quotes:
        table, lines, bad = _split_quoted(data.decode("utf-8"), sep, name, acc)
    else:
        fast = _split_fast(data, sep, name)
        table, lines, bad = fast if fast is not None else _split_plain(data, sep, name, acc)
    return RawTable(file=name, kind="text", table=table, lines=lines, bad_lines=bad, text_format=fmt,
                    padded=padded, line_accounting=line_accounting(
                        data, len(lines) + len(bad), acc, csv_breaks=has_quotes))


_CSV_BREAK = re.compile(rb"\r\n|\r|\n")


def line_accounting(data: bytes, records: int, acc: dict, *, csv_breaks: bool) -> dict:
    """Where every physical line of a text file went (see ``RawTable.line_accounting``).
    The physical lines are counted from the bytes, apart from the parser (line breaks as
    the parser reads them: ``\n``, or also a lone ``\r`` for Python's csv module), so
    ``physical == header + records + blank + continuation`` is a check, not a definition."""
    if csv_breaks:
        breaks = len(_CSV_BREAK.findall(data))
        last = data.endswith((b"\n", b"\r")) or not data
    else:
        breaks = data.count(b"\n")
        last = data.endswith(b"\n") or not data
    spans = acc["spans"]
    return {"physical": int(breaks + (0 if last else 1)), "header": 1, "records": int(records),
            "blank": int(acc["blank"]), "continuation": int(sum(e - s for s, e in spans)),
            "multiline": [f"{s}-{e}" for s, e in spans[:20]]}


def _read_text_streaming(path: Path, separator: str | None, stream: bool = False) -> RawTable | None:
    """Large UTF-8 files without quotes: scan in chunks, then let pyarrow read the file
    itself, so the file's bytes are never held in memory whole (with ``stream``, neither are
    its parsed columns: see ``RawTable.batches``). None = use the exact path."""
    name = str(path)
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    check_text(head, name)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    first, _, _ = text.partition("\n")
    if not first.strip():
        return None
    sep = _SEPARATOR_NAMES.get(separator, separator) if separator else \
        detect_separator([line for line in text.splitlines() if line.strip()])
    if len(sep) != 1:
        return None
    headers = _clean_headers(first.rstrip("\r").split(sep), name)
    fmt = TextFormat(encoding="utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8",
                     separator=sep, has_quotes=False)
    if stream:
        # checked chunk by chunk while parsing (``_arrow_batches``): one pass over the file
        complete = head[:head.rfind(b"\n") + 1]
        if b'"' in complete:
            return None
        first_lines = _arrow_strings(io.BytesIO(complete), headers, sep, complete.count(b"\n") - 1,
                                     skip_rows=1)
        if first_lines is None:
            return None
        return RawTable(file=name, kind="text", table=first_lines, lines=np.empty(0, dtype=np.int64),
                        text_format=fmt, padded=_maybe_padded(complete, sep),
                        batches=lambda dictionary=(): _arrow_batches(path, headers, sep, fmt,
                                                                     dictionary))
    newlines, padded, last = 0, False, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(STREAM_BYTES):
            if b'"' in chunk or b"\x00" in chunk:
                return None
            newlines += chunk.count(b"\n")
            padded = padded or _maybe_padded(last + chunk, sep)
            last = chunk[-1:]
    n_lines = newlines - 1 + (0 if last == b"\n" else 1)
    table = _arrow_strings(path, headers, sep, n_lines, skip_rows=1)
    if table is None:
        return None
    return RawTable(file=name, kind="text", table=table, lines=np.arange(2, n_lines + 2, dtype=np.int64),
                    text_format=fmt, padded=padded,
                    line_accounting={"physical": newlines + (0 if last == b"\n" else 1),
                                     "header": 1, "records": n_lines, "blank": 0,
                                     "continuation": 0, "multiline": []})


def _has_blank_line(data: bytes, end: int) -> bool:
    """Whether ``data[:end]`` holds an empty line (pyarrow would skip it, unnumbered)."""
    return data.find(b"\n\n", 0, end) >= 0 or data.find(b"\n\r\n", 0, end) >= 0


def _csv_options(headers, sep: str, invalid: list, skip_rows: int, block_size: int,
                 dictionary=()):
    def handler(row):
        invalid.append(row)
        return "skip"
    coded = pa.dictionary(pa.int32(), pa.string())
    return dict(
        read_options=pacsv.ReadOptions(skip_rows=skip_rows, column_names=headers, block_size=block_size),
        parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False, invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(
            column_types={h: coded if h in dictionary else pa.string() for h in headers},
            strings_can_be_null=False, quoted_strings_can_be_null=False))


def _arrow_strings(source, headers, sep: str, n_lines: int, skip_rows: int = 0,
                   block_size: int = 1 << 21, dictionary=()):
    """Every field as text in one pyarrow pass, or None unless every one of ``n_lines``
    lines parsed cleanly (no quotes, no ragged line): the exact line-by-line path then
    takes over."""
    invalid: list = []
    try:
        table = pacsv.read_csv(source, **_csv_options(headers, sep, invalid, skip_rows, block_size,
                                                      dictionary))
    except pa.ArrowInvalid:
        return None
    if invalid or table.num_rows != n_lines:
        return None
    return table


def _arrow_batches(path: Path, headers, sep: str, fmt: TextFormat,
                   dictionary=()) -> Iterator[RawTable]:
    """The rows of a large UTF-8 file as RawTables of about ``STREAM_BYTES`` each, cut at
    line ends and checked and parsed one at a time (pyarrow's own streaming reader reads
    ahead the whole file). Raises ``StreamFallback`` at the first chunk the fast path cannot
    number exactly (quotes, NUL bytes, a blank or ragged line): the caller starts over on
    the exact path.

    Every chunk is read into the same buffer (pyarrow copies the values it parses), so the
    file's bytes take fresh memory once, not once a chunk. The ``dictionary`` columns (codes
    and names: a few distinct values) come dictionary-encoded by the parser itself."""
    name = str(path)
    line = 2                                            # the header is line 1
    buffer = bytearray(STREAM_BYTES)
    newline = np.empty(STREAM_BYTES, dtype=bool)        # the line-end mask, reused likewise
    with open(path, "rb") as fh:
        fh.readline()                                   # the header (and any BOM)
        while got := fh.readinto(buffer):
            chunk = buffer
            cut = buffer.rfind(b"\n", 0, got) + 1
            if cut == 0 or got < STREAM_BYTES:          # one line longer than a chunk, or the end
                chunk = buffer[:got] + (fh.readline() if cut == 0 else b"")
                cut = len(chunk)
            else:
                fh.seek(cut - got, io.SEEK_CUR)         # the next chunk starts at a line start
            view = memoryview(chunk)[:cut]
            # quotes and NUL bytes: one memchr each. A blank line needs no search of its own
            # unless a carriage return is present: pyarrow skips it, so the rows fall short
            # of the line count below; only a lone CR (a line break to pyarrow) could make up
            # for it
            if chunk.find(b'"', 0, cut) >= 0 or chunk.find(b"\x00", 0, cut) >= 0 or \
                    chunk.find(b"\r", 0, cut) >= 0 and (chunk.startswith((b"\n", b"\r\n"))
                                                     or _has_blank_line(chunk, cut)):
                raise StreamFallback
            mask = newline[:cut] if cut <= len(newline) else np.empty(cut, dtype=bool)
            np.equal(np.frombuffer(view, dtype=np.uint8), 10, out=mask)
            lines = int(np.count_nonzero(mask)) + (0 if chunk[cut - 1:cut] == b"\n" else 1)
            padded = _maybe_padded(view, sep)
            # one block a chunk: each column comes back as one array, which the row rules
            # use as it is (several blocks would be joined by a copy of every column)
            table = _arrow_strings(pa.BufferReader(pa.py_buffer(view)), headers, sep, lines,
                                   block_size=cut + 1, dictionary=dictionary)
            del view
            del chunk
            if table is None:
                raise StreamFallback
            yield RawTable(file=name, kind="text", table=table,
                           lines=np.arange(line, line + lines, dtype=np.int64), text_format=fmt,
                           padded=padded)
            line += lines


def _maybe_padded(data: bytes, sep: str) -> bool:
    """False when no value can start or end with whitespace (no space or tab next to a
    separator or a line end): the per-column trim check is then skipped."""
    if compiled_text is not None and len(sep.encode()) == 1:
        return compiled_text.padded(data, sep)
    arr = np.frombuffer(data, dtype=np.uint8)
    space = (arr == 32) if sep == "\t" else (arr == 32) | (arr == 9)
    pos = np.flatnonzero(space)
    if len(pos) == 0:
        return False
    if pos[0] == 0 or pos[-1] == len(arr) - 1:
        return True
    edge = np.zeros(256, bool)
    edge[[ord(sep), 10, 13]] = True
    return bool(edge[arr[pos - 1]].any() or edge[arr[pos + 1]].any())


def _split_fast(data: bytes, sep: str, name: str):
    """The common case in one pass of pyarrow: no blank lines, every line complete. Returns
    None when that is not so (the exact line-by-line path then takes over)."""
    first_end = data.find(b"\n")
    if first_end <= 0:
        return None
    header = data[:first_end].decode("utf-8").rstrip("\r")
    if not header.strip():
        return None
    headers = _clean_headers(header.split(sep), name)
    body = pa.py_buffer(data)[first_end + 1:]          # no copy of the file
    n_lines = data.count(b"\n", first_end + 1) + (0 if data.endswith(b"\n") or len(body) == 0 else 1)
    table = _arrow_strings(pa.BufferReader(body), headers, sep, n_lines)
    if table is None:
        return None
    return table, np.arange(2, n_lines + 2, dtype=np.int64), []


def _split_plain(data: bytes, sep: str, name: str, acc: dict | None = None):
    arr = np.frombuffer(data, dtype=np.uint8)
    n = len(arr)
    starts = np.concatenate([[0], np.flatnonzero(arr == 10) + 1])
    starts = starts[starts < n]
    bounds = np.append(starts, n)
    sep_pos = np.flatnonzero(arr == ord(sep))
    fields = np.diff(np.searchsorted(sep_pos, bounds)) + 1
    del sep_pos
    line_no = np.arange(1, len(starts) + 1)
    # a line without separators may be blank (spaces, a lone CR): look at those few in Python
    blank = np.zeros(len(starts), bool)
    for i in np.flatnonzero(fields == 1):
        blank[i] = not data[bounds[i]:bounds[i + 1]].strip()
    content = np.flatnonzero(~blank)
    if acc is not None:
        acc["blank"] = int(blank.sum())
    if len(content) == 0:
        raise LoadError("The file holds only blank lines; export the table again.", file=name)
    header_idx = content[0]
    ends = bounds[1:]
    header_bytes = data[starts[header_idx]:ends[header_idx]].decode("utf-8").rstrip("\r\n")
    headers = _clean_headers(header_bytes.split(sep), name)
    records = content[1:]
    good = fields[records] == len(headers)
    bad = [(int(line_no[i]), "wrong number of fields", f"{fields[i]} fields, header has {len(headers)}")
           for i in records[~good]]
    keep_lines = records[good]
    if len(keep_lines) == 0:
        table = pa.table({h: pa.array([], pa.string()) for h in headers})
        return table, np.array([], dtype=np.int64), bad
    if len(keep_lines) != len(starts) - header_idx - 1:
        # rebuild the buffer from the kept lines only (blank and malformed lines dropped)
        keep = np.zeros(len(starts), bool)
        keep[keep_lines] = True
        body = arr[np.repeat(keep, ends - starts)].tobytes()
    else:
        body = data[ends[header_idx]:]
    if not body.endswith(b"\n"):
        body += b"\n"
    table = _arrow_csv(body, headers, sep, name)
    if table.num_rows != len(keep_lines):
        raise LoadError(f"Read {table.num_rows} rows but the file has {len(keep_lines)} data lines; "
                        "the file may hold stray carriage returns; re-export it.", file=name)
    return table, line_no[keep_lines], bad


def _arrow_csv(body: bytes, headers: list[str], sep: str, name: str) -> pa.Table:
    try:
        return pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=headers, block_size=1 << 21),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in headers}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as err:
        raise LoadError(f"The text could not be split into columns: {redact(err)}; check the separator "
                        "(mapping file: [file] separator).", file=name) from None   # the cause quotes row text


def _split_quoted(text: str, sep: str, name: str, acc: dict | None = None):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=False)
    headers, columns, lines, bad = None, None, [], []
    previous_end = 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if acc is not None and reader.line_num > start:
                acc["spans"].append((start, reader.line_num))   # one row over several lines
            if not row or all(not cell.strip() for cell in row) and len(row) <= 1:
                if acc is not None:
                    acc["blank"] += 1
                continue
            if headers is None:
                headers = _clean_headers(row, name)
                columns = [[] for _ in headers]
                continue
            end = reader.line_num
            if end > start and _swallowed_lines(row, sep, len(headers), end - start, len(row)):
                raise LoadError(
                    f"A quote opened on line {start} is not closed where the value ends: lines "
                    f"{start}-{end} run together into one record ({len(row)} fields, header has "
                    f"{len(headers)}), so {end - start} line(s) would vanish. Close the quote on "
                    "that line, or export the file again without quotes around values.",
                    file=name, line=start)
            if len(row) != len(headers):
                bad.append((start, "wrong number of fields",
                            f"{len(row)} fields, header has {len(headers)}"))
                continue
            for col, cell in zip(columns, row):
                col.append(cell)
            lines.append(start)
    except csv.Error as err:
        raise LoadError(f"The text could not be split into columns ({redact(err)}); check the quotes "
                        "around the values.", file=name, line=reader.line_num) from err
    if headers is None:
        raise LoadError("The file holds no header line; export the table with column names.",
                        file=name)
    table = pa.table({h: pa.array(c, type=pa.string()) for h, c in zip(headers, columns)})
    return table, np.asarray(lines, dtype=np.int64), bad


def _swallowed_lines(row: list, sep: str, n_columns: int, extra_lines: int,
                     n_fields: int) -> bool:
    """Whether a record that spans several physical lines is an unclosed quote rather than a
    quoted value with a line break: its field count is wrong, or a line inside one of its
    values holds as many separators as a whole record."""
    if n_fields != n_columns:
        return True
    return any(line.count(sep) >= n_columns - 1
               for cell in row if "\n" in cell or "\r" in cell
               for line in cell.splitlines()[1:])


def _column(values: list) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _blank_row(row) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _header_row(ws, limit: int = 50) -> list | None:
    """The first non-empty row among the first ``limit`` rows of a sheet."""
    for row in ws.iter_rows(values_only=True, max_row=limit):
        if not _blank_row(row):
            return [("" if v is None else str(v)).strip() for v in row]
    return None


def _read_excel(path: Path, sheet, fits=None) -> RawTable:
    import openpyxl
    name = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as err:
        raise LoadError(f"The Excel file cannot be opened ({redact(err)}); save it again as .xlsx.",
                        file=name) from err
    try:
        if sheet is None:
            ws = next((w for w in book.worksheets if fits is not None and len(book.worksheets) > 1
                       and (headers := _header_row(w)) is not None and fits(headers)),
                      book.worksheets[0])
        elif isinstance(sheet, int) and not 0 <= sheet < len(book.worksheets):
            raise LoadError(f"The workbook has {len(book.worksheets)} sheet(s), so no sheet "
                            f"number {sheet}; sheets: {', '.join(book.sheetnames)}.", file=name)
        elif isinstance(sheet, int):
            ws = book.worksheets[sheet]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise LoadError(f"The workbook has no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}.",
                            file=name)
        sheet_names = tuple(book.sheetnames)
        headers, columns, lines = None, None, []
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if _blank_row(row):
                continue
            if headers is None:
                headers = _clean_headers(list(row), name)
                columns = [[] for _ in headers]
                continue
            row = list(row)[:len(headers)] + [None] * max(0, len(headers) - len(row))
            for col, value in zip(columns, row):
                col.append(value)
            lines.append(number)
        sheet_name = ws.title
    finally:
        book.close()
    if headers is None:
        raise LoadError(f"The sheet {sheet_name!r} is empty; sheets in the workbook: "
                        f"{', '.join(sheet_names)}. Name the sheet that holds the table "
                        "(sheet=..., --sheet NAME, or [file] sheet in a mapping file).", file=name)
    table = pa.table({h: _column(c) for h, c in zip(headers, columns)})
    return RawTable(file=name, kind="excel", table=table, lines=np.asarray(lines, dtype=np.int64),
                    sheet=sheet_name, sheets=sheet_names)


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq
    name = str(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
        raise LoadError(f"The Parquet file cannot be read ({redact(err)}); write it again.",
                        file=name) from err
    table = table.rename_columns(_clean_headers(table.column_names, name))
    return RawTable(file=name, kind="parquet", table=table,
                    lines=np.arange(1, table.num_rows + 1, dtype=np.int64))


def _read_stat(path: Path, kind: str) -> RawTable:
    import pandas as pd
    import pyreadstat
    name = str(path)
    reader = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
    try:
        df, _meta = reader(str(path), apply_value_formats=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeDecodeError) as err:
        raise LoadError(f"The {kind.upper()} file cannot be read ({redact(err)}); export it again.",
                        file=name) from err
    columns = {}
    for h, col in zip(_clean_headers(list(df.columns), name), df.columns):
        series = df[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        columns[h] = _column(series.where(series.notna(), None).tolist()) \
            if series.dtype == object else pa.array(series)
    table = pa.table(columns) if columns else pa.table({})
    return RawTable(file=name, kind=kind, table=table, lines=np.arange(1, len(df) + 1, dtype=np.int64))
