"""Red team of the squashing-mount ownership rule (index/ownership.py, ``file_owner``).

Simulated as tests/test_squashed_owners.py does: run as root (every file the tests make is
owned by 0) and tell newsdesk its uid is another one, so uid 0 is what its new files get.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.annotations import AnnotationStore
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
