"""The extractor key changes with any change to the rule extractor's code, so cached entities are recomputed.

The rules live in several modules (issue 15 split rules.py by what each part does): a module left out of
the digest would let edited rules serve stale cached entities.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index import entities as entities_package
from newsdesk.index.entities import RULE_MODULES, code_digest, extractor_key
from newsdesk.index.entities.lists import EntityLists
from newsdesk.index.entities.rules import RuleExtractor
from newsdesk.index.entities.stage import META_ENTITY_KEY

from tests.conftest import write

PACKAGE = Path(entities_package.__file__).parent
PREFIX = "newsdesk.index.entities."


def _imported_modules(name: str, seen: set[str]) -> set[str]:
    """Every module of the entities package that ``name`` imports, directly or through another."""
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        modules = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else ([alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
        )
        for module in modules:
            if module.startswith(PREFIX):
                file = module.removeprefix(PREFIX).split(".")[0] + ".py"
                if file not in seen:
                    seen.add(file)
                    _imported_modules(file, seen)
    return seen


def test_every_module_the_rules_import_is_in_the_digest() -> None:
    used = _imported_modules("rules.py", {"rules.py"})
    assert used >= {"capitalised_runs.py", "single_words.py", "word_shapes.py", "lower_words.py"}
    assert used <= set(RULE_MODULES), used - set(RULE_MODULES)
    assert all((PACKAGE / name).is_file() for name in RULE_MODULES)


def test_any_change_to_a_rule_module_changes_the_digest(tmp_path: Path) -> None:
    for name in RULE_MODULES:
        shutil.copy(PACKAGE / name, tmp_path / name)
    original = code_digest(tmp_path, RULE_MODULES)
    assert code_digest(PACKAGE, RULE_MODULES) == original
    for name in RULE_MODULES:
        content = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(content + b"\n# edited\n")
        assert code_digest(tmp_path, RULE_MODULES) != original, name
        (tmp_path / name).write_bytes(content)
    assert code_digest(tmp_path, RULE_MODULES) == original


def test_a_new_rules_version_re_extracts_every_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "news"
    write(root, "a.txt", "Talks in Geneva\n\nVladimir Putin met Ilham Aliyev in Geneva on Monday.\n")
    write(root, "b.txt", "Protests in Yerevan\n\nNikol Pashinyan spoke in Yerevan.\n")
    with Library.open(root, state_dir=tmp_path / "state", config=Config()) as library:
        library.update()
        first_key = library.store.get_meta(META_ENTITY_KEY)
        assert first_key == extractor_key("rules", EntityLists())
        extracted: list[str] = []
        real = RuleExtractor.extract_article

        def counting(self: RuleExtractor, title: str, text: str) -> tuple[list, list]:
            extracted.append(title)
            return real(self, title, text)

        monkeypatch.setattr(RuleExtractor, "extract_article", counting)
        library.update()
        assert extracted == []  # same code: everything from the cache
        monkeypatch.setattr(entities_package, "rules_version", lambda: "edited-rules")
        library.update()
        assert sorted(extracted) == ["Protests in Yerevan", "Talks in Geneva"]
        assert library.store.get_meta(META_ENTITY_KEY) != first_key
        assert library.search('person:"Vladimir Putin"').total == 1
