"""Index workers die with their parent: the kernel kills them (Linux), no polling delay.

A harness process makes itself a child subreaper, so the workers of the indexing
process it starts and SIGKILLs are re-parented to it and it can see how each one
ended: SIGKILL from the kernel's parent-death signal, not the watchdog's exit(1)
some polling interval later. bench/orphans.py measures the times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")

INDEXER = """
import sys, time
from pathlib import Path
from newsdesk.index import Config, Library

def progress(phase, done, total):
    if phase == "reading":
        print("reading", flush=True)
        time.sleep(600)  # killed here, with the reader pool's workers alive

with Library.open(Path(sys.argv[1]), state_dir=Path(sys.argv[2]), config=Config()) as library:
    library.update(progress=progress)
"""

HARNESS = r"""
import ctypes, json, os, signal, subprocess, sys, time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
assert ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0

def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
                found.append(int(entry.name))
    return found

def threads(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0

parent = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2], sys.argv[3]], stdout=subprocess.PIPE,
                          text=True)
assert parent.stdout.readline().strip() == "reading"
deadline = time.monotonic() + 120
while True:  # every worker armed: its watchdog thread runs, so the parent-death signal is set
    workers = children(parent.pid)
    if len(workers) >= 2 and all(threads(pid) >= 2 for pid in workers):
        break
    assert time.monotonic() < deadline, f"workers never started: {workers}"
    time.sleep(0.05)
os.kill(parent.pid, signal.SIGKILL)
killed = time.monotonic()
parent.wait()
ended = {}
while len(ended) < len(workers) and time.monotonic() - killed < 60:
    for pid in workers:
        if pid in ended:
            continue
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            ended[pid] = {"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                          "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                          "seconds": time.monotonic() - killed}
    time.sleep(0.01)
for pid in workers:
    if pid not in ended:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
print(json.dumps({"workers": len(workers), "ended": list(ended.values())}))
"""


def test_killed_indexer_takes_its_workers_along(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(150):  # enough for the reader's process pool
        (corpus / f"a{number:03}.txt").write_text(f"Report {number}\n\nTalks in Geneva, round {number}.\n")
    proc = subprocess.run(
        [sys.executable, "-c", HARNESS, INDEXER, str(corpus), str(tmp_path / "state")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report["workers"] >= 2
    assert len(report["ended"]) == report["workers"], "a worker outlived its parent by a minute"
    # Killed by the kernel when the parent died, not by the watchdog's exit(1) a polling interval later.
    assert {worker["signal"] for worker in report["ended"]} == {9}, report
    assert max(worker["seconds"] for worker in report["ended"]) < 10  # generous: the machine may be loaded


SLOW_STARTER = """
import newsdesk  # a spawned worker's first import: from here on it must die with its parent
import os, sys, time
from pathlib import Path

if __name__ == "__mp_main__":  # the worker re-importing this script, as spawn does: slow imports
    Path(sys.argv[1], f"started-{os.getpid()}").touch()
    time.sleep(600)
elif __name__ == "__main__":
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(abs, range(8)))
"""

STARTING_HARNESS = r"""
import ctypes, json, os, signal, subprocess, sys, time
from pathlib import Path

assert ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
script, marks = sys.argv[1], Path(sys.argv[2])
parent = subprocess.Popen([sys.executable, script, str(marks)])
deadline = time.monotonic() + 120
while len(list(marks.iterdir())) < 2:
    assert time.monotonic() < deadline and parent.poll() is None, "workers never started"
    time.sleep(0.05)
workers = [int(mark.name.split("-")[1]) for mark in marks.iterdir()]
os.kill(parent.pid, signal.SIGKILL)
parent.wait()
killed = time.monotonic()
ended = {}
while len(ended) < len(workers) and time.monotonic() - killed < 20:
    for pid in workers:
        if pid not in ended and os.waitpid(pid, os.WNOHANG)[0]:
            ended[pid] = time.monotonic() - killed
    time.sleep(0.01)
for pid in set(workers) - set(ended):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print(json.dumps({"workers": len(workers), "ended": len(ended)}))
"""


def test_a_worker_still_starting_dies_with_its_killed_parent(tmp_path: Path) -> None:
    """Killed while its spawned workers were still importing (before any initializer ran), the parent
    takes them along: they are armed by their first import of newsdesk, not seconds later."""
    script = tmp_path / "starter.py"
    script.write_text(SLOW_STARTER)
    marks = tmp_path / "marks"
    marks.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", STARTING_HARNESS, str(script), str(marks)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report == {"workers": 2, "ended": 2}, "a starting worker outlived its killed parent"


FALLBACK_WORKER = """
import sys, time
from newsdesk.index import orphans

orphans._kill_me_with_parent = lambda: False  # as where PR_SET_PDEATHSIG does not exist: the watchdog alone
orphans.exit_with_parent(int(sys.argv[1]))
print("armed", flush=True)
time.sleep(600)
"""

FALLBACK_PARENT = """
import os, subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid())], stdout=subprocess.PIPE, text=True)
assert worker.stdout.readline().strip() == "armed"
print(worker.pid, flush=True)
time.sleep(600)
"""

FALLBACK_HARNESS = r"""
import ctypes, json, os, signal, subprocess, sys, time

assert ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER: the orphan is re-parented here
parent = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE, text=True)
worker = int(parent.stdout.readline())
os.kill(parent.pid, signal.SIGKILL)
parent.wait()
killed = time.monotonic()
status = None
while status is None and time.monotonic() - killed < 30:
    done, raw = os.waitpid(worker, os.WNOHANG)
    if done:
        status = {"exit": os.WEXITSTATUS(raw) if os.WIFEXITED(raw) else None,
                  "signal": os.WTERMSIG(raw) if os.WIFSIGNALED(raw) else None,
                  "seconds": time.monotonic() - killed}
    time.sleep(0.01)
if status is None:
    os.kill(worker, signal.SIGKILL)
    os.waitpid(worker, 0)
print(json.dumps(status))
"""


def test_without_the_kernel_signal_the_watchdog_ends_a_worker_whose_parent_died() -> None:
    """The non-Linux path (docs/reliability.md: "elsewhere a watchdog thread checks every 0.1 s"), forced on
    Linux by taking PR_SET_PDEATHSIG away: the worker sees it was re-parented and exits by itself."""
    proc = subprocess.run(
        [sys.executable, "-c", FALLBACK_HARNESS, FALLBACK_PARENT, FALLBACK_WORKER],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout.splitlines()[-1])
    assert status is not None, "the worker outlived its killed parent by 30 s"
    assert status["exit"] == 1 and status["signal"] is None, status  # the watchdog's exit, not the kernel's kill
    assert status["seconds"] < 5, status  # 0.1 s polling; generous for a loaded machine
