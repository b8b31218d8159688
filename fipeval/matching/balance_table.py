"""Covariate balance before and after matching or weighting.

The statistics follow MatchIt 4.5.1's ``summary.matchit`` (Ho, Imai, King and Stuart 2011;
Stuart 2010), so tables can be compared number for number:

* means: (weighted) group means;
* standardised mean difference (SMD): difference in means divided by a standard deviation
  taken from the *unadjusted* sample, so before and after share one denominator. By default
  the denominator follows the estimand: the treated group's SD for the ATT, the control
  group's for the ATC, sqrt((var_t + var_c) / 2) for the ATE. For a binary (0/1) covariate
  the variance is p(1 - p); otherwise the reliability-weighted sample variance
  sum(w (x - m)^2) / (1 - sum(w^2)) with weights normalised to sum to 1 (n - 1 without
  weights);
* variance ratio: treated over control weighted variance (not for binary covariates);
* eCDF mean and max: mean and maximum absolute difference between the groups' weighted
  empirical distribution functions, evaluated at every distinct value of the covariate
  (for binary covariates both equal the absolute difference in proportions);
* effective sample size: (sum w)^2 / sum w^2 per group (Kish).

Categorical covariates expand to one 0/1 indicator per level (``column_level``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, check_columns, check_option, columns_by_name
from ..results import Result, Summary
from ._inputs import score_vector, treatment_indicator
from .plot import love_plot
from .._version import __version__

SMD_THRESHOLD = 0.1
SD_DENOMINATORS = ("treated", "control", "pooled")
DEFAULT_SD = {"ATT": "treated", "ATC": "control", "ATE": "pooled"}
_TINY = np.sqrt(np.finfo(float).eps)


def is_categorical(series: pd.Series) -> bool:
    return (isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object
            or pd.api.types.is_string_dtype(series.dtype))


def expand_covariates(data: pd.DataFrame, *, covariates, drop_first: bool = False
                      ) -> pd.DataFrame:
    """Numeric covariate matrix: numbers and booleans as they are, categorical columns as one
    0/1 indicator per level (all levels, or all but the first with ``drop_first``).

    Examples
    --------
    >>> df = pd.DataFrame({"age": [30, 40], "sex": ["f", "m"]})
    >>> expand_covariates(df, covariates=["age", "sex"]).columns.tolist()
    ['age', 'sex_f', 'sex_m']
    """
    check_columns(data, covariates, what="data")
    parts = {}
    for col in covariates:
        s = data[col]
        if s.isna().any():
            raise InputError(
                f"Covariate `{col}` has {int(s.isna().sum())} missing values (first at index "
                f"{s.index[s.isna()][0]!r}); impute them, drop those rows, or add a "
                f"missing-indicator column before matching.")
        if is_categorical(s) or isinstance(s.dtype, pd.CategoricalDtype):
            levels = (list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype)
                      else sorted(s.unique(), key=str))
            present = [lv for lv in levels if (s == lv).any()]
            for lv in present[1:] if drop_first else present:
                parts[f"{col}_{lv}"] = (s == lv).to_numpy(dtype=float)
        elif pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            parts[col] = s.to_numpy(dtype=float)
        else:
            raise InputError(f"Covariate `{col}` has dtype {s.dtype}, which cannot be used; "
                             "convert it to a number or a category.")
    return pd.DataFrame(parts, index=data.index)


def _is_binary(x: np.ndarray) -> bool:
    return bool(np.all((x == 0) | (x == 1)))


def weighted_variance(x: np.ndarray, w: np.ndarray | None = None, binary: bool = False
                      ) -> float:
    """MatchIt's ``wvar``: p(1-p) for binary x, else the reliability-weighted variance."""
    w = np.ones(len(x)) if w is None else np.asarray(w, dtype=float)
    if w.sum() <= 0:
        return np.nan
    w = w / w.sum()
    m = np.sum(w * x)
    if binary:
        return m * (1 - m)
    denom = 1 - np.sum(w ** 2)
    return np.sum(w * (x - m) ** 2) / denom if denom > 0 else np.nan


