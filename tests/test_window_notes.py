"""Note-taking on the real window: highlight, write, undo, trash, comment, review."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from briefreader import journal as journal_mod
from briefreader.journal import TypingJournal, read_journal
from briefreader.library import RefreshReport
from briefreader.notes import NotesService
from briefreader.paths import Paths
from briefreader.records import ReadError, SaveError, stamp
from briefreader.search import SearchFilters
from briefreader.settings import Settings
from briefreader.store import Store
from briefreader.ui import finding as finding_module
from briefreader.ui import note_taking as note_taking_module
from briefreader.ui.highlights import HIGHLIGHT_ID
from briefreader.ui.main_window import MainWindow
from windows import BRIEF, ferry_brief, open_window


@pytest.fixture
def brief_path(tmp_path: Path) -> Path:
    return ferry_brief(tmp_path)


class App:
    """A window with its own store, reopenable on the same data folder."""

    def __init__(self, qtbot, data: Path) -> None:
        self.qtbot, self.data = qtbot, data
        self.window: MainWindow | None = None
        self.store: Store | None = None

    def open(self, path: Path) -> MainWindow:
        window, self.store = open_window(self.qtbot, Paths(self.data).ensure(), path)
        self.qtbot.waitUntil(window.reader.hasFocus)  # the text has focus after opening
        self.window = window
        return window

    def close(self) -> None:
        self.window.close()
        self.store.close()


@pytest.fixture
def app(qtbot, tmp_path):
    a = App(qtbot, tmp_path / "data")
    yield a
    if a.store is not None:
        a.store.close()


def select_text(window: MainWindow, text: str) -> None:
    doc_text = window.reader.document().toPlainText()
    start = doc_text.index(text)
    cursor = window.reader.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(text), QTextCursor.MoveMode.KeepAnchor)
    window.reader.setTextCursor(cursor)


def background_at(window: MainWindow, text: str):
    start = window.reader.document().toPlainText().index(text)
    cursor = QTextCursor(window.reader.document())
    cursor.setPosition(start + 1)
    return cursor.charFormat()


def test_ctrl1_on_a_heading_says_it_cannot_be_highlighted(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("background")
    w.actions_.focus_reader.trigger()
    qtbot.waitUntil(w.reader.hasFocus)
    select_text(w, "Background")  # the heading, as Shift+End on its line selects it
    qtbot.keyClick(w.reader, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert w.note_taking.annotations.notes.highlights(w.brief) == []
    assert w.statusBar().currentMessage().startswith("A heading cannot be highlighted")
    w.reader.setTextCursor(QTextCursor(w.reader.document()))  # nothing selected
    qtbot.keyClick(w.reader, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert w.statusBar().currentMessage() == "Select some text first, then choose a colour."


def test_select_and_ctrl1_stores_and_paints_highlight(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("background")
    w.actions_.focus_reader.trigger()
    qtbot.waitUntil(w.reader.hasFocus)
    select_text(w, "1.1 million passengers")
    qtbot.keyClick(w.reader, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    stored = w.note_taking.annotations.notes.highlights(w.brief)
    assert [(h.exact, h.color, h.section_id) for h in stored] == [
        ("1.1 million passengers", "yellow", "background")]
    fmt = background_at(w, "1.1 million passengers")
    assert fmt.property(HIGHLIGHT_ID) == stored[0].id
    assert fmt.background().color().name() != "#000000"
    # Still painted after a trip to another section, a zoom and a theme change.
    w.show_section("options")
    w.show_section("background")
    w.reader.zoom_in()
    w.actions_.theme_dark.trigger()
    assert background_at(w, "1.1 million passengers").property(HIGHLIGHT_ID) == stored[0].id
    w.actions_.theme_light.trigger()


def test_other_colours_and_no_selection(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("options")
    select_text(w, "Option two ties it to sailings kept.")
    qtbot.keyClick(w.reader, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert [h.color for h in w.note_taking.annotations.highlights.values()] == ["red"]
    # Without a selection, the same keys recolour the selected highlight.
    cursor = w.reader.textCursor()
    cursor.clearSelection()
    w.reader.setTextCursor(cursor)
    w.actions_.highlight_colours["green"].trigger()
    assert [h.color for h in w.note_taking.annotations.highlights.values()] == ["green"]
    # With neither, nothing is made.
    w.note_taking.selected_highlight = None
    w.actions_.highlight_colours["blue"].trigger()
    assert [h.color for h in w.note_taking.annotations.highlights.values()] == ["green"]


def test_note_autosaves_and_survives_restart(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("recommendation")
    hid = _note_typed(qtbot, w, "Check the cost first.", quote="choose option two",
                      colour="blue", flush=False)
    store = app.store
    qtbot.waitUntil(lambda: store.get_highlight(hid).note == "Check the cost first.",
                    timeout=3000)
    app.close()

    w2 = app.open(brief_path)
    assert w2.reader.section.id == "recommendation"
    notes = {h.id: h.note for h in w2.note_taking.annotations.notes.highlights(w2.brief)}
    assert notes == {hid: "Check the cost first."}


def test_a_note_that_could_not_be_saved_is_saved_when_the_brief_opens_again(
        qtbot, app, brief_path, monkeypatch):
    w, hid = _note_text_unsaved(qtbot, app, brief_path, monkeypatch, "",
                                             "Written while the disk was full.")
    asked = []
    monkeypatch.setattr(note_taking_module, "confirm_close_unsaved",
                        lambda _w: asked.append(1) or True)
    app.close()  # the journal holds the text: nothing to ask
    assert asked == []
    monkeypatch.undo()  # space again

    w2 = app.open(brief_path)
    assert app.store.get_highlight(hid).note == "Written while the disk was full."
    assert "Saved 1 note typed before" in w2.statusBar().currentMessage()
    app.close()
    w3 = app.open(brief_path)  # settled: not saved a second time
    assert w3.statusBar().currentMessage() == ""


def test_a_note_not_saved_months_ago_is_saved_when_its_brief_opens_at_last(
        qtbot, app, brief_path, monkeypatch):
    long_ago = stamp(datetime.now(UTC) - timedelta(days=200))
    monkeypatch.setattr(journal_mod, "now_utc", lambda: long_ago)
    _w, hid = _note_text_unsaved(qtbot, app, brief_path, monkeypatch, "",
                                              "Call the council clerk.")
    app.close()
    monkeypatch.undo()
    TypingJournal(app.data / "journal").close()  # another window in between, any brief
    app.open(brief_path)
    assert app.store.get_highlight(hid).note == "Call the council clerk."


def test_text_typed_in_a_note_purged_since_is_forgotten_and_one_in_the_trash_kept(
        qtbot, app, brief_path, monkeypatch):
    w, hid = _note_text_unsaved(qtbot, app, brief_path, monkeypatch, "",
                                             "Typed, then the note went.")
    app.close()
    monkeypatch.undo()
    app.store = Store.open(Paths(app.data))
    app.store.delete_highlight(hid)  # in the Trash: the text waits for a restore
    app.store.close()
    w2 = app.open(brief_path)
    assert [e.item for e in w2.note_taking.typed.journal.pending("ferry-2026")] == [hid]
    app.close()
    app.store = Store.open(Paths(app.data))
    app.store.purge_highlight(hid)  # gone for good (the Trash emptied)
    app.store.close()
    w3 = app.open(brief_path)
    assert w3.note_taking.typed.journal.pending("ferry-2026") == []


def test_closing_asks_first_when_unsaved_text_cannot_be_kept_either(qtbot, app, brief_path,
                                                                    monkeypatch):
    w, hid = _note_text_unsaved(qtbot, app, brief_path, monkeypatch, "",
                                             "Nowhere to keep this.")
    monkeypatch.setattr(w.note_taking.typed.journal, "keep_all", lambda: False)  # full too
    answers = [False]
    monkeypatch.setattr(note_taking_module, "confirm_close_unsaved",
                        lambda _w: answers.pop(0))
    assert not w.close()  # Cancel: the window stays, with the text
    assert w.isVisible()
    assert w.note_taking.panel.draft_text(hid) == "Nowhere to keep this."
    answers.append(True)
    assert w.close()


def _note_typed(qtbot, w: MainWindow, text: str, *, quote: str = "Island councils",
                colour: str = "yellow", flush: bool = True) -> str:
    """A new highlight on ``quote`` with ``text`` typed in its note (sent at once with
    ``flush``, else left to the autosave); its id."""
    hid = _highlighted(w, quote, colour)
    qtbot.waitUntil(lambda: hid in w.note_taking.panel.highlight_ids())
    w.note_taking.panel.select_highlight(hid, focus_editor=True)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClicks(QApplication.focusWidget(), text)
    if flush:
        w.note_taking.flush()
    return hid


def _disk_full(*_args, **_kwargs):
    raise SaveError("could not save the note: the disk is full", reason="the disk is full")


def _busy(*_args, **_kwargs):
    raise ReadError("could not read the notes: the notes database is busy in another"
                    " briefreader", reason="the notes database is busy", code="SQLITE_BUSY")


def _highlighted(w: MainWindow, quote: str = "Island councils", colour: str = "yellow") -> str:
    """A new highlight on ``quote``; its id."""
    select_text(w, quote)
    w.actions_.highlight_colours[colour].trigger()
    return w.note_taking.selected_highlight or next(iter(w.note_taking.annotations.highlights))


def test_a_note_saved_in_another_window_meanwhile_is_kept_beside_this_ones(
        qtbot, app, brief_path):
    w1 = app.open(brief_path)
    hid = _highlighted(w1)
    qtbot.waitUntil(lambda: hid in w1.note_taking.panel.highlight_ids())
    other = App(qtbot, app.data)  # a second window on the same notes
    w2 = other.open(brief_path)
    qtbot.waitUntil(lambda: hid in w2.note_taking.panel.highlight_ids())
    w2.note_taking.panel.select_highlight(hid, focus_editor=True)
    qtbot.keyClicks(w2.note_taking.panel.card(hid).note.editor, "Written in window two.")
    w2.note_taking.flush()
    assert app.store.get_highlight(hid).note == "Written in window two."

    # Window one still has the note as empty: its save keeps both, the other's first.
    w1.note_taking.panel.select_highlight(hid, focus_editor=True)
    editor = w1.note_taking.panel.card(hid).note.editor
    qtbot.keyClicks(editor, "Window one.")
    w1.note_taking.flush()
    both = "Written in window two.\n\nWindow one."
    assert app.store.get_highlight(hid).note == both
    assert editor.toPlainText() == both  # typing goes on from both
    assert "another window" in w1.statusBar().currentMessage()
    qtbot.keyClicks(editor, " More.")
    w1.note_taking.flush()
    assert app.store.get_highlight(hid).note == both + " More."
    other.close()


def _two_windows_on_one_note(qtbot, app, brief_path):
    """Window one saves "One.", then window two, which read the note empty, types
    "Two.": its save keeps both. (Both windows, the other App, the note's id.)"""
    w1 = app.open(brief_path)
    hid = _highlighted(w1)
    qtbot.waitUntil(lambda: hid in w1.note_taking.panel.highlight_ids())
    other = App(qtbot, app.data)
    w2 = other.open(brief_path)  # reads the note empty
    qtbot.waitUntil(lambda: hid in w2.note_taking.panel.highlight_ids())
    w1.note_taking.panel.select_highlight(hid, focus_editor=True)
    qtbot.keyClicks(w1.note_taking.panel.card(hid).note.editor, "One.")
    w1.note_taking.flush()
    w2.note_taking.panel.select_highlight(hid, focus_editor=True)
    qtbot.keyClicks(w2.note_taking.panel.card(hid).note.editor, "Two.")
    w2.note_taking.flush()
    assert app.store.get_highlight(hid).note == "One.\n\nTwo."
    return w1, w2, other, hid


def test_undo_after_keeping_both_texts_goes_back_to_the_other_windows(qtbot, app,
                                                                        brief_path):
    _w1, w2, other, hid = _two_windows_on_one_note(qtbot, app, brief_path)
    w2.note_taking.annotations.undo_stack.undo()
    assert app.store.get_highlight(hid).note == "One."  # not emptied
    w2.note_taking.annotations.undo_stack.redo()
    assert app.store.get_highlight(hid).note == "One.\n\nTwo."
    other.close()


def test_undo_in_a_window_that_missed_a_change_elsewhere_is_refused(qtbot, app,
                                                                     brief_path):
    w1, _w2, other, hid = _two_windows_on_one_note(qtbot, app, brief_path)
    stack = w1.note_taking.annotations.undo_stack
    stack.undo()  # would empty the note, "Two." with it
    assert app.store.get_highlight(hid).note == "One.\n\nTwo."
    assert "another window" in w1.note_taking.banner.text()
    assert w1.note_taking.panel.error_text(hid) == ""  # no Retry: nothing was lost
    stack.redo()
    assert app.store.get_highlight(hid).note == "One.\n\nTwo."
    other.close()


def test_undo_of_steps_around_a_failed_save_never_saves_over_another_window(
        qtbot, app, brief_path, monkeypatch):
    w = app.open(brief_path)
    hid = _highlighted(w)
    qtbot.waitUntil(lambda: hid in w.note_taking.panel.highlight_ids())
    monkeypatch.setattr(app.store, "update_highlight", _disk_full)
    w.note_taking.panel.select_highlight(hid, focus_editor=True)
    editor = w.note_taking.panel.card(hid).note.editor
    qtbot.keyClicks(editor, "Mine")
    w.note_taking.flush()  # fails: the disk is full
    monkeypatch.undo()
    qtbot.keyClicks(editor, " more.")
    w.note_taking.flush()
    assert app.store.get_highlight(hid).note == "Mine more."
    other = Store.open(Paths(app.data))
    other.update_highlight(hid, note="Mine more.\n\nTheirs.")  # another window
    other.close()
    stack = w.note_taking.annotations.undo_stack
    while stack.canUndo():
        stack.undo()
    assert app.store.get_highlight(hid).note == "Mine more.\n\nTheirs."
    while stack.canRedo():
        stack.redo()
    assert app.store.get_highlight(hid).note == "Mine more.\n\nTheirs."


def test_a_recolour_while_typing_does_not_let_a_save_run_over_another_window(
        qtbot, app, brief_path):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "One.")
    other = Store.open(Paths(app.data))
    other.update_highlight(hid, note="One.\n\nTheirs.")  # another window
    other.close()
    editor = w.note_taking.panel.card(hid).note.editor
    qtbot.keyClicks(editor, " Mine")  # not saved yet...
    qtbot.keyClick(editor, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # recolour:
    assert app.store.get_highlight(hid).color == "green"  # the note is read again
    w.note_taking.flush()
    note = app.store.get_highlight(hid).note
    assert "Theirs." in note and "One. Mine" in note


def test_the_other_windows_text_goes_in_before_the_words_being_typed(qtbot, app,
                                                                     brief_path):
    w1 = app.open(brief_path)
    hid = _highlighted(w1)
    other = App(qtbot, app.data)
    w2 = other.open(brief_path)
    qtbot.waitUntil(lambda: hid in w2.note_taking.panel.highlight_ids())
    w2.note_taking.panel.select_highlight(hid, focus_editor=True)
    qtbot.keyClicks(w2.note_taking.panel.card(hid).note.editor, "Theirs.")
    w2.note_taking.flush()
    w1.note_taking.panel.select_highlight(hid, focus_editor=True)
    editor = w1.note_taking.panel.card(hid).note.editor
    qtbot.keyClicks(editor, "Mine here.")
    cursor = editor.textCursor()
    cursor.setPosition(len("Mine"))
    editor.setTextCursor(cursor)
    w1.note_taking.flush()
    assert editor.toPlainText() == "Theirs.\n\nMine here."
    assert editor.textCursor().position() == len("Theirs.\n\nMine")  # still in its word
    qtbot.keyClicks(editor, " words")
    w1.note_taking.flush()
    assert app.store.get_highlight(hid).note == "Theirs.\n\nMine words here."
    # Undoing in the editor takes back typing, never the other window's words.
    for _ in range(3):
        qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        w1.note_taking.flush()
        assert app.store.get_highlight(hid).note.startswith("Theirs.")
    other.close()


def _note_text_unsaved(qtbot, app, brief_path, monkeypatch, saved: str, unsaved: str):
    """A note holding ``saved``, then ``unsaved`` typed on while saves of note text
    fail (other changes still save); the window and the note's id."""
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, saved)
    real = app.store.update_highlight

    def notes_fail(highlight_id, *, note=None, **others):
        if note is not None:
            _disk_full()
        return real(highlight_id, note=note, **others)

    monkeypatch.setattr(app.store, "update_highlight", notes_fail)
    qtbot.keyClicks(QApplication.focusWidget(), unsaved)
    w.note_taking.flush()
    assert "disk is full" in w.note_taking.panel.error_text(hid)
    return w, hid


