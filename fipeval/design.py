"""The study design and the analysis cohort built from a Register.

A design has one ``Site`` per municipality (or a single site for all). Each site has a start
date, a follow-up length, and its FIP group, given by caseworker and/or by client. The
cohort is every client whose benefit was running at the site's start date and who meets the
eligibility rules (on benefit at least ``min_months_on_benefit`` months, optionally a
participatieladder rung at most ``max_ladder_rung``). Everyone else eligible at that site is
the control group (or only the clients of ``control_caseworkers`` when given).

Rules (documented so reviewers can check them):
- The spell used is the one running on the start date (start_date <= start < end_date or end
  missing). A client with two spells running on that date (overlap) keeps the one that
  started first; the loader normally resolves overlaps before this point.
- Follow-up is the half-open window [start, follow_up_end): a termination counts when the
  spell ends before ``follow_up_end``; the window is cut after the extract date when that
  comes earlier (``censored_at_extract``).
- Events count when they fall in [start, stop), stop being the end date or the window's end.
- FIP by caseworker is decided by the caseworker *assigned on the start date*: from the
  register's caseworker history (``Register.assignments``) when it has one, else the
  spell's caseworker (which most exports write as the caseworker at the extract). Clients
  moved to another caseworker later stay in their group (intention to treat);
  ``caseworker`` is that start caseworker, and ``stayed_with_caseworker`` /
  ``months_with_caseworker`` mark who stayed with them through follow-up (per protocol,
  for :func:`per_protocol_effect`, a sensitivity analysis only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DesignError
from .schema import ACTIVATION_KINDS, DOMAINS, END_REASONS, Register, is_member

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Site:
    """One municipality's (or the whole organisation's) arm of a study."""

    start_date: pd.Timestamp
    follow_up_months: int
    fip_caseworkers: tuple = ()
    fip_clients: tuple = ()
    municipality: str | None = None        # None: every municipality in the data
    control_caseworkers: tuple | None = None  # None: every other caseworker

    def __post_init__(self):
        object.__setattr__(self, "start_date", pd.Timestamp(self.start_date))
        object.__setattr__(self, "fip_caseworkers", tuple(self.fip_caseworkers))
        object.__setattr__(self, "fip_clients", tuple(self.fip_clients))
        if self.control_caseworkers is not None:
            object.__setattr__(self, "control_caseworkers", tuple(self.control_caseworkers))
        if int(self.follow_up_months) <= 0:
            raise DesignError(f"`follow_up_months` must be positive; got {self.follow_up_months}.")
        if not self.fip_caseworkers and not self.fip_clients:
            raise DesignError("A site needs its FIP group: give `fip_caseworkers` or `fip_clients`.")

    @property
    def follow_up_end(self) -> pd.Timestamp:
        return self.start_date + pd.DateOffset(months=int(self.follow_up_months))


@dataclass(frozen=True)
class StudyDesign:
    """Who is in the FIP group, from when, for how long, and who is eligible."""

    sites: tuple
    min_months_on_benefit: float = 6.0
    max_ladder_rung: int | None = None
    name: str = "study"

    def __post_init__(self):
        object.__setattr__(self, "sites", tuple(self.sites))
        if not self.sites:
            raise DesignError("A study design needs at least one site.")
        munis = [s.municipality for s in self.sites]
        if None in munis and len(munis) > 1:
            raise DesignError("A site with municipality=None covers all municipalities; "
                              "it cannot be combined with other sites.")
        if len(set(munis)) != len(munis):
            raise DesignError(f"Municipalities appear in more than one site: {munis}.")

    @classmethod
    def single(cls, start_date, follow_up_months: int, *, fip_caseworkers=(), fip_clients=(),
               **kwargs) -> "StudyDesign":
        """A design with one start date for the whole organisation."""
        return cls((Site(start_date, follow_up_months, fip_caseworkers, fip_clients),), **kwargs)

    @property
    def staggered(self) -> bool:
        return len({s.start_date for s in self.sites}) > 1

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "min_months_on_benefit": self.min_months_on_benefit,
            "max_ladder_rung": self.max_ladder_rung,
            "sites": [{
                "municipality": s.municipality, "start_date": str(s.start_date.date()),
                "follow_up_months": int(s.follow_up_months),
                "fip_caseworkers": list(s.fip_caseworkers),
                "n_fip_clients_listed": len(s.fip_clients),
                "control_caseworkers": None if s.control_caseworkers is None
                else list(s.control_caseworkers),
            } for s in self.sites],
        }


_NS_PER_DAY = 86_400_000_000_000


def months_between(start, end) -> np.ndarray:
    """Months (days / 30.4375) from ``start`` to ``end``, elementwise (dates or one date).

    Examples
    --------
    >>> months_between(pd.Timestamp("2020-01-01"), pd.Series(pd.to_datetime(["2020-01-31"])))
    array([0.98562628])
    """
    def ns(x):
        values = np.asarray(pd.to_datetime(x) if not isinstance(x, pd.Timestamp) else x.to_datetime64())
        return values.astype("datetime64[ns]").view("i8")
    # integer nanoseconds / nanoseconds a day: the same float as pandas' Timedelta division
    return (ns(end) - ns(start)) / _NS_PER_DAY / DAYS_PER_MONTH


def build_cohort(register: Register, design: StudyDesign) -> pd.DataFrame:
    """One row per client in the study: group, outcomes within follow-up, covariates.

    See docs/ARCHITECTURE.md for the columns.

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal", seed=2014)
    >>> cohort = build_cohort(study.register, study.design)
    >>> int(cohort["fip"].sum())
    360
    """
    spells = register.spells
    known_caseworkers = set(pd.unique(spells["caseworker"].dropna()).astype(str))
    if register.assignments is not None:
        known_caseworkers |= set(pd.unique(register.assignments["caseworker"].dropna()).astype(str))
    # rows of each municipality, found once (not one scan of every spell per site)
    municipality_codes, municipality_names = pd.factorize(spells["municipality"].astype(str))
    code_of = {name: code for code, name in enumerate(municipality_names)}
    parts, windows = [], []
    history = _history(register)
    for site in design.sites:
        unknown = [c for c in site.fip_caseworkers if str(c) not in known_caseworkers]
        if unknown:
            raise DesignError(
                f"FIP caseworker(s) {', '.join(map(str, unknown))} do not occur in the data "
                f"({len(known_caseworkers)} caseworkers found); check the study file.")
        if site.municipality is None:
            rows = None
        else:
            code = code_of.get(str(site.municipality), -1)
            rows = np.flatnonzero(municipality_codes == code)
        part, stop = _site_cohort(register, design, site, rows, history)
        parts.append(part)
        windows.append((np.full(len(part), site.start_date.to_datetime64()), stop))
    cohort = pd.concat(parts, ignore_index=True)
    if cohort["client_id"].duplicated().any():
        dup = int(cohort["client_id"].duplicated().sum())
        raise DesignError(f"{dup} client(s) fall in more than one site; give each site its "
                          "own municipality.")
    starts = np.concatenate([w[0] for w in windows])
    stops = np.concatenate([w[1] for w in windows])
    counts = _event_counts(register.events, cohort["client_id"], starts, stops)
    for col in EVENT_COUNT_COLUMNS:
        cohort[col] = counts[col]
    if register.domains is not None:       # the six FIP life domains, where assessed
        moved = domain_movement(register.domains, cohort, stops)
        cohort = pd.concat([cohort, pd.DataFrame(moved, index=cohort.index)], axis=1)
    return cohort


EVENT_COUNT_COLUMNS = ("fraud_signals", "activations") + ACTIVATION_KINDS


def _site_cohort(register: Register, design: StudyDesign, site: Site,
                 rows: np.ndarray | None, history=None) -> tuple[pd.DataFrame, np.ndarray]:
    """The site's cohort (event counts left at zero) and each client's end of counting."""
    spells = register.spells if rows is None else register.spells.iloc[rows]
    start, fu_end = site.start_date, site.follow_up_end
    where = f"site {site.municipality or 'all'} starting {start.date()}"
    if register.extract_date is not None and register.extract_date <= start:
        raise DesignError(f"The extract date {register.extract_date.date()} is not after the "
                          f"start of {where}: there is no follow-up in the data.")
    running = (spells["start_date"] <= start) & (spells["end_date"].isna() | (spells["end_date"] > start))
    s = spells.loc[running].sort_values(["client_id", "start_date"]).drop_duplicates("client_id")
    months_before = months_between(s["start_date"], start)
    eligible = months_before >= design.min_months_on_benefit
    if design.max_ladder_rung is not None:
        eligible &= (s["ladder_rung"].fillna(99) <= design.max_ladder_rung).to_numpy()
    s, months_before = s.loc[eligible], months_before[eligible]
    caseworker, held_until = _caseworker_at(history, s, start)

    fip = np.zeros(len(s), dtype=np.int8)
    if site.fip_caseworkers:
        fip |= np.isin(caseworker, [str(c) for c in site.fip_caseworkers])
    if site.fip_clients:
        fip |= is_member(s["client_id"], site.fip_clients)
    keep = np.ones(len(s), dtype=bool)
    if site.control_caseworkers is not None:
        keep = (fip == 1) | np.isin(caseworker, [str(c) for c in site.control_caseworkers])
    s, months_before, fip = s.loc[keep], months_before[keep], fip[keep]
    caseworker, held_until = caseworker[keep], held_until[keep]
    if fip.sum() == 0:
        raise DesignError(f"No eligible FIP clients at {where}: check the FIP caseworkers or "
                          "client list and the eligibility rules.")
    if (fip == 0).sum() == 0:
        raise DesignError(f"No eligible control clients at {where}.")

    # follow-up is [start, window_end): up to the follow-up end, or through the extract date
    window_end = fu_end if register.extract_date is None else \
        min(fu_end, register.extract_date + pd.Timedelta(days=1))
    ended = (s["end_date"].notna() & (s["end_date"] < window_end)).to_numpy()
    stop = s["end_date"].where(ended, window_end)
    out = pd.DataFrame({
        "client_id": s["client_id"].to_numpy(),
        "municipality": s["municipality"].astype(str).to_numpy(),
        "caseworker": caseworker,
        "fip": fip.astype(np.int64),
        "study_start": start,
        "follow_up_end": fu_end,
        "spell_start": s["start_date"].to_numpy(),
        "months_before_start": months_before,
        "months_on_benefit": months_between(start, stop),
        "ended": ended.astype(np.int64),
        "end_reason": pd.Categorical(s["end_reason"].where(ended), categories=END_REASONS),
        "censored_at_extract": np.int64(window_end < fu_end),
    })
    # per protocol: with the start caseworker until the end of follow-up (or of benefit)
    held = np.minimum(held_until, stop.to_numpy(dtype="datetime64[ns]"))
    out["months_with_caseworker"] = months_between(start, held)
    out["stayed_with_caseworker"] = (held_until >= stop.to_numpy(dtype="datetime64[ns]")).astype(np.int64)
    # the other columns in one step (one column at a time copies the frame's blocks each time)
    reason = out["end_reason"].to_numpy(dtype=object)
    more = {f"ended_{r}": (reason == r).astype(np.int64) for r in END_REASONS}
    more.update({col: np.zeros(len(out), dtype=np.int64)   # counted for all sites at once
                 for col in EVENT_COUNT_COLUMNS})
    more.update({
        "exposure_years": out["months_on_benefit"].to_numpy() / 12.0,
        "age": (start.year - s["birth_year"].astype("float64")).to_numpy(),
        "household_type": s["household_type"].to_numpy(),
        "sex": s["sex"].to_numpy(),
        "ladder_rung": s["ladder_rung"].astype("float64").to_numpy(),
        "monthly_amount": s["monthly_amount"].to_numpy(),
    })
    out = pd.concat([out, pd.DataFrame(more, index=out.index)], axis=1)
    return out, stop.to_numpy()


# ---- caseworker at the start (issue 21) -------------------------------------------------
_NEVER = np.datetime64("2262-01-01", "ns")


def _caseworker_at(history, s: pd.DataFrame, day: pd.Timestamp):
    """Each spell's client's caseworker assigned on ``day`` and the day that assignment ends
    (far future when open), from the register's caseworker history (``_history``; rows of
    ``s`` are labelled by their position in the spells); without one (or for a client it
    does not cover on that day) the spell's own caseworker, held through the spell."""
    caseworker = s["caseworker"].astype(str).to_numpy(dtype=object)
    end = s["end_date"].to_numpy(dtype="datetime64[ns]")
    held_until = np.where(np.isnat(end), _NEVER, end)
    if history is None or len(s) == 0:
        return caseworker, held_until
    spell_client, a_client, frm, to, a_caseworker = history
    d = day.to_datetime64()
    now = np.flatnonzero((frm <= d) & (np.isnat(to) | (to > d)))
    row_of = np.full(int(max(spell_client.max(initial=-1), a_client.max(initial=-1))) + 1, -1,
                     dtype=np.int64)
    row_of[a_client[now]] = now                 # a client has one assignment on a day
    rows = row_of[spell_client[s.index.to_numpy()]]
    found = rows >= 0
    at = rows[found]
    caseworker[found] = a_caseworker[at]
    held_until[found] = np.where(np.isnat(to[at]), _NEVER, to[at])
    return caseworker, held_until


