"""``ListDialog``: a modal list of things to open (mentions, similar articles), j/k to move, Enter to pick."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import OptionList

ResultT = TypeVar("ResultT")


class ListDialog(ModalScreen[ResultT]):
    """A modal screen around one ``OptionList``: focused when shown, moved by the ``cursor(±1)`` action.

    Subclasses compose the list and bind their own keys (``j`` to ``cursor(1)``, ``k`` to
    ``cursor(-1)``, each with its id), and dismiss with what was picked.
    """

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_cursor(self, delta: int) -> None:
        option_list = self.query_one(OptionList)
        option_list.action_cursor_down() if delta > 0 else option_list.action_cursor_up()
