"""The rule extractor on text built to be slow: a megabyte of capitals, of "U.S.", of one capitalised run...

``python -m bench.entities.hostile [--json PATH]`` extracts each text at a quarter of its size and at full
size, with a fresh extractor, and prints words per second (CPU time of this process) and the ratio of the
two times: about 4 when the work is linear in the text, far more when it is not.
"""

from __future__ import annotations

import argparse
import itertools
import json
import string
import time
from collections.abc import Callable
from pathlib import Path

from newsdesk.index.entities import EntityLists
from newsdesk.index.entities.gazetteer import load_gazetteer
from newsdesk.index.entities.rules import RuleExtractor

MEGABYTE = 1_000_000


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _distinct_words(size: int, shape: Callable[[str], str]) -> str:
    """Distinct made-up words ("Qab", "Qac", ...) shaped by ``shape``, to ``size`` characters."""
    parts, length = [], 0
    for letters in itertools.product(string.ascii_lowercase, repeat=4):
        part = shape("q" + "".join(letters))
        parts.append(part)
        length += len(part)
        if length >= size:
            break
    return "".join(parts)[:size]


HOSTILE_TEXTS: dict[str, Callable[[int], str]] = {
    "capitals": lambda size: _distinct_words(size, lambda w: w.upper() + " "),
    "U.S.": _repeat("U.S. "),
    "one capitalised run": lambda size: _distinct_words(size, lambda w: w.title() + " "),
    "capitalised run with connectors": _repeat("Bank of the Republic of "),
    "sentence starts": lambda size: _distinct_words(size, lambda w: w.title() + ". " + w + " "),
    "possessives and hyphens": _repeat("Moscow's US-led Nagorno-Karabakh-based "),
    "punctuation": _repeat("!?.,;:()[]\"'“”‘’—–-… "),
    "U+2028 lines": _repeat("Vladimir Putin\u2028"),
    "blank lines": _repeat("\n\n\r\n \n"),
}


def measure(extractor_texts: dict[str, Callable[[int], str]], size: int = MEGABYTE) -> dict[str, dict[str, float]]:
    """{name: {words_per_second, seconds, quarter_seconds, ratio}} for each hostile text."""
    load_gazetteer()  # outside the timed part
    figures = {}
    for name, build in extractor_texts.items():
        times = []
        for part in (size // 4, size):
            text = build(part)
            extractor = RuleExtractor(EntityLists())
            started = time.process_time()
            extractor.extract_article("", text)
            times.append(time.process_time() - started)
        words = len(build(size).split())
        figures[name] = {
            "words": words,
            "seconds": round(times[1], 3),
            "quarter_seconds": round(times[0], 3),
            "ratio": round(times[1] / max(times[0], 1e-6), 2),
            "words_per_second": round(words / max(times[1], 1e-6)),
        }
        print(
            f"{name:34s} {words:>9,} words  {times[1]:6.2f} s  {figures[name]['words_per_second']:>10,} words/s"
            f"  x{figures[name]['ratio']:.1f} for 4x the text"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=MEGABYTE, help="characters per text (default a megabyte)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    figures = measure(HOSTILE_TEXTS, args.size)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
