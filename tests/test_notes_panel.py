"""The notes panel: cards, autosave and drafts, comments, filters, keyboard, safety."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from briefreader import render
from briefreader.ui import notes_panel as notes_panel_module
from briefreader.ui.notes_cards import STATUS_BADGES, note_html
from briefreader.ui.notes_panel import (
    SAVE_DELAY_MS,
    SAVE_MAX_DELAY_MS,
    NotesFilter,
    parse_tags,
)
from panel_data import LABELS, QUOTE, cm, hl, show, start_typing

# --------------------------------------------------------------------------- cards


def test_a_card_for_each_highlight_in_the_given_order(panel, qtbot):
    items = [hl(3), hl(1, color="green", status="moved"), hl(2, color="red")]
    show(panel, items)
    assert panel.highlight_ids() == ["h3", "h1", "h2"]
    tops = [panel.card(h).mapTo(panel, QPoint(0, 0)).y() for h in ("h3", "h1", "h2")]
    assert tops == sorted(tops) and len(set(tops)) == 3
    card = panel.card("h1")
    assert card.colour_button.text().startswith("Agree")
    assert card.badge is not None and card.badge.text() == "moved"
    assert panel.card("h3").badge is None  # anchored: no badge
    assert card.quote.text().startswith("Ministers agreed")
    assert "Ana" in card.meta.text()


@pytest.mark.parametrize("status", sorted(STATUS_BADGES))
def test_status_badges_name_what_happened(panel, status):
    show(panel, [hl(1, status=status)])
    assert panel.card("h1").badge.text() == status  # the words Review and the banner use


def test_deleted_highlights_are_not_shown(panel):
    show(panel, [hl(1), hl(2, deleted_at="2026-03-03T00:00:00.000Z")])
    assert panel.highlight_ids() == ["h1"]


def test_a_card_grows_with_its_note_and_never_squeezes_the_quote(panel, qtbot):
    show(panel, [hl(1, note="short")])
    card = panel.card("h1")
    qtbot.waitUntil(lambda: card.height() == card.sizeHint().height())
    before = card.height()
    panel.update_highlight(hl(1, note="\n\n".join(["A longer paragraph of note text."] * 5)))
    qtbot.waitUntil(lambda: card.height() == card.sizeHint().height() > before)
    quote = card.quote
    assert quote.height() >= quote.heightForWidth(quote.width())
    panel.begin_edit("h1")  # the editor is taller still
    qtbot.waitUntil(lambda: card.height() == card.sizeHint().height())
    assert card.note.editor.geometry().bottom() < card.tags_edit.geometry().top()


def test_cards_hold_no_gap_whatever_their_text(panel, qtbot):
    """A card is as tall as its lines: the author line gets no share of spare room,
    whether the text is plain (one line or several) or Markdown."""
    show(panel, [hl(1, note="One short line.")], [
        cm(1, body="Plain words for a comment."),
        cm(2, body="A longer plain comment that wraps onto a second line in this panel, "
                   "and perhaps onto a third one as well, for good measure."),
        cm(3, body="Some **bold** words.\n\n- one\n- two")])
    for cid in ("h1", "c1", "c2", "c3"):
        card = panel.card(cid)
        qtbot.waitUntil(lambda card=card: card.height() == card.sizeHint().height())
        assert card.meta.height() == card.meta.sizeHint().height(), cid
        label = card.note.label if cid.startswith("h") else card.body.label
        assert label.height() == label.heightForWidth(label.width()), cid


def test_long_quotes_are_cut_to_three_lines(panel):
    show(panel, [hl(1, exact=QUOTE * 6)])
    lines = panel.card("h1").quote.lines(300)
    assert len(lines) == 3
    assert lines[-1].endswith("…")


def test_empty_section_shows_how_to_highlight(panel):
    show(panel, [])
    assert "Ctrl+1" in panel.hint_text()
    show(panel, [hl(1)])
    assert panel.hint_text() == ""


def test_no_brief_shows_a_hint_and_disables_commenting(panel):
    show(panel, [], title=None)
    assert panel.hint_text() == "Open a brief to see its notes."
    assert not panel.composer.isEnabled()
    # No filter offered either (Colours as Tags and Authors).
    assert not panel.colour_filter.isEnabled() and not panel.tag_filter.isEnabled()
    show(panel, [hl(1)])
    assert panel.colour_filter.isEnabled()


def test_many_cards_are_built_progressively_and_on_demand(panel, qtbot):
    items = [hl(n) for n in range(200)]
    panel.set_section("Big", items, [], labels=LABELS)
    assert panel.highlight_ids() == [f"h{n}" for n in range(200)]
    assert panel.building()  # the rest are built from the event loop
    qtbot.waitUntil(lambda: not panel.building(), timeout=30_000)
    tops = [panel.card(f"h{n}").mapTo(panel.content, QPoint(0, 0)).y() for n in range(200)]
    assert tops == sorted(tops) and len(set(tops)) == 200


def test_a_card_still_queued_is_built_when_asked_for(panel):
    panel.set_section("Big", [hl(n) for n in range(200)], [], labels=LABELS)
    assert panel.building()
    panel.select_highlight("h199", focus_editor=True)  # far down: built at once
    assert panel.selected_highlight() == "h199"
    assert panel.card("h199").note.editor.hasFocus()


# --------------------------------------------------------------------------- autosave


def test_typing_emits_once_after_the_pause_not_per_keystroke(panel, qtbot):
    show(panel, [hl(1, note="old")])
    seen = []
    panel.note_edited.connect(lambda hid, text: seen.append((hid, text)))
    with qtbot.waitSignal(panel.note_edited, timeout=5000):
        start_typing(qtbot, panel, "h1", " and more")
        assert seen == []  # nothing per keystroke
    qtbot.wait(SAVE_DELAY_MS + 300)
    assert seen == [("h1", "old and more")]


def test_typing_without_a_pause_is_still_saved_now_and_then(panel, qtbot):
    show(panel, [hl(1)])
    seen = []
    panel.note_edited.connect(lambda hid, text: seen.append(text))
    editor = start_typing(qtbot, panel, "h1", "a")
    started = time.monotonic()
    # keystrokes closer together than the pause that triggers a save, for longer than
    # the longest wait: a busy machine only makes this run longer
    while (time.monotonic() - started) * 1000 < SAVE_MAX_DELAY_MS + 400:
        qtbot.keyClicks(editor, "b")
        qtbot.wait(SAVE_DELAY_MS // 5)
    assert seen, "nothing was saved during continuous typing"
    assert len(seen) < 20  # not per keystroke
    assert all(text.startswith("ab") for text in seen)


def test_focus_out_saves_at_once(panel, qtbot):
    show(panel, [hl(1), hl(2)])
    seen = []
    panel.note_edited.connect(lambda hid, text: seen.append((hid, text)))
    start_typing(qtbot, panel, "h1", "quick")
    panel.card("h2").setFocus()
    assert seen == [("h1", "quick")]
    assert not panel.card("h1").note.editing()  # back to the rendered note
    qtbot.wait(SAVE_DELAY_MS + 200)
    panel.flush()  # and whatever is still pending, sent now
    assert seen == [("h1", "quick")]  # the timer does not send it again


def test_flush_emits_pending_edits(panel, qtbot):
    show(panel, [hl(1)], [cm(1)])
    notes, comments = [], []
    panel.note_edited.connect(lambda hid, text: notes.append((hid, text)))
    panel.comment_edited.connect(lambda cid, text: comments.append((cid, text)))
    start_typing(qtbot, panel, "h1", "n")
    start_typing(qtbot, panel, "c1", "!")
    panel.flush()
    assert notes == [("h1", "n")]
    assert comments == [("c1", "Comment 1!")]
    panel.flush()
    assert len(notes) == 1 and len(comments) == 1  # nothing left to send


def test_typing_back_to_the_saved_text_sends_nothing(panel, qtbot):
    show(panel, [hl(1, note="same")])
    seen = []
    panel.note_edited.connect(lambda *args: seen.append(args))
    editor = start_typing(qtbot, panel, "h1", "x")
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    panel.flush()
    assert seen == []
    assert not panel.has_unsaved()


def test_failed_save_keeps_the_text_with_the_reason_and_retry(panel, qtbot):
    show(panel, [hl(1, note="")])
    start_typing(qtbot, panel, "h1", "important")
    panel.flush()
    panel.mark_draft("h1", "the disk is full")
    card = panel.card("h1")
    assert panel.error_text("h1") == "Not saved: the disk is full"
    assert card.note.retry_button.isVisible()
    assert panel.draft_text("h1") == "important"
    with qtbot.waitSignal(panel.retry_requested) as blocker:
        qtbot.mouseClick(card.note.retry_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["h1"]
    # a failed draft survives a refresh from the store that still has the old text
    show(panel, [hl(1, note="")])
    assert panel.draft_text("h1") == "important"
    assert panel.error_text("h1") == "Not saved: the disk is full"
    panel.mark_saved("h1")
    assert panel.error_text("h1") == ""
    assert not panel.has_unsaved()


def test_failed_text_is_not_resent_on_every_focus_change(panel, qtbot):
    show(panel, [hl(1), hl(2)])
    seen = []
    panel.note_edited.connect(lambda *args: seen.append(args))
    start_typing(qtbot, panel, "h1", "a")
    panel.flush()
    panel.mark_draft("h1", "locked")
    panel.begin_edit("h1")
    panel.card("h2").setFocus()
    assert seen == [("h1", "a")]


def test_set_section_with_the_same_items_keeps_unsaved_text(panel, qtbot):
    show(panel, [hl(1, note="stored"), hl(2)])
    editor = start_typing(qtbot, panel, "h1", " plus typing")
    position = editor.textCursor().position()
    show(panel, [hl(1, note="stored"), hl(2), hl(3)])  # a new highlight: cards are rebuilt
    card = panel.card("h1")
    assert panel.draft_text("h1") == "stored plus typing"
    assert card.note.editing() and card.note.editor.hasFocus()
    assert card.note.editor.textCursor().position() == position
    # the store now has the text: it is no longer a draft
    panel.flush()
    show(panel, [hl(1, note="stored plus typing"), hl(2)])
    assert not panel.has_unsaved()


def test_a_refresh_after_a_save_keeps_the_editor_itself(panel, qtbot):
    show(panel, [hl(1, note=""), hl(2)], [cm(1)])
    editor = start_typing(qtbot, panel, "h1", "first")
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    panel.flush()  # "firs" sent; the window saves it and refreshes the section
    qtbot.keyClicks(editor, "t draft")
    show(panel, [hl(1, note="firs"), hl(2, color="red")], [cm(1, body="edited elsewhere")])
    card = panel.card("h1")
    assert card.note.editor is editor and editor.hasFocus()
    assert editor.toPlainText() == "first draft"
    assert editor.document().isUndoAvailable()
    assert panel.card("h2").colour_button.text().startswith("Concern")
    panel.render_pending()
    assert "edited elsewhere" in panel.card("c1").body.label.text()
    assert panel.has_unsaved()  # " draft" is still to be sent


def test_deleting_a_highlight_sends_its_pending_note_first(panel, qtbot):
    show(panel, [hl(1)])
    events = []
    panel.note_edited.connect(lambda hid, text: events.append(("note", hid, text)))
    panel.delete_highlight_requested.connect(lambda hid: events.append(("delete", hid)))
    start_typing(qtbot, panel, "h1", "last words")
    panel.card("h1").delete_button.click()
    assert events == [("note", "h1", "last words"), ("delete", "h1")]


def test_update_highlight_does_not_clobber_typing(panel, qtbot):
    show(panel, [hl(1, note="v1")])
    start_typing(qtbot, panel, "h1", "+mine")
    panel.update_highlight(hl(1, note="v1", color="purple", tags=("x",)))
    card = panel.card("h1")
    assert card.note.editor.toPlainText() == "v1+mine"
    assert card.colour_button.text().startswith("Action")
    assert card.tags_edit.text() == "x"


def test_update_highlight_shows_a_new_note_when_not_editing(panel):
    show(panel, [hl(1, note="before")])
    panel.update_highlight(hl(1, note="after **bold**"))
    panel.render_pending()
    assert "<strong>bold</strong>" in panel.card("h1").note.label.text()


def test_mark_saved_ends_the_draft(panel, qtbot):
    show(panel, [hl(1)])
    start_typing(qtbot, panel, "h1", "done")
    panel.flush()
    assert panel.has_unsaved()
    panel.mark_saved("h1")
    assert not panel.has_unsaved()
    assert panel.draft_text("h1") == "done"


def test_escape_closes_the_editor_saves_and_returns_to_the_card(panel, qtbot):
    show(panel, [hl(1)])
    seen = []
    panel.note_edited.connect(lambda *args: seen.append(args))
    editor = start_typing(qtbot, panel, "h1", "note")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert seen == [("h1", "note")]
    card = panel.card("h1")
    assert not card.note.editing() and card.hasFocus()
    assert "note" in card.note.label.text()


# --------------------------------------------------------------------------- card actions


def test_clicking_a_card_selects_and_activates_it(panel, qtbot):
    show(panel, [hl(1), hl(2)])
    with qtbot.waitSignal(panel.highlight_activated) as blocker:
        qtbot.mouseClick(panel.card("h2"), Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
    assert blocker.args == ["h2"]
    assert panel.selected_highlight() == "h2"
    assert panel.card("h2").selected and not panel.card("h1").selected


def test_clicking_the_note_opens_its_editor(panel, qtbot):
    show(panel, [hl(1, note="text")])
    label = panel.card("h1").note.label
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert panel.card("h1").note.editing()
    assert panel.card("h1").note.editor.toPlainText() == "text"


def test_enter_activates_and_f2_edits(panel, qtbot):
    show(panel, [hl(1)])
    card = panel.card("h1")
    card.setFocus()
    with qtbot.waitSignal(panel.highlight_activated):
        qtbot.keyClick(card, Qt.Key.Key_Return)
    assert card.note.editing() and card.note.editor.hasFocus()
    qtbot.keyClick(card.note.editor, Qt.Key.Key_Escape)
    qtbot.keyClick(card, Qt.Key.Key_F2)
    assert card.note.editing()


def test_select_highlight_can_open_the_editor(panel):
    show(panel, [hl(1), hl(2)])
    panel.select_highlight("h2", focus_editor=True)
    assert panel.selected_highlight() == "h2"
    assert panel.card("h2").note.editor.hasFocus()
    panel.select_highlight("missing")
    assert panel.selected_highlight() == "h2"


def test_delete_highlight_button(panel, qtbot):
    show(panel, [hl(1)])
    with qtbot.waitSignal(panel.delete_highlight_requested) as blocker:
        qtbot.mouseClick(panel.card("h1").delete_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["h1"]


def test_colour_menu_requests_a_change(panel, qtbot):
    show(panel, [hl(1, color="yellow")])
    qtbot.mouseClick(panel.card("h1").colour_button, Qt.MouseButton.LeftButton)
    menu = panel.findChild(QMenu)
    qtbot.waitUntil(menu.isVisible)
    actions = {a.data(): a for a in menu.actions()}
    assert list(actions) == ["yellow", "green", "blue", "red", "purple"]
    assert actions["yellow"].isChecked()
    with qtbot.waitSignal(panel.color_change_requested) as blocker:
        actions["red"].trigger()
    assert blocker.args == ["h1", "red"]
    menu.close()


def test_tags_are_parsed_and_sent_when_editing_finishes(panel, qtbot):
    show(panel, [hl(1, tags=("a",))])
    edit = panel.card("h1").tags_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "budget,  rail , ,budget")
    with qtbot.waitSignal(panel.tags_edited) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert blocker.args == ["h1", ("budget", "rail")]


def test_editing_a_note_at_the_bottom_brings_its_whole_card_into_view(panel, qtbot):
    panel.resize(380, 420)
    note = "\n\n".join(f"Paragraph {i} of a longer note." for i in range(4))
    show(panel, [hl(n, note=note, tags=("rail",)) for n in range(1, 9)])
    panel.begin_edit("h8")
    viewport = panel.scroll.viewport()
    tags = panel.card("h8").tags_edit

    def bottom_in_view() -> bool:
        return tags.mapTo(viewport, tags.rect().bottomLeft()).y() <= viewport.height()

    qtbot.wait(100)  # the editor has settled
    assert bottom_in_view()
    assert panel.card("h8").note.editor.hasFocus()


def test_a_long_tag_list_shows_its_start(panel, qtbot):
    tags = ("housing", "a-very-long-tag-name-that-overflows-the-card", "cooling", "heat")
    show(panel, [hl(1, tags=tags)])
    edit = panel.card("h1").tags_edit
    assert edit.cursorPosition() == 0  # not scrolled to the end: "housing" is whole
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.end(False)
    qtbot.keyClicks(edit, ", rail")
    panel.card("h1").delete_button.setFocus()  # the user moves on
    qtbot.waitUntil(lambda: not edit.hasFocus())
    assert edit.cursorPosition() == 0


def test_unchanged_tags_send_nothing(panel, qtbot):
    show(panel, [hl(1, tags=("a", "b"))])
    seen = []
    panel.tags_edited.connect(lambda *args: seen.append(args))
    edit = panel.card("h1").tags_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    panel.flush()
    assert seen == []


def test_removed_highlight_disappears_on_update(panel):
    show(panel, [hl(1), hl(2)])
    panel.update_highlight(hl(1, deleted_at="2026-03-04T00:00:00.000Z"))
    assert panel.highlight_ids() == ["h2"]
    assert panel.card("h1") is None


# --------------------------------------------------------------------------- comments


def test_ctrl_enter_posts_a_new_comment(panel, qtbot):
    show(panel, [], [])
    edit = panel.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "A point on the whole section")
    with qtbot.waitSignal(panel.comment_added) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["A point on the whole section", None]
    assert edit.toPlainText() == ""


def test_ctrl_enter_posts_even_when_a_window_action_has_that_shortcut(panel, qtbot):
    action = QAction("Edit Note", panel)
    action.setShortcut(QKeySequence("Ctrl+Return"))
    panel.addAction(action)
    triggered = []
    action.triggered.connect(lambda: triggered.append(True))
    show(panel, [], [])
    panel.composer.edit.setFocus()
    qtbot.keyClicks(panel.composer.edit, "Posted")
    with qtbot.waitSignal(panel.comment_added):
        qtbot.keyClick(panel.composer.edit, Qt.Key.Key_Return,
                       Qt.KeyboardModifier.ControlModifier)
    assert triggered == []


def test_blank_comments_are_not_posted(panel, qtbot):
    show(panel, [], [])
    seen = []
    panel.comment_added.connect(lambda *args: seen.append(args))
    panel.composer.edit.setFocus()
    qtbot.keyClicks(panel.composer.edit, "   ")
    qtbot.keyClick(panel.composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen == [] and not panel.composer.post_button.isEnabled()


def test_reply_is_posted_with_the_parent_id(panel, qtbot):
    show(panel, [], [cm(1)])
    card = panel.card("c1")
    qtbot.mouseClick(card.reply_button, Qt.MouseButton.LeftButton)
    composer = card.reply_composer
    assert composer.edit.hasFocus()
    qtbot.keyClicks(composer.edit, "Agreed")
    with qtbot.waitSignal(panel.comment_added) as blocker:
        qtbot.mouseClick(composer.post_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Agreed", "c1"]
    assert not composer.isVisible()


def test_replies_are_shown_under_their_parent(panel):
    comments = [
        cm(4, body="late top-level"),
        cm(3, body="reply to reply", reply_to="c2"),
        cm(2, body="reply", reply_to="c1"),
        cm(1, body="first"),
        cm(5, body="reply to a missing comment", reply_to="gone"),
    ]
    show(panel, [], comments)
    assert panel.comment_ids() == ["c1", "c2", "c3", "c4", "c5"]
    depth = {cid: panel.card(cid).depth for cid in panel.comment_ids()}
    assert depth == {"c1": 0, "c2": 1, "c3": 2, "c4": 0, "c5": 0}
    assert panel.card("c3").indent > panel.card("c2").indent > panel.card("c1").indent


def test_a_deleted_comment_with_replies_keeps_its_place(panel):
    comments = [cm(1, deleted_at="2026-03-05T00:00:00.000Z"), cm(2, reply_to="c1"),
                cm(3, deleted_at="2026-03-05T00:00:00.000Z")]
    show(panel, [], comments)
    assert panel.comment_ids() == ["c1", "c2"]
    assert "deleted" in panel.card("c1").body.label.text()
    assert not panel.card("c1").delete_button.isVisible()


def test_comment_buttons_edit_and_delete(panel, qtbot):
    show(panel, [], [cm(1)])
    card = panel.card("c1")
    with qtbot.waitSignal(panel.delete_comment_requested) as blocker:
        qtbot.mouseClick(card.delete_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["c1"]
    qtbot.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)
    assert card.body.editing()
    card.body.editor.selectAll()
    qtbot.keyClicks(card.body.editor, "Edited")
    with qtbot.waitSignal(panel.comment_edited, timeout=5000) as blocker:
        pass
    assert blocker.args == ["c1", "Edited"]


def test_a_comment_s_buttons_step_aside_while_it_is_edited(panel, qtbot):
    show(panel, [], [cm(1), cm(2, reply_to="c1")])
    card, reply = panel.card("c1"), panel.card("c2")

    def buttons(c):
        return (c.reply_button, c.edit_button, c.delete_button)

    assert all(b.isVisible() for b in buttons(card))
    qtbot.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)
    assert card.body.editing()
    assert not any(b.isVisible() for b in buttons(card))
    assert all(b.isVisible() for b in buttons(reply))  # only the comment being edited
    qtbot.keyClicks(card.body.editor, " more")
    qtbot.keyClick(card.body.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not card.body.editing()  # saved: the buttons are back
    assert all(b.isVisible() for b in buttons(card))
    panel.begin_edit("c1")  # F2, or a click on the text
    assert not any(b.isVisible() for b in buttons(card))
    qtbot.keyClick(card.body.editor, Qt.Key.Key_Escape)
    assert not card.body.editing()
    assert all(b.isVisible() for b in buttons(card))
    panel.begin_edit("c1")
    panel.composer.edit.setFocus()  # leaving the editor ends the edit too
    qtbot.waitUntil(lambda: not card.body.editing())
    assert all(b.isVisible() for b in buttons(card))


def test_a_comment_being_edited_shows_how_to_finish(panel, qtbot):
    show(panel, [], [cm(1)])
    card = panel.card("c1")
    assert not card.done_button.isVisible()
    panel.begin_edit("c1")
    assert card.done_button.isVisible() and "Ctrl+Enter" in card.done_button.toolTip()
    qtbot.keyClicks(card.body.editor, " more")
    qtbot.mouseClick(card.done_button, Qt.MouseButton.LeftButton)
    assert not card.body.editing() and not card.done_button.isVisible()
    assert card.edit_button.isVisible()
    assert panel.card("c1").body.text.endswith(" more")


def test_a_highlight_whose_note_is_edited_gives_its_buttons_way_to_done(panel, qtbot):
    # As a comment's: nothing on the card acts on the note being typed meanwhile.
    show(panel, [hl(1), hl(2)])
    card, other = panel.card("h1"), panel.card("h2")
    assert card.delete_button.isVisible() and card.colour_button.isEnabled()
    assert not card.done_button.isVisible()
    panel.begin_edit("h1")
    assert card.note.editing()
    assert not card.delete_button.isVisible() and not card.colour_button.isEnabled()
    assert card.done_button.isVisible() and "Ctrl+Enter" in card.done_button.toolTip()
    assert other.delete_button.isVisible() and other.colour_button.isEnabled()
    qtbot.keyClicks(card.note.editor, "Ask the minister")
    qtbot.mouseClick(card.done_button, Qt.MouseButton.LeftButton)
    assert not card.note.editing() and not card.done_button.isVisible()
    assert card.delete_button.isVisible() and card.colour_button.isEnabled()
    assert panel.card("h1").note.text == "Ask the minister"
    # Escape and leaving the editor bring them back too.
    for finish in (lambda: qtbot.keyClick(card.note.editor, Qt.Key.Key_Escape),
                   lambda: panel.composer.edit.setFocus()):
        panel.begin_edit("h1")
        assert not card.delete_button.isVisible()
        finish()
        qtbot.waitUntil(lambda: not card.note.editing())
        assert card.delete_button.isVisible() and card.colour_button.isEnabled()
        assert not card.done_button.isVisible()


def _themed_card(panel, qtbot, mode: str):
    """The card of hl(1), shown in the ``mode`` theme; (card, whether dark)."""
    from briefreader.ui.theme import apply_theme, palette_is_dark

    dark = apply_theme(QApplication.instance(), mode)
    panel.set_dark(dark)
    show(panel, [hl(1)])
    card = panel.card("h1")
    qtbot.waitUntil(lambda: palette_is_dark(card.palette(), QPalette.ColorRole.Base) == dark)
    return card, dark


def _edges(card, widget) -> list:
    """The colours at the middle of each side of ``widget`` as drawn on its card."""
    image = card.grab().toImage()
    box = widget.geometry()
    middle = box.center()
    return [image.pixelColor(box.left(), middle.y()), image.pixelColor(box.right(), middle.y()),
            image.pixelColor(middle.x(), box.top()), image.pixelColor(middle.x(), box.bottom())]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_a_cards_buttons_show_plainly_when_they_have_the_keyboard(panel, qtbot, mode):
    """Tab onto a card's colour or delete button: it is outlined (3:1 or more against
    how it looks without the focus, as a focus sign must be); in the dark theme only a
    slightly lighter box showed it."""
    from contrast import contrast

    card, _dark = _themed_card(panel, qtbot, mode)
    for button in (card.colour_button, card.delete_button):
        card.tags_edit.setFocus()  # the keyboard in the card, not on the button
        qtbot.waitUntil(card.tags_edit.hasFocus)
        plain = _edges(card, button)
        button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(button.hasFocus)
        for colour, was in zip(_edges(card, button), plain, strict=True):
            assert contrast(colour, was) >= 3, (button.accessibleName(), colour.name(),
                                                was.name())


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_colour_stays_legible_while_the_note_is_edited(panel, qtbot, mode):
    """The colour button can't be used while the note is typed, but its label still
    says the highlight's colour as text does (it was the disabled grey, 1.6:1)."""
    from contrast import contrast

    card, dark = _themed_card(panel, qtbot, mode)
    button = card.colour_button
    base = card.palette().color(QPalette.ColorRole.Base)

    def ink() -> float:
        """The strongest contrast of the button's label, as drawn, on the card."""
        image = card.grab().toImage()
        box = button.geometry()
        return max(contrast(image.pixelColor(x, y), base)
                   for x in range(box.left() + button.iconSize().width() + 4, box.right())
                   for y in range(box.top(), box.bottom()))

    assert ink() >= 7
    panel.begin_edit("h1")
    assert card.note.editing()
    assert ink() >= 4.5
    # ... but not as a button meanwhile: no menu to open, none shown, Tab skips it.
    assert not button.isEnabled() and button.text() == "Key point"
    qtbot.keyClick(card.note.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not card.note.editing())
    assert button.isEnabled() and button.text() == "Key point \u25be"


