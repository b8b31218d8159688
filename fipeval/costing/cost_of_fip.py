"""The cost of FIP: caseworker hours, training, and the capacity arithmetic.

Three ways to count caseworker time, all priced at ``inputs.hourly_cost``:

- ``"protocol"``: the FIP contact protocol (a 45-minute intake, then a 30-minute talk every
  three months), minus the regular contact time FIP replaces;
- ``"contacts"``: the contacts actually recorded (minutes; missing minutes filled in from the
  protocol by kind), per recorded client, scaled to the caseload;
- ``"caseload"``: the extra FTE needed to bring caseloads down to the FIP size (180) from the
  regular size, times productive hours per FTE.

Training (one-off per caseworker) is written off over ``training_lifetime_years``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, check_columns, check_option
from ._common import check_number, euros, fixed_row, tidy_frame
from ..results import Result
from .inputs import CostInputs
from .._version import __version__

FIP_CASELOAD = 180          # DOMAIN.md: a FIP caseload of 180 clients
TALKS_PER_MORNING = 3       # DOMAIN.md: 3 clients every morning
WORKING_DAYS_PER_MONTH = 20  # 3 a morning ~ 60 a month (DOMAIN.md)


@dataclass(frozen=True)
class ContactProtocol:
    """The FIP contact protocol: intake, then a talk every ``talk_interval_months``.

    Examples
    --------
    >>> ContactProtocol().minutes_per_client(12)   # 45 + 3 x 30: four contacts in a year
    135.0
    """

    intake_minutes: float = 45.0
    talk_minutes: float = 30.0
    talk_interval_months: float = 3.0
    source: str = "FIP protocol (DOMAIN.md): a 45-minute intake, then 30 minutes every three months"

    def __post_init__(self):
        for name in ("intake_minutes", "talk_minutes"):
            object.__setattr__(self, name, check_number(name, getattr(self, name), nonnegative=True))
        object.__setattr__(self, "talk_interval_months",
                           check_number("talk_interval_months", self.talk_interval_months, positive=True))

    def contacts(self, months: float, *, include_intake: bool = True) -> tuple[int, int]:
        """(intakes, talks) in a period of ``months``: contacts at 0, k x interval < months."""
        months = check_number("months", months, positive=True)
        n = math.ceil(months / self.talk_interval_months - 1e-9)
        return (1, n - 1) if include_intake else (0, n)

    def minutes_per_client(self, months: float, *, include_intake: bool = True) -> float:
        intakes, talks = self.contacts(months, include_intake=include_intake)
        return intakes * self.intake_minutes + talks * self.talk_minutes


@dataclass(frozen=True, eq=False, repr=False)
class FipCost(Result):
    """Cost of FIP per year: caseworker hours x hourly cost + training written off."""

    label: str
    method: str
    n_clients: float
    n_caseworkers: float
    hours_per_year: float
    inputs: CostInputs
    detail: str
    title: str = "Cost of FIP"

    def cost_per_year(self, values: Mapping[str, np.ndarray] | None = None):
        """Total cost per year; ``values`` override input values (arrays broadcast)."""
        v = {k: a.value for k, a in self.inputs.assumptions().items()}
        v.update(values or {})
        hours = self.hours_per_year
        if self.method == "caseload":   # hours = extra FTE x productive hours per FTE
            hours = hours / self.inputs.fte_hours_per_year.value * np.asarray(v["fte_hours_per_year"], float)
        return (hours * np.asarray(v["hourly_cost"], float)
                + self.n_caseworkers * np.asarray(v["training_cost_per_caseworker"], float)
                / np.asarray(v["training_lifetime_years"], float))

    def input_names(self) -> tuple[str, ...]:
        names = ("hourly_cost", "training_cost_per_caseworker")
        return names + (("fte_hours_per_year",) if self.method == "caseload" else ())

    @property
    def total_per_year(self) -> float:
        return float(self.cost_per_year())

    @property
    def training_per_year(self) -> float:
        i = self.inputs
        return self.n_caseworkers * i.training_cost_per_caseworker.value / i.training_lifetime_years.value

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([
            fixed_row("caseworker_hours_per_year", "hours", self.hours_per_year),
            fixed_row("hourly_cost", "EUR per hour", self.inputs.hourly_cost.value),
            fixed_row("caseworker_cost_per_year", "EUR per year", self.total_per_year - self.training_per_year),
            fixed_row("training_cost_per_year", "EUR per year", self.training_per_year),
            fixed_row("fip_cost_per_year", "EUR per year", self.total_per_year),
        ])

    def arithmetic(self) -> str:
        i = self.inputs
        return "\n".join([
            f"Cost of FIP ({self.label}), {self.method}: {self.detail}",
            f"= {self.hours_per_year:,.0f} caseworker hours a year x {euros(i.hourly_cost.value)} "
            f"an hour ({i.hourly_cost.source})",
            f"+ {self.n_caseworkers:g} caseworkers x {euros(i.training_cost_per_caseworker.value)} "
            f"training / {i.training_lifetime_years.value:g} years",
            f"= {euros(self.total_per_year)} a year",
        ])

    def _header(self) -> dict:
        return {"method": self.method, "unit": self.label, "clients": self.n_clients,
                "caseworkers": self.n_caseworkers, "fipeval": __version__}

    def _notes(self) -> tuple:
        return (self.arithmetic().replace("\n", " "),)


def _recorded_minutes(contacts: pd.DataFrame, protocol: ContactProtocol) -> float:
    check_columns(contacts, ["client_id", "kind"], what="The contacts table")
    fill = {"intake": protocol.intake_minutes, "fip_talk": protocol.talk_minutes,
            "regular": protocol.talk_minutes}
    kinds = contacts["kind"].astype("object")
    unknown = ~kinds.isin(list(fill))
    if unknown.any():
        raise InputError(f"The contacts table has kind {kinds[unknown].iloc[0]!r}; expected one of "
                         f"{', '.join(fill)}.")
    if "minutes" in contacts.columns:
        minutes = pd.to_numeric(contacts["minutes"], errors="coerce")
        if (minutes < 0).any():
            raise InputError(f"`minutes` in the contacts table is negative in "
                             f"{int((minutes < 0).sum())} rows; fix the export.")
    else:
        minutes = pd.Series(np.nan, index=contacts.index)
    return float(minutes.fillna(kinds.map(fill).astype(float)).sum())


def fip_cost(n_clients: float, *, method: Literal["protocol", "contacts", "caseload"] = "protocol",
             months: float = 12, inputs: CostInputs | None = None,
             protocol: ContactProtocol | None = None, include_intake: bool = True,
             regular_minutes_per_client: float = 0.0, contacts: pd.DataFrame | None = None,
             n_recorded_clients: int | None = None, regular_caseload: float | None = None,
             clients_per_caseworker: float = FIP_CASELOAD, n_caseworkers: float | None = None,
             label: str = "all") -> FipCost:
    """Cost of FIP per year for ``n_clients`` clients.

    Parameters
    ----------
    n_clients
        Clients served by FIP (for an extrapolation: the whole caseload).
    method
        ``"protocol"``, ``"contacts"`` (needs ``contacts``) or ``"caseload"`` (needs
        ``regular_caseload``); see the module docstring.
    months
        Length of the period the protocol or the recorded contacts cover; hours are scaled
        to a year by 12 / months.
    inputs, protocol
        ``CostInputs`` (hourly cost, training, productive hours per FTE) and the
        ``ContactProtocol`` (45-minute intake, 30 minutes every three months).
    include_intake
        Count the intake (a first FIP year); False for clients already in FIP (talks only).
    regular_minutes_per_client
        Contact minutes per client in the same period under regular service, which FIP
        replaces (subtracted; default 0: many long-term clients are not seen at all).
    contacts, n_recorded_clients
        Recorded contacts (columns ``client_id``, ``kind``, optional ``minutes``) of the FIP
        group over ``months``, and the number of FIP clients they cover (default: the
        clients that appear in ``contacts``; clients never seen are then left out).
    regular_caseload, clients_per_caseworker
        Caseload sizes for the ``"caseload"`` method (FIP: 180).
    n_caseworkers
        Caseworkers to train; default ``ceil(n_clients / clients_per_caseworker)``.
    label
        Municipality (or "all") the cost belongs to.

    Examples
    --------
    >>> cost = fip_cost(360, inputs=CostInputs().with_values(hourly_cost=60,
    ...                 training_cost_per_caseworker=0))
    >>> cost.hours_per_year, cost.total_per_year       # 360 x 135 minutes
    (810.0, 48600.0)
    """
    check_option("method", method, ("protocol", "contacts", "caseload"))
    n_clients = check_number("n_clients", n_clients, nonnegative=True)
    months = check_number("months", months)
    if months <= 0:
        raise InputError(f"`months` must be positive (the period the contacts cover); got {months:g}.")
    inputs = CostInputs() if inputs is None else inputs
    protocol = ContactProtocol() if protocol is None else protocol
    regular = check_number("regular_minutes_per_client", regular_minutes_per_client, nonnegative=True)
    per_client = check_number("clients_per_caseworker", clients_per_caseworker, positive=True)
    if n_caseworkers is None:
        n_caseworkers = math.ceil(n_clients / per_client - 1e-9)
    n_caseworkers = check_number("n_caseworkers", n_caseworkers, nonnegative=True)
    scale = 12.0 / months
    if method == "protocol":
        minutes = protocol.minutes_per_client(months, include_intake=include_intake)
        intakes, talks = protocol.contacts(months, include_intake=include_intake)
        hours = n_clients * (minutes - regular) / 60 * scale
        detail = (f"{n_clients:,.0f} clients x ({intakes} x {protocol.intake_minutes:g} + {talks} x "
                  f"{protocol.talk_minutes:g} - {regular:g} regular) minutes per {months:g} months")
    elif method == "contacts":
        if contacts is None:
            raise InputError("method='contacts' needs the recorded `contacts` table.")
        total = _recorded_minutes(contacts, protocol)
        recorded = contacts["client_id"].nunique() if n_recorded_clients is None else n_recorded_clients
        recorded = check_number("n_recorded_clients", recorded, positive=True)
        minutes = total / recorded
        hours = n_clients * (minutes - regular) / 60 * scale
        detail = (f"{total:,.0f} recorded minutes / {recorded:,.0f} clients = {minutes:.1f} minutes "
                  f"per client per {months:g} months, minus {regular:g} regular, x {n_clients:,.0f} clients")
    else:
        if regular_caseload is None:
            raise InputError("method='caseload' needs `regular_caseload` (clients per caseworker under "
                             "regular service, e.g. 300).")
        regular_size = check_number("regular_caseload", regular_caseload, positive=True)
        extra_fte = n_clients / per_client - n_clients / regular_size
        hours = extra_fte * inputs.fte_hours_per_year.value
        detail = (f"{n_clients:,.0f} / {per_client:g} - {n_clients:,.0f} / {regular_size:g} = "
                  f"{extra_fte:.2f} extra FTE x {inputs.fte_hours_per_year.value:,.0f} hours")
    return FipCost(label=str(label), method=method, n_clients=n_clients,
                   n_caseworkers=n_caseworkers, hours_per_year=float(hours), inputs=inputs,
                   detail=detail)


@dataclass(frozen=True, eq=False, repr=False)
class Capacity(Result):
    """What a caseload size means in talks and FTE (the FIP capacity argument)."""

    caseload: float
    clients_per_caseworker: float
    talks_per_morning: float
    working_days_per_month: float
    regular_caseload: float | None
    title: str = "FIP capacity"

    @property
    def talks_per_caseworker_per_month(self) -> float:
        return self.talks_per_morning * self.working_days_per_month

    @property
    def talks_per_client_per_year(self) -> float:
        return self.talks_per_caseworker_per_month * 12 / self.clients_per_caseworker

    @property
    def months_between_talks(self) -> float:
        return 12 / self.talks_per_client_per_year

    @property
    def fte(self) -> float:
        return self.caseload / self.clients_per_caseworker

    @property
    def regular_fte(self) -> float:
        return float("nan") if self.regular_caseload is None else self.caseload / self.regular_caseload

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([
            fixed_row("talks_per_caseworker_per_month", "talks", self.talks_per_caseworker_per_month),
            fixed_row("talks_per_client_per_year", "talks", self.talks_per_client_per_year),
            fixed_row("months_between_talks", "months", self.months_between_talks),
            fixed_row("fip_fte", "FTE", self.fte),
            fixed_row("regular_fte", "FTE", self.regular_fte),
            fixed_row("extra_fte", "FTE", self.fte - self.regular_fte),
        ])

    def _header(self) -> dict:
        return {"caseload": self.caseload, "clients per caseworker": self.clients_per_caseworker,
                "talks per morning": self.talks_per_morning,
                "working days per month": self.working_days_per_month,
                "regular caseload": self.regular_caseload or ""}


def capacity(caseload: float, *, clients_per_caseworker: float = FIP_CASELOAD,
             talks_per_morning: float = TALKS_PER_MORNING,
             working_days_per_month: float = WORKING_DAYS_PER_MONTH,
             regular_caseload: float | None = None) -> Capacity:
    """FTE needed for a caseload under FIP, and how many talks each client gets.

    A caseworker who sees ``talks_per_morning`` clients each working morning holds
    talks_per_morning x working_days_per_month talks a month; spread over
    ``clients_per_caseworker`` clients that is 12 x that / caseload size talks per client a
    year (DOMAIN.md: 3 a morning ~ 60 a month; 180 clients -> 4 talks a year).

    Examples
    --------
    >>> cap = capacity(2400)
    >>> cap.talks_per_client_per_year, round(cap.fte, 2)
    (4.0, 13.33)
    """
    caseload = check_number("caseload", caseload, nonnegative=True)
    per_cw = check_number("clients_per_caseworker", clients_per_caseworker, positive=True)
    morning = check_number("talks_per_morning", talks_per_morning, positive=True)
    days = check_number("working_days_per_month", working_days_per_month, positive=True)
    if days > 31:
        raise InputError(f"`working_days_per_month` cannot exceed 31; got {days:g}.")
    if regular_caseload is not None:
        regular_caseload = check_number("regular_caseload", regular_caseload, positive=True)
    return Capacity(caseload, per_cw, morning, days, regular_caseload)
