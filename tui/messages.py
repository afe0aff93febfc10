"""The messages one pane sends for another; the main screen hands each to the widget concerned.

Messages a widget only sends to itself or to its own parent stay inside that
widget's class. These cross the screen: the sender does not know who shows the
news, and the receiver does not know who sent it, so neither imports the other.

Every widget with workers also forwards a failed worker as :class:`WorkerFailed`:
Textual posts ``Worker.StateChanged`` to the widget that started the worker and
does not bubble it, and the app shows them all in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from newsdesk.index import ArticleAnnotations, FacetValue, Timeline
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState


@dataclass
class WorkerFailed(Message):
    """A worker of ``group`` ended with an exception (shown, never a crash)."""

    group: str
    error: str


def forward_worker_failure(node: MessagePump, event: Worker.StateChanged) -> bool:
    """Post :class:`WorkerFailed` from ``node`` when ``event`` says a worker failed; True if it did."""
    if event.state != WorkerState.ERROR:
        return False
    node.post_message(WorkerFailed(event.worker.group, str(event.worker.error)))
    return True


# -- for the status line (StatusBar.show) -----------------------------------------------------
@dataclass
class StatusNews(Message):
    """Parts of the status line changed; a field left None is unchanged. Whoever knows a part sends it."""

    article_count: int | None = None
    index_note: str | None = None
    """What the line says about the index; empty when it is up to date."""
    indexing: bool | None = None
    hit: tuple[int | None, int] | None = None
    """The reader's current query match (None before the first ``n``) and how many there are."""
    entity_types: frozenset[str] | None = None
    """The entity types highlighted in the reader."""
    saved_new: int | None = None
    """New articles waiting across the saved searches."""


# -- for the side panel (SidePanel.show) --------------------------------------------------------
class PanelNews(Message):
    """What the side panel shows of the other panes' state: the screen passes every kind to ``SidePanel.show``."""


@dataclass
class FacetsShown(PanelNews):
    """The facets of the answer in the list (empty while browsing or counting)."""

    facets: dict[str, list[FacetValue]]


@dataclass
class ResultsStale(PanelNews):
    """The list (and so the facets) shows an older query's answer while a newer one runs, or not."""

    stale: bool


@dataclass
class TimelineShown(PanelNews):
    """The current query's timeline: ``pending`` while it is counted, None when it has no hits."""

    timeline: Timeline | None
    pending: bool = False


@dataclass
class AnnotationsShown(PanelNews):
    """The open article's annotations as loaded; ``goto``: the reader moves to this one."""

    found: ArticleAnnotations
    goto: str | None = None
    answered: int = 0
    """The Notes list's delete or undo whose result this is (0: none)."""
    article_id: str | None = None
    """The article these are of: the Notes list holds keys typed after ``]`` until it shows this one's."""


@dataclass
class OpenNotComing(PanelNews):
    """An open that waited for its page of the list will not happen (the page failed to load, or a
    new answer replaced the list first): the keys the Notes list holds for the next article's notes
    are dropped now, said, not after its 10 s wait."""


@dataclass
class NotesNotComing(PanelNews):
    """The article being opened failed to open, or its annotations could not be read: the keys the
    Notes list holds for its notes will find none (``article_id`` None: whichever was being opened)."""

    article_id: str | None = None


# -- from the side panel (ArticleView.answer) -----------------------------------------------------
class PanelRequest(Message):
    """The side panel asks something about the open article (``EntityList.Jump``, ``NotesList.Picked``…):
    the screen passes every kind to ``ArticleView.answer``."""


# -- for the results pane and the reader --------------------------------------------------------
@dataclass
class Narrow(Message):
    """Add ``clause`` to the query and run it (``group``: the query so far in parentheses)."""

    clause: str
    group: bool = False
    then_list: bool = False
    """Focus the list afterwards (the timeline's Enter: the list is what the user wants next)."""


@dataclass
class OpenArticle(Message):
    """Open ``article_id`` in the reader, with the shown query's matches."""

    article_id: str
    scroll: int | None = None
    """Lines to scroll down to (an article reopened as the last run left it)."""
    focus: bool = True
    """Focus the reader once it is loaded."""
    mark: tuple[int, int] | None = None
    """A passage to show (an entity mention picked in a dialog) instead of the first match."""
    first_hit: bool | None = None
    """Scroll to the first match; None: as the open before this one did."""
    serial: int = field(init=False, default=0, compare=False)
    """Its place among the requests made, in the order they were made (the Notes tab's wait, after
    ``]``, knows a request made before it from the one it waits for)."""
    made: ClassVar[int] = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        OpenArticle.made += 1
        self.serial = OpenArticle.made
