"""The library and the search index: folders, catalogue, reading state, full-text search."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from briefreader import library as library_mod
from briefreader import store as store_module
from briefreader.library import (
    DEFAULT_FOLDER_NAME,
    Library,
    LibraryError,
    LibrarySource,
    describe,
    index_brief,
    section_texts,
)
from briefreader.notes import NotesService, brief_key
from briefreader.parse import load_brief
from briefreader.paths import Paths
from briefreader.search import SearchFilters, SearchQuery, parse_query
from briefreader.store import SCHEMA_VERSION, Store

DATA = Path(__file__).parent / "data" / "search"

GRID = """\
---
title: Winter Grid Outlook
id: grid-2026
date: 2026-01-10
---

# Winter Grid Outlook

Operators expect the interconnector to carry record flows.

## Demand

Peak demand in January could exceed last year's by four per cent.
The régulateur asked for weekly reports.

## Storage

Battery storage contracts were signed with three suppliers.
"""

PORTS = """\
# Harbour Security Readout

## Incident

A phishing message reached the port's booking system on Tuesday.

## Follow-up

Staff training on phishing resumes next month; the café on pier two was closed.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def touch_later(path: Path) -> None:
    # Coarse file-system clocks: make sure the modification time moves.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db" / "notes.sqlite3", backup_interval=None)
    yield s
    s.close()


@pytest.fixture
def folder(tmp_path) -> Path:
    f = tmp_path / "briefs"
    write(f, "grid.md", GRID)
    write(f, "ports.md", PORTS)
    return f


@pytest.fixture
def lib(store, folder) -> Library:
    library = Library(store)
    library.add([folder])
    library.refresh()
    return library


def kinds(results) -> list[tuple[str, str]]:
    return [(r.kind, r.section) for r in results]


# --------------------------------------------------------------------------- sources


def test_a_new_library_starts_with_the_briefs_folder_and_the_samples(store, tmp_path):
    paths = Paths(tmp_path / "home")
    library = Library(store, paths)
    folders = library.folders()
    own = str(paths.data_dir / DEFAULT_FOLDER_NAME)
    assert own in folders
    assert (paths.data_dir / DEFAULT_FOLDER_NAME).is_dir()
    assert len(folders) == 2  # and the bundled samples of this checkout
    samples = next(f for f in folders if f != own)
    # Removing a default sticks: it is not offered again.
    library.remove(samples)
    assert Library(store, paths).folders() == [own]


def test_add_and_remove_sources(store, folder, tmp_path):
    library = Library(store)
    single = write(tmp_path / "elsewhere", "one.txt", "One\n\nA single brief.\n")
    added = library.add([folder, single])
    assert [(s.kind, s.path) for s in added] == [("folder", str(folder)), ("file", str(single))]
    assert library.add([folder]) == []  # already there
    assert library.contains(folder / "grid.md") and library.contains(single)
    removed = library.remove(single)
    assert removed == LibrarySource(str(single), "file", removed.added)
    with pytest.raises(LibraryError, match="not in the library"):
        library.remove(single)


def test_adding_something_that_is_not_a_brief_is_refused(store, tmp_path):
    library = Library(store)
    picture = tmp_path / "chart.png"
    picture.write_bytes(b"\x89PNG")
    with pytest.raises(LibraryError, match="not a brief"):
        library.add([picture])
    with pytest.raises(LibraryError, match="does not exist"):
        library.add([tmp_path / "missing"])
    assert library.sources() == []


def test_set_folders_replaces_the_folder_list_but_keeps_files(store, folder, tmp_path):
    library = Library(store)
    single = write(tmp_path / "x", "one.txt", "One\n\nText.\n")
    other = tmp_path / "other"
    other.mkdir()
    library.add([folder, single])
    library.set_folders([str(other)])
    assert library.folders() == [str(other)]
    assert [s.path for s in library.sources() if s.kind == "file"] == [str(single)]


# --------------------------------------------------------------------------- catalogue


