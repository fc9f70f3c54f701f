"""Opening a reissued brief whose notes are placed on a worker: nothing the user sees or
does meanwhile is lost, misapplied or left unsaid."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTabBar

from briefreader.notes import NotesService
from briefreader.paths import Paths
from briefreader.ui import loader as loader_module
from briefreader.ui import main_window as main_window_module
from windows import BRIEF, ferry_brief, open_window


@pytest.fixture
def brief_path(tmp_path: Path) -> Path:
    return ferry_brief(tmp_path)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "data").ensure()


@pytest.fixture
def stores():
    opened = []
    yield opened
    for s in opened:
        s.close()


def _worker_held(monkeypatch):
    """NotesService.prepare waits for the event returned before it does anything."""
    go = threading.Event()
    real = NotesService.prepare

    def held(self, brief):
        go.wait(10)
        return real(self, brief)

    monkeypatch.setattr(NotesService, "prepare", held)
    monkeypatch.setattr(main_window_module, "PLACE_ON_A_WORKER", 1)
    return go


def _wait_for_workers(qtbot) -> None:
    for t in threading.enumerate():
        if t.name in ("notes-prepare", "brief-loader"):
            t.join(10)
    qtbot.wait(50)  # the queued signals are delivered


@pytest.fixture
def no_cursor_left():
    yield
    while QApplication.overrideCursor() is not None:
        QApplication.restoreOverrideCursor()


def _slow_big_brief(monkeypatch, tmp_path: Path) -> tuple[Path, threading.Event]:
    """big.md, read on a worker that waits for the event returned."""
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "Long text of a big brief. " * 200, encoding="utf-8")
    monkeypatch.setattr(loader_module, "SYNC_LIMIT", 2048)  # big.md is read on a thread
    loaded = threading.Event()
    real = loader_module.load_brief

    def slow(path, **kw):
        if Path(path).name == big.name:
            loaded.wait(10)
        return real(path, **kw)

    monkeypatch.setattr(loader_module, "load_brief", slow)
    return big, loaded


def _changed_brief_with_a_note(qtbot, paths, brief_path, stores) -> None:
    """The ferry brief with a note, then reissued without the note's text."""
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    w.note_taking.annotations.notes.annotate(w.brief, "background",
                                             "Island councils asked for a review")
    w.close()
    brief_path.write_text(BRIEF.replace("Island councils asked for a review in March.", ""),
                          encoding="utf-8")


def test_a_changed_brief_left_while_its_notes_are_placed_still_says_what_changed(
        qtbot, brief_path, paths, stores, monkeypatch, tmp_path):
    _changed_brief_with_a_note(qtbot, paths, brief_path, stores)
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nSomething else.\n", encoding="utf-8")
    go = _worker_held(monkeypatch)

    w2, store2 = open_window(qtbot, paths, brief_path)
    stores.append(store2)
    # The user goes to another brief while the notes of this one are being placed.
    w2.open_path(other)
    qtbot.waitUntil(lambda: w2.brief.path == other)
    go.set()
    _wait_for_workers(qtbot)
    # ... and back: the notes were placed meanwhile, and the window says so, once.
    w2.open_path(brief_path)
    qtbot.waitUntil(lambda: w2.brief.path == brief_path
                    and w2.note_taking.annotations.brief is w2.brief)
    assert w2.banner.isVisible()
    assert w2.banner.text() == ("This brief changed since you last read it: "
                                "1 note orphaned.")


def test_a_changed_brief_loaded_again_while_its_notes_are_placed_still_says_what_changed(
        qtbot, brief_path, paths, stores, monkeypatch):
    _changed_brief_with_a_note(qtbot, paths, brief_path, stores)
    monkeypatch.setattr(main_window_module, "PLACE_ON_A_WORKER", 1)
    gates = [threading.Event(), threading.Event()]
    calls = []
    real = NotesService.prepare

    def held(self, brief):
        gate = gates[len(calls)]
        calls.append(threading.current_thread())
        gate.wait(10)
        return real(self, brief)

    monkeypatch.setattr(NotesService, "prepare", held)
    w2, store2 = open_window(qtbot, paths, brief_path)
    stores.append(store2)
    first = w2.brief
    w2.reload()  # F5 (or the file touched) while the first worker is still at work
    qtbot.waitUntil(lambda: w2.brief is not first and len(calls) == 2)
    gates[0].set()  # the first worker places the notes and stores them ...
    calls[0].join(10)
    qtbot.wait(50)
    gates[1].set()  # ... so the second finds them placed already
    _wait_for_workers(qtbot)
    qtbot.waitUntil(lambda: w2.note_taking.annotations.brief is w2.brief)
    assert w2.banner.text() == ("This brief changed since you last read it: "
                                "1 note orphaned.")


