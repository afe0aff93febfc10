"""Shouted lines: headlines and datelines written in capitals ("LONDON 1996-08-30").

Their capitals say nothing about names, so the rule extractor masks them while it reads the prose and
reads them afterwards, taking only names the prose gave (in any case: "GRAF" after "Steffi Graf"), watched
names, places and well-known organisations.
"""

from __future__ import annotations

import re

from newsdesk.index.entities.gazetteer import Gazetteer
from newsdesk.index.entities.lexicon import AGENCIES, DATE_WORDS, FUNCTION_WORDS, KNOWN_ORGS, ORG_ACRONYM_BLOCK
from newsdesk.index.entities.lists import EntityLists
from newsdesk.index.entities.model import EntityMention, EntityType

_LINE = re.compile(r"[^\n]+")
_ASCII_CAPITAL = re.compile(r"[A-Z]")
_CAPS_WORD = re.compile(r"[^\W\d_]{2}")
_SHOUT_TOKEN = re.compile(r"(?<![\w.])[^\W\d_](?:[\w'’&]|\.(?=\w)|\.(?<=\b\w\.)|-(?=\w))*")
_SPACES = re.compile(r"\s+")
_POSSESSIVE = ("'s", "’s")
_MAX_NAME_TOKENS = 4


def shouted_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line written in capitals: headlines and datelines ("LONDON 1996-08-30")."""
    if (not _ASCII_CAPITAL.search(text)) if text.isascii() else text == text.lower():
        return []  # no capitals at all (for ASCII text, a search that stops at the first capital)
    return [
        line.span()
        for line in _LINE.finditer(text)
        if line.group() == line.group().upper() and _CAPS_WORD.search(line.group())
    ]


class ShoutedLines:
    """Reads the names out of shouted lines, for one extractor (its gazetteer and lists)."""

    def __init__(self, gazetteer: Gazetteer, lists: EntityLists) -> None:
        self.gazetteer = gazetteer
        self.lists = lists
        self._phrases = frozenset(
            name.upper() for name in (*gazetteer.major, *KNOWN_ORGS, *AGENCIES) if " " in name or "-" in name
        )

    def names(self, text: str, regions: list[tuple[int, int]], prose: list[EntityMention]) -> list[EntityMention]:
        """The mentions in shouted ``regions`` of ``text``, given the mentions of its ``prose``."""
        known: dict[str, tuple[EntityType, str]] = {}
        for m in prose:
            known.setdefault(_SPACES.sub(" ", m.text).upper(), (m.type, m.canonical))
            known.setdefault(m.canonical.upper(), (m.type, m.canonical))
            if m.type == "PERSON" and " " in m.canonical:
                known.setdefault(m.canonical.rsplit(" ", 1)[1].upper(), (m.type, m.canonical))
        found: list[EntityMention] = []
        for region_start, region_end in regions:
            tokens = [t.span() for t in _SHOUT_TOKEN.finditer(text, region_start, region_end)]
            index = 0
            while index < len(tokens):
                taken = 1
                for size in range(min(_MAX_NAME_TOKENS, len(tokens) - index), 0, -1):
                    start, end = tokens[index][0], tokens[index + size - 1][1]
                    name = text[start:end]
                    if size > 1 and name not in known and name not in self._phrases:
                        continue  # only names known to have several words are tried as several
                    if name.endswith(_POSSESSIVE):
                        name, end = name[:-2], end - 2
                    decided = self._name(name, known, first=start == region_start or size > 1)
                    if decided is not None:
                        listed = self.lists.decide(decided[0], decided[1], name)
                        if listed is not None:
                            found.append(EntityMention(name, listed[1], listed[0], start, end))
                        taken = size
                        break
                index += taken
        return found

    def _name(self, name: str, known: dict[str, tuple[EntityType, str]], first: bool) -> tuple[EntityType, str] | None:
        watched = self.lists.watched.get(name)
        if watched is not None:
            return watched.type, watched.name
        if name in known:
            return known[name]
        titled = name.title()
        if titled in DATE_WORDS or titled in FUNCTION_WORDS or name in ORG_ACRONYM_BLOCK:
            return None
        organisation = AGENCIES.get(name) or KNOWN_ORGS.get(name) or AGENCIES.get(titled) or KNOWN_ORGS.get(titled)
        if organisation is not None:
            return "ORG", organisation
        for form in (name, titled):
            place = self.gazetteer.lookup(form)
            if place is not None and (place[1] or first):  # a minor place only where a dateline is
                return "PLACE", place[0]
        return None
