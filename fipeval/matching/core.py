"""One entry point, ``match``, and its result, ``MatchResult``.

Methods orchestrate here; the numbers come from ``nearest``, ``exact``, ``weighting``,
``score`` and ``balance``, which never see a result object.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import (EstimationError, InputError, caller_stacklevel, check_columns, check_option,
                      columns_by_name)
from ..results import Result, Summary
from .balance_table import (
    DEFAULT_SD,
    SMD_THRESHOLD,
    BalanceResult,
    balance_statistics,
    expand_covariates,
    sample_sizes,
)
from .exact import (
    CUTPOINT_RULES,
    coarsen,
    keep_common,
    subclass_codes,
    weights_from_subclass,
)
from ._inputs import score_vector, treatment_indicator
from .nearest import ORDERS, match_nearest, subclass_from_matches, weights_from_matches
from .score import fit_logit
from .weighting import ipw_weights
from .._version import __version__

METHODS = ("nearest", "exact", "cem", "ipw")
DISCARDS = ("none", "treated", "control", "both")
ESTIMANDS = {"nearest": ("ATT", "ATC"), "exact": ("ATT", "ATC", "ATE"),
             "cem": ("ATT", "ATC", "ATE"), "ipw": ("ATT", "ATC", "ATE")}
DISTANCES = ("glm", "logit")
EMULATIONS = (None, "matchit-4.5.1")


@dataclass(frozen=True, eq=False, repr=False)
class MatchResult(Result):
    """Matched or weighted sample.

    Attributes
    ----------
    weights : Series
        MatchIt-convention weights aligned to ``data.index`` (0 = not in the matched sample).
    distance : Series or None
        The score matched on (propensity score unless one was passed).
    subclass : Series or None
        Matched pair/set or exact stratum (Int64, missing when unmatched).
    match_matrix : DataFrame or None
        Nearest neighbour only: one row per focal client (index label), its matches' labels.
    """

    data: pd.DataFrame = field(repr=False)
    treatment: str
    covariates: tuple
    method: str
    estimand: str
    weights: pd.Series = field(repr=False)
    distance: pd.Series | None = field(repr=False)
    subclass: pd.Series | None = field(repr=False)
    match_matrix: pd.DataFrame | None = field(repr=False)
    settings: dict = field(default_factory=dict)
    discarded: pd.Series | None = field(default=None, repr=False)  # outside common support
    title: str = field(default="Matching", init=False)

    @property
    def matched(self) -> pd.DataFrame:
        """Rows with weight > 0, with ``weights``, ``subclass`` and ``distance`` columns added
        (prefixed ``match_`` where ``data`` already has such a column)."""
        keep = self.weights.to_numpy() > 0
        out = self.data.loc[keep].copy()
        extra = {"weights": self.weights, "subclass": self.subclass, "distance": self.distance}
        for name, values in extra.items():
            if values is not None:
                out["match_" + name if name in out.columns else name] = values[keep]
        return out

    def balance(self, *, threshold: float = SMD_THRESHOLD,
                sd_denominator: str | None = None) -> BalanceResult:
        """Balance of the covariates (and exact-matching columns and the distance) before and
        after; see ``fipeval.matching.balance_table`` for the statistics."""
        sd = sd_denominator or DEFAULT_SD[self.estimand]
        check_option("sd_denominator", sd, ("treated", "control", "pooled"))
        cols = list(self.covariates) + [c for c in self.settings.get("exact") or ()
                                        if c not in self.covariates]
        X = expand_covariates(self.data, covariates=cols)
        if self.distance is not None:
            X.insert(0, "distance", self.distance.to_numpy())
        treated = self.data[self.treatment].to_numpy().astype(bool)
        mm, focal = None, None
        if self.match_matrix is not None:
            pos = pd.Series(np.arange(len(self.data)), index=self.data.index)
            mm = np.full(self.match_matrix.shape, -1, dtype=np.int64)
            vals = self.match_matrix.to_numpy()
            has = pd.notna(vals)
            mm[has] = pos.loc[vals[has]].to_numpy()
            focal = treated if self.estimand == "ATT" else ~treated
        w = self.weights.to_numpy()
        table = balance_statistics(X, treated, w, sd_denominator=sd, match_matrix=mm,
                                   focal=focal)
        return BalanceResult(table=table, sizes=self.sample_sizes(),
                             estimand=self.estimand, sd_denominator=sd, threshold=threshold,
                             adjustment=self._method_text())

    def sample_sizes(self) -> pd.DataFrame:
        """MatchIt's sample-size table: all, matched (and its effective size), unmatched and
        discarded, per group."""
        treated = self.data[self.treatment].to_numpy().astype(bool)
        discarded = None if self.discarded is None else self.discarded.to_numpy()
        return sample_sizes(treated, self.weights.to_numpy(), discarded=discarded)

    def matched_difference(self, outcome: str) -> float:
        """Weighted mean of ``outcome`` among FIP clients minus that among controls."""
        check_columns(self.data, [outcome], what="data")
        y = self.data[outcome].to_numpy(dtype=float)
        t = self.data[self.treatment].to_numpy().astype(bool)
        w = self.weights.to_numpy()
        return float(np.average(y[t], weights=w[t]) - np.average(y[~t], weights=w[~t]))

    def _method_text(self) -> str:
        s = self.settings
        if self.method == "nearest":
            text = (f"nearest neighbour {s['ratio']}:1 "
                    f"{'with' if s['replace'] else 'without'} replacement, "
                    f"order {s['order']}")
            if s.get("caliper") is not None:
                text += f", caliper {s['caliper']:g} SD" if s["std_caliper"] else \
                    f", caliper {s['caliper']:g}"
            if s.get("exact"):
                text += f", exact on {', '.join(s['exact'])}"
            return text
        if self.method == "ipw":
            return "inverse probability weighting" + (f", trimmed at {s['trim']}"
                                                      if s.get("trim") is not None else "")
        if self.method == "cem":
            return "coarsened exact matching"
        return "exact matching"

    def _header(self) -> dict:
        sizes = self.sample_sizes()
        s = self.settings
        head = {"method": self._method_text(), "estimand": self.estimand,
                "distance": s.get("distance_label", "none"),
                "n FIP / control": f"{int(sizes.loc['all', 'treated'])} / "
                                   f"{int(sizes.loc['all', 'control'])}",
                "matched FIP / control": f"{int(sizes.loc['matched', 'treated'])} / "
                                         f"{int(sizes.loc['matched', 'control'])}",
                }
        if s.get("caliper_abs") is not None:
            head["caliper on the score"] = s["caliper_abs"]
        if s.get("seed") is not None:
            head["seed"] = s["seed"]
        if s.get("emulate"):
            head["emulating"] = s["emulate"]
        return head

    def _details(self) -> dict:
        """MatchIt's summary accounting: effective sizes, unmatched and discarded units."""
        sizes = self.sample_sizes()
        return {"effective n FIP / control": f"{sizes.loc['matched (ESS)', 'treated']:.1f} / "
                                             f"{sizes.loc['matched (ESS)', 'control']:.1f}",
                "unmatched FIP / control": f"{int(sizes.loc['unmatched', 'treated'])} / "
                                           f"{int(sizes.loc['unmatched', 'control'])}",
                "discarded FIP / control": f"{int(sizes.loc['discarded', 'treated'])} / "
                                           f"{int(sizes.loc['discarded', 'control'])}"
                + ("" if self.settings.get("discard", "none") != "none"
                   else " (no common-support discard)"),
                "fipeval": __version__}

    def tidy(self) -> pd.DataFrame:
        return self.balance().tidy()

    def summary(self, *, threshold: float = SMD_THRESHOLD) -> Summary:
        bal = self.balance(threshold=threshold)
        return Summary(f"Matching: {self._method_text()}", {**self._header(), **self._details()},
                       bal.summary().table, bal._notes())

    def plot(self, ax=None, *, absolute: bool = True):
        """Love plot (SMD before and after); returns the Axes."""
        return self.balance().plot(ax=ax, absolute=absolute)


