"""File → Attach Notes of a Missing Brief…: notes kept for a brief not found where it
was read from, given to the brief shown."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from briefreader import notes as notes_module
from briefreader.notes import NotesService
from briefreader.parse import load_brief
from briefreader.paths import Paths
from briefreader.records import StoredBrief, now_utc
from briefreader.settings import Settings
from briefreader.store import Store
from briefreader.ui import attach_dialog
from briefreader.ui import main_window as main_window_module
from briefreader.ui.attach_dialog import AttachNotesDialog
from briefreader.ui.highlights import HIGHLIGHT_ID
from windows import BRIEF, ferry_brief, open_window


@pytest.fixture
def opened(qtbot):
    """open_window, and after the test, every window it opened closed with its store
    (once any notes being placed on a worker are placed)."""
    windows = []

    def open_(paths: Paths, path: Path | None = None):
        window, store = open_window(qtbot, paths, path)
        windows.append((window, store))
        return window, store

    yield open_
    for t in threading.enumerate():
        if t.name == "notes-prepare":
            t.join(10)
    for window, store in windows:
        window.close()
        store.close()


def _notes_of_a_missing_brief(tmp_path: Path, data: Path) -> str:
    """A note on last year's ferry brief (another id), whose file is gone since."""
    old = tmp_path / "old" / "ferry.md"
    old.parent.mkdir()
    old.write_text(BRIEF.replace("ferry-2026", "ferry-2025"), encoding="utf-8")
    with Store.open(Paths(data).ensure()) as store:
        h = NotesService(store, author="Ana").annotate(
            load_brief(old), "background", "Island councils", note="Which ones?")
    old.unlink()
    return h.id


def _typed_and_not_saved(data: Path, key: str, note_id: str, *, draft: bool = True) -> None:
    """Left by a window that crashed, under the brief key ``key``: text typed in the
    note ``note_id`` ("Which ones? All six") and, with ``draft``, a comment not posted
    in Options ("Which option is cheapest?")."""
    paths = Paths(data).ensure()
    if draft:
        Settings(paths.settings_file).save_comment_draft(key, "options", None,
                                                         "Which option is cheapest?")
    journal = data / "journal"
    journal.mkdir(exist_ok=True)
    (journal / "gone.jsonl").write_text(json.dumps({
        "kind": "note", "brief": key, "item": note_id, "reply_to": "",
        "text": "Which ones? All six", "at": now_utc(), "base": "Which ones?"}) + "\n",
        encoding="utf-8")  # fmt: skip


def _typed_text_is_back(qtbot, w, note_id: str, *, draft: bool = True) -> None:
    """What ``_typed_and_not_saved`` left is in the note, and in Options' comment box."""
    assert w.note_taking.annotations.highlights[note_id].note == "Which ones? All six"
    if draft:
        w.show_section("options")
        qtbot.waitUntil(lambda: w.note_taking.panel.composer.text()
                        == "Which option is cheapest?")


def _chooses_first(monkeypatch) -> list[list[StoredBrief]]:
    offered: list[list[StoredBrief]] = []

    def choose(_parent, briefs, _title):
        offered.append(list(briefs))
        return briefs[0]

    monkeypatch.setattr(attach_dialog, "ask_missing_brief", choose)
    return offered


def _painted(w, text: str):
    from PySide6.QtGui import QTextCursor

    start = w.reader.document().toPlainText().index(text)
    cursor = QTextCursor(w.reader.document())
    cursor.setPosition(start + 1)
    return cursor.charFormat().property(HIGHLIGHT_ID)


