"""Named, sourced, overridable inputs of the costing.

Every number the costing uses is an ``Assumption``: a value with its unit, where it comes
from, and (optionally) a plausible range that the sensitivity analysis and the Monte Carlo
use. ``CostInputs`` bundles them with two replaceable tables: the dated bijstand norms by
household type (``NormTable``) and the return-to-benefit curves by exit reason
(``RecidivismTable``). Defaults come from ../shared/DOMAIN.md (Berenschot, Divosa, the
published norms); values without a published source say so in their ``source``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import InputError, SchemaError, check_columns
from ..schema import BENEFIT_TYPES, END_REASONS, HOUSEHOLD_TYPES

ALL_REASONS = "all"  # recidivism row used for exit reasons without a curve of their own


@dataclass(frozen=True)
class Assumption:
    """One costing input: a value, its unit, its source, and an optional plausible range.

    Parameters
    ----------
    value
        The central value used in the point estimate.
    unit
        What the number counts, e.g. ``"EUR per benefit per year"``.
    source
        Where the number comes from (publication, or "assumption: ..." when it has none).
    low, high
        A plausible range for sensitivity analysis and Monte Carlo (both or neither).

    Examples
    --------
    >>> Assumption(14_000, "EUR per benefit per year", "DOMAIN.md").value
    14000.0
    """

    value: float
    unit: str
    source: str
    low: float | None = None
    high: float | None = None

    def __post_init__(self):
        try:
            value = float(self.value)
        except (TypeError, ValueError) as err:
            raise InputError(f"An assumption's value must be a number; got {self.value!r}.") from err
        if not math.isfinite(value):
            raise InputError(f"An assumption's value must be finite; got {value} ({self.unit}).")
        object.__setattr__(self, "value", value)
        if (self.low is None) != (self.high is None):
            raise InputError(f"Give both `low` and `high` of the range or neither "
                             f"(value {value} {self.unit}).")
        if self.low is not None:
            low, high = float(self.low), float(self.high)
            if not low <= value <= high:
                raise InputError(f"The range [{low}, {high}] does not contain the value {value} "
                                 f"({self.unit}); fix `low`/`high`.")
            object.__setattr__(self, "low", low)
            object.__setattr__(self, "high", high)

    @property
    def has_range(self) -> bool:
        return self.low is not None

    def variance(self) -> float:
        """Variance of the triangular(low, value, high) distribution used for uncertain inputs."""
        if not self.has_range:
            return 0.0
        a, c, b = self.low, self.value, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0


def _norm_rows() -> pd.DataFrame:
    # Published net norms incl. holiday allowance (DOMAIN.md). Single parents get the single
    # norm since 2015. Each level is carried forward to the next listed date: the half-yearly
    # indexations in between are not in our sources, so 2016-2018 and 2019-2023 are understated.
    levels = [("2015-01-01", "2015-06-30", 960.83, 1372.62),
              ("2015-07-01", "2018-12-31", 962.63, 1375.18),
              ("2019-01-01", "2023-12-31", 1022.98, 1461.41),
              ("2024-01-01", "2024-12-31", 1283.83, 1834.04),
              ("2025-01-01", None, 1345.45, 1922.07)]
    rows = []
    for start, until, single, couple in levels:
        for household, norm in (("single", single), ("single_parent", single), ("couple", couple)):
            rows.append({"valid_from": pd.Timestamp(start),
                         "valid_until": pd.Timestamp(until) if until else pd.NaT,
                         "household_type": household, "monthly_norm": norm,
                         "source": "net bijstand norm incl. holiday allowance (DOMAIN.md); "
                                   "carried forward to the next listed date"})
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class NormTable:
    """Dated monthly bijstand norms by household type: a table the user can replace.

    Columns: ``valid_from``, ``valid_until`` (inclusive; missing = open-ended, last row only),
    ``household_type`` (single, single_parent, couple), ``monthly_norm`` (EUR per month),
    optional ``source``. Per household type the periods must follow each other without gaps
    or overlaps.

    Examples
    --------
    >>> NormTable.default().monthly_norm("2015-03-01", "couple")
    1372.62
    """

    table: pd.DataFrame

    def __post_init__(self):
        object.__setattr__(self, "table", _validate_norms(self.table))

    @classmethod
    def default(cls) -> "NormTable":
        return cls(_norm_rows())

    @cached_property
    def _lookup(self) -> dict:
        out = {}
        for household, rows in self.table.groupby("household_type", sort=False):
            rows = rows.sort_values("valid_from")
            until = rows["valid_until"].to_numpy("datetime64[ns]")
            # an open-ended norm holds until the end of time (NaT -> the largest date)
            until = np.where(np.isnat(until), np.datetime64(pd.Timestamp.max, "ns"), until)
            out[household] = (rows["valid_from"].to_numpy("datetime64[ns]"), until,
                              rows["monthly_norm"].to_numpy(float))
        return out

    def monthly_norm(self, date, household_type: str) -> float:
        """The norm in force on ``date`` for ``household_type``."""
        date = pd.Timestamp(date)
        if household_type not in self._lookup:
            raise InputError(f"The norm table has no rows for household type {household_type!r}; "
                             f"it has {sorted(self._lookup)}.")
        starts, untils, norms = self._lookup[household_type]
        k = int(np.searchsorted(starts, date.to_datetime64(), side="right")) - 1
        if k < 0 or untils[k] < date.to_datetime64():
            raise InputError(f"The norm table does not cover {date.date()} for {household_type!r} "
                             f"(it starts {pd.Timestamp(starts[0]).date()}); add the norm for "
                             "that date or pass another `price_date`.")
        return float(norms[k])


def _validate_norms(table: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"A norm table must be a DataFrame; got {type(table).__name__}.")
    check_columns(table, ["valid_from", "valid_until", "household_type", "monthly_norm"],
                  what="The norm table")
    df = table.copy()
    if df.empty:
        raise InputError("The norm table is empty; give at least one dated norm per household type.")
    for col in ("valid_from", "valid_until"):
        try:
            df[col] = pd.to_datetime(df[col])
        except (TypeError, ValueError) as err:
            raise SchemaError(f"Column `{col}` of the norm table is not a date column: {err}") from err
    bad = ~df["household_type"].isin(HOUSEHOLD_TYPES)
    if bad.any():
        raise SchemaError(f"`household_type` in the norm table has value {df.loc[bad, 'household_type'].iloc[0]!r} "
                          f"(row {int(np.flatnonzero(bad)[0])}); use one of {', '.join(HOUSEHOLD_TYPES)}.")
    norm = pd.to_numeric(df["monthly_norm"], errors="coerce")
    bad = ~(norm > 0) | ~np.isfinite(norm)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"`monthly_norm` in the norm table must be a positive number; row {i} "
                         f"has {df['monthly_norm'].iloc[i]!r}.")
    df["monthly_norm"] = norm.astype(float)
    if df["valid_from"].isna().any():
        i = int(np.flatnonzero(df["valid_from"].isna())[0])
        raise InputError(f"`valid_from` is missing in row {i} of the norm table; every norm needs a start date.")
    back = df["valid_until"].notna() & (df["valid_until"] < df["valid_from"])
    if back.any():
        i = int(np.flatnonzero(back)[0])
        raise InputError(f"`valid_until` is before `valid_from` in row {i} of the norm table.")
    one_day = pd.Timedelta(days=1)
    for household, rows in df.sort_values("valid_from").groupby("household_type", sort=False):
        starts, untils = rows["valid_from"].to_list(), rows["valid_until"].to_list()
        for k in range(len(rows) - 1):
            if pd.isna(untils[k]):
                raise InputError(f"The norm table for {household!r} has an open-ended period from "
                                 f"{starts[k].date()} followed by one from {starts[k + 1].date()} "
                                 "(overlap); give `valid_until` for all but the last period.")
            expected = untils[k] + one_day
            if starts[k + 1] > expected:
                raise InputError(f"The norm table for {household!r} has a gap: no norm from "
                                 f"{expected.date()} to {(starts[k + 1] - one_day).date()}; "
                                 "add a row for that period.")
            if starts[k + 1] < expected:
                raise InputError(f"The norm table for {household!r} has overlapping periods: "
                                 f"{starts[k + 1].date()} starts before {untils[k].date()} ends; "
                                 "make each `valid_from` the day after the previous `valid_until`.")
    return df.sort_values(["household_type", "valid_from"]).reset_index(drop=True)


def _recidivism_rows() -> pd.DataFrame:
    divosa = "Divosa (DOMAIN.md): back on bijstand 14-15% within 6 months, 20-22% within a year, 30-35% within 2-5 years"
    enforcement = ("Divosa (DOMAIN.md): 28% back within 6 months after an enforcement exit; later "
                   "points assumed: the general curve scaled by 28/14.5")
    rows = [(ALL_REASONS, 6, 0.145, divosa), (ALL_REASONS, 12, 0.21, divosa),
            (ALL_REASONS, 24, 0.30, divosa), (ALL_REASONS, 60, 0.35, divosa)]
    scale = 0.28 / 0.145
    rows += [("enforcement", 6, 0.28, enforcement)]
    rows += [("enforcement", m, round(min(1.0, s * scale), 4), enforcement) for _, m, s, _ in rows[1:4]]
    rows += [("death", 60, 0.0, "nobody returns after death")]
    return pd.DataFrame(rows, columns=["end_reason", "months", "share", "source"])


@dataclass(frozen=True, eq=False)
class RecidivismTable:
    """Cumulative share back on benefit by months since exit, per exit reason (replaceable).

    Columns: ``end_reason`` (an END_REASONS value or ``"all"``, used for reasons without a
    curve of their own), ``months`` (> 0), ``share`` (0..1, non-decreasing in months),
    optional ``source``. Between points the share is interpolated linearly from 0 at month 0;
    after the last point it stays constant.

    Examples
    --------
    >>> RecidivismTable.default().share("work", 12)
    0.21
    """

    table: pd.DataFrame

    def __post_init__(self):
        object.__setattr__(self, "table", _validate_recidivism(self.table))

    @classmethod
    def default(cls) -> "RecidivismTable":
        return cls(_recidivism_rows())

    @cached_property
    def _curves(self) -> dict:
        return {reason: (np.r_[0.0, rows["months"].to_numpy(float)], np.r_[0.0, rows["share"].to_numpy(float)])
                for reason, rows in self.table.groupby("end_reason", sort=False)}

    def curve(self, end_reason: str) -> tuple[np.ndarray, np.ndarray]:
        """(months, cumulative share) points of ``end_reason``'s curve, starting at (0, 0)."""
        curve = self._curves.get(end_reason, self._curves.get(ALL_REASONS))
        if curve is None:
            raise InputError(f"The recidivism table has no curve for {end_reason!r} and no "
                             f"{ALL_REASONS!r} row to fall back on; add one.")
        return curve

    def share(self, end_reason: str, months) -> float | np.ndarray:
        """Cumulative share back on benefit ``months`` after an exit for ``end_reason``."""
        x, y = self.curve(end_reason)
        out = np.interp(months, x, y)
        return float(out) if np.ndim(out) == 0 else out


