"""Red-team: a long reading session does not keep what it no longer shows.

Every focus change composes the footer's key hints again. Each hint was bound to the footer's
``compact`` with ``data_bind``, which registers a watcher on the footer that Textual prunes only
when ``compact`` changes (it never does): every hint ever shown stayed reachable, about 1 MB per
article opened and closed, for the whole session (and the start-up objects are now frozen out of
the collector's passes, so nothing else would have found them).
"""

from __future__ import annotations

import gc
from pathlib import Path

from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import close_library, make_app
from textual.widgets._footer import FooterKey


def detached_hints() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey) and not o.is_attached)


async def test_footer_hints_of_earlier_focus_are_let_go(demo_state: Path) -> None:
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(2):
            await pilot.press("tab", "enter")
            await pilot.pause(0.2)
            await pilot.press("escape")
            await pilot.pause(0.2)
        before = detached_hints()
        for _ in range(8):  # open an article and go back to the list: the footer is composed each time
            await pilot.press("tab", "enter")
            await pilot.pause(0.2)
            await pilot.press("escape")
            await pilot.pause(0.2)
        assert detached_hints() <= before + 10  # not growing with every focus change
    close_library(app.library)
