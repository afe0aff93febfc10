"""Two OS accounts on one corpus: shared index, each other's annotations, group-readable files.

Needs root (to create the accounts and switch to them); skipped otherwise.
Each account runs in a forked child that drops to that uid, so the test needs
no Python installation the accounts can read: everything is imported first.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from newsdesk.index import AnnotationError, Config, Library

GROUP, USERS = "ndshared", ("ndalice", "ndbob")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("useradd") is None or shutil.which("groupadd") is None,
    reason="needs root and useradd/groupadd to create two OS accounts",
)


@pytest.fixture(scope="module")
def accounts() -> dict[str, tuple[int, int]]:
    try:
        grp.getgrnam(GROUP)
    except KeyError:
        subprocess.run(["groupadd", GROUP], check=True)
    ids = {}
    for user in USERS:
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--no-create-home", "-g", GROUP, user], check=True)
        entry = pwd.getpwnam(user)
        ids[user] = (entry.pw_uid, entry.pw_gid)
    _warm_up()
    return ids


def _warm_up() -> None:
    """Import now, as root, every module the accounts' work needs: they cannot read root's Python."""
    import multiprocessing.synchronize  # noqa: F401  (the reader pool imports it lazily)

    from newsdesk.index.entities.rules import RuleExtractor

    RuleExtractor().extract_article("Talks", "Vladimir Putin met in Geneva.")  # rules and gazetteer, in memory

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for n in range(70):  # enough files for the parallel reading path
            (corpus / f"{'a' if n == 0 else n}.txt").write_text("Talks in Geneva\n\nDiplomats met in Geneva.\n")
        with Library.open(corpus, state_dir=Path(tmp) / "state", config=Config()) as library:
            library.update()
            library.annotate_quote("a.txt", "Diplomats", tags=["x"])
            library.sync_annotations()
            library.search("tag:x")
            library.annotations_of("a.txt")


@pytest.fixture
def shared() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="newsdesk-shared-"))
    gid = grp.getgrnam(GROUP).gr_gid
    os.chown(root, 0, gid)
    os.chmod(root, 0o2775)  # setgid: everything below belongs to the group
    corpus = root / "corpus"
    corpus.mkdir()
    for n, city in enumerate(("Geneva", "Baku", "Yerevan")):
        (corpus / f"report-{n}.txt").write_text(f"Talks in {city}\n\nDiplomats met in {city} on Friday.\n")
    (root / "state").mkdir()
    os.chown(root / "state", 0, gid)
    os.chmod(root / "state", 0o2775)
    yield root
    if not os.environ.get("KEEP_SHARED"):
        shutil.rmtree(root, ignore_errors=True)


def as_user(uid_gid: tuple[int, int], work: Callable[[], None]) -> int:
    """Run ``work`` in a child process as another account, under umask 002; its exit code."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([uid_gid[1]])
            os.setgid(uid_gid[1])
            os.setuid(uid_gid[0])
            os.umask(0o002)
            work()
            code = 0
        except BaseException:  # the test reads the exit code; the traceback helps when it fails
            import traceback

            os.write(2, f"as uid {uid_gid[0]}: {traceback.format_exc()}\n".encode())
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_two_accounts_share_the_index_and_see_each_others_annotations(
    accounts: dict[str, tuple[int, int]], shared: Path
) -> None:
    corpus, state = shared / "corpus", shared / "state"

    def alice() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            library.update()
            library.annotate_quote("report-0.txt", "Diplomats met", tags=["alice-tag"])
            library.sync_annotations()

    def bob() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            library.update()  # the index alice built, written by bob now
            found = library.annotations_of("report-0.txt")
            (theirs,) = found.placed
            assert theirs.annotation.author == "ndalice" and not theirs.own
            try:
                library.annotations.delete(theirs.annotation.article_id, theirs.annotation.id)
            except AnnotationError:
                pass
            else:
                raise AssertionError("bob deleted alice's annotation")
            library.annotate_quote("report-0.txt", "in Geneva", tags=["bob-tag"])
            library.sync_annotations()
            assert library.search("tag:alice-tag").total == 1 and library.search("tag:bob-tag").total == 1

    assert as_user(accounts["ndalice"], alice) == 0
    assert as_user(accounts["ndbob"], bob) == 0
    folder = next((state / "annotations").iterdir())
    for user in USERS:
        info = (folder / f"{user}.yaml").stat()
        assert pwd.getpwuid(info.st_uid).pw_name == user
        # writable by its owner only, even under umask 002; the group can read it
        assert stat.S_IMODE(info.st_mode) == 0o644 and grp.getgrgid(info.st_gid).gr_name == GROUP
    for level in (folder.parent, folder):  # others add their own file; only the folder's owner may remove yours
        assert level.stat().st_mode & (stat.S_ISGID | stat.S_ISVTX) == stat.S_ISGID | stat.S_ISVTX
    for path in state.rglob("*"):  # everything else the two wrote stays usable by the group
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o060 == 0o060 or path.suffix in (".yaml", ".lock"), (path, oct(mode))


