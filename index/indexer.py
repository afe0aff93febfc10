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
import errno
import os
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout
from newsdesk.index.annotations import AnnotationStore, AnnotationSummary
from newsdesk.index.article import MULTI_VALUE_SEPARATOR, Article
from newsdesk.index.config import Config
from newsdesk.index.display import display_path, path_index_key
from newsdesk.index.engine.directwriter import DirectIndexWriter, run_subwriter, supports
from newsdesk.index.engine.interface import IndexWriter
from newsdesk.index.engine.schema import (
    COMMON_SAMPLE,
    FACET_COLUMNS,
    INDEX_SCHEMA_VERSION,
    SEARCHABLE_OLDER_SCHEMAS,
    add_prefix_values,
    build_schema,
    common_terms,
    common_terms_outgrown,
)
from newsdesk.index.entities import INDEX_FIELDS
from newsdesk.index.entities.stage import EntityStage, extractor_spec
from newsdesk.index.errors import CorpusError
from newsdesk.index.first_indexed import mark_indexed
from newsdesk.index.healing import (
    DAMAGED_PREFIX,
    READ_ERRORS,
    disk_full,
    index_manifest,
    index_matches,
    is_disk_full,
    prepare_write_lock,
    set_aside,
)
from newsdesk.index.ingest.discover import discover
from newsdesk.index.ingest.reader import FileResult, ReaderSettings, can_spawn, read_entries
from newsdesk.index.orphans import exit_with_parent
from newsdesk.index.reprints import forget_reprints, sync_reprints
from newsdesk.index.store import ArticleStore, FileState
from newsdesk.index.store_errors import store_error
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.multiproc import MpWriter, _run_subwriter
from whoosh.writing import IndexingError

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)``: phase "reading", "entities", "indexing" or "writing"
(the writer processes finishing their segments; total 0, no count to show)."""

META_INDEX_DIR = "whoosh_dir"
META_SYNCED = "whoosh_synced"
META_SCHEMA = "whoosh_schema"
META_SCHEMA_NEWEST = "whoosh_schema_newest"
"""The newest schema version that made an index for this store (an older newsdesk leaves it as it is)."""
OLDER_SCHEMA_NOTICE = "the search index was made by an older version of newsdesk: rebuilt from the store, once"
SHARED_WITH_OLDER_NOTICE = (
    "an older newsdesk sharing this state folder rebuilt the search index for itself: rebuilt again for this "
    "version (each rebuilds it while both are in use)"
)
NEWER_SCHEMA_NOTICE = "the search index was made by a newer version of newsdesk: rebuilt from the store for this one"
OTHER_SCHEMA_NOTICE = "the search index was made by another version of newsdesk: rebuilt from the store for this one"
META_MANIFEST = "whoosh_manifest"
_FULL_BUILD_MIN_DOCS = 2000
_STORE_BATCH = 500
_STORE_BATCH_SECONDS = 0.5
"""A batch of read files is written at least this often, so no write transaction stays open long."""


@dataclass(slots=True)
class UpdateStats:
    """What one update did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    unchanged: int = 0
    repairs: list[str] = field(default_factory=list)
    """One line per piece of damaged state that was set aside and rebuilt (or index made by an older newsdesk)."""
    articles: int = 0
    """Articles in the store after the update."""
    seconds: float = 0.0
    rebuilt_index: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def docs_per_second(self) -> float:
        """Added and updated articles per second of the whole update."""
        changed = self.added + self.updated
        return changed / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """The one-line summary printed after ``newsdesk index``."""
        articles = "article" if self.articles == 1 else "articles"
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.skipped} skipped, {self.unchanged} unchanged; {self.articles} {articles} "
            f"in {self.seconds:.1f} s ({self.docs_per_second:.0f} docs/s)"
        )


POSTING_BLOCK = 1024
"""Postings per block. Whoosh's default is 128; search decodes whole posting
lists block by block (index.docsets), and 8x larger blocks cut the per-block
overhead: 30-40 % faster decoding of frequent terms, same indexing speed,
a slightly smaller index (bench/, docs/performance.md)."""


