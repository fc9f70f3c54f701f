"""Seeded generator of briefs, highlights on them, and edited versions with ground truth.

Used by tests/test_anchor.py and benchmarks/bench_anchor.py. Sentences come from
templates over a small policy-brief vocabulary written here (no corpus), so phrases
recur across a brief much as boilerplate does in real ones. Every word remembers where
it came from (original section id and character span in the normalised section text),
so after any edit we know where each highlight's words are now, or that they are gone.

Levels of damage (rates per section, see LEVELS):
  1 light     typo fixes, the odd inserted paragraph or sentence, a word replaced
  2 moderate  plus deleted / moved / duplicated paragraphs, renamed and reordered
              sections, partly rewritten sentences (words replaced, neighbours
              swapped), 3 % of highlighted passages deleted outright
  3 heavy     all of it, more often, plus split sections and heavily rewritten
              sentences; 8 % of highlighted passages deleted outright

Ground truth (``Truth``): a highlight is ``present`` while at least half of its
original characters survive in words that are unchanged or only had a typo fixed;
otherwise it counts as deleted, and an orphan is the right answer. ``judge`` scores an
answer on the words' origins, not on offsets: see its docstring. Words of a duplicated
paragraph are marked as copies: while the original words keep a highlight present,
copies do not, but a note placed on a copy of its own words counts as correct. When the
original was deleted or rewritten after it was copied, the copy is where the text is.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from briefreader.anchor import (
    Anchoring,
    SectionText,
    Selector,
    make_selector,
)

# A vocabulary in the register of policy briefs, written for these tests.
SUBJECTS = (
    "The ministry", "The Commission", "The regional council", "The finance committee",
    "Our delegation", "The central bank", "The audit office", "The task force",
    "Local authorities", "The European Parliament", "The port authority", "Inspectors",
    "The steering group", "The health agency", "Small firms", "The trade unions",
    "The water board", "Negotiators", "The treasury", "The energy regulator",
    "The court of appeal", "Municipal planners", "The grid operator", "Exporters",
)
VERBS = (
    "expects", "proposes", "rejects", "supports", "postpones", "reviews", "funds",
    "questions", "approves", "delays", "announces", "estimates", "doubles", "halves",
    "publishes", "examines", "defends", "prioritises", "cancels", "extends", "caps",
    "monitors", "revises", "endorses",
)
ADJECTIVES = (
    "new", "revised", "annual", "provisional", "joint", "cross-border", "regional",
    "emergency", "long-term", "digital", "fiscal", "coastal", "rural", "interim", "draft",
    "binding", "voluntary", "sectoral", "preliminary", "final", "additional", "reduced",
    "expanded", "temporary",
)
NOUNS = (
    "budget", "tariff schedule", "subsidy scheme", "grid upgrade", "pension reform",
    "housing plan", "flood barrier", "carbon levy", "procurement rules", "rail link",
    "tax credit", "data strategy", "fisheries quota", "vaccine order", "water tariff",
    "broadband rollout", "customs checks", "wage agreement", "bond issue", "school meals",
    "hospital wing", "export licence", "road toll", "transit pass", "heat pump grant",
    "asylum procedure", "court backlog", "solar auction", "harbour dredging", "café permit",
)
MODIFIERS = (
    "before the summer recess", "for the third year running", "despite strong objections",
    "in line with the 2024 targets", "pending a legal review", "at a cost of €{n} million",
    "by {n} per cent", "after a public consultation", "within {n} months",
    "subject to parliamentary approval", "in the northern districts", "from next January",
    "as agreed in Zürich", "until the audit is complete", "with immediate effect",
    "under the current framework", "for {n} municipalities", "ahead of the election",
    "in close cooperation with partners", "following the court ruling",
)
CONNECTIVES = (
    "However,", "In addition,", "Meanwhile,", "As a result,", "By contrast,", "Notably,",
    "In practice,", "Separately,", "For now,", "Crucially,",
)
TITLE_WORDS = (
    "Background", "Outlook", "Budget", "Risks", "Timeline", "Energy", "Housing",
    "Transport", "Health", "Trade", "Fisheries", "Labour", "Justice", "Digital", "Water",
    "Finance", "Procurement", "Security", "Migration", "Education", "Climate", "Agriculture",
    "Summary", "Recommendations", "Options", "Context", "Next steps", "Annex",
)
TITLE_QUALIFIERS = (
    "overview", "key issues", "state of play", "open questions", "positions", "figures",
    "developments", "implications", "the way forward", "notes",
)
FILLER = ("🌍", "—", "(see annex)", "[draft]", "n°", "naïve", "coöperation")


@dataclass
class Word:
    text: str
    origin: tuple[str, int, int] | None = None
    """(original section id, start, end) in the original normalised section text."""
    kept: bool = True
    """False once the word was replaced by another (it still marks the place)."""
    copy: bool = False


Sentence = list[Word]
Paragraph = list[Sentence]


@dataclass
class GenSection:
    id: str
    title: str
    paragraphs: list[Paragraph]

    def words(self) -> list[Word]:
        return [w for p in self.paragraphs for s in p for w in s]


@dataclass
class GenBrief:
    sections: list[GenSection]

    def texts(self) -> list[SectionText]:
        return [
            SectionText(s.id, s.title, i, " ".join(w.text for w in s.words()))
            for i, s in enumerate(self.sections)
        ]


@dataclass(frozen=True)
class Highlight:
    selector: Selector
    section_id: str
    ordinal: int


@dataclass(frozen=True)
class Truth:
    present: bool
    section_id: str | None = None
    start: int | None = None
    end: int | None = None
    gone: bool = False
    """Nothing of the text survives (deleted outright)."""
    exact: bool = False
    """The original quote is still there, letter for letter."""
    copy: bool = False
    """Only a duplicate of the text survives (its original was deleted)."""


@dataclass
class Case:
    brief: GenBrief
    before: list[SectionText]
    after: list[SectionText]
    highlights: list[Highlight]
    truths: list[Truth] = field(default_factory=list)


# --------------------------------------------------------------------------- generation


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-") or "section"


def _sentence(rng: random.Random) -> str:
    n = rng.randint(2, 250)
    mod = rng.choice(MODIFIERS).format(n=n)
    noun = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    form = rng.random()
    if form < 0.5:
        s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {noun} {mod}."
    elif form < 0.75:
        s = f"{rng.choice(CONNECTIVES)} {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} "
        s += f"the {noun}, and {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} it {mod}."
    elif form < 0.9:
        s = f"The {noun} {rng.choice(('remains', 'is', 'looks'))} "
        s += f"{rng.choice(('uncertain', 'on track', 'contested', 'costly', 'late'))} {mod}."
    else:
        s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {n} {rng.choice(NOUNS)} "
        s += f"{rng.choice(FILLER)} {mod}."
    return s[0].upper() + s[1:]


def _words(text: str) -> Sentence:
    return [Word(t) for t in text.split(" ")]


def _paragraph(rng: random.Random) -> Paragraph:
    return [_words(_sentence(rng)) for _ in range(rng.randint(2, 6))]


def _title(rng: random.Random, taken: set[str]) -> str:
    while True:
        t = rng.choice(TITLE_WORDS)
        if rng.random() < 0.6:
            t += ": " + rng.choice(TITLE_QUALIFIERS)
        if slug(t) not in taken:
            taken.add(slug(t))
            return t


def generate_brief(rng: random.Random, n_sections: int | None = None) -> GenBrief:
    taken: set[str] = set()
    sections = []
    for _ in range(n_sections or rng.randint(6, 14)):
        title = _title(rng, taken)
        paras = [_paragraph(rng) for _ in range(rng.randint(2, 5))]
        sections.append(GenSection(slug(title), title, paras))
    brief = GenBrief(sections)
    for s in brief.sections:  # stamp origins: offsets in the joined, normalised text
        pos = 0
        for w in s.words():
            w.origin = (s.id, pos, pos + len(w.text))
            pos += len(w.text) + 1
    return brief


def make_highlights(rng: random.Random, texts: list[SectionText], count: int) -> list[Highlight]:
    out = []
    for _ in range(count):
        sec = rng.choice(texts)
        bounds = [(m.start(), m.end()) for m in re.finditer(r"\S+", sec.text)]
        kind = rng.random()
        if kind < 0.15:  # very short: one word, often a short one
            short = [i for i, (a, b) in enumerate(bounds) if b - a <= 6] or range(len(bounds))
            i = rng.choice(list(short))
            n = 1
        else:
            n = (
                rng.randint(2, 8) if kind < 0.6
                else rng.randint(8, 25) if kind < 0.85
                else rng.randint(25, 80)
            )
            n = min(n, len(bounds))
            i = rng.randrange(0, len(bounds) - n + 1)
        start, end = bounds[i][0], bounds[i + n - 1][1]
        if rng.random() < 0.3 and end - start > 3:  # trailing punctuation left out
            while end - start > 1 and not sec.text[end - 1].isalnum():
                end -= 1
        out.append(Highlight(make_selector(sec.text, start, end), sec.id, sec.ordinal))
    return out


# --------------------------------------------------------------------------- edits


def _typo(rng: random.Random, brief: GenBrief) -> None:
    words = [w for s in brief.sections for w in s.words() if len(w.text) >= 4]
    w = rng.choice(words)
    i = rng.randrange(1, len(w.text) - 1)
    t = w.text
    op = rng.random()
    if op < 0.3:
        t = t[:i] + t[i + 1] + t[i] + t[i + 2 :]
    elif op < 0.55:
        t = t[:i] + t[i + 1 :]
    elif op < 0.8:
        t = t[:i] + rng.choice("aeinorst") + t[i:]
    else:
        t = t[:i] + rng.choice("aeinorst") + t[i + 1 :]
    w.text = t


def _replace_word(rng: random.Random, brief: GenBrief) -> None:
    w = rng.choice([w for s in brief.sections for w in s.words()])
    new = rng.choice(rng.choice((ADJECTIVES, VERBS, NOUNS))).split(" ")[0]
    w.kept = w.kept and new == w.text
    w.text = new


def _rewrite_sentence(rng: random.Random, brief: GenBrief, share: float) -> None:
    """Replace about ``share`` of a sentence's words and maybe swap two."""
    sec = rng.choice(brief.sections)
    para = rng.choice(sec.paragraphs)
    sent = rng.choice(para)
    donor = _words(_sentence(rng))
    for k, w in enumerate(sent):
        if rng.random() < share:
            new = donor[k % len(donor)].text
            # A word "replaced" by the same word is not an edit.
            w.kept = w.kept and new == w.text
            w.text = new
    if len(sent) > 3 and rng.random() < 0.5:
        k = rng.randrange(len(sent) - 1)
        sent[k], sent[k + 1] = sent[k + 1], sent[k]


