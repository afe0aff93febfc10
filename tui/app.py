"""The reader app and its one factory, :func:`make_app`, used by the CLI, the tests and the snapshots."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing import resource_tracker
from pathlib import Path
from typing import ClassVar

from newsdesk.index import QUIET_WORKERS_ENV, Config, Library, NewsdeskError, load_config, with_overrides
from newsdesk.tui import textual_patches, unsaved
from newsdesk.tui.annotation_changes import PendingAnnotation, typed_at_hang_up
from newsdesk.tui.dialogs.annotate import AnnotateDialog, AnnotationInput
from newsdesk.tui.dialogs.mentions import MentionsDialog
from newsdesk.tui.dialogs.save_search import SaveSearchDialog
from newsdesk.tui.dialogs.similar import SimilarDialog
from newsdesk.tui.key_order import KeyOrder
from newsdesk.tui.keymap import check_keymap, config_name, unknown_binding_ids
from newsdesk.tui.keys import ANNOTATION_KEYS, ENTITY_KEYS, EVERYWHERE_KEYS, PANE_KEYS, PANEL_TAB_KEYS, STORY_KEYS
from newsdesk.tui.leave import HANG_UP_EXIT_CODE, SAVES
from newsdesk.tui.messages import WorkerFailed
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen
from newsdesk.tui.screens.help import HelpScreen, KeyHelp
from newsdesk.tui.screens.main import MainScreen
from newsdesk.tui.state import CorpusState, UIStateStore
from newsdesk.tui.widgets.annotation_editor import AnnotationEditor
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.layout import clean_line
from newsdesk.tui.widgets.notes_list import NotesList
from newsdesk.tui.widgets.reader import ReaderView
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from newsdesk.tui.widgets.side_panel import EntityList, FacetList, SidePanel
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.screen import Screen

# newsdesk's one change to Textual (see textual_patches): made here, at import, because every
# process that runs the reader (the CLI, each `serve` session, the tests) imports this module first.
textual_patches.apply()

CONFIG_WARNING_SECONDS = 15.0
"""How long a warning about config.yaml (unknown theme or binding id) stays on screen."""


class NewsdeskApp(App[None]):
    """Search, list and read one corpus."""

    CSS_PATH = "newsdesk.tcss"
    TITLE = "newsdesk"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+p", "command_palette", "Command palette", show=False, priority=True, id="app.palette"),
    ]

    def __init__(
        self, library: Library, config: Config, state: UIStateStore, *, index_on_start: bool = True, watch: bool = True
    ) -> None:
        super().__init__()
        self.library = library
        self.unsaved_dir = unsaved.default_unsaved_dir()
        """Where an annotation typed when the connection dropped is kept until it is saved."""
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
        self.leaving = threading.Event()
        """Set when the user quits: the kept annotations' save claims no more files (each may wait 30 s
        for a lock, with the user waiting). Not at a hang-up: nobody waits then, and the save goes on."""
        self._saving_kept = False
        self._quit_when_kept_saved = False
        self.hung_up = threading.Event()
        """Set once SIGHUP has saved everything (the CLI then ends the process if shutdown stalls)."""
        self.key_order = KeyOrder(self, super().on_event)
        """Keys of a burst are handled one after another, each where focus is by then."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_order.key_arrived(event)
        elif isinstance(event, events.Paste) and not event.is_forwarded:
            await self.key_order.paste_arrived(event)
        else:
            await super().on_event(event)

    def get_default_screen(self) -> Screen:
        return MainScreen(self.library, self.config, self.state_store.corpus(self.corpus_key), **self._main_options)

    @property
    def main(self) -> MainScreen:
        """The main screen (the default screen, under any dialog)."""
        return self.screen_stack[0]  # type: ignore[return-value]

    def on_unmount(self) -> None:
        gc.unfreeze()  # a process that starts readers one after another (tests) lets each one's objects go

    def on_mount(self) -> None:
        # Everything made to start (widgets, styles, the opened index) lives as long as the reader: out
        # of the collector's full passes, which otherwise walked it all in the middle of a typed search.
        self.call_after_refresh(gc.freeze)
        if self.unsaved_dir.is_dir():
            self._saving_kept = True
            self.run_worker(self._save_kept_annotations, thread=True, group="unsaved", exit_on_error=False)
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            # The SSH connection dropped (or the terminal closed): save, restore, leave.
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)
        if self._unknown_theme:
            # Config mistakes stay up longer than a status note: they are read once, at start.
            self.notify(
                f"Unknown theme {self._unknown_theme!r}; using {self.theme}.",
                severity="warning",
                timeout=CONFIG_WARNING_SECONDS,
                markup=False,
            )
        self.theme_changed_signal.subscribe(self, lambda _theme: self.save_state())
        unknown = unknown_binding_ids(self.config.ui.keymap, binding_ids())
        if unknown:
            names = ", ".join(repr(binding_id) for binding_id in unknown)
            self.notify(
                f"ui.keymap: unknown binding id {names} (? lists the ids)",
                severity="warning",
                timeout=CONFIG_WARNING_SECONDS,
                markup=False,
            )

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        """The one place worker failures end up, whichever widget's worker failed: shown, never a crash."""
        # An error's text is not ours: markup=False ("[/]" in it raised a MarkupError), and clean_line,
        # as a path or a damaged file's text in it can hold terminal escapes (OSC 52, CSI) that
        # Textual writes out as they are.
        self.notify(f"{message.group} failed: {clean_line(message.error)}", severity="error", markup=False)

    def _save_kept_annotations(self) -> None:
        """Save the annotations kept at an earlier hang-up (a worker: each save takes a file lock)."""
        try:
            with SAVES.saving():
                saved, failures = unsaved.save_kept(self.unsaved_dir, self.library, stop=self.leaving)
        finally:
            self._saving_kept = False
        if saved:
            self.call_from_thread(
                self.notify, f"Saved {saved} annotation(s) typed before a dropped connection.", markup=False
            )
        for failure in failures:
            self.call_from_thread(
                self.notify, failure, severity="warning", timeout=CONFIG_WARNING_SECONDS, markup=False
            )
        if self._quit_when_kept_saved and not failures:  # (else the user stays to read why)
            self.call_from_thread(self.call_later, self.action_quit)

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
        if isinstance(self.screen, AnnotateDialog) and not self.screen.may_leave("quit"):
            return  # a note is typed there: the first quit asks (ctrl+q, or a q held behind a save)
        with contextlib.suppress(NoMatches, IndexError):  # never mounted: nothing typed
            editor = self.main.editor
            if (
                editor.pending is not None
                and not editor.quit_when_saved
                and not isinstance(self.screen, AnnotateDialog)
            ):
                # An annotation sent to be saved (q typed right behind its Enter): leave once it is
                # on disk; if it fails, its dialog comes back with the error instead. A second q leaves.
                editor.quit_when_saved = True
                self.notify("Saving the annotation, then quitting (q again quits now).", timeout=3, markup=False)
                return
            if editor.finish_before_quit(self.main.query_one(NotesList)):
                return  # d u q in a burst: the u held behind the delete was lost, the delete too at times
        if self._saving_kept and not self._quit_when_kept_saved:
            # The start's save of kept annotations may wait 30 s for a lock: the reader gone from the
            # screen, the process lingered that long unsaid (and its lines were never seen).
            self._quit_when_kept_saved = True
            self.leaving.set()
            self.notify(
                "Saving an annotation typed before a dropped connection (30 s at most), then quitting.",
                timeout=5,
                markup=False,
            )
            return
        self.leaving.set()
        self.main.stop_background()
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
        try:
            self._save_what_is_typed()
        finally:
            # Whatever that save raised, the reader ends: left running, its terminal gone, it is a
            # hang (an error other than NewsdeskError once skipped all of this).
            try:
                self.save_state()
            finally:
                self.hung_up.set()
                self.exit(return_code=HANG_UP_EXIT_CODE)

    def _save_what_is_typed(self) -> None:
        """At a hang-up: keep and save the annotation being typed, run the Notes list's held keys."""
        main = self.main
        main.stop_background()
        try:
            editor = main.editor
        except NoMatches:  # the screen never mounted: nothing is being typed
            editor = None
        try:
            if editor is not None:
                # One a worker is saving (Enter came first) may yet fail or be killed: it is kept too,
                # unless it landed already (the worker removes the copy when it lands), and first: the
                # save below may wait 30 s for a lock, and serve kills the reader 3 s after SIGHUP.
                editor.keep_while_saving(lambda saving: self._keep(editor, saving, saving.entered))
                self._keep_and_save_typed(editor)
        finally:  # d u typed just before the link dropped: the held u is not lost, whatever the save did
            if editor is not None:
                editor.run_held_keys_now(main.query_one(NotesList))

    def _keep_and_save_typed(self, editor: AnnotationEditor) -> None:
        """At a hang-up: keep, then save, each annotation typed and not on disk (see ``typed_at_hang_up``)."""
        to_save = []
        for screen, pending, entered in typed_at_hang_up(self.screen_stack, editor.asking, editor.pending, editor.take):
            # An edit dialog with nothing changed in it has nothing to save (nor to call a conflict),
            # judged as its Esc judges it: the note box keeps a note's line ends its own way.
            if (
                (entered.tags or entered.note.strip())
                and not pending.changes_nothing(entered)
                and (screen is None or screen.holds_unsaved())
            ):
                # Kept first, all of them, with no lock to wait for: a save below may wait on another
                # session's lock, or be killed (serve), and a kept copy is saved at the next start.
                to_save.append((pending, entered, self._keep(editor, pending, entered)))
        for pending, entered, kept in to_save:
            with contextlib.suppress(NewsdeskError):  # nobody to tell; the kept copy stays on failure
                editor.save_over_own(replace(pending, entered=entered))
                unsaved.forget(kept)

    def _keep(self, editor: AnnotationEditor, pending: PendingAnnotation, entered: AnnotationInput) -> Path | None:
        """Write what was typed to the kept folder (see :mod:`newsdesk.tui.unsaved`)."""
        return unsaved.keep(
            self.unsaved_dir,
            self.library,
            pending.article.id,
            pending.start,
            pending.end,
            list(entered.tags),
            entered.note,
            pending.annotation_id,
            # What the edit started from: the kept copy is saved later with the live save's
            # version check, never over a change another session made meanwhile.
            base=pending.base,
            own=editor.own_save(pending.annotation_id),
            quote=pending.article.text[pending.start : pending.end],
        )

    # -- help and command palette ---------------------------------------------------------
    def key_sections(self) -> list[tuple[str, list[tuple[Binding, DOMNode | None]]]]:
        """Every binding, by pane, with the node its action runs on (None: inside a dialog)."""
        sections: dict[str, list[tuple[Binding, DOMNode | None]]] = {}
        for row in KEY_TABLE:
            node = row.node(self) if row.node is not None else None
            sections.setdefault(row.title, []).extend((b, node) for b in row.bindings if isinstance(b, Binding))
        return list(sections.items())

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
                if node is not None and binding.action and binding.id != "app.palette":
                    yield SystemCommand(
                        f"{binding.description} ({title.lower()})",
                        f"keys: {self.keys_for(binding)}",
                        partial(self.run_action, binding.action, node),
                    )


