"""The side panel: the open article's entities and annotations, the current search's facets, in tabs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import EntityMention, FacetValue, SavedSearches
from newsdesk.index import invisible_in_tags as is_invisible
from newsdesk.tui.messages import (
    AnnotationsShown,
    FacetsShown,
    Narrow,
    NotesNotComing,
    OpenNotComing,
    PanelNews,
    PanelRequest,
    ResultsStale,
    TimelineShown,
)
from newsdesk.tui.widgets.layout import clean_line
from newsdesk.tui.widgets.notes_list import NotesList
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

FACET_FIELDS = {
    "source": "source",
    "date": "date",
    "tags": "tag",
    "author": "author",
    "language": "language",
    "person": "person",
    "org": "org",
    "place": "place",
}
"""Facet name -> the query field that filters on it."""
FACET_LABELS = {"tags": "tag", "org": "organisation"}
ENTITY_LABELS = {"PERSON": "PEOPLE", "ORG": "ORGANISATIONS", "PLACE": "PLACES"}


_KEYWORD_FIELDS = frozenset({"tag", "person", "org", "place"})
"""Query fields whose every value is one index word (keyword fields): matched whole, punctuation included."""
_QUOTED_VALUE_END = re.compile(r"'(?=\s|\]|[)}])")
"""A ' the query parser would take for the end of a single-quoted value."""


def facet_clause(facet: str, value: str, exclude: bool = False) -> str:
    """The query text that keeps (or with ``exclude`` drops) articles whose ``facet`` is ``value``."""
    field = FACET_FIELDS.get(facet, facet)
    # Without controls and invisible characters: the search box draws what it holds raw, and an index
    # built before annotation tags went in cleaned holds a tag an older version saved as it was (red team).
    value = "".join(c for c in value if not is_invisible(c)).strip()
    if '"' in value and field in _KEYWORD_FIELDS and "\n" not in value and not _QUOTED_VALUE_END.search(value):
        # A phrase cannot hold a ": a single-quoted value can, and a keyword field's value is one word of
        # the index (red team: `tag:"say what"` for the tag say"what found nothing, `tag:""` was refused).
        clause = f"{field}:'{value}'"
    else:
        clause = f'{field}:"{value.replace(chr(34), " ").strip()}"'
    return f"NOT {clause}" if exclude else clause


class FacetList(OptionList):
    """Facet values grouped under their facet; Enter filters, ``x`` excludes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="facets.down"),
        Binding("k", "cursor_up", "Up", show=False, id="facets.up"),
        Binding("enter", "select", "Filter", id="facets.filter"),
        Binding("x", "exclude", "Exclude", id="facets.exclude"),
    ]

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
        if self.has_class("-stale"):
            # Dimmed: an older query's values and counts, kept on screen while the new query's are
            # counted. Added to the new query, one would filter it by a value it may never have.
            self.notify("The facets are still being counted for the new query.", timeout=2)
            return
        facet, value = option_id.split("\x00", 1)
        self.post_message(Narrow(facet_clause(facet, value, exclude)))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._chosen(event.option.id, exclude=False)

    def action_exclude(self) -> None:
        if self.highlighted is not None:
            self._chosen(self.get_option_at_index(self.highlighted).id, exclude=True)


class EntityList(OptionList):
    """The open article's entities by type with mention counts; Enter jumps, ``c`` lists the corpus' mentions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="entities.down"),
        Binding("k", "cursor_up", "Up", show=False, id="entities.up"),
        Binding("enter", "select", "Next mention", id="entities.next_mention"),
        Binding("c", "corpus", "In corpus", id="entities.in_corpus"),
    ]

    @dataclass
    class Jump(PanelRequest):
        """Go to the next mention of ``canonical`` in the open article."""

        canonical: str
        type: str

    @dataclass
    class InCorpus(PanelRequest):
        """List every article that mentions ``canonical``."""

        canonical: str
        type: str

    def show_entities(self, mentions: list[EntityMention]) -> None:
        """List the entities of the open article."""
        counts: dict[tuple[str, str], int] = {}
        for mention in mentions:
            key = (mention.type, mention.canonical)
            counts[key] = counts.get(key, 0) + 1
        self.clear_options()
        options: list[Option | None] = []
        for entity_type, label in ENTITY_LABELS.items():
            found = sorted(((c, n) for (t, c), n in counts.items() if t == entity_type), key=lambda x: (-x[1], x[0]))
            if not found:
                continue
            options.append(Option(Text(f"{label}  {len(found)}", style="bold"), disabled=True))
            for canonical, count in found:
                text = Text(f"  {clean_line(canonical)}")
                text.append(f"  {count}", style="dim")
                options.append(Option(text, id=f"{entity_type}\x00{canonical}"))
        if not options:
            options.append(Option(Text("No entities in this article.", style="dim"), disabled=True))
        self.add_options(options)

    def _current(self) -> tuple[str, str] | None:
        if self.highlighted is None:
            return None
        option_id = self.get_option_at_index(self.highlighted).id
        if not option_id or "\x00" not in option_id:
            return None
        entity_type, canonical = option_id.split("\x00", 1)
        return entity_type, canonical

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        current = self._current()
        if current:
            self.post_message(self.Jump(current[1], current[0]))

    def action_corpus(self) -> None:
        current = self._current()
        if current:
            self.post_message(self.InCorpus(current[1], current[0]))


