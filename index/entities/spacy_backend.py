"""The optional spaCy backend: a statistical model instead of rules, when one is installed.

spaCy's English models are not on every package index, so this backend is
never required: ``entities.backend: spacy`` with no spaCy or no model stops
with one line saying how to install them. Its labels map onto ours (PERSON,
ORG; GPE, LOC and FAC as places; nationalities, NORP, are dropped), and its
mentions then go through the same watchlist and stoplist as the rules.
"""

from __future__ import annotations

from typing import Any

from newsdesk.index.entities.lists import EntityLists
from newsdesk.index.entities.model import EntityMention, EntityType
from newsdesk.index.errors import ConfigError

LABELS: dict[str, EntityType] = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
_STRIP_PREFIXES = ("the ", "The ")
_POSSESSIVES = ("'s", "’s")


class SpacyExtractor:
    """Entities from a spaCy pipeline (``nlp``), or from the named model."""

    name = "spacy"

    def __init__(self, lists: EntityLists, model: str = "en_core_web_sm", nlp: Any = None) -> None:
        self.lists = lists
        self.nlp = nlp if nlp is not None else _load(model)

    def extract_article(self, title: str, text: str) -> tuple[list[EntityMention], list[EntityMention]]:
        """(mentions in the title, mentions in the text)."""
        return self.extract(title), self.extract(text)

    def extract(self, text: str) -> list[EntityMention]:
        """Mentions in ``text``; ``text[m.start:m.end] == m.text`` always."""
        mentions = []
        for ent in self.nlp(text).ents:
            kind = LABELS.get(ent.label_)
            if kind is None:
                continue
            start, end = ent.start_char, ent.end_char
            surface = text[start:end]
            if surface.startswith(_STRIP_PREFIXES):
                start += 4
            if text[start:end].endswith(_POSSESSIVES):
                end -= 2
            surface = text[start:end]
            if not surface.strip():
                continue
            decided = self.lists.decide(kind, " ".join(surface.split()), surface)
            if decided is not None:
                mentions.append(EntityMention(surface, decided[1], decided[0], start, end))
        return mentions


def _load(model: str) -> Any:
    try:
        import spacy
    except ImportError:
        raise ConfigError(
            "entities.backend is spacy, but spaCy is not installed: pip install spacy, then an English "
            f"model ({model}); or set entities.backend: rules"
        ) from None
    try:
        return spacy.load(model, disable=["parser", "lemmatizer"])
    except OSError:
        raise ConfigError(
            f"entities.backend is spacy, but the model {model!r} is not installed: python -m spacy download "
            f"{model} (or pip install its wheel); or set entities.backend: rules"
        ) from None
