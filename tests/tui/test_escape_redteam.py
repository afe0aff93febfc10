"""RED TEAM (rt-esc, against c9a98bc): Esc typed in a burst that the Esc-before-punctuation patch does not keep.

Each test fails on c9a98bc. They feed Textual's parser (with newsdesk's patch applied) the
bytes a terminal sends when the keys are typed in one burst, and compare with what the same
keys give when the escape delay runs out between them: a burst must mean what the keys typed
one by one mean. tests/tui/test_escape_redteam_tmux.py shows each in the real app.
"""

from __future__ import annotations

import itertools

from hypothesis import example, given
from hypothesis import strategies as st
from newsdesk.tui import textual_patches
from textual import events
from textual._xterm_parser import XTermParser


def typed(*reads: str) -> list[tuple[str, str | None] | str]:
    """The events Textual's parser makes of ``reads`` (each one read from the terminal), then the end."""
    textual_patches.apply()
    parser = XTermParser(debug=False)
    found = [event for data in reads for event in parser.feed(data)]
    found += parser.feed("")  # "": the end, as the escape delay running out
    return [
        (event.key, event.character)
        if isinstance(event, events.Key)
        else f"paste:{event.text}"
        if isinstance(event, events.Paste)
        else type(event).__name__
        for event in found
    ]


def test_an_escape_later_in_the_burst_keeps_the_first_one() -> None:
    """``Esc /launch Esc`` from the search box typed ``^/launch`` into it (the box read "pad^/launch").

    Textual reissues an unknown sequence cut short by a new ESC with its ESC as ``^``.
    """
    assert typed("\x1b/launch\x1bq") == typed("\x1b/launch") + typed("\x1bq")
    assert typed("?\x1b/pak\x1b") == typed("?\x1b/pak") + typed("\x1b")  # the help stayed open


def test_an_escape_then_more_than_31_characters_keeps_the_escape() -> None:
    """A sequence over 32 characters is reissued with its ESC as ``^`` too (a long burst after Esc)."""
    assert typed("\x1b" + "j" * 40) == typed("\x1bj") + [("j", "j")] * 39


def test_escape_then_enter_keeps_the_escape() -> None:
    """``/launch pad Esc Enter``: the Esc was dropped and Enter submitted the box; no article opened."""
    assert typed("\x1b\r") == [("escape", "\x1b"), ("enter", "\r")]


def test_escape_then_b_digit_dash_equals_is_escape_then_the_key() -> None:
    """Textual's table reads ESC b as ctrl+left, ESC 1 as ``¡``: ``Esc 1`` from the box typed ``¡`` into it.

    newsdesk binds b (page up), 1/2/3 (entity types); a burst ``Esc b`` in the reader did neither.
    """
    for character in "bf0123456789-=":
        ((name, got),) = typed("\x1b" + character)
        assert name.startswith("alt+") and got == character, (character, name, got)


def test_a_paste_holding_an_escape_stays_one_paste() -> None:
    """Pasting ``hello<ESC>q`` with the list focused quit newsdesk: the text after the ESC came as keys."""
    keys = typed("\x1b[200~hello\x1bq\x1b[201~")
    assert [key for key in keys if not isinstance(key, str)] == []
    assert len(keys) == 1 and "\x1b" not in keys[0]


def _characters(keys: list[tuple[str, str | None] | str]) -> str:
    """What was typed, as key_order delivers it: ``alt+<key>`` is Esc then the key (no alt binding here)."""
    out = []
    for key in keys:
        assert isinstance(key, tuple), key
        name, character = key
        assert character is not None, name  # ctrl+left and the like: the typed character is gone
        out.append("\x1b" + character if name.startswith("alt+") and name != "alt+escape" else character)
    return "".join(out)


_TYPED = st.text(
    st.sampled_from("\x1b\r ") | st.characters(codec="utf-8").filter(lambda c: c not in "[O\t\x7f\x1b"),
    min_size=1,
    max_size=50,
)
"""Keys typed in a burst: Esc, Enter, space, any character (``[`` and ``O`` after ESC start real
sequences, Tab and Backspace after ESC are Alt+Tab / Alt+Backspace in Textual's table)."""


@given(_TYPED)
@example("\x1b§")  # Textual's table: § alone (tests/tui/test_textual_patches.py's property test misses it)
@example("\x1b/launch\x1bq")
@example("\x1b" + "j" * 40)
@example("\x1b\r")
def test_a_burst_delivers_every_character_typed_in_order(burst: str) -> None:
    """Whatever follows an Esc in a burst, and however long the burst, nothing is lost or added."""
    assert _characters(typed(burst)) == burst


@given(st.text(st.characters(codec="utf-8"), max_size=80).filter(lambda t: "\x1b[201~" not in t))
def test_a_bracketed_paste_is_one_paste_without_escapes(text: str) -> None:
    assert typed(f"\x1b[200~{text}\x1b[201~") == [f"paste:{text.replace(chr(27), '').replace(chr(0), '')}"]


def _split(data: str, cuts: list[int]) -> list[str]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a] or [data]


@given(_TYPED, st.text(max_size=60), st.lists(st.integers(0, 200), max_size=8))
def test_where_the_reads_split_the_terminal_s_bytes_changes_nothing(burst: str, text: str, cuts: list[int]) -> None:
    """The same bytes in one read or in several (with no escape delay between) are the same events."""
    data = f"{burst}\x1b[200~{text.replace(chr(27), '')}\x1b[201~{burst}"
    assert typed(*_split(data, cuts)) == typed(data)


def test_the_terminal_driver_decodes_bytes_that_are_not_utf8() -> None:
    """RED TEAM: Textual's Linux driver raised UnicodeDecodeError in its input thread (newsdesk exited)."""
    from textual.drivers import linux_driver

    textual_patches.apply()
    assert linux_driver.getincrementaldecoder("utf-8")().decode(b"caf\xe9 ") == "caf\ufffd "
