"""Command line: the same jobs as the window, without one.

``briefreader`` alone (or with a path and no subcommand) opens the window; the
subcommands never import QtWidgets.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from briefreader import __version__
from briefreader.cli_support import dump_json, load_brief_arg
from briefreader.errors import BriefreaderError

SUBCOMMANDS = {
    "outline", "render", "annotate", "comment", "notes", "db", "export", "import", "library",
    "search",
}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefreader",
        description="Read briefs offline; highlight, annotate and export notes.",
        epilog="Run 'briefreader' with no subcommand (optionally with a brief or folder) "
        "to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"briefreader {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where notes and settings are kept (default: $BRIEFREADER_HOME, else the "
        "platform's application-data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("outline", help="print a brief's title and section tree")
    p.add_argument("brief", metavar="BRIEF")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--encoding", help="decode the file with this encoding (e.g. cp1252)")
    p.set_defaults(func=_cmd_outline)

    p = sub.add_parser("render", help="print the sanitised HTML the reader shows")
    p.add_argument("brief", metavar="BRIEF")
    p.add_argument("--section", metavar="ID", help="only this section")
    p.add_argument("--encoding", help="decode the file with this encoding (e.g. cp1252)")
    p.set_defaults(func=_cmd_render)

    try:
        from briefreader import cli_notes
    except ImportError:  # pragma: no cover - notes commands not installed
        cli_notes = None
    if cli_notes is not None:
        cli_notes.register(sub)
        from briefreader import cli_library

        cli_library.register(sub)
        from briefreader import cli_export

        cli_export.register(sub)
    return parser


def _cmd_outline(args: argparse.Namespace) -> int:
    from briefreader.render import section_plain_text

    brief = load_brief_arg(args.brief, args)
    if args.json:
        payload = {
            "title": brief.title,
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "level": s.level,
                    "parent": s.parent,
                    "chars": len(section_plain_text(brief, s)),
                }
                for s in brief.sections
            ],
        }
        dump_json(payload)
        return 0
    print(brief.title)
    depth: dict[str, int] = {}
    for s in brief.sections:
        d = depth[s.parent] + 1 if s.parent in depth else 0
        depth[s.id] = d
        print(f"{'  ' * (d + 1)}{s.title}  [{s.id}]")
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    from briefreader.render import render_brief, render_section

    brief = load_brief_arg(args.brief, args)
    if args.section:
        try:
            section = brief.section(args.section)
        except KeyError:
            ids = ", ".join(s.id for s in brief.sections)
            raise BriefreaderError(
                f"no section '{args.section}' in {brief.title!r}; sections: {ids}"
            ) from None
        sys.stdout.write(render_section(brief, section).html)
    else:
        sys.stdout.write(render_brief(brief))
    sys.stdout.write("\n")
    return 0


#: Arguments that are text to keep or look for (not file names): they must be UTF-8.
_TEXT_ARGS = {"quote": "--quote", "note": "--note", "text": "--text", "tag": "--tag",
              "section": "--section", "reply_to": "--reply-to", "author": "--author",
              "query": "QUERY", "earlier": "ID"}


def _check_text_args(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 (a terminal set to another encoding) reach Python as
    lone surrogates, which no file or database can hold: say so before any work."""
    for name, label in _TEXT_ARGS.items():
        value = getattr(args, name, None)
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                continue
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BriefreaderError(
                    f"{label} is not valid UTF-8 text (is the terminal's encoding UTF-8?)"
                ) from None


def _wants_window(argv: Sequence[str]) -> bool:
    """No subcommand → the window (with optional path). Options alone do not count."""
    for arg in argv:
        if arg in SUBCOMMANDS:
            return False
        if arg in ("-h", "--help", "--version"):
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _wants_window(argv):
        from briefreader.app import main as app_main

        return app_main(argv)
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        _check_text_args(args)
        return int(args.func(args) or 0)
    except BriefreaderError as exc:
        print(f"briefreader: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `briefreader render X | head` closes our stdout early; that is not an error.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""  # which folder or file
        print(f"briefreader: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
