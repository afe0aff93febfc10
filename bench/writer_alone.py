"""The direct segment writer alone, one process, two versions taking turns: CPU an article.

docs/performance.md quotes "writer alone" figures (the documents of N articles of a
store made first, then only ``add_document`` and ``finish`` timed, in CPU seconds) for
main against a branch. This runs each version's own interpreter (a checkout with its
own venv, so its own ``newsdesk``) on the same store, alternating, and records the
figures and the load in a JSON file under bench/results/.

    python -m bench.writer_alone --state DIR --n 5000 --rounds 3 \
        --a /path/to/main/.venv/bin/python --b /path/to/branch/.venv/bin/python --out FILE

``--state`` is a folder holding a newsdesk ``articles.db`` (a copy: the store is opened
for writing, and an older version may migrate it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, sys, tempfile, shutil, time
from itertools import islice
from pathlib import Path
from newsdesk.index.store import ArticleStore
from newsdesk.index.indexer import document_fields, _codec
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.engine.hidden_fields import COMMON_SAMPLE, common_terms
from newsdesk.index.engine.directwriter import DirectSegmentWriter
from whoosh import index as whoosh_index

state, n = Path(sys.argv[1]), int(sys.argv[2])
store = ArticleStore(state / "articles.db")
docs = []
for batch in store.iter_article_batches():
    entities = store.entity_fields([a.id for a in batch])
    docs.extend(document_fields(a, entities.get(a.id), None) for a in batch)
    if len(docs) >= n:
        break
docs = docs[:n]
common = common_terms(a.title + "\n" + a.text for a in islice(store.iter_articles(), COMMON_SAMPLE))
folder = tempfile.mkdtemp(prefix="writer-alone-")
try:
    ix = whoosh_index.create_in(folder, build_schema(2.0, common))
    writer = DirectSegmentWriter(ix, limitmb=128, codec=_codec())
    t0 = time.process_time()
    for doc in docs:
        writer.add_document(**doc)
    t1 = time.process_time()
    writer.finish()
    t2 = time.process_time()
finally:
    shutil.rmtree(folder, ignore_errors=True)
print(json.dumps({"docs": len(docs), "add_s": round(t1 - t0, 3), "finish_s": round(t2 - t1, 3),
                  "ms_per_article": round((t2 - t0) / len(docs) * 1000, 3)}))
"""


def run_once(python: str, state: Path, n: int) -> dict[str, object]:
    before = os.getloadavg()[0]
    out = subprocess.run([python, "-c", _CHILD, str(state), str(n)], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    result["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--a", required=True, help="interpreter of version a (main)")
    parser.add_argument("--b", required=True, help="interpreter of version b (the branch)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    runs: dict[str, list[dict[str, object]]] = {"a": [], "b": []}
    for _ in range(args.rounds):
        for name in ("a", "b"):
            runs[name].append(run_once(getattr(args, name), args.state, args.n))
            print(name, runs[name][-1], file=sys.stderr)
    args.out.write_text(json.dumps({"state": str(args.state), "n": args.n, "a": args.a, "b": args.b, "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
