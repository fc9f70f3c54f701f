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


TABLE = ("# Tariff Schedule\n\n"
         "| Line | Good | Rate now | Rate from 2027 | Quota | Note |\n"
         "|---|---|---|---|---|---|\n"
         + "".join(f"| {n} | Processed goods of heading {n} | {n % 7} per cent | nil "
                   f"| {n * 40} tonnes | staged over three years |\n" for n in range(1, 9))
         + "\n## Wide\n\n| A |\n|---|\n| <img src=\"x.png\" width=\"1400\" height=\"4\"> |\n")


def test_a_table_that_fits_its_column_gets_no_sideways_scroll_bar(qtbot):
    """A table squeezed into the text's column (Qt lays it out a pixel wider than the
    column, into the side margin) shows no scroll bar under the text; content plainly
    wider than the view still does."""
    brief = parse_markdown(TABLE, name="table.md", content_hash="h-table-width")
    table, wide = brief.sections
    view = ReaderView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    bar = view.horizontalScrollBar()
    for width in range(560, 1000, 7):
        view.resize(width, 600)
        view.show_section(brief, table)
        qtbot.wait(1)
        view.document().documentLayout().documentSize()  # laid out for this width
        assert not bar.isVisible() or bar.maximum() > 2, (width, bar.maximum())
    view.show_section(brief, wide)
    qtbot.waitUntil(lambda: bar.maximum() > 100)
    qtbot.waitUntil(bar.isVisible)
