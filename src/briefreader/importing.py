"""Notes come back: reading our Markdown and JSON exports and merging them in.

Import parses the whole file first (a bad file changes nothing), then merges in
one transaction, each part of a note on its own (text, colour, tags, passage, Trash):
the copy that changed it after the other's wins, texts and tags changed on both keep
both, and where that is not known (no versions: another tool's file) the newer
``modified`` wins and a deletion wins over older edits. See :mod:`briefreader.lineage`.
The files are those :mod:`briefreader.export` writes (JSON also from other tools
that follow the W3C Web Annotation model).

Pure Python: no Qt.
"""

from __future__ import annotations

import codecs
import difflib
import itertools
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import yaml

from briefreader import lineage
from briefreader.anchor import SectionText
from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.export import (
    _NEWLINE,
    _SAFE_ID,
    COMMENTS_LABEL,
    END_MARKER,
    FOLDERS_LEFT_OUT,
    NO_NOTES,
    canonical_text,
    label_line_holds,
    text_hash,
)
from briefreader.parse import FILE_DIGITS
from briefreader.records import (
    COLORS,
    COMMENT_STATUSES,
    DEFAULT_LABELS,
    HIGHLIGHT_STATUSES,
    Bookmark,
    BriefRecord,
    Comment,
    Highlight,
    NotesChangedError,
    SectionRecord,
    now_utc,
    stamp,
)
from briefreader.text_merge import merged

if TYPE_CHECKING:
    from briefreader.notes import NotesService
    from briefreader.store import Store

#: Larger import files are refused before they are read.
MAX_IMPORT_BYTES = 64 * 1024 * 1024
#: Longest text accepted in one imported field (a note, a quote, a heading…): as long
#: as a note the command line takes from a file, so that every note exported imports.
MAX_TEXT_CHARS = 32 * 1024 * 1024
#: The newest JSON export format this version reads ("br:format").
JSON_FORMAT = 1
# An absolute IRI (RFC 3987: a scheme, then no spaces, quotes or angle brackets).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]{1,2000}")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


class NotesImportError(BriefreaderError):
    """An import file is malformed or hostile; nothing was imported."""


class OtherBriefError(NotesImportError):
    """The file's notes are plainly on another brief than the one given (no text of
    theirs is in it); nothing was imported. Import with ``any_brief`` to go on."""

    def __init__(self, theirs: str, here: str,
                 anyway: str = "or import them into this one anyway") -> None:
        super().__init__(
            f"these notes are on '{theirs}', which has no title, section or quote in "
            f"common with '{here}'; "
            f"open that brief to import them, {anyway}")
        self.theirs = theirs
        self.here = here


# --------------------------------------------------------------------------- reading imports


