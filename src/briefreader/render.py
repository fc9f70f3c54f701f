"""Section → sanitised HTML for the reader, and the plain text that notes anchor to.

Pure functions, no Qt. Python-Markdown passes raw HTML and dangerous links straight
through, so every fragment goes through nh3 with an explicit allow-list and then a
depth cap (Qt's layout is exponential in nested tables). Markdown itself runs in a
time-boxed worker thread (``timebox``), after the source has been defused of the inputs
known to make it quadratic or recursive; anything that still goes wrong is shown as
escaped plain text with a notice instead of freezing the window.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import logging
import re
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from importlib import metadata
from importlib import resources as _resources
from itertools import groupby
from pathlib import Path
from typing import NamedTuple, Protocol

import markdown
import nh3
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from briefreader import footnotes
from briefreader.brief import Brief, Section, normalise_text
from briefreader.footnotes import effective_source
from briefreader.timebox import _CancellableThread, run_time_boxed

log = logging.getLogger(__name__)

NOTICE_SLOW = "This section is shown as plain text: it took too long to format."
NOTICE_DEEP = "This section is shown as plain text: it is nested too deeply to format."
NOTICE_ERROR = "This section is shown as plain text: it could not be formatted."
NOTICE_LARGE = "This section is shown as plain text: it is too long to format."

#: Sources above this size go straight to plain text: Markdown runs at ~1.5 MB/s, so
#: they could not finish inside the usual time box anyway.
MAX_MARKDOWN_CHARS = 1_000_000
#: Seconds a section's Markdown may take to render before it is shown as text.
RENDER_TIME_LIMIT = 2.0

# ---------------------------------------------------------------------------
# Sanitising policy
# ---------------------------------------------------------------------------

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark",
    "code", "kbd", "samp", "var", "pre", "blockquote", "q", "cite", "dfn", "abbr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "span", "div",
}  # fmt: skip

_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title", "name", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "div": {"class"},
    "code": {"class"},
}

# Structural tags Qt does not know (or that we do not style) but that separate blocks:
# allowed through nh3 bare, then renamed to <div> so their text does not run together.
_BLOCK_ALIASES = {
    "section", "article", "header", "footer", "aside", "nav", "main", "center",
    "figure", "figcaption", "address", "details", "summary", "hgroup",
}  # fmt: skip

# Removed together with their content: their text is never meant to be read.
_CLEAN_CONTENT_TAGS = {
    "script", "style", "template", "iframe", "object", "embed", "noscript",
    "textarea", "select", "title", "svg", "math", "frameset", "noembed", "noframes",
}  # fmt: skip

_URL_SCHEMES = {"http", "https", "mailto"}

# Qt takes any anchor name; footnote ids carry the section slug (maybe non-ASCII)
# and the author's label (maybe with spaces), so only control characters are refused.
_ID_RE = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_CLASSES = {
    ("a", "footnote-ref"),
    ("a", "footnote-backref"),
    ("div", "footnote"),
}
_CODE_CLASS_RE = re.compile(r"language-[A-Za-z0-9_+\-#.]{1,40}")
_ALIGN = {"left", "right", "center"}
# Qt allocates the scaled image and lays out every spanned cell: keep sizes sane.
_MAX_IMAGE_SIDE = 2000
_MAX_SPAN = 50


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "id" or attr == "name":
        return value if _ID_RE.fullmatch(value) else None
    if attr == "class":
        if tag == "code":
            return value if _CODE_CLASS_RE.fullmatch(value) else None
        return value if (tag, value) in _CLASSES else None
    if attr in ("width", "height"):
        return value if value.isdigit() and 0 < int(value) <= _MAX_IMAGE_SIDE else None
    if attr in ("colspan", "rowspan"):
        return value if value.isdigit() and 0 < int(value) <= _MAX_SPAN else None
    if attr == "start":
        return value if value.isdigit() and len(value) <= 9 else None
    if attr == "align":
        return value.lower() if value.lower() in _ALIGN else None
    return value


def _nh3_clean(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=_TAGS | _BLOCK_ALIASES,
        clean_content_tags=_CLEAN_CONTENT_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel=None,
        url_schemes=_URL_SCHEMES,
    )


# ---------------------------------------------------------------------------
# Depth cap: a pass over sanitised (hence well-formed) HTML
# ---------------------------------------------------------------------------

_VOID = {"br", "hr", "img"}
_LIST = {"ul", "ol", "dl"}
_TABLE_PARTS = {"caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
MAX_LIST_DEPTH = 8
MAX_QUOTE_DEPTH = 8
MAX_DIV_DEPTH = 8
MAX_TABLE_DEPTH = 2
#: Any element deeper than this keeps its text but loses its tag.
MAX_ELEMENT_DEPTH = 40


class _DepthCapper(HTMLParser):
    """Re-serialises HTML, dropping the tags (never the text) of too-deep structures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        # (tag, kept) for every open element, so an end tag knows whether to print
        self.stack: list[tuple[str, bool]] = []
        self.depth = {"list": 0, "quote": 0, "div": 0, "table": 0}
        # Qt runs text that follows </div> into the div's last line ("<div>a</div>b"
        # shows "ab"), so such text gets a <br> first
        self.after_div = False

    def _kind(self, tag: str) -> str | None:
        if tag in _LIST:
            return "list"
        if tag == "blockquote":
            return "quote"
        if tag == "div":
            return "div"
        if tag == "table":
            return "table"
        return None

    def _limit(self, kind: str) -> int:
        return {
            "list": MAX_LIST_DEPTH,
            "quote": MAX_QUOTE_DEPTH,
            "div": MAX_DIV_DEPTH,
            "table": MAX_TABLE_DEPTH,
        }[kind]

    def _in_dropped_table(self) -> bool:
        for tag, kept in reversed(self.stack):
            if tag == "table":
                return not kept
        return False

    def _in_dropped_list(self) -> bool:
        for tag, kept in reversed(self.stack):
            if tag in _LIST:
                return not kept
        return False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_ALIASES:
            tag, attrs = "div", []
        if self.after_div:
            self.after_div = False
            if tag not in _BLOCKS:
                self.out.append("<br>")
        text = _start_tag(tag, attrs)
        if tag in _VOID:
            # html.parser reports <br> without an end tag; keep it unless far too deep
            if len(self.stack) < MAX_ELEMENT_DEPTH or tag == "br":
                self.out.append(text)
            return
        kind = self._kind(tag)
        kept = len(self.stack) < MAX_ELEMENT_DEPTH
        if kind is not None:
            self.depth[kind] += 1
            kept = kept and self.depth[kind] <= self._limit(kind)
        elif (tag in _TABLE_PARTS and self._in_dropped_table()) or (
            tag in ("li", "dt", "dd") and self._in_dropped_list()
        ):
            kept = False
        if kept:
            self.out.append(text)
        elif tag in ("tr", "li", "dt", "dd", "caption"):
            # keep the flattened items apart, as the reader would show them
            self.out.append("<br>")
        elif tag in ("td", "th"):
            self.out.append(" ")
        self.stack.append((tag, kept))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_ALIASES:
            tag = "div"
        if tag in _VOID:
            return
        # sanitised HTML is well-formed, but never trust a stray end tag
        if not self.stack or self.stack[-1][0] != tag:
            return
        _, kept = self.stack.pop()
        kind = self._kind(tag)
        if kind is not None:
            self.depth[kind] -= 1
        if kept:
            self.out.append(f"</{tag}>")
            self.after_div = tag == "div"

    def handle_data(self, data: str) -> None:
        if self.after_div and data.strip():
            self.after_div = False
            self.out.append("<br>")
        self.out.append(html.escape(data, quote=False))


