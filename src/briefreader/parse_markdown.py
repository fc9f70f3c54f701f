"""Markdown briefs -> Brief: YAML front matter, ATX and setext headings (CommonMark rules),
found in one linear scan of the text. Nothing is rendered here; ``render`` formats one
section at a time.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import yaml

from briefreader.brief import Brief
from briefreader.errors import BriefError
from briefreader.parse_text import _title_like
from briefreader.sections import _assemble, _Heading, _title_from_name, slugify

# One search finds the next line that may matter: an ATX heading, a code fence, a setext
# underline or an HTML comment. The text gets a leading and a trailing "\n" so that every
# line follows one; the literal "\n" first keeps the scan in C (~40 ms for 10 MB).
_MD_SPECIAL = re.compile(
    r"\n(?=[ #`~=<-]) {0,3}(?:"
    r"(?P<atx>#{1,6})(?:[ \t][^\n]*)?(?=\n)"
    r"|(?P<fence>`{3,}|~{3,})[^\n]*(?=\n)"
    r"|(?P<under>=+|-+)[ \t]*(?=\n)"
    r"|(?P<comment><!--)[^\n]*(?=\n)"
    r")"
)
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
# Lines that cannot be the text of a setext heading: list item, block quote, rule.
_NOT_SETEXT_TEXT = re.compile(
    r" {0,3}(?:[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$)"
)
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)+")
_RULES_ONLY = re.compile(r"(?:[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})\n*)+")
_FRONT_OPEN = re.compile(r"---[ \t]*\n")
_FRONT_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_FRONT_KEYS = ("title", "id", "date")
_METADATA_BUDGET = 10_000  # values kept from front matter (YAML aliases can multiply them)
_MAX_FRONT_MATTER = 64 * 1024  # a longer "---" block is a rule far above another one
_FAILED_FENCE_SEARCHES = 64
_MAX_MARKUP_HEADING = 500  # longer heading text is shown as written (regexes stay linear)


def parse_markdown(text: str, *, name: str, content_hash: str, path: Path | None = None) -> Brief:
    front, body, first_line = _split_front_matter(text, name)
    s = "\n" + body + "\n"
    found = _scan_headings(s)

    headings = []
    for i, (_start, body_start, level, raw, line) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(s)
        title, explicit_id = _clean_heading(raw)
        title = title or "Untitled section"
        source, _skipped = _body(s, body_start, end)
        headings.append(_Heading(title, level, source, line + first_line - 1, explicit_id))

    lead_end = found[0][0] if found else len(s)
    source, skipped = _body(s, 1, lead_end)
    title = _meta_str(front.get("title"))
    first = None if title or not source else _standalone_first_line(s, lead_end)
    if first is not None:
        # A short line standing alone above everything else is the title a reader sees,
        # as in a plain-text brief; it is then the lead's heading, not its text. Unless
        # it is all there is above the brief's only "# heading", which is then the title
        # ("DRAFT", then "# Cyber Resilience Bill").
        rest, gone = _body(s, first[0], lead_end)
        level_1 = [h for h in headings if h.level == 1]
        if rest or len(level_1) != 1 or level_1[0] is not headings[0]:
            title, source, skipped = first[1], rest, s.count("\n", 1, first[0]) + gone
    lead = (source, first_line + skipped) if source and not _RULES_ONLY.fullmatch(source) else None

    if not title:
        title = next((h.title for h in headings if h.level == 1 and h.title), None)
    return _assemble(
        title=title or _title_from_name(name),
        lead=lead,
        headings=headings,
        fmt="markdown",
        content_hash=content_hash,
        path=path,
        doc_id=_meta_str(front.get("id")),
        date=_meta_str(front.get("date")),
        metadata=_plain_metadata({k: v for k, v in front.items() if k not in _FRONT_KEYS}, name),
    )


# A first line that is not a paragraph of text: a list item, quote, rule, table row, HTML,
# code, link definition, image, or anything indented.
_NOT_A_TITLE_LINE = re.compile(r"[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[>|<!\[`~:$]|[ \t]")


def _standalone_first_line(s: str, lead_end: int) -> tuple[int, str] | None:
    """(offset in ``s`` after the first line of the text, that line as a title) when the
    line comes before ``lead_end`` (the first heading), stands alone (a blank line or
    nothing after it) and looks like a title."""
    blank = _LEADING_BLANK_LINES.match(s, 1)
    start = blank.end() if blank else 1
    end = s.find("\n", start)
    if end < 0 or end >= lead_end or s[end + 1 : s.find("\n", end + 1) + 1].strip():
        return None
    line = s[start:end]
    if not line or _NOT_A_TITLE_LINE.match(line):
        return None
    title, _ = _clean_heading(line)
    return (end + 1, title) if _title_like(title) else None


def _split_front_matter(text: str, name: str) -> tuple[dict, str, int]:
    """(front matter, the text after it, file line number of that text's first line)."""
    opening = _FRONT_OPEN.match(text)
    closing = _FRONT_CLOSE.search(text, opening.end()) if opening else None
    if not opening or not closing or closing.start() - opening.end() > _MAX_FRONT_MATTER:
        return {}, text, 1
    try:
        data = yaml.safe_load(text[opening.end() : closing.start()])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "it does not parse"
        raise BriefError(f"{name}: the front matter{where} is not valid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        # "---\nSome text\n---" at the top is a rule and a setext heading, not metadata.
        return {}, text, 1
    end = closing.end() + 1 if text.startswith("\n", closing.end()) else closing.end()
    return data, text[end:], text.count("\n", 0, end) + 1


def _meta_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip() or None


def _plain_metadata(meta: dict, name: str) -> dict:
    """A JSON-friendly copy (dates as ISO strings, keys as strings); refuses YAML whose
    aliases would expand past a sane size."""
    budget = [_METADATA_BUDGET]

    def plain(value: object) -> object:
        budget[0] -= 1
        if budget[0] < 0:
            raise BriefError(f"{name}: the front matter is too large or too deeply aliased")
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set)):
            return [plain(v) for v in value]
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        return str(value)

    return plain(meta)  # type: ignore[return-value]