class _Unplaced(Exception):  # noqa: N818 (not an error: a note left out, and said)
    """An annotation of another tool that has no place here (no quoted passage, a
    reply to something that is not a section comment of the file): skipped, the rest
    of the file imported."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: Why an annotation of the file is skipped (ImportBundle.skipped).
NO_PASSAGE = "quoting no passage of the text (no TextQuoteSelector), so with no place here"
NO_SECTION = "commenting on no section (no 'br:section') and replying to no comment"
REPLY_TO_HIGHLIGHT = "replying to a highlight (only section comments take replies here)"
REPLY_TO_MISSING = "replying to an annotation that is not in the file"
REPLY_TO_SKIPPED = "replying to an annotation that is skipped"


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
    exported: str = ""
    """The hash (``export.text_hash``) of the text as it was exported."""
    label: str = ""
    """The note's label line (under its quote): not imported, but compared."""
    label_at: int = 0
    """Where the label line is, numbered from 1."""


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
    bookmarks: tuple[Bookmark, ...] = ()
    """With ``brief_key`` set to the file's brief (re-keyed on merge)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """The colour labels of whoever exported (JSON)."""
    lineages: Mapping[str, str] = field(default_factory=dict)
    """Note id → the versions of its parts there (JSON ``br:versions``, lineage.py)."""
    removed_bookmarks: tuple[tuple[str, str, str], ...] = ()
    """(id, section id, when) of each bookmark removed there."""
    outside: tuple[int, ...] = ()
    """(Markdown) The lines, numbered from 1, of text written outside every note:
    not imported, and said."""
    exported_labels: Mapping[str, str] = field(default_factory=dict)
    """(Markdown) The colour labels the export was made with (its front matter's
    ``colors``): what its label lines said."""
    skipped: tuple[tuple[str, str], ...] = ()
    """(JSON) (why, which item) of each annotation that has no place here (another
    tool's reply to a highlight, say): not imported, and said; the others are."""


def read_import(path: Path) -> ImportBundle:
    """Read and parse an import file (our JSON or our Markdown export)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise NotesImportError(f"{path.name}: no such file ({path})") from None
    except OSError as exc:
        raise NotesImportError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise NotesImportError(f"{path.name} is a folder, not a notes export")
    if not path.is_file():
        raise NotesImportError(f"{path.name} is not a regular file")

    def too_large(size: int) -> NotesImportError:
        return NotesImportError(
            f"{path.name} is too large to import ({size // 1_048_576} MB; "
            f"the limit is {MAX_IMPORT_BYTES // 1_048_576} MB)"
        )

    if info.st_size > MAX_IMPORT_BYTES:
        raise too_large(info.st_size)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_IMPORT_BYTES + 1)  # never more, should it grow meanwhile
    except OSError as exc:
        raise NotesImportError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise too_large(len(data))
    # An export edited and saved as "Unicode" (UTF-16, as Windows editors call it)
    # says so with its byte-order mark.
    codec = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    if codec != "utf-16" and b"\x00" in data:
        raise NotesImportError(f"{path.name} is a binary file, not a notes export")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        label = "UTF-16" if codec == "utf-16" else "UTF-8"
        raise NotesImportError(
            f"{path.name}: not {label} text (bad byte at offset {exc.start}); "
            "save it as UTF-8 and import it again"
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
        if _IRI.fullmatch(raw):
            # Another tool's annotation (its id an address, as W3C annotations have):
            # the same note each time the file comes.
            return str(uuid.uuid5(uuid.NAMESPACE_URL, raw))
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
    try:
        return stamp(when)
    except OverflowError:  # e.g. year 1 or 9999 with a time zone: outside UTC's range
        raise NotesImportError(f"{where}: '{what}' is out of range: {raw[:40]!r}") from None


class _JsonReader:
    def __init__(self, name: str):
        self.name = name
        self.unsectioned: set[str] = set()  # replies with no section of their own

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
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate, written as a JSON escape
                raise self.fail(where, f"'{key}' is not valid Unicode text") from None
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
        except ValueError:  # a number too long to convert (over 4300 digits)
            raise NotesImportError(f"{self.name}: holds a number too long to read") from None
        items, header = self._items(doc)
        version = header.get("br:format", JSON_FORMAT) if header else JSON_FORMAT
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail("top level", "'br:format' must be a whole number from 1")
        if version > JSON_FORMAT:
            raise NotesImportError(
                f"{self.name}: written by a newer briefreader (export format {version}); "
                "update briefreader to import it")
        brief = self._brief(header) if header else None
        highlights: list[Highlight] = []
        comments: list[Comment] = []
        seen: dict[str, None] = {}
        lineages: dict[str, str] = {}
        key = brief.key if brief else ""
        skipped: dict[str, tuple[str, str]] = {}  # id → (why, which item)
        labels: dict[str, str] = {}  # id → which item
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
            seen[note_id] = None
            versions = item.get("br:versions")
            if versions is not None:
                if not isinstance(versions, str):
                    raise self.fail(where, "'br:versions' must be a string")
                # Versions this briefreader cannot read (another's): the note's time
                # decides, as for a note without them.
                if lineage.VALID.fullmatch(versions):
                    lineages[note_id] = versions
            kind = item.get("br:kind")
            if kind is None:
                kind = "comment" if item.get("motivation") == "replying" else "highlight"
            try:
                if kind == "highlight":
                    highlights.append(self._highlight(item, note_id, key, where))
                elif kind == "comment":
                    comments.append(self._comment(item, note_id, key, where))
                else:
                    raise self.fail(where, f"unknown 'br:kind' {str(kind)[:30]!r}")
            except _Unplaced as exc:
                skipped[note_id] = (exc.reason, self._which(i, item))
            else:
                labels[note_id] = self._which(i, item)
        comments = self._replies_placed(comments, {h.id for h in highlights}, skipped,
                                        labels, self.unsectioned)
        generated = header.get("generated") if header else None
        return ImportBundle(
            "json",
            brief,
            tuple(highlights),
            tuple(comments),
            skipped=tuple(skipped[i] for i in seen if i in skipped),  # (the file's order)
            exported_at=generated if isinstance(generated, str) else None,
            bookmarks=self._bookmarks(header, key),
            labels=self._labels(header),
            lineages=lineages,
            removed_bookmarks=self._removed_bookmarks(header),
        )

    @staticmethod
    def _which(n: int, item: dict) -> str:
        """An item of the file, as the person importing it can find it."""
        raw = item.get("id")
        return f"item {n} ({raw[:200]})" if isinstance(raw, str) else f"item {n}"

    @staticmethod
    def _replies_placed(comments: list[Comment], highlights: set[str],
                        skipped: dict[str, tuple[str, str]], labels: Mapping[str, str],
                        unsectioned: set[str]) -> list[Comment]:
        """The comments, each reply of another tool (``unsectioned``: no section of its
        own) on the section of the comment of the file it answers; one that answers a
        highlight, or nothing in the file, is moved to ``skipped``."""
        by_id = {c.id: c for c in comments}
        settled: dict[str, Comment | str] = {}  # reply → placed, or why it is skipped
        for c in comments:
            if c.id not in unsectioned or c.id in settled:
                continue
            trail, node = [c], c  # up the replies to the comment that has a section
            on_trail = {c.id}
            outcome: Comment | str
            while True:
                parent = by_id.get(node.reply_to or "")
                if parent is None:
                    outcome = (REPLY_TO_HIGHLIGHT if node.reply_to in highlights
                               else REPLY_TO_SKIPPED if node.reply_to in skipped
                               else REPLY_TO_MISSING)
                elif parent.id not in unsectioned:
                    outcome = parent
                elif parent.id in settled:
                    found = settled[parent.id]
                    outcome = found if isinstance(found, Comment) else REPLY_TO_SKIPPED
                elif parent.id in on_trail:  # replies answering each other
                    outcome = REPLY_TO_SKIPPED
                else:
                    trail.append(parent)
                    on_trail.add(parent.id)
                    node = parent
                    continue
                break
            for n in reversed(trail):  # (the one nearest the comment first)
                if isinstance(outcome, str):
                    settled[n.id], outcome = outcome, REPLY_TO_SKIPPED
                else:
                    settled[n.id] = outcome = replace(
                        n, section_id=outcome.section_id,
                        section_heading=outcome.section_heading,
                        section_ordinal=outcome.section_ordinal,
                        section_fingerprint=outcome.section_fingerprint,
                        status=outcome.status, current_section=outcome.current_section)
        out = []
        for c in comments:
            now = settled.get(c.id, c)
            if isinstance(now, str):
                skipped[c.id] = (now, labels[c.id])
            else:
                out.append(now)
        return out

    def _objects(self, header: dict, key: str, what: str) -> Iterator[tuple[str, dict]]:
        """Each object of the list ``key`` of the header, with where it is (``what`` n)."""
        raw = header.get(key, [])
        if not isinstance(raw, list):
            raise self.fail(key, "must be a list")
        for i, obj in enumerate(raw, 1):
            where = f"{what} {i}"
            if not isinstance(obj, dict):
                raise self.fail(where, "must be an object")
            yield where, obj

    def _bookmarks(self, header: dict, key: str) -> tuple[Bookmark, ...]:
        out = []
        for where, b in self._objects(header, "br:bookmarks", "bookmark"):
            bookmark_id = _note_id(b.get("id"), f"{self.name}: {where}")
            created = b.get("created")
            out.append(Bookmark(
                bookmark_id, key, self.text(b, "section", where),
                self.number(b, "position", where) or 0, self.text(b, "label", where, default=""),
                _stamp(created, f"{self.name}: {where}", "created") if created else now_utc()))
        return tuple(out)

    def _removed_bookmarks(self, header: dict) -> tuple[tuple[str, str, str], ...]:
        return tuple(
            (_note_id(r.get("id"), f"{self.name}: {where}"), self.text(r, "section", where),
             _stamp(r.get("removed"), f"{self.name}: {where}", "removed"))
            for where, r in self._objects(header, "br:bookmarksRemoved", "removed bookmark")
        )  # fmt: skip

    def _labels(self, header: dict) -> dict[str, str]:
        raw = self.mapping(header, "br:labels", "top level", optional=True)
        return {c: self.text(raw, c, "br:labels")[:200] for c in COLORS if c in raw}

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
        creator = self._creator(item.get("creator"), where)
        place = f"{self.name}: {where}"
        created = _stamp(item["created"], place, "created") if "created" in item else now_utc()
        modified = _stamp(item.get("modified", created), place, "modified")
        deleted = item.get("br:deleted")
        deleted = None if deleted is None else _stamp(deleted, place, "br:deleted")
        return creator[:1000], created, modified, deleted

    def _creator(self, raw: object, where: str) -> str:
        """The author of an annotation: the W3C model allows a name (or an address), an
        Agent with a ``name`` or ``nickname``, or a list of these; several are joined."""
        names: dict[str, None] = {}
        for agent in raw if isinstance(raw, list) else [raw]:
            if isinstance(agent, dict):
                agent = next((agent[k] for k in ("name", "nickname") if agent.get(k)), "")
                if isinstance(agent, list):  # (a name given more than once: the first)
                    agent = next((a for a in agent if isinstance(a, str) and a.strip()), "")
            if agent is None:
                continue
            if not isinstance(agent, str):
                raise self.fail(where, "'creator' must be a name, a person or a list of them")
            if agent.strip():
                names.setdefault(agent)
        return ", ".join(names)

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

    def _answered(self, target: object) -> str | None:
        """The note id of the annotation a reply's target names (an IRI, or an object
        with it as ``id`` or ``source``); None when it names none."""
        if isinstance(target, list) and target:
            target = target[0]
        if isinstance(target, dict):
            target = target.get("id", target.get("source"))
        if not isinstance(target, str):
            return None
        try:
            return _note_id(target, self.name)
        except NotesImportError:
            return None

    def _target(self, item: dict, where: str) -> dict:
        target = item.get("target")
        if isinstance(target, list) and target:
            target = target[0]
        if isinstance(target, str):  # a whole resource, named by its address
            raise _Unplaced(NO_PASSAGE)
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
            raise _Unplaced(NO_PASSAGE)
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
        placement, status, current = self._placement(item, where, HIGHLIGHT_STATUSES)
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
            reviewed=self._when(item, "br:reviewed", where),
        )

    def _when(self, item: dict, key: str, where: str) -> str | None:
        raw = item.get(key)
        return None if raw is None else _stamp(raw, f"{self.name}: {where}", key)

    def _placement(
        self, item: dict, where: str, statuses: tuple[str, ...]
    ) -> tuple[dict, str, str | None]:
        """An item's br:placement, its status (one of ``statuses``) and current section."""
        placement = self.mapping(item, "br:placement", where, optional=True)
        status = item.get("br:status", "anchored" if placement else "orphaned")
        if status not in statuses:
            raise self.fail(where, f"unknown status {str(status)[:20]!r}")
        current = placement.get("section")
        if current is not None and not isinstance(current, str):
            raise self.fail(where, "the placement's 'section' must be a string")
        return placement, status, current

    def _comment(self, item: dict, note_id: str, key: str, where: str) -> Comment:
        author, created, modified, deleted = self._common(item, where)
        bodies = self._bodies(item, where)
        if bodies:
            body = self.text(bodies[0], "value", where)
        elif "bodyValue" in item:
            body = self.text(item, "bodyValue", where)
        else:
            raise self.fail(where, "a comment needs a 'body'")
        reply_to = item.get("br:replyTo")
        if reply_to is not None:
            reply_to = _note_id(reply_to, f"{self.name}: {where}: br:replyTo")
        target = item.get("target")
        first = target[0] if isinstance(target, list) and target else target
        section = self._section(first, where) if isinstance(first, dict) else {}
        if not section:
            # Another tool's reply: its target is the annotation it answers. Given the
            # section of that one when it is a comment of the file (_replies_placed).
            if reply_to is None and item.get("motivation") == "replying":
                reply_to = self._answered(target)
            if reply_to is None:
                raise _Unplaced(NO_SECTION)
            self.unsectioned.add(note_id)
        _, status, current = self._placement(item, where, COMMENT_STATUSES)
        return Comment(
            id=note_id,
            brief_key=key,
            section_id=self.text(section, "id", where) if section else "",
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
# A backslash escape, or one of the character references the export writes.
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|&(amp|lt|gt|#\d{1,7});")
_NAMED = {"amp": "&", "lt": "<", "gt": ">"}
# What ends a note's text in our Markdown: a section heading or the comments label the
# export writes (a note's own "#" or "**" at the start of a line is written escaped, so
# one typed there by hand is the note's text, not the end of it).
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_COMMENTS_LINE = f"**{COMMENTS_LABEL}**"
# What the export itself writes between the notes, besides headings.
_EXPORT_LINES = frozenset({_COMMENTS_LINE, NO_NOTES})
# The line the export writes under each note's quote (a highlight: its label and
# colour; a comment: its author and time), before the note's own text.
_META = {
    "highlight": re.compile(r"\*\*.*\*\* \((?:" + "|".join(COLORS) + r")\)(?: · .*)?"),
    "comment": re.compile(r"\*\*.*\*\* · \d{4}-\d\d-\d\d \d\d:\d\d(?: .*)?"),
}


def _unescape(line: str) -> str:
    return _UNESCAPE.sub(_unescaped, line)


def _unescaped(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return m.group(1)
    name = m.group(2)
    if name in _NAMED:
        return _NAMED[name]
    code = int(name[1:])
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()


def _meta_below(lines: Sequence[str], at: int, kind: str) -> bool:
    """Whether the meta line the export wrote for a note of ``kind`` comes after line
    ``at``, in the same note: then a line starting with ``**`` above it was typed in."""
    for raw in itertools.islice(lines, at + 1, None):
        line = raw.strip()
        if _META[kind].fullmatch(line):
            return True
        if line == END_MARKER or _MARKER.fullmatch(line):
            return False
    return False


def _read_markdown(text: str, name: str) -> ImportBundle:
    lines = _NEWLINE.split(text)
    front: dict = {}
    first_line = 1  # the number of the first line read for notes
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
        except RecursionError:
            raise NotesImportError(f"{name}: the front matter is nested too deeply") from None
        except ValueError:  # a number too long to convert (over 4300 digits)
            raise NotesImportError(f"{name}: the front matter holds a number too long "
                                   "to read") from None
        if not isinstance(loaded, dict):
            raise NotesImportError(f"{name}: the front matter must be a set of 'key: value'")
        front = loaded
        lines = lines[end + 1 :]
        first_line = end + 2
    key = front.get("brief_id")
    if key is not None and not isinstance(key, str):
        raise NotesImportError(f"{name}: 'brief_id' in the front matter must be text")
    title = front.get("title")
    brief = ImportedBrief(key, title if isinstance(title, str) else "") if key else None
    exported = front.get("exported_at")

    texts: list[EditedText] = []
    outside: list[int] = []  # lines of text written between the notes
    seen: set[str] = set()
    current: tuple[str, str, str] | None = None
    body: list[str] = []
    state = "none"  # "head": before the meta line; "body": the note's own lines

    # A note ends at its end marker: a heading typed into it by hand is its text. One
    # without (an export from before end markers, or the marker deleted by hand) ends
    # at the first heading or comments label, as the export wrote them.
    cut: int | None = None  # where a heading first stood in the note's text
    meta = False  # the note's meta line has been read (text typed above it is the note's)

    label = ("", 0)  # the note's label line, and where

    def close(ended: bool = False) -> None:
        if current is None:
            return
        kind, note_id, digest = current
        note = canonical_text("\n".join(body if ended or cut is None else body[:cut]))
        texts.append(EditedText(kind, note_id, note, text_hash(note) != digest, digest,
                                *label))

    for at, raw in enumerate(lines):
        line = raw.strip()
        m = _MARKER.fullmatch(line)
        if m:
            close()
            kind, note_id, digest = m.groups()
            if note_id in seen:
                raise NotesImportError(f"{name}: the note {note_id} appears twice")
            seen.add(note_id)
            current, body, state, cut, meta = (kind, note_id, digest), [], "head", None, False
            label = ("", 0)
            continue
        if current is None or state == "none":
            if line and not (_HEADING.match(line) or line in _EXPORT_LINES):
                outside.append(first_line + at)
            continue
        if line == END_MARKER:
            close(ended=True)
            current, state = None, "none"
            continue
        if state == "body" and cut is None and (_HEADING.match(line) or line == _COMMENTS_LINE):
            cut = len(body)
        if not meta and (_META[current[0]].fullmatch(line) or state == "head"
                         and line.startswith("**") and not _meta_below(lines, at, current[0])):
            # (also after lines typed between the quote and it: they are the note's)
            state, meta = "body", True
            label = (line, first_line + at)
            continue
        if state == "head":
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
        outside=tuple(outside),
        exported_labels=_front_labels(front.get("colors")),
    )


def _front_labels(raw: object) -> dict[str, str]:
    """The colour labels a Markdown export's front matter gives (``colors``)."""
    if not isinstance(raw, dict):
        return {}
    return {c: raw[c] for c in COLORS if isinstance(raw.get(c), str)}


# --------------------------------------------------------------------------- merging


def _lines_not_read(numbers: Sequence[int], one: str, many: str, what: str,
                    advice: str) -> str:
    """'; 2 lines … not imported (lines 4, 9: only a note's own text is read back)'."""
    n = len(numbers)
    at = ", ".join(map(str, numbers[:5])) + (", …" if n > 5 else "")
    return (f"; {n} {one if n == 1 else many} {what} (line{'s' if n > 1 else ''} {at}:"
            f" only a note's own text is read back{advice})")


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
    merged: int = 0
    """Of the updated notes (from a Markdown export), how many keep both texts: each
    was changed here since the export as well as in the file."""
    bookmarks: int = 0
    """Bookmarks added, or whose label was added to one here on the same section."""
    outside: tuple[int, ...] = ()
    """(Markdown) The lines of text written outside every note, not imported."""
    relabelled: tuple[int, ...] = ()
    """(Markdown) The label lines (a highlight's label, colour and tags; a comment's
    author and time) changed in the file: not imported, only a note's text is."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """(JSON) Colour → the label of the file taken for it (the label here was the
    default)."""

    def summary(self) -> str:
        """One line for a status bar or the terminal."""
        line = (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped"
        )
        if self.orphaned:
            line += f" ({self.orphaned} of the added not found in the brief)"
        if self.merged:
            line += (f" ({self.merged} of the updated changed here since the export too:"
                     " both texts kept)")
        if self.bookmarks:
            line += f"; {self.bookmarks} {'bookmark' if self.bookmarks == 1 else 'bookmarks'}"
        if self.outside:
            line += _lines_not_read(self.outside, "line", "lines",
                                    "written outside the notes not imported", "")
        for color, label in self.labels.items():
            line += f"; {color} is now labelled '{label}'"
        if self.relabelled:
            line += _lines_not_read(self.relabelled, "label line", "label lines",
                                    "changed not imported",
                                    "; change a colour or tags in briefreader")
        return line


class _Tally:
    def __init__(self) -> None:
        self.added = self.updated = self.unchanged = self.orphaned = self.merged = 0
        self.bookmarks = 0
        self.reasons: dict[str, int] = {}
        self.which: dict[str, list[str]] = {}  # reason → the items of the file skipped

    def skip(self, reason: str, which: str | None = None) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if which is not None:
            self.which.setdefault(reason, []).append(which)

    def _said(self, reason: str) -> str:
        which = self.which.get(reason)
        if not which:
            return reason
        return f"{reason}: {', '.join(which[:5])}{', …' if len(which) > 5 else ''}"

    def result(self, key: str) -> ImportSummary:
        return ImportSummary(
            self.added,
            self.updated,
            self.unchanged,
            sum(self.reasons.values()),
            tuple(
                f"{n} {'note' if n == 1 else 'notes'} {self._said(reason)}"
                for reason, n in self.reasons.items()
            ),
            self.orphaned,
            key,
            self.merged,
            self.bookmarks,
        )


_Note = Highlight | Comment


def _version(n: _Note) -> str:
    # A deletion is a change too: whichever happened last wins.
    return max(n.modified, n.deleted_at or "")


def import_notes(service: NotesService, path: Path, *, brief: Brief | None = None,
                 sync: bool = True, any_brief: bool = False) -> ImportSummary:
    """Merge a JSON or Markdown export into the store, in one transaction.

    ``brief`` is the brief the notes belong to as it is now (the open one): new notes
    are placed in it. A bad file raises NotesImportError and changes nothing. ``sync``
    and ``any_brief`` as for :func:`apply_import`.
    """
    bundle = read_import(path)
    return apply_import(service, bundle, brief=brief, edited_at=file_time(Path(path)),
                        source=file_identity(Path(path)), sync=sync, any_brief=any_brief)


def file_identity(path: Path) -> str:
    """Which file an import is read from: its full path."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return str(path.absolute())


def file_time(path: Path) -> str:
    """A file's modification time in the store's form: when an export was edited."""
    try:
        when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return now_utc()
    return stamp(when)


def apply_import(
    service: NotesService,
    bundle: ImportBundle,
    *,
    brief: Brief | None = None,
    edited_at: str | None = None,
    source: str = "",
    sync: bool = True,
    any_brief: bool = False,
) -> ImportSummary:
    """Merge a parsed import. ``edited_at`` dates text edited in a Markdown export
    (the file's modification time); it competes with later edits made here.
    ``source`` names the file (:func:`file_identity`): a Markdown export imported again
    from the same file replaces what it wrote before; a copy of it elsewhere, edited
    by someone else, keeps both texts. Without ``sync`` (a window's worker), ``brief``
    must be the version the notes database holds: the window is showing it. Notes
    plainly on another brief than ``brief`` (:func:`_unrelated`) raise OtherBriefError,
    unless ``any_brief``.

    The notes are read, merged and written back; a note changed meanwhile (a window
    going on while a worker imports) makes the merge start again from what it is now,
    so that no edit made meanwhile is written over."""
    for _ in range(MERGE_ATTEMPTS):
        try:
            return _apply_import(service, bundle, brief, edited_at, source, sync, any_brief)
        except NotesChangedError:
            continue
    raise NotesImportError("the notes kept changing while the file was imported; import it again")


#: How many times an import starts again when the notes change under it.
MERGE_ATTEMPTS = 5


def _apply_import(
    service: NotesService,
    bundle: ImportBundle,
    brief: Brief | None,
    edited_at: str | None,
    source: str,
    sync: bool,
    any_brief: bool = False,
) -> ImportSummary:
    from briefreader.notes import brief_key

    store = service.store
    if brief is not None:
        key = brief_key(brief)
        theirs = bundle.brief.key if bundle.brief else None
        if theirs and theirs != key and not _is_path(theirs) and not _is_path(key):
            raise NotesImportError(
                f"these notes are for the brief '{theirs}', not '{key}' ({brief.title})"
            )
        if theirs and theirs != key and not any_brief and _unrelated(service, bundle, brief):
            assert bundle.brief is not None
            raise OtherBriefError(bundle.brief.title or theirs, brief.title)
    elif bundle.brief is not None:
        key = stored_key(store, bundle) or bundle.brief.key
    else:
        key = stored_key(store, bundle) or ""
        if not key:
            raise NotesImportError(
                "the file does not say which brief its notes are on; choose one")
    new_record = None
    if brief is not None and sync:
        service.sync(brief)
    elif brief is not None:
        stored = store.brief_hash(key)
        if stored is None:
            service.sync(brief)  # new to the notes database: recorded
        elif stored != brief.content_hash:
            raise NotesImportError("this brief changed, and its notes are being placed "
                                   "again; import the file when that is done")
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
    for reason, which in bundle.skipped:  # (another tool's annotations with no place here)
        tally.skip(reason, which)
    ids = [n.id for n in (*bundle.highlights, *bundle.comments)] + [t.id for t in bundle.texts]
    have_h, have_c = store.notes_by_id(ids)
    local_h = {h.id: h for h in have_h}
    local_c = {c.id: c for c in have_c}
    read_lineages = store.lineages(ids=ids)
    # What the merge is worked out from: written back only while the notes still are.
    expected = {n.id: (n, read_lineages.get(n.id, "")) for n in (*have_h, *have_c)}
    version = (key, brief.content_hash) if brief is not None else None
    if bundle.format == "markdown":
        earlier = store.imported_texts([t.id for t in bundle.texts])
        # Which export the file is: the time it was made and where it is (a copy sent to
        # two people is two files), with each text's hash then (two exports of one
        # unchanged note differ by their time).
        export_id = f"{bundle.exported_at or ''}{' ' + source if source else ''}"
        upd_h, upd_c, written = _merge_texts(bundle, key, local_h, local_c,
                                             edited_at or now_utc(), tally, earlier, export_id)
        store.merge_notes(update_highlights=upd_h, update_comments=upd_c,
                          imported_texts=written, expected=expected, expected_version=version)
        return replace(tally.result(key), outside=bundle.outside,
                       relabelled=_relabelled(bundle, local_h, local_c))

    same_version = brief is None or (
        bundle.brief is not None and bundle.brief.content_hash == brief.content_hash
    )
    # A Review decision holds for the version of the brief it was made on: taken only
    # when that is the version here (known, not assumed as without a brief given).
    here_hash = brief.content_hash if brief is not None else store.brief_hash(key)
    decided_here = bundle.brief is not None and bundle.brief.content_hash == here_hash
    purged = store.purged_lineages(ids)
    # A comment removed for good here that the file has a new reply to comes back.
    answered = {c.reply_to for c in bundle.comments
                if c.reply_to in purged and c.id not in local_c and c.id not in purged}
    lineages = _Lineages(read_lineages, bundle.lineages, purged, answered)
    # A note whose id is one of the other kind here (a file written by hand, or by
    # another tool) is not this note: left out, and said.
    highlights = [h for h in bundle.highlights if h.id not in local_c]
    comments = [c for c in bundle.comments if c.id not in local_h]
    for _ in range(len(bundle.highlights) + len(bundle.comments)
                   - len(highlights) - len(comments)):
        tally.skip("with the id of a note of another kind here")
    add_h, upd_h, reselected = _merge_highlights(highlights, key, local_h, tally,
                                                 lineages, same_version=decided_here)
    add_c, upd_c = _merge_comments(comments, key, local_c, tally, lineages)
    if not same_version:
        assert brief is not None
        add_h, add_c = _place(service, brief, add_h, add_c)
        if reselected:  # attached by hand to another passage there: found here
            moved = [h for h in upd_h if h.id in reselected]
            placed = {h.id: h for h in _place(service, brief, moved, [])[0]}
            upd_h = [placed.get(h.id, h) for h in upd_h]
    elif brief is not None:  # placements taken from the file: each must hold here
        add_h, add_c, upd_h, upd_c = _placements_held(service, brief, add_h, add_c,
                                                      upd_h, upd_c)
    tally.added = len(add_h) + len(add_c)
    tally.orphaned = sum(n.status == "orphaned" and n.deleted_at is None for n in (*add_h, *add_c))
    taken: dict[str, str] = {}
    tally.bookmarks = store.merge_notes(
        brief=new_record,
        add_highlights=add_h,
        add_comments=add_c,
        update_highlights=upd_h,
        update_comments=upd_c,
        bookmarks=_own_bookmarks(bundle, key),
        labels=bundle.labels,
        lineages=lineages.result,
        removed_bookmarks=[(key, *removal) for removal in bundle.removed_bookmarks],
        expected=expected,
        expected_version=version,
        labels_taken=taken,
    )
    return replace(tally.result(key), labels=taken)


def _relabelled(bundle: ImportBundle, local_h: Mapping[str, Highlight],
                local_c: Mapping[str, Comment]) -> tuple[int, ...]:
    """Where a Markdown export's label lines no longer say what the export wrote of
    their notes. A note changed here since the export is not compared: its label line
    says what it was then."""
    labels = bundle.exported_labels or DEFAULT_LABELS
    changed: list[int] = []
    for t in bundle.texts:
        note: Highlight | Comment | None = (
            local_h.get(t.id) if t.kind == "highlight" else local_c.get(t.id))
        if note is None or not t.label_at:
            continue
        if bundle.exported_at and _version(note) > bundle.exported_at:
            continue
        if not label_line_holds(note, t.label, labels):
            changed.append(t.label_at)
    return tuple(sorted(changed))


def stored_key(store: Store, bundle: ImportBundle) -> str | None:
    """The key in ``store`` of the brief an import file's notes are on, when it is
    known here: the key the file gives; else, for a brief the file names by its file
    name only (export.shared_key), or a Markdown export that names none, the brief here
    its notes are on (the notes known by their ids), or (JSON) the one brief file here
    of that name and version. None when not known here, or not to be told."""
    theirs = bundle.brief.key if bundle.brief is not None else None
    if theirs is not None and store.get_brief(theirs) is not None:
        return theirs
    if not (theirs is None and bundle.format == "markdown"
            or theirs is not None and theirs.startswith(FOLDERS_LEFT_OUT)):
        return None
    ids = [n.id for n in (*bundle.highlights, *bundle.comments)] + [t.id for t in bundle.texts]
    have_h, have_c = store.notes_by_id(ids)
    keys = {n.brief_key for n in (*have_h, *have_c)}
    if len(keys) == 1:
        return keys.pop()
    if keys or bundle.brief is None or len(bundle.brief.content_hash or "") != 64 \
            or theirs is None:
        return None
    name = theirs[len(FOLDERS_LEFT_OUT):]
    # The same file read by another briefreader (another version, or of Python or a
    # library it reads with) has another content hash: only the file's part must agree.
    digits = bundle.brief.content_hash[:FILE_DIGITS]
    found = [key for key, _path in store.keys_with_file_hash(digits)
             if _is_path(key) and re.split(r"[\\/]", key)[-1] == name]
    return found[0] if len(found) == 1 else None


def _unrelated(service: NotesService, bundle: ImportBundle, brief: Brief) -> bool:
    """Whether the notes of an export file of another brief's key (a file path: each
    machine has its own) are plainly on another brief than ``brief``: its title, its
    version, every section's text, most headings and the quotes of theirs differ.
    A reissued brief keeps some of these; two briefs that share none are two briefs.
    Not said of a file that gives nothing to tell by (a Markdown export merges only
    notes already here, by their ids)."""
    theirs = bundle.brief
    if theirs is None or bundle.format == "markdown":
        return False
    if theirs.content_hash and theirs.content_hash == brief.content_hash:
        return False
    # The same title, but for what a reissue adds: "(final)", ", March 2024".
    if theirs.title and _same_title(theirs.title, brief.title):
        return False
    from briefreader.notes import section_text_hash

    empty = section_text_hash("")  # (a heading with no text of its own: in any brief)
    quotes = [h.exact for h in bundle.highlights if len(h.exact.strip()) >= 5][:200]
    hashes = {s.text_hash for s in theirs.sections if s.text_hash} - {empty}
    headings = {_folded(s.heading) for s in theirs.sections[1:] if s.heading.strip()}
    if not quotes and not hashes and not headings:
        return False
    texts = service.section_texts(brief)
    if hashes & {section_text_hash(t.text) for t in texts}:
        return False
    # Most of its headings (two or more): a brief reissued with every paragraph touched.
    shared = headings & {_folded(t.title) for t in texts}
    if len(shared) >= 2 and len(shared) * 2 >= len(headings):
        return False
    # A long quote found, or most of the short ones (short words are in many briefs).
    found = [q for q in quotes if any(q in t.text for t in texts)]
    return not (any(len(q) >= 12 for q in found) or len(found) * 2 > len(quotes) > 0)


def _folded(title: str) -> str:
    return " ".join(title.casefold().split())


def _same_title(a: str, b: str) -> bool:
    """Whether two titles name one brief: the same words once what a reissue changes
    is left out (a status such as "(draft)", "Revised", "final"; a date such as
    ", March 2024"), and accents, hyphens and stops. Not so "Motion to Dismiss" and
    "Opposition to Motion to Dismiss", "Budget 2023" and "Budget 2024", nor
    "Harbour Dredging (Port of Leith)" and "Harbour Dredging (Port of Tyne)"."""
    words = _title_words(a)
    return bool(words) and words == _title_words(b)


_REISSUE_WORDS = frozenset(("draft", "final", "revised", "revision", "updated", "update",
                            "amended", "corrected", "version", "new"))
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december", "jan", "feb", "mar", "apr",
           "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
_DATE = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:" + "|".join(_MONTHS) + r")\b(?:\s+\d{1,2}(?:st|nd|rd|th)?\b)?"
    r"(?:,?\s+\d{4})?|\b\d{4}-\d{2}-\d{2}\b")


