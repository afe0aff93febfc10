"""Where newsdesk changes Whoosh, and which of Whoosh's internals it builds on.

Three global replacements make indexing and searching faster (docs/performance.md);
:func:`apply` makes all three and is the only code that assigns to Whoosh's modules or
classes. It is called once, by the engine package's ``__init__``, so it runs in every
process that uses the engine, the spawned writer processes of a parallel build
included, before any engine code does.

:data:`PATCHES` and :data:`INTERNALS` name the Whoosh functions and classes each
replacement, and each engine module that reads Whoosh's private state, was written
against. tests/test_whoosh_pin.py records a hash of their source for the pinned
whoosh3 and fails, naming the entry to re-check, when an upgrade changes one.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.index.engine.blockreads import read_pickle
from newsdesk.index.engine.hashwriter import CompactOrderedHashWriter
from newsdesk.index.engine.writerpool import ChunkedPostingPool
from whoosh import writing
from whoosh.filedb import filetables
from whoosh.filedb.structfile import StructFile


@dataclass(frozen=True)
class WhooshDependency:
    """One place newsdesk depends on how Whoosh is written, not only on what it documents."""

    name: str
    module: str
    """The newsdesk module to re-check when one of ``whoosh`` changes."""
    whoosh: tuple[str, ...]
    """``module:Qualified.name`` of each Whoosh function, class or module-level name it relies on."""


def apply() -> None:
    """Put newsdesk's replacements into Whoosh. Calling it again changes nothing."""
    # Chunked posting pool: Whoosh spills buffered postings to run files with one
    # pickle call per posting, most of the indexing time; runs written and read in
    # chunks took a 20k-article build from 330 to 487 docs/s. Whoosh looks the pool
    # class up by this name inside SegmentWriter, so replacing the name is the only
    # way in. The writer processes of a parallel build need it too (their spills are
    # the build), and without multisegment Whoosh's MpWriter reads its sub-writers'
    # runs through the parent's pool: every process must agree, hence the call from
    # the package __init__, which every process using the engine imports.
    writing.PostingPool = ChunkedPostingPool  # type: ignore[misc]
    # One-read block headers: pickle.load on a file reads a few bytes at a time,
    # about 27 seeks and reads per posting block through the compound-file layer
    # (indexes are opened without mmap); a 1,000-term prefix query spent a third
    # of its time there. Every StructFile read goes through the class, hence the
    # class attribute.
    StructFile.read_pickle = read_pickle  # type: ignore[method-assign]
    # Compact terms-index pointers: Whoosh keeps a (hash, position) tuple per term
    # until the segment's terms index closes, 170 MB in each writer process of a 1M
    # build; arrays hold them in 12 bytes a term and write the same file. whoosh3's
    # W3FieldWriter creates the index by this module-level name.
    filetables.OrderedHashWriter = CompactOrderedHashWriter  # type: ignore[misc]


PATCHES = (
    WhooshDependency(
        "chunked posting pool (writing.PostingPool)",
        "index/engine/writerpool.py",
        (
            "whoosh.writing:PostingPool",  # the class subclassed and replaced
            "whoosh.externalsort:SortingPool._write_run",  # overridden: same contract
            "whoosh.externalsort:SortingPool._read_run",  # overridden: same contract
            "whoosh.externalsort:SortingPool.save",  # calls _write_run
            "whoosh.externalsort:SortingPool.reduce_to",  # calls _write_run with merged runs
            "whoosh.externalsort:SortingPool._merge_runs",  # calls _read_run
            "whoosh.writing:SegmentWriter.__init__",  # creates the pool by the module-level name
            "whoosh.multiproc:MpWriter._read_and_renumber_run",  # reads sub-writers' runs
        ),
    ),
    WhooshDependency(
        "one-read block headers (StructFile.read_pickle)",
        "index/engine/blockreads.py",
        (
            "whoosh.filedb.structfile:StructFile.read_pickle",  # the method replaced
            "whoosh.codec.whoosh3:W3LeafMatcher._goto",  # reads each block header with it
            "whoosh.filedb.compound:SubFile.read",  # the file it reads from without mmap
            "whoosh.filedb.compound:SubFile.seek",
            "whoosh.filedb.compound:SubFile.tell",
        ),
    ),
    WhooshDependency(
        "compact terms-index pointers (filetables.OrderedHashWriter)",
        "index/engine/hashwriter.py",
        (
            "whoosh.filedb.filetables:OrderedHashWriter",  # the class subclassed and replaced
            "whoosh.filedb.filetables:HashWriter",  # add and _write_hashes reproduced, buckets replaced
            "whoosh.filedb.filetables:_lengths",  # the record header written per key
            "whoosh.filedb.filetables:_pointer",  # the slot layout packed in one write
            "whoosh.codec.whoosh3:W3FieldWriter.__init__",  # creates the terms index by the module-level name
        ),
    ),
)
"""The replacements :func:`apply` makes, and the Whoosh code each was written against."""

