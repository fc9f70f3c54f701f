"""Two versions of one note or comment, kept both: for text typed over a version that
was changed meanwhile elsewhere (another window, an import, a crash recovered)."""

from __future__ import annotations

from collections import Counter


def merged(earlier: str, later: str) -> str:
    """Both texts, ``earlier`` first, each paragraph of ``later`` once: a note changed
    elsewhere after this text was typed keeps both versions. A paragraph of ``later``
    that one of ``earlier`` holds whole, or goes on from, is not repeated; one that goes
    on from a paragraph of ``earlier`` takes its place (it holds it whole)."""
    earlier, later = _one_line_end(earlier), _one_line_end(later)
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
    what the other window added (paragraphs of ``theirs`` beyond those in ``base`` and
    ``mine``, and not one that ``mine`` goes on from) first, then ``mine``.
    Paragraphs of ``base`` that ``mine`` changed or removed are this window's own to
    change: they do not come back; those ``mine`` left as they were and ``theirs``
    changed or removed are the other window's: its version stands. Paragraphs are
    counted, so a "Yes" typed anew is kept beside one the other window changed."""
    base, theirs, mine = (_one_line_end(t) for t in (base, theirs, mine))
    base_count, their_count = _paragraphs(base), _paragraphs(theirs)
    gone = base_count - their_count  # changed or removed by the other window
    kept = []
    for p in mine.split("\n\n"):
        if gone[p.strip()] > 0:
            gone[p.strip()] -= 1
            continue
        kept.append(p)
    mine = "\n\n".join(kept)
    mine_paragraphs = [p.strip() for p in kept]
    extra = their_count - (base_count | Counter(mine_paragraphs))
    added = []
    for p in theirs.split("\n\n"):
        text = p.strip()
        if extra[text] > 0 and not any(_goes_on_from(m, text) for m in mine_paragraphs):
            extra[text] -= 1
            added.append(p)
    if not added:
        return mine
    return "\n\n".join([*added, mine]) if mine.strip() else "\n\n".join(added)


def _paragraphs(text: str) -> Counter[str]:
    return Counter(p.strip() for p in text.split("\n\n") if p.strip())


def _one_line_end(text: str) -> str:
    """Line ends as the editor keeps them (an import may bring Windows ones)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _goes_on_from(text: str, start: str) -> bool:
    """Whether ``text`` is ``start`` with more after it (not inside a word: "Nothing"
    does not go on from "No")."""
    return (bool(start) and len(text) > len(start) and text.startswith(start)
            and not (start[-1].isalnum() and text[len(start)].isalnum()))
