"""The writers of a full build: Whoosh's multi-process writer, and the direct writer's processes.

Whoosh-specific, like the rest of the writing side: a parallel build runs one
writer process per core, each writing its own segment, and commits them together;
with the direct segment writer (index/engine/directwriter.py) the documents go to
those processes as job files, so the main process is free meanwhile. A process
that dies fails the build with one line; a full disk ends it with its errno.
"""

from __future__ import annotations

import errno
import os
import pickle
import signal
from collections.abc import Callable
from typing import Any

from newsdesk.index.engine.directwriter import DirectIndexWriter, DirectSegmentWriter
from newsdesk.index.engine.interface import IndexWriter
from newsdesk.index.errors import CorpusError
from newsdesk.index.orphans import exit_with_parent
from whoosh.codec.whoosh3 import W3Codec
from whoosh.multiproc import MpWriter, _run_subwriter

POSTING_BLOCK = 1024
"""Postings per block. Whoosh's default is 128; search decodes whole posting
lists block by block (index.docsets), and 8x larger blocks cut the per-block
overhead: 30-40 % faster decoding of frequent terms, same indexing speed,
a slightly smaller index (bench/, docs/performance.md)."""


def _codec() -> W3Codec:
    return W3Codec(blocklimit=POSTING_BLOCK)


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _exit_quietly_on_full_disk(run: Callable[[], None]) -> None:
    """Run a writer process's loop, deaf to Ctrl-C; a full disk ends it with the errno as its exit code.

    The parent turns that code into its one-line disk-full error (_MpWriter._commit_toc);
    the traceback a process prints when it dies of an exception would land on the
    user's terminal, once per writer process.
    """
    # Ctrl-C reaches the whole process group; the parent handles it and stops the
    # writers (_MpWriter.cancel), so here it would only print one traceback per process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        run()
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        os._exit(exc.errno)


def run_subwriter(storage: Any, indexname: str, jobqueue: Any, resultqueue: Any, kwargs: dict[str, Any]) -> None:
    """The loop of one writer process of a parallel build (``whoosh.multiproc.SubWriterTask.run``'s contract).

    Takes job files of pickled ``(0, fields)`` documents off ``jobqueue`` until
    ``None``, then finishes its own segment and puts ``(None, fieldnames, segment)``
    on ``resultqueue``, as a multisegment ``SubWriterTask`` does, for
    ``MpWriter._commit`` to add to the TOC.
    """
    ix = storage.open_index(indexname)
    writer = DirectSegmentWriter(ix, **kwargs)
    while (job := jobqueue.get()) is not None:
        filename, count = job
        with writer._temp.open_file(filename).raw_file() as f:
            for _ in range(count):
                code, fields = pickle.load(f)
                assert code == 0
                writer.add_document(**fields)
        writer._temp.delete_file(filename)
    segment = writer.finish()
    resultqueue.put((None, sorted(writer.fieldnames), segment), timeout=5)


def _run_subwriter_with_parent(parent: int, *args: object) -> None:
    exit_with_parent(parent)
    _exit_quietly_on_full_disk(lambda: _run_subwriter(*args))


def _run_direct_subwriter_with_parent(parent: int, *args: object) -> None:
    exit_with_parent(parent)
    storage, indexname, jobqueue, resultqueue, kwargs, _multisegment = args
    _exit_quietly_on_full_disk(lambda: run_subwriter(storage, indexname, jobqueue, resultqueue, kwargs))  # type: ignore[arg-type]


class _MpWriter(MpWriter):
    """Whoosh's multi-process writer, with sub-writers that end when this process is killed."""

    target: Callable[..., None] = staticmethod(_run_subwriter_with_parent)

    def _new_task(self) -> object:
        args = (self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
        task = self._mpctx.Process(target=self.target, args=(os.getpid(), *args))
        self.tasks.append(task)
        task.start()
        return task

    def _commit_toc(self, segments: list[object]) -> None:
        # MpWriter._commit skips a writer process that sent no segment (killed, out of
        # memory, its disk full): committing without it would drop its articles for good,
        # since the index is then marked in sync with the store.
        ended = [task.exitcode for task in self.tasks if task.exitcode != 0]
        full = [code for code in ended if code in _DISK_FULL]
        if full:
            raise OSError(full[0], os.strerror(full[0]))
        if ended:
            raise CorpusError(
                f"a process writing the index ended early (exit code {ended[0]}); "
                "the index is unchanged: run `newsdesk index` again"
            )
        super()._commit_toc(segments)

    def cancel(self) -> None:
        # Writer processes wait for more jobs or write on into the folder the caller
        # removes next (a failed reprint sync, Ctrl-C): stop them first.
        for task in self.tasks:
            task.terminate()
        for task in self.tasks:
            task.join()
        super().cancel()


class _DirectMpWriter(_MpWriter):
    """A parallel build whose writer processes write their segments directly (engine/directwriter.py).

    The job queue has no bound: the documents of a whole build are handed over as
    job files on disk as fast as they are made, so this process is free for the
    rest of the update (the reprint groups) while the writers work.
    """

    target = staticmethod(_run_direct_subwriter_with_parent)

    def __init__(self, ix: object, **kwargs: object) -> None:
        super().__init__(ix, **kwargs)
        self.jobqueue = self._mpctx.Queue()

    def close_jobs(self) -> None:
        """Tell the writer processes no more documents come, so they write their segments now.

        Called before the reprint sync, which then overlaps their last step too (at 1M
        articles merging their run files took minutes). ``MpWriter._commit`` later puts
        a second end mark per process; a writer stops at the first, so it stays unread.
        """
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)


def build_writer(
    ix: Any, procs: int, direct: bool, limitmb: int, batch_size: int
) -> tuple[IndexWriter, _DirectMpWriter | None]:
    """The writer of a full build of ``ix`` and, when it is one, the direct parallel writer (for ``close_jobs``).

    ``procs`` > 1 asks for writer processes (the caller has checked they are worth it and can start);
    ``direct`` for the direct segment writer (every field of the schema supported).
    """
    writer: IndexWriter
    if procs > 1:
        writer = (_DirectMpWriter if direct else _MpWriter)(
            ix,
            procs=procs,
            batchsize=batch_size,
            multisegment=True,
            limitmb=limitmb,
            codec=_codec(),
            start_method="spawn",
        )
        return writer, writer if isinstance(writer, _DirectMpWriter) else None
    if direct:
        return DirectIndexWriter(ix, limitmb=limitmb, codec=_codec()), None
    return ix.writer(limitmb=limitmb, codec=_codec()), None
