"""Notes on a brief: the store, the brief's text and anchoring, tied together.

The window and the CLI both go through :class:`NotesService`; neither touches
SQL or selectors. Notes anchor to the section's normalised plain text
(``render.section_plain_text``), counted in code points.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from briefreader.anchor import (
    Anchoring,
    Candidate,
    SectionRef,
    SectionText,
    Selector,
    find_occurrence,
    make_selector,
    match_section,
    reanchor,
    reanchor_many,
    section_fingerprint,
)
from briefreader.brief import Brief, Section, normalise_text
from briefreader.errors import BriefreaderError
from briefreader.parse import same_file
from briefreader.records import (
    COLORS,
    Bookmark,
    BriefRecord,
    ColorLabel,
    Comment,
    CommentPlacement,
    Highlight,
    HighlightPlacement,
    SaveError,
    SectionRecord,
    StoredBrief,
    new_id,
)
from briefreader.render import fallbacks, plain_texts
from briefreader.store import Store

_TEXT_CACHE_SIZE = 4

log = logging.getLogger(__name__)


class NotesError(BriefreaderError):
    """A note cannot be made as asked (unknown section, quote not found…)."""


@dataclass(frozen=True)
class SyncReport:
    brief_key: str
    new_brief: bool
    """The brief was not in the store before."""
    reanchored: bool
    """The brief changed since last seen and every note was placed again."""
    anchored: int = 0
    moved: int = 0
    changed: int = 0
    ambiguous: int = 0
    orphaned: int = 0
    read_otherwise: bool = False
    """With ``reanchored``: the file is as it was, but this briefreader reads it into
    other sections (a newer version, say), which is why the notes were placed again."""

    @property
    def needs_review(self) -> int:
        return self.ambiguous + self.orphaned

    @property
    def total(self) -> int:
        return self.anchored + self.moved + self.changed + self.ambiguous + self.orphaned

    def summary(self) -> str:
        """One line for a banner, e.g. '12 notes moved, 2 changed, 1 orphaned': the
        statuses' own words, as the notes panel, Review and the JSON say them."""
        counts = [(n, word) for n, word in ((self.moved, "moved"), (self.changed, "changed"),
                                            (self.ambiguous, "ambiguous"),
                                            (self.orphaned, "orphaned")) if n]
        parts = [f"{n} {word}" for n, word in counts]
        if parts:
            parts[0] = f"{counts[0][0]} {'note' if counts[0][0] == 1 else 'notes'} {counts[0][1]}"
        return ", ".join(parts)


@dataclass(frozen=True)
class PlacedHighlight:
    highlight: Highlight
    text: str | None
    """The text now at the highlight's place; None when it is orphaned."""


@dataclass(frozen=True)
class Listing:
    brief: BriefRecord
    report: SyncReport
    highlights: list[PlacedHighlight]
    comments: list[Comment]


def default_author() -> str:
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):  # no user name in the environment or passwd
        return "unknown"


def brief_key(brief: Brief) -> str:
    """A brief's identity in the store: its front-matter id, else its resolved path."""
    if brief.doc_id:
        return brief.doc_id
    if brief.path is not None:
        return stored_path(brief.path)
    raise NotesError(f"the brief {brief.title!r} has neither an id nor a file path")


def stored_path(path: Path) -> str:
    """A brief's resolved path as the store keeps it. A name that is not valid UTF-8
    (bytes of another encoding) cannot be kept: NotesError says so."""
    text = str(path.resolve())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(text).decode("utf-8", "backslashreplace")
        raise NotesError(
            f"notes cannot be kept on {shown}: its name is not valid UTF-8; rename the file"
        ) from None
    return text


def found_briefs(briefs: Sequence[StoredBrief]) -> set[str]:
    """Keys of the stored briefs found where they were last read from: a file is there,
    and no other brief was read from it since (a brief saved over by another)."""
    latest: dict[str, StoredBrief] = {}
    for b in briefs:
        if b.path is not None and (b.path not in latest or b.seen_at > latest[b.path].seen_at):
            latest[b.path] = b
    return {b.key for path, b in latest.items() if os.path.exists(path)}


