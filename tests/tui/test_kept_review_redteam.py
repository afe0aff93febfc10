"""A red-team pass over ``newsdesk annotations kept``: what its folder can hold, errors, races, text.

Each test names what was seen before its fix. The kept folder is the user's own (0700), but one
made by an older version or under a group's umask may hold what another account put there, and a
reader starting at the same time renames files in it.
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
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from newsdesk.index import Annotation, Article, Config, DiskFullError, Library, UsageError
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import kept_review, unsaved
from newsdesk.tui.cli import main


def _library(state: Path) -> Library:
    return Library.open(demo_corpus(), state_dir=state, config=Config())


def _conflict(state: Path, tags: list[str], note: str) -> tuple[Article, Annotation, Path]:
    """An edit kept at a hang-up, then another session's change: set aside as a conflict at the next start."""
    folder = unsaved.default_unsaved_dir()
    with _library(state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        base = library.add_annotation(article, 0, 20, ["first"], "")
        kept = unsaved.keep(folder, library, article.id, 0, 20, tags, note, base.id, base=base)
        assert kept is not None
        library.edit_annotation(article, base.id, tags=["theirs"], note="their note", base=base)
        assert unsaved.save_kept(folder, library)[0] == 0
    # a tag the annotation files refuse sets it aside as failed, not as a conflict
    (conflict,) = [*folder.glob("*.json.conflict"), *folder.glob("*.json.failed")]
    return article, base, conflict


def _kept(capsys: pytest.CaptureFixture[str], state: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["annotations", "kept", "--corpus", str(demo_corpus()), "--state-dir", str(state), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _kept_in_a_process(state: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, so that a hang is a timeout, not a stuck test run."""
    command = [sys.executable, "-m", "newsdesk.tui.cli", "annotations", "kept"]
    command += ["--corpus", str(demo_corpus()), "--state-dir", str(state), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def _notes(state: Path, article: Article) -> list[tuple[tuple[str, ...], str]]:
    with _library(state) as library:
        return [(p.annotation.tags, p.annotation.note) for p in library.annotations_of(article.id).placed]


def test_a_fifo_or_a_link_to_a_device_in_the_kept_folder_is_one_line_not_a_hang(demo_state: Path) -> None:
    """A FIFO named like a set-aside file, or a link to /dev/zero: the listing, --apply and --discard
    read it (stat() said 0 bytes) and blocked for good (seen: each one killed by the timeout)."""
    _conflict(demo_state, ["mine"], "my note")
    folder = unsaved.default_unsaved_dir()
    os.mkfifo(folder / "9-9.json.failed")
    (folder / "8-8.json.conflict").symlink_to("/dev/zero")
    listing = _kept_in_a_process(demo_state)
    assert listing.returncode == 0 and "my note" in listing.stdout
    assert listing.stderr.count("not a regular file") == 2, listing.stderr
    for name in ("9-9.json.failed", "8-8.json.conflict"):
        for action in ("--apply", "--discard"):
            done = _kept_in_a_process(demo_state, action, name)
            assert done.returncode == 2 and "not a regular file" in done.stderr, done.stderr
            assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert (folder / "9-9.json.failed").exists() and (folder / "8-8.json.conflict").is_symlink()


def test_a_link_in_the_kept_folder_to_a_kept_file_elsewhere_is_not_taken(
    capsys: pytest.CaptureFixture[str], demo_state: Path, tmp_path: Path
) -> None:
    """A link planted in the kept folder (group-writable, made by an older version) pointing at a kept
    file anywhere: it was listed and --apply saved what that file held as this user's annotation."""
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    elsewhere = tmp_path / "elsewhere.json.conflict"
    elsewhere.write_bytes(conflict.read_bytes().replace(b"my note", b"planted"))
    link = conflict.with_name("1-1.json.conflict")
    link.symlink_to(elsewhere)
    code, out, err = _kept(capsys, demo_state)
    assert code == 0 and "planted" not in out and "1-1.json.conflict" in err and "not a regular file" in err
    for action in ("--apply", "--discard"):
        code, out, err = _kept(capsys, demo_state, action, link.name)
        assert code == 2 and "not a regular file" in err and err.count("\n") == 1, (out, err)
    assert _notes(demo_state, article) == [(("theirs",), "their note")]  # seen: [(("mine",), "planted")]
    assert elsewhere.exists() and link.is_symlink() and conflict.exists()


def test_a_kept_file_of_another_account_is_listed_as_such_and_not_applied(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    """save_kept refuses a kept file another account owns (it would be saved as this user's annotation);
    --apply took it and saved what it held as this user's."""
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another account here")
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    planted = conflict.with_name("1-1.json.conflict")
    planted.write_bytes(conflict.read_bytes().replace(b"my note", b"forged"))
    os.chown(planted, 54321, 54321)
    code, out, err = _kept(capsys, demo_state)
    assert code == 0 and "forged" not in out and "another account" in err and "1-1.json.conflict" in err
    for action in ("--apply", "--discard"):
        code, _, err = _kept(capsys, demo_state, action, planted.name)
        assert code == 2 and "another account" in err and err.count("\n") == 1, err
    assert _notes(demo_state, article) == [(("theirs",), "their note")]  # seen: [(("mine",), "forged")]
    assert planted.exists()


def _refused(self: Path, *args: object, **kwargs: object) -> None:
    raise PermissionError(13, "Permission denied", str(self))


@pytest.mark.parametrize("action", ["--apply", "--discard"])
def test_a_kept_folder_that_cannot_be_written_is_one_line_and_the_file_stays(
    capsys: pytest.CaptureFixture[str], demo_state: Path, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """A read-only kept folder (or one made by another account): the file's removal raised
    PermissionError out of the command, a traceback (and after --apply, nothing said it was saved)."""
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    with monkeypatch.context() as patch:  # not undo(): that drops the fixture's XDG_STATE_HOME too
        patch.setattr(Path, "unlink", _refused)
        patch.setattr(Path, "rename", _refused)
        code, out, err = _kept(capsys, demo_state, action, conflict.name)
    assert code == 1 and "Permission denied" in err and conflict.name in err and err.count("\n") == 1, (out, err)
    assert conflict.exists()
    assert _notes(demo_state, article) == [(("theirs",), "their note")]  # nothing saved with the file left


def test_a_kept_folder_that_cannot_be_read_is_one_line(
    capsys: pytest.CaptureFixture[str], demo_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept folder of another account (a reader once run under sudo made it, 0700): listing it
    raised PermissionError out of the command, a traceback."""
    _conflict(demo_state, ["mine"], "my note")
    monkeypatch.setattr(Path, "iterdir", _refused)
    code, out, err = _kept(capsys, demo_state)
    assert code == 1 and "Permission denied" in err and err.count("\n") == 1 and "Traceback" not in err, (out, err)


def test_a_file_a_starting_reader_claims_while_it_is_listed_is_not_a_warning(
    capsys: pytest.CaptureFixture[str], demo_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader starting meanwhile renames *.json files to claim them: the listing warned
    "No such file or directory; left alone" for a file that was being saved."""
    _conflict(demo_state, ["mine"], "my note")
    folder = unsaved.default_unsaved_dir()
    waiting = folder / "1-1.json"
    waiting.write_text("{}", encoding="utf-8")
    real_lstat = Path.lstat

    def claimed_meanwhile(path: Path) -> os.stat_result:
        if path == waiting:
            path.rename(path.with_name(path.name + ".1.claimed"))
        return real_lstat(path)

    monkeypatch.setattr(Path, "lstat", claimed_meanwhile)
    code, out, err = _kept(capsys, demo_state)
    assert code == 0 and "my note" in out and err == ""  # seen: "...1-1.json: No such file or directory; left alone"


_ANY_TEXT = st.text(st.characters(), max_size=60)  # lone surrogates too: JSON escapes in a kept file


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(note=_ANY_TEXT, tag=_ANY_TEXT)
@example(note="a\udc9b[2J\udcff b", tag="\udc80")
def test_the_listing_of_any_note_and_tags_can_be_written_as_utf8_and_read_back(
    capsys: pytest.CaptureFixture[str],
    demo_index: Path,
    tmp_path_factory: pytest.TempPathFactory,
    note: str,
    tag: str,
) -> None:
    """A kept note holding bytes that were not UTF-8 is kept as JSON escapes (lone surrogates):
    `--json` printed them raw, a UnicodeEncodeError traceback under PYTHONIOENCODING=utf-8 and raw
    bytes 0x80-0xff (0x9b is a C1 CSI to some terminals) under the C.UTF-8 locale's surrogateescape."""
    assume(note != "")  # else it reads as the annotation did before the edit: nothing kept
    state = tmp_path_factory.mktemp("kept") / "state"
    shutil.copytree(demo_index, state)
    try:
        _conflict(state, [tag], note)
        code, out, _ = _kept(capsys, state, "--json")
        assert code == 0
        out.encode("utf-8")  # seen: UnicodeEncodeError (surrogates not allowed)
        (record,) = json.loads(out)
        assert record["note"] == note and record["tags"] == [tag]
        code, out, _ = _kept(capsys, state)
        assert code == 0
        out.encode("utf-8")
    finally:
        shutil.rmtree(unsaved.default_unsaved_dir(), ignore_errors=True)
        shutil.rmtree(state.parent, ignore_errors=True)


def test_two_applies_of_one_new_annotation_at_once_save_it_once(demo_state: Path) -> None:
    """Two shells ran `--apply NAME` of a new annotation (its edit deleted since) at the same time:
    both found nothing on the passage and each added one, two identical annotations stacked there."""
    article, base, conflict = _conflict(demo_state, ["mine"], "my note")
    folder = unsaved.default_unsaved_dir().absolute()
    answers: list[str] = []
    asked: list[bool] = []
    with _library(demo_state) as library:
        library.delete_annotation(article.id, base.id)
        add = library.add_annotation

        def the_other_shell_applies_it_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
            if not asked:
                asked.append(True)
                try:
                    answers.append(kept_review.apply(conflict.absolute(), folder, library))
                except Exception as exc:  # the other shell's answer, whatever it is
                    answers.append(f"{type(exc).__name__}: {exc}")
            return add(*args, **kwargs)

        library.add_annotation = the_other_shell_applies_it_meanwhile  # type: ignore[method-assign]
        first = kept_review.apply(conflict.absolute(), folder, library)
    assert first.startswith("saved") and "UsageError" in answers[0] and "already" in answers[0], answers
    assert _notes(demo_state, article) == [(("mine",), "my note")]  # seen: the same annotation twice
    assert not list(folder.iterdir())


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
        script += "unsaved._reclaim_from_the_dead(Path(sys.argv[1]))"
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
