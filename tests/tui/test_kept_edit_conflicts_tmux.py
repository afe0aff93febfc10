"""In real terminals: a dropped connection during an edit never makes the kept copy overwrite
another session's change of the same annotation, and what was typed is not lost."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import yaml

from tests.tui.test_annotations_tmux import _burst
from tests.tui.test_e2e_tmux import Terminal, newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def _the_annotation(state: Path) -> dict[str, object]:
    (saved,) = list(state.glob("annotations/*/*.yaml"))
    (annotation,) = yaml.safe_load(saved.read_text(encoding="utf-8"))["annotations"]
    return annotation


def _wait_until(check, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _open_the_first_article(terminal: Terminal) -> None:
    terminal.wait_for("21 articles", timeout=180)
    terminal.press("Enter")
    time.sleep(1.0)


def test_a_hang_up_in_an_edit_dialog_never_overwrites_another_sessions_save(tmp_path: Path) -> None:
    """Two readers of one user on one corpus (two SSH sessions). Reader A has the edit dialog of
    an annotation open and types ",mine"; reader B edits the same annotation and saves ",theirs";
    then A's terminal goes (its tmux pane is killed: a real SIGHUP). A's save at hang-up is
    refused as a conflict, rightly; but the kept copy was saved without that check when A opened
    again, and B's ",theirs" was gone, unseen."""
    state = tmp_path / "index"
    args = ("--state-dir", str(state))
    with newsdesk_in_tmux(tmp_path, *args, size=(120, 36)) as reader_a:
        reader_a.wait_for("indexed", timeout=180)
        _open_the_first_article(reader_a)
        _burst(reader_a, "vstfirst", "Enter")
        _wait_until(lambda: list(state.glob("annotations/*/*.yaml")))
        time.sleep(2.5)  # A re-reads the file: its next dialog edits "first"
        _burst(reader_a, "vst")
        reader_a.wait_for("Edit annotation", timeout=30)
        reader_a.press("End")
        reader_a.type(",mine")
        with newsdesk_in_tmux(tmp_path, *args, size=(120, 36)) as reader_b:
            _open_the_first_article(reader_b)
            _burst(reader_b, "vst")
            reader_b.wait_for("Edit annotation", timeout=30)
            reader_b.press("End")
            _burst(reader_b, ",theirs", "Enter")
            _wait_until(lambda: "theirs" in _the_annotation(state)["tags"])  # type: ignore[operator]
            pid_a = reader_a.app_pid()
            subprocess.run(["tmux", "kill-pane", "-t", reader_a.session], check=True)  # the link drops
            _wait_until(lambda: _gone(pid_a))
            assert _the_annotation(state)["tags"] == ["first", "theirs"]
            reader_b.press("q")
            reader_b.wait_for("newsdesk-exited-0", timeout=30)
    with newsdesk_in_tmux(tmp_path, *args, size=(120, 36)) as reader_a_again:
        shown = reader_a_again.wait_for("dropped connection", timeout=60)
        time.sleep(1.0)
        assert _the_annotation(state)["tags"] == ["first", "theirs"]  # seen: ["first", "mine"]
        (conflict,) = tmp_path.glob("state-home/**/unsaved-annotations/*.conflict")
        assert '"mine"' in conflict.read_text(encoding="utf-8")  # what A typed: set aside, named on screen
        assert "another session" in shown and "conflict" in shown
        reader_a_again.press("q")
        reader_a_again.wait_for("newsdesk-exited-0", timeout=30)


SLOW_SAVES = """
import sys, time
from newsdesk.index import Library

add = Library.add_annotation

def slow_add(self, *args, **kwargs):  # a save that waits (a lock held, a slow disk)
    time.sleep(3)
    return add(self, *args, **kwargs)

Library.add_annotation = slow_add
from newsdesk.tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_second_hang_up_while_kept_annotations_are_being_saved_saves_each_once(tmp_path: Path) -> None:
    """The link drops again just as the reader, opened after a first hang-up, saves what was kept:
    each kept annotation ends saved exactly once and no kept or claimed file is left over."""
    import json

    from newsdesk.index import Config, Library
    from newsdesk.index.locations import demo_corpus

    state = tmp_path / "index"
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
        library.update()
        article = library.article(library.list_articles(0, 1)[0].id)
        folder = tmp_path / "state-home" / "newsdesk" / "unsaved-annotations"
        folder.mkdir(parents=True)
        for number in range(2):
            entry = {
                "state_dir": str(state.resolve()),
                "article_id": article.id,
                "start": 30 * number,
                "end": 30 * number + 10,
                "tags": ["kept"],
                "note": f"kept {number}",
                "annotation_id": None,
                "quote": article.text[30 * number : 30 * number + 10],
            }
            (folder / f"{number}-1.json").write_text(json.dumps(entry), encoding="utf-8")
    script = tmp_path / "slow_saves.py"
    script.write_text(SLOW_SAVES)
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 36), program=script) as reader:
        _wait_until(lambda: list(folder.glob("*.claimed")))  # saving the first one
        pid = reader.app_pid()
        os.kill(pid, signal.SIGHUP)
        _wait_until(lambda: _gone(pid), timeout=60)
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
        notes = sorted(p.annotation.note for p in library.annotations_of(article.id).placed)
    assert notes == ["kept 0", "kept 1"]
    assert not list(folder.iterdir())
