"""The reading pane: one section at a time, rendered, safe, cached.

Every section becomes its own ``SafeDocument`` (cached), so switching sections swaps a
laid-out document instead of re-parsing HTML. Resource loading is routed through
``resource_policy.resolve_resource``: nothing is fetched from the network or read from
outside the brief's folder. Links never navigate the view; they are reported as intents.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from briefreader import render, resource_policy
from briefreader.brief import Brief, Section
from briefreader.printing import PolicyDocument
from briefreader.ui.highlights import Span, TextMap, highlight_at, paint

#: Briefs with more sections than this are formatted on demand only.
WARM_MAX_SECTIONS = 2000
ZOOM_STEPS = (50, 67, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300)
CACHE_SIZE = 64
#: Text column width in average characters: comfortable reading measure.
MEASURE_CHARS = 78
#: How far (pixels) content may pass the text's width before the reader offers to
#: scroll sideways: less is rounding, in the page's side margin.
SCROLL_SLACK = 2
#: Find marks beyond this many in one section are not drawn: every extra selection
#: slows every repaint of the view.
MAX_FIND_MARKS = 500
#: Background of find matches (light, dark): orange, apart from the highlight colours.
FIND_MARK = ("#fbc98a", "#7a4a12")


#: How much larger than the text Qt draws each step of a font-size adjustment (the
#: style sheet's "xx-large" of a level-1 heading is +3).
_SIZE_STEPS = {-2: 0.7, -1: 0.8, 0: 1.0, 1: 1.2, 2: 1.5, 3: 2.0, 4: 2.4}
_SIZE_ADJUSTMENT = QTextFormat.Property.FontSizeAdjustment


class _Heading:
    """A heading of a section's document: where it is, the size the style sheet gave
    it, the size shown now, and its words."""

    __slots__ = ("end", "shown", "size", "start", "words")

    def __init__(self, start: int, end: int, size: int, words: list[str]) -> None:
        self.start, self.end, self.size, self.shown, self.words = start, end, size, size, words


def _headings(doc: QTextDocument) -> list[_Heading]:
    found: list[_Heading] = []
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0 and block.length() > 1:
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
            size = cursor.charFormat().property(_SIZE_ADJUSTMENT)
            if isinstance(size, int) and size > 0:
                found.append(_Heading(block.position(), block.position() + block.length() - 1,
                                      min(size, max(_SIZE_STEPS)), block.text().split()))
        block = block.next()
    return found


def _free_documents(cache: OrderedDict[tuple, QTextDocument]) -> None:
    for doc in cache.values():
        if shiboken6.isValid(doc):
            shiboken6.delete(doc)
    cache.clear()


class SafeDocument(PolicyDocument):
    """One section's document (images only as the resource policy allows), with the
    highlights painted into it."""

    def __init__(self, base_dir: Path | None, parent=None) -> None:
        super().__init__(base_dir, parent)
        self.painted: tuple[Span, ...] = ()
        self.text_map: TextMap | None = None
        self.headings: list[_Heading] | None = None  # found when first fitted

    def setHtml(self, html: str) -> None:  # noqa: N802 - Qt override
        self.headings = None
        super().setHtml(html)


class ReaderView(QTextBrowser):
    """Shows one section; emits intents for links instead of following them."""

    anchor_requested = Signal(str)  # an in-brief #fragment
    external_link_requested = Signal(str)  # http(s)/mailto, to confirm then open
    notice_changed = Signal(str)  # a fallback notice for the shown section ("" = none)
    highlight_clicked = Signal(str)  # id of the highlight under a click
    _prerendered = Signal(object, object)  # (brief, section): HTML is ready, build the document

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reader")
        self.setAccessibleName("Brief text")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setAcceptDrops(False)
        from PySide6.QtCore import Qt

        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.horizontalScrollBar().rangeChanged.connect(self._no_bar_for_a_pixel)
        self._cache: OrderedDict[tuple, SafeDocument] = OrderedDict()
        self._blank = SafeDocument(None, self)
        self.setDocument(self._blank)
        self._shown: QTextDocument = self._blank
        self._dark = False
        self._zoom = 100
        self._base_point_size = max(self.font().pointSizeF(), 10.0) + 1.0
        self._font_family = ""
        self.brief: Brief | None = None
        self.section: Section | None = None
        self.rendered: render.RenderedSection | None = None
        self.spans: tuple[Span, ...] = ()
        self.anchorClicked.connect(self.on_anchor_clicked)
        # Markdown is formatted off the GUI thread for the sections a reader will likely
        # open next; their documents are then built here in idle time.
        self._warming: Brief | None = None
        self.warm_thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prerender")
        self._prerendered.connect(self.on_prerendered)
        self.destroyed.connect(lambda: self._pool.shutdown(wait=False, cancel_futures=True))
        # Cached documents have no Qt parent (see _build_document) and PySide keeps those
        # given to setDocument alive: free them with the view, or every closed window
        # leaves its documents behind.
        self.destroyed.connect(partial(_free_documents, self._cache))

    # -- state -----------------------------------------------------------------------
    @property
    def zoom(self) -> int:
        return self._zoom

    def set_zoom(self, percent: int) -> None:
        percent = min(max(int(percent), ZOOM_STEPS[0]), ZOOM_STEPS[-1])
        if percent == self._zoom:
            return
        self._zoom = percent
        self._apply_view_settings(self.document())

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom), ZOOM_STEPS[0]))

    def set_dark(self, dark: bool) -> None:
        if dark == self._dark:
            return
        self._dark = dark
        # The stylesheet is applied when HTML is parsed: rebuild from the cache keys.
        self._drop(list(self._cache))
        if self.brief is not None and self.section is not None:
            self.show_section(self.brief, self.section, self.spans, keep_scroll=True)

    def set_base_font(self, family: str, point_size: float) -> None:
        """The reading font at 100 % zoom; an empty family keeps the system's."""
        family = family.strip()
        point_size = float(point_size)
        if (family, point_size) == (self._font_family, self._base_point_size):
            return
        self._font_family, self._base_point_size = family, point_size
        # Cached documents were laid out with the old font: build them again.
        self._drop(list(self._cache))
        if self.brief is not None and self.section is not None:
            self.show_section(self.brief, self.section, self.spans, keep_scroll=True)

    def base_font(self) -> tuple[str, float]:
        return self._font_family, self._base_point_size

    def clear(self) -> None:  # QTextEdit.clear would wipe a cached document
        self.brief = None
        self.section = None
        self.rendered = None
        self.setDocument(self._blank)
        self._shown = self._blank

    def forget_brief(self, brief: Brief) -> None:
        for key in [k for k in self._cache if k[0] == brief.content_hash]:
            self._drop([key])

    # -- showing ---------------------------------------------------------------------
    def show_section(self, brief: Brief, section: Section, spans: tuple[Span, ...] = (), *,
                     keep_scroll: bool = False) -> None:
        scroll = self.verticalScrollBar().value() if keep_scroll else 0
        key = self._key(brief, section)
        doc = self._cache.get(key)
        rendered = render.render_section(brief, section)
        if doc is None:
            doc = self._build_document(brief, rendered)
            self._remember(key, doc)
        else:
            self._cache.move_to_end(key)
        self.brief, self.section, self.rendered = brief, section, rendered
        self.spans = tuple(spans)
        self._ensure_painted(doc, rendered)
        self._apply_view_settings(doc)
        if self.document() is not doc:
            self.setExtraSelections([])  # they belong to the previous document
            self.setDocument(doc)
            self._shown = doc
        self.verticalScrollBar().setValue(scroll)
        self.notice_changed.emit(rendered.notice or "")

    # -- highlights --------------------------------------------------------------------
    def set_spans(self, spans: tuple[Span, ...]) -> None:
        """Repaint the shown section's highlights (after one was made, recoloured, removed)."""
        if self.rendered is None:
            return
        self.spans = tuple(spans)
        scroll = self.verticalScrollBar().value()
        cursor = self.textCursor()
        self._ensure_painted(self.document(), self.rendered)
        self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(scroll)

    def _ensure_painted(self, doc: SafeDocument, rendered: render.RenderedSection) -> None:
        if doc.painted == self.spans:
            return
        have = set(doc.painted)
        if have <= set(self.spans):
            new = [s for s in self.spans if s not in have]
        else:
            # A highlight went away or changed colour: start again from clean text.
            doc.setHtml(rendered.html)
            self._apply_view_settings(doc, force=True)
            new = list(self.spans)
        paint(doc, self.text_map_of(doc, rendered), new, dark=self._dark)
        doc.painted = self.spans

    def text_map_of(self, doc: SafeDocument, rendered: render.RenderedSection) -> TextMap:
        if doc.text_map is None:
            doc.text_map = TextMap(doc.toPlainText(), rendered.plain_text)
        return doc.text_map

    def selected_span(self) -> tuple[int, int] | None:
        """The selection as a span of the section's plain text, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection() or self.rendered is None:
            return None
        text_map = self.text_map_of(self.document(), self.rendered)
        return text_map.from_document(cursor.selectionStart(), cursor.selectionEnd())

    def scroll_to_span(self, start: int, end: int) -> None:
        """Bring a span of the section's plain text into view (the cursor at its start)."""
        self.select_span(start, end, select=False)

    def select_span(self, start: int, end: int, *, select: bool = True) -> bool:
        """Select a span of the section's plain text and bring it into view (with
        ``select=False``, only bring it into view)."""
        if self.rendered is None:
            return False
        where = self.text_map_of(self.document(), self.rendered).to_document(start, end)
        if where is None:
            return False
        cursor = QTextCursor(self.document())
        cursor.setPosition(where[1])
        self.setTextCursor(cursor)
        self.ensureCursorVisible()  # its end, then its start: all of it, if it fits
        cursor.setPosition(where[0])
        if select:
            cursor.setPosition(where[1], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        return True

    def set_find_selections(self, spans: Sequence[tuple[int, int]]) -> int:
        """Mark these spans of the shown section's plain text (find matches) without
        touching the document; an empty list clears them. Returns how many show."""
        selections: list[QTextEdit.ExtraSelection] = []
        if spans and self.rendered is not None:
            text_map = self.text_map_of(self.document(), self.rendered)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(FIND_MARK[1 if self._dark else 0]))
            for start, end in spans[:MAX_FIND_MARKS]:
                where = text_map.to_document(start, end)
                if where is None:
                    continue
                cursor = QTextCursor(self.document())
                cursor.setPosition(where[0])
                cursor.setPosition(where[1], QTextCursor.MoveMode.KeepAnchor)
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
        self.setExtraSelections(selections)
        return len(selections)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        if self.textCursor().hasSelection():
            return
        position = self.cursorForPosition(event.position().toPoint()).position()
        hid = highlight_at(self.document(), position)
        if hid:
            self.highlight_clicked.emit(hid)

    def _key(self, brief: Brief, section: Section) -> tuple:
        return (brief.content_hash, str(brief.path), section.id)

    def prefetch(self, brief: Brief, sections: list[Section]) -> None:
        """Prepare these sections so that showing them later costs only a swap."""
        for section in sections:
            if self._key(brief, section) not in self._cache:
                self._pool.submit(self._prerender, brief, section)

    def warm(self, brief: Brief) -> None:
        """Format every section of this brief in the background, so that a jump to any
        section costs only the layout. Stops as soon as another brief is shown."""
        if self._warming is brief or len(brief.sections) > WARM_MAX_SECTIONS:
            return
        self._warming = brief
        self.warm_thread = threading.Thread(target=self._warm_all, args=(brief,), daemon=True,
                                            name="warm-sections")
        self.warm_thread.start()

    def _warm_all(self, brief: Brief) -> None:
        for section in brief.sections:
            if self._warming is not brief:
                return
            render.render_section(brief, section)
            time.sleep(0)  # let the GUI thread have the interpreter between sections

    def _prerender(self, brief: Brief, section: Section) -> None:
        render.render_section(brief, section)
        self._prerendered.emit(brief, section)

    def on_prerendered(self, brief: Brief, section: Section) -> None:
        if brief is not self.brief:
            return  # another brief is open by now
        key = self._key(brief, section)
        if key in self._cache:
            return
        doc = self._build_document(brief, render.render_section(brief, section))
        self._apply_view_settings(doc)
        doc.setTextWidth(self.viewport().width())
        doc.documentLayout().documentSize()  # lay it out now, while the reader is idle
        self._remember(key, doc)

    def _drop(self, keys: list[tuple]) -> None:
        """Forget cached documents and free them now. PySide keeps every document ever
        given to setDocument alive from the view's side, so they are deleted by hand
        (never the one on screen)."""
        for key in keys:
            doc = self._cache.pop(key, None)
            if (doc is not None and doc is not self._shown and doc is not self.document()
                    and shiboken6.isValid(doc)):
                shiboken6.delete(doc)

    def _remember(self, key: tuple, doc: SafeDocument) -> None:
        self._cache[key] = doc
        while len(self._cache) > CACHE_SIZE:
            old_key, old = next(iter(self._cache.items()))
            if old is self.document():
                self._cache.move_to_end(old_key)
                continue
            self._drop([old_key])

    def _build_document(self, brief: Brief, rendered: render.RenderedSection) -> SafeDocument:
        # No Qt parent: the cache (and self._shown) own it, so a document dropped from
        # the cache is freed at once rather than piling up until the event loop runs.
        doc = SafeDocument(brief.base_dir)
        doc.setDefaultStyleSheet(render.stylesheet(self._dark))
        doc.setDocumentMargin(0)
        doc.setHtml(rendered.html)
        return doc

    def _apply_view_settings(self, doc: QTextDocument, *, force: bool = False) -> None:
        font = QFont(self.font())
        if self._font_family:
            font.setFamilies([self._font_family])
        font.setPointSizeF(self._base_point_size * self._zoom / 100.0)
        if force or doc.defaultFont() != font:
            doc.setDefaultFont(font)
        self._apply_measure(doc, force=force)

    def _apply_measure(self, doc: QTextDocument, *, force: bool = False) -> None:
        """Keep lines to a comfortable measure by widening the side margins."""
        width = self.viewport().width()
        measure = QFontMetricsF(doc.defaultFont()).averageCharWidth() * MEASURE_CHARS
        side = max(24.0, (width - measure) / 2.0)
        root = doc.rootFrame()
        fmt: QTextFrameFormat = root.frameFormat()
        if force or abs(fmt.leftMargin() - side) > 0.5 or fmt.topMargin() != 20:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            fmt.setTopMargin(20)
            fmt.setBottomMargin(40)
            root.setFrameFormat(fmt)
        if isinstance(doc, SafeDocument):
            self._fit_headings(doc, width - 2 * side)

    @staticmethod
    def _fit_headings(doc: SafeDocument, column: float) -> None:
        """In a narrow column a heading steps down a size, or more, until its longest
        word fits on a line: a large heading's word is never broken in two."""
        if doc.headings is None:
            doc.headings = _headings(doc)
        if not doc.headings:
            return
        font = QFont(doc.defaultFont())
        font.setWeight(QFont.Weight.DemiBold)
        base = font.pointSizeF()
        widths: dict[int, QFontMetricsF] = {}

        def widest(heading: _Heading, size: int) -> float:
            metrics = widths.get(size)
            if metrics is None:
                font.setPointSizeF(base * _SIZE_STEPS[size])
                metrics = widths[size] = QFontMetricsF(font)
            return max((metrics.horizontalAdvance(word) for word in heading.words), default=0.0)

        cursor: QTextCursor | None = None
        for heading in doc.headings:
            size = heading.size
            while size > 0 and widest(heading, size) > column - 4:
                size -= 1
            if size == heading.shown:
                continue
            if cursor is None:
                cursor = QTextCursor(doc)
                cursor.beginEditBlock()
            fmt = QTextCharFormat()
            fmt.setProperty(_SIZE_ADJUSTMENT, size)
            cursor.setPosition(heading.start)
            cursor.setPosition(heading.end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
            heading.shown = size
        if cursor is not None:
            cursor.endEditBlock()

    def _no_bar_for_a_pixel(self, _minimum: int, maximum: int) -> None:
        """Qt lays a table out a pixel or two wider than the column it was given: that
        lands in the page's side margin, hides nothing, and is no reason for a scroll
        bar under the text (taking a line's room, offering to scroll by a pixel). Wider
        content than that still gets its bar."""
        from PySide6.QtCore import Qt

        policy = (Qt.ScrollBarPolicy.ScrollBarAlwaysOff if maximum <= SCROLL_SLACK
                  else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        if self.horizontalScrollBarPolicy() != policy:
            self.setHorizontalScrollBarPolicy(policy)

    def refresh_measure(self) -> None:
        self._apply_measure(self.document())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.refresh_measure()

    # -- links -----------------------------------------------------------------------
    def on_anchor_clicked(self, url: QUrl) -> None:
        action = resource_policy.classify_link(url.toString())
        if action.kind == "anchor":
            self.anchor_requested.emit(action.target)
        elif action.kind == "external":
            self.external_link_requested.emit(action.target)

    def scroll_to_fragment(self, fragment: str) -> bool:
        """Scroll to an anchor in the shown section; False when it is not here."""
        cursor = QTextCursor(self.document())
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fragment in fmt.anchorNames():
                    cursor.setPosition(it.fragment().position())
                    self.setTextCursor(cursor)
                    self.ensureCursorVisible()
                    return True
                it += 1
            block = block.next()
        return False
