"""The annotation methods the reader uses on Library: add, edit, delete, undo, the corpus-wide entries."""

from __future__ import annotations

from pathlib import Path

from newsdesk.index import Library


def test_add_edit_delete_restore_through_the_library(library: Library) -> None:
    article = library.article("reports/shelling.txt")
    start = article.text.index("Stepanakert")
    added = library.add_annotation(article, start, start + len("Stepanakert"), ["place"], "first")
    assert [p.annotation.id for p in library.article_annotations(article).placed] == [added.id]
    edited = library.edit_annotation(article, added.id, tags=["place", "checked"], note="second")
    assert (edited.tags, edited.note) == (("place", "checked"), "second")
    deleted = library.delete_annotation(article.id, added.id)
    assert library.article_annotations(article).placed == []
    library.restore_annotation(deleted)
    annotations, errors = library.all_annotations()
    assert [(a.id, a.note) for a in annotations] == [(added.id, "second")] and errors == []


def test_entries_have_titles_and_say_when_the_passage_or_article_is_gone(library: Library, corpus: Path) -> None:
    kept = library.article("reports/shelling.txt")
    gone = library.article("reports/ceasefire.txt")
    library.add_annotation(kept, 0, 8, ["a"])
    library.add_annotation(gone, 0, 9, ["b"])
    (corpus / "reports/ceasefire.txt").unlink()
    library.update()
    entries, errors = library.annotation_entries()
    assert errors == []
    by_tag = {e.annotation.tags[0]: e for e in entries}
    assert (by_tag["a"].title, by_tag["a"].orphan) == (kept.title, False)
    assert (by_tag["b"].title, by_tag["b"].orphan) == (None, True)
    changed = [e.annotation.modified or e.annotation.created for e in entries]
    assert changed == sorted(changed, reverse=True)  # newest change first
