"""The notes panel's cards: one per highlight, one per comment, and what they hold.

A card shows one item and emits what the user did (its note box asks to be edited,
its buttons are clicked); ``NotesPanel`` builds the cards, keeps drafts and autosaves.
Also here: how a note's text is shown (plain, or Markdown as sanitised HTML).
"""

from __future__ import annotations

import re

import nh3
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionToolButton,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from briefreader.records import DEFAULT_LABELS, Comment, Highlight
from briefreader.render import needs_markdown, plain_to_html, render_markdown_fragment
from briefreader.ui.dates import format_timestamp
from briefreader.ui.highlights import colour_for
from briefreader.ui.theme import palette_is_dark

#: Replies deeper than this are drawn at this depth (a narrow dock has no room).
MAX_INDENT = 4
INDENT_PX = 18

STATUS_BADGES = {
    "moved": ("moved", "The quoted text moved within the brief; the note followed it."),
    "changed": ("changed", "The quoted text changed in this version of the brief."),
    "ambiguous": ("ambiguous", "The quote matches more than one place: check where it belongs"
                  " (Review)."),
    "orphaned": ("orphaned", "The quoted text is no longer in the brief; the note is kept."),
}

# Text with none of these is the same in Markdown as in plain text, so it can skip the
# (comparatively slow, time-boxed) Markdown renderer.
_BLANK_LINES = re.compile(r"\n\s*\n")
# Images in notes are never loaded: QLabel's document would read any local path.
_NOTE_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark",
    "code", "kbd", "samp", "var", "pre", "blockquote", "q", "cite", "dfn", "abbr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "a", "span", "div",
}  # fmt: skip
_NOTE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"},
                    "td": {"align"}, "th": {"align"}}
#: Seconds a note may take to format before it is shown as plain text (it runs on
#: the GUI thread's watch, so this bounds a freeze on a pathological note).
MARKDOWN_TIME_LIMIT = 0.5


# --------------------------------------------------------------------------- helpers


def plain_display(text: str) -> str:
    """Text without Markdown as Markdown would show it: a single newline is a space."""
    paragraphs = (" ".join(p.split("\n")).strip() for p in _BLANK_LINES.split(text.strip()))
    return "\n\n".join(p for p in paragraphs if p)


