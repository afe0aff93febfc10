"""The main screen's entity features: highlight toggles, the Entities tab, corpus-wide mentions."""

from __future__ import annotations

from typing import ClassVar

from newsdesk.tui.dialogs.mentions import MentionsDialog
from newsdesk.tui.screens.jobs import LibraryJobs, MentionsLoaded
from newsdesk.tui.widgets.reader import ENTITY_TYPES, ReaderView
from newsdesk.tui.widgets.side_panel import EntityList
from rich.color import ColorParseError
from rich.style import Style
from textual import on
from textual.binding import Binding, BindingType

TYPE_NAMES = {"PERSON": "people", "ORG": "organisations", "PLACE": "places"}


def parse_colors(
    colors: dict[str, str], setting: str, *, background: bool = False
) -> tuple[dict[str, Style], list[str]]:
    """Config colours (``ui.<setting>``) as text or background styles, and a message for each that does not parse."""
    styles, problems = {}, []
    for name, color in colors.items():
        if not color:
            continue
        try:
            styles[name] = Style(bgcolor=color) if background else Style(color=color)
        except ColorParseError:
            problems.append(f"ui.{setting}.{name}: not a colour: {color!r}")
    return styles, problems


class EntityActions(LibraryJobs):
    """Entity bindings and handlers, mixed into the main screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "toggle_entities", "Entities", id="entities.toggle"),
        Binding("1", "toggle_entity_type('PERSON')", "People", show=False, id="entities.person"),
        Binding("2", "toggle_entity_type('ORG')", "Organisations", show=False, id="entities.org"),
        Binding("3", "toggle_entity_type('PLACE')", "Places", show=False, id="entities.place"),
    ]

    entity_types_shown: set[str]

    def setup_entities(self, reader: ReaderView, colors: dict[str, str]) -> None:
        """Apply the configured entity colours; warn about bad ones."""
        self.entity_types_shown = set(ENTITY_TYPES)
        reader.entity_colors, problems = parse_colors(colors, "entity_colors")
        for problem in problems:
            self.notify(problem, severity="warning")

    def entity_note(self) -> str:
        """For the status line: which entity types are highlighted, when not all are."""
        shown = self.entity_types_shown
        if shown == set(ENTITY_TYPES):
            return ""
        if not shown:
            return "entities off (e)"
        return "entities: " + ", ".join(TYPE_NAMES[t] for t in ENTITY_TYPES if t in shown)

    def _apply_entity_types(self) -> None:
        self.query_one(ReaderView).show_entity_types(self.entity_types_shown)
        self.entities_changed()

    def entities_changed(self) -> None:
        """Hook: the status line shows the toggles."""

    def action_toggle_entities(self) -> None:
        self.entity_types_shown = set() if self.entity_types_shown else set(ENTITY_TYPES)
        self._apply_entity_types()

    def action_toggle_entity_type(self, entity_type: str) -> None:
        self.entity_types_shown ^= {entity_type}
        self._apply_entity_types()

    @on(EntityList.Jump)
    def _jump(self, message: EntityList.Jump) -> None:
        self.query_one(ReaderView).next_mention(message.canonical, message.type)

    @on(EntityList.InCorpus)
    def _in_corpus(self, message: EntityList.InCorpus) -> None:
        self.load_mentions(message.canonical, message.type)

    @on(MentionsLoaded)
    def _mentions_loaded(self, message: MentionsLoaded) -> None:
        if message.contexts is None:
            self.notify(f"Cannot list mentions: {message.error}", severity="error")
            return

        def picked(choice: tuple[str, int, int] | None) -> None:
            if choice is not None:
                self.open_mention(*choice)

        self.app.push_screen(MentionsDialog(message.canonical, message.type, message.contexts), picked)

    def open_mention(self, article_id: str, start: int, end: int) -> None:
        """Open an article at one entity mention (implemented by the main screen)."""
        raise NotImplementedError
