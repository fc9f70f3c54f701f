"""Help → Keyboard Shortcuts: every command with a shortcut, searchable."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Dedicated keys some keyboards have ("Open", "Copy", "Zoom In", "F16"): real bindings,
# but listing them beside Ctrl+O only confuses.
_TYPED = re.compile(r"\+|^F([1-9]|1[0-2])$|^(Del|Delete|Esc|Return|Enter|Backspace)$")


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if _TYPED.search(k)]
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…").strip(), ", ".join(keys)))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter commands")
        self.filter.setAccessibleName("Filter commands")
        self.filter.setClearButtonEnabled(True)
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName("Shortcuts")
        self.table.setHorizontalHeaderLabels(["Command", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for r, (command, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(command))
            self.table.setItem(r, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self.on_filter_changed)
        # As tall as the list wants, within the screen it opens on (a 640 x 480 one too).
        size = QSize(520, 560)
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry().size() - QSize(40, 60)
            size = size.boundedTo(room)
        self.resize(size)

    def on_filter_changed(self, text: str) -> None:
        needle = text.casefold().strip()
        for r in range(self.table.rowCount()):
            shown = any(needle in self.table.item(r, c).text().casefold() for c in (0, 1))
            self.table.setRowHidden(r, bool(needle) and not shown)

    def visible_commands(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())
                if not self.table.isRowHidden(r)]