@columns_by_name
def match(data: pd.DataFrame, *, treatment: str, covariates: Sequence[str] = (),
          method: Literal["nearest", "exact", "cem", "ipw"] = "nearest",
          estimand: Literal["ATT", "ATC", "ATE"] = "ATT",
          distance: str | pd.Series | np.ndarray = "glm",
          ratio: int = 1, replace: bool = False, caliper: float | None = None,
          std_caliper: bool = True,
          order: Literal["largest", "smallest", "random", "data"] | None = None,
          exact: Sequence[str] | None = None,
          cutpoints: Mapping | None = None, cutpoint_rule: str = "sturges",
          trim: float | tuple[float, float] | None = None,
          discard: Literal["none", "treated", "control", "both"] = "none",
          seed: int | None = None,
          emulate: Literal["matchit-4.5.1"] | None = None) -> MatchResult:
    """Build comparable FIP and control groups by matching or weighting.

    Parameters
    ----------
    data : DataFrame
        One row per client; never modified.
    treatment : str
        0/1 (or boolean) column, 1 = FIP group.
    covariates : list of str
        Columns for the propensity score (nearest, ipw) or to match on (exact, cem), and to
        report balance on. Categorical columns expand to their levels.
    method : {"nearest", "exact", "cem", "ipw"}
        Greedy nearest neighbour on the score; exact matching; coarsened exact matching;
        inverse probability weighting.
    estimand : {"ATT", "ATC", "ATE"}
        ATT (default) matches controls to FIP clients; ATC the reverse. ATE is available
        for exact, cem and ipw.
    distance : "glm", "logit", column name, Series or array
        The score: "glm" = logistic propensity score (probability scale, MatchIt's default),
        "logit" = its linear predictor, or a score you pass (one per row).
    ratio : int
        Controls per FIP client (nearest).
    replace : bool
        Allow a control to be matched to several FIP clients (nearest).
    caliper : float, optional
        Largest allowed score difference, in standard deviations of the score (computed over
        all clients, as MatchIt does) unless ``std_caliper=False``.
    order : {"largest", "smallest", "random", "data"}, optional
        Order in which FIP clients choose a match; default "largest" score first for the
        ATT, "smallest" for the ATC (MatchIt's defaults).
    exact : list of str, optional
        Nearest: match only within identical values of these columns (e.g. municipality).
    cutpoints : mapping, optional
        CEM: per numeric covariate a number of bins or a list of cut points.
    cutpoint_rule : {"sturges", "scott", "fd"}
        CEM: automatic binning for numeric covariates not in ``cutpoints``.
    trim : float or (low, high), optional
        IPW: drop clients with a propensity score outside [trim, 1 - trim].
    discard : {"none", "treated", "control", "both"}
        Nearest: leave out, before matching, clients outside the common support of the
        score (MatchIt's ``discard``): FIP clients outside the controls' range ("treated"),
        controls outside the FIP clients' range ("control"), or both. They get weight 0 and
        are counted as discarded, not unmatched.
    seed : int, optional
        For ``order="random"``.
    emulate : {None, "matchit-4.5.1"}
        Reproduce MatchIt 4.5.1-4.5.3's nearest-neighbour defects (MatchIt issue #163: the
        lower-score neighbour always wins, calipers below 1 are ignored; with replacement
        and ratio > 1 a control can repeat within a FIP client's matches). Only to reproduce
        analyses run with those versions.

    Returns
    -------
    MatchResult

    Raises
    ------
    InputError
        Treatment not 0/1, a group empty, missing covariate values, bad options.
    EstimationError
        Complete separation in the score model; a caliper or exact strata leaving nobody
        matched.

    Examples
    --------
    >>> df = pd.DataFrame({"fip": [1, 1, 0, 0, 0, 0],
    ...                    "age": [30, 50, 31, 49, 70, 20]})
    >>> res = match(df, treatment="fip", covariates=["age"], distance=df["age"])
    >>> res.weights.tolist()
    [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]

    References
    ----------
    Ho, Imai, King and Stuart (2011), MatchIt: Nonparametric Preprocessing for Parametric
    Causal Inference, Journal of Statistical Software 42(8). Stuart (2010), Matching methods
    for causal inference, Statistical Science 25(1).
    """
    check_option("method", method, METHODS)
    check_option("estimand", estimand, ESTIMANDS[method])
    check_option("emulate", emulate, EMULATIONS)
    treated = treatment_indicator(data, treatment)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if treatment in covariates:
        raise InputError(f"The treatment `{treatment}` is listed among the covariates; "
                         "remove it.")
    check_columns(data, covariates, what="data")
    exact = [exact] if isinstance(exact, str) else list(exact or [])
    check_columns(data, exact, what="data")
    if not isinstance(ratio, (int, np.integer)) or isinstance(ratio, bool) or ratio < 1:
        raise InputError(f"`ratio` must be a whole number >= 1; got {ratio!r}.")
    if caliper is not None and (not np.isscalar(caliper) or not caliper > 0):
        raise InputError(f"`caliper` must be a positive number (in SD of the score unless "
                         f"std_caliper=False); got {caliper!r}.")
    focal = treated if estimand in ("ATT", "ATE") else ~treated
    settings = {"ratio": int(ratio), "replace": bool(replace), "caliper": caliper,
                "std_caliper": std_caliper, "exact": tuple(exact), "seed": seed,
                "emulate": emulate}

    need_score = method in ("nearest", "ipw")
    score = None
    if isinstance(distance, str) and distance in DISTANCES:
        if need_score:
            if not covariates:
                raise InputError("Estimating a propensity score needs `covariates`.")
            expand_covariates(data, covariates=covariates + exact)  # checks dtypes and missing values
            ps, linear = fit_logit(data, treated, covariates)
            score = ps if distance == "glm" else linear
            settings["distance_label"] = ("propensity score (logistic regression)"
                                          if distance == "glm"
                                          else "logit of the propensity score")
    else:
        score = score_vector(data, distance)
        settings["distance_label"] = "user-supplied score"
    if method == "ipw" and distance == "logit":
        raise InputError("IPW needs probabilities: use distance='glm' or pass a probability.")
    check_option("discard", discard, DISCARDS)
    if discard != "none" and method != "nearest":
        raise InputError(f"`discard` applies to method='nearest'; got method={method!r}. Use "
                         "trim= to leave out extreme propensity scores with IPW.")
    discarded = _outside_common_support(score, treated, discard) if discard != "none" \
        else np.zeros(len(data), dtype=bool)
    settings["discard"] = discard

    idx = data.index
    subclass = mm_frame = None
    if method == "nearest":
        check_option("order", order, ORDERS + (None,))
        order = order or ("largest" if estimand == "ATT" else "smallest")
        settings["order"] = "data (irrelevant with replacement)" if replace else order
        cal_abs = None
        if caliper is not None:
            cal_abs = float(caliper) * (np.std(score, ddof=1) if std_caliper else 1.0)
            settings["caliper_abs"] = cal_abs
        n_focal, n_other = focal.sum(), (~focal).sum()
        if not replace and n_other < n_focal * ratio:
            warnings.warn(f"There are {n_other} possible matches for {n_focal} focal clients "
                          f"at ratio {ratio} without replacement; not every "
                          "client will get all matches.", UserWarning, stacklevel=caller_stacklevel())
        rng = np.random.default_rng(seed)
        kept = np.flatnonzero(~discarded)
        sub_mm = _nearest_within(data.iloc[kept], score[kept], focal[kept], exact, ratio=ratio,
                                 replace=replace, caliper=cal_abs, order=order, rng=rng,
                                 emulate=emulate)
        # back to positions in ``data``; a discarded focal client has no matches
        mm = np.full((int(focal.sum()), ratio), -1, dtype=np.int64)
        rows = np.flatnonzero(~discarded[focal])
        mm[rows] = np.where(sub_mm >= 0, kept[np.maximum(sub_mm, 0)], -1)
        w_focal = weights_from_matches(mm, focal)
        w = w_focal
        n_focal = int((focal & ~discarded).sum())
        n_unmatched = int(((mm[rows] >= 0).sum(axis=1) == 0).sum())
        if n_unmatched == n_focal:
            raise EstimationError(
                "No client could be matched"
                + (f": the caliper ({caliper:g} SD = {cal_abs:.4g} on the score) is narrower "
                   "than every distance to an available control; widen it."
                   if caliper is not None else
                   ": no exact stratum holds both groups." if exact else "."))
        if n_unmatched:
            why = ("the caliper" if caliper is not None else
                   "the exact strata" if exact else "running out of controls")
            warnings.warn(f"{n_unmatched} of {n_focal} focal (here "
                          f"{'FIP' if estimand == 'ATT' else 'control'}) clients got no match "
                          f"because of {why}; they have weight 0 and the matched sample "
                          "no longer represents the whole group.", UserWarning, stacklevel=caller_stacklevel())
        if not replace:
            sub = subclass_from_matches(mm, focal)
            subclass = pd.Series(pd.array(np.where(sub > 0, sub, 0), dtype="Int64"),
                                 index=idx, name="subclass").where(sub > 0)
        labels = np.asarray(idx, dtype=object)
        cells = np.where(mm >= 0, labels[np.maximum(mm, 0)], None)
        mm_frame = pd.DataFrame(cells, index=idx[focal],
                                columns=[f"match_{k + 1}" for k in range(ratio)])
    elif method in ("exact", "cem"):
        cols = covariates + [c for c in exact if c not in covariates]
        if not cols:
            raise InputError(f"method='{method}' needs `covariates` to match on.")
        expand_covariates(data, covariates=cols)
        if method == "cem":
            check_option("cutpoint_rule", cutpoint_rule, CUTPOINT_RULES)
            keyframe = coarsen(data, cols, cutpoints, cutpoint_rule)
            settings["cutpoints"] = dict(cutpoints or {})
        else:
            keyframe = data[cols]
        sub = keep_common(subclass_codes(keyframe, cols), treated)
        if not (sub > 0).any():
            raise EstimationError(f"No stratum of {', '.join(cols)} holds both FIP and "
                                  "control clients; coarsen more (method='cem') or use fewer "
                                  "covariates.")
        dropped = int((sub == 0).sum())
        if dropped:
            warnings.warn(f"{dropped} clients ({int(((sub == 0) & treated).sum())} FIP, "
                          f"{int(((sub == 0) & ~treated).sum())} control) are in strata "
                          "without the other group and were dropped (weight 0).",
                          UserWarning, stacklevel=caller_stacklevel())
        w = weights_from_subclass(sub, treated, estimand)
        subclass = pd.Series(pd.array(sub, dtype="Int64"), index=idx,
                             name="subclass").where(sub > 0)
        settings["distance_label"] = settings.get("distance_label", "none")
    else:  # ipw
        settings["trim"] = trim
        w, _ = ipw_weights(score, treated, estimand, trim)
    dist = pd.Series(score, index=idx, name="distance") if score is not None else None
    return MatchResult(data=data, treatment=treatment, covariates=tuple(covariates),
                       method=method, estimand=estimand,
                       weights=pd.Series(w, index=idx, name="weights"), distance=dist,
                       subclass=subclass, match_matrix=mm_frame, settings=settings,
                       discarded=pd.Series(discarded, index=idx, name="discarded"))


