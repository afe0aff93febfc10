"""The writer's analysis shortcuts give what the plain loops give (index/engine/schema.py, hidden_fields.py).

``FastPositions.term_positions`` and ``word_pairs`` build their position lists with
maps instead of a Python loop per word, and a pair field reuses the terms its text
field has just found when it is handed the same string: each is held here to the
plain version over generated text and terms.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st
from newsdesk.index.engine import schema as schema_module
from newsdesk.index.engine.hidden_fields import pair_term, word_pairs
from newsdesk.index.engine.schema import FastPositions, PairPositions
from newsdesk.index.engine.terms import TOKEN_PATTERN, term_for

texts = st.one_of(
    st.text(),  # all of Unicode
    st.lists(st.sampled_from(["the", "talks", "U.S.", "ﾞ", "ͺ", "don't", "x", "\n", "  ", "Ωmega"])).map(" ".join),
)
terms_lists = st.lists(st.sampled_from(["a", "b", "the", "", " ", "ab", "ω"]), max_size=60)
commons = st.one_of(st.none(), st.frozensets(st.sampled_from(["a", "b", "the", "", " ", "ω"])))


def plain_pairs(terms: list[str], common: frozenset[str] | None) -> dict[str, list[int]]:
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for pos in range(len(terms) - 1):
        if common is None or (terms[pos] in common and terms[pos + 1] in common):
            positions[pair_term(terms[pos], terms[pos + 1])].append(pos)
    return positions


def plain_positions(value: str) -> dict[str, list[int]]:
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for pos, word in enumerate(TOKEN_PATTERN.findall(value)):
        positions[term_for(word)].append(pos)
    return positions


@given(terms=terms_lists, common=commons)
def test_word_pairs_as_the_plain_loop(terms: list[str], common: frozenset[str] | None) -> None:
    got = word_pairs(terms, common)
    assert list(got.items()) == list(plain_pairs(terms, common).items())  # the same order of first occurrence


@given(value=texts)
def test_term_positions_as_the_plain_loop(value: str) -> None:
    got = FastPositions().term_positions(value)
    assert list(got.items()) == list(plain_positions(value).items())


@given(value=texts, common=commons, other=texts)
def test_a_pair_field_handed_its_texts_string_finds_the_same_pairs(
    value: str, common: frozenset[str] | None, other: str
) -> None:
    pairs = PairPositions(common)
    alone = dict(pairs.term_positions(value))
    FastPositions().term_positions(other)  # another text analysed last: nothing of it may leak in
    assert dict(pairs.term_positions(value)) == alone
    FastPositions().term_positions(value)  # the same string object analysed for its own field first
    assert schema_module._last_terms[0] is value
    assert dict(pairs.term_positions(value)) == alone
    terms = [term_for(word) for word in TOKEN_PATTERN.findall(value)]
    assert alone == dict(plain_pairs(terms, common))