def section_text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class NotesService:
    def __init__(self, store: Store, *, author: str | None = None):
        self.store = store
        self.author = author or default_author()
        # By content hash and render.fallbacks(): a section shown as plain text for lack
        # of time since is read as the reader shows it.
        self._texts: dict[tuple[str, int], list[SectionText]] = {}
        self._synced: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ brief text

    @property
    def read_only(self) -> bool:
        """The notes database can be read but not written here."""
        return self.store.read_only

    def section_texts(self, brief: Brief) -> list[SectionText]:
        """The plain text of every section, computed once per brief version."""
        key = (brief.content_hash, fallbacks())
        cached = self._texts.get(key)
        if cached is None:
            texts = plain_texts(brief, self.store.text_cache)
            assert texts is not None  # (None only when cancelled)
            cached = [SectionText(s.id, s.title, s.ordinal, text)
                      for s, text in zip(brief.sections, texts, strict=True)]
            while len(self._texts) >= _TEXT_CACHE_SIZE:
                # (Shared with workers: another thread may have let it go already.)
                self._texts.pop(next(iter(self._texts), None), None)
            self._texts[key] = cached
        return cached

    def _section(self, brief: Brief, section_id: str) -> tuple[Section, str]:
        try:
            section = brief.section(section_id)
        except KeyError:
            ids = ", ".join(s.id for s in brief.sections)
            raise NotesError(
                f"no section '{section_id}' in {brief.title!r}; sections: {ids}"
            ) from None
        text = self.section_texts(brief)[brief.index_of(section_id)].text
        return section, text

    def _record(self, brief: Brief) -> BriefRecord:
        texts = self.section_texts(brief)
        sections = tuple(
            SectionRecord(s.id, s.title, s.level, s.ordinal, section_text_hash(t.text))
            for s, t in zip(brief.sections, texts, strict=True)
        )
        path = stored_path(brief.path) if brief.path is not None else None
        return BriefRecord(brief_key(brief), brief.title, path, brief.content_hash, sections)

    # ------------------------------------------------------------------ sync

    def sync(self, brief: Brief) -> SyncReport:
        """Record this version of the brief; when it changed, place every note again.

        Re-anchoring runs once per new version and its results are stored in one
        transaction. A note is never dropped: text that vanished makes it an
        orphan, kept with its quote.
        """
        key = brief_key(brief)
        stored = self.store.get_brief(key)
        reanchored = False
        if stored is None and not self.store.read_only:
            earlier = self._earlier_key(brief, key)
            if earlier is not None and self.store.rekey_brief(earlier, key):
                stored = self.store.get_brief(key)
        if stored is None and self.store.read_only:
            # Nothing can be noted on it here, and it has no notes to list.
            self._synced.add((key, brief.content_hash))
            return SyncReport(key, new_brief=True, reanchored=False,
                              **asdict(self.store.status_counts(key)))
        if stored is None:
            self.store.save_brief(self._record(brief))
        elif stored.content_hash != brief.content_hash:
            record = self._record(brief)
            if record.sections == stored.sections:
                # Changed where no section did (a line the reader does not show, or read
                # by another version of briefreader to the same sections): every note is
                # where it was. Only the new version is recorded.
                self.store.apply_placements(record, expected_hash=stored.content_hash)
                self._synced.add((key, brief.content_hash))
                return SyncReport(key, new_brief=False, reanchored=False,
                                  **asdict(self.store.status_counts(key)))
            highlights, comments = self._reanchor(brief, stored)
            # False: another process stored this version first; its placements stand.
            reanchored = self.store.apply_placements(
                record,
                expected_hash=stored.content_hash,
                highlights=highlights,
                comments=comments,
                bookmarks=self._place_bookmarks(brief, stored),
            )
        else:
            # The same version: its section texts are not needed (they cost a render
            # of every section), only the title and path may have changed.
            path = stored_path(brief.path) if brief.path is not None else None
            # Read again from a file another brief was read from since (saved over,
            # then put back): it is the one there now (see ``found_briefs``).
            back = (path is not None and not self.store.read_only
                    and self.store.seen_later_at(path, key))
            if (stored.title, stored.path) != (brief.title, path) or back:
                self.store.save_brief(replace(stored, title=brief.title, path=path,
                                              seen_at="" if back else stored.seen_at))
        self._synced.add((key, brief.content_hash))
        counts = asdict(self.store.status_counts(key))
        read_otherwise = bool(reanchored and stored is not None
                              and same_file(stored.content_hash, brief.content_hash))
        return SyncReport(key, new_brief=stored is None, reanchored=reanchored,
                          read_otherwise=read_otherwise, **counts)

    def _earlier_key(self, brief: Brief, key: str) -> str | None:
        """The key a brief not stored under ``key`` was stored under before, if any.

        A brief that gained a front-matter id was known by its path. One with no id that
        was moved or renamed, by the path it had: the same bytes, stored under one path
        where no file is now. (One edited as well is only offered: ``likely_earlier``.)"""
        if brief.path is None:
            return None
        try:
            here = stored_path(brief.path)
        except NotesError:  # a name no store can hold: nothing was kept under it
            return None
        if brief.doc_id is not None:
            return here if here != key and self.store.brief_hash(here) is not None else None
        gone = [k for k, path in self.store.keys_with_hash(brief.content_hash)
                if k == path and k != here and not os.path.exists(k)]  # fmt: skip
        return gone[0] if len(gone) == 1 else None

    def likely_earlier(self, brief: Brief) -> StoredBrief | None:
        """The brief not found (see ``briefs_not_found``) that this one is most likely
        a version of, to offer its notes: moved and edited, made Markdown from plain
        text, or saved over with another id or none. More than half of its sections,
        and of this brief's, must be the same text, and only one brief may qualify.
        Only offered, never taken: briefs made from one template share whole sections.
        None with a read-only store too: nothing could be attached.
        """
        if self.read_only:
            return None
        candidates = self.briefs_not_found(brief)
        if not candidates:
            return None
        empty = section_text_hash("")  # a heading with no text of its own

        def texts(record: BriefRecord | None) -> set[str]:
            return set() if record is None else {
                s.text_hash for s in record.sections if s.text_hash != empty}

        mine = texts(self._record(brief))
        fits = []
        for b in candidates:
            theirs = texts(self.store.get_brief(b.key))
            shared = len(theirs & mine)
            if 2 * shared > len(theirs) and 2 * shared > len(mine):
                fits.append(b)
        return fits[0] if len(fits) == 1 else None

    def likely_earlier_apart(self, brief: Brief) -> StoredBrief | None:
        """``likely_earlier`` for a worker thread, through a connection of its own: it
        looks for the file of every brief kept, which on a share no longer reachable can
        take long."""
        if self.read_only:
            return None
        with self.apart() as worker:
            return worker.likely_earlier(brief)

    @contextmanager
    def apart(self) -> Iterator[NotesService]:
        """This service on a connection of the calling thread's own (a worker's)."""
        with Store(self.store.database, backup_interval=None, checked=True) as store:
            worker = NotesService(store, author=self.author)
            worker._texts = self._texts  # shared: the texts are not rendered again
            yield worker

    def needs_texts(self, brief: Brief) -> bool:
        """Whether sync() will render every section (a new or changed brief): slow for
        a big brief, so a window does that part on a worker thread first."""
        if (brief.content_hash, fallbacks()) in self._texts:
            return False
        return self.store.brief_hash(brief_key(brief)) != brief.content_hash

    def notes_to_place(self, brief: Brief) -> int:
        """How many notes (not those in the Trash) sync() will place again: none for a
        new brief or for the version placed already."""
        key = brief_key(brief)
        stored = self.store.brief_hash(key)
        if stored is None and not self.store.read_only:
            # Known under another key before: sync() takes its notes and places them.
            earlier = self._earlier_key(brief, key)
            if earlier is not None:
                key, stored = earlier, self.store.brief_hash(earlier)
        if stored in (None, brief.content_hash):
            return 0
        return sum(asdict(self.store.status_counts(key)).values())

    def prepare(self, brief: Brief) -> SyncReport | None:
        """sync() on a worker thread: every section's text and, for a new or changed
        brief, its notes placed and stored, through a connection of the thread's own.
        sync() on the window's thread then finds the brief placed and only reads.

        None when that could not be done; sync() then meets the reason again and
        reports it (or, when it has passed, does the work itself)."""
        try:
            self.section_texts(brief)
            with self.apart() as worker:
                return worker.sync(brief)
        except BriefreaderError:
            return None
        except Exception:  # noqa: BLE001 - the window's own sync() goes on regardless
            log.exception("notes of %r could not be prepared", brief.title)
            return None

    def _ensure_synced(self, brief: Brief) -> str:
        key = brief_key(brief)
        if (key, brief.content_hash) not in self._synced:
            self.sync(brief)
        return key

    def _reanchor(
        self, brief: Brief, stored: BriefRecord
    ) -> tuple[list[HighlightPlacement], list[CommentPlacement]]:
        # Deleted notes are placed too, so a restored one shows where it is now.
        highlights = self.store.highlights(stored.key, trash=None)
        comments = self.store.comments(stored.key, trash=None)
        results, comment_places = place_notes(
            self.section_texts(brief), highlights, comments,
            ordinals={s.id: s.ordinal for s in stored.sections}, earlier=stored.sections,
        )
        placed = [
            HighlightPlacement(
                h.id,
                a.status,
                a.section_id,
                a.start if a.section_id is not None else None,
                a.end if a.section_id is not None else None,
            )
            for h, a in zip(highlights, results, strict=True)
        ]
        placed_comments = [
            CommentPlacement(c.id, status, found)
            for c, (status, found) in zip(comments, comment_places, strict=True)
        ]
        return placed, placed_comments

    def _place_bookmarks(self, brief: Brief, stored: BriefRecord) -> list[tuple[str, str]]:
        """(bookmark id, section now) of each bookmark whose section is another one in
        this version: a heading reworded in a reissue takes its bookmark along, as it
        does its comments. A bookmark whose section is gone stays as it was."""
        texts = self.section_texts(brief)
        now = {t.id for t in texts}
        earlier = {s.id: s for s in stored.sections}
        still = _still_earlier(texts, stored.sections)
        moved = []
        for b in self.store.bookmarks(stored.key):
            found = place_bookmark(b, texts, earlier.get(b.section_id), still)
            if found is not None and found != b.section_id and found in now:
                moved.append((b.id, found))
        return moved

    # ------------------------------------------------------------------ making notes

    def annotate(
        self,
        brief: Brief,
        section_id: str,
        quote: str,
        *,
        occurrence: int = 1,
        note: str = "",
        color: str = "yellow",
        tags: Sequence[str] = (),
    ) -> Highlight:
        """Highlight the ``occurrence``-th appearance of ``quote`` in a section."""
        _, text = self._section(brief, section_id)
        wanted = normalise_text(quote)
        if not wanted:
            raise NotesError("the quote is empty")
        if occurrence < 1:
            raise NotesError("the occurrence must be 1 or more")
        found = find_occurrence(text, wanted, occurrence)
        if found is None:
            count = text.count(wanted)  # non-overlapping, as find_occurrence counts
            if count == 0:
                raise NotesError(f"{quote!r} does not occur in section '{section_id}'")
            times = "once" if count == 1 else f"{count} times"
            raise NotesError(
                f"{quote!r} occurs only {times} in section '{section_id}', not {occurrence}"
            )
        return self.highlight_range(
            brief, section_id, found[0], found[1], note=note, color=color, tags=tags
        )

    def highlight_range(
        self,
        brief: Brief,
        section_id: str,
        start: int,
        end: int,
        *,
        note: str = "",
        color: str = "yellow",
        tags: Sequence[str] = (),
    ) -> Highlight:
        """Highlight code points ``start``–``end`` of a section's plain text."""
        _check_color(color)
        place = self._place(brief, section_id, start, end)
        highlight = Highlight(
            id=new_id(),
            brief_key=brief_key(brief),
            color=color,
            note=note,
            tags=_clean_tags(tags),
            author=self.author,
            **place,
        )
        return _keeping_draft(note, self.store.add_highlight, highlight)

    def _place(self, brief: Brief, section_id: str, start: int, end: int) -> dict:
        """The selector and placement fields of a highlight at a span of a section."""
        section, text = self._section(brief, section_id)
        if not 0 <= start < end <= len(text):
            raise NotesError(
                f"range {start}–{end} is outside section '{section_id}' (0–{len(text)})"
            )
        self._ensure_synced(brief)
        sel = make_selector(text, start, end)
        return {
            "section_id": section.id,
            "section_heading": section.title,
            "section_ordinal": section.ordinal,
            "exact": sel.exact,
            "prefix": sel.prefix,
            "suffix": sel.suffix,
            "start": sel.start,
            "end": sel.end,
            "status": "anchored",
            "current_section": section.id,
            "current_start": sel.start,
            "current_end": sel.end,
        }

    def comment(
        self, brief: Brief, section_id: str, text: str, *, reply_to: str | None = None
    ) -> Comment:
        section, plain = self._section(brief, section_id)
        if not text.strip():
            raise NotesError("the comment is empty")
        key = self._ensure_synced(brief)
        if reply_to is not None:
            # A thread is shown in one section: where its comment is now.
            parent = self.store.get_comment(reply_to)
            if parent.current_section not in (None, section.id):
                raise NotesError(f"comment '{reply_to}' is on section"
                                 f" '{parent.current_section}': its replies go there")
        comment = Comment(
            id=new_id(),
            brief_key=key,
            section_id=section.id,
            section_heading=section.title,
            section_ordinal=section.ordinal,
            section_fingerprint=section_fingerprint(plain),
            body=text,
            author=self.author,
            reply_to=reply_to,
            status="anchored",
            current_section=section.id,
        )
        return _keeping_draft(text, self.store.add_comment, comment)

    # ------------------------------------------------------------------ editing

    def edit_highlight(
        self,
        highlight_id: str,
        *,
        note: str | None = None,
        color: str | None = None,
        tags: Sequence[str] | None = None,
        expected_note: str | None = None,
    ) -> Highlight:
        """See Store.update_highlight (``expected_note``: EditConflictError when the
        note was changed elsewhere since)."""
        if color is not None:
            _check_color(color)
        cleaned = None if tags is None else _clean_tags(tags)
        return _keeping_draft(
            note, self.store.update_highlight, highlight_id, note=note, color=color,
            tags=cleaned, expected_note=expected_note,
        )

    def edit_comment(
        self, comment_id: str, body: str, *, expected_body: str | None = None
    ) -> Comment:
        if not body.strip():
            raise NotesError("the comment is empty")
        return _keeping_draft(body, self.store.update_comment, comment_id, body,
                              expected_body=expected_body)

    def delete_highlight(self, highlight_id: str) -> None:
        self.store.delete_highlight(highlight_id)

    def restore_highlight(self, highlight_id: str) -> None:
        self.store.restore_highlight(highlight_id)

    def delete_comment(self, comment_id: str) -> None:
        self.store.delete_comment(comment_id)

    def restore_comment(self, comment_id: str) -> None:
        self.store.restore_comment(comment_id)

    def keep_orphan(self, highlight_id: str) -> Highlight:
        """The user settled a note in review: kept as an orphan, not offered again."""
        return self.store.settle_highlight(highlight_id, orphan=True)

    def purge(self, highlight_ids: Sequence[str] = (), comment_ids: Sequence[str] = ()) -> None:
        """Remove these notes, all in the Trash, for good (all or none): an import of a
        copy still in the Trash elsewhere does not bring them back. Live replies to a
        purged comment lose their parent. A live note is NoteNotFoundError: nothing
        goes."""
        self.store.purge(highlight_ids, comment_ids)

    def empty_trash(self, brief: Brief) -> None:
        """Remove the brief's deleted highlights and comments for good. Live replies
        to a purged comment lose their parent."""
        self.store.empty_trash(self._ensure_synced(brief))

    # ------------------------------------------------------------------ bookmarks, labels

    def add_bookmark(self, brief: Brief, section_id: str, position: int, label: str) -> Bookmark:
        key = self._ensure_synced(brief)
        return self.store.add_bookmark(Bookmark(new_id(), key, section_id, position, label))

    def rename_bookmark(self, bookmark_id: str, label: str) -> None:
        self.store.rename_bookmark(bookmark_id, label)

    def delete_bookmark(self, bookmark_id: str) -> None:
        self.store.delete_bookmark(bookmark_id)

    def bookmarks(self, brief: Brief) -> list[Bookmark]:
        return self.store.bookmarks(brief_key(brief))

    def color_labels(self) -> tuple[ColorLabel, ...]:
        return self.store.color_labels()

    # ------------------------------------------------------------------ reading

    def highlights(self, brief: Brief, *, trash: bool = False) -> list[Highlight]:
        return self.store.highlights(self._ensure_synced(brief), trash=trash)

    def comments(self, brief: Brief, *, trash: bool = False) -> list[Comment]:
        return self.store.comments(self._ensure_synced(brief), trash=trash)

    def comment_sections(self, brief: Brief) -> dict[str, str | None]:
        """Comment id → the section it is in as last placed, before any sync of this
        version of the brief (what a reissue renamed can then be told from it). Empty
        when this version is the one placed already: nothing will move."""
        key = brief_key(brief)
        if self.store.brief_hash(key) in (None, brief.content_hash):
            return {}
        return {c.id: c.current_section for c in self.store.comments(key)}

    def get_highlight(self, highlight_id: str) -> Highlight:
        """One highlight as stored now (live or deleted); NoteNotFoundError if gone."""
        return self.store.get_highlight(highlight_id)

    def get_comment(self, comment_id: str) -> Comment:
        """One comment as stored now (live or deleted); NoteNotFoundError if gone."""
        return self.store.get_comment(comment_id)

    def text_at(self, brief: Brief, highlight: Highlight) -> str | None:
        """The text now at a highlight's place in this version of the brief."""
        if highlight.status == "orphaned" or highlight.current_section is None:
            return None
        try:
            index = brief.index_of(highlight.current_section)
        except KeyError:
            return None
        text = self.section_texts(brief)[index].text
        return text[highlight.current_start : highlight.current_end]

    def candidates(
        self, brief: Brief, highlight: Highlight, *, ordinals: Mapping[str, int] | None = None
    ) -> tuple[Candidate, ...]:
        """Places that might fit an ambiguous or orphaned highlight, best first.
        ``ordinals``: ``section_ordinals(brief)``, read once for many highlights."""
        if ordinals is None:
            ordinals = self.section_ordinals(brief)
        sel, section = _last_known_place(highlight)
        ordinal = ordinals.get(section, highlight.section_ordinal)
        return reanchor(sel, section, ordinal, self.section_texts(brief)).candidates

    def section_ordinals(self, brief: Brief) -> dict[str, int]:
        """Section id → place in reading order, in the version of the brief last stored
        (where notes were made or last placed)."""
        stored = self.store.get_brief(brief_key(brief))
        return {s.id: s.ordinal for s in stored.sections} if stored else {}

    def reattach(
        self, brief: Brief, highlight_id: str, section_id: str, start: int, end: int
    ) -> Highlight:
        """Place a highlight by hand (the user resolved an ambiguous or orphaned one)."""
        place = self._place(brief, section_id, start, end)
        placed = replace(self.store.get_highlight(highlight_id), **place)
        return self.store.reattach_highlight(placed)

    def put_back(self, before: Highlight) -> Highlight:
        """Put a highlight back as it was before a decision in review (Accept, Attach,
        Keep as orphan) that is undone: its passage, place, status and ``reviewed``."""
        return self.store.reattach_highlight(before)

    def briefs_not_found(self, brief: Brief) -> list[StoredBrief]:
        """Briefs other than this one with notes kept (in the Trash too), not found
        where they were read from (see ``found_briefs``; a brief saved over by this
        one is not found either): whose notes ``take_notes`` may give this one."""
        key = brief_key(brief)
        stored = self.store.stored_briefs()
        found = found_briefs(stored)
        return [b for b in stored if b.key != key and b.notes and b.key not in found]

    def earlier_keys(self, brief: Brief) -> list[str]:
        """The keys this brief's notes were kept under before (it gained an id, was
        moved, or was given another's notes): what was typed under them is its own."""
        return self.store.earlier_keys(brief_key(brief))

    def take_notes(self, brief: Brief, earlier_key: str) -> list[str]:
        """Give this brief the notes kept under ``earlier_key`` (a brief not found where
        it was read from, which was not recognised: moved and much edited, say), beside
        its own; the ids of the notes given. The next sync places them all on this
        brief's text."""
        key = brief_key(brief)
        if earlier_key == key:
            raise NotesError(f"the notes kept under {earlier_key!r} are this brief's already")
        if self.store.brief_hash(earlier_key) is None:
            raise NotesError(f"no brief {earlier_key!r} in the notes database"
                             " ('briefreader db briefs' lists them)")  # fmt: skip
        moved = self.store.move_notes(earlier_key, key)
        self._synced = {synced for synced in self._synced if synced[0] != key}
        return moved

    def attach(self, brief: Brief, earlier_key: str) -> Listing:
        """``take_notes``, then everything on the brief, as ``listing`` lists it."""
        self.take_notes(brief, earlier_key)
        return self.listing(brief)

    def listing(self, brief: Brief, *, sync: bool = True) -> Listing:
        """Sync (re-anchoring if the brief changed), then everything on the brief.
        Without ``sync`` (a window's worker), ``brief`` must be the version the notes
        database holds (the window shows it): else NotesError, as the notes are being
        placed again for another."""
        stored = None if sync else self.store.brief_hash(brief_key(brief))
        if stored is None:
            report = self.sync(brief)
        elif stored == brief.content_hash:  # placed for it already: nothing is written
            report = SyncReport(brief_key(brief), new_brief=False, reanchored=False)
        else:
            raise NotesError("this brief changed, and its notes are being placed again; "
                             "try again when that is done")
        key = report.brief_key
        # None: a brief new to a read-only store (see sync), with no notes.
        record = self.store.get_brief(key) or self._record(brief)
        placed = [PlacedHighlight(h, self.text_at(brief, h)) for h in self.store.highlights(key)]
        return Listing(record, report, placed, self.store.comments(key))


