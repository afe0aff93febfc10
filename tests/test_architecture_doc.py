"""ARCHITECTURE.md names files, widgets and messages that exist: the page follows the code or this fails."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
SEARCHED = ("index", "tui", "tests", "bench", "newsdesk")


def _owner_table() -> list[tuple[str, str]]:
    """The (where, state) rows of "Who owns which state"."""
    section = PAGE.split("## Who owns which state", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return [(where.strip(), state.strip()) for where, state in rows[1:]]  # the header row left out


def _classes(folder: str) -> dict[str, Path]:
    found = {}
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                found[node.name] = path
    return found


@pytest.mark.parametrize("name", sorted(set(re.findall(r"`([A-Za-z_/.]+\.py)`", PAGE))))
def test_every_file_named_exists(name: str) -> None:
    if "/" in name:  # newsdesk/index/... is index/... installed under the namespace
        path = name.removeprefix("newsdesk/") if name.startswith(("newsdesk/index/", "newsdesk/tui/")) else name
        assert (ROOT / path).is_file(), name
    else:  # a bare file name: somewhere in the code
        assert any(next((ROOT / folder).rglob(name), None) for folder in SEARCHED), name


def test_every_class_in_the_ownership_table_exists_in_the_module_named() -> None:
    classes = _classes("tui")
    for where, state in _owner_table():
        for name in re.findall(r"`([A-Z][A-Za-z]+)`", where + " " + state):
            if name in {"KEY_TABLE"}:
                continue
            assert name in classes, f"ARCHITECTURE.md names {name}, which tui/ does not define"
        module = re.search(r"`([a-z_/]+\.py)`", where)
        first = re.match(r"`([A-Z][A-Za-z]+)`", where)
        if module and first:
            assert classes[first.group(1)].name == Path(module.group(1)).name, where


def test_every_widget_module_is_placed() -> None:
    """A new widget module gets its line on the page (the folder tree is the architecture diagram)."""
    for path in sorted((ROOT / "tui" / "widgets").glob("*.py")):
        if path.name in {"__init__.py", "layout.py", "footer.py", "search_box.py", "search_status.py"}:
            continue  # text layout helpers, the key hints, and the two parts the results pane holds
        assert f"{path.name}`" in PAGE, f"ARCHITECTURE.md does not say what tui/widgets/{path.name} owns"
