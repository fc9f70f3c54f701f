"""The notes panel updates the shown section in place when its notes change.

Creating, deleting, restoring or undoing one highlight makes the window pass the
section's full new lists again: the panel keeps the cards of the items still there
(the very same widgets), makes cards only for new items, drops the gone ones and puts
them all in the new order, with drafts, the editor being typed in, filters, selection
and scroll position untouched.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from briefreader.ui.notes_panel import NotesFilter, NotesPanel
from panel_data import LABELS, cm, hl, start_typing

N = 250


def show(panel: NotesPanel, highlights, comments=()) -> None:
    panel.set_section("Funding", list(highlights), list(comments), labels=LABELS,
                      section_id="s1")


def settle(panel: NotesPanel, qtbot) -> None:
    qtbot.waitUntil(lambda: not panel.building(), timeout=30_000)


def shown_section(panel: NotesPanel, qtbot, highlights, comments=()) -> dict:
    """Show the section, wait until every card is built; its cards by id."""
    show(panel, highlights, comments)
    settle(panel, qtbot)
    return {h.id: panel.card(h.id) for h in highlights if h.deleted_at is None}


def laid_out(panel: NotesPanel) -> list[str]:
    """The highlight cards in the list, top to bottom, as their highlights' ids."""
    ids = []
    for i in range(panel.cards_layout.count()):
        page = panel.cards_layout.itemAt(i).widget()
        if page is None or page.isHidden():
            continue
        layout = page.layout()
        for j in range(layout.count()):
            card = layout.itemAt(j).widget()
            if card is not None:
                ids.append(card.highlight.id)
    return ids


def in_order_on_screen(panel: NotesPanel, ids: list[str]) -> bool:
    tops = [panel.card(hid).mapTo(panel.content, QPoint(0, 0)).y() for hid in ids]
    return all(a < b for a, b in zip(tops, tops[1:], strict=False))


def test_removing_a_highlight_keeps_every_other_card(panel, qtbot):
    items = [hl(n) for n in range(N)]
    before = shown_section(panel, qtbot, items)
    gone = before["h100"]
    destroyed = []
    gone.destroyed.connect(lambda: destroyed.append(True))

    rest = items[:100] + items[101:]
    show(panel, rest)
    settle(panel, qtbot)
    for h in rest:
        assert panel.card(h.id) is before[h.id], h.id
    assert panel.card("h100") is None
    assert panel.highlight_ids() == [h.id for h in rest]
    assert laid_out(panel) == [h.id for h in rest]
    qtbot.waitUntil(lambda: bool(destroyed))  # deleted, not merely hidden
    assert not shiboken6.isValid(gone)


@pytest.mark.parametrize("new", [0, 120, N], ids=["first", "middle", "last"])
def test_adding_a_highlight_makes_exactly_one_card_in_its_place(panel, qtbot, new):
    items = [hl(n) for n in range(N + 1)]
    before = shown_section(panel, qtbot, [h for h in items if h.id != f"h{new}"])

    show(panel, items)
    settle(panel, qtbot)
    after = {h.id: panel.card(h.id) for h in items}
    made = {id(card) for card in after.values()} - {id(card) for card in before.values()}
    assert made == {id(after[f"h{new}"])}
    for hid, card in before.items():
        assert after[hid] is card, hid
    ids = [h.id for h in items]
    assert laid_out(panel) == ids
    neighbours = ids[max(0, new - 1):new + 2]
    qtbot.waitUntil(lambda: in_order_on_screen(panel, neighbours))
    assert after[f"h{new}"].isVisible()


