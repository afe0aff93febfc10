"""How long index worker processes outlive a parent killed with SIGKILL (Linux: reads /proc).

``python -m bench.orphans [--articles N] [--trials N] [--corpus DIR] [--out FILE]`` writes (or reuses) a
synthetic corpus, then repeatedly starts a process that rebuilds the index in a loop, kills it
with SIGKILL at a random moment, and times how long its descendants (reader, entity and writer
workers, multiprocessing's resource tracker) stay alive afterwards. Prints the median, p90 and
max, and the slowest process kind; ``--out`` also writes them, with every kill's times, as JSON
(the figures docs/reliability.md cites).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import generate

REBUILD_LOOP = """
import sys
from pathlib import Path
from newsdesk.index import Config, Library
with Library.open(Path(sys.argv[1]), state_dir=Path(sys.argv[2]), config=Config()) as library:
    while True:
        library.update(rebuild=True)
"""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now."""
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kind(pid: int) -> str:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if "resource_tracker" in cmdline:
        return "resource tracker"
    return "spawned worker" if "spawn_main" in cmdline else cmdline[:60]


def age(pid: int) -> float:
    """Seconds since ``pid`` started."""
    try:
        start_ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def trial(corpus: Path, state: Path, rng: random.Random, timeout: float) -> tuple[float, float, int]:
    """(seconds until the last worker is gone, until the last descendant is, how many workers there were)."""
    parent = subprocess.Popen([sys.executable, "-c", REBUILD_LOOP, str(corpus), str(state)])
    try:
        time.sleep(rng.uniform(1.0, 8.0))
        workers = descendants(parent.pid)
        kinds = {pid: kind(pid) for pid in workers}
        ages = {pid: age(pid) for pid in workers}
        os.kill(parent.pid, signal.SIGKILL)
        killed = time.monotonic()
        parent.wait()
        gone: dict[int, float] = {}
        while len(gone) < len(workers) and time.monotonic() - killed < timeout:
            for pid in workers - gone.keys():
                if not alive(pid):
                    gone[pid] = time.monotonic() - killed
            time.sleep(0.005)
        for pid in workers - gone.keys():  # never leave them behind, whatever the result
            os.kill(pid, signal.SIGKILL)
            gone[pid] = float("inf")
        spawned = [pid for pid in workers if kinds[pid] == "spawned worker"]
        slowest = max(spawned, key=lambda pid: gone[pid], default=None)
        if slowest is not None:
            print(f"  slowest worker was {ages[slowest] * 1000:.0f} ms old when its parent was killed", flush=True)
        return (gone[slowest] if slowest else 0.0), max(gone.values(), default=0.0), len(spawned)
    finally:
        if parent.poll() is None:
            parent.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000, help="corpus size (>= 2000 uses writer processes)")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--corpus", type=Path, help="reuse this corpus folder")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--out", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-orphans-"))
    corpus = args.corpus or work / "corpus"
    if not corpus.exists():
        generate(corpus, args.articles)
    rng = random.Random(5)
    workers, everything = [], []
    for number in range(args.trials):
        last_worker, last_any, count = trial(corpus, work / "state", rng, args.timeout)
        if count:
            workers.append(last_worker)
        everything.append(last_any)
        print(
            f"kill {number + 1:>2}: {count:>2} workers, last gone after {last_worker * 1000:6.0f} ms; "
            f"with the resource tracker {last_any * 1000:6.0f} ms",
            flush=True,
        )
    summary: dict[str, object] = {}
    for name, results in (("workers", workers), ("all descendants", everything)):
        if results:
            ordered = sorted(results)
            p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
            print(
                f"{name}: median {statistics.median(results) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, "
                f"max {max(results) * 1000:.0f} ms over {len(results)} kills"
            )
            summary[name] = {
                "median_ms": round(statistics.median(results) * 1000, 1),
                "p90_ms": round(p90 * 1000, 1),
                "max_ms": round(max(results) * 1000, 1),
                "kills": len(results),
                "each_ms": [round(seconds * 1000, 1) for seconds in results],
            }
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}, {os.cpu_count()} cores")
    if args.out:
        summary.update(articles=args.articles, trials=args.trials, load_average=round(load, 1), cores=os.cpu_count())
        summary["date"] = time.strftime("%Y-%m-%d")
        args.out.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
