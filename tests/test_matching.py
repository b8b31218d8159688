"""Matching against R's MatchIt 4.5.1 on its lalonde data (tests/reference/matching).

The reference run (``matchit_lalonde.R`` and ``.out`` beside the data):

    m1 <- matchit(f, data = lalonde, method = "nearest", distance = "glm")
    m2 <- matchit(f, data = lalonde, method = "nearest", distance = "glm", caliper = 0.1)
    m3 <- matchit(f, data = lalonde, method = "nearest", distance = "glm", ratio = 2,
                  replace = TRUE)
    m4 <- matchit(treat ~ married + nodegree, data = lalonde, method = "exact")

with f = treat ~ age + educ + black + hispan + married + nodegree + re74 + re75.

MatchIt 4.5.1 had a defect in its then-new nearest-neighbour code (MatchIt issue #163,
"Caliper not working as intended on versions 4.5.1 - 4.5.3"): distances were truncated to
integers before being compared, so the lower-score neighbour always won and a caliper below
1 had no effect (the reference's caliper run equals the plain run, 185 pairs); with
replacement and ratio 2 a control could be taken twice by one treated unit (every control
count in the reference is even). ``emulate="matchit-4.5.1"`` reproduces that behaviour and
matches the reference exactly; the default (correct) algorithm is tested against it where
the defect does not bite, and against a brute-force implementation in
test_matching_methods.py.
"""

import numpy as np
import pandas as pd
import pytest

from fipeval.errors import InputError
from fipeval.matching import match

# R's glm stops at a relative deviance change of 1e-8, so its coefficients (and hence the
# scores) differ from a fully converged fit in about the 9th digit.
SCORE_ATOL = 1e-8
BALANCE_ATOL = 1e-10   # MatchIt balance tables written with 15 significant digits
WEIGHT_ATOL = 1e-12
RE78_DIFFERENCE = 770.390167837837  # matchit_lalonde.out, matched difference in mean re78
COVARIATES = ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]
COLUMNS = {"mean_treated": "Means Treated", "mean_control": "Means Control",
           "smd": "Std. Mean Diff.", "variance_ratio": "Var. Ratio",
           "ecdf_mean": "eCDF Mean", "ecdf_max": "eCDF Max",
           "pair_distance": "Std. Pair Dist."}
CASES = {
    "nearest_1to1": {},
    "nearest_caliper01": {"caliper": 0.1},
    "nearest_2to1_replace": {"ratio": 2, "replace": True},
}


@pytest.fixture(scope="module")
def lalonde(reference_dir):
    return pd.read_csv(reference_dir / "matching" / "lalonde.csv")


def _reference_balance(reference_dir, case):
    ref = pd.read_csv(reference_dir / "matching" / f"{case}_balance.csv")
    ref["sample"] = ref["sample"].map({"all": "before", "matched": "after"})
    return ref


def test_propensity_score_equals_glm(lalonde, reference_dir):
    ref = pd.read_csv(reference_dir / "matching" / "nearest_1to1_units.csv")
    res = match(lalonde, treatment="treat", covariates=COVARIATES)
    np.testing.assert_allclose(res.distance.to_numpy(), ref["pscore"], rtol=0, atol=SCORE_ATOL)


@pytest.mark.parametrize("case", list(CASES))
def test_emulated_matchit_451_units_and_weights(lalonde, reference_dir, case):
    ref = pd.read_csv(reference_dir / "matching" / f"{case}_units.csv")
    res = match(lalonde, treatment="treat", covariates=COVARIATES, emulate="matchit-4.5.1", **CASES[case])
    np.testing.assert_allclose(res.weights.to_numpy(), ref["weight"], rtol=0,
                               atol=WEIGHT_ATOL)
    assert res.weights.index.equals(lalonde.index)


def test_emulated_matchit_451_subclasses(lalonde, reference_dir):
    ref = pd.read_csv(reference_dir / "matching" / "nearest_1to1_units.csv")
    res = match(lalonde, treatment="treat", covariates=COVARIATES, emulate="matchit-4.5.1")
    ours = res.subclass.to_numpy(dtype=float, na_value=np.nan)
    theirs = ref["subclass"].to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    # same partition into pairs (MatchIt numbers subclasses in string order)
    pairs = pd.crosstab(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)])
    assert (pairs > 0).sum(axis=1).eq(1).all() and (pairs > 0).sum(axis=0).eq(1).all()
    assert len(pairs) == 185


@pytest.mark.parametrize("case", list(CASES))
def test_balance_table_matches_matchit(lalonde, reference_dir, case):
    # R's own propensity scores (the same glm in every case): they hold exact ties, so the
    # eCDF of the distance row would otherwise depend on the last bits of the logistic fit
    scores = pd.read_csv(reference_dir / "matching" / "nearest_1to1_units.csv")["pscore"]
    res = match(lalonde, treatment="treat", covariates=COVARIATES, emulate="matchit-4.5.1", distance=scores.to_numpy(),
                **CASES[case])
    ours = res.balance().table
    ref = _reference_balance(reference_dir, case)
    both = ours.merge(ref, on=["term", "sample"], how="inner")
    assert len(both) == len(ref) == 18
    for mine, theirs in COLUMNS.items():
        a, b = both[mine].to_numpy(float), both[theirs].to_numpy(float)
        if mine == "pair_distance":
            # MatchIt leaves the pair distance unstandardised when the mean difference is
            # below 1e-8 (educ after 2:1 matching); fipeval always standardises.
            raw = both["Std. Mean Diff."].abs() <= 1e-8
            a, b = a[~raw], b[~raw]
        np.testing.assert_allclose(a, b, rtol=0, atol=BALANCE_ATOL, err_msg=mine)


