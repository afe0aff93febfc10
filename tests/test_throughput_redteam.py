"""Red-team attacks on the throughput branch: presence-only prefix postings and the one-entry analysis record.

The prefix field of a text takes its terms from "the text last analysed" when it is
the same string object (index/engine/schema.py, ``_last_terms``); the direct writer
appends document numbers in C and keeps a weight per document only once a boost makes
one differ from 1.0 (index/engine/directwriter.py). These tests feed both writers the
texts and boosts most likely to make a stale record or a kept weight go wrong, and
compare every byte with Whoosh's own writer.
"""

from __future__ import annotations

import threading
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, Library
from newsdesk.index import indexer as indexer_module
from newsdesk.index.engine import schema as schema_module
from newsdesk.index.engine.hidden_fields import PREFIX_CHARS, add_prefix_values, prefix_field, term_prefixes
from newsdesk.index.engine.schema import FastPositions, PrefixAnalyzer, PrefixPresence
from newsdesk.index.engine.terms import TOKEN_PATTERN

from tests.conftest import examples
from tests.test_direct_writer import contents, write

# Characters whose folded term is empty (U+FF9E), a space (U+037A), several letters (ligatures,
# ß, İ), or that split words (U+2028, U+0085), with the ASCII the token pattern joins on.
ALPHABET = st.sampled_from(
    [*"ab zZ.'’9_\n\t", "\uff9e", "\u037a", "\ufb01", "\ufb03", "ß", "İ", "ǅ", "Ω", "é", "\u0301", "\u2028", "\x85"]
)
TEXTS = st.one_of(
    st.text(ALPHABET, max_size=60),
    st.text(max_size=40),  # any Unicode (no surrogates)
    st.sampled_from(["", " ", "\n\n", "\u3000", "the talks"]),
)
BOOSTS = st.sampled_from([1.0, 0.5, 2.0, 1.3, 0.0, 1e-300])


@st.composite
def article_docs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Documents whose title and body are often the very same objects as other fields' texts."""
    docs: list[dict[str, Any]] = []
    previous: list[str] = [""]
    for number in range(draw(st.integers(1, 8))):
        how = draw(st.sampled_from(["fresh", "same", "previous_body", "previous_title"]))
        body = draw(TEXTS)
        if how == "same":
            title = body  # one string object for both (add_prefix_values then shares it four ways)
        elif how == "previous_body":
            title = previous[-1]  # the object the record may still hold from the last article
        elif how == "previous_title":
            title = draw(TEXTS)
            body = previous[0]
        else:
            title = draw(TEXTS)
        doc: dict[str, Any] = {"id": f"a{number}", "path": "p", "title": title, "body": body}
        if draw(st.booleans()):
            doc["note"] = draw(st.sampled_from([title, body, "a note"]))
        for key in ("_boost", "_prefixes_body_boost", "_prefixes_title_boost", "_body_boost"):
            if draw(st.integers(0, 3)) == 0:
                doc[key] = draw(BOOSTS)
        docs.append(add_prefix_values(doc))
        previous = [title, body]
    return docs


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=article_docs(), limitmb=st.sampled_from([64, 0.0001]))
def test_direct_segment_equals_whooshs_own_for_shared_unicode_texts_and_boosts(
    tmp_path_factory: Any, docs: list[dict[str, Any]], limitmb: float
) -> None:
    base = tmp_path_factory.mktemp("ix")
    old = write(base / "old", docs, direct=False)
    new = write(base / "new", docs, direct=True, limitmb=limitmb)
    assert contents(new) == contents(old)
    # Both writers take the prefix terms from PrefixPresence.term_set: hold them to the analyzer's too.
    for name in ("title", "body"):
        posted: list[set[str]] = [set() for _ in docs]
        field = prefix_field(name)
        for term in new.lexicon(field):
            for docnum in new.postings(field, term).all_ids():
                posted[docnum].add(term.decode("utf-8"))
        assert posted == [analyser_prefixes(doc[name]) for doc in docs]


def analyser_prefixes(text: str) -> set[str]:
    """The prefix terms the field's own analyzer gives (the query and Whoosh's reference route)."""
    return {token.text for token in PrefixAnalyzer()(text)}


@settings(max_examples=examples(200), deadline=None)
@given(earlier=st.lists(TEXTS, max_size=3), text=TEXTS)
def test_term_set_is_the_analysers_prefixes_whatever_was_analysed_before(earlier: list[str], text: str) -> None:
    fmt, presence = FastPositions(), PrefixPresence()
    for other in earlier:
        fmt.term_positions(other)
    assert presence.term_set(text) == analyser_prefixes(text)
    fmt.term_positions(text)  # now the record holds this very object
    assert presence.term_set(text) == analyser_prefixes(text)


