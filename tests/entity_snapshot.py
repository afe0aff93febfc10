"""What the rule extractor gives on fixed texts, recorded so a speed-up can prove it changed nothing.

``python -m tests.entity_snapshot`` records ``tests/fixtures/entities/rules_output.json`` from the
current rules: every mention of the demo corpus (titles and texts) and of generated text, and a
digest of the output for the held-out texts that are not stored in this repository (the seeds in
``/work/shared/seeds`` and gensim's Lee corpus), next to a digest of each of those inputs.
``tests/test_entity_snapshot.py`` compares the extractor with it. Re-record only when a rule change
is meant to change the output, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

from newsdesk.index import Library
from newsdesk.index.entities import EntityLists, EntityMention
from newsdesk.index.entities.rules import RuleExtractor
from newsdesk.index.locations import demo_corpus

SNAPSHOT = Path(__file__).parent / "fixtures" / "entities" / "rules_output.json"
_ROOT = Path(__file__).resolve().parents[1]
SEEDS_CANDIDATES = (_ROOT.parent / "shared" / "seeds", _ROOT.parent.parent / "shared" / "seeds")
"""The seeds sit in ``shared/`` next to the main checkout, one level further up from a worktree."""
GENERATED_TEXTS = 80
GENERATED_SEED = 15

# Generated text: names, cue words and the shapes the rules cut on (possessives, hyphens, acronyms in
# brackets, all-caps lines, line breaks inside paragraphs), in random order, so runs of capitals meet
# every neighbour the rules look at.
_NAMES = (
    "Vladimir Putin",
    "Putin",
    "Sergei Lavrov",
    "Sergey Lavrov",
    "Ilham Aliyev",
    "Aliev",
    "Nikol Pashinyan",
    "Maria Zakharova",
    "Osama bin Laden",
    "George W Bush",
    "Hassan Abbas",
    "Steffi Graf",
    "Grigoryan",
    "Qantas",
    "Westpac",
    "Stepanakert",
    "Xankendi",
    "Nagorno-Karabakh",
    "Karabakh",
    "Kalbajar",
    "Aghdam",
    "Lachin",
    "Moscow",
    "Moscow's",
    "Geneva",
    "Baku",
    "Yerevan",
    "Armenia",
    "Azerbaijan",
    "Russia",
    "U.S.",
    "U.N.",
    "UAE",
    "NZ",
    "US",
    "OSCE",
    "NATO",
    "EPS",
    "MP",
    "FRIDAY",
    "LONDON",
    "ROME (Reuters) -",
    "Kremlin",
    "Pentagon",
    "El Mundo",
    "Le Monde",
    "Soccer Australia",
    "West Indies",
    "East Timor",
    "Melbourne Cricket Ground",
    "New York Stock Exchange",
    "House of Representatives",
    "United Nations",
    "Council on Foreign Relations",
    "Ministry of Defence",
    "Azerbaijan's Defence Ministry",
    "OSCE Minsk Group",
    "Minsk Group",
    "Organization for Security and Co-operation in Europe (OSCE)",
    "Syunik Province",
    "Caspian Sea",
    "Lachin Corridor",
    "Secretary of State",
    "Global Depository Receipt",
    "EPA-EFE/AZERBAIJAN DEFENCE MINISTRY",
    "Twenty-eight-year-old Mohammed Afroz",
    "Businessmen Solomon Lew",
    "Defender Hassan Abbas",
    "Co-Chairs",
    "Armenians",
    "Armenian",
    "Azerbaijani",
    "US-led",
    "Moscow-based",
    "D'Arcy",
    "Ağdam",
    "Əliyev",
    "Ü",
    "ﬁ",
    "Reuters",
    "AFP",
    "Interfax",
    "Al Qaeda",
    "al-Qaeda",
)
_CUES = (
    "President",
    "Foreign Minister",
    "Prime Minister",
    "spokesman",
    "said",
    "says",
    "told",
    "the",
    "The",
    "in",
    "of",
    "and",
    "on",
    "at",
    "for",
    "the town of",
    "the Aras river",
    "districts of",
    "Mr.",
    "Dr",
    "Ministry",
    "Group",
    "Province",
    "Union",
    "Bank of England",
    "Monday",
    "October",
    "1996-08-30",
    "25",
    "It",
    "He",
    "In",
    "Analysts",
    "Officials",
    "Shares",
    "Fighting",
    "Resumes",
    "As",
    "Urges",
    "Restraint",
    "“Quoted”",
    "(OSCE)",
    "’s",
    "'s",
    ",",
    ".",
    ";",
    ":",
    "-",
    "—",
    "(",
    ")",
    "\n",
    "\n\n",
    "\u2028",
    "fighting",
    "ceasefire",
    "talks",
    "near",
    "across",
    "border",
    "region",
    "troops",
    "river",
    "town",
)


def generated_texts(count: int = GENERATED_TEXTS, seed: int = GENERATED_SEED) -> list[str]:
    """``count`` deterministic texts of 20 to 200 tokens drawn from names, cue words and punctuation."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        tokens = [rng.choice(_NAMES) if rng.random() < 0.35 else rng.choice(_CUES) for _ in range(rng.randint(20, 200))]
        if rng.random() < 0.2:
            tokens.insert(0, " ".join(rng.choice(_NAMES) for _ in range(3)).upper() + "\n")  # a shouted line
        texts.append(" ".join(tokens))
    return texts


