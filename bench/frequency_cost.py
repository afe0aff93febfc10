"""What the frequency files cost the direct writer: one segment of N articles, written with and without them.

    python -m bench.frequency_cost STATE N OUT.json

``STATE`` holds a newsdesk ``articles.db`` (a copy: the store is opened for
writing). The documents are made first; then the same segment is finished
three times each way, taking turns, and the CPU time of ``finish()`` (where the
lists are written) and the files' sizes are recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from newsdesk.index.engine import freqfile
from newsdesk.index.engine.directwriter import DirectSegmentWriter
from newsdesk.index.engine.hidden_fields import COMMON_SAMPLE, common_terms
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.indexer import _codec, document_fields
from newsdesk.index.store import ArticleStore
from whoosh import index as whoosh_index


def main() -> None:
    state, n, out_file = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    store = ArticleStore(state / "articles.db")
    docs = []
    for batch in store.iter_article_batches():
        entities = store.entity_fields([a.id for a in batch])
        docs.extend(document_fields(a, entities.get(a.id), None) for a in batch)
        if len(docs) >= n:
            break
    docs = docs[:n]
    common = common_terms(a.title + "\n" + a.text for a in islice(store.iter_articles(), COMMON_SAMPLE))
    out = []
    for rnd in range(3):
        for kept in (False, True):
            freqfile.FREQ_MIN_POSTINGS = 1024 if kept else 10**12
            folder = tempfile.mkdtemp(prefix="frqcost-")
            try:
                ix = whoosh_index.create_in(folder, build_schema(2.0, common))
                w = DirectSegmentWriter(ix, limitmb=128, codec=_codec())
                for d in docs:
                    w.add_document(**d)
                t = time.process_time()
                w.finish()
                f = time.process_time() - t
                size = sum(p.stat().st_size for p in Path(folder).glob("*.frq"))
                seg = sum(p.stat().st_size for p in Path(folder).glob("*.seg"))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            out.append(
                {
                    "round": rnd,
                    "frequency_files": kept,
                    "finish_cpu_s": round(f, 3),
                    "frq_bytes": size,
                    "seg_bytes": seg,
                }
            )
            print(out[-1], flush=True)
    Path(out_file).write_text(json.dumps({"docs": n, "load_average": os.getloadavg(), "runs": out}, indent=1))


if __name__ == "__main__":
    main()
