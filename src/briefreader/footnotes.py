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
# Keyed by the sections too: the same bytes decoded another way are another brief.
_CACHE: OrderedDict[tuple, dict[str, str]] = OrderedDict()
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
    key = (brief.content_hash, brief.sections)
    cached = _CACHE.get(key)
    if cached is None:
        cached = {}
        for section in brief.sections:
            if "[^" in section.source:
                for label, block in _split(section.source)[1].items():
                    cached.setdefault(label, block)
        _CACHE[key] = cached
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return cached


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
