"""Incremental indexing and bad files: nothing stops a run, nothing is lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from newsdesk.index import ArticleNotFound, Config, Library, UsageError
from newsdesk.index.config import IngestConfig

from .conftest import write


def touch_later(path: Path) -> None:
    """Make sure the mtime moves even on coarse-grained file systems."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_first_update_adds_everything(corpus: Path, tmp_path: Path) -> None:
    with Library.open(corpus, state_dir=tmp_path / "s") as lib:
        stats = lib.update()
        assert (stats.added, stats.updated, stats.removed) == (3, 0, 0)
        assert lib.count() == 3
        assert lib.status().in_sync
        assert "3 added" in stats.summary()


def test_second_update_reads_nothing(library: Library) -> None:
    stats = library.update()
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == (0, 0, 0, 3)


def test_added_changed_and_deleted_files(library: Library, corpus: Path) -> None:
    write(corpus, "reports/new.txt", "Convoy reaches Goris\n\nA relief convoy reached Goris today.\n")
    changed = corpus / "reports/shelling.txt"
    changed.write_text("Shelling stops in Stepanakert\n\nThe guns fell silent over Stepanakert.\n")
    touch_later(changed)
    (corpus / "analysis/outlook.md").unlink()
    stats = library.update()
    assert (stats.added, stats.updated, stats.removed) == (1, 1, 1)
    assert {h.path for h in library.search("convoy").hits} == {"reports/new.txt"}
    assert library.search("mercenary").total == 1  # the changed file no longer says it
    assert library.search("silent").total == 1
    assert library.search("truce").total == 0


def test_touched_but_unchanged_file_is_not_reindexed(library: Library, corpus: Path) -> None:
    touch_later(corpus / "reports/shelling.txt")
    stats = library.update()
    assert (stats.added, stats.updated, stats.unchanged) == (0, 0, 3)


def test_rebuild_starts_over(library: Library) -> None:
    stats = library.update(rebuild=True)
    assert stats.added == 3 and stats.rebuilt_index
    assert library.search("mercenary").total == 2


def test_index_rebuilds_itself_when_out_of_sync(library: Library) -> None:
    from newsdesk.index.indexer import META_SYNCED
    from newsdesk.index.store import ArticleStore

    with library.store.transaction() as db:
        ArticleStore.set_meta(db, META_SYNCED, "0")  # as if an update died half-way
    assert not library.status().in_sync
    stats = library.update()
    assert stats.rebuilt_index and library.status().in_sync
    assert library.search("mercenary").total == 2


def test_bad_files_are_skipped_with_one_line_warnings(corpus: Path, tmp_path: Path) -> None:
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (corpus / "empty.txt").write_text("")
    (corpus / "latin1.txt").write_bytes("Caf\xe9 talks\n\nThe caf\xe9 reopened.".encode("latin-1"))
    (corpus / "big.txt").write_text("word " * 300_000)
    (corpus / "ignored.odt").write_bytes(b"%PDF")
    config = Config(ingest=IngestConfig(max_file_mb=1.0))
    with Library.open(corpus, state_dir=tmp_path / "s", config=config) as lib:
        stats = lib.update()
        warnings = "\n".join(stats.warnings)
        assert "binary.txt: skipped: binary file" in warnings
        assert "empty.txt: skipped: empty file" in warnings
        assert "big.txt: skipped: larger than 1 MB" in warnings
        assert "latin1.txt:" in warnings and "UTF-8" in warnings
        assert "ignored.odt" not in warnings
        assert all("\n" not in w for w in stats.warnings)
        assert stats.skipped == 3
        assert lib.count() == 4
        assert lib.search("reopened").total == 1
        again = lib.update()
        assert again.skipped == 3 and again.warnings == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_skipped(corpus: Path, tmp_path: Path) -> None:
    secret = corpus / "secret.txt"
    secret.write_text("Hidden\n\nNobody may read this.")
    secret.chmod(0)
    with Library.open(corpus, state_dir=tmp_path / "s") as lib:
        stats = lib.update()
        assert any("secret.txt: skipped: cannot read" in w for w in stats.warnings)
        assert lib.count() == 3


def test_symlinks_leaving_the_corpus_are_not_followed(corpus: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "private.txt", "Private notes\n\nNot part of the corpus.")
    (corpus / "link.txt").symlink_to(outside / "private.txt")
    (corpus / "linkdir").symlink_to(outside)
    (corpus / "loop").symlink_to(corpus)
    (corpus / "inside.txt").symlink_to(corpus / "reports" / "shelling.txt")
    with Library.open(corpus, state_dir=tmp_path / "s") as lib:
        stats = lib.update()
        assert any("link.txt: symlink leaves the corpus" in w for w in stats.warnings)
        assert any("linkdir: symlink leaves the corpus" in w for w in stats.warnings)
        assert lib.search("private").total == 0
        assert lib.count() == 4  # the inside link is an article of its own path


