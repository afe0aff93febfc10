"""The default extractor: capitalised spans, cue words and a gazetteer; no model, no download.

One regular expression finds runs of capitalised words (with "of", "for",
"de" and the like inside them); each run is cut into names and classified by
its cues: a title before it ("Foreign Minister ...") makes a person, a last
word like "Ministry" or "Group" an organisation, the gazetteer or a word like
"Province" a place, two or three plain capitalised words a person. Single
words are decided last, with the whole article known: "Putin" after "Vladimir
Putin" is that person, "OSCE" after "Organization for Security and
Co-operation in Europe (OSCE)" that organisation, "Karabakh" after
"Nagorno-Karabakh" that place.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from newsdesk.index.entities.gazetteer import Gazetteer, load_gazetteer
from newsdesk.index.entities.lexicon import (
    AGENCIES,
    CONNECTORS,
    DATE_WORDS,
    FOREIGN_ARTICLES,
    FUNCTION_WORDS,
    GENERIC_SUBJECTS,
    KNOWN_ORGS,
    LOWER_PLACE_TAILS,
    NAME_PARTICLES,
    NOT_NAMES,
    ORG_ACRONYM_BLOCK,
    ORG_HEADS,
    ORG_TAILS,
    PLACE_PREPOSITIONS,
    PLACE_TAILS,
    ROLE_CUES_LOWER,
    ROLE_TITLES,
    SPEECH_VERBS,
)
from newsdesk.index.entities.lists import EntityLists
from newsdesk.index.entities.lower_words import LowerCaseWords
from newsdesk.index.entities.model import EntityMention, EntityType
from newsdesk.index.entities.names import fold_key
from newsdesk.index.entities.shouted import ShoutedLines, shouted_lines

_UPPER = "".join(re.escape(c) for c in map(chr, range(0x530)) if c.isupper())
_WORD = rf"(?:(?:[A-Z]\.){{2,}}|[{_UPPER}][\w'’]*(?:-[\w'’]+)*)"  # "U.S." before "U"
_CONNECTOR = "|".join(sorted(CONNECTORS, key=len, reverse=True))
_GAP = r"(?:[ \t]|\r?\n(?![ \t]*\r?\n))"  # a space, or a line break inside a paragraph (hard-wrapped text)
# The first word of a run: _WORD with its "no word character before" check moved after the first capital,
# so that the pattern starts with a character class and the regex engine skips ahead to the next
# capital instead of trying every position (twice as fast on news text).
_FIRST_WORD = rf"[{_UPPER}](?<![\w\-].)(?:(?<=[A-Z])\.(?:[A-Z]\.)+|[\w'’]*(?:-[\w'’]+)*)"
_SPAN = re.compile(rf"{_FIRST_WORD}(?:{_GAP}(?:(?:{_CONNECTOR}){_GAP}){{0,2}}{_WORD})*")
_SPACES = re.compile(r"\s+")
_NEVER_SPANS = FUNCTION_WORDS | DATE_WORDS
_DIGIT = re.compile(r"\d")
_PUNCTUATION = "\"'“”‘’()[],;:"
_ORG_OF = frozenset({"of", "for", "on"})
_TOKEN = re.compile(r"[^\s]+")
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")
_LIST_GAPS = frozenset({",", "and", ", and", "or", ", or"})
_ACRONYM_AFTER = re.compile(r" \(((?:[A-Z]\.?){2,8})\)")
_SENTENCE_END = frozenset('.!?:;"“”‘’\'([—–-')
_POSSESSIVE = ("'s", "’s")
_HEADLINE_MIN_SHARE = 0.6
_SURNAME_ENDINGS = (
    "yan", "ian", "ov", "ova", "ev", "eva", "in", "ina", "enko", "sky", "ski", "ska", "ic", "ich", "vic",
    "escu", "idze", "dze", "shvili", "ovic", "son", "sen", "zadeh", "oglu", "ez", "es", "ini", "elli", "ides",
    "opoulos", "akis", "stein", "berg", "mann", "man", "er", "ey", "ley", "ton", "ford", "well", "wood",
)
_LOOSE_CONNECTORS = frozenset({"on", "in", "at", "the"})
_ROLE_SUFFIXES = ("ers", "ors", "man", "men", "ist", "ists", "ants", "ents")  # not "-er": Christopher
MAX_NAME_TOKENS = 4
_MAX_RUN_WORDS = 12
_MAX_WORD_FACTS = 200_000


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    type: EntityType | None
    canonical: str | None


class RuleExtractor:
    """Rule-and-gazetteer entity extraction, about a million words a second (docs/performance.md)."""

    name = "rules"

    def __init__(self, lists: EntityLists | None = None, gazetteer: Gazetteer | None = None) -> None:
        self.lists = lists or EntityLists()
        self.gazetteer = gazetteer or load_gazetteer()
        self._watch = self.lists.alias_pattern()
        self._place = self.gazetteer.places.get  # = Gazetteer.lookup, without a Python call per word
        self._major = self.gazetteer.major
        self._person_words: dict[str, bool] = {}
        self._word_facts: dict[str, tuple[str | None, tuple[str, bool] | None, bool | None, bool]] = {}
        self._shouted = ShoutedLines(self.gazetteer, self.lists)
        self._span_memo: dict[tuple[str, bool], tuple[tuple[int, int, EntityType | None, str | None], ...]] = {}

    # -- public ---------------------------------------------------------------
    def extract_article(self, title: str, text: str) -> tuple[list[EntityMention], list[EntityMention]]:
        """(mentions in ``title``, mentions in ``text``), each with offsets into its own string.

        A headline-case title ("Fighting Resumes Near Border Town") says nothing
        by its capitals, so only names already known from the text, the
        watchlist and major places are taken from it.
        """
        if _is_headline(title):
            body = self.extract(text)
            return self._known_names(title, body), body
        if not title:  # the separator changes nothing (tests/test_entity_snapshot.py): skip re-offsetting
            return [], self.extract(text)
        separator = "\n\n"
        both = self.extract(title + separator + text)
        offset = len(title) + len(separator)
        title_mentions = [m for m in both if m.end <= len(title)]
        body = [
            EntityMention(m.text, m.canonical, m.type, m.start - offset, m.end - offset)
            for m in both if m.start >= offset
        ]
        return title_mentions, body

    def extract(self, text: str) -> list[EntityMention]:
        """Every mention in ``text``, in order; ``text[m.start:m.end] == m.text`` always.

        Shouted lines (headlines, datelines: "LONDON 1996-08-30") are read after the rest, for
        names the rest of the text, the gazetteer and the known organisations give.
        """
        shouted = shouted_lines(text)
        if not shouted:
            return self._extract_prose(text)
        prose = list(text)
        for start, end in shouted:
            prose[start:end] = " " * (end - start)  # same offsets, no capitals
        mentions = self._extract_prose("".join(prose))
        mentions = [EntityMention(text[m.start:m.end], m.canonical, m.type, m.start, m.end) for m in mentions]
        mentions.extend(self._shouted.names(text, shouted, mentions))
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _extract_prose(self, text: str) -> list[EntityMention]:
        found: list[_Candidate] = []
        claimed = self._watchlist_mentions(text, found)
        lower_words = LowerCaseWords(text)
        for span in _SPAN.finditer(text):
            word = span.group()
            if word in _NEVER_SPANS:
                continue  # the commonest spans by far: "The", "He", "In" - never a name
            start, end = span.span()
            if word.isalpha() and not claimed:
                # One plain word (most spans): the checks _classify would make, without its set-up.
                if not (_sentence_initial(text, start) and word.lower() in lower_words):
                    found.append(_Candidate(start, end, None, None))
                continue
            if claimed and any(s < end and start < e for s, e in claimed):
                self._outside_claimed(text, start, end, claimed, lower_words, found)
            else:
                self._cut_memoised(text, word, start, end, lower_words, found)
        return self._resolve(text, found, lower_words)

    def _cut_memoised(
        self, text: str, span: str, start: int, end: int, lower: LowerCaseWords, found: list[_Candidate]
    ) -> None:
        """:meth:`_cut`, remembered per span text: "Foreign Minister Sergei Lavrov" recurs across a corpus.

        Only the span's first word depends on its context (a common word
        starting a sentence is dropped), so that is part of the key.
        """
        first = span.split(None, 1)[0]
        key = (span, _sentence_initial(text, start) and first.lower() in lower)
        cut = self._span_memo.get(key)
        if cut is None:
            pieces: list[_Candidate] = []
            self._cut(text, start, end, lower, pieces)
            cut = tuple((c.start - start, c.end - start, c.type, c.canonical) for c in pieces)
            if len(self._span_memo) > _MAX_WORD_FACTS:
                self._span_memo.clear()
            self._span_memo[key] = cut
            found.extend(pieces)  # fresh candidates already: no need to rebuild them from the memo
            return
        found.extend(_Candidate(start + s, start + e, kind, canonical) for s, e, kind, canonical in cut)

    # -- cutting runs of capitalised words into names --------------------------
    def _watchlist_mentions(self, text: str, found: list[_Candidate]) -> list[tuple[int, int]]:
        if self._watch is None:
            return []
        claimed = []
        for match in self._watch.finditer(text):
            entry = self.lists.watched[match.group()]
            found.append(_Candidate(match.start(), match.end(), entry.type, entry.name))
            claimed.append(match.span())
        return claimed

    def _outside_claimed(
        self, text: str, start: int, end: int, claimed: list[tuple[int, int]], lower: LowerCaseWords,
        found: list[_Candidate],
    ) -> None:
        position = start
        for s, e in sorted(claimed):
            if e <= position or s >= end:
                continue
            if s > position:
                self._cut(text, position, s, lower, found)
            position = max(position, e)
        if position < end:
            self._cut(text, position, end, lower, found)

    def _cut(self, text: str, start: int, end: int, lower: LowerCaseWords, found: list[_Candidate]) -> None:
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
                found.append(_Candidate(piece[0][0], following[-1][1], "ORG", text[piece[0][0]:following[-1][1]]))
                skip = True
            self._classify(text, piece, lower, found)

    def _classify(
        self, text: str, tokens: list[tuple[int, int]], lower: LowerCaseWords, found: list[_Candidate]
    ) -> None:
        words = [text[s:e] for s, e in tokens]
        # Leading function words and sentence-initial common words are not names, nor a sentence-initial
        # description ("Defender Hassan Abbas", "Twenty-eight-year-old Mohammed Afroz").
        while words and (
            words[0] in FUNCTION_WORDS or words[0][0].islower()
            or (_sentence_initial(text, tokens[0][0]) and words[0].lower() in lower)
            or (len(words) >= 3 and _describes(words[0]) and _sentence_initial(text, tokens[0][0]))
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
            found.extend(_Candidate(s, e, None, None) for (s, e), w in zip(tokens, words, strict=True)
                         if w not in CONNECTORS and w not in FUNCTION_WORDS)
            return
        if len(words) == 1:
            found.append(_Candidate(start, end, None, None))
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
        cut = None if _LOOSE_CONNECTORS.isdisjoint(words) else next(
            (i for i, w in enumerate(words[1:-1], 1) if w in _LOOSE_CONNECTORS and words[i - 1] not in ORG_HEADS
             and words[i - 1] not in ORG_TAILS and words[i - 1] not in CONNECTORS), None)
        if cut is not None:  # "Shares on the New York Stock Exchange": not "Council on Foreign Relations"
            self._split_at(text, tokens, words, frozenset({words[cut]}), lower, found)
            return
        if full in AGENCIES or full in KNOWN_ORGS:
            found.append(_Candidate(start, end, "ORG", AGENCIES.get(full) or KNOWN_ORGS[full]))
            return
        if words[0] in FOREIGN_ARTICLES and words[1][:1].isupper():  # "El Mundo", "Le Monde"
            found.append(_Candidate(start, end, "ORG", full))
            return
        place = self._place(full)
        if place is not None:
            found.append(_Candidate(start, end, "PLACE", place[0]))
            return
        organisation_of = not _ORG_OF.isdisjoint(words) and any(
            (w in ORG_HEADS or w in ORG_TAILS) and words[i + 1] in _ORG_OF for i, w in enumerate(words[:-1])
        )
        if organisation_of or (words[-1] in ORG_TAILS and (
            "and" not in words or (CONNECTORS.intersection(words) == {"and"} and not self._lists_places(words))
        )):  # "Australian Manufacturing and Workers Union", not "Armenian and Azerbaijani ... Ministries"
            found.append(_Candidate(start, end, "ORG", full))
            return
        if words[-1] in PLACE_TAILS and not _is_role(words[0]):  # not "Secretary of State"
            found.append(_Candidate(start, end, "PLACE", full))
            return
        if len(words) == 2 and words[1] in self._major and self._person_word(words[0]) and not self._is_place_word(
            words[0]
        ):
            found.append(_Candidate(start, end, "ORG", full))  # "Soccer Australia", "Nutrition Australia"
            return
        connectors = [] if CONNECTORS.isdisjoint(words) else [w for w in words if w in CONNECTORS]
        if connectors and all(w in NAME_PARTICLES for w in connectors) and len(words) <= MAX_NAME_TOKENS + 1 and all(
            self._person_word(w) for w in words if w not in CONNECTORS
        ) and words[-1] not in CONNECTORS:
            found.append(_Candidate(start, end, "PERSON", full))  # "Osama bin Laden", "Ludwig van Beethoven"
            return
        if connectors:
            self._split_at(text, tokens, words, CONNECTORS, lower, found)
            return
        for i in range(len(words) - 2, 0, -1):
            # "Russian Foreign Ministry Maria Zakharova": an organisation, then its person
            if (words[i] in ORG_TAILS or _is_role(words[i])) and all(self._person_word(w) for w in words[i + 1:]):
                self._classify(text, tokens[: i + 1], lower, found)
                self._person(text, tokens[i + 1:], found)
                return
        roles = 0
        while roles < len(words) and (
            _is_role(words[roles])
            or (roles == 0 and len(words) > 1 and words[1] in ROLE_TITLES)  # "Azerbaijani President ..."
        ):
            roles += 1
        if roles:
            place = self._place(words[0])
            if place is not None and place[1]:  # "US President George W Bush": the country, then the person
                found.append(_Candidate(tokens[0][0], tokens[0][1], "PLACE", place[0]))
            if tokens[roles:]:
                self._person(text, tokens[roles:], found)
            return
        first = self._place(words[0])
        if first is not None and first[1]:  # "Armenia Nikol Pashinyan"
            found.append(_Candidate(tokens[0][0], tokens[0][1], "PLACE", first[0]))
            self._classify(text, tokens[1:], lower, found)
            return
        if len(words) <= MAX_NAME_TOKENS and all(self._person_word(w) and w not in self._major for w in words):
            self._person(text, tokens, found)

    def _split_at(
        self, text: str, tokens: list[tuple[int, int]], words: list[str], at: frozenset[str], lower: LowerCaseWords,
        found: list[_Candidate],
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
        """:func:`_person_word`, remembered per extractor (the same name words recur in every article)."""
        known = self._person_words.get(word)
        if known is None:
            if len(self._person_words) > _MAX_WORD_FACTS:
                self._person_words.clear()
            known = self._person_words[word] = _person_word(word)
        return known

    def _is_place_word(self, word: str) -> bool:
        return word in self.gazetteer.demonyms or word in self.gazetteer.places

    def _lists_places(self, words: list[str]) -> bool:
        """ "Armenian and Azerbaijani Defence Ministries": two places' bodies, not one body's name."""
        return any(
            w == "and" and 0 < i < len(words) - 1 and self._is_place_word(words[i - 1])
            and self._is_place_word(words[i + 1]) for i, w in enumerate(words)
        )

    def _major_place(self, word: str) -> bool:
        return word in self._major  # Gazetteer.lookup(word) gives (name, True) exactly for these

    @staticmethod
    def _person(text: str, tokens: list[tuple[int, int]], found: list[_Candidate]) -> None:
        start, end = tokens[0][0], tokens[-1][1]
        if len(tokens) == 1:
            found.append(_Candidate(start, end, "PERSON", None))  # canonical from the full name, if any
        elif len(tokens) <= MAX_NAME_TOKENS:
            found.append(_Candidate(start, end, "PERSON", " ".join(text[start:end].split())))

    # -- deciding single words with the whole article known -------------------
    def _resolve(self, text: str, found: list[_Candidate], lower: LowerCaseWords) -> list[EntityMention]:
        surnames: dict[str, str] = {}
        aliases: dict[str, tuple[EntityType, str]] = {}
        for c in found:
            if c.canonical is not None:
                self._learn_aliases(text, c, surnames, aliases)
        decided_now = []
        for c in found:
            if c.canonical is None:
                surface = text[c.start:c.end]
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
        settled = {text[c.start:c.end]: (c.type, c.canonical) for c in found if c.canonical is not None}
        settled.update(aliases)
        found.sort(key=lambda c: c.start)
        for index, c in enumerate(found):
            if c.canonical is None:
                surface = text[c.start:c.end]
                if surface in settled:
                    c.type, c.canonical = settled[surface]
                elif _listed_with_place(text, found, index):
                    c.type, c.canonical = "PLACE", surface
        if self.lists.is_empty:  # nothing to stop or rename: the common case, and the benchmark's
            return [EntityMention(text[c.start:c.end], c.canonical, c.type, c.start, c.end)
                    for c in found if c.canonical is not None and c.type is not None]
        mentions = []
        for c in found:
            if c.canonical is None or c.type is None:
                continue
            surface = text[c.start:c.end]
            decided = self.lists.decide(c.type, c.canonical, surface)
            if decided is not None:
                mentions.append(EntityMention(surface, decided[1], decided[0], c.start, c.end))
        return mentions

    @staticmethod
    def _learn_aliases(
        text: str, c: _Candidate, surnames: dict[str, str], aliases: dict[str, tuple[EntityType, str]]
    ) -> None:
        surface = text[c.start:c.end]
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
        self, text: str, c: _Candidate, word: str, aliases: dict[str, tuple[EntityType, str]], lower: LowerCaseWords,
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
        if place is not None and (place[1] or not (_sentence_initial(text, c.start) and word.lower() in lower)):
            return "PLACE", place[0]
        if acronym is not None:
            # a shouted word ("UPDATED") is no acronym
            return ("ORG", word) if acronym and word.replace(".", "").lower() not in lower else None
        if never_a_name or word.lower() in lower:  # a common word, or never a name
            return None
        initial = _sentence_initial(text, c.start)
        after = _NEXT_WORD.match(text, c.end)
        next_word = after.group(1) if after else ""
        # The two words before (a plain split: a regex anchored at the end backtracks badly).
        before = [w.strip(_PUNCTUATION) for w in text[max(0, c.start - 40):c.start].split()[-2:]]
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

    def _facts_of(self, word: str) -> tuple[str | None, tuple[str, bool] | None, bool | None, bool]:
        """What a single word is regardless of context (memoised per extractor: words repeat a lot).

        (agency canonical name, gazetteer entry, acronym usable as an organisation
        (None: not an acronym), never a name on its own).
        """
        letters = word.replace(".", "")
        acronym = None
        place = self._place(word)
        if letters.isupper() and letters.isalpha():
            acronym = 2 <= len(letters) <= 6 and letters not in ORG_ACRONYM_BLOCK
            titled = word.title()
            if place is None and len(letters) >= 4:
                major = self._place(titled)
                place = major if major and major[1] else None  # a dateline: "ROME", "VIENNA"
            if place is not None or titled in DATE_WORDS or titled in FUNCTION_WORDS:
                acronym = None  # "FRIDAY", "THE": shouted words, not acronyms
        never = (
            _is_role(word) or word in GENERIC_SUBJECTS or not _person_word(word)
            or word in self.gazetteer.demonyms  # "Armenian", "Azerbaijani": adjectives
        )
        return AGENCIES.get(word) or KNOWN_ORGS.get(word), place, acronym, never

    def _known_names(self, title: str, body: list[EntityMention]) -> list[EntityMention]:
        known: dict[str, tuple[EntityType, str]] = {}
        for m in body:
            known[_SPACES.sub(" ", m.text)] = known[m.canonical] = (m.type, m.canonical)
            if m.type == "PERSON" and " " in m.canonical:
                known.setdefault(m.canonical.rsplit(" ", 1)[1], (m.type, m.canonical))
        mentions = self._watchlist_only(title)
        taken = [(m.start, m.end) for m in mentions]
        for name in sorted(known, key=len, reverse=True):
            for start in _whole_word_matches(title, name):
                end = start + len(name)
                if not any(s < end and start < e for s, e in taken):
                    kind, canonical = known[name]
                    mentions.append(EntityMention(name, canonical, kind, start, end))
                    taken.append((start, end))
        for span in _SPAN.finditer(title):
            for match in _TOKEN.finditer(title, span.start(), span.end()):
                word = match.group().removesuffix("'s").removesuffix("’s")
                place = self._place(word)
                start = match.start()
                if place and place[1] and not any(s < start + len(word) and start < e for s, e in taken):
                    decided = self.lists.decide("PLACE", place[0], word)
                    if decided is not None:
                        mentions.append(EntityMention(word, decided[1], decided[0], start, start + len(word)))
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _watchlist_only(self, text: str) -> list[EntityMention]:
        if self._watch is None:
            return []
        out = []
        for match in self._watch.finditer(text):
            entry = self.lists.watched[match.group()]
            out.append(EntityMention(match.group(), entry.name, entry.type, match.start(), match.end()))
        return out


def _whole_word_matches(text: str, name: str) -> Iterator[int]:
    """Where ``name`` occurs in ``text`` as whole words (str.find: no regex to compile per name)."""
    start = text.find(name)
    while start >= 0:
        before = text[start - 1] if start else " "
        after = text[start + len(name)] if start + len(name) < len(text) else " "
        if not (before.isalnum() or before in "-_" or after.isalnum() or after in "-_"):
            yield start
        start = text.find(name, start + 1)


def _sentence_initial(text: str, start: int) -> bool:
    """Whether ``start`` begins a sentence (a line break inside a paragraph does not end one)."""
    position = start - 1
    while position >= 0 and text[position] in " \t":
        position -= 1
    if position >= 0 and text[position] == "\n":
        position -= 1
        while position >= 0 and text[position] in " \t\r":
            position -= 1
        return position < 0 or text[position] == "\n" or text[position] in _SENTENCE_END
    return position < 0 or text[position] in _SENTENCE_END


def _listed_with_place(text: str, found: list[_Candidate], index: int) -> bool:
    """Whether found[index] sits in a list ("A, B and C") next to a place."""
    c = found[index]
    for neighbour in (index - 1, index + 1):
        if not 0 <= neighbour < len(found) or found[neighbour].type != "PLACE":
            continue
        other = found[neighbour]
        gap = text[other.end:c.start] if neighbour < index else text[c.end:other.start]
        if gap.strip() in _LIST_GAPS:
            return True
    return False



def _name_like(word: str) -> bool:
    """A capitalised word that could be part of a name."""
    if not word[:1].isupper() or word in FUNCTION_WORDS or word in ORG_TAILS or word in PLACE_TAILS:
        return False
    core = word.replace("-", "").replace("'", "").replace("’", "")
    return core.isalpha() and not word.isupper()


def _person_word(word: str) -> bool:
    """A word that can be part of a person's name (not a title, not "War" or "Islamic")."""
    return _name_like(word) and not _is_role(word) and word not in NOT_NAMES


