"""Hypothesis strategies for the query language: raw strings and well-formed query trees.

Shared by tests/test_fuzz_queries.py (a small corpus, bounded for CI) and
bench/costly_queries.py (10k+ articles, timed).
"""

from __future__ import annotations

from hypothesis import strategies as st

# Words the synthetic corpora (tests' and bench.corpus') contain, function words, and a few costly shapes.
WORDS = [
    "the",
    "of",
    "and",
    "said",
    "kalo",
    "mine",
    "rato",
    "stepanakert",
    "geneva",
    "talks",
    "minister",
    "launch",
    "pad",
    "varnesk",
    "tolmira",
    "a",
    "x",
    "ka",
    "ven",
    "zzzz",
]
FIELDS = ["title", "body", "source", "tag", "author", "by", "person", "org", "place", "language", "note", "annotated"]
SPECIALS = [
    '"',
    "(",
    ")",
    "*",
    "?",
    "~",
    "^",
    ":",
    "<",
    ">",
    "[",
    "]",
    "{",
    "}",
    "\\",
    "-",
    "+",
    "/",
    "=",
    " AND ",
    " OR ",
    " NOT ",
    " TO ",
    "\n",
    "\t",
    "\u2028",
    "\u200b",
    "\ufeff",
    "\x1b[31m",
    "...",
    "---",
    "|",
    "#",
    ": ",
]

word = st.sampled_from(WORDS) | st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda w: w.strip() != "")


@st.composite
def leaf(draw: st.DrawFn) -> str:
    """One leaf of the query language, in any of its shapes."""
    base = draw(st.sampled_from(WORDS))
    kind = draw(
        st.sampled_from(
            ["word", "prefix", "wildcard", "fuzzy", "phrase", "field", "date", "range", "boost", "compare", "odd"]
        )
    )
    if kind == "prefix":
        return base[: draw(st.integers(0, len(base)))] + "*"
    if kind == "wildcard":
        return draw(st.sampled_from(["*", "?", ""])) + base + draw(st.sampled_from(["*", "?", "?*", ""]))
    if kind == "fuzzy":
        return f"{base}~{draw(st.integers(0, 12))}" + draw(st.sampled_from(["", "/1", "/0", "/9"]))
    if kind == "phrase":
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
        return '"' + " ".join(words) + '"' + draw(st.sampled_from(["", "~2", "~50"]))
    if kind == "field":
        return f"{draw(st.sampled_from(FIELDS))}:{base}"
    if kind == "date":
        return "date:" + draw(st.from_regex(r"(19|20|99)\d\d(-(0\d|1[0-5])(-[0-3]\d)?)?", fullmatch=True))
    if kind == "range":
        low = draw(st.from_regex(r"20[12]\d(-[01]\d)?", fullmatch=True))
        return f"date:[{low} to {draw(st.sampled_from(['', '2030', '2020-13', 'now']))}]"
    if kind == "boost":
        return f"{base}^{draw(st.sampled_from(['2', '0', '-1', '1.5', '.5', '1e9', 'x', '']))}"
    if kind == "compare":
        field, operator = draw(st.sampled_from(["date", "title", "body"])), draw(st.sampled_from(["<", ">", ">="]))
        return f"{field}:{operator}{base}"
    if kind == "odd":
        return draw(word)
    return base


def tree(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Boolean combinations of ``children``."""
    return st.one_of(
        st.tuples(children, st.sampled_from([" AND ", " OR ", " ", " NOT ", " ANDNOT ", " ANDMAYBE "]), children).map(
            "".join
        ),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"NOT {c}"),
        st.lists(children, min_size=2, max_size=30).map(" OR ".join),
    )


query_trees = st.recursive(leaf(), tree, max_leaves=40)
"""Well-formed queries of every shape (some with values the checks refuse)."""

raw_strings = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(SPECIALS), word, leaf()), max_size=25).map("".join),
    st.builds(lambda w, n: w * n, st.sampled_from(["a", "(", '"', "*", "?", "x "]), st.integers(100, 3000)),
)
"""Anything a person (or a paste) could put in the search box."""


def queries() -> st.SearchStrategy[str]:
    """Both kinds: generated query trees and arbitrary strings."""
    return st.one_of(query_trees, raw_strings)
