"""Unposted comments and replies are never lost: kept on disk as drafts while typing,
put back after a restart (or a crash), forgotten once posted or emptied."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from briefreader.errors import BriefreaderError
from briefreader.notes import NotesService
from briefreader.parse import load_brief
from briefreader.paths import Paths
from briefreader.records import now_utc, stamp
from briefreader.settings import MAX_COMMENT_DRAFTS, Settings
from briefreader.store import Store
from briefreader.ui.main_window import MainWindow
from briefreader.ui.notes_panel import SAVE_DELAY_MS, CommentDraftKey
from panel_data import LABELS
from windows import BRIEF, ferry_brief, open_window

KEY = "ferry-2026"  # the brief's id: how the notes (and so the drafts) know it


@pytest.fixture
def brief_path(tmp_path: Path) -> Path:
    return ferry_brief(tmp_path)


class Session:
    """Windows on one data folder. A new window while the old one still runs (never
    closed, never flushed) is what the next start after a crash sees."""

    def __init__(self, qtbot, data: Path) -> None:
        self.qtbot = qtbot
        self.paths = Paths(data).ensure()
        self.stores: list[Store] = []

    def open(self, path: Path, section: str) -> MainWindow:
        window, store = open_window(self.qtbot, self.paths, path)
        self.stores.append(store)
        window.activateWindow()
        go_to(self.qtbot, window, section)
        return window

    def on_disk(self, section: str) -> dict:
        """The drafts of a section as a fresh start would read them from the file."""
        return Settings(self.paths.settings_file).comment_drafts(KEY, section)


@pytest.fixture
def session(qtbot, tmp_path):
    s = Session(qtbot, tmp_path / "data")
    yield s
    for store in s.stores:
        store.close()


def go_to(qtbot, window: MainWindow, section: str) -> None:
    """Show a section and wait until the notes panel is that section's."""
    window.show_section(section)
    panel = window.note_taking.panel
    qtbot.waitUntil(lambda: window.reader.section.id == section
                    and panel.title_label.text() == window.reader.section.title)


def type_into(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, text)


def reply_begun(qtbot, w: MainWindow, text: str = "Option one, this year") -> str:
    """Post a comment in Options and type a reply to it; the comment's id."""
    panel = w.note_taking.panel
    panel.comment_added.emit("Which option is cheapest?", None)
    cid = w.note_taking.annotations.comments_in("options")[0].id
    qtbot.waitUntil(lambda: panel.card(cid) is not None)
    qtbot.mouseClick(panel.card(cid).reply_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, panel.card(cid).reply_composer.edit, text)
    return cid


def wait_on_disk(qtbot, session: Session, section: str, expected: dict) -> None:
    """Soon after the last keystroke, with nothing closed or flushed, a fresh start
    (a new Settings on the file) reads the drafts as expected. The autosave runs
    SAVE_DELAY_MS after the typing stops; the generous timeout only spares a loaded
    machine a flaky failure."""
    qtbot.waitUntil(lambda: session.on_disk(section) == expected, timeout=3000)


def test_unposted_comment_is_on_disk_and_back_after_a_restart(qtbot, session, brief_path):
    w = session.open(brief_path, "options")
    panel = w.note_taking.panel
    type_into(qtbot, panel.composer.edit, "Option two, but what does it cost?")
    assert session.on_disk("options") == {}  # not a write per keystroke
    wait_on_disk(qtbot, session, "options", {None: "Option two, but what does it cost?"})

    w2 = session.open(brief_path, "options")  # the first window is never closed
    composer = w2.note_taking.panel.composer
    assert composer.text() == "Option two, but what does it cost?"
    assert composer.post_button.isEnabled()
    # Posting the restored draft works as usual and forgets the draft at once.
    composer.edit.setFocus()
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    comments = w2.note_taking.annotations.comments_in("options")
    assert [(c.body, c.reply_to) for c in comments] == [
        ("Option two, but what does it cost?", None)]
    assert composer.text() == ""
    assert session.on_disk("options") == {}
    qtbot.wait(SAVE_DELAY_MS + 200)  # and nothing brings it back
    w2.note_taking.panel.flush()  # and whatever is still pending, sent now
    assert session.on_disk("options") == {}


def test_unposted_reply_is_on_disk_and_back_after_a_restart(qtbot, session, brief_path):
    w = session.open(brief_path, "options")
    cid = reply_begun(qtbot, w)
    wait_on_disk(qtbot, session, "options", {cid: "Option one, this year"})

    w2 = session.open(brief_path, "options")
    panel2 = w2.note_taking.panel
    card2 = panel2.card(cid)
    assert card2.reply_composer is not None and card2.reply_composer.isVisible()
    assert card2.reply_composer.text() == "Option one, this year"
    assert panel2.composer.text() == ""  # a reply stays a reply
    qtbot.mouseClick(card2.reply_composer.post_button, Qt.MouseButton.LeftButton)
    thread = w2.note_taking.annotations.comments_in("options")
    assert [(c.body, c.reply_to) for c in thread] == [
        ("Which option is cheapest?", None), ("Option one, this year", cid)]
    assert session.on_disk("options") == {}


