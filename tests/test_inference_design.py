"""The design decides the inference: the rule, randomization-t against base R and a hand
enumeration, and the draws that carry a design-based interval into the costing.

Reference: tests/reference/design/ri_small.R (base R, every assignment enumerated with
combn) and its output ri_small.out.
"""

import math
import re

import numpy as np
import pandas as pd
import pytest

from fipeval.errors import DesignError, EstimationError, InputError
from fipeval.inference.design import (
    FEW_TREATED_CLUSTERS,
    DesignEstimate,
    design_std_error,
    interval_draws,
    plan_inference,
    randomization_t,
)

RTOL_R = 1e-12          # base R prints 17 significant digits
Z95 = 1.959963984540054


def _caseload(fip_ids, n_caseworkers, *, per=20, municipality="A", prefix="c"):
    ids = [f"{prefix}{i}" for i in range(n_caseworkers)]
    cw = [c for c in ids for _ in range(per)]
    return pd.DataFrame({"caseworker": cw, "municipality": municipality,
                         "fip": [int(c in {f"{prefix}{i}" for i in fip_ids}) for c in cw]})


def _diff(frame, column="y"):
    a, b = frame.loc[frame.fip == 1, column], frame.loc[frame.fip == 0, column]
    return a.mean() - b.mean(), math.sqrt(a.var() / len(a) + b.var() / len(b))


@pytest.mark.parametrize("n_fip, n_control, method", [(2, 13, "randomization"),
                                                      (5, 25, "randomization"),
                                                      (30, 8, "randomization"),
                                                      (12, 12, "wild")])
def test_the_rule_picks_randomization_with_few_fip_or_control_caseworkers(n_fip, n_control, method):
    plan = plan_inference(_caseload(range(n_fip), n_fip + n_control))
    assert plan.method == method
    row = plan.subset("A")
    assert row.assignments == math.comb(n_fip + n_control, n_fip)
    assert row.valid is True and plan.valid("all")
    assert (method == "wild") == (min(n_fip, n_control) >= FEW_TREATED_CLUSTERS)
    assert re.search(rf"{min(n_fip, n_control)}", plan.reason)


def test_plan_flags_designs_where_no_interval_exists_and_ignores_control_only_sites():
    small = _caseload([0], 4)                                       # 4 choices: p >= 0.25
    other = _caseload([], 5, municipality="B", prefix="b")          # controls only
    plan = plan_inference(pd.concat([small, other], ignore_index=True))
    assert plan.subset("A")["valid"] is False
    assert plan.subset("B")["valid"] is None                      # no comparison of its own
    assert plan.subset("all")["assignments"] == 4 and not plan.valid("all")
    text = repr(plan)
    assert "A: only 4 possible choices" in text and "B: only" not in text


def test_the_rule_is_applied_per_comparison():
    # A: 2 FIP of 15 caseworkers (randomization); B: 12 of 24 (wild); pooled: 14 and 25 (wild)
    few = _caseload(range(2), 15)
    many = _caseload(range(12), 24, municipality="B", prefix="b")
    plan = plan_inference(pd.concat([few, many], ignore_index=True), strata="municipality")
    assert plan.method_for("A") == "randomization"
    assert plan.method_for("B") == plan.method_for("all") == "wild"
    assert plan.method == "randomization"              # some comparison needs re-assignment
    only_many = plan_inference(pd.concat([many, _caseload([], 5, municipality="C", prefix="k")],
                                         ignore_index=True), strata="municipality")
    assert only_many.method == only_many.method_for("all") == "wild"
    with pytest.raises(InputError, match="no comparison of its own"):
        only_many.method_for("C")
    with pytest.raises(InputError, match="Z"):
        plan.method_for("Z")


def test_plan_rejects_fip_that_varies_within_a_caseworker_and_bad_options():
    data = _caseload([0, 1], 10)
    data.loc[0, "fip"] = 0
    with pytest.raises(DesignError, match="`fip` varies within 1 value"):
        plan_inference(data)
    with pytest.raises(InputError, match="`alpha` must lie strictly between 0 and 1"):
        plan_inference(_caseload([0, 1], 10), alpha=1.5)
    with pytest.raises(InputError, match="`n_draws` must be at least 99"):
        plan_inference(_caseload([0, 1], 10), n_draws=10)
    with pytest.raises(DesignError, match="No municipality has both"):
        plan_inference(_caseload([], 10))


@pytest.fixture(scope="module")
def ri_small(reference_dir):
    folder = reference_dir / "design"
    data = pd.read_csv(folder / "ri_small.csv")
    out = (folder / "ri_small.out").read_text()
    blocks = {}
    for label in ("unstratified", "stratified"):
        body = out.split(f"===== {label} =====")[1].split("=====")[0]
        blocks[label] = {k: float(v) for k, v in re.findall(r"^(\w+):? ([-\d.e+]+)\s*$", body,
                                                              flags=re.M)}
    return data, blocks


@pytest.mark.parametrize("label, strata", [("unstratified", None), ("stratified", "stratum")])
def test_randomization_t_equals_base_r_enumeration(ri_small, label, strata):
    data, ref = ri_small
    before = data.copy()
    res = randomization_t(data, _diff, term="difference", strata=strata)
    r = ref[label]
    assert res.enumerated and res.n_assignments == r["assignments"]
    np.testing.assert_allclose([res.estimate, res.std_error, res.p_value, res.ci_lower, res.ci_upper],
                               [r["estimate"], r["std_error"], r["p_value"], r["ci_lower"],
                                r["ci_upper"]], rtol=RTOL_R, atol=1e-12)
    pd.testing.assert_frame_equal(data, before)


