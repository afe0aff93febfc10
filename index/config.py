"""Typed configuration, loaded from config.yaml and validated strictly.

The top-level ``config.yaml`` in the repository documents every key with its
default; the dataclasses below are the single source of those defaults. A wrong
key or type is a :class:`~newsdesk.index.errors.ConfigError` naming the key path, so a
typo never silently falls back to a default.
"""

from __future__ import annotations

import os
import re
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Literal

from newsdesk.index import locations
from newsdesk.index.errors import ConfigError
from newsdesk.index.ingest.formats import READABLE_EXTENSIONS
from newsdesk.index.safeyaml import YamlError, load_yaml

CONFIG_ENV_VAR = "NEWSDESK_CONFIG"

DEFAULT_BOILERPLATE = [
    r"^reading time:?\s*\d+\s*(min|minute|minutes)\b.*$",
    r"^\d+\s*min(ute)?s?\s+read$",
    r"^you may (also )?(want|like) to read\W*$",
    r"^(%d|\d+) bloggers? likes? this:?$",
    r"^(share|like) this:?$",
    r"^(click to )?share on (facebook|twitter|linkedin|whatsapp|telegram|email)\b.*$",
    r"^related( posts| articles| stories)?:?$",
    r"^(loading|advertisement|sponsored)\W*$",
    r"^photo:\s.*$",
    r"^based on materials from \S.*$",
    r"^(subscribe|sign up) (to|for) our newsletter\b.*$",
]

DEFAULT_JSON_FIELDS = {
    "title": ["title", "headline", "name"],
    "body": ["text", "body", "content", "article", "description"],
    "source": ["source", "site", "publisher", "source.name"],
    "date": ["date", "published", "published_at", "pubDate", "datePublished", "created_at"],
    "url": ["url", "link"],
    "author": ["author", "byline", "authors"],
    "language": ["language", "lang"],
    "tags": ["tags", "keywords", "categories"],
}


@dataclass(slots=True)
class IngestConfig:
    """How files become articles."""

    extensions: list[str] = field(default_factory=lambda: list(READABLE_EXTENSIONS))
    """File extensions read as articles; other files are ignored silently."""
    max_file_mb: float = 20.0
    """Files larger than this are skipped with a warning."""
    title_max_chars: int = 150
    """A .txt file's first line is its title when it is at most this long."""
    boilerplate: list[str] = field(default_factory=lambda: list(DEFAULT_BOILERPLATE))
    """Regular expressions (case-insensitive); a line that one matches whole is dropped."""
    extra_boilerplate: list[str] = field(default_factory=list)
    """More patterns, added to ``boilerplate`` rather than replacing it."""
    default_language: str = "en"
    """Language recorded when a file does not name one."""
    json_fields: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_JSON_FIELDS.items()}
    )
    """For .json/.jsonl: candidate keys per article field, tried in order."""
    workers: int = 0
    """Processes that parse files; 0 means one per core."""
    # -- documents and archives (PDF, Word, e-mail, web archives) --
    # YAML reads an unquoted off as false, so false means off too.
    ocr: Literal["auto", "off", False] = "auto"
    """auto: PDF pages without a text layer are read with Tesseract when it is installed; off: never."""
    ocr_languages: list[str] = field(default_factory=lambda: ["eng"])
    """Tesseract language packs for OCR (e.g. [eng, deu]); each must be installed."""
    ocr_timeout_seconds: float = 120.0
    """Seconds Tesseract may spend on one page before the page is given up with a warning."""
    max_archive_mb: float = 4096.0
    """.mbox and .warc(.gz) files are streamed, so they may be this large (max_file_mb bounds each item)."""
    max_expanded_mb: float = 256.0
    """Most a compressed document (PDF streams, .docx) or archive may expand to; past it, a warning."""
    max_expansion_ratio: float = 200.0
    """Most it may expand relative to its compressed size (checked once past 16 MB expanded)."""


@dataclass(slots=True)
class IndexConfig:
    """How the Whoosh index is written."""

    writer_memory_mb: int = 64
    """Memory each index writer process may use for its posting buffer."""
    procs: int = 0
    """Index writer processes for large batches; 0 means one per core."""
    batch_size: int = 200
    """Articles handed to a writer process at a time."""
    group_reprints: bool = True
    """Group reprints (the same story, lightly edited) while indexing; off: every article is its own story."""


MAX_TITLE_BOOST = 1000.0
"""The largest ``search.title_boost``: past it a title match is all the ranking there is anyway."""


@dataclass(slots=True)
class SearchConfig:
    """How queries run and results look."""

    page_size: int = 20
    """Hits per page."""
    snippet_chars: int = 200
    """Approximate length of a hit's snippet."""
    title_boost: float = 2.0
    """How much more a match in the title counts than one in the body."""
    facets: list[str] = field(default_factory=lambda: ["source", "date", "tags", "person", "org", "place"])
    """Facets counted for each search (source, date, tags, author, language, person, org, place)."""
    facet_limit: int = 10
    """Values shown per facet."""
    date_bucket: Literal["day", "month", "year"] = "month"
    """Granularity of the date facet."""


