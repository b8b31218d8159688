"""The client panel and its totals through DuckDB equal the pandas engine's; client ids of one
width (compared as Arrow's bytes) and of varying width (as Python strings) give one panel."""

import numpy as np
import pandas as pd
import pytest

from fipeval import Register
from fipeval.diff_in_diff import caseworker_panel, client_panel, client_totals
from fipeval.errors import InputError
from fipeval.synthetic import generate

TOTALS_RTOL = 1e-12      # months_on_benefit is a float sum: DuckDB adds in another order


@pytest.fixture(scope="module")
def study():
    return generate("brabantse_wal", seed=3)


def _renamed(register: Register, mapping) -> Register:
    tables = {}
    for name in ("spells", "events", "contacts", "assignments"):
        t = getattr(register, name)
        if t is None:
            tables[name] = None
            continue
        t = t.copy()
        t["client_id"] = t["client_id"].map(mapping).astype("string[pyarrow]")
        tables[name] = t
    return Register(tables["spells"], contacts=tables["contacts"], events=tables["events"],
                    extract_date=register.extract_date, assignments=tables["assignments"])


def test_ids_of_varying_width_give_the_same_panels(study):
    reg = study.register
    ids = pd.unique(pd.concat([reg.spells["client_id"], reg.events["client_id"],
                               reg.contacts["client_id"]]).astype(str))
    # strip a varying number of characters: Python-string path, same clients
    varying = _renamed(reg, {c: c[: 8 + i % 9] + str(i) for i, c in enumerate(ids)})
    kw = dict(design=study.design, min_months_on_benefit=6)
    a, b = caseworker_panel(reg, **kw), caseworker_panel(varying, **kw)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs == b.attrs
    pa_, pb = client_panel(reg), client_panel(varying)
    pd.testing.assert_frame_equal(pa_.drop(columns="client_id"), pb.drop(columns="client_id"),
                                  check_exact=True)


@pytest.mark.parametrize("with_design", [False, True])
def test_duckdb_panel_equals_pandas(study, with_design):
    pytest.importorskip("duckdb")
    design = study.design if with_design else None
    a = client_panel(study.register, design=design)
    b = client_panel(study.register, design=design, engine="duckdb")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs == b.attrs


@pytest.mark.parametrize("by", [("month",), ("municipality", "month"), ("caseworker",),
                                ("end_reason",), ("period",), ("fip", "post"),
                                ("event_time",), ("fip", "after_follow_up", "month")])
def test_duckdb_totals_equal_pandas(study, by):
    pytest.importorskip("duckdb")
    a = client_totals(study.register, by=by, design=study.design)
    b = client_totals(study.register, by=by, design=study.design, engine="duckdb")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=TOTALS_RTOL, atol=0)
    assert a["client_months"].sum() <= len(client_panel(study.register))


def test_duckdb_parquet_holds_the_panel(study, tmp_path):
    pytest.importorskip("duckdb")
    path = tmp_path / "panel.parquet"
    assert client_panel(study.register, design=study.design, engine="duckdb", path=path) == path
    got = pd.read_parquet(path)
    ref = client_panel(study.register, design=study.design)
    keys = ["client_id", "caseworker", "month"]
    got = got.sort_values(keys).reset_index(drop=True)
    ref = ref.astype({c: str for c in ("client_id", "caseworker", "municipality")})
    ref["month"] = ref["month"].dt.date
    ref = ref.sort_values(keys).reset_index(drop=True)
    for c in ("client_id", "caseworker", "municipality", "month", "period", "terminated",
              "fraud_signals", "activations", "contacts", "fip", "post", "after_follow_up"):
        assert got[c].tolist() == ref[c].tolist(), c
    np.testing.assert_array_equal(got["months_on_benefit"], ref["months_on_benefit"])
    np.testing.assert_array_equal(got["event_time"], ref["event_time"])
    assert got["end_reason"].fillna("").tolist() == ref["end_reason"].astype(object).fillna("").tolist()


def test_engine_options_are_checked(study):
    with pytest.raises(InputError, match="engine"):
        client_panel(study.register, engine="spark")
    with pytest.raises(InputError, match="path"):
        client_panel(study.register, path="x.parquet")
    with pytest.raises(InputError, match="design="):
        client_totals(study.register, by=("fip",))
