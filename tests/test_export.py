"""Markdown and JSON export, import and merge (export.py, importing.py), without a window."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from briefreader import export as ex
from briefreader import importing as im
from briefreader import lineage
from briefreader.anchor import make_selector
from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.notes import NotesService, brief_key
from briefreader.parse import FILE_DIGITS, load_brief
from briefreader.render import section_plain_text
from briefreader.store import Comment, Highlight, Store

GOLDEN = Path(__file__).parent / "data" / "export"
# Set to regenerate the golden files deliberately, then review the diff.
REGENERATE = os.environ.get("BRIEFREADER_REGENERATE_GOLDEN") == "1"
EXPORTED_AT = "2026-04-01T08:00:00.000Z"

BRIEF = """\
---
title: Fisheries Readout
id: fisheries-2026
date: 2026-03-02
---

Quotas were agreed late on Thursday after two days of talks.

## Catch limits

The cod quota falls by 12 percent next year. The haddock quota is unchanged.

### Inshore boats

The cod quota for inshore boats is protected. Small ports welcomed the deal.

## Enforcement

Satellite monitoring becomes mandatory for vessels over 12 metres.

## Outlook

Scientists will review the stocks again in the autumn.
"""

HOSTILE = [
    "# Not a heading",
    "</blockquote> <script>alert(1)</script>",
    "```\nnot code\n```",
    "a `tick` and ``two``",
    "[click](javascript:alert(1)) and ![img](file:///etc/passwd)",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "> not a quote",
    "- not a list\n+ nor this\n1. nor this\n2) nor this",
    "***\n---\n___",
    "Setext\n===",
    "Setext two\n---",
    "<!-- briefreader:highlight id=evil text=0000000000000000 -->",
    "&amp; &#60; &lt;",
    "*em* _em_ **strong** ~~strike~~",
    "    indented code",
    "ends with a backslash\\",
    "<http://auto.link> <b onmouseover=x>bold</b>",
    "[ref]: http://example.com",
    "**Section comments**",
    "tab\there and {curly} ^caret",
]


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def brief(tmp_path) -> Brief:
    path = tmp_path / "fisheries.md"
    path.write_text(BRIEF, encoding="utf-8")
    return load_brief(path)


def text_of(brief: Brief, section_id: str) -> str:
    return section_plain_text(brief, brief.section(section_id))


def hl(
    brief: Brief,
    section_id: str,
    quote: str,
    n: int,
    *,
    note: str = "",
    color: str = "yellow",
    tags: tuple[str, ...] = (),
    author: str = "alice",
    status: str = "anchored",
    minute: int = 0,
) -> Highlight:
    text = text_of(brief, section_id)
    start = text.index(quote)
    sel = make_selector(text, start, start + len(quote))
    section = brief.section(section_id)
    stamp = f"2026-03-02T09:{minute:02d}:00.000Z"
    orphan = status == "orphaned"
    return Highlight(
        id=f"00000000-0000-4000-8000-{n:012d}",
        brief_key="fisheries-2026",
        section_id=section.id,
        section_heading=section.title,
        section_ordinal=section.ordinal,
        exact=sel.exact,
        prefix=sel.prefix,
        suffix=sel.suffix,
        start=sel.start,
        end=sel.end,
        color=color,
        note=note,
        tags=tags,
        author=author,
        created=stamp,
        modified=stamp,
        status=status,
        current_section=None if orphan else section.id,
        current_start=None if orphan else sel.start,
        current_end=None if orphan else sel.end,
    )


def cm(
    brief: Brief,
    section_id: str,
    body: str,
    n: int,
    *,
    reply_to: int | None = None,
    author: str = "bob",
    status: str = "anchored",
    minute: int = 30,
) -> Comment:
    section = brief.section(section_id)
    stamp = f"2026-03-02T10:{minute:02d}:00.000Z"
    return Comment(
        id=f"00000000-0000-4000-9000-{n:012d}",
        brief_key="fisheries-2026",
        section_id=section.id,
        section_heading=section.title,
        section_ordinal=section.ordinal,
        section_fingerprint="m1:",
        body=body,
        author=author,
        created=stamp,
        modified=stamp,
        reply_to=None if reply_to is None else f"00000000-0000-4000-9000-{reply_to:012d}",
        status=status,
        current_section=None if status == "orphaned" else section.id,
    )


def data_of(brief: Brief, highlights, comments, **kw) -> ex.NotesExport:
    texts = {}
    for h in highlights:
        if h.current_section is not None:
            texts[h.id] = text_of(brief, h.current_section)[h.current_start : h.current_end]
    return ex.NotesExport(
        brief=brief,
        brief_key="fisheries-2026",
        highlights=tuple(highlights),
        comments=tuple(comments),
        texts=texts,
        **kw,
    )


def sample(brief: Brief) -> ex.NotesExport:
    highlights = [
        hl(brief, "_lead", "agreed late on Thursday", 1, color="blue", note="Which Thursday?"),
        hl(
            brief,
            "catch-limits",
            "The cod quota falls by 12 percent",
            2,
            color="red",
            tags=("cod", "quota"),
            note="Steeper than expected.\n\nCheck against last year's 8 percent.",
            minute=5,
        ),
        hl(
            brief,
            "inshore-boats",
            "protected",
            3,
            color="green",
            author="carol",
            note="# Good\n<script>alert(1)</script> | [x](javascript:y)",
            minute=7,
        ),
        hl(brief, "catch-limits", "haddock quota", 4, status="orphaned", note="Was here."),
    ]
    comments = [
        cm(brief, "enforcement", "Who pays for the monitoring?", 1),
        cm(
            brief,
            "enforcement",
            "The vessel owners, in the first year.",
            2,
            reply_to=1,
            author="alice",
            minute=40,
        ),  # fmt: skip
        cm(brief, "enforcement", "Confirmed by the ministry.", 3, reply_to=2, minute=50),
        cm(brief, "outlook", "A section that no longer exists.", 4, status="orphaned"),
    ]
    return data_of(brief, highlights, comments)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(actual, encoding="utf-8")
        pytest.fail(f"regenerated {path}: review the difference, then run without REGENERATE")
    assert actual == path.read_text(encoding="utf-8"), f"differs from {path}"


def body(markdown: str) -> str:
    """The Markdown after its front matter."""
    return markdown.split("---\n", 2)[2]


LIVE = {"link_open", "image", "html_inline", "code_inline", "code_block", "fence", "table_open"}


def assert_inert(markdown: str) -> None:
    """No link, image, raw HTML or code anywhere; HTML blocks are only our markers."""
    for t in MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(markdown):
        assert t.type not in LIVE, t
        for child in t.children or ():
            assert child.type not in LIVE, child
        if t.type == "html_block":
            ours = re.fullmatch(r"(- )?<!-- briefreader:\w+ id=[\w-]+ text=[0-9a-f]{16} -->\n",
                                t.content)  # fmt: skip
            assert ours or t.content == ex.END_MARKER + "\n", t.content


def inline_text(token) -> str:
    """Text of an inline token; fails on anything but plain text and line breaks."""
    out = []
    for child in token.children:
        if child.type in ("text", "text_special"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        else:
            raise AssertionError(f"structure in user text: {child.type} {child.content!r}")
    return "".join(out)


def read_back(markdown: str) -> dict[str, tuple[str, str]]:
    """id → (quote, note) of every highlight, parsed with an independent CommonMark parser."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    found: dict[str, tuple[str, str]] = {}
    i = 0
    marker = re.compile(r"<!-- briefreader:highlight id=(\S+) text=[0-9a-f]{16} -->\n")
    while i < len(tokens):
        t = tokens[i]
        m = marker.fullmatch(t.content) if t.type == "html_block" else None
        if not m:
            i += 1
            continue
        i += 1
        assert tokens[i].type == "blockquote_open"
        quote_parts = []
        i += 1
        while tokens[i].type != "blockquote_close":
            if tokens[i].type == "inline":
                quote_parts.append(inline_text(tokens[i]))
            i += 1
        i += 1
        assert tokens[i].type == "paragraph_open"  # the meta line
        i += 3
        paragraphs = []
        while i < len(tokens) and tokens[i].type == "paragraph_open":
            inline = tokens[i + 1]
            if inline.children and inline.children[0].type == "strong_open":
                break  # "**Section comments**"
            paragraphs.append(inline_text(inline))
            i += 3
        found[m.group(1)] = ("\n\n".join(quote_parts), "\n\n".join(paragraphs))
    return found


# --------------------------------------------------------------------------- Markdown


def test_markdown_layout_matches_the_golden_file(brief):
    check_golden("fisheries-notes.md", ex.export_markdown(sample(brief), exported_at=EXPORTED_AT))


def test_front_matter_has_the_brief_counts_and_legend(brief):
    md = ex.export_markdown(sample(brief), exported_at=EXPORTED_AT)
    front = yaml.safe_load(md.split("---\n")[1])
    assert front["title"] == "Fisheries Readout"
    assert front["brief_id"] == "fisheries-2026"
    assert front["source"] == "fisheries.md"
    assert str(front["date"]) == "2026-03-02"
    assert front["exported_at"] == EXPORTED_AT
    assert (front["highlights"], front["comments"], front["not_found"]) == (4, 4, 2)
    assert front["colors"]["red"] == "concern"


def test_only_sections_with_notes_appear_with_their_parents(brief):
    md = ex.export_markdown(sample(brief), exported_at=EXPORTED_AT)
    headings = [
        (t.tag, tokens[i + 1].content)
        for tokens in [MarkdownIt("commonmark").parse(body(md))]
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]
    assert headings == [
        ("h1", "Fisheries Readout"),
        ("h2", "Catch limits"),
        ("h3", "Inshore boats"),
        ("h2", "Enforcement"),
        ("h2", ex.ORPHANS_HEADING),
    ]


def test_orphans_come_last_with_their_stored_quote(brief):
    md = ex.export_markdown(sample(brief), exported_at=EXPORTED_AT)
    tail = md.split(f"## {ex.ORPHANS_HEADING}")[1]
    assert "> haddock quota" in tail
    assert "was in “Catch limits”" in tail
    assert "A section that no longer exists." in tail
    assert "haddock quota" not in md.split(f"## {ex.ORPHANS_HEADING}")[0].split("---\n", 2)[2]


def test_replies_are_threaded_under_their_comment(brief):
    md = ex.export_markdown(sample(brief), exported_at=EXPORTED_AT)
    tokens = MarkdownIt("commonmark").parse(md)
    levels = {}
    for t in tokens:
        if t.type == "inline" and t.content.startswith(("Who pays", "The vessel", "Confirmed")):
            levels[t.content.split()[0]] = t.level
    # Each reply sits one list level (two token levels) deeper than what it answers.
    assert levels["The"] == levels["Who"] + 2
    assert levels["Confirmed"] == levels["The"] + 2


def test_the_times_of_notes_say_they_are_utc(brief):
    # Stored in UTC; a reader elsewhere (or the writer, whose window shows local
    # times) must not take them for times of their own zone.
    data = sample(brief)
    md = ex.export_markdown(data, exported_at=EXPORTED_AT)
    times = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d\S*(?: \w+)?", md)
    assert len(times) == len(data.highlights) + len(data.comments)
    assert all(t.endswith(" UTC") for t in times), times
    (h,) = [h for h in data.highlights if h.color == "red"]
    assert f"{h.modified[:10]} {h.modified[11:16]} UTC" in md


def test_replies_whose_comment_is_not_exported_say_they_are_replies(brief):
    # Their comment in the Trash (or left out by a filter): each reply still says it
    # answers something, and its text still reads back.
    replies = [cm(brief, "enforcement", "Agreed.", 2, reply_to=1),
               cm(brief, "enforcement", "Not me.", 3, reply_to=1, minute=31)]
    alone = cm(brief, "enforcement", "A comment of its own.", 4, minute=32)
    md = ex.export_markdown(data_of(brief, [], [*replies, alone]), exported_at=EXPORTED_AT)
    assert md.count(ex.REPLY_WITHOUT_PARENT) == 2
    assert md.split("Not me.")[1].count(ex.REPLY_WITHOUT_PARENT) == 0
    texts = {t.id: t.text for t in im.parse_import(md).texts}
    assert texts == {c.id: c.body for c in (*replies, alone)}


@pytest.mark.parametrize("note", HOSTILE)
def test_hostile_note_reads_back_as_the_same_text(brief, note):
    h = hl(brief, "catch-limits", "cod quota", 9, note=note)
    md = ex.export_markdown(data_of(brief, [h], []), exported_at=EXPORTED_AT)
    back = read_back(md)
    assert back == {h.id: ("cod quota", ex.canonical_text(note))}
    tokens = MarkdownIt("commonmark").parse(md)
    kinds = {t.type for t in tokens}
    assert kinds <= {
        "front_matter", "hr", "heading_open", "heading_close", "inline", "paragraph_open",
        "paragraph_close", "html_block", "blockquote_open", "blockquote_close",
    }  # fmt: skip
    html_blocks = [t.content.strip() for t in tokens if t.type == "html_block"]
    # The note's start and end markers, and nothing of the note's own.
    assert len(html_blocks) == 2 and "id=evil" not in html_blocks[0]
    assert html_blocks[1] == ex.END_MARKER
    assert_inert(md)


@pytest.mark.parametrize("note", [n for n in HOSTILE if "\n" not in n] + [
    "a < b & c | d ~ e", "= not a heading", "Actions:\n- call X\n- email Y"])
def test_python_markdown_shows_each_note_as_written(brief, note):
    # The reader's own Markdown (and others than CommonMark's): no stray backslashes,
    # and a note's lines are lines.
    import html as html_module

    import markdown

    h = hl(brief, "catch-limits", "cod quota", 9, note=note)
    rendered = markdown.markdown(body(ex.export_markdown(data_of(brief, [h], []),
                                                         exported_at=EXPORTED_AT)))
    shown = rendered.split("(yellow)", 1)[1].split("<!-- /briefreader -->")[0]
    text = html_module.unescape(re.sub(r"<br />\n", "\n", re.sub(r"</?p>", "", shown)))
    shown_text = text.split("·", 2)[-1].split("\n", 1)[1].strip()
    # (White space shows the same however many, tabs too.)
    assert re.sub(r"[ \t]+", " ", shown_text) == re.sub(r"[ \t]+", " ", ex.canonical_text(note))


def test_the_indentation_of_a_notes_lines_shows_and_reads_back_unchanged(brief, store):
    # A nested list or code in a note keeps its shape where the export is shown...
    import markdown

    note = "Steps:\n- top\n    - nested\n```\ndef f():\n\treturn 1\n```"
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note=note)
    md = ex.export_markdown(ex.gather(service, brief))
    for html in (markdown.markdown(body(md)), MarkdownIt("commonmark").render(md)):
        shown = html.replace("<br />", "").replace("\u00a0", " ")
        assert "\n    - nested\n" in shown and "\n    return 1\n" in shown
    # ... and the file reads back as the same note, its lines' layout kept.
    assert im.apply_import(service, im.parse_import(md)).unchanged == 1
    edited = im.parse_import(md.replace("Steps:", "Steps, in order:"))
    assert im.apply_import(service, edited).updated == 1
    assert service.store.get_highlight(h.id).note == note.replace("Steps:", "Steps, in order:")


