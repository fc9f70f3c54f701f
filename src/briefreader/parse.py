"""File -> Brief: read a brief from disk and find the sections a reader sees.

Markdown briefs: YAML front matter, ATX and setext headings (CommonMark rules), found in
one linear scan of the text. Nothing is rendered here; ``render`` formats one section
at a time.

Plain-text briefs: the title line, then every short standalone line that is followed by
body text is a heading (numbered, ALL-CAPS or plain); hard-wrapped lines are joined into
paragraphs and web boilerplate at the end ("Leave a Comment") is dropped.

Every Brief returned here has at least one section.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import html
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify_unicode

from briefreader.brief import LEAD_ID, Brief, Section
from briefreader.errors import BriefreaderError

MAX_BYTES = 50 * 1024 * 1024
BRIEF_SUFFIXES = (".md", ".markdown", ".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class BriefError(BriefreaderError):
    """Base of every error raised while importing a brief."""


class UnreadableFileError(BriefError):
    """Missing, a folder, not permitted, or not a regular file (FIFO, device)."""


class EmptyFileError(BriefError):
    """No bytes, or nothing but white space."""


class BinaryFileError(BriefError):
    """NUL bytes, a known binary format, or mostly control characters."""


class TooLargeError(BriefError):
    """Larger than the ``max_bytes`` the caller allows."""


class EncodingError(BriefError):
    """The bytes are not valid in the encoding asked for (UTF-8 by default)."""

    def __init__(self, message: str, *, offset: int, suggested_encoding: str | None = None):
        super().__init__(message)
        self.offset = offset
        """Byte offset in the file of the first byte that does not decode."""
        self.suggested_encoding = suggested_encoding
        """A codec that decodes the whole file ("cp1252", else "latin-1"), or None."""


# ---------------------------------------------------------------------------
# Files -> text
# ---------------------------------------------------------------------------


def load_brief(
    path: str | os.PathLike[str], *, encoding: str | None = None, max_bytes: int = MAX_BYTES
) -> Brief:
    """Read and parse the brief at ``path``; every failure is a BriefError subclass."""
    p = Path(path)
    data = _read_bytes(p, max_bytes)
    try:
        resolved = p.resolve()
    except OSError:
        resolved = p.absolute()
    return parse_bytes(data, name=p.name, path=resolved, encoding=encoding)


def _read_bytes(p: Path, max_bytes: int) -> bytes:
    try:
        st = os.stat(p)
        _check_regular(p, st.st_mode)
        if st.st_size > max_bytes:
            raise _too_large(p.name, st.st_size, max_bytes)
        # O_NONBLOCK: should the path become a FIFO between stat() and open(), open()
        # returns at once and the fstat() check refuses it instead of hanging.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(p, flags), "rb") as f:
            _check_regular(p, os.fstat(f.fileno()).st_mode)
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise UnreadableFileError(f"{p} does not exist") from None
    except PermissionError:
        raise UnreadableFileError(f"{p} cannot be read: permission denied") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{p} is a folder, not a brief") from None
    except OSError as exc:
        raise UnreadableFileError(f"{p} cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew after stat()
        raise _too_large(p.name, len(data), max_bytes)
    return data


def _check_regular(p: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise UnreadableFileError(f"{p} is a folder, not a brief")
    if not stat.S_ISREG(mode):
        raise UnreadableFileError(f"{p} is not a regular file (a device, pipe or socket)")


def _too_large(name: str, size: int, limit: int) -> TooLargeError:
    return TooLargeError(
        f"{name} is too large to open ({_size(size)}; the limit is {_size(limit)})"
    )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Office document (.docx, .xlsx, .odt)"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document (.doc, .xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)
# C0 controls other than tab, LF, VT, FF, CR and ESC, plus DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "iso8859-1": "Latin-1"}


def parse_bytes(
    data: bytes, *, name: str, path: Path | None = None, encoding: str | None = None
) -> Brief:
    """Decode ``data`` and parse it as Markdown (.md, .markdown) or plain text (any other
    name). ``encoding=None``: UTF-8, a BOM dropped (a UTF-16 BOM is honoured too)."""
    if not data:
        raise EmptyFileError(f"{name} is empty")
    codec = _codec_for(data, encoding)
    _reject_binary(data, name, codec)
    text = _decode(data, name, codec)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyFileError(f"{name} is empty (only blank lines)")
    content_hash = hashlib.sha256(data).hexdigest()
    if Path(name).suffix.lower() in MARKDOWN_SUFFIXES:
        return parse_markdown(text, name=name, content_hash=content_hash, path=path)
    return parse_text(text, name=name, content_hash=content_hash, path=path)


def _codec_for(data: bytes, encoding: str | None) -> str:
    if encoding is None:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        return "utf-8"
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise BriefError(f"{encoding!r} is not a text encoding this program knows") from None


def _reject_binary(data: bytes, name: str, codec: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise BinaryFileError(f"{name} is {what}, not a text brief")
    if codec.startswith(("utf-16", "utf-32")):
        return  # NUL bytes are normal there
    if b"\x00" in data:
        raise BinaryFileError(f"{name} is a binary file (it contains NUL bytes), not a text brief")
    head = data[:8192]
    if len(head) - len(head.translate(None, _CONTROL_BYTES)) > len(head) // 10:
        raise BinaryFileError(f"{name} looks like a binary file, not a text brief")


def _decode(data: bytes, name: str, codec: str) -> str:
    skip = len(codecs.BOM_UTF8) if codec == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = (data[skip:] if skip else data).decode(codec)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        label = _ENCODING_LABELS.get(codec, codec)
        message = f"{name} is not valid {label} (byte 0x{data[offset]:02X} at offset {offset})"
        suggestion = next(
            (
                c
                for c in ("cp1252", "latin-1")
                if codecs.lookup(c).name != codec and _decodes(data, c)
            ),
            None,
        )
        if suggestion:
            message += f"; open it as {_ENCODING_LABELS[codecs.lookup(suggestion).name]} instead?"
        raise EncodingError(message, offset=offset, suggested_encoding=suggestion) from None
    return text[1:] if text.startswith("\ufeff") else text


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def find_briefs(folder: str | os.PathLike[str]) -> list[Path]:
    """The brief files directly inside ``folder`` (hidden files skipped), sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise UnreadableFileError(f"{root} is not a folder")
    try:
        entries = list(root.iterdir())
    except OSError as exc:
        raise UnreadableFileError(f"{root} cannot be read: {exc.strerror or exc}") from None
    found = [
        p
        for p in entries
        if not p.name.startswith(".") and p.suffix.lower() in BRIEF_SUFFIXES and p.is_file()
    ]
    return sorted(found, key=lambda p: (p.name.casefold(), p.name))


