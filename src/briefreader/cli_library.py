"""Command-line library and search: ``library add|list|remove`` and ``search``.

``cli.py`` calls :func:`register`; handlers return an exit code and raise
BriefreaderError subclasses for mistakes a user can fix.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from briefreader.cli_support import data_paths, dump_json, open_store, positive_int
from briefreader.records import COLORS, SaveError
from briefreader.search import SCOPES, SearchFilters, SearchResult, parse_query

_Subparsers = Any
KIND_NAMES = {"text": "Text", "note": "Note", "comment": "Comment"}


def register(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser("library", help="the folders and briefs of your library")
    lib = p.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    q = lib.add_parser("add", help="add folders of briefs, or brief files")
    q.add_argument("paths", nargs="+", metavar="PATH")
    q.set_defaults(func=cmd_library_add)
    q = lib.add_parser("list", help="every brief in the library")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=cmd_library_list)
    q = lib.add_parser("remove", help="remove a folder or file (files and notes are kept)")
    q.add_argument("path", metavar="PATH")
    q.set_defaults(func=cmd_library_remove)

    p = subparsers.add_parser(
        "search",
        help="search the text of every library brief and every note",
        description='Words must all occur; use "a phrase", prefix* and OR. Case and '
        "accents are ignored.",
    )
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--in", dest="scope", choices=SCOPES, default="all",
                   help="brief text, notes (highlights and comments) or all (default)")
    p.add_argument("--color", choices=COLORS, help="only highlights of this colour")
    p.add_argument("--tag", metavar="T", help="only highlights with this tag")
    p.add_argument("--author", metavar="A", help="only notes and comments by this author")
    p.add_argument("--limit", type=positive_int, default=50, metavar="N",
                   help="at most N results (default 50)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_search)





@contextmanager
def _library(args: argparse.Namespace) -> Iterator[Any]:
    from briefreader.library import Library

    with open_store(args) as store:
        try:
            library = Library(store, data_paths(args))
        except SaveError:  # read-only or busy: the default folders wait (as in the window)
            library = Library(store)
        yield library


def _refresh_to_read(library: Any, *, index: bool, then: str) -> None:
    """Bring the library up to date before reading it; when the notes database cannot
    be written (read-only, busy), say so and read it as last saved."""
    try:
        library.refresh(index=index)
    except SaveError as exc:
        print(f"briefreader: {exc}; {then}", file=sys.stderr)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


# --------------------------------------------------------------------------- library


def cmd_library_add(args: argparse.Namespace) -> int:
    with _library(args) as library:
        added = library.add(args.paths)
        report = library.refresh()
        entries = library.entries()
        count = len(entries)
    errors = {e.info.path: e.info.error for e in entries if e.info.error}
    new = {s.path for s in added}
    for path in args.paths:
        from briefreader.library import resolved

        p = str(resolved(path))
        print(f"added {p}" if p in new else f"already in the library: {p}")
    for path in report.unreadable:
        why = errors.get(path)
        print(f"cannot read {path}{f': {why}' if why else ''}", file=sys.stderr)
    print(f"The library has {_plural(count, 'brief')}.")
    return 0


def cmd_library_list(args: argparse.Namespace) -> int:
    with _library(args) as library:
        _refresh_to_read(library, index=False, then="the library is listed as last saved")
        entries = library.entries()
        sources = library.sources()
    if args.json:
        dump_json({
            "briefs": [
                {"id": e.info.key, "title": e.info.title, "path": e.info.path,
                 "sections": e.info.sections, "notes": e.notes}
                for e in entries
            ]
        })  # fmt: skip
        return 0
    if not entries:
        print("The library is empty. Add a folder: briefreader library add FOLDER")
    for e in entries:
        extra = [_plural(e.info.sections, "section")]
        if e.notes:
            extra.append(_plural(e.notes, "note"))
        if e.progress:
            extra.append(f"{round(e.progress * 100)} % read")
        if e.info.error:
            extra = [f"cannot be read: {e.info.error}"]
        date = f"  {e.info.date}" if e.info.date else ""
        print(f"{e.info.title}{date}  ({', '.join(extra)})")
        print(f"    {e.info.path}")
    print()
    print("Folders and files:" if sources else "No folders or files.")
    for s in sources:
        print(f"  {s.path}{'' if s.kind == 'folder' else '  (file)'}")
    return 0


def cmd_library_remove(args: argparse.Namespace) -> int:
    with _library(args) as library:
        removed = library.remove(args.path)
        library.refresh(index=False)
    kind = "folder" if removed.kind == "folder" else "file"
    print(f"removed the {kind} {removed.path} from the library (files and notes are kept)")
    return 0


# --------------------------------------------------------------------------- search


def _brief_labels(results: list[SearchResult]) -> dict[str, str]:
    """How each brief is named in the results, by its key: its title; where different
    briefs share a title (a brief and its copy in another folder), with its file's name
    after it, or its whole path where the file names are the same too."""
    by_title: dict[str, dict[str, str]] = {}
    for r in results:
        by_title.setdefault(r.brief, {}).setdefault(r.brief_id, r.path or r.brief_id)
    labels: dict[str, str] = {}
    for title, briefs in by_title.items():
        names = Counter(Path(where).name for where in briefs.values())
        for key, where in briefs.items():
            if len(briefs) < 2:
                labels[key] = title
            else:
                shown = Path(where).name if names[Path(where).name] == 1 else where
                labels[key] = f"{title} ({shown})"
    return labels


def _print_result(r: SearchResult, brief: str) -> None:
    print(f"{KIND_NAMES[r.kind]} · {brief} › {r.section_title} [{r.section}]")
    print(f"    {r.snippet.marked('«', '»')}")
    if r.id:
        print(f"    {r.id}")


def cmd_search(args: argparse.Namespace) -> int:
    query = parse_query(args.query)
    filters = SearchFilters(
        scope=args.scope, color=args.color, tag=args.tag, author=args.author, limit=args.limit
    )
    with _library(args) as library:
        if filters.wants_text:  # new and changed briefs are searched as they are now
            _refresh_to_read(library, index=True, then="briefs are searched as last indexed")
        results = library.store.search(query, filters)
    if args.json:
        dump_json({"results": [r.as_json() for r in results]})
        return 0
    if not results:
        print("No results.")
        return 0
    labels = _brief_labels(results)
    for i, r in enumerate(results):
        if i:
            print()
        _print_result(r, labels[r.brief_id])
    return 0
