"""The command line: help, one error voice, progress where it runs, --dry-run, timings.

Exit codes (fipeval/cli.py): 0 success, 1 `check` found differences, 2 a user error in one
line naming the flag to change, 3 an internal error with the --traceback hint.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import warnings
from pathlib import Path

import pytest

from fipeval import cli
from fipeval.cli import build_parser, main
from fipeval.progress import Progress, steps

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data" / "synthetic"
BW = DATA / "brabantse_wal"
BASELINE = REPO / "tests" / "baseline" / "brabantse_wal.json"
COMMANDS = ("report", "check", "inspect", "synth", "init", "key")


def _subparsers(parser: argparse.ArgumentParser, path=()):
    """(command path, parser) for every command and sub-command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _subparsers(sub, (*path, name))


# -- help ---------------------------------------------------------------------------------
def test_no_arguments_shows_every_command(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m fipeval")
    for command in COMMANDS:
        assert f"\n    {command} " in out
    assert "examples:" in out and "--traceback" in out


def test_every_command_and_option_has_help_with_an_example():
    commands = list(_subparsers(build_parser()))
    assert {path for path, _ in commands} == {(c,) for c in COMMANDS} | {("key", "new")}
    for path, parser in commands:
        assert parser.description, path
        assert "examples:\n  python -m fipeval " + " ".join(path) in parser.epilog, path
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, (path, action.dest)
            if action.nargs != 0 and not action.choices:  # takes a value: show one
                assert "e.g." in action.help, (path, action.dest)


@pytest.mark.parametrize("command", ["report", "check", "inspect", "synth", "init", "key",
                                     "key new"])
def test_one_program_name_in_every_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command.split(), "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m fipeval {command} ")