def note_html(text: str) -> str:
    """A note or comment as the panel shows it: sanitised HTML, images removed."""
    if not needs_markdown(text):
        return plain_to_html(text)
    clean = nh3.clean(
        render_markdown_fragment(text, time_limit=MARKDOWN_TIME_LIMIT),
        tags=_NOTE_TAGS,
        attributes=_NOTE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    return _fit_to_card(clean)


# Sanitised HTML has no attributes on these tags, and quotes its attributes: the
# patterns below only ever see our own markup.
_HEADING_TAG = re.compile(r"<(/?)h[1-6]>")
_LINK = re.compile(r'<a\b(?:[^>]*?\shref="([^"]*)")?[^>]*>(.*?)</a>', re.S)


_CODE_SHADE = "rgba(127, 127, 127, 40)"  # as the reader's style sheet; light and dark
_INLINE_CODE = re.compile(r"(?<!<pre>)<code>")


def _fit_to_card(clean: str) -> str:
    """A note's HTML as a card shows it: headings bold at the text's size (a note's
    "# Costs" must not outshout the panel's own title), tables ruled, quotations in
    italics, and links as their words with the address after them in small type (a
    card is clicked to edit it: nothing is opened from it)."""
    out = _HEADING_TAG.sub(r"<\1h4>", clean)
    out = out.replace("<table>", '<table border="1" cellspacing="0" cellpadding="3">')
    # A quotation indented a little, not by Qt's 40 px a side: a card is narrow.
    out = out.replace("<blockquote>", '<blockquote style="font-style:italic;'
                                      ' margin-left:12px; margin-right:0px">')
    # Code shaded, as the reader shows it: where no monospaced font is installed,
    # the shade is what tells `code` from the words around it.
    out = _INLINE_CODE.sub(f'<code style="background-color:{_CODE_SHADE}">', out)
    out = out.replace("<pre>", f'<pre style="background-color:{_CODE_SHADE}">')
    out = out.replace("\n</code></pre>", "</code></pre>")  # no empty shaded line below
    return _LINK.sub(_link_as_text, out)


def _link_as_text(m: re.Match[str]) -> str:
    href, words = m.group(1) or "", m.group(2)
    if (not href or href.startswith("#") or href == words
            or href.removeprefix("mailto:") == words):
        return words  # (a place in the note itself, e.g. a footnote's: no address)
    return f"{words} <small>({href})</small>"


_ICONS: dict[tuple[str, bool], QIcon] = {}


def _chip_icon(colour: str, dark: bool) -> QIcon:
    icon = _ICONS.get((colour, dark))
    if icon is None:
        icon = _ICONS[(colour, dark)] = _draw_chip(colour, dark)
    return icon


def _draw_chip(colour: str, dark: bool, size: int = 14) -> QIcon:
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = colour_for(colour, dark)
    painter.setBrush(fill)
    painter.setPen(QPen(fill.lighter(160) if dark else fill.darker(160), 1.2))
    painter.drawEllipse(QRectF(1.5, 1.5, size - 3, size - 3))
    painter.end()
    icon = QIcon(pixmap)
    # The colour is what the chip tells: it stays while its button can't be used.
    icon.addPixmap(pixmap, QIcon.Mode.Disabled)
    return icon


def _trash_icon(widget: QWidget) -> QIcon:
    icon = _ICONS.get(("trash", False))
    if icon is None:
        icon = _ICONS[("trash", False)] = widget.style().standardIcon(
            QStyle.StandardPixmap.SP_TrashIcon)
    return icon


# --------------------------------------------------------------------------- small widgets


def _colour_as_error(label: QLabel) -> None:
    """Error red, readable on the label's light or dark background."""
    pal = label.palette()
    red = QColor("#ff8a80") if palette_is_dark(pal) else QColor("#b3261e")
    pal.setColor(QPalette.ColorRole.WindowText, red)
    label.setPalette(pal)


class _Card(QFrame):
    """A rounded, palette-coloured card; painted by hand (no style sheet per card).

    A card tells its parent layout a fixed height, worked out once per width, instead
    of offering height-for-width: otherwise every card added, shown or hidden makes
    the whole list ask every card's word-wrapped labels for their height again.
    """

    activated = Signal()
    #: Width assumed before the card has been laid out (the panel sets the real one).
    width_hint = 320

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.selected = False
        self._laid_out_width = 0
        self._height_for: tuple[int, int] | None = None

    def _width(self) -> int:
        return self._laid_out_width or self.width_hint

    def _height(self) -> int:
        width = self._width()
        if self._height_for is None or self._height_for[0] != width:
            layout = self.layout()
            height = layout.totalHeightForWidth(width) if layout is not None else 40
            self._height_for = (width, height)
        return self._height_for[1]

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return False

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self._width(), self._height())

    def forget_height(self) -> None:
        self._height_for = None

    def show_status(self, status: str, header: QHBoxLayout, index: int) -> None:
        """The status badge, made only for the few items that need one."""
        badge: _Badge | None = getattr(self, "badge", None)
        if badge is None:
            if status not in STATUS_BADGES:
                return
            badge = self.badge = _Badge(self)
            header.insertWidget(index, badge)
        badge.set_status(status)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.size().width() != self._laid_out_width:
            self._laid_out_width = event.size().width()
            self._height_for = None
            self.updateGeometry()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    def card_rect(self) -> QRectF:
        return QRectF(self.rect()).adjusted(1, 1, -1, -1)

    def focus_within(self) -> bool:
        focused = QApplication.focusWidget()
        return focused is not None and (focused is self or self.isAncestorOf(focused))

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.card_rect()
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        accent = pal.color(QPalette.ColorRole.Highlight)
        if self.selected:
            tint = QColor(accent)
            tint.setAlphaF(0.12)
            painter.setBrush(base)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(rect, 6, 6)
            painter.setBrush(tint)
        else:
            painter.setBrush(base)
        if self.focus_within():
            pen = QPen(accent, 2)
        elif self.selected:
            pen = QPen(accent, 1)
        else:
            pen = QPen(pal.color(QPalette.ColorRole.Mid), 1)
        painter.setPen(pen)
        painter.drawRoundedRect(rect, 6, 6)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.activated.emit()
            event.accept()
            return
        super().mousePressEvent(event)


