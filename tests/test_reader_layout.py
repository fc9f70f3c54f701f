"""How the reader lays a section out in the room it has."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextFormat

from briefreader.parse import parse_markdown
from briefreader.ui.reader import ReaderView

SOURCE = ("# Interoperability Arrangements\n\nA paragraph of the section.\n\n"
          "## Digital Interconnection\n\nMore text.\n")


def heading_lines(view: ReaderView) -> dict[str, list[str]]:
    """Each heading's lines as drawn now."""
    doc = view.document()
    doc.documentLayout().documentSize()  # laid out for the width it has now
    out: dict[str, list[str]] = {}
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel():
            layout, text = block.layout(), block.text()
            out[text] = [text[layout.lineAt(i).textStart():
                              layout.lineAt(i).textStart() + layout.lineAt(i).textLength()]
                         for i in range(layout.lineCount())]
        block = block.next()
    return out


def heading_sizes(view: ReaderView) -> dict[str, int]:
    doc = view.document()
    sizes: dict[str, int] = {}
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel():
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
            sizes[block.text()] = cursor.charFormat().property(
                QTextFormat.Property.FontSizeAdjustment) or 0
        block = block.next()
    return sizes


def test_a_large_heading_steps_down_in_a_narrow_column_rather_than_break_a_word(qtbot):
    brief = parse_markdown(SOURCE, name="narrow.md", content_hash="h-narrow-headings")
    view = ReaderView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    for section in brief.sections:  # a level-1 heading, then a level-2 one
        view.set_zoom(100)
        view.resize(900, 600)
        view.show_section(brief, section)
        qtbot.wait(10)
        wide = heading_sizes(view)
        assert wide[section.title] > 0
        for width, zoom in ((300, 100), (240, 100), (300, 150)):  # a small window's text
            view.set_zoom(zoom)
            view.resize(width, 600)
            qtbot.wait(10)
            lines = heading_lines(view)[section.title]
            # Every line is whole words: none was cut in two.
            assert all(set(line.split()) <= set(section.title.split()) for line in lines), (
                width, zoom, lines)
            assert 0 <= heading_sizes(view)[section.title] <= wide[section.title]
        assert heading_sizes(view)[section.title] < wide[section.title]  # it had to
        # Room again: the heading is its own size again, and the text never changed.
        text = view.document().toPlainText()
        view.set_zoom(100)
        view.resize(900, 600)
        qtbot.wait(10)
        assert heading_sizes(view) == wide
        assert view.document().toPlainText() == text
