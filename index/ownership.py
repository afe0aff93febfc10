"""Which account a file is this process's: by its owner uid, also where new files get another uid.

Annotation files are attributed to their owner, and a saved-searches or kept file another
account owns is refused. Both compared the owner with ``os.geteuid()``. On a file system that
maps owners, every file this process creates gets another uid: an NFS export with
``all_squash`` (every client account becomes one anonymous uid), or ``root_squash`` for a
reader run as root. There a user's own annotation file read as another account's: a second
annotation on an article was refused ("owned by nobody, not alice"), their own notes could not
be edited or deleted, and their saved searches and kept annotations were refused as planted.

:func:`new_file_uid` asks the file system once per device: it creates an empty file and reads
its owner. A local file system always answers with the process's own uid, so nothing changes
there, and nobody can make it answer otherwise. Where the answer differs, files owned by that
uid are this account's as far as the uid can tell: on such a mount every account that the
server maps to it can write them anyway, so refusing them protected nothing and broke the
user's own files. Annotation files owned by it are attributed by their file name
(:func:`newsdesk.index.annotations.files.file_owner`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path

_PROBED: dict[int, int] = {}
"""st_dev -> the uid this process's new files get on that device."""
_PROBING = threading.Lock()


def new_file_uid(folder: Path) -> int:
    """The owner uid a file this process creates in ``folder`` gets (``os.geteuid()`` on a local file system).

    Learnt once per device by creating and removing an empty hidden file; where ``folder``
    cannot be written (read-only, missing, another account's), the process's own uid.
    """
    own = os.geteuid()
    try:
        device = os.stat(folder).st_dev
    except OSError:
        return own
    with _PROBING:
        if device in _PROBED:
            return _PROBED[device]
        try:
            fd, name = tempfile.mkstemp(prefix=".newsdesk-owner-", suffix=".probe", dir=folder)
        except OSError:
            return own  # not remembered: a folder this account can write on the same device may answer
        try:
            uid = os.fstat(fd).st_uid
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(name)
        _PROBED[device] = uid
        return uid


def is_own_uid(uid: int, folder: Path) -> bool:
    """True when a file in ``folder`` owned by ``uid`` is this process's as far as its owner tells."""
    return uid == os.geteuid() or uid == new_file_uid(folder)


def mapped_uid(folder: Path) -> int | None:
    """The uid new files in ``folder`` get when it is not this process's own (a squashing mount), else None."""
    uid = new_file_uid(folder)
    return None if uid == os.geteuid() else uid


__all__ = ["is_own_uid", "mapped_uid", "new_file_uid"]
