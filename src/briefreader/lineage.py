"""Versions of a note's parts, so that merging two copies of a note can tell a change
made after the other copy's from one made apart from it.

A note has five parts people change on their own: its text, its colour, its tags,
its passage (where it was made: changed by attaching it elsewhere by hand) and
whether it is in the Trash. Each change of a part gets a version token; a note keeps
the tokens of the versions each part has had (the last :data:`KEPT` a part), in one
string such as ``"t:3fa9c1e2b7d4 d:0c5e81aa9f12 t:91b0d4c3e2f1*"``. The last token of
a part is the version it is now. A token starts with a short hash of the part's value
(so that a value taken back, as by an undo, is known for one the note had before) and
ends with random digits. A token marked ``*`` has not left this machine yet: until an
export takes it along, the next change of its part replaces it rather than adding one
(a note typed for an hour, saved at every pause, does not pile up versions nobody
else has seen).

Two copies of a note compared part by part (:func:`relation`):

- the version here is one the other copy had before: the other's is later (taken);
- the other's version is one this copy had before: this one is later (kept);
- else, the other's value is one this copy had before (or the other way round): the
  copy that went on from it is later;
- else changed apart. Texts then keep both, tags the tags of both; the other parts go
  by the note's time (but a note put in the Trash on one side while its text was edited
  on the other stays out of the Trash: see importing.py).

A part with no token (a note from before versions were kept, or from another tool), or
whose versions run past :data:`KEPT`, goes by the note's time, as every part did before;
but while this copy's text or tags have not been exported, the other copy cannot have
gone on from them: its value is older when this copy had it before, else written apart
(:func:`relation_to_value`). A file imported again, on a clock running ahead, does not
take back what was written here since.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Literal

from briefreader.records import Comment, Highlight

Part = Literal["text", "colour", "tags", "passage", "trash"]
PARTS: tuple[Part, ...] = ("text", "colour", "tags", "passage", "trash")
_MARK: dict[Part, str] = {"text": "t", "colour": "c", "tags": "g", "passage": "p",
                          "trash": "d"}  # fmt: skip
_PART_OF = {mark: part for part, mark in _MARK.items()}
#: Tokens kept a part: older versions are forgotten (a copy that old, met again, goes
#: by its time).
KEPT = 256
#: Not yet exported (stored, never written to a file).
UNSHARED = "*"
#: What a lineage read from a file may be.
VALID = re.compile(r"(?:[tcgpd]:[0-9a-f]{12})(?: [tcgpd]:[0-9a-f]{12})*")

Relation = Literal["same", "theirs", "mine", "apart", "unknown"]


def values(n: Highlight | Comment) -> dict[Part, object]:
    """The value of each part ``n`` has (a comment has only a text and a place in the
    Trash)."""
    if isinstance(n, Highlight):
        return {
            "text": n.note,
            "colour": n.color,
            "tags": n.tags,
            "passage": (n.section_id, n.exact, n.prefix, n.suffix, n.start, n.end),
            "trash": n.deleted_at is not None,
        }
    return {"text": n.body, "trash": n.deleted_at is not None}


def _value_hash(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()[:6]


def token(part: Part, value: object) -> str:
    """A new version of ``part``, now ``value``, not yet exported."""
    return f"{_MARK[part]}:{_value_hash(value)}{os.urandom(3).hex()}{UNSHARED}"


def joint_token(part: Part, value: object, a: str, b: str) -> str:
    """The version that joins versions ``a`` and ``b`` of ``part`` into ``value``: the
    same wherever the two are joined, so two copies that each join them agree."""
    digest = hashlib.sha256(" ".join(sorted((bare(a), bare(b)))).encode()).hexdigest()[:6]
    return f"{_MARK[part]}:{_value_hash(value)}{digest}"


def bare(t: str) -> str:
    return t.rstrip(UNSHARED)


def first(n: Highlight | Comment) -> str:
    """The lineage of a note made now: one version of each of its parts."""
    return " ".join(token(p, v) for p, v in values(n).items())


def current(lineage: str) -> dict[Part, str]:
    """The token of the version each part is now (parts without one left out)."""
    return _parsed(lineage)[0]


def _parsed(lineage: str) -> tuple[dict[Part, str], dict[str, list[str]]]:
    """(each part's version now, each mark's versions in order, unmarked), tokens of
    parts this version does not know left out. Cached when short (an import asks of
    each note's lineage many times; a long history is not kept in memory)."""
    return _parsed_short(lineage) if len(lineage) <= 2048 else _parse(lineage)


@lru_cache(maxsize=4096)
def _parsed_short(lineage: str) -> tuple[dict[Part, str], dict[str, list[str]]]:
    return _parse(lineage)


def _parse(lineage: str) -> tuple[dict[Part, str], dict[str, list[str]]]:
    now: dict[Part, str] = {}
    by_mark: dict[str, list[str]] = {}
    for t in lineage.split():
        part = _PART_OF.get(t[0])
        if part is not None:
            now[part] = bare(t)
            by_mark.setdefault(t[0], []).append(bare(t))
    return now, by_mark


def with_bases(lineage: str, vals: Mapping[Part, object]) -> str:
    """A note's ``lineage`` with, for each part that has no version yet (a note from
    before versions were kept), the version every machine gives its value then: so
    that a change made since on one machine is known for later than the other's. Only
    for a note that has versions at all (a briefreader copy); left as it is else."""
    if not lineage:
        return lineage
    now = current(lineage)
    missing = [base_token(p, v) for p, v in vals.items() if p not in now]
    return " ".join([lineage, *missing]) if missing else lineage


def base_token(part: Part, value: object) -> str:
    """The version of ``part`` every machine gives ``value`` on a note from before
    versions were kept."""
    return f"{_MARK[part]}:{_value_hash(value)}000000"


def shared(lineage: str) -> str:
    """``lineage`` as exported: every version has left this machine."""
    return lineage.replace(UNSHARED, "")


def grown(lineage: str, old: Highlight | Comment, new: Highlight | Comment) -> str:
    """``lineage`` after ``old`` became ``new``: a new version of each part changed (in
    place of the part's version now when that one has not been exported)."""
    before, after = values(old), values(new)
    for part, value in after.items():
        if before.get(part) != value:
            lineage = changed(lineage, part, value, before.get(part))
    return lineage


def changed(lineage: str, part: Part, value: object, old: object = None) -> str:
    """``lineage`` with a new version of ``part``, now ``value`` (in place of the
    part's version now when that one has not been exported). A part without a version
    yet (a note from before versions were kept) first gets the base version of its
    ``old`` value (:func:`base_token`)."""
    tokens = lineage.split()
    mark = _MARK[part]
    last = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i][0] == mark), None)
    if last is None:
        tokens.append(base_token(part, old))
    elif tokens[last].endswith(UNSHARED):
        del tokens[last]
    tokens.append(token(part, value))
    return _trimmed(tokens)


