"""The schema's classes stay where every existing index's pickle names them.

Each index's TOC pickles the schema, and a pickle names a class by module and
name: ``newsdesk.index.engine.schema.PairPositions``, directly or through
:class:`newsdesk.index.engine.unpickling.UnpicklesAsBaseWhereUnknown` (a module
and a name looked up on load). Moving one of these classes to another module (to
shorten schema.py, say) would make every existing index fail to load here and in
older versions, which import that path; so a move must fail here first.
"""

from __future__ import annotations

import builtins
import importlib
import io
import pickle
from types import ModuleType
from typing import Any

from newsdesk.index.engine.schema import build_schema

SCHEMA_MODULE = "newsdesk.index.engine.schema"


class _RecordingUnpickler(pickle.Unpickler):
    """Records (module, name) of every class a pickle names, by global or by ``getattr(import_module(...))``."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.named: set[tuple[str, str]] = set()

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        if found is builtins.getattr:
            return self._getattr
        self.named.add((module, name))
        return found

    def _getattr(self, target: object, name: str, *default: object) -> Any:
        if isinstance(target, ModuleType):
            self.named.add((target.__name__, name))
        return getattr(target, name, *default)


def _named_by_newsdesk(protocol: int) -> set[tuple[str, str]]:
    unpickler = _RecordingUnpickler(pickle.dumps(build_schema(common=frozenset({"the"}), sampled=3), protocol))
    unpickler.load()
    return {(module, name) for module, name in unpickler.named if module.startswith("newsdesk")}


def test_every_newsdesk_class_in_the_pickled_schema_lives_in_engine_schema() -> None:
    for protocol in (2, pickle.HIGHEST_PROTOCOL):  # Whoosh writes the TOC with protocol 2
        named = _named_by_newsdesk(protocol)
        assert {module for module, _ in named} == {SCHEMA_MODULE}, named
        schema_module = importlib.import_module(SCHEMA_MODULE)
        for _, name in named:
            assert getattr(schema_module, name).__module__ == SCHEMA_MODULE, name


def test_the_classes_existing_indexes_name_are_still_pickled_by_that_name() -> None:
    """The six classes schema-4 indexes name (and this test's first check sees them all)."""
    expected = {"NewsAnalyzer", "FastPositions", "PrefixAnalyzer", "PrefixPresence", "PairAnalyzer", "PairPositions"}
    assert {(SCHEMA_MODULE, name) for name in expected} <= _named_by_newsdesk(2)
