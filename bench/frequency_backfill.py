"""Write frequency files for the segments of an index made before them (bench only).

    python -m bench.frequency_backfill WHOOSH_FOLDER

An A/B of the frequency files on one index: copy a state folder (a real copy of
its ``articles.db``: the reader writes to it), run this on the copy's Whoosh
folder, and search both. Each long list is decoded from the segment's own
posting blocks and written as the direct writer writes it (``FreqFileWriter``),
so the files hold what a fresh build would.
"""

from __future__ import annotations

import sys
from array import array

from newsdesk.index.engine.blockreads import leaf_blocks
from newsdesk.index.engine.freqfile import FREQ_MIN_POSTINGS, FreqFileWriter
from newsdesk.index.engine.schema import FastPositions
from whoosh import index


def main() -> None:
    ix = index.open_dir(sys.argv[1])
    reader = ix.reader()
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    for segment_reader, _offset in leaves:
        writer = FreqFileWriter(ix.storage, segment_reader._segment)
        for fieldname, field in segment_reader.schema.items():
            if not isinstance(field.format, FastPositions):
                continue
            for text, info in list(segment_reader.iter_field(fieldname)):
                if info.doc_frequency() < FREQ_MIN_POSTINGS:
                    continue
                btext = field.to_bytes(text) if isinstance(text, str) else text
                ids, weights = array("I"), array("d")
                for block_ids, values in leaf_blocks(segment_reader._terms.matcher(fieldname, btext, field.format)):
                    ids.extend(block_ids)
                    weights.extend(field.format.decode_weight(value) for value in values)
                writer.add(fieldname, btext, ids, weights, field.format.field_boost)
        writer.finish()
        print(segment_reader._segment.segment_id(), "written", flush=True)


if __name__ == "__main__":
    main()
