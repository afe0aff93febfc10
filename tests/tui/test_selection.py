"""Selecting passages in the reader: the motions, the keys and the mouse."""

from __future__ import annotations

from newsdesk.index import Article
from newsdesk.index.annotations import AnnotationStore, owner_by_file_name
from newsdesk.tui.widgets.selectable_reader import (
    SelectableReader,
    next_boundary,
    paragraph_bounds,
    sentence_bounds,
    word_bounds,
)
from textual.app import App, ComposeResult

TEXT = (
    "Talks resumed in Geneva on Friday. Diplomats called it a launch pad. Nobody agreed.\n"
    "A second paragraph follows here. It has two sentences."
)


def test_units() -> None:
    assert TEXT[slice(*word_bounds(TEXT, 2))] == "Talks"
    assert TEXT[slice(*word_bounds(TEXT, 5))] == "resumed"  # the space before a word: that word
    assert TEXT[slice(*sentence_bounds(TEXT, 40))] == "Diplomats called it a launch pad."
    assert TEXT[slice(*sentence_bounds(TEXT, 0))] == "Talks resumed in Geneva on Friday."
    assert TEXT[slice(*paragraph_bounds(TEXT, 100))] == "A second paragraph follows here. It has two sentences."
    assert next_boundary(TEXT, 0, "word", 1) == 5
    assert next_boundary(TEXT, 5, "word", 1) == len("Talks resumed")
    assert next_boundary(TEXT, 13, "word", -1) == 6
    assert next_boundary(TEXT, 0, "sentence", 1) == len("Talks resumed in Geneva on Friday.")
    assert next_boundary(TEXT, 3, "char", -5) == 0


class ReaderApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[SelectableReader.AnnotateRequested] = []

    def compose(self) -> ComposeResult:
        yield SelectableReader()

    def on_selectable_reader_annotate_requested(self, message: SelectableReader.AnnotateRequested) -> None:
        self.requests.append(message)


def article(text: str = TEXT) -> Article:
    return Article(id="0123456789abcdef", path="a.txt", item=0, title="Talks", text=text, content_hash="h")


async def test_keyboard_selection_and_annotate_request() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 20)) as pilot:
        reader = app.query_one(SelectableReader)
        reader.show_article(article())
        reader.focus()
        await pilot.pause()
        await pilot.press("t")
        assert app.requests == []  # nothing selected yet
        await pilot.press("v")
        assert reader.selection == (0, 5)  # the first word
        await pilot.press("w", "w")
        assert TEXT[slice(*reader.selection)] == "Talks resumed in"
        await pilot.press("h")
        assert TEXT[slice(*reader.selection)] == "Talks resumed i"
        await pilot.press("s")
        assert TEXT[slice(*reader.selection)] == "Talks resumed in Geneva on Friday."
        await pilot.press("right_parenthesis")
        assert TEXT[slice(*reader.selection)].endswith("launch pad.")
        await pilot.press("a")
        await pilot.pause()
        (request,) = app.requests
        assert (request.start, request.end, request.focus) == (0, TEXT.index("Nobody") - 1, "note")
        await pilot.press("escape")
        assert reader.selection is None


async def test_mouse_drag_selects(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = ReaderApp()
    async with app.run_test(size=(100, 20)) as pilot:
        reader = app.query_one(SelectableReader)
        reader.show_article(article())
        await pilot.pause()
        line = reader.line_of_offset(0) - int(reader.scroll_y)
        pad = reader.render_line(line).text.index("Talks")  # where the text starts on screen
        await pilot.mouse_down(reader, offset=(pad, line))
        await pilot.hover(reader, offset=(pad + 13, line))
        await pilot.mouse_up(reader, offset=(pad + 13, line))
        assert TEXT[slice(*reader.selection)] == "Talks resumed"


async def test_annotations_are_highlighted_and_jumped_to(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    a = article()
    first = store.add(a, 6, 13, ["lead"])
    second = store.add(a, TEXT.index("second"), TEXT.index("second") + 6, ["x"])
    app = ReaderApp()
    async with app.run_test(size=(100, 20)) as pilot:
        reader = app.query_one(SelectableReader)
        reader.show_article(a)
        reader.set_annotations(store.for_article(a).placed)
        reader.focus()
        await pilot.pause()
        assert [s.annotation_id for s in reader.annotation_spans] == [first.id, second.id]
        await pilot.press("greater_than_sign")
        assert reader.current_annotation == first.id
        await pilot.press("greater_than_sign")
        assert reader.current_annotation == second.id
        await pilot.press("less_than_sign")
        assert reader.current_annotation == first.id
