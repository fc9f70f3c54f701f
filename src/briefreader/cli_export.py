"""Command-line export and import of notes: ``export`` and ``import``.

``cli.py`` calls :func:`register`. Export writes to stdout unless ``-o`` names a
file, which is written atomically and never replaced without ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefreader.cli_support import dump_json, load_brief_arg, open_service
from briefreader.records import COLORS

if TYPE_CHECKING:
    from briefreader.brief import Brief
    from briefreader.importing import ImportBundle
    from briefreader.notes import NotesService

# The subparsers object argparse hands out has a private type; accept any.
_Subparsers = Any


def register(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="export a brief's notes as Markdown (default) or W3C JSON"
    )
    p.add_argument("brief", metavar="BRIEF")
    p.add_argument(
        "--format",
        choices=("md", "json"),
        help="default: json when FILE ends in .json, else md",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of to stdout")
    p.add_argument(
        "--color", action="append", choices=COLORS, metavar="C", help="only this colour; repeatable"
    )
    p.add_argument(
        "--tag", action="append", metavar="T", help="only notes with this tag; repeatable"
    )
    p.add_argument("--author", metavar="A", help="only notes by this author")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--encoding", help="decode the brief with this encoding (e.g. cp1252)")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser(
        "import", help="merge notes from a JSON or Markdown export into the notes database"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--brief", metavar="BRIEF", help="the brief the notes are on (places new notes in it)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--encoding", help="decode the brief with this encoding (e.g. cp1252)")
    p.add_argument("--any-brief", action="store_true",
                   help="import into BRIEF even when the notes plainly are on another brief")
    p.set_defaults(func=cmd_import)





def cmd_export(args: argparse.Namespace) -> int:
    from briefreader import export

    brief = load_brief_arg(args.brief, args)
    fmt = args.format
    if fmt is None:
        fmt = "json" if args.output and args.output.lower().endswith(".json") else "md"
    with open_service(args) as service:
        data = export.gather(service, brief, share=fmt == "json")
        render = export.export_json if fmt == "json" else export.export_markdown
        text = render(data, colors=args.color, tags=args.tag, author=args.author)
        if args.output:
            export.refuse_own_files(Path(args.output), brief=brief,
                                    database=service.store.database)
            export.write_atomically(Path(args.output), text, force=args.force)
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        # Versions that went out while the database was busy: marked before this
        # process ends, if it has become free (see Store.exported_unmarked).
        if not service.store.mark_exported_now():
            print("briefreader: the notes database could not be written, so the versions "
                  "exported are not marked as such: a colleague's next import of a note "
                  "you edit meanwhile may keep both texts", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from briefreader import importing

    brief = load_brief_arg(args.brief, args) if args.brief else None
    # Parse before opening the store: a bad file is reported without touching it.
    bundle = importing.read_import(Path(args.file))
    edited_at = importing.file_time(Path(args.file))
    source = importing.file_identity(Path(args.file))
    with open_service(args) as service:
        if brief is None:
            brief = _brief_read_here(service, bundle)
        try:
            summary = importing.apply_import(service, bundle, brief=brief,
                                             edited_at=edited_at, source=source,
                                             any_brief=args.any_brief)
        except importing.OtherBriefError as exc:
            raise importing.OtherBriefError(
                exc.theirs, exc.here, "or add --any-brief to import them into it anyway"
            ) from None
    if args.json:
        payload = asdict(summary)
        payload["reasons"] = list(summary.reasons)
        dump_json(payload)
        return 0
    print(f"Imported notes on '{summary.brief_key}': {summary.summary()}.")
    for reason in summary.reasons:
        print(f"  skipped: {reason}")
    return 0


def _brief_read_here(service: NotesService, bundle: ImportBundle) -> Brief | None:
    """The brief an import file's notes are on, as read here (from where it was last
    read), so that they are placed in this version of it; None when it is not known
    here, or no longer there as the same brief."""
    from briefreader.errors import BriefreaderError
    from briefreader.importing import stored_key
    from briefreader.notes import brief_key

    key = stored_key(service.store, bundle)
    record = service.store.get_brief(key) if key else None
    if record is None or record.path is None:
        return None
    try:
        brief = load_brief_arg(record.path, argparse.Namespace())
    except (BriefreaderError, OSError):
        return None
    return brief if brief_key(brief) == record.key else None
