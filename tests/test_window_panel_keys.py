"""The commands of the panels' lists within reach of the keyboard: each list's keys, and
its context menu (right-click, the Menu key, Shift+F10) with the same commands as its
buttons, opened by the keyboard at the current row."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication

from briefreader.paths import Paths
from briefreader.ui.note_taking import confirm_purge as real_confirm_purge
from test_window_keyboard import highlight_words, menus_opened_by, press
from windows import a_note_to_review, ferry_brief, focused_window


@pytest.fixture
def opened(qtbot, tmp_path: Path):
    with focused_window(qtbot, Paths(tmp_path / "data").ensure(), ferry_brief(tmp_path)) as pair:
        yield pair


window = pytest.fixture(lambda opened: opened[0], name="window")
window_store = pytest.fixture(lambda opened: opened[1], name="window_store")


def at_current_row(menu, view: QAbstractItemView) -> bool:
    """Whether a menu opened at the middle of the view's current row, in sight."""
    rect = view.visualRect(view.currentIndex())
    assert view.viewport().rect().intersects(rect)
    return menu.placed_at(view.viewport().mapToGlobal(rect.center()))


def trash_two(qtbot, w) -> list[str]:
    """Two highlights of "options" in the Trash, shown; the Trash list has the focus."""
    nt = w.note_taking
    ids = highlight_words(w, "options")[:2]
    for hid in ids:
        nt.annotations.delete_highlight(hid)
    press(qtbot, "Ctrl+Shift+T")
    qtbot.waitUntil(lambda: nt.trash.count() == 2)
    qtbot.waitUntil(nt.trash.tree.hasFocus)
    return ids


# --------------------------------------------------------------------------- Trash


def trash_some(qtbot, w, n: int) -> list[str]:
    """``n`` highlights of "options" in the Trash, shown; the Trash list has the focus.
    Their ids as the list shows them, top to bottom."""
    nt = w.note_taking
    for hid in highlight_words(w, "options")[:n]:
        nt.annotations.delete_highlight(hid)
    press(qtbot, "Ctrl+Shift+T")
    qtbot.waitUntil(lambda: nt.trash.count() == n)
    qtbot.waitUntil(nt.trash.tree.hasFocus)
    return [nt.trash.entry(r)[1] for r in range(n)]


def answering(monkeypatch, *answers: bool) -> list[tuple[list[str], int]]:
    """Answer the question before notes are deleted for good with ``answers``, in turn;
    what each question named (the notes' text as listed, the replies that stay)."""
    asked: list[tuple[list[str], int]] = []
    left = list(answers)

    def confirm(_parent, notes, replies=0):
        asked.append((list(notes), replies))
        return left.pop(0)

    monkeypatch.setattr(sys.modules["briefreader.ui.note_taking"], "confirm_purge", confirm)
    return asked


def test_delete_in_the_trash_list_asks_then_deletes_only_the_current_note(
        qtbot, window, window_store, monkeypatch):
    w = window
    trash = w.note_taking.trash
    ids = trash_some(qtbot, w, 3)
    asked = answering(monkeypatch, False, True)
    press(qtbot, "Down")  # the second note
    shown = trash.tree.topLevelItem(1).text(0)
    press(qtbot, "Delete")  # answered No: nothing goes
    assert asked == [([shown], 0)]
    assert trash.count() == 3 and trash.tree.currentIndex().row() == 1
    assert window_store.purged(ids) == set()
    press(qtbot, "Delete")  # answered Yes: only that one goes, for good
    qtbot.waitUntil(lambda: trash.count() == 2)
    assert [trash.entry(r)[1] for r in range(2)] == [ids[0], ids[2]]
    assert window_store.purged(ids) == {ids[1]}
    live = {h.id for h in window_store.highlights(w.note_taking.annotations.open_key())}
    assert not live & set(ids)  # none put back
    # The keyboard is where it was, on the note that came after the one deleted.
    assert trash.tree.hasFocus() and trash.entry(trash.tree.currentIndex().row())[1] == ids[2]
    assert "deleted for good" in w.statusBar().currentMessage()


