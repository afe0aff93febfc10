"""The bench queries on a state folder whose frequency files are NDFREQ3 (built by 1fe6705): CPU per version.

8a75f76 read such files as absent and nothing rebuilt the index, so every list came from the blocks again::

    python bench/ndfreq3_upgrade.py CORPUS STATE QUERIES.json LABEL   (with each version's interpreter)

Searching only (no update); STATE should be a copy, the run may write its lock files.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path


def main() -> None:
    corpus, state, queries_file, label = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    from newsdesk.index import Library

    queries = json.loads(queries_file.read_text())
    library = Library.open(corpus, state_dir=state)
    library.search("warmup", limit=20)
    times, by_kind = [], {}
    for kind, query in queries:
        started = time.process_time()
        with contextlib.suppress(Exception):  # a refused query costs what it costs
            library.search(query, limit=20)
        spent = time.process_time() - started
        times.append(spent)
        by_kind[kind] = by_kind.get(kind, 0.0) + spent
    times.sort()
    summary = {
        "version": label,
        "cpu_s": round(sum(times), 2),
        "p50_s": round(times[len(times) // 2], 3),
        "p95_s": round(times[int(len(times) * 0.95)], 3),
        "by_kind_s": {kind: round(total, 2) for kind, total in by_kind.items()},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
