"""Staggered adoption: Callaway & Sant'Anna (2021) group-time average treatment effects.

Municipalities start FIP at different dates. A two-way fixed-effects regression then uses
already-treated units as controls and can be badly biased when effects grow over time
(Goodman-Bacon 2021). The group-time effects avoid that: for the cohort ``g`` (units first
treated in period ``g``) and period ``t``,

    ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | C],

with base period ``b = g - 1`` for ``t >= g`` and ``b = t - 1`` before (R ``did``'s
``base_period="varying"``), and comparison units ``C`` either never treated
(``control_group="nevertreated"``) or never treated plus those first treated after
``max(t, b)`` (``"notyettreated"``). This is the unconditional (no covariates) estimator,
identical to R ``did::att_gt(est_method="reg")`` without ``xformla``.

Inference uses the influence function of every ATT(g, t) (one value per unit): analytic
standard errors ``sqrt(sum IF^2) / n`` (clustered by unit, as R ``did``), or a multiplier
bootstrap with Rademacher weights drawn per unit or per ``cluster`` (standard error from the
interquartile range, as R ``did::mboot``), which also gives simultaneous bands.
Aggregations (R ``did::aggte``): ``simple`` (weighted by cohort size over post periods),
``dynamic`` (by event time ``e = t - g``; its overall value averages ``e >= 0``) and
``group`` (by cohort; overall weighted by cohort size); their influence functions include
the estimation of the cohort-size weights.

Conventions (R ``did``): units first treated after the last period count as never treated;
a unit first treated in the first period has no pre-period and is an error here.

References
----------
Callaway & Sant'Anna (2021), Journal of Econometrics 225(2), 200-230.
Goodman-Bacon (2021), Journal of Econometrics 225(2), 254-277.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DesignError, InputError, check_columns, check_option, renamed
from ..results import TIDY_COLUMNS, Result
from ._panel_checks import time_codes
from .._version import __version__

__all__ = ["staggered_did", "StaggeredResult", "AggregateResult"]

CONTROL_GROUPS = ("nevertreated", "notyettreated")
AGGREGATIONS = ("simple", "dynamic", "group")
INFERENCE = ("analytic", "bootstrap")
_IQR_NORMAL = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)


@dataclass(frozen=True)
class _Fit:
    groups: np.ndarray        # cohort code (time index) of each ATT(g,t)
    times: np.ndarray         # time index
    att: np.ndarray
    inf: np.ndarray           # (n_units, n_gt) influence functions
    pg: np.ndarray            # P(G = g) of each ATT's cohort
    unit_group: np.ndarray    # cohort code per unit (-1 never treated)
    weights: np.ndarray       # unit weights, mean 1
    cluster: np.ndarray | None
    n_comparison: np.ndarray


def _standard_errors(inf: np.ndarray, fit: _Fit, inference: str, n_draws: int, seed,
                     alpha: float):
    """Standard errors (and the simultaneous critical value) for the columns of ``inf``."""
    n = inf.shape[0]
    if inference == "analytic":
        se = np.sqrt(np.sum(inf ** 2, axis=0)) / n
        return se, None
    rng = np.random.default_rng(seed)
    if fit.cluster is not None:
        n_cl = int(fit.cluster.max()) + 1
        summed = np.zeros((n_cl, inf.shape[1]))
        np.add.at(summed, fit.cluster, inf)
        base, m = summed, n_cl
    else:
        base, m = inf, n
    draws = np.empty((n_draws, inf.shape[1]))
    for start in range(0, n_draws, 256):
        stop = min(start + 256, n_draws)
        v = rng.choice(np.array([-1.0, 1.0]), size=(stop - start, m))
        draws[start:stop] = v @ base / n * np.sqrt(n)
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0)
    se = (q75 - q25) / _IQR_NORMAL / np.sqrt(n)
    ok = se > np.sqrt(np.finfo(float).eps) * 10
    t_max = np.max(np.abs(draws[:, ok]) / (se[ok] * np.sqrt(n)), axis=1) if ok.any() else np.zeros(1)
    return np.where(ok, se, np.nan), float(np.quantile(t_max, 1 - alpha))


def _wif(keepers: np.ndarray, fit: _Fit) -> np.ndarray:
    """Influence of estimating the cohort-size weights (R did's ``wif``)."""
    pg = fit.pg[keepers]
    member = (fit.unit_group[:, None] == fit.groups[keepers][None, :]) * fit.weights[:, None]
    centred = member - pg[None, :]
    if1 = centred / pg.sum()
    if2 = centred.sum(axis=1)[:, None] * (pg / pg.sum() ** 2)[None, :]
    return if1 - if2


def _aggregate_if(fit: _Fit, keepers: np.ndarray, weighted: bool = True):
    w = fit.pg[keepers] / fit.pg[keepers].sum()
    est = float(w @ fit.att[keepers])
    inf = fit.inf[:, keepers] @ w
    if weighted:
        inf = inf + _wif(keepers, fit) @ fit.att[keepers]
    return est, inf


@dataclass(frozen=True, repr=False, eq=False)
class AggregateResult(Result):
    """An aggregation of group-time effects: the overall ``att`` and its components."""

    kind: str
    table: pd.DataFrame = field(repr=False)
    control_group: str = "nevertreated"
    inference: str = "analytic"
    alpha: float = 0.05
    n_units: int = 0
    title: str = "Aggregated group-time effects (Callaway & Sant'Anna)"

    @property
    def estimate(self) -> float:
        return float(self.table["estimate"].iloc[0])

    @property
    def std_error(self) -> float:
        return float(self.table["std_error"].iloc[0])

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def _header(self) -> dict:
        return {"aggregation": self.kind, "comparison": self.control_group,
                "units": self.n_units, "inference": self.inference, "alpha": self.alpha,
                "fipeval": __version__}

    def plot(self, ax=None):
        """Estimates with confidence intervals by event time or cohort; returns the Axes."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        rows = self.table.iloc[1:] if self.kind != "simple" else self.table
        x = np.arange(len(rows)) if self.kind != "dynamic" else rows["event_time"].to_numpy()
        pre = np.asarray(x) < 0 if self.kind == "dynamic" else np.zeros(len(rows), bool)
        for mask, colour in ((pre, "tab:grey"), (~pre, "tab:blue")):
            ax.errorbar(np.asarray(x)[mask], rows["estimate"].to_numpy()[mask],
                        yerr=[(rows["estimate"] - rows["ci_lower"]).to_numpy()[mask],
                              (rows["ci_upper"] - rows["estimate"]).to_numpy()[mask]],
                        fmt="o", color=colour, capsize=3)
        ax.axhline(0, color="black", lw=0.8)
        if self.kind == "dynamic":
            ax.axvline(-0.5, color="grey", ls=":", lw=0.8)
            ax.set_xlabel("periods since start (event time)")
        else:
            ax.set_xticks(np.arange(len(rows)))
            ax.set_xticklabels(rows["term"].tolist(), rotation=30, ha="right")
        ax.set_ylabel("ATT")
        ax.set_title(f"Callaway-Sant'Anna, {self.kind} aggregation")
        return ax


@dataclass(frozen=True, repr=False, eq=False)
class StaggeredResult(Result):
    """Group-time average treatment effects and their aggregations."""

    group_time: pd.DataFrame = field(repr=False)
    simple: AggregateResult = field(repr=False)
    dynamic: AggregateResult = field(repr=False)
    group: AggregateResult = field(repr=False)
    twfe: Result | None = field(default=None, repr=False)
    outcome: str = ""
    control_group: str = "nevertreated"
    inference: str = "analytic"
    n_units: int = 0
    n_periods: int = 0
    cohorts: tuple = ()
    alpha: float = 0.05
    seed: int | None = None
    critical_value: float | None = None
    title: str = "Staggered difference-in-differences (Callaway & Sant'Anna)"

    @property
    def estimate(self) -> float:
        return self.simple.estimate

    def aggregate(self, kind: Literal["simple", "dynamic", "group"] = "simple") -> AggregateResult:
        check_option("kind", kind, AGGREGATIONS)
        return getattr(self, kind)

    def tidy(self) -> pd.DataFrame:
        """``att`` (the simple aggregate), then ``twfe`` if computed, then every ATT(g,t)."""
        rows = [self.simple.table.iloc[[0]]]
        if self.twfe is not None:
            tw = self.twfe.tidy().iloc[[0]].assign(term="twfe")
            rows.append(tw[TIDY_COLUMNS])
        rows.append(self.group_time)
        return pd.concat(rows, ignore_index=True)

    def _header(self) -> dict:
        h = {"method": "group-time ATT, unconditional parallel trends, varying base period",
             "outcome": self.outcome, "units": self.n_units, "periods": self.n_periods,
             "cohorts": ", ".join(map(str, self.cohorts)),
             "comparison": {"nevertreated": "never treated",
                            "notyettreated": "never and not yet treated"}[self.control_group],
             "inference": ("analytic (influence function, clustered by unit)"
                           if self.inference == "analytic" else
                           f"multiplier bootstrap, Rademacher, seed {self.seed}"),
             "alpha": self.alpha, "fipeval": __version__}
        return h

    def _notes(self) -> tuple:
        notes = ["att is the simple aggregate: the cohort-size weighted mean of ATT(g,t) over "
                 "post periods."]
        if self.twfe is not None:
            notes.append("twfe is the static two-way fixed-effects estimate on the same panel, "
                         "shown for comparison; it is biased when effects differ by cohort "
                         "or grow with time.")
        return tuple(notes)

    def plot(self, ax=None):
        """Event-time aggregation with confidence intervals; returns the Axes."""
        return self.dynamic.plot(ax=ax)


def _wide(panel, outcome, unit, time, first_treated, weights, cluster, incomplete):
    check_columns(panel, [outcome, unit, time, first_treated]
                  + [c for c in (weights, cluster) if c], what="The panel")
    df = panel
    y = df[outcome].to_numpy(dtype=float)
    t_codes, t_labels = time_codes(df[time], time)
    u_codes, u_labels = pd.factorize(df[unit], sort=True)
    U, T = len(u_labels), len(t_labels)
    key = u_codes * T + t_codes
    if len(key) and np.bincount(key, minlength=U * T).max() > 1:   # np.unique: 30x slower
        raise InputError(f"The panel has duplicate rows for the same `{unit}` and `{time}`; "
                         "aggregate them first.")
    Y = np.full(U * T, np.nan)
    Y[key] = y
    Y = Y.reshape(U, T)
    complete = np.all(np.isfinite(Y), axis=1)
    if not complete.all():
        if incomplete == "error":
            bad = u_labels[int(np.flatnonzero(~complete)[0])]
            raise InputError(
                f"{int((~complete).sum())} unit(s) miss `{outcome}` in some periods (first: "
                f"'{bad}'); group-time effects need a balanced panel. Pass incomplete='drop' to "
                "leave those units out (e.g. caseworkers with an empty caseload in some month).")
    # cohort per unit, on the time grid
    g_raw = df[first_treated]
    if pd.api.types.is_datetime64_any_dtype(g_raw):
        never = g_raw.isna().to_numpy()
        g_steps = np.where(never, 0, g_raw.to_numpy(dtype="datetime64[M]").astype(np.int64))
        grid = t_labels.astype("datetime64[M]").astype(np.int64)
    else:
        g_num = pd.to_numeric(g_raw, errors="coerce").to_numpy(dtype=float)
        grid = np.asarray(t_labels, dtype=np.int64)
        never = ~np.isfinite(g_num) | ((g_num == 0) & (grid.min() > 0))
        frac = ~never & (g_num != np.round(g_num))
        if frac.any():
            raise InputError(f"`{first_treated}` has a value that is not one of the periods in "
                             f"`{time}` ({g_num[frac][0]!r}); give the first treated period on "
                             "the same time grid.")
        g_steps = np.where(never, 0, np.nan_to_num(g_num, posinf=0)).astype(np.int64)
    unit_g_steps = np.zeros(U, dtype=np.int64)
    unit_never = np.zeros(U, dtype=bool)
    unit_never[u_codes] = never
    unit_g_steps[u_codes] = g_steps
    check = np.zeros(U, dtype=np.int64)
    np.add.at(check, u_codes, (never != unit_never[u_codes]) | (g_steps != unit_g_steps[u_codes]))
    if check.any():
        bad = u_labels[int(np.flatnonzero(check)[0])]
        raise InputError(f"`{first_treated}` must be constant within each unit; '{bad}' has "
                         "more than one value.")
    later = ~unit_never & (unit_g_steps > grid.max())
    unit_never |= later
    early = ~unit_never & (unit_g_steps <= grid.min())
    if early.any():
        bad = u_labels[int(np.flatnonzero(early)[0])]
        raise DesignError(f"{int(early.sum())} unit(s) are treated at or before the first period "
                          f"of the window (first: '{bad}'); they have no pre-period. Start the "
                          "window earlier or leave them out.")
    pos = np.searchsorted(grid, unit_g_steps)
    off = ~unit_never & ((pos >= T) | (grid[np.clip(pos, 0, T - 1)] != unit_g_steps))
    if off.any():
        bad = u_labels[int(np.flatnonzero(off)[0])]
        raise InputError(f"`{first_treated}` of unit '{bad}' is not one of the periods in "
                         f"`{time}`; give the first treated period on the same time grid.")
    unit_group = np.where(unit_never, -1, pos)
    w = np.ones(U)
    if weights is not None:
        wv = df[weights].to_numpy(dtype=float)
        w = np.full(U, np.nan)
        w[u_codes] = wv
        spread = np.zeros(U)
        np.maximum.at(spread, u_codes, np.abs(wv - w[u_codes]))
        if np.any(spread > 0) or np.any(~np.isfinite(w)) or np.any(w <= 0):
            raise InputError(f"`{weights}` must be one positive number per unit (constant over "
                             "time), e.g. the caseworker's mean caseload.")
    cl = None
    if cluster is not None:
        c_codes = pd.factorize(df[cluster], sort=True)[0]
        cu = np.zeros(U, dtype=np.int64)
        cu[u_codes] = c_codes
        cl = cu
    keep = complete if incomplete == "drop" else np.ones(U, bool)
    return (Y[keep], unit_group[keep], w[keep], None if cl is None else
            pd.factorize(cl[keep])[0], t_labels, u_labels[keep])


def _until(panel, unit, time, column, t_labels, u_labels, unit_group) -> dict:
    """Cohort code -> first time code no longer treated (absent: treated to the end)."""
    if column is None:
        return {}
    check_columns(panel, [column], what="The panel")
    values = panel[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        steps = values.to_numpy(dtype="datetime64[M]")
        grid = t_labels.astype("datetime64[M]")
        missing = np.isnat(steps)
    else:
        steps = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        grid = np.asarray(t_labels, dtype=float)
        missing = ~np.isfinite(steps)
    codes = np.searchsorted(grid, np.where(missing, grid[-1], steps))
    codes = np.where(missing, len(grid), codes).astype(np.int64)
    unit_pos = pd.Index(u_labels).get_indexer(panel[unit])
    ok = unit_pos >= 0
    out: dict[int, int] = {}
    for g in np.unique(unit_group[unit_group >= 0]):
        rows = ok.copy()
        rows[ok] = unit_group[unit_pos[ok]] == g
        vals = np.unique(codes[rows])
        if len(vals) > 1:
            raise InputError(f"`{column}` must be the same for every unit of a cohort; the "
                             f"cohort starting at {t_labels[g]} has {len(vals)} values.")
        out[int(g)] = int(vals[0])
    return out


def _group_time(Y, unit_group, w, control_group, until=None) -> tuple:
    U, T = Y.shape
    w = w / w.mean()
    cohorts = np.unique(unit_group[unit_group >= 0])
    never = unit_group < 0
    if control_group == "nevertreated" and not never.any():
        raise DesignError("No never-treated units: use control_group='notyettreated' or add "
                          "caseworkers who never get FIP.")
    pg_all = {g: float(np.mean(w * (unit_group == g))) for g in cohorts}
    groups, times, atts, infs, pgs, ncs = [], [], [], [], [], []
    for g in cohorts:
        treated = unit_group == g
        for t in range(1, T):
            if until and t >= until.get(int(g), T):
                continue                      # treatment over: not "once treated, always"
            base = g - 1 if t >= g else t - 1
            if control_group == "nevertreated":
                control = never
            else:
                control = never | ((unit_group > max(t, base)) & ~treated)
            if not control.any():
                continue
            dy = Y[:, t] - Y[:, base]
            w1, w0 = w * treated, w * control
            mu1 = w1 @ dy / w1.sum()
            mu0 = w0 @ dy / w0.sum()
            inf = U * (w1 * (dy - mu1) / w1.sum() - w0 * (dy - mu0) / w0.sum())
            groups.append(g), times.append(t), atts.append(mu1 - mu0), infs.append(inf)
            pgs.append(pg_all[g]), ncs.append(int(control.sum()))
    if not atts:
        raise DesignError("No group-time effect can be estimated: no cohort has a comparison "
                          "group in any period.")
    return (np.array(groups), np.array(times), np.array(atts), np.column_stack(infs),
            np.array(pgs), np.array(ncs), w)


@renamed(n_boot="n_draws")
def staggered_did(panel: pd.DataFrame, *, outcome: str, unit: str, time: str,
                  first_treated: str,
                  control_group: Literal["nevertreated", "notyettreated"] = "nevertreated",
                  weights: str | None = None, cluster: str | None = None,
                  inference: Literal["analytic", "bootstrap"] = "analytic", n_draws: int = 999,
                  seed: int | None = None, alpha: float = 0.05,
                  incomplete: Literal["error", "drop"] = "error",
                  treated_until: str | None = None, twfe: bool = True) -> StaggeredResult:
    """Group-time average treatment effects for staggered adoption (Callaway & Sant'Anna).

    Parameters
    ----------
    panel : DataFrame
        A balanced panel: one row per unit and period.
    outcome, unit, time : str
        Columns; ``time`` holds consecutive integers or month dates.
    first_treated : str
        The unit's first treated period (on the ``time`` grid); missing, infinite (or 0 when
        0 is not a period) for never-treated units.
    control_group : {"nevertreated", "notyettreated"}
    weights : str, optional
        One positive weight per unit (constant over time).
    cluster : str, optional
        Cluster for the multiplier bootstrap (units are the clusters otherwise).
    inference : {"analytic", "bootstrap"}
    n_draws, seed : int
        Bootstrap draws and seed.
    alpha : float
    incomplete : {"error", "drop"}
        What to do with units missing the outcome in some period.
    treated_until : str, optional
        Column with the first period in which a treated unit is no longer treated (FIP
        ends after the follow-up; missing = treated to the end), constant within a cohort.
        Post-start cells from then on are not estimated (and those rows are left out of
        the two-way comparison), since the design stops being "once treated, always
        treated".
    twfe : bool
        Also fit the static two-way fixed-effects regression for comparison.

    Returns
    -------
    StaggeredResult
        ``group_time`` (one row per ATT(g,t)), ``simple``, ``dynamic``, ``group``
        aggregations (``AggregateResult``) and ``twfe``.

    Examples
    --------
    >>> import pandas as pd
    >>> from moderndid.core.data import load_mpdta  # doctest: +SKIP
    >>> mpdta = load_mpdta().to_pandas()  # doctest: +SKIP
    >>> res = staggered_did(mpdta, outcome="lemp", unit="countyreal", time="year",
    ...                     first_treated="first.treat")  # doctest: +SKIP
    >>> round(res.estimate, 4)  # doctest: +SKIP
    -0.04
    """
    check_option("control_group", control_group, CONTROL_GROUPS)
    check_option("inference", inference, INFERENCE)
    check_option("incomplete", incomplete, ("error", "drop"))
    if not 0 < alpha < 1:
        raise InputError(f"`alpha` must lie strictly between 0 and 1; got {alpha!r}.")
    if inference == "bootstrap" and int(n_draws) < 99:
        raise InputError(f"`n_draws` must be at least 99; got {n_draws!r}.")
    if cluster is not None and inference == "analytic":
        raise InputError("Clustering above the unit needs inference='bootstrap' (as in R did).")
    if not isinstance(panel, pd.DataFrame):
        raise InputError(f"`panel` must be a pandas DataFrame; got {type(panel).__name__}.")
    Y, unit_group, w, cl, t_labels, u_labels = _wide(panel, outcome, unit, time, first_treated,
                                                     weights, cluster, incomplete)
    until = _until(panel, unit, time, treated_until, t_labels, u_labels, unit_group)
    if (unit_group < 0).all():
        raise DesignError(f"No unit is ever treated (`{first_treated}` is empty for all units).")
    if Y.shape[1] < 2:
        raise DesignError("The panel has a single period: there is no pre-period.")
    groups, times, att, inf, pg, n_comp, w = _group_time(Y, unit_group, w, control_group, until)
    fit = _Fit(groups, times, att, inf, pg, unit_group, w, cl, n_comp)

    def label(i):
        v = t_labels[i]
        return str(np.datetime64(v, "M")) if isinstance(v, np.datetime64) else str(v)

    # aggregations: influence functions of each piece
    pieces: dict[str, list] = {"simple": [], "dynamic": [], "group": []}
    post = groups <= times
    est, f = _aggregate_if(fit, np.flatnonzero(post))
    pieces["simple"].append(("att", est, f, {}))
    event = times - groups
    dyn = []
    for e in np.unique(event):
        est, f = _aggregate_if(fit, np.flatnonzero(event == e))
        dyn.append((f"e={e}", est, f, {"event_time": int(e)}))
    e_pos = [d for d in dyn if d[3]["event_time"] >= 0]
    pieces["dynamic"] = [("att", float(np.mean([d[1] for d in e_pos])),
                          np.mean([d[2] for d in e_pos], axis=0), {})] + dyn
    g_list = np.unique(groups[post])
    g_est, g_inf = [], []
    for g in g_list:
        est, f = _aggregate_if(fit, np.flatnonzero((groups == g) & post), weighted=False)
        g_est.append(est), g_inf.append(f)
    g_est = np.array(g_est)
    pgg = np.array([pg[groups == g][0] for g in g_list])
    sub = _Fit(g_list, g_list, g_est, np.column_stack(g_inf), pgg, unit_group, w, cl, n_comp)
    est, f = _aggregate_if(sub, np.arange(len(g_list)))
    pieces["group"] = [("att", est, f, {})] + [
        (f"g={label(g)}", e_, f_, {"group": label(g)}) for g, e_, f_ in zip(g_list, g_est, g_inf)]

    gt_terms = [f"ATT({label(g)},{label(t)})" for g, t in zip(groups, times)]
    all_inf = np.column_stack([inf] + [np.column_stack([p[2] for p in pieces[k]])
                                       for k in AGGREGATIONS])
    se_all, crit = _standard_errors(all_inf, fit, inference, int(n_draws), seed, alpha)
    z = stats.norm.ppf(1 - alpha / 2)

    def table(terms, est, se, extra):
        est, se = np.asarray(est, float), np.asarray(se, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = est / se
        out = pd.DataFrame({"term": terms, "estimate": est, "std_error": se, "statistic": stat,
                            "p_value": 2 * stats.norm.sf(np.abs(stat)),
                            "ci_lower": est - z * se, "ci_upper": est + z * se})
        for k, v in extra.items():
            out[k] = v
        return out

    k_gt = len(att)
    gt_table = table(gt_terms, att, se_all[:k_gt], {
        "group": [label(g) for g in groups], "time": [label(t) for t in times],
        "event_time": (times - groups).astype(int), "n_comparison": n_comp})
    if crit is not None:
        gt_table["band_lower"] = att - crit * se_all[:k_gt]
        gt_table["band_upper"] = att + crit * se_all[:k_gt]
    aggs, at = {}, k_gt
    for kind in AGGREGATIONS:
        rows = pieces[kind]
        se = se_all[at:at + len(rows)]
        at += len(rows)
        extra = {}
        if kind == "dynamic":
            extra["event_time"] = [r[3].get("event_time", np.nan) for r in rows]
        aggs[kind] = AggregateResult(kind=kind, table=table([r[0] for r in rows],
                                                            [r[1] for r in rows], se, extra),
                                     control_group=control_group, inference=inference,
                                     alpha=alpha, n_units=Y.shape[0])
    tw = None
    if twfe:
        tw = _twfe_beside(Y, unit_group, w if weights is not None else None, alpha, until)
    return StaggeredResult(
        group_time=gt_table, simple=aggs["simple"], dynamic=aggs["dynamic"],
        group=aggs["group"], twfe=tw, outcome=outcome, control_group=control_group,
        inference=inference, n_units=Y.shape[0], n_periods=Y.shape[1],
        cohorts=tuple(label(g) for g in np.unique(groups)), alpha=alpha,
        seed=seed if inference == "bootstrap" else None, critical_value=crit)


def _twfe_beside(Y, unit_group, w, alpha, until=None):
    """Static TWFE (unit and period effects, D = 1[t >= g]) on the same panel (without the
    periods after a cohort's treatment ended)."""
    from .estimate import did
    U, T = Y.shape
    t = np.tile(np.arange(T), U)
    g = np.repeat(unit_group, T)
    long = pd.DataFrame({"unit": np.repeat(np.arange(U), T), "t": t, "y": Y.ravel(),
                         "treated": (g >= 0).astype(int),
                         "post": ((g >= 0) & (t >= g)).astype(int)})
    if w is not None:
        long["w"] = np.repeat(w, T)
    if until:
        stop = np.array([until.get(int(c), T) if c >= 0 else T for c in unit_group])
        long = long[t < np.repeat(stop, T)]
    return did(long, outcome="y", unit="unit", time="t", treatment="treated", post="post",
               cluster="unit", weights="w" if w is not None else None, alpha=alpha)