def _codec() -> W3Codec:
    return W3Codec(blocklimit=POSTING_BLOCK)


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _exit_quietly_on_full_disk(run: Callable[[], None]) -> None:
    """Run a writer process's loop, deaf to Ctrl-C; a full disk ends it with the errno as its exit code.

    The parent turns that code into its one-line disk-full error (_MpWriter._commit_toc);
    the traceback a process prints when it dies of an exception would land on the
    user's terminal, once per writer process.
    """
    # Ctrl-C reaches the whole process group; the parent handles it and stops the
    # writers (_MpWriter.cancel), so here it would only print one traceback per process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        run()
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        os._exit(exc.errno)


def _run_subwriter_with_parent(parent: int, *args: object) -> None:
    exit_with_parent(parent)
    _exit_quietly_on_full_disk(lambda: _run_subwriter(*args))


def _run_direct_subwriter_with_parent(parent: int, *args: object) -> None:
    exit_with_parent(parent)
    storage, indexname, jobqueue, resultqueue, kwargs, _multisegment = args
    _exit_quietly_on_full_disk(lambda: run_subwriter(storage, indexname, jobqueue, resultqueue, kwargs))  # type: ignore[arg-type]


class _MpWriter(MpWriter):
    """Whoosh's multi-process writer, with sub-writers that end when this process is killed."""

    target: Callable[..., None] = staticmethod(_run_subwriter_with_parent)

    def _new_task(self) -> object:
        args = (self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
        task = self._mpctx.Process(target=self.target, args=(os.getpid(), *args))
        self.tasks.append(task)
        task.start()
        return task

    def _commit_toc(self, segments: list[object]) -> None:
        # MpWriter._commit skips a writer process that sent no segment (killed, out of
        # memory, its disk full): committing without it would drop its articles for good,
        # since the index is then marked in sync with the store.
        ended = [task.exitcode for task in self.tasks if task.exitcode != 0]
        full = [code for code in ended if code in _DISK_FULL]
        if full:
            raise OSError(full[0], os.strerror(full[0]))
        if ended:
            raise CorpusError(
                f"a process writing the index ended early (exit code {ended[0]}); "
                "the index is unchanged: run `newsdesk index` again"
            )
        super()._commit_toc(segments)

    def cancel(self) -> None:
        # Writer processes wait for more jobs or write on into the folder the caller
        # removes next (a failed reprint sync, Ctrl-C): stop them first.
        for task in self.tasks:
            task.terminate()
        for task in self.tasks:
            task.join()
        super().cancel()


class _DirectMpWriter(_MpWriter):
    """A parallel build whose writer processes write their segments directly (engine/directwriter.py).

    The job queue has no bound: the documents of a whole build are handed over as
    job files on disk as fast as they are made, so this process is free for the
    rest of the update (the reprint groups) while the writers work.
    """

    target = staticmethod(_run_direct_subwriter_with_parent)

    def __init__(self, ix: object, **kwargs: object) -> None:
        super().__init__(ix, **kwargs)
        self.jobqueue = self._mpctx.Queue()

    def close_jobs(self) -> None:
        """Tell the writer processes no more documents come, so they write their segments now.

        Called before the reprint sync, which then overlaps their last step too (at 1M
        articles merging their run files took minutes). ``MpWriter._commit`` later puts
        a second end mark per process; a writer stops at the first, so it stays unread.
        """
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)


EntityFields = dict[str, list[tuple[str, str]]]
"""Per index field (person, org, place): (canonical name, other surface forms joined by U+001F)."""


