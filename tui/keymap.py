"""Checking ``ui.keymap`` from config.yaml before the app uses it.

Textual accepts any string as a key: a binding remapped to ``"ctrl+zz"`` is
taken without a word and then never fires, so ``q`` silently stops quitting.
Here a keymap is checked against the ids the app really has and against the
key names a terminal can really send, and a bad one is refused with one line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from newsdesk.index import Config, ConfigError
from textual.binding import Binding, BindingType

# _character_to_key is how Textual names the key a typed character sends; the
# check must agree with it exactly, so it is used rather than copied.
from textual.keys import REPLACED_KEYS, Keys, _character_to_key, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
"""Modifiers Textual puts before a key name, as in ``ctrl+s`` or ``shift+tab``."""

NAMED_KEYS = frozenset(key.value for key in Keys) | frozenset(REPLACED_KEYS)
"""Names of keys that are not one printable character: ``escape``, ``f5``, ``pageup``, ``slash``…"""

EXAMPLE_KEYS = "x, X, ctrl+s, f5, escape, question_mark"


def is_key_name(key: str) -> bool:
    """True when ``key`` (one key, no commas) names a key a terminal can send, as Textual spells it."""
    *modifiers, base = key.split("+")
    if any(modifier not in MODIFIERS for modifier in modifiers) or len(set(modifiers)) != len(modifiers):
        return False
    if len(base) == 1:
        # One character is the key that types it; a control or separator character is not a key name.
        return base.isprintable() and not base.isspace()
    if base in NAMED_KEYS:
        return True
    # Textual spells other punctuation by its Unicode name: question_mark, full_stop, left_square_bracket;
    # a letter or digit it spells as itself, so "latin_small_letter_a" would never fire.
    character = key_to_character(base)
    return character is not None and len(character) == 1 and _character_to_key(character) == base


def unknown_binding_ids(keymap: Mapping[str, str], known_ids: Collection[str]) -> list[str]:
    """The keymap's binding ids the app does not have, sorted (they are ignored, and the app says so)."""
    return sorted(set(keymap) - set(known_ids))


def keys_given_away(own: Sequence[BindingType], others: Sequence[BindingType], keymap: Mapping[str, str]) -> set[str]:
    """Keys of ``own``'s bindings, left as they were, that ``keymap`` gave to one of ``others``'.

    Inside one node Textual lets the remapped binding have the key and drops the other. Across
    two nodes (Panes and the main screen) the one nearer focus kept the key and the user's remap
    never fired, so ``own``'s node gives these keys up. ``keymap`` as Textual normalises it.
    """
    remapped = [keymap[b.id] for b in others if isinstance(b, Binding) and b.id is not None and b.id in keymap]
    claimed = {key.strip() for keys in remapped for key in keys.split(",")}
    return {
        key.strip()
        for b in own
        if isinstance(b, Binding) and b.id not in keymap
        for key in b.key.split(",")
        if key.strip() in claimed
    }


def check_keymap(keymap: Mapping[str, str], where: str) -> None:
    """Refuse a keymap that binds something to a key that is no key (or to nothing), with one line.

    ``where`` names the config file in the message. Raises :class:`ConfigError`.
    """
    for binding_id, keys in keymap.items():
        for key in keys.split(","):
            key = key.strip()
            if not key:
                raise ConfigError(f"{where}: ui.keymap: {binding_id!r}: empty key in {keys!r}")
            if not is_key_name(key):
                raise ConfigError(
                    f"{where}: ui.keymap: {binding_id!r}: {key!r} is not a key name (for example {EXAMPLE_KEYS})"
                )


def config_name(config: Config) -> str:
    """How error messages name the config: its file, or "config" when it was built in code."""
    return str(config.source) if config.source is not None else "config"