def test_a_note_being_typed_keeps_its_editor_text_and_cursor(panel, qtbot):
    items = [hl(n, note="stored" if n == 50 else "") for n in range(N)]
    shown_section(panel, qtbot, items)
    editor = start_typing(qtbot, panel, "h50", " plus typing")
    for _ in range(3):  # the cursor is not at the end: it must stay where it is
        qtbot.keyClick(editor, Qt.Key.Key_Left)
    position = editor.textCursor().position()
    sent = []
    panel.note_edited.connect(lambda hid, text: sent.append((hid, text)))

    # one note deleted above it and one made below it, the draft not yet saved
    changed = items[:10] + items[11:] + [hl(N)]
    show(panel, changed)
    settle(panel, qtbot)
    card = panel.card("h50")
    assert card.note.editor is editor and editor.hasFocus()
    assert editor.toPlainText() == "stored plus typing"
    assert editor.textCursor().position() == position
    assert editor.document().isUndoAvailable()
    assert panel.draft_text("h50") == "stored plus typing"
    assert panel.has_unsaved()
    assert sent == []  # nothing was sent or lost by the update

    # the window saves part of it while typing goes on; a note is restored meanwhile
    panel.flush()
    assert sent == [("h50", "stored plus typing")]
    qtbot.keyClicks(editor, "!")
    saved = [replace(h, note="stored plus typing") if h.id == "h50" else h for h in items]
    show(panel, saved + [hl(N)])
    settle(panel, qtbot)
    assert panel.card("h50").note.editor is editor and editor.hasFocus()
    assert editor.toPlainText() == "stored plus typ!ing"
    # a stale refresh (the store's older text) does not overwrite the typing either
    show(panel, items)
    assert editor.toPlainText() == "stored plus typ!ing"
    panel.flush()
    assert sent[-1] == ("h50", "stored plus typ!ing")


def test_a_failed_save_keeps_its_text_reason_and_retry(panel, qtbot):
    items = [hl(n) for n in range(N)]
    shown_section(panel, qtbot, items)
    start_typing(qtbot, panel, "h200", "important")
    panel.flush()
    panel.mark_draft("h200", "the disk is full")
    card = panel.card("h200")

    show(panel, items[1:])  # the store still has the old (empty) note
    settle(panel, qtbot)
    assert panel.card("h200") is card
    assert panel.draft_text("h200") == "important"
    assert panel.error_text("h200") == "Not saved: the disk is full"
    assert card.note.retry_button.isVisibleTo(panel)
    with qtbot.waitSignal(panel.retry_requested) as blocker:
        card.note.retry_button.click()
    assert blocker.args == ["h200"]
    panel.mark_saved("h200")
    assert not panel.has_unsaved()


def test_cards_count_and_order_follow_the_new_list(panel, qtbot):
    items = [hl(n) for n in range(N)]
    before = shown_section(panel, qtbot, items)
    # some gone, some new, some moved (a highlight re-anchored elsewhere)
    kept = [h for h in items if h.id not in {"h3", "h77", "h249"}]
    moved = kept[:40] + kept[150:160] + kept[40:150] + [hl(300)] + kept[160:][::-1]
    new_order = [hl(301)] + moved
    show(panel, new_order)
    settle(panel, qtbot)
    ids = [h.id for h in new_order]
    assert panel.highlight_ids() == ids
    assert laid_out(panel) == ids
    assert len(laid_out(panel)) == len(new_order)
    for h in kept:
        assert panel.card(h.id) is before[h.id], h.id
    qtbot.waitUntil(lambda: in_order_on_screen(panel, ids))


def test_an_update_while_the_cards_are_still_being_built(panel, qtbot):
    items = [hl(n) for n in range(N)]
    show(panel, items)
    assert panel.building()
    changed = [hl(N)] + items[:5] + items[6:]
    show(panel, changed)
    settle(panel, qtbot)
    ids = [h.id for h in changed]
    assert laid_out(panel) == ids
    qtbot.waitUntil(lambda: in_order_on_screen(panel, ids))