def demo_articles() -> dict[str, tuple[str, str]]:
    """{path#item: (title, text)} for every article of the demo corpus, as the reader displays them."""
    with tempfile.TemporaryDirectory() as state, Library.open(demo_corpus(), state_dir=Path(state)) as library:
        library.update()
        articles = {}
        for summary in library.list_articles(0, 100_000):
            article = library.article(summary.id)
            articles[f"{article.path}#{article.item}"] = (article.title, article.text)
        return dict(sorted(articles.items()))


def lee_corpus() -> Path | None:
    """gensim's ``lee_background.cor``, when gensim is installed (the bench's corpus; not stored here)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data" / "lee_background.cor"
    return path if path.is_file() else None


def held_out_texts() -> Iterator[tuple[str, str]]:
    """(key, text) of the seeds and the Lee articles that exist on this machine."""
    seeds = next((path for path in SEEDS_CANDIDATES if path.is_dir()), None)
    if seeds is not None:
        for path in sorted(seeds.glob("*.txt")):
            yield f"seeds/{path.name}", path.read_text(encoding="utf-8")
    lee = lee_corpus()
    if lee is not None:
        for number, line in enumerate(lee.read_text(encoding="utf-8").splitlines()):
            yield f"lee/{number}", line


def as_rows(mentions: list[EntityMention]) -> list[list[object]]:
    """Mentions as JSON rows: [text, canonical, type, start, end]."""
    return [[m.text, m.canonical, m.type, m.start, m.end] for m in mentions]


def digest(value: object) -> str:
    """A short SHA-256 of ``value`` as canonical JSON."""
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def snapshot(extractor: RuleExtractor) -> dict[str, object]:
    """Everything the fixture records, computed with ``extractor``."""
    demo = {}
    for key, (title, text) in demo_articles().items():
        title_mentions, body = extractor.extract_article(title, text)
        demo[key] = {"title": as_rows(title_mentions), "text": as_rows(body)}
    generated = []
    for text in generated_texts():
        title_mentions, body = extractor.extract_article(text[:60], text)
        plain = as_rows(extractor.extract(text))
        generated.append({"title": as_rows(title_mentions), "text": as_rows(body), "plain": plain})
    held_out = {}
    for key, text in held_out_texts():
        held_out[key] = {"input": digest(text), "output": digest(as_rows(extractor.extract_article("", text)[1]))}
    return {"demo": demo, "generated": generated, "held_out": held_out}


if __name__ == "__main__":
    recorded = snapshot(RuleExtractor(EntityLists()))
    lines = ["{"]
    for section, (name, value) in enumerate(recorded.items()):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        rows = [
            f"  {json.dumps(key) if isinstance(key, str) else ''}{': ' if isinstance(key, str) else ''}"
            f"{json.dumps(item, ensure_ascii=False)}"
            for key, item in items
        ]
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        lines.append(
            f" {json.dumps(name)}: {opening}\n"
            + ",\n".join(rows)
            + f"\n {closing}"
            + ("," if section < len(recorded) - 1 else "")
        )
    lines.append("}")
    SNAPSHOT.write_text("\n".join(lines) + "\n", encoding="utf-8")  # one article a line: readable diffs
    print(f"wrote {SNAPSHOT}")