def _select(window, text: str) -> None:
    from PySide6.QtGui import QTextCursor

    start = window.reader.document().toPlainText().index(text)
    cursor = window.reader.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(text), QTextCursor.MoveMode.KeepAnchor)
    window.reader.setTextCursor(cursor)


def _reviewing_while_notes_are_placed(qtbot, brief_path, paths, stores, monkeypatch):
    """A window showing Review of a changed brief's orphaned note, reloaded on a newer
    version whose notes a worker (held) is placing: (window, the orphan's id,
    the event that lets the worker go on)."""
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    hid = w.note_taking.annotations.notes.annotate(
        w.brief, "background", "Island councils asked for a review").id
    for n in range(3):  # and a few more notes
        w.note_taking.annotations.notes.annotate(w.brief, "options", "Option one", note=f"{n}")
    w.close()
    v2 = BRIEF.replace("Island councils asked for a review in March.", "")
    brief_path.write_text(v2, encoding="utf-8")
    w2, store2 = open_window(qtbot, paths, brief_path)
    stores.append(store2)
    w2.actions_.show_review.trigger()
    review = w2.note_taking.review
    qtbot.waitUntil(lambda: review.row(hid) is not None)
    brief_path.write_text(v2.replace("Option three", "A third option"), encoding="utf-8")
    go = _worker_held(monkeypatch)
    w2.reload()
    qtbot.waitUntil(lambda: w2.brief.content_hash != store2.brief_hash("ferry-2026")
                    and w2.note_taking.annotations.brief is None)
    return w2, hid, go


def test_attach_here_on_review_while_notes_are_placed_does_not_crash(
        qtbot, brief_path, paths, stores, monkeypatch):
    w, hid, go = _reviewing_while_notes_are_placed(qtbot, brief_path, paths, stores,
                                                   monkeypatch)
    row = w.note_taking.review.row(hid)
    _select(w, "Fares rose")
    try:
        if row is not None and row.attach_button.isEnabled():
            qtbot.mouseClick(row.attach_button, Qt.MouseButton.LeftButton)
    finally:
        go.set()
        _wait_for_workers(qtbot)


def test_keep_as_orphan_on_review_while_notes_are_placed_is_not_lost_or_misapplied(
        qtbot, brief_path, paths, stores, monkeypatch):
    w, hid, go = _reviewing_while_notes_are_placed(qtbot, brief_path, paths, stores,
                                                   monkeypatch)
    row = w.note_taking.review.row(hid)
    clicked = row is not None and row.orphan_button.isEnabled()
    if clicked:
        qtbot.mouseClick(row.orphan_button, Qt.MouseButton.LeftButton)
    go.set()
    _wait_for_workers(qtbot)
    qtbot.waitUntil(lambda: w.note_taking.annotations.brief is w.brief)
    # Either the button could not be used while the notes were being placed, or what
    # it did holds once they are.
    assert not clicked or w.note_taking.annotations.highlights[hid].reviewed