def joined(mine: str, theirs: str, now: Mapping[Part, str],
           seen: Iterable[str] = ()) -> str:
    """Both lineages in one (this one's versions kept first when there are too many),
    with ``now`` the version each part named is now (a token marked ``*`` stays so),
    after the versions ``seen`` (of values the other copy had without versions)."""
    tokens = dict.fromkeys([*theirs.split(), *mine.split(), *seen])  # (mine may be marked)
    ends = set(now.values())
    keep = [t for t in tokens if bare(t) not in ends and t + UNSHARED not in tokens]
    return _trimmed([*keep, *(_marked(t, mine) for t in now.values())])


def _marked(t: str, mine: str) -> str:
    """``t`` as this copy holds it: still marked when it is this copy's unexported one."""
    return t + UNSHARED if t + UNSHARED in mine.split() else t


def relation(part: Part, mine: str, theirs: str) -> Relation:
    """Which of two copies of a note has the later version of ``part`` (each copy
    given by its lineage)."""
    m_now, t_now = current(mine).get(part), current(theirs).get(part)
    if m_now is None or t_now is None:
        return "unknown"
    if m_now == t_now:
        return "same"
    mark = _MARK[part]
    m_all, t_all = _parsed(mine)[1][mark], _parsed(theirs)[1][mark]
    if m_now in t_all:
        return "theirs"
    if t_now in m_all:
        return "mine"
    if (len(m_all) >= KEPT or len(t_all) >= KEPT) and not set(m_all) & set(t_all):
        return "unknown"  # versions forgotten: what went before is not known
    # A value taken back (an undo) is a new version: a copy that went on from the
    # version both had before back to the other's value is the later one.
    m_prev = m_all[-2] if len(m_all) > 1 else None
    t_prev = t_all[-2] if len(t_all) > 1 else None
    if m_prev is not None and m_prev in t_all and t_now[2:8] == m_prev[2:8]:
        return "mine"
    if t_prev is not None and t_prev in m_all and m_now[2:8] == t_prev[2:8]:
        return "theirs"
    return "apart"


def relation_to_value(part: Part, mine: str, value: object) -> Relation:
    """As :func:`relation`, against another copy's ``value`` of ``part`` that has no
    version (a file of another tool's, or of a briefreader from before versions).

    While this copy's version has not left this machine, the other copy cannot have
    gone on from it: ``mine`` when the value is one this copy had before, else
    ``apart``. Once it has left, a value this copy had before is a stale copy or
    the other going back to it, which cannot be told apart: ``apart`` (both kept,
    nothing lost); any other value, ``unknown`` (the notes' times decide)."""
    tokens = [t for t in mine.split() if t[0] == _MARK[part]]
    if not tokens:
        return "unknown"
    hashed = _value_hash(value)
    if tokens[-1][2:8] == hashed:
        return "same"
    had = any(t[2:8] == hashed for t in tokens[:-1])
    if tokens[-1].endswith(UNSHARED):
        return "mine" if had else "apart"
    return "apart" if had else "unknown"


def trimmed(lineage: str) -> str:
    """``lineage`` read from a file: each token once (where it last stands), each
    part's last :data:`KEPT` versions only."""
    tokens = lineage.split()
    last = {t: i for i, t in enumerate(tokens)}
    if len(last) == len(tokens) <= KEPT:
        return lineage  # (as nearly every file has it)
    return _trimmed(t for i, t in enumerate(tokens) if last[t] == i)


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
