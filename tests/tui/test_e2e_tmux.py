"""End to end: the real ``newsdesk`` command in tmux, driven by keys, read from the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

NEWSDESK = Path(sys.executable).parent / "newsdesk"


class Terminal:
    """A tmux session running ``newsdesk``."""

    def __init__(self, session: str) -> None:
        self.session = session

    def press(self, *keys: str) -> None:
        """Press named keys (Enter, Escape) one at a time."""
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.session, key], check=True)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        """Type ``text`` literally."""
        subprocess.run(["tmux", "send-keys", "-t", self.session, "-l", text], check=True)
        time.sleep(0.15)

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.session], check=True, capture_output=True, text=True
        ).stdout

    def app_pid(self) -> int:
        """The process id of the program the session runs (the child of the pane's shell; needs pgrep)."""
        shell = subprocess.run(
            ["tmux", "display-message", "-p", "-t", self.session, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return int(subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True, check=True).stdout.split()[0])

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on screen after {timeout} s:\n{shown}")
            time.sleep(0.2)

    def wait_for_line(self, text: str, timeout: float = 30.0) -> str:
        """Wait until a whole line of the screen (spaces around it aside) is ``text``.

        For a final state whose text an earlier one contains: "7 results" is also in the
        as-you-type answer's "7 results for Geneva*", which comes first.
        """
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in (line.strip() for line in shown.splitlines()):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"no line {text!r} on screen after {timeout} s:\n{shown}")
            time.sleep(0.2)


@contextmanager
def newsdesk_in_tmux(
    tmp_path: Path, *args: str, size: tuple[int, int] = (100, 30), program: Path | None = None
) -> Iterator[Terminal]:
    """``newsdesk ARGS`` in a detached tmux session with private XDG folders; prints
    ``newsdesk-exited-<code>`` when it ends. ``program``: a Python script run instead
    of the console script (with the same arguments), for fault injection."""
    if not NEWSDESK.exists():
        pytest.skip(f"{NEWSDESK} not installed (pip install -e .)")
    name = f"newsdesk-test-{uuid.uuid4().hex[:8]}"
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state-home"),
        "XDG_DATA_HOME": str(tmp_path / "data-home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config-home"),
        "TERM": "xterm-256color",
    }
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    start = [sys.executable, str(program)] if program is not None else [str(NEWSDESK)]
    command = f"{shlex.join([*start, *args])}; echo newsdesk-exited-$?; sleep 5"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), *env_args, command],
        check=True,
        cwd=tmp_path,
        env={**os.environ, **env},
    )
    try:
        yield Terminal(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """``newsdesk`` on the demo corpus in a detached 100x30 tmux session."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index")) as term:
        yield term


def test_search_and_open_in_a_real_terminal(terminal: Terminal) -> None:
    terminal.wait_for("21 articles")
    terminal.wait_for("indexed")
    terminal.press("/")
    terminal.type("launch pad")
    shown = terminal.wait_for("2 results")
    assert "Moscow spy chief warns" in shown
    terminal.press("Enter", "Enter")
    shown = terminal.wait_for("match 1/")
    assert "Naryshkin" in shown  # the article text, past the first match
    terminal.press("?")
    terminal.wait_for("list.page_down")
    terminal.press("Escape")
    time.sleep(0.3)
    terminal.press("q")
    terminal.wait_for("newsdesk-exited", timeout=10)


def test_a_partial_word_typed_in_one_burst_finds_its_hits(terminal: Terminal) -> None:
    terminal.wait_for("21 articles")
    terminal.wait_for("indexed")
    terminal.type("/Stepanak")  # one burst: "/" and the partial word, no pauses
    shown = terminal.wait_for("for Stepanak*")
    assert "Stepanakert" in shown
    assert "searching" not in terminal.wait_for("results for Stepanak*")
    terminal.press("Escape", "q")  # search box -> list, then quit
    terminal.wait_for("newsdesk-exited-0", timeout=10)
