"""The canonical schema: conform() dtypes, optional columns, clear errors."""

import numpy as np
import pandas as pd
import pytest

from fipeval.errors import SchemaError
from fipeval.schema import TABLES, Register, conform, empty_table


def test_optional_columns_are_added_empty_with_their_dtype():
    spells = pd.DataFrame({"client_id": ["a"], "municipality": ["X"], "caseworker": ["k1"],
                           "start_date": ["2014-01-01"], "end_date": [None], "end_reason": [None]})
    out = conform("spells", spells)
    for col in TABLES["spells"]:
        assert col.name in out.columns
    assert out["monthly_amount"].dtype == "float64" and out["monthly_amount"].isna().all()
    assert str(out["birth_year"].dtype) == "Int16"
    assert out["start_date"].dtype == "datetime64[ns]"


def test_missing_required_column_is_named():
    with pytest.raises(SchemaError, match="no column `caseworker`"):
        conform("spells", pd.DataFrame({"client_id": ["a"], "municipality": ["X"]}))


def test_value_outside_category_set_is_named():
    events = pd.DataFrame({"client_id": ["a", "b"], "date": ["2015-01-01"] * 2,
                           "kind": ["fraud_signal", "party"]})
    with pytest.raises(SchemaError, match="first: row 1, value 'party'"):
        conform("events", events)


def test_conform_does_not_mutate_the_input():
    contacts = pd.DataFrame({"client_id": ["a"], "date": ["2015-01-01"], "kind": ["intake"]})
    before = contacts.copy()
    conform("contacts", contacts)
    pd.testing.assert_frame_equal(contacts, before)


def test_register_defaults_and_extract_date():
    register = Register(spells=empty_table("spells"))
    assert len(register.contacts) == 0 and register.extract_date is None
    assert "0 spells" in repr(register)


def test_text_categories_keep_only_those_in_use_sorted():
    from fipeval.schema import conform
    rng = np.random.default_rng(2)
    names = ["Gemeente B", "Gemeente A", "Gemeente D", "Gemeente C", "unused"]
    codes = rng.integers(-1, 4, 500)
    spells = pd.DataFrame({
        "client_id": pd.array([f"c{i}" for i in range(500)], dtype="string"),
        "municipality": pd.Categorical.from_codes(codes, categories=names),
        "caseworker": "k1", "start_date": pd.Timestamp("2020-01-01"), "end_date": pd.NaT,
        "end_reason": None})
    got = conform("spells", spells)["municipality"]
    expected = spells["municipality"].astype(object).astype("string").astype("category")
    assert list(got.cat.categories) == ["Gemeente A", "Gemeente B", "Gemeente C", "Gemeente D"]
    assert got.cat.categories.dtype == expected.cat.categories.dtype
    pd.testing.assert_series_equal(got, expected, check_names=False)
