"""Qt document positions ↔ offsets in a section's normalised plain text."""

from __future__ import annotations

import pytest

from briefreader.anchor import cp_to_utf16
from briefreader.brief import normalise_text
from briefreader.ui.highlights import TextMap

HEADING = "Water Talks"


def doc_and_plain(body: str) -> tuple[str, str]:
    """A document text as Qt gives it: heading block, then the body blocks."""
    return HEADING + "\n" + body, normalise_text(body.replace("\ufffc", ""))


@pytest.mark.parametrize(
    "body",
    [
        "Ministers met.\nThey agreed terms.",
        "Spaces   inside\tand\n\n\nmany breaks.",
        "Emoji 🌊 before the quote, then the quote.",
        "An image \ufffc here and \ufffc there, then the quote.",
        "Cafe\u0301 with a combining accent, then the quote.",
        "  Leading and trailing white space.  ",
    ],
)
def test_every_plain_span_maps_to_the_same_text_and_back(body):
    doc, plain = doc_and_plain(body)
    m = TextMap(doc, plain)
    assert m.exact
    for start in range(0, len(plain) - 1, 3):
        end = min(len(plain), start + 7)
        if plain[start] == " " or plain[end - 1] == " ":
            continue
        a, b = m.to_document(start, end)
        # Positions are UTF-16 units, as QTextCursor counts them.
        raw = doc.encode("utf-16-le")[a * 2 : b * 2].decode("utf-16-le")
        assert normalise_text(raw.replace("\ufffc", "")) == plain[start:end]
        assert m.from_document(a, b) == (start, end)


def test_emoji_shifts_utf16_positions():
    doc, plain = doc_and_plain("🌊 wave then quote")
    m = TextMap(doc, plain)
    start = plain.index("quote")
    a, _ = m.to_document(start, start + 5)
    assert a == cp_to_utf16(doc, doc.index("quote"))
    assert a == doc.index("quote") + 1


def test_selection_across_paragraphs_and_heading_is_trimmed_to_the_body():
    doc, plain = doc_and_plain("First para.\nSecond para.")
    m = TextMap(doc, plain)
    # From inside the heading to the end of the first paragraph.
    span = m.from_document(2, doc.index("para.") + 5)
    assert span == (0, len("First para."))
    # A selection of only the paragraph break gives nothing.
    gap = doc.index("\nSecond")
    assert m.from_document(gap, gap + 1) is None


def test_text_that_does_not_match_is_reported():
    m = TextMap("Heading\nsomething else", "the body")
    assert not m.exact
    assert m.to_document(0, 3) is None
