"""Reprints grouped at index time: search shows a group once, at its best-ranked member, with its copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.reprints import META_DIRTY, leaders, sync_reprints
from newsdesk.tui.cli import main

from tests.conftest import write
from tests.test_similar import ORIGINAL, RELATED, REPRINT

SECOND_REPRINT = REPRINT.replace("Truce breaks down", "Geneva truce fails").replace(
    "Copyright 2020 Example Wire. All rights reserved.", "Distributed by Northern Agency."
)


def _leaders_by_path(library: Library) -> dict[str, str]:
    paths = {a.id: a.path for a in library.store.iter_articles()}
    return {paths[i]: paths[leader] for i, leader in leaders(library.store.db).items()}


@pytest.fixture
def stories(tmp_path: Path) -> Library:
    corpus = tmp_path / "corpus"
    write(corpus, "a-original.txt", ORIGINAL)
    write(corpus, "b-reprint.txt", REPRINT)
    write(corpus, "c-reprint.txt", SECOND_REPRINT)
    write(corpus, "d-related.txt", RELATED)
    write(corpus, "e-other.txt", "Markets rally\n\nShares rose in Tokyo and London as oil prices fell.\n")
    library = Library.open(corpus, state_dir=tmp_path / "state", config=Config())
    library.update()
    return library


def test_reprints_are_grouped_when_indexed_and_related_coverage_is_not(stories: Library) -> None:
    with stories as library:
        groups = _leaders_by_path(library)
        assert groups["b-reprint.txt"] == groups["c-reprint.txt"] == groups["a-original.txt"]
        assert groups["d-related.txt"] == "d-related.txt" and groups["e-other.txt"] == "e-other.txt"


def test_search_shows_a_group_once_with_its_copies(stories: Library) -> None:
    with stories as library:
        results = library.search("geneva")
        assert results.total == 4  # totals stay article counts
        assert results.stories == 2
        assert len(results.hits) == 2
        grouped = next(h for h in results.hits if h.copies)
        all_three = {grouped.path, *(library.store.get(i).path for i in grouped.copies)}
        assert all_three == {"a-original.txt", "b-reprint.txt", "c-reprint.txt"}
        assert grouped.id not in grouped.copies
        # The group sits where its best-ranked member would.
        ranked = [h.id for h in _unfolded(library, "geneva")]
        assert results.hits[0].id == ranked[0]
        # Copies list the members that match, not the whole group.
        only_one = library.search("sunrise")  # the reprints reword "dawn"; the original does not match
        assert only_one.total == 2 and only_one.stories == 1
        assert len(only_one.hits) == 1 and len(only_one.hits[0].copies) == 1


def _unfolded(library: Library, query: str) -> list:
    config = library.config.index
    config.group_reprints = False
    library.update()
    try:
        return library.search(query).hits
    finally:
        config.group_reprints = True
        library.update()


def test_pages_count_stories_and_never_show_one_twice(stories: Library) -> None:
    with stories as library:
        pages = [library.search("geneva OR tokyo", limit=1, page=n).hits for n in (1, 2, 3, 4)]
        assert [len(p) for p in pages] == [1, 1, 1, 0]
        shown = [i for page in pages for hit in page for i in (hit.id, *hit.copies)]
        assert len(shown) == len(set(shown)) == 5


def test_deleting_the_original_keeps_its_copies_grouped_and_found(stories: Library) -> None:
    with stories as library:
        (library.corpus / "a-original.txt").unlink()
        library.update()
        groups = _leaders_by_path(library)
        assert groups["b-reprint.txt"] == groups["c-reprint.txt"] in ("b-reprint.txt", "c-reprint.txt")
        results = library.search("geneva")
        assert results.total == 3 and results.stories == 2
        assert any(h.path in ("b-reprint.txt", "c-reprint.txt") and len(h.copies) == 1 for h in results.hits)


def test_deleting_the_original_splits_copies_that_shared_only_its_text(tmp_path: Path) -> None:
    """Red team: README said deleting the original "leaves its copies grouped under the next one".
    Two copies of one article, one cut at its start and one at its end, are each a reprint of it
    (64 % of its four-word runs) but share only 28 % with each other: with the original gone they
    are two stories, as the rule "every member is a reprint of one article" requires. The README
    now says which copies stay together."""
    words = [f"w{i}" for i in range(100)]
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", "Story\n\n" + " ".join(words) + ".\n")
    library = Library.open(corpus, state_dir=tmp_path / "state", config=Config())
    with library:
        library.update()  # the original first: it leads
        write(corpus, "b.txt", "Story b\n\n" + " ".join([f"x{i}" for i in range(35)] + words[35:]) + ".\n")
        write(corpus, "c.txt", "Story c\n\n" + " ".join(words[:65] + [f"y{i}" for i in range(35)]) + ".\n")
        library.update()
        assert set(_leaders_by_path(library).values()) == {"a.txt"}
        assert library.search("w50").stories == 1
        (corpus / "a.txt").unlink()
        library.update()
        assert _leaders_by_path(library) == {"b.txt": "b.txt", "c.txt": "c.txt"}
        assert library.search("w50").stories == 2
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "leaves its copies grouped under the next one" not in " ".join(readme.split())


def test_an_article_edited_into_another_story_leaves_its_group(stories: Library) -> None:
    with stories as library:
        write(library.corpus, "b-reprint.txt", RELATED.replace("Geneva talks", "Talks"))
        library.update()
        groups = _leaders_by_path(library)
        assert groups["c-reprint.txt"] == groups["a-original.txt"]
        # It is now a reprint of the related article: it joins that story.
        assert groups["b-reprint.txt"] == groups["d-related.txt"] != groups["a-original.txt"]
        results = library.search("geneva OR ceasefire")
        assert results.total == 4 and results.stories == 2


def test_a_renamed_file_stays_in_its_group(stories: Library) -> None:
    with stories as library:
        (library.corpus / "b-reprint.txt").rename(library.corpus / "z-renamed.txt")
        library.update()
        groups = _leaders_by_path(library)
        assert groups["z-renamed.txt"] == groups["a-original.txt"] == groups["c-reprint.txt"]
        assert "b-reprint.txt" not in groups


def test_one_added_article_re_examines_only_itself(stories: Library) -> None:
    with stories as library:
        write(library.corpus, "f-new.txt", "Weather\n\nRain is expected in the north on Monday.\n")
        library.update()  # grouped during the update; nothing left to do after it
        assert sync_reprints(library.store) == 0
        write(library.corpus, "g-new.txt", "Sport\n\nThe home side won two nil in the rain.\n")
        stats_before = leaders(library.store.db)
        # Forget only the new article's sketch: the next sync sketches and places it alone.
        library.store.db.execute("DELETE FROM reprint_sketch WHERE article_id = ?", (stats_before.popitem()[0],))
        assert sync_reprints(library.store) == 1


def test_an_interrupted_grouping_is_finished_by_the_next_update(stories: Library) -> None:
    with stories as library:
        before = leaders(library.store.db)
        with library.store.transaction() as db:
            db.execute("UPDATE reprint_sketch SET leader = article_id")  # as if killed mid-way
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (META_DIRTY,))
        library.update()
        assert leaders(library.store.db) == before


def test_grouping_can_be_turned_off(stories: Library) -> None:
    with stories as library:
        library.config.index.group_reprints = False
        library.update()
        results = library.search("geneva")
        assert results.stories == results.total == 4
        assert all(not h.copies for h in results.hits)


def test_cli_search_shows_copies(capsys: pytest.CaptureFixture[str], stories: Library) -> None:
    corpus, state = str(stories.corpus), str(stories.state_dir)
    stories.close()
    common = ["--corpus", corpus, "--state-dir", state]
    assert main(["search", "geneva", "--json", *common]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 4 and data["stories"] == 2
    assert sorted(len(h["copies"]) for h in data["hits"]) == [0, 2]
    assert main(["search", "geneva", *common]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 hits in 2 stories for 'geneva'")
    assert out.count("+2 copies") == 1


def test_a_garbled_sketch_groups_nothing_and_breaks_nothing(stories: Library) -> None:
    with stories as library:
        with library.store.transaction() as db:
            db.execute("UPDATE reprint_sketch SET shingles = x'0102', bands = 'text'")
        write(library.corpus, "f-new.txt", ORIGINAL.replace("Ceasefire collapses", "Truce ends"))
        library.update()  # the new article meets no garbled one
        assert library.search("geneva").total == 5


def test_a_hand_edited_leader_column_folds_no_unrelated_articles(stories: Library) -> None:
    with stories as library, library.store.transaction() as db:
        db.execute("UPDATE reprint_sketch SET leader = 'no-such-article'")
    reopened = Library.open(stories.corpus, state_dir=stories.state_dir, config=Config())
    with reopened as library:
        results = library.search("geneva OR tokyo", limit=10)
        assert len(results.hits) == results.total == 5
        assert all(hit.copies == () for hit in results.hits)
