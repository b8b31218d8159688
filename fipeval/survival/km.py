"""Kaplan-Meier curves, the (stratified) log-rank test and restricted mean survival time.

All three accept delayed entry (at risk at ``t`` when ``entry < t <= duration``, as in R) and
case weights. Conventions follow R ``survival`` 3.5: Greenwood variance, or the robust
(infinitesimal-jackknife) variance by R's rule (a cluster, or weights that are not whole
numbers), log-scale confidence intervals by default, ``survdiff`` for the log-rank test and
the ``rmean`` standard error of ``print.survfit``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError, check_option, columns_by_name, renamed
from ..results import Result, Summary
from ._input import as_list, check_no_missing, robust_variance, survival_arrays
from .._version import __version__

CONF_TYPES = ("log", "log-log", "plain")
NOT_REACHED = "not reached"   # a median the curve never reaches (R: NA)


def _version() -> str:
    return __version__


def _z(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"`alpha` must be between 0 and 1; got {alpha!r}.")
    return float(stats.norm.ppf(1 - alpha / 2))


def _at_risk(times, stop, start, w):
    """Weighted number at risk (entry < t <= stop) at each of ``times``."""
    order = np.argsort(stop)
    cw = np.concatenate([[0.0], np.cumsum(w[order])])
    n = cw[-1] - cw[np.searchsorted(stop[order], times, side="left")]
    if start is not None:
        order = np.argsort(start)
        cw = np.concatenate([[0.0], np.cumsum(w[order])])
        n = n - (cw[-1] - cw[np.searchsorted(start[order], times, side="left")])
    return n


class _Influence:
    """Infinitesimal-jackknife influence of each row on a Kaplan-Meier curve (R ``survfit``'s
    robust variance): the derivative of S(t) with respect to the row's weight, times that
    weight. For a row at risk over (e, s] with weight w it is w S(t) f(t), where
    f(t) = A(t) - A(e) while e < t < s and c = A(s) - A(e) - event / (n(s) - d(s)) from s on;
    A(t) = sum over event times u <= t of d(u) / (n(u) (n(u) - d(u))).
    All sums run over sorted time indices (cumulative sums), never a rows x times matrix.
    """

    def __init__(self, table: pd.DataFrame, stop, event, start, w):
        times = table["time"].to_numpy()
        n, d = table["n_risk"].to_numpy(), table["n_event"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where((n > d) & (d > 0), d / (n * (n - d)), 0.0)
            b = np.where(n > d, 1.0 / (n - d), 0.0)
        self.times, self.surv, self.w, self.T = times, table["survival"].to_numpy(), w, len(times)
        self.A = np.cumsum(a)
        self.k_stop = np.searchsorted(times, stop)                  # stop is one of the times
        self.k_entry = (np.zeros(len(stop), np.int64) if start is None
                        else np.searchsorted(times, start, side="right"))   # first time > entry
        self.A_entry = np.concatenate([[0.0], self.A])[self.k_entry]
        self.c = self.A[self.k_stop] - self.A_entry - event * b[self.k_stop]

    def _window(self, values, cluster=None, n_clusters=1):
        """Per time k (and cluster), the sum of ``values`` over rows with entry < t_k < stop."""
        open_ = self.k_entry < self.k_stop
        ke, ks, v = self.k_entry[open_], self.k_stop[open_], values[open_]
        if cluster is None:
            inc = np.bincount(ke, v, minlength=self.T + 1) - np.bincount(ks, v, minlength=self.T + 1)
            return np.cumsum(inc)[:self.T]
        inc = np.zeros((n_clusters, self.T + 1))
        np.add.at(inc, (cluster[open_], ke), v)
        np.add.at(inc, (cluster[open_], ks), -v)
        return np.cumsum(inc, axis=1)[:, :self.T]

    def std_error(self, cluster=None, n_clusters=None) -> np.ndarray:
        """SE of S(t) at every time: the root of the summed squared influence of the rows, or
        of the clusters (influences summed within a cluster first)."""
        w, A = self.w, self.A
        if cluster is None:       # sum_i w_i^2 f_i(t)^2, expanded so it needs no matrix
            w2 = w ** 2
            var = (np.cumsum(np.bincount(self.k_stop, (w * self.c) ** 2, minlength=self.T))
                   + A ** 2 * self._window(w2) - 2 * A * self._window(w2 * self.A_entry)
                   + self._window(w2 * self.A_entry ** 2))
        else:                     # F_g(t) = sum of w f(t) in cluster g: a (G, T) array
            done = np.zeros((n_clusters, self.T))
            np.add.at(done, (cluster, self.k_stop), w * self.c)
            F = (np.cumsum(done, axis=1) + A[None, :] * self._window(w, cluster, n_clusters)
                 - self._window(w * self.A_entry, cluster, n_clusters))
            var = np.sum(F ** 2, axis=0)
        return self.surv * np.sqrt(np.clip(var, 0.0, None))

    def rmst(self, tau: float) -> np.ndarray:
        """Each row's influence on the area under S(t) from 0 to ``tau``."""
        t = self.times
        width = np.where(t < tau, np.minimum(np.concatenate([t[1:], [tau]]), tau) - t, 0.0)
        area = self.surv * width
        J0 = np.concatenate([[0.0], np.cumsum(area)])
        J1 = np.concatenate([[0.0], np.cumsum(area * self.A)])
        ke, ks = self.k_entry, self.k_stop
        inside = (J1[ks] - J1[ke]) - self.A_entry * (J0[ks] - J0[ke])
        return self.w * (inside + self.c * (J0[-1] - J0[ks]))


