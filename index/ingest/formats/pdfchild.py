"""PDFium runs in a child process: a hostile PDF can hang or crash C code, never the indexer.

PDFium is C++; a crafted file can keep it busy for minutes (rebuilding a broken
cross-reference table) or, in the worst case, crash it. Each PDF is therefore
read in a process forked from a small server process (``forkserver``: cheap
to fork, and safe from the reader app's threads), under a memory limit, and
reporting after every page. A step that takes longer than its timeout, a child
that runs out of memory or dies, are each one line; the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from functools import cache
from multiprocessing.connection import Connection
from typing import Any

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions
from newsdesk.index.ingest.model import RawArticle

# Opening a PDF or reading one page's text: PDFium takes milliseconds; a minute means it is stuck.
STEP_TIMEOUT_SECONDS = 60.0
MEMORY_LIMIT_BYTES = 3 * 1024 * 1024 * 1024


@cache
def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # "__main__" too: otherwise every child re-imports the main module, as a spawned process would.
    context.set_forkserver_preload(["__main__", "newsdesk.index.ingest.formats.pdf", "pypdfium2"])
    return context


def parse_isolated(
    data: bytes, options: ParseOptions, warnings: list[str], step_timeout: float = STEP_TIMEOUT_SECONDS
) -> list[RawArticle]:
    """The PDF's article, read by a child process; IngestError when the child hangs, dies or fails."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, data, options), daemon=True)
    try:
        child.start()
    except OSError as exc:
        raise IngestError(f"cannot start a process to read the PDF: {exc.strerror or exc}") from None
    sender.close()
    page = -1
    try:
        while True:
            # A page read by OCR may take Tesseract's own timeout, plus the rendering.
            timeout = step_timeout + (options.ocr_timeout if options.ocr else 0)
            if not receiver.poll(timeout):
                where = "opening it" if page < 0 else f"page {page + 1}"
                raise IngestError(f"PDF reader stuck on {where} for over {timeout:g} s: given up")
            try:
                kind, *payload = receiver.recv()
            except (EOFError, OSError):
                raise IngestError(_death(child, page)) from None
            if kind == "page":
                page = payload[0]
            elif kind == "error":
                raise IngestError(payload[0])
            else:
                articles, child_warnings = payload
                warnings.extend(child_warnings)
                return articles
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def _death(child: Any, page: int) -> str:
    child.join(5)
    where = "while opening it" if page < 0 else f"on page {page + 1}"
    code = child.exitcode
    if code is not None and code < 0:
        return f"PDF reader crashed {where} (signal {-code}): not read"
    return f"PDF reader ran out of memory or failed {where}: not read"


def _child(sender: Connection, data: bytes, options: ParseOptions) -> None:
    from newsdesk.index.ingest.formats.pdf import parse_here
    from newsdesk.index.orphans import exit_with_parent

    # Forked by the fork server, which ends with the process that started it: watch the server.
    exit_with_parent(os.getppid())
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    warnings: list[str] = []
    try:
        articles = parse_here(data, options, warnings, lambda page: sender.send(("page", page)))
    except IngestError as exc:
        sender.send(("error", str(exc)))
    except MemoryError:
        sender.send(("error", "PDF needs more memory than allowed: not read"))
    else:
        sender.send(("done", articles, warnings))
    finally:
        sender.close()
