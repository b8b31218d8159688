"""Caseworker-by-month and client-by-month panels built from a Register in linear time.

The study plan compares the results of the participating caseworkers before and after the
start of FIP with those of the other caseworkers. These panels are the data for that
comparison.

Counting rules (the same as ``fipeval.design.build_cohort``):

- A spell is *running* on day ``d`` when ``start_date <= d < end_date`` (or ``end_date`` is
  missing). A client is on a caseworker's **caseload** of month ``m`` when the spell is
  running on the first day of ``m`` and the caseworker holds the client on that day: by the
  register's caseworker history (``Register.assignments``) when it has one, else the
  spell's caseworker for every month of the spell (``schema.derive_assignments``). A
  termination belongs to the caseworker of its month, intake to the caseworker of the
  spell's first month on a caseload, events and contacts to the caseworker of their month.
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

from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import ACTIVATION_KINDS, CONTACT_KINDS, END_REASONS, EVENT_KINDS, Register
from ._register_index import (_Prepared, _codes, _dominant, _kind_codes,
                              _month_start, _window)
from ._assignments import caseworker_codes, spell_segments
from ._treatment import _mark_treatment

__all__ = ["caseworker_panel", "client_panel", "client_totals", "to_quarters", "mark_treatment",
           "COUNT_COLUMNS", "RATE_COLUMNS"]

COUNT_COLUMNS = (("intake", "terminations") + tuple(f"terminations_{r}" for r in END_REASONS)
                 + ("fraud_signals", "activations") + tuple(ACTIVATION_KINDS)
                 + ("contacts", "fip_talks"))
# rate column -> numerator; the denominator is the caseload (client-months at risk)
RATE_COLUMNS = {"termination_rate": "terminations", "fraud_signal_rate": "fraud_signals",
                "activation_rate": "activations", "contact_rate": "contacts"}
DURATION_BANDS = (6, 12, 24, 60)  # months on benefit: the bands of the exit-hazard curve
SPELL_CHUNK = 1 << 21   # spells per pass of the duration bands (memory: docs/SCALING.md)


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
    spell_cw, assignment_cw, caseworkers = caseworker_codes(register)
    if (spell_cw < 0).any():
        raise InputError(f"{int((spell_cw < 0).sum())} spell(s) have no `caseworker` (first: row "
                         f"{int(np.flatnonzero(spell_cw < 0)[0])}); a caseworker panel needs one "
                         "for every spell: fill them in the loader's mapping or drop those spells.")
    n_cw = len(caseworkers)
    prep = _Prepared(register)
    first, last, ended = prep.spell_months(min_months_on_benefit)
    ended &= ~prep.continued()
    if max_ladder_rung is not None:
        rung = spells["ladder_rung"].astype("float64").to_numpy()
        first = np.where(np.nan_to_num(rung, nan=np.inf) <= max_ladder_rung, first,
                         np.iinfo(np.int64).max // 4)
        del rung
    # each client-month belongs to the caseworker holding the client that month (segments
    # of the caseworker history; one per spell without one). Memory: a national register
    # holds millions of spells, so per-spell arrays are not copied when the segments are
    # the spells, and each is dropped after its last use (docs/SCALING.md).
    seg = spell_segments(register, spell_cw, assignment_cw, prep.first_month(None), last)
    sp = None if seg.per_spell else seg.spell
    of_seg = (lambda a: a) if sp is None else (lambda a: a[sp])  # noqa: E731
    cw_codes = seg.cw
    if sp is None:      # one segment per spell, over all its months
        seg_first, seg_last, seg_ended = first, last, ended
    else:
        seg_first = np.maximum(first[sp], seg.lo)
        seg_last = np.minimum(last[sp], seg.hi)
        seg_ended = ended[sp] & seg.last
    del first, last, ended
    lo = np.maximum(seg_first, start_m) - start_m
    hi = np.minimum(seg_last, end_m) - start_m
    on = lo <= hi

    # caseload by a difference array: +1 at the first month, -1 after the last
    cw_on = cw_codes[on] * (n_months + 1)
    diff = np.bincount(cw_on + lo[on], minlength=n_cw * (n_months + 1))
    diff -= np.bincount(cw_on + hi[on] + 1, minlength=n_cw * (n_months + 1))
    del cw_on, lo, hi
    caseload = np.cumsum(diff.reshape(n_cw, n_months + 1), axis=1)[:, :n_months].ravel()
    del diff

    size = n_cw * n_months
    counts: dict[str, np.ndarray] = {}
    s_m = of_seg(prep.month(prep.start)) - start_m
    in_win = (s_m >= 0) & (s_m < n_months) & seg.first   # once per spell: its first segment
    counts["intake"] = np.bincount(cw_codes[in_win] * n_months + s_m[in_win], minlength=size)
    del s_m, in_win
    # a termination: the spell's last segment, on a caseload in the window in its last month
    # (there the segment's last month is the spell's)
    term = on & seg_ended & (seg_last <= end_m) & (seg_last >= start_m)
    del on
    key = cw_codes[term] * n_months + (seg_last[term] - start_m)
    counts["terminations"] = np.bincount(key, minlength=size)
    term = np.flatnonzero(term)
    reason = pd.Categorical(spells["end_reason"], categories=END_REASONS).codes[
        term if sp is None else sp[term]]
    for j, r in enumerate(END_REASONS):
        counts[f"terminations_{r}"] = np.bincount(key[reason == j], minlength=size)
    del term, key, reason

    expected = None
    if duration_bands:
        reference = np.ones(n_cw, dtype=bool)
        if design is not None:
            fip = {str(c) for site in design.sites for c in site.fip_caseworkers}
            reference = ~np.isin(caseworkers.astype(str), list(fip))
        expected = _expected_terminations(prep, cw_codes, n_cw, seg_first, seg_last,
                                          seg_ended, start_m, n_months,
                                          tuple(duration_bands), reference, spell_of=sp)
    del seg_ended

    unattributed = 0
    for which, table in enumerate((register.events, register.contacts)):
        row = prep.attribute(which)
        if which == 0:
            unattributed = int((row < 0).sum())
        month = prep.month(prep.t_days[which]) - start_m
        ok = row >= 0
        at = np.zeros(len(row), dtype=np.int64)
        at[ok] = seg.find(row[ok], month[ok] + start_m)
        del row
        # on the caseload: within the segment's months in the window
        here, m = at[ok], month[ok]
        ok[ok] &= ((m >= np.maximum(seg_first[here], start_m) - start_m)
                   & (m <= np.minimum(seg_last[here], end_m) - start_m))
        del here, m
        k = cw_codes[at[ok]] * n_months + month[ok]
        del at, month
        if which == 0:
            kind = _kind_codes(table, EVENT_KINDS)[ok]
            counts["fraud_signals"] = np.bincount(k[kind == 0], minlength=size)
            for j, a in enumerate(ACTIVATION_KINDS):
                counts[a] = np.bincount(k[kind == EVENT_KINDS.index(a)], minlength=size)
            counts["activations"] = sum(counts[a] for a in ACTIVATION_KINDS)
        else:
            kind = _kind_codes(table, CONTACT_KINDS)[ok]
            counts["contacts"] = np.bincount(k, minlength=size)
            counts["fip_talks"] = np.bincount(k[kind == CONTACT_KINDS.index("fip_talk")],
                                              minlength=size)
        del ok, k, kind
    del prep, seg_first, seg_last

    mun_codes, municipalities = _codes(spells["municipality"])
    home = _dominant(of_seg(np.where(mun_codes < 0, 0, mun_codes)), cw_codes, n_cw,
                     max(len(municipalities), 1))
    del mun_codes, seg, cw_codes
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
    if expected is not None:
        panel["expected_terminations"] = expected
        with np.errstate(invalid="ignore", divide="ignore"):
            panel["excess_termination_rate"] = np.where(
                caseload > 0, (counts["terminations"] - expected) / np.where(caseload > 0, caseload, 1),
                np.nan)
    panel.attrs["unattributed_events"] = unattributed
    panel.attrs["unit"] = "caseworker"
    # months given to the caseworker of the month (True) or of the whole spell (False)
    panel.attrs["caseworker_history"] = register.assignments is not None
    if design is not None:
        panel = _mark_treatment(panel, design)
    if freq == "quarter":
        panel = to_quarters(panel)
    return panel


def _expected_terminations(prep, cw_codes, n_cw, first, last, ended, start_m, n_months,
                           bands, reference, spell_of=None) -> np.ndarray:
    """Indirectly standardised terminations per caseworker-month (see ``caseworker_panel``).

    The arrays are per spell, or per segment of a spell with ``spell_of`` (its spell row)."""
    lowers = (0.0,) + tuple(float(b) for b in bands)
    n_b = len(lowers)
    width = n_months + 1
    caseload = np.zeros(n_cw * n_b * width, dtype=np.int64)
    term = np.zeros(n_cw * n_b * n_months, dtype=np.int64)
    # only spells on a caseload in the window can be in a band of it; they are taken
    # SPELL_CHUNK at a time (every count is a sum: the chunks bound the temporaries)
    on_window = np.flatnonzero((np.maximum(first, start_m)
                                <= np.minimum(last, start_m + n_months - 1)))
    for at in range(0, len(on_window), SPELL_CHUNK):
        rows = on_window[at:at + SPELL_CHUNK]
        c_cw, c_first, c_last, c_ended = cw_codes[rows], first[rows], last[rows], ended[rows]
        if spell_of is not None:
            rows = spell_of[rows]
        done = c_ended & (c_last >= start_m) & (c_last < start_m + n_months)
        entry = np.maximum(prep.first_month(None, rows), c_first)
        for b in range(n_b):
            following = (np.maximum(prep.first_month(lowers[b + 1], rows), c_first)
                         if b < n_b - 1 else None)
            stop = c_last if following is None else np.minimum(c_last, following - 1)
            lo = np.maximum(entry, start_m) - start_m
            hi = np.minimum(stop, start_m + n_months - 1) - start_m
            on = lo <= hi
            base = (c_cw[on] * n_b + b) * width
            caseload += np.bincount(base + lo[on], minlength=caseload.size)
            caseload -= np.bincount(base + hi[on] + 1, minlength=caseload.size)
            t = on & done & (c_last <= stop) & (c_last >= entry)
            term += np.bincount((c_cw[t] * n_b + b) * n_months + c_last[t] - start_m,
                                minlength=term.size)
            entry = following
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
def client_panel(register: Register, *, start=None, end=None, design=None,
                 engine: Literal["pandas", "duckdb"] = "pandas", path=None) -> pd.DataFrame:
    """Client-by-month panel: one row per client and month the client is on a caseload.

    Parameters
    ----------
    register : Register
    start, end : date-like, optional
        The window, as in :func:`caseworker_panel`.
    design : StudyDesign, optional
        Adds ``fip`` (the row's caseworker is a FIP caseworker of the site, or the client is
        a listed FIP client), ``first_treated``, ``post`` and ``event_time``.
    engine : {"pandas", "duckdb"}
        Where the spells are expanded into client-months. ``"duckdb"`` (the optional extra
        ``fipeval[scale]``) expands and counts them in DuckDB, out of core; with ``path``
        the panel goes to a Parquet file and never into memory. A national panel over ten
        years has over a hundred million rows (67 bytes each in pandas): see
        docs/SCALING.md.
    path : str or Path, optional
        With ``engine="duckdb"``: write the panel to this Parquet file and return the path
        (labels as strings, months as dates) instead of a DataFrame.

    Returns
    -------
    DataFrame
        ``client_id, caseworker, municipality, month, period, months_on_benefit`` (at the
        start of the month, since the spell started), ``terminated`` (0/1),
        ``end_reason`` (when terminated), ``fraud_signals, activations, contacts``; the
        same frame from either engine.

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
    from ..errors import check_option
    from ._client_engine import client_spells, duckdb_panel, panel_frame
    check_option("engine", engine, ENGINES)
    if path is not None and engine != "duckdb":
        raise InputError("`path` writes the panel from DuckDB: pass engine='duckdb' with it.")
    cs = client_spells(register, start, end)
    if engine == "duckdb":
        return duckdb_panel(cs, design, path)
    n = int(cs.offset[-1])
    spell_row = np.repeat(np.arange(len(cs.length)), cs.length)
    rows = {"spell_row": spell_row,
            "month": cs.lo[spell_row] + (np.arange(n, dtype=np.int64) - cs.offset[:-1][spell_row])}
    for column, (spell, month) in cs.counted.items():
        rows[column] = np.bincount(cs.offset[spell] + (month - cs.lo[spell]), minlength=n)
    return panel_frame(cs, rows, design)