def _history(register: Register):
    """The caseworker history as arrays for ``_caseworker_at``, once per cohort: client
    codes shared with the spells (``Register.assignment_client_codes``), dates, caseworkers."""
    a = register.assignments
    if a is None or len(a) == 0:
        return None
    spell_codes, assignment_codes = register.assignment_client_codes
    return (spell_codes, assignment_codes, a["from_date"].to_numpy(dtype="datetime64[ns]"),
            a["to_date"].to_numpy(dtype="datetime64[ns]"),
            a["caseworker"].astype(str).to_numpy(dtype=object))


def fip_weighted_difference(frame: pd.DataFrame, *, outcome: str, treatment: str = "fip",
                            strata: str | None = "municipality") -> float:
    """FIP minus control within each stratum that has both groups, averaged with the FIP
    clients as weights (the ATT's weights); NaN when no stratum has both.

    Examples
    --------
    >>> frame = pd.DataFrame({"fip": [1, 0, 1, 1, 0], "y": [1.0, 0.0, 1.0, 0.0, 1.0],
    ...                       "municipality": ["A", "A", "B", "B", "B"]})
    >>> fip_weighted_difference(frame, outcome="y")      # (1 x 1 + 2 x -0.5) / 3
    0.0
    """
    # per stratum (one pass, vectorised): mean of each arm, FIP clients as weights
    key = np.zeros(len(frame), dtype=np.int64) if strata is None else \
        pd.factorize(frame[strata])[0]
    t = (frame[treatment].to_numpy() == 1).astype(np.int64)
    y = frame[outcome].to_numpy(dtype=float)
    n_keys = int(key.max()) + 1 if len(key) else 0
    cell = key * 2 + t
    n = np.bincount(cell, minlength=2 * n_keys).reshape(n_keys, 2)
    total = np.bincount(cell, weights=y, minlength=2 * n_keys).reshape(n_keys, 2)
    both = (n > 0).all(axis=1)
    if not both.any():
        return float("nan")
    diffs = total[both, 1] / n[both, 1] - total[both, 0] / n[both, 0]
    return float(np.average(diffs, weights=n[both, 1]))


