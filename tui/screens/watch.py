"""A cheap fingerprint of a corpus folder, to notice new, changed and deleted files by polling.

Polling with ``os.scandir`` (one stat per file, no reading) works the same on
local disks, network mounts and shared servers where inotify watches may be
scarce. The caller scales the interval with how long a scan took.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def corpus_fingerprint(corpus: Path, skip: Path | None = None,
                       cancelled: Callable[[], bool] = lambda: False) -> int | None:
    """A number that changes when a file under ``corpus`` is added, removed or modified.

    Hidden folders (such as ``.newsdesk``) and ``skip`` are not entered.
    Returns None when cancelled part way.
    """
    try:
        if corpus.is_file():
            stat = corpus.stat()
            return hash((stat.st_size, stat.st_mtime_ns))
    except OSError:
        return 0
    skip_real = os.path.realpath(skip) if skip else None
    total, count = 0, 0
    pending = [str(corpus)]
    while pending:
        if cancelled():
            return None
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if skip_real is None or os.path.realpath(entry.path) != skip_real:
                                pending.append(entry.path)
                        elif entry.is_file():
                            stat = entry.stat()
                            total ^= hash((entry.path, stat.st_size, stat.st_mtime_ns))
                            count += 1
                    except OSError:
                        continue
        except OSError:
            continue
    return hash((total, count))