def test_comment_save_failure_and_post_failure_keep_the_text(panel, qtbot):
    show(panel, [], [cm(1)])
    start_typing(qtbot, panel, "c1", " more")
    panel.flush()
    panel.mark_draft("c1", "database is busy")
    assert panel.error_text("c1") == "Not saved: database is busy"
    assert panel.draft_text("c1") == "Comment 1 more"
    panel.restore_comment_draft("my reply", "c1", "database is busy")
    assert panel.card("c1").reply_composer.text() == "my reply"
    panel.restore_comment_draft("new one", None, "database is busy")
    assert panel.composer.text() == "new one"
    assert "Not posted" in panel.composer.error.text()


def test_focus_new_comment(panel):
    show(panel, [hl(n) for n in range(8)], [cm(1)])
    panel.focus_new_comment()
    assert panel.composer.edit.hasFocus()


def test_unposted_comment_waits_for_its_section(panel, qtbot):
    show(panel, [], [], title="One", section_id="s1")
    panel.composer.edit.setFocus()
    qtbot.keyClicks(panel.composer.edit, "half written")
    show(panel, [], [], title="Two", section_id="s2")
    assert panel.composer.text() == ""
    show(panel, [], [], title="One", section_id="s1")
    assert panel.composer.text() == "half written"


