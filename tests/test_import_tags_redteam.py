"""Red team on adf1332: an import whose tags an older version saved, that no tag may be now."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from newsdesk.index.annotations.tag_words import IMPORTED_TAGS_MARK

from tests.test_annotations import news, run  # noqa: F401  (news: a fixture)


def test_an_import_says_how_many_tags_went_to_notes_and_a_second_import_says_none(
    capsys: pytest.CaptureFixture[str],
    news: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A restore of one's own older export moved two tags (a bidi override, a C1 CSI) into the note, and the
    import said only "1 imported, 0 already present": the user was not told their tags were no longer tags."""
    corpus = ["--corpus", str(news)]
    run(capsys, "annotations", "add", "talks.txt", "--quote", "the talks", "--tag", "ok", "--note", "mine", *corpus)
    exported = tmp_path / "export.yaml"
    run(capsys, "annotations", "export", "--format", "yaml", "--output", str(exported), *corpus)
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    (record,) = data["annotations"]
    record["id"] = "older-1"
    record["tags"] = ["ok", "li\u202eve", "evi\x9bdence"]
    older = tmp_path / "older.yaml"
    older.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")
    code, out, _ = run(capsys, "annotations", "import", str(older), *corpus)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "1 imported, 0 already present"
    assert len(lines) == 2 and lines[1].startswith("2 tags that are not valid") and IMPORTED_TAGS_MARK in lines[1]
    code, out, _ = run(capsys, "annotations", "import", str(older), *corpus)
    assert code == 0 and out.strip() == "0 imported, 1 already present"
    code, out, _ = run(capsys, "annotations", "list", *corpus)
    assert code == 0 and all(line.isprintable() for line in out.splitlines()), out
