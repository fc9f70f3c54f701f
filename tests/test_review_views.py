"""Review, Trash and Bookmarks views: what they show, and the intents they emit."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from briefreader.store import Bookmark, Comment, Highlight
from briefreader.ui.bookmarks import NO_LABEL, REMOVED_SECTION, BookmarksView
from briefreader.ui.dates import format_timestamp
from briefreader.ui.review import PAGE_SIZE, STATUS_BADGES, ReviewItem, ReviewView, excerpt
from briefreader.ui.theme import apply_theme
from briefreader.ui.trash import TrashView
from briefreader.worddiff import DELETE_STYLE, INSERT_STYLE, mark_styles
from contrast import contrast, style_colours


def highlight(hid: str, status: str, exact: str, **kw) -> Highlight:
    fields = dict(
        id=hid, brief_key="harbour", section_id="findings", section_heading="Findings",
        section_ordinal=1, exact=exact, prefix="", suffix="", start=10,
        end=10 + len(exact), status=status, current_section="findings", current_start=12,
        current_end=12 + len(exact), created="2026-11-20T09:15:00.000Z",
    )
    fields.update(kw)
    return Highlight(**fields)


def review_items() -> list[ReviewItem]:
    return [
        ReviewItem(
            highlight("h-changed", "changed",
                      "The sea wall is aging faster than the 2019 survey predicted.",
                      note="Ask the ministry for the <script>alert(1)</script> survey."),
            "The sea wall is ageing much faster than the 2021 survey predicted.",
            "Findings",
        ),
        ReviewItem(
            highlight("h-ambiguous", "ambiguous", "Raise the wall by one metre.",
                      current_section=None, current_start=None, current_end=None),
            None, None,
            (("Recommendations", "Raise the wall by one metre."),
             ("Annex B", "Raise the north wall by one metre.")),
        ),
        ReviewItem(
            highlight("h-orphan", "orphaned",
                      "Premiums remain three times higher than before the closure.",
                      current_section=None, current_start=None, current_end=None),
            None, None,
        ),
    ]


def recorder(signal) -> list[tuple]:
    calls: list[tuple] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


def shown_review(qtbot) -> ReviewView:
    view = ReviewView()
    qtbot.addWidget(view)
    view.resize(820, 900)
    view.set_items(review_items())
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def review(qtbot) -> ReviewView:
    return shown_review(qtbot)


# -- Review ---------------------------------------------------------------------------

def test_review_empty_state(qtbot):
    view = ReviewView()
    qtbot.addWidget(view)
    view.show()
    assert view.count() == 0
    assert view.empty_label.isVisible()
    assert view.empty_label.text() == "Nothing to review"
    assert not view.scroll.isVisible()
    view.set_items(review_items())
    assert view.count() == 3
    assert not view.empty_label.isVisible()
    assert view.summary.text() == "3 notes need review"
    view.set_items([])
    assert view.count() == 0
    assert view.empty_label.isVisible()


def test_review_rows_in_given_order(review):
    assert review.highlight_ids() == ["h-changed", "h-ambiguous", "h-orphan"]
    assert [review.row(i).badge.text() for i in review.highlight_ids()] == [
        "Changed", "Ambiguous", "Orphaned"]


def test_review_shows_word_diff(review):
    row = review.row("h-changed")
    old, new = row.old_text.text(), row.new_text.text()
    assert f'<span style="{DELETE_STYLE}">aging</span>' in old
    assert f'<span style="{DELETE_STYLE}">2019</span>' in old
    assert f'<span style="{INSERT_STYLE}">ageing much</span>' in new
    assert f'<span style="{INSERT_STYLE}">2021</span>' in new
    assert INSERT_STYLE not in old and DELETE_STYLE not in new
    assert "% the same" in row.new_caption.text()


def test_review_note_is_plain_text(review):
    row = review.row("h-changed")
    assert row.note_label.textFormat() == Qt.TextFormat.PlainText
    assert "<script>alert(1)</script>" in row.note_label.text()
    assert not review.row("h-orphan").note_label.isVisible()


def test_review_escapes_markup_in_quotes(qtbot):
    view = ReviewView()
    qtbot.addWidget(view)
    h = highlight("h1", "changed", 'Use <b>bold</b> & <img src="/dev/zero">')
    view.set_items([ReviewItem(h, "Use <i>it</i> & more", "Findings")])
    row = view.row("h1")
    old, new = row.old_text.text(), row.new_text.text()
    assert "<b>" not in old and "<img" not in old and "&lt;img src=&quot;/dev/zero" in old
    assert "<i>" not in new and "&lt;" in new and "&amp;" in new
    orphan = dataclasses.replace(h, id="h2", status="orphaned")
    view.set_items([ReviewItem(orphan, None, None)])
    assert "<b>" not in view.row("h2").old_text.text()
    assert "&lt;b&gt;" in view.row("h2").old_text.text()


def test_review_buttons_emit_highlight_ids(review, qtbot):
    accepted = recorder(review.accept_requested)
    attached = recorder(review.attach_here_requested)
    kept = recorder(review.keep_orphan_requested)
    went = recorder(review.go_to_requested)
    row = review.row("h-changed")
    for button in (row.accept_button, row.attach_button, row.orphan_button, row.go_button):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(review.row("h-orphan").orphan_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(review.row("h-ambiguous").attach_button, Qt.MouseButton.LeftButton)
    assert accepted == [("h-changed",)]
    assert attached == [("h-changed",), ("h-ambiguous",)]
    assert kept == [("h-changed",), ("h-orphan",)]
    assert went == [("h-changed",)]


def test_review_orphans_cannot_be_accepted(review):
    orphan = review.row("h-orphan")
    assert not orphan.accept_button.isEnabled()
    assert not orphan.go_button.isEnabled()
    assert orphan.attach_button.isEnabled() and orphan.orphan_button.isEnabled()
    assert "No matching text" in orphan.new_text.text()
    assert review.row("h-changed").accept_button.isEnabled()
    # Nothing found now means nothing to accept, whatever the status says.
    assert not review.row("h-ambiguous").accept_button.isEnabled()


def test_review_candidates_choose_by_index(review, qtbot):
    chosen = recorder(review.candidate_chosen)
    row = review.row("h-ambiguous")
    assert [b.text() for b in row.candidate_buttons] == ["Use place 1", "Use place 2"]
    assert "Annex B" in row.candidate_buttons[1].accessibleName()
    qtbot.mouseClick(row.candidate_buttons[1], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(row.candidate_buttons[0], Qt.MouseButton.LeftButton)
    assert chosen == [("h-ambiguous", 1), ("h-ambiguous", 0)]
    assert review.row("h-changed").candidate_buttons == []


def test_review_places_show_the_text_around_them_and_in_the_reader(qtbot):
    from briefreader.ui.review import Place

    view = ReviewView()
    qtbot.addWidget(view)
    view.resize(820, 900)
    same = "Raise the wall by one metre."
    before = "The harbour board met twice in May and agreed the following plan of works. "
    view.set_items([ReviewItem(
        highlight("h-ambiguous", "ambiguous", same, current_section=None,
                  current_start=None, current_end=None),
        None, None,
        (Place("Recommendations", same, before, " Then review it in 2030."),
         Place("Recommendations", same, "Annex B repeats it: ", " Costs are in annex C.")))])
    row = view.row("h-ambiguous")
    first, second = (label.text() for label in row.findChildren(type(row.note_label))
                     if label.accessibleName().startswith("Place "))
    # Same section, same words: what is around each place tells them apart.
    assert "Annex B repeats it:" in second and "Costs are in annex C." in second
    assert "…agreed the following plan of works." in first
    assert "met twice" not in first  # cut at a word, this far back
    shown = recorder(view.place_shown)
    assert [b.accessibleName() for b in row.show_buttons] == ["Show place 1", "Show place 2"]
    qtbot.mouseClick(row.show_buttons[1], Qt.MouseButton.LeftButton)
    assert shown == [("h-ambiguous", 1)]


def test_review_tab_walks_rows_and_buttons_and_space_presses(review, qtbot):
    review.activateWindow()
    review.focus_first()
    order = []
    for _ in range(12):
        widget = QApplication.focusWidget()
        assert isinstance(widget, QPushButton)
        order.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    changed, ambiguous, orphan = (review.row(i) for i in review.highlight_ids())
    expected = [b for row in (changed, ambiguous, orphan) for b in row.focusable()
                if b.isEnabled()]
    assert order[: len(expected)] == expected
    kept = recorder(review.keep_orphan_requested)
    orphan.orphan_button.setFocus()
    qtbot.keyClick(orphan.orphan_button, Qt.Key.Key_Space)
    assert kept == [("h-orphan",)]


def test_review_remove_item_moves_focus_on(review, qtbot):
    review.activateWindow()
    review.row("h-changed").attach_button.setFocus()
    review.remove_item("h-changed")
    assert review.count() == 2
    assert review.highlight_ids() == ["h-ambiguous", "h-orphan"]
    assert QApplication.focusWidget() is review.row("h-ambiguous").first_enabled_button()
    review.remove_item("no-such-id")
    assert review.count() == 2
    # Settling the last row moves the focus up to the row before it.
    review.set_items(review_items())
    review.row("h-orphan").orphan_button.setFocus()
    review.remove_item("h-orphan")
    assert QApplication.focusWidget() is review.row("h-ambiguous").first_enabled_button()
    review.remove_item("h-changed")
    review.remove_item("h-orphan")
    review.remove_item("h-ambiguous")
    assert review.count() == 0
    assert review.empty_label.isVisible()


def test_review_set_items_keeps_focus_on_the_same_button(review):
    review.activateWindow()
    review.row("h-orphan").orphan_button.setFocus()
    review.set_items(review_items()[1:])
    assert QApplication.focusWidget() is review.row("h-orphan").orphan_button


def test_review_lists_an_orphan_kept_last_and_no_longer_asks(review, qtbot):
    review.activateWindow()
    items = review_items()
    orphan = items[2]
    kept = dataclasses.replace(
        orphan, highlight=dataclasses.replace(orphan.highlight,
                                              reviewed="2026-11-21T10:00:00.000Z"))
    review.row("h-changed").orphan_button.setFocus()
    # The window lists the notes again once one is kept: the kept come last.
    changed_kept = dataclasses.replace(items[0], highlight=dataclasses.replace(
        items[0].highlight, status="orphaned", reviewed="2026-11-21T10:00:00.000Z"),
        current_text=None, section_title=None)
    review.set_items([items[1], kept, changed_kept])
    assert review.summary.text() == "1 note needs review · 2 notes kept without a place"
    row = review.row("h-changed")
    assert row.section_label.text() == "Was in “Findings” · kept without a place"
    assert not row.orphan_button.isEnabled() and not row.accept_button.isEnabled()
    assert row.attach_button.isEnabled()
    # The focus went on to the next note to review, not along with the one kept.
    assert QApplication.focusWidget() is review.row("h-ambiguous").first_enabled_button()
    review.set_items([kept])
    assert review.summary.text() == "Nothing to review · 1 note kept without a place"
    assert not review.empty_label.isVisible()


def test_keeping_the_last_note_to_review_leaves_none_of_its_buttons_focused(review):
    # Kept as an orphan, the last note to review stays listed (last, with the places it
    # may still be given): the keyboard must not stay on one of its buttons, where one
    # more Space would give it a place.
    review.activateWindow()
    changed, ambiguous, orphan = review_items()

    def kept(item):
        return dataclasses.replace(item, highlight=dataclasses.replace(
            item.highlight, status="orphaned", reviewed="2026-11-21T10:00:00.000Z"),
            current_text=None, section_title=None)

    review.set_items([changed, orphan])
    review.row("h-orphan").orphan_button.setFocus()
    review.set_items([changed, kept(orphan)])  # the last one kept: back to the one before
    assert QApplication.focusWidget() is review.row("h-changed").first_enabled_button()
    review.set_items([orphan])
    review.row("h-orphan").orphan_button.setFocus()
    review.set_items([kept(orphan)])  # nothing left to review
    assert QApplication.focusWidget() not in review.row("h-orphan").focusable()
    assert review.isAncestorOf(QApplication.focusWidget()) or QApplication.focusWidget() is review


def test_review_stacks_when_narrow(review, qtbot):
    row = review.row("h-changed")
    review.resize(900, 900)
    qtbot.waitUntil(lambda: not row.stacked())
    assert row.buttons_per_line() == 4
    review.resize(340, 900)
    qtbot.waitUntil(row.stacked)
    assert row.buttons_per_line() == 2
    # Nothing is cut off: the buttons fit inside the row.
    assert row.go_button.geometry().right() <= row.width()


def test_review_in_a_narrow_panel_puts_its_buttons_in_a_column_and_cuts_nothing(
    review, qtbot
):
    review.resize(240, 900)  # the notes panel of a small window
    viewport = review.scroll.viewport()
    for hid in review.highlight_ids():
        row = review.row(hid)
        qtbot.waitUntil(lambda row=row: row.buttons_per_line() == 1)
        qtbot.waitUntil(lambda row=row: row.width() <= viewport.width())
        for widget in (*row.focusable(), row.note_label):
            right = widget.mapTo(viewport, widget.rect().topRight()).x()
            assert right < viewport.width(), (hid, widget)
    review.resize(340, 900)  # room again for two a line
    qtbot.waitUntil(lambda: review.row("h-changed").buttons_per_line() == 2)


def test_review_in_the_panel_of_the_smallest_window_cuts_nothing(review, qtbot):
    # At 800x560 the panel leaves its rows some 200 pixels: a section's name in quotes,
    # one word too long for that beside the badge, must wrap or be cut, not widen the
    # row under the scroll bar.
    long_name = dataclasses.replace(review_items()[0], section_title="Backgroundinformation")
    review.set_items([long_name, *review_items()[1:]])
    review.resize(222, 700)
    viewport = review.scroll.viewport()
    for hid in review.highlight_ids():
        row = review.row(hid)
        qtbot.waitUntil(lambda row=row: row.width() <= viewport.width())
        for widget in (row.badge, row.section_label, *row.focusable()):
            right = widget.mapTo(viewport, widget.rect().topRight()).x()
            assert right < viewport.width(), (hid, widget)


def many_items(n: int) -> list[ReviewItem]:
    base = review_items()
    return [dataclasses.replace(base[i % 3], highlight=dataclasses.replace(
        base[i % 3].highlight, id=f"h{i}")) for i in range(n)]


def test_review_builds_rows_a_page_at_a_time(review, qtbot):
    review.activateWindow()
    review.set_items(many_items(PAGE_SIZE * 2 + 5))
    assert review.count() == PAGE_SIZE * 2 + 5
    assert review.summary.text() == f"{PAGE_SIZE * 2 + 5} notes need review"
    assert review.row(f"h{PAGE_SIZE - 1}") is not None
    assert review.row(f"h{PAGE_SIZE}") is None
    assert review.more_button.isVisible()
    assert review.more_button.text() == f"Show {PAGE_SIZE} more ({PAGE_SIZE + 5} not shown)"
    # Keyboard: Space on "Show more" builds the next page and lands on its first row.
    review.more_button.setFocus()
    qtbot.keyClick(review.more_button, Qt.Key.Key_Space)
    new_row = review.row(f"h{PAGE_SIZE}")
    assert new_row is not None and review.row(f"h{PAGE_SIZE * 2}") is None
    assert QApplication.focusWidget() is new_row.first_enabled_button()
    assert review.more_button.text() == "Show 5 more (5 not shown)"
    # Items not built yet can still be settled.
    review.remove_item(f"h{PAGE_SIZE * 2 + 4}")
    assert review.count() == PAGE_SIZE * 2 + 4
    assert review.more_button.text() == "Show 4 more (4 not shown)"
    qtbot.mouseClick(review.more_button, Qt.MouseButton.LeftButton)
    assert not review.more_button.isVisible()
    assert review.row(f"h{PAGE_SIZE * 2 + 3}") is not None


def test_review_refresh_keeps_focus_beyond_the_first_page(review):
    review.activateWindow()
    items = many_items(PAGE_SIZE + 10)
    review.set_items(items)
    review.show_more()
    target = review.row(f"h{PAGE_SIZE + 3}").orphan_button
    target.setFocus()
    review.set_items(items[1:])
    assert QApplication.focusWidget() is review.row(f"h{PAGE_SIZE + 3}").orphan_button


def test_excerpt():
    assert excerpt("  short\n text ", 50) == "short text"
    cut = excerpt("one two three four five six seven", 16)
    assert cut.endswith("…") and len(cut) <= 16
    assert cut == "one two three…"


# -- Trash ------------------------------------------------------------------------------

def trash_items() -> tuple[list[Highlight], list[Comment]]:
    highlights = [
        highlight("h1", "anchored", "Raise the wall by one metre.", note="Costed?",
                  deleted_at="2026-11-21T10:01:00.000Z"),
        highlight("h2", "anchored", "The <b>sea wall</b> is aging.",
                  deleted_at="2026-11-20T10:00:00.000Z"),
    ]
    comments = [Comment(id="c1", brief_key="harbour", section_id="costs",
                        section_heading="Costs", section_ordinal=2, section_fingerprint="f",
                        body="These figures look stale.",
                        deleted_at="2026-11-26T16:45:00.000Z")]
    return highlights, comments


@pytest.fixture
def trash(qtbot) -> TrashView:
    view = TrashView()
    qtbot.addWidget(view)
    view.resize(720, 300)
    view.set_items(*trash_items())
    view.show()
    qtbot.waitExposed(view)
    return view


def test_trash_empty_state(qtbot):
    view = TrashView()
    qtbot.addWidget(view)
    view.show()
    assert view.count() == 0
    assert view.empty_label.isVisible() and view.empty_label.text() == "Trash is empty"
    assert not view.tree.isVisible()
    assert not view.empty_button.isEnabled()


def test_trash_rows_newest_first(trash):
    assert trash.count() == 3
    assert trash.summary.text() == "3 notes"  # short: it shares a line with two buttons
    assert [trash.entry(r) for r in range(3)] == [
        ("comment", "c1"), ("highlight", "h1"), ("highlight", "h2")]
    first = trash.tree.topLevelItem(0)
    assert first.text(0) == "Comment: These figures look stale."
    assert first.text(1) == "Costs"
    assert first.text(2) == format_timestamp("2026-11-26T16:45:00.000Z")
    assert first.toolTip(0) == ("Comment in “Costs”:\nThese figures look stale.\nDeleted "
                                + format_timestamp("2026-11-26T16:45:00.000Z"))
    second = trash.tree.topLevelItem(1)
    assert second.text(0) == "“Raise the wall by one metre.” — Costed?"
    # Shown as typed: a tree item is plain text.
    assert "<b>sea wall</b>" in trash.tree.topLevelItem(2).text(0)
    assert trash.empty_button.isEnabled()


def test_trash_in_a_narrow_panel_gives_the_text_the_room(trash, qtbot):
    assert not trash.tree.isColumnHidden(1)
    trash.resize(320, 300)
    qtbot.waitUntil(lambda: trash.tree.isColumnHidden(1))
    header = trash.tree.header()
    # The text column takes what the date leaves, and nothing scrolls sideways.
    assert header.sectionSize(0) >= trash.tree.viewport().width() - header.sectionSize(2) - 2
    assert not trash.tree.horizontalScrollBar().isVisible()
    assert trash.restore_button.isVisible() and trash.empty_button.isVisible()
    assert trash.tree.isColumnHidden(2)  # the date too: the text comes first
    # The summary gives way to the buttons: the panel is no wider for the Trash
    # than for the notes (whose cards need 266 px).
    assert trash.minimumSizeHint().width() <= 266


def test_a_narrow_trash_shows_its_count_whole_or_not_at_all(trash, qtbot):
    from PySide6.QtGui import QFontMetrics

    summary = trash.summary
    for width in (220, 250, 320, 720):  # the notes dock at 640 and 800 pixels, and more
        trash.resize(width, 300)
        qtbot.wait(10)
        if summary.isVisible():  # never "3 not"
            assert QFontMetrics(summary.font()).horizontalAdvance(summary.text()) <= (
                summary.contentsRect().width()), width
        for button in (trash.restore_button, trash.empty_button):
            assert trash.rect().contains(button.geometry()), width
    assert summary.isVisible() and summary.text() == "3 notes"  # room again: back


def test_trash_restore_buttons_and_enter(trash, qtbot):
    restored = recorder(trash.restore_requested)
    trash.tree.setCurrentItem(trash.tree.topLevelItem(1))
    qtbot.mouseClick(trash.restore_button, Qt.MouseButton.LeftButton)
    trash.tree.setCurrentItem(trash.tree.topLevelItem(0))
    qtbot.mouseClick(trash.restore_button, Qt.MouseButton.LeftButton)
    trash.tree.setCurrentItem(trash.tree.topLevelItem(2))
    trash.tree.setFocus()
    qtbot.keyClick(trash.tree, Qt.Key.Key_Return)
    qtbot.keyClick(trash.tree, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert restored == [("highlight", "h1"), ("comment", "c1"), ("highlight", "h2"),
                        ("highlight", "h2")]


def test_a_narrow_trash_still_tells_when_a_note_was_deleted(qtbot):
    from briefreader.records import Comment
    from briefreader.ui.dates import format_timestamp
    from briefreader.ui.trash import TrashView

    view = TrashView()
    qtbot.addWidget(view)
    view.set_items([], [Comment(id="c1", brief_key="harbour", section_id="costs",
                                section_heading="Costs", section_ordinal=2,
                                section_fingerprint="f", body="These figures look stale.",
                                deleted_at="2026-11-26T16:45:00.000Z")])
    view.resize(320, 300)  # the notes dock's usual width
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.tree.isColumnHidden(2))  # the date is left out ...
    item = view.tree.topLevelItem(0)
    shown = [c for c in range(view.tree.columnCount()) if not view.tree.isColumnHidden(c)]
    tips = "\n".join(item.toolTip(c) for c in shown)
    # ... and a tooltip of the row as shown has it (as the Bookmarks' does).
    assert format_timestamp("2026-11-26T16:45:00.000Z") in tips, tips


def test_trash_empty_button(trash, qtbot):
    emptied = recorder(trash.empty_requested)
    restored = recorder(trash.restore_requested)
    qtbot.mouseClick(trash.empty_button, Qt.MouseButton.LeftButton)
    assert emptied == [()]
    assert restored == []


def test_trash_delete_button_asks_for_the_chosen_notes(trash, qtbot):
    purged = recorder(trash.purge_requested)
    emptied = recorder(trash.empty_requested)
    trash.tree.setCurrentItem(trash.tree.topLevelItem(1))
    assert trash.purge_button.isEnabled()
    qtbot.mouseClick(trash.purge_button, Qt.MouseButton.LeftButton)
    assert purged == [([("highlight", "h1", "“Raise the wall by one metre.” — Costed?")],)]
    assert emptied == []


def test_trash_notes_chosen_together_are_restored_or_deleted_together(trash, qtbot):
    purged, restored = recorder(trash.purge_requested), recorder(trash.restore_requested)
    tree = trash.tree
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0))
    qtbot.keyClick(tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert len(tree.selectedItems()) == 2
    assert trash.purge_button.accessibleDescription() == "2 notes"
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert [[(kind, i) for kind, i, _ in notes] for (notes,) in purged] == [
        [("comment", "c1"), ("highlight", "h1")]]
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert restored == [("comment", "c1"), ("highlight", "h1")]


def test_trash_goes_to_the_note_after_those_that_left(trash):
    tree = trash.tree
    tree.setCurrentItem(tree.topLevelItem(0))
    tree.topLevelItem(1).setSelected(True)  # the comment and h1 chosen
    trash.purge_selected()
    highlights, _comments = trash_items()
    trash.set_items(highlights[1:], [])  # they went
    assert [trash.entry(r) for r in range(trash.count())] == [("highlight", "h2")]
    assert tree.currentItem() is tree.topLevelItem(0)
    # A refresh for another reason keeps the current note, wherever it is now.
    trash.set_items(*trash_items())
    assert trash.entry(tree.indexOfTopLevelItem(tree.currentItem())) == ("highlight", "h2")


def test_trash_buttons_are_tabbed_through_left_to_right(trash):
    assert trash.restore_button.nextInFocusChain() is trash.purge_button
    assert trash.purge_button.nextInFocusChain() is trash.empty_button


def test_trash_with_nothing_chosen_deletes_nothing(trash):
    purged = recorder(trash.purge_requested)
    trash.set_items([], [])
    trash.purge_selected()
    assert purged == [] and not trash.purge_button.isEnabled()
    assert not trash.purge_action.isEnabled()


def test_trash_refresh_keeps_the_current_row(trash):
    trash.tree.setCurrentItem(trash.tree.topLevelItem(1))
    highlights, comments = trash_items()
    trash.set_items(highlights[1:], comments)  # h1 was restored
    assert trash.count() == 2
    assert trash.tree.indexOfTopLevelItem(trash.tree.currentItem()) == 1
    trash.set_items([], [])
    assert trash.empty_label.isVisible() and not trash.empty_button.isEnabled()
    assert not trash.restore_button.isEnabled()


def test_format_timestamp():
    shown = format_timestamp("2026-11-26T16:45:00.000Z")
    assert "2026" in shown and ":" in shown and shown != "2026-11-26T16:45:00.000Z"
    assert format_timestamp("2026-11-26T16:45:00Z") == shown
    # Unreadable or missing: nothing rather than raw text (views and cards rely on "").
    assert format_timestamp("not a date") == ""
    assert format_timestamp("") == ""


# -- Bookmarks --------------------------------------------------------------------------

def bookmark_items() -> list[Bookmark]:
    return [
        Bookmark(id="b1", brief_key="harbour", section_id="findings", position=120,
                 label="Sea wall figures", created="2026-11-25T08:00:00.000Z"),
        Bookmark(id="b2", brief_key="harbour", section_id="costs", position=0, label="",
                 created="2026-11-26T09:30:00.000Z"),
        Bookmark(id="b3", brief_key="harbour", section_id="gone", position=4,
                 label="Old annex", created="2026-11-27T11:00:00.000Z"),
    ]


TITLES = {"findings": "Findings", "costs": "Costs"}


@pytest.fixture
def bookmarks(qtbot) -> BookmarksView:
    view = BookmarksView()
    qtbot.addWidget(view)
    view.resize(560, 260)
    view.set_items(bookmark_items(), TITLES)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.tree.setFocus()
    return view


def test_bookmarks_in_a_narrow_panel_keep_the_label_readable(bookmarks, qtbot):
    assert not bookmarks.tree.isColumnHidden(2)
    bookmarks.resize(330, 260)
    qtbot.waitUntil(lambda: bookmarks.tree.isColumnHidden(2))  # the date goes first
    assert bookmarks.tree.columnWidth(1) >= 100
    assert not bookmarks.tree.horizontalScrollBar().isVisible()
    assert "Added 25 Nov 2026" in bookmarks.tree.topLevelItem(0).toolTip(0)


def test_bookmarks_empty_state(qtbot):
    view = BookmarksView()
    qtbot.addWidget(view)
    view.show()
    assert view.count() == 0
    assert view.empty_label.isVisible() and "No bookmarks" in view.empty_label.text()
    # Short: the panel may be a narrow one beside the navigator.
    assert view.empty_label.text() == "No bookmarks yet.\nCtrl+D adds one."
    assert not view.tree.isVisible()
    assert not view.remove_button.isVisible()


def test_bookmarks_rows(bookmarks):
    assert bookmarks.count() == 3
    rows = [bookmarks.tree.topLevelItem(r) for r in range(3)]
    assert [r.text(0) for r in rows] == ["Findings", "Costs", REMOVED_SECTION]
    assert [r.text(1) for r in rows] == ["Sea wall figures", "", "Old annex"]
    assert rows[0].text(2) == format_timestamp("2026-11-25T08:00:00.000Z")
    assert NO_LABEL not in [r.text(1) for r in rows]  # shown dimmed, never stored


def test_a_bookmark_labelled_with_its_section_title_shows_no_label(bookmarks):
    # As bookmarks were once made: the title twice in one row said nothing more.
    b = dataclasses.replace(bookmark_items()[0], label=TITLES[bookmark_items()[0].section_id])
    bookmarks.set_items([b], TITLES)
    assert bookmarks.tree.topLevelItem(0).text(1) == ""


def test_bookmarks_enter_and_double_click_jump(bookmarks, qtbot):
    jumps = recorder(bookmarks.jump_requested)
    tree = bookmarks.tree
    tree.setCurrentItem(tree.topLevelItem(0))
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    qtbot.keyClick(tree, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    rect = tree.visualItemRect(tree.topLevelItem(2))
    # A real double-click starts with a press; Qt ignores a lone double-click event.
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert jumps == [("findings", 120), ("costs", 0), ("gone", 4)]


def test_bookmarks_delete_removes(bookmarks, qtbot):
    removed = recorder(bookmarks.remove_requested)
    bookmarks.tree.setCurrentItem(bookmarks.tree.topLevelItem(1))
    qtbot.keyClick(bookmarks.tree, Qt.Key.Key_Delete)
    assert removed == [("b2",)]
    # The window decides: the row stays until it hands over the new list.
    assert bookmarks.count() == 3
    items = bookmark_items()
    bookmarks.set_items([items[0], items[2]], TITLES)
    assert bookmarks.count() == 2
    assert bookmarks.tree.currentItem() is bookmarks.tree.topLevelItem(1)


def _editor(view: BookmarksView) -> QLineEdit:
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit), editor
    assert view.tree.isAncestorOf(editor)
    return editor


def test_bookmarks_f2_renames_inline(bookmarks, qtbot):
    renamed = recorder(bookmarks.rename_requested)
    jumps = recorder(bookmarks.jump_requested)
    tree = bookmarks.tree
    tree.setCurrentItem(tree.topLevelItem(1))
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = _editor(bookmarks)
    editor.selectAll()
    qtbot.keyClicks(editor, "  Wall   costs ")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The editor hands its text over on the next turn of the event loop.
    qtbot.waitUntil(lambda: bool(renamed))
    assert renamed == [("b2", "Wall costs")]
    assert jumps == []  # the Enter that ends editing is not a jump
    assert tree.topLevelItem(1).text(1) == "Wall costs"


def test_bookmarks_rename_cancelled_or_unchanged_says_nothing(bookmarks, qtbot):
    renamed = recorder(bookmarks.rename_requested)
    tree = bookmarks.tree
    tree.setCurrentItem(tree.topLevelItem(0))
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = _editor(bookmarks)
    editor.selectAll()
    qtbot.keyClicks(editor, "Something else")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tree.state() != tree.State.EditingState)
    assert tree.topLevelItem(0).text(1) == "Sea wall figures"
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = _editor(bookmarks)
    editor.setText("  Sea wall   figures ")  # the same label once spaces are tidied
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tree.state() != tree.State.EditingState)
    # A real change after both proves the signal would have been seen by now.
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = _editor(bookmarks)
    editor.setText("Changed")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(renamed))
    assert renamed == [("b1", "Changed")]


def test_bookmarks_buttons(bookmarks, qtbot):
    jumps = recorder(bookmarks.jump_requested)
    removed = recorder(bookmarks.remove_requested)
    bookmarks.tree.setCurrentItem(bookmarks.tree.topLevelItem(2))
    qtbot.mouseClick(bookmarks.go_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bookmarks.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bookmarks.rename_button, Qt.MouseButton.LeftButton)
    assert jumps == [("gone", 4)]
    assert removed == [("b3",)]
    assert isinstance(_editor(bookmarks), QLineEdit)


def test_bookmarks_refresh_keeps_the_current_bookmark(bookmarks):
    bookmarks.tree.setCurrentItem(bookmarks.tree.topLevelItem(2))
    items = bookmark_items()
    bookmarks.set_items([items[2], items[0]], TITLES)
    assert bookmarks.tree.currentItem().data(0, Qt.ItemDataRole.UserRole + 1) == "b3"


# -- Accessibility ----------------------------------------------------------------------

def test_widgets_have_accessible_names(review, trash, bookmarks):
    for view in (review, trash, bookmarks):
        assert view.accessibleName()
        for button in view.findChildren(QPushButton):
            assert button.accessibleName(), button.text()
    row = review.row("h-orphan")
    assert row.accessibleName() == "Orphaned note: “Premiums remain three times higher than " \
        "before the closure.”"
    assert "Premiums remain" in row.orphan_button.accessibleDescription()
    assert trash.tree.accessibleName() == "Deleted notes"
    assert trash.restore_button.accessibleName() == "Restore"
    assert bookmarks.tree.accessibleName() == "Bookmarks"


# -- How they look, light and dark --------------------------------------------------------

def _has_colour(image: QImage, colour: str) -> bool:
    """Whether any pixel is exactly this colour (RGBA8888 is R, G, B, A bytes anywhere)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)  # kept alive while read
    data = bytes(rgba.constBits())
    c = QColor(colour)
    pixel = bytes([c.red(), c.green(), c.blue(), 255])
    at = data.find(pixel)
    while at >= 0:
        if at % 4 == 0:
            return True
        at = data.find(pixel, at + 1)
    return False


