"""The open brief's notes, as the window sees them: a cache over the notes service,
and every change made through an undoable command.

Opening a brief loads all its notes; a change to one note then updates only that
note's entry (read back from the store), so a brief of thousands of notes is not
re-read on every autosave. Imports and emptying the trash still reload everything.

Nothing here draws; the window listens to ``changed`` and ``save_failed`` and
updates the reader, the notes panel and the navigator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.notes import NotesService, SyncReport, brief_key
from briefreader.records import (
    Bookmark,
    Comment,
    EditConflictError,
    Highlight,
    NoteNotFoundError,
)
from briefreader.text_merge import merged_over

REVIEW_STATUSES = ("changed", "ambiguous", "orphaned")
_Item = TypeVar("_Item", Highlight, Comment)
#: Consecutive autosaves of one note merge into one undo step.
_EDIT_NOTE_ID = 4201

class Annotations(QObject):
    changed = Signal()  # highlights, comments or bookmarks of the open brief changed
    #: Only the text of this note or comment changed: where the notes are, their
    #: counts, tags and what needs review are as they were.
    text_changed = Signal(str)
    save_failed = Signal(str, str)  # item id ("" when none yet), message
    saved = Signal(str)  # item id: the text of this note or comment was saved
    #: The note or comment had been changed in another window since this one read it:
    #: both texts were saved (item id, the text stored now).
    merged_elsewhere = Signal(str, str)

    def __init__(self, notes: NotesService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notes = notes
        self.undo_stack = QUndoStack(self)
        self.brief: Brief | None = None
        self.highlights: dict[str, Highlight] = {}
        self.comments: dict[str, Comment] = {}
        #: Comments in the Trash: one with replies still shows as "Deleted comment".
        self.deleted_comments: dict[str, Comment] = {}
        self.bookmarks: list[Bookmark] = []
        self.labels: dict[str, str] = {}
        # The brief, and version of it, whose notes the caches hold.
        self._loaded_key: tuple[str | None, str] | None = None
        # What the queries below read: worked out in one pass over the notes when first
        # asked, then kept in step with each note put in or taken out (a brief of
        # 10,000 notes would otherwise be walked once per query, on every change).
        self._summary: _Summary | None = None

    # -- loading -----------------------------------------------------------------------
    def open_brief(self, brief: Brief, *, keep_undo: bool = False) -> SyncReport | None:
        """Sync the brief with the store (re-anchoring if it changed) and load its notes.
        ``keep_undo``: the same brief opened again (its notes are the same notes, with
        others' added), so what was done on it can still be undone."""
        keep_undo = keep_undo and brief is self.brief
        self.brief = brief
        if not keep_undo:
            self.undo_stack.clear()
        report = None
        try:
            report = self.notes.sync(brief)
        except BriefreaderError as exc:
            self.save_failed.emit("", f"Notes could not be updated for this brief: {exc}")
        self.reload()
        return report

    def close_brief(self) -> None:
        """No brief open: nothing cached, nothing to undo."""
        self.brief = None
        self.highlights, self.comments, self.bookmarks = {}, {}, []
        self.deleted_comments = {}
        self._loaded_key = None
        self._summary = None
        self.undo_stack.clear()

    def reload(self) -> None:
        if self.brief is None:
            return
        key = (self.open_key(), self.brief.content_hash)
        try:
            highlights = {h.id: h for h in self.notes.highlights(self.brief)}
            comments = {c.id: c for c in self.notes.comments(self.brief)}
            deleted = {c.id: c for c in self.notes.comments(self.brief, trash=True)}
            bookmarks = self.notes.bookmarks(self.brief)
            self.labels = {c.color: c.label for c in self.notes.color_labels()}
        except BriefreaderError as exc:
            # This version's notes as last read stay (a card being typed in keeps its
            # text); another brief's, or another version's places, are never shown.
            if self._loaded_key != key:
                self.highlights, self.comments, self.bookmarks = {}, {}, []
                self.deleted_comments = {}
                self._loaded_key = key
            self.save_failed.emit("", f"Notes could not be read: {exc}")
        else:
            self.highlights, self.comments, self.bookmarks = highlights, comments, bookmarks
            self.deleted_comments = deleted
            self._loaded_key = key
        self._summary = None
        self.changed.emit()

    def reload_labels(self) -> None:
        """The colours' labels changed (Preferences): only they are read again."""
        try:
            self.labels = {c.color: c.label for c in self.notes.color_labels()}
        except BriefreaderError as exc:
            self.save_failed.emit("", f"The colour labels could not be read: {exc}")
            return
        self.changed.emit()

    def open_key(self) -> str | None:
        """The open brief's key in the store; None when none is open or it has none."""
        if self.brief is None:
            return None
        try:
            return brief_key(self.brief)
        except BriefreaderError:
            return None

    # -- keeping the cache in step, one note at a time ----------------------------------
    def _put_highlight(self, highlight_id: str, h: Highlight | None) -> None:
        """Cache one highlight as stored now: live ones of this brief in, others out."""
        old = self.highlights.get(highlight_id)
        if h is None or h.deleted_at is not None or h.brief_key != self.open_key():
            self.highlights.pop(highlight_id, None)
            h = None
        else:
            self.highlights[highlight_id] = h  # who lists them sorts them
        if self._summary is not None:
            if old is not None:
                self._summary.highlight(old, -1)
            if h is not None:
                self._summary.highlight(h, 1)

    def _put_comment(self, comment_id: str, c: Comment | None) -> None:
        self.deleted_comments.pop(comment_id, None)
        old = self.comments.get(comment_id)
        if c is None or c.deleted_at is not None or c.brief_key != self.open_key():
            self.comments.pop(comment_id, None)
            if c is not None and c.deleted_at is not None and c.brief_key == self.open_key():
                self.deleted_comments[comment_id] = c
            c = None
        else:
            self.comments[comment_id] = c
        if self._summary is not None:
            if old is not None:
                self._summary.comment(old, -1)
            if c is not None:
                self._summary.comment(c, 1)

    def _reread_highlight(self, highlight_id: str) -> None:
        try:
            h = self.notes.get_highlight(highlight_id)
        except NoteNotFoundError:
            h = None  # purged meanwhile (another window): no longer a note of ours
        self._put_highlight(highlight_id, h)

    def _reread_comment(self, comment_id: str) -> None:
        try:
            c = self.notes.get_comment(comment_id)
        except NoteNotFoundError:
            c = None
        self._put_comment(comment_id, c)

    def _reread_bookmarks(self) -> None:
        self.bookmarks = self.notes.bookmarks(self.brief) if self.brief is not None else []

    # -- queries -----------------------------------------------------------------------
    def _summed(self) -> _Summary:
        if self._summary is None:
            self._summary = _Summary(self.highlights.values(), self.comments.values())
        return self._summary

    def in_section(self, section_id: str) -> list[Highlight]:
        return self._summed().placed_in(section_id)

    def comments_in(self, section_id: str) -> list[Comment]:
        return self._summed().comments_in(section_id)

    def threads_in(self, section_id: str) -> list[Comment]:
        """The section's comments, with those in the Trash that replies shown still
        answer (shown as "Deleted comment", so a thread keeps its shape)."""
        shown = self.comments_in(section_id)
        ids = {c.id for c in shown}
        wanted = [c.reply_to for c in shown]
        while wanted:
            parent = self.deleted_comments.get(wanted.pop() or "")
            if parent is not None and parent.id not in ids:
                ids.add(parent.id)
                shown.append(parent)
                wanted.append(parent.reply_to)
        by_id = {c.id: c for c in shown}

        def depth(c: Comment) -> int:
            """How many comments above it in its thread: of two written in the same
            instant, the one answered comes first."""
            n = 0
            while c.reply_to in by_id and n < len(by_id):
                c, n = by_id[c.reply_to], n + 1
            return n

        return sorted(shown, key=lambda c: (c.created, depth(c)))

    def needs_review(self) -> list[Highlight]:
        return list(self._summed().needs_review.values())

    def kept_orphans(self) -> list[Highlight]:
        """Notes found nowhere in this version that the user chose to keep so."""
        return list(self._summed().kept_orphans.values())

    def counts_by_section(self) -> dict[str, tuple[int, int, bool]]:
        """section id → (highlights, comments, any needing review). A note found in no
        one place now (ambiguous, or orphaned) counts as needing review in the section
        it was made in, so that it can be found from there."""
        return self._summed().counts

    def tags(self) -> set[str]:
        """Every tag of the open brief's highlights."""
        return self._summed().tags

    def authors(self) -> set[str]:
        """Everyone who wrote a highlight or comment of the open brief."""
        return self._summed().authors

    def bookmark_in(self, section_id: str) -> Bookmark | None:
        return next((b for b in self.bookmarks if b.section_id == section_id), None)

    # -- changes (undoable) ------------------------------------------------------------
    def create_highlight(self, section_id: str, start: int, end: int, color: str) -> str | None:
        command = _Create(self, section_id, start, end, color)
        self.undo_stack.push(command)
        return command.highlight_id

    def recolour(self, highlight_id: str, color: str) -> None:
        old = self.highlights.get(highlight_id)
        if old is not None and old.color != color:
            self.undo_stack.push(_Edit(self, highlight_id, "Recolour highlight",
                                       {"color": old.color}, {"color": color}))

    def set_tags(self, highlight_id: str, tags: Sequence[str]) -> None:
        old = self.highlights.get(highlight_id)
        if old is not None and tuple(old.tags) != tuple(tags):
            self.undo_stack.push(_Edit(self, highlight_id, "Change tags",
                                       {"tags": tuple(old.tags)}, {"tags": tuple(tags)}))

    def edit_note(self, highlight_id: str, text: str, over: str | None = None) -> None:
        """Save a note's text, typed over ``over`` (default: the note as last read)."""
        old = self.highlights.get(highlight_id)
        if old is not None and old.note == text:
            self.saved.emit(highlight_id)  # the store holds it already (typed back to it)
        elif old is not None:
            self.undo_stack.push(_Edit(self, highlight_id, "Edit note",
                                       {"note": old.note}, {"note": text}, merge=True,
                                       over=over))

    def delete_highlight(self, highlight_id: str) -> None:
        if highlight_id in self.highlights:
            self.undo_stack.push(_Delete(self, highlight_id))

    def restore_highlight(self, highlight_id: str) -> None:
        self._apply(lambda: self.notes.restore_highlight(highlight_id), highlight_id,
                    then=lambda _: self._reread_highlight(highlight_id))

    def _trash_highlight(self, highlight_id: str) -> None:
        # To the trash, not gone: the note may already hold words the user typed.
        self._apply(lambda: self.notes.delete_highlight(highlight_id), highlight_id,
                    then=lambda _: self._put_highlight(highlight_id, None))

    # comments are saved at once; deleting goes to the trash and can be undone there
    def add_comment(self, section_id: str, body: str, reply_to: str | None) -> Comment:
        """Post a comment. BriefreaderError when it could not be saved: the caller keeps
        the text (the window puts it back in its box)."""
        comment = self.notes.comment(self.brief, section_id, body, reply_to=reply_to)
        self._put_comment(comment.id, comment)
        self.changed.emit()
        return comment

    def edit_comment(self, comment_id: str, body: str, over: str | None = None) -> None:
        """Save a comment's body, typed over ``over`` (default: the body as last read)."""
        cached = self.comments.get(comment_id)
        if over is None and cached is not None:
            over = cached.body
        try:
            comment, theirs = _saved_over(
                lambda text, expected: self.notes.edit_comment(comment_id, text,
                                                               expected_body=expected),
                body, over, lambda c: c.body)
        except BriefreaderError as exc:
            self.save_failed.emit(comment_id, str(exc))
            return
        self._put_comment(comment_id, comment)
        if theirs is not None and comment_id in self.comments:
            self.merged_elsewhere.emit(comment_id, comment.body)  # first, as for notes
        self.saved.emit(comment_id)
        if comment_id in self.comments:
            self.text_changed.emit(comment_id)
        else:  # deleted elsewhere meanwhile: it leaves the window
            self.changed.emit()

    def delete_comment(self, comment_id: str) -> None:
        self._apply(lambda: self.notes.delete_comment(comment_id), comment_id,
                    then=lambda _: self._reread_comment(comment_id))

    def restore_comment(self, comment_id: str) -> None:
        self._apply(lambda: self.notes.restore_comment(comment_id), comment_id,
                    then=lambda _: self._reread_comment(comment_id))

    def toggle_bookmark(self, section_id: str, position: int, label: str) -> bool | None:
        """True when a bookmark was added, False when removed, None on failure."""
        if self.brief is None:
            return None
        existing = self.bookmark_in(section_id)
        brief = self.brief
        try:
            if existing is not None:
                self.notes.delete_bookmark(existing.id)
            else:
                self.notes.add_bookmark(brief, section_id, position, label)
        except BriefreaderError as exc:
            self.save_failed.emit("", f"The bookmark was not saved: {exc}")
            return None
        self._after_write(self._reread_bookmarks)
        return existing is None

    def keep_orphan(self, highlight_id: str) -> None:
        if self.brief is None or highlight_id not in self.highlights:
            return  # (a view of notes no longer open)
        self._settle(highlight_id, "Keep as orphan",
                     lambda: self.notes.keep_orphan(highlight_id))

    def rename_bookmark(self, bookmark_id: str, label: str) -> None:
        self._apply(lambda: self.notes.rename_bookmark(bookmark_id, label), bookmark_id,
                    then=lambda _: self._reread_bookmarks())

    def remove_bookmark(self, bookmark_id: str) -> None:
        self._apply(lambda: self.notes.delete_bookmark(bookmark_id), bookmark_id,
                    then=lambda _: self._reread_bookmarks())

    def empty_trash(self) -> None:
        # A full reload: purging a comment also changes its live replies.
        if self.brief is None:
            return
        brief = self.brief
        gone: set[str] = set()

        def empty() -> None:
            gone.update(h.id for h in self.notes.highlights(brief, trash=True))
            gone.update(self.deleted_comments)
            self.notes.empty_trash(brief)

        if self._apply(empty, ""):
            self._forget_undo_of(gone)

    def purge(self, notes: Sequence[tuple[str, str]]) -> bool:
        """Delete these notes of the Trash ((kind, id), kind "highlight" or "comment") for
        good, all or none. Not undoable: the window asks first. Whether they went; when
        not (one was restored or deleted meanwhile, in another window), ``save_failed``
        says so and the notes are read again."""
        if self.brief is None or not notes:
            return False
        highlight_ids = [i for kind, i in notes if kind == "highlight"]
        comment_ids = [i for kind, i in notes if kind == "comment"]
        try:
            self.notes.purge(highlight_ids, comment_ids)
        except NoteNotFoundError:
            self.save_failed.emit("", "Nothing was deleted for good: a note was restored or "
                                      "deleted for good elsewhere meanwhile. The Trash now "
                                      "shows what is in it.")
            self.reload()
            return False
        except BriefreaderError as exc:
            self.save_failed.emit("", f"Nothing was deleted for good: {exc}")
            self.reload()
            return False
        self._forget_undo_of({*highlight_ids, *comment_ids})
        # Only comments are cached (those in the Trash that replies answer); replies to
        # one purged answer none now.
        gone = set(comment_ids)
        replies = [c.id for c in (*self.comments.values(), *self.deleted_comments.values())
                   if c.reply_to in gone and c.id not in gone]

        def update() -> None:
            for comment_id in gone:
                self.deleted_comments.pop(comment_id, None)
            for reply_id in replies:
                self._reread_comment(reply_id)

        self._after_write(update)
        return True

    def _forget_undo_of(self, gone: set[str]) -> None:
        """Notes deleted for good cannot come back: when the undo history holds a step
        of one of them (one that would bring it back, or change it), it goes, as the
        question before said. (A history of other notes only stays.)"""
        stack = self.undo_stack
        steps = (stack.command(i) for i in range(stack.count()))
        if any(getattr(step, "hid", None) in gone
               or getattr(step, "highlight_id", None) in gone for step in steps):
            stack.clear()

    def replies_to(self, comment_ids: Iterable[str]) -> int:
        """How many other comments, live or in the Trash, answer these."""
        ids = set(comment_ids)
        return sum(1 for c in (*self.comments.values(), *self.deleted_comments.values())
                   if c.reply_to in ids and c.id not in ids)

    def trash(self) -> tuple[list[Highlight], list[Comment]]:
        """The brief's deleted notes; none (and ``save_failed`` says why) when they
        cannot be read."""
        if self.brief is None:
            return [], []
        try:
            return (self.notes.highlights(self.brief, trash=True),
                    self.notes.comments(self.brief, trash=True))
        except BriefreaderError as exc:
            self.save_failed.emit("", f"The trash could not be read: {exc}")
            return [], []

    # review
    def accept(self, highlight_id: str) -> None:
        h = self.highlights.get(highlight_id)
        if h is None or h.current_section is None or h.current_start is None:
            return
        brief, section, start, end = self.brief, h.current_section, h.current_start, h.current_end
        self._settle(highlight_id, "Accept note's place",
                     lambda: self.notes.reattach(brief, highlight_id, section, start, end))

    def attach(self, highlight_id: str, section_id: str, start: int, end: int) -> None:
        if self.brief is None or highlight_id not in self.highlights:
            return  # (a view of notes no longer open)
        brief = self.brief
        self._settle(highlight_id, "Attach note",
                     lambda: self.notes.reattach(brief, highlight_id, section_id, start, end))

    def _settle(self, highlight_id: str, text: str, decide: Callable[[], Highlight]) -> None:
        """A decision in review, as an undo step: undone, the note is as it was before
        (its stored passage too), and asks to be reviewed again."""
        before = self.highlights[highlight_id]
        if self._apply(decide, highlight_id,
                       then=lambda h: self._put_highlight(highlight_id, h)):
            self.undo_stack.push(_Settle(self, before, text, decide))

    # -- plumbing ----------------------------------------------------------------------
    def _apply(self, action: Callable[[], object], item_id: str, *,
               then: Callable[[object], None] | None = None) -> bool:
        """Run a write; on success update the cache with ``then`` (given what the write
        returned), or reload everything when there is no ``then``."""
        try:
            result = action()
        except BriefreaderError as exc:
            self.save_failed.emit(item_id, str(exc))
            return False
        if then is None:
            self.reload()
        else:
            self._after_write(lambda: then(result))
        return True

    def _after_write(self, update: Callable[[], None]) -> None:
        """Bring the cache up to date after a successful write, then say so. Should
        reading the note back fail, everything is read again (which reports errors)."""
        try:
            update()
        except BriefreaderError:
            self.reload()
            return
        self.changed.emit()


class _Create(QUndoCommand):
    def __init__(self, owner: Annotations, section_id: str, start: int, end: int,
                 color: str) -> None:
        super().__init__("Highlight")
        self.owner, self.args = owner, (section_id, start, end, color)
        self.highlight_id: str | None = None

    def redo(self) -> None:
        o = self.owner
        if self.highlight_id is None:
            section_id, start, end, color = self.args
            try:
                h = o.notes.highlight_range(o.brief, section_id, start, end, color=color)
            except BriefreaderError as exc:
                self.setObsolete(True)
                o.save_failed.emit("", f"The highlight was not saved: {exc}")
                return
            self.highlight_id = h.id
            o._put_highlight(h.id, h)
            o.changed.emit()
        else:
            o.restore_highlight(self.highlight_id)

    def undo(self) -> None:
        if self.highlight_id is not None:
            self.owner._trash_highlight(self.highlight_id)


class _Edit(QUndoCommand):
    def __init__(self, owner: Annotations, highlight_id: str, text: str, before: dict,
                 after: dict, *, merge: bool = False, over: str | None = None) -> None:
        super().__init__(text)
        self.owner, self.hid, self.before, self.after, self.merge = (
            owner, highlight_id, before, after, merge)
        self._over = over  # the note text typed over, when the panel knows it
        #: The note as this step's last save left it (None: none saved yet).
        self._left: str | None = None
        #: Its first save met a note changed in another window and kept both texts.
        self.merged_over = False

    def id(self) -> int:  # noqa: A003 - Qt API
        return _EDIT_NOTE_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        # A save that kept another window's text is an undo step of its own: undone, it
        # goes back to that text, not to what this window had before.
        if not (isinstance(other, _Edit) and other.merge and other.hid == self.hid
                and not other.merged_over):
            return False
        self.after = other.after
        if other._left is not None:  # (its save may have failed: then ours stands)
            self._left = other._left
        return True

    def _set(self, values: dict) -> None:
        o = self.owner
        theirs = None
        try:
            if "note" not in values:
                h = o.notes.edit_highlight(self.hid, **values)
            elif self._left is None and values is self.before:
                return  # never saved: nothing to undo
            elif self._left is None:  # its first save (or a retry of it)
                cached = o.highlights.get(self.hid)
                over = self._over if self._over is not None else (
                    cached.note if cached is not None else None)
                rest = {k: v for k, v in values.items() if k != "note"}
                h, theirs = _saved_over(
                    lambda text, expected: o.notes.edit_highlight(
                        self.hid, note=text, expected_note=expected, **rest),
                    values["note"], over, lambda h: h.note)
            else:
                # Undone or redone: only over the text this step left, else another
                # window has changed the note since, and its text would be lost.
                try:
                    h = o.notes.edit_highlight(self.hid, **values, expected_note=self._left)
                except EditConflictError:
                    self.setObsolete(True)
                    # Not a save that failed (no Retry): nothing here was lost.
                    o.save_failed.emit("", "Not undone: the note was changed in another "
                                           "window since. Edit it here, or undo it there.")
                    return
        except BriefreaderError as exc:
            o.save_failed.emit(self.hid, str(exc))
            return
        if "note" in values:
            self._left = h.note
        o._put_highlight(self.hid, h)
        if theirs is not None:
            self.merged_over = True
            self.before = {**self.before, "note": theirs}
            self.after = {**self.after, "note": h.note}
            if self.hid in o.highlights:  # first: the box takes it in as it is typed in
                o.merged_elsewhere.emit(self.hid, h.note)
        if "note" in values:  # a colour or tags saved says nothing of the note's text
            o.saved.emit(self.hid)
        # Only the text, of a note still here: nothing else on screen depends on it.
        # (Tags fill the filters; a note trashed elsewhere meanwhile leaves the cache.)
        if values.keys() == {"note"} and self.hid in o.highlights:
            o.text_changed.emit(self.hid)
        else:
            o.changed.emit()

    def redo(self) -> None:
        self._set(self.after)

    def undo(self) -> None:
        self._set(self.before)


class _Settle(QUndoCommand):
    """A decision taken in review, taken already when pushed."""

    def __init__(self, owner: Annotations, before: Highlight, text: str,
                 decide: Callable[[], Highlight]) -> None:
        super().__init__(text)
        self.owner, self.hid, self.before, self.decide = owner, before.id, before, decide
        self._taken = True

    def _run(self, write: Callable[[], Highlight]) -> None:
        o = self.owner
        o._apply(write, self.hid, then=lambda h: o._reread_highlight(self.hid))

    def redo(self) -> None:
        if self._taken:  # pushed once taken
            self._taken = False
            return
        self._run(self.decide)

    def undo(self) -> None:
        self._run(lambda: self.owner.notes.put_back(self.before))


class _Delete(QUndoCommand):
    def __init__(self, owner: Annotations, highlight_id: str) -> None:
        super().__init__("Delete highlight")
        self.owner, self.hid = owner, highlight_id

    def redo(self) -> None:
        self.owner._trash_highlight(self.hid)

    def undo(self) -> None:
        self.owner.restore_highlight(self.hid)


def _saved_over(save: Callable[[str, str | None], _Item], text: str, expected: str | None,
                text_of: Callable[[_Item], str]) -> tuple[_Item, str | None]:
    """Save ``text`` typed over ``expected`` (the text this window last read). When
    another window changed it since, save what that window added too, first. (The saved
    item, and the other window's text, or None when there was none.)"""
    try:
        return save(text, expected), None
    except EditConflictError as exc:
        theirs = text_of(exc.current)  # type: ignore[arg-type]
        both = merged_over(expected or "", theirs, text)
        # (When the other window only took away, this text is saved as it is.)
        return save(both, theirs), theirs if both != text else None


class _Summary:
    """The open brief's notes grouped as the window asks for them: built in one pass,
    then kept in step one note at a time."""

    def __init__(self, highlights: Iterable[Highlight], comments: Iterable[Comment]) -> None:
        self._placed: dict[str, dict[str, Highlight]] = {}
        self._comments: dict[str, dict[str, Comment]] = {}
        self._counts: dict[str, list[int]] = {}  # highlights, comments, needing review
        self.needs_review: dict[str, Highlight] = {}
        self.kept_orphans: dict[str, Highlight] = {}
        self._tags: Counter[str] = Counter()
        self._authors: Counter[str] = Counter()
        for h in highlights:
            self.highlight(h, 1)
        for c in comments:
            self.comment(c, 1)

    def highlight(self, h: Highlight, sign: int) -> None:
        """Count ``h`` in (``sign`` 1) or out (-1)."""
        _add(self._tags, h.tags, sign)
        _add(self._authors, (h.author,), sign)
        needs_review = h.status in REVIEW_STATUSES and not h.reviewed
        if needs_review:
            _put(self.needs_review, h, sign)
        elif h.status == "orphaned":
            _put(self.kept_orphans, h, sign)
        # A note found in no one place now counts (as needing review) where it was made.
        section = h.current_section
        if section is None:
            if needs_review:
                self._count(h.section_id, 2, sign)
            return
        self._count(section, 0, sign)
        if needs_review:
            self._count(section, 2, sign)
        if h.current_start is not None and h.status != "orphaned":
            _put(self._placed.setdefault(section, {}), h, sign)

    def comment(self, c: Comment, sign: int) -> None:
        _add(self._authors, (c.author,), sign)
        if c.current_section is not None:
            self._count(c.current_section, 1, sign)
            _put(self._comments.setdefault(c.current_section, {}), c, sign)

    def _count(self, section: str, which: int, sign: int) -> None:
        entry = self._counts.setdefault(section, [0, 0, 0])
        entry[which] += sign
        if not any(entry):
            del self._counts[section]

    @property
    def counts(self) -> dict[str, tuple[int, int, bool]]:
        return {k: (v[0], v[1], v[2] > 0) for k, v in self._counts.items()}

    @property
    def tags(self) -> set[str]:
        return set(self._tags)

    @property
    def authors(self) -> set[str]:
        return set(self._authors)

    def placed_in(self, section_id: str) -> list[Highlight]:
        return sorted(self._placed.get(section_id, {}).values(),
                      key=lambda h: (h.current_start, h.current_end))

    def comments_in(self, section_id: str) -> list[Comment]:
        return sorted(self._comments.get(section_id, {}).values(), key=lambda c: c.created)


def _put(into: dict[str, _Item], item: _Item, sign: int) -> None:
    if sign > 0:
        into[item.id] = item
    else:
        del into[item.id]


def _add(counter: Counter[str], keys: Iterable[str], sign: int) -> None:
    for key in keys:
        counter[key] += sign
        if not counter[key]:
            del counter[key]
