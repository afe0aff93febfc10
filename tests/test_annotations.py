"""Annotations: model, files, anchoring, search, export and the CLI."""

from __future__ import annotations

import json
import os
import shutil
import stat
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, Library
from newsdesk.index.annotations import AnnotationError, AnnotationFileError, AnnotationStore, owner_by_file_name
from newsdesk.index.annotations.anchor import anchor
from newsdesk.index.annotations.model import Annotation, Target
from newsdesk.index.article import Article
from newsdesk.tui.cli import main

from tests.conftest import write

TEXT = (
    "Ceasefire talks resumed in Geneva on Friday. Diplomats described the talks as a launch pad "
    "for a wider settlement. Fighting continued near the town overnight."
)
PASSAGE = "a launch pad for a wider settlement"


def article(text: str = TEXT, content_hash: str = "h1") -> Article:
    return Article(id="0123456789abcdef", path="a.txt", item=0, title="Talks", text=text, content_hash=content_hash)


@pytest.fixture
def store(tmp_path: Path) -> AnnotationStore:
    return AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)


def test_add_saves_everything_and_reads_back(store: AnnotationStore, tmp_path: Path) -> None:
    start = TEXT.index(PASSAGE)
    added = store.add(article(), start, start + len(PASSAGE), ["evidence", "talks", "evidence"], "line one\nline two")
    path = tmp_path / "annotations" / "0123456789abcdef" / "alice.yaml"
    data = yaml.safe_load(path.read_text())
    (item,) = data["annotations"]
    assert item["target"] == {
        "position": {"start": start, "end": start + len(PASSAGE)},
        "quote": {"exact": PASSAGE, "prefix": TEXT[start - 32 : start], "suffix": TEXT[start + len(PASSAGE) :][:32]},
    }
    assert item["tags"] == ["evidence", "talks"] and item["author"] == "alice"
    assert "note: |-\n    line one\n    line two\n" in path.read_text()  # block style: readable, diffable
    bob = AnnotationStore(tmp_path, user="bob", owner_of=owner_by_file_name)
    assert bob.for_article(article()).placed[0].annotation == added
    assert (path.parent / "alice.yaml.lock").exists()


def test_edit_delete_and_undo(store: AnnotationStore) -> None:
    a = store.add(article(), 0, 9, ["x"])
    edited = store.edit(article(), a.id, tags=["y"], note="n")
    assert (edited.tags, edited.note, edited.created) == (("y",), "n", a.created)
    deleted = store.delete(a.article_id, a.id)
    assert store.for_article(article()).placed == []
    store.restore(deleted)
    assert [p.annotation for p in store.for_article(article()).placed] == [deleted]


def test_other_users_annotations_are_read_only(tmp_path: Path) -> None:
    bob = AnnotationStore(tmp_path, user="bob", owner_of=owner_by_file_name)
    theirs = bob.add(article(), 0, 9, ["x"])
    alice = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    found = alice.for_article(article())
    assert [(p.annotation.id, p.own) for p in found.placed] == [(theirs.id, False)]
    with pytest.raises(AnnotationError, match="bob's"):
        alice.delete(theirs.article_id, theirs.id)


@pytest.mark.parametrize("umask", [0o000, 0o002, 0o022, 0o077])
def test_files_are_owner_writable_only_and_folders_setgid_sticky_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    tmp_path.chmod(0o2775)  # a group-shared state folder
    old = os.umask(umask)
    try:
        AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name).add(article(), 0, 9, ["x"])
    finally:
        os.umask(old)
    folder = tmp_path / "annotations" / "0123456789abcdef"
    assert stat.S_IMODE((folder / "alice.yaml").stat().st_mode) == 0o644
    for level in (folder.parent, folder):
        mode = level.stat().st_mode
        assert mode & stat.S_ISGID and mode & stat.S_ISVTX and mode & 0o070 == 0o070