def test_two_threads_never_get_each_others_terms() -> None:
    """The record is module-global: one thread's text never gives another thread's prefix terms."""
    texts = [f"alpha{n} beta{n} gamma{n} " * 20 for n in range(2)]
    wanted = [analyser_prefixes(text) for text in texts]
    wrong: list[int] = []

    def run(n: int) -> None:
        fmt, presence = FastPositions(), PrefixPresence()
        for _ in range(3000):
            fmt.term_positions(texts[n])
            if presence.term_set(texts[n]) != wanted[n]:
                wrong.append(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


ARTICLES = [
    ("Talks in Geneva", "The talks in Geneva went on. Stepanakert's envoy left."),
    ("ﬁnal ceasefire", "ﬁnal ceasefire"),  # title and body the same text
    ("The talks in Geneva went on", "Ceasefire talks: the envoy's ﬃx ﾞ ͺ report."),
    ("Zürich café", "Naïve ǅemal met İstanbul's ΩMEGA team; the talks went on."),
    ("Report", "report report report"),
]
PREFIX_AND_PHRASE_QUERIES = [
    "ta*", "tal*", "talk*", "gen*", "ste*", "ﬁ*", "fi*", "fin*", "zu*", "cafe*", "ce*", "ome*", "dz*", "ist*",
    '"the talks"', '"talks went"', '"final ceasefire"', '"talks in geneva"', "title:ta*", "title:\"the talks\"",
    "report", "r*",
]  # fmt: skip


def write_articles(corpus: Path, articles: list[tuple[str, str]], start: int = 0) -> None:
    corpus.mkdir(exist_ok=True)
    for n, (title, body) in enumerate(articles, start):
        (corpus / f"a{n:04}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def answers(library: Library, queries: list[str] = PREFIX_AND_PHRASE_QUERIES) -> list[object]:
    found = [library.search(query, limit=1000) for query in queries]
    return [
        (query, sorted(hit.id for hit in result.hits), result.total)
        for query, result in zip(queries, found, strict=True)
    ]


def test_updates_after_a_direct_full_build_answer_like_a_fresh_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A direct full build, then added, changed and removed articles through Whoosh's writer: the same hits."""
    monkeypatch.setattr(indexer_module, "_FULL_BUILD_MIN_DOCS", 10)
    corpus = tmp_path / "corpus"
    write_articles(corpus, ARTICLES * 3)
    config = Config()
    config.index.group_reprints = False  # which copy leads a group depends on the order read, not the writer
    with Library.open(corpus, state_dir=tmp_path / "state", config=config) as library:
        assert library.update().rebuilt_index
        write_articles(corpus, ARTICLES[::-1], start=2)  # five articles changed, titles now other bodies
        write_articles(corpus, [("ﬁnal talks", "ﬁnal talks"), ("Geneva", "")], start=100)
        (corpus / "a0000.txt").unlink()
        assert not library.update().rebuilt_index
        updated = answers(library)
    with Library.open(corpus, state_dir=tmp_path / "fresh", config=config) as library:
        library.update()
        assert answers(library) == updated


def reused_record(doc: dict[str, Any], tmp_path: Path) -> dict[str, bool]:
    """Per prefix field of one document written by the direct writer: did it take its text field's terms?"""
    from newsdesk.index.buildwriters import _codec
    from newsdesk.index.engine.directwriter import DirectIndexWriter
    from newsdesk.index.engine.schema import build_schema
    from whoosh import index as whoosh_index

    reused: dict[str, bool] = {}
    term_set = PrefixPresence.term_set

    def spy(self: PrefixPresence, value: str) -> set[str]:
        name = next(name for name in ("title", "body") if doc[name] is value)
        reused[prefix_field(name)] = value is schema_module._last_terms[0]
        return term_set(self, value)

    tmp_path.mkdir()
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = DirectIndexWriter(ix, codec=_codec())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PrefixPresence, "term_set", spy)
        writer.add_document(**add_prefix_values(doc))
    writer.cancel()
    return reused


def test_the_bodys_prefix_field_takes_the_terms_the_body_just_found(tmp_path: Path) -> None:
    """docs/performance.md: the body's prefix field reuses the body's terms; not with a note, never the title's.

    Both writers add fields in name order: body, note, ..., prefixes_body, prefixes_title, ..., title.
    """
    doc = {"id": "a", "path": "p", "title": "Talks in Geneva", "body": "The talks went on"}
    assert reused_record(doc, tmp_path / "plain") == {"prefixes_body": True, "prefixes_title": False}
    noted = {**doc, "note": "a note"}
    assert reused_record(noted, tmp_path / "noted") == {"prefixes_body": False, "prefixes_title": False}


def test_the_split_modules_stay_as_short_as_docs_say() -> None:
    """docs/performance.md: indexer.py under 400 lines after the split, the direct writer under 500."""
    package = Path(__file__).resolve().parents[1] / "index"
    assert len((package / "indexer.py").read_text(encoding="utf-8").splitlines()) < 400
    assert len((package / "engine" / "directwriter.py").read_text(encoding="utf-8").splitlines()) < 500


@settings(max_examples=examples(300), deadline=None)
@given(terms=st.sets(st.text(max_size=7)))
def test_prefixes_sliced_in_c_are_the_comprehension_they_replaced(terms: set[str]) -> None:
    shortest, longest = PREFIX_CHARS
    written_out = {term[:size] for term in terms for size in range(shortest, min(longest, len(term)) + 1)}
    assert term_prefixes(terms) == written_out


LINE = st.text(ALPHABET.filter(lambda c: len(f"x{c}x".splitlines()) == 1), min_size=1, max_size=30)


def queries_for(texts: list[str]) -> list[str]:
    """Prefix queries of every word's first 2-4 characters and phrases of adjacent words, from ``texts``."""
    found: set[str] = set()
    for text in texts:
        words = [word for word in TOKEN_PATTERN.findall(text) if word.isalnum()]
        found.update(f"{word[:size]}*" for word in words for size in (2, 3, 4) if len(word) >= size)
        found.update(f'"{first} {second}"' for first, second in pairwise(words))
    return sorted(found)[:40]


@settings(max_examples=examples(4), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.lists(st.tuples(LINE, st.one_of(TEXTS, LINE)), min_size=10, max_size=12),
    changed=st.lists(st.tuples(LINE, st.one_of(TEXTS, LINE)), min_size=1, max_size=4),
    same=st.booleans(),
)
def test_unicode_updates_after_a_direct_full_build_answer_like_a_fresh_build(
    tmp_path_factory: Any, first: list[tuple[str, str]], changed: list[tuple[str, str]], same: bool
) -> None:
    base = tmp_path_factory.mktemp("lib")
    if same:  # titles equal to bodies
        changed = [(title, title) for title, _ in changed]
    corpus = base / "corpus"
    write_articles(corpus, first)
    config = Config()
    config.index.group_reprints = False
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexer_module, "_FULL_BUILD_MIN_DOCS", 10)
        with Library.open(corpus, state_dir=base / "state", config=config) as library:
            library.update()
            write_articles(corpus, changed, start=len(first) - 1)
            assert not library.update().rebuilt_index
            queries = queries_for([text for pair in first + changed for text in pair])
            updated = answers(library, queries)
        with Library.open(corpus, state_dir=base / "fresh", config=config) as library:
            library.update()
            fresh = answers(library, queries)
    assert fresh == updated


