"""Red team of the squashing-mount ownership rule (index/ownership.py, ``file_owner``).

Simulated as tests/test_squashed_owners.py does: run as root (every file the tests make is
owned by 0) and tell newsdesk its uid is another one, so uid 0 is what its new files get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsdesk.index import Config, Library, SavedSearches
from newsdesk.index.annotations import AnnotationStore, current_user, file_owner
from newsdesk.index.saved import SavedSearchFileError
from newsdesk.tui.cli import main

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="simulating a squashing mount needs files owned by root")

MAPPED_AWAY = 4242


@pytest.fixture
def squashed(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.index import ownership

    monkeypatch.setattr(ownership, "_PROBED", {})
    monkeypatch.setattr(os, "geteuid", lambda: MAPPED_AWAY)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


NOT_ACCOUNT_NAMES = ["\x1b]0;owned\x07", "[blink]x", ".", "-", ".yaml", "a\u202eb", "alice\n", ".alice"]
"""File stems another account on the mount can give a file: an OSC title and BEL, Textual markup,
names no account has (``..yaml``, ``-.yaml``, ``.yaml``), a bidi override, alice with a newline,
a hidden alice. Seen: each one the author of a copy of alice's annotation, the first printed raw
by ``newsdesk annotations list`` (the terminal's title set), "alice\\n" listed as alice."""


def test_a_file_name_that_is_no_account_name_is_not_an_author(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, squashed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "alice")  # uid 4242 has no passwd entry: the name comes from here
    news = tmp_path / "news"
    news.mkdir()
    (news / "talks.txt").write_text("Talks\n\nThe talks in Geneva went on.\n")
    corpus = ["--corpus", str(news)]
    added = _run(capsys, "annotations", "add", "talks.txt", "--quote", "talks in Geneva", "--tag", "x", *corpus)
    assert added[0] == 0, added
    (mine,) = tmp_path.rglob("annotations/*/*.yaml")
    assert mine.name == "alice.yaml"
    for stem in NOT_ACCOUNT_NAMES:
        shutil.copy(mine, mine.parent / f"{stem}.yaml")
    code, out, _ = _run(capsys, "annotations", "list", *corpus)
    assert code == 0 and len(out.splitlines()) == 1 + len(NOT_ACCOUNT_NAMES)
    assert not any(c in out for c in "\x1b\x07\u202e") and "blink" not in out, repr(out)
    with Library.open(news, config=Config()) as library:
        placed = AnnotationStore(library.state_dir, user="alice").for_article(library.article("talks.txt")).placed
    # what the uid says (on a real mount "nobody"; uid 0 here), never the name, never alice's own
    assert sorted((p.annotation.author, p.own) for p in placed) == [("alice", True)] + [("root", False)] * len(
        NOT_ACCOUNT_NAMES
    )


ATTACKER = 4243
"""Another account on the server, planting a file named after the user on a local file system."""


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on another device, standing for a mount that gives this account's new files the
    attacker's uid: a FUSE mount of theirs (``allow_other``), an export or a vfat stick mounted
    with ``anonuid=``/``uid=`` theirs. Its answer is simulated: a probe made there gets that uid."""
    from newsdesk.index import ownership

    folder = Path(tempfile.mkdtemp(dir="/dev/shm")) if Path("/dev/shm").is_dir() else None
    if folder is None or os.stat(folder).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on another device than the tests' temporary folder")
    monkeypatch.setattr(ownership, "_PROBED", {})
    real = tempfile.mkstemp

    def mkstemp(**kwargs: Any) -> tuple[int, str]:
        fd, name = real(**kwargs)
        if os.fstat(fd).st_dev == os.stat(folder).st_dev:
            os.fchown(fd, ATTACKER, -1)
        return fd, name

    monkeypatch.setattr(ownership.tempfile, "mkstemp", mkstemp)
    yield folder
    shutil.rmtree(folder)


def _planted(tmp_path: Path) -> Path:
    """``root.yaml`` (this account's name: the tests run as root) planted by the attacker on the local disk."""
    folder = tmp_path / "state" / "annotations" / "0123456789abcdef"
    folder.mkdir(parents=True)
    planted = folder / f"{current_user()}.yaml"
    planted.write_text("annotations: []\n")
    os.chown(planted, ATTACKER, -1)
    return planted


def test_a_folder_swapped_for_a_link_between_the_stat_and_the_probe_answers_nothing_for_the_disk(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attacker swaps the article folder (or ``annotations/`` above it, any group member can)
    for a link into their mount while the probe runs. Seen: the uid the probe got there was
    remembered for the local disk, and every file the attacker owns on it was this account's:
    a planted ``root.yaml`` read as the user's own notes, a planted saved-searches file as theirs."""
    from newsdesk.index import ownership

    planted = _planted(tmp_path)
    folder, aside = planted.parent, planted.parent.with_name("aside")
    probe = ownership.tempfile.mkstemp

    def swapped(**kwargs: Any) -> tuple[int, str]:
        folder.rename(aside)
        folder.symlink_to(elsewhere)
        try:
            return probe(**kwargs)
        finally:
            folder.unlink()
            aside.rename(folder)

    monkeypatch.setattr(ownership.tempfile, "mkstemp", swapped)
    assert file_owner(planted, planted.lstat()) == f"uid {ATTACKER}"
    monkeypatch.setattr(ownership.tempfile, "mkstemp", probe)
    assert file_owner(planted, planted.lstat()) == f"uid {ATTACKER}"


def test_a_folder_swapped_for_a_link_after_the_file_was_read_answers_nothing_for_the_file(
    tmp_path: Path, elsewhere: Path
) -> None:
    """The file is read on the local disk, then its folder is a link into the attacker's mount when
    asked whose it is. Seen: the probe answered for the mount, and the attacker's file on the local
    disk was the user's own."""
    planted = _planted(tmp_path)
    info = planted.lstat()
    folder = planted.parent
    folder.rename(folder.with_name("aside"))
    folder.symlink_to(elsewhere)
    assert file_owner(planted, info) == f"uid {ATTACKER}"


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Files made immutable (``chattr +i``): this account cannot write them, as on an NFSv4 mount whose
    id mapping fails (every owner shown as "nobody", the server still enforcing the real ones)."""
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr")
    made: list[Path] = []
    yield made
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def _chattr_immutable(path: Path, made: list[Path]) -> None:
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0:
        pytest.skip("the file system has no immutable attribute")
    made.append(path)
    assert not os.access(path, os.W_OK)


def test_a_file_shown_as_the_mapped_uid_that_this_account_cannot_write_is_not_its_own(
    tmp_path: Path, squashed: None, immutable: list[Path]
) -> None:
    """Where the uid a mount shows is one for all but the server still knows the accounts (an NFSv4
    mount whose id mapping fails: every owner "nobody", as under Kerberos with a wrong id domain),
    another account's file shows as the uid this account's new files get. Seen: bob's file named
    ``alice.yaml`` (no file of alice's on that article yet) was alice's own note, and bob's
    ``saved/alice.yaml`` her saved searches, though the server would not let her change either: on
    such a mount "any of them can write any file" (docs/reliability.md) does not hold. A file this
    account cannot write is not its own, whatever uid it shows."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "talks.txt").write_text("Talks\n\nThe talks in Geneva went on.\n")
    with Library.open(news, state_dir=tmp_path / "state", config=Config()) as library:
        library.update()
        article = library.article("talks.txt")
        bob = AnnotationStore(library.state_dir, user="bob")
        bob.add(article, 4, 9, ["x"], "written by bob, as alice")
        written = bob.files.own_file(article.id)
        forged = written.with_name("alice.yaml")
        forged.write_text(written.read_text().replace("bob", "alice"))
        written.unlink()
        _chattr_immutable(forged, immutable)
        placed = AnnotationStore(library.state_dir, user="alice").for_article(article).placed
        assert [(p.annotation.author, p.own) for p in placed] == [("root", False)]
        saved = SavedSearches(library.state_dir, library.store, library.engine, "bob")
        saved.add("talks", "talks")
        planted = saved.file.path.with_name("alice.yaml")
        planted.write_text(saved.file.path.read_text().replace("bob", "alice"))
        _chattr_immutable(planted, immutable)
        with pytest.raises(SavedSearchFileError, match="not this account"):
            SavedSearches(library.state_dir, library.store, library.engine, "alice").names()


def test_a_probe_hung_on_one_mount_does_not_hold_up_a_file_on_another(tmp_path: Path) -> None:
    """A probe waits as long as its mount does (an NFS server gone, a hard mount): kept annotations
    in an NFS home while the state folder is on the local disk. Seen: the probe held one lock for
    every device, and whose a file on the local disk was waited for the NFS server, for good: the
    Notes tab of every article with another account's file never came."""
    from newsdesk.index import ownership

    hung, local = tmp_path / "nfs-home", Path(tempfile.mkdtemp(dir="/dev/shm"))
    hung.mkdir()
    release = threading.Event()
    real = tempfile.mkstemp

    def mkstemp(**kwargs: Any) -> tuple[int, str]:
        if Path(kwargs["dir"]) == hung:
            release.wait(30)
        return real(**kwargs)

    other = local / "bob.yaml"
    other.write_text("annotations: []\n")
    os.chown(other, ATTACKER, -1)
    answers: list[str] = []
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ownership, "_PROBED", {})
            patch.setattr(ownership.tempfile, "mkstemp", mkstemp)
            probing = threading.Thread(target=ownership.new_file_uid, args=(hung,), daemon=True)
            probing.start()
            time.sleep(0.2)  # the probe on the hung mount is under way
            asking = threading.Thread(target=lambda: answers.append(file_owner(other, other.lstat())), daemon=True)
            asking.start()
            asking.join(5)
            assert answers == [f"uid {ATTACKER}"]
            release.set()
            probing.join(5)
    finally:
        release.set()
        shutil.rmtree(local)
