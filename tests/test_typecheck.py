"""mypy is clean on index/ and tui/ (config: [tool.mypy] in pyproject.toml).

The folders install as newsdesk.index and newsdesk.tui through a package-dir
mapping, which an editable install serves with an import hook mypy cannot
follow; so the check runs on a link tree with the installed names.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def link_tree(target: Path) -> Path:
    """``target/newsdesk`` laid out as installed: newsdesk/*.py, newsdesk/index -> index/, newsdesk/tui -> tui/."""
    package = target / "newsdesk"
    package.mkdir(parents=True)
    for path in (ROOT / "newsdesk").glob("*.py"):
        (package / path.name).symlink_to(path)
    (package / "index").symlink_to(ROOT / "index", target_is_directory=True)
    (package / "tui").symlink_to(ROOT / "tui", target_is_directory=True)
    return target


@pytest.mark.slow
def test_mypy_is_clean_on_index_and_tui(tmp_path: Path) -> None:
    tree = link_tree(tmp_path / "tree")
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "-p",
            "newsdesk.index",
            "-p",
            "newsdesk.tui",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
