"""Print and PDF: the brief with coloured highlights and numbered notes (printing.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextCursor

from briefreader import printing
from briefreader.export import ORPHANS_HEADING, ExportExistsError
from briefreader.highlight_paint import colour_for
from briefreader.notes import NotesService
from briefreader.parse import load_brief
from briefreader.resource_policy import resolve_resource
from briefreader.store import Store

BRIEF = """\
---
title: Rail Freight Readout
id: rail-2026
---

Freight volumes rose by a fifth 🚆 last year.

## Corridors

The eastern corridor carries most new traffic. The western corridor is under repair.

![map](map.png) ![secret](/etc/passwd)

## Funding

Track access charges stay frozen until 2028.
"""


@pytest.fixture
def brief(tmp_path):
    path = tmp_path / "rail.md"
    path.write_text(BRIEF, encoding="utf-8")
    return load_brief(path)


@pytest.fixture
def service(tmp_path):
    store = Store(tmp_path / "notes.sqlite3")
    yield NotesService(store, author="dana")
    store.close()


@pytest.fixture
def annotated(brief, service):
    service.annotate(brief, "corridors", "western corridor", note="Second note", color="red")
    service.annotate(brief, "corridors", "eastern corridor", note="First note", tags=["east"])
    service.annotate(brief, "_lead", "a fifth", note="Lead note <script>x</script>", color="blue")
    c = service.comment(brief, "funding", "Frozen for how long?")
    service.comment(brief, "funding", "Until 2028.", reply_to=c.id)
    return service.highlights(brief), service.comments(brief)


def build(brief, service, highlights, comments):
    labels = {c.color: c.label for c in service.store.color_labels()}
    return printing.build_print_document(brief, highlights, comments, labels=labels)


def test_notes_follow_their_section_in_order(qapp, brief, service, annotated):
    doc = build(brief, service, *annotated)
    text = doc.toPlainText()
    order = [
        "Freight volumes",
        "a fifth[1]",
        "Lead note",
        "Corridors",
        "eastern corridor[1]",
        "western corridor[2]",
        "First note",
        "Second note",
        "Funding",
        "Frozen for how long?",
        "Until 2028.",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "<script>" not in text and "tags: east" in text
    assert "question" in text and "concern" in text  # the colour labels


def test_highlights_are_coloured(qapp, brief, service, annotated):
    doc = build(brief, service, *annotated)
    text = doc.toPlainText()
    cursor = QTextCursor(doc)
    # UTF-16 positions: the emoji before "a fifth" would shift a code-point count.
    for quote, colour in (("eastern corridor", "yellow"), ("western corridor", "red")):
        at = len(text[: text.index(quote) + 3].encode("utf-16-le")) // 2
        cursor.setPosition(at)
        assert cursor.charFormat().background().color() == colour_for(colour, False)
    at = len(text[: text.index("a fifth") + 2].encode("utf-16-le")) // 2
    cursor.setPosition(at)
    assert cursor.charFormat().background().color() == colour_for("blue", False)
    cursor.setPosition(len(text[: text.index("Freight") + 2].encode("utf-16-le")) // 2)
    assert cursor.charFormat().background().color() != colour_for("yellow", False)


def test_orphans_come_last(qapp, tmp_path, brief, service, annotated):
    edited = tmp_path / "rail.md"
    edited.write_text(BRIEF.replace("The western corridor is under repair.", ""), "utf-8")
    changed = load_brief(edited)
    service.sync(changed)
    doc = build(changed, service, service.highlights(changed), service.comments(changed))
    text = doc.toPlainText()
    assert text.index(ORPHANS_HEADING) > text.index("Until 2028.")
    assert text.index("Second note") > text.index(ORPHANS_HEADING)
    assert "was in “Corridors”" in text


def test_export_pdf_writes_a_pdf_atomically(qapp, tmp_path, brief, service, annotated):
    doc = build(brief, service, *annotated)
    target = tmp_path / "out" / "rail.pdf"
    target.parent.mkdir()
    printing.export_pdf(doc, target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
    with pytest.raises(ExportExistsError):
        printing.export_pdf(doc, target)
    assert target.read_bytes() == data
    printing.export_pdf(doc, target, force=True)
    assert os.listdir(target.parent) == ["rail.pdf"]


def test_images_only_from_the_brief_folder(qapp, tmp_path, brief, service):
    QImage(7, 5, QImage.Format.Format_RGB32).save(str(tmp_path / "map.png"))
    doc = build(brief, service, [], [])
    inside = doc.loadResource(2, QUrl("map.png"))
    outside = doc.loadResource(2, QUrl("/etc/passwd"))
    parent = doc.loadResource(2, QUrl("../rail.md"))
    assert (inside.width(), inside.height()) == (7, 5)
    placeholder = QImage()
    placeholder.loadFromData(resolve_resource(None, "").data)
    for refused in (outside, parent):
        assert (refused.width(), refused.height()) == (placeholder.width(), placeholder.height())
    assert doc.loadResource(1, QUrl("/etc/passwd")) == ""  # style sheets: nothing


def _long_brief(tmp_path, service, repeat, words):
    """3 sections of 6 long paragraphs, a note with text on each paragraph."""
    parts = ["---\ntitle: Long\nid: long\n---\n"]
    for s in range(3):
        parts.append(f"## Section {s}\n")
        parts += [f"Para{s * 6 + p} " + "lorem ipsum dolor sit amet consectetur " * repeat + "\n"
                  for p in range(6)]
    path = tmp_path / "long.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    long = load_brief(path)
    for n in range(18):
        service.annotate(long, f"section-{n // 6}", f"Para{n}",
                         note="key point " + "words " * words)
    return long


def _paged_as_exported(doc, tmp_path):
    """``doc`` laid out in pages as export_pdf prints it (A4, 18 mm margins)."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(tmp_path / "probe.pdf"))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter))
    return printing.paginate_like_print(doc, writer)


