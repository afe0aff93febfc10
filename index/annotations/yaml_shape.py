"""The YAML shape of one annotation file: how it is written and read back.

A file is a comment header, ``annotations:``, then one self-contained
sequence item per annotation (see :func:`dump_item`). That shape makes every
file valid by construction, lets a save dump only the new annotation, and lets
a reader parse only items it has not seen (a file another session appended to).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from newsdesk.index.annotations.model import Annotation, AnnotationError
from newsdesk.index.safeyaml import YamlError, load_yaml

MAX_FILE_BYTES = 16 * 1024 * 1024
"""About 30,000 annotations; anything larger is refused unread (a YAML bomb is usually large)."""
MAX_DEPTH = 32
HEADER = (
    "# newsdesk annotations of article {article} by {user}.\n"
    "# Plain YAML: safe to read, diff and edit by hand; keep each id unique.\n"
)


class AnnotationFileError(AnnotationError):
    """An annotation file cannot be read or written; ``str()`` names the file (and line)."""

    exit_code = 1


class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    """Safe dumping, with plain multi-line notes as literal blocks."""


# Characters YAML reads as line breaks (or folds) inside a block scalar: a value holding
# one is written double-quoted and escaped, so it reads back exactly.
_BLOCK_UNSAFE = re.compile("[\r\x85\u2028\u2029\ufeff]")


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A literal block only for text that does not end in a line break: "keep" chomping
    # (|+) leaves the YAML document open-ended, and PyYAML then closes it with "...".
    block = "\n" in value and not value.endswith("\n") and not _BLOCK_UNSAFE.search(value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if block else None)


_Dumper.add_representer(str, _str_representer)
# Plain "\n" + character scans: far faster than ^-anchored lookaheads on a 500-item file.
_NOT_IN_AN_ITEM = re.compile(r"\n(?:[^ \n-]|-[^ ])")
"""A line that neither starts an item (``- ``) nor continues one (indented or empty)."""
_NOT_CONTINUING = re.compile(r"\n[^ \n]")


def dump_item(annotation: Annotation) -> str:
    """One annotation as a YAML sequence item: ``- `` then lines that are all indented (or empty).

    That shape is what makes a file of items valid by construction: no line of
    an item can end the list, the mapping or the document. Should PyYAML ever
    produce another shape, the caller serialises the whole file in one dump.
    """
    return yaml.dump([annotation.to_dict()], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _self_contained(item: str) -> bool:
    return item.startswith("- ") and item.endswith("\n") and not _NOT_CONTINUING.search(item[:-1])


def serialise(
    article_id: str,
    user: str,
    annotations: Iterable[Annotation],
    items: dict[str, tuple[Annotation, str]] | None = None,
) -> tuple[str, bool]:
    """A whole annotation file, and whether it has the item shape :func:`items_of` splits.

    ``items`` memoises each annotation's item text by id (with the very object
    it was dumped from: annotations are immutable), so a save with 500
    annotations dumps only the new one. Every item
    is checked to be self-contained (see :func:`dump_item`); if one is not, the
    file is dumped whole instead.
    """
    annotations = list(annotations)
    header = HEADER.format(article=article_id, user=user)
    if not annotations:
        return header + "annotations: []\n", False
    cache = {} if items is None else items
    parts = []
    for annotation in annotations:
        entry = cache.get(annotation.id)
        if entry is not None and entry[0] is annotation:
            text = entry[1]
        else:
            text = dump_item(annotation)
            if not _self_contained(text):
                return header + yaml.dump(
                    {"annotations": [a.to_dict() for a in annotations]},
                    Dumper=_Dumper,
                    allow_unicode=True,
                    sort_keys=False,
                    width=100,
                ), False
            cache[annotation.id] = (annotation, text)
        parts.append(text)
    return header + "annotations:\n" + "".join(parts), True


def _load(path: Path, text: str, first_line: int = 0) -> object:
    try:
        return load_yaml(text, max_bytes=MAX_FILE_BYTES, max_depth=MAX_DEPTH, fast=True)
    except YamlError as exc:
        line = f":{first_line + exc.line}" if exc.line else ""
        raise AnnotationFileError(f"{path}{line}: {exc.reason}") from None


def _annotation(path: Path, item: object, number: int) -> Annotation:
    try:
        return Annotation.from_dict(item)
    except AnnotationError as exc:
        raise AnnotationFileError(f"{path}: item {number}: {exc}") from None


def items_of(text: str) -> list[tuple[int, str]] | None:
    """(first line, text) of each item when the file has the shape newsdesk writes, else None.

    That shape is comment lines, ``annotations:``, then self-contained items
    (see :func:`dump_item`). Anything else (a hand-edited file, say) is parsed whole.
    """
    head, found, body = text.partition("\nannotations:\n")
    if not found or any(line and not line.startswith("#") for line in head.splitlines()):
        return None
    return item_run(body, head.count("\n") + 3)


def item_run(body: str, first_line: int) -> list[tuple[int, str]] | None:
    """(first line, text) of each self-contained item ``body`` is made of, else None."""
    if not body.startswith("- ") or not body.endswith("\n") or _NOT_IN_AN_ITEM.search(body[:-1]):
        return None
    line = first_line
    items = []
    for piece in body[2:-1].split("\n- "):
        item = "- " + piece + "\n"
        items.append((line, item))
        line += item.count("\n")
    return items


def parse_file(path: Path, text: str, known: dict[str, Annotation] | None = None) -> list[Annotation]:
    """The annotations in one file's text; ``AnnotationFileError`` names the file and line of the problem.

    ``known`` maps item texts parsed before to their annotations: when another
    session added one annotation to a file of 500, only that item is parsed.
    """
    items = items_of(text)
    annotations: list[Annotation] = []
    if items is not None:
        try:
            annotations = parse_items(path, items, known)
        except AnnotationFileError:
            # A hand-edited quoted value can continue on a line that looks like an item
            # ("- ..."): valid YAML that the split misreads. The whole file decides.
            items = None
    if items is None:
        data = _load(path, text)
        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get("annotations", []), (list, type(None))):
            raise AnnotationFileError(f"{path}: expected 'annotations:' followed by a list")
        annotations = [_annotation(path, item, n) for n, item in enumerate(data.get("annotations") or [], 1)]
    _check_unique(path, annotations)
    return annotations


def parse_items(
    path: Path, items: list[tuple[int, str]], known: dict[str, Annotation] | None, first_number: int = 1
) -> list[Annotation]:
    annotations = []
    for number, (line, item_text) in enumerate(items, first_number):
        annotation = (known or {}).get(item_text)
        if annotation is None:
            data = _load(path, item_text, line - 1)
            if not isinstance(data, list) or len(data) != 1:
                raise AnnotationFileError(f"{path}:{line}: item {number}: expected one annotation")
            annotation = _annotation(path, data[0], number)
            if known is not None:
                known[item_text] = annotation
        annotations.append(annotation)
    return annotations


def _check_unique(path: Path, annotations: list[Annotation], seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    for number, annotation in enumerate(annotations, 1):
        if annotation.id in seen:
            raise AnnotationFileError(f"{path}: item {number}: id {annotation.id} appears twice")
        seen.add(annotation.id)
    return seen
