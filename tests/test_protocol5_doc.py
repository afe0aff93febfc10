"""docs/performance.md's "positional blocks at protocol 5" figures are their JSON (bench/results/)."""

from __future__ import annotations

from tests.doc_figures import flat as _flat
from tests.doc_figures import result as _load


def test_the_protocol_turns_are_the_run() -> None:
    flat = _flat()
    runs = _load("block-protocol-20k-2026-12-02.json")["runs"]
    old = [run for run in runs if run["protocol"] == 2]
    new = [run for run in runs if run["protocol"] == 5]
    finish_old, finish_new = [r["finish_s"] for r in old], [r["finish_s"] for r in new]
    assert f"took {finish_old[0]:.2f} and {finish_old[1]:.2f} s of CPU at protocol 2" in flat
    assert f"{finish_new[0]:.2f} and {finish_new[1]:.2f} s at protocol 5" in flat
    assert max(finish_new) < min(finish_old)
    size_old, size_new = old[0]["segment_bytes"], new[0]["segment_bytes"]
    assert f"the segment is {size_old / 1e6:.0f} MB at protocol 2 against {size_new / 1e6:.0f} MB at 5" in flat
    assert size_new < size_old
    adds = sorted(r["add_s"] for r in old), sorted(r["add_s"] for r in new)
    assert f"{adds[0][0]}-{adds[0][1]} and {adds[1][0]}-{adds[1][1]} s" in flat
    loads = [x for r in runs for x in r["load_average"]]
    assert f"load {min(loads):.1f}-{max(loads):.1f}): finishing" in flat


def test_the_library_ab_is_the_run() -> None:
    flat = _flat()
    ab = _load("index-ab-20k-protocol5-2026-12-02.json")["runs"]
    before, after = [r["cpu_s"] for r in ab["a"]], [r["cpu_s"] for r in ab["b"]]
    assert f"{before[0]} and {before[1]} s of CPU before, {after[0]} and {after[1]} s after, about a tenth less" in flat
    assert 0.05 < 1 - sum(after) / sum(before) < 0.15
    loads = [x for side in ab.values() for r in side for x in r["load_average"]]
    assert f"load {min(loads):.1f}-{max(loads):.1f}, both analysis" in flat
