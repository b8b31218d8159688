"""Column parsers shared by the loaders: codes, amounts, integers, text.

Every parser takes one raw column (a pyarrow array of any type) and returns a
``ParsedColumn``: canonical values, which rows were empty, which held a value that could
not be read, and which were repaired (by kind). Parsers work on the distinct values of a
column (dictionary encoding), so a million rows with a few thousand distinct values cost
a few thousand Python operations.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .bsn import redact

try:            # compiled readers of strict dates and plain amounts (setup.py; optional)
    from . import _text as compiled_text
except ImportError:     # not built: the NumPy and Arrow paths give the same results
    compiled_text = None


@dataclass
class ParsedColumn:
    """One parsed column: values aligned with the input rows, plus row masks."""

    values: np.ndarray | pd.api.extensions.ExtensionArray
    missing: np.ndarray                     # empty in the export
    invalid: np.ndarray                     # non-empty but unreadable
    repairs: dict[str, np.ndarray] = field(default_factory=dict)
    unknown: Counter = field(default_factory=Counter)   # unknown code -> rows
    unknown_rows: np.ndarray | None = None              # rows holding an unknown code
    codes: np.ndarray | None = None                     # row -> index into ``uniques``
    uniques: list | None = None
    unique_values: np.ndarray | None = None             # canonical value per unique (+ null)
    far_future: np.ndarray | None = None                # dates: a year past 2200 (an open end)
    cell: tuple | None = None                           # (header, raw text) for the load report

    def categorical(self, categories: tuple) -> pd.Categorical:
        """The values as a Categorical with ``categories`` (built from the distinct values)."""
        lookup = {c: i for i, c in enumerate(categories)}
        per_unique = np.array([lookup.get(v, -1) if v is not None else -1
                               for v in self.unique_values], dtype=np.int8)
        return pd.Categorical.from_codes(per_unique[self.codes], categories=list(categories))

    def unknown_counts(self, rows: np.ndarray) -> Counter:
        """Unknown codes with their row counts among ``rows`` (a boolean mask)."""
        if self.unknown_rows is None:
            return Counter()
        picked = self.codes[self.unknown_rows & rows]
        counts = np.bincount(picked, minlength=len(self.uniques)) if len(picked) else []
        return Counter({redact(str(self.uniques[i]).strip()): int(c)
                        for i, c in enumerate(counts) if c})


def normalise_key(text: str) -> str:
    """Lower case, no accents, single spaces, ``_``/``-`` as spaces: how headers and codes match.

    Examples
    --------
    >>> normalise_key("  Reden_Beëindiging ")
    'reden beeindiging'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.strip().strip('"').strip("'").lower().replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


def as_text(arr) -> pa.ChunkedArray | pa.Array:
    """Any pyarrow array as strings (numbers without a spurious ``.0``)."""
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_floating(arr.type):
        values = arr.to_numpy(zero_copy_only=False)
        whole = np.isfinite(values) & (np.mod(np.nan_to_num(values), 1) == 0) & (np.abs(values) < 1e15)
        text = np.where(whole, np.nan_to_num(values).astype(np.int64).astype(str), values.astype(str))
        return pa.array(text, mask=np.isnan(values), type=pa.string())
    if pa.types.is_dictionary(arr.type):
        return as_text(arr.cast(arr.type.value_type))
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), type=pa.string())
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in arr.to_pylist()], type=pa.string())


def dictionary(arr) -> tuple[np.ndarray, list]:
    """Row codes (-1 for null) and the distinct values of ``arr`` as text (``as_text``), or
    of its dictionary as it is when the parser dictionary-encoded it already."""
    enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(as_text(arr))
    if isinstance(enc, pa.ChunkedArray):
        enc = pa.chunked_array(enc.chunks, type=enc.type).combine_chunks() if enc.num_chunks \
            else pa.array([], type=enc.type)
    idx = enc.indices
    codes = pc.fill_null(idx, -1).to_numpy(zero_copy_only=False)      # int32, as Arrow's
    return codes, enc.dictionary.to_pylist()


def trimmed_mask(arr) -> np.ndarray:
    """Rows whose text had leading or trailing whitespace."""
    if pa.types.is_dictionary(arr.type):          # looked for among the distinct values
        codes, _ = dictionary(arr)
        return np.append(trimmed_mask(arr.dictionary), False)[codes]
    text = as_text(arr)
    changed = pc.not_equal(pc.utf8_length(text), pc.utf8_length(pc.utf8_trim_whitespace(text)))
    return pc.fill_null(changed, False).to_numpy(zero_copy_only=False)


def _blank(values: list) -> np.ndarray:
    return np.array([v is None or str(v).strip() == "" for v in values], dtype=bool)


