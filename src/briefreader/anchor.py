"""Anchor highlights to a section's normalised text, and find them again after edits.

A highlight is stored as W3C Web Annotation selectors (TextQuoteSelector: exact text
with some context either side; TextPositionSelector: start/end in code points) on the
normalised plain text of its section (``brief.normalise_text``). When the brief changes,
``reanchor`` finds the highlight again or says honestly that it could not:

* ``anchored``  - the exact quote is in its own section (possibly at a shifted offset);
* ``moved``     - the exact quote is now in another section (also: its section was
  renamed, so its id changed);
* ``changed``   - the text was edited but a close match sits where the note belonged;
* ``ambiguous`` - two or more places fit about equally well: the user chooses (copies
  of a passage in identical surroundings are not that: the nearest one is taken);
* ``orphaned``  - nothing fits well enough. The note is kept; ``candidates`` may hold
  weak suggestions to re-attach it.

Order: the stored position, then the exact quote anywhere in the brief, then near
matches (around the old place, wherever the quote's 4-grams cluster, and for a short
quote between its stored context) aligned with rapidfuzz. Candidates are scored
50 x quote + 20 x prefix + 20 x suffix + 2 x position similarity (normalised to 0..1;
a context shorter than 32 characters, at a section's edge, weighs less); a changed
quote must keep a similarity of 0.75, or 0.65 where both of its old neighbours are
still there. Every place must also be backed by enough agreeing characters (quote
plus context, each counted above what unrelated text scores): three letters of quote
are found everywhere, so a short quote is placed only where its context agrees too
(or, when one side was edited, where it still is in its own section, near its old
offset, with the other side largely as it was - nearly intact, unless both sides
together agree better than unrelated text - no other copy close behind, and not past
its old neighbours, after words that followed it or before those that preceded it;
or, a passage of 24 characters or more, where it is in its own section and nowhere
else in the brief: a list reordered leaves every item with new neighbours).
A long passage whose beginning or end went elsewhere is placed on the clean piece
that stayed, when it holds at least half of the passage. ``reanchor_many`` looks
again for the notes of a renamed section in the section their neighbours went to.

Section comments follow their section through ``section_fingerprint`` / ``match_section``.
Pure functions: no Qt, no I/O.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Literal, TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, LCSseq, Levenshtein

from .brief import normalise_text
from .records import SectionText

CONTEXT_CHARS = 32

Status = Literal["anchored", "moved", "changed", "ambiguous", "orphaned"]

#: Quote similarity (0..1, rapidfuzz ``ratio``) a changed passage needs to be accepted.
ACCEPT_SIMILARITY = 0.75
#: Best two candidates closer than this (combined score, 0..1) -> ask the user.
AMBIGUITY_MARGIN = 0.02

_W_QUOTE, _W_PREFIX, _W_SUFFIX, _W_POS = 50.0, 20.0, 20.0, 2.0

# Below this a quote is not searched fuzzily (too many near matches by chance), only
# between its stored context (see _between).
_MIN_FUZZY = 8
# Shorter ones are looked for between this much of their stored context on each side.
_BETWEEN_CONTEXT = 16
# Evidence for a place, in characters that agree (see _Reanchorer._supported). Unrelated
# snippets of English score about 0.3-0.5 on either similarity: that much counts for nothing.
_CHANCE = 0.5
_EVIDENCE = 40.0
_FUZZY_CONTEXT = 8.0  # context evidence an edited (inexact) match needs besides
_IN_PLACE_EVIDENCE = 8.0  # the quote is still exactly where it was
# Position score (0..1) by which the nearer of two equally good exact copies wins.
_POS_DECISIVE = 0.2
# A short exact quote whose context is too edited to place it otherwise stays in its
# own section when the copy there is near its old offset (position score), agrees on
# one side of context this much and beats every other copy by this margin.
_HOME_NEAR = 0.8
_HOME_SIDE = 0.6
_HOME_MARGIN = 0.05
# Unless that side is nearly intact (_CTX_INTACT), the mean of both sides must reach this.
_HOME_BOTH = 0.55
# An exact quote this long that is in its own section and nowhere else in the brief
# stays there whatever became of its context.
_HOME_ALONE = 24
# A section id that is gone maps to the section holding at least this many (and this
# share) of the notes made in it that were found letter for letter.
_RENAMED_VOTES = 2
_RENAMED_SHARE = 0.6
# A passage still between its old neighbours (both sides of context at least this
# similar) is accepted with less of its own text left.
_CTX_INTACT = 0.9
_ACCEPT_BETWEEN = 0.65
# Both sides at least this similar: an exact match needs no further search.
_CTX_STRONG = 0.8

_Q = 4  # q-gram length of the fuzzy-search index
_MAX_GRAM_HITS = 24  # grams occurring more often than this carry no locating signal
_MAX_INDEXED = 250_000  # q-gram positions indexed per brief, at most
_MAX_SAMPLES = 32  # q-grams sampled from a quote
_MAX_EXACT = 400  # occurrences of one exact quote considered
_SCAN_INSTEAD = 2_000  # a quote whose rarest q-gram is this common is found by scanning
_SCAN_BUDGET = 200_000_000  # characters scanned for exact quotes before the brief is indexed
_KEY_CONTEXT = 8  # context that picks a very common quote's occurrences first
_MAX_REGIONS = 4  # fuzzy regions verified per quote
_LEADERS = 20  # best candidates kept for the decision
_EDGE_CHARS = 24  # a long quote is aligned by its first and last this many characters
# (twice as many when a word replaced at the very edge spoils the first try)
_EDGE_CONTEXT = 10  # and that much of its stored context next to each
_HEAD_TAIL_MIN = 24  # shorter quotes are aligned whole
_CONTEXT_RUN = 12  # stored context found inside a span, in characters, that ends it
_MAX_STRETCH = 800  # text inserted into a highlighted passage that is still followed
_KEPT_IN_STRETCH = 0.9  # share of a long quote found in order around inserted text
_PIECE_GAP = 3  # words edited in a row that still leave one surviving piece
_PIECE_SHORT = 16  # characters a piece of a quote needs to stand for it
_PIECE_MIN = 48  # below this, only with its context next to it intact
_PIECE_PURE = 0.95  # share of such a piece that is the quote's own text, in order
_PIECE_SHARE = 0.5  # share of the quote such a piece must hold
_PIECE_ALONE = 100  # characters of agreeing text that need no context
_TOKEN = re.compile(r"[^ ]+")
_SEP = "\n"  # never inside normalised text, so it cannot join two sections
_T = TypeVar("_T")


# --------------------------------------------------------------------------- selectors


@dataclass(frozen=True)
class Selector:
    """W3C TextQuoteSelector + TextPositionSelector; positions in code points."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def make_selector(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Selector:
    """Selector for ``text[start:end]``; ValueError if the span is empty or out of range."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}..{end} is empty or outside a text of {len(text)}")
    if context < 0:
        raise ValueError("context must not be negative")
    return Selector(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
        start=start,
        end=end,
    )


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def cp_to_utf16(text: str, cp_pos: int) -> int:
    """Code-point offset -> UTF-16 code units (what QTextCursor counts)."""
    if not 0 <= cp_pos <= len(text):
        raise ValueError(f"position {cp_pos} outside a text of {len(text)} code points")
    return cp_pos + len(_ASTRAL.findall(text, 0, cp_pos))


def utf16_to_cp(text: str, utf16_pos: int) -> int:
    """UTF-16 code units -> code-point offset.

    A position inside a surrogate pair (Qt never gives one for a valid cursor) rounds
    down to the start of that character.
    """
    if utf16_pos < 0:
        raise ValueError(f"negative position {utf16_pos}")
    cp = utf16_pos
    for seen, m in enumerate(_ASTRAL.finditer(text)):
        unit = m.start() + seen  # where this astral character starts in UTF-16
        if unit >= utf16_pos:
            break
        cp -= 1
        if unit + 1 == utf16_pos:
            return m.start()
    if cp > len(text):
        raise ValueError(f"position {utf16_pos} outside the text")
    return cp


def find_occurrence(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    """Span of the ``occurrence``-th (1-based, non-overlapping) match of the normalised quote."""
    if occurrence < 1:
        raise ValueError("occurrence counts from 1")
    needle = normalise_text(quote)
    if not needle:
        raise ValueError("empty quote")
    pos = -len(needle)
    for _ in range(occurrence):
        pos = text.find(needle, pos + len(needle))
        if pos < 0:
            return None
    return pos, pos + len(needle)


# --------------------------------------------------------------------------- re-anchoring


@dataclass(frozen=True)
class Candidate:
    section_id: str
    start: int
    end: int
    similarity: float
    """Quote similarity 0..1 (1.0: the exact quote; rapidfuzz ``ratio`` otherwise; for a
    passage with text inserted inside it, a piece of a passage, or a passage that lost
    much of its middle, the share of the quote still there)."""
    score: float
    """Combined quote, context and position score 0..1."""


@dataclass(frozen=True)
class Anchoring:
    status: Status
    section_id: str | None
    start: int | None
    end: int | None
    candidates: tuple[Candidate, ...] = ()
    """Best first. Two or more for "ambiguous"; for "orphaned", weak suggestions if any."""


def reanchor(
    selector: Selector, section_id: str, ordinal: int, sections: Sequence[SectionText]
) -> Anchoring:
    """Find a highlight made in section ``section_id`` (at ``ordinal``) in ``sections``.

    One note alone: ``reanchor_many`` places a brief's notes together, which lets the
    notes of a renamed section find it by their neighbours."""
    return _Reanchorer(_index(tuple(sections))).run(selector, section_id, ordinal)


def reanchor_many(
    items: Sequence[tuple[Selector, str, int]], sections: Sequence[SectionText]
) -> list[Anchoring]:
    """Find each (selector, section_id, ordinal) as ``reanchor`` does, sharing one index,
    and then use what the notes say about each other: notes made in a section whose id
    is gone (it was renamed) are looked for again,
    when the first look left them unplaced, as if made in the section where most of
    their neighbours went: a renamed section is still their own.
    """
    r = _Reanchorer(_index(tuple(sections)))
    results = [r.run(sel, sid, ordinal) for sel, sid, ordinal in items]
    renamed = _renamed_sections(items, results, r.ix)
    for i, (sel, sid, ordinal) in enumerate(items):
        if sid in renamed and results[i].status in ("orphaned", "ambiguous"):
            again = r.run(sel, renamed[sid], ordinal)
            if again.status in ("anchored", "moved", "changed"):
                # Its own section by content, but under another id: "moved".
                status: Status = "moved" if again.status == "anchored" else again.status
                results[i] = replace(again, status=status)
    _one_note_per_copy(items, results, r.by_home)
    return results


def _one_note_per_copy(
    items: Sequence[tuple[Selector, str, int]], results: list[Anchoring],
    by_home: dict[Selector, tuple[str, int, int]],
) -> None:
    """Orphan a note placed only because a copy of its quote stayed in its section
    (``_Reanchorer._stayed_home``) when another note, which stood elsewhere, is placed
    on that very copy: "weekly" twice in a section, a note on each, and the sentence of
    the first deleted leaves one copy, which is the second note's."""
    placed: dict[tuple[str, int, int], list[int]] = {}
    for i, res in enumerate(results):
        if res.section_id is not None and res.start is not None and res.end is not None:
            placed.setdefault((res.section_id, res.start, res.end), []).append(i)
    for place, many in placed.items():
        if len(many) < 2:
            continue
        weak = {i for i in many if by_home.get(items[i][0]) == place}
        others = [j for j in many if j not in weak]
        for i in weak:
            sel, sid, _ = items[i]
            if any(
                (items[j][1], items[j][0].start, items[j][0].end) != (sid, sel.start, sel.end)
                for j in others
            ):
                results[i] = Anchoring("orphaned", None, None, None, results[i].candidates)


