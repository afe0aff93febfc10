"""Waiting for the update lock another process holds: said, and stoppable.

One update at a time holds ``<state_dir>/update.lock``. Another process's update (a
rebuild of a large corpus) can hold it for minutes: the reader said "checking for
changes…" all that time, and q left a blank terminal until the other process ended,
since the wait inside ``FileLock.acquire`` could not be stopped (red team).
"""

from __future__ import annotations

import time

from filelock import FileLock, Timeout
from newsdesk.index.update_stats import ProgressCallback

WAITING_PHASE = "waiting for another session's update to end"
"""The progress phase while another process holds the update lock."""
LOCK_POLL_SECONDS = 0.2
"""While waiting for the update lock, the progress callback is called this often (it may stop the wait)."""


def acquire_telling(lock: FileLock, wait: float, progress: ProgressCallback | None) -> None:
    """Take ``lock`` within ``wait`` s (-1: no limit), telling ``progress`` (WAITING_PHASE) while it is held
    elsewhere; :class:`filelock.Timeout` past ``wait``. ``progress`` is called every LOCK_POLL_SECONDS of
    the wait, so a caller that must stop (the reader quitting) raises from it."""
    if progress is None:
        lock.acquire(timeout=wait)
        return
    try:
        lock.acquire(timeout=0)
        return
    except Timeout:
        if wait == 0:
            raise
    deadline = None if wait < 0 else time.monotonic() + wait
    while True:
        progress(WAITING_PHASE, 0, 0)  # may raise: the caller stops waiting
        step = LOCK_POLL_SECONDS if deadline is None else min(LOCK_POLL_SECONDS, deadline - time.monotonic())
        try:
            lock.acquire(timeout=max(0.0, step))
            break
        except Timeout:
            if deadline is not None and time.monotonic() >= deadline:
                raise
    progress(WAITING_PHASE, 1, 1)
