"""What every ``newsdesk`` command does around its work: open the library, bring its index up to date, warn.

Kept apart from :mod:`newsdesk.tui.cli` (the parser and the commands) because
the story commands share it, and because its rules are the reliability
promises of the command line: readers never wait on a writer, an older index
is searched as it is, and every repair or problem is one warning line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from newsdesk.index import (
    CorpusError,
    Library,
    StoreDamagedError,
    display_path,
    load_config,
    with_overrides,
)


def open_library(args: argparse.Namespace) -> Library:
    config = load_config(args.config)
    if args.corpus is not None:
        config = with_overrides(config, corpus=args.corpus)
    return Library.open(state_dir=args.state_dir, config=config)


OLDER_INDEX_REBUILDING = "the search index was made by an older version of newsdesk: rebuilding it first"
OLDER_INDEX_WARNING = (
    "the search index was made by an older version of newsdesk: searching it as it is "
    "(`newsdesk index` rebuilds it for this version, which makes prefix and phrase searches faster)"
)


def ensure_indexed(library: Library, older_as_is: bool = True) -> None:
    """Bring the index up to date first, unless that would mean waiting on another session.

    Readers never wait on a writer: with an index to search, a busy, full or
    read-only state folder is one warning line and the search goes on. An index
    made by the previous version is searched as it is (``older_as_is``) by
    commands that only read; one that writes to it (an annotation's re-index)
    rebuilds it first, saying so before the wait.
    """
    try:
        status = library.status()
    except StoreDamagedError:
        status = None  # the update below sets the store aside and rebuilds it
    if status is not None and status.in_sync:
        warn(library.repairs)
        return
    if status is not None and status.older_version:
        # Rebuilding here made the first search after an upgrade wait minutes in silence.
        if older_as_is:
            warn([*library.repairs, OLDER_INDEX_WARNING])
            return
        warn([OLDER_INDEX_REBUILDING])
    try:
        stats = library.update(wait=0 if status is not None and status.indexed else -1)
    except CorpusError as exc:
        warn(library.repairs)
        if not library.status().indexed:
            raise
        warn([f"{exc} (searching the index as it is)"])
        return
    warn(stats.repairs)


def warn(lines: list[str]) -> None:
    for line in lines:
        print(f"newsdesk: warning: {display_path(line)}", file=sys.stderr)


def progress_bar(quiet: bool) -> tuple[Callable[[str, int, int], None] | None, Callable[[], None]]:
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description:>9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            if not tasks:
                bar.start()
            tasks[phase] = bar.add_task(phase, total=total or None)
        bar.update(tasks[phase], completed=done, total=total or None)

    def stop() -> None:
        if tasks:
            bar.stop()

    return update, stop