def test_a_recovered_note_replaces_the_text_it_was_typed_over_even_after_a_recolour(
        qtbot, app, brief_path, monkeypatch):
    w, hid = _note_text_unsaved(qtbot, app, brief_path, monkeypatch, "Fares r", "ose")
    w.note_taking.annotations.recolour(hid, "green")  # saved: the note's time moves on
    qtbot.wait(20)
    assert "disk is full" in w.note_taking.panel.error_text(hid)  # the text still is not
    monkeypatch.undo()
    app.close()
    app.open(brief_path)
    assert app.store.get_highlight(hid).note == "Fares rose"  # not both texts


def test_text_undone_after_a_failed_save_does_not_come_back(qtbot, app, brief_path,
                                                           monkeypatch):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "abc")
    monkeypatch.setattr(app.store, "update_highlight", _disk_full)
    qtbot.keyClicks(QApplication.focusWidget(), "def")
    w.note_taking.flush()
    assert "disk is full" in w.note_taking.panel.error_text(hid)
    monkeypatch.undo()
    w.reader.setFocus()
    qtbot.waitUntil(w.reader.hasFocus)
    w.note_taking.undo_action.trigger()  # the user takes the note back
    assert app.store.get_highlight(hid).note == ""
    assert not w.note_taking.panel.has_unsaved()
    app.close()
    w2 = app.open(brief_path)
    assert app.store.get_highlight(hid).note == ""
    assert "typed before" not in w2.statusBar().currentMessage()


def test_closing_asks_when_a_text_never_reached_the_journal(qtbot, app, brief_path,
                                                           monkeypatch):
    from briefreader import journal as journal_mod

    w = app.open(brief_path)
    _note_typed(qtbot, w, "kept ")
    journal = w.note_taking.typed.journal
    monkeypatch.setattr(app.store, "update_highlight", _disk_full)
    real_write, full = os.write, [True]

    def write(fd, data):
        if full[0]:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(journal_mod.os, "write", write)
    qtbot.keyClicks(QApplication.focusWidget(), "only in the window")
    w.note_taking.flush()
    full[0] = False  # a little space again: a later line goes through…
    journal.typed("draft", "ferry-2026", "options", "x")
    assert w.close()  # …and closing writes what the journal missed, so need not ask
    assert "kept only in the window" in {e.text for e in read_journal(journal.path)}


def test_a_failing_disk_while_closing_does_not_stop_the_rest_of_the_close(
        qtbot, app, brief_path, monkeypatch):
    w = app.open(brief_path)
    stopped = []
    monkeypatch.setattr(w.finding, "shutdown", lambda: stopped.append(1))

    def read_only(self, missing_ok=False):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(Path, "unlink", read_only)
    w.close()
    monkeypatch.undo()
    assert stopped == [1]