def _insert_paragraph(rng: random.Random, brief: GenBrief) -> None:
    sec = rng.choice(brief.sections)
    sec.paragraphs.insert(rng.randint(0, len(sec.paragraphs)), _paragraph(rng))


def _insert_sentence(rng: random.Random, brief: GenBrief) -> None:
    para = rng.choice(rng.choice(brief.sections).paragraphs)
    para.insert(rng.randint(0, len(para)), _words(_sentence(rng)))


def _pick_paragraph(rng: random.Random, brief: GenBrief) -> tuple[GenSection, int] | None:
    secs = [s for s in brief.sections if len(s.paragraphs) > 1]
    if not secs:
        return None
    sec = rng.choice(secs)
    return sec, rng.randrange(len(sec.paragraphs))


def _delete_paragraph(rng: random.Random, brief: GenBrief) -> None:
    if picked := _pick_paragraph(rng, brief):
        sec, i = picked
        del sec.paragraphs[i]


def _move_paragraph(rng: random.Random, brief: GenBrief) -> None:
    if picked := _pick_paragraph(rng, brief):
        sec, i = picked
        para = sec.paragraphs.pop(i)
        dest = rng.choice(brief.sections)
        dest.paragraphs.insert(rng.randint(0, len(dest.paragraphs)), para)


