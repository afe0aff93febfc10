"""RED TEAM (rt-esc, against c9a98bc): bursts with an Esc in the real app in tmux that go wrong there.

Each burst is one tmux command (no pauses), as a slow SSH link delivers keys. Parser-level
versions: tests/tui/test_escape_redteam.py.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.tui.test_e2e_tmux import newsdesk_in_tmux
from tests.tui.test_key_order_tmux import burst


def _ready(tmp_path: Path):  # type: ignore[no-untyped-def]
    return newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 36))


def test_escape_slash_query_escape_from_the_search_box(tmp_path: Path) -> None:
    """The box read ``pad^/launch`` ("a boost is a positive number"): the first Esc came as ``^``."""
    with _ready(tmp_path) as terminal:
        terminal.wait_for("indexed", timeout=180)
        burst(terminal, "=/pad")
        terminal.wait_for("results for pad*", timeout=60)
        burst(terminal, "Escape", "=/launch", "Escape")
        shown = terminal.wait_for("results for launch*", timeout=60)
        assert "^" not in shown.splitlines()[2]
        burst(terminal, "q")  # focus is on the list: q quits
        terminal.wait_for("newsdesk-exited-0", timeout=30)


def test_escape_enter_from_the_search_box_opens_the_article(tmp_path: Path) -> None:
    """The Esc was dropped: Enter submitted the box and the reader kept "Open an article"."""
    with _ready(tmp_path) as terminal:
        terminal.wait_for("indexed", timeout=180)
        burst(terminal, "=/launch pad")
        terminal.wait_for("results for pad*", timeout=60)
        burst(terminal, "Escape", "Enter")
        terminal.wait_for("match 1/", timeout=60)
        burst(terminal, "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=30)


def test_a_paste_holding_an_escape_then_q_does_not_quit(tmp_path: Path) -> None:
    """A bracketed paste of ``hello<ESC>q`` with the list focused quit newsdesk (exit 0)."""
    with _ready(tmp_path) as terminal:
        terminal.wait_for("indexed", timeout=180)
        terminal.wait_for("21 articles", timeout=60)
        subprocess.run(["tmux", "set-buffer", "-b", terminal.session, "hello\x1bq"], check=True)
        subprocess.run(["tmux", "paste-buffer", "-p", "-d", "-b", terminal.session, "-t", terminal.session], check=True)
        time.sleep(3)
        assert "newsdesk-exited" not in terminal.screen()
        burst(terminal, "q")
        terminal.wait_for("newsdesk-exited-0", timeout=30)


def test_a_byte_that_is_not_utf8_is_no_crash(tmp_path: Path) -> None:
    """RED TEAM: ``é`` from a Latin-1 terminal (0xe9, then a space) ended newsdesk with a UnicodeDecodeError
    traceback and exit code 0, losing what was being typed (Textual's driver decodes its input strictly)."""
    with _ready(tmp_path) as terminal:
        terminal.wait_for("indexed", timeout=180)
        burst(terminal, "=/caf")
        terminal.wait_for("results for caf*", timeout=60)
        subprocess.run(["tmux", "send-keys", "-t", terminal.session, "-H", "e9", "20", "1b", "ff"], check=True)
        time.sleep(3)
        shown = terminal.screen()
        assert "newsdesk-exited" not in shown and "Error" not in shown
        burst(terminal, "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=30)
