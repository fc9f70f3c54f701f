"""The whole window within reach of the keyboard: a key to put the focus in each part of
it, and a shortcut for every command (tested on the real window, keys typed where the
focus is)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from briefreader.paths import Paths
from briefreader.ui.main_window import MainWindow
from briefreader.ui.shortcuts_dialog import shortcut_rows
from windows import a_note_to_review, ferry_brief, focused_window, open_window


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "data").ensure()


@pytest.fixture
def brief_path(tmp_path: Path) -> Path:
    return ferry_brief(tmp_path)


@pytest.fixture
def opened(qtbot, paths, brief_path):
    with focused_window(qtbot, paths, brief_path) as pair:
        yield pair


window = pytest.fixture(lambda opened: opened[0], name="window")
window_store = pytest.fixture(lambda opened: opened[1], name="window_store")


def press(qtbot, keys: str) -> None:
    """Type ``keys`` ("Alt+3") where the keyboard focus is, as a person would."""
    combo = QKeySequence(keys)[0]
    qtbot.keyClick(QApplication.focusWidget(), combo.key(), combo.keyboardModifiers())


def in_view(widget: QWidget) -> bool:
    """Whether some of the widget can be seen (not scrolled away, not behind a tab)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def highlight_words(window: MainWindow, section_id: str) -> list[str]:
    """A highlight on every word of a section (enough cards to scroll); their ids."""
    window.show_section(section_id)
    text = window.reader.rendered.plain_text
    an = window.note_taking.annotations
    return [
        an.create_highlight(section_id, m.start(), m.end(), "yellow")
        for m in re.finditer(r"\w+", text)
    ]


@dataclass(frozen=True)
class Bound:
    """A key of a command, and where the keyboard focus must be for it to work."""

    key: str
    command: str
    context: Qt.ShortcutContext
    widgets: tuple[QWidget, ...]  # those the command is added to (its shortcut's parent)

    def overlaps(self, other: Bound) -> bool:
        """Whether some place of the focus has both in context: Qt then calls the key
        ambiguous, and neither works."""
        window_wide = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)
        if self.context in window_wide or other.context in window_wide:
            return True  # (every widget here is in the one window)

        def reaches(a: Bound, focus: QWidget) -> bool:
            return any(w is focus or (a.context == Qt.ShortcutContext.WidgetWithChildrenShortcut
                                      and w.isAncestorOf(focus)) for w in a.widgets)

        return any(reaches(other, w) for w in self.widgets) or any(
            reaches(self, w) for w in other.widgets)


def bindings(window: MainWindow) -> list[Bound]:
    """Every key of every command in the window, its panels' commands too, and of every
    QShortcut."""
    out = []
    for action in window.findChildren(QAction):
        widgets = tuple(o for o in action.associatedObjects()
                        if isinstance(o, QWidget) and not isinstance(o, QMenu))
        if not widgets and action.shortcutContext() not in (Qt.ShortcutContext.WindowShortcut,
                                                             Qt.ShortcutContext.ApplicationShortcut):
            continue  # in menus only: its keys work nowhere else
        for key in action.shortcuts():
            out.append(Bound(key.toString(), action.text().replace("&", ""),
                             action.shortcutContext(), widgets))
    for shortcut in window.findChildren(QShortcut):
        out.append(Bound(shortcut.key().toString(), f"a key of {shortcut.parent().objectName()}",
                         shortcut.context(), (shortcut.parent(),)))
    return out


def test_no_two_commands_share_a_key_where_both_would_work(window):
    found = bindings(window)
    keys = {b.key for b in found}
    # The panels' own keys are among them (Delete in the Trash list, F2 in Bookmarks).
    assert {"Del", "F2", "Return", "Ctrl+Shift+T", "Shift+F10"} <= keys
    clashes = [(a.key, a.command, b.command) for i, a in enumerate(found)
               for b in found[i + 1:] if a.key == b.key and a.overlaps(b)]
    assert clashes == []


