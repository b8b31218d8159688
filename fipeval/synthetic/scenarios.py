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
    # FIP multiplies each life domain's monthly chance of a rise (model._domain_block)
    domain_movement_ratio: float = 1.3


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
    # --- benefit types (issue 21) ---
    benefit_type: str = "bijstand"    # schema.BENEFIT_TYPES; sets the export's format
    # WW: a spell ends as "exhausted" when it reaches its maximum duration (``max_duration``)
    max_duration: bool = False
    # the six life domains of FIP cohort clients (model._domain_block): monthly chance that
    # a domain's score rises (falls) by one step under regular service
    domain_rise_rate: float = 0.012
    domain_fall_rate: float = 0.006
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


# --- benefit types (issue 21) -------------------------------------------------------------
# Two small examples of the other benefits FIP is argued for, each exported in its own
# format (fipeval.synthetic.export; presets ww.toml / aov.toml). Sizes keep a report to
# seconds. The hazards and end-reason mixes are plausible orders of magnitude, not
# estimates: WW spells are short (most end within a year, by work) and end at their
# maximum duration at the latest (model.max_duration_months); AOV claims after the waiting
# period mostly end by recovery, some run for years until the policy's end age.
WW_REASON_SHARES = dict(work=0.68, enforcement=0.02, moved=0.02, other_benefit=0.10,
                        education=0.01, death=0.005, retirement=0.04, other=0.10,
                        unknown=0.025)          # "exhausted" comes from the maximum duration
AOV_REASON_SHARES = dict(recovered=0.58, work=0.06, enforcement=0.02, other_benefit=0.03,
                         death=0.03, retirement=0.12, exhausted=0.08, other=0.05, unknown=0.03)

WW_EXAMPLE = ScenarioParams(
    name="ww_example",
    municipalities=(("UWV Amersfoort", "AMF", 1000), ("UWV Utrecht", "UTR", 500)),
    burn_in_start="2014-01-01",
    history_start="2016-01-01",
    extract_date="2019-06-30",
    min_months_on_benefit=3.0,
    caseload_per_caseworker=70,
    hazard_bands=((3, 0.11), (6, 0.09), (12, 0.07), (10_000, 0.05)),
    reason_shares=WW_REASON_SHARES,
    fraud_rate=0.002, activation_rate=0.004, regular_contact_rate=0.15,
    reentry_probability=0.15,
    benefit_type="ww", max_duration=True,
    sites=(SiteSpec("UWV Amersfoort", "2018-01-01", 12, ("AMF-01", "AMF-02", "AMF-03"), 50,
                    dict(work=1.3, enforcement=1.8), fraud_rate_ratio=2.0,
                    activation_rate_ratio=1.5),),
)

AOV_EXAMPLE = ScenarioParams(
    name="aov_example",
    municipalities=(("Regio Noord", "NRD", 500), ("Regio Zuid", "ZUD", 700)),
    burn_in_start="2008-01-01",
    history_start="2014-01-01",
    extract_date="2019-12-31",
    min_months_on_benefit=6.0,
    caseload_per_caseworker=70,
    hazard_bands=((3, 0.12), (12, 0.05), (24, 0.025), (60, 0.015), (10_000, 0.010)),
    reason_shares=AOV_REASON_SHARES,
    fraud_rate=0.002, activation_rate=0.006, regular_contact_rate=0.10,
    reentry_probability=0.10,
    benefit_type="aov",
    sites=(SiteSpec("Regio Zuid", "2018-01-01", 18, ("ZUD-01", "ZUD-02", "ZUD-03"), 50,
                    dict(recovered=1.25, work=1.3, enforcement=1.5), fraud_rate_ratio=1.5,
                    activation_rate_ratio=1.5),),
)
# --- end benefit types --------------------------------------------------------------------


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
             "national": national,
             "ww_example": lambda **kw: replace(WW_EXAMPLE, **kw),
             "aov_example": lambda **kw: replace(AOV_EXAMPLE, **kw)}
# brabantse_wal's seed is chosen so that the pilot's arithmetic on the bundle (FIP minus control
# x the caseload x EUR 14,000) reproduces its "over EUR 750,000" (tests/test_costing_synthetic.py,
# tests/test_report.py) with a cohort of the pilot's size (tests/test_synthetic.py); 82 did
# before the caseworker history (issue 21) changed the draws
DEFAULT_SEEDS = {"brabantse_wal": 382, "three_municipalities": 2017, "national": 2024,
                 "ww_example": 2018, "aov_example": 2019}
