"""The Whoosh schema of the article index: its fields and the analyzers and formats they pickle.

Words become terms in :mod:`newsdesk.index.engine.terms`; the hidden prefix and
word-pair fields are named and filled in :mod:`newsdesk.index.engine.hidden_fields`.
The classes here stay in this module: every index's TOC pickles the schema, which
names them as ``newsdesk.index.engine.schema.<class>``, and older versions of
newsdesk look them up there (index/engine/unpickling.py; tests/test_schema_pickle.py).
"""

from __future__ import annotations

from array import array
from collections import defaultdict, deque
from collections.abc import Iterator
from typing import Any

from newsdesk.index.engine import hidden_fields
from newsdesk.index.engine.hidden_fields import pair_field, pair_stream, prefix_field, term_prefixes, word_pairs
from newsdesk.index.engine.terms import TOKEN_PATTERN, iter_terms, term_for
from newsdesk.index.engine.terms import term_cache as _term_cache  # the name the formats below read it by
from newsdesk.index.engine.unpickling import UnpicklesAsBaseWhereUnknown
from whoosh import columns, fields, formats
from whoosh.analysis import Token
from whoosh.analysis.analyzers import Analyzer


class NewsAnalyzer(Analyzer):
    """Whoosh analyzer wrapper around :func:`term_for`, for query parsing and highlighting."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = TOKEN_PATTERN.finditer(value) if tokenize else ()
        if not tokenize:
            token.text = term_for(value)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, match in enumerate(matches):
            token.text = term_for(match.group())
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


_TYPE_H, _TYPE_I = b"H", b"I"
_last_terms: tuple[object, list[str]] = (None, [])
"""The text :meth:`FastPositions.term_stream` analysed last and its terms word by word: a prefix field and a
pair field get the same string object right after its text field (add_prefix_values), so its words are not
found twice."""


def encode_positions(poslist: list[int]) -> bytes:
    """A posting value of :class:`FastPositions`: one type byte, then the positions as a machine array."""
    if poslist[-1] < 65536:
        return _TYPE_H + array("H", poslist).tobytes()
    return _TYPE_I + array("I", poslist).tobytes()


class FastPositions(formats.Positions):
    """Positions format with a compact array encoding and a short indexing path.

    Whoosh's stock Positions pickles a delta list per posting and decodes it
    with a Python loop; phrase checks decode thousands of these per query. Here
    a posting value is one type byte and the positions as a machine array
    ("H" while they fit in 16 bits), encoded and decoded in C, and usually
    smaller than the pickle. ``word_values`` produces exactly what the stock
    route through :class:`NewsAnalyzer` would, without per-token objects.
    """

    def term_stream(self, value: str) -> tuple[list[str], list[int] | None]:
        """The terms of ``value`` word by word, and their positions (None: 0, 1, 2 ... as here).

        The analysis behind :meth:`term_positions`; the direct segment writer
        (index/engine/tokenstream.py) takes it as it is and groups the postings later.
        """
        words = TOKEN_PATTERN.findall(value)
        cached = list(map(_term_cache.get, words))  # one C-level pass for the words seen before
        terms: list[str] = cached  # type: ignore[assignment]  # no None left after the next line
        if None in cached:
            terms = [term or term_for(word) for term, word in zip(cached, words, strict=True)]
        global _last_terms
        _last_terms = (value, terms)
        return terms, None

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each term of ``value`` with its word positions, in order of first occurrence."""
        terms, starts = self.term_stream(value)
        positions: defaultdict[str, list[int]] = defaultdict(list)
        # positions[term].append(pos) for every word, with no Python step per word
        deque(map(list.append, map(positions.__getitem__, terms), range(len(terms)) if starts is None else starts), 0)
        return positions

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        boost = self.field_boost
        for term, plist in self.term_positions(value).items():
            yield term, len(plist), len(plist) * boost, encode_positions(plist)

    def encode(self, poslist: Any) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = array(chr(valuestring[0]))
        positions.frombytes(valuestring[1:])
        return positions.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // (2 if valuestring[:1] == b"H" else 4)

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


class PrefixAnalyzer(UnpicklesAsBaseWhereUnknown, Analyzer):
    """The prefix field's analyzer: the term prefixes of the text's words (no positions)."""

    _FALLBACK = NewsAnalyzer  # never runs on a prefix field there: nothing parses a query into one

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        token = Token(False, False, **{k: v for k, v in kwargs.items() if k in ("removestops", "mode")})
        for text in sorted(term_prefixes({term for term, _, _ in iter_terms(value)})):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            yield token


class PrefixPresence(UnpicklesAsBaseWhereUnknown, formats.Existence):
    """Existence postings of the term prefixes, computed without per-token objects."""

    _FALLBACK = formats.Existence

    def term_set(self, value: str) -> set[str]:
        """The distinct terms ``value`` posts here: the analysis behind :meth:`word_values`.

        The direct segment writer (index/engine/directwriter.py) calls it for any
        presence-only format that has it, and appends document numbers without a
        tuple per posting.
        """
        last_value, last_terms = _last_terms
        if value is last_value:  # the same text just analysed for its own field (body before prefixes_body)
            return term_prefixes(set(last_terms))
        cache_get = _term_cache.get
        return term_prefixes({cache_get(word) or term_for(word) for word in TOKEN_PATTERN.findall(value)})

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        boost = self.field_boost
        for text in self.term_set(value):
            yield text, 1, boost, b""


def _prefix_field() -> fields.FieldType:
    return fields.FieldType(PrefixPresence(), PrefixAnalyzer(), scorable=False, stored=False)


