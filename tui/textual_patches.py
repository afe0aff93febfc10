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

:func:`apply` puts both in. It is the only code that assigns to Textual's classes;
:data:`TEXTUAL` names the Textual code it was written against, and
tests/tui/test_textual_patches.py fails, naming it, when the pinned Textual changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual import events
from textual._compositor import Compositor, CompositorMap
from textual._xterm_parser import XTermParser

TEXTUAL = (
    "textual._compositor:Compositor.full_map",  # the property replaced (and called)
    "textual._compositor:Compositor.reflow",  # compares against _full_map: the diff the rebuild must keep
    "textual._compositor:Compositor.reflow_visible",  # the fast path that leaves _full_map stale
    "textual._compositor:Compositor.find_widget",  # the lookup that rebuilds it
    "textual._xterm_parser:XTermParser._sequence_to_key_events",  # wrapped: alt on keys with a name
    "textual._xterm_parser:XTermParser.parse",  # an unknown ESC sequence reissued with alt=True
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


def _sequence_to_key_events(self: XTermParser, sequence: str, alt: bool = False) -> Iterator[events.Key]:
    """Textual's keys for ``sequence``; after an ESC, a printable key with a name (``slash``) is ``alt+`` it too."""
    for key in TEXTUAL_SEQUENCE_TO_KEYS(self, sequence, alt):
        character = key.character
        if alt and not key.key.startswith("alt+") and character and len(character) == 1 and character.isprintable():
            key = events.Key(f"alt+{key.key}", character)
        yield key


def apply() -> None:
    """Put newsdesk's replacements into Textual. Calling it again changes nothing."""
    Compositor.full_map = property(_full_map)  # type: ignore[method-assign, assignment]
    XTermParser._sequence_to_key_events = _sequence_to_key_events  # type: ignore[method-assign]
