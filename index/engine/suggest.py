""" "Did you mean": the query with each word the index does not know replaced by the nearest one it does."""

from __future__ import annotations

import re

from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.query import DEFAULT_FIELDS
from newsdesk.index.engine.terms import iter_terms, term_for
from newsdesk.index.errors import QueryTooCostly
from newsdesk.index.store import ArticleStore
from whoosh import query as wq

_PLAIN_WORD = re.compile(r'(?<![\w:*~"])([^\W\d_][\w\']*)(?![\w:*~"])')


def did_you_mean(text: str, docsets: DocSets, store: ArticleStore) -> str | None:
    """The suggestion for ``text``, or None (nothing to suggest, or out of the query's time: it is an extra)."""
    try:
        return _suggest(text, docsets, store)
    except QueryTooCostly:
        return None


def _suggest(text: str, docsets: DocSets, store: ArticleStore) -> str | None:
    reader = docsets.searcher.reader()
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(1)
        if word in ("AND", "OR", "NOT", "TO", "to"):
            return word
        term = term_for(word)
        if any(reader.frequency(f, term) for f in DEFAULT_FIELDS):
            return word
        # The first letter is kept, as spell checkers usually do; nearest first,
        # then the most common. (Whoosh's suggest() builds a Levenshtein automaton
        # in Python per word: seconds for a long one.)
        near = list(docsets.near_words("body", term, 2))
        if not near:
            return word
        best, _ = min(near, key=lambda found: (found[1], -reader.doc_frequency("body", found[0]), found[0]))
        surface = _surface_form(docsets, store, best.decode("utf-8"))
        if surface is None:
            return word
        changed = True
        return surface

    suggestion = _PLAIN_WORD.sub(replace, text)
    return suggestion if changed and suggestion != text else None


def _surface_form(docsets: DocSets, store: ArticleStore, term: str) -> str | None:
    """A word as written in the corpus whose index term is ``term`` (stems are not words)."""
    searcher = docsets.searcher
    for docnum in searcher.docs_for_query(wq.Term("body", term)):
        article = store.get(searcher.stored_fields(docnum)["id"])
        if article is None:
            continue
        for found, start, end in iter_terms(article.text):
            if found == term:
                return article.text[start:end].lower()
        break
    return None
