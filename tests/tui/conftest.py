"""Fixtures for the reader app: the demo corpus indexed once, isolated UI state, app helpers."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from textual.css.query import NoMatches
from textual.worker import WorkerCancelled


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo corpus, indexed once for the session (tests copy it)."""
    state = tmp_path_factory.mktemp("demo-state")
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as library:
        library.update()
    return state


@pytest.fixture(autouse=True)
def isolated_ui_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the developer's UI state (XDG_STATE_HOME)."""
    state_home = tmp_path_factory.mktemp("state-home")
    monkeypatch.setenv("XDG_STATE_HOME", str(state_home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return state_home


@pytest.fixture
def demo_state(demo_index: Path, tmp_path: Path) -> Path:
    """A private copy of the indexed demo corpus' state folder."""
    target = tmp_path / "demo-state"
    shutil.copytree(demo_index, target)
    return target


@pytest.fixture
def demo_app(demo_state: Path) -> Iterator[NewsdeskApp]:
    """The app on the indexed demo corpus, without background indexing or watching."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    yield app
    close_library(app.library)


def _still_working(app) -> bool:  # type: ignore[no-untyped-def]
    """True while a worker runs or the list's status line says a search or an index is still under way."""
    if any(not worker.is_finished for worker in app.workers):
        return True
    try:
        line = app.screen.query_one("#list-status")
    except NoMatches:  # not on the main screen (a dialog, the help): nothing to wait for
        return False
    # "-busy": searching or counting; "searching… · list still shows …" does not end in "…".
    return line.has_class("-busy") or str(line.render()).endswith("…")


async def settle(pilot, rounds: int = 3, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their messages be handled: until nothing runs and the status line is final.

    A staged search posts its hits, then its count, from a worker thread; on a loaded machine
    the count can arrive several rounds after the worker ended, so a fixed number of rounds
    made snapshots catch "counting…" now and then.
    """
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while quiet_rounds < rounds:
        with contextlib.suppress(WorkerCancelled):  # a superseded search is cancelled: expected
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        quiet_rounds = 0 if _still_working(pilot.app) and time.monotonic() < deadline else quiet_rounds + 1


def toasts(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The notifications on screen, as the user reads them (run the app with ``notifications=True``)."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]