def _validate_recidivism(table: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"A recidivism table must be a DataFrame; got {type(table).__name__}.")
    check_columns(table, ["end_reason", "months", "share"], what="The recidivism table")
    df = table.copy()
    bad = ~df["end_reason"].isin((ALL_REASONS,) + END_REASONS)
    if bad.any():
        raise SchemaError(f"`end_reason` {df.loc[bad, 'end_reason'].iloc[0]!r} in the recidivism table is "
                          f"not one of {ALL_REASONS!r}, {', '.join(END_REASONS)}.")
    for col, lo, hi in (("months", 0.0, np.inf), ("share", 0.0, 1.0)):
        values = pd.to_numeric(df[col], errors="coerce")
        ok = (values >= lo) & (values <= hi) & ((values > 0) if col == "months" else True)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise InputError(f"`{col}` in row {i} of the recidivism table is {df[col].iloc[i]!r}; "
                             + ("months since exit must be positive." if col == "months"
                                else "a share must lie between 0 and 1."))
        df[col] = values.astype(float)
    df = df.sort_values(["end_reason", "months"]).reset_index(drop=True)
    for reason, rows in df.groupby("end_reason"):
        if rows["months"].duplicated().any():
            raise InputError(f"The recidivism curve for {reason!r} lists month "
                             f"{rows['months'][rows['months'].duplicated()].iloc[0]:g} twice.")
        if (np.diff(rows["share"].to_numpy()) < 0).any():
            raise InputError(f"The recidivism curve for {reason!r} decreases with time; a cumulative "
                             "share back on benefit cannot fall.")
    return df


