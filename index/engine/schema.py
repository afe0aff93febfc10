"""The Whoosh schema and the text analysis behind it.

Indexing speed is dominated by analysis: Whoosh's stock analyzer pushes every
token through a chain of generator filters and re-stems every occurrence. Here
one compiled regex finds the words and a per-process dictionary maps each
surface form to its term (lowercased, accents folded, possessive dropped,
Porter-stemmed) once. The same function serves indexing, query parsing and
snippet highlighting, so the three can never disagree about what a term is.

Stop words are kept (with positions), so phrases such as "the Middle East"
match exactly; BM25's idf keeps them from dominating the ranking.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from whoosh import columns, fields, formats
from whoosh.analysis import Token
from whoosh.analysis.analyzers import Analyzer
from whoosh.lang.porter import stem as porter_stem

# Words, keeping inner dots and apostrophes ("U.S.", "1.5", "don't", "Moscow's").
TOKEN_PATTERN = re.compile(r"\w+(?:[.'’]\w+)*")
_MAX_CACHE = 500_000
_term_cache: dict[str, str] = {}


def _fold_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def term_for(word: str) -> str:
    """The index term for one surface word (as the token pattern found it)."""
    cached = _term_cache.get(word)
    if cached is not None:
        return cached
    term = word.lower().replace("’", "'")
    if term.endswith("'s"):
        term = term[:-2]
    if not term.isascii():
        term = _fold_accents(term)
    if term.isalpha() and len(term) > 2:
        term = porter_stem(term)
    if len(_term_cache) >= _MAX_CACHE:
        _term_cache.clear()
    _term_cache[word] = term
    return term


def iter_terms(text: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) for every word in ``text``, offsets into ``text``."""
    for match in TOKEN_PATTERN.finditer(text):
        yield term_for(match.group()), match.start(), match.end()


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

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each term of ``value`` with its word positions, in order of first occurrence.

        The analysis behind :meth:`word_values`, also called directly by the
        direct segment writer (index/engine/directwriter.py), which skips the
        per-posting tuples of Whoosh's ``FieldType.index``.
        """
        words = TOKEN_PATTERN.findall(value)
        cached = list(map(_term_cache.get, words))  # one C-level pass for the words seen before
        terms: list[str] = cached  # type: ignore[assignment]  # no None left after the next line
        if None in cached:
            terms = [term or term_for(word) for term, word in zip(cached, words, strict=True)]
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for pos, term in enumerate(terms):
            positions[term].append(pos)
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


INDEX_SCHEMA_VERSION = "2"
"""Bump when the schema changes: an index made under another version is rebuilt by the next update."""


def build_schema(title_boost: float = 2.0) -> fields.Schema:
    """The schema of the article index. ``title_boost`` weighs title matches."""
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
    return schema