def test_the_tag_and_author_filters_offer_those_of_the_whole_brief(qtbot, app, brief_path):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "")
    w.note_taking.annotations.set_tags(hid, ["fares"])
    w.show_section("options")  # no highlight here
    panel = w.note_taking.panel

    def offered(combo) -> list[str]:
        return [combo.itemText(i) for i in range(combo.count())]

    qtbot.waitUntil(lambda: panel.title_label.text() == "Options")
    assert panel.highlight_ids() == []
    assert "fares" in offered(panel.tag_filter)
    assert "Ana" in offered(panel.author_filter)


def test_typing_back_to_the_saved_text_leaves_nothing_to_bring_back(qtbot, app, brief_path):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "Old view.")
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "x")
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # a typo undone before the autosave
    w.note_taking.flush()
    assert w.note_taking.typed.journal.pending("ferry-2026") == []
    app.close()
    with Store.open(Paths(app.data)) as other:  # then rewritten in another window
        other.update_highlight(hid, note="Rewritten: the old view was wrong.")
    app.open(brief_path)
    assert app.store.get_highlight(hid).note == "Rewritten: the old view was wrong."


def test_typing_back_to_the_stored_text_after_a_failed_save_clears_the_error(
        qtbot, app, brief_path, monkeypatch):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "abc")
    editor = QApplication.focusWidget()
    monkeypatch.setattr(app.store, "update_highlight", _disk_full)
    qtbot.keyClicks(editor, "d")
    w.note_taking.flush()
    panel = w.note_taking.panel
    assert "disk is full" in panel.error_text(hid)
    monkeypatch.undo()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # back to what the store holds
    w.note_taking.flush()
    assert app.store.get_highlight(hid).note == "abc"
    assert panel.error_text(hid) == "" and not panel.has_unsaved()
    assert w.note_taking.typed.journal.pending("ferry-2026") == []


def test_undo_redo_delete_trash_restore(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("background")
    select_text(w, "Fares rose by a fifth")
    w.actions_.highlight_colours["yellow"].trigger()
    an = w.note_taking.annotations
    hid = next(iter(an.highlights))
    an.recolour(hid, "green")
    assert app.store.get_highlight(hid).color == "green"
    w.note_taking.undo_action.trigger()
    assert app.store.get_highlight(hid).color == "yellow"
    w.note_taking.redo_action.trigger()
    assert app.store.get_highlight(hid).color == "green"
    # Delete with the key, in the reader, after clicking the highlight.
    w.note_taking.on_highlight_clicked(hid)
    w.reader.setFocus()
    qtbot.waitUntil(w.reader.hasFocus)
    qtbot.keyClick(w.reader, Qt.Key.Key_Delete)
    assert app.store.get_highlight(hid).deleted_at is not None
    assert background_at(w, "Fares rose by a fifth").property(HIGHLIGHT_ID) is None
    w.actions_.show_trash.trigger()
    assert w.note_taking.trash.count() == 1
    # A note made while the Trash shows leaves its list as it is (not made again).
    row = w.note_taking.trash.tree.topLevelItem(0)
    select_text(w, "two years while sailings fell")
    w.actions_.highlight_colours["blue"].trigger()
    qtbot.wait(20)
    assert w.note_taking.trash.tree.topLevelItem(0) is row
    w.note_taking.trash.restore_requested.emit("highlight", hid)
    assert app.store.get_highlight(hid).deleted_at is None
    assert background_at(w, "Fares rose by a fifth").property(HIGHLIGHT_ID) == hid
    # Undo the creation: it goes to the trash, never gone.
    while w.note_taking.undo_action.isEnabled():
        w.note_taking.undo_action.trigger()
    assert app.store.get_highlight(hid).deleted_at is not None


def test_delete_action_keeps_the_note_as_typed_and_undo_brings_it_back(qtbot, app,
                                                                       brief_path):
    w = app.open(brief_path)
    w.show_section("recommendation")
    hid = _highlighted(w, "choose option two", "blue")
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: hid in panel.highlight_ids())
    panel.select_highlight(hid, focus_editor=True)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClicks(QApplication.focusWidget(), "Typed, not yet autosaved.")
    assert app.store.get_highlight(hid).note == ""  # the autosave has not run yet
    w.actions_.delete_highlight.trigger()
    assert app.store.get_highlight(hid).deleted_at is not None
    assert app.store.get_highlight(hid).note == "Typed, not yet autosaved."
    assert w.statusBar().currentMessage() == (
        "Highlight moved to the Trash (Ctrl+Z puts it back).")
    w.note_taking.undo_action.trigger()
    restored = app.store.get_highlight(hid)
    assert restored.deleted_at is None
    assert restored.note == "Typed, not yet autosaved."
    qtbot.waitUntil(lambda: hid in panel.highlight_ids())
    assert not panel.has_unsaved()


def test_empty_trash_asks_first(qtbot, app, brief_path, monkeypatch):
    w = app.open(brief_path)
    hid = _highlighted(w)
    an = w.note_taking.annotations
    an.delete_highlight(hid)
    monkeypatch.setattr(note_taking_module, "confirm_empty_trash", lambda _w: False)
    w.note_taking.trash.empty_requested.emit()
    assert app.store.highlights(an.open_key(), trash=True)
    monkeypatch.setattr(note_taking_module, "confirm_empty_trash", lambda _w: True)
    w.note_taking.trash.empty_requested.emit()
    assert not app.store.highlights(an.open_key(), trash=True)


def test_a_view_behind_another_tab_is_not_rebuilt_until_it_is_shown(qtbot, app, brief_path,
                                                                    monkeypatch):
    w = app.open(brief_path)
    nt = w.note_taking
    w.actions_.show_trash.trigger()
    assert nt.trash.count() == 0
    nt.docks["notes"].raise_()  # the Trash tab now behind the Notes tab
    an = nt.annotations
    reads = []
    real_trash = an.trash
    monkeypatch.setattr(an, "trash", lambda: reads.append(1) or real_trash())
    select_text(w, "Island councils")
    w.actions_.highlight_colours["yellow"].trigger()
    an.delete_highlight(next(iter(an.highlights)))
    qtbot.wait(50)  # the views' refresh runs on the next turn of the event loop
    assert reads == [] and nt.trash.count() == 0  # not read for a view out of sight
    nt.docks["trash"].raise_()
    qtbot.waitUntil(lambda: nt.trash.count() == 1)  # and up to date once shown


def test_a_store_that_cannot_be_read_is_reported_and_nothing_is_lost(qtbot, app, brief_path,
                                                                     monkeypatch):
    w = app.open(brief_path)
    hid = _highlighted(w)
    an = w.note_taking.annotations
    w.note_taking.docks["notes"].raise_()


    with monkeypatch.context() as broken:
        for name in ("highlights", "comments", "bookmarks", "color_labels", "brief_hash",
                     "reading_state", "search", "library_entries", "library_sources"):
            broken.setattr(app.store, name, _busy)
        dialogs = []
        broken.setattr(finding_module, "ask_preferences", lambda *a, **k: dialogs.append(a))

        w.actions_.show_trash.trigger()
        qtbot.waitUntil(lambda: "The trash could not be read" in w.banner.text())
        w.open_path(brief_path)  # the same brief again: its notes are read again
        qtbot.waitUntil(lambda: "Notes could not be read" in w.banner.text())
        assert hid in an.highlights  # this brief's notes as last read stay
        w.finding.on_preferences_triggered()
        assert dialogs == []  # not offered with values it could not read
        assert "Preferences could not be read" in w.statusBar().currentMessage()
        w.finding.on_search_requested("ferry", SearchFilters())
        w.finding.on_library_refreshed(RefreshReport())
        assert "The library could not be read" in w.statusBar().currentMessage()
        assert "busy" in w.statusBar().currentMessage()

    an.reload()  # readable again: the note is all there
    assert hid in an.highlights
    assert app.store.get_highlight(hid).exact == "Island councils"


def test_notes_that_cannot_be_read_are_never_another_briefs(qtbot, app, brief_path, tmp_path,
                                                              monkeypatch):
    w = app.open(brief_path)
    hid = _highlighted(w)
    an = w.note_taking.annotations
    other = tmp_path / "other.md"
    other.write_text(BRIEF.replace("ferry-2026", "other-2027"), encoding="utf-8")


    monkeypatch.setattr(app.store, "highlights", _busy)
    w.open_path(other)
    qtbot.waitUntil(lambda: w.brief is not None and w.brief.doc_id == "other-2027")
    assert hid not in an.highlights and an.in_section("background") == []


def test_typing_goes_on_when_the_notes_cannot_be_read_again(qtbot, app, brief_path,
                                                             monkeypatch):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "First words.")
    qtbot.keyClicks(QApplication.focusWidget(), " More words typed")


    monkeypatch.setattr(app.store, "highlights", _busy)
    w.note_taking.annotations.reload()
    qtbot.wait(50)  # the panel refreshes
    monkeypatch.undo()
    w.note_taking.flush()
    assert app.store.get_highlight(hid).note == "First words. More words typed"


def _ambiguous_highlight(app: App, w: MainWindow) -> str:
    """A new highlight, made ambiguous as if a reissue had left it two places; its id."""
    hid = _highlighted(w)
    app.store._connection.execute("UPDATE highlights SET status = 'ambiguous' WHERE id = ?",
                                  (hid,))
    w.note_taking.annotations.reload()
    return hid


def test_notes_to_review_that_cannot_be_read_are_reported(qtbot, app, brief_path,
                                                           monkeypatch):
    w = app.open(brief_path)
    hid = _ambiguous_highlight(app, w)
    qtbot.waitUntil(w.actions_.show_review.isEnabled)


    monkeypatch.setattr(app.store, "get_brief", _busy)
    w.actions_.show_review.trigger()
    qtbot.waitUntil(lambda: "The notes to review could not be read" in w.banner.text())
    w.note_taking.on_candidate_chosen(hid, 0)
    assert "The note was not placed" in w.banner.text()


