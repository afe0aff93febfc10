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
from newsdesk.index.entities import EntityContext, EntityCount, EntityMention, WatchEntry
from newsdesk.index.errors import (
    ArticleNotFound,
    ConfigError,
    CorpusError,
    IngestError,
    NewsdeskError,
    QueryError,
    SearchCancelled,
    UsageError,
)
from newsdesk.index.indexer import UpdateStats
from newsdesk.index.library import ArticleSummary, Library, LibraryStatus
from newsdesk.index.search import FacetValue, Hit, SearchResults
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
    "EntityContext",
    "EntityCount",
    "EntityMention",
    "FacetValue",
    "Hit",
    "IngestError",
    "Library",
    "LibraryStatus",
    "NewsdeskError",
    "PlacedAnnotation",
    "QueryError",
    "SearchCancelled",
    "SearchResults",
    "UpdateStats",
    "UsageError",
    "WatchEntry",
    "as_you_type",
    "load_config",
]