ENGINES = ("pandas", "duckdb")


def client_totals(register: Register, *, by=("month",), start=None, end=None, design=None,
                  engine: Literal["pandas", "duckdb"] = "pandas") -> pd.DataFrame:
    """Sums of the client panel by some of its columns, without keeping the panel.

    Parameters
    ----------
    register, start, end, design, engine
        As in :func:`client_panel`; with ``engine="duckdb"`` the client-months are counted
        out of core and never held in memory.
    by : tuple of str
        Columns of the client panel to group by: ``month``, ``period``, ``municipality``,
        ``caseworker``, ``end_reason`` and, with a design, ``fip``, ``post``,
        ``event_time``, ``after_follow_up``.

    Returns
    -------
    DataFrame
        One row per group (sorted by ``by``): ``client_months`` (rows of the panel),
        ``terminations``, ``fraud_signals``, ``activations``, ``contacts`` and
        ``months_on_benefit`` (the sum; divide by ``client_months`` for the mean).

    Examples
    --------
    >>> import pandas as pd
    >>> from fipeval import Register
    >>> spells = pd.DataFrame({"client_id": ["a", "b"], "municipality": "X",
    ...     "caseworker": ["k1", "k2"], "start_date": pd.to_datetime(["2014-01-01", "2014-02-01"]),
    ...     "end_date": pd.to_datetime(["2014-03-15", None]), "end_reason": ["work", None]})
    >>> client_totals(Register(spells, extract_date="2014-06-01"))["client_months"].tolist()
    [1, 2, 2, 1, 1]
    """
    from ..errors import check_option
    from ._client_engine import TOTALS, check_by, client_spells, duckdb_totals
    check_option("engine", engine, ENGINES)
    by = check_by(by, design)
    if engine == "duckdb":
        return duckdb_totals(client_spells(register, start, end), design, by)
    panel = client_panel(register, start=start, end=end, design=design)
    panel = panel.rename(columns={"terminated": "terminations"})
    panel["client_months"] = 1
    out = panel.groupby(list(by), observed=True, sort=True)[list(TOTALS)].sum().reset_index()
    return out


