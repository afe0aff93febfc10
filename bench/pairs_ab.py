"""Search-only A/B of the word-pair fields on two indexes of one corpus, alternating in one process.

    python -m bench.pairs_ab CORPUS --positional STATE --pairs STATE [--fts5 DB] [--rounds 2] [--out FILE]

``--positional`` is a state folder whose index has no pair fields (one made by schema 3, or
``bench.run``'s ``newsdesk-positional``), searched as it is: every phrase checked by its
words' positions. ``--pairs`` has them (``newsdesk``). As ``bench.prefix_ab``: each round
opens every index afresh and runs the 200 queries of ``bench.run`` once (total and top 20
with snippets, no facets), the two newsdesk indexes taking turns to go first; p50 and p95
overall and per kind, the CPU time of each side's pass, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import corpus as synthetic
from bench.prefix_ab import _fts5, _newsdesk, _summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--positional", type=Path, required=True)
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--fts5", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    queries = synthetic.queries(200)
    rounds = []
    for number in range(args.rounds):
        found: dict[str, Any] = {"load_average": round(os.getloadavg()[0], 2)}
        sides = [("newsdesk-positional", args.positional), ("newsdesk", args.pairs)]
        for name, state in sides if number % 2 == 0 else reversed(sides):  # each goes first every other round
            cpu = time.process_time()
            found[name] = _summary(_newsdesk(args.corpus, state, queries))
            found[name]["cpu_seconds"] = round(time.process_time() - cpu, 2)
        if args.fts5:
            found["fts5"] = _summary(_fts5(args.fts5, queries))
        found["load_average_end"] = round(os.getloadavg()[0], 2)
        rounds.append(found)
        line = ", ".join(
            f"{name} p95 {found[name]['p95']:.0f} ms (phrase {found[name]['phrase']['p95']:.0f})"
            for name in ("newsdesk-positional", "newsdesk", "fts5")
            if name in found
        )
        print(f"round {number + 1}, load {found['load_average']}-{found['load_average_end']}: {line}", file=sys.stderr)
    text = json.dumps({"queries": len(queries), "rounds": rounds}, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
