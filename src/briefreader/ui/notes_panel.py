"""The notes panel: a section's highlights (as cards) and its comment thread.

The panel shows what the window gives it and emits intents; it never saves
anything itself. Notes and comments autosave: an edit is emitted ~0.5 s after
typing pauses (and every ~1.5 s while it goes on without a pause), at once when
the editor loses focus, and on ``flush()``. Until the
window confirms a save (``mark_saved`` or an updated item carrying the same text)
the typed text is a draft that survives ``set_section``; a failed save
(``mark_draft``) stays on screen with its reason and a Retry button.

Comments and replies not yet posted are drafts too: with the same timing (and when
their box loses focus, the section changes or on ``flush()``) the panel emits
``comment_draft_changed`` so the window can keep them on disk, and it asks the
loader given to ``set_comment_draft_loader`` for those of a section it shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from briefreader.records import DEFAULT_LABELS, Comment, Highlight
from briefreader.render import needs_markdown, plain_to_html
from briefreader.text_merge import merged
from briefreader.ui.highlights import COLOURS
from briefreader.ui.notes_cards import (
    CommentCard,
    HighlightCard,
    _Card,
    _chip_icon,
    _Composer,
    _small,
    _TextBox,
    note_html,
)

#: Autosave delay after the last keystroke.
SAVE_DELAY_MS = 500
#: Longest time typed text waits while the typing goes on without a pause.
SAVE_MAX_DELAY_MS = 500  # while typing never stops: lose at most half a second

_HINT_EMPTY = (
    "No highlights in this section yet.\n"
    "Select text and press Ctrl+1…Ctrl+5 to highlight it, then write a note here."
)
_HINT_NO_BRIEF = "Open a brief to see its notes."
_HINT_FILTERED = "No highlights match the filters."

_HTML_CACHE_SIZE = 2000
#: Cards are built in time slices so a long section never blocks input: a short
#: first slice inside set_section (what the user sees first), then longer ones from
#: the event loop (each turn of the loop costs a relayout and a repaint).
FIRST_SLICE_MS = 15
BUILD_SLICE_MS = 40
#: Pairs of widgets put in Tab order per turn of the event loop: each setTabOrder walks
#: the window's focus chain, and a section of 1,000 notes has some 4,000 pairs (half a
#: second in one turn).
TAB_ORDER_SLICE = 400


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class NotesFilter:
    """What the panel shows; None means "all"."""

    color: str | None = None
    tag: str | None = None
    author: str | None = None

    @property
    def active(self) -> bool:
        return self.color is not None or self.tag is not None or self.author is not None

    def matches_highlight(self, h: Highlight) -> bool:
        return (
            (self.color is None or h.color == self.color)
            and (self.tag is None or self.tag in h.tags)
            and (self.author is None or h.author == self.author)
        )

    def matches_comment(self, c: Comment) -> bool:
        return self.author is None or c.author == self.author


def parse_tags(text: str) -> tuple[str, ...]:
    """"a, b ,, a" → ("a", "b"): trimmed, no empties, first occurrence kept."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        tag = " ".join(part.split())
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


@dataclass(frozen=True)
class CommentDraftKey:
    """Where an unposted comment belongs: a brief (as the window keys it; None when
    the panel was not told), a section, and the comment replied to (None: a new one)."""

    brief: str | None
    section: str
    reply_to: str | None = None


#: Given a brief key and a section id: its drafts, {None: comment, comment id: reply}.
DraftLoader = Callable[[str, str], dict]

# --------------------------------------------------------------------------- filters


class _FilterCombo(QComboBox):
    """A filter that asks for the room to show its first ``whole`` choices whole
    ("Colours" and the colours' names; "Tags" but not every tag: a long one is cut
    short), yet can be squeezed to a few letters where there is no such room."""

    def __init__(self, parent: QWidget | None = None, *, whole: int | None = None) -> None:
        super().__init__(parent)
        self.whole = whole
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        count = self.count() if self.whole is None else min(self.whole, self.count())
        width = 0
        for index in range(count):
            text = metrics.horizontalAdvance(self.itemText(index))
            if not self.itemIcon(index).isNull():
                text += self.iconSize().width() + 4
            width = max(width, text)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        whole = self.style().sizeFromContents(
            QStyle.ContentsType.CT_ComboBox, option, QSize(width, metrics.height()), self)
        return QSize(whole.width(), hint.height())