def km_table(stop, event, start, w, *, z: float, conf_type: str = "log",
             robust: bool = False, cluster=None, n_clusters: int | None = None) -> pd.DataFrame:
    """Kaplan-Meier estimate at every distinct exit time (events and censorings).

    The SE is Greenwood's, or with ``robust`` the infinitesimal jackknife per row or, given
    ``cluster`` codes, per cluster (R ``survfit``'s robust variance); the interval is built on
    the chosen scale from either, as R does.
    """
    times = np.unique(stop)
    idx = np.searchsorted(times, stop)
    d = np.bincount(idx, weights=w * event, minlength=len(times))
    c = np.bincount(idx, weights=w * (1 - event), minlength=len(times))
    n = _at_risk(times, stop, start, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(n > 0, d / n, 0.0)
        surv = np.cumprod(1 - hazard)
        if robust:
            table = pd.DataFrame({"time": times, "n_risk": n, "n_event": d, "survival": surv})
            se_log = (_Influence(table, stop, event, start, w).std_error(cluster, n_clusters)
                      / surv)
            se_log = np.where(surv > 0, se_log, 0.0)
        else:
            term = np.where((n > d) & (d > 0), d / (n * (n - d)), 0.0)
            se_log = np.sqrt(np.cumsum(term))         # Greenwood, on the log scale
        if conf_type == "log":
            lower = surv * np.exp(-z * se_log)
            upper = np.minimum(surv * np.exp(z * se_log), 1.0)
        elif conf_type == "log-log":
            se_ll = se_log / np.abs(np.log(surv))
            lower = surv ** np.exp(z * se_ll)
            upper = surv ** np.exp(-z * se_ll)
        else:
            lower = np.maximum(surv - z * se_log * surv, 0.0)
            upper = np.minimum(surv + z * se_log * surv, 1.0)
    undefined = surv <= 0
    lower = np.where(undefined, np.nan, lower)
    upper = np.where(undefined, np.nan, upper)
    return pd.DataFrame({"time": times, "n_risk": n, "n_event": d, "n_censor": c,
                         "survival": surv, "std_error": surv * se_log,
                         "ci_lower": lower, "ci_upper": upper})


def _median(time: np.ndarray, curve: np.ndarray) -> float:
    """R's rule: the first time the curve is below 0.5; the midpoint if it sits at 0.5."""
    below = np.flatnonzero(curve <= 0.5 + 1e-12)
    if len(below) == 0:
        return np.nan
    i = below[0]
    if abs(curve[i] - 0.5) < 1e-12 and i + 1 < len(time):
        return float((time[i] + time[i + 1]) / 2)
    return float(time[i])


def _group_codes(data: pd.DataFrame, group: str | None):
    if group is None:
        return np.zeros(len(data), dtype=np.int64), ["all"]
    codes, labels = pd.factorize(data[group], sort=True)
    return codes.astype(np.int64), list(labels)


@dataclass(frozen=True, eq=False, repr=False)
class KaplanMeierResult(Result):
    """Kaplan-Meier curves per group; ``table`` has one row per group and exit time."""

    table: pd.DataFrame
    groups: tuple
    alpha: float
    conf_type: str
    columns: dict = field(default_factory=dict)
    title: str = "Kaplan-Meier estimate of the time on benefit"

    def tidy(self) -> pd.DataFrame:
        """Median time per group with its confidence interval (NaN when the curve stays
        above one half, as for most benefit cohorts within a year)."""
        rows = []
        for g in self.groups:
            part = self.table[self.table["group"] == g]
            t = part["time"].to_numpy()
            rows.append({"term": f"median[{g}]",
                         "estimate": _median(t, part["survival"].to_numpy()),
                         "std_error": np.nan, "statistic": np.nan, "p_value": np.nan,
                         "ci_lower": _median(t, part["ci_upper"].fillna(0).to_numpy()),
                         "ci_upper": _median(t, part["ci_lower"].fillna(0).to_numpy()),
                         "n": int(part["n_risk"].iloc[0]) if len(part) else 0,
                         "events": float(part["n_event"].sum())})
        return pd.DataFrame(rows)

    def summary(self) -> Summary:
        """As ``tidy()``, with "not reached" where a median (or its confidence limit) does not
        exist because the curve stays above one half (R prints NA)."""
        base = super().summary()
        table = base.table.astype({c: object for c in ("estimate", "ci_lower", "ci_upper")})
        for col in ("estimate", "ci_lower", "ci_upper"):
            table[col] = [NOT_REACHED if pd.isna(v) else v for v in table[col]]
        return Summary(base.title, base.header, table, base.notes)

    def at(self, times: Sequence[float]) -> pd.DataFrame:
        """The curves at given times, like R's ``summary(fit, times = ...)``: number at risk
        at the time, events since the previous requested time, survival and its CI."""
        times = np.asarray(sorted(times), dtype=float)
        rows = []
        for g in self.groups:
            part = self.table[self.table["group"] == g]
            t = part["time"].to_numpy()
            before = np.concatenate([[0.0], np.cumsum(part["n_event"].to_numpy())])
            idx = np.searchsorted(t, times, side="right")          # rows with time <= tau
            first_at = np.searchsorted(t, times, side="left")
            for tau, i, j in zip(times, idx, first_at):
                rows.append({
                    "group": g, "time": tau,
                    "n_risk": part["n_risk"].iloc[j] if j < len(part) else 0.0,
                    "n_event": before[i],
                    "survival": part["survival"].iloc[i - 1] if i else 1.0,
                    "std_error": part["std_error"].iloc[i - 1] if i else 0.0,
                    "ci_lower": part["ci_lower"].iloc[i - 1] if i else 1.0,
                    "ci_upper": part["ci_upper"].iloc[i - 1] if i else 1.0})
        out = pd.DataFrame(rows)
        out["n_event"] = out.groupby("group", sort=False)["n_event"].diff().fillna(out["n_event"])
        return out

    def _header(self) -> dict:
        c = self.columns
        return {"duration": c.get("duration"), "event": c.get("event"),
                "group": c.get("group") or "none", "delayed entry": c.get("entry") or "none",
                "weights": c.get("weights") or "none",
                "confidence interval": f"{1 - self.alpha:.0%}, {self.conf_type} scale",
                "variance": _variance_label(c),
                "fipeval": _version()}

    def plot(self, ax=None, ci: bool = True, at_risk: bool = True, **kwargs):
        """Survival curves with confidence bands and numbers at risk under the axis."""
        from .plots import plot_survival_curves
        return plot_survival_curves(self.table, ax=ax, ci=ci, at_risk=at_risk, **kwargs)


def _variance_choice(data: pd.DataFrame, w: np.ndarray, cluster: str | None,
                     robust: bool | None):
    """``robust_variance``'s choice (the same as ``cox``'s) and the cluster codes: returns
    (robust, cluster codes or None, number of clusters)."""
    robust = robust_variance(w, cluster, robust)
    if cluster is None:
        return robust, None, None
    codes, labels = pd.factorize(data[cluster], sort=True)
    return True, codes.astype(np.int64), len(labels)


def _variance_label(columns: dict) -> str:
    if columns.get("cluster"):
        return f"robust (infinitesimal jackknife) by `{columns['cluster']}`"
    return "robust (infinitesimal jackknife)" if columns.get("robust") else "Greenwood"


@renamed(group="by")
@columns_by_name
def kaplan_meier(data: pd.DataFrame, *, duration: str, event: str, by: str | None = None,
                 entry: str | None = None, weights: str | None = None,
                 cluster: str | None = None, robust: bool | None = None, alpha: float = 0.05,
                 conf_type: Literal["log", "log-log", "plain"] = "log") -> KaplanMeierResult:
    """Kaplan-Meier estimate of the probability of still being on benefit.

    Parameters
    ----------
    data : DataFrame
        One row per spell; not modified.
    duration, event : str
        Exit time and 1 = the benefit ended / 0 = censored.
    by : str, optional
        One curve per value of this column (e.g. ``fip``, ``municipality``).
    entry : str, optional
        Delayed entry: at risk at ``t`` only when ``entry < t <= duration``.
    weights : str, optional
        Case weights (e.g. matching weights).
    cluster : str, optional
        Robust SE with influences summed per value of this column (e.g. ``caseworker``).
    robust : bool, optional
        Infinitesimal-jackknife SE instead of Greenwood's. Default as R's ``survfit`` and as
        ``cox``: robust when ``cluster`` is given or the weights are not whole numbers.
    alpha : float
        1 - confidence level of the pointwise intervals.
    conf_type : {"log", "log-log", "plain"}
        Scale of the confidence interval; "log" is R's default.

    Returns
    -------
    KaplanMeierResult
        ``table`` (per group and time: n_risk, n_event, survival, std_error, CI), ``at()``,
        ``tidy()`` (medians) and ``plot()``.

    Notes
    -----
    Kaplan and Meier (1958); Greenwood's variance, or the infinitesimal jackknife. Matches
    R ``survfit`` (3.5) with its defaults, and with ``robust = FALSE`` when ``robust=False``.

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.survival.prep import survival_data
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design))
    >>> km = fipeval.kaplan_meier(data, duration="exit", event="event", by="fip")
    >>> km.at([6])["n_risk"].tolist()      # control, FIP: still at risk after 6 months
    [1503.0, 324.0]
    """
    check_option("conf_type", conf_type, CONF_TYPES)
    z = _z(alpha)
    group = by  # one curve per value; the result's table calls the column "group"
    extra = as_list(group) + as_list(cluster)
    stop, ev, start, w = survival_arrays(data, duration, event, entry, weights, extra=extra)
    check_no_missing(data, extra)
    robust, cl, n_clusters = _variance_choice(data, w, cluster, robust)
    codes, labels = _group_codes(data, group)
    parts = []
    for k, label in enumerate(labels):
        m = codes == k
        t = km_table(stop[m], ev[m], None if start is None else start[m], w[m], z=z,
                     conf_type=conf_type, robust=robust,
                     cluster=None if cl is None else cl[m], n_clusters=n_clusters)
        t.insert(0, "group", label)
        parts.append(t)
    return KaplanMeierResult(pd.concat(parts, ignore_index=True), tuple(labels), alpha,
                             conf_type, {"duration": duration, "event": event, "group": group,
                                         "entry": entry, "weights": weights,
                                         "cluster": cluster, "robust": robust})


@dataclass(frozen=True, eq=False, repr=False)
class LogRankResult(Result):
    """Log-rank test; ``table`` has observed and expected events per group."""

    chisq: float
    df: int
    p_value: float
    table: pd.DataFrame
    columns: dict = field(default_factory=dict)
    title: str = "Log-rank test"

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": "log-rank", "estimate": np.nan, "std_error": np.nan,
                              "statistic": self.chisq, "p_value": self.p_value,
                              "ci_lower": np.nan, "ci_upper": np.nan, "df": self.df}])

    def _header(self) -> dict:
        c = self.columns
        return {"group": c.get("group"), "strata": c.get("strata") or "none",
                "delayed entry": c.get("entry") or "none", "weights": c.get("weights") or "none",
                "fipeval": _version()}

    def _notes(self) -> tuple:
        return ("Observed and expected events: " + "; ".join(
            f"{r.group}: {r.observed:.4g} vs {r.expected:.4g}" for r in self.table.itertuples()),)