class PairAnalyzer(UnpicklesAsBaseWhereUnknown, Analyzer):
    """The pair field's analyzer: the text's indexed term pairs, at the first word's position."""

    _FALLBACK = NewsAnalyzer  # never runs on a pair field there: nothing parses a query into one

    def __init__(self, common: frozenset[str] | None = None) -> None:
        self.common = common

    def __call__(self, value: str, positions: bool = False, **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, False, **{k: v for k, v in kwargs.items() if k in ("removestops", "mode")})
        pairs = word_pairs([term for term, _, _ in iter_terms(value)], self.common)
        for pos, pair in sorted((pos, pair) for pair, plist in pairs.items() for pos in plist):
            token.text = pair
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            yield token


class PairPositions(UnpicklesAsBaseWhereUnknown, FastPositions):
    """Positions of adjacent term pairs: :meth:`term_stream` gives pairs instead of terms.

    The direct segment writer (from :meth:`term_stream`) and Whoosh's (through
    :meth:`FastPositions.word_values` and :meth:`term_positions`) both write the pairs. A
    posting value is a :class:`FastPositions` value: the pair's count in a document
    is its frequency, as a phrase check over the two words' positions would count it.
    ``common`` (pickled with the schema, so every later update and every search
    of this index uses the same list) decides which pairs are indexed.
    """

    _FALLBACK = FastPositions  # the same posting values: an older version reads them as positions

    def __init__(self, common: frozenset[str] | None = None, sampled: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.common = common
        self.sampled = sampled
        """How many articles ``common`` was taken from (:func:`common_terms_sampled`)."""

    def indexed(self, first: str, second: str) -> bool:
        """True when the pair of terms ``first second`` is indexed where it occurs, and is that pair only.

        Accent folding makes a few words' terms empty or holding spaces (U+FF9E: "", U+037A: " "), and
        their pair terms can coincide (("", " ") and (" ", "") are both "  "): such pairs go by positions.
        """
        if not first or not second or " " in first or " " in second:
            return False
        return self.common is None or (first in self.common and second in self.common)

    def term_stream(self, value: str) -> tuple[list[str], list[int] | None]:
        """The indexed pairs of ``value`` in order, and each one's position (its first word's)."""
        last_value, last_terms = _last_terms
        if value is not last_value:  # (the same text just analysed for its own field: body before pairs_body)
            cache_get = _term_cache.get
            last_terms = [cache_get(word) or term_for(word) for word in TOKEN_PATTERN.findall(value)]
        return pair_stream(last_terms, self.common)


def _pair_field(common: frozenset[str] | None, sampled: int | None) -> fields.FieldType:
    return fields.FieldType(PairPositions(common, sampled), PairAnalyzer(common), scorable=False, stored=False)


def common_terms_sampled(schema: fields.Schema) -> int | None:
    """How many articles the common terms of an index with ``schema`` were taken from (None: not recorded).

    For :func:`newsdesk.index.engine.hidden_fields.common_terms_outgrown`.
    """
    name = pair_field(hidden_fields.PAIRED_FIELDS[-1])
    fmt = schema[name].format if name in schema else None
    sampled = getattr(fmt, "sampled", None) if isinstance(fmt, PairPositions) else None
    return sampled if isinstance(sampled, int) else None


def _text_field(boost: float = 1.0, stored: bool = False) -> fields.TEXT:
    field = fields.TEXT(analyzer=NewsAnalyzer(), phrase=True, stored=stored, field_boost=boost)
    field.format = FastPositions(field_boost=boost)
    return field


def _facet_column() -> fields.COLUMN:
    return fields.COLUMN(columns.VarBytesColumn())


# Facet values live in per-document columns (not stored fields) so counting a
# facet over thousands of hits reads one compact array instead of unpickling
# every hit's stored fields.
FACET_COLUMNS = {
    "source": "f_source",
    "date": "f_date",
    "tags": "f_tags",
    "author": "f_author",
    "language": "f_language",
    "person": "f_person",
    "org": "f_org",
    "place": "f_place",
}


INDEX_SCHEMA_VERSION = "4"
"""Bump when the schema changes: an index made under another version is rebuilt by the next update.

3: the prefix fields. Until the rebuild, a searcher on an older index expands prefixes as before.
4: the word-pair fields. Until the rebuild, a searcher on an older index checks phrases by word positions.
"""
SEARCHABLE_OLDER_SCHEMAS = frozenset({"2", "3"})
"""Older versions whose indexes this code searches as they are (only hidden prefix or pair fields are missing)."""


def build_schema(
    title_boost: float = 2.0, common: frozenset[str] | None = None, sampled: int | None = None
) -> fields.Schema:
    """The schema of the article index. ``title_boost`` weighs title matches.

    ``common``: the terms whose pairs the pair fields hold (:func:`hidden_fields.common_terms`); None: every pair.
    ``sampled``: how many articles ``common`` was taken from.
    """
    keyword = {"lowercase": True, "commas": True, "scorable": True}
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(),
        title=_text_field(boost=title_boost),
        body=_text_field(),
        source=_text_field(),
        author=_text_field(),
        language=fields.ID(),
        date=fields.DATETIME(),
        tags=fields.KEYWORD(**keyword),
        person=fields.KEYWORD(**keyword),
        org=fields.KEYWORD(**keyword),
        place=fields.KEYWORD(**keyword),
        note=_text_field(),
        annotated=fields.ID(),
    )
    for column in FACET_COLUMNS.values():
        schema.add(column, _facet_column())
    # Read through the module: bench/engine.py and tests empty these lists there to build an older index.
    for name in hidden_fields.PREFIXED_FIELDS:
        schema.add(prefix_field(name), _prefix_field())
    for name in hidden_fields.PAIRED_FIELDS:
        schema.add(pair_field(name), _pair_field(common, sampled))
    return schema
