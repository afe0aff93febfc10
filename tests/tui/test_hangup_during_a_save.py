"""A hang-up while a save is still waiting for its file lock: the save lands, once (found by the red team)."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
import yaml

from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_a_saved_search_being_written_at_hangup_is_not_lost(tmp_path: Path) -> None:
    # Another process of the same user holds saved/<user>.yaml.lock for 6 s (a slow disk or NFS
    # does the same). A normal quit waits for the save and it lands (measured: exit after 5.3 s,
    # saved). After SIGHUP, the hang-up guard once ended the process at 3 s, mid-wait: the search
    # was gone and nobody told. The guard now waits for saves under way (tui/leave.py SAVES).
    if shutil.which("pgrep") is None:
        pytest.skip("pgrep (procps) is needed to find the app's process")
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 35)) as terminal:
        terminal.wait_for("indexed", timeout=180)
        terminal.press("/")
        terminal.type("ceasefire")
        terminal.press("Enter")
        terminal.wait_for("results")
        terminal.press("C-s")
        terminal.wait_for("Save search")
        terminal.type("kept-over-hangup")
        (state / "saved").mkdir(parents=True, exist_ok=True)
        lock = os.open(state / "saved" / f"{os.environ.get('USER', 'root')}.yaml.lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            terminal.press("Enter")
            time.sleep(0.5)
            os.kill(terminal.app_pid(), signal.SIGHUP)
            time.sleep(6)
        finally:
            os.close(lock)
        terminal.wait_for("newsdesk-exited", timeout=10)
    saved = state / "saved" / f"{os.environ.get('USER', 'root')}.yaml"
    names = [s["name"] for s in yaml.safe_load(saved.read_text())["saved"]] if saved.exists() else []
    assert "kept-over-hangup" in names


def test_an_annotation_being_saved_at_hangup_is_saved_once(tmp_path: Path) -> None:
    # Enter in the tag dialog starts the save in a worker (AnnotationEditor._save), and the
    # pending annotation stays set until AnnotationSaved is handled; hang_up() once saw it and
    # saved it again. With the worker slowed (another process of the same user holds the
    # article's lock for ~1.5 s) both saves landed: two annotations, same passage, same tags.
    if shutil.which("pgrep") is None:
        pytest.skip("pgrep (procps) is needed to find the app's process")
    from newsdesk.index import Library

    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 35)) as terminal:
        terminal.wait_for("indexed", timeout=180)
        with Library.open(None, state) as library:
            ids = [a.id for a in library.list_articles(0, 1000)]
        terminal.press("Enter")
        time.sleep(0.5)
        terminal.press("v", "s", "t")
        terminal.wait_for("Annotate")
        terminal.type("once-only")
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
            os.kill(terminal.app_pid(), signal.SIGHUP)
            time.sleep(1.0)
        finally:
            for fd in locks:
                os.close(fd)
        terminal.wait_for("newsdesk-exited", timeout=10)
    tagged = [
        a
        for path in state.glob("annotations/*/*.yaml")
        for a in (yaml.safe_load(path.read_text()) or {}).get("annotations", [])
        if "once-only" in a["tags"]
    ]
    assert len(tagged) == 1
