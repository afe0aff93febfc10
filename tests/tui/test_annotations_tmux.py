"""Annotating in the real app in tmux: keys in one burst, as a slow SSH link delivers them."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.tui.test_e2e_tmux import NEWSDESK, Terminal, newsdesk_in_tmux


def _annotations(tmp_path: Path) -> list[dict[str, object]]:
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path / "state-home"),
        "XDG_DATA_HOME": str(tmp_path / "data-home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config-home"),
    }
    done = subprocess.run(
        [str(NEWSDESK), "annotations", "list", "--json", "--state-dir", str(tmp_path / "index")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    return json.loads(done.stdout)


def _burst(terminal: Terminal, literal: str, *named: str) -> None:
    """``literal`` then the named keys, in ONE tmux command: no pause between any two keys."""
    command = ["tmux", "send-keys", "-t", terminal.session, "-l", literal]
    for key in named:
        command += [";", "send-keys", "-t", terminal.session, key]
    subprocess.run(command, check=True)


def _open_a_match(terminal: Terminal) -> None:
    """Search for "launch pad" and open the first hit at its first match."""
    terminal.wait_for("indexed", timeout=180)
    terminal.press("/")
    terminal.type("launch pad")
    terminal.wait_for("2 results", timeout=60)
    terminal.press("Enter", "Enter")
    terminal.wait_for("match 1/", timeout=60)


def _saved_annotations(tmp_path: Path) -> list[dict[str, object]]:
    """The annotation records once the first one is on disk (at most 30 s)."""
    deadline = time.monotonic() + 30
    while not (records := _annotations(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.3)
    return records


def test_a_note_typed_in_one_burst_after_a_lands_whole_in_the_dialog(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 36)) as terminal:
        _open_a_match(terminal)
        # select a sentence, ask for a note, type it and save it: all in one burst
        _burst(terminal, "vsaHello there, quick note", "C-s")
        records = _saved_annotations(tmp_path)
        assert [record.get("note") for record in records] == ["Hello there, quick note"]
        time.sleep(0.5)  # give a stray second dialog (from the `t` of "there") time to show
        shown = terminal.screen()
        assert "separated by commas" not in shown  # no dialog left open: none was stacked
        assert "newsdesk-exited" not in shown  # the `q` of "quick" did not quit
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)


def _wait_for_no_dialog(terminal: Terminal) -> None:
    deadline = time.monotonic() + 30
    while "separated by commas" in terminal.screen():  # the tags box's placeholder
        assert time.monotonic() < deadline, terminal.screen()
        time.sleep(0.2)


def test_an_esc_in_the_burst_of_a_note_keeps_it_and_a_second_esc_discards_it(tmp_path: Path) -> None:
    """A person types a note and hits Esc out of habit (it leaves the search box): the note stays,
    with a line saying so; ctrl+s saves it. A second note, Esc Esc: gone, as asked, and nothing saved."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 36)) as terminal:
        _open_a_match(terminal)
        _burst(terminal, "vsaworth keeping, unsaved", "Escape")
        shown = terminal.wait_for("esc again discards", timeout=30)
        assert "worth keeping, unsaved" in shown
        _burst(terminal, "", "C-s")
        assert [record.get("note") for record in _saved_annotations(tmp_path)] == ["worth keeping, unsaved"]
        _wait_for_no_dialog(terminal)
        _burst(terminal, "jvsathrown away")
        terminal.wait_for("thrown away", timeout=30)
        _burst(terminal, "", "Escape", "Escape")  # both in one write: the second is no slip
        time.sleep(0.5)
        _wait_for_no_dialog(terminal)
        assert [record.get("note") for record in _annotations(tmp_path)] == ["worth keeping, unsaved"]
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)


