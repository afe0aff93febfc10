"""Exact sets of matching documents, computed block by block.

Whoosh counts a query's matches by stepping a matcher one document at a time
in Python (about 2 µs a posting), and checks phrases by building a span object
for every position (about 200 µs a candidate). At 100,000 articles that makes a
single count take seconds. Here each posting list is read a whole block at a
time into a Python dict, boolean operators become C-level set operations, and
phrases are verified with set intersections of position arrays, on candidate
documents only. A phrase of common words on an index with word-pair fields
reads its pairs' posting lists instead of its words' (one list for two words;
for more, the pairs' positions are checked on the documents holding them all, by
:mod:`newsdesk.index.engine.phrase_checks`).

The result is the exact match set: it gives the total, the facet counts and
the documents :mod:`newsdesk.index.engine.ranking` scores, from the postings decoded here.
Query types this module does not know fall back to Whoosh's own matching, so
results are always correct, only slower.

Relies on the internals of whoosh3's ``W3LeafMatcher`` (block ids and values),
which is why that dependency is pinned to an exact version.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from newsdesk.index.engine.blockreads import leaf_blocks
from newsdesk.index.engine.freqfile import Positions, numpy, positions_of
from newsdesk.index.engine.frequencies import Frequencies, FrequencyLists, frequencies_of
from newsdesk.index.engine.hidden_fields import PREFIX_CHARS, prefix_field
from newsdesk.index.engine.phrase_checks import intersect_sorted
from newsdesk.index.engine.phrase_sets import PhraseKey, PhraseSets
from newsdesk.index.engine.query_limits import MAX_EXPANSION, Deadline, shown_multiterm, too_many_words
from newsdesk.index.engine.schema import FastPositions, PrefixPresence
from rapidfuzz.distance import OSA
from whoosh import query as wq
from whoosh.searching import Searcher

CACHE_POSTINGS = 2_000_000
"""Postings kept decoded between queries (~150 bytes each with their dict slot: ~300 MB at most)."""
CACHE_POSITION_BYTES = 64 * 2**20
"""Position arrays kept between phrases (:meth:`DocSets.positions`), in bytes: a phrase that repeats a
word, or many phrases sharing one, read its list once instead of once each (all copies held at once)."""
CACHE_EXPANSIONS = 256
"""Prefix expansions (the index words a prefix stands for) kept between queries."""


class DocSets(PhraseSets):
    """Evaluates queries to sets of global document numbers for one searcher."""

    def __init__(self, searcher: Searcher, pairs: bool = True) -> None:
        self.searcher = searcher
        self.pairs = pairs
        """Check phrases through the word-pair fields where the index has them (False: by word positions)."""
        reader = searcher.reader()
        self.schema = reader.schema
        if reader.is_atomic():
            self.segments: list[tuple[Any, int]] = [(reader, 0)]
        else:
            self.segments = list(reader.leaf_readers())
        self.deleted: set[int] = set()
        for segment_reader, offset in self.segments:
            if segment_reader.has_deletions():
                self.deleted.update(d + offset for d in segment_reader.deleted_docs_set)
        self.doc_count_all = reader.doc_count_all()
        self._all: set[int] | None = None
        self._cache: OrderedDict[tuple[str, str | bytes], dict[int, bytes]] = OrderedDict()
        self._cached_postings = 0
        self._lists = FrequencyLists(self.segments, self.schema)
        self._positions: OrderedDict[tuple[str, str], Positions | None] = OrderedDict()
        self._position_bytes = 0
        self._expansions: OrderedDict[tuple[str, str | bytes], list[bytes]] = OrderedDict()
        self.phrase_counts: dict[int, int] = {}
        """Phrase occurrences per matching document (all phrases together), from the last evaluation."""
        self.phrase_occurrences: dict[PhraseKey, dict[int, int]] = {}
        """Occurrences of each phrase per document it matched, from the last evaluation (they rank it)."""
        self.unverified = 0
        """Estimated matches left unverified by the last bounded evaluation."""
        self.sampled = False
        """Whether the last evaluation verified a phrase only in part (its match set is then not exact)."""
        self._bounded = False
        self.deadline = Deadline(None)

    def match(self, q: wq.Query, exact: bool = True, deadline: Deadline | None = None) -> set[int]:
        """Evaluate ``q`` afresh (resetting :attr:`phrase_counts` and :attr:`unverified`).

        With ``exact=False``, a query made only of phrases verifies at most
        :data:`PHRASE_VERIFY_LIMIT` candidates per phrase (the likeliest half
        and a fixed random sample) and estimates how many of the rest match:
        the returned set holds the verified matches, :attr:`unverified` the
        estimated remainder. Boolean combinations are always exact.
        ``deadline`` bounds the evaluation: past it, :class:`QueryTooCostly` is raised.
        """
        self.deadline = deadline or Deadline(None)
        self.phrase_counts = {}
        self.phrase_occurrences = {}
        self.unverified = 0
        self.sampled = False
        self._bounded = not exact and _phrases_only(q)
        return self.evaluate(q)

    # -- leaves -------------------------------------------------------------------
    def all_docs(self) -> set[int]:
        """Every live document."""
        if self._all is None:
            self._all = set(range(self.doc_count_all)) - self.deleted
        return self._all

    def _leaf_matchers(self, fieldname: str, text: str | bytes) -> Iterator[tuple[Any, int]]:
        field = self.schema[fieldname]
        btext = text if isinstance(text, bytes) else field.to_bytes(text)
        for segment_reader, offset in self.segments:
            if (fieldname, btext) in segment_reader:
                terms = segment_reader._terms  # raw matcher: no per-posting deletion filter
                yield terms.matcher(fieldname, btext, field.format), offset

    def postings(self, fieldname: str, text: str | bytes) -> dict[int, bytes]:
        """docnum -> encoded posting value (positions) of one term, deleted documents included.

        Decoding a block yields ids and values together, so both are kept; the
        most recently used terms stay cached (bounded by :data:`CACHE_POSTINGS`)
        because searching as one types re-runs the same terms again and again.
        """
        key = (fieldname, text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        found: dict[int, bytes] = {}
        ids: Sequence[int]  # a block's ids, shifted into a list when the segment has an offset
        for matcher, offset in self._leaf_matchers(fieldname, text):
            for ids, values in leaf_blocks(matcher):
                self.deadline.check()
                if offset:
                    ids = [d + offset for d in ids]
                found.update(zip(ids, values, strict=True))
        self._cache[key] = found
        self._cached_postings += len(found)
        while self._cached_postings > CACHE_POSTINGS and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cached_postings -= len(evicted)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many postings one term has, deleted ones included (``len(postings(...))``), without decoding them."""
        cached = self._cache.get((fieldname, text))
        if cached is not None:
            return len(cached)
        return sum(segment_reader.doc_frequency(fieldname, text) for segment_reader, _ in self.segments)

    def term(self, fieldname: str, text: str | bytes) -> set[int]:
        """Live documents containing one term."""
        found = set(self._documents(fieldname, text))
        return found - self.deleted if self.deleted else found

    def _documents(self, fieldname: str, text: str | bytes) -> Iterable[int]:
        """Every document holding one term, deleted ones included, the cheapest way known."""
        if (fieldname, text) not in self._cache and isinstance(self.schema[fieldname].format, _LISTED_FORMATS):
            return self.frequencies(fieldname, text).ids.tolist()
        return self.postings(fieldname, text).keys()

    # -- frequencies ---------------------------------------------------------------------
    def frequencies(self, fieldname: str, text: str | bytes) -> Frequencies:
        """The documents holding one term (deleted ones included) and its frequency in each, as arrays.

        From the segments' frequency files where they keep the term (see
        :mod:`.frequencies`), else from positions already decoded, else from
        the posting blocks.
        """
        decoded = self._cache.get((fieldname, text))  # positions already decoded: no file read needed
        return self._lists.get(fieldname, text, decoded, self.deadline)

    def positions(self, fieldname: str, text: str) -> Positions | None:
        """One word's (or pair's) documents and positions as arrays, deleted documents included.

        From the frequency files, and the blocks of segments that keep none; from its decoded
        postings when at hand; None when a position does not fit in 16 bits. The most recently
        used are kept (:data:`CACHE_POSITION_BYTES`).
        """
        key = (fieldname, text)
        if key in self._positions:
            self._positions.move_to_end(key)
            return self._positions[key]
        self.deadline.check()  # between lists: reading one is not interrupted
        found = self._read_positions(fieldname, text)
        self._positions[key] = found
        self._position_bytes += _nbytes(found)
        while self._position_bytes > CACHE_POSITION_BYTES and len(self._positions) > 1:
            _, evicted = self._positions.popitem(last=False)
            self._position_bytes -= _nbytes(evicted)
        return found

    def _read_positions(self, fieldname: str, text: str) -> Positions | None:
        if (fieldname, text) not in self._cache:
            found = self._lists.positions(fieldname, self.schema[fieldname].to_bytes(text), self.deadline)
            if found is not None:
                return found
        decoded = self.postings(fieldname, text)
        np = numpy()
        ids = np.fromiter(decoded.keys(), dtype=np.int64, count=len(decoded))
        counts = frequencies_of(self.schema[fieldname].format, decoded.values(), len(decoded)).astype(np.int64)
        return positions_of(ids, counts, b"".join(decoded.values()))

    def close(self) -> None:
        """Close the frequency files this searcher's sets opened."""
        self._lists.close()

    # -- the query tree -------------------------------------------------------------
    def evaluate(self, q: wq.Query) -> set[int]:
        """The exact set of live documents matching ``q``."""
        self.deadline.check()
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, wq.Prefix) and (indexed := self.indexed_prefix(q)) is not None:
            return self.term(*indexed)
        if isinstance(q, wq.MultiTerm):  # prefix, wildcard, fuzzy, regex, variations, term range
            found: set[int] = set()
            for text in self.expand(q):
                found.update(self._documents(q.fieldname, text))
            return found - self.deleted if self.deleted else found
        if isinstance(q, wq.And):
            return self._and(q.children())
        if isinstance(q, wq.Or):
            found = set()
            for child in q.children():
                found |= self.evaluate(child)
            return found
        if isinstance(q, wq.Not):
            return self.all_docs() - self.evaluate(q.query)
        if isinstance(q, wq.AndNot):
            return self.evaluate(q.a) - self.evaluate(q.b)
        if isinstance(q, wq.AndMaybe):
            return self.evaluate(q.a)
        if isinstance(q, wq.Require):
            return self.evaluate(q.a) & self.evaluate(q.b)
        if isinstance(q, wq.Every):
            return set(self.all_docs())
        if q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery):
            return set()
        return set(self.searcher.docs_for_query(q)) - self.deleted

    def indexed_prefix(self, q: wq.Prefix) -> tuple[str, str] | None:
        """(prefix field, text) holding exactly the documents ``q`` matches, or None to expand it.

        The prefix fields hold each term's first 2 to 4 characters, so a prefix of
        that length is one posting list. An index made before they existed has no
        such field and expands, as do shorter and longer prefixes.
        """
        text = q.text.decode("utf-8") if isinstance(q.text, bytes) else q.text
        shortest, longest = PREFIX_CHARS
        name = prefix_field(q.fieldname)
        if not shortest <= len(text) <= longest or name not in self.schema:
            return None
        self.expand(q)  # the same refusal as before when the prefix stands for too many words
        return name, text

    def expand(self, q: wq.MultiTerm) -> list[bytes]:
        """The index words a prefix, wildcard or fuzzy term stands for; at most :data:`MAX_EXPANSION`."""
        key = (q.fieldname, q.text) if type(q) is wq.Prefix else None  # typing repeats the same prefixes
        if key is not None and (cached := self._expansions.get(key)) is not None:
            self._expansions.move_to_end(key)
            return cached
        texts = []
        found = self._fuzzy_btexts(q) if isinstance(q, wq.FuzzyTerm) else q._btexts(self.searcher.reader())
        for text in found:
            texts.append(text)
            if len(texts) > MAX_EXPANSION:
                raise too_many_words(shown_multiterm(q))
            if len(texts) % 256 == 0:
                self.deadline.check()
        if key is not None:
            self._expansions[key] = texts
            if len(self._expansions) > CACHE_EXPANSIONS:
                self._expansions.popitem(last=False)
        return texts

    def _fuzzy_btexts(self, q: wq.FuzzyTerm) -> Iterator[bytes]:
        """Words within ``q.maxdist`` edits that share the first letter(s), compared in C.

        Whoosh builds a Levenshtein automaton in Python for this (seconds for
        ``stepanakert~2`` at 10k articles). At least the first letter must match,
        as spell checkers assume: that bounds the scan to one letter's words.
        """
        for btext, _ in self.near_words(q.fieldname, q.text, q.maxdist, max(q.prefixlength, 1)):
            yield btext

    def near_words(self, fieldname: str, text: str, maxdist: int, prefix: int = 1) -> Iterator[tuple[bytes, int]]:
        """(index word, edit distance) of the words within ``maxdist`` edits of ``text`` sharing its first letters."""
        field = self.schema[fieldname]
        for scanned, btext in enumerate(self.searcher.reader().expand_prefix(fieldname, text[:prefix])):
            if scanned % 1024 == 0:
                self.deadline.check()
            word = field.from_bytes(btext)
            if abs(len(word) - len(text)) <= maxdist:
                found = OSA.distance(word, text, score_cutoff=maxdist)
                if found <= maxdist:
                    yield btext, found

    def _and(self, children: Iterable[wq.Query]) -> set[int]:
        children = list(children)
        positives = [c for c in children if not isinstance(c, wq.Not)]
        negatives = [c.query for c in children if isinstance(c, wq.Not)]
        if positives:
            # Words with document arrays are intersected as arrays first: a word in most articles
            # AND a rarer one then never becomes a Python set of most articles.
            # Decided once per child: evaluating one child can evict another's cached postings, and a
            # child found cached here but listed when its set is made would be in neither.
            is_listed = [self._listed_term(c) for c in positives]
            listed = [c for c, flag in zip(positives, is_listed, strict=True) if flag]
            unlisted = [c for c, flag in zip(positives, is_listed, strict=True) if not flag]
            sets: list[set[int]] = sorted((self.evaluate(c) for c in unlisted), key=len)
            if listed:
                arrays = sorted((self.frequencies(c.fieldname, c.text).ids for c in listed), key=len)
                common = arrays[0]
                for longer in arrays[1:]:
                    common = intersect_sorted(common, longer)
                if sets and len(sets[0]) < len(common):
                    np = numpy()
                    common = common[np.isin(common, np.fromiter(sets[0], dtype=np.int64, count=len(sets[0])))]
                both: set[int] = set(common.tolist())
                sets.insert(0, both - self.deleted if self.deleted else both)
            found = set(sets[0])
            for other in sets[1:]:
                if not found:
                    break
                found &= other
        else:
            found = set(self.all_docs())
        for negative in negatives:
            if not found:
                break
            found -= self.evaluate(negative)
        return found

    def _listed_term(self, q: wq.Query) -> bool:
        """Whether ``q`` is one word whose documents come as an array (see :meth:`_documents`)."""
        return (
            type(q) is wq.Term
            and isinstance(self.schema[q.fieldname].format, _LISTED_FORMATS)
            and (q.fieldname, q.text) not in self._cache
        )


_LISTED_FORMATS = (FastPositions, PrefixPresence)
"""Formats whose long lists the direct writer keeps in the frequency files (the others decode their blocks)."""


def _nbytes(found: Positions | None) -> int:
    return 0 if found is None else sum(part.nbytes for part in found)


def _phrases_only(q: wq.Query) -> bool:
    if isinstance(q, wq.Phrase):
        return True
    return isinstance(q, wq.Or) and all(_phrases_only(c) for c in q.children())