def test_delete_in_the_trash_list_deletes_the_chosen_notes_together(qtbot, window,
                                                                    window_store, monkeypatch):
    w = window
    trash = w.note_taking.trash
    ids = trash_some(qtbot, w, 4)
    asked = answering(monkeypatch, True)
    press(qtbot, "Shift+Down")  # the first two chosen
    assert len(trash.tree.selectedItems()) == 2
    press(qtbot, "Delete")
    assert [len(notes) for notes, _ in asked] == [2]
    qtbot.waitUntil(lambda: trash.count() == 2)
    assert window_store.purged(ids) == set(ids[:2])
    assert trash.entry(trash.tree.currentIndex().row())[1] == ids[2]  # the next one
    assert trash.tree.hasFocus()


def test_deleting_the_last_row_for_good_goes_to_the_one_above(qtbot, window, monkeypatch):
    w = window
    trash = w.note_taking.trash
    ids = trash_some(qtbot, w, 3)
    answering(monkeypatch, True)
    press(qtbot, "End")
    press(qtbot, "Delete")
    qtbot.waitUntil(lambda: trash.count() == 2)
    assert trash.entry(trash.tree.currentIndex().row())[1] == ids[1]
    assert trash.tree.hasFocus()


def test_the_trash_lists_menu_deletes_for_good_the_row_right_clicked(qtbot, window,
                                                                    window_store, monkeypatch):
    w = window
    nt = w.note_taking
    ids = trash_some(qtbot, w, 2)
    asked = answering(monkeypatch, True)
    tree = nt.trash.tree
    rect = tree.visualRect(tree.model().index(1, 0))
    (menu,) = menus_opened_by(lambda: right_click(qtbot, tree, rect.center()))
    assert "Delete for Good…" in menu.commands
    nt.trash.purge_action.trigger()
    assert [notes for notes, _ in asked] == [[tree.topLevelItem(1).text(0)]]
    qtbot.waitUntil(lambda: nt.trash.count() == 1)
    assert nt.trash.entry(0)[1] == ids[0] and window_store.purged(ids) == {ids[1]}


def test_deleting_a_comment_for_good_names_it_and_keeps_its_replies(qtbot, window,
                                                                   window_store, monkeypatch):
    w = window
    nt = w.note_taking
    an = nt.annotations
    root = an.add_comment("options", "Which option costs least over ten years?", None)
    reply = an.add_comment("options", "The second, by the ministry's figures.", root.id)
    an.delete_comment(root.id)
    press(qtbot, "Ctrl+Shift+T")
    qtbot.waitUntil(lambda: nt.trash.count() == 1)
    qtbot.waitUntil(nt.trash.tree.hasFocus)
    questions = []

    def question(_parent, title, text, verb):
        questions.append((title, text))
        return verb == "&Delete for Good"

    monkeypatch.setattr(sys.modules["briefreader.ui.note_taking"], "confirm_purge",
                        real_confirm_purge)
    monkeypatch.setattr(sys.modules["briefreader.ui.note_taking"], "ask_to_delete", question)
    press(qtbot, "Delete")
    [(title, text)] = questions
    assert title == "Delete for Good?"
    assert text.startswith("Delete this note for good? It cannot be undone.")
    assert "Comment: Which option costs least over ten years?" in text
    assert "The reply to it stays, as a comment of its own." in text
    qtbot.waitUntil(lambda: nt.trash.count() == 0)
    assert window_store.purged([root.id, reply.id]) == {root.id}
    assert an.comments[reply.id].reply_to is None  # a comment of its own now


