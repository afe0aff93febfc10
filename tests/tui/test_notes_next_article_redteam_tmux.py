"""Red team on 08aa68c, in a real terminal: ``] e`` then text typed in one burst from the Notes tab."""

from __future__ import annotations

import time
from pathlib import Path

from newsdesk.index import Config, Library
from newsdesk.index.locations import demo_corpus

from tests.tui.test_annotations_tmux import _annotations, _burst, _own_annotation_in_the_notes_tab
from tests.tui.test_e2e_tmux import newsdesk_in_tmux


def test_text_typed_right_after_next_article_and_e_never_deletes_the_note_edited(tmp_path: Path) -> None:
    """``] e d`` in one burst, the next article with a note of one's own: e waits for its notes, then
    opens the edit dialog; the d typed behind it ran on the list and deleted the note being edited."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        first = _own_annotation_in_the_notes_tab(terminal, tmp_path)
        with Library.open(demo_corpus(), state_dir=tmp_path / "index", config=Config()) as library:
            second = library.search('"launch pad"').hits[1].id
            library.annotate_quote(second, "launch pad", occurrence=1, tags=["second"])
        before = sorted(str(r.get("id")) for r in _annotations(tmp_path))
        assert len(before) == 2 and str(first.get("id")) in before
        _burst(terminal, "]ed")
        shown = terminal.wait_for("Edit annotation", timeout=30)
        assert "Traceback" not in shown
        time.sleep(1.0)
        assert sorted(str(r.get("id")) for r in _annotations(tmp_path)) == before
        terminal.press("Escape")
        terminal.wait_for("u Undo delete", timeout=30)
        terminal.press("Escape", "Escape", "q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)