def _start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    parts = [tag]
    for name, value in attrs:
        parts.append(f'{name}="{html.escape(value or "", quote=True)}"')
    return "<" + " ".join(parts) + ">"


def _cap_depth(fragment: str) -> str:
    capper = _DepthCapper()
    capper.feed(fragment)
    capper.close()
    return "".join(capper.out)


def sanitise_html(html_text: str) -> str:
    """Clean any HTML fragment for the reader: allow-listed tags and attributes only,
    http/https/mailto/fragment links, no scripts, styles or event handlers, and
    nesting capped to what Qt can lay out quickly."""
    return _cap_depth(_nh3_clean(html_text))


# ---------------------------------------------------------------------------
# Plain text as the reader shows it
# ---------------------------------------------------------------------------

_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "blockquote", "pre",
    "hr", "br",
}  # fmt: skip


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text_of_html(html_text: str) -> str:
    """Normalised text of an HTML fragment as a QTextDocument shows it: blocks
    separated by white space, no list bullets or numbers, nothing for images."""
    extractor = _TextExtractor()
    extractor.feed(html_text)
    extractor.close()
    # Qt shows an object-replacement character for images; it is never text
    return normalise_text("".join(extractor.parts).replace("\ufffc", ""))


# ---------------------------------------------------------------------------
# Defusing Markdown source
# ---------------------------------------------------------------------------

