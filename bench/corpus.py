"""A deterministic synthetic news corpus: Zipf vocabulary, function words, names.

``python -m bench.corpus OUT_DIR N`` writes N articles of ~400 words as
``OUT_DIR/NNN/NNNNNN.txt`` (1,000 per folder): a headline line, a blank line,
paragraphs. The same seed always gives the same corpus and the same queries.
"""

from __future__ import annotations

import bisect
import itertools
import random
import sys
from pathlib import Path

SYLLABLES = (
    "ka lo mi ne ra to vu se di pa ro te shi an el or um ix ba ce du fo gi ha "
    "ju ke li mo nu pe qui ri su ta ve wo ya zo bre cla dri fla gro ple sto tri "
    "ven mar dol ser kin lan bor tel ruv"
).split()
FUNCTION_WORDS = (
    "the the the of of and and to to in a a said that for on was with as by at from "
    "is it he she they has have were will would after over about into".split()
)
NAMES = [
    "Arman Delvoy",
    "Sera Kintova",
    "Olek Marrin",
    "Ilsa Brandt",
    "Tomas Orlo",
    "the Orvell Ministry",
    "Kestral Agency",
    "the Vantor Council",
    "Pellan Group",
    "Varnesk",
    "Tolmira",
    "Ostrava Bay",
    "the Dunmar Valley",
    "Keldra",
]
PHRASES = ["launch pad", "the Middle East", "peace talks", "foreign minister", "prime minister"]
VOCABULARY_SIZE = 30_000
ZIPF_S = 1.1


class Generator:
    """Draws words, sentences and articles from one seeded random stream."""

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        words: dict[str, None] = {}
        while len(words) < VOCABULARY_SIZE:
            count = self.random.choice((1, 2, 2, 3, 3, 3, 4))
            words["".join(self.random.choice(SYLLABLES) for _ in range(count))] = None
        self.vocabulary = list(words)
        weights = [1 / (rank + 1) ** ZIPF_S for rank in range(VOCABULARY_SIZE)]
        self.cumulative = list(itertools.accumulate(weights))

    def word(self) -> str:
        """One vocabulary word, Zipf-distributed by rank."""
        point = self.random.random() * self.cumulative[-1]
        return self.vocabulary[bisect.bisect(self.cumulative, point)]

    def token(self) -> str:
        roll = self.random.random()
        if roll < 0.30:
            return self.random.choice(FUNCTION_WORDS)
        if roll < 0.315:
            return self.random.choice(NAMES)
        if roll < 0.318:
            return self.random.choice(PHRASES)
        return self.word()

    def sentence(self) -> str:
        words = [self.token() for _ in range(self.random.randint(8, 24))]
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def article(self, words: int = 400) -> str:
        headline = " ".join(self.word() for _ in range(self.random.randint(6, 10)))
        paragraphs, paragraph, total = [], [], 0
        while total < words:
            sentence = self.sentence()
            paragraph.append(sentence)
            total += sentence.count(" ") + 1
            if len(paragraph) >= self.random.randint(2, 5):
                paragraphs.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append(" ".join(paragraph))
        return headline.capitalize() + "\n\n" + "\n\n".join(paragraphs) + "\n"


def article_path(out_dir: Path, number: int) -> Path:
    """Where article ``number`` goes."""
    return out_dir / f"{number // 1000:03d}" / f"{number:06d}.txt"


def generate(out_dir: Path, n: int, seed: int = 7, words: int = 400) -> None:
    """Write ``n`` articles under ``out_dir`` (skipped if they are all there already)."""
    if article_path(out_dir, n - 1).exists() and not article_path(out_dir, n).exists():
        return
    generator = Generator(seed)
    for number in range(n):
        path = article_path(out_dir, number)
        if number % 1000 == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generator.article(words), encoding="utf-8")


def queries(n: int = 200, seed: int = 11) -> list[tuple[str, str]]:
    """``n`` (kind, query) pairs, a quarter each of term, AND, phrase and prefix queries."""
    generator = Generator(7)
    rng = random.Random(seed)
    vocabulary = generator.vocabulary

    def ranked(low: int, high: int) -> str:
        return vocabulary[rng.randint(low, high)]

    pairs: list[tuple[str, str]] = []
    for _ in range(20):  # adjacent pairs as the generator writes them
        tokens = generator.sentence().rstrip(".").lower().split()
        pairs.extend(itertools.pairwise(tokens))
    per_kind = n // 4
    result: list[tuple[str, str]] = []
    for i in range(per_kind):
        result.append(("term", ranked(0, 200) if i % 3 == 0 else ranked(200, 10_000)))
    for _ in range(per_kind):
        result.append(("and", f"{ranked(0, 2_000)} AND {ranked(100, 10_000)}"))
    for i in range(per_kind):
        if i % 5 == 0:
            result.append(("phrase", f'"{rng.choice(PHRASES)}"'))
        else:
            first, second = rng.choice(pairs)
            result.append(("phrase", f'"{first} {second}"'))
    for _ in range(per_kind):
        result.append(("prefix", ranked(100, 5_000)[:4] + "*"))
    return result


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
