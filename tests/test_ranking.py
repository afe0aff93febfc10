"""Ranking: the BM25 scores and the top of the list against a plain model.

``Ranker`` scores from decoded postings with shortcuts (the length part of the
formula computed once per field, frequencies read from a posting's length, the
top found through a threshold). The model here is the formula written out once
per document, term by term, with Whoosh's own reader for frequencies and lengths.
"""

from __future__ import annotations

import math
from array import array

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.ranking import K1, B, Ranker, scoring_terms
from newsdesk.index.engine.schema import FastPositions, encode_positions
from newsdesk.index.errors import QueryError

from .conftest import examples
from .test_phrase_pairs import _ram_index, corpora


def _model_scores(searcher, parsed, matched: set[int]) -> dict[int, float]:
    reader = searcher.reader()
    documents = max(reader.doc_count_all(), 1)
    scores: dict[int, float] = {}
    for fieldname, text, boost in set(scoring_terms(parsed)):
        field = searcher.schema[fieldname]
        if not field.scorable or (fieldname, text) not in reader:
            continue
        postings = dict(reader.postings(fieldname, text).items_as("frequency"))
        frequency = reader.doc_frequency(fieldname, text)  # deleted documents count, as in Whoosh's statistics
        idf = math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
        weight = idf * boost * getattr(field.format, "field_boost", 1.0)
        lengths = [reader.doc_field_length(d, fieldname) or 1 for d in range(reader.doc_count_all())]
        average = sum(lengths) / len(lengths)
        for docnum, tf in postings.items():
            if docnum in matched:
                part = weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[docnum] / average))
                scores[docnum] = scores.get(docnum, 0.0) + part
    return scores


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), corpus=corpora())
def test_scores_and_the_top_are_the_formula_written_out(data: st.DataObject, corpus) -> None:
    pool, articles = corpus
    words = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
    operator = data.draw(st.sampled_from([" ", " OR ", " AND "]))
    deleted = tuple(data.draw(st.sets(st.integers(0, len(articles) - 1), max_size=3)))
    ix = _ram_index(articles, deleted=deleted)
    try:
        parsed = parse_query(make_parser(ix.schema, 2.0), operator.join(words))
    except QueryError:
        return  # nothing to rank
    with ix.searcher() as searcher:
        docsets = DocSets(searcher)
        matched = docsets.match(parsed)
        ranker = Ranker(docsets)
        scores = ranker.scores(parsed, matched)
        model = _model_scores(searcher, parsed, matched)
        assert scores.keys() == model.keys()
        for docnum, score in model.items():
            assert math.isclose(scores[docnum], score, rel_tol=1e-9), docnum
        dates = [str(d % 3) for d in range(searcher.reader().doc_count_all())]
        count = data.draw(st.integers(1, 5))
        top = ranker.top(parsed, matched, {}, dates, count)
        # The model's top: best score, then newest, then the lower document number.
        expected = sorted(scores.items(), key=lambda item: (-item[1], [-ord(c) for c in dates[item[0]]], item[0]))
        assert top[: len(expected[:count])] == expected[:count]


def test_frequencies_are_read_from_both_position_widths() -> None:
    positions = FastPositions()
    short, wide = encode_positions([1, 5, 9]), encode_positions([1, 70_000])
    assert (short[:1], wide[:1]) == (b"H", b"I")
    assert positions.decode_frequency(short) == 3 and positions.decode_frequency(wide) == 2
    assert array("I", wide[1:]).tolist() == [1, 70_000]


def test_scores_are_the_same_floats_whatever_the_hash_seed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Terms are summed in a sorted order, not a set's: two processes with other hash seeds give the same bits."""
    import subprocess
    import sys

    from tests.conftest import write

    corpus = tmp_path / "corpus"
    for number in range(12):
        title = "kalo café" if number % 3 else "naïve report"
        write(corpus, f"a{number}.txt", f"{title} {number}\n\nkalo the café naïve words {'the ' * number}end.\n")
    script = (
        "import sys; from pathlib import Path; from newsdesk.index import Library\n"
        "lib = Library.open(Path(sys.argv[1]), state_dir=Path(sys.argv[2])); lib.update()\n"
        "print([(h.path, h.score.hex()) for h in lib.search('kalo AND the café naïve', limit=20).hits])\n"
    )
    answers = set()
    for seed in ("1", "2", "3", "4"):
        run = subprocess.run(
            [sys.executable, "-c", script, str(corpus), str(tmp_path / f"state{seed}")],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        answers.add(run.stdout)
    assert len(answers) == 1