def _renamed_sections(
    items: Sequence[tuple[Selector, str, int]], results: Sequence[Anchoring], ix: _BriefIndex
) -> dict[str, str]:
    """Old section id (gone now) -> the section most of its notes were found in."""
    votes: dict[str, Counter[str]] = {}
    for (_, sid, _), res in zip(items, results, strict=True):
        if sid not in ix.by_id and res.status == "moved" and res.section_id is not None:
            votes.setdefault(sid, Counter())[res.section_id] += 1
    out = {}
    for sid, counts in votes.items():
        (best, n), = counts.most_common(1)
        if n >= _RENAMED_VOTES and n >= _RENAMED_SHARE * sum(counts.values()):
            out[sid] = best
    return out


@dataclass(slots=True)
class _Cand:
    sec: int
    start: int
    end: int
    quote: float
    prefix: float
    suffix: float
    pos: float
    score: float
    exact: bool
    kind: str = ""
    """"piece": only a piece of a long quote, which holds at least half of it unchanged;
    "between": a stretch from the quote's head to its tail that has lost much of the
    rest, placed only where both neighbours are as they were."""


@dataclass(frozen=True)
class _Words:
    """A section's space-separated tokens and where each starts and ends."""

    tokens: list[str]
    starts: list[int]
    ends: list[int]
    bare: list[str]
    """The tokens without the punctuation at their ends (see ``_bare``)."""


_PUNCT = ".,;:!?()[]\"'"


def _bare(token: str) -> str:
    """A token as a word: "months." and "months" align (a selection may stop short of
    the full stop), though "—" stays itself."""
    return token.strip(_PUNCT) or token


