"""Measure newsdesk against SQLite FTS5 on one synthetic corpus, in one run.

    python -m bench.run --n 100000 [--corpus DIR] [--out FILE] [--engines newsdesk,fts5,tantivy]

``newsdesk-expand`` is newsdesk without the prefix fields (every prefix expanded to its
words, as before them): put it beside ``newsdesk`` for their A/B in one run.
``newsdesk-positional`` is newsdesk without the word-pair fields (every phrase checked
by its words' positions), the A side of theirs.

Prints a Markdown table (headline: first pass over 200 mixed queries, top 20
with snippets and a total) with the ratios and the issue's targets, and writes
the raw numbers as JSON. tantivy needs the bench extra (``pip install -e '.[bench]'``).
The machine's load average is recorded at the start and end of every engine's run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import corpus as synthetic

TARGETS = {
    "docs_per_s": 1000,
    "p95_ms": 100,
    "p95_vs_fts5": 1.2,
    "prefix_p95_ms": 50,
    "phrase_p95_ms": 150,
    "rss_mb": 500,
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """p50/p95 overall and per kind, for both passes."""
    summary: dict[str, Any] = {}
    for name, timings in zip(("first", "second"), result["passes"], strict=True):
        values = [ms for _, ms, _ in timings]
        summary[name] = {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95)}
        for kind in ("term", "and", "phrase", "prefix"):
            kind_values = [ms for k, ms, _ in timings if k == kind]
            summary[name][kind] = {"p50": percentile(kind_values, 0.5), "p95": percentile(kind_values, 0.95)}
    return summary


def run_engine(engine: str, corpus: Path, workdir: Path, queries_file: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.engine", engine, str(corpus), str(workdir), str(queries_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{engine} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_average() -> float:
    """The 1-minute load average (the machine is shared: every figure is quoted with it)."""
    return os.getloadavg()[0]


def table(results: dict[str, dict[str, Any]], summaries: dict[str, dict[str, Any]]) -> str:
    engines = list(results)
    rows = [
        ("index docs/s", lambda e: f"{results[e]['docs_per_s']:.0f}"),
        ("index time", lambda e: f"{results[e]['index_seconds']:.0f} s"),
        ("index size", lambda e: f"{results[e]['size_bytes'] / 1e6:.0f} MB"),
        (
            "peak RSS (main / largest child)",
            lambda e: f"{results[e]['rss']['main_mb']:.0f} / {results[e]['rss']['largest_child_mb']:.0f} MB",
        ),
        ("open + first query", lambda e: f"{results[e]['cold_open_first_query_ms']:.0f} ms"),
        ("load average (start / end)", lambda e: " / ".join(f"{v:.1f}" for v in results[e].get("load_average", []))),
        ("search p50 (first pass)", lambda e: f"{summaries[e]['first']['p50']:.1f} ms"),
        ("search p95 (first pass)", lambda e: f"{summaries[e]['first']['p95']:.1f} ms"),
        ("search p95 (second pass)", lambda e: f"{summaries[e]['second']['p95']:.1f} ms"),
    ]
    for kind in ("term", "and", "phrase", "prefix"):
        rows.append(
            (
                f"  {kind} p50 / p95",
                lambda e, k=kind: f"{summaries[e]['first'][k]['p50']:.0f} / {summaries[e]['first'][k]['p95']:.0f} ms",
            )
        )
    lines = ["| | " + " | ".join(engines) + " |", "|---" * (len(engines) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(fn(e) for e in engines) + " |" for label, fn in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, help="reuse or create the synthetic corpus here")
    parser.add_argument("--engines", default="newsdesk,fts5,tantivy")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    corpus = args.corpus or workdir / "corpus"
    started = time.perf_counter()
    synthetic.generate(corpus, args.n)
    print(f"corpus: {args.n} articles in {corpus} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    queries_file = workdir / "queries.json"
    queries_file.write_text(json.dumps(synthetic.queries(200)))
    results, summaries = {}, {}
    for engine in args.engines.split(","):
        print(f"running {engine}…", file=sys.stderr)
        load_before = load_average()
        results[engine] = run_engine(engine, corpus, workdir, queries_file)
        results[engine]["load_average"] = [round(load_before, 2), round(load_average(), 2)]
        summaries[engine] = summarise(results[engine])
    print(f"\n{args.n} articles, 200 queries (50 term, 50 AND, 50 phrase, 50 prefix), top 20 with snippets\n")
    print(table(results, summaries))
    if "newsdesk" in results and "fts5" in results:
        nd, fts = results["newsdesk"], results["fts5"]
        ratio = summaries["newsdesk"]["first"]["p95"] / max(summaries["fts5"]["first"]["p95"], 0.001)
        rss = nd["rss"]["main_mb"] + nd["rss"]["largest_child_mb"]
        first = summaries["newsdesk"]["first"]
        checks = [
            ("index >= 1,000 docs/s", nd["docs_per_s"] >= TARGETS["docs_per_s"], f"{nd['docs_per_s']:.0f}"),
            ("search p95 <= 100 ms", first["p95"] <= TARGETS["p95_ms"], f"{first['p95']:.0f} ms"),
            ("p95 within 1.2x of FTS5", ratio <= TARGETS["p95_vs_fts5"], f"{ratio:.2f}x"),
            (
                "prefix p95 <= 50 ms",
                first["prefix"]["p95"] <= TARGETS["prefix_p95_ms"],
                f"{first['prefix']['p95']:.0f} ms",
            ),
            (
                "phrase p95 <= 150 ms",
                first["phrase"]["p95"] <= TARGETS["phrase_p95_ms"],
                f"{first['phrase']['p95']:.0f} ms",
            ),
            ("peak RSS <= 500 MB", rss <= TARGETS["rss_mb"], f"{rss:.0f} MB (main + largest child)"),
        ]
        print(
            f"\nratios newsdesk/FTS5: p95 {ratio:.1f}x, docs/s {nd['docs_per_s'] / fts['docs_per_s']:.2f}x, "
            f"size {nd['size_bytes'] / fts['size_bytes']:.1f}x\n"
        )
        for label, ok, value in checks:
            print(f"- {'PASS' if ok else 'FAIL'} {label}: {value}")
    out = args.out or Path("bench/results") / f"{datetime.date.today()}-n{args.n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"n": args.n, "results": results, "summaries": summaries}, indent=1))
    print(f"\nraw numbers: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
