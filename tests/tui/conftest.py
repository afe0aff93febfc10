"""Fixtures for the reader app: the demo corpus indexed once, isolated UI state, app helpers."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from textual.worker import WorkerCancelled


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no pytest-asyncio needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


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


async def settle(pilot, rounds: int = 3) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their messages be handled."""
    for _ in range(rounds):
        with contextlib.suppress(WorkerCancelled):  # a superseded search is cancelled: expected
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