def document_fields(
    article: Article, entities: EntityFields | None = None, annotations: AnnotationSummary | None = None
) -> dict[str, object]:
    """The Whoosh document for one article, with its entities and annotations when known."""
    # Annotation tags join the article's own: `tag:evidence` and the tags facet see both.
    tags = list(dict.fromkeys([*article.tags, *sorted(annotations.tags if annotations else ())]))
    doc: dict[str, object] = {
        "id": article.id,
        "path": path_index_key(article.path),
        "title": article.title,
        "body": article.text,
        "language": article.language or "",
        "tags": ",".join(tags),
        "annotated": "yes" if annotations else "no",
    }
    if annotations and annotations.notes:
        doc["note"] = "\n\n".join(annotations.notes)
    if article.source:
        doc["source"] = article.source
    if article.author:
        doc["author"] = article.author
    if article.date:
        doc["date"] = datetime.fromisoformat(article.date)
    facet_values = {
        "source": article.source or "",
        "date": article.date or "",
        "tags": MULTI_VALUE_SEPARATOR.join(tags),
        "author": article.author or "",
        "language": article.language or "",
    }
    for name in INDEX_FIELDS.values():
        found = (entities or {}).get(name, [])
        # Indexed under every surface form, so org:OSCE finds "Organization for
        # Security and Co-operation in Europe (OSCE)"; counted under the canonical name.
        forms = {canonical for canonical, _ in found}
        forms.update(alias for _, aliases in found for alias in aliases.split(MULTI_VALUE_SEPARATOR) if alias)
        if forms:
            doc[name] = ",".join(sorted(form.replace(",", " ") for form in forms))
        facet_values[name] = MULTI_VALUE_SEPARATOR.join(canonical for canonical, _ in found)
    for facet, value in facet_values.items():
        doc[FACET_COLUMNS[facet]] = value.encode("utf-8", "surrogatepass")
    return add_prefix_values(doc)