def _duplicate_paragraph(rng: random.Random, brief: GenBrief) -> None:
    sec = rng.choice(brief.sections)
    i = rng.randrange(len(sec.paragraphs))
    dup = [[Word(w.text, w.origin, w.kept, True) for w in s] for s in sec.paragraphs[i]]
    dest = sec if rng.random() < 0.5 else rng.choice(brief.sections)
    dest.paragraphs.insert(rng.randint(0, len(dest.paragraphs)), dup)


def _rename_section(rng: random.Random, brief: GenBrief) -> None:
    sec = rng.choice(brief.sections)
    taken = {s.id for s in brief.sections}
    sec.title = _title(rng, taken)
    sec.id = slug(sec.title)


def _reorder_sections(rng: random.Random, brief: GenBrief) -> None:
    i, j = rng.sample(range(len(brief.sections)), 2)
    brief.sections[i], brief.sections[j] = brief.sections[j], brief.sections[i]


def _split_section(rng: random.Random, brief: GenBrief) -> None:
    secs = [s for s in brief.sections if len(s.paragraphs) > 2]
    if not secs:
        return
    sec = rng.choice(secs)
    cut = rng.randint(1, len(sec.paragraphs) - 1)
    taken = {s.id for s in brief.sections}
    title = _title(rng, taken)
    new = GenSection(slug(title), title, sec.paragraphs[cut:])
    del sec.paragraphs[cut:]
    brief.sections.insert(brief.sections.index(sec) + 1, new)


