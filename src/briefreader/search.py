"""Finding text: in one brief (the find bar) and everywhere (full-text search).

Pure helpers, no SQL and no Qt:

* :func:`fold` and :func:`find_matches` — case- and accent-insensitive matching
  over a brief's section texts, with positions in the original text (code points),
  and :func:`step` to move through the matches across sections.
* :func:`parse_query` — what a person typed turned into an FTS5 query that SQLite
  always accepts: words, "quoted phrases", ``prefix*`` and ``OR``; anything else is
  taken as plain words, so a query never fails with a syntax error.
* :func:`shape_snippet` — the marked-up excerpt FTS5 returns, as plain text plus
  the spans to emphasise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from briefreader.errors import BriefreaderError

Kind = Literal["text", "note", "comment"]
Scope = Literal["text", "notes", "all"]
SCOPES: tuple[Scope, ...] = ("text", "notes", "all")

#: Markers the store asks FTS5's snippet() to put around matches. Control
#: characters: they never occur in normalised brief text or in notes.
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"
MAX_QUERY_TERMS = 32
"""Beyond this, further words are ignored (a pasted paragraph is not a query)."""


class QueryError(BriefreaderError):
    """The query has nothing to search for."""


# --------------------------------------------------------------------------- folding


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # A character made only of marks (a lone combining accent) folds to nothing.
    return stripped.casefold()


def fold(text: str) -> str:
    """Lower case without accents, for comparing: ``fold("Résumé") == "resume"``."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def _fold_mapped(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, for each of its characters, the index it came from in
    ``text``; None when folding kept every character one-for-one (the usual case,
    which then costs one ``str.translate``)."""
    if text.isascii():
        return text.lower(), None
    table = {ord(ch): _fold_char(ch) for ch in set(text)}
    if all(len(v) == 1 for v in table.values()):
        return text.translate(table), None
    parts: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = table[ord(ch)]
        parts.append(folded)
        offsets.extend([i] * len(folded))
    return "".join(parts), offsets


def _original_span(offsets: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    # A match may start or end inside one character's folding ("ß" -> "ss"): the
    # whole character is taken, and so are accents that folded to nothing after it.
    return offsets[start], offsets[end] if end < len(offsets) else length


# --------------------------------------------------------------------------- find in brief


@dataclass(frozen=True, order=True)
class TextMatch:
    """One match in a brief: code points ``start``–``end`` of a section's plain text."""

    ordinal: int
    """Index of the section in the list searched (reading order)."""
    start: int
    end: int
    section_id: str = field(compare=False)


def find_in_text(text: str, needle: str, *, case_sensitive: bool = False) -> list[tuple[int, int]]:
    """Every non-overlapping match of ``needle`` in ``text`` as (start, end).

    Case-insensitive search also ignores accents (``cafe`` finds ``Café``);
    case-sensitive search matches exactly.
    """
    if not needle:
        return []
    if case_sensitive:
        hay, wanted, offsets = text, needle, None
    else:
        wanted = fold(needle)
        if not wanted:
            return []
        hay, offsets = _fold_mapped(text)
    found: list[tuple[int, int]] = []
    at = hay.find(wanted)
    while at != -1:
        end = at + len(wanted)
        if offsets is None:
            found.append((at, end))
        else:
            found.append(_original_span(offsets, at, end, len(text)))
        at = hay.find(wanted, end)
    return found


def find_matches(
    sections: Sequence[tuple[str, str]], needle: str, *, case_sensitive: bool = False
) -> list[TextMatch]:
    """Matches across ``(section_id, plain_text)`` pairs, in reading order."""
    return [
        TextMatch(ordinal, start, end, section_id)
        for ordinal, (section_id, text) in enumerate(sections)
        for start, end in find_in_text(text, needle, case_sensitive=case_sensitive)
    ]


