"""The hidden companion fields of the searched text fields: term prefixes and adjacent word pairs.

The title and the body each have a hidden companion field holding the first
2 to 4 characters of every term (Elasticsearch's ``index_prefixes``), so a
prefix query such as ``zakh*`` reads one posting list instead of the postings
of every word it expands to (search as you type sends one on every key).

They also have a hidden field of adjacent word pairs, with positions (like
Elasticsearch's ``index_phrases``), so the phrase ``"will pake"`` reads the one
posting list of the pair instead of the positions of two words that occur in
almost every article. Only pairs of two common words are indexed (the index's
list of them, taken from the articles when it is built): all pairs made the
index 7 times larger, and a phrase with a rare word is cheap by positions.

This module names the fields and computes what they hold; the Whoosh field types
that store it are in :mod:`newsdesk.index.engine.schema`, where the pickled
schema of every existing index expects them.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from itertools import compress, pairwise
from operator import and_, itemgetter

from newsdesk.index.engine.terms import iter_terms

PREFIX_CHARS = (2, 4)
"""Shortest and longest term prefix indexed in the prefix fields (characters, after folding)."""
PREFIXED_FIELDS = ("title", "body")
"""Fields with a prefix field: the ones a plain query searches."""


def prefix_field(fieldname: str) -> str:
    """The hidden field that holds the term prefixes of ``fieldname``."""
    return f"prefixes_{fieldname}"


def is_prefix_field(fieldname: str) -> bool:
    """True for the hidden prefix fields (never searched by name)."""
    return fieldname.startswith("prefixes_")


def term_prefixes(terms: set[str]) -> set[str]:
    """Every indexed prefix of ``terms``: each term's first 2 to 4 characters (the whole term when shorter)."""
    shortest, longest = PREFIX_CHARS
    # One C-level slice per term and size (this runs for every article indexed): a term
    # shorter than a size slices to itself, already there from a shorter size, except
    # the terms shorter than the shortest, which are taken out again.
    found: set[str] = set()
    for size in range(shortest, longest + 1):
        found.update(map(itemgetter(slice(size)), terms))
    found.difference_update([term for term in terms if len(term) < shortest])
    return found


PAIRED_FIELDS = ("title", "body")
"""Fields with a word-pair field: the ones a plain query searches."""


def pair_field(fieldname: str) -> str:
    """The hidden field that holds the adjacent word pairs of ``fieldname``."""
    return f"pairs_{fieldname}"


def is_pair_field(fieldname: str) -> bool:
    """True for the hidden word-pair fields (never searched by name)."""
    return fieldname.startswith("pairs_")


def pair_term(first: str, second: str) -> str:
    """The pair field's term for two adjacent index terms (a term never holds a space)."""
    return f"{first} {second}"


def word_pairs(terms: list[str], common: frozenset[str] | None = None) -> dict[str, list[int]]:
    """Each indexed adjacent pair of ``terms`` (one text's index terms in order), at its first word's position.

    A pair is indexed when both its words are in ``common`` (every pair when ``common`` is None).
    """
    pairs, starts = pair_stream(terms, common)
    positions: defaultdict[str, list[int]] = defaultdict(list)
    # positions[pair].append(start) for each indexed pair, in order, with no Python step per pair
    deque(map(list.append, map(positions.__getitem__, pairs), starts), 0)
    return positions


def pair_stream(terms: list[str], common: frozenset[str] | None = None) -> tuple[list[str], list[int]]:
    """The indexed adjacent pairs of ``terms`` in order, and the position of each pair's first word.

    :func:`word_pairs` grouped by pair; the direct writer takes them in this order
    (index/engine/tokenstream.py). No Python step per word: the writer runs this on every
    article; " ".join of two strings is pair_term's f"{a} {b}".
    """
    if common is None:
        return list(map(_SPACE_JOIN, pairwise(terms))), list(range(len(terms) - 1))
    inside = list(map(common.__contains__, terms))
    starts = list(compress(range(len(terms) - 1), map(and_, inside, inside[1:])))
    pairs = list(
        map(_SPACE_JOIN, zip(map(terms.__getitem__, starts), map(terms.__getitem__, map(_NEXT, starts)), strict=True))
    )
    return pairs, starts


_SPACE_JOIN = " ".join
_NEXT = (1).__add__


COMMON_SHARE = 0.1
"""A term is common when at least this share of the sampled articles holds it (:func:`common_terms`)."""
COMMON_SAMPLE = 2000
"""Articles sampled for the common terms when an index is built."""
COMMON_RESAMPLE_FLOOR = 50
"""An index whose common terms came from fewer articles is rebuilt once the store holds twice this many."""


def common_terms(texts: Iterable[str]) -> frozenset[str]:
    """The terms in at least :data:`COMMON_SHARE` of ``texts`` (one article's title and text each).

    Their pairs are the ones indexed: decoding the positions of such a term costs
    ~1 ms per 1,000 articles holding it, so a phrase of two of them is the slow case,
    while a phrase with a rarer word has few candidates. Measured on the synthetic
    corpus (docs/performance.md): ~290 terms, pair postings 1.2x the word postings.
    """
    counts: Counter[str] = Counter()
    sampled = 0
    for text in texts:
        counts.update({term for term, _, _ in iter_terms(text)})
        sampled += 1
    least = max(COMMON_SHARE * sampled, 1)
    return frozenset(term for term, count in counts.items() if count >= least)


def common_terms_outgrown(sampled: int | None, articles: int) -> bool:
    """True when an index's common terms, taken from ``sampled`` articles, came from too small a part of the store.

    The list is fixed when the index is built, and a folder indexed while it held
    0, 1 or 2 articles then grows by updates far below the 2,000 changes that
    rebuild: its list stayed empty (no phrase ever read a pair) or was every word
    of one article. Rebuilt each time the store doubles past the sample, until the
    sample is :data:`COMMON_SAMPLE` articles: about twice the final build's work in all.
    ``sampled``: :func:`newsdesk.index.engine.schema.common_terms_sampled` of the index.
    """
    if sampled is None or sampled >= COMMON_SAMPLE:
        return False  # (None: an index of the first schema-4 builds, which did not record it)
    return articles >= 2 * max(sampled, COMMON_RESAMPLE_FLOOR)


def add_prefix_values(document: dict[str, object]) -> dict[str, object]:
    """``document`` (field -> value, for Whoosh's ``add_document``) with its hidden prefix and pair fields filled in."""
    for name in PREFIXED_FIELDS:
        if name in document:
            document[prefix_field(name)] = document[name]
    for name in PAIRED_FIELDS:
        if name in document:
            document[pair_field(name)] = document[name]
    return document
