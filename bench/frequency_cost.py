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
from pathlib import Path

from newsdesk.index.engine import freqfile
from newsdesk.index.engine.directwriter import DirectSegmentWriter
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.indexer import _codec
from whoosh import index as whoosh_index

from bench.store_documents import first_documents


def main() -> None:
    state, n, out_file = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    docs, common = first_documents(state, n)
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