class SidePanel(Vertical):
    """Tabs beside the reader: the open article's entities and annotations, the current search's facets."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h,left", "switch_tab(-1)", "Prev tab", show=False, id="panel.prev_tab"),
        Binding("l,right", "switch_tab(1)", "Next tab", show=False, id="panel.next_tab"),
    ]
    TABS = ("tab-entities", "tab-facets", "tab-annotations", "tab-saved")

    def active_list(self) -> OptionList:
        """The list in the tab that is showing."""
        active = self.query_one(TabbedContent).active
        kinds: dict[str, type[OptionList]] = {
            "tab-facets": FacetList,
            "tab-annotations": NotesList,
            "tab-saved": SavedList,
        }
        return self.query_one(kinds.get(active, EntityList))

    def action_switch_tab(self, direction: int) -> None:
        tabs = self.query_one(TabbedContent)
        index = self.TABS.index(tabs.active) if tabs.active in self.TABS else 0
        tabs.active = self.TABS[(index + direction) % len(self.TABS)]
        self.active_list().focus()

    def __init__(self, saved: SavedSearches, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._saved = saved

    def compose(self) -> ComposeResult:
        with TabbedContent(id="side-tabs"):
            with TabPane("Entities", id="tab-entities"):
                yield EntityList(id="entities")
                yield Static(Text("⏎ next mention · c in corpus"), classes="panel-hint")
            with TabPane("Facets", id="tab-facets"):
                yield TimelineChart(id="timeline")
                yield FacetList(id="facets")
                yield Static(Text("⏎ filter · x exclude"), classes="panel-hint")
            with TabPane("Notes", id="tab-annotations"):
                yield NotesList(id="annotations")
                yield Static(Text("⏎ go to · e edit · d delete · u undo · A all"), classes="panel-hint")
            with TabPane("Saved", id="tab-saved"):
                yield SavedList(self._saved, id="saved")
                yield Static(Text("⏎ run · d remove · ctrl+s save query"), classes="panel-hint")

    def expect_notes(self, article_id: str | None, serial: int | None = None, pick: str | None = None) -> None:
        """An article is being opened: the Notes tab's keys typed from now on wait for its notes (and,
        ``pick``, the note picked in the All annotations view is highlighted before they run)."""
        self.query_one(NotesList).expect_notes(article_id, serial, pick)

    def show_entities(self, mentions: list[EntityMention]) -> None:
        """Show the open article's entities."""
        self.query_one(EntityList).show_entities(mentions)

    def show(self, news: PanelNews) -> None:
        """Show the other panes' news in the list it is for."""
        match news:
            case FacetsShown():
                self.query_one(FacetList).show_facets(news.facets)
            case ResultsStale():  # the facets and the chart are counted together: both hold the older answer
                self.query_one(FacetList).set_class(news.stale, "-stale")
                self.query_one(TimelineChart).set_class(news.stale, "-stale")
            case TimelineShown():
                self.query_one(TimelineChart).show_timeline(news.timeline, pending=news.pending)
            case AnnotationsShown():
                self.query_one(NotesList).show_annotations(news.found, news.answered, news.article_id)
            case NotesNotComing():
                self.query_one(NotesList).notes_not_coming(news.article_id)
            case OpenNotComing():
                self.query_one(NotesList).open_not_coming()
