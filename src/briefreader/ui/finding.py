"""Finding things in the window: the library beside the navigator, find in the open
brief, search everywhere, reading progress, and the preferences.

The main window creates one ``Finding`` (when notes are available) and tells it when
a brief or a section is shown; everything about finding is connected here, in
``_connect_signals``. The views only ask; this controller answers from the store.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget, QStyle, QWidget

from briefreader.brief import Brief, Section
from briefreader.errors import BriefreaderError
from briefreader.library import (
    Library,
    RefreshReport,
    refresh_library_in,
    resolved,
)
from briefreader.notes import NotesService, brief_key, default_author
from briefreader.records import COLORS, ReadingState
from briefreader.search import FindSession, QueryError, SearchFilters, SearchResult
from briefreader.ui import preferences as preferences_ui
from briefreader.ui.actions import Actions
from briefreader.ui.file_dialogs import DialogFolders
from briefreader.ui.find_bar import FindBar
from briefreader.ui.item_views import add_docks
from briefreader.ui.library_view import Indexer, LibraryView, LibraryWatcher
from briefreader.ui.loader import is_big
from briefreader.ui.navigator import Navigator
from briefreader.ui.preferences import Preferences, PreferencesDialog
from briefreader.ui.reader import ReaderView
from briefreader.ui.search_view import SearchView

if TYPE_CHECKING:
    from briefreader.paths import Paths
    from briefreader.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: The reading position is saved this long after the reader stops moving.
SAVE_POSITION_MS = 600
#: A section counts as read once its end has been in view this long.
READ_AFTER_MS = 400
#: A scroll position to restore waits at most this long for the text's layout.
RESTORE_SCROLL_MS = 1500
#: The library's columns need this much room to be read.
LIBRARY_MIN_WIDTH = 320
#: In a small window the Library makes do with less, down to this (its titles, cut short
#: in their middle, and how far each is read): the text keeps TEXT_LEAST beside it.
LIBRARY_LEAST = 200
TEXT_LEAST = 300
#: With the Library open, the text's share of the middle of the window, taken from the
#: list of sections down to its least width.
TEXT_SHARE = 0.65
SECTIONS_LEAST = 150
#: Selected text longer than this is not put in the find field.
FIND_SELECTION_MAX = 80


def ask_preferences(parent: QWidget, prefs: Preferences, *, default_author: str,
                    apply, folders: DialogFolders | None = None) -> None:
    """Show the preferences dialog modally; ``apply(Preferences)`` runs on Apply and
    on OK; ``folders`` tell where its Add Folder starts. Tests replace this function."""
    dialog = PreferencesDialog(prefs, parent, default_author=default_author, folders=folders)
    dialog.preferences_applied.connect(apply)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()


class Finding(QObject):
    _texts_ready = Signal(object)  # a brief whose section texts were prepared off-thread
    _refreshed = Signal(object)  # the library's RefreshReport, or an error message

    def __init__(self, window: MainWindow, notes: NotesService, actions: Actions,
                 reader: ReaderView, navigator: Navigator, *, paths: Paths | None = None
                 ) -> None:
        super().__init__(window)
        self.window = window
        self.notes = notes
        self.store = notes.store
        self.settings = window.settings
        self.actions = actions
        self.reader = reader
        self.navigator = navigator
        self._prefs_shown: Preferences | None = None  # as the dialog last showed them
        try:
            self.library = Library(self.store, paths)
        except BriefreaderError as exc:  # busy or damaged: the default folders wait
            self.library = Library(self.store)
            window.statusBar().showMessage(f"The library could not be read: {exc}", 8000)

        self.library_view = LibraryView(window)
        self.search_view = SearchView(window)
        self.find_bar = FindBar(window)
        self._last_match: tuple[str, int, int] | None = None  # selected by the find bar
        self.docks = add_docks(window, (
            ("library", "Library", self.library_view, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("search", "Search", self.search_view, Qt.DockWidgetArea.RightDockWidgetArea),
        ))
        for dock in self.docks.values():
            dock.hide()
        note_taking = window.note_taking
        if note_taking is not None:
            window.tabifyDockWidget(note_taking.docks["notes"], self.docks["search"])
            note_taking.docks["notes"].raise_()
            self.docks["search"].hide()

        self.watcher = LibraryWatcher(self)
        self.indexer = Indexer(self.store.database, self)
        # Escape in the text closes the find bar (in the bar's field the bar handles it).
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), reader)
        self._escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._escape.setEnabled(False)

        self.session: FindSession | None = None
        self._session_brief: Brief | None = None
        self._preparing: Brief | None = None
        self._texts_done: Brief | None = None
        self._queued_find: tuple[str, bool, bool] | None = None
        self._brief: Brief | None = None
        self._key: str | None = None
        self._read: set[str] = set()
        self._pending_scroll: tuple[str, int] | None = None
        self._scroll_armed = False  # the brief is shown: the position may be restored
        self._pending_result: SearchResult | None = None
        self._indexing_titles: dict[str, str] = {}
        self._refresh_thread: threading.Thread | None = None
        self._refresh_again = False
        self._closed = False

        self._save_timer = self._timer(SAVE_POSITION_MS, self.remember_position)
        self._read_timer = self._timer(READ_AFTER_MS, self._check_read)
        self._scroll_timer = self._timer(RESTORE_SCROLL_MS, self._give_up_scroll)
        self._entries_timer = self._timer(200, self._entries_changed)
        # The library list is reloaded only while on screen; otherwise when next shown.
        self._library_on_screen = False
        self._opened_state: ReadingState | None = None  # read for the brief being opened
        self._entries_stale = True
        self._connect_signals()
        self._update_labels()
        QTimer.singleShot(0, self.refresh_library)

    def _timer(self, ms: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    # -- wiring ------------------------------------------------------------------------
    def _connect_signals(self) -> None:
        a = self.actions
        a.find.triggered.connect(self.on_find_triggered)
        a.find_next.triggered.connect(self.find_bar.find_next)
        a.find_previous.triggered.connect(self.find_bar.find_previous)
        a.search_everywhere.triggered.connect(self.on_search_everywhere_triggered)
        a.preferences.triggered.connect(self.on_preferences_triggered)
        a.show_library.toggled.connect(self.on_show_library_toggled)
        a.focus_library.triggered.connect(self.focus_library)
        a.focus_results.triggered.connect(self.focus_results)
        self.docks["library"].visibilityChanged.connect(self.on_library_visibility_changed)
        # Search comes in as a tab of the notes, as wide as it needs: after the docks
        # settle, the text gets back what that took below its least.
        self.docks["search"].visibilityChanged.connect(
            lambda visible: visible and QTimer.singleShot(0, self._text_keeps_its_least))

        self.find_bar.find_requested.connect(self.on_find_requested)
        self.find_bar.closed.connect(self.on_find_closed)
        self._escape.activated.connect(self.find_bar.close_bar)
        self._texts_ready.connect(self.on_texts_ready)
        self._refreshed.connect(self.on_library_refreshed)

        self.library_view.brief_activated.connect(self.on_library_brief_activated)
        self.library_view.add_folder_requested.connect(self.on_add_folder_requested)
        self.library_view.refresh_requested.connect(self.refresh_library)
        self.watcher.library_changed.connect(self.refresh_library)
        # Which brief changed does not matter: a refresh reads what changed on disk.
        self.watcher.brief_changed.connect(lambda _path: self.refresh_library())
        self.indexer.progress.connect(self.on_index_progress)
        self.indexer.indexed.connect(self.on_indexed)
        self.indexer.failed.connect(self.on_index_failed)
        self.indexer.idle.connect(self.on_index_idle)

        self.search_view.search_requested.connect(self.on_search_requested)
        self.search_view.result_activated.connect(self.on_result_activated)

        bar = self.reader.verticalScrollBar()
        bar.valueChanged.connect(self.on_scrolled)
        bar.rangeChanged.connect(self.on_scroll_range_changed)
        if self.window.note_taking is not None:
            # Painting highlights may rebuild the document: the find marks follow.
            self.window.note_taking.annotations.changed.connect(self.refresh_marks)

    # -- what the window tells us ------------------------------------------------------
    def section_to_open(self, brief: Brief, requested: str | None) -> str | None:
        """The section to show for a brief just loaded: where the reader left it (and
        the scroll position too), unless another section was asked for."""
        self._pending_scroll = None
        self._scroll_armed = False
        key = _key_of(brief)
        if key is None:
            return requested
        try:
            state = self.store.reading_state(key)
        except BriefreaderError:
            return requested
        self._opened_state = state  # for brief_shown, right after
        if state.section_id is None or all(s.id != state.section_id for s in brief.sections):
            return requested
        if requested is not None and requested != state.section_id:
            return requested
        if state.scroll > 0:
            self._pending_scroll = (state.section_id, state.scroll)
        return state.section_id

    def brief_leaving(self) -> None:
        """Another brief (or a new version of this one) is about to be shown."""
        self.remember_position()

    def brief_shown(self, brief: Brief) -> None:
        self._sync_brief()
        if brief.path is not None:
            try:
                added = not self.library.contains(brief.path)
                if added:
                    self.library.add([brief.path])
            except BriefreaderError:
                added = False  # the brief still reads; it is only missing from the library list
            if added:
                self.refresh_library()
        if brief.path is not None:
            self.library_view.select_path(str(resolved(brief.path)))
        result, self._pending_result = self._pending_result, None
        if result is not None and result.brief_id == self._key:
            self._pending_scroll = None
            self.go_to_result(result)
        elif self._pending_scroll is not None:
            self._scroll_armed = True
            self._scroll_timer.start()
            self._apply_pending_scroll()

    def section_shown(self, section: Section) -> None:
        self._sync_brief()
        if self._pending_scroll is not None and self._pending_scroll[0] != section.id:
            self._pending_scroll = None
        self._save_timer.start()
        self._read_timer.start()
        self.refresh_marks()

    def shutdown(self) -> None:
        """The window closes: save the place and stop watching and indexing."""
        if self._closed:
            return
        self._closed = True
        for timer in (self._save_timer, self._read_timer, self._scroll_timer,
                      self._entries_timer):
            timer.stop()
        self.remember_position()
        self.indexer.stop()
        self.watcher.set_paths([], [])
        if self._refresh_thread is not None:
            self._refresh_thread.join(5.0)

    def _sync_brief(self) -> None:
        """Follow the window's brief: its key, which sections were read, a new find."""
        brief = self.window.brief
        if brief is self._brief:
            return
        self._brief = brief
        self._key = _key_of(brief) if brief is not None else None
        self._read = set()
        state, self._opened_state = self._opened_state, None
        if state is not None and state.brief_key == self._key:
            self._read = set(state.read_sections)
        elif self._key is not None:
            with contextlib.suppress(BriefreaderError):
                self._read = set(self.store.reading_state(self._key).read_sections)
        self.navigator.set_read(self._read)
        if self._session_brief is not brief:
            self.session, self._session_brief, self._queued_find = None, None, None
            self.reader.set_find_selections([])
            if self.find_bar.text:
                self.find_bar.set_result("", found=True)

    # -- reading position and progress -------------------------------------------------
    def remember_position(self) -> None:
        self._save_timer.stop()
        section = self.reader.section
        if self._key is None or section is None or self.reader.brief is not self._brief:
            return
        scroll = self.reader.verticalScrollBar().value()
        if self._pending_scroll is not None:
            scroll = self._pending_scroll[1]  # not restored yet: keep what was saved
        with contextlib.suppress(BriefreaderError):
            self.store.save_reading_position(self._key, section.id, scroll)

    def on_scrolled(self, _value: int) -> None:
        if self._pending_scroll is None:
            self._save_timer.start()
        self._read_timer.start()

    def on_scroll_range_changed(self, _minimum: int, _maximum: int) -> None:
        self._apply_pending_scroll()
        self._read_timer.start()

    def _apply_pending_scroll(self) -> None:
        if self._pending_scroll is None or not self._scroll_armed:
            return
        section_id, value = self._pending_scroll
        if self.reader.section is None or self.reader.section.id != section_id:
            self._pending_scroll = None
            return
        bar = self.reader.verticalScrollBar()
        if bar.maximum() >= value:
            self._pending_scroll = None
            self._scroll_timer.stop()
            bar.setValue(value)

    def _give_up_scroll(self) -> None:
        """The text got shorter since: go as far as it goes."""
        if self._pending_scroll is not None:
            value = self._pending_scroll[1]
            self._pending_scroll = None
            if self.reader.section is not None:
                self.reader.verticalScrollBar().setValue(value)

    def _check_read(self) -> None:
        section = self.reader.section
        if (section is None or self._key is None or self.reader.brief is not self._brief
                or self._pending_scroll is not None or section.id in self._read
                or not self.reader.isVisible()):
            return
        bar = self.reader.verticalScrollBar()
        if bar.value() < bar.maximum():
            return
        try:
            self.store.mark_section_read(self._key, section.id)
        except BriefreaderError:
            return
        self._read.add(section.id)
        self.navigator.set_read(self._read)
        self._entries_timer.start()

    # -- library -----------------------------------------------------------------------
    def refresh_library(self) -> None:
        """Bring the library in line with the disk, off the GUI thread (a new library
        reads every brief once); then index what changed and reload the open brief
        when its file changed."""
        if self._closed:
            return
        if self._refresh_thread is not None:
            self._refresh_again = True  # once this one is done: the disk moved on
            return
        self._refresh_thread = threading.Thread(
            target=self._refresh_worker, args=(self.store.database,), daemon=True,
            name="library-refresh")
        self._refresh_thread.start()

    def _refresh_worker(self, database: Path) -> None:
        outcome: object
        try:
            outcome = refresh_library_in(database)
        except Exception as exc:  # noqa: BLE001 - the thread's end: always report back
            if not isinstance(exc, BriefreaderError | OSError):
                log.exception("library refresh failed")
            outcome = f"The library could not be read: {exc}"
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            self._refreshed.emit(outcome)

    def on_library_refreshed(self, report: object) -> None:
        self._refresh_thread = None
        if self._closed or not shiboken6.isValid(self.library_view):
            return
        if self._refresh_again:
            self._refresh_again = False
            self.refresh_library()
        if isinstance(report, str):
            self._status(report)
            return
        assert isinstance(report, RefreshReport)
        entries = self._show_entries()
        try:
            sources = self.library.sources()
        except BriefreaderError as exc:
            self._status(f"The library could not be read: {exc}")
            return
        if report.to_index:
            titles = {e.info.path: e.info.title for e in entries or ()}
            for path in report.to_index:
                self._indexing_titles[path] = titles.get(path, Path(path).stem)
            self.indexer.enqueue(report.to_index)
        if entries is None:
            return  # the files watched and the open brief stay as they were
        files = [e.info.path for e in entries] + [s.path for s in sources if s.kind == "file"]
        self.watcher.set_paths([s.path for s in sources if s.kind == "folder"], files)
        self._reload_if_changed(entries)

    def _reload_if_changed(self, entries) -> None:
        brief = self.window.brief
        if brief is None or brief.path is None:
            return
        path = str(resolved(brief.path))
        info = next((e.info for e in entries if e.info.path == path), None)
        if info is None or info.error is not None or info.content_hash == brief.content_hash:
            return
        # The notes re-anchor to the new text and the change banner says what moved.
        self.window.reload()

    def _entries_changed(self) -> None:
        if self._library_on_screen:
            self._show_entries()
        else:
            self._entries_stale = True

    def _show_entries(self):
        """The library list read again and shown; None (the list kept as it was, and
        read again when next wanted) when it cannot be read."""
        self._entries_timer.stop()
        try:
            entries = self.library.entries()
        except BriefreaderError as exc:
            self._entries_stale = True
            self._status(f"The library could not be read: {exc}")
            return None
        self._entries_stale = False
        self.library_view.set_entries(entries)
        brief = self.window.brief
        if brief is not None and brief.path is not None:
            self.library_view.select_path(str(resolved(brief.path)))
        return entries

    def on_library_brief_activated(self, path: str) -> None:
        brief = self.window.brief
        if brief is not None and brief.path is not None and str(resolved(brief.path)) == path:
            self.reader.setFocus()
            return
        self.window.open_path(Path(path))

    def on_add_folder_requested(self) -> None:
        folder = preferences_ui.add_folder_asked(self.window, self.window.dialog_folders)
        if not folder:
            return
        try:
            self.library.add([folder])
        except BriefreaderError as exc:
            self._status(str(exc))
            return
        self.refresh_library()

    def on_index_progress(self, path: str, done: int, total: int) -> None:
        self.library_view.set_indexing(done, total, self._indexing_titles.get(path, ""))

    def on_indexed(self, path: str) -> None:
        self._indexing_titles.pop(path, None)
        self._entries_timer.start()

    def on_index_failed(self, path: str, message: str) -> None:
        self._indexing_titles.pop(path, None)
        self._status(f"{Path(path).name} could not be indexed for search: {message}")

    def on_index_idle(self) -> None:
        self.library_view.set_indexing(0, 0)
        self._show_entries()

    def on_show_library_toggled(self, checked: bool) -> None:
        dock = self.docks["library"]
        middle = self.window.splitter.width()  # before the Library takes its share
        dock.setVisible(checked)
        if checked:
            if self._entries_stale:  # not already reloaded as it came on screen
                self._show_entries()
            dock.raise_()
            if dock.width() < LIBRARY_MIN_WIDTH:  # first shown, or squeezed since
                self._give_library_room(dock, middle)
            self.library_view.setFocus()

    def focus_library(self) -> None:
        """Go → Focus Library (Alt+4): the keyboard goes to the library's list, shown
        first if hidden."""
        if not self.actions.show_library.isChecked():
            self.actions.show_library.setChecked(True)  # shown, filled and given room
        self._bring_up(self.docks["library"])
        self.library_view.focus_list()

    def focus_results(self) -> None:
        """Go → Focus Search Results (Alt+5): the keyboard goes to the results of Search
        Everywhere (to the query while there are none), shown first if hidden."""
        self._bring_up(self.docks["search"])
        self.search_view.focus_results()

    @staticmethod
    def _bring_up(dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()
        if dock.isFloating():  # a window of its own: the keyboard goes there
            dock.activateWindow()

    def _give_library_room(self, dock: QDockWidget, middle: int) -> None:
        """The Library's width where it is docked beside the sections: what the middle
        of the window (``middle`` wide without it) can spare while the sections and the
        text keep their least. In a
        window too small to spare even LIBRARY_LEAST it comes in as a tab of the docks
        on the right (the notes), so that the text is never squeezed to a few letters."""
        window = self.window
        if window.tabifiedDockWidgets(dock):
            return  # a tab among other docks: as wide as they are
        wanted = max(LIBRARY_MIN_WIDTH, min(460, int(window.width() * 0.3) - 80))
        handle = window.splitter.handleWidth() + window.style().pixelMetric(
            QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
        spare = middle - SECTIONS_LEAST - TEXT_LEAST - handle
        notes = window.note_taking.docks.get("notes") if window.note_taking else None
        if spare < LIBRARY_LEAST and notes is not None and notes.isVisible() \
                and not notes.isFloating() and not dock.isFloating():
            window.tabifyDockWidget(notes, dock)
            dock.show()
            dock.raise_()
            return
        width = max(LIBRARY_LEAST, min(wanted, spare))
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        QTimer.singleShot(0, self._text_keeps_its_room)

    def _text_keeps_its_room(self) -> None:
        """The Library came in beside the sections: the sections give up width (to a
        point) so that the text keeps most of what is left of the middle."""
        splitter = self.window.splitter
        sections, text = splitter.sizes()
        total = sections + text
        wanted = int(total * TEXT_SHARE)
        if text < wanted and sections > SECTIONS_LEAST:
            sections = max(SECTIONS_LEAST, total - wanted)
            splitter.setSizes([sections, total - sections])

    def _text_keeps_its_least(self) -> None:
        """A dock came in wider than the one it joined and the text is narrower than
        TEXT_LEAST: the sections, then a Library beside them, give it back what they can
        spare above their own least."""
        window = self.window
        short = TEXT_LEAST - self.reader.width()
        if short <= 0:
            return
        splitter = window.splitter
        sections, text = splitter.sizes()
        given = min(short, max(0, sections - SECTIONS_LEAST))
        if given:
            splitter.setSizes([sections - given, text + given])
            short -= given
        library = self.docks["library"]
        if short > 0 and library.isVisible() and not library.isFloating() \
                and not window.tabifiedDockWidgets(library) and library.width() > LIBRARY_LEAST:
            window.resizeDocks([library], [max(LIBRARY_LEAST, library.width() - short)],
                               Qt.Orientation.Horizontal)

    def on_library_visibility_changed(self, visible: bool) -> None:
        self.actions.show_library.setChecked(self.docks["library"].isVisible())
        self._library_on_screen = visible
        if visible and self._entries_stale:
            self._show_entries()

    # -- find in brief -----------------------------------------------------------------
    def on_find_triggered(self) -> None:
        selected = self.reader.textCursor().selectedText()
        text = selected if 0 < len(selected) <= FIND_SELECTION_MAX and "\u2029" not in selected \
            else None
        self._escape.setEnabled(True)
        self.find_bar.open_bar(text)

    def on_find_requested(self, text: str, forward: bool, case_sensitive: bool) -> None:
        self._escape.setEnabled(True)
        brief = self.window.brief
        if not text:
            if self.session is not None:
                self.session.clear()
            self.reader.set_find_selections([])
            return
        if brief is None or not brief.sections:
            self.find_bar.set_result("No brief open", found=False)
            return
        session = self._session_for(brief)
        if session is None:  # the texts are being prepared: find once they are
            self._queued_find = (text, forward, case_sensitive)
            self.find_bar.set_result("Preparing…", found=True)
            return
        match = session.find(text, forward, case_sensitive, origin=self._origin(brief))
        self.find_bar.set_result(session.label, found=bool(session.matches))
        if match is None:
            self.reader.set_find_selections([])
            self._unselect_last_match()
            return
        if self.reader.section is None or self.reader.section.id != match.section_id:
            self.window.show_section(match.section_id)  # marks follow in section_shown
        else:
            self.refresh_marks()
        self.reader.select_span(match.start, match.end)
        self._last_match = (match.section_id, match.start, match.end)
        if session.wrapped:
            self._status("Passed the end of the brief: back to its first match" if forward
                         else "Passed the start of the brief: back to its last match")

    def _unselect_last_match(self) -> None:
        """Nothing found now: the match found before is no longer shown selected (a
        selection of the user's own stays)."""
        section = self.reader.section
        if (section is not None and self._last_match is not None
                and self._last_match == (section.id, *(self.reader.selected_span() or ()))):
            cursor = self.reader.textCursor()
            cursor.clearSelection()
            self.reader.setTextCursor(cursor)
        self._last_match = None

    def _session_for(self, brief: Brief) -> FindSession | None:
        if self._session_brief is brief and self.session is not None:
            return self.session
        if is_big(brief):
            if self._preparing is not brief:
                self._preparing = brief
                notes = self.notes

                def prepare() -> None:
                    notes.section_texts(brief)
                    with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                        self._texts_ready.emit(brief)

                threading.Thread(target=prepare, daemon=True, name="find-texts").start()
            if self._texts_done is not brief:
                return None
        texts = self.notes.section_texts(brief)
        self.session = FindSession([(t.id, t.text) for t in texts])
        self._session_brief = brief
        return self.session

    def on_texts_ready(self, brief: Brief) -> None:
        if self._closed or brief is not self.window.brief:
            return
        self._texts_done = brief
        self._preparing = None
        queued, self._queued_find = self._queued_find, None
        if queued is not None and self.find_bar.isVisible():
            self.on_find_requested(*queued)

    def _origin(self, brief: Brief) -> tuple[int, int] | None:
        section = self.reader.section
        if section is None or self.reader.brief is not brief:
            return None
        span = self.reader.selected_span()
        return brief.index_of(section.id), span[0] if span else 0

    def refresh_marks(self) -> None:
        """Mark every match in the shown section while the find bar is open."""
        section = self.reader.section
        session = self.session
        if (section is None or session is None or not session.needle
                or not self.find_bar.isVisible() or self._session_brief is not self.reader.brief):
            self.reader.set_find_selections([])
            return
        self.reader.set_find_selections([(m.start, m.end) for m in session.in_section(section.id)])

    def on_find_closed(self) -> None:
        self._escape.setEnabled(False)
        self.reader.set_find_selections([])
        self.reader.setFocus()

    # -- search everywhere -------------------------------------------------------------
    def on_search_everywhere_triggered(self) -> None:
        dock = self.docks["search"]
        dock.show()
        dock.raise_()
        self.search_view.focus_query()

    def on_search_requested(self, text: str, filters: SearchFilters) -> None:
        try:
            results = self.store.search(text, filters)
        except QueryError as exc:
            self.search_view.set_results([], str(exc).capitalize() + ".")
            return
        except BriefreaderError as exc:
            self.search_view.set_results([], f"The search failed: {exc}")
            return
        self.search_view.set_results(results)

    def on_result_activated(self, result: SearchResult) -> None:
        if self._brief is not None and self._key == result.brief_id \
                and self.window.brief is self._brief:
            self.go_to_result(result)
            return
        if not result.path or not Path(result.path).is_file():
            self._status(f"The file of “{result.brief}” is not where it was"
                         + (f": {result.path}" if result.path else "."))
            return
        self._pending_result = result
        self.window.open_path(Path(result.path), section=result.section)

    def go_to_result(self, result: SearchResult) -> None:
        """Show the result's section with the match (or the highlight) selected."""
        nt = self.window.note_taking
        brief = self.window.brief
        if brief is None:
            return
        if result.kind == "note" and nt is not None and result.id in nt.annotations.highlights:
            nt.on_highlight_activated(result.id)
            h = nt.annotations.highlights[result.id]
            if h.current_start is not None and h.current_end is not None:
                self.reader.select_span(h.current_start, h.current_end)
            self.reader.setFocus()
            return
        if all(s.id != result.section for s in brief.sections):
            self._status(f"“{result.section_title}” is no longer in this brief.")
            return
        self.window.show_section(result.section)
        if result.kind == "comment" and nt is not None:
            nt.show_comment(result.id)
            return
        if result.start is not None and result.end is not None:
            self.reader.select_span(result.start, result.end)
        self.reader.setFocus()

    # -- preferences -------------------------------------------------------------------
    def current_preferences(self) -> Preferences:
        s = self.settings
        labels = {c.color: c.label for c in self.store.color_labels()}
        return Preferences(
            author=s.author,
            library_folders=tuple(self.library.folders()),
            color_labels=tuple((c, labels[c]) for c in COLORS if c in labels),
            theme=s.theme,
            font_family=s.reader_font_family,
            font_size=s.reader_font_size,
            keep_backups=s.keep_backups,
        )

    def on_preferences_triggered(self) -> None:
        try:
            prefs = self.current_preferences()
        except BriefreaderError as exc:
            self._status(f"Preferences could not be read: {exc}")
            return
        self._prefs_shown = prefs
        ask_preferences(self.window, prefs, default_author=default_author(),
                        apply=self.apply_preferences, folders=self.window.dialog_folders)

    def apply_preferences(self, prefs: Preferences) -> None:
        s = self.settings
        try:
            before = self.current_preferences()
        except BriefreaderError as exc:
            # Compared with what the dialog showed: the settings file's part is saved
            # anyway, the notes database's part as far as it can be.
            self._status(f"Some preferences may not be saved: {exc}")
            before = self._prefs_shown or prefs
        self._prefs_shown = prefs
        s.author = prefs.author
        self.notes.author = prefs.author or default_author()
        s.keep_backups = prefs.keep_backups
        self.store.keep_backups = prefs.keep_backups
        if set(prefs.library_folders) != set(before.library_folders):
            try:
                self.library.set_folders(prefs.library_folders)
            except BriefreaderError as exc:
                self._status(f"The library folders could not be saved: {exc}")
            self.refresh_library()
        if prefs.color_labels != before.color_labels:
            try:
                for color, label in prefs.color_labels:
                    if label != before.label(color):
                        self.store.set_color_label(color, label)
            except BriefreaderError as exc:
                self._status(f"The colour labels could not be saved: {exc}")
            self._update_labels()
            if self.window.note_taking is not None:
                self.window.note_taking.annotations.reload_labels()
        if prefs.theme != s.theme:
            s.theme = prefs.theme
            for action in self.actions.theme_group.actions():
                action.setChecked(action.data() == prefs.theme)
            self.window.apply_theme(prefs.theme)
        if (prefs.font_family, prefs.font_size) != (s.reader_font_family, s.reader_font_size):
            s.reader_font_family = prefs.font_family
            s.reader_font_size = prefs.font_size
            self.reader.set_base_font(prefs.font_family, prefs.font_size)
            self.refresh_marks()
        s.sync()

    def _update_labels(self) -> None:
        try:
            labels = {c.color: c.label for c in self.store.color_labels()}
        except BriefreaderError:
            return
        self.search_view.set_color_labels(tuple(labels.items()))
        self.actions.set_colour_labels(labels)

    def _status(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 6000)


def _key_of(brief: Brief) -> str | None:
    try:
        return brief_key(brief)
    except BriefreaderError:
        return None
