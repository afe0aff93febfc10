"""The main screen's layout as a person sees it, in a real terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.tui.test_e2e_tmux import newsdesk_in_tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_at_120x40_the_reader_has_room_and_the_footer_shows_help_and_quit(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 40)) as terminal:
        terminal.wait_for("indexed", timeout=120)
        terminal.press("/")
        terminal.type("launch pad")
        terminal.wait_for("2 results")
        terminal.press("Enter", "Enter")
        shown = terminal.wait_for("match 1/")
        # 57 characters of the article on one line: the reader is about 60 columns wide, not 49.
        assert "Russia's foreign intelligence chief said on Tuesday that" in shown
        footer = shown.rstrip("\n").splitlines()[-1]
        assert "? Help" in footer
        assert "q Quit" in footer


def test_at_120_columns_did_you_mean_shows_the_suggestion(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 40)) as terminal:
        terminal.wait_for("indexed", timeout=120)
        terminal.press("/")
        terminal.type("ceasfire truce")
        terminal.wait_for("did you mean: ceasefire truce", timeout=15)


def _reader_column(screen: str) -> str:
    """The reader's text: what lies between the first two pane borders of each line, joined."""
    parts = [line.split("▏")[1] for line in screen.splitlines() if line.count("▏") >= 2]
    return " ".join(" ".join(parts).split())


def test_at_80_columns_the_side_panel_rewraps_the_reader_instead_of_cutting_words(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(80, 24)) as terminal:
        terminal.wait_for("indexed", timeout=120)
        terminal.press("/")
        terminal.type("Geneva")
        terminal.press("Enter")
        # The query as written: its first hit is the article below. "results" alone was already
        # on screen from the as-you-type answer ("7 results for Geneva*", another first hit).
        terminal.wait_for_line("7 results")
        terminal.press("Enter")
        terminal.wait_for("match 1/")
        terminal.press("p")
        shown = terminal.wait_for("Entities")
        sentence = "The foreign ministers of Armenia and Azerbaijan met the co-chairs of the OSCE Minsk Group"
        assert sentence in _reader_column(shown), shown


def test_escape_escape_q_quits_from_the_reader(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 40)) as terminal:
        terminal.wait_for("indexed", timeout=120)
        terminal.press("Enter")  # open the first article: the reader has focus
        terminal.wait_for("words")
        terminal.press("Escape", "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=10)
