"""The rule extractor, the watchlist and stoplist, and the quality bar on the demo gold set."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index.entities import (
    EntityLists,
    WatchEntry,
    add_to_stoplist,
    add_to_watchlist,
    load_lists,
    make_extractor,
)
from newsdesk.index.entities.rules import RuleExtractor
from newsdesk.index.errors import ConfigError, UsageError
from newsdesk.index.locations import demo_corpus

from bench.entities.score import load_gold, score

GOLD = Path(__file__).parent / "fixtures" / "entities" / "demo_gold.yaml"


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    return RuleExtractor(EntityLists())


def found(extractor: RuleExtractor, text: str) -> set[tuple[str, str, str]]:
    """(type, canonical, surface) of every mention, after checking each offset."""
    mentions = extractor.extract(text)
    for m in mentions:
        assert text[m.start : m.end] == m.text
    return {(m.type, m.canonical, m.text) for m in mentions}


def test_titles_are_not_part_of_a_name_and_surnames_link_to_the_full_name(rules: RuleExtractor) -> None:
    text = "Russian President Vladimir Putin spoke to reporters. Later, Putin said talks would go on."
    assert found(rules, text) == {
        ("PERSON", "Vladimir Putin", "Vladimir Putin"),
        ("PERSON", "Vladimir Putin", "Putin"),
    }


def test_lower_case_role_and_speech_cues_make_people(rules: RuleExtractor) -> None:
    text = "The claim was denied by spokesman Hikmet Hajiyev. Hajiyev said more later. Grigoryan told them."
    result = found(rules, text)
    assert ("PERSON", "Hikmet Hajiyev", "Hikmet Hajiyev") in result
    assert ("PERSON", "Hikmet Hajiyev", "Hajiyev") in result
    assert ("PERSON", "Grigoryan", "Grigoryan") in result


def test_possessives_and_leading_the_are_not_part_of_names(rules: RuleExtractor) -> None:
    text = "Moscow's position hardened. The Kremlin said it was concerned about Azerbaijan's Defence Ministry."
    result = found(rules, text)
    assert ("PLACE", "Moscow", "Moscow") in result
    assert ("ORG", "Kremlin", "Kremlin") in result
    assert ("ORG", "Azerbaijan's Defence Ministry", "Azerbaijan's Defence Ministry") in result
    assert ("PLACE", "Azerbaijan", "Azerbaijan") in result
    assert not any(surface.endswith("'s") or surface.startswith("The") for _, _, surface in result)


def test_organisation_cues_and_acronyms(rules: RuleExtractor) -> None:
    text = (
        "The Organization for Security and Co-operation in Europe (OSCE) called a meeting. "
        "Officials of the OSCE Minsk Group and the Azerbaijani Defence Ministry attended, Reuters reported. "
        "Later the OSCE issued a statement."
    )
    result = found(rules, text)
    long_name = "Organization for Security and Co-operation in Europe"
    assert ("ORG", long_name, long_name) in result
    assert ("ORG", long_name, "OSCE") in result  # the acronym in brackets links to the full name
    assert ("ORG", "OSCE Minsk Group", "OSCE Minsk Group") in result
    assert ("ORG", "Azerbaijani Defence Ministry", "Azerbaijani Defence Ministry") in result
    assert ("ORG", "Reuters", "Reuters") in result


def test_places_from_gazetteer_prepositions_lists_and_hyphenated_names(rules: RuleExtractor) -> None:
    text = (
        "Shelling hit Stepanakert and Ganja. Residents in Martakert sheltered, and fighting reached the "
        "districts of Kalbajar, Aghdam and Lachin. Nagorno-Karabakh is small; Karabakh is mountainous."
    )
    result = found(rules, text)
    for place in ("Ganja", "Martakert", "Kalbajar", "Aghdam", "Nagorno-Karabakh"):
        assert ("PLACE", place, place) in result, place
    assert ("PLACE", "Nagorno-Karabakh", "Karabakh") in result
    # Names GeoNames lists as another name of a town take GeoNames' own name as their canonical one.
    assert ("PLACE", "Laçın", "Lachin") in result
    assert ("PLACE", "Khankendi", "Stepanakert") in result


def test_sentence_initial_capitals_and_demonyms_are_not_entities(rules: RuleExtractor) -> None:
    text = (
        "Fighting continued overnight. Shelling resumed near Barda, where fighting had stopped and shelling "
        "had eased. Armenian officials said Turkish drones were used. Analysts said little."
    )
    surfaces = {surface for _, _, surface in found(rules, text)}
    assert surfaces == {"Barda"}


def test_all_caps_credits_and_quotes_produce_no_junk(rules: RuleExtractor) -> None:
    text = (
        "A soldier at a position, in a handout photo. EPA-EFE/AZERBAIJAN DEFENCE MINISTRY\n"
        '"We will not stop," Aliyev said. "Never," he added. UPDATED at noon.'
    )
    assert found(rules, text) == {("PERSON", "Aliyev", "Aliyev")}


def test_headline_case_titles_only_yield_known_names(rules: RuleExtractor) -> None:
    title = "Fighting Resumes As Lavrov Urges Restraint In Moscow Talks"
    text = "Russian Foreign Minister Sergei Lavrov urged restraint."
    title_mentions, body = rules.extract_article(title, text)
    assert {(m.type, m.canonical, m.text) for m in title_mentions} == {
        ("PERSON", "Sergei Lavrov", "Lavrov"),
        ("PLACE", "Moscow", "Moscow"),
    }
    for m in title_mentions:
        assert title[m.start : m.end] == m.text
    assert [m.canonical for m in body] == ["Sergei Lavrov"]


def test_hard_wrapped_names_are_one_mention(rules: RuleExtractor) -> None:
    text = "a call from French President Emmanuel\nMacron to both leaders"
    (mention,) = rules.extract(text)
    assert (mention.canonical, mention.text) == ("Emmanuel Macron", "Emmanuel\nMacron")


def test_watchlist_always_wins_and_maps_aliases() -> None:
    lists = EntityLists(
        [
            WatchEntry("Vladimir Putin", "PERSON", ("Russian President", "Putin")),
            WatchEntry("Minsk Group", "ORG", ()),
            WatchEntry("Barda", "ORG", ()),  # the user's type beats the gazetteer's
        ]
    )
    extractor = RuleExtractor(lists)
    text = "The Russian President met the Minsk Group. Shelling hit Barda. Putin left."
    assert found(extractor, text) == {
        ("PERSON", "Vladimir Putin", "Russian President"),
        ("ORG", "Minsk Group", "Minsk Group"),
        ("ORG", "Barda", "Barda"),
        ("PERSON", "Vladimir Putin", "Putin"),
    }


def test_stoplist_drops_names_case_insensitively() -> None:
    extractor = RuleExtractor(EntityLists(stop=frozenset({"reuters", "ganja"})))
    assert found(extractor, "Shelling hit Ganja and Barda, Reuters reported.") == {("PLACE", "Barda", "Barda")}


def test_list_files_round_trip_and_merge(tmp_path: Path) -> None:
    watch, stop = tmp_path / "watchlist.yaml", tmp_path / "stoplist.yaml"
    assert load_lists(watch, stop).entries == []
    add_to_watchlist(watch, "Vladimir Putin", "PERSON", ["Putin"])
    add_to_watchlist(watch, "Vladimir Putin", "PERSON", ["Russian President", "Putin"])
    add_to_stoplist(stop, "Reading Time")
    add_to_stoplist(stop, "reading time")
    lists = load_lists(watch, stop)
    assert lists.entries == [WatchEntry("Vladimir Putin", "PERSON", ("Putin", "Russian President"))]
    assert lists.stop == frozenset({"reading time"})
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(UsageError):
        add_to_watchlist(watch, "X", "THING", [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("entities:\n  - name: X\n    type: PERSON\n    colour: red\n", "unknown key 'colour'"),
        ("entities:\n  - name: X\n    type: person\n", "'type' must be one of PERSON, ORG, PLACE"),
        ("entities:\n  - name: X\n   type: [\n", "line"),
        ("entities: 3\n", "expected 'entities:'"),
    ],
)
def test_broken_watchlist_is_one_clear_error_and_left_untouched(tmp_path: Path, content: str, message: str) -> None:
    watch = tmp_path / "watchlist.yaml"
    watch.write_text(content)
    with pytest.raises(ConfigError, match=message) as error:
        load_lists(watch, tmp_path / "stoplist.yaml")
    assert str(watch) in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(ConfigError):
        add_to_watchlist(watch, "Y", "ORG", [])
    assert watch.read_text() == content


_WORDS = st.sampled_from(
    [
        "Putin",
        "Vladimir",
        "President",
        "the",
        "The",
        "Ministry",
        "of",
        "Defence",
        "OSCE",
        "Moscow's",
        "in",
        "Geneva",
        "said",
        "and",
        "Nagorno-Karabakh",
        "EPA-EFE/AZERBAIJAN",
        "DEFENCE",
        "“Quoted”",
        "Ağdam",
        "Co-operation",
        "US-led",
        "\n",
        "\n\n",
        ".",
        ",",
        "(OSCE)",
        "Mr.",
        "D'Arcy",
        "’s",
        "Ü",
        "ﬁ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40).map(" ".join))
def test_offsets_always_match_the_text(text: str) -> None:
    extractor = _shared_extractor()
    for m in extractor.extract(text):
        assert text[m.start : m.end] == m.text and m.text.strip() == m.text and m.text
    title_mentions, body = extractor.extract_article(text[:40], text)
    for m in title_mentions:
        assert text[:40][m.start : m.end] == m.text
    for m in body:
        assert text[m.start : m.end] == m.text


_EXTRACTOR: list[RuleExtractor] = []


def _shared_extractor() -> RuleExtractor:
    if not _EXTRACTOR:
        _EXTRACTOR.append(RuleExtractor(EntityLists()))
    return _EXTRACTOR[0]


def test_quality_on_the_demo_gold_set(library_on_demo: Library) -> None:
    """The development set: a drop here means a rule change broke something."""
    gold = load_gold(GOLD)
    predicted: dict[str, dict[str, list[str]]] = {}
    for summary in library_on_demo.list_articles(0, 1000):
        article = library_on_demo.article(summary.id)
        multi = article.path.endswith((".jsonl", ".rss"))
        key = f"{article.path}#{article.item}" if multi else article.path
        names: dict[str, list[str]] = {}
        title, body = _shared_extractor().extract_article(article.title, article.text)
        for m in title + body:
            names.setdefault(m.type, []).append(m.text)
        predicted[key] = names
    result = score(gold, predicted)
    assert not result["missing_articles"]
    assert result["overall"]["f1"] >= 0.92, result["per_type"]
    for kind in ("PERSON", "ORG", "PLACE"):
        assert result["per_type"][kind]["f1"] >= 0.85, (kind, result["per_type"][kind])


@pytest.fixture(scope="module")
def library_on_demo(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = Library.open(demo_corpus(), state_dir=tmp_path_factory.mktemp("demo-state"))
    library.update()
    yield library
    library.close()


def test_spacy_backend_reports_a_missing_install_in_one_line() -> None:
    pytest.importorskip("yaml")
    try:
        import spacy  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="pip install spacy"):
            make_extractor("spacy", EntityLists())
    else:
        pytest.skip("spaCy is installed here; the missing-install message cannot be shown")


def test_gazetteer_cache_is_rebuilt_when_damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.index.entities import gazetteer

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = gazetteer._cache_file()
    cache.parent.mkdir(parents=True)
    cache.write_text('{"not": "a gazetteer"')
    gazetteer.load_gazetteer.cache_clear()
    try:
        built = gazetteer.load_gazetteer()
        assert built.lookup("Geneva") == ("Geneva", False) and built.lookup("Armenia") == ("Armenia", True)
        gazetteer.load_gazetteer.cache_clear()
        assert gazetteer.load_gazetteer() == built  # now read back from the rewritten cache
    finally:
        gazetteer.load_gazetteer.cache_clear()


class _FakeSpan:
    def __init__(self, text: str, start: int, end: int, label: str) -> None:
        self.start_char, self.end_char, self.label_ = start, end, label


class _FakeNlp:
    """Stands in for a spaCy pipeline: the backend's own mapping is what is under test."""

    def __init__(self, spans: list[tuple[str, str]]) -> None:
        self.spans = spans

    def __call__(self, text: str) -> object:
        ents = []
        for surface, label in self.spans:
            start = text.find(surface)
            if start >= 0:
                ents.append(_FakeSpan(text, start, start + len(surface), label))
        return type("Doc", (), {"ents": ents})()


def test_spacy_backend_maps_labels_trims_names_and_obeys_the_lists() -> None:
    from newsdesk.index.entities.spacy_backend import SpacyExtractor

    nlp = _FakeNlp(
        [
            ("the Kremlin", "ORG"),
            ("Moscow's", "GPE"),
            ("Armenian", "NORP"),
            ("Lachin corridor", "LOC"),
            ("Putin", "PERSON"),
            ("Monday", "DATE"),
            ("Reuters", "ORG"),
        ]
    )
    lists = EntityLists([WatchEntry("Vladimir Putin", "PERSON", ("Putin",))], frozenset({"reuters"}))
    text = "On Monday the Kremlin said Moscow's Armenian partners hold the Lachin corridor; Putin agreed, Reuters said."
    extractor = SpacyExtractor(lists, nlp=nlp)
    result = {(m.type, m.canonical, m.text) for m in extractor.extract(text)}
    assert result == {
        ("ORG", "Kremlin", "Kremlin"),
        ("PLACE", "Moscow", "Moscow"),
        ("PLACE", "Lachin corridor", "Lachin corridor"),
        ("PERSON", "Vladimir Putin", "Putin"),
    }
    for m in extractor.extract(text):
        assert text[m.start : m.end] == m.text
