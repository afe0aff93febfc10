"""docs/performance.md's search-as-you-type figures of the bulk facet counting are the runs it names."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"


def _load(name: str) -> dict:
    return json.loads((ROOT / "bench" / "results" / name).read_text(encoding="utf-8"))


def test_the_typeahead_ab_table_is_the_runs() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for number in (1, 2, 3):
        for side, label in (("old", "before"), ("new", "after")):
            run = _load(f"typeahead-100k-ab-{side}-{number}.json")["typeahead"]

            def pair(key: str, run: dict = run) -> str:
                return f"{run[key]['median_ms']:.0f} / {run[key]['p95_ms']:.0f}"

            row = (
                f"| {label}, run {number} | {run['load_average_start'][0]:.1f} | {pair('first_hits')} | "
                f"{pair('total_and_facets')} | {pair('first_hits_cpu')} | {pair('total_and_facets_cpu')} | "
                f"{run['first_hits_search_thread_cpu']['p95_ms']:.0f} / "
                f"{run['first_hits_interface_cpu']['p95_ms']:.0f} |"
            )
            assert row in doc
            assert run["first_hits"]["n"] == 50
    # The targets are said to be missed: true of every "after" run.
    after = [_load(f"typeahead-100k-ab-new-{n}.json")["typeahead"] for n in (1, 2, 3)]
    assert all(run["first_hits"]["p95_ms"] > 150 and run["total_and_facets"]["p95_ms"] > 500 for run in after)
    assert "The p95 targets are\nstill missed" in doc


def test_the_bulk_facet_figures_are_the_runs() -> None:
    doc = DOC.read_text(encoding="utf-8")
    old, new = (_load(f"typeahead-stages-100k-{side}.json") for side in ("old", "new"))

    def broad(run: dict) -> list[float]:
        return [row["facets_ms"] for row in run["queries"] if row["total"] >= 89_000]

    assert f"{min(broad(old)):.0f}-{max(broad(old)):.0f} ms of CPU value by value" in doc
    assert f"and {min(broad(new)):.0f}-{max(broad(new)):.0f} ms this way" in doc
    assert f"went from {old['second_median_ms']:.0f} to {new['second_median_ms']:.0f} ms" in doc
    # The same answers before and after: only the counting changed.
    assert [r["total"] for r in old["queries"]] == [r["total"] for r in new["queries"]]


def test_the_typeahead_ab_prose_is_the_runs() -> None:
    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    runs = {
        side: [_load(f"typeahead-100k-ab-{side}-{n}.json")["typeahead"] for n in (1, 2, 3)] for side in ("old", "new")
    }

    def span(side: str, key: str, stat: str) -> str:
        values = sorted(run[key][stat] for run in runs[side])
        return f"{values[0]:.0f}-{values[-1]:.0f}"

    assert (
        f"the wall median fell from {span('old', 'total_and_facets', 'median_ms')} ms to "
        f"{span('new', 'total_and_facets', 'median_ms')} ms and the CPU median from "
        f"{span('old', 'total_and_facets_cpu', 'median_ms')} to {span('new', 'total_and_facets_cpu', 'median_ms')} ms"
    ) in doc
    assert f"total and facets p95 {span('new', 'total_and_facets_cpu', 'p95_ms')} ms of CPU" in doc
    wall = f"{span('old', 'total_and_facets', 'p95_ms')} ms before, {span('new', 'total_and_facets', 'p95_ms')} after"
    assert wall in doc
    assert f"first stage (p95 {span('new', 'first_hits_search_thread_cpu', 'p95_ms')} ms)" in doc
    assert f"unchanged at a CPU p95 of {span('new', 'first_hits_cpu', 'p95_ms')} ms" in doc
    interface = f"(p95 {span('old', 'first_hits_interface_cpu', 'p95_ms')} → "
    assert interface + f"{span('new', 'first_hits_interface_cpu', 'p95_ms')} ms)" in doc


def test_the_phrase_second_stage_quoted_is_the_run() -> None:
    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    rows = _load("typeahead-stages-100k-new.json")["queries"]
    common = [r["second_ms"] for r in rows if r["ran"] in ('"will pake"', '"the nerabor"', '"pake su"')]
    assert len(common) == 3
    assert f"exact second stage takes {min(common):.0f}-{max(common):.0f} ms of CPU" in doc


def test_the_broad_two_word_figures_are_the_runs() -> None:
    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    broad = ("pake nerabor*", "nerabor AND liraor*")
    runs = [_load(f"typeahead-100k-ab-new-{n}.json")["typeahead"]["queries"] for n in (1, 2, 3)]
    cpu = [q["hits_search_cpu_ms"] for queries in runs for q in queries if q["ran"] in broad]
    assert f"`nerabor AND liraor*`: {min(cpu):.0f}-{max(cpu):.0f} ms of the search thread's CPU" in doc


def test_the_interface_ab_table_and_prose_are_the_runs() -> None:
    doc = DOC.read_text(encoding="utf-8")
    runs = {
        side: [_load(f"typeahead-100k-ui-{side}-{n}.json")["typeahead"] for n in (1, 2, 3)] for side in ("old", "new")
    }
    for number in (1, 2, 3):
        for side, label in (("old", "before"), ("new", "after")):
            run = runs[side][number - 1]

            def pair(key: str, run: dict = run) -> str:
                return f"{run[key]['median_ms']:.0f} / {run[key]['p95_ms']:.0f}"

            row = (
                f"| {label}, run {number} | {run['load_average_start'][0]:.1f} | {pair('first_hits')} | "
                f"{pair('first_hits_cpu')} | {pair('first_hits_search_thread_cpu')} | "
                f"{pair('first_hits_interface_cpu')} |"
            )
            assert row in doc
            assert run["first_hits"]["n"] == 50
    flat = " ".join(doc.split())

    def span(side: str, key: str, stat: str) -> str:
        low, high = (f"{v:.0f}" for v in sorted(run[key][stat] for run in runs[side])[::2])
        return low if low == high else f"{low}-{high}"

    loads = sorted(run["load_average_start"][0] for side in runs for run in runs[side])
    assert f"load average {loads[0]:.1f}-{loads[-1]:.1f} at the start of the runs" in flat
    median = "first_hits_interface_cpu", "median_ms"
    assert f"median of {span('old', *median)} ms to {span('new', *median)} ms" in flat
    p95 = "first_hits_interface_cpu", "p95_ms"
    assert f"its p95 ({span('old', *p95)} ms before, {span('new', *p95)} after)" in flat
    assert f"first stage (p95 {span('new', 'first_hits_search_thread_cpu', 'p95_ms')} ms in these runs)" in flat
    # Every "after" run's interface median is below every "before" run's; the target is still missed.
    assert max(r["first_hits_interface_cpu"]["median_ms"] for r in runs["new"]) < min(
        r["first_hits_interface_cpu"]["median_ms"] for r in runs["old"]
    )
    assert all(run["first_hits"]["p95_ms"] > 150 for run in runs["new"])


def test_the_frequency_file_figures_are_the_runs() -> None:
    doc = DOC.read_text(encoding="utf-8")
    flat = " ".join(doc.split())

    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[round(0.95 * (len(ordered) - 1))]

    for number in (1, 2):
        old, new = (_load(f"typeahead-stages-100k-frq-{side}-{number}.json") for side in ("old", "new"))
        for run, label in ((old, "main (ae649a5)"), (new, "frequency files")):
            firsts = [row["first_ms"] for row in run["queries"]]
            row = (
                f"| {label}, round {number} | {run['load_average'][0]:.1f} | {run['first_median_ms']:.0f} | "
                f"{p95(firsts):.0f} | {max(firsts):.0f} | {run['second_median_ms']:.0f} |"
            )
            assert row in doc
        # The same answers with and without the files.
        assert [r["total"] for r in old["queries"]] == [r["total"] for r in new["queries"]]
    first = {side: _load(f"typeahead-stages-100k-frq-{side}-1.json")["queries"] for side in ("old", "new")}
    old_ms, new_ms = ({row["ran"]: row["first_ms"] for row in first[side]} for side in ("old", "new"))
    for query in ("pake nerabor*", "nerabor AND liraor*", "su stobre*", "mito flashi*", "vuhazo*", '"pake su"'):
        assert f"`{query}` {old_ms[query]:.0f} → {new_ms[query]:.0f}" in flat
    middle = '"the Middle East"'
    assert f"`{middle}` (two word pairs, checked by position) {old_ms[middle]:.0f} → {new_ms[middle]:.0f}" in flat


def test_the_frequency_file_writer_cost_is_the_run() -> None:
    flat = " ".join(DOC.read_text(encoding="utf-8").split())
    runs = _load("frequency-cost-20k-2026-12-01.json")["runs"]

    def times(kept: bool) -> str:
        return "/".join(f"{run['finish_cpu_s']:.1f}" for run in runs if run["frequency_files"] is kept)

    assert f"{times(False)} s of CPU without the files and {times(True)} s with them" in flat
    with_files = next(run for run in runs if run["frequency_files"])
    assert (
        f"the file was {with_files['frq_bytes'] / 1e6:.1f} MB beside a {with_files['seg_bytes'] / 1e6:.0f} MB segment"
        in flat
    )
