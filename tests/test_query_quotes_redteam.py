"""Red team: a refused query names what was typed, never the checks' own placeholders.

The query checks blank quoted phrases (and single-quoted values) out to same-length runs of
``q`` before they look at the rest; the date check then named that run: ``date:"2020"`` was
refused with "'qqqqqq' is not a date", a word the user never typed.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import QueryError
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.schema import build_schema

PARSER = make_parser(build_schema(), 2.0)

VALUES = st.text(
    st.characters(codec="utf-8", exclude_characters="q\"'\n\r", exclude_categories=("Cs",)), min_size=1, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(value=VALUES, quote=st.sampled_from(['"', "'"]), before=st.sampled_from(["date:", "date:>", "date:[2020 to "]))
def test_a_quoted_date_is_refused_as_typed(value: str, quote: str, before: str) -> None:
    query = f"{before}{quote}{value}{quote}" + ("]" if before.endswith("to ") else "")
    try:
        parse_query(PARSER, query)
    except QueryError as exc:
        message = str(exc)
        assert "q" * (len(value) + 2) not in message, f"{query!r}: {message}"
