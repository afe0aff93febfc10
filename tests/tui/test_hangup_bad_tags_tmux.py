"""Red team on 01536e3 in the real reader in tmux: an escape sequence pasted in the tags box, then
a real SIGHUP; the note saved holds the word, its control characters as their symbols (they went
into it raw, and the edit dialog drew them to the terminal so)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from newsdesk.tui.dialogs.annotate import UNSAVED_TAGS_MARK

from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_control_characters_pasted_in_the_tags_box_are_kept_readable_at_a_real_hang_up(tmp_path: Path) -> None:
    if shutil.which("pgrep") is None:
        pytest.skip("pgrep (procps) is needed to find the app's process")
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 35)) as terminal:
        terminal.wait_for("indexed", timeout=180)
        terminal.press("Enter")
        time.sleep(0.5)
        terminal.press("v", "s", "t")
        terminal.wait_for("Annotate")
        terminal.type("good ")
        # A bracketed paste (as a terminal sends one) holding control characters: SO (shift out: some
        # terminals draw all that follows in another character set), SOH, and an ESC sequence.
        subprocess.run(["tmux", "set-buffer", "-b", "rt", "x\x0ey\x0f\x01z\x1b]52;c;aGk=\x07"], check=True)
        subprocess.run(["tmux", "paste-buffer", "-p", "-d", "-b", "rt", "-t", terminal.session], check=True)
        time.sleep(0.5)
        os.kill(terminal.app_pid(), signal.SIGHUP)
        shown = terminal.wait_for("newsdesk-exited", timeout=15)
    assert "newsdesk-exited-129" in shown
    (saved,) = list(state.glob("annotations/*/*.yaml"))
    (annotation,) = yaml.safe_load(saved.read_text())["annotations"]
    assert annotation["tags"] == ["good"]
    # (The ESC never reaches the box: the terminal parser drops one inside a paste.)
    assert annotation["note"] == f"{UNSAVED_TAGS_MARK} x\u240ey\u240f\u2401z]52;c;aGk=\u2407"