@renamed(group="treatment")
@columns_by_name
def logrank(data: pd.DataFrame, *, duration: str, event: str, treatment: str,
            strata: str | Sequence[str] | None = None, entry: str | None = None,
            weights: str | None = None) -> LogRankResult:
    """Log-rank test of equal hazards across groups, optionally stratified.

    With ``strata`` (e.g. ``municipality``) observed minus expected events and their
    variance are computed within each stratum and summed, as R's
    ``survdiff(Surv(t, e) ~ group + strata(s))``.

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.survival.prep import survival_data
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design))
    >>> res = fipeval.logrank(data, duration="exit", event="event", treatment="fip", strata="municipality")
    >>> res.df
    1
    """
    group = treatment  # the groups compared; the result's table calls the column "group"
    strata_cols = as_list(strata)
    extra = [group] + strata_cols
    stop, ev, start, w = survival_arrays(data, duration, event, entry, weights, extra=extra)
    check_no_missing(data, extra)
    codes, labels = _group_codes(data, group)
    if len(labels) < 2:
        raise InputError(f"`{group}` has a single value ({labels[0]!r}); the log-rank test "
                         "compares at least two groups.")
    if strata_cols:
        # one column (the report's municipality): its text as is, not joined row by row
        key = np.asarray(data[strata_cols[0]].astype(str), dtype=object) if len(strata_cols) == 1 \
            else data[strata_cols].astype(str).agg("|".join, axis=1)
        s_codes = pd.factorize(key, sort=True)[0]
    else:
        s_codes = np.zeros(len(data), dtype=np.int64)
    G = len(labels)
    observed, expected, V = np.zeros(G), np.zeros(G), np.zeros((G, G))
    for s in np.unique(s_codes):
        m = s_codes == s
        st, e, ww, cg = stop[m], ev[m], w[m], codes[m]
        en = None if start is None else start[m]
        times = np.unique(st[e == 1])
        if len(times) == 0:
            continue
        n_g = np.column_stack([_at_risk(times, st[cg == k], None if en is None else en[cg == k],
                                        ww[cg == k]) for k in range(G)])
        idx = np.searchsorted(times, st[e == 1])
        d_g = np.column_stack([np.bincount(idx[cg[e == 1] == k], weights=ww[e == 1][cg[e == 1] == k],
                                           minlength=len(times)) for k in range(G)])
        n, d = n_g.sum(axis=1), d_g.sum(axis=1)
        ok = n > 0
        n_g, d_g, n, d = n_g[ok], d_g[ok], n[ok], d[ok]
        observed += d_g.sum(axis=0)
        expected += (n_g * (d / n)[:, None]).sum(axis=0)
        factor = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1e-300), 0.0) / n
        V += (np.diag((factor[:, None] * n_g).sum(axis=0))
              - (n_g * (factor / n)[:, None]).T @ n_g)
    diff = (observed - expected)[:-1]
    chisq = float(diff @ np.linalg.solve(V[:-1, :-1], diff))
    table = pd.DataFrame({"group": labels, "observed": observed, "expected": expected,
                          "o_minus_e": observed - expected})
    return LogRankResult(chisq, G - 1, float(stats.chi2.sf(chisq, G - 1)), table,
                         {"group": group, "strata": ", ".join(strata_cols) or None,
                          "entry": entry, "weights": weights})


