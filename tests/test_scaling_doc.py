"""docs/scaling.md cites real files, real tests and the figures those files hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

from newsdesk.index.engine.interface import IndexWriter, SearchEngine

from tests.test_engine_interface import members

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")
RESULTS = ROOT / "bench" / "results"


def result(name: str) -> dict:
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def test_every_cited_result_file_exists() -> None:
    cited = set(re.findall(r"[\w.-]+\.json", DOC))
    assert cited and {name for name in cited if not (RESULTS / name).exists()} == set()


def test_every_cited_test_exists() -> None:
    cited = re.findall(r"tests/(test_\w+\.py)::(test_\w+)(?:`,\s*`::(test_\w+))?", DOC)
    assert cited
    for module, *names in cited:
        source = (ROOT / "tests" / module).read_text(encoding="utf-8")
        for name in filter(None, names):
            assert f"def {name}(" in source, f"{module}::{name}"


def test_the_measured_figures_are_the_files() -> None:
    run = result("n100k-2026-12-01.json")["results"]
    summary = result("n100k-2026-12-01.json")["summaries"]
    assert f"{run['newsdesk']['docs_per_s']:.0f} docs/s" in DOC  # 263
    assert f"{run['tantivy']['docs_per_s']:,.0f} docs/s" in DOC  # 7,278
    assert f"{run['fts5']['docs_per_s']:,.0f} docs/s" in DOC  # 4,889
    first = {engine: summary[engine]["first"] for engine in ("newsdesk", "fts5", "tantivy")}
    row = " | ".join(f"{first[e]['p50']:.1f} / {first[e]['p95']:.1f} ms" for e in first)
    assert f"| all, p50 / p95 | {row} |" in DOC
    before = result("n100k-final2.json")["results"]["newsdesk"]
    assert f"{before['index_seconds']:.0f} s, {before['docs_per_s']:.0f} docs/s" in DOC  # 232 s, 430
    twenty = result("entities-overhead-synthetic-20k.json")["times"]["rules"]
    assert f"{min(twenty):.1f} / {max(twenty):.1f} s" in DOC
    typed = result("typeahead-100k-2026-12-01.json")["typeahead"]
    assert f"{typed['first_hits']['median_ms']:.0f} ms median, {typed['first_hits']['p95_ms']:.0f} ms p95" in DOC
    rebuild = result("readers-during-rebuild-1k.json")
    assert f"from {rebuild['idle']['p95_ms']:.0f} ms to\n{rebuild['during_rebuild']['p95_ms']:.0f} ms" in DOC


def test_the_seam_tables_name_exactly_the_protocols_methods() -> None:
    listed = set(re.findall(r"^\| `(\w+)\(", DOC, flags=re.MULTILINE))
    assert listed == members(SearchEngine)
    for name in members(IndexWriter):
        assert f"`{name}(" in DOC
