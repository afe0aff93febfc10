"""What a red-team pass on the indexed prefixes found (docs/performance.md, tests/test_prefix_field.py).

Each test failed before its fix: a prefix of bytes that are not UTF-8 (a shell's
argv keeps them as lone surrogates) was taken for a damaged index and rebuilt it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Library, QueryError

from .conftest import examples, write

SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("redteam")
    write(root / "corpus", "a.txt", "Pakistan talks\n\nThe pake of Zürich met pakora sellers.\n")
    write(root / "corpus", "b.txt", "Other news\n\nNothing here but running.\n")
    with Library.open(root / "corpus", state_dir=root / "state") as opened:
        opened.update()
        yield opened


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.sampled_from(["", "pa", "pak", "title:pa", "NOT pa", "ceasefire OR pa", '"pak', "pa?"]),
    bad=st.text(SURROGATES, min_size=1, max_size=3),
    after=st.sampled_from(["*", "", "k*", "~1", '"', " talks"]),
)
def test_bytes_that_are_not_text_are_a_query_error_not_a_damaged_index(
    library: Library, before: str, bad: str, after: str
) -> None:
    """`newsdesk search $'pa\\xff*'`: the prefix failed to encode inside Whoosh, which was read
    as a damaged index: the index was marked damaged, set aside and rebuilt from the store."""
    text = before + bad + after
    with pytest.raises(QueryError, match="not UTF-8 text") as raised:
        library.search(text)
    assert "\n" not in str(raised.value)
    assert library.status().in_sync  # nothing marked damaged: no rebuild follows
    assert library.search("pak*").total == 1