@dataclass(frozen=True, slots=True)
class KeyTableRow:
    """One class's bindings as the help lists them: under which title, run on which node."""

    title: str
    bindings: Sequence[BindingType]
    """A class's own ``BINDINGS``, or one group of tui/keys.py (the main screen's and Panes', by feature)."""
    node: Callable[[NewsdeskApp], DOMNode] | None
    """The node the bindings' actions run on from the command palette; None for a dialog's own keys."""


KEY_TABLE: tuple[KeyTableRow, ...] = (
    KeyTableRow("Everywhere", PANE_KEYS, lambda app: app.main.panes),
    KeyTableRow("Everywhere", EVERYWHERE_KEYS, lambda app: app.main),
    KeyTableRow("Everywhere", NewsdeskApp.BINDINGS, lambda app: app),
    KeyTableRow("Search box", SearchBox.BINDINGS, lambda app: app.main.search_box),
    KeyTableRow("Article list", ArticleList.BINDINGS, lambda app: app.main.article_list),
    KeyTableRow("Reader", ReaderView.BINDINGS, lambda app: app.main.reader),
    KeyTableRow("Selecting and annotating", SelectableReader.BINDINGS, lambda app: app.main.reader),
    KeyTableRow("Annotations", ANNOTATION_KEYS, lambda app: app.main),
    KeyTableRow("Notes panel", NotesList.BINDINGS, lambda app: app.main.query_one(NotesList)),
    KeyTableRow("Entities", ENTITY_KEYS, lambda app: app.main),
    KeyTableRow("Entities panel", EntityList.BINDINGS, lambda app: app.main.query_one(EntityList)),
    KeyTableRow("Facets panel", FacetList.BINDINGS, lambda app: app.main.query_one(FacetList)),
    KeyTableRow("Side panel", SidePanel.BINDINGS, lambda app: app.main.query_one(SidePanel)),
    KeyTableRow("Saved searches, timeline, similar articles", STORY_KEYS, lambda app: app.main),
    KeyTableRow("Saved searches, timeline, similar articles", PANEL_TAB_KEYS, lambda app: app.main.panes),
    KeyTableRow("Saved panel", SavedList.BINDINGS, lambda app: app.main.query_one(SavedList)),
    KeyTableRow("Timeline", TimelineChart.BINDINGS, lambda app: app.main.query_one(TimelineChart)),
    KeyTableRow("Annotation dialog", AnnotateDialog.BINDINGS, None),
    KeyTableRow("All annotations list", AllAnnotationsScreen.BINDINGS, None),
    KeyTableRow("Mentions dialog", MentionsDialog.BINDINGS, None),
    KeyTableRow("Save search dialog", SaveSearchDialog.BINDINGS, None),
    KeyTableRow("Similar articles dialog", SimilarDialog.BINDINGS, None),
    KeyTableRow("This help", HelpScreen.BINDINGS, None),
)
"""Every binding the app has, in the order ? lists them. The help, the command palette and
the keymap check all read this one table, so a binding ? shows can always be remapped."""