_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
# an ATX heading, or a setext underline / rule: each ends its block anyway
_HEADING_LINE_RE = re.compile(r"^(?:#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$)")
_BACKTICK_RUN_RE = re.compile(r"`+")
_QUOTE_PREFIX_RE = re.compile(r"^(?: {0,3}> ?)+")
_BLANK_RE = re.compile(r"\n[ \t]*\n")
#: Four spaces per list level: this allows MAX_LIST_DEPTH levels and their code blocks.
MAX_INDENT = 4 * (MAX_LIST_DEPTH + 1)
#: More unmatched openers than this in one paragraph get escaped. Real prose has a
#: handful; each one costs Python-Markdown a scan to the end of the paragraph.
MAX_UNMATCHED = 16
#: A paragraph with more backtick runs than this loses its code spans (shown literally).
MAX_BACKTICK_RUNS = 128


def _cap_indent(text: str) -> str:
    stripped = text.lstrip(" \t")
    if len(stripped) < len(text):
        indent = len(text[: len(text) - len(stripped)].expandtabs(4))
        if indent > MAX_INDENT:
            return " " * MAX_INDENT + stripped
    return text


def _cap_line(line: str) -> str:
    match = _QUOTE_PREFIX_RE.match(line)
    if not match:
        return _cap_indent(line)
    prefix = match.group(0)
    if prefix.count(">") > MAX_QUOTE_DEPTH:
        prefix = "> " * MAX_QUOTE_DEPTH
    # inside a quote the rest is parsed again as blocks, nested lists included
    return prefix + _cap_indent(line[match.end() :])


def _escape_unmatched(text: str, opener: str, closer: str) -> str:
    """Backslash-escape openers that have no closer when there are too many of them."""
    stack: list[int] = []  # positions of openers not yet closed
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == opener:
            stack.append(i)
        elif c == closer and stack:
            stack.pop()
        i += 1
    if len(stack) <= MAX_UNMATCHED:
        return text
    out: list[str] = []
    last = 0
    for pos in stack:
        out.append(text[last:pos])
        out.append("\\" + opener if opener != "<" else "&lt;")
        last = pos + 1
    out.append(text[last:])
    return "".join(out)


def _defuse_paragraph(text: str) -> str:
    if "`" in text and len(_BACKTICK_RUN_RE.findall(text)) > MAX_BACKTICK_RUNS:
        text = re.sub(r"\\?`", "\\`", text)
    if not any(c in text for c in "[(<"):
        return text
    text = _escape_unmatched(text, "[", "]")
    text = _escape_unmatched(text, "(", ")")
    return _escape_unmatched(text, "<", ">")


def _fence_closes(lines: list[str]) -> dict[str, list[int]]:
    """Line numbers of every bare fence line, by fence (closers are bare in Markdown)."""
    closes: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if match and not line[match.end() :].strip(" "):
            closes.setdefault(match.group(1), []).append(number)
    return closes


def defuse_markdown(source: str) -> str:
    """Bound the work Python-Markdown can do on hostile source.

    Caps list indentation and block-quote depth (deep nesting recurses until
    RecursionError); escapes long runs of unmatched ``[``, ``(`` and ``<`` and floods
    of backticks (each makes the inline parser rescan the paragraph: quadratic);
    unhooks fence openers that never close (the fence pattern rescans to the end
    for each); ends the block after each heading line (the block parser re-splits
    the rest of a block once per heading). Properly fenced code is left untouched.
    """
    lines = source.split("\n")
    closes = _fence_closes(lines)
    out: list[str] = []
    paragraph: list[str] = []
    close_at = -1  # line number of the fence that closes the open code block

    def flush() -> None:
        if paragraph:
            out.append(_defuse_paragraph("\n".join(paragraph)))
            paragraph.clear()

    for number, line in enumerate(lines):
        if number <= close_at:
            out.append(line)
            continue
        match = _FENCE_RE.match(line)
        if match:
            later = closes.get(match.group(1), [])
            index = bisect.bisect_right(later, number)
            if index < len(later):
                flush()
                close_at = later[index]
                out.append(line)
                continue
            line = " " + line  # a fence opener only at column 0
        if not line.strip():
            flush()
            out.append(line)
            continue
        line = _cap_line(line)
        paragraph.append(line)
        if _HEADING_LINE_RE.match(line):
            flush()
            out.append("")
    flush()
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Markdown in a time box
# ---------------------------------------------------------------------------