def per_protocol_effect(cohort: pd.DataFrame, *, outcome: str = "ended",
                        treatment: str = "fip", strata: str | None = "municipality",
                        stayed: str = "stayed_with_caseworker") -> dict:
    """The difference FIP - control among clients who stayed with their start caseworker.

    A **sensitivity analysis, not a randomised comparison**: who is moved to another
    caseworker during follow-up is not assigned at random, so conditioning on staying can
    select on the outcome's causes. Report it beside the intention-to-treat difference
    (every client in the group of their caseworker at the start), never instead of it.

    Parameters
    ----------
    cohort : DataFrame
        ``build_cohort`` output (has ``stayed_with_caseworker``). Not modified.
    outcome, treatment : str
        Outcome column and 0/1 FIP column.
    strata : str, optional
        Difference within these groups (municipality), averaged with the FIP clients'
        weights, as the intention-to-treat difference; None: one pooled difference.
    stayed : str
        0/1 column marking clients who stayed with their start caseworker.

    Returns
    -------
    dict
        ``itt`` and ``per_protocol`` differences, ``n_fip``/``n_control`` who stayed and
        the shares of FIP and control clients who stayed.

    Examples
    --------
    >>> cohort = pd.DataFrame({"fip": [1, 1, 0, 0], "ended": [1, 0, 0, 0],
    ...                        "stayed_with_caseworker": [1, 0, 1, 1], "municipality": "X"})
    >>> per_protocol_effect(cohort)["per_protocol"]
    1.0
    """
    for col in (outcome, treatment, stayed) + ((strata,) if strata else ()):
        if col not in cohort.columns:
            raise DesignError(f"The cohort has no column `{col}`; build it with build_cohort.")

    def difference(frame: pd.DataFrame) -> float:
        return fip_weighted_difference(frame, outcome=outcome, treatment=treatment,
                                       strata=strata)

    kept = cohort[cohort[stayed].to_numpy() == 1]
    t = cohort[treatment].to_numpy() == 1
    s = cohort[stayed].to_numpy() == 1
    return {"outcome": outcome, "itt": difference(cohort), "per_protocol": difference(kept),
            "n_fip": int((t & s).sum()), "n_control": int((~t & s).sum()),
            "share_fip_stayed": float(s[t].mean()) if t.any() else float("nan"),
            "share_control_stayed": float(s[~t].mean()) if (~t).any() else float("nan")}
