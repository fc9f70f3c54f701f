"""The find bar: a strip under the text to find words in the open brief.

It only asks: ``find_requested(text, forward, case_sensitive)`` on every change,
Enter (forward), Shift+Enter (back) and the arrow buttons; ``closed`` on Escape
or ✕. The window finds (``search.FindSession``), shows the match and calls
:meth:`FindBar.set_result` with the "n of m" to show.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from briefreader.ui.fields import fit_placeholder
from briefreader.ui.theme import palette_is_dark


class FindBar(QWidget):
    find_requested = Signal(str, bool, bool)
    """text, forward, case_sensitive."""
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.setAccessibleName("Find in brief")

        self.edit = QLineEdit(self)
        self.edit.setObjectName("findEdit")
        self.edit.setPlaceholderText("Find in brief")
        self.edit.setAccessibleName("Text to find")
        self.edit.setClearButtonEnabled(True)
        fit_placeholder(self.edit)  # "Find in brief" whole, however narrow the window
        self.edit.installEventFilter(self)

        self.previous_button = self._button("▲", "Previous match (Shift+F3)", "Previous match")
        self.next_button = self._button("▼", "Next match (F3)", "Next match")
        # A compact toggle ("Aa", as in most readers' find bars): the bar fits a small
        # window beside the notes. Alt+C as the checkbox it replaces.
        self.case_box = self._button("Aa", "Match case: upper and lower case and accents"
                                     " exactly (Alt+C)", "Match case")
        self.case_box.setCheckable(True)
        case_key = QShortcut(QKeySequence("Alt+C"), self)
        case_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        case_key.activated.connect(self.case_box.toggle)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("findCount")
        self.count_label.setAccessibleName("Matches")
        # As wide as its longest text, so the field and buttons never jump about.
        metrics = self.count_label.fontMetrics()
        self.count_label.setMinimumWidth(max(metrics.horizontalAdvance(text) for text in
                                             ("No matches", "9,999 of 9,999")))
        self.close_button = self._button("✕", "Close (Esc)", "Close the find bar")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.count_label)
        layout.addWidget(self.case_box)
        layout.addStretch(0)
        layout.addWidget(self.close_button)

        self.edit.textEdited.connect(self.on_edit_text_edited)
        self.next_button.clicked.connect(self.find_next)
        self.previous_button.clicked.connect(self.find_previous)
        self.case_box.toggled.connect(self.on_case_box_toggled)
        self.close_button.clicked.connect(self.close_bar)
        self.hide()

    def _button(self, text: str, tip: str, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(name)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    # -- what the window calls ---------------------------------------------------------
    @property
    def text(self) -> str:
        return self.edit.text()

    @property
    def case_sensitive(self) -> bool:
        return self.case_box.isChecked()

    def open_bar(self, text: str | None = None) -> None:
        """Show the bar with the cursor in the field (Ctrl+F). ``text``, e.g. the
        selected words, replaces what was there and is searched at once."""
        self.show()
        if text:
            self.edit.setText(text)
            self.find_requested.emit(text, True, self.case_sensitive)
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()

    def find_next(self) -> None:
        """F3: the next match (opens the bar when it was closed)."""
        self._request(True)

    def find_previous(self) -> None:
        self._request(False)

    def set_result(self, label: str, *, found: bool) -> None:
        """Show "n of m" (or "No matches"); the field turns red when nothing is found."""
        self.count_label.setText(label)
        # An empty palette inherits the application's, so a theme change still applies.
        palette = QPalette()
        if not found and self.text:
            palette.setColor(QPalette.ColorRole.Base, _not_found_colour(self.palette()))
        self.edit.setPalette(palette)

    # -- events --------------------------------------------------------------------------
    def _request(self, forward: bool) -> None:
        if not self.isVisible():
            self.open_bar()
        if self.text:
            self.find_requested.emit(self.text, forward, self.case_sensitive)

    def on_edit_text_edited(self, text: str) -> None:
        if text:
            self.find_requested.emit(text, True, self.case_sensitive)
        else:
            self.set_result("", found=True)
            self.find_requested.emit("", True, self.case_sensitive)

    def on_case_box_toggled(self, _checked: bool) -> None:
        if self.text:
            self.find_requested.emit(self.text, True, self.case_sensitive)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                back = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self._request(not back)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.matches(QKeySequence.StandardKey.FindNext):
                self.find_next()
                return True
            if event.matches(QKeySequence.StandardKey.FindPrevious):
                self.find_previous()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)


def _not_found_colour(palette: QPalette) -> QColor:
    # The colour fills the line edit, so its own background (Base) decides.
    dark = palette_is_dark(palette, QPalette.ColorRole.Base)
    return QColor(96, 38, 38) if dark else QColor(250, 218, 216)
