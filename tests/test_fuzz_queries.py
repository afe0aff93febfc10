"""The query language under generated input: never a traceback, every query answered or refused in one line.

Runs on a small generated corpus to stay fast in CI; bench/costly_queries.py
runs the same strategies on 10k+ articles and times every answer against the
2 s budget. Here each query must finish well inside a hang detector's bound
(not a speed claim: the machine may be loaded), and any refusal for cost must
say how to narrow the query.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from newsdesk.index import Config, Library, NewsdeskError, QueryError, QueryTooCostly

from bench.corpus import generate
from tests.conftest import examples
from tests.query_strategies import query_trees, raw_strings

HANG_SECONDS = 30.0
"""Far above the 2 s budget: only a query that ignores the budget altogether gets here."""


@pytest.fixture(scope="module")
def generated_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    root = tmp_path_factory.mktemp("fuzz-corpus")
    generate(root / "corpus", 1000, words=120)
    library = Library.open(root / "corpus", state_dir=root / "state", config=Config())
    library.update()
    yield library
    library.close()


def _answer_or_one_line(library: Library, query: str) -> None:
    started = time.monotonic()
    try:
        results = library.search(query, limit=5)
    except QueryTooCostly as exc:
        message = str(exc)
        assert "\n" not in message and ("narrow" in message or "at most" in message or "add letters" in message)
    except QueryError as exc:
        assert "\n" not in str(exc) and str(exc)
    except NewsdeskError as exc:  # anything else a user can cause must still be one line
        pytest.fail(f"{query!r}: unexpected {type(exc).__name__}: {exc}")
    else:
        assert results.total >= len(results.hits)
        assert results.to_json()["query"] == query
    assert time.monotonic() - started < HANG_SECONDS, query


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=query_trees)
def test_generated_query_trees_answer_or_say_why(generated_library: Library, query: str) -> None:
    _answer_or_one_line(generated_library, query)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=raw_strings)
def test_arbitrary_strings_answer_or_say_why(generated_library: Library, query: str) -> None:
    _answer_or_one_line(generated_library, query)


@pytest.mark.parametrize(
    "query",
    [
        "stepanakert~9",
        "x" * 100_000,
        "?????*",
        "*a*",
        " OR ".join(f"w{n}" for n in range(500)),
        "(" * 200 + "kalo" + ")" * 200,
        "a*",
        "k*",
        "the AND of AND and AND said",
    ],
)
def test_the_issues_costly_queries_answer_or_say_why(generated_library: Library, query: str) -> None:
    _answer_or_one_line(generated_library, query)


def test_every_refusal_for_cost_is_also_a_query_error(generated_library: Library) -> None:
    """QueryTooCostly is a QueryError: the CLI gives it exit code 2 and the reader shows it as a query problem."""
    with pytest.raises(QueryError):
        generated_library.search("*a*")


def test_deep_parentheses_are_answered(generated_library: Library) -> None:
    plain = generated_library.search("kalo OR mine").total
    assert generated_library.search("(" * 50 + "kalo OR mine" + ")" * 50).total == plain
