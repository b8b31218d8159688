"""The six FIP life domains: loader, cohort outcome, simulator truth, effects section."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fipeval.design import DOMAIN_COLUMNS, StudyDesign, build_cohort, domain_movement
from fipeval.errors import LoadError
from fipeval.io import load
from fipeval.schema import DOMAINS, Register
from fipeval.synthetic import DEMO_KEY, generate
from fipeval.synthetic.export import write_export

KEY = "a-secret-of-16-bytes-or-more"
REPO = Path(__file__).resolve().parents[1]
SPELLS = ("bsn;gemeente;klantmanager;ingangsdatum;einddatum;reden beëindiging\n"
          "111222333;Steenbergen;KM1;01-03-2013;;\n"
          "123456782;Steenbergen;KM2;15-06-2012;31-12-2015;Werk\n")
DOMAIN_FILE = ("bsn;datum;leefgebied;score\n"
               "111222333;01-02-2015;Financiën;2\n"
               "111222333;01-02-2015;Werk en opleiding;3\n"
               "111222333;01-02-2015;;3\n"             # no domain: rejected
               "123456782;01-02-2015;gezondheid;\n"     # no score: kept, missing
               "123456782;01-02-2099;wonen;4\n"         # after the extract date: rejected
               "12345678;01-03-2015;Relatie;5,0\n")     # an 8-digit BSN: 012345678 fails 11-proef


def _folder(tmp_path, domains=DOMAIN_FILE, name="leefgebieden.csv"):
    (tmp_path / "uitkeringen.csv").write_text(SPELLS, encoding="utf-8")
    (tmp_path / name).write_text(domains, encoding="utf-8")
    return tmp_path


def test_loader_reads_domains_with_row_accounting(tmp_path):
    reg = load(_folder(tmp_path), key=KEY, extract_date="2016-01-01")
    d = reg.domains
    assert d["domain"].tolist() == ["finances", "work_education", "health"]
    assert d["score"].tolist()[:2] == [2, 3] and pd.isna(d["score"].iloc[2])
    assert str(d["score"].dtype) == "Int8"
    # pseudonymised exactly as the spells: the same client ids
    spells = reg.spells.set_index("start_date")["client_id"]
    assert d["client_id"].iloc[0] == spells[pd.Timestamp("2013-03-01")]
    assert d["client_id"].iloc[2] == spells[pd.Timestamp("2012-06-15")]
    f = next(f for f in reg.load_report["files"].values() if f["table"] == "domains")
    assert (f["rows_read"], f["rows_kept"]) == (6, 3)
    assert f["rows_read"] == f["rows_kept"] + len(f["rejected"])
    assert [(r["line"], r["reason"]) for r in f["rejected"]] == [
        (4, "missing domain"), (6, "date after the extract date"), (7, "invalid BSN (11-proef)")]
    assert f["missing_values"] == {"score": 1}
    assert f["detected"]["lines"]["physical"] == 7


def test_the_status_text_is_trimmed_and_loses_bsn_shaped_numbers(tmp_path):
    domains = ("bsn;datum;leefgebied;score;toelichting\n"
               "111222333;01-02-2015;Financiën;2;  schulden in beeld \n"
               "111222333;01-03-2015;Wonen;3;\n"
               "123456782;01-02-2015;Gezin;4;gesprek met 123456782 gevoerd\n")
    reg = load(_folder(tmp_path, domains), key=KEY, extract_date="2016-01-01")
    assert reg.domains["status"].tolist()[0] == "schulden in beeld"
    assert pd.isna(reg.domains["status"].iloc[1])
    assert reg.domains["status"].tolist()[2] == "gesprek met <number> gevoerd"
    assert reg.load_report["repaired_by_kind"]["number_in_text_redacted"] == 1


def test_unknown_domain_stops_the_load_naming_file_line_column_value(tmp_path):
    bad = "bsn;datum;leefgebied;score\n111222333;01-02-2015;Gezin;2\n111222333;01-02-2015;Vrije tijd;3\n"
    with pytest.raises(LoadError, match=r"Unknown life domain 'Vrije tijd' \(1 row\(s\)\); .*"
                       r"\[domains.codes.domain\] \"Vrije tijd\" = .*\(file .*leefgebieden.csv, "
                       r"line 3, column `leefgebied`\)"):
        load(_folder(tmp_path, bad), key=KEY, extract_date="2016-01-01")


@pytest.mark.parametrize("value", ["6", "0", "2,5", "goed"])
def test_score_outside_1_to_5_stops_the_load(tmp_path, value):
    bad = f"bsn;datum;leefgebied;score\n111222333;01-02-2015;Gezin;2\n123456782;01-02-2015;Wonen;{value}\n"
    with pytest.raises(LoadError, match=rf"The score '{value}' is not a whole number from 1 to 5 "
                       r"\(1 row\(s\)\);.*\(file .*, line 3, column `score`\)"):
        load(_folder(tmp_path, bad), key=KEY, extract_date="2016-01-01")


def test_mapping_file_names_headers_and_codes(tmp_path):
    text = "bsn;meetmoment;domein x;zrm\n111222333;01-02-2015;Vrije tijd;4\n"
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[domains.columns]\ndate = "meetmoment"\ndomain = "domein x"\n'
                       'score = "zrm"\n[domains.codes.domain]\n"Vrije tijd" = "relationship"\n',
                       encoding="utf-8")
    (tmp_path / "in").mkdir()
    folder = _folder(tmp_path / "in", text, name="metingen.csv")
    reg = load(folder, mapping=mapping, key=KEY, extract_date="2016-01-01")
    assert reg.domains["domain"].tolist() == ["relationship"]
    assert reg.domains["score"].tolist() == [4]


def test_register_without_domains_works_as_before(tmp_path):
    (tmp_path / "uitkeringen.csv").write_text(SPELLS, encoding="utf-8")
    reg = load(tmp_path, key=KEY, extract_date="2016-01-01")
    assert reg.domains is None and "domain scores" not in repr(reg)
    design = StudyDesign.single("2014-01-01", 12, fip_caseworkers=["KM1"])
    cohort = build_cohort(reg, design)
    assert not any(c in cohort for c in DOMAIN_COLUMNS)


def _hand_register(domains: pd.DataFrame) -> Register:
    spells = pd.DataFrame({
        "client_id": ["a", "b", "c", "d"], "municipality": "M",
        "caseworker": ["F", "F", "C", "C"],
        "start_date": pd.to_datetime(["2013-01-01"] * 4),
        "end_date": pd.to_datetime([None, None, "2015-06-15", None]),
        "end_reason": [None, None, "work", None]})
    return Register(spells, extract_date="2016-06-30", domains=domains)


def test_cohort_domain_movement_on_a_hand_built_register():
    rows = [  # client, date, domain, score
        ("a", "2015-01-05", "health", 2), ("a", "2015-04-01", "health", 4),   # a rise in between
        ("a", "2015-07-01", "health", 2), ("a", "2015-12-20", "health", 2),   # ... not at the end
        ("a", "2015-01-05", "housing", 3), ("a", "2015-11-02", "housing", 4),  # housing rose
        ("b", "2015-01-20", "finances", 3), ("b", "2015-12-01", "finances", 3),
        ("b", "2014-12-20", "health", 1), ("b", "2015-12-01", "health", 2),   # opening before start
        ("c", "2015-01-10", "family", 2), ("c", "2015-11-01", "family", 4),   # after benefit ended
        ("d", "2015-05-01", "relationship", 1), ("d", "2015-12-01", "relationship", 3),  # late opening
        ("d", "2015-02-01", "work_education", 2), ("d", "2016-01-15", "work_education", 3),  # after follow-up
    ]
    domains = pd.DataFrame(rows, columns=["client_id", "date", "domain", "score"])
    domains["date"] = pd.to_datetime(domains["date"])
    reg = _hand_register(domains)
    design = StudyDesign.single("2015-01-01", 12, fip_caseworkers=["F"], min_months_on_benefit=6)
    cohort = build_cohort(reg, design).set_index("client_id")
    nan = np.nan
    expected = {
        "a": dict(domain_movement=1.0, domain_movement_health=0.0, domain_movement_housing=1.0),
        "b": dict(domain_movement=0.0, domain_movement_finances=0.0, domain_movement_health=nan),
        "c": dict(domain_movement=nan, domain_movement_family=nan),
        "d": dict(domain_movement=nan, domain_movement_relationship=nan,
                  domain_movement_work_education=nan),
    }
    for client, values in expected.items():
        for col, value in values.items():
            got = cohort.loc[client, col]
            assert (np.isnan(got) and np.isnan(value)) or got == value, (client, col, got)
    # domains nobody compared are missing; the input is not modified
    assert cohort[f"domain_movement_{DOMAINS[0]}"].isna().loc[["a", "b", "c"]].all()
    assert domains["client_id"].tolist()[0] == "a" and len(domains) == len(rows)


def test_domain_movement_needs_a_closing_assessment_after_the_opening_one():
    # a 4-month follow-up: the windows overlap; one assessment is not both
    d = pd.DataFrame({"client_id": ["a"], "domain": ["health"], "score": [3],
                      "date": pd.to_datetime(["2015-02-15"])})
    c = pd.DataFrame({"client_id": ["a"], "study_start": pd.Timestamp("2015-01-01"),
                      "follow_up_end": pd.Timestamp("2015-05-01")})
    out = domain_movement(d, c, np.array(["2015-05-01"], dtype="datetime64[ns]"))
    assert np.isnan(out["domain_movement_health"][0]) and np.isnan(out["domain_movement"][0])


@pytest.mark.parametrize("scenario", ["brabantse_wal", "three_municipalities"])
def test_simulator_leaves_every_other_draw_unchanged(tmp_path, scenario):
    """The bundled spells, contacts and events and the existing truth columns are those the
    simulator made before the life domains (they have their own random stream)."""
    study = generate(scenario)
    out = write_export(study, tmp_path)
    bundled = REPO / "data" / "synthetic" / scenario
    for name in ("uitkeringen.csv", "contacten.csv", "gebeurtenissen.csv", "study.toml"):
        assert (out / name).read_bytes() == (bundled / name).read_bytes(), name
    old = pd.read_csv(bundled / "truth.csv")
    new = pd.read_csv(out / "truth.csv")
    old_columns = [c for c in old.columns if not c.startswith("domain_movement")]
    pd.testing.assert_frame_equal(new[old_columns], old[old_columns])
    assert (out / "leefgebieden.csv").exists()


def test_observed_domain_movement_is_the_assigned_arms_truth():
    study = generate("three_municipalities")
    cohort = build_cohort(study.register, study.design)
    both = study.truth.merge(cohort[["client_id", "fip", *DOMAIN_COLUMNS]], on="client_id",
                             suffixes=("_truth", ""))
    for col in DOMAIN_COLUMNS:
        assigned = np.where(both["fip"] == 1, both[f"{col}_1"], both[f"{col}_0"])
        seen = both[col].notna()
        assert seen.sum() > 1000
        np.testing.assert_array_equal(both.loc[seen, col].to_numpy(), assigned[seen.to_numpy()])
        # missing only where the truth is missing, or the assessment did not take place
        assert (np.isnan(assigned) <= both[col].isna().to_numpy()).all()
    att = study.true_effects["att"]
    assert att["domain_movement"] > 0.03
    assert set(f"domain_movement_{d}" for d in DOMAINS) <= set(att)


def test_effects_section_adds_domains_and_leaves_the_other_rows_as_they_were():
    from fipeval.inference.section import effects_section

    study = generate("brabantse_wal")
    cohort = build_cohort(study.register, study.design)
    with_domains = effects_section(cohort, seed=3, n_draws=199)[0].table
    without = effects_section(cohort.drop(columns=list(DOMAIN_COLUMNS)), seed=3,
                              n_draws=199)[0].table
    others = with_domains[~with_domains.outcome.str.startswith("domain_movement")]
    pd.testing.assert_frame_equal(others.reset_index(drop=True), without)
    pooled = with_domains[with_domains.subset == "all municipalities"]
    assert set(pooled.outcome) >= set(DOMAIN_COLUMNS)
    per_municipality = with_domains[with_domains.subset != "all municipalities"]
    assert set(per_municipality.outcome) & set(DOMAIN_COLUMNS) == {"domain_movement"}
    row = pooled.set_index("outcome").loc["domain_movement"]
    measured = cohort["domain_movement"].notna()
    assert row["n_fip"] == int((measured & (cohort.fip == 1)).sum())
    assert row["n_control"] == int((measured & (cohort.fip == 0)).sum())
    assert row["inference"] == "randomization"
    # the pooled comparison: among the measured clients, municipality as fixed effects
    from fipeval.inference.comparison import compare
    alone = compare(cohort[measured], outcome="domain_movement", treatment="fip",
                    covariates=["municipality"], kind="binary", ratios=False)
    assert row["estimate"] == pytest.approx(alone.primary.estimate, rel=1e-10)


BIAS_TOLERANCE_SE = 3.0      # |mean bias| within this many Monte Carlo standard errors
MIN_POWER = 0.8              # with FIP doubling the domains' chance of a rise
MAX_SIZE = 0.15              # rejections under no effect: 7 of 40 has probability 0.005 at 5%
N_REPLICATES = 40


def _replicates(ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """(estimate - true ATT, p < 0.05) over replicates of brabantse_wal (2 FIP caseworkers),
    FIP multiplying each domain's monthly chance of a rise by ``ratio``."""
    from fipeval.inference.comparison import compare
    from fipeval.synthetic.scenarios import BRABANTSE_WAL

    sites = tuple(replace(s, domain_movement_ratio=ratio) for s in BRABANTSE_WAL.sites)
    bias, rejected = [], []
    for seed in range(N_REPLICATES):
        study = generate("brabantse_wal", seed=1000 + seed, sites=sites)
        cohort = build_cohort(study.register, study.design)
        part = cohort[cohort["domain_movement"].notna()]
        res = compare(part, outcome="domain_movement", treatment="fip", cluster="caseworker",
                      inference="randomization", n_draws=199, seed=seed, kind="binary",
                      ratios=False)
        bias.append(res.primary.estimate - study.true_effects["att"]["domain_movement"])
        rejected.append(res.primary.p_value < 0.05)
    return np.asarray(bias), np.asarray(rejected)