def _default(value, unit, source, low=None, high=None):
    return field(default_factory=lambda: Assumption(value, unit, source, low, high))


NONNEGATIVE = ("annual_benefit_cost", "annual_administration_cost", "norm_factor", "hourly_cost",
               "training_cost_per_caseworker", "fte_hours_per_year", "discount_rate",
               "recidivism_scale")


@dataclass(frozen=True, eq=False)
class CostInputs:
    """Every input of the costing, named, sourced and overridable.

    Override with ``CostInputs().with_values(annual_benefit_cost=15_000)`` (plain numbers keep
    unit and record "set by the user") or pass whole ``Assumption`` objects.
    ``table()`` lists them all for the report.

    Examples
    --------
    >>> CostInputs().with_values(hourly_cost=70).hourly_cost.value
    70.0
    """

    annual_benefit_cost: Assumption = _default(
        14_000, "EUR per benefit per year",
        "DOMAIN.md: an average bijstand benefit costs about EUR 14,000 a year "
        "(range: assumption +-15%)", 12_000, 16_000)
    annual_administration_cost: Assumption = _default(
        2_883, "EUR per benefit per year",
        "Berenschot via DOMAIN.md: administration about EUR 2,883 a year per benefit "
        "(range: assumption +-20%)", 2_306, 3_460)
    norm_factor: Assumption = _default(
        1.0, "share of the norm paid",
        "assumption: the full net norm is paid (no other income, no gross-up for taxes); "
        "below 1 for partial benefits", 0.85, 1.15)
    recidivism_scale: Assumption = _default(
        1.0, "multiplier on the recidivism curves",
        "assumption: Divosa curves as published (range: the Divosa ranges, roughly +-10%, widened)",
        0.8, 1.2)
    discount_rate: Assumption = _default(
        0.0225, "per year",
        "Werkgroep discontovoet 2020 (standard rate for Dutch social cost-benefit analysis); "
        "not in DOMAIN.md: check locally", 0.0, 0.04)
    hourly_cost: Assumption = _default(
        60.0, "EUR per caseworker hour",
        "assumption without a published source: order of magnitude of an integral hourly rate of a "
        "municipal caseworker; replace with the local rate", 45.0, 80.0)
    fte_hours_per_year: Assumption = _default(
        1_500.0, "productive hours per FTE per year",
        "assumption without a published source: productive hours of a full-time caseworker", 1_400.0, 1_600.0)
    training_cost_per_caseworker: Assumption = _default(
        2_500.0, "EUR per caseworker (one-off)",
        "assumption without a published source: FIP method training; replace with the offer's price",
        1_000.0, 5_000.0)
    training_lifetime_years: Assumption = _default(
        3.0, "years", "assumption: training written off over three years")
    norm_table: NormTable = field(default_factory=NormTable.default)
    recidivism: RecidivismTable = field(default_factory=RecidivismTable.default)
    # --- benefit types (issue 21): see ``benefit_inputs`` ---
    benefit_type: str = "bijstand"
    monthly_benefit: Assumption | None = None   # WW/AOV: priced instead of the norm table

    def __post_init__(self):
        if self.benefit_type not in BENEFIT_TYPES:
            raise InputError(f"`benefit_type` must be one of {', '.join(BENEFIT_TYPES)}; "
                             f"got {self.benefit_type!r}.")
        if self.monthly_benefit is not None and not isinstance(self.monthly_benefit, Assumption):
            raise InputError("`monthly_benefit` must be an Assumption or None; got "
                             f"{type(self.monthly_benefit).__name__}.")
        if self.benefit_type != "bijstand" and self.monthly_benefit is None:
            raise InputError(f"A {self.benefit_type} costing needs `monthly_benefit` (EUR per "
                             "benefit per month); build the inputs with "
                             f"benefit_inputs({self.benefit_type!r}).")
        for f in fields(self):
            if f.name in ("benefit_type", "monthly_benefit"):
                continue
            value = getattr(self, f.name)
            if f.name in ("norm_table", "recidivism"):
                expected = NormTable if f.name == "norm_table" else RecidivismTable
                if isinstance(value, pd.DataFrame):
                    object.__setattr__(self, f.name, expected(value))
                elif not isinstance(value, expected):
                    raise InputError(f"`{f.name}` must be a {expected.__name__} or a DataFrame; "
                                     f"got {type(value).__name__}.")
                continue
            if not isinstance(value, Assumption):
                raise InputError(f"`{f.name}` must be an Assumption; got {type(value).__name__}. "
                                 "Use CostInputs().with_values(...) to pass plain numbers.")
            if f.name in NONNEGATIVE and (value.value < 0 or (value.has_range and value.low < 0)):
                raise InputError(f"`{f.name}` must not be negative; got {value.value:g} {value.unit}"
                                 + (f" (range {value.low:g} to {value.high:g})" if value.has_range else "")
                                 + ".")
        if self.training_lifetime_years.value <= 0:
            raise InputError("`training_lifetime_years` must be positive; got "
                             f"{self.training_lifetime_years.value:g}.")

    def with_values(self, **overrides) -> "CostInputs":
        """A copy with some inputs replaced; plain numbers keep the unit and drop the range."""
        names = {f.name for f in fields(self)}
        new = {}
        for name, value in overrides.items():
            if name not in names:
                raise InputError(f"CostInputs has no input `{name}`; inputs: {', '.join(sorted(names))}.")
            if name in ("norm_table", "recidivism", "benefit_type") or isinstance(value, Assumption):
                new[name] = value
            elif getattr(self, name) is None:     # monthly_benefit of a bijstand costing
                new[name] = Assumption(value, "EUR per benefit per month", "set by the user")
            else:
                old = getattr(self, name)
                new[name] = Assumption(value, old.unit, f"set by the user (default {old.value:g}: {old.source})")
        return replace(self, **new)

    def assumptions(self) -> dict[str, Assumption]:
        """The inputs that are single numbers, by name (a fresh dict)."""
        return dict(self._assumptions)

    @cached_property
    def _assumptions(self) -> dict[str, Assumption]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), Assumption)}

    def table(self) -> pd.DataFrame:
        """One row per input: name, value, unit, low, high, source."""
        return pd.DataFrame([{"name": k, "value": a.value, "unit": a.unit, "low": a.low,
                              "high": a.high, "source": a.source}
                             for k, a in self.assumptions().items()])


