"""Love plot: standardised mean differences per covariate, before and after adjustment."""

from __future__ import annotations

import numpy as np


def love_plot(balance_result, ax=None, *, absolute: bool = True):
    """Dot plot of the SMD of every term before (open circles) and after (filled dots),
    with the balance threshold as dashed line(s). Returns the Axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from fipeval.matching import balance
    >>> df = pd.DataFrame({"fip": [1, 1, 0, 0, 0], "age": [30, 40, 35, 50, 60]})
    >>> ax = love_plot(balance(df, treatment="fip", covariates=["age"]))
    """
    import matplotlib.pyplot as plt

    w = balance_result.wide()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 0.35 * len(w) + 1.5))
    y = np.arange(len(w))[::-1]
    before = w["smd_before"].to_numpy(dtype=float)
    after = w["smd_after"].to_numpy(dtype=float) if "smd_after" in w else None
    if absolute:
        before = np.abs(before)
        after = np.abs(after) if after is not None else None
    ax.scatter(before, y, facecolors="none", edgecolors="tab:gray", label="before", zorder=3)
    if after is not None:
        ax.scatter(after, y, color="tab:blue", label="after", zorder=4)
        for yi, b, a in zip(y, before, after):
            ax.plot([b, a], [yi, yi], color="lightgray", lw=0.8, zorder=2)
    t = balance_result.threshold
    ax.axvline(t, ls="--", color="tab:red", lw=0.8, label=f"threshold {t:g}")
    if not absolute:
        ax.axvline(-t, ls="--", color="tab:red", lw=0.8)
        ax.axvline(0, color="black", lw=0.5)
    ax.set_yticks(y)
    ax.set_yticklabels(w["term"])
    ax.set_xlabel("|standardised mean difference|" if absolute
                  else "standardised mean difference")
    ax.set_title("Covariate balance")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    return ax
