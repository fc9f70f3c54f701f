"""What both brief importers share: section ids (heading slugs, made unique), the title
taken from a file name, and assembling the Brief. Every Brief built here has at least one
section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown.extensions.toc import slugify_unicode

from briefreader.brief import LEAD_ID, Brief, Section

BRIEF_SUFFIXES = (".md", ".markdown", ".txt", ".text")


def slugify(text: str) -> str:
    """URL-style slug ("Key Findings" -> "key-findings"), Unicode letters kept.

    Leading "_" and "-" are dropped, so no slug can equal LEAD_ID."""
    if _PLAIN_WORDS.fullmatch(text):
        return "-".join(text.split()).lower()  # what slugify_unicode gives, faster
    return slugify_unicode(text, "-").lstrip("_-")


_PLAIN_WORDS = re.compile(r"[A-Za-z0-9 ]*[A-Za-z0-9][A-Za-z0-9 ]*")


@dataclass
class _Heading:
    title: str
    level: int
    source: str
    line: int
    slug: str | None = None
    """An explicit id ({#id} in Markdown); otherwise the title's slug is used."""


def _assemble(
    *,
    title: str,
    lead: tuple[str, int] | None,
    headings: list[_Heading],
    fmt: str,
    content_hash: str,
    path: Path | None,
    doc_id: str | None = None,
    date: str | None = None,
    metadata: dict | None = None,
) -> Brief:
    sections: list[Section] = []
    if lead is not None or not headings:
        source, line = lead if lead is not None else ("", 1)
        sections.append(Section(LEAD_ID, title, 0, None, 0, source, line))
    used = {LEAD_ID}
    next_suffix: dict[str, int] = {}
    stack: list[tuple[int, str]] = []  # (level, id) of the open ancestors
    for h in headings:
        base = h.slug or slugify(h.title) or "section"
        section_id = base
        if section_id in used:
            n = next_suffix.get(base, 2)
            while f"{base}-{n}" in used:
                n += 1
            next_suffix[base] = n + 1
            section_id = f"{base}-{n}"
        used.add(section_id)
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((h.level, section_id))
        sections.append(
            Section(section_id, h.title, h.level, parent, len(sections), h.source, h.line)
        )
    return Brief(
        title=title,
        sections=tuple(sections),
        format=fmt,  # type: ignore[arg-type]
        content_hash=content_hash,
        path=path,
        doc_id=doc_id,
        date=date,
        metadata=metadata or {},
    )


def _title_from_name(name: str) -> str:
    p = Path(name)
    stem = p.stem if p.suffix.lower() in BRIEF_SUFFIXES else p.name
    return " ".join(re.sub(r"[-_]+", " ", stem).split()) or name
