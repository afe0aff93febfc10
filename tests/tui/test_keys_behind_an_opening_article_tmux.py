"""In a real terminal: Enter and a tag typed in one burst while the article is slow to read (a large
article, a busy disk). The keys went to the list until the article was shown: no tag was saved, the
tag's letters ran as commands, and the ``q`` of "quiet" quit the reader."""

from __future__ import annotations

import time
from pathlib import Path

from tests.tui.test_annotations_tmux import _burst
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)

SLOW_ARTICLE = """
import sys, time
from newsdesk.index import Library

article = Library.article

def slow_article(self, *args, **kwargs):  # read slowly (a large article, a busy disk)
    time.sleep(1.5)
    return article(self, *args, **kwargs)

Library.article = slow_article
from newsdesk.tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_enter_then_a_tag_in_one_burst_tags_the_opened_article(tmp_path: Path) -> None:
    from newsdesk.index import Config, Library
    from newsdesk.index.locations import demo_corpus

    state = tmp_path / "index"
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
        library.update()
    script = tmp_path / "slow_article.py"
    script.write_text(SLOW_ARTICLE)
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 36), program=script) as terminal:
        terminal.wait_for("indexed", timeout=120)
        _burst(terminal, "", "Enter", "v", "s", "t", "q", "u", "i", "e", "t", "Enter")
        time.sleep(5)
        shown = terminal.screen()
        assert "newsdesk-exited" not in shown and "Traceback" not in shown, shown  # seen: exited-0 (q)
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
        tags = [a.tags for a in library.all_annotations()[0]]
    assert tags == [("quiet",)], tags
