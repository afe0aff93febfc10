"""Phrases answered from the word-pair fields mean exactly what a check of word positions meant.

The pair fields (:mod:`newsdesk.index.engine.hidden_fields`) hold each adjacent pair of terms
at the first word's position, so ``"will pake"`` reads one posting list instead of the
positions of two words in almost every article. These tests compare that route with
the word positions over generated text (all of Unicode, punctuation, repeated and stop
words) and phrases of 1 to 5 words, with slop too: the same documents, the same
occurrences and scores, and through the whole search the same total, hits, snippets and
highlights, also after incremental updates that delete documents. Indexes made before
the pair fields (schema 3) are searched by word positions until an update rebuilds them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index.engine import hidden_fields
from newsdesk.index.engine import schema as engine_schema
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.hidden_fields import PAIRED_FIELDS, add_prefix_values, pair_field
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.ranking import Ranker
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.engine.terms import iter_terms
from newsdesk.index.errors import QueryError
from newsdesk.index.indexer import META_SCHEMA, META_SCHEMA_NEWEST, OLDER_SCHEMA_NOTICE
from newsdesk.index.store import ArticleStore
from newsdesk.tui.cli import main
from newsdesk.tui.cli_library import OLDER_INDEX_WARNING
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage, RamStorage

from bench import corpus as synthetic

from .conftest import examples, write

LETTERS = st.characters(categories=["L", "M", "N"], exclude_characters="\x00")
WORD = st.text(LETTERS, min_size=1, max_size=7)
COMMON = st.sampled_from(["the", "of", "a", "will", "is", "The", "OF", "café", "Zürich", "naïve", "ﬁne", "Moscow's"])
GLUE = st.sampled_from([" ", " ", " ", ", ", ". ", " - ", "; ", "\n", " (", ") ", " “", "” ", "? "])


@st.composite
def corpora(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    """(word pool, articles as (title, body)): few words, so pairs repeat and phrases match."""
    pool = draw(st.lists(st.one_of(WORD, COMMON), min_size=1, max_size=8, unique=True))

    def text(size: int) -> st.SearchStrategy[str]:
        words = st.lists(st.tuples(st.sampled_from(pool), GLUE), max_size=size)
        return words.map(lambda pairs: "".join(word + glue for word, glue in pairs).strip())

    articles = draw(st.lists(st.tuples(text(6), text(40)), min_size=1, max_size=10))
    return pool, articles


@st.composite
def phrases(draw: st.DrawFn, pool: list[str], articles: list[tuple[str, str]]) -> str:
    """A quoted phrase of 1 to 5 words: from the pool, or cut from an article (so it matches), maybe with slop."""
    size = draw(st.integers(1, 5))
    title, body = draw(st.sampled_from(articles))
    words = [word for word, _, _ in _surface_words(draw(st.sampled_from([title, body])))]
    if words and len(words) >= size and draw(st.booleans()):
        start = draw(st.integers(0, len(words) - size))
        chosen = words[start : start + size]
    else:
        chosen = draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size))
    glue = draw(st.sampled_from([" ", " ", ", ", " - "]))
    slop = draw(st.sampled_from(["", "", "", "~2", "~3"]))
    field = draw(st.sampled_from(["", "", "title:", "body:"]))
    return f'{field}"{glue.join(chosen)}"{slop}'


def _surface_words(text: str) -> list[tuple[str, int, int]]:
    return [(text[start:end], start, end) for _, start, end in iter_terms(text)]


def _ram_index(
    articles: list[tuple[str, str]],
    with_pairs: bool = True,
    deleted: tuple[int, ...] = (),
    common: frozenset[str] | None = None,
) -> object:
    schema = build_schema(common=common)
    if not with_pairs:  # as an index made before the pair fields
        for name in PAIRED_FIELDS:
            schema.remove(pair_field(name))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for title, body in articles:
            fields = add_prefix_values({"title": title, "body": body})
            writer.add_document(**{k: v for k, v in fields.items() if k in schema})
    if deleted:  # a second segment, and deleted documents in the first
        with ix.writer() as writer:
            for docnum in deleted:
                writer.delete_document(docnum)
            for title, body in articles[:2]:
                fields = add_prefix_values({"title": body, "body": title + " " + body})
                writer.add_document(**{k: v for k, v in fields.items() if k in schema})
    return ix


def _phrase_leaves(parsed: wq.Query) -> list[wq.Phrase]:
    found = [parsed] if isinstance(parsed, wq.Phrase) else []
    return found + [leaf for leaf in parsed.leaves() if isinstance(leaf, wq.Phrase) and leaf is not parsed]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), corpus=corpora())
def test_pair_fields_match_and_score_as_word_positions(data: st.DataObject, corpus) -> None:
    pool, articles = corpus
    text = data.draw(phrases(pool, articles))
    deleted = tuple(data.draw(st.sets(st.integers(0, len(articles) - 1), max_size=3)))
    terms = sorted({term for title, body in articles for term, _, _ in iter_terms(f"{title} {body}")})
    common = data.draw(st.none() | st.sets(st.sampled_from(terms)).map(frozenset) if terms else st.none())
    ix = _ram_index(articles, deleted=deleted, common=common)
    try:
        parsed = parse_query(make_parser(ix.schema, 2.0), text)
    except QueryError:
        assume(False)  # a phrase the parser refuses (no terms) has no answer to compare
    with ix.searcher() as searcher:
        paired, positional = DocSets(searcher), DocSets(searcher, pairs=False)
        matched = paired.match(parsed)
        reader = searcher.reader()
        whoosh = {d for d in searcher.docs_for_query(parsed) if not reader.is_deleted(d)}
        assert matched == positional.match(parsed), text
        if "~" not in text:  # (with slop, newsdesk's rule takes each word's next occurrence: not Whoosh's)
            assert matched == whoosh, text
        assert paired.phrase_occurrences == positional.phrase_occurrences, text
        assert paired.phrase_counts == positional.phrase_counts, text
        assert Ranker(paired).scores(parsed, matched) == Ranker(positional).scores(parsed, matched), text
        pairs = ix.schema[pair_field("body")].format
        for leaf in _phrase_leaves(parsed):
            side_by_side = len(leaf.words) > 1 and leaf.slop <= 1
            any_pair = any(pairs.indexed(a, b) for a, b in pairwise(leaf.words))
            assert (paired.phrase_cover(leaf) is not None) == (side_by_side and any_pair), leaf
            assert positional.phrase_cover(leaf) is None
        # Without facets (bounded), a phrase through the pairs is still exact.
        if all(paired.phrase_cover(leaf) is not None for leaf in _phrase_leaves(parsed) if len(leaf.words) > 1):
            assert paired.match(parsed, exact=False) == matched and paired.unverified == 0


@given(words=st.lists(st.tuples(st.one_of(WORD, COMMON), GLUE), max_size=20), data=st.data())
def test_indexed_pairs_are_the_adjacent_common_terms(words: list[tuple[str, str]], data: st.DataObject) -> None:
    text = "".join(word + glue for word, glue in words)
    terms = [term for term, _, _ in iter_terms(text)]
    common = data.draw(st.none() | st.sets(st.sampled_from(terms)).map(frozenset) if terms else st.none())
    field = build_schema(common=common)[pair_field("body")]
    expected: dict[str, list[int]] = {}
    for position, (first, second) in enumerate(pairwise(terms)):
        if common is None or (first in common and second in common):
            expected.setdefault(f"{first} {second}", []).append(position)
    fast = {token.decode("utf-8"): field.format.decode_positions(value) for token, _, _, value in field.index(text)}
    analysed: dict[str, list[int]] = {}
    for token in field.analyzer(text, positions=True):
        analysed.setdefault(token.text, []).append(token.pos)
    assert fast == analysed == expected


def test_pair_fields_cannot_be_searched_by_name() -> None:
    parser = make_parser(build_schema(), 2.0)
    with pytest.raises(QueryError, match="unknown field 'pairs_body:'"):
        parse_query(parser, 'pairs_body:"will pake"')


def test_an_index_without_pair_fields_checks_positions() -> None:
    articles = [("Will pake", "the will pake, will the pake of will pake"), ("other", "pake will the")]
    old, new = _ram_index(articles, with_pairs=False), _ram_index(articles)
    for text in ('"will pake"', '"the will pake"', '"pake will the"', '"will pake"~2', '"will"'):
        answers = []
        for ix in (old, new):
            parsed = parse_query(make_parser(ix.schema, 2.0), text)
            with ix.searcher() as searcher:
                docsets = DocSets(searcher)
                answers.append((docsets.match(parsed), docsets.phrase_occurrences))
        assert answers[0] == answers[1], text
    with old.searcher() as searcher:
        assert DocSets(searcher).phrase_cover(wq.Phrase("body", ["will", "pake"])) is None


# -- the whole search: total, hits, snippets, highlights --------------------------------


def _answers(library: Library, text: str, facets: bool = True) -> list[object]:
    try:
        results = library.search(text, limit=50, facets=facets)
    except QueryError as exc:
        return [type(exc).__name__, str(exc)]
    hits = [(h.id, h.score, h.snippet, h.snippet_highlights, h.title_highlights, h.matches) for h in results.hits]
    return [results.total, results.total_exact, hits, sorted(results.terms)]


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), corpus=corpora())
def test_search_through_the_pair_fields_answers_as_positions(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, corpus
) -> None:
    pool, articles = corpus
    root = tmp_path_factory.mktemp("pair-search")
    for number, (title, body) in enumerate(articles):
        write(root / "corpus", f"a{number:02d}.txt", f"{title or 'untitled'}\n\n{body or 'empty'}\n")
    texts = [data.draw(phrases(pool, articles)) for _ in range(4)]
    with Library.open(root / "corpus", state_dir=root / "state") as library:
        library.update()
        for round_ in range(data.draw(st.integers(0, 2), label="incremental updates")):
            (root / "corpus" / f"a{round_:02d}.txt").unlink(missing_ok=True)  # deleted documents
            write(root / "corpus", f"later{round_}.txt", f"{' '.join(pool)}\n\n{' . '.join(reversed(pool))}\n")
            library.update()
        paired = [_answers(library, t) for t in texts]
        unfaceted = [_answers(library, t, facets=False) for t in texts]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(DocSets, "phrase_cover", lambda self, q: None)
            library._searcher._docsets_cache = None  # a fresh DocSets: nothing cached from the route above
            positional = [_answers(library, t) for t in texts]
    assert paired == positional, texts
    # Without facets, side-by-side phrases are as exact as with them (slop phrases may be estimated).
    for text, with_facets, without in zip(texts, paired, unfaceted, strict=True):
        if "~" not in text:
            assert with_facets == without, text


def _schema(library: Library) -> object:
    with library._searcher._lock:
        return library._searcher._current().schema


def test_an_index_from_before_the_pair_fields_is_searched_then_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`newsdesk search` answers from a schema-3 index as it is, with one warning line; `newsdesk index` rebuilds."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    write(corpus, "a.txt", "Will pake\n\nThe will pake of Zürich, will pake again.\n")
    write(corpus, "b.txt", "Other\n\npake will, not the phrase.\n")
    with monkeypatch.context() as patch:  # made by schema 3: no pair fields
        patch.setattr(hidden_fields, "PAIRED_FIELDS", ())
        with Library.open(corpus, state_dir=state) as library:
            library.update()
            with library.store.transaction() as db:
                ArticleStore.set_meta(db, META_SCHEMA, "3")
                db.execute("DELETE FROM meta WHERE key = ?", (META_SCHEMA_NEWEST,))  # schema 3 wrote "3" there
    assert main(["search", "--corpus", str(corpus), "--state-dir", str(state), "--json", '"will pake"']) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["total"] == 1
    assert err.splitlines() == [f"newsdesk: warning: {OLDER_INDEX_WARNING}"]
    with Library.open(corpus, state_dir=state) as library:
        status = library.status()
        assert status.older_version and not status.in_sync
        old = _answers(library, '"will pake"')
        assert old[0] == 1
        assert pair_field("body") not in _schema(library)
        assert library.update().repairs == [OLDER_SCHEMA_NOTICE]
        assert library.status().in_sync and not library.status().older_version
        assert pair_field("body") in _schema(library)
        assert _answers(library, '"will pake"') == old


def test_an_index_with_pair_fields_opens_in_a_newsdesk_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader of the previous version (no PairAnalyzer, no PairPositions) open on a state folder
    this version rebuilt must read the index, not call it damaged: the classes unpickle as their
    stock bases there, whose posting values are the same."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    write(corpus, "a.txt", "Will pake\n\nThe will pake of Zürich.\n")
    with Library.open(corpus, state_dir=state) as library:
        library.update()
    (folder,) = state.glob("whoosh-*")
    with monkeypatch.context() as older:  # as the previous version's schema module
        older.delattr(engine_schema, "PairAnalyzer")
        older.delattr(engine_schema, "PairPositions")
        schema = FileStorage(str(folder)).open_index().schema
        assert type(schema[pair_field("body")].format) is engine_schema.FastPositions
        assert type(schema[pair_field("body")].analyzer) is engine_schema.NewsAnalyzer
        with Library.open(corpus, state_dir=state) as library:
            assert library.search('"will pake"').total == library.search("talks OR pake").total == 1
            assert library.status().in_sync  # not marked damaged
    schema = FileStorage(str(folder)).open_index().schema  # this version: the classes themselves
    assert type(schema[pair_field("body")].format) is engine_schema.PairPositions
    assert type(schema[pair_field("title")].analyzer) is engine_schema.PairAnalyzer


@pytest.mark.parametrize(
    ("common", "cover"),
    [
        (None, [(0, "pairs_body", "the will"), (1, "pairs_body", "will pake"), (2, "pairs_body", "pake ix")]),
        ({"the", "will"}, [(0, "pairs_body", "the will"), (2, "body", "pake"), (3, "body", "ix")]),
        ({"will", "pake"}, [(1, "pairs_body", "will pake"), (0, "body", "the"), (3, "body", "ix")]),
        ({"the", "will", "ix"}, [(0, "pairs_body", "the will"), (2, "body", "pake"), (3, "body", "ix")]),
        ({"the", "pake"}, None),
    ],
)
def test_a_phrase_is_proven_by_its_indexed_pairs_and_its_other_words(common: set[str] | None, cover) -> None:
    """Each list at its own offset: "the will pake ix" occurs where "the will" is at p, "pake" at p + 2."""
    articles = [("t", "the will pake ix, the will ix pake"), ("u", "will pake ix the will pake"), ("v", "the will")]
    ix = _ram_index(articles, common=None if common is None else frozenset(common))
    parsed = parse_query(make_parser(ix.schema, 2.0), 'body:"the will pake ix"')
    with ix.searcher() as searcher:
        paired = DocSets(searcher)
        assert paired.phrase_cover(parsed) == cover
        assert paired.match(parsed) == DocSets(searcher, pairs=False).match(parsed) == {0}
        assert paired.phrase_occurrences == {("body", ("the", "will", "pake", "ix"), 1): {0: 1}}


# -- docs/performance.md quotes the runs it names ----------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _bench(name: str) -> dict:
    return json.loads((ROOT / "bench" / "results" / name).read_text(encoding="utf-8"))


def _pair_row(label: str, cell: Callable[[dict, dict, str], str]) -> str:
    runs = [_bench(name) for name in ("n20k-pairs-all.json", "n20k-pairs-common.json")]
    return f"| {label} | " + " | ".join(cell(run["results"], run["summaries"], "newsdesk") for run in runs) + " |"


def test_the_20k_pair_figures_in_performance_md_are_the_runs() -> None:
    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    a = "newsdesk-positional"

    def load(r: dict, s: dict, b: str) -> str:
        return ", ".join(f"{r[e]['load_average'][0]:.1f}-{r[e]['load_average'][1]:.1f}" for e in (a, b))

    def phrase(r: dict, s: dict, b: str) -> str:
        pa, pb = s[a]["first"]["phrase"], s[b]["first"]["phrase"]
        return f"{pa['p50']:.0f} / {pa['p95']:.0f} → {pb['p50']:.0f} / {pb['p95']:.0f} ms"

    def p95(r: dict, s: dict, b: str) -> str:
        return f"{s[a]['first']['p95']:.1f} → {s[b]['first']['p95']:.1f} ms ({s['fts5']['first']['p95']:.1f} ms)"

    def cpu(r: dict, s: dict, b: str) -> str:
        return f"{r[a]['index_cpu_seconds']:.0f} → {r[b]['index_cpu_seconds']:.0f} s"

    def size(r: dict, s: dict, b: str) -> str:
        return f"{r[a]['whoosh_bytes'] / 1e6:.0f} → {r[b]['whoosh_bytes'] / 1e6:.0f} MB"

    assert _pair_row("load average: A start-end, B start-end", load) in doc
    assert _pair_row("phrase p50 / p95, first pass", phrase) in doc
    assert _pair_row("search p95, first pass (FTS5)", p95) in doc
    assert _pair_row("build CPU (all processes)", cpu) in doc
    assert _pair_row("Whoosh folder", size) in doc
    shares = _bench("pair-shares-20k.json")
    every, either, both = shares["all"], shares["share_0.1"]["either"], shares["share_0.1"]["both"]
    assert f"every pair {every['postings_x']:.1f}x the postings and {every['terms_x']:.1f}x the terms" in doc
    assert f"10 %: {either['postings_x']:.1f}x and {either['terms_x']:.1f}x" in doc
    assert f"pairs of two common words at 10 %: {both['postings_x']:.1f}x and {both['terms_x']:.1f}x" in doc
    assert f"; {shares['share_0.1']['common_terms']} terms on a" in doc
    assert hidden_fields.COMMON_SHARE == 0.1 and hidden_fields.COMMON_SAMPLE == 2000


def test_the_100k_pair_figures_in_performance_md_are_the_runs() -> None:
    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    run = _bench("n100k-pairs.json")
    results, summaries = run["results"], run["summaries"]
    first = {e: summaries[e]["first"] for e in ("newsdesk", "fts5")}
    row = " | ".join(f"{first[e]['p50']:.1f} / {first[e]['p95']:.1f} ms" for e in first)
    assert f"| search p50 / p95, first pass | {row} |" in doc
    for kind, label in (("term", "term"), ("and", "AND"), ("phrase", "phrase"), ("prefix", "prefix")):
        row = " | ".join(f"{first[e][kind]['p50']:.0f} / {first[e][kind]['p95']:.0f} ms" for e in first)
        assert f"| {label} p50 / p95 | {row} |" in doc
    pairs, fts5 = first["newsdesk"], first["fts5"]
    assert f"**Phrase p95 {pairs['phrase']['p95']:.0f} ms (target ≤ 150 ms: met in this run)**" in doc
    assert pairs["phrase"]["p95"] <= 150 and pairs["p95"] <= 100 and pairs["p95"] <= 1.2 * fts5["p95"]
    assert f"{pairs['p95'] / fts5['p95']:.2f}x FTS5's (target ≤ 1.2x: met;" in doc
    second = summaries["newsdesk"]["second"]["p95"] / summaries["fts5"]["second"]["p95"]
    assert f"on the second pass {second:.2f}x, not met" in doc and second > 1.2
    nd = results["newsdesk"]
    assert (
        f"| Whoosh folder / store + index | {nd['whoosh_bytes'] / 1e6:.0f} / {nd['size_bytes'] / 1e6:,.0f} MB |" in doc
    )
    assert f"the build used {nd['index_cpu_seconds']:.0f} s of CPU at\n  {nd['docs_per_s']:.0f} docs/s" in doc
    assert f"Peak RSS {nd['rss']['main_mb'] + nd['rss']['largest_child_mb']:.0f} MB (target ≤ 500 MB: met" in doc
    # Every total the pair fields answered is FTS5's; the two that differ are phrases estimated by positions.
    texts = [text for _, text in synthetic.queries(200)]
    differ = {t for i, t in enumerate(texts) if nd["passes"][0][i][2] != results["fts5"]["passes"][0][i][2]}
    assert differ == {'"dibalipa umhadi"', '"he peclaple"'}
    met = {"phrase": 0, "overall": 0}
    for name, number in (("n100k-pairs-search-ab-1.json", 1), ("n100k-pairs-search-ab-2.json", 2)):
        for index, found in enumerate(_bench(name)["rounds"], 1):
            sides = ("newsdesk-positional", "newsdesk", "fts5")
            phrase = " / ".join(f"{found[e]['phrase']['p95']:.0f}" for e in sides)
            overall = " / ".join(f"{found[e]['p95']:.0f}" for e in sides)
            cpu = " / ".join(f"{found[e]['cpu_seconds']:.1f}" for e in sides[:2])
            load = found["load_average"]
            assert f"| run {number}, round {index} ({load:.1f}) | {phrase} ms | {overall} ms | {cpu} s |" in doc
            met["phrase"] += found["newsdesk"]["phrase"]["p95"] <= 150
            met["overall"] += found["newsdesk"]["p95"] <= 100
    assert f"met in {met['phrase']} of the 8 rounds and overall p95 ≤ 100 ms in {met['overall']} of 8" in doc


def test_the_slowest_20k_phrases_quoted_are_the_run() -> None:
    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    texts = [text for _, text in synthetic.queries(200)]
    passes = _bench("n20k-pairs-common.json")["results"]["newsdesk"]["passes"][0]
    slowest = sorted(((ms, texts[i]) for i, (kind, ms, _) in enumerate(passes) if kind == "phrase"), reverse=True)
    (first, name1), (second, name2), (third, name3) = slowest[:3]
    assert (name1, name2, name3) == ('"foreign minister"', '"he peclaple"', '"dibalipa umhadi"')
    assert f'minister"`, {first:.0f} ms through its pair' in doc
    assert f'umhadi"`, {second:.0f} and {third:.0f} ms, each with one word outside' in doc


def test_the_100k_tail_quoted_is_the_run() -> None:
    doc = " ".join((ROOT / "docs" / "performance.md").read_text(encoding="utf-8").split())
    texts = [text for _, text in synthetic.queries(200)]
    results = _bench("n100k-pairs.json")["results"]
    timed = {e: [(ms, texts[i], kind) for i, (kind, ms, _) in enumerate(results[e]["passes"][0])] for e in results}
    slowest = sorted(timed["newsdesk"], reverse=True)[:10]
    kinds = [kind for _, _, kind in slowest]
    assert (kinds.count("term"), kinds.count("and"), kinds.count("phrase")) == (4, 1, 5)
    assert "the ten slowest queries were four terms" in doc
    ms = {text: f"{time:.0f}" for time, text, _ in slowest}
    assert f"(`nerabor` {ms['nerabor']} ms), one `AND` (`pake AND pazoum` {ms['pake AND pazoum']} ms)" in doc
    assert f'(`"dibalipa umhadi"` {ms[chr(34) + "dibalipa umhadi" + chr(34)]} ms, `"he peclaple"`' in doc
    middle = sorted((time for time, text, _ in slowest if text == '"the Middle East"'), reverse=True)
    assert f'East"` ({middle[0]:.0f} and {middle[1]:.0f} ms: two pair lists' in doc
    will = {e: next(f"{time:.0f}" for time, text, _ in timed[e] if text == '"will pake"') for e in timed}
    assert f'`"will pake"` {will["newsdesk"]} ms, FTS5 {will["fts5"]} ms' in doc
