"""The reader app and its one factory, :func:`make_app`, used by the CLI, the tests and the snapshots."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from multiprocessing import resource_tracker
from pathlib import Path
from typing import ClassVar

from newsdesk.index import Config, Library, NewsdeskError, load_config
from newsdesk.index.config import with_overrides
from newsdesk.index.orphans import QUIET_WORKERS_ENV
from newsdesk.tui.dialogs.annotate import AnnotateDialog
from newsdesk.tui.key_order import KeyOrder
from newsdesk.tui.screens.annotating import AnnotationActions
from newsdesk.tui.screens.entities import EntityActions
from newsdesk.tui.screens.help import HelpScreen, KeyHelp
from newsdesk.tui.screens.main import MainScreen
from newsdesk.tui.screens.story import StoryActions
from newsdesk.tui.state import CorpusState, UIStateStore
from newsdesk.tui.widgets.annotating_reader import AnnotatingReader
from newsdesk.tui.widgets.annotation_list import AnnotationList
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.reader import ReaderView
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.side_panel import EntityList, FacetList, SidePanel
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.screen import Screen


def binding_ids() -> set[str]:
    """Every binding id the keymap may name."""
    classes = (NewsdeskApp, MainScreen, EntityActions, SearchBox, ArticleList, ReaderView, EntityList, FacetList,
               SidePanel)
    return {b.id for cls in classes for b in cls.BINDINGS if isinstance(b, Binding) and b.id}


class NewsdeskApp(App[None]):
    """Search, list and read one corpus."""

    CSS_PATH = "newsdesk.tcss"
    TITLE = "newsdesk"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+p", "command_palette", "Command palette", show=False, priority=True, id="app.palette"),
    ]

    def __init__(self, library: Library, config: Config, state: UIStateStore, *,
                 index_on_start: bool = True, watch: bool = True) -> None:
        super().__init__()
        self.library = library
        self.config = config
        self.state_store = state
        self.corpus_key = str(library.corpus.resolve())
        self._main_options = {"index_on_start": index_on_start, "watch": watch}
        theme = state.theme or config.ui.theme
        self._unknown_theme = None if theme in self.available_themes else theme
        if self._unknown_theme is None:
            self.theme = theme
        self.set_keymap(dict(config.ui.keymap))
        self._hung_up = False
        self.key_order = KeyOrder(self, super().on_event)
        """Keys of a burst are handled one after another, each where focus is by then."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_order.key_arrived(event)
        else:
            await super().on_event(event)

    def get_default_screen(self) -> Screen:
        return MainScreen(self.library, self.config, self.state_store.corpus(self.corpus_key),
                          **self._main_options)

    @property
    def main(self) -> MainScreen:
        """The main screen (the default screen, under any dialog)."""
        return self.screen_stack[0]  # type: ignore[return-value]

    def on_mount(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            # The SSH connection dropped (or the terminal closed): save, restore, leave.
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)
        if self._unknown_theme:
            self.notify(f"Unknown theme {self._unknown_theme!r}; using {self.theme}.", severity="warning")
        self.theme_changed_signal.subscribe(self, lambda _theme: self.save_state())
        unknown = sorted(set(self.config.ui.keymap) - binding_ids())
        if unknown:
            self.notify(f"ui.keymap: unknown binding id {', '.join(unknown)} (? lists the ids)", severity="warning")

    # -- leaving --------------------------------------------------------------------
    def save_state(self) -> None:
        """Remember the query, open article, scroll position and theme for next time."""
        try:
            state = self.main.current_state()
        except (NoMatches, IndexError):  # the screen never mounted: keep what was saved before
            state = self.state_store.corpus(self.corpus_key)
        try:
            self.state_store.save(self.corpus_key, state, self.theme)
        except OSError as exc:
            self.log.warning(f"could not save the UI state: {exc}")

    async def action_quit(self) -> None:
        self.main.stopping = True
        self.save_state()
        self.exit()

    def hang_up(self) -> None:
        """SIGHUP: save the annotation being typed, if any, and the UI state, then exit cleanly.

        The save runs here, synchronously (a few ms): there is no user left to
        wait for, and a worker might not finish before the process ends.
        """
        if self._hung_up:
            return  # a second SIGHUP (tmux and the kernel may both send one): saved already
        self._hung_up = True
        main = self.main
        main.stopping = True
        dialog = self.screen if isinstance(self.screen, AnnotateDialog) else None
        pending = main.pending
        if pending is not None:
            entered = dialog.current_input() if dialog is not None else pending.entered
            if entered.tags or entered.note.strip():
                with contextlib.suppress(NewsdeskError):  # nobody to tell; the file is untouched on failure
                    main.save_pending(replace(pending, entered=entered))
        self.save_state()
        self.exit(return_code=129)

    # -- help and command palette ---------------------------------------------------------
    def key_sections(self) -> list[tuple[str, list[tuple[Binding, DOMNode]]]]:
        """Every binding, by pane, with the node its action runs on."""
        main = self.main
        return [
            ("Everywhere", [(b, main) for b in MainScreen.BINDINGS]
             + [(b, self) for b in NewsdeskApp.BINDINGS if isinstance(b, Binding)]),
            ("Search box", [(b, main.search_box) for b in SearchBox.BINDINGS]),
            ("Article list", [(b, main.article_list) for b in ArticleList.BINDINGS]),
            ("Reader", [(b, main.reader) for b in ReaderView.BINDINGS]),
            ("Selecting and annotating", [(b, main.reader) for b in AnnotatingReader.BINDINGS]),
            ("Annotations", [(b, main) for b in AnnotationActions.BINDINGS]),
            ("Notes panel", [(b, main.query_one(AnnotationList)) for b in AnnotationList.BINDINGS]),
            ("Entities", [(b, main) for b in EntityActions.BINDINGS]),
            ("Entities panel", [(b, main.query_one(EntityList)) for b in EntityList.BINDINGS]),
            ("Facets panel", [(b, main.query_one(FacetList)) for b in FacetList.BINDINGS]),
            ("Side panel", [(b, main.query_one(SidePanel)) for b in SidePanel.BINDINGS]),
            ("Saved searches, timeline, similar articles", [(b, main) for b in StoryActions.BINDINGS]),
            ("Saved panel", [(b, main.query_one(SavedList)) for b in SavedList.BINDINGS]),
            ("Timeline", [(b, main.query_one(TimelineChart)) for b in TimelineChart.BINDINGS]),
        ]

    def keys_for(self, binding: Binding) -> str:
        """The keys a binding answers to now (after the keymap), as shown to the user."""
        keys = self._keymap.get(binding.id or "", binding.key)
        return ", ".join(self.get_key_display(binding.with_key(k.strip())) for k in keys.split(","))

    def action_help(self) -> None:
        sections = [
            (title, [KeyHelp(self.keys_for(b), b.description, b.id or "") for b, _ in bindings])
            for title, bindings in self.key_sections()
        ]
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.main:
            return
        for title, bindings in self.key_sections():
            for binding, node in bindings:
                if binding.action and binding.id != "app.palette":
                    yield SystemCommand(f"{binding.description} ({title.lower()})",
                                        f"keys: {self.keys_for(binding)}",
                                        partial(self.run_action, binding.action, node))


