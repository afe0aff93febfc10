"""At 80 columns the side panel starts hidden; S and z show it in a real terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.tui.test_e2e_tmux import newsdesk_in_tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_saved_and_timeline_keys_show_the_hidden_panel_at_80_columns(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(80, 24)) as terminal:
        terminal.wait_for("indexed", timeout=120)  # a first index of the demo corpus, on a busy machine
        assert "⏎ run · d remove" not in terminal.screen()
        terminal.press("S")
        # The Saved tab shows its hint on its last line, where the toast "Index updated" shows
        # for 3 s: an expired toast once stayed drawn there for good (textual_patches).
        shown = terminal.wait_for("⏎ run · d remove")
        terminal.wait_for("d Remove saved search")  # the footer: the Saved list has focus
        assert "Traceback" not in shown
        terminal.press("Escape", "p")  # hide the panel again
        terminal.press("z")
        terminal.wait_for("⏎ Narrow to period")
