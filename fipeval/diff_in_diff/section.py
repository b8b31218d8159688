"""The difference-in-differences section of the report: caseworker outcomes before and after.

Estimand. The unit is the caseworker-month. The outcome ``termination_rate`` is the share of
the clients on a caseworker's caseload at the start of a month (eligible clients only: the
design's ``min_months_on_benefit`` and ``max_ladder_rung``) whose benefit ends that month;
``fraud_signal_rate`` the number of fraud signals per client on that caseload. The
difference-in-differences effect is the change in that monthly rate for the FIP caseworkers
after their start, beyond the change for the other caseworkers: an average over FIP
client-months at risk of (rate under FIP - rate without FIP). It is not the client-level
effect on "ended within follow-up" (a cumulative probability); over ``F`` months a monthly
effect ``d`` on a hazard ``h`` adds roughly ``d * sum_m (1 - h)^m`` to that probability.

Caseworker history. The panel gives each client-month to the caseworker who held the client
that month (``Register.assignments``, issue 21). A register without that history holds one
caseworker per spell (the current one): clients moved between caseloads at the start then
carry their whole history to the new caseworker, the FIP caseworkers' pre-period exit rate
is biased, and the termination-rate DiD is shown without interval (``RESHUFFLE_CAVEAT``).
With the history the termination rate gets the design's inference like the other outcomes
(measured: benchmarks/results/did_coverage_three_municipalities_termination_rate.json).
Fraud-signal and activation rates, which do not depend on who stays, are not affected.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..results import section_figure
from ..errors import DesignError, FewClustersWarning
from ..inference._threads import with_one_blas_thread
from ..inference.design import DesignEstimate, DesignTable, plan_inference, randomization_t
from .estimate import did
from .leads_lags import event_study
from .panels import caseworker_panel
from .staggered import staggered_did

__all__ = ["did_section", "section_window"]

LEADS = 12          # months before the start shown in the event study
OUTCOMES = ("termination_rate", "fraud_signal_rate")
# the panel's columns the section reads; the others (counts by reason and kind, further
# rates) are dropped at once: the models copy the panel (the months within follow-up, each
# re-assignment), and a national panel at scale 8 holds 1.3 million caseworker-months
PANEL_COLUMNS = ("caseworker", "municipality", "month", "caseload", "terminations", *OUTCOMES,
                 "fip", "post", "event_time", "first_treated", "follow_up_end",
                 "after_follow_up")
WILD_METHODS = {"TWFE": "restricted wild cluster bootstrap-t by caseworker",
                "Callaway-Sant'Anna": "multiplier (wild) bootstrap of the influence function "
                                      "by caseworker"}
# measured, 200 simulated national studies (80 FIP caseworkers, 2 per start date):
# benchmarks/results/did_coverage_national*_scale0.05.json, docs/INFERENCE.md
CS_BOOTSTRAP_CAVEAT = ("Callaway-Sant'Anna's multiplier bootstrap rests on the FIP caseworkers "
                       "of each start date, two here: it covered the true effect 90-91% of "
                       "the time and rejected a true null 10% (measured on 200 simulated "
                       "national studies), so no interval is stated; the TWFE row carries "
                       "the inference.")
RESHUFFLE_CAVEAT = ("The register holds one caseworker per spell (the current one), so the "
                    "pre-period caseloads of the FIP caseworkers are rebuilt from the clients "
                    "assigned to them at the start; where caseloads were reshuffled then, the "
                    "pre-period exit rate is biased and no interval can be trusted. The "
                    "client-level effect on ended benefits (effects section) is the one to read.")


def _figure(name: str, caption: str, ncols: int = 1):
    return section_figure(name, caption, ncols, height=4.2)


def section_window(register, design, leads: int = LEADS) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of the panel: ``leads`` months before the first start (not before
    the first recorded termination, since earlier history is incomplete in an extract) to the
    last month of the longest-running follow-up, before the extract date. FIP caseworkers'
    months after their own follow-up are marked ``after_follow_up`` by the panel."""
    starts = [pd.Timestamp(s.start_date).to_period("M") for s in design.sites]
    ends = [(pd.Timestamp(s.start_date) + pd.DateOffset(months=int(s.follow_up_months)))
            .to_period("M") - 1 for s in design.sites]
    first = min(starts) - leads
    recorded = register.spells["end_date"].min()
    if pd.notna(recorded):
        first = max(first, pd.Timestamp(recorded).to_period("M") + 1)
    last = max(ends)
    if register.extract_date is not None:
        last = min(last, pd.Timestamp(register.extract_date).to_period("M") - 1)
    if first >= min(starts):
        raise DesignError("The register has no months before the first start: a "
                          "difference-in-differences needs a pre-period.")
    return first.to_timestamp(), last.to_timestamp()