def test_refresh_lists_every_brief_with_title_date_and_sections(lib, folder):
    entries = {Path(e.info.path).name: e for e in lib.entries()}
    assert set(entries) == {"grid.md", "ports.md"}
    grid = entries["grid.md"].info
    assert (grid.title, grid.date, grid.key, grid.sections) == (
        "Winter Grid Outlook", "2026-01-10", "grid-2026", 3
    )
    assert grid.indexed_hash == grid.content_hash
    assert entries["ports.md"].info.key == str((folder / "ports.md").resolve())


def test_new_changed_and_removed_briefs(lib, folder):
    write(folder, "new.txt", "Fresh Brief\n\nA note about tidal power.\n")
    grid = folder / "grid.md"
    grid.write_text(GRID.replace("three suppliers", "four suppliers"), encoding="utf-8")
    touch_later(grid)
    (folder / "ports.md").unlink()
    report = lib.refresh()
    assert report.added == (str(folder / "new.txt"),)
    assert report.changed == (str(grid),)
    assert report.removed == (str(folder / "ports.md"),)
    assert kinds(lib.store.search("tidal")) == [("text", "_lead")]
    assert lib.store.search('"four suppliers"') and not lib.store.search('"three suppliers"')
    assert lib.store.search("phishing") == []  # a removed brief leaves the index


def _counted_loads(monkeypatch) -> list:
    """The paths of the briefs read from now on (the library reads through parse)."""
    calls = []
    real = load_brief

    def counting(path, **kwargs):
        calls.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr("briefreader.parse.load_brief", counting)
    return calls


def test_unchanged_files_are_not_read_again(lib, monkeypatch):
    calls = _counted_loads(monkeypatch)
    report = lib.refresh()
    assert calls == [] and report.added == report.changed == ()


def test_briefs_read_by_another_version_are_read_and_indexed_again(lib, store, monkeypatch):
    # The same bytes read by a newer briefreader may give other sections: the catalogue
    # and the search index are made again, once, from what it reads.
    from briefreader import parse as parse_mod

    before = {i.path: i.content_hash for i in store.catalog()}
    monkeypatch.setattr(parse_mod, "_reading", lambda: b"another version")
    calls = _counted_loads(monkeypatch)
    report = lib.refresh()
    assert sorted(report.changed) == sorted(before) and len(calls) == 2
    after = {i.path: i for i in store.catalog()}
    assert all(after[p].content_hash != h for p, h in before.items())
    assert not any(i.needs_index for i in after.values())  # indexed again, as read now
    assert store.library_reading() == b"another version".hex()
    calls.clear()
    assert lib.refresh().changed == () and calls == []  # once


def test_an_unreadable_brief_is_listed_with_the_reason(lib, folder):
    (folder / "broken.md").write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 50)
    report = lib.refresh()
    assert report.unreadable == (str(folder / "broken.md"),)
    broken = lib.entry(folder / "broken.md")
    assert broken is not None and broken.info.error and not broken.info.needs_index


def test_a_missing_folder_is_skipped_not_an_error(store, tmp_path, folder):
    library = Library(store)
    gone = tmp_path / "usb"
    gone.mkdir()
    library.add([gone, folder])
    gone.rmdir()
    library.refresh()
    assert len(library.entries()) == 2
    assert str(gone) in library.folders()  # it may come back


def test_describe_reports_a_vanished_file(tmp_path):
    info, brief = describe(tmp_path / "gone.md")
    assert brief is None and info.error


# --------------------------------------------------------------------------- reading state


