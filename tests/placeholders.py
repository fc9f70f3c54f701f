"""Whether a text field shows its placeholder whole, for the look tests."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionFrame, QToolButton


def placeholder_room(edit: QLineEdit) -> int:
    """The width the field gives its text now: inside its frame, less its text margins,
    the 2 px QLineEdit keeps on each side, and the side buttons showing (4 px apart)."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    inside = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    buttons = sum(b.width() + 4 for b in edit.findChildren(QToolButton) if b.isVisibleTo(edit))
    return inside.width() - margins.left() - margins.right() - 2 * 2 - buttons


def placeholder_fits(edit: QLineEdit) -> bool:
    """As QLineEdit judges it: by the text's advance to the fraction of a pixel."""
    return QFontMetricsF(edit.font()).horizontalAdvance(edit.placeholderText()) <= (
        placeholder_room(edit)
    )
