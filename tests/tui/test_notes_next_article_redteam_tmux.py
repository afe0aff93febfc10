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


def test_a_note_picked_in_all_annotations_then_d_deletes_the_one_picked(tmp_path: Path) -> None:
    """``A``, a filter, Enter twice and ``d`` in one burst from the Notes tab: the d deleted the first
    note of the picked article, not the one picked (the Notes list began at its first row)."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(140, 36)) as terminal:
        _own_annotation_in_the_notes_tab(terminal, tmp_path)
        with Library.open(demo_corpus(), state_dir=tmp_path / "index", config=Config()) as library:
            second = library.article(library.search('"launch pad"').hits[1].id)
            library.annotate_quote(second.id, "launch pad", occurrence=1, tags=["early"])
            end = len(second.text.rstrip())
            library.add_annotation(second, end - 12, end, ["picked"])
        _burst(terminal, "A")
        terminal.wait_for("3 of 3 annotations", timeout=30)
        _burst(terminal, "tag:picked", "Enter", "Enter", "d")
        shown = terminal.wait_for("u Undo delete", timeout=30)
        assert "Traceback" not in shown
        deadline = time.monotonic() + 15
        while len(records := _annotations(tmp_path)) == 3 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert sorted(tag for r in records for tag in r["tags"]) == ["early", "kept"]  # type: ignore[attr-defined]
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=15)


def test_two_sessions_one_deletes_on_the_next_article_the_other_shows_it_gone(tmp_path: Path) -> None:
    """Two readers of one user on one corpus: B reads the second article's note in its Notes tab while
    A types ``] d`` in one burst from the first. A's d deletes that note (the first row of the list it
    was shown), nothing else; B's Notes tab shows it gone by itself, and B's own d and q then work."""
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(140, 36)) as first:
        _own_annotation_in_the_notes_tab(first, tmp_path)
        with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
            second = library.search('"launch pad"').hits[1].id
            library.annotate_quote(second, "launch pad", occurrence=1, tags=["second"])
        with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(140, 36)) as other:
            other.wait_for("indexed", timeout=180)
            other.press("/")
            other.type("launch pad")
            other.wait_for("2 results", timeout=60)
            other.press("Enter", "Down", "Enter")
            other.wait_for("match 1/", timeout=60)
            _burst(other, "", "Tab", "l", "l")
            other.wait_for("second", timeout=30)
            _burst(first, "]d")
            deadline = time.monotonic() + 15
            while len(records := _annotations(tmp_path)) == 2 and time.monotonic() < deadline:
                time.sleep(0.3)
            assert [r["tags"] for r in records] == [["kept"]]
            shown = other.wait_for("No annotations.", timeout=30)  # B's tab looked again by itself
            assert "Traceback" not in shown and "Traceback" not in first.screen()
            _burst(other, "dq")
            other.wait_for("newsdesk-exited-0", timeout=15)
        assert [r["tags"] for r in _annotations(tmp_path)] == [["kept"]]
        first.press("q")
        first.wait_for("newsdesk-exited-0", timeout=15)
