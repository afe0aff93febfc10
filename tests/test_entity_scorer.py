"""The entity gold sets load, and the set-level scorer counts exactly as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.entities.score import TYPES, load_gold, normalize, score

ROOT = Path(__file__).resolve().parent.parent
GOLD_FILES = {
    ROOT / "tests" / "fixtures" / "entities" / "demo_gold.yaml": 21,
    ROOT / "bench" / "entities" / "seeds_gold.yaml": 2,
    ROOT / "bench" / "entities" / "lee_gold.yaml": 20,
}

GOLD = {
    "a": {
        "PERSON": [
            {"name": "Vladimir Putin", "aliases": ["Putin"]},
            {"name": "Sergei Lavrov", "aliases": ["Lavrov"]},
        ],
        "ORG": [{"name": "OSCE Minsk Group", "aliases": ["Minsk Group"]}],
        "PLACE": [
            {"name": "Nagorno-Karabakh", "aliases": ["Karabakh"]},
            {"name": "Armenia", "aliases": []},
        ],
    },
}


def test_normalize() -> None:
    assert normalize("The  Kremlin") == "kremlin"
    assert normalize("Armenia's") == "armenia"
    assert normalize("Moscow\u2019s") == "moscow"
    assert normalize("theodore") == "theodore"


def test_hand_computed_case() -> None:
    predicted = {
        "a": {
            # "Putin" and "Vladimir Putin" are one TP; "Peskov" is a FP; Lavrov is a FN.
            "PERSON": {"Putin", "Vladimir Putin", "Peskov"},
            # leading "the " and case are ignored
            "ORG": {"the osce minsk group"},
            # alias match, trailing 's dropped, "Baku" is a FP
            "PLACE": {"Karabakh", "Armenia's", "Baku"},
        }
    }
    result = score(GOLD, predicted)
    person = result["per_article"]["a"]["PERSON"]
    assert (person["tp"], person["fp"], person["fn"]) == (1, 1, 1)
    assert person["precision"] == pytest.approx(0.5)
    assert person["recall"] == pytest.approx(0.5)
    org = result["per_type"]["ORG"]
    assert (org["tp"], org["fp"], org["fn"], org["f1"]) == (1, 0, 0, 1.0)
    place = result["per_type"]["PLACE"]
    assert (place["tp"], place["fp"], place["fn"]) == (2, 1, 0)
    assert place["precision"] == pytest.approx(2 / 3)
    assert place["recall"] == pytest.approx(1.0)
    overall = result["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (4, 2, 1)
    assert overall["precision"] == pytest.approx(4 / 6)
    assert overall["recall"] == pytest.approx(4 / 5)
    assert overall["f1"] == pytest.approx(8 / 11)
    assert result["missing_articles"] == []


def test_duplicates_and_aliases_of_one_entity_count_once() -> None:
    predicted = {"a": {"PERSON": ["Putin", "putin", "Vladimir Putin", "the Putin"]}}
    person = score(GOLD, predicted)["per_type"]["PERSON"]
    assert (person["tp"], person["fp"], person["fn"]) == (1, 0, 1)


def test_wrong_type_is_a_false_positive_and_a_false_negative() -> None:
    result = score(GOLD, {"a": {"ORG": ["Putin", "Minsk Group"]}})
    assert result["per_type"]["ORG"]["tp"] == 1
    assert result["per_type"]["ORG"]["fp"] == 1
    assert result["per_type"]["PERSON"]["fn"] == 2


def test_each_prediction_credits_at_most_one_entity() -> None:
    gold = {
        "b": {
            "PLACE": [
                {"name": "Lachin corridor", "aliases": ["Lachin"]},
                {"name": "Lachin", "aliases": []},
            ]
        }
    }
    only_short = score(gold, {"b": {"PLACE": ["Lachin"]}})["per_type"]["PLACE"]
    assert (only_short["tp"], only_short["fp"], only_short["fn"]) == (1, 0, 1)
    both = score(gold, {"b": {"PLACE": ["Lachin", "Lachin corridor"]}})["per_type"]["PLACE"]
    assert (both["tp"], both["fp"], both["fn"]) == (2, 0, 0)


def test_missing_and_extra_articles_and_empty_sets() -> None:
    gold = {"a": GOLD["a"], "empty": {t: [] for t in TYPES}}
    result = score(gold, {"empty": {}, "other": {"PLACE": ["Geneva"]}})
    assert result["missing_articles"] == ["a"]
    assert result["extra_articles"] == ["other"]
    assert result["overall"]["tp"] == 0
    assert result["overall"]["fn"] == 5
    assert result["overall"]["fp"] == 0
    assert result["per_article"]["empty"]["PLACE"]["f1"] == 1.0
    assert result["per_article"]["a"]["PLACE"]["precision"] == 0.0


@pytest.mark.parametrize("path", sorted(GOLD_FILES), ids=lambda p: p.name)
def test_gold_files_load_and_score_perfectly_against_themselves(path: Path) -> None:
    gold = load_gold(path)
    assert len(gold) == GOLD_FILES[path]
    for article in gold.values():
        assert set(article) == set(TYPES)
        for entities in article.values():
            names = [normalize(e["name"]) for e in entities]
            assert len(names) == len(set(names))
    perfect = {k: {t: [e["name"] for e in v[t]] for t in TYPES} for k, v in gold.items()}
    assert score(gold, perfect)["overall"]["f1"] == 1.0


def test_demo_gold_covers_every_demo_article() -> None:
    corpus = ROOT / "index" / "demo_corpus"
    expected = {p.relative_to(corpus).as_posix() for p in corpus.glob("*/*") if p.suffix in (".txt", ".md", ".html")}
    expected |= {f"jsonl/wire.jsonl#{i}" for i in range(3)} | {f"feed/meridian.rss#{i}" for i in range(3)}
    assert set(load_gold(ROOT / "tests/fixtures/entities/demo_gold.yaml")) == expected


def test_gold_mentions_take_every_whole_word_occurrence_longest_first() -> None:
    from bench.entities.mentions import gold_mentions, score_mentions

    text = "Jacques Kallis batted. Kallis's bat; Kallisto is no name. South Africa and Africa."
    article = {
        "PERSON": [{"name": "Jacques Kallis", "aliases": ["Kallis"]}],
        "PLACE": [{"name": "South Africa", "aliases": []}, {"name": "Africa", "aliases": []}],
    }
    spans = gold_mentions(text, article)
    assert {(text[s:e], kind) for s, e, kind in spans} == {
        ("Jacques Kallis", "PERSON"),
        ("Kallis", "PERSON"),
        ("South Africa", "PLACE"),
        ("Africa", "PLACE"),
    }
    assert len(spans) == 4
    kallis = text.index("Kallis's")
    predicted = {(0, 14, "PERSON"), (kallis, kallis + 6, "ORG"), (kallis, kallis + 8, "PERSON")}
    result = score_mentions({"a": spans}, {"a": predicted})
    assert (result["overall"]["tp"], result["overall"]["fp"], result["overall"]["fn"]) == (1, 2, 3)
