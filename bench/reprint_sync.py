"""Reprint grouping of a whole store, as a first build does it, two versions taking turns: CPU seconds.

A first index groups every article's reprints (``sync_reprints``) in the main process while
the writer processes index: on two cores that CPU is taken from the writers. This copies a
store, drops its groups and times ``sync_reprints`` alone, in each version's own interpreter
(a checkout with its own venv), alternating, and records the figures and the load.

    python -m bench.reprint_sync --state DIR --rounds 2 \
        --a /path/to/main/.venv/bin/python --b /path/to/branch/.venv/bin/python --out FILE

``--state`` is a folder holding a newsdesk ``articles.db`` (only copies of it are written).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_CHILD = r"""
import json, sys, time
from pathlib import Path
from newsdesk.index.store import ArticleStore
from newsdesk.index.reprints import forget_reprints, leaders, sync_reprints
store = ArticleStore(Path(sys.argv[1]))
forget_reprints(store)
started = time.process_time()
synced = sync_reprints(store)
cpu = time.process_time() - started
groups = leaders(store.db)
print(json.dumps({"articles": synced, "cpu_s": round(cpu, 2),
                  "grouped": sum(1 for article, leader in groups.items() if article != leader)}))
"""


def run_once(python: str, database: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="newsdesk-reprint-sync-") as folder:
        copy = Path(folder) / "articles.db"
        shutil.copyfile(database, copy)
        before = os.getloadavg()[0]
        out = subprocess.run([python, "-c", _CHILD, str(copy)], capture_output=True, text=True, check=True)
        result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
        result["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--a", required=True, help="interpreter of version a (main)")
    parser.add_argument("--b", required=True, help="interpreter of version b (the branch)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, object]]] = {"a": [], "b": []}
    for _ in range(args.rounds):
        for side in ("a", "b"):
            result = run_once(getattr(args, side), args.state / "articles.db")
            print(side, result, flush=True)
            runs[side].append(result)
    args.out.write_text(json.dumps({"state": str(args.state), "a": args.a, "b": args.b, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
