"""Hostile article text in a real terminal (tmux): shown literally, and it never drives the terminal."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.test_hostile import HOSTILE_TEXT
from tests.tui.test_e2e_tmux import NEWSDESK, Terminal, pytestmark  # noqa: F401  (skips without tmux)


def test_hostile_text_in_tmux(tmp_path: Path) -> None:
    if not NEWSDESK.exists():
        pytest.skip(f"{NEWSDESK} not installed (pip install -e .)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "markup.txt").write_text("[b]Odd title[/b] \x1b]0;pwned\x07 here\n\n" + HOSTILE_TEXT)
    name = f"newsdesk-hostile-{uuid.uuid4().hex[:8]}"
    command = (f"XDG_STATE_HOME={tmp_path / 'sh'} XDG_DATA_HOME={tmp_path / 'dh'} XDG_CONFIG_HOME={tmp_path / 'ch'} "
               f"{NEWSDESK} {corpus} --state-dir {tmp_path / 'index'}; echo newsdesk-exited; sleep 5")
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "110", "-y", "30", command], check=True)
    terminal = Terminal(name)
    try:
        terminal.wait_for("1 article")
        terminal.wait_for("indexed")
        terminal.press("Enter")
        shown = terminal.wait_for("stay literal")
        assert "[bold red]Markup[/]" in shown and "[TODO]" in shown and "[b]Odd title[/b]" in shown
        raw = subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", name], capture_output=True,
                             text=True, check=True).stdout
        assert "]52;" not in raw and "]8;;https://evil" not in raw and "]0;pwned" not in raw
        title = subprocess.run(["tmux", "display-message", "-p", "-t", name, "#{pane_title}"],
                               capture_output=True, text=True, check=True).stdout
        assert "pwned" not in title
        terminal.press("q")
        time.sleep(0.5)
        terminal.wait_for("newsdesk-exited", timeout=10)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