def _new_markdown(footnote_scope: str) -> markdown.Markdown:
    # Extension objects rather than names: names cost an entry-point scan per instance.
    return markdown.Markdown(
        extensions=[
            TableExtension(use_align_attribute=True),
            FencedCodeExtension(),
            # fn:<scope>:1 — ":" never occurs in a section slug, so no collisions
            FootnoteExtension(SEPARATOR=f":{footnote_scope}:"),
            AttrListExtension(),
            SaneListExtension(),
        ],
        output_format="html",
    )


_instances = threading.local()
_INSTANCES_KEPT = 8


def _markdown_to_html(source: str, footnote_scope: str) -> str:
    # Instances are not thread-safe: each thread keeps its own, a few footnote scopes'
    # worth, reset for each text (making one took longer than formatting a note). One
    # is kept only once it has finished: a cancel or an error mid-way drops it.
    kept: dict[str, markdown.Markdown] = _instances.__dict__.setdefault("kept", {})
    md = kept.pop(footnote_scope, None) or _new_markdown(footnote_scope)
    md.reset()
    html_out = md.convert(source)
    kept[footnote_scope] = md
    while len(kept) > _INSTANCES_KEPT:
        del kept[next(iter(kept))]
    return html_out


_WARM_UP = (
    "t[^1] *e* `c` [l](#x)\n\n| a |\n|---|\n| b |\n\n```py\nx\n```\n\n1. i\n{: #i }\n\n[^1]: n"
)
_warmed_up = False


def _warm_up() -> None:
    """Run Markdown once in the calling thread, so its first-use imports and caches
    are never interrupted by a cancel (a half-done import stays broken)."""
    global _warmed_up
    if not _warmed_up:
        sanitise_html(_markdown_to_html(_WARM_UP, "warm-up"))
        _warmed_up = True


def _formatter(source: str, footnote_scope: str) -> Callable[[_CancellableThread], str]:
    """The work of formatting one Markdown source, on a time-boxed worker.

    Cancelling is allowed only inside Markdown (pure Python, state thrown away),
    never in nh3: an exception raised inside its Rust callbacks is swallowed.
    """

    def work(worker: _CancellableThread) -> str:
        defused = defuse_markdown(source)
        worker.enter_cancellable()
        try:
            raw = _markdown_to_html(defused, footnote_scope)
        except Exception:  # RecursionError included (a cancel is not an Exception)
            worker.leave_cancellable()
            raise
        worker.leave_cancellable()
        return sanitise_html(raw)

    return work


def _time_boxed(source: str, footnote_scope: str, time_limit: float) -> tuple[str | None, str]:
    """Format in a worker thread; returns (html, "") or (None, notice)."""
    _warm_up()
    finished, html, error = run_time_boxed(_formatter(source, footnote_scope), time_limit,
                                           "briefreader-render")
    if not finished:
        return None, NOTICE_SLOW
    if isinstance(error, RecursionError):
        return None, NOTICE_DEEP
    if error is not None:
        log.warning("could not format Markdown", exc_info=error)
        return None, NOTICE_ERROR
    return html, ""


# ---------------------------------------------------------------------------
# Plain-text briefs and the fallback
# ---------------------------------------------------------------------------

_BULLET_RE = re.compile(r"^\s*(?:- |• |\* )")


def _text_to_html(text: str) -> str:
    """Escaped paragraphs; bullet lines ("- ", "• ", "* ") become a list."""
    blocks: list[str] = []
    for paragraph in _BLANK_RE.split(text.replace("\r\n", "\n").strip("\n")):
        lines = [ln for ln in paragraph.split("\n") if ln.strip()]
        for is_bullet, group in groupby(lines, key=lambda ln: bool(_BULLET_RE.match(ln))):
            if is_bullet:
                items = (_BULLET_RE.sub("", ln, count=1).strip() for ln in group)
                blocks.append(
                    "<ul>"
                    + "".join(f"<li>{html.escape(i, quote=False)}</li>" for i in items)
                    + "</ul>"
                )
            else:
                escaped = (html.escape(ln.strip(), quote=False) for ln in group)
                blocks.append("<p>" + "<br>".join(escaped) + "</p>")
    return "\n".join(blocks)


