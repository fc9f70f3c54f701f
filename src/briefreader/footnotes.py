"""Markdown footnotes across sections.

A brief keeps its footnote definitions wherever the author put them, usually at
the end; sections are rendered one at a time, so each section gets the
definitions its own references need, and none that belong to other sections.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from briefreader.brief import Brief, Section

_DEF_START = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
# By content hash, confirmed against the sections: the same bytes decoded another way
# are another brief.
_CACHE: OrderedDict[str, tuple[tuple[Section, ...], dict[str, str]]] = OrderedDict()
_CACHE_SIZE = 8


def _split(source: str) -> tuple[str, dict[str, str]]:
    """(source without footnote definitions, label → definition block)."""
    if "[^" not in source:
        return source, {}
    kept: list[str] = []
    defs: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in source.split("\n"):
        m = _DEF_START.match(line)
        if m:
            current = defs.setdefault(m.group(1), [])
            current.append(line)
        elif current is not None and (not line.strip() or line.startswith(("    ", "\t"))):
            current.append(line)
        else:
            current = None
            kept.append(line)
    return "\n".join(kept), {k: "\n".join(v).rstrip() for k, v in defs.items()}


def _definitions(brief: Brief) -> dict[str, str]:
    # Keyed by the content hash, with the sections kept beside the definitions to
    # confirm a hit: hashing the section tuple itself on every call (once per section
    # rendered) made a pass over a brief of thousands of sections quadratic.
    entry = _CACHE.get(brief.content_hash)
    if entry is not None and (entry[0] is brief.sections or entry[0] == brief.sections):
        if entry[0] is not brief.sections:  # the same text loaded again: compare once
            _CACHE[brief.content_hash] = (brief.sections, entry[1])
        return entry[1]
    defs: dict[str, str] = {}
    for section in brief.sections:
        if "[^" in section.source:
            for label, block in _split(section.source)[1].items():
                defs.setdefault(label, block)
    _CACHE[brief.content_hash] = (brief.sections, defs)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return defs


def effective_source(brief: Brief, section: Section) -> str:
    """The section's Markdown with exactly the footnote definitions it references."""
    if brief.format != "markdown" or "[^" not in section.source:
        return section.source
    body, own = _split(section.source)
    labels = list(dict.fromkeys(_REF.findall(body)))
    if not labels:
        return body.rstrip("\n")
    defs = _definitions(brief)
    # A label defined in this section means this section's note, whatever others say.
    blocks = [own.get(label) or defs[label] for label in labels if label in own or label in defs]
    return body.rstrip("\n") + ("\n\n" + "\n\n".join(blocks) if blocks else "")


def clear_cache() -> None:
    _CACHE.clear()
