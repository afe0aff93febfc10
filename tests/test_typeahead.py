"""Search as you type: the last-word-as-prefix rewrite, and the two-stage search the reader runs."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Library, QueryError, SearchCancelled, as_you_type
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.typeahead import MIN_PREFIX
from newsdesk.tui.cli import main

PARSER = make_parser(build_schema(), 2.0)


@pytest.mark.parametrize(
    ("typed", "runs"),
    [
        ("pak", "pak*"),
        ("launch pad", "launch pad*"),
        ("title:gen", "title:gen*"),
        ("tag:evi", "tag:evi*"),
        ("ceasefire AND Genev", "ceasefire AND Genev*"),
        ("NOT mercen", "NOT mercen*"),
        ("U.S", "U.S*"),
        ("pak ", "pak "),  # a trailing space: the word is complete
        ("pak\u2028", "pak\u2028"),  # any whitespace counts
        ("pa", "pa"),  # too short to be a useful prefix
        ('"launch pa', '"launch pa'),  # inside an open phrase
        ('"launch pad"', '"launch pad"'),  # a closed phrase
        ('source:"Meridian Wire"', 'source:"Meridian Wire"'),
        ("ceasefire AND", "ceasefire AND"),  # an operator
        ("ceasefire NOT", "ceasefire NOT"),
        ("pak*", "pak*"),  # already a prefix
        ("Stepanakrt~", "Stepanakrt~"),  # fuzzy
        ("Stepanakrt~2", "Stepanakrt~2"),
        ("truce^2", "truce^2"),  # boosted
        ("(truce OR peace)", "(truce OR peace)"),
        ("date:2020", "date:2020"),  # dates are not words
        ("date:[2020-11-01 to 2020-11", "date:[2020-11-01 to 2020-11"),  # inside a range
        ("title:", "title:"),
        ("nosuchfield:abc", "nosuchfield:abc"),
        ("", ""),
    ],
)
def test_the_last_word_becomes_a_prefix_only_where_it_is_a_word(typed: str, runs: str) -> None:
    assert as_you_type(typed) == runs


query_alphabet = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "*",
        "~",
        "^",
        ":",
        "[",
        "]",
        "{",
        "}",
        " ",
        "\n",
        "\u2028",
        "\u0085",
        "\ufeff",
        "AND",
        "OR",
        "NOT",
        "TO",
        "to",
        "title:",
        "tag:",
        "date:",
        "source:",
        "pak",
        "é",
        "Stepan",
        "a",
        "launch",
        "1",
        "'",
        ".",
        "\\",
        "-",
        "...",
        "---",
        "|",
        ">",
        "#",
        ": ",
        "\u200b",
    ]
)
queries = st.one_of(st.text(), st.lists(st.one_of(query_alphabet, st.text(max_size=3)), max_size=12).map("".join))


@settings(max_examples=400, deadline=None)
@given(text=queries)
def test_the_rewrite_is_total_and_only_ever_appends_a_star(text: str) -> None:
    rewritten = as_you_type(text)
    assert rewritten in (text, text + "*")
    assert as_you_type(rewritten) == rewritten  # idempotent: a prefix stays one prefix
    assert as_you_type(text + " ") == text + " "  # a trailing space means the word is complete
    if rewritten != text:
        assert len(text.split()[-1].rsplit(":", 1)[-1]) >= MIN_PREFIX


@settings(max_examples=300, deadline=None)
@given(text=queries)
def test_the_rewrite_parses_whenever_the_query_does(text: str) -> None:
    try:
        parse_query(PARSER, text)
    except QueryError:
        return
    parse_query(PARSER, as_you_type(text))  # raises (fails the test) if the rewrite broke a valid query


def paths(library: Library, query: str) -> list[str]:
    return [hit.path for hit in library.search(query, limit=50).hits]


def test_a_partial_word_finds_what_the_explicit_prefix_finds(library: Library) -> None:
    assert paths(library, "Stepan") == []
    assert paths(library, as_you_type("Stepan")) == paths(library, "Stepan*") == ["reports/shelling.txt"]
    assert paths(library, as_you_type("mercenary Stepan")) == paths(library, "mercenary Stepan*")


def test_stages_give_hits_then_the_same_hits_with_exact_counts(library: Library) -> None:
    for query in ("Geneva OR Lachin", '"launch pad"', "mercen*", "nosuchword", "title:truce"):
        first, complete = list(library.search_in_stages(query, limit=10))
        full = library.search(query, limit=10, facets=True)
        assert first.facets == {} and first.suggestion is None
        assert [h.id for h in first.hits] == [h.id for h in complete.hits] == [h.id for h in full.hits]
        assert (complete.total, complete.total_exact, complete.facets, complete.suggestion) == (
            full.total,
            True,
            full.facets,
            full.suggestion,
        )


def test_the_second_stage_matches_again_only_a_phrase_verified_in_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdesk.index.engine import docsets, phrase_sets

    from tests.conftest import write

    corpus = tmp_path / "many"
    for i in range(60):
        text = "the launch pad was ready" if i % 2 == 0 else "the pad and the launch"
        write(corpus, f"a{i:02d}.txt", f"Report {i}\n\n{text}, said officials in town {i}.\n")
    monkeypatch.setattr(phrase_sets, "PHRASE_VERIFY_LIMIT", 10)
    matches: list[bool] = []
    real_match = docsets.DocSets.match

    def counted(self: docsets.DocSets, q: object, exact: bool = True, deadline: object = None) -> set[int]:
        matches.append(exact)
        return real_match(self, q, exact=exact, deadline=deadline)  # type: ignore[arg-type]

    monkeypatch.setattr(docsets.DocSets, "match", counted)
    with Library.open(corpus, state_dir=tmp_path / "state") as lib:
        lib.update()
        for query, total, sampled in (
            ('"launch pad"', 30, False),
            ('"launch pad"~2', 30, True),
            ("launch AND pad", 60, False),
        ):
            matches.clear()
            _first, complete = list(lib.search_in_stages(query, limit=5))
            assert complete.total == total and complete.total_exact
            # Matched once when the first stage's set was exact; matched again exactly when it was sampled.
            assert matches == ([False, True] if sampled else [False]), query


def test_a_cancelled_search_stops_between_stages_and_frees_the_searcher(library: Library) -> None:
    wanted = threading.Event()
    wanted.set()
    stages = library.search_in_stages("Geneva OR Lachin", cancelled=lambda: not wanted.is_set())
    first = next(stages)
    assert first.total == 2
    wanted.clear()
    with pytest.raises(SearchCancelled):
        next(stages)
    with pytest.raises(SearchCancelled):
        next(library.search_in_stages("Geneva", cancelled=lambda: True))
    assert library.search("Geneva").total == 1  # the lock was released each time


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries)
def test_stages_never_raise_anything_but_a_query_error(library: Library, text: str) -> None:
    try:
        results = list(library.search_in_stages(as_you_type(text), limit=5))
    except QueryError:
        return
    assert len(results) == 2 and results[1].total_exact


def test_the_cli_runs_the_query_as_written(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    assert main(["index", "--corpus", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["search", "Stepan", "--corpus", str(corpus), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    assert main(["search", "Stepan*", "--corpus", str(corpus), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
