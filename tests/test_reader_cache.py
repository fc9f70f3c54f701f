"""The reader's document cache stays bounded: evicted documents are freed."""

from __future__ import annotations

import gc

import shiboken6

from briefreader.parse import parse_markdown
from briefreader.ui.reader import CACHE_SIZE, ReaderView, SafeDocument


def alive_documents() -> list[SafeDocument]:
    """The documents alive now (the objects themselves: an id can be reused once freed)."""
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, SafeDocument) and shiboken6.isValid(o)]


def new_since(before: list[SafeDocument]) -> list[SafeDocument]:
    return [d for d in alive_documents() if not any(d is b for b in before)]


def test_switching_many_sections_keeps_a_bounded_number_of_documents(qtbot):
    source = "".join(f"# Part {i}\n\nParagraph {i} about the budget.\n\n" for i in range(200))
    brief = parse_markdown(source, name="many.md", content_hash="h-many-sections")
    before = alive_documents()  # other tests' windows may still be around
    view = ReaderView()
    qtbot.addWidget(view)
    for section in brief.sections:
        view.show_section(brief, section)
    alive = new_since(before)
    assert len(alive) <= CACHE_SIZE + 2  # the cache, the blank page, the one on screen
    assert view.document() is not None and "Paragraph 199" in view.toPlainText()
    # Going back to an evicted section builds it again.
    view.show_section(brief, brief.sections[0])
    assert "Paragraph 0 about" in view.toPlainText()


def test_a_destroyed_view_frees_its_documents(qtbot):
    source = "".join(f"# Part {i}\n\nParagraph {i}.\n\n" for i in range(20))
    brief = parse_markdown(source, name="few.md", content_hash="h-few-sections")
    before = alive_documents()
    view = ReaderView()
    for section in brief.sections:
        view.show_section(brief, section)
    assert len(new_since(before)) > 2
    shiboken6.delete(view)
    assert new_since(before) == []
