"""newsdesk's change to Textual (newsdesk.tui.textual_patches): a removed widget's cells are repainted.

The bug, in a small app: an overlay (like Textual's toast rack) holds a badge; a
scroll takes the compositor's fast path; the badge is removed and, before the
layout that follows, a widget off screen is refreshed (which looks up its region
and rebuilds the compositor's full map). Textual then never repaints the badge's
cells, and the terminal keeps showing it: in the reader, an expired toast stayed
over the Saved tab's key hint.
"""

from __future__ import annotations

from importlib.metadata import version

from hypothesis import given
from hypothesis import strategies as st
from newsdesk.tui import textual_patches
from rich.console import RenderableType
from textual import events
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.containers import Container, VerticalScroll
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Static

from tests.test_whoosh_pin import definition_hash

TEXTUAL = "8.2.8"
"""The Textual version the hashes below were taken from."""

RECORDED = {
    "textual._compositor:Compositor.full_map": "78eecc4a9cbaeecb",
    "textual._compositor:Compositor.reflow": "0ab52ea196636572",
    "textual._compositor:Compositor.reflow_visible": "3cefeffcb01594d3",
    "textual._compositor:Compositor.find_widget": "af98a088c45addc0",
    "textual._xterm_parser:XTermParser._sequence_to_key_events": "fd21105b54cc5276",
    "textual._xterm_parser:XTermParser.parse": "f9837587f1778f18",
    "textual._xterm_parser:XTermParser.feed": "1a75b06dfb91d59c",
    "textual._xterm_parser:_MAX_SEQUENCE_SEARCH_THRESHOLD": "ae0180c560168b9a",
    "textual._parser:Parser.feed": "a202ae130ca2d7af",
    "textual._parser:Parser.tick": "68514e9bd1ca688b",
    "textual.drivers.linux_driver:LinuxDriver.run_input_thread": "3c7a9834635c05f9",
    "textual.drivers.web_driver:WebDriver.run_input_thread": "28144c85d09fcb89",
}
"""sha256 (first 16 hex digits) of each relied-upon definition's source in Textual TEXTUAL."""


class Overlaid(App[None]):
    """A scrolled list of lines under an overlay holding one badge, docked at the bottom like the toast rack."""

    CSS = """
    Screen { layers: base above; }
    #rack { layer: above; dock: bottom; height: auto; align: right bottom; }
    #badge { height: 2; width: 12; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.painted: set[tuple[int, int]] = set()
        """Cells written to the terminal by the updates since the test last cleared it."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="scroll"):
            for number in range(60):
                yield Static(f"line {number}", id=f"line-{number}")
        with Container(id="rack"):
            yield Static("BADGE", id="badge")

    def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
        if isinstance(renderable, LayoutUpdate):
            self.painted.update(cells(renderable.region))
        elif isinstance(renderable, ChopsUpdate):
            self.painted.update((x, y) for y, x1, x2 in renderable.spans for x in range(x1, x2 + 1))
        super()._display(screen, renderable)


def cells(region: Region) -> set[tuple[int, int]]:
    return {(x, y) for y in range(region.y, region.bottom) for x in range(region.x, region.right)}


async def cells_left_unpainted_by_removing_the_badge() -> set[tuple[int, int]]:
    app = Overlaid()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        badge = app.query_one("#badge")
        shown = cells(badge.region)
        app.query_one("#scroll").scroll_to(y=3, animate=False)  # a scroll-only refresh: the fast path
        await pilot.pause()
        app.painted.clear()
        await badge.remove()
        app.query_one("#line-50").refresh()  # off screen: its region is looked up in the full map
        await pilot.pause()
        await pilot.pause()
        return shown - app.painted


async def test_a_removed_widget_is_painted_over() -> None:
    assert await cells_left_unpainted_by_removing_the_badge() == set()


async def test_without_the_patch_textual_leaves_the_removed_widget_on_screen() -> None:
    """The check can fail, and the patch is still needed: Textual's own full map leaves all 24 cells."""
    patched = Compositor.full_map
    Compositor.full_map = textual_patches.TEXTUAL_FULL_MAP  # type: ignore[method-assign, assignment]
    try:
        assert len(await cells_left_unpainted_by_removing_the_badge()) == 24
    finally:
        Compositor.full_map = patched  # type: ignore[method-assign]


def test_textual_is_the_version_the_patch_was_checked_against() -> None:
    assert version("textual") == TEXTUAL, f"textual is {version('textual')}, not {TEXTUAL}: re-check textual_patches"


def test_the_textual_code_under_the_patch_is_as_recorded() -> None:
    problems = [
        f"{name} is not as recorded (now {current}): re-check newsdesk/tui/textual_patches.py, then record it here"
        for name in textual_patches.TEXTUAL
        if (current := definition_hash(name)) != RECORDED.get(name)
    ]
    assert problems == []
    assert set(RECORDED) == set(textual_patches.TEXTUAL)


def typed(data: str) -> list[tuple[str, str | None]]:
    """The keys Textual's parser makes of ``data`` arriving in one read, then nothing more."""
    parser = XTermParser(debug=False)
    found = [*parser.feed(data), *parser.feed("")]  # "": the end, as the escape delay running out
    return [(key.key, key.character) for key in found if isinstance(key, events.Key)]


def test_escape_then_punctuation_in_one_burst_keeps_the_escape() -> None:
    """``? Esc /pak``: Textual dropped the Esc (the help screen stayed open, ``/pak`` typed into it)."""
    textual_patches.apply()
    assert typed("?\x1b/pak") == [("question_mark", "?"), ("alt+slash", "/"), ("p", "p"), ("a", "a"), ("k", "k")]
    XTermParser._sequence_to_key_events = textual_patches.TEXTUAL_SEQUENCE_TO_KEYS  # type: ignore[method-assign]
    try:
        assert typed("?\x1b/pak")[1] == ("slash", "/")  # the bug: no trace of the Esc
    finally:
        textual_patches.apply()


@given(st.characters(codec="utf-8").filter(lambda c: c.isprintable() and c not in _TEXTUAL_OWN_AFTER_ESC))
def test_escape_then_any_printable_character_is_alt_of_it(character: str) -> None:
    """newsdesk.tui.key_order splits ``alt+<key>`` back into Esc and the key: so it must be named alt+ here."""
    textual_patches.apply()
    ((name, got),) = typed("\x1b" + character)
    assert name.startswith("alt+") and got == character


_TEXTUAL_OWN_AFTER_ESC = set("0123456789bf-=[O")
"""ESC then these is a key of its own in Textual's table (macOS Option characters, word moves), or the
start of a longer sequence (``[``, ``O``): not the reissued ESC this patch is about."""
