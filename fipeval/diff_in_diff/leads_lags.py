"""Event study: leads and lags around the start of FIP, a joint pre-trend test, a plot.

The outcome is regressed on indicators of the event time ``e`` (periods since the unit's
start: ``-leads .. lags``, the reference period ``-1`` left out) with unit and period fixed
effects absorbed as in :func:`fipeval.diff_in_diff.did`. Event times beyond the window are binned
into the end points (``bin_endpoints=True``, the usual choice so the omitted category is only
the reference period) or dropped. Never-treated units have every indicator 0.

The pre-trend test is the Wald test that every lead coefficient is 0, reported as
``F = W / q`` with ``(q, G - 1)`` degrees of freedom for cluster-robust variances (``n - K``
otherwise), as ``fixest::wald`` and ``pyfixest``'s ``wald_test``; the chi-square p-value of
``W`` is given beside it. A non-significant test is weak evidence: pre-trends can hide in
wide intervals (Roth 2022).

The plot shows pointwise intervals and a simultaneous (sup-t) band computed from the joint
normal distribution of the estimates (Montiel Olea & Plagborg-Moller 2019), seeded.

References
----------
Freyaldenhoven, Hansen, Perez & Shapiro (2021), "Visualization, identification, and
estimation in the linear panel event-study design", NBER WP 29170.
Roth (2022), AER: Insights 4(3). Sun & Abraham (2021), J. Econometrics 225(2): with staggered
starts and heterogeneous effects the lead/lag coefficients mix cohorts; use
:func:`staggered_did` for those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError, check_option
from ..results import TIDY_COLUMNS, Result
from ._panel_checks import prepare
from .estimate import SSC_KINDS, fit_absorbed
from .._version import __version__

__all__ = ["event_study", "EventStudyResult"]

EVENT_INFERENCE = ("iid", "HC1", "CR0", "CR1", "CR2")
SUPT_DRAWS = 20_000


@dataclass(frozen=True, repr=False, eq=False)
class EventStudyResult(Result):
    """Lead and lag coefficients with a joint pre-trend test."""

    table: pd.DataFrame = field(repr=False)
    vcov: np.ndarray = field(repr=False)
    pre_trend: dict = field(default_factory=dict)
    outcome: str = ""
    reference: int = -1
    inference: str = "CR1"
    ssc: str = "fixest"
    n_obs: int = 0
    n_units: int = 0
    n_treated_units: int = 0
    n_clusters: int | None = None
    cluster: str | None = None
    weights: str | None = None
    alpha: float = 0.05
    seed: int | None = None
    k_total: int = 0
    critical_value: float = float("nan")
    binned: bool = True
    title: str = "Event study (two-way fixed effects)"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def _header(self) -> dict:
        h = {"method": "event study, unit and period effects absorbed", "outcome": self.outcome,
             "n": self.n_obs, "units": self.n_units, "treated units": self.n_treated_units,
             "reference period": self.reference,
             "end points": "binned" if self.binned else "dropped",
             "inference": self.inference}
        if self.cluster is not None:
            h["clusters"] = f"{self.n_clusters} ({self.cluster})"
        h["small-sample factor"] = f"K = {self.k_total} ({self.ssc})"
        h["weights"] = self.weights or "none"
        pt = self.pre_trend
        if pt:
            h["pre-trend test"] = (f"F({pt['df1']}, {pt['df2']:g}) = {pt['statistic']:.3f}, "
                                   f"p = {pt['p_value']:.4g}")
        h["alpha"] = self.alpha
        h["fipeval"] = __version__
        return h

    def _notes(self) -> tuple:
        notes = [f"Simultaneous {1 - self.alpha:.0%} band: estimate +- {self.critical_value:.3f} "
                 f"x SE (sup-t, seed {self.seed})."]
        if self.pre_trend and self.n_clusters is not None and self.n_treated_units < 10:
            notes.append(f"Only {self.n_treated_units} treated unit(s): the cluster-robust "
                         "covariance of the leads rests on so few clusters that the joint "
                         "pre-trend test over-rejects badly and the intervals are too narrow "
                         "(MacKinnon & Webb 2017); read the plot, not the p-values.")
        if self.pre_trend and self.pre_trend["p_value"] >= self.alpha:
            notes.append("No significant pre-trend; with wide intervals that is weak evidence "
                         "of parallel trends.")
        return tuple(notes)

    def plot(self, ax=None, *, title: str | None = None):
        """Coefficients by event time with pointwise intervals and the sup-t band."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.8))
        t = self.table
        e = np.append(t["event_time"].to_numpy(), self.reference)
        order = np.argsort(e)
        est = np.append(t["estimate"].to_numpy(), 0.0)[order]
        lo = np.append(t["ci_lower"].to_numpy(), 0.0)[order]
        hi = np.append(t["ci_upper"].to_numpy(), 0.0)[order]
        blo = np.append(t["band_lower"].to_numpy(), 0.0)[order]
        bhi = np.append(t["band_upper"].to_numpy(), 0.0)[order]
        e = e[order]
        ax.fill_between(e, blo, bhi, color="tab:blue", alpha=0.12, step=None,
                        label=f"{1 - self.alpha:.0%} simultaneous band")
        ax.errorbar(e, est, yerr=[est - lo, hi - est], fmt="o", color="tab:blue", capsize=3,
                    label=f"{1 - self.alpha:.0%} pointwise interval")
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(-0.5, color="grey", ls=":", lw=0.8)
        ax.set_xlabel("periods since the start of FIP (event time)")
        ax.set_ylabel(self.outcome)
        pt = self.pre_trend
        ax.set_title(title or (f"Event study: {self.outcome}"
                               + (f" (pre-trend p = {pt['p_value']:.3g})" if pt else "")))
        ax.legend(loc="best", fontsize="small")
        return ax


