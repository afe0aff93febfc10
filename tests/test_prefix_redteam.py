"""What a red-team pass on the indexed prefixes found (docs/performance.md, tests/test_prefix_field.py).

Each test failed before its fix: a prefix of bytes that are not UTF-8 (a shell's
argv keeps them as lone surrogates) was taken for a damaged index and rebuilt it.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from newsdesk.index import Library, QueryError
from newsdesk.index.engine import schema as engine_schema
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.hidden_fields import prefix_field
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.indexer import (
    META_INDEX_DIR,
    META_SCHEMA,
    META_SCHEMA_NEWEST,
    META_SYNCED,
    OLDER_SCHEMA_NOTICE,
)
from newsdesk.index.store import ArticleStore
from newsdesk.tui.cli import main
from newsdesk.tui.cli_library import OLDER_INDEX_REBUILDING, OLDER_INDEX_WARNING
from whoosh import formats
from whoosh.filedb.filestore import FileStorage

from .conftest import examples, write
from .test_prefix_field import _Expanding, _ram_index

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


def _as_made_by_the_previous_version(library: Library) -> str:
    """Mark the index as made before the prefix fields; return its folder name."""
    with library.store.transaction() as db:
        ArticleStore.set_meta(db, META_SCHEMA, "2")
        db.execute("DELETE FROM meta WHERE key = ?", (META_SCHEMA_NEWEST,))  # a key the previous version never wrote
    return library.store.get_meta(META_INDEX_DIR) or ""


def test_search_answers_from_an_older_index_at_once_instead_of_a_silent_rebuild(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an upgrade, `newsdesk search` rebuilt the whole index before answering, printing
    nothing until it was done (25 s at 4,000 articles, minutes at 100k). The older index
    answers every query as before (prefixes expand): search it, and say how to rebuild."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    write(corpus, "a.txt", "Pakistan talks\n\nThe pake of Zürich met pakora sellers.\n")
    with Library.open(corpus, state_dir=state) as library:
        library.update()
        folder = _as_made_by_the_previous_version(library)
    assert main(["search", "--corpus", str(corpus), "--state-dir", str(state), "--json", "pak*"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["total"] == 1
    assert err.splitlines() == [f"newsdesk: warning: {OLDER_INDEX_WARNING}"]
    with Library.open(corpus, state_dir=state) as library:
        assert library.store.get_meta(META_INDEX_DIR) == folder  # not rebuilt
        status = library.status()
        assert status.older_version and not status.in_sync
        assert library.update().repairs == [OLDER_SCHEMA_NOTICE]  # `newsdesk index` rebuilds it
        assert library.status().in_sync and not library.status().older_version


def test_an_older_index_out_of_sync_with_the_store_is_still_updated_first(tmp_path: Path) -> None:
    """Only an index that matches the store is searched as it is: an interrupted update is finished."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    write(corpus, "a.txt", "Pakistan talks\n\nThe pake of Zürich.\n")
    with Library.open(corpus, state_dir=state) as library:
        library.update()
        _as_made_by_the_previous_version(library)
        with library.store.transaction() as db:
            ArticleStore.set_meta(db, META_SYNCED, "0")
        assert not library.status().older_version
    assert main(["search", "--corpus", str(corpus), "--state-dir", str(state), "pak*"]) == 0
    with Library.open(corpus, state_dir=state) as library:
        assert library.status().in_sync


@pytest.mark.parametrize(
    ("made_under", "notice"),
    [
        ("2", "an older newsdesk sharing this state folder rebuilt the search index for itself"),
        ("5", "the search index was made by a newer version of newsdesk"),
        ("x", "the search index was made by another version of newsdesk"),
    ],
)
def test_the_rebuild_notice_says_why_when_another_version_shares_the_state_folder(
    tmp_path: Path, made_under: str, notice: str
) -> None:
    """One session on the previous version and one on this one, on one state folder: each update
    rebuilt the index the other had made, and this one said "made by an older version ...,
    once" every time; an index from a newer version was called older too."""
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", "Pakistan talks\n\nThe pake of Zürich.\n")
    with Library.open(corpus, state_dir=tmp_path / "state") as library:
        library.update()  # this version made the index; then the other one rebuilt it for itself
        with library.store.transaction() as db:
            ArticleStore.set_meta(db, META_SCHEMA, made_under)
        (found,) = library.update().repairs
        assert found.startswith(notice)
        assert "once" not in found
        assert library.update().repairs == []
        assert library.search("pak*").total == 1


