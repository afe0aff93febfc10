"""The run files of the direct segment writer (index/engine/directwriter.py): buffered postings spilled and merged.

Past its memory limit the writer writes its buffered posting lists, in term order,
to a run file as they are (each term's columns as bytes, a few hundred terms a
pickle); closing the segment merges the runs term by term with what is still in
memory. A mixin of :class:`newsdesk.index.engine.directwriter.DirectSegmentWriter`,
kept apart so that module stays readable.
"""

from __future__ import annotations

import heapq
import pickle
from array import array
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from newsdesk.index.engine.blockencoder import Entry
from whoosh.util import random_name

_RUN_CHUNK = 256
_RUN_CHUNK_BYTES = 256 * 1024
"""Most terms and value bytes per pickled chunk of a run file. Merging holds one chunk of
every run at once (67 runs a process at 1M articles), each term as several Python objects:
with 2,048-term chunks a process peaked at 534 MB while merging at 1M; 20k articles in 793
runs peak at 154 MB with these bounds, against 725 MB with 2,048 terms a chunk."""
_MAX_RUNS = 64
"""Most run files merged at once (each one open file and one chunk in memory); more are merged in passes."""


class RunFiles:
    """Writing, reading and merging run files in the writer's temporary storage."""

    _temp: Any
    _runs: list[str]
    _made: set[str]
    """Every run file begun, so a cancel finds those a failed merge left."""

    def _write_run(self, entries: Iterator[tuple[str, bytes, Entry]]) -> str:
        name = f"{random_name()}.run"
        self._made.add(name)
        with self._temp.create_file(name).raw_file() as f:
            chunk: list[tuple[str, bytes, bytes, bytes, bytes, bytearray]] = []
            size = 0
            for fieldname, btext, (ids, weights, sizes, values) in entries:
                chunk.append((fieldname, btext, ids.tobytes(), weights.tobytes(), sizes.tobytes(), values))
                size += len(values) + 16 * len(ids)
                if len(chunk) >= _RUN_CHUNK or size >= _RUN_CHUNK_BYTES:
                    pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                    chunk = []
                    size = 0
            if chunk:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        return name

    def _reduce_runs(self) -> None:
        """Merge consecutive runs into fewer until at most ``_MAX_RUNS`` are left.

        The last merge reads every run at once: one open file and one chunk in
        memory each. With a small ``limitmb`` and a large segment there are
        thousands of runs, past the open-file limit (often 1024) and the memory
        the limit promised. Merging neighbours keeps the documents in order.
        """
        while len(self._runs) > _MAX_RUNS:
            runs = self._runs
            done: list[str] = []
            for start in range(0, len(runs), _MAX_RUNS):
                group = runs[start : start + _MAX_RUNS]
                name = group[0] if len(group) == 1 else self._write_run(self._merge(map(self._read_run, group)))
                done.append(name)
                self._runs = done + runs[start + _MAX_RUNS :]

    def _read_run(self, name: str) -> Iterator[tuple[str, bytes, Entry]]:
        """A run's terms in order. Nothing of a term is kept here once it is yielded.

        A term's values are yielded as the bytes pickle made (not copied), and taken
        out of the chunk, which otherwise held them until its last term: at 1M one
        word's positions are 40 MB a writer, and the merge held them three times over.
        """
        with self._temp.open_file(name).raw_file() as f:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    break
                chunk.reverse()
                while chunk:
                    fieldname, btext, ids, weights, sizes, values = chunk.pop()
                    entry = (_array("I", ids), _array("d", weights), _array("I", sizes), values)
                    del ids, weights, sizes, values
                    yield fieldname, btext, entry
                    del entry
        self._temp.delete_file(name)

    @staticmethod
    def _merge(sources: Iterable[Iterator[tuple[str, bytes, Entry]]]) -> Iterator[tuple[str, bytes, Entry]]:
        """Sources in document order merged into one, each term's parts joined in source order."""
        # heapq.merge is stable: equal keys come out in source order, i.e. document order.
        merged = heapq.merge(*sources, key=itemgetter(0, 1))
        for (fieldname, btext), group in groupby(merged, key=itemgetter(0, 1)):
            parts = [entry for _, _, entry in group]
            joined = parts[0] if len(parts) == 1 else _joined(parts)
            # Nothing here names a term's lists once they are handed on: the parts went on being
            # held (beside their joined copy) while the term was encoded, and after it.
            del parts
            yield fieldname, btext, joined
            del joined


def _joined(parts: list[Entry]) -> Entry:
    """One term's parts from several sources, in source order, as one entry; empties ``parts``.

    Each part is let go once copied, so joining holds the whole list once and one part,
    not every part beside the whole (the longest list of a 1M segment: ~50 MB a writer).
    """
    ids, weights, sizes = array("I"), array("d"), array("I")
    values = bytearray(sum(len(part[3]) for part in parts))
    start = 0
    parts.reverse()
    while parts:
        part_ids, part_weights, part_sizes, part_values = parts.pop()
        ids.extend(part_ids)
        weights.extend(part_weights)
        sizes.extend(part_sizes)
        values[start : start + len(part_values)] = part_values
        start += len(part_values)
        del part_ids, part_weights, part_sizes, part_values
    return ids, weights, sizes, values


def _array(code: str, data: bytes) -> array:
    values = array(code)
    values.frombytes(data)
    return values
