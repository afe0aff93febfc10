"""Search-only A/B of the prefix fields on two indexes of one corpus, alternating in one process.

    python -m bench.prefix_ab CORPUS --expand STATE --prefixes STATE [--fts5 DB] [--rounds 2] [--out FILE]

``--expand`` is a state folder whose index has no prefix fields (``bench.run``'s
``newsdesk-expand``) and ``--prefixes`` one that has them (``newsdesk``); ``--fts5``
an FTS5 database of the same corpus (``bench.run`` leaves one beside them). Each
round opens every index afresh and runs the 200 queries of ``bench.run`` once
(total and top 20 with snippets, no facets), the two newsdesk indexes taking
turns to go first, so a change in the machine's load falls on all of them alike. Reports p50 and p95
overall and per kind, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from bench import corpus as synthetic
from bench.run import percentile

KINDS = ("term", "and", "phrase", "prefix")


def _summary(timings: list[tuple[str, float]]) -> dict[str, Any]:
    values = [ms for _, ms in timings]
    found: dict[str, Any] = {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95)}
    for kind in KINDS:
        of_kind = [ms for k, ms in timings if k == kind]
        found[kind] = {"p50": percentile(of_kind, 0.5), "p95": percentile(of_kind, 0.95)}
    return found


def _newsdesk(corpus: Path, state: Path, queries: list[tuple[str, str]]) -> list[tuple[str, float]]:
    from newsdesk.index import Library

    timings = []
    with Library.open(corpus, state_dir=state) as library:
        for kind, text in queries:
            started = time.perf_counter()
            library.search(text, limit=20, facets=False)
            timings.append((kind, (time.perf_counter() - started) * 1000))
    return timings


def _fts5(db_path: Path, queries: list[tuple[str, str]]) -> list[tuple[str, float]]:
    from bench import fts5

    timings = []
    db = sqlite3.connect(db_path)
    for kind, text in queries:
        started = time.perf_counter()
        fts5.search(db, text)
        timings.append((kind, (time.perf_counter() - started) * 1000))
    db.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--expand", type=Path, required=True)
    parser.add_argument("--prefixes", type=Path, required=True)
    parser.add_argument("--fts5", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    queries = synthetic.queries(200)
    rounds = []
    for number in range(args.rounds):
        found: dict[str, Any] = {"load_average": round(os.getloadavg()[0], 2)}
        sides = [("newsdesk-expand", args.expand), ("newsdesk", args.prefixes)]
        for name, state in sides if number % 2 == 0 else reversed(sides):  # each goes first every other round
            found[name] = _summary(_newsdesk(args.corpus, state, queries))
        if args.fts5:
            found["fts5"] = _summary(_fts5(args.fts5, queries))
        found["load_average_end"] = round(os.getloadavg()[0], 2)
        rounds.append(found)
        line = ", ".join(
            f"{name} p95 {found[name]['p95']:.0f} ms (prefix {found[name]['prefix']['p95']:.0f})"
            for name in ("newsdesk-expand", "newsdesk", "fts5")
            if name in found
        )
        print(f"round {number + 1}, load {found['load_average']}-{found['load_average_end']}: {line}", file=sys.stderr)
    text = json.dumps({"queries": len(queries), "rounds": rounds}, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
