"""The Whoosh code newsdesk's patches and raw reads were written against is the code installed.

whoosh3 is pinned exactly because newsdesk replaces two parts of it and reads
its private state (index/engine/whoosh_patches.py lists each place). An upgrade
that changes one of those functions must make someone re-check the newsdesk
module that depends on it: these tests record a hash of each one's source and
name the entry to re-check when it differs.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from newsdesk.index.engine import whoosh_patches
from newsdesk.index.engine.blockreads import read_pickle
from newsdesk.index.engine.hashwriter import STOCK_ORDERED_HASH_WRITER, CompactOrderedHashWriter
from newsdesk.index.engine.whoosh_patches import INTERNALS, PATCHES, WhooshDependency
from newsdesk.index.engine.writerpool import ChunkedPostingPool
from whoosh import writing
from whoosh.filedb import filetables
from whoosh.filedb.structfile import StructFile

WHOOSH3 = "3.54.0"
"""The whoosh3 version the hashes below were taken from."""

RECORDED = {
    "whoosh.writing:PostingPool": "23f2c802c2f70562",
    "whoosh.externalsort:SortingPool._write_run": "9416cf579af0857d",
    "whoosh.externalsort:SortingPool._read_run": "f32e67d342ff0398",
    "whoosh.externalsort:SortingPool.save": "bfd9fc36284345b1",
    "whoosh.externalsort:SortingPool.reduce_to": "ad4183930a421960",
    "whoosh.externalsort:SortingPool._merge_runs": "4f1f5ffbe81228c7",
    "whoosh.writing:SegmentWriter.__init__": "5ccfce11bd63b47d",
    "whoosh.multiproc:MpWriter._read_and_renumber_run": "f27899179ba9719b",
    "whoosh.filedb.structfile:StructFile.read_pickle": "72cab00cac5e5148",
    "whoosh.codec.whoosh3:W3LeafMatcher._goto": "b9794f9fba7dda35",
    "whoosh.filedb.compound:SubFile.read": "8a6ab5784af3f593",
    "whoosh.filedb.compound:SubFile.seek": "7aac969fbc166198",
    "whoosh.filedb.compound:SubFile.tell": "ffbf91a72f0a2b9c",
    "whoosh.filedb.filetables:OrderedHashWriter": "1d6cda77f667a999",
    "whoosh.filedb.filetables:HashWriter": "1d16ac67e450e814",
    "whoosh.filedb.filetables:_lengths": "145f2a64bbcb0433",
    "whoosh.filedb.filetables:_pointer": "1723186b4e185c36",
    "whoosh.codec.whoosh3:W3FieldWriter.__init__": "03280736989542fc",
    "whoosh.codec.whoosh3:W3LeafMatcher.__init__": "9a9bc6ffff41c8f1",
    "whoosh.codec.whoosh3:W3LeafMatcher._read_ids": "06a43e474a8391e0",
    "whoosh.codec.whoosh3:W3LeafMatcher._read_values": "3df236b0bcfa2651",
    "whoosh.codec.whoosh3:W3TermsReader.matcher": "23323059d8541335",
    "whoosh.reading:SegmentReader.__init__": "bfb1e783e18bbf31",
    "whoosh.codec.whoosh3:W3PerDocReader._cached_reader": "a7e1ce845aff422c",
    "whoosh.codec.whoosh3:_lenfield": "4a920a5898145523",
    "whoosh.codec.whoosh3:LENGTHS_COLUMN": "3b87e5238459e222",
    "whoosh.util.numeric:byte_to_length": "fdbc628c74bf551a",
    "whoosh.util.numeric:_length_byte_cache": "c4118fe7679bb786",
    "whoosh.columns:VarBytesColumn.Reader": "98e3085e31788da4",
    "whoosh.columns:FixedBytesColumn.Reader": "712eabf6abdd192d",
    "whoosh.columns:NumericColumn.Reader": "8f8f1611b3e91434",
    "whoosh.formats:Positions": "ac79e6de51c917fe",
    "whoosh.formats:Existence": "ec3bb45403ca62a4",
    "whoosh.fields:FieldType.index": "b3af34e2cfbc79f0",
    "whoosh.writing:SegmentWriter.add_document": "7988b3098c180467",
    "whoosh.writing:SegmentWriter._assemble_segment": "003160c790dc71b8",
    "whoosh.codec.whoosh3:W3PostingsWriter._write_block": "b9c95a86151dff29",
    "whoosh.codec.whoosh3:W3PostingsWriter._mini_ids": "73fc5bedf6118a05",
    "whoosh.codec.whoosh3:W3PostingsWriter._mini_weights": "a4e34f153a772055",
    "whoosh.codec.whoosh3:W3PostingsWriter._mini_values": "76f238b9979bc0c4",
    "whoosh.codec.whoosh3:W3PostingsWriter.add_posting": "c12f696ca974ccfe",
    "whoosh.codec.whoosh3:W3PostingsWriter.finish_postings": "92567953da057875",
    "whoosh.codec.whoosh3:W3TermInfo.add_block": "8d46a637ff7c8bda",
    "whoosh.codec.whoosh3:W3FieldWriter.start_field": "d4868b82c04f0e24",
    "whoosh.codec.whoosh3:W3FieldWriter.finish_term": "23a8c4ecb1e0341e",
    "whoosh.codec.whoosh3:W3PerDocWriter.add_field": "79ba0b47b8f2eb4f",
    "whoosh.codec.whoosh3:COMPRESSION_MIN_SIZE": "7f6aa358589687e2",
    "whoosh.codec.base:FieldWriter.add_postings": "6f620d237e0d51db",
    "whoosh.multiproc:SubWriterTask.run": "988acaa6bac07228",
    "whoosh.multiproc:SubWriterTask._process_file": "f75d56f4004b028d",
    "whoosh.multiproc:MpWriter._enqueue": "3631b4157e75e389",
    "whoosh.multiproc:MpWriter._commit": "d98f7a52df3880c5",
    "whoosh.multiproc:MpWriter._new_task": "ef9e22d6054b7e92",
    "whoosh.multiproc:_run_subwriter": "4b4a930303e55d46",
}
"""sha256 (first 16 hex digits) of each relied-upon definition's source in whoosh3 WHOOSH3."""

