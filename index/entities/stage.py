"""The entity stage of an update: extract what is missing, in worker processes, into the store.

An article needs extraction when it is new or changed, or when the extractor
key changed (another backend, an edited watchlist or stoplist). Results are
cached by content hash and extractor key, so a rebuild, a renamed file or an
unchanged item of a changed JSONL file costs a lookup, not an extraction.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from newsdesk.index.article import MULTI_VALUE_SEPARATOR, Article
from newsdesk.index.config import Config
from newsdesk.index.entities import EntityLists, EntityMention, Extractor, extractor_key, load_lists, make_extractor
from newsdesk.index.entities.linking import link_corpus
from newsdesk.index.orphans import exit_with_parent
from newsdesk.index.store import ArticleStore

META_ENTITY_KEY = "entity_extractor"
_WINDOW = 2000
_POOL_THRESHOLD = 200
_SPACES = re.compile(r"\s+")

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ExtractorSpec:
    """Everything a worker process needs to build the extractor (picklable)."""

    backend: str
    lists: EntityLists
    spacy_model: str

    def build(self) -> Extractor:
        return make_extractor(self.backend, self.lists, self.spacy_model)

    def cached_build(self) -> Extractor:
        """One extractor per process and key (reader workers call this once per file)."""
        key = self.key
        extractor = _built.get(key)
        if extractor is None:
            _built.clear()
            extractor = _built[key] = self.build()
        return extractor

    @property
    def reads_inline(self) -> bool:
        """Whether this backend is cheap enough to run inside the file readers."""
        return self.backend == "rules"

    @property
    def key(self) -> str:
        return extractor_key(self.backend, self.lists, self.spacy_model)


def list_paths(config: Config, state_dir: Path) -> tuple[Path, Path]:
    """Where the watchlist and the stoplist are."""
    entities = config.entities
    return (entities.watchlist or state_dir / "watchlist.yaml", entities.stoplist or state_dir / "stoplist.yaml")


def extractor_spec(config: Config, state_dir: Path) -> ExtractorSpec:
    """The configured extractor, with the current lists."""
    lists = load_lists(*list_paths(config, state_dir))
    return ExtractorSpec(config.entities.backend, lists, config.entities.spacy_model)


Extracted = tuple[list[EntityMention], list[EntityMention]]


def encode(extracted: Extracted) -> tuple[str, str]:
    """The two JSON columns of the entity cache."""
    title, body = extracted
    return (
        json.dumps([[m.start, m.end, m.type, m.canonical] for m in body], ensure_ascii=False),
        json.dumps([[m.start, m.end, m.type, m.canonical] for m in title], ensure_ascii=False),
    )


def decode(text: str, column: str) -> list[EntityMention]:
    """Mentions from a cache column, with their text taken from ``text``."""
    return [EntityMention(text[s:e], canonical, kind, s, e) for s, e, kind, canonical in json.loads(column)]


_built: dict[str, Extractor] = {}
_worker_extractor: Extractor | None = None


def _init_worker(spec: ExtractorSpec, parent: int) -> None:
    global _worker_extractor
    exit_with_parent(parent)
    _worker_extractor = spec.build()


def _extract_batch(batch: list[tuple[str, str]]) -> list[Prepared]:
    assert _worker_extractor is not None
    return [prepare(_worker_extractor.extract_article(title, text)) for title, text in batch]


class EntityStage:
    """Runs the entity stage for one store."""

    def __init__(self, store: ArticleStore, spec: ExtractorSpec, workers: int) -> None:
        self.store = store
        self.spec = spec
        self.key = spec.key
        self.workers = workers or os.cpu_count() or 1
        self._cache_rows: list[tuple[str, str, str, str]] = []
        self._entity_rows: list[tuple[str, str, str, int, str]] = []
        self._state_rows: list[tuple[str, str]] = []
        self._wrote = False
        self.relinked: set[str] = set()
        """Ids of articles whose entity names the corpus-wide linking changed in :meth:`run` (to re-index)."""

    def key_changed(self) -> bool:
        """True when every article's entities must be redone (and the whole index rebuilt)."""
        return self.store.get_meta(META_ENTITY_KEY) != self.key

    def run(self, progress: ProgressCallback | None = None, can_spawn: bool = True) -> int:
        """Extract for every article that needs it; returns how many needed it."""
        db = self.store.db
        if self.spec.backend == "none":
            with self.store.transaction() as tx:
                tx.execute("DELETE FROM article_entities")
                tx.execute("DELETE FROM article_entity_state")
                ArticleStore.set_meta(tx, META_ENTITY_KEY, self.key)
            return 0
        pending = db.execute(
            "SELECT count(*) FROM articles a LEFT JOIN article_entity_state s ON s.article_id = a.id "
            "WHERE s.extractor IS NULL OR s.extractor != ?",
            (self.key,),
        ).fetchone()[0]
        done = 0
        try:
            for window in self._pending_windows():
                cached = {chash: self._cached(chash) for _, _, _, chash in window}
                misses = [(title, text) for _, title, text, chash in window if cached[chash] is None]
                if len(misses) >= _POOL_THRESHOLD and self.workers > 1 and can_spawn and self._pool is None:
                    self._pool = self._start_pool()
                fresh = self._extract(misses)
                self._save(window, misses, fresh, cached)
                done += len(window)
                if progress:
                    progress("entities", done, pending)
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
        with self.store.transaction() as tx:
            if pending or self._wrote:
                self.relinked = link_corpus(tx)
            ArticleStore.set_meta(tx, META_ENTITY_KEY, self.key)
        return pending

    _pool: ProcessPoolExecutor | None = None
    _extractor: Extractor | None = None

    def _start_pool(self) -> ProcessPoolExecutor | None:
        import multiprocessing

        try:
            return ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.spec, os.getpid()),
            )
        except OSError:
            return None

    def _extract(self, misses: list[tuple[str, str]]) -> list[Prepared]:
        if self._pool is not None and misses:
            chunk = max(1, len(misses) // (self.workers * 4))
            batches = [misses[i : i + chunk] for i in range(0, len(misses), chunk)]
            try:
                return [row for rows in self._pool.map(_extract_batch, batches) for row in rows]
            except (BrokenProcessPool, OSError):
                # A worker died (killed, out of memory) or could not start: finish in this process.
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
        if self._extractor is None:
            self._extractor = self.spec.build()
        return [prepare(self._extractor.extract_article(title, text)) for title, text in misses]

    def _pending_windows(self) -> Iterator[list[tuple[str, str, str, str]]]:
        # Read ids first: the windows below write to the tables this query reads.
        ids = [
            row[0]
            for row in self.store.db.execute(
                "SELECT a.id FROM articles a LEFT JOIN article_entity_state s ON s.article_id = a.id "
                "WHERE s.extractor IS NULL OR s.extractor != ? ORDER BY a.id",
                (self.key,),
            )
        ]
        for offset in range(0, len(ids), _WINDOW):
            chunk = ids[offset : offset + _WINDOW]
            marks = ", ".join("?" * len(chunk))
            yield self.store.db.execute(
                f"SELECT id, title, text, content_hash FROM articles WHERE id IN ({marks})", chunk
            ).fetchall()

    def _cached(self, content_hash: str) -> tuple[str, str] | None:
        return self.store.db.execute(
            "SELECT mentions, title FROM entity_cache WHERE content_hash = ? AND extractor = ?",
            (content_hash, self.key),
        ).fetchone()

    def store_extracted(self, article: Article, prepared: Prepared) -> None:
        """Queue entities a file reader extracted; :meth:`flush` writes them."""
        self._queue(article.id, article.content_hash, prepared, cache=True)

    def _queue(self, article_id: str, content_hash: str, prepared: Prepared, cache: bool) -> None:
        columns, rows = prepared
        if cache:
            self._cache_rows.append((content_hash, self.key, *columns))
        self._entity_rows.extend((article_id, *row) for row in rows)
        self._state_rows.append((article_id, self.key))

    def flush(self, tx: sqlite3.Connection) -> None:
        """Write the queued entities inside ``tx`` (many rows per statement: the ingest's hot path)."""
        tx.executemany("INSERT OR REPLACE INTO entity_cache VALUES (?, ?, ?, ?)", self._cache_rows)
        tx.executemany("DELETE FROM article_entities WHERE article_id = ?", [(a,) for a, _ in self._state_rows])
        tx.executemany("INSERT OR REPLACE INTO article_entities VALUES (?, ?, ?, ?, ?)", self._entity_rows)
        tx.executemany("INSERT OR REPLACE INTO article_entity_state VALUES (?, ?)", self._state_rows)
        self._wrote = self._wrote or bool(self._state_rows)
        self._cache_rows, self._entity_rows, self._state_rows = [], [], []

    def _save(
        self,
        window: list[tuple[str, str, str, str]],
        misses: list[tuple[str, str]],
        fresh: list[Prepared],
        cached: dict[str, tuple[str, str] | None],
    ) -> None:
        computed = dict(zip(misses, fresh, strict=True))
        for article_id, title, text, chash in window:
            prepared = computed.get((title, text))
            if prepared is None:
                columns = cached[chash]
                assert columns is not None
                prepared = columns, summarize(decode(title, columns[1]), decode(text, columns[0]))
            self._queue(article_id, chash, prepared, cache=(title, text) in computed)
        with self.store.transaction() as tx:
            self.flush(tx)


EntityRow = tuple[str, str, int, str]
"""(type, canonical, mentions, other surface forms joined by U+001F): one article_entities row."""
Prepared = tuple[tuple[str, str], list[EntityRow]]
"""What is stored for one article: the cache columns and its article_entities rows."""


def summarize(title: list[EntityMention], body: list[EntityMention]) -> list[EntityRow]:
    """Per entity of one article: how often it is mentioned and under which other forms."""
    counts: Counter[tuple[str, str]] = Counter()
    surfaces: dict[tuple[str, str], set[str]] = {}
    for mention in (*title, *body):
        key = (mention.type, mention.canonical)
        counts[key] += 1
        forms = surfaces.setdefault(key, set())
        if mention.text != mention.canonical:
            forms.add(_SPACES.sub(" ", mention.text))
        forms.update(_search_forms(mention.type, mention.canonical))
    return [
        (kind, canonical, n, MULTI_VALUE_SEPARATOR.join(sorted(surfaces.get((kind, canonical), set()) - {canonical})))
        for (kind, canonical), n in counts.items()
    ]


def _search_forms(kind: str, canonical: str) -> list[str]:
    """Shorter names an analyst searches by: a person's surname (``person:Putin`` finds "Vladimir Putin"),
    the acronyms inside an organisation's name (``org:OSCE`` finds "OSCE Minsk Group")."""
    words = canonical.split()
    if len(words) < 2:
        return []
    if kind == "PERSON":
        return [words[-1]]
    if kind == "ORG":
        return [w for w in words if len(w) >= 2 and w.isupper() and w.isalpha()]
    return []


def prepare(extracted: Extracted) -> Prepared:
    """Cache columns and rows for one article's extraction (runs in the workers)."""
    return encode(extracted), summarize(*extracted)
