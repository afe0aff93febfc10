"""Where newsdesk changes Textual: a removed widget is repainted, and Esc typed before punctuation is kept.

**Repainting.**

Textual's compositor keeps a map of where every widget is. A refresh that only
scrolled takes a fast path: it places the visible widgets in a second map and
marks the full one stale, to be rebuilt from the DOM at the next lookup that
needs it. A full layout finds what to repaint by comparing the new map with the
full one. If a widget is removed and, before that layout runs, some widget's
region is looked up (any refresh of a widget off screen does), the full map is
rebuilt without the removed widget: the layout then sees no change and never
repaints its cells. A notification toast that expired 3 s after ``S`` showed the
side panel stayed on screen for good, over the Saved tab's key hint (found by
tests/tui/test_side_tabs_tmux.py under load; tests/tui/test_textual_patches.py
reproduces it with a small app).

The patch makes the rebuild mark for repainting every region that differs
between what was last placed and the rebuilt map, as the layout would have.

**Esc before punctuation.** A terminal sends Alt+/ as ESC /, and Esc then / typed in
one burst (over SSH, or a fast typist) arrive as the same two bytes. Textual's parser
reads ESC and a letter as ``alt+<letter>``, which newsdesk.tui.key_order turns back into
Esc then the letter; but before a character that is not a letter or a digit it drops the
ESC altogether and delivers the bare key: ``? Esc /pak`` left the help screen open and
typed ``/pak`` into it. The patch names such a key ``alt+<key>`` too (``alt+slash``).
The other ways Textual lost such an Esc are closed the same way: ESC then a key of its
own table (``b`` is ctrl+left, ``1`` is ``¡``) is ``alt+b``; ESC then Enter or a ctrl key
is Esc then that key; a sequence cut short by another ESC or by its 33rd character ends as
the escape delay would end it (Textual turned its ESC into ``^``); an ESC inside a
bracketed paste is dropped, not the start of keys (see ``_feed``).

:func:`apply` puts both in. It is the only code that assigns to Textual's classes;
:data:`TEXTUAL` names the Textual code it was written against, and
tests/tui/test_textual_patches.py fails, naming it, when the pinned Textual changes.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._compositor import Compositor, CompositorMap
from textual._xterm_parser import (
    _MAX_SEQUENCE_SEARCH_THRESHOLD,
    BRACKETED_PASTE_END,
    BRACKETED_PASTE_START,
    XTermParser,
)
from textual.drivers import web_driver
from textual.message import Message

TEXTUAL = (
    "textual._compositor:Compositor.full_map",  # the property replaced (and called)
    "textual._compositor:Compositor.reflow",  # compares against _full_map: the diff the rebuild must keep
    "textual._compositor:Compositor.reflow_visible",  # the fast path that leaves _full_map stale
    "textual._compositor:Compositor.find_widget",  # the lookup that rebuilds it
    "textual._xterm_parser:XTermParser._sequence_to_key_events",  # wrapped: alt on keys with a name
    "textual._xterm_parser:XTermParser.parse",  # an unknown ESC sequence reissued with alt=True
    "textual._xterm_parser:XTermParser.feed",  # wrapped: an ESC ends the sequence before it; pastes keep theirs
    "textual._xterm_parser:_MAX_SEQUENCE_SEARCH_THRESHOLD",  # past it, a sequence's ESC became ``^``
    "textual._parser:Parser.feed",  # _awaiting.timeout is set while an ESC sequence is being read
    "textual._parser:Parser.tick",  # throws ParseTimeout: the escape delay run out, ESC reissued as alt
    "textual.drivers.linux_driver:LinuxDriver.run_input_thread",  # decodes with getincrementaldecoder
    "textual.drivers.web_driver:WebDriver.run_input_thread",  # (the module's name, replaced)
)
"""``module:Qualified.name`` of each Textual definition the patch relies on."""

TEXTUAL_FULL_MAP: property = Compositor.__dict__["full_map"]
"""Textual's own property (the tests put it back to show the bug)."""


def _full_map(self: Compositor) -> CompositorMap:
    """Textual's lazily rebuilt full map, marking dirty what changed since the widgets were last placed."""
    rebuild = TEXTUAL_FULL_MAP.fget
    assert rebuild is not None
    if self.root is None or not self._full_map_invalidated:
        return rebuild(self)
    # What the screen shows: the fast path's visible map, or the full map it left stale.
    placed = self._visible_map if self._visible_map is not None else self._full_map
    rebuilt: CompositorMap = rebuild(self)
    if self.size.region not in self._dirty_regions:  # (the whole screen is repainted anyway)
        self._dirty_regions.update(
            region
            for _, geometry in placed.items() ^ rebuilt.items()
            if (region := geometry.clip.intersection(geometry.region))
        )
    return rebuilt


TEXTUAL_SEQUENCE_TO_KEYS = XTermParser._sequence_to_key_events
"""Textual's own parser step (the tests call it to show the dropped Esc)."""


_OWN_AFTER_ESC = frozenset(
    sequence[1]
    for sequence in ANSI_SEQUENCES_KEYS
    if len(sequence) == 2 and sequence[0] == "\x1b" and sequence[1].isprintable()
)
"""ESC then one of these (``b``, ``f``, the digits, ``-``, ``=``, ``§``) is a key of its own in Textual's table
(ctrl+left, ``¡``…), read as soon as both arrive: Esc then ``b`` (page up) or ``1`` (people) typed in a
burst did neither."""


