"""The engine seam stays exact: the core calls on its searcher and writer only what the protocols name.

docs/scaling.md promises that another engine can take over search by implementing
``SearchEngine`` (and ``IndexWriter`` for the indexer). That holds only while the core
(everything in index/ outside index/engine/) calls no other method on them.
"""

from __future__ import annotations

import ast
import inspect
import threading
from collections.abc import Callable
from pathlib import Path

from newsdesk.index import Library
from newsdesk.index.engine.interface import IndexWriter, SearchEngine
from newsdesk.index.engine.search import ArticleSearcher

INDEX = Path(__file__).resolve().parent.parent / "index"
ENGINE = INDEX / "engine"


def members(protocol: type) -> set[str]:
    return {name for name, value in vars(protocol).items() if not name.startswith("_") and callable(value)}


def _core_modules() -> list[tuple[Path, ast.Module]]:
    paths = [p for p in sorted(INDEX.rglob("*.py")) if ENGINE not in p.parents and "demo_corpus" not in p.parts]
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in paths]


def _is_searcher(node: ast.expr) -> bool:
    """``self._searcher`` or a plain ``searcher`` (a parameter typed SearchEngine)."""
    if isinstance(node, ast.Name):
        return node.id == "searcher"
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "_searcher"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def attribute_uses(match: Callable[[ast.expr], bool], only: str | None = None) -> dict[str, list[str]]:
    """Attribute name -> where the core (or its module ``only``) uses it on an object ``match`` picks."""
    found: dict[str, list[str]] = {}
    for path, tree in _core_modules():
        if only is not None and path.name != only:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and match(node.value):
                found.setdefault(node.attr, []).append(f"{path.relative_to(INDEX)}:{node.lineno}")
    return found


def test_the_core_calls_on_its_searcher_exactly_the_methods_of_search_engine() -> None:
    used = attribute_uses(_is_searcher)
    outside = {name: where for name, where in used.items() if name not in members(SearchEngine)}
    assert outside == {}, f"add these to SearchEngine (index/engine/interface.py) or stop calling them: {outside}"
    # And no member is dead weight that another engine would have to write for nothing.
    assert set(used) == members(SearchEngine)


def test_the_indexer_calls_on_its_writer_exactly_the_methods_of_index_writer() -> None:
    used = attribute_uses(lambda node: isinstance(node, ast.Name) and node.id == "writer", only="indexer.py")
    assert set(used) == members(IndexWriter), used


def test_the_library_holds_its_searcher_as_the_protocol() -> None:
    """mypy checks ArticleSearcher against SearchEngine only where it is assigned to a SearchEngine."""
    source = (INDEX / "library.py").read_text(encoding="utf-8")
    assert "self._searcher: SearchEngine = ArticleSearcher(" in source
    for module in ("saved.py", "similar.py"):
        assert "searcher: SearchEngine" in (INDEX / module).read_text(encoding="utf-8")


def test_article_searcher_has_each_method_with_the_protocols_parameters() -> None:
    for name in members(SearchEngine):
        wanted = list(inspect.signature(getattr(SearchEngine, name)).parameters)
        assert list(inspect.signature(getattr(ArticleSearcher, name)).parameters) == wanted, name


def test_searches_from_several_threads_of_one_library_all_answer(library: Library) -> None:
    """docs/scaling.md: within one process searches take turns on the one searcher, and each answers right."""
    expected = {query: library.search(query).total for query in ("mercenary", "Geneva", "Stepan*", '"cease fire"')}
    failures: list[str] = []

    def search_repeatedly(query: str) -> None:
        for _ in range(20):
            try:
                if query.startswith('"'):
                    total = list(library.search_in_stages(query))[-1].total
                else:
                    total = library.search(query).total
            except Exception as exc:
                failures.append(f"{query}: {type(exc).__name__}: {exc}")
                return
            if total != expected[query]:
                failures.append(f"{query}: {total} != {expected[query]}")

    threads = [threading.Thread(target=search_repeatedly, args=(query,)) for query in expected for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert expected["mercenary"] == 2