def step(
    matches: Sequence[TextMatch],
    current: int | None,
    forward: bool,
    *,
    origin: tuple[int, int] | None = None,
) -> int | None:
    """Index of the match to go to next, wrapping around the brief; None when none.

    From ``current`` (an index in ``matches``) move one way. Without a current match,
    start at ``origin`` = (section ordinal, position): the first match at or after it
    going forward, the last one before it going back.
    """
    if not matches:
        return None
    n = len(matches)
    if current is not None and 0 <= current < n:
        return (current + (1 if forward else -1)) % n
    if origin is None:
        return 0 if forward else n - 1
    keys = [(m.ordinal, m.start) for m in matches]
    if forward:
        return next((i for i, k in enumerate(keys) if k >= origin), 0)
    return next((i for i in range(n - 1, -1, -1) if keys[i] < origin), n - 1)


def count_label(current: int | None, total: int) -> str:
    """The find bar's "n of m"."""
    if total == 0:
        return "No matches"
    if current is None:
        return f"{total} match{'es' * (total != 1)}"
    return f"{current + 1} of {total}"


class FindSession:
    """Find in one brief: the matches of the current text and which one is current.

    The window feeds each ``find_requested(text, forward, case_sensitive)`` to
    :meth:`find`: the same text again moves to the next (or previous) match, a new
    text starts from ``origin`` (where the reader is), so typing more letters keeps
    the match in place when it still fits.
    """

    def __init__(self, sections: Sequence[tuple[str, str]]) -> None:
        self.sections = list(sections)
        self.needle = ""
        self.case_sensitive = False
        self.matches: list[TextMatch] = []
        self.index: int | None = None
        self.wrapped = False
        """The last move went past the end of the brief to its start (or back past
        the start to its end), for the window to say so."""

    @property
    def current(self) -> TextMatch | None:
        return self.matches[self.index] if self.index is not None else None

    @property
    def label(self) -> str:
        return count_label(self.index, len(self.matches)) if self.needle else ""

    def find(
        self,
        needle: str,
        forward: bool = True,
        case_sensitive: bool = False,
        *,
        origin: tuple[int, int] | None = None,
    ) -> TextMatch | None:
        if (needle, case_sensitive) == (self.needle, self.case_sensitive) and self.matches:
            return self.step(forward)
        current = self.current
        if current is not None:
            origin = (current.ordinal, current.start)
        self.needle, self.case_sensitive = needle, case_sensitive
        self.matches = find_matches(self.sections, needle, case_sensitive=case_sensitive)
        self.index = step(self.matches, None, forward, origin=origin)
        found = self.current
        self.wrapped = found is not None and origin is not None and (
            (found.ordinal, found.start) < origin if forward
            else (found.ordinal, found.start) >= origin)
        return found

    def step(self, forward: bool) -> TextMatch | None:
        before = self.index
        self.index = step(self.matches, self.index, forward)
        self.wrapped = before is not None and self.index is not None and (
            self.index <= before if forward else self.index >= before)
        return self.current

    def in_section(self, section_id: str) -> list[TextMatch]:
        """Every match in one section, to highlight them all."""
        return [m for m in self.matches if m.section_id == section_id]

    def clear(self) -> None:
        self.needle, self.matches, self.index = "", [], None
        self.wrapped = False


# --------------------------------------------------------------------------- queries

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """A word or phrase of a query, as the person typed it."""

    text: str
    prefix: bool = False
    """Matches words that start with the text (typed with a trailing ``*``)."""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(fold(w) for w in _WORD.findall(self.text))

    @property
    def index_words(self) -> tuple[str, ...]:
        """The words as typed, for the full-text index, which folds case and accents
        itself: folded here, a word could never match ("Straße" would look for
        "strasse", "Αθήνα" for "αθηνα", neither of which the index holds)."""
        return tuple(_WORD.findall(unicodedata.normalize("NFC", self.text)))


