"""Search as you type: the word being typed counts as a prefix.

While a person types ``pak`` they mean "words starting with pak", not the word
``pak``. :func:`as_you_type` rewrites the query the reader runs on each key so
that its last word is a prefix, exactly as if the person had typed ``pak*``.
On ``Enter``, and in the CLI, the query runs as written.

The rewrite only ever appends one ``*``, and only where that cannot change
what the rest of the query means: after a plain word (or ``field:word`` of a
text or keyword field) that ends the text. Everything else is left alone: a
trailing space (the word is complete), an open or closed phrase, an operator,
a word that already carries ``*``, ``~``, ``^`` or another query character, a
range, dates, and words too short to be a useful prefix.
"""

from __future__ import annotations

import re

from newsdesk.index.engine.query import FIELD_ALIASES

MIN_PREFIX = 3
"""Shorter last words are matched whole: ``a*`` or ``pa*`` expands to thousands of index terms."""

PREFIX_FIELDS = frozenset(
    ["title", "body", "source", "author", "note", "tags", "person", "org", "place"]
    + [alias for aliases in FIELD_ALIASES.values() for alias in aliases]
)
"""Fields whose values may be prefixes (``date:`` and ids are not words)."""

_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
# The last whitespace- or "("-separated token of the query, as the parser splits it.
_LAST_TOKEN = re.compile(r"[^\s(]+\Z")
# A plain word (the index's own token shape) with an optional field name before it.
_FIELD_WORD = re.compile(r"(?:([A-Za-z_]\w*):)?(\w+(?:[.'’]\w+)*)\Z")


def as_you_type(text: str) -> str:
    """``text`` with its last word as a prefix (``pak`` -> ``pak*``), or ``text`` unchanged.

    Pure and total: never raises, and returns either ``text`` or ``text + "*"``.
    A text ending in whitespace is returned unchanged (the last word is complete).
    """
    if not text or text[-1].isspace():
        return text
    if text.count('"') % 2:
        return text  # inside an open phrase: a phrase has no prefixes
    if _open_range(text):
        return text
    token = _LAST_TOKEN.search(text)
    if token is None:
        return text
    found = _FIELD_WORD.fullmatch(token.group())
    if found is None:
        return text
    field, word = found.groups()
    if field is not None and field not in PREFIX_FIELDS:
        return text
    if word in _OPERATORS or len(word) < MIN_PREFIX:
        return text
    return text + "*"


def _open_range(text: str) -> bool:
    """True when a ``[`` or ``{`` range is still open outside quoted phrases."""
    bare = re.sub(r'"[^"]*"', "", text)
    return bare.count("[") + bare.count("{") > bare.count("]") + bare.count("}")