def test_the_installed_script_names_itself(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/fipeval"])
    assert build_parser().prog == "fipeval"


# -- one error voice ----------------------------------------------------------------------
def _error_lines(err: str) -> list[str]:
    """stderr without the progress lines (``[  0.0s] loading``) printed before the error."""
    return [line for line in err.splitlines() if not line.startswith("[")]


def _command_line(command: str, inputs: list[str], tmp_path: Path) -> list[str]:
    """``command`` on ``inputs`` with everything else it needs given correctly."""
    extra = {"report": ["--out", str(tmp_path / "out")],
             "check": ["--baseline", str(BASELINE)], "inspect": []}[command]
    config = [] if command == "inspect" else ["--config", str(BW / "study.toml")]
    key = [] if command == "inspect" else ["--key", str(BW / "pseudonym.key")]
    return [command, *inputs, *config, *key, *extra]


# (name, inputs, commands, text the one line must hold)
MISTAKES = [
    ("a file that does not exist", ["{tmp}/missing.csv"], ("report", "check", "inspect"),
     "does not exist"),
    ("a folder without exports", ["{tmp}/empty"], ("report", "check", "inspect"),
     "holds no exports"),
    ("no export named", [], ("report", "check", "inspect"), "PATH"),
    ("an unknown option", [str(BW), "--colour"], ("report", "check", "inspect"),
     "unrecognized arguments: --colour"),
    ("a non-number tolerance", [str(BW), "--rtol", "tight"], ("check",), "--rtol"),
    ("an export without data lines", ["{tmp}/header_only.csv"], ("report", "check"),
     "Nothing to load"),
]


@pytest.mark.parametrize("name,inputs,commands,says", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_the_same_mistake_gets_the_same_one_line_error_from_every_command(
        name, inputs, commands, says, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "header_only.csv").write_text(
        "bsn;gemeente;klantmanager;ingangsdatum;einddatum\n", encoding="utf-8")
    inputs = [i.format(tmp=tmp_path) for i in inputs]
    for command in commands:
        code = main(_command_line(command, inputs, tmp_path))
        err = capsys.readouterr().err
        assert code == 2, (command, err)
        message = _error_lines(err)   # progress lines may come first: errors found on loading
        assert len(message) == 1 and message[0].startswith("fipeval: "), (command, err)
        assert says in message[0], (command, err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["report", "check"])
def test_a_missing_key_names_the_flag_not_the_python_argument(command, tmp_path, capsys,
                                                              monkeypatch):
    monkeypatch.delenv("FIPEVAL_BSN_KEY", raising=False)
    monkeypatch.delenv("FIPEVAL_BSN_KEY_FILE", raising=False)
    args = [a for a in _command_line(command, [str(BW)], tmp_path)]
    i = args.index("--key")
    del args[i:i + 2]
    assert main(args) == 2
    err = capsys.readouterr().err
    message = _error_lines(err)
    assert len(message) == 1 and "--key FILE" in message[0] and "key=" not in message[0]


@pytest.mark.parametrize("command", ["report", "check"])
def test_a_missing_study_file_names_the_flag(command, tmp_path, capsys):
    args = _command_line(command, [str(BW)], tmp_path)
    args[args.index("--config") + 1] = str(tmp_path / "study.toml")
    assert main(args) == 2
    assert "(--config)" in capsys.readouterr().err


def test_an_output_path_that_is_a_file_is_refused_before_any_work(tmp_path, capsys):
    target = tmp_path / "report.html"
    target.write_text("")
    assert main(["report", "--demo", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "loading" not in err


def test_an_internal_error_exits_3_with_the_traceback_hint(monkeypatch, capsys):
    def broken(args):
        raise KeyError("client_id")

    monkeypatch.setattr(cli, "cmd_init", broken)
    assert main(["init", "--out", "x.toml"]) == 3
    err = capsys.readouterr().err
    assert "internal error (KeyError" in err and "--traceback" in err
    with pytest.raises(KeyError):
        main(["init", "--out", "x.toml", "--traceback"])


def test_an_internal_error_never_prints_a_bsn(monkeypatch, capsys):
    def broken(args):
        raise ValueError("could not convert '111222333'")

    monkeypatch.setattr(cli, "cmd_init", broken)
    assert main(["init"]) == 3
    assert "111222333" not in capsys.readouterr().err


def test_check_exits_1_on_differences_and_2_on_an_unusable_baseline(tmp_path, capsys):
    bad = tmp_path / "estimates.json"
    bad.write_text("{}")
    assert main(["check", "--demo", "--baseline", str(bad)]) == 2
    assert "(--baseline)" in capsys.readouterr().err
    data = json.loads(BASELINE.read_text())
    data["estimates"][0]["estimate"] += 1
    bad.write_text(json.dumps(data))
    assert main(["check", "--demo", "--quiet", "--baseline", str(bad)]) == 1


def test_inspect_accepts_a_folder_as_load_does(capsys):
    assert main(["inspect", str(BW)]) == 0
    out = capsys.readouterr().out
    for name in ("uitkeringen.csv", "contacten.csv", "gebeurtenissen.csv"):
        assert name in out
    assert "Separator  ;" in out and "start_date" in out


# -- progress -----------------------------------------------------------------------------
def test_progress_when_piped_is_one_line_per_stage_and_a_timing_summary(tmp_path, capsys):
    assert main(["report", "--demo", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    stages = [line.split("] ", 1)[1] for line in lines if line.startswith("[")]
    assert stages[:3] == ["loading", "building the cohort", "section: data"]
    assert "section: effects" in stages and stages[-1] == "writing the report"
    assert "\r" not in captured.err
    summary = lines[lines.index(next(x for x in lines if x.startswith("time per stage"))):]
    assert len(summary) == 1 + len(stages)
    assert captured.out.startswith("wrote ")
    timings = json.loads((tmp_path / "estimates.json").read_text())["settings"]["timings"]
    assert list(timings) == stages[:-1]  # every stage before writing estimates.json
    assert all(t["wall_s"] >= 0 and t["cpu_s"] >= 0 for t in timings.values())


def test_quiet_prints_nothing(tmp_path, capsys):
    assert main(["report", "--demo", "--out", str(tmp_path), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert (tmp_path / "report.html").is_file()


def test_long_stages_report_counted_work_as_lines(monkeypatch):
    import io

    monkeypatch.setattr("fipeval.progress.LINE_INTERVAL", 0.0)
    out = io.StringIO()
    progress = Progress("lines", stream=out)
    with progress.active():
        progress("section: effects")
        with steps("comparisons", 3, unit="comparisons") as done:
            for _ in range(3):
                done()
    with steps("outside a run", 2) as done:  # no active run: silent, no error
        done(2)
    text = out.getvalue()
    assert "comparisons: 1/3 comparisons" in text and "2/3" in text
    assert "outside a run" not in text


def _run_on_a_terminal(args: list[str]) -> tuple[int, bytes, bytes]:
    """Run ``python -m fipeval ARGS`` with stderr on a pseudo-terminal (120 columns)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "fipeval", *args], stdin=follower,
                            stdout=subprocess.PIPE, stderr=follower, cwd=REPO, env=env)
    os.close(follower)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    with proc.stdout:
        out = proc.stdout.read()
    return proc.wait(), terminal, out


def test_progress_on_a_terminal_is_a_bar_with_counts_inside_stages(tmp_path):
    code, terminal, out = _run_on_a_terminal(["report", "--demo", "--out", str(tmp_path)])
    assert code == 0, terminal.decode(errors="replace")[-2000:]
    text = terminal.decode("utf-8", errors="replace")
    assert "\r" in text and "stages |" in text and "section: effects |" in text
    assert "comparisons (municipality x outcome):" in text  # counted work inside a stage
    assert "time per stage" in text
    assert out.decode().startswith("wrote ")


# -- dry run, synth, warnings -------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["brabantse_wal", "three_municipalities"])
def test_dry_run_shows_the_plan_and_writes_nothing(scenario, tmp_path, capsys):
    folder = DATA / scenario
    out = tmp_path / "report"
    assert main(["report", str(folder), "--config", str(folder / "study.toml"), "--key",
                 str(folder / "pseudonym.key"), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert not out.exists()
    for expected in ("uitkeringen.csv: spells", "contacten.csv: contacts",
                     "gebeurtenissen.csv: events", "ingangsdatum -> start_date", "Sites:",
                     "fip_caseworkers", "clients_fip", "Sections that would run:",
                     "effects: design-based intervals", "costing: Monte Carlo",
                     "(would be created)"):
        assert expected in text, expected
    sites = [line for line in text.splitlines() if "FIP caseworkers" in line]
    assert len(sites) == (3 if scenario == "three_municipalities" else 1)


def test_synth_says_what_it_wrote_in_words(tmp_path, capsys):
    assert main(["synth", "brabantse_wal", "--out", str(tmp_path), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["synth", "brabantse_wal", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "SyntheticStudy(" not in out
    assert "wrote the synthetic study brabantse_wal" in out and "cohort clients" in out
    assert "report " + str(tmp_path) in out


def test_a_sections_warning_becomes_a_note_in_the_report_not_stderr(monkeypatch, capsys):
    from fipeval.io import load
    from fipeval.report import run
    from fipeval.report.config import load_config
    from fipeval.report.document import Section

    def noisy(ctx):
        warnings.warn("overflow encountered in exp", RuntimeWarning)
        warnings.warn("overflow encountered in exp", RuntimeWarning)  # noted once
        return Section("Noisy").text("numbers")

    monkeypatch.setattr(run, "section_builders", lambda: [("noisy", noisy)])
    config = load_config(BW / "study.toml")
    report = run.build_report(load(BW, key=BW / "pseudonym.key"), config)
    noisy_section = report.sections[0]
    texts = [b for b in noisy_section.blocks if isinstance(b, str)]
    assert texts[-1] == ("Warnings raised while computing this section: RuntimeWarning: "
                         "overflow encountered in exp.")
    assert "overflow" not in capsys.readouterr().err


def test_a_callers_error_filter_still_raises():
    from fipeval.report.run import warnings_as_notes

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning):
            with warnings_as_notes():
                warnings.warn("boom", RuntimeWarning)
