"""Red team, in a real terminal: the link drops while Enter's save waits for another session's
lock, and serve ends the reader 3 s after SIGHUP (SIGKILL), as tui/web/sessions.py does."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from newsdesk.index import Library
from newsdesk.tui import unsaved

from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_an_annotation_saving_when_serve_kills_the_reader_is_kept(tmp_path: Path) -> None:
    # Seen before the fix: hang_up() left the annotation to the worker (waiting for the lock) and kept
    # nothing; SIGKILL 3 s later took it with the process: no annotation, no kept copy, nobody told.
    if shutil.which("pgrep") is None:
        pytest.skip("pgrep (procps) is needed to find the app's process")
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 35)) as terminal:
        terminal.wait_for("indexed", timeout=180)
        with Library.open(None, state) as library:
            ids = [a.id for a in library.list_articles(0, 1000)]
        terminal.press("Enter")
        time.sleep(0.5)
        terminal.press("v", "s", "t")
        terminal.wait_for("Annotate")
        terminal.type("killed-mid-save")
        user = os.environ.get("USER", "root")
        locks = []
        for article_id in ids:
            folder = state / "annotations" / article_id
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / f"{user}.yaml.lock", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            locks.append(fd)
        try:
            terminal.press("Enter")
            time.sleep(0.5)
            pid = terminal.app_pid()
            os.kill(pid, signal.SIGHUP)
            time.sleep(3.0)  # serve's HANGUP_GRACE
            os.kill(pid, signal.SIGKILL)
        finally:
            for fd in locks:
                os.close(fd)
        terminal.wait_for("newsdesk-exited", timeout=10)
    folder = tmp_path / "state-home" / "newsdesk" / unsaved.UNSAVED_DIR_NAME
    with Library.open(None, state) as library:
        assert unsaved.save_kept(folder, library) == (1, [])  # seen: (0, []), the folder empty
        tags = [a.tags for a in library.all_annotations()[0]]
    assert ("killed-mid-save",) in tags
