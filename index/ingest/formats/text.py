"""Plain text: the whole file is the body; the cleaner decides whether line one is a title."""

from __future__ import annotations

from pathlib import Path

from newsdesk.index.ingest.formats import ParseOptions
from newsdesk.index.ingest.model import RawArticle


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """One article per file."""
    return [RawArticle(body=text, title_from_first_line=True)]
