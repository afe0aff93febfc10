"""Annotations typed when the connection dropped, kept until they are on disk.

At SIGHUP the reader saves what is being typed. That save takes the article's file
lock, and another session may hold it: the red team held it and the typed note was
lost (the save gave up after 30 s, or under ``serve`` the reader was killed first).
So the typed annotation is written here first, to the user's own state folder, with
no lock to wait for, and removed once the real save lands. A file left here is saved
when the reader next opens on that corpus.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from newsdesk.index import Library, NewsdeskError, write_atomic
from newsdesk.tui.state import default_state_file

UNSAVED_DIR_NAME = "unsaved-annotations"
MAX_KEPT_BYTES = 4 * 1024 * 1024
"""A kept annotation is a quote's offsets, tags and a note: anything larger is not one."""


def default_unsaved_dir() -> Path:
    """Beside the reader's UI state file, in the user's own state folder."""
    return default_state_file().parent / UNSAVED_DIR_NAME


def keep(
    folder: Path,
    library: Library,
    article_id: str,
    start: int,
    end: int,
    tags: list[str],
    note: str,
    annotation_id: str | None,
) -> Path | None:
    """Write one typed annotation to ``folder``; None if even that fails (then only the save is left)."""
    entry = {
        "state_dir": str(library.state_dir.resolve()),
        "article_id": article_id,
        "start": start,
        "end": end,
        "tags": tags,
        "note": note,
        "annotation_id": annotation_id,
    }
    path = folder / f"{time.time_ns()}-{os.getpid()}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(entry, ensure_ascii=False))
    except OSError:
        return None
    return path


def forget(path: Path | None) -> None:
    """The annotation is on disk: its kept copy goes."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def save_kept(folder: Path, library: Library) -> tuple[int, list[str]]:
    """Save every kept annotation of ``library``'s state folder; (how many saved, one line per failure).

    Each file is claimed first (renamed to a name only this process uses), so two readers
    starting at once never save one twice; only regular files are read (a FIFO there would
    block the reader's exit), and a file that cannot be saved is set aside as ``*.failed``
    with one line naming it, not retried at every start.
    """
    saved, failures = 0, []
    mine = str(library.state_dir.resolve())
    _reclaim_from_the_dead(folder)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        claimed = path.with_name(f"{path.name}.{os.getpid()}.claimed")
        try:
            if not stat.S_ISREG(path.lstat().st_mode):
                failures.append(f"{path}: not a regular file; left alone")
                continue
            path.rename(claimed)
        except OSError:
            continue  # another reader claimed it first, or it is gone
        try:
            entry = _entry(claimed)
            if entry is None or entry["state_dir"] != mine:
                claimed.rename(path)  # another corpus' (or not ours to read): put back as it was
                continue
            _save(library, entry)
        except (OSError, NewsdeskError, ValueError) as exc:
            failed = path.with_name(path.name + ".failed")
            with contextlib.suppress(OSError):
                claimed.rename(failed)
            failures.append(
                f"an annotation typed before a dropped connection could not be saved ({exc}); it is in {failed}"
            )
            continue
        forget(claimed)
        saved += 1
    return saved, failures


def _reclaim_from_the_dead(folder: Path) -> None:
    """Files claimed by a reader that died before saving them go back to be saved."""
    for claimed in folder.glob("*.json.*.claimed") if folder.is_dir() else []:
        pid = claimed.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                claimed.rename(claimed.with_name(claimed.name.rsplit(".", 2)[0]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another account's process: alive
    return True


def _entry(path: Path) -> dict[str, Any] | None:
    """The kept entry, checked field by field; ValueError names what is wrong."""
    if path.stat().st_size > MAX_KEPT_BYTES:
        raise ValueError(f"larger than {MAX_KEPT_BYTES:,} bytes")
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"not a kept annotation: {type(exc).__name__}") from None
    if not isinstance(entry, dict):
        raise ValueError("not a kept annotation")
    tags, note = entry.get("tags"), entry.get("note")
    checks = (
        isinstance(entry.get("state_dir"), str),
        isinstance(entry.get("article_id"), str),
        all(isinstance(entry.get(k), int) and not isinstance(entry.get(k), bool) for k in ("start", "end")),
        isinstance(tags, list) and all(isinstance(t, str) for t in tags),
        isinstance(note, str),
        entry.get("annotation_id") is None or isinstance(entry.get("annotation_id"), str),
    )
    if not all(checks):
        raise ValueError("not a kept annotation")
    return entry


def _save(library: Library, entry: dict[str, Any]) -> None:
    article = library.article(entry["article_id"])
    if entry["annotation_id"]:
        library.edit_annotation(article, entry["annotation_id"], tags=entry["tags"], note=entry["note"])
    else:
        library.add_annotation(article, entry["start"], entry["end"], entry["tags"], entry["note"])
