"""Every mention of one entity across the corpus, as keyword-in-context lines; Enter opens one."""

from __future__ import annotations

from typing import ClassVar

from newsdesk.index import EntityContext
from newsdesk.tui.dialogs.list_dialog import ListDialog
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

LEFT_CHARS = 32


def kwic_line(context: EntityContext) -> Text:
    """``date  source  …left MATCH right…`` with the match highlighted; all plain text, no markup."""
    left = clean_line(context.left)
    right = clean_line(context.right)
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    line.append(f"{clean_line(context.date) or '':<10} ", style="dim")
    line.append(f"{clean_line(context.source)[:18]:<18} ", style="dim")
    line.append(("…" + left[-LEFT_CHARS:]) if len(left) > LEFT_CHARS else left.rjust(LEFT_CHARS + 1))
    line.append(" " if context.left[-1:].isspace() else "")
    line.append(clean_line(context.match), style="bold reverse")
    line.append(" " if context.right[:1].isspace() else "")
    line.append(right)
    return line


class MentionsDialog(ListDialog[tuple[str, int, int] | None]):
    """Lists mentions; dismisses with (article id, start, end) of the one picked, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "Close", id="mentions.close"),
        Binding("j", "cursor(1)", "Down", show=False, id="mentions.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="mentions.up"),
    ]

    def __init__(self, canonical: str, entity_type: str, contexts: list[EntityContext]) -> None:
        super().__init__()
        self.canonical = canonical
        self.entity_type = entity_type
        self.contexts = contexts

    def compose(self) -> ComposeResult:
        articles = len({c.article_id for c in self.contexts})
        title = Text(f"{clean_line(self.canonical)}", style="bold")
        title.append(f"  {self.entity_type} · {len(self.contexts)} mentions in {articles} articles", style="dim")
        with Vertical(id="mentions-body"):
            yield Static(title, id="mentions-title")
            options = [Option(kwic_line(c), id=str(i)) for i, c in enumerate(self.contexts)]
            yield OptionList(*options, id="mentions-list")
            yield Static(Text("enter: open the article there · esc: close", style="dim"))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        context = self.contexts[int(event.option.id or 0)]
        self.dismiss((context.article_id, context.start, context.end))