def test_no_process_wide_umask_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader is threaded: setting the umask even briefly would misplace another thread's file."""
    from newsdesk.index import atomic

    def forbidden(mask: int) -> int:
        raise AssertionError("os.umask called")

    monkeypatch.setattr(os, "umask", forbidden)
    AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name).add(article(), 0, 9, ["x"])
    assert atomic.new_file_mode() & 0o600 == 0o600
    atomic.write_atomic(tmp_path / "other.txt", "x")


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("annotations:\n  - id: [unclosed\n", "alice.yaml:3:"),
        ("annotations:\n- id: a\n  article_id: 0123456789abcdef\n  target: 3\n", "item 1"),
        ("annotations: &x [*x]\n", ":1"),
        ("just text\n", "expected 'annotations:'"),
    ],
)
def test_a_broken_file_is_named_left_untouched_and_the_rest_works(
    store: AnnotationStore, tmp_path: Path, content: str, where: str
) -> None:
    AnnotationStore(tmp_path, user="bob", owner_of=owner_by_file_name).add(article(), 0, 9, ["fine"])
    broken = tmp_path / "annotations" / "0123456789abcdef" / "alice.yaml"
    broken.write_text(content)
    found = store.for_article(article())
    assert [p.annotation.tags for p in found.placed] == [("fine",)]
    (error,) = found.errors
    assert str(broken) in error and where in error and "\n" not in error
    with pytest.raises(AnnotationFileError):
        store.add(article(), 0, 9, ["x"])
    assert broken.read_text() == content


def test_stale_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name).add(article(), 0, 9, ["x"])
    folder = tmp_path / "annotations" / "0123456789abcdef"
    (folder / ".alice.yaml.abc123.tmp").write_text("half a file")
    (folder / ".bob.yaml.abc123.tmp").write_text("not ours")
    AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    assert sorted(p.name for p in folder.iterdir()) == [".bob.yaml.abc123.tmp", "alice.yaml", "alice.yaml.lock"]


# -- re-anchoring ------------------------------------------------------------------
def _annotation() -> Annotation:
    start = TEXT.index(PASSAGE)
    return Annotation("id1", "0123456789abcdef", "h1", Target.from_text(TEXT, start, start + len(PASSAGE)))


@pytest.mark.parametrize(
    ("new_text", "how", "expected"),
    [
        (TEXT, "unchanged", PASSAGE),
        ("BREAKING. " + TEXT, "moved", PASSAGE),  # inserted before
        (TEXT + " More later.", "in place", PASSAGE),  # inserted after
        (TEXT.replace("a wider", "a much wider"), "fuzzy", "a launch pad for a much wider settlement"),  # inside
        (TEXT.replace("Diplomats described the talks as a launch pad for a wider settlement. ", ""), "orphan", None),
    ],
)
def test_reanchoring(new_text: str, how: str, expected: str | None) -> None:
    placed = anchor(_annotation(), new_text, "h1" if new_text == TEXT else "h2")
    assert placed.how == how
    assert (new_text[placed.start : placed.end] if expected else None) == expected


def test_reanchoring_a_quote_that_occurs_twice_picks_the_nearest() -> None:
    doubled = "Intro. " + TEXT + " Later, " + PASSAGE + " was repeated."
    placed = anchor(_annotation(), doubled, "h2")
    assert placed.how == "moved" and placed.start == doubled.index(PASSAGE)
    shifted = PASSAGE + ". " + doubled
    assert anchor(_annotation(), shifted, "h3").start == shifted.index(PASSAGE, 10)


def test_orphans_are_kept_and_listed(store: AnnotationStore) -> None:
    a = store.add(article(), TEXT.index(PASSAGE), TEXT.index(PASSAGE) + len(PASSAGE), ["x"])
    changed = article(TEXT.replace("Diplomats described the talks as a launch pad for a wider settlement. ", ""), "h2")
    found = store.for_article(changed)
    assert found.placed == [] and [o.annotation.id for o in found.orphans] == [a.id]
    assert store.files.read(store.files.own_file(a.article_id))[0].id == a.id


