"""Bulk column reads give exactly what Whoosh's per-document readers give."""

from __future__ import annotations

from newsdesk.index import Library
from newsdesk.index.engine.columns import column_values, read_all
from newsdesk.index.engine.schema import FACET_COLUMNS
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.filestore import FileStorage


def test_bulk_reads_match_whoosh(library: Library) -> None:
    library.update()
    index_dir = library._indexer.index_dir()
    assert index_dir is not None
    reader = FileStorage(str(index_dir), supports_mmap=False).open_index().reader()
    segments = list(reader.leaf_readers()) if not reader.is_atomic() else [(reader, 0)]
    for segment_reader, _ in segments:
        count = segment_reader.doc_count_all()
        for column in FACET_COLUMNS.values():
            if segment_reader.has_column(column):
                expected = list(segment_reader.column_reader(column, translate=False))
                assert column_values(segment_reader, column) == expected
        for field in ("title", "body"):
            lengths = segment_reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            assert read_all(lengths, count) == list(lengths)
        assert any(v for v in column_values(segment_reader, "f_source"))
    reader.close()
