"""newsdesk's headless core: ingest, index, search. No user interface in here.

The public API is what this module exports; the reader app and the CLI use
nothing else.
"""

from index.annotations import (
    Annotation,
    AnnotationError,
    AnnotationFileError,
    ArticleAnnotations,
    PlacedAnnotation,
)
from index.article import Article
from index.config import Config, load_config
from index.entities import EntityContext, EntityCount, EntityMention, WatchEntry
from index.errors import (
    ArticleNotFound,
    ConfigError,
    CorpusError,
    IngestError,
    NewsdeskError,
    QueryError,
    UsageError,
)
from index.indexer import UpdateStats
from index.library import ArticleSummary, Library, LibraryStatus
from index.search import FacetValue, Hit, SearchResults

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
    "SearchResults",
    "UpdateStats",
    "UsageError",
    "WatchEntry",
    "load_config",
]
