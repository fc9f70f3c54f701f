"""The typing journal: text typed into a note, comment or reply box, kept on disk
keystroke by keystroke until it is saved, so that a crash, a kill or a save that
failed loses none of it.

Notes autosave about half a second after typing pauses; what was typed in that
half second, or in a note whose save failed (disk full, database busy), lives only
in the window until then. The journal closes that gap. Each keystroke appends one
line of JSON (the whole text of the box) to a file of this process, with a plain
``write``: no ``fsync``, so it costs microseconds, and what was written survives
the process (a crash or SIGKILL) though not a power cut, which the store's own
saves cover. Once the store, or the comment drafts file, holds a text, a settled
line says so; when nothing is left unsettled the file is emptied.

Every window process writes a file of its own in the journal folder, held with a
:class:`QLockFile`. A process that opens the journal adopts the files of
processes that are gone (their lock is free or stale): it takes over what they
left unsettled and deletes their files. A file whose owner still runs is left
alone.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from PySide6.QtCore import QLockFile

from briefreader.records import now_utc

log = logging.getLogger(__name__)

KINDS = ("note", "comment", "draft")
#: The file is rewritten with only what is unsettled once it grows past this.
COMPACT_AT = 256 * 1024
SUFFIX = ".jsonl"


@dataclass(frozen=True)
class Typed:
    """Text typed and not yet known to be saved."""

    kind: str
    """"note" (a highlight's note), "comment" (an existing comment's body) or
    "draft" (an unposted comment or reply)."""
    brief: str
    item: str
    """The highlight or comment id; for a draft, the section id."""
    reply_to: str = ""
    """Drafts only: the comment replied to ("" for a new comment)."""
    text: str = ""
    at: str = ""
    """When it was typed (UTC, ISO 8601, as the store's timestamps)."""
    base: str = ""
    """Notes and comments: the text the store held when this typing began (or at its
    last save since). Recovery replaces the stored text only while it still is this;
    a text changed meanwhile some other way is kept beside the typed one."""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.brief, self.item, self.reply_to)


