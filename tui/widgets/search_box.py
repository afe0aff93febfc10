"""The search box: an Input whose footer hints say how to get to the results."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class SearchBox(Input):
    """Typing searches as you go; Enter or Down goes to the results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Results", id="search.submit"),
        Binding("down", "results", "Results", show=False, id="search.results"),
    ]

    def action_results(self) -> None:
        self.post_message(self.Submitted(self, self.value))
