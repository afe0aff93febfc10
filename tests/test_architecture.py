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