def _delete_highlighted(rng: random.Random, brief: GenBrief, h: Highlight) -> None:
    """Delete the highlighted words outright (and, for short ones, their sentence)."""
    sid, a, b = h.section_id, h.selector.start, h.selector.end
    for sec in brief.sections:
        for para in sec.paragraphs:
            for k, sent in enumerate(para):
                hit = [w for w in sent if _covers(w, sid, a, b)]
                if not hit:
                    continue
                if len(hit) * 2 >= len(sent) or rng.random() < 0.5:
                    para[k] = []
                else:
                    para[k] = [w for w in sent if not _covers(w, sid, a, b)]
            para[:] = [s for s in para if s]
        sec.paragraphs[:] = [p for p in sec.paragraphs if p]
        if not sec.paragraphs:
            sec.paragraphs.append(_paragraph(rng))


def _covers(w: Word, sid: str, a: int, b: int) -> bool:
    return w.origin is not None and w.origin[0] == sid and w.origin[1] < b and a < w.origin[2]


LEVELS = {
    # operation: count per section (fractional part is a probability)
    1: {"typo": 0.6, "replace_word": 0.1, "insert_paragraph": 0.1, "insert_sentence": 0.1},
    2: {
        "typo": 1.0, "replace_word": 0.3, "insert_paragraph": 0.2, "insert_sentence": 0.3,
        "delete_paragraph": 0.1, "move_paragraph": 0.1, "duplicate_paragraph": 0.05,
        "rename_section": 0.15, "rewrite_light": 0.3, "reorder_sections": 0.05,
    },
    3: {
        "typo": 2.0, "replace_word": 0.8, "insert_paragraph": 0.4, "insert_sentence": 0.5,
        "delete_paragraph": 0.2, "move_paragraph": 0.25, "duplicate_paragraph": 0.1,
        "rename_section": 0.4, "rewrite_light": 0.6, "rewrite_heavy": 0.3,
        "reorder_sections": 0.2, "split_section": 0.1,
    },
}
#: Share of highlights whose text is deleted outright, per level.
DELETE_SHARE = {1: 0.0, 2: 0.03, 3: 0.08}

_OPS = {
    "typo": _typo,
    "replace_word": _replace_word,
    "insert_paragraph": _insert_paragraph,
    "insert_sentence": _insert_sentence,
    "delete_paragraph": _delete_paragraph,
    "move_paragraph": _move_paragraph,
    "duplicate_paragraph": _duplicate_paragraph,
    "rename_section": _rename_section,
    "reorder_sections": _reorder_sections,
    "split_section": _split_section,
    "rewrite_light": lambda rng, b: _rewrite_sentence(rng, b, 0.2),
    "rewrite_heavy": lambda rng, b: _rewrite_sentence(rng, b, 0.6),
}


