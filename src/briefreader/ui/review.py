"""The Review view: notes whose text changed, is ambiguous or was not found.

Each row shows the stored quote beside the text found now, with a word diff, and
asks the user what to do. The view only shows what it is given and emits intents;
the window decides and tells the store.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import NamedTuple

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from briefreader.records import Highlight
from briefreader.ui.item_views import empty_state_label
from briefreader.ui.theme import palette_is_dark
from briefreader.worddiff import diff_html, similarity

#: Status → (badge text, (background, text colour) on a light window, the same on a
#: dark one: a deep tint with light text there, as the word marks). The word says the
#: status too, not the colour alone.
STATUS_BADGES: dict[str, tuple[str, tuple[str, str], tuple[str, str]]] = {
    "changed": ("Changed", ("#fbe3b0", "#5a3b00"), ("#5a4310", "#fbe3b0")),
    "ambiguous": ("Ambiguous", ("#dcdcfb", "#25296e"), ("#34386e", "#dcdcfb")),
    "orphaned": ("Orphaned", ("#f9d0cc", "#6b1109"), ("#6b2620", "#f9d0cc")),
    "moved": ("Moved", ("#d3e8f6", "#0f3a5a"), ("#1d4566", "#d3e8f6")),
    "anchored": ("Anchored", ("#c9f0d2", "#0f4a1e"), ("#1f5230", "#c9f0d2")),
}

#: Below this width the stored quote and the text found now are stacked.
SIDE_BY_SIDE_MIN_WIDTH = 560
#: Below this width the four buttons take two lines.
BUTTONS_ONE_LINE_MIN_WIDTH = 420
NOTE_EXCERPT_CHARS = 240
#: Rows built at a time; more on request.
PAGE_SIZE = 25
NAME_EXCERPT_CHARS = 60
#: Characters of a possible place's surroundings shown on each side.
PLACE_CONTEXT_CHARS = 40


class Place(NamedTuple):
    """A place an ambiguous note might belong: its section, its text, and the text
    around it (so that places with the same words can be told apart)."""

    title: str
    text: str
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class ReviewItem:
    highlight: Highlight
    current_text: str | None
    """The text at the highlight's place now; None when no place was found."""
    section_title: str | None
    """Title of the section it is in now; None when no place was found."""
    candidates: tuple[Place | tuple[str, str], ...] = ()
    """(section title, text) of each place an ambiguous highlight might belong."""


def kept(item: ReviewItem) -> bool:
    """Found nowhere, and kept so by the user: listed, but not asking any more."""
    return item.highlight.status == "orphaned" and bool(item.highlight.reviewed)


def excerpt(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


class _Badge(QWidget):
    """The status as a coloured pill: painted, as a style sheet per row costs much more.
    Its colours follow the palette's lightness whenever it is painted."""

    def __init__(self, text: str, light: tuple[str, str], dark: tuple[str, str],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self._text = text
        self._light = (QColor(light[0]), QColor(light[1]))
        self._dark = (QColor(dark[0]), QColor(dark[1]))
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.setAccessibleName(text)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def colours(self) -> tuple[QColor, QColor]:
        """(background, text colour) as painted in the current palette."""
        return self._dark if palette_is_dark(self.palette()) else self._light

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._text) + 18, metrics.height() + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background, foreground = self.colours()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        radius = self.height() / 2
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        painter.setPen(foreground)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._text)
        painter.end()


