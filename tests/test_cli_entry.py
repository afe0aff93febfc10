"""The top level of the newsdesk command: --version, --help, and telling a folder from a misspelt command."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.tui import cli
from newsdesk.tui.cli import SUBCOMMANDS, main

import newsdesk


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """Records the corpus the reader would open, instead of opening it."""
    calls: list[Path | None] = []

    def fake_open(corpus: Path | None, args: object) -> int:
        calls.append(corpus)
        return 0

    monkeypatch.setattr(cli, "cmd_open", fake_open)
    return calls


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--version")
    assert code == 0 and err == ""
    assert out == f"newsdesk {version('newsdesk')}\n"
    assert newsdesk.__version__ == version("newsdesk")


def test_version_json_names_the_libraries_for_bug_reports(capsys: pytest.CaptureFixture[str]) -> None:
    import textual

    code, out, _ = run(capsys, "--version", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["newsdesk"] == newsdesk.__version__
    assert report["whoosh"] == version("whoosh3")
    assert report["textual"] == textual.__version__
    assert report["python"] == platform.python_version()
    assert report["platform"] == platform.platform()
    assert run(capsys, "--json", "--version")[1] == out


def test_version_with_anything_else_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--version", "x")
    assert code == 2 and out == ""
    assert err == "newsdesk: error: --version takes only --json, not 'x'\n"


def test_console_script_prints_its_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "newsdesk", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"newsdesk {newsdesk.__version__}"


def test_help_starts_with_how_to_open_the_reader(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.splitlines()[0] == "usage: newsdesk [DIR] [--config FILE] [--state-dir DIR]"
    before_commands = out.split("commands:")[0]
    assert "`newsdesk [DIR]` opens the reader" in before_commands
    assert "bundled demo corpus" in before_commands
    for command in SUBCOMMANDS:
        assert f"\n    {command}" in out.split("commands:")[1]


def test_help_after_a_folder_is_the_same_help(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    full = run(capsys, "--help")[1]
    assert run(capsys, str(tmp_path), "--help") == (0, full, "")
    assert run(capsys, "-h") == (0, full, "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serch", "x"], "unknown command 'serch' (did you mean 'search'?)"),
        (["serch"], "unknown command 'serch' (did you mean 'search'?)"),
        (["indx", "--rebuild"], "unknown command 'indx' (did you mean 'index'?)"),
        (["Annotation", "list"], "unknown command 'Annotation' (did you mean 'annotations'?)"),
        (["frobnicate", "x"], "unknown command 'frobnicate' (commands: index, search, show, entities, annotations"),
        (["--config", "c.yaml", "search", "x"], "options go after the command: newsdesk search"),
        ([""], "DIR is empty"),
        ([" "], "DIR is empty"),
    ],
)
def test_misspelt_command_is_named_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], opened: list[Path | None], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"newsdesk: error: {message}") and err.count("\n") == 1
    assert opened == []


def test_a_real_folder_named_like_a_command_still_opens(
    capsys: pytest.CaptureFixture[str], opened: list[Path | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "serch").mkdir()
    (tmp_path / "indx.txt").write_text("Title\n\nText.\n")
    assert run(capsys, "serch")[0] == 0
    assert run(capsys, "indx.txt")[0] == 0
    assert run(capsys)[0] == 0
    assert opened == [Path("serch"), Path("indx.txt"), None]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=3))
def test_any_words_open_a_path_or_give_one_line(
    capsys: pytest.CaptureFixture[str], opened: list[Path | None], words: list[str]
) -> None:
    """Whatever is typed after `newsdesk`: the reader opens, help or version prints, or one line, exit 2."""
    opened.clear()
    try:
        code = main(words)
    except SystemExit as exc:  # argparse's own --help exit would be a bug: main returns codes
        raise AssertionError(f"SystemExit {exc.code}") from None
    _, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("newsdesk: error: ") and err.count("\n") == 1 and opened == []
    assert "Traceback" not in err


def test_after_a_double_dash_version_and_help_are_folder_names(
    capsys: pytest.CaptureFixture[str], opened: list[Path | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--` ends the options, as everywhere: `newsdesk -- --version` opens a folder named --version."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "--version").mkdir()
    (tmp_path / "--help").mkdir()
    assert run(capsys, "--", "--version") == (0, "", "")
    assert run(capsys, "--", "--help") == (0, "", "")
    assert opened == [Path("--version"), Path("--help")]


def test_two_folders_are_not_called_an_unknown_command(
    capsys: pytest.CaptureFixture[str], opened: list[Path | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`newsdesk corpus other` (or a shell glob) names an existing folder: say one DIR is taken."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "other").mkdir()
    for argv in (["corpus", "other"], ["corpus", "search"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "unknown command" not in err and "one DIR" in err
    assert opened == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--\x1b]0;owned\x07"],
        ["--\nnext"],
        ["search", "x", "--\x1b[2J\u202e"],
        ["index", "--limit\x9b"],
    ],
)
def test_usage_errors_never_echo_control_characters(
    capsys: pytest.CaptureFixture[str], opened: list[Path | None], argv: list[str]
) -> None:
    """Unknown options are echoed escaped: an ESC, BEL, CSI or newline in argv (a planted file name
    expanded by a glob) reaches the terminal as text, on one line."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("newsdesk: error: ") and err.count("\n") == 1
    assert not any(char in err[:-1] for char in "\x1b\x07\x9b\n\u202e"), err