def test_keys_of_one_command_in_two_lists_are_not_taken_for_a_clash(window):
    nt = window.note_taking
    trash, bookmarks = nt.trash.purge_action, nt.bookmarks.remove_action
    [a] = [b for b in bindings(window) if b.command == "Delete for Good…" and b.key == "Del"]
    [b] = [b for b in bindings(window) if b.command == "Remove" and b.key == "Del"]
    assert (trash.shortcut().toString(), bookmarks.shortcut().toString()) == ("Del", "Del")
    assert not a.overlaps(b)
    window_wide = Bound("Del", "Quit", Qt.ShortcutContext.WindowShortcut, (window,))
    assert a.overlaps(window_wide)


def test_alt_3_puts_the_focus_on_the_first_card_of_the_notes_panel(qtbot, window):
    w = window
    ids = highlight_words(w, "options")
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.highlight_ids() == ids)
    panel.build_all()
    bar = panel.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())  # the first card out of sight
    first = panel.card(ids[0])
    assert not in_view(first)
    press(qtbot, "Alt+3")
    qtbot.waitUntil(first.hasFocus)
    qtbot.waitUntil(lambda: in_view(first))
    press(qtbot, "Alt+2")
    assert w.reader.hasFocus()


def test_alt_3_goes_to_the_selected_highlights_card(qtbot, window):
    w = window
    ids = highlight_words(w, "options")
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.highlight_ids() == ids)
    w.note_taking.on_highlight_clicked(ids[-1])  # clicked in the text
    w.reader.setFocus()
    press(qtbot, "Alt+3")
    last = panel.card(ids[-1])
    qtbot.waitUntil(last.hasFocus)
    qtbot.waitUntil(lambda: in_view(last))


def test_alt_3_shows_a_hidden_notes_panel_and_puts_the_focus_in_it(qtbot, window):
    w = window
    w.show_section("background")  # no notes yet: the comment box is all there is
    dock = w.note_taking.docks["notes"]
    w.actions_.show_notes.setChecked(False)
    qtbot.waitUntil(lambda: not dock.isVisible())
    press(qtbot, "Alt+3")
    qtbot.waitUntil(dock.isVisible)
    composer = w.note_taking.panel.composer.edit
    qtbot.waitUntil(composer.hasFocus)
    assert w.actions_.show_notes.isChecked()


def test_alt_3_goes_into_the_view_whose_tab_is_in_front(qtbot, window):
    w = window
    nt = w.note_taking
    hid = highlight_words(w, "options")[0]
    nt.annotations.delete_highlight(hid)
    w.actions_.show_trash.trigger()
    qtbot.waitUntil(lambda: nt.trash.count() == 1)
    w.reader.setFocus()
    press(qtbot, "Alt+3")
    qtbot.waitUntil(nt.trash.tree.hasFocus)
    assert nt.trash.tree.currentItem() is nt.trash.tree.topLevelItem(0)
    # Behind the Search tab, none of them is in front: the notes come up.
    w.actions_.search_everywhere.trigger()
    qtbot.waitUntil(lambda: not in_view(nt.docks["trash"]))
    press(qtbot, "Alt+3")
    qtbot.waitUntil(lambda: in_view(nt.docks["notes"]))
    qtbot.waitUntil(lambda: nt.panel.isAncestorOf(QApplication.focusWidget()))


def test_review_takes_the_focus_on_its_first_button(qtbot, paths, brief_path):
    with a_note_to_review(qtbot, paths, brief_path) as (w, _store, _hid):
        review = w.note_taking.review
        press(qtbot, "Ctrl+Shift+R")
        qtbot.waitUntil(lambda: review.count() == 1)
        button = review.row(review.highlight_ids()[0]).first_enabled_button()
        qtbot.waitUntil(button.hasFocus)
        press(qtbot, "Alt+2")
        press(qtbot, "Alt+3")  # Review is the tab in front
        qtbot.waitUntil(button.hasFocus)


def test_review_opened_in_a_small_window_shows_its_first_note_whole(
        qtbot, paths, brief_path):
    # At 800x560 the keyboard lands on the first note's first button; the note's badge
    # and where it was stay in view above it, not scrolled off the top.
    with a_note_to_review(qtbot, paths, brief_path) as (w, _store, _hid):
        w.resize(800, 560)
        qtbot.wait(50)
        review = w.note_taking.review
        press(qtbot, "Ctrl+Shift+R")
        qtbot.waitUntil(lambda: review.count() == 1)
        row = review.row(review.highlight_ids()[0])
        qtbot.waitUntil(row.first_enabled_button().hasFocus)
        qtbot.wait(100)
        assert row.badge.mapTo(review.scroll.viewport(), QPoint(0, 0)).y() >= 0


