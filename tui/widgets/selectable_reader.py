"""The reader with a keyboard (and mouse) selection and annotation highlights.

``v`` starts a selection on the word at the top of the view (or at the current
match); motion keys then move its end: ``h``/``l`` by character, ``w``/``b`` by
word (``b`` pages up when nothing is selected), ``j``/``k`` by line, ``(``/``)`` by sentence, ``{``/``}`` by paragraph;
``s`` and ``S`` select the whole sentence or paragraph. A mouse drag selects
too. ``t`` and ``a`` ask for tags or a note for the selection.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import PlacedAnnotation
from newsdesk.tui.widgets.layout import SpanIndex, StyledSpan
from newsdesk.tui.widgets.reader import BODY, ReaderView
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

_WORD = re.compile(r"\w[\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*(?=\s|$)")


def word_bounds(text: str, position: int) -> tuple[int, int]:
    """The word at (or right after) ``position``; an empty span at the end of the text."""
    match = _WORD.search(text, max(0, position))
    for candidate in _WORD.finditer(text, max(0, position - 64), min(len(text), position + 64)):
        if candidate.start() <= position < candidate.end():
            match = candidate
            break
    return match.span() if match else (position, position)


def paragraph_bounds(text: str, position: int) -> tuple[int, int]:
    """The paragraph (line of the reflowed text) holding ``position``, without surrounding spaces."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    end = len(text) if end < 0 else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """The sentence holding ``position`` (within its paragraph)."""
    para_start, para_end = paragraph_bounds(text, position)
    start = para_start
    for match in _SENTENCE_END.finditer(text, para_start, para_end):
        if match.end() > position:
            end = match.end()
            break
        start = match.end()
    else:
        end = para_end
    while start < end and text[start].isspace():
        start += 1
    return start, end


def next_boundary(text: str, position: int, unit: str, direction: int) -> int:
    """Where a motion by ``unit`` (char, word, sentence, paragraph) from ``position`` lands."""
    if unit == "char":
        return max(0, min(len(text), position + direction))
    finder = {"word": word_bounds, "sentence": sentence_bounds, "paragraph": paragraph_bounds}[unit]
    if direction > 0:
        _, end = finder(text, position)
        if end > position:
            return end
        nxt = position + 1
        while nxt < len(text) and text[nxt].isspace():
            nxt += 1
        return finder(text, min(nxt, len(text)))[1] if nxt < len(text) else len(text)
    start, _ = finder(text, max(0, position - 1))
    return start


@dataclass(frozen=True, slots=True)
class AnnotationSpan:
    """An annotation's passage in the text, for highlighting and ``>``/``<`` jumps."""

    start: int
    end: int
    annotation_id: str
    style: Style