class _ReviewRow(QFrame):
    """One note to review; paints its own frame so the theme's palette shows through."""

    def __init__(self, item: ReviewItem, view: ReviewView, width: int) -> None:
        super().__init__()
        self.item = item
        self.highlight_id = item.highlight.id
        self._view = view
        self._focus_within = False
        self._menu: QMenu | None = None
        self._room = width  # the width the view has for it (see fit)
        self.setObjectName("reviewRow")
        self.setAccessibleName(_row_name(item))
        h = item.highlight
        status = h.status if h.status in STATUS_BADGES else "changed"

        # Built again when the theme changes (the window sets the items anew), so the
        # word marks are made in the colours of the palette of the time.
        dark = palette_is_dark(self.palette())
        self.badge = _Badge(*STATUS_BADGES[status], self)
        self.section_label = QLabel(_section_line(item), self)
        self.section_label.setTextFormat(Qt.TextFormat.PlainText)
        self.section_label.setWordWrap(True)
        # A word longer than the room beside the badge (a section's name in quotes, in
        # the panel of a small window) is cut, rather than widening the row beyond the
        # view, under its scroll bar.
        self.section_label.setMinimumWidth(1)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.section_label, 1)

        # The stored quote and the text found now, each under a caption.
        self.old_caption = _caption("Stored quote", self)
        self.old_text = _text_label(self)
        self.new_caption = _caption("Found now", self)
        self.new_text = _text_label(self)
        if item.current_text is None:
            self.old_text.setText(html.escape(h.exact))
            if not item.candidates:
                found = "No matching text in the brief now."
            elif status == "ambiguous":
                found = "Several places match: choose one below."
            else:  # near matches, none close enough to be placed on unasked
                found = "Not placed: the nearest matches are below, to use if one is right."
            self.new_text.setText(f"<i>{found}</i>")
        else:
            old_html, new_html = diff_html(h.exact, item.current_text, dark=dark)
            self.old_text.setText(old_html)
            self.new_text.setText(new_html)
            if item.current_text != h.exact:
                share = round(similarity(h.exact, item.current_text) * 100)
                self.new_caption.setText(f"Found now · {share}% the same")
        self.old_text.setAccessibleName("Stored quote")
        self.new_text.setAccessibleName("Text found now")
        old_box, new_box = QVBoxLayout(), QVBoxLayout()
        for box, caption, label in ((old_box, self.old_caption, self.old_text),
                                    (new_box, self.new_caption, self.new_text)):
            box.setSpacing(2)
            box.addWidget(caption)
            box.addWidget(label)
            box.addStretch(1)
        # Laid out for the width it will have, so the first layout is the last one.
        wide = width >= SIDE_BY_SIDE_MIN_WIDTH
        self.compare = QBoxLayout(QBoxLayout.Direction.LeftToRight if wide
                                  else QBoxLayout.Direction.TopToBottom)
        self.compare.setSpacing(16 if wide else 8)
        self.compare.addLayout(old_box, 1)
        self.compare.addLayout(new_box, 1)

        self.note_label = QLabel(self)
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setWordWrap(True)
        self.note_label.setAccessibleName("Note")
        if h.note.strip():
            self.note_label.setText("Note: " + excerpt(h.note, NOTE_EXCERPT_CHARS))
            font = self.note_label.font()
            font.setItalic(True)
            self.note_label.setFont(font)
        else:
            self.note_label.hide()

        # Places an ambiguous note might belong, each with the text around it and a
        # button that shows it in the reader; choosing one settles the note.
        self.candidate_buttons: list[QPushButton] = []
        self.show_buttons: list[QPushButton] = []
        candidates = QGridLayout()
        candidates.setHorizontalSpacing(8)
        candidates.setColumnStretch(1, 1)
        if item.candidates:
            candidates.addWidget(_caption("Possible places", self), 0, 0, 1, 2)
        muted = _muted(self.palette())
        for n, candidate in enumerate(item.candidates):
            place = Place(*candidate)
            button = QPushButton(f"Use place {n + 1}", self)
            button.setAccessibleName(f"Use place {n + 1}, in {place.title}")
            button.setToolTip(f"Attach the note here, in “{place.title}”")
            button.clicked.connect(
                lambda _=False, i=n: view.candidate_chosen.emit(self.highlight_id, i)
            )
            show = QPushButton("Show", self)
            show.setAccessibleName(f"Show place {n + 1}")
            show.setToolTip("Select this place in the reader, to see what is around it")
            show.setAutoDefault(False)
            show.clicked.connect(lambda _=False, i=n: view.place_shown.emit(self.highlight_id, i))
            label = _text_label(self)
            _, new_html = diff_html(h.exact, place.text, dark=dark)
            label.setText(
                f"<b>{html.escape(place.title)}</b>: "
                f"<span style='color:{muted}'>{html.escape(_lead_in(place.before))}</span>"
                f"{new_html}"
                f"<span style='color:{muted}'>{html.escape(_lead_out(place.after))}</span>")
            label.setAccessibleName(f"Place {n + 1}")
            pair = QVBoxLayout()  # the buttons one above the other: the text keeps the width
            pair.setSpacing(2)
            pair.addWidget(button)
            pair.addWidget(show)
            pair.addStretch(1)
            candidates.addLayout(pair, n + 1, 0)
            candidates.addWidget(label, n + 1, 1)
            self.candidate_buttons.append(button)
            self.show_buttons.append(show)

        quote = excerpt(h.exact, NAME_EXCERPT_CHARS)
        self.accept_button = _action_button(
            "Accept", "Take the text found now as the note's place", quote, self)
        self.attach_button = _action_button(
            "Attach here", "Attach the note to the text selected in the reader", quote, self)
        self.orphan_button = _action_button(
            "Keep as orphan", "Keep the note without a place and stop asking", quote, self)
        self.go_button = _action_button(
            "Go to", "Show where this text is in the brief now", quote, self)
        no_place = status == "orphaned" or item.current_text is None
        self.accept_button.setEnabled(not no_place)
        if no_place:
            self.accept_button.setToolTip("Nothing was found to accept: attach it or keep it")
        if kept(item):
            self.orphan_button.setEnabled(False)
            self.orphan_button.setToolTip("Kept without a place: attach it to text when you"
                                          " find where it belongs")
        self.go_button.setEnabled(h.current_section is not None and not no_place)
        self.accept_button.clicked.connect(lambda: view.accept_requested.emit(self.highlight_id))
        self.attach_button.clicked.connect(
            lambda: view.attach_here_requested.emit(self.highlight_id))
        self.orphan_button.clicked.connect(
            lambda: view.keep_orphan_requested.emit(self.highlight_id))
        self.go_button.clicked.connect(lambda: view.go_to_requested.emit(self.highlight_id))
        # One row of buttons, or two when the view is too narrow for four, or a column.
        self.buttons = QGridLayout()
        self.buttons.setSpacing(6)
        self._buttons_per_line = 0
        self._lay_out_buttons(self._per_line(width))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(self.compare)
        layout.addWidget(self.note_label)
        layout.addLayout(candidates)
        layout.addLayout(self.buttons)

        for child in self.focusable():
            child.installEventFilter(self)

    def focusable(self) -> list[QPushButton]:
        """Buttons in Tab order."""
        places = [b for pair in zip(self.candidate_buttons, self.show_buttons, strict=True)
                  for b in pair]
        return [*places, self.accept_button, self.attach_button, self.orphan_button,
                self.go_button]

    def first_enabled_button(self) -> QPushButton | None:
        return next((b for b in self.focusable() if b.isEnabled()), None)

    def stacked(self) -> bool:
        return self.compare.direction() == QBoxLayout.Direction.TopToBottom

    def buttons_per_line(self) -> int:
        return self._buttons_per_line

    def _lay_out_buttons(self, per_line: int) -> None:
        if per_line == self._buttons_per_line:
            return
        self._buttons_per_line = per_line
        actions = (self.accept_button, self.attach_button, self.orphan_button, self.go_button)
        for button in actions:
            self.buttons.removeWidget(button)
        for n, button in enumerate(actions):
            self.buttons.addWidget(button, n // per_line, n % per_line)
        for column in range(5):
            self.buttons.setColumnStretch(column, 1 if column == per_line else 0)

    def _per_line(self, width: int) -> int:
        if width >= BUTTONS_ONE_LINE_MIN_WIDTH:
            return 4
        widest = max(b.sizeHint().width() for b in (self.accept_button, self.attach_button,
                                                     self.orphan_button, self.go_button))
        margins = self.contentsMargins().left() + self.contentsMargins().right()
        return 2 if width >= 2 * widest + self.buttons.spacing() + margins + 24 else 1

    def fit(self, room: int) -> None:
        """Lay the row out for ``room``, the width the view has for it: a row can be no
        narrower than its buttons need, so it is told, not measured, when the view
        is narrower than that."""
        self._room = room
        self._lay_out_buttons(self._per_line(room))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        width = min(event.size().width(), self._room)
        wide = width >= SIDE_BY_SIDE_MIN_WIDTH
        direction = (QBoxLayout.Direction.LeftToRight if wide
                     else QBoxLayout.Direction.TopToBottom)
        if self.compare.direction() != direction:
            self.compare.setDirection(direction)
            self.compare.setSpacing(16 if wide else 8)
        self._lay_out_buttons(self._per_line(width))
        super().resizeEvent(event)

    def menu(self) -> QMenu:
        """The row's context menu: its buttons' commands, enabled as they are."""
        if self._menu is not None:
            self._menu.deleteLater()  # the last one, closed by now
        menu = self._menu = QMenu(self)
        menu.setAccessibleName(f"{self.accessibleName()} menu")
        for n, (use, show) in enumerate(zip(self.candidate_buttons, self.show_buttons,
                                            strict=True)):
            for button, text in ((use, f"&Use Place {n + 1}"), (show, f"&Show Place {n + 1}")):
                menu.addAction(text, button.click).setEnabled(button.isEnabled())
        if self.candidate_buttons:
            menu.addSeparator()
        for button, text in ((self.accept_button, "&Accept"),
                             (self.attach_button, "Attach &Here"),
                             (self.orphan_button, "&Keep as Orphan"),
                             (self.go_button, "&Go To")):
            action = menu.addAction(text, button.click)
            action.setEnabled(button.isEnabled())
            action.setToolTip(button.toolTip())
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        # Right-click anywhere on the row; the Menu key or Shift+F10 on one of its
        # buttons (passed on here), at that button.
        self.menu().popup(event.globalPos())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            if event.type() == QEvent.Type.FocusIn and watched in self.focusable():
                self._view._last_focus = (self.highlight_id, self.focusable().index(watched))
            within = any(b.hasFocus() for b in self.focusable())
            if within != self._focus_within:
                self._focus_within = within
                self.update()
        return super().eventFilter(watched, event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        width = 2 if self._focus_within else 1
        role = QPalette.ColorRole.Highlight if self._focus_within else QPalette.ColorRole.Mid
        if not self._focus_within and palette_is_dark(palette):
            # Mid is nearly the window colour in dark palettes; Light stands out there.
            role = QPalette.ColorRole.Light
        painter.setPen(QPen(palette.color(role), width))
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        inset = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                                6, 6)
        painter.end()


class ReviewView(QWidget):
    """Lists notes to review; emits what the user asks for, by highlight id.

    Rows are built a page at a time: each is a dozen widgets, and a brief rewritten
    from top to bottom can leave hundreds of notes to review.
    """

    accept_requested = Signal(str)
    attach_here_requested = Signal(str)
    keep_orphan_requested = Signal(str)
    candidate_chosen = Signal(str, int)
    place_shown = Signal(str, int)  # highlight id, index of the possible place
    go_to_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewView")
        self.setAccessibleName("Notes to review")
        self._items: list[ReviewItem] = []
        self._rows: dict[str, _ReviewRow] = {}
        #: (highlight id, button index) of the button the keyboard was last on.
        self._last_focus: tuple[str, int] | None = None

        self.summary = QLabel(self)
        self.summary.setAccessibleName("Review summary")
        self.summary.setWordWrap(True)
        self.empty_label = empty_state_label("Nothing to review", "Nothing to review", self)

        self._list = QWidget()
        self._list.setObjectName("reviewList")
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(6, 6, 6, 6)
        self._list_layout.setSpacing(8)
        self.more_button = QPushButton(self._list)
        self.more_button.setAutoDefault(False)
        self.more_button.clicked.connect(self.show_more)
        self._list_layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._list_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self._list)
        self.scroll.viewport().installEventFilter(self)  # rows follow its width
        # Tab goes button to button; the area scrolls to follow the focus by itself.
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.summary.setContentsMargins(6, 2, 6, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.empty_label, 1)
        self._update_state()

    # -- what the window calls --------------------------------------------------------
    def set_items(self, items: list[ReviewItem]) -> None:
        """Show these items, in this order; keeps the keyboard focus on the same button."""
        focused_id, focused_index = self._focused_button()
        old_ids = self.highlight_ids()
        was_kept = {item.highlight.id for item in self._items if kept(item)}
        for row in self._rows.values():
            self._drop_row(row)
        self._rows = {}
        self._items = list(items)
        ids = self.highlight_ids()
        if (focused_id in ids and focused_id not in was_kept
                and kept(self._items[ids.index(focused_id)])):
            # Just kept as an orphan, so moved to the end: the next note to review has
            # the focus, as when a settled note leaves the list (the one before when it
            # was the last). With none left to review, the view itself: never a button
            # of the note just kept, where one more Space would give it a place.
            position = old_ids.index(focused_id)
            rest = [i for i, item in zip(ids, self._items, strict=True) if not kept(item)]
            later = [i for i in rest if i in old_ids and old_ids.index(i) > position]
            if not rest:
                self._build_rows(PAGE_SIZE)
                self.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            focused_id, focused_index = (later or rest)[0 if later else -1], 0
        wanted = PAGE_SIZE
        if focused_id in ids:
            # Rebuild at least down to the focused row, so the focus can stay on it.
            wanted = max(wanted, ids.index(focused_id) + 1)
        self._build_rows(wanted)
        if focused_id is None:
            return
        row = self._rows.get(focused_id)
        if row is None:
            self._focus(self._first_button())
            return
        buttons = row.focusable()
        target = buttons[focused_index] if focused_index < len(buttons) else None
        self._focus(target if target is not None and target.isEnabled()
                    else row.first_enabled_button())

    def remove_item(self, highlight_id: str) -> None:
        """Drop one item (it was settled); the focus moves on to the next row."""
        ids = self.highlight_ids()
        if highlight_id not in ids:
            return
        position = ids.index(highlight_id)
        del self._items[position]
        row = self._rows.pop(highlight_id, None)
        had_focus = row is not None and any(b.hasFocus() for b in row.focusable())
        if row is not None:
            self._drop_row(row)
        self._update_state()
        if had_focus:
            built = [i for i in self.highlight_ids() if i in self._rows]
            if built:
                next_id = built[min(position, len(built) - 1)]
                self._focus(self._rows[next_id].first_enabled_button())
            elif self.more_button.isVisible():
                self._focus(self.more_button)

    def count(self) -> int:
        """Items to review, shown or still behind "Show more"."""
        return len(self._items)

    def highlight_ids(self) -> list[str]:
        """Ids of every item, top to bottom."""
        return [item.highlight.id for item in self._items]

    def row(self, highlight_id: str) -> _ReviewRow | None:
        """The row of an item, once built."""
        return self._rows.get(highlight_id)

    def show_more(self) -> None:
        """Build the next page of rows; the focus goes to the first of them."""
        first_new = len(self._rows)
        had_focus = self.more_button.hasFocus()
        self._build_rows(first_new + PAGE_SIZE)
        if had_focus and first_new < len(self._items):
            self._focus(self._rows[self._items[first_new].highlight.id].first_enabled_button())

    def focus_first(self) -> None:
        """Put the keyboard focus on the first row's first button (the window calls this
        when it shows the view); on the view itself when there is nothing to review.
        When the keyboard left a row still listed (to select the text to attach its note
        to, say), it goes back to the button it was on there."""
        row_id, index = self._last_focus or (None, 0)
        row = self._rows.get(row_id) if row_id is not None else None
        if row is not None:
            buttons = row.focusable()
            back = buttons[index] if index < len(buttons) else None
            self._focus(back if back is not None and back.isEnabled()
                        else row.first_enabled_button())
            return
        button = self._first_button()
        if button is None:
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._focus(button)

    # -- inside -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and watched is self.scroll.viewport():
            room = self._room()
            for row in self._rows.values():
                row.fit(room)
        return super().eventFilter(watched, event)

    def _room(self) -> int:
        """The width a row has: the viewport's, less the list's margins."""
        margins = self._list_layout.contentsMargins()
        return self.scroll.viewport().width() - margins.left() - margins.right()

    def _build_rows(self, up_to: int) -> None:
        # Rows are built in order, so the ones built are always a prefix of the items.
        # The view's own width is known before it is first shown; the viewport's is not.
        width = self.width() - 20
        for item in self._items[len(self._rows):up_to]:
            row = _ReviewRow(item, self, width)
            self._rows[row.highlight_id] = row
            # Before the "Show more" button and the closing stretch.
            self._list_layout.insertWidget(self._list_layout.count() - 2, row)
        self._update_state()

    def _drop_row(self, row: _ReviewRow) -> None:
        self._list_layout.removeWidget(row)
        row.hide()
        row.deleteLater()

    def _update_state(self) -> None:
        n = len(self._items)
        self.scroll.setVisible(n > 0)
        self.summary.setVisible(n > 0)
        self.empty_label.setVisible(n == 0)
        n_kept = sum(map(kept, self._items))
        to_review = n - n_kept
        parts = [f"{to_review} {'note needs' if to_review == 1 else 'notes need'} review"
                 if to_review else "Nothing to review"]
        if n_kept:
            parts.append(f"{n_kept} {'note' if n_kept == 1 else 'notes'} kept without a place")
        self.summary.setText(" · ".join(parts))
        left = n - len(self._rows)
        self.more_button.setVisible(left > 0)
        self.more_button.setText(f"Show {min(left, PAGE_SIZE)} more ({left} not shown)")
        self.more_button.setAccessibleName(self.more_button.text())

    def _focused_button(self) -> tuple[str | None, int]:
        for highlight_id, row in self._rows.items():
            for i, button in enumerate(row.focusable()):
                if button.hasFocus():
                    return highlight_id, i
        return None, 0

    def _first_button(self) -> QPushButton | None:
        if not self._items:
            return None
        return self._rows[self._items[0].highlight.id].first_enabled_button()

    def _focus(self, button: QPushButton | None) -> None:
        if button is None:
            return
        button.setFocus(Qt.FocusReason.TabFocusReason)
        # The whole row when it fits (its badge and quote say what the button is for),
        # then the button in any case.
        row = button.parentWidget()
        while row is not None and not isinstance(row, _ReviewRow):
            row = row.parentWidget()
        self._show_focused(row, button)
        # Again once the view is laid out (it may have just been shown, at its size of
        # before).
        QTimer.singleShot(0, self, lambda: self._show_focused(row, button))

    def _show_focused(self, row: _ReviewRow | None, button: QPushButton) -> None:
        if not shiboken6.isValid(button) or not button.hasFocus():
            return
        if row is not None and shiboken6.isValid(row):
            self.scroll.ensureWidgetVisible(row, 0, 0)
        self.scroll.ensureWidgetVisible(button)


