"""Keys in the order they were typed: each key is handled to the end before the next is delivered.

Over a slow SSH link a terminal delivers many keys at once. Textual's App forwards
every key of such a burst into the focused widget's queue before that widget has
handled the first, and a key's bindings run only when it has bubbled back up. So a
key that moves focus (``/``, Tab, Esc, Enter) or opens a dialog (``a``, ``t``)
took effect after the keys typed behind it had already been queued at the widget
that had focus before: they went to the wrong place (``/pak`` typed ``pak`` as list
commands, ``a Hello`` ran ``H``, ``e``… as reader commands, ``Esc q`` typed ``q``
into the search box).

:class:`KeyOrder` is the one rule for all of these: the App holds the keys of a
burst and delivers the next one only when the previous one has been through every
handler it reaches (the focused widget, each ancestor it bubbles to, the app's
bindings). A key that pushes a screen is followed by the next key only once that
screen is mounted and has set its focus. So every key goes where focus is when it
is its turn, which is where focus was going when it was typed.

A screen that shows unasked (``keys_from`` set: a save that failed, back with what was
typed) drops the keys typed before it showed: they were meant for what was there, and
an Esc or q among them dismissed it, or quit, before it was seen.

Characters typed into a text box cannot move focus, so while one has focus they
are passed on without waiting for each other (a box that searches as you type
would otherwise run one search per key); the next key that is not such a
character waits until they are all through.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, TextArea

STUCK_SECONDS = 1.0
"""A key not through its handlers by then (its widget was removed meanwhile) stops holding the others."""
WAIT_SECONDS = 5.0
"""The longest :meth:`KeyOrder.hold_until` holds the keys: past it they go on to where focus is then."""


class KeyOrder:
    """Delivers an App's keys in order, each once focus has settled; see the module docstring.

    ``deliver`` is what the App does with one key (Textual's own handling: priority
    bindings, then forwarding to the focused widget or the screen).
    """

    def __init__(self, app: App[Any], deliver: Callable[[events.Event], Awaitable[None]]) -> None:
        self._app = app
        self._deliver = deliver
        self._waiting: deque[events.Key | events.Paste] = deque()
        self._outstanding = 0
        """Keys delivered and not yet through every handler they reach."""
        self._held = False
        """True while a key that may move focus (or open a screen) is outstanding: every later key waits."""
        self._epoch = 0
        """Bumped when waiting is given up (STUCK_SECONDS): callbacks of an older epoch are ignored."""
        self._stuck_timer: Timer | None = None
        self._waits: dict[int, Timer] = {}
        """What the keys wait for besides their own handling (:meth:`hold_until`), each with its timer."""
        self._wait_ids = 0

    @property
    def idle(self) -> bool:
        """No key is being handled or waits."""
        return self._outstanding == 0 and not self._waiting

    def hold_until(self) -> Callable[[], None]:
        """Hold every key not yet delivered until the returned ``release`` is called (at most
        :data:`WAIT_SECONDS`): for work a key starts that moves focus when it is done. Enter on the
        list opens the article in a worker and focuses the reader once it is loaded: the keys typed
        behind Enter went to the list meanwhile (``Enter v s t starting``: the tag's letters ran as
        commands, and a ``q`` among them quit). Calling ``release`` again does nothing."""
        self._wait_ids += 1
        ident = self._wait_ids

        def release() -> None:
            timer = self._waits.pop(ident, None)
            if timer is not None:
                timer.stop()
                self._app.call_later(self._next)

        self._waits[ident] = self._app.set_timer(WAIT_SECONDS, release)
        return release

    async def key_arrived(self, key: events.Key) -> None:
        """A key from the terminal (or a test): handle it now, or after the keys before it."""
        self._waiting.append(key)
        await self._next()

    async def paste_arrived(self, paste: events.Paste) -> None:
        """A bracketed paste: typed text like keys, so it waits its turn (``a`` then a paste fills the note)."""
        self._waiting.append(paste)
        await self._next()

    def _escape_then_key(self, key: events.Key) -> list[events.Key]:
        """``alt+q`` as Esc then ``q`` unless something is bound to ``alt+q``; decided when it is the key's turn.

        A terminal sends Alt+q as ESC q, and Esc then q typed in one burst arrive as
        the same two bytes: Textual reads them as ``alt+q``. newsdesk binds no Alt
        keys, so the burst is what was meant (Esc leaves the search box, q quits).
        In a dialog's text box (a note, its tags, a search's name) it is the character alone,
        as Textual typed it: there Esc cancels the dialog, and Alt+. would have thrown the note
        away (red team).
        """
        name, character = key.key, key.character
        if not name.startswith("alt+") or character is None or len(character) != 1 or not character.isprintable():
            return [key]
        if any(name in bindings.key_to_bindings for _, bindings in self._app.screen._binding_chain):
            return [key]  # a keymap gave alt+… a meaning
        rest = name.removeprefix("alt+")
        if rest.startswith("shift+"):  # ESC Q: the parser names it alt+shift+q
            rest = character
        focused = self._app.focused
        if isinstance(focused, Input | TextArea) and isinstance(focused.screen, ModalScreen):
            typed = events.Key(rest, character)
            typed.time = key.time
            return [typed]
        split = [events.Key("escape", "\x1b"), events.Key(rest, character)]
        for part in split:  # typed when the pair was, not when it is split (see keys_from)
            part.time = key.time
        return split

    async def _next(self) -> None:
        while self._waiting and not self._held and not self._waits:
            screen = self._app.screen
            if not screen.is_mounted:
                # A key before this one pushed the screen; it sets its focus when mounted.
                # A callback posted now runs after its mount.
                self._hold([screen])
                return
            key = self._waiting[0]
            if isinstance(key, events.Key) and (parts := self._escape_then_key(key)) != [key]:
                self._waiting.popleft()  # Esc then the key, or the key alone in a note: by where focus is now
                self._waiting.extendleft(reversed(parts))
                continue
            if key.time < getattr(screen, "keys_from", 0.0):
                # Typed before this screen showed unasked (a failed save's dialog, back with what
                # was typed): meant for the screen under it, they would dismiss it unseen.
                self._waiting.popleft()
                continue
            typed = (isinstance(key, events.Paste) or key.is_printable) and isinstance(
                self._app.focused, (Input, TextArea)
            )
            if not typed and self._outstanding:
                return  # after the characters typed before it (each one's callback calls _next)
            self._waiting.popleft()
            target: MessagePump = self._app.focused or screen
            await self._deliver(key)
            if not key.is_forwarded:  # handled by a priority binding (or dropped) in the app itself
                continue
            # The key bubbles from its target up to the app, one queue after another; a
            # callback queued behind it at each of them runs once it has been handled there.
            pumps: list[MessagePump] = [*target.ancestors_with_self] if isinstance(target, DOMNode) else [target]
            if typed:
                self._outstanding += 1
                self._restart_stuck_timer()
                self._follow(self._epoch, pumps)
            else:
                self._hold(pumps)
                return

    def _hold(self, pumps: list[MessagePump]) -> None:
        self._held = True
        self._outstanding += 1
        self._restart_stuck_timer()
        self._follow(self._epoch, pumps)

    def _restart_stuck_timer(self) -> None:
        if self._stuck_timer is not None:
            self._stuck_timer.stop()
        self._stuck_timer = self._app.set_timer(STUCK_SECONDS, self._give_up)

    async def _give_up(self) -> None:
        # A key's widget went away before the key reached it: stop waiting for it.
        self._epoch += 1
        self._outstanding = 0
        self._held = False
        await self._next()

    def _follow(self, epoch: int, pumps: list[MessagePump]) -> None:
        while pumps:
            pump, rest = pumps[0], pumps[1:]
            if pump.call_later(self._follow, epoch, rest):
                return
            pumps = rest  # that pump is closing: the key goes no further there
        self._app.call_later(self._settled, epoch)

    async def _settled(self, epoch: int) -> None:
        if epoch != self._epoch:
            return  # a late callback for a key already given up on
        self._outstanding -= 1
        if self._outstanding:
            self._restart_stuck_timer()
            return
        self._held = False
        if self._stuck_timer is not None:
            self._stuck_timer.stop()
            self._stuck_timer = None
        await self._next()