def test_review_with_nothing_to_review_says_so(qtbot, window):
    """Ctrl+Shift+R where every note is where it was: the window says so in the status
    bar (as a colour key without a selection says what to do), instead of doing
    nothing at all; the panel is left as it was and the keyboard stays in the text."""
    nt = window.note_taking
    window.show_section("background")
    hid = nt.annotations.create_highlight("background", 0, 9, "yellow")
    qtbot.waitUntil(lambda: nt.panel.card(hid) is not None)
    press(qtbot, "Ctrl+Shift+R")
    assert window.statusBar().currentMessage() == (
        "Nothing to review: every note is where it was.")
    assert not in_view(nt.docks["review"])
    assert window.reader.hasFocus()


def test_the_keyboard_shortcuts_dialog_lists_the_focus_keys(window):
    rows = dict(shortcut_rows(window.actions_.all()))
    focus = (
        "Focus Sections",
        "Focus Text",
        "Focus Notes Panel",
        "Focus Library",
        "Focus Search Results",
    )
    assert [rows[c] for c in focus] == ["Alt+1", "Alt+2", "Alt+3", "Alt+4", "Alt+5"]


def test_the_keyboard_shortcuts_dialog_lists_the_context_menu_key(window):
    assert dict(shortcut_rows(window.actions_.all()))["Context Menu"] == "Shift+F10"


@pytest.fixture
def many_briefs(tmp_path: Path) -> Path:
    """A folder of 40 short briefs, each about the quayside (more than fit a list)."""
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        (folder / f"brief-{i:02}.md").write_text(
            f"# Annex {i:02}\n\nThe quayside works, part {i}.\n", encoding="utf-8"
        )
    return folder


def row_in_view(view, index) -> bool:
    """Whether an item view's row shows in its viewport."""
    return view.viewport().rect().intersects(view.visualRect(index))


def test_alt_4_shows_the_library_and_puts_the_focus_on_the_open_brief(qtbot, window, many_briefs):
    w = window
    finding = w.finding
    finding.library.add([many_briefs])
    finding.refresh_library()
    dock = finding.docks["library"]
    assert not dock.isVisible()
    press(qtbot, "Alt+4")
    qtbot.waitUntil(dock.isVisible)
    view = finding.library_view
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 41)
    qtbot.waitUntil(view.tree.hasFocus)
    assert view.current_path() == str(w.brief.path)  # (its title sorts last)
    view.tree.scrollToTop()
    assert not row_in_view(view.tree, view.tree.currentIndex())
    press(qtbot, "Alt+2")
    press(qtbot, "Alt+4")
    qtbot.waitUntil(view.tree.hasFocus)
    assert row_in_view(view.tree, view.tree.currentIndex())


def test_alt_5_puts_the_focus_on_the_search_results(qtbot, window, window_store, many_briefs):
    w = window
    finding = w.finding
    view = finding.search_view
    press(qtbot, "Alt+5")  # nothing searched yet: the query
    qtbot.waitUntil(finding.docks["search"].isVisible)
    qtbot.waitUntil(view.query_edit.hasFocus)
    finding.library.add([many_briefs])
    finding.refresh_library()
    wanted = {str(p.resolve()) for p in many_briefs.iterdir()}

    def indexed() -> bool:
        infos = {i.path: i for i in window_store.catalog()}
        return all(p in infos and not infos[p].needs_index for p in wanted)

    qtbot.waitUntil(indexed, timeout=20_000)
    qtbot.keyClicks(view.query_edit, "quayside")
    view.request_search()
    assert view.model.rowCount() == 40
    last = view.model.index(39)
    view.list.setCurrentIndex(last)
    view.list.scrollToTop()
    assert not row_in_view(view.list, last)
    press(qtbot, "Alt+2")
    press(qtbot, "Alt+5")
    qtbot.waitUntil(view.list.hasFocus)
    assert view.list.currentIndex() == last
    assert row_in_view(view.list, last)
    # The Notes tab was put behind the results: Alt+3 brings it back.
    press(qtbot, "Alt+3")
    qtbot.waitUntil(lambda: in_view(w.note_taking.docks["notes"]))
    assert not in_view(finding.docks["search"])


