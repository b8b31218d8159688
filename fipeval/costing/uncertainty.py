"""Uncertainty of the savings: Monte Carlo over the effect (and inputs), and a tornado chart.

The Monte Carlo draws each effect so that its percentile interval is the effect's own
design-based interval (``fipeval.inference.design.interval_draws``: a two-piece normal;
independent between municipalities) and, optionally, every input that has a range from a triangular(low, value,
high) distribution (one draw shared by all municipalities, since they share the inputs). The
analytic counterpart printed beside it is exact for the effect alone (the savings are linear
in the effect) and a first-order delta method when inputs vary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..inference.design import interval_draws
from ..results import Result
from ._common import Savings, check_number, euro_axis, tidy_frame, z_value
from .cost_of_fip import FipCost
from .._version import __version__

DELTA_STEP = 1e-5   # relative step of the central differences in the delta method


def _as_list(obj, kind, name) -> list:
    items = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    if not items or not all(isinstance(x, kind) for x in items):
        raise InputError(f"`{name}` must be a {kind.__name__} or a list of them; got {obj!r:.80}.")
    if len({type(x) for x in items}) > 1:
        raise InputError(f"`{name}` mixes {', '.join(sorted({type(x).__name__ for x in items}))}; "
                         "sum like with like (e.g. the crude savings of each municipality).")
    return items


def _varied(units: list, costs: list, vary_inputs) -> list[str]:
    names = []
    for obj in units + costs:
        names += [n for n in obj.input_names() if n not in names]
    assumptions = units[0].inputs.assumptions()
    if vary_inputs is False or vary_inputs is None:
        return []
    for obj in units[1:] + costs:
        other = obj.inputs.assumptions()
        differ = [n for n in names if other[n] != assumptions[n]]
        if differ:
            raise InputError(f"The results combined here use different values of `{differ[0]}` "
                             f"({assumptions[differ[0]].value:g} and {other[differ[0]].value:g}); "
                             "varying inputs needs one CostInputs for all of them.")
    if vary_inputs is True:
        return [n for n in names if assumptions[n].has_range and assumptions[n].low < assumptions[n].high]
    chosen = list(vary_inputs)
    for n in chosen:
        if n not in names:
            raise InputError(f"Cannot vary `{n}`: these results depend on {', '.join(names)}.")
        if not assumptions[n].has_range:
            raise InputError(f"Cannot vary `{n}`: it has no range; give it `low` and `high` "
                             "(CostInputs().with_values(name=Assumption(value, unit, source, low, high))).")
    return chosen


def _total(units, costs, effects, values):
    total = sum(e * u.per_unit_effect(values) for e, u in zip(effects, units))
    cost = sum(c.cost_per_year(values) for c in costs) if costs else 0.0
    return total, cost


@dataclass(frozen=True, eq=False, repr=False)
class MonteCarloResult(Result):
    """Simulated savings (and net savings) per year with their intervals."""

    labels: tuple
    savings_draws: np.ndarray
    cost_draws: np.ndarray | None
    point_savings: float
    point_cost: float | None
    analytic_se: dict
    varied_inputs: tuple
    n_draws: int
    seed: int | None
    alpha: float
    title: str = "Savings, Monte Carlo"

    def interval(self, what: str = "savings") -> tuple[float, float]:
        draws = self.savings_draws if what == "savings" else self.savings_draws - self.cost_draws
        lo, hi = np.quantile(draws, [self.alpha / 2, 1 - self.alpha / 2])
        return float(lo), float(hi)

    def analytic_interval(self, what: str = "savings") -> tuple[float, float]:
        z = z_value(self.alpha)
        centre = self.point_savings - (self.point_cost if what == "net" else 0.0)
        return centre - z * self.analytic_se[what], centre + z * self.analytic_se[what]

    @property
    def prob_pays(self) -> float:
        if self.cost_draws is None:
            return float("nan")
        return float(np.mean(self.savings_draws > self.cost_draws))

    def tidy(self) -> pd.DataFrame:
        rows = []
        parts = [("savings_per_year", "savings", self.savings_draws, self.point_savings)]
        if self.cost_draws is not None:
            parts.append(("net_savings_per_year", "net", self.savings_draws - self.cost_draws,
                          self.point_savings - self.point_cost))
        for term, what, draws, point in parts:
            lo, hi = self.interval(what)
            alo, ahi = self.analytic_interval(what)
            sd = float(np.std(draws, ddof=1))
            rows.append({"term": term, "estimate": point, "std_error": sd,
                         "statistic": point / sd if sd > 0 else np.nan,
                         "p_value": float(2 * min(np.mean(draws <= 0), np.mean(draws >= 0))),
                         "ci_lower": lo, "ci_upper": hi, "unit": "EUR per year",
                         "analytic_std_error": self.analytic_se[what], "analytic_ci_lower": alo,
                         "analytic_ci_upper": ahi})
        return tidy_frame(rows)

    def _header(self) -> dict:
        return {"method": "Monte Carlo: effect draws matching its design-based interval" + (
                    "; triangular draws of " + ", ".join(self.varied_inputs) if self.varied_inputs else ""),
                "units": ", ".join(self.labels), "draws": self.n_draws, "seed": self.seed,
                "alpha": self.alpha, "interval": "percentile",
                **({"P(net savings > 0)": round(self.prob_pays, 4)} if self.cost_draws is not None else {}),
                "fipeval": __version__}

    def _notes(self) -> tuple:
        return ("p_value: twice the smaller share of draws on either side of zero. Analytic columns: "
                "exact for the effect (linear), first-order delta method for the inputs.",)

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        ax = ax or plt.gca()
        ax.hist(self.savings_draws, bins=60, alpha=0.6, label="savings")
        if self.cost_draws is not None:
            ax.axvline(float(np.median(self.cost_draws)), color="k", ls="--", label="cost of FIP")
        for x in self.interval():
            ax.axvline(x, color="C0", ls=":")
        ax.set_xlabel("EUR per year")
        euro_axis(ax.xaxis)
        ax.set_ylabel("draws")
        ax.legend()
        return ax


def monte_carlo(savings: Savings | Sequence[Savings], *, cost: FipCost | Sequence[FipCost] | None = None,
                n_draws: int = 10_000, seed: int | None = None, vary_inputs: bool | Sequence[str] = False,
                alpha: float | None = None, title: str = "Savings, Monte Carlo") -> MonteCarloResult:
    """Monte Carlo interval for the savings per year (summed over units) and the net savings.

    Parameters
    ----------
    savings
        One savings result or several (e.g. one per municipality: their effects are drawn
        independently and the savings summed).
    cost
        Cost(s) of FIP to subtract for net savings.
    n_draws, seed
        Number of draws; ``numpy.random.default_rng(seed)``.
    vary_inputs
        False: only the effect varies; True: also every input with a range; or a list of names.
    alpha
        Interval level 1 - alpha; default the effects' alpha.
    title
        Title of the result (e.g. naming the units pooled).

    Examples
    --------
    >>> from fipeval.costing import crude_savings
    >>> mc = monte_carlo(crude_savings(0.02, caseload=2400, std_error=0.01), seed=1)
    >>> lo, hi = mc.interval()
    >>> bool(lo < 672_000 < hi)
    True
    """
    units = _as_list(savings, Savings, "savings")
    costs = [] if cost is None else _as_list(cost, FipCost, "cost")
    n_draws = int(check_number("n_draws", n_draws, positive=True, integer=True))
    if n_draws < 100:
        raise InputError(f"`n_draws` must be at least 100 for a percentile interval; got {n_draws}.")
    alpha = units[0].effect.alpha if alpha is None else check_number("alpha", alpha, positive=True)
    varied = _varied(units, costs, vary_inputs)
    rng = np.random.default_rng(seed)
    assumptions = units[0].inputs.assumptions()
    # the effect's own (design-based) interval, asymmetric where it is: never a normal
    # approximation that the effects section would reject
    effects = [interval_draws(u.effect.estimate, u.effect.ci_lower, u.effect.ci_upper,
                              alpha=u.effect.alpha, n_draws=n_draws, rng=rng) for u in units]
    values = {n: rng.triangular(assumptions[n].low, assumptions[n].value, assumptions[n].high, n_draws)
              for n in varied}
    draws, cost_draws = _total(units, costs, effects, values)
    draws = np.broadcast_to(np.asarray(draws, float), (n_draws,)).copy()
    if costs:
        cost_draws = np.broadcast_to(np.asarray(cost_draws, float), (n_draws,)).copy()
    point_effects = [u.effect.estimate for u in units]
    point, point_cost = (float(x) for x in _total(units, costs, point_effects, {}))
    analytic = {what: _delta_se(units, costs, varied, what) for what in ("savings", "net")}
    return MonteCarloResult(tuple(u.label for u in units), draws, cost_draws if costs else None,
                            point, point_cost if costs else None, analytic, tuple(varied),
                            n_draws, seed, alpha, title=str(title))


def _delta_se(units, costs, varied, what) -> float:
    """Exact variance from the effects (linear) plus first-order delta terms for the inputs."""
    assumptions = units[0].inputs.assumptions()
    var = sum((u.euros_per_unit_effect * u.effect.std_error) ** 2 for u in units)
    effects = [u.effect.estimate for u in units]
    for n in varied:
        x = assumptions[n].value
        h = DELTA_STEP * max(abs(x), 1.0)
        hi = _total(units, costs if what == "net" else [], effects, {n: x + h})
        lo = _total(units, costs if what == "net" else [], effects, {n: x - h})
        grad = ((hi[0] - hi[1]) - (lo[0] - lo[1])) / (2 * h)
        var += float(grad) ** 2 * assumptions[n].variance()
    return float(np.sqrt(var))


@dataclass(frozen=True, eq=False, repr=False)
class Sensitivity(Result):
    """One-at-a-time sensitivity of the savings (or net savings) to each input's range."""

    table: pd.DataFrame
    base: float
    outcome: str
    title: str = "Sensitivity (tornado)"

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": r.input, "estimate": self.base, "std_error": np.nan,
                            "statistic": np.nan, "p_value": np.nan,
                            "ci_lower": min(r.output_at_low, r.output_at_high),
                            "ci_upper": max(r.output_at_low, r.output_at_high),
                            "low_value": r.low_value, "high_value": r.high_value,
                            "output_at_low": r.output_at_low, "output_at_high": r.output_at_high,
                            "swing": r.swing} for r in self.table.itertuples()])

    def _header(self) -> dict:
        return {"outcome": self.outcome, "base": self.base,
                "method": "one input at a time at its low and high value; the effect at its CI bounds"}

    def plot(self, ax=None):
        """Tornado chart: one bar per input from its low to its high value's outcome."""
        import matplotlib.pyplot as plt
        ax = ax or plt.gca()
        t = self.table.iloc[::-1]
        y = np.arange(len(t))
        low, high = (t[c].to_numpy(float) - self.base for c in ("output_at_low", "output_at_high"))
        # an input without a bounded range (an effect with no design-based interval) has no bar
        open_ = ~(np.isfinite(low) & np.isfinite(high))
        ax.barh(y, np.where(open_, 0.0, low), left=self.base, color="C3", label="at low value")
        ax.barh(y, np.where(open_, 0.0, high), left=self.base, color="C0", label="at high value")
        for row in y[open_]:
            ax.text(self.base, row, " no interval", va="center", fontsize="small")
        ax.axvline(self.base, color="k", lw=1)
        ax.set_yticks(y, t["input"])
        ax.tick_params(axis="y", labelsize="small")
        ax.set_xlabel(f"{self.outcome} (EUR)")
        euro_axis(ax.xaxis)
        ax.legend(loc="lower right", fontsize="small")
        return ax


