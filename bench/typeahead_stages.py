"""CPU time of each stage of ``search_in_stages`` for the typeahead queries, without the reader.

    python -m bench.typeahead_stages CORPUS STATE [--passes N] [--out FILE]

Runs the queries of ``bench.tui --typeahead`` (as the reader runs them, the
last word a prefix) through the library, ``--passes`` times, and records the
search thread's CPU time for the first stage (hits) and the second (exact
total, facets, timeline, "did you mean"), and within the second the time
spent counting facets and the timeline. Only the last pass is summarised:
the first one decodes postings no query has read yet.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from newsdesk.index import Config, Library, as_you_type
from newsdesk.index.engine import search

from bench.tui import typeahead_queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("state", type=Path)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    counting = [0.0]
    facets = search.ArticleSearcher._facets

    def timed_facets(self: Any, *a: Any, **k: Any) -> Any:
        started = time.thread_time()
        try:
            return facets(self, *a, **k)
        finally:
            counting[0] += time.thread_time() - started

    search.ArticleSearcher._facets = timed_facets  # type: ignore[method-assign]
    library = Library.open(args.corpus, state_dir=args.state, config=Config())
    rows: list[dict[str, Any]] = []
    for number in range(args.passes):
        for kind, text in typeahead_queries():
            ran = as_you_type(text)
            stages = library.search_in_stages(ran, limit=30)
            started = time.thread_time()
            next(stages)
            first = time.thread_time() - started
            counting[0] = 0.0
            started = time.thread_time()
            complete = next(stages)
            second = time.thread_time() - started
            if number == args.passes - 1:
                rows.append(
                    {
                        "kind": kind,
                        "ran": ran,
                        "total": complete.total,
                        "first_ms": round(first * 1000, 1),
                        "second_ms": round(second * 1000, 1),
                        "facets_ms": round(counting[0] * 1000, 1),
                    }
                )
    result = {
        "load_average": os.getloadavg(),
        "passes": args.passes,
        "first_median_ms": statistics.median(r["first_ms"] for r in rows),
        "second_median_ms": statistics.median(r["second_ms"] for r in rows),
        "queries": rows,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
