"""Readers never wait on the writer: no write on open, short write transactions, searches during rebuilds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path

import newsdesk.index.engine.search as search_module
import newsdesk.index.indexer as indexer_module
import newsdesk.index.indexfolder as indexfolder_module
import newsdesk.index.store as store_module
import pytest
from newsdesk.index import Config, Library


def make_corpus(root: Path, files: int) -> Path:
    root.mkdir()
    for number in range(files):
        folder = root / f"{number // 100:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{number:05d}.txt").write_text(
            f"Report {number}\n\nThe talks in Geneva went on. Item {number} mentions Stepanakert and Baku.\n"
            + "More words about the ceasefire and the corridor. " * 20
        )
    return root


def test_opening_and_searching_never_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: Library) -> None:
    """With another session holding the write lock, a new session opens, searches and shows at once."""
    library.close()
    writer = sqlite3.connect(library.state_dir / "articles.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what an update's write transaction holds
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.0)  # any write attempt would fail at once
    try:
        with Library.open(library.corpus, state_dir=library.state_dir, config=Config()) as reader:
            assert reader.status().in_sync
            assert reader.search("mercenary").total == 2
            assert reader.article("reports/shelling.txt").title.startswith("Shelling")
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_the_indexer_holds_no_write_transaction_while_it_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = make_corpus(tmp_path / "corpus", 40)
    state = tmp_path / "state"
    real_read_entries = indexer_module.read_entries
    probes: list[str] = []

    def read_and_probe(*args: object, **kwargs: object) -> Iterator[object]:
        for result in real_read_entries(*args, **kwargs):
            other = sqlite3.connect(state / "articles.db", timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # fails at once if the indexer holds a write transaction
                other.execute("ROLLBACK")
                probes.append("free")
            finally:
                other.close()
            yield result

    monkeypatch.setattr(indexer_module, "read_entries", read_and_probe)
    with Library.open(corpus, state_dir=state, config=Config()) as lib:
        for rebuild in (False, True):
            stats = lib.update(rebuild=rebuild)
            assert stats.added == 40
    assert probes == ["free"] * 80


def test_results_are_written_in_batches_of_at_most_500_files_or_half_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/reliability.md: "results are written in batches of at most 500 files or 0.5 s". The indexer's
    clock is replaced by one the test moves: still, 1,200 files are written 500, 500, 200; moving 0.2 s
    a file, every batch holds the files read in at most 0.5 s (three)."""
    corpus = make_corpus(tmp_path / "corpus", 1200)
    clock = [0.0]
    step = [0.0]
    batches: list[list[str]] = []
    real_read_entries = indexer_module.read_entries
    real_transaction = store_module.ArticleStore.transaction
    real_record = indexer_module.Indexer._record

    def read_and_tick(*args: object, **kwargs: object) -> Iterator[object]:
        for result in real_read_entries(*args, **kwargs):
            clock[0] += step[0]
            yield result

    def transaction(self: store_module.ArticleStore) -> object:
        batches.append([])
        return real_transaction(self)

    def record(self: object, db: object, result: object, *args: object, **kwargs: object) -> None:
        batches[-1].append(result.entry.relpath)  # type: ignore[attr-defined]
        real_record(self, db, result, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer_module, "read_entries", read_and_tick)
    monkeypatch.setattr(store_module.ArticleStore, "transaction", transaction)
    monkeypatch.setattr(indexer_module.Indexer, "_record", record)
    # The indexer's own clock only: the time module is shared with sqlite3 waits and the worker pools.
    fake_time = types.SimpleNamespace(monotonic=lambda: clock[0], perf_counter=time.perf_counter, time_ns=time.time_ns)
    monkeypatch.setattr(indexer_module, "time", fake_time)
    with Library.open(corpus, state_dir=tmp_path / "state", config=Config()) as lib:
        assert lib.update().added == 1200
        sizes = [len(batch) for batch in batches if batch]
        assert sizes == [500, 500, 200], sizes
        batches.clear()
        step[0] = 0.2
        assert lib.update(rebuild=True).added == 1200
        sizes = [len(batch) for batch in batches if batch]
        assert sum(sizes) == 1200 and max(sizes) == 3, sizes


SEARCH = (
    "import sys; from newsdesk.tui.cli import main;"
    "sys.exit(main(['search', 'stepanakert', '--corpus', sys.argv[1], '--state-dir', sys.argv[2]]))"
)
REBUILD = (
    "import sys; from newsdesk.tui.cli import main;"
    "sys.exit(main(['index', '--rebuild', '-q', '--corpus', sys.argv[1], '--state-dir', sys.argv[2]]))"
)


