"""Dates as municipal systems export them, parsed per distinct value (vectorised).

Formats (names as used in mapping files):

==============  ==========================  ==================================
name            example                     notes
==============  ==========================  ==================================
``dd-mm-jjjj``  ``01-11-2014``              also ``/`` or ``.`` between parts
``dd-mm-jj``    ``01-11-14``                two-digit year (a repair, see below)
``mm-dd-jjjj``  ``11-01-2014``              only when declared or unambiguous
``iso``         ``2014-11-01``              a time part is ignored
``yyyymmdd``    ``20141101``                text or integer
``excel``       ``41944``                   Excel serial day number (1900 system)
==============  ==========================  ==================================

A column's format is detected from its values (the most frequent form) or declared in the
mapping file. ``d-m-y`` forms are read day first unless no value has a first part over 12
while at least two values, and a fifth of them, have a second part over 12. Repairs, counted per row:

* ``two_digit_year``: ``jj`` becomes ``20jj`` unless that is after the pivot year (the
  extract year), then ``19jj``.
* ``swapped_day_month``: a value whose month is over 12 and whose day is 12 or less is read
  with day and month swapped (unambiguous: the value cannot be a date otherwise).
* ``mixed_date_format``: a value in another recognised form than the column's.

Anything else non-empty is unreadable (``invalid``); a readable form with a year after
2200 (``31-12-9999``, ``88881231``: how many systems write "no end") is flagged
``far_future`` so that the loader can read it as an open end date.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .fields import ParsedColumn, as_text, compiled_text, dictionary, text_buffers

DATE_FORMATS = ("dd-mm-jjjj", "dd-mm-jj", "mm-dd-jjjj", "iso", "yyyymmdd", "excel")
_ALIASES = {
    "%d-%m-%Y": "dd-mm-jjjj", "%d/%m/%Y": "dd-mm-jjjj", "%d.%m.%Y": "dd-mm-jjjj",
    "dd-mm-yyyy": "dd-mm-jjjj", "dd/mm/jjjj": "dd-mm-jjjj", "dd/mm/yyyy": "dd-mm-jjjj",
    "%d-%m-%y": "dd-mm-jj", "%d/%m/%y": "dd-mm-jj", "dd-mm-yy": "dd-mm-jj",
    "%m-%d-%Y": "mm-dd-jjjj", "%m/%d/%Y": "mm-dd-jjjj", "mm-dd-yyyy": "mm-dd-jjjj",
    "mm/dd/yyyy": "mm-dd-jjjj", "%Y-%m-%d": "iso", "yyyy-mm-dd": "iso", "jjjj-mm-dd": "iso",
    "%Y%m%d": "yyyymmdd", "jjjjmmdd": "yyyymmdd", "serial": "excel",
}
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_PATTERN = (
    rf"^(?:(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<c>\d{{4}}|\d{{2}}){_TIME}"
    rf"|(?P<iy>\d{{4}})[-/.](?P<im>\d{{1,2}})[-/.](?P<id>\d{{1,2}}){_TIME}"
    r"|(?P<ymd>[1-9]\d{7})(?:\.0+)?"
    r"|(?P<serial>\d{1,5})(?:[.,]0+)?)$"
)
MIN_YEAR, MAX_YEAR = 1880, 2200
_GROUPS = ("a", "b", "c", "iy", "im", "id", "ymd", "serial")


def canonical_format(name: str | None) -> str | None:
    """The canonical name of a date format (``"%d-%m-%Y"`` -> ``"dd-mm-jjjj"``); None = detect."""
    if name is None or name == "auto":
        return None
    name = _ALIASES.get(name, name)
    if name not in DATE_FORMATS:
        raise InputError(f"Unknown date format {name!r}; use one of {', '.join(DATE_FORMATS)}, "
                         "a strftime form such as '%d-%m-%Y', or 'auto'.")
    return name


def _classify(uniques: pd.Series) -> pd.DataFrame:
    """The parts of each distinct value (text, NaN where absent) and its ``kind``.

    One RE2 pass in Arrow over the values, not a Python regex call per value."""
    text = pc.utf8_trim_whitespace(pa.array(uniques.to_numpy(dtype=object), type=pa.string()))
    found = pc.extract_regex(text, _PATTERN)
    parts = pd.DataFrame(index=uniques.index)
    for name in _GROUPS:
        field = pc.struct_field(found, name)
        field = pc.if_else(pc.equal(field, ""), pa.scalar(None, pa.string()), field)
        parts[name] = pd.Series(field.to_numpy(zero_copy_only=False), index=uniques.index, dtype=object)
    kind = pd.Series(np.full(len(uniques), None, dtype=object), index=uniques.index)
    dmy = parts["a"].notna()
    kind[dmy & (parts["c"].str.len() == 4)] = "d4"
    kind[dmy & (parts["c"].str.len() == 2)] = "d2"
    kind[parts["iy"].notna()] = "iso"
    kind[parts["ymd"].notna()] = "yyyymmdd"
    kind[parts["serial"].notna()] = "excel"
    parts["kind"] = kind
    return parts


def detect_format(arr, *, weights: np.ndarray | None = None) -> str | None:
    """The most frequent date format of a column, or None if no value looks like a date."""
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        return "native"
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        values = pc.drop_null(arr).to_numpy(zero_copy_only=False)
        values = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        if len(values) == 0:
            return None
        return "yyyymmdd" if np.median(values) > 1e7 else "excel"
    text = as_text(arr)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks() if text.num_chunks else pa.array([], pa.string())
    for shape in ("dd-mm-jjjj", "iso"):
        # every value in the strict shape of a format (a day-month one can then hold no
        # month above 12): the distinct values' classification below would say the same
        _, clean, empty = _strict(text, shape)
        if clean.any() and (clean | empty).all():
            return shape
    return _classified_format(text)


def _classified_format(text: pa.Array) -> str | None:
    """``detect_format`` of a text column by classifying its distinct values."""
    codes, uniques = dictionary(text)
    if not uniques:
        return None
    parts = _classify(pd.Series(uniques, dtype=object).astype(str))
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    by_kind = pd.Series(counts).groupby(parts["kind"].to_numpy()).sum()
    if by_kind.empty:
        return None
    best = by_kind.idxmax()
    if best == "d2":
        return "dd-mm-jj"
    if best == "d4":
        first = pd.to_numeric(parts["a"], errors="coerce")
        second = pd.to_numeric(parts["b"], errors="coerce")
        d4 = (parts["kind"] == "d4").to_numpy()
        month_first = counts[d4 & (second > 12).to_numpy()].sum()
        if counts[d4 & (first > 12).to_numpy()].sum() == 0 and \
                month_first >= max(2, 0.2 * counts[d4].sum()):
            return "mm-dd-jjjj"
        return "dd-mm-jjjj"
    return best


def _two_digit(years: np.ndarray, pivot_year: int) -> np.ndarray:
    modern = 2000 + years
    return np.where(modern <= pivot_year, modern, 1900 + years)


def _ns(values) -> np.ndarray:
    """``datetime64[ns]`` of parsed dates, NaT outside MIN_YEAR..MAX_YEAR. pandas 3 parses
    8888-12-31 at a coarser resolution instead of NaT; cast to ns it would wrap around."""
    values = np.asarray(values)
    if values.dtype == "datetime64[ns]":
        return values
    year = values.astype("datetime64[Y]").astype(np.int64) + 1970
    ok = ~np.isnat(values) & (year >= MIN_YEAR) & (year <= MAX_YEAR)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[ok] = values[ok].astype("datetime64[ns]")
    return out


def _from_parts(year, month, day) -> np.ndarray:
    year, month, day = (np.asarray(x, dtype=float) for x in (year, month, day))
    ok = np.isfinite(year) & np.isfinite(month) & np.isfinite(day)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year >= MIN_YEAR) & (year <= MAX_YEAR)
    out = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[ns]")
    if ok.any():
        frame = pd.DataFrame({"year": year[ok].astype(int), "month": month[ok].astype(int),
                              "day": day[ok].astype(int)})
        out[ok] = _ns(pd.to_datetime(frame, errors="coerce").to_numpy())
    return out


def parse_dates(arr, *, date_format: str | None = None, pivot_year: int | None = None) -> ParsedColumn:
    """Parse a raw date column into ``datetime64[ns]`` with per-row repair flags.

    Parameters
    ----------
    arr
        pyarrow array: text, integers (yyyymmdd or Excel serials) or native dates.
    date_format
        One of ``DATE_FORMATS`` (or a strftime alias); None detects it.
    pivot_year
        Two-digit years above this become 19jj (default: the current year).

    Examples
    --------
    >>> import pyarrow as pa
    >>> res = parse_dates(pa.array(["01-11-2014", "2014-11-02", "12-25-2014", "28-11-2014", ""]))
    >>> [str(v)[:10] for v in res.values]
    ['2014-11-01', '2014-11-02', '2014-12-25', '2014-11-28', 'NaT']
    >>> res.repairs["swapped_day_month"].tolist()
    [False, False, True, False, False]
    """
    n = len(arr)
    pivot_year = pivot_year or _dt.date.today().year
    date_format = canonical_format(date_format)
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        values = pc.cast(pc.cast(arr, pa.timestamp("ns")) if pa.types.is_date(arr.type) else arr,
                         pa.timestamp("ns")).to_numpy(zero_copy_only=False).astype("datetime64[ns]")
        missing = np.isnat(values)
        return ParsedColumn(values=values, missing=missing, invalid=np.zeros(n, bool))
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return _parse_numeric(arr, date_format or detect_format(arr))
    column = date_format or detect_format(arr) or "dd-mm-jjjj"
    return _parse_text(as_text(arr), column, pivot_year)


# first day (days since 1970) and length of every month of MIN_YEAR..MAX_YEAR, by
# (year - MIN_YEAR) * 12 + month - 1: a strict date is two look-ups, not a calendar
_MONTHS = np.arange(np.datetime64(f"{MIN_YEAR}-01", "M"), np.datetime64(f"{MAX_YEAR + 1}-02", "M"))
_MONTH_START = _MONTHS.astype("datetime64[D]").astype(np.int64)
_MONTH_DAYS = np.diff(_MONTH_START)
_MONTH_START = _MONTH_START[:-1]


# years since 1970 of every day of MIN_YEAR..MAX_YEAR: a year is one look-up, not NumPy's
# calendar conversion (ten times the time)
_TABLE_START = np.datetime64(f"{MIN_YEAR}-01-01", "D").astype(np.int64)
_YEAR_OF_DAY = np.arange(_TABLE_START, np.datetime64(f"{MAX_YEAR + 1}-01-01", "D").astype(np.int64)) \
    .astype("datetime64[D]").astype("datetime64[Y]").astype(np.int16)
_NAT = np.iinfo(np.int64).min


def year_numbers(values: np.ndarray) -> np.ndarray:
    """``values.astype("datetime64[Y]").astype(np.int64)`` of ``datetime64[ns]`` dates: years
    since 1970, NaT's integer for NaT.

    Examples
    --------
    >>> year_numbers(np.array(["1999-12-31", "2000-01-01", "NaT"], dtype="datetime64[ns]"))[:2]
    array([29, 30])
    """
    ns = np.asarray(values, dtype="datetime64[ns]").view(np.int64)
    nat = ns == _NAT
    day = ns // 86_400_000_000_000 - _TABLE_START
    if (((day < 0) | (day >= len(_YEAR_OF_DAY))) & ~nat).any():
        return np.asarray(values).astype("datetime64[Y]").astype(np.int64)
    out = _YEAR_OF_DAY[np.where(nat, 0, day)].astype(np.int64)
    out[nat] = _NAT
    return out


_COMPILED_KINDS = {"dd-mm-jjjj": 0, "mm-dd-jjjj": 1, "iso": 2}


def _strict(arr: pa.Array, column: str):
    """The rows in the column's own exact shape (``dd-mm-jjjj``, ``mm-dd-jjjj`` or ``iso``
    with two-digit day and month, a four-digit year, no spaces or time) that are real dates
    in MIN_YEAR..MAX_YEAR, read straight from the bytes: ``(days since 1970, clean, empty)``.
    Such a value parses the same on the general path, with no repair; every other row goes
    there."""
    offsets, data, valid = text_buffers(arr)
    n = len(arr)
    length = np.diff(offsets)
    empty = length == 0
    if valid is not None:
        empty |= ~valid
    clean = np.zeros(n, bool)
    days = np.zeros(n, np.int64)
    kind = {"dd-mm-jjjj": "d4", "mm-dd-jjjj": "d4"}.get(column, column)
    if kind not in ("d4", "iso"):
        return days, clean, empty
    if compiled_text is not None and valid is None and offsets.dtype == np.int32:
        compiled_text.dates(data, offsets, _COMPILED_KINDS[column], MIN_YEAR, MAX_YEAR, days, clean)
        return days, clean, empty
    ten = (length == 10) & ~empty
    if not ten.any():
        return days, clean, empty
    if (ten | empty).all() and (valid is None or not (length[~valid] > 0).any()):
        # every value has 10 bytes: they lie back to back in the buffer (no copy)
        rows = np.flatnonzero(ten) if not ten.all() else None
        block = data[offsets[0]:offsets[-1]].reshape(-1, 10)
    else:
        rows = np.flatnonzero(ten)
        block = data[offsets[:-1][rows].astype(np.int64)[:, None] + np.arange(10)]
    digit = block - np.uint8(48)                  # bytes below '0' wrap round to > 9
    seps, places = ((2, 5), [0, 1, 3, 4, 6, 7, 8, 9]) if kind == "d4" else \
        ((4, 7), [0, 1, 2, 3, 5, 6, 8, 9])
    ok = (digit[:, places] <= 9).all(axis=1)
    for k in seps:     # '-', '/' or '.' (as the general pattern allows)
        ok &= (block[:, k] == ord("-")) | (block[:, k] == ord("/")) | (block[:, k] == ord("."))
    d = digit.astype(np.int32)
    if kind == "d4":
        first, second = d[:, 0] * 10 + d[:, 1], d[:, 3] * 10 + d[:, 4]
        year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
        day, month = (second, first) if column == "mm-dd-jjjj" else (first, second)
    else:
        year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
        month, day = d[:, 5] * 10 + d[:, 6], d[:, 8] * 10 + d[:, 9]
    del d, digit, block
    ok &= (month >= 1) & (month <= 12) & (year >= MIN_YEAR) & (year <= MAX_YEAR) & (day >= 1)
    at = np.where(ok, (year - MIN_YEAR) * 12 + month - 1, 0)
    ok &= day <= _MONTH_DAYS[at]
    found = np.flatnonzero(ten)[ok] if rows is None else rows[ok]
    clean[found] = True
    days[found] = _MONTH_START[at[ok]] + day[ok] - 1
    return days, clean, empty


def _parse_text(arr, column: str, pivot_year: int) -> ParsedColumn:
    """Text dates in ``column``'s format: values in the column's exact shape straight from
    their bytes (``_strict``), the rest (other forms, repairs, unreadable) per distinct value."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    n = len(arr)
    days, clean, empty = _strict(arr, column)
    rest = ~clean & ~empty
    if not clean.any():
        return _parse_distinct(arr, column, pivot_year)
    kind = {"dd-mm-jjjj": "d4", "mm-dd-jjjj": "d4"}.get(column, column)
    # days to nanoseconds in one pass, NaT (the smallest int64) where not clean
    values = np.where(clean, days * 86_400_000_000_000, np.iinfo(np.int64).min).view("datetime64[ns]")
    out = ParsedColumn(values=values, missing=empty.copy(), invalid=np.zeros(n, bool),
                       repairs={"two_digit_year": np.zeros(n, bool),
                                "swapped_day_month": np.zeros(n, bool),
                                "mixed_date_format": np.zeros(n, bool)},
                       far_future=np.zeros(n, bool))
    if rest.any():
        other = _parse_distinct(arr.filter(pa.array(rest)), column, pivot_year)
        out.values[rest], out.missing[rest], out.invalid[rest] = \
            other.values, other.missing, other.invalid
        out.far_future[rest] = other.far_future
        for name, mask in other.repairs.items():
            out.repairs[name][rest] = mask
    return out


