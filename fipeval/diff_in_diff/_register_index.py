"""Fast lookups on a Register for the panels: day numbers, a day -> month calendar, client
codes and the spell running on each event's date. Everything is vectorised; the only
sorts are one ``argsort`` of the spells and one of the events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import InputError
from ..schema import Register

_EPOCH = np.datetime64("1900-01-01", "D")


# ------------------------------------------------------------------ month arithmetic
def _month_index(dates) -> np.ndarray:
    """Months since January 1970 of each date (NaT -> a very large number)."""
    d = np.asarray(dates, dtype="datetime64[ns]")
    out = np.full(d.shape, np.iinfo(np.int64).max // 4, dtype=np.int64)
    ok = ~np.isnat(d)
    out[ok] = d[ok].astype("datetime64[M]").astype(np.int64)
    return out


def _month_start(index) -> np.ndarray:
    return np.asarray(index, dtype=np.int64).astype("datetime64[M]").astype("datetime64[ns]")


def _window(register: Register, start, end) -> tuple[int, int]:
    spells = register.spells
    if start is None:
        first = spells["start_date"].min()
        if pd.isna(first):
            raise InputError("The register has no spells: there is nothing to put in a panel.")
        m = int(_month_index([first])[0])
        start_m = m if pd.Timestamp(first).day == 1 else m + 1
    else:
        start_m = int(_month_index([pd.Timestamp(start)])[0])
    if end is None:
        extract = register.extract_date
        if extract is None or pd.isna(extract):
            raise InputError("The register has no extract date; pass `end=` (the last month).")
        # month m is complete when the first day of m + 1 is on or before the extract date
        end_m = int(_month_index([extract])[0]) - 1
    else:
        end_m = int(_month_index([pd.Timestamp(end)])[0])
    if end_m < start_m:
        raise InputError(f"The panel window is empty: last month {_month_start([end_m])[0]} "
                         f"is before the first month {_month_start([start_m])[0]}; check "
                         "`start`/`end` and the extract date.")
    return start_m, end_m


_NO_END = np.iinfo(np.int64).max // 4
_SHIFT = np.int64(1 << 24)  # day numbers since 1900 stay below 2**24 until the year 47,000


class _Prepared:
    """Day numbers, client codes and a day -> month calendar, computed once per register."""

    def __init__(self, register: Register, extra_days: int = 2200):
        spells = register.spells
        self.spells = spells
        self.start = self._days(spells["start_date"])
        end = self._days(spells["end_date"])
        self.ended = end != _NO_END
        self.end = end
        tables = (register.events, register.contacts)
        self.t_days = [self._days(t["date"]) for t in tables]
        # client ids: 64-bit hashes, made dense; every match found through them is checked
        # against the ids themselves, so a hash collision can only leave an event
        # unattributed, never attribute it to the wrong client. Ids of one width (keyed
        # hashes of the BSN) are hashed and compared as the bytes Arrow holds, without a
        # Python object per id. Other Arrow strings get exact codes from one Arrow
        # dictionary encoding (no check needed; a Python string per id would take ~100
        # bytes, 3 GB for a register of 12 million spells); other ids are Python strings.
        columns = [spells["client_id"]] + [t["client_id"] for t in tables]
        words = [_fixed_width_words(c) for c in columns]
        self._words = self.ids = None
        if all(w is not None for w in words) and len({w[1] for w in words}) == 1:
            self._words = [w[0] for w in words]
            codes = pd.factorize(np.concatenate([_mix64(w) for w in self._words]))[0]
        elif (codes := _arrow_codes(columns)) is None:
            self.ids = [c.to_numpy(dtype=object) for c in columns]
            hashes = np.concatenate([pd.util.hash_array(i, categorize=False) for i in self.ids])
            codes = pd.factorize(hashes)[0]
        codes = codes.astype(np.int32 if len(codes) < 2**31 else np.int64)
        n_s, n_e = len(spells), len(tables[0])
        self.client = codes[:n_s]
        self.t_client = [codes[n_s:n_s + n_e], codes[n_s + n_e:]]
        finite = [d[d != _NO_END] for d in [self.start, end] + self.t_days]
        finite = [d for d in finite if len(d)]
        lo = min(int(d.min()) for d in finite) - 31 if finite else 0
        hi = max(int(d.max()) for d in finite) + extra_days if finite else 1
        days = np.arange(lo, hi + 1)
        dates = _EPOCH + days.astype("timedelta64[D]")
        months = dates.astype("datetime64[M]")
        self.lo = lo
        self.month_of = months.astype(np.int64)
        self.is_first = dates == months.astype("datetime64[D]")
        # per day: the first month starting on or after it, the last starting before it
        self.month_from = self.month_of + (~self.is_first)
        self.month_before = self.month_of - self.is_first
        self._spell_order = None

    @staticmethod
    def _days(values: pd.Series) -> np.ndarray:
        d = values.to_numpy(dtype="datetime64[D]")
        out = np.full(len(d), _NO_END, dtype=np.int64)
        ok = ~np.isnat(d)
        out[ok] = (d[ok] - _EPOCH).astype(np.int64)
        return out

    def month(self, days: np.ndarray) -> np.ndarray:
        """Month index (months since 1970-01) of day numbers (``_NO_END`` stays)."""
        ok = days != _NO_END
        out = np.full(len(days), _NO_END, dtype=np.int64)
        out[ok] = self.month_of[days[ok] - self.lo]
        return out

    def spell_months(self, min_months: float | None = None):
        """First and last month (absolute index) on a caseload, and whether the spell ended.

        The first month is the first month start on or after the spell start (plus
        ``min_months`` months of days / 30.4375, as in ``build_cohort``); the last the last
        month start strictly before the end date.
        """
        last = np.full(len(self.start), _NO_END, dtype=np.int64)
        last[self.ended] = self.month_before[self.end[self.ended] - self.lo]
        return self.first_month(min_months), last, self.ended.copy()

    def first_month(self, min_months: float | None = None, rows=None) -> np.ndarray:
        """The first month of ``spell_months`` (of the spells ``rows``, default all)."""
        idx = (self.start if rows is None else self.start[rows]) - self.lo
        if min_months:
            idx = idx + int(np.ceil(float(min_months) * 30.4375 - 1e-9))
        return self.month_from[idx]

    def continued(self) -> np.ndarray:
        """Rows whose end is not a termination: "bus form" rows (a new row when an attribute
        such as the caseworker changes) that end without a reason and are followed by a row
        of the same client starting on the end date or the day after."""
        out = np.zeros(len(self.start), dtype=bool)
        open_ended = self.ended & self.spells["end_reason"].isna().to_numpy()
        if not open_ended.any():
            return out
        order = np.lexsort((self.start, self.client))
        cid, nxt = self.client[order], self.start[order]
        same = np.append(cid[1:] == cid[:-1], False)
        gap = np.append(nxt[1:], _NO_END) - self.end[order]
        cont = same & (gap >= 0) & (gap <= 1) & open_ended[order]
        at = np.flatnonzero(cont)
        cont[at] &= self.same_client(0, order[at], 0, order[at + 1])
        out[order] = cont
        return out

    def same_client(self, a: int, rows_a: np.ndarray, b: int, rows_b: np.ndarray) -> np.ndarray:
        """Whether the client ids of rows ``rows_a`` of table ``a`` equal those of ``rows_b``
        of table ``b`` (tables: 0 spells, 1 events, 2 contacts)."""
        if self._words is None:
            if self.ids is None:      # exact codes: equal codes are equal ids
                return np.ones(len(rows_a), dtype=bool)
            return self.ids[a][rows_a] == self.ids[b][rows_b]
        same = np.ones(len(rows_a), dtype=bool)
        for word_a, word_b in zip(self._words[a], self._words[b]):
            same &= word_a[rows_a] == word_b[rows_b]
        return same

    def attribute(self, which: int) -> np.ndarray:
        """Spell row running on each event (0) or contact (1) date, end date included; -1."""
        t_client, t_day = self.t_client[which], self.t_days[which]
        if len(t_day) == 0 or len(self.start) == 0:
            return np.full(len(t_day), -1, dtype=np.int64)
        if self._spell_order is None:   # spells sorted by client and start, once
            s_key = self.client * _SHIFT + self.start
            order = np.argsort(s_key, kind="stable")
            self._spell_order = order, s_key[order]
        order, sorted_key = self._spell_order
        q_key = t_client * _SHIFT + np.where(t_day == _NO_END, 0, t_day)
        q_order = np.argsort(q_key)     # any order: it only makes the searches local
        pos = np.empty(len(q_key), dtype=np.int64)
        pos[q_order] = np.searchsorted(sorted_key, q_key[q_order], side="right") - 1
        del q_key, q_order
        row = order[np.clip(pos, 0, None)]
        row[pos < 0] = -1
        del pos
        safe = np.clip(row, 0, None)
        ok = (row >= 0) & (self.client[safe] == t_client) & (t_day != _NO_END)
        ok &= t_day <= self.end[safe]
        at = np.flatnonzero(ok)
        ok[at] = self.same_client(1 + which, at, 0, row[at])
        return np.where(ok, row, -1)


def _arrow_strings(col: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow strings behind a column (its own buffers, no copy); None for others."""
    if not hasattr(col.array, "__arrow_array__"):
        return None
    arr = pa.array(col.array)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def _arrow_codes(columns: list[pd.Series]) -> np.ndarray | None:
    """Dense codes of the values of Arrow string columns, over all of them (one Arrow
    dictionary encoding: equal codes are equal strings); None unless all are Arrow strings
    of one type."""
    arrays = [_arrow_strings(c) for c in columns]
    if any(a is None for a in arrays) or len({a.type for a in arrays}) != 1:
        return None
    chunks = [chunk for a in arrays for chunk in a.chunks]
    if not chunks:
        return np.zeros(0, dtype=np.int64)
    encoded = pa.chunked_array(chunks, type=arrays[0].type).dictionary_encode(
        null_encoding="encode")
    # one memo over the chunks, numbered in order of first appearance: a chunk's indices
    # refer to the final dictionary (or to a prefix of it)
    return np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in encoded.chunks]
                          or [np.zeros(0, dtype=np.int32)])