def close_library(library: Library) -> None:
    """Close the library after the app ran (including the connections its worker threads opened)."""
    library.close()


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now, while ``sys.stderr`` is the terminal's.

    Indexing spawns reader and writer processes; the first spawn starts the
    tracker and hands it ``sys.stderr.fileno()``. Inside the app Textual has
    replaced ``sys.stderr`` with an object whose ``fileno()`` is -1, and the
    spawn fails with "bad value(s) in fds_to_keep".
    """
    resource_tracker.ensure_running()


def make_app(corpus: Path | None = None, config: Config | None = None, state_dir: Path | None = None, *,
             state_file: Path | None = None, index_on_start: bool = True, watch: bool = True) -> NewsdeskApp:
    """The reader on ``corpus`` (else the config's corpus, else the bundled demo corpus).

    Raises :class:`newsdesk.index.NewsdeskError` (one-line message) when the corpus or
    config cannot be used. Close the library after the run with :func:`close_library`.
    """
    os.environ[QUIET_WORKERS_ENV] = "1"  # index workers must not write into the app's screen
    config = config if config is not None else load_config()
    if corpus is not None:
        config = with_overrides(config, corpus=corpus)
    library = Library.open(state_dir=state_dir, config=config)
    start_resource_tracker()
    return NewsdeskApp(library, config, UIStateStore(state_file), index_on_start=index_on_start, watch=watch)


__all__ = ["CorpusState", "NewsdeskApp", "close_library", "make_app"]
