"""Time a first index of one corpus under two checkouts, taking turns, in one run.

    python -m bench.index_ab --corpus DIR --a PYTHON_A --b PYTHON_B [--rounds 2] [--out FILE]

Each PYTHON is the interpreter of a checkout's venv (its editable install decides
which code runs). Every build runs in a fresh process on a fresh state folder
(``Library.update(rebuild=True)``, as bench.run does) and reports its wall time,
the CPU seconds of the process and its children (the machine is shared: CPU time
is steadier than wall time under load), peak RSS, when each phase began, and the
load average. Builds alternate A, B, A, B… so both see the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BUILD = r"""
import json, os, resource, sys, time
from pathlib import Path

def main():
    from newsdesk.index import Library
    corpus, state = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.perf_counter()
    phases = {}
    def progress(phase, done, total):
        phases.setdefault(phase, round(time.perf_counter() - started, 1))
    with Library.open(corpus, state_dir=state) as library:
        stats = library.update(rebuild=True, progress=progress)
    seconds = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "articles": stats.articles, "seconds": round(seconds, 1), "docs_per_s": round(stats.articles / seconds),
        "phase_starts": phases, "cpu_s": round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 1),
        "rss_main_mb": own.ru_maxrss // 1024, "rss_largest_child_mb": children.ru_maxrss // 1024,
    }))

if __name__ == "__main__":
    main()
"""


def build(python: str, corpus: Path, workdir: Path, label: str, number: int) -> dict[str, object]:
    state = workdir / f"state-{label}-{number}"
    script = workdir / "build.py"
    script.write_text(BUILD)
    load_before = os.getloadavg()[0]
    proc = subprocess.run([python, str(script), str(corpus), str(state)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{label} failed:\n{proc.stderr}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    subprocess.run(["rm", "-rf", str(state)], check=False)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--a", required=True, help="python of checkout A (e.g. main's .venv/bin/python)")
    parser.add_argument("--b", required=True, help="python of checkout B")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-index-ab-"))
    runs: dict[str, list[dict[str, object]]] = {"a": [], "b": []}
    for number in range(args.rounds):
        for label, python in (("a", args.a), ("b", args.b)):
            runs[label].append(build(python, args.corpus, workdir, label, number))
            print(label, json.dumps(runs[label][-1]), file=sys.stderr)
    report = {"corpus": str(args.corpus), "a": args.a, "b": args.b, "runs": runs}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
