"""Command-line notes: ``annotate``, ``comment``, ``notes`` and ``db``.

``cli.py`` calls :func:`register`; every handler takes the parsed arguments and
returns an exit code. User mistakes raise BriefreaderError subclasses, which
cli.py prints as one line.
"""

from __future__ import annotations

import argparse
import codecs
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from briefreader.cli_support import (
    data_paths,
    dump_json,
    load_brief_arg,
    open_service,
    open_store,
    positive_int,
)
from briefreader.errors import BriefreaderError
from briefreader.records import COLORS, Comment, Highlight
from briefreader.store import Store, list_backups, restore_problems

# The subparsers object argparse hands out has a private type; accept any.
_Subparsers = Any


def register(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser("annotate", help="highlight a passage of a brief, with a note")
    p.add_argument("brief", metavar="BRIEF")
    p.add_argument("--section", required=True, metavar="ID", help="section id (see 'outline')")
    p.add_argument("--quote", required=True, metavar="TEXT", help="the passage to highlight")
    p.add_argument(
        "--occurrence", type=positive_int, default=1, metavar="N", help="the N-th match (default 1)"
    )
    note = p.add_mutually_exclusive_group()
    note.add_argument("--note", default="", metavar="TEXT", help="note on the highlight (Markdown)")
    note.add_argument("--note-file", metavar="FILE",
                      help="read the note from FILE (UTF-8; '-' for standard input)")
    p.add_argument("--color", default="yellow", choices=COLORS, help="default: yellow")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="repeatable")
    _common(p)
    p.set_defaults(func=cmd_annotate)

    p = subparsers.add_parser("comment", help="comment on a whole section of a brief")
    p.add_argument("brief", metavar="BRIEF")
    p.add_argument("--section", required=True, metavar="ID", help="section id (see 'outline')")
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", metavar="TEXT", help="the comment (Markdown)")
    text.add_argument("--text-file", metavar="FILE",
                      help="read the comment from FILE (UTF-8; '-' for standard input)")
    p.add_argument("--reply-to", metavar="ID", help="id of the comment this answers")
    _common(p)
    p.set_defaults(func=cmd_comment)

    p = subparsers.add_parser("notes", help="list a brief's highlights and comments")
    p.add_argument("brief", metavar="BRIEF")
    _common(p)
    p.set_defaults(func=cmd_notes)

    p = subparsers.add_parser(
        "db", help="check, back up or restore the notes database; list its briefs"
    )
    db = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    q = db.add_parser("check", help="full integrity check (exit 0 when sound)")
    q.set_defaults(func=cmd_db_check)
    q = db.add_parser("backup", help="write a verified backup now")
    q.set_defaults(func=cmd_db_backup)
    q = db.add_parser(
        "restore", help="replace the database by a backup (the current one is kept aside)"
    )
    q.add_argument("backup", nargs="?", metavar="BACKUP", help="default: newest sound backup")
    q.set_defaults(func=cmd_db_restore)
    q = db.add_parser("backups", help="the backups 'db restore' can take, newest first, each"
                                       " checked in full")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=cmd_db_backups)
    q = db.add_parser("briefs", help="every brief the notes database knows, its notes counted,"
                                      " and whether it is found")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=cmd_db_briefs)
    q = db.add_parser(
        "attach", help="give a brief the notes kept under another (see 'db briefs')"
    )
    q.add_argument("earlier", metavar="ID", help="the id 'db briefs' shows for those notes")
    q.add_argument("brief", metavar="BRIEF")
    q.add_argument("--force", action="store_true",
                   help="also when the brief ID is still found where it was read from")
    _common(q)
    q.set_defaults(func=cmd_db_attach)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--encoding", help="decode the brief with this encoding (e.g. cp1252)")


# --------------------------------------------------------------------------- JSON


