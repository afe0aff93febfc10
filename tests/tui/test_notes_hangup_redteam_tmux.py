"""Red team on commit 23b3122, in the real app in tmux: q typed behind a delete and its undo."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from tests.tui.test_annotations_tmux import _annotations, _burst, _open_a_match, _saved_annotations
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_q_typed_behind_a_delete_and_its_undo_quits_with_the_annotation_kept(tmp_path: Path) -> None:
    """``d u q`` in one burst in the Notes tab while the delete waits for another process's lock:
    q quit at once, the held u never ran, and the annotation the keys kept was gone."""
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(140, 36)) as terminal:
        _open_a_match(terminal)
        _burst(terminal, "vstkept", "Enter")
        (record,) = _saved_annotations(tmp_path)
        _burst(terminal, "", "Tab", "l", "l")
        terminal.wait_for("u Undo delete", timeout=30)
        user = os.environ.get("USER", "root")
        (own_file,) = state.glob(f"annotations/*/{user}.yaml")
        lock = os.open(own_file.parent / f"{user}.yaml.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _burst(terminal, "duq")
            time.sleep(1.0)
            assert "newsdesk-exited" not in terminal.screen()  # waits for the delete and the u
        finally:
            os.close(lock)
        terminal.wait_for("newsdesk-exited-0", timeout=30)
    assert [r.get("id") for r in _annotations(tmp_path)] == [record.get("id")]
