"""Keys in one burst in the real app in tmux: each goes where focus is going (newsdesk.tui.key_order).

Every burst is ONE tmux command, so tmux writes the keys to the terminal with no pause.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.tui.test_e2e_tmux import Terminal, newsdesk_in_tmux


def burst(terminal: Terminal, *keys: str) -> None:
    """Send keys in one tmux command: ``"=text"`` is typed literally, anything else is a key name (Escape, BTab)."""
    command = ["tmux"]
    for key in keys:
        if command[-1:] != ["tmux"]:
            command.append(";")
        literal = key.startswith("=")
        command += ["send-keys", "-t", terminal.session, *(["-l", key[1:]] if literal else [key])]
    subprocess.run(command, check=True)


def _ready(tmp_path: Path):  # type: ignore[no-untyped-def]
    return newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 36))


def test_escape_then_q_in_one_burst_quits(tmp_path: Path) -> None:
    with _ready(tmp_path) as terminal:
        terminal.wait_for("indexed", timeout=180)
        burst(terminal, "=/pad", "Escape", "q")  # box, Esc to the list, q quits
        terminal.wait_for("newsdesk-exited-0", timeout=30)


def test_keys_after_shift_tab_land_in_the_search_box(tmp_path: Path) -> None:
    with _ready(tmp_path) as terminal:
        terminal.wait_for("indexed", timeout=180)
        terminal.wait_for("21 articles", timeout=60)
        burst(terminal, "BTab", "=Stepanak")  # the list has focus: Shift+Tab goes to the box
        shown = terminal.wait_for("results for Stepanak*", timeout=60)
        assert "Stepanakert" in shown
        burst(terminal, "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=30)


def test_keys_after_tab_leave_the_search_box(tmp_path: Path) -> None:
    with _ready(tmp_path) as terminal:
        terminal.wait_for("indexed", timeout=180)
        # "/" to the box, a query, Tab to the list, Enter there opens the first hit. On a busy
        # machine the search answers after Enter arrives: Enter waits for it (it opened the first
        # row of the older list, an article without the query's matches).
        burst(terminal, "=/launch pad", "Tab", "Enter")
        terminal.wait_for("match 1/", timeout=60)
        burst(terminal, "Escape", "q")  # reader -> list, q quits
        terminal.wait_for("newsdesk-exited-0", timeout=30)
