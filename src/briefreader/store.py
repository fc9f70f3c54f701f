"""The notes store: every SQL statement of briefreader lives in this module.

One SQLite file holds briefs (as last seen), highlights, section comments,
bookmarks and colour labels; the library (folders, briefs found, reading state)
and the full-text search index of brief text and notes. Durability rules (see
DESIGN "Durability"):

* WAL, synchronous=FULL, foreign keys on, a generous busy timeout, and every
  write in its own ``BEGIN IMMEDIATE`` transaction: a method that saves returns
  only after COMMIT, so a returned save survives a crash or power cut.
* The schema version is ``PRAGMA user_version``; one ``_upgrade_version_N`` per
  version, each in one transaction, after a verified backup. A database newer
  than this program is refused without ever being opened read-write.
* ``quick_check`` on every open, ``integrity_check`` when a previous session did
  not close cleanly. A damaged file is moved aside (never overwritten) and
  :class:`DatabaseCorruptError` lists the backups to restore from.
* Backups are made with ``VACUUM INTO`` to a temporary name, verified with
  ``integrity_check`` and only then renamed into place; the newest N are kept.

Everything crossing the module boundary is a frozen dataclass, never a row; the
dataclasses, and the errors raised here, are defined in :mod:`briefreader.records`.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from briefreader import lineage
from briefreader.errors import BriefreaderError
from briefreader.records import (
    COLORS,
    DEFAULT_LABELS,
    HIGHLIGHT_STATUSES,
    Bookmark,
    BriefInfo,
    BriefRecord,
    ColorLabel,
    Comment,
    CommentPlacement,
    DatabaseCorruptError,
    DatabaseTooNewError,
    EditConflictError,
    Highlight,
    HighlightPlacement,
    LibraryEntry,
    LibrarySource,
    NoteNotFoundError,
    NotesChangedError,
    ReadError,
    ReadingState,
    RestoreResult,
    SaveError,
    SectionRecord,
    SectionText,
    StatusCounts,
    StoredBrief,
    StoreError,
    now_utc,
)
from briefreader.records import new_id as new_id  # re-exported for existing callers
from briefreader.search import (
    MARK_CLOSE,
    MARK_OPEN,
    QueryError,
    SearchFilters,
    SearchQuery,
    SearchResult,
    column_phrase,
    locate,
    merge_ranked,
    parse_query,
    plain_query,
    shape_snippet,
)

if TYPE_CHECKING:
    from briefreader.paths import Paths

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SCHEMA_VERSION = 9
CACHE_KIB = 32 * 1024  # the page cache of each connection, at most
BUSY_TIMEOUT_MS = 10_000
KEEP_BACKUPS = 7
BACKUP_INTERVAL = timedelta(days=1)
BACKUP_PREFIX = "notes-"
BACKUP_SUFFIX = ".sqlite3"


# Error names SQLite reports for conditions a user can do something about; any
# other sqlite3.Error is a bug and propagates untranslated.
_KNOWN_ERRORS: tuple[tuple[str, str], ...] = (
    ("SQLITE_FULL", "the disk is full"),
    ("SQLITE_READONLY", "the notes folder or file is read-only"),
    ("SQLITE_PERM", "permission denied on the notes folder"),
    ("SQLITE_CANTOPEN", "the notes file cannot be opened"),
    ("SQLITE_BUSY", "the notes database is busy in another briefreader or program "
                     "(try again once it is done)"),
    ("SQLITE_LOCKED", "the notes database is busy in another briefreader or program "
                     "(try again once it is done)"),
    # The shared-memory file could not grow: on a full disk, before any write says so.
    ("SQLITE_IOERR_SHMSIZE", "the disk is full"),
    ("SQLITE_IOERR", "a disk input/output error occurred"),
    ("SQLITE_CORRUPT", "the notes database is damaged (run 'briefreader db check')"),
    ("SQLITE_NOTADB", "the notes file is not a database (run 'briefreader db check')"),
)


_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _known_reason(exc: sqlite3.Error) -> tuple[str, str] | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, reason in _KNOWN_ERRORS:
        if name.startswith(prefix):
            return name, reason
    return None


def _raise_known(exc: sqlite3.Error, doing: str, error: type[SaveError | ReadError]) -> None:
    """Raise ``error`` ("could not <doing>: <reason>") for an error the user can act
    on; return for a bug."""
    known = _known_reason(exc)
    if known is not None:
        code, reason = known
        raise error(f"could not {doing}: {reason}", reason=reason, code=code) from exc


def _reads(what: str) -> Callable[[Callable[..., _T]], Callable[..., _T]]:
    """Make a read method raise :class:`ReadError` for the SQLite errors a user can do
    something about (busy past the timeout, damaged file, failing disk), as
    :meth:`Store.transaction` raises SaveError for writes; any other sqlite3.Error
    is a bug and propagates as it is."""

    def wrap(method: Callable[..., _T]) -> Callable[..., _T]:
        @wraps(method)
        def reading(*args: object, **kwargs: object) -> _T:
            try:
                return method(*args, **kwargs)
            except sqlite3.Error as exc:
                _raise_known(exc, f"read {what}", ReadError)
                raise

        return reading

    return wrap


# --------------------------------------------------------------------------- schema

# Frozen: a migration describes how an old file was changed, so it never changes
# once released. New columns and tables go into a new _upgrade_version_N.
_V1 = (
    """CREATE TABLE briefs (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        path TEXT,
        content_hash TEXT NOT NULL,
        seen_at TEXT NOT NULL)""",
    """CREATE TABLE sections (
        brief_id INTEGER NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        section_id TEXT NOT NULL,
        heading TEXT NOT NULL,
        level INTEGER NOT NULL,
        text_hash TEXT NOT NULL,
        PRIMARY KEY (brief_id, ordinal))""",
    """CREATE TABLE highlights (
        id TEXT PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs(id),
        section_id TEXT NOT NULL,
        section_heading TEXT NOT NULL,
        section_ordinal INTEGER NOT NULL,
        exact TEXT NOT NULL,
        prefix TEXT NOT NULL,
        suffix TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        color TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL,
        created TEXT NOT NULL,
        modified TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'anchored',
        cur_section_id TEXT,
        cur_start INTEGER,
        cur_end INTEGER,
        deleted_at TEXT)""",
    "CREATE INDEX highlights_brief ON highlights(brief_id, section_ordinal, start)",
    """CREATE TABLE comments (
        id TEXT PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs(id),
        section_id TEXT NOT NULL,
        section_heading TEXT NOT NULL,
        section_ordinal INTEGER NOT NULL,
        section_fingerprint TEXT NOT NULL,
        body TEXT NOT NULL,
        author TEXT NOT NULL,
        created TEXT NOT NULL,
        modified TEXT NOT NULL,
        reply_to TEXT REFERENCES comments(id),
        status TEXT NOT NULL DEFAULT 'anchored',
        cur_section_id TEXT,
        deleted_at TEXT)""",
    "CREATE INDEX comments_brief ON comments(brief_id, section_ordinal, created)",
)

_V2 = (
    "ALTER TABLE highlights ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'",
    """CREATE TABLE bookmarks (
        id TEXT PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs(id),
        section_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL)""",
    "CREATE INDEX bookmarks_brief ON bookmarks(brief_id)",
    "CREATE TABLE color_labels (color TEXT PRIMARY KEY, label TEXT NOT NULL)",
)


def _upgrade_version_1(conn: sqlite3.Connection) -> None:
    for statement in _V1:
        conn.execute(statement)


def _upgrade_version_2(conn: sqlite3.Connection) -> None:
    for statement in _V2:
        conn.execute(statement)
    conn.executemany("INSERT INTO color_labels(color, label) VALUES (?, ?)", DEFAULT_LABELS.items())


_FTS_TOKENIZER = "unicode61 remove_diacritics 2"
# Prefix indexes make "gov*" as fast as a word; without them a short prefix merges
# the lists of every word it starts.
_FTS_OPTIONS = f"tokenize = '{_FTS_TOKENIZER}', prefix = '2 3'"
_SNIPPET_TOKENS = 16
# Ranking scores every match: for a word in half of 100,000 notes that is most of a
# second. Beyond this many matches only the newest are ranked (such a word says
# little about relevance anyway), which keeps every search in tens of milliseconds.
_RANK_WINDOW = 2000

# Library, reading state and the full-text index. The note index is kept by
# triggers, so every way of saving a note (window, CLI, import) keeps it current.
# FTS rows are keyed by INTEGER PRIMARY KEY tables, whose rowids VACUUM keeps.
_V3 = (
    """CREATE TABLE library_sources (
        path TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('folder', 'file')),
        added TEXT NOT NULL)""",
    "CREATE TABLE library_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE library_briefs (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        key TEXT NOT NULL,
        title TEXT NOT NULL,
        date TEXT,
        sections INTEGER NOT NULL DEFAULT 0,
        content_hash TEXT NOT NULL DEFAULT '',
        mtime_ns INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        indexed_hash TEXT)""",
    "CREATE INDEX library_briefs_key ON library_briefs(key)",
    """CREATE TABLE reading_state (
        key TEXT PRIMARY KEY,
        section_id TEXT,
        scroll INTEGER NOT NULL DEFAULT 0,
        last_read TEXT NOT NULL)""",
    """CREATE TABLE sections_read (
        key TEXT NOT NULL,
        section_id TEXT NOT NULL,
        read_at TEXT NOT NULL,
        PRIMARY KEY (key, section_id)) WITHOUT ROWID""",
    """CREATE TABLE text_sections (
        id INTEGER PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES library_briefs(id) ON DELETE CASCADE,
        section_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        title TEXT NOT NULL)""",
    "CREATE INDEX text_sections_brief ON text_sections(brief_id)",
    f"CREATE VIRTUAL TABLE text_fts USING fts5(title, body, {_FTS_OPTIONS})",
    """CREATE TRIGGER text_sections_deleted AFTER DELETE ON text_sections BEGIN
        DELETE FROM text_fts WHERE rowid = old.id;
    END""",
    """CREATE TABLE note_search (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'comment')),
        note_id TEXT NOT NULL,
        UNIQUE (kind, note_id))""",
    # Live notes only (the trash is not searched), one table per kind. Colour and
    # author are indexed too, so a filtered search never leaves the index either;
    # they weigh nothing in the ranking.
    f"CREATE VIRTUAL TABLE highlight_fts USING fts5(quote, body, tags, color, author,"
    f" {_FTS_OPTIONS})",
    "INSERT INTO highlight_fts(highlight_fts, rank) VALUES ('rank', 'bm25(1, 1, 1, 0, 0)')",
    f"CREATE VIRTUAL TABLE comment_fts USING fts5(body, author, {_FTS_OPTIONS})",
    "INSERT INTO comment_fts(comment_fts, rank) VALUES ('rank', 'bm25(1, 0)')",
    """CREATE TRIGGER highlights_indexed AFTER INSERT ON highlights BEGIN
        INSERT INTO note_search(kind, note_id) VALUES ('note', new.id);
        INSERT INTO highlight_fts(rowid, quote, body, tags, color, author)
            SELECT last_insert_rowid(), new.exact, new.note, new.tags, new.color, new.author
            WHERE new.deleted_at IS NULL;
    END""",
    """CREATE TRIGGER highlights_reindexed
        AFTER UPDATE OF exact, note, tags, color, author, deleted_at ON highlights BEGIN
        DELETE FROM highlight_fts
            WHERE rowid = (SELECT id FROM note_search WHERE kind = 'note' AND note_id = old.id);
        INSERT INTO highlight_fts(rowid, quote, body, tags, color, author)
            SELECT id, new.exact, new.note, new.tags, new.color, new.author FROM note_search
            WHERE kind = 'note' AND note_id = new.id AND new.deleted_at IS NULL;
    END""",
    """CREATE TRIGGER highlights_unindexed AFTER DELETE ON highlights BEGIN
        DELETE FROM highlight_fts
            WHERE rowid = (SELECT id FROM note_search WHERE kind = 'note' AND note_id = old.id);
        DELETE FROM note_search WHERE kind = 'note' AND note_id = old.id;
    END""",
    """CREATE TRIGGER comments_indexed AFTER INSERT ON comments BEGIN
        INSERT INTO note_search(kind, note_id) VALUES ('comment', new.id);
        INSERT INTO comment_fts(rowid, body, author)
            SELECT last_insert_rowid(), new.body, new.author WHERE new.deleted_at IS NULL;
    END""",
    """CREATE TRIGGER comments_reindexed AFTER UPDATE OF body, author, deleted_at ON comments
    BEGIN
        DELETE FROM comment_fts
            WHERE rowid = (SELECT id FROM note_search WHERE kind = 'comment' AND note_id = old.id);
        INSERT INTO comment_fts(rowid, body, author)
            SELECT id, new.body, new.author FROM note_search
            WHERE kind = 'comment' AND note_id = new.id AND new.deleted_at IS NULL;
    END""",
    """CREATE TRIGGER comments_unindexed AFTER DELETE ON comments BEGIN
        DELETE FROM comment_fts
            WHERE rowid = (SELECT id FROM note_search WHERE kind = 'comment' AND note_id = old.id);
        DELETE FROM note_search WHERE kind = 'comment' AND note_id = old.id;
    END""",
)