def _is_delete(event: QKeyEvent) -> bool:
    """Delete (or Backspace, the Mac's delete key) typed on a card itself: the keys
    typed in its boxes never reach it."""
    plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                  Qt.KeyboardModifier.KeypadModifier)
    return event.matches(QKeySequence.StandardKey.Delete) or (
        plain and event.key() == Qt.Key.Key_Backspace)


def _resized(widget: QWidget) -> None:
    """Something inside a card changed size: say so up to the card at once. Qt passes
    it on from the event loop, widget by widget, and the card may be measured first."""
    current: QWidget | None = widget
    while current is not None and not isinstance(current, _Card):
        current.updateGeometry()
        current = current.parentWidget()


class _CardLayout(QVBoxLayout):
    """A card's layout: Qt invalidates it whenever a child's size may have changed,
    so that is when the card's height is worked out again."""

    def __init__(self, card: _Card) -> None:
        super().__init__(card)
        self._card = card

    def invalidate(self) -> None:
        self._card.forget_height()
        super().invalidate()


def _quote_text(text: str) -> str:
    """A quote as its card shows it: whitespace collapsed, at most 1000 characters."""
    return " ".join(text[:1000].split())


class _QuoteView(QWidget):
    """The quoted passage: italic, at most three lines (elided), with a colour bar."""

    MAX_LINES = 3
    BAR = 3
    GAP = 8

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.colour = QColor("#999999")
        self._lines_for: dict[int, list[str]] = {}
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        font = QFont(self.font())
        font.setItalic(True)
        self.setFont(font)
        self.setAccessibleName("Quoted text")
        self.set_text(text)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        shown = _quote_text(text)
        self._text = shown
        self._lines_for.clear()
        self.setAccessibleDescription(shown)
        self.setToolTip(shown if len(shown) < 600 else shown[:600] + "…")
        self.updateGeometry()
        self.update()

    def lines(self, width: int) -> list[str]:
        cached = self._lines_for.get(width)
        if cached is not None:
            return cached
        text_width = max(40, width - self.BAR - self.GAP)
        layout = QTextLayout(self._text, self.font())
        layout.beginLayout()
        spans: list[tuple[int, int]] = []
        while len(spans) < self.MAX_LINES:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(text_width)
            spans.append((line.textStart(), line.textLength()))
        layout.endLayout()
        lines = [self._text[a : a + n].rstrip() for a, n in spans]
        if spans and sum(spans[-1]) < len(self._text):
            rest = self._text[spans[-1][0] :]
            lines[-1] = QFontMetrics(self.font()).elidedText(
                rest, Qt.TextElideMode.ElideRight, text_width
            )
        if len(self._lines_for) > 16:  # layouts probe a few widths; keep the recent ones
            self._lines_for.clear()
        self._lines_for[width] = lines
        return lines

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return max(1, len(self.lines(width))) * QFontMetrics(self.font()).lineSpacing() + 2

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(240, self.heightForWidth(240))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(80, QFontMetrics(self.font()).lineSpacing())

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(0, 0, self.BAR, self.height(), self.colour)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        metrics = QFontMetrics(self.font())
        y = metrics.ascent() + 1
        for line in self.lines(self.width()):
            painter.drawText(self.BAR + self.GAP, y, line)
            y += metrics.lineSpacing()


