"""What a red-team pass on annotations broke, each held by a test that fails without its fix.

Crafted imports and hand-edited files (lone surrogates, escape sequences in ids
and times, a wrong article id), a file grown past what newsdesk reads, and
``--occurrence 0``.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
import yaml
from newsdesk.index.annotations import AnnotationError, AnnotationFileError, AnnotationStore, owner_by_file_name
from newsdesk.index.annotations import files as annotation_files
from newsdesk.index.annotations.model import Annotation, Target

from tests.test_annotations import article, news, run  # noqa: F401  (news is a fixture)

ARTICLE = "0123456789abcdef"


def _record(ident: str = "crafted", article_id: str = ARTICLE, **changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": ident,
        "article_id": article_id,
        "content_hash": "",
        "target": {"position": {"start": 0, "end": 5}, "quote": {"exact": "Talks"}},
        "tags": ["crafted"],
        "note": "n",
        "author": "mallory",
        "created": "2026-01-01",
        "modified": "2026-01-01",
    }
    record.update(changes)
    return record


def test_a_save_that_would_grow_the_file_past_the_read_limit_is_refused_and_the_file_stays_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(annotation_files, "MAX_FILE_BYTES", 8 * 1024)
    store = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    saved = 0
    with pytest.raises(AnnotationFileError, match="not saved") as refused:
        for _ in range(100):
            store.add(article(), 0, 9, ["x"], note="z" * 1000)
            saved += 1
    assert "\n" not in str(refused.value) and 0 < saved < 100
    fresh = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    annotations, errors = fresh.all()
    assert errors == [] and len(annotations) == saved  # every acknowledged one, still readable
    store.add(article(), 0, 9, ["x"], note="short")  # and a small one still fits
    assert len(fresh.all()[0]) == saved + 1


def test_occurrence_zero_is_a_usage_error_not_the_first(capsys: pytest.CaptureFixture[str], news: Path) -> None:  # noqa: F811
    code, out, err = run(
        capsys,
        "annotations",
        "add",
        "talks.txt",
        "--quote",
        "the talks",
        "--occurrence",
        "0",
        "--tag",
        "x",
        "--corpus",
        str(news),
    )
    assert code == 2 and out == "" and err.count("\n") == 1 and "--occurrence must be 1-" in err
    assert not list(news.rglob("*.yaml"))


@pytest.mark.parametrize("where", ["note", "exact", "id", "created", "extra"])
def test_a_lone_surrogate_in_an_import_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    news: Path,  # noqa: F811 (a fixture)
    tmp_path: Path,
    where: str,
) -> None:
    record = _record()
    if where == "exact":
        record["target"] = {"position": {"start": 0, "end": 5}, "quote": {"exact": "Ta\ud800"}}
    elif where == "extra":
        record["later"] = {"k": ["\udcff"]}
    else:
        record[where] = "x\ud800y"
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps([record]), encoding="ascii")  # "\ud800" as JSON writes it
    code, out, err = run(capsys, "annotations", "import", str(crafted), "--corpus", str(news))
    assert code == 2 and out == "" and err.count("\n") == 1 and "not UTF-8" in err
    assert not list(news.rglob("*.yaml"))


def test_a_lone_surrogate_in_a_hand_edited_file_is_one_line_naming_it(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    store.add(article(), 0, 9, ["x"])
    path = store.files.own_file(ARTICLE)
    path.write_text(path.read_text().replace("note: ''", 'note: "\\ud800"'))
    found = AnnotationStore(tmp_path, user="bob", owner_of=owner_by_file_name).for_article(article())
    (error,) = found.errors
    assert str(path) in error and "\n" not in error and found.placed == []


def test_an_import_with_one_bad_article_id_writes_nothing(tmp_path: Path) -> None:
    from newsdesk.index.annotations.export import parse_export

    store = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    crafted = json.dumps([_record("good"), _record("bad", article_id="../../etc")])
    with pytest.raises(AnnotationError, match="not valid"):
        store.import_annotations(parse_export(crafted, "crafted.json"))
    assert store.all() == ([], [])


def test_no_escape_sequence_from_an_imported_id_or_time_reaches_the_terminal(
    capsys: pytest.CaptureFixture[str],
    news: Path,  # noqa: F811 (a fixture)
    tmp_path: Path,
) -> None:
    args = ["--corpus", str(news)]
    assert run(capsys, "annotations", "add", "talks.txt", "--quote", "the talks", "--tag", "x", *args)[0] == 0
    article_id = json.loads(run(capsys, "annotations", "list", "--json", *args)[1])[0]["article_id"]
    crafted = tmp_path / "crafted.json"
    crafted.write_text(
        json.dumps(
            [_record("\x1b]0;PWNED\x07", article_id, created="\x1b[31mred\x1b[0m", modified="\x1b]52;c;aGVsbG8=\x07")]
        )
    )
    assert run(capsys, "annotations", "import", str(crafted), *args)[:2] == (0, "1 imported, 0 already present\n")
    for argv in (["export", "--format", "csv"], ["export", "--format", "md"], ["list"]):
        code, out, err = run(capsys, "annotations", *argv, *args)
        assert code == 0 and "crafted" in out, argv
        assert not any(ch in out + err for ch in "\x1b\x07\x9b\x9d"), argv


def test_an_annotation_naming_another_article_is_reported_and_not_indexed(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    store.add(article(), 0, 9, ["mine"])
    moved = "fedcba9876543210"
    folder = tmp_path / "annotations" / moved
    folder.mkdir()
    text = store.files.own_file(ARTICLE).read_text()
    (folder / "bob.yaml").write_text(text.replace("mine", "stray"))  # same article id, wrong folder
    bob_view = AnnotationStore(tmp_path, user="bob", owner_of=owner_by_file_name)
    annotations, errors = bob_view.all()
    assert [a.tags for a in annotations] == [("mine",)]
    (error,) = errors
    assert "bob.yaml" in error and "not its folder's" in error
    assert set(bob_view.summaries()[ARTICLE].tags) == {"mine"}


def test_a_boolean_position_is_refused() -> None:
    with pytest.raises(AnnotationError, match="whole numbers"):
        Annotation.from_dict(_record(target={"position": {"start": 0, "end": True}, "quote": {"exact": "T"}}))


def test_the_target_of_a_valid_record_still_reads() -> None:
    assert Annotation.from_dict(_record()).target == Target(0, 5, "Talks")


def test_a_long_quote_in_a_changed_repetitive_text_is_placed_with_bounded_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 4,000-character quote took minutes: every pair of word edges was scored, the whole quote aligned."""
    anchoring = importlib.import_module("newsdesk.index.annotations.anchor")  # the package exports anchor()

    text = ("Diplomats met in Geneva on Friday. " * 120)[:4000]
    quote = text[:3999]
    annotation = Annotation(id="x", article_id=ARTICLE, content_hash="h1", target=Target(0, 3999, quote))
    ratio, align = anchoring.fuzz.ratio, anchoring.fuzz.partial_ratio_alignment
    calls = {"ratio": 0}

    def counted_ratio(*args: object, **kwargs: object) -> float:
        calls["ratio"] += 1
        assert calls["ratio"] <= 200, "re-anchoring scores too many spans"
        return ratio(*args, **kwargs)

    def short_needles_only(needle: str, *args: object, **kwargs: object) -> object:
        assert len(needle) <= 1_000, "a long quote is aligned whole"
        return align(needle, *args, **kwargs)

    monkeypatch.setattr(anchoring.fuzz, "ratio", counted_ratio)
    monkeypatch.setattr(anchoring.fuzz, "partial_ratio_alignment", short_needles_only)
    placed = anchoring.anchor(annotation, text.replace("Geneva", "Genf"), "h2")
    assert placed.how == "fuzzy" and placed.start == 0 and placed.end > 3500


def test_a_hand_edited_quoted_note_continuing_on_a_dash_line_reads_as_yaml_does(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path, user="alice", owner_of=owner_by_file_name)
    store.add(article(), 0, 9, ["x"])
    path = store.files.own_file(ARTICLE)
    store.files.read(path)  # cached, as a running reader holds it
    edited = path.read_text().replace("note: ''", 'note: "first\n- not an item"')
    path.write_text(edited)
    expected = yaml.safe_load(edited)["annotations"][0]["note"]
    for reader in (store, AnnotationStore(tmp_path, user="bob", owner_of=owner_by_file_name)):
        annotations, errors = reader.all()
        assert errors == [] and [a.note for a in annotations] == [expected] == ["first - not an item"]
    store.add(article(), 0, 9, ["y"])  # and the owner's next save keeps it
    assert [a.note for a in store.files.read(path)] == [expected, ""]