def test_empty_trash_keeps_its_button_and_menu_entry(qtbot, window, window_store,
                                                     monkeypatch):
    w = window
    trash = w.note_taking.trash
    ids = trash_some(qtbot, w, 2)
    answering(monkeypatch)  # no note alone is asked about
    module = sys.modules["briefreader.ui.note_taking"]
    monkeypatch.setattr(module, "confirm_empty_trash", lambda parent: True)
    trash.empty_action.trigger()  # the menu's entry
    qtbot.waitUntil(lambda: trash.count() == 0)
    assert window_store.purged(ids) == set(ids)


def test_empty_trash_has_its_key_in_the_trash_list(qtbot, window, window_store, monkeypatch):
    w = window
    trash = w.note_taking.trash
    ids = trash_some(qtbot, w, 2)
    asked = []
    monkeypatch.setattr(sys.modules["briefreader.ui.note_taking"], "confirm_empty_trash",
                        lambda parent: asked.append(1) or True)
    press(qtbot, "Ctrl+Shift+Del")
    qtbot.waitUntil(lambda: trash.count() == 0)
    assert asked == [1] and window_store.purged(ids) == set(ids)


def test_the_trash_lists_menu_opens_at_the_current_row_from_the_keyboard(qtbot, window):
    w = window
    trash_two(qtbot, w)
    tree = w.note_taking.trash.tree
    press(qtbot, "Down")
    assert tree.currentIndex().row() == 1
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands == ["Restore", "Delete for Good…", "Empty Trash…"]
    assert at_current_row(menu, tree)
    assert not menu.waited


def test_the_trash_lists_menu_restores_the_row_right_clicked(qtbot, window):
    w = window
    nt = w.note_taking
    ids = trash_two(qtbot, w)
    tree = nt.trash.tree
    assert tree.currentIndex().row() == 0
    rect = tree.visualRect(tree.model().index(1, 0))
    (menu,) = menus_opened_by(lambda: right_click(qtbot, tree, rect.center()))
    assert tree.currentIndex().row() == 1  # the row clicked, the one its commands act on
    assert menu.placed_at(tree.viewport().mapToGlobal(rect.center()))
    kind, hid = nt.trash.entry(1)
    nt.trash.restore_action.trigger()
    qtbot.waitUntil(lambda: nt.trash.count() == 1)
    assert hid in nt.annotations.highlights and hid in ids


def right_click(qtbot, view: QAbstractItemView, pos: QPoint) -> None:
    """A right-click on a view's viewport, as a mouse makes it: the press, then the
    context menu event."""
    viewport = view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.RightButton, pos=pos)
    QApplication.sendEvent(viewport, QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos)))


def test_the_trash_buttons_say_their_keys(window):
    trash = window.note_taking.trash
    assert trash.restore_button.toolTip().endswith("(Enter)")
    assert trash.purge_button.toolTip().endswith("(Del)")
    assert trash.empty_button.toolTip().endswith("(Ctrl+Shift+Del)")  # not Delete alone


# --------------------------------------------------------------------------- Bookmarks


def bookmark_three(qtbot, w) -> None:
    for section in ("background", "options", "recommendation"):
        w.show_section(section)
        press(qtbot, "Ctrl+D")
    press(qtbot, "Ctrl+Shift+K")
    view = w.note_taking.bookmarks
    qtbot.waitUntil(lambda: view.count() == 3)
    qtbot.waitUntil(view.tree.hasFocus)


def test_the_bookmarks_menu_opens_at_the_current_row_and_its_keys_work(qtbot, window):
    w = window
    bookmark_three(qtbot, w)
    view = w.note_taking.bookmarks
    press(qtbot, "End")
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands == ["Go To", "Rename", "Remove"]
    assert at_current_row(menu, view.tree)
    press(qtbot, "Delete")
    qtbot.waitUntil(lambda: view.count() == 2)
    w.show_section("background")
    view.focus_list()
    press(qtbot, "Down")
    press(qtbot, "Return")
    qtbot.waitUntil(lambda: w.reader.section.id == "options")


