"""Recovered typing meets a note changed since: both texts are kept."""

from __future__ import annotations

from briefreader.text_merge import merged


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
