"""Plain-text briefs -> Brief: the title line, then every short standalone line that is
followed by body text is a heading (numbered, ALL-CAPS or plain); hard-wrapped lines are
joined into paragraphs and web boilerplate at the end ("Leave a Comment") is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from briefreader.brief import Brief
from briefreader.sections import _assemble, _Heading, _title_from_name

# Levels: a numbered heading's level is the depth of its number ("2.3" -> 2; Roman
# "IV." -> 1). ALL-CAPS headings are level 1. Other headings are level 1, or level 2
# when the brief also has ALL-CAPS headings (which then head them); numbered headings
# likewise move down one level under ALL-CAPS ones. Underlined headings ("=====" on the
# line below) are level 1; other underlines ("-----", "~~~~~") each the next level down,
# in the order they first appear (see _rank_underlines).

_LONG_LINE = 100  # a line longer than this was not hard-wrapped
_MAX_HEADING_CHARS = 100
_MAX_HEADING_WORDS = 12
_MAX_DOTTED_HEADING_WORDS = 5  # a numbered line ending in "." and longer is a sentence
_MAX_QUESTION_WORDS = 10  # "What happens if goods move on to Ireland?"
_MAX_TITLE_CHARS = 150
_MAX_TITLE_WORDS = 25

# _ITEM starts a row of its own in a paragraph; _BULLET is never a heading ("1. Scope" is).
_ITEM = re.compile(r"\s*(?:[-*•‣◦▪▸►–+](?:\s+|$)|\(?\d{1,3}[.)]\s+|\(?[a-zA-Z][.)]\s+)")
_BULLET = re.compile(r"\s*(?:[-*•‣◦▪▸►–+](?:\s+|$)|\(?\d{1,3}\)\s+|\(?[a-zA-Z]\)\s+)")
_NUMBERED = re.compile(
    r"(?P<num>\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.|(?=[IVX]+\.)X{0,3}(?:IX|IV|V?I{0,3})\.)"
    r"\s+(?P<text>\S.*)$"
)
_LETTERED = re.compile(r"[A-Z]\.\s+\S")  # "A. Geographic Scope"
_RULE = re.compile(r"([=\-~*_#+.·•])(?:[ \t]*\1){2,}[ \t]*$")
# A label: a few words ending in a colon, no other stops ("Points to avoid:").
_LABEL = re.compile(r"[^.!?:;,…]{1,60}(?<!\s):")
# …but not a sentence leading into a list ("The options are:", "as follows:").
_LEAD_IN = re.compile(
    r"\b(?:are|is|was|were|be|been|include|includes|including|follows|following|below|"
    r"that|to|as|said|says|by|of|the|a|an|and|or|with|for|from|in|on|these|those|this)"
    r"\s*:$",
    re.I,
)
# The label a row may start with ("Recommendation 1:", "Option B –", "Q3.", "Risk:"): a
# line that starts with the same kind of label as its row, after a line that ends a
# sentence, starts a row of its own.
_ROW_LABEL = re.compile(
    r"(?P<word>[A-Z][^\W\d_]*(?: [^\W\d_]+){0,2}) ?(?:\d{1,3}[a-z]?|[A-Z]|[IVX]+)"
    r"\s*[:.)–—-]\s"
    r"|(?P<label>[A-Z][^\W\d_’'-]*(?: [^\W\d_’'-]+){0,3}):\s"
)
_LETTER = re.compile(r"[^\W\d_]")
# The headers at the top of an e-mail ("From: …", "Subject: …") and the prefixes of a
# reply or forward in its subject ("RE: FW: …").
_MAIL_HEADER = re.compile(
    r"(?P<field>from|sent|date|to|cc|bcc|subject|importance|reply-to|attachments?)[ \t]*:"
    r"(?P<value>.*)",
    re.I,
)
_MAIL_PREFIXES = re.compile(r"(?:(?:re|fwd?|aw|wg|tr)(?:\[\d+\])?[ \t]*:[ \t]*)+", re.I)
# A word broken at the end of a line ("regula-" / "tion is…", as PDFs are converted).
_HYPHEN_BREAK = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)*)-$")
_WORD_START = re.compile(r"[^\W\d_]+")
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~‘’“”«»…–—•·"
# First parts of compounds whose hyphen is kept at a line break unless the brief writes
# the word without it elsewhere ("well-known", "cross-border", "long-term").
_COMPOUND_FIRST = frozenset((
    "all", "anti", "back", "co", "counter", "cross", "cost", "day", "decision", "e", "eight",
    "end", "ex", "far", "first", "five", "follow", "four", "full", "half", "high", "long",
    "low", "mid", "multi", "near", "nine", "non", "one", "part", "policy", "post", "pre",
    "pro", "quasi", "second", "self", "semi", "seven", "short", "six", "so", "ten", "third",
    "three", "time", "top", "two", "well", "wide", "world", "year",
))
_DIGIT = re.compile(r"\d")
_CLOSERS = "\"'”’»)]}"
_SENTENCE_END = ".!?:;,…"
_URL_OR_EMAIL = re.compile(r"https?://|www\.|\S@\S+\.\w")
_DATE_WORDS = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|"
    r"tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|"
    r"sun(?:day)?|am|pm|utc|gmt|cet|cest|bst|est|edt)\b\.?|(?<=\d)(?:st|nd|rd|th)\b",
    re.I,
)
_DATELINE = re.compile(r"(?:first |last )?(?:published|updated|posted|modified)\b", re.I)
_BYLINE = re.compile(
    r"By\s+(?!(?:The|A|An|Way|Design|Sector|Country|Region)\b)[A-Z][\w'’.-]*"
    r"(?:\s+(?:[A-Z][\w'’.-]*|and|&))*$"
)
_BOILERPLATE = re.compile(
    r"(?:leave a (?:comment|reply)|post a comment|add a comment|\d*\s*comments?|"
    r"share(?: this)?(?: article| story| post| page)?(?: on \w+)?|share on .*|"
    r"related(?: posts| articles| stories| content| news| reading)?|"
    r"(?:you (?:may|might) )?(?:also like|also be interested in)|read more|continue reading|"
    r"more from .{0,60}|recommended(?: for you)?|subscribe\b.{0,80}|"
    r"sign up\b.{0,40}newsletter.{0,40}|newsletter|"
    r"print(?: this)?(?: page| article| story)?|email(?: this)?(?: article| story)?|"
    r"copy link|tags?\s*:.*|categor(?:y|ies)\s*:.*|filed under\b.*|posted in\b.*|"
    r"click here\b.*|sponsored|"
    r"(?:previous|next) (?:post|article|story)\b.*|follow us\b.*|"
    r"(?:©|copyright\b).*|all rights reserved\.?)"
    r"[.:!]?",
    re.I,
)
# Page furniture kept as text but never a heading or the title: protective markings
# ("OFFICIAL-SENSITIVE", "[SECRET UK EYES ONLY]"), page numbers ("Page 2 of 5", "- 3 -")
# and a PDF's running header or footer (a line of text and a page number far apart).
_FURNITURE = re.compile(
    r"[\[(*_ ]*(?:(?:UK|NATO|EU|COSMIC)\s+)?"
    r"(?:TOP\s+SECRET|SECRET|CONFIDENTIAL|RESTRICTED|UNCLASSIFIED|OFFICIAL(?:[\s-]+SENSITIVE)?"
    r"|PROTECT(?:ED)?|NOT\s+PROTECTIVELY\s+MARKED|FOR\s+OFFICIAL\s+USE\s+ONLY)"
    r"(?:\s*[-–—:/]?\s*(?:COMMERCIAL|PERSONAL|LOCSEN|LEGAL|POLICY|DRAFT|NOFORN"
    r"|(?:UK\s+)?EYES\s+ONLY|[A-Z]{2,5}\s+EYES\s+ONLY))*[\])*_ ]*"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|[-–—]\s*\d{1,4}\s*[-–—]",
    re.I,
)
_RUNNING_HEAD = re.compile(
    r"\S.*\S {3,}(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|(?:page\s*)?\d{1,4} {3,}\S.*",
    re.I,
)
# Page furniture dropped wherever it stands.
_NOISE = re.compile(r"advertisement|sponsored content|skip to (?:main )?content|back to top", re.I)
_COOKIE_NOTICE = re.compile(
    r"\b(?:we|this (?:web)?site) uses? cookies\b|\bcookie (?:policy|settings|preferences|consent)\b"
    r"|\baccept (?:all )?cookies\b",
    re.I,
)


@dataclass(frozen=True)
class _HeadingLike:
    style: str  # "numbered", "lettered", "caps", "plain", "question", "underline",
    # "colon" (a label) or "runin" (a plain line with its paragraph right below it)
    depth: int  # numbered: depth of the number; underline: its level
    mark: str = ""  # underline: the character it is drawn with


@dataclass
class _Block:
    rows: list[str]
    """The paragraph, one row per line break the source keeps (bullets, short lines)."""
    line: int
    heading: _HeadingLike | None = None
    """Set when the block is one standalone line that looks like a heading."""
    single_line: bool = False
    is_heading: bool = False
    labels_next: bool = False
    """A label ("Key messages:") split from the top of the block after it."""
    heads_next: bool = False
    """A short line split from the top of the paragraph after it ("Objectives" above
    "Secure agreement on…"): a heading if the brief has others like it."""


def parse_text(text: str, *, name: str, content_hash: str, path: Path | None = None) -> Brief:
    lines = [ln.rstrip() for ln in text.replace("\f", "\n").split("\n")]
    blocks = _settle_heads(_text_blocks(lines, _Words(text)))

    title = None
    # The title is the first line, after any marking or running header above it (those
    # stay, as text before the first heading).
    first = next(
        (i for i, b in enumerate(blocks) if not all(_is_furniture(r) for r in b.rows)),
        len(blocks),
    )
    if (
        first < len(blocks)
        and blocks[first].single_line
        and not blocks[first].heads_next
        and _title_like(blocks[first].rows[0])
    ):
        title = blocks.pop(first).rows[0]
        if first < len(blocks) and blocks[first].single_line and _same(
            blocks[first].rows[0], title
        ):
            blocks.pop(first)  # a web page's title repeated as its first heading

    _rank_underlines(blocks)

    if title is None:
        title = _mail_subject(lines)  # an e-mail: its subject; the headers stay as text

    # Boilerplate at the end goes, and so do the heading-like lines among it (the titles
    # listed under "Related Posts"). Heading-like lines after the last paragraph but
    # before any boilerplate (a signature, "Annex A", a contact line) are the brief's
    # own text: they stay, as paragraphs.
    last_body = next(
        (
            i
            for i in range(len(blocks) - 1, -1, -1)
            if blocks[i].heading is None and not _is_trailing_boilerplate(blocks[i])
        ),
        None,
    )
    if last_body is not None:
        cut = next(
            (i for i in range(last_body + 1, len(blocks)) if _is_trailing_boilerplate(blocks[i])),
            len(blocks),
        )
        del blocks[cut:]
    while blocks and _is_trailing_boilerplate(blocks[-1]):
        blocks.pop()

    # Labels ending in a colon ("Background:", "Key messages:") are the headings of a
    # brief that has no others (an e-mail, a note of lines to take); where a brief has
    # headings of its own they are text, each in the paragraph it introduces.
    labels = [b for b in blocks if b.heading is not None and b.heading.style == "colon"]
    for b in labels:
        b.heading = None
    level = _find_headings(blocks)
    if labels and not any(b.is_heading for b in blocks):
        for b in labels:
            b.heading = _HeadingLike("colon", 1)
        level = _find_headings(blocks)
    elif labels:
        blocks = _rejoin_labels(blocks)

    lead: list[_Block] = []
    groups: list[tuple[_Block, list[_Block]]] = []
    for b in blocks:
        if b.is_heading:
            groups.append((b, []))
        else:
            (groups[-1][1] if groups else lead).append(b)
    return _assemble(
        title=title or _title_from_name(name),
        lead=(_join(lead), lead[0].line) if lead else None,
        headings=[
            _Heading(h.rows[0], level(h.heading), _join(body), h.line)  # type: ignore[arg-type]
            for h, body in groups
        ],
        fmt="text",
        content_hash=content_hash,
        path=path,
    )


def _rank_underlines(blocks: list[_Block]) -> None:
    """Give underlined headings their levels: "=====" is level 1 and each other underline
    the next level down, in the order it first appears ("-----", then "~~~~~"). When no
    other heading comes before the first underlined one (the title's "=====" is used up
    by the title), levels move up so that it is level 1 rather than a level 2 with no
    parent."""
    underlined = [b for b in blocks if b.heading is not None and b.heading.style == "underline"]
    if not underlined:
        return
    order = ["="]
    for b in underlined:
        if b.heading.mark not in order:  # type: ignore[union-attr]
            order.append(b.heading.mark)  # type: ignore[union-attr]
    offset = 0
    if next(b for b in blocks if b.heading is not None) is underlined[0]:
        offset = order.index(underlined[0].heading.mark)  # type: ignore[union-attr]
    for b in underlined:
        level = min(6, max(1, order.index(b.heading.mark) + 1 - offset))  # type: ignore[union-attr]
        b.heading = _HeadingLike("underline", level, b.heading.mark)  # type: ignore[union-attr]


def _find_headings(blocks: list[_Block]):
    """Set ``is_heading`` on each block; returns the level of each heading style."""
    # Run-in headings sit below a plain heading that has no text of its own before them
    # ("Workforce", then "Vacancies" above its paragraph).
    runin_below = any(
        b.heading is not None and b.heading.style == "plain" and nxt.heads_next
        for b, nxt in zip(blocks, blocks[1:], strict=False)
    )
    level = _level_rule([b.heading for b in blocks if b.heading], runin_below)
    # A heading-like line is a heading when body text follows it, or when it heads the
    # deeper heading that follows it. A run of them at one level (a contents list, an
    # address) is body text.
    # Questions one after another are a list ("Suggested questions"): text.
    listed = [
        b
        for i, b in enumerate(blocks)
        if _is_question(b)
        and (
            (i > 0 and _is_question(blocks[i - 1]))
            or (i + 1 < len(blocks) and _is_question(blocks[i + 1]))
        )
    ]
    for b in listed:
        b.heading = None
    for b in blocks:
        b.is_heading = False
    for b, nxt in zip(reversed(blocks[:-1]), reversed(blocks[1:]), strict=True):
        if b.heading is not None:
            b.is_heading = nxt.heading is None or (
                nxt.is_heading and level(b.heading) < level(nxt.heading)
            )
    return level


def _is_question(b: _Block) -> bool:
    return b.heading is not None and b.heading.style == "question"


def _mail_subject(lines: list[str]) -> str | None:
    """The subject of a brief that starts with e-mail headers ("From:", "Sent:", "To:",
    "Subject:"), without "RE:" or "FW:"; None for any other brief."""
    fields: dict[str, str] = {}
    for line in lines[next((i for i, ln in enumerate(lines) if ln.strip()), len(lines)) :]:
        if not line.strip():
            break
        m = _MAIL_HEADER.match(line.strip())
        if m:
            fields.setdefault(m["field"].casefold(), m["value"].strip())
        elif not (fields and line[:1].isspace()):  # a long "To:" list goes on indented
            return None
    if "subject" not in fields or len(fields) < 2:
        return None
    return _MAIL_PREFIXES.sub("", fields["subject"], count=1).strip() or None


def _settle_heads(blocks: list[_Block]) -> list[_Block]:
    """Keep the short lines split from the top of their paragraphs as headings when the
    brief has at least one other plain heading (standalone, or split like them) after its
    first line; otherwise put each back at the top of its paragraph."""
    heads = [b for b in blocks if b.heads_next]
    if not heads:
        return blocks
    others = sum(
        1
        for b in blocks[1:]
        if b.single_line and not b.heads_next and b.heading is not None
        and b.heading.style == "plain"
    )
    if len(heads) + others >= 2:
        return blocks
    out: list[_Block] = []
    for b in reversed(blocks):
        if b.heads_next and out:  # "Objectives"
            nxt = out[-1]
            out[-1] = _Block([*b.rows, *nxt.rows], b.line)
        else:
            out.append(b)
    return out[::-1]


def _rejoin_labels(blocks: list[_Block]) -> list[_Block]:
    """Put each label split from the top of a paragraph back into it."""
    out: list[_Block] = []
    for b in reversed(blocks):
        if b.labels_next and out and not out[-1].is_heading:
            nxt = out[-1]
            out[-1] = _Block([*b.rows, *nxt.rows], b.line)
        else:
            out.append(b)
    return out[::-1]


def _join(blocks: list[_Block]) -> str:
    return "\n\n".join("\n".join(b.rows) for b in blocks)


def _is_trailing_boilerplate(b: _Block) -> bool:
    text = "\n".join(b.rows)
    return (len(text) < 400 and _is_boilerplate(b.rows[0])) or bool(_COOKIE_NOTICE.search(text))


class _Words:
    """The words of a brief, read the first time a word broken at a line end asks."""

    def __init__(self, text: str):
        self._text = text
        self._plain: set[str] | None = None
        self._compounds: set[str] = set()

    def join(self, first: str, rest: str) -> str:
        """``first`` ("…regula-") joined to the next line ``rest`` ("tion is…"): the
        hyphen goes unless the word is a compound ("cross-" / "border")."""
        m = _HYPHEN_BREAK.search(first[first.rfind(" ") + 1 :])
        head = m.group(1).casefold() if m else ""
        tail = m2.group().casefold() if (m2 := _WORD_START.match(rest)) else ""
        if self._plain is None:
            self._plain = {w.strip(_PUNCTUATION) for w in set(self._text.casefold().split())}
            self._compounds = {w for w in self._plain if "-" in w}
        if tail in ("and", "or", "nor", "to") and not rest[len(tail) : len(tail) + 1].isalpha():
            return f"{first} {rest}"  # "window- and buffer-local"
        last = head.rsplit("-", 1)[-1]
        if last + tail in self._plain or head + tail in self._compounds:
            return first[:-1] + rest  # "regulation" / "self-regulation" elsewhere
        if (
            f"{head}-{tail}" in self._compounds
            or last in _COMPOUND_FIRST
            or "-" in head
            or any(c.isupper() for c in (m.group(1)[1:] if m else ""))  # "ASCII-" / "based"
        ):
            return first + rest
        return first[:-1] + rest


def _text_blocks(lines: list[str], words: _Words) -> list[_Block]:
    """Paragraph blocks in reading order; separator rules dropped."""
    lengths = sorted(len(ln) for ln in lines if ln.strip())
    if not lengths:
        return []
    # One paragraph per (long) line: every line stands alone. Otherwise the text is
    # hard-wrapped and ``width`` estimates the wrap column (the 90th percentile of line
    # lengths: an underestimate only joins more).
    unwrapped = sum(1 for n in lengths if n > _LONG_LINE) >= max(1, len(lengths) // 5)
    width = lengths[(len(lengths) - 1) * 9 // 10]

    blocks: list[_Block] = []
    chunk: list[tuple[int, str]] = []  # (line number, text) of consecutive non-blank lines
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            if len(line) > 40 or not _NOISE.fullmatch(line.strip()):
                chunk.append((number, line))
            continue
        for piece, underline in _split_rules(chunk):
            if underline:
                ((n, s),) = piece
                heading = _HeadingLike("underline", 1 if underline == "=" else 2, underline)
                blocks.append(_Block([s.strip()], n, heading, True))
            elif unwrapped:
                blocks.extend(_unwrapped_blocks(piece, words))
            else:
                blocks.extend(_wrapped_blocks(piece, width, words))
        chunk = []
    return blocks


def _split_rules(chunk: list[tuple[int, str]]) -> list[tuple[list[tuple[int, str]], str]]:
    """Split a chunk at rule lines ("-----", "* * *"). A heading-like line directly above
    a rule is an underlined heading, returned alone with the rule's character."""
    pieces: list[tuple[list[tuple[int, str]], str]] = []
    current: list[tuple[int, str]] = []
    for n, line in chunk:
        rule = _RULE.match(line.strip())
        if not rule:
            current.append((n, line))
            continue
        if current and _heading_like(current[-1][1].strip()):
            last = current.pop()
            if current:
                pieces.append((current, ""))
            pieces.append(([last], rule.group(1)))
        elif current:
            pieces.append((current, ""))
        current = []
    if current:
        pieces.append((current, ""))
    return pieces


