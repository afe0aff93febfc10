"""The default extractor: capitalised spans, cue words and a gazetteer; no model, no download.

One regular expression finds runs of capitalised words (with "of", "for",
"de" and the like inside them); each run is cut into names and classified by
its cues (:mod:`capitalised_runs`): a title before it ("Foreign Minister ...")
makes a person, a last word like "Ministry" or "Group" an organisation, the
gazetteer or a word like "Province" a place, two or three plain capitalised
words a person. Single words are decided last, with the whole article known
(:mod:`single_words`): "Putin" after "Vladimir Putin" is that person, "OSCE"
after "Organization for Security and Co-operation in Europe (OSCE)" that
organisation, "Karabakh" after "Nagorno-Karabakh" that place.
"""

from __future__ import annotations

import re

from newsdesk.index.entities.capitalised_runs import CAPITALISED_RUN, Candidate, RunCutter
from newsdesk.index.entities.gazetteer import Gazetteer, load_gazetteer
from newsdesk.index.entities.lexicon import DATE_WORDS, FUNCTION_WORDS
from newsdesk.index.entities.lists import EntityLists
from newsdesk.index.entities.lower_words import LowerCaseWords
from newsdesk.index.entities.model import EntityMention, EntityType
from newsdesk.index.entities.shouted import ShoutedLines, shouted_lines
from newsdesk.index.entities.single_words import SingleWordResolver
from newsdesk.index.entities.word_shapes import is_headline, sentence_initial, whole_word_matches

_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\s]+")
_NEVER_SPANS = FUNCTION_WORDS | DATE_WORDS
_MAX_REMEMBERED_SPANS = 200_000


class RuleExtractor:
    """Rule-and-gazetteer entity extraction (speed: docs/performance.md#entities)."""

    name = "rules"

    def __init__(self, lists: EntityLists | None = None, gazetteer: Gazetteer | None = None) -> None:
        self.lists = lists or EntityLists()
        self.gazetteer = gazetteer or load_gazetteer()
        self._watch = self.lists.alias_pattern()
        self._runs = RunCutter(self.gazetteer)
        self._singles = SingleWordResolver(self.gazetteer, self.lists)
        self._shouted = ShoutedLines(self.gazetteer, self.lists)
        self._span_memo: dict[tuple[str, bool], tuple[tuple[int, int, EntityType | None, str | None], ...]] = {}

    # -- public ---------------------------------------------------------------
    def extract_article(self, title: str, text: str) -> tuple[list[EntityMention], list[EntityMention]]:
        """(mentions in ``title``, mentions in ``text``), each with offsets into its own string.

        A headline-case title ("Fighting Resumes Near Border Town") says nothing
        by its capitals, so only names already known from the text, the
        watchlist and major places are taken from it.
        """
        if is_headline(title):
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
            for m in both
            if m.start >= offset
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
        mentions = [EntityMention(text[m.start : m.end], m.canonical, m.type, m.start, m.end) for m in mentions]
        mentions.extend(self._shouted.names(text, shouted, mentions))
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _extract_prose(self, text: str) -> list[EntityMention]:
        found: list[Candidate] = []
        claimed = self._watchlist_mentions(text, found)
        lower_words = LowerCaseWords(text)
        for span in CAPITALISED_RUN.finditer(text):
            word = span.group()
            if word in _NEVER_SPANS:
                continue  # the commonest spans by far: "The", "He", "In" - never a name
            start, end = span.span()
            if word.isalpha() and not claimed:
                # One plain word (most spans): the checks RunCutter would make, without its set-up.
                if not (sentence_initial(text, start) and word.lower() in lower_words):
                    found.append(Candidate(start, end, None, None))
                continue
            if claimed and any(s < end and start < e for s, e in claimed):
                self._outside_claimed(text, start, end, claimed, lower_words, found)
            else:
                self._cut_memoised(text, word, start, end, lower_words, found)
        return self._singles.resolve(text, found, lower_words)

    def _cut_memoised(
        self, text: str, span: str, start: int, end: int, lower: LowerCaseWords, found: list[Candidate]
    ) -> None:
        """:meth:`RunCutter.cut`, remembered per span text: "Foreign Minister Sergei Lavrov" recurs across a corpus.

        Only the span's first word depends on its context (a common word
        starting a sentence is dropped), so that is part of the key.
        """
        key = (span, sentence_initial(text, start) and span.split(None, 1)[0].lower() in lower)
        cut = self._span_memo.get(key)
        if cut is None:
            pieces: list[Candidate] = []
            self._runs.cut(text, start, end, lower, pieces)
            cut = tuple((c.start - start, c.end - start, c.type, c.canonical) for c in pieces)
            if len(self._span_memo) > _MAX_REMEMBERED_SPANS:
                self._span_memo.clear()
            self._span_memo[key] = cut
            found.extend(pieces)  # fresh candidates already: no need to rebuild them from the memo
            return
        found.extend(Candidate(start + s, start + e, kind, canonical) for s, e, kind, canonical in cut)

    def _watchlist_mentions(self, text: str, found: list[Candidate]) -> list[tuple[int, int]]:
        if self._watch is None:
            return []
        claimed = []
        for match in self._watch.finditer(text):
            entry = self.lists.watched[match.group()]
            found.append(Candidate(match.start(), match.end(), entry.type, entry.name))
            claimed.append(match.span())
        return claimed

    def _outside_claimed(
        self,
        text: str,
        start: int,
        end: int,
        claimed: list[tuple[int, int]],
        lower: LowerCaseWords,
        found: list[Candidate],
    ) -> None:
        position = start
        for s, e in sorted(claimed):
            if e <= position or s >= end:
                continue
            if s > position:
                self._runs.cut(text, position, s, lower, found)
            position = max(position, e)
        if position < end:
            self._runs.cut(text, position, end, lower, found)

    def _known_names(self, title: str, body: list[EntityMention]) -> list[EntityMention]:
        known: dict[str, tuple[EntityType, str]] = {}
        for m in body:
            known[_SPACES.sub(" ", m.text)] = known[m.canonical] = (m.type, m.canonical)
            if m.type == "PERSON" and " " in m.canonical:
                known.setdefault(m.canonical.rsplit(" ", 1)[1], (m.type, m.canonical))
        mentions = self._watchlist_only(title)
        taken = [(m.start, m.end) for m in mentions]
        for name in sorted(known, key=len, reverse=True):
            for start in whole_word_matches(title, name):
                end = start + len(name)
                if not any(s < end and start < e for s, e in taken):
                    kind, canonical = known[name]
                    mentions.append(EntityMention(name, canonical, kind, start, end))
                    taken.append((start, end))
        for span in CAPITALISED_RUN.finditer(title):
            for match in _TOKEN.finditer(title, span.start(), span.end()):
                word = match.group().removesuffix("'s").removesuffix("’s")
                place = self.gazetteer.lookup(word)
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
