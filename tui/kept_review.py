"""``newsdesk annotations kept``: the annotations a dropped connection left aside, shown and settled.

At a hang-up the reader keeps what was being typed (tui/unsaved.py) and saves it at
the next start. One that would replace another session's change is set aside as
``*.conflict``, one that cannot be saved as ``*.failed``; the start-up line names the
file, and that was all: settling it meant reading JSON and retyping the note. Here
each is listed with the passage, what was typed and what the annotation holds now;
``--apply`` saves what was typed over it (the user has seen both, so nothing is saved
over unseen) and ``--discard`` drops it. Either removes the file only once it is settled.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from newsdesk.index import Annotation, AnnotationError, Library, NewsdeskError, UsageError
from newsdesk.tui import unsaved

SET_ASIDE = {".conflict": "conflict", ".failed": "failed"}
"""The suffixes :func:`newsdesk.tui.unsaved.save_kept` sets files aside with, and what each is called here."""


@dataclass(frozen=True, slots=True)
class KeptFile:
    """One kept annotation of this corpus, as the user sees it."""

    path: Path
    kind: str
    """"conflict" or "failed" (set aside), or "waiting" (saved at the next start of the reader)."""
    article_id: str
    title: str | None
    """None: the article is no longer in the corpus."""
    passage: str
    tags: list[str]
    note: str
    now: Annotation | None
    """For an edit: the annotation as it is now (None: deleted since, or a new annotation)."""


def kept_files(folder: Path, library: Library) -> tuple[list[KeptFile], list[str]]:
    """This corpus' kept annotations in ``folder``, oldest first, and one line per file that cannot be read."""
    found, problems = [], []
    mine = str(library.state_dir.resolve())
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        kind = _kind(path)
        if kind is None:
            continue
        try:
            entry = unsaved.read_entry(path)
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: {getattr(exc, 'strerror', None) or exc}; left alone")
            continue
        if entry.state_dir != mine:
            continue  # another corpus': listed there
        found.append(_described(path, kind, entry, library))
    return found, problems


def apply(path: Path, folder: Path, library: Library) -> str:
    """Save what the kept file ``path`` holds over the annotation as it is now; remove the file. One line."""
    entry = _entry_of(path, folder, library)
    try:
        article = library.article(entry.article_id)
    except NewsdeskError as exc:
        raise UsageError(f"{path}: not saved: {exc}") from None
    try:
        now = _now(library, entry)
        if now is None:  # new, or deleted since, and nothing of the user's on the passage: annotate it afresh
            start, end = unsaved.passage_now(article, entry)
            saved = library.add_annotation(article, start, end, entry.tags, entry.note)
        else:  # over whatever is there now, which the listing showed
            saved = library.edit_annotation(article, now.id, tags=entry.tags, note=entry.note, base=now)
    except (ValueError, AnnotationError) as exc:
        raise UsageError(f"{path}: not saved: {exc}") from None
    library.sync_annotations()
    with contextlib.suppress(FileNotFoundError):  # applied twice at once: both saved the same
        path.unlink()
    return f"saved {saved.id} on {_quoted(saved.target.exact)}; removed {path.name}"


def discard(path: Path, folder: Path, library: Library) -> str:
    """Remove the kept file ``path`` (what it holds is not saved). One line."""
    _entry_of(path, folder, library)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return f"discarded {path.name}"


def _entry_of(path: Path, folder: Path, library: Library) -> unsaved.KeptEntry:
    """The entry of a set-aside file of this corpus in ``folder``; UsageError says why not."""
    if path.parent != folder or _kind(path) not in SET_ASIDE.values():
        raise UsageError(
            f"{path}: not an annotation set aside in {folder} (`newsdesk annotations kept` lists them; "
            "the others are saved at the next start of the reader)"
        )
    try:
        entry = unsaved.read_entry(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if entry.state_dir != str(library.state_dir.resolve()):
        raise UsageError(f"{path}: kept for another corpus ({entry.state_dir}); run this there")
    return entry


def _kind(path: Path) -> str | None:
    if path.name.endswith(".json"):
        return "waiting"
    for suffix, kind in SET_ASIDE.items():
        if path.name.endswith(".json" + suffix):
            return kind
    return None


def _now(library: Library, entry: unsaved.KeptEntry) -> Annotation | None:
    """The user's annotation ``entry`` would replace: the one it edited, else (new, or that one deleted
    since) the user's own on its passage, as the reader edits rather than stacks a second one there."""
    article = library.article(entry.article_id)
    if entry.annotation_id is not None:
        with contextlib.suppress(ValueError):  # deleted since
            return unsaved.current_annotation(library, article, entry.annotation_id)
    try:
        start, end = unsaved.passage_now(article, entry)
    except ValueError:
        return None
    for placed in library.article_annotations(article).placed:
        if placed.own and (placed.annotation.target.start, placed.annotation.target.end) == (start, end):
            return placed.annotation
    return None


def _described(path: Path, kind: str, entry: unsaved.KeptEntry, library: Library) -> KeptFile:
    try:
        article = library.article(entry.article_id)
    except NewsdeskError:
        return KeptFile(path, kind, entry.article_id, None, entry.quote or "", entry.tags, entry.note, None)
    passage = entry.quote if entry.quote is not None else article.text[entry.start : entry.end]
    now = _now(library, entry)
    if now is not None:
        passage = now.target.exact
    return KeptFile(path, kind, article.id, article.title, passage, entry.tags, entry.note, now)


def _quoted(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
