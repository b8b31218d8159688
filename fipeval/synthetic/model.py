"""The benefit-history simulation behind every synthetic scenario.

A month-by-month population process: spells start (inflow, re-entry), run, and end with a
monthly hazard that depends on the months already on benefit, the client (age, household,
sex, participatieladder rung), the municipality and the caseworker. Regular service applies
everywhere except inside a FIP site's follow-up window.

At a site's start the cohort (eligible clients on benefit at least the minimum months) is
taken out of the monthly loop and simulated over the follow-up window in one vectorised
block, under both arms with common random numbers:

- exit: the client leaves in month m under arm a if U[m] < h_a[m]; FIP multiplies the hazard
  of each end reason, so h_1 >= h_0 and the FIP path never leaves later than the control path;
- end reason: the same uniform V picks the reason; a FIP exit in a month where the control
  path would have stayed draws from the reasons FIP adds;
- fraud signals and activation steps: a month on benefit has one with probability p_a
  (uniform W, A), for months strictly before the exit month.

The observed path is the assigned arm's; both arms' outcomes are the known truth. Survivors
return to the monthly loop after follow-up under regular service.

The six FIP life domains of the cohort (``_domain_block``) come from a random stream of their
own (``default_rng([seed, 7])``), so adding them left every other draw as it was.

Caseworker assignments (issue 21). Every spell starts with a caseworker; each month a few
clients (``reassignment_rate`` a year) move to another open caseworker of the municipality,
on a day inside the month, and the hazard follows the caseworker of the month. At a site's
start the municipality redistributes the eligible clients at random: each FIP caseworker
gets its caseload, the other caseworkers share the rest (``_balance_start_moves``); these
are moves dated the start, so the months before stay with the previous caseworker. During a follow-up a cohort client may be moved too
(first day of a month, planned in advance from its own random stream so both arms share
it): a FIP client moved away gets regular service from then on (both arms' potential
outcomes use the same plan, so the truth is the effect of FIP assignment at the start,
intention to treat). ``SimulationOutput.moves`` holds every move; the spells keep the
caseworker at their end (or the extract), as exports do. The moves draw from their own
generator (``default_rng([seed, 21])``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import DOMAINS, END_REASONS
from .scenarios import ScenarioParams, SiteSpec

DAYS_PER_MONTH = 30.4375
N_REASONS = len(END_REASONS)
ACTIVATION_SHARES = np.array([0.30, 0.25, 0.25, 0.20])  # ACTIVATION_KINDS order
HOUSEHOLD_SHARES = np.array([0.55, 0.25, 0.20])          # single, single_parent, couple
HOUSEHOLD_LOG_HR = np.array([0.0, -0.15, 0.10])
RUNG_SHARES = np.array([0.15, 0.25, 0.30, 0.15, 0.10, 0.05])
NORM_2014 = np.array([960.83, 960.83, 1372.62])          # net monthly norm by household type
MAX_HAZARD = 0.95


def month_index(date) -> int:
    ts = pd.Timestamp(date)
    return ts.year * 12 + ts.month - 1


def to_dates(months: np.ndarray, days: np.ndarray) -> np.ndarray:
    """datetime64[D] of day ``days`` (0-based) in absolute month ``months``."""
    first = (np.asarray(months, dtype=np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    return first + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")


def days_in_month(months: np.ndarray) -> np.ndarray:
    return (to_dates(np.asarray(months) + 1, 0) - to_dates(months, 0)).astype(np.int64)


@dataclass
class SimulationOutput:
    spells: pd.DataFrame       # integer-coded spells (client, municipality index, caseworker index ...)
    contacts: pd.DataFrame
    events: pd.DataFrame
    truth: pd.DataFrame        # one row per cohort client (spell index, both arms' outcomes)
    did_truth: pd.DataFrame    # per site and month of follow-up: mean (h1 - h0) over FIP client-months
    caseworkers: pd.DataFrame  # index -> id, municipality index, effect
    municipalities: pd.DataFrame
    fip_caseworkers: dict      # site index -> tuple of caseworker ids
    domains: pd.DataFrame = None   # life-domain assessments of cohort clients (spell, date, domain, score)
    moves: pd.DataFrame = None  # spell, month, day, old (caseworker index), new: every move


class _Spells:
    """Growable column store of spells, all integer/float arrays."""

    FIELDS = dict(client=np.int64, muni=np.int32, cw=np.int32, start_m=np.int32, start_d=np.int16,
                  end_m=np.int32, end_d=np.int16, reason=np.int8, household=np.int8, sex=np.int8,
                  birth_year=np.int16, rung=np.int8, amount=np.float64, lp=np.float64)

    def __init__(self, capacity: int):
        self.n = 0
        self.cols = {k: np.zeros(capacity, dtype=t) for k, t in self.FIELDS.items()}

    def add(self, **values) -> np.ndarray:
        k = len(next(iter(values.values())))
        if self.n + k > len(self.cols["client"]):
            cap = max(2 * len(self.cols["client"]), self.n + k)
            for name, arr in self.cols.items():
                grown = np.zeros(cap, dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self.cols[name] = grown
        idx = np.arange(self.n, self.n + k)
        for name in self.FIELDS:
            self.cols[name][idx] = values.get(name, -1 if name in ("end_m", "reason") else 0)
        self.n += k
        return idx

    def __getitem__(self, name):
        return self.cols[name]


def expected_duration(params: ScenarioParams, horizon: int = 600) -> float:
    d = np.arange(horizon)
    h = _band_hazard(params, d)
    return float(np.cumprod(1 - h).sum())


def _band_hazard(params: ScenarioParams, duration: np.ndarray) -> np.ndarray:
    bounds = np.array([b for b, _ in params.hazard_bands])
    values = np.array([v for _, v in params.hazard_bands])
    return values[np.searchsorted(bounds, duration, side="right").clip(max=len(values) - 1)]


def simulate(params: ScenarioParams, seed: int) -> SimulationOutput:
    """Run the population process and the FIP blocks; return integer-coded tables."""
    rng = np.random.default_rng(seed)
    domain_rng = np.random.default_rng([seed, 7])     # the life domains' own stream
    rng_moves = np.random.default_rng([seed, 21])   # caseworker moves (issue 21)
    p_move = 1 - (1 - params.reassignment_rate) ** (1 / 12)
    moves: list[pd.DataFrame] = []
    t0, t_hist, t_end = (month_index(params.burn_in_start), month_index(params.history_start),
                         month_index(params.extract_date))
    extract_day = pd.Timestamp(params.extract_date).day - 1
    munis = pd.DataFrame(params.municipalities, columns=["name", "code", "stock"])
    n_m = len(munis)
    muni_effect = rng.normal(0, params.municipality_sd, n_m)
    n_cw = np.maximum(3, np.round(munis["stock"] / params.caseload_per_caseworker)).astype(int)
    cw_muni = np.repeat(np.arange(n_m), n_cw)
    cw_ids = np.concatenate([[f"{c}-{j + 1:02d}" for j in range(k)] for c, k in zip(munis["code"], n_cw)])
    cw_effect = rng.normal(0, params.caseworker_sd, len(cw_ids))
    cw_index = {c: i for i, c in enumerate(cw_ids)}
    inflow = munis["stock"].to_numpy() / expected_duration(params)
    shares0 = params.reason_share_array()

    sites = sorted(enumerate(params.sites), key=lambda s: s[1].start)
    site_at = {}
    for k, site in sites:
        site_at.setdefault(month_index(site.start), []).append((k, site))
    # caseworkers closed to new clients while their site runs
    closed = np.zeros(len(cw_ids), dtype=bool)
    closing = {}  # month -> caseworkers reopening

    est = int(munis["stock"].sum() * (1 + (t_end - t0) / expected_duration(params)) * 1.3) + 1000
    sp = _Spells(est)
    active = np.zeros(est, dtype=bool)
    next_client = 0
    pending: dict[int, list] = {}     # month -> list of (kind, arrays) to add at that month
    contacts, events, truths, did_truths, domains = [], [], [], [], []
    fip_cw_by_site = {}

    def new_clients(muni_idx: np.ndarray, t: int):
        nonlocal next_client
        k = len(muni_idx)
        ids = np.arange(next_client, next_client + k)
        next_client += k
        year = t // 12
        age = rng.integers(18, 66, k)
        return dict(client=ids, muni=muni_idx, birth_year=(year - age).astype(np.int16),
                    sex=rng.choice([0, 1], k).astype(np.int8))

    def start_spells(base: dict, t: int):
        k = len(base["client"])
        household = _choice(rng, HOUSEHOLD_SHARES, k).astype(np.int8)
        rung = (_choice(rng, RUNG_SHARES, k) + 1).astype(np.int8)
        age = t // 12 - base["birth_year"]
        lp = (HOUSEHOLD_LOG_HR[household] + 0.15 * (rung - 3) - 0.012 * (age - 40)
              + 0.05 * (base["sex"] == 1) + rng.normal(0, 0.2, k))
        cw = _assign_caseworkers(rng, base["muni"], cw_muni, closed)
        amount = np.round(NORM_2014[household] * rng.uniform(0.6, 1.0, k), 2)
        idx = sp.add(**base, cw=cw, start_m=np.full(k, t), start_d=rng.integers(0, 28, k),
                     household=household, rung=rung, amount=amount, lp=lp)
        ensure_capacity()
        active[idx] = True
        return idx

    def ensure_capacity():
        nonlocal active
        if len(active) < len(sp["client"]):
            grown = np.zeros(len(sp["client"]), dtype=bool)
            grown[: len(active)] = active
            active = grown

    def end_spells(idx, m_end, day, reason):
        sp["end_m"][idx], sp["end_d"][idx], sp["reason"][idx] = m_end, day, reason
        # re-entry: a new spell for the same client 1-24 months later
        again = rng.random(len(idx)) < params.reentry_probability
        if again.any():
            back = m_end[again] + rng.integers(1, 25, int(again.sum()))
            for month in np.unique(back):
                pending.setdefault(int(month), []).append(("reentry", idx[again][back == month]))

    for t in range(t0, t_end + 1):
        # 1. inflow of new clients, re-entries and FIP survivors
        k = rng.poisson(inflow)
        if k.sum():
            start_spells(new_clients(np.repeat(np.arange(n_m), k), t), t)
        for kind, sel in pending.pop(t, []):
            if kind == "reentry":
                base = {f: sp[f][sel] for f in ("client", "muni", "birth_year", "sex")}
                start_spells(base, t)
            else:  # survivors of a FIP block return to regular service
                ensure_capacity()
                active[sel] = True
        for cw in closing.pop(t, []):
            closed[cw] = False

        # 2. FIP sites starting this month
        for k_site, site in site_at.get(t, []):
            before = sp["cw"][: sp.n].copy()
            block = _start_site(params, site, k_site, t, sp, active, rng, cw_muni, cw_index, munis)
            _balance_start_moves(rng_moves, sp, block, cw_muni, cw_index)
            moves.append(_moves_since(before, sp["cw"][: sp.n], t, 0))
            fip_cw_by_site[k_site] = block["fip_caseworkers"]
            closed[[cw_index[c] for c in block["fip_caseworkers"]]] = True
            closing.setdefault(t + site.follow_up_months, []).extend(cw_index[c] for c in block["fip_caseworkers"])
            out = _run_block(params, site, t, block["cohort"], block["fip"], sp, rng, shares0,
                             muni_effect, cw_effect, extract_day if t + site.follow_up_months > t_end else None,
                             t_end, domain_rng, _block_moves(rng_moves, p_move, site, block["cohort"], sp,
                                                 cw_muni, closed))
            moves.append(out["moves"])
            active[block["cohort"]] = False
            truths.append(out["truth"].assign(site=k_site))
            did_truths.append(out["did_truth"].assign(site=k_site))
            contacts.append(out["contacts"])
            events.append(out["events"])
            domains.append(out["domains"])
            ended = out["ended_idx"]
            if len(ended):
                end_spells(ended, sp["end_m"][ended], sp["end_d"][ended], sp["reason"][ended])
            survivors = out["survivor_idx"]
            if len(survivors):
                pending.setdefault(t + site.follow_up_months, []).append(("return", survivors))

        # 3. exits under regular service
        idx = np.flatnonzero(active[: sp.n])
        if len(idx) == 0:
            continue
        duration = t - sp["start_m"][idx]
        h = np.minimum(_band_hazard(params, duration) * np.exp(
            sp["lp"][idx] + muni_effect[sp["muni"][idx]] + cw_effect[sp["cw"][idx]]), MAX_HAZARD)
        u = rng.random(len(idx))
        leave = (u < h) & (duration > 0)
        if params.max_duration:       # WW: a spell at its maximum duration ends (issue 21)
            exhaust = duration >= max_duration_months(sp["start_m"][idx], sp["birth_year"][idx])
            leave |= exhaust
        if leave.any():
            out_idx = idx[leave]
            dim = days_in_month(np.full(len(out_idx), t))
            day = np.minimum((rng.random(len(out_idx)) * dim).astype(np.int16), dim - 1)
            reason = _choice(rng, shares0, len(out_idx)).astype(np.int8)
            if params.max_duration:
                reason[exhaust[leave]] = EXHAUSTED
            end_spells(out_idx, np.full(len(out_idx), t), day, reason)
            active[out_idx] = False
        # 4. a few clients move to another caseworker of their municipality (mid-month)
        on = idx[~leave]
        if p_move > 0 and len(on):
            move = on[rng_moves.random(len(on)) < p_move]
            new = _assign_caseworkers(rng_moves, sp["muni"][move], cw_muni, closed)
            # after the day the spell started (a spell starting this month), before the 28th
            low = np.where(sp["start_m"][move] == t, sp["start_d"][move].astype(np.int64) + 1, 1)
            day = low + (rng_moves.random(len(move)) * (28 - low)).astype(np.int64)
            ok = (new != sp["cw"][move]) & (low < 28)
            move, new, day = move[ok], new[ok], day[ok]
            moves.append(pd.DataFrame({"spell": move, "month": t, "day": day,
                                       "old": sp["cw"][move], "new": new}))
            sp["cw"][move] = new
        # 5. contacts and events while on benefit (within the exported window)
        if t >= t_hist:
            contacts.append(_monthly_rows(rng, on, t, params.regular_contact_rate, kind=2, minutes=20))
            events.append(_monthly_events(rng, on, t, params.fraud_rate, params.activation_rate, sp))

    # trim events after the extract date and spells ended before the history window
    spells = pd.DataFrame({k: v[: sp.n] for k, v in sp.cols.items()})
    spells["spell"] = np.arange(sp.n)
    spells = spells[(spells["end_m"] < 0) | (spells["end_m"] >= t_hist)]
    spells = spells[spells["start_m"] <= t_end]
    contacts = pd.concat(contacts, ignore_index=True)
    events = pd.concat(events, ignore_index=True)
    cutoff = to_dates(np.array([t_end]), np.array([extract_day]))[0]
    contacts = contacts[contacts["date"] <= cutoff]
    events = events[events["date"] <= cutoff]
    caseworkers = pd.DataFrame({"id": cw_ids, "muni": cw_muni, "effect": cw_effect})
    munis = munis.assign(effect=muni_effect)
    domains = pd.concat(domains, ignore_index=True) if domains else \
        pd.DataFrame({"spell": [], "date": np.array([], "datetime64[D]"), "domain": [], "score": []})
    moves = pd.concat(moves, ignore_index=True) if moves else _moves_since(np.zeros(0), np.zeros(0), 0, 0)
    moves = moves[moves["spell"].isin(spells["spell"]) & (moves["month"] <= t_end)]
    return SimulationOutput(spells, contacts, events,
                            pd.concat(truths, ignore_index=True) if truths else pd.DataFrame(),
                            pd.concat(did_truths, ignore_index=True) if did_truths else pd.DataFrame(),
                            caseworkers, munis, fip_cw_by_site,
                            domains=domains[domains["date"] <= cutoff],
                            moves=moves.reset_index(drop=True))


# --- benefit types (issue 21) -------------------------------------------------------------
EXHAUSTED = END_REASONS.index("exhausted")


def max_duration_months(start_m: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """WW's maximum duration in months of spells starting in absolute month ``start_m``.

    The rule since 2016 (Werkloosheidswet art. 42): a month per year of work history for
    the first ten years, half a month per later year, at least 3 and at most 24 months. The
    work history is taken as the years since the 18th birthday (the simulator has no
    employment record): an approximation that gives the spread of durations, not a
    client's entitlement.
    """
    years = np.maximum(np.asarray(start_m) // 12 - np.asarray(birth_year, dtype=np.int64) - 18, 0)
    months = np.minimum(years, 10) + 0.5 * np.maximum(years - 10, 0)
    return np.clip(np.floor(months), 3, 24).astype(np.int64)
# --- end benefit types --------------------------------------------------------------------


# ---- caseworker moves (issue 21) --------------------------------------------------------
def _moves_since(before: np.ndarray, after: np.ndarray, t: int, day: int) -> pd.DataFrame:
    """The spells whose caseworker changed from ``before`` to ``after``, as moves on (t, day)."""
    spell = np.flatnonzero(before != after)
    return pd.DataFrame({"spell": spell.astype(np.int64), "month": np.full(len(spell), t, np.int64),
                         "day": np.full(len(spell), day, np.int64),
                         "old": before[spell].astype(np.int64), "new": after[spell].astype(np.int64)})


def _balance_start_moves(rng_moves, sp, block, cw_muni, cw_index) -> None:
    """Redistribute a site's cohort at random over the municipality's caseworkers at the
    start (moves dated the start): each FIP caseworker keeps the number of eligible clients
    ``_start_site`` gave it, the other caseworkers share the rest; which client goes where
    is random. ``block["fip"]`` follows.

    Filling FIP caseloads by moving clients onto them while the other caseloads stay as
    they grew confounds FIP with the caseworker effect: a client still with their
    caseworker has survived that caseworker's exit hazard, and the free places of
    high-hazard caseworkers are the ones filled with new (unselected) clients. FIP clients
    then left faster without FIP (+0.0025 on ended within follow-up, 4.6 MC SE over 200
    replicates of brabantse_wal scaled to 30 FIP caseworkers, with the caseworker history
    in place; +0.0019 when only the share of moved clients was equalised). A municipality
    that reorganises its caseloads for FIP, at random, has no such bias: each client's
    caseworker at the start is then independent of the client."""
    cohort = block["cohort"]
    fip_cws = np.array([cw_index[c] for c in block["fip_caseworkers"]], dtype=np.int64)
    muni = sp["muni"][cohort]
    for m in np.unique(muni):
        here = cohort[muni == m]
        fip_here = fip_cws[cw_muni[fip_cws] == m]
        others = np.flatnonzero(cw_muni == m)
        others = others[~np.isin(others, fip_cws)]
        if len(fip_here) == 0 or len(others) == 0:
            continue
        # the FIP caseloads' sizes as _start_site made them; the rest to the others at random
        sizes = np.array([(sp["cw"][here] == c).sum() for c in fip_here])
        shuffled = rng_moves.permutation(here)
        n_fip = int(sizes.sum())
        sp["cw"][shuffled[:n_fip]] = np.repeat(fip_here, sizes)
        sp["cw"][shuffled[n_fip:]] = others[rng_moves.integers(0, len(others), len(here) - n_fip)]
    block["fip"] = np.isin(sp["cw"][cohort], fip_cws).astype(np.int8)


def _block_moves(rng_moves, p_move, site, cohort, sp, cw_muni, closed) -> tuple[np.ndarray, np.ndarray]:
    """Planned moves of a site's cohort during follow-up: the month of the move (``F`` for
    none; never month 0, the start) and the new caseworker (an open one of the municipality,
    so never a FIP caseworker while its site runs)."""
    n, F = len(cohort), site.follow_up_months
    hit = rng_moves.random((n, F)) < p_move
    hit[:, 0] = False
    month = np.where(hit.any(axis=1), hit.argmax(axis=1), F)
    new = sp["cw"][cohort].copy()
    movers = np.flatnonzero(month < F)
    if len(movers):
        new[movers] = _assign_caseworkers(rng_moves, sp["muni"][cohort[movers]], cw_muni, closed)
    month = np.where(new == sp["cw"][cohort], F, month)
    return month, new
# ---- end caseworker moves ---------------------------------------------------------------


def _assign_caseworkers(rng, muni_idx, cw_muni, closed) -> np.ndarray:
    """A random open caseworker of each spell's municipality (vectorised over spells)."""
    open_cw = np.flatnonzero(~closed)
    open_cw = open_cw[np.argsort(cw_muni[open_cw], kind="stable")]
    counts = np.bincount(cw_muni[open_cw], minlength=int(cw_muni.max()) + 1)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pick = (rng.random(len(muni_idx)) * counts[muni_idx]).astype(np.int64)
    return open_cw[offsets[muni_idx] + pick].astype(np.int32)


