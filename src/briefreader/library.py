"""The library: every brief in the folders the user chose and the files they opened.

Pure (no Qt). :class:`Library` ties the store's library tables to the files on
disk: :meth:`Library.refresh` finds briefs, reads the new and changed ones and
indexes their text for search. Reading a file is the slow part, so each brief is
described only when its size or modification time changed.

Indexing a big brief (rendering every section to plain text) takes seconds:
:func:`index_brief` reports progress through a callback and may run on a worker
thread with its own :class:`~briefreader.store.Store`. :func:`index_briefs` reads
and indexes many briefs, reporting each one through callbacks, and
:func:`index_briefs_in` does the same with a Store of its own (the window's indexer
runs it on a worker thread and turns the callbacks into signals).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefreader.errors import BriefreaderError
from briefreader.records import (
    BriefInfo,
    LibraryEntry,
    LibrarySource,
    SectionText,
)
from briefreader.store import Store

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from briefreader.brief import Brief
    from briefreader.paths import Paths
    from briefreader.render import TextStore

# Parsing and rendering are imported where they are used: the window imports this
# module at start.

DEFAULT_FOLDER_NAME = "Briefs"

#: progress(done, total): sections prepared so far, out of the brief's total.
Progress = Callable[[int, int], None]
#: progress(path, done, total): the same, for the brief at ``path``.
BriefProgress = Callable[[str, int, int], None]


class LibraryError(BriefreaderError):
    """A path cannot be added to or removed from the library."""


@dataclass(frozen=True)
class IndexReport:
    """What :func:`index_briefs` did."""

    indexed: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    """(path, reason) of the briefs that could not be read or indexed."""
    cancelled: bool = False
    """Stopped before every brief was indexed."""


@dataclass(frozen=True)
class RefreshReport:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    """Paths of briefs whose content changed since the last refresh."""
    removed: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    to_index: tuple[str, ...] = field(default=())
    """Readable briefs whose current version is not in the search index yet."""


# --------------------------------------------------------------------------- files


def resolved(path: str | os.PathLike[str]) -> Path:
    p = Path(path).expanduser()
    try:
        return p.resolve()
    except OSError:
        return p.absolute()


def default_folders(paths: Paths) -> list[Path]:
    """The library a new user starts with: a Briefs folder in the data folder and
    the bundled sample briefs (when this installation has them)."""
    from briefreader.paths import bundled_briefs_dir

    folders = [paths.data_dir / DEFAULT_FOLDER_NAME]
    bundled = bundled_briefs_dir()
    if bundled is not None:
        folders.append(resolved(bundled))
    return folders


def is_brief_file(path: Path) -> bool:
    from briefreader.parse import BRIEF_SUFFIXES

    return path.suffix.lower() in BRIEF_SUFFIXES and not path.name.startswith(".")


def _storable(path: Path) -> bool:
    """Whether the catalogue can keep this path: a name in bytes that are not UTF-8
    cannot be (nor printed); such a file is left out, as a hidden one is."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        log.warning("left out of the library (its name is not UTF-8): %r", path)
        return False
    return True


def brief_files(sources: Sequence[LibrarySource]) -> list[Path]:
    """Every brief file of the sources, each once, in the sources' order. A missing
    folder or file is skipped (a USB stick may be unplugged); it stays a source."""
    from briefreader.parse import find_briefs

    seen: dict[Path, None] = {}
    for source in sources:
        path = Path(source.path)
        if source.kind == "folder":
            try:
                found = find_briefs(path)
            except BriefreaderError:
                continue
            for p in found:
                if _storable(p):
                    seen.setdefault(resolved(p))
        elif path.is_file():
            seen.setdefault(path)
    return list(seen)


def describe(path: Path, *, previous: BriefInfo | None = None) -> tuple[BriefInfo, Brief | None]:
    """The file's current :class:`BriefInfo`, and the parsed brief when it was read.

    When size and modification time match ``previous`` the file is not read again
    (the brief is then None). A file that cannot be read yields an info with
    ``error`` set, never an exception.
    """
    from briefreader.notes import brief_key
    from briefreader.parse import LOAD_ERRORS, load_brief, load_error_reason

    try:
        st = path.stat()
    except OSError as exc:
        return _unreadable(path, previous, exc.strerror or str(exc)), None
    if (
        previous is not None
        and previous.error is None
        and (previous.mtime_ns, previous.size) == (st.st_mtime_ns, st.st_size)
    ):
        return previous, None
    try:
        brief = load_brief(path)
    except LOAD_ERRORS as exc:
        info = _unreadable(path, previous, load_error_reason(path, exc))
        return replace(info, mtime_ns=st.st_mtime_ns, size=st.st_size), None
    info = BriefInfo(
        path=str(path),
        key=brief_key(brief),
        title=brief.title,
        date=brief.date,
        sections=len(brief.sections),
        content_hash=brief.content_hash,
        mtime_ns=st.st_mtime_ns,
        size=st.st_size,
        indexed_hash=previous.indexed_hash if previous is not None else None,
    )
    return info, brief


