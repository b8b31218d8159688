"""Caseworker- and client-month panels against a brute-force loop over spells and months."""

import numpy as np
import pandas as pd
import pytest

from fipeval import Register
from fipeval.diff_in_diff import caseworker_panel, client_panel, mark_treatment, to_quarters
from fipeval.errors import InputError
from fipeval.schema import END_REASONS

DAYS_PER_MONTH = 30.4375


def random_register(seed=0, n_clients=150):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_clients):
        start = pd.Timestamp("2012-01-01") + pd.Timedelta(days=int(rng.integers(0, 1500)))
        if rng.random() < 0.1:
            start = start.replace(day=1)          # some spells start on a month start
        ended = rng.random() < 0.7
        end = start + pd.Timedelta(days=int(rng.integers(1, 900))) if ended else pd.NaT
        if ended and rng.random() < 0.1:
            end = end.replace(day=1)              # some end on a month start
        if ended and end > pd.Timestamp("2016-06-30"):
            end, ended = pd.NaT, False
        rows.append(dict(client_id=f"c{i:04d}", municipality=rng.choice(["A", "B"]),
                         caseworker=f"k{rng.integers(0, 6)}", start_date=start, end_date=end,
                         end_reason=rng.choice(END_REASONS) if ended else None,
                         monthly_amount=1000.0, ladder_rung=int(rng.integers(1, 7))))
    spells = pd.DataFrame(rows)
    n_ev = 400
    ev = pd.DataFrame({"client_id": rng.choice(spells["client_id"], n_ev),
                       "date": pd.Timestamp("2012-01-01")
                       + pd.to_timedelta(rng.integers(0, 1640, n_ev), unit="D"),
                       "kind": rng.choice(["fraud_signal", "volunteering", "ladder_step"], n_ev)})
    ct = pd.DataFrame({"client_id": rng.choice(spells["client_id"], 300),
                       "date": pd.Timestamp("2012-01-01")
                       + pd.to_timedelta(rng.integers(0, 1640, 300), unit="D"),
                       "kind": rng.choice(["regular", "fip_talk"], 300), "minutes": 30.0})
    return Register(spells, contacts=ct, events=ev, extract_date="2016-07-15")


def brute_force(register, months, min_months=None, max_rung=None):
    """Loop over spells and month starts: the counting rules written out plainly."""
    sp = register.spells
    by_client = {name: {c: g for c, g in table.groupby("client_id")}
                 for name, table in (("events", register.events), ("contacts", register.contacts))}
    empty = register.events.iloc[:0]
    out = {}
    for m in months:
        m1 = m + pd.DateOffset(months=1)
        for r in sp.itertuples():
            running = r.start_date <= m and (pd.isna(r.end_date) or r.end_date > m)
            if min_months is not None:
                running &= (m - r.start_date).days / DAYS_PER_MONTH >= min_months
            if max_rung is not None:
                running &= r.ladder_rung <= max_rung
            cell = out.setdefault((r.caseworker, m), dict(caseload=0, terminations=0, fraud=0,
                                                          activations=0, contacts=0))
            if not running:
                continue
            cell["caseload"] += 1
            ends_here = pd.notna(r.end_date) and r.end_date <= m1
            cell["terminations"] += int(ends_here)
            last = r.end_date if pd.notna(r.end_date) else pd.Timestamp.max
            for name, key in (("events", None), ("contacts", "contacts")):
                table = by_client[name].get(r.client_id, empty)
                mine = table[(table["date"] >= r.start_date)
                             & (table["date"] <= last) & (table["date"] >= m) & (table["date"] < m1)]
                if key:
                    cell["contacts"] += len(mine)
                else:
                    cell["fraud"] += int((mine["kind"] == "fraud_signal").sum())
                    cell["activations"] += int((mine["kind"] != "fraud_signal").sum())
    return out


@pytest.fixture(scope="module")
def register():
    return random_register()


@pytest.mark.parametrize("min_months,max_rung", [(None, None), (6, 3)])
def test_caseworker_panel_matches_brute_force(register, min_months, max_rung):
    panel = caseworker_panel(register, start="2013-01-01", end="2014-06-01",
                             min_months_on_benefit=min_months, max_ladder_rung=max_rung)
    months = pd.date_range("2013-01-01", "2014-06-01", freq="MS")
    ref = brute_force(register, months, min_months, max_rung)
    assert len(panel) == 6 * len(months)
    for row in panel.itertuples():
        cell = ref[(row.caseworker, row.month)]
        assert (row.caseload, row.terminations, row.fraud_signals, row.activations,
                row.contacts) == (cell["caseload"], cell["terminations"], cell["fraud"],
                                  cell["activations"], cell["contacts"]), row


def test_terminations_by_reason_add_up_and_rates(register):
    panel = caseworker_panel(register)
    by_reason = panel[[f"terminations_{r}" for r in END_REASONS]].sum(axis=1)
    np.testing.assert_array_equal(by_reason.to_numpy(), panel["terminations"].to_numpy())
    ok = panel["caseload"] > 0
    np.testing.assert_allclose(panel.loc[ok, "termination_rate"],
                               panel.loc[ok, "terminations"] / panel.loc[ok, "caseload"],
                               rtol=1e-15, atol=0)
    assert panel.loc[~ok, "termination_rate"].isna().all()
    # default window: last complete month before the extract date (2016-07-15)
    assert panel["month"].max() == pd.Timestamp("2016-06-01")


