"""What an update holds while it builds the index: not the corpus's file list.

At 1M articles the list of files found (two paths, a size and a time each) and the
stored file states take ~300 MB of the main process; the index build and the
reprint sync that follow need neither, and the build's peak memory is what counts.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from newsdesk.index import Library
from newsdesk.index.indexer import Indexer
from newsdesk.index.ingest.discover import FileEntry

from .conftest import write


@pytest.mark.parametrize("rebuild", [False, True])
def test_the_file_list_is_let_go_before_the_index_is_built(
    rebuild: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    for number in range(30):
        write(corpus, f"a{number:02d}.txt", f"Report {number}\n\nWords of report {number} for the index.\n")
    alive: list[int] = []
    real_build = Indexer._full_build

    def counting(self: Indexer, *args: object, **kwargs: object) -> None:
        gc.collect()
        alive.append(sum(isinstance(o, FileEntry) for o in gc.get_objects()))
        real_build(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Indexer, "_full_build", counting)
    with Library.open(corpus, state_dir=tmp_path / "state") as library:
        library.update()
        if rebuild:
            library.update(rebuild=True)
        assert library.search("report").total == 30
    assert alive and alive[-1] <= 1  # of 30: at most the one a loop variable still names
