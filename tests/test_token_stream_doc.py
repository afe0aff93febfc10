"""docs/performance.md's "token-stream writer" figures are their JSON (bench/results/)."""

from __future__ import annotations

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