class _FilterRow(QWidget):
    """The filters and their Clear button: side by side as long as the panel is wide
    enough for each to show its choices whole (and Clear, when it comes); else the
    colours on a line of their own (with Clear) above tags and authors, or each filter
    on a line of its own. Choosing a filter never moves the others."""

    def __init__(self, combos: list[QComboBox], clear: QToolButton,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combos = combos
        self.clear = clear
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(4)
        self._rows: list[QHBoxLayout] = []
        for _ in combos:
            row = QHBoxLayout()
            row.setSpacing(4)
            self._box.addLayout(row)
            self._rows.append(row)
        self._lines = 0
        self._lay_out(1)

    def lines(self) -> int:
        """On how many lines the filters are now."""
        return self._lines

    def _fitting(self, width: int) -> int:
        space = self._rows[0].spacing()
        colour, tag, author = (c.sizeHint().width() for c in self.combos)
        clear = self.clear.sizeHint().width() + space  # room kept for it, shown or not
        if colour + tag + author + 2 * space + clear <= width:
            return 1
        if colour + clear <= width and tag + space + author <= width:
            return 2
        return 3

    def _lay_out(self, lines: int) -> None:
        if lines == self._lines:
            return
        self._lines = lines
        colour, tag, author = self.combos
        for row in self._rows:
            for widget in (*self.combos, self.clear):
                row.removeWidget(widget)
        placed = {1: [[colour, tag, author, self.clear]],
                  2: [[colour, self.clear], [tag, author]],
                  3: [[colour, self.clear], [tag], [author]]}[lines]
        for row, widgets in zip(self._rows, placed, strict=False):
            for widget in widgets:
                row.addWidget(widget)  # each as wide as it asks, and a share of the rest
        self._box.activate()  # now, not a frame later

    def refit(self) -> None:
        """Lay the filters out again: their choices changed."""
        for combo in self.combos:
            combo.updateGeometry()
        self._lay_out(self._fitting(self.width()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._lay_out(self._fitting(event.size().width()))
        super().resizeEvent(event)


# --------------------------------------------------------------------------- the panel


@dataclass
class _Draft:
    """Text typed into a note or comment that the store may not hold yet."""

    kind: str  # "note" | "comment"
    text: str
    baseline: str  # what the store holds, as far as the panel was told
    sent: str | None = None  # last text emitted and not yet confirmed
    error: str | None = None
    #: The stored text this typing went on from (moved on only by a save of it): a save
    #: is over this, whatever the store was found to hold meanwhile (another window).
    over: str | None = None

    def __post_init__(self) -> None:
        if self.over is None:
            self.over = self.baseline


class NotesPanel(QWidget):
    """Highlights and comments of the current section. Emits intents; saves nothing."""

    note_edited = Signal(str, str)
    tags_edited = Signal(str, object)
    color_change_requested = Signal(str, str)
    delete_highlight_requested = Signal(str)
    highlight_activated = Signal(str)
    comment_added = Signal(str, object)
    comment_edited = Signal(str, str)
    delete_comment_requested = Signal(str)
    retry_requested = Signal(str)
    #: (CommentDraftKey, text): an unposted comment or reply changed; "" = none left.
    comment_draft_changed = Signal(object, str)
    #: (kind, key, text) on every keystroke, before any autosave: kind "note" or
    #: "comment" with the item id, or "draft" with a CommentDraftKey.
    text_typed = Signal(str, object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notes_panel")
        self.setAccessibleName("Notes")
        self._title: str | None = None
        # (brief key, section id or title) of the section shown; None when none is.
        self._section_key: tuple[str | None, str] | None = None
        self._no_brief_hint = _HINT_NO_BRIEF
        self._labels: dict[str, str] = dict(DEFAULT_LABELS)
        self._dark = False
        # The section's data is the truth; cards are a view of it, built progressively.
        self._highlights: dict[str, Highlight] = {}
        self._comments: dict[str, Comment] = {}
        self._build_queue: list[str] = []
        self._cards: dict[str, HighlightCard] = {}
        self._comment_cards: dict[str, CommentCard] = {}
        self._comment_children: dict[str, list[str]] = {}
        self._drafts: dict[str, _Draft] = {}
        self._pending: set[str] = set()
        self._detached_over: dict[str, str | None] = {}  # see _send_detached
        self._selected: str | None = None
        self._filter = NotesFilter()
        self._extra_tags: set[str] = set()
        self._extra_authors: set[str] = set()
        self._composer_drafts: dict[tuple[str | None, str], str] = {}
        self._reply_drafts: dict[str, str] = {}
        # Unposted comment and reply text changed and not yet emitted, by where it goes.
        self._composer_pending: dict[CommentDraftKey, str] = {}
        self._draft_loader: DraftLoader | None = None
        # The drafts kept on disk changed under the panel: the section shown reads its
        # own again when next updated (see reread_comment_drafts).
        self._reread_drafts = False
        self._is_live: Callable[[str], bool] | None = None
        self._html_cache: dict[str, str] = {}
        self._render_queue: list[str] = []
        self._rebuilding = False
        self._colour_menu: QMenu | None = None
        self._card_menu: QMenu | None = None  # the last card's context menu

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._pending_since = 0.0
        self._save_timer.timeout.connect(self._send_pending)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render_some)
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._build_some)
        self._tab_pairs: list[tuple[QWidget, QWidget]] = []
        self._tab_timer = QTimer(self)
        self._tab_timer.setSingleShot(True)
        self._tab_timer.setInterval(0)
        self._tab_timer.timeout.connect(self._set_some_tab_order)
        # Old cards are deleted a page per turn of the event loop, not all at once.
        self._graveyard: list[QWidget] = []
        self._reaper = QTimer(self)
        self._reaper.setInterval(0)
        self._reaper.timeout.connect(self._reap)

        self._build()
        self.set_section(None, [], [], labels=self._labels)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    # -- construction ------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)  # a long heading must not widen the panel
        self.title_label.setAccessibleName("Section")
        bold = QFont(self.title_label.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.summary_label = _small(QLabel(self))
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.colour_filter = _FilterCombo(self)  # every colour's name read whole
        self.colour_filter.setAccessibleName("Filter by colour")
        self.colour_filter.setToolTip("Show only highlights of one colour")
        self.tag_filter = _FilterCombo(self, whole=1)
        self.tag_filter.setAccessibleName("Filter by tag")
        self.tag_filter.setToolTip("Show only highlights with this tag")
        self.author_filter = _FilterCombo(self, whole=1)
        self.author_filter.setAccessibleName("Filter by author")
        self.author_filter.setToolTip("Show only notes and comments by this author")
        # They never set the panel's least width, so that the text keeps the room in a
        # small window: where three side by side would cut their words short they go
        # two to a line (see _FilterRow); only a long tag or name may be cut short.
        for combo in (self.colour_filter, self.tag_filter, self.author_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.clear_filters_button = QToolButton(self)
        self.clear_filters_button.setText("Clear")
        self.clear_filters_button.setAutoRaise(True)
        self.clear_filters_button.setAccessibleName("Clear filters")
        self.clear_filters_button.setToolTip("Show every highlight and comment")
        self.clear_filters_button.clicked.connect(lambda: self.set_filters(NotesFilter()))

        self.filter_row = _FilterRow(
            [self.colour_filter, self.tag_filter, self.author_filter],
            self.clear_filters_button, self)

        self.content = QWidget()
        self.content.setObjectName("notes_content")
        self.content.setBackgroundRole(QPalette.ColorRole.Window)
        content_layout = QVBoxLayout(self.content)
        content_layout.setContentsMargins(6, 6, 6, 8)
        content_layout.setSpacing(8)
        self.hint = QLabel(self.content)
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint.setContentsMargins(8, 12, 8, 12)
        self.hint.setAccessibleName("Hint")
        self.cards_box = QWidget(self.content)
        self.cards_layout = QVBoxLayout(self.cards_box)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.cards_layout.setSpacing(8)
        self.comments_heading = QLabel("Comments on this section", self.content)
        heading_font = QFont(self.comments_heading.font())
        heading_font.setBold(True)
        self.comments_heading.setFont(heading_font)
        self.comments_heading.setContentsMargins(2, 8, 0, 0)
        self.comments_box = QWidget(self.content)
        self.comments_layout = QVBoxLayout(self.comments_box)
        self.comments_layout.setContentsMargins(0, 0, 0, 0)
        self.comments_layout.setSpacing(6)
        self.composer = _Composer("Add a comment… (Ctrl+Enter posts)", reply=False,
                                  parent=self.content)
        self.composer.posted.connect(self._on_comment_posted)
        self.composer.edit.textChanged.connect(lambda: self._on_composer_changed(None))
        content_layout.addWidget(self.hint)
        content_layout.addWidget(self.cards_box)
        content_layout.addWidget(self.comments_heading)
        content_layout.addWidget(self.comments_box)
        content_layout.addWidget(self.composer)
        content_layout.addStretch(1)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setBackgroundRole(QPalette.ColorRole.Window)
        self.scroll.setWidget(self.content)
        self.scroll.setAccessibleName("Highlights and comments")
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.filter_row)
        layout.addWidget(self.scroll, 1)

    # -- content -----------------------------------------------------------------------
    def set_no_brief_hint(self, text: str | None) -> None:
        """What the panel says while it shows no brief's notes: ``text`` (e.g. that they
        are being prepared), or None for the usual "Open a brief"."""
        self._no_brief_hint = text or _HINT_NO_BRIEF
        if self._title is None:
            self._apply_filters()

    def set_section(self, title: str | None, highlights: list[Highlight],
                    comments: list[Comment], *, labels: dict[str, str], dark: bool = False,
                    section_id: str | None = None, brief_key: str | None = None) -> None:
        """Show a section's highlights (in the order given) and comment thread.

        Text the user typed and the store has not confirmed is kept for items still
        present. ``brief_key`` and ``section_id`` (else the title) key the unposted
        comment and reply drafts, so they wait for the user's return to their section
        (after a restart too, through the draft loader).
        """
        self._flush_tags()  # before anything changes, in case a slot calls back
        name = section_id if section_id is not None else title
        key = (brief_key, name) if name is not None else None
        if key == self._section_key and title is not None:
            # The same section again (after a save, a new or deleted note, an undo):
            # update it in place, so the editor being typed in (its cursor, undo
            # history, input method) is never replaced and most cards are kept.
            self._update_section(title, highlights, comments, labels=labels, dark=dark)
            return
        self._send_composer_drafts()  # those of the section left, before it goes
        if self._section_key is not None and self.composer.text().strip():
            # Only real text: an empty box must not hide the draft kept on disk.
            self._composer_drafts[self._section_key] = self.composer.text()
        self._remember_reply_drafts()
        self._reread_drafts = False  # read now
        stored = self._load_drafts(key)
        for cid, text in stored.items():
            if cid is not None:
                self._reply_drafts.setdefault(cid, text)
        self._rebuilding = True
        self.content.setUpdatesEnabled(False)
        # Showing a card inside a visible box relays out the whole box: build hidden.
        self.cards_box.hide()
        self.comments_box.hide()
        try:
            self._clear()
            self._title = title
            self._section_key = key
            self._labels = {**DEFAULT_LABELS, **labels}
            self._dark = dark
            self._highlights = {h.id: h for h in highlights if h.deleted_at is None}
            self._comments = {c.id: c for c in comments}
            self._build_thread(comments)
            self.composer.set_text(self._composer_drafts.pop(key, stored.get(None, ""))
                                   if key is not None else "")
            self.composer.set_error(None)
            self._recover_lost_replies({
                cid: self._reply_drafts.pop(cid, text) for cid, text in stored.items()
                if cid is not None and cid not in self._comment_cards})
            self.composer.setEnabled(title is not None)
            self.comments_heading.setVisible(title is not None)
            self.title_label.setText(title or "")
            self.title_label.setVisible(bool(title))
            if self._selected not in self._highlights:
                self._selected = None
            self._rebuild_filter_choices()
            self._apply_filters()
            self._build_queue = list(self._highlights)
            self._build_some(FIRST_SLICE_MS)
        finally:
            self.comments_box.setVisible(bool(self._comment_cards))
            self.content.setUpdatesEnabled(True)
            self._rebuilding = False
        self.scroll.verticalScrollBar().setValue(0)  # another section: from its top
        if self._render_queue:
            self._render_timer.start()

    def _card_width(self) -> int:
        margins = self.content.layout().contentsMargins()
        return max(160, self.scroll.viewport().width() - margins.left() - margins.right())

    def _reap(self) -> None:
        if self._graveyard:
            widget = self._graveyard.pop()
            widget.setParent(None)
            widget.deleteLater()
        if not self._graveyard:
            self._reaper.stop()

    # -- updating the shown section in place ------------------------------------------
    def _update_section(self, title: str, highlights: list[Highlight], comments: list[Comment],
                        *, labels: dict[str, str], dark: bool) -> None:
        """The shown section's notes changed (the full new lists are given): keep the
        card of every item still there, updated in place; make cards only for new
        items, drop the gone ones' and put them all in the new order. Drafts, the
        editor being typed in, filters, selection and scroll position stay as they are."""
        self._title = title
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))
        self._labels = {**DEFAULT_LABELS, **labels}
        if dark != self._dark:
            self.set_dark(dark)
        # The window's focus widget: kept while another window is active, too.
        focused = self.window().focusWidget()
        if focused is not None and not self.isAncestorOf(focused):
            focused = None
        cursor = focused.textCursor() if isinstance(focused, QPlainTextEdit) else None
        scroll_value = self.scroll.verticalScrollBar().value()
        self._rebuilding = True
        try:
            changed = self._update_cards(highlights)
            changed = self._update_thread(comments) or changed
            if self._reread_drafts:
                self._reread_drafts = False
                changed = self._take_kept_drafts() or changed
        finally:
            self._rebuilding = False
        if self._selected not in self._highlights:
            self._selected = None
        self._rebuild_filter_choices()
        self._apply_filters()
        self.comments_box.setVisible(bool(self._comment_cards))
        if self._build_queue:
            self._rebuilding = True
            try:
                self._build_some(FIRST_SLICE_MS)  # fixes the tab order once all are built
            finally:
                self._rebuilding = False
        elif changed:
            self._build_timer.stop()
            self._fix_tab_order()
        # A card that had to move to another page, or a reply composer reopened, may
        # have taken the focus away: give it back, with the cursor where it was.
        if (focused is not None and self.window().focusWidget() is not focused
                and self.isAncestorOf(focused) and focused.isVisible()):
            focused.setFocus(Qt.FocusReason.OtherFocusReason)
            if cursor is not None and isinstance(focused, QPlainTextEdit):
                focused.setTextCursor(cursor)
        bar = self.scroll.verticalScrollBar()
        if bar.value() != scroll_value:
            bar.setValue(scroll_value)
        if self._render_queue:
            self._render_timer.start()

    def _update_cards(self, highlights: list[Highlight]) -> bool:
        """Highlight cards for the new list; whether any card was made, dropped or moved."""
        new = {h.id: h for h in highlights if h.deleted_at is None}
        changed = False
        for hid in [hid for hid in self._highlights if hid not in new]:
            changed = self._drop_highlight(hid) or changed
        for hid, h in new.items():
            if hid in self._highlights:
                self._apply_highlight(h)  # also confirms or keeps its draft
        self._highlights = new
        order = list(new)
        built = [hid for hid in order if hid in self._cards]
        if not built:  # nothing was built yet: build from the start, as for a new section
            self._build_queue = order
            self._drop_empty_pages()
            return True
        # Built cards stay a prefix of the order: those up to the last one built are
        # made now (usually just the new one), the rest wait in the queue.
        last = order.index(built[-1])
        target, self._build_queue = order[: last + 1], order[last + 1 :]
        # Cards already in the right order relative to each other stay where they are
        # (the longest such run); the others move next to their predecessor.
        rank = {hid: i for i, hid in enumerate(self._cards)}
        stable = {built[i] for i in _increasing_run([rank[hid] for hid in built])}
        cards: dict[str, HighlightCard] = {}
        prev: HighlightCard | None = None
        for hid in target:
            card = self._cards.get(hid)
            if card is None or hid not in stable:
                changed = True
                old_page = None
                if card is not None:  # out of order: take it out of its page first
                    old_page = card.parentWidget()
                    old_page.layout().removeWidget(card)
                if prev is not None:
                    page = prev.parentWidget()
                else:  # the first of all: at the top of the topmost page with cards
                    page = self._top_page() or old_page
                    assert page is not None  # some card was built, or this one was
                layout = page.layout()
                index = layout.indexOf(prev) + 1 if prev is not None else 0
                if card is None:
                    card = self._add_highlight_card(self._highlights[hid], page, layout, index)
                else:
                    layout.insertWidget(index, card)  # to another page: hidden by Qt
                    card.setVisible(self._filter.matches_highlight(card.highlight))
            cards[hid] = card
            prev = card
        self._cards = cards
        self._drop_empty_pages()
        return changed

    def _top_page(self) -> QWidget | None:
        for index in range(self.cards_layout.count()):
            page = self.cards_layout.itemAt(index).widget()
            if page is not None and page.layout() is not None and page.layout().count():
                return page
        return None

    def _discard(self, card: QWidget) -> None:
        card.hide()
        card.setParent(None)
        card.deleteLater()

    def _drop_empty_pages(self) -> None:
        for index in reversed(range(self.cards_layout.count())):
            page = self.cards_layout.itemAt(index).widget()
            if page is not None and page.layout() is not None and page.layout().count() == 0:
                self.cards_layout.takeAt(index)
                self._discard(page)

    def _update_thread(self, comments: list[Comment]) -> bool:
        """The comment thread for the new list, keeping the cards of comments still
        shown at the same depth; whether any card was made, dropped or moved."""
        self._comments = {c.id: c for c in comments}
        plan, self._comment_children = self._thread(comments)
        wanted = {cid: (c, depth) for c, cid, depth in plan}
        changed = False
        editing: tuple[str, int, bool] | None = None
        lost: dict[str, str] = {}
        for cid, card in list(self._comment_cards.items()):
            c, depth = wanted.get(cid, (None, -1))
            if depth == card.depth and (c is None) == (card.comment is None):
                continue
            # Gone (its reply, if begun, is lost), or now drawn differently (deleted, or
            # moved in the thread: the new card takes the reply up again).
            composer = card.reply_composer
            if composer is not None and composer.isVisibleTo(card) and composer.text().strip():
                # A comment moved to another section (a reissued brief) takes its reply
                # along: shown with it there, and kept on disk meanwhile.
                moved = cid not in wanted and self._comment_elsewhere(cid)
                (lost if cid not in wanted and not moved else self._reply_drafts)[cid] = (
                    composer.text())
                if moved and self._section_key is not None:
                    brief, section = self._section_key
                    self.comment_draft_changed.emit(CommentDraftKey(brief, section, cid),
                                                    composer.text())
            if c is not None and card.body.editing() and card.body.editor is not None:
                editor = card.body.editor
                editing = (cid, editor.textCursor().position(), editor.hasFocus())
            del self._comment_cards[cid]
            self._discard(card)
            changed = True
        for c, cid, depth in plan:
            if cid not in self._comment_cards:
                self._add_comment_card(c, cid, depth)
                changed = True
            elif c is not None:
                self._apply_comment(c)
        self._comment_cards = {cid: self._comment_cards[cid] for _, cid, _ in plan}
        for index, card in enumerate(self._comment_cards.values()):
            if self.comments_layout.indexOf(card) != index:
                self.comments_layout.removeWidget(card)
                self.comments_layout.insertWidget(index, card)
                changed = True
        if editing is not None:
            self._restore_editor(*editing)
        self._recover_lost_replies(lost)
        return changed

    def _new_page(self) -> tuple[QWidget, QVBoxLayout]:
        """A page of cards: filled while hidden and shown once, so a slice of cards
        costs one relayout of the list instead of one per card."""
        page = QWidget(self.cards_box)
        page.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        return page, layout

    def _build_cards(self, ids: list[str]) -> None:
        if not ids:
            return
        page, layout = self._new_page()
        for hid in ids:
            self._add_highlight_card(self._highlights[hid], page, layout)
        self.cards_layout.addWidget(page)
        page.show()

    def _build_some(self, budget_ms: int = BUILD_SLICE_MS) -> None:
        """Build queued cards for one time slice; the rest wait for the event loop."""
        started = time.monotonic()
        ids: list[str] = []
        while self._build_queue and (
            not ids or (time.monotonic() - started) * 1000 < budget_ms
        ):
            ids.append(self._build_queue.pop(0))
            # built one by one so the time check sees each card's cost
            if len(ids) == 1:
                page, layout = self._new_page()
            self._add_highlight_card(self._highlights[ids[-1]], page, layout)
        if ids:
            self.cards_layout.addWidget(page)
            page.show()
        if self._build_queue:
            self._build_timer.start()
        else:
            self._build_timer.stop()
            self._fix_tab_order()

    def _ensure_card(self, hid: str) -> HighlightCard | None:
        """The card of a highlight, built now (with those before it) if still queued."""
        if hid not in self._cards and hid in self._build_queue:
            upto = self._build_queue.index(hid) + 1
            batch, self._build_queue = self._build_queue[:upto], self._build_queue[upto:]
            self._build_cards(batch)
            if not self._build_queue:
                self._build_timer.stop()
                self._fix_tab_order()
        return self._cards.get(hid)

    def building(self) -> bool:
        """Whether some cards of the section are still waiting to be built."""
        return bool(self._build_queue)

    def build_all(self) -> None:
        """Build every queued card now (tests, screenshots, before printing)."""
        self._build_timer.stop()
        batch, self._build_queue = self._build_queue, []
        self._build_cards(batch)
        self._fix_tab_order()

    def _clear(self) -> None:
        self._build_timer.stop()
        self._build_queue = []
        for box in (self.cards_layout, self.comments_layout):
            while box.count():
                item = box.takeAt(0)
                widget = item.widget()
                if widget is not None:
                    widget.hide()
                    self._graveyard.append(widget)
        if self._graveyard:
            self._reaper.start()
        self._cards.clear()
        self._comment_cards.clear()
        self._comment_children.clear()
        self._render_queue.clear()

    def _add_highlight_card(self, h: Highlight, page: QWidget, layout: QVBoxLayout,
                            index: int = -1) -> HighlightCard:
        card = HighlightCard(h, self._labels, self._dark, page)
        card.width_hint = self._card_width()
        hid = h.id
        card.activated.connect(lambda: self._on_card_activated(hid))
        card.edit_key_pressed.connect(lambda: self.begin_edit(hid))
        card.note.edit_requested.connect(lambda: self._on_note_clicked(hid))
        card.note.text_changed.connect(lambda text: self._on_text_changed(hid, "note", text))
        card.note.editor_left.connect(lambda reason: self._on_editor_left(hid, reason))
        card.note.editor_done.connect(lambda: self._finish_edit(hid))
        card.note.retry_clicked.connect(lambda: self.retry_requested.emit(hid))
        card.colour_button.clicked.connect(lambda: self._on_colour_clicked(hid))
        card.delete_button.clicked.connect(lambda: self._on_delete_clicked(hid))
        card.tags_edit.editingFinished.connect(lambda: self._on_tags_finished(hid))
        self._give_menu(card, hid)
        self._cards[hid] = card
        layout.insertWidget(index, card)
        self._show_text(hid, self._incoming(hid, "note", h.note))
        if hid == self._selected:
            card.set_selected(True)
        card.setVisible(self._filter.matches_highlight(h))
        return card

    def _build_thread(self, comments: list[Comment]) -> None:
        plan, self._comment_children = self._thread(comments)
        for c, cid, depth in plan:
            self._add_comment_card(c, cid, depth)

    @staticmethod
    def _thread(comments: list[Comment]) -> tuple[list[tuple[Comment | None, str, int]],
                                                   dict[str, list[str]]]:
        """The comment cards to show, in order, as (comment or None if deleted, id,
        depth), and each card's replies. A deleted comment is kept for its replies."""
        by_id = {c.id: c for c in comments}
        kids: dict[str | None, list[Comment]] = {}
        for c in comments:
            parent = c.reply_to if c.reply_to in by_id and c.reply_to != c.id else None
            kids.setdefault(parent, []).append(c)
        for group in kids.values():
            group.sort(key=lambda c: c.created)

        keep: dict[str, bool] = {}

        def kept(c: Comment, seen: frozenset[str]) -> bool:
            if c.id not in keep:
                keep[c.id] = c.deleted_at is None or any(
                    kept(k, seen | {c.id}) for k in kids.get(c.id, []) if k.id not in seen
                )
            return keep[c.id]

        plan: list[tuple[Comment | None, str, int]] = []
        children: dict[str, list[str]] = {}

        def add(c: Comment, depth: int, seen: frozenset[str]) -> None:
            if not kept(c, seen):
                return
            plan.append((c if c.deleted_at is None else None, c.id, depth))
            replies = children.setdefault(c.id, [])
            for k in kids.get(c.id, []):
                if k.id not in seen and kept(k, seen | {c.id}):
                    replies.append(k.id)
                    add(k, depth + 1, seen | {c.id})

        for c in kids.get(None, []):
            add(c, 0, frozenset())
        return plan, children

    def _add_comment_card(self, c: Comment | None, cid: str, depth: int) -> CommentCard:
        card = CommentCard(c, cid, depth, self.comments_box)
        card.width_hint = self._card_width()
        self._comment_cards[cid] = card
        self._give_menu(card, cid)
        self.comments_layout.addWidget(card)
        card.reply_button.clicked.connect(lambda: self._open_reply(cid))
        if c is not None:
            card.body.edit_requested.connect(lambda: self.begin_edit(cid))
            card.edit_button.clicked.connect(lambda: self.begin_edit(cid))
            card.delete_button.clicked.connect(lambda: self.delete_comment_requested.emit(cid))
            card.body.text_changed.connect(lambda text: self._on_text_changed(cid, "comment", text))
            card.body.editor_left.connect(lambda reason: self._on_editor_left(cid, reason))
            card.body.editor_done.connect(lambda: self._finish_edit(cid))
            card.body.retry_clicked.connect(lambda: self.retry_requested.emit(cid))
            self._show_text(cid, self._incoming(cid, "comment", c.body))
        if cid in self._reply_drafts:
            self._open_reply(cid, focus=False).set_text(self._reply_drafts.pop(cid))
        return card

    # -- text, drafts and autosave -------------------------------------------------------
    def _box(self, item_id: str) -> _TextBox | None:
        if item_id in self._highlights:
            card = self._ensure_card(item_id)
            return card.note if card is not None else None
        card = self._comment_cards.get(item_id)
        return card.body if card is not None and card.comment is not None else None

    def _stored_text(self, item_id: str) -> str:
        if item_id in self._highlights:
            return self._highlights[item_id].note
        c = self._comments.get(item_id)
        return c.body if c is not None else ""

    def _incoming(self, item_id: str, kind: str, stored: str) -> str:
        """The store says the item holds ``stored``: the text to show (a draft wins)."""
        draft = self._drafts.get(item_id)
        if draft is None:
            return stored
        if draft.sent is not None and stored == draft.sent:
            draft.sent = None
            draft.error = None
        draft.baseline = stored
        if stored == draft.text and item_id not in self._pending:
            del self._drafts[item_id]
            return stored
        return draft.text

    def _show_text(self, item_id: str, text: str) -> None:
        box = self._box(item_id)
        if box is None:
            return
        if not needs_markdown(text):
            rendered: str | None = plain_to_html(text)
        else:
            rendered = self._html_cache.get(text)
            if rendered is None:
                # Markdown takes milliseconds a note: cards show escaped text first and
                # are rendered from the event loop, so a big section still opens at once.
                self._render_queue.append(item_id)
                self._render_timer.start()
        box.set_text(text, rendered)
        draft = self._drafts.get(item_id)
        box.set_error(self._error_message(draft.error) if draft and draft.error else None)

    def _render_some(self) -> None:
        started = time.monotonic()
        while self._render_queue and time.monotonic() - started < BUILD_SLICE_MS / 1000:
            item_id = self._render_queue.pop(0)
            box = self._box(item_id)
            if box is None or box.html_ready:
                continue
            text = box.text
            rendered = self._html_cache.get(text)
            if rendered is None:
                rendered = note_html(text)
                if len(self._html_cache) >= _HTML_CACHE_SIZE:
                    self._html_cache.clear()
                self._html_cache[text] = rendered
            box.set_text(text, rendered)
        if self._render_queue:
            self._render_timer.start()

    def render_pending(self) -> None:
        """Render every note still shown as escaped text now (tests, screenshots)."""
        while self._render_queue:
            self._render_some()

    def _on_text_changed(self, item_id: str, kind: str, text: str) -> None:
        if self._rebuilding:
            return
        draft = self._drafts.get(item_id)
        if draft is None:
            draft = self._drafts[item_id] = _Draft(kind, text, self._stored_text(item_id))
        draft.text = text
        self.text_typed.emit(kind, item_id, text)
        now = time.monotonic()
        if not self._pending and not self._composer_pending:
            self._pending_since = now
        self._pending.add(item_id)
        self._restart_save_timer(now)

    def _send(self, item_id: str) -> None:
        self._pending.discard(item_id)
        draft = self._drafts.get(item_id)
        if draft is None:
            return
        last = draft.sent if draft.sent is not None else draft.baseline
        if draft.text == last:
            if draft.sent is None:  # back to what the store holds: nothing to save
                del self._drafts[item_id]
                box = self._box(item_id)
                if box is not None:
                    box.set_error(None)
            return
        draft.sent = draft.text
        signal = self.note_edited if draft.kind == "note" else self.comment_edited
        signal.emit(item_id, draft.text)

    def _send_pending(self) -> None:
        for item_id in sorted(self._pending):
            self._send(item_id)
        self._send_composer_drafts()

    def _restart_save_timer(self, now: float) -> None:
        waited_ms = (now - self._pending_since) * 1000
        self._save_timer.start(int(max(0, min(SAVE_DELAY_MS, SAVE_MAX_DELAY_MS - waited_ms))))

    def flush(self) -> None:
        """Emit every pending edit now (section switch, close)."""
        self._save_timer.stop()
        self._send_pending()
        self._flush_tags()

    def _flush_tags(self) -> None:
        for hid, card in list(self._cards.items()):
            if card.tags_edit.isModified():
                self._on_tags_finished(hid)

    def typed_over(self, item_id: str) -> str | None:
        """The stored text the typing in this box went on from; None when none is typed."""
        draft = self._drafts.get(item_id)
        return draft.over if draft is not None else self._detached_over.get(item_id)

    def mark_saved(self, item_id: str) -> None:
        draft = self._drafts.get(item_id)
        if draft is not None:
            draft.baseline = draft.sent if draft.sent is not None else draft.text
            draft.over = draft.baseline
            draft.sent = None
            draft.error = None
            if draft.text == draft.baseline and item_id not in self._pending:
                del self._drafts[item_id]
        box = self._box(item_id)
        if box is not None:
            box.set_error(None)

    def take_merged(self, item_id: str, stored: str) -> None:
        """The store holds ``stored`` now: what another window added meanwhile, then
        what was typed here (a save runs at once, so nothing was typed since). Being
        typed in, the box gets the other window's text put before its own, so the
        cursor stays where it was in the user's words."""
        self._drafts.pop(item_id, None)
        self._pending.discard(item_id)
        box = self._box(item_id)
        if box is None:
            return
        if not box.editing():
            self._show_text(item_id, stored)
            return
        assert box.editor is not None
        own = box.editor.toPlainText()
        if not stored.endswith(own):
            box.set_text(stored, None)
            box.editor.moveCursor(QTextCursor.MoveOperation.End)
            return
        box.text = stored  # what the box holds once the text is in: nothing to send
        document = box.editor.document()
        # Out of the editor's undo history (which this clears): a Ctrl+Z there would
        # take the other window's words out, and the next save would lose them.
        document.setUndoRedoEnabled(False)
        QTextCursor(document).insertText(stored[: len(stored) - len(own)])
        document.setUndoRedoEnabled(True)

    def mark_draft(self, item_id: str, message: str) -> None:
        """A save failed: keep the text on screen with the reason and a Retry button."""
        draft = self._drafts.get(item_id)
        box = self._box(item_id)
        if draft is None:
            if box is None:
                return
            kind = "note" if item_id in self._highlights else "comment"
            draft = self._drafts[item_id] = _Draft(kind, box.text, self._stored_text(item_id))
        # Keep ``sent`` as the failed text: focus changes do not re-send it, Retry does.
        draft.sent = draft.text if draft.sent is None else draft.sent
        draft.error = message
        if box is not None:
            box.set_error(self._error_message(message))

    def keep_draft(self, item_id: str, kind: str, text: str, message: str,
                   over: str | None = None) -> None:
        """Text of a note or comment that is not saved (typed before a crash): shown in
        its box, whenever its card is built, as a failed save is, with Retry."""
        self._drafts[item_id] = _Draft(kind, text, self._stored_text(item_id), sent=text,
                                       error=message, over=over)
        self._show_text(item_id, text)

    @staticmethod
    def _error_message(message: str) -> str:
        message = message.strip() or "the notes could not be written"
        return message if message.lower().startswith("not saved") else f"Not saved: {message}"

    def draft_text(self, item_id: str) -> str | None:
        draft = self._drafts.get(item_id)
        if draft is not None:
            return draft.text
        box = self._box(item_id)
        return box.text if box is not None else None

    def holds_draft(self, item_id: str) -> bool:
        """Whether text typed for this note or comment is not yet known to be saved."""
        return item_id in self._drafts

    def has_unsaved(self) -> bool:
        """Whether any typed text is not yet confirmed saved (e.g. to warn on close)."""
        return bool(self._drafts)

    def error_text(self, item_id: str) -> str:
        """The "Not saved" message shown on an item, or ""."""
        box = self._box(item_id)
        return box.error_text() if box is not None else ""

    # -- editing -----------------------------------------------------------------------
    def begin_edit(self, item_id: str) -> None:
        """Open the editor of a highlight's note or a comment, with the focus in it."""
        box = self._box(item_id)
        if box is None:
            return
        if item_id in self._highlights:
            self._select(item_id)
        box.begin_edit()
        self.content.layout().activate()
        card = self.card(item_id)
        if card is not None and card.height() <= self.scroll.viewport().height() - 40:
            self._scroll_to(card)  # all of it: its tags and date too, not just the editor
        else:
            self.scroll.ensureWidgetVisible(box, 0, 40)

    def _finish_edit(self, item_id: str) -> None:
        self._send(item_id)
        box = self._box(item_id)
        if box is None:
            return
        box.end_edit()
        self._show_text(item_id, box.text)
        card = self._cards.get(item_id) or self._comment_cards.get(item_id)
        if card is not None:
            card.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_editor_left(self, item_id: str, reason) -> None:
        if self._rebuilding:
            return
        self._send(item_id)
        # Switching windows or opening a menu keeps the editor open; anything else ends it.
        if reason in (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason,
                      Qt.FocusReason.MenuBarFocusReason):
            return
        box = self._box(item_id)
        if box is not None and box.editing():
            box.end_edit()
            self._show_text(item_id, box.text)

    def _restore_editor(self, item_id: str, position: int, focus: bool) -> None:
        box = self._box(item_id)
        if box is None:
            return
        editor = box.begin_edit(focus=focus)
        cursor = editor.textCursor()
        cursor.setPosition(min(position, len(editor.toPlainText())))
        editor.setTextCursor(cursor)

    # -- highlights ----------------------------------------------------------------------
    def update_highlight(self, h: Highlight) -> None:
        """One highlight changed; text the user is typing is left alone."""
        if h.id not in self._highlights:
            return
        if h.deleted_at is not None:
            self._remove_card(h.id)
            return
        self._apply_highlight(h)
        self._rebuild_filter_choices()
        self._apply_filters()

    def _apply_highlight(self, h: Highlight) -> None:
        self._highlights[h.id] = h
        card = self._cards.get(h.id)
        text = self._incoming(h.id, "note", h.note)
        if card is None:  # still queued: it will be built from the new data
            return
        card.set_highlight(h, self._labels, self._dark, keep_tags=card.tags_edit.hasFocus())
        self._apply_text(h.id, card.note, text)

    def _apply_text(self, item_id: str, box: _TextBox, text: str) -> None:
        if box.editing():  # the editor keeps its text, cursor and undo history
            if box.text != text:
                box.set_text(text, None)
            draft = self._drafts.get(item_id)
            box.set_error(self._error_message(draft.error) if draft and draft.error else None)
        elif box.text != text or not box.html_ready:
            self._show_text(item_id, text)
        else:
            draft = self._drafts.get(item_id)
            box.set_error(self._error_message(draft.error) if draft and draft.error else None)

    def _drop_highlight(self, hid: str) -> bool:
        """Forget a highlight no longer shown: its card, queue place, draft and pending
        save; whether it had a card. The caller tidies the pages, filters and selection.

        Text typed and not yet sent (the note left this section some other way than the
        window's Delete, which flushes first) is sent once this update is over: the
        note still exists elsewhere, and no keystroke is lost. Text whose save failed
        stays a draft, shown with its Retry wherever the note's card is built next."""
        self._highlights.pop(hid, None)
        if hid in self._build_queue:
            self._build_queue.remove(hid)
        draft = self._drafts.get(hid)
        if draft is None or draft.error is None:
            self._drafts.pop(hid, None)
        if hid in self._pending and draft is not None and draft.kind == "note":
            last = draft.sent if draft.sent is not None else draft.baseline
            if draft.text != last:
                text, over = draft.text, draft.over
                QTimer.singleShot(0, self, lambda: self._send_detached(hid, text, over))
        self._pending.discard(hid)
        card = self._cards.pop(hid, None)
        if card is not None:
            self._discard(card)
        return card is not None

    def _send_detached(self, hid: str, text: str, over: str | None) -> None:
        """Send the text of a note whose card is gone: typed_over answers for it while
        the save runs, as it does for a draft."""
        self._detached_over[hid] = over
        try:
            self.note_edited.emit(hid, text)
        finally:
            self._detached_over.pop(hid, None)

    def _remove_card(self, hid: str) -> None:
        self._rebuilding = True
        try:
            if self._drop_highlight(hid):
                self._drop_empty_pages()  # an empty page would still add spacing
        finally:
            self._rebuilding = False
        if self._selected == hid:
            self._selected = None
        self._rebuild_filter_choices()
        self._apply_filters()

    def _apply_comment(self, c: Comment) -> None:
        self._comments[c.id] = c
        card = self._comment_cards.get(c.id)
        if card is None or card.comment is None:
            return
        card.set_comment(c)
        self._apply_text(c.id, card.body, self._incoming(c.id, "comment", c.body))

    def select_highlight(self, highlight_id: str, *, focus_editor: bool = False) -> None:
        """Mark a highlight as the selected one and scroll to it (showing it even if
        the filters hid it); with ``focus_editor`` the note editor opens."""
        card = self._ensure_card(highlight_id)
        if card is None:
            return
        if not self._filter.matches_highlight(card.highlight):
            self.set_filters(NotesFilter())
        # Re-selecting the card in view (as after every save) must not make it jump.
        settled = self._selected == highlight_id and not card.visibleRegion().isEmpty()
        self._select(highlight_id)
        if focus_editor:
            self.begin_edit(highlight_id)
        if not settled:
            self._scroll_to(card)

    def show_comment(self, comment_id: str) -> None:
        """Scroll to a comment's card (showing it even if the filters hid it) and give
        it the focus, when the comment is in the section shown."""
        card = self._comment_cards.get(comment_id)
        if card is None or card.comment is None:
            return
        if not self._filter.matches_comment(card.comment):
            self.set_filters(NotesFilter())
        self._scroll_to(card)
        card.setFocus(Qt.FocusReason.OtherFocusReason)

    def _scroll_to(self, widget: QWidget) -> None:
        self.content.layout().activate()
        self.scroll.ensureWidgetVisible(widget, 0, 20)
        # Layout of freshly built cards settles on the next turn of the event loop.
        QTimer.singleShot(0, widget, lambda: self.scroll.ensureWidgetVisible(widget, 0, 20))

    def selected_highlight(self) -> str | None:
        return self._selected

    def _select(self, hid: str) -> None:
        if self._selected in self._cards and self._selected != hid:
            self._cards[self._selected].set_selected(False)
        self._selected = hid
        card = self._ensure_card(hid)
        if card is not None:
            card.set_selected(True)

    def _on_card_activated(self, hid: str) -> None:
        if hid in self._cards:
            self._select(hid)
            self.highlight_activated.emit(hid)

    def _on_note_clicked(self, hid: str) -> None:
        self._on_card_activated(hid)
        self.begin_edit(hid)

    def _on_delete_clicked(self, hid: str) -> None:
        self._send(hid)  # the note goes to the trash with the highlight as last typed
        self.delete_highlight_requested.emit(hid)

    def _on_tags_finished(self, hid: str) -> None:
        card = self._cards.get(hid)
        if card is None or self._rebuilding:
            return
        tags = parse_tags(card.tags_edit.text())
        card.tags_edit.setModified(False)
        if tags != card.highlight.tags:
            self.tags_edited.emit(hid, tags)

    def _on_colour_clicked(self, hid: str) -> None:
        card = self._cards.get(hid)
        if card is None:
            return
        if self._colour_menu is not None:
            self._colour_menu.deleteLater()
        menu = self._colour_menu = QMenu(self)
        menu.setAccessibleName("Highlight colour")
        for name in COLOURS:
            label = self._labels.get(name, name)
            action = menu.addAction(_chip_icon(name, self._dark), f"{label[:1].upper()}{label[1:]}")
            action.setCheckable(True)
            action.setChecked(name == card.highlight.color)
            action.setData(name)
        menu.triggered.connect(lambda action: self._on_colour_chosen(hid, action.data()))
        button = card.colour_button
        menu.popup(button.mapToGlobal(QPoint(0, button.height())))

    def _give_menu(self, card: QWidget, item_id: str) -> None:
        """A card's context menu: right-click on it, or the Menu key or Shift+F10 on it
        (or on one of its buttons, which pass it on)."""
        card.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        card.customContextMenuRequested.connect(
            lambda pos: self.card_menu(item_id, card.mapToGlobal(pos)))

    def card_menu(self, item_id: str, at: QPoint) -> QMenu | None:
        """The commands of a card's buttons and keys, with the keys said, opened at
        ``at`` (a point of the screen)."""
        card = self.card(item_id)
        if card is None:
            return None
        if self._card_menu is not None:
            self._card_menu.deleteLater()  # the last one, closed by now
        menu = self._card_menu = QMenu(self)
        if isinstance(card, HighlightCard):
            menu.setAccessibleName("Highlight menu")
            menu.addAction("&Go To in the Text\tSpace", lambda: self._on_card_activated(item_id))
            menu.addAction("&Edit Note\tF2", lambda: self.begin_edit(item_id))
            colours = menu.addMenu("&Colour")
            for n, name in enumerate(COLOURS, start=1):
                label = self._labels.get(name, name)
                action = colours.addAction(_chip_icon(name, self._dark),
                                           f"&{n} {label[:1].upper()}{label[1:]}")
                action.setCheckable(True)
                action.setChecked(name == card.highlight.color)
                action.triggered.connect(
                    lambda _=False, c=name: self._on_colour_chosen(item_id, c))
            menu.addSeparator()
            menu.addAction("&Delete Highlight\tDel", card.delete_button.click)
        else:
            menu.setAccessibleName("Comment menu")
            # As its buttons: none of them while it is edited, no Edit once deleted.
            for button, text in ((card.reply_button, "&Reply\tEnter"),
                                 (card.edit_button, "&Edit Comment\tF2"),
                                 (card.delete_button, "&Delete Comment\tDel"),
                                 (card.done_button, "&Done Editing\tCtrl+Enter")):
                if button.isVisibleTo(card):
                    menu.addAction(text, button.click)
        menu.popup(at)
        return menu

    def _on_colour_chosen(self, hid: str, colour: str) -> None:
        card = self._cards.get(hid)
        if card is not None and colour != card.highlight.color:
            self.color_change_requested.emit(hid, colour)

    # -- comments ------------------------------------------------------------------------
    def _on_comment_posted(self, body: str) -> None:
        self.comment_added.emit(body, None)
        # Posted: its draft goes now; not posted: the text put back is kept now.
        self._send_composer_drafts()

    def _open_reply(self, cid: str, *, focus: bool = True) -> _Composer:
        card = self._comment_cards[cid]
        had = card.reply_composer is not None
        composer = card.open_reply()
        if not had:
            composer.posted.connect(lambda body: self._on_reply_posted(cid, body))
            composer.cancelled.connect(lambda: self._on_reply_cancelled(cid))
            composer.edit.textChanged.connect(lambda: self._on_composer_changed(cid))
        if not focus:
            composer.edit.clearFocus()
        return composer

    def _on_reply_posted(self, cid: str, body: str) -> None:
        card = self._comment_cards.get(cid)
        if card is not None:
            card.close_reply()
            card.setFocus(Qt.FocusReason.OtherFocusReason)
        self.comment_added.emit(body, cid)
        self._send_composer_drafts()

    def _on_reply_cancelled(self, cid: str) -> None:
        card = self._comment_cards.get(cid)
        if card is not None:
            card.close_reply()
            card.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_new_comment(self) -> None:
        """Put the keyboard focus in the "Add a comment" editor and show it."""
        if self.composer.isEnabled():
            self.composer.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self._scroll_to(self.composer)

    def focus_first(self) -> None:
        """Put the keyboard focus on the selected highlight's card, else on the first
        card shown (a highlight's, else a comment's), else in the "Add a comment" box,
        and scroll to it; on the panel itself when it shows no section."""
        shown = self.highlight_ids(visible_only=True)
        target: QWidget | None = None
        if shown:
            target = self._ensure_card(self._selected if self._selected in shown else shown[0])
        if target is None:
            target = next((card for card in self._comment_cards.values()
                           if card.isVisibleTo(self)), None)
        if target is None and self.composer.isEnabled():
            target = self.composer.edit
        if target is None:
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._scroll_to(target)

    def _remember_reply_drafts(self) -> None:
        for cid, card in self._comment_cards.items():
            composer = card.reply_composer
            if composer is not None and composer.isVisibleTo(card) and composer.text().strip():
                self._reply_drafts[cid] = composer.text()

    # -- unposted comment and reply drafts ------------------------------------------------
    def set_comment_draft_loader(self, loader: DraftLoader | None) -> None:
        """Where the drafts kept for a section come from when it is shown."""
        self._draft_loader = loader

    def set_comment_locator(self, is_live: Callable[[str], bool] | None) -> None:
        """How to tell a comment moved to another section (``is_live(id)`` True) from
        one deleted, when it leaves the section shown."""
        self._is_live = is_live

    def _comment_elsewhere(self, comment_id: str) -> bool:
        return self._is_live is not None and self._is_live(comment_id)

    def _load_drafts(self, key: tuple[str | None, str] | None) -> dict[str | None, str]:
        if key is None or key[0] is None or self._draft_loader is None:
            return {}
        drafts = self._draft_loader(key[0], key[1])
        return {k: v for k, v in (drafts or {}).items() if isinstance(v, str) and v.strip()}

    def reread_comment_drafts(self) -> None:
        """The drafts kept on disk changed under the panel (opening a reissued brief
        moved some to the sections their comments went to): what the panel remembers
        of a section takes in what is kept for it now, and the section shown does so
        when it is next updated. Nothing shown or remembered is dropped."""
        for key, text in list(self._composer_drafts.items()):
            kept = self._load_drafts(key).get(None, "")
            self._composer_drafts[key] = merged(text, kept)
        self._reread_drafts = True

    def _take_kept_drafts(self) -> bool:
        """The section shown takes in the drafts kept for it on disk (after its own
        text in each box); whether a reply box was opened."""
        stored = self._load_drafts(self._section_key)
        _take_in(self.composer, stored.pop(None, ""))
        opened = False
        lost = {}
        for cid, text in stored.items():
            card = self._comment_cards.get(cid)
            if card is None:
                lost[cid] = text
                continue
            reply = card.reply_composer
            if reply is not None and reply.isVisibleTo(card) and merged(reply.text(),
                                                                        text) == reply.text():
                continue  # shown there already
            opened = True
            _take_in(self._open_reply(cid, focus=False), text)
        self._recover_lost_replies(lost)
        return opened

    def _recover_lost_replies(self, lost: dict[str, str]) -> None:
        """Replies begun on comments that are gone (deleted here, in another window, or
        before a restart) have no reply box any more: their text comes back in the
        section's comment box, to post as a comment of its own, and is kept on disk
        there instead of as replies."""
        texts = [t.strip() for t in lost.values() if t.strip()]
        if not texts or self._section_key is None:
            return
        current = self.composer.text().strip()
        # Each text once, whole paragraphs compared (a draft read back twice, or the
        # same reply kept twice), never a short reply lost inside a longer text.
        paragraphs = [current] if current else []
        have = set(current.split("\n\n")) if current else set()
        for t in texts:
            if t not in have:
                paragraphs.append(t)
                have.add(t)
        merged = "\n\n".join(paragraphs)
        self.composer.set_text(merged)
        self.composer.set_error("A reply to a comment deleted since is kept here, "
                                "to post as a comment.")
        brief, section = self._section_key
        if brief is None:
            return
        for cid in lost:
            self._composer_pending.pop(CommentDraftKey(brief, section, cid), None)
            self.comment_draft_changed.emit(CommentDraftKey(brief, section, cid), "")
        self.comment_draft_changed.emit(CommentDraftKey(brief, section, None), merged)

    def _on_composer_changed(self, reply_to: str | None) -> None:
        if self._rebuilding or self._section_key is None:
            return  # a draft being put back, not typed
        if reply_to is None:
            composer: _Composer | None = self.composer
        else:
            card = self._comment_cards.get(reply_to)
            composer = card.reply_composer if card is not None else None
        if composer is None:
            return
        now = time.monotonic()
        if not self._pending and not self._composer_pending:
            self._pending_since = now
        key = CommentDraftKey(self._section_key[0], self._section_key[1], reply_to)
        self._composer_pending[key] = composer.text()
        self.text_typed.emit("draft", key, self._composer_pending[key])
        self._restart_save_timer(now)

    def _send_composer_drafts(self) -> None:
        pending, self._composer_pending = self._composer_pending, {}
        for key, text in pending.items():
            self.comment_draft_changed.emit(key, text)

    def restore_comment_draft(self, body: str, reply_to: str | None, message: str) -> None:
        """Posting a comment failed: put its text back where it was written, with why."""
        card = self._comment_cards.get(reply_to) if reply_to is not None else None
        composer = self._open_reply(reply_to, focus=False) if card is not None else self.composer
        if not composer.text().strip():
            composer.set_text(body)
        composer.set_error(f"Not posted: {message}")

    # -- filters -------------------------------------------------------------------------
    def set_filters_choices(self, *, tags: Iterable[str] = (), authors: Iterable[str] = ()) -> None:
        """Extra tags and authors for the filter menus (e.g. all those of the brief);
        the ones seen in the current section are always offered."""
        self._extra_tags = {t for t in tags if t}
        self._extra_authors = set(authors)
        self._rebuild_filter_choices()

    def filters(self) -> NotesFilter:
        return self._filter

    def set_filters(self, f: NotesFilter) -> None:
        self._filter = f
        self._rebuild_filter_choices()
        self._apply_filters()

    def _rebuild_filter_choices(self) -> None:
        tags = set(self._extra_tags)
        authors = set(self._extra_authors)
        for h in self._highlights.values():
            tags.update(h.tags)
            authors.add(h.author)
        for c in self._comments.values():
            if c.deleted_at is None:
                authors.add(c.author)
        if self._filter.tag is not None:
            tags.add(self._filter.tag)
        if self._filter.author is not None:
            authors.add(self._filter.author)
        self._fill(self.colour_filter, "Colours",
                   [(self._labels.get(c, c)[:1].upper() + self._labels.get(c, c)[1:], c)
                    for c in COLOURS], self._filter.color, icons=True)
        self._fill(self.tag_filter, "Tags",
                   [(t, t) for t in sorted(tags, key=str.casefold)], self._filter.tag)
        self._fill(self.author_filter, "Authors",
                   [(a or "Unknown author", a) for a in sorted(authors, key=str.casefold)],
                   self._filter.author)
        self.tag_filter.setEnabled(self.tag_filter.count() > 1)
        self.author_filter.setEnabled(self.author_filter.count() > 1)
        # Like the others, nothing to filter while no brief's notes are shown.
        self.colour_filter.setEnabled(self._title is not None or self._filter.active)
        self.filter_row.refit()

    def _fill(self, combo: QComboBox, all_text: str, items: list[tuple[str, str]],
              current: str | None, *, icons: bool = False) -> None:
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(all_text, None)
            for text, value in items:
                if icons:
                    combo.addItem(_chip_icon(value, self._dark), text, value)
                else:
                    combo.addItem(text, value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            combo.blockSignals(False)

    def _on_filter_changed(self, _index: int) -> None:
        self._filter = NotesFilter(
            color=self.colour_filter.currentData(),
            tag=self.tag_filter.currentData(),
            author=self.author_filter.currentData(),
        )
        self._apply_filters()

    def _apply_filters(self) -> None:
        f = self._filter
        shown = sum(1 for h in self._highlights.values() if f.matches_highlight(h))
        for card in self._cards.values():
            visible = f.matches_highlight(card.highlight)
            if card.isHidden() == visible:
                card.setVisible(visible)

        def visit(cid: str) -> bool:
            card = self._comment_cards[cid]
            children = [visit(k) for k in self._comment_children.get(cid, [])]
            own = card.comment is not None and f.matches_comment(card.comment)
            visible = own or any(children)
            card.setVisible(visible)
            return visible

        roots = set(self._comment_cards) - {k for ks in self._comment_children.values() for k in ks}
        for cid in roots:
            visit(cid)

        total = len(self._highlights)
        comments = sum(1 for c in self._comment_cards.values() if c.comment is not None)
        if self._title is None:
            hint = self._no_brief_hint
        elif total == 0:
            hint = _HINT_EMPTY
        elif shown == 0:
            hint = _HINT_FILTERED
        else:
            hint = ""
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.cards_box.setVisible(shown > 0)
        if self._title is None:
            self.summary_label.setText("")
        elif f.active:
            self.summary_label.setText(f"Showing {shown} of {_count(total, 'highlight')}")
        else:
            self.summary_label.setText(
                f"{_count(total, 'highlight')} · {_count(comments, 'comment')}")
        self.summary_label.setVisible(self._title is not None)
        self.clear_filters_button.setVisible(f.active)

    def hint_text(self) -> str:
        return self.hint.text() if not self.hint.isHidden() else ""

    def highlight_ids(self, *, visible_only: bool = False) -> list[str]:
        """Highlights in display order (with ``visible_only``, those the filters pass)."""
        return [hid for hid, h in self._highlights.items()
                if not visible_only or self._filter.matches_highlight(h)]

    def card(self, item_id: str) -> HighlightCard | CommentCard | None:
        if item_id in self._highlights:
            return self._ensure_card(item_id)
        return self._comment_cards.get(item_id)

    def comment_ids(self) -> list[str]:
        """Comment cards in display order (threads depth-first)."""
        return list(self._comment_cards)

    # -- keyboard order and theme ----------------------------------------------------------
    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if (self._composer_pending and old is not None and shiboken6.isValid(old)
                and isinstance(old.parentWidget(), _Composer) and self.isAncestorOf(old)):
            self._send_composer_drafts()  # a comment box lost the focus: keep it now
        if new is not None and shiboken6.isValid(new) and self.content.isAncestorOf(new):
            # Come from outside the panel (Shift+Tab from the text): show where it is.
            self.scroll.ensureWidgetVisible(new, 8, 8)
        # A card draws a focus ring while the focus is anywhere inside it.
        for widget in (old, new):
            while widget is not None and not isinstance(widget, _Card):
                widget = widget.parentWidget()
            if widget is not None and self.isAncestorOf(widget):
                widget.update()

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = [self.colour_filter, self.tag_filter, self.author_filter,
                                self.clear_filters_button]
        for card in self._cards.values():
            chain += [card, card.colour_button, card.delete_button]
            chain += _lazy(card.note)
            chain += [card.done_button, card.tags_edit]
        for card in self._comment_cards.values():
            chain.append(card)
            chain += _lazy(card.body)
            chain += [card.reply_button, card.edit_button, card.delete_button]
            if card.reply_composer is not None:
                chain += card.reply_composer.focus_widgets()
        chain += self.composer.focus_widgets()
        self._tab_pairs = list(zip(chain, chain[1:], strict=False))
        self._set_some_tab_order()

    def _set_some_tab_order(self) -> None:
        pairs, self._tab_pairs = (self._tab_pairs[:TAB_ORDER_SLICE],
                                  self._tab_pairs[TAB_ORDER_SLICE:])
        for first, second in pairs:
            if shiboken6.isValid(first) and shiboken6.isValid(second):  # (not deleted since)
                QWidget.setTabOrder(first, second)
        if self._tab_pairs:
            self._tab_timer.start()

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        for card in self._cards.values():
            card.set_dark(dark)
        for card in self._comment_cards.values():
            card.body._colour_error()
        for index in range(1, self.colour_filter.count()):
            self.colour_filter.setItemIcon(index, _chip_icon(self.colour_filter.itemData(index),
                                                             dark))
        self.composer.set_error(self.composer.error.text() or None)
        self.update()


def _take_in(composer: _Composer, kept: str) -> None:
    """What is kept on disk for this box, after what it holds: added at its end when it
    only adds, so that a cursor in the box stays where it is."""
    own = composer.text()
    both = merged(own, kept)
    if both == own:
        return
    if both.startswith(own):
        cursor = QTextCursor(composer.edit.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(both[len(own):])
    else:
        composer.set_text(both)


def _increasing_run(values: list[int]) -> list[int]:
    """Indices of a longest strictly increasing subsequence of ``values``."""
    tails: list[int] = []  # index of the smallest tail of a run of each length
    before: list[int] = [-1] * len(values)
    for i, value in enumerate(values):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if values[tails[mid]] < value:
                lo = mid + 1
            else:
                hi = mid
        before[i] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(i)
        else:
            tails[lo] = i
    run: list[int] = []
    i = tails[-1] if tails else -1
    while i >= 0:
        run.append(i)
        i = before[i]
    return run[::-1]


def _lazy(box: _TextBox) -> list[QWidget]:
    widgets: list[QWidget] = []
    if box.editor is not None:
        widgets.append(box.editor)
    if box.retry_button is not None:
        widgets.append(box.retry_button)
    return widgets


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