def event_study(panel: pd.DataFrame, *, outcome: str, unit: str, time: str, event_time: str,
                leads: int = 6, lags: int = 6, reference: int = -1, cluster: str | None = None,
                weights: str | None = None,
                inference: Literal["iid", "HC1", "CR0", "CR1", "CR2"] = "CR1",
                ssc: Literal["fixest", "lm"] = "fixest", bin_endpoints: bool = True,
                alpha: float = 0.05, seed: int | None = None) -> EventStudyResult:
    """Leads and lags of the effect relative to the start, with a pre-trend test.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period, e.g. ``caseworker_panel(register, design=...)``.
    outcome, unit, time : str
        Columns, as in :func:`did`.
    event_time : str
        Periods since the unit's start (0 = first treated period); missing for units that
        never start (the comparison group).
    leads, lags : int
        Window ``-leads .. lags`` of event times with their own coefficient.
    reference : int
        Left-out event time (default -1, the period before the start).
    cluster, weights, inference, ssc
        As in :func:`did` (the wild bootstrap is not offered for joint tests).
    bin_endpoints : bool
        Bin event times beyond the window into the end points (else drop those rows).
    alpha : float
    seed : int, optional
        Seed of ``numpy.random.default_rng`` for the draws of the simultaneous band (None:
        fresh entropy, as everywhere in fipeval; pass an int to reproduce the band).

    Returns
    -------
    EventStudyResult
        ``tidy()`` has one row per event time (``e=-6`` ...), ``pre_trend`` the joint test.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> p = pd.DataFrame({"unit": np.repeat(np.arange(30), 10), "t": np.tile(np.arange(10), 30)})
    >>> p["event_time"] = np.where(p["unit"] < 10, p["t"] - 5, np.nan)
    >>> p["y"] = 0.5 * (p["event_time"] >= 0) + rng.normal(size=300)
    >>> res = event_study(p, outcome="y", unit="unit", time="t", event_time="event_time",
    ...                   leads=4, lags=4, cluster="unit")
    >>> res.tidy()["term"].tolist()[:2]
    ['e=-4', 'e=-3']
    """
    check_option("inference", inference, EVENT_INFERENCE)
    check_option("ssc", ssc, SSC_KINDS)
    if not isinstance(panel, pd.DataFrame):
        raise InputError(f"`panel` must be a pandas DataFrame; got {type(panel).__name__}.")
    for name, v in (("leads", leads), ("lags", lags)):
        if int(v) != v or v < 0:
            raise InputError(f"`{name}` must be a non-negative integer; got {v!r}.")
    if not -leads <= reference <= lags or reference >= 0:
        raise InputError(f"`reference` must be a pre-period inside the window (-{leads} .. -1); "
                         f"got {reference}.")
    if inference in ("CR0", "CR1", "CR2") and cluster is None:
        raise InputError(f"inference={inference!r} needs `cluster` (normally `{unit}`).")
    if event_time not in panel.columns:
        raise InputError(f"The panel has no column `{event_time}`; build it with "
                         "mark_treatment(panel, design) or pass the periods since the start.")
    ev = panel[event_time].to_numpy(dtype=float)
    work = pd.DataFrame({"_y": panel[outcome].to_numpy() if outcome in panel.columns else np.nan,
                         "_unit": panel[unit].to_numpy() if unit in panel.columns else np.nan,
                         "_time": panel[time] if time in panel.columns else np.nan,
                         "_treated": np.isfinite(ev).astype(np.int64),
                         "_post": (np.nan_to_num(ev, nan=-1) >= 0).astype(np.int64)},
                        index=panel.index)
    for col in (unit, time, outcome):
        if col not in panel.columns:
            raise InputError(f"The panel has no column `{col}`; available columns: "
                             f"{', '.join(map(str, panel.columns))}.")
    if weights is not None:
        work["_w"] = panel[weights].to_numpy(dtype=float)
    if cluster is not None:
        work["_c"] = panel[cluster].to_numpy()
    rel = np.clip(ev, -leads, lags) if bin_endpoints else ev
    keep = ~np.isfinite(ev) | ((rel >= -leads) & (rel <= lags))
    work, rel = work.loc[keep], rel[keep]
    a = prepare(work, outcome="_y", unit="_unit", time="_time", treated="_treated",
                post="_post", weights="_w" if weights else None,
                cluster="_c" if cluster else None)
    if weights is not None:
        rel = rel[work["_w"].to_numpy() > 0]
    times = [e for e in range(-leads, lags + 1) if e != reference]
    rel0 = np.nan_to_num(rel, nan=-10 ** 9)
    X = np.column_stack([(rel0 == e).astype(float) for e in times])
    present = X.sum(axis=0) > 0
    times = [e for e, ok in zip(times, present) if ok]
    X = X[:, present]
    names = [f"e={e}" for e in times]
    coef, V, df, k_total, _, _ = fit_absorbed(X, names, a, inference, ssc, alpha)
    V = (V + V.T) / 2
    se = np.sqrt(np.diag(V))
    tstat = coef / se
    p = 2 * stats.t.sf(np.abs(tstat), df)
    q = stats.t.ppf(1 - alpha / 2, df)
    rng = np.random.default_rng(seed)
    corr = V / np.outer(se, se)
    draws = rng.multivariate_normal(np.zeros(len(coef)), corr, size=SUPT_DRAWS,
                                    method="eigh")
    crit = float(np.quantile(np.max(np.abs(draws), axis=1), 1 - alpha))
    table = pd.DataFrame({"term": names, "estimate": coef, "std_error": se, "statistic": tstat,
                          "p_value": p, "ci_lower": coef - q * se, "ci_upper": coef + q * se,
                          "event_time": times, "band_lower": coef - crit * se,
                          "band_upper": coef + crit * se})[TIDY_COLUMNS + ["event_time",
                                                                            "band_lower",
                                                                            "band_upper"]]
    leads_idx = [i for i, e in enumerate(times) if e < 0]
    pre = {}
    if leads_idx:
        b = coef[leads_idx]
        Vl = V[np.ix_(leads_idx, leads_idx)]
        wald = float(b @ np.linalg.solve(Vl, b))
        q_ = len(leads_idx)
        df2 = float(df[0])
        pre = {"statistic": wald / q_, "df1": q_, "df2": df2,
               "p_value": float(stats.f.sf(wald / q_, q_, df2)), "wald": wald,
               "p_value_chi2": float(stats.chi2.sf(wald, q_))}
    n_clusters = None if a.cluster is None or inference in ("iid", "HC1") else int(a.cluster.max()) + 1
    return EventStudyResult(
        table=table, vcov=V, pre_trend=pre, outcome=outcome, reference=reference,
        inference=inference, ssc=ssc, n_obs=len(a.y), n_units=len(a.unit_labels),
        n_treated_units=int(np.unique(a.unit[a.treated == 1]).size), n_clusters=n_clusters,
        cluster=cluster, weights=weights, alpha=alpha, seed=seed, k_total=int(k_total),
        critical_value=crit, binned=bin_endpoints)
