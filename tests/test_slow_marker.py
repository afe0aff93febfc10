"""pytest -m "not slow" leaves out terminals, browsers, fuzzing, Hypothesis and the whole reader; CI runs them all."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from newsdesk.index import Library

from tests.conftest import QUICK_READER_TESTS, pytest_collection_modifyitems


@dataclass
class FakeItem:
    nodeid: str
    obj: object = None
    markers: list[str] = field(default_factory=list)
    fixturenames: list[str] = field(default_factory=list)

    def add_marker(self, marker: pytest.MarkDecorator) -> None:
        self.markers.append(marker.name)


@given(st.integers())
def a_property(number: int) -> None:
    assert number == number


def test_slow_tests_are_marked_and_quick_ones_are_not() -> None:
    tmux = FakeItem("tests/tui/test_e2e_tmux.py::test_typing")
    browser = FakeItem("tests/test_serve_browser.py::test_page")
    hypothesis = FakeItem("tests/test_config.py::test_any_yaml", obj=a_property)
    quick = FakeItem("tests/test_config.py::test_defaults", obj=test_slow_tests_are_marked_and_quick_ones_are_not)
    pytest_collection_modifyitems([tmux, browser, hypothesis, quick])  # type: ignore[list-item]
    assert tmux.markers == browser.markers == hypothesis.markers == ["slow"]
    assert quick.markers == []


def test_ci_runs_the_slow_tests_too() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci/run").read_text(encoding="utf-8")
    assert "pytest -q" in ci and "not slow" not in ci


async def _starts_the_reader() -> None:
    app = make_app()  # type: ignore[name-defined] # noqa: F821 (only its source is read)
    async with app.run_test():
        pass


async def _runs_one_widget(tmp_path: object) -> None:
    app = ListApp()  # type: ignore[name-defined] # noqa: F821 (only its source is read)
    async with app.run_test():
        pass


def test_tests_of_the_whole_reader_are_slow_but_the_few_the_quick_loop_keeps() -> None:
    by_body = FakeItem("tests/tui/test_app.py::test_a", obj=_starts_the_reader)
    by_fixture = FakeItem("tests/tui/test_side_tabs.py::test_b", fixturenames=["demo_app"])
    kept = FakeItem(sorted(QUICK_READER_TESTS)[0], obj=_starts_the_reader, fixturenames=["demo_app"])
    one_widget = FakeItem("tests/tui/test_parts.py::test_c", obj=_runs_one_widget)
    core = FakeItem("tests/test_search.py::test_d", obj=_starts_the_reader)
    pytest_collection_modifyitems([by_body, by_fixture, kept, one_widget, core])  # type: ignore[list-item]
    assert by_body.markers == by_fixture.markers == ["slow"]
    assert kept.markers == one_widget.markers == core.markers == []


def test_every_single_slow_test_named_exists() -> None:
    """A renamed test drops out of SLOW_TESTS silently and lands in the quick loop: each entry names a test."""
    import ast

    from tests.conftest import SLOW_TESTS

    root = Path(__file__).resolve().parent.parent
    for nodeid in SLOW_TESTS:
        path, name = nodeid.split("::")
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        assert name in defined, nodeid


def test_the_small_corpus_and_its_index_are_private_copies(
    corpus: Path, library: Library, indexed_corpus: tuple[Path, Path]
) -> None:
    """ARCHITECTURE.md: indexed once per session, each test gets its own copy of the files and the index."""
    shared_corpus, shared_state = indexed_corpus
    assert library.corpus == corpus != shared_corpus
    assert library.state_dir != shared_state
    assert library.update().unchanged == 3  # the copied index is current for the copied files: nothing read
    (corpus / "reports" / "shelling.txt").unlink()
    assert library.update().removed == 1
    assert (shared_corpus / "reports" / "shelling.txt").exists()