def test_searches_side_by_side_with_rebuilds_always_answer(tmp_path: Path) -> None:
    """Two sessions rebuilding over and over; searches (CLI and in-process) meanwhile, for a bounded time."""
    corpus = make_corpus(tmp_path / "corpus", 300)
    state = tmp_path / "state"
    with Library.open(corpus, state_dir=state, config=Config()) as lib:
        lib.update()
    stop = time.monotonic() + 25
    failures: list[str] = []

    def rebuild_loop() -> None:
        while time.monotonic() < stop:
            done = subprocess.run(
                [sys.executable, "-c", REBUILD, str(corpus), str(state)], capture_output=True, text=True, timeout=300
            )
            busy = "another newsdesk process is updating" in done.stderr
            if (done.returncode != 0 and not busy) or "Traceback" in done.stderr or "locked" in done.stderr:
                failures.append(f"rebuild: {done.returncode} {done.stderr}")

    def search_in_process() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as reader:
            while time.monotonic() < stop:
                try:
                    total = reader.search("stepanakert").total
                except Exception as exc:
                    failures.append(f"in-process search: {type(exc).__name__}: {exc}")
                    return
                if total != 300:
                    failures.append(f"in-process search found {total}")

    threads = [threading.Thread(target=rebuild_loop) for _ in range(2)] + [threading.Thread(target=search_in_process)]
    for thread in threads:
        thread.start()
    searches = 0
    while time.monotonic() < stop:
        done = subprocess.run(
            [sys.executable, "-c", SEARCH, str(corpus), str(state)], capture_output=True, text=True, timeout=120
        )
        searches += 1
        if (
            done.returncode != 0
            or not done.stdout.startswith("300 hits")
            or "locked" in done.stderr
            or "Traceback" in done.stderr
            or done.stderr.count("\n") > 1
        ):
            failures.append(f"search: {done.returncode} {done.stdout[:80]!r} {done.stderr!r}")
    for thread in threads:
        thread.join()
    assert failures == []
    assert searches >= 1  # (a loaded machine starts few Python processes in 25 s; each must answer)


def rebuild_elsewhere(corpus: Path, state: Path) -> None:
    """What another session's `newsdesk index --rebuild` does: a new index folder, the old one removed."""
    with Library.open(corpus, state_dir=state, config=Config()) as other:
        other.update(rebuild=True)


def test_a_rebuild_between_reading_the_name_and_checking_the_folder_is_not_a_missing_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = make_corpus(tmp_path / "corpus", 30)
    state = tmp_path / "state"
    with Library.open(corpus, state_dir=state, config=Config()) as reader:
        reader.update()
        real_check = indexfolder_module.index_matches
        rebuilt: list[bool] = []

        def rebuild_then_check(folder: Path, manifest: str) -> bool:
            if not rebuilt:
                rebuilt.append(True)
                rebuild_elsewhere(corpus, state)  # the folder just named is gone now
            return real_check(folder, manifest)

        monkeypatch.setattr(indexfolder_module, "index_matches", rebuild_then_check)
        assert reader.search("stepanakert").total == 30
        assert rebuilt == [True]
        assert reader.status().in_sync


@pytest.mark.parametrize("searched_before", [False, True])
def test_a_rebuild_between_finding_the_folder_and_opening_it_is_not_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searched_before: bool
) -> None:
    """The searcher retries on the new folder and marks nothing damaged (which would cost everyone a rebuild).

    With a searcher already open on the old folder, the failed open must not leave it closed but referenced.
    """
    corpus = make_corpus(tmp_path / "corpus", 30)
    state = tmp_path / "state"
    with Library.open(corpus, state_dir=state, config=Config()) as reader:
        reader.update()
        if searched_before:
            assert reader.search("stepanakert").total == 30
            rebuild_elsewhere(corpus, state)
        real_storage = search_module.FileStorage
        opened: list[str] = []

        def storage_after_a_rebuild(path: str, **options: object) -> object:
            if not opened:
                rebuild_elsewhere(corpus, state)  # removes `path` under the reader
            opened.append(Path(path).name)
            return real_storage(path, **options)

        monkeypatch.setattr(search_module, "FileStorage", storage_after_a_rebuild)
        assert reader.search("stepanakert").total == 30
        assert len(opened) == 2 and opened[0] != opened[1]
        assert reader.status().in_sync