def test_randomization_t_by_hand_with_four_caseworkers():
    # one FIP caseworker of four: four assignments, so the smallest p-value is 1/4
    data = pd.DataFrame({"caseworker": list("aabbccdd"), "fip": [1, 1, 0, 0, 0, 0, 0, 0],
                         "y": [5.0, 7.0, 1.0, 2.0, 3.0, 1.0, 2.0, 2.0]})

    def statistic(frame):
        return _diff(frame)

    res = randomization_t(data, statistic, term="d", strata=None)
    by_hand = []
    for treated in "abcd":
        frame = data.assign(fip=(data.caseworker == treated).astype(int))
        est, se = _diff(frame)
        by_hand.append(est / se)
    p = np.mean(np.abs(by_hand) >= abs(by_hand[0]) * (1 - 1e-9))
    assert res.n_assignments == 4 and res.enumerated
    np.testing.assert_allclose(res.p_value, p, rtol=1e-12)
    np.testing.assert_allclose(np.sort(np.abs(res.t_draws)), np.sort(np.abs(by_hand)), rtol=1e-12)
    assert res.p_value == 0.25 and not res.valid
    assert np.isinf(res.ci_lower) and np.isinf(res.ci_upper)
    assert "no interval at this level exists" in repr(res)


def test_randomization_t_counts_failed_reassignments_as_extreme():
    data = _caseload([0, 1], 8, per=5).assign(y=np.arange(40, dtype=float))

    def fragile(frame):
        if frame.loc[frame.caseworker == "c7", "fip"].iloc[0] == 1:
            raise EstimationError("no events")
        return _diff(frame)

    res = randomization_t(data, fragile, term="d", strata=None)
    assert res.failed == 7                       # c7 is FIP in 7 of the C(8, 2) = 28
    assert np.isinf(res.t_draws).sum() == 7
    assert "7 re-assignment(s) could not be estimated" in repr(res)
    with pytest.raises(EstimationError, match="not finite"):
        randomization_t(data, lambda f: (np.nan, 1.0), term="d", strata=None)


def test_randomization_t_detects_a_real_effect_and_keeps_the_null():
    rng = np.random.default_rng(3)
    data = _caseload(range(6), 20, per=30).assign(y=lambda f: rng.normal(size=len(f)))
    data["y"] += rng.normal(0, 0.2, 20)[data.caseworker.str[1:].astype(int)]
    strong = data.assign(y=data.y + 1.0 * data.fip)
    hit = randomization_t(strong, _diff, term="d", strata=None, n_draws=499, seed=1)
    assert hit.ci_lower > 0 and hit.p_value < 0.01
    assert hit.ci_lower < 1.0 < hit.ci_upper
    none = randomization_t(data, _diff, term="d", strata=None, n_draws=499, seed=1)
    assert none.ci_lower < 0 < none.ci_upper


def test_estimate_only_and_withdrawn_inference_say_why():
    e = DesignEstimate.estimate_only("ATT", 0.1, 0.02, reason="biased pre-period.")
    assert not e.valid and np.isnan(e.p_value) and np.isnan(e.ci_lower)
    assert "ATT: no valid inference. biased pre-period." in repr(e)


def test_interval_draws_reproduce_an_asymmetric_interval():
    x = interval_draws(0.5, -1.0, 4.0, alpha=0.1, n_draws=400_000, rng=np.random.default_rng(2))
    np.testing.assert_allclose(np.quantile(x, [0.05, 0.95]), [-1.0, 4.0], atol=0.03)
    assert np.isnan(interval_draws(0.0, -np.inf, 1.0, alpha=0.05, n_draws=5,
                                   rng=np.random.default_rng(0))).all()
    with pytest.raises(InputError, match="does not contain the estimate"):
        interval_draws(2.0, -1.0, 1.0, alpha=0.05, n_draws=5, rng=np.random.default_rng(0))
    np.testing.assert_allclose(design_std_error(-Z95, Z95, 0.05), 1.0, rtol=1e-12)
    assert design_std_error(-np.inf, 1.0, 0.05) == np.inf



@pytest.mark.slow
@pytest.mark.parametrize("null", [False, True])
def test_every_headline_interval_covers_the_truth_over_replicates(null):
    """A small version of benchmarks/coverage_design.py (500 replicates there): FIP given to 2
    caseworkers per municipality of three_municipalities, 100 times. Coverage of 95%
    intervals has a Monte Carlo SE of 0.022 here; CR1 errors (68%) fail this by far."""
    from fipeval.design import build_cohort
    from fipeval.inference.design_coverage import design_coverage_study
    from fipeval.synthetic import generate

    s = generate("three_municipalities")
    table = design_coverage_study(build_cohort(s.register, s.design), s.truth, fip_caseworkers=(2,),
                                  reps=100, seed=7, stratified=True, null=null).tidy()
    assert len(table) == 13
    assert (table["coverage"] >= 0.88).all(), table[["estimand", "coverage"]]
    assert (table["bounded"] == 1).all()
    if null:
        assert (table["rejects_no_effect"] <= 0.12).all(), table[["estimand", "rejects_no_effect"]]
