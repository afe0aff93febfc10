"""Leaving after a hang-up even when the terminal library cannot.

A reader whose terminal is gone (SSH dropped, tmux killed) saves what is being
typed and its UI state at SIGHUP, then asks Textual to exit. Textual's shutdown
writes the terminal-restore sequences through its output thread and waits for it;
with the terminal gone that wait was seen never to end (CI left a reader alive
for good, blocked in ``WriterThread.stop`` with a full queue). Everything worth
keeping is saved before the exit starts, so past a short grace the process ends.
"""

from __future__ import annotations

import os
import threading

HANG_UP_GRACE_SECONDS = 3.0
"""How long a hung-up reader may take to shut down before it is ended (within serve's 5 s)."""

HANG_UP_EXIT_CODE = 129
"""128 + SIGHUP, what a shell reports for a process ended by a hang-up."""


class LeaveAfterHangUp:
    """Ends the process if it is still shutting down ``grace`` seconds after a hang-up.

    ``hung_up`` is set by the app once SIGHUP has saved everything; :meth:`done`
    is called when the reader has left normally, and disarms the guard.
    """

    def __init__(self, hung_up: threading.Event, grace: float = HANG_UP_GRACE_SECONDS) -> None:
        self._hung_up = hung_up
        self._grace = grace
        self._done = threading.Event()
        threading.Thread(target=self._watch, name="leave-after-hang-up", daemon=True).start()

    def done(self) -> None:
        self._done.set()
        self._hung_up.set()  # wakes the watcher, which then sees done and returns

    def _watch(self) -> None:
        self._hung_up.wait()
        if self._done.wait(self._grace):
            return
        os._exit(HANG_UP_EXIT_CODE)  # nothing left to flush: the hang-up handler saved it