def _choice(rng, shares: np.ndarray, k: int) -> np.ndarray:
    # clipped to the last category with a positive share: a draw past a cumulative sum
    # that rounds below 1 never lands on a trailing zero-share reason (issue 21's reasons)
    last = int(np.flatnonzero(shares > 0)[-1]) if (shares > 0).any() else len(shares) - 1
    return np.minimum(np.searchsorted(np.cumsum(shares), rng.random(k), side="right"), last)


def _start_site(params, site: SiteSpec, k_site, t, sp, active, rng, cw_muni, cw_index, munis):
    """Pick the cohort and give each FIP caseworker exactly its eligible caseload."""
    muni_ok = np.ones(sp.n, dtype=bool) if site.municipality is None else \
        (sp["muni"][: sp.n] == munis.index[munis["name"] == site.municipality][0])
    running = active[: sp.n] & muni_ok & (sp["start_m"][: sp.n] < t)
    idx = np.flatnonzero(running)
    start_dates = to_dates(sp["start_m"][idx], sp["start_d"][idx])
    site_start = to_dates(np.array([t]), np.array([0]))[0]
    months_before = (site_start - start_dates).astype(np.int64) / DAYS_PER_MONTH
    eligible = months_before >= params.min_months_on_benefit
    if params.max_ladder_rung is not None:
        eligible &= sp["rung"][idx] <= params.max_ladder_rung
    fip_cws = [cw_index[c] for c in site.fip_caseworkers]
    cohort = idx[eligible]
    # FIP caseloads: exactly the eligible clients, fip_caseload each (or what the muni allows)
    fip_set = np.isin(np.arange(len(cw_muni)), fip_cws)
    for cw in fip_cws:
        m = cw_muni[cw]
        others = np.flatnonzero((cw_muni == m) & ~fip_set)
        eligible_here = cohort[sp["muni"][cohort] == m]
        n_fip_here = sum(cw_muni[c] == m for c in fip_cws)
        target = min(site.fip_caseload, len(eligible_here) // (2 * n_fip_here))
        mine = idx[sp["cw"][idx] == cw]
        not_eligible = mine[~np.isin(mine, cohort)]           # move to regular caseworkers
        sp["cw"][not_eligible] = rng.choice(others, len(not_eligible))
        mine_eligible = eligible_here[sp["cw"][eligible_here] == cw]
        if len(mine_eligible) > target:
            move = rng.choice(mine_eligible, len(mine_eligible) - target, replace=False)
            sp["cw"][move] = rng.choice(others, len(move))
        elif len(mine_eligible) < target:
            pool = eligible_here[np.isin(sp["cw"][eligible_here], others)]
            take = rng.choice(pool, target - len(mine_eligible), replace=False)
            sp["cw"][take] = cw
    fip = np.isin(sp["cw"][cohort], fip_cws).astype(np.int8)
    return dict(cohort=cohort, fip=fip, fip_caseworkers=tuple(site.fip_caseworkers))


def _run_block(params, site: SiteSpec, t, cohort, fip, sp, rng, shares0, muni_effect, cw_effect,
               extract_day, t_end, domain_rng, planned_moves):
    """Both potential paths of the cohort over the follow-up window, vectorised.

    ``planned_moves``: per client the follow-up month of a move to another caseworker
    (``F``: none) and that caseworker (``_block_moves``); from that month the hazard uses
    the new caseworker's effect and FIP's effects stop (the FIP arm is regular service)."""
    n, F = len(cohort), site.follow_up_months
    move_month, move_cw = planned_moves
    cw_start = sp["cw"][cohort].copy()
    with_start_cw = np.arange(F)[None, :] < move_month[:, None]     # (n, F)
    mult = np.array([site.reason_multipliers.get(r, 1.0) for r in END_REASONS])
    total_mult = float((shares0 * mult).sum())
    extra = shares0 * (mult - 1)
    extra_shares = extra / extra.sum() if extra.sum() > 0 else shares0
    duration = (t - sp["start_m"][cohort])[:, None] + np.arange(F)[None, :]
    cw_month = np.where(with_start_cw, cw_start[:, None], move_cw[:, None])
    risk = np.exp((sp["lp"][cohort] + muni_effect[sp["muni"][cohort]])[:, None] + cw_effect[cw_month])
    h0 = np.minimum(_band_hazard(params, duration) * risk, MAX_HAZARD)
    h1 = np.where(with_start_cw, np.minimum(h0 * total_mult, MAX_HAZARD), h0)
    if params.max_duration:           # WW: both arms end at the maximum duration (issue 21)
        limit = max_duration_months(sp["start_m"][cohort], sp["birth_year"][cohort])
        h0 = np.where(duration >= limit[:, None], 1.0, h0)
        h1 = np.where(duration >= limit[:, None], 1.0, h1)
    U, V, D = rng.random((n, F)), rng.random(n), rng.random(n)
    W, A, K = rng.random((n, F)), rng.random((n, F)), rng.random((n, F))

    def first_exit(h):
        hit = U < h
        return np.where(hit.any(axis=1), hit.argmax(axis=1), F)

    e0, e1 = first_exit(h0), first_exit(h1)
    cum0 = np.cumsum(shares0)
    reason0 = np.minimum(np.searchsorted(cum0, V * cum0[-1], side="right"), N_REASONS - 1)
    cum_extra = np.cumsum(extra_shares)
    reason_extra = np.minimum(np.searchsorted(cum_extra, V * cum_extra[-1], side="right"), N_REASONS - 1)
    same_month = e1 == e0
    reason1 = np.where(same_month, reason0, reason_extra)
    if params.max_duration:
        before = t - sp["start_m"][cohort]
        reason0 = np.where(before + e0 >= limit, EXHAUSTED, reason0)
        reason1 = np.where(before + e1 >= limit, EXHAUSTED, reason1)
    exit_months = {0: e0, 1: e1}

    start_date = to_dates(np.array([t]), np.array([0]))[0]
    fu_end = to_dates(np.array([t + F]), np.array([0]))[0]
    window_end = fu_end if extract_day is None else \
        min(fu_end, to_dates(np.array([t_end]), np.array([extract_day + 1]))[0])  # exclusive
    months = np.arange(F)[None, :]
    truth = {"spell": cohort, "fip": fip}
    for a, e in exit_months.items():
        ended = e < F
        dim = days_in_month(t + np.minimum(e, F - 1))
        day = 1 + np.minimum((D * (dim - 1)).astype(np.int64), dim - 2)  # never on the start date
        end_date = np.where(ended, to_dates(t + e, day), window_end)
        end_date = np.minimum(end_date, window_end)
        ended_in_window = ended & (to_dates(t + e, day) < window_end)
        on = months < e[:, None]
        p_f = params.fraud_rate * np.where(with_start_cw, site.fraud_rate_ratio if a == 1 else 1.0, 1.0)
        p_a = params.activation_rate * np.where(with_start_cw, site.activation_rate_ratio if a == 1 else 1.0, 1.0)
        truth[f"ended_{a}"] = ended_in_window.astype(np.int64)
        truth[f"end_reason_{a}"] = np.where(ended_in_window, (reason1 if a else reason0), -1)
        truth[f"months_on_benefit_{a}"] = (end_date - start_date).astype(np.int64) / DAYS_PER_MONTH
        in_window = to_dates(t + months + 1, np.zeros_like(months)) <= window_end
        truth[f"fraud_signals_{a}"] = ((W < p_f) & on & in_window).sum(axis=1)
        truth[f"activations_{a}"] = ((A < p_a) & on & in_window).sum(axis=1)
        truth[f"_day_{a}"] = day
    truth = pd.DataFrame(truth)

    # the observed path
    e_obs = np.where(fip == 1, e1, e0)
    r_obs = np.where(fip == 1, reason1, reason0)
    ended_obs = e_obs < F
    day_obs = np.where(fip == 1, truth["_day_1"], truth["_day_0"])
    obs_end_m = t + e_obs
    ended_idx = cohort[ended_obs & (obs_end_m <= t_end)]
    sp["end_m"][ended_idx] = obs_end_m[ended_obs & (obs_end_m <= t_end)]
    sp["end_d"][ended_idx] = day_obs[ended_obs & (obs_end_m <= t_end)]
    sp["reason"][ended_idx] = r_obs[ended_obs & (obs_end_m <= t_end)]
    survivor_idx = cohort[~ended_obs]
    truth = truth.drop(columns=["_day_0", "_day_1"])

    # observed events and contacts
    on_obs = months < e_obs[:, None]
    fip_months = (fip[:, None] == 1) & with_start_cw        # FIP service: until a move
    p_f = params.fraud_rate * np.where(fip_months, site.fraud_rate_ratio, 1.0)
    p_a = params.activation_rate * np.where(fip_months, site.activation_rate_ratio, 1.0)
    rows_f, cols_f = np.nonzero((W < p_f) & on_obs)
    rows_a, cols_a = np.nonzero((A < p_a) & on_obs)
    kinds = np.minimum(np.searchsorted(np.cumsum(ACTIVATION_SHARES), K[rows_a, cols_a], side="right"), 3)
    ev_rows = np.concatenate([rows_f, rows_a])
    ev_months = t + np.concatenate([cols_f, cols_a])
    ev_kind = np.concatenate([np.zeros(len(rows_f), dtype=np.int64), kinds + 1])
    ev_day = (rng.random(len(ev_rows)) * days_in_month(ev_months)).astype(np.int64)
    events = pd.DataFrame({"spell": cohort[ev_rows], "date": to_dates(ev_months, ev_day), "kind": ev_kind})

    # FIP: intake within the first four weeks, then a talk every three months (fidelity < 1);
    # controls: regular contacts at the usual rate
    talk_month = (months % 3 == 0) & on_obs & fip_months
    happened = rng.random((n, F)) < np.where(months == 0, 0.95, 0.90)
    regular = (rng.random((n, F)) < params.regular_contact_rate) & on_obs & ~fip_months
    r_t, c_t = np.nonzero(talk_month & happened)
    r_r, c_r = np.nonzero(regular)
    c_months = t + np.concatenate([c_t, c_r])
    c_day = np.where(np.concatenate([c_t, c_r]) == 0, rng.integers(0, 28, len(c_months)),
                     (rng.random(len(c_months)) * days_in_month(c_months)).astype(np.int64))
    kind = np.concatenate([np.where(c_t == 0, 0, 1), np.full(len(r_r), 2)])
    minutes = np.choose(kind, [45, 30, 20])
    contacts = pd.DataFrame({"spell": cohort[np.concatenate([r_t, r_r])],
                             "date": to_dates(c_months, c_day), "kind": kind, "minutes": minutes})
    # did truth: mean extra monthly exit probability over FIP client-months at risk
    # (FIP client-months: on a FIP caseload, i.e. not yet moved away)
    at_risk = (months <= e1[:, None]) & fip_months
    diff = (h1 - h0) * at_risk
    did_truth = pd.DataFrame({"event_month": np.arange(F),
                              "fip_client_months": at_risk.sum(axis=0),
                              "fip_exits": (at_risk & (months == e1[:, None])).sum(axis=0),
                              "mean_extra_exit_probability": diff.sum(axis=0) / np.maximum(at_risk.sum(axis=0), 1)})
    n_talks = len(r_t)
    domains, domain_truth = _domain_block(
        params, site, domain_rng, t, fip, {0: e0, 1: e1}, e_obs, window_end,
        talks=(r_t, c_t, to_dates(c_months[:n_talks], c_day[:n_talks])))
    domains["spell"] = cohort[domains.pop("row")]
    truth = pd.concat([truth, pd.DataFrame(domain_truth)], axis=1)
    if extract_day is not None:
        contacts = contacts[contacts["date"] < window_end]
        events = events[events["date"] < window_end]
        domains = domains[domains["date"] < window_end]
    # the planned moves that happen: on benefit at the start of the month, before the extract
    moved = (move_month < F) & (move_month <= e_obs) & (t + move_month <= t_end)
    sp["cw"][cohort[moved]] = move_cw[moved]
    moves = pd.DataFrame({"spell": cohort[moved].astype(np.int64),
                          "month": (t + move_month[moved]).astype(np.int64),
                          "day": np.zeros(int(moved.sum()), dtype=np.int64),
                          "old": cw_start[moved].astype(np.int64),
                          "new": move_cw[moved].astype(np.int64)})
    return dict(truth=truth, did_truth=did_truth, contacts=contacts, events=events,
                ended_idx=ended_idx, survivor_idx=survivor_idx, domains=domains, moves=moves)


DOMAIN_SCORE_SHARES = np.array([0.10, 0.25, 0.35, 0.20, 0.10])   # scores 1-5 at the start
DOMAIN_REVIEW_PROBABILITY = (0.95, 0.90)    # a control's opening / later review takes place


def closing_month(follow_up_months: int) -> int:
    """The follow-up month (0-based) of the closing domain assessment: the last three-monthly
    FIP talk, ``3 * floor((F - 1) / 3)``, the only multiple of three in the last three months
    [F - 3, F) that ``fipeval.design.domain_movement`` reads as the closing window."""
    return 3 * ((int(follow_up_months) - 1) // 3)


def _domain_block(params, site: SiteSpec, drng, t, fip, exits: dict, e_obs, window_end, talks):
    """The cohort's life-domain scores under both arms, and the assessments observed.

    Latent scores: each domain of each client starts at a score 1-5 (``DOMAIN_SCORE_SHARES``)
    and may rise and fall by one step; a rise comes in the first month with a success at the
    monthly rate ``r_a`` (``r_1 = r_0 * domain_movement_ratio``), found from one uniform by
    the inverse of the geometric distribution, so the FIP rise never comes later than the
    control rise (common random numbers); falls come alike under both arms. The score in
    follow-up month m is ``clip(start + rise by m - fall by m, 1, 5)``.

    Assessments: FIP clients at every FIP talk that took place (the intake "photo" in month 0,
    then every three months; the talks' dates); controls as a regular caseload records them:
    at the start, once a year and a closing review in the month of FIP's last talk
    (``closing_month``), each taking place with ``DOMAIN_REVIEW_PROBABILITY``, while on benefit.

    Truth, defined as ``fipeval.design.domain_movement`` measures it: under arm a, domain d
    moved when its score in ``closing_month`` is above its start score; NaN when the client
    is off benefit by then under that arm (exit month <= closing month) or the closing month
    is not inside the window (extract date). FIP's extra assessments do not enter it.
    Movement is independent of the exit paths, so the comparison among clients still on
    benefit targets the same contrast as over everyone.
    """
    n, F, k = len(fip), site.follow_up_months, len(DOMAINS)
    c = closing_month(F)
    base = (_choice(drng, DOMAIN_SCORE_SHARES, n * k) + 1).reshape(n, k)
    g_rise, g_fall = drng.random((n, k)), drng.random((n, k))
    review = drng.random((n, 3))
    review_day = drng.random((n, 3))

    def first_month(g, rate):                 # geometric: month >= 1 of the first success
        rate = min(float(rate), 0.999999)
        if rate <= 0:
            return np.full(g.shape, np.iinfo(np.int64).max // 2)
        return 1 + np.floor(np.log1p(-g) / np.log1p(-rate)).astype(np.int64)

    fall = first_month(g_fall, params.domain_fall_rate)
    rise = {0: first_month(g_rise, params.domain_rise_rate),
            1: first_month(g_rise, params.domain_rise_rate * site.domain_movement_ratio)}

    def score(a, rows, month):                # the scores of ``rows`` in ``month`` (per row)
        m = np.asarray(month)[:, None]
        return np.clip(base[rows] + (rise[a][rows] <= m) - (fall[rows] <= m), 1, 5)

    closing_inside = to_dates(np.array([t + c + 1]), np.array([0]))[0] <= window_end
    truth = {}
    for a in (0, 1):
        defined = (exits[a] > c) & closing_inside & (c > 0)
        moved = (score(a, np.arange(n), np.full(n, c)) > base).astype(float)
        moved[~defined] = np.nan
        truth[f"domain_movement_{a}"] = np.where(defined, moved.max(axis=1), np.nan)
        for j, d in enumerate(DOMAINS):
            truth[f"domain_movement_{d}_{a}"] = moved[:, j]

    # observed assessments: FIP at its talks, controls at start, yearly and closing reviews
    r_t, c_t, talk_dates = talks
    months = np.array([0, 12, c])
    planned = (fip[:, None] == 0) & (months[None, :] < e_obs[:, None]) &         np.array([True, 0 < 12 < c, c > 0])[None, :] &         (review < np.where(months == 0, DOMAIN_REVIEW_PROBABILITY[0], DOMAIN_REVIEW_PROBABILITY[1]))
    r_c, j_c = np.nonzero(planned)
    m_c = months[j_c]
    dim = days_in_month(t + m_c)
    day_c = np.where(m_c == 0, (review_day[r_c, j_c] * 28).astype(np.int64),
                     (review_day[r_c, j_c] * dim).astype(np.int64))
    rows = np.concatenate([r_t, r_c])
    month = np.concatenate([c_t, m_c])
    dates = np.concatenate([talk_dates, to_dates(t + m_c, day_c)])
    scores = np.where(fip[rows][:, None] == 1, score(1, rows, month), score(0, rows, month))
    out = pd.DataFrame({"row": np.repeat(rows, k), "date": np.repeat(dates, k),
                        "domain": np.tile(np.arange(k), len(rows)), "score": scores.ravel()})
    return out, truth


def _monthly_rows(rng, idx, t, rate, kind, minutes):
    hit = idx[rng.random(len(idx)) < rate]
    dim = days_in_month(np.array([t]))[0]
    return pd.DataFrame({"spell": hit, "date": to_dates(np.full(len(hit), t), rng.integers(0, dim, len(hit))),
                         "kind": np.full(len(hit), kind), "minutes": np.full(len(hit), minutes)})


def _monthly_events(rng, idx, t, fraud_rate, activation_rate, sp):
    dim = days_in_month(np.array([t]))[0]
    fraud = idx[rng.random(len(idx)) < fraud_rate]
    act_mask = rng.random(len(idx)) < activation_rate
    act = idx[act_mask]
    kinds = np.minimum(np.searchsorted(np.cumsum(ACTIVATION_SHARES), rng.random(len(act)), side="right"), 3) + 1
    spell = np.concatenate([fraud, act])
    return pd.DataFrame({"spell": spell,
                         "date": to_dates(np.full(len(spell), t), rng.integers(0, dim, len(spell))),
                         "kind": np.concatenate([np.zeros(len(fraud), dtype=np.int64), kinds])})