INDEX = Path(__file__).resolve().parent.parent / "index"


def installed_source(module: str) -> str:
    origin = importlib.util.find_spec(module).origin  # type: ignore[union-attr]
    return Path(str(origin)).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> tuple[ast.Module, list[str]]:
    """A module's syntax tree and lines, once per text: some 50 definitions sit in a handful of large
    modules, and ``ast.get_source_segment`` splits the whole file again on every call (0.7 s a test)."""
    return ast.parse(text), re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)  # ast's line ends


def _segment(lines: list[str], node: ast.stmt) -> str:
    """What ``ast.get_source_segment`` gives for ``node``, from the lines already split (offsets are UTF-8)."""
    chunk = lines[node.lineno - 1 : node.end_lineno]
    chunk[-1] = chunk[-1].encode()[: node.end_col_offset].decode()
    chunk[0] = chunk[0].encode()[node.col_offset :].decode()
    return "".join(chunk)


def definition_hash(qualname: str, read_source: Callable[[str], str] = installed_source) -> str | None:
    """Hash of the source of ``module:Qualified.name`` (a def, class or module-level assignment); None if gone.

    Read from the file, not the live object: the patched names no longer hold Whoosh's own code.
    """
    module, _, path = qualname.partition(":")
    text = read_source(module)
    tree, lines = _parsed(text)
    node: ast.AST = tree
    for part in path.split("."):
        found = None
        for child in getattr(node, "body", []):
            named = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and child.name == part
            assigned = isinstance(child, ast.Assign) and any(getattr(t, "id", None) == part for t in child.targets)
            if named or assigned:
                found = child
        if found is None:
            return None
        node = found
    segment = _segment(lines, node) if isinstance(node, ast.stmt) else ""
    return hashlib.sha256(segment.encode("utf-8")).hexdigest()[:16]


def changed_dependencies(
    dependencies: tuple[WhooshDependency, ...], read_source: Callable[[str], str] = installed_source
) -> list[str]:
    """One line per relied-upon Whoosh definition that is not as recorded, naming what to re-check."""
    problems = []
    for dependency in dependencies:
        for qualname in dependency.whoosh:
            current = definition_hash(qualname, read_source)
            if current == RECORDED.get(qualname):
                continue
            state = "is gone" if current is None else "has changed" if qualname in RECORDED else "has no recorded hash"
            problems.append(
                f"{qualname} {state} (whoosh3 {version('whoosh3')}): re-check {dependency.name!r}"
                f" in {dependency.module}, then record {current} in tests/test_whoosh_pin.py"
            )
    return problems


def test_whoosh3_is_the_version_the_patches_were_checked_against() -> None:
    names = ", ".join(d.name for d in PATCHES + INTERNALS)
    assert version("whoosh3") == WHOOSH3, f"whoosh3 is {version('whoosh3')}, not {WHOOSH3}: re-check {names}"


def test_the_whoosh_code_under_the_patches_is_as_recorded() -> None:
    problems = changed_dependencies(PATCHES)
    assert problems == [], "\n".join(problems)