def test_review_shows_each_possible_place_in_the_reader(qtbot, app, brief_path,
                                                       monkeypatch):
    from briefreader.anchor import Candidate

    w = app.open(brief_path)
    hid = _ambiguous_highlight(app, w)
    text = w.note_taking.annotations.notes.section_texts(w.brief)
    options = next(t.text for t in text if t.id == "options")
    island = next(t.text for t in text if t.id == "background").index("Island councils")
    places = (Candidate("background", island, island + 15, 1.0, 0.6),
              Candidate("options", options.index("Option two"),
                        options.index("Option two") + 10, 0.8, 0.6))
    monkeypatch.setattr(NotesService, "candidates", lambda *_args, **_kwargs: places)
    qtbot.waitUntil(w.actions_.show_review.isEnabled)
    w.actions_.show_review.trigger()
    review = w.note_taking.review
    qtbot.waitUntil(lambda: review.row(hid) is not None)
    qtbot.mouseClick(review.row(hid).show_buttons[1], Qt.MouseButton.LeftButton)
    assert w.reader.section.id == "options"
    assert w.reader.textCursor().selectedText() == "Option two"
    qtbot.mouseClick(review.row(hid).show_buttons[0], Qt.MouseButton.LeftButton)
    assert w.reader.section.id == "background"
    assert w.reader.textCursor().selectedText() == "Island councils"


def test_a_note_saved_after_another_window_trashed_it_leaves_the_window(qtbot, app,
                                                                       brief_path):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "First.")
    nt = w.note_taking
    with Store(app.store.database, backup_interval=None) as other:
        other.delete_highlight(hid)  # another window moved it to the trash
    qtbot.keyClicks(QApplication.focusWidget(), " more")
    nt.flush()
    qtbot.waitUntil(lambda: background_at(w, "Island councils").property(HIGHLIGHT_ID) != hid)
    assert hid not in nt.annotations.highlights
    assert nt.annotations.counts_by_section().get("background") is None


def test_preferences_that_need_no_database_are_applied_while_it_is_busy(qtbot, app,
                                                                          brief_path,
                                                                          monkeypatch):
    from dataclasses import replace

    w = app.open(brief_path)
    prefs = w.finding.current_preferences()
    # (Not the theme: it would stay on the application for the tests that follow.)
    wanted = replace(prefs, author="Bea", font_size=prefs.font_size + 2)


    monkeypatch.setattr(app.store, "color_labels", _busy)  # busy as OK is pressed
    w.finding.apply_preferences(wanted)
    assert (w.settings.author, w.settings.reader_font_size) == ("Bea", prefs.font_size + 2)
    assert "may not be saved" in w.statusBar().currentMessage()


def test_a_tag_no_note_uses_any_more_is_no_longer_offered(qtbot, app, brief_path):
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "x")
    an, panel = w.note_taking.annotations, w.note_taking.panel

    def tags_offered() -> list[str]:
        return [panel.tag_filter.itemText(i) for i in range(1, panel.tag_filter.count())]

    an.set_tags(hid, ("rail",))
    qtbot.waitUntil(lambda: tags_offered() == ["rail"])
    an.set_tags(hid, ())
    qtbot.waitUntil(lambda: tags_offered() == [])


def test_a_new_version_whose_notes_cannot_be_read_keeps_no_old_places(qtbot, app,
                                                                       brief_path,
                                                                       monkeypatch):
    w = app.open(brief_path)
    hid = _highlighted(w)
    brief_path.write_text(BRIEF.replace("The ferry link", "In short, the ferry link"),
                          encoding="utf-8")
    monkeypatch.setattr(app.store, "bookmarks", _busy)  # placed again, then a read fails
    old = w.brief
    w.reload()
    qtbot.waitUntil(lambda: w.brief is not old)
    monkeypatch.undo()
    w.note_taking.annotations.accept(hid)  # a write from a place held in the window
    assert app.store.get_highlight(hid).exact == "Island councils"


def test_briefs_found_are_indexed_while_the_library_list_cannot_be_read(qtbot, app,
                                                                         brief_path,
                                                                         monkeypatch):
    w = app.open(brief_path)
    queued = []
    monkeypatch.setattr(w.finding.indexer, "enqueue", queued.extend)
    monkeypatch.setattr(app.store, "library_entries", _busy)
    w.finding.on_library_refreshed(RefreshReport(to_index=(str(brief_path),)))
    assert queued == [str(brief_path)]
    assert "The library could not be read" in w.statusBar().currentMessage()


def test_a_window_opens_while_the_library_cannot_be_read(qtbot, tmp_path, monkeypatch):
    paths = Paths(tmp_path / "data").ensure()


    monkeypatch.setattr(Store, "library_defaults_pending", _busy)
    with Store.open(paths) as store:
        window = MainWindow(Settings(paths.settings_file), notes=NotesService(store),
                            paths=paths)
        qtbot.addWidget(window)
        assert "The library could not be read" in window.statusBar().currentMessage()
        window.close()


