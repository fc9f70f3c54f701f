"""Notes leave: Markdown and JSON export.

* Markdown is for people: the brief's own headings, each highlight as a block
  quote with its note, section comments threaded. Every piece of user text is
  escaped so that it reads back as the same text and can never become structure
  or live HTML. Each note carries its id (and a hash of the text as exported) in
  an HTML comment, so an edited export can be imported back.
* JSON is lossless and follows the W3C Web Annotation model; our own fields live
  under the ``br:`` prefix.

Reading these files back and merging them is :mod:`briefreader.importing`.

Pure Python: no Qt. Everything written goes through :func:`write_atomically`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from json.encoder import encode_basestring as _encode_json_str
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from briefreader import __version__, lineage
from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.records import (
    COLORS,
    DEFAULT_LABELS,
    Bookmark,
    Comment,
    Highlight,
    NotesChangedError,
    SaveError,
    SectionRecord,
    now_utc,
)

if TYPE_CHECKING:
    from briefreader.notes import NotesService

Format = Literal["md", "json"]

ORPHANS_HEADING = "Not found in this version of the brief"
NO_NOTES = "No notes on this brief."
COMMENTS_LABEL = "Section comments"
REPLY_WITHOUT_PARENT = "a reply to a comment not in this export"

_NS = "urn:briefreader:ns#"
_CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"br": _NS}]
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --------------------------------------------------------------------------- errors


class ExportError(BriefreaderError):
    """Notes cannot be exported as asked."""


class ExportExistsError(ExportError):
    """The target file exists and replacing it was not confirmed."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class NotesExport:
    """Everything an export of one brief needs, gathered once."""

    brief: Brief
    brief_key: str
    highlights: tuple[Highlight, ...]
    """Live highlights; their ``current_*`` fields place them in ``brief``."""
    comments: tuple[Comment, ...]
    deleted_highlights: tuple[Highlight, ...] = ()
    deleted_comments: tuple[Comment, ...] = ()
    labels: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_LABELS))
    """Colour → the user's label for it."""
    texts: Mapping[str, str] = field(default_factory=dict)
    """Highlight id → the text now at its place (absent when it is orphaned)."""
    sections: tuple[SectionRecord, ...] = ()
    """The brief's sections as the store knows them (kept in JSON for a later import)."""
    bookmarks: tuple[Bookmark, ...] = ()
    lineages: Mapping[str, str] = field(default_factory=dict)
    """Note id → the versions of its parts (lineage.py), for an import elsewhere to
    tell an edit made since from one made apart."""
    removed_bookmarks: tuple[tuple[str, str, str], ...] = ()
    """(id, section id, when) of each bookmark removed."""


@dataclass(frozen=True)
class Filters:
    colors: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    author: str | None = None

    @classmethod
    def of(
        cls,
        colors: Iterable[str] | None,
        tags: Iterable[str] | None,
        author: str | None,
    ) -> Filters:
        return cls(
            frozenset(colors) if colors else None,
            frozenset(tags) if tags else None,
            author or None,
        )

    def highlight(self, h: Highlight) -> bool:
        return (
            (self.colors is None or h.color in self.colors)
            and (self.tags is None or not self.tags.isdisjoint(h.tags))
            and (self.author is None or h.author == self.author)
        )

    def comment(self, c: Comment) -> bool:
        # Comments have neither colour nor tags: a colour or tag filter asks for highlights.
        if self.colors is not None or self.tags is not None:
            return False
        return self.author is None or c.author == self.author