def test_a_draft_stays_with_its_section(qtbot, session, brief_path):
    w = session.open(brief_path, "options")
    panel = w.note_taking.panel
    type_into(qtbot, panel.composer.edit, "About the options")
    wait_on_disk(qtbot, session, "options", {None: "About the options"})
    go_to(qtbot, w, "background")
    assert panel.composer.text() == ""
    go_to(qtbot, w, "options")
    assert panel.composer.text() == "About the options"

    w2 = session.open(brief_path, "background")
    panel2 = w2.note_taking.panel
    assert panel2.composer.text() == ""
    assert session.on_disk("background") == {}
    go_to(qtbot, w2, "options")
    assert panel2.composer.text() == "About the options"


def test_leaving_the_box_or_the_section_keeps_the_draft_at_once(qtbot, session, brief_path):
    w = session.open(brief_path, "options")
    panel = w.note_taking.panel
    type_into(qtbot, panel.composer.edit, "Focus moves on")
    w.reader.setFocus()
    qtbot.waitUntil(w.reader.hasFocus)
    assert session.on_disk("options") == {None: "Focus moves on"}  # no delay waited
    type_into(qtbot, panel.composer.edit, ", then the section")
    w.show_section("recommendation")  # the panel is flushed before it changes
    assert session.on_disk("options") == {None: "Focus moves on, then the section"}
    go_to(qtbot, w, "options")
    type_into(qtbot, panel.composer.edit, ", then the window")
    w.close()
    assert session.on_disk("options") == {None: "Focus moves on, then the section, then the window"}


def test_emptying_the_box_forgets_the_draft(qtbot, session, brief_path):
    w = session.open(brief_path, "options")
    edit = w.note_taking.panel.composer.edit
    type_into(qtbot, edit, "Never mind")
    wait_on_disk(qtbot, session, "options", {None: "Never mind"})
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert edit.toPlainText() == ""
    wait_on_disk(qtbot, session, "options", {})  # the draft is gone from the file
    qtbot.wait(SAVE_DELAY_MS + 200)  # and no later save brings it back
    w.note_taking.panel.flush()  # and whatever is still pending, sent now
    assert session.on_disk("options") == {}
    w2 = session.open(brief_path, "options")
    assert w2.note_taking.panel.composer.text() == ""


def test_a_comment_that_fails_to_post_is_put_back_and_kept(qtbot, session, brief_path,
                                                          monkeypatch):
    w = session.open(brief_path, "options")
    composer = w.note_taking.panel.composer
    type_into(qtbot, composer.edit, "Keep me")

    def fail(*_args, **_kw):
        raise BriefreaderError("database is locked")

    monkeypatch.setattr(w.note_taking.annotations.notes, "comment", fail)
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert composer.text() == "Keep me"
    assert "database is locked" in composer.error.text()
    assert session.on_disk("options") == {None: "Keep me"}
    qtbot.wait(SAVE_DELAY_MS + 200)
    w.note_taking.panel.flush()  # and whatever is still pending, sent now
    assert session.on_disk("options") == {None: "Keep me"}


def test_a_failed_draft_write_does_not_break_the_panel(qtbot, session, brief_path,
                                                      monkeypatch):
    w = session.open(brief_path, "options")
    composer = w.note_taking.panel.composer

    def fail(*_args, **_kw):
        raise OSError("disk full")

    monkeypatch.setattr(w.settings, "save_comment_draft", fail)
    type_into(qtbot, composer.edit, "Still here")
    qtbot.waitUntil(lambda: "could not be kept" in w.statusBar().currentMessage(),
                    timeout=2000)
    assert composer.text() == "Still here"
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert [c.body for c in w.note_taking.annotations.comments_in("options")] == ["Still here"]


def test_an_old_journal_never_overrides_a_later_draft_or_a_posted_comment(qtbot, session,
                                                                           brief_path):
    journal = session.paths.data_dir / "journal"
    journal.mkdir(parents=True)
    long_ago = stamp(datetime.now(UTC) - timedelta(minutes=5))
    (journal / "gone.jsonl").write_text("".join(json.dumps({
        "kind": "draft", "brief": KEY, "item": section, "reply_to": "", "text": text,
        "at": long_ago}) + "\n" for section, text in (
            ("background", "Ask the councils"), ("options", "Posted since"))),
        encoding="utf-8")
    Settings(session.paths.settings_file).save_comment_draft(
        KEY, "background", None, "Ask the councils which sailings matter most")
    store = Store.open(session.paths)
    NotesService(store, author="Ana").comment(load_brief(brief_path), "options", "Posted since")
    store.close()

    w = session.open(brief_path, "background")
    assert w.note_taking.panel.composer.text() == "Ask the councils which sailings matter most"
    go_to(qtbot, w, "options")
    assert w.note_taking.panel.composer.text() == ""
    assert session.on_disk("options") == {}


