"""Fidelity of FIP: were FIP clients really seen every three months?

The protocol: an intake of about 45 minutes soon after the start, then a talk of about 30
minutes every three months. For each quarter of follow-up this counts, among clients still on
benefit at the quarter's start, the share with at least one contact in that quarter; and the
share of FIP clients with an intake within the first four weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..design import DAYS_PER_MONTH
from ..schema import is_member
from .disclosure import COMPLEMENTARY, hidden_cells, suppress_counts
from .document import Section, estimate

INTAKE_WITHIN_DAYS = 28


def _of_cohort(contacts: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """The contacts of cohort clients only, found in Arrow before any merge: a national
    register has a million contacts, the cohort a few percent of them, and merging on text
    ids costs by the rows merged."""
    return contacts[is_member(contacts["client_id"], cohort["client_id"])]


def contact_quarters(cohort: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Per group and quarter of follow-up: clients at risk, share seen, contacts per client."""
    quarters = int(np.ceil(cohort["months_on_benefit"].max() / 3)) if len(cohort) else 0
    quarters = max(quarters, 1)
    c = _of_cohort(contacts, cohort).merge(
        cohort[["client_id", "fip", "study_start", "months_on_benefit"]], on="client_id")
    months = ((c["date"] - c["study_start"]) / pd.Timedelta(days=1)).to_numpy() / DAYS_PER_MONTH
    c = c.assign(month=months)
    c = c[(c["month"] >= 0) & (c["month"] < c["months_on_benefit"])]
    c = c.assign(quarter=(c["month"] // 3).astype(int))
    rows = []
    for q in range(quarters):
        at_risk = cohort[cohort["months_on_benefit"] > 3 * q]
        seen = c[c["quarter"] == q]
        for fip, group in at_risk.groupby("fip"):
            ids = set(group["client_id"])
            seen_g = seen[is_member(seen["client_id"], ids)]
            rows.append({"group": "FIP" if fip == 1 else "control", "quarter": q + 1,
                         "clients_on_benefit": len(group),
                         "clients_seen": seen_g["client_id"].nunique(),
                         "share_seen": seen_g["client_id"].nunique() / len(group),
                         "contacts_per_client": len(seen_g) / len(group),
                         "mean_minutes": seen_g["minutes"].mean() if len(seen_g) else np.nan})
    return pd.DataFrame(rows)


def caseworker_process(cohort: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """The process evaluation per caseworker (FIP and control), over each client's follow-up.

    Columns: municipality, caseworker, group, clients (in the cohort), client_years (on
    benefit during the follow-up), share_quarters_seen (client-quarters on benefit with at
    least one contact), talks_per_client_year, intake_within_4_weeks (share of the
    caseworker's clients), talks_per_year (all the caseworker's talks with cohort clients,
    per year of follow-up).
    """
    base = cohort[["client_id", "municipality", "caseworker", "fip", "study_start",
                   "follow_up_end", "months_on_benefit", "exposure_years"]]
    c = _of_cohort(contacts, base).merge(base, on="client_id")
    month = ((c["date"] - c["study_start"]) / pd.Timedelta(days=1)).to_numpy() / DAYS_PER_MONTH
    within = (month >= 0) & (month < c["months_on_benefit"].to_numpy())
    c = c.assign(month=month)[within]
    seen = c.assign(quarter=(c["month"] // 3).astype(int)).drop_duplicates(
        ["client_id", "quarter"])
    quarters_on_benefit = np.ceil(base["months_on_benefit"].to_numpy() / 3).clip(min=0)
    intake_days = (c["date"] - c["study_start"]).dt.days
    on_time = c.loc[(c["kind"] == "intake") & (intake_days < INTAKE_WITHIN_DAYS), "client_id"]
    keys = ["municipality", "caseworker", "fip"]
    per = base.assign(quarters=quarters_on_benefit,
                      intake=is_member(base["client_id"], on_time.unique()).astype(float),
                      follow_up_years=((base["follow_up_end"] - base["study_start"]).dt.days
                                       / 365.25))
    out = per.groupby(keys, observed=True).agg(
        clients=("client_id", "size"), client_years=("exposure_years", "sum"),
        quarters=("quarters", "sum"), intake_within_4_weeks=("intake", "mean"),
        follow_up_years=("follow_up_years", "max"))
    talks = c.groupby(keys, observed=True).size().rename("talks")
    seen_q = seen.groupby(keys, observed=True).size().rename("quarters_seen")
    out = out.join(talks).join(seen_q).fillna({"talks": 0, "quarters_seen": 0}).reset_index()
    out["group"] = np.where(out["fip"] == 1, "FIP", "control")
    out["share_quarters_seen"] = out["quarters_seen"] / out["quarters"].where(out["quarters"] > 0)
    out["talks_per_client_year"] = out["talks"] / out["client_years"].where(out["client_years"] > 0)
    out["talks_per_year"] = out["talks"] / out["follow_up_years"].where(out["follow_up_years"] > 0)
    out = out.sort_values(["municipality", "fip", "caseworker"], ascending=[True, False, True])
    return out[["municipality", "caseworker", "group", "clients", "client_years",
                "share_quarters_seen", "talks_per_client_year", "intake_within_4_weeks",
                "talks_per_year"]].reset_index(drop=True)


RATE_COLUMNS = ("client_years", "share_quarters_seen", "talks_per_client_year",
                "intake_within_4_weeks", "talks_per_year")


def suppress_caseworkers(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``caseworker_process`` for publication: a caseworker with fewer than ``threshold``
    clients shows "<N" and no rates (primary suppression); where that leaves one suppressed
    caseworker in a municipality and group, the next smallest is suppressed too
    (complementary, shown as "x" like every table's complementary cells), so the group total
    shown elsewhere does not give the hidden count away.

    Examples
    --------
    >>> t = pd.DataFrame({"municipality": ["A"] * 3, "caseworker": ["a", "b", "c"],
    ...                   "group": ["control"] * 3, "clients": [4, 30, 50],
    ...                   "talks_per_year": [1.0, 2.0, 3.0]})
    >>> suppress_caseworkers(t, 10)["clients"].tolist()
    ['<10', 'x', '50']
    """
    out = table.copy()
    # complementary within each municipality and group: the group totals are published
    hide = hidden_cells(out["clients"], threshold,
                        out["municipality"].astype(str) + "|" + out["group"].astype(str)).to_numpy()
    rates = [c for c in RATE_COLUMNS if c in out.columns]
    out[rates] = out[rates].astype(float)
    out.loc[hide, rates] = np.nan
    small = (out["clients"] < threshold).to_numpy()
    out["clients"] = out["clients"].map("{:,}".format).astype(object)
    out.loc[hide & small, "clients"] = f"<{threshold}"
    out.loc[hide & ~small, "clients"] = COMPLEMENTARY   # as every other table marks it
    return out


def fidelity_section(cohort: pd.DataFrame, contacts: pd.DataFrame, threshold: int) -> Section:
    s = Section("Fidelity of FIP")
    s.text("Protocol: an intake of about 45 minutes in the first weeks, then a talk of about 30 "
           "minutes at least every three months. The table counts, per quarter of follow-up, "
           "the clients still on benefit at the quarter's start who had at least one contact.")
    table = contact_quarters(cohort, contacts)
    fip = cohort[cohort["fip"] == 1]
    intake = contacts[(contacts["kind"] == "intake") & is_member(contacts["client_id"], fip["client_id"])]
    intake = intake.merge(fip[["client_id", "study_start"]], on="client_id")
    days = (intake["date"] - intake["study_start"]).dt.days
    on_time = intake.loc[(days >= 0) & (days < INTAKE_WITHIN_DAYS), "client_id"].nunique()
    share = on_time / len(fip) if len(fip) else np.nan
    s.text(f"{share:.0%} of FIP clients had their intake within the first "
           f"{INTAKE_WITHIN_DAYS // 7} weeks.")
    s.estimates.append(estimate("fidelity", "share_intake_within_4_weeks", share,
                                method="share of FIP clients", n=len(fip)))
    if len(table):
        shown = table.copy()
        small = shown["clients_on_benefit"] < threshold
        shown.loc[small, ["share_seen", "contacts_per_client", "mean_minutes"]] = np.nan
        s.table(suppress_counts(shown, ["clients_on_benefit", "clients_seen"], threshold),
                "Contacts per quarter of follow-up")
        for r in table.itertuples():
            s.estimates.append(estimate("fidelity", f"share_seen[{r.group},q{r.quarter}]",
                                        r.share_seen, method="share with >= 1 contact",
                                        n=r.clients_on_benefit))
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.5, 3.2))
        for offset, (group, g) in zip((-0.2, 0.2), table.groupby("group", sort=False)):
            g = g[g["clients_on_benefit"] >= threshold]
            ax.bar(g["quarter"] + offset, g["share_seen"], width=0.4, label=group)
        ax.set_xticks(sorted(table["quarter"].unique()))
        ax.set_xlabel("quarter of follow-up")
        ax.set_ylabel("share seen at least once")
        ax.set_ylim(0, 1.25)                # room above the bars: the legend never covers one
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.legend(frameon=False, loc="upper center", ncol=2)
        ax.set_title("Were clients seen every quarter?")
        s.figure(fig, "fidelity", "Share of clients on benefit who had a contact, per quarter")
    _process_evaluation(s, cohort, contacts, threshold)
    return s


def _process_evaluation(s: Section, cohort, contacts, threshold: int) -> None:
    """Per caseworker: caseload and contacts, and FIP's capacity arithmetic against them."""
    from ..costing.cost_of_fip import FIP_CASELOAD, TALKS_PER_MORNING, WORKING_DAYS_PER_MONTH

    table = caseworker_process(cohort, contacts)
    if not len(table):
        return
    capacity = TALKS_PER_MORNING * WORKING_DAYS_PER_MONTH * 12
    s.text(f"The process per caseworker. FIP's arithmetic: a caseworker who holds "
           f"{TALKS_PER_MORNING:g} talks a morning has about {capacity:,.0f} talks a year, "
           f"enough for {FIP_CASELOAD} clients seen {capacity / FIP_CASELOAD:g} times a year. "
           "The table shows each caseworker's clients in this study, the share of their "
           "client-quarters on benefit with a talk, talks per client-year, the share of clients "
           "with an intake within four weeks and all their talks with these clients per year of "
           f"follow-up. Caseworkers with fewer than {threshold} clients are suppressed, and "
           "where one would be, a second one too.")
    fip = table[table["group"] == "FIP"]
    for r in fip.itertuples():
        if r.clients >= threshold and np.isfinite(r.talks_per_year):
            needed = r.clients * capacity / FIP_CASELOAD
            s.text(f"{r.caseworker} ({r.municipality}): {r.clients} clients in the study, "
                   f"{r.talks_per_year:,.0f} talks a year with them against the "
                   f"{needed:,.0f} that {capacity / FIP_CASELOAD:g} a year each would take "
                   f"({r.talks_per_year / needed:.0%}); {r.share_quarters_seen:.0%} of their "
                   "client-quarters on benefit had a talk.")
    shown = suppress_caseworkers(table, threshold)
    s.table(shown, "Process per caseworker (this study's clients)")
    s.sheets["process per caseworker"] = shown
    for r in table.itertuples():
        if r.clients >= threshold:
            s.estimates.append(estimate(
                "fidelity", f"share_quarters_seen[{r.municipality}|{r.caseworker}]",
                r.share_quarters_seen, method="share of client-quarters with >= 1 contact",
                n=r.clients, municipality=r.municipality, caseworker=r.caseworker,
                outcome="share_quarters_seen"))
