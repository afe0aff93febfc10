"""Deciding single capitalised words, with the whole article known.

A word standing alone ("Putin", "OSCE", "Karabakh", "Stepanakert") says little by itself, so it is decided
after every run of the article has been read: a surname gives the person named in full, an acronym in
brackets or an organisation's initials give the organisation, a hyphenated place gives its parts; then the
gazetteer, the word's shape and its neighbours ("in X", "X said", "the X river"). What one mention settles
holds for the whole article, and a list shares the type of its known members.
"""

from __future__ import annotations

import re

from newsdesk.index.entities.capitalised_runs import Candidate
from newsdesk.index.entities.gazetteer import Gazetteer
from newsdesk.index.entities.lexicon import (
    AGENCIES,
    DATE_WORDS,
    FUNCTION_WORDS,
    GENERIC_SUBJECTS,
    KNOWN_ORGS,
    LOWER_PLACE_TAILS,
    ORG_ACRONYM_BLOCK,
    PLACE_PREPOSITIONS,
    ROLE_CUES_LOWER,
    SPEECH_VERBS,
)
from newsdesk.index.entities.lists import EntityLists
from newsdesk.index.entities.lower_words import LowerCaseWords
from newsdesk.index.entities.model import EntityMention, EntityType
from newsdesk.index.entities.names import fold_key
from newsdesk.index.entities.word_shapes import is_role, person_word, sentence_initial

_PUNCTUATION = "\"'“”‘’()[],;:"
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")
_LIST_GAPS = frozenset({",", "and", ", and", "or", ", or"})
_ACRONYM_AFTER = re.compile(r" \(((?:[A-Z]\.?){2,8})\)")
_SURNAME_ENDINGS = (
    "yan",
    "ian",
    "ov",
    "ova",
    "ev",
    "eva",
    "in",
    "ina",
    "enko",
    "sky",
    "ski",
    "ska",
    "ic",
    "ich",
    "vic",
    "escu",
    "idze",
    "dze",
    "shvili",
    "ovic",
    "son",
    "sen",
    "zadeh",
    "oglu",
    "ez",
    "es",
    "ini",
    "elli",
    "ides",
    "opoulos",
    "akis",
    "stein",
    "berg",
    "mann",
    "man",
    "er",
    "ey",
    "ley",
    "ton",
    "ford",
    "well",
    "wood",
)
_MAX_WORD_FACTS = 200_000

WordFacts = tuple[str | None, tuple[str, bool] | None, bool | None, bool]
"""What a word is regardless of context: (agency or organisation canonical name, gazetteer entry, acronym
usable as an organisation (None: not an acronym), never a name on its own)."""


