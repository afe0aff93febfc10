"""Reprint detection of ``newsdesk similar``: precision and recall on generated reprints.

``python -m bench.reprints [N]`` writes N originals on ONE topic (a shared
vocabulary of 300 topic words plus function words, so unrelated articles share
most of their words), one reprint of each (another headline, wire boilerplate
appended, one sentence cut, one sentence reworded by swapping three words), and
N unrelated articles on the same topic; indexes them; asks ``Library.similar``
for each original and scores the ``reprint`` flag: recall = originals whose
reprint is flagged, precision = flagged articles that are the original's reprint.
Also reports the index time with and without first-indexed numbers recorded.

``python -m bench.reprints groups [N] [RUNS]`` measures the grouping made at
index time (:mod:`newsdesk.index.reprints`) on the same corpus: precision and
recall over pairs (a pair is predicted when both articles share a group; the
true pairs are each original with its reprint), the time of grouping alone
(``sync_reprints`` on the indexed store, median of RUNS), and the whole
``newsdesk index`` time with grouping on and off (fresh state each run,
alternating on/off, median of RUNS), with the machine's load average. Each time
is given as wall-clock seconds and as CPU seconds (this process plus its reader
and writer processes): on a shared, loaded machine the CPU figure is the one
that does not depend on what the other users run.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from newsdesk.index import Config, Library
from newsdesk.index.reprints import forget_reprints, leaders, sync_reprints

TOPIC = [
    f"{a}{b}"
    for a in (
        "arm",
        "bal",
        "cor",
        "del",
        "esk",
        "far",
        "gor",
        "hal",
        "ist",
        "jor",
        "kal",
        "lum",
        "mor",
        "nes",
        "orv",
        "pel",
        "qua",
        "ras",
        "sol",
        "tor",
    )
    for b in ("an", "ek", "ion", "ust", "ira", "oth", "um", "ex", "ade", "ol", "ix", "ur", "ena", "ost", "ive")
]
FUNCTION = "the the of of and and to to in a a said that for on was with as by at from is it has were after".split()
BOILERPLATE = [
    "Copyright 2020 Example Wire. All rights reserved.",
    "Subscribe to our newsletter for more news from the region.",
    "This report was distributed by a wire service and may have been edited.",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(TOPIC) if rng.random() < 0.45 else rng.choice(FUNCTION) for _ in range(rng.randint(14, 24))]
    return " ".join(words).capitalize() + "."


def article(rng: random.Random) -> list[str]:
    return [sentence(rng) for _ in range(rng.randint(10, 16))]


def reprint_of(sentences: list[str], rng: random.Random) -> list[str]:
    edited = list(sentences)
    del edited[rng.randrange(1, len(edited))]
    index = rng.randrange(len(edited))
    words = edited[index].split()
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(TOPIC)
    edited[index] = " ".join(words)
    return [*edited, rng.choice(BOILERPLATE)]


def write(folder: Path, name: str, headline: str, sentences: list[str]) -> None:
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    (folder / name).write_text(headline + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def write_corpus(corpus: Path, count: int) -> None:
    """N originals, one reprint of each and N unrelated articles on the same topic."""
    rng = random.Random(16)
    corpus.mkdir()
    for n in range(count):
        original = article(rng)
        write(corpus, f"o{n:05d}.txt", sentence(rng), original)
        write(corpus, f"r{n:05d}.txt", "Wire: " + sentence(rng), reprint_of(original, rng))
        write(corpus, f"u{n:05d}.txt", sentence(rng), article(rng))


def main(count: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, count)
        with Library.open(corpus, state_dir=Path(tmp) / "state", config=Config()) as library:
            started = time.perf_counter()
            library.update()
            index_seconds = time.perf_counter() - started
            found = flagged = true_flagged = 0
            timings = []
            for n in range(count):
                started = time.perf_counter()
                similar = library.similar(f"o{n:05d}.txt", limit=10)
                timings.append(time.perf_counter() - started)
                reprints = [s for s in similar if s.reprint]
                flagged += len(reprints)
                true_flagged += sum(1 for s in reprints if s.path == f"r{n:05d}.txt")
                found += any(s.path == f"r{n:05d}.txt" for s in reprints)
    precision = true_flagged / flagged if flagged else 1.0
    recall = found / count
    print(f"{count} originals, {count} reprints, {count} unrelated on one topic ({3 * count} articles)")
    print(f"precision {precision:.3f}  recall {recall:.3f}")
    print(
        f"similar: median {statistics.median(timings) * 1000:.0f} ms, "
        f"p95 {sorted(timings)[int(0.95 * len(timings))] * 1000:.0f} ms; index {index_seconds:.1f} s"
    )


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the reader and writer processes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _index_seconds(corpus: Path, state: Path, grouping: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of one first ``newsdesk index`` of ``corpus``."""
    config = Config()
    config.index.group_reprints = grouping
    with Library.open(corpus, state_dir=state, config=config) as library:
        started, cpu = time.perf_counter(), _cpu_seconds()
        library.update()
        return time.perf_counter() - started, _cpu_seconds() - cpu