# ---------------------------------------------------------------------------
# Shared: ids, titles, assembling sections
# ---------------------------------------------------------------------------


def slugify(text: str) -> str:
    """URL-style slug ("Key Findings" -> "key-findings"), Unicode letters kept.

    Leading "_" and "-" are dropped, so no slug can equal LEAD_ID."""
    if _PLAIN_WORDS.fullmatch(text):
        return "-".join(text.split()).lower()  # what slugify_unicode gives, faster
    return slugify_unicode(text, "-").lstrip("_-")


_PLAIN_WORDS = re.compile(r"[A-Za-z0-9 ]*[A-Za-z0-9][A-Za-z0-9 ]*")


@dataclass
class _Heading:
    title: str
    level: int
    source: str
    line: int
    slug: str | None = None
    """An explicit id ({#id} in Markdown); otherwise the title's slug is used."""


def _assemble(
    *,
    title: str,
    lead: tuple[str, int] | None,
    headings: list[_Heading],
    fmt: str,
    content_hash: str,
    path: Path | None,
    doc_id: str | None = None,
    date: str | None = None,
    metadata: dict | None = None,
) -> Brief:
    sections: list[Section] = []
    if lead is not None or not headings:
        source, line = lead if lead is not None else ("", 1)
        sections.append(Section(LEAD_ID, title, 0, None, 0, source, line))
    used = {LEAD_ID}
    next_suffix: dict[str, int] = {}
    stack: list[tuple[int, str]] = []  # (level, id) of the open ancestors
    for h in headings:
        base = h.slug or slugify(h.title) or "section"
        section_id = base
        if section_id in used:
            n = next_suffix.get(base, 2)
            while f"{base}-{n}" in used:
                n += 1
            next_suffix[base] = n + 1
            section_id = f"{base}-{n}"
        used.add(section_id)
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((h.level, section_id))
        sections.append(
            Section(section_id, h.title, h.level, parent, len(sections), h.source, h.line)
        )
    return Brief(
        title=title,
        sections=tuple(sections),
        format=fmt,  # type: ignore[arg-type]
        content_hash=content_hash,
        path=path,
        doc_id=doc_id,
        date=date,
        metadata=metadata or {},
    )


def _title_from_name(name: str) -> str:
    p = Path(name)
    stem = p.stem if p.suffix.lower() in BRIEF_SUFFIXES else p.name
    return " ".join(re.sub(r"[-_]+", " ", stem).split()) or name


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------

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

    source, skipped = _body(s, 1, found[0][0] if found else len(s))
    lead = (source, first_line + skipped) if source and not _RULES_ONLY.fullmatch(source) else None

    title = _meta_str(front.get("title"))
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


