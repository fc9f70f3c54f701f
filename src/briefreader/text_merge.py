"""Two versions of one note or comment, kept both: for text typed over a version that
was changed meanwhile elsewhere (another window, an import, a crash recovered)."""

from __future__ import annotations


def merged(earlier: str, later: str) -> str:
    """Both texts, ``earlier`` first, each paragraph of ``later`` once: a note changed
    elsewhere after this text was typed keeps both versions. A paragraph that one of
    ``earlier`` goes on from (typing continued there) is not repeated; one that goes on
    from a paragraph of ``earlier`` takes its place (it holds it whole)."""
    if not earlier.strip():
        return later
    out = earlier.split("\n\n")
    for p in later.split("\n\n"):
        text = p.strip()
        if not text or any(q.strip().startswith(text) for q in out):
            continue
        grown = next((i for i, q in enumerate(out) if _goes_on_from(text, q.strip())), None)
        if grown is None:
            out.append(p)
        else:
            out[grown] = p
    return "\n\n".join(out)


def _goes_on_from(text: str, start: str) -> bool:
    """Whether ``text`` is ``start`` with more after it (not inside a word: "Nothing"
    does not go on from "No")."""
    return bool(start) and text.startswith(start) and not (
        start[-1].isalnum() and text[len(start)].isalnum())
