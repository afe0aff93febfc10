"""Leaving after a hang-up even when the terminal library cannot.

A reader whose terminal is gone (SSH dropped, tmux killed) saves what is being
typed and its UI state at SIGHUP, then asks Textual to exit. Textual's shutdown
writes the terminal-restore sequences through its output thread and waits for it;
with the terminal gone that wait was seen never to end (CI left a reader alive
for good, blocked in ``WriterThread.stop`` with a full queue). Everything worth
keeping is saved before the exit starts, so past a short grace the process ends.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

HANG_UP_GRACE_SECONDS = 3.0
"""How long a hung-up reader may take to shut down before it is ended (within serve's 5 s)."""

HANG_UP_EXIT_CODE = 129
"""128 + SIGHUP, what a shell reports for a process ended by a hang-up."""

LONGEST_SAVE_SECONDS = 60.0
"""How long a hung-up reader waits for a save already under way (one waiting on another
session's lock gives up well within this) before it ends all the same."""


class SavesInFlight:
    """Counts the writes of user data (annotations, saved searches) under way in worker threads.

    A hang-up must not end the process in the middle of one: the red team lost a saved
    search that was waiting for another session's lock when the 3 s guard fired.
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    @contextlib.contextmanager
    def saving(self) -> Iterator[None]:
        with self._idle:
            self._count += 1
        try:
            yield
        finally:
            with self._idle:
                self._count -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no save is under way (at most ``timeout`` s); True if none is."""
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


SAVES = SavesInFlight()
"""The process' one count: the reader's workers save through it, the hang-up guard waits on it."""


class LeaveAfterHangUp:
    """Ends the process if it is still shutting down ``grace`` seconds after a hang-up
    (and after any save under way has finished).

    ``hung_up`` is set by the app once SIGHUP has saved everything; :meth:`done`
    is called when the reader has left normally, and disarms the guard.
    """

    def __init__(
        self, hung_up: threading.Event, grace: float = HANG_UP_GRACE_SECONDS, saves: SavesInFlight = SAVES
    ) -> None:
        self._hung_up = hung_up
        self._grace = grace
        self._saves = saves
        self._done = threading.Event()
        threading.Thread(target=self._watch, name="leave-after-hang-up", daemon=True).start()

    def done(self) -> None:
        self._done.set()
        self._hung_up.set()  # wakes the watcher, which then sees done and returns

    def _watch(self) -> None:
        self._hung_up.wait()
        if self._done.wait(self._grace):
            return
        self._saves.wait_idle(LONGEST_SAVE_SECONDS)  # a save under way finishes first
        if self._done.is_set():
            return
        os._exit(HANG_UP_EXIT_CODE)  # nothing left to flush: the hang-up handler saved it
