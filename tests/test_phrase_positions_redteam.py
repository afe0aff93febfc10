"""Red-team pass over phrases from position arrays (NDFREQ4): what tests/test_phrase_positions.py did not try.

Every phrase goes through the public API (``Library.search``) on a folder built with every
list in the frequency files (``FREQ_MIN_POSTINGS`` = 1), then updated (Whoosh-written segments
beside direct-written ones, deleted documents), and is compared with a brute-force count over
the stored articles' terms and with the old one-candidate-at-a-time check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index.engine import freqfile
from newsdesk.index.engine.directwriter import DirectIndexWriter
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.freqfile import FreqFile
from newsdesk.index.engine.hidden_fields import add_prefix_values
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.engine.terms import iter_terms
from newsdesk.index.errors import QueryError
from whoosh.filedb.filestore import RamStorage

from .conftest import examples, write


@contextmanager
def updated_library(
    root: Path, articles: list[tuple[str, str]], later: list[tuple[int, str]], title_mark: str
) -> Iterator[Library]:
    """A library of ``articles`` (each title followed by ``title_mark`` and its number), indexed, then
    updated once per ``later`` entry: an article rewritten or removed in turn (Whoosh-written segments
    beside the direct one, and deleted documents)."""
    corpus = root / "corpus"
    for number, (title, body) in enumerate(articles):
        write(corpus, f"a{number:02d}.txt", f"{title} {title_mark}{number}\n\n{body} n{number}\n")
    with Library.open(corpus, state_dir=root / "state") as library:
        library.update()
        for step, (number, body) in enumerate(later):
            path = corpus / f"a{number:02d}.txt"
            if step % 2 and path.exists():
                path.unlink()
            else:
                write(corpus, f"a{number:02d}.txt", f"later {step}\n\n{body} m{step}\n")
            library.update()
        yield library


WORDS = [
    "the",
    "of",
    "and",
    "the",
    "café",
    "Café",
    "naïve",
    "Ωmega",
    "東京",
    "straße",
    "1.5",
    "zork",
    "x",
    "kalo",
    "\uff9e",  # folds to an empty term
    "a\u037a",  # folds to a term holding a space
    "ＦＵＬＬ",
    "x\u0301",
]


@pytest.fixture(autouse=True)
def _every_list_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freqfile, "FREQ_MIN_POSTINGS", 1)


def _terms(text: str) -> list[str]:
    return [term for term, _, _ in iter_terms(text)]


def _occurs(haystack: list[str], needle: list[str]) -> int:
    size = len(needle)
    return sum(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def _expected(library: Library, field: str, phrase: str) -> set[str]:
    needle = _terms(phrase)
    found = set()
    for summary in library.list_articles(0, 10_000):
        article = library.article(summary.id)
        texts = {"title": [article.title], "body": [article.text], "": [article.title, article.text]}[field]
        if any(_occurs(_terms(text), needle) for text in texts):
            found.add(article.id)
    return found


def _found(library: Library, query: str) -> tuple[int, set[str], list[tuple[str, float]]]:
    results = library.search(query, limit=10_000, facets=False)
    ids = {hit.id for hit in results.hits} | {copy for hit in results.hits for copy in hit.copies}
    return results.total, ids, [(hit.id, round(hit.score, 6)) for hit in results.hits]


def _old_path(library: Library, query: str, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(DocSets, "positions", lambda *args: None)
        library._searcher._docsets_cache = None  # a fresh DocSets: nothing cached by the new path
        try:
            return _found(library, query)
        finally:
            library._searcher._docsets_cache = None


text_strategy = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    articles=st.lists(
        st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join), text_strategy),
        min_size=1,
        max_size=8,
    ),
    later=st.lists(st.tuples(st.integers(0, 7), text_strategy), max_size=3),
    phrases=st.lists(
        st.tuples(st.sampled_from(["", "title:", "body:"]), st.lists(st.sampled_from(WORDS), min_size=2, max_size=8)),
        min_size=1,
        max_size=4,
    ),
    cut=st.lists(
        st.tuples(st.sampled_from(["", "title:", "body:"]), st.integers(0, 50), st.integers(2, 8)), max_size=4
    ),
    by_words=st.booleans(),
)
def test_phrases_through_the_api_count_as_the_articles_do(
    tmp_path_factory: pytest.TempPathFactory, articles, later, phrases, cut, by_words, monkeypatch: pytest.MonkeyPatch
) -> None:
    if by_words:  # no pair lists: every phrase by its words' positions (the arrays path, with repeated words)
        monkeypatch.setattr(DocSets, "phrase_cover", lambda *args: None)
    else:
        monkeypatch.undo()
        monkeypatch.setattr(freqfile, "FREQ_MIN_POSTINGS", 1)
    for field, start, size in cut:  # phrases cut from the articles, so that they match
        title, body = articles[start % len(articles)]
        words = body.split() or title.split()
        phrases = [*phrases, (field, words[start % len(words) :][:size])]
    with updated_library(tmp_path_factory.mktemp("rt-pos"), articles, later, title_mark="") as library:
        for field, words in phrases:
            if len(words) < 2:
                continue
            phrase = " ".join(words)
            query = f'{field}"{phrase}"'
            try:
                total, ids, ranked = _found(library, query)
            except QueryError:
                continue
            expected = _expected(library, field.rstrip(":"), phrase)
            assert ids == expected, query
            assert total == len(expected), query
            assert (total, ids, ranked) == _old_path(library, query, monkeypatch), query


def _long_article(corpus: Path, name: str, words: int, tail: str) -> None:
    filler = " ".join(["alpha beta"] * (words // 2))
    write(corpus, name, f"Long one\n\n{filler} {tail}\n")


@pytest.mark.parametrize("where", ["after 65,535", "both sides"])
def test_a_phrase_past_65535_words_is_found(tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    _long_article(corpus, "long.txt", 70_000, "gamma delta gamma delta")
    head = "gamma delta " if where == "both sides" else ""
    write(corpus, "short.txt", f"Short one\n\n{head}alpha beta gamma delta\n")
    with Library.open(corpus, state_dir=tmp_path / "state") as library:
        library.update()
        for phrase in ('"gamma delta"', '"beta gamma delta"', '"alpha beta alpha"', '"delta gamma delta"'):
            total, ids, ranked = _found(library, phrase)
            expected = _expected(library, "", phrase.strip('"'))
            assert ids == expected, phrase
            assert (total, ids, ranked) == _old_path(library, phrase, monkeypatch), phrase


# -- cost: each list read once per search ------------------------------------------------------


def _kalo_index(common: frozenset[str] | None) -> object:
    ix = RamStorage().create_index(build_schema(common=common))
    writer = DirectIndexWriter(ix)
    for number in range(40):
        body = " ".join(["kalo"] * 12) + f" zeno{number % 4} kalo kalo"
        fields = add_prefix_values({"title": "t", "body": body})
        writer.add_document(**{name: value for name, value in fields.items() if name in ix.schema})
    writer.commit()
    return ix


def _reads(ix: object, text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[tuple[str, bytes]], int]:
    reads: Counter[tuple[str, bytes]] = Counter()
    original = FreqFile.positions

    def counted(self: FreqFile, fieldname: str, btext: bytes) -> object:
        reads[(fieldname, btext)] += 1
        return original(self, fieldname, btext)

    monkeypatch.setattr(FreqFile, "positions", counted)
    with ix.searcher() as searcher:  # type: ignore[attr-defined]
        docsets = DocSets(searcher)
        matched = docsets.match(parse_query(make_parser(ix.schema, 2.0), text))  # type: ignore[attr-defined]
        docsets.close()
    return reads, len(matched)


@pytest.mark.parametrize(
    ("common", "list_read"), [(None, ("pairs_body", b"kalo kalo")), (frozenset(), ("body", b"kalo"))]
)
def test_a_phrase_repeating_one_word_reads_its_list_once(
    common: frozenset[str] | None, list_read: tuple[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``"pake pake ... pake"`` (200 words at most) read the pair list "pake pake" 198 times and held every
    copy at once until the check: at 20k articles 122 MB peak (tracemalloc) where 3 words take 5 MB,
    and the list grows with the index (about 30 MB a copy at 1M articles)."""
    reads, matched = _reads(_kalo_index(common), 'body:"' + " ".join(["kalo"] * 12) + '"', monkeypatch)
    assert matched == 40
    assert reads[list_read] == 1, reads


