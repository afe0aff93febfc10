"""A session that re-reads a file another session appended to gets exactly what a fresh read gets.

Reading only the appended items (instead of the whole file) is what keeps a save
after another session's save fast; these tests hold it to the full parse for any
text appended to a file newsdesk wrote: more items, a repeated id, YAML markers,
broken lines, the same item twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.annotations import AnnotationFileError, AnnotationFiles, owner_by_file_name
from newsdesk.index.annotations.model import Annotation, Target
from newsdesk.index.annotations.yaml_shape import dump_item

from tests.test_annotations_properties import TEXT

ARTICLE = "0123456789abcdef"


def _annotation(n: int, note: str = "a note", tags: tuple[str, ...] = ("evidence",)) -> Annotation:
    return Annotation(
        id=f"id{n:04d}",
        article_id=ARTICLE,
        content_hash="h",
        target=Target(n, n + 5, "quote"),
        tags=tags,
        note=note,
        author="alice",
        created="2026-12-01T00:00:00Z",
    )


def _read(files: AnnotationFiles, path: Path) -> tuple[str, object]:
    try:
        owned = files.read_owned(path)
    except AnnotationFileError as exc:
        return "error", str(exc)
    return "ok", (owned.owner, [(a.to_dict(), a.author, a.claimed_author) for a in owned.annotations])


_PIECE = st.one_of(
    st.builds(lambda n, note: dump_item(_annotation(n, note)), st.integers(0, 40), TEXT),  # new items, repeats
    st.sampled_from(["...\n", "---\n", "- \n", "annotations: []\n", "-\n", "  indented: yes\n", "\n", "#c\n"]),
    TEXT,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.integers(0, 6), appended=st.lists(_PIECE, min_size=1, max_size=4).map("".join))
def test_a_cached_read_after_an_append_equals_a_fresh_read(
    tmp_path_factory: pytest.TempPathFactory, existing: int, appended: str
) -> None:
    root = tmp_path_factory.mktemp("annotations")
    session = AnnotationFiles(root, "alice", owner_of=owner_by_file_name)
    session.update(ARTICLE, [_annotation(100 + n) for n in range(existing)])
    path = session.own_file(ARTICLE)
    session.read_owned(path)  # cached, as a running reader holds it
    with path.open("a", encoding="utf-8") as handle:  # another session (or a person) adds at the end
        handle.write(appended)
    fresh = AnnotationFiles(root, "alice", owner_of=owner_by_file_name)
    assert _read(session, path) == _read(fresh, path)
    # and the session's next save starts from what the file really holds
    if _read(fresh, path)[0] == "ok":
        session.update(ARTICLE, [_annotation(999)])
        assert _read(AnnotationFiles(root, "alice", owner_of=owner_by_file_name), path) == _read(session, path)


def test_many_appends_by_another_session_are_each_read_once(tmp_path: Path) -> None:
    mine = AnnotationFiles(tmp_path, "alice", owner_of=owner_by_file_name)
    other = AnnotationFiles(tmp_path, "alice", owner_of=owner_by_file_name)
    for n in range(30):
        (other if n % 3 else mine).update(ARTICLE, [_annotation(n, note=f"note {n}\n")])
        assert _read(mine, mine.own_file(ARTICLE)) == _read(
            AnnotationFiles(tmp_path, "alice", owner_by_file_name), mine.own_file(ARTICLE)
        )
    assert [a.id for a in mine.read(mine.own_file(ARTICLE))] == [f"id{n:04d}" for n in range(30)]
