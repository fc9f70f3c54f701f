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
        yield store
    finally:
        store.close()


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
