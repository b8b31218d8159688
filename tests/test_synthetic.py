"""The synthetic scenarios: deterministic, internally consistent, with known truth."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fipeval.design import build_cohort
from fipeval.synthetic import DEFAULT_SEEDS, fake_bsns, generate
from fipeval.synthetic.export import write_export

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "synthetic"
BSN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])


@pytest.fixture(scope="module", params=["brabantse_wal", "three_municipalities"])
def study(request):
    return generate(request.param)


def test_same_seed_gives_byte_identical_exports(tmp_path):
    for name in ("brabantse_wal", "three_municipalities"):
        out = write_export(generate(name), tmp_path / name)
        for f in sorted((BUNDLED / name).iterdir()):
            assert hashlib.sha256(f.read_bytes()).hexdigest() == \
                hashlib.sha256((out / f.name).read_bytes()).hexdigest(), f"{name}/{f.name} differs"


def test_different_seed_gives_different_data():
    a = generate("brabantse_wal", seed=1).register.spells
    b = generate("brabantse_wal", seed=2).register.spells
    assert not a["start_date"].equals(b["start_date"])


def test_fake_bsns_pass_the_eleven_test():
    bsns = fake_bsns(5000, np.random.default_rng(0))
    digits = np.array([[int(c) for c in b] for b in bsns])
    assert (digits @ BSN_WEIGHTS % 11 == 0).all()
    assert len(set(bsns)) == len(bsns)


def test_truth_matches_the_cohort_exactly(study):
    cohort = build_cohort(study.register, study.design)
    merged = cohort.merge(study.truth, on="client_id", how="outer", indicator=True,
                          suffixes=("", "_truth"))
    assert (merged["_merge"] == "both").all()
    assert (merged["fip"] == merged["fip_truth"]).all()
    observed = np.where(merged["fip"] == 1, merged["ended_1"], merged["ended_0"])
    np.testing.assert_array_equal(merged["ended"], observed)
    months = np.where(merged["fip"] == 1, merged["months_on_benefit_1"], merged["months_on_benefit_0"])
    np.testing.assert_allclose(merged["months_on_benefit"], months, rtol=0, atol=1e-9)
    for col in ("fraud_signals", "activations"):
        observed = np.where(merged["fip"] == 1, merged[f"{col}_1"], merged[f"{col}_0"])
        np.testing.assert_array_equal(merged[col], observed)
    reason = np.where(merged["fip"] == 1, merged["end_reason_1"], merged["end_reason_0"])
    np.testing.assert_array_equal(merged["end_reason"].astype(object).fillna("-"),
                                  pd.Series(reason).fillna("-"))


def test_fip_never_ends_a_benefit_later(study):
    t = study.truth
    assert (t["ended_1"] >= t["ended_0"]).all()
    assert (t["months_on_benefit_1"] <= t["months_on_benefit_0"] + 1e-9).all()


def test_true_effects_are_the_mean_differences(study):
    t = study.truth
    fip = t["fip"] == 1
    att = (t.loc[fip, "ended_1"] - t.loc[fip, "ended_0"]).mean()
    assert study.true_effects["att"]["ended"] == pytest.approx(att, abs=1e-12)
    assert study.true_effects["n_fip"] == int(fip.sum())


def test_brabantse_wal_mirrors_the_pilot():
    study = generate("brabantse_wal")
    cohort = build_cohort(study.register, study.design)
    assert int(cohort["fip"].sum()) == 360
    assert cohort.loc[cohort["fip"] == 1, "caseworker"].value_counts().tolist() == [180, 180]
    assert 1500 <= int((cohort["fip"] == 0).sum()) <= 1800
    assert set(cohort["municipality"]) == {"Bergen op Zoom", "Woensdrecht", "Steenbergen"}
    assert study.register.spells["start_date"].min() < pd.Timestamp("2012-01-01")
    # FIP clients get an intake and a talk every three months
    kinds = study.register.contacts["kind"].value_counts()
    assert kinds["intake"] > 300 and kinds["fip_talk"] > 800
    # the effect on terminations is calibrated near 54 benefits a year on ~2,400 clients
    assert 0.015 < study.true_effects["att"]["ended"] < 0.04


def test_three_municipalities_has_staggered_sites():
    study = generate("three_municipalities")
    assert study.design.staggered
    assert [s.follow_up_months for s in study.design.sites] == [18, 14, 10]
    effects = study.true_effects
    assert effects["att"]["activations"] > 0.05
    assert effects["att"]["fraud_signals"] > 0


def test_cohort_columns_follow_the_contract():
    study = generate("brabantse_wal")
    cohort = build_cohort(study.register, study.design)
    for col in ("client_id", "municipality", "caseworker", "fip", "study_start", "follow_up_end",
                "months_before_start", "months_on_benefit", "ended", "end_reason", "ended_work",
                "ended_enforcement", "fraud_signals", "activations", "exposure_years", "age",
                "household_type", "sex", "ladder_rung", "monthly_amount"):
        assert col in cohort.columns
    assert (cohort["months_before_start"] >= 6).all()
    assert cohort["months_on_benefit"].between(0, 12.01).all()


def test_national_scenario_scales():
    small = generate("national", scale=0.02, n_municipalities=40, n_sites=4)
    cohort = build_cohort(small.register, small.design)
    assert small.register.spells["municipality"].nunique() == 40
    assert cohort["fip"].sum() > 0 and len(small.design.sites) == 4


def test_unknown_scenario_is_a_clear_error():
    from fipeval.errors import InputError
    with pytest.raises(InputError, match="Unknown scenario 'nope'"):
        generate("nope")