# --------------------------------------------------------------------------- filters


def test_filters_hide_non_matching_cards(panel):
    items = [
        hl(1, color="yellow", tags=("budget",), author="Ana"),
        hl(2, color="red", tags=("rail", "budget"), author="Ben"),
        hl(3, color="red", author="Ana"),
    ]
    show(panel, items, [cm(1, author="Ben"), cm(2, author="Ana")])
    assert [panel.tag_filter.itemData(i) for i in range(panel.tag_filter.count())] == [
        None, "budget", "rail"]
    panel.colour_filter.setCurrentIndex(panel.colour_filter.findData("red"))
    assert panel.highlight_ids(visible_only=True) == ["h2", "h3"]
    assert not panel.card("h1").isVisibleTo(panel)
    panel.tag_filter.setCurrentIndex(panel.tag_filter.findData("budget"))
    assert panel.highlight_ids(visible_only=True) == ["h2"]
    assert panel.card("h2").isVisibleTo(panel)
    assert "Showing 1 of 3" in panel.summary_label.text()
    panel.set_filters(NotesFilter(author="Ana"))
    assert panel.highlight_ids(visible_only=True) == ["h1", "h3"]
    assert panel.card("c2").isVisibleTo(panel) and not panel.card("c1").isVisibleTo(panel)
    panel.set_filters(NotesFilter(color="purple"))
    assert panel.hint_text() == "No highlights match the filters."
    qtbot_click_clear = panel.clear_filters_button
    assert qtbot_click_clear.isVisibleTo(panel)
    qtbot_click_clear.click()
    assert panel.filters() == NotesFilter()
    assert panel.highlight_ids(visible_only=True) == ["h1", "h2", "h3"]


