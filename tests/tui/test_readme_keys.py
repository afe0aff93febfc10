"""The README's key table says what the reader's key table (KEY_TABLE, what ? shows) does.

Every key the README names, row by row, is written here with the binding id it stands for;
the test checks each binding has that key. A README row added, removed or reworded fails
until it is written down here too, so the two tables cannot drift apart unnoticed. The README
does not claim to list every binding (``?`` does), so bindings it leaves out are not missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsdesk.tui.app import KEY_TABLE
from textual.binding import Binding
from textual.keys import _character_to_key

README = Path(__file__).parents[2] / "README.md"

ROWS: dict[str, dict[str, tuple[str, ...] | None]] = {
    # first cell of a README row: {key as the README spells it: the binding ids it runs, None: not a binding}
    "`/`": {
        "/": ("app.search",),
        "Enter": ("search.submit",),
        **dict.fromkeys(("pak", "pake", "pak*")),  # query text, not keys
    },
    "`Enter`": {"Enter": ("list.open",)},
    "`Esc`": {"Esc": ("app.back",)},
    "`Tab`, `shift+Tab`": {"Tab": ("app.next_pane",), "shift+Tab": ("app.prev_pane",)},
    "`j`/`k`, arrows": {"j": ("list.down", "reader.down"), "k": ("list.up", "reader.up")},
    "`space`/`b`, `g`/`G`": {
        "space": ("list.page_down", "reader.page_down"),
        "b": ("list.page_up", "reader.page_up"),
        "g": ("list.top", "reader.top"),
        "G": ("list.bottom", "reader.bottom"),
    },
    "`[`, `]`": {"[": ("app.prev_article",), "]": ("app.next_article",)},
    "`n`, `N`": {"n": ("reader.next_hit",), "N": ("reader.prev_hit",)},
    "`e`; `1` `2` `3`": {
        "e": ("entities.toggle",),
        "1": ("entities.person",),
        "2": ("entities.org",),
        "3": ("entities.place",),
    },
    "side panel": {
        "h": ("panel.prev_tab",),
        "l": ("panel.next_tab",),
        "Enter": ("entities.next_mention", "facets.filter"),
        "c": ("entities.in_corpus",),
        "x": ("facets.exclude",),
        **dict.fromkeys(('field:"value"', 'NOT field:"value"')),
    },
    "`v`": {
        "v": ("reader.select",),
        "h": ("select.char_left",),
        "l": ("select.char_right",),
        "w": ("select.word_right",),
        "b": ("select.word_left",),
        "j": ("reader.down",),  # a line: the reader's own scroll keys extend a selection
        "k": ("reader.up",),
        "(": ("select.sentence_left",),
        ")": ("select.sentence_right",),
        "{": ("select.paragraph_left",),
        "}": ("select.paragraph_right",),
        "s": ("select.sentence",),
        "S": ("select.paragraph",),
        "Esc": ("select.cancel",),
    },
    "`t`, `a`": {"t": ("reader.tag",), "a": ("reader.note",), "Esc": ("annotate.cancel",)},
    "`>`, `<`": {">": ("reader.next_annotation",), "<": ("reader.prev_annotation",)},
    "Notes tab": {
        "Enter": ("annotations_tab.goto",),
        "e": ("annotations_tab.edit",),
        "d": ("annotations_tab.delete",),
        "u": ("annotations_tab.undo",),
    },
    "`A`": {
        "A": ("annotations.view",),
        **dict.fromkeys(("tag:", "author:", "orphan:yes")),
        "Enter": None,  # the list widget's own selection, not a KEY_TABLE binding
    },
    "Saved tab, `S`": {"S": ("saved.tab",), "Enter": ("saved.run",), "d": ("saved.remove",)},
    "`ctrl+s`": {"ctrl+s": ("saved.save",)},
    "`z`": {
        "z": ("timeline.focus",),
        "h": ("timeline.earlier",),
        "l": ("timeline.later",),
        "Enter": ("timeline.narrow",),
        "date:[a to b]": None,
    },
    "`m`": {"m": ("similar.open",), "Enter": None},  # the dialog's list selects with its own Enter
    "`r` (result list)": {"r": ("list.copies",), "+N copies": None},
    "`p`": {"p": ("app.toggle_panel",)},
    "`T`": {"T": ("app.theme",)},
    "`?`": {"?": ("app.help",), "ctrl+p": ("app.palette",)},
    "`q`": {"q": ("app.quit",)},
}

SPELLED = {"Enter": "enter", "Esc": "escape", "Tab": "tab", "shift+Tab": "shift+tab", "space": "space"}


def readme_rows() -> dict[str, list[str]]:
    """The reader's key table in the README: first cell -> every `quoted` token in the row."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| keys | what |\n| --- | --- |\n", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines():
        first, rest = line.strip("|").split(" | ", 1)
        rows[first.strip()] = re.findall(r"`([^`]+)`", first + rest)
    return rows


def textual_key(key: str) -> str:
    return SPELLED.get(key) or (_character_to_key(key) if len(key) == 1 else key)


def test_every_key_in_the_readme_table_is_written_down_here() -> None:
    rows = readme_rows()
    assert set(rows) == set(ROWS), "README key table rows changed: update ROWS"
    for first, tokens in rows.items():
        assert set(tokens) == set(ROWS[first]), (first, set(tokens) ^ set(ROWS[first]))


def test_every_key_the_readme_names_runs_that_binding() -> None:
    bindings = {b.id: b for row in KEY_TABLE for b in row.bindings if isinstance(b, Binding) and b.id}
    for first, keys in ROWS.items():
        for key, binding_ids in keys.items():
            for binding_id in binding_ids or ():
                assert binding_id in bindings, (first, key, binding_id)
                bound = [k.strip() for k in bindings[binding_id].key.split(",")]
                assert textual_key(key) in bound, (first, key, binding_id, bound)