@with_one_blas_thread   # small dense algebra: a second BLAS thread only spins (issue 18)
def did_section(register, design, *, alpha: float = 0.05, leads: int = LEADS, seed: int | None = None,
                n_draws: int | None = None):
    """Results and figures on caseworker outcomes before and after the start of FIP.

    Parameters
    ----------
    register : Register
    design : StudyDesign
        FIP caseworkers and start dates per site (caseworker-level assignment).
    alpha : float
    leads : int
        Months before the (first) start in the panel and the event study.
    seed : int
        Seed of the wild bootstrap, the multiplier bootstrap and the sup-t band.
    n_draws : int, optional
        With it, a design-based table comes first: the TWFE ATT (and, when staggered, the
        Callaway-Sant'Anna simple aggregate) of each outcome with randomization-t inference,
        FIP re-assigned to other caseworkers of the same municipality (their start and
        follow-up), ``n_draws`` random assignments when there are more.

    Returns
    -------
    (results, figures)
        ``results``: for each outcome in ``OUTCOMES`` a two-way fixed-effects DiD
        (caseload-weighted; wild cluster bootstrap by caseworker when there are fewer than
        ``FEW_TREATED`` FIP caseworkers, CR1 otherwise); the event study of the
        termination rate; when sites start at different dates, Callaway-Sant'Anna
        group-time effects (never-treated caseworkers as comparison, TWFE beside) for each
        outcome. ``figures``: "did_rates" (monthly rates, FIP and other caseworkers),
        "did_event_study", and "did_staggered" when staggered; each Figure carries a
        ``fipeval_caption``.

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> results, figures = did_section(study.register, study.design)  # doctest: +SKIP
    """
    if not any(s.fip_caseworkers for s in design.sites):
        raise DesignError("The DiD on caseworker outcomes needs FIP caseworkers in the design "
                          "(sites list only FIP clients).")
    start, end = section_window(register, design, leads)
    panel = caseworker_panel(register, start=start, end=end, design=design,
                             min_months_on_benefit=design.min_months_on_benefit,
                             max_ladder_rung=design.max_ladder_rung)[list(PANEL_COLUMNS)]
    results, figures = [], []
    # FIP stops after the follow-up: the two-way models use the months up to then
    within = panel[panel["after_follow_up"] == 0]
    n_fip = int(panel.loc[panel["fip"] == 1, "caseworker"].nunique())
    method = design_method(panel, alpha=alpha)
    # the model tables show estimates only (the design table carries the inference); their
    # own errors: the wild bootstrap with few FIP caseworkers, CR1 (cheap) with many
    inference = "wild" if method == "randomization" else "CR1"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        for outcome in OUTCOMES:
            results.append(did(within, outcome=outcome, unit="caseworker", time="month",
                               treatment="fip", post="post", cluster="caseworker",
                               weights="caseload", inference=inference, n_draws=9999,
                               seed=seed, alpha=alpha))
        lags = int(within["event_time"].max())
        es = event_study(within, outcome="termination_rate", unit="caseworker", time="month",
                         event_time="event_time", leads=leads, lags=lags, cluster="caseworker",
                         weights="caseload", alpha=alpha, seed=seed)
        results.append(es)
        staggered = []
        if design.staggered:
            for outcome in OUTCOMES:
                staggered.append(staggered_did(
                    panel, outcome=outcome, unit="caseworker", time="month",
                    first_treated="first_treated", control_group="nevertreated",
                    incomplete="drop", treated_until="follow_up_end", alpha=alpha))
            results.extend(staggered)

    if n_draws is not None:
        results.insert(0, _design_table(panel, staggered=bool(design.staggered), alpha=alpha,
                                        seed=seed, n_draws=n_draws, method=method))
    fig, (ax,) = _figure("did_rates", "Monthly termination rate (terminations per eligible "
                         "client on the caseload at the start of the month), FIP caseworkers "
                         "and the other caseworkers, caseload-weighted; dotted: start(s).")
    _plot_rates(within, ax)
    figures.append(fig)
    fig, (ax,) = _figure("did_event_study", "Event study of the monthly termination rate: "
                         "effect by month since the start relative to the month before, with "
                         f"{1 - alpha:.0%} pointwise intervals (bars) and simultaneous band "
                         f"(shaded); cluster-robust by caseworker with {n_fip} FIP "
                         "caseworker(s), so the intervals are indicative only.")
    es.plot(ax=ax, title="Termination rate around the start of FIP")
    figures.append(fig)
    if staggered:
        fig, axes = _figure("did_staggered", "Group-time effects by month since each "
                            "municipality's start (Callaway-Sant'Anna, never-treated "
                            "caseworkers as comparison).", ncols=len(staggered))
        for ax, res in zip(axes, staggered):
            res.plot(ax=ax)
            ax.set_title(res.outcome)
        figures.append(fig)
    return results, figures


