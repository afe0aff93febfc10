"""Bring the article store and the Whoosh index up to date with the corpus.

An update runs in two phases under one lock, so only one writer exists at a
time and readers are never blocked:

1. *ingest*: find added, changed and deleted files (size and mtime first, the
   content hash only when those differ), parse them in worker processes and
   commit the result to the article store in one transaction;
2. *index*: apply the same changes to Whoosh. A full (re)build writes a fresh
   index folder with one writer process per core and switches to it by
   recording its name in the store, so searchers keep the old index until the
   new one is complete. A crash anywhere leaves the store marked "not synced",
   and the next update rebuilds the index from the store by itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from newsdesk.index.annotations import AnnotationStore
from newsdesk.index.article import Article
from newsdesk.index.buildwriters import _codec, _DirectMpWriter, build_writer
from newsdesk.index.config import Config
from newsdesk.index.display import display_path, path_index_key
from newsdesk.index.documents import EntityFields, document_fields
from newsdesk.index.engine.directwriter import supports
from newsdesk.index.engine.hidden_fields import COMMON_SAMPLE, common_terms
from newsdesk.index.engine.interface import IndexWriter
from newsdesk.index.engine.schema import INDEX_SCHEMA_VERSION, build_schema
from newsdesk.index.entities.stage import EntityStage, extractor_spec
from newsdesk.index.errors import CorpusError
from newsdesk.index.healing import (
    disk_full,
    is_disk_full,
    prepare_write_lock,
)
from newsdesk.index.indexfolder import (
    META_INDEX_DIR,
    META_MANIFEST,
    META_SCHEMA,
    META_SCHEMA_NEWEST,
    META_SYNCED,
    NEWER_SCHEMA_NOTICE,
    OLDER_SCHEMA_NOTICE,
    OTHER_SCHEMA_NOTICE,
    SHARED_WITH_OLDER_NOTICE,
    IndexFolder,
)
from newsdesk.index.ingest.discover import discover
from newsdesk.index.ingest.reader import FileResult, ReaderSettings, can_spawn, read_entries
from newsdesk.index.reprints import forget_reprints, sync_reprints
from newsdesk.index.store import ArticleStore, FileState
from newsdesk.index.store_errors import store_error
from newsdesk.index.update_lock import acquire_telling
from newsdesk.index.update_stats import ProgressCallback, UpdateStats
from whoosh import index as whoosh_index
from whoosh.writing import IndexingError

_FULL_BUILD_MIN_DOCS = 2000
_STORE_BATCH = 500
_STORE_BATCH_SECONDS = 0.5
"""A batch of read files is written at least this often, so no write transaction stays open long."""


class Indexer(IndexFolder):
    """Runs updates for one corpus and state dir."""

    def __init__(
        self, corpus: Path, state_dir: Path, store: ArticleStore, config: Config, annotations: AnnotationStore
    ) -> None:
        self.corpus = corpus
        self.state_dir = state_dir
        self.store = store
        self.config = config
        self.annotations = annotations
        self.lock = FileLock(str(state_dir / "update.lock"))

    # -- update -------------------------------------------------------------------
    def update(self, rebuild: bool = False, progress: ProgressCallback | None = None, wait: float = -1) -> UpdateStats:
        """Bring store and index up to date; waits ``wait`` s for another update (-1: forever)."""
        try:
            with self._locked(wait, progress):
                return self._update_locked(rebuild, progress)
        except sqlite3.Error as exc:
            raise store_error(self.store.path, exc) from None

    @contextlib.contextmanager
    def _locked(self, wait: float, progress: ProgressCallback | None = None) -> Iterator[None]:
        """Hold the update lock (``progress`` hears of a wait for another's); one line when it is busy or cannot be."""
        if self.store.read_only:  # opened so because it could not be written
            if is_disk_full(OSError(), self.state_dir):
                raise disk_full(self.state_dir)
            raise CorpusError(
                f"{display_path(str(self.state_dir))}: cannot update the index here (read-only); searching still works"
            )
        try:
            acquire_telling(self.lock, wait, progress)
        except Timeout:
            raise CorpusError("another newsdesk process is updating this corpus; try again later") from None
        except OSError as exc:
            if is_disk_full(exc, self.state_dir):
                raise disk_full(self.state_dir) from None
            raise CorpusError(
                f"{display_path(str(self.state_dir))}: cannot update the index here ({exc.strerror or exc}); "
                "searching still works"
            ) from None
        try:
            yield
        finally:
            self.lock.release()

    def _update_locked(self, rebuild: bool, progress: ProgressCallback | None) -> UpdateStats:
        started = time.perf_counter()
        stats = UpdateStats()
        self._set_aside_damaged_index(stats)
        ingest = self.config.ingest
        found = discover(self.corpus, ingest.extensions, skip=[self.state_dir])
        stats.warnings.extend(found.warnings)
        stored = self.store.file_states()
        # A rebuild reads every file again, replacing each file's articles as it
        # goes, so the store stays searchable all along.
        known = {} if rebuild else stored
        present = {entry.relpath for entry in found.files}
        removed_paths = sorted(set(stored) - present)
        to_read = []
        for entry in found.files:
            state = known.get(entry.relpath)
            if state is not None and state.size == entry.size and state.mtime_ns == entry.mtime_ns:
                stats.unchanged += 1
                if state.skipped:
                    stats.skipped += 1
            else:
                to_read.append(entry)

        changed_paths: list[str] = list(removed_paths)
        new_articles: list[Article] = []
        entities = EntityStage(self.store, extractor_spec(self.config, self.state_dir), ingest.workers)
        # A changed key re-extracts everything in the entity stage; otherwise a
        # cheap backend extracts inside the readers, while the text is at hand.
        key_changed = entities.key_changed()
        # (A rebuild re-reads every file but finds their entities in the cache; a rebuild of
        # an empty store has no cache, and a separate pass would read every text twice.)
        inline_ok = entities.spec.reads_inline and (not rebuild or self.store.count() == 0)
        inline = entities.spec if inline_ok and (not key_changed or self.store.count() == 0) else None
        settings = ReaderSettings.from_config(ingest, inline)
        full_build = rebuild or not self.index_in_sync()
        made_under = self.store.get_meta(META_SCHEMA)
        if not rebuild and made_under and made_under != INDEX_SCHEMA_VERSION and self.index_dir() is not None:
            stats.repairs.append(self._schema_notice(made_under))
        # Short write transactions, never one through the reading phase: searches
        # and other sessions' reads go on meanwhile (WAL), and annotating sessions
        # wait at most one batch. A crash between batches loses nothing: the files
        # not yet recorded are simply read again by the next update.
        with self.store.transaction() as db:
            ArticleStore.set_meta(db, META_SYNCED, "0")
            for path in removed_paths:
                stats.removed += len(self.store.by_path(path))
                ArticleStore.remove_file(db, path)
        pending: list[FileResult] = []
        flushed = time.monotonic()

        def write_batch() -> None:
            with self.store.transaction() as db:
                for result in pending:
                    self._record(db, result, known, stats, changed_paths, new_articles, keep=not full_build)
                entities.flush(db)
            pending.clear()

        for done, result in enumerate(read_entries(to_read, settings, ingest.workers), 1):
            if progress and (done % 100 == 0 or done == len(to_read)):
                progress("reading", done, len(to_read))
            pending.append(result)
            if result.entities is not None and not result.skipped:
                for article, prepared in zip(result.articles, result.entities, strict=True):
                    entities.store_extracted(article, prepared)
            if len(pending) >= _STORE_BATCH or time.monotonic() - flushed > _STORE_BATCH_SECONDS:
                write_batch()
                flushed = time.monotonic()
        write_batch()
        # The corpus's file list and the stored file states (~300 MB at 1M articles) are not
        # needed below: let them go before the index build, whose peak memory they add to.
        del found, to_read, present, stored
        known.clear()
        if key_changed:
            full_build = True  # every article's entity fields change
        entities.run(progress, can_spawn())
        annotation_states = self.annotations.file_states()
        # Articles whose entity names the corpus-wide linking changed are re-added like annotated ones.
        annotated = self._changed_annotations(annotation_states) | entities.relinked
        if (
            full_build
            or stats.added + stats.updated + stats.removed >= _FULL_BUILD_MIN_DOCS
            or self._common_terms_outgrown()
        ):
            # The reprint groups are synced while the writer processes build the index:
            # they need only the store, and this process would otherwise wait idle.
            self._full_build(progress, meanwhile=self._sync_reprints)
            stats.rebuilt_index = True
        else:
            self._sync_reprints()
            if changed_paths or annotated:
                self._apply_changes(changed_paths, new_articles, progress, annotated)
            else:
                self._mark_synced(self.store.get_meta(META_INDEX_DIR) or "")
        self.store.set_annotation_file_states(annotation_states)
        stats.articles = self.store.count()
        stats.seconds = time.perf_counter() - started
        return stats

    def _sync_reprints(self) -> None:
        # Reprint groups live in the store beside the articles (index.reprints), not in Whoosh.
        if self.config.index.group_reprints:
            sync_reprints(self.store)
        else:
            forget_reprints(self.store)

    def _record(
        self,
        db: sqlite3.Connection,
        result: FileResult,
        known: dict[str, FileState],
        stats: UpdateStats,
        changed_paths: list[str],
        new_articles: list[Article],
        keep: bool,
    ) -> None:
        entry = result.entry
        old = known.get(entry.relpath)
        state = FileState(entry.relpath, entry.size, entry.mtime_ns, result.hash, result.skipped)
        ArticleStore.put_file(db, state)
        if old is not None and old.hash == result.hash and old.skipped == result.skipped:
            stats.unchanged += 1  # touched, not changed
            return
        for warning in result.warnings:
            stats.warnings.append(f"{display_path(entry.relpath)}: {warning}")
        if result.skipped:
            stats.skipped += 1
            stats.warnings.append(f"{display_path(entry.relpath)}: skipped: {result.skipped}")
        ArticleStore.replace_articles(db, entry.relpath, result.articles)
        if old is None or old.skipped:
            stats.added += len(result.articles)
        else:
            stats.updated += len(result.articles)
        changed_paths.append(entry.relpath)
        if keep:
            new_articles.extend(result.articles)

    def sync_annotations(self, wait: float = -1) -> int:
        """Re-index the articles whose annotation files changed; returns how many."""
        with self._locked(wait):
            if not self.index_in_sync():
                return 0  # the next update indexes annotations with everything else
            states = self.annotations.file_states()
            changed = self._changed_annotations(states)
            if changed:
                self._apply_changes([], [], None, changed)
            self.store.set_annotation_file_states(states)
            return len(changed)

    def _changed_annotations(self, states: dict[str, tuple[int, int]]) -> set[str]:
        """Ids of articles whose annotation files appeared, changed or went since the index saw them."""
        before = self.store.annotation_file_states()
        changed = {path for path in states.keys() | before.keys() if states.get(path) != before.get(path)}
        return {path.split("/", 1)[0] for path in changed}

    def _apply_changes(
        self,
        changed_paths: Iterable[str],
        articles: list[Article],
        progress: ProgressCallback | None,
        annotated: set[str] | None = None,
    ) -> None:
        index_dir = self.index_dir()
        assert index_dir is not None
        changed_paths = list(changed_paths)
        # Articles whose annotations changed are re-added too (unless their file changed anyway).
        fresh = {a.id for a in articles}
        readd = [
            a for a in self.store.get_many(sorted((annotated or set()) - fresh)).values() if a.path not in changed_paths
        ]
        articles = [*articles, *readd]
        ix = whoosh_index.open_dir(str(index_dir))
        prepare_write_lock(index_dir)
        writer: IndexWriter = ix.writer(limitmb=self.config.index.writer_memory_mb, codec=_codec())
        try:
            for path in changed_paths:
                writer.delete_by_term("path", path_index_key(path))
            for article in readd:
                writer.delete_by_term("id", article.id)
            ids = [a.id for a in articles]
            entities = self.store.entity_fields(ids)
            notes = self.annotations.summaries(ids)
            for done, article in enumerate(articles, 1):
                writer.add_document(**document_fields(article, entities.get(article.id), notes.get(article.id)))
                if progress and done % 100 == 0:
                    progress("indexing", done, len(articles))
            writer.commit()
        except BaseException as exc:
            writer.cancel()
            if isinstance(exc, Exception) and is_disk_full(exc, self.state_dir):
                raise disk_full(self.state_dir) from None
            raise
        finally:
            ix.close()
        self._mark_synced(index_dir.name)

    def _full_build(self, progress: ProgressCallback | None, meanwhile: Callable[[], None] | None = None) -> None:
        """Write a fresh index folder from the store and switch to it; ``meanwhile`` runs while the writers work."""
        name = f"whoosh-{time.time_ns()}"
        target = self.state_dir / name
        try:
            target.mkdir()
            sample = [0]  # articles read for the common terms (counted, not kept: some are whole books)

            def texts() -> Iterator[str]:
                for article in self.store.sample_articles(COMMON_SAMPLE):
                    sample[0] += 1
                    yield article.title + "\n" + article.text

            common = common_terms(texts())
            ix = whoosh_index.create_in(str(target), build_schema(self.config.search.title_boost, common, sample[0]))
        except OSError as exc:
            shutil.rmtree(target, ignore_errors=True)
            if is_disk_full(exc, self.state_dir):
                raise disk_full(self.state_dir) from None
            raise CorpusError(f"{display_path(str(target))}: cannot write the index: {exc.strerror or exc}") from None
        prepare_write_lock(target)
        total = self.store.count()
        procs = self.config.index.procs or os.cpu_count() or 1
        limitmb = self.config.index.writer_memory_mb
        # Writer processes only where they are worth starting and can start at all.
        many = procs > 1 and total >= _FULL_BUILD_MIN_DOCS and can_spawn()
        writer, parallel = build_writer(
            ix, procs if many else 1, supports(ix.schema), limitmb, self.config.index.batch_size
        )
        try:
            done = 0
            notes = self.annotations.summaries()
            for batch in self.store.iter_article_batches():
                entities = self.store.entity_fields([a.id for a in batch])
                for article in batch:
                    writer.add_document(**document_fields(article, entities.get(article.id), notes.get(article.id)))
                    done += 1
                    if progress and (done % 200 == 0 or done == total):
                        progress("indexing", done, total)
            if parallel is not None:
                parallel.close_jobs()
            if meanwhile is not None:
                meanwhile()
            if progress:
                progress("writing", 0, 0)  # total 0: no count to show while writers finish
            writer.commit()
        except BaseException as exc:
            with contextlib.suppress(IndexingError, OSError):  # a writer broken by a full disk may fail to cancel
                writer.cancel()
            ix.close()
            shutil.rmtree(target, ignore_errors=True)  # never a half-built folder
            if isinstance(exc, Exception) and is_disk_full(exc, self.state_dir):
                raise disk_full(self.state_dir) from None
            raise
        ix.close()
        try:
            self._mark_synced(name)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        self._remove_stale_index_dirs(keep=name)


__all__ = [
    "META_INDEX_DIR",
    "META_MANIFEST",
    "META_SCHEMA",
    "META_SCHEMA_NEWEST",
    "META_SYNCED",
    "NEWER_SCHEMA_NOTICE",
    "OLDER_SCHEMA_NOTICE",
    "OTHER_SCHEMA_NOTICE",
    "SHARED_WITH_OLDER_NOTICE",
    "EntityFields",  # re-exported: the parts moved out of this module keep their old import path
    "Indexer",
    "ProgressCallback",
    "UpdateStats",
    "_DirectMpWriter",
    "_codec",
    "document_fields",
]
