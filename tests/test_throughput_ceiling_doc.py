"""docs/performance.md's "Indexing throughput, 2026-12-01 late" quotes the runs it names.

Each figure is rebuilt from its JSON under bench/results/ (the profile of a 20k first
index, the quiet 100k run, the small-window zlib trial), so a figure copied wrong, or
a run replaced without the text, fails, as tests/test_throughput_doc.py does for the
evening section.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _bench(name: str) -> Any:
    return json.loads((ROOT / "bench" / "results" / name).read_text(encoding="utf-8"))


def _doc() -> str:
    return " ".join((ROOT / "docs" / "performance.md").read_text(encoding="utf-8").split())


def _quiet() -> tuple[dict[str, Any], float]:
    run = _bench("n100k-final-2026-12-01.json")["results"]["newsdesk"]
    return run, run["index_cpu_seconds"] / run["docs"] * 1000


def _by_role() -> tuple[dict[str, float], float, dict[str, Any]]:
    """CPU seconds of the profiled build per kind of process, from /proc; writers, readers, main, other."""
    report = _bench("index-profile-20k-2026-12-01.json")
    roles = {pid: found["role"] for pid, found in report["profile"].items()}
    cpu: dict[str, float] = {"writer": 0.0, "reader": 0.0, "main": 0.0, "other": 0.0}
    for pid, seconds in report["processes"]["cpu_s"].items():
        role = roles.get(pid, "other")
        if role == "main" and "resource_tracker" in report["processes"]["commands"][pid]:
            role = "other"  # the resource tracker imports like a main process
        cpu[role if role in cpu else "other"] += seconds
    return cpu, sum(cpu.values()), report


def test_the_quiet_run_gives_the_ceiling() -> None:
    doc = _doc()
    run, ms = _quiet()
    assert f"indexed in {run['index_seconds']:.1f} s of wall and {run['index_cpu_seconds']:.1f} s of CPU" in doc
    assert f"{run['index_cpu_seconds'] / run['index_seconds']:.2f} cores busy on average out of 2" in doc
    assert f"a core idle at most {(1 - run['index_cpu_seconds'] / run['index_seconds'] / 2) * 100:.0f} %" in doc
    assert f"That CPU is {ms:.2f} ms an article, and 2 cores at {ms:.2f} ms an article give at most" in doc
    assert f"at most {2000 / ms:.0f} docs/s, which the run nearly reached ({run['docs_per_s']:.0f})" in doc
    assert f"in all: {(1 - 2.0 / ms) * 100:.0f} % less CPU" in doc


def test_the_profile_figures_are_the_run() -> None:
    doc = _doc()
    cpu, total, report = _by_role()
    build = report["build"]
    assert (
        f"{build['articles']:,} articles in {build['seconds']:.1f} s ({build['docs_per_s']} docs/s), "
        f"{build['cpu_s']:.1f} s of CPU, load {build['load_average'][0]:.1f} at the start and "
        f"{build['load_average'][1]:.1f} at the end" in doc
    )
    n = build["articles"]
    for label, role in (("2 writers", "writer"), ("2 readers (read, clean, entity rules)", "reader")):
        row = f"| {label} | {cpu[role]:.1f} s | {cpu[role] / total * 100:.0f} % | {cpu[role] / n * 1000:.2f} ms |"
        assert row in doc
    main = cpu["main"]
    assert f"reprint sync) | {main:.1f} s | {main / total * 100:.0f} % | {main / n * 1000:.2f} ms |" in doc
    assert f"no py-spy samples) | {cpu['other']:.1f} s | {cpu['other'] / total * 100:.0f} % |" in doc
    assert f"({total:.1f} s in all from /proc, {build['cpu_s']:.1f} s from the build's rusage.)" in doc
    _, ms = _quiet()
    writers = cpu["writer"] / total * ms
    assert f"the writers alone take ~{writers:.2f} ms an article" in doc
    assert f"could not pass ~{2000 / writers:.0f} docs/s" in doc
    profile = {found["role"]: found for found in report["profile"].values() if found["samples"] > 100}
    sync = profile["main"]["inclusive_pct"]["sync_reprints (index/reprints.py)"] / 100
    assert f"The reprint sync (~{main / n * 1000 * sync:.2f} ms an article" in doc
    writers = [found["inclusive_pct"] for found in report["profile"].values() if found["role"] == "writer"]
    assert {round(w["DirectSegmentWriter.add_document (index/engine/directwriter.py)"]) for w in writers} == {68}
    assert sorted(round(w["TermEncoder.write (index/engine/blockencoder.py)"]) for w in writers) == [24, 25]
    assert round(profile["main"]["inclusive_pct"]["sync_reprints (index/reprints.py)"]) == 69
    assert "writers: adding documents 68 %" in doc and "`TermEncoder.write` 24-25 %" in doc
    assert "main: the reprint sync 69 %" in doc


def test_the_small_window_zlib_figures_are_the_run() -> None:
    doc = _doc()
    run = _bench("small-zlib-2026-12-01.json")
    assert run["same_bytes"] is True
    assert (
        f"the {run['blocks']:,} blocks the direct writer compresses for {run['articles']:,} articles "
        f"(median {run['median_block_bytes']} bytes, {run['total_block_bytes'] / 1e6:.1f} MB in all)" in doc
    )
    plain, small = run["cpu_s"]["zlib"], run["cpu_s"]["small_window"]
    assert f"plain `zlib.compress` took {min(plain):.2f}-{max(plain):.2f} s" in doc
    assert (
        f"small window {min(small):.2f}-{max(small):.2f} s (three turns each, load {run['load_average'][0]:.1f})" in doc
    )
    assert min(small) > max(plain)  # "not kept" because it was slower in every turn
    assert f"zlib is still ~{min(plain) / run['articles'] * 1000:.2f} ms an article" in doc


_SHARES = [
    # (role, function as py-spy names it, inclusive or own samples, lowest and highest share quoted, in %)
    ("writer", "PairPositions.term_positions (index/engine/schema.py)", "inclusive_pct", 12, 13),
    ("writer", "FastPositions.term_positions (index/engine/schema.py)", "inclusive_pct", 9, 9),
    ("writer", "DirectSegmentWriter._add_present (index/engine/directwriter.py)", "inclusive_pct", 7, 8),
    ("writer", "DirectSegmentWriter._index_field (index/engine/directwriter.py)", "self_pct", 22, 24),
    ("writer", "encode_positions (index/engine/schema.py)", "inclusive_pct", 5, 5),
    ("writer", "DirectSegmentWriter.finish (index/engine/directwriter.py)", "inclusive_pct", 28, 28),
    ("main", "sketch (index/reprints.py)", "inclusive_pct", 31, 31),
    ("main", "shingle_hashes (index/reprints.py)", "inclusive_pct", 22, 22),
    ("main", "Indexer._update_locked.<locals>.write_batch (index/indexer.py)", "inclusive_pct", 15, 15),
    ("reader", "RuleExtractor.extract_article (index/entities/rules.py)", "inclusive_pct", 37, 38),
    ("reader", "Cleaner.article (index/ingest/clean.py)", "inclusive_pct", 20, 26),
    ("reader", "read_regular_file (index/ingest/reader.py)", "inclusive_pct", 8, 10),
]


def test_the_function_shares_are_the_profile() -> None:
    report = _bench("index-profile-20k-2026-12-01.json")
    for role, function, kind, low, high in _SHARES:
        found = [
            int(process[kind][function] + 0.5)  # half up, as quoted (14.5: 15)
            for process in report["profile"].values()
            if process["role"] == role and process["samples"] > 100
        ]
        assert found and min(found) == low and max(found) == high, (function, found)


def test_the_quieter_profile_figures_are_the_run() -> None:
    doc = _doc()
    report = _bench("index-profile-20k-quiet-2026-12-01.json")
    build, timeline = report["build"], report["processes"]["timeline"][1:]  # the first row has no interval
    assert (
        f"70.5 s, 284 docs/s, 75.5 s of CPU, load {build['load_average'][0]:.1f} at the start and "
        f"{build['load_average'][1]:.1f} at the end" in doc
    )
    assert (build["seconds"], build["docs_per_s"], build["cpu_s"]) == (70.5, 284, 75.5)
    assert f"the build used {build['cpu_s'] / build['seconds']:.2f} cores on average" in doc
    starts = build["phase_starts"]
    bounds = [
        (starts["reading"], starts["indexing"]),
        (starts["indexing"], starts["writing"]),
        (starts["writing"], build["seconds"]),
    ]
    used = []
    for low, high in bounds:
        sums = [sum(row["cpu_pct"].values()) for row in timeline if low < row["t"] <= high]
        used.append(f"{sum(sums) / len(sums) / 100:.2f}")
    assert f"{used[0]} while reading, {used[1]} while handing over and syncing, {used[2]} while the writers" in doc
    readers = [p for p in report["profile"].values() if p["role"] == "reader" and p["samples"] > 100]
    assert {int(p["inclusive_pct"]["read_regular_file (index/ingest/reader.py)"] + 0.5) for p in readers} == {14}


def test_the_readers_were_busy_more_than_they_ran() -> None:
    report = _bench("index-profile-20k-quiet-2026-12-01.json")
    starts = report["build"]["phase_starts"]
    phase = starts["indexing"] - starts["reading"]
    roles = {pid: p["role"] for pid, p in report["profile"].items() if p["samples"] > 100}
    readers = [pid for pid, role in roles.items() if role == "reader"]
    busy = [report["profile"][pid]["samples"] / 20 / phase for pid in readers]  # 20 Hz
    ran = sorted(int(report["processes"]["cpu_s"][pid] / phase * 100 + 0.5) for pid in readers)
    assert all(0.9 <= share <= 1.0 for share in busy), busy
    assert f"/proc gave it {ran[0]}-{ran[-1]} % of a core" in _doc()
