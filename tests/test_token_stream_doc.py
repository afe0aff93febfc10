"""docs/performance.md's "token-stream writer" figures are their JSON (bench/results/)."""

from __future__ import annotations

import re

from bench.run import summarise
from tests.doc_figures import ROOT
from tests.doc_figures import flat as _flat
from tests.doc_figures import result as _load


def _loads(runs: list[dict]) -> str:
    found = [x for run in runs for x in run["load_average"]]
    return f"load {min(found):.1f}-{max(found):.1f}"


def test_the_writer_alone_turns() -> None:
    flat, runs = _flat(), _load("writer-alone-stream-20k-2026-12-02.json")["runs"]
    a, b = runs["a"], runs["b"]
    row = (
        f"| one writer alone, 20k articles: adding | {a[0]['add_s']:.2f} and {a[1]['add_s']:.2f} s of CPU "
        f"| {b[0]['add_s']:.2f} and {b[1]['add_s']:.2f} s | `writer-alone-stream-20k-2026-12-02.json` "
        f"({_loads(a + b)}) |"
    )
    assert row in flat
    assert max(r["add_s"] for r in b) < 0.6 * min(r["add_s"] for r in a)
    finish = (
        f"| {a[0]['finish_s']:.2f} and {a[1]['finish_s']:.2f} s | {b[0]['finish_s']:.2f} and {b[1]['finish_s']:.2f} s |"
    )
    assert finish in flat


def test_the_reprint_sync_turns() -> None:
    flat, runs = _flat(), _load("reprint-sync-20k-2026-12-02.json")["runs"]
    a, b = runs["a"], runs["b"]
    assert (
        f"| {a[0]['cpu_s']:.2f} and {a[1]['cpu_s']:.2f} s of CPU | {b[0]['cpu_s']:.2f} and {b[1]['cpu_s']:.2f} s"
        in flat
    )
    assert f"`reprint-sync-20k-2026-12-02.json` ({_loads(a + b)})" in flat
    assert max(r["cpu_s"] for r in b) < min(r["cpu_s"] for r in a)
    assert {r["articles"] for r in a + b} == {20000}


def test_the_library_turns_and_the_quarter() -> None:
    flat = _flat()
    small = _load("index-ab-20k-stream-2026-12-02.json")["runs"]
    a, b = [r["cpu_s"] for r in small["a"]], [r["cpu_s"] for r in small["b"]]
    assert f"| {a[0]} and {a[1]} s of CPU | {b[0]} and {b[1]} s |" in flat
    assert f"`index-ab-20k-stream-2026-12-02.json` ({_loads(small['a'] + small['b'])})" in flat
    assert f"{1 - sum(b) / sum(a):.0%}".replace("%", " %") == "27 %"
    big = _load("index-ab-100k-stream-2026-12-02.json")["runs"]
    (old,), (new,) = big["a"], big["b"]
    assert (
        f"| {old['seconds']} s ({old['docs_per_s']} docs/s), {old['cpu_s']} s of CPU "
        f"| {new['seconds']} s ({new['docs_per_s']} docs/s), {new['cpu_s']} s of CPU |"
    ) in flat
    assert f"{1 - new['cpu_s'] / old['cpu_s']:.0%}" == "22%"
    assert "27 % less at 20k, 22 % at 100k" in flat


def test_the_100k_run_and_its_verdicts() -> None:
    flat, run = _flat(), _load("n100k-stream-2026-12-02.json")
    ours = run["results"]["newsdesk"]
    rate, seconds, cpu = ours["docs_per_s"], ours["index_seconds"], ours["index_cpu_seconds"]
    assert f"| index docs/s | {rate:.0f} ({seconds:.0f} s; {cpu} s of CPU)" in flat
    assert ours["docs_per_s"] < 1000 and "≥ 1,000: **missed**" in flat
    per_article = ours["index_cpu_seconds"] / ours["docs"] * 1000
    assert f"{ours['index_cpu_seconds']} s of CPU for 100k articles is {per_article:.1f} ms an article" in flat


def test_the_profile_shares() -> None:
    flat = _flat()
    profile = _load("index-profile-20k-stream-2026-12-02.json")
    cpu, roles = profile["processes"]["cpu_s"], {pid: p["role"] for pid, p in profile["profile"].items()}
    per = {role: sum(cpu[pid] for pid, r in roles.items() if r == role) / 20 for role in ("writer", "main", "reader")}
    assert f"the writers {per['writer']:.1f} ms an article" in flat
    assert f"the main process {per['main']:.2f} ms before the reprint change" in flat
    assert f"the readers {per['reader']:.2f} ms" in flat