def _left_by_a_crash(session: Session, section: str, text: str, at: str = "") -> None:
    """A comment draft typed ``at`` (default: now) in a window that then crashed."""
    folder = session.paths.data_dir / "journal"
    folder.mkdir(exist_ok=True)
    (folder / "crashed.jsonl").write_text(json.dumps({
        "kind": "draft", "brief": KEY, "item": section, "reply_to": "", "text": text,
        "at": at or now_utc()}) + "\n", encoding="utf-8")


def test_a_crashed_windows_comment_and_a_running_windows_are_both_kept(qtbot, session,
                                                                        brief_path):
    b = session.open(brief_path, "options")  # keeps running
    type_into(qtbot, b.note_taking.panel.composer.edit, "B: ask about sailings")
    wait_on_disk(qtbot, session, "options", {None: "B: ask about sailings"})
    _left_by_a_crash(session, "options", "A: typed in the window that crashed")
    c = session.open(brief_path, "options")  # a third window takes the journal over
    shown = c.note_taking.panel.composer.text()
    assert "B: ask about sailings" in shown and "A: typed" in shown
    assert session.on_disk("options") == {None: shown}


def test_a_draft_is_taken_for_posted_only_in_its_own_section(qtbot, session, brief_path):
    w = session.open(brief_path, "background")
    w.note_taking.panel.comment_added.emit("Agreed.", None)  # posted in Background
    w.close()
    _left_by_a_crash(session, "options", "Agreed.")  # begun in Options, then a crash
    w2 = session.open(brief_path, "options")
    assert w2.note_taking.panel.composer.text() == "Agreed."


def test_a_draft_typed_before_an_older_comment_of_the_same_words_comes_back(
        qtbot, session, brief_path):
    w = session.open(brief_path, "options")
    w.note_taking.panel.comment_added.emit("Agreed.", None)  # posted earlier
    w.close()
    # A second "Agreed." begun later in the same section, then a crash before autosave.
    _left_by_a_crash(session, "options", "Agreed.",
                     at=stamp(datetime.now(UTC) + timedelta(seconds=1)))
    w2 = session.open(brief_path, "options")
    assert w2.note_taking.panel.composer.text() == "Agreed."


def _drafts_file_fails_after(qtbot, session, monkeypatch, w, text: str) -> None:
    """``text`` typed and kept in the drafts file; from then on the file cannot be
    written (a full disk; or a crash before the next autosave leaves the same)."""
    type_into(qtbot, w.note_taking.panel.composer.edit, text)
    wait_on_disk(qtbot, session, "options", {None: text})
    monkeypatch.setattr(w.settings, "save_comment_draft", lambda *a, **k: False)


def test_a_draft_edited_after_its_autosave_comes_back_once(qtbot, session, brief_path,
                                                            monkeypatch):
    w = session.open(brief_path, "options")
    _drafts_file_fails_after(qtbot, session, monkeypatch, w, "Ask about the timetable")
    edit = w.note_taking.panel.composer.edit
    cursor = edit.textCursor()
    cursor.setPosition(len("Ask about the "))
    edit.setTextCursor(cursor)
    qtbot.keyClicks(edit, "winter ")
    assert w.close()
    monkeypatch.undo()
    w2 = session.open(brief_path, "options")
    assert w2.note_taking.panel.composer.text() == "Ask about the winter timetable"


def test_a_draft_emptied_after_its_autosave_does_not_come_back(qtbot, session, brief_path,
                                                               monkeypatch):
    w = session.open(brief_path, "options")
    _drafts_file_fails_after(qtbot, session, monkeypatch, w, "A remark thought better of")
    edit = w.note_taking.panel.composer.edit
    edit.selectAll()
    edit.textCursor().removeSelectedText()
    assert w.close()
    monkeypatch.undo()
    w2 = session.open(brief_path, "options")
    assert w2.note_taking.panel.composer.text() == ""
    assert session.on_disk("options") == {}


@pytest.mark.parametrize("journalled", [False, True])
def test_a_draft_of_a_section_a_reissue_renamed_is_shown_where_its_comments_went(
        qtbot, session, brief_path, journalled):
    w = session.open(brief_path, "options")
    w.note_taking.panel.comment_added.emit("Which option is cheapest?", None)
    if journalled:  # typed, then a crash before the autosave
        w.close()
        _left_by_a_crash(session, "options", "And which is quickest?")
    else:
        type_into(qtbot, w.note_taking.panel.composer.edit, "And which is quickest?")
        wait_on_disk(qtbot, session, "options", {None: "And which is quickest?"})
        w.close()
    brief_path.write_text(BRIEF.replace("# Options", "# Choices for ministers"),
                          encoding="utf-8")
    w2 = session.open(brief_path, "choices-for-ministers")
    assert w2.note_taking.panel.composer.text() == "And which is quickest?"
    assert session.on_disk("options") == {}
    assert "Choices for ministers" in w2.statusBar().currentMessage()


