"""The section navigator: a tree of the brief's headings, title on top.

``SectionModel`` adapts a ``Brief`` for Qt's item views; ``Navigator`` shows it and
emits ``section_activated(str)``. It never reaches into the reader.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QRect, QSignalBlocker, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QProxyStyle,
    QStyle,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from briefreader.brief import Brief
from briefreader.ui.item_views import ListMenu, RoomyDelegate
from briefreader.ui.theme import faded

SECTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COUNTS_ROLE = Qt.ItemDataRole.UserRole + 2  # (highlights, comments, needs review)
READ_ROLE = Qt.ItemDataRole.UserRole + 3  # True once the section was read to its end
#: A read section's title goes toward the background until it stands at this contrast
#: with it (7:1, body text's at WCAG's AAA): plainly quieter than the black or white
#: of the others in either theme, yet as legible as any text and far from the disabled
#: grey.
READ_CONTRAST = 7.2


class SectionModel(QStandardItemModel):
    """The brief's title as the one root, its sections nested by level below it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._items: dict[str, QStandardItem] = {}

    def set_brief(self, brief: Brief | None) -> None:
        self.clear()
        self._items = {}
        if brief is None:
            return
        root = QStandardItem(brief.title)
        root.setEditable(False)
        font = QFont()
        font.setBold(True)
        root.setFont(font)
        root.setToolTip(brief.title)
        first = brief.sections[0].id if brief.sections else None
        root.setData(first, SECTION_ID_ROLE)
        self.appendRow(root)
        for section in brief.sections:
            item = QStandardItem(section.title)
            item.setEditable(False)
            item.setToolTip(section.title)
            item.setData(section.id, SECTION_ID_ROLE)
            parent = self._items.get(section.parent) if section.parent else None
            (parent or root).appendRow(item)
            self._items[section.id] = item

    def set_counts(self, counts: dict[str, tuple[int, int, bool]]) -> None:
        for section_id, item in self._items.items():
            value = counts.get(section_id)
            if item.data(COUNTS_ROLE) != value:
                item.setData(value, COUNTS_ROLE)
                h, c, review = value or (0, 0, False)
                tip = item.text()
                if h or c:
                    tip += f"\n{h} highlight{'s' * (h != 1)}, {c} comment{'s' * (c != 1)}"
                if review:
                    tip += "\nSome notes here need review"
                item.setToolTip(tip)
                item.setData(
                    f"{item.text()}, {h} notes, {c} comments" + (", needs review" * review),
                    Qt.ItemDataRole.AccessibleTextRole,
                )

    def set_read(self, ids: set[str] | frozenset[str]) -> None:
        """Sections read to their end (shown muted, with a check)."""
        for section_id, item in self._items.items():
            read = section_id in ids
            if bool(item.data(READ_ROLE)) != read:
                item.setData(read, READ_ROLE)

    def index_for(self, section_id: str) -> QModelIndex:
        item = self._items.get(section_id)
        return item.index() if item is not None else QModelIndex()


class _RoomyDelegate(RoomyDelegate):
    """Rows with a little air (no style sheet: it would pin the palette), and a count
    badge on the right for sections with notes; an amber dot when some need review."""

    AIR = 6

    def initStyleOption(self, option, index) -> None:  # noqa: N802 - Qt override
        super().initStyleOption(option, index)
        if index.data(READ_ROLE):
            # Read sections step back a little, a check before the title and the text a
            # shade toward the background: quieter, yet plainly not disabled (the
            # placeholder grey said "unavailable").
            palette = option.palette
            text = palette.color(QPalette.ColorRole.Text)
            palette.setColor(
                QPalette.ColorRole.Text,
                faded(text, palette.color(QPalette.ColorRole.Base), READ_CONTRAST),
            )
            option.text = f"\u2713 {option.text}"

    def paint(self, painter, option, index) -> None:
        counts = index.data(COUNTS_ROLE)
        if not counts or not (counts[0] or counts[1] or counts[2]):
            super().paint(painter, option, index)
            return
        h, c, review = counts
        label = str(h + c) if h + c else ""  # notes to review only: the dot alone
        metrics = option.fontMetrics
        badge_w = (metrics.horizontalAdvance(label) + 12 if label else 6) + (10 if review else 0)
        # The row's background (the selection, the hover) across its whole width, under
        # the badge too; then its text beside the badge.
        full = QStyleOptionViewItem(option)
        self.initStyleOption(full, index)
        full.text = ""
        full.icon = QIcon()
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, full, painter, widget)
        opt = QStyleOptionViewItem(option)
        opt.rect = option.rect.adjusted(0, 0, -badge_w - 4, 0)
        super().paint(painter, opt, index)
        painter.save()
        r = option.rect
        badge = QRect(r.right() - badge_w, r.top() + 4, badge_w - 2, r.height() - 8)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Mid))
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        text_rect = badge
        if review:
            dot = QRect(badge.left() + 5, badge.center().y() - 3, 7, 7)
            painter.setBrush(QColor("#e0a000"))
            painter.drawEllipse(dot)
            text_rect = badge.adjusted(10, 0, 0, 0)
        painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()