def sensitivity(savings: Savings | Sequence[Savings], *,
                cost: FipCost | Sequence[FipCost] | None = None) -> Sensitivity:
    """Tornado table: the outcome with each input at its low and high value, others fixed.

    The outcome is the savings per year (net savings when ``cost`` is given), summed over the
    units. The effects enter as one row, all at their lower and at their upper CI bound.

    Examples
    --------
    >>> from fipeval.costing import crude_savings
    >>> sens = sensitivity(crude_savings(0.02, caseload=2400, std_error=0.01))
    >>> list(sens.table["input"])
    ['effect (CI bounds)', 'annual_benefit_cost']
    """
    units = _as_list(savings, Savings, "savings")
    costs = [] if cost is None else _as_list(cost, FipCost, "cost")
    effects = [u.effect.estimate for u in units]

    def outcome(effects, values):
        s, c = _total(units, costs, effects, values)
        return float(s - c)

    base = outcome(effects, {})
    rows = [{"input": "effect (CI bounds)", "low_value": np.nan, "high_value": np.nan,
             "output_at_low": outcome([u.effect.ci_lower for u in units], {}),
             "output_at_high": outcome([u.effect.ci_upper for u in units], {})}]
    assumptions = units[0].inputs.assumptions()
    for n in _varied(units, costs, True):
        a = assumptions[n]
        rows.append({"input": n, "low_value": a.low, "high_value": a.high,
                     "output_at_low": outcome(effects, {n: a.low}),
                     "output_at_high": outcome(effects, {n: a.high})})
    table = pd.DataFrame(rows)
    table["swing"] = (table["output_at_high"] - table["output_at_low"]).abs()
    table = table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    return Sensitivity(table, base, "net savings per year" if costs else "savings per year")