# --- benefit types (issue 21) -------------------------------------------------------------
# The benefit's name in the report's English (the Dutch catalog translates it).
BENEFIT_NAMES = {"bijstand": "social assistance (bijstand)",
                 "ww": "unemployment benefit (WW)",
                 "aov": "disability insurance (AOV)"}
# Who pays the benefit, so who saves when it ends sooner (stated in the report's costing).
BENEFIT_PAYERS = {
    "bijstand": "the municipality: bijstand (Participatiewet) is paid from the municipality's "
                "budget for benefits (BUIG, from the national government)",
    "ww": "UWV, from the unemployment insurance funds (financed by employers' premiums): the "
          "municipality saves nothing unless the client would have moved on to bijstand",
    "aov": "the insurer that holds the self-employed person's policy (financed by the "
           "policyholders' premiums): neither UWV nor the municipality pays an AOV benefit",
}
# WW's benefit (Werkloosheidswet art. 47): 75% of the daily wage (dagloon) in the first two
# months, 70% after; the daily wage is capped at the maximum daily wage (Besluit
# dagloonregels werknemersverzekeringen) and paid for 21.75 days a month (261 a year).
WW_FIRST_MONTHS_RATE = 0.75
WW_REPLACEMENT_RATE = 0.70
WW_FIRST_MONTHS = 2
WW_DAYS_PER_MONTH = 21.75
WW_MAX_DAILY_WAGE = Assumption(
    274.44, "EUR per day",
    "maximum daily wage (maximumdagloon) from 1 January 2024: the ministry of social affairs' "
    "rekenregels per 1 januari 2024 (SZW, December 2023; 21.75 wage days a month); it is "
    "indexed each January and July: use the amount of the study's years")