def highlight_json(h: Highlight, text: str | None) -> dict[str, Any]:
    return {
        "id": h.id,
        "status": h.status,
        "section": h.current_section,
        "start": h.current_start,
        "end": h.current_end,
        "exact": h.exact,
        "prefix": h.prefix,
        "suffix": h.suffix,
        "text": text,
        "note": h.note,
        "color": h.color,
        "tags": list(h.tags),
        "author": h.author,
        "created": h.created,
        "modified": h.modified,
    }


def comment_json(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "status": c.status,
        "section": c.current_section,
        "body": c.body,
        "author": c.author,
        "reply_to": c.reply_to,
        "created": c.created,
        "modified": c.modified,
    }


# --------------------------------------------------------------------------- readable


def _short(text: str, limit: int = 72) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _highlight_lines(h: Highlight, text: str | None, labels: dict[str, str]) -> list[str]:
    shown = text if text is not None else h.exact
    status = "" if h.status == "anchored" else f"  [{h.status}]"
    lines = [f"  {h.color} ({labels.get(h.color, '')}): “{_short(shown)}”{status}"]
    if h.status == "changed" and text is not None and text != h.exact:
        lines.append(f"      was: “{_short(h.exact)}”")
    for line in h.note.splitlines():
        lines.append(f"      {line}")
    meta = [h.author, h.created[:16].replace("T", " ")]
    if h.tags:
        meta.insert(0, "tags: " + ", ".join(h.tags))  # as typed: "needs review" is one
    lines.append(f"      {' · '.join(m for m in meta if m)} · {h.id}")
    return lines


def _comment_lines(c: Comment, depth: int) -> list[str]:
    pad = "  " * (depth + 1)
    status = "" if c.status == "anchored" else f"  [{c.status}]"
    # Characters every console code page has (cp1252 included): output may be piped.
    head = "› " if depth else "• "
    body = c.body.splitlines() or [""]
    lines = [f"{pad}{head}{body[0]}{status}"]
    lines += [f"{pad}   {line}" for line in body[1:]]
    lines.append(f"{pad}   {c.author} · {c.created[:16].replace('T', ' ')} · {c.id}")
    return lines


def _print_listing(listing, labels: dict[str, str]) -> None:
    brief = listing.brief
    n_h, n_c = len(listing.highlights), len(listing.comments)
    print(f"{brief.title}  ({n_h} highlight{'s' * (n_h != 1)}, {n_c} comment{'s' * (n_c != 1)})")
    summary = listing.report.summary()
    if summary:
        when = ("The brief changed" if listing.report.reanchored else "Since they were made")
        if listing.report.read_otherwise:
            when = "briefreader was updated and finds other sections in the brief"
        print(f"{when}: {summary}.")
    headings = {s.id: s.heading for s in brief.sections}
    order = [s.id for s in brief.sections]
    by_section: dict[str | None, list[str]] = {}
    for placed in listing.highlights:
        h = placed.highlight
        by_section.setdefault(h.current_section, []).extend(
            _highlight_lines(h, placed.text, labels)
        )
    children: dict[str | None, list[Comment]] = {}
    for c in listing.comments:
        children.setdefault(c.reply_to, []).append(c)
    known = {c.id for c in listing.comments}

    def thread(c: Comment, depth: int) -> list[str]:
        lines = _comment_lines(c, depth)
        for reply in children.get(c.id, []):
            lines += thread(reply, depth + 1)
        return lines

    for c in listing.comments:
        if c.reply_to is None or c.reply_to not in known:
            by_section.setdefault(c.current_section, []).extend(thread(c, 0))
    for section_id in order + [None]:
        lines = by_section.get(section_id)
        if not lines:
            continue
        title = headings.get(section_id, "") if section_id else "Orphaned (not found)"
        print()
        print(f"{title} [{section_id}]" if section_id else title)
        for line in lines:
            print(line)


# --------------------------------------------------------------------------- handlers

#: A note or comment read from a file: longer than any a person writes.
MAX_TEXT_FILE_BYTES = 32 * 1024 * 1024


