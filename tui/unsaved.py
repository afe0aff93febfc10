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
import dataclasses
import json
import os
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.index import (
    Annotation,
    AnnotationChanged,
    AnnotationError,
    AnnotationFileError,
    Article,
    DiskFullError,
    Library,
    NewsdeskError,
    is_own_file,
    tags_and_note,
    write_atomic,
)
from newsdesk.tui.state import default_state_file
from newsdesk.tui.widgets.layout import clean_line

UNSAVED_DIR_NAME = "unsaved-annotations"
CLAIM_GIVEN_UP_SECONDS = 3600
"""A claim this old is taken back even if its process id is alive: that id may be another's now."""
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
    *,
    base: Annotation | None = None,
    own: Annotation | None = None,
    quote: str | None = None,
) -> Path | None:
    """Write one typed annotation to ``folder``; None if even that fails (then only the save is left).

    For an edit, ``base`` is the annotation as the dialog showed it and ``own`` this session's
    last save of it, if any: the later save replaces the annotation only if it is still one of
    them, as the live save would (else another session changed it meanwhile). For a new one,
    ``quote`` is the passage typed on, found again if the article's text changed meanwhile.
    """
    entry = {
        "state_dir": str(library.state_dir.resolve()),
        "article_id": article_id,
        "start": start,
        "end": end,
        "tags": tags,
        "note": note,
        "annotation_id": annotation_id,
        "quote": quote,
        "base": _content(base) if annotation_id is not None else None,
        "own": _content(own) if annotation_id is not None else None,
    }
    path = folder / f"{time.time_ns()}-{os.getpid()}.json"
    try:
        # The user's own, whatever the umask (002 made both group-writable: another account of
        # the group could read the notes, and plant a kept file saved as this user's annotation).
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(path, _encoded(entry), mode=0o600)
    except OSError:
        return None
    return path