TAGS = ("follow-up", "needs review", "#legal", "a, b", "`tick`", "x``y", "<b>", "**no**",
        "a | b", "&amp;", "back\\", "two\nlines")


def test_tags_show_each_as_itself_with_a_visible_boundary(brief):
    # A tag with a space ("needs review"), a comma or a "#" of its own is one tag, as
    # every Markdown reader shows it: each as inline code, exactly.
    import html as html_module

    import markdown

    h = hl(brief, "catch-limits", "cod quota", 9, note="n", tags=TAGS)
    md = ex.export_markdown(data_of(brief, [h], []), exported_at=EXPORTED_AT)
    (meta,) = [line for line in md.splitlines() if line.startswith("**key point**")]
    expected = [" ".join(t.split()) for t in TAGS]
    for html in (markdown.markdown(meta), MarkdownIt("commonmark").render(meta)):
        codes = [html_module.unescape(c) for c in re.findall(r"<code>(.*?)</code>", html)]
        assert codes == expected
        assert "<b>" not in html.replace("<code>&lt;b&gt;</code>", "")


def test_tags_in_the_markdown_and_in_an_older_export_read_back_unchanged(brief, store):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="before", tags=list(TAGS))
    md = ex.export_markdown(ex.gather(service, brief))
    old = re.sub(r" · tags .*? · ", " · \\#follow-up \\#needs review \\##legal · ", md)
    assert "\\#needs review" in old and "`" not in old.split("-->")[1]
    for text in (md, old):
        assert im.apply_import(service, im.parse_import(text)).unchanged == 1
        edited = im.parse_import(text.replace("\nbefore\n", "\nafter\n"))
        assert im.apply_import(service, edited).updated == 1
        assert service.store.get_highlight(h.id).note == "after"
        service.edit_highlight(h.id, note="before")
    assert service.store.get_highlight(h.id).tags == tuple(TAGS)


def test_python_markdown_keeps_a_reply_inside_the_comment_it_answers(brief):
    import markdown

    rendered = markdown.markdown(body(ex.export_markdown(sample(brief), exported_at=EXPORTED_AT)))
    thread = rendered.split("Who pays for the monitoring?", 1)[1].split("</li>\n</ul>\n</li>")[0]
    assert "The vessel owners" in thread and "Confirmed by the ministry" in thread
    assert rendered.count("<ul>") >= 3  # comment, reply, reply to the reply: nested


def test_a_changed_note_says_what_its_passage_read(brief):
    h = replace(hl(brief, "catch-limits", "cod quota", 9, note="n"), exact="cod allowance",
                status="changed")
    md = ex.export_markdown(data_of(brief, [h], []), exported_at=EXPORTED_AT)
    assert "the passage changed since the note was made; it read “cod allowance”" in md


def test_an_export_written_with_backslash_escapes_still_reads_back(brief, store):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="before")
    md = ex.export_markdown(ex.gather(service, brief))
    old_style = md.replace("\nbefore\n", "\n\\<b\\> \\& \\| \\~ &amp;lt; x\n")
    assert im.apply_import(service, im.parse_import(old_style)).updated == 1
    assert service.store.get_highlight(h.id).note == "<b> & | ~ &lt; x"


@pytest.mark.parametrize("quote", HOSTILE)
def test_hostile_quote_and_heading_stay_text(brief, quote):
    h = replace(
        hl(brief, "catch-limits", "cod quota", 9, note="ok"),
        exact=quote,
        status="orphaned",
        current_section=None,
        current_start=None,
        current_end=None,
    )
    hostile_title = replace(brief, title=quote.replace("\n", " ") + " #")
    md = ex.export_markdown(data_of(hostile_title, [h], []), exported_at=EXPORTED_AT)
    assert read_back(md) == {h.id: (ex.canonical_text(quote), "ok")}
    assert_inert(md)
    assert yaml.safe_load(md.split("---\n")[1])["title"] == hostile_title.title
    tokens = MarkdownIt("commonmark").parse(body(md))
    h1 = next(tokens[i + 1] for i, t in enumerate(tokens) if t.tag == "h1")
    assert inline_text(h1) == " ".join(quote.split()) + " #"


def test_multi_paragraph_quote_stays_in_one_block_quote(brief):
    h = replace(hl(brief, "catch-limits", "cod quota", 9), exact="First part.\n\nSecond part.")
    h = replace(h, status="orphaned", current_section=None)
    md = ex.export_markdown(data_of(brief, [h], []), exported_at=EXPORTED_AT)
    tokens = MarkdownIt("commonmark").parse(md)
    assert [t.type for t in tokens].count("blockquote_open") == 1
    assert read_back(md)[h.id][0] == "First part.\n\nSecond part."


def test_filters_by_colour_tag_and_author(brief):
    data = sample(brief)
    only_red = ex.export_markdown(data, colors=["red"], exported_at=EXPORTED_AT)
    assert set(read_back(only_red)) == {data.highlights[1].id}
    assert "Who pays" not in only_red  # a colour filter asks for highlights only
    tagged = ex.export_markdown(data, tags=["quota", "nothing"], exported_at=EXPORTED_AT)
    assert set(read_back(tagged)) == {data.highlights[1].id}
    by_carol = ex.export_markdown(data, author="carol", exported_at=EXPORTED_AT)
    assert set(read_back(by_carol)) == {data.highlights[2].id}
    by_bob = ex.export_markdown(data, author="bob", exported_at=EXPORTED_AT)
    assert read_back(by_bob) == {}
    assert "Who pays" in by_bob and "Confirmed" in by_bob
    assert "The vessel owners" not in by_bob
    front = yaml.safe_load(by_bob.split("---\n")[1])
    assert (front["highlights"], front["comments"]) == (0, 3)


def test_no_notes_says_so(brief):
    md = ex.export_markdown(data_of(brief, [], []), exported_at=EXPORTED_AT)
    assert md.rstrip().endswith("No notes on this brief.")


def test_markdown_round_trip_reads_every_note_back(brief):
    data = sample(brief)
    bundle = im.parse_import(ex.export_markdown(data, exported_at=EXPORTED_AT))
    assert bundle.format == "markdown"
    assert bundle.brief is not None and bundle.brief.key == "fisheries-2026"
    got = {t.id: (t.kind, t.text, t.edited) for t in bundle.texts}
    want = {h.id: ("highlight", ex.canonical_text(h.note), False) for h in data.highlights}
    want |= {c.id: ("comment", c.body, False) for c in data.comments}
    assert got == want


# --------------------------------------------------------------------------- JSON


def test_json_matches_the_golden_file(brief):
    # (A brief's content hash covers the code that reads it too: fixed here, to the
    # hash of the bytes alone.)
    brief = replace(brief, content_hash=hashlib.sha256(BRIEF.encode()).hexdigest())
    data = replace(sample(brief), deleted_comments=(cm(brief, "outlook", "Gone.", 5),))
    check_golden("fisheries-notes.json", ex.export_json(data, exported_at=EXPORTED_AT))


def test_json_follows_the_web_annotation_model(brief):
    doc = json.loads(ex.export_json(sample(brief), exported_at=EXPORTED_AT))
    assert doc["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection"
    assert doc["first"]["type"] == "AnnotationPage"
    # The collection and its page each have exactly one IRI (required by the model).
    iri = re.compile(r"[a-z][a-z0-9+.-]*:\S+")
    assert iri.fullmatch(doc["id"]) and iri.fullmatch(doc["first"]["id"])
    assert doc["id"] != doc["first"]["id"]
    later = json.loads(ex.export_json(sample(brief), exported_at="2026-04-02T08:00:00.000Z"))
    assert later["id"] != doc["id"]
    items = doc["first"]["items"]
    assert doc["total"] == len(items) == 8
    first = items[1]
    assert first["type"] == "Annotation"
    assert first["id"] == "urn:uuid:00000000-0000-4000-8000-000000000002"
    assert first["creator"]["name"] == "alice"
    assert first["body"][0] == {
        "type": "TextualBody",
        "value": "Steeper than expected.\n\nCheck against last year's 8 percent.",
        "format": "text/markdown",
        "purpose": "commenting",
    }
    assert [b["value"] for b in first["body"] if b["purpose"] == "tagging"] == ["cod", "quota"]
    target = first["target"]
    assert target["source"] == "urn:briefreader:brief:fisheries-2026"
    kinds = [s["type"] for s in target["selector"]]
    assert kinds == ["TextQuoteSelector", "TextPositionSelector"]
    assert target["selector"][0]["exact"] == "The cod quota falls by 12 percent"
    assert first["br:color"] == "red"
    reply = next(i for i in items if i.get("br:replyTo"))
    assert reply["motivation"] == "replying"


NASTY = 'q"uote\\back\x00nul\x1fctl\u2028ls 🚆 </script> \ud7ff end'


def test_json_keeps_every_character_of_every_field(brief):
    h = replace(
        hl(brief, "catch-limits", "cod quota", 9, note=NASTY, tags=(NASTY, "plain")),
        id="custom.id:1",
        exact=NASTY,
        prefix=NASTY,
        suffix=NASTY,
        section_heading=NASTY,
        author=NASTY,
        current_section=NASTY,
        deleted_at="2026-03-03T00:00:00.000Z",
    )
    text = ex.export_json(data_of(brief, [], [], deleted_highlights=(h,)))
    (item,) = json.loads(text)["first"]["items"]
    assert item["id"] == "urn:briefreader:note:custom.id:1"
    bundle = im.parse_import(text)
    assert bundle.highlights == (h,)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "a" / "notes.sqlite3")
    yield s
    s.close()


@pytest.fixture
def other(tmp_path):
    s = Store(tmp_path / "b" / "notes.sqlite3")
    yield s
    s.close()


def everything(store: Store, key: str):
    return (
        store.highlights(key),
        store.highlights(key, trash=True),
        store.comments(key),
        store.comments(key, trash=True),
        store.get_brief(key).sections,
        store.bookmarks(key),
        store.color_labels(),
    )


def populate(service: NotesService, brief: Brief) -> None:
    h1 = service.annotate(brief, "catch-limits", "cod quota", note="Hostile `x` <b>", tags=["a"])
    service.annotate(brief, "inshore-boats", "Small ports", color="purple")
    gone = service.annotate(brief, "_lead", "Thursday", color="green")
    service.delete_highlight(gone.id)
    c1 = service.comment(brief, "enforcement", "Who pays?")
    service.comment(brief, "enforcement", "Owners.", reply_to=c1.id)
    dead = service.comment(brief, "outlook", "Remove me")
    service.delete_comment(dead.id)
    service.edit_highlight(h1.id, note="Edited note")
    # What the reader set apart from notes: a bookmark, a colour's label, and an orphan
    # the Review settled (kept without a place).
    service.add_bookmark(brief, "enforcement", 3, "Read before Tuesday")
    service.store.set_color_label("red", "Minister must see")
    settled = service.annotate(brief, "enforcement", "Satellite monitoring", color="red")
    service.keep_orphan(settled.id)


def test_json_is_lossless_through_an_empty_store(tmp_path, brief, store, other):
    service = NotesService(store, author="alice")
    populate(service, brief)
    path = tmp_path / "notes.json"
    data = ex.gather(service, brief)
    ex.write_atomically(path, ex.export_json(data), force=False)

    summary = im.import_notes(NotesService(other), path)  # no brief: the file says which
    assert (summary.added, summary.updated, summary.skipped, summary.bookmarks) == (7, 0, 0, 1)
    assert everything(other, data.brief_key) == everything(store, data.brief_key)
    # Importing the same file again changes nothing.
    again = im.import_notes(NotesService(other), path, brief=brief)
    assert (again.added, again.updated, again.unchanged, again.skipped) == (0, 0, 7, 0)
    assert everything(other, data.brief_key) == everything(store, data.brief_key)


def test_lossless_with_the_brief_given(tmp_path, brief, store, other):
    service = NotesService(store, author="alice")
    populate(service, brief)
    data = ex.gather(service, brief)
    bundle = im.parse_import(ex.export_json(data))
    im.apply_import(NotesService(other), bundle, brief=brief)
    assert everything(other, data.brief_key) == everything(store, data.brief_key)


# --------------------------------------------------------------------------- merging


def exported(service: NotesService, brief: Brief) -> im.ImportBundle:
    return im.parse_import(ex.export_json(ex.gather(service, brief)))


def later(stamp: str, seconds: int = 1) -> str:
    return stamp[:17] + f"{int(stamp[17:19]) + seconds:02d}" + stamp[19:]


def with_highlight(bundle: im.ImportBundle, **changes) -> im.ImportBundle:
    """The bundle with its note changed as another tool might write it: without the
    versions of its parts (so its time decides)."""
    return replace(bundle, highlights=(replace(bundle.highlights[0], **changes),), lineages={})


@pytest.fixture
def pair(brief, store, other):
    """The same note in two stores: mine and a colleague's."""
    mine = NotesService(store, author="alice")
    h = mine.annotate(brief, "catch-limits", "cod quota", note="original")
    theirs = NotesService(other, author="bob")
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    return mine, theirs, h


def test_newer_edit_wins_and_older_is_skipped(brief, pair):
    mine, theirs, h = pair
    bundle = exported(mine, brief)
    newer = with_highlight(bundle, note="theirs, newer", modified=later(h.modified, 5))
    summary = im.apply_import(mine, newer, brief=brief)
    assert (summary.updated, summary.skipped) == (1, 0)
    assert mine.store.get_highlight(h.id).note == "theirs, newer"

    older = with_highlight(bundle, note="theirs, older", modified=h.modified)
    summary = im.apply_import(mine, older, brief=brief)
    assert (summary.updated, summary.skipped) == (0, 1)
    assert summary.reasons == ("1 note older than the version here",)
    assert mine.store.get_highlight(h.id).note == "theirs, newer"


def test_deletion_wins_over_older_edits_but_not_newer(brief, pair):
    mine, theirs, h = pair
    theirs.delete_highlight(h.id)
    deleted = exported(theirs, brief)
    tomb = deleted.highlights[0]
    assert tomb.deleted_at is not None
    # An edit they had not seen, though made before their deletion, keeps it in view.
    mine.store.merge_notes(update_highlights=[replace(h, note="mine")])
    summary = im.apply_import(mine, deleted, brief=brief)
    assert summary.updated == 0
    assert [x.note for x in mine.highlights(brief)] == ["mine"]
    # Without versions, time decides: their deletion, later, wins.
    summary = im.apply_import(mine, replace(deleted, lineages={}), brief=brief)
    assert summary.updated == 1
    assert mine.highlights(brief) == []
    assert mine.highlights(brief, trash=True)[0].deleted_at == tomb.deleted_at
    # An edit made after the deletion brings the note back.
    revived = with_highlight(
        deleted, note="revived", deleted_at=None, modified=later(tomb.deleted_at, 3)
    )
    summary = im.apply_import(mine, revived, brief=brief)
    assert summary.updated == 1
    # ("mine" never left this machine: the file's text was written apart from it.)
    assert [x.note for x in mine.highlights(brief)] == ["mine\n\nrevived"]


