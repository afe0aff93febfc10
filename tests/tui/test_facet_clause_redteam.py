"""Red team: a facet's Enter (or x) filters on exactly the value it lists, whatever the value holds.

The Facets tab lists the tags (article tags and annotation tags), sources, authors and entities
of the current answer with their counts; Enter adds ``field:"value"`` to the query. A value the
query language cannot hold inside a phrase was changed on the way: a ``"`` became a space, so the
filter of a tag listed with 1 article found 0 (``tag:"say what"`` for the tag ``say"what``), and
a tag that is only ``"`` gave ``tag:""``, refused. Such a value now goes in single quotes
(``tag:'say "what"'``), which the query checks read as Whoosh does.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import AnnotationError, Config, Library, QueryError
from newsdesk.index.annotations.model import check_tag
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.schema import build_schema
from newsdesk.tui.widgets.side_panel import facet_clause
from whoosh import query

from tests.conftest import write

SCHEMA = build_schema()
PARSER = make_parser(SCHEMA, 2.0)


def _allowed(text: str) -> bool:
    try:
        return check_tag(text) == text
    except AnnotationError:
        return False


TAGS = st.text(st.characters(codec="utf-8"), min_size=1, max_size=24).filter(_allowed)


def _terms(clause: str) -> set[tuple[str, str]]:
    parsed = parse_query(PARSER, clause)
    return {(leaf.fieldname, leaf.text) for leaf in parsed.leaves() if isinstance(leaf, query.Term)}


@settings(max_examples=300, deadline=None)
@given(tag=TAGS | st.sampled_from(['say"what', '6"gun', '"evidence"', "it's", 'a"b"c']))
def test_the_tags_facet_filter_is_the_tag_the_index_holds(tag: str) -> None:
    indexed = {("tags", token) for token in SCHEMA["tags"].process_text(tag, mode="index")}
    try:
        found = _terms(facet_clause("tags", tag))
    except QueryError as exc:
        raise AssertionError(f"the facet's clause for {tag!r} is refused: {exc}") from None
    assert found == indexed, f"the filter for {tag!r} searches {found}, the index holds {indexed}"


def test_the_filter_finds_the_article_the_facet_counted(tmp_path: Path) -> None:
    """End to end, in a library: each tag value of the facet, filtered on, finds the article it was counted for."""
    corpus = tmp_path / "corpus"
    tags = ['say "what"', '6"gun', '"', "it's", "two words"]
    for number, tag in enumerate(tags):
        escaped = tag.replace("\\", "\\\\").replace('"', '\\"')
        write(corpus, f"a{number}.md", f'---\ntitle: Article {number}\ntags: ["{escaped}"]\n---\nText about ports.\n')
    with Library.open(corpus, state_dir=tmp_path / "state", config=Config()) as library:
        library.update()
        counted = {value.value: value.count for value in library.search("ports").facets["tags"]}
        assert set(counted) == set(tags)
        for tag in tags:
            assert library.search(facet_clause("tags", tag)).total == counted[tag] == 1, tag
            assert library.search("ports " + facet_clause("tags", tag, exclude=True)).total == len(tags) - 1, tag
