"""The reader's "ready for keys" signal to ``newsdesk serve``.

A browser tab's keys can reach the reader before its main screen exists: a ``/``
typed as the page loads used to run "focus the search box" against a screen with
no search box yet, and the reader crashed (or a key went to a widget that was not
focused yet). So the reader tells the server, in a meta packet of textual-serve's
protocol, once its main screen is mounted and drawn; the server
(:class:`newsdesk.tui.web.sessions.ReaderSession`) holds every key and resize
until then and replays them in order.

Imported by the reader: no aiohttp here.
"""

from __future__ import annotations

from textual.app import App

READY_META = "newsdesk-ready"
"""The meta packet type the reader writes once it can take keys."""


def announce_ready(app: App[object]) -> None:
    """Tell the server that ``app`` takes keys now; a no-op outside textual-serve's web driver."""
    write_meta = getattr(app._driver, "write_meta", None)  # only Textual's WebDriver has it
    if write_meta is not None:
        write_meta({"type": READY_META})
