"""A cheap fingerprint of a corpus, to notice new, changed and deleted files by polling.

It is computed from the same walk indexing uses (:func:`newsdesk.index.ingest.discover.discover`),
so a running reader notices exactly the changes ``newsdesk index`` would pick up: files
reached through symlinked folders inside the corpus included, files of other types and
hidden or state folders left out. Polling (one stat per file, no reading) works the same on
local disks, network mounts and shared servers where inotify watches may be scarce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from newsdesk.index.ingest.discover import discover


def corpus_fingerprint(
    corpus: Path,
    extensions: Iterable[str],
    skip: Iterable[Path] = (),
    cancelled: Callable[[], bool] | None = None,
) -> int | None:
    """A number that changes when an article file under ``corpus`` is added, removed or modified.

    ``extensions`` and ``skip`` mean what they mean for ``discover``. Returns None
    when ``cancelled()`` stopped the walk part way.
    """
    found = discover(corpus, extensions, skip, cancelled)
    if found.cancelled:
        return None
    digest = hashlib.blake2b(digest_size=8)
    for entry in found.files:
        # surrogatepass: a file name that is not valid UTF-8 still fingerprints.
        digest.update(entry.relpath.encode("utf-8", "surrogatepass"))
        digest.update(b"\0%d\0%d\0" % (entry.size, entry.mtime_ns))
    return int.from_bytes(digest.digest(), "big")
