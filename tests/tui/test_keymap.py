"""One table of key bindings: what ? shows is what ui.keymap accepts, and a key that is no key is refused."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import newsdesk.tui
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, ConfigError, NewsdeskError, load_config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import KEY_TABLE, binding_ids, close_library, make_app
from newsdesk.tui.cli import main
from newsdesk.tui.keymap import check_keymap, is_key_name
from newsdesk.tui.screens.help import HelpScreen
from newsdesk.tui.screens.main import MainScreen
from textual.binding import Binding

from tests.tui.conftest import settle, toasts


def ids_in_help(screen: HelpScreen) -> set[str]:
    return {item.binding_id for _, items in screen.sections for item in items if item.binding_id}


async def test_every_id_the_help_shows_is_accepted_and_remaps(demo_state: Path) -> None:
    probe = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with probe.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(probe.screen, HelpScreen)
        shown = ids_in_help(probe.screen)
    close_library(probe.library)
    # The drift the table ended: these were listed by ? yet refused as "unknown".
    assert {"reader.tag", "annotations.view", "annotations_tab.delete", "app.palette"} <= shown
    assert shown == binding_ids()

    config = Config()
    config.ui.keymap = dict.fromkeys(shown, "f24") | {"app.help": "f23"}
    app = make_app(demo_corpus(), config, demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert not [toast for toast in toasts(app) if "keymap" in toast]
        await pilot.press("question_mark")  # remapped to f23: no help
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f23")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {item.binding_id: item.keys for _, items in app.screen.sections for item in items}
        assert keys.pop("app.help") == "f23"
        assert set(keys.values()) == {"f24"}
    close_library(app.library)


def test_every_binding_with_an_id_is_in_the_table() -> None:
    """A new dialog's bindings must be added to KEY_TABLE, or ? would not show them."""
    tabled = {id(b) for row in KEY_TABLE for b in row.bindings}
    missing = []
    for module_info in pkgutil.walk_packages(newsdesk.tui.__path__, "newsdesk.tui."):
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            own = cls.__dict__.get("BINDINGS")
            if cls.__module__ != module.__name__ or not own:
                continue
            if any(isinstance(b, Binding) and b.id and id(b) not in tabled for b in own):
                missing.append(f"{module.__name__}.{name}")
    assert missing == []


@pytest.mark.parametrize(
    "keys",
    [
        "ctrl+zz",
        "zz",
        "",
        "x,,y",
        " ",
        "ctrl+",
        "F5",
        "latin_small_letter_q",
        "ctrl+ctrl+x",
        "\x1b",
        "\u2028",
        "question mark",
    ],
)
def test_a_key_that_is_no_key_is_refused(keys: str) -> None:
    with pytest.raises(ConfigError) as refused:
        check_keymap({"app.quit": keys}, "config.yaml")
    assert "\n" not in str(refused.value) and "app.quit" in str(refused.value)


@pytest.mark.parametrize(
    "key",
    [
        "x",
        "Q",
        "é",
        "?",
        "question_mark",
        "ctrl+s",
        "shift+tab",
        "f5",
        "escape",
        "left_square_bracket",
        "full_stop",
        "slash",
        "pageup",
        "space",
        "alt+ctrl+x",
    ],
)
def test_real_keys_are_accepted(key: str) -> None:
    assert is_key_name(key)
    check_keymap({"app.quit": f"{key}, q"}, "config.yaml")


def test_the_cli_refuses_a_bad_key_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text('ui:\n  keymap:\n    app.quit: "ctrl+zz"\n', encoding="utf-8")
    assert main([str(demo_corpus()), "--config", str(config_file), "--state-dir", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("newsdesk: error: ") and "'ctrl+zz' is not a key name" in err
    assert not (tmp_path / "s").exists()  # refused before anything was opened


async def test_a_remapped_quit_quits_and_q_no_longer_does(demo_state: Path) -> None:
    config = Config()
    config.ui.keymap = {"app.quit": "ctrl+x"}
    app = make_app(demo_corpus(), config, demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert not app.is_running
    close_library(app.library)


YAML_SIGNIFICANT = st.sampled_from(
    [
        "...",
        "---",
        "|",
        ">",
        "#",
        ": ",
        "- ",
        "\u2028",
        "\u2029",
        "\x85",
        "\ufeff",
        "\n",
        "\r\n",
        "'",
        '"',
        "{",
        "[",
        "&a",
        "*a",
        "!!python/object",
    ]
)
TEXT = st.one_of(
    st.text(),
    st.lists(YAML_SIGNIFICANT | st.text(max_size=3), max_size=8).map("".join),
    st.sampled_from(["", "x" * 100_000, "ctrl+" * 1000, ",".join(["x"] * 1000)]),
)
KEYMAP_VALUE = st.one_of(TEXT, st.integers(), st.none(), st.booleans(), st.lists(st.text(max_size=3), max_size=3))
BINDING_ID = st.one_of(st.sampled_from(sorted(binding_ids())), TEXT)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keymap=st.one_of(st.dictionaries(BINDING_ID, KEYMAP_VALUE, max_size=4), TEXT))
def test_any_keymap_in_config_yaml_is_one_line_or_accepted(tmp_path: Path, keymap: object) -> None:
    config_file = tmp_path / "config.yaml"
    if isinstance(keymap, str):  # raw text under the key: whatever YAML makes of it
        text = "ui:\n  keymap: " + keymap
    else:
        text = yaml.safe_dump({"ui": {"keymap": keymap}}, allow_unicode=True)
    config_file.write_text(text, encoding="utf-8")
    try:
        config = load_config(config_file)
        check_keymap(config.ui.keymap, str(config_file))
    except NewsdeskError as refused:
        assert "\n" not in str(refused) and "\r" not in str(refused)
        return
    for keys in config.ui.keymap.values():  # accepted: Textual takes every key, and each one is a key
        assert list(Binding.make_bindings([Binding(keys, "quit")]))
        assert all(is_key_name(key.strip()) for key in keys.split(","))


def test_config_yaml_names_the_theme_key_the_app_has() -> None:
    """config.yaml's comment on ui.theme names the key that opens the theme picker."""
    text = (Path(__file__).resolve().parents[2] / "config.yaml").read_text(encoding="utf-8")
    named = re.search(r'picked in the app \((\S+), or ctrl\+p "Theme"\)', text)
    assert named is not None
    theme = next(b for b in MainScreen.BINDINGS if isinstance(b, Binding) and b.id == "app.theme")
    assert named.group(1) == theme.key
