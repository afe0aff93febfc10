"""CSV exports opened in a spreadsheet: no cell runs as a formula (CSV injection, CWE-1236).

Notes, quotes, tags and authors come from other accounts' annotation files, titles and quotes from
articles, paths from a shared folder. A note ``=HYPERLINK("http://…?"&A1, "open")`` or a file
named ``=cmd|' /C calc'!A0.txt`` went into the CSV as it was, and a spreadsheet opening the export
ran it. Such a cell now begins with ``'``, and is otherwise the text as the other exports keep it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, Library
from newsdesk.index.annotations.export import FORMULA_STARTS, ArticleInfo, export
from newsdesk.index.annotations.model import Annotation, Target
from newsdesk.index.ingest.clean import sanitize

TEXT_COLUMNS = ("article_title", "article_path", "quote", "tags", "note", "author", "claimed_author", "imported_from")

_ANY = st.text(max_size=40) | st.sampled_from(["=1+1", "+cmd", "-2", "@SUM(A1)", "\t=1", "\r=1", "＝1", " =1", "'=1"])


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _expected(text: str) -> str:
    """The cell for ``text``: as the other exports keep it (sanitized: no control characters), behind
    one ``'`` when it begins like a formula; nothing else changed."""
    clean = sanitize(text)
    return "'" + clean if clean.startswith(FORMULA_STARTS) else clean


@settings(max_examples=200, deadline=None)
@given(
    note=_ANY,
    quote=_ANY,
    title=_ANY,
    path=_ANY,
    author=_ANY,
    tags=st.lists(_ANY, max_size=3),
    claimed=_ANY,
    imported=_ANY,
)
def test_no_cell_begins_like_a_formula_and_each_keeps_its_text(
    note: str, quote: str, title: str, path: str, author: str, tags: list[str], claimed: str, imported: str
) -> None:
    annotation = Annotation(
        id="a1",
        article_id="0123456789abcdef",
        content_hash="h",
        target=Target(0, max(len(quote), 1), quote or "x"),
        tags=tuple(tags),
        note=note,
        author=author,
        imported_from=imported,
        claimed_author=claimed,
    )
    [row] = _rows(export([annotation], {annotation.article_id: ArticleInfo(title, path)}, "csv"))
    sent = {
        "article_title": title,
        "article_path": path,
        "quote": quote or "x",
        "tags": ";".join(tags),
        "note": note,
        "author": author,
        "claimed_author": claimed,
        "imported_from": imported,
    }
    for column in TEXT_COLUMNS:
        cell = row[column]
        assert not cell.startswith(FORMULA_STARTS), (column, cell)
        assert cell == _expected(sent[column]), column


def test_a_hostile_note_tag_and_file_name_through_the_library(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "=HYPERLINK(evil).txt").write_text("Truce talks\n\nThe truce held in the north.\n", encoding="utf-8")
    library = Library.open(corpus, state_dir=tmp_path / "state", config=Config())
    try:
        library.update()
        [summary] = library.list_articles(0, 5)
        library.annotate_quote(summary.id, "truce", tags=["+cmd"], note="@SUM(1+1)*cmd|' /C calc'!A0")
        annotations, _ = library.all_annotations()
        text = export(annotations, {summary.id: ArticleInfo(summary.title or "", summary.path)}, "csv")
    finally:
        library.close()
    [row] = _rows(text)
    assert row["note"] == "'@SUM(1+1)*cmd|' /C calc'!A0"  # seen: the formula as it was
    assert row["tags"] == "'+cmd"
    assert row["article_path"] == "'=HYPERLINK(evil).txt"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_the_exports_read_back_keep_the_text_as_it_was(fmt: str) -> None:
    """Only the CSV cells are escaped: the exports made to be imported again keep the note exactly."""
    annotation = Annotation("a1", "0123456789abcdef", "h", Target(0, 4, "=1+1"), ("+t",), "=SUM(A1)", "alice")
    text = export([annotation], {}, fmt)
    assert "'=SUM" not in text and "=SUM(A1)" in text