# ------------------------------------------------------------------ treatment and quarters
def mark_treatment(panel: pd.DataFrame, design) -> pd.DataFrame:
    """Add ``fip``, ``first_treated``, ``post`` and ``event_time`` from a StudyDesign.

    A caseworker is FIP when listed in a site's ``fip_caseworkers`` (and, for a site with a
    municipality, the row is in it); in a client panel, clients listed in ``fip_clients`` are
    FIP too (a caseworker panel ignores client lists). ``first_treated`` is the site's start
    month for FIP rows (NaT otherwise); ``event_time`` counts months from it (NaN for
    others). ``post`` is 1 from the start month of the row's site on, for FIP and other rows
    alike (rows of municipalities without a site stay 0), so both ``did(estimator="2x2")``
    and the two-way model (which uses ``fip * post``) can read it. ``follow_up_end`` is the
    first month after the site's follow-up (NaT for others) and ``after_follow_up`` marks
    FIP rows from then on: FIP ends there, so leave those rows out of a two-way model and
    pass ``treated_until="follow_up_end"`` to :func:`staggered_did`.

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> panel = mark_treatment(caseworker_panel(study.register), study.design)
    >>> sorted({"fip", "post", "event_time", "first_treated"} - set(panel.columns))
    []
    """
    return _mark_treatment(panel.copy(), design)