def test_client_panel_adds_up_to_caseworker_panel(register):
    cp = client_panel(register, start="2013-01-01", end="2015-12-01")
    kp = caseworker_panel(register, start="2013-01-01", end="2015-12-01")
    agg = cp.groupby(["caseworker", "month"], observed=True).agg(caseload=("client_id", "size"),
                                                   terminations=("terminated", "sum"),
                                                   fraud_signals=("fraud_signals", "sum"),
                                                   activations=("activations", "sum"),
                                                   contacts=("contacts", "sum"))
    merged = kp.set_index(["caseworker", "month"]).merge(agg, how="left", left_index=True,
                                                         right_index=True, suffixes=("", "_c"))
    merged[[f"{c}_c" for c in agg.columns]] = merged[[f"{c}_c" for c in agg.columns]].fillna(0)
    for col in ("caseload", "terminations", "fraud_signals", "activations", "contacts"):
        np.testing.assert_array_equal(merged[col].to_numpy(), merged[f"{col}_c"].to_numpy())
    # one termination at most per spell, in the row of its last month
    assert cp.groupby("client_id", observed=True)["terminated"].sum().max() <= 1
    assert cp.loc[cp["terminated"] == 1, "end_reason"].notna().all()


def test_quarters_sum_the_months(register):
    kp = caseworker_panel(register, start="2013-01-01", end="2013-12-01")
    q = to_quarters(kp)
    assert len(q) == 6 * 4
    k1 = kp[kp["caseworker"] == "k1"]
    q1 = q[q["caseworker"] == "k1"].reset_index(drop=True)
    assert q1.loc[0, "terminations"] == k1["terminations"].iloc[:3].sum()
    assert q1.loc[0, "client_months"] == k1["caseload"].iloc[:3].sum()
    assert q1.loc[1, "caseload"] == k1["caseload"].iloc[3]
    assert q1["quarter"].tolist() == ["2013Q1", "2013Q2", "2013Q3", "2013Q4"]
    assert caseworker_panel(register, start="2013-01-01", end="2013-12-01",
                            freq="quarter").equals(q)


def test_expected_terminations_by_band_brute_force():
    # two caseworkers; reference rates by duration band (<6, >=6 months) and month
    spells = pd.DataFrame({
        "client_id": list("abcdef"), "municipality": "A",
        "caseworker": ["k1", "k1", "k1", "k2", "k2", "k2"],
        "start_date": pd.to_datetime(["2014-01-01", "2013-01-01", "2013-02-01",
                                      "2014-01-01", "2014-01-01", "2013-03-01"]),
        "end_date": pd.to_datetime(["2014-02-10", None, "2014-02-20", None, "2014-02-03",
                                    "2014-02-27"]),
        "end_reason": ["work", None, "moved", None, "work", "other"], "monthly_amount": 1.0})
    reg = Register(spells, extract_date="2014-04-01")
    p = caseworker_panel(reg, start="2014-02-01", end="2014-02-01", duration_bands=(6,))
    # February: short band (<6 months): a (ends), d, e (ends) -> rate 2/3;
    # long band: b, c (ends), f (ends) -> rate 2/3. Each caseworker holds 3 clients.
    np.testing.assert_allclose(p["expected_terminations"], [2.0, 2.0], rtol=1e-12, atol=0)
    p2 = caseworker_panel(reg, start="2014-02-01", end="2014-02-01", duration_bands=(6,),
                          design=_design(("k2",), "2014-02-01"))
    # reference = k1 only: short 1/1, long 1/2; k2 holds 2 short, 1 long -> 2 + 0.5
    np.testing.assert_allclose(p2["expected_terminations"], [1.0 + 1.0, 2.5], rtol=1e-12, atol=0)


def _design(fip_caseworkers, start):
    from types import SimpleNamespace
    return SimpleNamespace(sites=(SimpleNamespace(start_date=pd.Timestamp(start),
                                                  fip_caseworkers=fip_caseworkers,
                                                  follow_up_months=4, fip_clients=(),
                                                  municipality=None),))


def test_mark_treatment_columns(register):
    kp = caseworker_panel(register, start="2013-01-01", end="2013-12-01")
    before = kp.copy()
    out = mark_treatment(kp, _design(("k1", "k2"), "2013-06-15"))
    pd.testing.assert_frame_equal(kp, before)                      # caller's frame unchanged
    k1 = out[out["caseworker"] == "k1"]
    assert set(out.loc[out["fip"] == 1, "caseworker"]) == {"k1", "k2"}
    assert (k1["first_treated"] == pd.Timestamp("2013-06-01")).all()
    assert k1["post"].tolist() == [0] * 5 + [1] * 7
    assert k1["event_time"].tolist() == list(range(-5, 7))
    assert out.loc[out["fip"] == 0, "event_time"].isna().all()
    assert (k1["follow_up_end"] == pd.Timestamp("2013-10-01")).all()
    assert k1["after_follow_up"].tolist() == [0] * 9 + [1] * 3
    k3 = out[out["caseworker"] == "k3"]
    assert k3["post"].tolist() == [0] * 5 + [1] * 7 and (k3["fip"] == 0).all()
    q = to_quarters(out)
    assert q.loc[q["caseworker"] == "k1", "post"].tolist() == [0, 1, 1, 1]
    assert q.loc[q["caseworker"] == "k1", "event_time"].tolist() == [-1, 0, 1, 2]