def _text_plain(text: str) -> str:
    """plain_text_of_html(_text_to_html(text)) without building and parsing HTML
    (ten times faster, which counts for multi-megabyte sections)."""
    lines = (_BULLET_RE.sub("", ln, count=1) for ln in text.split("\n"))
    # As plain_text_of_html does: an object character is not text the reader shows.
    return normalise_text(" ".join(lines).replace("\ufffc", ""))


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedSection:
    """A section ready for the reader.

    A QTextDocument built from ``html`` reads (U+FFFC removed, normalised) as
    ``normalise_text(section.title + " " + plain_text)``: the heading comes first.
    """

    html: str
    """Sanitised HTML fragment: the section heading then the body."""
    plain_text: str
    """normalise_text() of the body as the reader shows it (heading excluded)."""
    fallback: bool
    """True when the body is shown as escaped plain text."""
    notice: str | None
    """Why the body is shown as plain text, for the user; None otherwise."""
    seconds: float = 0.0
    """How long the body took to render."""


class _Heading(NamedTuple):
    """What of a section its rendering shows besides the text."""

    id: str
    title: str
    level: int


def _heading_html(section: _Heading) -> str:
    if not section.title:
        return ""
    level = min(max(section.level, 1), 6)
    return f'<h{level} id="{html.escape(section.id)}">{html.escape(section.title)}</h{level}>'


@lru_cache(maxsize=2048)
def _render_section(
    fmt: str, section: _Heading, source: str, time_limit: float
) -> RenderedSection:
    if fmt != "markdown":
        notice = None
    elif len(source) > MAX_MARKDOWN_CHARS:
        notice = NOTICE_LARGE
    else:
        started = time.perf_counter()
        body, notice = _time_boxed(source, section.id, time_limit)
        if body is not None:
            return RenderedSection(
                html=_heading_html(section) + "\n" + body,
                plain_text=plain_text_of_html(body),
                fallback=False,
                notice=None,
                seconds=time.perf_counter() - started,
            )
    return RenderedSection(
        html=_heading_html(section) + "\n" + _text_to_html(source),
        plain_text=_text_plain(source),
        fallback=notice is not None,
        notice=notice,
    )


# Sections being rendered now, each by one thread: the reader's background formatting,
# the notes' and the find bar's section texts may all want the same big brief at once,
# and each section is then rendered once, the others waiting for it.
_rendering: dict[tuple, threading.Event] = {}
_rendering_lock = threading.Lock()


def render_section(brief: Brief, section: Section, *,
                   time_limit: float = RENDER_TIME_LIMIT) -> RenderedSection:
    """The section as the reader shows it. Memoised (and rendered by one thread at a
    time); never raises for bad input and never takes much longer than ``time_limit``
    seconds."""
    # What the result depends on, and no more: a section a new version of the brief left
    # as it was (though it now comes later) is not rendered again.
    key = (brief.format, _Heading(section.id, section.title, section.level),
           effective_source(brief, section), time_limit)
    with _rendering_lock:
        busy = _rendering.get(key)
        if busy is None:
            _rendering[key] = done = threading.Event()
    if busy is not None:
        busy.wait()
        return _noted(brief, section, _render_section(*key))  # from the cache by now
    try:
        return _noted(brief, section, _render_section(*key))
    finally:
        with _rendering_lock:
            del _rendering[key]
        done.set()


# Text keys of the sections shown as plain text for lack of time in this session: what
# the reader shows of them is that text, so the notes read it too (not a text kept from
# a session in which they rendered in time).
_fell_back: set[str] = set()


def _noted(brief: Brief, section: Section, rendered: RenderedSection) -> RenderedSection:
    if rendered.fallback and rendered.notice != NOTICE_LARGE and brief.format == "markdown":
        _fell_back.add(text_key(brief, section))
    return rendered


def fallbacks() -> int:
    """How many sections were shown as plain text for lack of time in this session (it
    grows: texts taken before may then need taking again)."""
    return len(_fell_back)


def section_plain_text(brief: Brief, section: Section) -> str:
    return render_section(brief, section).plain_text


class TextStore(Protocol):
    """Where plain texts rendered before are kept (``store.TextCache``)."""

    def get_many(self, keys: Iterable[str]) -> dict[str, str]: ...

    def put_many(self, texts: dict[str, str]) -> None: ...