def groups(count: int = 300, runs: int = 5) -> dict[str, object]:
    """Precision, recall and the index-time overhead of grouping reprints while indexing."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, count)
        with Library.open(corpus, state_dir=Path(tmp) / "state", config=Config()) as library:
            library.update()
            paths = {a.id: a.path for a in library.store.iter_articles()}
            members: dict[str, list[str]] = {}
            for article_id, leader in leaders(library.store.db).items():
                members.setdefault(leader, []).append(paths[article_id])
            predicted = {frozenset(pair) for group in members.values() for pair in itertools.combinations(group, 2)}
            truth = {frozenset((f"o{n:05d}.txt", f"r{n:05d}.txt")) for n in range(count)}
            grouping_alone, grouping_cpu = [], []
            for _ in range(runs):
                forget_reprints(library.store)
                started, cpu = time.perf_counter(), time.process_time()
                sync_reprints(library.store)
                grouping_alone.append(time.perf_counter() - started)
                grouping_cpu.append(time.process_time() - cpu)
        on, off, on_cpu, off_cpu = [], [], [], []
        for run in range(runs):
            for grouping in (run % 2 == 0, run % 2 == 1):  # alternate which goes first
                wall, cpu = _index_seconds(corpus, Path(tmp) / f"state-{run}-{grouping}", grouping)
                (on if grouping else off).append(wall)
                (on_cpu if grouping else off_cpu).append(cpu)
    result = {
        "articles": 3 * count,
        "precision": round(len(predicted & truth) / len(predicted), 4) if predicted else 1.0,
        "recall": round(len(predicted & truth) / len(truth), 4),
        "grouping_alone_median_s": round(statistics.median(grouping_alone), 3),
        "grouping_alone_cpu_median_s": round(statistics.median(grouping_cpu), 3),
        "index_on_cpu_median_s": round(statistics.median(on_cpu), 3),
        "index_off_cpu_median_s": round(statistics.median(off_cpu), 3),
        "overhead_cpu": round(statistics.median(on_cpu) / statistics.median(off_cpu) - 1, 4),
        "grouping_cpu_share_of_index_cpu": round(statistics.median(grouping_cpu) / statistics.median(off_cpu), 4),
        "index_on_median_s": round(statistics.median(on), 3),
        "index_off_median_s": round(statistics.median(off), 3),
        "index_on_s": [round(x, 3) for x in on],
        "index_off_s": [round(x, 3) for x in off],
        "overhead": round(statistics.median(on) / statistics.median(off) - 1, 4),
        "grouping_share_of_index": round(statistics.median(grouping_alone) / statistics.median(off), 4),
        "runs": runs,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "groups":
        groups(*(int(a) for a in sys.argv[2:4]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