# --------------------------------------------------------------------------- sections


def test_the_section_lists_menu_opens_at_the_current_section(qtbot, window):
    w = window
    press(qtbot, "Alt+1")
    tree = w.navigator.tree
    qtbot.waitUntil(tree.hasFocus)
    press(qtbot, "Down")
    qtbot.waitUntil(lambda: w.reader.section.id == "options")
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands[:2] == ["Comment on Section…", "Bookmark Section"]
    assert at_current_row(menu, tree)
    # A right-click on another section shows it: the menu's commands act on it.
    rect = tree.visualRect(w.navigator.model.index_for("recommendation"))
    (menu,) = menus_opened_by(lambda: right_click(qtbot, tree, rect.center()))
    assert w.reader.section.id == "recommendation"
    assert menu.placed_at(tree.viewport().mapToGlobal(rect.center()))


# --------------------------------------------------------------------------- library, search


@pytest.fixture
def library(qtbot, window, tmp_path):
    """The library with three briefs (the ferry brief one of them), its list focused."""
    folder = tmp_path / "more"
    folder.mkdir()
    for i in range(3):
        (folder / f"annex-{i}.md").write_text(f"# Annex {i}\\n\\nThe quayside, part {i}.\\n",
                                               encoding="utf-8")
    finding = window.finding
    finding.library.add([folder])
    finding.refresh_library()
    press(qtbot, "Alt+4")
    view = finding.library_view
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 4)
    qtbot.waitUntil(view.tree.hasFocus)
    return view


def test_the_library_lists_menu_opens_at_the_current_brief_and_enter_opens_it(qtbot, window,
                                                                              library):
    w, view = window, library
    press(qtbot, "Home")
    path = view.current_path()
    assert path != str(w.brief.path)
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands == ["Open", "Add Folder…", "Look for New Briefs"]
    assert at_current_row(menu, view.tree)
    press(qtbot, "Return")
    qtbot.waitUntil(lambda: w.brief is not None and str(w.brief.path) == path)


def test_the_library_has_keys_for_its_buttons(qtbot, library, monkeypatch):
    view = library
    asked, refreshed = [], []
    monkeypatch.setattr(sys.modules["briefreader.ui.preferences"], "choose_folder",
                        lambda parent, *start: asked.append(parent) or "")
    view.refresh_requested.connect(lambda: refreshed.append(1))
    press(qtbot, "Ins")
    assert len(asked) == 1  # which folder to add
    press(qtbot, "Ctrl+R")
    view.filter_edit.setFocus()  # in the filter field as well
    qtbot.waitUntil(view.filter_edit.hasFocus)
    press(qtbot, "Ctrl+R")
    assert refreshed == [1, 1]
    assert view.add_button.toolTip() == "Add a folder of briefs to the library (Ins)"
    assert view.refresh_button.toolTip() == "Look for new and changed briefs (Ctrl+R)"


def test_the_search_results_menu_opens_at_the_current_result(qtbot, window):
    w = window
    view = w.finding.search_view
    qtbot.waitUntil(lambda: w.finding.indexer.busy() is False)
    w.actions_.search_everywhere.trigger()
    qtbot.keyClicks(view.query_edit, "option")
    view.request_search()
    qtbot.waitUntil(lambda: view.model.rowCount() > 1)
    press(qtbot, "Alt+5")
    qtbot.waitUntil(view.list.hasFocus)
    press(qtbot, "Down")
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands == ["Open"]
    assert at_current_row(menu, view.list)
    opened = []
    view.result_activated.connect(opened.append)
    press(qtbot, "Enter")
    assert opened == [view.list.currentIndex().data(Qt.ItemDataRole.UserRole + 1)]


# --------------------------------------------------------------------------- the message