@pytest.mark.parametrize("worker_fails", [False, True])
def test_notes_placed_on_a_worker_keep_the_drafts_of_a_renamed_section(
        qtbot, session, brief_path, monkeypatch, worker_fails):
    import sqlite3
    import threading

    from briefreader import notes as notes_mod
    from briefreader.ui import main_window

    w = session.open(brief_path, "options")
    w.note_taking.panel.comment_added.emit("Which option is cheapest?", None)
    type_into(qtbot, w.note_taking.panel.composer.edit, "And which is quickest?")
    wait_on_disk(qtbot, session, "options", {None: "And which is quickest?"})
    w.close()
    brief_path.write_text(BRIEF.replace("# Options", "# Choices for ministers"),
                          encoding="utf-8")
    monkeypatch.setattr(main_window, "PLACE_ON_A_WORKER", 1)
    threads = []
    real = notes_mod.place_notes

    def on_which_thread(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(notes_mod, "place_notes", on_which_thread)
    if worker_fails:  # the worker's own connection cannot be opened
        def locked(*_args, **_kwargs):
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(notes_mod, "Store", locked)
    w2 = session.open(brief_path, "choices-for-ministers")
    # Placed once: on the worker, or else by the window when its notes open.
    assert threads == [worker_fails]
    comments = w2.note_taking.annotations.comments_in("choices-for-ministers")
    assert [(c.body, c.status) for c in comments] == [("Which option is cheapest?", "moved")]
    assert w2.note_taking.panel.composer.text() == "And which is quickest?"
    assert session.on_disk("options") == {}
    assert "Choices for ministers" in w2.statusBar().currentMessage()
    assert "changed since you last read it: 1 note moved" in w2.banner.label.text()


def test_a_draft_follows_a_section_renamed_twice(qtbot, session, brief_path):
    w = session.open(brief_path, "options")
    w.note_taking.panel.comment_added.emit("Which option is cheapest?", None)
    w.close()
    first = BRIEF.replace("# Options", "# Choices for ministers")
    brief_path.write_text(first, encoding="utf-8")
    w2 = session.open(brief_path, "choices-for-ministers")
    type_into(qtbot, w2.note_taking.panel.composer.edit, "And which is quickest?")
    wait_on_disk(qtbot, session, "choices-for-ministers", {None: "And which is quickest?"})
    w2.close()
    brief_path.write_text(first.replace("# Choices for ministers", "# Ministerial choices"),
                          encoding="utf-8")
    w3 = session.open(brief_path, "ministerial-choices")
    assert w3.note_taking.panel.composer.text() == "And which is quickest?"


def test_a_draft_recovered_from_long_ago_is_not_pruned_as_old_at_once(qtbot, session,
                                                                      brief_path):
    _left_by_a_crash(session, "options", "Typed before a long holiday.",
                     at=stamp(datetime.now(UTC) - timedelta(days=45)))
    w = session.open(brief_path, "options")
    assert w.note_taking.panel.composer.text() == "Typed before a long holiday."
    # Another draft begun elsewhere prunes drafts left untouched too long: not this one.
    assert Settings(session.paths.settings_file).save_comment_draft(KEY, "background", None,
                                                                     "Another.")
    assert session.on_disk("options") == {None: "Typed before a long holiday."}


def test_a_draft_of_a_section_a_reissue_removed_goes_to_the_first_section(
        qtbot, session, brief_path):
    _left_by_a_crash(session, "options", "Which option is cheapest?")
    brief_path.write_text(BRIEF.replace("# Options", "").replace("## Options", ""),
                          encoding="utf-8")
    w = session.open(brief_path, "background")
    first = w.brief.sections[0]
    assert "options" not in {s.id for s in w.brief.sections}
    go_to(qtbot, w, first.id)
    assert w.note_taking.panel.composer.text() == "Which option is cheapest?"


# --------------------------------------------------------------------------- the panel


def test_a_reply_whose_comment_was_deleted_comes_back_as_a_comment(qtbot, session,
                                                                   brief_path):
    w = session.open(brief_path, "options")
    cid = reply_begun(qtbot, w)
    wait_on_disk(qtbot, session, "options", {cid: "Option one, this year"})
    session.stores[0].delete_comment(cid)  # e.g. from another window, before a crash

    w2 = session.open(brief_path, "options")
    panel2 = w2.note_taking.panel
    assert panel2.card(cid) is None
    assert panel2.composer.text() == "Option one, this year"
    assert "deleted" in panel2.composer.error.text() and panel2.composer.error.isVisible()
    # Kept on disk as the section's comment now, not as a reply to nothing.
    assert session.on_disk("options") == {None: "Option one, this year"}
    qtbot.mouseClick(panel2.composer.post_button, Qt.MouseButton.LeftButton)
    comments = w2.note_taking.annotations.comments_in("options")
    assert [(c.body, c.reply_to) for c in comments] == [("Option one, this year", None)]
    assert session.on_disk("options") == {}
    assert not panel2.composer.error.isVisible()


def test_a_reply_goes_with_its_comment_to_the_section_it_moved_to(qtbot, session,
                                                                   brief_path):
    w = session.open(brief_path, "options")
    cid = reply_begun(qtbot, w)
    wait_on_disk(qtbot, session, "options", {cid: "Option one, this year"})
    # The brief is reissued with the section renamed: the comment follows it.
    brief_path.write_text(BRIEF.replace("# Options", "# Choices for ministers"),
                          encoding="utf-8")

    w2 = session.open(brief_path, "background")
    an = w2.note_taking.annotations
    moved_to = an.comments[cid].current_section
    assert moved_to not in (None, "options")
    assert w2.note_taking.panel.composer.text() == ""  # not a lost reply anywhere else
    w2.show_section(moved_to)
    panel2 = w2.note_taking.panel
    qtbot.waitUntil(lambda: panel2.card(cid) is not None)
    card = panel2.card(cid)
    assert card.reply_composer is not None and card.reply_composer.text() == "Option one, this year"
    assert panel2.composer.text() == ""
    assert session.on_disk("options") == {}  # kept under the new section from now on
    assert session.on_disk(moved_to) == {cid: "Option one, this year"}
    qtbot.mouseClick(card.reply_composer.post_button, Qt.MouseButton.LeftButton)
    assert [(c.body, c.reply_to) for c in an.comments_in(moved_to)] == [
        ("Which option is cheapest?", None), ("Option one, this year", cid)]
    assert session.on_disk(moved_to) == {} and session.on_disk("options") == {}


def test_a_reply_follows_its_comment_when_the_open_brief_is_reloaded(qtbot, session,
                                                                    brief_path):
    w = session.open(brief_path, "options")
    cid = reply_begun(qtbot, w)
    # A new version: the comment's section is now "choices"; an "options" section stays.
    brief_path.write_text(BRIEF.replace(
        "# Options\n",
        "# Costs {#options}\n\nThe crossing costs the council nine million a year in"
        " fuel, crews and harbour dues, paid monthly.\n\n# Options {#choices}\n"),
        encoding="utf-8")
    old = w.brief
    w.reload()  # File > Reload, or the library noticing the file changed
    qtbot.waitUntil(lambda: w.brief is not old)
    an, panel = w.note_taking.annotations, w.note_taking.panel
    qtbot.waitUntil(lambda: panel.card(cid) is None)
    assert w.reader.section.id == "options" and an.comments[cid].current_section == "choices"
    assert panel.composer.text() == ""  # not taken for a reply to a deleted comment
    w.show_section("choices")
    qtbot.waitUntil(lambda: panel.card(cid) is not None)
    reply = panel.card(cid).reply_composer
    assert reply is not None and reply.text() == "Option one, this year"
    panel.flush()
    assert session.on_disk("choices") == {cid: "Option one, this year"}
    assert session.on_disk("options") == {}


def test_a_reply_begun_on_a_comment_deleted_on_screen_stays_in_view(qtbot, session,
                                                                     brief_path):
    w = session.open(brief_path, "options")
    panel = w.note_taking.panel
    cid = reply_begun(qtbot, w)
    w.note_taking.annotations.delete_comment(cid)  # before the reply was even saved
    qtbot.waitUntil(lambda: panel.card(cid) is None)
    assert panel.composer.text() == "Option one, this year"
    assert panel.composer.error.isVisible()
    # On disk as the section's comment; the reply's own pending save is dropped, so
    # sending everything still pending does not bring the reply draft back.
    panel.flush()
    assert session.on_disk("options") == {None: "Option one, this year"}


# -- a reissue that renames, merges or drops a section, opened in the same window ----

OPTIONS = ("# Options\n\nOption one keeps the subsidy flat. Option two ties it to sailings"
           " kept.\nOption three tenders the route again from next spring.\n\n")
assert OPTIONS in BRIEF


def _reissued(qtbot, w, text: str) -> None:
    """The open brief's file replaced by a new version, opened again in the window."""
    w.brief.path.write_text(text, encoding="utf-8")
    old = w.brief
    w.reload()
    qtbot.waitUntil(lambda: w.brief is not old)
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.title_label.text() == w.reader.section.title)
    qtbot.wait(50)


