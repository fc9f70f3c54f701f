"""The notes store: records, transactions, schema upgrades, checks, backups, durability."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from briefreader import store as store_mod
from briefreader.store import (
    SCHEMA_VERSION,
    Bookmark,
    BriefRecord,
    Comment,
    CommentPlacement,
    DatabaseCorruptError,
    DatabaseTooNewError,
    EditConflictError,
    Highlight,
    HighlightPlacement,
    NoteNotFoundError,
    ReadError,
    SaveError,
    SectionRecord,
    Store,
    StoreError,
    new_id,
)

DATA = Path(__file__).parent / "data" / "store"
KEY = "brief-1"


def brief_record(content_hash: str = "hash-1") -> BriefRecord:
    return BriefRecord(
        key=KEY,
        title="Grain exports",
        path="/briefs/grain.md",
        content_hash=content_hash,
        sections=(
            SectionRecord("_lead", "Grain exports", 0, 0, "t0"),
            SectionRecord("summary", "Summary", 2, 1, "t1"),
        ),
    )


def make_highlight(**changes) -> Highlight:
    h = Highlight(
        id=new_id(),
        brief_key=KEY,
        section_id="summary",
        section_heading="Summary",
        section_ordinal=1,
        exact="shipments doubled",
        prefix="In March ",
        suffix=" after the corridor",
        start=9,
        end=26,
        color="green",
        note="Source?",
        tags=("trade", "ports"),
        author="ana",
        current_section="summary",
        current_start=9,
        current_end=26,
    )
    return replace(h, **changes)


def make_comment(**changes) -> Comment:
    c = Comment(
        id=new_id(),
        brief_key=KEY,
        section_id="summary",
        section_heading="Summary",
        section_ordinal=1,
        section_fingerprint="m1:abcd",
        body="Needs a *second* source.",
        author="ana",
        current_section="summary",
    )
    return replace(c, **changes)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "notes.sqlite3"


@pytest.fixture
def store(db_path):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    s = Store(db_path)
    s.save_brief(brief_record())
    yield s
    s.close()


def raw(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))


# --------------------------------------------------------------------------- records


def test_new_database_has_current_schema_and_durable_pragmas(store):
    conn = store._connection
    assert store.schema_version == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_brief_round_trip_and_update(store):
    assert store.get_brief(KEY) == replace(brief_record(), seen_at=store.get_brief(KEY).seen_at)
    newer = replace(
        brief_record("hash-2"),
        title="Grain exports (rev.)",
        sections=(SectionRecord("summary", "Summary", 2, 0, "t9"),),
    )
    store.save_brief(newer)
    got = store.get_brief(KEY)
    assert (got.title, got.content_hash, got.sections) == (
        "Grain exports (rev.)",
        "hash-2",
        newer.sections,
    )
    assert store.get_brief("nope") is None
    assert [b.key for b in store.briefs()] == [KEY]
    assert (store.brief_hash(KEY), store.brief_hash("nope")) == ("hash-2", None)


def test_highlight_round_trip(store):
    h = store.add_highlight(make_highlight(note="Über *alles* ✓", tags=("é", "x")))
    assert h.created and h.created == h.modified and h.created.endswith("Z")
    assert store.get_highlight(h.id) == h
    assert store.highlights(KEY) == [h]


def test_highlights_listed_in_reading_order(store):
    later = store.add_highlight(make_highlight(start=50, end=60, current_start=50))
    lead = store.add_highlight(make_highlight(section_id="_lead", section_ordinal=0, start=70))
    first = store.add_highlight(make_highlight(start=1, end=5))
    assert [h.id for h in store.highlights(KEY)] == [lead.id, first.id, later.id]


def test_loading_notes_pauses_collection_and_leaves_it_as_it_was(store, monkeypatch):
    store.add_highlights([make_highlight(start=i, end=i + 3) for i in range(3)])
    seen = []
    real = store_mod._highlights
    monkeypatch.setattr(
        store_mod, "_highlights", lambda *a: seen.append(gc.isenabled()) or real(*a)
    )
    was = gc.isenabled()
    try:
        gc.enable()
        assert len(store.highlights(KEY)) == 3 and gc.isenabled()
        gc.disable()  # a caller that paused collection itself keeps it paused
        assert len(store.highlights(KEY)) == 3 and not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False, False]


def test_update_highlight_changes_only_what_is_given(store):
    h = store.add_highlight(make_highlight())
    edited = store.update_highlight(h.id, note="Checked: FAO figures.")
    assert (edited.note, edited.color, edited.tags) == ("Checked: FAO figures.", "green", h.tags)
    assert edited.modified >= h.modified
    edited = store.update_highlight(h.id, color="purple", tags=["follow-up"])
    assert (edited.note, edited.color, edited.tags) == (
        "Checked: FAO figures.",
        "purple",
        ("follow-up",),
    )
    with pytest.raises(NoteNotFoundError):
        store.update_highlight("missing", note="x")


def test_a_text_changed_elsewhere_since_it_was_read_is_not_saved_over(store):
    h = store.add_highlight(make_highlight())
    store.update_highlight(h.id, note="From window two.")  # another window
    with pytest.raises(EditConflictError) as info:
        store.update_highlight(h.id, note="From window one.", expected_note=h.note)
    assert info.value.current.note == "From window two."
    assert store.get_highlight(h.id).note == "From window two."  # nothing saved
    saved = store.update_highlight(h.id, note="Both.", expected_note="From window two.")
    assert saved.note == "Both."
    c = store.add_comment(make_comment())
    store.update_comment(c.id, "Edited elsewhere.")
    with pytest.raises(EditConflictError):
        store.update_comment(c.id, "Edited here.", expected_body=c.body)
    assert store.update_comment(c.id, "Here.", expected_body="Edited elsewhere.").body == "Here."


def test_unknown_colour_is_refused(store):
    with pytest.raises(StoreError, match="unknown colour"):
        store.add_highlight(make_highlight(color="orange"))
    h = store.add_highlight(make_highlight())
    with pytest.raises(StoreError, match="unknown colour"):
        store.update_highlight(h.id, color="orange")
    assert store.get_highlight(h.id).color == "green"


def test_live_and_trashed_notes_can_be_read_together(store):
    live, gone = store.add_highlights([make_highlight(), make_highlight(start=40, end=50)])
    store.delete_highlight(gone.id)
    c_live, c_gone = store.add_comment(make_comment()), store.add_comment(make_comment())
    store.delete_comment(c_gone.id)
    assert [h.id for h in store.highlights(KEY, trash=None)] == [live.id, gone.id]
    assert {c.id for c in store.comments(KEY, trash=None)} == {c_live.id, c_gone.id}
    assert [c.id for c in store.comments(KEY, trash=True)] == [c_gone.id]


def test_trash_restore_and_purge(store):
    h = store.add_highlight(make_highlight())
    store.delete_highlight(h.id)
    assert store.highlights(KEY) == []
    assert [x.id for x in store.highlights(KEY, trash=True)] == [h.id]
    assert store.get_highlight(h.id).deleted_at is not None
    store.restore_highlight(h.id)
    assert store.get_highlight(h.id).deleted_at is None
    with pytest.raises(NoteNotFoundError):  # only trashed notes can be purged
        store.purge_highlight(h.id)
    store.delete_highlight(h.id)
    store.purge_highlight(h.id)
    with pytest.raises(NoteNotFoundError):
        store.get_highlight(h.id)


def test_comments_threads_and_trash(store):
    root = store.add_comment(make_comment())
    reply = store.add_comment(make_comment(body="Added UN data.", reply_to=root.id))
    assert store.comments(KEY) == [root, reply]
    assert store.update_comment(root.id, "Needs two sources.").body == "Needs two sources."
    store.delete_comment(root.id)
    assert [c.id for c in store.comments(KEY)] == [reply.id]
    store.purge_comment(root.id)
    assert store.get_comment(reply.id).reply_to is None  # the reply survives its parent
    with pytest.raises(NoteNotFoundError):
        store.add_comment(make_comment(reply_to="no-such-comment"))


def test_empty_trash_purges_one_briefs_trash_at_once(store):
    store.save_brief(replace(brief_record(), key="brief-2"))
    kept, gone = store.add_highlights([make_highlight(), make_highlight(start=40, end=50)])
    elsewhere = store.add_highlight(make_highlight(brief_key="brief-2"))
    root = store.add_comment(make_comment())
    reply = store.add_comment(make_comment(body="Added UN data.", reply_to=root.id))
    for hid in (gone.id, elsewhere.id):
        store.delete_highlight(hid)
    store.delete_comment(root.id)
    store.empty_trash(KEY)
    assert [h.id for h in store.highlights(KEY, trash=None)] == [kept.id]
    assert [c.id for c in store.comments(KEY, trash=None)] == [reply.id]
    assert store.get_comment(reply.id).reply_to is None  # the reply survives its parent
    assert [h.id for h in store.highlights("brief-2", trash=True)] == [elsewhere.id]


def test_bookmarks_and_colour_labels(store):
    b = store.add_bookmark(Bookmark(new_id(), KEY, "summary", 120, "resume here"))
    assert store.bookmarks(KEY) == [b]
    store.delete_bookmark(b.id)
    assert store.bookmarks(KEY) == []
    labels = {c.color: c.label for c in store.color_labels()}
    assert labels == store_mod.DEFAULT_LABELS
    store.set_color_label("red", "risk")
    assert {c.color: c.label for c in store.color_labels()}["red"] == "risk"
    with pytest.raises(StoreError):
        store.set_color_label("teal", "x")


def test_notes_need_a_known_brief(store):
    with pytest.raises(StoreError, match="no brief"):
        store.add_highlight(make_highlight(brief_key="unknown"))


def test_apply_placements_is_one_guarded_transaction(store):
    h = store.add_highlight(make_highlight())
    c = store.add_comment(make_comment())
    placed_h = HighlightPlacement(h.id, "moved", "_lead", 3, 20)
    placed_c = CommentPlacement(c.id, "orphaned", None)
    # The stored hash is not the expected one: another process got there first.
    assert not store.apply_placements(
        brief_record("hash-2"), expected_hash="stale", highlights=[placed_h], comments=[placed_c]
    )
    assert store.get_highlight(h.id).status == "anchored"
    assert store.get_brief(KEY).content_hash == "hash-1"

    assert store.apply_placements(
        brief_record("hash-2"), expected_hash="hash-1", highlights=[placed_h], comments=[placed_c]
    )
    got = store.get_highlight(h.id)
    assert (got.status, got.current_section, got.current_start, got.current_end) == (
        "moved",
        "_lead",
        3,
        20,
    )
    assert (got.exact, got.start) == (h.exact, h.start)  # what was stored stays
    assert store.get_comment(c.id).status == "orphaned"
    assert store.get_brief(KEY).content_hash == "hash-2"
    counts = store.status_counts(KEY)
    assert (counts.moved, counts.orphaned, counts.anchored) == (1, 1, 0)


def test_settled_note_is_kept_as_orphan_until_the_brief_changes(store):
    h = store.add_highlight(make_highlight())
    store.apply_placements(brief_record("hash-2"), expected_hash="hash-1",
                           highlights=[HighlightPlacement(h.id, "changed", "summary", 9, 25)])
    settled = store.settle_highlight(h.id, orphan=True)
    assert settled.status == "orphaned" and settled.reviewed
    assert (settled.current_section, settled.current_start) == (None, None)
    assert (settled.exact, settled.note) == (h.exact, h.note)  # nothing the user wrote is lost
    # The next version of the brief asks again.
    store.apply_placements(brief_record("hash-3"), expected_hash="hash-2",
                           highlights=[HighlightPlacement(h.id, "orphaned", None, None, None)])
    assert store.get_highlight(h.id).reviewed is None
    with pytest.raises(StoreError):
        store.settle_highlight("missing", orphan=True)


def test_bookmark_rename(store):
    b = store.add_bookmark(Bookmark(new_id(), KEY, "summary", 0, "old"))
    store.rename_bookmark(b.id, "  Read before Monday ")
    assert [m.label for m in store.bookmarks(KEY)] == ["Read before Monday"]
    with pytest.raises(StoreError):
        store.rename_bookmark("missing", "x")


# --------------------------------------------------------------------------- transactions


def test_failed_transaction_leaves_nothing_behind(store, db_path):
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.execute(
            "INSERT INTO briefs(key, title, content_hash, seen_at) VALUES ('b2', 't', 'h', 'now')"
        )
        tx.execute("UPDATE briefs SET title = 'changed' WHERE key = ?", (KEY,))
        raise RuntimeError("interrupted halfway")
    assert not store._connection.in_transaction
    with raw(db_path) as conn:
        assert conn.execute("SELECT key, title FROM briefs").fetchall() == [(KEY, "Grain exports")]


def test_a_failing_statement_rolls_back_the_whole_save(store, db_path):
    store.add_highlight(make_highlight(id="fixed-id"))
    # Re-saving the same id breaks the primary key: a bug, not a user error, so it
    # propagates as sqlite3.IntegrityError, and the brief upsert in the same
    # transaction must not survive either.
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as tx:
        store._save_brief(tx, replace(brief_record("hash-9")))
        tx.execute("INSERT INTO highlights SELECT * FROM highlights WHERE id = 'fixed-id'")
    with raw(db_path) as conn:
        assert conn.execute("SELECT content_hash FROM briefs").fetchall() == [("hash-1",)]
        assert conn.execute("SELECT count(*) FROM highlights").fetchone()[0] == 1


def test_disk_full_fails_the_save_clearly_and_harms_nothing(store, db_path):
    """SQLite's page limit gives the same SQLITE_FULL a full disk gives (portable)."""
    kept = store.add_highlight(make_highlight())
    pages = store._connection.execute("PRAGMA page_count").fetchone()[0]
    store._connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(SaveError) as info:
        store.add_highlight(make_highlight(note="x" * 200_000))
    assert info.value.code == "SQLITE_FULL"
    assert "disk is full" in str(info.value)
    assert not store._connection.in_transaction
    assert store.highlights(KEY) == [kept]
    store._connection.execute("PRAGMA max_page_count = 1073741823")
    store.add_highlight(make_highlight())  # the store keeps working once space is back
    assert len(store.highlights(KEY)) == 2
    assert store.check() == []


