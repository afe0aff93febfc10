"""Shared fixtures: isolated config/data dirs and small corpora written per test."""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from newsdesk.index import Config, Library

# -- fuzzing: bounded in CI, longer in bench/ ---------------------------------------------------
LONG_FACTOR = int(os.environ.get("NEWSDESK_FUZZ_FACTOR", "20"))
"""How many times more examples the fuzz tests run under ``HYPOTHESIS_PROFILE=long`` (bench/fuzz.py)."""
settings.register_profile("long", deadline=None, print_blob=True)
# .ci/run sets NEWSDESK_CI: there every property test draws the same examples each run, so a red
# CI is reproducible and says something about the change, not about the draw. Run locally, the
# same command draws new examples every time; bench/fuzz.py runs them long.
settings.register_profile("ci", derandomize=True, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("NEWSDESK_CI") else "default")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """A fuzz test's example count: ``count`` in CI, :data:`LONG_FACTOR` times that in the long profile.

    The tests set max_examples themselves (a profile cannot override a test's own settings), so the
    profile scales it here."""
    return count * LONG_FACTOR if PROFILE == "long" else count


SHARED_CACHE = Path(tempfile.gettempdir()) / f"newsdesk-tests-{getattr(os, 'getuid', lambda: 0)()}" / "cache"
"""XDG_CACHE_HOME for every test, shared across tests and runs. Only the gazetteer lives there, in a
file named by a digest of what it is built from; building it takes seconds of CPU in every process
that finds it missing (readers and CLI runs in subprocesses too), which a cache per test made each of
them pay. tests/test_entities.py checks the cache's own behaviour in a folder of its own."""


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config or writes to their data or cache dir."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(SHARED_CACHE))
    monkeypatch.delenv("NEWSDESK_CONFIG", raising=False)
    monkeypatch.chdir(home)


def write(root: Path, relpath: str, text: str) -> Path:
    """Write a dedented file under ``root`` and return its path."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


ARTICLES = {
    "reports/ceasefire.txt": """
        Ceasefire talks resume in Geneva

        Reading Time: 2 minutes

        Foreign ministers met the co-chairs of the Minsk Group in Geneva on Friday.
        Diplomats described the talks as a launch pad for a wider settlement.

        Mercenaries from the Middle East were mentioned by several delegations.

        You may want to read...

        %d bloggers like this:
        """,
    "reports/shelling.txt": """
        Shelling hits Stepanakert overnight

        Residents of Stepanakert spent the night in basements as shelling continued.
        A mercenary captured near the front was shown on television.
        """,
    "analysis/outlook.md": """
        ---
        title: What the truce means for the region
        source: Meridian Wire
        date: 2020-11-10
        author: Lena Hart
        tags: [analysis, ceasefire]
        ---
        The truce signed overnight ends six weeks of fighting.

        Peacekeepers will patrol the Lachin corridor for five years.
        """,
}


@pytest.fixture(scope="session")
def indexed_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small corpus and its state folder, indexed once for the session: tests get copies.

    Indexing it takes ~50 ms; copying both folders ~5 ms, and some 60 tests in the quick loop ask
    for it. Built with its own user folders: a session fixture runs before ``isolated_user_dirs``."""
    base = tmp_path_factory.mktemp("indexed-corpus")
    for relpath, text in ARTICLES.items():
        write(base / "corpus", relpath, text)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            patch.setenv(name, str(base / "home" / name.lower()))
        patch.setenv("XDG_CACHE_HOME", str(SHARED_CACHE))
        patch.delenv("NEWSDESK_CONFIG", raising=False)
        with Library.open(base / "corpus", state_dir=base / "state", config=Config()) as lib:
            lib.update()
    return base / "corpus", base / "state"


