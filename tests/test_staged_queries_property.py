"""Red-team: any text typed into the reader, run as it runs it (the as-you-type rewrite, then both stages).

tests/test_typeahead.py checks the rewrite parses over any text; this runs the staged search itself
over all of Unicode and the query syntax, as the reader's worker does: each failure must be one
clear line (a NewsdeskError), never a traceback, and both stages agree on the hits.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from newsdesk.index import Library, NewsdeskError, as_you_type

from tests.test_typeahead import queries


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries)
def test_any_typed_text_gives_two_stages_or_one_clear_line(library: Library, text: str) -> None:
    if not text.strip():
        return  # a blank box lists the articles: no search
    started = time.monotonic()
    for query in dict.fromkeys((as_you_type(text), text)):
        try:
            first, complete = list(library.search_in_stages(query, limit=10))
        except NewsdeskError as exc:
            assert str(exc).strip() and "\n" not in str(exc).strip(), repr(str(exc))
            continue
        assert [h.id for h in first.hits] == [h.id for h in complete.hits]
        assert complete.total_exact and complete.total >= len(complete.hits)
        assert complete.timeline is not None and complete.timeline.total == complete.total
        assert sum(v.count for v in complete.facets.get("source", [])) <= complete.total
    assert time.monotonic() - started < 10
