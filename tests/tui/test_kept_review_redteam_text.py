"""A red-team pass over ``newsdesk annotations kept``, second part: passages, corpora, locks, names.

The article's text changed, the annotation deleted or another account's on the passage, kept files
of other corpora, a reader or an update running meanwhile, and any name a file may carry.
(The first part, tests/tui/test_kept_review_redteam.py, covers what the folder holds and errors.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, DiskFullError, Library, UsageError
from newsdesk.tui import kept_review, unsaved

from tests.tui.test_kept_review_redteam import _conflict, _kept, _kept_in_a_process, _library, _notes

_TEXT = " ".join(f"Passage number {n} of the test article, long enough to quote." for n in range(4))


@pytest.mark.parametrize("change", ["moved", "twice"])
def test_an_edit_of_an_annotation_deleted_since_goes_where_its_passage_is_now(tmp_path: Path, change: str) -> None:
    """An edit set aside as a conflict; then the annotation was deleted and the article's text changed
    (a paragraph put before the passage). The kept edit holds only the offsets typed at, and its
    passage was read there: the listing showed another passage and --apply annotated it (seen:
    "cle, long enough to " for "Passage number 2 of "; with the passage in the text twice, the first
    copy). The version it started from quotes the passage: it is found where it is now, and refused
    in one line if it is in the text twice."""
    (tmp_path / "news").mkdir()
    story = tmp_path / "news" / "one.txt"
    story.write_text("A test article\n\n" + _TEXT + "\n", encoding="utf-8")
    folder = (tmp_path / "kept").absolute()
    with Library.open(tmp_path / "news", state_dir=tmp_path / "state", config=Config()) as library:
        library.update()
        article = library.article(library.list_articles(0, 1)[0].id)
        start = article.text.index("Passage number 2 ")
        quote = article.text[start : start + 20]
        base = library.add_annotation(article, start, start + 20, ["first"])
        assert unsaved.keep(folder, library, article.id, start, start + 20, ["mine"], "typed", base.id, base=base)
        library.edit_annotation(article, base.id, tags=["theirs"], note="their note", base=base)
        unsaved.save_kept(folder, library)
        (conflict,) = folder.glob("*.json.conflict")
        library.delete_annotation(article.id, base.id)
        inserted = "A paragraph put before it. " + ("" if change == "moved" else _TEXT + " ")
        story.write_text("A test article\n\n" + inserted + _TEXT + "\n", encoding="utf-8")
        library.update()
        (listed,), _ = kept_review.kept_files(folder, library)
        assert listed.passage == quote  # seen: "cle, long enough to "
        if change == "twice":
            with pytest.raises(UsageError, match="not in it once"):
                kept_review.apply(conflict, folder, library)
            assert conflict.exists() and not library.annotations_of(article.id).placed
            return
        kept_review.apply(conflict, folder, library)
        (placed,) = library.annotations_of(article.id).placed
        assert placed.annotation.target.exact == quote and placed.annotation.note == "typed"


def test_files_of_other_corpora_are_named_and_one_whose_corpus_is_gone_can_be_discarded(
    capsys: pytest.CaptureFixture[str], demo_state: Path, tmp_path: Path
) -> None:
    """A kept file of another corpus was left out of the listing unsaid ("No annotations kept"), though
    the start had named it; and one whose corpus' state folder is gone (the start sets it aside as
    failed for that) could be neither applied nor discarded: "run this there", and there is no there."""
    _, _, conflict = _conflict(demo_state, ["mine"], "my note")
    entry = json.loads(conflict.read_text(encoding="utf-8"))
    (tmp_path / "other").mkdir()
    gone = conflict.with_name("1-1.json.failed")
    gone.write_text(json.dumps({**entry, "state_dir": str(tmp_path / "gone")}), encoding="utf-8")
    other = conflict.with_name("2-2.json.conflict")
    other.write_text(json.dumps({**entry, "state_dir": str(tmp_path / "other")}), encoding="utf-8")
    conflict.unlink()
    code, out, err = _kept(capsys, demo_state)
    assert code == 0 and gone.name in out and other.name in out and "another corpus" in out, (out, err)
    assert "no longer exists" in out
    code, _, err = _kept(capsys, demo_state, "--apply", gone.name)
    assert code == 2 and "another corpus" in err and gone.exists()
    code, _, err = _kept(capsys, demo_state, "--discard", other.name)
    assert code == 2 and "run this there" in err and other.exists()
    code, out, err = _kept(capsys, demo_state, "--discard", gone.name)
    assert code == 0 and "discarded" in out and not gone.exists(), err  # seen: refused, "run this there"


def test_a_full_disk_during_apply_keeps_the_file(
    capsys: pytest.CaptureFixture[str], demo_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save fails (a full disk): one line, nothing saved, the kept file where it was."""
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")

    def full(*args: object, **kwargs: object) -> None:
        raise DiskFullError(f"no space left on device: {conflict.parent}")

    with monkeypatch.context() as patch:
        patch.setattr(Library, "edit_annotation", full)
        code, _, err = _kept(capsys, demo_state, "--apply", conflict.name)
    assert code == 1 and "no space left" in err and err.count("\n") == 1
    assert conflict.exists() and not list(conflict.parent.glob("*.claimed"))
    assert _notes(demo_state, article) == [(("theirs",), "their note")]
    code, _, err = _kept(capsys, demo_state, "--apply", conflict.name)
    assert code == 0, err
    assert _notes(demo_state, article) == [(("mine",), "my note")]


