"""One engine's measurements, run in a process of its own so its peak memory is its own.

``python -m bench.engine ENGINE CORPUS WORKDIR QUERIES.json`` (ENGINE: newsdesk, newsdesk-expand,
newsdesk-positional, fts5 or tantivy) prints one JSON object: index build time and size,
cold open, and per-query latencies of two passes over the queries (the first as a user's first searches, the second
warm). Every search returns the total and the top 20 with highlighted snippets.
A newsdesk query refused past the time budget counts with the time it took and no
total (``refused`` counts them per pass). With ``NEWSDESK_BENCH_REUSE_STATE=1``
newsdesk searches the index already in WORKDIR instead of building one (the
1M run of docs/performance.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any


def _tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (what a loaded machine does not inflate much)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main_mb": round(own, 1), "largest_child_mb": round(children, 1)}


REUSE_STATE = "NEWSDESK_BENCH_REUSE_STATE"
"""Set to 1: newsdesk's figures come from the index already in WORKDIR, not a new build."""


def run_newsdesk(
    corpus: Path, workdir: Path, queries: list[tuple[str, str]], state_name: str = "newsdesk-state"
) -> dict[str, Any]:
    from newsdesk.index import Library
    from newsdesk.index.errors import QueryTooCostly

    state = workdir / state_name
    result: dict[str, Any]
    if os.environ.get(REUSE_STATE) == "1" and (state / "articles.db").exists():
        # Search figures of an index already built in WORKDIR (its build timed elsewhere).
        with sqlite3.connect(f"file:{state / 'articles.db'}?mode=ro", uri=True) as db:
            articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        result = {"docs": articles, "index_seconds": None, "docs_per_s": None, "reused_state": True}
    else:
        started = time.perf_counter()
        cpu_started = _cpu_seconds()
        with Library.open(corpus, state_dir=state) as library:
            stats = library.update(rebuild=True)
        build_seconds = time.perf_counter() - started
        result = {
            "docs": stats.articles,
            "index_seconds": build_seconds,
            "docs_per_s": stats.articles / build_seconds,
            "index_cpu_seconds": round(_cpu_seconds() - cpu_started, 1),  # this process and its writers/readers
        }
    result["whoosh_bytes"] = sum(_tree_size(path) for path in state.glob("whoosh-*"))
    result["size_bytes"] = _tree_size(state)
    opened = time.perf_counter()
    library = Library.open(corpus, state_dir=state)
    with contextlib.suppress(QueryTooCostly):
        library.search(queries[0][1], limit=20, facets=False)
    result["cold_open_first_query_ms"] = (time.perf_counter() - opened) * 1000
    library.close()
    library = Library.open(corpus, state_dir=state)
    passes = []
    for _ in range(2):
        timings = []
        for kind, query in queries:
            t = time.perf_counter()
            try:
                total: int | None = library.search(query, limit=20, facets=False).total
            except QueryTooCostly:  # refused past the time budget: the user waited this long for a refusal
                total = None
            timings.append((kind, (time.perf_counter() - t) * 1000, total))
        passes.append(timings)
    result["refused"] = [sum(total is None for _, _, total in timings) for timings in passes]
    t = time.perf_counter()
    for _, query in queries[:50]:
        with contextlib.suppress(QueryTooCostly):
            library.search(query, limit=20, facets=True)
    result["with_facets_mean_ms"] = (time.perf_counter() - t) * 1000 / 50
    library.close()
    result["passes"] = passes
    result["rss"] = _peak_rss_mb()
    return result


def run_newsdesk_expand(corpus: Path, workdir: Path, queries: list[tuple[str, str]]) -> dict[str, Any]:
    """newsdesk without the prefix fields (as before them): every prefix expands to its words.

    The A side of the prefix fields' A/B: the same code, so index cost and search
    gain are measured in one run. The writer processes get their documents and the
    schema from this process, so clearing the list here is enough.
    """
    from newsdesk.index.engine import hidden_fields

    hidden_fields.PREFIXED_FIELDS = ()
    return run_newsdesk(corpus, workdir, queries, state_name="newsdesk-expand-state")


def run_newsdesk_positional(corpus: Path, workdir: Path, queries: list[tuple[str, str]]) -> dict[str, Any]:
    """newsdesk without the word-pair fields: every phrase checked by its words' positions, as before them.

    The A side of the pair fields' A/B (as ``newsdesk-expand`` is for the prefix fields).
    """
    from newsdesk.index.engine import hidden_fields

    hidden_fields.PAIRED_FIELDS = ()
    return run_newsdesk(corpus, workdir, queries, state_name="newsdesk-positional-state")


def run_fts5(corpus: Path, workdir: Path, queries: list[tuple[str, str]]) -> dict[str, Any]:
    from bench import fts5

    db_path = workdir / "fts5.db"
    db_path.unlink(missing_ok=True)
    built = fts5.build(corpus, db_path)
    result: dict[str, Any] = {
        "docs": built["docs"],
        "index_seconds": built["seconds"],
        "docs_per_s": built["docs_per_s"],
        "size_bytes": built["size_bytes"],
    }
    opened = time.perf_counter()
    db = sqlite3.connect(db_path)
    fts5.search(db, queries[0][1])
    result["cold_open_first_query_ms"] = (time.perf_counter() - opened) * 1000
    passes = []
    for _ in range(2):
        timings = []
        for kind, query in queries:
            t = time.perf_counter()
            total, _hits = fts5.search(db, query)
            timings.append((kind, (time.perf_counter() - t) * 1000, total))
        passes.append(timings)
    result["passes"] = passes
    result["rss"] = _peak_rss_mb()
    return result


def run_tantivy(corpus: Path, workdir: Path, queries: list[tuple[str, str]]) -> dict[str, Any]:
    import shutil

    from bench import tantivy_ref

    index_dir = workdir / "tantivy"
    shutil.rmtree(index_dir, ignore_errors=True)
    built = tantivy_ref.build(corpus, index_dir)
    result: dict[str, Any] = {
        "docs": built["docs"],
        "index_seconds": built["seconds"],
        "docs_per_s": built["docs_per_s"],
        "size_bytes": built["size_bytes"],
    }
    opened = time.perf_counter()
    searcher = tantivy_ref.Searcher(index_dir)
    searcher.search(queries[0][1])
    result["cold_open_first_query_ms"] = (time.perf_counter() - opened) * 1000
    passes = []
    for _ in range(2):
        timings = []
        for kind, query in queries:
            t = time.perf_counter()
            total, _hits = searcher.search(query)
            timings.append((kind, (time.perf_counter() - t) * 1000, total))
        passes.append(timings)
    result["passes"] = passes
    result["rss"] = _peak_rss_mb()
    return result


if __name__ == "__main__":
    engine, corpus_dir, work_dir, queries_file = sys.argv[1:5]
    loaded = [tuple(q) for q in json.loads(Path(queries_file).read_text())]
    runner = {
        "newsdesk": run_newsdesk,
        "newsdesk-expand": run_newsdesk_expand,
        "newsdesk-positional": run_newsdesk_positional,
        "fts5": run_fts5,
        "tantivy": run_tantivy,
    }[engine]
    print(json.dumps(runner(Path(corpus_dir), Path(work_dir), loaded)))