def _text_of(given: str | None, path: str | None) -> str:
    """The text given on the command line, or read from ``path`` ('-': standard input)
    for one too long for a command line."""
    if path is None:
        return given or ""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_TEXT_FILE_BYTES + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(MAX_TEXT_FILE_BYTES + 1)
    except OSError as exc:
        raise BriefreaderError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_TEXT_FILE_BYTES:
        raise BriefreaderError(f"{path} is too long for a note "
                         f"(the limit is {MAX_TEXT_FILE_BYTES // 1_048_576} MB)")
    # A file saved as "Unicode" (UTF-16: Windows editors, PowerShell's '>') says so
    # with its byte-order mark.
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        label = "UTF-16" if utf16 else "UTF-8"
        if path != "-":
            raise BriefreaderError(f"{path} is not {label} text (byte {exc.start}); "
                                   "save it as UTF-8 and try again") from exc
        # Standard input cannot be read again: its bytes are given back as they came.
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        raise BriefreaderError(
            f"the text on standard input is not {label} (byte {exc.start}; is the "
            "terminal's encoding UTF-8?); it is on standard output as it came"
        ) from exc
    # As the window keeps text: one kind of line end, and no newline a file ends with.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:-1] if text.endswith("\n") else text


@contextmanager
def _kept_if_unsaved(text: str, path: str | None) -> Iterator[None]:
    """Run a save; should it fail, text read from standard input (which cannot be read
    again) is written to standard output, so that none of it is lost."""
    try:
        yield
    except BriefreaderError as exc:
        if path != "-" or not text:
            raise
        sys.stdout.write(text + "\n")
        raise BriefreaderError(
            f"{exc}; the text read from standard input is on standard output"
        ) from exc


def cmd_annotate(args: argparse.Namespace) -> int:
    brief = load_brief_arg(args.brief, args)
    note = _text_of(args.note, args.note_file)
    with _kept_if_unsaved(note, args.note_file), open_service(args) as service:
        h = service.annotate(
            brief,
            args.section,
            args.quote,
            occurrence=args.occurrence,
            note=note,
            color=args.color,
            tags=args.tag,
        )
        labels = {c.color: c.label for c in service.store.color_labels()}
    if args.json:
        dump_json(highlight_json(h, h.exact))
    else:
        print(f"Highlighted in {h.section_heading} [{h.section_id}], {h.start}–{h.end}:")
        for line in _highlight_lines(h, h.exact, labels):
            print(line)
    return 0


def cmd_comment(args: argparse.Namespace) -> int:
    brief = load_brief_arg(args.brief, args)
    text = _text_of(args.text, args.text_file)
    with _kept_if_unsaved(text, args.text_file), open_service(args) as service:
        c = service.comment(brief, args.section, text, reply_to=args.reply_to)
    if args.json:
        dump_json(comment_json(c))
    else:
        print(f"Commented on {c.section_heading} [{c.section_id}]:")
        for line in _comment_lines(c, 0):
            print(line)
    return 0


def cmd_notes(args: argparse.Namespace) -> int:
    brief = load_brief_arg(args.brief, args)
    with open_service(args) as service:
        listing = service.listing(brief)
        labels = {c.color: c.label for c in service.store.color_labels()}
        likely = service.likely_earlier(brief) if listing.report.new_brief else None
    _show_listing(listing, labels, as_json=args.json)
    if likely is not None:
        where = f" at {likely.path}" if likely.path else ""
        print(f"briefreader: notes kept for {likely.title!r}, not found{where}, may be"
              f" this brief's: briefreader db attach {shlex.quote(likely.key)}"
              f" {shlex.quote(args.brief)}", file=sys.stderr)
    return 0


def _show_listing(listing, labels: dict[str, str], *, as_json: bool) -> None:
    if as_json:
        dump_json(
            {
                "brief": {
                    "id": listing.brief.key,
                    "title": listing.brief.title,
                    "path": listing.brief.path,
                },
                "highlights": [highlight_json(p.highlight, p.text) for p in listing.highlights],
                "comments": [comment_json(c) for c in listing.comments],
            }
        )
    else:
        _print_listing(listing, labels)


