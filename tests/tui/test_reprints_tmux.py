"""A reprint group in a real terminal (tmux): one item with "+2 copies", expanded and collapsed with r in a burst."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.conftest import write
from tests.test_similar import ORIGINAL, RELATED, REPRINT
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_expand_a_group_of_reprints_in_tmux(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, "original.txt", ORIGINAL)
    write(corpus, "reprint.txt", REPRINT)
    write(corpus, "reprint-2.txt", REPRINT.replace("Truce breaks down", "[b]Wire[/b] truce fails"))
    write(corpus, "related.txt", RELATED)
    with newsdesk_in_tmux(tmp_path, str(corpus), "--state-dir", str(tmp_path / "index"), size=(110, 40)) as terminal:
        terminal.wait_for("4 articles", timeout=120)  # a first index on a loaded machine
        terminal.wait_for("indexed", timeout=60)
        terminal.press("/")
        terminal.type("rockets")  # the original and its two reprints: one story
        shown = terminal.wait_for("+2 copies")
        assert "↳" not in shown and "3 results in 1 story" in shown
        terminal.press("Enter")  # search box -> list
        terminal.wait_for("⏎ Open")
        subprocess.run(["tmux", "send-keys", "-t", terminal.session, "g", "r"], check=True)  # one burst
        shown = terminal.wait_for("↳ [b]Wire[/b] truce fails")
        assert shown.count("↳") == 2
        subprocess.run(["tmux", "send-keys", "-t", terminal.session, "j", "j", "r"], check=True)  # hide from a copy
        deadline = time.monotonic() + 30
        while "↳" in (shown := terminal.screen()):
            assert time.monotonic() < deadline, f"the copies stayed listed:\n{shown}"
            time.sleep(0.2)
        assert "+2 copies" in shown and "Traceback" not in shown
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=10)
