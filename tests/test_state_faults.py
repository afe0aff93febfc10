"""Damaged state heals itself: a fault injector over the state folder, a full disk, a read-only folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.tui.cli import main

from tests.conftest import ARTICLES, PROFILE, write

FAULTS = ("truncate", "empty", "garble", "delete", "chmod")
"""Every fault is tried on every file of the state folder: 7 files x 5 faults x 3 commands, a few seconds."""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A small corpus and its state folder, indexed and annotated once."""
    root = tmp_path_factory.mktemp("pristine")
    corpus = root / "corpus"
    for relpath, text in ARTICLES.items():
        write(corpus, relpath, text)
    with Library.open(corpus, state_dir=root / "state", config=Config()) as lib:
        lib.update()
        lib.annotate("reports/shelling.txt", 0, 8, ["kept"], note="a note")
        lib.sync_annotations()
    yield corpus, root / "state"


def _state_files(state: Path) -> list[Path]:
    return sorted(p for p in state.rglob("*") if p.is_file() and p.name != "update.lock")


def _inject(path: Path, fault: str, seed: int) -> None:
    data = path.read_bytes()
    if fault == "truncate":
        path.write_bytes(data[: seed % max(len(data), 1)])
    elif fault == "empty":
        path.write_bytes(b"")
    elif fault == "garble":
        garbled = bytearray(data)
        for offset in range(seed % 97, len(garbled), 97):
            garbled[offset] ^= 0xA5
        path.write_bytes(bytes(garbled or b"\xa5"))
    elif fault == "delete":
        path.unlink()
    elif fault == "chmod":
        path.chmod(0)


COMMANDS = (("search", "mercenary"), ("annotations", "list"), ("index",))
"""What may run first after a fault: a search, the annotation listing, an update."""


SEEDS = (4099, 65537) if PROFILE != "long" else (4099, 65537, 1, 2, 3, 7, 96, 97, 98, 511, 512, 4096)
"""Where truncate cuts and garble starts (offset modulo the file size): two in CI (65537 found an OverflowError
escaping from a garbled segment), a dozen in bench/fuzz.py."""


def _check_fault(
    capsys: pytest.CaptureFixture[str],
    corpus: Path,
    clean_state: Path,
    state: Path,
    pick: int,
    fault: str,
    seed: int = SEEDS[0],
) -> None:
    """Damage the ``pick``-th file of a fresh copy of the state with ``fault``; run each command first
    in a copy of its own: it answers (warning in one line at most) or says one line; the next search
    has healed."""
    for number, command in enumerate(COMMANDS):
        copy = state.with_name(f"{state.name}-{number}")
        shutil.copytree(clean_state, copy)
        target = _state_files(copy)[pick]
        where = (str(target.relative_to(copy)), fault, command)
        _inject(target, fault, seed)
        common = ["--corpus", str(corpus), "--state-dir", str(copy)]
        code, out, err = run(capsys, *command, *common)
        assert "Traceback" not in err, (*where, err)
        assert code in (0, 1, 2) and err.count("\n") <= 1, (*where, err)
        assert code == 0 or err.count("\n") == 1, (*where, err)
        for line in err.splitlines():
            assert line.startswith("newsdesk: "), (*where, err)
        # The one after that has healed: the same answers as before the fault.
        target.chmod(0o644) if target.exists() else None
        code, out, err = run(capsys, "search", "mercenary", *common)
        assert code == 0 and out.startswith("2 hits"), (*where, out, err)
        if "annotations" not in target.parts:  # a damaged annotation file is the annotation store's business
            code, out, err = run(capsys, "search", "tag:kept", *common)
            assert code == 0 and out.startswith("1 hit "), (*where, out, err)
        assert len(list(copy.glob("whoosh-*"))) == 1, where


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_in_every_state_file_is_one_line_then_heals(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    pristine: tuple[Path, Path],
    fault: str,
) -> None:
    """Each fault on each file of the state folder, every combination, in a fresh copy each."""
    corpus, clean_state = pristine
    files = _state_files(clean_state)
    assert len(files) >= 7  # the store, the index folder's files, an annotation file
    for pick in range(len(files)):
        for seed in SEEDS if fault in ("truncate", "garble") else SEEDS[:1]:
            _check_fault(capsys, corpus, clean_state, tmp_path / f"state-{pick}-{seed}", pick, fault, seed)