class _RichLabel(QLabel):
    """Rendered Markdown that turns into an editor when clicked; links are not followed."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setOpenExternalLinks(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setCursor(Qt.CursorShape.IBeamCursor)
        # Preferred, not Minimum: a word-wrapped label's size hint is for a width of its
        # own choosing (two lines where one fits), and as a minimum it padded the card.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        event.accept()


class _Editor(QPlainTextEdit):
    """A plain-text editor that grows with its text; Tab leaves it (no keyboard trap)."""

    focus_lost = Signal(object)  # Qt.FocusReason
    escape_pressed = Signal()
    submit_pressed = Signal()  # Ctrl+Enter

    def __init__(self, parent: QWidget | None = None, *, min_lines: int = 3,
                 max_lines: int = 14) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # Set off from the card it sits on, in light and dark palettes alike.
        self.viewport().setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self._min_lines = min_lines
        self._max_lines = max_lines
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _fit(self, *_args) -> None:
        lines = int(self.document().documentLayout().documentSize().height())
        lines = min(max(lines, self._min_lines), self._max_lines)
        margins = self.contentsMargins()
        doc_margin = int(self.document().documentMargin() * 2)
        height = (lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom()
                  + doc_margin + 2)
        if height != self.height():
            self.setFixedHeight(height)
            _resized(self)

    @staticmethod
    def _is_submit(event: QKeyEvent) -> bool:
        return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier)

    def event(self, event) -> bool:
        # Ctrl+Enter and Esc belong to the editor while it has the focus, even when a
        # window action uses the same keys (Ctrl+Return is "Edit Note").
        if event.type() == QEvent.Type.ShortcutOverride and (
            self._is_submit(event) or event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self._is_submit(event):
            self.submit_pressed.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.focus_lost.emit(event.reason())


class _TextBox(QWidget):
    """A note or comment body: rendered when idle, an editor while editing, and a
    "Not saved" row with Retry after a failed save. The editor is made on first use
    (a panel can hold hundreds of these)."""

    edit_requested = Signal()
    text_changed = Signal(str)
    editor_left = Signal(object)  # Qt.FocusReason
    editor_done = Signal()  # Escape / Ctrl+Enter
    retry_clicked = Signal()
    editing_changed = Signal(bool)  # the editor was opened (True) or closed

    def __init__(self, placeholder: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.text = ""
        self.html_ready = True
        self._placeholder = placeholder
        self.editor: _Editor | None = None
        self._editing = False
        self.error_row: QWidget | None = None
        self.error_label: QLabel | None = None
        self.retry_button: QPushButton | None = None
        self._tab_anchor: QWidget | None = None
        self.label = _RichLabel(self)
        self.label.setAccessibleName(kind.capitalize())
        self.label.setToolTip(f"Click or press F2 to edit the {kind}")
        self.label.clicked.connect(self.edit_requested)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addWidget(self.label)

    def set_tab_anchor(self, widget: QWidget) -> None:
        """The widget after which lazily made editors join the Tab order."""
        self._tab_anchor = widget

    def set_text(self, text: str, rendered: str | None) -> None:
        """Show ``text``; ``rendered`` is its HTML, or None to show it escaped for now.
        Text without Markdown is shown as plain text (a rich label costs 3-4 times as
        much to lay out, which adds up over a long list)."""
        self.text = text
        if self.editor is not None and self.editor.toPlainText() != text:
            self.editor.setPlainText(text)
        self.html_ready = rendered is not None
        if not text.strip():
            self.label.setTextFormat(Qt.TextFormat.PlainText)
            self.label.setText(self._placeholder)
            self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        elif not needs_markdown(text):
            self.html_ready = True
            self.label.setTextFormat(Qt.TextFormat.PlainText)
            self.label.setText(plain_display(text))
            self.label.setForegroundRole(QPalette.ColorRole.Text)
        else:
            self.label.setTextFormat(Qt.TextFormat.RichText)
            self.label.setText(rendered if rendered is not None else plain_to_html(text))
            self.label.setForegroundRole(QPalette.ColorRole.Text)
        _resized(self.label)

    def editing(self) -> bool:
        return self.editor is not None and self.editor.isVisible()

    def begin_edit(self, *, focus: bool = True) -> _Editor:
        if self.editor is None:
            self.editor = _Editor(self)
            self.editor.setAccessibleName(f"{self.kind.capitalize()} editor")
            self.editor.setPlaceholderText(self._placeholder)
            self.editor.setPlainText(self.text)
            self.editor.textChanged.connect(self._on_editor_changed)
            self.editor.focus_lost.connect(self.editor_left)
            self.editor.escape_pressed.connect(self.editor_done)
            self.editor.submit_pressed.connect(self.editor_done)
            self._layout.insertWidget(1, self.editor)
            if self._tab_anchor is not None:
                QWidget.setTabOrder(self._tab_anchor, self.editor)
        self.label.hide()
        self.editor.show()
        _resized(self.editor)
        if focus:
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self._set_editing(True)
        return self.editor

    def end_edit(self) -> None:
        if self.editor is not None:
            self.editor.hide()
        self.label.show()
        _resized(self.label)
        self._set_editing(False)

    def _set_editing(self, editing: bool) -> None:
        if editing != self._editing:
            self._editing = editing
            self.editing_changed.emit(editing)

    def _on_editor_changed(self) -> None:
        assert self.editor is not None
        text = self.editor.toPlainText()
        if text != self.text:
            self.text = text
            self.text_changed.emit(text)

    def set_error(self, message: str | None) -> None:
        if message is None:
            if self.error_row is not None and not self.error_row.isHidden():
                self.error_row.hide()
                _resized(self)
            return
        if self.error_row is None:
            self.error_row = QWidget(self)
            row = QHBoxLayout(self.error_row)
            row.setContentsMargins(0, 0, 0, 0)
            self.error_label = QLabel(self.error_row)
            self.error_label.setWordWrap(True)
            self.error_label.setTextFormat(Qt.TextFormat.PlainText)
            self.error_label.setAccessibleName("Save error")
            self.retry_button = QPushButton("Retry", self.error_row)
            self.retry_button.setAccessibleName(f"Retry saving the {self.kind}")
            self.retry_button.setToolTip(f"Try to save the {self.kind} again")
            self.retry_button.clicked.connect(self.retry_clicked)
            row.addWidget(self.error_label, 1)
            row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
            self._layout.addWidget(self.error_row)
            anchor = self.editor or self._tab_anchor
            if anchor is not None:
                QWidget.setTabOrder(anchor, self.retry_button)
        assert self.error_label is not None
        self.error_label.setText(message)
        self._colour_error()
        self.error_row.show()
        _resized(self.error_label)

    def _colour_error(self) -> None:
        if self.error_label is not None:
            _colour_as_error(self.error_label)

    def error_text(self) -> str:
        if self.error_row is None or self.error_row.isHidden() or self.error_label is None:
            return ""
        return self.error_label.text()


def _small(label: QLabel) -> QLabel:
    font = QFont(label.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
    label.setFont(font)
    return label


def _meta_text(author: str, iso: str) -> str:
    parts = [author.strip() or "Unknown author"]
    when = format_timestamp(iso)
    if when:
        parts.append(when)
    return " · ".join(parts)


def _dates_tip(created: str, modified: str) -> str:
    made, edited = format_timestamp(created), format_timestamp(modified)
    lines = [f"Created {made}"] if made else []
    if edited and modified != created:
        lines.append(f"Edited {edited}")
    return "\n".join(lines)


class _Badge(QLabel):
    """A small outlined pill ("moved", "needs review"…), in palette colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _small(self)
        self.setContentsMargins(6, 0, 6, 0)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def set_status(self, status: str) -> None:
        badge = STATUS_BADGES.get(status)
        self.setVisible(badge is not None)
        if badge is not None:
            self.setText(badge[0])
            self.setToolTip(badge[1])
            self.setAccessibleName(f"Status: {badge[0]}")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(self.palette().color(QPalette.ColorRole.Text))
        colour.setAlphaF(0.45)
        painter.setPen(QPen(colour, 1))
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        painter.end()
        super().paintEvent(event)