def test_presence_weights_are_kept_only_once_a_boost_makes_one_differ(tmp_path: Path) -> None:
    """docs/performance.md: the weight is kept once per document, and only once one differs from 1.0."""
    from newsdesk.index.buildwriters import _codec
    from newsdesk.index.engine.directwriter import DirectSegmentWriter
    from newsdesk.index.engine.schema import build_schema
    from whoosh import index as whoosh_index

    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = DirectSegmentWriter(ix, codec=_codec())
    plain = {"id": "a", "path": "p", "title": "Talks", "body": "The talks went on"}
    for _ in range(3):
        writer.add_document(**add_prefix_values(dict(plain)))
    assert writer._doc_weights == {}
    writer.add_document(**add_prefix_values(dict(plain)), _boost=2.0)
    writer.add_document(**add_prefix_values(dict(plain)))
    assert {name: list(weights) for name, weights in writer._doc_weights.items()} == {
        "prefixes_body": [1.0, 1.0, 1.0, 2.0, 1.0],
        "prefixes_title": [1.0, 1.0, 1.0, 2.0, 1.0],
    }
    writer.cancel()


def test_a_huge_text_shared_by_title_and_body_writes_like_whoosh(tmp_path: Path) -> None:
    """One ~1.5 MB string as title and body (positions past 65,535), between two small articles."""
    words = ["ﬁnal", "ceasefire", "Zürich", "ﾞ", "ͺ", "talks", "x", "U.S.", "don't"]
    huge = " ".join(f"{words[n % len(words)]}{n % 997}" for n in range(150_000))
    docs = [
        add_prefix_values({"id": "a", "path": "p", "title": "small", "body": huge[:50]}),
        add_prefix_values({"id": "b", "path": "p", "title": huge, "body": huge, "_boost": 1.5}),
        add_prefix_values({"id": "c", "path": "p", "title": huge[:50], "body": "small"}),
    ]
    old = write(tmp_path / "old", docs, direct=False)
    new = write(tmp_path / "new", docs, direct=True, limitmb=1)
    assert contents(new) == contents(old)
