"""Readers never wait on the writer: no write on open, short write transactions, searches during rebuilds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import newsdesk.index.indexer as indexer_module
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
