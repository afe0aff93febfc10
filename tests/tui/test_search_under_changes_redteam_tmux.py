"""Red team, in a real terminal: the reader while another session holds the corpus's update lock."""

from __future__ import annotations

import time
from pathlib import Path

from filelock import FileLock

from tests.tui.test_e2e_tmux import newsdesk_in_tmux


def test_q_while_the_update_waits_for_another_sessions_lock_quits_at_once(tmp_path: Path) -> None:
    """Another session's update (a rebuild of a large corpus: minutes) holds the lock, and the reader's
    own update waits for it. q cleared the screen and left the process waiting for that lock: a blank
    terminal, no prompt, until the other session ended (a user expects q to quit, as it does otherwise)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "talks.txt").write_text("Talks in Geneva\n\nThe talks in Geneva went on about Stepanakert.\n")
    state = tmp_path / "state"
    state.mkdir()
    other_session = FileLock(str(state / "update.lock"))
    other_session.acquire()
    try:
        with newsdesk_in_tmux(tmp_path, str(corpus), "--state-dir", str(state)) as terminal:
            terminal.wait_for("Search  ( / )", timeout=30)  # drawn; its update now waits for the lock
            time.sleep(2)
            terminal.press("q")
            shown = terminal.wait_for("newsdesk-exited", timeout=8)
            assert "newsdesk-exited-0" in shown
    finally:
        other_session.release()
