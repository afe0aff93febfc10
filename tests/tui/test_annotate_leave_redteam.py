"""Red team of the annotation dialog's Esc (asks before it discards): the other ways out of the
dialog, and what counts as typed, must not lose a note on one key either."""

from __future__ import annotations

from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.dialogs.annotate import AnnotateDialog
from textual.widgets import Static, TextArea

from tests.tui.conftest import settle
from tests.tui.test_key_order import _open_first_article, burst


def _error_line(app: NewsdeskApp) -> str:
    return str(app.screen.query_one("#annotate-error", Static).render())


async def test_ctrl_q_with_a_note_typed_asks_and_a_second_ctrl_q_quits(demo_app: NewsdeskApp) -> None:
    """Textual's own ctrl+q (quit, ahead of every other key) left the dialog and the app at once:
    the note typed was neither saved nor kept, with no word, though Esc there now asks first."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        article_id = demo_app.main.reader.article.id
        burst(demo_app, "vsaa long note, half typed")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert demo_app.return_code is None
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)
        assert dialog.query_one(TextArea).text == "a long note, half typed"
        assert "ctrl+q again quits" in _error_line(demo_app)
        await pilot.press("ctrl+q")  # asked, with the note in view: as meant
        await settle(pilot)
        assert demo_app.return_code == 0
    assert demo_app.library.annotations_of(article_id).placed == []


async def test_ctrl_q_with_nothing_typed_in_the_dialog_quits_at_once(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        burst(demo_app, "vsa")
        await settle(pilot)
        assert isinstance(demo_app.screen, AnnotateDialog)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert demo_app.return_code == 0
