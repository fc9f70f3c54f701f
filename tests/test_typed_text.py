"""Recovered typing meets a note changed since: both texts are kept."""

from __future__ import annotations

from briefreader.text_merge import merged, merged_over


def test_a_note_changed_since_keeps_both_texts_later_first():
    assert merged("Changed in the other window.", "Typed here.") == (
        "Changed in the other window.\n\nTyped here.")


def test_paragraphs_already_there_are_not_repeated():
    assert merged("One.\n\nTwo.", "Two.\n\nThree.") == "One.\n\nTwo.\n\nThree."
    assert merged("Same.", "Same.") == "Same."


def test_an_empty_note_takes_the_typed_text():
    assert merged("", "Typed here.") == "Typed here."
    assert merged("Kept.", "") == "Kept."


def test_a_paragraph_typing_went_on_from_is_not_repeated():
    assert merged("Ask the councils which sailings matter most", "Ask the councils") == (
        "Ask the councils which sailings matter most")
    assert merged("Yes.", "Yes, but not this year.") == "Yes.\n\nYes, but not this year."


def test_a_paragraph_that_goes_on_from_one_there_takes_its_place():
    assert merged("Who pays?\n\nAsk the board.", "Who pays? Ask the board. Soon.") == (
        "Who pays? Ask the board. Soon.\n\nAsk the board.")
    assert merged("No", "Nothing to add.") == "No\n\nNothing to add."  # not inside a word


def test_text_that_holds_a_typed_word_at_its_start_does_not_swallow_it():
    assert merged("Nothing to add", "No") == "Nothing to add\n\nNo"


def test_a_paragraph_goes_on_only_from_one_that_was_there_before():
    assert merged("x", "Point\n\nPoint two") == "x\n\nPoint\n\nPoint two"


def test_typed_over_a_text_changed_elsewhere_keeps_only_what_the_other_added():
    # This window had autosaved "Ask the boa"; the other added "One." meanwhile.
    assert merged_over("Ask the boa", "Ask the boa\n\nOne.", "Ask the board.") == (
        "One.\n\nAsk the board.")
    assert merged_over("", "Written in window two.", "Window one.") == (
        "Written in window two.\n\nWindow one.")
    assert merged_over("Old.", "Old.", "New.") == "New."  # nothing added there
    assert merged_over("A.", "B.", "") == "B."


def test_a_paragraph_the_other_window_went_on_with_is_not_brought_back():
    # Both windows autosave one note: this one's stale "Ask the bo" must not return.
    assert merged_over("Ask the bo", "Ask the boat.", "Ask the bo\n\nFares rose.") == (
        "Ask the boat.\n\nFares rose.")


def test_a_paragraph_typed_anew_is_kept_beside_one_the_other_window_changed():
    assert merged_over("Agenda\n\nYes", "Agenda\n\nNo",
                       "Agenda\n\nYes\n\nBudget ok?\n\nYes") == (
        "No\n\nAgenda\n\nBudget ok?\n\nYes")


def test_windows_line_ends_do_not_double_a_text():
    assert merged_over("A\r\n\r\nB", "A\r\n\r\nB\r\n\r\nC", "A\n\nB\n\nD") == (
        "C\n\nA\n\nB\n\nD")
    assert merged("A\r\n\r\nB", "A\n\nB more") == "A\n\nB more"
