"""The direct segment writer alone, documents streamed: its memory per phase, two versions taking turns.

Issue 14 counts a 1M build's peak memory as main's plus the largest writer
process's, and a writer's peak is in ``finish()``, after its documents are added.
This runs one ``DirectSegmentWriter`` (``limitmb`` as the build's, so there are
many run files) over the first N articles of a store, streamed from it as a
build does (nothing held but the writer's own buffers), in each version's own
interpreter, alternating, and records per phase the highest RSS a sampling
thread saw (every 0.1 s, from /proc/self/status), the process's ru_maxrss, the
segment's term count, CPU seconds and the load.

    python -m bench.writer_memory --state DIR --n 100000 --rounds 2 \
        --a /path/to/main/.venv/bin/python --b /path/to/branch/.venv/bin/python --out FILE

``--state`` holds a newsdesk ``articles.db`` (a copy: the store is opened for
writing). ``--tracemalloc`` adds, per phase, Python's own traced peak (slow: for
small N), to tell Python objects from the allocator's holdings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, os, resource, shutil, sys, tempfile, threading, time, tracemalloc
from itertools import islice
from pathlib import Path
from newsdesk.index.store import ArticleStore
from newsdesk.index.indexer import document_fields, _codec
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.engine.hidden_fields import COMMON_SAMPLE, common_terms
from newsdesk.index.engine import directwriter, freqfile
from whoosh import index as whoosh_index
from whoosh.codec import base, whoosh3
from whoosh.filedb.filetables import OrderedHashReader

state, n, limitmb, traced = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"

def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

phases = {}
current = ["start"]
started = {}

def enter(name):
    rss = rss_kb()
    old = current[0]
    if traced:
        phases.setdefault(old, {})["traced_peak_kb"] = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.reset_peak()
    current[0] = name
    phases.setdefault(name, {"rss_at_start_kb": rss, "rss_peak_kb": rss})
    started[name] = time.process_time()

import ctypes, ctypes.util
class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                     "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c"))
    _libc.mallinfo2.restype = _MallInfo2
except (OSError, AttributeError):
    _libc = None

def heap_kb():
    # glibc's view at the peak: its heap (arena), what is in use there, what is free there, and mmapped blocks
    if _libc is None:
        return None
    m = _libc.mallinfo2()
    return {"heap": m.arena // 1024, "in_use": m.uordblks // 1024, "free": m.fordblks // 1024,
            "mmapped": m.hblkhd // 1024}

stop = threading.Event()
def sample():
    while not stop.wait(0.1):
        entry = phases.get(current[0])
        if entry is not None:
            rss = rss_kb()
            if rss > entry["rss_peak_kb"]:
                entry["rss_peak_kb"] = rss
                entry["malloc_at_peak_kb"] = heap_kb()
threading.Thread(target=sample, daemon=True).start()

def wrap(owner, name, phase, after=None):
    original = getattr(owner, name)
    def wrapped(*args, **kw):
        enter(phase)
        try:
            return original(*args, **kw)
        finally:
            if after:
                enter(after)
    setattr(owner, name, wrapped)

W = directwriter.DirectSegmentWriter
wrap(W, "_reduce_runs", "finish: reduce runs", "finish: merge + encode")
wrap(whoosh3.W3FieldWriter, "close", "finish: terms index close", "finish: after terms")
wrap(base.Segment, "create_compound_file", "finish: compound file", "finish: frq")

store = ArticleStore(state / "articles.db")
common = common_terms(a.title + "\n" + a.text for a in islice(store.iter_articles(), COMMON_SAMPLE))
folder = tempfile.mkdtemp(prefix="mem-writer-")
if traced:
    tracemalloc.start()
try:
    ix = whoosh_index.create_in(folder, build_schema(2.0, common))
    writer = W(ix, limitmb=limitmb, codec=_codec())
    enter("add")
    t0 = time.process_time()
    done = 0
    for batch in store.iter_article_batches():
        entities = store.entity_fields([a.id for a in batch])
        for a in batch[: n - done]:
            writer.add_document(**document_fields(a, entities.get(a.id), None))
        done = min(n, done + len(batch))
        if done >= n:
            break
    runs = len(writer._runs)
    enter("finish: per-document files")
    t1 = time.process_time()
    segment = writer.finish()
    t2 = time.process_time()
    enter("end")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stop.set()
    storage = segment.open_compound_file(ix.storage)
    name = segment.make_filename(".trm")
    terms = OrderedHashReader(storage.open_file(name), storage.file_length(name)).extras["indexlen"]
finally:
    shutil.rmtree(folder, ignore_errors=True)
malloc_env = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")}
print(json.dumps({"malloc_env": malloc_env, "docs": done, "terms": terms, "runs_before_finish": runs,
                  "limitmb": limitmb,
                  "add_cpu_s": round(t1 - t0, 1), "finish_cpu_s": round(t2 - t1, 1),
                  "ru_maxrss_kb": maxrss, "phases": phases}))
"""


def run_once(python: str, state: Path, n: int, limitmb: int, traced: bool) -> dict[str, object]:
    before = os.getloadavg()
    checkout = Path(python).absolute().parent.parent.parent  # <checkout>/.venv/bin/python
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    out = subprocess.run(
        [python, "-c", _CHILD, str(state), str(n), str(limitmb), "1" if traced else "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"{python} failed: {out.stderr.strip().splitlines()[-1:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    result["commit"] = head.stdout.strip()  # read before the run: the checkout may move on meanwhile
    result["load_average_before"] = [round(x, 2) for x in before]
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--limitmb", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--a", required=True, help="interpreter of version a (main)")
    parser.add_argument("--b", required=True, help="interpreter of version b (the branch)")
    parser.add_argument("--only", choices=["a", "b"], help="run one version only")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    pythons = {"a": args.a, "b": args.b}
    order = [args.only] if args.only else ["a", "b"]
    runs: dict[str, list[dict[str, object]]] = {v: [] for v in order}
    meta = {"n": args.n, "limitmb": args.limitmb, "state": str(args.state), "a": args.a, "b": args.b}
    for _ in range(args.rounds):
        for version in order:
            runs[version].append(run_once(pythons[version], args.state, args.n, args.limitmb, args.tracemalloc))
            args.out.write_text(json.dumps({**meta, "runs": runs}, indent=1) + "\n", encoding="utf-8")
            print(version, json.dumps(runs[version][-1]), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
