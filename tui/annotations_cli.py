"""``newsdesk annotations add|list|export|import|kept``: annotations from the command line."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from newsdesk.index import (
    ANNOTATION_EXPORT_FORMATS,
    IMPORTED_TAGS_MARK,
    Annotation,
    Library,
    UsageError,
    display_path,
    dump_json,
    sanitize,
)
from newsdesk.tui import kept_review, unsaved


def add_parser(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``annotations`` subcommand and its actions."""
    cmd = sub.add_parser("annotations", help="add, list, export and import annotations")
    actions = cmd.add_subparsers(dest="action", parser_class=type(cmd))

    add = actions.add_parser("add", help="annotate a passage, found by its text")
    common(add)
    add.add_argument("ref", metavar="ID|PATH", help="the article")
    add.add_argument("--quote", required=True, help="the passage, exactly as in the text (`newsdesk show`)")
    add.add_argument(
        "--occurrence",
        type=int,
        default=None,
        metavar="N",
        help="the N-th occurrence (needed when the quote occurs more than once)",
    )
    add.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeat for more)")
    add.add_argument("--note", default="", help="a note")

    listing = actions.add_parser("list", help="annotations of one article, or of the whole corpus")
    common(listing)
    listing.add_argument("ref", nargs="?", metavar="ID|PATH", help="the article (default: all)")
    listing.add_argument("--json", action="store_true", help="print JSON")

    out = actions.add_parser("export", help="every annotation as yaml, json, csv, md (a report) or w3c")
    common(out)
    out.add_argument("--format", required=True, choices=ANNOTATION_EXPORT_FORMATS)
    out.add_argument("--tag", metavar="TAG", help="only annotations with this tag")
    out.add_argument("--output", type=Path, metavar="FILE", help="write here instead of standard output")

    into = actions.add_parser("import", help="add annotations from a yaml or json export (idempotent by id)")
    common(into)
    into.add_argument("file", type=Path, metavar="FILE")

    kept = actions.add_parser(
        "kept", help="annotations typed before a dropped connection and set aside: list, --apply or --discard"
    )
    common(kept)
    settle = kept.add_mutually_exclusive_group()
    settle.add_argument("--apply", type=Path, metavar="FILE", help="save what FILE holds over the annotation as it is")
    settle.add_argument("--discard", type=Path, metavar="FILE", help="drop FILE: what it holds is not saved")
    kept.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, library: Library) -> int:
    """Carry out one ``annotations`` action."""
    if args.action == "add":
        if not args.tag and not args.note:
            raise UsageError("give at least one --tag or a --note")
        annotation = library.annotate_quote(args.ref, args.quote, args.occurrence, args.tag, args.note)
        library.sync_annotations()
        print(f"annotated {annotation.target.start}-{annotation.target.end} of {args.ref} ({annotation.id})")
        return 0
    if args.action == "list":
        return _list(args, library)
    if args.action == "kept":
        return _kept(args, library)
    if args.action == "export":
        text = library.export_annotations(args.format, args.tag)
        if args.output is None:
            sys.stdout.write(text)
        else:
            try:
                args.output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
        return 0
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{args.file}: cannot read: {exc}") from None
    added, skipped, moved = library.import_export(text, str(args.file))
    library.sync_annotations()
    print(f"{added} imported, {skipped} already present")
    if moved:  # red team: said nothing, so a restore moved tags into notes unsaid
        tags = "1 tag that is" if moved == 1 else f"{moved} tags that are"
        print(f"{tags} not valid as a tag now kept at the end of its note, marked {IMPORTED_TAGS_MARK!r}")
    return 0


def _list(args: argparse.Namespace, library: Library) -> int:
    if args.ref is not None:
        found = library.annotations_of(args.ref)
        rows: list[tuple[Annotation, str]] = [(p.annotation, p.anchor.how) for p in found.placed + found.orphans]
        pages = {p.annotation.id: p.page for p in found.placed if p.page is not None}
        errors = found.errors
    else:
        annotations, errors = library.all_annotations()
        rows = [(a, "") for a in annotations]
        pages = library.annotation_pages(annotations)
    for error in errors:
        print(f"newsdesk: warning: {display_path(str(error))}", file=sys.stderr)
    if args.json:
        records = []
        for annotation, how in rows:
            record = annotation.to_dict()
            if annotation.claimed_author:
                record["claimed_author"] = annotation.claimed_author
            if how:
                record["anchor"] = how
            if annotation.id in pages:  # only annotations of paged articles (PDF) have a page
                record["page"] = pages[annotation.id]
            records.append(record)
        sys.stdout.write(dump_json(records))
        return 0
    for annotation, how in rows:
        print(_row(annotation, how, pages.get(annotation.id)))
        for line in note_lines(annotation.note):
            print("    " + line)
    return 0


