"""Whoosh's terms-index writer against the compact one: memory and CPU for a segment's worth of keys.

Writes ``--keys`` keys shaped like a segment's terms (a 2-byte field number and a
word, in order, with a 30-byte value as ``W3TermInfo.to_bytes`` gives) through
Whoosh's ``OrderedHashWriter`` and through ``CompactOrderedHashWriter``, in turns,
to a file that keeps nothing, and records for each the Python memory traced after
the last key (what is held until the index closes), CPU seconds to add the keys
and to close, and the load.

    python -m bench.hash_writer --keys 1230000 --rounds 3 --out FILE
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
import tracemalloc
from typing import Any

from newsdesk.index.engine.hashwriter import STOCK_ORDERED_HASH_WRITER, CompactOrderedHashWriter
from whoosh.filedb.structfile import StructFile


class CountingSink(io.RawIOBase):
    """A file that counts what is written and keeps none of it (tests/test_hash_writer.py uses it too)."""

    def __init__(self) -> None:
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position


def _keys(count: int) -> list[bytes]:
    return sorted(b"\x00\x03" + b"w%09d" % n for n in range(count))


def run_once(cls: Any, keys: list[bytes], traced: bool) -> dict[str, float]:
    value = b"v" * 30
    writer = cls(StructFile(CountingSink()))
    if traced:
        tracemalloc.start()
    start = time.process_time()
    for key in keys:
        writer.add(key, value)
    added = time.process_time()
    held = tracemalloc.get_traced_memory()[0] if traced else 0
    if traced:
        tracemalloc.stop()
    closing = time.process_time()
    writer.close()
    done = time.process_time()
    return {
        "held_mb": round(held / 2**20, 1),
        "add_cpu_s": round(added - start, 2),
        "close_cpu_s": round(done - closing, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_230_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    keys = _keys(args.keys)
    versions = {"whoosh": STOCK_ORDERED_HASH_WRITER, "compact": CompactOrderedHashWriter}
    memory = {name: run_once(cls, keys, traced=True)["held_mb"] for name, cls in versions.items()}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
    load = [round(os.getloadavg()[0], 2)]
    for _ in range(args.rounds):
        for name, cls in versions.items():
            runs[name].append(run_once(cls, keys, traced=False))
    load.append(round(os.getloadavg()[0], 2))
    medians = {
        name: {k: statistics.median(r[k] for r in rs) for k in ("add_cpu_s", "close_cpu_s")}
        for name, rs in runs.items()
    }
    result = {"keys": args.keys, "held_mb": memory, "median": medians, "runs": runs, "load_average": load}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({"held_mb": memory, "median": medians, "load_average": load}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
