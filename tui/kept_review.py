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
import dataclasses
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsdesk.index import (
    Annotation,
    AnnotationError,
    Article,
    CorpusError,
    Library,
    NewsdeskError,
    UsageError,
    is_own_file,
)
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


def kept_files(folder: Path, library: Library, others: list[str] | None = None) -> tuple[list[KeptFile], list[str]]:
    """This corpus' kept annotations in ``folder``, oldest first, and one line per file that cannot be read.

    ``others`` gets one line per kept file of another corpus: left out unsaid, the listing said
    there were none though the start had named one (run on another corpus).
    """
    found, problems = [], []
    mine = str(library.state_dir.resolve())
    # A claim of an --apply killed (or of a reader) is given back, as a reader starting does.
    with contextlib.suppress(OSError):
        unsaved.reclaim_from_the_dead(folder)
    try:
        paths = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError as exc:  # another account's (a reader once run under sudo made it): a traceback
        raise CorpusError(f"{folder}: cannot list the kept annotations ({exc.strerror or exc})") from None
    for path in paths:
        kind = _kind(path)
        if kind is None:
            continue
        try:
            entry = _read(path)
        except FileNotFoundError:
            continue  # claimed meanwhile by a reader starting (and saved by it), or settled in another shell
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: {getattr(exc, 'strerror', None) or exc}; left alone")
            continue
        if entry.state_dir != mine:  # another corpus': listed there
            if others is not None:
                others.append(_elsewhere(path, entry))
            continue
        found.append(_described(path, kind, entry, library))
        if found[-1].title is not None:  # else its "now" is not looked for
            # "now" left out for an annotation file that cannot be read reads as "deleted since"
            errors = library.annotations_of(entry.article_id).errors
            problems += [f"{path.name}: what the annotation holds now is not known: {error}" for error in errors]
    return found, problems


def _elsewhere(path: Path, entry: unsaved.KeptEntry) -> str:
    if Path(entry.state_dir).is_dir():
        return f"{path.name}: kept for another corpus (state folder {entry.state_dir}): run this there"
    return (
        f"{path.name}: kept for another corpus whose state folder {entry.state_dir} no longer exists: "
        f"`--discard {path.name}` drops it"
    )


class _NotTaken(ValueError):
    """A file in the kept folder that is not this user's kept file to read (``str()`` says why)."""


def _read(path: Path) -> unsaved.KeptEntry:
    """The entry of the kept file ``path``, only if it is a regular file of this account's, not followed
    if a link: a FIFO there blocked every read for good, a link to /dev/zero read without end, and a
    link or a file another account planted (a group-writable folder of an older version) was applied
    as this user's annotation. OSError or ValueError say why not."""
    status = path.lstat()
    if not stat.S_ISREG(status.st_mode):
        raise _NotTaken("not a regular file")
    # O_NOFOLLOW and O_NONBLOCK: what is opened is what was checked, even if swapped in between
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise _NotTaken("not a regular file")
        if not is_own_file(path, status):
            raise _NotTaken("kept by another account, not yours to apply")
        data = file.read(unsaved.MAX_KEPT_BYTES + 1)
    if len(data) > unsaved.MAX_KEPT_BYTES:
        raise ValueError(f"larger than {unsaved.MAX_KEPT_BYTES:,} bytes")
    return unsaved.parse_entry(data)


def apply(path: Path, folder: Path, library: Library) -> str:
    """Save what the kept file ``path`` holds over the annotation as it is now; remove the file. One line."""
    with _claimed(path, folder, library) as (claimed, entry):
        try:
            article = library.article(entry.article_id)
        except NewsdeskError as exc:
            raise UsageError(f"{path}: not saved: {exc}") from None
        try:
            now = _now(library, entry)
            entry = unsaved.as_saved(entry)  # a tag an older version kept, that no tag may be now: in the note
            if now is None:  # new, or deleted since, and nothing of the user's on the passage: annotate it afresh
                start, end = _passage_now(article, entry)
                saved = library.add_annotation(article, start, end, entry.tags, entry.note)
            else:  # over whatever is there now, which the listing showed
                saved = library.edit_annotation(article, now.id, tags=entry.tags, note=entry.note, base=now)
        except (ValueError, AnnotationError) as exc:
            raise UsageError(f"{path}: not saved: {exc}") from None
        claimed.unlink(missing_ok=True)  # saved: the file goes, even if the re-indexing below fails
    said = f"saved {saved.id} on {_quoted(saved.target.exact)}; removed {path.name}"
    try:  # not waiting: another process updating the corpus holds its lock for minutes, unsaid
        library.sync_annotations(wait=0)
    except NewsdeskError as exc:  # saved all the same: an error here read as "not applied"
        return f"{said} (the search index takes it at its next update: {exc})"
    return said