def _is_role(word: str) -> bool:
    """A title before a name: "President", "Gen.", "Attorney-General", "Co-Chairs"."""
    word = word.rstrip(".")
    if word in ROLE_TITLES or ("-" in word and any(part in ROLE_TITLES for part in word.split("-"))):
        return True
    singular = word[:-1] if word.endswith("s") else ""
    return bool(singular) and (
        singular in ROLE_TITLES or ("-" in singular and any(part in ROLE_TITLES for part in singular.split("-")))
    )


def _describes(word: str) -> bool:
    """A word that describes the person after it at the start of a sentence.

    A title ("Defender"), an age ("Twenty-eight-year-old"), or a word with an agent-noun ending
    ("Businessmen", "Striker"): a sentence does not start with three names in a row.
    """
    if _is_role(word) or word in NOT_NAMES:
        return True
    if "-" in word and any(part.islower() for part in word.split("-")[1:]):
        return True
    return word.lower().endswith(_ROLE_SUFFIXES) and len(word) > 5



def _is_headline(title: str) -> bool:
    words = [w for w in title.split() if len(w) > 3 and w[:1].isalpha()]
    if len(words) < 3:
        return False
    return sum(1 for w in words if w[0].isupper()) / len(words) >= _HEADLINE_MIN_SHARE