def ecdf_differences(x: np.ndarray, treated: np.ndarray, w: np.ndarray | None = None,
                     order: np.ndarray | None = None) -> tuple[float, float]:
    """Mean and max absolute difference of the groups' weighted eCDFs at the distinct values
    of ``x`` (MatchIt's ``qqsum`` with ``standardize = TRUE``). ``order`` may pass a
    precomputed ``argsort(x)``."""
    w = np.ones(len(x)) if w is None else np.asarray(w, dtype=float)
    w1, w0 = w[treated].sum(), w[~treated].sum()
    signed = np.where(treated, w / w1, -w / w0)
    if order is None:
        order = np.argsort(x, kind="stable")
    xs = x[order]
    cum = np.abs(np.cumsum(signed[order]))
    last = np.r_[np.diff(xs) != 0, True]
    diffs = cum[last]
    return float(diffs.mean()), float(diffs.max())


def effective_sample_size(w: np.ndarray) -> float:
    w = np.asarray(w, dtype=float)
    return float(w.sum() ** 2 / np.sum(w ** 2)) if np.any(w > 0) else 0.0


def balance_statistics(X: pd.DataFrame, treated: np.ndarray, weights: np.ndarray | None = None,
                       *, sd_denominator: str = "treated", match_matrix: np.ndarray | None = None,
                       focal: np.ndarray | None = None) -> pd.DataFrame:
    """The balance table: one row per term and sample ("before", and "after" when weights
    are given). Numbers only; see ``balance`` for the public entry point."""
    treated = np.asarray(treated, dtype=bool)
    rows = []
    samples = [("before", None)] + ([("after", np.asarray(weights, dtype=float))]
                                    if weights is not None else [])
    for term in X.columns:
        x = X[term].to_numpy(dtype=float)
        binary = _is_binary(x)
        # order within ties does not change the eCDF at the end of a tie: any sort will do
        order = None if binary else np.argsort(x)
        x1, x0 = x[treated], x[~treated]
        v1, v0 = weighted_variance(x1, binary=binary), weighted_variance(x0, binary=binary)
        sd = {"treated": np.sqrt(v1), "control": np.sqrt(v0),
              "pooled": np.sqrt(0.5 * (v1 + v0))}[sd_denominator]
        if not np.isfinite(sd) or sd < _TINY:
            sd = np.sqrt(weighted_variance(x, binary=binary))
        for sample, w in samples:
            ww = np.ones(len(x)) if w is None else w
            wt, wc = ww[treated], ww[~treated]
            if wt.sum() <= 0 or wc.sum() <= 0:
                rows.append({"term": term, "sample": sample, "mean_treated": np.nan,
                             "mean_control": np.nan, "smd": np.nan, "variance_ratio": np.nan,
                             "ecdf_mean": np.nan, "ecdf_max": np.nan,
                             "pair_distance": np.nan, "binary": binary})
                continue
            m1, m0 = np.average(x1, weights=wt), np.average(x0, weights=wc)
            diff = m1 - m0
            smd = diff / sd if sd > _TINY else (0.0 if abs(diff) < 1e-12 else np.inf)
            if binary:
                vr = np.nan
                e_mean = e_max = abs(diff)
            else:
                vr = (weighted_variance(x1, wt) / weighted_variance(x0, wc)
                      if (wt > 0).sum() > 1 and (wc > 0).sum() > 1 else np.nan)
                e_mean, e_max = ecdf_differences(x, treated, ww, order)
            pair = np.nan
            if sample == "after" and match_matrix is not None:
                fx = x[np.asarray(focal, dtype=bool)]
                has = match_matrix >= 0
                if has.any():
                    d = np.abs(np.broadcast_to(fx[:, None], match_matrix.shape)[has]
                               - x[match_matrix[has]])
                    pair = d.mean() / sd if sd > _TINY else d.mean()
            rows.append({"term": term, "sample": sample, "mean_treated": m1,
                         "mean_control": m0, "smd": smd, "variance_ratio": vr,
                         "ecdf_mean": e_mean, "ecdf_max": e_max, "pair_distance": pair,
                         "binary": binary})
    return pd.DataFrame(rows)


