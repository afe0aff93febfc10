"""The help screen: every key binding, by pane, with its id for remapping in config.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One binding as the help screen lists it."""

    keys: str
    description: str
    binding_id: str


class HelpScreen(ModalScreen[None]):
    """Lists every binding; Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help.up"),
    ]

    def __init__(self, sections: list[tuple[str, list[KeyHelp]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("newsdesk keys", style="bold"), id="help-title")
            for title, keys in self.sections:
                table = Table(
                    title=Text(title, style="bold"),
                    title_justify="left",
                    box=None,
                    show_header=False,
                    padding=(0, 2, 0, 0),
                    expand=True,
                )
                table.add_column("keys", no_wrap=True, min_width=14)
                table.add_column("what", ratio=1)
                table.add_column("id", style="dim", no_wrap=True)
                for item in keys:
                    table.add_row(Text(item.keys), Text(item.description), Text(item.binding_id))
                yield Static(table, classes="help-section")
            yield Static(Text('Remap keys in config.yaml under ui.keymap: {binding id: "keys"}.', style="dim"))

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=lines, animate=False)