def _parse_distinct(arr, column: str, pivot_year: int) -> ParsedColumn:
    """Text dates parsed per distinct value (every form, repair and flag of the module
    docstring)."""
    codes, uniques = dictionary(arr)
    text = pd.Series(uniques, dtype=object).astype(str)
    parts = _classify(text)
    kind = parts["kind"].to_numpy()
    num = {c: pd.to_numeric(parts[c], errors="coerce").to_numpy(dtype=float)
           for c in ("a", "b", "c", "iy", "im", "id")}
    year, month, day = (np.full(len(text), np.nan) for _ in range(3))
    two_digit = np.zeros(len(text), bool)
    swapped = np.zeros(len(text), bool)
    # day-month-year family
    dm = np.isin(kind, ["d4", "d2"])
    first, second = (num["b"], num["a"]) if column == "mm-dd-jjjj" else (num["a"], num["b"])
    day[dm], month[dm] = first[dm], second[dm]
    year[dm] = num["c"][dm]
    two_digit = (kind == "d2")
    year[two_digit] = _two_digit(num["c"][two_digit], pivot_year)
    swap = dm & (month > 12) & (day <= 12)
    day[swap], month[swap] = month[swap], day[swap]
    swapped |= swap
    iso = kind == "iso"
    year[iso], month[iso], day[iso] = num["iy"][iso], num["im"][iso], num["id"][iso]
    swap = iso & (num["im"] > 12) & (num["id"] <= 12)
    day[swap], month[swap] = num["im"][swap], num["id"][swap]
    swapped |= swap
    values = _from_parts(year, month, day)
    ymd = kind == "yyyymmdd"
    if ymd.any():
        values[ymd] = _ns(pd.to_datetime(parts["ymd"][ymd], format="%Y%m%d",
                                         errors="coerce").to_numpy())
    serial = kind == "excel"
    if serial.any():
        values[serial] = _excel(pd.to_numeric(parts["serial"][serial]).to_numpy(dtype=float))
    blank = np.array([u.strip() == "" for u in text], dtype=bool)
    invalid = np.isnat(values) & ~blank
    ymd_year = pd.to_numeric(parts["ymd"].str[:4], errors="coerce").to_numpy(dtype=float)
    far = invalid & ((np.nan_to_num(year) > MAX_YEAR) | (np.nan_to_num(ymd_year) > MAX_YEAR))
    column_kind = {"dd-mm-jjjj": "d4", "mm-dd-jjjj": "d4", "dd-mm-jj": "d2"}.get(column, column)
    mixed = ~invalid & ~blank & (kind != column_kind) & ~((column_kind == "d4") & (kind == "d2"))
    extra = lambda a, fill: np.append(a, fill)  # noqa: E731  (row code -1 = null)
    values = extra(values, np.datetime64("NaT"))
    repairs = {"two_digit_year": extra(two_digit & ~invalid, False)[codes],
               "swapped_day_month": extra(swapped & ~invalid, False)[codes],
               "mixed_date_format": extra(mixed, False)[codes]}
    return ParsedColumn(values=values[codes], missing=extra(blank, True)[codes],
                        invalid=extra(invalid, False)[codes], repairs=repairs,
                        far_future=extra(far, False)[codes])


def _excel(serials: np.ndarray) -> np.ndarray:
    ok = np.isfinite(serials) & (serials >= 1) & (serials <= 2_958_465)
    out = np.full(len(serials), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[ok] = (_EXCEL_EPOCH + serials[ok].astype(np.int64).astype("timedelta64[D]")).astype("datetime64[ns]")
    year = out.astype("datetime64[Y]").astype(float) + 1970
    out[(year < MIN_YEAR) | (year > MAX_YEAR)] = np.datetime64("NaT")
    return out


def _parse_numeric(arr, column: str | None) -> ParsedColumn:
    values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    missing = np.isnan(values)
    whole = np.where(missing, 0, values)
    far = np.zeros(len(values), bool)
    if column == "yyyymmdd":
        text = pd.Series(whole.astype(np.int64).astype(str))
        out = _ns(pd.to_datetime(text.where(~missing), format="%Y%m%d",
                                 errors="coerce").to_numpy())
        far = whole >= (MAX_YEAR + 1) * 10_000
    else:
        out = _excel(values)
    out = out.astype("datetime64[ns]")
    invalid = np.isnat(out) & ~missing
    return ParsedColumn(values=out, missing=missing, invalid=invalid, far_future=far & invalid)