def test_new_notes_are_anchored_in_the_current_brief(tmp_path, brief, store, other):
    colleague = NotesService(store, author="bob")
    colleague.annotate(brief, "enforcement", "Satellite monitoring", note="moved later")
    colleague.annotate(brief, "outlook", "review the stocks", note="text goes away")
    c = colleague.comment(brief, "catch-limits", "On catch limits")
    bundle = exported(colleague, brief)

    edited = tmp_path / "edited.md"
    edited.write_text(
        BRIEF.replace(
            "Satellite monitoring becomes", "From June, satellite monitoring becomes"
        ).replace("Scientists will review the stocks again in the autumn.", "No review planned."),
        encoding="utf-8",
    )
    mine = NotesService(other, author="alice")
    new_brief = load_brief(edited)
    summary = im.apply_import(mine, bundle, brief=new_brief)
    assert (summary.added, summary.orphaned) == (3, 1)
    placed = {h.note: h for h in mine.highlights(new_brief)}
    moved = placed["moved later"]
    assert moved.status in ("anchored", "moved", "changed")
    text = text_of(new_brief, "enforcement")
    assert text[moved.current_start : moved.current_end].casefold() == "satellite monitoring"
    assert placed["text goes away"].status == "orphaned"
    assert placed["text goes away"].current_section is None
    assert mine.store.get_comment(c.id).current_section == "catch-limits"


def test_reply_without_its_parent_is_skipped(brief, store, other):
    colleague = NotesService(store, author="bob")
    parent = colleague.comment(brief, "enforcement", "Parent")
    colleague.comment(brief, "enforcement", "Reply", reply_to=parent.id)
    bundle = exported(colleague, brief)
    orphan_reply = replace(bundle, comments=tuple(c for c in bundle.comments if c.reply_to))
    summary = im.apply_import(NotesService(other), orphan_reply, brief=brief)
    assert (summary.added, summary.skipped) == (0, 1)
    assert summary.reasons[0].startswith("1 note replying to a comment")
    assert other.comments("fisheries-2026") == []


def test_replies_in_a_cycle_are_skipped_once_each(brief, store, other):
    colleague = NotesService(store)
    a = colleague.comment(brief, "enforcement", "A")
    b = colleague.comment(brief, "enforcement", "B", reply_to=a.id)
    bundle = exported(colleague, brief)
    looped = tuple(replace(c, reply_to=b.id) if c.id == a.id else c for c in bundle.comments)
    summary = im.apply_import(NotesService(other), replace(bundle, comments=looped), brief=brief)
    assert (summary.added, summary.skipped) == (0, 2)
    assert other.comments("fisheries-2026") == []


def test_notes_for_another_brief_are_refused(tmp_path, brief, store, other):
    colleague = NotesService(store)
    colleague.annotate(brief, "catch-limits", "cod quota")
    bundle = exported(colleague, brief)
    path = tmp_path / "other.md"
    path.write_text(BRIEF.replace("id: fisheries-2026", "id: forestry-2026"), encoding="utf-8")
    with pytest.raises(im.NotesImportError, match="for the brief 'fisheries-2026'"):
        im.apply_import(NotesService(other), bundle, brief=load_brief(path))


# --------------------------------------------------------------------------- Markdown import


def test_edited_markdown_export_updates_notes_by_id(tmp_path, brief, pair):
    mine, _, h = pair
    c = mine.comment(brief, "enforcement", "Comment before")
    untouched = mine.annotate(brief, "enforcement", "Satellite monitoring", note="keep")
    md = ex.export_markdown(ex.gather(mine, brief))
    edited = md.replace("\noriginal\n", "\nEdited *in* the file\n\nSecond paragraph\n")
    edited = edited.replace("  Comment before", "  Comment after")
    path = tmp_path / "edited.md"
    path.write_text(edited, encoding="utf-8")
    summary = im.import_notes(mine, path)
    assert (summary.updated, summary.unchanged, summary.skipped) == (2, 1, 0)
    assert mine.store.get_highlight(h.id).note == "Edited *in* the file\n\nSecond paragraph"
    assert mine.store.get_comment(c.id).body == "Comment after"
    assert mine.store.get_highlight(untouched.id).note == "keep"


@pytest.mark.parametrize("file_edited", ["2020-01-01T00:00:00.000Z", "2099-01-01T00:00:00.000Z"])
def test_a_note_changed_here_and_in_the_export_since_keeps_both_texts(brief, pair, file_edited):
    # Whichever was written later (the file's time may be any), neither text is lost.
    mine, _, h = pair
    md = ex.export_markdown(ex.gather(mine, brief)).replace("\noriginal\n", "\nfrom file\n")
    bundle = im.parse_import(md)
    mine.edit_highlight(h.id, note="changed here")
    summary = im.apply_import(mine, bundle, edited_at=file_edited)
    assert (summary.updated, summary.merged, summary.skipped) == (1, 1, 0)
    assert "both texts kept" in summary.summary()
    stored = mine.store.get_highlight(h.id)
    assert stored.note == "changed here\n\nfrom file"
    assert stored.modified > h.modified
    # Imported again, nothing more changes: what the file says is here.
    again = im.apply_import(mine, bundle, edited_at=file_edited)
    assert (again.updated, again.unchanged) == (0, 1)
    assert mine.store.get_highlight(h.id).note == "changed here\n\nfrom file"


def test_a_note_recoloured_here_since_the_export_takes_the_text_edited_in_it(brief, pair):
    # Only the colour changed here: the text in the file is the one edit of the text.
    mine, _, h = pair
    md = ex.export_markdown(ex.gather(mine, brief)).replace("\noriginal\n", "\nfrom file\n")
    mine.edit_highlight(h.id, color="red")
    summary = im.apply_import(mine, im.parse_import(md), edited_at="2020-01-01T00:00:00.000Z")
    assert (summary.updated, summary.merged) == (1, 0)
    stored = mine.store.get_highlight(h.id)
    assert (stored.note, stored.color) == ("from file", "red")


def test_a_heading_typed_into_a_note_in_the_export_is_kept(tmp_path, brief, pair):
    mine, _, h = pair
    c = mine.comment(brief, "enforcement", "Before")
    md = ex.export_markdown(ex.gather(mine, brief))
    md = md.replace("\noriginal\n", "\nDraft.\n\n## Follow-up\n\nCall the minister.\n")
    md = md.replace("  Before\n", "  Before\n\n  **Section comments**\n\n  ### Also\n")
    summary = im.apply_import(mine, im.parse_import(md))
    assert summary.updated == 2
    assert mine.store.get_highlight(h.id).note == "Draft.\n\n## Follow-up\n\nCall the minister."
    assert mine.store.get_comment(c.id).body == "Before\n\n**Section comments**\n\n### Also"


def test_text_typed_under_the_quote_joins_the_note_without_its_label_line(brief, pair):
    # A reader answers right under the passage, above the line with its label: that
    # line is the export's, never part of the note.
    mine, _, h = pair
    bare = mine.annotate(brief, "enforcement", "Satellite monitoring")
    md = ex.export_markdown(ex.gather(mine, brief))
    md = md.replace("> cod quota\n", "> cod quota\n\nAbove the label.\n")
    md = md.replace("> Satellite monitoring\n",
                    "> Satellite monitoring\n\n**Agreed**, typed here.\n")
    summary = im.apply_import(mine, im.parse_import(md))
    assert summary.updated == 2
    assert mine.store.get_highlight(h.id).note == "Above the label.\n\noriginal"
    assert mine.store.get_highlight(bare.id).note == "**Agreed**, typed here."


def test_text_written_between_the_notes_of_an_export_is_said_not_imported(brief, pair):
    # Only a note's own text is read back: a remark typed between two notes, or under a
    # heading, is not taken silently into nothing.
    mine, _, h = pair
    mine.comment(brief, "enforcement", "A comment")
    md = ex.export_markdown(ex.gather(mine, brief))
    assert im.apply_import(mine, im.parse_import(md)).outside == ()
    lines = md.split("\n")
    at = lines.index(f"**{ex.COMMENTS_LABEL}**")
    lines[at:at] = ["Remark between the notes.", ""]
    summary = im.apply_import(mine, im.parse_import("\n".join(lines)))
    assert (summary.updated, summary.unchanged) == (0, 2)
    assert summary.outside == (at + 1,)
    assert f"1 line written outside the notes not imported (line {at + 1}" in summary.summary()
    assert mine.store.get_highlight(h.id).note == "original"


def test_a_label_line_changed_in_an_export_is_said_not_imported(brief, pair):
    # Only a note's text is read back: a colour, its label or tags changed on the line
    # under the quote (or a comment's author) are not taken silently into nothing.
    mine, _, h = pair
    mine.edit_highlight(h.id, tags=("urgent",))
    c = mine.comment(brief, "enforcement", "A comment")
    md = ex.export_markdown(ex.gather(mine, brief))
    assert im.apply_import(mine, im.parse_import(md)).relabelled == ()
    lines = md.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("**key point** (yellow)"))
    lines[at] = lines[at].replace("**key point** (yellow)", "**question** (blue)")
    summary = im.apply_import(mine, im.parse_import("\n".join(lines)))
    assert (summary.updated, summary.unchanged, summary.relabelled) == (0, 2, (at + 1,))
    assert f"1 label line changed not imported (line {at + 1}:" in summary.summary()
    tags = md.replace("`urgent`", "`urgent`, `later`")
    assert len(im.apply_import(mine, im.parse_import(tags)).relabelled) == 1
    author = md.replace("**alice** · ", "**bob** · ")
    assert len(im.apply_import(mine, im.parse_import(author)).relabelled) == 1
    stored = mine.store.get_highlight(h.id)
    assert (stored.color, stored.tags) == ("yellow", ("urgent",))
    assert mine.store.get_comment(c.id).author == "alice"
    # A note recoloured here since the export: its line says what it was then.
    before = ex.export_markdown(ex.gather(mine, brief), exported_at="2000-01-01T00:00:00.000Z")
    mine.edit_highlight(h.id, color="red")
    assert im.apply_import(mine, im.parse_import(before)).relabelled == ()


def test_without_its_end_marker_a_note_ends_at_the_next_heading(brief, pair):
    # An export from before end markers, or one whose marker was deleted by hand: the
    # headings the export wrote still end the note, and never become its text.
    mine, _, h = pair
    mine.comment(brief, "enforcement", "A comment")
    md = ex.export_markdown(ex.gather(mine, brief)).replace("\noriginal\n", "\nnew text\n")
    for cut in (md.replace(ex.END_MARKER, ""), md.replace(ex.END_MARKER, "", 1)):
        assert im.apply_import(mine, im.parse_import(cut)).updated in (0, 1)
        assert mine.store.get_highlight(h.id).note == "new text"


def test_an_edit_in_the_export_keeps_the_layout_of_the_lines_it_left(brief, store):
    service = NotesService(store)
    note = "Steps:\n    indented code\n\tTabbed\n  - nested\nhard break  \nlast"
    h = service.annotate(brief, "catch-limits", "cod quota", note=note)
    md = ex.export_markdown(ex.gather(service, brief))
    assert "\nlast\n" in md
    summary = im.apply_import(service, im.parse_import(md.replace("\nlast\n", "\nfinal\n")))
    assert summary.updated == 1
    assert service.store.get_highlight(h.id).note == note.replace("last", "final")


def test_a_note_restored_from_the_trash_stays_out_of_it_after_an_older_import(brief, store):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="n")
    service.delete_highlight(h.id)
    bundle = exported(service, brief)  # holds it in the Trash
    service.restore_highlight(h.id)
    summary = im.apply_import(service, bundle, brief=brief)
    assert summary.updated == 0
    assert service.store.get_highlight(h.id).deleted_at is None


def test_markdown_ids_unknown_here_are_skipped_with_a_reason(brief, store, other):
    colleague = NotesService(store)
    colleague.annotate(brief, "catch-limits", "cod quota", note="theirs")
    md = ex.export_markdown(ex.gather(colleague, brief))
    mine = NotesService(other)
    mine.sync(brief)
    summary = im.apply_import(mine, im.parse_import(md), brief=brief)
    assert (summary.added, summary.skipped) == (0, 1)
    assert "JSON export" in summary.reasons[0]


# --------------------------------------------------------------------------- bad files


def valid_json(brief: Brief, service: NotesService) -> dict:
    service.annotate(brief, "catch-limits", "cod quota", note="n")
    service.comment(brief, "enforcement", "c")
    return json.loads(ex.export_json(ex.gather(service, brief)))


def breakers():
    def item(i):
        return lambda d: d["first"]["items"][i]

    def set_in(getter, key, value):
        def apply(d):
            getter(d)[key] = value

        return apply

    return {
        "bad id": (set_in(item(0), "id", "../../etc/passwd"), "is not a note id"),
        "id breaking a comment": (set_in(item(0), "id", "a --> <script>"), "is not a note id"),
        "numeric note": (lambda d: item(0)(d)["body"][0].update(value=5), "'value' must be"),
        "unknown colour": (set_in(item(0), "br:color", "black"), "unknown colour"),
        "bool position": (
            lambda d: item(0)(d)["target"]["selector"][1].update(start=True),
            "'start' must be a whole number",
        ),
        "negative position": (
            lambda d: item(0)(d)["target"]["selector"][1].update(start=-4),
            "'start' must be a whole number",
        ),
        "bad date": (set_in(item(1), "modified", "yesterday"), "'modified' is not a date"),
        "duplicate": (lambda d: d["first"]["items"].append(item(0)(d)), "appears twice"),
        "not an annotation": (set_in(item(1), "type", "Note"), "not a W3C 'Annotation'"),
        "items not a list": (lambda d: d["first"].update(items={}), "'items' must be a list"),
        "unknown kind": (set_in(item(1), "br:kind", "drawing"), "unknown 'br:kind'"),
        "bad status": (set_in(item(0), "br:status", "lost"), "unknown status"),
        "bad versions": (set_in(item(0), "br:versions", 42), "'br:versions'"),
        "bad bookmark removal": (
            lambda d: d.update({"br:bookmarksRemoved": [
                {"id": "b1", "section": "s", "removed": "soon"}]}),
            "not a date and time",
        ),
    }


