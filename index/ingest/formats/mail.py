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
from collections.abc import Iterator
from contextvars import ContextVar
from email.message import EmailMessage
from pathlib import Path
from typing import BinaryIO

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import SUPPORTED_EXTENSIONS, ParseOptions, format_suffix
from newsdesk.index.ingest.model import RawArticle

MAX_ATTACHMENTS = 100
# Attachments inside attachments (a forwarded message carrying a PDF) are read this deep.
MAX_NESTING = 3
_LINE_CHUNK = 64 * 1024
_nesting: ContextVar[int] = ContextVar("mail_nesting", default=0)
# The email package raises these on the malformed headers and parts it meets.
_BROKEN_MESSAGE = (email.errors.MessageError, ValueError, TypeError, IndexError, LookupError,
                   AttributeError, RecursionError, UnicodeError, AssertionError)


def parse_eml(data: bytes, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """One message and its readable attachments."""
    articles = _message_articles(data, "the message", options, warnings)
    if not articles:
        raise IngestError("no text in the message")
    return articles


def parse_mbox(handle: BinaryIO, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """Every message of the mailbox and their attachments, in mailbox order."""
    articles: list[RawArticle] = []
    messages = 0
    for number, data in _split_mbox(handle, options.max_item_bytes):
        messages += 1
        if data is None:
            warnings.append(f"message {number}: larger than {options.max_item_bytes // (1024 * 1024)} MB, skipped")
            continue
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

    Like the standard library's ``mailbox.mbox``, every line starting ``From ``
    starts a message; ``>From `` lines (mboxrd quoting) lose one ``>``.
    """
    current = bytearray()
    too_big = False
    number = 0
    at_line_start = True
    while True:
        line = handle.readline(_LINE_CHUNK)
        if not line:
            break
        starts_line, at_line_start = at_line_start, line.endswith(b"\n")
        if starts_line and line.startswith(b"From "):
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
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if not any(message.get(name) for name in ("From", "Subject", "Date", "Message-ID")):
            warnings.append(f"{where}: not a mail message (no From, Subject or Date header), skipped")
            return []
        article = _article(message)
        attachments = list(_attachments(message, where, options, warnings))
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


def _article(message: EmailMessage) -> RawArticle | None:
    subject = _header(message, "Subject")
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        content = body_part.get_content()
        body = content if isinstance(content, str) else ""
        if body_part.get_content_subtype() == "html" and body.strip():
            from newsdesk.index.ingest.formats.html import fragment_text

            body = fragment_text(body)
    if not subject and not body.strip():
        return None
    extra = {"message_id": message_id} if (message_id := _header(message, "Message-ID")) else {}
    return RawArticle(
        body=body, title=subject, author=_sender(message), date=_header(message, "Date"), extra=extra,
    )


def _header(message: EmailMessage, name: str) -> str | None:
    value = message.get(name)
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _sender(message: EmailMessage) -> str | None:
    """The From header's display name, else its address."""
    value = _header(message, "From")
    if value is None:
        return None
    name, address = email.utils.parseaddr(value)
    return name or address or value


def _attachments(
    message: EmailMessage, where: str, options: ParseOptions, warnings: list[str]
) -> Iterator[list[RawArticle]]:
    """The articles of each readable attachment, in message order."""
    from newsdesk.index.ingest.formats import parse_file

    depth = _nesting.get()
    for count, part in enumerate(message.iter_attachments()):
        if count >= MAX_ATTACHMENTS:
            warnings.append(f"{where}: more than {MAX_ATTACHMENTS} attachments, the rest not read")
            return
        name, data = _attachment_data(part)
        suffix = format_suffix(name) if name else ""
        if data is None or suffix not in SUPPORTED_EXTENSIONS:
            continue
        label = f"{where}: attachment {name}"
        if depth >= MAX_NESTING:
            warnings.append(f"{label}: nested more than {MAX_NESTING} deep, not read")
            continue
        if len(data) > options.max_item_bytes:
            warnings.append(f"{label}: larger than {options.max_item_bytes // (1024 * 1024)} MB, not read")
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


def _attachment_data(part: EmailMessage) -> tuple[str, bytes | None]:
    """The attachment's file name and decoded bytes (a forwarded message counts as an .eml)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_content()
        subject = _header(inner, "Subject") if isinstance(inner, EmailMessage) else None
        name = f"{subject or 'forwarded message'}.eml".replace("/", "_")
        return name, inner.as_bytes() if isinstance(inner, EmailMessage) else None
    name = part.get_filename() or ""
    payload = part.get_payload(decode=True)
    return name.replace("/", "_"), payload if isinstance(payload, bytes) else None
