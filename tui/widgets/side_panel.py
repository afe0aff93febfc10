"""The side panel: facets of the current search (and, when available, entities), in tabs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from index import FacetValue
from tui.widgets.layout import clean_line

FACET_FIELDS = {
    "source": "source", "date": "date", "tags": "tag", "author": "author",
    "language": "language", "person": "person", "org": "org", "place": "place",
}
"""Facet name -> the query field that filters on it."""
FACET_LABELS = {"tags": "tag", "org": "organisation"}


def facet_clause(facet: str, value: str, exclude: bool = False) -> str:
    """The query text that keeps (or with ``exclude`` drops) articles whose ``facet`` is ``value``."""
    field = FACET_FIELDS.get(facet, facet)
    value = value.replace('"', " ").strip()
    clause = f'{field}:"{value}"'
    return f"NOT {clause}" if exclude else clause


class FacetList(OptionList):
    """Facet values grouped under their facet; Enter filters, ``x`` excludes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="facets.down"),
        Binding("k", "cursor_up", "Up", show=False, id="facets.up"),
        Binding("enter", "select", "Filter", id="facets.filter"),
        Binding("x", "exclude", "Exclude", id="facets.exclude"),
    ]

    @dataclass
    class Chosen(Message):
        """The user picked a facet value to filter on (or, with ``exclude``, to leave out)."""

        facet: str
        value: str
        exclude: bool

    def show_facets(self, facets: dict[str, list[FacetValue]]) -> None:
        """Replace the listed facets."""
        highlighted = self.highlighted
        self.clear_options()
        options: list[Option | None] = []
        for name, values in facets.items():
            if not values:
                continue
            label = FACET_LABELS.get(name, name).upper()
            options.append(Option(Text(label, style="bold"), disabled=True))
            for value in values:
                text = Text(f"  {clean_line(value.value)}")
                text.append(f"  {value.count:,}", style="dim")
                options.append(Option(text, id=f"{name}\x00{value.value}"))
        if not options:
            options.append(Option(Text("No facets: search for something first.", style="dim"), disabled=True))
        self.add_options(options)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def _chosen(self, option_id: str | None, exclude: bool) -> None:
        if not option_id or "\x00" not in option_id:
            return
        facet, value = option_id.split("\x00", 1)
        self.post_message(self.Chosen(facet, value, exclude))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._chosen(event.option.id, exclude=False)

    def action_exclude(self) -> None:
        if self.highlighted is not None:
            self._chosen(self.get_option_at_index(self.highlighted).id, exclude=True)


class SidePanel(Vertical):
    """Tabs beside the reader."""

    def compose(self) -> ComposeResult:
        with TabbedContent(id="side-tabs"), TabPane("Facets", id="tab-facets"):
            yield FacetList(id="facets")
            yield Static(Text("enter: filter · x: exclude"), classes="panel-hint")

    def show_facets(self, facets: dict[str, list[FacetValue]]) -> None:
        """Show the facets of the current search."""
        self.query_one(FacetList).show_facets(facets)