def parse_code(arr, table: dict[str, str], *, unknown: str | None,
               row_values: bool = True) -> ParsedColumn:
    """Map raw codes onto canonical ones (matching with ``normalise_key``).

    Codes not in ``table`` become ``unknown`` (or missing when ``unknown`` is None) and are
    counted in ``ParsedColumn.unknown``; nothing is dropped here. ``row_values=False`` leaves
    ``values`` None (a caller that wants only ``categorical`` saves an object per row).
    """
    codes, uniques = dictionary(arr)
    lookup = {normalise_key(k): v for k, v in table.items()}
    keys = [normalise_key(u) for u in uniques]
    mapped = np.array([lookup.get(k) for k in keys] + [None], dtype=object)
    blank = np.append(_blank(uniques), True)
    is_unknown = np.array([m is None for m in mapped], dtype=bool) & ~blank
    if unknown is not None:
        mapped[is_unknown] = unknown
    row_unknown = is_unknown[codes]
    counts = np.bincount(codes[row_unknown], minlength=len(uniques)) if row_unknown.any() \
        else np.zeros(len(uniques), dtype=np.int64)
    unknown_counts = Counter({redact(str(uniques[i]).strip()): int(c)
                              for i, c in enumerate(counts) if c})
    return ParsedColumn(values=mapped[codes] if row_values else None, missing=blank[codes],
                        invalid=np.zeros(len(codes), bool),
                        unknown=unknown_counts, unknown_rows=row_unknown, codes=codes,
                        uniques=uniques, unique_values=mapped)


# RE2's ``\s`` (ASCII: tab, newline, form feed, carriage return, space) and the vertical tab
_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[[9, 10, 11, 12, 13, 32]] = True


def _holds_byte(text: pa.Array, table: np.ndarray) -> bool:
    """Whether any value of a string array holds a byte marked in ``table`` (256 booleans):
    one look-up per byte of the values, not a regular expression per row."""
    data = text.buffers()[2]
    if data is None or len(text) == 0:
        return False
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64 if pa.types.is_large_string(text.type)
                            else np.int32)
    first, last = int(offsets[text.offset]), int(offsets[text.offset + len(text)])
    return bool(table[np.frombuffer(data, dtype=np.uint8)[first:last]].any())


def text_buffers(arr: pa.Array):
    """(offsets, bytes, valid) of a string array, as NumPy views (no copy); ``valid`` is
    None when no value is null."""
    large = pa.types.is_large_string(arr.type)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if large else np.int32)
    offsets = offsets[arr.offset:arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    valid = arr.is_valid().to_numpy(zero_copy_only=False) if arr.null_count else None
    return offsets, data, valid


def factorize_integers(values: np.ndarray, scratch: list | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize`` of integers: codes in order of first appearance and the distinct
    values, by the compiled hash table where it is built (a third of pandas' time).

    ``scratch`` (a list, empty at first) keeps the table's memory for the next call: a
    load's calls then share one table instead of each zeroing fresh pages.

    Examples
    --------
    >>> codes, uniques = factorize_integers(np.array([7, 3, 7, 9]))
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, 0, 2], [7, 3, 9])
    """
    values = np.ascontiguousarray(values, dtype=np.int64)
    if compiled_text is None:
        codes, uniques = pd.factorize(values)
        return codes.astype(np.int64, copy=False), uniques
    size = 1 << max(10, (2 * len(values) - 1).bit_length())   # twice the values, at least
    if scratch and len(scratch[0]) >= size:
        table = scratch[0][:size]
        table.fill(0)
    else:
        table = np.zeros(size, np.int32)
        if scratch is not None:
            scratch[:] = [table]
    codes, first = np.empty(len(values), np.int64), np.empty(len(values), np.int64)
    distinct = compiled_text.factorize(values, codes, first, table)
    return codes, values[first[:distinct]]


def _plain_amounts(text: pa.Array, decimal: str) -> ParsedColumn | None:
    """Every value ``-?digits`` with at most one ``decimal`` and 15 digits, or empty: read
    by the compiled loop (the exact decimal, as Arrow's cast gives it); None otherwise."""
    if compiled_text is None or not pa.types.is_string(text.type) or decimal not in (",", "."):
        return None
    offsets, data, valid = text_buffers(text)
    if valid is not None:
        return None
    values = np.full(len(text), np.nan)
    present = np.zeros(len(text), bool)
    if compiled_text.decimals(data, offsets, decimal, values, present) >= 0:
        return None
    return ParsedColumn(values=values, missing=~present, invalid=np.zeros(len(text), bool))


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_amount(arr, *, decimal: str = ",") -> ParsedColumn:
    """Numbers with a decimal comma or point (thousands separators removed)."""
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        missing = np.isnan(values)
        return ParsedColumn(values=values, missing=missing, invalid=np.zeros(len(values), bool))
    text = as_text(arr)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    plain = _plain_amounts(text, decimal)
    if plain is not None:
        return plain
    if pc.any(pc.match_substring(text, "\u20ac")).as_py():
        text = pc.replace_substring(text, "\u20ac", "")
    if _holds_byte(text, _WHITESPACE) and pc.any(pc.match_substring_regex(text, r"\s")).as_py():
        text = pc.replace_substring_regex(text, r"\s", "")
    if decimal == ",":
        if pc.any(pc.match_substring(text, ".")).as_py():
            text = pc.replace_substring(text, ".", "")
        text = pc.replace_substring(text, ",", ".")
    elif pc.any(pc.match_substring(text, ",")).as_py():
        text = pc.replace_substring(text, ",", "")
    nonempty = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
    nonempty_np = nonempty.to_numpy(zero_copy_only=False)
    try:    # fast path: every non-empty value is a number
        values = pc.cast(pc.if_else(nonempty, text, pa.scalar(None, pa.string())), pa.float64())
        values = values.to_numpy(zero_copy_only=False).astype(np.float64)
        if np.isfinite(values[nonempty_np]).all():
            return ParsedColumn(values=values, missing=~nonempty_np, invalid=np.zeros(len(values), bool))
    except pa.ArrowInvalid:
        pass
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER.pattern), False)
    good = pc.and_(nonempty, ok)
    values = pc.cast(pc.if_else(good, text, pa.scalar(None, pa.string())), pa.float64())
    values = values.to_numpy(zero_copy_only=False).astype(np.float64)
    good_np = good.to_numpy(zero_copy_only=False) & np.isfinite(values)
    values[~good_np] = np.nan
    return ParsedColumn(values=values, missing=~nonempty_np, invalid=nonempty_np & ~good_np)