def _wrapped_blocks(piece: list[tuple[int, str]], width: int, words: _Words) -> list[_Block]:
    n0, first = piece[0]
    if len(piece) == 1:
        s = first.strip()
        return [_Block([s], n0, _heading_like(s), True)]
    out = []
    # "1. PURPOSE" or "BACKGROUND" directly above its paragraph, no blank line between
    lead = _heading_like(first.strip())
    if (
        lead is not None
        and lead.style in ("numbered", "caps", "colon")
        and not _wrapped(first, piece[1][1], width)
        and not _starts_lower(piece[1][1])  # "…, totalling" / "£42 million across…"
        and (lead.style != "numbered" or not _ITEM.match(piece[1][1]))
    ):
        out.append(_Block([first.strip()], n0, lead, True, labels_next=lead.style == "colon"))
        piece = piece[1:]
    elif _heads_text(first, lead, [ln for _, ln in piece[1:3]], width):
        out.append(_Block([first.strip()], n0, _HeadingLike("runin", 1), True, heads_next=True))
        piece = piece[1:]
    out.append(_Block(_rows(piece, width, words), piece[0][0], None, len(piece) == 1))
    return out


def _unwrapped_blocks(piece: list[tuple[int, str]], words: _Words) -> list[_Block]:
    """Each long line its own paragraph; bullets grouped; a run of short lines is split
    into standalone lines only when each looks like a heading, byline or dateline (a
    hard-wrapped paragraph among long lines stays one block)."""
    out: list[_Block] = []
    i = 0
    while i < len(piece):
        n, line = piece[i]
        s = line.strip()
        if len(s) > _LONG_LINE and not _ITEM.match(s):
            out.append(_Block([s], n, None, True))
            i += 1
            continue
        j = i + 1
        while j < len(piece) and (
            len(piece[j][1].strip()) <= _LONG_LINE or _ITEM.match(piece[j][1])
        ):
            j += 1
        run = piece[i:j]
        kinds = [_heading_like(ln.strip()) for _, ln in run]
        if len(run) > 1 and kinds[0] is not None and kinds[0].style == "colon":
            out.append(_Block([s], n, kinds[0], True, labels_next=True))  # "Background:"
            i += 1
            continue
        if len(run) > 1 and _heads_text(line, kinds[0], [ln for _, ln in run[1:3]]):
            out.append(_Block([s], n, _HeadingLike("runin", 1), True, heads_next=True))
            i += 1
            continue
        if all(
            (k and (k.style != "question" or len(run) == 1)) or _is_meta_line(ln.strip())
            for k, (_, ln) in zip(kinds, run, strict=True)
        ):
            out.extend(
                _Block([ln.strip()], m, k, True) for (m, ln), k in zip(run, kinds, strict=True)
            )
        else:
            out.append(_Block(_rows(run, None, words), n, None, len(run) == 1))
        i = j
    return out


