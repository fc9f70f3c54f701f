"""Search everywhere (Ctrl+Shift+F): every library brief's text and every note.

The view asks (``search_requested(query, SearchFilters)``) and shows what the
window hands back (:meth:`SearchView.set_results`); activating a result emits
``result_activated(SearchResult)`` for the window to open the brief there.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from briefreader.records import COLORS, DEFAULT_LABELS
from briefreader.search import SearchFilters, SearchResult, Snippet
from briefreader.ui.fields import fit_placeholder
from briefreader.ui.item_views import ListMenu, told_apart, view_action

RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
APART_ROLE = Qt.ItemDataRole.UserRole + 2  # what tells a brief from another of its title
DEBOUNCE_MS = 250
SCOPES = (("all", "Everything"), ("text", "Brief text"), ("notes", "Notes and comments"))
#: The filters' least width, in characters: their first choices shown whole.
COMBO_LEAST_CHARS = 10
KIND_LABELS = {"text": "Text", "note": "Note", "comment": "Comment"}


def snippet_html(result: SearchResult) -> str:
    """The snippet, escaped, with the matched words in bold."""
    return result.snippet.marked("<b>", "</b>", html.escape)


def where_line(result: SearchResult, metrics: QFontMetrics, width: int,
               apart: str | None = None) -> str:
    """"Note · brief › section" in ``width``: a long brief title gives way (cut in its
    middle) before the section, which tells results of one brief apart, and before
    ``apart``, which tells the brief from another of its title ("brief — folder")."""
    head = f"{KIND_LABELS[result.kind]} · "
    apart_text = f" — {apart}" if apart else ""
    section = f" › {result.section_title}"
    fixed = metrics.horizontalAdvance(head) + metrics.horizontalAdvance(apart_text)
    least = metrics.horizontalAdvance("Briefing…")  # of the title, at least
    room = width - fixed - metrics.horizontalAdvance(section)
    if room >= least:
        title = metrics.elidedText(result.brief, Qt.TextElideMode.ElideMiddle, room)
        return head + title + apart_text + section
    # Too narrow for all of the section: it is cut at its end, after a little of the
    # title and all of what tells the brief apart.
    title = metrics.elidedText(result.brief, Qt.TextElideMode.ElideMiddle, least)
    room = width - fixed - metrics.horizontalAdvance(title)
    if room < 0:  # not even that fits (a whole path tells it apart): cut at the end
        return metrics.elidedText(head + title + apart_text + section,
                                  Qt.TextElideMode.ElideRight, width)
    return head + title + apart_text + metrics.elidedText(
        section, Qt.TextElideMode.ElideRight, room)


def snippet_shift(snippet: Snippet, metrics: QFontMetricsF, width: int) -> float:
    """How far to slide a one-line snippet left so that its first match shows whole
    (about a quarter of the way in), when at its start the match would be cut off;
    else 0. It slides to the start of a word, never into one."""
    if not snippet.marks:
        return 0.0
    start, end = snippet.marks[0]
    text = snippet.text
    before = metrics.horizontalAdvance(text[:start])
    # The match is drawn bold: a little wider than measured here. A snippet that runs
    # on past the row has its end covered by the delegate's trailing " …".
    end_room = width - (metrics.horizontalAdvance(" …")
                        if metrics.horizontalAdvance(text) > width else 0)
    if before + 1.15 * metrics.horizontalAdvance(text[start:end]) <= end_room:
        return 0.0
    wanted = before - width / 4
    # Word starts up to the match's own, latest first.
    starts = [i + 1 for i in range(start - 1, -1, -1) if text[i] == " "]
    if not starts or starts[0] != start:
        starts.insert(0, start)
    cut = next((i for i in starts if metrics.horizontalAdvance(text[:i]) <= wanted), start)
    # A long word before it (a web address) must not leave the match cut off: then
    # the earliest word start that shows it whole (the match itself, at worst).
    room = width - 2 * metrics.horizontalAdvance("… ")  # the delegate's leading and trailing …
    match = 1.15 * metrics.horizontalAdvance(text[start:end])
    if before - metrics.horizontalAdvance(text[:cut]) + match > room:
        cut = next((i for i in reversed(starts)
                    if before - metrics.horizontalAdvance(text[:i]) + match <= room), start)
    return metrics.horizontalAdvance(text[:cut])


class ResultModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._results: list[SearchResult] = []
        self._apart: dict[str, str] = {}

    def set_results(self, results: Sequence[SearchResult]) -> None:
        self.beginResetModel()
        self._results = list(results)
        self._apart = told_apart((r.brief, r.path) for r in self._results if r.path)
        self.endResetModel()

    def result(self, row: int) -> SearchResult:
        return self._results[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._results)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._results[index.row()]
        if role == RESULT_ROLE:
            return r
        if role == APART_ROLE:
            return self._apart.get(r.path or "")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{KIND_LABELS[r.kind]} in {r.brief}, {r.section_title}: {r.snippet.text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"{r.brief} › {r.section_title}" + (f"\n{r.path}" if r.path else "")
            return f"{where}\n{r.snippet.text}"
        return None


class _ResultDelegate(QStyledItemDelegate):
    """Two lines: where (kind, brief › section) in a muted colour, then the snippet
    with its matches in bold."""

    PAD = 6
    _KEEP = 512  # laid-out snippets kept; a new search's rows replace them

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._snippets: dict[tuple, QTextDocument] = {}

    def _snippet(self, result: SearchResult, font: QFont) -> QTextDocument:
        """The snippet as a laid-out document, made once per row (not on every paint:
        hovering repaints the rows)."""
        key = (result, font.key())
        doc = self._snippets.get(key)
        if doc is None:
            if len(self._snippets) >= self._KEEP:
                self._snippets.clear()
            doc = self._snippets[key] = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(font)
            doc.setHtml(f"<span style='white-space: pre'>{snippet_html(result)}</span>")
        return doc

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt override
        line = option.fontMetrics.height()
        return QSize(200, 2 * line + 3 * self.PAD)

    def paint(self, painter, option, index) -> None:
        result: SearchResult = index.data(RESULT_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_role = (QPalette.ColorRole.HighlightedText if selected
                     else QPalette.ColorRole.Text)
        muted_role = (QPalette.ColorRole.HighlightedText if selected
                      else QPalette.ColorRole.PlaceholderText)
        r = option.rect.adjusted(self.PAD + 2, self.PAD, -self.PAD, -self.PAD)
        line = option.fontMetrics.height()
        painter.save()
        # Line 1: kind and place.
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.9))
        painter.setFont(small)
        painter.setPen(palette.color(muted_role))
        painter.drawText(QRect(r.left(), r.top(), r.width(), line),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         where_line(result, painter.fontMetrics(), r.width(),
                                    index.data(APART_ROLE)))
        # Line 2: the snippet, one line, cut at the edge; its start is left out (…)
        # when the first match would be cut off.
        doc = self._snippet(result, option.font)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, palette.color(text_role))
        top = r.top() + line + self.PAD // 2
        painter.setFont(option.font)
        painter.setPen(palette.color(text_role))
        shift = snippet_shift(result.snippet, QFontMetricsF(option.font), r.width())
        lead = 0
        if shift:
            lead = painter.fontMetrics().horizontalAdvance("… ")
            painter.drawText(QRect(r.left(), top, lead, line + 2),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), "…")
        room = r.width() - lead
        if doc.idealWidth() - shift > room:  # it runs on past the edge: say so
            tail = painter.fontMetrics().horizontalAdvance(" …")
            room -= tail
            painter.drawText(QRect(r.left() + lead + room, top, tail, line + 2),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), "…")
        painter.translate(r.left() + lead, top)
        clip = QRect(0, 0, room, line + 2)
        painter.setClipRect(clip)
        painter.translate(-shift, 0)
        ctx.clip = clip.toRectF().translated(shift, 0)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()


class SearchView(QWidget):
    search_requested = Signal(str, object)
    """query text, :class:`SearchFilters`."""
    result_activated = Signal(object)
    """The :class:`SearchResult` to open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchView")
        self.setAccessibleName("Search everywhere")

        self.query_edit = QLineEdit(self)
        self.query_edit.setObjectName("searchQuery")
        # Short enough to be read whole in the narrowest panel; the syntax in the tip.
        self.query_edit.setPlaceholderText("Search briefs and notes")
        self.query_edit.setToolTip('Words, "a phrase", pref* for words that begin so,'
                                   " and OR between two choices")
        self.query_edit.setAccessibleName("Search for")
        self.query_edit.setAccessibleDescription(self.query_edit.toolTip())
        self.query_edit.setClearButtonEnabled(True)
        fit_placeholder(self.query_edit)

        self.scope_combo = QComboBox(self)
        self.color_combo = QComboBox(self)
        self.scope_combo.setAccessibleName("Search in")
        # Room for "Everything" and "Any colour", not for the longest choice: the panel
        # joins the notes as a tab and would come in wider than they are, taking the
        # difference from the text. (The lists still show each choice whole.)
        for combo in (self.scope_combo, self.color_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_LEAST_CHARS)
        for value, text in SCOPES:
            self.scope_combo.addItem(text, value)
        self.color_combo.setAccessibleName("Highlight colour")
        self.set_color_labels(tuple(DEFAULT_LABELS.items()))
        self.tag_edit = QLineEdit(self)
        self.tag_edit.setPlaceholderText("Tag")
        self.tag_edit.setAccessibleName("Only notes with this tag")
        self.tag_edit.setClearButtonEnabled(True)
        self.author_edit = QLineEdit(self)
        self.author_edit.setPlaceholderText("Author")
        self.author_edit.setAccessibleName("Only notes by this author")
        self.author_edit.setClearButtonEnabled(True)

        self.model = ResultModel(self)
        self.list = QListView(self)
        self.list.setAccessibleName("Results")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setItemDelegate(_ResultDelegate(self.list))
        self.status = QLabel(self)
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status.setContentsMargins(4, 0, 4, 0)

        # Two rows: in a side panel one row left the tag and author fields a few
        # pixels each.
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.scope_combo, 1)
        filters.addWidget(self.color_combo, 1)
        people = QHBoxLayout()
        people.setContentsMargins(0, 0, 0, 0)
        people.addWidget(self.tag_edit, 1)
        people.addWidget(self.author_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # as Review and Trash
        layout.setSpacing(4)
        layout.addWidget(self.query_edit)
        layout.addLayout(filters)
        layout.addLayout(people)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.request_search)
        self.query_edit.textEdited.connect(self._timer.start)
        self.query_edit.returnPressed.connect(self.on_query_return_pressed)
        self.tag_edit.textEdited.connect(self._timer.start)
        self.author_edit.textEdited.connect(self._timer.start)
        self.scope_combo.currentIndexChanged.connect(self.request_search)
        self.color_combo.currentIndexChanged.connect(self.request_search)
        self.list.activated.connect(self.on_list_activated)
        # Enter opens the current result; its context menu says so.
        self.open_action = view_action(
            self.list, "&Open", ["Enter", "Return"], "Open the brief at this result",
            lambda: self.on_list_activated(self.list.currentIndex()), scope="the Search results")
        self.menu = ListMenu(self.list, lambda: [self.open_action])
        self._last: tuple[str, SearchFilters] | None = None

    # -- what the window calls ---------------------------------------------------------
    def focus_query(self) -> None:
        self.query_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query_edit.selectAll()

    def focus_results(self) -> None:
        """Put the keyboard focus on the current result (the first when none is),
        scrolled into view; in the query field while there are no results."""
        if not self.model.rowCount():
            self.focus_query()
            return
        index = self.list.currentIndex()
        if not index.isValid():
            index = self.model.index(0)
            self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def set_color_labels(self, labels: Sequence[tuple[str, str]]) -> None:
        names = dict(labels)
        current = self.color_combo.currentData()
        self.color_combo.blockSignals(True)
        self.color_combo.clear()
        self.color_combo.addItem("Any colour", None)
        for color in COLORS:
            self.color_combo.addItem(f"{color.capitalize()}: {names.get(color, '')}", color)
        self.color_combo.setCurrentIndex(max(0, self.color_combo.findData(current)))
        self.color_combo.blockSignals(False)

    def filters(self) -> SearchFilters:
        return SearchFilters(
            scope=self.scope_combo.currentData(),
            color=self.color_combo.currentData(),
            tag=self.tag_edit.text().strip() or None,
            author=self.author_edit.text().strip() or None,
        )

    def set_results(self, results: Sequence[SearchResult], message: str = "") -> None:
        """Show results (best first). ``message`` replaces the count, e.g. an error."""
        self.model.set_results(results)
        if results:
            self.list.setCurrentIndex(self.model.index(0))
        n = len(results)
        self.status.setText(message or (f"{n} result{'s' * (n != 1)}" if n else "No results"))

    def request_search(self) -> None:
        self._timer.stop()
        query = self.query_edit.text().strip()
        if not query:
            self._last = None
            self.set_results([], " ")
            return
        wanted = (query, self.filters())
        if wanted == self._last:
            return
        self._last = wanted
        self.search_requested.emit(*wanted)

    def on_query_return_pressed(self) -> None:
        pending = self._timer.isActive() or self._last is None
        self.request_search()
        if not pending and self.model.rowCount():
            # Enter again on the same query opens the first (current) result.
            self.on_list_activated(self.list.currentIndex())

    def on_list_activated(self, index: QModelIndex) -> None:
        result = index.data(RESULT_ROLE) if index.isValid() else None
        if result is not None:
            self.result_activated.emit(result)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        # Down from the query field goes to the results.
        if event.key() == Qt.Key.Key_Down and self.query_edit.hasFocus() and self.model.rowCount():
            self.list.setFocus()
            return
        super().keyPressEvent(event)
