"""The headless core stays headless: nothing in index/ imports Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

INDEX = Path(__file__).resolve().parent.parent / "index"


def test_no_module_in_index_imports_textual() -> None:
    offenders = []
    for path in INDEX.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            ui = [n for n in names if n.split(".")[0] == "textual" or n.startswith("newsdesk.tui")]
            offenders += [f"{path.name}: {n}" for n in ui]
    assert offenders == []


def test_using_the_core_loads_no_textual(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\n\nSome text about Geneva.\n")
    code = (
        "import sys; from pathlib import Path; from newsdesk.index import Library;"
        f"lib = Library.open(Path({str(tmp_path)!r}), state_dir=Path({str(tmp_path / 's')!r}));"
        "lib.update(); assert lib.search('Geneva').total == 1;"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('newsdesk.tui')],"
        " 'textual loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


TUI = INDEX.parent / "tui"
CORE_INTERNALS = {"store", "annotations"}
"""Library attributes that are the core's own parts; the reader goes through Library's methods."""


def _tui_modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(TUI.rglob("*.py"))]


def test_the_reader_imports_only_the_core_package_itself() -> None:
    """tui/ uses newsdesk.index's public API: what its __init__ exports, never a submodule."""
    offenders = []
    for path, tree in _tui_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] if node.level == 0 else []
            else:
                continue
            offenders += [f"{path.relative_to(TUI)}: {n}" for n in names if n.startswith("newsdesk.index.")]
    assert offenders == []


def test_every_name_the_reader_imports_from_the_core_is_exported() -> None:
    import newsdesk.index

    missing = []
    for path, tree in _tui_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "newsdesk.index":
                missing += [
                    f"{path.relative_to(TUI)}: {a.name}" for a in node.names if a.name not in newsdesk.index.__all__
                ]
    assert missing == []


def test_the_reader_does_not_reach_into_the_librarys_parts() -> None:
    """No ``library.store`` or ``library.annotations``: Library's methods are the API."""
    offenders = []
    for path, tree in _tui_modules():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr in CORE_INTERNALS):
                continue
            owner = node.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if owner_name == "library":
                offenders.append(f"{path.relative_to(TUI)}:{node.lineno}: library.{node.attr}")
    assert offenders == []