def _index_existing_notes(conn: sqlite3.Connection) -> None:
    for table in ("highlight_fts", "comment_fts", "note_search"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("INSERT INTO note_search(kind, note_id) SELECT 'note', id FROM highlights")
    conn.execute("INSERT INTO note_search(kind, note_id) SELECT 'comment', id FROM comments")
    conn.execute(
        "INSERT INTO highlight_fts(rowid, quote, body, tags, color, author)"
        " SELECT s.id, h.exact, h.note, h.tags, h.color, h.author FROM note_search s"
        " JOIN highlights h ON s.kind = 'note' AND h.id = s.note_id WHERE h.deleted_at IS NULL"
    )
    conn.execute(
        "INSERT INTO comment_fts(rowid, body, author)"
        " SELECT s.id, c.body, c.author FROM note_search s"
        " JOIN comments c ON s.kind = 'comment' AND c.id = s.note_id WHERE c.deleted_at IS NULL"
    )


def _upgrade_version_3(conn: sqlite3.Connection) -> None:
    for statement in _V3:
        conn.execute(statement)
    _index_existing_notes(conn)


def _upgrade_version_4(conn: sqlite3.Connection) -> None:
    # When the user settled a changed, ambiguous or orphaned note in the Review view
    # ("keep as orphan"): it is not offered for review again until its brief changes.
    conn.execute("ALTER TABLE highlights ADD COLUMN reviewed TEXT")


def _upgrade_version_5(conn: sqlite3.Connection) -> None:
    # A brief's live notes in reading order straight from an index (rowid, last in
    # every index, orders notes made at the same place in the same instant): loading
    # them needs no sort. Live notes only, so the trash costs it nothing.
    conn.execute(
        "CREATE INDEX highlights_reading_order"
        " ON highlights(brief_id, section_ordinal, start, created) WHERE deleted_at IS NULL"
    )


def _upgrade_version_6(conn: sqlite3.Connection) -> None:
    # The keys a brief's notes were kept under before (it gained an id, was moved, or
    # was given another brief's notes): text typed under those keys and not saved yet
    # goes to the brief whenever it is opened.
    conn.execute("CREATE TABLE earlier_keys (old_key TEXT PRIMARY KEY, key TEXT NOT NULL)")
    conn.execute("CREATE INDEX earlier_keys_key ON earlier_keys(key)")


def _upgrade_version_7(conn: sqlite3.Connection) -> None:
    # What a Markdown import wrote into a note or comment: the hash of the text its
    # export held, and of the text written. The same file edited again and imported
    # again replaces its own earlier import; a note changed here since keeps both texts.
    conn.execute(
        "CREATE TABLE IF NOT EXISTS imported_texts"
        " (note_id TEXT PRIMARY KEY, exported TEXT NOT NULL, written TEXT NOT NULL)"
    )


def _upgrade_version_8(conn: sqlite3.Connection) -> None:
    # The versions each part of a note has had (see lineage.py): an import can then
    # tell an edit made after the other copy's from one made apart from it. Empty for
    # notes from before: they go by their time, as before.
    for table in ("highlights", "comments"):
        if "lineage" not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN lineage TEXT NOT NULL DEFAULT ''")
    # Bookmarks removed, here or elsewhere, and when: an export takes the removals to
    # the other machine, which removes those bookmarks (by id: never one of its own),
    # and an import does not bring them back.
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bookmarks_removed (id TEXT PRIMARY KEY, brief_id INTEGER"
        " NOT NULL REFERENCES briefs(id), section_id TEXT NOT NULL, removed TEXT NOT NULL)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS bookmarks_removed_brief"
                 " ON bookmarks_removed(brief_id, section_id)")
    # Notes removed for good from the Trash: an import does not bring back a copy that
    # is in the Trash there too (one kept elsewhere since still comes back).
    conn.execute("CREATE TABLE IF NOT EXISTS purged_notes"
                 " (id TEXT PRIMARY KEY, purged TEXT NOT NULL)")
    # A bookmark that another's label was joined into (a section has one bookmark),
    # by the other's id: removing it removes that one too, everywhere.
    # The text a Markdown import wrote over: a later import of the same file tells an
    # edit of what it wrote from another person's copy of the same export.
    if "replaced" not in {r[1] for r in conn.execute("PRAGMA table_info(imported_texts)")}:
        conn.execute("ALTER TABLE imported_texts ADD COLUMN replaced TEXT")
    conn.execute("CREATE TABLE IF NOT EXISTS bookmark_aliases"
                 " (alias TEXT PRIMARY KEY, bookmark_id TEXT NOT NULL)")
    conn.execute("CREATE INDEX IF NOT EXISTS bookmark_aliases_of"
                 " ON bookmark_aliases(bookmark_id)")


def _upgrade_version_9(conn: sqlite3.Connection) -> None:
    # The versions a note removed for good had then (lineage.py): a copy of it with
    # nothing new since is not brought back by an import; one gone on from them is.
    if "lineage" not in {r[1] for r in conn.execute("PRAGMA table_info(purged_notes)")}:
        conn.execute("ALTER TABLE purged_notes ADD COLUMN lineage TEXT NOT NULL DEFAULT ''")


_UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _upgrade_version_1,
    2: _upgrade_version_2,
    3: _upgrade_version_3,
    4: _upgrade_version_4,
    5: _upgrade_version_5,
    6: _upgrade_version_6,
    7: _upgrade_version_7,
    8: _upgrade_version_8,
    9: _upgrade_version_9,
}

def _in_chunks(ids: Sequence[str]) -> Iterator[tuple[list[str], str]]:
    """The distinct ``ids`` in chunks below SQLite's bound-parameter limit, each with
    its "?, ?, …" for an IN (…)."""
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        yield chunk, ", ".join("?" * len(chunk))


_H_COLS = (
    "h.id, h.section_id, h.section_heading, h.section_ordinal, h.exact, h.prefix,"
    ' h.suffix, h.start, h."end", h.color, h.note, h.tags, h.author, h.created, h.modified,'
    " h.status, h.cur_section_id, h.cur_start, h.cur_end, h.deleted_at, h.reviewed"
)
_C_COLS = (
    "c.id, b.key, c.section_id, c.section_heading, c.section_ordinal, c.section_fingerprint,"
    " c.body, c.author, c.created, c.modified, c.reply_to, c.status, c.cur_section_id,"
    " c.deleted_at"
)
_B_COLS = "m.id, b.key, m.section_id, m.position, m.label, m.created"


@lru_cache(maxsize=512)
def _tags(text: str) -> tuple[str, ...]:
    # Cached: loading thousands of notes decodes the same few tag sets over and over.
    return tuple(json.loads(text))


_HIGHLIGHT_FIELDS = tuple(f.name for f in fields(Highlight))


def _insert_comments(
    tx: sqlite3.Connection,
    comments: Sequence[Comment],
    brief_ids: dict[str, int],
    lineages: Mapping[str, str] | None = None,
) -> None:
    """Insert ``comments``; each with its lineage in ``lineages`` (none there: none
    known), or without ``lineages`` as made now."""
    tx.executemany(
        "INSERT INTO comments(id, brief_id, section_id, section_heading,"
        " section_ordinal, section_fingerprint, body, author, created, modified,"
        " reply_to, status, cur_section_id, deleted_at, lineage)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (c.id, brief_ids[c.brief_key], c.section_id, c.section_heading,
             c.section_ordinal, c.section_fingerprint, c.body, c.author, c.created,
             c.modified, c.reply_to, c.status, c.current_section, c.deleted_at,
             lineage.first(c) if lineages is None else lineages.get(c.id, ""))
            for c in comments
        ],
    )  # fmt: skip


def _insert_highlights(
    tx: sqlite3.Connection,
    highlights: Sequence[Highlight],
    brief_ids: dict[str, int],
    lineages: Mapping[str, str] | None = None,
) -> None:
    """As _insert_comments."""
    tx.executemany(
        "INSERT INTO highlights(id, brief_id, section_id, section_heading,"
        ' section_ordinal, exact, prefix, suffix, start, "end", color, note, tags,'
        " author, created, modified, status, cur_section_id, cur_start, cur_end,"
        " deleted_at, reviewed, lineage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (h.id, brief_ids[h.brief_key], h.section_id, h.section_heading,
             h.section_ordinal, h.exact, h.prefix, h.suffix, h.start, h.end, h.color,
             h.note, json.dumps(list(h.tags), ensure_ascii=False), h.author, h.created,
             h.modified, h.status, h.current_section, h.current_start, h.current_end,
             h.deleted_at, h.reviewed,
             lineage.first(h) if lineages is None else lineages.get(h.id, ""))
            for h in highlights
        ],
    )  # fmt: skip


def _highlight(brief_key: str, row: Sequence) -> Highlight:
    # A frozen dataclass's __init__ sets each of its 21 fields through
    # object.__setattr__, which made up a third of loading 10,000 notes. Filling the
    # instance dict directly gives the same object (every field is set) faster.
    h = object.__new__(Highlight)
    values = (row[0], brief_key, *row[1:11], _tags(row[11]), *row[12:])
    h.__dict__.update(zip(_HIGHLIGHT_FIELDS, values, strict=True))
    return h


# A row of _H_COLS is a Highlight's fields in order but for the brief's key (the same
# for every row of one brief, so not fetched 10,000 times); only the tags need decoding.
_ROW_FIELDS = tuple(name for name in _HIGHLIGHT_FIELDS if name != "brief_key")
_TAGS_AT = _ROW_FIELDS.index("tags")


def _highlights(brief_key: str, rows: Iterable[Sequence]) -> list[Highlight]:
    """Highlights of one brief from rows of _H_COLS, built as _highlight builds one
    (loading a brief of 10,000 notes is mostly this loop, so it is kept to the bone:
    _H_COLS and _ROW_FIELDS are checked to line up once, below, not on every row)."""
    new, names, tags = object.__new__, _ROW_FIELDS, _tags
    out = []
    append = out.append
    for row in rows:
        h = new(Highlight)
        d = h.__dict__
        d.update(zip(names, row, strict=False))  # lined up once, below
        d["brief_key"] = brief_key
        d["tags"] = tags(row[_TAGS_AT])
        append(h)
    return out


def _highlight_by_id(conn: sqlite3.Connection, highlight_id: str) -> Highlight:
    row = conn.execute(
        f"SELECT b.key, {_H_COLS} FROM highlights h JOIN briefs b ON b.id = h.brief_id"
        " WHERE h.id = ?",
        (highlight_id,),
    ).fetchone()
    if row is None:
        raise NoteNotFoundError(f"no highlight with id '{highlight_id}'")
    return _highlight(row[0], row[1:])


def _grow_lineage(tx: sqlite3.Connection, old: Highlight | Comment,
                  new: Highlight | Comment) -> None:
    """Record a new version of each part of a note changed from ``old`` to ``new``."""
    table = "highlights" if isinstance(new, Highlight) else "comments"
    (was,) = tx.execute(f"SELECT lineage FROM {table} WHERE id = ?", (new.id,)).fetchone()
    now = lineage.grown(was, old, new)
    if now != was:
        tx.execute(f"UPDATE {table} SET lineage = ? WHERE id = ?", (now, new.id))


def _notes_by_id(
    conn: sqlite3.Connection, ids: Sequence[str]
) -> tuple[list[Highlight], list[Comment]]:
    found_h: list[Highlight] = []
    found_c: list[Comment] = []
    for chunk, marks in _in_chunks(ids):
        rows = conn.execute(
            f"SELECT b.key, {_H_COLS} FROM highlights h JOIN briefs b ON b.id = h.brief_id"
            f" WHERE h.id IN ({marks})",
            chunk,
        )
        found_h += [_highlight(r[0], r[1:]) for r in rows]
        rows = conn.execute(
            f"SELECT {_C_COLS} FROM comments c JOIN briefs b ON b.id = c.brief_id"
            f" WHERE c.id IN ({marks})",
            chunk,
        )
        found_c += [Comment(*r) for r in rows]
    return found_h, found_c


def _remove_bookmark(tx: sqlite3.Connection, bookmark_id: str, brief_id: int, section_id: str,
                     when: str) -> None:
    """Remove a bookmark, remembering it and the bookmarks made elsewhere whose labels
    were joined into it (removed with it, everywhere)."""
    tx.execute("DELETE FROM bookmarks WHERE id = ?", (bookmark_id,))
    ids = [bookmark_id] + [r[0] for r in tx.execute(
        "SELECT alias FROM bookmark_aliases WHERE bookmark_id = ?", (bookmark_id,))]
    tx.executemany("INSERT OR REPLACE INTO bookmarks_removed(id, brief_id, section_id,"
                   " removed) VALUES (?, ?, ?, ?)",
                   [(i, brief_id, section_id, when) for i in ids])
    tx.execute("DELETE FROM bookmark_aliases WHERE bookmark_id = ?", (bookmark_id,))


def _joined_bookmark(tx: sqlite3.Connection, joined: str, into: str) -> None:
    """Bookmark ``joined`` was joined into ``into`` (and those joined into it before)."""
    tx.execute("UPDATE bookmark_aliases SET bookmark_id = ? WHERE bookmark_id = ?",
               (into, joined))
    tx.execute("INSERT OR REPLACE INTO bookmark_aliases(alias, bookmark_id) VALUES (?, ?)",
               (joined, into))