@pytest.fixture
def themed(qtbot):
    app = QApplication.instance()
    palette = app.palette()
    yield lambda mode: apply_theme(app, mode)
    app.setPalette(palette)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots(themed, qtbot, tmp_path, mode):
    """Grabs each view; BRIEFREADER_SHOTS=/some/dir keeps the pictures to look at."""
    dark = themed(mode)
    assert dark == (mode == "dark")
    out = Path(os.environ.get("BRIEFREADER_SHOTS") or tmp_path)
    review = ReviewView()
    trash = TrashView()
    marks = BookmarksView()
    for view, size in ((review, (820, 620)), (trash, (720, 240)), (marks, (560, 220))):
        qtbot.addWidget(view)
        view.resize(*size)
    review.set_items(review_items())
    trash.set_items(*trash_items())
    marks.set_items(bookmark_items(), TITLES)
    shots = {}
    for name, view in (("review", review), ("trash", trash), ("bookmarks", marks)):
        view.show()
        qtbot.waitExposed(view)
        if view is review:
            # Let the first layout settle: rows side by side, no scroll bar left over.
            bar = review.scroll.verticalScrollBar()
            qtbot.waitUntil(lambda bar=bar: not review.row("h-changed").stacked()
                            and not bar.isVisible())
        shots[name] = view.grab().toImage()
        assert shots[name].save(str(out / f"{name}-{mode}.png"))
    narrow = ReviewView()
    qtbot.addWidget(narrow)
    narrow.resize(340, 900)
    narrow.set_items(review_items())
    narrow.show()
    qtbot.waitExposed(narrow)
    rows = [narrow.row(i) for i in narrow.highlight_ids()]
    qtbot.waitUntil(lambda: all(r.stacked() and r.buttons_per_line() == 2 for r in rows))
    # Nothing is cut off at the right edge.
    qtbot.waitUntil(lambda: narrow.scroll.widget().width() <= narrow.scroll.viewport().width())
    assert narrow.grab().save(str(out / f"review-narrow-{mode}.png"))
    # The diff marks and badges are drawn in the colours of their theme...
    delete, insert = (style_colours(style)[0] for style in mark_styles(dark))
    changed, orphaned = (STATUS_BADGES[s][2 if dark else 1][0] for s in ("changed", "orphaned"))
    assert _has_colour(shots["review"], delete.name())
    assert _has_colour(shots["review"], insert.name())
    assert _has_colour(shots["review"], changed) and _has_colour(shots["review"], orphaned)
    # ...while the rest follows the palette.
    window = review.palette().color(review.backgroundRole())
    assert (window.lightness() < 128) == dark
    corner = shots["review"].pixelColor(1, shots["review"].height() - 2)
    assert (corner.lightness() < 128) == dark


