"""Note-taking in the window: highlights in the reader, the notes panel, review, trash
and bookmarks, wired to the open brief's ``Annotations``.

The main window creates one ``NoteTaking`` and tells it when the brief or the section
changes; everything about notes is connected here, in ``_connect_signals``.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from briefreader.anchor import Candidate
from briefreader.brief import Brief, Section
from briefreader.errors import BriefreaderError
from briefreader.notes import NotesService, SyncReport
from briefreader.records import HIGHLIGHT_STATUSES, StoredBrief
from briefreader.ui.actions import Actions
from briefreader.ui.annotations import REVIEW_STATUSES, Annotations
from briefreader.ui.banner import Banner
from briefreader.ui.bookmarks import BookmarksView
from briefreader.ui.exchange import NotesExchange
from briefreader.ui.highlights import Span
from briefreader.ui.item_views import NAME_PROPERTY, add_docks
from briefreader.ui.navigator import Navigator
from briefreader.ui.notes_panel import NotesPanel
from briefreader.ui.reader import ReaderView
from briefreader.ui.review import PLACE_CONTEXT_CHARS, Place, ReviewItem, ReviewView, excerpt
from briefreader.ui.trash import TrashView
from briefreader.ui.typed_text import TypedText


def _in_front(dock: QDockWidget) -> bool:
    """Whether a dock is on screen: shown, and not behind another's tab."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def ask_to_delete(parent, title: str, text: str, verb: str) -> bool:
    """Whether to delete for good: a button that says so (``verb``), Cancel the default."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Cancel, parent)
    go = box.addButton(verb, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


def confirm_empty_trash(parent) -> bool:
    """Ask before anything is deleted for good. Tests replace this function."""
    return ask_to_delete(
        parent, "Empty Trash?",
        "Delete every highlight and comment in the trash for good? This cannot be undone.",
        "&Empty Trash")


def confirm_purge(parent, notes: Sequence[str], replies: int = 0) -> bool:
    """Ask before notes of the Trash are deleted for good, naming them (``notes``: each
    as the Trash shows it); ``replies``: how many comments answer those going (they
    stay, answering none). Tests replace this function."""
    n = len(notes)
    named = "\n".join(excerpt(text, 70) for text in notes[:3])
    if n > 3:
        named += f"\n… and {n - 3} more"
    if n == 1:
        question = "Delete this note for good? It cannot be undone."
    else:
        question = f"Delete these {n} notes for good? They cannot be undone."
    question += f"\n\n{named}"
    if replies:
        answered = "it" if n == 1 else "those"
        question += ("\n\n" + (f"The reply to {answered} stays, as a comment of its own."
                                if replies == 1 else f"The {replies} replies to {answered}"
                                " stay, as comments of their own."))
    return ask_to_delete(parent, "Delete for Good?", question, "&Delete for Good")


def confirm_close_unsaved(parent) -> bool:
    """Ask before closing loses typed text that could be neither saved nor kept for
    later. Tests replace this function."""
    answer = QMessageBox.warning(
        parent, "Close without your notes?",
        "Some notes could not be saved, and could not be kept on disk for later either."
        " Close anyway and lose them? (Cancel, then copy them elsewhere, or free disk space"
        " and choose Retry.)",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


log = logging.getLogger(__name__)

@dataclass(frozen=True)
class _Attached:
    """Notes of another brief just given to the open one, to be placed and said."""

    brief: str | None
    """The key of the brief they were given to."""
    source: StoredBrief
    notes: tuple[str, ...]


class NoteTaking(QObject):
    #: (the key of the brief looked for, the brief not found whose notes it is likely
    #: to be, the attach count when the look began): sent from a worker thread.
    _earlier_found = Signal(object, object, int)

    def __init__(self, window: QMainWindow, notes: NotesService, actions: Actions,
                 reader: ReaderView, navigator: Navigator, banner: Banner) -> None:
        super().__init__(window)
        self.window = window
        self.annotations = Annotations(notes, self)
        self.actions = actions
        self.reader = reader
        self.navigator = navigator
        self.banner = banner
        self.dark = False
        self.panel = NotesPanel(window)
        # Unposted comments in the window's settings file; all typing in the journal.
        self.typed = TypedText(self.annotations, self.panel, getattr(window, "settings", None),
                               Path(notes.store.database).parent / "journal",
                               lambda text: window.statusBar().showMessage(text, 8000), self)
        self.review = ReviewView(window)
        self.trash = TrashView(window)
        self.bookmarks = BookmarksView(window)
        self.docks = add_docks(window, (
            ("notes", "Notes", self.panel, Qt.DockWidgetArea.RightDockWidgetArea),
            ("review", "Review", self.review, Qt.DockWidgetArea.RightDockWidgetArea),
            ("trash", "Trash", self.trash, Qt.DockWidgetArea.RightDockWidgetArea),
            ("bookmarks", "Bookmarks", self.bookmarks, Qt.DockWidgetArea.RightDockWidgetArea),
        ))
        # One column of tabs beside the text: a dock of its own on the left made an
        # 800-pixel window wider than its screen.
        window.tabifyDockWidget(self.docks["notes"], self.docks["review"])
        window.tabifyDockWidget(self.docks["review"], self.docks["trash"])
        window.tabifyDockWidget(self.docks["trash"], self.docks["bookmarks"])
        self.docks["notes"].raise_()
        # Whether each view is on screen: a dock behind another's tab still says it is
        # visible, but visibilityChanged follows its tab too.
        self._on_screen = dict.fromkeys(("review", "trash", "bookmarks"), False)
        for name in self._on_screen:
            self.docks[name].hide()
            self.docks[name].visibilityChanged.connect(
                lambda visible, n=name: self._view_shown(n, visible))

        undo = self.annotations.undo_stack.createUndoAction(self, "&Undo")
        redo = self.annotations.undo_stack.createRedoAction(self, "&Redo")
        undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        self.undo_action, self.redo_action = undo, redo
        undo.setProperty(NAME_PROPERTY, "Undo")  # (its text says what it undoes)
        redo.setProperty(NAME_PROPERTY, "Redo")
        window.addAction(undo)
        window.addAction(redo)
        # Delete acts on highlights only while the text has focus; elsewhere it edits text.
        a = actions
        a.delete_highlight.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        a.delete_highlight.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        reader.addAction(a.delete_highlight)
        self._attached: _Attached | None = None
        self._reader_menu: QMenu | None = None  # the text's context menu last shown
        # The notes the banner offers to attach, and the key of the brief offered them.
        self._offered: tuple[str | None, StoredBrief] | None = None
        # The notes the Review view was last made from (see _refresh_views).
        self._review_shown: tuple | None = None
        self._trash_shown: tuple | None = None
        # Counts attaches: an offer looked for before the latest one is stale.
        self._attaches = 0
        self._earlier_found.connect(self._on_earlier_found)
        self.exchange = NotesExchange(window, self.annotations, banner,
                                      lambda: list(getattr(window, "folder_briefs", [])))
        self.selected_highlight: str | None = None
        self._notes_changed = False
        self._shut_down = False
        #: The view (Review, Trash, Bookmarks) that had the keyboard when the notes
        #: closed to be placed again, and where Qt put the focus then: it gets it
        #: back once they are shown again, unless the user has moved on.
        self._focus_back: tuple[str, QWidget | None] | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_after_change)
        self._connect_signals()
        self._update_enabled()

    # -- wiring ------------------------------------------------------------------------
    def _connect_signals(self) -> None:
        a, an, p = self.actions, self.annotations, self.panel
        for colour, action in a.highlight_colours.items():
            action.triggered.connect(lambda _=False, c=colour: self.highlight_selection(c))
        a.delete_highlight.triggered.connect(self.on_delete_highlight_triggered)
        a.edit_note.triggered.connect(self.on_edit_note_triggered)
        a.add_comment.triggered.connect(self.on_add_comment_triggered)
        a.toggle_bookmark.triggered.connect(self.on_toggle_bookmark_triggered)
        a.show_notes.toggled.connect(self.docks["notes"].setVisible)
        self.docks["notes"].visibilityChanged.connect(
            lambda visible: a.show_notes.setChecked(self.docks["notes"].isVisible()))
        a.show_review.triggered.connect(self.on_review_triggered)
        a.show_trash.triggered.connect(lambda: self._show_dock("trash"))
        a.show_bookmarks.triggered.connect(lambda: self._show_dock("bookmarks"))
        a.focus_notes.triggered.connect(self.focus_panel)
        a.export_notes.triggered.connect(self.exchange.export_notes)
        a.export_all_notes.triggered.connect(self.exchange.export_all)
        a.import_notes.triggered.connect(self.exchange.import_notes)
        a.attach_notes.triggered.connect(self.exchange.attach_notes)
        a.print.triggered.connect(self.exchange.print_brief)
        a.export_pdf.triggered.connect(self.exchange.export_pdf)

        an.changed.connect(self.on_annotations_changed)
        an.text_changed.connect(self.on_text_changed)
        an.save_failed.connect(self.on_save_failed)
        an.saved.connect(p.mark_saved)
        an.saved.connect(self.typed.on_saved)  # after the panel took the save in
        an.merged_elsewhere.connect(self.on_merged_elsewhere)
        an.undo_stack.canUndoChanged.connect(lambda _: self._update_enabled())

        self.reader.highlight_clicked.connect(self.on_highlight_clicked)
        self.reader.customContextMenuRequested.connect(self.on_reader_context_menu)
        self.reader.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        p.note_edited.connect(lambda hid, text: an.edit_note(hid, text, over=p.typed_over(hid)))
        p.tags_edited.connect(an.set_tags)
        p.color_change_requested.connect(an.recolour)
        p.delete_highlight_requested.connect(self.delete_highlight)
        p.highlight_activated.connect(self.on_highlight_activated)
        p.comment_added.connect(self.on_comment_added)
        p.comment_edited.connect(
            lambda cid, body: an.edit_comment(cid, body, over=p.typed_over(cid)))
        p.delete_comment_requested.connect(self.delete_comment)
        p.retry_requested.connect(self.on_retry_requested)

        r = self.review
        r.accept_requested.connect(an.accept)
        r.attach_here_requested.connect(self.on_attach_here)
        r.keep_orphan_requested.connect(an.keep_orphan)
        r.candidate_chosen.connect(self.on_candidate_chosen)
        r.place_shown.connect(self.on_place_shown)
        r.go_to_requested.connect(self.on_highlight_activated)
        self.trash.restore_requested.connect(self.on_restore_requested)
        self.trash.purge_requested.connect(self.on_purge_requested)
        self.trash.empty_requested.connect(self.on_empty_trash_requested)
        self.bookmarks.jump_requested.connect(self.on_bookmark_jump)
        self.bookmarks.remove_requested.connect(an.remove_bookmark)
        self.bookmarks.rename_requested.connect(an.rename_bookmark)
        self.banner.action_triggered.connect(self.on_banner_action)

    # -- what the window tells us ------------------------------------------------------
    def comment_places(self, brief: Brief) -> dict[str, str | None]:
        """Where the brief's comments are before a new version of it is placed (for
        ``open_brief`` after the placing was done elsewhere)."""
        return self.typed.comment_sections(brief)

    def open_brief(self, brief: Brief, *, placed: dict[str, str | None] | None = None,
                   prepared: SyncReport | None = None) -> SyncReport | None:
        """Open the brief's notes. ``placed`` and ``prepared``: where its comments were
        and what ``NotesService.prepare`` reported, when that placed them already."""
        self.panel.flush()
        self.panel.set_no_brief_hint(None)
        if placed is None:
            placed = self.comment_places(brief)  # before a reissue moves them
        # Opened again because another brief's notes were attached to it: what was done
        # on it stays undoable.
        again = self._attached is not None and self._attached.brief == self.annotations.open_key()
        report = self.annotations.open_brief(brief, keep_undo=again)
        new_brief = any(r is not None and r.new_brief for r in (report, prepared))
        if prepared is not None and prepared.reanchored:
            report = prepared
        key = self.annotations.open_key()
        attached, self._attached = self._attached, None
        if attached is not None and attached.brief != key:
            attached = None  # another brief's, left before they were placed
        if key is not None:
            # Before what was typed is brought back: what was typed under the keys its
            # notes had before (attached now, or by the command line) is this brief's.
            try:
                earlier = self.annotations.notes.earlier_keys(brief)
            except BriefreaderError:
                earlier = []
            self.typed.move_briefs(earlier, key)
        self.typed.recover_drafts(placed)
        self._recover_typed()
        if attached is not None:
            self._say_attached(attached)
        elif report is not None:
            self.say_placed(report)
        if new_brief and attached is None:
            self._offer_earlier(brief)
        return report

    def notes_attached(self, source: StoredBrief, notes: list[str]) -> None:
        """The notes ``notes`` of the brief ``source`` were given to the open brief: the
        next ``open_brief`` says where they were placed."""
        self._attaches += 1
        self._attached = _Attached(self.annotations.open_key(), source, tuple(notes))

    def _say_attached(self, attached: _Attached) -> None:
        an, ids = self.annotations, set(attached.notes)
        counts = Counter(n.status for n in (*an.highlights.values(), *an.comments.values())
                         if n.id in ids)
        placed = SyncReport(attached.brief or "", new_brief=False, reanchored=True,
                            **{s: counts[s] for s in HIGHLIGHT_STATUSES})
        source = attached.source
        name = Path(source.path).name if source.path else source.key
        what = f"Notes of “{source.title}” ({name}) attached"
        if not placed.total:
            message = f"{what}: they are in the Trash."
        elif placed.summary():
            message = f"{what}: {placed.summary()}."
        else:
            message = f"{what}, each where it was."
        self.banner.show_message(
            message, "warning" if placed.needs_review else "info",
            action="review" if placed.needs_review + placed.changed else "",
            action_label="Review…")

    def _offer_earlier(self, brief: Brief) -> None:
        """A brief opened for the first time may be a version of one not found: offer
        its notes (never taken unasked: briefs of one template share sections). Looked
        for on a worker thread: every kept brief's file is looked for, and a share that
        is gone can take long to answer."""
        notes, found, attaches = self.annotations.notes, self._earlier_found, self._attaches
        key = self.annotations.open_key()
        if notes.read_only or key is None:
            return

        def look() -> None:
            try:
                likely = notes.likely_earlier_apart(brief)
            except BriefreaderError:
                return
            except Exception:  # noqa: BLE001 - an offer missed costs nothing
                log.exception("briefs not found were not looked through")
                return
            if likely is not None:
                with suppress(RuntimeError):  # the window was closed meanwhile
                    found.emit(key, likely, attaches)

        threading.Thread(target=look, daemon=True, name="notes-earlier").start()

    def _on_earlier_found(self, key: str, likely: StoredBrief, attaches: int) -> None:
        if (self._shut_down or attaches != self._attaches or self.annotations.brief is None
                or self.annotations.open_key() != key):
            return  # another brief open, or notes attached, since the look began
        self._offered = (key, likely)
        name = Path(likely.path).name if likely.path else likely.key
        self.banner.show_message(
            f"Notes kept for “{likely.title}” ({name}, no longer found) may be this brief's.",
            "info", action="attach-offered", action_label="Attach Them")
        self.banner.label.setToolTip(likely.path or likely.key)

    def say_placed(self, report: SyncReport) -> None:
        """Say what placing the open brief's notes again did (when it did anything)."""
        if report.reanchored and report.summary():
            review = report.needs_review + report.changed
            why = ("Since you last read this brief, briefreader was updated and finds other"
                   " sections in it" if report.read_otherwise
                   else "This brief changed since you last read it")
            self.banner.show_message(
                f"{why}: {report.summary()}.",
                "warning" if report.needs_review else "info",
                action="review" if review else "", action_label="Review…",
            )

    def close_brief(self, why: str | None = None) -> None:
        """No brief's notes are open (while a big one is being prepared: ``why`` says
        so in the notes panel)."""
        self.panel.flush()
        self.annotations.close_brief()
        self.navigator.set_counts({})
        self.panel.set_filters_choices()
        self.panel.set_no_brief_hint(why)
        self._refresh_panel()
        # Nothing of the version left shows to act on (its notes are being placed anew).
        focus = QApplication.focusWidget()
        held = next((n for n, v in (("review", self.review), ("trash", self.trash),
                                    ("bookmarks", self.bookmarks))
                     if focus is not None and (v is focus or v.isAncestorOf(focus))), None)
        self.review.set_items([])
        self._review_shown = None
        self._trash_shown = None
        self.trash.set_items([], [])
        self.bookmarks.set_items([], {})
        self.actions.show_review.setEnabled(False)
        if held is not None:
            self._focus_back = (held, QApplication.focusWidget())
        self._update_enabled()

    def spans_for(self, section_id: str) -> tuple[Span, ...]:
        return tuple(Span(h.id, h.current_start, h.current_end, h.color)
                     for h in self.annotations.in_section(section_id))

    def section_shown(self, section: Section) -> None:
        self.panel.flush()
        self.selected_highlight = None
        self._update_enabled()
        self._refresh_timer.start()  # the text first, the panel right after

    def show_comment(self, comment_id: str) -> None:
        """Open the notes panel on a comment of the section shown, scrolled to its card
        and focused (as a search result does)."""
        dock = self.docks["notes"]
        dock.show()
        dock.raise_()
        if self._refresh_timer.isActive():  # the section was just shown: build its cards now
            self._refresh_timer.stop()
            self._refresh_after_change()
        self.panel.show_comment(comment_id)

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        self.panel.set_dark(dark)
        if self._on_screen["review"]:
            self._refresh_views(only="review")  # its rows' colours follow the theme

    def flush(self) -> None:
        self.panel.flush()

    def can_close(self) -> bool:
        """Whether the window may close now. Unsaved text is kept in the typing journal
        and saved when its brief opens again; only when that could not be written is
        the user asked first."""
        if self._shut_down:
            return True
        self.panel.flush()
        return self.typed.journal.keep_all() or confirm_close_unsaved(self.window)

    def shutdown(self) -> None:
        """The window closes: an export stops after the current brief; the journal is
        closed (and kept only if it holds unsaved text)."""
        self._shut_down = True
        self.exchange.shutdown()
        self.typed.close()

    # -- refresh -----------------------------------------------------------------------
    def on_annotations_changed(self) -> None:
        # Paint at once; the panels follow on the next turn of the event loop, once
        # for any number of changes made in this one.
        section = self.reader.section
        if section is not None:
            self.reader.set_spans(self.spans_for(section.id))
        self._update_enabled()
        self._notes_changed = True
        self._refresh_timer.start()

    def on_merged_elsewhere(self, item_id: str, text: str) -> None:
        self.panel.take_merged(item_id, text)
        self.window.statusBar().showMessage(
            "This was changed in another window too: both texts are kept, the other "
            "window's first.", 10000)

    def on_text_changed(self, item_id: str) -> None:
        """A note's or comment's text was saved: its card, and the Review view if it
        shows the note, follow; the highlights painted and the counts still hold."""
        h = self.annotations.highlights.get(item_id)
        if h is None:
            self._refresh_timer.start()  # a comment: the section's cards, not the counts
            return
        self.panel.update_highlight(h)
        if h.status in REVIEW_STATUSES and not h.reviewed and self._on_screen["review"]:
            self._refresh_views(only="review")

    def _refresh_after_change(self) -> None:
        self._refresh_panel()
        if not self._notes_changed:
            return  # only the section changed: counts and the other views still hold
        self._notes_changed = False
        an = self.annotations
        self.navigator.set_counts(an.counts_by_section())
        # The filters offer every tag and author of the brief: a filter kept while
        # moving through the sections can be one that this section does not use.
        self.panel.set_filters_choices(tags=an.tags(), authors=an.authors())
        self._refresh_views(visible_only=True)
        if self._focus_back is not None and an.brief is not None:
            name, moved_to = self._focus_back
            self._focus_back = None
            # Not into a view since closed or put behind another tab.
            if QApplication.focusWidget() is moved_to and self._on_screen[name]:
                getattr(self, name).setFocus()

    def _refresh_panel(self) -> None:
        section = self.reader.section
        an = self.annotations
        if section is None or an.brief is None:
            self.panel.set_section(None, [], [], labels=an.labels, dark=self.dark)
            return
        self.panel.set_section(section.title, an.in_section(section.id),
                               an.threads_in(section.id), labels=an.labels, dark=self.dark,
                               section_id=section.id, brief_key=self.annotations.open_key())
        if self.selected_highlight and self.selected_highlight in an.highlights:
            self.panel.select_highlight(self.selected_highlight)

    def _view_shown(self, name: str, on_screen: bool) -> None:
        self._on_screen[name] = on_screen
        if on_screen:
            self._refresh_views(only=name)  # it did not follow changes while out of sight

    def _refresh_views(self, *, only: str | None = None, visible_only: bool = False) -> None:
        """Review, Trash and Bookmarks (or ``only`` one of them); with ``visible_only``,
        those on screen: the others catch up when they are shown."""
        an = self.annotations
        if an.brief is None:
            return

        def wanted(name: str) -> bool:
            return only in (None, name) and (not visible_only or self._on_screen[name])

        brief = an.brief
        titles = {s.id: s.title for s in brief.sections}
        if wanted("trash"):
            highlights, comments = an.trash()
            if (highlights, comments) != self._trash_shown:  # else as it is
                self.trash.set_items(highlights, comments)
                self._trash_shown = (highlights, comments)
        if wanted("bookmarks"):
            self.bookmarks.set_items(an.bookmarks, titles)
        if not wanted("review"):
            return
        # What the view shows comes from these notes alone (and the brief's version):
        # a change to any other note (a highlight made, most often) leaves it as it is.
        shown = (brief.content_hash, self.dark, {h.id: h for h in an.needs_review()},
                 {h.id: h for h in an.kept_orphans()})
        if shown == self._review_shown:
            return
        try:
            items = self._review_items(brief, titles)
        except BriefreaderError as exc:
            self.banner.show_message(f"The notes to review could not be read: {exc}", "error")
            return
        self.review.set_items(items)
        self._review_shown = shown

    def _review_items(self, brief: Brief, titles: dict[str, str]) -> list[ReviewItem]:
        an = self.annotations
        items = []
        index = {t.id: t for t in an.notes.section_texts(brief)}
        ordinals = an.notes.section_ordinals(brief)  # once, not once a note
        # Those kept without a place come last: still here, to be attached some day.
        for h in [*sorted(an.needs_review(), key=lambda h: (h.section_ordinal, h.start)),
                  *sorted(an.kept_orphans(), key=lambda h: (h.section_ordinal, h.start))]:
            current = an.notes.text_at(brief, h)
            candidates = ()
            if h.status in ("ambiguous", "orphaned"):  # an orphan's: the nearest matches
                candidates = tuple(
                    Place(titles.get(c.section_id, c.section_id),
                          index[c.section_id].text[c.start:c.end],
                          index[c.section_id].text[max(0, c.start - 2 * PLACE_CONTEXT_CHARS)
                                                   :c.start],
                          index[c.section_id].text[c.end:c.end + 2 * PLACE_CONTEXT_CHARS])
                    for c in an.notes.candidates(brief, h, ordinals=ordinals)
                    if c.section_id in index
                )
            items.append(ReviewItem(h, current, titles.get(h.current_section or ""), candidates))
        return items

    def _update_enabled(self) -> None:
        if not shiboken6.isValid(self.actions):  # the window is being torn down
            return
        has_brief = self.annotations.brief is not None and self.reader.section is not None
        # Enabled without a selection too: the command then says what to do.
        for action in self.actions.highlight_colours.values():
            action.setEnabled(has_brief)
        self.actions.delete_highlight.setEnabled(bool(self.selected_highlight))
        self.actions.edit_note.setEnabled(bool(self.selected_highlight))
        self.actions.add_comment.setEnabled(has_brief)
        # With nothing to review too: the command then says so (on_review_triggered).
        self.actions.show_review.setEnabled(has_brief)
        self.actions.toggle_bookmark.setEnabled(has_brief)
        for action in (self.actions.export_notes, self.actions.import_notes, self.actions.print,
                       self.actions.export_pdf):
            action.setEnabled(has_brief)
        # Nothing can be attached to a brief in a read-only notes database.
        self.actions.attach_notes.setEnabled(has_brief and not self.annotations.notes.read_only)

    # -- highlights --------------------------------------------------------------------
    def highlight_selection(self, colour: str) -> str | None:
        section = self.reader.section
        span = self.reader.selected_span()
        if span is None and self.selected_highlight in self.annotations.highlights:
            # No text selected but a highlight is: the same keys recolour it.
            self.annotations.recolour(self.selected_highlight, colour)
            return self.selected_highlight
        if section is None or span is None:
            if section is not None and self.reader.textCursor().hasSelection():
                # Only a heading (or a rule, an image) chosen: nothing a quote could hold.
                message = ("A heading cannot be highlighted: select text under it, or"
                           " comment on the whole section (Ctrl+Shift+M).")
            else:
                message = "Select some text first, then choose a colour."
            self.window.statusBar().showMessage(message, 6000)
            return None
        hid = self.annotations.create_highlight(section.id, span[0], span[1], colour)
        if hid:
            self.selected_highlight = hid  # the panel selects it when it refreshes
            cursor = self.reader.textCursor()
            cursor.clearSelection()
            self.reader.setTextCursor(cursor)
            self._update_enabled()
        return hid

    def on_highlight_clicked(self, highlight_id: str) -> None:
        self.selected_highlight = highlight_id
        self.docks["notes"].show()
        self.panel.select_highlight(highlight_id)
        self._update_enabled()

    def on_highlight_activated(self, highlight_id: str) -> None:
        h = self.annotations.highlights.get(highlight_id)
        if h is None or h.current_section is None or h.current_start is None:
            return
        self.selected_highlight = highlight_id
        if self.reader.section is None or self.reader.section.id != h.current_section:
            self.window.show_section(h.current_section)
        self.reader.scroll_to_span(h.current_start, h.current_end)
        self.panel.select_highlight(highlight_id)
        self._update_enabled()

    def on_delete_highlight_triggered(self) -> None:
        hid = self.selected_highlight or self.panel.selected_highlight()
        if hid:
            self.panel.flush()  # the note goes to the trash as last typed, as for the card's button
            self.delete_highlight(hid)
            self.selected_highlight = None
            self._update_enabled()

    def delete_highlight(self, highlight_id: str) -> None:
        self.annotations.delete_highlight(highlight_id)
        if highlight_id not in self.annotations.highlights:  # not when it failed
            self.window.statusBar().showMessage(
                "Highlight moved to the Trash (Ctrl+Z puts it back).", 6000)

    def delete_comment(self, comment_id: str) -> None:
        self.annotations.delete_comment(comment_id)
        if comment_id not in self.annotations.comments:
            self.window.statusBar().showMessage(
                "Comment moved to the Trash (Ctrl+Shift+T shows the Trash).", 6000)

    def on_edit_note_triggered(self) -> None:
        hid = self.selected_highlight or self.panel.selected_highlight()
        if hid:
            self.docks["notes"].show()
            self.panel.select_highlight(hid, focus_editor=True)

    def on_retry_requested(self, item_id: str) -> None:
        text = self.panel.draft_text(item_id)
        if text is None:
            return
        if item_id in self.annotations.highlights:
            self.annotations.edit_note(item_id, text, over=self.panel.typed_over(item_id))
        elif item_id in self.annotations.comments:
            self.annotations.edit_comment(item_id, text, over=self.panel.typed_over(item_id))

    def on_save_failed(self, item_id: str, message: str) -> None:
        if item_id and (item_id in self.annotations.highlights
                        or item_id in self.annotations.comments):
            self.panel.mark_draft(item_id, message)
        self.banner.show_message(message, "error")

    # -- comments ----------------------------------------------------------------------
    def on_add_comment_triggered(self) -> None:
        self.docks["notes"].show()
        self.docks["notes"].raise_()
        self.panel.focus_new_comment()

    def on_comment_added(self, body: str, reply_to) -> None:
        section = self.reader.section
        if section is not None and body.strip():
            try:
                self.annotations.add_comment(section.id, body, reply_to)
            except BriefreaderError as exc:
                # Not posted: the text goes back where it was written (and stays a draft).
                self.banner.show_message(f"The comment was not saved: {exc}", "error")
                self.panel.restore_comment_draft(body, reply_to, str(exc))

    # -- review ------------------------------------------------------------------------
    def on_banner_action(self, action: str) -> None:
        if action == "review":
            self._show_dock("review")
        elif action == "attach-offered" and self._offered is not None:
            (key, offered), self._offered = self._offered, None
            if key == self.annotations.open_key():  # not to another brief opened since
                self.exchange.attach_from(offered)

    def on_review_triggered(self) -> None:
        """Notes → Review (Ctrl+Shift+R): the Review view, or where every note is where
        it was, a word saying so (a key that did nothing would leave the user guessing)."""
        an = self.annotations
        if an.brief is not None and not (an.needs_review() or an.kept_orphans()):
            self.window.statusBar().showMessage(
                "Nothing to review: every note is where it was.", 5000)
            return
        self._show_dock("review")

    def on_attach_here(self, highlight_id: str) -> None:
        section = self.reader.section
        span = self.reader.selected_span()
        if section is None or span is None:
            self.window.statusBar().showMessage(
                "Select the text this note belongs to, then choose Attach here.", 5000)
            return
        self.annotations.attach(highlight_id, section.id, span[0], span[1])

    def _candidate(self, highlight_id: str, index: int, failing: str) -> Candidate | None:
        """One of the places a note might belong, as Review numbered them."""
        an = self.annotations
        h = an.highlights.get(highlight_id)
        if h is None or an.brief is None:
            return None
        try:
            candidates = an.notes.candidates(an.brief, h)
        except BriefreaderError as exc:
            self.banner.show_message(f"{failing}: {exc}", "error")
            return None
        return candidates[index] if 0 <= index < len(candidates) else None

    def on_candidate_chosen(self, highlight_id: str, index: int) -> None:
        c = self._candidate(highlight_id, index, "The note was not placed")
        if c is not None:
            self.annotations.attach(highlight_id, c.section_id, c.start, c.end)

    def on_place_shown(self, highlight_id: str, index: int) -> None:
        """Select a possible place in the reader: the text around it tells it apart."""
        c = self._candidate(highlight_id, index, "The place could not be shown")
        if c is None:
            return
        self.window.show_section(c.section_id)
        self.reader.select_span(c.start, c.end)

    # -- trash and bookmarks -----------------------------------------------------------
    def on_restore_requested(self, kind: str, item_id: str) -> None:
        if kind == "comment":
            self.annotations.restore_comment(item_id)
        else:
            self.annotations.restore_highlight(item_id)
        self._recover_typed()  # text typed in it that was never saved comes back too

    def _recover_typed(self) -> None:
        recovered = self.typed.recover()
        if recovered:
            self.window.statusBar().showMessage(
                f"Saved {recovered} {'note' if recovered == 1 else 'notes'} typed before"
                " briefreader last closed.", 8000)

    def on_purge_requested(self, notes: list) -> None:
        """``notes``: [(kind, id, text shown), ...] of the Trash, to delete for good once
        the user said yes."""
        an = self.annotations
        replies = an.replies_to(i for kind, i, _ in notes if kind == "comment")
        if not confirm_purge(self.window, [text for *_, text in notes], replies):
            return
        if an.purge([(kind, i) for kind, i, _ in notes]):
            n = len(notes)
            self.window.statusBar().showMessage(
                f"{'Note' if n == 1 else f'{n} notes'} deleted for good.", 4000)

    def on_empty_trash_requested(self) -> None:
        if confirm_empty_trash(self.window):
            self.annotations.empty_trash()

    def on_toggle_bookmark_triggered(self) -> None:
        section = self.reader.section
        if section is None:
            return
        # No label of its own until the user gives it one: the section says where it is.
        added = self.annotations.toggle_bookmark(
            section.id, self.reader.verticalScrollBar().value(), "")
        if added is not None:
            self.window.statusBar().showMessage(
                "Bookmark added." if added else "Bookmark removed.", 3000)

    def on_bookmark_jump(self, section_id: str, position: int) -> None:
        self.window.show_section(section_id)
        QTimer.singleShot(0, lambda: self.reader.verticalScrollBar().setValue(position))

    # -- menus -------------------------------------------------------------------------
    def on_reader_context_menu(self, pos: QPoint) -> None:
        """The text's menu, at the mouse or, from the keyboard (Shift+F10, the Menu key),
        at the text cursor (Qt scrolls it into view first). Not exec(): nothing waits
        on the menu."""
        self.reader_menu(pos).popup(self.reader.viewport().mapToGlobal(pos))

    def reader_menu(self, pos: QPoint) -> QMenu:
        """The text's context menu for a point of the reader's viewport: its commands,
        and those of the highlight there (which becomes the selected one)."""
        if self._reader_menu is not None:
            self._reader_menu.deleteLater()  # the last one, closed by now
        menu = self._reader_menu = QMenu(self.reader)
        menu.addAction(self.actions.copy)
        menu.addSeparator()
        for action in self.actions.highlight_colours.values():
            menu.addAction(action)
        point = self.reader.cursorForPosition(pos).position()
        from briefreader.ui.highlights import highlight_at

        hid = highlight_at(self.reader.document(), point)
        if hid:
            self.selected_highlight = hid
            self._update_enabled()
            menu.addSeparator()
            menu.addAction(self.actions.edit_note)
            menu.addAction(self.actions.delete_highlight)
        menu.addSeparator()
        menu.addAction(self.actions.add_comment)
        menu.addAction(self.actions.toggle_bookmark)
        return menu

    def _show_dock(self, name: str) -> None:
        dock = self.docks[name]
        dock.show()
        dock.raise_()
        if dock.isFloating():  # a window of its own: the keyboard goes there
            dock.activateWindow()
        if name in self._on_screen and not self._on_screen[name]:
            self._refresh_views(only=name)  # not (yet) told it is shown: bring it up to date
        if name == "notes":
            self.panel.focus_first()
        elif name == "review":
            self.review.focus_first()
        else:
            getattr(self, name).focus_list()

    def focus_panel(self) -> None:
        """Go → Focus Notes Panel (Alt+3): the keyboard goes into the view of the notes
        panel whose tab is in front (Notes, Review, Trash or Bookmarks); when none is
        (hidden, or behind the Search tab), into the notes, shown and brought up."""
        name = next((n for n in ("notes", "review", "trash", "bookmarks")
                     if _in_front(self.docks[n])), "notes")
        self._show_dock(name)