def _lineages_of(conn: sqlite3.Connection, brief_key: str | None,
                 ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if brief_key is not None:
        for table in ("highlights", "comments"):
            out.update(conn.execute(
                f"SELECT n.id, n.lineage FROM {table} n JOIN briefs b ON b.id = n.brief_id"
                " WHERE b.key = ? AND n.lineage != ''", (brief_key,)))
    for chunk, marks in _in_chunks(ids):
        for table in ("highlights", "comments"):
            out.update(conn.execute(f"SELECT id, lineage FROM {table}"
                                    f" WHERE id IN ({marks}) AND lineage != ''", chunk))
    return out


def _share_every_version(database: Path) -> None:
    """Mark every version of every note as exported (lineage.py): a backup from before
    an export still has them marked, and the next change would replace a version
    another machine holds."""
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        for table in ("highlights", "comments"):
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if "lineage" in columns:
                conn.execute(f"UPDATE {table} SET lineage = replace(lineage, ?, '')"
                             " WHERE instr(lineage, ?) > 0",
                             (lineage.UNSHARED, lineage.UNSHARED))
    finally:
        conn.close()


def _check_unchanged(
    tx: sqlite3.Connection,
    expected: Mapping[str, tuple[Highlight | Comment, str]],
    now: Sequence[Highlight | Comment],
    lineages: Mapping[str, str],
    version: tuple[str, str] | None,
) -> None:
    """Raise NotesChangedError unless the notes about to be written (``now``, and those
    whose lineage only is) and the brief's version are as a merge read them."""
    if version is not None:
        row = tx.execute("SELECT content_hash FROM briefs WHERE key = ?",
                         (version[0],)).fetchone()
        if row is not None and row[0] != version[1]:
            raise NotesChangedError("the brief was placed at another version meanwhile")
    for n in now:
        if n.id in expected and expected[n.id][0] != n:
            raise NotesChangedError(f"note {n.id} changed meanwhile")
    wanted = [i for i in lineages if i in expected]
    for chunk, marks in _in_chunks(wanted):
        for table in ("highlights", "comments"):
            for note_id, line in tx.execute(
                    f"SELECT id, lineage FROM {table} WHERE id IN ({marks})", chunk):
                if line != expected[note_id][1]:
                    raise NotesChangedError(f"the versions of note {note_id} changed meanwhile")


#: Database path → note id → versions exported unmarked (Store.exported_unmarked).
_EXPORTED_UNMARKED: dict[str, dict[str, set[str]]] = {}
_UNMARKED_LOCK = threading.Lock()


def _mark_exported(tx: sqlite3.Connection, tokens: Mapping[str, Iterable[str]]) -> None:
    """Mark these versions (note id → tokens) as exported."""
    for table in ("highlights", "comments"):
        tx.executemany(
            f"UPDATE {table} SET lineage = replace(lineage, ?, ?) WHERE id = ?",
            [(t + lineage.UNSHARED, t, note_id) for note_id, ts in tokens.items() for t in ts])


def _check_absent(tx: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Raise NotesChangedError if a note a merge is about to add is here already (the
    same file imported by another process at the same moment)."""
    for chunk, marks in _in_chunks(ids):
        for table in ("highlights", "comments"):
            found = tx.execute(f"SELECT id FROM {table} WHERE id IN ({marks}) LIMIT 1",
                               chunk).fetchone()
            if found is not None:
                raise NotesChangedError(f"note {found[0]} was added meanwhile")


def _comment_by_id(conn: sqlite3.Connection, comment_id: str) -> Comment:
    row = conn.execute(
        f"SELECT {_C_COLS} FROM comments c JOIN briefs b ON b.id = c.brief_id WHERE c.id = ?",
        (comment_id,),
    ).fetchone()
    if row is None:
        raise NoteNotFoundError(f"no comment with id '{comment_id}'")
    return Comment(*row)


if _H_COLS.count(",") + 1 != len(_ROW_FIELDS):
    raise AssertionError("_H_COLS and the Highlight fields no longer line up")


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk read builds objects.

    Loading 10,000 notes allocates some 40,000 tracked containers (row tuples,
    notes, their dicts). Now and then that sets off a collection over the whole
    heap partway through, which finds nothing (none of them is garbage yet) and, in
    a process holding a million objects, made the slowest loads 1.6 times as slow.
    Collection resumes after, and the next one takes the new objects in its stride.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _deleted_filter(alias: str, trash: bool | None) -> str:
    """SQL to add to a WHERE: live notes, trashed ones (``trash``), or all (None)."""
    if trash is None:
        return ""
    return f" AND {alias}.deleted_at {'IS NOT NULL' if trash else 'IS NULL'}"


def _source(row: Sequence) -> LibrarySource:
    return LibrarySource(row[0], row[1], row[2])


_LB_COLS = (
    "lb.path, lb.key, lb.title, lb.date, lb.sections, lb.content_hash, lb.mtime_ns, lb.size,"
    " lb.error, lb.indexed_hash"
)


# --------------------------------------------------------------------------- helpers


def _backup_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _checked(conn: sqlite3.Connection, pragma: str) -> list[str]:
    """Problems reported by quick_check/integrity_check; empty when sound."""
    rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
    return [] if rows == ["ok"] else rows


def _read_only_uri(path: Path) -> str:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    # Without a -shm file SQLite cannot open a WAL database in a read-only folder.
    # immutable=1 is then safe as long as no -wal holds committed pages to read.
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not wal.exists():
        uri += "&immutable=1"
    return uri


def _is_read_only(database: Path) -> bool:
    # os.access, not a test write: a write test would itself need a writable folder,
    # and a read-only mount answers EROFS to access() even for root.
    if not os.access(database.parent, os.W_OK):
        return True
    return database.exists() and not os.access(database, os.W_OK)


def check_file(path: Path, *, full: bool = True) -> list[str]:
    """Check a database file read-only; a list of problems, empty when sound."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return _checked(conn, "integrity_check" if full else "quick_check")
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()


def newest_sound_backup(backup_dir: Path) -> Path | None:
    """The newest backup that can be restored (checked in full), or None."""
    return next((b for b in list_backups(backup_dir) if not restore_problems(b)), None)


def restore_problems(path: Path) -> list[str]:
    """Why a file cannot be restored as the notes database (checked in full); empty
    when it can be."""
    problems = check_file(path)
    if problems:
        return problems
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()
    if version > SCHEMA_VERSION:
        return [f"it was written by a newer briefreader (schema {version}, this one reads "
                f"up to {SCHEMA_VERSION})"]
    if version < 1 or not {"briefs", "highlights", "comments"} <= tables:
        return ["it is not a briefreader notes database"]
    return []


def _move_back(moved: Path, database: Path) -> None:
    """Undo _move_aside: the main file and its WAL/SHM companions."""
    moved.rename(database)
    for suffix in ("-wal", "-shm"):
        companion = moved.with_name(moved.name + suffix)
        if companion.exists():
            companion.rename(database.with_name(database.name + suffix))


def _fsync(path: Path) -> None:
    # Directories cannot be opened for fsync on Windows; renames are durable there anyway.
    if path.is_dir() and sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _damaged_copies(database: Path) -> list[Path]:
    """Damaged notes databases moved aside beside ``database``, oldest first."""
    return sorted(
        p for p in database.parent.glob(f"{database.name}.corrupt-*")
        if not p.name.endswith(("-wal", "-shm"))
    )


def _move_aside(database: Path, tag: str) -> Path:
    """Rename the database and its WAL/SHM companions; returns the new main path. All
    or none: when one cannot be moved (held open elsewhere), those moved go back."""
    target = database.with_name(f"{database.name}.{tag}-{_backup_stamp()}")
    database.rename(target)
    try:
        for suffix in ("-wal", "-shm"):
            companion = database.with_name(database.name + suffix)
            if companion.exists():
                companion.rename(target.with_name(target.name + suffix))
    except OSError:
        with suppress(OSError):
            _move_back(target, database)
        raise
    return target


def list_backups(backup_dir: Path) -> list[Path]:
    """Backups in ``backup_dir``, newest first (names sort by time)."""
    if not backup_dir.is_dir():
        return []
    found = [
        p
        for p in backup_dir.iterdir()
        if p.name.startswith(BACKUP_PREFIX) and p.name.endswith(BACKUP_SUFFIX)
    ]
    return sorted(found, key=lambda p: p.name, reverse=True)


class _SessionMarker:
    """A file present while a store is open; one left behind means an unclean exit.

    Liveness comes from a lock the owner holds (POSIX flock, released by the
    kernel when the process dies) or, on Windows, from the file being undeletable
    while its owner keeps it open.
    """

    def __init__(self, database: Path):
        self.dir = database.parent
        self.pattern = f".{database.name}.session-"
        self.path = self.dir / f"{self.pattern}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._file = None

    def stale_markers(self) -> list[Path]:
        return [
            p for p in self.dir.glob(self.pattern + "*") if p != self.path and self._is_stale(p)
        ]

    def live_markers(self) -> list[Path]:
        return [
            p
            for p in self.dir.glob(self.pattern + "*")
            if p != self.path and p.exists() and not self._is_stale(p)
        ]

    @staticmethod
    def _is_stale(path: Path) -> bool:
        if sys.platform == "win32":
            try:
                path.unlink()
            except PermissionError:
                return False
            except FileNotFoundError:
                return False
            return True
        import fcntl

        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # its owner is alive
        finally:
            os.close(fd)
        return True

    def acquire(self) -> None:
        try:
            self._file = open(self.path, "w")  # noqa: SIM115 - held open for the session
            if sys.platform != "win32":
                import fcntl

                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            # A read-only folder: the store still opens for reading.
            log.info("no session marker (%s)", exc)
            self._file = None

    def release(self) -> None:
        if self._file is None:
            return
        self._file.close()
        self._file = None
        with suppress(OSError):
            self.path.unlink()


# --------------------------------------------------------------------------- store


_TEXT_CACHE_VERSION = 2


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class TextCache:
    """Plain texts of brief sections as rendered before, in a database of their own
    beside the notes (``cache/section-texts.sqlite3``): a big brief reissued, or
    searched in a new session, renders only the sections it has not had before.

    Only a cache: it holds nothing the user wrote, so whatever goes wrong with it (a
    full disk, a damaged or locked file) costs a render, never an error. Each call
    opens its own connection, so any thread may use it. The texts kept are bounded by
    ``max_chars``; the oldest go first."""

    def __init__(self, path: Path, *, max_chars: int = 100_000_000) -> None:
        self.path = path
        self.max_chars = max_chars
        self._broken = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Briefly: a window waiting on it would freeze, and a render is the worst case.
        conn = sqlite3.connect(self.path, timeout=0.2, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if conn.execute("PRAGMA user_version").fetchone()[0] != _TEXT_CACHE_VERSION:
                # Another layout (or none yet): only a cache, so it starts again (once,
                # should two processes find it so at the same time).
                conn.execute("BEGIN IMMEDIATE")
                if conn.execute("PRAGMA user_version").fetchone()[0] != _TEXT_CACHE_VERSION:
                    conn.execute("DROP TABLE IF EXISTS texts")
                    # (The text last: its size is summed without reading it.)
                    conn.execute("CREATE TABLE texts (key TEXT PRIMARY KEY,"
                                 " stored INTEGER NOT NULL, chars INTEGER NOT NULL,"
                                 " text TEXT NOT NULL)")
                    # Sizes summed, and the oldest found, without reading the texts.
                    conn.execute("CREATE INDEX texts_age ON texts(stored, chars)")
                    conn.execute(f"PRAGMA user_version = {_TEXT_CACHE_VERSION}")
                conn.execute("COMMIT")
            yield conn
        finally:
            conn.close()

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return  # in use by another window or thread: this once, texts are rendered
        # Only a cache: texts are rendered again, and nothing the user asked for fails.
        log.debug("section text cache %s unavailable: %s", self.path, exc)
        damaged = isinstance(exc, sqlite3.DatabaseError) and any(
            words in str(exc) for words in ("malformed", "not a database"))
        if damaged:
            # Damaged: it is only a cache, so it is started again.
            with suppress(OSError):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return
        self._broken = True  # not again this session

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        """The texts kept under these keys (those not kept are left out)."""
        wanted = list(dict.fromkeys(keys))
        if self._broken or not wanted:
            return {}
        found: dict[str, str] = {}
        try:
            with self._connect() as conn:
                for i in range(0, len(wanted), 500):
                    batch = wanted[i : i + 500]
                    found.update(conn.execute(
                        f"SELECT key, text FROM texts WHERE key IN ({','.join('?' * len(batch))})",
                        batch))  # fmt: skip
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)
            return {}
        return found

    def put_many(self, texts: dict[str, str]) -> None:
        """Keep these texts; the oldest kept go when there are more than ``max_chars``."""
        # (A text that is not valid Unicode, from a brief read with an odd codec, is
        # rendered each time instead.)
        texts = {k: t for k, t in texts.items() if _encodable(t)}
        if self._broken or not texts:
            return
        try:
            # (Left unfinished, the transaction is rolled back as the connection closes.)
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                stamp = int(time.time() * 1000)
                conn.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?)",
                                 [(k, stamp, len(t), t) for k, t in texts.items()])
                total = conn.execute("SELECT total(chars) FROM texts").fetchone()[0]
                if total > self.max_chars:
                    kept, cut = 0, None
                    for stored, size in conn.execute(
                            "SELECT stored, chars FROM texts ORDER BY stored DESC"):
                        kept += size
                        if kept > self.max_chars:
                            cut = stored
                            break
                    conn.execute("DELETE FROM texts WHERE stored <= ?", (cut,))
                conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)