def place_comment(
    c: Comment, texts: Sequence[SectionText], *, hint: str | None = None,
    others: Collection[str] = (),
) -> tuple[str, str | None]:
    """(status, section) of a section comment in this version of a brief. ``others``:
    sections now that are plainly other sections of the version it was last placed in
    (see ``match_section``)."""
    ref = SectionRef(hint or c.section_id, c.section_heading, c.section_ordinal,
                     c.section_fingerprint)
    found = match_section(ref, texts, others)
    if found is None:
        return "orphaned", None
    return ("anchored" if found == c.section_id else "moved"), found


def place_bookmark(
    b: Bookmark, texts: Sequence[SectionText], old: SectionRecord | None,
    still: Mapping[str, set[str]],
) -> str | None:
    """The section a bookmark made on ``old`` (its section in the version it was last
    placed in) is in now, or None when it is in none. ``still``: see _still_earlier."""
    same_text = [sid for sid, olds in still.items() if b.section_id in olds]
    if same_text:
        return b.section_id if b.section_id in same_text else same_text[0]
    if old is None:
        return b.section_id if any(t.id == b.section_id for t in texts) else None
    others = [sid for sid, olds in still.items() if b.section_id not in olds]
    return match_section(SectionRef(b.section_id, old.heading, old.ordinal, ""), texts, others)


