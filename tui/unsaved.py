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
import time
from pathlib import Path
from typing import Any

import platformdirs
from newsdesk.index import APP_NAME, Library, NewsdeskError, write_atomic

UNSAVED_DIR_NAME = "unsaved-annotations"


def default_unsaved_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME)) / UNSAVED_DIR_NAME


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
    """Save every kept annotation of ``library``'s state folder; (how many saved, one line per failure)."""
    saved, failures = 0, []
    mine = str(library.state_dir.resolve())
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            entry: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if entry.get("state_dir") != mine:
                continue
            article = library.article(str(entry["article_id"]))
            tags, note = [str(t) for t in entry.get("tags", [])], str(entry.get("note", ""))
            if entry.get("annotation_id"):
                library.edit_annotation(article, str(entry["annotation_id"]), tags=tags, note=note)
            else:
                library.add_annotation(article, int(entry["start"]), int(entry["end"]), tags, note)
        except (OSError, ValueError, KeyError, TypeError, NewsdeskError) as exc:
            failures.append(f"an annotation typed before a dropped connection is kept in {path}: {exc}")
            continue
        forget(path)
        saved += 1
    return saved, failures
