"""Every save yields a valid file that reads back exactly: generated text at the edges, store and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.annotations import AnnotationError, AnnotationStore, owner_by_file_name
from newsdesk.index.annotations.model import check_tag
from newsdesk.index.article import Article
from newsdesk.tui.cli import main

from tests.conftest import write

# YAML-significant pieces and line breaks of every kind, mixed into any Unicode text.
_EDGES = st.sampled_from(
    [
        "...",
        "---",
        "|",
        "|+",
        ">",
        "#",
        ": ",
        "- ",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "  ",
        "\t",
        "\u2028",
        "\u2029",
        "\x85",
        "\ufeff",
        "'",
        '"',
        "\\",
        "&a",
        "*a",
        "!!python/object",
        "%YAML 1.1",
        "? ",
        "@",
        "`",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "🙂",
        "null",
        "~",
        "yes",
        "0x1F",
        "1e3",
        "2024-01-01",
    ]
)
TEXT = st.lists(st.text(max_size=6) | _EDGES, max_size=30).map("".join)
"""Any Unicode (no surrogates: those are bytes, tested apart), dense with YAML-significant text."""
_TAGS = st.lists(st.text(min_size=1, max_size=12) | _EDGES, max_size=4)


def _article(text: str) -> Article:
    return Article(id="0123456789abcdef", path="a.txt", item=0, title="t", text=text, content_hash="h")


def _checked_tags(tags: list[str]) -> tuple[str, ...] | None:
    try:
        return tuple(dict.fromkeys(check_tag(t) for t in tags))
    except AnnotationError as exc:
        assert "\n" not in str(exc)
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=TEXT.filter(bool),
    adds=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(1, 80), _TAGS, TEXT, st.booleans()), min_size=1, max_size=4
    ),
)
def test_add_then_list_returns_exactly_what_was_given_and_every_file_parses(
    tmp_path_factory: pytest.TempPathFactory, text: str, adds: list[tuple[int, int, list[str], str, bool]]
) -> None:
    state = tmp_path_factory.mktemp("state")
    article = _article(text)
    sessions = [AnnotationStore(state, user="alice", owner_of=owner_by_file_name) for _ in range(2)]
    expected = {}
    for start, length, tags, note, other_session in adds:
        start = start % len(text)
        end = min(len(text), start + length)
        want_tags = _checked_tags(tags)
        store = sessions[other_session]  # a second session of the same user: the file changed under it
        if want_tags is None:
            with pytest.raises(AnnotationError):
                store.add(article, start, end, tags, note)
            continue
        added = store.add(article, start, end, tags, note)
        expected[added.id] = (text[start:end], text[max(0, start - 32) : start], text[end : end + 32], want_tags, note)
        for path in (state / "annotations").rglob("*.yaml"):  # PyYAML's pure-Python loader, independently
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert len(loaded["annotations"]) == len(expected)
        fresh = AnnotationStore(state, user="bob", owner_of=owner_by_file_name).for_article(article)
        assert fresh.errors == [] and fresh.orphans == []
        got = {
            p.annotation.id: (
                p.annotation.target.exact,
                p.annotation.target.prefix,
                p.annotation.target.suffix,
                p.annotation.tags,
                p.annotation.note,
            )
            for p in fresh.placed
        }
        assert got == expected


# -- the command line ------------------------------------------------------------------
PARAGRAPHS = "Barda talks\n\nFirst paragraph ends here.\n\nSecond paragraph starts here. It goes on.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    write(root, "barda.txt", PARAGRAPHS + "Second paragraph again.\n")
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_issue_repro_two_adds_after_a_quote_whose_context_ends_in_a_newline(
    capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    args = ["--corpus", str(corpus)]
    assert (
        run(
            capsys,
            "annotations",
            "add",
            "barda.txt",
            "--quote",
            "Second paragraph starts",
            "--tag",
            "a",
            "--note",
            "ends with a newline\n",
            *args,
        )[0]
        == 0
    )
    assert run(capsys, "annotations", "add", "barda.txt", "--quote", "First paragraph", "--tag", "b", *args)[0] == 0
    code, out, err = run(capsys, "annotations", "list", "barda.txt", "--json", *args)
    assert code == 0 and err == ""
    assert sorted(r["tags"][0] for r in json.loads(out)) == ["a", "b"]


@pytest.mark.parametrize("option", ["--note", "--tag"])
def test_bytes_that_are_not_utf8_in_argv_are_one_line(
    capsys: pytest.CaptureFixture[str], corpus: Path, option: str
) -> None:
    not_utf8 = b"caf\xe9 \xff".decode("utf-8", "surrogateescape")  # what Python makes of such argv bytes
    code, out, err = run(
        capsys,
        "annotations",
        "add",
        "barda.txt",
        "--quote",
        "First paragraph",
        "--tag",
        "ok",
        option,
        not_utf8,
        "--corpus",
        str(corpus),
    )
    assert code == 2 and out == "" and err.count("\n") == 1 and "not UTF-8" in err
    assert not list((corpus.parent).rglob("*.yaml"))  # nothing half-written


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=TEXT)
def test_list_layout_holds_whatever_the_note(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory, note: str
) -> None:
    root = tmp_path_factory.mktemp("news")
    write(root, "barda.txt", PARAGRAPHS)
    args = ["--corpus", str(root)]
    # --note=...: argparse reads a separate word starting with "-" (note="-") as an option
    assert (
        run(
            capsys,
            "annotations",
            "add",
            "barda.txt",
            "--quote",
            "First paragraph",
            "--tag",
            "x",
            f"--note={note}\u2028after",
            *args,
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "annotations", "list", "barda.txt", *args)
    lines = out.splitlines()  # str.splitlines also splits on U+2028, \x85...: what a terminal might do
    assert code == 0 and len(lines[0]) > 18 and lines[0][16:18] == "  " and int(lines[0][:16], 16) >= 0
    assert out.count("\n") == len(lines)  # no hidden line breaks inside a line
    assert all(line.startswith("    ") for line in lines[1:])
    assert not any(ch in out for ch in "\x1b\x00\x85\u2028\u2029\r")


def test_a_quote_found_several_times_is_refused_with_where(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    args = ["--corpus", str(corpus)]
    code, out, err = run(capsys, "annotations", "add", "barda.txt", "--quote", "Second paragraph", "--tag", "x", *args)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "occurs 2 times" in err and "line 3 (char 28)" in err and "line 4 (char 70)" in err and "--occurrence" in err
    code, out, _ = run(
        capsys,
        "annotations",
        "add",
        "barda.txt",
        "--quote",
        "Second paragraph",
        "--occurrence",
        "2",
        "--tag",
        "x",
        *args,
    )
    assert code == 0
    listed = json.loads(run(capsys, "annotations", "list", "barda.txt", "--json", *args)[1])
    assert [r["target"]["position"]["start"] for r in listed] == [70]
