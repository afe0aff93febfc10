"""Red-team regressions for issue 11 (hostile names and state): every line the CLI prints is safe for a terminal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from newsdesk.tui.cli import main

HOSTILE = "evil\x1b]52;c;aGVsbG8=\x07\x1b[2J\u202eevil\nsecond line"


def _assert_terminal_safe_one_line(text: str) -> None:
    assert text.endswith("\n") and text.count("\n") == 1, text
    assert not any(ord(c) < 0x20 and c != "\n" for c in text), repr(text)
    assert "\u202e" not in text and not any(0xDC80 <= ord(c) <= 0xDCFF for c in text), repr(text)


@pytest.mark.parametrize("name", [HOSTILE, os.fsdecode(b"bad\xff\x1bname")])
def test_corpus_not_found_line_escapes_the_name(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    code = main(["search", "x", "--corpus", str(tmp_path / name), "--state-dir", str(tmp_path / "state")])
    err = capsys.readouterr().err
    assert code == 2 and "corpus not found" in err
    _assert_terminal_safe_one_line(err)


def test_a_fifo_given_as_corpus_is_one_escaped_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / HOSTILE
    os.mkfifo(fifo)
    code = main(["index", "--corpus", str(fifo), "--state-dir", str(tmp_path / "state")])
    err = capsys.readouterr().err
    assert code == 2 and "not a folder or a file" in err
    _assert_terminal_safe_one_line(err)


def test_a_garbled_segment_of_the_same_size_is_healed_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Garbage written inside a segment keeps its size, so the manifest check passes; the read must still heal."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(3):
        (corpus / f"a{number}.txt").write_text(f"Kalo title {number}\n\nkalo body words {number}\n", encoding="utf-8")
    state = tmp_path / "state"
    assert main(["index", "--corpus", str(corpus), "--state-dir", str(state)]) == 0
    segment = next(state.glob("whoosh-*/*.seg"))
    size = segment.stat().st_size
    # Most of the segment, not one spot: where each field's postings lie in it varies from run to
    # run, and garbage only in the hidden prefix fields' postings is never read by this query.
    with segment.open("r+b") as handle:
        handle.seek(50)
        handle.write(b"GARBAGE" * ((size * 8 // 10) // 7))
    os.truncate(segment, size)
    capsys.readouterr()
    code = main(["search", "kalo", "--corpus", str(corpus), "--state-dir", str(state)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "3 hits" in out and "damaged" in err and "Traceback" not in err


def test_a_thousand_levels_of_parentheses_say_what_to_change(tmp_path: Path) -> None:
    """Whoosh's parser hits Python's recursion limit; the message must name the nesting, not the interpreter."""
    from newsdesk.index import Config, Library, QueryTooCostly

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Kalo\n\nkalo words\n", encoding="utf-8")
    with Library.open(corpus, state_dir=tmp_path / "state", config=Config()) as library:
        library.update()
        with pytest.raises(QueryTooCostly, match="nested too deeply"):
            library.search("(" * 1000 + "kalo" + ")" * 1000)