def _scan_headings(s: str) -> list[tuple[int, int, int, str, int]]:
    """The headings of ``s`` ("\\n" + body + "\\n"), skipping fenced code and comments.

    Each is (offset of the heading's first line, offset of its body, level, raw text,
    1-based line number in the body). A fence or comment that never closes is text, as
    in Python-Markdown: one stray ``` must not hide every heading after it."""
    found: list[tuple[int, int, int, str, int]] = []
    pos = 0
    line_pos = line_no = 0  # s[:line_pos] holds line_no newlines
    special_end = -1  # offset of the "\n" ending the last heading, fence or comment
    unclosable: dict[str, int] = {}  # fence char -> shortest length known to have no closer
    closers: dict[tuple[str, int], re.Pattern[str]] = {}
    searches_left = _FAILED_FENCE_SEARCHES  # bounds the work crafted input can cause
    comments_close = True  # False once no "-->" is left in the rest of the text

    while (m := _MD_SPECIAL.search(s, pos)) is not None:
        start, end = m.start() + 1, m.end()  # the line is s[start:end]; s[end] == "\n"
        pos = end
        kind = m.lastgroup
        if kind == "atx":
            line_no += s.count("\n", line_pos, start)
            line_pos = start
            level = m.end("atx") - m.start("atx")
            raw = s[m.end("atx") : end].strip()
            if raw.endswith("#"):
                raw = _ATX_CLOSE.sub("", raw).strip()
            found.append((start, end + 1, level, raw, line_no))
            special_end = end
        elif kind == "fence":
            fence = m.group("fence")
            char, length = fence[0], len(fence)
            if char == "`" and "`" in s[m.end("fence") : end]:
                continue  # not a fence: backticks in the info string
            if unclosable.get(char, 1 << 30) <= length or searches_left <= 0:
                continue
            key = (char, length)
            if key not in closers:
                closers[key] = re.compile(rf"\n {{0,3}}{re.escape(char)}{{{length},}}[ \t]*(?=\n)")
            closer = closers[key].search(s, end)
            if closer is None:
                unclosable[char] = length
                searches_left -= 1
                continue
            pos = special_end = closer.end()
        elif kind == "under":
            prev_end = m.start()  # the "\n" that ends the line above
            if prev_end == 0 or prev_end == special_end:
                continue
            prev_start = s.rfind("\n", 0, prev_end) + 1
            prev = s[prev_start:prev_end]
            if (
                not prev.strip()
                or prev.startswith(("    ", "\t", " \t", "  \t", "   \t"))
                or _NOT_SETEXT_TEXT.match(prev)
            ):
                continue
            line_no += s.count("\n", line_pos, prev_start)
            line_pos = prev_start
            level = 1 if m.group("under")[0] == "=" else 2
            found.append((prev_start, end + 1, level, prev.strip(), line_no))
            special_end = end
        else:  # an HTML comment: headings inside it are not headings
            if not comments_close or "-->" in s[m.end("comment") : end]:
                continue
            close = s.find("-->", end)
            if close < 0:
                comments_close = False
                continue
            pos = special_end = s.find("\n", close)
    return found


