"""Tried and not kept: ``zlib.compress`` of posting blocks through a small raw window.

    python -m bench.small_zlib --state DIR [--n 3000] [--rounds 3] --out FILE.json

The direct writer compresses every posting block of 80 bytes or more at level 3
(whoosh3's rule). A cold ``zlib.compress`` of a small input spends most of its
time setting up a 32 KB window; deflate never looks back further than the input,
so a raw stream with a window just larger than the input (plus zlib's 262-byte
lookahead), wrapped in zlib's two header bytes and Adler-32, is the same bytes.
This collects the blocks the direct writer compresses for ``--n`` articles of a
store, checks both give the same bytes for every one, and times both over them,
taking turns: in a writer process (a warm heap) plain ``zlib.compress`` was as
fast, so the writer keeps it (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

_MIN_LOOKAHEAD = 262


def small_window_compress(data: bytes, level: int) -> bytes:
    """``zlib.compress(data, level)`` through the smallest raw window that holds ``data``."""
    for bits in range(9, 15):
        if len(data) <= (1 << bits) - _MIN_LOOKAHEAD:
            deflate = zlib.compressobj(level, zlib.DEFLATED, -bits, 8)
            body = deflate.compress(data) + deflate.flush()
            return zlib.compress(b"", level)[:2] + body + zlib.adler32(data).to_bytes(4, "big")
    return zlib.compress(data, level)


def blocks(state: Path, n: int) -> list[bytes]:
    """The data of every block the direct writer compresses while writing ``n`` articles of ``state``."""
    import newsdesk.index.engine.blockencoder as blockencoder
    from newsdesk.index.engine.directwriter import DirectSegmentWriter
    from newsdesk.index.engine.schema import build_schema
    from newsdesk.index.indexer import _codec
    from whoosh import index as whoosh_index

    from bench.store_documents import first_documents

    docs, common = first_documents(state, n)
    seen: list[bytes] = []
    real = blockencoder.zlib.compress

    def recording(data: bytes, level: int) -> bytes:
        seen.append(bytes(data))
        return real(data, level)

    folder = tempfile.mkdtemp(prefix="small-zlib-")
    blockencoder.zlib.compress = recording  # type: ignore[assignment]
    try:
        writer = DirectSegmentWriter(whoosh_index.create_in(folder, build_schema(2.0, common)), codec=_codec())
        for doc in docs:
            writer.add_document(**doc)
        writer.finish()
    finally:
        blockencoder.zlib.compress = real  # type: ignore[assignment]
        shutil.rmtree(folder, ignore_errors=True)
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    data = blocks(args.state, args.n)
    same = all(small_window_compress(block, 3) == zlib.compress(block, 3) for block in data)
    load = os.getloadavg()[0]
    runs: dict[str, list[float]] = {"zlib": [], "small_window": []}
    for _ in range(args.rounds):
        for name, compress in (("zlib", zlib.compress), ("small_window", small_window_compress)):
            started = time.process_time()
            for block in data:
                compress(block, 3)
            runs[name].append(round(time.process_time() - started, 3))
    sizes = sorted(map(len, data))
    report = {
        "state": str(args.state),
        "articles": args.n,
        "blocks": len(data),
        "median_block_bytes": sizes[len(sizes) // 2],
        "total_block_bytes": sum(sizes),
        "same_bytes": same,
        "cpu_s": runs,
        "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
    }
    args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
