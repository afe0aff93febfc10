"""E-mail: .eml files and .mbox mailboxes, by the standard library's ``email`` parser.

Each message is one article (Subject, From, Date; the plain body, else the
HTML body cleaned like any HTML fragment). Attachments that newsdesk can read
themselves (a PDF, a Word file, a forwarded message...) become articles of
their own right after their message, with ``attached_to`` naming it. An mbox
is split on its ``From `` lines while it streams by, so a mailbox of any size
is never in memory; a message that cannot be read is one warning, and the
others are still indexed.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import email.utils
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import BinaryIO

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.clean import sanitize
from newsdesk.index.ingest.formats import SUPPORTED_EXTENSIONS, ParseOptions, format_suffix, seconds_allowed
from newsdesk.index.ingest.model import RawArticle

MAX_ATTACHMENTS = 100
MAX_HEADERS = 200
MAX_HEADER_CHARS = 2000
# Attachments inside attachments (a forwarded message carrying a PDF) are read this deep.
MAX_NESTING = 3
_LINE_CHUNK = 64 * 1024
# "From sender@example.org Thu Mar  4 09:30:00 2021": the mbox separator's own shape.
_FROM_LINE = re.compile(rb"From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{1,2}:\d{2}")
_nesting: ContextVar[int] = ContextVar("mail_nesting", default=0)
# Attachments are read within a time allowance that grows with the bytes of mail read: each
# one is a whole document (a PDF gets a child process and seconds of its own), so without it a
# 2 MB message of a hundred small, slow PDFs took a hundred times a PDF's allowance.
ATTACHMENT_SECONDS_FLOOR = 10.0
ATTACHMENT_SECONDS_PER_MB = 10.0


class _AttachmentBudget:
    """The time left to read the attachments of one .eml or .mbox file (nested mail shares it)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bytes_read = 0
        self.warned = False

    def exhausted(self) -> bool:
        allowed = seconds_allowed(ATTACHMENT_SECONDS_FLOOR, ATTACHMENT_SECONDS_PER_MB, self.bytes_read)
        return time.monotonic() - self.started > allowed


_budget: ContextVar[_AttachmentBudget | None] = ContextVar("mail_attachment_budget", default=None)


@contextmanager
def _file_budget() -> Iterator[_AttachmentBudget]:
    """The budget of the file being read: a new one for a top-level file, the outer one for nested mail."""
    budget = _budget.get()
    if budget is not None:
        yield budget
        return
    budget = _AttachmentBudget()
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


# The email package raises these on the malformed headers and parts it meets.
_BROKEN_MESSAGE = (
    email.errors.MessageError,
    ValueError,
    TypeError,
    IndexError,
    LookupError,
    AttributeError,
    RecursionError,
    UnicodeError,
    AssertionError,
)


