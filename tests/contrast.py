"""Contrast between two colours, as the WCAG reckons it, for the look tests."""

from __future__ import annotations

from PySide6.QtGui import QColor


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor | str, b: QColor | str) -> float:
    """1.0 (the same) to 21.0 (black on white); text wants 4.5 or more."""
    high, low = sorted((_luminance(QColor(a)), _luminance(QColor(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def style_colours(style: str) -> tuple[QColor, QColor]:
    """(background, color) of an inline CSS style such as the word marks'."""
    props = dict(part.split(":", 1) for part in style.replace(" ", "").split(";") if part)
    return QColor(props["background"]), QColor(props["color"])
