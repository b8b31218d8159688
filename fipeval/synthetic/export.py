"""Write a synthetic study as a Dutch municipal export, with its truth beside it.

Files (UTF-8, ``;`` separator, decimal comma, ``dd-mm-jjjj`` dates, ``\\n`` line ends):

- ``uitkeringen.csv``    spells, Dutch headers and codes, fake BSNs that pass the 11-proef
  (a WW scenario writes ``ww_uitkeringen.csv`` in UWV's style, an AOV scenario
  ``aov_claims.csv`` in an insurer's: ``write_benefit_spells``)
- ``contacten.csv``      contacts
- ``gebeurtenissen.csv`` fraud signals and activation steps
- ``leefgebieden.csv``   life-domain assessments (``leefgebied``, score 1-5), when the study has them
- ``toewijzingen.csv``   caseworker history: klantmanager per client from ``datum van`` to
  ``datum tot`` (exclusive: the next row's ``datum van``; empty while it holds); the spells'
  ``klantmanager`` is the caseworker at the spell's end or the extract, as in real extracts
- ``truth.csv``          per cohort client (pseudonymous id): both arms' outcomes
- ``truth.json``         true effects (ATT, SATE, per municipality), did truth, scenario
- ``study.toml``         the study design, for ``python -m fipeval report``
- ``pseudonym.key``      the public demo key the pseudonyms were made with

The same scenario and seed give byte-identical files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import DEMO_KEY, SyntheticStudy

REASON_CODES = {"work": "Werk", "enforcement": "Handhaving/fraude", "moved": "Verhuizing",
                "partner": "Huwelijk/samenwonen", "other_benefit": "Andere uitkering",
                "education": "Studiefinanciering", "death": "Overlijden", "other": "Overig",
                "unknown": "Onbekend"}
HOUSEHOLD_CODES = {"single": "Alleenstaande", "single_parent": "Alleenstaande ouder",
                   "couple": "Gehuwd/samenwonend"}
SEX_CODES = {"female": "V", "male": "M", "unknown": "O"}
CONTACT_CODES = {"intake": "Intake", "fip_talk": "FIP-gesprek", "regular": "Regulier"}
EVENT_CODES = {"fraud_signal": "Fraudesignaal", "volunteering": "Vrijwilligerswerk",
               "informal_care": "Mantelzorg", "programme_start": "Start traject",
               "ladder_step": "Trede omhoog"}
EVENT_DETAIL = {"fraud_signal": "signaal uit gesprek", "volunteering": "start vrijwilligerswerk",
                "informal_care": "mantelzorg gemeld", "programme_start": "start re-integratietraject",
                "ladder_step": "een trede hoger op de participatieladder"}
SPELL_HEADERS = ["bsn", "klantnummer", "gemeente", "klantmanager", "ingangsdatum", "einddatum",
                 "reden beëindiging", "uitkeringsbedrag", "leefvorm", "geboortedatum", "geslacht",
                 "trede participatieladder"]
DATE = "%d-%m-%Y"


def _write(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, sep=";", decimal=",", index=False, date_format=DATE, lineterminator="\n",
              float_format="%.2f", encoding="utf-8")


def write_export(study: SyntheticStudy, out: str | Path) -> Path:
    """Write ``study`` to folder ``out`` (created if needed); return the folder."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([study.seed, 2])
    ids = study.bsn.set_index("client_id")
    sp = study.register.spells
    birth = pd.to_datetime(sp["birth_year"].astype(int).astype(str) + "-01-01") + pd.to_timedelta(
        rng.integers(0, 365, len(sp)), unit="D")
    spells = pd.DataFrame({
        "bsn": ids.loc[sp["client_id"], "bsn"].to_numpy(),
        "klantnummer": ids.loc[sp["client_id"], "klantnummer"].to_numpy(),
        "gemeente": sp["municipality"].astype(str).to_numpy(),
        "klantmanager": sp["caseworker"].astype(str).to_numpy(),
        "ingangsdatum": sp["start_date"].dt.strftime(DATE).to_numpy(),
        "einddatum": sp["end_date"].dt.strftime(DATE).fillna("").to_numpy(),
        "reden beëindiging": sp["end_reason"].astype(object).map(REASON_CODES).fillna("").to_numpy(),
        "uitkeringsbedrag": sp["monthly_amount"].to_numpy(),
        "leefvorm": sp["household_type"].astype(object).map(HOUSEHOLD_CODES).to_numpy(),
        "geboortedatum": birth.dt.strftime(DATE).to_numpy(),
        "geslacht": sp["sex"].astype(object).map(SEX_CODES).to_numpy(),
        "trede participatieladder": sp["ladder_rung"].astype("Int64").to_numpy(),
    }, columns=SPELL_HEADERS)
    if study.params.benefit_type == "bijstand":
        _write(spells, out / "uitkeringen.csv")
    else:
        write_benefit_spells(study, spells, out)
    c = study.register.contacts
    _write(pd.DataFrame({
        "bsn": ids.loc[c["client_id"], "bsn"].to_numpy(),
        "datum": c["date"].dt.strftime(DATE).to_numpy(),
        "soort contact": c["kind"].astype(object).map(CONTACT_CODES).to_numpy(),
        "duur minuten": c["minutes"].astype(int).to_numpy(),
    }), out / "contacten.csv")
    e = study.register.events
    _write(pd.DataFrame({
        "bsn": ids.loc[e["client_id"], "bsn"].to_numpy(),
        "datum": e["date"].dt.strftime(DATE).to_numpy(),
        "soort": e["kind"].astype(object).map(EVENT_CODES).to_numpy(),
        "omschrijving": e["kind"].astype(object).map(EVENT_DETAIL).to_numpy(),
    }), out / "gebeurtenissen.csv")
    if study.register.domains is not None:
        _write_domains(study, ids, out / "leefgebieden.csv")
    _write_assignments(study, ids, out)
    study.truth.to_csv(out / "truth.csv", index=False, lineterminator="\n", float_format="%.6f")
    (out / "truth.json").write_text(json.dumps(_clean({
        "scenario": study.scenario, "seed": study.seed,
        "note": "Potential outcomes of every cohort client with (_1) and without (_0) FIP; "
                "att = mean over FIP clients of the difference, sate = mean over the cohort.",
        "true_effects": study.true_effects,
        "did_truth": study.did_truth.to_dict(orient="list"),
        "design": study.design.to_dict(),
    }), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "study.toml").write_text(study_toml(study), encoding="utf-8")
    (out / "pseudonym.key").write_bytes(DEMO_KEY + b"\n")
    return out


# --- the six FIP life domains ------------------------------------------------------------

DOMAIN_CODES = {"relationship": "Relatie", "finances": "Financiën", "health": "Gezondheid",
                "housing": "Wonen", "family": "Gezin", "work_education": "Werk en opleiding"}


def _write_domains(study: SyntheticStudy, ids: pd.DataFrame, path: Path) -> None:
    d = study.register.domains
    _write(pd.DataFrame({
        "bsn": ids.loc[d["client_id"], "bsn"].to_numpy(),
        "datum": d["date"].dt.strftime(DATE).to_numpy(),
        "leefgebied": d["domain"].astype(object).map(DOMAIN_CODES).to_numpy(),
        "score": d["score"].astype(int).to_numpy(),
    }), path)


# ---- caseworker assignments (issue 21) -------------------------------------------------
ASSIGNMENT_HEADERS = ["bsn", "klantnummer", "gemeente", "klantmanager", "datum van", "datum tot"]


def _write_assignments(study: SyntheticStudy, ids: pd.DataFrame, out: Path) -> None:
    a = study.register.assignments
    if a is None:
        return
    who = ids.loc[a["client_id"], ["bsn", "klantnummer"]].reset_index(drop=True)
    rows = who.assign(gemeente=a["municipality"].astype(str).to_numpy(),
                      klantmanager=a["caseworker"].astype(str).to_numpy())
    rows["datum van"] = a["from_date"].dt.strftime(DATE).to_numpy()
    rows["datum tot"] = a["to_date"].dt.strftime(DATE).fillna("").to_numpy()
    _write(rows[ASSIGNMENT_HEADERS], out / "toewijzingen.csv")
# ---- end caseworker assignments ---------------------------------------------------------


def study_toml(study: SyntheticStudy) -> str:
    d = study.design
    lines = [f"# Study design of the synthetic scenario {study.scenario!r} (seed {study.seed}).",
             f'name = "{d.name}"', f'extract_date = "{study.register.extract_date.date()}"',
             f"seed = {study.seed}", f"min_months_on_benefit = {d.min_months_on_benefit}"]
    if d.max_ladder_rung is not None:
        lines.append(f"max_ladder_rung = {d.max_ladder_rung}")
    if study.params.benefit_type != "bijstand":
        lines.append(f'benefit_type = "{study.params.benefit_type}"')
    for s in d.sites:
        lines += ["", "[[sites]]"]
        if s.municipality is not None:
            lines.append(f'municipality = "{s.municipality}"')
        lines += [f'start_date = "{s.start_date.date()}"', f"follow_up_months = {s.follow_up_months}",
                  "fip_caseworkers = [" + ", ".join(f'"{c}"' for c in s.fip_caseworkers) + "]"]
    if study.params.benefit_type != "bijstand":
        # WW and AOV registers keep no household type or participatieladder rung
        lines += ["", "[matching]",
                  'covariates = ["age", "sex", "monthly_amount", "months_before_start"]']
    return "\n".join(lines) + "\n"


# --- benefit types (issue 21) -------------------------------------------------------------
WW_REASON_CODES = {"work": "Werkhervatting", "enforcement": "Maatregel/fraude",
                   "moved": "Vertrek buitenland", "other_benefit": "Ziektewet",
                   "education": "Opleiding", "death": "Overlijden", "other": "Overig",
                   "unknown": "Onbekend", "exhausted": "Maximale duur bereikt",
                   "retirement": "AOW-leeftijd bereikt"}
AOV_REASON_CODES = {"recovered": "Hersteld", "work": "Werk in loondienst", "enforcement": "Fraude",
                    "other_benefit": "Andere uitkering", "death": "Overlijden",
                    "retirement": "Eindleeftijd polis bereikt",
                    "exhausted": "Einde uitkeringstermijn", "other": "Overig",
                    "unknown": "Onbekend"}
WW_HEADERS = ["BSN", "Uitkeringsdossier", "Vestiging", "Werkcoach", "Datum aanvang WW",
              "Datum einde WW", "Reden einde WW", "Dagloon", "Uitkering per maand",
              "Geboortedatum", "Geslacht"]
AOV_HEADERS = ["Relatienummer", "BSN verzekerde", "Regio", "Casemanager",
               "Ingangsdatum uitkering", "Einddatum uitkering", "Reden beëindiging claim",
               "Uitkering per maand", "Dekking", "Geboortedatum", "Geslacht"]
ISO = "%Y-%m-%d"


def write_benefit_spells(study: SyntheticStudy, spells: pd.DataFrame, out: Path) -> Path:
    """The spells of a WW or AOV scenario in that benefit's export format.

    WW (``ww_uitkeringen.csv``, UWV style): ``;``, decimal comma, ISO dates, the office
    (vestiging) and work coach, the daily wage beside the monthly benefit. AOV
    (``aov_claims.csv``, an insurer's style): ``,``, decimal point, ``dd-mm-jjjj`` dates, the
    insurer's relation number, the claims region and case manager, the cover (dekking).
    ``spells`` is the bijstand-style table ``write_export`` built (same rows and order).
    """
    sp = study.register.spells
    reasons = sp["end_reason"].astype(object)
    born = pd.to_datetime(spells["geboortedatum"], format=DATE)
    if study.params.benefit_type == "ww":
        from ..costing.inputs import WW_DAYS_PER_MONTH, WW_REPLACEMENT_RATE

        table = pd.DataFrame({
            "BSN": spells["bsn"], "Uitkeringsdossier": spells["klantnummer"].str.replace("K", "WW", regex=False),
            "Vestiging": spells["gemeente"], "Werkcoach": spells["klantmanager"],
            "Datum aanvang WW": sp["start_date"].dt.strftime(ISO).to_numpy(),
            "Datum einde WW": sp["end_date"].dt.strftime(ISO).fillna("").to_numpy(),
            "Reden einde WW": reasons.map(WW_REASON_CODES).fillna("").to_numpy(),
            "Dagloon": (sp["monthly_amount"] / (WW_REPLACEMENT_RATE * WW_DAYS_PER_MONTH)).round(2).to_numpy(),
            "Uitkering per maand": sp["monthly_amount"].to_numpy(),
            "Geboortedatum": born.dt.strftime(ISO).to_numpy(), "Geslacht": spells["geslacht"],
        }, columns=WW_HEADERS)
        path = out / "ww_uitkeringen.csv"
        _write(table, path)
        return path
    table = pd.DataFrame({
        "Relatienummer": spells["klantnummer"].str.replace("K", "REL-", regex=False),
        "BSN verzekerde": spells["bsn"], "Regio": spells["gemeente"],
        "Casemanager": spells["klantmanager"],
        "Ingangsdatum uitkering": spells["ingangsdatum"], "Einddatum uitkering": spells["einddatum"],
        "Reden beëindiging claim": reasons.map(AOV_REASON_CODES).fillna("").to_numpy(),
        "Uitkering per maand": sp["monthly_amount"].to_numpy(), "Dekking": "AOV",
        "Geboortedatum": spells["geboortedatum"], "Geslacht": spells["geslacht"],
    }, columns=AOV_HEADERS)
    path = out / "aov_claims.csv"
    table.to_csv(path, sep=",", decimal=".", index=False, lineterminator="\n",
                 float_format="%.2f", encoding="utf-8")
    return path
# --- end benefit types --------------------------------------------------------------------


def _clean(obj):
    """JSON-safe: NaN -> None, numpy scalars -> Python."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if math.isnan(obj) else round(float(obj), 10)
    return obj