def test_escape_dismisses_the_message_once_the_find_bar_is_closed(qtbot, window):
    w = window
    w.banner.show_message("Exported 3 notes.", "info")
    press(qtbot, "Ctrl+F")
    bar = w.finding.find_bar
    qtbot.waitUntil(bar.edit.hasFocus)
    press(qtbot, "Escape")  # the find bar first
    assert not bar.isVisible() and w.banner.isVisible()
    qtbot.waitUntil(w.reader.hasFocus)
    press(qtbot, "Escape")
    assert not w.banner.isVisible()
    assert w.banner.close_button.toolTip() == "Dismiss (Esc)"


def test_alt_and_the_underlined_letter_press_the_messages_button(qtbot, window):
    w = window
    pressed = []
    w.banner.action_triggered.connect(pressed.append)
    w.banner.show_message("This brief changed since you last read it.", "warning",
                          action="review", action_label="Review…")
    assert w.banner.button.text() == "&Review…"
    assert w.banner.button.toolTip() == "Review… (Alt+R)"
    press(qtbot, "Alt+R")
    qtbot.waitUntil(lambda: pressed == ["review"])  # (a button pressed so shows it a moment)
    qtbot.waitUntil(lambda: w.note_taking.docks["review"].isVisible())


# --------------------------------------------------------------------------- Review


def test_a_review_rows_menu_opens_at_its_focused_button(qtbot, tmp_path):
    paths = Paths(tmp_path / "data").ensure()
    with a_note_to_review(qtbot, paths, ferry_brief(tmp_path)) as (w, store, hid):
        review = w.note_taking.review
        press(qtbot, "Ctrl+Shift+R")
        qtbot.waitUntil(lambda: review.count() == 1)
        row = review.row(hid)
        qtbot.waitUntil(row.attach_button.hasFocus)  # (nothing to accept: no place found)
        press(qtbot, "Tab")
        qtbot.waitUntil(row.orphan_button.hasFocus)
        (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
        assert menu.commands == ["Accept", "Attach Here", "Keep as Orphan", "Go To"]
        button = row.orphan_button
        assert menu.placed_at(button.mapToGlobal(button.rect().center()))
        enabled = {a.text().replace("&", ""): a.isEnabled() for a in row.menu().actions()}
        assert enabled == {"Accept": False, "Attach Here": True, "Keep as Orphan": True,
                           "Go To": False}
        keep = next(a for a in row.menu().actions() if a.text() == "&Keep as Orphan")
        keep.trigger()
        qtbot.waitUntil(lambda: bool(store.get_highlight(hid).reviewed))


# --------------------------------------------------------------------------- notes cards


def at_centre(menu, widget) -> bool:
    return menu.placed_at(widget.mapToGlobal(widget.rect().center()))


def test_enter_on_a_comments_card_opens_a_reply(qtbot, window):
    w = window
    an = w.note_taking.annotations
    comment = an.add_comment("background", "Ask about the fares.", None)
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.comment_ids() == [comment.id])
    press(qtbot, "Alt+3")
    card = panel.card(comment.id)
    qtbot.waitUntil(card.hasFocus)
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands == ["Reply", "Edit Comment", "Delete Comment"]
    assert at_centre(menu, card)
    press(qtbot, "Enter")
    qtbot.waitUntil(lambda: card.reply_composer is not None
                    and card.reply_composer.edit.hasFocus())
    qtbot.keyClicks(card.reply_composer.edit, "From May.")
    press(qtbot, "Ctrl+Return")
    qtbot.waitUntil(lambda: any(c.reply_to == comment.id for c in an.comments.values()))
    assert "Enter" in card.reply_button.toolTip()