# --------------------------------------------------------------------------- context menus


@dataclass
class Shown:
    """A popup menu seen open: its commands (as read, without "&" and keys), where, and
    whether it held up what opened it (shown with exec(), which waits)."""

    commands: list[str]
    at: QPoint
    size: QSize
    waited: bool

    def placed_at(self, point: QPoint) -> bool:
        """Whether the menu opened at ``point``: its top left corner there, or as near
        as the screen leaves room for (the test screen is 800 pixels wide)."""
        screen = QApplication.primaryScreen().availableGeometry()
        x = min(point.x(), screen.right() + 1 - self.size.width())
        y = min(point.y(), screen.bottom() + 1 - self.size.height())
        return self.at == QPoint(x, y)


def menus_opened_by(trigger) -> list[Shown]:
    """Run ``trigger`` and return the popup menus it opened, closing each as soon as it is
    seen: one that waits in exec() is closed by a timer, so no test can hang on it."""
    seen: list[Shown] = []
    running = True

    def take() -> None:
        popup = QApplication.activePopupWidget()
        if popup is not None:
            commands = [a.text().split("\t")[0].replace("&", "") for a in popup.actions()]
            seen.append(Shown([c for c in commands if c], popup.pos(), popup.size(), running))
            popup.close()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(take)
    timer.start()
    try:
        trigger()
        running = False
        take()  # one shown with popup() is open now
    finally:
        timer.stop()
    return seen


def put_text_cursor(window: MainWindow, text: str) -> None:
    """The text cursor (no selection) in the middle of ``text`` of the section shown."""
    doc = window.reader.document().toPlainText()
    cursor = window.reader.textCursor()
    cursor.setPosition(doc.index(text) + len(text) // 2)
    window.reader.setTextCursor(cursor)


def test_shift_f10_opens_the_texts_menu_at_the_text_cursor(qtbot, window):
    w = window
    w.show_section("options")
    text = w.reader.rendered.plain_text
    start = text.index("Option one")
    hid = w.note_taking.annotations.create_highlight("options", start, start + 10, "green")
    put_text_cursor(w, "Option one")
    # The mouse far from there: the menu is where the keyboard is.
    viewport = w.reader.viewport()
    qtbot.mouseMove(viewport, QPoint(viewport.width() - 10, viewport.height() - 10))
    w.note_taking.selected_highlight = None
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert menu.commands[0] == "Copy"
    assert {"Edit Note", "Delete Highlight", "Bookmark Section"} <= set(menu.commands)
    assert menu.placed_at(viewport.mapToGlobal(w.reader.cursorRect().center()))
    assert w.note_taking.selected_highlight == hid  # the one its commands act on
    assert not menu.waited


def test_the_texts_menu_is_made_once_at_a_time(qtbot, window):
    w = window
    for _ in range(3):
        assert len(menus_opened_by(lambda: press(qtbot, "Shift+F10"))) == 1
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(w.reader.findChildren(QMenu)) == 1  # not one more for every time shown


def test_the_menu_key_opens_the_texts_menu_at_the_text_cursor(qtbot, window):
    # What X11, Wayland and Windows send for the Menu key, sent to the window.
    w = window
    w.show_section("options")
    put_text_cursor(w, "Option three")
    key = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(5, 5), QPoint(5, 5))
    (menu,) = menus_opened_by(lambda: QApplication.sendEvent(w.windowHandle(), key))
    assert "Highlight 1: key point" in menu.commands
    assert menu.placed_at(w.reader.viewport().mapToGlobal(w.reader.cursorRect().center()))


