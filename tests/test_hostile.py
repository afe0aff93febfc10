"""Hostile and broken input: a generated corpus, YAML bombs, path tricks, failing disks."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.annotations import AnnotationFileError, AnnotationStore, owner_by_file_name
from newsdesk.index.article import Article
from newsdesk.index.config import load_config
from newsdesk.index.entities import load_lists
from newsdesk.index.errors import ConfigError, IngestError
from newsdesk.index.ingest.formats import ParseOptions, parse_file
from newsdesk.tui.cli import main

ESC, CSI, OSC = "\x1b", "\x9b", "\x9d"
HOSTILE_TEXT = (
    "[bold red]Markup[/] and [TODO] and [link=https://evil.example]a link[/link] stay literal.\n"
    "ANSI \x1b[31mred\x1b[0m, a title set \x1b]0;pwned\x07, "
    "OSC 8 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\, "
    "clipboard \x1b]52;c;cm0gLXJmIH4=\x07, C1 \x9b2J and \x9d0;x\x9c, bell \x07, backspace \x08, "
    "bidi \u202eevil\u202c and \u2066iso\u2069.\n\nA second paragraph mentions Geneva and Vladimir Putin.\n"
)
FORBIDDEN = (ESC, CSI, OSC, "\x07", "\x08", "\x9c", "\u202e", "\u2066")


def hostile_corpus(root: Path) -> Path:
    """The corpus the issue lists, generated (no binaries are checked in)."""
    root.mkdir()
    (root / "markup.txt").write_text("[b]Title[/b] \x1b[2J with \u202eescape\n\n" + HOSTILE_TEXT)
    (root / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (root / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me in Gen\xe8ve\n\nThe talks went on.\n".encode("latin-1"))
    (root / "huge.txt").write_bytes(b"word " * (50 * 1024 * 1024 // 5))
    (root / "one-paragraph.txt").write_text("Long read\n\n" + "\n".join(f"line {n} of it" for n in range(10_000)))
    (root / "empty.txt").write_text("")
    (root / "blank.md").write_text("   \n\n  ")
    (root / "loop").symlink_to(root / "loop")
    (root / "outside.txt").symlink_to("/etc/hostname")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root)
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hostile_corpus_indexes_the_rest_and_no_escape_reaches_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = hostile_corpus(tmp_path / "corpus")
    state = tmp_path / "state"
    common = ["--corpus", str(corpus), "--state-dir", str(state)]
    code, out, err = run(capsys, "index", *common)
    assert code == 0
    warnings = err.splitlines()
    for name in ("binary.txt", "huge.txt", "empty.txt", "blank.md", "outside.txt"):
        assert sum(name in line for line in warnings) == 1, (name, warnings)
    assert "3 added" in out  # markup.txt, latin1.txt, one-paragraph.txt
    outputs = [out, err]
    for argv in (
        ["search", "markup"],
        ["search", "markup", "--json"],
        ["show", "markup.txt"],
        ["show", "markup.txt", "--json"],
        ["entities", "markup.txt"],
        ["entities", "--top", "5"],
    ):
        code, out, err = run(capsys, *argv, *common)
        assert code == 0, (argv, err)
        outputs += [out, err]
    run(
        capsys,
        "annotations",
        "add",
        "markup.txt",
        "--quote",
        "[TODO]",
        "--tag",
        "odd",
        "--note",
        "note with \x1b[31m escape and [b]markup[/b]",
        *common,
    )
    for fmt in ("md", "csv", "yaml"):
        outputs.append(run(capsys, "annotations", "export", "--format", fmt, *common)[1])
    outputs.append(run(capsys, "annotations", "list", *common)[1])
    joined = "".join(outputs)
    assert "[TODO]" in joined and "[bold red]Markup[/]" in joined  # markup shown literally
    for forbidden in FORBIDDEN:
        assert forbidden not in joined, repr(forbidden)
    assert not (corpus / ".newsdesk").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "state"]


@pytest.mark.parametrize("ref", ["../x", "../../etc/passwd", "/etc/passwd", "sub/../../x", "..", "%2e%2e/x", "\x00"])
def test_path_tricks_in_ids_are_refused_by_every_command(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path, ref: str
) -> None:
    common = ["--corpus", str(corpus), "--state-dir", str(tmp_path / "state")]
    for argv in (
        ["show", ref],
        ["entities", ref],
        ["annotations", "list", ref],
        ["annotations", "add", ref, "--quote", "Geneva", "--tag", "x"],
    ):
        code, out, err = run(capsys, *argv, *common)
        assert code in (1, 2) and out == "", argv  # 1: no such article, 2: not a valid reference
        assert err.startswith("newsdesk: error:") and err.count("\n") == 1, (argv, err)
    assert not list((tmp_path / "state").glob("annotations/*/*.yaml"))


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(20)
)
DEEP = "a: " + "[" * 10_000 + "]" * 10_000 + "\n"
PYTHON_TAG = "a: !!python/object/apply:os.system ['touch /tmp/newsdesk-pwned']\n"


@pytest.mark.parametrize(
    "content",
    [BOMB, DEEP, PYTHON_TAG, "x: " + "y" * (20 * 1024 * 1024) + "\n"],
    ids=["billion-laughs", "deep", "python-tag", "huge"],
)
def test_yaml_attacks_are_refused_fast_everywhere_yaml_is_read(tmp_path: Path, content: str) -> None:
    """Each refusal costs under 1 s of this thread's CPU: an expanded bomb or a parsed
    20 MB value would cost many seconds, while a loaded machine adds wall time, not CPU."""
    config = tmp_path / "config.yaml"
    watchlist = tmp_path / "watchlist.yaml"
    annotations = tmp_path / "state" / "annotations" / "0123456789abcdef" / "alice.yaml"
    annotations.parent.mkdir(parents=True)
    article_md = tmp_path / "article.md"
    for path in (config, watchlist, annotations):
        path.write_text(content)
    article_md.write_text("---\n" + content + "---\nBody text here.\n")
    article = Article(id="0123456789abcdef", path="a.md", item=0, title="t", text="Body", content_hash="h")
    checks = [
        (lambda: load_config(config), ConfigError),
        (lambda: load_lists(watchlist, tmp_path / "none.yaml"), ConfigError),
    ]
    for load, error in checks:
        started = time.thread_time()
        with pytest.raises(error) as raised:
            load()
        assert time.thread_time() - started < 1.0  # CPU time: other processes' load doesn't count
        assert "\n" not in str(raised.value)
    started = time.thread_time()
    found = AnnotationStore(tmp_path / "state", user="alice", owner_of=owner_by_file_name).for_article(article)
    assert time.thread_time() - started < 1.0  # CPU time: other processes' load doesn't count
    assert found.placed == [] and len(found.errors) == 1 and str(annotations) in found.errors[0]
    started = time.thread_time()
    with pytest.raises(IngestError, match="front matter"):  # the reader skips the file with this reason
        parse_file(article_md, article_md.read_bytes(), ParseOptions())
    assert time.thread_time() - started < 1.0  # CPU time: other processes' load doesn't count
    assert not Path("/tmp/newsdesk-pwned").exists()


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_a_failing_disk_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    article = Article(id="0123456789abcdef", path="a.md", item=0, title="t", text="Body text", content_hash="h")
    store = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    store.add(article, 0, 4, ["kept"])
    path = tmp_path / "annotations" / article.id / "alice.yaml"
    before = path.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC if failing != "fsync" else errno.EIO, os.strerror(errno.ENOSPC))

    if failing == "write":
        monkeypatch.setattr("newsdesk.index.atomic.os.fdopen", fail)
    else:
        monkeypatch.setattr(f"newsdesk.index.atomic.os.{failing}", fail)
    with pytest.raises(AnnotationFileError, match="not saved"):
        store.add(article, 5, 9, ["lost?"])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".*.tmp"))
    store.add(article, 5, 9, ["retried"])  # the session can retry once the disk is back
    assert [p.annotation.tags for p in store.for_article(article).placed] == [("kept",), ("retried",)]


def test_library_survives_a_deleted_index(corpus: Path, tmp_path: Path) -> None:
    """The index is a cache: deleting it loses nothing, the next update rebuilds it."""
    with Library.open(corpus, state_dir=tmp_path / "s", config=Config()) as lib:
        lib.update()
        before = lib.search("mercenary").total
        article = lib.article("reports/shelling.txt")
        lib.annotate(article.id, 0, 8, ["kept"])
    for folder in (tmp_path / "s").glob("whoosh-*"):
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    with Library.open(corpus, state_dir=tmp_path / "s", config=Config()) as lib:
        lib.update()
        assert lib.search("mercenary").total == before
        assert lib.search("tag:kept").total == 1


def test_files_that_vanish_or_change_while_indexing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the folder scan and the read, one file is deleted and one rewritten."""
    import newsdesk.index.indexer as indexer

    real_discover = indexer.discover

    def discover_then_meddle(*args: object, **kwargs: object) -> object:
        found = real_discover(*args, **kwargs)
        (corpus / "reports" / "shelling.txt").unlink()
        (corpus / "reports" / "ceasefire.txt").write_text("Rewritten\n\nThe text changed mid-index, about Baku.\n")
        return found

    with Library.open(corpus, state_dir=tmp_path / "s", config=Config()) as lib:
        monkeypatch.setattr(indexer, "discover", discover_then_meddle)
        stats = lib.update()
        monkeypatch.undo()
        assert [w for w in stats.warnings if "shelling.txt" in w] == [
            "reports/shelling.txt: skipped: cannot read: No such file or directory"
        ]
        assert lib.search("Baku").total == 1  # the new text, read whole
        stats = lib.update()  # the next update settles both
        assert stats.removed == 0 and lib.count() == 2
        assert lib.search("basements").total == 0  # the vanished file left nothing behind
