"""Red team on 40be091 + 9ffc184, in a real terminal: ``A`` and Enter pressed again and again in one burst
while the All annotations view reads its rows slowly (a large corpus, a slow disk)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.tui.test_annotations_tmux import _burst
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)

SLOW_ROWS = """
import sys, time
from newsdesk.index import Library

entries = Library.annotation_entries

def slow_entries(self, *args, **kwargs):  # the rows read slowly (a large corpus, a slow disk)
    time.sleep(2)
    return entries(self, *args, **kwargs)

Library.annotation_entries = slow_entries
from newsdesk.tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_enter_pressed_three_times_while_the_rows_load_picks_once_and_the_reader_goes_on(tmp_path: Path) -> None:
    """Each Enter waited for the rows, and each picked: the view was dismissed twice, and the second
    dismiss popped the reader's own screen: the reader ended with a ScreenStackError traceback."""
    from newsdesk.index import Config, Library
    from newsdesk.index.locations import demo_corpus

    state = tmp_path / "index"
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
        library.update()
        for summary in library.list_articles(0, 2):
            article = library.article(summary.id)
            library.add_annotation(article, 30, 40, ["picked"], f"note of {summary.id[:6]}")
    script = tmp_path / "slow_rows.py"
    script.write_text(SLOW_ROWS)
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 36), program=script) as terminal:
        terminal.wait_for("indexed", timeout=120)
        _burst(terminal, "A", "Enter", "Enter", "Enter", "Enter")
        time.sleep(4)
        shown = terminal.screen()
        assert "newsdesk-exited" not in shown and "Traceback" not in shown, shown
        assert "filter: words" not in shown, shown  # the view closed on the pick
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)