def test_the_progress_stays_while_the_brief_shown_still_has_its_notes_placed(
        qtbot, brief_path, paths, stores, monkeypatch, tmp_path):
    other = tmp_path / "other.md"
    other.write_text(BRIEF.replace("id: ferry-2026", "id: ferry-copy"), encoding="utf-8")
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    for b in (brief_path, other):
        w.open_path(b)
        qtbot.waitUntil(lambda b=b: w.brief.path == b
                        and w.note_taking.annotations.brief is w.brief)
        w.note_taking.annotations.notes.annotate(w.brief, "background",
                                                 "Island councils asked for a review")
    w.close()
    for b in (brief_path, other):  # both reissued
        b.write_text(b.read_text(encoding="utf-8").replace("in March", "in April"),
                     encoding="utf-8")
    monkeypatch.setattr(main_window_module, "PLACE_ON_A_WORKER", 1)
    gates = {}
    real = NotesService.prepare

    def held(self, brief):
        gates.setdefault(brief.doc_id, threading.Event()).wait(10)
        return real(self, brief)

    monkeypatch.setattr(NotesService, "prepare", held)
    for key in ("ferry-2026", "ferry-copy"):
        gates[key] = threading.Event()
    w2, store2 = open_window(qtbot, paths, brief_path)
    stores.append(store2)
    w2.open_path(other)  # the first brief's notes still being placed
    qtbot.waitUntil(lambda: w2.brief.path == other and w2.progress.isVisible())
    gates["ferry-2026"].set()  # the first brief's worker ends ...
    for t in threading.enumerate():
        if t.name == "notes-prepare":
            t.join(0.5)
    qtbot.wait(50)
    try:
        # ... while the notes of the brief shown are still being placed
        assert w2.note_taking.annotations.brief is None
        assert w2.progress.isVisible()
        assert w2.statusBar().currentMessage() == "Preparing notes for this brief…"
    finally:
        gates["ferry-copy"].set()
        _wait_for_workers(qtbot)
    qtbot.waitUntil(lambda: not w2.progress.isVisible())


def test_a_brief_that_cannot_be_opened_leaves_the_progress_of_notes_still_placed(
        qtbot, brief_path, paths, stores, monkeypatch, tmp_path):
    _changed_brief_with_a_note(qtbot, paths, brief_path, stores)
    go = _worker_held(monkeypatch)
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    try:
        qtbot.waitUntil(lambda: w.progress.isVisible())
        w.open_path(tmp_path / "gone.md")  # File → Open Recent on a file since removed
        qtbot.wait(20)
        # The brief shown still has its notes being placed: that is still said.
        assert w.note_taking.annotations.brief is None
        assert w.progress.isVisible()
        assert w.statusBar().currentMessage() == "Preparing notes for this brief…"
    finally:
        go.set()
        _wait_for_workers(qtbot)
    qtbot.waitUntil(lambda: w.note_taking.annotations.brief is w.brief)
    assert not w.progress.isVisible()


def test_notes_placed_while_a_big_brief_loads_leave_no_busy_cursor(
        qtbot, brief_path, paths, stores, monkeypatch, tmp_path, no_cursor_left):
    _changed_brief_with_a_note(qtbot, paths, brief_path, stores)
    big, loaded = _slow_big_brief(monkeypatch, tmp_path)
    go = _worker_held(monkeypatch)
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    assert QApplication.overrideCursor() is None
    try:
        qtbot.waitUntil(lambda: w.progress.isVisible())
        w.open_path(big)  # the user opens a big brief while the notes are placed
        assert QApplication.overrideCursor() is not None  # busy while it loads
        go.set()  # the notes of the brief shown are placed first ...
        for t in threading.enumerate():
            if t.name == "notes-prepare":
                t.join(10)
        qtbot.wait(50)
        loaded.set()  # ... then the big brief is read
        qtbot.waitUntil(lambda: w.brief.path == big)
        _wait_for_workers(qtbot)
        qtbot.waitUntil(lambda: w.note_taking.annotations.brief is w.brief)
        assert not w.progress.isVisible()
        assert QApplication.overrideCursor() is None  # not left busy for good
    finally:
        go.set()
        loaded.set()


def test_two_big_briefs_opened_in_a_row_leave_no_busy_cursor(
        qtbot, paths, stores, monkeypatch, tmp_path, no_cursor_left):
    monkeypatch.setattr(loader_module, "SYNC_LIMIT", 10)  # every brief loads on a thread
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    for p in (first, second):
        p.write_text(f"# {p.stem}\n\nSome text.\n", encoding="utf-8")
    w, store = open_window(qtbot, paths)
    stores.append(store)
    w.open_path(first)
    w.open_path(second)  # e.g. Ctrl+Shift+PgDown twice in a folder of big briefs
    qtbot.waitUntil(lambda: w.brief is not None and w.brief.path == second)
    _wait_for_workers(qtbot)
    assert not w.progress.isVisible()
    assert QApplication.overrideCursor() is None