def test_shift_f10_brings_a_text_cursor_scrolled_away_back_with_its_menu(qtbot, paths, tmp_path):
    long = tmp_path / "long.md"
    long.write_text(
        "# Long\n\n" + "".join(f"Paragraph {i} of the long section.\n\n" for i in range(300)),
        encoding="utf-8",
    )
    w, store = open_window(qtbot, paths, long)
    try:
        qtbot.waitUntil(w.reader.hasFocus)
        put_text_cursor(w, "Paragraph 0 ")
        bar = w.reader.verticalScrollBar()
        bar.setValue(bar.maximum())  # the cursor far above the text shown
        viewport = w.reader.viewport()
        assert not viewport.rect().contains(w.reader.cursorRect().center())
        (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
        assert viewport.rect().contains(w.reader.cursorRect().center())
        assert menu.placed_at(viewport.mapToGlobal(w.reader.cursorRect().center()))
    finally:
        w.close()
        store.close()


def test_shift_f10_opens_the_menu_of_a_field_with_the_focus(qtbot, window):
    w = window
    edit = w.note_taking.panel.composer.edit
    press(qtbot, "Ctrl+Shift+M")  # comment on the section: the focus in its box
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, "Ask about")
    (menu,) = menus_opened_by(lambda: press(qtbot, "Shift+F10"))
    assert {"Paste", "Select All"} <= set(menu.commands)
    assert menu.placed_at(edit.viewport().mapToGlobal(edit.cursorRect().center()))


def test_shift_f10_where_there_is_no_menu_opens_none(qtbot, window):
    combo = window.note_taking.panel.colour_filter  # a choice of the notes panel's filters
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    assert menus_opened_by(lambda: press(qtbot, "Shift+F10")) == []


def test_each_theme_has_a_key(qtbot, window):
    w = window
    for keys, theme in (
        ("Ctrl+Shift+D", "dark"),
        ("Ctrl+Shift+H", "light"),
        ("Ctrl+Shift+D", "dark"),
        ("Ctrl+Shift+Y", "system"),
    ):
        press(qtbot, keys)
        assert w.settings.theme == theme
        (checked,) = [a for a in w.actions_.theme_group.actions() if a.isChecked()]
        assert checked.data() == theme
    rows = dict(shortcut_rows(w.actions_.all()))
    assert [rows[f"{t} Theme"] for t in ("Dark", "Light", "System")] == [
        "Ctrl+Shift+D",
        "Ctrl+Shift+H",
        "Ctrl+Shift+Y",
    ]


# --------------------------------------------------------------------------- Delete


def test_delete_on_a_highlights_card_moves_it_to_the_trash(qtbot, window, window_store):
    w = window
    ids = highlight_words(w, "options")
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.highlight_ids() == ids)
    press(qtbot, "Alt+3")
    qtbot.waitUntil(panel.card(ids[0]).hasFocus)
    press(qtbot, "Delete")
    qtbot.waitUntil(lambda: ids[0] not in panel.highlight_ids())
    assert window_store.get_highlight(ids[0]).deleted_at is not None
    qtbot.waitUntil(panel.card(ids[1]).hasFocus)  # the keyboard goes on to the next card
    # Typed in a box of a card, Delete edits the text.
    tags = panel.card(ids[1]).tags_edit
    tags.setFocus()
    qtbot.waitUntil(tags.hasFocus)
    qtbot.keyClicks(tags, "ab")
    qtbot.keyClick(tags, Qt.Key.Key_Home)
    press(qtbot, "Delete")
    assert tags.text() == "b"
    assert ids[1] in panel.highlight_ids()


def test_delete_on_a_comments_card_moves_it_to_the_trash(qtbot, window):
    w = window
    an = w.note_taking.annotations
    comment = an.add_comment("background", "Ask about the fares.", None)
    panel = w.note_taking.panel
    qtbot.waitUntil(lambda: panel.comment_ids() == [comment.id])
    press(qtbot, "Alt+3")  # no highlights: the first card is the comment's
    card = panel.card(comment.id)
    qtbot.waitUntil(card.hasFocus)
    press(qtbot, "Delete")
    qtbot.waitUntil(lambda: comment.id not in an.comments)
    qtbot.waitUntil(lambda: panel.comment_ids() == [])
    qtbot.waitUntil(panel.composer.edit.hasFocus)  # the next thing there
