"""The centre pane: the reader with the open article, and everything about opening and marking it up.

It owns the article loads (a thread worker each, numbered so a slow old load
never replaces a newer one), which entity types are highlighted (the reader's
``entity_types_shown``, the one copy), the colours from the config, and the
annotation editor. Lookups that end in a dialog (an entity's mentions across
the corpus, similar articles) run here too; the article picked in them goes up
as :class:`~newsdesk.tui.messages.OpenArticle`, since opening needs the current
query. What the side panel asks about the open article (an entity's mentions,
an annotation picked in the Notes tab) arrives at :meth:`ArticleView.answer`;
the match position and the entity types shown go to the status line as
:class:`~newsdesk.tui.messages.StatusNews`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.index import (
    Article,
    EntityContext,
    EntityMention,
    Library,
    NewsdeskError,
    QueryMatcher,
    SimilarArticle,
)
from newsdesk.tui.dialogs.mentions import MentionsDialog
from newsdesk.tui.dialogs.similar import SimilarDialog
from newsdesk.tui.messages import (
    AnnotationsShown,
    NotesNotComing,
    OpenArticle,
    PanelRequest,
    StatusNews,
    forward_worker_failure,
)
from newsdesk.tui.widgets.annotation_editor import AnnotationEditor
from newsdesk.tui.widgets.notes_list import NotesList
from newsdesk.tui.widgets.reader import ENTITY_TYPES, ReaderView
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from newsdesk.tui.widgets.side_panel import EntityList
from rich.color import ColorParseError
from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.message import Message
from textual.worker import Worker, get_current_worker


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


@dataclass
class ArticleLoaded(Message):
    seq: int
    article: Article
    hits: list[tuple[int, int]]
    mentions: list[EntityMention]
    scroll: int | None
    mark: tuple[int, int] | None = None


@dataclass
class ArticleFailed(Message):
    seq: int
    error: str


@dataclass
class MentionsLoaded(Message):
    canonical: str
    type: str
    contexts: list[EntityContext] | None
    error: str | None = None


@dataclass
class SimilarLoaded(Message):
    """Articles like the open one (or why they could not be found)."""

    title: str
    found: list[SimilarArticle]
    error: str | None = None


class ArticleView(Container):
    """The reader and its annotation editor; opens articles and toggles entity highlights."""

    @dataclass
    class Opened(Message):
        """``article`` is in the reader now, with its entity ``mentions``."""

        article: Article
        mentions: list[EntityMention]

    def __init__(
        self,
        library: Library,
        *,
        reader_width: int,
        entity_colors: dict[str, str],
        tag_colors: dict[str, str],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.library = library
        self._reader_width = reader_width
        self._colors = entity_colors, tag_colors
        self._seq = 0
        self._focus_on_load = True
        self._first_hit = True
        self._keys_released: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield SelectableReader(max_width=self._reader_width)
        yield AnnotationEditor(self.library)

    @property
    def reader(self) -> SelectableReader:
        return self.query_one(SelectableReader)

    @property
    def editor(self) -> AnnotationEditor:
        return self.query_one(AnnotationEditor)

    def on_mount(self) -> None:
        reader, (entity_colors, tag_colors) = self.reader, self._colors
        reader.entity_colors, problems = parse_colors(entity_colors, "entity_colors")
        reader.tag_styles, tag_problems = parse_colors(tag_colors, "tag_colors", background=True)
        reader.annotate_now = self.editor.annotate
        for problem in problems + tag_problems:
            self.notify(problem, severity="warning")

    # -- opening ----------------------------------------------------------------------
    def open(self, request: OpenArticle, matcher: QueryMatcher) -> None:
        """Load the article ``request`` names (in a worker) with ``matcher``'s matches, scrolled and focused as it asks.

        ``request.first_hit``: scroll to the first match (else to ``scroll``, or to ``mark``); None: as
        the open before this one did (an article picked in a dialog opens the way the last one did).
        """
        self._seq += 1
        self._focus_on_load = request.focus
        self._release_keys()
        key_order = getattr(self.app, "key_order", None)  # (the reader's app; a test's bare app has none)
        if request.focus and key_order is not None:
            # The keys typed behind the key that opened it are the reader's: they wait until it is shown.
            self._keys_released = key_order.hold_until()
        if request.first_hit is not None:
            self._first_hit = request.first_hit
        self._load_article(request.article_id, matcher, self._seq, request.scroll, request.mark)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _load_article(
        self, article_id: str, matcher: QueryMatcher, seq: int, scroll: int | None, mark: tuple[int, int] | None
    ) -> None:
        """Read an article, its entity mentions and the query's matches in it."""
        try:
            article = self.library.article(article_id)
            mentions = self.library.entities(article.id)
        except NewsdeskError as exc:
            self.post_message(ArticleFailed(seq, str(exc)))
            return
        hits = matcher.spans(article.text)  # what the list counted for this article
        if not get_current_worker().is_cancelled:
            self.post_message(ArticleLoaded(seq, article, hits, mentions, scroll, mark))

    @on(ArticleLoaded)
    def _article_loaded(self, message: ArticleLoaded) -> None:
        if message.seq != self._seq:
            return
        reader = self.reader
        reader.show_article(
            message.article, message.hits, message.mentions, scroll=message.scroll, first_hit=self._first_hit
        )
        if message.mark is not None:
            reader.call_after_refresh(reader.goto_span, *message.mark)
        self.post_message(self.Opened(message.article, message.mentions))
        self.editor.load(message.article)
        if self._focus_on_load:
            reader.focus()
        self._release_keys()

    def _release_keys(self) -> None:
        """Let the keys waiting for the article go on (to the reader, focused once it is shown)."""
        release, self._keys_released = self._keys_released, None
        if release is not None:
            release()

    @on(ArticleFailed)
    def _article_failed(self, message: ArticleFailed) -> None:
        if message.seq == self._seq:
            self.reader.clear(message.error)
            self.post_message(NotesNotComing())
            self._release_keys()

    @on(ReaderView.HitMoved)
    def _hit_moved(self, message: ReaderView.HitMoved) -> None:
        # Passed on as news of this view's own: Textual stops a message at the parent that was
        # handling a message when it was created, and the reader posts HitMoved from show_article,
        # called in _article_loaded above, so the reader's own would never reach the screen.
        message.stop()
        self.post_message(StatusNews(hit=(message.current, message.count)))

    # -- annotations --------------------------------------------------------------------
    @on(AnnotationsShown)
    def _annotations_shown(self, message: AnnotationsShown) -> None:
        reader = self.reader
        reader.set_annotations(message.found.placed)
        if message.goto is not None:
            reader.goto_annotation(message.goto)

    @on(AnnotationEditor.Saved)
    def _annotation_saved(self) -> None:  # a delete or undo (a dialog ends it when answered: editor.ask)
        self.reader.set_selection(None)

    def answer(self, request: PanelRequest) -> None:
        """Do what the side panel asked about the open article: go to an entity's next mention, list
        its mentions in the corpus, go to, edit or delete an annotation, undo a delete."""
        match request:
            case EntityList.Jump():
                self.reader.next_mention(request.canonical, request.type)
            case EntityList.InCorpus():
                self.show_mentions(request.canonical, request.type)
            case NotesList.Picked():
                self.editor.picked(request, self.reader)
            case NotesList.UndoRequested():
                self.editor.undo(request.change)

    # -- entities -----------------------------------------------------------------------
    def toggle_entities(self) -> None:
        """Highlight no entity type if any is, else all of them."""
        self._show_entity_types(set() if self.reader.entity_types_shown else set(ENTITY_TYPES))

    def toggle_entity_type(self, entity_type: str) -> None:
        """Highlight ``entity_type`` (PERSON, ORG, PLACE) or stop highlighting it."""
        self._show_entity_types(self.reader.entity_types_shown ^ {entity_type})

    def _show_entity_types(self, types: set[str]) -> None:
        self.reader.show_entity_types(types)
        self.post_message(StatusNews(entity_types=frozenset(types)))

    @work(thread=True, exclusive=True, group="mentions", exit_on_error=False)
    def show_mentions(self, canonical: str, entity_type: str) -> None:
        """Every mention of an entity across the corpus (keyword in context), in a dialog."""
        try:
            contexts = self.library.entity_mentions(canonical, entity_type)
        except NewsdeskError as exc:
            self.post_message(MentionsLoaded(canonical, entity_type, None, str(exc)))
            return
        self.post_message(MentionsLoaded(canonical, entity_type, contexts))

    @on(MentionsLoaded)
    def _mentions_loaded(self, message: MentionsLoaded) -> None:
        if message.contexts is None:
            self.notify(f"Cannot list mentions: {message.error}", severity="error")
            return

        def picked(choice: tuple[str, int, int] | None) -> None:
            if choice is not None:
                article_id, start, end = choice
                self.post_message(OpenArticle(article_id, mark=(start, end), first_hit=False))

        self.app.push_screen(MentionsDialog(message.canonical, message.type, message.contexts), picked)

    # -- similar articles ------------------------------------------------------------------
    def show_similar(self) -> None:
        """Articles like the open one, in a dialog."""
        article = self.reader.article
        if article is None:
            self.notify("Open an article first: m lists the articles like it.", timeout=3)
            return
        self._find_similar(article.id, article.title)

    @work(thread=True, exclusive=True, group="similar", exit_on_error=False)
    def _find_similar(self, article_id: str, title: str) -> None:
        """Articles like ``article_id``: reprints first.

        ``m`` pressed again while this runs cancels it (exclusive): only the last answer
        shows, so ``m m m`` in a burst opens one dialog, not three stacked.
        """
        error: str | None = None
        try:
            found = self.library.similar(article_id, limit=30)
        except NewsdeskError as exc:
            found, error = [], str(exc)
        if not get_current_worker().is_cancelled:
            self.post_message(SimilarLoaded(title, found, error))

    @on(SimilarLoaded)
    def _similar_loaded(self, message: SimilarLoaded) -> None:
        if message.error:
            self.notify(message.error, severity="error", markup=False)
            return
        if isinstance(self.app.screen, SimilarDialog):
            return

        def picked(article_id: str | None) -> None:
            if article_id is not None:
                self.post_message(OpenArticle(article_id))

        self.app.push_screen(SimilarDialog(message.title, message.found), picked)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if forward_worker_failure(self, event) and event.worker.group == "open":
            self.post_message(NotesNotComing())  # the article will not show, nor its notes