@pytest.mark.parametrize("case", list(breakers()))
def test_malformed_json_is_refused_and_nothing_changes(tmp_path, brief, store, other, case):
    doc = valid_json(brief, NotesService(store))
    # A good note first: a refused file must not leave it behind.
    doc["first"]["items"].insert(0, json.loads(json.dumps(doc["first"]["items"][0])))
    doc["first"]["items"][0]["id"] = "urn:uuid:11111111-1111-4111-8111-111111111111"
    breaker, message = breakers()[case]
    breaker(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    mine = NotesService(other)
    mine.sync(brief)
    before = everything(other, "fisheries-2026")
    with pytest.raises(im.NotesImportError, match=re.escape(message)) as info:
        im.import_notes(mine, path, brief=brief)
    assert str(info.value).startswith("bad.json: ")
    assert everything(other, "fisheries-2026") == before


@pytest.mark.parametrize(("case", "reason"), [
    ("no quote", "1 note quoting no passage of the text (no TextQuoteSelector), so with no "
                 "place here: item 1 (urn:uuid:"),
    ("comment without section", "1 note commenting on no section (no 'br:section') and "
                                "replying to no comment: item 2 (urn:uuid:"),
])
def test_a_note_with_no_place_here_is_skipped_and_the_others_imported(
        tmp_path, brief, store, other, case, reason):
    doc = valid_json(brief, NotesService(store))
    items = doc["first"]["items"]
    assert [i["br:kind"] for i in items] == ["highlight", "comment"]
    if case == "no quote":
        items[0]["target"]["selector"] = []
    else:
        items[1]["target"].pop("br:section")
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    summary = im.import_notes(NotesService(other), path, brief=brief)
    assert (summary.added, summary.skipped) == (len(items) - 1, 1)
    (said,) = summary.reasons
    assert said.startswith(reason)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON (line 1, column 2"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"{\"a\": \"caf\xe9\"}", "not UTF-8 text (bad byte at offset 10); save it as UTF-8"),
        (b"\xff\xfe{\x00\x00\xd8", "not UTF-16 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file, not a notes export"),
        (b'{"type": "Book"}', "not a W3C AnnotationCollection"),
        (b'{"type": "AnnotationCollection", "first": "http://x/page1"}', "linked by address"),
        (b"just some words", "not a briefreader notes export"),
        (b"---\ntitle: [unclosed\n---\n", "front matter is not valid YAML"),
        (b"---\n- a list\n---\n", "must be a set of 'key: value'"),
        (b"---\nbrief_id: x\n", "not closed"),
    ],
)
def test_unreadable_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(im.NotesImportError, match=re.escape(message)):
        im.read_import(path)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_an_export_saved_again_as_utf16_reads_back(tmp_path, codec):
    """A Markdown export edited on Windows and saved as "Unicode": its byte-order
    mark says how to read it."""
    text = ('---\nbrief_id: "fisheries-2026"\n---\n\n# Fisheries\n\n## Enforcement\n\n'
            "<!-- briefreader:highlight id=11111111-1111-4111-8111-111111111111 -->\n"
            "> Satellite\n\nCaf\u00e9 owners \u201cagree\u201d.\n\n<!-- /briefreader -->\n")
    path = tmp_path / "edited.md"
    data = text.encode(codec)
    path.write_bytes(data if codec == "utf-16" else codecs.BOM_UTF16_BE + data)
    assert im.read_import(path) == im.parse_import(text, name="edited.md")


def test_oversized_and_missing_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(im.NotesImportError, match="no such file"):
        im.read_import(tmp_path / "missing.json")
    with pytest.raises(im.NotesImportError, match="is a folder, not a notes export"):
        im.read_import(tmp_path)
    big = tmp_path / "big.json"
    big.write_text("[]" + " " * 2048)
    monkeypatch.setattr(im, "MAX_IMPORT_BYTES", 1024)
    with pytest.raises(im.NotesImportError, match="too large"):
        im.read_import(big)
    # A file that grows past the limit after it was measured is not read whole either.
    small = tmp_path / "growing.json"
    small.write_text("[]")
    real_stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda self, **kw: real_stat(
        small if self == big else self, **kw))
    with pytest.raises(im.NotesImportError, match="too large"):
        im.read_import(big)


def test_json_without_a_brief_needs_one(tmp_path, store):
    path = tmp_path / "bare.json"
    path.write_text('{"type": "AnnotationPage", "items": []}', encoding="utf-8")
    with pytest.raises(im.NotesImportError, match="which brief"):
        im.import_notes(NotesService(store), path)


def test_a_failed_merge_writes_nothing(brief, store):
    service = NotesService(store)
    service.sync(brief)
    good = hl(brief, "catch-limits", "cod quota", 1)
    bad = replace(good, id="other", brief_key="no-such-brief")
    with pytest.raises(Exception, match="no brief 'no-such-brief'"):
        store.merge_notes(add_highlights=[good, bad])
    assert store.highlights("fisheries-2026") == []


def test_foreign_web_annotation_is_placed_by_its_quote(tmp_path, brief, store):
    foreign = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "id": "urn:uuid:22222222-2222-4222-8222-222222222222",
        "bodyValue": "From another tool",
        "created": "2026-03-02T11:00:00+02:00",
        "target": {
            "source": "http://example.com/fisheries",
            "selector": {"type": "TextQuoteSelector", "exact": "Small ports welcomed"},
        },
    }
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(foreign), encoding="utf-8")
    service = NotesService(store)
    summary = im.import_notes(service, path, brief=brief)
    assert (summary.added, summary.orphaned) == (1, 0)
    (h,) = service.highlights(brief)
    assert (h.note, h.current_section, h.created) == (
        "From another tool",
        "inshore-boats",
        "2026-03-02T09:00:00.000Z",
    )


def test_web_annotations_of_another_tool_with_addresses_for_ids_are_imported_once(
        tmp_path, brief, store):
    # W3C annotations are named by an address (https://…/anno1): each becomes a note,
    # the same one when the file is imported again.
    foreign = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/collections/1",
        "type": "AnnotationCollection",
        "first": {"id": "https://example.org/collections/1/page1", "type": "AnnotationPage",
                  "items": [{
                      "id": f"https://example.org/annotations/{n}?v=1#a",
                      "type": "Annotation",
                      "creator": "https://example.org/users/kim",
                      "body": {"type": "TextualBody", "value": f"Note {n}"},
                      "target": {"source": "https://example.org/fisheries",
                                 "selector": {"type": "TextQuoteSelector", "exact": quote}},
                  } for n, quote in ((1, "Small ports welcomed"), (2, "cod quota"))]},
    }  # fmt: skip
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(foreign), encoding="utf-8")
    service = NotesService(store)
    summary = im.import_notes(service, path, brief=brief)
    assert (summary.added, summary.skipped) == (2, 0)
    assert sorted(h.note for h in service.highlights(brief)) == ["Note 1", "Note 2"]
    again = im.import_notes(service, path, brief=brief)
    assert (again.added, again.unchanged) == (0, 2)
    assert len(service.highlights(brief)) == 2


def test_annotations_of_another_tool_with_no_place_here_are_skipped_and_said(
        tmp_path, brief, store):
    # Replies (their target: the annotation they answer) to a highlight, to one not in
    # the file, to one skipped; an annotation of no passage. The others are imported.
    def item(n, **fields):
        return {"id": f"https://example.org/a/{n}", "type": "Annotation", **fields}

    items = [
        item(1, bodyValue="Check", target={"source": "https://example.org/fisheries",
             "selector": {"type": "TextQuoteSelector", "exact": "cod quota"}}),
        item(2, motivation="replying", bodyValue="Agreed", target="https://example.org/a/1"),
        item(3, motivation="replying", bodyValue="Me too",
             target={"id": "https://example.org/a/2"}),
        item(4, motivation="replying", bodyValue="?", target="https://example.org/a/99"),
        item(5, motivation="bookmarking", target="https://example.org/fisheries"),
        item(6, bodyValue="Late", target={"source": "https://example.org/fisheries",
             "selector": {"type": "TextQuoteSelector", "exact": "Small ports welcomed"}}),
        item(7, motivation="replying", bodyValue="A", target="https://example.org/a/8"),
        item(8, motivation="replying", bodyValue="B", target="https://example.org/a/7"),
    ]
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps({"type": "AnnotationPage", "items": items}), encoding="utf-8")
    service = NotesService(store)
    summary = im.import_notes(service, path, brief=brief)
    assert (summary.added, summary.skipped) == (2, 6)
    assert sorted(h.note for h in service.highlights(brief)) == ["Check", "Late"]
    assert service.store.comments("fisheries-2026") == []
    assert summary.reasons == (
        "1 note replying to a highlight (only section comments take replies here): "
        "item 2 (https://example.org/a/2)",
        "3 notes replying to an annotation that is skipped: item 3 (https://example.org/a/3), "
        "item 7 (https://example.org/a/7), item 8 (https://example.org/a/8)",
        "1 note replying to an annotation that is not in the file: "
        "item 4 (https://example.org/a/4)",
        "1 note quoting no passage of the text (no TextQuoteSelector), so with no place "
        "here: item 5 (https://example.org/a/5)",
    )


def test_a_reply_of_another_tool_to_a_comment_of_the_file_is_imported_as_a_reply(
        tmp_path, brief, store, other):
    # Our export, opened in another tool that added replies (to our comment, and to
    # its own reply), then imported here.
    mine = NotesService(store, author="alice")
    c = mine.comment(brief, "enforcement", "Who pays?")
    doc = json.loads(ex.export_json(ex.gather(mine, brief)))
    items = doc["first"]["items"]
    items += [
        {"id": "https://example.org/r/1", "type": "Annotation", "motivation": "replying",
         "creator": {"type": "Person", "name": "Kim"},
         "body": {"type": "TextualBody", "value": "The owners."},
         "target": f"urn:uuid:{c.id}"},
        {"id": "https://example.org/r/2", "type": "Annotation", "motivation": "replying",
         "creator": "Lee", "bodyValue": "Not all of them.",
         "target": {"id": "https://example.org/r/1"}},
    ]
    path = tmp_path / "replied.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    for store_, added in ((other, 3), (store, 2)):  # a new colleague's; the first's own
        summary = im.import_notes(NotesService(store_), path, brief=brief)
        assert (summary.added, summary.skipped) == (added, 0)
        comments = {x.body: x for x in store_.comments("fisheries-2026")}
        first, second = comments["The owners."], comments["Not all of them."]
        assert (first.reply_to, first.author, first.current_section) == (
            c.id, "Kim", "enforcement")
        assert (second.reply_to, second.author, second.current_section) == (
            first.id, "Lee", "enforcement")
        assert first.section_id == second.section_id == c.section_id


def test_creators_of_web_annotations_in_every_form_the_model_allows(tmp_path, brief, store):
    # A name, an Agent with a name or a nickname, or a list of these: none refuses the file.
    creators = [
        "Kim",
        {"type": "Person", "name": "Kim"},
        {"type": "Person", "nickname": "kimmy"},
        [{"type": "Person", "name": "Kim"}, {"type": "Person", "name": "Lee"}],
        ["Ann", "Bo", "Ann"],
        {"type": "Person", "name": ["Carl", "Carlos"]},
        {"type": "Software", "id": "https://example.org/tool"},
    ]
    quotes = ["cod quota", "haddock quota", "Small ports welcomed", "Satellite monitoring",
              "review the stocks", "two days of talks", "12 metres"]
    items = [{"id": f"https://example.org/annotations/{n}", "type": "Annotation",
              "creator": creator, "bodyValue": f"Note {n}",
              "target": {"selector": {"type": "TextQuoteSelector", "exact": quote}}}
             for n, (creator, quote) in enumerate(zip(creators, quotes, strict=True))]
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps({"type": "AnnotationPage", "items": items}), encoding="utf-8")
    service = NotesService(store)
    summary = im.import_notes(service, path, brief=brief)
    assert (summary.added, summary.skipped) == (7, 0)
    authors = {h.note: h.author for h in service.highlights(brief)}
    assert [authors[f"Note {n}"] for n in range(7)] == [
        "Kim", "Kim", "kimmy", "Kim, Lee", "Ann, Bo", "Carl", ""]
    items[0]["creator"] = 42
    path.write_text(json.dumps({"type": "AnnotationPage", "items": items}), encoding="utf-8")
    with pytest.raises(im.NotesImportError, match="'creator' must be a name"):
        im.read_import(path)


# --------------------------------------------------------------------------- writing


def test_write_atomically_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "notes.md"
    ex.write_atomically(target, "first\n", force=False)
    assert target.read_text(encoding="utf-8") == "first\n"
    with pytest.raises(ex.ExportExistsError, match="already exists"):
        ex.write_atomically(target, "second\n", force=False)
    assert target.read_text(encoding="utf-8") == "first\n"
    ex.write_atomically(target, "second ✓\n", force=True)
    assert target.read_text(encoding="utf-8") == "second ✓\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]


def test_write_atomically_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "notes.md"
    target.write_text("old\n", encoding="utf-8")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ex.os, "replace", fail)
    with pytest.raises(ex.ExportError, match="No space left"):
        ex.write_atomically(target, "new\n", force=True)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]


def test_write_atomically_refuses_a_folder(tmp_path):
    with pytest.raises(ex.ExportError, match="is a folder"):
        ex.write_atomically(tmp_path, "x", force=True)


def test_suggested_file_name_is_safe(brief):
    hostile = replace(brief, title="../../etc/passwd: <Notes>")
    assert ex.suggested_file_name(brief) == "fisheries-readout-notes.md"
    assert ex.suggested_file_name(hostile, "json") == "etc-passwd-notes-notes.json"


def test_export_of_several_briefs_names_each_file_once_and_never_overwrites(tmp_path,
                                                                              brief, store):
    service = NotesService(store)
    service.annotate(brief, "catch-limits", "cod quota", note="one")
    twin_path = tmp_path / "twin.md"
    twin_path.write_text(BRIEF.replace("id: fisheries-2026", "id: twin"), encoding="utf-8")
    out = tmp_path / "exports"
    out.mkdir()
    written = list(ex.export_brief_files(service, [brief.path, twin_path], out).written)
    assert [p.name for p in written] == [
        "fisheries-readout-notes.md",
        "fisheries-readout-notes-2.md",
    ]
    assert "> cod quota" in written[0].read_text(encoding="utf-8")
    assert "No notes on this brief." in written[1].read_text(encoding="utf-8")
    written[1].write_text("mine", encoding="utf-8")
    with pytest.raises(ex.ExportExistsError):
        ex.export_brief_files(service, [brief.path, twin_path], out)
    assert written[1].read_text(encoding="utf-8") == "mine"


def _folder_of_briefs(tmp_path: Path) -> tuple[Path, list[Path]]:
    """Three briefs, the middle one unreadable (empty)."""
    folder = tmp_path / "briefs"
    folder.mkdir()
    first = folder / "a-fisheries.md"
    first.write_text(BRIEF, encoding="utf-8")
    broken = folder / "b-broken.md"
    broken.write_text("", encoding="utf-8")
    last = folder / "c-harbour.md"
    last.write_text("# Harbour Dues\n\nDues rise in May.\n", encoding="utf-8")
    return folder, [first, broken, last]