def discard(path: Path, folder: Path, library: Library) -> str:
    """Remove the kept file ``path`` (what it holds is not saved). One line."""
    with _claimed(path, folder, library, dropping=True) as (claimed, _):
        claimed.unlink(missing_ok=True)
    return f"discarded {path.name}"


@contextlib.contextmanager
def _claimed(
    path: Path, folder: Path, library: Library, *, dropping: bool = False
) -> Iterator[tuple[Path, unsaved.KeptEntry]]:
    """The set-aside file ``path`` of this corpus, claimed (renamed as a starting reader claims kept
    files) so that one shell settles it: two ``--apply`` at once each added the annotation. Put back
    as it was if what is done with it raises (it is kept until it is settled)."""
    if path.parent != folder or _kind(path) not in SET_ASIDE.values():
        raise UsageError(
            f"{path}: not an annotation set aside in {folder} (`newsdesk annotations kept` lists them; "
            "the others are saved at the next start of the reader)"
        )
    with contextlib.suppress(FileNotFoundError):  # else said below, as the rename finds it gone
        _check(path)
    # A reader starting meanwhile gives a claim back only once its process is gone (unsaved.py).
    claimed = path.with_name(f"{path.name}.{os.getpid()}.claimed")
    try:
        # Stamped first, as save_kept does: a set-aside file is often days old, and a claim that
        # old is taken back (as given up) by any reader starting meanwhile.
        os.utime(path, follow_symlinks=False)
        path.rename(claimed)
    except FileNotFoundError:
        raise UsageError(f"{path}: not there (settled already, or being settled in another shell?)") from None
    except OSError as exc:  # a read-only folder, or another account's: the file stays, said
        raise CorpusError(f"{path}: cannot be taken to be settled ({exc.strerror or exc}); left as it is") from None
    unsaved.CLAIMED.add(claimed)  # this process' own claim: not a dead reader's, to give back
    try:
        entry = _check(claimed, path)
        # One of a corpus gone (its state folder deleted) can only be dropped, and only from here.
        gone = dropping and not Path(entry.state_dir).is_dir()
        if entry.state_dir != str(library.state_dir.resolve()) and not gone:
            raise UsageError(f"{path}: kept for another corpus ({entry.state_dir}); run this there")
        yield claimed, entry
    except BaseException:
        with contextlib.suppress(OSError):
            claimed.rename(path)
        raise
    finally:
        unsaved.CLAIMED.discard(claimed)


def _check(path: Path, named: Path | None = None) -> unsaved.KeptEntry:
    """:func:`_read`, each reason a UsageError naming the file as the user named it (``named``)."""
    try:
        return _read(path)
    except FileNotFoundError:
        raise
    except _NotTaken as exc:
        raise UsageError(f"{named or path}: {exc}; left alone") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{named or path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None


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
        start, end = _passage_now(article, entry)
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
    try:
        start, end = _passage_now(article, entry)
        passage = article.text[start:end]
    except ValueError:  # not in the text once: as it was typed on
        passage = _quote(entry) or ""
    now = _now(library, entry)
    if now is not None:
        passage = now.target.exact
    return KeptFile(path, kind, article.id, article.title, passage, entry.tags, entry.note, now)


def _quote(entry: unsaved.KeptEntry) -> str | None:
    """The passage typed on: a kept edit holds none, but the version it started from quotes it."""
    return entry.quote if entry.quote is not None or not entry.bases else entry.bases[0].target.exact


def _passage_now(article: Article, entry: unsaved.KeptEntry) -> tuple[int, int]:
    """Where the passage typed on is now. An edit's offsets alone, once its annotation was deleted and
    the text changed, put it on another passage (the start saves only edits of annotations still there)."""
    return unsaved.passage_now(article, dataclasses.replace(entry, quote=_quote(entry)))


def _quoted(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
