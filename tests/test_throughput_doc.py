"""docs/performance.md's "Indexing throughput, 2026-12-01 evening" quotes the bench runs it names.

Each figure is rebuilt here from its JSON under bench/results/, so a figure copied
wrong, or a run replaced without the text, fails (as tests/test_phrase_pairs.py does
for the phrase figures).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _bench(name: str) -> Any:
    return json.loads((ROOT / "bench" / "results" / name).read_text(encoding="utf-8"))


def _doc() -> str:
    return " ".join((ROOT / "docs" / "performance.md").read_text(encoding="utf-8").split())


def _pair(runs: list[dict[str, Any]], key: str, spec: str = ".1f") -> str:
    return " / ".join(format(run[key], spec) for run in runs)


def _loads(*runs: list[dict[str, Any]]) -> tuple[str, str]:
    """The lowest and highest load average of ``runs``, to one decimal rounded half up (7.25: 7.3), as quoted."""
    every = [load for side in runs for run in side for load in run["load_average"]]
    return tuple(str(Decimal(str(load)).quantize(Decimal("0.1"), ROUND_HALF_UP)) for load in (min(every), max(every)))  # type: ignore[return-value]


def test_the_20k_ab_figures_are_the_runs() -> None:
    doc = _doc()
    final = _bench("index-ab-20k-throughput-final-2026-12-01.json")["runs"]
    a, b = final["a"], final["b"]
    assert f"| wall time (two runs) | {_pair(a, 'seconds')} s | {_pair(b, 'seconds')} s |" in doc
    assert f"| docs/s | {_pair(a, 'docs_per_s', 'd')} | {_pair(b, 'docs_per_s', 'd')} |" in doc
    assert f"| CPU, process and children | {_pair(a, 'cpu_s')} s | {_pair(b, 'cpu_s')} s |" in doc
    children = sorted(run["rss_largest_child_mb"] for run in a)
    assert len({run["rss_main_mb"] for run in a + b}) == 1 and len({run["rss_largest_child_mb"] for run in b}) == 1
    main_mb, b_child = a[0]["rss_main_mb"], b[0]["rss_largest_child_mb"]
    assert (
        f"| peak RSS, main / largest child | {main_mb} / {children[0]}-{children[-1]} MB | {main_mb} / {b_child} MB |"
        in doc
    )
    cut = 1 - sum(run["cpu_s"] for run in b) / sum(run["cpu_s"] for run in a)
    assert f"CPU fell by {cut * 100:.0f} %" in doc
    low, high = _loads(a, b)
    assert f"load {low} rising to {high}" in doc

    earlier = _bench("index-ab-20k-throughput-2026-12-01.json")["runs"]
    a, b = earlier["a"], earlier["b"]
    low, high = _loads(a, b)
    assert (
        f"gave {_pair(a, 'cpu_s')} s of CPU on main against {_pair(b, 'cpu_s')} s, and {_pair(a, 'seconds')} s "
        f"against {_pair(b, 'seconds')} s of wall at load {low}-{high}" in doc
    )

    sketches = _bench("index-ab-20k-sketches-2026-12-01.json")["runs"]
    a, b = sketches["a"], sketches["b"]
    low, high = _loads(a, b)
    assert f'"b" with; load {low}-{high}): {_pair(a, "seconds")} s wall and {_pair(a, "cpu_s")} s CPU' in doc
    assert f"without, {_pair(b, 'seconds')} s and {_pair(b, 'cpu_s')} s with" in doc

    pairs = _bench("index-ab-20k-throughput-pairs-2026-12-01.json")["runs"]
    a, b = pairs["a"], pairs["b"]
    low, high = _loads(a, b)
    assert f"load {low}-{high}): main {_pair(a, 'seconds')} s wall, {_pair(a, 'cpu_s')} s CPU" in doc
    assert f"largest child {_pair(a, 'rss_largest_child_mb', 'd')} MB; this branch {_pair(b, 'seconds')} s" in doc
    assert len({run["rss_largest_child_mb"] for run in b}) == 1
    cut = 1 - sum(run["cpu_s"] for run in b) / sum(run["cpu_s"] for run in a)
    assert f"{_pair(b, 'cpu_s')} s CPU, {b[0]['rss_largest_child_mb']} MB: {cut * 100:.0f} % less CPU" in doc


def test_the_100k_figures_are_the_run() -> None:
    doc = _doc()
    run = _bench("n100k-throughput-final.json")
    results, first = run["results"], {e: run["summaries"][e]["first"] for e in ("newsdesk", "fts5")}
    nd, fts5 = results["newsdesk"], results["fts5"]
    assert (
        f"| index time | {nd['index_seconds']:.0f} s ({nd['docs_per_s']:.0f} docs/s) | "
        f"{fts5['index_seconds']:.0f} s ({fts5['docs_per_s']:,.0f} docs/s) |" in doc
    )
    assert f"| index size | {nd['size_bytes'] / 1e6:,.0f} MB | {fts5['size_bytes'] / 1e6:,.0f} MB |" in doc
    rss = nd["rss"]
    assert (
        f"| peak RSS, main / largest child | {rss['main_mb']:.0f} / {rss['largest_child_mb']:.0f} MB | "
        f"{fts5['rss']['main_mb']:.0f} MB |" in doc
    )
    row = " | ".join(f"{first[e]['p50']:.1f} / {first[e]['p95']:.1f} ms" for e in first)
    assert f"| search p50 / p95, first pass | {row} |" in doc
    row = " | ".join(f"{first[e]['prefix']['p95']:.0f} / {first[e]['phrase']['p95']:.0f} ms" for e in first)
    assert f"| prefix p95 / phrase p95 | {row} |" in doc
    peak = rss["main_mb"] + rss["largest_child_mb"]
    assert f"their sum, {peak:.0f} MB" in doc and f"**peak RSS <= 500 MB met** ({peak:.0f} MB)" in doc
    assert peak <= 500
    assert f"**index >= 1,000 docs/s not met** ({nd['docs_per_s']:.0f} at" in doc


def test_the_writer_alone_figures_are_the_run() -> None:
    runs = _bench("writer-alone-throughput-2026-12-01.json")["runs"]
    a, b = ([run["ms_per_article"] for run in runs[side]] for side in ("a", "b"))
    low, high = _loads(runs["a"], runs["b"])
    cut = 1 - median(b) / median(a)
    assert (
        f"load {low}-{high}; `bench/results/writer-alone-throughput-2026-12-01.json`): "
        f"{min(a):.2f}-{max(a):.2f} ms an article on main (median {median(a):.2f}), "
        f"{min(b):.2f}-{max(b):.2f} ms here (median {median(b):.2f}), -{cut * 100:.0f} %" in _doc()
    )


def test_the_100k_samples_quoted_are_the_samples() -> None:
    """The per-process CPU of the 100k build, from the last sample of each writer and reader process."""
    rows = [json.loads(line) for line in (ROOT / "bench/results/n100k-throughput-final-samples.jsonl").open()]
    last: dict[int, tuple[int, float, str]] = {}
    for row in rows:
        for pid, _parent, cpu, _rss, command in row["procs"]:
            last[pid] = (row["t"], cpu, command)
    spawned = sorted((t, cpu) for t, cpu, command in last.values() if "spawn_main" in command)
    (_, reader1), (_, reader2), (_, writer1), (_, writer2) = spawned
    doc = _doc()
    assert f"readers {min(reader1, reader2)} + {max(reader1, reader2)} s CPU" in doc
    assert f"({min(writer1, writer2)} + {max(writer1, writer2)} s CPU)" in doc
    per_article = (writer1 + writer2) / 100, (reader1 + reader2) / 100
    assert f"writers {per_article[0]:.2f} ms, readers {per_article[1]:.2f} ms" in doc