def perturb(rng: random.Random, brief: GenBrief, level: int, highlights: list[Highlight]) -> None:
    n = len(brief.sections)
    for h in highlights:
        if rng.random() < DELETE_SHARE[level]:
            _delete_highlighted(rng, brief, h)
    plan = []
    for op, rate in LEVELS[level].items():
        count = int(rate * n) + (rng.random() < (rate * n) % 1)
        plan += [op] * count
    rng.shuffle(plan)
    for op in plan:
        _OPS[op](rng, brief)


# --------------------------------------------------------------------------- truth


def ground_truth(brief: GenBrief, h: Highlight) -> Truth:
    # The original words first. Where they no longer keep the highlight (deleted or
    # rewritten) but a duplicate made before that does (a paragraph copied, then the
    # original edited or deleted), the copy is where the text is now.
    truth = _truth_in(brief, h, copies=False)
    if truth.present:
        return truth
    copied = _truth_in(brief, h, copies=True)
    return copied if copied.present or truth.gone else truth


def _truth_in(brief: GenBrief, h: Highlight, *, copies: bool) -> Truth:
    sid, a, b = h.section_id, h.selector.start, h.selector.end
    total = b - a
    kept = 0
    any_left = False
    spans: dict[str, list[tuple[int, int]]] = {}
    for sec in brief.sections:
        pos = 0
        for w in sec.words():
            if _covers(w, sid, a, b) and w.copy == copies:
                any_left = True
                if w.kept:
                    kept += min(b, w.origin[2]) - max(a, w.origin[1])
                # The part of the word inside the highlight (a selection may stop short
                # of trailing punctuation).
                lo = pos + max(0, a - w.origin[1])
                hi = pos + len(w.text) - max(0, w.origin[2] - b)
                spans.setdefault(sec.id, []).append((lo, max(lo + 1, hi)))
            pos += len(w.text) + 1
    if not any_left:
        return Truth(False, gone=True)
    best = max(spans, key=lambda k: sum(y - x for x, y in spans[k]))
    start = min(x for x, _ in spans[best])
    end = max(y for _, y in spans[best])
    text = next(s for s in brief.texts() if s.id == best).text
    exact = text[start:end] == h.selector.exact
    return Truth(kept * 2 >= total, best, start, end, exact=exact, copy=copies)


def section_truth(brief: GenBrief, old: SectionText) -> str | None:
    """Where most of an original section's words are now (None: under 30 % survive)."""
    counts: dict[str, int] = {}
    for sec in brief.sections:
        for w in sec.words():
            if w.origin is not None and w.origin[0] == old.id and w.kept and not w.copy:
                counts[sec.id] = counts.get(sec.id, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] >= 0.3 * len(old.text.split(" ")) else None


def make_case(
    seed: int,
    level: int,
    n_highlights: int = 40,
    n_sections: int | None = None,
    truth: bool = True,
) -> Case:
    """A brief, highlights on it, the edited brief and (unless ``truth`` is False, which
    saves time on big cases) where each highlight's text is now."""
    rng = random.Random(seed * 10 + level)
    brief = generate_brief(rng, n_sections)
    before = brief.texts()
    highlights = make_highlights(rng, before, n_highlights)
    perturb(rng, brief, level, highlights)
    after = brief.texts()
    truths = [ground_truth(brief, h) for h in highlights] if truth else []
    return Case(brief, before, after, highlights, truths)


# --------------------------------------------------------------------------- scoring


