"""Web archives (.warc, .warc.gz) by warcio, streamed record by record.

Each HTML response record goes through the same main-text extraction as an
.html file; the record's URL is the article's URL and its capture date is
kept (``extra["captured"]``, and the date when the page names none). A URL
captured more than once keeps its latest capture, at the place of its first.
A damaged or truncated archive keeps every page read before the damage.
"""

from __future__ import annotations

import time
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from newsdesk.index.errors import ExpansionLimitError, IngestError
from newsdesk.index.ingest.formats import ParseOptions, decode_markup, seconds_allowed
from newsdesk.index.ingest.formats.archive import ExpansionGuard
from newsdesk.index.ingest.model import RawArticle

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 256 * 1024
# Main-text extraction costs up to seconds per page, and a page may compress a thousandfold:
# a 34 KB .warc.gz of 40 pages took 69 s. Pages are read within an allowance of this many
# seconds, plus PAGE_SECONDS_PER_MB per MB of the archive read so far, plus SECONDS_PER_RECORD
# per record (an archive of many tiny pages needs about 4 ms each, however well they compress).
PAGE_SECONDS_FLOOR = 10.0
PAGE_SECONDS_PER_MB = 20.0
SECONDS_PER_RECORD = 0.1


def parse(handle: BinaryIO, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """The archive's HTML pages, one article per URL, in order of first capture."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    class QuietIterator(ArchiveIterator):  # type: ignore[misc]
        """warcio writes a line to stderr per damaged record; count them instead, and notice a cut-off gzip."""

        INC_RECORD = ""
        truncated = False

        def _next_record(self, next_line: bytes | None) -> Any:
            try:
                return super()._next_record(next_line)
            except EOFError:
                self.truncated = self.truncated or bool(next_line)  # headers began, then the file ended
                raise

        def close(self) -> None:
            decompressor = self.reader.decompressor if self.reader else None
            cut_member = decompressor is not None and not getattr(decompressor, "eof", True)
            self.truncated = self.truncated or cut_member
            super().close()

    by_url: dict[str, tuple[datetime | None, RawArticle]] = {}
    guard = ExpansionGuard(options, "web archive")
    records = without_text = 0
    started = time.monotonic()
    try:
        iterator = QuietIterator(handle, no_record_parse=False, check_digests=False)
        for record in iterator:
            allowed = (
                seconds_allowed(PAGE_SECONDS_FLOOR, PAGE_SECONDS_PER_MB, _position(handle))
                + SECONDS_PER_RECORD * records
            )
            if time.monotonic() - started > allowed:
                warnings.append(
                    f"stopped at record {records + 1}: its pages took over {allowed:.0f} s to read,"
                    f" far more than an archive of this size needs ({len(by_url)} pages kept)"
                )
                break
            page = _page(record, path, options, guard, handle, started + allowed)
            records += 1  # read whole
            if page is None:
                continue
            if not page[1].body:
                without_text += 1
                continue
            url = page[1].url or ""
            kept = by_url.get(url)
            if kept is None or kept[0] is None or page[0] is None or page[0] >= kept[0]:
                by_url[url] = page
        if iterator.truncated or iterator.err_count:
            raise EOFError("archive cut short")
    except ExpansionLimitError as exc:
        warnings.append(f"{exc} ({len(by_url)} pages kept)")
    # A cut-off or damaged archive: keep what came before the damage. (warcio meets
    # damaged headers with whatever the missing value causes, AttributeError included.)
    except (
        ArchiveLoadFailed,
        StatusAndHeadersParserException,
        zlib.error,
        EOFError,
        ValueError,
        OSError,
        IndexError,
        TypeError,
        UnicodeDecodeError,
        AttributeError,
        KeyError,
    ) as exc:
        if records == 0 and not isinstance(exc, EOFError):
            raise IngestError(f"not a web archive ({type(exc).__name__})") from None
        if not by_url:
            raise IngestError(
                f"damaged or truncated web archive: no HTML page with text in the {records} whole records"
            ) from None
        warnings.append(f"damaged or truncated after record {records}: the {len(by_url)} pages before it kept")
    if without_text:
        warnings.append(f"{without_text} HTML pages without article text skipped")
    if not by_url:
        raise IngestError(f"no HTML page with text among {records} records")
    return [raw for _, raw in by_url.values()]


def _page(
    record: Any, path: Path, options: ParseOptions, guard: ExpansionGuard, handle: BinaryIO, deadline: float
) -> tuple[datetime | None, RawArticle] | None:
    """(capture time, article) for an HTML response (body "" when it has no text), else None. A page too
    deep for a tree is read until ``deadline``, the archive's: its own allowance grows with its expanded
    size (15 MB of nested tags compress to 30 KB)."""
    try:
        if record.rec_type != "response" or record.http_headers is None:
            return None
        status = record.http_headers.get_statuscode()
        content_type = (record.http_headers.get_header("Content-Type") or "").lower()
        if status != "200" or not content_type.startswith(_HTML_TYPES):
            return None
        data = record.content_stream().read(options.max_item_bytes + 1)
        guard.add(len(data), _position(handle))
        if len(data) > options.max_item_bytes:
            return None
    finally:
        _drain(record, guard, handle)
    from newsdesk.index.ingest.formats import html

    charset = content_type.partition("charset=")[2].split(";")[0].strip(" \"'") or None
    text, _ = decode_markup(data, charset)
    url = record.rec_headers.get_header("WARC-Target-URI") or None
    captured = record.rec_headers.get_header("WARC-Date") or ""
    try:
        [raw] = html.parse(text, path, options, [], deadline)
    except IngestError:
        raw = RawArticle(body="")
    raw.url = url
    raw.date = raw.date or captured or None
    if captured:
        raw.extra["captured"] = captured
    return _capture_time(captured), raw


def _drain(record: Any, guard: ExpansionGuard, handle: BinaryIO) -> None:
    """Read the rest of the record ourselves, counting it, so a bomb stops at the bound."""
    stream = record.raw_stream
    while chunk := stream.read(_CHUNK):
        guard.add(len(chunk), _position(handle))
    if getattr(stream, "limit", 0) > 0:  # the archive ended inside this record
        raise EOFError("record cut short")


def _position(handle: BinaryIO) -> int:
    try:
        return handle.tell()
    except OSError:
        return 0


def _capture_time(value: str) -> datetime | None:
    """The capture time, always timezone-aware: WARC dates are UTC, so one written without a zone is UTC too.

    (A naive and an aware datetime cannot be compared; the TypeError read as a damaged archive.)
    """
    try:
        captured = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return captured if captured.tzinfo is not None else captured.replace(tzinfo=UTC)