class _TagsEdit(QLineEdit):
    """A highlight's tags: part of the card, not a box on it, until the keyboard is in
    it; then outlined in the accent colour, as a field with the focus is (a blinking
    caret alone, gone half the time, is no sign of where the keys go)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrame(False)
        # The card's own colour shows through.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
        self.setPalette(palette)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.hasFocus():
            _outline_focus(self)


def _outline_focus(widget: QWidget) -> None:
    """Outline ``widget`` in the accent colour: where the keyboard is, on a card."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(widget.palette().color(QPalette.ColorRole.Highlight), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(widget.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
    painter.end()


class _CardButton(QToolButton):
    """A card's button: flat on the card, and outlined in the accent colour while the
    keyboard is on it, as the tags field is (the style's focus sign, a slightly lighter
    box, is barely seen on a dark card and not at all on a light one). With
    ``label_when_disabled``, disabled it still draws its label as text is, not in the
    disabled grey: what it says is information even while it can't be pressed."""

    label_when_disabled = False

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.label_when_disabled and not self.isEnabled():
            option = QStyleOptionToolButton()
            self.initStyleOption(option)
            for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
                option.palette.setColor(QPalette.ColorGroup.Disabled, role,
                                        option.palette.color(QPalette.ColorGroup.Active, role))
            QStylePainter(self).drawComplexControl(QStyle.ComplexControl.CC_ToolButton, option)
        else:
            super().paintEvent(event)
        if self.hasFocus():
            _outline_focus(self)