def to_quarters(panel: pd.DataFrame) -> pd.DataFrame:
    """Aggregate a caseworker-month panel to calendar quarters.

    Counts are summed; ``caseload`` is the caseload at the start of the quarter and
    ``client_months`` the sum of the monthly caseloads (the exposure). Rates are per
    client-month (``terminations / client_months``), so they compare with monthly rates.
    Only quarters whose three months all lie in the panel are kept.

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> quarterly = to_quarters(caseworker_panel(generate("brabantse_wal").register))
    >>> "quarter" in quarterly.columns
    True
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
    for c in ("fip", "first_treated", "follow_up_end"):
        if c in df.columns:
            out[c] = g[c].first().to_numpy()
    if "after_follow_up" in df.columns:
        out["after_follow_up"] = g["after_follow_up"].max().to_numpy()
    if "first_treated" in out.columns:
        ft = out["first_treated"].to_numpy(dtype="datetime64[ns]")
        ftq = np.where(np.isnat(ft), 0, ft.astype("datetime64[M]").astype(np.int64) // 3)
        out["event_time"] = np.where(np.isnat(ft), np.nan, (out["_q"] - ftq).astype(float))
    if "post" in df.columns:
        out["post"] = g["post"].max().to_numpy()   # the quarter of the start counts as post
    out = out.drop(columns="_q")
    _add_rates(out, "client_months")
    lead = ["caseworker", "municipality", "quarter", "month", "period", "caseload", "client_months"]
    out = out[lead + [c for c in out.columns if c not in lead]]
    out.attrs.update(panel.attrs)
    out.attrs["freq"] = "quarter"
    return out
