"""bench/formats.py counts the CPU of the fork-server children that read PDFs, not only its own."""

from __future__ import annotations

import multiprocessing
import sys
import time

import pytest

from bench.formats import cpu_seconds


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cpu_of_a_fork_server_child_is_counted() -> None:
    context = multiprocessing.get_context("forkserver")
    before = cpu_seconds()
    child = context.Process(target=_spin, args=(0.3,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    # The child is the fork server's, reaped by it: os.times() of this process never sees it.
    assert cpu_seconds() - before >= 0.25
