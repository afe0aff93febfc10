"""The public face of the headless core: one corpus, its store, index and searcher."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout
from newsdesk.index import locations
from newsdesk.index.annotations import Annotation, AnnotationStore, ArticleAnnotations
from newsdesk.index.annotations.anchor import occurrences
from newsdesk.index.annotations.entries import AnnotationEntry, annotation_entries, annotation_pages
from newsdesk.index.annotations.export import ArticleInfo, export, read_export
from newsdesk.index.annotations.model import AmbiguousQuote
from newsdesk.index.article import Article
from newsdesk.index.article_refs import find_article
from newsdesk.index.config import Config
from newsdesk.index.display import display_path
from newsdesk.index.engine.frequencies import warm_up as warm_up_search
from newsdesk.index.engine.interface import SearchEngine
from newsdesk.index.engine.search import ArticleSearcher, Cancelled, SearchResults
from newsdesk.index.entities import (
    EntityContext,
    EntityCount,
    EntityMention,
    WatchEntry,
    add_to_stoplist,
    add_to_watchlist,
)
from newsdesk.index.entities.queries import article_mentions, entity_contexts, top_entities
from newsdesk.index.entities.stage import extractor_spec, list_paths
from newsdesk.index.errors import CorpusError, StoreDamagedError, UsageError
from newsdesk.index.fingerprint import corpus_fingerprint
from newsdesk.index.healing import set_aside
from newsdesk.index.indexer import Indexer, ProgressCallback, UpdateStats
from newsdesk.index.ingest.discover import corpus_root
from newsdesk.index.saved import SavedSearches
from newsdesk.index.similar import SimilarArticle, similar_articles
from newsdesk.index.store import ArticleStore


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What a list of articles shows for each."""

    id: str
    title: str
    source: str | None
    date: str | None
    path: str


@dataclass(frozen=True, slots=True)
class LibraryStatus:
    """How far the index is."""

    articles: int
    indexed: bool
    in_sync: bool
    older_version: bool = False
    """The index reflects the store but an older newsdesk made it: searchable as it is, rebuilt by the next update."""