def test_a_reader_starting_during_apply_does_not_take_an_old_files_claim_back(
    capsys: pytest.CaptureFixture[str], demo_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A set-aside file is often days old, and its claim (a rename) kept that age: a reader starting
    during --apply took it back as a claim given up (older than an hour), so the file was back after
    it was saved, and --apply's removal of its claim raised FileNotFoundError, a traceback."""
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    old = conflict.stat().st_mtime - 3 * unsaved.CLAIM_GIVEN_UP_SECONDS
    os.utime(conflict, (old, old))
    edit = Library.edit_annotation

    def a_reader_starts_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        script = "import sys; from pathlib import Path; from newsdesk.tui import unsaved; "
        script += "unsaved.reclaim_from_the_dead(Path(sys.argv[1]))"
        subprocess.run([sys.executable, "-c", script, str(conflict.parent)], check=True, timeout=60)
        return edit(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Library, "edit_annotation", a_reader_starts_meanwhile)
        code, out, err = _kept(capsys, demo_state, "--apply", conflict.name)
    assert code == 0 and "saved" in out, err  # seen: FileNotFoundError, a traceback
    assert not list(conflict.parent.iterdir())  # seen: the file back, though saved
    assert _notes(demo_state, article) == [(("mine",), "my note")]


def test_a_file_whose_apply_was_killed_is_listed_again(capsys: pytest.CaptureFixture[str], demo_state: Path) -> None:
    """--apply killed (kill -9, the machine went down) after its claim: the file was left claimed,
    out of the listing, until a reader next started on some corpus."""
    _, _, conflict = _conflict(demo_state, ["mine"], "my note")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    conflict.rename(conflict.with_name(f"{conflict.name}.{int(ended.stdout)}.claimed"))
    code, out, _ = _kept(capsys, demo_state)
    assert code == 0 and conflict.name in out and "my note" in out  # seen: "No annotations kept ..."
    assert conflict.exists()


def test_apply_while_another_process_updates_the_corpus_is_said_not_a_silent_wait(demo_state: Path) -> None:
    """Another process updating the corpus (a reader indexing, `newsdesk index`) holds its update lock:
    --apply saved the annotation, then waited in silence for that lock (for as long as the update
    runs, minutes on a large corpus) to re-index it (seen: killed by the timeout)."""
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    script = "import sys, time; from filelock import FileLock; held = FileLock(sys.argv[1]); held.acquire()"
    script += "; print(1, flush=True); time.sleep(60)"
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(demo_state / "update.lock")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "1\n"
        done = _kept_in_a_process(demo_state, "--apply", conflict.name)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 0 and "saved" in done.stdout and "index" in done.stdout, (done.stdout, done.stderr)
    assert done.stdout.count("\n") == 1 and not conflict.exists()
    assert _notes(demo_state, article) == [(("mine",), "my note")]


def test_a_hand_broken_annotation_file_is_said_in_the_listing(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    """The article's annotation file broken by hand: the listing showed no "now" for the edit (read
    as: deleted since) and said nothing; --apply then refused it, naming the file and line."""
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    (annotations,) = (demo_state / "annotations" / article.id).glob("*.yaml")
    with annotations.open("a", encoding="utf-8") as broken:
        broken.write("annotations: [\n  - {{{\n")
    code, out, err = _kept(capsys, demo_state)
    assert code == 0 and "my note" in out and annotations.name in err and conflict.name in err, err  # seen: ""
    code, _, err = _kept(capsys, demo_state, "--apply", conflict.name)
    assert code == 2 and annotations.name in err and conflict.exists()


_NAMES = st.binary(min_size=1, max_size=40).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=_NAMES)
def test_any_file_name_in_the_kept_folder_is_listed_on_one_clean_line_and_settled_by_it(
    capsys: pytest.CaptureFixture[str],
    demo_index: Path,
    tmp_path_factory: pytest.TempPathFactory,
    name: bytes,
) -> None:
    """Names another tool or a planted file may carry: escapes, newlines, bidi overrides, bytes that
    are not UTF-8. The listing stays the same lines, none with a control character or raw byte, and
    the file is applied by its own name."""
    state = tmp_path_factory.mktemp("kept") / "state"
    shutil.copytree(demo_index, state)
    try:
        article, _, conflict = _conflict(state, ["mine"], "my note")
        renamed = conflict.with_name(os.fsdecode(name + b".json.conflict"))
        conflict.rename(renamed)
        code, out, err = _kept(capsys, state)
        assert code == 0 and err == ""
        out.encode("utf-8")
        lines = out.splitlines()
        assert len(lines) == 8, lines  # the file, article, passage, typed, note, now, note, the hint
        assert not [c for line in lines for c in line if unicodedata.category(c) in ("Cc", "Cf")]
        code, _, err = _kept(capsys, state, "--apply", str(renamed))
        assert code == 0 and not renamed.exists(), err
        assert _notes(state, article) == [(("mine",), "my note")]
    finally:
        shutil.rmtree(unsaved.default_unsaved_dir(), ignore_errors=True)
        shutil.rmtree(state.parent, ignore_errors=True)


def test_another_users_annotation_on_the_passage_is_neither_shown_as_now_nor_edited(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    """The user's annotation deleted since, another user's on the same passage (same id, even: a copy
    of the user's file): --apply annotates the passage as the user's own, and leaves theirs alone."""
    article, base, conflict = _conflict(demo_state, ["mine"], "my note")
    (own,) = (demo_state / "annotations" / article.id).glob("*.yaml")
    text = own.read_text(encoding="utf-8")
    user = own.stem
    with _library(demo_state) as library:
        library.delete_annotation(article.id, base.id)
    theirs = own.with_name("alice.yaml")
    theirs.write_text(text.replace(f"author: {user}", "author: alice").replace(f"by {user}.", "by alice."), "utf-8")
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another account here")
    os.chown(theirs, 54321, 54321)  # whose a file is goes by the account that owns it
    code, out, _ = _kept(capsys, demo_state, "--json")
    (record,) = json.loads(out)
    assert record["now"] is None
    code, out, err = _kept(capsys, demo_state, "--apply", conflict.name)
    assert code == 0, err
    with _library(demo_state) as library:
        placed = library.annotations_of(article.id).placed
    mine = [(p.annotation.tags, p.annotation.note) for p in placed if p.own]
    others = [(p.annotation.author, p.annotation.tags, p.annotation.note) for p in placed if not p.own]
    assert mine == [(("mine",), "my note")] and [(tags, note) for _, tags, note in others] == [
        (("theirs",), "their note")
    ]
    assert theirs.read_text(encoding="utf-8") == text.replace(f"author: {user}", "author: alice").replace(
        f"by {user}.", "by alice."
    )