def _row_name(item: ReviewItem) -> str:
    badge = STATUS_BADGES.get(item.highlight.status, STATUS_BADGES["changed"])[0]
    return f"{badge} note: “{excerpt(item.highlight.exact, NAME_EXCERPT_CHARS)}”"


def _section_line(item: ReviewItem) -> str:
    was = item.highlight.section_heading or "the brief's opening"
    if kept(item):
        return f"Was in “{was}” · kept without a place"
    if item.section_title is None or item.current_text is None:
        return f"Was in “{was}”"
    if item.section_title != item.highlight.section_heading:
        return f"Was in “{was}”, now in “{item.section_title}”"
    return f"In “{was}”"


def _muted(palette: QPalette) -> str:
    """Text colour halfway to the background: for what is shown only around a place."""
    text, base = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
    return QColor((text.red() + base.red()) // 2, (text.green() + base.green()) // 2,
                  (text.blue() + base.blue()) // 2).name()


def _lead_in(before: str) -> str:
    """The end of the text before a place, from a word's start: "…the north wall "."""
    if len(before) <= PLACE_CONTEXT_CHARS:
        return before
    cut = before[-PLACE_CONTEXT_CHARS:]
    space = cut.find(" ")
    return "…" + (cut[space + 1:] if 0 <= space < len(cut) // 2 else cut)


def _lead_out(after: str) -> str:
    """The start of the text after a place, to a word's end."""
    if len(after) <= PLACE_CONTEXT_CHARS:
        return after
    cut = after[:PLACE_CONTEXT_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > len(cut) // 2 else cut) + "…"


def _caption(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


def _text_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    # Long unbroken words (links) wrap inside the row instead of widening the view.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(80)
    return label


def _action_button(text: str, tip: str, quote: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.setAccessibleName(text)
    button.setAccessibleDescription(f"{tip}: “{quote}”")
    button.setAutoDefault(False)
    return button