def _tool_button(parent: QWidget, *, text: str = "", icon: QIcon | None = None,
                 name: str, tip: str) -> QToolButton:
    button = _CardButton(parent)
    if icon is not None:
        button.setIcon(icon)
    if text:
        button.setText(text)
    button.setAutoRaise(True)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


# --------------------------------------------------------------------------- cards


class HighlightCard(_Card):
    """One highlight: colour, quote, status, note, tags, author and date."""

    edit_key_pressed = Signal()  # Enter / F2

    def __init__(self, h: Highlight, labels: dict[str, str], dark: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.highlight = h
        self._shown_as: tuple[str, bool] | None = None  # (colour label, dark) shown
        self.setAccessibleName("Highlight")
        layout = _CardLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(6)
        # The chip and the colour's label are one button: it opens the colour menu.
        self.colour_button = _tool_button(self, name="Colour", tip="Change the colour")
        self.colour_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # Disabled while the note is edited; it still says the colour meanwhile.
        self.colour_button.label_when_disabled = True
        bold = QFont(self.colour_button.font())
        bold.setBold(True)
        self.colour_button.setFont(bold)
        self.badge: _Badge | None = None
        self.delete_button = _tool_button(
            self,
            icon=_trash_icon(self),
            name="Delete highlight",
            tip="Delete this highlight and its note (Delete on the card)",
        )
        header.addWidget(self.colour_button)
        header.addStretch(1)
        header.addWidget(self.delete_button)
        layout.addLayout(header)
        self._header = header
        self.quote = _QuoteView(h.exact, self)
        layout.addWidget(self.quote)
        self.note = _TextBox("Add a note…", "note", self)
        self.note.set_tab_anchor(self.delete_button)
        layout.addWidget(self.note)
        # While the note is edited, how to finish it (it saves as typed), as on a comment.
        self.done_button = _tool_button(
            self, text="Done", name="Done editing",
            tip="Finish editing (Ctrl+Enter or Escape); the note is saved as you type")
        self.done_button.hide()
        self.done_button.clicked.connect(self.note.editor_done)
        layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.note.editing_changed.connect(self._on_editing_changed)
        self.tags_edit = _TagsEdit(self)
        self.tags_edit.setPlaceholderText("Tags, comma-separated")
        self.tags_edit.setAccessibleName("Tags")
        self.tags_edit.setToolTip("Tags, separated by commas (saved when you press Enter or leave)")
        layout.addWidget(self.tags_edit)
        # Left alone, a long tag list shows its start, not its end.
        self.tags_edit.editingFinished.connect(
            lambda: self.tags_edit.hasFocus() or self.tags_edit.setCursorPosition(0))
        self.meta = _small(QLabel(self))
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.meta)
        self.set_highlight(h, labels, dark)

    def set_highlight(self, h: Highlight, labels: dict[str, str], dark: bool,
                      *, keep_tags: bool = False) -> None:
        label = labels.get(h.color) or DEFAULT_LABELS.get(h.color, h.color)
        if not keep_tags:
            tags = ", ".join(h.tags)
            if self.tags_edit.text() != tags or self.tags_edit.isModified():
                self.tags_edit.setText(tags)
                self.tags_edit.setCursorPosition(0)
        quote_changed = self.quote.text() != _quote_text(h.exact)
        if h == self.highlight and (label, dark) == self._shown_as and not quote_changed:
            return  # nothing shown changed (a section refresh passes every highlight)
        self.highlight = h
        if quote_changed:  # Review's Attach / Accept rewrite the quoted text
            self.quote.set_text(h.exact)
        self._colour_label = f"{label[:1].upper()}{label[1:]}"
        self._show_colour_label()
        self.colour_button.setAccessibleName(f"Colour: {h.color} ({label}); change colour")
        self.show_status(h.status, self._header, 1)
        self.meta.setText(_meta_text(h.author, h.created))
        self.meta.setToolTip(_dates_tip(h.created, h.modified))
        self.setAccessibleDescription(f"{label}: {self.quote.text()[:200]}")
        self.set_dark(dark)
        self._shown_as = (label, dark)

    def _on_editing_changed(self, editing: bool) -> None:
        """While the note is being edited the card's own buttons step aside, as a
        comment's do: Delete goes (it would take the note being typed with it) and the
        colour can't be changed (its label, without the menu's ▾, still says the colour);
        Done shows how to finish."""
        self.done_button.setVisible(editing)
        self.delete_button.setVisible(not editing)
        self.colour_button.setEnabled(not editing)
        self._show_colour_label()
        _resized(self.note)

    def _show_colour_label(self) -> None:
        """The colour's label, with the sign of its menu while the button opens one."""
        menu = self.colour_button.isEnabled()
        self.colour_button.setText(f"{self._colour_label} ▾" if menu else self._colour_label)

    def set_dark(self, dark: bool) -> None:
        self._shown_as = (self._shown_as[0], dark) if self._shown_as else None
        self.colour_button.setIcon(_chip_icon(self.highlight.color, dark))
        bar = colour_for(self.highlight.color, dark)
        self.quote.colour = bar.lighter(150) if dark else bar.darker(125)
        self.quote.update()
        self.note._colour_error()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            if event.key() != Qt.Key.Key_F2:
                self.activated.emit()
            self.edit_key_pressed.emit()
            return
        if event.key() == Qt.Key.Key_Space:
            self.activated.emit()
            return
        if _is_delete(event):  # as the card's trash button
            self.delete_button.click()
            return
        super().keyPressEvent(event)