def sample_sizes(treated: np.ndarray, weights: np.ndarray | None = None, *,
                 discarded: np.ndarray | None = None) -> pd.DataFrame:
    """Counts and effective sample sizes per group, before and after, as MatchIt's summary
    shows them: all, matched, unmatched (weight 0, not discarded) and discarded (outside the
    common support, left out before matching)."""
    treated = np.asarray(treated, dtype=bool)
    out = {"all": [(~treated).sum(), treated.sum()],
           "all (ESS)": [float((~treated).sum()), float(treated.sum())]}
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        gone = np.zeros(len(w), dtype=bool) if discarded is None else np.asarray(discarded, bool)
        out["matched (ESS)"] = [effective_sample_size(w[~treated]),
                                effective_sample_size(w[treated])]
        out["matched"] = [int((w[~treated] > 0).sum()), int((w[treated] > 0).sum())]
        out["unmatched"] = [int(((w == 0) & ~gone & ~treated).sum()),
                            int(((w == 0) & ~gone & treated).sum())]
        out["discarded"] = [int((gone & ~treated).sum()), int((gone & treated).sum())]
    return pd.DataFrame(out, index=["control", "treated"]).T


@dataclass(frozen=True, eq=False, repr=False)
class BalanceResult(Result):
    """Balance table (``table``: one row per term and sample) and sample sizes (``sizes``).

    ``tidy()`` puts the SMD after adjustment (before, when there are no weights) in
    ``estimate``; balance has no standard errors, so those columns are empty.
    """

    table: pd.DataFrame
    sizes: pd.DataFrame
    estimand: str = "ATT"
    sd_denominator: str = "treated"
    threshold: float = SMD_THRESHOLD
    adjustment: str = "none"
    title: str = field(default="Covariate balance", init=False)

    @property
    def adjusted(self) -> bool:
        return (self.table["sample"] == "after").any()

    def wide(self) -> pd.DataFrame:
        """One row per term: statistics before and after side by side."""
        cols = ["mean_treated", "mean_control", "smd", "variance_ratio", "ecdf_mean",
                "ecdf_max"]
        before = self.table[self.table["sample"] == "before"].set_index("term")[cols]
        out = before.add_suffix("_before")
        if self.adjusted:
            after = self.table[self.table["sample"] == "after"].set_index("term")[cols]
            out = out.join(after.add_suffix("_after"))
        out["flagged"] = out["smd_after" if self.adjusted else "smd_before"].abs() > self.threshold
        return out.reset_index()

    def tidy(self) -> pd.DataFrame:
        w = self.wide()
        key = "after" if self.adjusted else "before"
        out = pd.DataFrame({"term": w["term"], "estimate": w[f"smd_{key}"],
                            "std_error": np.nan, "statistic": np.nan, "p_value": np.nan,
                            "ci_lower": np.nan, "ci_upper": np.nan,
                            "smd_before": w["smd_before"],
                            "variance_ratio": w[f"variance_ratio_{key}"],
                            "ecdf_max": w[f"ecdf_max_{key}"], "flagged": w["flagged"]})
        return out

    def _header(self) -> dict:
        s = self.sizes
        head = {"adjustment": self.adjustment, "estimand": self.estimand,
                "SMD denominator": f"SD of the {self.sd_denominator} group(s), unadjusted sample",
                "threshold": f"|SMD| > {self.threshold:g} flagged",
                "n treated / control": f"{int(s.loc['all', 'treated'])} / "
                                       f"{int(s.loc['all', 'control'])}"}
        if "matched" in s.index:
            head["matched treated / control"] = (f"{int(s.loc['matched', 'treated'])} / "
                                                 f"{int(s.loc['matched', 'control'])}")
            head["effective n treated / control"] = (
                f"{s.loc['matched (ESS)', 'treated']:.1f} / "
                f"{s.loc['matched (ESS)', 'control']:.1f}")
        head["fipeval"] = __version__
        return head

    def _notes(self) -> tuple:
        w = self.wide()
        n_flag = int(w["flagged"].sum())
        when = "after adjustment" if self.adjusted else "in the unadjusted sample"
        return (f"{n_flag} of {len(w)} terms have |SMD| above {self.threshold:g} {when}.",)

    def summary(self) -> Summary:
        w = self.wide()
        keep = ["term", "mean_treated_before", "mean_control_before", "smd_before"]
        if self.adjusted:
            keep += ["mean_treated_after", "mean_control_after", "smd_after",
                     "variance_ratio_after", "ecdf_mean_after", "ecdf_max_after"]
        else:
            keep += ["variance_ratio_before", "ecdf_mean_before", "ecdf_max_before"]
        return Summary(self.title, self._header(), w[keep + ["flagged"]], self._notes())

    def plot(self, ax=None, *, absolute: bool = True):
        """Love plot of the SMDs before and after; returns the Axes."""
        return love_plot(self, ax=ax, absolute=absolute)


