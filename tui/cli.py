"""The ``newsdesk`` command: a thin layer over :mod:`newsdesk.index`'s public API.

Every user mistake ends as one line on stderr and exit code 2; runtime
failures (unreadable corpus, missing index) as one line and exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NoReturn

from newsdesk.index import (
    IndexDamagedError,
    NewsdeskError,
    SearchResults,
    UsageError,
    display_path,
    load_config,
)
from newsdesk.tui import annotations_cli, story_cli
from newsdesk.tui.about import closest_command, version_report
from newsdesk.tui.cli_library import ensure_indexed, open_library, progress_bar, warn

SUBCOMMANDS = ("index", "search", "show", "entities", "annotations", "serve", *story_cli.SUBCOMMANDS)

USAGE = """newsdesk [DIR] [--config FILE] [--state-dir DIR]
       newsdesk COMMAND ...   (newsdesk COMMAND --help for its options)
       newsdesk --version [--json]"""
DESCRIPTION = """Read, search and annotate a folder of news articles.

`newsdesk [DIR]` opens the reader on DIR, a folder or file of articles. Without
DIR it opens the `corpus:` of the config file (--config FILE, $NEWSDESK_CONFIG,
./config.yaml, ~/.config/newsdesk/config.yaml), else the bundled demo corpus."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        # The message echoes argv, which a shell glob may fill with planted names: escape what a terminal runs.
        raise UsageError(f"{display_path(message)} (see `{self.prog} --help`)")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, metavar="DIR", help="folder or file of articles")
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file (default: see README)")
    parser.add_argument("--state-dir", type=Path, metavar="DIR", help="where the index lives")


def build_parser() -> _Parser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="newsdesk", usage=USAGE, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="store_true", help="print the version (--json: with its libraries')")
    sub = parser.add_subparsers(
        dest="command", title="commands", metavar="COMMAND", prog="newsdesk", parser_class=_Parser
    )

    index_cmd = sub.add_parser("index", help="index added and changed files")
    _common(index_cmd)
    index_cmd.add_argument("--rebuild", action="store_true", help="start over from scratch")
    index_cmd.add_argument("--quiet", "-q", action="store_true", help="no progress bar or warnings")

    search_cmd = sub.add_parser("search", help="search the corpus")
    _common(search_cmd)
    search_cmd.add_argument("query", nargs="?", help="Whoosh query, e.g. '\"launch pad\" AND date:2020-10'")
    search_cmd.add_argument("--limit", type=int, default=None, metavar="N", help="hits per page")
    search_cmd.add_argument("--page", type=int, default=1, metavar="N", help="page number")
    search_cmd.add_argument("--json", action="store_true", help="print a JSON object")
    search_cmd.add_argument("--queries", type=Path, metavar="FILE", help="one query per line; JSON lines out")

    show_cmd = sub.add_parser("show", help="print an article's text and metadata")
    _common(show_cmd)
    show_cmd.add_argument("ref", metavar="ID|PATH", help="article id or corpus path (path#N for one item)")
    show_cmd.add_argument("--json", action="store_true", help="print a JSON object")

    entities_cmd = sub.add_parser(
        "entities", help="people, organisations and places: in one article, or the corpus' most mentioned"
    )
    _common(entities_cmd)
    entities_cmd.add_argument("ref", nargs="?", metavar="ID|PATH", help="the article (omit with --top)")
    entities_cmd.add_argument("--top", type=int, metavar="N", help="the N entities in the most articles")
    entities_cmd.add_argument("--type", choices=("PERSON", "ORG", "PLACE"), help="only this type")
    entities_cmd.add_argument("--json", action="store_true", help="print JSON")
    entities_cmd.add_argument("--watch", metavar="NAME", help="add NAME (with --type) to the watchlist")
    entities_cmd.add_argument("--alias", action="append", default=[], metavar="TEXT", help="an alias for --watch")
    entities_cmd.add_argument("--stop", metavar="NAME", help="add NAME to the stoplist")
    annotations_cli.add_parser(sub, _common)
    story_cli.add_parsers(sub, _common)

    serve_cmd = sub.add_parser("serve", help="serve the reader to a web browser (at a URL with a secret token)")
    serve_cmd.add_argument("corpus", nargs="?", type=Path, metavar="DIR")
    serve_cmd.add_argument("--corpus", type=Path, metavar="DIR", dest="corpus_option", help="same as DIR")
    serve_cmd.add_argument("--config", type=Path, metavar="FILE")
    serve_cmd.add_argument("--state-dir", type=Path, metavar="DIR")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="keep the token in FILE (read it, or create it mode 0600), not a new one per start",
    )
    serve_cmd.add_argument(
        "--max-sessions",
        type=int,
        default=8,
        metavar="N",
        help="browser tabs served at once, one reader process each (default: 8)",
    )
    return parser


