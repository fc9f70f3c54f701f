"""Print and PDF: the brief with its highlights in colour, notes numbered per section.

Each section is rendered exactly as the reader renders it (so note positions map
the same way), painted, then appended to one document followed by its numbered
notes and section comments. Notes that were not found in this version of the
brief come last. QtGui and QtPrintSupport only: no widgets, so this runs headless.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFormat,
)

from briefreader import render, resource_policy
from briefreader.brief import Brief, Section
from briefreader.export import ORPHANS_HEADING, ExportError, group_notes, write_file_atomically
from briefreader.highlight_paint import TextMap, colour_for
from briefreader.records import DEFAULT_LABELS, Comment, Highlight

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

# Block property of a note's header line ("1. “quote” — label · author · date"): on paper
# it stays on the page of the note's text, as headings stay with what follows them.
KEEP_WITH_NEXT = QTextFormat.Property.UserProperty.value + 0x4B57


def placeholder_image() -> QImage:
    """What stands in for an image the resource policy does not allow."""
    image = QImage()
    image.loadFromData(resource_policy.resolve_resource(None, "placeholder").data)
    return image


class PolicyDocument(QTextDocument):
    """A QTextDocument that loads images only as the resource policy allows (the
    reader's documents and the printed brief alike).

    Returning None from loadResource would let Qt open the path itself (a FIFO
    hangs it, /dev/zero never ends), so every request gets an answer: the image,
    the placeholder, or an empty string.
    """

    def __init__(self, base_dir: Path | None, parent=None) -> None:
        super().__init__(parent)
        self._base_dir = base_dir
        self.setUndoRedoEnabled(False)  # highlights are painted in; they are not edits

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt override
        if kind in (QTextDocument.ResourceType.ImageResource,
                    QTextDocument.ResourceType.ImageResource.value):
            resource = resource_policy.resolve_resource(self._base_dir, url.toString())
            image = QImage()
            if resource.kind == "image" and image.loadFromData(resource.data):
                return image
            return placeholder_image()
        return ""


def build_print_document(
    brief: Brief,
    highlights: Sequence[Highlight],
    comments: Sequence[Comment] = (),
    *,
    labels: Mapping[str, str] | None = None,
) -> QTextDocument:
    """The whole brief, highlights coloured and marked [n], each section followed by
    its numbered notes and comments; notes not found in this version at the end."""
    labels = labels or DEFAULT_LABELS
    by_section, roots, replies = group_notes(brief, highlights, comments)

    doc = PolicyDocument(brief.base_dir)
    doc.setDefaultStyleSheet(render.stylesheet(False))
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, brief.title)
    cursor = QTextCursor(doc)
    if not brief.sections or brief.sections[0].level != 0:
        cursor.insertHtml(f"<h1>{html.escape(brief.title)}</h1>")
    for section in brief.sections:
        notes = by_section.get(section.id, [])
        _new_block(cursor)
        first = cursor.position()
        fragment, headed = _section_fragment(brief, section, notes)
        cursor.insertFragment(fragment)
        if headed:  # (the first block takes the format of the one it went into)
            _mark_kept_with_next(doc, first)
        extra = _notes_html(notes, labels) + _comments_html(roots.get(section.id, ()), replies)
        if extra:
            _new_block(cursor)
            start = cursor.position()
            cursor.insertHtml(extra)
            _mark_note_headers(doc, start, notes)
            _mark_comment_headers(doc, start, roots.get(section.id, ()), replies)
    orphans, orphan_roots = by_section.get(None, []), roots.get(None, [])
    if orphans or orphan_roots:
        _new_block(cursor)
        start = cursor.position()
        cursor.insertHtml(
            f"<h2>{html.escape(ORPHANS_HEADING)}</h2>"
            + _notes_html(orphans, labels, orphaned=True)
            + _comments_html(orphan_roots, replies)
        )
        _mark_note_headers(doc, start, orphans)
        _mark_comment_headers(doc, start, orphan_roots, replies)
    return doc


def _mark_note_headers(doc: QTextDocument, start: int, notes: Sequence[Highlight]) -> None:
    """Mark the header line of each note that has text (the items of the first list
    inserted from ``start``) as kept with that text when the document is paginated."""
    block = doc.findBlock(start)
    while block.isValid() and block.textList() is None:
        block = block.next()
    numbered = block.textList() if block.isValid() else None
    if numbered is None or numbered.count() != len(notes):
        return
    for i, h in enumerate(notes):
        if _note_html(h.note):
            _mark_kept_with_next(doc, numbered.item(i).position())


def _mark_comment_headers(doc: QTextDocument, start: int, roots: Sequence[Comment],
                          replies: Mapping[str, list[Comment]]) -> None:
    """Mark the "Comments" label and each comment's header line ("author · date",
    as ``_comments_html`` writes them, in its order, from ``start``) as kept with
    what follows them when the document is paginated."""
    if not roots:
        return
    heads: list[str | None] = ["Comments"]

    def walk(c: Comment) -> None:
        # A comment with no text has nothing to be kept with.
        heads.append(f"{c.author or 'unknown'} · {c.created[:10]}" if _note_html(c.body)
                     else None)
        for r in replies.get(c.id, ()):
            walk(r)

    for c in roots:
        walk(c)
    block = doc.findBlock(start)
    for head in heads:
        while block.isValid() and block.text() != (head or block.text()):
            block = block.next()
        if not block.isValid():
            return
        if head is not None:
            _mark_kept_with_next(doc, block.position())
            block = block.next()


def _new_block(cursor: QTextCursor) -> None:
    """Move to the end and start a plain block, so that what is inserted next neither
    joins the last paragraph nor continues its list."""
    cursor.movePosition(QTextCursor.MoveOperation.End)
    if cursor.position() > 0:
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())


def _section_fragment(
    brief: Brief, section: Section, notes: Sequence[Highlight]
) -> QTextDocumentFragment:
    rendered = render.render_section(brief, section)
    part = PolicyDocument(brief.base_dir)
    part.setDefaultStyleSheet(render.stylesheet(False))
    part.setHtml(rendered.html)
    # Headings stay with what follows them on paper (their level is lost on the way
    # into the printed document, this mark is not; but for the first block's, which the
    # caller marks again).
    block = part.begin()
    headed = block.blockFormat().headingLevel() > 0
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            _mark_kept_with_next(part, block.position())
        block = block.next()
    if notes:
        text_map = TextMap(part.toPlainText(), rendered.plain_text)
        spans = []
        for number, h in enumerate(notes, 1):
            where = text_map.to_document(h.current_start, h.current_end)
            if where is not None:
                spans.append((where, number, h.color))
        cursor = QTextCursor(part)
        cursor.beginEditBlock()
        mark = QTextCharFormat()
        mark.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignSuperScript)
        # From the end backwards: inserting a mark must not shift spans still to paint.
        for (start, end), number, color in sorted(spans, key=lambda s: s[0], reverse=True):
            fmt = QTextCharFormat()
            fmt.setBackground(colour_for(color, False))
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
            cursor.setPosition(end)
            cursor.insertText(f"[{number}]", mark)
        cursor.endEditBlock()
    return QTextDocumentFragment(part), headed


def _mark_kept_with_next(doc: QTextDocument, position: int) -> None:
    """Mark the block at ``position`` as kept with the next when paginated."""
    keep = QTextBlockFormat()
    keep.setProperty(KEEP_WITH_NEXT, True)
    cursor = QTextCursor(doc)
    cursor.setPosition(position)
    cursor.mergeBlockFormat(keep)


def _note_html(text: str) -> str:
    # Notes are the user's Markdown, rendered and sanitised like the notes panel does.
    return render.render_markdown_fragment(text) if text.strip() else ""


def _notes_html(
    notes: Sequence[Highlight], labels: Mapping[str, str], *, orphaned: bool = False
) -> str:
    if not notes:
        return ""
    items = []
    for h in notes:
        label = labels.get(h.color) or DEFAULT_LABELS.get(h.color, h.color)
        swatch = colour_for(h.color, False).name()
        meta = [f'<span style="background-color:{swatch}">&nbsp;{html.escape(label)}&nbsp;</span>']
        if orphaned:
            meta.append(f"was in “{html.escape(h.section_heading)}”")
        if h.tags:
            # Comma-separated, as they are typed: "needs review" is one tag.
            meta.append(html.escape("tags: " + ", ".join(h.tags)))
        meta += [html.escape(m) for m in (h.author, h.modified[:10]) if m]
        items.append(
            f"<li><p><i>“{html.escape(h.exact)}”</i> — {' · '.join(meta)}</p>"
            f"{_note_html(h.note)}</li>"
        )
    return f'<ol class="print-notes">{"".join(items)}</ol>'


def _comments_html(roots: Sequence[Comment], replies: Mapping[str, list[Comment]]) -> str:
    if not roots:
        return ""

    def thread(c: Comment) -> str:
        head = f"<p><b>{html.escape(c.author or 'unknown')}</b> · {html.escape(c.created[:10])}</p>"
        nested = "".join(thread(r) for r in replies.get(c.id, ()))
        return f"<li>{head}{_note_html(c.body)}{f'<ul>{nested}</ul>' if nested else ''}</li>"

    return "<p><b>Comments</b></p><ul>" + "".join(thread(c) for c in roots) + "</ul>"


def print_document(document: QTextDocument, printer: QPrinter) -> None:
    """Send a built document to a printer the user chose (QPrintDialog)."""
    keep_with_next(document, printer)
    document.print_(printer)


def export_pdf(document: QTextDocument, path: Path, *, force: bool = False) -> None:
    """Write the document as an A4 PDF, atomically; an existing file only with ``force``."""

    def write(tmp: Path) -> None:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(document.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
        writer.setCreator("briefreader")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(18, 18, 18, 18),
                QPageLayout.Unit.Millimeter,
            )
        )
        keep_with_next(document, writer)
        document.print_(writer)
        del writer  # closes and flushes the file
        if tmp.stat().st_size == 0:
            raise ExportError(f"cannot write {path}: the PDF came out empty")

    write_file_atomically(path, write, force=force)


def _keeps_with_next(block: QTextBlock) -> bool:
    fmt = block.blockFormat()
    if fmt.headingLevel() <= 0 and not fmt.boolProperty(KEEP_WITH_NEXT):
        return False
    return QTextCursor(block).currentTable() is None


def _source_dpi() -> tuple[int, int]:
    """The resolution print_ assumes the document was laid out for (Qt's default dpi)."""
    app = QGuiApplication.instance()
    if app is not None and app.testAttribute(Qt.ApplicationAttribute.AA_Use96Dpi):
        return 96, 96
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return 100, 100
    return round(screen.logicalDotsPerInchX()), round(screen.logicalDotsPerInchY())


def paginate_like_print(document: QTextDocument, device: QPagedPaintDevice) -> QTextDocument:
    """A copy of ``document`` laid out in pages exactly as ``document.print_(device)``
    lays it out: the device's page and fonts, 2 cm frame margins (QTextDocument.print_
    does the same on its own copy)."""
    if device.pageLayout().margins(QPageLayout.Unit.Millimeter).isNull():
        # print_ gives a device without margins 2 mm ones; do it first to measure that page.
        device.setPageMargins(QMarginsF(2, 2, 2, 2), QPageLayout.Unit.Millimeter)
    paged = document.clone(document)  # parented: images still load through the policy
    paged.documentLayout().setPaintDevice(device)
    dpi_x, dpi_y = _source_dpi()
    frame = paged.rootFrame().frameFormat()
    frame.setLeftMargin(int(2 / 2.54 * dpi_x))
    frame.setRightMargin(int(2 / 2.54 * dpi_x))
    frame.setTopMargin(int(2 / 2.54 * dpi_y))
    frame.setBottomMargin(int(2 / 2.54 * dpi_y))
    paged.rootFrame().setFrameFormat(frame)
    paged.setPageSize(QSizeF(device.width(), device.height()))
    return paged


def page_of(paged: QTextDocument, block: QTextBlock, *, last_line: bool = False) -> int:
    """The page (from 0) of a block's first (or last) line in a paginated document."""
    top = paged.documentLayout().blockBoundingRect(block).top()
    lines = block.layout().lineCount()
    if lines:
        top += block.layout().lineAt(lines - 1 if last_line else 0).y()
    return int(top // paged.pageSize().height())


def keep_with_next(document: QTextDocument, device: QPagedPaintDevice) -> None:
    """Start a new page before a heading or a note's header line that would otherwise
    end a page while what it introduces begins the next one (Qt rich text has no
    "keep with next"). Headings and headers right above it on that page go with it."""
    auto = QTextBlockFormat.PageBreakFlag.PageBreak_Auto
    always = QTextBlockFormat.PageBreakFlag.PageBreak_AlwaysBefore
    edit = QTextCursor(document)
    block = document.begin()
    while block.isValid():  # forget breaks made for another page size
        if _keeps_with_next(block) and block.blockFormat().pageBreakPolicy() != auto:
            fmt = block.blockFormat()
            fmt.setPageBreakPolicy(auto)
            edit.setPosition(block.position())
            edit.setBlockFormat(fmt)
        block = block.next()
    paged = paginate_like_print(document, device)
    paged_edit = QTextCursor(paged)
    block = paged.begin()
    while block.isValid():
        after = block.next()
        if (after.isValid() and _keeps_with_next(block)
                and page_of(paged, after) > page_of(paged, block, last_line=True)):
            first, page = block, page_of(paged, block)
            before = first.previous()
            while (before.isValid() and _keeps_with_next(before)
                   and page_of(paged, before, last_line=True) == page):
                first, before = before, before.previous()
            # Already at the top of its page: a break would only leave a blank page.
            if before.isValid() and page_of(paged, before, last_line=True) == page:
                for doc, cursor in ((paged, paged_edit), (document, edit)):
                    target = doc.findBlockByNumber(first.blockNumber())
                    fmt = target.blockFormat()
                    fmt.setPageBreakPolicy(always)
                    cursor.setPosition(target.position())
                    cursor.setBlockFormat(fmt)
                # Lay out again all that follows: Qt would only shift the blocks below,
                # keeping where they broke across pages before.
                rest = first.position()
                paged.markContentsDirty(rest, paged.characterCount() - rest)
        block = after
    paged.setParent(None)