def test_comment_thread_with_reply(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("options")
    panel = w.note_taking.panel
    panel.comment_added.emit("Which option is cheapest?", None)
    comments = w.note_taking.annotations.comments_in("options")
    assert [c.body for c in comments] == ["Which option is cheapest?"]
    panel.comment_added.emit("Option one, this year.", comments[0].id)
    thread = w.note_taking.annotations.comments_in("options")
    assert [(c.body, c.reply_to) for c in thread] == [
        ("Which option is cheapest?", None), ("Option one, this year.", comments[0].id)]
    assert [c.author for c in thread] == ["Ana", "Ana"]
    counts = w.note_taking.annotations.counts_by_section()
    assert counts["options"] == (0, 2, False)


def test_deleting_a_comment_that_has_a_reply_keeps_the_thread(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("options")
    panel = w.note_taking.panel
    panel.comment_added.emit("Which option is cheapest?", None)
    (question,) = w.note_taking.annotations.comments_in("options")
    panel.comment_added.emit("Option one, this year.", question.id)
    reply = w.note_taking.annotations.comments_in("options")[1]
    qtbot.waitUntil(lambda: panel.card(reply.id) is not None)
    qtbot.mouseClick(panel.card(question.id).delete_button, Qt.MouseButton.LeftButton)
    assert w.statusBar().currentMessage() == (
        "Comment moved to the Trash (Ctrl+Shift+T shows the Trash).")
    # The reply still answers something: "Deleted comment", with the reply under it.
    qtbot.waitUntil(lambda: panel.card(question.id) is not None
                    and panel.card(question.id).comment is None)
    assert panel.card(question.id).meta.text() == "Deleted comment"
    assert panel.comment_ids() == [question.id, reply.id]
    assert panel.card(reply.id).depth == 1
    w.note_taking.on_restore_requested("comment", question.id)
    qtbot.waitUntil(lambda: panel.card(question.id).comment is not None)
    assert panel.card(question.id).comment.body == "Which option is cheapest?"


def test_the_find_bar_fits_a_small_screen_beside_the_notes(qtbot, app, brief_path, tmp_path):
    # A 640-pixel screen, with the find bar open and the notes beside the text; a long
    # title in the line above the text is cut short, never widening the window.
    long = tmp_path / "long.md"
    title = "title: " + "Coastal Ferry Subsidy Review and Island Councils' Request " * 4
    long.write_text(brief_path.read_text(encoding="utf-8").replace(
        "title: Coastal Ferry Subsidy Review", title), encoding="utf-8")
    w = app.open(brief_path)
    for path in (brief_path, long):
        w.open_path(path)
        qtbot.waitUntil(lambda p=path: w.brief is not None and w.brief.path == p)
        assert w.note_taking.docks["notes"].isVisible()
        w.finding.find_bar.open_bar("ferry")
        qtbot.waitUntil(w.finding.find_bar.isVisible)
        w.show_section("options")
        assert w.minimumSizeHint().width() <= 640


def test_the_status_bar_reads_whole_clear_of_the_window_edge(qtbot, app, brief_path):
    from PySide6.QtGui import QFontMetrics

    w = app.open(brief_path)
    w.setGeometry(w.x(), w.y(), 640, 480)  # a 640-pixel screen
    qtbot.waitUntil(lambda: w.width() == 640)
    for _ in range(12):  # every zoom up to the largest
        labels = (w.position_label, w.zoom_label)
        for label in labels:
            room = label.contentsRect()
            assert QFontMetrics(label.font()).horizontalAdvance(label.text()) <= room.width()
            # Its text ends short of the window's edge, where the size grip may be.
            assert label.mapTo(w, room.topRight()).x() <= w.width() - 6, label.text()
        assert not labels[0].geometry().intersects(labels[1].geometry())
        width = w.zoom_label.width()
        w.actions_.zoom_in.trigger()
        assert w.zoom_label.width() == width  # the zoom never moves what is beside it
    assert w.zoom_label.text() == "300 %"


def test_tab_and_shift_tab_never_put_the_focus_out_of_sight(qtbot, app, brief_path):
    # Qt keeps a bar of the docks' tabs outside the window: the focus went there.
    w = app.open(brief_path)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    w.show_section("options")
    w.note_taking.panel.composer.set_text("")
    frame = w.rect()
    for key, modifier in ((Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)):
        w.reader.setFocus()
        for _ in range(25):
            qtbot.keyClick(QApplication.focusWidget(), key, modifier)
            focus = QApplication.focusWidget()
            where = focus.mapTo(w, focus.rect().center())
            assert focus.isVisible() and frame.contains(where), (focus, where)
            assert not focus.visibleRegion().isEmpty(), focus  # not scrolled out of view


def test_bookmarks_open_beside_the_notes_and_fit_a_small_screen(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.actions_.show_bookmarks.trigger()
    qtbot.waitUntil(w.note_taking.docks["bookmarks"].isVisible)
    docks = w.note_taking.docks
    assert docks["bookmarks"] in w.tabifiedDockWidgets(docks["notes"])
    assert w.minimumSizeHint().width() <= 800


def test_bookmark_toggle(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("options")
    qtbot.keyClick(w.reader, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [b.section_id for b in w.note_taking.annotations.bookmarks] == ["options"]
    # Its own label is none until given one: the list does not say "Options" twice.
    assert [b.label for b in w.note_taking.annotations.bookmarks] == [""]
    w.show_section("background")
    w.note_taking.bookmarks.jump_requested.emit("options", 0)
    assert w.reader.section.id == "options"
    bookmark = w.note_taking.annotations.bookmarks[0]
    w.note_taking.bookmarks.rename_requested.emit(bookmark.id, "Costs")
    assert [b.label for b in app.store.bookmarks("ferry-2026")] == ["Costs"]
    qtbot.keyClick(w.reader, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert w.note_taking.annotations.bookmarks == []


def test_changed_brief_shows_banner_and_review(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("background")
    for quote, colour in (("1.1 million passengers", "yellow"),
                          ("Island councils asked for a review", "green")):
        select_text(w, quote)
        w.actions_.highlight_colours[colour].trigger()
    w.show_section("options")
    select_text(w, "Option three tenders the route again")
    w.actions_.highlight_colours["blue"].trigger()
    app.close()
    # The brief is reissued: a paragraph moves, a quote is reworded, one is cut.
    text = BRIEF.replace("The ferry link carries 1.1 million passengers a year.",
                         "The ferry link now carries 1.2 million passengers a year.")
    text = text.replace("Island councils asked for a review in March.", "")
    text = text.replace("# Recommendation", "# Recommendation\n\nAn added paragraph.")
    brief_path.write_text(text, encoding="utf-8")

    w2 = app.open(brief_path)
    assert w2.banner.text() == (
        "This brief changed since you last read it: 1 note changed, 1 orphaned.")
    assert w2.banner.button.text() == "&Review…"  # (Alt+R)
    statuses = sorted(h.status for h in w2.note_taking.annotations.highlights.values())
    assert statuses == ["anchored", "changed", "orphaned"]
    # The orphan is found from the section it was made in: the navigator marks it.
    orphan = next(h for h in w2.note_taking.annotations.highlights.values()
                  if h.status == "orphaned")
    counts = w2.note_taking.annotations.counts_by_section()
    assert counts[orphan.section_id][2] is True
    w2.actions_.show_review.trigger()
    review = w2.note_taking.review
    assert review.count() == 2
    assert w2.note_taking.docks["review"].isVisible()
    # A note made elsewhere leaves the list as it is: its rows are not made again.
    rows = [review.row(i) for i in review.highlight_ids()]
    w2.show_section("recommendation")
    select_text(w2, "choose option two")
    w2.actions_.highlight_colours["red"].trigger()
    qtbot.waitUntil(lambda: len(w2.note_taking.annotations.highlights) == 4)
    qtbot.wait(20)
    assert [review.row(i) for i in review.highlight_ids()] == rows
    # A theme switched makes them again, in the new theme's colours.
    w2.apply_theme("dark")
    assert all(review.row(i) is not row for i, row in zip(review.highlight_ids(), rows,
                                                          strict=True))
    # Keep the orphan as it is: it is not offered again, and it is still there.
    orphan = next(h for h in w2.note_taking.annotations.highlights.values()
                  if h.status == "orphaned")
    review.keep_orphan_requested.emit(orphan.id)
    qtbot.waitUntil(lambda: review.summary.text()
                    == "1 note needs review · 1 note kept without a place")
    assert app.store.get_highlight(orphan.id).exact == "Island councils asked for a review"
    assert review.highlight_ids()[-1] == orphan.id  # listed last, not asking any more
    assert not review.row(orphan.id).orphan_button.isEnabled()
    assert review.row(orphan.id).attach_button.isEnabled()
    # Accept the changed one: it is anchored where it was found.
    changed = next(h for h in w2.note_taking.annotations.highlights.values()
                   if h.status == "changed")
    review.accept_requested.emit(changed.id)
    qtbot.waitUntil(lambda: review.highlight_ids() == [orphan.id])
    assert app.store.get_highlight(changed.id).status == "anchored"
    app.close()
    w3 = app.open(brief_path)
    assert w3.note_taking.annotations.needs_review() == []
    # The orphan kept is still found in the window: Review lists it, to attach some day.
    assert w3.actions_.show_review.isEnabled()
    w3.actions_.show_review.trigger()
    assert w3.note_taking.review.highlight_ids() == [orphan.id]
    assert w3.note_taking.review.summary.text() == (
        "Nothing to review · 1 note kept without a place")


KILL_SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QTextCursor
    from briefreader.notes import NotesService
    from briefreader.paths import Paths
    from briefreader.settings import Settings
    from briefreader.store import Store
    from briefreader.ui.main_window import MainWindow

    if "no-autosave" in sys.argv[3:]:  # killed before any autosave, however slow
        from briefreader.ui import notes_panel
        notes_panel.SAVE_DELAY_MS = notes_panel.SAVE_MAX_DELAY_MS = 600_000
    app = QApplication([])
    paths = Paths(Path(sys.argv[1])).ensure()
    w = MainWindow(Settings(paths.settings_file), notes=NotesService(Store.open(paths)))
    w.show()
    w.open_path(Path(sys.argv[2]))
    doc_text = w.reader.document().toPlainText()
    start = doc_text.index("Fares rose")
    c = w.reader.textCursor()
    c.setPosition(start)
    c.setPosition(start + 10, c.MoveMode.KeepAnchor)
    w.reader.setTextCursor(c)
    w.actions_.highlight_colours["yellow"].trigger()
    hid = next(iter(w.note_taking.annotations.highlights))
    app.processEvents()  # the notes panel shows the new highlight
    w.note_taking.annotations.saved.connect(
        lambda i: print("ACK", w.note_taking.annotations.highlights[i].note, flush=True))
    if "comment" in sys.argv[3:]:  # typed into the section's new comment instead
        w.note_taking.panel.focus_new_comment()
    else:
        w.note_taking.panel.select_highlight(hid, focus_editor=True)
    words = iter("one two three four five six seven eight nine ten eleven twelve".split())
    def type_word():
        editor = QApplication.focusWidget()
        try:
            editor.insertPlainText(next(words) + " ")
        except StopIteration:
            return
        print("TYPED", editor.toPlainText(), flush=True)
        QTimer.singleShot(150, type_word)
    print("READY", hid, flush=True)
    QTimer.singleShot(50, type_word)
    app.exec()
    """
)


def kill_while_typing(data: Path, brief_path: Path, *, acks: int = 0, typed: int = 0,
                      options: tuple[str, ...] = ()) -> tuple[str | None, list[str], list[str]]:
    """Run a window that types into a new note (option "comment": a new comment),
    SIGKILL it once it printed ``acks`` saves and ``typed`` keystrokes; the note's id,
    the texts saved, the texts typed. Option "no-autosave": nothing autosaves."""
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(data), str(brief_path), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    acked, typed_texts, hid = [], [], None
    deadline = time.monotonic() + 30
    buffer = b""
    try:
        while time.monotonic() < deadline and (len(acked) < acks or len(typed_texts) < typed):
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                line = raw.decode()
                if line.startswith("READY"):
                    hid = line.split()[1]
                elif line.startswith("ACK"):
                    acked.append(line[4:])
                elif line.startswith("TYPED"):
                    typed_texts.append(line[6:])
        if acks:
            time.sleep(0.35)  # mid-typing, between saves
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        err = proc.stderr.read()[-2000:].decode(errors="replace")
        proc.stdout.close()
        proc.stderr.close()
    assert hid and len(acked) >= acks and len(typed_texts) >= typed, err
    return hid, acked, typed_texts


def test_killed_while_typing_keeps_acknowledged_text(tmp_path, brief_path):
    data = tmp_path / "killdata"
    hid, acked, _typed = kill_while_typing(data, brief_path, acks=2)
    with Store.open(Paths(data)) as store:
        note = store.get_highlight(hid).note
        assert store.check() == []
    assert note.startswith(acked[-1].strip())


def test_words_typed_just_before_a_kill_are_saved_when_the_brief_opens_again(
        qtbot, app, tmp_path, brief_path):
    data = tmp_path / "data"  # the app fixture's folder: reopened below
    hid, _acked, typed = kill_while_typing(data, brief_path, typed=3, options=("no-autosave",))
    with Store.open(Paths(data)) as store:
        assert store.get_highlight(hid).note == ""  # not saved: only the journal has it
    w = app.open(brief_path)
    note = app.store.get_highlight(hid).note
    assert note.startswith(typed[-1].strip())
    assert w.note_taking.annotations.highlights[hid].note == note
    assert "typed before briefreader last closed" in w.statusBar().currentMessage()
    w.close()
    assert not list((data / "journal").glob("*.jsonl"))  # all settled: nothing left


def test_a_comment_begun_just_before_a_kill_is_back_in_its_box(qtbot, app, tmp_path,
                                                               brief_path):
    data = tmp_path / "data"
    _hid, _acked, typed = kill_while_typing(data, brief_path, typed=3,
                                            options=("no-autosave", "comment"))
    assert Settings(Paths(data).settings_file).comment_drafts("ferry-2026", "background") == {}
    w = app.open(brief_path)
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.composer.text().startswith(typed[-1].strip()))
    w.close()
    assert not list((data / "journal").glob("*.jsonl"))


def test_an_export_chosen_over_the_brief_itself_leaves_the_brief_as_it_was(
        qtbot, app, brief_path, monkeypatch):
    from briefreader.ui import exchange

    w = app.open(brief_path)
    w.show_section("options")
    _highlighted(w, "Option two ties it to sailings kept.", "green")
    text = brief_path.read_bytes()
    # The dialog asked and was told yes: the brief is still not the place for its notes.
    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(brief_path))
    w.actions_.export_notes.trigger()
    done = w.note_taking.exchange.tasks
    qtbot.waitUntil(lambda: not done)
    assert brief_path.read_bytes() == text
    assert "failed" in w.banner.text() and "another file name" in w.banner.text()


def test_export_import_and_pdf_from_the_file_menu(qtbot, app, brief_path, tmp_path,
                                                  monkeypatch):
    from briefreader.ui import exchange

    w = app.open(brief_path)
    w.show_section("options")
    hid = _highlighted(w, "Option two ties it to sailings kept.", "green")
    w.note_taking.annotations.edit_note(hid, "Preferred by the islands.")
    out = tmp_path / "out" / "ferry-notes.md"
    out.parent.mkdir()
    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(out))
    qtbot.keyClick(w.reader, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    done = w.note_taking.exchange.tasks
    qtbot.waitUntil(lambda: not done)  # written on a worker
    text = out.read_text(encoding="utf-8")
    assert "# Coastal Ferry Subsidy Review" in text
    assert "Option two ties it to sailings kept." in text and "Preferred by the islands." in text
    assert "exported" in w.banner.text()

    pdf = tmp_path / "out" / "ferry.pdf"
    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(pdf))
    w.actions_.export_pdf.trigger()
    qtbot.waitUntil(lambda: not done)
    assert pdf.read_bytes().startswith(b"%PDF") and "PDF saved" in w.banner.text()

    # A colleague's JSON with an edited note comes back in through File → Import Notes.
    js = tmp_path / "out" / "ferry.json"
    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(js))
    w.actions_.export_notes.trigger()
    qtbot.waitUntil(lambda: not done)
    data = js.read_text(encoding="utf-8").replace("Preferred by the islands.",
                                                  "Preferred by the islands and the port.")
    data = re.sub(r'"modified": "[^"]+"', '"modified": "2099-01-01T00:00:00.000Z"', data)
    js.write_text(data, encoding="utf-8")
    monkeypatch.setattr(exchange, "ask_open_path", lambda *a: str(js))
    w.actions_.import_notes.trigger()
    qtbot.waitUntil(lambda: not done)
    assert "Import:" in w.banner.text() and "1 updated" in w.banner.text()
    assert app.store.get_highlight(hid).note == "Preferred by the islands and the port."
    edited = "Preferred by the islands and the port."
    assert w.note_taking.annotations.highlights[hid].note == edited
    # The same file again changes nothing: the notes are not read again.
    loads = []
    real_load = w.note_taking.annotations.notes.highlights
    monkeypatch.setattr(w.note_taking.annotations.notes, "highlights",
                        lambda *a, **k: loads.append(1) or real_load(*a, **k))
    w.actions_.import_notes.trigger()
    qtbot.waitUntil(lambda: not done)
    assert "1 unchanged" in w.banner.text() and loads == []


def test_a_pdf_is_made_on_a_worker_while_the_window_goes_on(qtbot, app, brief_path,
                                                            tmp_path, monkeypatch):
    import threading

    from briefreader.ui import exchange

    w = app.open(brief_path)
    _highlighted(w, "Island councils")
    made_on, go = [], threading.Event()
    real = exchange.export_pdf

    def slow(document, path, **kw):
        made_on.append(threading.current_thread())
        assert go.wait(10)
        real(document, path, **kw)

    monkeypatch.setattr(exchange, "export_pdf", slow)
    pdf = tmp_path / "ferry.pdf"
    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(pdf))
    w.actions_.export_pdf.trigger()
    qtbot.waitUntil(lambda: bool(made_on))  # the window is not waiting for it
    assert made_on[0] is not threading.main_thread()
    assert w.banner.text() == "Saving the PDF…"
    w.actions_.export_pdf.trigger()  # once at a time
    assert w.banner.text() == "The PDF is still being saved; one moment."
    assert len(made_on) == 1
    go.set()
    qtbot.waitUntil(lambda: "PDF saved" in w.banner.text())
    assert pdf.read_bytes().startswith(b"%PDF") and not w.note_taking.exchange.tasks


def test_an_export_that_fails_on_its_worker_says_so_and_the_window_closes_after_it(
    qtbot, app, brief_path, tmp_path, monkeypatch
):
    import threading

    from briefreader.ui import exchange

    w = app.open(brief_path)
    _highlighted(w, "Island councils")
    monkeypatch.setattr(exchange, "ask_save_path",
                        lambda *a: str(tmp_path / "no-such-folder" / "notes.md"))
    w.actions_.export_notes.trigger()
    qtbot.waitUntil(lambda: "Export failed" in w.banner.text())
    # Closing the window while an export is written waits for it to be whole.
    go = threading.Event()
    real = exchange.write_atomically
    monkeypatch.setattr(exchange, "write_atomically",
                        lambda *a, **k: (go.wait(0.5), real(*a, **k)))
    out = tmp_path / "notes.md"
    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(out))
    w.actions_.export_notes.trigger()
    w.close()
    assert "Island councils" in out.read_text(encoding="utf-8")


def test_an_export_failing_as_the_window_closes_is_told_in_a_message(
    qtbot, app, brief_path, tmp_path, monkeypatch
):
    from briefreader.ui import exchange

    w = app.open(brief_path)
    _highlighted(w, "Island councils")
    told = []
    monkeypatch.setattr(exchange, "tell_failure", lambda parent, title, text: told.append(text))
    monkeypatch.setattr(exchange, "ask_save_path",
                        lambda *a: str(tmp_path / "no-such-folder" / "notes.md"))
    w.actions_.export_notes.trigger()
    w.close()  # the banner goes with the window
    assert len(told) == 1 and told[0].startswith("Export failed:")


def _import_paused(qtbot, w, path: Path, monkeypatch):
    """Import ``path`` from the File menu, held on its worker just before it writes;
    returns the Event that lets it go on."""
    import threading

    from briefreader.ui import exchange

    paused, go = threading.Event(), threading.Event()
    real_merge = Store.merge_notes

    def held(self, **kw):
        if threading.current_thread() is not threading.main_thread():
            paused.set()
            assert go.wait(10)
        return real_merge(self, **kw)

    monkeypatch.setattr(Store, "merge_notes", held)
    monkeypatch.setattr(exchange, "ask_open_path", lambda *a: str(path))
    w.actions_.import_notes.trigger()
    qtbot.waitUntil(paused.is_set)
    return go


def _exported_json(qtbot, w, path: Path, monkeypatch, *changes: tuple[str, str]) -> None:
    from briefreader.ui import exchange

    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(path))
    w.actions_.export_notes.trigger()
    qtbot.waitUntil(lambda: not w.note_taking.exchange.tasks)
    data = path.read_text(encoding="utf-8")
    for old, new in changes:
        data = data.replace(old, new)
    # Edited elsewhere later (where the versions of its parts stay as exported).
    data = re.sub(r'"modified": "[^"]+"', '"modified": "2099-01-01T00:00:00.000Z"', data)
    path.write_text(data, encoding="utf-8")


@pytest.mark.parametrize("meanwhile", ["type", "recolour", "trash"])
def test_what_is_done_in_the_window_while_a_file_is_imported_is_kept(
    qtbot, app, brief_path, tmp_path, monkeypatch, meanwhile
):
    w = app.open(brief_path)
    w.show_section("options")
    hid = _highlighted(w, "Option two ties it to sailings kept.", "green")
    an = w.note_taking.annotations
    an.edit_note(hid, "First thoughts.")
    js = tmp_path / "ferry.json"
    _exported_json(qtbot, w, js, monkeypatch, ('"green"', '"blue"'))
    go = _import_paused(qtbot, w, js, monkeypatch)
    if meanwhile == "type":
        an.edit_note(hid, "First thoughts. Typed while importing.")
    elif meanwhile == "recolour":
        an.recolour(hid, "yellow")
    else:
        an.delete_highlight(hid)
    go.set()
    qtbot.waitUntil(lambda: "Import" in w.banner.text() and not w.note_taking.exchange.tasks)
    stored = app.store.get_highlight(hid)
    if meanwhile == "type":
        assert (stored.note, stored.color) == ("First thoughts. Typed while importing.", "blue")
    elif meanwhile == "recolour":
        assert stored.color == "yellow"  # made here after the file was read
    else:
        assert stored.deleted_at is not None


def test_a_file_imported_while_the_brief_is_reissued_places_nothing_on_the_old_version(
    qtbot, app, brief_path, tmp_path, monkeypatch
):
    other = App(qtbot, tmp_path / "other-data")
    wo = other.open(brief_path)
    wo.show_section("background")
    _highlighted(wo, "Island councils")
    js = tmp_path / "theirs.json"
    _exported_json(qtbot, wo, js, monkeypatch)
    other.close()
    w = app.open(brief_path)
    go = _import_paused(qtbot, w, js, monkeypatch)
    old = w.brief.content_hash
    brief_path.write_text(BRIEF.replace("The ferry link carries",
                                        "A new first sentence. The ferry link carries"),
                          encoding="utf-8")
    w.open_path(brief_path)
    qtbot.waitUntil(lambda: w.brief.content_hash != old
                    and w.note_taking.annotations.brief is w.brief)
    go.set()
    qtbot.waitUntil(lambda: "Import failed" in w.banner.text())
    assert "changed" in w.banner.text() and not w.note_taking.annotations.highlights
    # Imported again, into the version shown: in its place.
    from briefreader.ui import exchange

    monkeypatch.setattr(exchange, "ask_open_path", lambda *a: str(js))
    w.actions_.import_notes.trigger()
    qtbot.waitUntil(lambda: "Import:" in w.banner.text())
    (h,) = w.note_taking.annotations.highlights.values()
    text = w.note_taking.annotations.notes.text_at(w.brief, h)
    assert text == "Island councils"


def test_writes_on_a_brief_of_many_notes_do_not_reload_them_all(qtbot, app, brief_path,
                                                                  monkeypatch):
    """Typing a note, deleting, undoing and restoring on a brief holding thousands of
    notes update the one note in the window's cache, never re-reading all of them."""
    import dataclasses

    from briefreader.parse import load_brief
    from briefreader.records import new_id

    with Store.open(Paths(app.data).ensure()) as store:
        service = NotesService(store, author="Ana")
        brief = load_brief(brief_path)
        template = service.highlight_range(brief, "recommendation", 0, 8)
        text = service.section_texts(brief)[brief.index_of("recommendation")].text
        store.add_highlights([
            dataclasses.replace(template, id=new_id(), start=i % 50, end=i % 50 + 8,
                                current_start=i % 50, current_end=i % 50 + 8,
                                exact=text[i % 50:i % 50 + 8], note=f"n{i}")
            for i in range(2000)
        ])
    w = app.open(brief_path)
    w.show_section("background")
    an = w.note_taking.annotations
    assert len(an.highlights) == 2001
    full_loads: list[str] = []
    live_highlights = Store.highlights

    def counting(self, key, *, trash=False):
        if not trash:
            full_loads.append(key)
        return live_highlights(self, key, trash=trash)

    monkeypatch.setattr(Store, "highlights", counting)

    select_text(w, "Island councils asked")
    w.actions_.highlight_colours["yellow"].trigger()
    hid = w.note_taking.selected_highlight
    qtbot.waitUntil(lambda: hid in w.note_taking.panel.highlight_ids())
    w.note_taking.panel.select_highlight(hid, focus_editor=True)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    counted = []
    real_counts = an.counts_by_section
    monkeypatch.setattr(an, "counts_by_section", lambda: counted.append(1) or real_counts())
    qtbot.keyClicks(QApplication.focusWidget(), "Ask which councils.")
    qtbot.waitUntil(lambda: an.highlights[hid].note == "Ask which councils.", timeout=3000)
    qtbot.wait(20)  # a refresh would run on the next turn of the event loop
    assert counted == []  # the text autosaved: counts and places were not worked out again
    panel = w.note_taking.panel
    assert panel.draft_text(hid) == "Ask which councils." and not panel.has_unsaved()
    an.delete_highlight(hid)
    assert hid not in an.highlights
    w.note_taking.undo_action.trigger()
    assert an.highlights[hid].note == "Ask which councils."
    an.delete_highlight(hid)
    w.note_taking.trash.restore_requested.emit("highlight", hid)
    assert hid in an.highlights
    assert background_at(w, "Island councils asked").property(HIGHLIGHT_ID) == hid
    assert full_loads == []
    assert an.highlights == {h.id: h for h in live_highlights(app.store, an.open_key())}


def test_retry_after_a_recolour_does_not_run_over_another_window(
        qtbot, app, brief_path, monkeypatch):
    w, hid = _note_text_unsaved(qtbot, app, brief_path, monkeypatch, "One.", " Mine")
    other = Store.open(Paths(app.data))
    other.update_highlight(hid, note="One.\n\nTheirs.")  # another window
    other.close()
    w.note_taking.annotations.recolour(hid, "green")  # reads the note again
    monkeypatch.undo()  # disk has space again
    w.note_taking.panel.card(hid).note.retry_button.click()
    note = app.store.get_highlight(hid).note
    assert "Theirs." in note and "One. Mine" in note


def test_a_comment_retry_does_not_run_over_another_window(
        qtbot, app, brief_path, monkeypatch):
    w = app.open(brief_path)
    an = w.note_taking.annotations
    section = w.reader.section.id
    c = an.add_comment(section, "One.", None)
    qtbot.wait(50)
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: c.id in panel.comment_ids())
    panel.begin_edit(c.id)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    real = app.store.update_comment
    monkeypatch.setattr(app.store, "update_comment", _disk_full)
    qtbot.keyClicks(QApplication.focusWidget(), " Mine")
    w.note_taking.flush()
    assert "disk is full" in panel.error_text(c.id)
    other = Store.open(Paths(app.data))
    other.update_comment(c.id, "One.\n\nTheirs.")
    other.close()
    an.reload()  # e.g. an import / colour-label change / empty trash reads all again
    monkeypatch.setattr(app.store, "update_comment", real)
    panel.card(c.id).body.retry_button.click()
    body = app.store.get_comment(c.id).body
    assert "Theirs." in body and "One. Mine" in body


def test_a_note_moved_and_changed_elsewhere_while_typing_keeps_both(
        qtbot, app, brief_path):
    from briefreader.notes import NotesService
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "One.")
    other = Store.open(Paths(app.data))
    NotesService(other, author="Bo").reattach(w.brief, hid, "options", 0, 10)
    other.update_highlight(hid, note="One.\n\nTheirs.")  # another window
    other.close()
    editor = w.note_taking.panel.card(hid).note.editor
    qtbot.keyClicks(editor, " Mine")  # not saved yet...
    qtbot.keyClick(editor, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # recolour
    qtbot.wait(100)
    w.note_taking.flush()
    qtbot.wait(50)
    note = app.store.get_highlight(hid).note
    assert "Theirs." in note and "One. Mine" in note


def test_recovered_text_that_cannot_be_saved_then_typed_on_brings_nothing_back(
        qtbot, app, brief_path, monkeypatch):
    from briefreader.ui import note_taking as nt
    w = app.open(brief_path)
    hid = _note_typed(qtbot, w, "Old para")
    real = Store.update_highlight

    def notes_fail(self, highlight_id, *, note=None, **others):
        if note is not None:
            _disk_full()
        return real(self, highlight_id, note=note, **others)

    monkeypatch.setattr(Store, "update_highlight", notes_fail)
    editor = w.note_taking.panel.card(hid).note.editor
    editor.selectAll()
    qtbot.keyClicks(editor, "New para")
    w.note_taking.flush()
    assert "disk is full" in w.note_taking.panel.error_text(hid)
    monkeypatch.setattr(nt, "confirm_close_unsaved", lambda _w: True)
    app.close()
    w = app.open(brief_path)  # the journal's text cannot be saved either: kept as a draft
    panel = w.note_taking.panel
    assert panel.typed_over(hid) == "Old para"  # what the store held, not ""
    monkeypatch.setattr(Store, "update_highlight", real)
    qtbot.waitUntil(lambda: hid in panel.highlight_ids())
    panel.select_highlight(hid, focus_editor=True)
    editor = panel.card(hid).note.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " more")
    w.note_taking.flush()
    note = app.store.get_highlight(hid).note
    assert note == "New para more"  # the paragraph typed over does not come back
    assert "another window" not in w.statusBar().currentMessage()


def test_a_failed_draft_of_a_note_moved_elsewhere_is_kept_with_its_retry(
        qtbot, app, brief_path, monkeypatch):
    from briefreader.notes import NotesService
    w, hid = _note_text_unsaved(qtbot, app, brief_path, monkeypatch, "One.", " Mine")
    other = Store.open(Paths(app.data))
    NotesService(other, author="Bo").reattach(w.brief, hid, "options", 0, 10)
    other.close()
    w.note_taking.annotations.recolour(hid, "green")  # reads the note again: moved
    qtbot.wait(50)
    monkeypatch.undo()
    panel = w.note_taking.panel
    assert panel.holds_draft(hid)  # not thrown away with the card
    w.show_section("options")
    qtbot.waitUntil(lambda: hid in panel.highlight_ids())
    assert "disk is full" in panel.error_text(hid)  # shown again, with Retry
    panel.select_highlight(hid, focus_editor=True)
    editor = panel.card(hid).note.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " more")
    w.note_taking.flush()
    assert app.store.get_highlight(hid).note == "One. Mine more"


def test_closing_during_an_import_says_so_keeps_the_window_painted_and_takes_it_in(
    qtbot, app, brief_path, tmp_path, monkeypatch
):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from briefreader.ui import exchange

    monkeypatch.setattr(exchange, "tell_failure", lambda *a: None)
    w = app.open(brief_path)
    w.show_section("options")
    hid = _highlighted(w, "Option two ties it to sailings kept.", "green")
    js = tmp_path / "ferry.json"
    _exported_json(qtbot, w, js, monkeypatch, ('"green"', '"blue"'))
    go = _import_paused(qtbot, w, js, monkeypatch)
    seen = []

    def while_closing() -> None:
        dialogs = [d for d in QApplication.topLevelWidgets()
                   if isinstance(d, QProgressDialog) and d.isVisible()]
        seen.append([d.labelText() for d in dialogs])
        for d in dialogs:  # it cannot be put away while the window waits
            qtbot.keyClick(d, Qt.Key.Key_Escape)
            d.close()
        seen.append([d.isVisible() for d in dialogs])
        w.close()  # asked again meanwhile: nothing happens twice
        go.set()

    QTimer.singleShot(200, while_closing)  # runs only if closing leaves the loop turning
    w.close()
    assert seen and len(seen[0]) == 1 and "Importing the notes" in seen[0][0]
    assert seen[1] == [True]
    assert not w.isVisible() and not w.note_taking.exchange.tasks
    assert app.store.get_highlight(hid).color == "blue"


def test_an_import_failing_while_the_window_waits_to_close_is_told_once(
    qtbot, app, brief_path, tmp_path, monkeypatch
):
    import threading

    from PySide6.QtCore import QTimer

    from briefreader.ui import exchange

    w = app.open(brief_path)
    told = []
    monkeypatch.setattr(exchange, "tell_failure", lambda parent, title, text: told.append(text))
    js = tmp_path / "broken.json"
    js.write_text('{"br:format": 1, "type": "AnnotationCollection", "first": ', "utf-8")
    release = threading.Event()
    real = exchange.import_notes
    monkeypatch.setattr(exchange, "import_notes",
                        lambda *a, **k: (release.wait(10), real(*a, **k))[1])
    monkeypatch.setattr(exchange, "ask_open_path", lambda *a: str(js))
    w.actions_.import_notes.trigger()
    QTimer.singleShot(200, release.set)  # fails on reading, once the window is closing
    w.close()
    qtbot.wait(100)  # (a second telling would come on a later turn)
    assert len(told) == 1 and told[0].startswith("Import failed:")


@pytest.mark.parametrize("anyway", [False, True])
def test_importing_notes_of_another_brief_asks_before_it_imports_them_here(
    qtbot, app, brief_path, tmp_path, monkeypatch, anyway
):
    from briefreader import export as ex
    from briefreader.notes import NotesService
    from briefreader.parse import load_brief
    from briefreader.ui import exchange

    (tmp_path / "there").mkdir()
    school = tmp_path / "there" / "schools.txt"
    school.write_text("School Meals Brief\n\nFree meals reach every pupil from January.\n",
                      encoding="utf-8")
    elsewhere = Store(tmp_path / "there" / "notes.sqlite3")
    theirs = NotesService(elsewhere)
    school_brief = load_brief(school)
    theirs.annotate(school_brief, school_brief.sections[-1].id, "every pupil", note="meals")
    js = tmp_path / "schools.json"
    js.write_text(ex.export_json(ex.gather(theirs, school_brief)), encoding="utf-8")
    elsewhere.close()

    w = app.open(brief_path)
    asked = []
    monkeypatch.setattr(exchange, "ask_open_path", lambda *a: str(js))
    monkeypatch.setattr(exchange, "ask_import_anyway",
                        lambda parent, theirs, here: asked.append((theirs, here)) or anyway)
    w.actions_.import_notes.trigger()
    qtbot.waitUntil(lambda: bool(asked) and not w.note_taking.exchange.tasks)
    assert asked == [("School Meals Brief", w.brief.title)]
    key = w.note_taking.annotations.open_key()
    if anyway:
        qtbot.waitUntil(lambda: "Import:" in w.banner.text())
        assert [h.note for h in app.store.highlights(key)] == ["meals"]
    else:
        assert "Nothing was imported" in w.banner.text()
        assert app.store.highlights(key, trash=None) == []


def test_the_banner_of_an_import_says_which_notes_were_skipped_and_why(
    qtbot, app, brief_path, tmp_path, monkeypatch
):
    import json

    from briefreader.ui import exchange

    items = [
        {"id": "https://example.org/a/1", "type": "Annotation", "bodyValue": "Kept",
         "target": {"selector": {"type": "TextQuoteSelector", "exact": "Island councils"}}},
        {"id": "https://example.org/a/2", "type": "Annotation", "motivation": "replying",
         "bodyValue": "Agreed", "target": "https://example.org/a/1"},
    ]
    js = tmp_path / "tool.json"
    js.write_text(json.dumps({"type": "AnnotationPage", "items": items}), encoding="utf-8")
    w = app.open(brief_path)
    monkeypatch.setattr(exchange, "ask_open_path", lambda *a: str(js))
    w.actions_.import_notes.trigger()
    qtbot.waitUntil(lambda: "Import:" in w.banner.text())
    text = w.banner.text()
    assert "1 added" in text and "1 skipped" in text
    assert "replying to a highlight" in text and "item 2 (https://example.org/a/2)" in text


def test_a_note_edited_after_an_export_made_while_the_database_was_busy_keeps_what_left(
    qtbot, app, brief_path, tmp_path, monkeypatch
):
    import json
    import sqlite3
    import threading

    from briefreader import store as store_mod
    from briefreader.ui import exchange

    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 100)  # the real wait is 10 s
    w = app.open(brief_path)
    w.show_section("options")
    hid = _highlighted(w, "Option two ties it to sailings kept.", "green")
    an = w.note_taking.annotations
    an.edit_note(hid, "The figure is 21 percent.")
    real = exchange.gather

    writing, go = threading.Event(), threading.Event()

    def busy_while_read(service, *a, **k):
        lock = sqlite3.connect(service.store.database, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # another program, for a moment
        try:
            data = real(service, *a, **k)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        writing.set()  # read: the window goes on as the file is written
        assert go.wait(10)
        return data

    monkeypatch.setattr(exchange, "gather", busy_while_read)
    real_write = exchange.write_atomically
    sent: list[str] = []

    def write(path, text, **k):
        (item,) = json.loads(text)["first"]["items"]
        sent.append([t for t in item["br:versions"].split() if t.startswith("t:")][-1])
        real_write(path, text, **k)

    monkeypatch.setattr(exchange, "write_atomically", write)
    out = tmp_path / "sent.json"
    monkeypatch.setattr(exchange, "ask_save_path", lambda *a: str(out))
    w.actions_.export_notes.trigger()
    qtbot.waitUntil(writing.is_set)
    an.edit_note(hid, "The figure is 12 percent.")  # the typo fixed, as the file is written
    go.set()
    qtbot.waitUntil(lambda: not w.note_taking.exchange.tasks)
    assert sent[0] in app.store.lineages(ids=[hid])[hid].split()


def _two_notes_reissued(app, brief_path, councils: str):
    """The window on the ferry brief reissued after two yellow highlights were made: the
    one on "1.1 million passengers" changed (1.2 million now), the other's sentence
    about the island councils replaced by ``councils``."""
    w = app.open(brief_path)
    w.show_section("background")
    for quote in ("1.1 million passengers", "Island councils asked for a review"):
        select_text(w, quote)
        w.actions_.highlight_colours["yellow"].trigger()
    app.close()
    text = BRIEF.replace("The ferry link carries 1.1 million passengers a year.",
                         "The ferry link now carries 1.2 million passengers a year.")
    brief_path.write_text(text.replace("Island councils asked for a review in March.",
                                       councils), encoding="utf-8")
    return app.open(brief_path)


def test_review_decisions_are_undone_by_ctrl_z_and_nothing_else_is(qtbot, app, brief_path):
    w = _two_notes_reissued(app, brief_path, "")
    an = w.note_taking.annotations
    changed = next(h for h in an.highlights.values() if h.status == "changed")
    orphan = next(h for h in an.highlights.values() if h.status == "orphaned")
    select_text(w, "Fares rose by a fifth")  # a highlight made since the brief opened
    w.actions_.highlight_colours["green"].trigger()
    made = w.note_taking.selected_highlight
    w.actions_.show_review.trigger()
    review = w.note_taking.review
    qtbot.waitUntil(lambda: review.count() == 2)

    review.row(changed.id).accept_button.click()
    qtbot.waitUntil(lambda: review.highlight_ids() == [orphan.id])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier)
    # The decision is undone, the stored quote with it; the new highlight stays.
    qtbot.waitUntil(lambda: review.count() == 2)
    assert made in an.highlights
    back = app.store.get_highlight(changed.id)
    assert (back.exact, back.status) == ("1.1 million passengers", "changed")

    review.row(orphan.id).orphan_button.click()
    qtbot.waitUntil(lambda: app.store.get_highlight(orphan.id).reviewed is not None)
    w.note_taking.undo_action.trigger()
    qtbot.waitUntil(lambda: review.summary.text() == "2 notes need review")
    assert app.store.get_highlight(orphan.id).reviewed is None
    w.note_taking.redo_action.trigger()
    qtbot.waitUntil(lambda: review.summary.text()
                    == "1 note needs review · 1 note kept without a place")


def test_review_keeps_its_place_while_the_text_to_attach_to_is_selected(qtbot, app,
                                                                         brief_path):
    w = _two_notes_reissued(app, brief_path, "Councils asked in March.")
    an = w.note_taking.annotations
    orphan = next(h for h in an.highlights.values() if h.status == "orphaned")
    w.actions_.show_review.trigger()
    review = w.note_taking.review
    qtbot.waitUntil(lambda: review.count() == 2)
    assert review.highlight_ids()[1] == orphan.id
    attach = review.row(orphan.id).attach_button
    while QApplication.focusWidget() is not attach:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    # To the text (Alt+2), select what the note belongs to, and back (Alt+3).
    w.actions_.focus_reader.trigger()
    qtbot.waitUntil(w.reader.hasFocus)
    select_text(w, "Councils asked in March.")
    w.actions_.focus_notes.trigger()
    assert QApplication.focusWidget() is attach  # not the first row's Accept
    qtbot.keyClick(attach, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: app.store.get_highlight(orphan.id).status == "anchored")
    assert app.store.get_highlight(orphan.id).exact == "Councils asked in March."


def test_review_offers_an_orphan_the_copies_of_its_quote(qtbot, app, brief_path):
    w = app.open(brief_path)
    w.show_section("options")
    select_text(w, "Option two ties it to sailings kept.")
    w.actions_.highlight_colours["yellow"].trigger()
    hid = w.note_taking.selected_highlight
    app.close()
    # Said twice now, each time among other words: placed on neither unasked.
    brief_path.write_text(BRIEF.replace(
        "Option one keeps the subsidy flat. Option two ties it to sailings kept.\n"
        "Option three tenders the route again from next spring.",
        "Option two ties it to sailings kept. That is the councils' view.\n\n"
        "Option three tenders the route again. Option two ties it to sailings kept."
        " That is the operator's view."), encoding="utf-8")
    w = app.open(brief_path)
    assert w.note_taking.annotations.highlights[hid].status == "orphaned"
    w.actions_.show_review.trigger()
    review = w.note_taking.review
    qtbot.waitUntil(lambda: review.row(hid) is not None)
    row = review.row(hid)
    # Not "No matching text": the quote is there, twice, and each copy can be used.
    assert "No matching text" not in row.new_text.text()
    assert len(row.candidate_buttons) == 2
    row.candidate_buttons[1].click()
    qtbot.waitUntil(lambda: app.store.get_highlight(hid).status == "anchored")
    placed = app.store.get_highlight(hid)
    options = next(t.text for t in w.note_taking.annotations.notes.section_texts(w.brief)
                   if t.id == "options")
    assert placed.current_start == options.rindex("Option two ties it to sailings kept.")
