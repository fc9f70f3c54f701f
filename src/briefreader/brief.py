"""The brief model: a titled document split into sections.

Pure data: no Qt, no I/O. ``parse`` builds these; ``render`` turns a section
into HTML and the normalised plain text that notes anchor to.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

Format = Literal["markdown", "text"]

#: Id of the section holding text that comes before the first heading.
#: Heading slugs never start with "_", so it cannot collide with one.
LEAD_ID = "_lead"


def normalise_text(text: str) -> str:
    """NFC, every run of white space folded to one space, trimmed.

    The one definition of "normalised plain text" that anchors count in. (White space
    is what ``str.isspace`` says it is, as for ``\\s`` in a regular expression.)
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Section:
    """One section of a brief: a heading and the body under it (not its children's)."""

    id: str
    """Stable slug of the heading text, deduplicated with -2, -3 …; LEAD_ID for the lead."""
    title: str
    """Heading text as shown (inline Markdown removed); the brief title for the lead."""
    level: int
    """Heading level 1–6; 0 for the lead section."""
    parent: str | None
    """Id of the nearest enclosing section with a lower level, or None."""
    ordinal: int
    """Position in reading order, from 0."""
    source: str
    """The body in the brief's own format: Markdown source, or for text briefs the
    paragraphs (hard-wrapped lines already joined) separated by blank lines."""
    line: int = 0
    """1-based line of the heading in the file (of the first body line for the lead)."""


@dataclass(frozen=True)
class Brief:
    title: str
    sections: tuple[Section, ...]
    format: Format
    content_hash: str
    """Tells when a brief changed, or is read otherwise: the sha256 (hex) of the file's
    bytes, the rest of it that of the code that reads them (``parse.version_hash``)."""
    path: Path | None = None
    doc_id: str | None = None
    """Front-matter ``id`` when the brief declares one."""
    date: str | None = None
    metadata: dict = field(default_factory=dict, hash=False, compare=False)
    """Front-matter keys other than title/id/date, kept but never rendered."""

    @property
    def base_dir(self) -> Path | None:
        return self.path.parent if self.path else None

    def section(self, section_id: str) -> Section:
        return self.sections[self._positions[section_id]]

    def index_of(self, section_id: str) -> int:
        """KeyError for an id the brief has not."""
        return self._positions[section_id]

    @cached_property
    def _positions(self) -> dict[str, int]:
        # Asked once per note by the notes and their views: a dict, not a walk.
        positions: dict[str, int] = {}
        for i, s in enumerate(self.sections):
            positions.setdefault(s.id, i)
        return positions
