"""An annotation: a passage of an article's displayed text, its tags and note, who and when."""

from __future__ import annotations

import getpass
import os
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from newsdesk.index.errors import UsageError

CONTEXT_CHARS = 32
"""Characters of text kept before and after the quote, to find the passage again after an edit."""
_TAG = re.compile(r"^[^\s,\x00-\x1f\x7f]{1,64}$")


class AnnotationError(UsageError):
    """An annotation is not valid (a user mistake); ``str()`` is one line."""


class AmbiguousQuote(AnnotationError):
    """A quote occurs more than once and no occurrence was chosen; lists where, on one line."""

    def __init__(self, ref: str, places: list[tuple[int, int]]) -> None:
        self.places = places
        """(line from 1, character offset) of each occurrence, in text order."""
        shown = ", ".join(f"{n}: line {line} (char {offset})" for n, (line, offset) in enumerate(places[:10], 1))
        more = f", and {len(places) - 10} more" if len(places) > 10 else ""
        super().__init__(f"{ref}: the quote occurs {len(places)} times ({shown}{more}); choose one with --occurrence N")


class AnnotationChanged(AnnotationError):
    """An edit started from a copy of an annotation that another session has changed since: not written.

    ``current`` is the annotation as it is now, so the caller can show it, or save again over it knowingly.
    """

    def __init__(self, current: Annotation) -> None:
        self.current = current
        super().__init__(
            f"annotation {current.id} was changed in another session since it was opened; "
            "not saved (save again to replace that change)"
        )


def check_unchanged(annotations: dict[str, Annotation], expect: Mapping[str, Annotation], article_id: str) -> None:
    """Raise unless each annotation in ``expect`` is in ``annotations`` (by id) with the same content.

    Called under the annotation file's lock: of two sessions of a user saving edits made from the
    same copy, the second is told (``AnnotationChanged``) instead of silently replacing the first.
    """
    for ident, base in expect.items():
        now = annotations.get(ident)
        if now is None:
            raise AnnotationError(f"no annotation {ident} on article {article_id} (deleted in another session)")
        if not now.same_content(base):
            raise AnnotationChanged(now)


def current_user() -> str:
    """The OS account of the effective uid (not $USER, which anyone can set)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):  # no passwd entry (some containers), or not POSIX
        return getpass.getuser()


def now() -> str:
    """The current time, ISO 8601 in UTC with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_id() -> str:
    """A new random annotation id."""
    return str(uuid.uuid4())


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, what: str) -> str:
    """``value`` if it is real text; bytes that were not UTF-8 (argv surrogates) are one-line errors."""
    if _SURROGATE.search(value):
        raise AnnotationError(f"{what} holds bytes that are not UTF-8 text; retype it or fix the terminal's encoding")
    return value


_TAG_RULE = "tag {tag}: use 1-64 characters without spaces, commas, control or invisible characters"
_JOINERS = frozenset("\u200c\u200d")
"""Format characters a tag may hold: the zero-width non-joiner (Persian, Hindi words) and joiner (emoji)."""
_BLANKS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0")
"""Characters that draw nothing though they are neither controls nor format characters: the combining
grapheme joiner, the Hangul fillers, the Khmer inherent vowels, the Mongolian variation selectors, the
braille blank (red team: ``\u3164`` alone was a tag that showed as nothing, ``evidence\u3164`` one that
showed as "evidence")."""


def check_tag(tag: str) -> str:
    """A new tag (typed, or imported): stripped, composed (NFC: a decomposed "é" is the same tag),
    1-64 characters, no spaces, commas, control characters (C1 too), invisible format characters
    (bidi overrides, zero-width spaces) or characters that draw nothing, and not starting with a
    combining mark (drawn on what is before it), which would make a tag look like another (or like
    nothing) or reorder the text shown around it."""
    tag = stored_tag(unicodedata.normalize("NFC", check_text(tag, "a tag")))
    if any(is_invisible(c) for c in tag) or unicodedata.category(tag[0]).startswith("M"):
        raise AnnotationError(_TAG_RULE.format(tag=_named(tag)))
    return tag


def stored_tag(tag: str) -> str:
    """A tag as files written before :func:`check_tag` refused C1 and format characters may hold it:
    read as it is (shown safely), so an older file still opens."""
    tag = check_text(tag, "a tag").strip()
    if not _TAG.match(tag):
        raise AnnotationError(_TAG_RULE.format(tag=_named(tag)))
    return tag


def is_invisible(char: str) -> bool:
    """A character no new tag may hold: a control (C1 too), a format character but the joiners, or
    one that draws nothing (``_BLANKS``)."""
    category = unicodedata.category(char)
    return category == "Cc" or (category == "Cf" and char not in _JOINERS) or char in _BLANKS


def shown_tag(tag: str) -> str:
    """``tag`` as the search index takes it: composed, without the characters :func:`check_tag` refuses
    (a tag a file may still hold: an older version's, or another account's own file). Red team: the
    index took it as it was, and Enter on it in the tags facet put a C1 CSI in the search box, which
    Textual drew raw; ``tag:live`` did not find the tag shown as "live"."""
    return unicodedata.normalize("NFC", "".join(c for c in tag if not is_invisible(c)))


NAMED_CHARS = 40
"""How much of a tag an error quotes: a whole article pasted in the tags box was quoted whole (red team)."""