def tolerance(h: Highlight) -> int:
    return max(4, len(h.selector.exact) // 10)


def _layout(brief: GenBrief) -> dict[str, list[tuple[int, int, Word]]]:
    out = {}
    for sec in brief.sections:
        pos, words = 0, []
        for w in sec.words():
            words.append((pos, pos + len(w.text), w))
            pos += len(w.text) + 1
        out[sec.id] = words
    return out


def _chars(w: Word, sid: str, a: int, b: int, replaced: bool = True) -> range:
    """Characters of the original highlight ``a..b`` that word ``w`` stands for."""
    if not _covers(w, sid, a, b) or (not replaced and not w.kept):
        return range(0)
    assert w.origin is not None
    return range(max(a, w.origin[1]), min(b, w.origin[2]))


def judge(brief: GenBrief, h: Highlight, truth: Truth, result: Anchoring) -> str:
    """"correct", "wrong" (a definite answer in the wrong place), "ambiguous" or "orphaned".

    Judged on where the words came from, not on offsets: a definite answer is correct
    when its span holds the highlight's surviving words (a copy of a duplicated paragraph
    counts; words that replaced highlighted ones may be in or out) with at most
    ``tolerance`` characters missing or foreign at its edges; or, when
    other text was inserted inside the highlighted passage, one whole piece of it holding
    at least half of what survives.
    """
    if result.status == "ambiguous":
        return "ambiguous"
    if result.status == "orphaned":
        return "orphaned" if truth.present else "correct"
    if not truth.present and result.status != "changed":
        return "wrong"
    assert result.section_id is not None and result.start is not None
    assert result.end is not None
    layout = _layout(brief)
    sid, ha, hb = h.section_id, h.selector.start, h.selector.end
    surviving: set[int] = set()
    for words in layout.values():
        for _, _, w in words:
            if w.copy == truth.copy:
                # A word that replaced a highlighted one may be in the answer or not.
                surviving.update(_chars(w, sid, ha, hb, replaced=False))
    words = layout.get(result.section_id, [])
    a, b = result.start, result.end
    hit = [i for i, (ws, we, w) in enumerate(words) if ws < b and a < we and _chars(w, sid, ha, hb)]
    if not hit or not surviving:
        return "wrong"
    first, last = hit[0], hit[-1]
    covered: set[int] = set()
    for i in range(first, last + 1):
        covered.update(_chars(words[i][2], sid, ha, hb))
    tol = tolerance(h)
    # Foreign text the answer takes in at its edges (a partly selected first or last
    # word is measured against the part of it the highlight had).
    lead = words[first][0] + max(0, ha - words[first][2].origin[1]) - a
    trail = b - (words[last][1] - max(0, words[last][2].origin[2] - hb))
    if lead > tol or trail > tol:
        return "wrong"
    missing = len(surviving - covered)
    if missing <= tol:
        return "correct"
    before = words[first - 1][2] if first > 0 else None
    after = words[last + 1][2] if last + 1 < len(words) else None
    whole_piece = not any(
        w is not None and set(_chars(w, sid, ha, hb)) - covered for w in (before, after)
    )
    return "correct" if whole_piece and 2 * len(covered) >= len(surviving) else "wrong"


@dataclass
class Tally:
    total: int = 0
    correct: int = 0
    wrong: int = 0
    ambiguous: int = 0
    orphaned: int = 0
    deleted: int = 0
    """Highlights whose text was deleted outright (nothing of it is left)."""
    deleted_orphaned: int = 0
    rewritten: int = 0
    """Highlights of which under half survives, the rest rewritten or deleted: an
    orphan is right, and so is a place on what is left (see ``judge``)."""
    rewritten_orphaned: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, brief: GenBrief, h: Highlight, truth: Truth, result: Anchoring) -> str:
        verdict = judge(brief, h, truth, result)
        self.total += 1
        setattr(self, verdict, getattr(self, verdict) + 1)
        self.statuses[result.status] = self.statuses.get(result.status, 0) + 1
        if truth.gone:
            self.deleted += 1
            self.deleted_orphaned += result.status == "orphaned"
        elif not truth.present:
            self.rewritten += 1
            self.rewritten_orphaned += result.status == "orphaned"
        return verdict

    def pct(self, n: int, of: int | None = None) -> float:
        of = self.total if of is None else of
        return 100.0 * n / of if of else 100.0
