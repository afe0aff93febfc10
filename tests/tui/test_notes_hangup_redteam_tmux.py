"""Red team on commit 23b3122, in the real app in tmux: q typed behind a delete and its undo."""

from __future__ import annotations

import time
from pathlib import Path

from tests.tui.test_annotations_tmux import (
    _annotations,
    _burst,
    _own_annotation_in_the_notes_tab,
    _own_file_locked,
)
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_q_typed_behind_a_delete_and_its_undo_quits_with_the_annotation_kept(tmp_path: Path) -> None:
    """``d u q`` in one burst in the Notes tab while the delete waits for another process's lock:
    q quit at once, the held u never ran, and the annotation the keys kept was gone."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        record = _own_annotation_in_the_notes_tab(terminal, tmp_path)
        with _own_file_locked(tmp_path):
            _burst(terminal, "duq")
            time.sleep(1.0)
            assert "newsdesk-exited" not in terminal.screen()  # waits for the delete and the u
        terminal.wait_for("newsdesk-exited-0", timeout=30)
    assert [r.get("id") for r in _annotations(tmp_path)] == [record.get("id")]


def test_a_second_q_with_the_file_locked_says_what_it_waits_for(tmp_path: Path) -> None:
    """``d u q q`` while another process holds the file's lock: the second q writes the held keys at
    once, on the event loop, so the reader can draw nothing while the lock is waited for. It froze with
    nothing on the screen; now the notice is drawn first, and the reader ends once the lock is free."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        record = _own_annotation_in_the_notes_tab(terminal, tmp_path)
        with _own_file_locked(tmp_path):
            _burst(terminal, "duqq")
            terminal.wait_for("Writing the Notes tab's deletes and undos now", timeout=5)
            time.sleep(1.0)
            assert "newsdesk-exited" not in terminal.screen()
        terminal.wait_for("newsdesk-exited-0", timeout=40)
    assert [r.get("id") for r in _annotations(tmp_path)] == [record.get("id")]


def test_a_second_q_with_the_file_locked_all_along_stays_and_says_so(tmp_path: Path) -> None:
    """``d u q q`` while another process holds the file's lock for longer than the 30 s waited: the
    delete under way fails and the held u is not tried. The reader quit (exit 0) once the 30 s were up,
    nothing said; it stays and says so, and q then quits. (Red team of 62ea0bc; ~35 s.)"""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        record = _own_annotation_in_the_notes_tab(terminal, tmp_path)
        with _own_file_locked(tmp_path):
            _burst(terminal, "duqq")
            terminal.wait_for("Writing the Notes tab's deletes and undos now", timeout=5)
            shown = terminal.wait_for("Not quitting", timeout=60)
            assert "newsdesk-exited" not in shown
        _burst(terminal, "q")
        terminal.wait_for("newsdesk-exited-0", timeout=10)
    assert [r.get("id") for r in _annotations(tmp_path)] == [record.get("id")]