def test_a_damaged_store_is_rebuilt_by_rebuild_too(
    capsys: pytest.CaptureFixture[str], pristine: tuple[Path, Path], tmp_path: Path
) -> None:
    """Issue 11, item 8: `--rebuild` failed the same way as everything else, with no hint."""
    corpus, clean_state = pristine
    state = tmp_path / "state"
    shutil.copytree(clean_state, state)
    (state / "articles.db").write_bytes(b"not a database" * 100)
    code, out, err = run(capsys, "index", "--rebuild", "--corpus", str(corpus), "--state-dir", str(state))
    assert code == 0 and "3 added" in out, err
    assert err.count("article store is damaged") == 1 and "set aside" in err
    assert (state / "damaged-articles.db").exists()
    with Library.open(corpus, state_dir=state, config=Config()) as lib:
        assert lib.search("tag:kept").total == 1  # annotations are files: untouched


def test_annotations_replaced_by_a_file_is_one_line(
    capsys: pytest.CaptureFixture[str], pristine: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, clean_state = pristine
    state = tmp_path / "state"
    shutil.copytree(clean_state, state)
    shutil.rmtree(state / "annotations")
    (state / "annotations").write_text("oops")
    _, _, err = run(capsys, "annotations", "list", "--corpus", str(corpus), "--state-dir", str(state))
    assert err.count("\n") == 1 and "annotations is not a folder" in err, err


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs: room for the store, not for the index."""
    if not _can_mount():
        pytest.skip("needs root to mount a small tmpfs")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_says_so_in_one_line_and_leaves_no_half_built_index(
    capsys: pytest.CaptureFixture[str], pristine: tuple[Path, Path], small_disk: Path, tmp_path: Path
) -> None:
    corpus, clean_state = pristine
    state = small_disk / "state"
    shutil.copytree(clean_state, state)
    common = ["--corpus", str(corpus), "--state-dir", str(state)]
    filler = small_disk / "filler"
    with open(filler, "wb") as handle:  # fill the disk to the last block
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    code, out, err = run(capsys, "index", "--rebuild", *common)
    assert code == 1 and err == f"newsdesk: error: no space left on device: {state}\n", err
    assert len(list(state.glob("whoosh-*"))) == 1  # the old index; no half-built folder
    code, out, err = run(capsys, "search", "mercenary", *common)  # read-only commands keep working
    assert code == 0 and "2 hits" in out, err
    assert err.count("\n") <= 1 and "Traceback" not in err
    filler.unlink()
    code, out, err = run(capsys, "index", *common)
    assert code == 0, err
    code, out, err = run(capsys, "search", "mercenary", *common)
    assert code == 0 and out.startswith("2 hits") and err == ""


def test_a_read_only_state_folder_still_lets_people_search(
    capsys: pytest.CaptureFixture[str], pristine: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, clean_state = pristine
    state = tmp_path / "state"
    shutil.copytree(clean_state, state)
    view = tmp_path / "read-only"
    view.mkdir()
    if os.geteuid() == 0:
        if (
            subprocess.run(["mount", "--bind", str(state), str(view)]).returncode
            or subprocess.run(["mount", "-o", "remount,bind,ro", str(view)]).returncode
        ):
            pytest.skip("cannot make a read-only bind mount here")
    else:
        view.rmdir()
        view = state
        for path in [state, *state.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
    try:
        common = ["--corpus", str(corpus), "--state-dir", str(view)]
        code, out, err = run(capsys, "search", "mercenary", *common)
        assert code == 0 and out.startswith("2 hits"), err
        code, out, err = run(capsys, "show", "reports/shelling.txt", *common)
        assert code == 0 and "Stepanakert" in out, err
        code, out, err = run(capsys, "index", *common)
        assert code == 1 and err.count("\n") == 1 and "cannot update" in err, err
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(view)], check=False)


def test_searches_during_an_incremental_update_never_see_a_damaged_index(
    pristine: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between Whoosh's commit and the manifest being recorded, the folder is newer, not damaged."""
    import newsdesk.index.indexer as indexer_module

    corpus, clean_state = pristine
    shutil.copytree(corpus, tmp_path / "corpus")
    shutil.copytree(clean_state, tmp_path / "state")
    seen: list[int] = []
    with (
        Library.open(tmp_path / "corpus", state_dir=tmp_path / "state", config=Config()) as lib,
        Library.open(tmp_path / "corpus", state_dir=tmp_path / "state", config=Config()) as reader,
    ):
        real_mark = indexer_module.Indexer._mark_synced

        def search_then_mark(self: object, dir_name: str) -> None:
            seen.append(reader.search("mercenary").total)  # committed, manifest not yet recorded
            real_mark(self, dir_name)

        monkeypatch.setattr(indexer_module.Indexer, "_mark_synced", search_then_mark)
        (tmp_path / "corpus" / "reports" / "more.txt").write_text("More\n\nAnother mercenary was seen.\n")
        stats = lib.update()
        assert not stats.rebuilt_index and stats.repairs == []
    assert seen == [3]