@lru_cache(maxsize=1)
def _renderer() -> str:
    """What a section's plain text depends on besides the section: this code and the
    libraries it calls, so that texts kept by another version are never taken."""
    digest = hashlib.sha256(f"{sys.version} {unicodedata.unidata_version}\n".encode())
    for dist in ("markdown", "nh3"):
        try:
            digest.update(f"{dist} {metadata.version(dist)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist} ?\n".encode())
    for module in (sys.modules[__name__], footnotes, sys.modules[Brief.__module__]):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


#: A section that took more than this share of the time limit to render is not kept: the
#: reader renders it again, and should that run out of time (a busy machine), it shows
#: the section as text, which the notes must then read too.
_KEEP_BELOW = 0.1


def _keepable(rendered: RenderedSection) -> bool:
    """Is this the section's text whatever the machine's load? Not when it is shown
    as text for lack of time, nor when it came close to that."""
    if rendered.fallback:
        return rendered.notice == NOTICE_LARGE  # (by size alone)
    return rendered.seconds < _KEEP_BELOW * RENDER_TIME_LIMIT


def text_key(brief: Brief, section: Section) -> str:
    """A key for ``section_plain_text(brief, section)``: equal keys, equal texts."""
    digest = hashlib.sha256(_renderer().encode())
    for part in (brief.format, section.id, effective_source(brief, section)):
        digest.update(b"\x00" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def plain_texts(
    brief: Brief,
    kept: TextStore | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[str] | None:
    """Every section's ``section_plain_text``, those ``kept`` from before taken from it
    and the others rendered (and kept); None when ``cancelled``."""
    keys = [text_key(brief, s) for s in brief.sections] if kept is not None else []
    found = kept.get_many(keys) if kept is not None else {}
    out: list[str] = []
    new: dict[str, str] = {}
    total = len(brief.sections)
    for i, section in enumerate(brief.sections):
        if cancelled is not None and cancelled():
            return None
        text = found.get(keys[i]) if keys and keys[i] not in _fell_back else None
        if text is None:
            rendered = render_section(brief, section)
            text = rendered.plain_text
            if keys and _keepable(rendered):
                new[keys[i]] = text
        out.append(text)
        if progress is not None:
            progress(i + 1, total)
    if kept is not None and new:
        kept.put_many(new)
    return out


def render_brief(brief: Brief) -> str:
    """Every section in reading order, as one fragment (for small briefs)."""
    return "\n".join(render_section(brief, s).html for s in brief.sections)


@lru_cache(maxsize=256)
def _render_fragment(markdown_text: str, time_limit: float) -> str:
    if len(markdown_text) > MAX_MARKDOWN_CHARS:
        return _text_to_html(markdown_text)
    body, _ = _time_boxed(markdown_text, "note", time_limit)
    return body if body is not None else _text_to_html(markdown_text)


def render_markdown_fragment(markdown_text: str, *, time_limit: float = 2.0) -> str:
    """A user's note or comment, Markdown → sanitised HTML, under the same limits. Most
    notes hold no Markdown at all: they are paragraphs of text, made at once (without a
    worker thread to watch the time, which 10,000 notes printed would each start)."""
    if not needs_markdown(markdown_text):
        return plain_to_html(markdown_text)
    return _render_fragment(markdown_text, time_limit)


# Anything Markdown could make more of than paragraphs of text.
_MARKDOWN_SYNTAX = re.compile(
    r"[\\`*_\[\]<>#!|~&{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|^[ \t]*(?:[-+>=]|\d+[.)])|^ {4}|\t|  $",
    re.M)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_LINE_ENDS = re.compile(r"\r\n?")


def needs_markdown(text: str) -> bool:
    """Whether Markdown would make ``text`` more than paragraphs of text."""
    return bool(_MARKDOWN_SYNTAX.search(_LINE_ENDS.sub("\n", text)))


def plain_to_html(text: str) -> str:
    """Paragraphs as Markdown makes them (a single newline is a space), escaped."""
    text = _LINE_ENDS.sub("\n", text)
    paragraphs = (p.strip("\n").lstrip() for p in _BLANK_LINES.split(text.strip()))
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)


def clear_cache() -> None:
    _render_section.cache_clear()
    _fell_back.clear()
    _render_fragment.cache_clear()
    footnotes.clear_cache()


@lru_cache(maxsize=2)
def stylesheet(dark: bool = False) -> str:
    """The reader's default style sheet for QTextDocument.setDefaultStyleSheet."""
    folder = _resources.files("briefreader") / "resources"
    css = (folder / "reader.css").read_text(encoding="utf-8")
    if dark:
        css += "\n" + (folder / "reader-dark.css").read_text(encoding="utf-8")
    return css