def _unreadable(path: Path, previous: BriefInfo | None, reason: str) -> BriefInfo:
    title = previous.title if previous is not None else path.stem.replace("-", " ")
    return BriefInfo(
        path=str(path),
        key=previous.key if previous is not None else str(path),
        title=title,
        error=reason,
        indexed_hash=previous.indexed_hash if previous is not None else None,
    )


# --------------------------------------------------------------------------- indexing


def section_texts(
    brief: Brief,
    kept: TextStore | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[SectionText] | None:
    """Every section's plain text (the slow part of indexing, less what ``kept`` has
    from before); None when cancelled."""
    from briefreader.render import plain_texts

    texts = plain_texts(brief, kept, progress=progress, cancelled=cancelled)
    if texts is None:
        return None
    return [SectionText(s.id, s.title, s.ordinal, text)
            for s, text in zip(brief.sections, texts, strict=True)]


def index_brief(
    store: Store,
    brief: Brief,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bool:
    """Put this version of ``brief`` in the search index (replacing an older one).

    Safe on a worker thread when ``store`` was opened on that thread. Returns False
    when cancelled before anything was written; the write itself is one transaction.
    """
    from briefreader.notes import brief_key

    if brief.path is None:
        raise LibraryError(f"the brief {brief.title!r} has no file, so it cannot be indexed")
    texts = section_texts(brief, store.text_cache, progress=progress, cancelled=cancelled)
    if texts is None:
        return False
    store.index_brief_text(
        path=str(resolved(brief.path)),
        key=brief_key(brief),
        title=brief.title,
        date=brief.date,
        content_hash=brief.content_hash,
        sections=texts,
    )
    return True


def index_briefs(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: BriefProgress | None = None,
    indexed: Callable[[str], None] | None = None,
    failed: Callable[[str, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> IndexReport:
    """Read and index each brief of ``paths``, one after the other.

    ``paths`` may be a lazy iterable (a worker's queue): it is always read to its
    end, but once ``cancelled()`` is true nothing more is read or indexed.
    Callbacks, on the calling thread: ``progress(path, done, total)`` per section
    prepared, ``indexed(path)`` when a brief is in the index, ``failed(path,
    reason)`` when it could not be read or indexed. A failure never stops the others.
    """
    from briefreader.parse import LOAD_ERRORS, load_brief

    done: list[str] = []
    failures: list[tuple[str, str]] = []
    stopped = False
    for raw in paths:
        path = str(raw)
        if stopped or (cancelled is not None and cancelled()):
            stopped = True
            continue
        step = None if progress is None else (lambda n, total, p=path: progress(p, n, total))
        try:
            brief = load_brief(path)
            complete = index_brief(store, brief, progress=step, cancelled=cancelled)
        except LOAD_ERRORS as exc:
            failures.append((path, str(exc)))
            if failed is not None:
                failed(path, str(exc))
            continue
        if not complete:
            stopped = True
            continue
        done.append(path)
        if indexed is not None:
            indexed(path)
    return IndexReport(tuple(done), tuple(failures), stopped)


def refresh_library_in(database: str | os.PathLike[str]) -> RefreshReport:
    """``Library.refresh`` (finding new and changed briefs, without indexing them) with
    a Store of its own on ``database``, opened and closed here: for a worker thread (a
    Store is one-per-thread). Raises BriefreaderError (or OSError) when the library
    cannot be read."""
    with Store(database, backup_interval=None, checked=True) as store:
        return Library(store).refresh(index=False)


def index_briefs_in(
    database: str | os.PathLike[str],
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: BriefProgress | None = None,
    indexed: Callable[[str], None] | None = None,
    failed: Callable[[str, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> IndexReport:
    """:func:`index_briefs` with a Store of its own on ``database``, opened and
    closed here: for a worker thread (a Store is one-per-thread). When the
    database cannot be opened, every brief of ``paths`` fails with the reason."""
    try:
        store = Store(database, backup_interval=None, checked=True)
    except BriefreaderError as exc:
        failures: list[tuple[str, str]] = []
        for raw in paths:
            failures.append((str(raw), str(exc)))
            if failed is not None:
                failed(str(raw), str(exc))
        return IndexReport(failed=tuple(failures))
    with store:
        return index_briefs(store, paths, progress=progress, indexed=indexed,
                            failed=failed, cancelled=cancelled)


# --------------------------------------------------------------------------- the library


class Library:
    """The library as stored: its sources, its briefs, their reading state."""

    def __init__(self, store: Store, paths: Paths | None = None) -> None:
        self.store = store
        if paths is not None and store.library_defaults_pending():
            folders = default_folders(paths)
            with contextlib.suppress(OSError):
                folders[0].mkdir(parents=True, exist_ok=True)
            store.add_library_sources([LibrarySource(str(f), "folder") for f in folders])

    # -- sources ---------------------------------------------------------------------
    def sources(self) -> list[LibrarySource]:
        return self.store.library_sources()

    def folders(self) -> list[str]:
        return [s.path for s in self.sources() if s.kind == "folder"]

    def add(self, paths: Iterable[str | os.PathLike[str]]) -> list[LibrarySource]:
        """Add folders and brief files; returns the sources that were new."""
        new: list[LibrarySource] = []
        for raw in paths:
            path = resolved(raw)
            if path.is_dir():
                new.append(LibrarySource(str(path), "folder"))
            elif path.is_file():
                if not is_brief_file(path):
                    from briefreader.parse import BRIEF_SUFFIXES

                    suffixes = ", ".join(BRIEF_SUFFIXES)
                    raise LibraryError(f"{path} is not a brief (expected {suffixes})")
                new.append(LibrarySource(str(path), "file"))
            else:
                raise LibraryError(f"{path} does not exist")
        return self.store.add_library_sources(new)

    def remove(self, raw: str | os.PathLike[str]) -> LibrarySource:
        """Remove a folder or file from the library (the files stay on disk, and so do
        the notes on its briefs)."""
        path = str(resolved(raw))
        removed = self.store.remove_library_source(path)
        if removed is None:
            known = ", ".join(s.path for s in self.sources()) or "none"
            raise LibraryError(f"{path} is not in the library; the library has: {known}")
        return removed

    def set_folders(self, folders: Sequence[str]) -> None:
        """Make the library's folders exactly these (the preferences dialog's list)."""
        wanted = [str(resolved(f)) for f in folders]
        for source in self.sources():
            if source.kind == "folder" and source.path not in wanted:
                self.store.remove_library_source(source.path)
        self.store.add_library_sources([LibrarySource(f, "folder") for f in wanted])

    def contains(self, path: str | os.PathLike[str]) -> bool:
        p = resolved(path)
        for source in self.sources():
            if source.path == str(p) or (source.kind == "folder" and str(p.parent) == source.path):
                return True
        return False

    # -- briefs ----------------------------------------------------------------------
    def refresh(self, *, index: bool = True, progress: Progress | None = None) -> RefreshReport:
        """Bring the catalogue in line with the files: read new and changed briefs,
        forget vanished ones, and (with ``index``) index what is not indexed yet.

        For a window, call with ``index=False`` and index ``to_index`` on a worker.
        """
        from briefreader.parse import LOAD_ERRORS, load_brief, reading

        known = {i.path: i for i in self.store.catalog()}
        now_read = reading()
        read_otherwise = self.store.library_reading() != now_read
        if read_otherwise:
            # Read before by another version of briefreader (or of a library it reads
            # with): the same bytes may give other sections, so every brief is read
            # again, and indexed again where it changed.
            known = {p: replace(i, mtime_ns=-1) for p, i in known.items()}
        files = brief_files(self.sources())
        added, changed, unreadable, to_index = [], [], [], []
        infos: list[BriefInfo] = []
        briefs: dict[str, Brief] = {}
        for path in files:
            previous = known.get(str(path))
            info, brief = describe(path, previous=previous)
            if info is not previous:
                infos.append(info)
                if previous is None:
                    added.append(info.path)
                elif info.content_hash != previous.content_hash:
                    changed.append(info.path)
            if info.error is not None:
                unreadable.append(info.path)
            elif info.needs_index:
                to_index.append(info.path)
                if brief is not None:
                    briefs[info.path] = brief
        present = {str(p) for p in files}
        removed = [p for p in known if p not in present]
        self.store.save_catalog(infos, remove=removed,
                                reading=now_read if read_otherwise else None)
        if index:
            for n, path in enumerate(to_index):
                brief = briefs.get(path)
                if brief is None:
                    try:
                        brief = load_brief(path)
                    except LOAD_ERRORS:
                        continue
                index_brief(self.store, brief)
                if progress is not None:
                    progress(n + 1, len(to_index))
            to_index = []
        return RefreshReport(
            tuple(added), tuple(changed), tuple(removed), tuple(unreadable), tuple(to_index)
        )

    def entries(self) -> list[LibraryEntry]:
        """The catalogue with note counts and reading state, by title."""
        return self.store.library_entries()

    def entry(self, path: str | os.PathLike[str]) -> LibraryEntry | None:
        wanted = str(resolved(path))
        return next((e for e in self.entries() if e.info.path == wanted), None)

    # -- reading state ---------------------------------------------------------------
