"""Properties of the rule extractor over generated text: it never raises, and every span lies in the text.

Also the two facts its speed rests on: the lazy lower-case word lookup answers exactly as the full regex
scan did, and an empty title (read as the text alone) gives what reading "" + separator + text gave.
"""

from __future__ import annotations

import itertools
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.entities import EntityLists, WatchEntry
from newsdesk.index.entities.lower_words import LOWER_WORD, LowerCaseWords
from newsdesk.index.entities.model import EntityMention
from newsdesk.index.entities.rules import RuleExtractor

_SPECIAL = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\n\n",
        "\u2028",
        "\u2029",
        "\u0085",
        "\ufeff",
        "\t",
        " ",
        "...",
        "---",
        "|",
        ">",
        "#",
        ": ",
        "\u200b",
        "\u200d",
        "\u202e",
        "\x1b[31m",
        "\x1b]8;;x\x07",
        "\x00",
        "'s",
        "’s",
        "-",
        ".",
        ",",
        "(",
        ")",
        "“",
        "”",
        "U.S.",
        "U.N.",
        "UAE",
        "NZ",
        "OSCE",
        "(OSCE)",
        "LONDON",
        "Vladimir Putin",
        "Putin",
        "President",
        "Foreign Minister",
        "Ministry of Defence",
        "Minsk Group",
        "said",
        "the",
        "The",
        "in",
        "of",
        "and",
        "Moscow's",
        "US-led",
        "Nagorno-Karabakh",
        "Stepanakert",
        "Geneva",
        "Ağdam",
        "İstanbul",
        "ǅ",
        "ß",
        "ﬁ",
        "Σ",
        "Ω",
        "Ⅻ",
        "١٢",
        "𝔄",
        "fighting",
        "Fighting",
        "the Aras river",
    ]
)
_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
TEXTS = st.lists(st.one_of(_SPECIAL, _ANY_TEXT), max_size=40).map(" ".join) | st.lists(
    st.one_of(_SPECIAL, _ANY_TEXT), max_size=40
).map("".join)

_EXTRACTORS: dict[str, RuleExtractor] = {}


def _extractor(watched: bool = False) -> RuleExtractor:
    """One extractor per kind for the whole module (building the gazetteer is the slow part)."""
    key = "watched" if watched else "plain"
    if key not in _EXTRACTORS:
        lists = (
            EntityLists([WatchEntry("Vladimir Putin", "PERSON", ("Putin", "Russian President"))], frozenset({"geneva"}))
            if watched
            else EntityLists()
        )
        _EXTRACTORS[key] = RuleExtractor(lists)
    return _EXTRACTORS[key]


def _check(text: str, mentions: list[EntityMention]) -> None:
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text), m
        assert text[m.start : m.end] == m.text, m
        assert m.canonical and m.type in ("PERSON", "ORG", "PLACE"), m
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXTS, text=TEXTS, watched=st.booleans())
def test_extraction_over_any_text_never_raises_and_spans_lie_in_the_text(title: str, text: str, watched: bool) -> None:
    extractor = _extractor(watched)
    _check(text, extractor.extract(text))
    title_mentions, body = extractor.extract_article(title, text)
    _check(title, title_mentions)
    _check(text, body)


@settings(max_examples=150, deadline=None)
@given(text=TEXTS)
def test_an_empty_title_reads_the_text_as_the_separator_and_text_did(text: str) -> None:
    """extract_article("", text) skips the separator: that must give what the separator gave."""
    extractor = _extractor()
    separated = [
        (m.text, m.canonical, m.type, m.start - 2, m.end - 2) for m in extractor.extract("\n\n" + text) if m.start >= 2
    ]
    assert [(m.text, m.canonical, m.type, m.start, m.end) for m in extractor.extract_article("", text)[1]] == separated


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, words=st.lists(st.one_of(st.from_regex(LOWER_WORD, fullmatch=True), _ANY_TEXT), max_size=8))
def test_lower_case_words_answer_as_the_full_scan(text: str, words: list[str]) -> None:
    full_scan = set(LOWER_WORD.findall(text))
    lazy = LowerCaseWords(text)
    for word in [*words, *full_scan, *(w[:-1] for w in full_scan), *(w + "s" for w in full_scan)]:
        assert (word in lazy) == (word in full_scan), word


def test_lower_case_words_switch_to_one_scan_when_lookups_add_up() -> None:
    """A text that asks about many words is scanned once, so the lookups stay linear in the text."""
    text = " ".join(f"w{n:x}" for n in range(20_000)).replace("0", "a").replace("1", "b")
    lazy = LowerCaseWords(text)
    asked = ["x" + "".join(pair) for pair in itertools.product(string.ascii_lowercase, repeat=2)]
    assert not any(word in lazy for word in asked)
    assert lazy._words is not None  # switched to the full scan long before 676 scans of the text
    assert ("wa" in lazy) == ("wa" in set(LOWER_WORD.findall(text)))
