"""Red-team attacks on full builds through the direct segment writer (index/engine/directwriter.py).

Each test is an attack that once broke a build: a writer process that dies, a build
stopped half way, inputs at the edges of the posting encoding.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from newsdesk.index import Config, Library, buildwriters
from newsdesk.index import indexer as indexer_module
from newsdesk.index.errors import CorpusError


def make_corpus(corpus: Path, count: int, start: int = 0) -> None:
    corpus.mkdir(exist_ok=True)
    for n in range(start, start + count):
        (corpus / f"a{n:04}.txt").write_text(f"Report {n}\n\nThe talks in Geneva went on, day {n}.\n")


def parallel_config() -> Config:
    config = Config()
    config.index.procs = 2
    config.index.batch_size = 5  # both writer processes get documents
    return config


def test_a_writer_process_killed_mid_build_loses_no_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL (or the OOM killer) on one writer process: the build fails with one line, the next one has all."""
    monkeypatch.setattr(indexer_module, "_FULL_BUILD_MIN_DOCS", 10)
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 20)
    close_jobs = indexer_module._DirectMpWriter.close_jobs

    def kill_one(self: Any) -> None:
        close_jobs(self)
        os.kill(self.tasks[0].pid, signal.SIGKILL)
        self.tasks[0].join()

    with Library.open(corpus, state_dir=tmp_path / "state", config=parallel_config()) as library:
        library.update()
        make_corpus(corpus, 30, start=20)  # enough new articles for a full build
        with monkeypatch.context() as patch:
            patch.setattr(indexer_module._DirectMpWriter, "close_jobs", kill_one)
            with pytest.raises(CorpusError, match="ended early"):
                library.update()
        assert not list((tmp_path / "state").glob("whoosh-*/*.tmp"))  # no run or job files left
        library.update()
        assert library.search("report", limit=1).total == 50


def test_a_failed_reprint_sync_stops_the_writer_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The reprint sync runs while the writers work; when it fails they must not write on into a removed folder."""
    import multiprocessing
    import time

    monkeypatch.setattr(indexer_module, "_FULL_BUILD_MIN_DOCS", 10)
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 40)

    def fail(self: Any) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(indexer_module.Indexer, "_sync_reprints", fail)
    with Library.open(corpus, state_dir=tmp_path / "state", config=parallel_config()) as library:
        with pytest.raises(OSError):
            library.update(rebuild=True)
        assert multiprocessing.active_children() == []
        time.sleep(1)
        assert "Traceback" not in capfd.readouterr().err
        assert not list((tmp_path / "state").glob("whoosh-*"))


def test_a_writer_process_on_a_full_disk_ends_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """ENOSPC in a writer process: no traceback on the terminal, and the build reports a full disk in one line."""
    import errno
    import multiprocessing

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(buildwriters, "run_subwriter", full)  # a forked process sees the patch
    task = multiprocessing.get_context("fork").Process(
        target=buildwriters._run_direct_subwriter_with_parent, args=(os.getpid(), *[None] * 6)
    )
    task.start()
    task.join()
    assert task.exitcode == errno.ENOSPC
    assert "Traceback" not in capfd.readouterr().err

    writer = object.__new__(indexer_module._DirectMpWriter)
    writer.tasks = [task]
    with pytest.raises(OSError) as raised:
        writer._commit_toc([])
    assert raised.value.errno == errno.ENOSPC  # what Indexer._full_build turns into DiskFullError


def test_thousands_of_runs_stay_within_the_open_file_limit(tmp_path: Path) -> None:
    """A small writer_memory_mb on a large segment makes thousands of runs: the merge must not open them all."""
    import resource

    from tests.test_direct_writer import contents, write

    docs = [{"id": f"a{n}", "path": "p", "title": "t", "body": f"talks geneva w{n} " * 20} for n in range(600)]
    old = write(tmp_path / "old", docs, direct=False)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # a run after every document: 600 runs
    try:
        new = write(tmp_path / "new", docs, direct=True, limitmb=0.002)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert contents(new) == contents(old)
    assert not (tmp_path / "new" / "MAIN.tmp").exists()


def test_runs_merged_in_several_passes_keep_document_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.index.engine import runfiles

    from tests.test_direct_writer import contents, write

    monkeypatch.setattr(runfiles, "_MAX_RUNS", 3)  # 120 runs: four passes, groups of 3 and a last one of 1
    docs = [{"id": f"a{n}", "path": "p", "title": "t", "body": f"the talks n{n % 7} " * (n % 9)} for n in range(120)]
    old = write(tmp_path / "old", docs, direct=False)
    new = write(tmp_path / "new", docs, direct=True, limitmb=0.0001)
    assert contents(new) == contents(old)


def test_ctrl_c_prints_no_traceback_from_the_writer_processes(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C goes to the whole process group: the parent stops the build, the writers must stay quiet."""
    import multiprocessing
    import time

    def interrupted(*args: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)

    monkeypatch.setattr(buildwriters, "run_subwriter", interrupted)
    task = multiprocessing.get_context("fork").Process(
        target=buildwriters._run_direct_subwriter_with_parent, args=(os.getpid(), *[None] * 6)
    )
    task.start()
    task.join()
    assert "Traceback" not in capfd.readouterr().err
    assert task.exitcode == 0


@pytest.mark.parametrize("stage", ["_spill", "finish"])
def test_a_full_disk_in_a_one_process_build_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """ENOSPC while a run file or the segment is written: one line, no half-built folder, the next build has all."""
    import errno

    from newsdesk.index.engine.directwriter import DirectSegmentWriter
    from newsdesk.index.errors import DiskFullError

    monkeypatch.setattr(indexer_module, "_FULL_BUILD_MIN_DOCS", 10)
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 30)
    config = Config()
    config.index.procs = 1
    config.index.writer_memory_mb = 0  # a run after every document
    state = tmp_path / "state"
    with Library.open(corpus, state_dir=state, config=config) as library:
        library.update()
        before = sorted(state.glob("whoosh-*"))

        def full(self: Any) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        with monkeypatch.context() as patch:
            patch.setattr(DirectSegmentWriter, stage, full)
            with pytest.raises(DiskFullError):
                library.update(rebuild=True)
        assert sorted(state.glob("whoosh-*")) == before
        library.update()
        assert library.search("report", limit=1).total == 30
