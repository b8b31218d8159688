"""The report's first page: the effects and costing sections' own numbers, in plain words,
in English and Dutch."""

from __future__ import annotations

import re
import string

import numpy as np
import pytest
from scipy import stats

from fipeval.report.document import render_html, render_markdown
from fipeval.report.first_page import TEXT, _ended_sentence, money, number

from conftest import bundled_report

RTOL = 1e-12  # the first page restates numbers; it computes nothing of its own
EXCEL_RTOL = 1e-14  # openpyxl writes floats with 16 significant digits
ADJUSTED = "Effects on the FIP clients: unadjusted and adjusted side by side"


def _report(scenario: str, language: str):
    return bundled_report(scenario, language)


@pytest.fixture(scope="module")
def three_nl():
    return _report("three_municipalities", "nl")


@pytest.fixture(scope="module")
def demo_en():
    return _report("brabantse_wal", "en")


def _by_name(report) -> dict:
    return {e["name"]: e for e in report.estimates if "name" in e}


def test_the_first_page_comes_first_in_the_reports_language(three_nl, demo_en):
    assert three_nl[0].sections[0].title == "Het antwoord in het kort"
    assert demo_en[0].sections[0].title == "The answer in brief"
    assert '<html lang="nl">' in render_html(three_nl[0])
    # the Report keeps the English title programs look up; it is rendered in the reader's
    assert "<title>FIP-evaluatie: three_municipalities</title>" in render_html(three_nl[0])


@pytest.mark.parametrize("unit", ["Amersfoort", "Gemeente C", "IJsselgemeenten", "pooled"])
def test_extra_ended_benefits_are_the_effects_sections_difference_times_fip_clients(three_nl, unit):
    report, _ = three_nl
    names = _by_name(report)
    subset = "all municipalities" if unit == "pooled" else unit
    # the leading estimate the balance rule chose: regression adjustment (the bundled study
    # is balanced: every standardised difference at most 0.1)
    effect = names[f"{ADJUSTED}: ended [{subset}]: regression"]
    extra = names[f"extra_ended_benefits[{unit}]"]
    n_fip = extra["n"]
    assert n_fip == (480 if unit == "pooled" else 160)
    for field in ("estimate", "ci_lower", "ci_upper"):
        assert extra[field] == pytest.approx(effect[field] * n_fip, rel=RTOL)
    assert extra["p_value"] == effect["p_value"]
    assert extra["method"] == "regression: randomization"


@pytest.mark.parametrize("unit", ["Amersfoort", "pooled"])
def test_the_minimum_detectable_effect_comes_from_the_design_based_interval(three_nl, unit):
    report, config = three_nl
    names = _by_name(report)
    subset = "all municipalities" if unit == "pooled" else unit
    effect = names[f"{ADJUSTED}: ended [{subset}]: regression"]
    alpha = config.inference.alpha
    z = stats.norm.ppf(1 - alpha / 2)
    by_hand = (z + stats.norm.ppf(0.8)) * (effect["ci_upper"] - effect["ci_lower"]) / (2 * z)
    assert names[f"minimum_detectable_effect[{unit}]"]["estimate"] == pytest.approx(by_hand,
                                                                                    rel=RTOL)


def test_euros_are_the_costing_sections_net_results(three_nl):
    report, _ = three_nl
    names = _by_name(report)
    pooled = names["Savings, Monte Carlo (refined, pooled over Amersfoort, Gemeente C, "
                   "IJsselgemeenten) [pooled]: net_savings_per_year"]
    mine = names["net_result_per_year[pooled]"]
    for field in ("estimate", "ci_lower", "ci_upper"):
        assert mine[field] == pooled[field]
    nets = [e for e in report.estimates if e.get("section") == "costing"
            and e["name"].startswith("Net result of FIP [") and e.get("outcome") is None
            and e["name"].endswith("]: net_savings_per_year")]
    firsts = [names[f"net_result_per_year[{u}]"]["estimate"]
              for u in ("Amersfoort", "Gemeente C", "IJsselgemeenten")]
    assert firsts == [e["estimate"] for e in nets]
    page = render_markdown(report).split("## ")[1]  # the first page only
    assert money(mine["estimate"], "nl") in page and money(mine["ci_lower"], "nl") in page


def test_every_row_and_verdict_is_on_the_page(three_nl, demo_en):
    page = render_markdown(three_nl[0]).split("## ")[1]
    for unit in ("Amersfoort", "Gemeente C", "IJsselgemeenten", "Alle gemeenten"):
        assert f"| {unit} |" in page and f"\n\n{unit}: " in page
    assert "Met 2 FIP-klantmanagers was een effect kleiner dan ongeveer" in page
    demo = render_markdown(demo_en[0]).split("## ")[1]
    # one municipality with FIP: one row (the pooled comparison is the same one)
    assert "| Bergen op Zoom |" in demo and "All municipalities |" not in demo