def test_export_brief_files_writes_one_file_per_brief_and_reports_a_broken_one(tmp_path,
                                                                             store):
    _folder, paths = _folder_of_briefs(tmp_path)
    NotesService(store).annotate(load_brief(paths[0]), "catch-limits", "cod quota",
                                 note="one")
    out = tmp_path / "exports"
    out.mkdir()
    steps: list[tuple[str, int, int]] = []
    report = ex.export_brief_files(NotesService(store), paths, out,
                                   progress=lambda *step: steps.append(step))
    assert [p.name for p in report.written] == [
        "fisheries-readout-notes.md", "harbour-dues-notes.md",
    ]
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in report.written]
    assert "> cod quota" in report.written[0].read_text(encoding="utf-8")
    assert "No notes on this brief." in report.written[1].read_text(encoding="utf-8")
    assert [(path, "empty" in reason) for path, reason in report.failed] == [(paths[1], True)]
    assert not report.cancelled and report.folder == out
    assert steps == [("reading", 1, 3), ("reading", 2, 3), ("reading", 3, 3),
                     ("exporting", 1, 2), ("exporting", 2, 2)]


def test_export_brief_files_checks_every_name_before_writing(tmp_path, store):
    _folder, paths = _folder_of_briefs(tmp_path)
    out = tmp_path / "exports"
    out.mkdir()
    (out / "harbour-dues-notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(ex.ExportExistsError):
        ex.export_brief_files(NotesService(store), paths, out)
    assert [p.name for p in out.iterdir()] == ["harbour-dues-notes.md"]
    assert (out / "harbour-dues-notes.md").read_text(encoding="utf-8") == "mine"
    report = ex.export_brief_files(NotesService(store), paths, out, force=True)
    assert len(report.written) == 2
    assert (out / "harbour-dues-notes.md").read_text(encoding="utf-8") != "mine"


def test_export_brief_files_stops_when_cancelled(tmp_path, store):
    _folder, paths = _folder_of_briefs(tmp_path)
    out = tmp_path / "exports"
    out.mkdir()
    written: list[int] = []
    report = ex.export_brief_files(
        NotesService(store), paths, out,
        progress=lambda stage, done, _total: written.append(done) if stage == "exporting"
        else None,
        cancelled=lambda: bool(written),  # stop once the first file is written
    )
    assert report.cancelled
    assert [p.name for p in report.written] == ["fisheries-readout-notes.md"]
    assert [p.name for p in out.iterdir()] == ["fisheries-readout-notes.md"]


def test_export_brief_files_in_opens_its_own_store(tmp_path, store):
    _folder, paths = _folder_of_briefs(tmp_path)
    NotesService(store).annotate(load_brief(paths[2]), "harbour-dues", "Dues rise",
                                 note="Ask the harbour master")
    out = tmp_path / "exports"
    out.mkdir()
    report = ex.export_brief_files_in(store.database, paths, out, author="Ana")
    assert len(report.written) == 2 and len(report.failed) == 1
    assert "Ask the harbour master" in report.written[1].read_text(encoding="utf-8")
    with pytest.raises(BriefreaderError, match="cannot open the notes database"):
        ex.export_brief_files_in(tmp_path / "briefs", paths, out)  # a folder, not a database


def test_notes_on_someone_elses_file_path_need_a_brief(tmp_path, store, other):
    path = tmp_path / "elsewhere.md"
    path.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    pathed = load_brief(path)
    colleague = NotesService(store)
    colleague.annotate(pathed, "catch-limits", "cod quota")
    bundle = exported(colleague, pathed)
    with pytest.raises(im.NotesImportError, match="choose your copy of the brief"):
        im.apply_import(NotesService(other), bundle)
    mine = tmp_path / "mine.md"
    mine.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    mine_brief = load_brief(mine)
    summary = im.apply_import(NotesService(other), bundle, brief=mine_brief)
    assert summary.added == 1
    assert [h.current_section for h in NotesService(other).highlights(mine_brief)] == [
        "catch-limits"
    ]


def test_exports_of_a_brief_without_an_id_name_its_file_not_its_folders(tmp_path, store, other):
    # The folders of a brief known by its path say more than the notes, to whoever the
    # export goes to: left out. The same machine still knows the brief.
    folder = tmp_path / "home" / "jsmith" / "Secret Project"
    folder.mkdir(parents=True)
    path = folder / "brief.md"
    path.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    pathed = load_brief(path)
    service = NotesService(store)
    h = service.annotate(pathed, "catch-limits", "cod quota", note="Check", tags=["x"])
    c = service.comment(pathed, "enforcement", "Who pays?")
    data = ex.gather(service, pathed)
    md = ex.export_markdown(data, exported_at=EXPORTED_AT)
    js = ex.export_json(data, exported_at=EXPORTED_AT)
    for text in (md, js):
        assert "jsmith" not in text and "Secret" not in text and str(tmp_path) not in text
    assert yaml.safe_load(md.split("---")[1])["brief_id"] == "/…/brief.md"
    doc = json.loads(js)
    assert (doc["br:brief"]["key"], doc["br:brief"]["iri"]) == (
        "/…/brief.md", "urn:briefreader:file:brief.md")
    assert {i["target"]["source"] for i in doc["first"]["items"]} == {
        "urn:briefreader:file:brief.md"}

    # Read back here without saying which brief: the brief its notes are on.
    again = im.apply_import(service, im.parse_import(js))
    assert (again.brief_key, again.unchanged) == (str(path.resolve()), 2)
    edited = im.parse_import(md.replace("\nCheck\n", "\nCheck the figure\n"))
    summary = im.apply_import(service, edited)
    assert (summary.brief_key, summary.updated) == (str(path.resolve()), 1)
    assert store.get_highlight(h.id).note == "Check the figure"
    # On another machine, as before: the brief is to be chosen…
    theirs = NotesService(other)
    with pytest.raises(im.NotesImportError, match="/…/brief.md, unknown here; choose your copy"):
        im.apply_import(theirs, im.parse_import(js))
    mine = tmp_path / "mine.md"
    mine.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    theirs.sync(load_brief(mine))  # (another name: not taken for it)
    with pytest.raises(im.NotesImportError, match="choose your copy"):
        im.apply_import(theirs, im.parse_import(js))
    # … unless a brief file of that name and version is known there: that one.
    copy = tmp_path / "copy" / "brief.md"
    copy.parent.mkdir()
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    theirs.sync(load_brief(copy))
    summary = im.apply_import(theirs, im.parse_import(js))
    assert (summary.brief_key, summary.added) == (str(copy.resolve()), 2)
    assert {n.id for n in (*other.highlights(summary.brief_key),
                           *other.comments(summary.brief_key))} == {h.id, c.id}


def test_exports_written_with_the_full_path_of_the_brief_still_import(tmp_path, store):
    path = tmp_path / "Secret Project" / "brief.md"
    path.parent.mkdir()
    path.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    pathed = load_brief(path)
    service = NotesService(store)
    h = service.annotate(pathed, "catch-limits", "cod quota", note="Check")
    data = ex.gather(service, pathed)
    full = str(path.resolve())
    old_md = ex.export_markdown(data).replace('"/…/brief.md"', json.dumps(full))
    old_js = json.loads(ex.export_json(data))
    old_js["br:brief"]["key"] = full
    assert full in old_md
    summary = im.apply_import(service, im.parse_import(json.dumps(old_js)))
    assert (summary.brief_key, summary.unchanged) == (full, 1)
    summary = im.apply_import(service, im.parse_import(json.dumps(old_js)), brief=pathed)
    assert (summary.brief_key, summary.unchanged) == (full, 1)
    summary = im.apply_import(service, im.parse_import(old_md.replace("\nCheck\n", "\nChecked\n")))
    assert (summary.brief_key, summary.updated) == (full, 1)
    assert store.get_highlight(h.id).note == "Checked"


def test_a_note_longer_than_a_million_characters_goes_through_json(tmp_path, brief, store, other):
    service = NotesService(store)
    long_note = ("Paragraph of a long note. " * 50 + "\n\n") * 900  # about 1.2 million
    assert len(long_note) > 1_000_000
    h = service.annotate(brief, "catch-limits", "cod quota", note=long_note)
    summary = im.apply_import(NotesService(other), exported(service, brief), brief=brief)
    assert summary.added == 1
    assert other.get_highlight(h.id).note == long_note


def test_a_lone_surrogate_in_a_json_import_is_refused_with_a_message(brief, store, other):
    doc = valid_json(brief, NotesService(store))
    text = json.dumps(doc).replace('"n"', '"bad \\ud800 text"', 1)
    assert "\\ud800" in text
    with pytest.raises(im.NotesImportError, match="not valid Unicode"):
        im.parse_import(text)


@pytest.mark.parametrize("version", [2, "banana", 0, True])
def test_a_json_export_of_another_format_is_refused(brief, store, version):
    doc = valid_json(brief, NotesService(store))
    doc["br:format"] = version
    message = "newer briefreader" if version == 2 else "'br:format' must be"
    with pytest.raises(im.NotesImportError, match=message):
        im.parse_import(json.dumps(doc))


def test_a_passage_attached_by_hand_reaches_the_other_machine(brief, pair):
    mine, theirs, h = pair
    text = next(t.text for t in mine.section_texts(brief) if t.id == "enforcement")
    start = text.index("Satellite monitoring")
    moved = mine.reattach(brief, h.id, "enforcement", start, start + 20)
    summary = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert summary.updated == 1
    there = theirs.store.get_highlight(h.id)
    assert (there.section_id, there.exact, there.current_section, there.status) == (
        "enforcement", "Satellite monitoring", "enforcement", moved.status)


def swap(brief: Brief, a: NotesService, b: NotesService) -> tuple[im.ImportSummary, ...]:
    """Two machines exchange JSON exports made at the same moment, each importing the
    other's."""
    from_a, from_b = exported(a, brief), exported(b, brief)
    return im.apply_import(a, from_b, brief=brief), im.apply_import(b, from_a, brief=brief)


def test_a_text_edited_apart_on_two_machines_keeps_both_on_both(brief, pair):
    mine, theirs, h = pair
    mine.edit_highlight(h.id, note="original\n\nCheck the 2025 figures.")
    theirs.edit_highlight(h.id, note="Ask the ministry first.")  # later
    here, there = swap(brief, mine, theirs)
    assert (here.updated, here.merged, there.updated, there.merged) == (1, 1, 1, 1)
    note = mine.get_highlight(h.id).note
    assert "Check the 2025 figures." in note and "Ask the ministry first." in note
    assert theirs.get_highlight(h.id).note == note  # both machines agree
    again = swap(brief, mine, theirs)
    assert [(s.updated, s.unchanged) for s in again] == [(0, 1), (0, 1)]


def test_tags_added_apart_on_two_machines_are_all_kept_on_both(brief, pair):
    mine, theirs, h = pair
    mine.edit_highlight(h.id, tags=["quota"])
    theirs.edit_highlight(h.id, tags=["follow-up"], color="red")  # later
    swap(brief, mine, theirs)
    here, there = mine.get_highlight(h.id), theirs.get_highlight(h.id)
    assert (here.tags, here.color) == (there.tags, there.color)  # the same on both
    assert (set(here.tags), here.color) == ({"quota", "follow-up"}, "red")


def test_colour_and_tags_changed_on_two_machines_are_each_kept(brief, pair):
    mine, theirs, h = pair
    mine.edit_highlight(h.id, color="red", tags=["urgent"])
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    mine.edit_highlight(h.id, color="blue")
    theirs.edit_highlight(h.id, tags=[])  # later: the tag removed there
    swap(brief, mine, theirs)
    for service in (mine, theirs):
        now = service.get_highlight(h.id)
        assert (now.color, now.tags) == ("blue", ())


def test_a_text_taken_back_on_one_machine_gives_way_to_a_later_edit_on_the_other(
    brief, pair
):
    mine, theirs, h = pair
    theirs.edit_highlight(h.id, note="original?")
    theirs.edit_highlight(h.id, note="original")  # taken back (an undo)
    mine.edit_highlight(h.id, note="Meet on Wednesday")
    here, there = swap(brief, mine, theirs)
    assert (here.merged, there.merged) == (0, 0)
    assert [s.get_highlight(h.id).note for s in (mine, theirs)] == ["Meet on Wednesday"] * 2


def test_one_fix_made_on_both_machines_then_a_later_edit_goes_across_alone(brief, pair):
    mine, theirs, h = pair
    mine.edit_highlight(h.id, note="Meet on Tuesday")
    theirs.edit_highlight(h.id, note="Meet on Tuesday")
    swap(brief, mine, theirs)
    mine.edit_highlight(h.id, note="Meet on Wednesday")
    swap(brief, mine, theirs)
    assert [s.get_highlight(h.id).note for s in (mine, theirs)] == ["Meet on Wednesday"] * 2


def test_three_machines_and_an_undo_settle_on_the_undo(tmp_path, brief, pair):
    mine, theirs, h = pair
    third = NotesService(Store(tmp_path / "third.sqlite3", backup_interval=None))
    im.apply_import(third, exported(mine, brief), brief=brief)
    third.edit_highlight(h.id, color="green")  # the third only recolours it
    mine.edit_highlight(h.id, note="changed")
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    mine.edit_highlight(h.id, note="original")  # taken back
    im.apply_import(mine, exported(third, brief), brief=brief)
    for _ in range(2):
        swap(brief, mine, theirs)
        assert [s.get_highlight(h.id).note for s in (mine, theirs)] == ["original"] * 2
        assert {s.get_highlight(h.id).color for s in (mine, theirs)} == {"green"}
    third.store.close()


def test_an_edit_undone_after_it_was_exported_is_kept_beside_an_edit_made_from_it(
    brief, pair
):
    mine, theirs, h = pair
    mine.edit_highlight(h.id, note="Quota settled, no call needed")
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    mine.edit_highlight(h.id, note="original")  # undone here
    theirs.edit_highlight(h.id, note="Quota settled, no call needed (per minister)")
    swap(brief, mine, theirs)
    swap(brief, mine, theirs)
    note = mine.get_highlight(h.id).note
    assert "original" in note and "(per minister)" in note
    assert theirs.get_highlight(h.id).note == note


def test_a_note_from_before_versions_put_in_the_trash_here_and_edited_there(brief, pair):
    mine, theirs, h = pair
    for service in (mine, theirs):  # as the upgrade leaves every note made before it
        with service.store.transaction("test") as tx:
            tx.execute("UPDATE highlights SET lineage = ''")
    mine.delete_highlight(h.id)
    theirs.edit_highlight(h.id, note="Cod quota: 12%, confirmed")  # later
    swap(brief, mine, theirs)
    swap(brief, mine, theirs)
    for service in (mine, theirs):  # the edit keeps it in view on both
        now = service.get_highlight(h.id)
        assert (now.note, now.deleted_at is not None) == ("Cod quota: 12%, confirmed", False)


def test_a_note_from_before_versions_changed_on_each_machine_keeps_both_changes(
    brief, pair
):
    mine, theirs, h = pair
    for service in (mine, theirs):  # as the upgrade leaves every note made before it
        with service.store.transaction("test") as tx:
            tx.execute("UPDATE highlights SET lineage = ''")
    mine.edit_highlight(h.id, note="Cod quota: 12%, confirmed")
    theirs.edit_highlight(h.id, color="red")  # later
    swap(brief, mine, theirs)
    for service in (mine, theirs):
        now = service.get_highlight(h.id)
        assert (now.note, now.color) == ("Cod quota: 12%, confirmed", "red")


def test_a_note_saved_at_every_pause_is_taken_whole_by_a_copy_that_never_changed(
    brief, pair
):
    mine, theirs, h = pair
    for n in range(lineage.KEPT + 5):  # typed for long, saved at every pause
        mine.edit_highlight(h.id, note=f"Final wording, take {n}")
    here, there = swap(brief, mine, theirs)
    assert (here.merged, there.merged) == (0, 0)
    assert theirs.get_highlight(h.id).note == f"Final wording, take {lineage.KEPT + 4}"


def test_an_edit_made_after_the_other_copy_is_taken_whatever_the_times(brief, pair):
    mine, theirs, h = pair
    theirs.edit_highlight(h.id, note="Edited there")
    # Here, later: to the Trash and back, and a new colour.
    mine.delete_highlight(h.id)
    mine.restore_highlight(h.id)
    mine.edit_highlight(h.id, color="green")
    here, there = swap(brief, mine, theirs)
    for service in (mine, theirs):
        now = service.get_highlight(h.id)
        assert (now.note, now.color, now.deleted_at) == ("Edited there", "green", None)
    assert (here.merged, there.merged) == (0, 0)
    # Taking a text back (undo) is a new version, not the old one again.
    mine.edit_highlight(h.id, note="original")
    summary = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert summary.updated == 1 and theirs.get_highlight(h.id).note == "original"
    summary = im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert summary.updated == 0 and mine.get_highlight(h.id).note == "original"


def test_a_passage_attached_here_stays_when_the_text_was_edited_there_later(brief, pair):
    mine, theirs, h = pair
    text = next(t.text for t in mine.section_texts(brief) if t.id == "enforcement")
    start = text.index("Satellite monitoring")
    mine.reattach(brief, h.id, "enforcement", start, start + 20)
    theirs.edit_highlight(h.id, note="Edited there")
    swap(brief, mine, theirs)
    for service in (mine, theirs):
        now = service.get_highlight(h.id)
        assert (now.note, now.section_id, now.exact, now.current_section) == (
            "Edited there", "enforcement", "Satellite monitoring", "enforcement")


def test_attaching_a_passage_adds_a_version_of_the_passage_only(brief, store):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="n")
    before = lineage.current(store.lineages(h.brief_key, share=True)[h.id])
    stale = replace(h, note="an older text this window still holds")
    text = next(t.text for t in service.section_texts(brief) if t.id == "enforcement")
    start = text.index("Satellite monitoring")
    store.reattach_highlight(replace(stale, section_id="enforcement", exact="Satellite",
                                     start=start, end=start + 9))
    after = lineage.current(store.lineages(h.brief_key)[h.id])
    assert [p for p in after if after[p] != before[p]] == ["passage"]