class SelectableReader(ReaderView):
    """:class:`ReaderView` plus selection and annotation highlights."""

    COMPONENT_CLASSES: ClassVar[set[str]] = ReaderView.COMPONENT_CLASSES | {
        "reader--selection",
        "reader--cursor",
        "reader--annotation",
        "reader--annotation-current",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "toggle_selection", "Select", id="reader.select"),
        Binding("t", "annotate('tags')", "Tag selection", id="reader.tag"),
        Binding("a", "annotate('note')", "Note on selection", id="reader.note"),
        Binding("greater_than_sign", "annotation(1)", "Next annotation", id="reader.next_annotation"),
        Binding("less_than_sign", "annotation(-1)", "Prev annotation", id="reader.prev_annotation"),
        Binding("h,left", "extend('char', -1)", "Select: char left", show=False, id="select.char_left"),
        Binding("l,right", "extend('char', 1)", "Select: char right", show=False, id="select.char_right"),
        Binding("w", "extend('word', 1)", "Select: next word", show=False, id="select.word_right"),
        Binding("b", "word_back_or_page", "Select: previous word", show=False, id="select.word_left"),
        Binding(
            "right_parenthesis",
            "extend('sentence', 1)",
            "Select: next sentence",
            show=False,
            id="select.sentence_right",
        ),
        Binding(
            "left_parenthesis",
            "extend('sentence', -1)",
            "Select: previous sentence",
            show=False,
            id="select.sentence_left",
        ),
        Binding(
            "right_curly_bracket",
            "extend('paragraph', 1)",
            "Select: next paragraph",
            show=False,
            id="select.paragraph_right",
        ),
        Binding(
            "left_curly_bracket",
            "extend('paragraph', -1)",
            "Select: previous paragraph",
            show=False,
            id="select.paragraph_left",
        ),
        Binding("s", "select_unit('sentence')", "Select sentence", show=False, id="select.sentence"),
        Binding("S", "select_unit('paragraph')", "Select paragraph", show=False, id="select.paragraph"),
        Binding("escape", "cancel_selection", "Cancel selection", show=False, id="select.cancel"),
    ]

    @dataclass
    class AnnotateRequested(Message):
        """The user wants to tag (``focus`` "tags") or note ("note") ``text[start:end]``."""

        reader: SelectableReader
        start: int
        end: int
        focus: str

    @dataclass
    class SelectionChanged(Message):
        """The selection changed (None: no selection)."""

        reader: SelectableReader
        selection: tuple[int, int] | None

    def __init__(self, *, max_width: int = 88, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(max_width=max_width, id=id, classes=classes)
        # Shadows Widget.anchor() (Textual's scroll anchoring, unused here); renaming it waits for the
        # reader-keys work on this file to land.
        self.anchor: int | None = None  # type: ignore[assignment]
        self.cursor = 0
        self._annotations: SpanIndex[AnnotationSpan] = SpanIndex([])
        self._current_annotation: str | None = None
        self.tag_styles: dict[str, Style] = {}
        self._dragging = False
        self.annotate_now: Callable[[SelectableReader.AnnotateRequested], None] | None = None
        """Set by the article view: opens the dialog at once (a posted message would let typed-ahead keys through)."""

    # -- selection --------------------------------------------------------------------
    @property
    def selection(self) -> tuple[int, int] | None:
        """(start, end) of the selected text, or None."""
        if self.anchor is None or self.anchor == self.cursor:
            return None
        return min(self.anchor, self.cursor), max(self.anchor, self.cursor)

    @property
    def selecting(self) -> bool:
        return self.anchor is not None

    def _text_ready(self) -> bool:
        return self.article is not None and bool(self._text)

    def _top_offset(self) -> int:
        current = self.current_hit
        if current is not None and self._hits:
            return self._hits[current][0]
        return self._offset_at_line(max(int(self.scroll_y), self._body_first_line)) or 0

    def set_selection(self, anchor: int | None, cursor: int = 0) -> None:
        """Select ``text[anchor:cursor]`` (either order), or clear with ``anchor=None``."""
        self.anchor = anchor
        self.cursor = max(0, min(len(self._text), cursor))
        if anchor is not None:
            self._keep_visible(self.cursor)
        self._cache.clear()
        self.refresh()
        self.post_message(self.SelectionChanged(self, self.selection))

    def action_toggle_selection(self) -> None:
        if not self._text_ready():
            return
        if self.selecting:
            self.set_selection(None)
            return
        start, end = word_bounds(self._text, self._top_offset())
        self.set_selection(start, end)

    def action_cancel_selection(self) -> None:
        self.set_selection(None)

    def action_extend(self, unit: str, direction: int) -> None:
        if self.selecting:
            self.set_selection(self.anchor, next_boundary(self._text, self.cursor, unit, direction))

    def action_word_back_or_page(self) -> None:
        if self.selecting:
            self.action_extend("word", -1)
        else:
            self.action_page(-1)

    def action_select_unit(self, unit: str) -> None:
        if not self._text_ready():
            return
        position = self.cursor if self.selecting else self._top_offset()
        finder = sentence_bounds if unit == "sentence" else paragraph_bounds
        start, end = finder(self._text, position)
        self.set_selection(start, end)

    def action_scroll_lines(self, lines: int) -> None:
        if not self.selecting:
            super().action_scroll_lines(lines)
            return
        line = self.line_of_offset(self.cursor) + lines
        body = line - self._body_first_line
        if 0 <= body < len(self._body_starts):
            column = self.cursor - self._body_starts[self.line_of_offset(self.cursor) - self._body_first_line]
            _, start, end = self._lines[line]
            self.set_selection(self.anchor, min(start + column, end))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Without a selection, h, l, w and escape do what they do elsewhere.
        return self.selecting or action not in ("extend", "cancel_selection")

    def action_annotate(self, focus: str) -> None:
        selection = self.selection
        if selection is None:
            self.notify("Select a passage first: v, then motion keys (or s for a sentence).", timeout=3)
            return
        request = self.AnnotateRequested(self, *selection, focus)
        if self.annotate_now is None:
            self.post_message(request)
            return
        # Synchronously: the next key of a burst is delivered once this one is handled
        # (newsdesk.tui.key_order), and by then the dialog must be the screen it goes to.
        self.annotate_now(request)

    def _keep_visible(self, offset: int) -> None:
        line = self.line_of_offset(offset)
        height = self.scrollable_content_region.height or self.size.height
        if line < self.scroll_y or line >= self.scroll_y + height:
            self.scroll_to(0, max(0, line - height // 3), animate=False, immediate=True)

    # -- mouse ------------------------------------------------------------------------
    def _offset_at(self, x: int, y: int) -> int | None:
        line = y + int(self.scroll_y)
        if not 0 <= line < len(self._lines) or self._lines[line][0] != BODY:
            return None
        _, start, end = self._lines[line]
        width = self.scrollable_content_region.width
        pad = max(1, (width - self._column) // 2) if width > self._column + 2 else 1
        return max(start, min(end, start + x - pad))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_at(event.x, event.y)
        if offset is not None and event.button == 1:
            self._dragging = True
            self.capture_mouse()
            self.set_selection(offset, offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            offset = self._offset_at(event.x, event.y)
            if offset is not None:
                self.set_selection(self.anchor, offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            if self.selection is None:
                self.set_selection(None)

    # -- annotations ------------------------------------------------------------------
    def set_annotations(self, placed: Sequence[PlacedAnnotation]) -> None:
        """Highlight these annotations (placed ones; orphans have no passage)."""
        base = self.get_component_rich_style("reader--annotation", partial=True)
        spans = []
        for p in placed:
            if p.anchor.orphan:
                continue
            tag_style = next((self.tag_styles[t] for t in p.annotation.tags if t in self.tag_styles), None)
            spans.append(
                AnnotationSpan(p.anchor.start, p.anchor.end, p.annotation.id, base + tag_style if tag_style else base)
            )
        self._annotations = SpanIndex(spans)
        self._cache.clear()
        self.refresh()

    @property
    def annotation_spans(self) -> list[AnnotationSpan]:
        return list(self._annotations.spans)

    @property
    def current_annotation(self) -> str | None:
        """The id of the annotation the reader moved to last (``>``/``<``, the Notes tab), drawn as current."""
        return self._current_annotation

    def goto_annotation(self, annotation_id: str) -> bool:
        """Mark an annotation's passage and scroll to it; False if it has none here."""
        for span in self._annotations.spans:
            if span.annotation_id == annotation_id:
                self._current_annotation = annotation_id
                self.goto_span(span.start, span.end)
                return True
        return False

    def action_annotation(self, direction: int) -> None:
        spans = self._annotations.spans
        if not spans:
            self.notify("No annotations in this article.", timeout=2)
            return
        current = next((i for i, s in enumerate(spans) if s.annotation_id == self._current_annotation), None)
        if current is None:
            starts = [s.start for s in spans]
            index = bisect_right(starts, self._top_offset() - 1)
            index = index if direction > 0 else index - 1
        else:
            index = current + direction
        self.goto_annotation(spans[index % len(spans)].annotation_id)

    # -- rendering --------------------------------------------------------------------
    def _spans(self, start: int, end: int) -> list[StyledSpan]:
        spans = super()._spans(start, end)
        if self._annotations:
            current_style = self.get_component_rich_style("reader--annotation-current", partial=True)
            for span in self._annotations.overlapping(start, end):
                style = span.style + current_style if span.annotation_id == self._current_annotation else span.style
                spans.append(StyledSpan(span.start, span.end, style, 1))
        selection = self.selection
        if selection and selection[0] < end and selection[1] > start:
            spans.append(StyledSpan(*selection, self.get_component_rich_style("reader--selection", partial=True), 3))
        if self.selecting and start <= self.cursor < max(end, start + 1) and self.cursor < len(self._text):
            cursor_style = self.get_component_rich_style("reader--cursor", partial=True)
            spans.append(StyledSpan(self.cursor, self.cursor + 1, cursor_style, 4))
        return spans