def test_a_report_of_the_version_shown_is_said_now_not_on_a_later_open(
        qtbot, brief_path, paths, stores, monkeypatch, tmp_path):
    """The worker has placed and stored the notes, and its report is on its way to the
    window, when the brief is loaded again (F5, or the library's watcher): that load
    finds them placed, and the report arrives for the Brief object left."""
    from briefreader.notes import NotesService
    from briefreader.ui import main_window as main_window_module

    _changed_brief_with_a_note(qtbot, paths, brief_path, stores)
    monkeypatch.setattr(main_window_module, "PLACE_ON_A_WORKER", 1)
    placed, go = threading.Event(), threading.Event()
    real = NotesService.prepare

    def held(self, brief):
        report = real(self, brief)
        placed.set()
        go.wait(10)  # its signal not yet delivered
        return report

    monkeypatch.setattr(NotesService, "prepare", held)
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    try:
        assert placed.wait(10)
        first = w.brief
        w.reload()
        qtbot.waitUntil(lambda: w.brief is not first
                        and w.note_taking.annotations.brief is w.brief)
    finally:
        go.set()
        _wait_for_workers(qtbot)
    # The version shown is the one whose notes were placed: it says what changed now,
    assert w.banner.isVisible() and w.banner.text() == (
        "This brief changed since you last read it: 1 note orphaned."), w.banner.text()
    # and not again the next time it is opened.
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nSomething else.\n", encoding="utf-8")
    w.open_path(other)
    qtbot.waitUntil(lambda: w.brief.path == other)
    w.open_path(brief_path)
    qtbot.waitUntil(lambda: w.brief.path == brief_path
                    and w.note_taking.annotations.brief is w.brief)
    assert not w.banner.isVisible(), w.banner.text()


def _in_a_list_as_the_brief_changes(qtbot, paths, brief_path, stores, view_name):
    """A window whose Trash or Bookmarks (``view_name``) has the keyboard, one item in
    it, as the brief's file changes (the library's watcher reloads it): (window, view)."""
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    an = w.note_taking.annotations
    gone = an.notes.annotate(w.brief, "background", "Island councils asked for a review")
    an.notes.annotate(w.brief, "options", "Option one")
    an.notes.delete_highlight(gone.id)
    an.notes.add_bookmark(w.brief, "options", 0, "Options")
    an.reload()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    getattr(w.actions_, f"show_{view_name}").trigger()
    view = getattr(w.note_taking, view_name)
    qtbot.waitUntil(lambda: view.count() == 1 and view.tree.hasFocus())
    brief_path.write_text(BRIEF.replace("in March", "in April"), encoding="utf-8")
    return w, view


@pytest.mark.parametrize("view_name", ["trash", "bookmarks"])
def test_the_list_in_use_keeps_the_focus_while_the_notes_are_placed_again(
        qtbot, brief_path, paths, stores, monkeypatch, view_name):
    w, view = _in_a_list_as_the_brief_changes(qtbot, paths, brief_path, stores, view_name)
    an = w.note_taking.annotations
    go = _worker_held(monkeypatch)
    w.reload()
    go.set()
    _wait_for_workers(qtbot)
    qtbot.waitUntil(lambda: an.brief is w.brief and view.count() == 1)
    qtbot.wait(50)
    # The list the user was in has the keyboard again (as before the lists were emptied
    # meanwhile), not a dock's tab bar.
    assert view.tree.hasFocus(), QApplication.focusWidget()


def test_while_a_changed_briefs_notes_are_placed_the_panel_says_so(
        qtbot, brief_path, paths, stores, monkeypatch):
    _changed_brief_with_a_note(qtbot, paths, brief_path, stores)
    go = _worker_held(monkeypatch)
    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    panel = w.note_taking.panel
    try:
        qtbot.waitUntil(lambda: panel.hint_text() == "Preparing the notes of this brief…")
        assert not panel.composer.isEnabled()  # nowhere to keep a comment yet
    finally:
        go.set()
    qtbot.waitUntil(lambda: w.note_taking.annotations.brief is w.brief)
    w.show_section("options")
    qtbot.waitUntil(panel.composer.isEnabled)
    assert panel.hint_text() != "Preparing the notes of this brief…"