@pytest.mark.parametrize("reading", ["background", "options"])
def test_a_draft_rehomed_into_a_section_with_a_draft_is_not_overwritten(
        qtbot, session, brief_path, reading):
    """Options is dropped by a reissue opened in the same window: its unposted comment
    goes to Background's box (the status bar says so), after Background's own draft.
    Read while Background is shown (its box in view), or while Options is (Background's
    box is then remembered by the panel)."""
    w = session.open(brief_path, "background")
    panel = w.note_taking.panel
    type_into(qtbot, panel.composer.edit, "Ask the councils")
    wait_on_disk(qtbot, session, "background", {None: "Ask the councils"})
    go_to(qtbot, w, "options")
    type_into(qtbot, panel.composer.edit, "Which option is cheapest?")
    wait_on_disk(qtbot, session, "options", {None: "Which option is cheapest?"})
    go_to(qtbot, w, reading)

    _reissued(qtbot, w, BRIEF.replace(OPTIONS, ""))  # Options dropped from the brief
    assert w.reader.section.id == "background"
    assert "comment box of “Background”" in w.statusBar().currentMessage()
    assert session.on_disk("background") == {
        None: "Ask the councils\n\nWhich option is cheapest?"}
    shown = panel.composer.text()
    panel.composer.edit.moveCursor(QTextCursor.MoveOperation.End)
    type_into(qtbot, panel.composer.edit, " Soon.")  # the user goes on typing there
    panel.flush()
    kept = session.on_disk("background").get(None, "")
    assert shown.count("Which option is cheapest?") == 1, shown
    assert kept.count("Which option is cheapest?") == 1, kept


