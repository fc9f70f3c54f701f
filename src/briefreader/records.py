"""Records of the notes store and the errors it raises; no SQL here.

Everything crossing the store's boundary is one of these frozen dataclasses,
never a row. The SQL that reads and writes them lives in :mod:`briefreader.store`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from briefreader.errors import BriefreaderError

COLORS = ("yellow", "green", "blue", "red", "purple")
DEFAULT_LABELS = {
    "yellow": "key point",
    "green": "agree",
    "blue": "question",
    "red": "concern",
    "purple": "action",
}
HIGHLIGHT_STATUSES = ("anchored", "moved", "changed", "ambiguous", "orphaned")
COMMENT_STATUSES = ("anchored", "moved", "orphaned")


# --------------------------------------------------------------------------- errors


class StoreError(BriefreaderError):
    """The notes database cannot be used as asked."""


class SaveError(StoreError):
    """A write failed for a reason the user can act on; nothing was saved.

    ``draft`` holds the text the user was saving (when the caller set it) so the
    interface can keep it instead of losing it.
    """

    def __init__(self, message: str, *, reason: str, code: str = "", draft: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.code = code
        self.draft = draft


class DatabaseTooNewError(StoreError):
    """The database was written by a newer briefreader."""


class DatabaseCorruptError(StoreError):
    """The database failed its check; it has been moved aside to ``moved_to``."""

    def __init__(self, message: str, *, database: Path, moved_to: Path, backups: list[Path]):
        super().__init__(message)
        self.database = database
        self.moved_to = moved_to
        self.backups = backups


class ReadError(StoreError):
    """A read failed for a reason the user can act on (the database is busy, damaged,
    or the disk failed); nothing was changed."""

    def __init__(self, message: str, *, reason: str, code: str = ""):
        super().__init__(message)
        self.reason = reason
        self.code = code


class NoteNotFoundError(StoreError):
    """No highlight, comment or bookmark has that id."""


class EditConflictError(StoreError):
    """The text was changed elsewhere (another window) since the caller last read it;
    nothing was saved. ``current`` is the highlight or comment as stored now."""

    def __init__(self, message: str, current: object) -> None:
        super().__init__(message)
        self.current = current


class NotesChangedError(StoreError):
    """Notes a merge was worked out from changed before it was written (another window
    went on meanwhile); nothing was written."""


# --------------------------------------------------------------------------- records


def now_utc() -> str:
    """UTC time as ISO 8601 with milliseconds and a 'Z', sortable as text."""
    return stamp(datetime.now(UTC))


def stamp(when: datetime) -> str:
    """An aware time as the store writes it: UTC, ISO 8601, milliseconds, 'Z'."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class SectionRecord:
    id: str
    heading: str
    level: int
    ordinal: int
    text_hash: str


@dataclass(frozen=True)
class BriefRecord:
    key: str
    """Front-matter id when the brief has one, else its resolved path."""
    title: str
    path: str | None
    content_hash: str
    sections: tuple[SectionRecord, ...] = ()
    seen_at: str = ""


@dataclass(frozen=True)
class Highlight:
    id: str
    brief_key: str
    section_id: str
    """Section, heading and ordinal when the highlight was made."""
    section_heading: str
    section_ordinal: int
    exact: str
    prefix: str
    suffix: str
    start: int
    """Code points in the section's normalised plain text, when made."""
    end: int
    color: str = "yellow"
    note: str = ""
    tags: tuple[str, ...] = ()
    author: str = ""
    created: str = ""
    modified: str = ""
    status: str = "anchored"
    current_section: str | None = None
    """Where the highlight is in the brief as last seen; None when orphaned."""
    current_start: int | None = None
    current_end: int | None = None
    deleted_at: str | None = None
    reviewed: str | None = None
    """When the user settled it in the Review view; cleared when its brief changes."""


@dataclass(frozen=True)
class Comment:
    id: str
    brief_key: str
    section_id: str
    section_heading: str
    section_ordinal: int
    section_fingerprint: str
    body: str
    author: str = ""
    created: str = ""
    modified: str = ""
    reply_to: str | None = None
    status: str = "anchored"
    current_section: str | None = None
    deleted_at: str | None = None


@dataclass(frozen=True)
class Bookmark:
    id: str
    brief_key: str
    section_id: str
    position: int
    label: str = ""
    created: str = ""


@dataclass(frozen=True)
class ColorLabel:
    color: str
    label: str


@dataclass(frozen=True)
class HighlightPlacement:
    """Result of re-anchoring one highlight, to be stored."""

    id: str
    status: str
    section_id: str | None
    start: int | None
    end: int | None


@dataclass(frozen=True)
class CommentPlacement:
    id: str
    status: str
    section_id: str | None


@dataclass(frozen=True)
class StoredBrief:
    """A brief as the notes database knows it, with its live notes counted."""

    key: str
    title: str
    path: str | None
    seen_at: str
    highlights: int
    comments: int
    trashed: int = 0
    """Highlights and comments in the Trash."""

    @property
    def notes(self) -> int:
        """Every highlight and comment, those in the Trash too."""
        return self.highlights + self.comments + self.trashed


@dataclass(frozen=True)
class StatusCounts:
    """Live (not deleted) highlights and comments of a brief, by anchoring status."""

    anchored: int = 0
    moved: int = 0
    changed: int = 0
    ambiguous: int = 0
    orphaned: int = 0


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    moved_aside: Path | None
    """Where the database that was replaced now is (None when there was none)."""


# --------------------------------------------------------------------------- library

SourceKind = Literal["folder", "file"]


@dataclass(frozen=True)
class LibrarySource:
    """A folder whose briefs belong to the library, or one brief file."""

    path: str
    """Resolved path."""
    kind: SourceKind
    added: str = ""


@dataclass(frozen=True)
class BriefInfo:
    """What the library knows of one brief file, as of its last reading."""

    path: str
    """Resolved path: the library's identity of a file."""
    key: str
    """The brief's key in the notes store (front-matter id, else the path)."""
    title: str
    date: str | None = None
    sections: int = 0
    content_hash: str = ""
    mtime_ns: int = 0
    size: int = 0
    error: str | None = None
    """Why the file could not be read; None when it was."""
    indexed_hash: str | None = None
    """The version whose text is in the search index; None when not indexed."""

    @property
    def needs_index(self) -> bool:
        return self.error is None and self.indexed_hash != self.content_hash


@dataclass(frozen=True)
class ReadingState:
    """Where the reader was in a brief, and which sections were read to the end."""

    brief_key: str
    section_id: str | None = None
    scroll: int = 0
    """Position in that section, as the reader's scroll bar value."""
    last_read: str = ""
    """ISO 8601 UTC; empty when never opened."""
    read_sections: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LibraryEntry:
    """One row of the library: a brief with its notes and reading state."""

    info: BriefInfo
    notes: int = 0
    """Live highlights and comments."""
    state: ReadingState | None = None
    read: int = 0
    """Sections read (of ``info.sections``)."""

    @property
    def progress(self) -> float:
        total = self.info.sections
        return min(self.read, total) / total if total else 0.0


@dataclass(frozen=True)
class SectionText:
    """A section's normalised plain text, as anchoring and the search index take it."""

    id: str
    title: str
    ordinal: int
    text: str