def _heads_text(
    line: str, head: _HeadingLike | None, following: list[str], width: int | None = None
) -> bool:
    """Whether ``line`` (heading-like as ``head`` says) may be the heading of the paragraph
    that starts on the next line, with no blank line between: a short plain line, not
    wrapped there, and the next line clearly starts a sentence (a capital, then words in
    lower case), is much longer and ends one (or wraps on)."""
    if head is None or head.style != "plain":
        return False
    s = line.strip()
    indent = len(line) - len(line.lstrip())
    if len(following[0]) - len(following[0].lstrip()) != indent:
        return False  # a term and its definition, indented below it
    if len(s.split()) > 6 or s.startswith("Dear "):
        return False
    if _MAIL_HEADER.match(s):
        return False
    nxt = following[0].strip()
    if (
        not nxt[:1].isupper()
        or _ITEM.match(nxt)
        or len(nxt) < max(30, 2 * len(s))
        or sum(w[:1].islower() for w in nxt.split()) < 3  # a sentence, not a name or address
        or (width is not None and _wrapped(line, following[0], width))
    ):
        return False
    if nxt.rstrip(_CLOSERS)[-1:] in ".!?":
        return True
    return width is not None and len(following) > 1 and _wrapped(following[0], following[1], width)


def _rows(piece: list[tuple[int, str]], width: int | None, words: _Words) -> list[str]:
    """The piece's text, one row per line break worth keeping: a line joins the one above
    when that one was wrapped; bullets always start a row. ``width=None``: never wrapped,
    except for a word broken at the line end ("regula-" / "tion")."""
    rows: list[str] = []
    in_item = False
    previous = ""
    for _, line in piece:
        s = line.strip()
        if _ITEM.match(line):
            rows.append(s)
            in_item = True
        elif (
            rows
            and s[:1].islower()
            and previous.endswith("-")
            and previous[-2:-1].isalpha()
            and "   " not in previous.strip()  # not a row of a table
        ):
            rows[-1] = words.join(rows[-1], s)
        elif rows and (
            (width is not None and _wrapped(previous, s, width) and not _new_row(rows[-1], s))
            or (in_item and line[:1].isspace())
        ):
            rows[-1] += " " + s
        else:
            rows.append(s)
            in_item = False
        previous = line
    return rows


