"""An annotation of a PDF says which page it is on: ``annotations list`` (text, JSON) and every export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from newsdesk.index import Config, Library
from newsdesk.index.annotations.export import parse_export
from newsdesk.tui.cli import main

from tests.documents import PARAGRAPHS, PdfSpec, make_pdf

PAGE_TWO = "Residents of the outer islands"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A three-page PDF annotated on pages 1 and 2, and a plain-text article annotated too (no page)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.pdf").write_bytes(make_pdf(PdfSpec(pages=[PARAGRAPHS[:2], PARAGRAPHS[2:4], PARAGRAPHS[4:]])))
    (corpus / "note.txt").write_text("Plain note\n\nA plain text with no pages at all.\n", encoding="utf-8")
    with Library.open(corpus, config=Config()) as library:
        library.update()
        first = library.article("report.pdf").text.split()[0]
        library.annotate_quote("report.pdf", PAGE_TWO, tags=["two"])
        library.annotate_quote("report.pdf", first, occurrence=1, tags=["one"])
        library.annotate_quote("note.txt", "no pages", tags=["plain"])
    return corpus


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def _page_by_tag(records: list[dict]) -> dict[str, int | None]:
    return {record["tags"][0]: record.get("page") for record in records}


def test_list_json_gives_the_page(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = json.loads(_run(capsys, "annotations", "list", "report.pdf", "--json", "--corpus", str(corpus)))
    assert _page_by_tag(one) == {"one": 1, "two": 2}
    every = json.loads(_run(capsys, "annotations", "list", "--json", "--corpus", str(corpus)))
    assert _page_by_tag(every) == {"one": 1, "two": 2, "plain": None}


def test_list_text_gives_the_page(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["report.pdf"], []):
        lines = _run(capsys, "annotations", "list", *args, "--corpus", str(corpus)).splitlines()
        by_tag = {tag: next(line for line in lines if f"[{tag}]" in line) for tag in ("one", "two")}
        assert "[one] p. 1 " in by_tag["one"] and "[two] p. 2 " in by_tag["two"]
    plain = _run(capsys, "annotations", "list", "note.txt", "--corpus", str(corpus))
    assert "[plain]" in plain and " p. " not in plain


def test_exports_give_the_page(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def export(fmt: str) -> str:
        return _run(capsys, "annotations", "export", "--format", fmt, "--corpus", str(corpus))

    assert _page_by_tag(json.loads(export("json"))) == {"one": 1, "two": 2, "plain": None}
    assert _page_by_tag(yaml.safe_load(export("yaml"))["annotations"]) == {"one": 1, "two": 2, "plain": None}
    rows = list(csv.DictReader(io.StringIO(export("csv"))))
    assert {row["tags"]: row["page"] for row in rows} == {"one": "1", "two": "2", "plain": ""}
    report = export("md")
    for tag, page in (("one", ", page 1*"), ("two", ", page 2*")):
        section = report.split(f"## {tag}\n", 1)[1].split("\n## ", 1)[0]
        assert page in section
    assert ", page" not in report.split("## plain\n", 1)[1].split("\n## ", 1)[0]


def test_the_page_is_not_imported_as_part_of_the_annotation(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("json", "yaml"):
        exported = _run(capsys, "annotations", "export", "--format", fmt, "--corpus", str(corpus))
        assert "page" in exported
        assert all("page" not in a.extra for a in parse_export(exported, f"export.{fmt}"))
