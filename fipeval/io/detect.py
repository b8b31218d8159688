"""Sniffing a text export: file kind, encoding, separator, decimal mark.

Rules:

* **kind** from the extension (``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``,
  ``.parquet``/``.pq``, ``.sav``/``.zsav``, ``.dta``) and, for text, from the content: NUL bytes
  or the signature of a zip (xlsx), Parquet or SPSS file mean a binary file and raise
  ``LoadError``.
* **encoding**: a UTF-8 BOM gives ``utf-8-sig``, a UTF-16 BOM ``utf-16``; otherwise UTF-8 if
  the bytes decode as UTF-8, else ``cp1252`` (Windows Dutch locale).
* **separator**: of ``;`` tab ``|`` ``,`` the one that occurs most often in the header
  line and equally often in the following lines (outside quotes).
* **decimal mark** (per numeric column): the last of ``.``/``,`` in a value is the decimal
  mark; ``1.234`` style values only (thousands groups) mean a decimal comma; a tie goes to
  the comma unless the separator is a comma.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import LoadError
from .fields import dictionary

TEXT_EXTENSIONS = (".csv", ".txt", ".tsv", ".dat", ".asc")
KINDS = {".xlsx": "excel", ".xlsm": "excel", ".parquet": "parquet", ".pq": "parquet",
         ".sav": "spss", ".zsav": "spss", ".dta": "stata"}
SEPARATORS = (";", "\t", "|", ",")
_SIGNATURES = {b"PK\x03\x04": "a zip/Excel file", b"PAR1": "a Parquet file",
               b"$FL2": "an SPSS file", b"$FL3": "an SPSS file", b"\xd0\xcf\x11\xe0": "an old Excel (.xls) file"}


@dataclass(frozen=True)
class TextFormat:
    """What was detected (or declared) for a text export."""

    encoding: str
    separator: str
    has_quotes: bool


def file_kind(path: Path) -> str:
    """``"text"``, ``"excel"``, ``"parquet"``, ``"spss"`` or ``"stata"`` from the extension."""
    suffix = path.suffix.lower()
    if suffix in KINDS:
        return KINDS[suffix]
    if suffix in TEXT_EXTENSIONS or suffix == "":
        return "text"
    if suffix == ".xls":
        raise LoadError("Old Excel .xls files are not supported; save the sheet as .xlsx or CSV.",
                        file=str(path))
    raise LoadError(f"Unknown file type {suffix!r}; fipeval reads .csv/.txt, .xlsx, .parquet, "
                    ".sav and .dta (rename the file if it is one of these).", file=str(path))


def check_text(data: bytes, path: str) -> None:
    """Raise LoadError if ``data`` is empty or clearly binary."""
    if not data.strip():
        raise LoadError("The file is empty; export the table again (with a header line).", file=path)
    for signature, what in _SIGNATURES.items():
        if data.startswith(signature):
            raise LoadError(f"This looks like {what}, not a text export; give it the right "
                            "extension (.xlsx, .parquet, .sav) or export it as CSV.", file=path)
    head = data[:65536]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError("The file is binary (it holds NUL bytes), not a text export; "
                        "export the table as CSV.", file=path)


# a multi-byte UTF-8 sequence; one whose cp1252 reading is mojibake ("Ã«") is evidence that
# the file was written as UTF-8 (``_mojibake``)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")


def _mojibake(sequence: bytes) -> bool:
    """Whether a valid UTF-8 multi-byte ``sequence`` is evidence of UTF-8: read as cp1252 it
    would be letters followed by a symbol ('ë' -> 'Ã«', 'é' -> 'Ã©'), which Dutch text does
    not hold. Letter-only readings ('Âª') are left alone: a cp1252 export may hold those."""
    try:
        text = sequence.decode("cp1252")
    except UnicodeDecodeError:          # a byte cp1252 leaves undefined: not cp1252 text
        return True
    return any(not (ch.isalnum() or ch.isspace()) for ch in text)


def detect_encoding(data: bytes, path: str | None = None) -> str:
    """``utf-8-sig``, ``utf-16``, ``utf-8`` or ``cp1252``, decided on evidence: a file that is
    valid UTF-8 is UTF-8; one that is not, and holds no UTF-8 multi-byte character either, is
    cp1252; one that holds both (a UTF-8 export with a cp1252 byte pasted in) is an error
    naming both lines, never a silent re-decode of the whole file."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 22
    try:
        for start in range(0, len(data), step):
            decoder.decode(data[start:start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:     # the offset of the first bad byte in the file
            bad = err.start
        evidence = next((m for m in _UTF8_MULTIBYTE.finditer(data) if _mojibake(m.group())),
                        None)
        if evidence is None:
            return "cp1252"
        good_line = data.count(b"\n", 0, evidence.start()) + 1
        bad_line = data.count(b"\n", 0, bad) + 1
        char = evidence.group().decode("utf-8")
        byte = data[bad:bad + 1]
        raise LoadError(
            f"The file mixes encodings: line {good_line} holds UTF-8 text ({char!r}) but line "
            f"{bad_line} holds the byte 0x{byte.hex()} ({byte.decode('cp1252', 'replace')!r} in "
            "cp1252), which is not UTF-8. Decoding the whole file either way would change "
            "letters (a column name like 'reden beëindiging' would no longer be recognised). "
            "Fix that line, or export the file again in one encoding.",
            file=path, line=bad_line) from None
    return "utf-8"


def decode(data: bytes, encoding: str, path: str) -> str:
    """Decode ``data``; cp1252's five undefined bytes fall back to Latin-1."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        if encoding.replace("-", "").lower() == "cp1252":
            return data.decode("latin-1")
        line = data[:err.start].count(b"\n") + 1
        raise LoadError(f"The file is not valid {encoding} ({err.reason}); give the right "
                        "`encoding` in the mapping file (e.g. cp1252).", file=path, line=line) from err
    except LookupError as err:
        raise LoadError(f"Unknown encoding {encoding!r}; use utf-8, utf-8-sig or cp1252.",
                        file=path) from err


def _count_outside_quotes(line: str, sep: str) -> int:
    return re.sub(r'"[^"]*"', "", line).count(sep)


def detect_separator(lines: list[str]) -> str:
    """The separator that splits the header line (see the module rules).

    Examples
    --------
    >>> detect_separator(["bsn;datum;soort", "111222333;01-01-2015;Intake"])
    ';'
    """
    header, rest = lines[0], lines[1:50]
    best, best_score = ";", (-1, -1)
    for sep in SEPARATORS:
        n = _count_outside_quotes(header, sep)
        if n == 0:
            continue
        consistent = sum(_count_outside_quotes(line, sep) == n for line in rest)
        score = (consistent, n)
        if score > best_score:
            best, best_score = sep, score
    return best


def detect_decimal(arr, *, separator: str = ";") -> str:
    """The decimal mark of a numeric text column (``","`` or ``"."``)."""
    codes, uniques = dictionary(arr)
    comma = point = 0
    for value in uniques[:5000]:
        v = str(value).strip()
        if not v or not re.fullmatch(r"[+-]?[\d.,\s\u20ac]+", v):
            continue
        last_comma, last_point = v.rfind(","), v.rfind(".")
        if last_comma > last_point:
            comma += 1
        elif last_point > last_comma:
            if "," not in v and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", v):
                comma += 1      # 1.234: a thousands point
            else:
                point += 1
    if comma == point:
        return "." if separator == "," else ","
    return "," if comma > point else "."