def _body(s: str, start: int, end: int) -> tuple[str, int]:
    """``s[start:end]`` without leading and trailing blank lines (slicing once: this runs
    over the whole brief), and how many leading lines went."""
    blank = _LEADING_BLANK_LINES.match(s, start, end)
    if blank is None:
        return s[start:end].rstrip(), 0
    return s[blank.end() : end].rstrip(), s.count("\n", start, blank.end())


# Heading text -> plain title. Code spans are cut out first: nothing inside them is syntax.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ATTR = r"(?:[#.][^\s{}]+|[\w-]+=[^\s{}]+)"
_ATTR_LIST = re.compile(rf"[ \t]*\{{:?[ \t]*({_ATTR}(?:[ \t]+{_ATTR})*)[ \t]*\}}[ \t]*$")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_INLINE_SUBS = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote reference
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\][ ]?\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>"), r"\1"),  # <autolink>
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),  # raw HTML tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),  # emphasis
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # emphasis, not intraword
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
)
_PLAIN_ID = re.compile(r"[^\W_][\w-]*")
_MARKUP_CHAR = re.compile(r"[\\`*_\[\]<>&{}~!]")
_PARKED = 0xE000  # escaped punctuation waits in the Private Use Area while markup goes


def _clean_heading(raw: str) -> tuple[str, str | None]:
    """(title without inline Markdown, the explicit id of a trailing {#id}, if any)."""
    if len(raw) > _MAX_MARKUP_HEADING or not _MARKUP_CHAR.search(raw):
        return " ".join(raw.split()), None  # most headings: nothing to strip
    explicit_id = None
    attrs = _ATTR_LIST.search(raw)
    if attrs:
        raw = raw[: attrs.start()]
        ids = [a[1:] for a in attrs.group(1).split() if a.startswith("#")]
        if ids:  # kept as written, so that [links](#Custom_Id) find it
            explicit_id = ids[-1] if _PLAIN_ID.fullmatch(ids[-1]) else slugify(ids[-1]) or None
    parts = []
    last = 0
    for code in _CODE_SPAN.finditer(raw):
        parts.append(_strip_inline(raw[last : code.start()]))
        content = code.group(2)
        if len(content) > 2 and content.startswith(" ") and content.endswith(" "):
            content = content[1:-1]
        parts.append(content)
        last = code.end()
    parts.append(_strip_inline(raw[last:]))
    return " ".join("".join(parts).split()), explicit_id


def _strip_inline(text: str) -> str:
    if not text:
        return text
    text = _ESCAPED.sub(lambda m: chr(_PARKED + ord(m.group(1))), text)
    for pattern, repl in _INLINE_SUBS:
        text = pattern.sub(repl, text)
    text = html.unescape(text)
    return "".join(chr(ord(c) - _PARKED) if _PARKED <= ord(c) < _PARKED + 128 else c for c in text)