def test_reading_position_progress_and_note_counts(lib, folder, store):
    brief = load_brief(folder / "grid.md")
    key = brief_key(brief)
    store.save_reading_position(key, "demand", 120)
    store.mark_section_read(key, "winter-grid-outlook")
    store.mark_section_read(key, "demand")
    store.mark_section_read(key, "demand")  # twice is once
    notes = NotesService(store, author="ana")
    notes.annotate(brief, "demand", "Peak demand")
    notes.comment(brief, "storage", "Which suppliers?")
    gone = notes.comment(brief, "storage", "Deleted one")
    notes.delete_comment(gone.id)
    state = store.reading_state(key)
    assert (state.section_id, state.scroll) == ("demand", 120)
    assert state.read_sections == {"winter-grid-outlook", "demand"}
    assert state.last_read
    entry = lib.entry(folder / "grid.md")
    assert entry.notes == 2
    assert entry.read == 2 and entry.progress == pytest.approx(2 / 3)
    untouched = lib.entry(folder / "ports.md")
    assert (untouched.notes, untouched.progress, untouched.state) == (0, 0.0, None)


def test_sections_that_no_longer_exist_do_not_count_as_read(lib, folder, store):
    grid = folder / "grid.md"
    key = "grid-2026"
    store.mark_section_read(key, "storage")
    grid.write_text(GRID.replace("## Storage", "## Batteries"), encoding="utf-8")
    touch_later(grid)
    lib.refresh()
    assert lib.entry(grid).read == 0


# --------------------------------------------------------------------------- indexing


def test_refresh_reports_indexing_progress(store, folder):
    library = Library(store)
    library.add([folder])
    steps: list[tuple[int, int]] = []
    library.refresh(progress=lambda d, t: steps.append((d, t)))
    assert steps == [(1, 2), (2, 2)]


