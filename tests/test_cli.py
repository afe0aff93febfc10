"""The newsdesk command: JSON output, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from newsdesk.tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_prints_a_summary(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    code, out, _ = run(capsys, "index", "--corpus", str(corpus))
    assert code == 0
    assert out.startswith("3 added, 0 updated, 0 removed")
    assert "docs/s" in out


def test_search_json(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    code, out, _ = run(capsys, "search", "mercenary", "--corpus", str(corpus), "--json", "--limit", "1")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"query", "total", "took_ms", "hits", "facets", "suggestion"}
    assert data["query"] == "mercenary" and data["total"] == 2 and len(data["hits"]) == 1
    hit = data["hits"][0]
    assert set(hit) >= {"id", "path", "title", "score", "snippet"}
    assert hit["path"] in {"reports/ceasefire.txt", "reports/shelling.txt"}
    assert not Path(hit["path"]).is_absolute()


def test_search_queries_file_gives_json_lines(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text('mercenary\n\n"launch pad"\n"unclosed\n')
    code, out, _ = run(capsys, "search", "--queries", str(queries), "--corpus", str(corpus))
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["mercenary", '"launch pad"', '"unclosed']
    assert lines[1]["total"] == 1
    assert "unclosed quote" in lines[2]["error"]
    assert code == 1


def test_show_by_path_and_id(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    code, out, _ = run(capsys, "show", "reports/ceasefire.txt", "--corpus", str(corpus), "--json")
    article = json.loads(out)
    assert code == 0 and article["title"] == "Ceasefire talks resume in Geneva"
    assert "bloggers" not in article["text"]
    code, out, _ = run(capsys, "show", article["id"], "--corpus", str(corpus))
    assert code == 0 and out.startswith("Ceasefire talks resume in Geneva\n")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["search", '"unclosed', "--corpus", "{corpus}"], 2, "unclosed quote"),
        (["search", "x", "--corpus", "{corpus}/nope"], 2, "corpus not found"),
        (["search", "--corpus", "{corpus}"], 2, "give a QUERY"),
        (["search", "x", "--limit", "zero"], 2, "invalid int value"),
        (["show", "../../etc/passwd", "--corpus", "{corpus}"], 1, "no article"),
        (["index", "--config", "{corpus}/missing.yaml"], 2, "config file not found"),
        (["frobnicate"], 2, "corpus not found"),
        (["index", "--bogus"], 2, "unrecognized arguments"),
    ],
)
def test_errors_are_one_line_with_exit_codes(
    capsys: pytest.CaptureFixture[str], corpus: Path, argv: list[str], code: int, message: str
) -> None:
    argv = [a.replace("{corpus}", str(corpus)) for a in argv]
    got, _, err = run(capsys, *argv)
    assert got == code
    assert message in err
    assert err.count("\n") == 1 and err.startswith("newsdesk: error: ")
    assert "Traceback" not in err


def test_bad_config_exits_2(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("search:\n  page_sise: 3\n")
    code, _, err = run(capsys, "search", "x", "--corpus", str(corpus), "--config", str(config))
    assert code == 2 and "unknown key 'search.page_sise'" in err


def test_console_script_runs(corpus: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "search", "Stepanakert", "--corpus", str(corpus), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 1


def test_a_page_past_the_last_says_so(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    """Issue 11, item 9: `--page 99` printed the count and nothing else."""
    code, out, _ = run(capsys, "search", "mercenary", "--page", "99", "--corpus", str(corpus))
    assert (
        code == 0
        and out.splitlines() == [out.splitlines()[0], "page 99 is past the last page (1); try --page 1"]
        and out.startswith("2 hits")
    )


def test_one_hit_and_one_article_are_singular(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corpus = tmp_path / "one"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Talks\n\nGeneva talks went on.\n")
    common = ["--corpus", str(corpus), "--state-dir", str(tmp_path / "s")]
    code, out, _ = run(capsys, "index", *common)
    assert code == 0 and "; 1 article in" in out
    code, out, _ = run(capsys, "search", "geneva", *common)
    assert code == 0 and out.startswith("1 hit for 'geneva'")


def test_out_of_memory_is_one_line_and_the_next_index_works(
    capsys: pytest.CaptureFixture[str], corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red team: an article too large for the memory left (``ulimit -v``) ended ``newsdesk index``
    with a MemoryError traceback from the reprint grouping."""
    from newsdesk.index import indexer

    def no_memory(store: object) -> int:
        raise MemoryError

    monkeypatch.setattr(indexer, "sync_reprints", no_memory)
    code, _, err = run(capsys, "index", "--corpus", str(corpus))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("newsdesk: error: out of memory") and "Traceback" not in err
    monkeypatch.undo()
    code, out, _ = run(capsys, "index", "--corpus", str(corpus))
    assert code == 0
    code, out, _ = run(capsys, "search", "mercenary", "--corpus", str(corpus), "--json", "--limit", "1")
    assert code == 0 and json.loads(out)
