"""``newsdesk saved add|list|seen|remove``: saved searches and what is new in them."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from newsdesk.index import Library, UsageError


def add_parser(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``saved`` subcommand and its actions."""
    cmd = sub.add_parser("saved", help="saved searches: add, list (with what is new), seen, remove")
    actions = cmd.add_subparsers(dest="action", parser_class=type(cmd))

    add = actions.add_parser("add", help="save a query under a name (its current matches count as seen)")
    common(add)
    add.add_argument("name", metavar="NAME")
    add.add_argument("query", metavar="QUERY", help="a query as `newsdesk search` takes it")
    add.add_argument("--json", action="store_true", help="print JSON")

    listing = actions.add_parser("list", help="every saved search with its total and new matches")
    common(listing)
    listing.add_argument("--json", action="store_true", help="print a JSON list of {name, query, total, new}")

    seen = actions.add_parser("seen", help="mark a saved search's current matches as seen")
    common(seen)
    seen.add_argument("name", metavar="NAME")
    seen.add_argument("--json", action="store_true", help="print JSON")

    remove = actions.add_parser("remove", help="forget a saved search")
    common(remove)
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, library: Library) -> int:
    """Run one ``saved`` action on an indexed library."""
    saved = library.saved
    if args.action == "add":
        entry = saved.add(args.name, args.query)
        _say(args, {"saved": entry.name, "query": entry.query}, f"saved {entry.name!r}: {entry.query}")
    elif args.action == "seen":
        entry = saved.mark_seen(args.name)
        _say(args, {"seen": entry.name}, f"marked {entry.name!r} seen")
    elif args.action == "remove":
        saved.remove(args.name)
        _say(args, {"removed": args.name.strip()}, f"removed {args.name.strip()!r}")
    elif args.action == "list":
        overview = saved.overview()
        if args.json:
            print(json.dumps([s.to_json() for s in overview.searches], ensure_ascii=False, indent=2))
        else:
            for status in overview.searches:
                counts = f"error: {status.error}" if status.error else f"{status.total:>6} total {status.new:>5} new"
                print(f"{counts}  {status.name}  ({status.query})")
            if not overview.searches:
                print("no saved searches; add one with `newsdesk saved add NAME QUERY`")
        return 1 if any(s.error for s in overview.searches) else 0
    else:
        raise UsageError("give an action: add, list, seen or remove (see `newsdesk saved --help`)")
    return 0


def _say(args: argparse.Namespace, data: dict[str, str], line: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if args.json else line)