class _RowOnlySelection(QProxyStyle):
    def styleHint(self, hint, option=None, widget=None, data=None):  # noqa: N802 - Qt override
        if hint == QStyle.StyleHint.SH_ItemView_ShowDecorationSelected:
            return 0
        return super().styleHint(hint, option, widget, data)


_row_only_selection: list[_RowOnlySelection] = []


def row_only_selection() -> _RowOnlySelection:
    """The style of the section list: one for the application, living as long as it.
    (A style of each list's own went with its Python owner, which a closing window can
    let go of while the list, still being taken down, asks the style: a crash.)"""
    if not _row_only_selection or not shiboken6.isValid(_row_only_selection[0]):
        _row_only_selection.clear()
        style = _RowOnlySelection()
        style.setParent(QApplication.instance())
        _row_only_selection.append(style)
    return _row_only_selection[0]


class Navigator(QWidget):
    section_activated = Signal(str)
    brief_chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("navigator")
        self.picker = QComboBox(self)
        self.picker.setAccessibleName("Brief in this folder")
        self.picker.setToolTip("Briefs in this folder")
        self.picker.hide()
        self.tree = QTreeView(self)
        self.tree.setAccessibleName("Sections")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setIndentation(14)
        self.tree.setItemDelegate(_RoomyDelegate(self.tree))
        # The selection covers the section's row, not the indentation before it: muted
        # while the list has not the keyboard, that strip would stay in full colour.
        self.tree.setStyle(row_only_selection())
        self._syncing = False
        self.model = SectionModel(self)
        self.tree.setModel(self.model)
        #: The commands of the section list's context menu (the window's, on the section
        #: shown: the current row, which the text follows).
        self.menu_actions: list[QAction | None] = []
        self.menu = ListMenu(self.tree, lambda: self.menu_actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.picker)
        layout.addWidget(self.tree)
        self.setFocusProxy(self.tree)
        # Arrow keys move the current row; the reader follows the current row, and
        # Enter/double-click/click say the same thing again.
        self.tree.selectionModel().currentChanged.connect(self.on_current_changed)
        self.tree.activated.connect(self.on_index_activated)
        self.picker.activated.connect(self.on_picker_activated)

    # -- brief picker (a folder of briefs) -------------------------------------------
    def set_folder_briefs(self, entries: list[tuple[str, str]], current: str | None) -> None:
        """entries: (label, path) pairs; the picker shows only when there is a choice."""
        with QSignalBlocker(self.picker):
            self.picker.clear()
            for label, path in entries:
                self.picker.addItem(label, path)
                self.picker.setItemData(self.picker.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
            if current is not None:
                i = self.picker.findData(current)
                if i >= 0:
                    self.picker.setCurrentIndex(i)
        self.picker.setVisible(len(entries) > 1)

    def on_picker_activated(self, row: int) -> None:
        path = self.picker.itemData(row)
        if path:
            self.brief_chosen.emit(path)

    # -- sections ---------------------------------------------------------------------
    def set_brief(self, brief: Brief | None) -> None:
        self._syncing = True
        try:
            self.model.set_brief(brief)
        finally:
            self._syncing = False
        self.tree.expandAll()

    def set_counts(self, counts: dict[str, tuple[int, int, bool]]) -> None:
        self.model.set_counts(counts)

    def set_read(self, ids: set[str] | frozenset[str]) -> None:
        self.model.set_read(ids)

    def select_section(self, section_id: str) -> None:
        """Reflect the reader's section without emitting section_activated again."""
        index = self.model.index_for(section_id)
        if not index.isValid() or index == self.tree.currentIndex():
            return
        # Not QSignalBlocker: the view itself listens to the selection model to repaint.
        self._syncing = True
        try:
            self.tree.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        finally:
            self._syncing = False
        self.tree.scrollTo(index)

    def current_section_id(self) -> str | None:
        index = self.tree.currentIndex()
        return index.data(SECTION_ID_ROLE) if index.isValid() else None

    def on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._syncing:
            self.on_index_activated(current)

    def on_index_activated(self, index: QModelIndex) -> None:
        section_id = index.data(SECTION_ID_ROLE) if index.isValid() else None
        if section_id:
            self.section_activated.emit(section_id)
