"""Search latency while another process rebuilds the index, against idle.

``python -m bench.readers_during_rebuild --n 1000 [--corpus DIR] [--rebuilds 1]``

Indexes a synthetic corpus, times ``--queries`` CLI-free searches (one Library,
as the reader app uses it) when idle, then again while ``--rebuilds``
processes run ``newsdesk index --rebuild`` on the same state folder. Also
times whole ``newsdesk search`` commands (a new process each: opening the
store is part of what a user waits for). Target: p95 during a rebuild <= 2x idle.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsdesk.index import Config, Library

from bench.corpus import generate, queries

REBUILD = (
    "import sys; from newsdesk.tui.cli import main;"
    "sys.exit(main(['index', '--rebuild', '-q', '--corpus', sys.argv[1], '--state-dir', sys.argv[2]]))"
)
SEARCH = (
    "import sys; from newsdesk.tui.cli import main;"
    "sys.exit(main(['search', sys.argv[3], '--corpus', sys.argv[1], '--state-dir', sys.argv[2]]))"
)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(library: Library, texts: list[str], corpus: Path, state: Path, cli_runs: int) -> dict[str, float]:
    times = []
    for text in texts:
        started = time.perf_counter()
        library.search(text)
        times.append(time.perf_counter() - started)
    cli = []
    for text in texts[:cli_runs]:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", SEARCH, str(corpus), str(state), text], capture_output=True, text=True
        )
        cli.append(time.perf_counter() - started)
        if done.returncode != 0 or "locked" in done.stderr:
            raise SystemExit(f"search failed: {done.stderr}")
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": p95(times) * 1000,
        "cli_median_ms": statistics.median(cli) * 1000,
        "cli_p95_ms": p95(cli) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--rebuilds", type=int, default=1, help="rebuilding processes at once")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--cli", type=int, default=10, help="whole `newsdesk search` commands timed")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="newsdesk-readers-")) / "corpus"
    if not corpus.exists():
        generate(corpus, args.n)
    state = corpus.parent / f"state-readers-{corpus.name}"
    texts = [text for _, text in queries(args.queries)]
    with Library.open(corpus, state_dir=state, config=Config()) as library:
        library.update()
        library.search(texts[0])
        idle = measure(library, texts, corpus, state, args.cli)
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", REBUILD, str(corpus), str(state)], stderr=subprocess.PIPE, text=True
            )
            for _ in range(args.rebuilds)
        ]
        time.sleep(1.0)  # let the rebuilds get into their reading phase
        busy = measure(library, texts, corpus, state, args.cli)
        still_running = sum(w.poll() is None for w in workers)
        for worker in workers:
            worker.wait()
    result = {
        "articles": args.n,
        "rebuilds": args.rebuilds,
        "idle": idle,
        "during_rebuild": busy,
        "rebuilds_still_running_at_end": still_running,
        "p95_ratio": busy["p95_ms"] / idle["p95_ms"],
        "cli_p95_ratio": busy["cli_p95_ms"] / idle["cli_p95_ms"],
    }
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
