"""The query language: Whoosh syntax, checked first so mistakes get a clear message.

Whoosh's parser never refuses a query: an unclosed quote or a misspelt field
silently becomes some other search. A user deserves to hear about the mistake,
so :func:`parse_query` checks the common ones before handing the text over.
"""

from __future__ import annotations

import itertools
import re

from newsdesk.index.engine.hidden_fields import is_pair_field, is_prefix_field
from newsdesk.index.engine.query_limits import (
    check_costs,
    check_fuzzy,
    check_text,
    check_values,
    check_wildcard,
    check_word_lengths,
)
from newsdesk.index.errors import QueryError, QueryTooCostly
from whoosh import qparser, query
from whoosh.fields import Schema

DEFAULT_FIELDS = ("title", "body")
FIELD_ALIASES = {"tags": ["tag"], "author": ["by"], "org": ["organisation", "organization"]}
_HIDDEN_FIELDS = {"id", "path"}
_FIELD_PREFIX = re.compile(r"(?<![\w\\])([A-Za-z_]\w*):")
_OPERATOR = re.compile(r"^(AND|OR|NOT|ANDNOT|ANDMAYBE)$")
_VALUE_END = re.compile(r"'(?=\s|\]|[)}]|$)")
"""Where Whoosh ends a single-quoted term (its SingleQuotePlugin: the first ' before a space, ], ), } or the end)."""


def searchable_fields(schema: Schema) -> list[str]:
    """Field names a user may put before a colon."""
    names = [
        n
        for n in schema.names()
        if not n.startswith("f_") and n not in _HIDDEN_FIELDS and not is_prefix_field(n) and not is_pair_field(n)
    ]
    return sorted(names + [alias for aliases in FIELD_ALIASES.values() for alias in aliases])


def make_parser(schema: Schema, title_boost: float) -> qparser.QueryParser:
    """The parser for the search box and the CLI."""
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts={"title": title_boost})
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def _outside_quotes(text: str) -> str:
    """``text`` with every quoted phrase, and every single-quoted value right after ``field:``, replaced by a
    same-length placeholder word; :class:`QueryError` for a phrase never closed.

    Read from left to right as Whoosh's parser does: a ``"`` inside a single-quoted value
    (``tag:'say "what"'``, how the Facets tab writes a value holding a ``"``, which a phrase
    cannot) is part of the value, not a phrase's (red team: such a value was refused as an
    unclosed quote, or its ``"`` dropped, and the facet's filter found nothing).
    """
    out: list[str] = []
    at = 0
    while at < len(text):
        char = text[at]
        end = -1
        if char == '"':
            end = text.find('"', at + 1)
            if end < 0:
                raise QueryError('unclosed quote: add the closing " to the phrase')
        elif char == "'" and at and text[at - 1] == ":" and (found := _VALUE_END.search(text, at + 1)):
            end = found.start()
        if end < 0:
            out.append(char)
            at += 1
            continue
        out.append("q" * (end + 1 - at))
        at = end + 1
    return "".join(out)


def check_syntax(text: str, fields: list[str]) -> None:
    """Raise :class:`QueryError` for the mistakes Whoosh would silently reinterpret."""
    bare = _outside_quotes(text)
    check_costs(bare)
    depth = 0
    for char in bare:
        depth += char == "("
        depth -= char == ")"
        if depth < 0:
            raise QueryError("unbalanced parentheses: ')' without '('")
    if depth:
        raise QueryError("unbalanced parentheses: '(' without ')'")
    known = set(fields)
    for match in _FIELD_PREFIX.finditer(bare):
        name = match.group(1)
        if name not in known:
            raise QueryError(f"unknown field '{name}:' (fields: {', '.join(fields)})")
        rest = text[match.end() :]
        if not rest or rest[0].isspace() or rest[0] == ")":
            raise QueryError(f"'{name}:' needs a value right after the colon")
    words = bare.replace("(", " ").replace(")", " ").split()
    if words and _OPERATOR.match(words[-1]):
        raise QueryError(f"'{words[-1]}' at the end needs a term after it")
    if words and words[0] in {"AND", "OR", "ANDNOT", "ANDMAYBE"}:
        raise QueryError(f"'{words[0]}' at the start needs a term before it")
    for left, right in itertools.pairwise(words):
        if _OPERATOR.match(left) and _OPERATOR.match(right) and right != "NOT":
            raise QueryError(f"'{left} {right}': two operators in a row")
    check_values(bare, text)


def parse_query(parser: qparser.QueryParser, text: str) -> query.Query:
    """Parse ``text``; :class:`QueryError` with a one-line reason when it is malformed."""
    if not text.strip():
        raise QueryError("empty query")
    check_text(text)
    check_word_lengths(text)  # first: everything after costs time with the word's length
    check_syntax(text, searchable_fields(parser.schema))
    try:
        parsed = parser.parse(text)
    except RecursionError:  # Whoosh's parser recurses once per level of parentheses
        raise QueryTooCostly("the parentheses are nested too deeply; remove some levels") from None
    except Exception as exc:  # Whoosh raises bare Exception for e.g. unparseable dates
        raise QueryError(f"cannot parse query: {exc}") from None
    if parsed is query.NullQuery or isinstance(parsed, query.qcore._NullQuery):
        raise QueryError("the query has no terms to search for")
    for leaf in parsed.leaves():
        if isinstance(leaf, query.FuzzyTerm):
            check_fuzzy(leaf.text, leaf.maxdist)
        elif isinstance(leaf, query.Wildcard):
            check_wildcard(leaf.text)

    return parsed
