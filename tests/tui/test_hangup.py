"""SIGHUP (an SSH connection dropping): the annotation being typed is saved and the terminal restored."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
import yaml

from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)


def _type_an_annotation_then_hang_up(tmp_path: Path, exited_within: float, program: Path | None = None) -> str:
    """In tmux: open an article, type a tag in the annotate dialog, SIGHUP the reader; the screen after it ends."""
    if shutil.which("pgrep") is None:
        pytest.skip("pgrep (procps) is needed to find the app's process")
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 35), program=program) as terminal:
        terminal.wait_for("indexed", timeout=180)  # a loaded machine indexes slowly
        terminal.press("Enter")
        time.sleep(0.5)
        terminal.press("v", "s", "t")
        terminal.wait_for("Annotate")
        terminal.type("typed-before-hangup")
        time.sleep(0.3)
        os.kill(terminal.app_pid(), signal.SIGHUP)
        return terminal.wait_for("newsdesk-exited", timeout=exited_within)


def _the_saved_tags(tmp_path: Path) -> list[str]:
    (saved,) = list((tmp_path / "index").glob("annotations/*/*.yaml"))
    (annotation,) = yaml.safe_load(saved.read_text())["annotations"]
    return list(annotation["tags"])


def test_hangup_saves_the_annotation_being_typed(tmp_path: Path) -> None:
    shown = _type_an_annotation_then_hang_up(tmp_path, exited_within=10)
    assert "newsdesk-exited-129" in shown
    assert "Annotate" not in shown  # the app's screen is gone: the terminal was restored
    assert _the_saved_tags(tmp_path) == ["typed-before-hangup"]
    # ... and the UI state (docs/reliability.md says so): the article open, for the next start
    (ui_state,) = list((tmp_path / "state-home").glob("**/ui-state.json"))
    (saved,) = list((tmp_path / "index").glob("annotations/*/*.yaml"))
    assert [c["article"] for c in json.loads(ui_state.read_text())["corpora"].values()] == [saved.parent.name]


async def test_a_second_sighup_does_not_save_the_annotation_twice(demo_app) -> None:  # type: ignore[no-untyped-def]
    from tests.tui.conftest import settle

    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article_id = demo_app.main.reader.article.id
        await pilot.press("v", "s", "a", *"once")
        await pilot.pause()
        demo_app.hang_up()
        demo_app.hang_up()  # tmux and the kernel can both send SIGHUP when a client drops
    assert [p.annotation.note for p in demo_app.library.annotations_of(article_id).placed] == ["once"]


async def test_sighup_while_the_dialog_is_still_opening_exits_cleanly(demo_app) -> None:  # type: ignore[no-untyped-def]
    # The hang-up can arrive between `a` pushing the dialog and the dialog composing its boxes.
    from newsdesk.tui.dialogs.annotate import AnnotationInput
    from newsdesk.tui.widgets.annotation_editor import PendingAnnotation

    from tests.tui.conftest import settle

    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article = demo_app.main.reader.article
        demo_app.main.editor.ask(PendingAnnotation(article, 0, 10, AnnotationInput(["kept"], "")), "quote")
        demo_app.hang_up()  # before the dialog is mounted: nothing to read from its boxes yet
        await pilot.pause()
    assert demo_app.return_code == 129
    assert [list(p.annotation.tags) for p in demo_app.library.annotations_of(article.id).placed] == [["kept"]]


STUCK_SHUTDOWN = """
import sys, threading
from textual.drivers.linux_driver import LinuxDriver

def never_returns(self):  # what CI saw: the output thread's queue full, its writer gone
    threading.Event().wait()

LinuxDriver.close = never_returns
from newsdesk.tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_hung_up_reader_leaves_even_when_shutdown_stalls(tmp_path: Path) -> None:
    """A reader left behind after its terminal went away is a hang: past a short grace the process ends.

    The terminal library's shutdown is made to block for good (as it once did in CI); the
    annotation being typed is still saved and the process still ends, with 129.
    """
    script = tmp_path / "stuck_reader.py"
    script.write_text(STUCK_SHUTDOWN)
    shown = _type_an_annotation_then_hang_up(tmp_path, exited_within=15, program=script)
    assert "newsdesk-exited-129" in shown
    assert _the_saved_tags(tmp_path) == ["typed-before-hangup"]


async def test_an_annotation_that_cannot_be_saved_at_sighup_is_kept_and_saved_at_the_next_start(
    demo_state: Path,
) -> None:
    """Found by the red team: with another session holding the article's lock, the save at SIGHUP
    gave up after 30 s and the typed note was lost (under serve the reader was killed first)."""
    from newsdesk.index import AnnotationFileError, Config, Library
    from newsdesk.index.locations import demo_corpus
    from newsdesk.tui.app import close_library, make_app

    from tests.tui.conftest import settle, toasts

    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article_id = app.main.reader.article.id
        await pilot.press("v", "s", "a", *"kept over a hang-up")
        await pilot.pause()

        def locked_elsewhere(*args: object, **kwargs: object) -> object:
            raise AnnotationFileError("root.yaml: locked by another newsdesk process for 30 s")

        app.main.editor.save_pending = locked_elsewhere  # type: ignore[method-assign]
        app.hang_up()
    close_library(app.library)
    (kept,) = app.unsaved_dir.glob("*.json")
    assert "kept over a hang-up" in kept.read_text(encoding="utf-8")
    with Library.open(demo_corpus(), state_dir=demo_state, config=Config()) as library:
        assert library.annotations_of(article_id).placed == []

    again = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with again.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        notes = toasts(again)
    close_library(again.library)
    assert any("typed before a dropped connection" in n for n in notes)
    assert not list(again.unsaved_dir.glob("*.json"))
    with Library.open(demo_corpus(), state_dir=demo_state, config=Config()) as library:
        assert [p.annotation.note for p in library.annotations_of(article_id).placed] == ["kept over a hang-up"]