def test_filters_persist_across_sections_and_take_extra_choices(panel):
    show(panel, [hl(1, tags=("budget",))])
    panel.set_filters_choices(tags=["rail", "budget"], authors=["Cy"])
    panel.set_filters(NotesFilter(tag="budget"))
    show(panel, [hl(7, tags=("other",))])
    assert panel.filters().tag == "budget"
    assert panel.highlight_ids(visible_only=True) == []
    tags = [panel.tag_filter.itemText(i) for i in range(panel.tag_filter.count())]
    assert tags == ["Tags", "budget", "other", "rail"]
    authors = [panel.author_filter.itemText(i) for i in range(panel.author_filter.count())]
    assert "Cy" in authors


def test_a_reply_stays_visible_when_its_parent_is_filtered_out(panel):
    show(panel, [], [cm(1, author="Ben"), cm(2, author="Ana", reply_to="c1")])
    panel.set_filters(NotesFilter(author="Ana"))
    assert panel.card("c1").isVisibleTo(panel) and panel.card("c2").isVisibleTo(panel)


def test_selecting_a_filtered_out_highlight_clears_the_filters(panel):
    show(panel, [hl(1, color="red"), hl(2, color="blue")])
    panel.set_filters(NotesFilter(color="red"))
    panel.select_highlight("h2")
    assert panel.filters() == NotesFilter()
    assert panel.card("h2").isVisibleTo(panel)


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize("note", [
    "<script>alert(1)</script>Hello",
    "[x](javascript:alert(1)) and <a href='javascript:alert(2)'>y</a>",
    "<img src=x onerror=alert(1)> ![pic](/dev/zero)",
])
def test_hostile_notes_render_inert(panel, note):
    show(panel, [hl(1, note=note)], [cm(1, body=note)])
    panel.render_pending()
    for item in ("h1", "c1"):
        box = panel.card(item).note if item == "h1" else panel.card(item).body
        rendered = box.label.text().lower()
        assert "<script" not in rendered
        assert "javascript" not in rendered
        assert "onerror" not in rendered
        assert "<img" not in rendered  # a label's document would read local files


