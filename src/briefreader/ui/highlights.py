"""Highlights in a section's QTextDocument.

``paint`` colours highlights inside one edit block; ``highlight_at`` finds the one
under a position. The colours and ``TextMap`` (plain-text offsets ↔ document
positions) live in the core module briefreader.highlight_paint, shared with
printing, and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument, QTextFormat

from briefreader.highlight_paint import COLOURS, OBJECT_CHAR, TextMap, colour_for

__all__ = [
    "COLOURS",
    "HIGHLIGHT_ID",
    "OBJECT_CHAR",
    "Span",
    "TextMap",
    "colour_for",
    "highlight_at",
    "paint",
]

HIGHLIGHT_ID = QTextFormat.Property.UserProperty + 1


@dataclass(frozen=True)
class Span:
    id: str
    start: int  # plain-text code points
    end: int
    color: str


def paint(doc: QTextDocument, text_map: TextMap, spans: list[Span], *, dark: bool) -> int:
    """Colour every span that maps into the document; returns how many were painted."""
    painted = 0
    colours = {name: colour_for(name, dark) for name in COLOURS}
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    try:
        for span in spans:
            where = text_map.to_document(span.start, span.end)
            if where is None:
                continue
            fmt = QTextCharFormat()
            fmt.setBackground(colours.get(span.color) or colours["yellow"])
            fmt.setProperty(HIGHLIGHT_ID, span.id)
            cursor.setPosition(where[0])
            cursor.setPosition(where[1], QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
            painted += 1
    finally:
        cursor.endEditBlock()
    return painted


def highlight_at(doc: QTextDocument, position: int) -> str | None:
    """Id of the highlight under a document position, if any."""
    cursor = QTextCursor(doc)
    cursor.setPosition(min(position + 1, max(doc.characterCount() - 1, 0)))
    value = cursor.charFormat().property(HIGHLIGHT_ID)
    return value if isinstance(value, str) and value else None
