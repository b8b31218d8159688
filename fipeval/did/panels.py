"""Caseworker-by-month and client-by-month panels built from a Register in linear time.

The study plan compares the results of the participating caseworkers before and after the
start of FIP with those of the other caseworkers. These panels are the data for that
comparison.

Counting rules (the same as ``fipeval.design.build_cohort``):

- A spell is *running* on day ``d`` when ``start_date <= d < end_date`` (or ``end_date`` is
  missing). A client is on a caseworker's **caseload** of month ``m`` when the spell is
  running on the first day of ``m``.
- A **termination** is counted in month ``m`` when a spell on the caseload of ``m`` ends in
  ``(first day of m, first day of m + 1]``; so every counted termination belongs to the
  caseload of its month and ``termination_rate = terminations / caseload`` is a monthly
  exit probability. Spells that start and end between two month starts never sit on a
  caseload and are not counted (they are counted in ``intake``).
- A row that ends without an end reason and is followed by a row of the same client that
  starts on its end date or the next day is a continuation ("bus form": a new row when the
  caseworker changes), not a termination; the client moves to the new row's caseworker.
- **Events** (fraud signals, activation steps) and **contacts** belong to the spell running
  on their date (the end date itself included) and are counted in the calendar month of
  their date; events outside every spell are not counted (their number is in
  ``panel.attrs["unattributed_events"]``).
- The default window runs from the first month start any spell covers to the last month
  that ends on or before the extract date (later months are incomplete).

Every step is a sort-free scatter (``np.bincount`` over difference arrays or over
``unit * n_months + month`` keys) apart from one ``searchsorted`` that attributes events to
spells, so a register of millions of spells takes seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import ACTIVATION_KINDS, END_REASONS, Register

__all__ = ["caseworker_panel", "client_panel", "to_quarters", "mark_treatment",
           "COUNT_COLUMNS", "RATE_COLUMNS"]

COUNT_COLUMNS = (("intake", "terminations") + tuple(f"terminations_{r}" for r in END_REASONS)
                 + ("fraud_signals", "activations") + tuple(ACTIVATION_KINDS)
                 + ("contacts", "fip_talks"))
# rate column -> numerator; the denominator is the caseload (client-months at risk)
RATE_COLUMNS = {"termination_rate": "terminations", "fraud_signal_rate": "fraud_signals",
                "activation_rate": "activations", "contact_rate": "contacts"}
_EPOCH = np.datetime64("1900-01-01", "D")
DURATION_BANDS = (6, 12, 24, 60)  # months on benefit: the bands of the exit-hazard curve


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


def _spell_months(spells: pd.DataFrame, min_months: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last month (absolute index) on a caseload, and whether it ends in the last.

    With ``min_months`` the first month is the first month start at least that many months
    (days / 30.4375, as in ``build_cohort``) after the spell start.
    """
    start = spells["start_date"].to_numpy(dtype="datetime64[ns]")
    if min_months:
        days = np.ceil(float(min_months) * 30.4375 - 1e-9).astype(np.int64)
        start = start + np.timedelta64(int(days), "D")
    end = spells["end_date"].to_numpy(dtype="datetime64[ns]")
    s_m = _month_index(start)
    first = s_m + (start != _month_start(s_m)).astype(np.int64)      # first month start >= start
    ended = ~np.isnat(end)
    e_m = _month_index(end)
    # last month start strictly before end_date
    last = np.where(ended, e_m - (end == _month_start(np.where(ended, e_m, 0))).astype(np.int64),
                    np.iinfo(np.int64).max // 4)
    return first, last, ended


def _continued(spells: pd.DataFrame) -> np.ndarray:
    """Rows whose end is not a termination: "bus form" rows (a new row when an attribute such
    as the caseworker changes) that end without a reason and are followed by a row of the
    same client starting on the end date or the day after."""
    end = spells["end_date"].to_numpy(dtype="datetime64[ns]")
    out = np.zeros(len(spells), dtype=bool)
    open_ended = ~np.isnat(end) & spells["end_reason"].isna().to_numpy()
    if not open_ended.any():
        return out
    order = np.lexsort((spells["start_date"].to_numpy(dtype="datetime64[ns]"),
                        pd.factorize(spells["client_id"])[0]))
    cid = pd.factorize(spells["client_id"])[0][order]
    nxt_start = spells["start_date"].to_numpy(dtype="datetime64[ns]")[order]
    same = np.append(cid[1:] == cid[:-1], False)
    gap = np.append(nxt_start[1:], np.datetime64("NaT")) - end[order]
    cont = same & (gap >= np.timedelta64(0, "D")) & (gap <= np.timedelta64(1, "D"))
    out[order] = cont & open_ended[order]
    return out


def _attribute_to_spells(spells: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """Row of ``spells`` running on each row's date (end date included), or -1."""
    if len(table) == 0 or len(spells) == 0:
        return np.full(len(table), -1, dtype=np.int64)
    codes, uniques = pd.factorize(spells["client_id"], sort=False)
    t_codes = pd.Index(uniques).get_indexer(table["client_id"])
    s_day = (spells["start_date"].to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int64)
    t_day = (table["date"].to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int64)
    shift = np.int64(1 << 24)  # days since 1900 stay below 2**24 until the year 47,000
    s_key = codes.astype(np.int64) * shift + s_day
    order = np.argsort(s_key, kind="stable")
    pos = np.searchsorted(s_key[order], t_codes.astype(np.int64) * shift + t_day, side="right") - 1
    row = np.where(pos >= 0, order[np.clip(pos, 0, None)], -1)
    end = spells["end_date"].to_numpy(dtype="datetime64[ns]")
    ok = (t_codes >= 0) & (row >= 0)
    ok &= codes[np.clip(row, 0, None)] == t_codes
    e = end[np.clip(row, 0, None)]
    ok &= np.isnat(e) | (table["date"].to_numpy(dtype="datetime64[ns]") <= e)
    return np.where(ok, row, -1)


def _dominant(values_codes: np.ndarray, groups: np.ndarray, n_groups: int, n_values: int):
    """For each group, the most frequent value code (ties: the lowest code)."""
    counts = np.bincount(groups * n_values + values_codes,
                         minlength=n_groups * n_values).reshape(n_groups, n_values)
    return counts.argmax(axis=1)


# ------------------------------------------------------------------ caseworker panel
def caseworker_panel(register: Register, *, start=None, end=None, freq: str = "month",
                     design=None, min_months_on_benefit: float | None = None,
                     max_ladder_rung: int | None = None,
                     duration_bands: tuple | None = DURATION_BANDS) -> pd.DataFrame:
    """Caseworker-by-month panel: caseload, terminations (by reason), events, contacts.

    Parameters
    ----------
    register : Register
        The canonical register.
    start, end : date-like, optional
        First and last month of the window (any day in the month). Defaults: the first month
        start covered by a spell, and the last complete month before the extract date.
    freq : {"month", "quarter"}
        ``"quarter"`` aggregates with :func:`to_quarters`.
    design : StudyDesign, optional
        When given, adds the treatment columns of :func:`mark_treatment`.
    min_months_on_benefit, max_ladder_rung : optional
        Count only *eligible* client-months: clients on benefit at least this many months
        (days / 30.4375) at the start of the month, with a participatieladder rung at most
        this. Use the study's eligibility rules so the caseloads compared before and after
        the start hold the same kind of clients (FIP caseloads often hold only eligible
        clients). Intake counts are not filtered.
    duration_bands : tuple of float, optional
        Upper bounds (months on benefit) of the duration bands for indirect
        standardisation: ``expected_terminations`` is the sum over the caseload of the
        termination rate of the reference caseworkers (all caseworkers, or the non-FIP ones
        when ``design`` is given) in the same month and duration band, and
        ``excess_termination_rate = (terminations - expected_terminations) / caseload``.
        A FIP caseload is closed at the start and ages, while other caseloads take in new
        clients, and the exit hazard falls steeply with time on benefit; the raw termination
        rate of a closed caseload therefore falls even without any effect, and a DiD on it is
        biased downward. The excess rate removes that composition change (within bands).
        ``None`` leaves both columns out.

    Returns
    -------
    DataFrame
        One row per caseworker and month of the window (a full grid, months with an empty
        caseload included): ``caseworker, municipality, month, period`` (0, 1, ... from the
        window start), ``caseload`` (clients on the caseload at the start of the month),
        the counts in ``COUNT_COLUMNS`` and the rates in ``RATE_COLUMNS`` (per client on the
        caseload; NaN when the caseload is empty). ``municipality`` is the caseworker's most
        frequent municipality.

    Examples
    --------
    >>> import pandas as pd
    >>> from fipeval import Register
    >>> spells = pd.DataFrame({"client_id": ["a", "b"], "municipality": "X",
    ...     "caseworker": ["k1", "k1"], "start_date": pd.to_datetime(["2014-01-01", "2014-02-10"]),
    ...     "end_date": pd.to_datetime(["2014-03-15", None]), "end_reason": ["work", None]})
    >>> panel = caseworker_panel(Register(spells, extract_date="2014-06-01"))
    >>> panel[["month", "caseload", "terminations"]].to_numpy().tolist()[:3]  # doctest: +SKIP
    """
    from ..errors import check_option
    check_option("freq", freq, ("month", "quarter"))
    start_m, end_m = _window(register, start, end)
    n_months = end_m - start_m + 1
    spells = register.spells
    cw_codes, caseworkers = pd.factorize(spells["caseworker"].astype("string"), sort=True)
    if (cw_codes < 0).any():
        raise InputError(f"{int((cw_codes < 0).sum())} spell(s) have no `caseworker` (first: row "
                         f"{int(np.flatnonzero(cw_codes < 0)[0])}); a caseworker panel needs one "
                         "for every spell: fill them in the loader's mapping or drop those spells.")
    n_cw = len(caseworkers)
    first, last, ended = _spell_months(spells, min_months_on_benefit)
    ended &= ~_continued(spells)
    if max_ladder_rung is not None:
        rung = spells["ladder_rung"].astype("float64").to_numpy()
        first = np.where(np.nan_to_num(rung, nan=np.inf) <= max_ladder_rung, first,
                         np.iinfo(np.int64).max // 4)
    lo = np.maximum(first, start_m) - start_m
    hi = np.minimum(last, end_m) - start_m
    on = lo <= hi

    # caseload by a difference array: +1 at the first month, -1 after the last
    diff = np.bincount(cw_codes[on] * (n_months + 1) + lo[on], minlength=n_cw * (n_months + 1))
    diff -= np.bincount(cw_codes[on] * (n_months + 1) + hi[on] + 1, minlength=n_cw * (n_months + 1))
    caseload = np.cumsum(diff.reshape(n_cw, n_months + 1), axis=1)[:, :n_months].ravel()

    size = n_cw * n_months
    counts: dict[str, np.ndarray] = {}
    s_m = _month_index(spells["start_date"].to_numpy()) - start_m
    in_win = (s_m >= 0) & (s_m < n_months)
    counts["intake"] = np.bincount(cw_codes[in_win] * n_months + s_m[in_win], minlength=size)
    term = on & ended & (last <= end_m) & (last >= start_m)
    key = cw_codes[term] * n_months + (last[term] - start_m)
    counts["terminations"] = np.bincount(key, minlength=size)
    reason = pd.Categorical(spells["end_reason"], categories=END_REASONS).codes[term]
    for j, r in enumerate(END_REASONS):
        counts[f"terminations_{r}"] = np.bincount(key[reason == j], minlength=size)

    unattributed = 0
    for table, kinds in ((register.events, None), (register.contacts, "contacts")):
        row = _attribute_to_spells(spells, table)
        unattributed += int((row < 0).sum()) if kinds is None else 0
        month = _month_index(table["date"].to_numpy()) - start_m
        ok = row >= 0
        ok[ok] &= (month[ok] >= lo[row[ok]]) & (month[ok] <= hi[row[ok]])  # on the caseload
        k = cw_codes[row[ok]] * n_months + month[ok]
        kind = table["kind"].astype(str).to_numpy()[ok]
        if kinds is None:
            counts["fraud_signals"] = np.bincount(k[kind == "fraud_signal"], minlength=size)
            for a in ACTIVATION_KINDS:
                counts[a] = np.bincount(k[kind == a], minlength=size)
            counts["activations"] = sum(counts[a] for a in ACTIVATION_KINDS)
        else:
            counts["contacts"] = np.bincount(k, minlength=size)
            counts["fip_talks"] = np.bincount(k[kind == "fip_talk"], minlength=size)

    mun_codes, municipalities = pd.factorize(spells["municipality"].astype("string"), sort=True)
    home = _dominant(np.where(mun_codes < 0, 0, mun_codes), cw_codes, n_cw,
                     max(len(municipalities), 1))
    panel = pd.DataFrame({
        "caseworker": pd.Categorical.from_codes(np.repeat(np.arange(n_cw), n_months),
                                                categories=caseworkers.astype(str)),
        "municipality": pd.Categorical.from_codes(np.repeat(home, n_months),
                                                  categories=municipalities.astype(str))
        if len(municipalities) else pd.Categorical([None] * size),
        "month": np.tile(_month_start(np.arange(start_m, end_m + 1)), n_cw),
        "period": np.tile(np.arange(n_months, dtype=np.int64), n_cw),
        "caseload": caseload.astype(np.int64),
    })
    for c in COUNT_COLUMNS:
        panel[c] = counts[c].astype(np.int64)
    _add_rates(panel, "caseload")
    if duration_bands:
        reference = np.ones(n_cw, dtype=bool)
        if design is not None:
            fip = {str(c) for site in design.sites for c in site.fip_caseworkers}
            reference = ~np.isin(caseworkers.astype(str), list(fip))
        expected = _expected_terminations(spells, cw_codes, n_cw, first, last, ended, start_m,
                                          n_months, tuple(duration_bands), reference)
        panel["expected_terminations"] = expected
        with np.errstate(invalid="ignore", divide="ignore"):
            panel["excess_termination_rate"] = np.where(
                caseload > 0, (counts["terminations"] - expected) / np.where(caseload > 0, caseload, 1),
                np.nan)
    panel.attrs["unattributed_events"] = unattributed
    panel.attrs["unit"] = "caseworker"
    if design is not None:
        panel = mark_treatment(panel, design)
    if freq == "quarter":
        panel = to_quarters(panel)
    return panel


def _expected_terminations(spells, cw_codes, n_cw, first, last, ended, start_m, n_months,
                           bands, reference) -> np.ndarray:
    """Indirectly standardised terminations per caseworker-month (see ``caseworker_panel``)."""
    lowers = (0.0,) + tuple(float(b) for b in bands)
    entry = [np.maximum(_spell_months(spells, L or None)[0], first) for L in lowers]
    n_b = len(lowers)
    width = n_months + 1
    caseload = np.zeros(n_cw * n_b * width, dtype=np.int64)
    term = np.zeros(n_cw * n_b * n_months, dtype=np.int64)
    done = ended & (last >= start_m) & (last < start_m + n_months)
    for b in range(n_b):
        stop = last if b == n_b - 1 else np.minimum(last, entry[b + 1] - 1)
        lo = np.maximum(entry[b], start_m) - start_m
        hi = np.minimum(stop, start_m + n_months - 1) - start_m
        on = lo <= hi
        base = (cw_codes[on] * n_b + b) * width
        caseload += np.bincount(base + lo[on], minlength=caseload.size)
        caseload -= np.bincount(base + hi[on] + 1, minlength=caseload.size)
        t = on & done & (last <= stop) & (last >= entry[b])
        term += np.bincount((cw_codes[t] * n_b + b) * n_months + last[t] - start_m,
                            minlength=term.size)
    cl = np.cumsum(caseload.reshape(n_cw, n_b, width), axis=2)[:, :, :n_months]
    tm = term.reshape(n_cw, n_b, n_months)
    ref_cl = cl[reference].sum(axis=0)
    ref_tm = tm[reference].sum(axis=0)
    rate = np.divide(ref_tm, ref_cl, out=np.zeros(ref_cl.shape), where=ref_cl > 0)
    return np.einsum("cbm,bm->cm", cl, rate).ravel()


def _add_rates(panel: pd.DataFrame, exposure: str) -> None:
    denom = panel[exposure].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        for rate, num in RATE_COLUMNS.items():
            panel[rate] = np.where(denom > 0, panel[num].to_numpy() / np.where(denom > 0, denom, 1),
                                   np.nan)


# ------------------------------------------------------------------ client panel
def client_panel(register: Register, *, start=None, end=None, design=None) -> pd.DataFrame:
    """Client-by-month panel: one row per client and month the client is on a caseload.

    Parameters
    ----------
    register : Register
    start, end : date-like, optional
        The window, as in :func:`caseworker_panel`.
    design : StudyDesign, optional
        Adds ``fip`` (the row's caseworker is a FIP caseworker of the site, or the client is
        a listed FIP client), ``first_treated``, ``post`` and ``event_time``.

    Returns
    -------
    DataFrame
        ``client_id, caseworker, municipality, month, period, months_on_benefit`` (at the
        start of the month, since the spell started), ``terminated`` (0/1),
        ``end_reason`` (when terminated), ``fraud_signals, activations, contacts``.

    Examples
    --------
    >>> import pandas as pd
    >>> from fipeval import Register
    >>> spells = pd.DataFrame({"client_id": ["a"], "municipality": "X", "caseworker": ["k1"],
    ...     "start_date": pd.to_datetime(["2014-01-01"]), "end_date": pd.to_datetime(["2014-03-15"]),
    ...     "end_reason": ["work"]})
    >>> client_panel(Register(spells, extract_date="2014-06-01"))["terminated"].tolist()
    [0, 0, 1]
    """
    start_m, end_m = _window(register, start, end)
    n_months = end_m - start_m + 1
    spells = register.spells
    first, last, ended = _spell_months(spells)
    ended &= ~_continued(spells)
    lo = np.maximum(first, start_m)
    hi = np.minimum(last, end_m)
    length = np.clip(hi - lo + 1, 0, None)
    offset = np.concatenate([[0], np.cumsum(length)])
    n = int(offset[-1])
    spell_row = np.repeat(np.arange(len(spells)), length)
    within = np.arange(n, dtype=np.int64) - offset[:-1][spell_row]
    month = lo[spell_row] + within
    terminated = ended[spell_row] & (month == last[spell_row])
    start_day = spells["start_date"].to_numpy(dtype="datetime64[ns]")[spell_row]
    months_on = (_month_start(month) - start_day) / np.timedelta64(1, "D") / 30.4375

    panel = pd.DataFrame({
        "client_id": spells["client_id"].to_numpy()[spell_row],
        "caseworker": spells["caseworker"].to_numpy()[spell_row],
        "municipality": spells["municipality"].to_numpy()[spell_row],
        "month": _month_start(month),
        "period": (month - start_m).astype(np.int64),
        "months_on_benefit": months_on,
        "terminated": terminated.astype(np.int64),
        "end_reason": pd.Categorical(spells["end_reason"], categories=END_REASONS)[spell_row],
    })
    panel.loc[~terminated, "end_reason"] = np.nan
    for table, name in ((register.events, "events"), (register.contacts, "contacts")):
        row = _attribute_to_spells(spells, table)
        m = _month_index(table["date"].to_numpy())
        ok = (row >= 0)
        ok[ok] &= (m[ok] >= lo[row[ok]]) & (m[ok] <= hi[row[ok]])
        pos = offset[row[ok]] + (m[ok] - lo[row[ok]])
        kind = table["kind"].astype(str).to_numpy()[ok]
        if name == "events":
            panel["fraud_signals"] = np.bincount(pos[kind == "fraud_signal"], minlength=n)
            panel["activations"] = np.bincount(pos[np.isin(kind, ACTIVATION_KINDS)], minlength=n)
        else:
            panel["contacts"] = np.bincount(pos, minlength=n)
    panel.attrs["unit"] = "client_id"
    if design is not None:
        panel = mark_treatment(panel, design)
    return panel


# ------------------------------------------------------------------ treatment and quarters
def mark_treatment(panel: pd.DataFrame, design) -> pd.DataFrame:
    """Add ``fip``, ``first_treated``, ``post`` and ``event_time`` from a StudyDesign.

    A caseworker is FIP when listed in a site's ``fip_caseworkers``; that site's start date
    gives ``first_treated`` (NaT for the others), ``post`` is 1 from the start month on for
    FIP rows, and ``event_time`` counts months from the start month (NaN for controls).
    Sites that give only ``fip_clients`` mark those clients in a client panel; in a
    caseworker panel their FIP caseworkers are the ones whose caseload at the start month
    holds a majority of listed FIP clients.

    Examples
    --------
    >>> # panel = mark_treatment(caseworker_panel(register), design)  # doctest: +SKIP
    """
    out = panel.copy()
    unit_col = "client_id" if "client_id" in out.columns else "caseworker"
    first = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    cw = out["caseworker"].astype(str)
    for site in design.sites:
        start = pd.Timestamp(site.start_date).to_period("M").to_timestamp()
        rows = pd.Series(False, index=out.index)
        if site.fip_caseworkers:
            rows |= cw.isin([str(c) for c in site.fip_caseworkers])
        if site.fip_clients and unit_col == "client_id":
            rows |= out["client_id"].isin(site.fip_clients)
        if site.municipality is not None:
            rows &= out["municipality"].astype(str) == str(site.municipality)
        first = first.mask(rows & first.isna(), start)
    out["fip"] = first.notna().astype(np.int64)
    out["first_treated"] = first
    month = out["month"].to_numpy(dtype="datetime64[M]").astype(np.int64)
    ft = first.to_numpy(dtype="datetime64[ns]")
    ft_m = np.where(np.isnat(ft), 0, ft.astype("datetime64[M]").astype(np.int64))
    event_time = np.where(np.isnat(ft), np.nan, (month - ft_m).astype(float))
    out["event_time"] = event_time
    out["post"] = (np.nan_to_num(event_time, nan=-1) >= 0).astype(np.int64)
    return out


def to_quarters(panel: pd.DataFrame) -> pd.DataFrame:
    """Aggregate a caseworker-month panel to calendar quarters.

    Counts are summed; ``caseload`` is the caseload at the start of the quarter and
    ``client_months`` the sum of the monthly caseloads (the exposure). Rates are per
    client-month (``terminations / client_months``), so they compare with monthly rates.
    Only quarters whose three months all lie in the panel are kept.

    Examples
    --------
    >>> # quarterly = to_quarters(caseworker_panel(register))  # doctest: +SKIP
    """
    if "caseload" not in panel.columns or "caseworker" not in panel.columns:
        raise InputError("`to_quarters` needs a caseworker panel (columns `caseworker`, "
                         "`caseload`); build it with `caseworker_panel`.")
    m = panel["month"].to_numpy(dtype="datetime64[M]").astype(np.int64)
    q = m // 3
    counts = np.bincount(q - q.min())
    full = counts[q - q.min()] == 3 * panel["caseworker"].nunique()
    df = panel.loc[full].assign(_q=q[full], _first=(m[full] % 3 == 0))
    keys = ["caseworker", "_q"]
    num = [c for c in COUNT_COLUMNS if c in df.columns]
    g = df.groupby(keys, observed=True, sort=True)
    out = g[num].sum()
    out["client_months"] = g["caseload"].sum()
    out["caseload"] = df.loc[df["_first"]].set_index(keys)["caseload"]
    out = out.reset_index()
    out["municipality"] = g["municipality"].first().to_numpy()
    out["month"] = _month_start(out["_q"].to_numpy() * 3)
    out["quarter"] = pd.PeriodIndex(out["month"], freq="Q").astype(str)
    out["period"] = (out["_q"] - out["_q"].min()).astype(np.int64)
    for c in ("fip", "first_treated"):
        if c in df.columns:
            out[c] = g[c].first().to_numpy()
    if "first_treated" in out.columns:
        ft = out["first_treated"].to_numpy(dtype="datetime64[ns]")
        ftq = np.where(np.isnat(ft), 0, ft.astype("datetime64[M]").astype(np.int64) // 3)
        out["event_time"] = np.where(np.isnat(ft), np.nan, (out["_q"] - ftq).astype(float))
        out["post"] = (np.nan_to_num(out["event_time"].to_numpy(), nan=-1) >= 0).astype(np.int64)
    out = out.drop(columns="_q")
    _add_rates(out, "client_months")
    lead = ["caseworker", "municipality", "quarter", "month", "period", "caseload", "client_months"]
    out = out[lead + [c for c in out.columns if c not in lead]]
    out.attrs.update(panel.attrs)
    out.attrs["freq"] = "quarter"
    return out