def _pdf_text(target):
    """The PDF's text, page by page (form feeds between); skips without pdftotext."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed")
    return subprocess.run([pdftotext, "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize(("repeat", "words"), [(20, 5), (22, 40), (38, 5)])
def test_a_note_header_is_never_alone_at_the_foot_of_a_page(qapp, tmp_path, service, repeat, words):
    long = _long_brief(tmp_path, service, repeat, words)
    doc = build(long, service, service.highlights(long), [])
    target = tmp_path / "long.pdf"
    printing.export_pdf(doc, target)

    # Laid out as export_pdf prints it (A4, 18 mm margins): each header shares its page
    # with the first line of its note, and each heading with what follows it.
    paged = _paged_as_exported(doc, tmp_path)
    headers = 0
    block = paged.begin()
    while block.next().isValid():
        if block.text().startswith("“Para") or block.blockFormat().headingLevel():
            headers += block.text().startswith("“Para")
            assert printing.page_of(paged, block.next()) == printing.page_of(
                paged, block, last_line=True), block.text()
        block = block.next()
    assert headers == 18

    out = _pdf_text(target)
    for page in out.split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip()][:-1]  # page number
        assert not (lines and re.match(r"\d+\. “Para", lines[-1])), lines[-1]
        assert not (lines and lines[-1].startswith("Section")), lines[-1]
    flat = " ".join(out.split())
    for n in range(18):
        assert f"“Para{n}”" in flat and f"Para{n}[" in flat
    assert flat.count("key point words") == 18


@pytest.mark.parametrize(("repeat", "words"), [(16, 40), (23, 5), (28, 40)])
def test_a_comment_header_or_heading_is_never_alone_at_the_foot_of_a_page(
        qapp, tmp_path, service, repeat, words):
    parts = ["---\ntitle: Long\nid: long\n---\n"]
    for s in range(6):
        parts.append(f"## Section {s}\n")
        parts += [f"Para{s * 2 + p} " + "lorem ipsum dolor sit amet consectetur " * repeat
                  + "\n" for p in range(2)]
    path = tmp_path / "long.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    long = load_brief(path)
    for s in range(6):
        for k in range(3):
            service.comment(long, f"section-{s}", f"Comment {s}.{k} " + "words " * words)
    doc = build(long, service, [], service.comments(long))
    target = tmp_path / "long.pdf"
    printing.export_pdf(doc, target)

    paged = _paged_as_exported(doc, tmp_path)
    kept = []
    block = paged.begin()
    while block.next().isValid():
        if block.blockFormat().boolProperty(printing.KEEP_WITH_NEXT):
            kept.append(block.text())
            assert printing.page_of(paged, block.next()) == printing.page_of(
                paged, block, last_line=True), block.text()
        block = block.next()
    # Each section's heading, its "Comments" label and its three comments' header lines.
    assert kept.count("Comments") == 6 and sum(t.startswith("Section") for t in kept) == 6
    assert sum(" · 20" in t for t in kept) == 18

    out = _pdf_text(target)
    for page in out.split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip()][:-1]  # page number
        assert not (lines and re.search(r" · \d{4}-\d\d-\d\d$", lines[-1])), lines[-1]
        assert not (lines and lines[-1] in ("Comments",) or lines and
                    lines[-1].startswith("Section")), lines[-1]
    flat = " ".join(out.split())
    assert all(f"Comment {s}.{k} " in flat for s in range(6) for k in range(3))