# -- round trip ------------------------------------------------------------------
_PIECES = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\x1b[31m",
        "\u202e",
        "\u2028",
        "\x85",
        "[TODO]",
        "[b]x[/b]",
        "🙂",
        "\r\n",
        ": ",
        "- ",
        "#",
        "\n",
        "  ",
        "'",
        '"',
        "\\",
        "|",
        ">",
        "&a",
        "*a",
        "!!python/object",
        "\ufeff",
        "\t",
    ]
)
_NASTY = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8) | _PIECES, max_size=40
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    note=_NASTY,
    tags=st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Z", "C"), exclude_characters=","),
            min_size=1,
            max_size=20,
        ).filter(lambda t: not unicodedata.category(t[0]).startswith("M")),  # drawn on what is before it
        max_size=5,
        unique=True,
    ),
    long=st.booleans(),
)
def test_notes_and_tags_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory, note: str, tags: list[str], long: bool
) -> None:
    root = tmp_path_factory.mktemp("rt")
    note = note * 200 if long else note
    saved = AnnotationStore(root, user="alice", owner_of=owner_by_file_name).add(article(), 0, 9, tags, note)
    again = AnnotationStore(root, user="alice", owner_of=owner_by_file_name)
    (read,) = again.files.read(root / "annotations" / saved.article_id / "alice.yaml")
    composed = list(dict.fromkeys(unicodedata.normalize("NFC", t) for t in tags))  # a tag is stored composed
    assert read == saved and read.note == note and list(read.tags) == composed


