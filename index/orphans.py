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


def exit_with_parent(parent: int) -> None:
    """Call first thing in a worker process: it exits within ~0.5 s of ``parent``'s death.

    ``parent`` is the creator's pid, passed in from the creator: the parent may
    already be gone by the time a slow-starting worker gets here.
    """
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