def _as_weights(data: pd.DataFrame, weights) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        check_columns(data, [weights], what="data")
        w = data[weights]
    elif isinstance(weights, pd.Series):
        w = weights.reindex(data.index)
    else:
        w = pd.Series(np.asarray(weights, dtype=float), index=data.index)
    w = pd.to_numeric(w, errors="coerce").to_numpy(dtype=float)
    if np.isnan(w).any() or (w < 0).any():
        raise InputError("`weights` must be non-negative numbers for every row of `data` "
                         f"({int(np.isnan(w).sum())} missing, {int((w < 0).sum())} negative).")
    return w


@columns_by_name
def balance(data: pd.DataFrame, *, treatment: str, covariates, weights=None,
            estimand: str = "ATT", sd_denominator: str | None = None,
            threshold: float = SMD_THRESHOLD, distance=None) -> BalanceResult:
    """Covariate balance between FIP and control clients, before and (with weights) after.

    Parameters
    ----------
    data : DataFrame
        One row per client.
    treatment : str
        0/1 column, 1 = FIP group.
    covariates : list of str
        Numeric, boolean or categorical columns; categorical ones expand to their levels.
    weights : str, Series or array, optional
        Matching or weighting weights (a column name, or aligned to ``data.index``).
    estimand : {"ATT", "ATC", "ATE"}
        Chooses the default SMD denominator.
    sd_denominator : {"treated", "control", "pooled"}, optional
        Whose unadjusted SD divides the mean difference; default from ``estimand``.
    threshold : float
        ``|SMD|`` above this is flagged (0.1, Austin 2009).
    distance : str, Series or array, optional
        A score (e.g. the propensity score) to report as the first term, "distance".

    Returns
    -------
    BalanceResult

    Examples
    --------
    >>> df = pd.DataFrame({"fip": [1, 1, 0, 0, 0], "age": [30, 40, 35, 50, 60]})
    >>> float(round(balance(df, treatment="fip", covariates=["age"]).tidy()["estimate"].iloc[0], 3))
    -1.886
    """
    check_option("estimand", estimand, ("ATT", "ATC", "ATE"))
    sd_denominator = sd_denominator or DEFAULT_SD[estimand]
    check_option("sd_denominator", sd_denominator, SD_DENOMINATORS)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    treated = treatment_indicator(data, treatment)
    X = expand_covariates(data, covariates=covariates)
    if distance is not None:
        X.insert(0, "distance", score_vector(data, distance))
    w = _as_weights(data, weights)
    table = balance_statistics(X, treated, w, sd_denominator=sd_denominator)
    return BalanceResult(table=table, sizes=sample_sizes(treated, w), estimand=estimand,
                         sd_denominator=sd_denominator, threshold=threshold,
                         adjustment="weights" if w is not None else "none")
