"""Positional blocks pickled at protocol 2 (Whoosh's) against protocol 5 (newsdesk's), in turns: CPU and size.

The direct writer pickles the blocks of the positional fields at
``blockencoder.VALUES_PROTOCOL``; this builds the same segment both ways in one
process, taking turns, from the documents of the first N articles of a store, and
records each build's add and finish CPU seconds, the segment's size and the load.

    python -m bench.block_protocol --state DIR --n 20000 --rounds 2 --out FILE

``--state``: a folder with a newsdesk ``articles.db`` (a copy: the store is opened for writing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newsdesk.index.engine import blockencoder
from newsdesk.index.engine.directwriter import DirectSegmentWriter
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.indexer import _codec

from bench.store_documents import first_documents


def build(docs: list[dict[str, Any]], common: frozenset[str], protocol: int) -> dict[str, Any]:
    from whoosh import index as whoosh_index

    blockencoder.VALUES_PROTOCOL = protocol
    folder = tempfile.mkdtemp(prefix="block-protocol-")
    try:
        ix = whoosh_index.create_in(folder, build_schema(2.0, common))
        writer = DirectSegmentWriter(ix, limitmb=64, codec=_codec())
        load = os.getloadavg()[0]
        t0 = time.process_time()
        for doc in docs:
            writer.add_document(**doc)
        t1 = time.process_time()
        writer.finish()
        t2 = time.process_time()
        size = sum(f.stat().st_size for f in Path(folder).iterdir() if f.suffix in (".seg", ".pst"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "protocol": protocol,
        "add_s": round(t1 - t0, 2),
        "finish_s": round(t2 - t1, 2),
        "segment_bytes": size,
        "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    docs, common = first_documents(args.state, args.n)
    runs = []
    for _ in range(args.rounds):
        for protocol in (2, 5):
            runs.append(build(docs, common, protocol))
            print(runs[-1], file=sys.stderr)
    args.out.write_text(json.dumps({"state": str(args.state), "n": len(docs), "runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