def test_index_reports_progress_and_can_be_cancelled(store, folder):
    brief = load_brief(folder / "grid.md")
    seen: list[tuple[int, int]] = []
    assert index_brief(store, brief, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert section_texts(brief, cancelled=lambda: True) is None
    other = load_brief(folder / "ports.md")
    assert not index_brief(store, other, cancelled=lambda: True)
    assert store.search("phishing") == []


def test_indexing_works_on_a_worker_thread_with_its_own_store(store, folder):
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with Store(store.database, backup_interval=None) as own:
                index_brief(own, load_brief(folder / "ports.md"))
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join(30)
    assert not errors
    assert kinds(store.search("phishing")) == [("text", "incident"), ("text", "follow-up")]


def test_index_briefs_indexes_a_folder_and_reports_a_broken_brief(store, folder):
    broken = write(folder, "zz-empty.md", "")
    library = Library(store)
    library.add([folder])
    report = library.refresh(index=False)
    assert report.to_index == (str(folder / "grid.md"), str(folder / "ports.md"))
    steps: list[tuple[str, int, int]] = []
    indexed: list[str] = []
    failed: list[tuple[str, str]] = []
    paths = [report.to_index[0], str(broken), report.to_index[1]]  # a failure in between
    result = library_mod.index_briefs(
        store, paths, progress=lambda *step: steps.append(step),
        indexed=indexed.append, failed=lambda p, why: failed.append((p, why)),
    )
    assert indexed == list(report.to_index) == list(result.indexed)
    assert [p for p, _ in failed] == [str(broken)] and "empty" in failed[0][1]
    assert result.failed == tuple(failed) and not result.cancelled
    grid, ports = report.to_index
    assert steps == [(p, n, 3) for p in (grid, ports) for n in (1, 2, 3)]
    assert kinds(store.search("phishing")) == [("text", "incident"), ("text", "follow-up")]
    assert not any(e.info.needs_index for e in library.entries())


def test_index_briefs_stops_when_cancelled_and_still_reads_a_lazy_queue(store, folder):
    queue = [str(folder / "grid.md"), str(folder / "ports.md")]
    taken: list[str] = []

    def lazy():  # a worker's queue: every item is taken, even once cancelled
        while queue:
            taken.append(queue.pop(0))
            yield taken[-1]

    result = library_mod.index_briefs(store, lazy(), cancelled=lambda: len(taken) > 1)
    assert result.indexed == (str(folder / "grid.md"),) and result.cancelled
    assert taken == [str(folder / "grid.md"), str(folder / "ports.md")]
    assert store.search("phishing") == []


def test_index_briefs_in_runs_headless_with_its_own_store(store, folder, tmp_path):
    """The indexing core needs no Qt at all: run it in a fresh interpreter."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from briefreader.library import index_briefs_in\n"
        f"r = index_briefs_in({str(store.database)!r},\n"
        f"                    sorted(map(str, Path({str(folder)!r}).iterdir())))\n"
        "print(len(r.indexed), len(r.failed))\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[:2] == ["2 0", "[]"]
    assert kinds(store.search("interconnector")) == [("text", "winter-grid-outlook")]

    failed: list[tuple[str, str]] = []
    not_a_database = tmp_path / "briefs"  # a folder
    result = library_mod.index_briefs_in(not_a_database, [str(folder / "grid.md")],
                                         failed=lambda p, why: failed.append((p, why)))
    assert result.indexed == () and failed == list(result.failed)
    assert failed[0][0] == str(folder / "grid.md")
    assert "cannot open the notes database" in failed[0][1]


def test_a_late_index_of_an_older_version_does_not_hide_the_new_one(lib, folder):
    grid = folder / "grid.md"
    old = load_brief(grid)
    grid.write_text(GRID.replace("three suppliers", "five suppliers"), encoding="utf-8")
    touch_later(grid)
    assert lib.refresh(index=False).to_index == (str(grid),)
    index_brief(lib.store, old)  # a worker that read the file before it changed
    assert lib.entry(grid).info.needs_index
    lib.refresh()
    assert kinds(lib.store.search('"five suppliers"')) == [("text", "storage")]


def test_a_failed_index_write_keeps_the_old_text(lib, folder, monkeypatch):
    brief = load_brief(folder / "grid.md")
    texts = section_texts(brief)
    broken = [*texts[:1], None]  # the second row fails half-way through the transaction
    with pytest.raises(AttributeError):
        lib.store.index_brief_text(path=str(folder / "grid.md"), key="grid-2026",
                                   title="x", date=None, content_hash="new", sections=broken)
    assert kinds(lib.store.search("interconnector")) == [("text", "winter-grid-outlook")]
    assert lib.entry(folder / "grid.md").info.indexed_hash != "new"


# --------------------------------------------------------------------------- search


@pytest.fixture
def noted(lib, folder, store):
    brief = load_brief(folder / "grid.md")
    notes = NotesService(store, author="Ana")
    red = notes.annotate(brief, "demand", "Peak demand", note="Ask the naïve questions too",
                         color="red", tags=["Energy", "follow-up"])
    notes.annotate(brief, "storage", "Battery storage", note="Good news", color="green")
    comment = notes.comment(brief, "demand", "Demand figures look high")
    NotesService(store, author="Ben").comment(brief, "storage", "Storage is fine")
    return {"red": red, "comment": comment, "brief": brief, "notes": notes}


def test_search_finds_text_notes_and_comments_best_first(noted, store):
    results = store.search("demand")
    assert {(r.kind, r.section) for r in results} >= {
        ("text", "demand"), ("note", "demand"), ("comment", "demand")
    }
    ranks = [r.rank for r in results]
    assert ranks == sorted(ranks)
    text = next(r for r in results if r.kind == "text")
    assert (text.brief, text.brief_id, text.section_title) == (
        "Winter Grid Outlook", "grid-2026", "Demand"
    )
    assert text.path.endswith("grid.md") and text.id is None
    note = next(r for r in results if r.kind == "note")
    assert (note.id, note.start, note.end) == (noted["red"].id, 0, 11)


def test_text_results_know_where_the_match_is(noted, store):
    brief = noted["brief"]
    (result,) = store.search("regulateur")  # accents folded both ways
    text = section_texts(brief)[brief.index_of("demand")].text
    assert text[result.start : result.end] == "régulateur"
    assert [result.snippet.text[a:b] for a, b in result.snippet.marks] == ["régulateur"]


def test_words_typed_as_written_are_found_in_any_script(noted, store):
    # The index folds case and accents itself; a query folded differently
    # ("Straße" to "strasse", "Αθήνα" to "αθηνα") found nothing.
    noted["notes"].comment(noted["brief"], "storage", "Depot in der Hafenstraße; Αθήνα office")
    for typed in ("Hafenstraße", "HAFENSTRAßE", "hafenstr*", "Αθήνα", "ΑΘΉΝΑ"):
        assert kinds(store.search(typed)) == [("comment", "storage")], typed
    author = NotesService(store, author="Jürgen Groß")
    author.comment(noted["brief"], "demand", "Reserve margins")
    by_him = store.search("margins", SearchFilters(author="jürgen GROß"))
    assert kinds(by_him) == [("comment", "demand")]


def test_prefix_phrase_and_or(noted, store):
    assert ("text", "storage") in kinds(store.search("batt*"))
    assert kinds(store.search('"storage contracts"')) == [("text", "storage")]
    assert kinds(store.search('"contracts storage"')) == []
    both = {r.section for r in store.search("interconnector OR suppliers")}
    assert both == {"winter-grid-outlook", "storage"}


def test_filters(noted, store):
    red_only = store.search("demand", SearchFilters(color="red"))
    assert kinds(red_only) == [("note", "demand")]
    assert kinds(store.search("demand", SearchFilters(tag="energy"))) == [("note", "demand")]
    assert store.search("demand", SearchFilters(tag="energ")) == []
    by_ben = store.search("storage", SearchFilters(author="ben"))
    assert kinds(by_ben) == [("comment", "storage")]
    only_text = store.search("storage", SearchFilters(scope="text"))
    assert {r.kind for r in only_text} == {"text"}
    only_notes = store.search("storage", SearchFilters(scope="notes"))
    assert {r.kind for r in only_notes} == {"note", "comment"}
    assert len(store.search("storage", SearchFilters(limit=1))) == 1


def test_note_changes_reach_the_index_at_once(noted, store):
    notes, red = noted["notes"], noted["red"]
    assert kinds(store.search("naive")) == [("note", "demand")]
    notes.edit_highlight(red.id, note="Ask the bakers", tags=["bread"])
    assert store.search("naive") == []
    assert kinds(store.search("bakers")) == [("note", "demand")]
    assert kinds(store.search("x", SearchFilters(tag="bread"))) == []  # must also match x
    assert kinds(store.search("bakers", SearchFilters(tag="bread"))) == [("note", "demand")]
    notes.edit_comment(noted["comment"].id, "Figures are plausible")
    assert kinds(store.search("plausible")) == [("comment", "demand")]
    notes.delete_highlight(red.id)
    assert store.search("bakers") == []  # the trash is not searched
    notes.restore_highlight(red.id)
    assert kinds(store.search("bakers")) == [("note", "demand")]
    notes.delete_highlight(red.id)
    store.purge_highlight(red.id)
    count = store._connection.execute("SELECT count(*) FROM highlight_fts").fetchone()[0]
    assert count == 1


def test_only_the_newest_matches_of_a_very_common_word_are_ranked(noted, store, monkeypatch):
    monkeypatch.setattr(store_module, "_RANK_WINDOW", 2)
    notes, brief = noted["notes"], noted["brief"]
    made = [notes.comment(brief, "storage", f"Pier {n} needs work") for n in range(4)]
    found = store.search("pier", SearchFilters(scope="notes"))
    assert {r.id for r in found} == {made[2].id, made[3].id}
    monkeypatch.setattr(store_module, "_RANK_WINDOW", 100)
    assert len(store.search("pier", SearchFilters(scope="notes"))) == 4


def test_a_query_fts5_refuses_is_searched_as_plain_words(noted, store):
    broken = SearchQuery("peak demand", 'NEAR("peak" AND', parse_query("peak demand").terms)
    assert ("note", "demand") in kinds(store.search(broken))
    assert store.search("NEAR(peak") == store.search("near peak")


def test_the_index_survives_a_backup_and_restore(noted, store, tmp_path):
    backup = store.backup()
    database = store.database
    store.close()
    Store.restore(database, backup, backup_dir=backup.parent)
    with Store(database, backup_interval=None) as restored:
        assert kinds(restored.search("naive")) == [("note", "demand")]
        assert ("text", "storage") in kinds(restored.search("battery"))
        assert restored.check() == []


def test_rebuild_search_index(noted, store):
    store._connection.execute("DELETE FROM highlight_fts")
    assert store.search("naive") == []
    store.rebuild_search_index()
    assert kinds(store.search("naive")) == [("note", "demand")]


# --------------------------------------------------------------------------- migration


def _load_fixture(tmp_path: Path, name: str) -> Path:
    database = tmp_path / "old" / "notes.sqlite3"
    database.parent.mkdir()
    conn = sqlite3.connect(database)
    conn.executescript((DATA / name).read_text(encoding="utf-8"))
    conn.close()
    return database


def test_a_version_2_database_is_upgraded_and_its_notes_are_searchable(tmp_path):
    database = _load_fixture(tmp_path, "schema_v2.sql")
    with Store(database, backup_interval=None) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert [(r.kind, r.section) for r in s.search("cafe")] == [("note", "demand")]
        assert [r.kind for r in s.search("storage contracts")] == ["comment"]
        assert [r.kind for r in s.search("demand", SearchFilters(tag="follow-up"))] == ["note"]
        assert s.library_sources() == [] and s.library_defaults_pending()
        assert s.check() == []
    assert list((database.parent / "backups").iterdir())  # backed up before upgrading


def test_a_version_1_database_upgrades_all_the_way(tmp_path):
    database = _load_fixture(tmp_path, "../store/schema_v1.sql")
    with Store(database, backup_interval=None) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert {r.kind for r in s.search("districts")} == {"comment"}


def test_library_module_imports_no_parser_until_used():
    # The store imports the library's records: importing them must stay cheap.
    code = (
        "import sys, briefreader.store, briefreader.library;"
        "print(any(m in sys.modules for m in ('briefreader.render', 'markdown')))"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_library_module_is_pure():
    assert "PySide6" not in Path(library_mod.__file__).read_text(encoding="utf-8")


def test_refresh_library_in_opens_and_closes_its_own_store(store, folder):
    Library(store).add([folder])
    report = library_mod.refresh_library_in(store.database)
    assert report.to_index == (str(folder / "grid.md"), str(folder / "ports.md"))
    # Found and catalogued through its own connection: this one sees them too.
    assert sorted(Path(e.info.path).name for e in Library(store).entries()) == [
        "grid.md", "ports.md"]


def test_index_briefs_goes_on_after_any_load_error(store, folder, monkeypatch):
    import briefreader.parse as parse_mod

    real = parse_mod.load_brief

    def flaky(path, *args, **kwargs):
        if str(path).endswith("grid.md"):
            raise MemoryError("out of memory")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parse_mod, "load_brief", flaky)
    paths = [str(folder / "grid.md"), str(folder / "ports.md")]
    report = library_mod.index_briefs(store, paths)
    assert report.indexed == (str(folder / "ports.md"),)
    assert [p for p, _ in report.failed] == [str(folder / "grid.md")]


def test_a_brief_that_breaks_the_parser_is_catalogued_as_unreadable(store, folder, monkeypatch):
    import briefreader.parse as parse_mod

    real = parse_mod.load_brief

    def deep(path, *args, **kwargs):
        if str(path).endswith("grid.md"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parse_mod, "load_brief", deep)
    Library(store).add([folder])
    report = library_mod.refresh_library_in(store.database)  # goes on past it
    assert report.to_index == (str(folder / "ports.md"),)
    infos = {Path(e.info.path).name: e.info for e in Library(store).entries()}
    assert infos["grid.md"].error == "grid.md: maximum recursion depth exceeded"
    assert infos["ports.md"].error is None
