"""The commands for following a story (``saved``), registered into ``newsdesk``'s parser by cli.py."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from newsdesk.index import Library, UsageError
from newsdesk.tui import saved_cli

SUBCOMMANDS = ("saved",)

Opener = Callable[[argparse.Namespace], Library]


def add_parsers(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add every story subcommand to ``sub``."""
    saved_cli.add_parser(sub, common)


def commands(
    open_library: Opener, ensure_indexed: Callable[[Library], None]
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Subcommand name -> function, given cli.py's way of opening and indexing a library."""

    def cmd_saved(args: argparse.Namespace) -> int:
        if args.action is None:
            raise UsageError("give an action: add, list, seen or remove (see `newsdesk saved --help`)")
        with open_library(args) as library:
            ensure_indexed(library)
            return saved_cli.run(args, library)

    return {"saved": cmd_saved}
