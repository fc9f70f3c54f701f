"""Versions of a note's parts, so that merging two copies of a note can tell a change
made after the other copy's from one made apart from it.

A note has four parts people change on their own: its text, its look (colour and
tags), its passage (where it was made: changed by attaching it elsewhere by hand) and
whether it is in the Trash. Each change of a part gets a version token; a note keeps
the tokens of every version each part has had (the last ones, :data:`KEPT` a part), in
one string such as ``"t:3fa9c1e2b7d4 d:0c5e81aa9f12 t:91b0d4c3e2f1"``. The last token
of a part is the version it is now.

Two copies of a note compared part by part (:func:`relation`):

- the version here is one the other copy had before: the other's is later (taken);
- the other's version is one this copy had before: this one is later (kept);
- neither: changed apart. Texts then keep both; the other parts go by the note's time.

A part with no token (a note from before versions were kept, or from another tool)
goes by the note's time, as every part did before.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from typing import Literal

from briefreader.records import Comment, Highlight

Part = Literal["text", "look", "passage", "trash"]
PARTS: tuple[Part, ...] = ("text", "look", "passage", "trash")
_MARK: dict[Part, str] = {"text": "t", "look": "l", "passage": "p", "trash": "d"}
_PART_OF = {mark: part for part, mark in _MARK.items()}
#: Tokens kept a part: older versions are forgotten (a copy that old, met again, is
#: taken as changed apart, which keeps both texts).
KEPT = 256
#: What a lineage read from a file may be.
VALID = re.compile(r"(?:[tlpd]:[0-9a-f]{12})(?: [tlpd]:[0-9a-f]{12})*")

Relation = Literal["same", "theirs", "mine", "apart", "unknown"]


def values(n: Highlight | Comment) -> dict[Part, object]:
    """The value of each part ``n`` has (a comment has neither look nor passage)."""
    if isinstance(n, Highlight):
        return {
            "text": n.note,
            "look": (n.color, n.tags),
            "passage": (n.section_id, n.exact, n.prefix, n.suffix, n.start, n.end),
            "trash": n.deleted_at,
        }
    return {"text": n.body, "trash": n.deleted_at}


def token(part: Part) -> str:
    """A new version of ``part``."""
    return f"{_MARK[part]}:{os.urandom(6).hex()}"


def joint_token(part: Part, a: str, b: str) -> str:
    """The version that joins versions ``a`` and ``b`` of ``part``: the same wherever
    the two are joined, so two copies that each join them agree."""
    digest = hashlib.sha256(" ".join(sorted((a, b))).encode()).hexdigest()[:12]
    return f"{_MARK[part]}:{digest}"


def first(n: Highlight | Comment) -> str:
    """The lineage of a note made now: one version of each of its parts."""
    return " ".join(token(p) for p in values(n))


def current(lineage: str) -> dict[Part, str]:
    """The token of the version each part is now (parts without one left out)."""
    return {_PART_OF[t[0]]: t for t in lineage.split()}


def grown(lineage: str, old: Highlight | Comment, new: Highlight | Comment) -> str:
    """``lineage`` after ``old`` became ``new``: a new version of each part changed."""
    before, after = values(old), values(new)
    changed = [p for p in after if before.get(p) != after[p]]
    if not changed:
        return lineage
    return _trimmed([*lineage.split(), *(token(p) for p in changed)])


def grown_part(lineage: str, part: Part) -> str:
    """``lineage`` with a new version of ``part``."""
    return _trimmed([*lineage.split(), token(part)])


def joined(mine: str, theirs: str, now: Mapping[Part, str]) -> str:
    """Both lineages in one, with ``now`` the version each part named is now."""
    tokens = dict.fromkeys([*mine.split(), *theirs.split()])
    for t in now.values():
        tokens.pop(t, None)
    return _trimmed([*tokens, *now.values()])


def relation(part: Part, mine: str, theirs: str) -> Relation:
    """Which of two copies of a note has the later version of ``part`` (each copy
    given by its lineage)."""
    m, t = current(mine).get(part), current(theirs).get(part)
    if m is None or t is None:
        return "unknown"
    if m == t:
        return "same"
    if m in theirs.split():
        return "theirs"
    if t in mine.split():
        return "mine"
    return "apart"


def trimmed(lineage: str) -> str:
    """``lineage`` (read from a file) with each part's last :data:`KEPT` versions only."""
    return _trimmed(dict.fromkeys(lineage.split()))


def _trimmed(tokens: Iterable[str]) -> str:
    """``tokens`` in order, each part's last :data:`KEPT` only."""
    tokens = list(tokens)
    seen: dict[str, int] = {}
    keep: list[str] = []
    for t in reversed(tokens):
        n = seen.get(t[0], 0)
        if n < KEPT:
            seen[t[0]] = n + 1
            keep.append(t)
    return " ".join(reversed(keep))