def _all_unposted(qtbot, w) -> list[str]:
    """Every unposted comment and reply the window shows, section by section."""
    panel, texts = w.note_taking.panel, []
    for s in w.brief.sections:
        go_to(qtbot, w, s.id)
        qtbot.wait(20)
        texts.append(panel.composer.text())
        for cid in panel.comment_ids():
            reply = panel.card(cid).reply_composer
            if reply is not None and reply.isVisibleTo(panel.card(cid)):
                texts.append(reply.text())
    return texts


@pytest.mark.parametrize("how", ["reloaded", "restarted", "crashed"])
def test_a_reply_to_a_comment_whose_section_a_reissue_dropped_is_not_lost(
        qtbot, session, brief_path, how):
    """Options is dropped: its comment is orphaned (shown in no section). The reply
    begun on it must still be shown somewhere, once."""
    w = session.open(brief_path, "options")
    cid = reply_begun(qtbot, w)
    wait_on_disk(qtbot, session, "options", {cid: "Option one, this year"})
    if how == "reloaded":  # the new version opened in the same window
        _reissued(qtbot, w, BRIEF.replace(OPTIONS, ""))
    else:
        w.close()
        if how == "crashed":  # the last words typed only in the journal
            Settings(session.paths.settings_file).save_comment_draft(KEY, "options", cid, "")
            (session.paths.data_dir / "journal" / "crashed.jsonl").write_text(json.dumps({
                "kind": "draft", "brief": KEY, "item": "options", "reply_to": cid,
                "text": "Option one, this year", "at": now_utc()}) + "\n", encoding="utf-8")
        brief_path.write_text(BRIEF.replace(OPTIONS, ""), encoding="utf-8")
        w = session.open(brief_path, "background")
    assert w.note_taking.annotations.comments[cid].status == "orphaned"
    shown = _all_unposted(qtbot, w)
    assert sum(t.count("Option one, this year") for t in shown) == 1, shown


def test_a_reply_whose_comment_a_reissue_moved_into_the_section_being_read_is_shown(
        qtbot, session, brief_path):
    """A reply kept on disk (begun in an earlier run) to a comment that a reissue, opened
    while Background is read, moves into Background: the comment's card appears there
    without the reply; a reply typed anew then replaces the one kept."""
    w = session.open(brief_path, "options")
    cid = reply_begun(qtbot, w)
    wait_on_disk(qtbot, session, "options", {cid: "Option one, this year"})
    w.close()
    w = session.open(brief_path, "background")  # the next day
    panel = w.note_taking.panel
    # Reissued: the Options heading is gone, its text is now part of Background.
    _reissued(qtbot, w, BRIEF.replace("# Options\n\n", ""))
    assert w.reader.section.id == "background"
    assert w.note_taking.annotations.comments[cid].current_section == "background"
    qtbot.waitUntil(lambda: panel.card(cid) is not None)
    # The user replies (again: the reply begun before is not in view).
    qtbot.mouseClick(panel.card(cid).reply_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, panel.card(cid).reply_composer.edit, "And next year?")
    panel.flush()
    w.show_section("recommendation")
    go_to(qtbot, w, "background")
    shown = _all_unposted(qtbot, w)
    assert sum(t.count("Option one, this year") for t in shown) == 1, shown


