"""Red-team pass over the word-pair fields: what tests/test_phrase_pairs.py did not try.

That file compares one phrase at a time; here phrases sit inside boolean, field, boost
and NOT queries, repeat their words, carry words the analyzer folds to odd terms, and
the common-terms list comes from stores of 0, 1 and 2 articles that then grow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index import indexer as indexer_module
from newsdesk.index.engine import hidden_fields
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.hidden_fields import pair_field
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.ranking import Ranker
from newsdesk.index.engine.terms import iter_terms
from newsdesk.index.errors import QueryError
from newsdesk.index.indexer import META_SCHEMA
from newsdesk.index.store import ArticleStore
from newsdesk.tui.cli import main

from .conftest import examples, write
from .test_phrase_pairs import _answers, _ram_index, corpora, phrases

COMBINE = st.sampled_from(
    [
        "{a} AND {b}",
        "{a} OR {b}",
        "{a} NOT {b}",
        "NOT {a}",
        "({a} OR {b}) AND NOT {a}",
        "{a}^3 OR {b}",
        "{a} ANDMAYBE {b}",
        "{a} {b}",
        "({a})^0.5 AND ({b} OR {a})",
    ]
)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), corpus=corpora())
def test_phrases_inside_boolean_queries_answer_as_word_positions(data: st.DataObject, corpus) -> None:
    pool, articles = corpus
    a, b = data.draw(phrases(pool, articles)), data.draw(phrases(pool, articles))
    text = data.draw(COMBINE).format(a=a, b=b)
    deleted = tuple(data.draw(st.sets(st.integers(0, len(articles) - 1), max_size=3)))
    terms = sorted({term for title, body in articles for term, _, _ in iter_terms(f"{title} {body}")})
    common = data.draw(st.none() | st.sets(st.sampled_from(terms)).map(frozenset) if terms else st.none())
    ix = _ram_index(articles, deleted=deleted, common=common)
    try:
        parsed = parse_query(make_parser(ix.schema, 2.0), text)
    except QueryError:
        assume(False)
    with ix.searcher() as searcher:
        paired, positional = DocSets(searcher), DocSets(searcher, pairs=False)
        matched = paired.match(parsed)
        assert matched == positional.match(parsed), text
        assert paired.phrase_occurrences == positional.phrase_occurrences, text
        assert Ranker(paired).scores(parsed, matched) == Ranker(positional).scores(parsed, matched), text


@pytest.mark.parametrize(
    ("body", "phrase", "count"),
    [
        ("the the the", '"the the"', 2),
        ("a a a a", '"a a a"', 2),
        ("a a a a", '"a a a a a"', 0),
        ("running runs ran run", '"running runs"', 1),
        ("run runs ran run", '"runs run"', 1),  # Porter: "running" -> "runn", "runs" -> "run"
        ("Café cafe\u0301 CAFE", '"cafe cafe cafe"', 1),
        ("one 1.5 two 1.5 two", '"1.5 two"', 2),
    ],
)
def test_repeated_and_folded_words(body: str, phrase: str, count: int) -> None:
    """Every word common (None: every pair indexed) and only some: the same occurrences as positions."""
    articles = [("t", body), ("u", "unrelated words here")]
    words = {term for term, _, _ in iter_terms(body)}
    for common in (None, frozenset(words), frozenset(sorted(words)[:1])):
        ix = _ram_index(articles, common=common)
        parsed = parse_query(make_parser(ix.schema, 2.0), f"body:{phrase}")
        with ix.searcher() as searcher:
            paired, positional = DocSets(searcher), DocSets(searcher, pairs=False)
            assert paired.match(parsed) == positional.match(parsed) == ({0} if count else set())
            assert paired.phrase_occurrences == positional.phrase_occurrences
            assert sum(paired.phrase_occurrences[next(iter(paired.phrase_occurrences))].values()) == count


# -- the common-terms list of a store that starts empty or tiny ---------------------------


def _common(library: Library) -> frozenset[str] | None:
    with library._searcher._lock:
        return library._searcher._current().schema[pair_field("body")].format.common


def _add(corpus: Path, first: int, count: int) -> None:
    for number in range(first, first + count):
        write(
            corpus, f"a{number:04d}.txt", f"Report {number}\n\nThe foreign minister met zork{number} in the capital.\n"
        )


@pytest.mark.parametrize("start", [0, 1, 2])
def test_a_store_that_starts_tiny_gets_its_common_terms_once_it_has_grown(tmp_path: Path, start: int) -> None:
    """A folder indexed when it held 0, 1 or 2 articles, then grown by small updates (each far below the
    2,000 changes that rebuild), had its common terms from those few articles for good: none at all
    (no phrase ever read a pair) or every word of one article (its rare words' pairs indexed in every
    later article). Once the store has doubled past the sample, the next update rebuilds the list."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    corpus.mkdir()
    _add(corpus, 0, start)
    with Library.open(corpus, state_dir=state) as library:
        library.update()
        for first in range(start, 400, 100):
            _add(corpus, first, 100)
            library.update()
        common = _common(library)
        assert common is not None and {"the", "foreign", "minist"} <= common
        assert "zork0" not in common
        with library._searcher._lock:
            docsets = library._searcher._docsets(library._searcher._current())
        phrase = parse_query(make_parser(docsets.schema, 2.0), 'body:"the foreign minister"')
        assert docsets.phrase_cover(phrase) is not None
        assert library.search('"the foreign minister"').total == len(list(corpus.iterdir()))
        rebuilt = library.update()  # nothing changed: no rebuild
        assert not rebuilt.rebuilt_index
        _add(corpus, 1000, 3)  # a few more articles: far from doubling the sample, no rebuild
        assert not library.update().rebuilt_index