def gather(service: NotesService, brief: Brief, *, sync: bool = True,
           share: bool = True) -> NotesExport:
    """Sync the brief (placing notes again if it changed) and collect its notes. With
    ``share`` (a JSON export, which takes them along) the versions of their parts are
    marked as gone from this machine (lineage.py); where they cannot be (the database
    busy with another program, a full disk, read-only), the export takes them along
    all the same and the store marks them before its next write
    (Store.exported_unmarked). Without ``share`` (a Markdown export, which has no
    versions) nothing is written. ``sync`` as for NotesService.listing."""
    for _ in range(5):  # again when a note changes while it is read (a window going on)
        listing = service.listing(brief, sync=sync)
        key = listing.brief.key
        store = service.store
        highlights = tuple(p.highlight for p in listing.highlights)
        deleted_h = tuple(store.highlights(key, trash=True))
        deleted_c = tuple(store.comments(key, trash=True))
        notes = (*highlights, *listing.comments, *deleted_h, *deleted_c)
        try:
            lineages = store.lineages(key, share=share, exported=notes)
        except NotesChangedError:
            continue
        except SaveError:  # (marked at the store's next write: exported_unmarked)
            lineages = store.lineages(key)
        break
    else:
        raise ExportError("the notes kept changing while they were exported; export again")
    if share:
        store.exported_unmarked({
            note_id: [lineage.bare(t) for t in line.split() if t.endswith(lineage.UNSHARED)]
            for note_id, line in lineages.items() if lineage.UNSHARED in line})
    return NotesExport(
        brief=brief,
        brief_key=key,
        highlights=highlights,
        comments=tuple(listing.comments),
        deleted_highlights=deleted_h,
        deleted_comments=deleted_c,
        labels={c.color: c.label for c in store.color_labels()},
        texts={p.highlight.id: p.text for p in listing.highlights if p.text is not None},
        sections=listing.brief.sections,
        bookmarks=tuple(store.bookmarks(key)),
        lineages=lineages,
        removed_bookmarks=tuple(store.removed_bookmarks(key)),
    )


def suggested_file_name(brief: Brief, fmt: Format = "md") -> str:
    """A safe file name for a brief's export, e.g. 'fisheries-readout-notes.md'."""
    stem = re.sub(r"[^\w]+", "-", brief.title.casefold()).strip("-_")[:80] or "brief"
    return f"{stem}-notes.{'json' if fmt == 'json' else 'md'}"


def _export_targets(
    briefs: Iterable[Brief], folder: Path, *, fmt: Format, force: bool
) -> list[tuple[Brief, Path]]:
    """Each brief with its file in ``folder`` (names made unique); raises
    :class:`ExportExistsError` for a file that exists, unless ``force``."""
    targets: list[tuple[Brief, Path]] = []
    used: set[str] = set()
    for brief in briefs:
        name = suggested_file_name(brief, fmt)
        stem, dot, ext = name.rpartition(".")
        n = 2
        while name in used:
            name, n = f"{stem}-{n}{dot}{ext}", n + 1
        used.add(name)
        target = folder / name
        if not force and target.exists():
            raise ExportExistsError(f"{target} already exists; confirm to replace it (--force)")
        targets.append((brief, target))
    return targets


@dataclass(frozen=True)
class FilesExport:
    """What :func:`export_brief_files` did."""

    folder: Path
    written: tuple[Path, ...] = ()
    """The export files, in the order of the briefs."""
    failed: tuple[tuple[Path, str], ...] = ()
    """(brief file, reason) of the briefs whose notes were not exported."""
    cancelled: bool = False
    """Stopped before every brief was exported."""


#: progress(stage, done, total): stage is "reading" (briefs read so far) or
#: "exporting" (export files written so far).
ExportProgress = Callable[[str, int, int], None]



