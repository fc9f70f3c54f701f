"""Notes leave and come back: Markdown and JSON export, import and merge.

* Markdown is for people: the brief's own headings, each highlight as a block
  quote with its note, section comments threaded. Every piece of user text is
  escaped so that it reads back as the same text and can never become structure
  or live HTML. Each note carries its id (and a hash of the text as exported) in
  an HTML comment, so an edited export can be imported back.
* JSON is lossless and follows the W3C Web Annotation model; our own fields live
  under the ``br:`` prefix.
* Import parses the whole file first (a bad file changes nothing), then merges in
  one transaction: the newer ``modified`` wins, a deletion wins over older edits.

Pure Python: no Qt. Everything written goes through :func:`write_atomically`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring as _encode_json_str
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

import yaml

from briefreader import __version__
from briefreader.anchor import SectionRef, SectionText, Selector, match_section, reanchor_many
from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.store import (
    COLORS,
    COMMENT_STATUSES,
    DEFAULT_LABELS,
    HIGHLIGHT_STATUSES,
    BriefRecord,
    Comment,
    Highlight,
    SectionRecord,
    now_utc,
)

if TYPE_CHECKING:
    from briefreader.notes import NotesService

Format = Literal["md", "json"]

#: Larger import files are refused before they are read.
MAX_IMPORT_BYTES = 64 * 1024 * 1024
#: Longest text accepted in one imported field (a note, a quote, a heading…).
MAX_TEXT_CHARS = 1_000_000
ORPHANS_HEADING = "Not found in this version of the brief"
COMMENTS_LABEL = "Section comments"

_NS = "urn:briefreader:ns#"
_CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"br": _NS}]
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


# --------------------------------------------------------------------------- errors


class ExportError(BriefreaderError):
    """Notes cannot be exported as asked."""


class ExportExistsError(ExportError):
    """The target file exists and replacing it was not confirmed."""


class NotesImportError(BriefreaderError):
    """An import file is malformed or hostile; nothing was imported."""


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


def gather(service: NotesService, brief: Brief) -> NotesExport:
    """Sync the brief (placing notes again if it changed) and collect its notes."""
    listing = service.listing(brief)
    key = listing.brief.key
    store = service.store
    return NotesExport(
        brief=brief,
        brief_key=key,
        highlights=tuple(p.highlight for p in listing.highlights),
        comments=tuple(listing.comments),
        deleted_highlights=tuple(store.highlights(key, trash=True)),
        deleted_comments=tuple(store.comments(key, trash=True)),
        labels={c.color: c.label for c in store.color_labels()},
        texts={p.highlight.id: p.text for p in listing.highlights if p.text is not None},
        sections=listing.brief.sections,
    )


def suggested_file_name(brief: Brief, fmt: Format = "md") -> str:
    """A safe file name for a brief's export, e.g. 'fisheries-readout-notes.md'."""
    stem = re.sub(r"[^\w]+", "-", brief.title.casefold()).strip("-_")[:80] or "brief"
    return f"{stem}-notes.{'json' if fmt == 'json' else 'md'}"


def export_library(
    service: NotesService,
    briefs: Iterable[Brief],
    folder: Path,
    *,
    fmt: Format = "md",
    force: bool = False,
) -> list[Path]:
    """One export file per brief into ``folder`` (File → Export Notes… for the library).

    Every name is checked before anything is written, so a refusal to overwrite
    leaves the folder as it was.
    """
    folder = Path(folder)
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
    render = export_json if fmt == "json" else export_markdown
    for brief, target in targets:
        write_atomically(target, render(gather(service, brief)), force=force)
    return [t for _, t in targets]