# ---------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------
#
# Levels: a numbered heading's level is the depth of its number ("2.3" -> 2; Roman
# "IV." -> 1). ALL-CAPS headings are level 1. Other headings are level 1, or level 2
# when the brief also has ALL-CAPS headings (which then head them); numbered headings
# likewise move down one level under ALL-CAPS ones. Underlined headings ("=====" or
# "-----" on the line below) are level 1 / 2.

_LONG_LINE = 100  # a line longer than this was not hard-wrapped
_MAX_HEADING_CHARS = 100
_MAX_HEADING_WORDS = 12
_MAX_TITLE_CHARS = 150
_MAX_TITLE_WORDS = 25

# _ITEM starts a row of its own in a paragraph; _BULLET is never a heading ("1. Scope" is).
_ITEM = re.compile(r"\s*(?:[-*•‣◦▪▸►–+](?:\s+|$)|\(?\d{1,3}[.)]\s+|\(?[a-zA-Z][.)]\s+)")
_BULLET = re.compile(r"\s*(?:[-*•‣◦▪▸►–+](?:\s+|$)|\(?\d{1,3}\)\s+|\(?[a-zA-Z]\)\s+)")
_NUMBERED = re.compile(
    r"(?P<num>\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.|(?=[IVX]+\.)X{0,3}(?:IX|IV|V?I{0,3})\.)"
    r"\s+(?P<text>\S.*)$"
)
_RULE = re.compile(r"([=\-~*_#+.·•])(?:[ \t]*\1){2,}[ \t]*$")
_LETTER = re.compile(r"[^\W\d_]")
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
# Page furniture dropped wherever it stands.
_NOISE = re.compile(r"advertisement|sponsored content|skip to (?:main )?content|back to top", re.I)
_COOKIE_NOTICE = re.compile(
    r"\b(?:we|this (?:web)?site) uses? cookies\b|\bcookie (?:policy|settings|preferences|consent)\b"
    r"|\baccept (?:all )?cookies\b",
    re.I,
)


@dataclass(frozen=True)
class _HeadingLike:
    style: str  # "numbered", "caps", "plain" or "underline"
    depth: int  # numbered: depth of the number; underline: 1 for "=", 2 otherwise


@dataclass
class _Block:
    rows: list[str]
    """The paragraph, one row per line break the source keeps (bullets, short lines)."""
    line: int
    heading: _HeadingLike | None = None
    """Set when the block is one standalone line that looks like a heading."""
    single_line: bool = False
    is_heading: bool = False


def parse_text(text: str, *, name: str, content_hash: str, path: Path | None = None) -> Brief:
    lines = [ln.rstrip() for ln in text.replace("\f", "\n").split("\n")]
    blocks = _text_blocks(lines)

    title = None
    if blocks and blocks[0].single_line and _title_like(blocks[0].rows[0]):
        title = blocks.pop(0).rows[0]
        if blocks and blocks[0].single_line and _same(blocks[0].rows[0], title):
            blocks.pop(0)  # a web page's title repeated as its first heading

    # Boilerplate at the end goes, and so do heading-like lines with no body after them,
    # unless the brief has no body text at all (then those lines are its text).
    last_body = next(
        (
            i
            for i in range(len(blocks) - 1, -1, -1)
            if blocks[i].heading is None and not _is_trailing_boilerplate(blocks[i])
        ),
        len(blocks),
    )
    while blocks and (
        _is_trailing_boilerplate(blocks[-1])
        or (blocks[-1].heading is not None and len(blocks) - 1 > last_body)
    ):
        blocks.pop()

    level = _level_rule([b.heading for b in blocks if b.heading])
    # A heading-like line is a heading when body text follows it, or when it heads the
    # deeper heading that follows it. A run of them at one level (a contents list, an
    # address) is body text.
    for b, nxt in zip(reversed(blocks[:-1]), reversed(blocks[1:]), strict=True):
        if b.heading is not None:
            b.is_heading = nxt.heading is None or (
                nxt.is_heading and level(b.heading) < level(nxt.heading)
            )

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


def _join(blocks: list[_Block]) -> str:
    return "\n\n".join("\n".join(b.rows) for b in blocks)


def _is_trailing_boilerplate(b: _Block) -> bool:
    text = "\n".join(b.rows)
    return (len(text) < 400 and _is_boilerplate(b.rows[0])) or bool(_COOKIE_NOTICE.search(text))


def _text_blocks(lines: list[str]) -> list[_Block]:
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
                blocks.append(_Block([s.strip()], n, _HeadingLike("underline", underline), True))
            elif unwrapped:
                blocks.extend(_unwrapped_blocks(piece))
            else:
                blocks.extend(_wrapped_blocks(piece, width))
        chunk = []
    return blocks