def export_brief_files(
    service: NotesService,
    paths: Iterable[str | os.PathLike[str]],
    folder: Path,
    *,
    fmt: Format = "md",
    force: bool = False,
    progress: ExportProgress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> FilesExport:
    """Read every brief file of ``paths`` and export its notes into ``folder``, one
    file per brief (File → Export Notes of Every Brief…).

    A brief that cannot be read, or whose notes cannot be gathered, is reported in
    ``failed`` and the others are still exported. Every name is checked before
    anything is written: an existing file raises
    :class:`ExportExistsError` (unless ``force``) and leaves the folder as it was;
    a file that cannot be written raises :class:`ExportError`.
    """
    from briefreader.parse import LOAD_ERRORS, load_brief, load_error_reason

    folder = Path(folder)
    files = [Path(p) for p in paths]
    briefs: list[Brief] = []
    failed: list[tuple[Path, str]] = []

    def stopped() -> bool:
        return cancelled is not None and cancelled()

    for n, path in enumerate(files):
        if stopped():
            return FilesExport(folder, (), tuple(failed), cancelled=True)
        try:
            briefs.append(load_brief(path))
        except LOAD_ERRORS as exc:
            failed.append((path, load_error_reason(path, exc)))
        if progress is not None:
            progress("reading", n + 1, len(files))
    targets = _export_targets(briefs, folder, fmt=fmt, force=force)
    render = export_json if fmt == "json" else export_markdown
    written: list[Path] = []
    for n, (brief, target) in enumerate(targets):
        if stopped():
            return FilesExport(folder, tuple(written), tuple(failed), cancelled=True)
        try:
            text = render(gather(service, brief, share=fmt == "json"))
        except BriefreaderError as exc:
            failed.append((brief.path or target, str(exc)))
        else:
            write_atomically(target, text, force=force)
            written.append(target)
        if progress is not None:
            progress("exporting", n + 1, len(targets))
    return FilesExport(folder, tuple(written), tuple(failed))


def export_brief_files_in(
    database: str | os.PathLike[str],
    paths: Iterable[str | os.PathLike[str]],
    folder: Path,
    *,
    author: str | None = None,
    fmt: Format = "md",
    force: bool = False,
    progress: ExportProgress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> FilesExport:
    """:func:`export_brief_files` with a Store (and notes service) of its own on
    ``database``, opened and closed here: for a worker thread (a Store is
    one-per-thread). A database that cannot be opened raises its StoreError."""
    from briefreader.notes import NotesService
    from briefreader.store import Store

    with Store(database, backup_interval=None, checked=True) as store:
        try:
            return export_brief_files(
                NotesService(store, author=author), paths, folder,
                fmt=fmt, force=force, progress=progress, cancelled=cancelled,
            )
        finally:
            store.mark_exported_now()  # (versions that went out unmarked, if any)


def refuse_own_files(target: Path, *, brief: Brief | None = None,
                     database: Path | None = None) -> None:
    """Raise :class:`ExportError` when ``target`` is the brief being exported or the
    notes database (or its journal): replacing either would lose what the notes are
    on or the notes themselves, whatever ``--force`` or a dialog's confirmation say."""
    own: list[tuple[Path, str]] = []
    if brief is not None and brief.path is not None:
        own.append((Path(brief.path), "the brief whose notes are exported"))
    if database is not None:
        database = Path(database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            own.append((database.with_name(database.name + suffix), "the notes database"))
    for path, what in own:
        try:
            same = os.path.samefile(target, path)
        except OSError:  # one of them does not exist (or cannot be looked at)
            same = False
        if same:
            raise ExportError(f"{target} is {what}; give another file name for the export")


def write_atomically(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` (UTF-8) via a temporary file in the same folder and a rename.

    An existing file is replaced only with ``force``; readers never see half a file.
    """

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    write_file_atomically(path, write, force=force)


def write_file_atomically(path: Path, write: Callable[[Path], None], *, force: bool) -> None:
    """Have ``write`` fill a temporary file in the same folder, make it durable, then
    rename it to ``path`` (and make the rename durable).

    An existing file is replaced only with ``force``; readers never see half a file.
    ``write`` may raise ExportError; nothing is left behind then either.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not force and path.exists():
        raise ExportExistsError(f"{path} already exists; confirm to replace it (--force)")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write in {folder}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if not force and path.exists():  # appeared while we wrote
            raise ExportExistsError(f"{path} already exists; confirm to replace it (--force)")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync there
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- Markdown text

# CommonMark lets any ASCII punctuation be escaped. These are the characters that can
# start inline structure anywhere in a line (emphasis, code, links, raw HTML,
# entities, GFM tables and strike-through); escaping them all makes every note
# literal text.
# Those Python-Markdown (the reader's, and many others') does not take escaped with a
# backslash, which it would show, are written as character references instead.
_INLINE_CHARS = "\\`*_[]"
_REFERENCES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "|": "&#124;", "~": "&#126;"}
_INLINE = str.maketrans({**{c: "\\" + c for c in _INLINE_CHARS}, **_REFERENCES})
_HEADING = str.maketrans({**{c: "\\" + c for c in _INLINE_CHARS + "#"}, **_REFERENCES})
_BLOCK_START = "#+-"
_ORDERED_START = re.compile(r"\d+(?=[.)])")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BLANKS = re.compile(r"\n{3,}")


def canonical_text(text: str) -> str:
    """``text`` as it survives a Markdown round trip: lines trimmed, one blank line
    between paragraphs. The Markdown export reads back to exactly this."""
    if "\n" not in text and "\r" not in text:
        return text.strip()
    lines = (line.strip() for line in _NEWLINE.split(text))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip("\n")


def escape_line(line: str) -> str:
    """One trimmed line of user text → Markdown that renders as exactly that text."""
    line = line.translate(_INLINE)
    first = line[:1]
    if first.isdigit():
        m = _ORDERED_START.match(line)
        if m:  # "1." or "1)" would start an ordered list
            return line[: m.end()] + "\\" + line[m.end() :]
    elif first and first in _BLOCK_START:  # heading, bullet, setext line, rule
        return "\\" + line
    elif first == "=":  # a setext heading's line ("&gt;" already starts no quote)
        return "&#61;" + line[1:]
    return line


def _escape_heading(text: str) -> str:
    # '#' too: a trailing run of '#' would be taken for the heading's closing sequence.
    return " ".join(text.split()).translate(_HEADING)


def _escape_inline(text: str) -> str:
    return " ".join(text.split()).translate(_INLINE)


@lru_cache(maxsize=1024)
def _code_span(text: str) -> str:
    """``text`` (a tag) as inline code: shown exactly, every character literal, with a
    visible beginning and end (a tag may hold spaces, commas or "#"). The fence is one
    backtick longer than any run in it; a space inside it where the text begins or ends
    with a backtick, which CommonMark and Python-Markdown both trim."""
    text = " ".join(text.split())  # (on one line, as a code span shows it anyway)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@lru_cache(maxsize=1024)
def _escaped(text: str) -> str:
    # Labels, tags and authors: a handful of values repeated over thousands of notes.
    return _escape_inline(text)


def _text_block(text: str, prefix: str = "") -> list[str]:
    """User text as Markdown lines, each starting with ``prefix``: paragraphs kept, and
    lines too (a line going on in the same paragraph ends with a line break, two
    spaces, which reading the file back trims)."""
    rows = _canonical_rows(text)
    lines = [line for _, line in rows]
    return [
        prefix + indent + escape_line(line)
        + ("  " if i + 1 < len(lines) and lines[i + 1] else "")
        if line else prefix.rstrip()
        for i, (indent, line) in enumerate(rows)
    ]


def _canonical_rows(text: str) -> list[tuple[str, str]]:
    """The lines of :func:`canonical_text`, each with the indentation it had, as no-break
    spaces (a tab as four): a nested list or code in a note keeps its shape where the
    export is shown, and reading it back trims them as it trims the line."""
    rows: list[tuple[str, str]] = []
    raws = _NEWLINE.split(text) if "\n" in text or "\r" in text else (text,)
    for raw in raws:
        line = raw.strip()
        if not line and (not rows or not rows[-1][1]):
            continue  # blank lines at the start, or after a blank line
        indent = ""
        if line and raw[0].isspace():
            indent = "".join(_NBSP * (4 if c == "\t" else 1)
                             for c in raw[: len(raw) - len(raw.lstrip())])[:_MAX_INDENT]
        rows.append((indent, line))
    while rows and not rows[-1][1]:
        rows.pop()
    return rows


_NBSP = "\u00a0"
_MAX_INDENT = 40


def text_hash(text: str) -> str:
    return hashlib.sha256(canonical_text(text).encode("utf-8")).hexdigest()[:16]


#: Ends each note's text in the Markdown export: a heading typed into a note by hand
#: is then its text, not the end of it.
END_MARKER = "<!-- /briefreader -->"


def _marker(kind: str, note_id: str, text: str) -> str:
    return f"<!-- briefreader:{kind} id={_safe_id(note_id)} text={text_hash(text)} -->"


def _safe_id(note_id: str) -> str:
    # Ids from the store are UUIDs; anything else is made inert inside the comment.
    if _SAFE_ID.fullmatch(note_id):
        return note_id
    return "x-" + note_id.encode("utf-8").hex()[:120]


def _when(stamp: str) -> str:
    # Stored in UTC: said, so that no reader takes it for a time of their own zone.
    return stamp[:16].replace("T", " ") + " UTC"


# --------------------------------------------------------------------------- Markdown export


def export_markdown(
    data: NotesExport,
    *,
    colors: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    author: str | None = None,
    exported_at: str | None = None,
) -> str:
    """The brief's notes as Markdown with YAML front matter.

    ``colors``/``tags``/``author`` keep only matching highlights (any listed colour,
    any listed tag); a colour or tag filter leaves section comments out.
    """
    keep = Filters.of(colors, tags, author)
    brief = data.brief
    highlights = [h for h in data.highlights if keep.highlight(h)]
    comments = [c for c in data.comments if keep.comment(c)]

    placed, threads, replies = group_notes(brief, highlights, comments)

    orphans = len(placed.get(None, ())) + len(threads.get(None, ()))
    front = {
        "title": brief.title,
        "brief_id": shared_key(data.brief_key),
        "source": brief.path.name if brief.path is not None else None,
        "date": brief.date,
        "exported_at": exported_at or now_utc(),
        "highlights": len(highlights),
        "comments": len(comments),
        "not_found": orphans,
        "colors": {c: data.labels.get(c, DEFAULT_LABELS[c]) for c in COLORS},
    }
    out = ["---", *_front_matter(front), "---"]
    out += ["", f"# {_escape_heading(brief.title)}"]

    wanted = {s for s in placed if s is not None} | {s for s in threads if s is not None}
    shown = _with_ancestors(brief, wanted)
    depth: dict[str, int] = {}
    for s in brief.sections:
        depth[s.id] = depth[s.parent] + 1 if s.parent in depth else 1
        if s.id not in shown:
            continue
        if s.level > 0:  # the lead sits directly under the brief's title
            out += ["", f"{'#' * min(depth[s.id] + 1, 6)} {_escape_heading(s.title)}"]
        for h in placed.get(s.id, ()):
            out += _highlight_md(h, data, orphaned=False)
        out += _comments_md(threads.get(s.id, ()), replies)
    if orphans:
        out += ["", f"## {ORPHANS_HEADING}"]
        for h in placed.get(None, ()):
            out += _highlight_md(h, data, orphaned=True)
        out += _comments_md(threads.get(None, ()), replies, orphaned=True)
    if not highlights and not comments:
        out += ["", NO_NOTES]
    return "\n".join(out) + "\n"


# Characters that could make a link, code or raw HTML where a renderer shows front matter as
# text; a JSON string is also a YAML double-quoted scalar, and \uXXXX reads back.
_YAML_ESCAPES = {
    ord(c): f"\\u{ord(c):04x}"
    for c in "<>[]&`\x7f\u2028\u2029\ufeff\ufffe\uffff" + "".join(map(chr, range(0x80, 0xA0)))
}


def _front_matter(values: Mapping[str, object]) -> list[str]:
    lines = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            lines.append(f"{key}:")
            lines += [f"  {k}: {_yaml_scalar(v)}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {_yaml_scalar(value)}")
    return lines


def _yaml_scalar(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False).translate(_YAML_ESCAPES)


def group_notes(
    brief: Brief, highlights: Iterable[Highlight], comments: Iterable[Comment]
) -> tuple[
    dict[str | None, list[Highlight]], dict[str | None, list[Comment]], dict[str, list[Comment]]
]:
    """The notes by section, as every export and the printed brief list them: each
    section's highlights in text order; threads (top-level comments, oldest first) by
    section; replies by the comment they answer. Under None: what is not in this
    version (highlights in the order they were made in)."""
    ids = {s.id for s in brief.sections}
    placed: dict[str | None, list[Highlight]] = {}
    for h in highlights:
        placed.setdefault(h.current_section if is_placed(h, ids) else None, []).append(h)
    for where, group in placed.items():
        if where is None:
            group.sort(key=lambda h: (h.section_ordinal, h.start, h.created, h.id))
        else:
            group.sort(key=lambda h: (h.current_start, h.created, h.id))
    comments = list(comments)
    known = {c.id for c in comments}
    replies: dict[str, list[Comment]] = {}
    threads: dict[str | None, list[Comment]] = {}
    for c in sorted(comments, key=lambda c: (c.created, c.id)):
        if c.reply_to is not None and c.reply_to in known:
            replies.setdefault(c.reply_to, []).append(c)
        else:
            where = c.current_section if c.current_section in ids else None
            threads.setdefault(where, []).append(c)
    return placed, threads, replies


def is_placed(h: Highlight, order: Mapping[str, object] | set[str]) -> bool:
    """Whether a highlight has a place in this version of the brief (section ids given)."""
    return (
        h.status != "orphaned"
        and h.current_section in order
        and h.current_start is not None
        and h.current_end is not None
    )


def _with_ancestors(brief: Brief, wanted: set[str]) -> set[str]:
    parents = {s.id: s.parent for s in brief.sections}
    shown: set[str] = set()
    for sid in wanted:
        while sid is not None and sid not in shown:
            shown.add(sid)
            sid = parents.get(sid)
    return shown


def _label_start(h: Highlight, labels: Mapping[str, str]) -> str:
    """How a highlight's label line begins: its colour's label, and its colour."""
    label = labels.get(h.color) or DEFAULT_LABELS.get(h.color, h.color)
    return f"**{_escaped(label) or h.color}** ({h.color})"


def _tags_part(h: Highlight) -> str:
    return " · tags " + ", ".join(_code_span(t) for t in h.tags) if h.tags else ""


def label_line_holds(note: Highlight | Comment, line: str, labels: Mapping[str, str]) -> bool:
    """Whether ``line``, a note's label line in a Markdown export (the one under its
    quote), still says what the export wrote of it from ``note``: a highlight's label,
    colour and tags (``labels``: the colour labels the export was made with), a
    comment's author and time. (What may have changed here since, a highlight's
    placement, author or time, is not compared.)"""
    line = line.strip()
    if isinstance(note, Comment):
        # (Exports made before times said " UTC" wrote them without it.)
        head = f"**{_escaped(note.author) or 'unknown'}** · {_when(note.created)}"
        return line.startswith(head.removesuffix(" UTC"))
    start = _label_start(note, labels)
    if not line.startswith(start):
        return False
    if not note.tags:
        return " · tags `" not in line[len(start):]
    # Exports made before tags were code spans wrote them as "\#urgent \#later".
    earlier = " · " + " ".join("\\#" + _escaped(t) for t in note.tags)
    for tags in (_tags_part(note), earlier):
        at = line.find(tags, len(start))
        if at >= 0 and line[at + len(tags):at + len(tags) + 3] in ("", " · "):
            return True
    return False


def _highlight_md(h: Highlight, data: NotesExport, *, orphaned: bool) -> list[str]:
    now = None if orphaned else data.texts.get(h.id)
    quote = now if now is not None else h.exact
    meta = _label_start(h, data.labels)
    if orphaned:
        meta += f" · was in “{_escaped(h.section_heading)}”"
    elif h.status == "changed" or (now is not None and now != h.exact):
        was = _escape_inline(h.exact)
        meta += f" · the passage changed since the note was made; it read “{was}”"
    elif h.status == "ambiguous":
        meta += " · placement uncertain"
    meta += _tags_part(h)
    if h.author:
        meta += " · " + _escaped(h.author)
    if h.modified or h.created:
        meta += " · " + _when(h.modified or h.created)
    out = ["", _marker("highlight", h.id, h.note), *(_text_block(quote, "> ") or ["> …"])]
    out += ["", meta]
    body = _text_block(h.note)
    if body:
        out += ["", *body]
    return [*out, "", END_MARKER]


def _comments_md(
    roots: Sequence[Comment], replies: Mapping[str, list[Comment]], *, orphaned: bool = False
) -> list[str]:
    if not roots:
        return []
    out = ["", f"**{COMMENTS_LABEL}**"]

    def item(c: Comment, depth: int) -> None:
        # Four spaces a level: Python-Markdown (which the reader uses) needs as many
        # to keep a reply, and a comment's text, inside its list item.
        pad = "    " * depth
        inner = pad + "    "
        meta = [f"**{_escaped(c.author) or 'unknown'}**", _when(c.created)]
        if orphaned and depth == 0:
            meta.append(f"was on “{_escape_inline(c.section_heading)}”")
        if depth == 0 and c.reply_to is not None:  # (in the Trash, or left out by a filter)
            meta.append(REPLY_WITHOUT_PARENT)
        if c.modified and c.modified[:16] != c.created[:16]:
            meta.append(f"edited {_when(c.modified)}")
        out.extend(["", f"{pad}- {_marker('comment', c.id, c.body)}", inner + " · ".join(meta)])
        body = _text_block(c.body, inner)
        if body:
            out.extend(["", *body])
        out.extend(["", inner + END_MARKER])
        for reply in replies.get(c.id, ()):
            item(reply, depth + 1)

    for c in roots:
        item(c, 0)
    return out


# --------------------------------------------------------------------------- JSON export


#: How an export names a brief known by its file (no front-matter id): the file's name
#: only, its folders left out (they may say more than the notes do, and mean nothing
#: on another machine). Read back as a file of that name (importing.stored_key).
FOLDERS_LEFT_OUT = "/…/"


def shared_key(key: str) -> str:
    """A brief's key as an export gives it to others: a front-matter id as it is; a file
    path (the store's key of a brief without an id) as its file name only, behind
    :data:`FOLDERS_LEFT_OUT` (still a path to briefreaders that predate it, which ask
    which brief the notes go in, as they do of any path not found)."""
    if not (key.startswith(("/", "\\")) or re.match(r"[A-Za-z]:[\\/]", key)):
        return key
    return FOLDERS_LEFT_OUT + re.split(r"[\\/]", key)[-1]


def _iri(note_id: str) -> str:
    return f"urn:uuid:{note_id}" if _UUID.fullmatch(note_id) else f"urn:briefreader:note:{note_id}"


def _brief_iri(key: str) -> str:
    """The IRI of a brief by its :func:`shared_key`."""
    if key.startswith(FOLDERS_LEFT_OUT):
        return "urn:briefreader:file:" + quote(key[len(FOLDERS_LEFT_OUT):], safe="")
    return "urn:briefreader:brief:" + quote(key, safe="")


def _highlight_json(h: Highlight, source: str, versions: str | None) -> str:
    """One highlight as a compact W3C Annotation, written directly: the same text
    json.dumps gives for the equivalent dict, four times faster (10,000 notes)."""
    q = _encode_json_str
    body = []
    if h.note:
        body.append(
            f'{{"type": "TextualBody", "value": {q(h.note)}, "format": "text/markdown", '
            '"purpose": "commenting"}'
        )
    body += [f'{{"type": "TextualBody", "value": {q(t)}, "purpose": "tagging"}}' for t in h.tags]
    bodies = f', "body": [{", ".join(body)}]' if body else ""
    return (
        f'{{"type": "Annotation", "id": {q(_iri(h.id))}, '
        f'"motivation": {_COMMENTING if h.note else _HIGHLIGHTING}, '
        f'"creator": {{"type": "Person", "name": {q(h.author)}}}, '
        f'"created": {q(h.created)}, "modified": {q(h.modified)}{bodies}, '
        f'"target": {{"source": {q(source)}, "selector": ['
        f'{{"type": "TextQuoteSelector", "exact": {q(h.exact)}, "prefix": {q(h.prefix)}, '
        f'"suffix": {q(h.suffix)}}}, '
        f'{{"type": "TextPositionSelector", "start": {h.start}, "end": {h.end}}}], '
        f'"br:section": {{"id": {q(h.section_id)}, "heading": {q(h.section_heading)}, '
        f'"ordinal": {h.section_ordinal}}}}}, '
        f'"br:kind": "highlight", "br:color": {q(h.color)}, "br:status": {q(h.status)}, '
        f'"br:placement": {{"section": {_json_opt(h.current_section)}, '
        f'"start": {_json_opt(h.current_start)}, "end": {_json_opt(h.current_end)}}}, '
        f'"br:reviewed": {_json_opt(h.reviewed)}, "br:deleted": {_json_opt(h.deleted_at)}'
        + (f', "br:versions": {q(versions)}}}' if versions else "}")
    )


_COMMENTING = '"commenting"'
_HIGHLIGHTING = '"highlighting"'


def _json_opt(value: str | int | None) -> str:
    if value is None:
        return "null"
    return str(value) if isinstance(value, int) else _encode_json_str(value)


def _comment_json(c: Comment, source: str, versions: str | None) -> dict:
    purpose = "replying" if c.reply_to else "commenting"
    item: dict = {
        "type": "Annotation",
        "id": _iri(c.id),
        "motivation": purpose,
        "creator": {"type": "Person", "name": c.author},
        "created": c.created,
        "modified": c.modified,
        "body": {"type": "TextualBody", "value": c.body, "format": "text/markdown",
                 "purpose": purpose},
        "target": {
            "source": source,
            "br:section": {"id": c.section_id, "heading": c.section_heading,
                           "ordinal": c.section_ordinal, "fingerprint": c.section_fingerprint},
        },
    }  # fmt: skip
    if c.reply_to is not None:
        item["br:replyTo"] = _iri(c.reply_to)
    item["br:kind"] = "comment"
    item["br:status"] = c.status
    item["br:placement"] = {"section": c.current_section}
    item["br:deleted"] = c.deleted_at
    if versions:
        item["br:versions"] = versions
    return item


def _versions(data: NotesExport, note_id: str) -> str:
    """A note's versions for the file, all of them: also those the store could not mark
    as exported (being read-only, busy with another program, or on a full disk). The
    other machine then knows the version it went on from (without it, its next edit
    would look made apart from this one, and both texts would be kept)."""
    return lineage.shared(data.lineages.get(note_id, ""))


def export_json(
    data: NotesExport,
    *,
    colors: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    author: str | None = None,
    exported_at: str | None = None,
) -> str:
    """A W3C Web Annotation collection of the brief's notes, deleted ones included as
    tombstones (``br:deleted``), so an import elsewhere can merge deletions too."""
    keep = Filters.of(colors, tags, author)
    key = shared_key(data.brief_key)
    source = _brief_iri(key)
    items = [
        _highlight_json(h, source, _versions(data, h.id))
        for h in (*data.highlights, *data.deleted_highlights)
        if keep.highlight(h)
    ]
    comments = (*data.comments, *data.deleted_comments)
    kept = {c.id for c in comments if keep.comment(c)}
    # A reply kept takes the comments it answers along (by whoever): without them it
    # would have nothing to be imported under.
    by_id = {c.id: c for c in comments}
    for reply in list(kept):
        parent = by_id[reply].reply_to
        while parent in by_id and parent not in kept:
            kept.add(parent)
            parent = by_id[parent].reply_to
    items += [
        json.dumps(_comment_json(c, source, _versions(data, c.id)), ensure_ascii=False)
        for c in comments
        if c.id in kept
    ]
    brief = data.brief
    generated = exported_at or now_utc()
    # The W3C model requires an id of the collection and of its page: one of its own
    # for each export.
    name = f"{source}#notes@{generated}"
    collection = {
        "@context": _CONTEXT,
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
        "type": "AnnotationCollection",
        "label": f"Notes on {brief.title}",
        "total": len(items),
        "generator": {"type": "Software", "name": "briefreader", "br:version": __version__},
        "generated": generated,
        "br:format": 1,
        "br:brief": {
            "key": key,
            "iri": source,
            "title": brief.title,
            "source": brief.path.name if brief.path is not None else None,
            "date": brief.date,
            "contentHash": brief.content_hash,
            "sections": [
                {
                    "id": s.id,
                    "heading": s.heading,
                    "level": s.level,
                    "ordinal": s.ordinal,
                    "textHash": s.text_hash,
                }
                for s in data.sections
            ],
        },  # fmt: skip
        "br:labels": {c: data.labels.get(c, DEFAULT_LABELS[c]) for c in COLORS},
        "first": {"id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name + '/1')}",
                  "type": "AnnotationPage", "items": []},
    }
    if keep == Filters():
        # The reader's own marks, for the whole brief: not in a selection of its notes.
        collection["br:bookmarks"] = [
            {"id": b.id, "section": b.section_id, "position": b.position, "label": b.label,
             "created": b.created}
            for b in data.bookmarks
        ]  # fmt: skip
        if data.removed_bookmarks:
            collection["br:bookmarksRemoved"] = [
                {"id": bookmark_id, "section": section_id, "removed": when}
                for bookmark_id, section_id, when in data.removed_bookmarks
            ]
    # The header indented for reading; one annotation per line, because json.dumps
    # with an indent runs in pure Python, six times slower on 10,000 notes.
    head = json.dumps(collection, ensure_ascii=False, indent=1)
    if not items:
        return head + "\n"
    before, after = head.rsplit('"items": []', 1)
    body = ",\n   ".join(items)
    return f'{before}"items": [\n   {body}\n  ]{after}\n'
