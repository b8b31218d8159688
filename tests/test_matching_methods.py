"""Nearest neighbour against a brute-force implementation of its definition; exact, CEM and
IPW against hand-computed weights; equivalences; bad input."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from fipeval.errors import EstimationError, InputError
from fipeval.matching import balance, match, propensity_score
from fipeval.matching.exact import coarsen, weights_from_subclass
from fipeval.matching.nearest import match_nearest

ATOL = 1e-12
SCORE_ATOL = 1e-7


def brute_force(score, focal, ratio=1, replace=False, caliper=np.inf, order="largest"):
    """Greedy matching straight from its definition, O(n_focal * n_other) per step: in each
    of `ratio` rounds, focal units in `order` take the closest available other unit within
    the caliper (ties to the lower score)."""
    fpos = np.flatnonzero(focal)
    opos = np.flatnonzero(~focal)
    mm = np.full((len(fpos), ratio), -1)
    used = np.zeros(len(score), bool)
    if order == "largest" and not replace:
        seq = np.argsort(-score[fpos], kind="stable")
    elif order == "smallest" and not replace:
        seq = np.argsort(score[fpos], kind="stable")
    else:
        seq = np.arange(len(fpos))
    for r in range(ratio):
        for i in seq:
            if r > 0 and mm[i, r - 1] < 0:
                continue
            cand = [j for j in opos if (replace or not used[j]) and j not in mm[i, :r]]
            if not cand:
                continue
            cand = np.array(cand)
            d = np.abs(score[cand] - score[fpos[i]])
            best = np.flatnonzero(d == d.min())
            j = cand[best[np.argmin(score[cand[best]])]]
            if d.min() > caliper:
                continue
            mm[i, r] = j
            used[j] = True
    return mm


@pytest.fixture(scope="module")
def sim():
    rng = np.random.default_rng(20240401)
    n = 600
    df = pd.DataFrame({
        "age": rng.normal(40, 10, n).round(1),
        "months_before_start": rng.gamma(2, 12, n).round(2),
        "household_type": rng.choice(["single", "single_parent", "couple"], n),
        "municipality": rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2]),
    })
    lin = -1.2 + 0.03 * (df["age"] - 40) + 0.4 * (df["household_type"] == "single")
    df["fip"] = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    df.index = pd.Index([f"c{i:04d}" for i in range(n)])
    return df


@pytest.mark.parametrize("kw", [{}, {"ratio": 3}, {"caliper": 0.02},
                                {"ratio": 2, "replace": True}, {"replace": True, "caliper": 0.01},
                                {"order": "smallest", "ratio": 2}])
def test_nearest_equals_brute_force(kw):
    rng = np.random.default_rng(7)
    score = rng.random(300)
    focal = rng.random(300) < 0.25
    fast = match_nearest(score, focal, **kw)
    slow = brute_force(score, focal, **{**kw, "caliper": kw.get("caliper", np.inf)})
    np.testing.assert_array_equal(fast, slow)


def test_nearest_ties_go_to_the_lower_score_then_data_order():
    score = np.array([0.5, 0.4, 0.6, 0.4])
    focal = np.array([True, False, False, False])
    assert match_nearest(score, focal).tolist() == [[3]]  # 0.4 beats 0.6; of the two 0.4s
    # the one next to the focal unit in the stable sort (the later one) is nearest on the left


def test_score_passed_equals_score_estimated(sim):
    covs = ["age", "months_before_start", "household_type"]
    est = match(sim, treatment="fip", covariates=covs)
    ps = propensity_score(sim, treatment="fip", covariates=covs)
    given = match(sim, treatment="fip", covariates=covs, distance=ps)
    pd.testing.assert_series_equal(est.weights, given.weights)
    pd.testing.assert_frame_equal(est.match_matrix, given.match_matrix)


def test_propensity_score_equals_statsmodels_glm(sim):
    covs = ["age", "months_before_start", "household_type"]
    X = pd.get_dummies(sim[covs], columns=["household_type"], drop_first=True, dtype=float)
    glm = sm.GLM(sim["fip"], sm.add_constant(X), family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(propensity_score(sim, treatment="fip", covariates=covs), glm.fittedvalues,
                               rtol=0, atol=SCORE_ATOL)


def test_shuffling_rows_does_not_change_the_matches(sim):
    covs = ["age", "months_before_start"]
    shuffled = sim.sample(frac=1, random_state=3)
    with pytest.warns(UserWarning, match="caliper"):
        a = match(sim, treatment="fip", covariates=covs, ratio=2, caliper=0.2)
    with pytest.warns(UserWarning, match="caliper"):
        b = match(shuffled, treatment="fip", covariates=covs, ratio=2, caliper=0.2)
    pd.testing.assert_series_equal(a.weights, b.weights.loc[sim.index], rtol=0, atol=ATOL)
    pd.testing.assert_frame_equal(a.match_matrix, b.match_matrix.loc[a.match_matrix.index])


def test_input_is_not_modified(sim):
    before = copy.deepcopy(sim)
    for kw in ({}, {"method": "exact", "covariates": ["household_type"]},
               {"method": "ipw"}, {"method": "cem"}):
        covs = kw.pop("covariates", ["age", "household_type"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            match(sim, treatment="fip", covariates=covs, **kw)
    pd.testing.assert_frame_equal(sim, before)


def test_exact_within_strata(sim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = match(sim, treatment="fip", covariates=["age"], exact=["municipality"], ratio=2)
    mm = res.match_matrix
    for col in mm.columns:
        ok = mm[col].notna()
        assert (sim.loc[mm.index[ok], "municipality"].to_numpy()
                == sim.loc[mm.loc[ok, col], "municipality"].to_numpy()).all()
    # each stratum on its own gives the same matches
    part = sim[sim["municipality"] == "B"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = match(part, treatment="fip", covariates=["age"], distance=res.distance[part.index], ratio=2)
    pd.testing.assert_frame_equal(alone.match_matrix, mm.loc[alone.match_matrix.index])


def test_random_order_is_reproducible_with_a_seed(sim):
    a = match(sim, treatment="fip", covariates=["age", "months_before_start"], order="random", seed=5)
    b = match(sim, treatment="fip", covariates=["age", "months_before_start"], order="random", seed=5)
    pd.testing.assert_frame_equal(a.match_matrix, b.match_matrix)
    assert a.settings["seed"] == 5 and "seed: 5" in repr(a.summary())
    assert a.tidy()["term"].tolist() == ["distance", "age", "months_before_start"]


def test_atc_mirrors_att():
    df = pd.DataFrame({"t": [0, 0, 1, 1, 1, 1], "x": [0.5, 0.1, 0.45, 0.9, 0.12, 0.3]})
    res = match(df, treatment="t", covariates=["x"], distance=df["x"], estimand="ATC")
    # controls (focal) choose smallest score first: 0.1 -> 0.12, then 0.5 -> 0.45
    assert res.match_matrix["match_1"].tolist() == [2, 4]
    assert res.weights.tolist() == [1, 1, 1, 0, 1, 0]


def test_ratio_weights_follow_matchit():
    df = pd.DataFrame({"t": [1, 0, 0, 1, 0], "s": [0.5, 0.49, 0.52, 0.9, 0.1]})
    with pytest.warns(UserWarning, match=r"3 possible matches for 2 focal clients"):
        res = match(df, treatment="t", covariates=[], distance=df["s"], ratio=2)
    mm = res.match_matrix
    # round 1, largest first: 0.9 takes 0.52, 0.5 takes 0.49; round 2: 0.9 takes 0.1
    assert mm.loc[3].tolist() == [2, 4] and mm.loc[0].tolist() == [1, None]
    # unit 1 serves a 1-match unit (1), units 2 and 4 a 2-match unit (1/2 each);
    # rescaled to sum to the 3 matched controls
    np.testing.assert_allclose(res.weights, [1, 1.5, 0.75, 1, 0.75], rtol=0, atol=ATOL)


def test_exact_weights_by_hand():
    sub = np.array([1, 1, 1, 2, 2, 0])
    t = np.array([1, 0, 0, 1, 0, 0], bool)
    att = weights_from_subclass(sub, t, "ATT")
    # controls: 1/2, 1/2, 1/1 -> scaled by 3 / 2
    np.testing.assert_allclose(att, [1, 0.75, 0.75, 1, 1.5, 0], rtol=0, atol=ATOL)
    ate = weights_from_subclass(sub, t, "ATE")
    np.testing.assert_allclose(ate, [3, 1.5, 1.5, 2, 2, 0], rtol=0, atol=ATOL)
    atc = weights_from_subclass(sub, t, "ATC")
    # FIP: n_c/n_t = 2, 1 -> scaled by 2 / 3
    np.testing.assert_allclose(atc, [4 / 3, 1, 1, 2 / 3, 1, 0], rtol=0, atol=ATOL)


def test_cem_equals_exact_on_the_coarsened_columns(sim):
    cuts = {"age": [30, 40, 50], "months_before_start": 4}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cem = match(sim, treatment="fip", covariates=["age", "months_before_start", "household_type"],
                    method="cem", cutpoints=cuts)
        coarse = coarsen(sim, ["age", "months_before_start", "household_type"], cuts)
        coarse["fip"] = sim["fip"]
        ex = match(coarse, treatment="fip", covariates=["age", "months_before_start", "household_type"],
                   method="exact")
    np.testing.assert_allclose(cem.weights, ex.weights, rtol=0, atol=ATOL)


def test_coarsen_bins():
    df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0, 10.0]})
    assert coarsen(df, ["x"], {"x": [2, 4]})["x"].tolist() == [0, 0, 1, 1, 2, 2]
    assert coarsen(df, ["x"], {"x": 2})["x"].tolist() == [0, 0, 0, 0, 0, 1]
    # Sturges: ceil(log2(6) + 1) = 4 equal bins over [0, 10]
    assert coarsen(df, ["x"])["x"].tolist() == [0, 0, 0, 1, 1, 3]


def test_ipw_weights_by_formula(sim):
    covs = ["age", "household_type"]
    ps = propensity_score(sim, treatment="fip", covariates=covs).to_numpy()
    t = sim["fip"].to_numpy() == 1
    att = match(sim, treatment="fip", covariates=covs, method="ipw").weights.to_numpy()
    ate = match(sim, treatment="fip", covariates=covs, method="ipw", estimand="ATE").weights.to_numpy()
    atc = match(sim, treatment="fip", covariates=covs, method="ipw", estimand="ATC").weights.to_numpy()
    np.testing.assert_allclose(att, np.where(t, 1, ps / (1 - ps)), rtol=0, atol=ATOL)
    np.testing.assert_allclose(ate, np.where(t, 1 / ps, 1 / (1 - ps)), rtol=0, atol=ATOL)
    np.testing.assert_allclose(atc, np.where(t, (1 - ps) / ps, 1), rtol=0, atol=ATOL)


def test_ipw_trimming_drops_and_says_how_many(sim):
    ps = propensity_score(sim, treatment="fip", covariates=["age"])
    lo, hi = ps.quantile(0.05), ps.quantile(0.95)
    n_out = int(((ps < lo) | (ps > hi)).sum())
    with pytest.warns(UserWarning, match=rf"dropped {n_out} clients"):
        res = match(sim, treatment="fip", covariates=["age"], method="ipw", estimand="ATE", trim=(lo, hi))
    assert (res.weights[(ps < lo) | (ps > hi)] == 0).all()


def test_standalone_balance_equals_result_balance(sim):
    res = match(sim, treatment="fip", covariates=["age", "household_type"], ratio=2)
    direct = balance(sim, treatment="fip", covariates=["age", "household_type"], weights=res.weights,
                     distance=res.distance)
    pd.testing.assert_frame_equal(
        direct.table.drop(columns="pair_distance"),
        res.balance().table.drop(columns="pair_distance"))


def test_standalone_balance_accepts_a_logit_distance(sim):
    res = match(sim, treatment="fip", covariates=["age"], distance="logit")
    assert (res.distance < 0).any()
    direct = balance(sim.assign(w=res.weights), treatment="fip", covariates=["age"], weights="w",
                     distance=res.distance)
    np.testing.assert_allclose(direct.table["smd"], res.balance().table["smd"], rtol=0,
                               atol=ATOL)


def test_balance_expands_categories_and_flags(sim):
    bal = balance(sim, treatment="fip", covariates=["age", "household_type"])
    terms = bal.wide()["term"].tolist()
    assert terms == ["age", "household_type_couple", "household_type_single",
                     "household_type_single_parent"]
    w = bal.wide()
    assert (w["flagged"] == (w["smd_before"].abs() > 0.1)).all()


def test_balance_smd_by_hand():
    df = pd.DataFrame({"fip": [1, 1, 1, 0, 0], "x": [1.0, 2.0, 6.0, 3.0, 5.0],
                       "b": [1, 0, 1, 0, 0]})
    w = balance(df, treatment="fip", covariates=["x", "b"]).wide().set_index("term")
    assert w.loc["x", "smd_before"] == pytest.approx((3 - 4) / np.sqrt(7), abs=ATOL)
    p = 2 / 3
    assert w.loc["b", "smd_before"] == pytest.approx(p / np.sqrt(p * (1 - p)), abs=ATOL)
    assert w.loc["x", "variance_ratio_before"] == pytest.approx(7 / 2, abs=ATOL)
    # eCDFs at 1,2,3,5,6: |1/3-0|, |2/3-0|, |2/3-1/2|, |2/3-1|, |1-1|
    diffs = [1 / 3, 2 / 3, 1 / 6, 1 / 3, 0]
    assert w.loc["x", "ecdf_mean_before"] == pytest.approx(np.mean(diffs), abs=ATOL)
    assert w.loc["x", "ecdf_max_before"] == pytest.approx(2 / 3, abs=ATOL)


def test_result_summary_plot_and_matched(sim):
    import matplotlib.axes
    with pytest.warns(UserWarning, match="caliper"):
        res = match(sim, treatment="fip", covariates=["age", "household_type"], caliper=0.25)
    text = repr(res.summary())
    assert "nearest neighbour 1:1 without replacement" in text and "caliper" in text
    # print is compact; summary() adds MatchIt's accounting
    assert "unmatched FIP / control" in text and "unmatched" not in repr(res)
    assert repr(res.balance()).startswith("Covariate balance")
    assert isinstance(res.plot(), matplotlib.axes.Axes)
    m = res.matched
    assert len(m) == int((res.weights > 0).sum()) and "weights" in m and "subclass" in m
    assert (m.groupby("subclass")["fip"].agg(["sum", "count"]) == [1, 2]).all().all()


# ---- bad input ---------------------------------------------------------------------------

def test_treatment_not_binary(sim):
    bad = sim.assign(fip=sim["fip"] + 1)
    with pytest.raises(InputError, match=r"`fip` must hold 0/1.*found 1, 2"):
        match(bad, treatment="fip", covariates=["age"])
    with pytest.raises(InputError, match=r"must hold 0/1"):
        match(sim.assign(fip=np.where(sim["fip"] == 1, "FIP", "ctl")), treatment="fip", covariates=["age"])
    with pytest.raises(InputError, match=r"1 missing values"):
        match(sim.assign(fip=sim["fip"].where(sim.index != sim.index[3])), treatment="fip", covariates=["age"])


def test_one_group_only(sim):
    with pytest.raises(InputError, match=r"no control clients"):
        match(sim.assign(fip=1), treatment="fip", covariates=["age"])
    with pytest.raises(InputError, match=r"no FIP \(treated\) clients"):
        balance(sim.assign(fip=0), treatment="fip", covariates=["age"])


def test_missing_covariate_and_column(sim):
    with pytest.raises(InputError, match=r"`age` has 1 missing values"):
        match(sim.assign(age=sim["age"].where(sim.index != sim.index[5])), treatment="fip", covariates=["age"])
    with pytest.raises(InputError, match=r"no column `agee`"):
        match(sim, treatment="fip", covariates=["agee"])


def test_constant_covariate_warns(sim):
    with pytest.warns(UserWarning, match=r"`?flag`? take one value in all 600 rows"):
        match(sim.assign(flag=1.0), treatment="fip", covariates=["age", "flag"])


def test_complete_separation(sim):
    sep = sim.assign(x=np.where(sim["fip"] == 1, 10.0, 0.0) + np.arange(len(sim)) * 1e-3)
    with pytest.raises(EstimationError, match=r"Complete separation.*`x`"):
        match(sep, treatment="fip", covariates=["age", "x"])


def test_complete_separation_by_a_combination(sim):
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=300), rng.normal(size=300)
    df = pd.DataFrame({"fip": (x1 + x2 > 0).astype(int), "x1": x1, "x2": x2})
    with pytest.raises(EstimationError, match=r"predict FIP membership perfectly"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        match(df, treatment="fip", covariates=["x1", "x2"])


def test_caliper_leaving_nobody(sim):
    with pytest.raises(EstimationError, match=r"No client could be matched.*caliper"):
        match(sim, treatment="fip", covariates=["age"], distance=sim["age"] + sim["fip"] * 1000.0, caliper=0.001)


def test_bad_options(sim):
    with pytest.raises(InputError, match=r"`estimand` parameter must be one of"):
        match(sim, treatment="fip", covariates=["age"], estimand="ATE")
    with pytest.raises(InputError, match=r"`method` parameter must be one of"):
        match(sim, treatment="fip", covariates=["age"], method="optimal")
    with pytest.raises(InputError, match=r"`ratio` must be a whole number"):
        match(sim, treatment="fip", covariates=["age"], ratio=0)
    with pytest.raises(InputError, match=r"`caliper` must be a positive number"):
        match(sim, treatment="fip", covariates=["age"], caliper=-1)
    with pytest.raises(InputError, match=r"`order` parameter must be one of"):
        match(sim, treatment="fip", covariates=["age"], order="biggest")
    with pytest.raises(InputError, match=r"`trim` must be"):
        match(sim, treatment="fip", covariates=["age"], method="ipw", trim=0.7)
    with pytest.raises(InputError, match=r"one score per row"):
        match(sim, treatment="fip", covariates=["age"], distance=np.ones(3))
    with pytest.raises(InputError, match=r"duplicated index"):
        match(pd.concat([sim, sim.iloc[:2]]), treatment="fip", covariates=["age"])


def test_exact_strata_without_controls_warn(sim):
    df = sim.copy()
    df.loc[(df["municipality"] == "C"), "fip"] = 1
    with pytest.warns(UserWarning) as record:
        res = match(df, treatment="fip", covariates=["age"], exact=["municipality"])
    messages = " ".join(str(r.message) for r in record)
    n_c = int((df["municipality"] == "C").sum())
    assert "fewer possible matches than focal clients" in messages
    assert "got no match because of the exact strata" in messages
    assert (res.weights[df["municipality"] == "C"] == 0).sum() == n_c
    assert (res.weights[df["municipality"] == "C"] == 0).all()


def test_exact_without_common_strata():
    df = pd.DataFrame({"fip": [1, 1, 0, 0], "g": ["a", "a", "b", "b"]})
    with pytest.raises(EstimationError, match=r"No stratum of g holds both"):
        match(df, treatment="fip", covariates=["g"], method="exact")