def test_two_accounts_updating_at_once_both_succeed(accounts: dict[str, tuple[int, int]], shared: Path) -> None:
    corpus, state = shared / "corpus", shared / "state"
    for n in range(150):
        (corpus / f"more-{n}.txt").write_text(f"Report {n}\n\nMore talks, number {n}, in Geneva.\n")

    def update() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            library.update()
            assert library.search("Geneva").total == 151

    pids = []
    for user in USERS:
        pid = os.fork()
        if pid == 0:
            os._exit(as_user(accounts[user], update))
        pids.append(pid)
    assert [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids] == [0, 0]


def test_an_unreadable_file_is_one_warning_for_an_account_that_cannot_read_it(
    accounts: dict[str, tuple[int, int]], shared: Path
) -> None:
    corpus, state = shared / "corpus", shared / "state"
    secret = corpus / "secret.txt"
    secret.write_text("Hidden\n\nNobody in the group may read this.\n")
    secret.chmod(0o600)  # root's own file: the accounts cannot read it

    def update() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            stats = library.update()
            assert [w for w in stats.warnings if "secret.txt" in w] == [
                "secret.txt: skipped: cannot read: Permission denied"
            ]
            assert library.count() == 3

    assert as_user(accounts["ndalice"], update) == 0


def test_another_account_cannot_replace_delete_forge_or_redirect_annotations(
    accounts: dict[str, tuple[int, int]], shared: Path
) -> None:
    corpus, state = shared / "corpus", shared / "state"
    outside = shared / "bob-elsewhere"

    def alice_first() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            library.update()
            library.annotate_quote("report-0.txt", "Diplomats met", tags=["alice-tag"], note="mine")
            (state / "alice-export.yaml").write_text(library.export_annotations("yaml"))

    def bob_attacks() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            article_id = library.article("report-0.txt").id
            folder = state / "annotations" / article_id
            mine = folder / "ndalice.yaml"
            forged = folder / "ndbob.yaml"
            for attempt in (lambda: mine.unlink(), lambda: mine.write_text("annotations: []\n")):
                try:
                    attempt()
                except PermissionError:
                    pass
                else:
                    raise AssertionError("bob changed alice's file")
            text = mine.read_text()  # readable: the group shares annotations
            forged.write_text(text)  # bob's own file, claiming to be alice's annotation
            try:
                os.rename(forged, mine)
            except PermissionError:
                pass
            else:
                raise AssertionError("bob replaced alice's file")
            # bob's import of alice's export: new ids (alice's are present), owned by bob
            exported = (state / "alice-export.yaml").read_text().replace("alice-tag", "bob-imported")
            forged.unlink()
            # a folder for another article, planted as a link to bob's own folder
            outside.mkdir()
            other_id = library.article("report-1.txt").id
            (state / "annotations" / other_id).symlink_to(outside)
            (state / "bob-import.yaml").write_text(exported.replace(text.split("id: ")[1].split("\n")[0], "x" * 8))
            library.import_annotations((state / "bob-import.yaml").read_text(), "bob-import.yaml")
            (folder / "ndbob.yaml").write_text(
                (folder / "ndbob.yaml").read_text().replace("author: ndbob", "author: ndalice")
            )

    def alice_checks() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            found = library.annotations_of("report-0.txt")
            by_tag = {p.annotation.tags[0]: p.annotation for p in found.placed}
            assert by_tag["alice-tag"].author == "ndalice" and not by_tag["alice-tag"].claimed_author
            imported = by_tag["bob-imported"]
            # the file says ndalice; the file system says ndbob wrote it: flagged, never believed
            assert imported.author == "ndbob" and imported.claimed_author == "ndalice"
            assert imported.imported_from == "ndalice"
            try:
                library.annotate_quote("report-1.txt", "Diplomats met", tags=["redirected?"])
            except AnnotationError as exc:
                assert "symbolic link" in str(exc) and "\n" not in str(exc)
            else:
                raise AssertionError("alice saved through bob's symlink")
            assert list(outside.iterdir()) == []

    assert as_user(accounts["ndalice"], alice_first) == 0
    assert as_user(accounts["ndbob"], bob_attacks) == 0
    assert as_user(accounts["ndalice"], alice_checks) == 0


