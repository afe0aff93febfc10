"""docs/performance.md's 1M run of 2026-12-02 is its JSON and its RSS samples (bench/results/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.run import summarise

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def test_the_1m_table_is_the_run() -> None:
    flat = " ".join((ROOT / "docs" / "performance.md").read_text(encoding="utf-8").split())
    build = json.loads((RESULTS / "n1m-sixth-build-2026-12-02.json").read_text(encoding="utf-8"))
    before = json.loads((RESULTS / "n1m-fifth-build-2026-12-01.json").read_text(encoding="utf-8"))
    assert build["docs"] == 1_000_000
    assert (
        f"| index time | {build['index_seconds'] / 60:.1f} min ({build['docs_per_s']:.0f} docs/s; "
        f"{build['index_cpu_seconds']:,.0f} s of CPU) | ≤ 20 min: **missed** |"
    ) in flat and build["index_seconds"] > 20 * 60
    log = (RESULTS / "n1m-sixth-build-rss-2026-12-02.log").read_text(encoding="utf-8")
    rows = [
        (int(main) // 1024, [int(k) // 1024 for k in kids.split(",") if k], int(total) // 1024, float(load))
        for main, kids, total, load in re.findall(r"main=(\d+) kids=([\d,]*) sum=(\d+) load=([\d.]+)", log)
    ]
    assert len(rows) > 1000  # every 2 s over the hour
    peak = max(rows, key=lambda row: row[2])
    assert (
        f"| all processes at once, sampled peak | {peak[2]} MB (while reading: main {peak[0]} MB, two readers" in flat
    )
    main = max(row[0] for row in rows)
    writer = max(kid for row in rows for kid in row[1])
    assert f"| {main} + {writer} = {main + writer} MB | ≤ 1,024 MB: met |" in flat and main + writer <= 1024
    assert f"never saw a writer above {writer} MB" in flat
    assert f"(a child of {build['rss']['largest_child_mb']:.0f} MB)" in flat
    assert f"| Whoosh folder | {build['whoosh_bytes'] / 1e6:,.0f} MB ({before['whoosh_bytes'] / 1e6:,.0f} MB" in flat
    p95 = summarise(build)["first"]["p95"]
    assert f"| search p95 after the build | {p95:.1f} ms, 0 / 0 refused | ≤ 300 ms: met |" in flat
    assert build["refused"] == [0, 0] and p95 <= 300
    loads = [row[3] for row in rows]
    assert f"load {min(loads):.1f}-{max(loads):.1f}: a full CI run" in flat
