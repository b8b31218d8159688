"""Event study against pyfixest with hand-made event-time dummies."""

import numpy as np
import pandas as pd
import pytest

from fipeval.diff_in_diff import event_study
from fipeval.errors import DesignError, InputError


def tight_demeaner():
    """pyfixest's alternating projections stop at 1e-6 by default; ours at 1e-13."""
    from pyfixest.demeaners import MapDemeaner
    return MapDemeaner(fixef_tol=1e-12)


PEER_RTOL = 1e-9
ATOL = 1e-10


def staggered_panel(seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(40):
        s = int(rng.integers(4, 10)) if u < 16 else None
        for t in range(16):
            e = t - s if s is not None else np.nan
            rows.append(dict(unit=u, t=t, ev=e, region=u % 9, w=int(rng.integers(10, 100)),
                             y=0.3 * (s is not None and e >= 0) + 0.05 * (u % 4)
                             + rng.normal()))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("bin_endpoints", [True, False])
def test_matches_pyfixest_with_dummies(weighted, bin_endpoints):
    pf = pytest.importorskip("pyfixest")
    p = staggered_panel()
    res = event_study(p, outcome="y", unit="unit", time="t", event_time="ev", leads=3, lags=4,
                      cluster="unit", weights="w" if weighted else None,
                      bin_endpoints=bin_endpoints)
    ev = p["ev"].clip(-3, 4) if bin_endpoints else p["ev"]
    data = p if bin_endpoints else p[p["ev"].isna() | p["ev"].between(-3, 4)]
    ev = ev.loc[data.index]
    names = []
    data = data.copy()
    for e in [-3, -2, 0, 1, 2, 3, 4]:
        name = f"e{e}".replace("-", "m")
        data[name] = (ev == e).astype(float)
        names.append(name)
    fit = pf.feols("y ~ " + " + ".join(names) + " | unit + t", data=data,
                   vcov={"CRV1": "unit"}, weights="w" if weighted else None, demeaner=tight_demeaner())
    np.testing.assert_allclose(res.tidy()["estimate"], fit.coef().to_numpy(), rtol=PEER_RTOL,
                               atol=ATOL)
    np.testing.assert_allclose(res.tidy()["std_error"], fit.se().to_numpy(), rtol=PEER_RTOL,
                               atol=ATOL)
    # joint test of the leads: Wald statistic W = b' V^-1 b as pyfixest's wald_test (chi2)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = fit.wald_test(R=np.eye(len(names))[:2], distribution="chi2")
    np.testing.assert_allclose(res.pre_trend["wald"], w["statistic"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(res.pre_trend["p_value_chi2"], w["pvalue"], rtol=1e-9, atol=0)
    assert res.pre_trend["df1"] == 2 and res.pre_trend["df2"] == 39


def test_band_contains_pointwise_interval_and_plot():
    res = event_study(staggered_panel(), outcome="y", unit="unit", time="t", event_time="ev",
                      cluster="unit", leads=3, lags=4, seed=1)
    t = res.tidy()
    assert res.critical_value > 2.0
    assert np.all(t["band_lower"] <= t["ci_lower"]) and np.all(t["band_upper"] >= t["ci_upper"])
    ax = res.plot()
    assert ax.get_xlabel().startswith("periods since the start")
    again = event_study(staggered_panel(), outcome="y", unit="unit", time="t", event_time="ev",
                        cluster="unit", leads=3, lags=4, seed=1)
    assert again.critical_value == res.critical_value
    assert "pre-trend test: F(2, 39)" in repr(res)


def test_detects_a_pre_trend():
    p = staggered_panel(2)
    p["y"] = p["y"] + np.where(p["ev"].notna(), 0.4 * p["ev"].fillna(0), 0.0)  # trend
    res = event_study(p, outcome="y", unit="unit", time="t", event_time="ev", cluster="unit",
                      leads=3, lags=4)
    assert res.pre_trend["p_value"] < 0.01


def test_errors():
    p = staggered_panel()
    kw = dict(outcome="y", unit="unit", time="t", event_time="ev", cluster="unit")
    with pytest.raises(InputError, match="`reference` must be a pre-period"):
        event_study(p, reference=0, **kw)
    with pytest.raises(InputError, match="has no column `nope`"):
        event_study(p, **{**kw, "event_time": "nope"})
    with pytest.raises(InputError, match="`inference` parameter must be one of"):
        event_study(p, inference="wild", **kw)
    early = p.assign(ev=np.where(p["unit"] == 0, p["t"] + 1.0, p["ev"]))
    with pytest.raises(DesignError, match="already treated in their first period"):
        event_study(early, **kw)
    with pytest.raises(DesignError, match="no untreated comparison group"):
        event_study(p[p["ev"].notna()], **kw)
    with pytest.raises(InputError, match="has a gap"):
        event_study(p[p["t"] != 7], **kw)