def test_a_big_load_superseded_by_a_small_brief_leaves_no_busy_cursor(
        qtbot, brief_path, paths, stores, monkeypatch, tmp_path, no_cursor_left):
    big, loaded = _slow_big_brief(monkeypatch, tmp_path)
    w, store = open_window(qtbot, paths)
    stores.append(store)
    try:
        w.open_path(big)  # e.g. Ctrl+Shift+PgDown in a folder: a big brief is read ...
        assert QApplication.overrideCursor() is not None
        w.open_path(brief_path)  # ... and the user goes on to a small one at once
        assert w.brief is not None and w.brief.path == brief_path
        # The brief asked for last is shown: nothing the user waits for is under way
        # (big.md will be dropped when read), so the window is not busy any more.
        assert QApplication.overrideCursor() is None
        assert not w.progress.isVisible()
        assert w.statusBar().currentMessage() == ""
    finally:
        loaded.set()
        _wait_for_workers(qtbot)
    assert w.brief.path == brief_path
    assert QApplication.overrideCursor() is None


def test_notes_placed_while_a_superseded_load_runs_do_not_stay_announced(
        qtbot, brief_path, paths, stores, monkeypatch, tmp_path, no_cursor_left):
    _changed_brief_with_a_note(qtbot, paths, brief_path, stores)
    big, loaded = _slow_big_brief(monkeypatch, tmp_path)
    monkeypatch.setattr(main_window_module, "PLACE_ON_A_WORKER", 1)
    w, store = open_window(qtbot, paths)
    stores.append(store)
    try:
        w.open_path(big)
        w.open_path(brief_path)  # its notes are placed again on a worker
        qtbot.waitUntil(lambda: w.note_taking.annotations.brief is w.brief)
        qtbot.wait(20)
        # The notes are placed and shown: "Preparing notes" is no longer true.
        assert w.statusBar().currentMessage() != "Preparing notes for this brief…"
        assert not w.progress.isVisible()
    finally:
        loaded.set()
        _wait_for_workers(qtbot)


def test_the_focus_is_not_given_back_to_a_list_the_user_put_behind_another_tab(
        qtbot, brief_path, paths, stores, monkeypatch):
    w, trash = _in_a_list_as_the_brief_changes(qtbot, paths, brief_path, stores, "trash")
    an = w.note_taking.annotations
    go = _worker_held(monkeypatch)
    try:
        w.reload()  # the notes are placed again; the Trash is emptied meanwhile
        bar = QApplication.focusWidget()
        assert isinstance(bar, QTabBar)  # where Qt put the keyboard
        assert bar.tabText(bar.currentIndex()) == "Trash"
        # The user goes on to the Notes tab with the keyboard: the Trash is behind it.
        qtbot.keyClick(bar, Qt.Key.Key_Left)
        assert bar.tabText(bar.currentIndex()) == "Notes"
    finally:
        go.set()
        _wait_for_workers(qtbot)
    qtbot.waitUntil(lambda: an.brief is w.brief)
    qtbot.wait(50)
    focus = QApplication.focusWidget()
    # Not pulled into the Trash, out of sight behind the Notes tab.
    assert focus is not trash and not trash.isAncestorOf(focus), focus
    assert focus is bar


def test_a_brief_an_update_reads_into_other_sections_says_so(
        qtbot, brief_path, paths, stores, monkeypatch):
    # The same file, read by an updated briefreader into other sections: the notes are
    # placed again, and the message says why (the user changed nothing).
    from dataclasses import replace

    from briefreader import parse as parse_mod

    w, store = open_window(qtbot, paths, brief_path)
    stores.append(store)
    w.note_taking.annotations.notes.annotate(w.brief, "options", "Option one keeps")
    w.close()
    real = parse_mod.parse_markdown

    def renamed(*args, **kwargs):  # "# Options" read as "Choices"
        brief = real(*args, **kwargs)
        return replace(brief, sections=tuple(
            replace(s, id="choices", title="Choices") if s.id == "options" else s
            for s in brief.sections))

    monkeypatch.setattr(parse_mod, "parse_markdown", renamed)
    monkeypatch.setattr(parse_mod, "_reading", lambda: b"an updated reading")
    w2, store2 = open_window(qtbot, paths, brief_path)
    stores.append(store2)
    qtbot.waitUntil(lambda: w2.banner.isVisible())
    assert w2.banner.text() == ("Since you last read this brief, briefreader was updated and"
                                " finds other sections in it: 1 note moved.")
