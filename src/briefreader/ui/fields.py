"""What the text fields share: room for their placeholder."""

from __future__ import annotations

import math

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QLineEdit


def fit_placeholder(edit: QLineEdit) -> None:
    """Never let the field be narrower than its placeholder text shown whole."""
    metrics = edit.fontMetrics()
    # A line edit's size hint is room for 17 "x" plus its frame and margins (and the
    # clear button when there is text: with the placeholder shown there is none).
    chrome = edit.sizeHint().width() - 17 * metrics.horizontalAdvance("x")
    # The placeholder is cut short by a fraction of a pixel too many: whole pixels up.
    text = math.ceil(QFontMetricsF(edit.font()).horizontalAdvance(edit.placeholderText()))
    edit.setMinimumWidth(text + chrome)
