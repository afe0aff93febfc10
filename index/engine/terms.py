"""What a term is: the words of a text and the index term of each.

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
from collections.abc import Iterator

from whoosh.lang.porter import stem as porter_stem

# Words, keeping inner dots and apostrophes ("U.S.", "1.5", "don't", "Moscow's").
TOKEN_PATTERN = re.compile(r"\w+(?:[.'’]\w+)*")
_MAX_CACHE = 500_000
term_cache: dict[str, str] = {}
"""Surface word -> its term, filled by :func:`term_for`. The schema's formats read it directly (one C-level
``get`` per word) and fall back to :func:`term_for` for the words missing; emptied, never replaced, when full."""


def _fold_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def term_for(word: str) -> str:
    """The index term for one surface word (as the token pattern found it)."""
    cached = term_cache.get(word)
    if cached is not None:
        return cached
    term = word.lower().replace("’", "'")
    if term.endswith("'s"):
        term = term[:-2]
    if not term.isascii():
        term = _fold_accents(term)
    if term.isalpha() and len(term) > 2:
        term = porter_stem(term)
    if len(term_cache) >= _MAX_CACHE:
        term_cache.clear()
    term_cache[word] = term
    return term


def iter_terms(text: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) for every word in ``text``, offsets into ``text``."""
    for match in TOKEN_PATTERN.finditer(text):
        yield term_for(match.group()), match.start(), match.end()
