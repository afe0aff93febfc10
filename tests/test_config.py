"""config.yaml: documented defaults, strict validation, lookup order, paths."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from newsdesk.index.config import Config, load_config
from newsdesk.index.errors import ConfigError

from .conftest import examples

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"


def test_repository_config_documents_exactly_the_defaults() -> None:
    loaded = asdict(load_config(REPO_CONFIG))
    defaults = asdict(Config())
    loaded.pop("source")
    defaults.pop("source")
    assert loaded == defaults


def test_no_file_means_defaults() -> None:
    assert load_config() == Config()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("search:\n  limt: 5\n", "unknown key 'search.limt'"),
        ("colour: red\n", "unknown key 'colour'"),
        ("search:\n  page_size: ten\n", "search.page_size: expected an integer"),
        ("search:\n  page_size: true\n", "search.page_size: expected an integer"),
        ("ingest:\n  extensions: .txt\n", "ingest.extensions: expected a list"),
        ("search:\n  date_bucket: week\n", "search.date_bucket: expected one of"),
        ("search:\n  page_size: 0\n", "search.page_size: must be greater than 0"),
        ("search:\n  facets: [colour]\n", "unknown facet 'colour'"),
        ("ingest:\n  boilerplate: ['(unclosed']\n", "boilerplate pattern"),
        ("search: [1, 2]\n", "search: expected a mapping"),
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("a: !!python/object:os.system x\n", "constructor"),
        ("search:\n  page_size: [\n", "line"),
    ],
)
def test_bad_config_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    path = tmp_path / "cfg" / "config.yaml"
    path.write_text("corpus: ../articles\nstate_dir: state\n")
    config = load_config(path)
    assert config.corpus == tmp_path / "cfg" / ".." / "articles"
    assert config.state_dir == tmp_path / "cfg" / "state"


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xdg = Path(__import__("os").environ["XDG_CONFIG_HOME"]) / "newsdesk"
    xdg.mkdir(parents=True)
    (xdg / "config.yaml").write_text("search:\n  page_size: 1\n")
    assert load_config().search.page_size == 1
    (Path.cwd() / "config.yaml").write_text("search:\n  page_size: 2\n")
    assert load_config().search.page_size == 2
    env_file = tmp_path / "env.yaml"
    env_file.write_text("search:\n  page_size: 3\n")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(env_file))
    assert load_config().search.page_size == 3
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("search:\n  page_size: 4\n")
    assert load_config(explicit).search.page_size == 4


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_empty_file_is_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# nothing\n")
    config = load_config(path)
    assert config.search == Config().search


@settings(max_examples=examples(200), deadline=None)
@given(boost=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**40), 10**40))
# Python writes these without a dot (repr), and PyYAML (YAML 1.1) reads a number without one, or with an
# exponent without a sign, as text: "expected a number, got '1e-05'" (red team, 2026-12-01).
@example(boost=1e-05)
@example(boost=5e-324)
@example(boost=1e-320)
@example(boost=1e3)
def test_a_title_boost_is_a_number_from_0_to_1000_or_one_line(tmp_path_factory, boost) -> None:
    """The red team: `title_boost: 1e39` gave a traceback from Whoosh while indexing (a float it cannot pack)."""
    folder = tmp_path_factory.mktemp("config")
    # As Python writes numbers (`1e-05`, which PyYAML alone reads as a string) and as YAML does.
    as_python = f"search:\n  title_boost: {boost!r}\n".replace("nan", ".nan").replace("inf", ".inf")
    for number, written in enumerate((as_python, yaml.safe_dump({"search": {"title_boost": boost}}))):
        path = folder / f"config{number}.yaml"
        path.write_text(written, encoding="utf-8")
        if 0 <= boost <= 1000:  # false for NaN too
            assert load_config(path).search.title_boost == boost
        else:
            with pytest.raises(ConfigError) as caught:
                load_config(path)
            assert "search.title_boost" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("written", "read"), [("1e3", 1000.0), ("1.5e2", 150.0), ("-0.0", 0.0), ("1e-320", 1e-320), ("2E+1", 20.0)]
)
def test_a_number_with_an_exponent_is_a_number(tmp_path: Path, written: str, read: float) -> None:
    """PyYAML reads ``1e3`` and ``1.5e2`` as text (YAML 1.1 wants a dot and a signed exponent)."""
    path = tmp_path / "config.yaml"
    path.write_text(f"search:\n  title_boost: {written}\n", encoding="utf-8")
    assert load_config(path).search.title_boost == read


@pytest.mark.parametrize("written", ['"2"', "true", "1e", "e3", "1e3x", '"1_000"', "1000.0000001", "1e4"])
def test_a_title_boost_that_is_not_a_number_from_0_to_1000_is_one_line(tmp_path: Path, written: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"search:\n  title_boost: {written}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "search.title_boost" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_config_path_that_is_not_a_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """A FIFO (or a folder) given as the config file was "config file not found" (red team on serve):
    the user looked for a missing file that was there. It is refused without being opened."""
    import os

    path = tmp_path / "config.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    with pytest.raises(ConfigError, match="not a regular file; a config file must be one"):
        load_config(path)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(path))
    with pytest.raises(ConfigError, match=r"not a regular file.*\(from \$NEWSDESK_CONFIG\)"):
        load_config()
