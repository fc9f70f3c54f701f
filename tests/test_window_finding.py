"""Library, find bar, search everywhere, reading position and preferences on the real
window, with its own store and data folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from briefreader.notes import NotesService, brief_key
from briefreader.parse import load_brief
from briefreader.paths import Paths
from briefreader.settings import Settings
from briefreader.store import Store
from briefreader.ui import finding as finding_module
from briefreader.ui.library_view import COL_TITLE, PATH_ROLE
from briefreader.ui.main_window import MainWindow
from briefreader.ui.navigator import READ_ROLE
from windows import open_window

FERRY = """\
---
title: Coastal Ferry Subsidy Review
id: ferry-2026
---

# Background

The ferry link carries 1.1 million passengers a year. Fares rose by a fifth in
two years while the quayside cranes aged.

# Options

Option one keeps the subsidy flat. Option two ties the quayside works to sailings.
Option three tenders the route again from next spring.

# Recommendation

Ministers should choose option two and rebuild the Quayside before winter.
"""

MARSH = """\
---
title: Saltmarsh Restoration Plan
id: marsh-2026
---

# Summary

Restoring the saltmarsh protects the estuary villages from storm surges.

# Costs

Dredging the old creeks costs less than raising the embankment by a metre.
"""

WAIT = 10_000


class App:
    """A window with its own store and library, reopenable on the same data folder."""

    def __init__(self, qtbot, data: Path) -> None:
        self.qtbot, self.data = qtbot, data
        self.paths = Paths(data).ensure()
        self.library_dir = data / "Briefs"  # the library's default folder
        self.library_dir.mkdir(parents=True, exist_ok=True)
        self.window: MainWindow | None = None
        self.store: Store | None = None

    def write(self, name: str, text: str) -> Path:
        path = self.library_dir / name
        path.write_text(text, encoding="utf-8")
        return path.resolve()

    def open(self, path: Path | None = None) -> MainWindow:
        window, self.store = open_window(self.qtbot, self.paths, path, library=True)
        if path is not None:
            self.qtbot.waitUntil(window.reader.hasFocus)  # shortcuts need the focus inside
        self.window = window
        return window

    def close(self) -> None:
        self.window.close()
        self.store.close()
        self.window = None

    def wait_indexed(self, *paths: Path) -> None:
        wanted = {str(p) for p in paths}

        def done() -> bool:
            infos = {i.path: i for i in self.store.catalog()}
            return all(p in infos and not infos[p].needs_index for p in wanted)

        self.qtbot.waitUntil(done, timeout=WAIT)


@pytest.fixture
def app(qtbot, tmp_path):
    a = App(qtbot, tmp_path / "data")
    yield a
    if a.window is not None:
        a.window.close()
    if a.store is not None:
        a.store.close()


def library_row(window: MainWindow, path: Path):
    view = window.finding.library_view
    for row in range(view.proxy.rowCount()):
        index = view.proxy.index(row, COL_TITLE)
        if index.data(PATH_ROLE) == str(path):
            return index
    return None


def selected_text(window: MainWindow) -> str:
    return window.reader.textCursor().selectedText()


def press(qtbot, widget, key: QKeySequence.StandardKey | str) -> None:
    sequence = (QKeySequence(key) if isinstance(key, str)
                else QKeySequence.keyBindings(key)[0])
    combo = sequence[0]
    qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())


# --------------------------------------------------------------------------- library


def test_library_lists_the_folder_and_enter_opens_a_brief(qtbot, app):
    ferry = app.write("ferry.md", FERRY)
    marsh = app.write("marsh.md", MARSH)
    w = app.open(ferry)
    assert not w.finding.docks["library"].isVisible()
    press(qtbot, w.reader, "Ctrl+Shift+B")
    assert w.finding.docks["library"].isVisible() and w.actions_.show_library.isChecked()
    qtbot.waitUntil(lambda: library_row(w, marsh) is not None, timeout=WAIT)
    view = w.finding.library_view
    assert view.current_path() == str(ferry)  # the open brief is the current row
    view.tree.setCurrentIndex(library_row(w, marsh))
    view.tree.setFocus()
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert w.brief.title == "Saltmarsh Restoration Plan"
    assert view.current_path() == str(marsh)


def test_a_brief_opened_from_elsewhere_joins_the_library(qtbot, app, tmp_path):
    outside = tmp_path / "elsewhere" / "marsh.md"
    outside.parent.mkdir()
    outside.write_text(MARSH, encoding="utf-8")
    w = app.open(outside)
    assert w.finding.library.contains(outside)
    qtbot.waitUntil(lambda: library_row(w, outside.resolve()) is not None, timeout=WAIT)


def test_watched_brief_changes_are_indexed_and_the_open_one_reloads(qtbot, app):
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    app.wait_indexed(ferry)
    w.show_section("options")
    quote = "tenders the route again from next spring"
    cursor = w.reader.textCursor()
    start = w.reader.document().toPlainText().index(quote)
    cursor.setPosition(start)
    cursor.setPosition(start + len(quote), cursor.MoveMode.KeepAnchor)
    w.reader.setTextCursor(cursor)
    w.actions_.highlight_colours["yellow"].trigger()
    first = w.brief
    assert app.store.search("tidewater") == []

    # Another program rewrites the brief: a new paragraph, and the highlighted words
    # edited a little.
    changed = FERRY.replace("# Options\n", "# Options\n\nThe tidewater berth is closed.\n")
    changed = changed.replace(quote, "tenders the ferry route again from next spring")
    ferry.write_text(changed, encoding="utf-8")
    os.utime(ferry, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    qtbot.waitUntil(lambda: w.brief is not first, timeout=WAIT)
    assert "tidewater berth" in w.reader.document().toPlainText()
    assert w.reader.section.id == "options"
    qtbot.waitUntil(w.banner.isVisible, timeout=WAIT)
    assert "changed since you last read it: 1 note changed." in w.banner.label.text()
    # Re-indexed for search without blocking: the new words are found.
    qtbot.waitUntil(lambda: [r.kind for r in app.store.search("tidewater")] == ["text"],
                    timeout=WAIT)
    app.wait_indexed(ferry)
    (info,) = [i for i in app.store.catalog() if i.path == str(ferry)]
    assert info.content_hash == info.indexed_hash == w.brief.content_hash

    # A new brief saved into the folder appears in the library.
    marsh = app.write("marsh.md", MARSH)
    qtbot.waitUntil(lambda: library_row(w, marsh) is not None, timeout=WAIT)
    app.wait_indexed(marsh)
    assert w.brief.title == "Coastal Ferry Subsidy Review"  # the open brief stays


def test_indexing_shows_progress_in_the_library_and_ends_hidden(qtbot, app):
    sections = "\n\n".join(f"# Part {i}\n\nPart {i} of the wharf survey." for i in range(60))
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    app.wait_indexed(ferry)
    view = w.finding.library_view
    shown: list[tuple[int, int, bool]] = []

    def spy(path: str, done: int, total: int) -> None:
        if path == str(big):
            shown.append((done, total, not view.progress.isHidden()))

    # Queued after the window's own slot, on the GUI thread: sees the strip as that
    # slot left it.
    w.finding.indexer.progress.connect(spy, Qt.ConnectionType.QueuedConnection)
    # Written once the spy listens (the watcher picks it up), so no progress is missed.
    big = app.write("survey.md", f"---\ntitle: Wharf Survey\n---\n\n{sections}\n")
    app.wait_indexed(big)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1][:2] == (60, 60), timeout=WAIT)
    qtbot.waitUntil(lambda: not w.finding.indexer.busy(), timeout=WAIT)
    qtbot.waitUntil(view.progress.isHidden, timeout=WAIT)
    assert any(visible for done, total, visible in shown if done < total)
    assert [r.section for r in app.store.search("wharf survey part 42")][:1] == ["part-42"]


# --------------------------------------------------------------------------- find bar


def test_find_bar_counts_across_sections_and_f3_moves_through_them(qtbot, app):
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    w.show_section("background")
    w.reader.setFocus()
    bar = w.finding.find_bar
    press(qtbot, w.reader, QKeySequence.StandardKey.Find)
    assert bar.isVisible() and bar.edit.hasFocus()
    qtbot.keyClicks(bar.edit, "quayside")
    # Three matches, one per section, case and accents aside; the first is selected.
    assert bar.count_label.text() == "1 of 3"
    assert w.reader.section.id == "background"
    assert selected_text(w) == "quayside"
    assert len(w.reader.extraSelections()) == 1

    press(qtbot, bar.edit, QKeySequence.StandardKey.FindNext)
    assert bar.count_label.text() == "2 of 3"
    assert w.reader.section.id == "options"
    assert selected_text(w) == "quayside"
    assert len(w.reader.extraSelections()) == 1
    press(qtbot, bar.edit, QKeySequence.StandardKey.FindNext)
    assert (bar.count_label.text(), w.reader.section.id) == ("3 of 3", "recommendation")
    assert selected_text(w) == "Quayside"
    assert "Passed" not in w.statusBar().currentMessage()
    press(qtbot, bar.edit, QKeySequence.StandardKey.FindNext)  # wraps around, and says so
    assert (bar.count_label.text(), w.reader.section.id) == ("1 of 3", "background")
    assert "Passed the end of the brief" in w.statusBar().currentMessage()
    press(qtbot, bar.edit, QKeySequence.StandardKey.FindPrevious)
    assert (bar.count_label.text(), w.reader.section.id) == ("3 of 3", "recommendation")
    assert "Passed the start of the brief" in w.statusBar().currentMessage()

    # Escape from the text closes the bar and clears the marks.
    w.reader.setFocus()
    qtbot.waitUntil(w.reader.hasFocus)
    qtbot.keyClick(w.reader, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert w.reader.extraSelections() == []
    # F3 opens it again on the same words and goes on.
    press(qtbot, w.reader, QKeySequence.StandardKey.FindNext)
    assert bar.isVisible() and bar.count_label.text() == "1 of 3"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_find_marks_every_match_in_the_section_and_says_when_none(qtbot, app):
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    w.show_section("options")
    bar = w.finding.find_bar
    w.actions_.find.trigger()
    qtbot.keyClicks(bar.edit, "option")
    assert w.reader.section.id == "options"
    assert bar.count_label.text() == "1 of 4"
    assert len(w.reader.extraSelections()) == 3  # "option" ×3 here; the 4th is further on
    bar.edit.clear()
    qtbot.keyClicks(bar.edit, "hovercraft")
    assert bar.count_label.text() == "No matches"
    assert w.reader.extraSelections() == []
    # Nor is the last match found ("ho…") left selected as if it were one.
    assert not w.reader.textCursor().hasSelection()
    # A selection of the user's own stays when nothing is found.
    w.reader.selectAll()
    bar.edit.clear()
    qtbot.keyClicks(bar.edit, "zq")
    assert bar.count_label.text() == "No matches"
    assert w.reader.textCursor().hasSelection()


# --------------------------------------------------------------------------- search everywhere


def test_search_everywhere_opens_text_and_note_results_at_their_place(qtbot, app):
    ferry = app.write("ferry.md", FERRY)
    marsh = app.write("marsh.md", MARSH)
    # A note made earlier on the other brief.
    store = Store.open(app.paths)
    NotesService(store, author="Ben").annotate(
        load_brief(marsh), "costs", "raising the embankment",
        note="Ask the council about grants")
    store.close()
    w = app.open(ferry)
    app.wait_indexed(ferry, marsh)

    press(qtbot, w.reader, "Ctrl+Shift+F")
    view = w.finding.search_view
    assert w.finding.docks["search"].isVisible()
    qtbot.waitUntil(view.query_edit.hasFocus)
    qtbot.keyClicks(view.query_edit, "creeks")
    qtbot.keyClick(view.query_edit, Qt.Key.Key_Return)
    assert view.model.rowCount() == 1
    qtbot.keyClick(view.query_edit, Qt.Key.Key_Return)  # again: opens the first result
    assert (w.brief.title, w.reader.section.id) == ("Saltmarsh Restoration Plan", "costs")
    assert selected_text(w) == "creeks"

    view.query_edit.clear()
    qtbot.keyClicks(view.query_edit, "grants")
    view.request_search()
    (hit,) = [view.model.result(r) for r in range(view.model.rowCount())]
    assert hit.kind == "note"
    w.open_path(ferry)  # the note opens from another brief too
    assert w.brief.title == "Coastal Ferry Subsidy Review"
    view.list.setCurrentIndex(view.model.index(0))
    view.list.setFocus()
    qtbot.keyClick(view.list, Qt.Key.Key_Return)
    assert (w.brief.title, w.reader.section.id) == ("Saltmarsh Restoration Plan", "costs")
    assert selected_text(w) == "raising the embankment"
    qtbot.waitUntil(lambda: w.note_taking.panel.selected_highlight() == hit.id)


def test_a_comment_result_scrolls_to_its_card_and_focuses_it(qtbot, app):
    marsh = app.write("marsh.md", MARSH)
    store = Store.open(app.paths)
    service = NotesService(store, author="Ben")
    brief = load_brief(marsh)
    service.comment(brief, "costs", "Check the saltpans survey before the vote.")
    store.close()
    w = app.open(marsh)
    app.wait_indexed(marsh)
    w.show_section(brief.sections[0].id)
    w.note_taking.docks["notes"].hide()

    press(qtbot, w.reader, "Ctrl+Shift+F")
    view = w.finding.search_view
    qtbot.waitUntil(view.query_edit.hasFocus)
    qtbot.keyClicks(view.query_edit, "saltpans")
    view.request_search()
    (hit,) = [view.model.result(r) for r in range(view.model.rowCount())]
    assert hit.kind == "comment"
    view.list.setCurrentIndex(view.model.index(0))
    view.list.setFocus()
    qtbot.keyClick(view.list, Qt.Key.Key_Return)
    assert w.reader.section.id == "costs"
    assert w.note_taking.docks["notes"].isVisible()

    def focused_comment():
        card = QApplication.focusWidget()
        return getattr(getattr(card, "comment", None), "id", None)

    qtbot.waitUntil(lambda: focused_comment() == hit.id)


def test_a_query_search_cannot_use_says_so(qtbot, app):
    w = app.open(app.write("ferry.md", FERRY))
    view = w.finding.search_view
    w.actions_.search_everywhere.trigger()
    view.query_edit.setText('"" ***')
    view.request_search()
    assert view.model.rowCount() == 0
    assert "word" in view.status.text()


# --------------------------------------------------------------------------- reading state


def test_reading_position_and_read_sections_are_kept(qtbot, app):
    paragraphs = "\n\n".join(f"Paragraph {i} of the long middle part." for i in range(120))
    long_brief = (f"---\ntitle: Long Read\nid: long-2026\n---\n\n# One\n\nShort start.\n\n"
                  f"# Two\n\n{paragraphs}\n\n# Three\n\nThe end.\n")
    path = app.write("long.md", long_brief)
    w = app.open(path)
    key = brief_key(w.brief)
    w.show_section("two")
    bar = w.reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 400)
    bar.setValue(300)
    # Not read yet: the end of the section was not reached.
    qtbot.wait(finding_module.READ_AFTER_MS + 200)
    assert "two" not in app.store.reading_state(key).read_sections
    app.close()
    # Kept once, with the notes (the settings file keeps it only for a window without).
    assert Settings(app.paths.settings_file).section_for(str(path)) is None

    w = app.open(path)
    assert w.reader.section.id == "two"
    bar = w.reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() == 300, timeout=WAIT)
    # Scrolled to its end, the section counts as read: muted in the navigator and
    # counted in the library.
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: "two" in app.store.reading_state(key).read_sections, timeout=WAIT)
    index = w.navigator.model.index_for("two")
    assert index.data(READ_ROLE) is True
    assert w.navigator.model.index_for("one").data(READ_ROLE) is not True
    entry = w.finding.library.entry(path)
    assert entry is not None and entry.read == 1


# --------------------------------------------------------------------------- preferences


def test_the_hidden_library_list_is_reloaded_when_shown_not_after_every_change(
        qtbot, app, monkeypatch):
    path = app.write("ferry.md", FERRY)
    w = app.open(path)
    app.wait_indexed(path)
    f = w.finding
    qtbot.waitUntil(lambda: f._refresh_thread is None, timeout=WAIT)  # the start's refresh
    qtbot.wait(400)
    assert not f.docks["library"].isVisible()
    reads = []
    real = f.library.entries
    monkeypatch.setattr(f.library, "entries", lambda: reads.append(1) or real())
    f.on_indexed(str(path))  # a change the list would show
    qtbot.wait(400)  # past the list's debounce
    assert reads == []
    w.actions_.show_library.trigger()
    qtbot.waitUntil(lambda: library_row(w, path) is not None)
    assert len(reads) == 1  # once, on showing


def test_preferences_set_the_author_labels_font_and_backups(qtbot, app, monkeypatch):
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    seen = []

    def fake(parent, prefs, *, default_author, apply, folders=None):
        seen.append(prefs)
        labels = tuple((c, "Check figures" if c == "blue" else label)
                       for c, label in prefs.color_labels)
        apply(type(prefs)(author="Dana Reyes", library_folders=prefs.library_folders,
                          color_labels=labels, theme=prefs.theme, font_family="",
                          font_size=15, keep_backups=3))

    monkeypatch.setattr(finding_module, "ask_preferences", fake)
    loads = []
    real_load = w.note_taking.annotations.notes.highlights
    monkeypatch.setattr(w.note_taking.annotations.notes, "highlights",
                        lambda *a, **k: loads.append(1) or real_load(*a, **k))
    w.actions_.preferences.trigger()
    assert loads == []  # a label renamed: only the labels are read again, not every note
    assert seen and seen[0].author == ""
    assert str(app.library_dir.resolve()) in seen[0].library_folders

    w.show_section("background")
    cursor = w.reader.textCursor()
    start = w.reader.document().toPlainText().index("million passengers")
    cursor.setPosition(start)
    cursor.setPosition(start + len("million passengers"), cursor.MoveMode.KeepAnchor)
    w.reader.setTextCursor(cursor)
    w.actions_.highlight_colours["blue"].trigger()
    (h,) = w.note_taking.annotations.highlights.values()
    assert h.author == "Dana Reyes"
    assert {c.color: c.label for c in app.store.color_labels()}["blue"] == "Check figures"
    assert w.note_taking.annotations.labels["blue"] == "Check figures"
    assert w.actions_.highlight_colours["blue"].text() == "Highlight &3: Check figures"
    assert w.reader.base_font()[1] == 15
    assert w.reader.document().defaultFont().pointSizeF() == 15  # at 100 % zoom
    assert app.store.keep_backups == 3
    settings = Settings(app.paths.settings_file)
    assert (settings.author, settings.reader_font_size, settings.keep_backups) == (
        "Dana Reyes", 15, 3)


def test_new_shortcuts_are_in_the_menus(app):
    w = app.open()
    texts = {a.text() for menu in w.menuBar().findChildren(type(w.recent_menu))
             for a in menu.actions()}
    for action in (w.actions_.find, w.actions_.find_next, w.actions_.find_previous,
                   w.actions_.preferences, w.actions_.show_library,
                   w.actions_.search_everywhere):
        assert action.text() in texts
    keys = {k.toString() for k in w.actions_.preferences.shortcuts()}
    assert "Ctrl+," in keys


@pytest.mark.parametrize("width", [1100, 800, 640])
def test_the_library_in_a_small_window_never_squeezes_the_text(qtbot, app, width):
    # Beside the sections while the text keeps a readable width; where the window is too
    # small for that, a tab beside the notes.
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    w.setGeometry(w.x(), w.y(), width, 560)
    qtbot.waitUntil(lambda: w.width() == width)
    text = w.reader.width()
    w.actions_.show_library.trigger()
    library, notes = w.finding.docks["library"], w.note_taking.docks["notes"]
    qtbot.waitUntil(library.isVisible)
    qtbot.wait(50)
    tabbed = library in w.tabifiedDockWidgets(notes)
    assert tabbed == (width < 1000)
    if not tabbed:
        assert library.width() >= finding_module.LIBRARY_LEAST
    # (The docks settle over a turn or two of the event loop.)
    qtbot.waitUntil(lambda: w.reader.width() >= min(text, finding_module.TEXT_LEAST),
                    timeout=2000)
    assert w.splitter.sizes()[0] >= 110  # the sections are still there to read
    assert w.width() == width and w.minimumSizeHint().width() <= width
    w.actions_.show_library.trigger()  # hidden again: the notes are back in front
    qtbot.waitUntil(lambda: not library.isVisible())
    assert notes.isVisible()


@pytest.mark.parametrize("width", [1280, 1024, 800])
def test_search_beside_the_library_never_squeezes_the_text(qtbot, app, width):
    # The Library beside the sections, then Search Everywhere as a tab of the notes:
    # the Search tab came in wider than the notes and took the difference from the
    # text, leaving it 228 pixels at 1024.
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    w.setGeometry(w.x(), w.y(), width, 640)
    qtbot.waitUntil(lambda: w.width() == width)
    w.actions_.show_library.trigger()
    qtbot.waitUntil(w.finding.docks["library"].isVisible)
    qtbot.waitUntil(lambda: w.reader.width() >= finding_module.TEXT_LEAST, timeout=2000)
    w.actions_.search_everywhere.trigger()
    search = w.finding.docks["search"]
    qtbot.waitUntil(search.isVisible)
    qtbot.wait(50)
    qtbot.waitUntil(lambda: w.reader.width() >= finding_module.TEXT_LEAST, timeout=2000)
    assert w.splitter.sizes()[0] >= finding_module.SECTIONS_LEAST
    assert w.width() == width
    view = w.finding.search_view
    for combo in (view.scope_combo, view.color_combo):
        assert combo.width() >= combo.fontMetrics().horizontalAdvance(combo.currentText())


def test_the_library_opened_beside_the_sections_leaves_the_text_most_of_the_middle(qtbot, app):
    ferry = app.write("ferry.md", FERRY)
    w = app.open(ferry)
    w.note_taking.docks["notes"].hide()  # (the test screen is 800 pixels wide)
    w.splitter.setSizes([300, 980])  # the sections as wide as a first start makes them
    w.actions_.show_library.trigger()
    qtbot.waitUntil(w.finding.docks["library"].isVisible)
    qtbot.waitUntil(lambda: w.splitter.sizes()[1] >= 0.6 * sum(w.splitter.sizes()))
    assert w.splitter.sizes()[0] >= 150  # the sections are still there to read
