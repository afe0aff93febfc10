"""The left pane: the search box, the query's error, the list's status line and the article list.

It owns everything about searching: the query last run, the as-you-type
state, the search worker and the sequence numbers that drop a stale answer.
A search runs in stages (hits first, then the exact total and facets) in an
exclusive thread worker: a newer search cancels it, and the core stops at
the next stage once its worker is cancelled; a result whose number is not the
latest is dropped, so a slow old search never overwrites a newer one. What
the side panel shows of the answer (facets, timeline) goes up as messages.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.index import (
    FacetValue,
    IndexDamagedError,
    Library,
    NewsdeskError,
    QueryError,
    QueryMatcher,
    SearchCancelled,
    SearchResults,
    Timeline,
    as_you_type,
)
from newsdesk.tui.messages import FacetsShown, Narrow, OpenArticle, ResultsStale, TimelineShown, forward_worker_failure
from newsdesk.tui.part import Part
from newsdesk.tui.state import CorpusState
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.list_rows import Row, copies_to_rows, hits_to_rows
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.search_messages import CountingFailed, FacetsDone, SearchDone, SearchFailed
from newsdesk.tui.widgets.search_status import SearchStatus
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

HITS_PAGE = 30
"""Hits fetched per page: each needs a snippet, so the first page is kept small."""
FACETS_AFTER_SECONDS = 0.1
"""The exact total and facets are counted only once typing pauses this long: counting holds the searcher."""
HITS_DRAWN_WAIT_SECONDS = 0.5
"""Counting waits for the hits' frame at most this long (a hidden list may draw none)."""


