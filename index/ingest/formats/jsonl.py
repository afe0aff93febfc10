"""JSON and JSON Lines: one article per object, field names mapped in config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from index.errors import IngestError
from index.ingest.formats import ParseOptions, as_tags, as_text
from index.ingest.model import RawArticle

_LIST_KEYS = ("articles", "items", "data", "entries", "results")


def _lookup(obj: Mapping[str, Any], dotted: str) -> Any:
    value: Any = obj
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _first(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = _lookup(obj, key)
        if value not in (None, "", []):
            return value
    return None


class JsonItems:
    """Turns JSON objects into articles by the configured field mapping."""

    def __init__(self, options: ParseOptions) -> None:
        self.fields = options.json_fields

    def article(self, obj: Any, where: str) -> RawArticle:
        if not isinstance(obj, Mapping):
            raise IngestError(f"{where} is not a JSON object")
        body = as_text(_first(obj, tuple(self.fields.get("body", ()))))
        if not body or not body.strip():
            tried = ", ".join(self.fields.get("body", ()))
            raise IngestError(f"{where} has no body field (tried: {tried})")

        def get(name: str) -> str | None:
            return as_text(_first(obj, tuple(self.fields.get(name, ()))))

        return RawArticle(
            body=body, title=get("title"), source=get("source"), date=get("date"),
            url=get("url"), author=get("author"), language=get("language"),
            tags=as_tags(_first(obj, tuple(self.fields.get("tags", ())))),
        )


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """All articles in a .json or .jsonl/.ndjson file; bad items are warned about and skipped."""
    items = JsonItems(options)
    articles: list[RawArticle] = []
    problems: list[str] = []
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
        if isinstance(data, Mapping):
            lists = [data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)]
            data = lists[0] if lists else [data]
        if not isinstance(data, list):
            raise IngestError("JSON is neither an object nor a list of objects")
        entries = [(obj, f"item {i}") for i, obj in enumerate(data)]
    else:
        entries = []
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                entries.append((json.loads(line), f"line {number}"))
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: invalid JSON ({exc.msg}), skipped")
    for obj, where in entries:
        try:
            article = items.article(obj, where)
        except IngestError as exc:
            problems.append(f"{exc}, skipped")
            continue
        articles.append(article)
    if not articles:
        raise IngestError(problems[0] if problems else "no articles in the file")
    warnings.extend(problems)
    return articles
