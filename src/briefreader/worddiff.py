"""Word-level differences between a stored quote and the text found now.

Pure functions: the Review view shows their HTML, nothing here knows about Qt.
"""

from __future__ import annotations

import difflib
import html
import re

EQUAL = "equal"
DELETE = "delete"
INSERT = "insert"

#: How deletions and insertions are marked on a light window: each mark sets its own
#: text colour too, so it never depends on the theme's text colour.
DELETE_STYLE = "background:#f9d0cc; color:#6b1109; text-decoration:line-through"
INSERT_STYLE = "background:#c9f0d2; color:#0f4a1e; text-decoration:underline"
#: The same on a dark window: a deep tint with light text, not a glaring pastel.
DARK_DELETE_STYLE = "background:#6b2620; color:#f9d0cc; text-decoration:line-through"
DARK_INSERT_STYLE = "background:#1f5230; color:#c9f0d2; text-decoration:underline"

# SequenceMatcher is quadratic in the worst case; a quote this long is no longer a
# quote, and the window must stay responsive, so it is shown as replaced whole.
MAX_TOKENS = 4000

# Runs of word characters, runs of whitespace, and each other character on its own,
# so "policy," and "policy." differ only in the comma.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Split into word, whitespace and punctuation tokens; joining them gives ``text``."""
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Operations turning ``old`` into ``new``: ("equal" | "delete" | "insert", text).

    Joining the "equal" and "delete" texts gives ``old``; joining the "equal" and
    "insert" texts gives ``new``. Neighbouring operations of one kind are merged and a
    deletion comes before the insertion that replaces it.
    """
    a, b = tokenize(old), tokenize(new)
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        tag = "equal" if old == new else "replace"
        opcodes = [(tag, 0, len(a), 0, len(b))]
    else:
        opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    ops: list[tuple[str, str]] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            between_replacements = (
                0 < n < len(opcodes) - 1
                and opcodes[n - 1][0] == "replace"
                and opcodes[n + 1][0] == "replace"
            )
            if between_replacements and old_part.isspace():
                # "a b" → "x y" reads as one replaced phrase, not two words and a space.
                _append(ops, DELETE, old_part)
                _append(ops, INSERT, new_part)
            else:
                _append(ops, EQUAL, old_part)
            continue
        if tag in ("delete", "replace"):
            _append(ops, DELETE, old_part)
        if tag in ("insert", "replace"):
            _append(ops, INSERT, new_part)
    return _words_first(_deletions_first(ops))


def _append(ops: list[tuple[str, str]], kind: str, text: str) -> None:
    if not text:
        return
    if ops and ops[-1][0] == kind:
        ops[-1] = (kind, ops[-1][1] + text)
    else:
        ops.append((kind, text))


def _deletions_first(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Within each run of changes, gather the deletions and then the insertions."""
    result: list[tuple[str, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            result.append((DELETE, "".join(deleted)))
        if inserted:
            result.append((INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for kind, text in ops:
        if kind == DELETE:
            deleted.append(text)
        elif kind == INSERT:
            inserted.append(text)
        else:
            flush()
            result.append((kind, text))
    flush()
    return result


def _words_first(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Start a lone insertion or deletion at its word, not at the space before it.

    "the[ north] wall" and "the [north ]wall" say the same; the second reads better.
    """
    ops = list(ops)
    for i in range(1, len(ops) - 1):
        (before_kind, before), (kind, text), (after_kind, after) = ops[i - 1 : i + 2]
        if before_kind != EQUAL or after_kind != EQUAL or kind == EQUAL:
            continue
        space = text[: len(text) - len(text.lstrip())]
        if space and not text.isspace() and after.startswith(space):
            ops[i - 1] = (EQUAL, before + space)
            ops[i] = (kind, text[len(space):] + space)
            ops[i + 1] = (EQUAL, after[len(space):])
    return [op for op in ops if op[1]]


def mark_styles(dark: bool = False) -> tuple[str, str]:
    """The (deletion, insertion) styles for a light or a dark window."""
    return (DARK_DELETE_STYLE, DARK_INSERT_STYLE) if dark else (DELETE_STYLE, INSERT_STYLE)


def diff_html(old: str, new: str, *, dark: bool = False) -> tuple[str, str]:
    """(old, new) as HTML: deletions marked in the old text, insertions in the new, in
    colours for a light window or, with ``dark``, a dark one.

    Every piece of text is escaped, so markup in a quote shows as the characters typed.
    """
    delete_style, insert_style = mark_styles(dark)
    old_parts: list[str] = []
    new_parts: list[str] = []
    for kind, text in word_diff(old, new):
        escaped = html.escape(text, quote=True)
        if kind == EQUAL:
            old_parts.append(escaped)
            new_parts.append(escaped)
        elif kind == DELETE:
            old_parts.append(_mark(escaped, delete_style))
        else:
            new_parts.append(_mark(escaped, insert_style))
    return "".join(old_parts), "".join(new_parts)


def _mark(escaped: str, style: str) -> str:
    return f'<span style="{style}">{escaped}</span>'


def similarity(old: str, new: str) -> float:
    """Share of the two texts' tokens that are unchanged, 0.0–1.0 (1.0 when both empty)."""
    a, b = tokenize(old), tokenize(new)
    if not a and not b:
        return 1.0
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        return 1.0 if old == new else 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