def _title_words(title: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", title.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _DATE.sub(" ", folded.replace("-", ""))
    return [w for w in re.findall(r"\w+", folded)
            if w not in _REISSUE_WORDS and not re.fullmatch(r"v\d+", w)]


def _is_path(key: str) -> bool:
    return key.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:[\\/]", key))


def _merge_highlights(
    incoming: Sequence[Highlight], key: str, local: Mapping[str, Highlight], tally: _Tally,
    lineages: _Lineages, *, same_version: bool = False,
) -> tuple[list[Highlight], list[Highlight], set[str]]:
    """New highlights, updates, and of those the ids attached by hand to another
    passage since (to be placed in this version of the brief). Each part of a note
    (text, colour, tags, passage, Trash) is merged on its own (:func:`_parts_taken`). On
    the same version of the brief, a Review decision made there (a note kept without a
    place, a changed passage accepted) and none here, or an earlier one, is taken with
    its placement."""
    add: list[Highlight] = []
    update: list[Highlight] = []
    reselected: set[str] = set()
    for h, mine, taken in _pairs(incoming, key, local, tally, lineages, add.append):
        new = _with_parts(mine, h, taken)
        if "passage" in taken:
            reselected.add(h.id)
            new = replace(new, section_id=h.section_id, section_heading=h.section_heading,
                          section_ordinal=h.section_ordinal, exact=h.exact, prefix=h.prefix,
                          suffix=h.suffix, start=h.start, end=h.end, status=h.status,
                          current_section=h.current_section, current_start=h.current_start,
                          current_end=h.current_end, reviewed=h.reviewed)  # fmt: skip
        elif same_version and _decided_later(h, mine):
            new = _decision_of(h, new)
        _settle(mine, h, new, taken, update, tally)
    return add, update, reselected


_N = TypeVar("_N", Highlight, Comment)


def _pairs(
    incoming: Sequence[_N], key: str, local: Mapping[str, _N], tally: _Tally,
    lineages: _Lineages, add: Callable[[_N], object],
) -> Iterator[tuple[_N, _N, dict[lineage.Part, Literal["theirs", "both"]]]]:
    """Each note of the file that is here too, with the copy here and the parts of it to
    take (:func:`_parts_taken`); those new here are given to ``add`` (on ``key``), but
    for one removed for good from the Trash here and nothing new since (see below)."""
    for n in incoming:
        mine = local.get(n.id)
        # Removed for good here: not brought back by a copy in another Trash, nor by one
        # with nothing new since (its versions all had here); one gone on from them,
        # or answered by a new reply, comes back.
        if (mine is None and n.id in lineages.purged and n.id not in lineages.answered
                and (n.deleted_at is not None or _nothing_new(
                    n, lineages.purged[n.id], lineages.theirs.get(n.id, "")))):
            tally.skip("removed for good from the Trash here")
        elif mine is None:
            add(replace(n, brief_key=key))
            lineages.added(n.id)
        elif mine.brief_key != key:
            tally.skip("on another brief in the notes database")
        else:
            yield n, mine, _parts_taken(mine, n, lineages)


def _nothing_new(n: _Note, had: str, theirs: str) -> bool:
    """Whether a copy's versions (``theirs``) are all ones a note had (``had``): no
    part of it changed since. Not known (no versions on either side): False."""
    if not had or not theirs:
        return False
    return all(lineage.relation(part, had, theirs) in ("same", "mine")
               for part in lineage.values(n))


def _with_parts(mine: _N, theirs: _N, taken: Mapping[str, str]) -> _N:
    """``mine`` with the parts ``taken`` from ``theirs``."""
    if not taken:
        return mine
    changes: dict[str, object] = {}
    if "text" in taken:
        name = "note" if isinstance(mine, Highlight) else "body"
        changes[name] = _text_taken(taken["text"], mine, theirs, getattr(mine, name),
                                    getattr(theirs, name))
    if "colour" in taken:
        changes["color"] = theirs.color  # type: ignore[union-attr]
    if taken.get("tags") == "theirs":
        changes["tags"] = theirs.tags  # type: ignore[union-attr]
    elif "tags" in taken:  # changed apart: the tags of both, in the same order anywhere
        first, then = sorted((mine, theirs), key=lambda n: (n.modified, n.tags))
        changes["tags"] = tuple(dict.fromkeys((*first.tags, *then.tags)))  # type: ignore[union-attr]
    if "trash" in taken:
        changes["deleted_at"] = theirs.deleted_at
    return replace(mine, **changes)


def _settle(mine: _Note, theirs: _Note, new: _Note, taken: Mapping[str, str],
            update: list, tally: _Tally) -> None:
    """A note merged (``new``, from ``mine`` with the parts ``taken`` from ``theirs``):
    to be saved when it changed, and counted."""
    if taken:
        new = replace(new, modified=max(mine.modified, theirs.modified))
    if new != mine:
        update.append(new)
        tally.updated += 1
        tally.merged += taken.get("text") == "both"
    elif taken or lineage.values(theirs) == lineage.values(mine):
        tally.unchanged += 1
    else:
        tally.skip(_older(theirs, mine))


class _Lineages:
    """The lineages (lineage.py) of the notes of an import, here and in the file, and
    what the merge makes of them: to be stored with the notes. Also which of the
    notes were removed for good here (``purged``): what the merge knows of their past."""

    def __init__(self, mine: Mapping[str, str], theirs: Mapping[str, str],
                 purged: Mapping[str, str] | None = None,
                 answered: set[str] | None = None) -> None:
        self.mine = mine
        self.purged = purged or {}  # id → its versions then
        self.answered = answered or set()  # of those, comments the file has new replies to
        self.theirs = {i: lineage.trimmed(line) for i, line in theirs.items()}
        self.result: dict[str, str] = {}

    def added(self, note_id: str) -> None:
        if note_id in self.theirs:
            self.result[note_id] = self.theirs[note_id]

    def merged(self, note_id: str, now: Mapping[lineage.Part, str],
               seen: Sequence[str] = ()) -> None:
        mine = self.mine.get(note_id, "")
        joined = lineage.joined(mine, self.theirs.get(note_id, ""), now, seen)
        if joined != mine:
            self.result[note_id] = joined


def _parts_taken(
    mine: _Note, theirs: _Note, lineages: _Lineages
) -> dict[lineage.Part, Literal["theirs", "both"]]:
    """The parts of a note to take from the file's copy (``both``: changed apart, to
    keep both texts, or the tags of both). A part goes by its versions: the file's is
    taken when the version here is one it had before, kept when the file's is one this
    note had before; texts and tags changed apart keep both; else (versions unknown,
    or a passage or a place in the Trash changed apart) the later copy's is taken. A
    text or tags without versions in the file goes by what is known of its value
    (:func:`lineage.relation_to_value`).
    Records the note's lineage after the merge."""
    m_line, t_line = lineages.mine.get(mine.id, ""), lineages.theirs.get(mine.id, "")
    m_values, t_values = lineage.values(mine), lineage.values(theirs)
    if m_values == t_values and (lineage.shared(m_line) == t_line or set(
            lineage.shared(m_line).split()) == set(t_line.split())):
        return {}  # the same note (an export of it imported again): nothing to do
    later = _version(theirs) > _version(mine)
    # A note from before versions were kept, changed since on one machine: its other
    # parts have the versions every machine gives their values.
    m_line, t_line = lineage.with_bases(m_line, m_values), lineage.with_bases(t_line, t_values)
    m_now, t_now = lineage.current(m_line), lineage.current(t_line)
    taken: dict[lineage.Part, Literal["theirs", "both"]] = {}
    now: dict[lineage.Part, str] = {}
    relations: dict[lineage.Part, lineage.Relation] = {}
    seen: list[str] = []
    for part, value in m_values.items():
        here, there = m_now.get(part), t_now.get(part)
        relation = lineage.relation(part, m_line, t_line)
        relations[part] = relation
        versionless = there is None and part in ("text", "tags")
        if versionless:
            # Their part has no versions: what is known of its value. (Not of a colour
            # or a place in the Trash: those come back to a value had before often.)
            relation = lineage.relation_to_value(part, m_line, t_values[part])
            there = lineage.base_token(part, t_values[part]) if relation == "apart" else None
        if value == t_values[part]:
            # The same: the later version stands; one reached apart is settled on one
            # token both copies choose alike.
            if relation == "theirs" or (relation == "apart" and there < here):  # type: ignore[operator]
                now[part] = there  # type: ignore[assignment]
            elif here or there:
                now[part] = here or there  # type: ignore[assignment]
            continue
        if relation == "apart" and part in ("text", "tags"):
            taken[part] = "both"
            assert here is not None and there is not None
            now[part] = lineage.joint_token(part, _both(part, mine, theirs), here, there)
            if versionless:
                # Theirs is remembered, known when it comes again; both together hold
                # this copy's text not exported yet, and are not exported either.
                seen.append(there)
                now[part] += lineage.UNSHARED
        elif relation == "theirs" or (relation not in ("mine",) and later):
            taken[part] = "theirs"
            # (A value without a version gets the one every machine gives it.)
            now[part] = there or lineage.base_token(part, t_values[part])
        else:  # kept: a version of its own if it had none
            now[part] = here or lineage.token(part, value)
    _edited_stays_out_of_the_trash(m_values, t_values, relations, taken, now, m_now, t_now)
    lineages.merged(mine.id, now, seen)
    return taken


def _edited_stays_out_of_the_trash(
    m_values: Mapping[lineage.Part, object], t_values: Mapping[lineage.Part, object],
    relations: Mapping[lineage.Part, lineage.Relation],
    taken: dict[lineage.Part, Literal["theirs", "both"]], now: dict[lineage.Part, str],
    m_now: Mapping[lineage.Part, str], t_now: Mapping[lineage.Part, str],
) -> None:
    """A note put in the Trash on one machine while its text was edited on the other,
    neither knowing of the other's change, stays out of the Trash on both: the edit
    says someone still wants it (and the Trash is where nobody looks for it)."""
    if "trash" not in relations or "text" not in relations:
        return
    if (relations["trash"] == "theirs" and t_values["trash"] and not m_values["trash"]
            and relations["text"] == "mine"):  # put in the Trash there, edited here
        taken.pop("trash", None)
        now["trash"] = m_now["trash"]
    elif (relations["trash"] == "mine" and m_values["trash"] and not t_values["trash"]
            and relations["text"] == "theirs"):  # put in the Trash here, edited there
        taken["trash"] = "theirs"
        now["trash"] = t_now["trash"]


def _both(part: lineage.Part, mine: _Note, theirs: _Note) -> object:
    """The value of ``part`` that keeps both copies' (texts and tags changed apart)."""
    merged_note = _with_parts(mine, theirs, {part: "both"})
    return lineage.values(merged_note)[part]


def _text_taken(how: str, mine: _Note, theirs: _Note, mine_text: str, their_text: str) -> str:
    """The text of a note merged: the file's, or (``both``) both texts, the one written
    first first, so that two copies merging each other agree."""
    if how == "theirs":
        return their_text
    if (theirs.modified, their_text) < (mine.modified, mine_text):
        return merged(their_text, mine_text)
    return merged(mine_text, their_text)


def _decided_later(h: Highlight, mine: Highlight) -> bool:
    return h.reviewed is not None and (mine.reviewed is None or h.reviewed > mine.reviewed)


def _decision_of(h: Highlight, mine: Highlight) -> Highlight:
    """``mine`` with the Review decision of ``h`` (on the same version of the brief)."""
    return replace(mine, reviewed=h.reviewed, status=h.status,
                   current_section=h.current_section, current_start=h.current_start,
                   current_end=h.current_end)


def _own_bookmarks(bundle: ImportBundle, key: str) -> list[Bookmark]:
    """The file's bookmarks on ``key``, their labels without the parts that only repeat
    their section's title (as bookmarks were once labelled when made)."""
    titles = {s.id: s.heading for s in bundle.brief.sections} if bundle.brief else {}
    return [
        replace(b, brief_key=key, label=" / ".join(
            p.strip() for p in b.label.split(" / ")
            if p.strip() and p.strip() != titles.get(b.section_id)))
        for b in bundle.bookmarks
    ]


def _passage(h: Highlight) -> tuple:
    """Where a highlight was made: what attaching it by hand elsewhere changes."""
    return h.section_id, h.exact, h.prefix, h.suffix, h.start, h.end


def _merge_comments(
    incoming: Sequence[Comment], key: str, local: Mapping[str, Comment], tally: _Tally,
    lineages: _Lineages,
) -> tuple[list[Comment], list[Comment]]:
    """As _merge_highlights: a comment's text and its place in the Trash."""
    add: dict[str, Comment] = {}
    update: list[Comment] = []
    for c, mine, taken in _pairs(incoming, key, local, tally, lineages,
                                 lambda c: add.setdefault(c.id, c)):
        _settle(mine, c, _with_parts(mine, c, taken), taken, update, tally)
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
    earlier: Mapping[str, tuple[str, str, str | None]],
    export_id: str = "",
) -> tuple[list[Highlight], list[Comment], list[tuple[str, str, str, str]]]:
    """Texts edited in a Markdown export. One changed here since the export too keeps
    both texts, this one's first: whichever was written later, neither is lost. (A
    text an earlier import of the same export wrote, untouched since, was not changed
    here: the file edited again replaces it, unless it was edited from the text that
    import wrote over, not from what it wrote: another person's copy, saved where the
    first was.) Also (id, exported hash, written hash, text written over) of each text
    written, for the next import to know."""
    upd_h: list[Highlight] = []
    upd_c: list[Comment] = []
    written: list[tuple[str, str, str, str]] = []
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
        text = _with_layout(current, t.text)
        now = text_hash(current)
        exported = f"{export_id} {t.exported}"
        record = earlier.get(t.id)
        again = record is not None and record[:2] == (exported, now)  # its own import's
        both = bool(t.exported) and now != t.exported and not again
        if again and record[2] is not None and _edited_from_before(t.text, record[2], current):
            both = True
        if both:
            text = merged(current, text)
            if text == current:  # all the file says is here already
                tally.unchanged += 1
                continue
        if isinstance(mine, Comment) and not text.strip():
            tally.skip("emptied in the file (a comment cannot be empty)")
            continue
        # Later than what is here, so that it wins where the notes are synced next.
        when = edited_at if edited_at > _version(mine) else now_utc()
        # Deleted here after the file was edited: the text is kept, in the Trash.
        deleted = mine.deleted_at if mine.deleted_at and mine.deleted_at >= edited_at else None
        if isinstance(mine, Highlight):
            upd_h.append(replace(mine, note=text, modified=when, deleted_at=deleted))
        else:
            upd_c.append(replace(mine, body=text, modified=when, deleted_at=deleted))
        tally.updated += 1
        tally.merged += both
        if t.exported and not both:  # (a text merged holds what was written here)
            written.append((t.id, exported, text_hash(text),
                            record[2] if again and record[2] is not None else current))
    return upd_h, upd_c, written