def test_a_highlights_card_has_a_menu_of_its_commands(qtbot, window, window_store):
    w = window
    ids = highlight_words(w, "options")[:2]
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.highlight_ids()[:2] == ids)
    press(qtbot, "Alt+3")
    card = panel.card(ids[0])
    qtbot.waitUntil(card.hasFocus)
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands == ["Go To in the Text", "Edit Note", "Colour", "Delete Highlight"]
    assert at_centre(menu, card)
    # The same from the card's colour button, passed on to the card.
    press(qtbot, "Tab")
    qtbot.waitUntil(card.colour_button.hasFocus)
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands[0] == "Go To in the Text"
    assert at_centre(menu, card.colour_button)
    colours = panel.card_menu(ids[0], card.mapToGlobal(card.rect().center()))
    colours.close()
    (submenu,) = [a.menu() for a in colours.actions() if a.menu() is not None]
    submenu.actions()[1].trigger()  # the second colour
    qtbot.waitUntil(lambda: window_store.get_highlight(ids[0]).color == "green")


# --------------------------------------------------------------------------- the list of keys


def test_the_keyboard_shortcuts_dialog_lists_the_panels_keys_too(qtbot, window, monkeypatch):
    from briefreader.ui.shortcuts_dialog import ShortcutsDialog

    shown = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    press(qtbot, "F1")
    (dialog,) = shown
    table = dialog.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Undo"].startswith("Ctrl+Z")  # (and what else the platform binds)
    assert "Ctrl+Shift+Z" in rows["Redo"].split(", ")
    assert rows["Restore (in the Trash)"] == "Enter, Return"
    assert rows["Delete for Good (in the Trash)"] == "Del, Backspace"
    assert rows["Rename (in the Bookmarks)"] == "F2"
    assert rows["Add Folder (in the Library)"] == "Ins"
    assert rows["Look for New Briefs (in the Library)"] == "Ctrl+R"
    assert rows["Open (in the Search results)"] == "Enter, Return"
    assert rows["Reply to the comment (on its card)"] == "Enter"
    dialog.filter.setText("trash")
    assert sorted(dialog.visible_commands()) == [
        "Delete for Good (in the Trash)", "Empty Trash (in the Trash)",
        "Restore (in the Trash)", "Trash"]
    dialog.close()


def test_ctrl_w_closes_the_panel_with_the_focus(qtbot, window):
    w = window
    nt = w.note_taking
    trash_two(qtbot, w)
    press(qtbot, "Ctrl+W")
    qtbot.waitUntil(lambda: not nt.docks["trash"].isVisible())
    qtbot.waitUntil(w.reader.hasFocus)
    press(qtbot, "Ctrl+W")  # in the text: nothing to close
    assert nt.docks["notes"].isVisible()
    press(qtbot, "Alt+3")
    qtbot.waitUntil(lambda: nt.panel.isAncestorOf(QApplication.focusWidget()))
    press(qtbot, "Ctrl+W")
    qtbot.waitUntil(lambda: not nt.docks["notes"].isVisible())
    assert not w.actions_.show_notes.isChecked()
    qtbot.waitUntil(w.reader.hasFocus)


@pytest.mark.parametrize("press_", ["delete", "cancel", "escape"])
def test_the_question_before_deleting_for_good_has_a_button_that_says_so(qtbot, press_):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from briefreader.ui.note_taking import ask_to_delete

    seen = []

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QMessageBox) and w.isVisible())
        seen.append(sorted(b.text() for b in box.buttons()))
        if press_ == "escape":
            qtbot.keyClick(box, Qt.Key.Key_Escape)
        else:
            label = "&Delete for Good" if press_ == "delete" else "Cancel"
            next(b for b in box.buttons() if b.text() == label).click()

    QTimer.singleShot(0, answer)
    assert ask_to_delete(None, "Delete for Good?", "Delete this note?",
                         "&Delete for Good") is (press_ == "delete")
    assert seen == [["&Delete for Good", "Cancel"]]


def test_ctrl_a_in_the_trash_list_chooses_every_note_not_the_text(qtbot, window,
                                                                  monkeypatch):
    w = window
    trash = w.note_taking.trash
    trash_some(qtbot, w, 3)
    qtbot.waitUntil(trash.tree.hasFocus)
    press(qtbot, "Ctrl+A")
    assert len(trash.tree.selectedItems()) == 3
    assert not w.reader.textCursor().hasSelection()
    asked = answering(monkeypatch, True)
    press(qtbot, "Delete")
    assert [len(notes) for notes, _ in asked] == [3]


