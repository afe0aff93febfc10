"""A running reader notices changes wherever indexing would find them, symlinked folders included."""

from __future__ import annotations

from pathlib import Path

from newsdesk.index import Config
from newsdesk.tui.app import close_library, make_app

from tests.conftest import write
from tests.tui.conftest import settle
from tests.tui.test_background import indexing_shown, wait_until


async def test_a_change_inside_a_symlinked_folder_is_noticed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    archive = corpus / ".archive" / "2020"  # reached only through the link below
    write(
        archive,
        "talks.txt",
        """
        Talks in Geneva

        Negotiators met in Geneva.
        """,
    )
    write(
        corpus,
        "plain.txt",
        """
        Plain report

        Nothing about the talks.
        """,
    )
    (corpus / "2020").symlink_to(archive, target_is_directory=True)
    config = Config()
    config.ui.watch_seconds = 0.2
    app = make_app(corpus, config, tmp_path / "state")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main.article_list.total == 2 and not indexing_shown(app))
        # The watcher's baseline: a file written before it is taken would count as already seen.
        await wait_until(pilot, lambda: app.main.watcher.fingerprint is not None)
        await settle(pilot)
        assert app.main.article_list.total == 2
        await pilot.press("slash", *"Zanzibar")
        await settle(pilot)
        assert app.main.article_list.total == 0
        write(
            archive,
            "talks.txt",
            """
            Talks in Geneva

            Negotiators met in Geneva and then flew to Zanzibar.
            """,
        )
        await wait_until(pilot, lambda: app.main.article_list.total == 1)
        write(
            archive,
            "later.txt",
            """
            Later talks

            A second round, also in Zanzibar.
            """,
        )
        await wait_until(pilot, lambda: app.main.article_list.total == 2)
    close_library(app.library)