def _edited_from_before(text: str, before: str, written: str) -> bool:
    """Whether ``text`` was plainly edited from ``before`` (what an earlier import
    wrote over), not from ``written`` (what it wrote): it keeps none of the words that
    import brought. (A figure fixed again, a sentence reworded, a text emptied: the
    same file edited again.)"""
    brought = _words(written) - _words(before)
    return bool(text.strip() and brought and not brought & _words(text))


def _words(text: str) -> set[str]:
    """The words of ``text`` that tell one writer's text from another's (not "the")."""
    return {w.casefold() for w in re.findall(r"\w{4,}", text)}


def _with_layout(current: str, text: str) -> str:
    """``text`` read back from a Markdown export (which trims every line), with each
    line it left as it was taken from ``current`` whole: an edit of one word keeps the
    indentation and line-end spaces of the note's other lines."""
    pairs: list[tuple[str, str]] = []  # each line of canonical_text(current), and as it is
    for raw in _NEWLINE.split(current):
        line = raw.strip()
        if line or (pairs and pairs[-1][0]):
            pairs.append((line, raw if line else ""))
    while pairs and not pairs[-1][0]:
        pairs.pop()
    lines = text.split("\n")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, [c for c, _ in pairs], lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(raw for _, raw in pairs[i1:i2])
        else:
            out.extend(lines[j1:j2])
    return "\n".join(out)