def test_single_file_corpus(corpus: Path, tmp_path: Path) -> None:
    with Library.open(corpus / "reports" / "shelling.txt", state_dir=tmp_path / "s") as lib:
        lib.update()
        assert lib.count() == 1
        assert lib.article("shelling.txt").title == "Shelling hits Stepanakert overnight"


def test_article_lookup_by_id_and_path(library: Library, corpus: Path) -> None:
    article = library.article("reports/shelling.txt")
    assert library.article(article.id) == article
    assert library.article(str(corpus / "reports" / "shelling.txt")) == article
    for bad in ("../etc/passwd", "/etc/passwd", "reports/../../x", "nope.txt", "0123456789abcdef"):
        with pytest.raises(ArticleNotFound):
            library.article(bad)


def test_missing_corpus_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="corpus not found"):
        Library.open(tmp_path / "nope")


def test_state_dir_defaults_inside_the_corpus(corpus: Path) -> None:
    with Library.open(corpus) as lib:
        assert lib.state_dir == corpus.resolve() / ".newsdesk"
        lib.update()
        assert lib.count() == 3  # the state dir itself is never indexed


def test_read_only_corpus_falls_back_to_the_data_dir(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.index import locations

    # Root can write anywhere, so read-only is simulated where the check is made.
    monkeypatch.setattr(locations, "_writable_dir", lambda path: False)
    with Library.open(corpus) as lib:
        assert str(lib.state_dir).startswith(os.environ["XDG_DATA_HOME"])
        assert lib.update().added == 3
    assert not (corpus / ".newsdesk").exists()


def test_large_update_uses_the_parallel_path(tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    for i in range(2100):
        write(corpus, f"d{i // 500}/a{i}.txt", f"Headline {i}\n\nBody of article {i} about topic{i % 7}.\n")
    with Library.open(corpus, state_dir=tmp_path / "s") as lib:
        stats = lib.update()
        assert stats.added == 2100 and stats.rebuilt_index
        assert lib.search("topic3").total == 300
        assert lib.search('"article 1999"').total == 1


def test_a_second_updater_waits_and_then_gives_a_clear_error(library: Library, tmp_path: Path) -> None:
    import subprocess
    import sys

    from newsdesk.index import CorpusError

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock;"
            f"lock = FileLock({str(library.state_dir / 'update.lock')!r}); lock.acquire();"
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(CorpusError, match="another newsdesk process is updating"):
            library.update(wait=0.5)
        assert library.search("mercenary").total == 2  # readers are not blocked
    finally:
        holder.kill()
        holder.wait()
    assert library.update().unchanged == 3


def test_updates_from_a_script_on_stdin(tmp_path: Path) -> None:
    import subprocess
    import sys

    corpus = tmp_path / "c"
    for i in range(2100):
        write(corpus, f"a{i}.txt", f"Headline {i}\n\nText number {i} about harbours.\n")
    # Spawned workers re-import the main script, which a script on stdin lacks:
    # the update must go in-process instead of breaking (or hanging a writer).
    script = (
        "from pathlib import Path\nfrom newsdesk.index import Library\n"
        f"lib = Library.open(Path({str(corpus)!r}), state_dir=Path({str(tmp_path / 's')!r}))\n"
        "print(lib.update().added, lib.search('harbours').total)\n"
    )
    proc = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.split() == ["2100", "2100"]
    assert "Traceback" not in proc.stderr


def test_a_parser_failing_unexpectedly_skips_that_file_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in one format's parser (here a RuntimeError) costs that file, not the whole update."""
    from newsdesk.index.ingest import reader

    real = reader.parse_file

    def parse(path: Path, data: bytes, options: object) -> object:
        if path.name == "broken.txt":
            raise RuntimeError("File 'x' is encrypted,\npassword required")
        return real(path, data, options)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "parse_file", parse)
    corpus = tmp_path / "c"
    write(corpus, "good.txt", "Good news\n\nGeneva talks resumed.\n")
    write(corpus, "broken.txt", "Broken\n\nNever read.\n")
    with Library.open(corpus, state_dir=tmp_path / "s") as lib:
        stats = lib.update()
        assert stats.added == 1 and lib.search("Geneva").total == 1
    skipped = [w for w in stats.warnings if "broken.txt" in w]
    assert len(skipped) == 1 and "RuntimeError" in skipped[0] and "\n" not in skipped[0]