def test_note_markdown_is_rendered_and_links_are_not_followed(panel, qtbot):
    show(panel, [hl(1, note="See **this** and [the site](https://example.org)")])
    panel.render_pending()
    label = panel.card("h1").note.label
    assert "<strong>this</strong>" in label.text()
    assert not label.openExternalLinks()
    assert label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction


def test_markdown_in_a_note_fits_a_card():
    html = note_html("# Costs\n\nSee [the table](https://example.org/t?a=1&b=2) and"
                     " <https://x.org>.\n\n| Year | Deaths |\n|---|---|\n| 2024 | 1,900 |"
                     "\n\n> As the minister said.")
    # A heading is bold at the text's size, not larger than the panel's own title.
    assert "<h4>Costs</h4>" in html and "<h1>" not in html
    # Links read as words with their address; there is nothing to click.
    assert "<a" not in html
    assert "the table <small>(https://example.org/t?a=1&amp;b=2)</small>" in html
    assert " and https://x.org." in html
    assert '<table border="1" cellspacing="0" cellpadding="3">' in html
    assert '<blockquote style="font-style:italic; margin-left:12px; margin-right:0px">' in html
    # A column of figures keeps its alignment.
    figures = note_html("| Year | Deaths |\n|---|---:|\n| 2024 | 1,900 |")
    assert '<td align="right">1,900</td>' in figures


