"""The reader draws a line where each page of a PDF begins (pilot, and the real command in tmux)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.widgets.notes_list import NotesList
from newsdesk.tui.widgets.reader import page_separator
from textual.widgets import TabbedContent

from tests.documents import PARAGRAPHS, PdfSpec, make_pdf
from tests.tui.conftest import settle
from tests.tui.test_e2e_tmux import newsdesk_in_tmux


def pdf_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "report.pdf").write_bytes(make_pdf(PdfSpec(pages=[PARAGRAPHS[:2], PARAGRAPHS[2:4], PARAGRAPHS[4:]])))
    return corpus


def test_page_separator_fits_the_column() -> None:
    assert page_separator(2, 30) == "─" * 11 + " page 2 " + "─" * 11
    assert " page 12 " in page_separator(12, 5)


async def test_reader_shows_page_boundaries_where_pages_begin(tmp_path: Path) -> None:
    corpus = pdf_corpus(tmp_path)
    state = tmp_path / "state"
    with Library.open(corpus, state_dir=state, config=Config()) as library:
        library.update()
    app = make_app(corpus, Config(), state, index_on_start=False, watch=False)
    try:
        async with app.run_test(size=(120, 60)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            reader = app.main.reader
            lines = [reader.render_line(y).text.strip() for y in range(reader.scrollable_content_region.height)]
            separators = [i for i, line in enumerate(lines) if line.startswith("─") and "page" in line]
            assert [lines[i].strip("─ ") for i in separators] == ["page 2", "page 3"]
            assert lines[separators[0] + 1].startswith("Residents of the outer islands")
            assert lines[separators[1] + 1].startswith("A final decision on fares")
    finally:
        close_library(app.library)


async def test_notes_tab_row_says_the_page(tmp_path: Path) -> None:
    corpus = pdf_corpus(tmp_path)
    state = tmp_path / "state"
    with Library.open(corpus, state_dir=state, config=Config()) as library:
        library.update()
        library.annotate_quote("report.pdf", "Residents of the outer islands", tags=["ferries"])
    app = make_app(corpus, Config(), state, index_on_start=False, watch=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            app.main.query_one(TabbedContent).active = "tab-annotations"
            await settle(pilot)
            notes = app.main.query_one(NotesList)
            lines = [notes.render_line(y).text for y in range(notes.scrollable_content_region.height)]
            assert any("p. 2" in line and "Residents of the outer" in line for line in lines), lines
    finally:
        close_library(app.library)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_page_boundaries_in_a_real_terminal(tmp_path: Path) -> None:
    corpus = pdf_corpus(tmp_path)
    with newsdesk_in_tmux(tmp_path, str(corpus), "--state-dir", str(tmp_path / "index"), size=(100, 50)) as term:
        term.wait_for("1 article")
        term.press("Enter")
        shown = term.wait_for(" page 2 ")
        assert "─ page 2 ─" in shown and "Residents of the outer islands" in shown.split(" page 2 ", 1)[1]
        term.press("q")
        term.wait_for("newsdesk-exited", timeout=10)