def _place(
    service: NotesService, brief: Brief, highlights: list[Highlight], comments: list[Comment]
) -> tuple[list[Highlight], list[Comment]]:
    """Find new notes in this version of the brief; those not found become orphans."""
    from briefreader.notes import place_notes

    texts = service.section_texts(brief)
    found, comment_places = place_notes(texts, highlights, comments)
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
    placed_c = [
        replace(c, status=status, current_section=where)
        for c, (status, where) in zip(comments, comment_places, strict=True)
    ]
    return placed_h, placed_c


def _placements_held(
    service: NotesService, brief: Brief, *groups: list
) -> tuple[list, ...]:
    """``groups`` of highlights and comments (alternately) whose placements came with
    the file, the version of the brief the same: a placement that does not hold here (a
    section not in the brief, a range outside its text, an ``anchored`` or ``moved``
    passage not reading as its quote: a file written by hand or by another tool) is
    found again from the note's quote, as a new note would be, never stored as is."""
    texts = {t.id: t.text for t in service.section_texts(brief)}
    out: list[list] = []
    for n, group in enumerate(groups):
        holds = _highlight_placed if n % 2 == 0 else _comment_placed
        # (Found from where the note was made, not from where the file put it.)
        wrong = [_made_place(x) for x in group if not holds(x, texts)]
        if not wrong:
            out.append(group)
            continue
        placed_h, placed_c = (_place(service, brief, wrong, []) if n % 2 == 0
                              else _place(service, brief, [], wrong))
        again = {x.id: x for x in (*placed_h, *placed_c)}
        out.append([again.get(x.id, x) for x in group])
    return tuple(out)