# -- through the library: search and the CLI --------------------------------------
@pytest.fixture
def news(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    write(root, "talks.txt", "Talks in Geneva\n\n" + TEXT + "\n")
    write(root, "other.txt", "Other news\n\nNothing to see in Baku today.\n")
    return root


def test_annotations_are_searchable_and_tags_feed_the_facets(news: Path, tmp_path: Path) -> None:
    with Library.open(news, state_dir=tmp_path / "state", config=Config()) as lib:
        lib.update()
        lib.annotate_quote("talks.txt", PASSAGE, tags=["evidence"], note="offshore money trail")
        assert lib.sync_annotations() == 1
        assert lib.search("tag:evidence").total == 1
        assert lib.search("note:offshore").total == 1
        assert lib.search("annotated:yes").total == 1 and lib.search("annotated:no").total == 1
        assert ("evidence", 1) in {(f.value, f.count) for f in lib.search("Geneva").facets["tags"]}
        # Another analyst's file changes: the next sync picks it up.
        bob = AnnotationStore(tmp_path / "state", user="bob", owner_of=owner_by_file_name)
        bob.add(lib.article("other.txt"), 0, 7, ["lead"])
        lib.sync_annotations()
        assert lib.search("tag:lead").total == 1 and lib.search("annotated:yes").total == 2


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_add_list_export_import(capsys: pytest.CaptureFixture[str], news: Path, tmp_path: Path) -> None:
    corpus = ["--corpus", str(news)]
    code, out, _ = run(
        capsys,
        "annotations",
        "add",
        "talks.txt",
        "--quote",
        "the talks",
        "--tag",
        "evidence",
        "--note",
        "two\nlines",
        *corpus,
    )
    assert code == 0 and out.startswith("annotated ")
    code, out, _ = run(capsys, "annotations", "list", "talks.txt", "--json", *corpus)
    (listed,) = json.loads(out)
    assert listed["target"]["quote"]["exact"] == "the talks" and listed["anchor"] == "unchanged"
    for fmt in ("yaml", "json", "csv", "md", "w3c"):
        code, out, _ = run(capsys, "annotations", "export", "--format", fmt, *corpus)
        assert code == 0 and "the talks" in out, fmt
    w3c = json.loads(run(capsys, "annotations", "export", "--format", "w3c", *corpus)[1])
    item = w3c["first"]["items"][0]
    assert w3c["type"] == "AnnotationCollection" and item["type"] == "Annotation"
    assert {s["type"] for s in item["target"]["selector"]} == {"TextQuoteSelector", "TextPositionSelector"}
    exported = tmp_path / "export.json"
    run(capsys, "annotations", "export", "--format", "json", "--output", str(exported), *corpus)
    code, out, _ = run(capsys, "annotations", "import", str(exported), *corpus)
    assert code == 0 and out.strip() == "0 imported, 1 already present"


@pytest.mark.parametrize(
    "argv",
    [
        ["annotations", "add", "talks.txt", "--quote", "not in the text", "--tag", "x"],
        ["annotations", "add", "talks.txt", "--quote", "the talks", "--occurrence", "3", "--tag", "x"],
        ["annotations", "add", "talks.txt", "--quote", "the talks", "--tag", "two words"],
        ["annotations", "add", "talks.txt", "--quote", "the talks"],
        ["annotations", "export", "--format", "pdf"],
        ["annotations", "import", "/nonexistent/file.json"],
    ],
)
def test_cli_mistakes_are_one_line(capsys: pytest.CaptureFixture[str], news: Path, argv: list[str]) -> None:
    code, out, err = run(capsys, *argv, "--corpus", str(news))
    assert code == 2 and out == ""
    assert err.startswith("newsdesk: error:") and err.count("\n") == 1


def test_hand_written_layouts_are_read_and_kept_on_rewrite(store: AnnotationStore, tmp_path: Path) -> None:
    folder = tmp_path / "annotations" / "0123456789abcdef"
    folder.mkdir(parents=True)
    (folder / "alice.yaml").write_text(
        "annotations:\n"
        "  - {id: hand-1, article_id: 0123456789abcdef, content_hash: h1, tags: [typed],\n"
        "     target: {position: {start: 0, end: 9}, quote: {exact: Ceasefire}}, reviewer: carol}\n"
    )
    (hand,) = store.files.read(folder / "alice.yaml")
    assert hand.tags == ("typed",) and hand.extra == {"reviewer": "carol"}
    other_session = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    added = other_session.add(article(), 10, 15, ["later"])
    assert [a.id for a in store.files.read(folder / "alice.yaml")] == ["hand-1", added.id]
    assert "reviewer: carol" in (folder / "alice.yaml").read_text()  # unknown keys survive a rewrite


def test_cli_annotations_without_an_action_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "annotations")
    assert code == 2 and out == "" and err.startswith("newsdesk: error: give an action") and err.count("\n") == 1


def test_no_ghost_rows_searching_again_after_annotation_changes(news: Path, tmp_path: Path) -> None:
    """The same open library (as in the reader) answers like a fresh one after each annotation change."""
    state = tmp_path / "state"
    with Library.open(news, state_dir=state, config=Config()) as lib:
        lib.update()
        assert lib.search("Geneva").total == 1
        bob = AnnotationStore(state, user="bob", owner_of=owner_by_file_name)
        for n in range(3):  # every change re-adds the article's document: it must replace, not add
            bob.add(lib.article("talks.txt"), n, n + 9, [f"t{n}"], "note")
            lib.sync_annotations()
            for query in ("Geneva", "annotated:yes", "annotated:no", f"tag:t{n}", "note:note"):
                again = lib.search(query)
                with Library.open(news, state_dir=state, config=Config()) as fresh:
                    expected = fresh.search(query)
                assert [h.id for h in again.hits] == [h.id for h in expected.hits], query
                assert again.total == expected.total
                assert {k: [(f.value, f.count) for f in v] for k, v in again.facets.items()} == {
                    k: [(f.value, f.count) for f in v] for k, v in expected.facets.items()
                }


