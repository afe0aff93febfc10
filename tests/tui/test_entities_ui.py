"""The reader's entity features: highlight toggles, the Entities tab, corpus-wide mentions."""

from __future__ import annotations

import re

from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.dialogs.mentions import MentionsDialog
from newsdesk.tui.widgets.side_panel import EntityList
from textual.widgets import TabbedContent

from tests.tui.conftest import settle


def reader_shows(reader, offset: int) -> bool:  # type: ignore[no-untyped-def]
    """True when the line holding text ``offset`` is on screen (the reader scrolled to it)."""
    line = reader.line_of_offset(offset)
    return reader.scroll_y <= line < reader.scroll_y + reader.scrollable_content_region.height


async def open_putin_article(app: NewsdeskApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("slash", *'person:"Vladimir Putin"', "enter", "enter")
    await settle(pilot)


async def test_entities_are_highlighted_and_toggled_per_type(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await open_putin_article(demo_app, pilot)
        reader = demo_app.main.reader
        assert reader.article is not None
        assert reader.highlighted_entities > 0
        assert len(set(reader.entity_styles.values())) == 3  # one style per type
        await pilot.press("1")
        assert "PERSON" not in reader.entity_types_shown
        shown = reader.highlighted_entities
        await pilot.press("e")
        assert reader.entity_types_shown == set()
        assert reader.highlighted_entities == 0
        assert "entities off" in str(demo_app.main.query_one("#status").render())
        await pilot.press("e")
        assert reader.highlighted_entities > shown
        await pilot.press("2", "3")
        assert reader.entity_types_shown == {"PERSON"}


async def test_entities_tab_groups_by_type_and_enter_jumps(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await open_putin_article(demo_app, pilot)
        main = demo_app.main
        entity_list = main.query_one(EntityList)
        assert main.query_one(TabbedContent).active == "tab-entities"
        prompts = [str(entity_list.get_option_at_index(i).prompt) for i in range(entity_list.option_count)]
        assert prompts[0].startswith("PEOPLE")
        assert any("Vladimir Putin" in p for p in prompts)
        assert any(p.startswith("PLACES") for p in prompts)
        index = next(i for i, p in enumerate(prompts) if "Vladimir Putin" in p)
        entity_list.focus()
        entity_list.highlighted = index
        text = main.reader.article.text
        await pilot.press("enter")
        first = main.reader.marked
        assert first is not None and text[first[0] : first[1]].endswith("Putin")
        assert reader_shows(main.reader, first[0])
        # An entity mentioned more than once (entries are indented under their type's heading):
        # each Enter marks its next mention, wrapping to the first after the last.
        counts = {i: re.fullmatch(r"  (.+?)\s+(\d+)", p) for i, p in enumerate(prompts)}
        index = next(i for i, found in counts.items() if found and int(found.group(2)) >= 2)
        entity_list.focus()
        entity_list.highlighted = index
        await pilot.press("enter")
        first = main.reader.marked
        await pilot.press("enter")
        second = main.reader.marked
        assert first is not None and second is not None and second != first
        assert text[first[0] : first[1]].strip() and text[second[0] : second[1]].strip()
        assert reader_shows(main.reader, second[0])


async def test_in_corpus_lists_mentions_and_opens_one(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await open_putin_article(demo_app, pilot)
        main = demo_app.main
        entity_list = main.query_one(EntityList)
        prompts = [str(entity_list.get_option_at_index(i).prompt) for i in range(entity_list.option_count)]
        entity_list.focus()
        entity_list.highlighted = next(i for i, p in enumerate(prompts) if "Vladimir Putin" in p)
        await pilot.press("c")
        await settle(pilot)
        dialog = demo_app.screen
        assert isinstance(dialog, MentionsDialog)
        assert len(dialog.contexts) >= 5
        target = dialog.contexts[2]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert not isinstance(demo_app.screen, MentionsDialog)
        assert main.reader.article.id == target.article_id
        assert main.reader.marked == (target.start, target.end)
        assert reader_shows(main.reader, target.start)