def test_the_writers_memory_is_the_sampled_runs() -> None:
    flat = _flat()
    runs = _load("build-rss-20k-main-vs-stream-fix-2026-12-02.json")["runs"]
    (old,), (new,) = runs["a"], runs["b"]
    a, b = old["rss_children_mb"][:2], new["rss_children_mb"][:2]
    assert f"{_loads([old, new])}): {a[0]} and {a[1]} MB for main, {b[0]} and {b[1]} MB with this code" in flat
    assert f"all processes at once {old['rss_all_at_once_mb']} against {new['rss_all_at_once_mb']} MB" in flat
    first = [
        r for r in _load("build-rss-20k-stream-redteam-2026-12-02.json")["before_fix"] if "rt-stream/" in r["python"]
    ]
    peaks = [mb for r in first for mb in r["rss_children_mb"][:2]]
    assert f"(writers at {min(peaks)}-{max(peaks)} MB" in flat
    assert max(b) < min(peaks)  # the fix: below the first version's writers


def test_the_1m_build_with_the_token_stream() -> None:
    """The 1M table: the build's JSON, its RSS samples, and the CPU floor said from them."""
    flat = _flat()
    build, before = _load("n1m-seventh-build-2026-12-02.json"), _load("n1m-sixth-build-2026-12-02.json")
    assert build["docs"] == 1_000_000 and build["refused"] == [0, 0]
    minutes, cpu = build["index_seconds"] / 60, build["index_cpu_seconds"]
    assert (
        f"| index time | {minutes:.1f} min ({build['docs_per_s']:.0f} docs/s; {cpu:,.0f} s of CPU) "
        f"| {before['index_seconds'] / 60:.1f} min; {before['index_cpu_seconds']:,.0f} s of CPU "
        "| ≤ 20 min: **missed** |"
    ) in flat and minutes > 20
    assert f"4,017 s of CPU is {cpu / 2 / 60:.1f} minutes" in flat and cpu / 2 > 20 * 60
    assert f"costs {cpu / 1e6 * 1000:.1f} (100k: 3.7)" in flat
    assert f"fell by a fifth ({before['index_cpu_seconds']:,.0f} → {cpu:,.0f} s)" in flat
    assert 0.75 < cpu / before["index_cpu_seconds"] < 0.85
    log = (ROOT / "bench" / "results" / "n1m-seventh-build-rss-2026-12-02.log").read_text(encoding="utf-8")
    rows = [
        (int(main) // 1024, [int(k) // 1024 for k in kids.split(",") if k], int(total) // 1024, float(load))
        for main, kids, total, load in re.findall(r"main=(\d+) kids=([\d,]*) sum=(\d+) load=([\d.]+)", log)
    ]
    assert len(rows) > 1000  # every 2 s over the hour
    peak = max(rows, key=lambda row: row[2])
    assert f"| {peak[2]} MB (while reading: main {peak[0]} MB, two readers {peak[1][1]} MB each)" in flat
    main, writer = max(row[0] for row in rows), max(kid for row in rows for kid in row[1])
    assert f"| {main} + {writer} = {main + writer} MB |" in flat and main + writer <= 1024
    loads = [row[3] for row in rows]
    assert f"load {min(loads):.1f}-{max(loads):.1f}: three red-team helpers" in flat
    first = summarise(build)["first"]
    assert f"| {first['p95']:.1f} ms (phrase {first['phrase']['p95']:.1f} ms), 0 / 0 refused |" in flat
    assert first["p95"] <= 300


def test_the_scaling_row_of_the_token_stream_is_the_1m_build() -> None:
    build = _load("n1m-seventh-build-2026-12-02.json")
    cpu = build["index_cpu_seconds"]
    assert (
        f"| {build['index_seconds'] / 60:.1f} min, {build['docs_per_s']:.0f} docs/s, {cpu:,.0f} s of CPU "
        f"(5,088 s at 5b5931e), load 0.6-6.5 with other work on the cores (`n1m-seventh-build-2026-12-02.json`): "
        f"at least {cpu / 2 / 60:.1f} min on two cores |"
    ) in _flat("docs/scaling.md")
