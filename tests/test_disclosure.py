"""Statistical disclosure control: no suppressed count follows from the published figures,
within a table or across the cohort and terminations tables (issue 17's findings: FIP n
326 - 160 - 160 = 6; ended 59 - 35 - 24 = 0; a rate beside a published n)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fipeval.design import build_cohort
from fipeval.report.disclosure import protect
from fipeval.report.document import Figure
from fipeval.report.foundation import groups_section, terminations_section
from fipeval.synthetic import generate

THRESHOLD = 10


@pytest.fixture(scope="module")
def small_municipality():
    """three_municipalities with one municipality's FIP group cut to 6 clients."""
    study = generate("three_municipalities")
    cohort = build_cohort(study.register, study.design)
    small = sorted(cohort.municipality.unique())[0]
    fip_small = cohort.index[(cohort.municipality == small) & (cohort.fip == 1)]
    cohort = cohort.drop(fip_small[6:])
    return cohort, study.design, small


def _tables(section):
    return [b[1] for b in section.blocks if isinstance(b, tuple)]


def _hidden(value) -> bool:
    """'<10' (under the threshold) or 'x' (hidden so that a small count cannot be derived)."""
    return isinstance(value, str) and (value.startswith("<") or value == "x")


def _number(value) -> float:
    return float(str(value).replace(",", ""))


def test_no_suppressed_count_follows_by_subtraction(small_municipality):
    cohort, design, small = small_municipality
    terminations = _tables(terminations_section(cohort, THRESHOLD))[0]
    inner = terminations[terminations.municipality != "all"]
    total = terminations[terminations.municipality == "all"].iloc[0]
    for column in ("fip_n", "control_n", "fip_ended", "control_ended"):
        hidden = inner[column].map(_hidden)
        # a single hidden cell beside published ones and a published total is given away
        assert hidden.sum() != 1, (column, inner[column].tolist())
        if hidden.any():
            assert not _hidden(total[column])
    # figures derived from a hidden count are not shown (a 4-digit rate beside n gives it)
    for count, derived in (("fip_n", ["fip_rate", "crude_difference"]),
                           ("fip_ended", ["fip_rate", "crude_difference"])):
        rows = inner[inner[count].map(_hidden)]
        assert len(rows) and rows[derived].isna().all().all()
    assert _hidden(inner.set_index("municipality").loc[small, "fip_n"])


def test_the_cohort_table_hides_the_same_cells(small_municipality):
    # across tables: the cohort table's clients per municipality and group are the
    # terminations table's n; both must hide the same cells, or one gives the other away
    cohort, design, _ = small_municipality
    groups = _tables(groups_section(cohort, design, THRESHOLD))[0]
    terminations = _tables(terminations_section(cohort, THRESHOLD))[0]
    inner = terminations[terminations.municipality != "all"].set_index("municipality")
    for row in groups.itertuples():
        column = "fip_n" if row.group == "FIP" else "control_n"
        assert _hidden(row.clients) == _hidden(inner.loc[row.municipality, column])
        if _hidden(row.clients):
            assert np.isnan(row.mean_age) and np.isnan(row.mean_months_before_start)
    for group, part in groups.groupby("group"):
        assert part.clients.map(_hidden).sum() != 1


def test_subtraction_gives_only_the_sum_of_two_or_more_hidden_cells(small_municipality):
    """What an attacker can compute from the published column and total is the sum of the
    hidden cells; with two or more of them no single true value follows."""
    cohort, _, _ = small_municipality
    truth = _tables(terminations_section(cohort, 0))[0]       # threshold 0: everything shown
    shown = _tables(terminations_section(cohort, THRESHOLD))[0]
    inner_t = truth[truth.municipality != "all"].reset_index(drop=True)
    inner_s = shown[shown.municipality != "all"].reset_index(drop=True)
    total = _number(shown[shown.municipality == "all"].iloc[0]["fip_n"])
    hidden = [i for i, v in enumerate(inner_s["fip_n"]) if _hidden(v)]
    published = sum(_number(v) for v in inner_s["fip_n"] if not _hidden(v))
    assert len(hidden) >= 2
    assert total - published == sum(inner_t["fip_n"][i] for i in hidden)
    assert all(inner_t["fip_n"][i] != total - published for i in hidden)


def test_protect_keeps_totals_and_blanks_derived_figures():
    t = pd.DataFrame({"m": ["A", "B", "C", "all"], "n": [160, 150, 6, 316],
                      "mean": [40.0, 41.0, 39.0, 40.4]})
    out = protect(t, {"n": ["mean"]}, threshold=THRESHOLD, total=t.m == "all")
    assert out.n.tolist() == ["160", "x", "<10", "316"]
    assert out["mean"].isna().tolist() == [False, True, True, False]
    assert protect(t, {"n": ["mean"]}, threshold=0).n.tolist() == [160, 150, 6, 316]