def test_tags_typed_in_one_burst_after_t_land_whole_in_the_dialog(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(120, 36)) as terminal:
        _open_a_match(terminal)
        # select a sentence, ask for tags, type and save them: one burst. Each tag's letters are
        # reader keys too (q quits, t asks for tags again, v selects), so a key that missed the
        # dialog shows.
        _burst(terminal, "vstquick, test-tag, vital", "Enter")
        records = _saved_annotations(tmp_path)
        assert [record.get("tags") for record in records] == [["quick", "test-tag", "vital"]]
        time.sleep(0.5)  # give a stray second dialog (from a `t` in the tags) time to show
        shown = terminal.screen()
        assert "separated by commas" not in shown  # no dialog left open: none was stacked
        assert "newsdesk-exited" not in shown  # the `q` of "quick" did not quit
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)


def test_delete_and_undo_typed_in_one_burst_in_the_notes_tab_end_as_the_last_key_says(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        _open_a_match(terminal)
        _burst(terminal, "vstkept", "Enter")
        assert [record.get("tags") for record in _saved_annotations(tmp_path)] == [["kept"]]
        # To the side panel's Notes tab (Entities, Facets, Notes), then d u d u d in one burst.
        _burst(terminal, "", "Tab", "l", "l")
        terminal.wait_for("u Undo delete", timeout=30)  # the footer: the Notes list has the keys
        _burst(terminal, "dudud")
        deadline = time.monotonic() + 30
        while _annotations(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _annotations(tmp_path) == []
        shown = terminal.wait_for("No annotations.", timeout=30)
        assert "Traceback" not in shown
        time.sleep(1.0)  # nothing after the last key changes it back
        assert _annotations(tmp_path) == []
        terminal.press("Escape", "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)


def test_an_undo_held_behind_a_delete_at_hangup_still_runs(tmp_path: Path) -> None:
    """Red team: ``d u`` in the Notes tab while another process of the same user holds the
    article's lock, then a hang-up: the delete landed once the lock was free, the held ``u``
    never ran, and the annotation the keys kept was gone."""
    import shutil
    import signal

    import pytest

    if shutil.which("pgrep") is None:
        pytest.skip("pgrep (procps) is needed to find the app's process")
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        record = _own_annotation_in_the_notes_tab(terminal, tmp_path)
        with _own_file_locked(tmp_path):
            _burst(terminal, "du")
            time.sleep(0.5)
            os.kill(terminal.app_pid(), signal.SIGHUP)
            time.sleep(1.0)
        terminal.wait_for("newsdesk-exited", timeout=30)
    assert [r.get("id") for r in _annotations(tmp_path)] == [record.get("id")]


def _own_annotation_in_the_notes_tab(terminal: Terminal, tmp_path: Path) -> dict[str, object]:
    """Annotate a match (tags "kept"), then go to the side panel's Notes tab; the annotation's record."""
    _open_a_match(terminal)
    _burst(terminal, "vstkept", "Enter")
    (record,) = _saved_annotations(tmp_path)
    _burst(terminal, "", "Tab", "l", "l")
    terminal.wait_for("u Undo delete", timeout=30)  # the footer: the Notes list has the keys
    return record


@contextlib.contextmanager
def _own_file_locked(tmp_path: Path) -> Iterator[None]:
    """This user's annotation file's lock held, as another process of theirs (a second reader) holds it."""
    user = os.environ.get("USER", "root")
    (own_file,) = (tmp_path / "index").glob(f"annotations/*/{user}.yaml")
    lock = os.open(own_file.parent / f"{user}.yaml.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(lock)


def test_d_typed_right_after_next_article_never_deletes_on_the_article_left(tmp_path: Path) -> None:
    """``] d`` in one burst from the Notes tab: the d deleted the note of the article being left
    (its list was still shown). It now waits for the next article's notes, which has none."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        record = _own_annotation_in_the_notes_tab(terminal, tmp_path)
        _burst(terminal, "]dd")
        shown = terminal.wait_for("No annotations.", timeout=30)  # the next article's (empty) Notes tab
        assert "Traceback" not in shown
        time.sleep(1.0)
        assert [r.get("id") for r in _annotations(tmp_path)] == [record.get("id")]
        _burst(terminal, "[d")  # back to the first article: d deletes its note
        deadline = time.monotonic() + 30
        while _annotations(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _annotations(tmp_path) == []
        terminal.press("Escape", "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)
