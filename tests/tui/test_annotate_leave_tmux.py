"""ctrl+q in the annotation dialog in a real terminal (tmux), the note typed in the same burst."""

from __future__ import annotations

import time
from pathlib import Path

from tests.tui.test_annotations_tmux import _annotations, _burst, _open_a_match
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_ctrl_q_in_the_burst_of_a_note_asks_and_a_second_quits(tmp_path: Path) -> None:
    """A terminal delivers ctrl+q to the reader (no flow control in raw mode): Textual's quit, which
    left with the note neither saved nor kept. It asks now; the second ctrl+q quits, nothing saved."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 36)) as terminal:
        _open_a_match(terminal)
        _burst(terminal, "vsaa note not to lose", "C-q")
        shown = terminal.wait_for("ctrl+q again quits", timeout=30)
        assert "a note not to lose" in shown and "newsdesk-exited" not in shown
        time.sleep(0.3)
        terminal.press("C-q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)
    assert _annotations(tmp_path) == []