def _made_place(n: _N) -> _N:
    if isinstance(n, Highlight):
        return replace(n, status="anchored", current_section=n.section_id,
                       current_start=n.start, current_end=n.end)
    return replace(n, status="anchored", current_section=n.section_id)


def _highlight_placed(h: Highlight, texts: Mapping[str, str]) -> bool:
    if h.current_section is None:
        return (h.status in ("orphaned", "ambiguous")
                and h.current_start is None and h.current_end is None)
    text = texts.get(h.current_section)
    start, end = h.current_start, h.current_end
    if h.status == "orphaned" or text is None or start is None or end is None:
        return False
    if not 0 <= start < end <= len(text):
        return False
    return h.status not in ("anchored", "moved") or text[start:end] == h.exact


def _comment_placed(c: Comment, texts: Mapping[str, str]) -> bool:
    if c.current_section is None:
        return c.status == "orphaned"
    return c.status != "orphaned" and c.current_section in texts


def _only_occurrence(quote: str, texts: Sequence[SectionText]) -> tuple[str, int, int] | None:
    hits = []
    for t in texts:
        at = t.text.find(quote)
        while at != -1 and len(hits) < 2:
            hits.append((t.id, at, at + len(quote)))
            at = t.text.find(quote, at + 1)
    return hits[0] if len(hits) == 1 else None