def test_published_unmatched_smds(lalonde):
    published = {"age": -0.3094, "educ": 0.0550, "married": -0.8263, "nodegree": 0.2450,
                 "re74": -0.7211, "re75": -0.2903}
    table = match(lalonde, treatment="treat", covariates=COVARIATES).balance().wide().set_index("term")
    for term, value in published.items():
        assert table.loc[term, "smd_before"] == pytest.approx(value, abs=5e-5)


@pytest.mark.parametrize("case", list(CASES))
def test_sample_sizes_match_matchit(lalonde, case):
    expected = {"nearest_1to1": (185, 185.0), "nearest_caliper01": (185, 185.0),
                "nearest_2to1_replace": (73, 37.160694896851247)}[case]
    res = match(lalonde, treatment="treat", covariates=COVARIATES, emulate="matchit-4.5.1", **CASES[case])
    sizes = res.sample_sizes()
    assert sizes.loc["matched", "control"] == expected[0]
    assert sizes.loc["matched (ESS)", "control"] == pytest.approx(expected[1], abs=BALANCE_ATOL)
    assert sizes.loc["matched", "treated"] == 185


def test_matched_difference_in_re78(lalonde):
    res = match(lalonde, treatment="treat", covariates=COVARIATES, emulate="matchit-4.5.1")
    assert res.matched_difference("re78") == pytest.approx(RE78_DIFFERENCE, abs=1e-6)


def test_exact_weights_match_matchit(lalonde, reference_dir):
    ref = pd.read_csv(reference_dir / "matching" / "exact_married_nodegree_units.csv")
    res = match(lalonde, treatment="treat", covariates=["married", "nodegree"], method="exact")
    np.testing.assert_allclose(res.weights.to_numpy(), ref["weight"], rtol=0,
                               atol=WEIGHT_ATOL)
    # matchit_lalonde.out: summary(m4$weights)
    assert res.weights.min() == pytest.approx(0.23189189189189, abs=1e-12)
    assert res.weights.max() == pytest.approx(1.93243243243243, abs=1e-12)


def test_correct_algorithm_agrees_where_the_defect_does_not_bite(lalonde, reference_dir):
    """The closest-control rule and 4.5.1's left-always rule pick the same controls for the
    first 175 treated units (largest score first); they part where a closer control lies
    above the treated unit's score."""
    ours = match(lalonde, treatment="treat", covariates=COVARIATES)
    old = match(lalonde, treatment="treat", covariates=COVARIATES, emulate="matchit-4.5.1")
    order = ours.distance[lalonde["treat"] == 1].sort_values(ascending=False, kind="stable")
    same = (ours.match_matrix.loc[order.index, "match_1"]
            == old.match_matrix.loc[order.index, "match_1"]).to_numpy()
    assert same[:175].all() and not same.all()
    # and ours never takes a farther control than the one it had available
    score = ours.distance
    d_ours = (score[ours.match_matrix.index] - score[ours.match_matrix["match_1"]].to_numpy()).abs()
    d_old = (score[old.match_matrix.index] - score[old.match_matrix["match_1"]].to_numpy()).abs()
    assert d_ours.sum() < d_old.sum()


def test_caliper_drops_treated_units_that_451_kept(lalonde):
    with pytest.warns(UserWarning, match=r"of 185 focal .* got no match because of the caliper"):
        res = match(lalonde, treatment="treat", covariates=COVARIATES, caliper=0.1)
    cal = 0.1 * res.distance.std(ddof=1)
    mm = res.match_matrix.dropna()
    d = (res.distance[mm.index].to_numpy() - res.distance[mm["match_1"]].to_numpy())
    assert np.all(np.abs(d) <= cal)
    assert 0 < len(mm) < 185


@pytest.mark.parametrize("discard", ["both", "treated", "control"])
def test_discard_matches_matchit(lalonde, reference_dir, discard):
    """Common-support discard: the same units left out as MatchIt's ``discard=``, and the same
    sample-size table (All, Matched, Unmatched, Discarded); tests/reference/matching/
    matchit_discard.R."""
    ref = pd.read_csv(reference_dir / "matching" / "matchit_discard.csv", comment="#")
    ref = ref[ref["discard"] == discard].set_index("id")
    res = match(lalonde, treatment="treat", covariates=COVARIATES, discard=discard)
    mine = res.discarded.to_numpy()
    assert (mine == ref.loc[lalonde["id"], "discarded"].to_numpy().astype(bool)).all()
    assert mine.sum() > 0
    sizes = res.sample_sizes()
    first = ref.iloc[0]
    for row in ("all", "matched", "unmatched", "discarded"):
        for group in ("control", "treated"):
            assert sizes.loc[row, group] == first[f"{row}_{group}"], (row, group)
    assert not (res.weights[res.discarded] > 0).any()  # a discarded client is never matched
    header = res.summary().header
    assert header["discarded FIP / control"] == (f"{first.discarded_treated} / "
                                                 f"{first.discarded_control}")


def test_discard_is_for_nearest_neighbour_matching(lalonde):
    with pytest.raises(InputError, match="`discard` applies to method='nearest'"):
        match(lalonde, treatment="treat", covariates=COVARIATES, method="ipw", discard="both")