def test_estimates_json_follows_the_report_rules():
    from fipeval.report.disclosure import withhold_estimates
    rows = [{"name": "a", "estimate": 0.3, "ci_lower": 0.1, "ci_upper": 0.5, "n": 6},
            {"name": "b", "estimate": 0.2, "ci_lower": 0.1, "ci_upper": 0.3, "n": 19},
            {"name": "c", "estimate": 1.0, "n": None}]
    out = withhold_estimates(rows, THRESHOLD)
    assert out[0] == {"name": "a", "estimate": None, "ci_lower": None, "ci_upper": None,
                      "n": "<10", "suppressed": True}
    assert out[1:] == rows[1:] and rows[0]["n"] == 6          # the input is not changed
    assert withhold_estimates(rows, 0) == rows


def test_no_suppression_is_stated_in_the_output(tmp_path):
    import json

    from fipeval.cli import main
    assert main(["report", "--demo", "--out", str(tmp_path), "--no-suppression", "--quiet"]) == 0
    settings = json.loads((tmp_path / "estimates.json").read_text())["settings"]
    assert settings["disclosure control"].startswith("none (--no-suppression)")
    assert "NOT FOR PUBLICATION" in (tmp_path / "report.md").read_text()
    assert main(["report", "--demo", "--out", str(tmp_path), "--no-suppression",
                 "--suppress-below", "5"]) == 2


@pytest.fixture(scope="module")
def small_report():
    """The three_municipalities report with one municipality's FIP group cut to 6 clients."""
    from pathlib import Path

    import fipeval
    from fipeval.report.config import load_config
    from fipeval.report.run import build_report
    from fipeval.schema import Register

    folder = Path(fipeval.__file__).parents[1] / "data" / "synthetic" / "three_municipalities"
    register = fipeval.load(folder, key=folder / "pseudonym.key")
    config = load_config(folder / "study.toml")
    cohort = build_cohort(register, config.design())
    small = sorted(cohort.municipality.unique())[0]
    fip = cohort[(cohort.municipality == small) & (cohort.fip == 1)].client_id
    drop = set(fip.iloc[6:])
    spells = register.spells[~register.spells.client_id.isin(drop)]
    history = register.assignments      # FIP by the caseworker at the start (issue 21)
    cut = Register(spells=spells, contacts=register.contacts, events=register.events,
                   extract_date=register.extract_date, load_report=register.load_report,
                   assignments=history[~history.client_id.isin(drop)])
    return build_report(cut, config), small


def _report_tables(report):
    from fipeval.results import Summary
    for section in report.sections:
        for block in section.blocks + section.appendix:
            if isinstance(block, Summary):
                yield section.title, block.title, block.table
            elif isinstance(block, tuple):
                yield section.title, block[0], block[1]


def test_a_small_group_shows_no_figure_in_any_table_or_estimate(small_report):
    report, small = small_report
    units = ("Municipality", "municipality", "subset", "unit")
    seen = 0
    for section, title, table in _report_tables(report):
        unit = next((c for c in units if c in table.columns), None)
        if unit is None:
            continue
        rows = table[table[unit].astype(str) == small]
        for _, row in rows.iterrows():
            seen += 1
            for col, value in row.items():
                if col == unit:
                    continue
                if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                    # caseworker counts are not people; everything else is withheld
                    assert "caseworkers" in str(col).lower() or np.isnan(value), \
                        (section, title, col, value)
                if col in ("FIP clients", "clients_fip", "fip_n", "n_fip", "clients"):
                    assert _hidden(value) or "control" in str(row.get("group", "")), \
                        (section, title, col, value)
    assert seen >= 3
    for row in report.estimates:
        if row.get("municipality") == small or f"[{small}]" in str(row.get("name", "")):
            assert row.get("estimate") is None, row
    text = "\n".join(b for s in report.sections for b in s.blocks if isinstance(b, str))
    assert f"No figures are shown for {small}" in text


def test_the_withheld_figures_read_in_dutch_too(small_report):
    """The sentences and marks of a report with a municipality under the threshold are in
    the Dutch catalog as well (the bundled studies have none)."""
    from dataclasses import replace

    from fipeval.report.document import localise

    report = small_report[0]
    chapters = [s for s in report.sections if s.language is None]  # the first page has its own
    _, missing = localise(replace(report, sections=chapters, language="nl"))
    assert missing == []