def test_versions_this_briefreader_cannot_read_leave_the_note_to_its_time(brief, pair):
    mine, theirs, h = pair
    theirs.edit_highlight(h.id, note="Edited there")
    doc = json.loads(ex.export_json(ex.gather(theirs, brief)))
    doc["first"]["items"][0]["br:versions"] += " x:0123456789ab"  # a part unknown here
    odd = im.parse_import(json.dumps(doc))
    assert h.id not in odd.lineages
    summary = im.apply_import(mine, odd, brief=brief)
    assert summary.updated == 1 and mine.get_highlight(h.id).note == "Edited there"


def test_a_note_saved_while_it_is_exported_goes_out_with_its_own_versions(
    brief, store, monkeypatch
):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="before")
    real = Store.lineages
    saves = []

    def saved_meanwhile(self, *args, **kw):
        if kw.get("share") and not saves:  # a window saves just as the export reads
            saves.append(service.edit_highlight(h.id, note="saved meanwhile"))
        return real(self, *args, **kw)

    monkeypatch.setattr(Store, "lineages", saved_meanwhile)
    bundle = exported(service, brief)
    (note,) = bundle.highlights
    assert note.note == "saved meanwhile"
    assert lineage.current(bundle.lineages[h.id])["text"] == lineage.current(
        real(store, h.brief_key)[h.id])["text"]


def test_an_export_from_a_read_only_database_carries_the_versions_it_could_not_mark(
    brief, store, other, monkeypatch
):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota falls", note="the figure: 21")
    monkeypatch.setattr(store, "read_only", True)  # (as a notes folder made read-only)
    bundle = exported(service, brief)
    assert bundle.lineages[h.id] == lineage.shared(store.lineages(h.brief_key)[h.id])
    assert lineage.UNSHARED in store.lineages(h.brief_key)[h.id]  # (nothing written)
    monkeypatch.undo()
    # The other machine knows which version it went on from: its fix comes back whole.
    theirs = NotesService(other)
    im.apply_import(theirs, bundle, brief=brief)
    theirs.edit_highlight(h.id, note="the figure: 12")
    im.apply_import(service, exported(theirs, brief), brief=brief)
    assert service.get_highlight(h.id).note == "the figure: 12"


def test_a_comment_edited_apart_keeps_both_texts_and_a_deletion_there_is_taken(brief, pair):
    mine, theirs, _ = pair
    c = mine.comment(brief, "enforcement", "Who pays for the patrols?")
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    mine.edit_comment(c.id, "Who pays for the patrols? The fund, says DG MARE.")
    theirs.edit_comment(c.id, "Raise at the council.")
    theirs.delete_comment(c.id)
    swap(brief, mine, theirs)
    for service in (mine, theirs):
        now = service.store.get_comment(c.id)
        assert "DG MARE" in now.body and "Raise at the council." in now.body
        assert now.deleted_at is not None  # in the Trash, with both texts


def test_the_versions_of_a_note_grow_with_each_change_exported(brief, store):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="n")
    first = store.lineages(h.brief_key, share=True)[h.id]  # (as an export takes them)
    assert sorted(t[0] for t in first.split()) == ["c", "d", "g", "p", "t"]
    assert "*" not in first
    service.edit_highlight(h.id, note="n2")
    service.edit_highlight(h.id, note="n2")  # the same again: no new version
    service.edit_highlight(h.id, tags=["x"])
    service.delete_highlight(h.id)
    typed = store.lineages(h.brief_key)[h.id].split()
    assert typed[:5] == first.split()
    assert [t[0] for t in typed[5:]] == ["t", "g", "d"] and all(t.endswith("*") for t in typed[5:])
    # Until they are exported, more changes take the place of the versions not shared.
    service.edit_highlight(h.id, note="n3")
    service.restore_highlight(h.id)
    again = store.lineages(h.brief_key)[h.id].split()
    assert len(again) == len(typed) and again[-2:] != typed[-2:]


def test_a_bookmark_removed_on_one_machine_is_removed_on_both_and_stays_removed(brief, pair):
    mine, theirs, _ = pair
    b = mine.add_bookmark(brief, "enforcement", 0, "Patrols")
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    (there,) = theirs.bookmarks(brief)
    theirs.delete_bookmark(there.id)
    summary = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert summary.bookmarks == 0 and theirs.bookmarks(brief) == []  # not brought back
    summary = im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert summary.bookmarks == 1 and mine.bookmarks(brief) == []  # removed here too
    # A bookmark made after the removal is a new one: it goes across.
    time.sleep(0.002)
    again = mine.add_bookmark(brief, "enforcement", 3, "Patrols, again")
    assert again.id != b.id
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert [x.label for x in theirs.bookmarks(brief)] == ["Patrols, again"]
    im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert [x.label for x in mine.bookmarks(brief)] == ["Patrols, again"]


def test_a_bookmark_removed_elsewhere_takes_none_of_the_bookmarks_made_here(brief, pair):
    mine, theirs, _ = pair
    own = theirs.add_bookmark(brief, "enforcement", 0, "Bob: read before Tuesday")
    gone = mine.add_bookmark(brief, "enforcement", 5, "Alice: patrol costs")
    mine.delete_bookmark(gone.id)
    summary = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert summary.bookmarks == 0
    assert [b.id for b in theirs.bookmarks(brief)] == [own.id]
    # And theirs, which the removal here never saw, comes here.
    im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert [b.id for b in mine.bookmarks(brief)] == [own.id]
    # A removal dated in the future counts from now: a bookmark made later still goes.
    bundle = exported(mine, brief)
    ((bid, section, _),) = bundle.removed_bookmarks
    im.apply_import(theirs, replace(bundle, removed_bookmarks=(
        (bid, section, "2099-01-01T00:00:00.000Z"),)), brief=brief)
    assert all(when <= ex.now_utc() for _, _, when in theirs.store.removed_bookmarks(
        own.brief_key))


def test_bookmarks_of_one_section_made_apart_and_joined_are_removed_on_both(brief, pair):
    mine, theirs, _ = pair
    mine.add_bookmark(brief, "outlook", 0, "Alice: ask about autumn")
    theirs.add_bookmark(brief, "outlook", 0, "Bob: stocks review")
    swap(brief, mine, theirs)
    assert [len(b.label.split(" / ")) for b in mine.bookmarks(brief)] == [2]
    (joined,) = mine.bookmarks(brief)
    mine.delete_bookmark(joined.id)
    for _ in range(2):
        swap(brief, mine, theirs)
        assert mine.bookmarks(brief) == theirs.bookmarks(brief) == []


def test_a_joined_bookmark_removed_on_a_third_machine_is_removed_on_all(tmp_path, brief, pair):
    mine, theirs, _ = pair
    third = NotesService(Store(tmp_path / "third.sqlite3", backup_interval=None))
    im.apply_import(third, exported(mine, brief), brief=brief)
    y = theirs.add_bookmark(brief, "enforcement", 0, "Bob")
    im.apply_import(third, exported(theirs, brief), brief=brief)  # the third sees Y only
    mine.add_bookmark(brief, "enforcement", 0, "Alice")
    im.apply_import(theirs, exported(mine, brief), brief=brief)  # X joined into Y there
    third.delete_bookmark(y.id)
    machines = (mine, theirs, third)
    for _ in range(3):
        for a in machines:
            for b in machines:
                if a is not b:
                    im.apply_import(a, exported(b, brief), brief=brief)
    assert [m.bookmarks(brief) for m in machines] == [[], [], []]
    third.store.close()


def test_a_trash_emptied_here_is_not_filled_again_by_the_other_machines(brief, pair):
    mine, theirs, h = pair
    mine.delete_highlight(h.id)
    im.apply_import(theirs, exported(mine, brief), brief=brief)  # in the Trash there too
    mine.empty_trash(brief)
    summary = im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert summary.added == 0 and mine.highlights(brief, trash=None) == []
    assert summary.reasons == ("1 note removed for good from the Trash here",)
    # Kept there since (taken back out of the Trash): it comes back.
    theirs.restore_highlight(h.id)
    summary = im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert summary.added == 1 and [x.id for x in mine.highlights(brief)] == [h.id]


def test_imported_bookmarks_and_labels_never_replace_the_ones_here(brief, pair):
    mine, theirs, _ = pair
    mine.add_bookmark(brief, "enforcement", 0, "Theirs")
    mine.add_bookmark(brief, "catch-limits", 0, "Only theirs")
    mine.store.set_color_label("red", "Their red")
    mine.store.set_color_label("blue", "Their blue")
    theirs.add_bookmark(brief, "enforcement", 5, "Mine")
    theirs.store.set_color_label("blue", "My blue")
    summary = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert summary.bookmarks == 2
    marks = {b.section_id: (b.position, b.label) for b in theirs.bookmarks(brief)}
    assert marks == {"enforcement": (5, "Mine / Theirs"), "catch-limits": (0, "Only theirs")}
    labels = {c.color: c.label for c in theirs.color_labels()}
    assert (labels["red"], labels["blue"]) == ("Their red", "My blue")
    # A colour with no label of one's own here takes theirs: said.
    assert summary.labels == {"red": "Their red"}
    assert "; red is now labelled 'Their red'" in summary.summary()
    assert "blue" not in summary.summary()
    again = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert again.bookmarks == 0
    assert again.labels == {} and "labelled" not in again.summary()
    assert len(theirs.bookmarks(brief)) == 2


def test_a_json_export_of_one_authors_notes_imports_their_replies_in_their_threads(
    brief, store, other
):
    bob, ann = NotesService(store, author="bob"), NotesService(store, author="ann")
    question = bob.comment(brief, "enforcement", "Who pays?")
    answer = ann.comment(brief, "enforcement", "The owners.", reply_to=question.id)
    bob.comment(brief, "enforcement", "Unrelated, by bob.")
    text = ex.export_json(ex.gather(ann, brief), author="ann")
    summary = im.apply_import(NotesService(other), im.parse_import(text), brief=brief)
    assert (summary.added, summary.skipped) == (2, 0)  # the reply, and what it answers
    assert other.get_comment(answer.id).reply_to == question.id
    assert other.get_comment(question.id).body == "Who pays?"


def test_a_title_with_noncharacters_keeps_the_markdown_export_readable(brief, store):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="before")
    odd = replace(brief, title="Fisheries \ufffe readout \uffff")
    md = ex.export_markdown(replace(ex.gather(service, brief), brief=odd))
    assert yaml.safe_load(md.split("---\n")[1])["title"] == odd.title
    assert im.apply_import(service, im.parse_import(md.replace("\nbefore\n", "\nafter\n"))
                           ).updated == 1
    assert service.store.get_highlight(h.id).note == "after"


def test_an_import_counts_only_live_notes_as_not_found(brief, store):
    service = NotesService(store)
    service.sync(brief)
    gone = replace(hl(brief, "catch-limits", "cod quota", 9), status="orphaned",
                   current_section=None, current_start=None, current_end=None)
    trashed = replace(gone, id="00000000-0000-4000-8000-000000000010",
                      deleted_at="2026-03-03T00:00:00.000Z")
    text = ex.export_json(data_of(brief, [gone], [], deleted_highlights=(trashed,)))
    summary = im.apply_import(service, im.parse_import(text), brief=brief)
    assert (summary.added, summary.orphaned) == (2, 1)  # the one in the Trash is not asked


