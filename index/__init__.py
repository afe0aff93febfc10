"""newsdesk's headless core: ingest, index, search. No user interface in here.

The public API is what this module exports; the reader app and the CLI use
nothing else.
"""

from newsdesk.index.annotations import (
    Annotation,
    AnnotationError,
    AnnotationFileError,
    ArticleAnnotations,
    PlacedAnnotation,
)
from newsdesk.index.article import Article
from newsdesk.index.config import Config, load_config
from newsdesk.index.display import display_path
from newsdesk.index.entities import EntityContext, EntityCount, EntityMention, WatchEntry
from newsdesk.index.errors import (
    ArticleNotFound,
    ConfigError,
    CorpusError,
    DiskFullError,
    IndexDamagedError,
    IngestError,
    NewsdeskError,
    QueryError,
    QueryTooCostly,
    SavedSearchError,
    SavedSearchFileError,
    SearchCancelled,
    StoreDamagedError,
    UsageError,
)
from newsdesk.index.fingerprint import corpus_fingerprint
from newsdesk.index.indexer import UpdateStats
from newsdesk.index.library import ArticleSummary, Library, LibraryStatus
from newsdesk.index.matches import QueryMatcher, match_spans
from newsdesk.index.saved import SavedOverview, SavedSearch, SavedSearches, SavedSearchStatus
from newsdesk.index.saved import check_name as check_saved_name
from newsdesk.index.search import FacetValue, Hit, SearchResults
from newsdesk.index.similar import SimilarArticle
from newsdesk.index.timeline import Timeline, TimelineBucket
from newsdesk.index.typeahead import as_you_type

__all__ = [
    "Annotation",
    "AnnotationError",
    "AnnotationFileError",
    "Article",
    "ArticleAnnotations",
    "ArticleNotFound",
    "ArticleSummary",
    "Config",
    "ConfigError",
    "CorpusError",
    "DiskFullError",
    "EntityContext",
    "EntityCount",
    "EntityMention",
    "FacetValue",
    "Hit",
    "IndexDamagedError",
    "IngestError",
    "Library",
    "LibraryStatus",
    "NewsdeskError",
    "PlacedAnnotation",
    "QueryError",
    "QueryMatcher",
    "QueryTooCostly",
    "SavedOverview",
    "SavedSearch",
    "SavedSearchError",
    "SavedSearchFileError",
    "SavedSearchStatus",
    "SavedSearches",
    "SearchCancelled",
    "SearchResults",
    "SimilarArticle",
    "StoreDamagedError",
    "Timeline",
    "TimelineBucket",
    "UpdateStats",
    "UsageError",
    "WatchEntry",
    "as_you_type",
    "check_saved_name",
    "corpus_fingerprint",
    "display_path",
    "load_config",
    "match_spans",
]
