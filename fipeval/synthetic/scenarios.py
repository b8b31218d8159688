"""Parameters of the bundled synthetic scenarios.

Each scenario is a ``ScenarioParams``: the municipalities with their size, the history
window, the monthly exit hazard by spell duration, end-reason shares, and one ``SiteSpec``
per FIP site with its effects. The effects are multipliers on the monthly hazard of each
end reason and on the monthly probability of a fraud signal or an activation step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..schema import END_REASONS

# Share of each end reason among exits under regular service (sums to 1), in END_REASONS order.
DEFAULT_REASON_SHARES = dict(work=0.30, enforcement=0.08, moved=0.14, partner=0.10,
                             other_benefit=0.20, education=0.04, death=0.03, other=0.08,
                             unknown=0.03)


@dataclass(frozen=True)
class SiteSpec:
    municipality: str | None          # None: one site over every municipality
    start: str                        # first day of a month
    follow_up_months: int
    fip_caseworkers: tuple            # caseworker ids that switch to FIP at the start
    fip_caseload: int                 # eligible clients per FIP caseworker at the start
    reason_multipliers: dict          # FIP hazard ratio per end reason (>= 1)
    fraud_rate_ratio: float = 1.0
    activation_rate_ratio: float = 1.0


@dataclass(frozen=True)
class ScenarioParams:
    name: str
    municipalities: tuple             # (name, code, stock of clients on benefit)
    burn_in_start: str                # simulation starts empty here
    history_start: str                # exports hold what runs on or after this date
    extract_date: str
    sites: tuple
    caseload_per_caseworker: int = 150
    min_months_on_benefit: float = 6.0
    max_ladder_rung: int | None = None
    # monthly exit hazard by months on benefit: (upper bound of the band, hazard)
    hazard_bands: tuple = ((6, 0.060), (12, 0.026), (24, 0.019), (60, 0.015), (10_000, 0.012))
    reason_shares: dict = field(default_factory=lambda: dict(DEFAULT_REASON_SHARES))
    municipality_sd: float = 0.10     # SD of municipality effects on the log hazard
    caseworker_sd: float = 0.15       # SD of caseworker effects on the log hazard
    fraud_rate: float = 0.006         # monthly probability of a fraud signal (regular service)
    activation_rate: float = 0.010    # monthly probability of an activation step
    regular_contact_rate: float = 0.05
    reentry_probability: float = 0.20  # share of exits followed by a new spell (1-24 months later)
    # share of clients a year moved to another caseworker of their municipality (also
    # during a FIP follow-up: a FIP client moved away leaves FIP, stays FIP by intention)
    reassignment_rate: float = 0.04

    def reason_share_array(self) -> np.ndarray:
        shares = np.array([self.reason_shares.get(r, 0.0) for r in END_REASONS])
        return shares / shares.sum()


BRABANTSE_WAL = ScenarioParams(
    name="brabantse_wal",
    municipalities=(("Bergen op Zoom", "BOZ", 1400), ("Woensdrecht", "WDR", 420),
                    ("Steenbergen", "STB", 420)),
    burn_in_start="2002-01-01",
    history_start="2012-01-01",
    extract_date="2016-03-31",
    sites=(SiteSpec(
        municipality=None, start="2014-11-01", follow_up_months=12,
        fip_caseworkers=("BOZ-01", "BOZ-02"), fip_caseload=180,
        reason_multipliers=dict(work=1.2, enforcement=2.0, partner=1.5, other=1.1),
        fraud_rate_ratio=2.5, activation_rate_ratio=1.6),),
)

THREE_MUNICIPALITIES = ScenarioParams(
    name="three_municipalities",
    municipalities=(("Amersfoort", "AMF", 3000), ("IJsselgemeenten", "IJS", 1200),
                    ("Gemeente C", "GMC", 1500)),
    burn_in_start="2006-01-01",
    history_start="2014-01-01",
    extract_date="2019-12-31",
    max_ladder_rung=3,
    sites=(
        SiteSpec("Amersfoort", "2017-03-01", 18, ("AMF-01", "AMF-02"), 80,
                 dict(work=1.05, enforcement=1.2), fraud_rate_ratio=2.2, activation_rate_ratio=1.8),
        SiteSpec("IJsselgemeenten", "2017-09-01", 14, ("IJS-01", "IJS-02"), 80,
                 dict(work=1.3, enforcement=2.0, partner=1.6, other=1.3),
                 fraud_rate_ratio=2.0, activation_rate_ratio=1.8),
        SiteSpec("Gemeente C", "2018-03-01", 10, ("GMC-01", "GMC-02"), 80,
                 dict(), fraud_rate_ratio=1.1, activation_rate_ratio=1.8),
    ),
)


def national(scale: float = 1.0, n_municipalities: int = 350, n_sites: int = 40,
             seed: int = 0, **overrides) -> ScenarioParams:
    """The national-scale scenario: about 400,000 clients x ``scale`` over 350 municipalities.

    Municipality sizes follow a log-normal spread with Amsterdam and Rotterdam at about
    35,000 clients each; ``n_sites`` municipalities adopt FIP at quarterly dates 2019-2021.
    ``overrides`` replace fields of the result (for example ``sites``), as for the other
    scenarios.
    """
    rng = np.random.default_rng(seed)
    total = 400_000 * scale
    big = min(2, n_municipalities)
    rest = rng.lognormal(mean=0.0, sigma=1.0, size=n_municipalities - big)
    rest = rest / rest.sum() * (total - big * 35_000 * scale)
    stocks = np.concatenate([[35_000 * scale] * big, rest])
    munis = tuple((f"Gemeente {i:03d}", f"G{i:03d}", max(int(round(s)), 40))
                  for i, s in enumerate(stocks))
    starts = pd.date_range("2019-01-01", "2021-10-01", freq="QS")
    sites = tuple(
        SiteSpec(munis[i][0], str(starts[k % len(starts)].date()), 12,
                 (f"{munis[i][1]}-01", f"{munis[i][1]}-02"), 180,
                 dict(work=1.15, enforcement=2.0, partner=1.5, other=1.1),
                 fraud_rate_ratio=2.5, activation_rate_ratio=1.6)
        for k, i in enumerate(range(big, big + min(n_sites, n_municipalities - big))))
    return replace(ScenarioParams(name="national", municipalities=munis,
                                  burn_in_start="2007-01-01", history_start="2015-01-01",
                                  extract_date="2024-12-31", sites=sites,
                                  regular_contact_rate=0.02), **overrides)


SCENARIOS = {"brabantse_wal": lambda **kw: replace(BRABANTSE_WAL, **kw),
             "three_municipalities": lambda **kw: replace(THREE_MUNICIPALITIES, **kw),
             "national": national}
DEFAULT_SEEDS = {"brabantse_wal": 82, "three_municipalities": 2017, "national": 2024}
