"""Words meant as tags that no tag may be, kept at the end of the note instead of dropped.

Used by the annotate dialog at a hang-up, by the saving of kept annotations (tui/unsaved.py,
tui/kept_review.py) and by imports (export.parse_export): a tag an older version saved, that no
new tag may be (a C1 control, a bidi override), is kept in the note, not refused or lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsdesk.index.annotations.model import AnnotationError, is_invisible
from newsdesk.index.annotations.model import check_tag as check_annotation_tag

UNSAVED_TAGS_MARK = "Typed as tags, not valid as tags (kept at a dropped connection):"
IMPORTED_TAGS_MARK = "Tags of the import, not valid as tags now:"
NOT_FOR_A_NOTE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters, and bytes that were not UTF-8 (no file takes them, in a note as in a tag)."""


def symbol(found: re.Match[str]) -> str:
    """A control character as its symbol (SO as U+240E); DEL as U+2421; a C1 control, and bytes that
    were not UTF-8, as U+FFFD. Red team: control characters pasted in the tags box (SO and SI, which
    switch some terminals to another character set, BEL) went raw into the note, and the edit dialog's
    note box writes a note to the terminal as it is (Textual draws them raw, an ESC too)."""
    code = ord(found.group())
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd"


def tags_and_note(words: Iterable[str], note: str, mark: str = UNSAVED_TAGS_MARK) -> tuple[list[str], str]:
    """The words that are tags (checked, each once), and ``note`` with every other word at its end,
    on a line of its own marked ``mark``, its control characters as their symbols and the
    invisible ones no tag may hold as U+FFFD (red team: a bidi override went to the note raw, and the
    edit dialog's note box drew it so). Only the note's end is trimmed: its start (an indented line,
    blank lines) is as typed."""
    tags, not_tags = [], []
    for word in words:
        try:
            if word.strip():
                tags.append(check_annotation_tag(word))
        except AnnotationError:
            not_tags.append("".join("\ufffd" if is_invisible(c) else c for c in NOT_FOR_A_NOTE.sub(symbol, word)))
    if not_tags:
        line = f"{mark} {' '.join(dict.fromkeys(not_tags))}"
        note = f"{note.rstrip()}\n\n{line}" if note.strip() else line
    return list(dict.fromkeys(tags)), note
