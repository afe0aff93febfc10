"""Hostile phrases on a built index: CPU (cold, then the median of 5 repeats) and memory, one process a query.

Red-team figures for the position lists (NDFREQ4, 8a75f76): a phrase repeating a word, ORed phrases sharing
a common word, a phrase of words in every article. Each version runs from its own checkout's interpreter, on
the index that version built (the state folders are built beforehand with ``Library.update()``)::

    python -m bench.hostile_phrases --corpus /tmp/bench-corpus-20k \\
        --version head=/work/wt/rt-pos-head/.venv/bin/python:/tmp/rt-pos-head20k \\
        --version parent=/work/wt/rt-pos-parent/.venv/bin/python:/tmp/rt-pos-parent20k --out results.json

The words are those of the synthetic corpus (bench/corpus.py): "pake" is in every article, "pake pake" in 97%.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

RARE = """gine ratedri pleditri dolserflaba lanixnuka yaixfla riwon nekeor ruvkinmo ra bresuquiruv roborha anrodi
wovuto umsu nedrikin grozo plekin gili flaan sufosudi nedriruv petrian umstocla pleke nero lo sehaqui venflas
dritridritri giju se drivu venro panupa line tavenri anser shihav tenubr breston duka telgidri ratael borgiwo juliju
tequika base um vennuqui hapac nekagiri riborp suixto vudri lili sudols toflaro martri livu sute toyacla quisuhaor
mistora dolvuta vuvenlo kinwoha clamian borceborlan dridiix nuwogro folan grovu shiixc miixgro teor ruvlita velo wora
marplekabor orstonu umruv like quisepa kinbort pekinto rahafo lolovusto raflami yaorfo kefosu shishian bapadri venbor
haveor zogitel wozo stodols dunu stofo""".split()
"""Words in 300 to 1,500 of the 20k articles and not common (no pair list): their phrases go by word positions."""
ALTERNATING = " pake ".join(["pake nerabor", "vuhazo", "the", "su", "of", "a", "to", "mito", "and pake"])
QUERIES = {
    "pake x3": '"pake pake pake"',
    "pake x20": '"' + " ".join(["pake"] * 20) + '"',
    "pake x199": '"' + " ".join(["pake"] * 199) + '"',
    "nerabor pake x40": '"' + " ".join(["nerabor pake"] * 40) + '"',
    "20 common alternating": f'"{ALTERNATING}"',
    "8 words in every article": '"the pake nerabor vuhazo su mito to and"',
    "100 ORed pake+rare": " OR ".join(f'"pake {w}"' for w in RARE[:100]),
    "pake+rare": '"pake flaro"',
    "one pair (control)": '"nerabor pake"',
}


def one(corpus: Path, state: Path, name: str) -> dict[str, object]:
    """Run in the version's own interpreter: one query, cold then repeated, then its tracemalloc peak (cold)."""
    from newsdesk.index import Library

    library = Library.open(corpus, state_dir=state)
    library.search("warmup", limit=20)
    query = QUERIES[name]
    row: dict[str, object] = {"query": name}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        started = time.process_time()
        results = library.search(query, limit=20)
        row["cold_cpu_s"] = round(time.process_time() - started, 3)
        row["total"] = results.total
        repeats = []
        for _ in range(5):
            started = time.process_time()
            library.search(query, limit=20)
            repeats.append(time.process_time() - started)
        row["repeat_cpu_median_s"] = round(statistics.median(repeats), 3)
    except Exception as exc:  # QueryTooCostly and the like: what the user sees
        row["error"] = f"{type(exc).__name__}: {exc}"[:160]
    row["rss_growth_mb"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
    library.close()
    fresh = Library.open(corpus, state_dir=state)
    fresh.search("warmup", limit=20)
    fresh.engine.query_seconds = None  # tracemalloc slows it past the budget
    tracemalloc.start()
    try:
        fresh.search(query, limit=20)
        row["cold_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--version", action="append", default=[], help="name=python:state")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.corpus, args.state, args.one[1])))
        return
    versions = [(v.split("=", 1)[0], *v.split("=", 1)[1].split(":", 1)) for v in args.version]
    rows = []
    for name in QUERIES:
        for label, python, state in versions:  # alternated, query by query
            command = [python, "-m", "bench.hostile_phrases", "--corpus", str(args.corpus), "--state", state]
            done = subprocess.run(
                [*command, "--one", label, name],
                capture_output=True,
                text=True,
                check=False,
                cwd=Path(__file__).resolve().parent.parent,
            )
            row = (
                json.loads(done.stdout.strip().splitlines()[-1])
                if done.returncode == 0
                else {"error": done.stderr[-300:]}
            )
            row.update(version=label, load=os.getloadavg()[0])
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.out:
        args.out.write_text(json.dumps({"argv": sys.argv, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
