"""Caseworker of each spell-month from the register's caseworker history (issue 21).

A caseworker panel attributes a client-month to the caseworker who held the client on the
first day of the month. Without a history (``Register.assignments`` is None) that is the
spell's caseworker for every month of the spell. With one, each spell is cut into
*segments*: runs of months with one caseworker, the intersection of the spell's months with
each of the client's assignments; months no assignment covers stay with the spell's
caseworker. All vectorised: one merge of spells with their client's assignments and one
sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import Register
from ._register_index import _NO_END, _codes

_LOW = -(np.iinfo(np.int64).max // 4)


@dataclass(frozen=True)
class Segments:
    """Runs of months of one spell with one caseworker (absolute month indices)."""

    spell: np.ndarray        # spell row of each segment
    cw: np.ndarray           # caseworker code
    lo: np.ndarray           # first month (``_LOW``: from the spell's first month)
    hi: np.ndarray           # last month (``_NO_END``: to the spell's last month)
    last: np.ndarray         # the segment holds the spell's last month (its termination)
    first: np.ndarray        # the segment holds the spell's first month (its intake)
    per_spell: bool          # one segment per spell, in spell order (no history)

    def find(self, spell: np.ndarray, month: np.ndarray) -> np.ndarray:
        """The segment of each (spell, month): the last one starting on or before the month
        (segments are sorted by spell, then month)."""
        if self.per_spell:
            return spell
        # a spell of one segment needs no search (most of them)
        first = np.searchsorted(self.spell, np.arange(self.spell.max() + 2))
        at = first[spell]
        many = np.flatnonzero(first[spell + 1] - at > 1)
        if len(many):
            key = self.spell * _SPAN + np.clip(self.lo, -_HALF, _HALF)
            q = spell[many] * _SPAN + np.clip(month[many], -_HALF, _HALF)
            order = np.argsort(q)          # sorted queries: the search stays local
            pos = np.empty(len(q), dtype=np.int64)
            pos[order] = np.searchsorted(key, q[order], side="right") - 1
            at[many] = np.clip(pos, 0, None)
        return at


_SPAN = np.int64(1 << 32)      # spells below 2**31; months (since 1970) within +-2**30
_HALF = np.int64(1 << 30)


def caseworker_codes(register: Register) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Codes of the spells' and the assignments' caseworkers over one sorted label set."""
    spells = register.spells
    if register.assignments is None:
        codes, labels = _codes(spells["caseworker"])
        return codes, None, labels
    a = register.assignments
    # the two columns' used categories, merged and sorted; each row's code remapped through
    # its column's categories (no string per row)
    cols = [pd.Series(pd.Categorical(c)) if not isinstance(c.dtype, pd.CategoricalDtype) else c
            for c in (spells["caseworker"], a["caseworker"])]
    used = [np.unique(c.cat.codes.to_numpy()) for c in cols]
    names = [np.asarray(c.cat.categories.astype(str), dtype=object)[u[u >= 0]]
             for c, u in zip(cols, used)]
    labels = np.unique(np.concatenate(names).astype(str))
    out = []
    for c in cols:
        where = pd.Index(labels).get_indexer(np.asarray(c.cat.categories.astype(str)))
        raw = c.cat.codes.to_numpy().astype(np.int64)
        out.append(np.where(raw >= 0, where[np.clip(raw, 0, None)], -1))
    return out[0], out[1], labels


def _month_from(dates: np.ndarray) -> np.ndarray:
    """First month start on or after each date (absolute month index)."""
    m = dates.astype("datetime64[M]")
    return m.astype(np.int64) + (m.astype("datetime64[ns]") < dates)


def _month_before(dates: np.ndarray) -> np.ndarray:
    """Last month start strictly before each date (``_NO_END`` for NaT)."""
    out = np.full(len(dates), _NO_END, dtype=np.int64)
    ok = ~np.isnat(dates)
    m = dates[ok].astype("datetime64[M]")
    out[ok] = m.astype(np.int64) - (m.astype("datetime64[ns]") == dates[ok])
    return out


def spell_segments(register: Register, spell_cw: np.ndarray, assignment_cw: np.ndarray | None,
                   first: np.ndarray, last: np.ndarray) -> Segments:
    """Cut each spell's months ``first..last`` (absolute; ``first`` without eligibility) by
    the client's assignments."""
    n = len(spell_cw)
    if assignment_cw is None:       # constant columns as read-only views of one value
        return Segments(np.arange(n), spell_cw, np.broadcast_to(np.int64(_LOW), n),
                        np.broadcast_to(np.int64(_NO_END), n), np.broadcast_to(True, n),
                        np.broadcast_to(True, n), True)
    a = register.assignments
    spell_client, a_client = register.assignment_client_codes
    a_lo = _month_from(a["from_date"].to_numpy(dtype="datetime64[ns]"))
    a_hi = _month_before(a["to_date"].to_numpy(dtype="datetime64[ns]"))
    pairs = pd.DataFrame({"spell": np.arange(n), "c": spell_client}).merge(
        pd.DataFrame({"row": np.arange(len(a)), "c": a_client}), on="c", sort=False)
    s, r = pairs["spell"].to_numpy(), pairs["row"].to_numpy()
    lo, hi = np.maximum(first[s], a_lo[r]), np.minimum(last[s], a_hi[r])
    ok = lo <= hi
    s, cw, lo, hi = s[ok], assignment_cw[r[ok]], lo[ok], hi[ok]
    order = np.lexsort((lo, s))
    s, cw, lo, hi = s[order], cw[order], lo[order], hi[order]
    # months no assignment covers: the spell's own caseworker (gaps before, between, after)
    same = np.append(False, s[1:] == s[:-1])
    prev_hi = np.where(same, np.append(0, hi[:-1]), first[s] - 1)
    gap = lo > prev_hi + 1
    gaps = [(s[gap], prev_hi[gap] + 1, lo[gap] - 1)]
    is_last = np.append(s[1:] != s[:-1], True)
    tail = is_last & (hi < last[s])
    gaps.append((s[tail], hi[tail] + 1, last[s[tail]]))
    covered = np.zeros(n, dtype=bool)
    covered[s] = True
    none = np.flatnonzero(~covered)
    gaps.append((none, first[none], last[none]))
    g_s = np.concatenate([g[0] for g in gaps])
    s = np.concatenate([s, g_s])
    cw = np.concatenate([cw, spell_cw[g_s]])
    lo = np.concatenate([lo, np.concatenate([g[1] for g in gaps])])
    hi = np.concatenate([hi, np.concatenate([g[2] for g in gaps])])
    order = np.lexsort((lo, s))
    s, cw, lo, hi = s[order], cw[order], lo[order], hi[order]
    # a spell never on a caseload (first > last) keeps one segment, for its intake
    lo_first = np.append(True, s[1:] != s[:-1])
    lo = np.where(lo_first, _LOW, lo)
    hi_last = np.append(s[1:] != s[:-1], True)
    hi = np.where(hi_last, _NO_END, hi)
    return Segments(s, cw, lo, hi, hi_last, lo_first, False)
