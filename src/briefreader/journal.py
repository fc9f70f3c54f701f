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
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QLockFile

from briefreader.records import now_utc, stamp

log = logging.getLogger(__name__)

KINDS = ("note", "comment", "draft")
#: Unsettled text older than this is dropped (its note was deleted long ago).
KEEP_FOR = timedelta(days=90)
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

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.brief, self.item, self.reply_to)


class TypingJournal:
    """The journal of one window process, in ``folder``.

    Writing never raises: :meth:`typed` returns False when the text could not be
    written (``ok`` stays False until a write succeeds again)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ok = True
        self._latest: dict[tuple[str, str, str, str], Typed] = {}
        self._fd: int | None = None
        self._size = 0
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
            self.ok = False
            return
        adopted, files = self._abandoned()
        try:
            for entry in adopted:
                self._latest[entry.key] = entry
            # Theirs are removed only once what they left is in this file.
            if self._write(asdict(e) for e in adopted):
                for path in files:
                    path.unlink(missing_ok=True)
        finally:
            for held in files.values():
                held.unlock()

    # -- what the window tells it ------------------------------------------------------
    def typed(self, kind: str, brief: str, item: str, text: str, *, reply_to: str = "") -> bool:
        """Keep this text of a box; False when it could not be written."""
        entry = Typed(kind, brief, item, reply_to or "", text, now_utc())
        self._latest[entry.key] = entry
        return self._write([asdict(entry)])

    def settled(self, kind: str, brief: str, item: str, text: str | None = None, *,
                reply_to: str = "") -> None:
        """The store (or the drafts file) holds ``text`` for this box: forget it,
        unless something else was typed since. With ``text`` None, forget it anyway
        (a comment was posted, a draft taken over)."""
        key = (kind, brief, item, reply_to or "")
        entry = self._latest.get(key)
        if entry is None or (text is not None and entry.text != text):
            return
        del self._latest[key]
        if not self._latest:
            self._empty()
        else:
            self._write([{"kind": kind, "brief": brief, "item": item,
                          "reply_to": reply_to or "", "settled": True}])

    def pending(self, brief: str) -> list[Typed]:
        """What was typed in this brief and is not known to be saved, oldest first."""
        return sorted((e for e in self._latest.values() if e.brief == brief),
                      key=lambda e: e.at)

    def close(self) -> None:
        """Stop writing. An empty journal is removed; one with unsettled text stays
        for the next window to adopt."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if not self._latest:
                self.path.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # -- the file ----------------------------------------------------------------------
    def _write(self, records: Iterable[dict]) -> bool:
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        if not data:
            return self.ok
        if self._fd is None:
            return False
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            if self.ok:
                log.warning("typing journal not written: %s", exc)
            self.ok = False
            return False
        self.ok = True
        self._size += len(data)
        if self._size > COMPACT_AT:
            self._compact()
        return True

    def _empty(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            self._size = 0
        except OSError as exc:  # settled lines then follow instead
            log.warning("typing journal not emptied: %s", exc)

    def _compact(self) -> None:
        """Rewrite the file with only what is unsettled (to a temporary name, then
        renamed over it, so a crash meanwhile leaves one whole file or the other)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n"
                       for e in self._latest.values()).encode()
        try:
            tmp.write_bytes(data)
            os.replace(tmp, self.path)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            log.warning("typing journal not compacted: %s", exc)
            tmp.unlink(missing_ok=True)
            return
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._size = fd, len(data)

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
            files[path] = lock
            for entry in read_journal(path):
                have = found.get(entry.key)
                if have is None or have.at <= entry.at:
                    found[entry.key] = entry
        oldest = stamp(datetime.now(UTC) - KEEP_FOR)
        return sorted((e for e in found.values() if e.at >= oldest), key=lambda e: e.at), files


def read_journal(path: Path) -> list[Typed]:
    """What a journal file leaves unsettled. A line cut short by a crash, or one that
    is not a journal line, is skipped."""
    latest: dict[tuple[str, str, str, str], Typed] = {}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.warning("typing journal %s not read: %s", path, exc)
        return []
    for line in raw.splitlines():
        try:
            record = json.loads(line)
            key = (record["kind"], record["brief"], record["item"], record.get("reply_to", ""))
            if record.get("settled"):
                latest.pop(key, None)
                continue
            entry = Typed(*key, text=record["text"], at=record["at"])
        except (ValueError, KeyError, TypeError):
            continue
        if entry.kind in KINDS and isinstance(entry.text, str) and isinstance(entry.at, str):
            latest[key] = entry
    return list(latest.values())
