"""Plots of the survival stage, in one visual style. Each takes ``ax=None`` and returns the Axes."""

from __future__ import annotations

import numpy as np
import pandas as pd

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a5a5a5",
           "#843c0c", "#375623")
BAND_ALPHA = 0.18


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4.2))
    return ax


def _style(ax, xlabel: str, ylabel: str, title: str | None = None):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    return ax


def _steps(time: np.ndarray, value: np.ndarray, start: float = 1.0):
    """Step-function coordinates starting at time 0."""
    return np.concatenate([[0.0], time]), np.concatenate([[start], value])


def plot_survival_curves(table: pd.DataFrame, *, ax=None, ci: bool = True,
                         at_risk: bool = True, xlabel: str = "months",
                         ylabel: str = "still on benefit", title: str | None = None):
    """Kaplan-Meier curves per group from ``KaplanMeierResult.table`` with confidence bands
    and the numbers at risk under the axis."""
    ax = _axes(ax)
    groups = list(dict.fromkeys(table["group"]))
    for i, g in enumerate(groups):
        part = table[table["group"] == g]
        color = PALETTE[i % len(PALETTE)]
        x, y = _steps(part["time"].to_numpy(), part["survival"].to_numpy())
        ax.step(x, y, where="post", color=color, label=str(g), linewidth=1.6)
        if ci:
            _, lo = _steps(part["time"].to_numpy(), part["ci_lower"].to_numpy())
            _, hi = _steps(part["time"].to_numpy(), part["ci_upper"].to_numpy())
            ax.fill_between(x, lo, hi, step="post", color=color, alpha=BAND_ALPHA, linewidth=0)
    ax.set_ylim(0, 1.02)
    if len(groups) > 1 or groups[0] != "all":
        ax.legend(frameon=False)
    _style(ax, xlabel, ylabel, title)
    if at_risk:
        _at_risk_rows(ax, table, groups)
    return ax


def _at_risk_rows(ax, table: pd.DataFrame, groups: list) -> None:
    """Numbers at risk under each x tick, one row per group, just below the tick labels
    (in axes coordinates vertically, data coordinates horizontally, so they line up)."""
    from matplotlib.transforms import blended_transform_factory

    ax.set_xlim(left=0)
    longest = float(table["time"].max())
    step = next((s for s in (3, 6, 12, 24) if longest / s <= 8), max(1.0, longest / 8))
    ticks = list(np.arange(0, longest + 1e-9, step))     # whole months: 0, 3, 6, ...
    ax.set_xticks(ticks)
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(-0.06, -0.19, "at risk", transform=ax.transAxes, ha="right", va="top", fontsize=7.5,
            style="italic")
    for row, g in enumerate(groups):
        part = table[table["group"] == g]
        y = -0.19 - 0.06 * (row + 1)
        ax.text(-0.06, y, str(g), transform=ax.transAxes, ha="right", va="top", fontsize=7.5,
                color=PALETTE[row % len(PALETTE)])
        for t in ticks:
            later = part[part["time"] >= t]
            count = int(round(later["n_risk"].iloc[0])) if len(later) else 0
            ax.text(t, y, f"{count:,}", transform=trans, ha="center", va="top", fontsize=7.5)


def plot_cumulative_incidence(table: pd.DataFrame, *, ax=None, stacked: bool = True,
                              xlabel: str = "months", title: str | None = None):
    """Cumulative incidence per end reason from ``CumulativeIncidenceResult.table`` (one
    group): stacked areas that add up to 1 - KM, or lines with confidence bands."""
    ax = _axes(ax)
    causes = list(dict.fromkeys(table["cause"]))
    times = np.unique(table["time"].to_numpy())
    curves = []
    for c in causes:
        part = table[table["cause"] == c]
        idx = np.searchsorted(part["time"].to_numpy(), times, side="right") - 1
        vals = np.where(idx >= 0, part["cif"].to_numpy()[np.maximum(idx, 0)], 0.0)
        curves.append(vals)
    x = np.concatenate([[0.0], times])
    if stacked:
        ys = [np.concatenate([[0.0], c]) for c in curves]
        ax.stackplot(x, *ys, labels=[str(c) for c in causes], step="post",
                     colors=[PALETTE[i % len(PALETTE)] for i in range(len(causes))], alpha=0.85)
        ax.set_ylim(0, 1)
    else:
        for i, c in enumerate(causes):
            part = table[table["cause"] == c]
            xs, ys = _steps(part["time"].to_numpy(), part["cif"].to_numpy(), 0.0)
            color = PALETTE[i % len(PALETTE)]
            ax.step(xs, ys, where="post", color=color, label=str(c))
            _, lo = _steps(part["time"].to_numpy(), part["ci_lower"].to_numpy(), 0.0)
            _, hi = _steps(part["time"].to_numpy(), part["ci_upper"].to_numpy(), 0.0)
            ax.fill_between(xs, lo, hi, step="post", color=color, alpha=BAND_ALPHA, linewidth=0)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return _style(ax, xlabel, "cumulative incidence of ending", title)


def plot_forest(tidy: pd.DataFrame, *, ax=None, title: str | None = None):
    """Hazard ratios with confidence intervals on a log axis."""
    ax = _axes(ax)
    y = np.arange(len(tidy))[::-1]
    hr = np.exp(tidy["estimate"].to_numpy())
    lo, hi = np.exp(tidy["ci_lower"].to_numpy()), np.exp(tidy["ci_upper"].to_numpy())
    ax.errorbar(hr, y, xerr=[hr - lo, hi - hr], fmt="o", color=PALETTE[0], capsize=3)
    ax.axvline(1, color="#888888", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    ax.set_yticks(y, tidy["term"].tolist())
    return _style(ax, "hazard ratio (log scale)", "", title)


def plot_schoenfeld(time: np.ndarray, scaled: np.ndarray, term: str, transform: str, *, ax=None):
    """Scaled Schoenfeld residuals of one term with a lowess smooth (the beta(t) estimate)."""
    from statsmodels.nonparametric.smoothers_lowess import lowess
    ax = _axes(ax)
    ax.scatter(time, scaled, s=6, color="#999999", alpha=0.5)
    smooth = lowess(scaled, time, frac=2 / 3, return_sorted=True)
    ax.plot(smooth[:, 0], smooth[:, 1], color=PALETTE[1], linewidth=1.8)
    ax.axhline(float(np.mean(scaled)), color=PALETTE[0], linestyle="--", linewidth=0.8)
    return _style(ax, f"time ({transform} transform)", f"beta(t) for {term}",
                  f"Proportional hazards check: {term}")


def plot_rmst_curve(table: pd.DataFrame, *, ax=None, xlabel: str = "restriction time (months)",
                    title: str | None = None):
    """RMST difference (FIP minus control) with its confidence band over the horizon."""
    ax = _axes(ax)
    ax.plot(table["tau"], table["estimate"], color=PALETTE[0], linewidth=1.8)
    ax.fill_between(table["tau"], table["ci_lower"], table["ci_upper"], color=PALETTE[0],
                    alpha=BAND_ALPHA, linewidth=0)
    ax.axhline(0, color="#888888", linewidth=0.8, linestyle="--")
    return _style(ax, xlabel, "difference in months on benefit", title)