def parse_integer(arr, *, low: int, high: int) -> ParsedColumn:
    """The first whole number in each value (``"trede 3"`` -> 3) if within [low, high]."""
    codes, uniques = dictionary(arr)
    blank = np.append(_blank(uniques), True)
    numbers = np.full(len(uniques) + 1, np.nan)
    for i, u in enumerate(uniques):
        match = re.search(r"-?\d+", str(u))
        if match and not blank[i]:
            numbers[i] = float(match.group())
    bad = np.isnan(numbers) | (numbers < low) | (numbers > high)
    invalid = bad & ~blank
    numbers[bad] = np.nan
    return ParsedColumn(values=numbers[codes], missing=blank[codes], invalid=invalid[codes])


NUMBER_IN_TEXT = r"\d{8,}"   # a BSN-shaped run of digits (8 or 9, or longer) in free text


def parse_text_codes(arr, *, redact: bool = False) -> ParsedColumn:
    """Text values trimmed, empty ones missing, and with ``redact`` every BSN-shaped run of
    digits (``NUMBER_IN_TEXT``: a BSN must not reach the register through free text)
    replaced by ``<number>``: one dictionary encoding of the rows, the rules applied to the
    distinct values (a column of names or notes repeats them).

    ``codes`` holds each row's code into ``uniques`` (the distinct cleaned values, in order
    of first appearance; -1: missing), ``values`` the cleaned text as a dictionary array,
    ``repairs["number_in_text_redacted"]`` the rows whose value lost a number.
    """
    if pa.types.is_dictionary(arr.type):          # encoded by the parser already
        enc = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    else:
        text = as_text(arr)
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks() if text.num_chunks else pa.array([], pa.string())
        enc = pc.dictionary_encode(text)
    raw = pc.utf8_trim_whitespace(enc.dictionary)
    empty = pc.equal(pc.utf8_length(raw), 0)
    hit = np.zeros(len(raw), bool)
    if redact and len(raw):
        hit = pc.fill_null(pc.match_substring_regex(raw, NUMBER_IN_TEXT), False).to_numpy(
            zero_copy_only=False)
        if hit.any():
            raw = pc.replace_substring_regex(raw, NUMBER_IN_TEXT, "<number>")
    cleaned = pc.dictionary_encode(pc.if_else(empty, pa.scalar(None, pa.string()), raw))
    per_unique = np.append(pc.fill_null(cleaned.indices, -1).to_numpy(zero_copy_only=False), -1)
    rows = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)   # -1: null, last
    codes = per_unique[rows].astype(np.int32)
    missing = codes < 0
    values = pa.DictionaryArray.from_arrays(pa.array(codes, mask=missing), cleaned.dictionary)
    return ParsedColumn(values=values, missing=missing, invalid=np.zeros(len(codes), bool),
                        repairs={"number_in_text_redacted": np.append(hit, False)[rows]},
                        codes=codes, uniques=cleaned.dictionary)


def text_categorical(parsed: ParsedColumn) -> pd.Categorical:
    """The rows of ``parse_text_codes`` as a Categorical of their cleaned values."""
    return pd.Categorical.from_codes(parsed.codes, categories=parsed.uniques.to_pylist())


def first_row(mask: np.ndarray) -> int | None:
    """Position of the first True in ``mask`` (the row an error names), or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def integer_array(values: np.ndarray, dtype: str) -> pd.arrays.IntegerArray:
    """Floats with NaN for missing as a pandas nullable integer array (``"Int8"``, ...)."""
    mask = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype(dtype.lower()), mask)
