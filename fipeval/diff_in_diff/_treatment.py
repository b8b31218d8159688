"""Treatment columns of a panel from a StudyDesign (``mark_treatment``): who is FIP, from when."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import is_member
from ._register_index import _codes


def _mark_treatment(out: pd.DataFrame, design) -> pd.DataFrame:
    """``mark_treatment`` on a frame the caller owns (columns are added in place)."""
    row_fip, row_fu, row_site = treatment_starts(out, design)
    m_codes, m_values = pd.factorize(out["month"].to_numpy(dtype="datetime64[ns]"))
    month = np.asarray(m_values, dtype="datetime64[ns]").astype("datetime64[M]").astype(
        np.int64)[m_codes]
    treated = row_fip != NO_START
    ft = np.where(treated, row_fip, 0).astype("datetime64[M]").astype("datetime64[ns]")
    out["fip"] = treated.astype(np.int64)
    out["first_treated"] = np.where(treated, ft, np.datetime64("NaT"))
    out["event_time"] = np.where(treated, (month - row_fip).astype(float), np.nan)
    out["post"] = ((row_site != NO_START) & (month >= row_site)).astype(np.int64)
    fu_end = np.where(treated, row_fip + row_fu, 0).astype("datetime64[M]").astype("datetime64[ns]")
    out["follow_up_end"] = np.where(treated, fu_end, np.datetime64("NaT"))
    out["after_follow_up"] = (treated & (month >= row_fip + row_fu)).astype(np.int64)
    return out


NO_START = np.iinfo(np.int64).min


def treatment_starts(out: pd.DataFrame, design):
    """Per row of a frame with ``caseworker`` and ``municipality`` (and ``client_id``): the
    FIP start month (months since 1970-01; ``NO_START`` if the row is not FIP), the
    follow-up months, and the start month of the row's site (``NO_START`` without one)."""
    cw_codes, cw_labels = _codes(out["caseworker"])
    mun_codes, mun_labels = _codes(out["municipality"])
    n_mun = max(len(mun_labels), 1)
    key = cw_codes.astype(np.int64) * n_mun + np.clip(mun_codes, 0, None)
    present = np.bincount(key, minlength=max(len(cw_labels), 1) * n_mun) > 0
    pair = np.flatnonzero(present)
    lookup = np.zeros(len(present), dtype=np.int64)
    lookup[pair] = np.arange(len(pair))
    pair_index = lookup[key]
    no_date = NO_START
    fip_start = np.full(len(pair), no_date, dtype=np.int64)     # month index, per pair
    site_start = np.full(len(pair), no_date, dtype=np.int64)
    fip_fu = np.zeros(len(pair), dtype=np.int64)                # follow-up months, per pair
    starts = [int(pd.Timestamp(s.start_date).to_period("M").ordinal) for s in design.sites]
    pair_cw = np.asarray(cw_labels, dtype=object)[pair // n_mun]
    pair_mun = np.asarray(mun_labels, dtype=object)[np.clip(pair % n_mun, 0, None)] \
        if len(mun_labels) else np.full(len(pair), None, dtype=object)
    for site, start in zip(design.sites, starts):
        here = np.ones(len(pair), dtype=bool) if site.municipality is None else \
            (pair_mun == str(site.municipality))
        mine = here & np.isin(pair_cw, [str(c) for c in site.fip_caseworkers])
        fip_fu = np.where(mine & (fip_start == no_date), int(site.follow_up_months), fip_fu)
        fip_start = np.where(mine & (fip_start == no_date), start, fip_start)
        site_start = np.where(here & (site_start == no_date), start, site_start)
    row_fip = fip_start[pair_index]
    row_fu = fip_fu[pair_index]
    row_site = np.where(row_fip != no_date, row_fip, site_start[pair_index])
    if "client_id" in out.columns:
        for site, start in zip(design.sites, starts):
            if site.fip_clients:
                listed = is_member(out["client_id"], site.fip_clients) & (row_fip == no_date)
                row_fip = np.where(listed, start, row_fip)
                row_fu = np.where(listed, int(site.follow_up_months), row_fu)
                row_site = np.where(listed, start, row_site)
    return row_fip, row_fu, row_site
