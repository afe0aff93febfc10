"""Keeping the index up to date while the reader runs: the start-up update, the corpus poll, others' changes.

A widget with no look of its own (``display: none``): it owns the indexing
state and its workers, and tells the screen through messages when what the
list shows predates the corpus. Updating and polling are slow (a walk over
the corpus, parsing, index writing), so both run in thread workers that post
their progress and results back here; nothing here touches another widget.

Another session's ``annotations add`` (or the reader's own save) re-indexes an
article: its tags and notes are searchable, so the list, the counts and the
facets of the current search may change. The index's version, read every
``INDEX_CHECK_SECONDS``, says so, and the screen runs the search again.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass

from newsdesk.index import Library, NewsdeskError, UpdateStats
from newsdesk.tui.messages import StatusNews, forward_worker_failure
from textual import on, work
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

START_DELAY = 0.3
"""Seconds after start before the background update begins: the first screen draws before the
update's walk over the corpus competes with it for the GIL."""
INDEX_CHECK_SECONDS = 2.0
WARM_UP_DELAY = 0.5
"""Seconds after start before loading what searching needs (off the start-up's path, before most first keys)."""
"""How often the search index's version is read for others' changes (one small query)."""


class IndexingStopped(Exception):
    """Raised from the progress callback to end an update early when the app quits."""


HEALS_PER_WINDOW = 3
HEAL_WINDOW_SECONDS = 600.0
"""At most HEALS_PER_WINDOW rebuilds of a damaged index in this many seconds."""


@dataclass
class IndexProgress(Message):
    phase: str
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IndexProgress)


@dataclass
class IndexDone(Message):
    stats: UpdateStats | None
    error: str | None
    fingerprint: int | None
    index_version: str | None = None
    """The index's version once the update ended: the 2 s poll compares with it, not with the
    version from before the update (which made every first index refresh the list a second
    time, collapsing the copies a user had just expanded)."""
    version_before: str | None = None
    """The index's version as the update began: an update that changed nothing, ending at another
    version, ran while another session changed the index."""


@dataclass
class CorpusScanned(Message):
    fingerprint: int | None
    seconds: float


@dataclass
class IndexVersion(Message):
    """The search index's version now (Library.index_version), read in a worker."""

    version: str