def _fixed_width_words(col: pd.Series) -> tuple[list[np.ndarray], int] | None:
    """Arrow-backed strings that all have one byte length L, as ceil(L / 8) uint64 arrays
    of n values (byte 8j to 8j + 7 of each string, zero-padded; views of Arrow's buffer when
    L is a multiple of 8) and L; None for other columns (missing values, varying lengths,
    Python strings)."""
    arr = _arrow_strings(col)
    if arr is None:
        return None
    arr = arr.combine_chunks()
    if arr.null_count:
        return None
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if pa.types.is_large_string(arr.type)
                            else np.int32)[arr.offset:arr.offset + n + 1]
    width = int(offsets[1] - offsets[0]) if n else 0
    if width == 0 or np.any(np.diff(offsets) != width):
        return None
    raw = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]].reshape(n, width)
    if width % 8:
        padded = np.zeros((n, 8 * (width // 8 + 1)), dtype=np.uint8)
        padded[:, :width] = raw
        raw = padded
    words = raw.view(np.uint64)
    return [words[:, j] for j in range(words.shape[1])], width


def _mix64(words: list[np.ndarray]) -> np.ndarray:
    """A 64-bit hash per position of equally long uint64 arrays (splitmix64's finaliser,
    chained over the arrays)."""
    h = np.zeros(len(words[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j, word in enumerate(words):
            z = h ^ (word + _GOLDEN * np.uint64(j + 1))
            z = (z ^ (z >> np.uint64(30))) * _MIX1
            z = (z ^ (z >> np.uint64(27))) * _MIX2
            h = z ^ (z >> np.uint64(31))
    return h


_GOLDEN, _MIX1, _MIX2 = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9),
                         np.uint64(0x94D049BB133111EB))


def _codes(col: pd.Series, sort: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes (-1 for missing) and labels of the values that occur (sorted if asked)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        raw = col.cat.codes.to_numpy().astype(np.int64)
        used = np.unique(raw[raw >= 0])
        remap = np.full(len(col.cat.categories) + 1, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        labels = np.asarray(col.cat.categories.astype(str))[used]
        order = np.argsort(labels, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes = np.where(raw >= 0, rank[remap[np.where(raw >= 0, raw, 0)]], -1)
        return codes, labels[order]
    codes, labels = pd.factorize(col.to_numpy(dtype=object), sort=sort)
    return codes.astype(np.int64), np.asarray(labels, dtype=object).astype(str)


def _take_categorical(col: pd.Series, rows: np.ndarray, sort: bool = True) -> pd.Categorical:
    codes, labels = _codes(col, sort=sort)
    return pd.Categorical.from_codes(codes[rows], categories=labels)


def _kind_codes(table: pd.DataFrame, kinds: tuple) -> np.ndarray:
    """Position of each row's ``kind`` in ``kinds`` (-1 if missing or other)."""
    col = table["kind"]
    if isinstance(col.dtype, pd.CategoricalDtype) and tuple(col.cat.categories) == tuple(kinds):
        return col.cat.codes.to_numpy().astype(np.int64)
    return pd.Categorical(col.astype("string"), categories=kinds).codes.astype(np.int64)


def _dominant(values_codes: np.ndarray, groups: np.ndarray, n_groups: int, n_values: int):
    """For each group, the most frequent value code (ties: the lowest code)."""
    counts = np.bincount(groups * n_values + values_codes,
                         minlength=n_groups * n_values).reshape(n_groups, n_values)
    return counts.argmax(axis=1)
