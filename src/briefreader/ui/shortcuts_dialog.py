"""Help → Keyboard Shortcuts: every command with a shortcut, searchable: the window's,
the panels' own (said where they work), and the keys of the cards and bars."""

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

from briefreader.ui.item_views import NAME_PROPERTY, SCOPE_PROPERTY

#: Keys that are no command of a menu: typed on a notes card, in a bar.
KEYS_ELSEWHERE: tuple[tuple[str, str], ...] = (
    ("Go to the highlight in the text (on its card)", "Space"),
    ("Write the note (on a highlight's card)", "Enter, F2"),
    ("Edit the comment (on its card)", "F2"),
    ("Reply to the comment (on its card)", "Enter"),
    ("Delete the highlight or comment (on its card)", "Del"),
    ("Post a comment or reply / finish editing", "Ctrl+Enter"),
    ("Close the editor / cancel a reply", "Esc"),
    ("Next / previous match (in the find bar)", "Enter, Shift+Enter"),
    ("Match case (in the find bar)", "Alt+C"),
    ("Close the find bar, then dismiss the message above the text", "Esc"),
    ("Press the button of the message above the text", "Alt+underlined letter"),
    ("Go to the results (from the search field)", "Down"),
)

# Dedicated keys some keyboards have ("Open", "Copy", "Zoom In", "F16"): real bindings,
# but listing them beside Ctrl+O only confuses.
_TYPED = re.compile(r"\+|^F([1-9]|1[0-2])$|^(Del|Delete|Ins|Insert|Esc|Return|Enter|Backspace)$")


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if _TYPED.search(k)]
        if keys:
            name = action.property(NAME_PROPERTY) or action.text()
            name = name.split("\t")[0].replace("&", "").rstrip("…").strip()
            scope = action.property(SCOPE_PROPERTY)
            rows.append((f"{name} (in {scope})" if scope else name, ", ".join(keys)))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None, *,
                 extra: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter commands")
        self.filter.setAccessibleName("Filter commands")
        self.filter.setClearButtonEnabled(True)
        rows = shortcut_rows(actions) + list(extra)
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