def cmd_index(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        progress, stop = progress_bar(args.quiet)
        try:
            stats = library.update(rebuild=args.rebuild, progress=progress)
        finally:
            stop()
        warn(stats.repairs)
        if not args.quiet:
            for warning in stats.warnings:
                print(f"warning: {display_path(warning)}", file=sys.stderr)
        print(stats.summary())
    return 0


def _print_results(results: SearchResults) -> None:
    about = "" if results.total_exact else "about "
    hits = "hit" if results.total == 1 else "hits"
    stories = results.stories
    folded = stories is not None and stories < results.total
    in_stories = f" in {stories} {'story' if stories == 1 else 'stories'}" if folded else ""
    print(f"{about}{results.total} {hits}{in_stories} for {results.query!r} ({results.took_ms:.0f} ms)")
    if results.suggestion:
        print(f"did you mean: {results.suggestion}")
    if results.total and not results.hits:
        pages = -(-(results.stories or results.total) // results.page_size)
        print(f"page {results.page} is past the last page ({pages}); try --page {pages}")
    for number, hit in enumerate(results.hits, (results.page - 1) * results.page_size + 1):
        meta = " · ".join(x for x in (hit.source, hit.date) if x)
        copies = f"  +{len(hit.copies)} {'copy' if len(hit.copies) == 1 else 'copies'}" if hit.copies else ""
        print(f"{number:>3}. {hit.title}" + (f"  ({meta})" if meta else "") + copies)
        print(f"     {hit.snippet}")


def cmd_search(args: argparse.Namespace) -> int:
    if (args.query is None) == (args.queries is None):
        raise UsageError("give a QUERY or --queries FILE (one of them)")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be 1 or more")
    with open_library(args) as library:
        ensure_indexed(library)
        if args.queries is not None:
            try:
                lines = args.queries.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"{args.queries}: cannot read: {exc}") from None
            failures = 0
            for line in lines:
                if not line.strip():
                    continue
                try:
                    result = library.search(line, limit=args.limit, page=args.page).to_json()
                except NewsdeskError as exc:
                    failures += 1
                    result = {"query": line, "error": str(exc)}
                print(json.dumps(result, ensure_ascii=False), flush=True)
            return 1 if failures else 0
        try:
            results = library.search(args.query, limit=args.limit, page=args.page)
        except IndexDamagedError:
            ensure_indexed(library)  # heal now (its one warning line says so), then answer
            results = library.search(args.query, limit=args.limit, page=args.page)
        if args.json:
            print(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
        else:
            _print_results(results)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        ensure_indexed(library)
        article = library.article(args.ref)
        if args.json:
            print(json.dumps({**asdict(article), "path": display_path(article.path)}, ensure_ascii=False, indent=2))
            return 0
        print(article.title)
        meta = [
            ("id", article.id),
            ("path", display_path(article.path) + (f"#{article.item}" if article.item else "")),
            ("source", article.source),
            ("date", article.date),
            ("author", article.author),
            ("url", article.url),
            ("language", article.language),
            ("tags", ", ".join(article.tags) or None),
            ("words", str(article.word_count)),
        ]
        for key, value in meta:
            if value:
                print(f"{key + ':':<10}{value}")
        print()
        print(article.text)
    return 0


def cmd_entities(args: argparse.Namespace) -> int:
    modes = [args.ref is not None, args.top is not None, args.watch is not None, args.stop is not None]
    if sum(modes) != 1:
        raise UsageError("give one of: ID|PATH, --top N, --watch NAME, --stop NAME")
    if args.top is not None and args.top < 1:
        raise UsageError("--top must be 1 or more")
    with open_library(args) as library:
        if args.watch is not None or args.stop is not None:
            if args.watch is not None:
                if args.type is None:
                    raise UsageError("--watch needs --type PERSON, ORG or PLACE")
                entry = library.watch_entity(args.watch, args.type, args.alias)
                aliases = f" ({', '.join(entry.aliases)})" if entry.aliases else ""
                print(f"watching {entry.type} {entry.name}{aliases}")
            else:
                library.stop_entity(args.stop)
                print(f"stopped: {args.stop}")
            print("entities are extracted again on the next `newsdesk index` (or when the reader starts)")
            return 0
        ensure_indexed(library)
        if args.top is not None:
            top = library.top_entities(args.top, args.type)
            if args.json:
                print(json.dumps([asdict(entity) for entity in top], ensure_ascii=False, indent=2))
            else:
                for entity in top:
                    article_word = "article " if entity.articles == 1 else "articles"
                    mention_word = "mention " if entity.mentions == 1 else "mentions"
                    counts = f"{entity.articles:>6} {article_word} {entity.mentions:>7} {mention_word}"
                    print(f"{counts}  {entity.type:<6}  {entity.canonical}")
            return 0
        mentions = library.entities(args.ref)
        if args.type:
            mentions = [m for m in mentions if m.type == args.type]
        if args.json:
            print(json.dumps([asdict(m) for m in mentions], ensure_ascii=False, indent=2))
        else:
            per_name = Counter((m.type, m.canonical) for m in mentions)
            for (kind, canonical), count in sorted(per_name.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])):
                print(f"{kind:<6}  {count:>3}  {canonical}")
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    if args.action is None:
        raise UsageError("give an action: add, list, export, import or kept (see `newsdesk annotations --help`)")
    with open_library(args) as library:
        # add, import and kept --apply re-index the annotated articles, which only an index of this version takes
        writes = args.action in ("add", "import") or (args.action == "kept" and args.apply is not None)
        ensure_indexed(library, older_as_is=not writes)
        return annotations_cli.run(args, library)