def parse_eml(data: bytes, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """One message and its readable attachments."""
    problems: list[str] = []
    with _file_budget() as budget:
        if _nesting.get() == 0:  # an attached message's bytes are counted in its outer file
            budget.bytes_read += len(data)
        articles = _message_articles(data, "the message", options, problems)
    if not articles:
        # The one file is the one message: say what was wrong with it, not just "no text".
        last = problems[-1].removeprefix("the message: ").removesuffix(", skipped") if problems else None
        raise IngestError(last or "no text in the message")
    warnings.extend(problems)
    return articles


def parse_mbox(handle: BinaryIO, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """Every message of the mailbox and their attachments, in mailbox order."""
    articles: list[RawArticle] = []
    messages = 0
    with _file_budget() as budget:
        for number, data in _split_mbox(handle, options.max_item_bytes):
            messages += 1
            if data is None:
                warnings.append(f"message {number}: larger than {options.max_item_bytes // (1024 * 1024)} MB, skipped")
                continue
            if _nesting.get() == 0:
                budget.bytes_read += len(data)
            found = _message_articles(data, f"message {number}", options, warnings)
            _append(articles, found)
    if messages == 0:
        raise IngestError("not an mbox (no line starting with 'From ')")
    if not articles:
        raise IngestError("no message in the mailbox has text")
    return articles


def _append(articles: list[RawArticle], found: list[RawArticle]) -> None:
    """Add ``found`` (a message first, then its attachments) keeping their links right."""
    offset = len(articles)
    for raw in found:
        if raw.attached_to_item is not None:
            raw.attached_to_item += offset
    articles.extend(found)


def _split_mbox(handle: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(number, bytes) of each message, None for one over ``limit`` bytes; streamed line by line.

    A line starting ``From `` starts a message when it opens the file, follows
    an empty line (RFC 4155) or reads like a real separator (``From addr`` and an
    asctime date: some writers leave out the empty line); an unquoted ``From ``
    inside a paragraph of a body (mboxo writers leave them) stays in its message. ``>From `` lines (mboxrd
    quoting) lose one ``>``.
    """
    current = bytearray()
    too_big = False
    number = 0
    at_line_start = True
    after_blank = True
    while True:
        line = handle.readline(_LINE_CHUNK)
        if not line:
            break
        starts_line, at_line_start = at_line_start, line.endswith(b"\n")
        separator_allowed = starts_line and (after_blank or _FROM_LINE.match(line) is not None)
        if starts_line:
            after_blank = not line.strip(b"\r\n")
        if separator_allowed and line.startswith(b"From "):
            if number:
                yield number, None if too_big else bytes(current)
            number += 1
            current, too_big = bytearray(), False
            continue
        if not number:
            if line.strip():
                return  # text before any From line: not an mbox
            continue
        if too_big:
            continue
        if starts_line and line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]
        if len(current) + len(line) > limit:
            too_big, current = True, bytearray()
            continue
        current += line
    if number:
        yield number, None if too_big else bytes(current)


def _message_articles(data: bytes, where: str, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """The message's article and its attachments' (attachments link to index 0); [] with a warning if unreadable."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
        _bound_headers(message)
        if not any(message.get(name) for name in ("From", "Subject", "Date", "Message-ID")):
            warnings.append(f"{where}: not a mail message (no From, Subject or Date header), skipped")
            return []
        article = _article(message)
        attachments = list(_attachments(message, where, options, warnings))
    except RecursionError:  # the email package parses nested parts recursively
        warnings.append(f"{where}: parts nested too deeply to read, skipped")
        return []
    except _BROKEN_MESSAGE as exc:
        warnings.append(f"{where}: malformed message ({type(exc).__name__}), skipped")
        return []
    if article is None and not attachments:
        warnings.append(f"{where}: no subject and no text, skipped")
        return []
    found = [article or RawArticle(body="", title="(no subject)")]
    for raws in attachments:
        for raw in raws:
            raw.attached_to_item = 0 if raw.attached_to_item is None else raw.attached_to_item + len(found)
        found.extend(raws)
    return found


def _bound_headers(message: Message) -> None:
    """Cut every header to MAX_HEADER_CHARS and each part to MAX_HEADERS headers, before any is parsed.

    The messages are parsed with the compat32 policy, which stores header values
    raw; the email package's structured header parsing takes quadratic time on
    a long header (seconds for 20 KB of quotes), so nothing longer reaches it.
    """
    for part in message.walk():
        items = part.items()
        if len(items) <= MAX_HEADERS and all(len(value) <= MAX_HEADER_CHARS for _, value in items):
            continue
        for name in {name for name, _ in items}:
            del part[name]
        for name, value in items[:MAX_HEADERS]:
            part[name] = value[:MAX_HEADER_CHARS]


def _article(message: Message) -> RawArticle | None:
    subject = _header(message, "Subject")
    body = ""
    body_part = _body_part(message, "plain") or _body_part(message, "html")
    if body_part is not None:
        body = _decoded(body_part)
        if body_part.get_content_subtype() == "html" and body.strip():
            from newsdesk.index.ingest.formats.html import fragment_text

            body = fragment_text(body)
    if not subject and not body.strip():
        return None
    extra = {"message_id": message_id} if (message_id := _header(message, "Message-ID")) else {}
    return RawArticle(
        body=body,
        title=subject,
        author=_sender(message),
        date=_header(message, "Date"),
        extra=extra,
    )


def _body_part(message: Message, subtype: str) -> Message | None:
    """The first text/SUBTYPE part that is not an attachment (not inside a forwarded message)."""
    stack = [message]
    while stack:
        part = stack.pop(0)
        if part.is_multipart():
            stack[:0] = [p for p in part.get_payload() if isinstance(p, Message)]
            continue
        if part.get_content_type() == f"text/{subtype}" and not _is_attachment(part):
            return part
    return None


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or bool(part.get_filename())


def _decoded(part: Message) -> str:
    """A text part's content as str, in its declared charset (undecodable bytes replaced)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    # LookupError: a charset Python does not know (or not a text codec, like base64);
    # UnicodeError: a codec that refuses errors="replace" (idna).
    except (LookupError, UnicodeError):
        return payload.decode("utf-8", errors="replace")


def _header(message: Message, name: str) -> str | None:
    value = message.get(name)
    if value is None:
        return None
    try:
        text = str(make_header(decode_header(str(value))))
    except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError):
        text = str(value)
    text = " ".join(text.split())
    return text or None


def _sender(message: Message) -> str | None:
    """The From header's display name, else its address."""
    value = _header(message, "From")
    if value is None:
        return None
    name, address = email.utils.parseaddr(value)
    return name or address or value


def _attachments(
    message: Message, where: str, options: ParseOptions, warnings: list[str]
) -> Iterator[list[RawArticle]]:
    """The articles of each readable attachment, in message order."""
    from newsdesk.index.ingest.formats import parse_file

    depth = _nesting.get()
    for count, part in enumerate(_attachment_parts(message)):
        if count >= MAX_ATTACHMENTS:
            warnings.append(f"{where}: more than {MAX_ATTACHMENTS} attachments, the rest not read")
            return
        name = _attachment_name(part)
        if format_suffix(name) not in SUPPORTED_EXTENSIONS:
            continue  # not decoded at all: a video attachment costs nothing
        data = _attachment_data(part)
        if data is None:
            continue
        label = f"{where}: attachment {name}"
        if depth >= MAX_NESTING:
            warnings.append(f"{label}: nested more than {MAX_NESTING} deep, not read")
            continue
        if len(data) > options.max_item_bytes:
            warnings.append(f"{label}: larger than {options.max_item_bytes // (1024 * 1024)} MB, not read")
            continue
        budget = _budget.get()
        if budget is not None and budget.exhausted():
            if not budget.warned:
                budget.warned = True
                warnings.append(f"{label}: attachments took too long to read; this one and later ones not read")
            continue
        token = _nesting.set(depth + 1)
        try:
            raws, problems = parse_file(Path(name), data, options)
        except IngestError as exc:
            warnings.append(f"{label}: {exc}, not read")
            continue
        finally:
            _nesting.reset(token)
        warnings.extend(f"{label}: {problem}" for problem in problems)
        for raw in raws:
            raw.extra.setdefault("attachment", name)
        yield raws


def _attachment_parts(message: Message) -> Iterator[Message]:
    """Attachments and forwarded messages, in order, without descending into forwarded messages."""
    stack = [message]
    while stack:
        part = stack.pop(0)
        if part is not message and part.get_content_type() == "message/rfc822":
            yield part
        elif part.is_multipart():
            stack[:0] = [p for p in part.get_payload() if isinstance(p, Message)]
        elif part is not message and _is_attachment(part):
            yield part


def _attachment_name(part: Message) -> str:
    """The attachment's file name, safe to show (a forwarded message is named after its subject, as .eml)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else None
        subject = _header(inner, "Subject") if isinstance(inner, Message) else None
        name = f"{subject or 'forwarded message'}.eml"
    else:
        raw = part.get_filename() or ""
        try:
            name = str(make_header(decode_header(raw)))
        except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError):
            name = raw
    return " ".join(sanitize(name).replace("/", "_").split())[:200]


def _attachment_data(part: Message) -> bytes | None:
    """The attachment's decoded bytes (a forwarded message's as an .eml file)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else None
        return inner.as_bytes() if isinstance(inner, Message) else None
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else None