def binding_ids() -> set[str]:
    """Every binding id the keymap may name: exactly the ids ? shows."""
    return {b.id for row in KEY_TABLE for b in row.bindings if isinstance(b, Binding) and b.id}


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


def make_app(
    corpus: Path | None = None,
    config: Config | None = None,
    state_dir: Path | None = None,
    *,
    state_file: Path | None = None,
    index_on_start: bool = True,
    watch: bool = True,
) -> NewsdeskApp:
    """The reader on ``corpus`` (else the config's corpus, else the bundled demo corpus).

    Raises :class:`newsdesk.index.NewsdeskError` (one-line message) when the corpus or
    config cannot be used. Close the library after the run with :func:`close_library`.
    """
    os.environ[QUIET_WORKERS_ENV] = "1"  # index workers must not write into the app's screen
    config = config if config is not None else load_config()
    if corpus is not None:
        config = with_overrides(config, corpus=corpus)
    check_keymap(config.ui.keymap, config_name(config))  # before anything is opened: nothing to close
    library = Library.open(state_dir=state_dir, config=config)
    start_resource_tracker()
    return NewsdeskApp(library, config, UIStateStore(state_file), index_on_start=index_on_start, watch=watch)


__all__ = ["CorpusState", "NewsdeskApp", "close_library", "make_app"]
