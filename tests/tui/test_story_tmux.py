"""Saved searches and the timeline in a real terminal, keys sent in bursts as over a slow SSH link."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.tui.test_e2e_tmux import Terminal, newsdesk_in_tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

HOSTILE_NAME = "-: # --- | > ... é"


def burst(terminal: Terminal, *keys: str) -> None:
    """Send every key in one tmux command: no pause between them."""
    subprocess.run(["tmux", "send-keys", "-t", terminal.session, *keys], check=True)


def saved_names(state: Path) -> list[str]:
    files = sorted((state / "saved").glob("*.yaml")) if (state / "saved").is_dir() else []
    if not files:
        return []
    return [s["name"] for s in yaml.safe_load(files[0].read_text(encoding="utf-8"))["saved"]]


def test_save_run_and_narrow_in_bursts(tmp_path: Path) -> None:
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(130, 40)) as terminal:
        terminal.wait_for("indexed")
        terminal.press("/")
        # the query, ctrl+s, clear the proposed name, a YAML-hostile name, Enter: one burst
        burst(terminal, "ceasefire", "C-s", "C-u", HOSTILE_NAME, "Enter")
        deadline = time.monotonic() + 30
        while saved_names(state) != [HOSTILE_NAME]:
            assert time.monotonic() < deadline, f"not saved: {saved_names(state)}\n{terminal.screen()}"
            time.sleep(0.2)
        terminal.press("Escape")  # search box -> list
        terminal.wait_for("⏎ Open")
        # A key that moves focus (S, z) is handled after it bubbles up to the screen, so a key
        # sent right behind it can still reach the old focus (as everywhere in the reader):
        # wait for the move, then burst.
        terminal.press("S")
        terminal.wait_for("⏎ run · d remove")
        burst(terminal, "Enter")
        shown = terminal.wait_for(f"{HOSTILE_NAME}  10")
        assert "Traceback" not in shown
        # the timeline: focus it, then jump to the last period and narrow the query to it
        terminal.press("Escape")
        terminal.wait_for("⏎ Open")
        terminal.press("z")
        terminal.wait_for("⏎ Narrow to period")
        burst(terminal, "End", "Enter")
        terminal.wait_for("(ceasefire) date:[")
        terminal.wait_for("1 result")
        terminal.wait_for("⏎ Open")  # narrowing puts the focus on the list
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0")
