"""The main screen's background indexing: the start-up update, corpus polling, worker failures."""

from __future__ import annotations

from newsdesk.index import Config
from newsdesk.tui.screens.entities import EntityActions
from newsdesk.tui.screens.jobs import CorpusScanned, IndexDone, IndexProgress
from newsdesk.tui.widgets.article_list import ArticleList
from textual import on
from textual.widgets import Input
from textual.worker import Worker, WorkerState


class IndexingActions(EntityActions):
    """Runs updates and polls the corpus; shows progress in the status line."""

    config: Config
    _indexing: bool
    _index_note: str
    _fingerprint: int | None
    _article_count: int
    _search_typing: bool
    _corpus_changed: bool

    @property
    def search_box(self) -> Input:
        raise NotImplementedError

    @property
    def article_list(self) -> ArticleList:
        raise NotImplementedError

    def _update_status(self) -> None:
        raise NotImplementedError

    def search(self, text: str, typing: bool = False) -> None:
        raise NotImplementedError

    def show_browse(self, cursor: int = 0) -> None:
        raise NotImplementedError

    def start_update(self, delay: float = 0) -> None:
        """Index new and changed files in the background (after ``delay`` seconds)."""
        if self._indexing:
            return
        self._indexing = True
        self._index_note = "checking for changes…"
        self._update_status()
        if delay:
            self.set_timer(delay, self.run_update)
        else:
            self.run_update()

    @on(IndexProgress)
    def _index_progress(self, message: IndexProgress) -> None:
        if message.total:
            percent = 100 * message.done // max(1, message.total)
            self._index_note = f"indexing: {message.phase} {message.done:,}/{message.total:,} ({percent}%)"
        else:
            self._index_note = f"indexing: {message.phase}…"
        self._update_status()

    @on(IndexDone)
    def _index_done(self, message: IndexDone) -> None:
        self._indexing = False
        listed_count, corpus_changed = self._article_count, self._corpus_changed
        self._corpus_changed = False
        if message.error:
            self._index_note = f"index not updated: {message.error}"
        else:
            self._index_note = ""
        if message.fingerprint is not None:
            self._fingerprint = message.fingerprint
        if message.stats is not None:
            self._article_count = message.stats.articles
        self._update_status()
        stats = message.stats
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
            if changed_here or corpus_changed or stats.articles != listed_count:
                self.refresh_results()
        if self.watching:
            self.set_timer(self.config.ui.watch_seconds, self.scan_corpus)

    def refresh_results(self) -> None:
        """Show the current query's results (or the article list) again, keeping the cursor."""
        text = self.search_box.value
        if text.strip():
            self.search(text, typing=self._search_typing)
        else:
            self.show_browse(cursor=self.article_list.cursor)

    @on(CorpusScanned)
    def _corpus_scanned(self, message: CorpusScanned) -> None:
        changed = self._fingerprint is not None and message.fingerprint != self._fingerprint
        self._fingerprint = message.fingerprint
        if changed:
            self._corpus_changed = True  # whoever indexes it, what is listed predates it
            self.start_update()
            return
        # A scan that took long (a huge corpus) makes the next one wait longer.
        self.set_timer(max(self.config.ui.watch_seconds, 20 * message.seconds), self.scan_corpus)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures end up: shown, never a crash."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "index":
            self._indexing = False
            self._index_note = f"indexing failed: {error}"
            self._update_status()
        self.notify(f"{event.worker.group} failed: {error}", severity="error")