def test_code_in_a_note_is_shaded_as_in_the_reader():
    # Without a monospaced font installed, `code` looked like the words around it.
    html = note_html("Use `snake_case` here.\n\n```\nx = 1\n```")
    shade = "background-color:rgba(127, 127, 127, 40)"
    assert f'<code style="{shade}">snake_case</code>' in html
    assert f'<pre style="{shade}"><code>x = 1' in html  # the block once, not each line
    assert "x = 1</code></pre>" in html  # no empty shaded line under the code


def test_a_footnote_in_a_note_is_not_shown_with_its_anchor_address():
    shown = note_html("See the costs[^1].\n\n[^1]: Table 3 of the annex.")
    assert "Table 3 of the annex." in shown
    assert "#fn" not in shown, shown


def test_plain_notes_are_escaped_and_read_like_markdown():
    assert note_html("a < b & c\nnext") == "<p>a &lt; b &amp; c\nnext</p>"
    assert note_html("one\nline\n\nnext") == "<p>one\nline</p>\n<p>next</p>"
    # As Python-Markdown itself makes them.
    assert note_html("one\nline\n\nnext") == render._render_fragment("one\nline\n\nnext", 2.0)


# --------------------------------------------------------------------------- keyboard


def _tabbed_through_the_cards(panel, qtbot) -> list:
    """Tab pressed from the first of the cards h1, h2 (and c1): where it went, checked
    to go through h1's buttons to h2."""
    panel.card("h1").setFocus()
    order = []
    for _ in range(14):
        order.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    first, second = panel.card("h1"), panel.card("h2")
    assert order[:5] == [first, first.colour_button, first.delete_button, first.tags_edit,
                         second]
    return order