def _plot_rates(panel: pd.DataFrame, ax) -> None:
    g = panel.assign(group=np.where(panel["fip"] == 1, "FIP caseworkers", "other caseworkers"))
    agg = g.groupby(["group", "month"], observed=True)[["terminations", "caseload"]].sum()
    rate = (agg["terminations"] / agg["caseload"].where(agg["caseload"] > 0)).unstack(0)
    for col, colour in zip(rate.columns, ("tab:blue", "tab:grey")):
        ax.plot(rate.index, rate[col], marker="o", ms=3, color=colour, label=col)
    for s in panel["first_treated"].dropna().unique():
        ax.axvline(pd.Timestamp(s), color="black", ls=":", lw=0.8)
    import matplotlib.dates as mdates
    locator = mdates.AutoDateLocator(minticks=5, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))   # no run-together dates
    ax.set_ylabel("termination rate per month")
    ax.legend(fontsize="small")
    ax.set_title("Monthly termination rate")


def _copies_on_write() -> bool:
    """Whether pandas copies a shared column before writing into it (always from pandas 3;
    in pandas 2 only with its ``mode.copy_on_write`` option set)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.get_option("mode.copy_on_write") is True


def reassign_fip(panel: pd.DataFrame, fip: np.ndarray | pd.Series) -> pd.DataFrame:
    """The caseworker panel as it would be had ``fip`` (per row, constant per caseworker) been
    the FIP caseworkers: each new FIP caseworker takes the start and follow-up of the FIP
    caseworkers of its municipality. Returns a new frame."""
    return reassigner(panel)(fip)


def reassigner(panel: pd.DataFrame) -> Callable[[np.ndarray | pd.Series], pd.DataFrame]:
    """``reassign_fip`` for one panel and many assignments: the municipalities' starts and
    the panel's months are looked up once (each re-assignment is then a few array ops)."""
    muni, labels = pd.factorize(panel["municipality"].astype(object))
    sites = (panel.loc[panel["fip"] == 1].groupby("municipality", observed=True)
             [["first_treated", "follow_up_end"]].first())
    first_dtype, end_dtype = panel["first_treated"].dtype, panel["follow_up_end"].dtype
    first = pd.to_datetime(pd.Series(labels).map(sites["first_treated"])).to_numpy("datetime64[ns]")
    end = pd.to_datetime(pd.Series(labels).map(sites["follow_up_end"])).to_numpy("datetime64[ns]")
    month = panel["month"].to_numpy("datetime64[ns]")
    months = panel["month"].dt.year.to_numpy() * 12 + panel["month"].dt.month.to_numpy()
    first_months = (pd.DatetimeIndex(first).year * 12 + pd.DatetimeIndex(first).month).to_numpy()
    row_first, row_end = first[muni], end[muni]
    row_offset = months - first_months[muni]          # NaN where the municipality has no FIP
    not_a_time = np.datetime64("NaT", "ns")

    def reassign(fip):
        # the columns set below are new; the others are shared only where pandas copies on
        # write (a write into a shared column of pandas 2 would change the panel)
        out = panel.copy(deep=not _copies_on_write())
        out["fip"] = np.asarray(fip, dtype=panel["fip"].dtype)
        treated = out["fip"].to_numpy() == 1
        out["first_treated"] = pd.Series(np.where(treated, row_first, not_a_time),
                                         index=panel.index).astype(first_dtype)
        out["follow_up_end"] = pd.Series(np.where(treated, row_end, not_a_time),
                                         index=panel.index).astype(end_dtype)
        with np.errstate(invalid="ignore"):
            after = treated & (month >= row_end)
        out["after_follow_up"] = after.astype(panel["after_follow_up"].dtype)
        out["event_time"] = np.where(treated, row_offset, np.nan).astype(float)
        return out
    return reassign


def design_method(panel: pd.DataFrame, *, alpha: float = 0.05) -> str:
    """The inference rule (``fipeval.inference.design``) applied to the panel's caseworkers:
    ``"randomization"`` with few FIP or control caseworkers, ``"wild"`` with enough."""
    caseworkers = (panel.groupby("caseworker", observed=True)[["fip", "municipality"]].first()
                   .reset_index())
    caseworkers["municipality"] = caseworkers["municipality"].astype(object)
    return plan_inference(caseworkers, treatment="fip", cluster="caseworker",
                          strata="municipality", alpha=alpha).method_for("all")