class CorpusWatcher(Widget):
    """Runs index updates and polls the corpus every ``watch_seconds`` (when ``watching``)."""

    DEFAULT_CSS = "CorpusWatcher { display: none; }"

    indexing: reactive[bool] = reactive(False)
    """An update is running."""
    note: reactive[str] = reactive("")
    """What the status line says about the index; empty when it is up to date."""
    article_count: reactive[int] = reactive(0)
    """Articles in the library, as last counted (by an update or by the list)."""

    @dataclass
    class Indexed(Message):
        """An update ended; ``list_stale``: what the list shows predates the corpus, show it again."""

        stats: UpdateStats | None
        list_stale: bool

    class IndexChanged(Message):
        """Another session (or this reader's annotation save) changed the index: search again."""

    def __init__(self, library: Library, *, watch_seconds: float, watching: bool) -> None:
        super().__init__()
        self.library = library
        self.watch_seconds = watch_seconds
        self.watching = watching
        self.fingerprint: int | None = None
        """The corpus as last seen by a poll or an update (None: not looked at yet)."""
        self.stopping = False
        """Set when the app quits: a running update or poll ends at its next check."""
        self._corpus_changed = False
        self._index_version: str | None = None
        """The index version the shown results were searched in (as far as this reader knows)."""
        self._started = False
        self._heals: list[float] = []
        self._update_base: str | None = None
        """The index version the poll had seen when the running update began."""

    def _state_changed(self) -> None:
        if not self._started:
            # Not before start() has looked: the defaults (0 articles, no note) would read
            # "0 articles · indexed" for a moment, which a person (and `serve`'s test) took
            # for the end of the first index and pressed Enter on an empty list.
            return
        self.post_message(StatusNews(article_count=self.article_count, index_note=self.note, indexing=self.indexing))

    watch_indexing = watch_note = watch_article_count = _state_changed

    def start(self, *, index_now: bool, delay: float = START_DELAY) -> None:
        """Count the library and say how current its index is; then update it (or just poll)."""
        status = self.library.status()
        self.set_reactive(CorpusWatcher.article_count, self.library.count())
        if not status.indexed:
            self.set_reactive(CorpusWatcher.note, "not indexed yet")
        elif not status.in_sync:
            self.set_reactive(CorpusWatcher.note, "index out of date")
        self._started = True
        self._state_changed()
        self.check_index()
        self.set_interval(INDEX_CHECK_SECONDS, self.check_index)
        self.set_timer(WARM_UP_DELAY, self.warm_up)
        if index_now:
            self.start_update(delay=delay)
        elif self.watching:
            self.set_timer(self.watch_seconds, self.scan_corpus)

    def heal(self) -> None:
        """Rebuild a damaged index (a search found it so), unless it keeps coming back damaged.

        Something that damages the index again after every rebuild (a failing disk, a stray
        script) made the reader rebuild forever at full CPU (red team): past
        HEALS_PER_WINDOW rebuilds in HEAL_WINDOW_SECONDS it stops and says so.
        """
        now = time.monotonic()
        self._heals = [t for t in self._heals if now - t < HEAL_WINDOW_SECONDS]
        if len(self._heals) >= HEALS_PER_WINDOW:
            self.note = "the search index keeps getting damaged; not rebuilt again (`newsdesk index` rebuilds it)"
            return
        self._heals.append(now)
        self.start_update()

    def start_update(self, delay: float = 0) -> None:
        """Index new and changed files in the background (after ``delay`` seconds)."""
        if self.indexing:
            return
        self.indexing = True
        self._update_base = self._index_version
        self.note = "checking for changes…"
        if delay:
            self.set_timer(delay, self.run_update)
        else:
            self.run_update()

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def run_update(self) -> None:
        """Bring the index up to date with the corpus, reporting progress."""
        fingerprint = self._scan_fingerprint() if self.watching else None
        before = self._update_base
        if before is None:
            with contextlib.suppress(NewsdeskError, OSError, sqlite3.Error):
                before = self.library.index_version()
        last = 0.0

        def progress(phase: str, done: int, total: int) -> None:
            nonlocal last
            if self.stopping:
                raise IndexingStopped()
            now = time.monotonic()
            if now - last >= 0.1 or done == total:
                last = now
                self.post_message(IndexProgress(phase, done, total))

        try:
            stats = self.library.update(progress=progress)
        except IndexingStopped:
            return
        except NewsdeskError as exc:
            self.post_message(IndexDone(None, str(exc), fingerprint))
            return
        version: str | None = None
        with contextlib.suppress(NewsdeskError, OSError, sqlite3.Error):
            version = self.library.index_version()
        self.post_message(IndexDone(stats, None, fingerprint, version, before))

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def scan_corpus(self) -> None:
        """Fingerprint the corpus (the walk indexing uses: one stat per file)."""
        started = time.monotonic()
        fingerprint = self._scan_fingerprint()
        if fingerprint is not None:
            self.post_message(CorpusScanned(fingerprint, time.monotonic() - started))

    def _scan_fingerprint(self) -> int | None:
        worker = get_current_worker()
        return self.library.fingerprint(cancelled=lambda: worker.is_cancelled or self.stopping)

    @on(IndexProgress)
    def _index_progress(self, message: IndexProgress) -> None:
        if message.total:
            percent = 100 * message.done // max(1, message.total)
            self.note = f"indexing: {message.phase} {message.done:,}/{message.total:,} ({percent}%)"
        else:
            self.note = f"indexing: {message.phase}…"

    @on(IndexDone)
    def _index_done(self, message: IndexDone) -> None:
        listed_count, corpus_changed = self.article_count, self._corpus_changed
        self._corpus_changed = False
        self.note = f"index not updated: {message.error}" if message.error else ""
        if message.fingerprint is not None:
            self.fingerprint = message.fingerprint
        if message.index_version is not None:
            self._index_version = message.index_version  # this update's own change is not news
        stats = message.stats
        stale = False
        if stats is not None:
            changed_here = bool(stats.added or stats.updated or stats.removed)
            if changed_here:
                self.notify(
                    f"Index updated: {stats.added} added, {stats.updated} updated, {stats.removed} removed.", timeout=3
                )
            # Another session sharing this state folder may have indexed the change while this
            # update waited for the lock (or just before it ran): this update then finds nothing
            # to do, yet the list was fetched before that change and would stay stale (empty,
            # for a reader opened while another one built the index).
            stale = changed_here or corpus_changed or stats.articles != listed_count or bool(stats.repairs)
            # The poll is silent while an update runs (its own writes are no news), so another
            # session's change made meanwhile (an edit it indexed first, anyone's annotation, a
            # rebuild this update waited for) shows only here: the index is not the one the list
            # was searched in, though this update changed nothing (red team: the list kept the
            # older answer for good).
            others = message.version_before is not None and message.index_version not in (None, message.version_before)
            stale = stale or others
            for repair in stats.repairs:  # damaged state set aside and rebuilt: say so, as the CLI does
                self.notify(f"Repaired: {repair}", severity="warning", timeout=10, markup=False)
        # The list is refreshed first, then the status line says "indexed": a person (or a test)
        # pressing Enter as soon as it says so finds the rows there (CI: under `serve`, Enter
        # landed between the two and met the empty list of a first index).
        self.post_message(self.Indexed(stats, stale))
        if stats is not None:
            self.article_count = stats.articles
        self.indexing = False
        if self.watching:
            self.set_timer(self.watch_seconds, self.scan_corpus)

    @on(CorpusScanned)
    def _corpus_scanned(self, message: CorpusScanned) -> None:
        changed = self.fingerprint is not None and message.fingerprint != self.fingerprint
        self.fingerprint = message.fingerprint
        if changed:
            self._corpus_changed = True  # whoever indexes it, what is listed predates it
            self.start_update()
            return
        # A scan that took long (a huge corpus) makes the next one wait longer.
        self.set_timer(max(self.watch_seconds, 20 * message.seconds), self.scan_corpus)

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def warm_up(self) -> None:
        """Load what searching needs, once the first screen is up, so the first typed search does not wait."""
        self.library.warm_up()

    @work(thread=True, exclusive=True, group="index-version", exit_on_error=False)
    def check_index(self) -> None:
        """Read the index's version; a change made elsewhere posts :class:`IndexChanged`."""
        try:
            version = self.library.index_version()
        except (NewsdeskError, OSError, sqlite3.Error):
            return  # a busy or damaged store: the next look (or the search itself) says more
        self.post_message(IndexVersion(version))

    @on(IndexVersion)
    def _index_version_read(self, message: IndexVersion) -> None:
        seen, self._index_version = self._index_version, message.version
        if seen is not None and seen != message.version and not self.indexing:
            self.post_message(self.IndexChanged())  # after an update, Indexed says so itself

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if forward_worker_failure(self, event) and event.worker.group == "index":
            self.indexing = False
            self.note = f"indexing failed: {event.worker.error}"