def test_register_tables_not_mutated(register):
    spells = register.spells.copy()
    events = register.events.copy()
    caseworker_panel(register)
    client_panel(register)
    pd.testing.assert_frame_equal(register.spells, spells)
    pd.testing.assert_frame_equal(register.events, events)


def test_bad_input(register):
    with pytest.raises(InputError, match="window is empty"):
        caseworker_panel(register, start="2014-01-01", end="2013-01-01")
    with pytest.raises(InputError, match="`freq` parameter must be one of"):
        caseworker_panel(register, freq="week")
    no_cw = register.spells.copy()
    no_cw.loc[3, "caseworker"] = None
    with pytest.raises(InputError, match="have no `caseworker`"):
        caseworker_panel(Register(no_cw, extract_date="2016-07-15"))
    with pytest.raises(InputError, match="needs a caseworker panel"):
        to_quarters(client_panel(register))


def test_bus_form_rows_are_continuations_not_terminations():
    # client a moves from k1 to k2 on 2014-03-10 (two rows, the first without a reason)
    spells = pd.DataFrame({
        "client_id": ["a", "a", "b"], "municipality": "A", "caseworker": ["k1", "k2", "k1"],
        "start_date": pd.to_datetime(["2013-01-01", "2014-03-10", "2013-01-01"]),
        "end_date": pd.to_datetime(["2014-03-10", "2014-06-15", "2014-03-20"]),
        "end_reason": [None, "work", "moved"], "monthly_amount": 1.0})
    reg = Register(spells, extract_date="2014-08-01")
    p = caseworker_panel(reg, start="2014-02-01", end="2014-07-01").set_index(["caseworker", "month"])
    assert p.loc[("k1", pd.Timestamp("2014-03-01")), "terminations"] == 1       # only b
    assert p.loc[("k2", pd.Timestamp("2014-04-01")), "caseload"] == 1
    assert p.loc[("k2", pd.Timestamp("2014-06-01")), "terminations_work"] == 1
    assert p["terminations"].sum() == 2
    cp = client_panel(reg, start="2014-02-01", end="2014-07-01")
    assert cp.loc[cp["client_id"] == "a", "terminated"].sum() == 1


def test_client_id_routes_give_the_same_panels(register, monkeypatch):
    """Client ids of one width (hashed bytes), of varying widths (one Arrow dictionary
    encoding) and Python strings (hashed objects, the route of ids Arrow does not hold):
    three routes to the client codes, one panel. Varying widths are what a register of
    copies with suffixed ids holds."""
    from fipeval.diff_in_diff import _register_index

    def recoded(dtype, rename=lambda s: s):     # every table's ids renamed alike
        tables = {}
        for name in ("spells", "events", "contacts"):
            t = getattr(register, name).copy()
            t["client_id"] = t["client_id"].map(rename).astype(dtype)
            tables[name] = t
        # an event of a client without spells: unattributed on every route
        extra = tables["events"].iloc[:1].assign(client_id=pd.Series([rename("c9999")],
                                                                     dtype=dtype))
        tables["events"] = pd.concat([tables["events"], extra], ignore_index=True)
        return Register(tables["spells"], contacts=tables["contacts"], events=tables["events"],
                        extract_date=register.extract_date)

    varying = lambda s: s[:1] + str(int(s[1:]))          # noqa: E731  c0007 -> c7
    routes = {"one width": recoded("string[pyarrow]"),
              "varying widths": recoded("string[pyarrow]", varying)}
    prepared = {k: _register_index._Prepared(r) for k, r in routes.items()}
    assert prepared["one width"]._words is not None
    assert prepared["varying widths"]._words is None and prepared["varying widths"].ids is None
    panels = {k: caseworker_panel(r, min_months_on_benefit=3) for k, r in routes.items()}
    clients = {k: client_panel(r).drop(columns="client_id") for k, r in routes.items()}
    with monkeypatch.context() as m:
        m.setattr(_register_index, "_arrow_codes", lambda columns: None)
        k, r = "python strings", routes["varying widths"]
        assert _register_index._Prepared(r).ids is not None
        panels[k] = caseworker_panel(r, min_months_on_benefit=3)
        clients[k] = client_panel(r).drop(columns="client_id")
    for k in ("varying widths", "python strings"):
        pd.testing.assert_frame_equal(panels[k], panels["one width"], check_exact=True)
        assert panels[k].attrs == panels["one width"].attrs
        pd.testing.assert_frame_equal(clients[k], clients["one width"], check_exact=True)
    assert panels["one width"].attrs["unattributed_events"] >= 1