def test_bookmark_labels_do_not_grow_when_two_machines_exchange_exports(brief, pair):
    mine, theirs, _ = pair
    mine.add_bookmark(brief, "enforcement", 0, "Mine")
    theirs.add_bookmark(brief, "enforcement", 0, "Theirs / sign")
    for _ in range(3):
        im.apply_import(theirs, exported(mine, brief), brief=brief)
        im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert [b.label for b in mine.bookmarks(brief)] == ["Mine / Theirs / sign"]
    assert [b.label for b in theirs.bookmarks(brief)] == ["Theirs / sign / Mine"]
    again = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert again.bookmarks == 0


def test_a_review_decision_reaches_a_machine_that_has_the_note(brief, pair):
    mine, theirs, h = pair
    mine.keep_orphan(h.id)  # kept without a place, on the same version of the brief
    summary = im.apply_import(theirs, exported(mine, brief), brief=brief)
    assert summary.updated == 1
    there = theirs.store.get_highlight(h.id)
    assert there.reviewed is not None and there.status == "orphaned"
    assert im.apply_import(theirs, exported(mine, brief), brief=brief).updated == 0


def test_an_export_edited_again_and_imported_again_replaces_its_earlier_import(brief, pair):
    mine, _, h = pair
    md = ex.export_markdown(ex.gather(mine, brief))
    first = md.replace("\noriginal\n", "\nCall minister Tuesday\n")
    im.apply_import(mine, im.parse_import(first), edited_at="2099-01-01T00:00:00.000Z")
    second = md.replace("\noriginal\n", "\nCall the minister on Wednesday\n")
    summary = im.apply_import(mine, im.parse_import(second), edited_at="2099-01-01T00:05:00.000Z")
    # Nothing was changed here since the first import: the file's newer text is the note.
    assert (summary.updated, summary.merged) == (1, 0)
    assert mine.store.get_highlight(h.id).note == "Call the minister on Wednesday"
    # Changed here after that, and in the file again: both are kept.
    mine.edit_highlight(h.id, note="Call the minister on Wednesday. Done.")
    third = md.replace("\noriginal\n", "\nCall the minister on Thursday\n")
    summary = im.apply_import(mine, im.parse_import(third), edited_at="2099-01-01T00:09:00.000Z")
    assert summary.merged == 1
    assert mine.store.get_highlight(h.id).note == (
        "Call the minister on Wednesday. Done.\n\nCall the minister on Thursday")


def test_one_export_copied_to_two_people_and_edited_by_both_keeps_both_edits(
    tmp_path, brief, pair
):
    mine, _, h = pair
    md = ex.export_markdown(ex.gather(mine, brief))
    alice, bob = tmp_path / "alice" / "notes.md", tmp_path / "bob" / "notes.md"
    for path, note in ((alice, "Alice: call Tuesday"), (bob, "Bob: figure is wrong")):
        path.parent.mkdir()
        path.write_text(md.replace("\noriginal\n", f"\n{note}\n"), encoding="utf-8")
        im.import_notes(mine, path, brief=brief)
    assert mine.store.get_highlight(h.id).note == "Alice: call Tuesday\n\nBob: figure is wrong"
    # Bob's file edited again: the note has changed here since (Alice's text), so
    # nothing is lost either.
    bob.write_text(md.replace("\noriginal\n", "\nBob: the figure is right\n"), encoding="utf-8")
    im.import_notes(mine, bob, brief=brief)
    note = mine.store.get_highlight(h.id).note
    assert "Alice: call Tuesday" in note and "Bob: the figure is right" in note


def test_two_copies_of_one_export_saved_at_one_path_keep_both_edits(tmp_path, brief, pair):
    mine, _, h = pair
    md = ex.export_markdown(ex.gather(mine, brief))
    inbox = tmp_path / "notes.md"  # each mailed copy saved over the last
    for note in ("Alice: call the minister on Tuesday", "Bob: the 2025 figure is wrong"):
        inbox.write_text(md.replace("\noriginal\n", f"\n{note}\n"), encoding="utf-8")
        im.import_notes(mine, inbox, brief=brief)
    note = mine.store.get_highlight(h.id).note
    assert "Alice: call the minister on Tuesday" in note and "Bob: the 2025 figure" in note


@pytest.mark.parametrize("again", [
    "Cod quota is 14%. Check with DG MARE.", "", "Cod quota is 13%. Check with the ministry.",
])
def test_one_file_edited_again_replaces_what_its_import_wrote(tmp_path, brief, pair, again):
    mine, _, h = pair
    mine.edit_highlight(h.id, note="Cod quota is 12%.")
    md = ex.export_markdown(ex.gather(mine, brief))
    path = tmp_path / "notes.md"
    for text in ("Cod quota is 13%. Check with DG MARE.", again):
        path.write_text(md.replace("\nCod quota is 12%.\n", f"\n{text}\n"), encoding="utf-8")
        im.import_notes(mine, path, brief=brief)
    assert mine.store.get_highlight(h.id).note == again


def test_two_exports_of_one_note_edited_apart_keep_both_edits(brief, pair):
    # Monday's and Tuesday's exports hold the same text; each is edited and imported.
    import time

    mine, _, h = pair
    c = mine.comment(brief, "enforcement", "Who pays?")
    monday = ex.export_markdown(ex.gather(mine, brief))
    time.sleep(0.005)
    tuesday = ex.export_markdown(ex.gather(mine, brief))
    for n, (md, note, body) in enumerate(((monday, "A: call", "The owners."),
                                          (tuesday, "B: wrong figure", "Ask Treasury."))):
        edited = md.replace("\noriginal\n", f"\n{note}\n").replace(
            "    Who pays?\n", f"    {body}\n")
        im.apply_import(mine, im.parse_import(edited), edited_at=f"2099-01-01T00:0{n}:00.000Z")
    assert mine.store.get_highlight(h.id).note == "A: call\n\nB: wrong figure"
    assert mine.store.get_comment(c.id).body == "The owners.\n\nAsk Treasury."


def test_a_review_decision_on_another_version_is_not_taken_without_the_brief(
    tmp_path, brief, pair
):
    mine, theirs, h = pair
    v1 = tmp_path / "v1" / "fisheries.md"
    v1.parent.mkdir()
    v1.write_text(BRIEF.replace("The cod quota falls", "The whiting quota falls"),
                  encoding="utf-8")
    reissue = load_brief(v1)
    mine.sync(reissue)
    mine.keep_orphan(h.id)  # gone from that version
    im.apply_import(theirs, exported(mine, reissue))  # 'briefreader import FILE'
    there = theirs.store.get_highlight(h.id)
    assert (there.status, there.current_section) == ("anchored", "catch-limits")


def test_a_bookmark_label_that_repeats_its_section_title_is_not_imported(brief, pair):
    mine, theirs, _ = pair
    theirs.add_bookmark(brief, "enforcement", 0, brief.section("enforcement").title)
    mine.add_bookmark(brief, "enforcement", 0, "")
    im.apply_import(mine, exported(theirs, brief), brief=brief)
    mine.rename_bookmark(mine.bookmarks(brief)[0].id, "Read before Tuesday")
    im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert [b.label for b in mine.bookmarks(brief)] == ["Read before Tuesday"]


def test_two_imports_of_one_file_at_once_both_succeed_and_add_each_note_once(
    tmp_path, brief, store, other, monkeypatch
):
    mine = NotesService(store, author="alice")
    populate(mine, brief)
    bundle = exported(mine, brief)
    # Another process imports the same file into the same store.
    second = Store(tmp_path / "b" / "notes.sqlite3")
    real = Store.merge_notes
    raced = []

    def other_import_lands_first(self, **kw):
        if self is other and not raced:
            raced.append(im.apply_import(NotesService(second), bundle, brief=brief))
        return real(self, **kw)

    monkeypatch.setattr(Store, "merge_notes", other_import_lands_first)
    summary = im.apply_import(NotesService(other), bundle, brief=brief)
    second.close()
    assert raced[0].added == 7
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 7)
    assert everything(other, bundle.brief.key) == everything(store, bundle.brief.key)


def without_versions(bundle: im.ImportBundle, stamp: str) -> im.ImportBundle:
    """The bundle as another tool writes it (no versions), on a clock set to ``stamp``."""
    return replace(bundle, lineages={}, highlights=tuple(
        replace(h, created=stamp, modified=stamp) for h in bundle.highlights))


def test_a_file_without_versions_imported_again_leaves_an_edit_made_here_since(
    brief, store, other
):
    theirs = NotesService(other, author="bob")
    h = theirs.annotate(brief, "catch-limits", "cod quota", note="Bob's note", tags=["x"])
    # Their clock runs an hour ahead: their time is later than anything done here.
    bundle = without_versions(exported(theirs, brief), "2099-01-01T00:00:00.000Z")
    mine = NotesService(store, author="alice")
    assert im.apply_import(mine, bundle, brief=brief).added == 1
    mine.edit_highlight(h.id, note="Bob's note\n\nMy own analysis.", tags=["x", "mine"])
    again = im.apply_import(mine, bundle, brief=brief)
    assert (again.added, again.updated) == (0, 0)
    note = mine.get_highlight(h.id)
    assert (note.note, note.tags) == ("Bob's note\n\nMy own analysis.", ("x", "mine"))


def test_a_text_without_versions_written_apart_from_one_not_yet_exported_keeps_both(
    brief, pair
):
    mine, theirs, h = pair  # (the note as both have it was exported)
    mine.edit_highlight(h.id, note="original, and my thoughts")  # not exported since
    bundle = without_versions(exported(theirs, brief), "2099-01-01T00:00:00.000Z")
    bundle = with_highlight(bundle, note="original, and theirs")
    assert im.apply_import(mine, bundle, brief=brief).merged == 1
    text = mine.get_highlight(h.id).note
    assert "my thoughts" in text and "and theirs" in text
    # Once exported, a later text of the other tool's is the one to take.
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    later_there = with_highlight(exported(theirs, brief), note="theirs, settled",
                                 modified="2099-01-02T00:00:00.000Z")
    im.apply_import(mine, later_there, brief=brief)
    assert mine.get_highlight(h.id).note == "theirs, settled"


def test_a_text_without_versions_taken_into_a_note_is_known_when_it_comes_again(
    brief, pair
):
    mine, theirs, h = pair
    bundle = with_highlight(exported(theirs, brief), note="Bob's rewrite",
                            modified="2099-01-01T00:00:00.000Z")
    assert im.apply_import(mine, bundle, brief=brief).updated == 1
    mine.edit_highlight(h.id, note="Bob's rewrite, which I took further.")
    assert im.apply_import(mine, bundle, brief=brief).updated == 0
    assert mine.get_highlight(h.id).note == "Bob's rewrite, which I took further."


PORT_BRIEF = """\
Harbour Dredging Readout

The harbour authority will dredge the eastern channel from September.

Costs

The dredging costs are shared with the regional government.
"""


def test_notes_of_one_brief_are_not_imported_into_an_unrelated_one_unless_asked(
    tmp_path, store, other
):
    # Neither brief has an id: each is known by its path, which differs on every machine.
    (tmp_path / "x").mkdir()
    fish = tmp_path / "x" / "fisheries.md"
    fish.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    port = tmp_path / "x" / "port.txt"
    port.write_text(PORT_BRIEF, encoding="utf-8")
    theirs = NotesService(store, author="bob")
    fisheries = load_brief(fish)
    theirs.annotate(fisheries, "catch-limits", "cod quota falls", note="on fish")
    bundle = exported(theirs, fisheries)
    mine = NotesService(other, author="alice")
    harbour = load_brief(port)
    with pytest.raises(im.OtherBriefError, match="Fisheries Readout.*Harbour Dredging"):
        im.apply_import(mine, bundle, brief=harbour)
    assert other.highlights(str(port.resolve()), trash=None) == []
    summary = im.apply_import(mine, bundle, brief=harbour, any_brief=True)
    assert (summary.added, summary.orphaned) == (1, 1)


@pytest.mark.parametrize("reissue", ["same title", "one section kept", "a quote kept"])
def test_notes_go_into_their_brief_copied_elsewhere_or_reissued(
    tmp_path, store, other, reissue
):
    fish = tmp_path / "theirs.md"
    fish.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    theirs = NotesService(store, author="bob")
    fisheries = load_brief(fish)
    theirs.annotate(fisheries, "catch-limits", "haddock quota is unchanged", note="n")
    bundle = exported(theirs, fisheries)
    text = {
        "same title": "---\ntitle: Fisheries Readout\n---\n\nAll new words.\n",
        "one section kept": "---\ntitle: Fisheries, second readout\n---\n\n## Outlook\n\n"
                            "Scientists will review the stocks again in the autumn.\n",
        "a quote kept": "Fish, revised\n\nThe haddock quota is unchanged, they said.\n",
    }[reissue]
    mine_path = tmp_path / "mine.md"
    mine_path.write_text(text, encoding="utf-8")
    summary = im.apply_import(NotesService(other), bundle, brief=load_brief(mine_path))
    assert summary.added == 1