def _design_table(panel, *, staggered, alpha, seed, n_draws, method="randomization",
                  cs_bootstrap=False) -> DesignTable:
    """TWFE (and Callaway-Sant'Anna) ATTs with the rule's inference: FIP re-assigned to
    caseworkers (randomization-t, a refit per assignment), or with enough FIP and control
    caseworkers TWFE's restricted wild bootstrap by caseworker; Callaway-Sant'Anna is then
    estimate only (``CS_BOOTSTRAP_CAVEAT``; ``cs_bootstrap=True`` states its multiplier
    bootstrap interval anyway, to repeat the measurement)."""
    reassign = reassigner(panel)
    within = panel[panel["after_follow_up"] == 0]

    def wild(name, outcome, term):
        if name == "TWFE":
            res = did(within, outcome=outcome, unit="caseworker", time="month", treatment="fip",
                      post="post", cluster="caseworker", weights="caseload", inference="wild",
                      n_draws=n_draws, seed=seed, alpha=alpha)
            est, se, p, lo, hi = (res.estimate, res.std_error, res.p_value, res.ci_lower,
                                  res.ci_upper)
        elif not cs_bootstrap:
            res = staggered_did(panel, outcome=outcome, unit="caseworker", time="month",
                                first_treated="first_treated", control_group="nevertreated",
                                incomplete="drop", treated_until="follow_up_end", alpha=alpha,
                                twfe=False)
            return DesignEstimate.estimate_only(term, res.simple.estimate, res.simple.std_error,
                                                reason=CS_BOOTSTRAP_CAVEAT, alpha=alpha)
        else:
            res = staggered_did(panel, outcome=outcome, unit="caseworker", time="month",
                                first_treated="first_treated", control_group="nevertreated",
                                incomplete="drop", treated_until="follow_up_end", alpha=alpha,
                                twfe=False, inference="bootstrap", n_draws=n_draws, seed=seed)
            row = res.simple.table.iloc[0]
            est, se, p, lo, hi = (row["estimate"], row["std_error"], row["p_value"],
                                  row["ci_lower"], row["ci_upper"])
        return DesignEstimate.from_bootstrap(term, est, se, p_value=p, ci_lower=lo, ci_upper=hi,
                                             n_draws=n_draws, seed=seed, alpha=alpha,
                                             method=WILD_METHODS[name])

    def twfe(outcome):
        def statistic(frame):
            frame = reassign(frame["fip"])
            res = did(frame[frame["after_follow_up"] == 0], outcome=outcome, unit="caseworker",
                      time="month", treatment="fip", post="post", cluster="caseworker",
                      weights="caseload", inference="CR1", alpha=alpha)
            return res.estimate, res.std_error
        return statistic

    def callaway_santanna(outcome):
        def statistic(frame):
            frame = reassign(frame["fip"])
            res = staggered_did(frame, outcome=outcome, unit="caseworker", time="month",
                                first_treated="first_treated", control_group="nevertreated",
                                incomplete="drop", treated_until="follow_up_end", alpha=alpha,
                                twfe=False)
            return res.simple.estimate, res.simple.std_error
        return statistic

    kw = {"cluster": "caseworker", "strata": "municipality", "n_draws": n_draws, "seed": seed,
          "alpha": alpha}
    models = [("TWFE", twfe)] + ([("Callaway-Sant'Anna", callaway_santanna)] if staggered else [])
    estimates = []
    for name, model in models:
        for outcome in OUTCOMES:
            term = f"{name} ATT {outcome}"
            if outcome == "termination_rate" and not panel.attrs.get("caseworker_history"):
                # no caseworker history: a caseworker's pre-period caseload is rebuilt from
                # the clients labelled with them now, so its exit rate is biased wherever
                # caseloads were reshuffled at the start (module docstring). No choice of
                # inference fixes that: estimate only.
                estimates.append(DesignEstimate.estimate_only(
                    term, *model(outcome)(panel), reason=RESHUFFLE_CAVEAT, alpha=alpha))
            elif method == "wild":
                estimates.append(wild(name, outcome, term))
            else:
                estimates.append(randomization_t(panel, model(outcome), term=term, **kw))
    return DesignTable(estimates=tuple(estimates), alpha=alpha,
                       title="Difference-in-differences: design-based inference",
                       notes=("The model tables below show estimates only: their own intervals "
                              "(CR1, wild bootstrap, influence function) are not used.",))
