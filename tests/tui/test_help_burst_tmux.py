"""Help opened and closed in one burst with a search typed behind it, in the real app in tmux (Esc then `/`)."""

from __future__ import annotations

from pathlib import Path

from tests.tui.test_e2e_tmux import newsdesk_in_tmux
from tests.tui.test_key_order_tmux import burst


def test_help_escape_then_search_in_one_burst(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 36)) as terminal:
        terminal.wait_for("indexed", timeout=180)
        terminal.wait_for("21 articles", timeout=60)
        burst(terminal, "=?", "Escape", "=/pak")
        shown = terminal.wait_for("results for pak*", timeout=60)
        assert "newsdesk keys" not in shown
        burst(terminal, "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=30)