WW_DAILY_WAGE = Assumption(
    115.0, "EUR per day",
    "assumption without a published source: order of magnitude of a WW client's daily wage "
    "(below the maximum); used only when the data hold no benefit amounts", 80.0, 180.0)
AOV_MONTHLY_BENEFIT = Assumption(
    2_000.0, "EUR per benefit per month",
    "assumption without a published source: order of magnitude of an insured AOV benefit "
    "(insured amounts of EUR 1,000-3,000 a month are common); used only when the data hold "
    "no benefit amounts: take the insurer's own", 1_200.0, 3_000.0)
_ADMINISTRATION = {
    "ww": Assumption(1_500.0, "EUR per benefit per year",
                     "assumption without a published source: UWV's execution cost per WW "
                     "benefit a year (Berenschot's EUR 2,883 is a municipal bijstand figure)",
                     800.0, 2_500.0),
    "aov": Assumption(1_500.0, "EUR per benefit per year",
                      "assumption without a published source: an insurer's claims handling "
                      "per AOV benefit a year", 800.0, 3_000.0),
}


def ww_monthly_benefit(daily_wage, months_on_benefit=WW_FIRST_MONTHS, *,
                       max_daily_wage: float = WW_MAX_DAILY_WAGE.value):
    """WW benefit for one month: the capped daily wage x 21.75 days x 75% (first two months
    on benefit) or 70% (later).

    Parameters
    ----------
    daily_wage
        The client's daily wage (dagloon) in EUR; capped at ``max_daily_wage``.
    months_on_benefit
        Whole months already on benefit at the start of the month (0 = the first month).
    max_daily_wage
        The maximum daily wage in force (default: 1 January 2024, ``WW_MAX_DAILY_WAGE``).

    Examples
    --------
    >>> round(ww_monthly_benefit(100.0, 0), 2)     # 100 x 21.75 x 0.75
    1631.25
    >>> round(ww_monthly_benefit(400.0, 5), 2)     # 274.44 x 21.75 x 0.70
    4178.35
    """
    wage = np.minimum(np.asarray(daily_wage, dtype=float), max_daily_wage)
    rate = np.where(np.asarray(months_on_benefit) < WW_FIRST_MONTHS, WW_FIRST_MONTHS_RATE,
                    WW_REPLACEMENT_RATE)
    out = wage * WW_DAYS_PER_MONTH * rate
    return float(out) if np.ndim(out) == 0 else out