def test_an_export_goes_on_while_another_program_holds_the_database(
    tmp_path, brief, monkeypatch
):
    import sqlite3

    from briefreader import store as store_mod

    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 100)  # the real wait is 10 s
    s = Store(tmp_path / "locked" / "notes.sqlite3")
    service = NotesService(s)
    shared = service.annotate(brief, "catch-limits", "cod quota", note="exported once")
    ex.gather(service, brief)  # its versions have left this machine
    fresh = service.annotate(brief, "enforcement", "Satellite monitoring", note="new")
    other = sqlite3.connect(tmp_path / "locked" / "notes.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another briefreader writing, for long
    try:
        markdown = ex.export_markdown(ex.gather(service, brief, share=False))
        assert "exported once" in markdown and "new" in markdown
        bundle = im.parse_import(ex.export_json(ex.gather(service, brief)))
    finally:
        other.execute("ROLLBACK")
        other.close()
    # The JSON has every note and every version; here they could not be marked.
    assert {h.id for h in bundle.highlights} == {shared.id, fresh.id}
    assert bundle.lineages[shared.id] and bundle.lineages[fresh.id]
    assert "*" in s.lineages(brief_key(brief))[fresh.id]
    s.close()


def test_a_markdown_export_marks_no_version_as_exported(brief, store):
    service = NotesService(store)
    h = service.annotate(brief, "catch-limits", "cod quota", note="kept here")
    ex.export_markdown(ex.gather(service, brief, share=False))
    assert lineage.UNSHARED in store.lineages(h.brief_key)[h.id]


@pytest.mark.parametrize("placement", [
    {"section": "no-such-section", "start": 0, "end": 5},
    {"section": "catch-limits", "start": 5, "end": 2**31 - 1},
    {"section": "catch-limits", "start": 40, "end": 10},
    {"section": "enforcement", "start": 0, "end": 9},  # a real range: another passage
    {},  # "anchored", and nowhere
])
def test_a_placement_in_the_file_that_does_not_hold_here_is_found_again(
    brief, store, other, placement
):
    theirs = NotesService(store)
    h = theirs.annotate(brief, "catch-limits", "haddock quota", note="n")
    doc = json.loads(ex.export_json(ex.gather(theirs, brief)))
    (item,) = doc["first"]["items"]
    item["br:placement"] = placement
    item["br:status"] = "anchored"  # (as a hand or another tool wrote it)
    im.apply_import(NotesService(other), im.parse_import(json.dumps(doc)), brief=brief)
    got = other.get_highlight(h.id)
    text = text_of(brief, "catch-limits")
    assert (got.status, got.current_section) == ("anchored", "catch-limits")
    assert text[got.current_start:got.current_end] == "haddock quota"


def test_a_comment_placed_by_the_file_in_no_section_here_is_found_again(brief, store, other):
    theirs = NotesService(store)
    c = theirs.comment(brief, "enforcement", "Who pays?")
    doc = json.loads(ex.export_json(ex.gather(theirs, brief)))
    (item,) = doc["first"]["items"]
    item["br:placement"] = {"section": "no-such-section"}
    im.apply_import(NotesService(other), im.parse_import(json.dumps(doc)), brief=brief)
    got = other.get_comment(c.id)
    assert (got.status, got.current_section) == ("anchored", "enforcement")


def test_a_note_edited_on_one_side_and_trashed_on_the_other_stays_out_of_the_trash(
    brief, pair
):
    mine, theirs, h = pair
    theirs.delete_highlight(h.id)  # not knowing of the edit made here
    mine.edit_highlight(h.id, note="original, and what I added")  # nor of their Trash
    to_theirs, to_mine = exported(mine, brief), exported(theirs, brief)
    im.apply_import(mine, to_mine, brief=brief)
    im.apply_import(theirs, to_theirs, brief=brief)
    for side in (mine, theirs):
        note = side.get_highlight(h.id)
        assert (note.note, note.deleted_at) == ("original, and what I added", None)
    # Both agree from then on: exchanging again changes nothing.
    assert im.apply_import(mine, exported(theirs, brief), brief=brief).updated == 0
    assert im.apply_import(theirs, exported(mine, brief), brief=brief).updated == 0


def test_a_note_trashed_after_its_edit_was_seen_goes_to_the_trash_on_both(brief, pair):
    mine, theirs, h = pair
    mine.edit_highlight(h.id, note="edited here")
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    theirs.delete_highlight(h.id)  # having read the edit
    im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert mine.get_highlight(h.id).deleted_at is not None


def test_a_text_not_yet_exported_is_kept_through_one_versionless_file_after_another(
    brief, pair
):
    mine, theirs, h = pair  # ("original" was exported)
    mine.edit_highlight(h.id, note="My analysis, never exported.", tags=["mine"])
    tool = without_versions(exported(theirs, brief), "2099-01-01T00:00:00.000Z")
    for n in (1, 2):
        im.apply_import(mine, with_highlight(tool, note=f"Tool text v{n}",
                                             tags=(f"tool{n}",)), brief=brief)
    note = mine.get_highlight(h.id)
    assert "My analysis" in note.note and "Tool text v2" in note.note
    assert "mine" in note.tags and "tool2" in note.tags


def test_a_versionless_text_merged_in_is_known_when_the_same_file_comes_again(
    brief, pair
):
    mine, theirs, h = pair
    mine.edit_highlight(h.id, note="My reading.", tags=["mine"])
    tool = with_highlight(without_versions(exported(theirs, brief), "2000-01-01T00:00:00.000Z"),
                          note="Bob's paragraph.", tags=("bob",))
    assert im.apply_import(mine, tool, brief=brief).merged == 1
    mine.edit_highlight(h.id, note="My reading, after Bob's point.", tags=["mine"])
    assert im.apply_import(mine, tool, brief=brief).updated == 0
    note = mine.get_highlight(h.id)
    assert (note.note, note.tags) == ("My reading, after Bob's point.", ("mine",))


def test_a_later_versionless_text_going_back_to_one_exported_before_keeps_both(brief, pair):
    mine, theirs, h = pair  # ("original" was exported)
    mine.edit_highlight(h.id, note="DRAFT, to be checked")
    im.apply_import(theirs, exported(mine, brief), brief=brief)  # exported: seen there
    back = with_highlight(exported(theirs, brief), note="original",
                          modified="2099-01-01T00:00:00.000Z")
    # Gone back to it, or a stale copy? Without versions, no telling: both are kept.
    assert im.apply_import(mine, back, brief=brief).merged == 1
    assert mine.get_highlight(h.id).note == "DRAFT, to be checked\n\noriginal"


def test_a_versionless_file_imported_again_after_an_export_keeps_the_edit_made_here(
    brief, store, other
):
    theirs = NotesService(other, author="bob")
    h = theirs.annotate(brief, "catch-limits", "cod quota", note="Bob's note")
    bundle = without_versions(exported(theirs, brief), "2099-01-01T00:00:00.000Z")
    mine = NotesService(store, author="alice")
    im.apply_import(mine, bundle, brief=brief)
    mine.edit_highlight(h.id, note="Bob's note\n\nMy own analysis, an hour of work.")
    ex.gather(mine, brief)  # exported: its versions have left this machine
    im.apply_import(mine, bundle, brief=brief)
    assert mine.get_highlight(h.id).note == "Bob's note\n\nMy own analysis, an hour of work."


REISSUED = """\
---
title: Fisheries Readout (revised)
---

Quotas were agreed late on Friday after three days of talks.

## Catch limits

The cod quota falls by 10 percent next year. The haddock quota rises.

## Enforcement

Satellite monitoring becomes mandatory for all vessels.

## Outlook

Scientists will review the stocks in the spring.
"""


@pytest.mark.parametrize("what", ["comments only", "a short quote"])
def test_notes_go_into_a_reissue_with_every_paragraph_touched(tmp_path, store, other, what):
    fish = tmp_path / "theirs.md"
    fish.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    theirs = NotesService(store)
    fisheries = load_brief(fish)
    if what == "comments only":
        theirs.comment(fisheries, "enforcement", "Who pays?")
    else:
        theirs.annotate(fisheries, "catch-limits", "cod quota", note="n")
    bundle = exported(theirs, fisheries)
    if what == "a short quote":  # (its headings renamed too: the quote alone tells)
        renamed = tuple(replace(s, heading=f"Part {n}")
                        for n, s in enumerate(bundle.brief.sections))
        bundle = replace(bundle, brief=replace(bundle.brief, sections=renamed))
    reissue = tmp_path / "mine.md"
    reissue.write_text(REISSUED, encoding="utf-8")
    assert im.apply_import(NotesService(other), bundle, brief=load_brief(reissue)).added == 1


def test_two_briefs_that_each_have_an_empty_heading_are_still_two_briefs(
    tmp_path, store, other
):
    fish = tmp_path / "fish.md"
    fish.write_text(BRIEF.replace("id: fisheries-2026\n", "").replace(
        "## Outlook\n", "## Annexes\n\n## Outlook\n"), encoding="utf-8")
    port = tmp_path / "port.md"
    port.write_text("# Harbour Dredging Readout\n\n## Annexes\n\n## Costs\n\n"
                    "The dredging costs are shared.\n", encoding="utf-8")
    theirs = NotesService(store)
    fisheries = load_brief(fish)
    theirs.annotate(fisheries, "catch-limits", "cod quota falls", note="n")
    with pytest.raises(im.OtherBriefError):
        im.apply_import(NotesService(other), exported(theirs, fisheries),
                        brief=load_brief(port))


def test_a_note_with_the_id_of_a_note_of_the_other_kind_here_is_left_out_and_said(
    brief, store, other
):
    theirs = NotesService(store)
    theirs.annotate(brief, "catch-limits", "cod quota", note="from elsewhere")
    doc = json.loads(ex.export_json(ex.gather(theirs, brief)))
    mine = NotesService(other)
    c = mine.comment(brief, "enforcement", "My own comment")
    doc["first"]["items"][0]["id"] = f"urn:uuid:{c.id}"  # (a file written by hand)
    summary = im.apply_import(mine, im.parse_import(json.dumps(doc)), brief=brief)
    assert (summary.added, summary.skipped) == (0, 1)
    assert summary.reasons == ("1 note with the id of a note of another kind here",)
    assert other.get_comment(c.id).body == "My own comment"


def test_notes_go_into_a_one_section_brief_reissued_under_a_longer_title(
    tmp_path, store, other
):
    first = tmp_path / "memo.txt"
    first.write_text("Fisheries Memo\n\nThe council meets in September to agree the quotas.\n",
                     encoding="utf-8")
    theirs = NotesService(store)
    memo = load_brief(first)
    theirs.comment(memo, memo.sections[-1].id, "Which council?")
    final = tmp_path / "memo-final.txt"
    final.write_text("Fisheries Memo (final)\n\nThe council meets in October to agree the "
                     "quotas.\n", encoding="utf-8")
    summary = im.apply_import(NotesService(other), exported(theirs, memo),
                              brief=load_brief(final))
    assert summary.added == 1


def test_a_colleagues_edit_of_a_note_deleted_for_good_here_is_not_lost(brief, pair):
    mine, theirs, h = pair
    theirs.edit_highlight(h.id, note="Bob's second thoughts")  # never seen here
    mine.delete_highlight(h.id)
    mine.purge([h.id], [])
    summary = im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert summary.added == 1
    assert mine.get_highlight(h.id).note == "Bob's second thoughts"


@pytest.mark.parametrize("a, b, same", [
    ("Plan (draft)", "Plan (final)", True),
    ("Heatwave briefing", "Heatwave briefing, March 2024", True),
    ("Smith v. Jones", "Smith v Jones (final)", True),
    ("DRAFT: Fisheries Memo", "Revised Fisheries Memo", True),
    ("Heat-wave memo", "Heatwave memo", True),
    ("Café policy memo", "Cafe policy memo", True),
    ("Motion to Dismiss", "Opposition to Motion to Dismiss", False),
    ("Budget 2023", "Budget [2024]", False),
    ("Brief", "Reply Brief", False),
    ("Plan", "Plan B", False),
    ("Harbour Dredging (Port of Leith)", "Harbour Dredging (Port of Tyne)", False),
])
def test_titles_of_one_brief_reissued_are_told_from_those_of_another(a, b, same):
    assert im._same_title(a, b) is same


def test_versions_exported_while_the_database_was_busy_are_marked_at_its_next_save(
    tmp_path, brief, other, monkeypatch
):
    import sqlite3

    from briefreader import store as store_mod

    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 100)  # the real wait is 10 s
    s = Store(tmp_path / "busy" / "notes.sqlite3")
    alice = NotesService(s)
    h = alice.annotate(brief, "catch-limits", "cod quota", note="The cod figure is 21 percent")
    lock = sqlite3.connect(tmp_path / "busy" / "notes.sqlite3", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another program writing, for long
    try:
        sent = exported(alice, brief)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    bob = NotesService(other)
    im.apply_import(bob, sent, brief=brief)
    alice.edit_highlight(h.id, note="The cod figure is 12 percent")  # the typo fixed
    # The version that left is kept: Bob's copy is known for one Alice went on from.
    assert lineage.current(sent.lineages[h.id])["text"] in s.lineages(h.brief_key)[h.id]
    summary = im.apply_import(bob, exported(alice, brief), brief=brief)
    assert (summary.updated, summary.merged) == (1, 0)
    assert bob.get_highlight(h.id).note == "The cod figure is 12 percent"
    s.close()


def test_a_note_deleted_for_good_here_stays_gone_from_a_copy_with_nothing_new(brief, pair):
    mine, theirs, h = pair  # (theirs has it as exported from here)
    mine.delete_highlight(h.id)
    mine.purge([h.id], [])
    for copy in (exported(theirs, brief), exported(theirs, brief)):
        summary = im.apply_import(mine, copy, brief=brief)
        assert (summary.added, summary.reasons) == (
            0, ("1 note removed for good from the Trash here",))


def test_a_comment_deleted_for_good_here_comes_back_with_a_new_reply_to_it(brief, pair):
    mine, theirs, _ = pair
    c = mine.comment(brief, "enforcement", "Is a fifth right?")
    im.apply_import(theirs, exported(mine, brief), brief=brief)
    theirs.comment(brief, "enforcement", "No: 21 percent, see annex 4.", reply_to=c.id)
    mine.delete_comment(c.id)
    mine.purge([], [c.id])
    summary = im.apply_import(mine, exported(theirs, brief), brief=brief)
    assert summary.added == 2
    assert {x.body for x in mine.comments(brief)} == {"Is a fifth right?",
                                                      "No: 21 percent, see annex 4."}


def test_an_export_from_before_utc_times_and_tag_spans_reads_its_label_lines_as_they_were(
    brief, pair
):
    # Exports made before comment times said "UTC" and tags were code spans wrote
    # "**alice** · 2026-01-02 10:00" and "· \#urgent": unchanged, they are not said
    # to be changed.
    mine, _, h = pair
    mine.edit_highlight(h.id, tags=("urgent",))
    mine.comment(brief, "enforcement", "A comment")
    md = ex.export_markdown(ex.gather(mine, brief))
    old = md.replace(" UTC", "").replace("· tags `urgent`", "· \\#urgent")
    assert old != md
    assert im.apply_import(mine, im.parse_import(old)).relabelled == ()
    changed = old.replace("\\#urgent", "\\#later")
    assert len(im.apply_import(mine, im.parse_import(changed)).relabelled) == 1


def test_a_json_export_made_by_another_briefreader_finds_the_same_brief_file_here(
    tmp_path, store, other
):
    # Another machine reads the brief with another briefreader (or Python, or library)
    # version: the content hash differs in its reading part, not in its file's part.
    # Its export still finds the brief file of that name and bytes here.
    path = tmp_path / "theirs" / "brief.md"
    path.parent.mkdir()
    path.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    service = NotesService(other)
    h = service.annotate(load_brief(path), "catch-limits", "cod quota", note="Check")
    doc = json.loads(ex.export_json(ex.gather(service, load_brief(path)),
                                    exported_at=EXPORTED_AT))
    mine = load_brief(path)
    assert doc["br:brief"]["contentHash"] == mine.content_hash
    doc["br:brief"]["contentHash"] = mine.content_hash[:FILE_DIGITS] + "0" * 16
    copy = tmp_path / "mine" / "brief.md"
    copy.parent.mkdir()
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    here = NotesService(store)
    here.sync(load_brief(copy))
    summary = im.apply_import(here, im.parse_import(json.dumps(doc)))
    assert (summary.brief_key, summary.added) == (str(copy.resolve()), 1)
    assert store.get_highlight(h.id).note == "Check"
    # A hash that is no file's hash names no brief file.
    doc["br:brief"]["contentHash"] = mine.content_hash[:8]
    third = Store(tmp_path / "third.sqlite3")
    try:
        NotesService(third).sync(load_brief(copy))
        with pytest.raises(im.NotesImportError, match="choose your copy"):
            im.apply_import(NotesService(third), im.parse_import(json.dumps(doc)))
    finally:
        third.close()
