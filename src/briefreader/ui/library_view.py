"""The library beside the navigator: every brief with its date, notes, last reading
and progress; plus the watcher that notices new and changed briefs, and the indexer
that reads them for search off the GUI thread.

The view only lists what it is given and emits intents (``brief_activated``); the
window refreshes the library and opens briefs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QFileSystemWatcher,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStyle,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from briefreader.library import LibraryEntry, index_briefs_in, is_brief_file
from briefreader.ui.dates import format_timestamp
from briefreader.ui.item_views import (
    ListMenu,
    RoomyDelegate,
    set_up_flat_tree,
    told_apart,
    view_action,
    with_keys,
)

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 3

COL_TITLE, COL_DATE, COL_NOTES, COL_LAST_READ, COL_PROGRESS = range(5)
HEADERS = ("Title", "Date", "Notes", "Last read", "Read")
WATCH_DEBOUNCE_MS = 400


class LibraryModel(QAbstractTableModel):
    """A table over :class:`LibraryEntry` values."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[LibraryEntry] = []
        #: Path → what tells it apart from the other briefs of its title (none when
        #: its title is its own).
        self._told_apart: dict[str, str] = {}

    def set_entries(self, entries: Sequence[LibraryEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self._told_apart = told_apart((e.info.title, e.info.path) for e in self._entries)
        self.endResetModel()

    def row_of(self, path: str) -> int:
        return next((i for i, e in enumerate(self._entries) if e.info.path == path), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e = self._entries[index.row()]
        col = index.column()
        if role == PATH_ROLE:
            return e.info.path
        if role == PROGRESS_ROLE:
            return e.progress
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_TITLE and e.info.path in self._told_apart:
                # Copies of one brief (or briefs of one title) are told apart by folder
                # (by file, when they share one).
                return f"{e.info.title} — {self._told_apart[e.info.path]}"
            return self._display(e, col)
        if role == SORT_ROLE:
            return (e.info.title.casefold(), e.info.date or "", e.notes,
                    e.state.last_read if e.state else "", e.progress)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if e.info.error:
                return f"{e.info.path}\nCannot be read: {e.info.error}"
            return e.info.path
        if role == Qt.ItemDataRole.ForegroundRole and e.info.error:
            return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_NOTES, COL_PROGRESS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole and col == COL_TITLE:
            return (f"{e.info.title}, {e.notes} notes, {round(e.progress * 100)} per cent read"
                    + (", cannot be read" if e.info.error else ""))
        return None

    @staticmethod
    def _display(e: LibraryEntry, col: int) -> str:
        if col == COL_TITLE:
            return e.info.title
        if col == COL_DATE:
            return e.info.date or ""
        if col == COL_NOTES:
            return str(e.notes) if e.notes else ""
        if col == COL_LAST_READ:
            return format_timestamp(e.state.last_read) if e.state else ""
        return f"{round(e.progress * 100)} %" if e.progress else ""


class _ProgressDelegate(RoomyDelegate):
    """A thin bar under the percentage: progress is read at a glance."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        value = index.data(PROGRESS_ROLE) or 0.0
        if value <= 0:
            return
        r = option.rect.adjusted(6, 0, -6, 0)
        track = QRect(r.left(), r.bottom() - 4, r.width(), 3)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(option.palette.color(QPalette.ColorRole.Mid))
        painter.drawRect(track)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setBrush(option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        ))
        painter.drawRect(QRect(track.left(), track.top(), round(track.width() * value), 3))
        painter.restore()


class LibraryView(QWidget):
    """The library list, with a filter field; Enter or double-click opens a brief, Insert
    adds a folder, Ctrl+R looks for new briefs; the list's context menu has the same."""

    brief_activated = Signal(str)
    """Path of the brief to open."""
    add_folder_requested = Signal()
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryView")
        self.setAccessibleName("Library")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter briefs")
        self.filter_edit.setAccessibleName("Filter the library by title")
        self.filter_edit.setClearButtonEnabled(True)
        # Keys in the whole view (the filter field too), but Enter opens from the list.
        scope, everywhere = "the Library", Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.add_action = view_action(
            self, "&Add Folder…", ["Ins"], "Add a folder of briefs to the library",
            self.add_folder_requested.emit, scope=scope, context=everywhere)
        self.refresh_action = view_action(
            self, "&Look for New Briefs", ["Ctrl+R"], "Look for new and changed briefs",
            self.refresh_requested.emit, scope=scope, context=everywhere)
        self.add_button = self._tool_button("+", self.add_action)
        self.refresh_button = self._tool_button("⟳", self.refresh_action)

        self.model = LibraryModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(COL_TITLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(COL_TITLE, Qt.SortOrder.AscendingOrder)
        fit = QHeaderView.ResizeMode.ResizeToContents
        set_up_flat_tree(
            self.tree,
            name="Briefs in the library",
            delegate=RoomyDelegate(self.tree),
            resize_modes={COL_TITLE: QHeaderView.ResizeMode.Stretch, COL_DATE: fit,
                          COL_NOTES: fit, COL_LAST_READ: fit, COL_PROGRESS: fit},
        )
        self.tree.setItemDelegateForColumn(COL_PROGRESS, _ProgressDelegate(self.tree))
        # A long title gives way in its middle: its end may be what tells two apart.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.open_action = view_action(self.tree, "&Open", ["Enter", "Return"],
                                       "Open this brief", self.open_current, scope=scope)
        self.menu = ListMenu(self.tree, lambda: [self.open_action, None, self.add_action,
                                                 self.refresh_action])

        self.status = QLabel(self)
        # A long file name being indexed must not widen the Library (in a small window,
        # a tab beside the notes), taking the text's room: cut short instead.
        self.status.setMinimumWidth(1)
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status.setContentsMargins(4, 0, 4, 0)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Indexing")
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress.hide()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # as Review and Trash
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.setFocusProxy(self.tree)

        self.tree.activated.connect(self.on_tree_activated)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.add_button.clicked.connect(self.add_action.trigger)
        self.refresh_button.clicked.connect(self.refresh_action.trigger)
        self._update_status()


    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # In a narrow dock the title matters most: drop the secondary columns first.
        width = self.width()
        self.tree.setColumnHidden(COL_LAST_READ, width < 520)
        self.tree.setColumnHidden(COL_DATE, width < 420)
        self.tree.setColumnHidden(COL_NOTES, width < 320)
    def _tool_button(self, text: str, action: QAction) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(with_keys(action.toolTip(), action))
        button.setAccessibleName(action.toolTip())
        button.setAutoRaise(True)
        return button

    # -- what the window calls ---------------------------------------------------------
    def set_entries(self, entries: Sequence[LibraryEntry]) -> None:
        current = self.current_path()
        self.model.set_entries(entries)
        if current is not None:
            self.select_path(current)
        self._update_status()

    def select_path(self, path: str) -> None:
        """Show which brief is open, without opening it again."""
        row = self.model.row_of(path)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, COL_TITLE))
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def focus_list(self) -> None:
        """Put the keyboard focus on the current brief of the list (the first when none
        is), scrolled into view. With none listed: on the filter field when it hides
        them all, else on the button that adds a folder."""
        if self.proxy.rowCount():
            index = self.tree.currentIndex()
            if not index.isValid():
                index = self.proxy.index(0, COL_TITLE)
                self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
            self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif self.filter_edit.text():
            self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.add_button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def current_path(self) -> str | None:
        index = self.tree.currentIndex()
        return index.data(PATH_ROLE) if index.isValid() else None

    def set_indexing(self, done: int, total: int, name: str = "") -> None:
        """Show indexing progress; ``done == total`` hides it."""
        if total <= 0 or done >= total:
            self.progress.hide()
            self._update_status()
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.show()
        self.status.setText(f"Indexing {name}…" if name else "Indexing…")
        self.status.setToolTip(self.status.text())

    def _update_status(self) -> None:
        n = self.model.rowCount()
        self.status.setText(f"{n} brief{'s' * (n != 1)}" if n else
                            "No briefs yet: add a folder with +")
        self.status.setToolTip(self.status.text())

    # -- events --------------------------------------------------------------------------
    def open_current(self) -> None:
        self.on_tree_activated(self.tree.currentIndex())

    def on_tree_activated(self, index: QModelIndex) -> None:
        path = index.data(PATH_ROLE) if index.isValid() else None
        if path:
            self.brief_activated.emit(path)


# --------------------------------------------------------------------------- watching


class LibraryWatcher(QObject):
    """Watches the library's folders and brief files.

    ``library_changed`` (debounced) when a folder's content changed: briefs were
    added, removed or renamed. ``brief_changed(path)`` when a brief file was
    written. Editors often save by replacing the file; the watcher then watches
    the new file under the same path.
    """

    library_changed = Signal()
    brief_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self.on_directory_changed)
        self._watcher.fileChanged.connect(self.on_file_changed)
        self._folders_timer = self._timer(self.library_changed.emit)
        self._files_timer = self._timer(self._emit_changed_files)
        self._changed: dict[str, None] = {}

    def _timer(self, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(WATCH_DEBOUNCE_MS)
        timer.timeout.connect(slot)
        return timer

    def set_paths(self, folders: Iterable[str], files: Iterable[str]) -> None:
        """Watch exactly these folders and brief files (missing ones are skipped)."""
        wanted = {p for p in (*folders, *files) if Path(p).exists()}
        current = set(self._watcher.directories()) | set(self._watcher.files())
        gone = sorted(current - wanted)
        new = sorted(wanted - current)
        if gone:
            self._watcher.removePaths(gone)
        if new:
            self._watcher.addPaths(new)

    def watched(self) -> list[str]:
        return sorted({*self._watcher.directories(), *self._watcher.files()})

    def on_directory_changed(self, _path: str) -> None:
        self._folders_timer.start()

    def on_file_changed(self, path: str) -> None:
        if Path(path).exists() and path not in self._watcher.files():
            self._watcher.addPath(path)  # replaced by an editor's atomic save
        self._changed[path] = None
        self._files_timer.start()

    def _emit_changed_files(self) -> None:
        changed, self._changed = list(self._changed), {}
        for path in changed:
            if Path(path).exists() and is_brief_file(Path(path)):
                self.brief_changed.emit(path)
            else:
                self.library_changed.emit()


# --------------------------------------------------------------------------- indexing


class Indexer(QObject):
    """Indexes briefs for search on a worker thread, one at a time, with its own
    Store connection (a Store is one-per-thread).

    The work is :func:`briefreader.library.index_briefs_in`; this wrapper keeps the
    queue, runs it on its thread and turns its callbacks into signals:
    ``progress(path, done, total)`` per section prepared, ``indexed(path)`` when a
    brief is in the index, ``failed(path, message)`` when it could not be read,
    ``idle()`` when the queue is empty.
    """

    progress = Signal(str, int, int)
    indexed = Signal(str)
    failed = Signal(str, str)
    idle = Signal()

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = Path(database)
        self._queue: list[str] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._running = False  # under _lock: a worker will still take from the queue
        self._stop = threading.Event()

    def enqueue(self, paths: Iterable[str]) -> None:
        with self._lock:
            for p in paths:
                if p not in self._queue:
                    self._queue.append(p)
            if not self._running:
                self._running = True
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                 name="library-index")
                self._thread.start()

    def busy(self) -> bool:
        with self._lock:
            return self._running

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current section (call before closing the window)."""
        self._stop.set()
        with self._lock:
            self._queue.clear()
        if self._thread is not None:
            self._thread.join(timeout)

    def _next(self) -> str | None:
        with self._lock:
            if self._queue and not self._stop.is_set():
                return self._queue.pop(0)
            self._running = False  # decided under the lock: enqueue() starts a new worker
            return None

    def _run(self) -> None:
        try:
            # The queue is read lazily: paths enqueued meanwhile are indexed by this run.
            index_briefs_in(
                self.database, iter(self._next, None),
                progress=self.progress.emit,
                indexed=self.indexed.emit,
                failed=self.failed.emit,
                cancelled=self._stop.is_set,
            )
        finally:
            with self._lock:  # whatever happened, a later enqueue() starts a new worker
                self._running = False
            self.idle.emit()
