"""What every CLI command module shares: the data folder, the store, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from briefreader.errors import BriefreaderError
from briefreader.paths import Paths, resolve_paths

if TYPE_CHECKING:
    from briefreader.notes import NotesService
    from briefreader.store import Store


def positive_int(value: str) -> int:
    """argparse type: a whole number from 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, got {value!r}")
    return number


def data_paths(args: argparse.Namespace) -> Paths:
    paths = resolve_paths(args.data_dir)
    try:
        return paths.ensure()
    except (FileExistsError, NotADirectoryError):
        raise BriefreaderError(
            f"the data folder {paths.data_dir} cannot be made: a file of that name "
            "(or on its path) is in the way"
        ) from None
    except OSError as exc:  # no permission, a read-only disk…
        raise BriefreaderError(
            f"the data folder {paths.data_dir} cannot be made: {exc.strerror or exc}; "
            "give another with --data-dir"
        ) from None


@contextmanager
def open_store(args: argparse.Namespace, **options: Any) -> Iterator[Store]:
    """The store, keeping as many backups as Preferences says (as the window does);
    ``options`` go to Store."""
    from briefreader.settings import Settings
    from briefreader.store import Store

    paths = data_paths(args)
    store = Store.open(paths, keep_backups=Settings(paths.settings_file).keep_backups,
                       **options)
    try:
        _tell_of_damaged_predecessor(args, store)
        yield store
    finally:
        store.close()


def _tell_of_damaged_predecessor(args: argparse.Namespace, store: Store) -> None:
    """Once a run, on standard error: while the notes database that was damaged lies
    beside a new one that holds no notes yet, where it is. Only the first command
    after the damage said so; without this, every later one shows no notes as if
    they were gone for nothing."""
    if getattr(args, "_told_of_damage", False):
        return
    from briefreader.records import ReadError

    try:
        damaged = store.damaged_predecessor()
    except ReadError:
        return  # the command itself says what is wrong with the database
    if damaged is None:
        return
    args._told_of_damage = True
    print(
        f"briefreader: note: no notes are kept here yet: the earlier notes database was "
        f"damaged and set aside as {damaged}; its notes may still be recovered from it, "
        f"so keep it (ask whoever supports briefreader for you). A backup of it, if you "
        f"have one, is put back with 'briefreader db restore FILE'. This note stops once "
        f"a note is kept here or that file is moved out of {damaged.parent}.",
        file=sys.stderr,
    )


@contextmanager
def open_service(args: argparse.Namespace) -> Iterator[NotesService]:
    """The notes service, with the author name the window uses (Preferences)."""
    from briefreader.notes import NotesService
    from briefreader.settings import Settings

    with open_store(args) as store:
        author = Settings(data_paths(args).settings_file).author or None
        yield NotesService(store, author=author)


def load_brief_arg(path: str, args: argparse.Namespace):
    """Load the brief a command names, with its --encoding when it has one."""
    from briefreader.parse import EncodingError, load_brief

    try:
        return load_brief(path, encoding=getattr(args, "encoding", None))
    except EncodingError as exc:
        if exc.suggested_encoding is None:
            raise
        # The way to open it so, at the command line.
        raise EncodingError(f"{exc} (--encoding {exc.suggested_encoding})",
                            offset=exc.offset,
                            suggested_encoding=exc.suggested_encoding) from None


def dump_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