class Library:
    """A corpus opened for reading, searching and updating.

    >>> lib = Library.open(Path("articles"))
    >>> lib.update()                      # index new and changed files
    >>> lib.search('"launch pad"').total
    """

    def __init__(self, corpus: Path, state_dir: Path, config: Config) -> None:
        self.corpus = corpus
        self.root = corpus_root(corpus)
        self.state_dir = state_dir
        self.config = config
        self.repairs: list[str] = []
        """One line per piece of damaged state found (and set aside) since opening; the CLI prints them."""
        self.store = self._open_store()
        annotations_dir = state_dir / "annotations"
        if annotations_dir.exists() and not annotations_dir.is_dir():
            self.repairs.append(
                f"{display_path(str(annotations_dir))} is not a folder: annotations cannot be read or saved "
                "until it is moved away"
            )
        self.annotations = AnnotationStore(state_dir)
        self._indexer = Indexer(corpus, state_dir, self.store, config, self.annotations)
        # Typed as the protocol: mypy checks ArticleSearcher against it, and nothing here
        # may call a searcher method another engine would not have (docs/scaling.md).
        self._searcher: SearchEngine = ArticleSearcher(
            self._indexer.index_dir,
            self.store,
            config.search,
            on_damaged=lambda: self._indexer.mark_damaged(),
            index_named=lambda: self._indexer.index_named(),
        )
        self.saved = SavedSearches(state_dir, self.store, self._searcher, self.annotations.user)
        """The current user's saved searches (``saved.overview()`` counts what is new)."""

    @property
    def engine(self) -> SearchEngine:
        """The search engine this library searches with: what a :class:`SavedSearches` of another
        folder (or user) is built on."""
        return self._searcher

    def _open_store(self) -> ArticleStore:
        """The article store; a damaged one is set aside and a fresh one made (the next update fills it)."""
        path = self.state_dir / "articles.db"
        try:
            return ArticleStore(path)
        except StoreDamagedError as exc:
            self._set_aside_store(path, str(exc))
            return ArticleStore(path)

    def _set_aside_store(self, path: Path, why: str) -> None:
        # Under the update lock, and only if still damaged then: two sessions finding
        # the damage at once must not set aside each other's fresh store.
        try:
            with FileLock(str(self.state_dir / "update.lock")).acquire(timeout=30):
                try:
                    check = ArticleStore(path)
                    intact = check.is_intact()
                    check.close()
                    if intact:
                        return  # another session healed it meanwhile
                except StoreDamagedError:
                    pass
                self._move_store_aside(path, why)
        except Timeout:
            raise CorpusError("another newsdesk process is updating this corpus; try again later") from None
        except OSError as exc:
            raise StoreDamagedError(f"{why}; it cannot be moved aside ({exc.strerror or exc})") from None

    def _move_store_aside(self, path: Path, why: str) -> None:
        # The store and its WAL files go together: a WAL replayed into a fresh store would corrupt it.
        aside = set_aside(path)
        if aside is None:
            raise StoreDamagedError(f"{why}; it cannot be moved aside (read-only state folder?)") from None
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                set_aside(companion)
        self.repairs.append(f"{why}: set aside as {display_path(aside.name)}; rebuilt from the corpus")

    def _replace_damaged_store(self, why: str) -> None:
        """Set the damaged store aside and point every part at a fresh one."""
        self._searcher.close()
        self.store.close()
        self._set_aside_store(self.store.path, why)
        self.store = ArticleStore(self.store.path)
        self._indexer.store = self.store
        self._searcher.use_store(self.store)

    @classmethod
    def open(cls, corpus: Path | None = None, state_dir: Path | None = None, config: Config | None = None) -> Library:
        """Open ``corpus`` (else the config's, else the bundled demo corpus)."""
        config = config or Config()
        corpus = corpus or config.corpus or locations.demo_corpus()
        corpus = locations.expand_user(corpus)
        if not corpus.exists():
            raise UsageError(f"{corpus}: corpus not found")
        if not (corpus.is_dir() or corpus.is_file()):
            raise UsageError(f"{corpus}: not a folder or a file")
        state_dir = locations.expand_user(state_dir or config.state_dir or locations.default_state_dir(corpus))
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CorpusError(f"{state_dir}: cannot create the state folder: {exc.strerror or exc}") from None
        return cls(corpus, state_dir, config)

    def close(self) -> None:
        """Close the index and the store."""
        self._searcher.close()
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        """A short name for the corpus (its folder name)."""
        return self.corpus.resolve().name

    def update(self, rebuild: bool = False, progress: ProgressCallback | None = None, wait: float = -1) -> UpdateStats:
        """Read added and changed files, drop deleted ones, update the index.

        Damaged state heals here: a damaged index folder is rebuilt from the
        store, a damaged store from the corpus; ``repairs`` on the result says so.
        """
        try:
            stats = self._indexer.update(rebuild=rebuild, progress=progress, wait=wait)
        except StoreDamagedError as exc:
            self._replace_damaged_store(str(exc))
            stats = self._indexer.update(rebuild=True, progress=progress, wait=wait)
        stats.repairs[:0] = self.repairs
        self.repairs = []
        return stats

    def fingerprint(self, cancelled: Callable[[], bool] | None = None) -> int | None:
        """A number that changes when files :meth:`update` would read are added, changed or removed.

        Walks the corpus as :meth:`update` does (one stat per file, nothing read),
        for polling; None when ``cancelled()`` stopped the walk part way.
        """
        return corpus_fingerprint(self.corpus, self.config.ingest.extensions, [self.state_dir], cancelled)

    def status(self) -> LibraryStatus:
        """Article count and whether the index can be searched."""
        return LibraryStatus(
            articles=self.store.count(),
            indexed=self._indexer.index_dir() is not None,
            in_sync=self._indexer.index_in_sync(),
            older_version=self._indexer.index_from_older_version(),
        )

    def warm_up(self) -> None:
        """Load what searching needs but start-up does not (numpy, ~60 ms); for a background thread after start.

        The first search would otherwise wait for it.
        """
        warm_up_search()

    def index_version(self) -> str:
        """A value that changes whenever the search index changes (an update, anyone's annotation sync).

        For a reader to notice that its results may be out of date; cheap enough to poll.
        """
        return self._indexer.index_version()

    def search(self, query: str, limit: int | None = None, page: int = 1, facets: bool = True) -> SearchResults:
        """Search the corpus with the Whoosh query language."""
        return self._searcher.search(query, limit=limit, page=page, facets=facets)

    def similar(self, ref: str, limit: int = 10) -> list[SimilarArticle]:
        """Articles like the one ``ref`` names: reprints first, then related articles."""
        if limit < 1:
            raise UsageError("--limit must be 1 or more")
        return similar_articles(self.article(ref), self.store, self._searcher, limit)

    def search_in_stages(
        self, query: str, limit: int | None = None, cancelled: Cancelled | None = None
    ) -> Iterator[SearchResults]:
        """The first page of hits as soon as known, then the exact total, facets and suggestion.

        ``cancelled`` is asked between stages; when it returns True the search
        stops with :class:`~newsdesk.index.errors.SearchCancelled`.
        """
        return self._searcher.search_in_stages(query, limit=limit, cancelled=cancelled)

    def count(self) -> int:
        """How many articles the corpus holds."""
        return self.store.count()

    def list_articles(self, offset: int = 0, limit: int = 100) -> list[ArticleSummary]:
        """A page of articles, newest first."""
        return [ArticleSummary(*row) for row in self.store.list_summaries(offset, limit)]

    def article_position(self, article_id: str) -> int | None:
        """The offset of ``article_id`` in :meth:`list_articles`' order, or None when it is not in the library."""
        return self.store.summary_position(article_id)

    def article(self, ref: str) -> Article:
        """An article by id, or by corpus path (``path#N`` for the N-th item of a multi-article file)."""
        return find_article(self.store, self.root, ref)

    # -- entities -------------------------------------------------------------------
    def entities(self, ref: str) -> list[EntityMention]:
        """The people, organisations and places in an article's text, in order, with offsets."""
        article = self.article(ref)
        return article_mentions(self.store, extractor_spec(self.config, self.state_dir), article)

    def top_entities(self, limit: int = 20, type: str | None = None) -> list[EntityCount]:
        """The entities mentioned in the most articles, optionally of one type (PERSON, ORG, PLACE)."""
        return top_entities(self.store, limit, type)

    def entity_mentions(self, canonical: str, type: str, limit: int = 200) -> list[EntityContext]:
        """Every mention of one entity across the corpus, newest first, as keyword-in-context lines."""
        return entity_contexts(self.store, extractor_spec(self.config, self.state_dir), canonical, type, limit)

    def watch_entity(self, name: str, type: str, aliases: list[str] | None = None) -> WatchEntry:
        """Add an entity to the watchlist (takes effect, corpus-wide, at the next update)."""
        return add_to_watchlist(list_paths(self.config, self.state_dir)[0], name, type, aliases or [])

    def stop_entity(self, name: str) -> None:
        """Add a name to the stoplist (takes effect at the next update)."""
        add_to_stoplist(list_paths(self.config, self.state_dir)[1], name)

    # -- annotations ----------------------------------------------------------------
    def annotations_of(self, ref: str) -> ArticleAnnotations:
        """Everyone's annotations of an article, placed in its current text (orphans apart)."""
        return self.annotations.for_article(self.article(ref))

    def article_annotations(self, article: Article) -> ArticleAnnotations:
        """Everyone's annotations of an article already read, placed in its text (any thread)."""
        return self.annotations.for_article(article)

    def all_annotations(self) -> tuple[list[Annotation], list[str]]:
        """Every annotation in the corpus, and one line per annotation file that could not be read."""
        return self.annotations.all()

    def annotation_entries(self) -> tuple[list[AnnotationEntry], list[str]]:
        """Every annotation with its article's title and anchoring, newest change first; and unreadable files."""
        annotations, errors = self.annotations.all()
        return annotation_entries(annotations, self.store.get_many), errors

    def add_annotation(
        self, article: Article, start: int, end: int, tags: Iterable[str] = (), note: str = ""
    ) -> Annotation:
        """Annotate ``article.text[start:end]`` as the current OS user; durable on return."""
        return self.annotations.add(article, start, end, tags, note)

    def edit_annotation(
        self,
        article: Article,
        annotation_id: str,
        *,
        tags: Iterable[str] | None = None,
        note: str | None = None,
        base: Annotation | None = None,
    ) -> Annotation:
        """Change the tags or note of one of the current user's annotations; durable on return.

        ``base``: the annotation as the user last saw it; if another session changed it since,
        raises ``AnnotationChanged`` (with the annotation as it is now) and writes nothing.
        """
        return self.annotations.edit(article, annotation_id, tags=tags, note=note, base=base)

    def delete_annotation(self, article_id: str, annotation_id: str) -> Annotation:
        """Delete one of the current user's annotations and return it (for :meth:`restore_annotation`)."""
        return self.annotations.delete(article_id, annotation_id)

    def restore_annotation(self, annotation: Annotation) -> None:
        """Put back an annotation :meth:`delete_annotation` returned (undo)."""
        self.annotations.restore(annotation)

    def annotate(self, ref: str, start: int, end: int, tags: list[str] | None = None, note: str = "") -> Annotation:
        """Annotate ``text[start:end]`` of an article as the current OS user; durable on return."""
        return self.annotations.add(self.article(ref), start, end, tags or [], note)

    def annotate_quote(
        self, ref: str, quote: str, occurrence: int | None = None, tags: list[str] | None = None, note: str = ""
    ) -> Annotation:
        """Annotate the ``occurrence``-th (from 1) appearance of ``quote`` in an article's text.

        Without ``occurrence``, a quote found more than once raises :class:`AmbiguousQuote`
        (which lists where), rather than silently taking the first.
        """
        article = self.article(ref)
        if not quote.strip():
            raise UsageError("--quote must not be empty")
        positions = occurrences(article.text, quote)
        if not positions:
            raise UsageError(f"{ref}: the quote does not occur in the article's text")
        if occurrence is None and len(positions) > 1:
            raise AmbiguousQuote(ref, [(article.text.count("\n", 0, p) + 1, p) for p in positions])
        occurrence = 1 if occurrence is None else occurrence  # 0 is a mistake, not "the first"
        if not 1 <= occurrence <= len(positions):
            count = len(positions)
            raise UsageError(f"{ref}: the quote occurs {count} time(s); --occurrence must be 1-{count}")
        start = positions[occurrence - 1]
        return self.annotations.add(article, start, start + len(quote), tags or [], note)

    def sync_annotations(self, wait: float = -1) -> int:
        """Bring the search index up to date with annotation files (yours and others'); returns articles re-indexed."""
        return self._indexer.sync_annotations(wait)

    def export_annotations(self, fmt: str, tag: str | None = None) -> str:
        """Every annotation (optionally only those with ``tag``) in an export format."""
        annotations, _ = self.annotations.all()
        if tag is not None:
            annotations = [a for a in annotations if tag in a.tags]
        articles = self.store.get_many(sorted({a.article_id for a in annotations}))
        info = {
            i: ArticleInfo(a.title, display_path(a.path) + (f"#{a.item}" if a.item else ""), a.url)
            for i, a in articles.items()
        }
        return export(annotations, info, fmt, annotation_pages(annotations, articles))

    def annotation_pages(self, annotations: Iterable[Annotation]) -> dict[str, int]:
        """Annotation id -> the page of a PDF its passage begins on (only annotations of paged articles)."""
        annotations = list(annotations)
        return annotation_pages(annotations, self.store.get_many(sorted({a.article_id for a in annotations})))

    def import_annotations(self, text: str, name: str) -> tuple[int, int]:
        """Add annotations from a newsdesk YAML/JSON export; ids already present are skipped."""
        added, skipped, _ = self.import_export(text, name)
        return added, skipped

    def import_export(self, text: str, name: str) -> tuple[int, int, int]:
        """:meth:`import_annotations`, and how many tags of the annotations added went to the end of their
        notes (tags an older version saved that no tag may be now), so the import can say so."""
        annotations, moved = read_export(text, name)
        ids: list[str] = []
        added, skipped = self.annotations.import_annotations(annotations, ids)
        return added, skipped, sum(moved.get(i, 0) for i in ids)