class Store:
    """The notes database. Opening it checks, migrates and backs it up.

    Not thread-safe: one Store per thread (or process); several processes may
    share one file.
    """

    def __init__(
        self,
        database: str | os.PathLike[str],
        *,
        backup_dir: str | os.PathLike[str] | None = None,
        keep_backups: int = KEEP_BACKUPS,
        backup_interval: timedelta | None = BACKUP_INTERVAL,
        checked: bool = False,
    ):
        """With ``checked``, the database was opened and checked by this process
        already (a worker thread's own connection): it is not checked again, so a
        worker can never move aside the file the window is using."""
        self.database = Path(database)
        self.backup_dir = (
            Path(backup_dir) if backup_dir is not None else self.database.parent / "backups"
        )
        self.keep_backups = keep_backups
        self.backup_interval = backup_interval
        self.unclean_shutdown = False
        self._database_key = str(self.database.resolve())  # (see exported_unmarked)
        self._marker = _SessionMarker(self.database)
        self._conn: sqlite3.Connection | None = None
        with suppress(OSError):  # a read-only parent is reported just below
            self.database.parent.mkdir(parents=True, exist_ok=True)
        existed = self.database.exists() and self.database.stat().st_size > 0
        if not existed:
            self._check_not_lost()
        self.read_only = _is_read_only(self.database)
        """Saves fail with SaveError; reading works (a read-only folder or file)."""
        self.text_cache = TextCache(self.database.parent / "cache" / "section-texts.sqlite3")
        """Section texts rendered before, for any thread (see TextCache)."""
        if self.read_only and not existed:
            raise StoreError(
                f"cannot create the notes database: the folder {self.database.parent} is read-only"
            )
        if existed and not checked:
            self._precheck()
        self._open()
        if not self.read_only:
            self._marker.acquire()
            if existed:
                self._maybe_daily_backup()

    @classmethod
    def open(cls, paths: Paths, **kwargs) -> Store:
        return cls(paths.database, backup_dir=paths.backups, **kwargs)

    # ------------------------------------------------------------------ opening

    def _precheck(self) -> None:
        """Version and soundness, on a read-only connection (never write a newer file)."""
        stale = self._marker.stale_markers()
        self.unclean_shutdown = bool(stale)
        problems: list[str]
        try:
            conn = sqlite3.connect(_read_only_uri(self.database), uri=True)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the notes database {self.database}: {exc}") from exc
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DatabaseTooNewError(
                    f"the notes database {self.database} was written by a newer briefreader "
                    f"(schema {version}, this one reads up to {SCHEMA_VERSION}); "
                    "update briefreader to open it"
                )
            problems = _checked(conn, "integrity_check" if stale else "quick_check")
        except sqlite3.DatabaseError as exc:
            # Only damage moves the file aside; locked or unreadable files are left alone.
            if not getattr(exc, "sqlite_errorname", "").startswith(_DAMAGED):
                known = _known_reason(exc)
                why = known[1] if known is not None else exc
                raise StoreError(f"cannot read the notes database {self.database}: {why}") from exc
            problems = [str(exc)]
        finally:
            conn.close()
        try:
            if problems:
                self._quarantine(problems)
        except DatabaseCorruptError:
            self._forget(stale)  # moved aside: the crash they tell of is dealt with
            raise
        self._forget(stale)  # (not when the damage could not be moved: checked again)

    @staticmethod
    def _forget(markers: list[Path]) -> None:
        for path in markers:
            with suppress(OSError):
                path.unlink()

    def _check_not_lost(self) -> None:
        """Refuse to start afresh where a notes database should be, while a sound backup
        could put it back: emptied (0 bytes), or missing since a damaged one was moved
        aside. An empty list of notes would hide the backup that holds them. (With no
        sound backup there is nothing else to start from: the damaged file is kept.)"""
        emptied = self.database.exists()
        damaged = _damaged_copies(self.database)
        if not (emptied or damaged) or not list_backups(self.backup_dir):
            return  # the usual first start: nothing to check
        sound = newest_sound_backup(self.backup_dir)
        if sound is None:
            return
        if emptied:
            self._quarantine(["the file is empty"])
        if damaged:
            raise DatabaseCorruptError(
                f"the notes database is missing since a damaged one was moved to "
                f"{damaged[-1]}; restore the newest sound backup with 'briefreader db "
                f"restore' ({sound.name}), or move {damaged[-1].name} out of "
                f"{self.database.parent} to start with no notes",
                database=self.database,
                moved_to=damaged[-1],
                backups=[sound],
            )

    @_reads("the notes")
    def damaged_predecessor(self) -> Path | None:
        """The damaged notes database moved aside beside this one (the newest), while
        this one holds no notes yet: an empty list must not look like notes lost for
        good. None when there is none, or once a note is kept here."""
        damaged = _damaged_copies(self.database)
        if not damaged:
            return None
        kept = self._connection.execute(
            "SELECT EXISTS (SELECT 1 FROM highlights) OR EXISTS (SELECT 1 FROM comments)"
        ).fetchone()[0]
        return None if kept else damaged[-1]

    def _quarantine(self, problems: list[str]) -> None:
        try:
            moved = _move_aside(self.database, "corrupt")
        except OSError as exc:
            raise StoreError(
                f"the notes database is damaged ({problems[0]}) and cannot be moved aside: "
                f"{exc.strerror or exc}"
            ) from exc
        sound = newest_sound_backup(self.backup_dir)
        backups = [sound] if sound is not None else []
        hint = (
            f"; restore the newest sound backup with 'briefreader db restore' ({sound.name})"
            if sound is not None
            else "; no sound backup is available"
        )
        raise DatabaseCorruptError(
            f"the notes database was damaged ({problems[0]}); it was moved to {moved}{hint}",
            database=self.database,
            moved_to=moved,
            backups=backups,
        )

    def _open(self) -> None:
        try:
            if self.read_only:
                conn = sqlite3.connect(
                    _read_only_uri(self.database),
                    uri=True,
                    isolation_level=None,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                )
            else:
                conn = sqlite3.connect(
                    self.database, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
                )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the notes database {self.database}: {exc}") from exc
        self._conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            # Room for a big brief's notes (10,000 are some 6 MB of pages): loading
            # them again reads them from here, not page by page from the file.
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal" and not self.read_only:
                with suppress(sqlite3.OperationalError):  # read-only: keep what it has
                    conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except BaseException as exc:
            self.close()
            known = _known_reason(exc) if isinstance(exc, sqlite3.Error) else None
            if known is not None:
                raise StoreError(
                    f"cannot open the notes database {self.database}: {known[1]}"
                ) from exc
            raise

    def _migrate(self) -> None:
        conn = self._connection
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # another process upgraded it since the precheck
            raise DatabaseTooNewError(
                f"the notes database {self.database} was written by a newer briefreader"
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise StoreError(
                f"the notes database {self.database} needs an upgrade, but it is read-only"
            )
        if version > 0:
            self.backup()
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction("the database upgrade") as tx:
                # Another process may have run this step while we waited for the lock.
                if tx.execute("PRAGMA user_version").fetchone()[0] >= target:
                    continue
                _UPGRADES[target](tx)
                tx.execute(f"PRAGMA user_version = {target}")

    def _maybe_daily_backup(self) -> None:
        if self.backup_interval is None or not _backup_due(self.backup_dir, self.backup_interval):
            return
        try:
            self.backup()
        except (StoreError, OSError) as exc:
            log.warning("daily backup of the notes failed: %s", exc)

    @property
    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the notes database is closed")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
            self._conn = None
        self._marker.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    @_reads("the notes database")
    def schema_version(self) -> int:
        return self._connection.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self, what: str = "the notes") -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE … COMMIT``; rolls back on any error.

        SQLite errors a user can act on (disk full, read-only, locked…) become
        :class:`SaveError`; anything else is a bug and propagates as it is.
        """
        conn = self._connection
        if _EXPORTED_UNMARKED.get(self._database_key):  # first, in a transaction of their own
            with _UNMARKED_LOCK:
                pending = _EXPORTED_UNMARKED.pop(self._database_key, {})
            try:
                with self.transaction(what) as tx:
                    _mark_exported(tx, pending)
            except BaseException:
                self.exported_unmarked(pending)
                raise
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            _raise_known(exc, f"save {what}", SaveError)
            raise
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                _raise_known(exc, f"save {what}", SaveError)
            raise

    def exported_unmarked(self, tokens: Mapping[str, Iterable[str]]) -> None:
        """Versions an export took along without marking them exported (the database
        was busy, on a full disk, or read-only): note id → their tokens. They are marked
        before this store's next write, in a transaction of their own: else the
        next change of a part would replace its version that has left (lineage.py), and
        the other machine's copy would no longer be known for one gone on from here.
        Known to every Store of this process on the same database (a window's worker
        exports on a Store of its own), from the moment they are read.
        """
        if not tokens:
            return
        with _UNMARKED_LOCK:
            pending = _EXPORTED_UNMARKED.setdefault(self._database_key, {})
            for note_id, ts in tokens.items():
                pending.setdefault(note_id, set()).update(ts)

    def mark_exported_now(self) -> bool:
        """Mark the versions :meth:`exported_unmarked` was given, now (a command-line
        export, before its process ends): whether none is left to mark."""
        if _EXPORTED_UNMARKED.get(self._database_key) and not self.read_only:
            with suppress(SaveError), self.transaction("the notes"):
                pass
        # (Read-only: nothing is edited here either.)
        return self.read_only or not _EXPORTED_UNMARKED.get(self._database_key)

    def _brief_rowid(self, conn: sqlite3.Connection, key: str) -> int:
        row = conn.execute("SELECT id FROM briefs WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise StoreError(f"no brief '{key}' in the notes database")
        return row[0]

    # ------------------------------------------------------------------ briefs

    @_reads("the brief")
    def get_brief(self, key: str) -> BriefRecord | None:
        conn = self._connection
        row = conn.execute(
            "SELECT id, key, title, path, content_hash, seen_at FROM briefs WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        sections = tuple(
            SectionRecord(*r)
            for r in conn.execute(
                "SELECT section_id, heading, level, ordinal, text_hash FROM sections"
                " WHERE brief_id = ? ORDER BY ordinal",
                (row[0],),
            )
        )
        return BriefRecord(row[1], row[2], row[3], row[4], sections, row[5])

    @_reads("the brief")
    def brief_hash(self, key: str) -> str | None:
        """The content hash of the version last seen (None: a brief never seen), without
        reading its sections."""
        row = self._connection.execute(
            "SELECT content_hash FROM briefs WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else row[0]

    @_reads("the briefs")
    def keys_with_hash(self, content_hash: str) -> list[tuple[str, str | None]]:
        """(key, path) of the briefs whose version last seen has this content hash."""
        return self._connection.execute(
            "SELECT key, path FROM briefs WHERE content_hash = ? ORDER BY key", (content_hash,)
        ).fetchall()

    @_reads("the briefs")
    def keys_with_file_hash(self, file_digits: str) -> list[tuple[str, str | None]]:
        """(key, path) of the briefs whose version last seen is of a file whose bytes'
        hash begins ``file_digits`` (``parse.same_file``: read alike or not)."""
        return self._connection.execute(
            "SELECT key, path FROM briefs WHERE length(content_hash) = 64"
            " AND substr(content_hash, 1, ?) = ? ORDER BY key",
            (len(file_digits), file_digits),
        ).fetchall()

    @_reads("the brief")
    def seen_later_at(self, path: str, key: str) -> bool:
        """Was another brief read from ``path`` since the brief ``key`` was last seen?"""
        return self._connection.execute(
            "SELECT 1 FROM briefs b WHERE b.path = ? AND b.key != ?"
            " AND b.seen_at >= (SELECT seen_at FROM briefs WHERE key = ?)", (path, key, key)
        ).fetchone() is not None

    @_reads("the briefs")
    def stored_briefs(self) -> list[StoredBrief]:
        """Every brief kept, by title, its notes counted (live, and in the Trash)."""
        return [StoredBrief(*r) for r in self._connection.execute(
            "SELECT b.key, b.title, b.path, b.seen_at,"
            " (SELECT count(*) FROM highlights h WHERE h.brief_id = b.id"
            "  AND h.deleted_at IS NULL),"
            " (SELECT count(*) FROM comments c WHERE c.brief_id = b.id"
            "  AND c.deleted_at IS NULL),"
            " (SELECT count(*) FROM highlights h WHERE h.brief_id = b.id"
            "  AND h.deleted_at IS NOT NULL)"
            " + (SELECT count(*) FROM comments c WHERE c.brief_id = b.id"
            "  AND c.deleted_at IS NOT NULL)"
            " FROM briefs b ORDER BY b.title COLLATE NOCASE, b.key"
        )]  # fmt: skip

    @_reads("the briefs")
    def briefs(self) -> list[BriefRecord]:
        keys = [r[0] for r in self._connection.execute("SELECT key FROM briefs ORDER BY title")]
        return [b for b in map(self.get_brief, keys) if b is not None]

    def _save_brief(self, conn: sqlite3.Connection, record: BriefRecord) -> int:
        # A key in use again (the brief whose notes went elsewhere came back) is no
        # longer another brief's earlier key: what is typed under it now is its own.
        conn.execute("DELETE FROM earlier_keys WHERE old_key = ?", (record.key,))
        conn.execute(
            "INSERT INTO briefs(key, title, path, content_hash, seen_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET title = excluded.title, path = excluded.path,"
            " content_hash = excluded.content_hash, seen_at = excluded.seen_at",
            (
                record.key,
                record.title,
                record.path,
                record.content_hash,
                record.seen_at or now_utc(),
            ),
        )
        brief_id = self._brief_rowid(conn, record.key)
        conn.execute("DELETE FROM sections WHERE brief_id = ?", (brief_id,))
        conn.executemany(
            "INSERT INTO sections(brief_id, ordinal, section_id, heading, level, text_hash)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(brief_id, s.ordinal, s.id, s.heading, s.level, s.text_hash) for s in record.sections],
        )
        return brief_id

    def save_brief(self, record: BriefRecord) -> None:
        with self.transaction("the brief") as tx:
            self._save_brief(tx, record)

    def rekey_brief(self, old_key: str, new_key: str) -> bool:
        """Give a stored brief, with its notes and reading progress, a new key (a brief
        known by its path that gained a front-matter id, or was moved). False when there
        is no ``old_key`` or when ``new_key`` is taken already."""
        with self.transaction("the brief") as tx:
            if tx.execute("SELECT 1 FROM briefs WHERE key = ?", (new_key,)).fetchone():
                return False
            moved = tx.execute("UPDATE briefs SET key = ? WHERE key = ?", (new_key, old_key))
            if moved.rowcount != 1:
                return False
            # Progress the new key has already (the window saved some) stays.
            self._move_progress(tx, old_key, new_key)
            return True

    @staticmethod
    def _move_progress(tx: sqlite3.Connection, from_key: str, to_key: str) -> None:
        """Reading position and sections read go to ``to_key``, but for what it has;
        ``from_key`` (and every key it had before) is remembered as one of its earlier
        keys."""
        for table in ("reading_state", "sections_read"):
            tx.execute(f"UPDATE OR IGNORE {table} SET key = ? WHERE key = ?", (to_key, from_key))
            tx.execute(f"DELETE FROM {table} WHERE key = ?", (from_key,))
        tx.execute("UPDATE earlier_keys SET key = ? WHERE key = ?", (to_key, from_key))
        tx.execute("DELETE FROM earlier_keys WHERE old_key = ?", (to_key,))
        tx.execute("INSERT OR REPLACE INTO earlier_keys(old_key, key) VALUES (?, ?)",
                   (from_key, to_key))

    @staticmethod
    def _merge_bookmarks(tx: sqlite3.Connection, source: int, target: int) -> None:
        """A section bookmarked in both briefs keeps one bookmark (a section has one),
        labelled with both labels."""
        both = tx.execute(
            "SELECT s.id, s.label, t.id, t.label FROM bookmarks s JOIN bookmarks t"
            " ON t.section_id = s.section_id AND t.brief_id = ? WHERE s.brief_id = ?",
            (target, source)).fetchall()
        for source_id, source_label, target_id, target_label in both:
            labels = dict.fromkeys(x for x in (target_label, source_label) if x.strip())
            tx.execute("UPDATE bookmarks SET label = ? WHERE id = ?",
                       (" / ".join(labels), target_id))
            tx.execute("DELETE FROM bookmarks WHERE id = ?", (source_id,))
            _joined_bookmark(tx, source_id, target_id)

    @_reads("the brief")
    def earlier_keys(self, key: str) -> list[str]:
        """The keys the notes of the brief ``key`` were kept under before."""
        return [r[0] for r in self._connection.execute(
            "SELECT old_key FROM earlier_keys WHERE key = ?"
            " AND old_key NOT IN (SELECT key FROM briefs) ORDER BY old_key", (key,))]

    def move_notes(self, from_key: str, to_key: str) -> list[str]:
        """Give every note, bookmark and reading position of the brief stored under
        ``from_key`` to the one under ``to_key``, and forget the first. The notes were
        placed on the first one's text: ``to_key`` is stored as a version never seen,
        so the next sync places all its notes again. (A brief ``to_key`` not stored yet
        simply takes ``from_key``'s place and its last version.) The ids of the
        highlights and comments moved."""
        with self.transaction("the notes") as tx:
            source = self._brief_rowid(tx, from_key)
            moved = [r[0] for r in tx.execute(
                "SELECT id FROM highlights WHERE brief_id = ?"
                " UNION ALL SELECT id FROM comments WHERE brief_id = ?", (source, source))]
            row = tx.execute("SELECT id FROM briefs WHERE key = ?", (to_key,)).fetchone()
            if row is None:
                tx.execute("UPDATE briefs SET key = ? WHERE id = ?", (to_key, source))
            else:
                self._merge_bookmarks(tx, source, row[0])
                for table in ("highlights", "comments", "bookmarks"):
                    tx.execute(f"UPDATE {table} SET brief_id = ? WHERE brief_id = ?",
                               (row[0], source))
                tx.execute("UPDATE bookmarks_removed SET brief_id = ? WHERE brief_id = ?",
                           (row[0], source))
                tx.execute("UPDATE briefs SET content_hash = '' WHERE id = ?", (row[0],))
                tx.execute("DELETE FROM briefs WHERE id = ?", (source,))
            self._move_progress(tx, from_key, to_key)
        return moved

    def apply_placements(
        self,
        record: BriefRecord,
        *,
        expected_hash: str | None,
        highlights: Sequence[HighlightPlacement] = (),
        comments: Sequence[CommentPlacement] = (),
        bookmarks: Sequence[tuple[str, str]] = (),
    ) -> bool:
        """Store a new version of a brief and where its notes are now, in one transaction.
        ``bookmarks``: (id, section now) of the bookmarks whose section changed its id.

        Returns False (and changes nothing) when the stored content hash is no
        longer ``expected_hash``: another process synced this brief meanwhile.
        """
        with self.transaction("the re-anchored notes") as tx:
            row = tx.execute(
                "SELECT content_hash FROM briefs WHERE key = ?", (record.key,)
            ).fetchone()
            if (row[0] if row else None) != expected_hash:
                return False
            self._save_brief(tx, record)
            tx.executemany(
                "UPDATE highlights SET status = ?, cur_section_id = ?, cur_start = ?,"
                " cur_end = ?, reviewed = NULL WHERE id = ?",
                [(p.status, p.section_id, p.start, p.end, p.id) for p in highlights],
            )
            tx.executemany(
                "UPDATE comments SET status = ?, cur_section_id = ? WHERE id = ?",
                [(p.status, p.section_id, p.id) for p in comments],
            )
            tx.executemany("UPDATE bookmarks SET section_id = ? WHERE id = ?",
                           [(section, bookmark) for bookmark, section in bookmarks])
        return True

    @_reads("the notes")
    def status_counts(self, brief_key: str) -> StatusCounts:
        rows = self._connection.execute(
            "SELECT h.status, count(*) FROM highlights h JOIN briefs b ON b.id = h.brief_id"
            " WHERE b.key = ? AND h.deleted_at IS NULL GROUP BY h.status"
            " UNION ALL"
            " SELECT c.status, count(*) FROM comments c JOIN briefs b ON b.id = c.brief_id"
            " WHERE b.key = ? AND c.deleted_at IS NULL GROUP BY c.status",
            (brief_key, brief_key),
        )
        counts = dict.fromkeys(HIGHLIGHT_STATUSES, 0)
        for status, n in rows:
            counts[status] = counts.get(status, 0) + n
        return StatusCounts(**{k: counts[k] for k in HIGHLIGHT_STATUSES})

    def reattach_highlight(self, h: Highlight) -> Highlight:
        """Store a highlight placed by hand: its new selectors become the stored ones
        (and its ``reviewed``: a decision undone puts back the one before)."""
        h = replace(h, modified=now_utc())
        with self.transaction("the highlight") as tx:
            old = _highlight_by_id(tx, h.id)
            tx.execute(
                "UPDATE highlights SET section_id = ?, section_heading = ?, section_ordinal = ?,"
                ' exact = ?, prefix = ?, suffix = ?, start = ?, "end" = ?, status = ?,'
                " cur_section_id = ?, cur_start = ?, cur_end = ?, reviewed = ?, modified = ?"
                " WHERE id = ?",
                (h.section_id, h.section_heading, h.section_ordinal, h.exact, h.prefix,
                 h.suffix, h.start, h.end, h.status, h.current_section, h.current_start,
                 h.current_end, h.reviewed, h.modified, h.id),
            )  # fmt: skip
            # Only the passage is written: the note's other parts are as stored.
            _grow_lineage(tx, old, replace(old, section_id=h.section_id, exact=h.exact,
                                           prefix=h.prefix, suffix=h.suffix, start=h.start,
                                           end=h.end))
        return h

    # ------------------------------------------------------------------ highlights

    def add_highlight(self, h: Highlight) -> Highlight:
        return self.add_highlights([h])[0]

    def add_highlights(self, many: Sequence[Highlight]) -> list[Highlight]:
        """Save highlights (of any briefs already stored) in one transaction: all or none."""
        stamp = now_utc()
        saved = [replace(h, created=h.created or stamp, modified=h.modified or stamp) for h in many]
        for h in saved:
            if h.color not in COLORS:
                raise StoreError(f"unknown colour '{h.color}'; use one of {', '.join(COLORS)}")
        with self.transaction("the highlight" if len(saved) == 1 else "the highlights") as tx:
            brief_ids = {k: self._brief_rowid(tx, k) for k in {h.brief_key for h in saved}}
            _insert_highlights(tx, saved, brief_ids)
        return saved

    @_reads("the note")
    def get_highlight(self, highlight_id: str) -> Highlight:
        return _highlight_by_id(self._connection, highlight_id)

    @_reads("the notes")
    def highlights(self, brief_key: str, *, trash: bool | None = False) -> list[Highlight]:
        """Live highlights of a brief in reading order (with ``trash``, the deleted ones;
        with ``trash=None``, both)."""
        with _collection_paused():
            rows = self._connection.execute(
                f"SELECT {_H_COLS} FROM highlights h JOIN briefs b ON b.id = h.brief_id"
                f" WHERE b.key = ?{_deleted_filter('h', trash)}"
                # rowid: notes at the same place made in the same instant (one import)
                # keep the order they were saved in.
                " ORDER BY h.section_ordinal, h.start, h.created, h.rowid",
                (brief_key,),
            )
            return _highlights(brief_key, rows)

    def update_highlight(
        self,
        highlight_id: str,
        *,
        note: str | None = None,
        color: str | None = None,
        tags: Sequence[str] | None = None,
        expected_note: str | None = None,
    ) -> Highlight:
        """Change what is given. With ``expected_note``, only while the note still is
        that text (what the caller last read): else EditConflictError, nothing saved."""
        if color is not None and color not in COLORS:
            raise StoreError(f"unknown colour '{color}'; use one of {', '.join(COLORS)}")
        with self.transaction("the note") as tx:
            current = _highlight_by_id(tx, highlight_id)
            if expected_note is not None and current.note != expected_note:
                raise EditConflictError("the note was changed in another window", current)
            tx.execute(
                "UPDATE highlights SET note = coalesce(?, note), color = coalesce(?, color),"
                " tags = coalesce(?, tags), modified = ? WHERE id = ?",
                (
                    note,
                    color,
                    None if tags is None else json.dumps(list(tags), ensure_ascii=False),
                    now_utc(),
                    highlight_id,
                ),
            )
            # Read back in the same transaction: a failed read is then a failed save,
            # never a save reported as failed after it was committed.
            updated = _highlight_by_id(tx, highlight_id)
            _grow_lineage(tx, current, updated)
        return updated

    def delete_highlight(self, highlight_id: str) -> None:
        """Move to the trash (restorable)."""
        self._set_deleted("highlights", highlight_id, now_utc())

    def restore_highlight(self, highlight_id: str) -> None:
        self._set_deleted("highlights", highlight_id, None)

    def purge_highlight(self, highlight_id: str) -> None:
        """Remove for good; only a highlight already in the trash."""
        self.purge(highlight_ids=[highlight_id])

    # ------------------------------------------------------------------ comments

    def add_comment(self, c: Comment) -> Comment:
        stamp = now_utc()
        c = replace(c, created=c.created or stamp, modified=c.modified or stamp)
        with self.transaction("the comment") as tx:
            brief_id = self._brief_rowid(tx, c.brief_key)
            if c.reply_to is not None:
                row = tx.execute(
                    "SELECT brief_id FROM comments WHERE id = ?", (c.reply_to,)
                ).fetchone()
                if row is None or row[0] != brief_id:
                    raise NoteNotFoundError(f"no comment '{c.reply_to}' on this brief")
            _insert_comments(tx, [c], {c.brief_key: brief_id})
        return c

    @_reads("the comment")
    def get_comment(self, comment_id: str) -> Comment:
        return _comment_by_id(self._connection, comment_id)

    @_reads("the comments")
    def comments(self, brief_key: str, *, trash: bool | None = False) -> list[Comment]:
        """Live comments of a brief (``trash`` as for :meth:`highlights`)."""
        rows = self._connection.execute(
            f"SELECT {_C_COLS} FROM comments c JOIN briefs b ON b.id = c.brief_id"
            f" WHERE b.key = ?{_deleted_filter('c', trash)}"
            " ORDER BY c.section_ordinal, c.created",
            (brief_key,),
        )
        return [Comment(*r) for r in rows]

    def update_comment(
        self, comment_id: str, body: str, *, expected_body: str | None = None
    ) -> Comment:
        """As update_highlight's note, with ``expected_body``."""
        with self.transaction("the comment") as tx:
            current = _comment_by_id(tx, comment_id)
            if expected_body is not None and current.body != expected_body:
                raise EditConflictError("the comment was changed in another window", current)
            tx.execute(
                "UPDATE comments SET body = ?, modified = ? WHERE id = ?",
                (body, now_utc(), comment_id),
            )
            updated = _comment_by_id(tx, comment_id)  # read back as update_highlight does
            _grow_lineage(tx, current, updated)
        return updated

    def delete_comment(self, comment_id: str) -> None:
        self._set_deleted("comments", comment_id, now_utc())

    def restore_comment(self, comment_id: str) -> None:
        self._set_deleted("comments", comment_id, None)

    def purge_comment(self, comment_id: str) -> None:
        """Remove for good; only a comment already in the trash. Replies lose their parent."""
        self.purge(comment_ids=[comment_id])

    def purge(self, highlight_ids: Sequence[str] = (), comment_ids: Sequence[str] = ()) -> None:
        """Remove these notes for good, all or none, in one transaction: only notes in the
        Trash (a live one, or one not found, is NoteNotFoundError and nothing goes). As
        for :meth:`empty_trash`: each is recorded as purged, and replies (live or in the
        Trash) to a purged comment lose their parent."""
        with self.transaction("the trash") as tx:
            for comment_id in dict.fromkeys(comment_ids):
                tx.execute("UPDATE comments SET reply_to = NULL WHERE reply_to = ?",
                           (comment_id,))
                self._purge_in(tx, "comments", comment_id)
            for highlight_id in dict.fromkeys(highlight_ids):
                self._purge_in(tx, "highlights", highlight_id)

    def empty_trash(self, brief_key: str) -> None:
        """Remove a brief's trashed highlights and comments for good, all or none, in one
        transaction. Live replies to a purged comment lose their parent."""
        with self.transaction("the trash") as tx:
            brief_id = self._brief_rowid(tx, brief_key)
            tx.execute(
                "UPDATE comments SET reply_to = NULL WHERE reply_to IN"
                " (SELECT id FROM comments WHERE brief_id = ? AND deleted_at IS NOT NULL)",
                (brief_id,),
            )
            for table in ("highlights", "comments"):
                tx.execute(
                    f"INSERT OR REPLACE INTO purged_notes(id, purged, lineage)"
                    f" SELECT id, ?, lineage FROM {table}"
                    " WHERE brief_id = ? AND deleted_at IS NOT NULL", (now_utc(), brief_id))
                tx.execute(
                    f"DELETE FROM {table} WHERE brief_id = ? AND deleted_at IS NOT NULL",
                    (brief_id,),
                )

    # ------------------------------------------------------------------ trash helpers

    def _set_deleted(self, table: str, note_id: str, stamp: str | None) -> None:
        """To the Trash at ``stamp``, or (None) back from it. Coming back is a change of
        its own, made now: an import of a copy from before it (still in the Trash)
        must not put it back there."""
        assert table in ("highlights", "comments")
        with self.transaction("the trash") as tx:
            row = tx.execute(f"SELECT deleted_at, lineage FROM {table} WHERE id = ?",
                             (note_id,)).fetchone()
            if row is None:
                raise NoteNotFoundError(f"no note with id '{note_id}'")
            if stamp is None:
                tx.execute(f"UPDATE {table} SET deleted_at = NULL, modified = ? WHERE id = ?",
                           (now_utc(), note_id))
            else:
                tx.execute(f"UPDATE {table} SET deleted_at = ? WHERE id = ?", (stamp, note_id))
            if (row[0] is None) != (stamp is None):  # a new version of the note's place
                grown = lineage.changed(row[1], "trash", stamp is not None, row[0] is not None)
                tx.execute(f"UPDATE {table} SET lineage = ? WHERE id = ?", (grown, note_id))

    @staticmethod
    def _purge_in(tx: sqlite3.Connection, table: str, note_id: str) -> None:
        assert table in ("highlights", "comments")
        tx.execute(f"INSERT OR REPLACE INTO purged_notes(id, purged, lineage)"
                   f" SELECT id, ?, lineage FROM {table} WHERE id = ? AND deleted_at IS NOT NULL",
                   (now_utc(), note_id))
        cur = tx.execute(f"DELETE FROM {table} WHERE id = ? AND deleted_at IS NOT NULL", (note_id,))
        if cur.rowcount == 0:
            raise NoteNotFoundError(f"no note with id '{note_id}' in the trash")

    @_reads("the notes")
    def purged(self, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` removed for good from the Trash here."""
        return set(self.purged_lineages(ids))

    def purged_lineages(self, ids: Sequence[str]) -> dict[str, str]:
        """Those of ``ids`` removed for good from the Trash here, each with the versions
        of its parts it had then (lineage.py; empty when not known)."""
        out: dict[str, str] = {}
        for chunk, marks in _in_chunks(ids):
            out.update(self._connection.execute(
                f"SELECT id, lineage FROM purged_notes WHERE id IN ({marks})", chunk))
        return out

    # ------------------------------------------------------------------ bookmarks, labels

    def add_bookmark(self, b: Bookmark) -> Bookmark:
        b = replace(b, created=b.created or now_utc())
        with self.transaction("the bookmark") as tx:
            brief_id = self._brief_rowid(tx, b.brief_key)
            tx.execute(
                "INSERT INTO bookmarks(id, brief_id, section_id, position, label, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (b.id, brief_id, b.section_id, b.position, b.label, b.created),
            )
        return b

    @_reads("the bookmarks")
    def bookmarks(self, brief_key: str) -> list[Bookmark]:
        rows = self._connection.execute(
            f"SELECT {_B_COLS} FROM bookmarks m JOIN briefs b ON b.id = m.brief_id"
            " WHERE b.key = ? ORDER BY m.created",
            (brief_key,),
        )
        return [Bookmark(*r) for r in rows]

    def delete_bookmark(self, bookmark_id: str) -> None:
        """Remove a bookmark, remembering it (see ``removed_bookmarks``)."""
        with self.transaction("the bookmark") as tx:
            row = tx.execute("SELECT brief_id, section_id FROM bookmarks WHERE id = ?",
                             (bookmark_id,)).fetchone()
            if row is None:
                raise NoteNotFoundError(f"no bookmark with id '{bookmark_id}'")
            _remove_bookmark(tx, bookmark_id, row[0], row[1], now_utc())

    @_reads("the bookmarks")
    def removed_bookmarks(self, brief_key: str) -> list[tuple[str, str, str]]:
        """(id, section id, when) of each bookmark of the brief removed, here or (as an
        import said) elsewhere."""
        return list(self._connection.execute(
            "SELECT r.id, r.section_id, r.removed FROM bookmarks_removed r"
            " JOIN briefs b ON b.id = r.brief_id WHERE b.key = ? ORDER BY r.removed, r.id",
            (brief_key,)))

    @_reads("the colour labels")
    def color_labels(self) -> tuple[ColorLabel, ...]:
        stored = dict(self._connection.execute("SELECT color, label FROM color_labels"))
        return tuple(ColorLabel(c, stored.get(c, DEFAULT_LABELS[c])) for c in COLORS)

    def set_color_label(self, color: str, label: str) -> None:
        if color not in COLORS:
            raise StoreError(f"unknown colour '{color}'; use one of {', '.join(COLORS)}")
        with self.transaction("the colour label") as tx:
            tx.execute(
                "INSERT INTO color_labels(color, label) VALUES (?, ?)"
                " ON CONFLICT(color) DO UPDATE SET label = excluded.label",
                (color, label),
            )

    # ------------------------------------------------------------------ checks, backups

    @_reads("the notes database")
    def check(self) -> list[str]:
        """Full integrity check plus foreign keys; an empty list when sound. Damage
        the check itself runs into is a problem found, not an error."""
        conn = self._connection
        problems: list[str] = []
        try:
            problems += _checked(conn, "integrity_check")
            problems += [
                f"dangling reference in {r[0]} row {r[1]}"
                for r in conn.execute("PRAGMA foreign_key_check")
            ]
        except sqlite3.DatabaseError as exc:
            if not getattr(exc, "sqlite_errorname", "").startswith(_DAMAGED):
                raise
            problems.append(f"{exc} (the notes database is damaged)")
        return problems

    def backups(self) -> list[Path]:
        return list_backups(self.backup_dir)

    def backup(self) -> Path:
        """A verified copy in the backup folder; older ones beyond ``keep_backups`` go."""
        return _make_backup(self._connection, self.backup_dir, self.keep_backups)

    @classmethod
    def restore(
        cls,
        database: str | os.PathLike[str],
        backup: str | os.PathLike[str] | None = None,
        *,
        backup_dir: str | os.PathLike[str] | None = None,
    ) -> RestoreResult:
        """Replace ``database`` by ``backup`` (default: the newest backup that checks out).

        Close every Store on the file first. Only a sound notes database this
        briefreader can read is restored. It is copied through SQLite (what its WAL
        holds included) and checked before the current database, if any, is moved
        aside with a timestamp: never overwritten, and left in place when the copy
        fails (a full disk).
        """
        database = Path(database)
        folder = Path(backup_dir) if backup_dir is not None else database.parent / "backups"
        if _SessionMarker(database).live_markers():
            raise StoreError(
                "the notes database is open in a running briefreader; close it, then restore"
            )
        if backup is None:
            chosen = newest_sound_backup(folder)
            if chosen is None:
                raise StoreError(f"no sound backup in {folder}")
        else:
            chosen = Path(backup)
            if not chosen.is_file() and chosen.name == str(backup):
                chosen = folder / chosen.name  # a name, as listed in the backup folder
            if not chosen.is_file():
                raise StoreError(f"no backup file {backup}")
            if database.exists() and chosen.samefile(database):
                raise StoreError(
                    f"{backup} is the notes database itself, not a backup; name one of"
                    f" {folder} ('briefreader db backups' lists them), or none for the newest"
                    " sound backup"
                )
            problems = restore_problems(chosen)
            if problems:
                raise StoreError(f"{chosen} cannot be restored: {problems[0]}")
        tmp = database.with_name(f".{database.name}.restoring")
        moved = None
        try:
            database.parent.mkdir(parents=True, exist_ok=True)
            with suppress(OSError):
                tmp.unlink()  # left by a restore that failed
            conn = sqlite3.connect(_read_only_uri(chosen), uri=True)
            try:
                conn.execute("VACUUM INTO ?", (str(tmp),))
            finally:
                conn.close()
            problems = restore_problems(tmp)
            if problems:
                raise StoreError(f"the copy of {chosen.name} failed its check: {problems[0]}")
            _share_every_version(tmp)
            _fsync(tmp)
            moved = _move_aside(database, "replaced") if database.exists() else None
            os.replace(tmp, database)
            _fsync(database.parent)
        except (OSError, sqlite3.Error) as exc:
            if moved is not None and not database.exists():
                with suppress(OSError):
                    _move_back(moved, database)
            reason = _known_reason(exc) if isinstance(exc, sqlite3.Error) else None
            detail = reason[1] if reason else getattr(exc, "strerror", None) or exc
            raise StoreError(f"could not restore {chosen.name}: {detail}") from exc
        finally:
            with suppress(OSError):
                tmp.unlink()
        return RestoreResult(restored_from=chosen, moved_aside=moved)

    # ------------------------------------------------------------------ review and bookmarks

    def settle_highlight(self, highlight_id: str, *, orphan: bool) -> Highlight:
        """The user settled a note in the Review view; with ``orphan`` it is kept as an
        orphan (no place in this version of the brief). Not offered again until the
        brief changes."""
        with self.transaction("the note") as tx:
            cur = tx.execute(
                "UPDATE highlights SET reviewed = ?,"
                " status = CASE WHEN ? THEN 'orphaned' ELSE status END,"
                " cur_section_id = CASE WHEN ? THEN NULL ELSE cur_section_id END,"
                " cur_start = CASE WHEN ? THEN NULL ELSE cur_start END,"
                ' cur_end = CASE WHEN ? THEN NULL ELSE cur_end END WHERE id = ?',
                (now_utc(), orphan, orphan, orphan, orphan, highlight_id),
            )
            if cur.rowcount == 0:
                raise NoteNotFoundError(f"no highlight with id '{highlight_id}'")
            settled = _highlight_by_id(tx, highlight_id)  # read back as update_highlight does
        return settled

    def rename_bookmark(self, bookmark_id: str, label: str) -> None:
        with self.transaction("the bookmark") as tx:
            cur = tx.execute("UPDATE bookmarks SET label = ? WHERE id = ?",
                             (label.strip(), bookmark_id))
            if cur.rowcount == 0:
                raise NoteNotFoundError(f"no bookmark with id '{bookmark_id}'")

    # ------------------------------------------------------------------ import and merge
    # Used by export.import_notes: lookups by id across briefs, and a merge written in
    # one transaction so that a failed import leaves the store as it was.

    @_reads("the notes")
    def notes_by_id(self, ids: Sequence[str]) -> tuple[list[Highlight], list[Comment]]:
        """Highlights and comments (live or deleted, any brief) with these ids."""
        return _notes_by_id(self._connection, ids)

    def lineages(self, brief_key: str | None = None, *, ids: Sequence[str] = (),
                 share: bool = False,
                 exported: Sequence[Highlight | Comment] | None = None) -> dict[str, str]:
        """Note id → the versions its parts have had (see lineage.py), of every note of
        ``brief_key`` (live or in the Trash), or of ``ids``; notes without any left out.

        With ``share`` (an export takes them along), the brief's versions are marked as
        gone from this machine, in the same transaction as they are read (not in a
        read-only database: they are left marked, and the export leaves them out).
        ``exported``: the notes as the export read them; should one have changed
        since, NotesChangedError, nothing marked (its versions would go out with the
        text they replaced)."""
        if share and brief_key is not None and not self.read_only:
            with self.transaction("the notes") as tx:
                if exported is not None:
                    h_now, c_now = _notes_by_id(tx, [n.id for n in exported])
                    now = {n.id: n for n in (*h_now, *c_now)}
                    if any(now.get(n.id) != n for n in exported):
                        raise NotesChangedError("a note changed while it was exported")
                for table in ("highlights", "comments"):
                    tx.execute(
                        f"UPDATE {table} SET lineage = replace(lineage, ?, '')"
                        " WHERE brief_id = (SELECT id FROM briefs WHERE key = ?)"
                        " AND instr(lineage, ?) > 0",
                        (lineage.UNSHARED, brief_key, lineage.UNSHARED))
                return _lineages_of(tx, brief_key, ids)
        return self._lineages(brief_key, ids)

    @_reads("the notes")
    def _lineages(self, brief_key: str | None, ids: Sequence[str]) -> dict[str, str]:
        return _lineages_of(self._connection, brief_key, ids)

    def merge_notes(
        self,
        *,
        brief: BriefRecord | None = None,
        add_highlights: Sequence[Highlight] = (),
        add_comments: Sequence[Comment] = (),
        update_highlights: Sequence[Highlight] = (),
        update_comments: Sequence[Comment] = (),
        bookmarks: Sequence[Bookmark] = (),
        labels: Mapping[str, str] | None = None,
        imported_texts: Sequence[tuple[str, str, str, str]] = (),
        lineages: Mapping[str, str] | None = None,
        removed_bookmarks: Sequence[tuple[str, str, str, str]] = (),
        expected: Mapping[str, tuple[Highlight | Comment, str]] | None = None,
        expected_version: tuple[str, str] | None = None,
        labels_taken: dict[str, str] | None = None,
    ) -> int:
        """Save an import in one transaction: all of it or none.

        ``brief`` is recorded first when the store does not know it yet. Added
        notes keep every field as given (ids, times, placement, deletion); updates
        take the note's text, colour, tags, passage and placement, ``modified`` and
        ``deleted_at``. Comments are inserted in the order given: a reply after its
        parent. ``bookmarks`` not here are added (on a section bookmarked here, their
        label joins its label); ``labels`` name colours whose label here is the default.
        ``imported_texts``: (note id, exported hash, written hash) of texts a Markdown
        import wrote (see ``imported_texts``). ``lineages``: note id → its lineage
        (lineage.py) as merged, for notes added or updated; an updated note not there
        gains a version of each part the update changes. ``removed_bookmarks``: (brief
        key, bookmark id, section id, when) of bookmarks removed elsewhere: each goes here
        too, and does not come back. Returns how many bookmarks were added, labelled or
        removed; ``labels_taken`` is filled with the colour → label of each of ``labels``
        taken.

        ``expected``: note id → (the note, its lineage) as the merge read them; should
        one it writes be otherwise now (changed meanwhile), or the brief of
        ``expected_version`` (key, content hash) be at another version,
        NotesChangedError is raised and nothing is written.
        """
        lineages = lineages or {}
        for h in (*add_highlights, *update_highlights):
            if h.color not in COLORS:
                raise StoreError(f"unknown colour '{h.color}'; use one of {', '.join(COLORS)}")
        with self.transaction("the imported notes") as tx:
            if brief is not None and tx.execute(
                "SELECT 1 FROM briefs WHERE key = ?", (brief.key,)
            ).fetchone() is None:
                self._save_brief(tx, brief)
            keys = {n.brief_key for n in (*add_highlights, *add_comments)}
            brief_ids = {k: self._brief_rowid(tx, k) for k in keys}
            old_h, old_c = _notes_by_id(tx, [n.id for n in (*update_highlights,
                                                            *update_comments)])
            if expected is not None:
                _check_unchanged(tx, expected, [*old_h, *old_c], lineages, expected_version)
                _check_absent(tx, [n.id for n in (*add_highlights, *add_comments)])
            _insert_highlights(tx, add_highlights, brief_ids, lineages)
            _insert_comments(tx, add_comments, brief_ids, lineages)
            tx.executemany(
                "UPDATE highlights SET note = ?, color = ?, tags = ?, modified = ?,"
                " deleted_at = ?, section_id = ?, section_heading = ?, section_ordinal = ?,"
                ' exact = ?, prefix = ?, suffix = ?, start = ?, "end" = ?, status = ?,'
                " cur_section_id = ?, cur_start = ?, cur_end = ?, reviewed = ? WHERE id = ?",
                [
                    (h.note, h.color, json.dumps(list(h.tags), ensure_ascii=False), h.modified,
                     h.deleted_at, h.section_id, h.section_heading, h.section_ordinal, h.exact,
                     h.prefix, h.suffix, h.start, h.end, h.status, h.current_section,
                     h.current_start, h.current_end, h.reviewed, h.id)
                    for h in update_highlights
                ],
            )  # fmt: skip
            tx.executemany(
                "UPDATE comments SET body = ?, modified = ?, deleted_at = ? WHERE id = ?",
                [(c.body, c.modified, c.deleted_at, c.id) for c in update_comments],
            )
            added = {n.id for n in (*add_highlights, *add_comments)}
            given = [(line, note_id) for note_id, line in lineages.items()
                     if note_id not in added]  # (notes updated, or only their versions)
            tx.executemany("UPDATE highlights SET lineage = ? WHERE id = ?", given)
            tx.executemany("UPDATE comments SET lineage = ? WHERE id = ?", given)
            news = {n.id: n for n in (*update_highlights, *update_comments)}
            for old in (*old_h, *old_c):
                if old.id not in lineages:
                    _grow_lineage(tx, old, news[old.id])
            tx.executemany("INSERT OR REPLACE INTO imported_texts(note_id, exported, written,"
                           " replaced) VALUES (?, ?, ?, ?)", imported_texts)
            if labels_taken is not None:
                labels_taken.clear()
            for color, label in (labels or {}).items():
                if color in COLORS and label != DEFAULT_LABELS[color]:
                    taken = tx.execute("INSERT INTO color_labels(color, label) VALUES (?, ?)"
                               " ON CONFLICT(color) DO UPDATE SET label = excluded.label"
                               " WHERE color_labels.label = ?",
                               (color, label, DEFAULT_LABELS[color])).rowcount
                    if taken and labels_taken is not None:
                        labels_taken[color] = label
            return self._merge_imported_bookmarks(tx, bookmarks, removed_bookmarks)

    @_reads("the notes")
    def imported_texts(self, ids: Sequence[str]) -> dict[str, tuple[str, str, str | None]]:
        """Note id → (exported hash, written hash, text written over: None when not
        known) of the text a Markdown import last wrote into it, for those of ``ids``
        that have one."""
        out: dict[str, tuple[str, str, str | None]] = {}
        for chunk, marks in _in_chunks(ids):
            for note_id, exported, written, before in self._connection.execute(
                f"SELECT note_id, exported, written, replaced FROM imported_texts"
                f" WHERE note_id IN ({marks})", chunk):
                out[note_id] = (exported, written, before)
        return out

    def _merge_imported_bookmarks(self, tx: sqlite3.Connection, bookmarks: Sequence[Bookmark],
                                  removed: Sequence[tuple[str, str, str, str]]) -> int:
        changed = 0
        now = now_utc()
        for key, bookmark_id, section_id, when in removed:
            brief_id = self._brief_rowid(tx, key)
            when = min(when, now)
            # That bookmark, or the one here it was joined into (which holds it).
            joined = tx.execute("SELECT bookmark_id FROM bookmark_aliases WHERE alias = ?",
                                (bookmark_id,)).fetchone()
            for target in {bookmark_id, *(joined or ())}:
                row = tx.execute("SELECT section_id FROM bookmarks WHERE id = ?"
                                 " AND brief_id = ?", (target, brief_id)).fetchone()
                if row is not None:
                    _remove_bookmark(tx, target, brief_id, row[0], when)
                    changed += 1
            tx.execute("INSERT OR IGNORE INTO bookmarks_removed(id, brief_id, section_id,"
                       " removed) VALUES (?, ?, ?, ?)", (bookmark_id, brief_id, section_id, when))
        for b in bookmarks:
            if tx.execute("SELECT 1 FROM bookmarks WHERE id = ? UNION ALL"
                          " SELECT 1 FROM bookmarks_removed WHERE id = ? UNION ALL"
                          " SELECT 1 FROM bookmark_aliases WHERE alias = ?",
                          (b.id, b.id, b.id)).fetchone():
                continue  # imported before (maybe joined into one here), or removed
            brief_id = self._brief_rowid(tx, b.brief_key)
            here = tx.execute("SELECT id, label FROM bookmarks WHERE brief_id = ?"
                              " AND section_id = ?", (brief_id, b.section_id)).fetchone()
            if here is None:
                tx.execute(
                    "INSERT INTO bookmarks(id, brief_id, section_id, position, label, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (b.id, brief_id, b.section_id, b.position, b.label, b.created))
            else:  # a section has one bookmark: it takes the parts of both labels
                have = [p.strip() for p in here[1].split(" / ") if p.strip()]
                new = [p.strip() for p in b.label.split(" / ")
                       if p.strip() and p.strip() not in have]
                _joined_bookmark(tx, b.id, here[0])
                if not new:
                    continue  # nothing to add (added by an import before, or both ways)
                tx.execute("UPDATE bookmarks SET label = ? WHERE id = ?",
                           (" / ".join([*have, *dict.fromkeys(new)]), here[0]))
            changed += 1
        return changed

    # ------------------------------------------------------------------ library
    # The library's folders and files, what was found in them, reading state, and
    # the full-text index of brief text and notes (tables of schema version 3).

    @_reads("the library")
    def library_defaults_pending(self) -> bool:
        """True until the default folders were offered once (removing them sticks)."""
        row = self._connection.execute(
            "SELECT 1 FROM library_meta WHERE key = 'defaults_added'"
        ).fetchone()
        return row is None

    @_reads("the library")
    def library_sources(self) -> list[LibrarySource]:
        rows = self._connection.execute(
            "SELECT path, kind, added FROM library_sources ORDER BY kind DESC, added, path"
        )
        return [_source(r) for r in rows]

    def add_library_sources(self, sources: Sequence[LibrarySource]) -> list[LibrarySource]:
        """Add folders and files (known ones are left as they are); the new ones."""
        stamp = now_utc()
        added: list[LibrarySource] = []
        with self.transaction("the library") as tx:
            for s in sources:
                cur = tx.execute(
                    "INSERT INTO library_sources(path, kind, added) VALUES (?, ?, ?)"
                    " ON CONFLICT(path) DO NOTHING",
                    (s.path, s.kind, s.added or stamp),
                )
                if cur.rowcount:
                    added.append(LibrarySource(s.path, s.kind, s.added or stamp))
            tx.execute(
                "INSERT OR IGNORE INTO library_meta(key, value) VALUES ('defaults_added', ?)",
                (stamp,),
            )
        return added

    def remove_library_source(self, path: str) -> LibrarySource | None:
        """Remove one folder or file; None when it was not in the library. Its briefs
        leave the catalogue at the next refresh; notes on them are kept."""
        with self.transaction("the library") as tx:
            row = tx.execute(
                "SELECT path, kind, added FROM library_sources WHERE path = ?", (path,)
            ).fetchone()
            if row is None:
                return None
            tx.execute("DELETE FROM library_sources WHERE path = ?", (path,))
        return _source(row)

    @_reads("the library")
    def catalog(self) -> list[BriefInfo]:
        rows = self._connection.execute(f"SELECT {_LB_COLS} FROM library_briefs lb")
        return [BriefInfo(*r) for r in rows]

    @_reads("the library")
    def library_reading(self) -> str | None:
        """The reading of briefs (``parse.reading``) the catalogue was made with; None
        before one was recorded."""
        row = self._connection.execute(
            "SELECT value FROM library_meta WHERE key = 'reading'"
        ).fetchone()
        return row[0] if row else None

    def save_catalog(self, infos: Sequence[BriefInfo], *, remove: Sequence[str] = (),
                     reading: str | None = None) -> None:
        """Record what was found on disk; ``remove``: paths no longer in the library
        (their text leaves the search index); ``reading``: what the briefs were read
        with, when not as recorded."""
        if not infos and not remove and reading is None:
            return
        with self.transaction("the library") as tx:
            if reading is not None:
                tx.execute("INSERT INTO library_meta(key, value) VALUES ('reading', ?)"
                           " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           (reading,))  # fmt: skip
            tx.executemany(
                "INSERT INTO library_briefs(path, key, title, date, sections, content_hash,"
                " mtime_ns, size, error, indexed_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET key = excluded.key, title = excluded.title,"
                " date = excluded.date, sections = excluded.sections,"
                " content_hash = excluded.content_hash, mtime_ns = excluded.mtime_ns,"
                " size = excluded.size, error = excluded.error",
                [
                    (i.path, i.key, i.title, i.date, i.sections, i.content_hash, i.mtime_ns,
                     i.size, i.error, i.indexed_hash)
                    for i in infos
                ],
            )  # fmt: skip
            tx.executemany("DELETE FROM library_briefs WHERE path = ?", [(p,) for p in remove])

    def index_brief_text(
        self,
        *,
        path: str,
        key: str,
        title: str,
        date: str | None,
        content_hash: str,
        sections: Sequence[SectionText],
    ) -> None:
        """Replace a brief's text in the search index by this version's, in one
        transaction (a search meanwhile sees the old text or the new, never half)."""
        with self.transaction("the search index") as tx:
            tx.execute(
                "INSERT INTO library_briefs(path, key, title, date, sections, content_hash,"
                " indexed_hash) VALUES (?, ?, ?, ?, ?, ?, ?)"
                # The catalogue keeps what refresh() last saw on disk: should the file
                # have changed again meanwhile, the mismatch asks for another indexing.
                " ON CONFLICT(path) DO UPDATE SET indexed_hash = excluded.indexed_hash",
                (path, key, title, date, len(sections), content_hash, content_hash),
            )
            brief_id = tx.execute(
                "SELECT id FROM library_briefs WHERE path = ?", (path,)
            ).fetchone()[0]
            tx.execute("DELETE FROM text_sections WHERE brief_id = ?", (brief_id,))
            for s in sections:
                cur = tx.execute(
                    "INSERT INTO text_sections(brief_id, section_id, ordinal, title)"
                    " VALUES (?, ?, ?, ?)",
                    (brief_id, s.id, s.ordinal, s.title),
                )
                tx.execute(
                    "INSERT INTO text_fts(rowid, title, body) VALUES (?, ?, ?)",
                    (cur.lastrowid, s.title, s.text),
                )

    @_reads("the library")
    def library_entries(self) -> list[LibraryEntry]:
        """The catalogue with live note counts and reading state, by title."""
        conn = self._connection
        notes = dict(
            conn.execute(
                "SELECT b.key, count(*) FROM briefs b JOIN ("
                " SELECT brief_id FROM highlights WHERE deleted_at IS NULL"
                " UNION ALL SELECT brief_id FROM comments WHERE deleted_at IS NULL"
                ") n ON n.brief_id = b.id GROUP BY b.key"
            )
        )
        states = {s.brief_key: s for s in self._reading_states()}
        # Sections read that still exist in the indexed version; all of them otherwise.
        read = dict(
            conn.execute(
                "SELECT lb.path, count(r.section_id) FROM library_briefs lb"
                " JOIN sections_read r ON r.key = lb.key"
                " WHERE lb.indexed_hash IS NULL OR r.section_id IN"
                " (SELECT section_id FROM text_sections t WHERE t.brief_id = lb.id)"
                " GROUP BY lb.path"
            )
        )
        rows = conn.execute(f"SELECT {_LB_COLS} FROM library_briefs lb ORDER BY lb.title, lb.path")
        entries = []
        for r in rows:
            info = BriefInfo(*r)
            entries.append(
                LibraryEntry(info, notes.get(info.key, 0), states.get(info.key),
                             read.get(info.path, 0))
            )
        return entries

    def _reading_states(self, key: str | None = None) -> list[ReadingState]:
        conn = self._connection
        where, args = ("WHERE key = ?", (key,)) if key is not None else ("", ())
        read: dict[str, set[str]] = {}
        for k, section_id in conn.execute(f"SELECT key, section_id FROM sections_read {where}",
                                          args):
            read.setdefault(k, set()).add(section_id)
        states = {
            r[0]: ReadingState(r[0], r[1], r[2], r[3], frozenset(read.get(r[0], ())))
            for r in conn.execute(
                f"SELECT key, section_id, scroll, last_read FROM reading_state {where}", args
            )
        }
        for k, ids in read.items():
            states.setdefault(k, ReadingState(k, read_sections=frozenset(ids)))
        return list(states.values())

    @_reads("the reading position")
    def reading_state(self, key: str) -> ReadingState:
        found = self._reading_states(key)
        return found[0] if found else ReadingState(key)

    def save_reading_position(self, key: str, section_id: str | None, scroll: int) -> None:
        with self.transaction("the reading position") as tx:
            tx.execute(
                "INSERT INTO reading_state(key, section_id, scroll, last_read)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
                " section_id = excluded.section_id, scroll = excluded.scroll,"
                " last_read = excluded.last_read",
                (key, section_id, int(scroll), now_utc()),
            )

    def mark_section_read(self, key: str, section_id: str) -> None:
        with self.transaction("the reading progress") as tx:
            tx.execute(
                "INSERT OR IGNORE INTO sections_read(key, section_id, read_at) VALUES (?, ?, ?)",
                (key, section_id, now_utc()),
            )

    # ------------------------------------------------------------------ search

    @_reads("the search index")
    def search(self, query: SearchQuery | str, filters: SearchFilters | None = None
               ) -> list[SearchResult]:
        """Brief text, highlights (quote, note, tags) and comments matching ``query``,
        best first. A string is parsed with search.parse_query; should FTS5 still
        refuse the query, it is searched again as plain words."""
        filters = filters or SearchFilters()
        if isinstance(query, str):
            query = parse_query(query)
        try:
            return self._search(query, filters)
        except sqlite3.OperationalError as exc:
            if _known_reason(exc) is not None:
                raise  # busy, damaged…: not the query's fault
            try:
                fallback = plain_query(query.text)
            except QueryError:
                return []
            return self._search(fallback, filters)

    def _search(self, query: SearchQuery, f: SearchFilters) -> list[SearchResult]:
        groups = []
        if f.wants_text:
            groups.append(self._search_text(query, f.limit))
        if f.wants_highlights:
            groups.append(self._search_highlights(query, f))
        if f.wants_comments:
            groups.append(self._search_comments(query, f))
        return merge_ranked(*groups, limit=f.limit)

    def _ranked(self, table: str, match: str, snippets: Sequence[int], columns: str,
                joins: str, limit: int) -> list[tuple]:
        """``columns`` (the index row as ``m``) of the best ``limit`` matches, then one
        snippet per column in ``snippets``, then the rank.

        Ranking and snippets run on the index alone, and only the rows returned are
        joined. At most _RANK_WINDOW matches (the newest) are ranked.
        """
        conn = self._connection
        oldest = conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC"
            " LIMIT 1 OFFSET ?",
            (match, _RANK_WINDOW),
        ).fetchone()
        window, bound = (" AND rowid > ?", (oldest[0],)) if oldest else ("", ())
        cuts = "".join(
            f", snippet({table}, {c}, ?, ?, '…', {_SNIPPET_TOKENS}) AS s{i}"
            for i, c in enumerate(snippets)
        )
        marks = (MARK_OPEN, MARK_CLOSE) * len(snippets)
        shown = "".join(f", m.s{i}" for i in range(len(snippets)))
        return conn.execute(
            f"SELECT {columns}{shown}, m.rank FROM"
            f" (SELECT rowid, rank{cuts} FROM {table}"
            f"  WHERE {table} MATCH ?{window} ORDER BY rank LIMIT ?) m"
            f" {joins} ORDER BY m.rank",
            (*marks, match, *bound, limit),
        ).fetchall()

    def _search_text(self, query: SearchQuery, limit: int) -> list[SearchResult]:
        rows = self._ranked(
            "text_fts", query.match, (-1,),
            "lb.title, lb.key, lb.path, t.section_id, t.title, tf.body",
            "JOIN text_sections t ON t.id = m.rowid JOIN library_briefs lb ON lb.id = t.brief_id"
            " JOIN text_fts tf ON tf.rowid = m.rowid",
            limit,
        )
        results = []
        for title, key, path, section_id, section_title, body, snippet, rank in rows:
            span = locate(body, query.terms)
            results.append(SearchResult(
                "text", title, key, section_id, section_title, shape_snippet(snippet),
                None, span[0] if span else None, span[1] if span else None, path, rank,
            ))  # fmt: skip
        return results

    def _search_highlights(self, query: SearchQuery, f: SearchFilters) -> list[SearchResult]:
        # The words are looked for in the quote, note and tags; the filters are
        # phrases in their own columns, checked exactly below (a tag "follow" must
        # not pass for "follow-up"), so a few more rows are asked for.
        match = f"{{quote body tags}} : ({query.match})"
        for column, value in (("color", f.color), ("tags", f.tag), ("author", f.author)):
            if value:
                phrase = column_phrase(value)
                if phrase is None:
                    return []
                match += f" AND {column} : {phrase}"
        extra = 50 if (f.tag or f.author) else 0
        rows = self._ranked(
            "highlight_fts", match, (1, 0, 2),
            "b.title, b.key, b.path, coalesce(h.cur_section_id, h.section_id),"
            " coalesce(sc.heading, h.section_heading), h.id, h.cur_start, h.cur_end,"
            " h.tags, h.author",
            "JOIN note_search s ON s.id = m.rowid JOIN highlights h ON h.id = s.note_id"
            " JOIN briefs b ON b.id = h.brief_id LEFT JOIN sections sc"
            " ON sc.brief_id = h.brief_id AND sc.section_id = coalesce(h.cur_section_id,"
            " h.section_id)",
            f.limit + extra,
        )
        results = []
        for (title, key, path, section, heading, hid, start, end, tags, author,
             note_cut, quote_cut, tags_cut, rank) in rows:  # fmt: skip
            if f.tag and f.tag.casefold() not in {t.casefold() for t in _tags(tags)}:
                continue
            if f.author and f.author.casefold() != author.casefold():
                continue
            # The note when the words are in it, else the quote, else the tags.
            if MARK_OPEN in note_cut:
                cut = shape_snippet(note_cut, markdown=True)
            else:
                cut = shape_snippet(tags_cut if MARK_OPEN in tags_cut else quote_cut)
            results.append(SearchResult("note", title, key, section, heading, cut, hid,
                                        start, end, path, rank))
        return results[: f.limit]

    def _search_comments(self, query: SearchQuery, f: SearchFilters) -> list[SearchResult]:
        match = f"body : ({query.match})"
        if f.author:
            phrase = column_phrase(f.author)
            if phrase is None:
                return []
            match += f" AND author : {phrase}"
        rows = self._ranked(
            "comment_fts", match, (0,),
            "b.title, b.key, b.path, coalesce(c.cur_section_id, c.section_id),"
            " coalesce(sc.heading, c.section_heading), c.id, c.author",
            "JOIN note_search s ON s.id = m.rowid JOIN comments c ON c.id = s.note_id"
            " JOIN briefs b ON b.id = c.brief_id LEFT JOIN sections sc"
            " ON sc.brief_id = c.brief_id AND sc.section_id = coalesce(c.cur_section_id,"
            " c.section_id)",
            f.limit + (50 if f.author else 0),
        )
        return [
            SearchResult("comment", title, key, section, heading,
                         shape_snippet(cut, markdown=True), cid, None, None, path, rank)
            for title, key, path, section, heading, cid, author, cut, rank in rows
            if not f.author or f.author.casefold() == author.casefold()
        ][: f.limit]

    def rebuild_search_index(self) -> None:
        """Index every note again (repair; the triggers keep it current otherwise)."""
        with self.transaction("the search index") as tx:
            _index_existing_notes(tx)


def _backup_due(backup_dir: Path, interval: timedelta) -> bool:
    backups = list_backups(backup_dir)
    if not backups:
        return True
    return datetime.now().timestamp() - backups[0].stat().st_mtime >= interval.total_seconds()


def _make_backup(conn: sqlite3.Connection, backup_dir: Path, keep_backups: int) -> Path:
    """VACUUM INTO a temporary name, check the copy, then rename it into the backup
    folder; older backups beyond ``keep_backups`` go."""
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise StoreError(
            f"cannot create the backup folder {backup_dir}: a file of that name (or on its "
            "path) is in the way; move it elsewhere"
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot create the backup folder {backup_dir}: {exc.strerror or exc}"
        ) from exc
    stamp = _backup_stamp()
    final = backup_dir / f"{BACKUP_PREFIX}{stamp}{BACKUP_SUFFIX}"
    tmp = backup_dir / f".{final.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        conn.execute("VACUUM INTO ?", (str(tmp),))
        problems = check_file(tmp)
        if problems:
            raise StoreError(f"the backup failed its check: {problems[0]}")
        _fsync(tmp)
        os.replace(tmp, final)
        _fsync(backup_dir)
    except sqlite3.Error as exc:
        known = _known_reason(exc)
        if known and known[0].startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")):
            # The copy is what cannot be made (the notes file was read to get here).
            reason = f"the backup folder {backup_dir} cannot be written"
        else:
            reason = known[1] if known else str(exc)
        raise StoreError(f"backup failed: {reason}") from exc
    finally:
        with suppress(OSError):
            tmp.unlink()
    for old in list_backups(backup_dir)[max(keep_backups, 1) :]:
        with suppress(OSError):
            old.unlink()
    return final


def start_daily_backup(
    database: str | os.PathLike[str],
    *,
    backup_dir: str | os.PathLike[str] | None = None,
    keep_backups: int = KEEP_BACKUPS,
) -> threading.Thread:
    """The daily backup (when one is due) on a thread of its own, for a window that
    opened its store with ``backup_interval=None``: a large database takes a noticeable
    moment to copy and verify, and the window need not wait for it.

    The copy is read through a read-only connection of its own: not a second Store,
    whose opening checks could move the database aside under the open one. Join the
    thread before exiting; failures are logged, as when opening."""
    database = Path(database)
    folder = Path(backup_dir) if backup_dir is not None else database.parent / "backups"

    def run() -> None:
        try:
            if not _backup_due(folder, BACKUP_INTERVAL):
                return
            conn = sqlite3.connect(_read_only_uri(database), uri=True)
            try:
                _make_backup(conn, folder, keep_backups)
            finally:
                conn.close()
        except (BriefreaderError, OSError, sqlite3.Error) as exc:
            log.warning("daily backup of the notes failed: %s", exc)

    thread = threading.Thread(target=run, name="daily-backup")
    thread.start()
    return thread