def test_no_english_reaches_the_dutch_first_page(three_nl):
    """Words of the English page that are not Dutch words of the Dutch page never appear on
    the Dutch page (names of municipalities and numbers aside)."""
    page = render_markdown(three_nl[0]).split("## ")[1]

    def words(texts) -> set:
        return {w.lower() for text in texts for w in re.findall(r"[A-Za-zë]{3,}", text)}

    english_only = words(TEXT["en"].values()) - words(TEXT["nl"].values())
    leaked = sorted(w for w in words([page]) if w in english_only)
    assert leaked == []


def test_both_languages_have_every_text_with_the_same_fields():
    assert TEXT["en"].keys() == TEXT["nl"].keys()
    fields = lambda text: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)  # noqa: E731
    for key in TEXT["en"]:
        assert fields(TEXT["en"][key]) == fields(TEXT["nl"][key]), key


def test_numbers_are_written_as_each_language_writes_them():
    assert number(1234567.891, 2, "en") == "1,234,567.89"
    assert number(1234567.891, 2, "nl") == "1.234.567,89"
    assert money(-33020.4, "nl") == "€\u00a0-33.020" and money(750000, "en") == "EUR\u00a0750,000"
    assert number(np.nan, 1, "nl") == "-"


@pytest.mark.parametrize("interval,verdict", [((2.0, 5.0), "FIP ended more benefits"),
                                              ((-5.0, -2.0), "FIP ended fewer benefits"),
                                              ((-1.0, 3.0), "the data cannot tell")])
def test_a_difference_is_claimed_only_when_its_interval_excludes_zero(interval, verdict):
    scaled = {"estimate": sum(interval) / 2, "ci_lower": interval[0], "ci_upper": interval[1]}
    sentence = _ended_sentence("X", scaled, {"estimate": 10.0}, "en", TEXT["en"])
    assert verdict in sentence


def test_the_workbook_holds_the_estimates_as_numbers(three_nl, tmp_path):
    import openpyxl  # the io extra, which the test command installs
    from fipeval.report.run import write_report

    report, _ = three_nl
    files = write_report(report, tmp_path)
    book = openpyxl.load_workbook(files["workbook"], read_only=True)
    assert book.sheetnames == ["Het antwoord in het kort", "process per caseworker", "effects",
                               "costing", "estimates"]
    first = list(book["Het antwoord in het kort"].iter_rows(values_only=True))
    header, rows = first[0], {r[0]: dict(zip(first[0], r)) for r in first[1:]}
    names = _by_name(report)
    for unit, key in (("Amersfoort", "Amersfoort"), ("Alle gemeenten", "pooled")):
        extra = names[f"extra_ended_benefits[{key}]"]
        assert rows[unit]["extra_ended_benefits"] == pytest.approx(extra["estimate"], rel=EXCEL_RTOL)
        assert rows[unit]["extra_ended_benefits_ci_lower"] == pytest.approx(extra["ci_lower"],
                                                                            rel=EXCEL_RTOL)
        assert isinstance(rows[unit]["net_result_per_year_eur"], float)
    assert "clients_fip" in header and rows["Amersfoort"]["clients_fip"] == 160
    estimates = list(book["estimates"].iter_rows(values_only=True))
    assert len(estimates) == 1 + len(report.estimates)
    column = estimates[0].index("estimate")
    for row, e in zip(estimates[1:], report.estimates):
        expected = e.get("estimate")
        assert row[column] == (None if expected is None else pytest.approx(expected,
                                                                          rel=EXCEL_RTOL)), e


def test_every_estimates_row_is_keyed_by_name_with_its_method_and_n(three_nl, demo_en):
    """estimates.json rows: named (not list positions), a method and the clients they rest on."""
    for report, _ in (three_nl, demo_en):
        rows = [e for e in report.estimates if "error" not in e]
        assert rows and all(e["name"] and e["method"] for e in rows)
        assert [e["name"] for e in rows if not isinstance(e["n"], int) or e["n"] <= 0] == []
        assert len({(e["section"], e["name"]) for e in rows}) == len(rows)
    meta = {e["name"]: e["n"] for e in three_nl[0].estimates if e["name"].startswith("Meta")}
    # that municipality's clients, not the cohort's
    assert meta["Meta-analysis over municipalities: Amersfoort"] == 1904