def _sequence_to_key_events(self: XTermParser, sequence: str, alt: bool = False) -> Iterator[events.Key]:
    """Textual's keys for ``sequence``; after an ESC, a printable key with a name (``slash``) is ``alt+`` it too.

    ESC before a key with no printable character (Enter, a ctrl key) is Esc then that key: Textual
    dropped the ESC (``Esc Enter`` from the search box submitted it instead of opening the article).
    """
    if len(sequence) == 2 and sequence[0] == "\x1b" and sequence[1] in _OWN_AFTER_ESC:
        sequence, alt = sequence[1], True
    for key in TEXTUAL_SEQUENCE_TO_KEYS(self, sequence, alt):
        character = key.character
        if alt and not key.key.startswith("alt+") and character and len(character) == 1:
            if character.isprintable():
                key = events.Key(f"alt+{key.key}", character)
            else:
                yield events.Key("escape", "\x1b")
        yield key


TEXTUAL_FEED = XTermParser.feed
"""Textual's own ``feed`` (the tests call it to show the ``^`` and the paste turned into keys)."""

_PASTE_START, _PASTE_END = BRACKETED_PASTE_START, BRACKETED_PASTE_END


@dataclass(slots=True)
class _Reading:
    """What newsdesk's ``feed`` knows of the parser's state, from the characters it has fed it."""

    paste: bool = False
    held: str = ""
    """In a paste: an ESC and what followed it while they may still be the paste's end marker."""
    sequence: str = ""
    """The escape sequence being read, as far as it has been fed (ESC first)."""


def _feed(self: XTermParser, data: str) -> Iterable[Message]:
    """Textual's ``feed``, but an ESC typed in a burst is never turned into ``^`` and a paste stays a paste.

    Textual reissues an unknown sequence that another ESC (or its 33rd character) cuts short
    with its ESC as ``^``: ``Esc /launch Esc`` from the search box typed ``^/launch`` into it.
    Here the sequence is first ended as the escape delay would have ended it (ESC then a key:
    ``alt+<key>``, which key_order splits into Esc and the key). An ESC inside a bracketed
    paste started such a sequence too, and the rest of the paste came as keys (``hello<ESC>q``
    pasted in the list quit): it is dropped, and what follows it stays pasted text.
    """
    if not data:
        yield from TEXTUAL_FEED(self, data)
        return
    reading: _Reading = self.__dict__.setdefault("_newsdesk_reading", _Reading())
    rest = data
    while rest:
        if reading.paste:
            cut = rest.find("\x1b") if not reading.held else 0
            if cut != 0:  # text up to the next ESC: pasted as it is
                text = rest if cut < 0 else rest[:cut]
                yield from TEXTUAL_FEED(self, text)
                rest = rest[len(text) :]
                continue
            reading.held, rest = reading.held + rest[0], rest[1:]
            if reading.held == _PASTE_END:
                yield from TEXTUAL_FEED(self, reading.held)
                reading.held, reading.paste = "", False
            elif not _PASTE_END.startswith(reading.held):
                rest, reading.held = reading.held[1:] + rest, ""  # the ESC was in the text: dropped
            continue
        if self._awaiting.timeout is None:  # not inside an escape sequence
            cut = rest.find("\x1b")
            if cut != 0:  # keys up to the next ESC
                text = rest if cut < 0 else rest[:cut]
                yield from TEXTUAL_FEED(self, text)
                rest = rest[len(text) :]
                continue
            yield from TEXTUAL_FEED(self, "\x1b")
            reading.sequence, rest = "\x1b", rest[1:]
            continue
        if rest[0] == "\x1b" or len(reading.sequence) >= _MAX_SEQUENCE_SEARCH_THRESHOLD:
            self._timeout_time = 0.0  # the escape delay is over: the sequence read so far is keys
            yield from self.tick()
            continue
        # The sequence goes on: up to the next ESC, its longest, or the end of a paste start (the
        # parser is in the paste just after it: the text behind must come through the branch above).
        cut = rest.find("\x1b")
        size = min(len(rest) if cut < 0 else cut, _MAX_SEQUENCE_SEARCH_THRESHOLD - len(reading.sequence))
        if _PASTE_START.startswith(reading.sequence):
            size = min(size, len(_PASTE_START) - len(reading.sequence))
        text, rest = rest[:size], rest[size:]
        yield from TEXTUAL_FEED(self, text)
        reading.sequence += text
        if self._awaiting.timeout is None:  # the sequence was read (or it and the keys after it)
            reading.paste = reading.sequence == _PASTE_START


def _replacing_decoder(encoding: str) -> Callable[[], codecs.IncrementalDecoder]:
    """The terminal drivers' decoder: a byte that is not UTF-8 (``é`` from a Latin-1 terminal, an
    8-bit Meta key) is U+FFFD. Textual decodes strictly, and the error ended its input thread and
    newsdesk with it (a traceback, exit code 0, what was being typed lost)."""
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def apply() -> None:
    """Put newsdesk's replacements into Textual. Calling it again changes nothing."""
    Compositor.full_map = property(_full_map)  # type: ignore[method-assign, assignment]
    XTermParser._sequence_to_key_events = _sequence_to_key_events  # type: ignore[method-assign]
    XTermParser.feed = _feed  # type: ignore[method-assign]
    web_driver.getincrementaldecoder = _replacing_decoder  # type: ignore[assignment]
    with contextlib.suppress(ImportError):  # termios: not on Windows
        from textual.drivers import linux_driver

        linux_driver.getincrementaldecoder = _replacing_decoder  # type: ignore[assignment]
