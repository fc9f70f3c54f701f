"""Two versions of one note or comment, kept both: for text typed over a version that
was changed meanwhile elsewhere (another window, an import, a crash recovered)."""

from __future__ import annotations


def merged(earlier: str, later: str) -> str:
    """Both texts, ``earlier`` first, each paragraph of ``later`` once: a note changed
    elsewhere after this text was typed keeps both versions. A paragraph of ``later``
    that one of ``earlier`` holds whole, or goes on from, is not repeated; one that goes
    on from a paragraph of ``earlier`` takes its place (it holds it whole)."""
    if not earlier.strip():
        return later
    have = [q.strip() for q in earlier.split("\n\n")]  # as it was: later's own don't count
    out = earlier.split("\n\n")
    replaced: set[int] = set()
    for p in later.split("\n\n"):
        text = p.strip()
        if not text or any(q == text or _goes_on_from(q, text) for q in have):
            continue
        grown = next((i for i, q in enumerate(have)
                      if i not in replaced and _goes_on_from(text, q)), None)
        if grown is None:
            out.append(p)
        else:
            out[grown] = p
            replaced.add(grown)
    return "\n\n".join(out)


def merged_over(base: str, theirs: str, mine: str) -> str:
    """``mine`` typed over ``base``, which another window meanwhile made ``theirs``:
    what the other window added (paragraphs of ``theirs`` that are neither in ``base``
    nor in ``mine``, nor one that ``mine`` goes on from) first, then ``mine``.
    Paragraphs of ``base`` that ``mine`` changed or removed are this window's own to
    change: they do not come back; those ``mine`` left as they were and ``theirs``
    changed or removed are the other window's: its version stands."""
    base_paragraphs = {q.strip() for q in base.split("\n\n")}
    their_paragraphs = {q.strip() for q in theirs.split("\n\n")}
    # Paragraphs this window left as they were, which the other changed or removed:
    # the other window's to change (its version is among what it added).
    kept = [p for p in mine.split("\n\n")
            if not (p.strip() in base_paragraphs and p.strip() not in their_paragraphs)]
    mine_paragraphs = [q.strip() for q in kept]
    own = base_paragraphs | set(mine_paragraphs)
    added = [p for p in theirs.split("\n\n") if p.strip() and p.strip() not in own
             and not any(_goes_on_from(m, p.strip()) for m in mine_paragraphs)]
    mine = "\n\n".join(kept)
    if not added:
        return mine
    return "\n\n".join([*added, mine]) if mine.strip() else "\n\n".join(added)


def _goes_on_from(text: str, start: str) -> bool:
    """Whether ``text`` is ``start`` with more after it (not inside a word: "Nothing"
    does not go on from "No")."""
    return (bool(start) and len(text) > len(start) and text.startswith(start)
            and not (start[-1].isalnum() and text[len(start)].isalnum()))
