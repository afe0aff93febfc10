"""What entity extraction adds to indexing: the same corpus indexed with backend none and rules.

    python -m bench.entities.overhead --lee PATH --copies 20 [--runs 3]
    python -m bench.entities.overhead --synthetic 20000 [--runs 2]

With ``--lee`` the corpus is real news text: the 300 Lee articles (~200 words
each), each copied ``copies`` times with one distinct sentence added so no two
texts share a hash (the entity cache would otherwise make copies free). With
``--synthetic N`` it is the project's standard benchmark corpus (bench/corpus.py,
~400 words an article, invented names and places). Runs alternate between the
two backends and the medians are compared, because this machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from newsdesk.index import Config, Library


def write_corpus(lee: Path, out: Path, copies: int) -> int:
    lines = [line for line in lee.read_text(encoding="utf-8").splitlines() if line.strip()]
    count = 0
    for copy in range(copies):
        folder = out / f"{copy:03d}"
        folder.mkdir(parents=True)
        for number, line in enumerate(lines):
            title = " ".join(line.split()[:8])
            (folder / f"{number:04d}.txt").write_text(f"{title}\n\n{line}\n\nFiled as copy {copy} item {number}.\n")
            count += 1
    return count


def index_seconds(corpus: Path, backend: str) -> float:
    config = Config()
    config.entities.backend = backend
    with tempfile.TemporaryDirectory() as state, Library.open(corpus, state_dir=Path(state), config=config) as lib:
        started = time.perf_counter()
        lib.update()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lee", type=Path, help="lee_background.cor (gensim test data)")
    parser.add_argument("--synthetic", type=int, metavar="N", help="use N articles of bench/corpus.py instead")
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        if args.synthetic:
            from bench.corpus import generate

            generate(corpus, args.synthetic)
            articles = args.synthetic
        elif args.lee:
            articles = write_corpus(args.lee, corpus, args.copies)
        else:
            parser.error("give --lee PATH or --synthetic N")
        times: dict[str, list[float]] = {"none": [], "rules": []}
        for _ in range(args.runs):
            for backend in times:
                times[backend].append(index_seconds(corpus, backend))
    medians = {backend: statistics.median(values) for backend, values in times.items()}
    overhead = medians["rules"] / medians["none"] - 1
    print(
        f"{articles} articles; index time median of {args.runs}: none {medians['none']:.1f} s, "
        f"rules {medians['rules']:.1f} s -> entities add {overhead:.0%}"
    )
    if args.json:
        args.json.write_text(json.dumps({"articles": articles, "times": times, "overhead": overhead}, indent=2))


if __name__ == "__main__":
    main()
