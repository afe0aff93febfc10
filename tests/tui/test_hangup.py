"""SIGHUP (an SSH connection dropping): the annotation being typed is saved and the terminal restored."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.tui.test_e2e_tmux import NEWSDESK, Terminal, pytestmark  # noqa: F401  (skips without tmux)


def test_hangup_saves_the_annotation_being_typed(tmp_path: Path) -> None:
    if not NEWSDESK.exists():
        pytest.skip(f"{NEWSDESK} not installed (pip install -e .)")
    if shutil.which("pgrep") is None:
        pytest.skip("pgrep (procps) is needed to find the app's process")
    name = f"newsdesk-hup-{uuid.uuid4().hex[:8]}"
    state = tmp_path / "index"
    command = (f"XDG_STATE_HOME={tmp_path / 'sh'} XDG_DATA_HOME={tmp_path / 'dh'} XDG_CONFIG_HOME={tmp_path / 'ch'} "
               f"{NEWSDESK} --state-dir {state}; echo newsdesk-exited-$?; sleep 5")
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "35", command], check=True)
    terminal = Terminal(name)
    try:
        terminal.wait_for("indexed")
        terminal.press("Enter")
        time.sleep(0.5)
        terminal.press("v", "s", "t")
        terminal.wait_for("Annotate")
        terminal.type("typed-before-hangup")
        time.sleep(0.3)
        shell = subprocess.run(["tmux", "display-message", "-p", "-t", name, "#{pane_pid}"],
                               capture_output=True, text=True, check=True).stdout.strip()
        child = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True, check=True).stdout.split()[0]
        os.kill(int(child), signal.SIGHUP)
        shown = terminal.wait_for("newsdesk-exited", timeout=10)
        assert "newsdesk-exited-129" in shown
        assert "Annotate" not in shown  # the app's screen is gone: the terminal was restored
        (saved,) = list(state.glob("annotations/*/*.yaml"))
        (annotation,) = yaml.safe_load(saved.read_text())["annotations"]
        assert annotation["tags"] == ["typed-before-hangup"]
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
