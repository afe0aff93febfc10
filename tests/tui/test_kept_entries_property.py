"""Generated kept files (all of Unicode, huge and empty values, wrong types, damaged bytes): each
one that is not saved gives one line and no traceback, and nothing in any of them is lost, nor
saved over a change it did not start from."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Annotation, AnnotationError, Article, Config, Library, tags_and_note
from newsdesk.index.annotations.model import stored_tag
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import unsaved

MISSING = object()
"""A field left out of the entry."""


ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=20) | st.sampled_from(
    ["", " ", "\n", "\u2028" * 200_000, "\x1b]52;c;eA==\x07", "\x1b[2J", "\u202e", "a\nb", "[red]x[/]", "\ud800"]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _version(current: Annotation, mutate: bool, tags: list[str], note: str) -> dict[str, Any]:
    data = current.to_dict()
    version = {key: data[key] for key in ("id", "article_id", "target", "tags", "note")}
    if mutate:
        version.update(tags=tags, note=note)
    return version


def _mostly(draw: st.DrawFn, value: Any, other: st.SearchStrategy[Any]) -> Any:
    """``value`` three times in four, else one of ``other``."""
    return value if draw(st.sampled_from([True] * 3 + [False])) else draw(other)


@st.composite
def kept_files(draw: st.DrawFn, mine: str, article: Article, current: Annotation) -> bytes:
    """The bytes of one kept file: an entry near the real thing, or damaged bytes."""
    shape = draw(st.sampled_from(["entry"] * 8 + ["bytes", "huge", "empty"]))
    if shape == "bytes":
        return draw(st.binary(max_size=200))
    if shape == "empty":
        return b""
    plain_tags = st.lists(st.sampled_from(["t", "kept", " ok-tag ", "first"]), max_size=3)
    tags = st.sampled_from([plain_tags] * 3 + [st.lists(ANY_TEXT, max_size=2)]).flatmap(lambda chosen: chosen)
    version = st.builds(_version, st.just(current), st.booleans(), tags, ANY_TEXT)
    edit = draw(st.booleans())
    start = draw(st.integers(-1, 30))
    entry = {  # every field of the right type, then a few of them wrong or left out
        "state_dir": draw(st.sampled_from([mine, mine, mine, "/elsewhere"])),  # another corpus': put back
        "article_id": _mostly(draw, article.id, st.just("no-such-article") | ANY_TEXT),
        "start": start,
        "end": start + draw(st.integers(-1, 20)),
        "tags": draw(tags),
        "note": draw(ANY_TEXT),
        "annotation_id": _mostly(draw, current.id, ANY_TEXT) if edit else None,
        "quote": draw(st.sampled_from([None, article.text[max(start, 0) : start + 5]]) | ANY_TEXT),
        "base": draw(version) if edit else None,
        "own": draw(st.none() | version) if edit else None,
    }
    for key in draw(st.lists(st.sampled_from(sorted(entry)), max_size=2) | st.just([])):
        entry[key] = draw(st.just(MISSING) | JSON_VALUES)
    text = json.dumps({k: v for k, v in entry.items() if v is not MISSING})  # ASCII: lone surrogates survive
    if shape == "huge":
        return text.encode() + b" " * unsaved.MAX_KEPT_BYTES
    return text.encode()


BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder what follows them on a terminal line."""


def _one_line(failure: str) -> bool:
    """One line, with no control character (escapes, BEL, newlines) and nothing that reorders it."""
    return not any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS or (c.isspace() and c != " ") for c in failure)


def _as_saved(entry: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """The tags and note saved: a tag that no tag may be now goes to the end of the note, marked
    (an older version kept C1 controls and bidi overrides in tags: tests/tui/test_tag_rules_redteam.py)."""
    tags, note = tags_and_note(entry["tags"], entry["note"])
    return tuple(tags), note


def _as_read(entry: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """The tags and note as typed, as the annotation files would read them (None: they could not)."""
    try:
        return tuple(dict.fromkeys(stored_tag(t) for t in entry["tags"])), entry["note"]
    except AnnotationError:
        return None


def test_every_kept_file_is_saved_or_set_aside_with_one_line(demo_state: Path) -> None:
    with Library.open(demo_corpus(), state_dir=demo_state, config=Config()) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        ident = library.add_annotation(article, 0, 20, ["first"], "").id
        mine = str(demo_state.resolve())

        def own() -> list[Annotation]:
            return [p.annotation for p in library.article_annotations(article).placed if p.own]

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.data())
        def check(data: st.DataObject) -> None:
            (before,) = [a for a in own() if a.id == ident]
            files = data.draw(st.lists(kept_files(mine, article, before), min_size=1, max_size=3))
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                for number, content in enumerate(files):
                    (folder / f"{number}-1.json").write_bytes(content)
                saved, failures = unsaved.save_kept(folder, library)  # no exception escapes
                assert all(_one_line(f) for f in failures), failures
                left = {p.name: p.read_bytes() for p in folder.iterdir()}
            assert len(failures) == len([n for n in left if n.endswith((".failed", ".conflict"))])
            assert not [n for n in left if n.endswith(".claimed")]
            nothing_typed = 0  # edits with nothing changed in their dialog: removed, nothing written
            expected = before  # the annotation as each saved edit, in turn, should find it
            for number, content in enumerate(files):
                name = f"{number}-1.json"
                if content in [left.get(name + suffix) for suffix in ("", ".failed", ".conflict")]:
                    continue  # left as it was, every byte: nothing lost
                entry = json.loads(content)  # saved: so it was a kept entry of this corpus
                assert entry["state_dir"] == mine
                typed = _as_saved(entry)
                as_typed = [typed, _as_read(entry)]
                if entry.get("annotation_id") is None:  # an add: what was typed is in the annotations
                    added = [a for a in own() if (a.tags, a.note) == typed]
                    assert added
                    if entry.get("quote") is not None:  # on the passage it was typed on
                        assert entry["quote"] in [a.target.exact for a in added]
                    continue
                assert entry["annotation_id"] == ident
                if (expected.tags, expected.note) in as_typed:
                    continue  # already as typed (its save had landed): nothing to write
                versions = [Annotation.from_dict(entry[k]) for k in ("base", "own") if entry.get(k) is not None]
                if any((v.tags, v.note) in as_typed for v in versions):
                    nothing_typed += 1
                    continue
                assert any(v.same_content(expected) for v in versions)  # never over a change it did not see
                expected = replace(expected, tags=typed[0], note=typed[1])
            assert saved == len(files) - len(left) - nothing_typed
            (after,) = [a for a in own() if a.id == ident]
            assert after.same_content(expected)  # the last saved edit's text, and nothing else

        check()
