"""Cutting runs of capitalised words into names, and deciding what each name is from its cues.

:data:`CAPITALISED_RUN` finds runs of capitalised words (with "of", "for", "de" and the like inside them).
:class:`RunCutter` cuts a run at possessives ("Moscow's"), dates, digits and descriptions, and classifies
each piece by its cues: a title before it ("Foreign Minister ...") makes a person, a last word like
"Ministry" or "Group" an organisation, the gazetteer or a word like "Province" a place, two to four plain
name words a person. A piece left as one word is decided later, with the whole article known
(:mod:`single_words`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from newsdesk.index.entities.gazetteer import Gazetteer
from newsdesk.index.entities.lexicon import (
    AGENCIES,
    CONNECTORS,
    DATE_WORDS,
    FOREIGN_ARTICLES,
    FUNCTION_WORDS,
    KNOWN_ORGS,
    NAME_PARTICLES,
    ORG_HEADS,
    ORG_TAILS,
    PLACE_TAILS,
    ROLE_TITLES,
)
from newsdesk.index.entities.lower_words import LowerCaseWords
from newsdesk.index.entities.model import EntityType
from newsdesk.index.entities.word_shapes import describes, is_role, person_word, sentence_initial

_UPPER = "".join(re.escape(c) for c in map(chr, range(0x530)) if c.isupper())
_WORD = rf"(?:(?:[A-Z]\.){{2,}}|[{_UPPER}][\w'’]*(?:-[\w'’]+)*)"  # "U.S." before "U"
_CONNECTOR = "|".join(sorted(CONNECTORS, key=len, reverse=True))
_GAP = r"(?:[ \t]|\r?\n(?![ \t]*\r?\n))"  # a space, or a line break inside a paragraph (hard-wrapped text)
# The first word of a run: _WORD with its "no word character before" check moved after the first capital,
# so that the pattern starts with a character class and the regex engine skips ahead to the next
# capital instead of trying every position (twice as fast on news text).
_FIRST_WORD = rf"[{_UPPER}](?<![\w\-].)(?:(?<=[A-Z])\.(?:[A-Z]\.)+|[\w'’]*(?:-[\w'’]+)*)"
CAPITALISED_RUN = re.compile(rf"{_FIRST_WORD}(?:{_GAP}(?:(?:{_CONNECTOR}){_GAP}){{0,2}}{_WORD})*")
"""A run of capitalised words, with connectors inside and line breaks of a hard-wrapped paragraph."""
_DIGIT = re.compile(r"\d")
_ORG_OF = frozenset({"of", "for", "on"})
_TOKEN = re.compile(r"[^\s]+")
_POSSESSIVE = ("'s", "’s")
_LOOSE_CONNECTORS = frozenset({"on", "in", "at", "the"})
MAX_NAME_TOKENS = 4
_MAX_RUN_WORDS = 12
_MAX_REMEMBERED_WORDS = 200_000


@dataclass(slots=True)
class Candidate:
    """A name found in the text: its type and canonical name, or None for both while undecided."""

    start: int
    end: int
    type: EntityType | None
    canonical: str | None


class RunCutter:
    """Cuts runs of capitalised words into typed names, with one gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._place = gazetteer.places.get  # = Gazetteer.lookup, without a Python call per word
        self._major = gazetteer.major
        self._person_words: dict[str, bool] = {}

    def cut(self, text: str, start: int, end: int, lower: LowerCaseWords, found: list[Candidate]) -> None:
        """Append to ``found`` the names in ``text[start:end]``, a run of capitalised words (or part of one).

        ``lower`` (the text's lower-case words) tells a common word opening a sentence from a name.
        """
        pieces: list[list[tuple[int, int]]] = [[]]
        possessive: list[bool] = [False]
        for token in _TOKEN.finditer(text, start, end):
            token_start, token_end = token.span()
            word = token.group()
            if "-" in word and sum(1 for part in word.split("-") if part[:1].islower()) >= 2:
                pieces.append([])  # "Twenty-eight-year-old", "Kalashnikov-style-armed": a description
                possessive.append(False)
                continue
            if "-" in word:
                head, _, tail = word.rpartition("-")
                if head and tail[:1].islower():  # "US-led", "Moscow-based": the name is the head
                    word = head.split("-")[0] if head.split("-")[-1][:1].islower() else head
                    token_end = token_start + len(word)
            if word.endswith(_POSSESSIVE):  # "Moscow's Foreign Ministry": the name ends here
                pieces[-1].append((token_start, token_end - 2))
                possessive[-1] = True
                pieces.append([])
                possessive.append(False)
            elif word in DATE_WORDS or (not word.isalpha() and _DIGIT.search(word)):
                pieces.append([])
                possessive.append(False)
            else:
                pieces[-1].append((token_start, token_end))
        skip = False
        for index, piece in enumerate(pieces):
            if skip:
                skip = False
                continue
            following = pieces[index + 1] if index + 1 < len(pieces) else []
            if possessive[index] and len(piece) == 1 and following and text[slice(*following[-1])] in ORG_TAILS:
                # "Azerbaijan's Defence Ministry": the country's ministry, and the country
                found.append(Candidate(piece[0][0], following[-1][1], "ORG", text[piece[0][0] : following[-1][1]]))
                skip = True
            self._classify(text, piece, lower, found)

    def _classify(
        self, text: str, tokens: list[tuple[int, int]], lower: LowerCaseWords, found: list[Candidate]
    ) -> None:
        words = [text[s:e] for s, e in tokens]
        # Leading function words and sentence-initial common words are not names, nor a sentence-initial
        # description ("Defender Hassan Abbas", "Twenty-eight-year-old Mohammed Afroz").
        while words and (
            words[0] in FUNCTION_WORDS
            or words[0][0].islower()
            or (sentence_initial(text, tokens[0][0]) and words[0].lower() in lower)
            or (len(words) >= 3 and describes(words[0]) and sentence_initial(text, tokens[0][0]))
        ):
            words.pop(0)
            tokens = tokens[1:]
        while words and (words[-1] in CONNECTORS or words[-1] in FUNCTION_WORDS):
            words.pop()
            tokens = tokens[:-1]
        if not words:
            return
        start, end = tokens[0][0], tokens[-1][1]
        if len(words) > _MAX_RUN_WORDS:
            # A run this long is a title-cased line or junk, not one name: each word is decided alone.
            found.extend(
                Candidate(s, e, None, None)
                for (s, e), w in zip(tokens, words, strict=True)
                if w not in CONNECTORS and w not in FUNCTION_WORDS
            )
            return
        if len(words) == 1:
            found.append(Candidate(start, end, None, None))
            return
        full = " ".join(text[start:end].split())  # = _SPACES.sub(" ", ...): the piece has no outer spaces
        capitals = [w.isupper() and len(w) > 1 for w in words]
        if capitals.count(True) >= 2:  # two capital words, side by side or around a connector
            if any(a and b for a, b in itertools.pairwise(capitals)):
                return  # an all-caps run: a photo credit or a shouted headline, not prose
            if any(a and b for a, b in zip(capitals, capitals[2:], strict=False)) and any(
                w in CONNECTORS for w in words
            ):
                self._split_at(text, tokens, words, CONNECTORS, lower, found)  # "U.S. and the U.N."
                return
        cut = (
            None
            if _LOOSE_CONNECTORS.isdisjoint(words)
            else next(
                (
                    i
                    for i, w in enumerate(words[1:-1], 1)
                    if w in _LOOSE_CONNECTORS
                    and words[i - 1] not in ORG_HEADS
                    and words[i - 1] not in ORG_TAILS
                    and words[i - 1] not in CONNECTORS
                ),
                None,
            )
        )
        if cut is not None:  # "Shares on the New York Stock Exchange": not "Council on Foreign Relations"
            self._split_at(text, tokens, words, frozenset({words[cut]}), lower, found)
            return
        if full in AGENCIES or full in KNOWN_ORGS:
            found.append(Candidate(start, end, "ORG", AGENCIES.get(full) or KNOWN_ORGS[full]))
            return
        if words[0] in FOREIGN_ARTICLES and words[1][:1].isupper():  # "El Mundo", "Le Monde"
            found.append(Candidate(start, end, "ORG", full))
            return
        place = self._place(full)
        if place is not None:
            found.append(Candidate(start, end, "PLACE", place[0]))
            return
        organisation_of = not _ORG_OF.isdisjoint(words) and any(
            (w in ORG_HEADS or w in ORG_TAILS) and words[i + 1] in _ORG_OF for i, w in enumerate(words[:-1])
        )
        if organisation_of or (
            words[-1] in ORG_TAILS
            and ("and" not in words or (CONNECTORS.intersection(words) == {"and"} and not self._lists_places(words)))
        ):  # "Australian Manufacturing and Workers Union", not "Armenian and Azerbaijani ... Ministries"
            found.append(Candidate(start, end, "ORG", full))
            return
        if words[-1] in PLACE_TAILS and not is_role(words[0]):  # not "Secretary of State"
            found.append(Candidate(start, end, "PLACE", full))
            return
        if (
            len(words) == 2
            and words[1] in self._major
            and self._person_word(words[0])
            and not self._is_place_word(words[0])
        ):
            found.append(Candidate(start, end, "ORG", full))  # "Soccer Australia", "Nutrition Australia"
            return
        connectors = [] if CONNECTORS.isdisjoint(words) else [w for w in words if w in CONNECTORS]
        if (
            connectors
            and all(w in NAME_PARTICLES for w in connectors)
            and len(words) <= MAX_NAME_TOKENS + 1
            and all(self._person_word(w) for w in words if w not in CONNECTORS)
            and words[-1] not in CONNECTORS
        ):
            found.append(Candidate(start, end, "PERSON", full))  # "Osama bin Laden", "Ludwig van Beethoven"
            return
        if connectors:
            self._split_at(text, tokens, words, CONNECTORS, lower, found)
            return
        for i in range(len(words) - 2, 0, -1):
            # "Russian Foreign Ministry Maria Zakharova": an organisation, then its person
            if (words[i] in ORG_TAILS or is_role(words[i])) and all(self._person_word(w) for w in words[i + 1 :]):
                self._classify(text, tokens[: i + 1], lower, found)
                self._person(text, tokens[i + 1 :], found)
                return
        roles = 0
        while roles < len(words) and (
            is_role(words[roles])
            or (roles == 0 and len(words) > 1 and words[1] in ROLE_TITLES)  # "Azerbaijani President ..."
        ):
            roles += 1
        if roles:
            place = self._place(words[0])
            if place is not None and place[1]:  # "US President George W Bush": the country, then the person
                found.append(Candidate(tokens[0][0], tokens[0][1], "PLACE", place[0]))
            if tokens[roles:]:
                self._person(text, tokens[roles:], found)
            return
        first = self._place(words[0])
        if first is not None and first[1]:  # "Armenia Nikol Pashinyan"
            found.append(Candidate(tokens[0][0], tokens[0][1], "PLACE", first[0]))
            self._classify(text, tokens[1:], lower, found)
            return
        if len(words) <= MAX_NAME_TOKENS and all(self._person_word(w) and w not in self._major for w in words):
            self._person(text, tokens, found)

    def _split_at(
        self,
        text: str,
        tokens: list[tuple[int, int]],
        words: list[str],
        at: frozenset[str],
        lower: LowerCaseWords,
        found: list[Candidate],
    ) -> None:
        piece: list[tuple[int, int]] = []
        for token, word in zip(tokens, words, strict=True):
            if word in at:
                if piece:
                    self._classify(text, piece, lower, found)
                piece = []
            else:
                piece.append(token)
        if piece:
            self._classify(text, piece, lower, found)

    def _person_word(self, word: str) -> bool:
        """:func:`person_word`, remembered per extractor (the same name words recur in every article)."""
        known = self._person_words.get(word)
        if known is None:
            if len(self._person_words) > _MAX_REMEMBERED_WORDS:
                self._person_words.clear()
            known = self._person_words[word] = person_word(word)
        return known

    def _is_place_word(self, word: str) -> bool:
        return word in self.gazetteer.demonyms or word in self.gazetteer.places

    def _lists_places(self, words: list[str]) -> bool:
        """ "Armenian and Azerbaijani Defence Ministries": two places' bodies, not one body's name."""
        return any(
            w == "and"
            and 0 < i < len(words) - 1
            and self._is_place_word(words[i - 1])
            and self._is_place_word(words[i + 1])
            for i, w in enumerate(words)
        )

    @staticmethod
    def _person(text: str, tokens: list[tuple[int, int]], found: list[Candidate]) -> None:
        start, end = tokens[0][0], tokens[-1][1]
        if len(tokens) == 1:
            found.append(Candidate(start, end, "PERSON", None))  # canonical from the full name, if any
        elif len(tokens) <= MAX_NAME_TOKENS:
            found.append(Candidate(start, end, "PERSON", " ".join(text[start:end].split())))
