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

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import (
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
)

from briefreader import render, resource_policy
from briefreader.brief import Brief, Section
from briefreader.export import ORPHANS_HEADING, ExportError, group_notes, write_file_atomically
from briefreader.highlight_paint import TextMap, colour_for
from briefreader.records import DEFAULT_LABELS, Comment, Highlight

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter


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
        cursor.insertFragment(_section_fragment(brief, section, notes))
        extra = _notes_html(notes, labels) + _comments_html(roots.get(section.id, ()), replies)
        if extra:
            _new_block(cursor)
            cursor.insertHtml(extra)
    orphans, orphan_roots = by_section.get(None, []), roots.get(None, [])
    if orphans or orphan_roots:
        _new_block(cursor)
        cursor.insertHtml(
            f"<h2>{html.escape(ORPHANS_HEADING)}</h2>"
            + _notes_html(orphans, labels, orphaned=True)
            + _comments_html(orphan_roots, replies)
        )
    return doc


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
    return QTextDocumentFragment(part)


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
        document.print_(writer)
        del writer  # closes and flushes the file
        if tmp.stat().st_size == 0:
            raise ExportError(f"cannot write {path}: the PDF came out empty")

    write_file_atomically(path, write, force=force)