@pytest.mark.slow
@pytest.mark.parametrize("ratio", [1.0, 1.3, 2.0])
def test_domain_movement_effect_recovered_without_bias_and_detected(ratio):
    """The difference in domain movement among assessed clients is unbiased for the true
    ATT (defined the same way) with no, the default and a large effect; the design-based
    test (randomization inference over caseworkers) keeps its size under no effect and
    detects the large one."""
    bias, rejected = _replicates(ratio)
    assert abs(bias.mean()) < BIAS_TOLERANCE_SE * bias.std(ddof=1) / np.sqrt(len(bias))
    if ratio == 1.0:
        assert rejected.mean() <= MAX_SIZE
    if ratio == 2.0:
        assert rejected.mean() >= MIN_POWER


def test_report_shows_the_domains_where_present_and_nothing_where_absent(tmp_path):
    import shutil

    from conftest import bundled_report
    from fipeval.report.config import load_config
    from fipeval.report.document import render_markdown
    from fipeval.report.run import build_report

    report, _ = bundled_report("brabantse_wal", "en")
    text = render_markdown(report)
    assert "Life domains: FIP's intake maps six life domains" in text
    assert "Movement on the life domains: shares moving up" in text
    assert "Moved up: work and education" in text

    bundled = REPO / "data" / "synthetic" / "brabantse_wal"
    for f in bundled.iterdir():
        if f.name != "leefgebieden.csv":
            shutil.copy(f, tmp_path / f.name)
    config = load_config(tmp_path / "study.toml")
    register = load(tmp_path, key=tmp_path / "pseudonym.key", extract_date=config.extract_date)
    assert register.domains is None
    plain = render_markdown(build_report(register, config))
    for words in ("life domain", "Life domain", "Moved up", "domain_movement", "could not be computed"):
        assert words not in plain
