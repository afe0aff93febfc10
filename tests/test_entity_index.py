"""Entities through the library and the CLI: index fields, facets, cache, lists, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.entities import stage
from newsdesk.tui.cli import main

from tests.conftest import write

WIRE = """
    Talks resume in Geneva

    Russian President Vladimir Putin spoke with Azerbaijani President Ilham Aliyev on Monday, the
    Kremlin said. Putin urged restraint. The OSCE Minsk Group co-chairs will meet in Geneva.
    """
PROTESTS = """
    Protests in Yerevan

    Crowds gathered in Yerevan after Prime Minister Nikol Pashinyan signed the truce. Pashinyan said
    the decision was painful. Vladimir Putin welcomed the deal.
    """


@pytest.fixture
def news(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    write(root, "wire.txt", WIRE)
    write(root, "protests.txt", PROTESTS)
    return root


@pytest.fixture
def lib(news: Path, tmp_path: Path) -> Library:
    library = Library.open(news, state_dir=tmp_path / "state", config=Config())
    library.update()
    yield library
    library.close()


def test_entity_fields_are_searchable_and_faceted(lib: Library) -> None:
    assert lib.search('person:"Vladimir Putin"').total == 2
    assert lib.search("person:Pashinyan").total == 1  # surface forms are indexed too
    assert lib.search('org:"OSCE Minsk Group"').total == 1
    assert lib.search("place:Geneva").total == 1
    assert lib.search('place:Yerevan AND person:"Vladimir Putin"').total == 1
    facets = lib.search("Putin").facets
    assert {(f.value, f.count) for f in facets["person"]} >= {("Vladimir Putin", 2), ("Nikol Pashinyan", 1)}
    assert ("Geneva", 1) in {(f.value, f.count) for f in facets["place"]}


def test_entities_of_an_article_have_offsets_into_its_text(lib: Library) -> None:
    article = lib.article("wire.txt")
    mentions = lib.entities("wire.txt")
    assert mentions and all(article.text[m.start : m.end] == m.text for m in mentions)
    assert [m.text for m in mentions if m.canonical == "Vladimir Putin"] == ["Vladimir Putin", "Putin"]


def test_top_entities_and_keyword_in_context(lib: Library) -> None:
    top = lib.top_entities(3)
    assert (top[0].canonical, top[0].type, top[0].articles, top[0].mentions) == ("Vladimir Putin", "PERSON", 2, 3)
    assert [e.type for e in lib.top_entities(10, "PLACE")] == ["PLACE"] * len(lib.top_entities(10, "PLACE"))
    lines = lib.entity_mentions("Vladimir Putin", "PERSON")
    assert len(lines) == 3
    assert {line.match for line in lines} == {"Vladimir Putin", "Putin"}
    assert all(line.left or line.right for line in lines)


def test_entities_are_cached_by_content_hash(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = stage.EntityStage._extract

    def counting(self: stage.EntityStage, misses: list[tuple[str, str]]) -> list[tuple[str, str]]:
        calls.append(len(misses))
        return real(self, misses)

    monkeypatch.setattr(stage.EntityStage, "_extract", counting)
    lib.update(rebuild=True)
    assert calls == [0]  # every article found in the cache
    assert lib.search('person:"Vladimir Putin"').total == 2


def test_watchlist_and_stoplist_edits_apply_on_the_next_update(lib: Library) -> None:
    lib.watch_entity("Kremlin Press Office", "ORG", ["Kremlin"])
    lib.stop_entity("Geneva")
    lib.update()
    assert lib.search('org:"Kremlin Press Office"').total == 1
    assert lib.search("place:Geneva").total == 0
    assert "Geneva" not in {m.canonical for m in lib.entities("wire.txt")}


def test_backend_none_extracts_nothing(news: Path, tmp_path: Path) -> None:
    config = Config()
    config.entities.backend = "none"
    with Library.open(news, state_dir=tmp_path / "none", config=config) as library:
        library.update()
        assert library.entities("wire.txt") == []
        assert library.top_entities() == []
        assert library.search('person:"Vladimir Putin"').total == 0


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_entities_json(capsys: pytest.CaptureFixture[str], news: Path) -> None:
    code, out, _ = run(capsys, "entities", "wire.txt", "--corpus", str(news), "--json")
    assert code == 0
    mentions = json.loads(out)
    assert set(mentions[0]) == {"text", "canonical", "type", "start", "end"}
    text = json.loads(run(capsys, "show", "wire.txt", "--corpus", str(news), "--json")[1])["text"]
    assert all(text[m["start"] : m["end"]] == m["text"] for m in mentions)
    code, out, _ = run(capsys, "entities", "--top", "2", "--type", "PERSON", "--corpus", str(news), "--json")
    assert json.loads(out)[0] == {"canonical": "Vladimir Putin", "type": "PERSON", "articles": 2, "mentions": 3}


@pytest.mark.parametrize(
    "argv",
    [["entities"], ["entities", "--top", "0"], ["entities", "--watch", "X"], ["entities", "--type", "THING", "a"]],
)
def test_cli_entities_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], news: Path, argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv, "--corpus", str(news))
    assert code == 2 and out == ""
    assert err.startswith("newsdesk: error:") and err.count("\n") == 1


def test_cli_broken_watchlist_is_one_line(capsys: pytest.CaptureFixture[str], news: Path, tmp_path: Path) -> None:
    state = tmp_path / "state-broken"
    state.mkdir()
    (state / "watchlist.yaml").write_text("entities:\n  - name: [unclosed\n")
    code, _, err = run(capsys, "index", "--corpus", str(news), "--state-dir", str(state))
    assert code == 2
    assert "watchlist.yaml" in err and err.count("\n") == 1
