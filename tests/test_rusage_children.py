"""Why a build's "largest child" from getrusage is not a writer's own memory (docs/performance.md, 2026-12-02).

A child started by fork and exec inherits, in ``ru_maxrss``, the peak of the parent's
memory when it started: multiprocessing's spawn (the index writers) does that, so a
writer started beside a large main process reports at least the main's size.
"""

from __future__ import annotations

import subprocess
import sys


def test_a_child_that_does_nothing_reports_its_parents_memory() -> None:
    script = (
        "import multiprocessing as mp, resource\n"
        "if __name__ == '__main__':\n"
        "    held = bytearray(300 * 2**20)\n"  # 300 MB, touched
        "    p = mp.get_context('spawn').Process(target=int)\n"
        "    p.start(); p.join()\n"
        "    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
    )
    child_mb = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
    assert child_mb >= 300  # the child, `int()`, used a few MB of its own