def _new_row(row: str, line: str) -> bool:
    """Whether ``line`` starts a row of its own although the line above looks wrapped:
    that line ended a sentence and both start with the same kind of label
    ("Recommendation 1: ….", "Recommendation 2: …")."""
    if _MAIL_HEADER.match(row) and _MAIL_HEADER.match(line):
        return True  # "To: …" / "Subject: …"
    if row.rstrip(_CLOSERS)[-1:] not in ".!?":
        return False
    a, b = _ROW_LABEL.match(row), _ROW_LABEL.match(line)
    if a is None or b is None:
        return False
    if a["word"] is not None:
        return a["word"] == b["word"]
    return b["label"] is not None and not _LEAD_IN.search(a[0].rstrip()) and not _LEAD_IN.search(
        b[0].rstrip()
    )


def _wrapped(line: str, following: str, width: int) -> bool:
    """Whether ``line`` ended by wrapping: the first word of the next line would not have
    fitted on it."""
    words = following.split(None, 1)
    return len(line) + 1 + (len(words[0]) if words else 0) > width


def _heading_like(s: str) -> _HeadingLike | None:
    """Whether the stripped line ``s`` could be a heading, and in which style."""
    if not s or len(s) > _MAX_HEADING_CHARS or not _LETTER.search(s):
        return None
    # Cheap refusals first (most lines are paragraphs'): none of these is a heading of
    # any style, numbered ones included ("1. when …", a number and 12 words at most).
    if _starts_lower(s) or len(s.split()) > _MAX_HEADING_WORDS + 1:
        return None
    if _BULLET.match(s) or _is_meta_line(s):
        return None
    numbered = _NUMBERED.match(s)
    if numbered:
        words = numbered.group("text")
        if _starts_lower(words) or len(words.split()) > _MAX_HEADING_WORDS:
            return None
        end = words.rstrip(_CLOSERS)  # "0. Definitions." is a heading; "1. Why?" is not
        if end.endswith("..") or (end[-1:] in _SENTENCE_END and end[-1:] != "."):
            return None
        if end.endswith(".") and len(words.split()) > _MAX_DOTTED_HEADING_WORDS:
            return None  # "3.1 The first tranche was released in May." is a paragraph
        return _HeadingLike("numbered", numbered.group("num").rstrip(".").count(".") + 1)
    if len(s.split()) > _MAX_HEADING_WORDS:  # (a lower-case start is refused above)
        return None
    if _LABEL.fullmatch(s) and not _LEAD_IN.search(s):
        return _HeadingLike("colon", 1)
    end = s.rstrip(_CLOSERS)
    if end.endswith("?") and len(s.split()) <= _MAX_QUESTION_WORDS and "?" not in end[:-1]:
        return _HeadingLike("question", 1)  # "What happens next?" in an explainer
    if end[-1:] in _SENTENCE_END:
        return None
    if s.isupper() and sum(c.isupper() for c in s) >= 4:  # every cased letter upper
        return _HeadingLike("caps", 1)
    if _LETTERED.match(s):
        return _HeadingLike("lettered", 1)
    return _HeadingLike("plain", 1)