def _outside_common_support(score: np.ndarray, treated: np.ndarray, discard: str) -> np.ndarray:
    """Clients whose score lies outside the other group's range (MatchIt's ``discard``)."""
    lo_t, hi_t = score[treated].min(), score[treated].max()
    lo_c, hi_c = score[~treated].min(), score[~treated].max()
    out = np.zeros(len(score), dtype=bool)
    if discard in ("treated", "both"):
        out |= treated & ((score < lo_c) | (score > hi_c))
    if discard in ("control", "both"):
        out |= ~treated & ((score < lo_t) | (score > hi_t))
    return out


def _nearest_within(data, score, focal, exact, **kw) -> np.ndarray:
    """Nearest-neighbour matching, separately inside each stratum of ``exact``."""
    if not exact:
        return match_nearest(score, focal, **kw)
    ratio = kw["ratio"]
    codes = subclass_codes(data[exact], exact)
    out = np.full((int(focal.sum()), ratio), -1, dtype=np.int64)
    focal_row = np.cumsum(focal) - 1  # row of each focal unit in the match matrix
    short = 0
    for code in np.unique(codes[focal]):
        members = np.flatnonzero(codes == code)
        f = focal[members]
        if (~f).sum() == 0:
            short += int(f.sum())
            continue
        if not kw["replace"] and (~f).sum() < f.sum():
            short += int(f.sum() - (~f).sum())
        sub_mm = match_nearest(score[members], f, **kw)
        out[focal_row[members[f]]] = np.where(sub_mm >= 0, members[np.maximum(sub_mm, 0)], -1)
    if short:
        warnings.warn(f"Some exact strata of {', '.join(exact)} have fewer possible matches "
                      f"than focal clients: at least {short} focal clients cannot be "
                      "matched there.", UserWarning, stacklevel=caller_stacklevel())
    return out