def test_the_owner_of_an_article_folder_can_replace_anothers_file_and_it_shows(
    accounts: dict[str, tuple[int, int]], shared: Path
) -> None:
    """The known gap of docs/reliability.md: a sticky folder's owner may remove any file in it.

    What it puts in place is attributed to it (the file's owner), flagged, and the
    victim's next save there is one line naming the owner: nothing is believed.
    """
    corpus, state = shared / "corpus", shared / "state"

    def annotate(tag: str) -> Callable[[], None]:
        def work() -> None:
            with Library.open(corpus, state_dir=state, config=Config()) as library:
                library.update()
                library.annotate_quote("report-0.txt", "Diplomats met", tags=[tag])

        return work

    def alice_replaces_bobs_file() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            folder = state / "annotations" / library.article("report-0.txt").id
            bobs = folder / "ndbob.yaml"
            forged = folder / "forged.tmp"
            forged.write_text(bobs.read_text().replace("bob-tag", "forged-tag"))
            os.rename(forged, bobs)  # allowed: alice owns the sticky folder

    def bob_checks() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            found = library.annotations_of("report-0.txt")
            forged = next(p.annotation for p in found.placed if p.annotation.tags == ("forged-tag",))
            assert forged.author == "ndalice" and forged.claimed_author == "ndbob"
            try:
                library.annotate_quote("report-0.txt", "Diplomats met", tags=["again"])
            except AnnotationError as exc:
                assert "owned by ndalice" in str(exc) and "\n" not in str(exc)
            else:
                raise AssertionError("bob saved into a file alice owns")

    assert as_user(accounts["ndalice"], annotate("alice-tag")) == 0
    assert as_user(accounts["ndbob"], annotate("bob-tag")) == 0
    assert as_user(accounts["ndalice"], alice_replaces_bobs_file) == 0
    assert as_user(accounts["ndbob"], bob_checks) == 0


def test_only_the_article_folders_owner_can_delete_anothers_file(
    accounts: dict[str, tuple[int, int]], shared: Path
) -> None:
    """The sticky folder's limit, pinned: its owner (the article's first annotator) may unlink your file; no one else.

    docs/reliability.md says so in "Many users"; index/annotations/files.py says so too.
    """
    corpus, state = shared / "corpus", shared / "state"

    def annotate(tag: str) -> Callable[[], None]:
        def work() -> None:
            with Library.open(corpus, state_dir=state, config=Config()) as library:
                library.update()
                library.annotate_quote("report-0.txt", "Diplomats met", tags=[tag])

        return work

    def folder_of(library: Library) -> Path:
        return state / "annotations" / library.article("report-0.txt").id

    def bob_cannot_delete_alices_file() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            folder = folder_of(library)
            for attempt in (
                lambda: (folder / "ndalice.yaml").unlink(),
                lambda: os.rename(folder / "ndalice.yaml", folder / "gone.yaml"),
            ):
                try:
                    attempt()
                except PermissionError:
                    pass
                else:
                    raise AssertionError("bob, who does not own the folder, removed alice's file")

    def alice_deletes_bobs_file() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            (folder_of(library) / "ndbob.yaml").unlink()  # allowed: alice owns the sticky folder

    def bob_finds_his_annotation_gone_and_saves_again() -> None:
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            found = library.annotations_of("report-0.txt")
            assert [p.annotation.tags for p in found.placed] == [("alice-tag",)] and found.errors == []  # no warning
            library.annotate_quote("report-0.txt", "in Geneva", tags=["bob-again"])  # his own file, new
            assert {p.annotation.author for p in library.annotations_of("report-0.txt").placed} == set(USERS)

    assert as_user(accounts["ndalice"], annotate("alice-tag")) == 0
    assert as_user(accounts["ndbob"], annotate("bob-tag")) == 0
    (folder,) = (state / "annotations").iterdir()
    assert folder.stat().st_uid == accounts["ndalice"][0]  # the first to annotate the article owns its folder
    assert as_user(accounts["ndbob"], bob_cannot_delete_alices_file) == 0
    assert (folder / "ndalice.yaml").exists()
    assert as_user(accounts["ndalice"], alice_deletes_bobs_file) == 0
    assert not (folder / "ndbob.yaml").exists()
    assert as_user(accounts["ndbob"], bob_finds_his_annotation_gone_and_saves_again) == 0


