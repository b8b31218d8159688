"""Synthetic FIP studies with known truth.

``generate(scenario, seed=...)`` simulates a benefit register (see ``model``) and returns a
``SyntheticStudy``: the canonical ``Register``, the ``StudyDesign``, and each cohort client's
potential outcomes with and without FIP (``truth``), so the true effect on the sample is
known exactly. ``write_export`` writes the data as a Dutch municipal export.

Examples
--------
>>> from fipeval.synthetic import generate
>>> study = generate("brabantse_wal")
>>> study.true_effects["att"]["ended"] > 0
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..design import Site, StudyDesign
from ..errors import InputError
from ..io.bsn import pseudonymise
from ..schema import (BENEFIT_END_REASONS, CONTACT_KINDS, DOMAINS, END_REASONS, EVENT_KINDS,
                      HOUSEHOLD_TYPES, SEXES, Register)
from .model import simulate, to_dates
from .scenarios import DEFAULT_SEEDS, SCENARIOS, ScenarioParams

# The pseudonymisation key of the bundled synthetic exports. It is public on purpose: the
# numbers are fake. Real extracts need a secret key (see fipeval.io).
DEMO_KEY = b"fipeval-synthetic-demo-key"

TRUTH_OUTCOMES = ("ended", "months_on_benefit", "fraud_signals", "activations")

__all__ = ["generate", "SyntheticStudy", "SCENARIOS", "DEFAULT_SEEDS", "DEMO_KEY", "fake_bsns",
           "true_rate_effects", "true_did_att"]


@dataclass(frozen=True)
class SyntheticStudy:
    scenario: str
    seed: int
    params: ScenarioParams
    register: Register
    design: StudyDesign
    truth: pd.DataFrame
    true_effects: dict
    did_truth: pd.DataFrame
    bsn: pd.DataFrame  # client_id -> fake BSN and klantnummer, for writing exports only

    def __repr__(self) -> str:
        att = self.true_effects["att"]
        return (f"SyntheticStudy({self.scenario!r}, seed={self.seed}, {self.register!r}, "
                f"{len(self.truth):,} cohort clients, true ATT on ended={att['ended']:.4f})")


def pseudonym(bsns, key: bytes = DEMO_KEY) -> np.ndarray:
    """The loader's keyed pseudonym of 9-digit BSN strings (see ``fipeval.io.bsn``)."""
    return pseudonymise(list(bsns), key)


