"""Benefit type as a dimension (issue 21, part 3): WW and AOV beside bijstand.

The presets read a UWV-style WW export and an insurer's AOV export with exact row
accounting; an unknown benefit code stops the load naming file, line, column and value; the
costing prices a WW month by hand-computable rules; the synthetic WW and AOV studies run end
to end with ``python -m fipeval`` and name their benefit (in Dutch too, with no missing
catalog entry); a bijstand study is untouched.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fipeval.costing import crude_savings, refined_savings
from fipeval.costing.inputs import (BENEFIT_PAYERS, WW_MAX_DAILY_WAGE, CostInputs,
                                    benefit_inputs, ww_monthly_benefit)
from fipeval.errors import ConfigError, InputError, LoadError, SchemaError
from fipeval.io import load
from fipeval.io.mapping import preset_mapping
from fipeval.schema import BENEFIT_END_REASONS, END_REASONS, study_benefit_type
from fipeval.synthetic import generate
from fipeval.synthetic.model import _choice, max_duration_months

KEY = "a-test-key-of-sixteen-bytes-or-more"
EXACT = dict(rtol=1e-12, atol=1e-9)
APPROX = dict(rel=1e-12, abs=1e-9)  # the same tolerance for pytest.approx

WW_EXPORT = (
    "BSN;Uitkeringsdossier;Vestiging;Werkcoach;Datum aanvang WW;Datum einde WW;"
    "Reden einde WW;Dagloon;Uitkering per maand;Geboortedatum;Geslacht\n"
    "111222333;WW01;UWV Amersfoort;AMF-01;2018-01-15;2018-09-30;Werkhervatting;100,00;1522,50;1980-05-01;V\n"
    "123456782;WW02;UWV Amersfoort;AMF-02;2017-03-01;2019-02-28;Maximale duur bereikt;150,00;2283,75;1960-01-01;M\n"
    "111222334;WW03;UWV Amersfoort;AMF-01;2018-02-01;;;90,00;1370,25;1990-07-07;M\n"      # bad BSN
    "111222333;WW01;UWV Amersfoort;AMF-01;2018-01-15;2018-09-30;Werkhervatting;100,00;1522,50;1980-05-01;V\n"  # duplicate
    "211222331;WW04;UWV Utrecht;UTR-01;2018-06-01;2018-03-01;Overig;80,00;1218,00;1970-01-01;V\n"   # end < start
    "411222338;WW05;UWV Utrecht;UTR-01;2018-04-01;2019-01-31;AOW-leeftijd bereikt;120,00;1827,00;1952-02-02;M\n"
)
AOV_EXPORT = (
    "Relatienummer,BSN verzekerde,Regio,Casemanager,Ingangsdatum uitkering,Einddatum uitkering,"
    "Reden beëindiging claim,Uitkering per maand,Dekking,Geboortedatum,Geslacht\n"
    "REL-1,111222333,Regio Zuid,ZUD-01,01-02-2017,31-08-2017,Hersteld,2000.00,AOV,01-01-1975,M\n"
    "REL-2,123456782,Regio Zuid,ZUD-02,01-03-2016,28-02-2019,Eindleeftijd polis bereikt,1500.50,AOV,01-03-1952,V\n"
    "REL-3,211222331,Regio Noord,NRD-01,01-06-2018,,,3000.00,,01-01-1985,V\n"              # cover empty
    "REL-4,411222338,Regio Noord,NRD-01,15-01-2018,15-01-2019,Einde uitkeringstermijn,1800.00,AOV,01-01-1965,M\n"
    "REL-5,,Regio Noord,NRD-02,01-01-2018,,,1200.00,AOV,01-01-1980,M\n"                   # no client
)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- presets -----------------------------------------------------------------------------

def test_ww_export_is_read_with_the_ww_preset_and_every_row_accounted_for(tmp_path):
    reg = load(_write(tmp_path, "ww.csv", WW_EXPORT), key=KEY, extract_date="2019-06-30")
    report = reg.load_report
    (file,) = report["files"].values()
    assert file["detected"]["preset"] == "ww"
    assert (file["rows_read"], file["rows_kept"], len(file["rejected"])) == (6, 3, 3)
    assert sorted(r["reason"] for r in file["rejected"]) == [
        "duplicate spell", "end date before start date", "invalid BSN (11-proef)"]
    assert sorted(r["line"] for r in file["rejected"]) == [4, 5, 6]
    sp = reg.spells.sort_values("start_date").reset_index(drop=True)
    assert sp["end_reason"].astype(str).tolist() == ["exhausted", "work", "retirement"]
    assert sp["municipality"].astype(str).tolist() == ["UWV Amersfoort", "UWV Amersfoort",
                                                       "UWV Utrecht"]
    assert sp["caseworker"].astype(str).tolist() == ["AMF-02", "AMF-01", "UTR-01"]
    np.testing.assert_allclose(sp["monthly_amount"], [2283.75, 1522.50, 1827.00], **EXACT)
    assert set(sp["benefit_type"].astype(str)) == {"ww"}     # the preset's constant
    assert study_benefit_type(reg.spells) == ("ww", "data")


def test_aov_export_is_read_with_the_aov_preset_and_every_row_accounted_for(tmp_path):
    reg = load(_write(tmp_path, "aov.csv", AOV_EXPORT), key=KEY, extract_date="2019-12-31")
    (file,) = reg.load_report["files"].values()
    assert file["detected"]["preset"] == "aov"
    assert (file["rows_read"], file["rows_kept"], len(file["rejected"])) == (5, 4, 1)
    assert [(r["line"], r["reason"]) for r in file["rejected"]] == [(6, "missing client id")]
    sp = reg.spells.sort_values("start_date").reset_index(drop=True)
    assert sp["end_reason"].astype(object).fillna("running").tolist() == [
        "retirement", "recovered", "exhausted", "running"]
    # an empty cover cell takes the preset's benefit type
    assert set(sp["benefit_type"].astype(str)) == {"aov"}
    np.testing.assert_allclose(sp["monthly_amount"], [1500.50, 2000.00, 1800.00, 3000.00],
                               **EXACT)


def test_a_municipal_export_stays_bijstand(tmp_path):
    text = ("bsn;gemeente;klantmanager;ingangsdatum;einddatum;reden beëindiging\n"
            "111222333;Steenbergen;KM1;01-03-2013;;\n"
            "123456782;Steenbergen;KM2;15-06-2012;31-12-2015;Werk\n")
    reg = load(_write(tmp_path, "uitkeringen.csv", text), key=KEY)
    (file,) = reg.load_report["files"].values()
    assert "preset" not in file["detected"]
    assert reg.spells["benefit_type"].isna().all()
    assert study_benefit_type(reg.spells) == ("bijstand", "assumed")


def test_a_bijstand_export_with_ww_or_aov_like_columns_stays_bijstand(tmp_path):
    # "Regio" is an AOV alias and "Uitkering per maand" both presets': without one of a
    # benefit preset's own headers the municipal preset reads the file, codes and all
    text = ("bsn;regio;klantmanager;ingangsdatum;einddatum;reden beëindiging;"
            "uitkering per maand;soort uitkering;wet\n"
            "111222333;West;KM1;01-03-2013;31-12-2015;Werk;1000,00;Levensonderhoud;Participatiewet\n")
    reg = load(_write(tmp_path, "uitkeringen.csv", text), key=KEY, municipality="Woensdrecht")
    (file,) = reg.load_report["files"].values()
    assert "preset" not in file["detected"]
    assert reg.spells["municipality"].astype(str).tolist() == ["Woensdrecht"]
    assert reg.spells["benefit_type"].isna().all()


def test_a_named_preset_reads_a_file_the_municipal_one_would_take(tmp_path):
    # headers the municipal preset knows: auto-detection keeps it bijstand, preset="ww" not
    text = ("bsn;gemeente;klantmanager;ingangsdatum;einddatum;reden beëindiging\n"
            "111222333;UWV Utrecht;W1;01-03-2018;31-12-2018;Maximale duur bereikt\n")
    path = _write(tmp_path, "export.csv", text)
    auto = load(path, key=KEY)
    assert auto.spells["end_reason"].astype(str).tolist() == ["unknown"]  # not a bijstand code
    named = load(path, key=KEY, preset="ww")
    assert named.spells["end_reason"].astype(str).tolist() == ["exhausted"]
    assert named.spells["benefit_type"].astype(str).tolist() == ["ww"]


def test_an_unknown_benefit_code_names_file_line_column_and_value(tmp_path):
    bad = AOV_EXPORT.replace("REL-4,411222338,Regio Noord,NRD-01,15-01-2018,15-01-2019,"
                             "Einde uitkeringstermijn,1800.00,AOV",
                             "REL-4,411222338,Regio Noord,NRD-01,15-01-2018,15-01-2019,"
                             "Einde uitkeringstermijn,1800.00,ORV")
    path = _write(tmp_path, "aov.csv", bad)
    with pytest.raises(LoadError, match=r"Unknown benefit type 'ORV'.*aov\.csv.*line 5.*"
                                        r"column `Dekking`") as err:
        load(path, key=KEY)
    assert (err.value.line, err.value.column) == (5, "Dekking")


def test_unknown_presets_are_refused():
    with pytest.raises(ConfigError, match="Unknown preset 'wia'"):
        preset_mapping("wia")
    from fipeval.report.config import parse_config
    with pytest.raises(ConfigError, match="`preset`.*must be one of"):
        parse_config({"preset": "wia"})
    with pytest.raises(ConfigError, match="`benefit_type`.*must be one of"):
        parse_config({"benefit_type": "wia"})


# --- the study's benefit type --------------------------------------------------------------

def test_study_benefit_type_states_where_it_comes_from_and_refuses_contradictions():
    ww = pd.DataFrame({"benefit_type": ["ww", None]})
    assert study_benefit_type(ww, "ww") == ("ww", "study file")
    with pytest.raises(SchemaError, match="says benefit_type = 'aov' but the data"):
        study_benefit_type(ww, "aov")
    with pytest.raises(SchemaError, match="2 benefit types"):
        study_benefit_type(pd.DataFrame({"benefit_type": ["ww", "aov"]}))
    assert study_benefit_type(pd.DataFrame({"client_id": ["a"]}), "aov") == ("aov", "study file")


def test_the_benefit_reasons_are_end_reasons_and_bijstand_keeps_its_codes():
    assert END_REASONS[:9] == ("work", "enforcement", "moved", "partner", "other_benefit",
                               "education", "death", "other", "unknown")
    for reasons in BENEFIT_END_REASONS.values():
        assert set(reasons) <= set(END_REASONS)
    assert not {"exhausted", "recovered", "retirement"} & set(BENEFIT_END_REASONS["bijstand"])


# --- costing -------------------------------------------------------------------------------

def test_ww_monthly_benefit_by_hand():
    assert ww_monthly_benefit(100.0, 0) == pytest.approx(100 * 21.75 * 0.75, **APPROX)
    assert ww_monthly_benefit(100.0, 1) == pytest.approx(100 * 21.75 * 0.75, **APPROX)
    assert ww_monthly_benefit(100.0, 2) == pytest.approx(100 * 21.75 * 0.70, **APPROX)
    capped = ww_monthly_benefit(1_000.0, 6)
    assert capped == pytest.approx(WW_MAX_DAILY_WAGE.value * 21.75 * 0.70, **APPROX)
    np.testing.assert_allclose(ww_monthly_benefit(np.array([100.0, 100.0]), np.array([0, 3])),
                               [1631.25, 1522.5], **EXACT)


def test_ww_costing_on_a_hand_computed_case():
    inputs = benefit_inputs("ww", monthly_amount=1_800.0)
    assert inputs.benefit_type == "ww"
    assert inputs.monthly_benefit.value == 1_800.0
    assert inputs.annual_benefit_cost.value == 21_600.0
    assert inputs.annual_administration_cost.value == 1_500.0
    # crude: 0.05 extra terminations x 1,000 clients x EUR 21,600 a year
    crude = crude_savings(0.05, std_error=0.02, caseload=1_000, inputs=inputs)
    assert crude.savings_per_year == pytest.approx(0.05 * 1_000 * 21_600, **APPROX)
    # refined: 1 month avoided per client over 12 months, no return after an exhausted exit,
    # no discounting within the first year: 1,000 x (1,800 + 1,500 / 12)
    refined = refined_savings(-1.0, horizon_months=12, caseload=1_000, price_date="2010-01-01",
                              std_error=0.4, inputs=inputs,
                              exit_reason_mix={"exhausted": 1.0})
    assert float(refined.give_back()) == 0.0
    assert refined.savings_per_year == pytest.approx(1_000 * (1_800 + 1_500 / 12), **APPROX)
    assert "monthly WW benefit EUR 1,800.00" in refined.arithmetic()


def test_benefit_defaults_without_amounts_and_bijstand_unchanged():
    ww = benefit_inputs("ww")
    assert ww.monthly_benefit.value == pytest.approx(115.0 * 21.75 * 0.70, **APPROX)
    assert "no amounts in the data" in ww.monthly_benefit.source
    aov = benefit_inputs("aov", monthly_amount=float("nan"))
    assert aov.monthly_benefit.value == 2_000.0
    assert aov.annual_benefit_cost.value == 24_000.0
    assert benefit_inputs("bijstand").table().equals(CostInputs().table())
    assert set(BENEFIT_PAYERS) == {"bijstand", "ww", "aov"}
    with pytest.raises(InputError, match="needs `monthly_benefit`"):
        CostInputs(benefit_type="ww")
    with pytest.raises(InputError, match="`benefit_type` must be one of"):
        benefit_inputs("wia")
    # a user's override lands on the benefit's inputs
    assert ww.with_values(monthly_benefit=1_000.0).monthly_benefit.value == 1_000.0


# --- simulator -----------------------------------------------------------------------------

def test_choice_never_lands_on_a_trailing_zero_share():
    shares = np.array([0.3, 0.7, 0.0, 0.0])

    class Top:                       # a draw at the very top of [0, 1)
        def random(self, k):
            return np.full(k, np.nextafter(1.0, 0.0))

    assert _choice(Top(), shares / 1.0000000000000002, 3).tolist() == [1, 1, 1]


def test_ww_spells_end_at_their_maximum_duration_at_the_latest():
    study = generate("ww_example")
    sp = study.register.spells
    assert set(sp["benefit_type"].astype(str)) == {"ww"}
    ended = sp[sp["end_date"].notna()]
    start_m = ended["start_date"].dt.year * 12 + ended["start_date"].dt.month - 1
    end_m = ended["end_date"].dt.year * 12 + ended["end_date"].dt.month - 1
    limit = max_duration_months(start_m.to_numpy(), ended["birth_year"].to_numpy())
    assert ((end_m - start_m).to_numpy() <= limit).all()
    exhausted = ended["end_reason"] == "exhausted"
    assert 0.05 < exhausted.mean() < 0.6
    assert ((end_m - start_m)[exhausted].to_numpy() == limit[exhausted.to_numpy()]).all()
    assert set(ended["end_reason"].astype(str)) <= set(BENEFIT_END_REASONS["ww"])
    assert set(study.true_effects["att"]) >= {f"ended_{r}" for r in BENEFIT_END_REASONS["ww"]}


def test_aov_claims_end_mostly_by_recovery_and_bijstand_draws_no_new_reason():
    aov = generate("aov_example").register.spells
    reasons = aov["end_reason"].dropna().astype(str).value_counts(normalize=True)
    assert reasons.idxmax() == "recovered"
    assert set(reasons.index) <= set(BENEFIT_END_REASONS["aov"])
    assert aov["household_type"].isna().all() and aov["ladder_rung"].isna().all()
    bijstand = generate("brabantse_wal").register.spells
    assert set(bijstand["end_reason"].dropna().astype(str)) <= set(BENEFIT_END_REASONS["bijstand"])
    assert bijstand["benefit_type"].isna().all()


# --- end to end ----------------------------------------------------------------------------

NAMES = {"ww_example": ("unemployment benefit (WW)", "ww_uitkeringen.csv",
                        "werkloosheidsuitkering (WW)"),
         "aov_example": ("disability insurance (AOV)", "aov_claims.csv",
                         "arbeidsongeschiktheidsverzekering (AOV)")}


@pytest.mark.parametrize("scenario", sorted(NAMES))
def test_example_study_runs_end_to_end_and_names_its_benefit(scenario, tmp_path):
    from fipeval.cli import main
    from fipeval.report.config import load_config
    from fipeval.report.document import localise
    from fipeval.report.run import build_report

    name, spells_file, dutch = NAMES[scenario]
    data, out = tmp_path / "data", tmp_path / "report"
    assert main(["synth", scenario, "--out", str(data), "--quiet"]) == 0
    assert (data / spells_file).is_file() and not (data / "uitkeringen.csv").exists()
    assert f'benefit_type = "{scenario[:-8]}"' in (data / "study.toml").read_text()
    assert main(["report", str(data), "--config", str(data / "study.toml"),
                 "--key", str(data / "pseudonym.key"), "--out", str(out), "--quiet"]) == 0
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.startswith(f"# FIP evaluation, {name}: {scenario}")
    assert "The benefit studied: " in text and "(as the study file states)" in text
    assert f"Benefit: {name}. Who saves: " in text
    assert f"priced at the monthly {scenario[:-8].upper()} benefit" in text
    assert "could not be computed" not in text
    loaded = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    spells = [f for f in loaded["files"].values() if f["table"] == "spells"]
    assert [f["detected"]["preset"] for f in spells] == [scenario[:-8]]
    assert spells[0]["rows_read"] == spells[0]["rows_kept"]

    # in Dutch: every text in the catalog, the benefit named in Dutch
    config = replace(load_config(data / "study.toml"), language="nl")
    register = load(data, key=data / "pseudonym.key", extract_date=config.extract_date)
    report = build_report(register, config)
    readers, missing = localise(report)
    assert missing == []
    assert readers.title == f"FIP-evaluatie, {dutch}: {scenario}"
