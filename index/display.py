"""Paths as people see them, and as the store keeps them.

A corpus path comes from a shared folder: its name may hold bytes that are not
UTF-8, terminal escapes (ESC, OSC, BEL), bidi overrides or newlines. newsdesk
keeps it exactly (Python's ``surrogateescape`` str, as ``os.scandir`` gives it,
so the file can always be opened again), and shows it only through
:func:`display_path`, which escapes everything a terminal would act on.
"""

from __future__ import annotations

import os
import re

# What a terminal would act on or a reader would misread: C0/C1 controls and
# DEL (ESC, BEL, newline, tab), lone surrogates (undecodable bytes of the file
# name), bidi embeddings/overrides/isolates and marks, line and paragraph
# separators, zero-width characters and the BOM.
_UNSAFE_IN_NAMES = re.compile("[\x00-\x1f\x7f-\x9f\udc80-\udcff\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def display_path(path: str) -> str:
    """``path`` fit to print: every control, escape, bidi or undecodable character as ``\\xNN``/``\\uNNNN``.

    The one escaping helper for paths: CLI output, exports, warnings and the reader use it.
    """
    return _UNSAFE_IN_NAMES.sub(_escape, path)


def is_exact_text(path: str) -> bool:
    """True when ``path`` is valid Unicode text (no undecodable bytes kept as surrogates)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def path_to_db(path: str) -> str | bytes:
    """The value the SQLite store keeps for ``path``.

    Valid text is stored as TEXT; a name with undecodable bytes as a BLOB of its
    exact bytes (``os.fsencode``), which never equals any TEXT value, so both
    kinds stay distinct and lossless, and ``WHERE path = ?`` works for either.
    """
    return path if is_exact_text(path) else os.fsencode(path)


def path_from_db(value: str | bytes) -> str:
    """The inverse of :func:`path_to_db`."""
    return value if isinstance(value, str) else os.fsdecode(value)


def path_index_key(path: str) -> str:
    """The value the search index's ``path`` field holds: unique, valid UTF-8.

    NUL cannot occur in a file name, so prefixing the hex of the exact bytes
    cannot collide with any valid-text path.
    """
    return path if is_exact_text(path) else "\0" + os.fsencode(path).hex()
