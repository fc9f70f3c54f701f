"""What the list views (library, bookmarks, trash) share: roomy rows, one way of
setting up a flat, read-only, single-selection tree, and the label shown when empty."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QStyle,
    QStyledItemDelegate,
    QTreeView,
    QWidget,
)


class RoomyDelegate(QStyledItemDelegate):
    """Rows a little taller than the text (``AIR`` pixels), so a row's button is not
    squeezed and a list is easy to read."""

    AIR = 8

    def sizeHint(self, option, index):  # noqa: N802 - Qt override
        size = super().sizeHint(option, index)
        size.setHeight(size.height() + self.AIR)
        return size

    def initStyleOption(self, option, index) -> None:  # noqa: N802 - Qt override
        super().initStyleOption(option, index)
        widget = option.widget
        if (option.state & QStyle.StateFlag.State_Selected and widget is not None
                and not widget.hasFocus()):
            # The list without the keyboard shows its selection muted, as desktop lists
            # do: where the keyboard is can be seen at a glance.
            palette = option.palette
            base = palette.color(QPalette.ColorRole.Base)
            strong = palette.color(QPalette.ColorRole.Highlight)
            muted = QColor.fromRgbF(*(0.6 * b + 0.4 * s for b, s in zip(
                base.getRgbF()[:3], strong.getRgbF()[:3], strict=True)))
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                palette.setColor(group, QPalette.ColorRole.Highlight, muted)
                palette.setColor(group, QPalette.ColorRole.HighlightedText,
                                 palette.color(group, QPalette.ColorRole.Text))
            option.palette = palette


def set_up_flat_tree(
    tree: QTreeView,
    *,
    name: str,
    delegate: QStyledItemDelegate,
    resize_modes: Mapping[int, QHeaderView.ResizeMode],
    widths: Mapping[int, int] | None = None,
) -> None:
    """A table-like tree: no root decoration, whole rows selected one at a time, not
    editable by clicking, long text elided; each column resized as ``resize_modes`` says
    (set the columns or the model first), with ``widths`` for the interactive ones."""
    tree.setAccessibleName(name)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAllColumnsShowFocus(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    tree.setTextElideMode(Qt.TextElideMode.ElideRight)
    tree.setItemDelegate(delegate)
    header = tree.header()
    header.setStretchLastSection(False)
    for column, mode in resize_modes.items():
        header.setSectionResizeMode(column, mode)
    for column, width in (widths or {}).items():
        tree.setColumnWidth(column, width)


def add_docks(
    window: QMainWindow, docks: Sequence[tuple[str, str, QWidget, Qt.DockWidgetArea]]
) -> dict[str, QDockWidget]:
    """Dock each (name, title, widget, area) in the window, on either side; the name
    keys the dock's place in the saved window layout."""
    out: dict[str, QDockWidget] = {}
    for name, title, widget, area in docks:
        dock = QDockWidget(title, window)
        dock.setObjectName(f"{name}_dock")  # saveState/restoreState key
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea
                             | Qt.DockWidgetArea.RightDockWidgetArea)
        window.addDockWidget(area, dock)
        out[name] = dock
    return out


def empty_state_label(text: str, name: str, parent: QWidget) -> QLabel:
    """The dim, centred label a view shows in place of an empty list."""
    label = QLabel(text, parent)
    label.setAccessibleName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def told_apart(briefs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(title, path) of briefs → for each path whose title another path has too, what
    tells it apart: its folder's name, or where two share that, folder and file name,
    or else its whole path. Paths whose title is their own are left out."""
    by_title: dict[str, set[str]] = {}
    for title, path in briefs:
        by_title.setdefault(title, set()).add(path)
    out: dict[str, str] = {}
    for paths in by_title.values():
        if len(paths) < 2:
            continue
        for label in (lambda p: p.parent.name, lambda p: f"{p.parent.name}/{p.name}",
                      lambda p: str(p)):
            labels = {path: label(Path(path)) or path for path in paths}
            if len(set(labels.values())) == len(paths):
                out.update(labels)
                break
    return out