def _encoded(entry: dict[str, Any]) -> bytes:
    """UTF-8 JSON, readable as it is when set aside; text holding bytes that were not UTF-8 (lone
    surrogates, which cannot be encoded: that error escaped the hang-up handler) as JSON escapes."""
    try:
        return json.dumps(entry, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(entry).encode("ascii")


def _content(annotation: Annotation | None) -> dict[str, Any] | None:
    """What a version check compares (id, passage, tags, note), in the annotation files' own shape."""
    if annotation is None:
        return None
    data = annotation.to_dict()
    return {key: data[key] for key in ("id", "article_id", "target", "tags", "note")}


def forget(path: Path | None) -> None:
    """The annotation is on disk: its kept copy goes."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


class KeptConflict(Exception):
    """The kept edit would replace a change it never saw; ``str()`` says why, on one line."""


def save_kept(folder: Path, library: Library, stop: threading.Event | None = None) -> tuple[int, list[str]]:
    """Save every kept annotation of ``library``'s state folder; (how many saved, one line per failure).

    Each file is claimed first (renamed to a name only this process uses), so two readers
    starting at once never save one twice; only regular files are read (a FIFO there would
    block the reader's exit). A file that cannot be saved is set aside as ``*.failed``, an
    edit that would replace another session's change as ``*.conflict``, each with one line
    naming it, not retried at every start: what was typed is never lost nor saved over unseen.
    Once ``stop`` is set, no further file is claimed.
    """
    saved, failures = 0, []
    mine = str(library.state_dir.resolve())
    if folder.is_dir() and not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        # Another account's (a reader once run under sudo made it): glob saw nothing, unsaid.
        return 0, [
            clean_line(
                f"{folder}: annotations typed before a dropped connection may be kept here, "
                "but this account cannot open it; left as it is"
            )
        ]
    reclaim_from_the_dead(folder)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if stop is not None and stop.is_set():
            break  # the reader is leaving: the rest wait for the next start, unclaimed
        claimed = path.with_name(f"{path.name}.{os.getpid()}.claimed")
        try:
            status = path.lstat()
            if not stat.S_ISREG(status.st_mode):
                failures.append(clean_line(f"{path}: not a regular file; left alone"))
                continue
            if not is_own_file(path, status):  # saved, it would be this user's annotation
                failures.append(clean_line(f"{path}: kept by another account, not saved as yours; left alone"))
                continue
            # When claimed (see CLAIM_GIVEN_UP_SECONDS), stamped before the claim: a kept file is
            # often hours old, and claimed with that age another reader took it straight back.
            os.utime(path)
            path.rename(claimed)
        except FileNotFoundError:
            continue  # another reader claimed it first, or it is gone
        except OSError as exc:  # a folder this account cannot write in (made by another, read-only):
            # skipped unsaid, it was never saved nor said, at every start
            failures.append(
                clean_line(
                    f"{path}: an annotation typed before a dropped connection "
                    f"cannot be taken to be saved ({exc.strerror or exc}); left as it is"
                )
            )
            continue
        CLAIMED.add(claimed)
        try:
            wrote, failure = _save_claimed(library, mine, path, claimed)
        finally:
            CLAIMED.discard(claimed)
        saved += wrote
        failures += [failure] if failure else []
    return saved, failures


def _save_claimed(library: Library, mine: str, path: Path, claimed: Path) -> tuple[bool, str | None]:
    """Save the claimed kept file ``claimed`` (first named ``path``): (saved, one line if not)."""
    try:
        entry = read_entry(claimed)
        if entry.state_dir != mine:
            if not Path(entry.state_dir).is_dir():  # else it would wait for it for good, unsaid
                raise ValueError(f"its corpus' state folder {entry.state_dir} no longer exists")
            claimed.rename(path)  # another corpus': put back as it was
            return False, None
        wrote = _save(library, entry)
    except KeptConflict as exc:
        return False, _set_aside(claimed, path, ".conflict", f"{exc}; what you typed is in")
    except (OSError, AnnotationFileError, DiskFullError) as exc:
        # Passing trouble (another session held the lock 30 s, a full disk, an annotation file to
        # mend): set aside, it was never tried again, and its line was often never seen (the reader
        # quit meanwhile). Put back, it is tried at the next start.
        with contextlib.suppress(OSError):
            claimed.rename(path)
        return False, clean_line(
            f"an annotation typed before a dropped connection is not saved yet ({exc}); "
            f"it is tried again at the next start: {path}"
        )
    except (NewsdeskError, ValueError) as exc:
        why = f"an annotation typed before a dropped connection could not be saved ({exc}); it is in"
        return False, _set_aside(claimed, path, ".failed", why)
    forget(claimed)
    return wrote, None


CLAIMED: set[Path] = set()
"""The claims this process has made (a claim under its own id that is not one of them is a dead
reader's: in a container the reader often has the same process id at every start)."""


def _set_aside(claimed: Path, path: Path, suffix: str, why: str) -> str:
    """Rename ``claimed`` to ``path`` + ``suffix`` (never read again) and say so on one line."""
    aside = path.with_name(path.name + suffix)
    with contextlib.suppress(OSError):
        claimed.rename(aside)
    # The reason can quote the file's own text (an id, an article ref): one line, no escapes.
    return clean_line(f"{why} {aside} (`newsdesk annotations kept` shows it, and applies or discards it)")


def reclaim_from_the_dead(folder: Path) -> None:
    """Files claimed by a reader that died before saving them go back to be saved.

    A process id can be another process' by now: a claim held for longer than any start's
    saves take goes back too. Saving one twice is harmless: a kept save that already landed
    is recognised and not written again.
    """
    for claimed in folder.glob("*.json.*.claimed") if folder.is_dir() else []:
        pid = claimed.name.rsplit(".", 2)[-2]
        with contextlib.suppress(OSError):
            given_up = time.time() - claimed.stat().st_mtime > CLAIM_GIVEN_UP_SECONDS
            if claimed in CLAIMED:
                continue  # this process' own, being saved (another reader in this process: tests)
            if pid.isdigit() and (given_up or int(pid) == os.getpid() or not _alive(int(pid))):
                claimed.rename(claimed.with_name(claimed.name.rsplit(".", 2)[0]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another account's process: alive
    return True


@dataclass(frozen=True, slots=True)
class KeptEntry:
    """One kept annotation, checked."""

    state_dir: str
    article_id: str
    start: int
    end: int
    tags: list[str]
    note: str
    annotation_id: str | None
    quote: str | None
    """The passage a new annotation was typed on (None in kept files of older versions)."""
    bases: tuple[Annotation, ...] | None
    """For an edit, the versions it may replace (what the dialog showed, this session's own last
    save); None for a kept edit written before they were recorded (older versions)."""


def read_entry(path: Path) -> KeptEntry:
    """The kept entry, checked field by field; ValueError names what is wrong."""
    if path.stat().st_size > MAX_KEPT_BYTES:
        raise ValueError(f"larger than {MAX_KEPT_BYTES:,} bytes")
    return parse_entry(path.read_bytes())


def parse_entry(data: bytes) -> KeptEntry:
    """The kept entry in ``data`` (a kept file's bytes, read by the caller), checked; ValueError names what is wrong."""
    try:
        entry = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"not a kept annotation: {type(exc).__name__}") from None
    if not isinstance(entry, dict):
        raise ValueError("not a kept annotation")
    tags, note, ident = entry.get("tags"), entry.get("note"), entry.get("annotation_id")
    checks = (
        isinstance(entry.get("state_dir"), str),
        isinstance(entry.get("article_id"), str),
        all(isinstance(entry.get(k), int) and not isinstance(entry.get(k), bool) for k in ("start", "end")),
        isinstance(tags, list) and all(isinstance(t, str) for t in tags),
        isinstance(note, str),
        ident is None or isinstance(ident, str),
        entry.get("quote") is None or isinstance(entry.get("quote"), str),
    )
    if not all(checks):
        raise ValueError("not a kept annotation")
    bases = None
    if ident is not None and "base" in entry:
        bases = tuple(_version(entry, key) for key in ("base", "own") if entry.get(key) is not None)
        if not bases:
            raise ValueError("not a kept annotation: an edit without what it started from")
    elif entry.get("base") is not None or entry.get("own") is not None:
        raise ValueError("not a kept annotation: a new annotation with a version")
    return KeptEntry(
        entry["state_dir"],
        entry["article_id"],
        entry["start"],
        entry["end"],
        entry["tags"],
        entry["note"],
        ident,
        entry.get("quote"),
        bases,
    )


def _version(entry: dict[str, Any], key: str) -> Annotation:
    """The annotation version recorded under ``key``, of the edited annotation and article only."""
    try:
        version = Annotation.from_dict(entry[key])
    except NewsdeskError as exc:
        raise ValueError(f"not a kept annotation: {key}: {exc}") from None
    if (version.id, version.article_id) != (entry["annotation_id"], entry["article_id"]):
        raise ValueError(f"not a kept annotation: {key} is another annotation's")
    return version


def _save(library: Library, entry: KeptEntry) -> bool:
    """Save ``entry``: True once it is on disk as typed, False if there was nothing to save."""
    article = library.article(entry.article_id)
    saved_as = as_saved(entry)
    if entry.annotation_id is None:
        entry = saved_as
        start, end = passage_now(article, entry)
        for placed in library.article_annotations(article).placed:
            was = placed.annotation
            if placed.own and (was.target.start, was.target.end, was.tags, was.note) == (start, end, *_typed(entry)):
                return True  # saved already (the process was killed before it removed the kept copy)
        library.add_annotation(article, start, end, entry.tags, entry.note)
        return True
    current = current_annotation(library, article, entry.annotation_id)
    # As typed (a tag an older version kept, which the files still read), and as it is saved now.
    typed = [_with(current, saved_as)]
    with contextlib.suppress(AnnotationError):  # a tag no file may hold: only as saved now
        typed.append(_with(current, entry))
    if any(current.same_content(one) for one in typed):
        return True  # already as typed: the save at hang-up landed, its kept copy was not removed
    if any((base.tags, base.note) == (one.tags, one.note) for base in entry.bases or () for one in typed):
        return False  # nothing was changed in the dialog: no edit to save, and no conflict to report
    # Named as the user knows it (the passage and the article), not by its id.
    what = (
        f"your edit of the annotation on {_short(current.target.exact)} in {_short(article.title)}, "
        "typed before a dropped connection, was not saved"
    )
    if entry.bases is None:
        raise KeptConflict(
            f"{what}: it was kept by an older newsdesk that did not record what the edit started from, "
            "and the annotation differs from it now (left as it is)"
        )
    if not any(base.same_content(current) for base in entry.bases):
        raise KeptConflict(f"{what}: another session changed the annotation since (its change is kept)")
    try:  # ``base=``: a change landing between that read and this write is refused too
        library.edit_annotation(article, entry.annotation_id, tags=saved_as.tags, note=saved_as.note, base=current)
    except AnnotationChanged:
        raise KeptConflict(f"{what}: another session changed the annotation since (its change is kept)") from None
    return True


def as_saved(entry: KeptEntry) -> KeptEntry:
    """``entry`` with each tag that no tag may be now at the end of its note, marked as the hang-up marks
    a word of the tags box (index/annotations/tag_words.py). Red team: an older version kept tags holding a C1 control
    or a bidi override, which a new tag may no longer hold; such a kept file was set aside as failed,
    and ``annotations kept --apply`` refused it too, so the note typed with it could not be saved."""
    tags, note = tags_and_note(entry.tags, entry.note)
    return dataclasses.replace(entry, tags=tags, note=note)


def _with(current: Annotation, entry: KeptEntry) -> Annotation:
    """``current`` with ``entry``'s tags and note, as the files would read it (AnnotationError if they could not)."""
    return Annotation.from_dict({**current.to_dict(), "tags": entry.tags, "note": entry.note})


def _short(text: str, limit: int = 40) -> str:
    """``text`` quoted and cut to ``limit`` characters (save_kept makes it one clean line)."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def passage_now(article: Article, entry: KeptEntry) -> tuple[int, int]:
    """Where the passage typed on is now: the article's text may have changed since."""
    start, end, quote = entry.start, entry.end, entry.quote
    if quote is None or article.text[start:end] == quote:
        return start, end
    found = article.text.find(quote) if quote else -1
    if found < 0 or article.text.find(quote, found + 1) >= 0:
        raise ValueError("the article's text changed since, and the passage it was typed on is not in it once")
    return found, found + len(quote)


def _typed(entry: KeptEntry) -> tuple[tuple[str, ...], str]:
    """The tags and note as they would be stored (tags stripped, each once)."""
    return tuple(dict.fromkeys(tag.strip() for tag in entry.tags)), entry.note


def current_annotation(library: Library, article: Article, annotation_id: str) -> Annotation:
    found = library.article_annotations(article)
    for placed in found.placed + found.orphans:
        if placed.own and placed.annotation.id == annotation_id:
            return placed.annotation
    raise ValueError(f"annotation {annotation_id} is no longer there (deleted in another session?)")