DEFAULT_ENTITY_COLORS = {"PERSON": "", "ORG": "", "PLACE": ""}


@dataclass(slots=True)
class EntitiesConfig:
    """How people, organisations and places are found."""

    backend: Literal["rules", "spacy", "none"] = "rules"
    """rules (built in, offline), spacy (needs spaCy and a model) or none."""
    spacy_model: str = "en_core_web_sm"
    """The spaCy model to load when backend is spacy."""
    watchlist: Path | None = None
    """Entities always found under your names; empty means <state_dir>/watchlist.yaml."""
    stoplist: Path | None = None
    """Names never reported; empty means <state_dir>/stoplist.yaml."""


@dataclass(slots=True)
class UIConfig:
    """The reader app (``newsdesk [DIR]``)."""

    theme: str = "textual-dark"
    """Theme at first start; the theme picked in the app is remembered and wins."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma-separated), replacing that binding's default keys."""
    entity_colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ENTITY_COLORS))
    """Colour per entity type (PERSON, ORG, PLACE); empty means the theme's colour."""
    tag_colors: dict[str, str] = field(default_factory=dict)
    """Background colour of annotated passages per tag; other tags use the theme's colour."""
    reader_width: int = 88
    """Widest line of article text, in columns."""
    side_panel_width: int = 32
    """Width of the side panel (entities, facets), in columns."""
    side_panel_min_columns: int = 120
    """Below this terminal width the side panel starts hidden (a key shows it)."""
    watch_seconds: float = 5.0
    """How often to look for new or changed files while the app runs; 0 turns it off."""


