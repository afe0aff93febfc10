"""Articles like the open one (reprints first): the dialog behind ``m``; Enter opens one."""

from __future__ import annotations

from typing import ClassVar

from newsdesk.index import SimilarArticle
from newsdesk.tui.dialogs.list_dialog import ListDialog
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


def similar_line(item: SimilarArticle) -> Text:
    """``reprint 87%  date  source  title``, all plain text."""
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    line.append(f"{'reprint' if item.reprint else 'related':<8}", style="bold" if item.reprint else "dim")
    line.append(f"{item.overlap:>4.0%}  ", style="dim")
    line.append(f"{clean_line(item.date) or '':<10} ", style="dim")
    line.append(f"{clean_line(item.source)[:18]:<18} ", style="dim")
    line.append(clean_line(item.title))
    return line


class SimilarDialog(ListDialog[str | None]):
    """Lists similar articles; dismisses with the id of the one picked, or None."""

    DEFAULT_CSS = """
    SimilarDialog { align: center middle; }
    #similar-body { width: 95%; height: 80%; background: $surface; border: round $border; padding: 0 1; }
    #similar-list { height: 1fr; border: none; text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "Close", id="similar.close"),
        Binding("j", "cursor(1)", "Down", show=False, id="similar.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="similar.up"),
    ]

    def __init__(self, title: str, found: list[SimilarArticle]) -> None:
        super().__init__()
        self.title_text = title
        self.found = found

    def compose(self) -> ComposeResult:
        title = Text("Like: ", style="dim")
        title.append(clean_line(self.title_text), style="bold")
        reprints = sum(1 for s in self.found if s.reprint)
        title.append(f"  · {reprints} reprints, {len(self.found) - reprints} related", style="dim")
        with Vertical(id="similar-body"):
            yield Static(title)
            options: list[Option] = [Option(similar_line(s), id=str(i)) for i, s in enumerate(self.found)]
            if not options:
                options = [Option(Text("No similar articles.", style="dim"), disabled=True)]
            yield OptionList(*options, id="similar-list")
            yield Static(Text("enter: open · esc: close", style="dim"))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.found[int(event.option.id)].id)