def test_folders_above_a_file_can_be_renamed_out_of_view_by_their_owners_and_the_group(
    accounts: dict[str, tuple[int, int]], shared: Path
) -> None:
    """What sticky folders cannot stop (docs/reliability.md, "Many users"): renaming whole folders.

    The files survive, renamed; the reader no longer finds them. An article folder yields to its
    own owner and to the owner of ``annotations/``; ``annotations/`` to any member of the group,
    because the shared state folder has to stay group-writable (and not sticky) for the index.
    """
    corpus, state = shared / "corpus", shared / "state"

    def annotate(ref: str, tag: str) -> Callable[[], None]:
        def work() -> None:
            with Library.open(corpus, state_dir=state, config=Config()) as library:
                library.update()
                library.annotate_quote(ref, "Diplomats met", tags=[tag])

        return work

    def alice_moves_bobs_folder() -> None:  # alice annotated first: she owns annotations/
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            folder = state / "annotations" / library.article("report-1.txt").id
            os.rename(folder, folder.with_name("moved"))

    def bob_moves_his_folder_back() -> None:  # he owns that article's folder, not annotations/
        with Library.open(corpus, state_dir=state, config=Config()) as library:
            os.rename(state / "annotations" / "moved", state / "annotations" / library.article("report-1.txt").id)

    def bob_moves_annotations() -> None:
        os.rename(state / "annotations", state / "annotations-moved")

    def bob_sees(expected: dict[str, int]) -> Callable[[], None]:
        def work() -> None:
            with Library.open(corpus, state_dir=state, config=Config()) as library:
                found = {ref: library.annotations_of(ref) for ref in expected}
                assert {ref: len(f.placed) for ref, f in found.items()} == expected, found
                assert all(f.errors == [] for f in found.values()) and library.all_annotations()[1] == []  # no warning

        return work

    assert as_user(accounts["ndalice"], annotate("report-0.txt", "alice-tag")) == 0
    assert as_user(accounts["ndbob"], annotate("report-1.txt", "bob-tag")) == 0
    assert (state / "annotations").stat().st_uid == accounts["ndalice"][0]
    assert as_user(accounts["ndbob"], bob_sees({"report-0.txt": 1, "report-1.txt": 1})) == 0
    assert as_user(accounts["ndalice"], alice_moves_bobs_folder) == 0
    assert as_user(accounts["ndbob"], bob_sees({"report-0.txt": 1, "report-1.txt": 0})) == 0
    assert (state / "annotations" / "moved" / "ndbob.yaml").exists()  # out of view, not deleted
    assert as_user(accounts["ndbob"], bob_moves_his_folder_back) == 0
    assert as_user(accounts["ndbob"], bob_sees({"report-0.txt": 1, "report-1.txt": 1})) == 0
    assert as_user(accounts["ndbob"], bob_moves_annotations) == 0
    assert as_user(accounts["ndbob"], bob_sees({"report-0.txt": 0, "report-1.txt": 0})) == 0
    assert len(list((state / "annotations-moved").glob("*/ndbob.yaml"))) == 1
