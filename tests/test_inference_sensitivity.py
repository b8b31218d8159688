"""E-values (VanderWeele & Ding 2017): the published example, hand-computable cases, the
risk-difference route, and the report's first page stating it only beside a claimed
difference."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fipeval.errors import InputError
from fipeval.inference import e_value


def test_the_published_example(reference_dir):
    ref = pd.read_csv(reference_dir / "inference" / "e_value_published.csv", comment="#").iloc[0]
    r = e_value(ref.rr, ci=(ref.ci_lower, ref.ci_upper))
    # the paper prints one decimal, cut off (7.26 as 7.2): within one unit of that decimal
    printed = 10.0 ** -int(ref.printed_decimals)
    assert 0 <= r.e_value - ref.e_value < printed
    assert 0 <= r.e_value_ci - ref.e_value_ci < printed


@pytest.mark.parametrize("rr,expected", [(1.0, 1.0), (2.0, 2 + math.sqrt(2)),
                                         (0.5, 2 + math.sqrt(2)), (4.0, 4 + math.sqrt(12))])
def test_hand_computed_values_and_the_protective_side(rr, expected):
    assert float(e_value(rr)) == pytest.approx(expected, rel=1e-15)


def test_the_interval_uses_the_limit_nearest_to_no_effect_or_one_when_it_spans_it():
    assert e_value(2.0, ci=(1.5, 3.0)).e_value_ci == pytest.approx(1.5 + math.sqrt(0.75))
    assert e_value(0.5, ci=(0.25, 0.8)).e_value_ci == pytest.approx(1.25 + math.sqrt(1.25 * 0.25))
    assert e_value(1.2, ci=(0.9, 1.6)).e_value_ci == 1.0
    assert math.isnan(e_value(1.2).e_value_ci)


def test_a_risk_difference_is_read_at_the_control_risk():
    # 0.15 against 0.20: RR 0.75 -> 1/0.75 = 4/3 -> 4/3 + sqrt(4/3 x 1/3) = 2
    r = e_value(-0.05, ci=(-0.09, -0.01), measure="RD", baseline=0.2)
    assert r.risk_ratio == pytest.approx(0.75) and r.e_value == pytest.approx(2.0)
    assert r.risk_ratio_ci == pytest.approx((0.55, 0.95))
    assert r.e_value_ci == pytest.approx(1 / 0.95 + math.sqrt(1 / 0.95 * (1 / 0.95 - 1)))


@pytest.mark.parametrize("kwargs", [dict(measure="OR"), dict(measure="RD"),
                                    dict(measure="RD", baseline=1.0)])
def test_bad_input_is_refused_with_what_to_do(kwargs):
    with pytest.raises(InputError):
        e_value(0.1, **kwargs)


def test_an_impossible_risk_difference_is_refused():
    with pytest.raises(InputError, match="positive"):
        e_value(-0.3, measure="RD", baseline=0.2)


def test_the_first_page_reads_the_e_value_at_each_municipalitys_control_share():
    from fipeval.report.first_page import TEXT, _e_value

    cohort = pd.DataFrame({"fip": [0] * 10 + [1] * 10, "municipality": ["A"] * 5 + ["B"] * 5
                           + ["A"] * 10, "ended": [1, 0, 0, 0, 0] + [1, 1, 0, 0, 0] + [0] * 10})
    ended = {"estimate": 0.1, "ci_lower": 0.02, "ci_upper": 0.18}
    a = _e_value(ended, cohort, "A")            # control share 0.2 in A
    assert a.baseline == pytest.approx(0.2) and a.risk_ratio == pytest.approx(1.5)
    pooled = _e_value(ended, cohort, None)      # 0.3 over all control clients
    assert pooled.baseline == pytest.approx(0.3)
    assert _e_value({"estimate": -0.25, "ci_lower": -0.3, "ci_upper": 0.1}, cohort, "A") is None
    for language in ("en", "nl"):
        sentence = TEXT[language]["e_value"].format(e="2,4", e_ci="1,2")
        assert "2,4" in sentence and "1,2" in sentence
