"""The report in its reader's language: every text of a Dutch report through the catalog,
no English word left, numbers written the Dutch way, figures drawn in Dutch; and codes shown
as words in both languages, key columns first."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from fipeval.report.catalog_nl import CATALOG
from fipeval.report.document import Section, localise, render_html, render_markdown
from fipeval.report.first_page import TEXT
from fipeval.report.labels import KEY_COLUMNS, READABLE, VOCABULARIES
from fipeval.report.language import ReportWords, Translator, report_language

from conftest import bundled_report

SCENARIOS = ("brabantse_wal", "three_municipalities")


class _VisibleText(HTMLParser):
    """The texts a reader sees (and image alt texts), without the settings block."""

    def __init__(self):
        super().__init__()
        self.texts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "pre")
        self.texts += [v for k, v in attrs if k == "alt" and v]

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "pre")

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data)


def _visible(html: str) -> list:
    parser = _VisibleText()
    parser.feed(html)
    return parser.texts


def _words(texts) -> set:
    return {w.lower() for t in texts for w in re.findall(r"[A-Za-zëéïö]{3,}", str(t))}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_text_of_a_dutch_report_is_in_the_catalog(scenario):
    report, _ = bundled_report(scenario, "nl")
    _, missing = localise(report)
    assert missing == []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_english_word_reaches_a_dutch_report(scenario):
    """Every word of the Dutch report that the English rendering of the same report also
    has must be a Dutch word of the catalog or the first page, or a name from the data
    (municipalities, caseworkers, files)."""
    report, _ = bundled_report(scenario, "nl")
    dutch = _words(_visible(render_html(report)))
    english = _words(_visible(render_html(replace(report, language="en"))))
    files = report.settings["config"].get("name", "")
    allowed = (_words(CATALOG.values()) | _words(TEXT["nl"].values())
               | _words(report.names) | _words([files, "csv", "truth", "json"]))
    leaked = sorted((dutch & english) - allowed)
    assert leaked == []
    # and the test can fail: the English rendering is English
    assert {"benefit", "caseworkers", "rows"} <= english - allowed


def test_a_dutch_report_writes_numbers_the_dutch_way():
    report, _ = bundled_report("three_municipalities", "nl")
    page = render_markdown(report)
    assert "114.823 regels gelezen; 114.823 behouden" in page
    assert "| uitkeringsperioden | 14.330 | 12.991 |" in page
    assert "| Amersfoort | controle | 1.744 | 18 | 52,52 | 48,58 |" in page
    english = render_markdown(replace(report, language="en"))
    assert "114,823 rows were read; 114,823 kept" in english
    assert "| spells | 14,330 | 12,991 |" in english


def test_figures_are_drawn_in_the_reports_language():
    report, _ = bundled_report("three_municipalities", "nl")
    figures = [b for s in report.sections for b in s.blocks if hasattr(b, "png")]
    assert figures and all(f.untranslated == () for f in figures)

    fig, ax = plt.subplots()
    ax.plot([0, 0.5, 1.5], [0.25, 0.5, 0.75], label="control")
    ax.set_xlabel("months")
    ax.legend()
    with report_language("nl"):
        section = Section("x").figure(fig, "f", "Monthly termination rate")
    texts = {t.get_text() for t in fig.findobj(plt.Text)}
    assert {"controle", "maanden"} <= texts and "control" not in texts
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert any("," in t for t in ticks) and not any("." in t for t in ticks)
    assert section.blocks[0].untranslated == ()


def test_an_unknown_text_is_kept_and_listed_a_name_passes():
    words = ReportWords("nl", names=["Bergen op Zoom", "BOZ-01"])
    assert words("Bergen op Zoom") == "Bergen op Zoom"
    assert words("Bergen op Zoom, BOZ-01") == "Bergen op Zoom, BOZ-01"
    assert words("A sentence nobody translated.") == "A sentence nobody translated."
    assert list(words.missing) == ["A sentence nobody translated."]
    assert words("Table") == "Tabel" and words("13,304.5") == "13.304,5"
    assert words("cell text", strict=False) == "cell text" and len(words.missing) == 1


def test_templates_translate_their_fields_lists_and_vocabularies():
    tr = Translator("nl", {"{n} rows were read": "{n} regels gelezen",
                           "Cost: {list}.": "Kosten: {list}.",
                           "hourly": "per uur", "annual": "per jaar",
                           "{o:outcome} ({m})": "{o} ({m})", "Benefit ended": "Uitkering beëindigd",
                           "Ended: death": "Beëindigd: overlijden"},
                    vocabularies=VOCABULARIES)
    assert tr("13,304 rows were read") == "13.304 regels gelezen"
    assert tr("Cost: hourly, annual.") == "Kosten: per uur, per jaar."
    # a list of items each matching a template, not one item swallowing the rest
    assert tr("Cost: Benefit ended (A); Ended: death (B C).") == \
        "Kosten: Uitkering beëindigd (A); Beëindigd: overlijden (B C)."
    assert tr("Something ({m})") == "Something ({m})" and tr.missing


def test_codes_read_as_words_in_english_too():
    readable = Translator("en", READABLE, VOCABULARIES)
    assert readable("cif[other_benefit|1]") == "Ended, other benefit: FIP"
    assert readable("median[0]") == "Median months on benefit: control"
    assert readable("e=-3") == "Month -3 since the start"
    assert readable("risk_difference") == "Difference in share ended"
    report, _ = bundled_report("three_municipalities", "nl")
    english = render_markdown(replace(report, language="en"))
    for code in ("cif[", "rmst[", "median[", "| e=", "risk_difference |", "[all municipalities]",
                 "....", "| mean_treated_before", "| smd_after", "| p_value |"):
        assert code not in english, code


def test_key_columns_come_first_in_every_report_table():
    report, _ = bundled_report("three_municipalities", "nl")
    view, _ = localise(replace(report, language="en"))
    effects = next(b for b in view.section("Effects per municipality and pooled").blocks
                   if hasattr(b, "table") and "Outcome" in b.table.columns).table
    assert list(effects.columns[:6]) == ["Municipality", "Outcome", "FIP minus control",
                                         "Interval from", "Interval to", "p"]
    balance = next(b for b in view.section("Caseload composition and balance").blocks
                   if hasattr(b, "table") and len(b.table.columns) > 8).table
    assert list(balance.columns[:4]) == ["Term", "Standardised difference before",
                                         "Standardised difference after",
                                         "Imbalanced (|SMD| > 0.1)"]
    assert len(set(KEY_COLUMNS)) == len(KEY_COLUMNS)


def test_the_report_object_keeps_its_codes_and_english_titles():
    """Rendering translates a copy: programs look sections and codes up in English."""
    report, _ = bundled_report("three_municipalities", "nl")
    render_html(report)
    assert report.section("Effects per municipality and pooled")
    assert report.title == "FIP evaluation: three_municipalities"
    effects = [b for b in report.section("Effects per municipality and pooled").blocks
               if "outcome" in getattr(getattr(b, "table", None), "columns", [])]
    assert effects and "ended" in set(effects[0].table["outcome"])


def test_the_workbook_of_a_dutch_report_has_dutch_headers_and_numbers_as_numbers(tmp_path):
    pytest.importorskip("openpyxl")
    from fipeval.report.document import write_workbook

    report, _ = bundled_report("three_municipalities", "nl")
    path = write_workbook(report, tmp_path / "report.xlsx", 10)
    sheets = pd.read_excel(path, sheet_name=None)
    headers = {c for sheet in sheets.values() for c in sheet.columns}
    assert "Gemeente" in headers
    numeric = [sheet for name, sheet in sheets.items() if name != "estimates"]
    assert any(pd.api.types.is_float_dtype(sheet[c]) for sheet in numeric for c in sheet)