@dataclass(frozen=True)
class SearchQuery:
    text: str
    """What was typed."""
    match: str
    """The FTS5 MATCH expression: every term quoted, so it always parses."""
    terms: tuple[Term, ...]


def _quote(words: Iterable[str]) -> str:
    # Inside double quotes FTS5 takes everything as text to tokenise; a double
    # quote itself is written twice. The words are \w runs, so none is present.
    return '"' + " ".join(words) + '"'


def _fts(term: Term) -> str:
    return _quote(term.index_words) + ("*" if term.prefix else "")


def parse_query(text: str) -> SearchQuery:
    """Words (all must occur), ``"exact phrases"``, ``prefix*`` and ``a OR b``.

    Accents and case never matter (the index folds them too). Punctuation splits
    words, as in the index: ``COVID-19`` is the phrase ``covid 19``. Raises
    :class:`QueryError` when there is no word at all.
    """
    groups: list[list[Term]] = []  # AND of groups, each an OR of terms
    pending_or = False
    count = 0
    for m in _TOKEN.finditer(text):
        phrase, bare = m.group(1), m.group(2)
        if bare == "OR":  # upper case only: "or" is an ordinary word
            pending_or = bool(groups)
            continue
        if phrase is not None:
            term = Term(phrase.strip())
        else:
            term = Term(bare.rstrip("*"), prefix=bare.endswith("*"))
        if not term.index_words:
            continue
        if pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
        count += 1
        if count >= MAX_QUERY_TERMS:
            break
    if not groups:
        raise QueryError("type a word to search for")
    # OR binds tighter than the implicit AND, as people read "budget cuts OR savings".
    parts = [
        _fts(g[0]) if len(g) == 1 else "(" + " OR ".join(map(_fts, g)) + ")" for g in groups
    ]
    terms = [t for g in groups for t in g]
    return SearchQuery(text, " AND ".join(parts), tuple(terms))


def column_phrase(value: str) -> str | None:
    """A filter value (an author, a tag, a colour) as an FTS5 phrase; None when it
    has no word to look for."""
    words = Term(value).index_words
    return _quote(words) if words else None


def plain_query(text: str) -> SearchQuery:
    """Every word of ``text`` must occur; no operators at all (the safe fallback)."""
    words = [w for w in _WORD.findall(text)][:MAX_QUERY_TERMS]
    if not words:
        raise QueryError("type a word to search for")
    terms = tuple(Term(w) for w in words)
    return SearchQuery(text, " AND ".join(_fts(t) for t in terms), terms)


def locate(text: str, terms: Sequence[Term]) -> tuple[int, int] | None:
    """The first place in ``text`` where one of ``terms`` occurs, as (start, end).

    Used to open a search result at its match: a phrase must occur as written
    (modulo case, accents and spacing), a prefix term extends to the word's end.
    """
    folded, offsets = _fold_mapped(text)
    best: tuple[int, int] | None = None
    for term in terms:
        words = term.words
        if not words:
            continue
        pattern = r"\b" + r"\W+".join(re.escape(w) for w in words)
        pattern += r"\w*" if term.prefix else r"\b"
        m = re.search(pattern, folded)
        if m is None:
            continue
        start, end = m.span()
        if offsets is not None:
            start, end = _original_span(offsets, start, end, len(text))
        if best is None or start < best[0]:
            best = (start, end)
    return best


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: tuple[tuple[int, int], ...] = ()
    """Spans of ``text`` that matched the query."""

    def marked(self, open_: str, close: str, escape: Callable[[str], str] = str) -> str:
        """The text with each match wrapped, e.g. ``marked("«", "»")``; ``escape`` is
        applied to the text (not the markers), e.g. ``html.escape``."""
        out, last = [], 0
        for start, end in self.marks:
            out += [escape(self.text[last:start]), open_, escape(self.text[start:end]), close]
            last = end
        out.append(escape(self.text[last:]))
        return "".join(out)


_SPACE = re.compile(r"\s+")


