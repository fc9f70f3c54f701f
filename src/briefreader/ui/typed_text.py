"""Text typed and not yet in the store: unposted comment drafts and the typing journal.

Unposted comments and replies are kept in the settings file (``Settings`` comment
drafts) as they autosave. On top of that, every keystroke in any note, comment or
reply box goes to the typing journal (:mod:`briefreader.journal`) before any
autosave, and is settled once the store, or the drafts file, holds that text.

When a brief opens, what the journal still holds for it was typed before a crash,
a kill, or a save that failed before the window closed: unposted drafts go back
to the drafts file, and notes and comments are saved again. Should the note have
been changed since (in another window), both texts are kept, the later first.
Should saving fail again, the text waits in its box as an unsaved draft, with
Retry, and stays in the journal.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject

from briefreader.brief import Brief
from briefreader.journal import Typed, TypingJournal
from briefreader.records import BriefreaderError, NoteNotFoundError
from briefreader.settings import Settings
from briefreader.text_merge import merged
from briefreader.ui.annotations import Annotations
from briefreader.ui.notes_panel import CommentDraftKey, NotesPanel

log = logging.getLogger(__name__)

NOT_SAVED = "typed before briefreader last closed, and not saved yet"


class TypedText(QObject):
    def __init__(self, annotations: Annotations, panel: NotesPanel, settings: Settings | None,
                 folder: Path, report: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.annotations, self.panel, self.settings = annotations, panel, settings
        self.report = report
        self.journal = TypingJournal(folder)
        self._journal_failed_told = False
        self._draft_write_failed = False
        panel.text_typed.connect(self.on_text_typed)
        panel.comment_draft_changed.connect(self.on_comment_draft_changed)
        panel.set_comment_draft_loader(self.load_comment_drafts)
        panel.set_comment_locator(lambda cid: cid in annotations.comments)
        # on_saved is connected by the owner after the panel's mark_saved: it asks the
        # panel whether typing goes on past what was saved.

    def close(self) -> None:
        self.journal.close()

    # -- the journal -------------------------------------------------------------------
    def on_text_typed(self, kind: str, key: object, text: str) -> None:
        if isinstance(key, CommentDraftKey):
            if key.brief is None:
                return
            reply_to = key.reply_to or ""
            base = ("" if self.journal.holds("draft", key.brief, key.section, reply_to)
                    else self._kept_draft(key.brief, key.section, key.reply_to))
            ok = self.journal.typed("draft", key.brief, key.section, text,
                                    reply_to=reply_to, base=base)
        else:
            brief = self.annotations.open_key()
            if brief is None:
                return
            stored = self._stored(str(key))
            if text == stored:  # typed back to what the store holds: nothing to keep
                self.journal.settled(kind, brief, str(key))
                return
            ok = self.journal.typed(kind, brief, str(key), text, base=stored)
        if not ok and not self._journal_failed_told:
            self.report("What you type cannot be kept on disk until it is saved: "
                        "the data folder cannot be written.")
        self._journal_failed_told = not ok

    def _stored(self, item_id: str) -> str:
        an = self.annotations
        if item_id in an.highlights:
            return an.highlights[item_id].note
        c = an.comments.get(item_id)
        return c.body if c is not None else ""

    def on_saved(self, item_id: str) -> None:
        """The store saved a note or comment. When the panel holds nothing unsaved for
        it, what the store holds is what is shown (a save of the last text typed, or an
        undo): the journal forgets it. Else typing goes on from what was saved."""
        brief = self.annotations.open_key()
        an = self.annotations
        kind = "note" if item_id in an.highlights else "comment"
        if brief is None or (kind == "comment" and item_id not in an.comments):
            return
        pending = self.panel.holds_draft(item_id)
        self.journal.settled(kind, brief, item_id, self._stored(item_id) if pending else None)

    def move_briefs(self, from_briefs: Sequence[str], to_brief: str) -> None:
        """The notes of the brief keys ``from_briefs`` went to ``to_brief`` (a brief known
        by another key before, or whose notes were attached): so does what was typed
        in them and not saved, and unposted comments."""
        if not from_briefs:
            return
        for old in from_briefs:
            self.journal.move_brief(old, to_brief)
        if self.settings is not None:
            try:
                self.settings.move_brief_drafts(set(from_briefs), to_brief)
            except Exception:  # noqa: BLE001 - a damaged settings file must not stop opening
                log.exception("comment drafts could not follow the notes of %r", from_briefs)

    def recover(self) -> int:
        """Save again the notes and comments of the open brief that the journal holds
        unsaved; how many were saved. Drafts were recovered before the brief's notes
        were shown (:meth:`recover_drafts`)."""
        brief = self.annotations.open_key()
        if brief is None:
            return 0
        saved = 0
        for entry in self.journal.pending(brief):
            if entry.kind != "draft" and self._recover_item(brief, entry):
                saved += 1
        return saved

    def _recover_item(self, brief: str, entry: Typed) -> bool:
        an = self.annotations
        note = entry.kind == "note"
        if entry.item not in (an.highlights if note else an.comments):
            # In the Trash: kept for when it is restored. Gone for good: forgotten.
            if self._purged(entry):
                self.journal.settled(entry.kind, brief, entry.item)
            return False
        stored = self._stored(entry.item)
        # Unchanged since the typing began: the typed text replaces it. Changed since
        # some other way (another window, an import): both are kept.
        text = entry.text if stored in (entry.base, entry.text) else merged(stored, entry.text)
        if text != stored:
            (an.edit_note if note else an.edit_comment)(entry.item, text)
            if self._stored(entry.item) != text:  # not saved (or gone meanwhile)
                self.panel.keep_draft(entry.item, entry.kind, text, NOT_SAVED, over=stored)
                return False
        self.journal.settled(entry.kind, brief, entry.item)
        return text != stored

    def _purged(self, entry: Typed) -> bool:
        """Whether the note or comment is gone from the store (not merely in the Trash).
        Unsure (the store cannot be read): not gone."""
        get = (self.annotations.notes.get_highlight if entry.kind == "note"
               else self.annotations.notes.get_comment)
        try:
            get(entry.item)
        except NoteNotFoundError:
            return True
        except BriefreaderError:
            return False
        return False

    def comment_sections(self, brief: Brief) -> dict[str, str | None]:
        """Where each comment of ``brief`` was before it is opened (and synced)."""
        try:
            return self.annotations.notes.comment_sections(brief)
        except BriefreaderError:
            return {}

    def recover_drafts(self, placed: dict[str, str | None] | None = None) -> None:
        """Unposted comments and replies of the open brief that the journal holds go
        back into the drafts file, before the panel reads them. One kept there meanwhile
        (another window's) is kept too, the later written first; one posted since, as
        a comment of that section (or reply to that comment), is not brought back."""
        brief = self.annotations.open_key()
        if brief is None or self.settings is None:
            return
        for entry in self.journal.pending(brief):
            if entry.kind != "draft":
                continue
            if not (entry.text.strip() and self._posted(entry)):
                try:
                    ok = self._recover_draft(brief, entry)
                except Exception:  # noqa: BLE001 - kept in the journal for next time
                    ok = False
                if not ok:
                    continue
            self.journal.settled("draft", brief, entry.item, reply_to=entry.reply_to)
        self._rehome_drafts(brief, placed or {})  # those just put back go along too
        # What the panel remembers, or shows, of a section takes in what is kept now.
        self.panel.reread_comment_drafts()

    def _rehome_drafts(self, brief: str, placed: dict[str, str | None]) -> None:
        """Unposted comments of sections this version of the brief no longer has go to
        the section most comments there went to (``placed``: where each comment was
        before this version was opened), else to the first section; the status bar says
        where."""
        an, b = self.annotations, self.annotations.brief
        assert self.settings is not None and b is not None
        titles = {s.id: s.title for s in b.sections}
        if not titles:
            return

        def home(section: str) -> str:
            went = Counter(c.current_section for c in an.comments.values()
                           if placed.get(c.id, c.section_id) == section
                           and c.current_section in titles)
            return went.most_common(1)[0][0] if went else next(iter(titles))

        shown = {c.id for c in an.comments.values() if c.current_section in titles}
        try:
            moved = self.settings.rehome_comment_drafts(brief, titles.keys(), home, shown)
        except Exception:  # noqa: BLE001 - a damaged settings file must not stop opening
            return
        for new in dict.fromkeys(new for _, new in moved):
            self.report("An unposted comment of a section this brief no longer has is "
                        f"now in the comment box of “{titles[new]}”.")

    def _recover_draft(self, brief: str, entry: Typed) -> bool:
        """Put a journalled draft back in the drafts file; whether that is done. What
        the file holds is replaced while it is what the typing began from (emptied
        too, when the box was); a draft kept there since (another window's) stays,
        beside the typed text, the later written first."""
        assert self.settings is not None
        reply_to = entry.reply_to or None
        kept = self.settings.comment_drafts(brief, entry.item).get(reply_to, "")
        if kept in (entry.base, entry.text) or not kept.strip():
            text = entry.text
        elif not entry.text.strip():
            return True
        else:
            kept_at = self.settings.comment_draft_saved(brief, entry.item, reply_to)
            text = (merged(kept, entry.text) if kept_at is not None
                    and kept_at >= _epoch(entry.at) else merged(entry.text, kept))
        # Written now, as far as pruning old drafts goes: it is back in its box.
        return text == kept or self.settings.save_comment_draft(brief, entry.item, reply_to,
                                                                text)

    def _kept_draft(self, brief: str, section: str, reply_to: str | None) -> str:
        if self.settings is None:
            return ""
        try:
            return self.settings.comment_drafts(brief, section).get(reply_to, "")
        except Exception:  # noqa: BLE001 - a damaged settings file: nothing kept
            return ""

    def _posted(self, entry: Typed) -> bool:
        """Whether the text of this draft was posted, in its section and thread, after it
        was typed (an "Agreed." posted before is another comment)."""
        text, typed_at = entry.text.strip(), _epoch(entry.at)
        return any(c.body.strip() == text and c.current_section == entry.item
                   and (c.reply_to or "") == entry.reply_to and _epoch(c.created) >= typed_at
                   for c in self.annotations.comments.values())

    # -- unposted comment drafts -------------------------------------------------------
    def load_comment_drafts(self, brief: str, section: str) -> dict:
        """The unposted comment and replies of a section. A reply goes with its comment
        when a reissued brief moved the comment to another section."""
        if self.settings is None:
            return {}
        try:
            drafts = self.settings.comment_drafts(brief, section)
            an = self.annotations
            if an.open_key() != brief:
                return drafts
            for reply_to in [r for r in drafts if r is not None]:
                comment = an.comments.get(reply_to)
                if comment is not None and comment.current_section not in (None, section):
                    del drafts[reply_to]  # shown, and moved, where its comment is now
            here = [c.id for c in an.comments_in(section)]
            drafts.update(self.settings.move_reply_drafts(brief, section, here))
            return drafts
        except Exception:  # noqa: BLE001 - a damaged settings file must not stop the panel
            return {}

    def on_comment_draft_changed(self, key: CommentDraftKey, text: str) -> None:
        """Keep an unposted comment or reply on disk (blank text: forget it)."""
        if self.settings is None or key.brief is None:
            return
        try:
            ok = self.settings.save_comment_draft(key.brief, key.section, key.reply_to, text)
        except Exception:  # noqa: BLE001 - the text stays in its box; never crash typing
            ok = False
        if ok:
            self.journal.settled("draft", key.brief, key.section, text,
                                 reply_to=key.reply_to or "")
        elif not self._draft_write_failed:
            self.report("Unposted comments could not be kept on disk: post them to keep them.")
        self._draft_write_failed = not ok


def _epoch(stamp: str) -> float:
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return 0.0