def test_the_whoosh_internals_the_engine_reads_are_as_recorded() -> None:
    problems = changed_dependencies(INTERNALS)
    assert problems == [], "\n".join(problems)


def test_every_recorded_hash_belongs_to_an_entry() -> None:
    named = {q for d in PATCHES + INTERNALS for q in d.whoosh}
    assert set(RECORDED) == named


def test_a_changed_patched_method_fails_naming_the_patch() -> None:
    """The check can fail: one changed line in StructFile.read_pickle names the block-header patch, only it."""

    def edited(module: str) -> str:
        text = installed_source(module)
        if module == "whoosh.filedb.structfile":
            original = "        return load(self.file)\n"
            assert original in text
            text = text.replace(original, "        return load(self.file, encoding='latin1')\n")
        return text

    problems = changed_dependencies(PATCHES + INTERNALS, edited)
    assert len(problems) == 1
    assert problems[0].startswith("whoosh.filedb.structfile:StructFile.read_pickle has changed")
    assert "'one-read block headers (StructFile.read_pickle)' in index/engine/blockreads.py" in problems[0]


def test_the_patches_are_in_place_and_applying_again_changes_nothing() -> None:
    whoosh_patches.apply()
    whoosh_patches.apply()
    assert writing.PostingPool is ChunkedPostingPool
    assert ChunkedPostingPool.__bases__[0].__module__ == "whoosh.writing"  # subclasses Whoosh's own pool
    assert StructFile.read_pickle is read_pickle
    assert filetables.OrderedHashWriter is CompactOrderedHashWriter
    assert CompactOrderedHashWriter.__mro__[2] is STOCK_ORDERED_HASH_WRITER  # subclasses Whoosh's own writer
    assert STOCK_ORDERED_HASH_WRITER.__module__ == "whoosh.filedb.filetables"


def test_a_process_that_only_loads_the_schema_has_the_patches() -> None:
    """What a spawned writer process of a parallel build imports (it unpickles the schema) is enough."""
    code = (
        "import newsdesk.index.engine.schema, whoosh.writing, whoosh.filedb.structfile as sf;"
        "assert whoosh.writing.PostingPool.__name__ == 'ChunkedPostingPool';"
        "assert sf.StructFile.read_pickle.__module__ == 'newsdesk.index.engine.blockreads';"
        "import whoosh.filedb.filetables as ft;"
        "assert ft.OrderedHashWriter.__name__ == 'CompactOrderedHashWriter'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def _whoosh_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "whoosh":
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "whoosh"}
    return names


def test_only_whoosh_patches_assigns_to_whoosh_and_only_the_engine_package_applies_it() -> None:
    assigners, callers = [], []
    for path in sorted(INDEX.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        whoosh_names = _whoosh_names(tree)
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                root = target
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(target, ast.Attribute) and isinstance(root, ast.Name) and root.id in whoosh_names:
                    assigners.append(f"{path.relative_to(INDEX)}:{node.lineno}")
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("whoosh_patches.apply"):
                callers.append(str(path.relative_to(INDEX)))
    assert {a.split(":")[0] for a in assigners} == {"engine/whoosh_patches.py"}, assigners
    assert callers == ["engine/__init__.py"]


def test_an_index_written_before_the_engine_moved_opens_as_it_is(tmp_path: Path) -> None:
    """Its TOC pickles the schema's classes as newsdesk.index.schema.*: it must open, not crash or rebuild."""
    from newsdesk.index import Config, Library
    from newsdesk.index.engine import schema as engine_schema

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Talks in Geneva\n\nThe ceasefire talks went on in Geneva.\n", encoding="utf-8")
    moved = [engine_schema.NewsAnalyzer, engine_schema.FastPositions, engine_schema.PrefixAnalyzer]
    moved.append(engine_schema.PrefixPresence)  # (the prefix fields came later; moved too, as one module)
    moved += [engine_schema.PairAnalyzer, engine_schema.PairPositions]  # (the pair fields, later still)
    for cls in moved:  # write the index as the code before the move did
        cls.__module__ = "newsdesk.index.schema"
    try:
        with Library.open(corpus, state_dir=tmp_path / "state", config=Config()) as library:
            library.update()
    finally:
        for cls in moved:
            cls.__module__ = engine_schema.__name__
    (toc,) = (tmp_path / "state").glob("whoosh-*/_MAIN_*.toc")
    assert b"newsdesk.index.schema" in toc.read_bytes()
    assert b"newsdesk.index.engine.schema" not in toc.read_bytes()
    with Library.open(corpus, state_dir=tmp_path / "state", config=Config()) as library:
        assert library.search("ceasefire").total == 1
        assert library.status().in_sync