class Indexer:
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

    # -- the index folder -------------------------------------------------------
    def index_dir(self) -> Path | None:
        """The current Whoosh folder, if the store names one and it is as it was committed.

        Name and manifest are read in one statement (one snapshot), and a folder that fails
        its check is looked up again when the store meanwhile names another: a rebuild in
        another process commits a new folder and removes the old one, which is not damage.
        """
        named = self._named_index()
        for _ in range(3):
            name, manifest = named
            if not name:
                return None
            path = self.state_dir / name
            if self._folder_is_whole(path, manifest):
                return path
            again = self._named_index()
            if again == named:
                return None
            named = again
        return None

    def index_named(self) -> bool:
        """True when the store names an index folder (whether or not it is whole)."""
        return bool(self._named_index()[0])

    def _named_index(self) -> tuple[str | None, str | None]:
        values = self.store.get_metas(META_INDEX_DIR, META_MANIFEST)
        return values.get(META_INDEX_DIR), values.get(META_MANIFEST)

    @staticmethod
    def _folder_is_whole(path: Path, manifest: str | None) -> bool:
        if manifest is not None:
            return index_matches(path, manifest)
        try:  # a store from before manifests: Whoosh's own check
            return bool(whoosh_index.exists_in(str(path)))
        except READ_ERRORS:
            return False

    def index_version(self) -> str:
        """A value that changes whenever the search index is committed, by this process or another (one read)."""
        name, manifest = self._named_index()
        return f"{name}\x00{manifest}"

    def index_in_sync(self) -> bool:
        """True when the Whoosh index reflects the store exactly."""
        return (
            self.index_dir() is not None
            and self.store.get_meta(META_SYNCED) == "1"
            and self.store.get_meta(META_SCHEMA) == INDEX_SCHEMA_VERSION
        )

    def index_from_older_version(self) -> bool:
        """True when the index reflects the store but an older newsdesk made it, one this code searches as it is.

        The next update rebuilds it; a search need not wait for that (minutes for a large corpus).
        """
        return (
            self.store.get_meta(META_SCHEMA) in SEARCHABLE_OLDER_SCHEMAS
            and self.store.get_meta(META_SYNCED) == "1"
            and self.index_dir() is not None
        )

    def mark_damaged(self) -> None:
        """Note that reading the index failed, so the next update rebuilds it (if the store can be written)."""
        try:
            with self.store.transaction() as db:
                ArticleStore.set_meta(db, META_SYNCED, "0")
                ArticleStore.set_meta(db, META_MANIFEST, "{}")
        except (sqlite3.Error, CorpusError):
            pass  # a read-only or busy store: the searcher's error line already told the user

    def _set_aside_damaged_index(self, stats: UpdateStats) -> None:
        name = self.store.get_meta(META_INDEX_DIR)
        if not name or self.index_dir() is not None:
            return
        path = self.state_dir / name
        if path.exists():
            for older in self.state_dir.glob(f"{DAMAGED_PREFIX}whoosh-*"):  # one kept for a post-mortem
                if older.is_dir() and not older.is_symlink():
                    shutil.rmtree(older, ignore_errors=True)
            aside = set_aside(path)
            where = f"set aside as {display_path(aside.name)}" if aside else "left in place"
            stats.repairs.append(f"the search index {display_path(name)} was damaged: {where}; rebuilt from the store")
        else:
            stats.repairs.append(f"the search index {display_path(name)} was missing: rebuilt from the store")

    # -- update -------------------------------------------------------------------
    def update(self, rebuild: bool = False, progress: ProgressCallback | None = None, wait: float = -1) -> UpdateStats:
        """Bring store and index up to date; waits ``wait`` s for another update (-1: forever)."""
        try:
            with self._locked(wait):
                return self._update_locked(rebuild, progress)
        except sqlite3.Error as exc:
            raise store_error(self.store.path, exc) from None

    @contextlib.contextmanager
    def _locked(self, wait: float) -> Iterator[None]:
        """Hold the update lock; one line when it is busy or cannot be taken at all."""
        if self.store.read_only:  # opened so because it could not be written
            if is_disk_full(OSError(), self.state_dir):
                raise disk_full(self.state_dir)
            raise CorpusError(
                f"{display_path(str(self.state_dir))}: cannot update the index here (read-only); searching still works"
            )
        try:
            self.lock.acquire(timeout=wait)
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

    def _common_terms_outgrown(self) -> bool:
        """True when the index's common terms were taken from too small a store (``common_terms_outgrown``)."""
        index_dir = self.index_dir()
        if index_dir is None:
            return False
        try:
            schema = whoosh_index.open_dir(str(index_dir)).schema
        except READ_ERRORS:
            return False  # damage is found and repaired where the index is read
        return common_terms_outgrown(schema, self.store.count())

    def _sync_reprints(self) -> None:
        # Reprint groups live in the store beside the articles (index.reprints), not in Whoosh.
        if self.config.index.group_reprints:
            sync_reprints(self.store)
        else:
            forget_reprints(self.store)

    def _schema_notice(self, made_under: str) -> str:
        """Why an index made under schema ``made_under`` is rebuilt: "once" only when it is the first time."""
        current = int(INDEX_SCHEMA_VERSION)
        if not made_under.isdigit():
            return OTHER_SCHEMA_NOTICE
        if int(made_under) > current:
            return NEWER_SCHEMA_NOTICE
        newest = self.store.get_meta(META_SCHEMA_NEWEST) or ""
        if newest.isdigit() and int(newest) >= current:  # this version made it before: an older one rebuilt it since
            return SHARED_WITH_OLDER_NOTICE
        return OLDER_SCHEMA_NOTICE

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

    def _mark_synced(self, dir_name: str) -> None:
        manifest = index_manifest(self.state_dir / dir_name) if dir_name else "{}"
        newest = self.store.get_meta(META_SCHEMA_NEWEST) or ""
        with self.store.transaction() as db:
            ArticleStore.set_meta(db, META_MANIFEST, manifest)
            ArticleStore.set_meta(db, META_INDEX_DIR, dir_name)
            ArticleStore.set_meta(db, META_SYNCED, "1")
            ArticleStore.set_meta(db, META_SCHEMA, INDEX_SCHEMA_VERSION)
            if not newest.isdigit() or int(newest) < int(INDEX_SCHEMA_VERSION):
                ArticleStore.set_meta(db, META_SCHEMA_NEWEST, INDEX_SCHEMA_VERSION)
            mark_indexed(db)

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
        writer: IndexWriter
        parallel: _DirectMpWriter | None = None  # Whoosh-specific, like the choice of writer here
        direct = supports(ix.schema)
        if procs > 1 and total >= _FULL_BUILD_MIN_DOCS and can_spawn():
            writer = (_DirectMpWriter if direct else _MpWriter)(
                ix,
                procs=procs,
                batchsize=self.config.index.batch_size,
                multisegment=True,
                limitmb=limitmb,
                codec=_codec(),
                start_method="spawn",
            )
            if isinstance(writer, _DirectMpWriter):
                parallel = writer
        elif direct:
            writer = DirectIndexWriter(ix, limitmb=limitmb, codec=_codec())
        else:
            writer = ix.writer(limitmb=limitmb, codec=_codec())
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

    def _remove_stale_index_dirs(self, keep: str) -> None:
        # Searchers still open on an old folder keep reading their open files
        # (POSIX unlink semantics), so removing it under them is safe.
        for path in self.state_dir.glob("whoosh-*"):
            if path.name != keep and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