class TypingJournal:
    """The journal of one window process, in ``folder``.

    Nothing here raises for a disk that fails: :meth:`typed` returns False when the
    text could not be written, and :meth:`keep_all` says whether everything unsettled
    is on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._latest: dict[tuple[str, str, str, str], Typed] = {}
        self._unwritten: set[tuple[str, str, str, str]] = set()
        self._fd: int | None = None
        self._size = 0
        self._compact_at = COMPACT_AT
        self._lock: QLockFile | None = None
        name = uuid.uuid4().hex
        self.path = folder / f"{name}{SUFFIX}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lock = QLockFile(str(folder / f"{name}.lock"))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                raise OSError(f"cannot lock {lock.fileName()}")
            self._lock = lock
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("typing journal unavailable in %s: %s", folder, exc)
            return
        adopted, files = self._abandoned()
        try:
            # Taken over only once in this file (known before the write, which may
            # compact the file); else they stay in theirs, for later.
            self._latest.update((e.key, e) for e in adopted)
            if self._write(asdict(e) for e in adopted):
                for path in files:
                    _quietly(path.unlink, missing_ok=True)
            else:
                for e in adopted:
                    del self._latest[e.key]
        finally:
            for held in files.values():
                held.unlock()

    @property
    def ok(self) -> bool:
        """Whether all that is unsettled is on disk."""
        return self._fd is not None and not self._unwritten

    # -- what the window tells it ------------------------------------------------------
    def typed(self, kind: str, brief: str, item: str, text: str, *, reply_to: str = "",
              base: str = "") -> bool:
        """Keep this text of a box (``base``: what the store holds, when this typing
        begins); False when it could not be written."""
        key = (kind, brief, item, reply_to or "")
        have = self._latest.get(key)
        entry = Typed(*key, text=text, at=now_utc(), base=have.base if have else base)
        self._latest[key] = entry
        record = asdict(entry)
        if have is not None and key not in self._unwritten:
            # As on disk already: a long note is not written twice a keystroke.
            del record["base"]
        if self._write([record]):
            self._unwritten.discard(key)
            return True
        self._unwritten.add(key)
        return False

    def settled(self, kind: str, brief: str, item: str, text: str | None = None, *,
                reply_to: str = "") -> None:
        """The store (or the drafts file) now holds ``text`` for this box. When that
        is the text last typed, or ``text`` is None (nothing typed is pending there:
        a comment posted, a draft taken over, an undo shown), it is forgotten; else
        the typing goes on from ``text``, its new base."""
        key = (kind, brief, item, reply_to or "")
        entry = self._latest.get(key)
        if entry is None:
            return
        if text is not None and entry.text != text:
            entry = self._latest[key] = replace(entry, base=text)
            if not self._write([asdict(entry)]):
                self._unwritten.add(key)
            return
        del self._latest[key]
        self._unwritten.discard(key)
        if not self._latest and self._empty():
            return
        self._write([{"kind": kind, "brief": brief, "item": item, "reply_to": reply_to or "",
                      "settled": True}])

    def move_brief(self, from_brief: str, to_brief: str) -> None:
        """What was typed under the brief key ``from_brief`` is kept under ``to_brief``
        (its notes went there); of two texts for one box, the later typed."""
        for entry in self.pending(from_brief):
            moved = replace(entry, brief=to_brief)
            have = self._latest.get(moved.key)
            if have is None or have.at < entry.at:
                self._latest[moved.key] = moved
                if not self._write([asdict(moved)]):
                    self._unwritten.add(moved.key)
            self.settled(entry.kind, from_brief, entry.item, reply_to=entry.reply_to)

    def holds(self, kind: str, brief: str, item: str, reply_to: str = "") -> bool:
        """Whether typing in this box is unsettled (its base is known already)."""
        return (kind, brief, item, reply_to or "") in self._latest

    def pending(self, brief: str) -> list[Typed]:
        """What was typed in this brief and is not known to be saved, oldest first."""
        return sorted((e for e in self._latest.values() if e.brief == brief),
                      key=lambda e: e.at)

    def keep_all(self) -> bool:
        """Make sure everything unsettled is on disk (rewriting the file when a write
        failed earlier); whether it is."""
        if self._fd is None:
            return not self._latest
        return not self._unwritten or self._compact()

    def close(self) -> None:
        """Stop writing. An empty journal is removed; one with unsettled text stays
        for the next window to adopt."""
        if self._fd is not None:
            _quietly(os.close, self._fd)
            self._fd = None
            if not self._latest:
                _quietly(self.path.unlink, missing_ok=True)
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # -- the file ----------------------------------------------------------------------
    def _write(self, records: Iterable[dict]) -> bool:
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        if not data:
            return True
        if self._fd is None:
            return False
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            log.warning("typing journal not written: %s", exc)
            # A line cut short would swallow the next one: back to the last whole line.
            _quietly(os.ftruncate, self._fd, self._size)
            return False
        self._size += len(data)
        if self._size > self._compact_at:
            self._compact()
        return True

    def _empty(self) -> bool:
        if self._fd is None:
            return False
        try:
            os.ftruncate(self._fd, 0)
        except OSError as exc:  # a settled line follows instead
            log.warning("typing journal not emptied: %s", exc)
            return False
        self._size = 0
        self._unwritten.clear()
        return True

    def _compact(self) -> bool:
        """Rewrite the file with only what is unsettled (to a temporary name, then
        renamed over it, so a crash meanwhile leaves one whole file or the other)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n"
                       for e in self._latest.values()).encode()
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            return self._not_compacted(exc, tmp)
        # Closed first: a file held open cannot be replaced on every system.
        if self._fd is not None:
            _quietly(os.close, self._fd)
            self._fd = None
        try:
            os.replace(tmp, self.path)
        except OSError as exc:
            self._reopen()
            return self._not_compacted(exc, tmp)
        self._reopen()
        if self._fd is None:
            return False
        self._size = len(data)
        # Not again before it has grown well past what it holds now.
        self._compact_at = max(COMPACT_AT, 4 * len(data))
        self._unwritten.clear()
        return True

    def _not_compacted(self, exc: OSError, tmp: Path) -> bool:
        log.warning("typing journal not compacted: %s", exc)
        _quietly(tmp.unlink, missing_ok=True)
        self._compact_at = self._size + COMPACT_AT  # not again at every keystroke
        return False

    def _reopen(self) -> None:
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._size = os.fstat(self._fd).st_size
        except OSError as exc:
            log.warning("typing journal unavailable: %s", exc)
            self._fd = None

    def _abandoned(self) -> tuple[list[Typed], dict[Path, QLockFile]]:
        """Unsettled text of journals whose process is gone, and their files (locked
        now by this process, to be removed once adopted)."""
        found: dict[tuple[str, str, str, str], Typed] = {}
        files: dict[Path, QLockFile] = {}
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            if path == self.path:
                continue
            lock = QLockFile(str(path.with_suffix(".lock")))
            lock.setStaleLockTime(0)
            # A lock left by a process whose id was reused since looks held; removing
            # it fails while a live process really holds it.
            if not lock.tryLock(0) and not (
                    lock.error() == QLockFile.LockError.LockFailedError
                    and lock.removeStaleLockFile() and lock.tryLock(0)):
                continue
            try:
                entries = read_journal(path)
            except OSError as exc:  # left where it is, for a window that can read it
                log.warning("typing journal %s not read: %s", path, exc)
                lock.unlock()
                continue
            files[path] = lock
            for entry in entries:
                have = found.get(entry.key)
                if have is None or have.at <= entry.at:
                    found[entry.key] = entry
        # Kept however old: a brief not opened for months still gets its notes back.
        return sorted(found.values(), key=lambda e: e.at), files


def read_journal(path: Path) -> list[Typed]:
    """What a journal file leaves unsettled. A line cut short by a crash, or one that
    is not a journal line, is skipped; a file that cannot be read raises OSError."""
    latest: dict[tuple[str, str, str, str], Typed] = {}
    raw = path.read_bytes()
    for line in raw.splitlines():
        try:
            record = json.loads(line)
            key = (record["kind"], record["brief"], record["item"], record.get("reply_to", ""))
            if record.get("settled"):
                latest.pop(key, None)
                continue
            have = latest.get(key)
            base = record.get("base", have.base if have is not None else "")
            entry = Typed(*key, text=record["text"], at=record["at"], base=base)
        except (ValueError, KeyError, TypeError):
            continue
        if entry.kind in KINDS and all(isinstance(v, str) for v in asdict(entry).values()):
            latest[key] = entry
    return list(latest.values())


def _quietly(action: Callable[..., object], *args: object, **kwargs: object) -> None:
    """A clean-up step that may fail on a failing disk: logged, never raised."""
    try:
        action(*args, **kwargs)
    except OSError as exc:
        log.warning("typing journal: %s", exc)
