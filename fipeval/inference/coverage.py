"""Coverage study: how often do 95% intervals cover the true effect with few FIP caseworkers?

Design-based simulation on a synthetic scenario: the cohort and every client's potential
outcomes (``SyntheticStudy.truth``) stay fixed; each replication draws which caseworkers run
FIP (``k`` of them, at random), reveals ``ended_1`` for their clients and ``ended_0`` for the
rest, and asks each method for a 95% interval of the termination risk difference. The target
is the replication's true ATT (mean of ``ended_1 - ended_0`` over its FIP clients).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, renamed
from ..results import Result
from .measures import two_by_two
from .ols import fit_ols
from .randomization import randomization_inference
from .wild import wild_cluster_bootstrap
from .._version import __version__

METHODS = ("iid", "CR1", "CR2", "wild", "wild (Webb)", "randomization")


@dataclass(frozen=True, repr=False, eq=False)
class CoverageTable(Result):
    """Share of replications whose interval covered the true ATT, per method and design."""

    table: pd.DataFrame
    scenario: str
    reps: int
    seed: int
    n_draws: int
    alpha: float
    title: str = "Coverage of the termination risk difference intervals"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def _header(self) -> dict:
        return {"scenario": self.scenario, "replications": self.reps,
                "design": "FIP re-assigned to k random caseworkers per replication; true ATT "
                          "from the potential outcomes",
                "nominal coverage": 1 - self.alpha, "bootstrap/permutation draws": self.n_draws,
                "seed": self.seed, "fipeval": __version__}

    def _notes(self) -> tuple:
        return (("Monte Carlo standard error of a coverage near 95% is about "
                 f"{np.sqrt(0.95 * 0.05 / self.reps):.3f}."),)


@renamed(n_boot="n_draws", treated="fip_caseworkers")
def coverage_study(cohort: pd.DataFrame, truth: pd.DataFrame, *,
                   fip_caseworkers: Sequence[int] = (2, 5, 30),
                   reps: int = 200, seed: int | None = None, n_draws: int = 999, alpha: float = 0.05,
                   cluster: str = "caseworker", scenario: str = "") -> CoverageTable:
    """Coverage and width of each method's interval for k = ``fip_caseworkers`` FIP caseworkers.

    Parameters
    ----------
    cohort : DataFrame
        Cohort with ``client_id`` and the cluster column.
    truth : DataFrame
        ``SyntheticStudy.truth`` (``client_id, ended_0, ended_1``).
    fip_caseworkers : sequence of int
        Numbers of FIP caseworkers to simulate.
    reps, seed, n_draws, alpha
        Replications, seed for ``numpy.random.default_rng``, resampling draws, level.

    Returns
    -------
    CoverageTable
        Rows per (treated caseworkers, method): coverage, median width, share of unbounded
        intervals, rejection rate of "no effect".

    Examples
    --------
    >>> from fipeval.synthetic import generate
    >>> from fipeval.design import build_cohort
    >>> s = generate("brabantse_wal")
    >>> t = coverage_study(build_cohort(s.register, s.design), s.truth, fip_caseworkers=(2,),
    ...                    reps=2)
    >>> sorted(t.tidy().method.unique())[:2]
    ['CR1', 'CR2']
    """
    data = cohort[["client_id", cluster]].merge(truth[["client_id", "ended_0", "ended_1"]],
                                                on="client_id", how="inner", validate="1:1")
    codes, labels = pd.factorize(data[cluster], sort=True)
    G = len(labels)
    treated = fip_caseworkers
    if max(treated) >= G:
        raise InputError(f"The cohort has {G} caseworkers; cannot make {max(treated)} of them FIP "
                         "and keep a control group.")
    y0, y1 = data.ended_0.to_numpy(float), data.ended_1.to_numpy(float)
    rng = np.random.default_rng(seed)
    rows = []
    for k in treated:
        hits = {m: [] for m in METHODS}
        for r in range(reps):
            chosen = rng.choice(G, size=k, replace=False)
            d = np.isin(codes, chosen).astype(float)
            y = np.where(d == 1, y1, y0)
            att = float((y1 - y0)[d == 1].mean())
            X = np.column_stack([np.ones(len(y)), d])
            intervals = {}
            tab = two_by_two(int(y[d == 1].sum()), int(d.sum()), int(y[d == 0].sum()),
                             int((d == 0).sum()), alpha=alpha).row("risk difference (Wald)")
            intervals["iid"] = (tab.ci_lower, tab.ci_upper, tab.p_value)
            for v in ("CR1", "CR2"):
                t = fit_ols(y, X, cluster=codes, vcov=v, alpha=alpha).tidy().iloc[1]
                intervals[v] = (t.ci_lower, t.ci_upper, t.p_value)
            draw_seed = int(rng.integers(2 ** 31))
            for name, wt in (("wild", "rademacher"), ("wild (Webb)", "webb")):
                w = wild_cluster_bootstrap(y, X, codes, column=1, weight_type=wt, n_draws=n_draws,
                                           seed=draw_seed, alpha=alpha)
                intervals[name] = (w.ci_lower, w.ci_upper, w.p_value)
            ri = randomization_inference(y, X, codes, column=1, n_draws=n_draws, seed=draw_seed,
                                         alpha=alpha)
            intervals["randomization"] = (ri.ci_lower, ri.ci_upper, ri.p_value)
            for m, (lo, hi, p) in intervals.items():
                hits[m].append((lo <= att <= hi, hi - lo, p < alpha))
        for m in METHODS:
            arr = np.array(hits[m], dtype=float)
            rows.append({"treated_caseworkers": k, "method": m, "coverage": arr[:, 0].mean(),
                         "median_width": float(np.median(arr[:, 1])),
                         "unbounded": float(np.mean(~np.isfinite(arr[:, 1]))),
                         "rejects_no_effect": arr[:, 2].mean(), "reps": reps})
    return CoverageTable(table=pd.DataFrame(rows), scenario=scenario, reps=reps, seed=seed,
                         n_draws=n_draws, alpha=alpha)
