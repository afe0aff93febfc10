"""The key hints at the bottom: as many as fit, and always Help and Quit.

Textual's Footer lists every shown binding of the focused widget and its
ancestors, focused widget first, and cuts the line at the screen's edge: in the
reader at 120 columns that cut away everything after "< Prev annotation",
"? Help" and "q Quit" included. This footer leaves out the hints that do not
fit (in the footer's order, so the focused pane's own keys go first) and
keeps room for Help, which lists them all, and Quit.

It re-implements ``Footer.compose`` (ungrouped bindings only: newsdesk uses no
binding groups) and uses Textual's private ``FooterKey``; tests/tui/test_layout.py
fails if a Textual upgrade changes either under it.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ALWAYS_SHOWN = ("app.help", "app.quit")
"""Binding ids whose hint is never left out."""
COMMAND_PALETTE_HINT = 20
"""Columns of the "^p Command palette" hint docked at the right (with its border)."""


def _hint_width(key_display: str, description: str) -> int:
    # FooterKey draws " key description " (key padded both sides, description on the right).
    return cell_len(key_display) + cell_len(description) + 3


def fitting(hints: list[tuple[Binding, int]], width: int) -> list[Binding]:
    """The bindings of ``hints`` (binding, its width) to show in ``width`` columns, in their order.

    The always-shown ones (Help, Quit) first claim their room; the others fill what is left.
    Never more than ``width``: with keys remapped to long names even Help and Quit may not
    both fit (the red team saw Quit drawn under the palette hint), and then only what fits is shown.
    """
    kept: set[int] = set()
    room = width
    for position, (binding, hint_width) in enumerate(hints):
        if binding.id in ALWAYS_SHOWN and hint_width <= room:
            kept.add(position)
            room -= hint_width
    for position, (binding, hint_width) in enumerate(hints):
        if binding.id not in ALWAYS_SHOWN and hint_width <= room:
            kept.add(position)
            room -= hint_width
    return [binding for position, (binding, _width) in enumerate(hints) if position in kept]


def always_shown_width(hints: list[tuple[Binding, int]]) -> int:
    return sum(hint_width for binding, hint_width in hints if binding.id in ALWAYS_SHOWN)


class KeyHints(Footer):
    """A footer that fits its width (see the module docstring)."""

    _composed_width: int | None = None
    """The width the hints were last chosen for."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        first_of_action: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                first_of_action.setdefault(binding.action, (binding, enabled, tooltip))
        width = self.size.width or self.app.size.width
        hints = [
            (binding, _hint_width(self.app.get_key_display(binding), binding.description))
            for binding, _enabled, _tooltip in first_of_action.values()
        ]
        # The palette hint gives way before Help or Quit does.
        with_palette = (
            self.show_command_palette
            and self.app.ENABLE_COMMAND_PALETTE
            and self.app.COMMAND_PALETTE_BINDING in active
            and always_shown_width(hints) + COMMAND_PALETTE_HINT <= width
        )
        if with_palette:
            width -= COMMAND_PALETTE_HINT
        self._composed_width = self.size.width
        for binding in fitting(hints, width):
            _binding, enabled, tooltip = first_of_action[binding.action]
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            # Copied, not data_bind: its watcher on the footer is pruned only when ``compact`` changes
            # (never), so every hint ever composed (at each focus change) stayed reachable.
            key.compact = self.compact
            yield key
        if with_palette:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, tooltip = palette
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)