def fake_bsns(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct 9-digit numbers that pass the 11-proef (fake citizen numbers)."""
    weights = np.array([9, 8, 7, 6, 5, 4, 3, 2])
    out, seen = [], set()
    while len(out) < n:
        digits = rng.integers(0, 10, size=(2 * (n - len(out)) + 16, 8))
        digits[:, 0] = rng.integers(1, 10, len(digits))
        check = (digits @ weights) % 11
        ok = check <= 9
        numbers = digits[ok] @ (10 ** np.arange(8, 0, -1)) + check[ok]
        for x in numbers:
            if x not in seen:
                seen.add(x)
                out.append(x)
                if len(out) == n:
                    break
    return np.array([f"{x:09d}" for x in out], dtype=object)


def generate(scenario: str, seed: int | None = None, **size) -> SyntheticStudy:
    """Simulate a scenario: ``brabantse_wal``, ``three_municipalities`` or ``national``.

    Parameters
    ----------
    scenario
        Name of the scenario (see ``fipeval.synthetic.SCENARIOS``).
    seed
        Seed of the random generator; the default is the scenario's bundled seed.
    **size
        Scenario parameters to override (``scale=0.25`` for ``national``).
    """
    if scenario not in SCENARIOS:
        raise InputError(f"Unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}.")
    seed = DEFAULT_SEEDS[scenario] if seed is None else int(seed)
    params = SCENARIOS[scenario](**size)
    sim = simulate(params, seed)
    rng = np.random.default_rng([seed, 1])

    clients = np.unique(np.concatenate([sim.spells["client"].to_numpy(), sim.truth["spell"].map(
        lambda s: -1).to_numpy()[:0]]))
    bsn = fake_bsns(len(clients), rng)
    ids = pseudonym(bsn)
    id_of = pd.Series(ids, index=clients)
    client_number = np.array([f"K{x:07d}" for x in rng.permutation(len(clients)) + 1000], dtype=object)

    spells = _canonical_spells(sim, id_of, rng)
    if params.benefit_type != "bijstand":
        spells = _benefit_spells(spells, params, seed)
    spell_client = pd.Series(sim.spells["client"].to_numpy(), index=sim.spells["spell"].to_numpy())
    contacts = sim.contacts[sim.contacts["spell"].isin(spell_client.index)]
    contacts = pd.DataFrame({
        "client_id": id_of[spell_client[contacts["spell"]].to_numpy()].to_numpy(),
        "date": pd.to_datetime(contacts["date"].to_numpy()),
        "kind": np.asarray(CONTACT_KINDS, dtype=object)[contacts["kind"].to_numpy().astype(int)],
        "minutes": contacts["minutes"].to_numpy().astype(float),
    }).sort_values(["date", "client_id", "kind"], kind="stable").reset_index(drop=True)
    events = sim.events[sim.events["spell"].isin(spell_client.index)]
    events = pd.DataFrame({
        "client_id": id_of[spell_client[events["spell"]].to_numpy()].to_numpy(),
        "date": pd.to_datetime(events["date"].to_numpy()),
        "kind": np.asarray(EVENT_KINDS, dtype=object)[events["kind"].to_numpy().astype(int)],
    }).sort_values(["date", "client_id", "kind"], kind="stable").reset_index(drop=True)
    register = Register(spells=spells, contacts=contacts, events=events,
                        extract_date=pd.Timestamp(params.extract_date),
                        domains=_canonical_domains(sim, id_of, spell_client),
                        assignments=_canonical_assignments(sim, id_of))

    design = StudyDesign(
        sites=tuple(Site(s.start, s.follow_up_months, fip_caseworkers=sim.fip_caseworkers[k],
                         municipality=s.municipality) for k, s in enumerate(params.sites)),
        min_months_on_benefit=params.min_months_on_benefit,
        max_ladder_rung=params.max_ladder_rung, name=params.name)

    truth = _truth_table(sim, id_of, spell_client, params)
    effects = true_effects(truth, reasons=BENEFIT_END_REASONS[params.benefit_type])
    bsn_table = pd.DataFrame({"client_id": ids, "bsn": bsn, "klantnummer": client_number})
    return SyntheticStudy(scenario, seed, params, register, design, truth, effects,
                          sim.did_truth, bsn_table)


def _canonical_spells(sim, id_of, rng) -> pd.DataFrame:
    s = sim.spells
    start = pd.to_datetime(to_dates(s["start_m"].to_numpy(), s["start_d"].to_numpy()))
    ended = s["end_m"].to_numpy() >= 0
    end = pd.to_datetime(np.where(ended, to_dates(np.maximum(s["end_m"].to_numpy(), 0),
                                                   np.maximum(s["end_d"].to_numpy(), 0)),
                                  np.datetime64("NaT")))
    reasons = np.asarray(END_REASONS, dtype=object)[np.maximum(s["reason"].to_numpy(), 0)]
    out = pd.DataFrame({
        "client_id": id_of[s["client"].to_numpy()].to_numpy(),
        "municipality": sim.municipalities["name"].to_numpy()[s["muni"].to_numpy()],
        "caseworker": sim.caseworkers["id"].to_numpy()[s["cw"].to_numpy()],
        "start_date": start,
        "end_date": end,
        "end_reason": np.where(ended, reasons, None),
        "monthly_amount": s["amount"].to_numpy(),
        "household_type": np.asarray(HOUSEHOLD_TYPES, dtype=object)[s["household"].to_numpy()],
        "birth_year": s["birth_year"].to_numpy(),
        "sex": np.asarray(SEXES, dtype=object)[s["sex"].to_numpy()],
        "ladder_rung": s["rung"].to_numpy(),
    })
    return out.sort_values(["municipality", "start_date", "client_id"], kind="stable").reset_index(drop=True)


# --- benefit types (issue 21) -------------------------------------------------------------
def _benefit_spells(spells: pd.DataFrame, params: ScenarioParams, seed: int) -> pd.DataFrame:
    """WW and AOV spells: their own amounts, no household type or participatieladder (those
    registers do not keep them), and the benefit type. Drawn from a stream of their own
    (``[seed, 3]``), so the bijstand scenarios' draws are untouched."""
    from ..costing.inputs import WW_DAYS_PER_MONTH, WW_MAX_DAILY_WAGE, WW_REPLACEMENT_RATE

    rng = np.random.default_rng([seed, 3])
    out = spells.copy()
    n = len(out)
    if params.benefit_type == "ww":
        # daily wage (dagloon): log-normal around EUR 115, capped at the maximum daily wage;
        # the monthly amount at 70% (the rate after the first two months)
        wage = np.minimum(rng.lognormal(np.log(115.0), 0.35, n), WW_MAX_DAILY_WAGE.value)
        amount = WW_REPLACEMENT_RATE * WW_DAYS_PER_MONTH * np.round(wage, 2)
    else:
        # the insured monthly benefit of a self-employed person's AOV policy
        amount = np.clip(rng.lognormal(np.log(2_000.0), 0.4, n), 500.0, 6_000.0)
    out["monthly_amount"] = np.round(amount, 2)
    out["household_type"] = None
    out["ladder_rung"] = pd.array([pd.NA] * n, dtype="Int8")
    out["benefit_type"] = params.benefit_type
    return out
# --- end benefit types --------------------------------------------------------------------


# ---- caseworker assignments (issue 21) -------------------------------------------------
def _canonical_assignments(sim, id_of) -> pd.DataFrame:
    """The caseworker history of every exported spell: from its start (the caseworker before
    its first move, or its only one) through each move; each row ends where the next starts,
    the last at the spell's end (NaT while running)."""
    s = sim.spells.set_index("spell")
    mv = sim.moves.sort_values(["spell", "month", "day"], kind="stable")
    first_old = mv.drop_duplicates("spell").set_index("spell")["old"]
    spell = s.index.to_numpy()
    initial = s["cw"].to_numpy().astype(np.int64)
    has = first_old.index.to_numpy()
    initial[pd.Index(spell).get_indexer(has)] = first_old.to_numpy()
    rows_spell = np.concatenate([spell, mv["spell"].to_numpy()])
    rows_cw = np.concatenate([initial, mv["new"].to_numpy()])
    frm = np.concatenate([to_dates(s["start_m"].to_numpy(), s["start_d"].to_numpy()),
                          to_dates(mv["month"].to_numpy(), mv["day"].to_numpy())])
    order = np.lexsort((frm, rows_spell))
    rows_spell, rows_cw, frm = rows_spell[order], rows_cw[order], frm[order]
    ended = s["end_m"].to_numpy() >= 0
    spell_end = np.where(ended, to_dates(np.maximum(s["end_m"].to_numpy(), 0),
                                         np.maximum(s["end_d"].to_numpy(), 0)),
                         np.datetime64("NaT"))
    last = np.append(rows_spell[1:] != rows_spell[:-1], True)
    to = np.where(last, spell_end[pd.Index(spell).get_indexer(rows_spell)],
                  np.append(frm[1:], frm[-1:]) if len(frm) else frm)
    client = s["client"].to_numpy()[pd.Index(spell).get_indexer(rows_spell)]
    muni = s["muni"].to_numpy()[pd.Index(spell).get_indexer(rows_spell)]
    # a move on the day the spell ends (a site's start on the 1st, the exit that day) holds
    # the client for no day: left out
    keep = np.isnat(to) | (to > frm)
    rows_cw, frm, to, client, muni = rows_cw[keep], frm[keep], to[keep], client[keep], muni[keep]
    out = pd.DataFrame({
        "client_id": id_of[client].to_numpy(),
        "caseworker": sim.caseworkers["id"].to_numpy()[rows_cw],
        "from_date": pd.to_datetime(frm), "to_date": pd.to_datetime(to),
        "municipality": sim.municipalities["name"].to_numpy()[muni],
    })
    return out.sort_values(["municipality", "from_date", "client_id"], kind="stable").reset_index(drop=True)
# ---- end caseworker assignments ---------------------------------------------------------


def _truth_table(sim, id_of, spell_client, params) -> pd.DataFrame:
    t = sim.truth
    if len(t) == 0:
        return pd.DataFrame()
    out = pd.DataFrame({"client_id": id_of[spell_client[t["spell"]].to_numpy()].to_numpy(),
                        "site": t["site"].to_numpy(),
                        "municipality": sim.municipalities["name"].to_numpy()[
                            pd.Series(sim.spells["muni"].to_numpy(), index=sim.spells["spell"].to_numpy())[
                                t["spell"]].to_numpy()],
                        "fip": t["fip"].to_numpy().astype(np.int64)})
    for a in (0, 1):
        out[f"ended_{a}"] = t[f"ended_{a}"].to_numpy()
        codes = t[f"end_reason_{a}"].to_numpy()
        out[f"end_reason_{a}"] = np.where(codes >= 0, np.asarray(END_REASONS, dtype=object)[np.maximum(codes, 0)], None)
        out[f"months_on_benefit_{a}"] = t[f"months_on_benefit_{a}"].to_numpy()
        out[f"fraud_signals_{a}"] = t[f"fraud_signals_{a}"].to_numpy()
        out[f"activations_{a}"] = t[f"activations_{a}"].to_numpy()
    for a in (0, 1):
        for o in DOMAIN_TRUTH_OUTCOMES:
            out[f"{o}_{a}"] = t[f"{o}_{a}"].to_numpy()
    return out.sort_values("client_id", kind="stable").reset_index(drop=True)


# --- the six FIP life domains ------------------------------------------------------------

DOMAIN_TRUTH_OUTCOMES = ("domain_movement",) + tuple(f"domain_movement_{d}" for d in DOMAINS)


def _canonical_domains(sim, id_of, spell_client) -> pd.DataFrame:
    d = sim.domains[sim.domains["spell"].isin(spell_client.index)]
    return pd.DataFrame({
        "client_id": id_of[spell_client[d["spell"]].to_numpy()].to_numpy(),
        "date": pd.to_datetime(d["date"].to_numpy()),
        "domain": np.asarray(DOMAINS, dtype=object)[d["domain"].to_numpy().astype(int)],
        "score": d["score"].to_numpy().astype(np.int64),
    }).sort_values(["date", "client_id", "domain"], kind="stable").reset_index(drop=True)


def _domain_effects(df: pd.DataFrame, fip: pd.Series) -> dict:
    """Life-domain movement: defined per arm only for clients on benefit at the closing
    assessment (NaN otherwise, ``model._domain_block``), so each arm's mean is over the
    clients it is defined for: the contrast a comparison of assessed clients estimates."""
    out = {"att": {}, "sate": {}, "control_mean": {}}
    for o in DOMAIN_TRUTH_OUTCOMES:
        if f"{o}_0" not in df:
            continue
        y0, y1 = df[f"{o}_0"], df[f"{o}_1"]
        out["att"][o] = float(y1[fip].mean() - y0[fip].mean())
        out["sate"][o] = float(y1.mean() - y0.mean())
        out["control_mean"][o] = float(y0[fip].mean())
    return out


def true_effects(truth: pd.DataFrame, reasons: tuple = END_REASONS) -> dict:
    """ATT (mean over FIP clients) and SATE (mean over the cohort) of each outcome.

    Outcomes: ended, ended_<reason> for each of ``reasons`` (``generate`` passes the
    scenario's benefit type's reasons, ``schema.BENEFIT_END_REASONS``), months_on_benefit,
    fraud_signals, activations, and (where the truth has them) domain_movement and
    domain_movement_<domain>, each a difference of the arms' means over the clients it is
    defined for; overall and per municipality (``by_municipality``), with group sizes.
    """
    def effects(df: pd.DataFrame) -> dict:
        diffs = {o: df[f"{o}_1"] - df[f"{o}_0"] for o in TRUTH_OUTCOMES}
        for r in reasons:
            diffs[f"ended_{r}"] = ((df["end_reason_1"] == r).astype(int) - (df["end_reason_0"] == r).astype(int))
        fip = df["fip"] == 1
        out = {"att": {k: float(v[fip].mean()) for k, v in diffs.items()},
               "sate": {k: float(v.mean()) for k, v in diffs.items()},
               "control_mean": {o: float(df.loc[fip, f"{o}_0"].mean()) for o in TRUTH_OUTCOMES},
               "n_fip": int(fip.sum()), "n_control": int((~fip).sum())}
        for part, values in _domain_effects(df, fip).items():
            out[part].update(values)
        return out

    result = effects(truth)
    result["by_municipality"] = {m: effects(g) for m, g in truth.groupby("municipality", sort=True)}
    return result


RATE_KINDS = {"fraud_signal_rate": ("fraud_rate", "fraud_rate_ratio"),
              "activation_rate": ("activation_rate", "activation_rate_ratio")}


def true_rate_effects(study: SyntheticStudy, outcome: str, last_month) -> list[np.ndarray]:
    """True effect of FIP on a caseworker's monthly rate, per site and follow-up month.

    FIP multiplies a client's monthly probability ``p0`` of a fraud signal (activation step)
    by the site's ratio ``r`` in the months on benefit before the exit month, so the effect on
    the rate of a FIP caseload in follow-up month ``m`` is ``p0 * (r - 1) * (1 - exits_m /
    at_risk_m)``, with ``at_risk_m`` the FIP clients on the caseload at the start of month ``m``
    (``study.did_truth``). One array per site, its months up to ``last_month``.
    Clients moved away from their FIP caseworker leave the FIP caseload (and FIP) from the
    month of the move on, so ``at_risk_m`` counts only those still on it.

    ``"termination_rate"``: the mean over the same FIP client-months of the extra monthly
    exit probability under FIP (``h1 - h0``; ``did_truth["mean_extra_exit_probability"]``).
    """
    if outcome not in RATE_KINDS and outcome != "termination_rate":
        raise InputError(f"No known truth for {outcome!r}; choose one of "
                         f"{', '.join([*RATE_KINDS, 'termination_rate'])}.")
    last = pd.Timestamp(last_month).to_period("M")
    out = []
    for k, site in enumerate(study.design.sites):
        d = study.did_truth[study.did_truth["site"] == k].sort_values("event_month")
        n_post = (last - pd.Timestamp(site.start_date).to_period("M")).n + 1
        if outcome == "termination_rate":
            out.append(d["mean_extra_exit_probability"].to_numpy(dtype=float)[:n_post])
            continue
        rate, ratio = RATE_KINDS[outcome]
        at_risk = d["fip_client_months"].to_numpy(dtype=float)
        exits = d["fip_exits"].to_numpy(dtype=float)
        p0, r = getattr(study.params, rate), getattr(study.params.sites[k], ratio)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append((p0 * (r - 1) * (1 - exits / at_risk))[:n_post])
    return out


def true_did_att(study: SyntheticStudy, outcome: str, last_month, *,
                 weights: str = "cells") -> float:
    """The average true effect on a monthly rate that a DiD estimates.

    ``weights="cells"``: every (site, follow-up month) cell alike, the estimand of the
    Callaway-Sant'Anna simple aggregate when each site has the same number of FIP
    caseworkers; ``"client_months"``: cells weighted by their FIP client-months, the estimand
    of a caseload-weighted two-way fixed-effects DiD with one start date (with staggered
    starts TWFE weights the cells in ways of its own, Goodman-Bacon 2021).
    """
    cells = true_rate_effects(study, outcome, last_month)
    if weights == "cells":
        return float(np.mean(np.concatenate(cells)))
    if weights == "client_months":
        w = [study.did_truth[study.did_truth["site"] == k].sort_values("event_month")
             ["fip_client_months"].to_numpy(dtype=float)[:len(c)] for k, c in enumerate(cells)]
        return float(np.average(np.concatenate(cells), weights=np.concatenate(w)))
    raise InputError(f"weights must be 'cells' or 'client_months', not {weights!r}.")
