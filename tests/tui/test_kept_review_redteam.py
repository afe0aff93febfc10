"""A red-team pass over ``newsdesk annotations kept``: what its folder can hold, errors, races, text.

Each test names what was seen before its fix. The kept folder is the user's own (0700), but one
made by an older version or under a group's umask may hold what another account put there, and a
reader starting at the same time renames files in it. Passages, corpora, locks and names are in
tests/tui/test_kept_review_redteam_text.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from newsdesk.index import Annotation, Article
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import kept_review, unsaved

from tests.tui.test_kept_review import _kept, _library, _set_aside
from tests.tui.test_kept_review import _now as _notes


def _conflict(state: Path, tags: list[str], note: str) -> tuple[Article, Annotation, Path]:
    """An edit set aside at the next start; a tag the annotation files refuse sets it aside as failed."""
    return _set_aside(state, tags, note)[:3]


def _kept_in_a_process(state: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, so that a hang is a timeout, not a stuck test run."""
    command = [sys.executable, "-m", "newsdesk.tui.cli", "annotations", "kept"]
    command += ["--corpus", str(demo_corpus()), "--state-dir", str(state), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


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
