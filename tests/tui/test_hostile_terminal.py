"""Hostile article text in a real terminal (tmux): shown literally, and it never drives the terminal."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.test_hostile import HOSTILE_TEXT
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_hostile_text_in_tmux(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "markup.txt").write_text("[b]Odd title[/b] \x1b]0;pwned\x07 here\n\n" + HOSTILE_TEXT)
    with newsdesk_in_tmux(tmp_path, str(corpus), "--state-dir", str(tmp_path / "index"), size=(110, 30)) as terminal:
        terminal.wait_for("1 article")
        terminal.wait_for("indexed")
        terminal.press("Enter")
        shown = terminal.wait_for("stay literal")
        assert "[bold red]Markup[/]" in shown and "[TODO]" in shown and "[b]Odd title[/b]" in shown
        raw = subprocess.run(
            ["tmux", "capture-pane", "-p", "-e", "-t", terminal.session], capture_output=True, text=True, check=True
        ).stdout
        assert "]52;" not in raw and "]8;;https://evil" not in raw and "]0;pwned" not in raw
        title = subprocess.run(
            ["tmux", "display-message", "-p", "-t", terminal.session, "#{pane_title}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "pwned" not in title
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=10)
