"""The Bookmarks view: places the user marked, to jump back to, rename or remove.

Enter or double-click jumps, Delete removes, F2 renames in place; the list's context
menu has the same. The view emits intents only; the window changes the store and hands
the view the new list.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefreader.records import Bookmark
from briefreader.ui.dates import format_timestamp
from briefreader.ui.item_views import (
    ListMenu,
    RoomyDelegate,
    empty_state_label,
    set_up_flat_tree,
    view_action,
    with_keys,
)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SECTION_ROLE = Qt.ItemDataRole.UserRole + 2
POSITION_ROLE = Qt.ItemDataRole.UserRole + 3
LABEL_ROLE = Qt.ItemDataRole.UserRole + 4
"""The label as stored, to tell a real rename from an edit left unchanged."""

COL_SECTION, COL_LABEL, COL_CREATED = range(3)
#: Narrower than this, the Added column is left out (each row's tooltip has it).
ADDED_COLUMN_MIN_WIDTH = 460
NO_LABEL = "No label"
REMOVED_SECTION = "(removed section)"


class _LabelDelegate(RoomyDelegate):
    """Shows a dim "No label" where a bookmark has none, without it becoming the text."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        if index.column() == COL_LABEL and not option.text:
            option.text = NO_LABEL
            colour = option.palette.color(QPalette.ColorRole.PlaceholderText)
            option.palette.setColor(QPalette.ColorRole.Text, colour)
            option.font.setItalic(True)


