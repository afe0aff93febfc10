"""Worker processes that end with their parent.

A pool worker blocks on its job queue; when the parent is killed (SIGKILL, an
out-of-memory kill, a dropped SSH session taking the app with it) the queue
never closes, because the workers themselves hold its other end, and the
workers would wait forever. Each worker therefore watches its parent id and
exits once it has been re-parented.
"""

from __future__ import annotations

import os
import threading
import time

CHECK_SECONDS = 0.5
QUIET_WORKERS_ENV = "NEWSDESK_QUIET_WORKERS"
"""Set (to anything) by a program that owns the terminal, such as the reader app: workers then
write nothing to it, so a stray warning cannot land in the middle of its screen."""


def exit_with_parent(parent: int) -> None:
    """Call first thing in a worker process: it exits within ~0.5 s of ``parent``'s death
    (and, when :data:`QUIET_WORKERS_ENV` is set, stays off the terminal).

    ``parent`` is the creator's pid, passed in from the creator: the parent may
    already be gone by the time a slow-starting worker gets here.
    """
    if os.getppid() != parent:
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