def test_phrases_sharing_a_word_read_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``"pake a" OR "pake b" OR ...``: each phrase read all of "pake"'s positions from the file again (the
    decoded postings it replaced were cached): 100 such phrases cost 0.55 s at 20k articles where they took 0.27 s."""
    text = " OR ".join(f'body:"kalo zeno{number}"' for number in range(4))
    reads, matched = _reads(_kalo_index(frozenset()), text, monkeypatch)
    assert matched == 40
    assert reads[("body", b"kalo")] == 1, reads


def test_after_an_update_a_phrase_decodes_only_the_new_segment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any update adds a segment of Whoosh's writer (no .frq) holding the common words, and from then on every
    phrase of them decoded all of its words' blocks in every segment, as before the position lists. At 20k
    articles after adding 5: '"pake nerabor pake vuhazo ... pake"' 0.04 -> 0.22 s CPU cold (1fe6705: 0.15 s)."""
    ix = _kalo_index(frozenset())
    with ix.writer() as writer:  # type: ignore[attr-defined]
        fields = add_prefix_values({"title": "t", "body": "kalo zeno1 kalo kalo"})
        writer.add_document(**{name: value for name, value in fields.items() if name in ix.schema})  # type: ignore[attr-defined]
    decoded: list[object] = []
    original = DocSets.postings
    monkeypatch.setattr(DocSets, "postings", lambda self, *args: decoded.append(args) or original(self, *args))
    with ix.searcher() as searcher:  # type: ignore[attr-defined]
        docsets = DocSets(searcher)
        matched = docsets.match(parse_query(make_parser(ix.schema, 2.0), 'body:"kalo zeno1 kalo"'))  # type: ignore[attr-defined]
        docsets.close()
    assert len(matched) == 11
    assert not decoded, "decoded every segment's postings of " + repr(decoded)
