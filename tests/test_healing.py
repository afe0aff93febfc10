"""An error counts as damage to the index only when raised while decoding index files."""

from __future__ import annotations

import io
import pickle

import pytest
from newsdesk.index.engine.blockreads import read_pickle
from newsdesk.index.healing import from_index_files
from whoosh.filedb.structfile import StructFile


def test_garbage_read_by_the_engines_block_reader_is_damage() -> None:
    with pytest.raises(pickle.UnpicklingError) as caught:
        read_pickle(StructFile(io.BytesIO(b"\x00not a pickle")))
    assert from_index_files(caught.value)


def test_the_same_error_raised_by_newsdesks_own_logic_is_not_damage() -> None:
    with pytest.raises(pickle.UnpicklingError) as caught:
        raise pickle.UnpicklingError("raised here, not while decoding")
    assert not from_index_files(caught.value)