def test_tab_goes_through_cards_and_their_buttons(panel, qtbot):
    show(panel, [hl(1), hl(2)], [cm(1)])
    order = _tabbed_through_the_cards(panel, qtbot)
    comment = panel.card("c1")
    assert comment in order and comment.reply_button in order
    assert panel.composer.edit in order
    assert panel.scroll not in order  # the cards take the focus, not their container


def test_a_long_tab_order_is_set_over_turns_of_the_event_loop(panel, qtbot, monkeypatch):
    # A section of many notes: the order is set a slice at a time, not in one freeze.
    monkeypatch.setattr(notes_panel_module, "TAB_ORDER_SLICE", 3)
    calls: list[int] = []
    real = QWidget.setTabOrder

    def counting(first, second):
        calls.append(1)
        real(first, second)

    monkeypatch.setattr(notes_panel_module.QWidget, "setTabOrder", counting)
    show(panel, [hl(1), hl(2)], [cm(1)])
    assert calls and len(calls) <= 3 * 2  # the build's own slice, then a slice a turn
    qtbot.waitUntil(lambda: not panel._tab_pairs)
    monkeypatch.setattr(notes_panel_module.QWidget, "setTabOrder", real)
    order = _tabbed_through_the_cards(panel, qtbot)
    comment = panel.card("c1")
    assert comment in order and panel.composer.edit in order


def test_widgets_have_accessible_names(panel):
    show(panel, [hl(1)], [cm(1)])
    card, comment = panel.card("h1"), panel.card("c1")
    for widget in (panel.colour_filter, panel.tag_filter, panel.author_filter,
                   card.colour_button, card.delete_button, card.tags_edit,
                   comment.reply_button, comment.edit_button, comment.delete_button,
                   panel.composer.edit, panel.composer.post_button):
        assert widget.accessibleName(), widget
    assert card.delete_button.toolTip() and card.colour_button.toolTip()


# --------------------------------------------------------------------------- theme