# ---- end caseworker at the start --------------------------------------------------------


def _event_counts(events: pd.DataFrame, client_ids: pd.Series, starts: np.ndarray,
                  stops: np.ndarray) -> dict:
    """Counts per client of events in [start, stop), by kind (``client_ids`` unique).

    One hash lookup of every event's client in the cohort, then a bincount per kind.
    """
    n = len(client_ids)
    result = {k: np.zeros(n, dtype=np.int64) for k in EVENT_COUNT_COLUMNS}
    if len(events) == 0 or n == 0:
        return result
    rows = pd.Index(client_ids.to_numpy()).get_indexer(events["client_id"].to_numpy())
    found = rows >= 0
    rows = rows[found]
    dates = events["date"].to_numpy()[found]
    keep = (dates >= starts[rows]) & (dates < stops[rows])
    rows = rows[keep]
    kind = events["kind"]
    if isinstance(kind.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in kind.cat.categories]
        codes = kind.cat.codes.to_numpy()[found][keep]
        is_kind = lambda k: codes == (categories.index(k) if k in categories else -2)  # noqa: E731
    else:
        kinds = kind.astype(str).to_numpy()[found][keep]
        is_kind = lambda k: kinds == k  # noqa: E731
    for k in ACTIVATION_KINDS:
        result[k] = np.bincount(rows[is_kind(k)], minlength=n)
    result["fraud_signals"] = np.bincount(rows[is_kind("fraud_signal")], minlength=n)
    result["activations"] = sum(result[k] for k in ACTIVATION_KINDS)
    return result