def test_words_folded_to_an_empty_or_blank_term_never_pair_up_wrongly() -> None:
    """U+FF9E (halfwidth voiced mark) folds to the term "", U+037A (ypogegrammeni) to " ": the pair
    terms of "ﾞ ͺ" and "ͺ ﾞ" were both "  ", so each phrase found the other's articles."""
    voiced, iota = "\uff9e", "\u037a"
    articles = [("t", f"x {iota} {voiced} y"), ("u", f"x {voiced} {iota} y")]
    ix = _ram_index(articles, common=frozenset({"", " ", "x", "y"}))
    with ix.searcher() as searcher:
        for text in (f'body:"{voiced} {iota}"', f'body:"{iota} {voiced}"', f'body:"x {iota} {voiced}"'):
            parsed = parse_query(make_parser(ix.schema, 2.0), text)
            assert DocSets(searcher).match(parsed) == DocSets(searcher, pairs=False).match(parsed), text


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), corpus=corpora())
def test_whole_searches_with_phrases_in_boolean_queries_answer_as_positions(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, corpus
) -> None:
    """Total, hits, scores, snippets, highlights and the n/N match counts, pairs against positions."""
    pool, articles = corpus
    root = tmp_path_factory.mktemp("pair-bool")
    for number, (title, body) in enumerate(articles):
        write(root / "corpus", f"a{number:02d}.txt", f"{title or 'untitled'}\n\n{body or 'empty'}\n")
    texts = [
        data.draw(COMBINE).format(a=data.draw(phrases(pool, articles)), b=data.draw(phrases(pool, articles)))
        for _ in range(4)
    ]
    with Library.open(root / "corpus", state_dir=root / "state") as library:
        library.update()
        paired = [_answers(library, text) for text in texts]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(DocSets, "phrase_cover", lambda self, q: None)
            library._searcher._docsets_cache = None
            positional = [_answers(library, text) for text in texts]
    assert paired == positional, texts


def test_the_older_index_warning_names_what_a_rebuild_speeds_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A schema-3 index has the prefix fields; what it lacks, and a rebuild brings, is the pairs of phrases.
    The warning said "which makes prefix searches faster"."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    write(corpus, "a.txt", "Will pake\n\nThe will pake of Zürich.\n")
    with monkeypatch.context() as patch:  # made by schema 3: no pair fields
        patch.setattr(hidden_fields, "PAIRED_FIELDS", ())
        with Library.open(corpus, state_dir=state) as library:
            library.update()
            with library.store.transaction() as db:
                ArticleStore.set_meta(db, META_SCHEMA, "3")
    assert main(["search", "--corpus", str(corpus), "--state-dir", str(state), '"will pake"']) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert "phrase searches faster" in line


def test_performance_md_states_the_resample_rule() -> None:
    """The rule is tested above (a store that starts tiny); the numbers quoted are the code's."""
    doc = " ".join((Path(__file__).resolve().parent.parent / "docs" / "performance.md").read_text("utf-8").split())
    assert "is rebuilt by the update after the store has doubled past its sample (from 100 articles on)" in doc
    assert hidden_fields.COMMON_RESAMPLE_FLOOR * 2 == 100 and hidden_fields.COMMON_SAMPLE == 2000


def test_the_common_terms_are_sampled_from_the_whole_store_not_its_first_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is read in path order, and the list came from its first 2,000 articles: a corpus
    filed by language or source (`de/`, `en/`) or by year got the common words of its first folder
    only, and the phrases of every other went by positions. Here the sample is 20 of 100 articles."""
    monkeypatch.setattr(indexer_module, "COMMON_SAMPLE", 20)
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    for number in range(30):
        write(
            corpus, f"a-de/{number:03d}.txt", f"Bericht {number}\n\nDer Minister sagte, die Lage sei ernst {number}.\n"
        )
    for number in range(70):
        write(
            corpus, f"b-en/{number:03d}.txt", f"Report {number}\n\nThe foreign minister said it was grave {number}.\n"
        )
    with Library.open(corpus, state_dir=state) as library:
        library.update()
        common = _common(library)
    assert common is not None and {"the", "foreign", "minist", "der", "die"} <= common


def test_a_phrase_never_spans_the_title_and_the_body() -> None:
    """The common terms are counted over title and text together; the pairs are per field (holds)."""
    articles = [("The foreign minister", "the talks of the foreign minister"), ("u", "minister the talks")]
    ix = _ram_index(articles, common=frozenset({"the", "foreign", "minist", "talk", "of"}))
    with ix.searcher() as searcher:
        for text, expected in (
            ('"minister the talks"', {1}),
            ('title:"minister the"', set()),
            ('"foreign minister"', {0}),
        ):
            parsed = parse_query(make_parser(ix.schema, 2.0), text)
            assert DocSets(searcher).match(parsed) == DocSets(searcher, pairs=False).match(parsed) == expected, text