def test_a_lock_held_too_long_is_a_clear_save_error(db_path, monkeypatch):
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 100)  # the real wait is 10 s
    s = Store(db_path)
    s.save_brief(brief_record())
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(SaveError, match="busy") as info:
            s.add_highlight(make_highlight())
        assert info.value.code.startswith("SQLITE_BUSY")
        # Whatever holds it (another briefreader, a backup tool): what to do is said.
        assert "or program (try again once it is done)" in str(info.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    s.add_highlight(make_highlight())
    assert len(s.highlights(KEY)) == 1
    s.close()


def _damage_after_open(path: Path, store: Store) -> None:
    """Overwrite all but the first pages of an open store's file, as a failing disk or a
    careless sync tool might."""
    store._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(3 * 4096)
        f.write(b"\x5a" * (size - 3 * 4096))
    # Pages read while opening are dropped from the cache, as a big brief's would be.
    store._connection.execute("PRAGMA shrink_memory")


def test_damage_found_while_reading_is_a_clear_read_error(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    s.add_highlights([make_highlight(note="n" * 200) for _ in range(3000)])
    s.close()
    s = Store(db_path)  # a fresh page cache: the notes are read from the file
    _damage_after_open(db_path, s)
    with pytest.raises(ReadError) as info:
        s.highlights(KEY)
    assert info.value.code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    assert str(info.value).startswith("could not read the notes: ")
    assert "db check" in str(info.value)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)
    s.close()


def test_db_check_reports_damage_it_runs_into_instead_of_failing(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    s.add_highlights([make_highlight(note="n" * 200) for _ in range(3000)])
    s.close()
    s = Store(db_path)
    _damage_after_open(db_path, s)
    problems = s.check()
    assert problems and all(isinstance(p, str) for p in problems)
    s.close()


def _disk_error(name: str) -> sqlite3.OperationalError:
    """What SQLite raises for a failing disk, with its extended error name."""
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorname = name
    return exc


def test_a_save_whose_read_back_fails_is_not_saved_at_all(db_path, monkeypatch):
    s = Store(db_path)
    s.save_brief(brief_record())
    h = s.add_highlight(make_highlight(note="before"))

    def failing_disk(conn, highlight_id):
        raise _disk_error("SQLITE_IOERR_READ")

    monkeypatch.setattr(store_mod, "_highlight_by_id", failing_disk)
    with pytest.raises(SaveError, match="input/output"):
        s.update_highlight(h.id, note="after")
    monkeypatch.undo()
    # Either saved and returned, or not saved: never committed and reported as failed.
    assert s.get_highlight(h.id).note == "before"
    assert s.update_highlight(h.id, note="after").note == "after"
    s.close()


def test_a_worker_connection_never_moves_aside_the_database_the_window_uses(db_path):
    window = Store(db_path)
    window.save_brief(brief_record())
    window.add_highlights([make_highlight(note="n" * 200) for _ in range(3000)])
    _damage_after_open(db_path, window)
    with pytest.raises(StoreError, match="damaged"):  # e.g. a library refresh
        Store(db_path, backup_interval=None, checked=True)
    assert db_path.exists()
    assert sorted(p.name for p in db_path.parent.iterdir() if "corrupt" in p.name) == []
    with pytest.raises(DatabaseCorruptError):  # while a fresh start finds the damage
        Store(db_path)
    window.close()


def test_a_busy_database_stops_a_search_instead_of_searching_again(db_path, monkeypatch):
    s = Store(db_path)
    tried = []

    def busy(query, filters):
        tried.append(query)
        exc = sqlite3.OperationalError("database is locked")
        exc.sqlite_errorname = "SQLITE_BUSY"
        raise exc

    monkeypatch.setattr(s, "_search", busy)
    with pytest.raises(ReadError, match="could not read the search index: .*busy"):
        s.search("harvest")
    assert len(tried) == 1  # not retried as plain words, which would hide the cause
    s.close()


def test_a_read_error_that_is_a_bug_is_not_dressed_up(db_path):
    s = Store(db_path)
    with closing(sqlite3.connect(db_path)) as other:
        other.execute("DROP TABLE bookmarks")  # a schema this code does not expect
        other.commit()
    with pytest.raises(sqlite3.OperationalError, match="no such table") as info:
        s.bookmarks(KEY)
    assert not isinstance(info.value, StoreError)
    s.close()


def _can_mount() -> bool:
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return True


@pytest.fixture
def tiny_fs(tmp_path):
    """A real 1 MiB filesystem (tmpfs); needs root and mount rights, else skipped."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if not _can_mount():
        pytest.skip("mounting a tiny filesystem needs root on Linux")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount tmpfs here")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=True)


def test_real_full_disk_fails_the_save_clearly_and_harms_nothing(tiny_fs):
    """A filesystem that really runs out of space: earlier notes survive, file stays sound."""
    s = Store(tiny_fs / "notes.sqlite3", backup_interval=None)
    s.save_brief(brief_record())
    saved = []
    with pytest.raises(SaveError) as info:
        for _ in range(200):
            saved.append(s.add_highlight(make_highlight(note="n" * 20_000)).id)
    assert info.value.code.startswith(("SQLITE_FULL", "SQLITE_IOERR"))
    assert saved  # some saves fitted before the disk filled
    assert [h.id for h in s.highlights(KEY)] == saved
    s.close()
    reopened = Store(tiny_fs / "notes.sqlite3", backup_interval=None)
    assert [h.id for h in reopened.highlights(KEY)] == saved
    assert reopened.check() == []
    reopened.close()


def test_read_only_folder_reads_but_fails_saves_clearly(db_path, read_only_view):
    """Notes stay readable; a save raises SaveError and the file is untouched."""
    db_path.parent.mkdir(parents=True)
    s = Store(db_path)
    s.save_brief(brief_record())
    kept = s.add_highlight(make_highlight())
    s.close()
    before = db_path.read_bytes()
    view = read_only_view(db_path.parent)
    ro = Store(view / db_path.name)
    assert ro.read_only
    assert ro.highlights(KEY) == [kept]
    with pytest.raises(SaveError) as info:
        ro.add_highlight(make_highlight())
    assert info.value.code.startswith("SQLITE_READONLY")
    assert "read-only" in str(info.value)
    ro.close()
    assert db_path.read_bytes() == before


def test_a_read_only_store_lists_a_brief_it_never_saw_as_having_no_notes(
        db_path, read_only_view):
    from briefreader.notes import NotesService
    from briefreader.parse import parse_bytes

    db_path.parent.mkdir(parents=True)
    Store(db_path).close()
    view = read_only_view(db_path.parent)
    ro = Store(view / db_path.name)
    brief = parse_bytes(b"---\nid: new-brief\n---\n# New brief\n\nNever opened here.\n",
                        name="new.md")
    listing = NotesService(ro).listing(brief)
    assert (listing.highlights, listing.comments) == ([], [])
    assert listing.brief.title == "New brief"
    ro.close()


def test_read_only_folder_without_database_is_a_clear_error(tmp_path, read_only_view):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "placeholder").write_text("x")
    view = read_only_view(folder)
    with pytest.raises(StoreError, match="read-only"):
        Store(view / "notes.sqlite3")


# --------------------------------------------------------------------------- schema


def load_fixture(name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target)
    conn.executescript((DATA / name).read_text(encoding="utf-8"))
    conn.close()


def test_version_1_database_is_upgraded_after_a_backup(db_path):
    load_fixture("schema_v1.sql", db_path)
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    s = Store(db_path)
    assert s.schema_version == SCHEMA_VERSION
    # The backup taken before upgrading holds the old schema.
    backups = s.backups()
    assert len(backups) == 1
    with raw(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    live = s.highlights("water-2025")
    assert [(h.exact, h.color, h.note, h.tags, h.author) for h in live] == [
        ("reservoir levels fell by a third", "red", "Check the *2024* baseline.", (), "ana")
    ]
    assert [h.exact for h in s.highlights("water-2025", trash=True)] == ["pumping costs"]
    comments = s.comments("water-2025")
    assert [c.body for c in comments] == [
        "Which districts are covered?",
        "All twelve, see annex B.",
    ]
    assert comments[1].reply_to == comments[0].id
    # What version 2 added works on the upgraded file.
    h = s.update_highlight(live[0].id, tags=["drought"])
    assert h.tags == ("drought",)
    s.add_bookmark(Bookmark(new_id(), "water-2025", "risks", 0))
    assert {c.label for c in s.color_labels()} >= {"key point", "action"}
    assert s.check() == []
    s.close()


def test_version_4_database_gets_the_reading_order_index(db_path):
    s = Store(db_path, backup_interval=None)
    s.save_brief(brief_record())
    # Same place, same instant (one batch): listed in the order they were saved.
    saved = s.add_highlights([make_highlight(note=f"n{i}") for i in range(5)])
    s.add_highlight(make_highlight(section_id="_lead", section_ordinal=0, start=70))
    before = s.highlights(KEY)
    s.close()
    with raw(db_path) as conn:
        conn.execute("DROP INDEX highlights_reading_order")
        conn.execute("DROP TABLE earlier_keys")  # version 6
        conn.execute("PRAGMA user_version = 4")
    s = Store(db_path, backup_interval=None)
    assert s.schema_version == SCHEMA_VERSION == 9
    plan = " ".join(
        r[3]
        for r in s._connection.execute(
            "EXPLAIN QUERY PLAN SELECT h.id FROM highlights h JOIN briefs b"
            " ON b.id = h.brief_id WHERE b.key = ? AND h.deleted_at IS NULL"
            " ORDER BY h.section_ordinal, h.start, h.created, h.rowid",
            (KEY,),
        )
    )
    assert "highlights_reading_order" in plan and "TEMP B-TREE" not in plan
    assert s.highlights(KEY) == before
    assert [h.note for h in before[1:]] == [h.note for h in saved]
    s.delete_highlight(saved[2].id)
    assert [h.note for h in s.highlights(KEY, trash=True)] == ["n2"]
    assert [h.note for h in s.highlights(KEY)[1:]] == ["n0", "n1", "n3", "n4"]
    s.close()


def test_each_upgrade_step_runs_in_its_own_transaction(db_path, monkeypatch):
    load_fixture("schema_v1.sql", db_path)

    def broken(conn):
        conn.execute("CREATE TABLE bookmarks (id TEXT)")
        raise RuntimeError("upgrade bug")

    monkeypatch.setitem(store_mod._UPGRADES, 2, broken)
    with pytest.raises(RuntimeError):
        Store(db_path)
    with raw(db_path) as conn:  # still a whole version-1 file
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "bookmarks" not in tables
        assert conn.execute("SELECT count(*) FROM highlights").fetchone()[0] == 2


def test_newer_database_is_refused_and_left_untouched(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    s.close()
    with raw(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="newer briefreader"):
        Store(db_path)
    assert db_path.read_bytes() == before
    wal = db_path.with_name(db_path.name + "-wal")
    # A read-only reader of a WAL file may leave an empty -wal behind; nothing is written.
    assert not wal.exists() or wal.stat().st_size == 0


# --------------------------------------------------------------------------- checks


def test_clean_close_leaves_no_marker_and_next_open_is_clean(db_path):
    Store(db_path).close()
    s = Store(db_path)
    assert not s.unclean_shutdown
    s.close()
    assert not list(db_path.parent.glob(".notes.sqlite3.session-*"))


def test_unclean_shutdown_is_detected_and_checked(db_path):
    Store(db_path).close()
    code = (
        "import os, sys\n"
        "from briefreader.store import Store\n"
        "Store(sys.argv[1])\n"
        "os._exit(0)\n"  # dies without close(), like a crash
    )
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True)
    assert list(db_path.parent.glob(".notes.sqlite3.session-*"))
    s = Store(db_path)
    assert s.unclean_shutdown
    s.close()
    # The stale marker was cleared after the check passed.
    assert not list(db_path.parent.glob(".notes.sqlite3.session-*"))


def test_a_crash_found_with_damage_is_not_reported_again_after_the_restore(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    s.backup()
    s.close()
    code = (
        "import os, sys\n"
        "from briefreader.store import Store\n"
        "Store(sys.argv[1], backup_interval=None)\n"
        "os._exit(0)\n"  # dies without close(), like a crash
    )
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True)
    _corrupt(db_path)
    with pytest.raises(DatabaseCorruptError):
        Store(db_path)
    Store.restore(db_path)
    s = Store(db_path)
    assert not s.unclean_shutdown  # the crash was dealt with when it was found
    s.close()


def test_a_crash_is_remembered_while_the_damage_found_cannot_be_moved_aside(
        db_path, monkeypatch):
    s = Store(db_path)
    s.backup()
    s.close()
    code = ("import os, sys\nfrom briefreader.store import Store\n"
            "Store(sys.argv[1], backup_interval=None)\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True)
    _corrupt(db_path)
    monkeypatch.setattr(store_mod, "_move_aside", _cannot_move)
    with pytest.raises(StoreError, match="cannot be moved aside"):
        Store(db_path)
    assert list(db_path.parent.glob(".notes.sqlite3.session-*"))  # checked in full again


def _cannot_move(*_args):
    raise PermissionError(13, "in use")


def test_a_live_session_is_not_mistaken_for_a_crash(db_path):
    first = Store(db_path)
    second = Store(db_path)
    assert not second.unclean_shutdown
    second.close()
    first.close()


def _corrupt(path: Path) -> None:
    """Overwrite every page after the first with garbage (the header survives)."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(4096)
        f.write(bytes((i * 37 + 11) % 256 for i in range(size - 4096)))


@pytest.mark.parametrize("damage", ["pages", "header"])
def test_corrupt_database_is_moved_aside_and_backup_offered(db_path, damage):
    s = Store(db_path)
    s.save_brief(brief_record())
    kept = s.add_highlight(make_highlight())
    backup = s.backup()
    s.add_highlight(make_highlight())  # made after the backup: only in the damaged file
    s.close()
    if damage == "pages":
        _corrupt(db_path)
    else:
        db_path.write_bytes(b"this is not a database at all" * 300)
    damaged = db_path.read_bytes()
    with pytest.raises(DatabaseCorruptError) as info:
        Store(db_path)
    err = info.value
    assert err.backups == [backup]
    assert not db_path.exists()
    assert err.moved_to.read_bytes() == damaged  # moved, never overwritten
    assert "moved to" in str(err) and "db restore" in str(err)

    result = Store.restore(db_path)
    assert result.restored_from == backup
    assert result.moved_aside is None  # nothing was at the path any more
    s = Store(db_path)
    assert [h.id for h in s.highlights(KEY)] == [kept.id]
    s.close()


def test_restore_keeps_the_replaced_database(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    backup = s.backup()
    s.add_highlight(make_highlight())
    s.close()
    result = Store.restore(db_path, backup)
    assert result.moved_aside is not None and result.moved_aside.exists()
    with raw(result.moved_aside) as conn:
        assert conn.execute("SELECT count(*) FROM highlights").fetchone()[0] == 1
    s = Store(db_path)
    assert s.highlights(KEY) == []
    s.close()


def test_a_restored_backup_has_every_version_marked_as_exported(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    h = s.add_highlight(make_highlight())
    assert "*" in s.lineages(KEY)[h.id]  # made here, not exported yet
    backup = s.backup()
    s.lineages(KEY, share=True)  # exported after the backup was made
    s.close()
    Store.restore(db_path, backup)
    with Store(db_path) as again:
        assert "*" not in again.lineages(KEY)[h.id]


def test_restore_refuses_while_the_database_is_open(db_path):
    s = Store(db_path)
    backup = s.backup()
    with pytest.raises(StoreError, match="close it"):
        Store.restore(db_path, backup)
    s.close()
    assert Store.restore(db_path, backup).restored_from == backup


def test_restore_refuses_a_damaged_backup(db_path, tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError, match="damaged"):
        Store.restore(db_path, bad)
    with pytest.raises(StoreError, match="no sound backup"):
        Store.restore(db_path)


@pytest.mark.parametrize("version", [0, 3, 99])
def test_restore_takes_only_a_notes_database_this_app_reads(db_path, tmp_path, version):
    s = Store(db_path)
    s.save_brief(brief_record())
    s.add_highlight(make_highlight())
    s.backup()
    s.close()
    before = db_path.read_bytes()
    foreign = tmp_path / "foreign.sqlite3"
    with raw(foreign) as conn:
        conn.execute("CREATE TABLE t(x)")
        conn.execute(f"PRAGMA user_version = {version}")
    reason = "newer briefreader" if version == 99 else "not a briefreader notes database"
    with pytest.raises(StoreError, match=reason):
        Store.restore(db_path, foreign)
    assert db_path.read_bytes() == before  # not moved aside, not touched
    assert list(db_path.parent.glob("*.replaced-*")) == []
    # A foreign file in the backup folder is passed over for the newest sound one.
    shutil.copyfile(foreign, db_path.parent / "backups" / "notes-99990101T000000000000Z.sqlite3")
    assert Store.restore(db_path).restored_from.name != "notes-99990101T000000000000Z.sqlite3"


def test_restore_copies_what_the_backups_wal_still_holds(db_path, tmp_path):
    source = tmp_path / "other" / "notes.sqlite3"
    source.parent.mkdir()
    writer = Store(source, backup_interval=None)
    writer.save_brief(brief_record())
    h = writer.add_highlight(make_highlight())
    # A copy of the file as a window left it: the last save still in its -wal.
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(source, copy)
    shutil.copyfile(source.with_name("notes.sqlite3-wal"), tmp_path / "copy.sqlite3-wal")
    writer.close()
    assert (tmp_path / "copy.sqlite3-wal").stat().st_size > 0
    db_path.parent.mkdir()
    Store.restore(db_path, copy)
    s = Store(db_path)
    assert [x.id for x in s.highlights(KEY)] == [h.id]
    s.close()


def test_a_restore_that_fails_leaves_the_database_where_it_was(db_path, monkeypatch):
    s = Store(db_path)
    s.save_brief(brief_record())
    s.add_highlight(make_highlight())
    backup = s.backup()
    s.close()
    before = db_path.read_bytes()
    real_connect = sqlite3.connect

    class FullDisk:  # the copy runs out of room
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, *args):
            if sql.startswith("VACUUM INTO"):
                raise sqlite3.OperationalError("database or disk is full")
            return self.conn.execute(sql, *args)

        def close(self):
            self.conn.close()

    monkeypatch.setattr(store_mod.sqlite3, "connect",
                        lambda *a, **k: FullDisk(real_connect(*a, **k)))
    with pytest.raises(StoreError, match="could not restore"):
        Store.restore(db_path, backup)
    monkeypatch.undo()
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["backups", "notes.sqlite3"]


def test_restoring_the_database_onto_itself_keeps_it(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    h = s.add_highlight(make_highlight())
    s.close()
    with pytest.raises(StoreError, match="is the notes database itself"):
        Store.restore(db_path, db_path)  # not a backup: refused, nothing set aside
    assert not list(db_path.parent.glob(f"{db_path.name}.replaced-*"))
    s = Store(db_path)
    assert [x.id for x in s.highlights(KEY)] == [h.id]
    s.close()


def test_an_emptied_database_is_not_taken_for_a_new_one_while_backups_exist(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    h = s.add_highlight(make_highlight())
    s.backup()
    s.close()
    db_path.write_bytes(b"")  # truncated (a failing disk, a bad copy)
    with pytest.raises(DatabaseCorruptError, match="the file is empty"):
        Store(db_path)
    assert not db_path.exists()
    # Nor does the next start quietly begin with no notes.
    for _ in range(2):
        with pytest.raises(DatabaseCorruptError, match="db restore"):
            Store(db_path)
        assert not db_path.exists()
    Store.restore(db_path)
    s = Store(db_path)
    assert [x.id for x in s.highlights(KEY)] == [h.id]
    s.close()


def test_with_no_sound_backup_a_damaged_database_does_not_stop_every_start(db_path):
    s = Store(db_path)
    backup = s.backup()
    s.close()
    backup.write_bytes(b"not a database" * 300)  # the only backup is damaged too
    _corrupt(db_path)
    with pytest.raises(DatabaseCorruptError, match="no sound backup") as info:
        Store(db_path)
    assert info.value.backups == []
    Store(db_path).close()  # the damaged file is kept; the next start goes on afresh
    assert info.value.moved_to.exists()


def test_a_move_aside_that_fails_half_way_puts_back_what_it_moved(db_path, monkeypatch):
    s = Store(db_path)
    s.save_brief(brief_record())
    h = s.add_highlight(make_highlight())
    backup = s.backup()
    held = Store(db_path, backup_interval=None, checked=True)  # keeps -wal and -shm there
    s.close()
    held._marker.release()  # as a window that crashed: its session is not live
    real_rename = Path.rename

    def rename(self, target):
        if self.name.endswith("-shm"):  # held open elsewhere (Windows)
            raise PermissionError(13, "in use", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(StoreError, match="could not restore"):
        Store.restore(db_path, backup)
    monkeypatch.undo()
    held.close()
    assert list(db_path.parent.glob("*.replaced-*")) == []
    s = Store(db_path)
    assert [x.id for x in s.highlights(KEY)] == [h.id]
    s.close()


def test_a_fresh_start_after_damage_is_chosen_by_moving_the_damaged_file(db_path, tmp_path):
    s = Store(db_path)
    s.backup()
    s.close()
    _corrupt(db_path)
    with pytest.raises(DatabaseCorruptError) as info:
        Store(db_path)
    info.value.moved_to.rename(tmp_path / "kept-elsewhere.sqlite3")
    Store(db_path).close()  # starts with no notes, as asked


# --------------------------------------------------------------------------- backups


def test_backups_are_verified_copies_and_rotate(db_path):
    s = Store(db_path, keep_backups=3)
    s.save_brief(brief_record())
    made = [s.backup() for _ in range(5)]
    assert s.backups() == list(reversed(made[-3:]))
    assert not list(s.backup_dir.glob("*.tmp"))
    with raw(made[-1]) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT key FROM briefs").fetchall() == [(KEY,)]
    s.close()


def test_a_backup_folder_that_cannot_be_written_is_named_as_the_cause(db_path):
    s = Store(db_path, backup_interval=None)
    folder = s.backup_dir
    folder.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        s.close()
        pytest.skip("making a folder immutable needs chattr and root")
    try:
        with pytest.raises(StoreError) as info:
            s.backup()
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
        s.close()
    assert f"the backup folder {folder} cannot be written" in str(info.value)


def test_unverifiable_backup_is_never_installed(db_path, monkeypatch):
    s = Store(db_path)
    s.save_brief(brief_record())
    monkeypatch.setattr(store_mod, "check_file", lambda path, full=True: ["page 3 is bad"])
    with pytest.raises(StoreError, match="failed its check"):
        s.backup()
    assert s.backups() == []
    assert not list(s.backup_dir.glob("*.tmp"))
    s.close()


def test_daily_backup_on_open(db_path):
    Store(db_path).close()  # a brand-new database has nothing to back up
    assert store_mod.list_backups(db_path.parent / "backups") == []
    s = Store(db_path)  # an existing one without a recent backup gets one
    first = s.backups()
    assert len(first) == 1
    s.close()
    s = Store(db_path)
    assert s.backups() == first  # less than a day old: no new one
    s.close()
    old = first[0].stat().st_mtime - 2 * 86400
    os.utime(first[0], (old, old))
    s = Store(db_path)
    assert len(s.backups()) == 2
    s.close()


def test_the_daily_backup_can_run_beside_an_open_store(db_path):
    Store(db_path, backup_interval=None).close()
    s = Store(db_path, backup_interval=None)  # as the window opens it: no backup here
    assert s.backups() == []
    backing_up = store_mod.start_daily_backup(db_path, keep_backups=3)
    s.save_brief(brief_record())  # the window goes on saving meanwhile
    backing_up.join()
    (backup,) = s.backups()
    assert store_mod.check_file(backup) == []
    store_mod.start_daily_backup(db_path).join()
    assert s.backups() == [backup]  # less than a day old: none due
    s.close()


def test_the_daily_backup_never_moves_the_open_database(db_path, monkeypatch):
    Store(db_path, backup_interval=None).close()
    s = Store(db_path, backup_interval=None)
    # Whatever checks would say now, the backup thread does not run a Store's opening
    # checks (which move a damaged database aside) under the window's open store.
    monkeypatch.setattr(store_mod, "_checked", lambda conn, pragma: ["page 3 is damaged"])
    store_mod.start_daily_backup(db_path).join()
    assert db_path.exists()
    assert not list(db_path.parent.glob("*.corrupt-*"))
    s.save_brief(brief_record())
    s.close()


# --------------------------------------------------------------------------- processes

_SAVER = """
import sys
from briefreader.store import Highlight, SaveError, Store, new_id
store = Store(sys.argv[1], backup_interval=None)
failures = 0
for i in range(int(sys.argv[2])):
    h = Highlight(new_id(), sys.argv[3], "summary", "Summary", 1, "quote", "", "", 0, 5,
                  note=f"process note {i}")
    try:
        store.add_highlight(h)
    except SaveError as exc:
        failures += 1
        print(exc, file=sys.stderr)
store.close()
print(failures)
"""


def test_two_processes_saving_at_once_both_succeed(db_path):
    s = Store(db_path)
    s.save_brief(brief_record())
    s.close()
    saves = 1000
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(db_path), str(saves), KEY],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert out.strip() == "0", err  # zero failed saves
    s = Store(db_path)
    assert len(s.highlights(KEY)) == 2 * saves
    assert s.check() == []
    s.close()


# The child acknowledges a note (prints its id) only after add_highlight returned,
# i.e. after COMMIT: every printed id must survive SIGKILL at any moment.
_ACKER = """
import sys
from briefreader.store import Highlight, Store, new_id
store = Store(sys.argv[1], backup_interval=None)
i = 0
while True:
    i += 1
    h = Highlight(new_id(), sys.argv[2], "summary", "Summary", 1, "quote", "", "", 0, 5,
                  note="n" * (i % 7 * 300), tags=("kill",))
    store.add_highlight(h)
    sys.stdout.write(h.id + "\\n")
    sys.stdout.flush()
"""


def _kill_trials(db_path: Path, trials: int, seed: int) -> None:
    import random
    import signal
    import time

    rng = random.Random(seed)
    s = Store(db_path)
    s.save_brief(brief_record())
    s.close()
    acked: list[str] = []
    for _ in range(trials):
        child = subprocess.Popen(
            [sys.executable, "-c", _ACKER, str(db_path), KEY],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        first = child.stdout.readline()  # the store is open and saving
        assert first.endswith(b"\n"), child.stderr.read().decode()
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        lines = (first + rest).split(b"\n")
        # The last element is an unfinished line (or empty): not acknowledged.
        acked += [line.decode() for line in lines[:-1]]
    s = Store(db_path)
    assert s.unclean_shutdown
    assert s.check() == []
    stored = {h.id for h in s.highlights(KEY)}
    s.close()
    missing = [i for i in acked if i not in stored]
    assert not missing, f"{len(missing)} acknowledged notes lost"
    assert len(acked) >= trials


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_while_saving_loses_no_acknowledged_note(db_path):
    _kill_trials(db_path, trials=50, seed=1)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_while_saving_stress(db_path):
    _kill_trials(db_path, trials=300, seed=2)


def test_a_rekeyed_brief_keeps_its_notes_and_reading_progress(store):
    h = store.add_highlight(make_highlight())
    store.save_reading_position(KEY, "summary", 120)
    store.mark_section_read(KEY, "summary")
    store.mark_section_read("new-id", "_lead")  # read under the new key already
    assert store.rekey_brief(KEY, "new-id")
    assert [x.id for x in store.highlights("new-id")] == [h.id]
    assert store.highlights(KEY) == [] and store.get_brief(KEY) is None
    state = store.reading_state("new-id")
    assert (state.section_id, state.scroll) == ("summary", 120)
    assert state.read_sections == {"summary", "_lead"}
    assert store.reading_state(KEY).read_sections == frozenset()
    # A key in use, or one that is not stored, is not taken.
    store.save_brief(brief_record())
    assert not store.rekey_brief(KEY, "new-id")
    assert not store.rekey_brief("nowhere", "elsewhere")


def test_notes_moved_to_a_stored_brief_join_its_own_and_are_placed_again(store):
    h = store.add_highlight(make_highlight(note="Which harbours?"))
    c = store.add_comment(make_comment())
    b = store.add_bookmark(Bookmark(new_id(), KEY, "summary", 120, "resume here"))
    store.save_reading_position(KEY, "summary", 120)
    store.mark_section_read(KEY, "summary")
    other = replace(brief_record("hash-9"), key="grain-2027", path="/briefs/grain-27.md")
    store.save_brief(other)
    own = store.add_highlight(make_highlight(brief_key="grain-2027"))
    store.save_reading_position("grain-2027", "_lead", 5)  # read there already: kept
    assert sorted(store.move_notes(KEY, "grain-2027")) == sorted([h.id, c.id])
    assert sorted(x.id for x in store.highlights("grain-2027")) == sorted([h.id, own.id])
    assert [x.id for x in store.comments("grain-2027")] == [c.id]
    assert [x.id for x in store.bookmarks("grain-2027")] == [b.id]
    assert store.get_brief(KEY) is None and store.stored_briefs()[0].key == "grain-2027"
    # Placed on the other's text: the next sync must place them again.
    assert store.brief_hash("grain-2027") == ""
    state = store.reading_state("grain-2027")
    assert (state.section_id, state.scroll, state.read_sections) == ("_lead", 5, {"summary"})
    assert [(r.id, r.brief_id) for r in store.search("harbours")] == [(h.id, "grain-2027")]


def test_the_keys_a_briefs_notes_had_before_are_remembered(store, db_path):
    assert store.rekey_brief(KEY, "/briefs/grain.md")  # (a brief that lost its id, say)
    other = replace(brief_record("hash-9"), key="grain-2027", path="/briefs/grain-27.md")
    store.save_brief(other)
    store.move_notes("/briefs/grain.md", "grain-2027")
    assert store.earlier_keys("grain-2027") == ["/briefs/grain.md", KEY]
    assert store.earlier_keys("/briefs/grain.md") == []
    # Given back: a key is never its own earlier key.
    store.save_brief(brief_record())
    store.move_notes("grain-2027", KEY)
    assert store.earlier_keys(KEY) == ["/briefs/grain.md", "grain-2027"]
    # A key in use again is nobody's earlier key.
    store.save_brief(replace(brief_record(), key="grain-2027"))
    assert store.earlier_keys(KEY) == ["/briefs/grain.md"]
    # A database of version 5 gets the table, empty.
    store.close()
    with raw(db_path) as conn:
        conn.execute("DROP TABLE earlier_keys")
        conn.execute("PRAGMA user_version = 5")
    with Store(db_path, backup_interval=None) as again:
        assert again.schema_version == SCHEMA_VERSION and again.earlier_keys(KEY) == []


def test_stored_briefs_count_live_notes_and_those_in_the_trash(store):
    kept = store.add_highlight(make_highlight())
    store.delete_highlight(store.add_highlight(make_highlight()).id)
    store.delete_comment(store.add_comment(make_comment()).id)
    (b,) = store.stored_briefs()
    assert (b.key, b.highlights, b.comments, b.trashed, b.notes) == (KEY, 1, 0, 2, 3)
    store.delete_highlight(kept.id)
    assert store.stored_briefs()[0].notes == 3  # still kept, to attach or restore


def test_a_section_bookmarked_in_both_briefs_keeps_one_bookmark_with_both_labels(store):
    store.add_bookmark(Bookmark(new_id(), KEY, "summary", 120, "figures"))
    store.add_bookmark(Bookmark(new_id(), KEY, "_lead", 0, "start"))
    store.save_brief(replace(brief_record("hash-9"), key="grain-2027", path="/b/g.md"))
    kept = store.add_bookmark(Bookmark(new_id(), "grain-2027", "summary", 80, "read first"))
    store.move_notes(KEY, "grain-2027")
    assert sorted((b.section_id, b.label) for b in store.bookmarks("grain-2027")) == [
        ("_lead", "start"), ("summary", "read first / figures")]
    assert kept.id in {b.id for b in store.bookmarks("grain-2027")}


def test_removed_bookmarks_are_remembered_and_move_with_the_notes(store):
    gone = store.add_bookmark(Bookmark(new_id(), KEY, "summary", 120, "figures"))
    store.delete_bookmark(gone.id)
    (removed,) = store.removed_bookmarks(KEY)
    assert removed[:2] == (gone.id, "summary") and removed[2] >= gone.created
    store.save_brief(replace(brief_record("hash-9"), key="grain-2027", path="/b/g.md"))
    store.move_notes(KEY, "grain-2027")  # the brief it was on is forgotten
    assert store.removed_bookmarks("grain-2027") == [removed]


def test_notes_moved_to_a_brief_not_stored_take_their_briefs_place(store):
    h = store.add_highlight(make_highlight())
    store.move_notes(KEY, "grain-2027")
    assert store.brief_hash("grain-2027") == "hash-1"  # their version, to place them from
    assert [x.id for x in store.highlights("grain-2027")] == [h.id]
    with pytest.raises(StoreError, match="no brief 'nowhere'"):
        store.move_notes("nowhere", KEY)


def test_a_full_disk_met_while_checking_is_called_a_full_disk(db_path, monkeypatch):
    # With no shared-memory file yet, a full disk shows as SQLITE_IOERR_SHMSIZE, which
    # the message gave as "disk I/O error".
    Store(db_path).close()

    def full(conn, pragma):
        raise _disk_error("SQLITE_IOERR_SHMSIZE")

    monkeypatch.setattr(store_mod, "_checked", full)
    with pytest.raises(StoreError, match="cannot read the notes database .*: the disk is full$"):
        Store(db_path)


def test_the_section_text_cache_keeps_texts_and_drops_the_oldest_past_its_bound(tmp_path):
    from briefreader.store import TextCache

    cache = TextCache(tmp_path / "cache" / "texts.sqlite3", max_chars=10)
    cache.put_many({"a": "12345"})
    cache.put_many({"b": "67890"})
    assert cache.get_many(["a", "b", "c"]) == {"a": "12345", "b": "67890"}
    cache.put_many({"c": "xyz"})  # 13 characters: the oldest goes
    assert cache.get_many(["a", "b", "c"]) == {"b": "67890", "c": "xyz"}


def test_a_damaged_or_unwritable_section_text_cache_costs_a_render_never_an_error(tmp_path):
    from briefreader.store import TextCache

    path = tmp_path / "cache" / "texts.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"not a database at all" * 100)
    cache = TextCache(path)
    assert cache.get_many(["a"]) == {}  # damaged: started again
    cache.put_many({"a": "text"})
    assert cache.get_many(["a"]) == {"a": "text"}
    other = tmp_path / "other.sqlite3"  # another layout: started again
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE texts (key TEXT PRIMARY KEY, text TEXT)")
        conn.commit()
    TextCache(other).put_many({"a": "text"})
    assert TextCache(other).get_many(["a"]) == {"a": "text"}
    blocked = TextCache(tmp_path / "file" / "texts.sqlite3")
    (tmp_path / "file").write_text("a file where the folder should be")
    blocked.put_many({"a": "text"})
    assert blocked.get_many(["a"]) == {}


def test_the_section_text_cache_skips_what_it_cannot_hold_and_waits_for_no_lock(tmp_path):
    from briefreader.store import TextCache

    path = tmp_path / "texts.sqlite3"
    cache = TextCache(path)
    cache.put_many({"a": "fine", "b": "lone \ud800 surrogate"})  # (an odd codec's text)
    assert cache.get_many(["a", "b"]) == {"a": "fine"}
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another window writing
        t0 = time.perf_counter()
        cache.put_many({"c": "later"})
        assert time.perf_counter() - t0 < 1.0
    finally:
        other.execute("ROLLBACK")
        other.close()
    cache.put_many({"c": "later"})  # not given up for the session
    assert cache.get_many(["c"]) == {"c": "later"}


def test_a_database_of_version_6_gets_the_record_of_imported_texts(db_path):
    with Store(db_path, backup_interval=None) as store:
        store.save_brief(brief_record())
    with raw(db_path) as conn:
        conn.execute("DROP TABLE imported_texts")
        conn.execute("PRAGMA user_version = 6")
    with Store(db_path, backup_interval=None) as again:
        assert again.schema_version == SCHEMA_VERSION == 9
        again.merge_notes(imported_texts=[("n1", "a" * 16, "b" * 16, "before")])
        assert again.imported_texts(["n1", "n2"]) == {"n1": ("a" * 16, "b" * 16, "before")}


def test_a_database_of_version_7_keeps_its_notes_with_no_versions_known(db_path):
    with Store(db_path, backup_interval=None) as store:
        store.save_brief(brief_record())
        h = store.add_highlight(make_highlight(note="before"))
    with raw(db_path) as conn:
        for table in ("highlights", "comments"):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN lineage")
        conn.execute("PRAGMA user_version = 7")
    with Store(db_path, backup_interval=None) as again:
        assert again.schema_version == SCHEMA_VERSION == 9
        assert again.get_highlight(h.id).note == "before"
        assert again.lineages(KEY) == {}  # unknown: an import goes by its time
        again.update_highlight(h.id, note="after")
        (line,) = again.lineages(KEY).values()
        # The part changed: the version every machine gives its old value, then its own.
        base, new = line.split()
        assert base[0] == new[0] == "t" and base.endswith("000000") and new.endswith("*")


def test_a_version_8_database_keeps_its_notes_removed_for_good_and_learns_their_versions(
    db_path,
):
    Store(db_path).close()
    with sqlite3.connect(db_path) as conn:  # as version 8 left it
        conn.execute("ALTER TABLE purged_notes DROP COLUMN lineage")
        conn.execute("INSERT INTO purged_notes(id, purged) VALUES ('gone', "
                     "'2026-01-01T00:00:00.000Z')")
        conn.execute("PRAGMA user_version = 8")
    s = Store(db_path)
    assert s.schema_version == SCHEMA_VERSION == 9
    assert s.purged_lineages(["gone"]) == {"gone": ""}  # (versions not known: any copy)
    s.close()
