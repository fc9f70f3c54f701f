"""The Trash view: deleted highlights and comments, to restore, to delete for good one
by one, or to empty for good.

The view only lists what it is given and emits intents; the window restores, asks
before deleting anything for good, and hands the view the new lists.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefreader.records import Comment, Highlight
from briefreader.ui.dates import format_timestamp
from briefreader.ui.item_views import (
    ListMenu,
    RoomyDelegate,
    empty_state_label,
    set_up_flat_tree,
    view_action,
    with_keys,
)
from briefreader.ui.review import excerpt

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
TEXT_EXCERPT_CHARS = 120

COL_TEXT, COL_SECTION, COL_DELETED = range(3)
#: Narrower than this, the Section column is left out (each row's tooltip names it):
#: the text keeps the room in a side panel.
SECTION_COLUMN_MIN_WIDTH = 520
#: Narrower still, the date is left out too (the tooltip has it): the text comes first.
DELETED_COLUMN_MIN_WIDTH = 380


class TrashView(QWidget):
    """Deleted notes, newest first; one or several chosen (Shift, Ctrl). Restore (or
    Enter) puts the chosen ones back, Delete deletes them for good, Empty Trash all
    of them; the window asks first. The same in the list's context menu."""

    restore_requested = Signal(str, str)
    """kind ("highlight" | "comment"), id: once for each note chosen."""
    purge_requested = Signal(list)
    """[(kind, id, text shown), ...]: the chosen notes, top to bottom."""
    empty_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trashView")
        self.setAccessibleName("Trash")

        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Deleted note", "Section", "Deleted"])
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        set_up_flat_tree(
            self.tree,
            name="Deleted notes",
            delegate=RoomyDelegate(self.tree),
            resize_modes={COL_TEXT: stretch, COL_SECTION: QHeaderView.ResizeMode.Interactive,
                          COL_DELETED: fit},
            widths={COL_SECTION: 130},
        )
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Several notes can be chosen at once, to restore or delete together.
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.currentItemChanged.connect(self._update_restore)
        self.tree.itemSelectionChanged.connect(self._update_restore)
        #: The note to go to once the chosen ones have left the list (its id).
        self._next_id: str | None = None
        # The list's keys (while it has the focus) and its context menu.
        self.restore_action = view_action(
            self.tree, "&Restore", ["Enter", "Return"], "Put the chosen notes back",
            self.restore_current, scope="the Trash")
        self.purge_action = view_action(
            self.tree, "&Delete for Good…", ["Del", "Backspace"],
            "Delete the chosen notes for good (asks first)", self.purge_selected,
            scope="the Trash")
        self.empty_action = view_action(
            self.tree, "&Empty Trash…", ["Ctrl+Shift+Del"],
            "Delete every note in the trash for good (asks first)", self.empty_requested.emit,
            scope="the Trash")
        self.menu = ListMenu(self.tree, lambda: [self.restore_action, self.purge_action, None,
                                                 self.empty_action])

        self.empty_label = empty_state_label("Trash is empty", "Trash is empty", self)

        self.summary = QLabel(self)
        self.summary.setAccessibleName("Trash summary")
        # It gives way to the buttons: the panel is never made wider for it.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.empty_button = QPushButton("Empty Trash", self)
        self.empty_button.setAccessibleName("Empty Trash")
        self.empty_button.setToolTip(with_keys("Delete every note in the trash for good",
                                               self.empty_action))
        self.empty_button.setAutoDefault(False)
        self.empty_button.clicked.connect(self.empty_requested)
        self.purge_button = QPushButton("Delete", self)
        self.purge_button.setAccessibleName("Delete for good")
        self.purge_button.setToolTip(with_keys("Delete the chosen notes for good",
                                               self.purge_action))
        self.purge_button.setAutoDefault(False)
        self.purge_button.clicked.connect(self.purge_selected)
        self.restore_button = QPushButton("Restore", self)
        self.restore_button.setAccessibleName("Restore")
        self.restore_button.setToolTip(with_keys("Put the chosen notes back",
                                                 self.restore_action))
        self.restore_button.setAutoDefault(False)
        self.restore_button.clicked.connect(self.restore_current)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addStretch(0)  # the buttons stay on the right while the count is hidden
        bottom.addWidget(self.restore_button)
        bottom.addWidget(self.purge_button)
        bottom.addWidget(self.empty_button)
        self._bottom = bottom
        self._let_buttons_give_way()
        # Tab goes from button to button as they are shown, left to right.
        QWidget.setTabOrder(self.restore_button, self.purge_button)
        QWidget.setTabOrder(self.purge_button, self.empty_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(6)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addLayout(bottom)
        self.setFocusProxy(self.tree)
        self.set_items([], [])

    # -- what the window calls --------------------------------------------------------
    def set_items(self, highlights: list[Highlight], comments: list[Comment]) -> None:
        """Show these deleted notes, newest first. The current note stays current; when it
        left the list, the one after the notes that left (when asked to restore or delete
        them here), else the row where it was."""
        row = self._current_row()
        current = self.tree.currentItem()
        keep = current.data(COL_TEXT, ID_ROLE) if current is not None else None
        after, self._next_id = self._next_id, None
        entries: list[tuple[str, str, str, str, str, str]] = []
        for h in highlights:
            text = f"“{excerpt(h.exact, TEXT_EXCERPT_CHARS)}”"
            if h.note.strip():
                text += " — " + excerpt(h.note, TEXT_EXCERPT_CHARS)
            entries.append(("highlight", h.id, text, h.section_heading, h.deleted_at or "",
                            h.exact))
        for c in comments:
            entries.append(("comment", c.id, excerpt(c.body, TEXT_EXCERPT_CHARS),
                            c.section_heading, c.deleted_at or "", c.body))
        # ISO stamps sort as text; a missing stamp sorts last.
        entries.sort(key=lambda e: e[4], reverse=True)

        self.tree.clear()
        for kind, note_id, text, section, deleted, full in entries:
            where = section or "Opening"
            # A highlight shows its quote in quotation marks; a comment says what it is.
            when = format_timestamp(deleted)
            item = QTreeWidgetItem([text if kind == "highlight" else f"Comment: {text}",
                                    where, when])
            item.setData(COL_TEXT, KIND_ROLE, kind)
            item.setData(COL_TEXT, ID_ROLE, note_id)
            # (The date too: a narrow panel leaves its column out.)
            item.setToolTip(COL_TEXT, f"{'Highlight' if kind == 'highlight' else 'Comment'}"
                                      f" in “{where}”:\n{full}"
                                      + (f"\nDeleted {when}" if when else ""))
            item.setToolTip(COL_SECTION, section)
            if deleted:
                item.setToolTip(COL_DELETED, deleted)
            self.tree.addTopLevelItem(item)

        n = len(entries)
        self.tree.setVisible(n > 0)
        self.empty_label.setVisible(n == 0)
        self.empty_button.setEnabled(n > 0)
        self.empty_action.setEnabled(n > 0)
        self.summary.setText(f"{n} {'note' if n == 1 else 'notes'}" if n else "")  # (in the Trash)
        self._fit_summary()
        self.setFocusProxy(self.tree if n else None)
        if n:
            ids = [e[1] for e in entries]
            row = next((ids.index(i) for i in (keep, after) if i in ids), row)
            self.tree.setCurrentItem(self.tree.topLevelItem(min(max(row, 0), n - 1)))
        self._update_restore()

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def focus_list(self) -> None:
        """Put the keyboard focus on the current row (the first when none is), scrolled
        into view; on the view itself when the Trash is empty."""
        if self.count():
            if self.tree.currentItem() is None:
                self.tree.setCurrentItem(self.tree.topLevelItem(0))
            self.tree.scrollToItem(self.tree.currentItem())
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def entry(self, row: int) -> tuple[str, str]:
        """(kind, id) of a row, top to bottom."""
        item = self.tree.topLevelItem(row)
        return item.data(COL_TEXT, KIND_ROLE), item.data(COL_TEXT, ID_ROLE)

    # -- inside -------------------------------------------------------------------------
    def _current_row(self) -> int:
        item = self.tree.currentItem()
        return self.tree.indexOfTopLevelItem(item) if item is not None else 0

    def chosen(self) -> list[QTreeWidgetItem]:
        """The rows chosen, top to bottom: those selected, else the current one."""
        tree = self.tree
        rows = sorted(tree.indexOfTopLevelItem(i) for i in tree.selectedItems())
        if not rows and tree.currentItem() is not None:
            rows = [tree.indexOfTopLevelItem(tree.currentItem())]
        return [tree.topLevelItem(r) for r in rows if r >= 0]

    def restore_current(self) -> None:
        """Ask for each chosen note to be put back."""
        items = self._leaving()
        for item in items:
            self.restore_requested.emit(item.data(COL_TEXT, KIND_ROLE),
                                        item.data(COL_TEXT, ID_ROLE))

    def purge_selected(self) -> None:
        """Ask for the chosen notes to be deleted for good (the window asks the user)."""
        items = self._leaving()
        if items:
            self.purge_requested.emit([(i.data(COL_TEXT, KIND_ROLE), i.data(COL_TEXT, ID_ROLE),
                                        i.text(COL_TEXT)) for i in items])

    def _leaving(self) -> list[QTreeWidgetItem]:
        """The chosen rows, about to leave the list: the note after the last of them (or,
        at the end, the nearest one staying above it) is the one to go to next."""
        items = self.chosen()
        if items:
            rows = [self.tree.indexOfTopLevelItem(i) for i in items]
            staying = [r for r in range(self.count()) if r not in rows]
            below = [r for r in staying if r > rows[-1]]
            above = [r for r in staying if r < rows[-1]]
            nxt = below[0] if below else (above[-1] if above else None)
            self._next_id = (None if nxt is None
                             else self.tree.topLevelItem(nxt).data(COL_TEXT, ID_ROLE))
        return items

    def _update_restore(self, *_args) -> None:
        items = self.chosen()
        for widget in (self.restore_button, self.restore_action, self.purge_button,
                       self.purge_action):
            widget.setEnabled(bool(items))
        if items:
            what = (items[0].text(COL_TEXT) if len(items) == 1
                    else f"{len(items)} notes")
            self.restore_button.setAccessibleDescription(what)
            self.purge_button.setAccessibleDescription(what)

    def _fit_summary(self) -> None:
        """The count shows beside the buttons when it fits there whole, else not at all
        (never "1 not"): the list says as much."""
        room = (self.restore_button.geometry().left() - self.layout().contentsMargins().left()
                - max(self._bottom.spacing(), 0))
        text = self.summary.text()
        fits = bool(text) and self.summary.fontMetrics().horizontalAdvance(text) <= room
        if self.summary.isVisibleTo(self) != fits:
            self.summary.setVisible(fits)

    def _let_buttons_give_way(self) -> None:
        """Three buttons side by side: in a narrow panel each may be as narrow as its
        text (the style's usual minimum width is kept where there is room)."""
        style = self.style()
        pad = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin)
                   + style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)) + 2
        for button in (self.restore_button, self.purge_button, self.empty_button):
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(min(button.sizeHint().width(),
                                       button.fontMetrics().horizontalAdvance(button.text())
                                       + pad))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._let_buttons_give_way()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_summary()
        width = event.size().width()
        self.tree.setColumnHidden(COL_SECTION, width < SECTION_COLUMN_MIN_WIDTH)
        self.tree.setColumnHidden(COL_DELETED, width < DELETED_COLUMN_MIN_WIDTH)
        self.tree.setColumnWidth(COL_SECTION, max(130, min(220, int(width * 0.25))))