@dataclass(slots=True)
class Config:
    """Everything newsdesk can be told; see config.yaml for the documented defaults."""

    corpus: Path | None = None
    """Folder (or single file) of articles; empty means the bundled demo corpus."""
    state_dir: Path | None = None
    """Where the index and annotations live; empty means <corpus>/.newsdesk."""
    ingest: IngestConfig = field(default_factory=IngestConfig)
    index: IndexConfig = field(default_factory=IndexConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    ui: UIConfig = field(default_factory=UIConfig)
    source: Path | None = None
    """The file this config was read from (not a config key)."""


def _not_a_config_file(path: Path) -> str:
    """Why ``path`` cannot be the config file: a FIFO or a folder there was "not found" (red team)."""
    try:
        exists = path.exists()
    except OSError:
        exists = False
    return "not a regular file; a config file must be one" if exists else "config file not found"


def find_config_file(explicit: Path | None = None) -> Path | None:
    """Return the config file to use, by the documented lookup order."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: {_not_a_config_file(explicit)}")
        return explicit
    env_value = os.environ.get(CONFIG_ENV_VAR)
    if env_value:
        env_path = locations.expand_user(Path(env_value))
        if not env_path.is_file():
            raise ConfigError(f"{env_path}: {_not_a_config_file(env_path)} (from ${CONFIG_ENV_VAR})")
        return env_path
    for candidate in (Path.cwd() / "config.yaml", locations.user_config_file()):
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None) -> Config:
    """Load and validate the config, or return the defaults when there is no file."""
    config_file = find_config_file(path)
    if config_file is None:
        return Config()
    try:
        text = config_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: cannot read: {exc}") from None
    try:
        data = load_yaml(text)
    except YamlError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    if data is None:
        data = {}
    config = _build(Config, data, str(config_file), "")
    config = _resolve_paths(config, config_file.parent.resolve())
    config.source = config_file
    _check_values(config, str(config_file))
    return config


def with_overrides(config: Config, **changes: Any) -> Config:
    """A copy of ``config`` with top-level fields replaced (e.g. from the CLI)."""
    return replace(config, **changes)


def _resolve_paths(config: Config, base: Path) -> Config:
    def resolve(p: Path | None) -> Path | None:
        if p is None:
            return None
        p = locations.expand_user(p)
        return p if p.is_absolute() else (base / p)

    entities = replace(
        config.entities, watchlist=resolve(config.entities.watchlist), stoplist=resolve(config.entities.stoplist)
    )
    return replace(config, corpus=resolve(config.corpus), state_dir=resolve(config.state_dir), entities=entities)


def _check_values(config: Config, where: str) -> None:
    import re

    for pattern in config.ingest.boilerplate + config.ingest.extra_boilerplate:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: ingest boilerplate pattern {pattern!r}: {exc}") from None
    for language in config.ingest.ocr_languages:
        if not re.fullmatch(r"[A-Za-z0-9_]+", language):
            raise ConfigError(f"{where}: ingest.ocr_languages: {language!r} is not a Tesseract language name")
    positive = {
        "ingest.max_file_mb": config.ingest.max_file_mb,
        "ingest.title_max_chars": config.ingest.title_max_chars,
        "ingest.ocr_timeout_seconds": config.ingest.ocr_timeout_seconds,
        "ingest.max_archive_mb": config.ingest.max_archive_mb,
        "ingest.max_expanded_mb": config.ingest.max_expanded_mb,
        "ingest.max_expansion_ratio": config.ingest.max_expansion_ratio,
        "index.writer_memory_mb": config.index.writer_memory_mb,
        "index.batch_size": config.index.batch_size,
        "search.page_size": config.search.page_size,
        "search.snippet_chars": config.search.snippet_chars,
        "search.facet_limit": config.search.facet_limit,
        "ui.reader_width": config.ui.reader_width,
        "ui.side_panel_width": config.ui.side_panel_width,
    }
    for key, value in positive.items():
        if value <= 0:
            raise ConfigError(f"{where}: {key}: must be greater than 0, got {value}")
    for key, value in {"ingest.workers": config.ingest.workers, "index.procs": config.index.procs}.items():
        if value < 0:
            raise ConfigError(f"{where}: {key}: must be 0 (automatic) or more, got {value}")
    boost = config.search.title_boost
    if not 0 <= boost <= MAX_TITLE_BOOST:  # NaN fails both; Whoosh cannot pack a float past 3.4e38
        raise ConfigError(f"{where}: search.title_boost: must be from 0 to {MAX_TITLE_BOOST:g}, got {boost}")
    if config.ui.watch_seconds < 0:
        raise ConfigError(f"{where}: ui.watch_seconds: must be 0 (off) or more, got {config.ui.watch_seconds}")
    for name in config.ui.entity_colors:
        if name not in DEFAULT_ENTITY_COLORS:
            raise ConfigError(
                f"{where}: ui.entity_colors: unknown entity type {name!r} (known: {', '.join(DEFAULT_ENTITY_COLORS)})"
            )
    known_facets = {"source", "date", "tags", "author", "language", "person", "org", "place"}
    for name in config.search.facets:
        if name not in known_facets:
            raise ConfigError(
                f"{where}: search.facets: unknown facet {name!r} (known: {', '.join(sorted(known_facets))})"
            )


def _build(cls: type, data: Any, where: str, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: {prefix.rstrip('.') or 'top level'}: expected a mapping")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.name != "source"}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        key_path = f"{prefix}{_key_label(key)}"
        if key not in known:
            raise ConfigError(f"{where}: unknown key '{key_path}' (known here: {', '.join(sorted(known))})")
        values[key] = _convert(hints[key], raw, where, key_path)
    return cls(**values)


def _key_label(key: Any) -> str:
    """A mapping key as an error message shows it: as written when plain, else quoted, so it stays one line."""
    text = str(key)
    return text if text and text.isprintable() and text.strip() == text else repr(text)


def _type_name(tp: Any) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        Path: "a path",
        list: "a list",
        dict: "a mapping",
    }
    origin = typing.get_origin(tp) or tp
    return names.get(origin, getattr(origin, "__name__", str(tp)))


_EXPONENT_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")
"""A number with an exponent as YAML 1.2 (and Python) writes it; never a bare integer like "2"."""


def _convert(tp: Any, raw: Any, where: str, key_path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)

    def fail(expected: str) -> typing.NoReturn:
        raise ConfigError(f"{where}: {key_path}: expected {expected}, got {raw!r}")

    if origin in (typing.Union, types.UnionType):
        if raw is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], raw, where, key_path)
    if origin is Literal:
        if raw not in args:
            fail("one of " + ", ".join(repr(a) for a in args))
        return raw
    if isinstance(tp, type) and is_dataclass(tp):
        return _build(tp, raw, where, key_path + ".")
    if origin is list:
        if not isinstance(raw, list):
            fail(f"a list of {_type_name(args[0])[2:] if args else 'values'}")
        return [_convert(args[0], item, where, f"{key_path}[{i}]") for i, item in enumerate(raw)]
    if origin is dict:
        if not isinstance(raw, dict):
            fail("a mapping")
        return {
            _convert(args[0], k, where, key_path): _convert(args[1], v, where, f"{key_path}.{_key_label(k)}")
            for k, v in raw.items()
        }
    if tp is bool:
        if not isinstance(raw, bool):
            fail("true or false")
        return raw
    if tp is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            fail("an integer")
        return raw
    if tp is float:
        if isinstance(raw, str) and _EXPONENT_NUMBER.fullmatch(raw):
            # PyYAML (YAML 1.1) reads 1e3, 1e-05 (Python's own way of writing it) and 1.5e2 as text.
            return float(raw)
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            fail("a number")
        return float(raw)
    if tp is str:
        if not isinstance(raw, str):
            fail("a string")
        return raw
    if tp is Path:
        if not isinstance(raw, str) or not raw.strip():
            fail("a path")
        return Path(raw)
    raise ConfigError(f"{where}: {key_path}: unsupported setting type {tp!r}")