def _title_like(s: str) -> bool:
    if not s or len(s) > _MAX_TITLE_CHARS or len(s.split()) > _MAX_TITLE_WORDS:
        return False
    if not _LETTER.search(s) or _starts_lower(s):
        return False
    if _ITEM.match(s) or _NUMBERED.match(s) or _is_meta_line(s):
        return False
    return s.rstrip(_CLOSERS)[-1:] not in ".:;,…"


def _is_furniture(s: str) -> bool:
    """A protective marking, a page number, or a running header or footer."""
    if _FURNITURE.fullmatch(s) is None and ("   " not in s or not _RUNNING_HEAD.fullmatch(s)):
        return False
    # Markings are written in capitals ("Secret" alone may be a heading).
    return not _LETTER.search(s) or any(c.isdigit() for c in s) or s.upper() == s


def _is_meta_line(s: str) -> bool:
    """Boilerplate, a URL or e-mail address, a date, a dateline, a byline or page
    furniture."""
    return bool(
        _is_boilerplate(s)
        or _is_furniture(s)
        or _URL_OR_EMAIL.search(s)
        or _DATELINE.match(s)
        or _BYLINE.match(s)
        or (_DIGIT.search(s) is not None and not _LETTER.search(_DATE_WORDS.sub("", s)))
    )


def _is_boilerplate(s: str) -> bool:
    return bool(_BOILERPLATE.fullmatch(s.strip()) or _COOKIE_NOTICE.search(s))


def _starts_lower(s: str) -> bool:
    first = _LETTER.search(s)
    return first is not None and first.group().islower()


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _level_rule(found: list[_HeadingLike], runin_below: bool = False):
    """The level of each heading style, given all the heading-like lines of a brief."""
    has_caps = any(h.style == "caps" for h in found)
    # Lettered headings ("A. Scope") sit one level below the numbered ones they follow
    # ("II. SCOPE").
    styles = [h.style for h in found]
    under_numbers = (
        "lettered" in styles
        and "numbered" in styles[: styles.index("lettered")]
    )

    def level(h: _HeadingLike) -> int:
        if h.style == "underline":
            return h.depth
        if h.style == "caps":
            return 1
        if h.style == "numbered":
            return min(6, h.depth + has_caps)
        if h.style == "lettered":
            return 1 + has_caps + under_numbers
        if h.style == "runin":
            return 1 + has_caps + runin_below
        return 2 if has_caps else 1  # "plain", "question", "colon"

    return level