def _split_rules(chunk: list[tuple[int, str]]) -> list[tuple[list[tuple[int, str]], int]]:
    """Split a chunk at rule lines ("-----", "* * *"). A heading-like line directly above
    a rule is an underlined heading, returned alone with level 1 ("=") or 2 (other)."""
    pieces: list[tuple[list[tuple[int, str]], int]] = []
    current: list[tuple[int, str]] = []
    for n, line in chunk:
        rule = _RULE.match(line.strip())
        if not rule:
            current.append((n, line))
            continue
        if current and _heading_like(current[-1][1].strip()):
            last = current.pop()
            if current:
                pieces.append((current, 0))
            pieces.append(([last], 1 if rule.group(1) == "=" else 2))
        elif current:
            pieces.append((current, 0))
        current = []
    if current:
        pieces.append((current, 0))
    return pieces


def _wrapped_blocks(piece: list[tuple[int, str]], width: int) -> list[_Block]:
    n0, first = piece[0]
    if len(piece) == 1:
        s = first.strip()
        return [_Block([s], n0, _heading_like(s), True)]
    out = []
    # "1. PURPOSE" or "BACKGROUND" directly above its paragraph, no blank line between
    lead = _heading_like(first.strip())
    if (
        lead is not None
        and lead.style in ("numbered", "caps")
        and not _wrapped(first, piece[1][1], width)
        and (lead.style == "caps" or not _ITEM.match(piece[1][1]))
    ):
        out.append(_Block([first.strip()], n0, lead, True))
        piece = piece[1:]
    out.append(_Block(_rows(piece, width), piece[0][0], None, len(piece) == 1))
    return out


def _unwrapped_blocks(piece: list[tuple[int, str]]) -> list[_Block]:
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
        if all(k or _is_meta_line(ln.strip()) for k, (_, ln) in zip(kinds, run, strict=True)):
            out.extend(
                _Block([ln.strip()], m, k, True) for (m, ln), k in zip(run, kinds, strict=True)
            )
        else:
            out.append(_Block(_rows(run, None), n, None, len(run) == 1))
        i = j
    return out


def _rows(piece: list[tuple[int, str]], width: int | None) -> list[str]:
    """The piece's text, one row per line break worth keeping: a line joins the one above
    when that one was wrapped; bullets always start a row. ``width=None``: never wrapped."""
    rows: list[str] = []
    in_item = False
    previous = ""
    for _, line in piece:
        s = line.strip()
        if _ITEM.match(line):
            rows.append(s)
            in_item = True
        elif rows and (
            (width is not None and _wrapped(previous, s, width)) or (in_item and line[:1].isspace())
        ):
            rows[-1] += " " + s
        else:
            rows.append(s)
            in_item = False
        previous = line
    return rows


def _wrapped(line: str, following: str, width: int) -> bool:
    """Whether ``line`` ended by wrapping: the first word of the next line would not have
    fitted on it."""
    words = following.split(None, 1)
    return len(line) + 1 + (len(words[0]) if words else 0) > width


def _heading_like(s: str) -> _HeadingLike | None:
    """Whether the stripped line ``s`` could be a heading, and in which style."""
    if not s or len(s) > _MAX_HEADING_CHARS or not _LETTER.search(s):
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
        return _HeadingLike("numbered", numbered.group("num").rstrip(".").count(".") + 1)
    if _starts_lower(s) or len(s.split()) > _MAX_HEADING_WORDS:
        return None
    if s.rstrip(_CLOSERS)[-1:] in _SENTENCE_END:
        return None
    if s.isupper() and sum(c.isupper() for c in s) >= 4:  # every cased letter upper
        return _HeadingLike("caps", 1)
    return _HeadingLike("plain", 1)


def _title_like(s: str) -> bool:
    if not s or len(s) > _MAX_TITLE_CHARS or len(s.split()) > _MAX_TITLE_WORDS:
        return False
    if not _LETTER.search(s) or _starts_lower(s):
        return False
    if _ITEM.match(s) or _NUMBERED.match(s) or _is_meta_line(s):
        return False
    return s.rstrip(_CLOSERS)[-1:] not in ".:;,…"


def _is_meta_line(s: str) -> bool:
    """Boilerplate, a URL or e-mail address, a date, a dateline or a byline."""
    return bool(
        _is_boilerplate(s)
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


def _level_rule(found: list[_HeadingLike]):
    """The level of each heading style, given all the heading-like lines of a brief."""
    has_caps = any(h.style == "caps" for h in found)

    def level(h: _HeadingLike) -> int:
        if h.style == "underline":
            return h.depth
        if h.style == "caps":
            return 1
        if h.style == "numbered":
            return min(6, h.depth + has_caps)
        return 2 if has_caps else 1

    return level