class _BriefIndex:
    """The brief's sections joined into one string, with a q-gram index built on demand."""

    def __init__(self, sections: tuple[SectionText, ...]) -> None:
        self.sections = sections
        self.by_id: dict[str, int] = {}
        for i, s in enumerate(sections):
            self.by_id.setdefault(s.id, i)
        self.offsets: list[int] = []
        pos = 0
        for s in sections:
            self.offsets.append(pos)
            pos += len(s.text) + len(_SEP)
        self.joined = _SEP.join(s.text for s in sections)
        self._grams: dict[str, list[int]] | None = None
        self._scanned = 0  # characters of ``joined`` scanned for exact quotes so far
        self._words: dict[int, _Words] = {}

    def words(self, sec: int) -> _Words:
        if sec not in self._words:
            ms = list(_TOKEN.finditer(self.sections[sec].text))
            tokens = [m.group() for m in ms]
            self._words[sec] = _Words(
                tokens, [m.start() for m in ms], [m.end() for m in ms], list(map(_bare, tokens))
            )
        return self._words[sec]

    def locate(self, pos: int) -> tuple[int, int]:
        """Joined offset -> (section index, offset in that section)."""
        i = bisect.bisect_right(self.offsets, pos) - 1
        return i, pos - self.offsets[i]

    def exact(self, quote: str, lead: str = "", tail: str = "") -> list[tuple[int, int]]:
        """Occurrences of ``quote``, at most ``_MAX_EXACT``. A quote that common (a single
        letter, "the") is looked for first where ``lead`` precedes or ``tail`` follows
        it, so that the cap does not cut off the one place that kept its context."""
        found = self._find(quote)
        if len(found) >= _MAX_EXACT:
            near: set[int] = set()
            for key, shift in ((lead + quote, len(lead)), (quote + tail, 0)):
                if key != quote:
                    near.update(p + shift for p in self._find(key, _MAX_EXACT // 2))
            found = sorted(near | set(found[: _MAX_EXACT - len(near)]))
        return [self.locate(p) for p in found]

    def _find(self, quote: str, cap: int = _MAX_EXACT) -> list[int]:
        """The first ``cap`` places of ``quote`` in ``joined``, overlapping ones too."""
        if self._grams is None and self._scanned >= _SCAN_BUDGET:
            # Scanning a long brief for note after note has cost about what indexing
            # it once does: index it.
            self.grams  # noqa: B018
        if self._grams is not None and len(quote) >= _Q + self.stride - 1:
            found = self._find_by_grams(self._grams, quote, cap)
            if found is not None:
                return found
        found = []
        self._scanned += len(self.joined)
        pos = self.joined.find(quote)
        while pos >= 0 and len(found) < cap:
            found.append(pos)
            pos = self.joined.find(quote, pos + 1)
        return found

    def _find_by_grams(
        self, grams: dict[str, list[int]], quote: str, cap: int
    ) -> list[int] | None:
        """``_find`` through the q-gram index: each place the quote starts has each of
        its q-grams at the same distance, so the rarest of a few sampled says where to
        look. (Scanning a long brief for every note costs more than the whole look-up.)
        With a stride, a place has an indexed q-gram at one offset in every ``stride``
        (which one depends on the place), so the rarest is taken for each such offset
        and their places are joined. None when those are too common to help."""
        stride = self.stride
        last = len(quote) - _Q
        step = max(1, last // _MAX_SAMPLES) if stride == 1 else stride
        starts: list[tuple[int, list[int]]] = []  # (offset in quote, places), per class
        total = 0
        for first in range(min(stride, last + 1)):
            offset, places = first, None
            for i in range(first, last + 1, step):
                hits = grams.get(quote[i : i + _Q])
                if hits is None:
                    # Unindexed: no place has the quote with this q-gram here (with a
                    # stride, none whose indexed q-gram is at this offset).
                    offset, places = i, []
                    break
                if places is None or len(hits) < len(places):
                    offset, places = i, hits
            assert places is not None  # every class has at least one q-gram (first <= last)
            total += len(places)
            if total > _SCAN_INSTEAD:
                return None
            starts.append((offset, places))
        found = []
        at = self.joined.startswith
        for offset, places in starts:
            for p in places:
                if p >= offset and at(quote, p - offset):
                    found.append(p - offset)
                    if stride == 1 and len(found) >= cap:
                        break
        if stride > 1:
            found.sort()
        return found[:cap]

    @property
    def grams(self) -> dict[str, list[int]]:
        """q-gram -> positions in ``joined``, taken every ``stride`` characters."""
        if self._grams is None:
            grams: dict[str, list[int]] = {}
            text = self.joined
            for i in range(0, len(text) - _Q + 1, self.stride):
                grams.setdefault(text[i : i + _Q], []).append(i)
            self._grams = grams
        return self._grams

    @property
    def stride(self) -> int:
        # Bounds the index of a very long brief; a quote then probes every one of its
        # q-grams, so each stride-th text position still meets it.
        return 1 + len(self.joined) // _MAX_INDEXED


@lru_cache(maxsize=2)
def _index(sections: tuple[SectionText, ...]) -> _BriefIndex:
    # Cached (the last two briefs) so that a caller re-anchoring notes one at a time
    # does not rebuild it for each.
    return _BriefIndex(sections)


_SHIFTS = (-6, 6, 12)  # how much longer or shorter the context may now be
_SHIFT_WORTH = 0.25  # a same-length context this unlike is not looked at shifted


def _prefix_sim(stored: str, text: str, start: int) -> float:
    """Similarity of the stored prefix to the text before ``start``.

    Compared over windows a little shorter and longer than the stored prefix too: a
    word replaced by a longer one shifts the far end of the context, which a window
    of the same length counts as wholly changed. (Only where the same-length window
    is neither a match nor plainly unrelated: most places a common quote occurs are
    the latter.) This runs for every candidate, so it is written out in full."""
    if not stored:  # the quote began its section: does it still?
        return 1.0 if start == 0 else 0.5
    if start == 0:  # what stood before it was cut: that says nothing either way
        return _CHANCE
    n = len(stored)
    if start < n:
        return _cut_short(stored[n - start :], text[:start], n)
    best = _similarity_of(stored, text[start - n : start])
    if best == 1.0 or best < _SHIFT_WORTH:
        return best
    for d in _SHIFTS:
        sim = _similarity_of(stored, text[max(0, start - n - d) : start])
        if sim > best:
            best = sim
    return best


def _suffix_sim(stored: str, text: str, end: int) -> float:
    """``_prefix_sim`` for the text after ``end``."""
    if not stored:
        return 1.0 if end == len(text) else 0.5
    if end == len(text):
        return _CHANCE
    n = len(stored)
    if end + n > len(text):
        return _cut_short(stored[: len(text) - end], text[end:], n)
    best = _similarity_of(stored, text[end : end + n])
    if best == 1.0 or best < _SHIFT_WORTH:
        return best
    for d in _SHIFTS:
        sim = _similarity_of(stored, text[end : end + n + d])
        if sim > best:
            best = sim
    return best


_similarity_of = Levenshtein.normalized_similarity


def _cut_short(part: str, seen: str, n: int) -> float:
    """Similarity of a stored context of ``n`` characters where the section's edge now
    comes sooner: only ``seen`` is left, standing for ``part`` of the stored context.
    What is there counts as it compares; what the edge cut says nothing either way (as
    at the very edge). A sentence moved to the end of its section still has its own
    words up to there ("weekly" + " to the agency."), which compared with all of the
    stored context counted as mostly changed."""
    return (len(seen) * _similarity_of(part, seen) + (n - len(seen)) * _CHANCE) / n


@cache
def _weights(prefix_len: int, suffix_len: int) -> tuple[float, float, float]:
    """Weights of the prefix and suffix in a score, and the sum of all weights.
    Context counts by how much of it was stored: at a section's edge there is little
    or none, and "starts a section" says less than 32 letters that agree."""
    wp = _W_PREFIX * min(1.0, (prefix_len or 8) / CONTEXT_CHARS)
    wx = _W_SUFFIX * min(1.0, (suffix_len or 8) / CONTEXT_CHARS)
    return wp, wx, _W_QUOTE + wp + wx + _W_POS


def _above_chance(similarity: float) -> float:
    return max(0.0, (similarity - _CHANCE) / (1.0 - _CHANCE))


_EDGE_WEIGHT = 8


def _context_weight(stored: str, at_edge: bool = False) -> int:
    # An empty context still says "at the very start (or end) of the section"; one
    # cut short by the section's edge says so too, where the place found is as far
    # from that edge ("." and the section ends: the last word of a section).
    if not stored:
        return _EDGE_WEIGHT
    return len(stored) + (_EDGE_WEIGHT if at_edge and len(stored) < CONTEXT_CHARS else 0)


def _word_char(ch: str) -> bool:
    return ch.isalnum()


def _slight(q_words: list[str], block) -> bool:
    return all(len(w) <= 3 for w in q_words[block.src_start : block.src_end])


def _largest_piece(quote: str, words: _Words, ws: int, we: int) -> tuple[int, int] | None:
    """Span of the longest run of the quote's words that survives between ``ws`` and ``we``.

    Words are aligned as tokens; runs of matching words may be interrupted by a few
    edited words but not by inserted sentences. Edges extend over words that are
    merely misspelt.
    """
    q_tokens = quote.split(" ")
    q_words = list(map(_bare, q_tokens))
    lo = bisect.bisect_left(words.starts, ws)
    hi = bisect.bisect_right(words.ends, we, lo)
    t_words = words.bare[lo:hi]
    blocks = [op for op in Indel.opcodes(q_words, t_words) if op.tag == "equal"]
    best: tuple[int, int, int, int, int] | None = None  # weight, q0, q1, t0, t1
    group: list = []
    for op in [*blocks, None]:
        if group and (
            op is None
            or op.src_start - group[-1].src_end > _PIECE_GAP
            or op.dest_start - group[-1].dest_end > _PIECE_GAP
        ):
            # A run does not end on a lone short word ("the", "and") that matched
            # across an edit: any sentence has those.
            while len(group) > 1 and _slight(q_words, group[-1]):
                group.pop()
            while len(group) > 1 and _slight(q_words, group[0]):
                group.pop(0)
            weight = sum(sum(map(len, q_words[g.src_start : g.src_end])) for g in group)
            if best is None or weight > best[0]:
                g0, g1 = group[0], group[-1]
                best = (weight, g0.src_start, g1.src_end, g0.dest_start, g1.dest_end)
            group = []
        if op is not None:
            group.append(op)
    if best is None or best[0] < len(quote) // 3:
        return None
    _, q0, q1, t0, t1 = best
    while q0 > 0 and t0 > 0 and fuzz.ratio(q_words[q0 - 1], t_words[t0 - 1]) >= 60:
        q0, t0 = q0 - 1, t0 - 1
    while q1 < len(q_words) and t1 < len(t_words) and fuzz.ratio(q_words[q1], t_words[t1]) >= 60:
        q1, t1 = q1 + 1, t1 + 1
    start, end = words.starts[lo + t0], words.ends[lo + t1 - 1]
    # Where the quote itself began or ended inside a token ("months" of "months."),
    # so does the piece.
    first, last = words.tokens[lo + t0], words.tokens[lo + t1 - 1]
    if q0 == 0 and first != q_tokens[0] and first.endswith(q_tokens[0]):
        start = words.ends[lo + t0] - len(q_tokens[0])
    if q1 == len(q_tokens) and last != q_tokens[-1] and last.startswith(q_tokens[-1]):
        end = words.starts[lo + t1 - 1] + len(q_tokens[-1])
    return start, end


def _edge_alignment(
    sel: Selector, k: int, window: str, *, head: bool
) -> tuple[int, int] | None:
    """Where the quote begins (``head``) or ends in ``window``, found by its first (or
    last) ``k`` characters: (characters used, offset in ``window``).

    The few characters of stored context next to that edge go along, so that of two
    places with the same words (a phrase repeated inside the passage) the one with the
    old neighbour wins; without them, a word replaced at the very edge is outweighed
    by looking at twice as much of the quote.
    """
    quote = sel.exact
    context = sel.prefix[-_EDGE_CONTEXT:] if head else sel.suffix[:_EDGE_CONTEXT]
    for size in dict.fromkeys((k, min(2 * k, len(quote) // 2))):
        part = quote[:size] if head else quote[-size:]
        edge = len(context) if head else size
        tries = [(context + part, edge) if head else (part + context, edge)] if context else []
        tries.append((part, 0 if head else size))
        for needle, edge in tries:
            found = fuzz.partial_ratio_alignment(needle, window, score_cutoff=80)
            if found is not None:
                if head:
                    return size, found.dest_start + edge - found.src_start
                return size, found.dest_end + edge - found.src_end
    return None


def _absorb_swapped(quote: str, text: str, s: int, e: int) -> tuple[int, int]:
    """Take in a word or two just outside the span that belong to that end of the quote
    but are missing from it: words swapped across the edge ("before the recess. summer"
    for "before the summer recess.")."""
    q_words = quote.split(" ")
    if len(q_words) < 3:
        return s, e
    span = text[s:e].split(" ")
    def missing(word: str, edge: list[str], span_edge: list[str]) -> bool:
        return bool(word) and span_edge.count(word) < edge.count(word)

    tail, head = q_words[-3:], q_words[:3]
    for _ in range(2):
        nxt = text[e + 1 : e + 40].split(" ", 1)[0] if text[e : e + 1] == " " else ""
        if not missing(nxt, tail, span[-3:]):
            break
        e += 1 + len(nxt)
        span.append(nxt)
    for _ in range(2):
        prev = text[max(0, s - 40) : s - 1].rsplit(" ", 1)[-1] if text[s - 1 : s] == " " else ""
        if not missing(prev, head, span[:3]):
            break
        s -= 1 + len(prev)
        span.insert(0, prev)
    return s, e


def _whole_words(sel: Selector) -> tuple[bool, bool]:
    """Did the selection start / end on word boundaries? If it cut a word, so may we."""
    q = sel.exact
    return (
        not (sel.prefix and _word_char(sel.prefix[-1]) and _word_char(q[0])),
        not (sel.suffix and _word_char(sel.suffix[0]) and _word_char(q[-1])),
    )


def _trim_edges(
    quote: str, text: str, s: int, e: int, whole_start: bool, whole_end: bool
) -> tuple[int, int]:
    """Drop edge words that resemble nothing at that end of the quote.

    Similarity over the whole span happily takes in a neighbour's words that share a
    few letters with words the edit removed ("cent." for "consultation."). A word of
    the quote's own first (or last) three, or one of four letters or more anywhere in
    it, is never foreign: trimming stops at the quote's own text.
    """
    q_words = quote.split(" ")
    if len(q_words) < 3:
        return s, e
    words = text[s:e].split(" ")
    budget = len(words) // 3  # never trim a span down to a fragment
    own = {w for w in q_words if len(w) > 3}
    head, tail = {*q_words[:3], *own}, {*q_words[-3:], *own}

    def foreign(word: str, near: set[str], edge: str) -> bool:
        return word not in near and fuzz.ratio(word, edge) < 50

    # A figure where the quote began with one, before the quote's own second word, is
    # that figure revised ("1,900 excess" -> "2,100 excess"), not a neighbour's word.
    # (Not so at the far end: a span that ran on may end on any figure.)
    revised = (_is_figure(q_words[0]) and _is_figure(words[0])
               and len(words) > 1 and words[1] == q_words[1])  # fmt: skip
    while whole_start and not revised and budget > 0 and foreign(words[0], head, q_words[0]):
        s += len(words.pop(0)) + 1
        budget -= 1
    while whole_end and budget > 0 and foreign(words[-1], tail, q_words[-1]):
        e -= len(words.pop()) + 1
        budget -= 1
    return s, e


def _is_figure(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _release_context(sel: Selector, text: str, s: int, e: int) -> tuple[int, int]:
    """Hand back the stored context a span has run into.

    When the end of a quote was cut, its span can reach on into what follows, and
    that may be the stored suffix letter for letter (less what was cut from its own
    start): then the quote ends where the suffix begins. Likewise at the head with
    the stored prefix. The context must be found whole to its far end, at least
    _CONTEXT_RUN characters of it, within a context's length of the span's edge, and
    what is handed back must not be found in the quote itself.
    """
    quote, suffix, prefix = sel.exact, sel.suffix, sel.prefix
    for j in range(len(suffix) - _CONTEXT_RUN + 1):
        part = suffix[j:]
        if j and _word_char(suffix[j - 1]) and _word_char(part[0]):
            continue
        q = text.find(part, max(s + 1, e - len(suffix)), e + len(part))
        if q != -1:
            if q < e and text[q:e].strip() not in quote:
                e = q
            break
    for j in range(len(prefix), _CONTEXT_RUN - 1, -1):
        part = prefix[:j]
        if j < len(prefix) and _word_char(prefix[j]) and _word_char(part[-1]):
            continue
        q = text.rfind(part, max(0, s - len(part)), min(e - 1, s + len(prefix)))
        if q != -1:
            if q + len(part) > s and text[s : q + len(part)].strip() not in quote:
                s = q + len(part)
            break
    return s, e


_BOUNDARY = re.compile(r"(?<![^\W_])|(?![^\W_])")  # not between two letters/digits


# A number with separators inside ("1,900", "2.5", "12:00") is one word: a figure
# revised in a reissue must not lose its first digits to an edge that fits the old one.
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)+")


def _edges(text: str, pos: int, reach: int, boundaries_only: bool) -> list[int]:
    lo, hi = max(0, pos - reach), min(len(text), pos + reach)
    if not boundaries_only:
        return list(range(lo, hi + 1))
    out = [m.start() for m in _BOUNDARY.finditer(text, lo, hi + 1) if m.start() <= hi]
    inside = {
        i
        for m in _NUMBER.finditer(text, max(0, lo - 32), min(len(text), hi + 32))
        for i in range(m.start() + 1, m.end())
    }
    return [i for i in out if i not in inside] or out or [pos]


class _Reanchorer:
    def __init__(self, index: _BriefIndex) -> None:
        self.ix = index
        # What was found for a note of a section whose id is gone, none of which
        # depends on the note's section: reanchor_many may look for it again as a note
        # of the section its neighbours went to. Keyed by selector, then by finding.
        self._kept: dict[Selector, dict[object, object]] = {}
        self._keep: dict[object, object] | None = None  # the note's, while it is run
        # Notes placed on a copy only because it stayed in their section (``_stayed_home``),
        # without the evidence of their context.
        self.by_home: dict[Selector, tuple[str, int, int]] = {}

    # -- scoring

    def _score(
        self, sel: Selector, sid: str, ordinal: int, sec: int, start: int, end: int,
        quote_sim: float, exact: bool, kind: str = "",
    ) -> _Cand:
        return self._scores(sel, sid, ordinal, ((sec, start),), end - start, quote_sim, exact,
                            kind)[0]  # fmt: skip

    def _scores(
        self, sel: Selector, sid: str, ordinal: int, places: Iterable[tuple[int, int]],
        length: int, quote_sim: float, exact: bool, kind: str = "",
    ) -> list[_Cand]:
        """Candidates of ``length`` characters at (section, start) ``places``, scored on
        quote, prefix, suffix and position. (A common quote has hundreds of places: what
        they share is worked out once.)"""
        sections, prefix, suffix, old_start = self.ix.sections, sel.prefix, sel.suffix, sel.start
        wp, wx, total = _weights(len(prefix), len(suffix))
        quote_part = _W_QUOTE * quote_sim
        out = []
        for sec, start in places:
            s = sections[sec]
            text = s.text
            end = start + length
            p = _prefix_sim(prefix, text, start)
            x = _suffix_sim(suffix, text, end)
            if s.id == sid:
                pos = 1.0 - 0.5 * min(1.0, abs(start - old_start) / max(len(text), 1))
            else:
                pos = 0.5 / (1 + abs(s.ordinal - ordinal))
            score = (quote_part + wp * p + wx * x + _W_POS * pos) / total
            out.append(_Cand(sec, start, end, quote_sim, p, x, pos, score, exact, kind))
        return out

    def _supported(self, c: _Cand, sel: Selector, in_place: bool = False) -> bool:
        """Is there enough evidence, counted in characters that agree, for this place?

        Each part (quote, prefix, suffix) contributes its length times how far its
        similarity rises above what unrelated text scores. Three letters of quote need
        their context to agree on both sides; a long passage stands on its own.
        """
        if c.kind == "between" and min(c.prefix, c.suffix) < _CTX_INTACT:
            return False
        if c.kind == "piece":
            # A piece stands where the quote began or ended (that side's context holds),
            # or is long enough to be found nowhere else by chance.
            size = c.end - c.start
            need = _CTX_STRONG if size >= _PIECE_MIN else _CTX_INTACT
            return max(c.prefix, c.suffix) >= need or size >= _PIECE_ALONE
        between = min(c.prefix, c.suffix) >= _CTX_INTACT
        if not c.exact and c.quote < (_ACCEPT_BETWEEN if between else ACCEPT_SIMILARITY):
            return False
        size = len(self.ix.sections[c.sec].text)
        context = _context_weight(
            sel.prefix, c.start == len(sel.prefix)
        ) * _above_chance(c.prefix) + _context_weight(
            sel.suffix, c.end + len(sel.suffix) == size
        ) * _above_chance(c.suffix)
        own = len(sel.exact) * _above_chance(c.quote)
        if not c.exact and context < _FUZZY_CONTEXT and own < _PIECE_ALONE:
            # An edited passage with nothing around it as it was: as likely a look-alike
            # sentence elsewhere as the real one (unless there is a lot of it).
            return False
        evidence = own + context
        if in_place:
            evidence += _IN_PLACE_EVIDENCE
        return evidence >= _EVIDENCE

    def _stayed_home(self, ranked: list[_Cand], home: int | None, sel: Selector) -> bool:
        """Is the best copy of a short exact quote where it was, and plainly the one?

        Context edited on both sides can leave too few agreeing characters to place a
        word or two on their own evidence. A copy still in the note's own section, near
        its old offset, with one side of context largely as it was (nearly intact, or
        the two sides together above what unrelated text scores), clearly better than
        every other copy in the brief and not standing past the note's old neighbours,
        is the place all the same.
        """
        best = ranked[0]
        if best.sec == home and len(ranked) == 1 and best.end - best.start >= _HOME_ALONE:
            # Its sentence rewritten or its list reordered around it, a passage of some
            # length still in its own section, and found nowhere else in the brief.
            return True
        side = max(best.prefix, best.suffix)
        if best.sec != home or best.pos < _HOME_NEAR or side < _HOME_SIDE:
            return False
        if side < _CTX_INTACT and (best.prefix + best.suffix) / 2 < _HOME_BOTH:
            # That side only resembles what it was, and the other is no help: a sentence
            # built like the note's ("The company will report weekly" and "The agency
            # will report weekly") has a context that much alike too.
            return False
        if _past_neighbours(sel, self.ix.sections[best.sec].text, best.start, best.end):
            return False
        return len(ranked) == 1 or best.score - ranked[1].score >= _HOME_MARGIN

    # -- candidate search

    def _fuzzy(
        self, sel: Selector, sid: str, ordinal: int, exact: list[tuple[int, int]]
    ) -> list[_Cand]:
        """Near matches: around the old place, and wherever the quote's q-grams cluster."""
        quote = sel.exact
        n = len(quote)
        if n < _MIN_FUZZY:
            return self._between(sel, sid, ordinal)
        slack = max(8, n // 4)
        stretch = _MAX_STRETCH
        windows: list[tuple[int, int, int]] = []
        home = self.ix.by_id.get(sid)
        if home is not None:
            size = len(self.ix.sections[home].text)
            reach = 2 * slack + 100
            windows.append(
                (home, max(0, sel.start - reach), min(size, sel.end + reach + stretch))
            )
        width = max(4, n // 8)
        # Places that hold the exact quote are candidates already: look elsewhere.
        taken = {(self.ix.offsets[sec] + pos) // width for sec, pos in exact}
        for b in self._kept_or("vote", lambda: self._vote(quote, width, taken)):
            # Votes came from diagonals in buckets b-1..b+1: the quote starts in there.
            lo = max(0, (b - 1) * width - slack)
            hi = (b + 2) * width + n + slack + _MAX_STRETCH
            first, _ = self.ix.locate(lo)
            last, _ = self.ix.locate(min(hi, len(self.ix.joined)))
            for sec in range(first, last + 1):  # the region may straddle sections
                base = self.ix.offsets[sec]
                size = len(self.ix.sections[sec].text)
                windows.append((sec, max(0, lo - base), min(size, hi - base)))
        out: list[_Cand] = []
        for sec, ws, we in windows:
            if we - ws < n // 2:
                continue
            # Alternatives come cheapest first; the first that fits its surroundings
            # well ends the search, else one with enough evidence to be placed, and of
            # those the best combined score (which weighs the context, and so catches
            # an edge that strayed) wins.
            best: _Cand | None = None
            best_rank: tuple[bool, bool, float] | None = None
            for start, end, sim, kind in self._alternatives(sel, sec, ws, we):
                c = self._score(sel, sid, ordinal, sec, start, end, sim, False, kind)
                rank = (self._supported(c, sel), c.quote >= ACCEPT_SIMILARITY, c.score)
                if best_rank is None or rank > best_rank:
                    best, best_rank = c, rank
                if c.quote >= 0.9 and min(c.prefix, c.suffix) >= _CTX_STRONG:
                    break
            if best is not None:
                out.append(best)
        return out

    def _alternatives(
        self, sel: Selector, sec: int, ws: int, we: int
    ) -> Iterator[tuple[int, int, float, str]]:
        """``_align``'s places, each taking in words swapped across its edges.

        Kept for a second look at the note (see ``_kept``) as far as they were taken:
        what ends the search there (similarity and context) does not depend on the
        note's section, so a second look takes exactly as many."""
        keep = self._keep
        if keep is not None and (sec, ws, we) in keep:
            yield from keep[sec, ws, we]  # type: ignore[misc]
            return
        taken: list[tuple[int, int, float, str]] = []
        if keep is not None:
            keep[sec, ws, we] = taken
        quote, text = sel.exact, self.ix.sections[sec].text
        for start, end, sim, kind in self._align(sel, sec, ws, we):
            if not kind:
                wider = _absorb_swapped(quote, text, start, end)
                if wider != (start, end):
                    start, end = wider
                    sim = fuzz.ratio(quote, text[start:end]) / 100.0
            taken.append((start, end, sim, kind))
            yield start, end, sim, kind

    def _kept_or(self, finding: str, find: Callable[[], _T]) -> _T:
        """A finding of the note being run, from an earlier look when one was kept."""
        keep = self._keep
        if keep is None:
            return find()
        if finding not in keep:
            keep[finding] = find()
        return keep[finding]  # type: ignore[return-value]

    def _between(self, sel: Selector, sid: str, ordinal: int) -> list[_Cand]:
        """A short quote that was edited, found where its stored context still stands on
        both sides, letter for letter, with a word or so between (a typo fixed in "close"
        leaves "in cloese cooperation")."""
        lead, tail = sel.prefix[-_BETWEEN_CONTEXT:], sel.suffix[:_BETWEEN_CONTEXT]
        if len(lead) < _BETWEEN_CONTEXT or len(tail) < _BETWEEN_CONTEXT:
            return []
        joined, out = self.ix.joined, []
        pos = joined.find(lead)
        while pos >= 0 and len(out) < _LEADERS:
            start = pos + len(lead)
            end = joined.find(tail, start, start + 2 * len(sel.exact) + 4 + len(tail))
            if end > start and any(ch.isalnum() for ch in joined[start:end]):
                sec, offset = self.ix.locate(start)
                sim = fuzz.ratio(sel.exact, joined[start:end]) / 100.0
                c = self._score(sel, sid, ordinal, sec, offset, offset + end - start, sim, False)
                # Sixteen letters either side recur in set phrases: the whole stored
                # context must still be there, near enough, on both sides.
                if min(c.prefix, c.suffix) >= _CTX_INTACT:
                    out.append(c)
            pos = joined.find(lead, pos + 1)
        return out

    def _vote(self, quote: str, width: int, taken: set[int]) -> list[int]:
        """Diagonal buckets (joined offset // width) where the quote's q-grams agree."""
        grams = self.ix.grams
        positions = len(quote) - _Q + 1
        step = max(1, positions // _MAX_SAMPLES) if self.ix.stride == 1 else 1
        diags: list[int] = []
        sampled = 0
        for i in range(0, positions, step):
            hits = grams.get(quote[i : i + _Q])
            if hits is not None and len(hits) > _MAX_GRAM_HITS:
                continue
            sampled += 1
            if hits:
                diags.extend([(p - i) // width for p in hits])
        buckets = Counter(diags)
        count = buckets.get  # (not buckets[b]: a missing key costs a Python call)
        # Most votes first, then the earliest place: (-votes, bucket) sorts so.
        ranked = sorted(
            (-(count(b - 1, 0) + c + count(b + 1, 0)), b) for b, c in buckets.items()
        )
        # Regions far weaker than the best one are not worth an alignment each.
        need = max(2, int(0.2 * sampled / self.ix.stride), -ranked[0][0] // 2 if ranked else 0)
        chosen: list[int] = []
        for minus_v, b in ranked:
            if -minus_v < need or len(chosen) >= _MAX_REGIONS:
                break
            if all(abs(b - c) > 2 for c in chosen) and not taken & {b - 1, b, b + 1}:
                chosen.append(b)
        return chosen

    def _align(
        self, sel: Selector, sec: int, ws: int, we: int
    ) -> Iterator[tuple[int, int, float, str]]:
        """Where in ``text[ws:we]`` the quote may lie (edges on word boundaries), and
        how similar it is there: alternatives, cheapest first."""
        text = self.ix.sections[sec].text
        quote = sel.exact
        n = len(quote)
        window = text[ws:we]
        if n < _HEAD_TAIL_MIN:
            whole = self._whole(sel, text, ws, we)
            if whole is not None:
                yield whole
            yield from self._piece(quote, text, sec, ws, we)
            return
        # A longer passage is found by its head and its tail: text inserted into (or
        # cut from) its middle then stretches or shrinks the span, which a window of
        # the quote's own length cannot follow.
        k = min(_EDGE_CHARS, n // 2)
        head = _edge_alignment(sel, k, window, head=True)
        if head is not None:
            k_head, found = head
            start = ws + found
            rest = max(0, start - ws + k_head)
            tail = _edge_alignment(sel, k, window[rest:], head=False)
            if tail is not None:
                k, found = tail
                end = ws + rest + found
                if end - start <= n + _MAX_STRETCH:
                    s, e = self._refine_edges(sel, text, start, end, k_head, k)
                    sim = fuzz.ratio(quote, text[s:e]) / 100.0
                    if sim >= ACCEPT_SIMILARITY:
                        yield s, e, sim, ""
                    else:
                        # Text inserted inside it, or parts cut: the note keeps the
                        # whole stretch from head to tail. Its similarity is the share
                        # of the quote that survives, which unless nearly all of it is
                        # there, is accepted only between its old neighbours.
                        kept = LCSseq.similarity(quote, text[s:e]) / n
                        if self._inserted_into(sel, text, s, e, k_head, k):
                            yield s, e, kept, ""
                        elif kept >= _ACCEPT_BETWEEN:
                            yield s, e, kept, "between"
        if n <= 2 * _EDGE_CHARS:
            whole = self._whole(sel, text, ws, we)
            if whole is not None:
                yield whole
        # Too much changed at an edge, or inside: the largest piece that survives. (Not
        # the best window of a long quote's length: that takes in whatever text was
        # inserted, for the letters it happens to share.)
        yield from self._piece(quote, text, sec, ws, we)

    @staticmethod
    def _inserted_into(
        sel: Selector, text: str, s: int, e: int, k_head: int, k_tail: int
    ) -> bool:
        """Was new text inserted into the passage at ``s..e``, which otherwise survives?

        Nearly all of the quote must be there in order, each edge must be found as it
        was or have its context beside it, and unless the insertion is modest, the text
        around the passage must still be what it was.
        """
        quote = sel.exact
        n = len(quote)
        if LCSseq.similarity(quote, text[s:e]) < _KEPT_IN_STRETCH * n:
            return False
        p, x = _prefix_sim(sel.prefix, text, s), _suffix_sim(sel.suffix, text, e)
        head_holds = p >= _CTX_STRONG or fuzz.ratio(quote[:k_head], text[s : s + k_head]) >= 90
        tail_holds = x >= _CTX_STRONG or fuzz.ratio(quote[-k_tail:], text[e - k_tail : e]) >= 90
        if not (head_holds and tail_holds):
            return False
        return e - s <= 2 * n or min(p, x) >= _CTX_STRONG

    def _piece(
        self, quote: str, text: str, sec: int, ws: int, we: int
    ) -> Iterator[tuple[int, int, float, str]]:
        piece = _largest_piece(quote, self.ix.words(sec), ws, we)
        if piece is None:
            return
        s, e = piece
        sim = fuzz.ratio(quote, text[s:e]) / 100.0
        if sim >= ACCEPT_SIMILARITY or e - s < _PIECE_SHORT:
            yield s, e, sim, ""
            return
        # The rest of a long passage went elsewhere or was deleted: what stayed is a
        # clean piece of it. Its similarity is the share of the quote it holds.
        kept = LCSseq.similarity(quote, text[s:e])
        if kept >= _PIECE_PURE * (e - s) and kept >= _PIECE_SHARE * len(quote):
            yield s, e, kept / len(quote), "piece"
        else:
            yield s, e, sim, ""

    def _whole(
        self, sel: Selector, text: str, ws: int, we: int
    ) -> tuple[int, int, float, str] | None:
        quote = sel.exact
        n = len(quote)
        whole = fuzz.partial_ratio_alignment(quote, text[ws:we])
        if whole is None:
            return None
        start = ws + whole.dest_start - whole.src_start
        end = ws + whole.dest_end + (n - whole.src_end)
        span = self._refine(sel, text, start, end)
        if span is None:
            return None
        return *span, fuzz.ratio(quote, text[span[0] : span[1]]) / 100.0, ""

    def _refine_edges(
        self, sel: Selector, text: str, start: int, end: int, k_head: int, k: int
    ) -> tuple[int, int]:
        """Snap a passage's edges to the word boundaries that fit its head and tail."""
        quote = sel.exact
        head, tail = quote[:k_head], quote[-k:]
        whole_start, whole_end = _whole_words(sel)
        s = max(
            _edges(text, start, 8, whole_start),
            key=lambda c: (fuzz.ratio(head, text[c : c + k_head]), -abs(c - start)),
        )
        e = max(
            _edges(text, end, 8, whole_end),
            key=lambda c: (fuzz.ratio(tail, text[max(0, c - k) : c]), -abs(c - end)),
        )
        if e <= s:
            return start, end
        s, e = _trim_edges(quote, text, s, e, whole_start, whole_end)
        return _release_context(sel, text, s, e)

    def _refine(self, sel: Selector, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Best span near the estimated edges, on word boundaries where the original was."""
        quote = sel.exact
        whole_start, whole_end = _whole_words(sel)
        size = len(text)
        s_opts = _edges(text, start, 12, whole_start)
        e_opts = _edges(text, end, 12, whole_end)

        def sim(a: int, b: int) -> float:
            return fuzz.ratio(quote, text[a:b]) if b > a else -1.0

        s, e = min(max(start, 0), size), min(max(end, 0), size)
        # Coordinate ascent: a full grid costs quadratically many comparisons on long
        # quotes for the same answer in practice.
        for moving_start in (True, False, True):
            if moving_start:
                s = max(s_opts, key=lambda c: (sim(c, e), -abs(c - s)))
            else:
                e = max(e_opts, key=lambda c: (sim(s, c), -abs(c - e)))
        if e <= s:
            return None
        s, e = _trim_edges(quote, text, s, e, whole_start, whole_end)
        return _release_context(sel, text, s, e)

    # -- decision

    def run(self, sel: Selector, sid: str, ordinal: int) -> Anchoring:
        ix = self.ix
        home = ix.by_id.get(sid)
        self._keep = self._kept.setdefault(sel, {}) if home is None else self._kept.get(sel)
        n = len(sel.exact)
        if not n:  # not made by make_selector; nothing to look for
            return Anchoring("orphaned", None, None, None)
        if home is not None and ix.sections[home].text[sel.start : sel.end] == sel.exact:
            c = self._score(sel, sid, ordinal, home, sel.start, sel.end, 1.0, True)
            if self._supported(c, sel, in_place=True):
                return Anchoring("anchored", sid, sel.start, sel.end, (self._public(c),))

        hits = self._kept_or("exact", lambda: ix.exact(
            sel.exact, sel.prefix[-_KEY_CONTEXT:], sel.suffix[:_KEY_CONTEXT]
        ))  # fmt: skip
        exact = self._scores(sel, sid, ordinal, hits, n, 1.0, True)
        exact.sort(key=lambda c: -c.score)
        if exact:
            best = exact[0]
            clear = _decisive(exact)
            strong = min(best.prefix, best.suffix) >= _CTX_STRONG
            if clear and strong and self._supported(best, sel):
                return self._definite(best, sid, exact)

        pool: list[_Cand] = []
        weak: list[_Cand] = []
        for c in exact:
            (pool if self._supported(c, sel) else weak).append(c)
        if not pool and exact and self._stayed_home(exact, home, sel):
            pool.append(weak.pop(0))
            self.by_home[sel] = (ix.sections[pool[0].sec].id, pool[0].start, pool[0].end)
        for f in self._fuzzy(sel, sid, ordinal, hits):
            if any(_overlaps(f, c) for c in exact):
                continue
            if self._supported(f, sel):
                pool.append(f)
            elif f.quote >= ACCEPT_SIMILARITY:
                weak.append(f)
        # Only the leaders matter for the decision; a common word can have hundreds.
        pool = _dedupe(sorted(pool, key=lambda c: -c.score)[:_LEADERS])
        if not pool:
            # Kept as suggestions for re-attaching the orphan, never applied.
            weak = _dedupe(sorted(weak, key=lambda c: -c.score)[:_LEADERS])[:3]
            return Anchoring("orphaned", None, None, None, tuple(map(self._public, weak)))
        if not _decisive(pool):
            tied = [c for c in pool if pool[0].score - c.score < AMBIGUITY_MARGIN]
            if not self._interchangeable(tied, sel):
                return Anchoring("ambiguous", None, None, None, tuple(map(self._public, tied)))
            # Copies of one passage in the same surroundings (a duplicated paragraph):
            # the note reads the same on either, so it goes to the one nearest its place.
            pool = sorted(tied, key=lambda c: -c.pos) + pool[len(tied) :]
        return self._definite(pool[0], sid, pool)

    def _interchangeable(self, tied: list[_Cand], sel: Selector) -> bool:
        """Are the tied places the same text, quote and context alike, letter for letter?"""
        reach_before, reach_after = len(sel.prefix), len(sel.suffix)

        def seen(c: _Cand) -> str:
            text = self.ix.sections[c.sec].text
            return text[max(0, c.start - reach_before) : c.end + reach_after]

        first = seen(tied[0])
        if len(first) <= len(sel.exact) or any(seen(c) != first for c in tied[1:]):
            return False
        # The same text in two sections equally far from the note's place: which
        # section it belongs to is the user's call.
        a, b = sorted(tied, key=lambda c: -c.pos)[:2]
        return a.sec == b.sec or a.pos > b.pos

    def _definite(self, best: _Cand, sid: str, ranked: list[_Cand]) -> Anchoring:
        s = self.ix.sections[best.sec]
        if not best.exact:
            status: Status = "changed"
        elif s.id == sid:
            status = "anchored"
        else:
            status = "moved"
        return Anchoring(status, s.id, best.start, best.end, tuple(map(self._public, ranked[:3])))

    def _public(self, c: _Cand) -> Candidate:
        return Candidate(
            self.ix.sections[c.sec].id, c.start, c.end, round(c.quote, 4), round(c.score, 4)
        )


def _past_neighbours(sel: Selector, text: str, start: int, end: int) -> bool:
    """Does a copy at ``start..end`` stand past the note's old neighbours: after words
    that followed the note (a run of _CONTEXT_RUN characters of its stored suffix just
    before it), or before words that preceded it? Then it is another copy of the quote,
    the next sentence's "weekly" when the note's sentence was deleted. (A run the note's
    own text also holds, a phrase said twice, proves nothing.)"""
    before = text[max(0, start - len(sel.prefix)) : start]
    after = text[end : end + len(sel.suffix)]
    return _shares_run(sel.suffix, before, sel.prefix + sel.exact) or _shares_run(
        sel.prefix, after, sel.exact + sel.suffix
    )


def _shares_run(context: str, window: str, own: str) -> bool:
    """Is a run of _CONTEXT_RUN characters of ``context`` in ``window`` but not in ``own``?"""
    for i in range(len(context) - _CONTEXT_RUN + 1):
        run = context[i : i + _CONTEXT_RUN]
        if run in window and run not in own:
            return True
    return False


def _decisive(ranked: list[_Cand]) -> bool:
    """Does the best candidate stand out from the next?

    Two copies of the same passage in the same surroundings (a duplicated paragraph)
    tie on text; then the one clearly nearer the old place wins: in the note's own
    section rather than another, or much nearer its old offset.
    """
    if len(ranked) < 2 or ranked[0].score - ranked[1].score >= AMBIGUITY_MARGIN:
        return True
    a, b = ranked[0], ranked[1]
    return a.exact and b.exact and a.pos - b.pos >= _POS_DECISIVE


def _overlaps(a: _Cand, b: _Cand) -> bool:
    return a.sec == b.sec and a.start < b.end and b.start < a.end


def _dedupe(ranked: list[_Cand]) -> list[_Cand]:
    out: list[_Cand] = []
    for c in ranked:
        if not any(_overlaps(c, k) for k in out):
            out.append(c)
    return out


# --------------------------------------------------------------------------- sections

_FP_VERSION = "m2:"
_FP_HASHES = 46
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[str]:
    words = _WORD.findall(normalise_text(text).casefold())
    k = min(3, len(words))
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)} if words else set()


def section_fingerprint(text: str) -> str:
    """Compact MinHash of the section's word 3-shingles, with their count (<= 200 chars).

    One-permutation MinHash: each shingle is hashed once and lands in one of 46 bins,
    which keep their smallest hash (low 16 bits stored; "----" for an empty bin). Two
    fingerprints estimate the Jaccard similarity of the texts' shingle sets; the count
    lets ``match_section`` tell how much of an old section another one contains.
    """
    shingles = _shingles(text)
    if not shingles:
        return _FP_VERSION + "0:"
    empty = 1 << 64
    mins = [empty] * _FP_HASHES
    for sh in shingles:
        h = int.from_bytes(hashlib.blake2b(sh.encode(), digest_size=8).digest(), "little")
        b, v = divmod(h, _FP_HASHES)[::-1]
        if v < mins[b]:
            mins[b] = v
    count = min(len(shingles), 0xFFFFF)
    slots = "".join("----" if m == empty else f"{m & 0xFFFF:04x}" for m in mins)
    return f"{_FP_VERSION}{count:x}:{slots}"


def _parse_fingerprint(fp: str) -> tuple[int, list[str]] | None:
    if not fp.startswith(_FP_VERSION):
        return None
    count, _, body = fp[len(_FP_VERSION) :].partition(":")
    try:
        n = int(count, 16)
    except ValueError:
        return None
    if not body or len(body) != 4 * _FP_HASHES:
        return None
    return n, [body[i : i + 4] for i in range(0, len(body), 4)]


_Parsed = tuple[int, list[str]]


def fingerprint_similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity 0..1 of two fingerprints' texts (0 if unknown)."""
    pa, pb = _parse_fingerprint(a), _parse_fingerprint(b)
    return 0.0 if pa is None or pb is None else _similarity(pa, pb)


def fingerprint_containment(old: str, new: str) -> float:
    """Estimated share 0..1 of the old text's shingles that the new text contains."""
    return _containment(_parse_fingerprint(old), _parse_fingerprint(new))


def _similarity(pa: _Parsed, pb: _Parsed) -> float:
    # Bins empty in both say nothing; unrelated values collide with probability 2**-16.
    used = [(x, y) for x, y in zip(pa[1], pb[1], strict=True) if x != "----" or y != "----"]
    if not used:
        return 0.0
    return sum(x == y for x, y in used) / len(used)


def _containment(pa: _Parsed | None, pb: _Parsed | None) -> float:
    if pa is None or pb is None or not pa[0]:
        return 0.0
    j = _similarity(pa, pb)
    shared = j * (pa[0] + pb[0]) / (1 + j)
    return min(1.0, shared / pa[0])


@dataclass(frozen=True)
class SectionRef:
    id: str
    title: str
    ordinal: int
    fingerprint: str


_TITLE_SIMILAR = 0.8
_CONTENT_SIMILAR = 0.3


def _title_sim(a: str, b: str) -> float:
    a, b = normalise_text(a).casefold(), normalise_text(b).casefold()
    if not a or not b:
        return 1.0 if a == b else 0.0
    return fuzz.ratio(a, b) / 100.0


def _title_words_sim(a: str, b: str) -> float:
    """Title similarity that ignores word order and words added to one of them."""
    a, b = normalise_text(a).casefold(), normalise_text(b).casefold()
    return fuzz.token_set_ratio(a, b) / 100.0 if a and b else 0.0


def match_section(
    ref: SectionRef, sections: Sequence[SectionText], others: Collection[str] = ()
) -> str | None:
    """The section a comment made on ``ref`` belongs to now, or None (the comment is orphaned).

    ``others``: ids of sections that are plainly other sections of the version the
    comment was last placed in (their text, letter for letter). A heading they share
    with ``ref``, and an id they took over from it ("Costs" under a deleted option, and
    the next option's "Costs" now numbered as it was), does not make one of them the
    comment's section; only the comment's own text found in it would.
    """
    if not sections:
        return None
    fps = _fingerprints(tuple(s.text for s in sections))
    old = _parse_fingerprint(ref.fingerprint)

    # A section with no text of its own (a heading over subsections) has only its
    # heading to go by: reworded ("Incident Summary" -> "Summary of the Incident"),
    # it is still the heading over no text that has the same words.
    bare = ref.fingerprint == _FP_VERSION + "0:"

    def title_of(i: int) -> float:
        sim = _title_sim(ref.title, sections[i].title)
        if bare and not sections[i].text:
            sim = max(sim, _title_words_sim(ref.title, sections[i].title))
        return sim

    def content_of(i: int) -> float:
        # How much of the old section this one holds now: unlike Jaccard similarity,
        # this stays high when the text moved into a longer section or gained paragraphs.
        return _containment(old, fps[i])

    # The usual case, a section still under its id with its heading or its text, is
    # settled without comparing the comment with every other section.
    same_id = [i for i, s in enumerate(sections) if s.id == ref.id and s.id not in others]
    for i in same_id:
        held = content_of(i)
        if held >= 0.1 and (held >= _CONTENT_SIMILAR or title_of(i) >= _TITLE_SIMILAR):
            return sections[i].id

    title = [title_of(i) for i in range(len(sections))]
    content = [content_of(i) for i in range(len(sections))]

    def closeness(i: int) -> float:
        return -abs(sections[i].ordinal - ref.ordinal)

    for i in same_id:
        if title[i] >= _TITLE_SIMILAR or content[i] >= _CONTENT_SIMILAR:
            # A reused heading (e.g. a second "Background" whose id shifted) can take the
            # id; prefer a section that clearly carries the old content.
            rival = max(range(len(sections)), key=lambda j: content[j])
            if content[i] < 0.1 and content[rival] >= 0.5 and title[rival] >= _TITLE_SIMILAR:
                return sections[rival].id
            return sections[i].id

    by_content = max(range(len(sections)), key=lambda i: (content[i], closeness(i)))
    titled = [i for i in range(len(sections))
              if title[i] >= _TITLE_SIMILAR and sections[i].id not in others]
    if titled:
        best = max(titled, key=lambda i: (title[i] + content[i], closeness(i)))
        # Headings share words ("Energy: outlook", "Finance: outlook"): a look-alike
        # heading over other text loses to the section that plainly has the old text.
        if content[best] < 0.2 and content[by_content] >= 0.35:
            return sections[by_content].id
        return sections[best].id
    return sections[by_content].id if content[by_content] >= _CONTENT_SIMILAR else None


@lru_cache(maxsize=8)
def _fingerprints(texts: tuple[str, ...]) -> tuple[_Parsed | None, ...]:
    """The sections' fingerprints, parsed once for every comment compared with them."""
    return tuple(_parse_fingerprint(section_fingerprint(t)) for t in texts)
