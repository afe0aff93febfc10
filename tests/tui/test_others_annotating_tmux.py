"""The real reader in tmux while another process annotates: the screen keeps equal to a fresh CLI search.

Another analyst on the same server runs ``newsdesk annotations add`` (the CLI, a
separate process) on articles of the search the reader shows. After each change
the reader's list (in order), its count and its facets must be what a fresh
``newsdesk search --json`` says, read from the screen with ``tmux capture-pane``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.tui.test_e2e_tmux import NEWSDESK, Terminal, newsdesk_in_tmux
from tests.tui.test_key_order_tmux import burst

QUERY = "Karabakh OR tag:evidence"
LIST_TOP = 5
"""Screen line of the first row's title: status bar, three lines of search box, the count line."""
ROW_LINES = 4
FACETS_COMPARED = {"SOURCE": "source", "DATE": "date", "TAG": "tags"}


def _cli(tmp_path: Path, *args: str) -> str:
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path / "state-home"),
        "XDG_DATA_HOME": str(tmp_path / "data-home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config-home"),
    }
    done = subprocess.run(
        [str(NEWSDESK), *args, "--state-dir", str(tmp_path / "index")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    return done.stdout


def _fresh_search(tmp_path: Path) -> dict[str, Any]:
    return json.loads(_cli(tmp_path, "search", "--json", "--limit", "30", QUERY))


def _first_sentence_start(tmp_path: Path, article_id: str) -> str:
    """Some words of the article's first paragraph, exactly as in its text (for ``--quote``)."""
    shown = _cli(tmp_path, "show", article_id)
    body = shown.split("\n\n", 2)[2]
    return " ".join(body.split()[:6]) if "\n" not in body[:80] else body.splitlines()[0][:40]


def _annotate(tmp_path: Path, article_id: str, *tags: str) -> None:
    quote = _first_sentence_start(tmp_path, article_id)
    tag_args = [arg for tag in tags for arg in ("--tag", tag)]
    _cli(tmp_path, "annotations", "add", article_id, "--quote", quote, "--occurrence", "1", *tag_args)


def _seen(shown: str) -> dict[str, Any]:
    """What the reader shows: the count line, the titles of the rows in view, the compared facets."""
    lines = shown.splitlines()
    # The list's scrollbar is drawn in block elements (U+2580-U+259F: "▌", and "▄" where the thumb ends
    # half-way through a cell); none is ever part of a title.
    left = [re.sub("[\u2580-\u259f]", " ", line.split("▏", 1)[0]).strip() for line in lines]
    count = left[LIST_TOP - 1]
    titles = [
        left[i].rstrip("…")
        for i in range(LIST_TOP, len(lines) - 1, ROW_LINES)
        if i + ROW_LINES <= len(lines) - 1 and left[i]
    ]
    facets: dict[str, list[tuple[str, int]]] = {}
    current: list[tuple[str, int]] | None = None
    for line in lines:
        right = line.rsplit("▏", 1)[-1].rstrip()
        if right.strip() in FACETS_COMPARED:
            current = facets.setdefault(FACETS_COMPARED[right.strip()], [])
        elif right.isupper() and right.strip():
            current = None
        elif current is not None and (value := re.fullmatch(r"  (.+?)  (\d[\d,]*)", right)):
            current.append((value.group(1), int(value.group(2).replace(",", ""))))
    return {"count": count, "titles": titles, "facets": facets}


def _expected(found: dict[str, Any], rows_in_view: int) -> dict[str, Any]:
    total = found["total"]
    return {
        "count": f"{total} result{'s' if total != 1 else ''}",
        "titles": [hit["title"] for hit in found["hits"][:rows_in_view]],
        "facets": {
            name: [(v["value"], v["count"]) for v in found["facets"].get(name, [])]
            for name in FACETS_COMPARED.values()
            if found["facets"].get(name)
        },
    }


def _matches(seen: dict[str, Any], expected: dict[str, Any]) -> bool:
    return (
        seen["count"] == expected["count"]
        and seen["facets"] == expected["facets"]
        and len(seen["titles"]) == len(expected["titles"])
        and all(full.startswith(shown) for shown, full in zip(seen["titles"], expected["titles"], strict=True))
    )


def _wait_equal(terminal: Terminal, tmp_path: Path, what: str, timeout: float = 60.0) -> dict[str, Any]:
    found = _fresh_search(tmp_path)
    deadline = time.monotonic() + timeout
    while True:
        seen = _seen(terminal.screen())
        expected = _expected(found, len(seen["titles"]) or 1)
        if _matches(seen, expected):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what}: the reader shows\n{seen}\nbut a fresh CLI search says\n{expected}\n{terminal.screen()}"
            )
        time.sleep(0.3)


def test_the_reader_follows_another_process_annotating_its_results(tmp_path: Path) -> None:
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(160, 60)) as terminal:
        terminal.wait_for("indexed", timeout=180)
        # Search as written (Enter), then show the Facets tab: list -> reader -> side panel, next tab.
        burst(terminal, "/", f"={QUERY}", "Enter")
        terminal.wait_for("20 results", timeout=60)
        burst(terminal, "Tab", "Tab", "l")
        terminal.wait_for("SOURCE", timeout=30)
        found = _wait_equal(terminal, tmp_path, "before any change")
        listed = [hit["id"] for hit in found["hits"]]
        everything = json.loads(_cli(tmp_path, "search", "--json", "--limit", "50", "*"))
        unlisted = next(hit["id"] for hit in everything["hits"] if hit["id"] not in listed)

        _annotate(tmp_path, listed[5], "evidence")  # a listed article gains a tag: facets, ranking
        _wait_equal(terminal, tmp_path, "after tagging a listed article")
        _annotate(tmp_path, unlisted, "evidence", "lead")  # the query now finds one more article
        found = _wait_equal(terminal, tmp_path, "after tagging an article the query did not find")
        assert found["total"] == 21
        _annotate(tmp_path, listed[0], "evidence", "diplomacy")  # the top article, twice over
        _annotate(tmp_path, listed[0], "armenia")
        _wait_equal(terminal, tmp_path, "after two more notes on the top article")
        burst(terminal, "Escape", "q")  # panel -> list, quit
        terminal.wait_for("newsdesk-exited-0", timeout=30)
