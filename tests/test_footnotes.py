"""Footnotes defined at the end of a brief show in the section that cites them."""

from __future__ import annotations

from briefreader.parse import parse_markdown
from briefreader.render import render_section

SOURCE = """\
# Intake

River intake fell sharply[^flow] over the summer.

# Storage

Reservoirs hold two months of supply[^store]. Here is a [^flow] reuse.

# Annex

Nothing else to add.

[^flow]: Measured at the northern weir.
[^store]: At current demand,
    without the new transfer.
"""


def _brief():
    return parse_markdown(SOURCE, name="f.md", content_hash="h-footnotes")


def test_definitions_follow_their_references():
    brief = _brief()
    intake = render_section(brief, brief.section("intake"))
    storage = render_section(brief, brief.section("storage"))
    annex = render_section(brief, brief.section("annex"))
    assert "Measured at the northern weir." in intake.plain_text
    assert "without the new transfer" not in intake.plain_text
    assert "At current demand, without the new transfer." in storage.plain_text
    assert "Measured at the northern weir." in storage.plain_text
    # The section that merely held the definitions shows none of them.
    assert annex.plain_text == "Nothing else to add."
    assert 'href="#fn:intake:flow"' in intake.html


def test_briefs_with_one_hash_but_other_sections_keep_their_own_definitions():
    from briefreader.footnotes import effective_source

    first = _brief()
    other = parse_markdown(SOURCE.replace("northern weir", "southern gauge"), name="f.md",
                           content_hash="h-footnotes")  # the same hash, other text
    assert "northern weir" in effective_source(first, first.section("intake"))
    assert "southern gauge" in effective_source(other, other.section("intake"))
    assert "northern weir" in effective_source(first, first.section("intake"))


def test_the_same_brief_loaded_again_finds_its_definitions_without_comparing_again():
    from briefreader import footnotes

    first, again = _brief(), _brief()  # equal sections, other objects
    footnotes.effective_source(first, first.section("intake"))
    footnotes.effective_source(again, again.section("intake"))
    # The cache now holds the newer load's own sections: found by identity from here.
    assert footnotes._CACHE["h-footnotes"][0] is again.sections