def test_an_index_with_prefix_fields_opens_in_a_newsdesk_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous version has no PrefixAnalyzer or PrefixPresence: unpickling the schema of an
    index this version made failed (AttributeError), so its reader, open beside a reader of this
    version, called the index damaged, set it aside and rebuilt it. Those classes now unpickle
    as their stock bases where the names are missing; the index reads as before."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    write(corpus, "a.txt", "Pakistan talks\n\nThe pake of Zürich.\n")
    with Library.open(corpus, state_dir=state) as library:
        library.update()
    (folder,) = state.glob("whoosh-*")
    with monkeypatch.context() as older:  # as the previous version's schema module
        older.delattr(engine_schema, "PrefixAnalyzer")
        older.delattr(engine_schema, "PrefixPresence")
        schema = FileStorage(str(folder)).open_index().schema
        assert type(schema[prefix_field("body")].format) is formats.Existence
        with Library.open(corpus, state_dir=state) as library:
            assert library.search("pak*").total == library.search("talks").total == 1
            assert library.status().in_sync  # not marked damaged
    schema = FileStorage(str(folder)).open_index().schema  # this version: the classes themselves
    assert type(schema[prefix_field("body")].format) is engine_schema.PrefixPresence
    assert type(schema[prefix_field("body")].analyzer) is engine_schema.PrefixAnalyzer
    again = pickle.loads(pickle.dumps(engine_schema.build_schema(), 2))
    assert type(again[prefix_field("title")].format) is engine_schema.PrefixPresence


# -- held: prefixes among operators, fields, phrases and the token pattern's punctuation --

_CHARS = st.characters(exclude_categories=["Cs", "Cc"], exclude_characters='\x00*?"()[]{}:^~\\')
_EDGES = st.sampled_from([*"'’._-ßẞﬁﬃİıŉǅΣσς", "\u0301", "\u0308", "\u00ad", "\u200d", "'s", "U.S.", "1.5"])
_WORD = st.lists(st.one_of(_CHARS, _EDGES), min_size=1, max_size=7).map("".join)
_FORMS = ["{}*", "NOT {}*", "{}* OR zz", "({}* AND NOT qq)", '"{}*"', "title:{}*", "body:{}* talks"]


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), pool=st.lists(_WORD, min_size=1, max_size=12, unique=True))
def test_prefixes_inside_any_query_match_what_expansion_matches(data: st.DataObject, pool: list[str]) -> None:
    """The generated test in test_prefix_field.py types bare ``word*`` from letters, marks and
    digits; here the prefix sits under NOT, OR, a field or in a phrase, and words carry the
    inner punctuation terms keep (``U.S``, ``don't``), ligatures, dotted I, final sigma."""
    text = st.lists(st.sampled_from(pool), max_size=12).map(" ".join)
    articles = data.draw(st.lists(st.tuples(text, text), min_size=1, max_size=6))
    typed = data.draw(st.one_of(st.sampled_from(pool), _WORD))[: data.draw(st.integers(1, 8))]
    typed = data.draw(st.sampled_from([typed, typed.upper(), typed.lower(), typed.casefold()]))
    query = data.draw(st.sampled_from(_FORMS)).format(typed)
    ix = _ram_index(articles)
    try:
        parsed = parse_query(make_parser(ix.schema, 2.0), query)
    except QueryError:
        assume(False)
    with ix.searcher() as searcher:
        assert DocSets(searcher).match(parsed) == _Expanding(searcher).match(parsed), (query, parsed)


def test_an_annotation_added_on_an_older_index_is_searchable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Searching an older index as it is must not leave what writes to it behind: the
    annotation sync re-indexes only an index of this version, so `annotations add` rebuilds
    an older one first, and says so before the wait."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    write(corpus, "a.txt", "Pakistan talks\n\nThe pake of Zürich met pakora sellers.\n")
    with Library.open(corpus, state_dir=state) as library:
        library.update()
        _as_made_by_the_previous_version(library)
    where = ["--corpus", str(corpus), "--state-dir", str(state)]
    assert main(["annotations", "add", "a.txt", "--quote", "pakora", "--tag", "evidence", *where]) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"newsdesk: warning: {OLDER_INDEX_REBUILDING}"
    with Library.open(corpus, state_dir=state) as library:
        assert library.status().in_sync
        assert library.search("tag:evidence").total == 1
