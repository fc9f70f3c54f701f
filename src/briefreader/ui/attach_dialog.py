"""File → Attach Notes of a Missing Brief…: the notes kept for a brief that is no longer
where it was read from, and was not recognised in this one (moved and much edited, say),
given to the brief shown."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefreader.records import StoredBrief
from briefreader.ui.dates import format_timestamp


def _counts(b: StoredBrief) -> str:
    parts = [f"{n} {word}{'s' * (n != 1)}"
             for n, word in ((b.highlights, "highlight"), (b.comments, "comment")) if n]
    if b.trashed:
        parts.append(f"{b.trashed} in the Trash")
    return ", ".join(parts)


class AttachNotesDialog(QDialog):
    """A list of briefs not found, one chosen with the keyboard or the mouse."""

    def __init__(self, briefs: Sequence[StoredBrief], title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Attach Notes of a Missing Brief")
        intro = QLabel(
            f"These briefs have notes but are no longer where they were read from. Choose"
            f" the one that “{title}” is a version of: its notes are placed on this brief,"
            f" beside its own, and the places that changed are listed in Review.", self)
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Briefs not found")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        for b in briefs:
            seen = format_timestamp(b.seen_at)
            detail = f"{b.path or b.key}" + (f"\nlast opened {seen}" if seen else "")
            item = QListWidgetItem(f"{b.title} — {_counts(b)}\n{detail}")
            item.setData(Qt.ItemDataRole.UserRole, b)
            item.setToolTip(b.path or b.key)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(self)
        attach = buttons.addButton("&Attach Notes", QDialogButtonBox.ButtonRole.AcceptRole)
        attach.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def chosen(self) -> StoredBrief | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)


def ask_missing_brief(parent: QWidget, briefs: Sequence[StoredBrief],
                      title: str) -> StoredBrief | None:
    """The brief whose notes to attach, or None when cancelled. Tests replace this."""
    dialog = AttachNotesDialog(briefs, title, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()