class ResultsPane(Vertical):
    """Searches as the user types and lists the answer (or every article while the box is blank)."""

    @dataclass
    class Counted(Message):
        """The list shows every article, ``total`` of them."""

        total: int

    class IndexDamaged(Message):
        """A search found the index damaged (the store is intact): it is to be rebuilt from the store."""

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.search_seq = 0
        """The newest search started; answers of older ones are dropped."""
        self.shown_search_seq = 0
        """The search whose results (or error) the list shows now."""
        self.complete_search_seq = 0
        """The search whose exact total (and facets) are shown."""
        self.matcher = QueryMatcher()
        """The shown answer's query, to find its matches in an opened article."""
        self.facets_wanted = True
        """The side panel is shown: count facets even when the total is exact already."""
        self.indexing = False
        """An update is running (the empty list says "indexing…", not "0 articles")."""
        self.open_index: int | None = None
        """Where the article open in the reader is in the list ([ and ] move from there)."""
        self._query: str | None = None
        """The query text last run (after the as-you-type rewrite); None while browsing."""
        self._typing = False
        self._facets_shown = False
        self._facets_stale = False
        self._query_error = ""
        self._drawn_seq = 0
        """The newest search whose hits are on screen: its counting may start (read by the worker thread)."""
        self._shown: SearchResults | None = None  # that search's first answer
        self._reopen: CorpusState | None = None
        """The last run's article, reopened once the restored query's first answer is shown."""
        self._last_search: tuple[str, bool] | None = None
        """The text and ``typing`` of the newest search started."""
        self._submitted: str | None = None
        """The text Enter ran as written: a Query for it still queued (typed just before Enter) is not run
        again as a prefix."""

    def compose(self) -> ComposeResult:
        yield SearchBox(placeholder="Search  ( / )", id="search")
        yield Static(id="query-error")
        yield SearchStatus(id="list-status")
        yield ArticleList(id="list")

    search_box = Part(SearchBox)
    article_list = Part(ArticleList)
    search_status = Part(SearchStatus)

    def on_mount(self) -> None:
        self.search_box.submit_now = self._submit

    # -- browsing and searching -------------------------------------------------------
    def restore(self, state: CorpusState) -> OpenArticle | None:
        """Show what the last run showed: its query's answer (or every article), then its article again.

        With a query, the article is asked for (:class:`OpenArticle`) once the query's answer is in,
        for its matches; without one, the request is returned, to be handled at once: a message
        would open it a moment later, when the reader's width can change under its scrolling.
        """
        self._reopen = state if state.article else None
        if state.query:
            self.search_box.set_query(state.query)  # its Query message runs the search
            return None
        self.show_browse()
        return self._reopening()

    def _reopening(self) -> OpenArticle | None:
        state, self._reopen = self._reopen, None
        if state is None or not state.article:
            return None
        return OpenArticle(state.article, scroll=state.scroll, focus=False, first_hit=False)

    def _answered(self) -> None:
        """The current query's first answer (or its error) is shown."""
        if (request := self._reopening()) is not None:
            self.post_message(request)

    def show_browse(self, cursor: int = 0) -> None:
        """List every article, newest first, fetched page by page."""
        library = self.library

        def fetch(offset: int, limit: int) -> list[Row]:
            return [Row(s.id, s.title, s.source, s.date) for s in library.list_articles(offset, limit)]

        total = library.count()
        self.post_message(self.Counted(total))
        self.matcher = QueryMatcher()
        self.article_list.show(total, fetch, cursor=cursor)
        self.open_index = None
        self._query = None
        self._show_stale(False)
        self.search_status.browsing(total, self.indexing)
        self._show_facets({})
        self.article_list.answered(shown=True)

    def refresh_results(self) -> None:
        """Show the current query's results (or the article list) again, keeping the cursor."""
        text = self.search_box.value
        if text.strip():
            self.search(text, typing=self._typing)
            return
        # The cursor stays on its article, not on its row number: an article another session added
        # (newer ones list first) moved every row down, and Enter opened the article above (red team).
        cursor = self.article_list.cursor
        if self._query is None and (row := self.article_list.row(cursor)) is not None:
            with contextlib.suppress(NewsdeskError, sqlite3.Error):
                position = self.library.article_position(row.id)
                if position is not None:
                    cursor = position
        self.show_browse(cursor=cursor)

    def narrow(self, request: Narrow) -> None:
        """Add the request's clause to the query (the query so far in parentheses if it asks) and run it."""
        current = self.search_box.value.strip()
        clause = request.clause
        if current:
            clause = f"({current}) {clause}" if request.group else f"{current} {clause}"
        self.search_box.set_query(clause)
        if request.then_list:  # the timeline's Enter: the list is what the user wants next
            self.article_list.focus()

    def search(self, text: str, typing: bool = False) -> None:
        """Run ``text`` (or list everything when it is blank); newer calls supersede older ones.

        While ``typing``, the last word counts as a prefix (``pak`` finds ``pake``).
        Until the new answer arrives the list is dimmed and the status line says so.
        """
        self.search_seq += 1
        self._typing = typing
        self._last_search = (text, typing)
        if not text.strip():
            self.workers.cancel_group(self, "search")
            self._set_query_error(None)
            self.show_browse()
            self.shown_search_seq = self.complete_search_seq = self.search_seq
            return
        query = as_you_type(text) if typing else text
        # The same query again (the index changed): the cursor's article past the first page is looked
        # for in the new answer's pages near it, or the cursor could only go back to the top (red team).
        keep = self.article_list.hit_at_cursor() if query == self._query else None
        if keep is not None and keep[1] < HITS_PAGE:
            keep = None  # on the first page, which the answer holds anyway
        self._show_stale(True)
        self.article_list.awaiting_answer = True
        self.search_status.searching()
        self.run_search(query, self.search_seq, HITS_PAGE, fallback=text, keep=keep)

    def open_neighbour(self, delta: int, focus: bool = True) -> bool:
        """Open the article ``delta`` items from the open one (or from the cursor); past the ends, say so.

        ``focus``: the reader takes the focus once the article is shown. False: there is none to open.
        """
        article_list = self.article_list
        # An open asked for and not yet on its way to the reader (its page of the list is read first,
        # or its request is queued): "] ]" opened the same article twice (red team).
        start = article_list.requested if article_list.requested is not None else self.open_index
        if start is None and article_list.open_id is not None:
            # The list was refreshed (a note saved or deleted re-indexes the corpus) and forgot where
            # the open article is: ] and [ went from the cursor, and [ opened the open article again.
            start = article_list.index_of(article_list.open_id)
        if start is None:
            start = article_list.cursor - delta
        if not article_list.open(start + delta, focus):
            self.notify("No more articles in the list.", timeout=2)
            return False
        return True

    def show_open(self, article_id: str) -> None:
        """Mark ``article_id`` as the article open in the reader."""
        self.article_list.open_id = article_id
        self.article_list.refresh()

    def _show_facets(self, facets: dict[str, list[FacetValue]]) -> None:
        self._facets_shown = bool(facets)
        self.post_message(FacetsShown(facets))
        if self._facets_stale:
            self._facets_stale = False
            self.post_message(ResultsStale(False))

    def _show_stale(self, stale: bool, *, facets: bool | None = None) -> None:
        """Dim the list (and the facets, unless ``facets`` says otherwise) while they hold an older answer.

        Only changes are sent on: each one restyles the list or the side panel, and a burst of
        keys would otherwise restyle them once a key.
        """
        self.article_list.set_stale(stale)
        facets = stale if facets is None else facets
        if facets != self._facets_stale:
            self._facets_stale = facets
            self.post_message(ResultsStale(facets))

    def _set_query_error(self, error: str | None) -> None:
        box = self.query_one("#query-error", Static)
        if (error or "") == self._query_error:
            return  # a Static's update lays the whole screen out again: not once a search for nothing
        self._query_error = error or ""
        box.update(Text(self._query_error))
        box.set_class(bool(error), "shown")

    @on(SearchBox.Query)
    def _query_changed(self, message: SearchBox.Query) -> None:
        if message.text == self._submitted and message.typing:
            return  # typed just before Enter, which ran it as written already
        self._submitted = None
        self.search(message.text, typing=message.typing)

    def _submit(self, text: str) -> None:
        """Enter in the search box, while the key is handled (so the keys behind it find its effects):
        the query means what it says, without the as-you-type prefix, and the results take the focus."""
        if text.strip():
            self._submitted = text
            last_text, last_typing = self._last_search or ("", False)
            # Its last characters' searches may still be queued: the text is run now, as written.
            if last_text != text or (last_typing and as_you_type(text) != text):
                self.search(text, typing=False)
            self._typing = False
        self.screen.set_focus(self.article_list)  # at once: keys after Enter in a burst go to the list

    @on(Input.Changed, "#search")
    def _box_changed(self, event: Input.Changed) -> None:
        if not event.value.strip():
            self.post_message(TimelineShown(None))

    @on(SearchBox.ToResults)
    def _to_results(self) -> None:
        self.screen.set_focus(self.article_list)

    @on(ArticleList.Selected)
    def _selected(self, message: ArticleList.Selected) -> None:
        self.open_index = message.index  # the screen opens it
        if self.article_list.requested == message.index:
            self.article_list.requested = None

    # -- the search worker and its answers --------------------------------------------------
    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(
        self, query: str, seq: int, limit: int, fallback: str | None = None, keep: tuple[str, int] | None = None
    ) -> None:
        """Search in stages: post the hits, then (after a pause in typing) the exact total and facets.

        ``fallback`` is the query as typed, run instead if the as-you-type
        rewrite ``query`` is refused (e.g. a prefix matching too many words).
        ``keep``: (article id, index) of the hit under the cursor in the list shown, for the same query:
        the pages of the answer around that index are read too, to find where that article is now.
        """
        worker = get_current_worker()
        try:
            try:
                self._search_stages(query, seq, limit, lambda: worker.is_cancelled, keep)
            except QueryError:
                if fallback is None or fallback == query:
                    raise
                self._search_stages(fallback, seq, limit, lambda: worker.is_cancelled)
        except SearchCancelled:
            return
        except IndexDamagedError as exc:
            self.post_message(SearchFailed(seq, str(exc), damaged=True))
        except NewsdeskError as exc:
            if not worker.is_cancelled:
                self.post_message(SearchFailed(seq, str(exc)))

    def _search_stages(
        self, query: str, seq: int, limit: int, cancelled: Callable[[], bool], keep: tuple[str, int] | None = None
    ) -> None:
        # The pause in typing is counted from the last key (this search's start), not from the hits:
        # hits that took longer than the pause need no further wait before the counting.
        deadline = time.monotonic() + FACETS_AFTER_SECONDS
        stages = self.library.search_in_stages(query, limit=limit, cancelled=cancelled)
        first = next(stages)
        counting = self.facets_wanted or not first.total_exact or not first.total
        pages = self._pages_near(query, first, keep, cancelled) if keep is not None else {}
        if cancelled():
            return
        self.post_message(SearchDone(seq, first, final=not counting, pages=pages))
        if not counting:
            return
        # Counting competes with drawing the hits for the interpreter: it starts once they are on screen.
        give_up = time.monotonic() + HITS_DRAWN_WAIT_SECONDS
        while time.monotonic() < deadline or (self._drawn_seq < seq and time.monotonic() < give_up):
            if cancelled():
                return
            time.sleep(0.005)
        try:
            complete = next(stages)
        except QueryError as exc:  # out of time counting: not the rewrite refused, whose hits are shown
            raise CountingFailed(str(exc)) from None
        if not cancelled():
            self.post_message(FacetsDone(seq, complete))

    def _pages_near(
        self, query: str, first: SearchResults, keep: tuple[str, int], cancelled: Callable[[], bool]
    ) -> dict[int, list[Row]]:
        """The answer's pages around ``keep``'s index, until one holds its article (read in the worker)."""
        article_id, index = keep
        if any(hit.id == article_id for hit in first.hits):
            return {}
        near = index // HITS_PAGE
        pages: dict[int, list[Row]] = {}
        for page in (near, near - 1, near + 1):
            if page < 1 or cancelled():
                continue
            try:
                rows = hits_to_rows(self.library.search(query, limit=HITS_PAGE, page=page + 1, facets=False).hits)
            except NewsdeskError:
                break  # the list reads its pages itself, and says when one cannot be read
            pages[page] = rows
            if any(row.id == article_id for row in rows):
                break
        return pages

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
        message.stop()
        if message.seq != self.search_seq:
            return
        results = message.results
        self.post_message(TimelineShown(None, pending=True) if results.total else TimelineShown(Timeline("day")))
        self.shown_search_seq = message.seq
        if message.final:
            self.complete_search_seq = message.seq
        self._set_query_error(None)
        # The older query's facets stay, dimmed, until this one's are counted: clearing them and then
        # filling the panel again rebuilt it twice a search. With no counting stage they go now.
        self._show_stale(False, facets=not message.final and self._facets_shown)
        # The same query again (the index changed): stay on the article the cursor was on.
        kept = self.article_list.row(self.article_list.cursor) if results.query == self._query else None
        self._query = results.query
        self._shown = results
        self.matcher = results.matcher
        library, text = self.library, results.query

        def fetch(offset: int, limit: int) -> list[Row]:
            page = library.search(text, limit=HITS_PAGE, page=offset // HITS_PAGE + 1, facets=False)
            return hits_to_rows(page.hits)

        # A reprint group is one item ("+N copies"; r lists them): the list counts stories.
        shown = results.total if results.stories is None else results.stories
        self.article_list.show(
            shown,
            fetch,
            hits_to_rows(results.hits),
            hits=True,
            page_size=HITS_PAGE,
            fetch_copies=lambda ids: copies_to_rows(library, ids),
            pages=message.pages,
        )
        if kept is not None and (index := self.article_list.index_of(kept.id)) is not None:
            self.article_list.move_cursor(index)
        opened = self.article_list.open_id
        self.open_index = self.article_list.index_of(opened) if opened else None
        if self._facets_shown and message.final:  # the older query's facets; this one has none to count
            self._show_facets({})
        self._show_hits(results, counting=not message.final)
        self.article_list.answered(shown=True)  # after the cursor is placed: an Enter meanwhile opens its row
        self._answered()
        self.call_after_refresh(self._hits_drawn, message.seq)

    def _hits_drawn(self, seq: int) -> None:
        self._drawn_seq = max(self._drawn_seq, seq)

    @on(FacetsDone)
    def _facets_done(self, message: FacetsDone) -> None:
        message.stop()
        if message.seq != self.search_seq:
            return
        self.post_message(TimelineShown(message.results.timeline))
        if message.seq != self.shown_search_seq:
            return
        results = message.results
        self.complete_search_seq = message.seq
        self.article_list.set_total(results.total if results.stories is None else results.stories)
        self._show_facets(results.facets)
        self._show_hits(results, counting=False)

    def _show_hits(self, results: SearchResults, *, counting: bool) -> None:
        self.search_status.hits(
            results.query,
            results.total,
            results.total_exact,
            counting=counting,
            typed=self.search_box.value,
            suggestion=results.suggestion,
            stories=results.stories,
        )

    @on(SearchFailed)
    def _search_failed(self, message: SearchFailed) -> None:
        message.stop()
        if message.damaged:
            self.post_message(self.IndexDamaged())
        if message.seq == self.search_seq:
            hits_shown = message.seq == self.shown_search_seq
            self.shown_search_seq = self.complete_search_seq = message.seq
            self._set_query_error(message.error)
            if hits_shown and self._shown is not None:  # only the counting failed: the hits are this query's
                self.post_message(TimelineShown(None))
                self._show_hits(self._shown, counting=False)
                return
            self.search_status.failed()
            self.article_list.answered(shown=False)  # the list keeps the older answer: nothing to open
            self._answered()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if forward_worker_failure(self, event) and event.worker.group == "search":
            self.article_list.answered(shown=False)  # no answer will come: Enter opens the list's rows again