def test_symlinked_annotation_file_or_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "state", user="alice", owner_of=owner_by_file_name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "target.yaml").write_text("annotations: []\n")
    folder = tmp_path / "state" / "annotations" / "0123456789abcdef"
    folder.mkdir(parents=True)
    (folder / "alice.yaml").symlink_to(elsewhere / "target.yaml")
    with pytest.raises(AnnotationFileError, match="symbolic link") as raised:
        store.add(article(), 0, 9, ["x"])
    assert "\n" not in str(raised.value) and (elsewhere / "target.yaml").read_text() == "annotations: []\n"
    assert any("symbolic link" in e for e in store.for_article(article()).errors)
    shutil.rmtree(folder)
    folder.symlink_to(elsewhere)
    with pytest.raises(AnnotationFileError, match="symbolic link"):
        store.add(article(), 0, 9, ["x"])
    assert sorted(p.name for p in elsewhere.iterdir()) == ["target.yaml"]


def test_a_forged_author_is_flagged_in_list_exports_and_the_notes_tab(
    capsys: pytest.CaptureFixture[str], news: Path, tmp_path: Path
) -> None:
    from newsdesk.index import PlacedAnnotation
    from newsdesk.index.annotations.anchor import Anchor
    from newsdesk.tui.widgets.notes_list import annotation_option

    corpus = ["--corpus", str(news)]
    assert run(capsys, "annotations", "add", "talks.txt", "--quote", "the talks", "--tag", "x", *corpus)[0] == 0
    (mine,) = tmp_path.rglob("annotations/*/*.yaml")
    mine.write_text(mine.read_text().replace("  author: ", "  author: someone-else\n  x_was: "))
    code, out, _ = run(capsys, "annotations", "list", *corpus)
    assert code == 0 and "file claims someone-else" in out
    assert (
        "someone-else"
        in json.loads(run(capsys, "annotations", "export", "--format", "json", *corpus)[1])[0]["claimed_author"]
    )
    assert "claims someone-else" in run(capsys, "annotations", "export", "--format", "md", *corpus)[1]
    with Library.open(news, config=Config()) as lib:
        (placed,) = lib.annotations_of("talks.txt").placed
    assert placed.annotation.claimed_author == "someone-else"
    shown = annotation_option(PlacedAnnotation(placed.annotation, Anchor(0, 1, "unchanged"), True)).plain
    assert "the file claims someone-else" in shown


def test_an_id_in_two_users_files_is_one_line_per_id_and_nothing_is_lost(
    capsys: pytest.CaptureFixture[str], news: Path, tmp_path: Path
) -> None:
    """A file copied under another user's name repeats its ids: each is reported once, both copies kept."""
    corpus = ["--corpus", str(news)]
    for quote in ("the talks", "a launch pad"):
        assert run(capsys, "annotations", "add", "talks.txt", "--quote", quote, "--tag", "x", *corpus)[0] == 0
    (mine,) = tmp_path.rglob("annotations/*/*.yaml")
    shutil.copy(mine, mine.with_name("zed.yaml"))  # sorts after the original: the copy is the one named
    with Library.open(news, config=Config()) as lib:
        everything, errors = lib.all_annotations()
        found = lib.annotations_of("talks.txt")
    ids = sorted({a.id for a in everything})
    assert len(ids) == 2 and len(everything) == 4 and len(found.placed) == 4  # nothing dropped
    for lines in (errors, found.errors):
        assert len(lines) == 2 and all("zed.yaml: id " in line and line.endswith(mine.name) for line in lines)
        assert sorted(line.split(" id ")[1].split()[0] for line in lines) == ids
    for argv in (["annotations", "list"], ["annotations", "list", "talks.txt"]):
        code, out, err = run(capsys, *argv, *corpus)
        assert code == 0 and len(out.splitlines()) == 4, out
        warnings = err.splitlines()
        assert len(warnings) == 2 and all(w.startswith("newsdesk: warning: ") for w in warnings), err
        assert sorted(w.split(" id ")[1].split()[0] for w in warnings) == ids