def cmd_serve(args: argparse.Namespace) -> int:
    from newsdesk.tui.serve import serve  # aiohttp loads only for serving

    return serve(
        args.corpus or args.corpus_option,
        args.config,
        args.state_dir,
        args.host,
        args.port,
        token_file=args.token_file,
        max_sessions=args.max_sessions,
    )


def cmd_open(corpus: Path | None, args: argparse.Namespace) -> int:
    """Open the reader app on ``corpus`` (default: the config's, else the bundled demo corpus)."""
    from newsdesk.tui.app import close_library, make_app  # Textual loads only for the app, not for index/search/show
    from newsdesk.tui.leave import LeaveAfterHangUp

    app = make_app(corpus, load_config(args.config), args.state_dir)
    guard = LeaveAfterHangUp(app.hung_up)
    try:
        app.run()
    finally:
        close_library(app.library)
        guard.done()
    return app.return_code or 0


def _reader_parser() -> _Parser:
    """The parser for ``newsdesk [DIR]`` (its help is the full one: see :func:`main`)."""
    opener = _Parser(prog="newsdesk", usage=USAGE, add_help=False)
    opener.add_argument("words", nargs="*", metavar="DIR")
    opener.add_argument("--config", type=Path, metavar="FILE")
    opener.add_argument("--state-dir", type=Path, metavar="DIR")
    return opener


def _reader_corpus(words: list[str], unknown: list[str]) -> Path | None:
    """DIR from ``newsdesk [DIR]``; a word that is no path but looks like a command is refused."""
    first = words[0] if words else None
    if first is not None and not first.strip():
        raise UsageError("DIR is empty: give a folder or file, or nothing for the default corpus")
    if first is None or (os.path.lexists(first) and len(words) == 1):
        if unknown:
            shown = display_path(" ".join(unknown))
            raise UsageError(f"unrecognized arguments: {shown} (see `newsdesk --help`)")
        return Path(first) if first is not None else None  # a folder named like a command still opens
    if os.path.lexists(first):  # several paths (a shell glob), or a folder then a command
        raise UsageError(
            f"newsdesk opens one DIR at a time, not {len(words)} words ({first!r}, {words[1]!r}, ...);"
            " a command goes first: newsdesk COMMAND ..."
        )
    if first in SUBCOMMANDS:
        raise UsageError(f"options go after the command: newsdesk {first} [ARGS] --config FILE")
    guess = closest_command(first, SUBCOMMANDS)
    if guess is not None:
        raise UsageError(f"unknown command {first!r} (did you mean {guess!r}?)")
    if len(words) > 1 or unknown:
        raise UsageError(f"unknown command {first!r} (commands: {', '.join(SUBCOMMANDS)})")
    return Path(first)


def _print_version(argv: list[str]) -> int:
    extra = [a for a in argv if a not in ("--version", "--json")]
    if extra:
        raise UsageError(f"--version takes only --json, not {extra[0]!r}")
    report = version_report()
    if "--json" in argv:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"newsdesk {report['newsdesk']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsdesk`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # After `--` every word is a DIR, even one named --version or --help.
    options = argv[: argv.index("--")] if "--" in argv else argv
    try:
        if "--version" in options and argv[0] not in SUBCOMMANDS:
            return _print_version(argv)
        is_command = bool(argv) and argv[0] in SUBCOMMANDS
        if not is_command and any(a in ("-h", "--help") for a in options):
            build_parser().print_help()
            return 0
        if is_command:
            args = build_parser().parse_args(argv)
            commands = {
                "index": cmd_index,
                "search": cmd_search,
                "show": cmd_show,
                "entities": cmd_entities,
                "annotations": cmd_annotations,
                "serve": cmd_serve,
                **story_cli.commands(open_library, ensure_indexed),
            }
            return commands[args.command](args)
        args, unknown = _reader_parser().parse_known_args(argv)
        return cmd_open(_reader_corpus(args.words, unknown), args)
    except NewsdeskError as exc:
        # Messages quote paths, ids and queries a user may have pasted from a shared
        # folder: escaped here, once, so no message can move the cursor or set the clipboard.
        print(f"newsdesk: error: {display_path(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except sqlite3.OperationalError as exc:
        # The store turns damage and full disks into NewsdeskErrors; what is left is a
        # session holding the store longer than the busy timeout: one line, never a traceback.
        print(
            f"newsdesk: error: the article store is busy or unreadable ({display_path(str(exc))}); try again",
            file=sys.stderr,
        )
        return 1
    except MemoryError:
        # An article too large for this machine's memory (or too little memory for the corpus):
        # one line, never a traceback. The update's writes are transactions: what was done is kept.
        print(
            "newsdesk: error: out of memory; try again with more memory (or without the largest files)", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