_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|`+")
# A link or image shows its words ("[survey](https://…)" → "survey"), unless the match
# is in its address; an address in angle brackets loses the brackets. As CommonMark:
# the words may hold balanced brackets and the address balanced parentheses.
_NOT_IN_ADDRESS = rf"(){MARK_OPEN}{MARK_CLOSE}\s"
_MARKDOWN_LINK = re.compile(
    r"(?<!\\)!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    rf"\((?:[^{_NOT_IN_ADDRESS}]|\([^{_NOT_IN_ADDRESS}]*\))*\)"
)
_MARKDOWN_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
# "\[" reads "[" (CommonMark: a backslash before ASCII punctuation), and opens no link.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shape_snippet(raw: str, *, markdown: bool = False) -> Snippet:
    """FTS5 snippet text (matches between MARK_OPEN/MARK_CLOSE) as a :class:`Snippet`,
    white space folded so a note's line breaks do not break the list's layout.

    ``markdown``: the text is a note's Markdown; its bold and code marks are dropped
    (single ``*`` and ``_`` stay: they are as often part of the text), and a link
    shows its words."""
    if markdown:
        raw = _MARKDOWN_EMPHASIS.sub("", raw)
        for _ in range(3):  # an image in a link's words: the inner first, then the link
            raw, found = _MARKDOWN_LINK.subn(r"\1", raw)
            if not found:
                break
        raw = _MARKDOWN_AUTOLINK.sub(r"\1", raw)
        raw = _MARKDOWN_ESCAPE.sub(r"\1", raw)
    raw = _SPACE.sub(" ", raw).strip()
    text: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", raw):
        if piece == MARK_OPEN:
            start = length
        elif piece == MARK_CLOSE:
            if start is not None and length > start:
                marks.append((start, length))
            start = None
        else:
            text.append(piece)
            length += len(piece)
    joined = "".join(text)
    # The words of a phrase come marked one by one: show the phrase as one match.
    merged: list[tuple[int, int]] = []
    for start, end in marks:
        if merged and not joined[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return Snippet(joined, tuple(merged))


@dataclass(frozen=True)
class SearchFilters:
    scope: Scope = "all"
    color: str | None = None
    """Highlights of this colour only (comments and brief text have none)."""
    tag: str | None = None
    author: str | None = None
    """Notes and comments by this author (brief text has none)."""
    limit: int = 50

    @property
    def wants_text(self) -> bool:
        return self.scope in ("text", "all") and not (self.color or self.tag or self.author)

    @property
    def wants_highlights(self) -> bool:
        return self.scope in ("notes", "all")

    @property
    def wants_comments(self) -> bool:
        return self.scope in ("notes", "all") and not (self.color or self.tag)


@dataclass(frozen=True)
class SearchResult:
    """One hit: a passage of a brief, a highlight (with its note) or a comment."""

    kind: Kind
    brief: str
    """The brief's title."""
    brief_id: str
    """The brief's key in the store (front-matter id, else resolved path)."""
    section: str
    section_title: str
    snippet: Snippet
    id: str | None = None
    """The highlight's or comment's id; None for brief text."""
    start: int | None = None
    """Where the match (or the highlight) is in the section's plain text, when known."""
    end: int | None = None
    path: str | None = None
    """The brief's file, to open it."""
    rank: float = 0.0
    """Lower is better (FTS5 bm25)."""

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "brief": self.brief,
            "brief_id": self.brief_id,
            "section": self.section,
            "section_title": self.section_title,
            "snippet": self.snippet.text,
            "id": self.id,
        }


def merge_ranked(*groups: Sequence[SearchResult], limit: int) -> list[SearchResult]:
    """Results of several searches, best first. bm25 scores of different tables are
    on a comparable scale (negative, more negative is better) for a query's words."""
    merged = [r for group in groups for r in group]
    merged.sort(key=lambda r: r.rank)
    return merged[:limit]
