"""Crash recovery and concurrent use: the index is a cache that always comes back right."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

from newsdesk.index import Config, Library

QUERIES = ["mercenary", '"launch pad"', "geneva OR baku", "talk*", "tag:analysis", 'person:"Vladimir Putin"']


def _corpus(root: Path, n: int = 120) -> Path:
    root.mkdir()
    for i in range(n):
        city = ("Geneva", "Baku", "Yerevan")[i % 3]
        (root / f"a{i:03d}.md").write_text(
            f"---\ntitle: Report {i} from {city}\ntags: [{'analysis' if i % 4 == 0 else 'news'}]\n---\n"
            f"Vladimir Putin spoke about talks in {city}. A mercenary was seen near the front (item {i}).\n\n"
            f"Diplomats called it a launch pad for talks number {i}.\n"
        )
    return root


def _results(library: Library) -> dict[str, tuple[int, list[str]]]:
    out = {}
    for query in QUERIES:
        found = library.search(query, limit=200)
        out[query] = (found.total, sorted(hit.id for hit in found.hits))
    return out


def _orphaned_workers() -> set[int]:
    """Worker processes whose parent is gone (re-parented to init), from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == "1" and b"spawn_main" in cmdline:
            found.add(int(entry.name))
    return found


def _update_forever(corpus: Path, state: Path) -> None:
    with Library.open(corpus, state_dir=state, config=Config()) as library:
        while True:
            library.update(rebuild=True)


def test_indexing_killed_at_random_points_recovers_to_a_fresh_rebuild(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    state = tmp_path / "state"
    orphans_before = _orphaned_workers()
    with Library.open(corpus, state_dir=tmp_path / "fresh", config=Config()) as fresh:
        fresh.update()
        expected = _results(fresh)
    for cycle in range(24):
        pid = os.fork()
        if pid == 0:
            try:
                _update_forever(corpus, state)
            finally:
                os._exit(1)
        time.sleep(random.uniform(0.01, 0.6))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        if cycle % 6 == 5:  # now and then, check that a start in between also recovers
            with Library.open(corpus, state_dir=state, config=Config()) as library:
                library.update()
                assert _results(library) == expected
    with Library.open(corpus, state_dir=state, config=Config()) as library:
        library.update()
        assert library.status().in_sync
        assert _results(library) == expected
    assert len(list(state.glob("whoosh-*"))) == 1  # folders of killed builds are cleared
    # Workers die with their parent (tests/test_orphans.py); one killed while still starting up
    # (spawn and imports: seconds on a loaded machine) exits once started. Poll, generously.
    deadline = time.monotonic() + 60
    while _orphaned_workers() - orphans_before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _orphaned_workers() - orphans_before == set()


def _update_once(corpus: str, state: str, queue: multiprocessing.Queue) -> None:
    try:
        with Library.open(Path(corpus), state_dir=Path(state), config=Config()) as library:
            stats = library.update()
            queue.put(("ok", stats.articles))
    except Exception as exc:
        queue.put(("error", repr(exc)))


def test_two_sessions_updating_at_once_both_succeed(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", 200)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    sessions = [
        context.Process(target=_update_once, args=(str(corpus), str(tmp_path / "state"), queue)) for _ in range(2)
    ]
    for session in sessions:
        session.start()
    results = [queue.get(timeout=120) for _ in sessions]
    for session in sessions:
        session.join(timeout=60)
    assert results == [("ok", 200), ("ok", 200)]


def test_workers_stay_off_the_terminal_when_asked(tmp_path: Path) -> None:
    """The reader app sets NEWSDESK_QUIET_WORKERS: a worker's stray output must not reach its screen."""
    from newsdesk.index.orphans import QUIET_WORKERS_ENV, exit_with_parent

    for quiet, expected in ((True, b""), (False, b"stray warning\n")):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.dup2(write_fd, 2)
            if quiet:
                os.environ[QUIET_WORKERS_ENV] = "1"
            else:
                os.environ.pop(QUIET_WORKERS_ENV, None)
            exit_with_parent(os.getppid())
            os.write(2, b"stray warning\n")
            os._exit(0)
        os.close(write_fd)
        os.waitpid(pid, 0)
        with os.fdopen(read_fd, "rb") as pipe:
            assert pipe.read() == expected
