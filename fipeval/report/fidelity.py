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
from .disclosure import suppress_counts
from .document import Section, estimate

INTAKE_WITHIN_DAYS = 28


def contact_quarters(cohort: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Per group and quarter of follow-up: clients at risk, share seen, contacts per client."""
    quarters = int(np.ceil(cohort["months_on_benefit"].max() / 3)) if len(cohort) else 0
    quarters = max(quarters, 1)
    c = contacts.merge(cohort[["client_id", "fip", "study_start", "months_on_benefit"]], on="client_id")
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
        ax.set_ylim(0, 1)
        ax.legend(frameon=False)
        ax.set_title("Were clients seen every quarter?")
        s.figure(fig, "fidelity", "Share of clients on benefit who had a contact, per quarter")
    return s