@pytest.mark.parametrize("on_a_worker", [False, True])
def test_notes_of_a_missing_brief_are_attached_and_shown(qtbot, opened, tmp_path, monkeypatch,
                                                        on_a_worker):
    data = tmp_path / "data"
    note_id = _notes_of_a_missing_brief(tmp_path, data)
    prepared = []
    if on_a_worker:
        monkeypatch.setattr(main_window_module, "PLACE_ON_A_WORKER", 1)
        real = NotesService.prepare
        monkeypatch.setattr(NotesService, "prepare",
                            lambda self, brief: prepared.append(brief) or real(self, brief))
    offered = _chooses_first(monkeypatch)
    w, store = opened(Paths(data).ensure(), ferry_brief(tmp_path))
    w.show_section("background")
    qtbot.waitUntil(w.reader.hasFocus)
    assert w.note_taking.annotations.highlights == {}  # another id: not recognised
    qtbot.keyClick(w.reader, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert [(b.key, b.highlights) for b in offered[0]] == [("ferry-2025", 1)]
    qtbot.waitUntil(lambda: note_id in w.note_taking.annotations.highlights)
    qtbot.waitUntil(lambda: _painted(w, "Island councils") == note_id)
    assert w.note_taking.annotations.highlights[note_id].note == "Which ones?"
    assert w.banner.text() == ("Notes of “Coastal Ferry Subsidy Review” (ferry.md)"
                               " attached, each where it was.")
    assert [b.key for b in store.stored_briefs()] == ["ferry-2026"]
    # Opening placed nothing (a new brief); the attached note is placed on a worker.
    assert [b.title for b in prepared] == (["Coastal Ferry Subsidy Review"]
                                           if on_a_worker else [])


def test_with_no_missing_brief_the_window_says_so(opened, tmp_path, monkeypatch):
    offered = _chooses_first(monkeypatch)
    w, _ = opened(Paths(tmp_path / "data").ensure(), ferry_brief(tmp_path))
    w.actions_.attach_notes.trigger()
    assert offered == []
    assert "no notes to attach" in w.banner.text()


def test_the_dialog_offers_each_missing_brief_and_enter_attaches_the_one_chosen(qtbot):
    briefs = [StoredBrief("/gone/a.md", "Harbour Works", "/gone/a.md", "", 2, 1),
              StoredBrief("ferry-2025", "Ferry Review", "/gone/ferry.md",
                          "2026-03-01T10:00:00.000Z", 1, 0)]  # fmt: skip
    dialog = AttachNotesDialog(briefs, "Ferry Review 2026")
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert texts[0] == "Harbour Works — 2 highlights, 1 comment\n/gone/a.md"
    assert texts[1].startswith("Ferry Review — 1 highlight\n/gone/ferry.md\nlast opened ")
    assert dialog.chosen() is briefs[0]
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert dialog.chosen() is briefs[1]


def test_a_new_brief_offers_the_notes_of_the_missing_one_it_is_likely_a_version_of(
    qtbot, opened, tmp_path
):
    # What was typed there and not saved (a note's text, a comment not posted) comes too.
    data = tmp_path / "data"
    note_id = _notes_of_a_missing_brief(tmp_path, data)
    _typed_and_not_saved(data, "ferry-2025", note_id)
    paths = Paths(data).ensure()
    w, _ = opened(paths, ferry_brief(tmp_path))
    qtbot.waitUntil(lambda: w.banner.text() == (
        "Notes kept for “Coastal Ferry Subsidy Review” (ferry.md, no longer found)"
        " may be this brief's."))
    assert w.banner.label.toolTip() == str((tmp_path / "old" / "ferry.md").resolve())
    assert w.note_taking.annotations.highlights == {}  # offered, not taken
    w.banner.button.click()
    qtbot.waitUntil(lambda: note_id in w.note_taking.annotations.highlights)
    assert "attached, each where it was" in w.banner.text()
    _typed_text_is_back(qtbot, w, note_id)


def _opened_with_a_silent_share(qtbot, opened, tmp_path: Path, monkeypatch):
    """The ferry brief opened where the notes of a missing brief are kept, and looking
    for the files kept notes were read from blocks (a share that no longer answers)
    until the event returned is set; it has begun when this returns."""
    data = tmp_path / "data"
    _notes_of_a_missing_brief(tmp_path, data)
    answer = threading.Event()
    real = notes_module.found_briefs
    looked = []

    def slow_share(briefs):
        looked.append(briefs)
        answer.wait(10)
        return real(briefs)

    monkeypatch.setattr(notes_module, "found_briefs", slow_share)
    w, _ = opened(Paths(data).ensure(), ferry_brief(tmp_path))
    qtbot.waitUntil(lambda: bool(looked))
    return w, answer


def test_briefs_not_found_are_looked_for_without_holding_up_the_window(
    qtbot, opened, tmp_path, monkeypatch
):
    # A share that no longer answers: looking for the files kept notes were read from
    # blocks. The brief opens and can be read meanwhile; the offer follows.
    w, answer = _opened_with_a_silent_share(qtbot, opened, tmp_path, monkeypatch)
    assert w.reader.document().toPlainText().strip()  # shown while the share is silent
    assert "may be this brief's" not in w.banner.text()
    answer.set()
    qtbot.waitUntil(lambda: "may be this brief's" in w.banner.text())


def test_an_offer_found_after_another_brief_was_opened_is_not_made(
    qtbot, opened, tmp_path, monkeypatch
):
    w, answer = _opened_with_a_silent_share(qtbot, opened, tmp_path, monkeypatch)
    other = tmp_path / "other.md"
    other.write_text("---\ntitle: Other\nid: other\n---\n\n# One\n\nText.\n",
                     encoding="utf-8")
    w.open_path(other)
    qtbot.waitUntil(lambda: w.brief is not None and w.brief.title == "Other")
    answer.set()
    for t in threading.enumerate():
        if t.name == "notes-earlier":
            t.join(10)
    qtbot.wait(50)  # the finding, had it been sent, would be delivered by now
    assert "may be this brief's" not in w.banner.text()


def test_an_offer_still_comes_when_the_brief_is_reloaded_while_looking(
    qtbot, opened, tmp_path, monkeypatch
):
    w, answer = _opened_with_a_silent_share(qtbot, opened, tmp_path, monkeypatch)
    first = w.brief
    w.reload()  # F5 while the share is silent: no longer a new brief, never looked again
    qtbot.waitUntil(lambda: w.brief is not None and w.brief is not first)
    answer.set()
    qtbot.waitUntil(lambda: "may be this brief's" in w.banner.text())


def test_text_typed_on_a_brief_that_since_gained_an_id_is_brought_back(qtbot, opened, tmp_path):
    data = tmp_path / "data"
    path = ferry_brief(tmp_path)
    path.write_text(BRIEF.replace("id: ferry-2026\n", ""), encoding="utf-8")
    with Store.open(Paths(data).ensure()) as store:
        h = NotesService(store, author="Ana").annotate(
            load_brief(path), "background", "Island councils", note="Which ones?")
    _typed_and_not_saved(data, str(path.resolve()), h.id, draft=False)
    path.write_text(BRIEF, encoding="utf-8")  # the reissue has an id
    w, _ = opened(Paths(data).ensure(), path)
    _typed_text_is_back(qtbot, w, h.id, draft=False)


def test_text_typed_on_a_brief_whose_notes_the_command_line_attached_is_brought_back(
    qtbot, opened, tmp_path
):
    data = tmp_path / "data"
    note_id = _notes_of_a_missing_brief(tmp_path, data)
    _typed_and_not_saved(data, "ferry-2025", note_id)
    paths = Paths(data).ensure()
    path = ferry_brief(tmp_path)
    with Store.open(paths) as store:  # 'briefreader db attach ferry-2025 ferry.md'
        NotesService(store).attach(load_brief(path), "ferry-2025")
    w, _ = opened(paths, path)
    _typed_text_is_back(qtbot, w, note_id)


def test_a_read_only_notes_database_offers_nothing_to_attach(qtbot, opened, tmp_path):
    data = tmp_path / "data"
    _notes_of_a_missing_brief(tmp_path, data)
    w, store = opened(Paths(data).ensure())
    store.read_only = True  # as on a read-only folder: nothing could be attached
    w.open_path(ferry_brief(tmp_path))
    qtbot.waitUntil(lambda: w.brief is not None)
    assert not w.banner.isVisible() or "may be this brief's" not in w.banner.text()
    assert not w.actions_.attach_notes.isEnabled()
    assert w.actions_.export_notes.isEnabled()


def test_what_was_done_before_attaching_can_still_be_undone(qtbot, opened, tmp_path, monkeypatch):
    data = tmp_path / "data"
    _notes_of_a_missing_brief(tmp_path, data)
    _chooses_first(monkeypatch)
    w, _ = opened(Paths(data).ensure(), ferry_brief(tmp_path))
    an = w.note_taking.annotations
    w.show_section("options")
    mine = an.create_highlight("options", *_span(w, "Option three"), "green")
    assert mine is not None
    w.actions_.attach_notes.trigger()
    qtbot.waitUntil(lambda: len(an.highlights) == 2)
    assert an.undo_stack.canUndo()
    an.undo_stack.undo()
    assert mine not in an.highlights and len(an.highlights) == 1


def _span(w, text: str) -> tuple[int, int]:
    plain = w.note_taking.annotations.notes.section_texts(w.brief)[
        w.brief.index_of(w.reader.section.id)].text
    start = plain.index(text)
    return start, start + len(text)


def test_a_brief_back_under_the_key_its_notes_left_keeps_what_is_typed_for_it(qtbot, opened,
                                                                              tmp_path):
    data = tmp_path / "data"
    _notes_of_a_missing_brief(tmp_path, data)
    paths = Paths(data).ensure()
    new = ferry_brief(tmp_path)
    with Store.open(paths) as store:  # 'briefreader db attach ferry-2025 ferry.md'
        NotesService(store).attach(load_brief(new), "ferry-2025")
    # Last year's brief is back, a brief of its own again, with a note and a draft.
    old = tmp_path / "old" / "ferry.md"
    old.write_text(BRIEF.replace("ferry-2026", "ferry-2025"), encoding="utf-8")
    with Store.open(paths) as store:
        h = NotesService(store, author="Ana").annotate(load_brief(old), "options",
                                                       "Option one", note="Which ones?")
    _typed_and_not_saved(data, "ferry-2025", h.id)
    w, _ = opened(paths, new)  # the brief that took its first notes
    assert Settings(paths.settings_file).comment_drafts("ferry-2025", "options") == {
        None: "Which option is cheapest?"}
    w.open_path(old)
    qtbot.waitUntil(lambda: w.brief is not None and w.brief.doc_id == "ferry-2025")
    _typed_text_is_back(qtbot, w, h.id, draft=False)