def test_light_and_dark_screenshots(panel, qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    from briefreader.ui.theme import apply_theme

    app = QApplication.instance()
    before = app.palette()
    apply_theme(app, "light")  # (whatever an earlier test left)
    panel.set_dark(False)
    try:
        _light_and_dark(panel, qtbot, tmp_path)
    finally:
        app.setPalette(before)


def _light_and_dark(panel, qtbot, tmp_path):
    items = [hl(1, note="Check **this**", tags=("budget",)), hl(2, color="green",
             status="moved"), hl(3, color="blue", status="ambiguous", note="Plain")]
    show(panel, items, [cm(1), cm(2, reply_to="c1")])
    panel.render_pending()
    panel.mark_draft("h1", "the disk is full")
    qtbot.wait(50)  # let the layout settle
    light = panel.grab()
    assert light.save(str(tmp_path / "panel-light.png"))
    palette = QPalette(panel.palette())
    for role, colour in ((QPalette.ColorRole.Window, "#25262a"),
                         (QPalette.ColorRole.Base, "#1c1d1f"),
                         (QPalette.ColorRole.Text, "#e2e2de"),
                         (QPalette.ColorRole.WindowText, "#e2e2de")):
        palette.setColor(role, colour)
    panel.setPalette(palette)
    panel.set_dark(True)
    qtbot.wait(50)
    dark = panel.grab()
    assert dark.save(str(tmp_path / "panel-dark.png"))
    corner = QPoint(2, dark.height() - 4)
    assert (light.toImage().pixelColor(corner).lightness()
            > dark.toImage().pixelColor(corner).lightness())


# --------------------------------------------------------------------------- helpers


def test_parse_tags():
    assert parse_tags(" a, b ,,a,  two  words ") == ("a", "b", "two words")
    assert parse_tags("") == ()


def test_card_dates_use_the_shared_timestamp_format():
    from briefreader.ui.dates import format_timestamp
    from briefreader.ui.notes_cards import _dates_tip, _meta_text

    shown = format_timestamp("2026-03-02T09:15:00.000Z")
    assert _meta_text("Ana", "2026-03-02T09:15:00.000Z") == f"Ana · {shown}"
    assert _meta_text("Ana", "not a date") == "Ana"
    assert _dates_tip("not a date", "") == ""


def test_card_for_edited_item_replaces_its_highlight(panel):
    show(panel, [hl(1)])
    changed = replace(hl(1), tags=("new",))
    panel.update_highlight(changed)
    assert panel.card("h1").highlight.tags == ("new",)
    assert [panel.tag_filter.itemData(i) for i in range(panel.tag_filter.count())] == [
        None, "new"]


def test_a_long_section_heading_wraps_instead_of_widening_the_panel(panel):
    title = "Preparatory Note: Digital Trade Chapter, Negotiating Round Four " * 2
    panel.set_section(title, [], [], labels=LABELS, section_id="s1")
    assert panel.title_label.text() == title
    assert panel.minimumSizeHint().width() < 360  # a small laptop window still fits


def test_the_filters_leave_the_text_its_room_in_a_small_window(panel):
    # Three filters side by side set the panel's least width: narrow ones, named
    # "Colours", "Tags", "Authors" when nothing is filtered, keep it near a quarter of
    # an 800-pixel window.
    assert [f.itemText(0) for f in (panel.colour_filter, panel.tag_filter,
                                    panel.author_filter)] == ["Colours", "Tags", "Authors"]
    assert panel.minimumSizeHint().width() <= 280


def _text_room(combo) -> int:
    """Width a combo box draws its current text in (after its icon, if any)."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    icon = combo.itemIcon(combo.currentIndex())
    return field.width() - (0 if icon.isNull() else combo.iconSize().width() + 4)


def _filters_read_whole(panel) -> None:
    from PySide6.QtGui import QFontMetrics

    row = panel.filter_row
    for combo in (panel.colour_filter, panel.tag_filter, panel.author_filter,
                  panel.clear_filters_button):
        if combo.isHidden():
            continue
        assert combo.sizeHint().width() <= combo.width(), combo.accessibleName()
        assert row.rect().contains(combo.geometry()), combo.accessibleName()
    for combo in (panel.colour_filter, panel.tag_filter, panel.author_filter):
        text = combo.currentText()
        assert QFontMetrics(combo.font()).horizontalAdvance(text) <= _text_room(combo), text


@pytest.mark.parametrize("width", [220, 250, 345])  # the notes dock at 640, 800, 1280
def test_the_filters_read_whole_in_a_small_window(panel, qtbot, width):
    show(panel, [hl(1, tags=("budget",), author="Ana"), hl(2, author="Ben")])
    panel.resize(width, 600)
    qtbot.waitUntil(lambda: panel.filter_row.width() == panel.width() - 12)
    _filters_read_whole(panel)
    # Side by side when there is room; else on two lines, never squeezed.
    lines = 1 if width >= 300 else 2
    assert panel.filter_row.lines() == lines
    # Every colour reads whole too, with its chip; choosing one (Clear comes) moves
    # nothing.
    for colour in ("yellow", "green", "blue", "red", "purple"):
        panel.colour_filter.setCurrentIndex(panel.colour_filter.findData(colour))
        qtbot.wait(1)
        _filters_read_whole(panel)
        assert panel.filter_row.lines() == lines
    assert panel.colour_filter.currentText() == "Action"
    panel.author_filter.setCurrentIndex(panel.author_filter.findData("Ana"))
    assert not panel.clear_filters_button.isHidden()
    qtbot.wait(10)
    _filters_read_whole(panel)
    panel.clear_filters_button.click()
    qtbot.wait(10)
    _filters_read_whole(panel)
    assert panel.filter_row.lines() == lines
    assert panel.minimumSizeHint().width() <= 280  # and the panel is no wider for it


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_tags_field_shows_when_it_has_the_keyboard(panel, qtbot, mode):
    """Tab from a card's buttons into its tags: the field, drawn as part of the card,
    is outlined then (3:1 or more against the card, as a focus sign must be), not
    shown by a blinking caret alone; left, it is part of the card again."""
    from briefreader.ui.theme import apply_theme, palette_is_dark
    from contrast import contrast

    app = QApplication.instance()
    before = app.palette()
    try:
        dark = apply_theme(app, mode)
        show(panel, [hl(1)])
        card = panel.card("h1")
        edit = card.tags_edit
        qtbot.waitUntil(lambda: palette_is_dark(card.palette(), QPalette.ColorRole.Base) == dark)

        def edges() -> list:
            image = card.grab().toImage()
            box = edit.geometry()
            middle = box.center()
            return [image.pixelColor(box.left(), middle.y()),
                    image.pixelColor(box.right(), middle.y()),
                    image.pixelColor(middle.x(), box.top()),
                    image.pixelColor(middle.x(), box.bottom())]

        card.delete_button.setFocus()
        qtbot.waitUntil(card.delete_button.hasFocus)
        plain = edges()
        base = card.palette().color(QPalette.ColorRole.Base)
        assert all(contrast(colour, base) < 1.2 for colour in plain)  # no box on the card
        qtbot.keyClick(card.delete_button, Qt.Key.Key_Tab)
        qtbot.waitUntil(edit.hasFocus)
        for colour, was in zip(edges(), plain, strict=True):
            assert contrast(colour, was) >= 3, (colour.name(), was.name())
        qtbot.keyClick(edit, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: not edit.hasFocus())
        assert edges() == plain
    finally:
        app.setPalette(before)
