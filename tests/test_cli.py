"""The command line dispatches to each stage and exits with the documented codes."""

from pathlib import Path

import pytest

from fipeval.cli import main

BW = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "brabantse_wal"


def test_inspect_shows_the_detected_format(capsys):
    assert main(["inspect", str(BW / "uitkeringen.csv")]) == 0
    out = capsys.readouterr().out
    assert "Separator  ;" in out and "start_date" in out


def test_inspect_help_is_the_loaders_own(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", "--help"])
    assert exit_info.value.code == 0
    assert "mapping" in capsys.readouterr().out


def test_synth_refuses_an_unknown_scenario(capsys):
    with pytest.raises(SystemExit):
        main(["synth", "atlantis", "--out", "x"])


def test_report_without_paths_or_demo_is_a_one_line_error(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