def benefit_inputs(benefit_type: str = "bijstand", *, monthly_amount: float | None = None,
                   base: CostInputs | None = None) -> CostInputs:
    """The costing inputs of a benefit type: what a month of benefit costs, and who saves it.

    Parameters
    ----------
    benefit_type : {"bijstand", "ww", "aov"}
        ``"bijstand"`` returns ``base`` unchanged (the norm table by household type prices a
        month; ``annual_benefit_cost`` the crude year). For ``"ww"`` and ``"aov"`` a month is
        priced at ``monthly_benefit``: the mean ``monthly_amount`` of the data where given,
        else a documented default (WW: ``ww_monthly_benefit(WW_DAILY_WAGE)`` at 70%; AOV:
        ``AOV_MONTHLY_BENEFIT``); the crude year is 12 x that; ``norm_factor`` becomes a
        multiplier on the benefit (range +-15%); the administration cost is the benefit's
        own (assumption); no one returns after an ``exhausted`` or ``retirement`` exit.
        Who saves: ``BENEFIT_PAYERS``.
    monthly_amount
        Mean monthly benefit in the data (EUR), or None.
    base
        Inputs to start from (user overrides are laid over the result by the caller).

    Examples
    --------
    >>> inputs = benefit_inputs("ww", monthly_amount=1_800.0)
    >>> inputs.monthly_benefit.value, inputs.annual_benefit_cost.value
    (1800.0, 21600.0)
    >>> benefit_inputs("bijstand").monthly_benefit is None
    True
    """
    base = CostInputs() if base is None else base
    if benefit_type not in BENEFIT_TYPES:
        raise InputError(f"`benefit_type` must be one of {', '.join(BENEFIT_TYPES)}; got "
                         f"{benefit_type!r}.")
    if benefit_type == "bijstand":
        return base
    name = {"ww": "WW", "aov": "AOV"}[benefit_type]
    if monthly_amount is not None and math.isfinite(monthly_amount) and monthly_amount > 0:
        monthly = Assumption(float(monthly_amount), "EUR per benefit per month",
                             f"the data: mean monthly {name} benefit (monthly_amount) of the "
                             "cohort at the study start (range: assumption +-15%)",
                             0.85 * float(monthly_amount), 1.15 * float(monthly_amount))
    elif benefit_type == "ww":
        value = ww_monthly_benefit(WW_DAILY_WAGE.value, WW_FIRST_MONTHS)
        monthly = Assumption(value, "EUR per benefit per month",
                             f"no amounts in the data: daily wage EUR {WW_DAILY_WAGE.value:g} "
                             f"({WW_DAILY_WAGE.source}) x {WW_DAYS_PER_MONTH:g} days x "
                             f"{WW_REPLACEMENT_RATE:.0%} (WW after its first two months; "
                             f"daily wage capped at EUR {WW_MAX_DAILY_WAGE.value:g})",
                             ww_monthly_benefit(WW_DAILY_WAGE.low, WW_FIRST_MONTHS),
                             ww_monthly_benefit(WW_DAILY_WAGE.high, WW_FIRST_MONTHS))
    else:
        monthly = AOV_MONTHLY_BENEFIT
    recidivism = pd.concat([base.recidivism.table, pd.DataFrame(
        [(reason, 60.0, 0.0, f"assumption: no return to {name} after this exit")
         for reason in ("exhausted", "retirement")
         if reason not in set(base.recidivism.table["end_reason"])],
        columns=["end_reason", "months", "share", "source"])], ignore_index=True)
    return replace(
        base, benefit_type=benefit_type, monthly_benefit=monthly,
        annual_benefit_cost=Assumption(
            12 * monthly.value, "EUR per benefit per year",
            f"12 x the monthly {name} benefit ({monthly.source})",
            None if monthly.low is None else 12 * monthly.low,
            None if monthly.high is None else 12 * monthly.high),
        annual_administration_cost=_ADMINISTRATION[benefit_type],
        norm_factor=Assumption(1.0, "multiplier on the monthly benefit",
                               f"assumption: the {name} benefit is paid in full for every month "
                               "avoided (range +-15%)", 0.85, 1.15),
        recidivism_scale=Assumption(
            1.0, "multiplier on the recidivism curves",
            f"assumption: no return-to-{name} curves in our sources, so Divosa's bijstand "
            "curves are used (range widened)", 0.5, 1.2),
        recidivism=RecidivismTable(recidivism))
# --- end benefit types --------------------------------------------------------------------
