"""docs/performance.md and docs/scaling.md on the fifth session's runs (positions in the frequency files) are their
JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.run import summarise

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
SCALING = ROOT / "docs" / "scaling.md"


def _load(name: str) -> dict:
    return json.loads((ROOT / "bench" / "results" / name).read_text(encoding="utf-8"))


def _flat(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_100k_table_is_the_run() -> None:
    doc = DOC.read_text(encoding="utf-8")
    run = _load("n100k-fifth-2026-12-01.json")
    ours, fts5 = run["results"]["newsdesk"], run["results"]["fts5"]
    first, theirs = run["summaries"]["newsdesk"]["first"], run["summaries"]["fts5"]["first"]
    main, child = round(ours["rss"]["main_mb"]), round(ours["rss"]["largest_child_mb"])
    assert (
        f"| index docs/s | {ours['docs_per_s']:.0f} ({ours['index_seconds']:.0f} s; "
        f"{ours['index_cpu_seconds']:.0f} s of CPU) | {fts5['docs_per_s']:,.0f} | ≥ 1,000: **missed** |"
    ) in doc and ours["docs_per_s"] < 1000
    assert f"| {main} + {child} = {main + child} MB | 58 MB | ≤ 500 MB: met |" in doc and main + child <= 500
    ratio = first["p95"] / theirs["p95"]
    assert (
        (
            f"| {first['p50']:.1f} / {first['p95']:.1f} ms | {theirs['p50']:.1f} / {theirs['p95']:.1f} ms | "
            f"p95 ≤ 100 ms and ≤ 1.2x FTS5: met ({ratio:.2f}x) |"
        )
        in doc
        and first["p95"] <= 100
        and ratio <= 1.2
    )
    second, their_second = run["summaries"]["newsdesk"]["second"], run["summaries"]["fts5"]["second"]
    assert f"| search p95, second pass | {second['p95']:.1f} ms | {their_second['p95']:.1f} ms | |" in doc
    for kind, label, target in (
        ("term", "term", ""),
        ("and", "AND", ""),
        ("phrase", "phrase", 150),
        ("prefix", "prefix", 50),
    ):
        row = f"| {label} p50 / p95 | {first[kind]['p50']:.0f} / {first[kind]['p95']:.0f} ms | "
        row += f"{theirs[kind]['p50']:.0f} / {theirs[kind]['p95']:.0f} ms |"
        row += f" ≤ {target} ms: met |" if target else " |"
        assert row in doc
        assert not target or first[kind]["p95"] <= target
    start, end = ours["load_average"]
    assert f"load average {start:.1f} at the start, {end:.1f} at the end" in " ".join(doc.split())
    assert f"The Whoosh folder is {ours['whoosh_bytes'] / 1e6:.0f} MB against 756 MB" in " ".join(doc.split())


def test_the_1m_table_is_the_runs() -> None:
    doc = DOC.read_text(encoding="utf-8")
    build, search = _load("n1m-positions-build-2026-12-01.json"), _load("n1m-positions-search-2026-12-01.json")
    assert search["reused_state"] and search["docs"] == build["docs"] == 1_000_000
    assert (
        f"| index time | {build['index_seconds'] / 60:.1f} min ({build['docs_per_s']:.0f} docs/s; "
        f"{build['index_cpu_seconds']:,.0f} s of CPU) | ≤ 20 min: **missed** |"
    ) in doc and build["index_seconds"] > 20 * 60
    summary = summarise(search)
    first = summary["first"]
    assert f"| {first['p50']:.1f} / {first['p95']:.1f} ms | p95 ≤ 300 ms: met |" in doc and first["p95"] <= 300
    assert f"| search p95, second pass | {summary['second']['p95']:.1f} ms | |" in doc
    kinds = " / ".join(f"{first[kind]['p95']:.0f}" for kind in ("term", "and", "phrase", "prefix"))
    assert f"| term / AND / phrase / prefix p95 | {kinds} ms | |" in doc
    assert f"| {search['refused'][0]} / {search['refused'][1]} |" in doc and search["refused"] == [0, 0]
    rss = search["rss"]["main_mb"]
    assert f"| {rss:.0f} MB | ≤ 1,024 MB: met |" in doc and rss <= 1024
    assert f"{build['whoosh_bytes'] / 1e6:,.0f} MB |" in doc
    # The build's peak: the main process from the 15 s samples, the writer from rusage (its peak fell between samples).
    log = (ROOT / "bench" / "results" / "n1m-positions-build-rss-2026-12-01.log").read_text(encoding="utf-8")
    samples = [
        (int(main) // 1024, [int(k) // 1024 for k in kids.split(",") if k], float(load))
        for main, kids, load in re.findall(r"main=(\d+) kids=([\d,]*) load=([\d.]+)", log)
    ]
    building = [main for main, kids, _ in samples if len(kids) > 1]  # readers or writers running
    writer = round(build["rss"]["largest_child_mb"])
    assert f"| {max(building)} MB sampled + {writer} MB | ≤ 1,024 MB: **missed** |" in doc
    assert max(building) + writer > 1024
    loads = [load for _, _, load in samples]
    assert f"load {min(loads):.1f}-{max(loads):.1f}" in " ".join(doc.split())


def test_the_growth_and_the_writer_ab_are_the_runs() -> None:
    flat = _flat(DOC)
    small = _load("n10k-fifth-2026-12-01.json")
    p95 = small["summaries"]["newsdesk"]["first"]["p95"]
    assert f"search p95 {p95:.1f} ms at 10k" in flat
    start, end = small["results"]["newsdesk"]["load_average"]
    assert f"load {start:.1f}-{end:.1f}" in flat
    ab = _load("index-ab-20k-positions-2026-12-01.json")["runs"]
    before, after = [run["cpu_s"] for run in ab["a"]], [run["cpu_s"] for run in ab["b"]]
    assert f"{before[0]} and {before[1]} s of CPU before, {after[0]} and {after[1]} s after" in flat
    assert abs(sum(after) - sum(before)) / sum(before) < 0.05  # "nothing measurable"


def test_scaling_quotes_the_fifth_session() -> None:
    flat = _flat(SCALING)
    search = _load("n1m-positions-search-2026-12-01.json")
    first = summarise(search)["first"]
    assert f"search p95 {first['p95']:.0f} ms (target 300: met), phrase p95 {first['phrase']['p95']:.0f} ms" in flat
    assert f"a search process of {search['rss']['main_mb']:.0f} MB" in flat
    before = _load("n1m-positions-search-before-facets-2026-12-01.json")
    assert f"peaked at {before['rss']['main_mb']:,.0f} MB" in flat


def test_the_verdict_quotes_the_1m_runs() -> None:
    flat = _flat(SCALING)
    build, search = _load("n1m-positions-build-2026-12-01.json"), _load("n1m-positions-search-2026-12-01.json")
    first = summarise(search)["first"]
    assert f"p95 {first['p95']:.0f} ms, {search['rss']['main_mb']:.0f} MB for the search process" in flat
    assert f"a first index of 1M took {build['index_seconds'] / 60:.0f} min" in flat
    assert f"each may hold ~{search['rss']['main_mb'] / 1000:.1f} GB" in flat


def test_the_second_1m_build_is_its_run() -> None:
    flat = _flat(DOC)
    build = _load("n1m-fifth-build-2026-12-01.json")
    assert (
        f"{build['index_seconds'] / 60:.1f} min ({build['docs_per_s']:.0f} docs/s; {build['index_cpu_seconds']:,.0f} s"
        in flat
    )
    main, writer = build["rss"]["main_mb"], build["rss"]["largest_child_mb"]
    assert f"peak over the build and the searches after it was {main:.0f} MB, a writer's {writer:.0f} MB: " in flat
    assert f"{round(main) + round(writer):,} MB together, still over the target" in flat and main + writer > 1024
    assert f"gave p95 {summarise(build)['first']['p95']:.1f} ms" in flat
    log = (ROOT / "bench" / "results" / "n1m-fifth-build-rss-2026-12-01.log").read_text(encoding="utf-8")
    rows = [
        (time, int(main) // 1024, len([k for k in kids.split(",") if k]), float(load))
        for time, main, kids, load in re.findall(r"(\S+) main=(\d+) kids=([\d,]*) load=([\d.]+)", log)
    ]
    reading = [m for t, m, kids, _ in rows if kids > 1 and t < "22:36:00"]
    after = [m for t, m, kids, _ in rows if kids > 1 and t >= "22:36:00"]
    assert f"held {max(reading)} MB sampled while reading" in flat
    assert f"{min(after)}-{max(after)} MB once it let the list go" in flat
    loads = [load for *_, load in rows]
    assert f"load {min(loads):.1f}-{max(loads):.1f} with CI runs on the cores" in flat
