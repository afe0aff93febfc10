"""JSON and JSON Lines: one article per object, field names mapped in config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions, as_tags, as_text
from newsdesk.index.ingest.model import RawArticle

_LIST_KEYS = ("articles", "items", "data", "entries", "results")


def _load(text: str) -> Any:
    """``json.loads`` with hostile nesting or numbers reported as a decode error, not a crash."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of more than 4300 digits (sys.get_int_max_str_digits)
        raise json.JSONDecodeError("a number too long", text, 0) from None


def _lookup(obj: Mapping[str, Any], dotted: str) -> Any:
    if dotted in obj:  # a key may itself contain dots
        return obj[dotted]
    value: Any = obj
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _first(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = _lookup(obj, key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_date(value: Any) -> str | None:
    # Numbers are Unix timestamps, in seconds or (past year 5138) milliseconds.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) >= 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return str(value)
    return as_text(value)


def article_from(obj: Any, where: str, options: ParseOptions) -> RawArticle:
    """The article in one JSON object; IngestError naming ``where`` when it has none."""
    if not isinstance(obj, Mapping):
        raise IngestError(f"{where} is not a JSON object")
    body = as_text(_first(obj, options.json_keys("body")))
    if not body or not body.strip():
        tried = ", ".join(options.json_keys("body")) or "none"
        raise IngestError(f"{where} has no body field (tried: {tried})")

    def get(name: str) -> str | None:
        return as_text(_first(obj, options.json_keys(name)))

    return RawArticle(
        body=body,
        title=get("title"),
        source=get("source"),
        date=_as_date(_first(obj, options.json_keys("date"))),
        url=get("url"),
        author=get("author"),
        language=get("language"),
        tags=as_tags(_first(obj, options.json_keys("tags"))),
    )


def _json_entries(text: str) -> list[tuple[Any, str]]:
    try:
        data = _load(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if isinstance(data, Mapping):
        lists = [data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)]
        data = lists[0] if lists else [data]
    if not isinstance(data, list):
        raise IngestError("JSON is neither an object nor a list of objects")
    return [(obj, f"item {number}") for number, obj in enumerate(data, 1)]


def _jsonl_entries(text: str, problems: list[str]) -> list[tuple[Any, str]]:
    entries = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            entries.append((_load(line), f"line {number}"))
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: invalid JSON ({exc.msg}), skipped")
    return entries


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """All articles in a .json or .jsonl/.ndjson file; bad items are warned about and skipped."""
    problems: list[str] = []
    entries = _json_entries(text) if path.suffix.lower() == ".json" else _jsonl_entries(text, problems)
    articles: list[RawArticle] = []
    for obj, where in entries:
        try:
            articles.append(article_from(obj, where, options))
        except IngestError as exc:
            problems.append(f"{exc}, skipped")
        except RecursionError:  # a field of lists in lists, read into text recursively
            problems.append(f"{where}: a field nested too deeply, skipped")
    if not articles:
        raise IngestError(problems[0] if problems else "no articles in the file")
    warnings.extend(problems)
    return articles
