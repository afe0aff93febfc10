"""newsdesk installs under one name, and every package folder is installed."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _installed_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    return config["packages"]


def test_every_package_folder_is_listed_under_the_newsdesk_name() -> None:
    folders = {"index": "newsdesk.index", "tui": "newsdesk.tui", "newsdesk": "newsdesk"}
    found = set()
    for top, name in folders.items():
        for init in (ROOT / top).rglob("__init__.py"):
            if "demo_corpus" in init.parts:
                continue
            relative = init.parent.relative_to(ROOT / top).parts
            found.add(".".join((name, *relative)))
    assert found == set(_installed_packages())


def test_no_bare_top_level_name_is_installed() -> None:
    assert all(name == "newsdesk" or name.startswith("newsdesk.") for name in _installed_packages())


def test_python_dash_m_newsdesk_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsdesk", "search", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and "usage: newsdesk search" in result.stdout
