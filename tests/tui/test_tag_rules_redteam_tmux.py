"""Red team of d072ef4 in the real reader in tmux: what the reader writes to the terminal when a tag
that no new tag may be (another account's file, an older version's) is suggested in the tags box."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from unittest import mock

from newsdesk.index import Config, Library
from newsdesk.index.annotations.model import stored_tag
from newsdesk.index.locations import demo_corpus

from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def test_a_tag_with_a_c1_csi_in_use_never_reaches_the_terminal(demo_index: Path, tmp_path: Path) -> None:
    """Seen on d072ef4: typing "ab" in the tags box wrote the suggestion ``ab\\x9b2J`` to the terminal as
    it was, the C1 CSI as the bytes C2 9B (a terminal that takes UTF-8 C1 controls, as xterm does, reads
    an erase-display there), and a bidi override in another tag the same way."""
    state = tmp_path / "index"
    shutil.copytree(demo_index, state)
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        with mock.patch("newsdesk.index.annotations.check_tag", stored_tag):  # as such a file holds it
            library.add_annotation(article, 30, 40, ["ab\x9b2J", "cd\u202eef"], "")
    raw = tmp_path / "raw.bin"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 35)) as terminal:
        terminal.wait_for("21 articles", timeout=120)
        subprocess.run(["tmux", "pipe-pane", "-o", "-t", terminal.session, f"cat >> {raw}"], check=True)
        terminal.press("Enter")
        time.sleep(1.0)
        terminal.press("v", "s", "t")
        terminal.wait_for("Annotate")
        terminal.type("ab")
        time.sleep(1.0)
        terminal.type(", cd")
        time.sleep(1.0)
        shown = terminal.wait_for("cd")
    written = raw.read_bytes()
    assert b"ab" in written and "Annotate" in shown
    assert "\x9b".encode() not in written and "\u202e".encode() not in written