def test_review_badges_and_word_marks_take_the_theme_s_colours(themed, qtbot):
    """Badges and word marks read well on the row in either theme: their words stand out
    from their colour, and the colour is a tint of the row, not a glaring patch."""
    seen = {}
    for mode in ("light", "dark"):
        dark = themed(mode)
        view = shown_review(qtbot)
        row = view.row("h-changed")
        card = row.palette().color(QPalette.ColorRole.AlternateBase)  # the row's own fill
        badges = []
        for hid in view.highlight_ids():
            background, foreground = view.row(hid).badge.colours()
            assert contrast(foreground, background) >= 4.5, (mode, hid)
            assert contrast(background, card) < 2, (mode, hid)
            assert (background.lightness() < 128) == dark
            badges.append((background.name(), foreground.name()))
        delete, insert = mark_styles(dark)
        assert f'<span style="{delete}">aging</span>' in row.old_text.text()
        assert f'<span style="{insert}">2021</span>' in row.new_text.text()
        for style in (delete, insert):
            background, foreground = style_colours(style)
            assert contrast(foreground, background) >= 4.5, (mode, style)
            assert contrast(background, card) < 2, (mode, style)
        seen[mode] = (badges, delete, insert)
    assert all(a != b for a, b in zip(seen["light"][0], seen["dark"][0], strict=True))
    assert seen["light"][1:] != seen["dark"][1:]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_palette_is_dark_follows_the_theme(themed, mode):
    from PySide6.QtGui import QPalette

    from briefreader.ui.theme import palette_is_dark

    dark = themed(mode)
    assert palette_is_dark(QApplication.instance().palette()) == dark
    # One role can be asked about: a light window with a dark base is dark by its base.
    mixed = QPalette(QColor("#f0f0f0"))
    mixed.setColor(QPalette.ColorRole.Base, QColor("#1c1d1f"))
    assert not palette_is_dark(mixed)
    assert palette_is_dark(mixed, QPalette.ColorRole.Base)


def test_trash_and_bookmarks_trees_share_one_set_up(qtbot):
    from PySide6.QtWidgets import QAbstractItemView

    from briefreader.ui.item_views import RoomyDelegate

    trash, bookmarks = TrashView(), BookmarksView()
    qtbot.addWidget(trash)
    qtbot.addWidget(bookmarks)
    for tree in (trash.tree, bookmarks.tree):
        assert not tree.rootIsDecorated() and tree.uniformRowHeights()
        # (Several notes of the Trash can be chosen at once.)
        assert tree.selectionMode() == (
            QAbstractItemView.SelectionMode.ExtendedSelection if tree is trash.tree
            else QAbstractItemView.SelectionMode.SingleSelection)
        assert tree.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
        assert isinstance(tree.itemDelegate(), RoomyDelegate)
        assert not tree.header().stretchLastSection()
    assert trash.tree.columnWidth(1) == 130 and bookmarks.tree.columnWidth(0) == 180
    assert trash.tree.accessibleName() == "Deleted notes"
