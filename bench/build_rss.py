"""A first index of one corpus under two checkouts, taking turns, every process's RSS sampled.

    python -m bench.build_rss --corpus DIR --a PYTHON_A --b PYTHON_B [--rounds 2] --out FILE

ru_maxrss of the children is not a writer's own (a spawned child inherits its parent's
peak: tests/test_rusage_children.py), so this reads VmRSS of the build's whole process
tree from /proc every 0.1 s and records each process's highest and the highest sum at
once, with the CPU seconds (own and children) and the load before and after. Written for
the red-team pass on the token stream (8e54150): its writers peaked at 133-143 MB at 20k
against main's 103.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_BUILD = r"""
import json, resource, sys, time
from pathlib import Path

def main():
    from newsdesk.index import Library
    corpus, state = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.perf_counter()
    with Library.open(corpus, state_dir=state) as library:
        stats = library.update(rebuild=True)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"articles": stats.articles, "seconds": round(time.perf_counter() - started, 1),
                      "cpu_s": round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 1)}))

if __name__ == "__main__":  # spawned workers re-import this script
    main()
"""


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                found += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return found


def build(python: str, corpus: Path, workdir: Path, label: str) -> dict[str, object]:
    script, state = workdir / "build.py", workdir / f"state-{label}"
    script.write_text(_BUILD, encoding="utf-8")
    before = os.getloadavg()[0]
    proc = subprocess.Popen([python, str(script), str(corpus), str(state)], stdout=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    at_once = 0
    while proc.poll() is None:
        tree, todo = [], [proc.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += _children(pid)
        sizes = {pid: _rss_kb(pid) for pid in tree}
        for pid, kb in sizes.items():
            peaks[pid] = max(peaks.get(pid, 0), kb)
        at_once = max(at_once, sum(sizes.values()))
        time.sleep(0.1)
    assert proc.stdout is not None
    result: dict[str, object] = json.loads(proc.stdout.read().strip().splitlines()[-1])
    main_kb = peaks.pop(proc.pid, 0)
    result |= {
        "python": python,
        "rss_main_mb": main_kb // 1024,
        "rss_children_mb": sorted((kb // 1024 for kb in peaks.values()), reverse=True)[:4],
        "rss_all_at_once_mb": at_once // 1024,
        "load_average": [round(before, 2), round(os.getloadavg()[0], 2)],
    }
    subprocess.run(["rm", "-rf", str(state)], check=False)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--a", required=True, help="python of checkout A (e.g. main's .venv/bin/python)")
    parser.add_argument("--b", required=True, help="python of checkout B")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-build-rss-"))
    runs: dict[str, list[dict[str, object]]] = {"a": [], "b": []}
    for _ in range(args.rounds):
        for label, python in (("a", args.a), ("b", args.b)):
            runs[label].append(build(python, args.corpus, workdir, label))
            print(label, json.dumps(runs[label][-1]), file=sys.stderr, flush=True)
            args.out.write_text(json.dumps({"corpus": str(args.corpus), "runs": runs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
