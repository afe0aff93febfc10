"""The corpus fingerprint the reader polls walks the corpus exactly as indexing does."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from newsdesk.index import Config, Library, corpus_fingerprint

EXTENSIONS = Config().ingest.extensions


def test_fingerprint_changes_with_article_files_only(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / ".newsdesk").mkdir()
    first = corpus_fingerprint(tmp_path, EXTENSIONS)
    (tmp_path / ".newsdesk" / "x.db").write_text("state")
    (tmp_path / "notes.odt").write_text("not an article type")
    assert corpus_fingerprint(tmp_path, EXTENSIONS) == first
    (tmp_path / "b.txt").write_text("two")
    assert corpus_fingerprint(tmp_path, EXTENSIONS) != first
    assert corpus_fingerprint(tmp_path, EXTENSIONS, cancelled=lambda: True) is None


def test_fingerprint_enters_symlinked_folders_inside_the_corpus(tmp_path: Path) -> None:
    """A folder reached only through a symlink (its real place is hidden) is walked, as ingest walks it."""
    archive = tmp_path / ".archive" / "2020"
    archive.mkdir(parents=True)
    (archive / "a.txt").write_text("Title\n\nfirst version\n")
    (tmp_path / "2020").symlink_to(archive, target_is_directory=True)
    first = corpus_fingerprint(tmp_path, EXTENSIONS)
    (archive / "a.txt").write_text("Title\n\nsecond, longer version\n")
    assert corpus_fingerprint(tmp_path, EXTENSIONS) != first


def test_fingerprint_of_a_single_file_corpus_and_a_missing_one(tmp_path: Path) -> None:
    article = tmp_path / "one.txt"
    article.write_text("Title\n\ntext\n")
    first = corpus_fingerprint(article, EXTENSIONS)
    article.write_text("Title\n\nlonger text\n")
    assert corpus_fingerprint(article, EXTENSIONS) != first
    assert isinstance(corpus_fingerprint(tmp_path / "missing", EXTENSIONS), int)


def test_a_link_loop_and_a_link_out_end(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    (corpus / "a" / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "out").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "outside.txt").write_text("never read")
    first = corpus_fingerprint(corpus, EXTENSIONS)
    (tmp_path / "outside.txt").write_text("changed outside the corpus")
    assert corpus_fingerprint(corpus, EXTENSIONS) == first


NAMES = st.sampled_from(["a.txt", "b.md", "c.html", "notes.odt", "sub/d.txt", "sub/deep/e.txt"])
TEXTS = st.text(min_size=1, max_size=40).map(lambda t: f"Title\n\n{t}\n")


class PollingMatchesIndexing(RuleBasedStateMachine):
    """Whatever happens to the files, a change that `update` finds always changes the fingerprint.

    The model is the set of changes indexing reports: when the fingerprint did not change,
    an update must find nothing to add, update or remove.
    """

    @initialize()
    def open_corpus(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fingerprint-"))
        self.corpus = self.root / "corpus"
        (self.corpus / ".real").mkdir(parents=True)
        (self.corpus / "linked").symlink_to(self.corpus / ".real", target_is_directory=True)
        self.library = Library.open(self.corpus, state_dir=self.root / "state", config=Config())
        self.library.update()
        self.last = self.library.fingerprint()

    def teardown(self) -> None:
        if hasattr(self, "library"):
            self.library.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def _path(self, name: str, linked: bool) -> Path:
        return (self.corpus / ".real" if linked else self.corpus) / name

    @rule(name=NAMES, text=TEXTS, linked=st.booleans())
    def write_file(self, name: str, text: str, linked: bool) -> None:
        path = self._path(name, linked)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")

    @rule(name=NAMES, linked=st.booleans())
    def delete_file(self, name: str, linked: bool) -> None:
        self._path(name, linked).unlink(missing_ok=True)

    @rule(name=NAMES, linked=st.booleans())
    def touch_file(self, name: str, linked: bool) -> None:
        path = self._path(name, linked)
        if path.exists():
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    @rule(text=TEXTS)
    def write_state_folder(self, text: str) -> None:
        (self.root / "state" / "scratch.txt").write_text(text, encoding="utf-8", errors="surrogatepass")

    @invariant()
    def unchanged_fingerprint_means_nothing_to_index(self) -> None:
        if not hasattr(self, "library"):
            return
        now = self.library.fingerprint()
        stats = self.library.update()
        if now == self.last:
            assert (stats.added, stats.updated, stats.removed) == (0, 0, 0)
        self.last = now


PollingMatchesIndexing.TestCase.settings = settings(max_examples=15, stateful_step_count=8, deadline=None)
test_polling_matches_indexing = PollingMatchesIndexing.TestCase