def test_ctrl_c_in_the_trash_list_copies_the_chosen_notes(qtbot, window):
    w = window
    trash = w.note_taking.trash
    trash_some(qtbot, w, 3)
    qtbot.waitUntil(trash.tree.hasFocus)
    QApplication.clipboard().setText("before")
    press(qtbot, "Ctrl+A")
    press(qtbot, "Ctrl+C")
    rows = [trash.tree.topLevelItem(n).text(0) for n in range(3)]
    assert QApplication.clipboard().text() == "\n".join(rows)


def test_after_deleting_for_good_no_undo_is_offered_that_would_bring_a_note_back(
    qtbot, window, monkeypatch
):
    nt = window.note_taking
    an = nt.annotations
    trash_some(qtbot, window, 1)  # ("Delete highlight" is on the undo stack)
    assert an.undo_stack.canUndo()
    answering(monkeypatch, True)
    press(qtbot, "Delete")
    qtbot.waitUntil(lambda: nt.trash.count() == 0)
    assert not an.undo_stack.canUndo()


def test_deleting_for_good_a_note_restored_elsewhere_meanwhile_says_so_plainly(
    qtbot, window, window_store, monkeypatch
):
    from briefreader.notes import NotesService
    from briefreader.store import Store

    nt = window.note_taking
    (hid,) = trash_some(qtbot, window, 1)
    elsewhere = NotesService(Store(window_store.database, backup_interval=None))
    elsewhere.restore_highlight(hid)  # the command line, meanwhile
    elsewhere.store.close()
    said = []
    nt.annotations.save_failed.connect(lambda _item, text: said.append(text))
    answering(monkeypatch, True)
    press(qtbot, "Delete")
    qtbot.waitUntil(lambda: bool(said))
    assert "restored or deleted for good elsewhere" in said[0] and hid not in said[0]
    assert window_store.get_highlight(hid).deleted_at is None  # nothing lost


def test_ctrl_c_in_the_trash_list_copies_the_chosen_notes_after_a_selection_in_the_text(
    qtbot, window
):
    w = window
    trash = w.note_taking.trash
    w.reader.selectAll()  # a selection in the text, then none: Copy was left disabled
    cursor = w.reader.textCursor()
    cursor.clearSelection()
    w.reader.setTextCursor(cursor)
    trash_some(qtbot, w, 3)
    qtbot.waitUntil(trash.tree.hasFocus)
    assert w.actions_.copy.isEnabled()  # (Edit → Copy too)
    press(qtbot, "Ctrl+A")
    press(qtbot, "Ctrl+C")
    assert QApplication.clipboard().text().count("\n") == 2
    w.reader.setFocus()
    qtbot.waitUntil(lambda: not w.actions_.copy.isEnabled())  # nothing selected there


def test_deleting_for_good_keeps_the_undo_history_of_other_notes(qtbot, window, monkeypatch):
    nt = window.note_taking
    an = nt.annotations
    keep, gone = highlight_words(window, "options")[:2]
    an.edit_note(keep, "Still here.")  # a step of another note
    an.delete_highlight(gone)
    an.undo_stack.clear()  # (only the note kept has a step now)
    an.edit_note(keep, "Still here, edited.")
    press(qtbot, "Ctrl+Shift+T")
    qtbot.waitUntil(lambda: nt.trash.count() == 1)
    qtbot.waitUntil(nt.trash.tree.hasFocus)
    answering(monkeypatch, True)
    press(qtbot, "Delete")
    qtbot.waitUntil(lambda: nt.trash.count() == 0)
    assert an.undo_stack.canUndo()  # the other note's edit can still be undone