class _Composer(QWidget):
    """Writes a new comment or a reply; Ctrl+Enter posts."""

    posted = Signal(str)
    cancelled = Signal()

    def __init__(self, placeholder: str, *, reply: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = _Editor(self, min_lines=2, max_lines=10)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName("Reply" if reply else "New comment")
        self.edit.submit_pressed.connect(self.post)
        self.post_button = QPushButton("Post reply" if reply else "Comment", self)
        self.post_button.setToolTip("Post (Ctrl+Enter)")
        self.post_button.setAccessibleName("Post reply" if reply else "Post comment")
        self.post_button.setEnabled(False)
        self.post_button.clicked.connect(self.post)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setAccessibleName("Posting error")
        self.error.hide()
        self.edit.textChanged.connect(self._on_changed)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.error, 1)
        self.cancel_button: QPushButton | None = None
        if reply:
            self.cancel_button = QPushButton("Cancel", self)
            self.cancel_button.setAccessibleName("Cancel reply")
            self.cancel_button.setToolTip("Discard this reply (Esc)")
            self.cancel_button.clicked.connect(self.cancelled)
            self.edit.escape_pressed.connect(self.cancelled)
            buttons.addWidget(self.cancel_button)
        else:
            buttons.addStretch(0)
        buttons.addWidget(self.post_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addLayout(buttons)

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)

    def set_error(self, message: str | None) -> None:
        self.error.setVisible(bool(message))
        self.error.setText(message or "")
        _colour_as_error(self.error)
        _resized(self.error)

    def post(self) -> None:
        body = self.text().strip()
        if body:
            self.edit.clear()
            self.set_error(None)
            self.posted.emit(body)

    def _on_changed(self) -> None:
        self.post_button.setEnabled(bool(self.text().strip()))

    def focus_widgets(self) -> list[QWidget]:
        extra = [self.cancel_button] if self.cancel_button is not None else []
        return [self.edit, *extra, self.post_button]