def _files(root: Path) -> set[tuple[str, int, int]]:
    return {(str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def corpus(tmp_path: Path, indexed_corpus: tuple[Path, Path]) -> Path:
    """A small corpus of original test articles in txt and md (a private copy, file times kept)."""
    root = tmp_path / "corpus"
    shutil.copytree(indexed_corpus[0], root)
    return root


@pytest.fixture
def library(corpus: Path, tmp_path: Path, indexed_corpus: tuple[Path, Path]) -> Iterator[Library]:
    """The small corpus, indexed: a private copy of the session's index when ``corpus`` is the small
    corpus as written (a module's own ``corpus`` fixture gets an index of its own)."""
    source, state = indexed_corpus
    if _files(corpus) == _files(source):
        shutil.copytree(state, tmp_path / "state")
    lib = Library.open(corpus, state_dir=tmp_path / "state", config=Config())
    lib.update()  # reads nothing on a copy: every file is as the copied state recorded it
    yield lib
    lib.close()


# -- the inner loop: pytest -m "not slow" ------------------------------------------------------
SLOW_MODULES = {
    # a real terminal (tmux), an SSH session or a browser
    "test_e2e_tmux",
    "test_annotations_tmux",
    "test_story_tmux",
    "test_shared_folder_tmux",
    "test_hangup",
    "test_hangup_during_a_save",
    "test_hostile_terminal",
    "test_match_counts",
    "test_page_boundaries",
    "test_ssh",
    "test_serve_browser",
    # fuzzing, stateful machines, several processes at once, the type checker, the snapshots
    "test_fuzz_ingest",
    "test_fuzz_queries",
    "test_annotations_stateful",
    "test_multiuser",
    "test_recovery",
    "test_readers_never_wait",
    "test_serve_signals",
    "test_typecheck",
    "test_snapshots",
    "test_annotations_durability",
    "test_side_tabs_tmux",
    "test_key_order_tmux",
    "test_reprints_tmux",
    "test_others_annotating_tmux",
    # real servers and readers in subprocesses, one after another
    "test_serve_sessions",
    "test_serve_stalled",
    "test_orphans",
    # a PDF corpus indexed per test (the PDF is read in a worker process)
    "test_annotation_pages",
}
"""Test files that take minutes, not seconds: marked slow as a whole."""

SLOW_TESTS = {
    "tests/test_hostile_errors_and_state.py::test_a_garbled_segment_of_the_same_size_is_healed_not_a_traceback",
    "tests/test_throughput_redteam.py::test_updates_after_a_direct_full_build_answer_like_a_fresh_build",
    "tests/test_phrase_pairs_redteam.py::test_the_common_terms_are_sampled_from_the_whole_store_not_its_first_folder",
    "tests/test_phrase_pairs_redteam.py::test_a_store_that_starts_tiny_gets_its_common_terms_once_it_has_grown",
    "tests/test_throughput_redteam.py::test_a_huge_text_shared_by_title_and_body_writes_like_whoosh",
    "tests/test_architecture.py::test_using_the_core_loads_no_textual",
    "tests/test_cli.py::test_console_script_runs",
    "tests/test_entities.py::test_gazetteer_cache_is_rebuilt_when_damaged",
    "tests/test_annotations.py::test_annotations_are_searchable_and_tags_feed_the_facets",
    "tests/test_formats_warc.py::test_archive_over_max_file_mb_is_still_read",
    "tests/test_formats_warc.py::test_gzip_bomb_record_is_stopped",
    "tests/test_formats_mail.py::test_deeply_nested_multipart_is_one_warning",
    "tests/test_formats_docx.py::test_zip_bomb_is_one_line_before_anything_is_inflated",
    "tests/test_formats_pdf.py::test_scanned_pdf_is_read_by_ocr",
    "tests/test_hostile.py::test_hostile_corpus_indexes_the_rest_and_no_escape_reaches_the_terminal",
    "tests/test_docsets.py::test_a_phrase_with_slop_in_a_long_article_is_not_refused",
    "tests/test_ingest.py::test_large_update_uses_the_parallel_path",
    "tests/test_ingest.py::test_updates_from_a_script_on_stdin",
    "tests/test_shared_folder.py::test_a_fifo_named_txt_is_one_warning_and_never_opened",
    # readers started as real processes by newsdesk serve, a PDF child kept busy until it is ended
    "tests/test_serve_http.py::test_a_websocket_with_the_cookie_and_the_served_origin_runs_a_reader",
    "tests/test_serve_http.py::test_more_tabs_than_max_sessions_get_a_message_not_a_reader",
    "tests/test_serve_http.py::test_malformed_websocket_messages_are_ignored",
    "tests/test_formats_pdf.py::test_a_pdf_that_keeps_pdfium_busy_is_given_up_and_the_child_ended",
    # sweeps and builds: every fault in every state file, a stateful model, a 100-article index
    "tests/test_state_faults.py::test_every_fault_in_every_state_file_is_one_line_then_heals",
    "tests/test_saved.py::test_saved_searches_against_a_model",
    "tests/test_docsets.py::test_deletions_are_excluded",
    # index builds in writer processes, and two full builds of 2,600 documents compared
    "tests/test_direct_writer.py::test_parallel_build_answers_like_whooshs_writer",
    "tests/test_direct_writer.py::test_long_lists_and_long_documents",
    "tests/test_direct_writer_attacks.py::test_a_writer_process_killed_mid_build_loses_no_article",
    "tests/test_direct_writer_attacks.py::test_a_failed_reprint_sync_stops_the_writer_processes",
    "tests/test_direct_writer_attacks.py::test_ctrl_c_prints_no_traceback_from_the_writer_processes",
    # a Python started per test (each imports newsdesk afresh), or a process kept busy or holding a lock
    "tests/test_cli_entry.py::test_console_script_prints_its_version",
    "tests/test_packaging.py::test_python_dash_m_newsdesk_runs_the_cli",
    "tests/test_formats.py::test_only_html_pulls_in_trafilatura_and_nothing_pulls_in_textual",
    "tests/test_whoosh_pin.py::test_a_process_that_only_loads_the_schema_has_the_patches",
    "tests/test_ingest.py::test_a_second_updater_waits_and_then_gives_a_clear_error",
    "tests/test_bench_formats.py::test_cpu_of_a_fork_server_child_is_counted",
    "tests/test_serve_hosts.py::test_serving_on_a_long_form_ipv6_loopback_prints_and_accepts_the_browser_form",
    # ~30 keys typed through Textual's pilot, which waits ~60 ms after each (2 s asleep)
    "tests/tui/test_annotation_dialogs.py::test_annotate_dialog_saves_tags_and_a_multi_line_note",
}
"""Single tests (all their parameters) of seconds each, or that start real processes
(pytest --durations, 2 cores under the load of ~7 sessions)."""


READER_FIXTURES = {"demo_app", "corpus_app"}
"""Fixtures that start the whole reader on a corpus."""
QUICK_READER_TESTS = {
    "tests/tui/test_app.py::test_opens_on_the_demo_corpus_with_the_list",
    "tests/tui/test_app.py::test_search_open_lands_on_first_hit_and_n_moves",
}
"""The whole reader's tests the quick loop keeps: it starts, lists, searches, opens an article and moves in it."""


def runs_the_whole_reader(item: pytest.Item) -> bool:
    """The test starts the reader app on a corpus: a fixture above, ``make_app``/``NewsdeskApp`` in its
    body, or an app run (``run_test``) on a copy of the demo corpus' state.

    Each takes 1-3 s of CPU (the app, a library, the workers): the ~120 of them are most of a
    quick loop's time, so they run in CI and when asked for, and the quick loop keeps a few.
    """
    if not item.nodeid.startswith("tests/tui/"):
        return False
    if READER_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    try:
        source = inspect.getsource(getattr(item, "obj", None))  # type: ignore[arg-type]
    except (TypeError, OSError):
        return False
    starts_an_app = "make_app(" in source or "NewsdeskApp(" in source
    return starts_an_app or ("run_test(" in source and "demo_state" in getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tests: whole files above, Hypothesis tests (many examples each), the listed ones,
    and those that run the whole reader (but the few the quick loop keeps).

    CI runs everything; ``pytest -m "not slow"`` is the quick loop while working.
    """
    for item in items:
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        hypothesis_test = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        in_a_terminal = module.endswith("_tmux")  # every tmux file, listed or not
        whole_reader = runs_the_whole_reader(item) and item.nodeid not in QUICK_READER_TESTS
        listed = item.nodeid.split("[", 1)[0] in SLOW_TESTS  # a parametrized test: all its cases
        if module in SLOW_MODULES or in_a_terminal or hypothesis_test or whole_reader or listed:
            item.add_marker(pytest.mark.slow)
