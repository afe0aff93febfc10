"""Worker processes that end with their parent.

A pool worker blocks on its job queue; when the parent is killed (SIGKILL, an
out-of-memory kill, a dropped SSH session taking the app with it) the queue
never closes, because the workers themselves hold its other end, and the
workers would wait forever. On Linux each worker therefore asks the kernel to
SIGKILL it the moment its parent dies (``PR_SET_PDEATHSIG``); everywhere, a
watchdog thread also checks the parent id every :data:`CHECK_SECONDS` and exits
once the worker has been re-parented (the kernel's signal needs no CPU time or
GIL from a busy worker on a loaded machine; the thread is the fallback).

The kernel sends the signal when the parent *thread* that started the worker
ends: pools are started and shut down within one call (an update), so that
thread outlives them. ``bench/orphans.py`` measures the whole bound.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

CHECK_SECONDS = 0.1
_PR_SET_PDEATHSIG = 1
QUIET_WORKERS_ENV = "NEWSDESK_QUIET_WORKERS"
"""Set (to anything) by a program that owns the terminal, such as the reader app: workers then
write nothing to it, so a stray warning cannot land in the middle of its screen."""


def exit_with_parent(parent: int) -> None:
    """Call first thing in a worker process: it exits within moments of ``parent``'s death
    (and, when :data:`QUIET_WORKERS_ENV` is set, stays off the terminal).

    ``parent`` is the creator's pid, passed in from the creator: the parent may
    already be gone by the time a slow-starting worker gets here.
    """
    _kill_me_with_parent()
    if os.getppid() != parent:  # after arming: a parent gone before then sends nothing
        os._exit(1)
    if os.environ.get(QUIET_WORKERS_ENV):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)

    def watch() -> None:
        while True:
            time.sleep(CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _kill_me_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False
