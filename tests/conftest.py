"""Shared fixtures: isolated config/data dirs and small corpora written per test."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsdesk.index import Config, Library


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config or writes to their data dir."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("NEWSDESK_CONFIG", raising=False)
    monkeypatch.chdir(home)


def write(root: Path, relpath: str, text: str) -> Path:
    """Write a dedented file under ``root`` and return its path."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


ARTICLES = {
    "reports/ceasefire.txt": """
        Ceasefire talks resume in Geneva

        Reading Time: 2 minutes

        Foreign ministers met the co-chairs of the Minsk Group in Geneva on Friday.
        Diplomats described the talks as a launch pad for a wider settlement.

        Mercenaries from the Middle East were mentioned by several delegations.

        You may want to read...

        %d bloggers like this:
        """,
    "reports/shelling.txt": """
        Shelling hits Stepanakert overnight

        Residents of Stepanakert spent the night in basements as shelling continued.
        A mercenary captured near the front was shown on television.
        """,
    "analysis/outlook.md": """
        ---
        title: What the truce means for the region
        source: Meridian Wire
        date: 2020-11-10
        author: Lena Hart
        tags: [analysis, ceasefire]
        ---
        The truce signed overnight ends six weeks of fighting.

        Peacekeepers will patrol the Lachin corridor for five years.
        """,
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A small corpus of original test articles in txt and md."""
    root = tmp_path / "corpus"
    for relpath, text in ARTICLES.items():
        write(root, relpath, text)
    return root


@pytest.fixture
def library(corpus: Path, tmp_path: Path) -> Iterator[Library]:
    """The small corpus, indexed."""
    lib = Library.open(corpus, state_dir=tmp_path / "state", config=Config())
    lib.update()
    yield lib
    lib.close()
