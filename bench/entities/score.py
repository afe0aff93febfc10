"""Score predicted named entities against a hand-annotated gold set, set-level per article.

Gold files (``tests/fixtures/entities/demo_gold.yaml``, ``bench/entities/*_gold.yaml``) list, per article and
type (PERSON, ORG, PLACE), each distinct entity once with its name and aliases. Predictions are, per article and
type, a set of names. Within one article and type:

* a predicted name matches a gold entity when, compared case-insensitively after dropping a leading "the " and a
  trailing "'s" (and folding ’ to ', runs of whitespace to one space), it equals the entity's name or one of its
  aliases;
* each gold entity is credited at most once, and each predicted name credits at most one entity (a maximum
  matching); several predictions of the same entity count as one true positive, the extra ones are ignored;
* a predicted name that matches no gold entity is a false positive; a gold entity left unmatched a false negative.

Counts are micro-averaged over articles per type, and over all types for the overall figure. A ratio whose
denominator is zero is 1.0 when there was nothing to find and nothing was predicted, else 0.0.

Usage: ``python -m bench.entities.score GOLD.yaml PREDICTIONS.json [--per-article]`` where the JSON is
``{article_key: {TYPE: [names]}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

TYPES = ("PERSON", "ORG", "PLACE")

Gold = dict[str, dict[str, list[dict[str, Any]]]]


def normalize(name: str) -> str:
    """The form names are compared in: casefolded, no leading "the ", no trailing "'s"."""
    text = " ".join(str(name).replace("\u2019", "'").split()).casefold()
    if text.startswith("the "):
        text = text[4:].lstrip()
    if text.endswith("'s"):
        text = text[:-2].rstrip()
    return text


def load_gold(path: str | Path) -> Gold:
    """Read a gold YAML file: ``{article: {TYPE: [{"name": str, "aliases": [str, ...]}, ...]}}``.

    Every type in TYPES is present (empty when the file has ``[]`` or leaves it out). Raises ValueError on a
    malformed file.
    """
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("articles"), dict):
        raise ValueError(f"{path}: expected a mapping with an 'articles' mapping")
    gold: Gold = {}
    for key, types in data["articles"].items():
        if types is None:
            types = {}
        if not isinstance(types, dict):
            raise ValueError(f"{path}: article {key!r}: expected a mapping of types")
        unknown = set(types) - set(TYPES)
        if unknown:
            raise ValueError(f"{path}: article {key!r}: unknown types {sorted(unknown)}")
        article: dict[str, list[dict[str, Any]]] = {}
        for etype in TYPES:
            entities = types.get(etype) or []
            if not isinstance(entities, list):
                raise ValueError(f"{path}: article {key!r} {etype}: expected a list")
            clean = []
            for entity in entities:
                if not isinstance(entity, dict) or not isinstance(entity.get("name"), str) or not entity["name"]:
                    raise ValueError(f"{path}: article {key!r} {etype}: entity without a name: {entity!r}")
                aliases = entity.get("aliases") or []
                if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
                    raise ValueError(f"{path}: article {key!r} {etype} {entity['name']!r}: bad aliases")
                clean.append({"name": entity["name"], "aliases": list(aliases)})
            article[etype] = clean
        gold[str(key)] = article
    return gold


def _ratios(tp: int, fp: int, fn: int) -> dict[str, float]:
    def ratio(num: int, den: int) -> float:
        if den:
            return num / den
        return 1.0 if tp + fp + fn == 0 else 0.0

    precision = ratio(tp, tp + fp)
    recall = ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _counts(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {"tp": tp, "fp": fp, "fn": fn, **_ratios(tp, fp, fn)}


def _max_matching(candidates: list[set[int]]) -> int:
    """Size of a maximum matching: prediction i may take one gold entity from candidates[i]."""
    owner: dict[int, int] = {}

    def augment(pred: int, seen: set[int]) -> bool:
        for entity in candidates[pred]:
            if entity in seen:
                continue
            seen.add(entity)
            if entity not in owner or augment(owner[entity], seen):
                owner[entity] = pred
                return True
        return False

    for pred in range(len(candidates)):
        augment(pred, set())
    return len(owner)


def match(entities: list[dict[str, Any]], names: Iterable[str]) -> tuple[int, int, int]:
    """(tp, fp, fn) for one article and type: gold ``entities`` against predicted ``names``."""
    forms = [{normalize(e["name"]), *(normalize(a) for a in e.get("aliases") or [])} for e in entities]
    predicted = sorted({normalize(n) for n in names} - {""})
    candidates = [{i for i, f in enumerate(forms) if name in f} for name in predicted]
    fp = sum(1 for c in candidates if not c)
    tp = _max_matching([c for c in candidates if c])
    return tp, fp, len(entities) - tp


def score(
    gold: Mapping[str, Mapping[str, list[dict[str, Any]]]], predicted: Mapping[str, Mapping[str, Iterable[str]]]
) -> dict[str, Any]:
    """Set-level scores of ``predicted`` ({article: {TYPE: names}}) against ``gold`` (as from load_gold).

    Returns ``{"per_article": {article: {TYPE: counts}}, "per_type": {TYPE: counts}, "overall": counts,
    "missing_articles": [...], "extra_articles": [...]}`` where counts are tp, fp, fn, precision, recall, f1.
    Articles absent from ``predicted`` score as all false negatives; articles absent from ``gold`` and types
    outside TYPES are not scored (the former are listed in extra_articles).
    """
    totals = {t: [0, 0, 0] for t in TYPES}
    per_article: dict[str, dict[str, dict[str, Any]]] = {}
    for key, gtypes in gold.items():
        ptypes = predicted.get(key) or {}
        per_article[key] = {}
        for etype in TYPES:
            tp, fp, fn = match(list(gtypes.get(etype) or []), ptypes.get(etype) or ())
            per_article[key][etype] = _counts(tp, fp, fn)
            totals[etype][0] += tp
            totals[etype][1] += fp
            totals[etype][2] += fn
    overall = [sum(totals[t][i] for t in TYPES) for i in range(3)]
    return {
        "per_article": per_article,
        "per_type": {t: _counts(*totals[t]) for t in TYPES},
        "overall": _counts(*overall),
        "missing_articles": sorted(k for k in gold if k not in predicted),
        "extra_articles": sorted(k for k in predicted if k not in gold),
    }


def format_table(result: dict[str, Any], per_article: bool = False) -> str:
    """A plain-text table of the per-type and overall scores (and per article on request)."""
    width = 24
    if per_article and result["per_article"]:
        width = max(width, *(len(k) + 7 for k in result["per_article"]))
    header = f"{'':<{width}} {'TP':>5} {'FP':>5} {'FN':>5} {'P':>6} {'R':>6} {'F1':>6}"

    def row(label: str, c: dict[str, Any]) -> str:
        return (
            f"{label:<{width}} {c['tp']:>5} {c['fp']:>5} {c['fn']:>5} "
            f"{c['precision']:>6.3f} {c['recall']:>6.3f} {c['f1']:>6.3f}"
        )

    lines = [header]
    if per_article:
        for key, types in result["per_article"].items():
            for etype in TYPES:
                lines.append(row(f"{key} {etype}", types[etype]))
        lines.append("")
    for etype in TYPES:
        lines.append(row(etype, result["per_type"][etype]))
    lines.append(row("overall (micro)", result["overall"]))
    if result["missing_articles"]:
        lines.append(
            f"no predictions for {len(result['missing_articles'])} article(s): " + ", ".join(result["missing_articles"])
        )
    if result["extra_articles"]:
        lines.append(f"not in gold, ignored: {len(result['extra_articles'])} article(s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", help="gold YAML file")
    parser.add_argument("predictions", help='JSON file: {"article": {"TYPE": ["name", ...]}}')
    parser.add_argument("--per-article", action="store_true", help="also print a row per article and type")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    with open(args.predictions, encoding="utf-8") as handle:
        predicted = json.load(handle)
    if not isinstance(predicted, dict):
        parser.error("predictions: expected a JSON object keyed by article")
    print(format_table(score(gold, predicted), per_article=args.per_article))
    return 0


if __name__ == "__main__":
    sys.exit(main())