class BookmarksView(QWidget):
    jump_requested = Signal(str, int)
    """section id, position in the section's plain text."""
    remove_requested = Signal(str)
    rename_requested = Signal(str, str)
    """bookmark id, new label."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookmarksView")
        self.setAccessibleName("Bookmarks")

        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Section", "Label", "Added"])
        # Not editable by clicking: only F2 (or the Rename button) edits, and only the label.
        set_up_flat_tree(
            self.tree,
            name="Bookmarks",
            delegate=_LabelDelegate(self.tree),
            resize_modes={COL_SECTION: QHeaderView.ResizeMode.Interactive,
                          COL_LABEL: QHeaderView.ResizeMode.Stretch,
                          COL_CREATED: QHeaderView.ResizeMode.ResizeToContents},
            widths={COL_SECTION: 180},
        )
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.itemDoubleClicked.connect(self.on_item_double_clicked)
        self.tree.itemChanged.connect(self.on_item_changed)
        self.tree.currentItemChanged.connect(self._update_buttons)

        self.empty_label = empty_state_label(
            "No bookmarks yet.\nCtrl+D adds one.",
            "No bookmarks", self,
        )
        self.empty_label.setWordWrap(True)

        # The list's keys (while it has the focus, not while a label is edited), its
        # context menu, and buttons, so the mouse can do all the keyboard can.
        scope = "the Bookmarks"
        self.go_action = view_action(self.tree, "&Go To", ["Enter", "Return"],
                                     "Show this place", self.jump_current, scope=scope)
        self.rename_action = view_action(self.tree, "Re&name", ["F2"], "Rename this bookmark",
                                         self.rename_current, scope=scope)
        self.remove_action = view_action(
            self.tree, "&Remove", ["Del", "Backspace"],
            "Remove this bookmark", self.remove_current, scope=scope)
        self.menu = ListMenu(self.tree, lambda: [self.go_action, self.rename_action, None,
                                                 self.remove_action])
        self.go_button = self._button("Go to", self.go_action)
        self.rename_button = self._button("Rename", self.rename_action)
        self.remove_button = self._button("Remove", self.remove_action)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.go_button, self.rename_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(6)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.tree)
        self.set_items([], {})

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # In a side panel the section and the label share the room; the date goes first.
        width = event.size().width()
        self.tree.setColumnHidden(COL_CREATED, width < ADDED_COLUMN_MIN_WIDTH)
        self.tree.setColumnWidth(COL_SECTION, max(90, min(180, int(width * 0.45))))

    def _button(self, text: str, action: QAction) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(f"{text} bookmark")
        button.setToolTip(with_keys(action.toolTip(), action))
        button.setAutoDefault(False)
        button.clicked.connect(action.trigger)
        return button

    # -- what the window calls --------------------------------------------------------
    def set_items(self, bookmarks: list[Bookmark], section_titles: dict[str, str]) -> None:
        """Show these bookmarks in this order; the current row stays where it was."""
        current = self.tree.currentItem()
        current_id = current.data(COL_SECTION, ID_ROLE) if current is not None else None
        current_row = self.tree.indexOfTopLevelItem(current) if current is not None else 0
        with QSignalBlocker(self.tree):
            self.tree.clear()
            for b in bookmarks:
                title = section_titles.get(b.section_id, REMOVED_SECTION)
                # A label that only repeats the section's title (as bookmarks were once
                # made) shows as none: the section column says it already.
                label = "" if b.label == title else b.label
                item = QTreeWidgetItem([title, label, format_timestamp(b.created)])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setData(COL_SECTION, ID_ROLE, b.id)
                item.setData(COL_SECTION, SECTION_ROLE, b.section_id)
                item.setData(COL_SECTION, POSITION_ROLE, b.position)
                item.setData(COL_SECTION, LABEL_ROLE, b.label)  # (cleared by F2: renamed)
                added = format_timestamp(b.created)
                item.setToolTip(COL_SECTION, f"{title}\nAdded {added}" if added else title)
                item.setToolTip(COL_LABEL, label)
                self.tree.addTopLevelItem(item)
        n = len(bookmarks)
        self.tree.setVisible(n > 0)
        self.empty_label.setVisible(n == 0)
        self.setFocusProxy(self.tree if n else None)
        for button in (self.go_button, self.rename_button, self.remove_button):
            button.setVisible(n > 0)
        if n:
            ids = [b.id for b in bookmarks]
            row = ids.index(current_id) if current_id in ids else min(current_row, n - 1)
            self.tree.setCurrentItem(self.tree.topLevelItem(max(row, 0)))
        self._update_buttons()

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def focus_list(self) -> None:
        """Put the keyboard focus on the current bookmark (the first when none is),
        scrolled into view; on the view itself when there are none."""
        if self.count():
            if self.tree.currentItem() is None:
                self.tree.setCurrentItem(self.tree.topLevelItem(0))
            self.tree.scrollToItem(self.tree.currentItem())
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def bookmark_id(self, row: int) -> str:
        return self.tree.topLevelItem(row).data(COL_SECTION, ID_ROLE)

    # -- intents --------------------------------------------------------------------------
    def jump_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._jump(item)

    def rename_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
            self.tree.editItem(item, COL_LABEL)

    def remove_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(COL_SECTION, ID_ROLE))

    def _jump(self, item: QTreeWidgetItem) -> None:
        self.jump_requested.emit(item.data(COL_SECTION, SECTION_ROLE),
                                 int(item.data(COL_SECTION, POSITION_ROLE)))

    def on_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        self._jump(item)

    def on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != COL_LABEL:
            return
        label = " ".join(item.text(COL_LABEL).split())
        if label == item.data(COL_SECTION, LABEL_ROLE):
            return
        with QSignalBlocker(self.tree):
            item.setData(COL_SECTION, LABEL_ROLE, label)
            item.setText(COL_LABEL, label)
            item.setToolTip(COL_LABEL, label)
        self.rename_requested.emit(item.data(COL_SECTION, ID_ROLE), label)

    def _update_buttons(self, *_args) -> None:
        has = self.tree.currentItem() is not None
        for button in (self.go_button, self.rename_button, self.remove_button):
            button.setEnabled(has)
        for action in (self.go_action, self.rename_action, self.remove_action):
            action.setEnabled(has)