def test_the_panel_keys_drafts_by_brief_and_section(qtbot, panel):
    stored = {("A", "s2"): {None: "kept from last time"}}
    panel.set_comment_draft_loader(lambda brief, section: stored.get((brief, section), {}))
    emitted = []
    panel.comment_draft_changed.connect(lambda key, text: emitted.append((key, text)))

    def show(brief, section):
        panel.set_section(section.upper(), [], [], labels=LABELS, section_id=section,
                          brief_key=brief)

    show("A", "s1")
    panel.composer.edit.setFocus()
    qtbot.keyClicks(panel.composer.edit, "in A")
    show("B", "s1")  # the same section id in another brief
    assert panel.composer.text() == ""
    assert emitted == [(CommentDraftKey("A", "s1", None), "in A")]
    show("A", "s2")
    assert panel.composer.text() == "kept from last time"
    show("A", "s1")
    assert panel.composer.text() == "in A"
    qtbot.wait(SAVE_DELAY_MS + 200)
    panel.flush()  # and whatever is still pending, sent now
    assert len(emitted) == 1  # showing drafts again is not typing them


def test_an_empty_box_left_behind_does_not_hide_the_kept_draft(qtbot, panel):
    stored: dict = {}
    panel.set_comment_draft_loader(lambda brief, section: stored.get((brief, section), {}))
    emitted = []
    panel.comment_draft_changed.connect(lambda key, text: emitted.append((key, text)))

    def show(section):
        panel.set_section(section.upper(), [], [], labels=LABELS, section_id=section,
                          brief_key="A")

    show("s1")  # left with its box empty
    show("s2")
    stored[("A", "s1")] = {None: "kept on disk"}  # e.g. written by another window
    show("s1")
    assert panel.composer.text() == "kept on disk"
    show("s2")
    show("s1")
    assert panel.composer.text() == "kept on disk"
    qtbot.wait(SAVE_DELAY_MS + 200)
    panel.flush()  # and whatever is still pending, sent now
    assert emitted == []  # nothing overwrote it


def test_a_lost_reply_is_kept_even_when_its_words_are_in_the_comment_box(panel):
    stored = {("A", "s1"): {None: "I agree with the figures", "gone-1": "agree",
                            "gone-2": "agree"}}
    panel.set_comment_draft_loader(lambda brief, section: stored.get((brief, section), {}))
    panel.set_section("S1", [], [], labels=LABELS, section_id="s1", brief_key="A")
    # Its own paragraph (once, though kept for two comments), not lost inside another.
    assert panel.composer.text() == "I agree with the figures\n\nagree"


# --------------------------------------------------------------------------- settings


def test_settings_keep_drafts_by_brief_section_and_reply(tmp_path):
    path = tmp_path / "settings.ini"
    s = Settings(path)
    text = 'Line one, with "quotes"\nline two — é @ [x]'
    assert s.save_comment_draft("/briefs/a.md", "s1", None, text)
    assert s.save_comment_draft("/briefs/a.md", "s1", "c1", "a reply")
    assert s.save_comment_draft("/briefs/b.md", "s1", None, "other brief")
    fresh = Settings(path)
    assert fresh.comment_drafts("/briefs/a.md", "s1") == {None: text, "c1": "a reply"}
    assert fresh.comment_drafts("/briefs/b.md", "s1") == {None: "other brief"}
    assert fresh.comment_drafts("/briefs/a.md", "s2") == {}
    assert s.save_comment_draft("/briefs/a.md", "s1", "c1", "  \n")  # blank: forgotten
    assert Settings(path).comment_drafts("/briefs/a.md", "s1") == {None: text}


def test_settings_keep_a_moved_draft_found_inside_another_drafts_paragraph(tmp_path):
    s = Settings(tmp_path / "settings.ini")
    s.save_comment_draft(KEY, "rail-costs", None, "Too high")
    s.save_comment_draft(KEY, "summary", None, "Too high a share goes to rail; cut it.")
    moved = s.rehome_comment_drafts(KEY, {"summary"}, lambda _old: "summary")
    assert moved == [("rail-costs", "summary")]
    assert s.comment_drafts(KEY, "summary") == {
        None: "Too high a share goes to rail; cut it.\n\nToo high"}
    # The same words already there as a paragraph of their own are not doubled.
    s.save_comment_draft(KEY, "gone", None, "Too high")
    s.rehome_comment_drafts(KEY, {"summary"}, lambda _old: "summary")
    assert s.comment_drafts(KEY, "summary") == {
        None: "Too high a share goes to rail; cut it.\n\nToo high"}


def test_settings_move_the_drafts_of_a_brief_key_to_another_after_its_own(tmp_path):
    # Notes of one brief given to another (attached, or a brief known by another key
    # before): its unposted comments and replies go along.
    s = Settings(tmp_path / "settings.ini")
    s.save_comment_draft("old", "summary", None, "Ask the port")
    s.save_comment_draft("old", "summary", "c1", "a reply")
    s.save_comment_draft(KEY, "summary", None, "Costs?")
    assert s.move_brief_drafts({"old"}, KEY) == 2
    fresh = Settings(tmp_path / "settings.ini")
    assert fresh.comment_drafts(KEY, "summary") == {None: "Costs?\n\nAsk the port",
                                                    "c1": "a reply"}
    assert fresh.comment_drafts("old", "summary") == {}


