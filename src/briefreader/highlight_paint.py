"""Highlight colours and the map between a section's plain text and its QTextDocument.

Notes anchor to the section's normalised plain text, counted in code points; a
QTextDocument counts UTF-16 units over text that still holds the heading, paragraph
breaks, runs of spaces and object characters for images. ``TextMap`` converts
between the two. QtGui only: the reader (briefreader.ui.highlights) and printing
both use it, and printing must run without widgets.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from PySide6.QtGui import QColor

OBJECT_CHAR = "\ufffc"
_WORD = re.compile(r"\S+")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")

#: Background colours (light theme, dark theme) for the five named colours.
COLOURS: dict[str, tuple[str, str]] = {
    "yellow": ("#fde68a", "#6b5a12"),
    "green": ("#bbf7d0", "#1f5c3a"),
    "blue": ("#bfdbfe", "#1e4a7a"),
    "red": ("#fecaca", "#7a2626"),
    "purple": ("#e9d5ff", "#553077"),
}


def colour_for(name: str, dark: bool) -> QColor:
    light, darker = COLOURS.get(name, COLOURS["yellow"])
    return QColor(darker if dark else light)


class TextMap:
    """Positions in a document's text ↔ offsets in the section's normalised plain text."""

    def __init__(self, doc_text: str, plain_text: str) -> None:
        # Runs per word, not per character: sections can be long.
        text, base = doc_text, None
        if OBJECT_CHAR in text:  # images: rare, so the per-character path is fine here
            base = [i for i, ch in enumerate(text) if ch != OBJECT_CHAR]
            text = text.replace(OBJECT_CHAR, "")
        parts: list[str] = []
        raw_index: list[int] = []  # for each normalised char, its index in doc_text
        prev_end = -1
        for m in _WORD.finditer(text):
            if prev_end >= 0:
                parts.append(" ")
                raw_index.append(prev_end)  # the first white space of the run
            parts.append(m.group())
            raw_index.extend(range(m.start(), m.end()))
            prev_end = m.end()
        if base is not None:
            raw_index = [base[i] for i in raw_index]
        collapsed = "".join(parts)
        if not unicodedata.is_normalized("NFC", collapsed):
            collapsed, raw_index = _nfc_with_map(collapsed, raw_index)
        self.normalised = collapsed
        self._raw_index = raw_index
        # UTF-16 position of every code point (and one past the end), when they differ.
        self._utf16: list[int] | None = None
        if _ASTRAL.search(doc_text):
            self._utf16 = [0]
            total = 0
            for ch in doc_text:
                total += 2 if ord(ch) > 0xFFFF else 1
                self._utf16.append(total)
        self.plain_length = len(plain_text)
        found = collapsed.rfind(plain_text) if plain_text else len(collapsed)
        self.exact = found >= 0
        self.body_offset = found if found >= 0 else 0

    def _to_utf16(self, index: int) -> int:
        return self._utf16[index] if self._utf16 is not None else index

    def _from_utf16(self, position: int) -> int:
        if self._utf16 is None:
            return position
        return bisect.bisect_left(self._utf16, position)

    def to_document(self, start: int, end: int) -> tuple[int, int] | None:
        """Plain-text span [start, end) → document positions, or None if not mappable."""
        if not self.exact or not 0 <= start < end <= self.plain_length:
            return None
        a = self._raw_index[self.body_offset + start]
        b = self._raw_index[self.body_offset + end - 1] + 1
        return self._to_utf16(a), self._to_utf16(b)

    def from_document(self, pos_a: int, pos_b: int) -> tuple[int, int] | None:
        """Document selection → plain-text span, trimmed to the body; None if empty."""
        if not self.exact:
            return None
        a = self._from_utf16(min(pos_a, pos_b))
        b = self._from_utf16(max(pos_a, pos_b))
        lo = bisect.bisect_left(self._raw_index, a)
        hi = bisect.bisect_left(self._raw_index, b)
        start = max(lo - self.body_offset, 0)
        end = min(hi - self.body_offset, self.plain_length)
        # Never start or end on the space standing for a paragraph break.
        text = self.normalised[self.body_offset : self.body_offset + self.plain_length]
        while start < end and text[start] == " ":
            start += 1
        while end > start and text[end - 1] == " ":
            end -= 1
        return (start, end) if start < end else None


def _nfc_with_map(text: str, raw_index: list[int]) -> tuple[str, list[int]]:
    """NFC one combining sequence at a time, so every output char keeps a source index."""
    out: list[str] = []
    index: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        index.extend([raw_index[i]] * len(piece))
        i = j
    return "".join(out), index