class CommentCard(_Card):
    """One comment of the section's thread, with its Reply / Edit / Delete buttons (Enter,
    F2 and Delete on the card)."""

    def __init__(self, c: Comment | None, comment_id: str, depth: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comment = c
        self.comment_id = comment_id
        self.depth = depth
        self.setAccessibleName("Reply" if depth else "Comment")
        self.reply_composer: _Composer | None = None
        # Replies are indented by drawing the card narrower, not by wrapping it.
        self.indent = min(depth, MAX_INDENT) * INDENT_PX
        self._layout = _CardLayout(self)
        self._layout.setContentsMargins(10 + self.indent, 8, 10, 6)
        self._layout.setSpacing(4)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        self.meta = _small(QLabel(self))
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.badge: _Badge | None = None
        header.addWidget(self.meta, 1)
        self._layout.addLayout(header)
        self._header = header
        self.body = _TextBox("(empty comment)", "comment", self)
        self._layout.addWidget(self.body)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        self.reply_button = _tool_button(self, text="Reply", name="Reply",
                                         tip="Reply to this comment (Enter on the card)")
        self.edit_button = _tool_button(self, text="Edit", name="Edit comment",
                                        tip="Edit this comment (F2)")
        self.delete_button = _tool_button(self, text="Delete", name="Delete comment",
                                          tip="Delete this comment (Delete on the card)")
        # While the comment is edited, in their place: how to finish (it saves as typed).
        self.done_button = _tool_button(
            self, text="Done", name="Done editing",
            tip="Finish editing (Ctrl+Enter or Escape); the text is saved as you type")
        self.done_button.hide()
        self.done_button.clicked.connect(self.body.editor_done)
        for button in (self.reply_button, self.edit_button, self.delete_button,
                       self.done_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self._layout.addLayout(buttons)
        self.body.set_tab_anchor(self)
        self.body.editing_changed.connect(self._on_editing_changed)
        if c is None:  # a deleted comment that still has replies
            self.meta.setText("Deleted comment")
            self.body.label.setText("This comment was deleted.")
            self.body.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.body.label.setCursor(Qt.CursorShape.ArrowCursor)
            self.edit_button.hide()
            self.delete_button.hide()
        else:
            self.set_comment(c)

    def set_comment(self, c: Comment) -> None:
        self.comment = c
        self.meta.setText(_meta_text(c.author, c.created))
        self.meta.setToolTip(_dates_tip(c.created, c.modified))
        self.show_status(c.status, self._header, 1)
        author = c.author.strip() or "unknown author"
        self.setAccessibleDescription(f"{'Reply' if self.depth else 'Comment'} by {author}")

    def _on_editing_changed(self, editing: bool) -> None:
        """While the comment is being edited its Reply, Edit and Delete step aside (they
        would act on the text being typed); saving or leaving the editor brings them
        back; Done shows how to finish meanwhile. A deleted comment's Edit and Delete
        stay hidden."""
        self.done_button.setVisible(editing)
        self.reply_button.setVisible(not editing)
        if self.comment is not None:
            self.edit_button.setVisible(not editing)
            self.delete_button.setVisible(not editing)
        _resized(self.body)

    def card_rect(self) -> QRectF:
        return super().card_rect().adjusted(self.indent, 0, 0, 0)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.indent:
            painter = QPainter(self)
            colour = QColor(self.palette().color(QPalette.ColorRole.Mid))
            painter.fillRect(QRectF(self.indent - INDENT_PX / 2, 4, 2, self.height() - 8), colour)

    def open_reply(self) -> _Composer:
        if self.reply_composer is None:
            self.reply_composer = _Composer("Write a reply…", reply=True, parent=self)
            self._layout.addWidget(self.reply_composer)
            previous: QWidget = self.delete_button
            for widget in self.reply_composer.focus_widgets():
                QWidget.setTabOrder(previous, widget)
                previous = widget
        self.reply_composer.show()
        self.reply_composer.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return self.reply_composer

    def close_reply(self) -> None:
        if self.reply_composer is not None:
            self.reply_composer.hide()
            self.reply_composer.set_text("")
            self.reply_composer.set_error(None)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_F2 and self.comment is not None:
            self.body.edit_requested.emit()
            return
        if _is_delete(event) and self.comment is not None:  # as its Delete button
            self.delete_button.click()
            return
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)
                and self.reply_button.isVisibleTo(self)):  # as its Reply button
            self.reply_button.click()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        # A comment has nothing to jump to: a click only takes the focus.
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            event.accept()
            return
        super().mousePressEvent(event)
