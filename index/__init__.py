"""newsdesk's headless core: ingest, index, search. No user interface in here.

The public API is what this module exports; the reader app and the CLI use
nothing else.
"""

from newsdesk.index.annotations import (
    Annotation,
    AnnotationChanged,
    AnnotationError,
    AnnotationFileError,
    ArticleAnnotations,
    PlacedAnnotation,
)
from newsdesk.index.annotations.entries import AnnotationEntry
from newsdesk.index.annotations.export import FORMATS as ANNOTATION_EXPORT_FORMATS
from newsdesk.index.annotations.export import dump_json
from newsdesk.index.annotations.model import check_tag as check_annotation_tag
from newsdesk.index.annotations.model import is_invisible as invisible_in_tags
from newsdesk.index.annotations.tag_words import IMPORTED_TAGS_MARK, UNSAVED_TAGS_MARK, tags_and_note
from newsdesk.index.annotations.tag_words import symbol as control_symbol
from newsdesk.index.article import Article
from newsdesk.index.atomic import write_atomic
from newsdesk.index.config import Config, load_config, with_overrides
from newsdesk.index.display import display_path
from newsdesk.index.engine.matches import QueryMatcher, match_spans
from newsdesk.index.engine.search import FacetValue, Hit, SearchResults
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
from newsdesk.index.ingest.clean import sanitize
from newsdesk.index.library import ArticleSummary, Library, LibraryStatus
from newsdesk.index.locations import APP_NAME, expand_user
from newsdesk.index.orphans import QUIET_WORKERS_ENV
from newsdesk.index.ownership import is_own_file
from newsdesk.index.saved import SavedOverview, SavedSearch, SavedSearches, SavedSearchStatus
from newsdesk.index.saved import check_name as check_saved_name
from newsdesk.index.similar import SimilarArticle
from newsdesk.index.timeline import Timeline, TimelineBucket
from newsdesk.index.typeahead import as_you_type

__all__ = [
    "ANNOTATION_EXPORT_FORMATS",
    "APP_NAME",
    "IMPORTED_TAGS_MARK",
    "QUIET_WORKERS_ENV",
    "UNSAVED_TAGS_MARK",
    "Annotation",
    "AnnotationChanged",
    "AnnotationEntry",
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
    "check_annotation_tag",
    "check_saved_name",
    "control_symbol",
    "corpus_fingerprint",
    "display_path",
    "dump_json",
    "expand_user",
    "invisible_in_tags",
    "is_own_file",
    "load_config",
    "match_spans",
    "sanitize",
    "tags_and_note",
    "with_overrides",
    "write_atomic",
]
