"""Smoke tests of the national-scale benchmark harness (benchmarks/run_national.py,
benchmarks/scaling.py) on a tiny national scenario, so the harness cannot rot.

They check that every stage is measured and the report is written, not how fast it is:
speed is measured by the benchmarks, never timed in tests.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import run_national  # noqa: E402
import scaling  # noqa: E402

SLOPE_RTOL = 1e-10
TINY = dict(n_municipalities=8, n_sites=2)


@pytest.fixture(scope="module")
def tiny_export(tmp_path_factory):
    return run_national.ensure_export(0.01, cache=tmp_path_factory.mktemp("cache"), **TINY)


def test_export_is_cached(tiny_export):
    again = run_national.ensure_export(0.01, cache=tiny_export.parent, **TINY)
    assert again == tiny_export
    assert all((tiny_export / f).is_file() for f in run_national.EXPORT_FILES)


def test_run_report_measures_every_stage(tiny_export, tmp_path):
    import fipeval.report.run as run_mod

    builders, cohort = run_mod.section_builders, run_mod.build_cohort
    res = run_national.run_report(tiny_export, tmp_path / "report")
    # the wrappers are removed again
    assert run_mod.section_builders is builders and run_mod.build_cohort is cohort
    names = [r["name"] for r in res["stages"]]
    expected = ["load", "build_cohort"] + [n for n, _ in builders()] + ["assembly", "write_report"]
    assert names == expected
    for r in res["stages"]:
        assert r["wall_s"] >= 0 and r["cpu_s"] >= 0
        if r["name"] != "assembly":
            assert r["peak_rss_mb"] > 0
    assert (tmp_path / "report" / "report.html").stat().st_size > 0
    assert res["sizes"]["cohort"] > 0 and res["sizes"]["clients"] >= res["sizes"]["cohort"]
    summary = run_national.summarise(res)
    assert math.isclose(summary["total"]["wall_s"], sum(r["wall_s"] for r in res["stages"]))
    assert set(summary["by_stage"]) >= {"load", "design", "rendering"}


def test_worker_process_and_tables(tiny_export):
    res = run_national.summarise(run_national.run_in_process(tiny_export, cores=1))
    assert res["cpus_used"] == 1
    table = run_national.format_table({"0.01": res})
    assert "build_cohort" in table and "total" in table
    # the scaling fit on the same run at two pretend sizes: time doubles with n -> slope 1
    doubled = run_national.summarise({
        **res, "sizes": {**res["sizes"], "clients": 2 * res["sizes"]["clients"]},
        "stages": [{**r, "wall_s": 2 * r["wall_s"], "cpu_s": 2 * r["cpu_s"]} for r in res["stages"]]})
    fitted = scaling.fit({"0.01": res, "0.02": doubled})
    for name, e in fitted["stages"].items():
        if e["cpu_s"][0] > 0:
            assert e["slope_cpu"] == pytest.approx(1.0, rel=1e-6), name
    assert "total" in scaling.format_table(fitted)


def test_slopes_against_hand_computed_values():
    n = np.array([1e5, 2e5, 4e5, 8e5])
    np.testing.assert_allclose(scaling.loglog_slope(n, 3 * n ** 1.5), 1.5, rtol=SLOPE_RTOL)
    two = np.array([1e5, 1e6])
    expected = 1 + (math.log(math.log(1e6)) - math.log(math.log(1e5))) / (math.log(1e6) - math.log(1e5))
    np.testing.assert_allclose(scaling.nlogn_slope(two), expected, rtol=SLOPE_RTOL)
    assert scaling.verdict(1.05, 1.07, 10.0) == "<= n log n"
    assert scaling.verdict(1.5, 1.07, 10.0) == "WORSE than n log n"
    assert scaling.verdict(3.0, 1.07, 0.01) == "too fast to judge"


@pytest.mark.parametrize("name, stage", [
    ("data", "descriptive"), ("groups", "descriptive"), ("terminations", "tests"),
    ("savings", "costing"), ("balance", "matching"), ("survival", "survival"),
    ("did", "did"), ("costing", "costing")])
def test_sections_map_to_the_issue_stages(name, stage):
    assert run_national.stage_of_section(name) == stage
