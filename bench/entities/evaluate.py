"""Entity quality and speed: precision/recall/F1 against the gold sets, and words per second.

    python -m bench.entities.evaluate                      # demo gold (+ seeds, Lee when present)
    python -m bench.entities.evaluate --lee PATH --speed   # and the speed run on the Lee corpus

Quality is set-level per article (bench/entities/score.py): the prediction for
an article and type is the set of surface forms the extractor reported, so a
name found under the wrong type counts as a miss and a false alarm. The demo
gold is the development set (the rules were tuned on it); the seeds and the
Lee articles are held out.

Lee: ``lee_background.cor`` from gensim's test data (``pip install gensim``,
or unzip its wheel); its text is never copied into this repository.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from newsdesk.index import Library
from newsdesk.index.entities import EntityLists
from newsdesk.index.entities.rules import RuleExtractor
from newsdesk.index.locations import demo_corpus

from bench.entities.score import format_table, load_gold, score

HERE = Path(__file__).parent
SEEDS = HERE.parents[1].parent / "shared" / "seeds"


def _predict(extractor: RuleExtractor, title: str, text: str) -> dict[str, list[str]]:
    names: dict[str, set[str]] = {}
    for mentions in extractor.extract_article(title, text):
        for mention in mentions:
            names.setdefault(mention.type, set()).add(mention.text)
    return {kind: sorted(found) for kind, found in names.items()}


def _corpus_articles(corpus: Path) -> dict[str, tuple[str, str]]:
    """{gold key: (title, text)} for every article of a corpus, as newsdesk displays them."""
    with tempfile.TemporaryDirectory() as state, Library.open(corpus, state_dir=Path(state)) as library:
        library.update()
        articles = {}
        for summary in library.list_articles(0, 100_000):
            article = library.article(summary.id)
            multi = len(library.store.by_path(article.path)) > 1 or article.path.endswith((".jsonl", ".rss"))
            key = f"{article.path}#{article.item}" if multi else article.path
            articles[key] = (article.title, article.text)
        return articles


def _lee_articles(path: Path, gold_keys: list[str]) -> dict[str, tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {key: ("", lines[int(key.split("-")[1])]) for key in gold_keys}


def evaluate(name: str, gold_path: Path, articles: dict[str, tuple[str, str]], extractor: RuleExtractor) -> dict:
    gold = load_gold(gold_path)
    predicted = {key: _predict(extractor, title, text) for key, (title, text) in articles.items() if key in gold}
    result = score(gold, predicted)
    print(f"\n## {name} ({len(predicted)} articles)\n")
    print(format_table(result))
    return result


def speed(texts: list[str], repeats: int = 5) -> float:
    """Median words per second over ``repeats`` passes, each with a fresh extractor.

    Fresh, because the extractor remembers what it worked out about words and
    spans: a second pass over the same texts would measure that memory.
    """
    words = sum(len(text.split()) for text in texts)
    rates = []
    for _ in range(repeats):
        extractor = RuleExtractor(EntityLists())
        started = time.perf_counter()
        for text in texts:
            extractor.extract_article("", text)
        rates.append(words / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lee", type=Path, help="lee_background.cor (gensim test data)")
    parser.add_argument("--speed", action="store_true", help="also measure words per second on the Lee corpus")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    extractor = RuleExtractor(EntityLists())
    figures: dict[str, object] = {}
    demo = evaluate("demo corpus (development set)", HERE.parents[1] / "tests/fixtures/entities/demo_gold.yaml",
                    _corpus_articles(demo_corpus()), extractor)
    figures["demo"] = {k: demo[k] for k in ("per_type", "overall")}
    if SEEDS.is_dir():
        seeds = evaluate("seeds (held out)", HERE / "seeds_gold.yaml", _corpus_articles(SEEDS), extractor)
        figures["seeds"] = {k: seeds[k] for k in ("per_type", "overall")}
    if args.lee:
        lee_gold = load_gold(HERE / "lee_gold.yaml")
        lee = evaluate("Lee background, 20 articles (held out)", HERE / "lee_gold.yaml",
                       _lee_articles(args.lee, list(lee_gold)), extractor)
        figures["lee"] = {k: lee[k] for k in ("per_type", "overall")}
        if args.speed:
            texts = args.lee.read_text(encoding="utf-8").splitlines()
            rate = speed(texts)
            figures["words_per_second"] = rate
            print(f"\nspeed: {rate:,.0f} words/s (median of 5 passes over {len(texts)} Lee articles, one core)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
