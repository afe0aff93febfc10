"""Annotation save latency with many annotations on one article.

    python -m bench.annotations [--existing 500] [--saves 200]

Three cases, each timed per save (lock, re-read if needed, merge, write,
fsync, rename, fsync the folder) and reported as median and p95:

* ``warm``: one session saving repeatedly (its parsed copy is still current);
* ``cold``: every save follows another session's save to the same file, so the
  file must be parsed again first (two analysts, or two windows, at once);
* ``edit``: changing the note of an existing annotation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from newsdesk.index.annotations import AnnotationStore, owner_by_file_name
from newsdesk.index.article import Article

TEXT = "Ceasefire talks resumed in Geneva on Friday. Diplomats described the talks as a launch pad. " * 300


def _article() -> Article:
    return Article(id="0123456789abcdef", path="a.txt", item=0, title="Talks", text=TEXT, content_hash="h")


def _summary(times: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    times = sorted(times)
    figures = {"median_ms": statistics.median(times) * 1000, "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000}
    if cpu:  # this process' CPU time: what the code costs, apart from fsync waits and a busy machine
        cpu = sorted(cpu)
        figures["cpu_p95_ms"] = cpu[int(0.95 * (len(cpu) - 1))] * 1000
    return figures


class _Clock:
    """Wall and CPU time of one timed call."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--existing", type=int, default=500)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    article = _article()
    with tempfile.TemporaryDirectory() as state:
        alice = AnnotationStore(Path(state), user="alice", owner_of=owner_by_file_name)
        for n in range(args.existing):
            alice.add(article, n % 5000, n % 5000 + 30, ["evidence", f"t{n % 7}"], f"note {n}\nsecond line")
        results: dict[str, dict[str, float]] = {}
        times, cpu = [], []
        for n in range(args.saves):
            with _Clock() as clock:
                alice.add(article, n, n + 25, ["warm"], "a note")
            times.append(clock.wall)
            cpu.append(clock.cpu)
        results["warm"] = _summary(times, cpu)
        # a second session of the same user
        other = AnnotationStore(Path(state), user="alice", owner_of=owner_by_file_name)
        times, cpu = [], []
        for n in range(args.saves):
            other.add(article, n, n + 25, ["other"], "")
            with _Clock() as clock:
                alice.add(article, n, n + 25, ["cold"], "a note")
            times.append(clock.wall)
            cpu.append(clock.cpu)
        results["cold"] = _summary(times, cpu)
        mine = [p.annotation for p in alice.for_article(article).placed][: args.saves]
        times, cpu = [], []
        for annotation in mine:
            with _Clock() as clock:
                alice.edit(article, annotation.id, note="changed")
            times.append(clock.wall)
            cpu.append(clock.cpu)
        results["edit"] = _summary(times, cpu)
        total = len(alice.for_article(article).placed)
    print(f"{args.existing} annotations to start, {total} at the end; {args.saves} saves per case")
    for case, figures in results.items():
        print(
            f"  {case:<5} median {figures['median_ms']:6.2f} ms   p95 {figures['p95_ms']:6.2f} ms"
            f"   (CPU p95 {figures['cpu_p95_ms']:6.2f} ms)"
        )
    if args.json:
        args.json.write_text(json.dumps({"existing": args.existing, "saves": args.saves, **results}, indent=2))


if __name__ == "__main__":
    main()