def test_settings_moving_a_brief_keys_drafts_prunes_no_other_draft(tmp_path):
    s = Settings(tmp_path / "settings.ini")
    now = time.time()
    for i in range(MAX_COMMENT_DRAFTS - 1):
        s.save_comment_draft("other", f"s{i}", None, f"draft {i}", now=now - 1000 + i)
    s.save_comment_draft("old", "summary", None, "Ask the port", now=now)
    assert s.move_brief_drafts({"old"}, KEY) == 1
    assert s.comment_drafts("other", "s0") == {None: "draft 0"}  # the oldest is kept
    assert s.comment_drafts(KEY, "summary") == {None: "Ask the port"}


def test_settings_move_replies_to_the_section_their_comment_moved_to(tmp_path):
    path = tmp_path / "settings.ini"
    s = Settings(path)
    now = time.time()
    s.save_comment_draft("a", "old", "c1", "reply one", now=now - 60)
    s.save_comment_draft("a", "old", "c2", "reply two, later", now=now - 10)
    s.save_comment_draft("a", "new", "c2", "reply two, earlier", now=now - 20)
    s.save_comment_draft("a", "old", None, "the old section's own comment", now=now)
    s.save_comment_draft("b", "old", "c1", "another brief's", now=now)
    s.save_comment_draft("a", "new", "c3", "kept here only", now=now)
    assert s.move_reply_drafts("a", "new", ["c1", "c2", "c3"]) == {
        "c1": "reply one", "c2": "reply two, later"}
    fresh = Settings(path)
    assert fresh.comment_drafts("a", "new") == {
        "c1": "reply one", "c2": "reply two, later", "c3": "kept here only"}
    assert fresh.comment_drafts("a", "old") == {None: "the old section's own comment"}
    assert fresh.comment_drafts("b", "old") == {"c1": "another brief's"}
    assert fresh.comment_draft_saved("a", "new", "c1") == pytest.approx(now - 60)


def test_moving_a_reply_among_many_drafts_pushes_none_out(tmp_path):
    s = Settings(tmp_path / "settings.ini")
    now = time.time()
    for i in range(MAX_COMMENT_DRAFTS - 1):
        s.save_comment_draft("a", f"s{i}", None, f"draft {i}", now=now - 1000 + i)
    s.save_comment_draft("a", "old", "c1", "the reply", now=now)
    assert s.move_reply_drafts("a", "new", ["c1"]) == {"c1": "the reply"}
    fresh = Settings(tmp_path / "settings.ini")
    assert all(fresh.comment_drafts("a", f"s{i}") for i in range(MAX_COMMENT_DRAFTS - 1))


def test_settings_keep_drafts_however_old_and_at_most_so_many(tmp_path):
    path = tmp_path / "settings.ini"
    s = Settings(path)
    start = 1_000_000_000.0
    for n in range(MAX_COMMENT_DRAFTS + 20):
        s.save_comment_draft("brief", f"s{n}", None, f"draft {n}", now=start + n)
    fresh = Settings(path)
    kept = [n for n in range(MAX_COMMENT_DRAFTS + 20) if fresh.comment_drafts("brief", f"s{n}")]
    assert kept == list(range(20, MAX_COMMENT_DRAFTS + 20))  # the oldest went first
    a_year_later = start + 365 * 24 * 3600
    s.save_comment_draft("brief", f"s{MAX_COMMENT_DRAFTS + 19}", None, "edited",
                         now=a_year_later)  # an existing draft: nothing pruned
    s.save_comment_draft("brief", f"s{MAX_COMMENT_DRAFTS + 18}", None, "", now=a_year_later)
    s.save_comment_draft("brief", "new", None, "a year later", now=a_year_later)
    fresh = Settings(path)
    assert fresh.comment_drafts("brief", "new") == {None: "a year later"}
    assert fresh.comment_drafts("brief", "s20") == {None: "draft 20"}  # a year old, kept


def test_damaged_draft_entries_are_ignored(tmp_path):
    path = tmp_path / "settings.ini"
    s = Settings(path)
    s.save_comment_draft("brief", "s1", None, "fine")
    s._qs.setValue("comment_drafts/" + Settings._draft_prefix("brief", "s1") + "junk", "{not")
    s.sync()
    assert Settings(path).comment_drafts("brief", "s1") == {None: "fine"}
    assert s.save_comment_draft("brief", "s2", None, "still works")


def test_a_draft_written_after_a_failed_write_is_known_to_be_written(tmp_path):
    # QSettings goes on reporting its first error after the file can be written again.
    folder = tmp_path / "cfg"
    folder.mkdir()
    s = Settings(folder / "settings.ini")
    assert s.save_comment_draft(KEY, "options", None, "first")
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("making a folder immutable needs chattr and root")
    try:
        assert not s.save_comment_draft(KEY, "options", None, "second")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert s.save_comment_draft(KEY, "options", None, "third")
    assert Settings(folder / "settings.ini").comment_drafts(KEY, "options") == {None: "third"}