def write_atomically(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` (UTF-8) via a temporary file in the same folder and a rename.

    An existing file is replaced only with ``force``; readers never see half a file.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not force and path.exists():
        raise ExportExistsError(f"{path} already exists; confirm to replace it (--force)")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write in {folder}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if not force and path.exists():  # appeared while we wrote
            raise ExportExistsError(f"{path} already exists; confirm to replace it (--force)")
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
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
_INLINE_CHARS = "\\`*_[]<>&|~"
_INLINE = str.maketrans({c: "\\" + c for c in _INLINE_CHARS})
_BLOCK_START = "#>+=-"
_ORDERED_START = re.compile(r"\d+(?=[.)])")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
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
    elif first and first in _BLOCK_START:  # heading, quote, bullet, setext line, rule
        return "\\" + line
    return line


def _escape_heading(text: str) -> str:
    # '#' too: a trailing run of '#' would be taken for the heading's closing sequence.
    return _escape_inline(text).replace("#", "\\#")


def _escape_inline(text: str) -> str:
    return " ".join(text.split()).translate(_INLINE)


@lru_cache(maxsize=1024)
def _escaped(text: str) -> str:
    # Labels, tags and authors: a handful of values repeated over thousands of notes.
    return _escape_inline(text)


def _text_block(text: str, prefix: str = "") -> list[str]:
    """User text as Markdown lines (paragraphs kept), each starting with ``prefix``."""
    canon = canonical_text(text)
    if not canon:
        return []
    return [(prefix + escape_line(line)) if line else prefix.rstrip() for line in canon.split("\n")]


def _unescape(line: str) -> str:
    return _UNESCAPE.sub(r"\1", line)


def text_hash(text: str) -> str:
    return hashlib.sha256(canonical_text(text).encode("utf-8")).hexdigest()[:16]


def _marker(kind: str, note_id: str, text: str) -> str:
    return f"<!-- briefreader:{kind} id={_safe_id(note_id)} text={text_hash(text)} -->"


def _safe_id(note_id: str) -> str:
    # Ids from the store are UUIDs; anything else is made inert inside the comment.
    if _SAFE_ID.fullmatch(note_id):
        return note_id
    return "x-" + note_id.encode("utf-8").hex()[:120]


def _when(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


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
    order = {s.id: i for i, s in enumerate(brief.sections)}

    placed: dict[str | None, list[Highlight]] = {}
    for h in highlights:
        placed.setdefault(h.current_section if _is_placed(h, order) else None, []).append(h)
    for where, group in placed.items():
        if where is None:
            group.sort(key=lambda h: (h.section_ordinal, h.start, h.created, h.id))
        else:
            group.sort(key=lambda h: (h.current_start, h.created, h.id))
    ids = {c.id for c in comments}
    replies: dict[str, list[Comment]] = {}
    threads: dict[str | None, list[Comment]] = {}
    for c in sorted(comments, key=lambda c: (c.created, c.id)):
        if c.reply_to is not None and c.reply_to in ids:
            replies.setdefault(c.reply_to, []).append(c)
        else:
            where = c.current_section if c.current_section in order else None
            threads.setdefault(where, []).append(c)

    orphans = len(placed.get(None, ())) + len(threads.get(None, ()))
    front = {
        "title": brief.title,
        "brief_id": data.brief_key,
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
        out += ["", "No notes on this brief."]
    return "\n".join(out) + "\n"


# Characters that could make a link, code or raw HTML where a renderer shows front matter as
# text; a JSON string is also a YAML double-quoted scalar, and \uXXXX reads back.
_YAML_ESCAPES = {
    ord(c): f"\\u{ord(c):04x}"
    for c in "<>[]&`\x7f\u2028\u2029\ufeff" + "".join(map(chr, range(0x80, 0xA0)))
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


def _is_placed(h: Highlight, order: Mapping[str, int]) -> bool:
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


def _highlight_md(h: Highlight, data: NotesExport, *, orphaned: bool) -> list[str]:
    now = None if orphaned else data.texts.get(h.id)
    quote = now if now is not None else h.exact
    label = data.labels.get(h.color) or DEFAULT_LABELS.get(h.color, h.color)
    meta = f"**{_escaped(label) or h.color}** ({h.color})"
    if orphaned:
        meta += f" · was in “{_escaped(h.section_heading)}”"
    elif h.status == "changed" or (now is not None and now != h.exact):
        meta += " · the passage changed since the note was made"
    elif h.status == "ambiguous":
        meta += " · placement uncertain"
    if h.tags:
        meta += " · " + " ".join("\\#" + _escaped(t) for t in h.tags)
    if h.author:
        meta += " · " + _escaped(h.author)
    if h.modified or h.created:
        meta += " · " + _when(h.modified or h.created)
    out = ["", _marker("highlight", h.id, h.note), *(_text_block(quote, "> ") or ["> …"])]
    out += ["", meta]
    body = _text_block(h.note)
    if body:
        out += ["", *body]
    return out


def _comments_md(
    roots: Sequence[Comment], replies: Mapping[str, list[Comment]], *, orphaned: bool = False
) -> list[str]:
    if not roots:
        return []
    out = ["", f"**{COMMENTS_LABEL}**"]

    def item(c: Comment, depth: int) -> None:
        pad = "  " * depth
        inner = pad + "  "
        meta = [f"**{_escaped(c.author) or 'unknown'}**", _when(c.created)]
        if orphaned and depth == 0:
            meta.append(f"was on “{_escape_inline(c.section_heading)}”")
        if c.modified and c.modified[:16] != c.created[:16]:
            meta.append(f"edited {_when(c.modified)}")
        out.extend(["", f"{pad}- {_marker('comment', c.id, c.body)}", inner + " · ".join(meta)])
        body = _text_block(c.body, inner)
        if body:
            out.extend(["", *body])
        for reply in replies.get(c.id, ()):
            item(reply, depth + 1)

    for c in roots:
        item(c, 0)
    return out


# --------------------------------------------------------------------------- JSON export


def _iri(note_id: str) -> str:
    return f"urn:uuid:{note_id}" if _UUID.fullmatch(note_id) else f"urn:briefreader:note:{note_id}"


def _brief_iri(key: str) -> str:
    if key.startswith("/"):
        return "file://" + quote(key)
    return "urn:briefreader:brief:" + quote(key, safe="")


def _highlight_json(h: Highlight, source: str) -> str:
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
        f'"br:deleted": {_json_opt(h.deleted_at)}}}'
    )


_COMMENTING = '"commenting"'
_HIGHLIGHTING = '"highlighting"'


def _json_opt(value: str | int | None) -> str:
    if value is None:
        return "null"
    return str(value) if isinstance(value, int) else _encode_json_str(value)


def _comment_json(c: Comment, source: str) -> dict:
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
    return item


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
    source = _brief_iri(data.brief_key)
    items = [
        _highlight_json(h, source)
        for h in (*data.highlights, *data.deleted_highlights)
        if keep.highlight(h)
    ]
    comments = (*data.comments, *data.deleted_comments)
    items += [
        json.dumps(_comment_json(c, source), ensure_ascii=False)
        for c in comments
        if keep.comment(c)
    ]
    brief = data.brief
    collection = {
        "@context": _CONTEXT,
        "type": "AnnotationCollection",
        "label": f"Notes on {brief.title}",
        "total": len(items),
        "generator": {"type": "Software", "name": "briefreader", "br:version": __version__},
        "generated": exported_at or now_utc(),
        "br:format": 1,
        "br:brief": {
            "key": data.brief_key,
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
        "first": {"type": "AnnotationPage", "items": []},
    }
    # The header indented for reading; one annotation per line, because json.dumps
    # with an indent runs in pure Python, six times slower on 10,000 notes.
    head = json.dumps(collection, ensure_ascii=False, indent=1)
    if not items:
        return head + "\n"
    before, after = head.rsplit('"items": []', 1)
    body = ",\n   ".join(items)
    return f'{before}"items": [\n   {body}\n  ]{after}\n'


# --------------------------------------------------------------------------- reading imports


@dataclass(frozen=True)
class ImportedBrief:
    """The brief an import file says its notes belong to."""

    key: str
    title: str
    content_hash: str | None = None
    sections: tuple[SectionRecord, ...] = ()


@dataclass(frozen=True)
class EditedText:
    """A note or comment text read back from a Markdown export."""

    kind: Literal["highlight", "comment"]
    id: str
    text: str
    edited: bool
    """The text differs from what was exported (its hash no longer matches)."""


@dataclass(frozen=True)
class ImportBundle:
    """A parsed import file; nothing in it has touched the store yet."""

    format: Literal["json", "markdown"]
    brief: ImportedBrief | None
    highlights: tuple[Highlight, ...] = ()
    """With ``brief_key`` set to the file's brief (re-keyed on merge)."""
    comments: tuple[Comment, ...] = ()
    texts: tuple[EditedText, ...] = ()
    exported_at: str | None = None


def read_import(path: Path) -> ImportBundle:
    """Read and parse an import file (our JSON or our Markdown export)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise NotesImportError(f"{path.name}: no such file ({path})") from None
    except OSError as exc:
        raise NotesImportError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if not path.is_file():
        raise NotesImportError(f"{path.name} is not a regular file")
    if info.st_size > MAX_IMPORT_BYTES:
        raise NotesImportError(
            f"{path.name} is too large to import ({info.st_size // 1_048_576} MB; "
            f"the limit is {MAX_IMPORT_BYTES // 1_048_576} MB)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotesImportError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesImportError(
            f"{path.name}: not UTF-8 text (bad byte at offset {exc.start})"
        ) from None
    return parse_import(text, name=path.name)


def parse_import(text: str, *, name: str = "the file") -> ImportBundle:
    """Parse our JSON or Markdown export; NotesImportError says what is wrong."""
    head = text.lstrip()
    if head.startswith(("{", "[")):
        return _JsonReader(name).read(text)
    if head.startswith("---") or "<!-- briefreader:" in text:
        return _read_markdown(text, name)
    raise NotesImportError(f"{name}: not a briefreader notes export (neither JSON nor Markdown)")


def _note_id(raw: object, where: str) -> str:
    if not isinstance(raw, str):
        raise NotesImportError(f"{where}: 'id' must be a string")
    for prefix in ("urn:uuid:", "urn:briefreader:note:"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :]
            break
    if not _SAFE_ID.fullmatch(raw):
        raise NotesImportError(f"{where}: {raw[:60]!r} is not a note id")
    return raw


def _stamp(raw: object, where: str, what: str) -> str:
    """Our own stamps pass unchanged; other ISO 8601 times are put in UTC, ours' form."""
    if not isinstance(raw, str):
        raise NotesImportError(f"{where}: '{what}' must be a date and time")
    if _STAMP.fullmatch(raw):
        return raw
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise NotesImportError(f"{where}: '{what}' is not a date and time: {raw[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _JsonReader:
    def __init__(self, name: str):
        self.name = name

    def fail(self, where: str, message: str) -> NotesImportError:
        return NotesImportError(f"{self.name}: {where}: {message}")

    def text(self, obj: dict, key: str, where: str, *, default: str | None = None) -> str:
        value = obj.get(key, default)
        if value is None and default is None:
            raise self.fail(where, f"'{key}' is missing")
        if not isinstance(value, str):
            raise self.fail(where, f"'{key}' must be a string")
        if len(value) > MAX_TEXT_CHARS:
            raise self.fail(where, f"'{key}' is longer than {MAX_TEXT_CHARS:,} characters")
        return value

    def number(self, obj: dict, key: str, where: str, *, optional: bool = False) -> int | None:
        value = obj.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
            raise self.fail(where, f"'{key}' must be a whole number from 0")
        return value

    def mapping(self, obj: dict, key: str, where: str, *, optional: bool = False) -> dict:
        value = obj.get(key)
        if value is None and optional:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, f"'{key}' must be an object")
        return value

    def read(self, text: str) -> ImportBundle:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise NotesImportError(
                f"{self.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        except RecursionError:
            raise NotesImportError(f"{self.name}: JSON nested too deeply") from None
        items, header = self._items(doc)
        brief = self._brief(header) if header else None
        highlights: list[Highlight] = []
        comments: list[Comment] = []
        seen: set[str] = set()
        key = brief.key if brief else ""
        for i, item in enumerate(items, 1):
            where = f"item {i}"
            if not isinstance(item, dict):
                raise self.fail(where, "must be an object")
            if item.get("type") != "Annotation":
                raise self.fail(where, "is not a W3C 'Annotation'")
            note_id = _note_id(item.get("id"), f"{self.name}: {where}")
            where = f"item {i} ({note_id})"
            if note_id in seen:
                raise self.fail(where, "the id appears twice")
            seen.add(note_id)
            kind = item.get("br:kind")
            if kind is None:
                kind = "comment" if item.get("motivation") == "replying" else "highlight"
            if kind == "highlight":
                highlights.append(self._highlight(item, note_id, key, where))
            elif kind == "comment":
                comments.append(self._comment(item, note_id, key, where))
            else:
                raise self.fail(where, f"unknown 'br:kind' {str(kind)[:30]!r}")
        generated = header.get("generated") if header else None
        return ImportBundle(
            "json",
            brief,
            tuple(highlights),
            tuple(comments),
            exported_at=generated if isinstance(generated, str) else None,
        )

    def _items(self, doc: object) -> tuple[list, dict]:
        if isinstance(doc, list):
            return doc, {}
        if not isinstance(doc, dict):
            raise self.fail("top level", "must be an annotation collection")
        kind = doc.get("type")
        if kind == "Annotation":
            return [doc], {}
        if kind == "AnnotationPage":
            page, header = doc, {}
        elif kind == "AnnotationCollection":
            page, header = doc.get("first"), doc
            if isinstance(page, str):
                raise self.fail("top level", "pages linked by address are not supported")
            if not isinstance(page, dict):
                raise self.fail("top level", "'first' must hold the annotation page")
        else:
            raise self.fail("top level", "not a W3C AnnotationCollection")
        items = page.get("items")
        if not isinstance(items, list):
            raise self.fail("annotation page", "'items' must be a list")
        return items, header

    def _brief(self, header: dict) -> ImportedBrief | None:
        raw = header.get("br:brief")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise self.fail("br:brief", "must be an object")
        where = "br:brief"
        key = self.text(raw, "key", where)
        if not key.strip():
            raise self.fail(where, "'key' is empty")
        title = self.text(raw, "title", where, default="")
        content_hash = raw.get("contentHash")
        if content_hash is not None and not isinstance(content_hash, str):
            raise self.fail(where, "'contentHash' must be a string")
        sections_raw = raw.get("sections", [])
        if not isinstance(sections_raw, list):
            raise self.fail(where, "'sections' must be a list")
        sections = []
        for n, s in enumerate(sections_raw, 1):
            at = f"br:brief section {n}"
            if not isinstance(s, dict):
                raise self.fail(at, "must be an object")
            sections.append(
                SectionRecord(
                    self.text(s, "id", at),
                    self.text(s, "heading", at, default=""),
                    self.number(s, "level", at) or 0,
                    self.number(s, "ordinal", at) or 0,
                    self.text(s, "textHash", at, default=""),
                )
            )
        return ImportedBrief(key, title, content_hash, tuple(sections))

    def _common(self, item: dict, where: str) -> tuple[str, str, str, str | None]:
        creator = item.get("creator", "")
        if isinstance(creator, dict):
            creator = creator.get("name", creator.get("nickname", ""))
        if not isinstance(creator, str):
            raise self.fail(where, "'creator' must be a name")
        stamp = f"{self.name}: {where}"
        created = _stamp(item["created"], stamp, "created") if "created" in item else now_utc()
        modified = _stamp(item.get("modified", created), stamp, "modified")
        deleted = item.get("br:deleted")
        deleted = None if deleted is None else _stamp(deleted, stamp, "br:deleted")
        return creator[:1000], created, modified, deleted

    def _bodies(self, item: dict, where: str) -> list[dict]:
        body = item.get("body", [])
        bodies = body if isinstance(body, list) else [body]
        for b in bodies:
            if not isinstance(b, dict):
                raise self.fail(where, "each 'body' must be an object")
        return bodies

    def _section(self, target: dict, where: str) -> dict:
        section = target.get("br:section")
        if section is None:
            return {}
        if not isinstance(section, dict):
            raise self.fail(where, "'br:section' must be an object")
        return section

    def _target(self, item: dict, where: str) -> dict:
        target = item.get("target")
        if isinstance(target, list) and target:
            target = target[0]
        if not isinstance(target, dict):
            raise self.fail(where, "'target' must be an object")
        return target

    def _highlight(self, item: dict, note_id: str, key: str, where: str) -> Highlight:
        author, created, modified, deleted = self._common(item, where)
        note, tags = "", []
        for b in self._bodies(item, where):
            value = self.text(b, "value", where)
            if b.get("purpose") == "tagging":
                tags.append(value)
            elif not note:
                note = value
        if "bodyValue" in item and not note:
            note = self.text(item, "bodyValue", where)
        target = self._target(item, where)
        selectors = target.get("selector", [])
        selectors = selectors if isinstance(selectors, list) else [selectors]
        quote = next(
            (s for s in selectors if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"),
            None,
        )
        if quote is None:
            raise self.fail(where, "the target has no TextQuoteSelector")
        exact = self.text(quote, "exact", where)
        if not exact:
            raise self.fail(where, "the quoted text ('exact') is empty")
        position = next(
            (
                s
                for s in selectors
                if isinstance(s, dict) and s.get("type") == "TextPositionSelector"
            ),
            None,
        )
        if position is not None:
            start = self.number(position, "start", where) or 0
            end = self.number(position, "end", where) or 0
            if end <= start:
                raise self.fail(where, "the position's 'end' must be after its 'start'")
        else:
            start, end = 0, len(exact)
        section = self._section(target, where)
        color = item.get("br:color", "yellow")
        if color not in COLORS:
            raise self.fail(where, f"unknown colour {str(color)[:20]!r}; use {', '.join(COLORS)}")
        placement = self.mapping(item, "br:placement", where, optional=True)
        status = item.get("br:status", "anchored" if placement else "orphaned")
        if status not in HIGHLIGHT_STATUSES:
            raise self.fail(where, f"unknown status {str(status)[:20]!r}")
        current = placement.get("section")
        if current is not None and not isinstance(current, str):
            raise self.fail(where, "the placement's 'section' must be a string")
        return Highlight(
            id=note_id,
            brief_key=key,
            section_id=self.text(section, "id", where, default=""),
            section_heading=self.text(section, "heading", where, default=""),
            section_ordinal=self.number(section, "ordinal", where, optional=True) or 0,
            exact=exact,
            prefix=self.text(quote, "prefix", where, default=""),
            suffix=self.text(quote, "suffix", where, default=""),
            start=start,
            end=end,
            color=color,
            note=note,
            tags=tuple(dict.fromkeys(t.strip() for t in tags if t.strip())),
            author=author,
            created=created,
            modified=modified,
            status=status,
            current_section=current,
            current_start=self.number(placement, "start", where, optional=True),
            current_end=self.number(placement, "end", where, optional=True),
            deleted_at=deleted,
        )

    def _comment(self, item: dict, note_id: str, key: str, where: str) -> Comment:
        author, created, modified, deleted = self._common(item, where)
        bodies = self._bodies(item, where)
        if not bodies:
            raise self.fail(where, "a comment needs a 'body'")
        body = self.text(bodies[0], "value", where)
        section = self._section(self._target(item, where), where)
        if not section:
            raise self.fail(where, "a comment's target needs 'br:section'")
        reply_to = item.get("br:replyTo")
        if reply_to is not None:
            reply_to = _note_id(reply_to, f"{self.name}: {where}: br:replyTo")
        placement = self.mapping(item, "br:placement", where, optional=True)
        status = item.get("br:status", "anchored" if placement else "orphaned")
        if status not in COMMENT_STATUSES:
            raise self.fail(where, f"unknown status {str(status)[:20]!r}")
        current = placement.get("section")
        if current is not None and not isinstance(current, str):
            raise self.fail(where, "the placement's 'section' must be a string")
        return Comment(
            id=note_id,
            brief_key=key,
            section_id=self.text(section, "id", where),
            section_heading=self.text(section, "heading", where, default=""),
            section_ordinal=self.number(section, "ordinal", where, optional=True) or 0,
            section_fingerprint=self.text(section, "fingerprint", where, default=""),
            body=body,
            author=author,
            created=created,
            modified=modified,
            reply_to=reply_to,
            status=status,
            current_section=current,
            deleted_at=deleted,
        )


_MARKER = re.compile(
    r"(?:- )?<!-- briefreader:(highlight|comment) id=(\S+) text=([0-9a-f]{16}) -->"
)


def _read_markdown(text: str, name: str) -> ImportBundle:
    lines = _NEWLINE.split(text)
    front: dict = {}
    if lines and lines[0].strip() == "---":
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            raise NotesImportError(f"{name}: the front matter is not closed by '---'") from None
        try:
            loaded = yaml.safe_load("\n".join(lines[1:end]))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" (line {mark.line + 2})" if mark is not None else ""
            raise NotesImportError(f"{name}: the front matter is not valid YAML{at}") from None
        if not isinstance(loaded, dict):
            raise NotesImportError(f"{name}: the front matter must be a set of 'key: value'")
        front = loaded
        lines = lines[end + 1 :]
    key = front.get("brief_id")
    if key is not None and not isinstance(key, str):
        raise NotesImportError(f"{name}: 'brief_id' in the front matter must be text")
    title = front.get("title")
    brief = ImportedBrief(key, title if isinstance(title, str) else "") if key else None
    exported = front.get("exported_at")

    texts: list[EditedText] = []
    seen: set[str] = set()
    current: tuple[str, str, str] | None = None
    body: list[str] = []
    state = "none"  # "head": before the meta line; "body": the note's own lines

    def close() -> None:
        if current is None:
            return
        kind, note_id, digest = current
        note = canonical_text("\n".join(body))
        texts.append(EditedText(kind, note_id, note, text_hash(note) != digest))

    for raw in lines:
        line = raw.strip()
        m = _MARKER.fullmatch(line)
        if m:
            close()
            kind, note_id, digest = m.groups()
            if note_id in seen:
                raise NotesImportError(f"{name}: the note {note_id} appears twice")
            seen.add(note_id)
            current, body, state = (kind, note_id, digest), [], "head"
            continue
        if current is None or state == "none":
            continue
        if line.startswith(("#", "**")) and state == "body":
            close()
            current, state = None, "none"
            continue
        if state == "head":
            if line.startswith("**"):
                state = "body"
                continue
            if current[0] == "highlight" and (not line or line.startswith(">")):
                continue
            if not line:
                continue
            state = "body"
        body.append(_unescape(line))
    close()
    if not texts and brief is None:
        raise NotesImportError(f"{name}: no briefreader notes found in this Markdown file")
    return ImportBundle(
        "markdown",
        brief,
        texts=tuple(texts),
        exported_at=exported if isinstance(exported, str) else None,
    )


# --------------------------------------------------------------------------- merging


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int
    skipped: int
    reasons: tuple[str, ...] = ()
    """Why notes were skipped, one line per reason with its count."""
    orphaned: int = 0
    """Of the added notes, how many were not found in the brief (kept as orphans)."""
    brief_key: str = ""

    def summary(self) -> str:
        """One line for a status bar or the terminal."""
        line = (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped"
        )
        if self.orphaned:
            line += f" ({self.orphaned} of the added not found in the brief)"
        return line


class _Tally:
    def __init__(self) -> None:
        self.added = self.updated = self.unchanged = self.orphaned = 0
        self.reasons: dict[str, int] = {}

    def skip(self, reason: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def result(self, key: str) -> ImportSummary:
        return ImportSummary(
            self.added,
            self.updated,
            self.unchanged,
            sum(self.reasons.values()),
            tuple(
                f"{n} {'note' if n == 1 else 'notes'} {reason}"
                for reason, n in self.reasons.items()
            ),
            self.orphaned,
            key,
        )


def _version(n: Highlight | Comment) -> str:
    # A deletion is a change too: whichever happened last wins.
    return max(n.modified, n.deleted_at or "")


def import_notes(service: NotesService, path: Path, *, brief: Brief | None = None) -> ImportSummary:
    """Merge a JSON or Markdown export into the store, in one transaction.

    ``brief`` is the brief the notes belong to as it is now (the open one): new notes
    are placed in it. A bad file raises NotesImportError and changes nothing.
    """
    bundle = read_import(path)
    return apply_import(service, bundle, brief=brief, edited_at=file_time(Path(path)))


def file_time(path: Path) -> str:
    """A file's modification time in the store's form: when an export was edited."""
    try:
        when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return now_utc()
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def apply_import(
    service: NotesService,
    bundle: ImportBundle,
    *,
    brief: Brief | None = None,
    edited_at: str | None = None,
) -> ImportSummary:
    """Merge a parsed import. ``edited_at`` dates text edited in a Markdown export
    (the file's modification time); it competes with later edits made here."""
    from briefreader.notes import brief_key

    store = service.store
    if brief is not None:
        key = brief_key(brief)
        theirs = bundle.brief.key if bundle.brief else None
        if theirs and theirs != key and not _is_path(theirs) and not _is_path(key):
            raise NotesImportError(
                f"these notes are for the brief '{theirs}', not '{key}' ({brief.title})"
            )
    elif bundle.brief is not None:
        key = bundle.brief.key
    else:
        raise NotesImportError("the file does not say which brief its notes are on; choose one")
    new_record = None
    if brief is not None:
        service.sync(brief)
    elif store.get_brief(key) is None:
        if _is_path(key):
            # Someone else's file path: attached to it, the notes would never show on
            # this copy of the brief.
            raise NotesImportError(
                f"these notes are on the brief file {key}, unknown here; "
                "choose your copy of the brief to import them into"
            )
        if bundle.format == "markdown" or bundle.brief is None:
            raise NotesImportError(
                f"the notes database has no brief '{key}'; open the brief, then import"
            )
        b = bundle.brief
        new_record = BriefRecord(key, b.title or key, None, b.content_hash or "", b.sections)

    tally = _Tally()
    ids = [n.id for n in (*bundle.highlights, *bundle.comments)] + [t.id for t in bundle.texts]
    have_h, have_c = store.notes_by_id(ids)
    local_h = {h.id: h for h in have_h}
    local_c = {c.id: c for c in have_c}
    if bundle.format == "markdown":
        upd_h, upd_c = _merge_texts(bundle, key, local_h, local_c, edited_at or now_utc(), tally)
        store.merge_notes(update_highlights=upd_h, update_comments=upd_c)
        return tally.result(key)

    add_h, upd_h = _merge_highlights(bundle.highlights, key, local_h, tally)
    add_c, upd_c = _merge_comments(bundle.comments, key, local_c, tally)
    same_version = brief is None or (
        bundle.brief is not None and bundle.brief.content_hash == brief.content_hash
    )
    if not same_version:
        assert brief is not None
        add_h, add_c = _place(service, brief, add_h, add_c)
    tally.added = len(add_h) + len(add_c)
    tally.orphaned = sum(n.status == "orphaned" for n in (*add_h, *add_c))
    store.merge_notes(
        brief=new_record,
        add_highlights=add_h,
        add_comments=add_c,
        update_highlights=upd_h,
        update_comments=upd_c,
    )
    return tally.result(key)


def _is_path(key: str) -> bool:
    return key.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:[\\/]", key))


def _merge_highlights(
    incoming: Sequence[Highlight], key: str, local: Mapping[str, Highlight], tally: _Tally
) -> tuple[list[Highlight], list[Highlight]]:
    add: list[Highlight] = []
    update: list[Highlight] = []
    for h in incoming:
        mine = local.get(h.id)
        if mine is None:
            add.append(replace(h, brief_key=key))
        elif mine.brief_key != key:
            tally.skip("on another brief in the notes database")
        elif (h.note, h.color, h.tags, h.deleted_at) == (
            mine.note, mine.color, mine.tags, mine.deleted_at
        ):  # fmt: skip
            tally.unchanged += 1
        elif _version(h) > _version(mine):
            update.append(replace(mine, note=h.note, color=h.color, tags=h.tags,
                                  modified=h.modified, deleted_at=h.deleted_at))  # fmt: skip
            tally.updated += 1
        else:
            tally.skip(_older(h, mine))
    return add, update


def _merge_comments(
    incoming: Sequence[Comment], key: str, local: Mapping[str, Comment], tally: _Tally
) -> tuple[list[Comment], list[Comment]]:
    add: dict[str, Comment] = {}
    update: list[Comment] = []
    for c in incoming:
        mine = local.get(c.id)
        if mine is None:
            add[c.id] = replace(c, brief_key=key)
        elif mine.brief_key != key:
            tally.skip("on another brief in the notes database")
        elif (c.body, c.deleted_at) == (mine.body, mine.deleted_at):
            tally.unchanged += 1
        elif _version(c) > _version(mine):
            update.append(replace(mine, body=c.body, modified=c.modified, deleted_at=c.deleted_at))
            tally.updated += 1
        else:
            tally.skip(_older(c, mine))
    # Parents before replies; a reply whose parent is nowhere to be found is skipped.
    ordered: list[Comment] = []
    state: dict[str, bool] = {}

    def visit(c: Comment, trail: frozenset[str]) -> bool:
        if c.id in state:
            return state[c.id]
        parent = c.reply_to
        if parent is None:
            ok = True
        elif parent in add and parent not in trail:
            ok = visit(add[parent], trail | {c.id})
        else:
            mine = local.get(parent)
            ok = mine is not None and mine.brief_key == key
        if c.id in state:  # settled while following a cycle of replies
            return state[c.id]
        state[c.id] = ok
        if ok:
            ordered.append(c)
        else:
            tally.skip("replying to a comment that is neither in the file nor here")
        return ok

    for c in add.values():
        visit(c, frozenset())
    return ordered, update


def _older(theirs: Highlight | Comment, mine: Highlight | Comment) -> str:
    if _version(theirs) == _version(mine):
        return "differing from the version here but with the same time (the version here is kept)"
    return "older than the version here"


def _merge_texts(
    bundle: ImportBundle,
    key: str,
    local_h: Mapping[str, Highlight],
    local_c: Mapping[str, Comment],
    edited_at: str,
    tally: _Tally,
) -> tuple[list[Highlight], list[Comment]]:
    upd_h: list[Highlight] = []
    upd_c: list[Comment] = []
    for t in bundle.texts:
        mine: Highlight | Comment | None = (
            local_h.get(t.id) if t.kind == "highlight" else local_c.get(t.id)
        )
        if mine is None:
            tally.skip(
                "not in the notes database (a Markdown export brings back edits; "
                "import the JSON export to add notes)"
            )
            continue
        if mine.brief_key != key:
            tally.skip("on another brief in the notes database")
            continue
        current = mine.note if isinstance(mine, Highlight) else mine.body
        if not t.edited or t.text == canonical_text(current):
            tally.unchanged += 1
            continue
        if edited_at <= _version(mine):
            tally.skip("edited in the file but changed here more recently")
            continue
        if isinstance(mine, Highlight):
            upd_h.append(replace(mine, note=t.text, modified=edited_at, deleted_at=None))
        elif not t.text:
            tally.skip("emptied in the file (a comment cannot be empty)")
            continue
        else:
            upd_c.append(replace(mine, body=t.text, modified=edited_at, deleted_at=None))
        tally.updated += 1
    return upd_h, upd_c


def _place(
    service: NotesService, brief: Brief, highlights: list[Highlight], comments: list[Comment]
) -> tuple[list[Highlight], list[Comment]]:
    """Find new notes in this version of the brief; those not found become orphans."""
    texts = service.section_texts(brief)
    items = [
        (Selector(h.exact, h.prefix, h.suffix, h.start, h.end), h.section_id, h.section_ordinal)
        for h in highlights
    ]
    found = reanchor_many(items, texts) if items else []
    placed_h = []
    for h, a in zip(highlights, found, strict=True):
        section, start, end, status = a.section_id, a.start, a.end, a.status
        if section is None and not h.section_id:
            # From another tool: no section and often no context, so the anchoring
            # declines; a quote found exactly once in the whole brief is still safe.
            only = _only_occurrence(h.exact, texts)
            if only is not None:
                section, start, end, status = *only, "anchored"
        placed_h.append(
            replace(
                h,
                status=status,
                current_section=section,
                current_start=start if section is not None else None,
                current_end=end if section is not None else None,
            )
        )
    placed_c = []
    for c in comments:
        ref = SectionRef(c.section_id, c.section_heading, c.section_ordinal, c.section_fingerprint)
        where = match_section(ref, texts)
        status = "orphaned" if where is None else "anchored" if where == c.section_id else "moved"
        placed_c.append(replace(c, status=status, current_section=where))
    return placed_h, placed_c


def _only_occurrence(quote: str, texts: Sequence[SectionText]) -> tuple[str, int, int] | None:
    hits = []
    for t in texts:
        at = t.text.find(quote)
        while at != -1 and len(hits) < 2:
            hits.append((t.id, at, at + len(quote)))
            at = t.text.find(quote, at + 1)
    return hits[0] if len(hits) == 1 else None
