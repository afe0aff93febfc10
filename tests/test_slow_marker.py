"""pytest -m "not slow" leaves out real terminals, browsers, fuzzing and Hypothesis tests; CI runs them all."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import pytest_collection_modifyitems


@dataclass
class FakeItem:
    nodeid: str
    obj: object = None
    markers: list[str] = field(default_factory=list)

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
    from pathlib import Path

    ci = (Path(__file__).resolve().parent.parent / ".ci/run").read_text(encoding="utf-8")
    assert "pytest -q" in ci and "not slow" not in ci
