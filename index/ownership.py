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
uid are this account's as far as the uid can tell, when this account may write them (asked
of the file system, the server on NFS): on such a mount every account that the server maps to
it can write them anyway, so refusing them protected nothing and broke the user's own files.
Annotation files owned by it are attributed by their file name
(:func:`newsdesk.index.annotations.files.file_owner`). The probe answers only for the device
it landed on, and a file is asked about by its own device (:func:`is_own_file`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_PROBED: dict[int, int] = {}
"""st_dev -> the uid this process's new files get on that device. No lock: a probe waits as long
as its mount does (an NFS server gone), and one lock held through it held up every device's
files; two threads probing one device at once each make their own file and find the same uid."""


def new_file_uid(folder: Path, device: int | None = None) -> int:
    """The owner uid a file this process creates on ``device`` (``folder``'s by default) gets
    (``os.geteuid()`` on a local file system).

    Learnt once per device by creating and removing an empty hidden file in ``folder``. Only a
    probe that landed on ``device`` answers for it, and it is remembered for the device it landed
    on: ``folder`` can be swapped for a link into another mount between the stat and the probe, or
    after the file asked about was read (another account may rename a folder above it). Remembered
    by the folder's device, the uid that mount gave was taken for the local disk's, and every file
    the attacker owned there was this account's. Where ``folder`` cannot be written (read-only,
    missing, another account's), or the probe lands elsewhere, the process's own uid.
    """
    own = os.geteuid()
    if device is None:
        try:
            device = os.stat(folder).st_dev
        except OSError:
            return own
    known = _PROBED.get(device)
    if known is not None:
        return known
    try:
        fd, name = tempfile.mkstemp(prefix=".newsdesk-owner-", suffix=".probe", dir=folder)
    except OSError:
        return own  # not remembered: a folder this account can write on the same device may answer
    try:
        probe = os.fstat(fd)
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(name)
    _PROBED[probe.st_dev] = probe.st_uid
    return _PROBED.get(device, own)


def is_own_file(path: Path, info: os.stat_result) -> bool:
    """True when the file at ``path`` (``info``: its ``stat``, from the open file) is this process's
    as far as its owner tells: its own uid, or the one its new files get on the device the file is
    on, and then only if this account may write it.

    The last because a mount can show one uid for all while its server still knows the accounts
    (an NFSv4 mount whose id mapping fails shows every owner as "nobody", as under Kerberos with a
    wrong id domain): there another account's ``alice.yaml`` was alice's own note, and its
    ``saved/alice.yaml`` her saved searches, though the server let her change neither. Where the
    uid truly tells no account from another (``all_squash``), each of them may write the file.
    """
    if info.st_uid == os.geteuid():
        return True
    return info.st_uid == new_file_uid(path.parent, info.st_dev) and _writable(path, info)


def _writable(path: Path, info: os.stat_result) -> bool:
    """``path`` is still the file ``info`` describes and this account may write it (the server says, on NFS)."""
    try:
        if not os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
            return False
        now = os.lstat(path)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino)


__all__ = ["is_own_file", "new_file_uid"]