def one_line(text: str) -> str:
    """``text`` safe for one terminal line: controls dropped, every line break (U+2028 too) a space."""
    return " ".join(sanitize(text).split())


def note_lines(note: str) -> list[str]:
    """A note's lines for the terminal: split on every kind of line break, each one made safe."""
    return [" ".join(sanitize(line).split()) for line in note.splitlines()] if note.strip() else []


def _row(annotation: Annotation, how: str, page: int | None = None) -> str:
    quote = one_line(annotation.target.exact)
    quote = quote if len(quote) <= 70 else quote[:67] + "..."
    state = " (orphan)" if how == "orphan" else ""
    state += f" p. {page}" if page is not None else ""
    tags = one_line(", ".join(annotation.tags))
    author = one_line(annotation.author)  # a file's name on a squashing mount (file_owner): not trusted raw
    if annotation.claimed_author:
        author += f" (file claims {one_line(annotation.claimed_author)}!)"
    if annotation.imported_from:
        author += f" (imported from {one_line(annotation.imported_from)})"
    return f"{one_line(annotation.article_id)}  {author:<10} [{tags}]{state}  \u201c{quote}\u201d"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _kept(args: argparse.Namespace, library: Library, folder: Path | None = None) -> int:
    folder = folder or unsaved.default_unsaved_dir()
    chosen = args.apply or args.discard
    if chosen is not None:
        path = chosen if chosen.parent != Path() else folder / chosen  # a name as listed, or a path
        settle = kept_review.apply if args.apply is not None else kept_review.discard
        print(one_line(settle(path.absolute(), folder.absolute(), library)))
        return 0
    others: list[str] = []
    files, problems = kept_review.kept_files(folder.absolute(), library, others)
    for problem in problems:
        print(f"newsdesk: warning: {one_line(problem)}", file=sys.stderr)
    if args.json:
        # A note kept with bytes that were not UTF-8 holds lone surrogates: raw, they were a
        # UnicodeEncodeError (strict stdout) or raw bytes 0x80-0xff (surrogateescape); as JSON
        # escapes they read back as kept.
        text = dump_json([_kept_record(kept) for kept in files])
        sys.stdout.write(_LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text))
        return 0
    if not files:
        print("No annotations kept from a dropped connection" + (" in this corpus." if others else "."))
    for kept in files:
        what = {"conflict": "another session changed it since", "failed": "could not be saved"}
        print(
            f"{one_line(kept.path.name)}  {kept.kind}: {what.get(kept.kind, 'saved at the next start of the reader')}"
        )
        print(f"    article: {one_line(kept.title or f'{kept.article_id} (no longer in the corpus)')}")
        print(f"    passage: {one_line(kept.passage)}")
        print(f"    typed:   tags {one_line(', '.join(kept.tags)) or '-'}")
        for line in note_lines(kept.note):
            print("             " + line)
        if kept.now is not None:
            print(f"    now:     tags {one_line(', '.join(kept.now.tags)) or '-'}")
            for line in note_lines(kept.now.note):
                print("             " + line)
    for line in others:
        print(one_line(line))
    if any(kept.kind != "waiting" for kept in files):
        print("`--apply NAME` saves what was typed over what is there now; `--discard NAME` drops it.")
    return 0


def _kept_record(kept: kept_review.KeptFile) -> dict[str, object]:
    return {
        "file": str(kept.path),
        "kind": kept.kind,
        "article_id": kept.article_id,
        "title": kept.title,
        "passage": kept.passage,
        "tags": kept.tags,
        "note": kept.note,
        "now": None if kept.now is None else {"id": kept.now.id, "tags": list(kept.now.tags), "note": kept.now.note},
    }
