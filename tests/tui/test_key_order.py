"""Keys typed in one burst go where focus is going (newsdesk.tui.key_order), driven with Pilot.

Each test queues all its keys at the app before any is handled, as a slow SSH link
delivers them: ``app.post_message`` with no pause in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.dialogs.annotate import AnnotateDialog
from textual import events
from textual.widgets import Input, Static, TextArea

from tests.tui.conftest import settle

_NAMES = {" ": "space", ",": "comma", "/": "slash", ".": "full_stop", "\t": "tab"}


def burst(app: NewsdeskApp, *keys: str | tuple[str, str | None]) -> None:
    """Queue every key at once: a string is typed character by character, a tuple is one named key."""
    for item in keys:
        pairs: Iterable[tuple[str, str | None]] = (
            [item] if isinstance(item, tuple) else ((_NAMES.get(c, c), c) for c in item)
        )
        for name, character in pairs:
            app.post_message(events.Key(name, character))


async def wait_until(pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.02)


async def _open_first_article(app: NewsdeskApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert app.main.reader.article is not None


async def test_a_note_and_ctrl_s_in_one_burst_after_a_are_saved_whole(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        reader = demo_app.main.reader
        burst(demo_app, "vsaHello there, quick note", ("ctrl+s", None))
        await wait_until(pilot, lambda: bool(demo_app.library.annotations_of(reader.article.id).placed))
        await settle(pilot)
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        assert placed.annotation.note == "Hello there, quick note"
        assert demo_app.screen is demo_app.main  # saved and closed; no second dialog from the `t` of "there"
        assert demo_app.return_code is None  # the `q` of "quick" did not quit


async def test_tags_and_enter_in_one_burst_after_t_are_saved(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        reader = demo_app.main.reader
        burst(demo_app, "vst", "evidence, lead", ("enter", "\r"))
        await wait_until(pilot, lambda: bool(demo_app.library.annotations_of(reader.article.id).placed))
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        assert placed.annotation.tags == ("evidence", "lead")


async def test_two_escapes_in_the_burst_cancel_the_dialog_and_the_next_keys_are_reader_keys(
    demo_app: NewsdeskApp,
) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        reader = demo_app.main.reader
        burst(demo_app, "vsaab", ("escape", "\x1b"), ("escape", "\x1b"), "v")
        await settle(pilot)
        assert demo_app.screen is demo_app.main
        assert reader.selection is None  # `v` toggled the selection off, in the reader
        assert demo_app.library.annotations_of(reader.article.id).placed == []


async def test_one_escape_in_the_burst_keeps_the_typed_note_and_the_next_keys_type_on(
    demo_app: NewsdeskApp,
) -> None:
    """An Esc among the keys of a note (meant for the reader, or a slip) threw the note away unseen."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        burst(demo_app, "vsaab", ("escape", "\x1b"), "v")
        await settle(pilot)
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)
        assert dialog.query_one(TextArea).text == "abv"
        # (the `v` typed after the Esc is not what it asked about: the next Esc asks again, as the line says)
        assert "Not saved: esc asks" in str(dialog.query_one("#annotate-error", Static).render())


async def test_keys_after_slash_land_in_the_search_box(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        burst(demo_app, "/launch pad")
        await settle(pilot)
        assert demo_app.main.search_box.value == "launch pad"


async def test_keys_after_shift_tab_land_in_the_search_box(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert demo_app.focused is demo_app.main.article_list
        burst(demo_app, ("shift+tab", None), "pad")  # list -> search box
        await settle(pilot)
        assert demo_app.main.search_box.value == "pad"


async def test_keys_after_tab_leave_the_search_box(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        burst(demo_app, "ab", ("tab", "\t"), "j")  # box -> list; `j` moves the list's cursor
        await settle(pilot)
        assert demo_app.main.search_box.value == "ab"
        assert demo_app.focused is demo_app.main.article_list


async def test_backspace_in_a_burst_deletes_in_order(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        burst(demo_app, "/abc", ("backspace", None), "d")
        await settle(pilot)
        assert demo_app.main.search_box.value == "abd"


async def test_escape_then_q_in_one_burst_quits(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        burst(demo_app, "/pad", ("escape", "\x1b"), "q")
        await wait_until(pilot, lambda: demo_app.return_code is not None)
        assert demo_app.main.search_box.value == "pad"
        assert demo_app.return_code == 0


async def test_escape_and_q_read_as_alt_q_quit(demo_app: NewsdeskApp) -> None:
    # A terminal sends Esc q in one burst as the two bytes of Alt+q; Textual names it alt+q.
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        burst(demo_app, "/pad", ("alt+q", "q"))
        await wait_until(pilot, lambda: demo_app.return_code is not None)
        assert demo_app.main.search_box.value == "pad"


async def test_a_burst_typed_while_the_dialog_opens_goes_to_the_focused_box(demo_app: NewsdeskApp) -> None:
    # `t` then `tab` then note text: the tab moves from the tags box to the note, in order.
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        burst(demo_app, "vst", "lead", ("tab", "\t"), "why")
        await settle(pilot)
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)
        assert dialog.query_one(Input).value == "lead"
        assert dialog.query_one(TextArea).text == "why"


async def test_a_paste_right_after_a_lands_in_the_note_in_order(demo_app: NewsdeskApp) -> None:
    # A paste (bracketed paste) arriving in the same burst as `a` waits for the dialog like a key.
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        reader = demo_app.main.reader
        burst(demo_app, "vsa", "x")
        demo_app.post_message(events.Paste("pasted\nline two"))
        burst(demo_app, "y", ("ctrl+s", None))
        await wait_until(pilot, lambda: bool(demo_app.library.annotations_of(reader.article.id).placed))
        await settle(pilot)
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        assert placed.annotation.note == "xpasted\nline twoy"


async def test_alt_punctuation_in_a_note_types_it_and_keeps_the_note(demo_app: NewsdeskApp) -> None:
    """Alt+. (ESC . from the terminal) while a note is typed: the ``.`` is typed, as Textual did.

    Red team of the Esc patch: read as Esc then ``.``, the Esc cancelled the dialog and the note
    typed so far was thrown away. Decided when the key's turn comes, not when it arrives: the
    dialog that the ``a`` ahead of it in the burst opens has the focus by then."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        reader = demo_app.main.reader
        burst(demo_app, "vsaHello", ("alt+full_stop", "."), " there", ("ctrl+s", None))
        await wait_until(pilot, lambda: bool(demo_app.library.annotations_of(reader.article.id).placed))
        await settle(pilot)
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        assert placed.annotation.note == "Hello. there"
        assert demo_app.screen is demo_app.main


async def test_alt_comma_in_a_note_s_tags_types_it_and_keeps_the_dialog(demo_app: NewsdeskApp) -> None:
    """The same in the tags box of the note dialog (an Input): Alt+, is a comma between two tags."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        reader = demo_app.main.reader
        burst(demo_app, "vstone", ("alt+comma", ","), "two", ("enter", "\r"))
        await wait_until(pilot, lambda: bool(demo_app.library.annotations_of(reader.article.id).placed))
        await settle(pilot)
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        assert placed.annotation.tags == ("one", "two")
