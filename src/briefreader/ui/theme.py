"""Light and dark palettes, following the system unless the user chose one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


def palette_is_dark(
    palette: QPalette, role: QPalette.ColorRole = QPalette.ColorRole.Window
) -> bool:
    """Whether a palette is dark, judged by one role's colour (the window's by default)."""
    return palette.color(role).lightness() < 128


def mixed(colour: QColor, toward: QColor, share: float) -> QColor:
    """``colour`` moved ``share`` (0 to 1) of the way to ``toward``: e.g. text a little
    toward its background, quieter but still plainly text (not the disabled grey)."""
    return QColor.fromRgbF(*(a + (b - a) * share for a, b in zip(
        colour.getRgbF()[:3], toward.getRgbF()[:3], strict=True)))


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast of two colours: 1.0 (the same) to 21.0 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def faded(colour: QColor, background: QColor, ratio: float) -> QColor:
    """``colour`` moved toward ``background`` as far as it goes while still standing at
    ``ratio`` (or more) against it: the same quiet step back in light and dark
    palettes. A colour already at less than ``ratio`` is left as it is."""
    low, high = 0.0, 1.0
    if contrast(colour, background) <= ratio:
        return QColor(colour)
    for _ in range(20):
        share = (low + high) / 2
        if contrast(mixed(colour, background, share), background) >= ratio:
            low = share
        else:
            high = share
    return mixed(colour, background, low)


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        value = scheme()
        if value == Qt.ColorScheme.Dark:
            return True
        if value == Qt.ColorScheme.Light:
            return False
    # Unknown scheme: judge by the platform palette's window colour.
    return palette_is_dark(QGuiApplication.palette())


def _dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor(37, 38, 41), QColor(28, 29, 31), QColor(226, 226, 222)
    disabled = QColor(128, 128, 128)
    highlight = QColor(61, 122, 196)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor(44, 45, 48),
        QPalette.ColorRole.ToolTipBase: QColor(50, 51, 54),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor(48, 49, 52),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 120, 120),
        QPalette.ColorRole.Light: QColor(70, 70, 74),
        QPalette.ColorRole.Midlight: QColor(58, 58, 62),
        QPalette.ColorRole.Mid: QColor(82, 83, 89),  # card outlines and thread bars: seen
        QPalette.ColorRole.Dark: QColor(22, 22, 24),
        QPalette.ColorRole.Shadow: QColor(0, 0, 0),
        QPalette.ColorRole.Highlight: highlight,
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(122, 170, 255),
        QPalette.ColorRole.LinkVisited: QColor(190, 150, 255),
    }
    for role, color in roles.items():
        p.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def apply_theme(app: QApplication, mode: str) -> bool:
    """Apply "system", "light" or "dark"; returns whether the result is dark."""
    # Fusion draws both palettes faithfully on every platform.
    styles = [k.lower() for k in QStyleFactory.keys()]  # noqa: SIM118 - a list, not a dict
    if "fusion" in styles and app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    dark = system_prefers_dark() if mode == "system" else mode == "dark"
    palette = _dark_palette() if dark else app.style().standardPalette()
    palette.setColor(QPalette.ColorRole.PlaceholderText, secondary_text(palette))
    app.setPalette(palette)
    return dark


#: The least contrast of secondary text (where you are, dates, counts, hints) with what
#: it is drawn on: quieter than the text, but text all the same.
SECONDARY_CONTRAST = 4.6


def secondary_text(palette: QPalette) -> QColor:
    """The colour of the palette's quiet text (its placeholder role, which the window's
    breadcrumb, the cards' dates, the panels' counts and hints are drawn in): the text
    colour faded as far as it goes while it stands at SECONDARY_CONTRAST on every
    background it is shown on — the window, the lists and cards, a chosen card."""
    roles = QPalette.ColorRole
    text = palette.color(roles.Text)
    chosen = mixed(palette.color(roles.Base), palette.color(roles.Highlight), 0.12)
    backgrounds = [palette.color(role) for role in (roles.Window, roles.Base,
                                                    roles.AlternateBase)] + [chosen]
    candidates = [faded(text, background, SECONDARY_CONTRAST) for background in backgrounds]
    # The candidate nearest the text is the one that stands on every background.
    return min(candidates, key=lambda colour: contrast(colour, text))
