"""The result list shows a reprint group once with "+N copies"; r lists the copies under it and hides them."""

from __future__ import annotations

from pathlib import Path

from newsdesk.tui.app import NewsdeskApp

from tests.tui.conftest import settle, toasts
from tests.tui.test_story_ui import corpus_app  # noqa: F401 (a fixture)


def add_reprints(app: NewsdeskApp, corpus: Path, copies: int) -> str:
    """Reprints of the first demo article under new headlines (one with markup in it); returns the original's path."""
    original = sorted((corpus / "txt").iterdir())[0]
    lines = original.read_text(encoding="utf-8").splitlines()
    for n in range(copies):
        headline = f"[bold]Wire copy {n}[/bold] \x1b[31m"
        text = headline + "\n" + "\n".join(lines[1:]) + f"\n\nCopyright {n} Example Wire. All rights reserved.\n"
        (corpus / "txt" / f"zz-reprint-{n}.txt").write_text(text, encoding="utf-8")
    app.library.update()
    return str(original.relative_to(corpus))


async def test_a_group_is_shown_once_and_r_expands_and_collapses_it(corpus_app: tuple[NewsdeskApp, Path]) -> None:  # noqa: F811
    app, corpus = corpus_app
    original = add_reprints(app, corpus, 2)
    first_words = " ".join(app.library.article(original).text.split()[:3])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *f'"{first_words}"', "enter")
        await settle(pilot)
        listing = app.main.article_list
        assert app.focused is listing
        assert listing.total == 1  # three articles, one story
        head = listing.row(0)
        assert head is not None and len(head.copies) == 2
        assert "+2 copies" in "".join(listing.item_text(0, 100))
        await pilot.press("r")
        await settle(pilot)
        assert listing.total == 3
        shown = [listing.row(i) for i in range(3)]
        assert [row.copy for row in shown] == [False, True, True]
        assert {row.id for row in shown[1:]} == set(head.copies)
        # Titles are text, never markup: the brackets are shown as typed, the escape never reaches the terminal.
        copy_line = "".join(listing.item_text(1, 100))
        assert "↳ [bold]Wire copy" in copy_line and "\x1b" not in copy_line
        await pilot.press("j", "enter")  # a copy opens like any hit
        await settle(pilot)
        assert app.main.reader.article.id == shown[1].id
        app.set_focus(listing)
        await pilot.press("r")  # on a copy: hides the group's copies, the cursor back on the hit
        await settle(pilot)
        assert listing.total == 1 and listing.cursor == 0
        await pilot.press("r", "r")  # open and close again in one burst
        await settle(pilot)
        assert listing.total == 1


async def test_r_on_a_hit_without_copies_says_so(corpus_app: tuple[NewsdeskApp, Path]) -> None:  # noqa: F811
    app, _ = corpus_app
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ceasefire", "enter")
        await settle(pilot)
        total = app.main.article_list.total
        await pilot.press("r")
        await settle(pilot)
        assert app.main.article_list.total == total
        assert any("No copies" in toast for toast in toasts(app))


async def test_help_and_palette_list_the_copies_key(corpus_app: tuple[NewsdeskApp, Path]) -> None:  # noqa: F811
    app, _ = corpus_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ids = {b.id for _, bindings in app.key_sections() for b, _ in bindings}
        assert "list.copies" in ids
        titles = [command.title for command in app.get_system_commands(app.main)]
        assert any(t.startswith("Show/hide copies") for t in titles)
