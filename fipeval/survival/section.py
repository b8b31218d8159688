"""The survival part of the report: results and figures from one cohort."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from ..results import section_figure
from ..errors import FewClustersWarning, renamed
from ..inference.design import DesignTable, randomization_t
from .by_assignment import cox_log_hr_batch, logrank_root_batch, rmst_difference_batch
from .competing import cumulative_incidence
from .cox_model import cox
from .km import kaplan_meier, logrank, rmst, rmst_curve
from .plots import plot_cumulative_incidence, plot_rmst_curve, plot_survival_curves
from .prep import survival_data


def _figure(name: str, caption: str, ncols: int = 1):
    return section_figure(name, caption, ncols, height=4.4)


@renamed(group="treatment")
def survival_section(cohort: pd.DataFrame, *, alpha: float = 0.05, treatment: str = "fip",
                     cluster: str | None = "caseworker", strata: str | None = "municipality",
                     n_draws: int | None = None, seed: int | None = None):
    """Results and figures on the time on benefit for the report.

    Parameters
    ----------
    cohort : DataFrame
        The cohort from ``fipeval.design.build_cohort``; not modified.
    alpha : float
        1 - confidence level.
    treatment : str
        Treatment column (1 = FIP).
    cluster, strata : str or None
        Clustering of the Cox SE (FIP is assigned by caseworker) and strata of the Cox model
        and the log-rank test (follow-up and baseline exit rates differ by municipality).
    n_draws, seed : int, optional
        With ``n_draws``, a design-based table comes first: the Cox log hazard ratio, the
        RMST difference and the log-rank statistic with randomization-t inference
        (:func:`fipeval.inference.design.randomization_t`: FIP re-assigned to other values of
        ``cluster`` within ``strata``), ``n_draws`` random assignments when there are more.

    Returns
    -------
    (results, figures)
        ``results``: [the design-based table,] Kaplan-Meier by group (study clock), stratified log-rank test, RMST
        difference over the follow-up (months; negative = months avoided), Cox model of FIP
        on the spell clock with delayed entry, and the cumulative incidence by end reason.
        ``figures``: matplotlib Figures named by ``fig.get_label()`` ("survival_km",
        "survival_cif", "survival_rmst"), each with a ``fipeval_caption`` attribute.

    Examples
    --------
    >>> from fipeval.design import build_cohort
    >>> from fipeval.synthetic import generate
    >>> study = generate("brabantse_wal")
    >>> results, figures = survival_section(build_cohort(study.register, study.design))
    >>> [f.get_label() for f in figures]
    ['survival_km', 'survival_cif', 'survival_rmst']
    """
    group = treatment  # the comparison's two groups (column "group" in the tables)
    study = survival_data(cohort, "study")
    spell = survival_data(cohort, "spell")
    cl = cluster if cluster in cohort.columns else None
    st = strata if strata in cohort.columns and cohort[strata].nunique() > 1 else None
    km = kaplan_meier(study, duration="exit", event="event", by=group, alpha=alpha)
    lr = logrank(study, duration="exit", event="event", treatment=group, strata=st)
    rm = rmst(study, duration="exit", event="event", treatment=group, alpha=alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        model = cox(spell, duration="exit", event="event", covariates=[group], entry="entry", cluster=cl, strata=st,
                    alpha=alpha)
    ci = cumulative_incidence(study, duration="exit", cause="cause", event="event", by=group, alpha=alpha)
    results = [km, lr, rm, model, ci]
    if n_draws is not None and cl is not None:
        results.insert(0, _design_table(study, spell, group=group, cluster=cl, strata=st,
                                        tau=rm.tau, n_draws=n_draws, seed=seed, alpha=alpha))

    figures = []
    fig, (ax,) = _figure("survival_km", "Share of clients still on benefit by months since the "
                         f"study start, per group, with {1 - alpha:.0%} bands that treat clients "
                         "as independent (descriptive; the design-based intervals are in the "
                         "table) (Kaplan-Meier); numbers at risk below.")
    table = km.table.assign(group=km.table["group"].map({1: "FIP", 0: "control"})
                            .fillna(km.table["group"].astype(str)))
    plot_survival_curves(table, ax=ax, title="Still on benefit (Kaplan-Meier)")
    figures.append(fig)

    fig, axes = _figure("survival_cif", "Cumulative incidence of ending benefit by end reason "
                        f"(Aalen-Johansen) with {1 - alpha:.0%} pointwise intervals (Gray's "
                        "variance), per group.", ncols=len(ci.groups))
    for ax, g in zip(axes, ci.groups):
        label = {1: "FIP", 0: "control"}.get(g, str(g))
        plot_cumulative_incidence(ci.table[ci.table["group"] == g], ax=ax, stacked=False,
                                  title=f"Ended by reason: {label}")
    top = float(np.nanmax(ci.table["ci_upper"].to_numpy(dtype=float)))
    for a in axes:                        # one scale for the groups, so they compare by eye
        a.set_ylim(0, max(float(np.ceil(top * 20) / 20), 0.05))
    figures.append(fig)

    fig, (ax,) = _figure("survival_rmst", "Difference in mean months on benefit (FIP minus "
                         "control) within the first tau months, with a "
                         f"{1 - alpha:.0%} band that treats clients as independent "
                         "(descriptive); below zero = months avoided.")
    curve = rmst_curve(study, duration="exit", event="event", treatment=group, alpha=alpha,
                       taus=np.linspace(rm.tau / 12, rm.tau, 12))
    plot_rmst_curve(curve, ax=ax, title="RMST difference over the follow-up")
    figures.append(fig)
    return results, figures


def _design_table(study, spell, *, group, cluster, strata, tau, n_draws, seed, alpha) -> DesignTable:
    """Cox log hazard ratio, RMST difference and log-rank with FIP re-assigned to caseworkers,
    every re-assignment at once (:mod:`.by_assignment`: the caseworkers' numbers at risk)."""
    kw = {"treatment": group, "cluster": cluster, "strata": strata, "n_draws": n_draws,
          "seed": seed, "alpha": alpha}
    lr = randomization_t(study, term="log-rank (root of chi-square)",
                         batch=logrank_root_batch(study, "exit", "event", cluster=cluster,
                                                  strata=strata), **kw)
    estimates = (randomization_t(spell, term="Cox log hazard ratio FIP",
                                 batch=cox_log_hr_batch(spell, "exit", "event", cluster=cluster,
                                                        strata=strata, entry="entry"), **kw),
                 randomization_t(study, term=f"RMST difference FIP - control (months, first "
                                             f"{tau:.1f})",
                                 batch=rmst_difference_batch(study, "exit", "event",
                                                             cluster=cluster, tau=tau), **kw),
                 dataclasses.replace(lr, estimate=np.nan, std_error=np.nan, ci_lower=np.nan,
                                     ci_upper=np.nan))
    return DesignTable(estimates=estimates, alpha=alpha,
                       title="Time on benefit: design-based inference",
                       notes=("The Kaplan-Meier, RMST, Cox and cumulative-incidence tables below "
                              "show estimates only: their own intervals treat clients (or few "
                              "caseworkers) as independent and are not used.",))