INTERNALS = (
    WhooshDependency(
        "raw posting blocks",
        "index/engine/docsets.py",
        (
            "whoosh.codec.whoosh3:W3LeafMatcher.__init__",
            "whoosh.codec.whoosh3:W3LeafMatcher._read_ids",
            "whoosh.codec.whoosh3:W3LeafMatcher._read_values",
            "whoosh.codec.whoosh3:W3TermsReader.matcher",
            "whoosh.reading:SegmentReader.__init__",  # sets _terms
        ),
    ),
    WhooshDependency(
        "document lengths read as a column",
        "index/engine/ranking.py",
        (
            "whoosh.codec.whoosh3:W3PerDocReader._cached_reader",
            "whoosh.codec.whoosh3:_lenfield",
            "whoosh.codec.whoosh3:LENGTHS_COLUMN",
            "whoosh.util.numeric:byte_to_length",
            "whoosh.util.numeric:_length_byte_cache",  # the table byte_to_length reads
        ),
    ),
    WhooshDependency(
        "whole columns in one read",
        "index/engine/columns.py",
        (
            "whoosh.columns:VarBytesColumn.Reader",
            "whoosh.columns:FixedBytesColumn.Reader",
            "whoosh.columns:NumericColumn.Reader",
        ),
    ),
    WhooshDependency(
        "compact positions (FastPositions)",
        "index/engine/schema.py",
        (
            "whoosh.formats:Positions",
            "whoosh.fields:FieldType.index",  # calls format.word_values
        ),
    ),
    WhooshDependency(
        "direct segment writer",
        "index/engine/directwriter.py, index/engine/blockencoder.py",
        (
            "whoosh.writing:SegmentWriter.add_document",  # mirrored per field: boosts, lengths, stored, columns
            "whoosh.fields:FieldType.index",  # mirrored for presence-only fields: a freq of 1, the format's boost
            "whoosh.formats:Existence",  # the presence-only format whose postings it writes without tuples
            "whoosh.writing:SegmentWriter._assemble_segment",  # the compound file, done the same way
            "whoosh.codec.whoosh3:W3PostingsWriter._write_block",  # the block encoding it reproduces
            "whoosh.codec.whoosh3:W3PostingsWriter._mini_ids",
            "whoosh.codec.whoosh3:W3PostingsWriter._mini_weights",
            "whoosh.codec.whoosh3:W3PostingsWriter._mini_values",
            "whoosh.codec.whoosh3:W3PostingsWriter.add_posting",  # the statistics it tracks per block
            "whoosh.codec.whoosh3:W3PostingsWriter.finish_postings",
            "whoosh.codec.whoosh3:W3TermInfo.add_block",  # the term statistics it sums
            "whoosh.codec.whoosh3:W3FieldWriter.start_field",  # sets _fieldid, the terms key prefix
            "whoosh.codec.whoosh3:W3FieldWriter.finish_term",  # the terms-table row it writes itself
            "whoosh.codec.whoosh3:W3PerDocWriter.add_field",
            "whoosh.codec.whoosh3:COMPRESSION_MIN_SIZE",
            "whoosh.codec.base:FieldWriter.add_postings",  # the per-posting lengths it reads from the columns
            "whoosh.multiproc:SubWriterTask.run",  # the contract run_subwriter keeps (multisegment)
            "whoosh.multiproc:SubWriterTask._process_file",  # the job file format
            "whoosh.multiproc:MpWriter._enqueue",
            "whoosh.multiproc:MpWriter._commit",  # collects the sub-writers' segments
        ),
    ),
    WhooshDependency(
        "sub-writers that end with their parent (_MpWriter)",
        "index/buildwriters.py",
        (
            "whoosh.multiproc:MpWriter._new_task",
            "whoosh.multiproc:_run_subwriter",
        ),
    ),
)
"""Whoosh internals the engine reads without replacing them."""
