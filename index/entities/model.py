"""What entity extraction produces, and what the corpus-wide entity queries return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EntityType = Literal["PERSON", "ORG", "PLACE"]
ENTITY_TYPES: tuple[EntityType, ...] = ("PERSON", "ORG", "PLACE")
INDEX_FIELDS: dict[EntityType, str] = {"PERSON": "person", "ORG": "org", "PLACE": "place"}
"""The index field (and facet) each type is searchable under: ``person:"Vladimir Putin"``."""


@dataclass(frozen=True, slots=True)
class EntityMention:
    """One mention of an entity: ``text`` is exactly ``article.text[start:end]``."""

    text: str
    canonical: str
    """The name that links this mention to every other mention of the same entity."""
    type: EntityType
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EntityCount:
    """An entity and how often the corpus mentions it."""

    canonical: str
    type: EntityType
    articles: int
    mentions: int


@dataclass(frozen=True, slots=True)
class EntityContext:
    """One mention of an entity somewhere in the corpus, as a keyword-in-context line."""

    article_id: str
    title: str
    date: str | None
    source: str | None
    start: int
    end: int
    left: str
    match: str
    right: str