def place_notes(
    texts: Sequence[SectionText],
    highlights: Sequence[Highlight],
    comments: Sequence[Comment],
    *,
    ordinals: Mapping[str, int] | None = None,
    earlier: Sequence[SectionRecord] = (),
) -> tuple[list[Anchoring], list[tuple[str, str | None]]]:
    """Where each note is in this version of a brief: one rule for re-anchoring after an
    edit and for imported notes. Each is looked for from its last known place
    (``ordinals``: the old sections' positions, when known; ``earlier``: the old
    sections, when known, which tell the sections that are still one of them)."""
    ordinals = ordinals or {}
    items = []
    for h in highlights:
        sel, section = _last_known_place(h)
        items.append((sel, section, ordinals.get(section, h.section_ordinal)))
    found = reanchor_many(items, texts) if items else []
    found = [_from_own_section(a, h.section_id) for h, a in zip(highlights, found, strict=True)]
    still = _still_earlier(texts, earlier)
    placed = []
    for c in comments:
        hint = c.current_section or c.section_id
        others = [sid for sid, olds in still.items() if hint not in olds]
        placed.append(place_comment(c, texts, hint=hint, others=others))
    return found, placed


def _still_earlier(
    texts: Sequence[SectionText], earlier: Sequence[SectionRecord]
) -> dict[str, set[str]]:
    """Section id now -> the ids of the old sections with its very text (none for a
    section with no text of its own: every such heading has the same)."""
    empty = section_text_hash("")
    old: dict[str, set[str]] = {}
    for s in earlier:
        if s.text_hash != empty:
            old.setdefault(s.text_hash, set()).add(s.id)
    if not old:
        return {}
    return {t.id: old[h] for t in texts if t.text and (h := section_text_hash(t.text)) in old}