def cmd_db_briefs(args: argparse.Namespace) -> int:
    from briefreader.notes import found_briefs

    with open_store(args) as store:
        briefs = store.stored_briefs()
    found = found_briefs(briefs)
    if args.json:
        dump_json({"briefs": [
            {"id": b.key, "title": b.title, "path": b.path, "found": b.key in found,
             "highlights": b.highlights, "comments": b.comments, "trashed": b.trashed,
             "seen": b.seen_at}
            for b in briefs
        ]})  # fmt: skip
        return 0
    for b in briefs:
        counts = [f"{b.highlights} highlight{'s' * (b.highlights != 1)}",
                  f"{b.comments} comment{'s' * (b.comments != 1)}"]
        if b.trashed:
            counts.append(f"{b.trashed} in the Trash")
        print(f"{b.title}  ({', '.join(counts)}){'' if b.key in found else '  - not found'}")
        print(f"    id: {b.key}")
        if b.path is not None and b.path != b.key:
            print(f"    path: {b.path}")
    lost = sum(1 for b in briefs if b.key not in found and b.notes)
    if lost:
        print(f"\n{lost} brief{'s' * (lost != 1)} with notes not found where read from:"
              " 'briefreader db attach ID BRIEF' gives a brief the notes kept under ID.")
    return 0


def cmd_db_attach(args: argparse.Namespace) -> int:
    from briefreader.notes import brief_key, found_briefs

    brief = load_brief_arg(args.brief, args)
    with open_service(args) as service:
        stored = service.store.stored_briefs()
        source = next((b for b in stored if b.key == args.earlier), None)
        if (source is not None and source.key in found_briefs(stored)
                and source.key != brief_key(brief) and not args.force):
            raise BriefreaderError(
                f"{source.title!r} ({source.key}) is still at {source.path}: its notes would"
                " leave it (add --force to move them all the same)")
        listing = service.attach(brief, args.earlier)
        labels = {c.color: c.label for c in service.store.color_labels()}
    _show_listing(listing, labels, as_json=args.json)
    return 0


def cmd_db_check(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        problems = store.check()
        version = store.schema_version
        database = store.database
    if problems:
        for problem in problems:
            print(problem)
        raise BriefreaderError(f"the notes database {database} has problems (see above)")
    print(f"{database}: sound (schema {version})")
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    # No daily backup on opening: the one asked for is made just after.
    with open_store(args, backup_interval=None) as store:
        path = store.backup()
    print(path)
    return 0


def cmd_db_backups(args: argparse.Namespace) -> int:
    """List the backups, newest first, with whether each can be restored (and why not)."""
    paths = data_paths(args)
    found = []
    for path in list_backups(paths.backups):
        try:
            size = path.stat().st_size
        except OSError as exc:
            size, problems = None, [exc.strerror or str(exc)]
        else:
            problems = restore_problems(path)
        found.append({"path": str(path), "bytes": size, "sound": not problems,
                      "problems": problems})
    if args.json:
        dump_json({"folder": str(paths.backups), "backups": found})
        return 0
    if not found:
        print(f"no backups in {paths.backups}")
        return 0
    for b in found:
        size = "" if b["bytes"] is None else f"{b['bytes'] / 1024:,.0f} KiB  "
        state = "sound" if b["sound"] else "cannot be restored: " + "; ".join(b["problems"])
        print(f"{b['path']}  {size}{state}")
    return 0


def cmd_db_restore(args: argparse.Namespace) -> int:
    paths = data_paths(args)
    result = Store.restore(paths.database, args.backup, backup_dir=paths.backups)
    print(f"restored {paths.database} from {result.restored_from}")
    if result.moved_aside is not None:
        print(f"the database it replaced was kept as {result.moved_aside}")
    # Opening checks (and, for an older backup, upgrades) what was restored.
    with open_store(args):
        pass
    return 0