# --- movement on the six FIP life domains ------------------------------------------------

DOMAIN_WINDOW_MONTHS = 3
DOMAIN_COLUMNS = ("domain_movement",) + tuple(f"domain_movement_{d}" for d in DOMAINS)


def domain_movement(domains: pd.DataFrame, cohort: pd.DataFrame, stops) -> dict:
    """Per cohort client: moved up on at least one life domain, and on each domain.

    The comparison is between two assessments both arms get: the **opening** assessment (the
    first in the first ``DOMAIN_WINDOW_MONTHS`` months of follow-up, [start, start + 3
    months)) and the **closing** one (the last in the last three months, [follow_up_end - 3
    months, follow_up_end)), while on benefit ([start, stop) as for events). A domain
    moved when its closing score is higher than its opening score. Why not "any rise
    between two consecutive assessments": FIP clients are assessed every three months,
    controls at the start, the end and perhaps once a year, so a count of observed rises
    grows with the number of assessments (a score that goes up and down again is seen going
    up only by whoever looks in between) and would show an "effect" of FIP's measurement
    schedule. Two assessments per client at the same points of follow-up measure the same
    thing in both groups. The synthetic truth is defined the same way
    (``fipeval.synthetic.model``).

    Missing (NaN) when a client has no opening or no closing score of that domain (left
    benefit, or not assessed); ``domain_movement`` is 1 when any compared domain rose, 0
    when at least one was compared and none rose, NaN when none could be compared. The
    comparison is therefore among clients still on benefit near the end of follow-up: if
    FIP changes who stays, it is not a comparison of like with like (a note the report
    carries).

    Parameters
    ----------
    domains : DataFrame
        The register's ``domains`` table (``schema.DOMAIN_COLUMNS``).
    cohort : DataFrame
        ``build_cohort``'s rows (``client_id``, ``study_start``, ``follow_up_end``).
    stops : array of datetime64
        Each client's end of counting (benefit end or the window's end).

    Returns
    -------
    dict
        ``DOMAIN_COLUMNS`` -> float arrays (1.0, 0.0 or NaN), one value per cohort row.

    Examples
    --------
    >>> d = pd.DataFrame({"client_id": ["a", "a", "a", "a"], "domain": ["health"] * 2 + ["housing"] * 2,
    ...                   "date": pd.to_datetime(["2015-01-10", "2015-12-01"] * 2),
    ...                   "score": [2, 3, 4, 4]})
    >>> c = pd.DataFrame({"client_id": ["a"], "study_start": pd.Timestamp("2015-01-01"),
    ...                   "follow_up_end": pd.Timestamp("2016-01-01")})
    >>> out = domain_movement(d, c, np.array(["2016-01-01"], dtype="datetime64[ns]"))
    >>> out["domain_movement"], out["domain_movement_health"], out["domain_movement_housing"]
    (array([1.]), array([1.]), array([0.]))
    """
    n, k = len(cohort), len(DOMAINS)
    opening, closing = np.full(n * k, np.nan), np.full(n * k, np.nan)
    rows = pd.Index(cohort["client_id"].to_numpy()).get_indexer(domains["client_id"].to_numpy())
    score = pd.to_numeric(domains["score"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    code = pd.Categorical(domains["domain"], categories=DOMAINS).codes
    found = (rows >= 0) & ~np.isnan(score) & (code >= 0)
    rows, score, code = rows[found], score[found], code[found].astype(np.int64)
    dates = domains["date"].to_numpy(dtype="datetime64[ns]")[found]
    offset = pd.DateOffset(months=DOMAIN_WINDOW_MONTHS)

    def shifted(column: str, sign: int) -> np.ndarray:   # one DateOffset per site, not per client
        values = cohort[column]
        uniq = {t: (t + offset if sign > 0 else t - offset) for t in pd.unique(values)}
        return values.map(uniq).to_numpy(dtype="datetime64[ns]")

    start = cohort["study_start"].to_numpy(dtype="datetime64[ns]")
    stop = np.asarray(stops, dtype="datetime64[ns]")
    on = (dates >= start[rows]) & (dates < stop[rows])
    key = rows * k + code
    for target, window, first in ((opening, dates < shifted("study_start", +1)[rows], True),
                                  (closing, dates >= shifted("follow_up_end", -1)[rows], False)):
        sel = np.flatnonzero(on & window)
        order = sel[np.lexsort((dates[sel], key[sel]))]
        keys = key[order]
        edge = np.r_[True, keys[1:] != keys[:-1]] if first else np.r_[keys[1:] != keys[:-1], True]
        target[keys[edge]] = score[order[edge]]
        if first:    # the closing assessment must come after the opening one
            opened_at = np.full(n * k, np.datetime64("NaT"), dtype="datetime64[ns]")
            opened_at[keys[edge]] = dates[order[edge]]
        else:
            last_at = np.full(n * k, np.datetime64("NaT"), dtype="datetime64[ns]")
            last_at[keys[edge]] = dates[order[edge]]
    closing[~(last_at > opened_at)] = np.nan
    with np.errstate(invalid="ignore"):
        moved = np.where(np.isnan(opening) | np.isnan(closing), np.nan,
                         (closing > opening).astype(float)).reshape(n, k)
    out = {f"domain_movement_{d}": moved[:, j] for j, d in enumerate(DOMAINS)}
    compared = ~np.isnan(moved)
    out["domain_movement"] = np.where(compared.any(axis=1),
                                      (np.nan_to_num(moved) > 0).any(axis=1).astype(float), np.nan)
    return {c: out[c] for c in DOMAIN_COLUMNS}