class SingleWordResolver:
    """Decides the undecided names of an article, with one gazetteer and the watchlist and stoplist."""

    def __init__(self, gazetteer: Gazetteer, lists: EntityLists) -> None:
        self.gazetteer = gazetteer
        self.lists = lists
        self._word_facts: dict[str, WordFacts] = {}

    def resolve(self, text: str, found: list[Candidate], lower: LowerCaseWords) -> list[EntityMention]:
        """The mentions of ``text``: ``found`` with its undecided single words decided, through the lists.

        ``found`` holds every name the runs gave, in any order; it is sorted in place.
        """
        surnames: dict[str, str] = {}
        aliases: dict[str, tuple[EntityType, str]] = {}
        for c in found:
            if c.canonical is not None:
                self._learn_aliases(text, c, surnames, aliases)
        decided_now = []
        for c in found:
            if c.canonical is None:
                surface = text[c.start : c.end]
                surname = surnames.get(surface) or surnames.get(fold_key(surface))
                if c.type == "PERSON" or (surname is not None and not self._major_place(surface)):
                    c.type, c.canonical = "PERSON", surname or surface
                    decided_now.append(c)
                else:
                    decided = self._single(text, c, surface, aliases, lower)
                    if decided is not None:
                        c.type, c.canonical = decided
                        decided_now.append(c)
        # What one mention settled holds for the whole article ("in Stepanakert" ...
        # "overlooks Stepanakert"), and a list shares the type of its known members
        # ("the districts of Kalbajar, Aghdam and Lachin"). Mentions settled before the loop above
        # taught their aliases already (first come, first kept), so only the new ones are asked.
        for c in decided_now:
            self._learn_aliases(text, c, surnames, aliases)
        settled = {text[c.start : c.end]: (c.type, c.canonical) for c in found if c.canonical is not None}
        settled.update(aliases)
        found.sort(key=lambda c: c.start)
        for index, c in enumerate(found):
            if c.canonical is None:
                surface = text[c.start : c.end]
                if surface in settled:
                    c.type, c.canonical = settled[surface]
                elif listed_with_place(text, found, index):
                    c.type, c.canonical = "PLACE", surface
        if self.lists.is_empty:  # nothing to stop or rename: the common case, and the benchmark's
            return [
                EntityMention(text[c.start : c.end], c.canonical, c.type, c.start, c.end)
                for c in found
                if c.canonical is not None and c.type is not None
            ]
        mentions = []
        for c in found:
            if c.canonical is None or c.type is None:
                continue
            surface = text[c.start : c.end]
            decided = self.lists.decide(c.type, c.canonical, surface)
            if decided is not None:
                mentions.append(EntityMention(surface, decided[1], decided[0], c.start, c.end))
        return mentions

    @staticmethod
    def _learn_aliases(
        text: str, c: Candidate, surnames: dict[str, str], aliases: dict[str, tuple[EntityType, str]]
    ) -> None:
        surface = text[c.start : c.end]
        assert c.canonical is not None
        if c.type == "PERSON" and " " in c.canonical:
            surname = c.canonical.rsplit(" ", 1)[1]
            surnames.setdefault(surname, c.canonical)
            surnames.setdefault(fold_key(surname), c.canonical)  # "Aliev" after "Ilham Aliyev"
        elif c.type == "ORG":
            acronym = _ACRONYM_AFTER.match(text, c.end)
            if acronym:
                aliases.setdefault(acronym.group(1), ("ORG", c.canonical))
            initials = "".join(w[0] for w in surface.split() if w[0].isupper())
            if len(initials) >= 3:
                aliases.setdefault(initials, ("ORG", c.canonical))
        elif c.type == "PLACE" and "-" in surface:
            for part in surface.split("-"):
                if len(part) > 3 and part[0].isupper():
                    aliases.setdefault(part, ("PLACE", c.canonical))

    def _single(
        self,
        text: str,
        c: Candidate,
        word: str,
        aliases: dict[str, tuple[EntityType, str]],
        lower: LowerCaseWords,
    ) -> tuple[EntityType, str] | None:
        known = aliases.get(word)
        if known is not None:
            return known
        facts = self._word_facts.get(word)
        if facts is None:
            if len(self._word_facts) > _MAX_WORD_FACTS:
                self._word_facts.clear()
            facts = self._word_facts[word] = self._facts_of(word)
        agency, place, acronym, never_a_name = facts
        if agency is not None:
            return "ORG", agency
        if place is not None and (place[1] or not (sentence_initial(text, c.start) and word.lower() in lower)):
            return "PLACE", place[0]
        if acronym is not None:
            # a shouted word ("UPDATED") is no acronym
            return ("ORG", word) if acronym and word.replace(".", "").lower() not in lower else None
        if never_a_name or word.lower() in lower:  # a common word, or never a name
            return None
        initial = sentence_initial(text, c.start)
        after = _NEXT_WORD.match(text, c.end)
        next_word = after.group(1) if after else ""
        # The two words before (a plain split: a regex anchored at the end backtracks badly).
        before = [w.strip(_PUNCTUATION) for w in text[max(0, c.start - 40) : c.start].split()[-2:]]
        previous = before[-1].lower() if before else ""
        second = before[0].lower() if len(before) == 2 else ""
        if previous == "the":
            # People take no article: "the Kremlin said", "a Kremlin spokesman"
            return ("ORG", word) if next_word in SPEECH_VERBS or next_word in ROLE_CUES_LOWER else None
        if next_word in ROLE_CUES_LOWER and next_word not in SPEECH_VERBS:
            return "ORG", word
        if next_word in LOWER_PLACE_TAILS:
            return "PLACE", word  # "the Aras river", "the Lachin corridor"
        alternate = self.gazetteer.alternate(word)  # "Stepanakert": GeoNames' "Khankendi"
        if not initial and previous in PLACE_PREPOSITIONS:
            return "PLACE", alternate or word
        if alternate is not None and previous not in ROLE_CUES_LOWER:
            return "PLACE", alternate
        if next_word in SPEECH_VERBS:
            # Not introduced by a full name or a title anywhere in the article (both were tried
            # before this): in news that is a company, a party or a body ("Qantas says"), unless the
            # word is built like a family name ("Grigoryan said", "Petrov said").
            return ("PERSON", word) if word.lower().endswith(_SURNAME_ENDINGS) else ("ORG", word)
        if not initial and previous == "of" and second in LOWER_PLACE_TAILS:
            return "PLACE", word  # "the town of Hadrut", "districts of Kalbajar"
        if not initial and previous in ROLE_CUES_LOWER:
            return "PERSON", word
        return None

    def _facts_of(self, word: str) -> WordFacts:
        """What a single word is regardless of context (memoised per extractor: words repeat a lot).

        (agency canonical name, gazetteer entry, acronym usable as an organisation
        (None: not an acronym), never a name on its own).
        """
        letters = word.replace(".", "")
        acronym = None
        place = self.gazetteer.lookup(word)
        if letters.isupper() and letters.isalpha():
            acronym = 2 <= len(letters) <= 6 and letters not in ORG_ACRONYM_BLOCK
            titled = word.title()
            if place is None and len(letters) >= 4:
                major = self.gazetteer.lookup(titled)
                place = major if major and major[1] else None  # a dateline: "ROME", "VIENNA"
            if place is not None or titled in DATE_WORDS or titled in FUNCTION_WORDS:
                acronym = None  # "FRIDAY", "THE": shouted words, not acronyms
        never = (
            is_role(word)
            or word in GENERIC_SUBJECTS
            or not person_word(word)
            or word in self.gazetteer.demonyms  # "Armenian", "Azerbaijani": adjectives
        )
        return AGENCIES.get(word) or KNOWN_ORGS.get(word), place, acronym, never

    def _major_place(self, word: str) -> bool:
        return word in self.gazetteer.major  # Gazetteer.lookup(word) gives (name, True) exactly for these


def listed_with_place(text: str, found: list[Candidate], index: int) -> bool:
    """Whether found[index] sits in a list ("A, B and C") next to a place."""
    c = found[index]
    for neighbour in (index - 1, index + 1):
        if not 0 <= neighbour < len(found) or found[neighbour].type != "PLACE":
            continue
        other = found[neighbour]
        gap = text[other.end : c.start] if neighbour < index else text[c.end : other.start]
        if gap.strip() in _LIST_GAPS:
            return True
    return False
