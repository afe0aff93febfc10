"""The commands for following a story (``saved``), registered into ``newsdesk``'s parser by cli.py."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict

from newsdesk.index import Library, UsageError
from newsdesk.tui import saved_cli
from newsdesk.tui.widgets.layout import clean_line

SUBCOMMANDS = ("saved", "similar")

Opener = Callable[[argparse.Namespace], Library]


def add_parsers(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add every story subcommand to ``sub``."""
    saved_cli.add_parser(sub, common)
    similar = sub.add_parser("similar", help="articles like one: reprints first, then related coverage")
    common(similar)
    similar.add_argument("ref", metavar="ID|PATH", help="article id or corpus path (path#N for one item)")
    similar.add_argument("--limit", type=int, default=10, metavar="N", help="at most N articles (default 10)")
    similar.add_argument("--json", action="store_true", help="print a JSON list")


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

    def cmd_similar(args: argparse.Namespace) -> int:
        if args.limit < 1:
            raise UsageError("--limit must be 1 or more")
        with open_library(args) as library:
            ensure_indexed(library)
            found = library.similar(args.ref, args.limit)
            if args.json:
                print(json.dumps([asdict(s) for s in found], ensure_ascii=False, indent=2))
                return 0
            for item in found:
                kind = "reprint" if item.reprint else "related"
                meta = " · ".join(x for x in (item.source, item.date) if x)
                print(f"{kind:<8}{item.overlap:>5.0%}  {clean_line(item.title)}" + (f"  ({meta})" if meta else ""))
            if not found:
                print("no similar articles")
        return 0

    return {"saved": cmd_saved, "similar": cmd_similar}