def _rmst_from_table(part: pd.DataFrame, tau: float) -> tuple[float, float]:
    """Area under the KM curve up to ``tau`` and its SE (R ``print.survfit(rmean=tau)``)."""
    t = part["time"].to_numpy()
    s = part["survival"].to_numpy()
    keep = t < tau
    t, s = t[keep], s[keep]
    d, n = part["n_event"].to_numpy()[keep], part["n_risk"].to_numpy()[keep]
    edges = np.concatenate([[0.0], t, [tau]])
    heights = np.concatenate([[1.0], s])
    areas = np.diff(edges) * heights              # area of each step
    mean = float(areas.sum())
    # area after each event time up to tau, times Greenwood's increment
    after = np.cumsum(areas[::-1])[::-1][1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = np.where((n > d) & (d > 0), d / (n * (n - d)), 0.0)
    return mean, float(np.sqrt(np.sum(after ** 2 * inc)))


@dataclass(frozen=True, eq=False, repr=False)
class RMSTResult(Result):
    """Restricted mean survival time per group and the difference (treated minus reference).

    ``difference`` is in the time unit of ``duration`` (months for the cohort): the change in
    mean months on benefit within the first ``tau`` months. Negative = fewer months on benefit
    in the treated group; ``months_avoided = -difference``.
    """

    tau: float
    groups: tuple
    rmst: np.ndarray
    rmst_se: np.ndarray
    difference: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    alpha: float
    columns: dict = field(default_factory=dict)
    title: str = "Restricted mean time on benefit (RMST)"

    @property
    def months_avoided(self) -> float:
        """Months of benefit avoided per treated client within ``tau`` (= -difference)."""
        return -self.difference

    def tidy(self) -> pd.DataFrame:
        z = _z(self.alpha)
        rows = [{"term": f"rmst[{g}]", "estimate": m, "std_error": se, "statistic": np.nan,
                 "p_value": np.nan, "ci_lower": m - z * se, "ci_upper": m + z * se}
                for g, m, se in zip(self.groups, self.rmst, self.rmst_se)]
        rows.append({"term": f"difference[{self.groups[1]} - {self.groups[0]}]",
                     "estimate": self.difference, "std_error": self.std_error,
                     "statistic": self.difference / self.std_error, "p_value": self.p_value,
                     "ci_lower": self.ci_lower, "ci_upper": self.ci_upper})
        out = pd.DataFrame(rows)
        out["tau"] = self.tau
        return out

    def _header(self) -> dict:
        c = self.columns
        return {"duration": c.get("duration"), "group": c.get("group"),
                "restricted to (tau)": self.tau, "delayed entry": c.get("entry") or "none",
                "weights": c.get("weights") or "none", "variance": _variance_label(c),
                "alpha": self.alpha,
                "fipeval": _version()}

    def _notes(self) -> tuple:
        return (f"The difference is in units of `{self.columns.get('duration')}` within the first "
                f"{self.tau:g}; negative means fewer months on benefit for "
                f"{self.groups[1]!r}.",)


@renamed(group="treatment", treated="treated_value")
@columns_by_name
def rmst(data: pd.DataFrame, *, duration: str, event: str, treatment: str,
         tau: float | None = None, entry: str | None = None, weights: str | None = None,
         cluster: str | None = None, robust: bool | None = None,
         treated_value=1, alpha: float = 0.05) -> RMSTResult:
    """Restricted mean survival time: mean months on benefit within ``tau``, per group, and
    the difference treated minus reference with SE and CI.

    This is what the costing stage needs: ``result.difference`` is the change in the mean
    number of months on benefit per client within the first ``tau`` months (negative = months
    avoided); ``result.std_error``, ``result.ci_lower`` and ``result.ci_upper`` are on the
    same scale (months). ``result.months_avoided`` is ``-difference``.

    Parameters
    ----------
    data : DataFrame
        One row per spell; not modified.
    duration, event : str
        Exit time (months) and 1 = the benefit ended / 0 = censored.
    treatment : str
        Two-valued column, e.g. ``fip``.
    tau : float, optional
        Restriction time. Default: the shortest of the groups' longest follow-up times, so
        both curves are observed up to ``tau``.
    entry, weights : str, optional
        Delayed entry and case weights, as in ``kaplan_meier``.
    cluster, robust : optional
        As in ``kaplan_meier``: robust (infinitesimal-jackknife) SE, per cluster when given;
        robust by default with a cluster or non-integer weights.
    treated_value : value of ``treatment``
        The group whose RMST comes first in the difference (default 1).
    alpha : float
        1 - confidence level (normal approximation).

    Returns
    -------
    RMSTResult
        Fields ``rmst``, ``rmst_se`` per group (reference first), ``difference``,
        ``std_error``, ``ci_lower``, ``ci_upper``, ``p_value`` (all in months).

    Notes
    -----
    Area under the Kaplan-Meier curve (Royston and Parmar 2013). Greenwood-type SE: the one
    R's ``print.survfit(rmean = tau)`` reports; the two groups are independent, so the
    variances add. Robust SE: the influences of R's ``survfit(influence = TRUE)`` integrated
    up to ``tau``, summed per cluster; a cluster with clients in both groups enters the
    difference once, with its two influences subtracted.

    Examples
    --------
    >>> import fipeval
    >>> from fipeval.design import build_cohort
    >>> from fipeval.survival.prep import survival_data
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> data = survival_data(build_cohort(study.register, study.design))
    >>> res = fipeval.rmst(data, duration="exit", event="event", treatment="fip", tau=11)
    >>> res.ci_lower < res.difference < res.ci_upper   # months; negative = months avoided
    True
    """
    group, treated = treatment, treated_value
    z = _z(alpha)
    km = kaplan_meier(data, duration=duration, event=event, by=group, entry=entry, weights=weights,
                      cluster=cluster, robust=robust, alpha=alpha)
    robust = km.columns["robust"]
    if len(km.groups) != 2:
        raise InputError(f"`{group}` must have exactly two values for an RMST difference; "
                         f"found {len(km.groups)}: {list(km.groups)[:5]}.")
    if treated not in km.groups:
        raise InputError(f"`treated_value`={treated!r} is not a value of `{group}` "
                         f"(values: {list(km.groups)}).")
    reference = [g for g in km.groups if g != treated][0]
    order = (reference, treated)
    longest = [km.table.loc[km.table["group"] == g, "time"].max() for g in order]
    if tau is None:
        tau = float(min(longest))
    elif not np.isfinite(tau) or tau <= 0:
        raise InputError(f"`tau` must be a positive time; got {tau!r}.")
    elif tau > min(longest):
        raise InputError(
            f"`tau`={tau:g} is beyond the follow-up of group {order[int(np.argmin(longest))]!r} "
            f"(longest time {min(longest):g}); the RMST there would be an extrapolation. "
            "Use a smaller tau.")
    est = [_rmst_from_table(km.table[km.table["group"] == g], tau) for g in order]
    means, ses = np.array([e[0] for e in est]), np.array([e[1] for e in est])
    diff = float(means[1] - means[0])
    se = float(np.hypot(ses[0], ses[1]))
    if robust:
        ses, se = _rmst_robust_se(data, km, order, tau, duration, event, entry, weights,
                                  cluster)
    return RMSTResult(tau, order, means, ses, diff, se, diff - z * se, diff + z * se,
                      float(2 * stats.norm.sf(abs(diff / se))) if se > 0 else np.nan, alpha,
                      {"duration": duration, "event": event, "group": group, "entry": entry,
                       "weights": weights, "cluster": cluster, "robust": robust})


def _rmst_robust_se(data, km, order, tau, duration, event, entry, weights, cluster):
    """Robust SE of each group's RMST and of the difference (see ``rmst``'s notes)."""
    stop, ev, start, w = survival_arrays(data, duration, event, entry, weights)
    _, cl, n_clusters = _variance_choice(data, w, cluster, True)
    codes, labels = _group_codes(data, km.columns["group"])
    units = np.arange(len(data)) if cl is None else cl
    n_units = len(data) if cl is None else n_clusters
    per_unit = []
    for g in order:
        m = codes == labels.index(g)
        infl = _Influence(km.table[km.table["group"] == g], stop[m], ev[m],
                          None if start is None else start[m], w[m]).rmst(tau)
        per_unit.append(np.bincount(units[m], infl, minlength=n_units))
    ses = np.sqrt([np.sum(u ** 2) for u in per_unit])
    return ses, float(np.sqrt(np.sum((per_unit[1] - per_unit[0]) ** 2)))


@renamed(group="treatment", treated="treated_value")
@columns_by_name
def rmst_curve(data: pd.DataFrame, *, duration: str, event: str, treatment: str,
               taus: Sequence[float] | None = None, entry: str | None = None,
               weights: str | None = None, treated_value=1, alpha: float = 0.05) -> pd.DataFrame:
    """RMST difference (treated minus reference) with CI for a range of restriction times.

    Returns a DataFrame with columns ``tau, estimate, std_error, ci_lower, ci_upper`` (months).
    """
    if taus is None:
        full = rmst(data, duration=duration, event=event, treatment=treatment, entry=entry, weights=weights,
                    treated_value=treated_value, alpha=alpha)
        taus = np.linspace(full.tau / 24, full.tau, 24)
    rows = []
    for tau in taus:
        r = rmst(data, duration=duration, event=event, treatment=treatment, tau=float(tau), entry=entry, weights=weights,
                 treated_value=treated_value, alpha=alpha)
        rows.append({"tau": float(tau), "estimate": r.difference, "std_error": r.std_error,
                     "ci_lower": r.ci_lower, "ci_upper": r.ci_upper})
    return pd.DataFrame(rows)