def _from_own_section(found: Anchoring, section_id: str) -> Anchoring:
    """A highlight found letter for letter is "anchored" in the section it was made in
    (or attached to) and "moved" anywhere else, as a comment is: it is looked for from
    its last place, but a brief put back as it was puts it back as anchored, and one
    that moved stays "moved" through later reissues."""
    if found.status not in ("anchored", "moved") or found.section_id is None:
        return found
    status = "anchored" if found.section_id == section_id else "moved"
    return found if status == found.status else replace(found, status=status)


def _last_known_place(h: Highlight) -> tuple[Selector, str]:
    """The stored quote at its latest known place: the best hint for a new version."""
    if h.current_section is not None and h.current_start is not None:
        section, start, end = h.current_section, h.current_start, h.current_end
    else:
        section, start, end = h.section_id, h.start, h.end
    return Selector(h.exact, h.prefix, h.suffix, start, end), section


def _check_color(color: str) -> None:
    if color not in COLORS:
        raise NotesError(f"unknown colour '{color}'; use one of {', '.join(COLORS)}")


def _clean_tags(tags: Sequence[str]) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = [tags]
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = tag.strip()
        if cleaned:
            seen.setdefault(cleaned)
    return tuple(seen)


def _keeping_draft(draft, save, *args, **kwargs):
    """Run a save; on failure the error carries the user's text so it is not lost."""
    try:
        return save(*args, **kwargs)
    except SaveError as exc:
        if exc.draft is None:
            exc.draft = draft
        raise
