"""Similar articles: a reprint (edited headline, boilerplate, a cut and a reworded sentence) comes first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from newsdesk.index import ArticleNotFound, Config, Library, UsageError
from newsdesk.tui.cli import main

from tests.conftest import write

ORIGINAL = """Ceasefire collapses hours after talks in Geneva

Shelling resumed along the northern front on Sunday morning, hours after the foreign ministers left Geneva.
Residents of the border villages said the first rockets fell shortly after dawn and continued until noon.
The defence ministry accused the other side of moving artillery closer to the line of contact overnight.
Aid agencies warned that thousands of families had nowhere safe to go as the fighting spread south.
Diplomats in Geneva said a new round of talks could begin next week if both sides observe a pause.
"""
REPRINT = """Truce breaks down after Geneva meeting - wire report

Shelling resumed along the northern front on Sunday morning, hours after the foreign ministers left Geneva.
Residents of the border villages said the first rockets fell soon after sunrise and continued until noon.
Aid agencies warned that thousands of families had nowhere safe to go as the fighting spread south.
Diplomats in Geneva said a new round of talks could begin next week if both sides observe a pause.

Copyright 2020 Example Wire. All rights reserved. Subscribe for more news from the region.
"""
RELATED = """Geneva talks end without a ceasefire agreement

Foreign ministers from both sides met in Geneva for six hours but left without signing a ceasefire.
Mediators said the talks on the front line, shelling and artillery positions would continue next week.
Aid agencies asked both ministers for a pause in the fighting so that families could leave the villages.
"""


@pytest.fixture
def reprint_library(tmp_path: Path) -> Library:
    corpus = tmp_path / "corpus"
    write(corpus, "original.txt", ORIGINAL)
    write(corpus, "reprint.txt", REPRINT)
    write(corpus, "related.txt", RELATED)
    write(corpus, "other.txt", "Markets rally\n\nShares rose in Tokyo and London as oil prices fell.\n")
    library = Library.open(corpus, state_dir=tmp_path / "state", config=Config())
    library.update()
    return library


def test_the_reprint_comes_first_then_related(reprint_library: Library) -> None:
    with reprint_library as library:
        found = library.similar("original.txt")
        assert [s.path for s in found[:2]] == ["reprint.txt", "related.txt"]
        assert found[0].reprint and not found[1].reprint
        assert found[0].overlap > 0.5 > found[1].overlap
        assert all(s.path != "original.txt" for s in found)
        assert len(library.similar("original.txt", limit=1)) == 1


def test_cli_similar(capsys: pytest.CaptureFixture[str], reprint_library: Library) -> None:
    corpus, state = str(reprint_library.corpus), str(reprint_library.state_dir)
    reprint_library.close()
    common = ["--corpus", corpus, "--state-dir", state]
    assert main(["similar", "original.txt", "--json", *common]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["path"] == "reprint.txt" and data[0]["reprint"] is True
    assert set(data[0]) == {"id", "path", "title", "source", "date", "overlap", "reprint", "score"}
    assert main(["similar", "original.txt", *common]) == 0
    assert capsys.readouterr().out.startswith("reprint")
    for argv, code in [
        (["similar", "nope.txt"], 1),
        (["similar", "original.txt", "--limit", "0"], 2),
        (["similar"], 2),
        (["similar", "a\x1b[31m"], 2),
    ]:
        assert main([*argv, *common]) == code
        err = capsys.readouterr().err
        assert err.startswith("newsdesk: ") and err.count("\n") == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ref=st.text(max_size=40))
@example(ref="~0")  # no account "0": pathlib's expanduser raised RuntimeError, a traceback (red team)
@example(ref="~nosuchuser/x.txt")
def test_any_reference_is_an_article_or_one_clear_error(library: Library, ref: str) -> None:
    try:
        found = library.similar(ref)
    except (ArticleNotFound, UsageError) as exc:
        if not any(c in ref for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
            assert len(str(exc).splitlines()) == 1
        return
    assert all(s.id for s in found)


def test_a_huge_article_is_compared_in_seconds(reprint_library: Library) -> None:
    """Red team: `m` on a 19 MB article (3 million words) took 20 s with nothing on screen, and
    as long again for each huge candidate: the key terms and the four-word runs were taken from
    every word. The first 200,000 characters of each text are compared now; a reprint shares them."""
    import dataclasses
    import random
    import time

    from newsdesk.index.similar import similar_articles

    with reprint_library as library:
        original = library.article("original.txt")
        rng = random.Random(1)
        vocabulary = ["".join(rng.choices("abcdefghij", k=6)) for _ in range(50_000)]
        filler = " ".join(rng.choices(vocabulary, k=1_000_000))  # 7 MB: BASE took 14 s
        huge = dataclasses.replace(original, text=original.text + "\n" + filler)
        started = time.monotonic()
        found = similar_articles(huge, library.store, library.engine, 10)
        assert time.monotonic() - started < 2.5
        assert found[0].path == "reprint.txt" and found[0].reprint


def test_a_tilde_naming_no_account_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], reprint_library: Library, tmp_path: Path
) -> None:
    """Red team: `newsdesk similar '~nosuchuser'` (and `show`, and `--corpus ~nosuch/c`) ended in
    a RuntimeError traceback from pathlib: a `~name` with no such account is now taken as written."""
    common = ["--corpus", str(reprint_library.corpus), "--state-dir", str(tmp_path / "state")]
    for argv in (["similar", "~nosuchuser", *common], ["show", "~nosuchuser/x.txt", *common]):
        assert main(argv) in (1, 2)
        err = capsys.readouterr().err
        assert err.startswith("newsdesk: ") and err.count("\n") == 1, err
    assert main(["search", "truce", "--corpus", "~nosuchuser/corpus"]) in (1, 2)
    err = capsys.readouterr().err
    assert err.startswith("newsdesk: ") and "corpus not found" in err
