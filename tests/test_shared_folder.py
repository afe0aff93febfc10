"""What a shared folder can hold: FIFOs, sockets, devices, names that are not UTF-8 or carry escapes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, Library, display_path
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.discover import discover
from newsdesk.index.ingest.reader import read_regular_file
from newsdesk.tui.cli import main

BODY = b"A title line\n\nThe talks in Geneva went on through the night.\n"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")  # (CSV ends its lines with \r\n itself)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_fifo_named_txt_is_one_warning_and_never_opened(tmp_path: Path) -> None:
    """The issue's attack: `newsdesk index` used to block forever on a FIFO, holding the update lock."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_bytes(BODY)
    os.mkfifo(corpus / "x.txt")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(corpus / "sock.txt"))
    (corpus / "null.txt").symlink_to("/dev/null")  # a device, reached through a link inside... /dev is outside
    os.mknod(corpus / "dev.txt", 0o600 | 0o020000, os.makedev(1, 3)) if os.geteuid() == 0 else None
    script = (
        "import sys; from pathlib import Path; from newsdesk.tui.cli import main;"
        f"sys.exit(main(['index', '--corpus', {str(corpus)!r}, '--state-dir', {str(tmp_path / 's')!r}]))"
    )
    try:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    finally:
        listener.close()
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.splitlines()
    assert sum("x.txt" in w and "FIFO" in w for w in warnings) == 1, warnings
    assert sum("sock.txt" in w and "socket" in w for w in warnings) == 1, warnings
    if os.geteuid() == 0:
        assert sum("dev.txt" in w and "device" in w for w in warnings) == 1, warnings
    assert "1 added" in done.stdout


def test_a_file_swapped_for_a_fifo_after_the_scan_is_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "late.txt")
    with pytest.raises(IngestError, match="FIFO"):
        read_regular_file(str(tmp_path / "late.txt"), 100)
    (tmp_path / "target.txt").write_bytes(BODY)
    (tmp_path / "link.txt").symlink_to(tmp_path / "target.txt")
    with pytest.raises(OSError):  # a link planted after the scan is not followed
        read_regular_file(str(tmp_path / "link.txt"), 100)


HOSTILE_NAMES = [
    b"caf\xe9-latin1.txt",  # not UTF-8
    b"\xff\xfe\xfd.txt",
    b"red-\x1b[31m-title-\x1b]0;pwned\x07-bell.txt",
    "rtl-\u202etxt.exe-line\nbreak.txt".encode(),
    "zero\u200bwidth.txt".encode(),
]


def test_names_that_are_not_utf8_or_carry_escapes_are_indexed_and_shown_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number, name in enumerate(HOSTILE_NAMES):
        with open(os.path.join(os.fsencode(corpus), name), "wb") as handle:
            handle.write(f"Title {number}\n\nStepanakert report number {number} about Geneva.\n".encode())
    common = ["--corpus", str(corpus), "--state-dir", str(tmp_path / "s")]
    code, out, err = run(capsys, "index", *common)
    assert code == 0 and f"{len(HOSTILE_NAMES)} added" in out, (out, err)
    with Library.open(corpus, state_dir=tmp_path / "s", config=Config()) as lib:
        stored = {os.fsencode(a.path) for a in lib.store.iter_articles()}
        assert stored == set(HOSTILE_NAMES)  # lossless: the exact bytes come back
        hits = lib.search("stepanakert", limit=50).hits
        assert len(hits) == len(HOSTILE_NAMES)
        for hit in hits:
            lib.annotate(hit.id, 0, 5, ["seen"], note="n")
        ids = [hit.id for hit in hits]
    outputs = [out, err]
    for article_id in ids:
        outputs += run(capsys, "show", article_id, *common)[1:]
        outputs += run(capsys, "show", article_id, "--json", *common)[1:]
    outputs += run(capsys, "search", "stepanakert", "--json", *common)[1:]
    for fmt in ("md", "csv", "json", "yaml"):
        code, out, err = run(capsys, "annotations", "export", "--format", fmt, *common)
        assert code == 0, err
        outputs += [out, err]
    joined = "".join(outputs)
    for raw in RAW_CONTROLS:
        assert raw not in joined, repr(raw)
    assert "\\x1b[31m" in joined and "caf\\xe9" in joined and "\\u202e" in joined
    # A path line never breaks in two.
    assert not any(line.startswith("break.txt") for line in joined.splitlines())


def test_the_same_name_in_two_forms_stays_two_files(tmp_path: Path) -> None:
    """A name with an undecodable byte never collides with a valid name that looks like its escape."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a\\xff.txt").write_bytes(BODY)
    with open(os.path.join(os.fsencode(corpus), b"a\xff.txt"), "wb") as handle:
        handle.write(BODY.replace(b"Geneva", b"Minsk"))
    with Library.open(corpus, state_dir=tmp_path / "s", config=Config()) as lib:
        assert lib.update().added == 2
        assert lib.search("geneva").total == 1 and lib.search("minsk").total == 1
        os.unlink(os.path.join(os.fsencode(corpus), b"a\xff.txt"))
        stats = lib.update()
        assert stats.removed == 1 and lib.search("minsk").total == 0 and lib.search("geneva").total == 1


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_display_path_never_lets_a_control_through(name: str) -> None:
    shown = display_path(name)
    assert not any(c in shown for c in (*RAW_CONTROLS, "\n", "\x00", "\u2028", "\u2029", "\x85"))
    assert all(not 0xDC80 <= ord(c) <= 0xDCFF for c in shown)
    shown.encode("utf-8")  # always printable on a UTF-8 terminal


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")))
def test_any_file_name_is_discovered_and_kept_exactly(tmp_path_factory: pytest.TempPathFactory, name: bytes) -> None:
    corpus = tmp_path_factory.mktemp("names")
    with open(os.path.join(os.fsencode(corpus), name + b".txt"), "wb") as handle:
        handle.write(BODY)
    found = discover(corpus, [".txt"])
    if name.startswith(b"."):
        assert found.files == []  # hidden files are passed over on purpose
        return
    assert [os.fsencode(f.relpath) for f in found.files] == [name + b".txt"]