def drain_events() -> None:
    """Run what is queued for the next turns of the event loop, however busy the machine."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def test_filters_selection_and_scroll_position_stay(panel, qtbot):
    items = [hl(n, color="red" if n % 2 else "yellow") for n in range(N)]
    shown_section(panel, qtbot, items)
    panel.set_filters(NotesFilter(color="red"))
    panel.select_highlight("h151")
    bar = panel.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 3000)
    drain_events()  # the selection's own scroll (queued for the next turn) is done
    bar.setValue(2500)
    value = bar.value()
    assert value == 2500

    show(panel, items[:149] + items[150:] + [hl(N, color="yellow"), hl(N + 1, color="red")])
    settle(panel, qtbot)
    drain_events()
    assert panel.filters() == NotesFilter(color="red")
    assert not panel.card(f"h{N}").isVisibleTo(panel)
    assert panel.card(f"h{N + 1}").isVisibleTo(panel)
    assert panel.selected_highlight() == "h151" and panel.card("h151").selected
    assert bar.value() == value
    # the selected highlight deleted: nothing is selected
    show(panel, items[:151] + items[152:])
    assert panel.selected_highlight() is None


def test_comment_cards_are_kept_and_the_thread_follows(panel, qtbot):
    highlights = [hl(n) for n in range(20)]
    comments = [cm(1), cm(2, reply_to="c1"), cm(3)]
    shown_section(panel, qtbot, highlights, comments)
    c1, c2, c3 = (panel.card(cid) for cid in ("c1", "c2", "c3"))
    qtbot.mouseClick(c2.reply_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(c2.reply_composer.edit, "half a reply")
    editor = start_typing(qtbot, panel, "c3", " edited")

    # a highlight deleted: the thread is untouched
    show(panel, highlights[1:], comments)
    assert [panel.card(cid) for cid in ("c1", "c2", "c3")] == [c1, c2, c3]
    # a reply posted and the first comment deleted (it keeps its place for its reply)
    changed = [cm(1, deleted_at="2026-03-09T00:00:00.000Z"), cm(2, reply_to="c1"), cm(3),
               cm(4, reply_to="c2")]
    show(panel, highlights[1:], changed)
    assert panel.comment_ids() == ["c1", "c2", "c4", "c3"]
    assert panel.card("c2") is c2 and panel.card("c3") is c3
    assert "deleted" in panel.card("c1").body.label.text()
    assert panel.card("c4").depth == 2
    assert c2.reply_composer.text() == "half a reply"
    assert panel.card("c3").body.editor is editor and editor.hasFocus()
    assert editor.toPlainText() == "Comment 3 edited"
    layout = panel.comments_layout
    assert [layout.itemAt(i).widget().comment_id for i in range(layout.count())] == [
        "c1", "c2", "c4", "c3"]
    qtbot.waitUntil(lambda: in_order_on_screen(panel, panel.comment_ids()))


def test_another_section_is_shown_afresh(panel, qtbot):
    before = shown_section(panel, qtbot, [hl(n) for n in range(5)])
    panel.set_section("Other", [hl(n, section_id="s2") for n in range(5)], [], labels=LABELS,
                      section_id="s2")
    panel.build_all()
    assert sorted(before) == sorted(h.id for h in [hl(n) for n in range(5)])
    assert all(panel.card(hid) is not None for hid in before)  # built again, as new cards
    assert all(panel.card(hid) is not card for hid, card in before.items())


@pytest.mark.parametrize("reorder", ["reversed", "first and last swapped"])
def test_cards_can_be_reordered_across_pages(panel, qtbot, reorder):
    items = [hl(n) for n in range(N)]
    before = shown_section(panel, qtbot, items)
    swapped = [items[-1], *items[1:-1], items[0]]
    new_order = items[::-1] if reorder == "reversed" else swapped
    show(panel, new_order)
    settle(panel, qtbot)
    ids = [h.id for h in new_order]
    assert laid_out(panel) == ids
    assert all(panel.card(hid) is before[hid] for hid in ids)
    qtbot.waitUntil(lambda: in_order_on_screen(panel, ids))


def test_a_rewritten_quote_is_shown_on_the_kept_card(panel, qtbot):
    # Review's Attach / Accept rewrite a highlight's quote; the section is refreshed
    # in place, and the kept card must show the new quote.
    before = shown_section(panel, qtbot, [hl(1), hl(2)])
    show(panel, [replace(hl(1), exact="The  new\nquoted text"), hl(2)])
    card = panel.card("h1")
    assert card is before["h1"]
    assert card.quote.text() == "The new quoted text"
    assert card.quote.lines(card.quote.width() or 300) == ["The new quoted text"]
    assert "The new quoted text" in card.accessibleDescription()


def test_a_removed_card_sends_what_was_typed_once_and_keeps_nothing(panel, qtbot):
    # The note left the section (moved in Review, say) while its text was being typed:
    # the text is sent once for saving, and the panel keeps no draft of a card it no
    # longer shows.
    shown_section(panel, qtbot, [hl(1), hl(2)])
    sent = []
    panel.note_edited.connect(lambda hid, text: sent.append((hid, text)))
    start_typing(qtbot, panel, "h1", "typed")
    assert panel.has_unsaved()
    show(panel, [hl(2)])
    assert panel.card("h1") is None
    assert not panel.has_unsaved() and panel.draft_text("h1") is None
    qtbot.waitUntil(lambda: sent != [], timeout=2000)
    panel.flush()
    qtbot.wait(50)
    assert len(sent) == 1 and sent[0][0] == "h1" and sent[0][1].endswith("typed")
