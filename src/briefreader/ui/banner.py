"""A non-modal message strip above the text: errors and notices never block reading.

Its button has a mnemonic (Alt and the underlined letter); Escape, where nothing else
takes it (the window passes it on), dismisses the message."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
)

from briefreader.ui.theme import palette_is_dark


class Banner(QFrame):
    action_triggered = Signal(str)

    LEVEL_COLOURS = {
        "info": ("#dbe8f7", "#14385f", "#2f6db3"),
        "warning": ("#fbedc7", "#4d3800", "#c18f00"),
        "error": ("#f8d7d5", "#5c1410", "#c0392b"),
    }
    #: The same, for a dark window: a tinted strip, not a glaring one.
    DARK_LEVEL_COLOURS = {
        "info": ("#1d2f45", "#cfe0f5", "#4f86c6"),
        "warning": ("#3d3214", "#f3dfa6", "#b8901c"),
        "error": ("#4a1f1c", "#f6cdc9", "#c9574b"),
    }

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Message")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(self.label.textFormat().PlainText)
        self.button = QPushButton(self)
        self.button.hide()
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.setToolTip("Dismiss (Esc)")
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.close_button)
        self.close_button.clicked.connect(self.hide)
        self.button.clicked.connect(self.on_button_clicked)
        self._action = ""
        self.level = "info"
        self._dark = palette_is_dark(QApplication.palette())
        self.hide()

    def show_message(self, text: str, level: str = "info", action: str = "",
                     action_label: str = "") -> None:
        self.level = level
        self._restyle()
        self.label.setText(text)
        self.label.setToolTip("")  # a message may set one of its own after this
        self._action = action
        self.button.setVisible(bool(action))
        label = action_label or action
        # Alt and its first letter, unless the label says which: no mouse needed.
        self.button.setText(label if "&" in label else f"&{label}")
        self.button.setToolTip(f"{label.replace('&', '')} (Alt+{_mnemonic(label)})"
                               if action else "")
        self.show()

    def set_dark(self, dark: bool) -> None:
        """The window's theme was switched."""
        self._dark = dark
        self._restyle()

    def _restyle(self) -> None:
        colours = self.DARK_LEVEL_COLOURS if self._dark else self.LEVEL_COLOURS
        bg, fg, border = colours.get(self.level, colours["info"])
        style = (
            f"#banner {{ background: {bg}; border: 1px solid {border}; border-radius: 4px; }}"
            f"#banner QLabel, #banner QToolButton {{ color: {fg}; }}"
        )
        if style != self.styleSheet():
            self.setStyleSheet(style)

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def dismiss(self) -> bool:
        """Hide the message (Escape); whether there was one to hide."""
        if not self.isVisible():
            return False
        self.hide()
        return True

    def on_button_clicked(self) -> None:
        if self._action:
            self.action_triggered.emit(self._action)


def _mnemonic(label: str) -> str:
    """The letter Alt goes with in a button's label: after "&", else the first."""
    i = label.find("&")
    return (label[i + 1] if 0 <= i < len(label) - 1 else label[:1]).upper()
