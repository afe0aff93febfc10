"""Ranking A/B: the first stage of each query with two versions of ``Ranker``, in one process.

    git show REV:index/engine/ranking.py > /tmp/old_ranking.py
    python -m bench.ranking_ab CORPUS STATE /tmp/old_ranking.py [--rounds 4] [--out FILE]

Runs the 200 queries of a ``bench.run`` folder (``queries.json`` beside STATE)
and the typeahead queries of ``bench.tui`` through ``search_in_stages``' first
stage (the page of hits), alternating the ranker of the given file ("old") and
the current one ("new") round by round, the order swapped each round. The
postings cache is warm after the first query of each, so this measures
ranking and matching, not decoding. Records the CPU time of each query, and
whether both versions gave the same hits in the same order.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from newsdesk.index import Library, as_you_type
from newsdesk.index.engine import search
from newsdesk.index.engine.ranking import Ranker

from bench.tui import typeahead_queries


def _load_ranker(path: Path) -> type:
    spec = importlib.util.spec_from_file_location("old_ranking", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Ranker


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("state", type=Path)
    parser.add_argument("old_ranking", type=Path)
    parser.add_argument("--queries", type=Path, help="queries.json of a bench.run folder (default: beside STATE)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    queries_file = args.queries or args.state.parent / "queries.json"
    queries = [text for _kind, text in json.loads(queries_file.read_text())]
    queries += [as_you_type(typed) for _kind, typed in typeahead_queries()]
    rankers = {"old": _load_ranker(args.old_ranking), "new": Ranker}
    rounds: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    load_start = os.getloadavg()
    with Library.open(args.corpus, state_dir=args.state) as library:
        searcher = next(v for v in vars(library).values() if hasattr(v, "_ranker"))
        for number in range(args.rounds):
            order = ("old", "new") if number % 2 == 0 else ("new", "old")
            for name in order:
                searcher._ranker = None  # made afresh with the patched class on the next query
                search.Ranker = rankers[name]
                times, hits = [], []
                for text in queries:
                    started = time.process_time()
                    try:
                        first = next(library.search_in_stages(text, limit=20))
                        hits.append([hit.id for hit in first.hits])
                    except Exception as error:  # a query the parser refuses: the same on both sides
                        hits.append(type(error).__name__)
                    times.append((time.process_time() - started) * 1000)
                rounds[name].append({"times_ms": times, "hits": hits, "load": os.getloadavg()})
    search.Ranker = Ranker
    summary = {
        name: [
            {
                "median_ms": statistics.median(r["times_ms"]),
                "p95_ms": _p95(r["times_ms"]),
                "total_ms": sum(r["times_ms"]),
            }
            for r in runs
        ]
        for name, runs in rounds.items()
    }
    same = all(a["hits"] == b["hits"] for a, b in zip(rounds["old"], rounds["new"], strict=True))
    result = {"queries": len(queries), "summary": summary, "same_hits": same, "load_start": load_start}
    result["load_end"] = os.getloadavg()
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