def _named(tag: str) -> str:
    """``tag`` quoted for a one-line error: as ``repr`` (controls and format characters escaped), and a
    character that draws nothing, or a combining mark that begins it, escaped too; a long one by its
    start and its length."""
    if len(tag) > 64:
        return f"{_named(tag[: NAMED_CHARS - 1] + '…')} ({len(tag):,} characters)"
    return "".join(
        (f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
        if c in _BLANKS or (i == 1 and unicodedata.category(c).startswith("M"))
        else c
        for i, c in enumerate(repr(tag))
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Where the passage is: its offsets in the displayed text and the quote with its context."""

    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""

    @classmethod
    def from_text(cls, text: str, start: int, end: int) -> Target:
        """The target for ``text[start:end]``."""
        if not 0 <= start < end <= len(text):
            raise AnnotationError(f"passage {start}-{end} is outside the text (0-{len(text)}) or empty")
        return cls(
            start,
            end,
            text[start:end],
            text[max(0, start - CONTEXT_CHARS) : start],
            text[end : end + CONTEXT_CHARS],
        )


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotation. ``content_hash`` is the article text's hash when the target was last placed."""

    id: str
    article_id: str
    content_hash: str
    target: Target
    tags: tuple[str, ...] = ()
    note: str = ""
    author: str = ""
    created: str = ""
    modified: str = ""
    imported_from: str = ""
    """For an imported annotation: the author named in the export (the importer owns it now)."""
    claimed_author: str = field(default="", compare=False)
    """Set when read: the ``author:`` the file claims, when it differs from the file's owner."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """Keys a newer version (or a person) added; kept as they are on rewrite."""

    @property
    def author_mismatch(self) -> bool:
        """The file claims another author than the account that owns it."""
        return bool(self.claimed_author)

    def same_content(self, other: Annotation) -> bool:
        """Same passage, tags and note: nothing of ``other`` a user wrote would be lost by replacing it."""
        return (self.target, self.tags, self.note) == (other.target, other.tags, other.note)

    def edited(self, **changes: Any) -> Annotation:
        """A copy with ``changes`` and a new modification time."""
        return replace(self, modified=now(), **changes)

    def to_dict(self) -> dict[str, Any]:
        """The mapping written to YAML (stable key order)."""
        data: dict[str, Any] = {
            "id": self.id,
            "article_id": self.article_id,
            "content_hash": self.content_hash,
            "target": {
                "position": {"start": self.target.start, "end": self.target.end},
                "quote": {"exact": self.target.exact, "prefix": self.target.prefix, "suffix": self.target.suffix},
            },
            "tags": list(self.tags),
            "note": self.note,
            "author": self.author,
            "created": self.created,
            "modified": self.modified,
        }
        if self.imported_from:
            data["imported_from"] = self.imported_from
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Annotation:
        """Validate and build; ``AnnotationError`` names the first problem."""
        if not isinstance(data, dict):
            raise AnnotationError("an annotation must be a mapping")
        ident = _text(data, "id")
        where = f"annotation {ident}"
        target = data.get("target")
        if not isinstance(target, dict):
            raise AnnotationError(f"{where}: 'target' must be a mapping with position and quote")
        position, quote = target.get("position"), target.get("quote")
        if not isinstance(position, dict) or not isinstance(quote, dict):
            raise AnnotationError(f"{where}: 'target' needs 'position' and 'quote' mappings")
        start, end = position.get("start"), position.get("end")
        if (
            not (isinstance(start, int) and isinstance(end, int))
            or isinstance(start, bool)
            or isinstance(end, bool)
            or not 0 <= start < end
        ):
            raise AnnotationError(f"{where}: target position needs whole numbers 0 <= start < end")
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise AnnotationError(f"{where}: 'tags' must be a list of strings")
        note = data.get("note") or ""
        if not isinstance(note, str):
            raise AnnotationError(f"{where}: 'note' must be text")
        check_text(note, f"{where}: the note")  # a "\ud800" escape: no file could be written with it
        known = {
            "id",
            "article_id",
            "content_hash",
            "target",
            "tags",
            "note",
            "author",
            "created",
            "modified",
            "imported_from",
        }
        return cls(
            id=ident,
            article_id=_text(data, "article_id", where),
            content_hash=_text(data, "content_hash", where, required=False),
            target=Target(
                start,
                end,
                _text(quote, "exact", where),
                _text(quote, "prefix", where, False),
                _text(quote, "suffix", where, False),
            ),
            tags=tuple(dict.fromkeys(stored_tag(t) for t in tags)),
            note=note,
            author=_text(data, "author", where, required=False),
            created=_text(data, "created", where, required=False),
            modified=_text(data, "modified", where, required=False),
            imported_from=_text(data, "imported_from", where, required=False),
            extra=_checked_extra({k: v for k, v in data.items() if k not in known}, where),
        )


def _text(data: dict[str, Any], key: str, where: str = "annotation", required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, datetime):  # YAML reads an unquoted timestamp as a datetime
        return value.isoformat()
    if not isinstance(value, str) or (required and not value):
        raise AnnotationError(f"{where}: '{key}' must be {'non-empty ' if required else ''}text")
    return check_text(value, f"{where}: '{key}'")


def _checked_extra(extra: dict[Any, Any], where: str) -> dict[Any, Any]:
    """``extra`` if no text in it holds a lone surrogate (no file could be written with one)."""
    pending: list[Any] = [extra]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            check_text(value, f"{where}: a key or value")
        elif isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending += list(value)
    return extra
