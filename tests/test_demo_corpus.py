"""The bundled demo corpus: every format, real metadata, the phrases the docs promise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsdesk.index import Library
from newsdesk.index.locations import demo_corpus


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = Library.open(demo_corpus(), state_dir=tmp_path_factory.mktemp("demo-state"))
    stats = library.update()
    assert stats.warnings == []
    yield library
    library.close()


def test_demo_corpus_spans_every_format(demo: Library) -> None:
    articles = list(demo.store.iter_articles())
    assert 15 <= len(articles) <= 25
    formats = Counter(Path(a.path).suffix for a in articles)
    assert set(formats) == {".txt", ".md", ".html", ".jsonl", ".rss"}
    assert all(a.date and "2020-09-01" <= a.date <= "2020-11-30" for a in articles)
    assert len({a.source for a in articles if a.source}) >= 4


def test_demo_corpus_noise_is_cleaned(demo: Library) -> None:
    for article in demo.store.iter_articles():
        for noise in ("Reading Time", "bloggers like this", "You may want to read", "Share this", "cookie"):
            assert noise not in article.text, (article.path, noise)


@pytest.mark.parametrize(
    ("query", "expected"),
    [('"launch pad"', 2), ('"the Middle East"', 4), ("mercenary", 5), ('"humanitarian ceasefire"', 3)],
)
def test_demo_searches(demo: Library, query: str, expected: int) -> None:
    assert demo.search(query).total == expected


def test_demo_state_does_not_go_into_the_package(demo: Library) -> None:
    assert not (demo_corpus() / ".newsdesk").exists()
