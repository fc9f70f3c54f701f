from __future__ import annotations

import random
import re
import sys

import pytest
from rapidfuzz.distance import LCSseq

from briefreader import anchor
from briefreader.anchor import (
    CONTEXT_CHARS,
    Anchoring,
    SectionRef,
    SectionText,
    Selector,
    cp_to_utf16,
    find_occurrence,
    fingerprint_containment,
    fingerprint_similarity,
    make_selector,
    match_section,
    reanchor,
    reanchor_many,
    section_fingerprint,
    utf16_to_cp,
)
from briefreader.brief import normalise_text
from perturb import Tally, judge, make_case, section_truth

# --------------------------------------------------------------------------- fixtures

INTRO = (
    "The ministry expects the revised budget to pass before the summer recess. "
    "Local authorities question the cost of the new flood barrier in the northern districts."
)
RISKS = (
    "Inflation could erode the value of the tax credit within two years. "
    "The port authority warns that harbour dredging is already six months late."
)
OUTLOOK = (
    "Negotiators expect a provisional deal on fisheries quotas by October. "
    "A final agreement still depends on the court ruling about customs checks."
)


def sections(*parts: tuple[str, str, str]) -> list[SectionText]:
    return [SectionText(sid, title, i, normalise_text(text)) for i, (sid, title, text) in
            enumerate(parts)]


BRIEF = sections(
    ("intro", "Introduction", INTRO),
    ("risks", "Risks", RISKS),
    ("outlook", "Outlook", OUTLOOK),
)


def note(section: SectionText, quote: str, occurrence: int = 1) -> tuple[Selector, str, int]:
    span = find_occurrence(section.text, quote, occurrence)
    assert span is not None, quote
    return make_selector(section.text, *span), section.id, section.ordinal


def located(result: Anchoring, secs: list[SectionText]) -> str:
    assert result.section_id is not None and result.start is not None
    text = next(s.text for s in secs if s.id == result.section_id)
    return text[result.start : result.end]


# --------------------------------------------------------------------------- selectors


def test_make_selector_takes_context_on_both_sides() -> None:
    text = "a" * 40 + "QUOTE" + "b" * 40
    sel = make_selector(text, 40, 45)
    assert sel == Selector("QUOTE", "a" * CONTEXT_CHARS, "b" * CONTEXT_CHARS, 40, 45)


def test_make_selector_context_is_clipped_at_the_text_edges() -> None:
    sel = make_selector("alpha beta gamma", 0, 5, context=8)
    assert (sel.prefix, sel.exact, sel.suffix) == ("", "alpha", " beta ga")
    sel = make_selector("alpha beta gamma", 11, 16)
    assert (sel.prefix, sel.exact, sel.suffix) == ("alpha beta ", "gamma", "")


@pytest.mark.parametrize("start,end", [(3, 3), (4, 2), (-1, 2), (0, 6), (6, 7)])
def test_make_selector_rejects_empty_or_out_of_range_spans(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        make_selector("hello", start, end)


def test_utf16_conversion_counts_astral_characters_twice() -> None:
    text = "a😀b🇫🇷c"  # 😀 is one astral code point; the flag is two
    assert [cp_to_utf16(text, i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 8, 9]
    for cp in range(len(text) + 1):
        assert utf16_to_cp(text, cp_to_utf16(text, cp)) == cp
    assert len(text.encode("utf-16-le")) // 2 == cp_to_utf16(text, len(text))


def test_utf16_position_inside_a_surrogate_pair_rounds_down() -> None:
    assert utf16_to_cp("a😀b", 2) == 1


def test_combining_characters_are_one_unit_each_in_both_counts() -> None:
    text = "cafe\u0301 ok"  # e + combining acute: two code points, two UTF-16 units
    assert [cp_to_utf16(text, i) for i in range(len(text) + 1)] == list(range(len(text) + 1))
    assert utf16_to_cp(text, 5) == 5


def test_utf16_conversion_rejects_positions_outside_the_text() -> None:
    with pytest.raises(ValueError):
        cp_to_utf16("abc", 4)
    with pytest.raises(ValueError):
        utf16_to_cp("a😀", 4)
    with pytest.raises(ValueError):
        utf16_to_cp("abc", -1)


def test_find_occurrence_counts_non_overlapping_matches() -> None:
    text = "tax and tax and taxes"
    assert find_occurrence(text, "tax") == (0, 3)
    assert find_occurrence(text, "tax", 2) == (8, 11)
    assert find_occurrence(text, "tax", 3) == (16, 19)
    assert find_occurrence(text, "tax", 4) is None
    assert find_occurrence("aaaa", "aa", 2) == (2, 4)
    assert find_occurrence(text, "levy") is None


def test_find_occurrence_normalises_the_quote() -> None:
    text = normalise_text("the café   permit")
    assert find_occurrence(text, "cafe\u0301\n  permit") == (4, 15)


def test_normalised_text_folds_every_white_space_character_and_nothing_else() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))]
    assert {"\n", "\t", "\x1c", "\u00a0", "\u2028", "\u3000"} <= set(spaces)
    for ch in spaces:
        assert normalise_text(f"{ch}a{ch}{ch} b{ch}") == "a b"
    assert normalise_text("a\u200bb") == "a\u200bb"  # a zero-width space is no space
    assert normalise_text("e\u0301 \r\n\r\n x") == "\u00e9 x"


@pytest.mark.parametrize("quote,occurrence", [("", 1), ("   ", 1), ("tax", 0)])
def test_find_occurrence_rejects_bad_arguments(quote: str, occurrence: int) -> None:
    with pytest.raises(ValueError):
        find_occurrence("tax", quote, occurrence)


# --------------------------------------------------------------------------- statuses


def test_unchanged_text_is_anchored_in_place() -> None:
    sel, sid, ordinal = note(BRIEF[0], "the new flood barrier")
    result = reanchor(sel, sid, ordinal, BRIEF)
    assert (result.status, result.section_id, result.start, result.end) == (
        "anchored", "intro", sel.start, sel.end,
    )


def test_paragraph_inserted_above_shifts_the_offsets_but_stays_anchored() -> None:
    sel, sid, ordinal = note(BRIEF[0], "the new flood barrier")
    after = sections(
        ("intro", "Introduction", "A new opening paragraph about the agenda. " + INTRO),
        ("risks", "Risks", RISKS),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "anchored"
    assert result.start == sel.start + len("A new opening paragraph about the agenda. ")
    assert located(result, after) == sel.exact


def test_text_in_a_renamed_section_is_moved() -> None:
    sel, sid, ordinal = note(BRIEF[1], "harbour dredging is already six months late")
    after = sections(
        ("intro", "Introduction", INTRO),
        ("risks-and-delays", "Risks and delays", RISKS),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert (result.status, result.section_id) == ("moved", "risks-and-delays")
    assert located(result, after) == sel.exact


def test_paragraph_moved_to_another_section_is_moved() -> None:
    sel, sid, ordinal = note(BRIEF[1], "erode the value of the tax credit")
    first, second = RISKS.split(". ", 1)
    after = sections(
        ("intro", "Introduction", INTRO + " " + first + "."),
        ("risks", "Risks", second),
        ("outlook", "Outlook", OUTLOOK),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert (result.status, result.section_id) == ("moved", "intro")
    assert located(result, after) == sel.exact


def test_typo_fixed_inside_the_quote_is_changed() -> None:
    before = sections(("risks", "Risks", RISKS.replace("dredging", "dredgign")))
    sel, sid, ordinal = note(before[0], "harbour dredgign is already six months late")
    result = reanchor(sel, sid, ordinal, BRIEF)
    assert (result.status, result.section_id) == ("changed", "risks")
    assert located(result, BRIEF) == "harbour dredging is already six months late"
    assert result.candidates[0].similarity >= 0.75


def test_reworded_passage_with_a_word_inserted_is_changed_with_whole_words() -> None:
    sel, sid, ordinal = note(BRIEF[2], "A final agreement still depends on the court ruling")
    after = sections(
        ("intro", "Introduction", INTRO),
        ("outlook", "Outlook", OUTLOOK.replace("still depends", "still largely depends")),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "changed"
    assert located(result, after) == "A final agreement still largely depends on the court ruling"


def test_deleted_text_is_orphaned_not_dropped() -> None:
    sel, sid, ordinal = note(BRIEF[1], "harbour dredging is already six months late")
    after = sections(
        ("intro", "Introduction", INTRO),
        ("risks", "Risks", RISKS.split(". ")[0] + "."),
        ("outlook", "Outlook", OUTLOOK),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "orphaned"
    assert result.section_id is None and result.start is None


def test_rewritten_beyond_recognition_is_orphaned() -> None:
    sel, sid, ordinal = note(BRIEF[2], "a provisional deal on fisheries quotas by October")
    after = sections(
        ("intro", "Introduction", INTRO),
        ("outlook", "Outlook", OUTLOOK.replace(
            "a provisional deal on fisheries quotas by October",
            "that talks on quotas collapse before winter")),
    )
    assert reanchor(sel, sid, ordinal, after).status == "orphaned"


def test_short_quote_whose_text_was_deleted_does_not_land_elsewhere() -> None:
    # "tax" still occurs in other sections, but in unrelated sentences.
    sel, sid, ordinal = note(BRIEF[1], "tax")
    after = sections(
        ("intro", "Introduction", INTRO + " A tax on sugar is also planned."),
        ("risks", "Risks", RISKS.replace("the tax credit", "the pension")),
        ("outlook", "Outlook", OUTLOOK + " Tax revenue fell; the tax office blames delays."),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "orphaned"
    # The other occurrences are offered for re-attaching, not applied.
    assert {c.section_id for c in result.candidates} == {"intro", "outlook"}


def test_list_items_reordered_keep_their_highlights() -> None:
    # Each item highlighted whole; the reissue lists them the other way round, so no
    # item keeps its neighbours. Each is still in its own section, and only there.
    items = ["Approve the revised timetable", "Agree the funding split with councils",
             "Note the risks to delivery in winter", "Confirm the Minister's visit"]
    before = sections(("decisions", "Decisions", " ".join(items)), ("outlook", "Outlook", OUTLOOK))
    after = sections(("decisions", "Decisions", " ".join(reversed(items))),
                     ("outlook", "Outlook", OUTLOOK))
    notes = [note(before[0], item) for item in items]
    for item, result in zip(items, reanchor_many(notes, after), strict=True):
        assert (result.status, located(result, after)) == ("anchored", item)
    # An item dropped from the list is not found in another's place.
    dropped = sections(("decisions", "Decisions", " ".join([items[3], items[0], items[2]])),
                       ("outlook", "Outlook", OUTLOOK))
    assert reanchor(*notes[1], dropped).status == "orphaned"


def test_a_copy_left_by_a_deleted_sentence_is_not_given_to_two_notes() -> None:
    # A note on each "weekly"; the first sentence is deleted. The copy left is the
    # second note's, which its context says; the first note does not land on it too.
    text = ("Officials met on Monday. The company will report weekly to the agency. "
            "The agency will report weekly to ministers.")
    before = sections(("next", "Next steps", text), ("outlook", "Outlook", OUTLOOK))
    after = sections(("next", "Next steps", text.replace(
        "The company will report weekly to the agency. ", "")), ("outlook", "Outlook", OUTLOOK))
    first, second = note(before[0], "weekly"), note(before[0], "weekly", 2)
    got_first, got_second = reanchor_many([first, second], after)
    assert got_first.status == "orphaned"
    assert (got_second.status, located(got_second, after)) == ("anchored", "weekly")
    assert got_second.start == after[0].text.index("weekly")
    # Put back, each is on its own copy again.
    back = reanchor_many([first, second], before)
    assert [(r.status, r.start) for r in back] == [("anchored", first[0].start),
                                                   ("anchored", second[0].start)]


WEEKLY = ("Officials met on Monday. The company will report weekly to the agency. "
          "The agency will report weekly to ministers.")


@pytest.mark.parametrize("text", [
    WEEKLY,
    WEEKLY + " Further updates will follow in June when the data are in.",
    WEEKLY.replace("agency. The", "agency. Costs are shared under the 2019 agreement. The"),
    WEEKLY.replace("Officials met on Monday. ", ""),
], ids=["last", "more-after", "sentence-between", "first"])
def test_a_lone_note_whose_sentence_was_deleted_is_not_put_on_another_sentences_copy(
    text: str,
) -> None:
    # One note, on the first "weekly"; the reissue deletes its sentence. The copy left
    # is another sentence's, built like it ("The agency will report weekly"): a context
    # that much alike does not place a one-word note there. It is offered instead.
    before = sections(("next", "Next steps", text), ("outlook", "Outlook", OUTLOOK))
    now = sections(("next", "Next steps", text.replace(
        "The company will report weekly to the agency. ", "")), ("outlook", "Outlook", OUTLOOK))
    result = reanchor(*note(before[0], "weekly"), now)
    assert result.status == "orphaned"
    assert [(c.section_id, c.start) for c in result.candidates] == [
        ("next", now[0].text.index("weekly"))]


@pytest.mark.parametrize("risks", [
    RISKS.replace("tax credit within two years.", "tax credit, a point the unions keep raising."),
    RISKS.replace("erode the value of the tax credit within two years",
                  "wipe out the value of the tax break, unions say"),
], ids=["after-rewritten", "both-sides-edited"])
def test_short_quote_with_one_side_of_context_left_stays_in_its_place(risks: str) -> None:
    # Too little of its context agrees to place "tax" on that alone, but it is where it
    # was, in its own section, with the words before it (largely) as they were.
    after = sections(("intro", "Introduction", INTRO + " A tax on sugar is planned."),
                     ("risks", "Risks", risks))
    result = reanchor(*note(BRIEF[1], "tax"), after)
    assert (result.status, result.section_id) == ("anchored", "risks")
    assert result.start == after[1].text.index("tax")


@pytest.mark.parametrize("lead", ["", "Officials met on Monday. "])
def test_notes_on_a_repeated_word_follow_their_sentences_when_the_sentences_swap(
    lead: str,
) -> None:
    # A note on each "weekly"; the reissue puts the second sentence first. Each note
    # is still whole in its section, with its own words next to it up to the section's
    # edge ("weekly to the agency." now ends it): each follows its own sentence.
    first, second = ("The company will report weekly to the agency.",
                     "The agency will report weekly to ministers.")
    before = sections(("next", "Next steps", f"{lead}{first} {second}"),
                      ("outlook", "Outlook", OUTLOOK))
    after = sections(("next", "Next steps", f"{lead}{second} {first}"),
                     ("outlook", "Outlook", OUTLOOK))
    notes = [note(before[0], "weekly"), note(before[0], "weekly", 2)]
    text = after[0].text
    expected = [text.index(s) + s.index("weekly") for s in (first, second)]
    for results in (reanchor_many(notes, after), [reanchor(*n, after) for n in notes]):
        assert [(r.status, r.start) for r in results] == [("anchored", at) for at in expected]


def test_short_quote_is_matched_fuzzily_only_between_its_intact_context() -> None:
    sel, sid, ordinal = note(BRIEF[1], "tax")
    # Elsewhere, in other words: no.
    after = sections(
        ("risks", "Risks", "Inflation could erode the worth of a tux rebate soon."),
        ("outlook", "Outlook", OUTLOOK),
    )
    assert reanchor(sel, sid, ordinal, after).status == "orphaned"
    # Between its old neighbours, letter for letter on both sides: the misspelt word.
    after = sections(("risks", "Risks", RISKS.replace("tax", "tux")))
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "changed"
    assert located(result, after) == "tux"
    # The word deleted, the neighbours now side by side: nothing to place it on.
    after = sections(("risks", "Risks", RISKS.replace("tax ", "")))
    assert reanchor(sel, sid, ordinal, after).status == "orphaned"


def test_short_quote_follows_its_context() -> None:
    sel, sid, ordinal = note(BRIEF[1], "tax")
    after = sections(
        ("intro", "Introduction", "Tax, tax and more tax. " + INTRO),
        ("risks", "Risks", "The tax office has a new director. " + RISKS),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "anchored"
    assert after[1].text[result.start - 17 : result.end + 7] == "the value of the tax credit"


def test_same_passage_in_two_places_with_the_same_context_is_ambiguous() -> None:
    para = "The grid operator caps the interim heat pump grant from next January."
    before = sections(
        ("a", "A", "Opening words here. " + para + " Closing words here."),
        ("b", "B", "Unrelated text."),
        ("c", "C", "More unrelated text."),
    )
    sel, sid, ordinal = note(before[1 - 1], "caps the interim heat pump grant")
    after = sections(
        ("x", "X", "Opening words here. " + para + " Closing words here."),
        ("b", "B", "Unrelated text."),
        ("y", "Y", "Opening words here. " + para + " Closing words here."),
    )
    # Equidistant in reading order from where the note was (ordinal 0 -> 0 and 2 hold
    # it; make the old place between them).
    result = reanchor(sel, sid, 1, after)
    assert result.status == "ambiguous"
    assert len(result.candidates) >= 2
    assert {c.section_id for c in result.candidates} == {"x", "y"}
    assert result.section_id is None


def test_of_identical_copies_the_one_in_the_notes_own_section_wins() -> None:
    para = "The grid operator caps the interim heat pump grant from next January."
    before = sections(("a", "A", "Opening words here. " + para), ("b", "B", "Other text."))
    sel, sid, ordinal = note(before[0], "caps the interim heat pump grant")
    after = sections(
        ("a", "A", "A new first sentence. Opening words here. " + para),
        ("b", "B", "Opening words here. " + para),
    )
    result = reanchor(sel, sid, ordinal, after)
    assert (result.status, result.section_id) == ("anchored", "a")
    assert located(result, after) == sel.exact


def test_context_picks_the_right_one_of_several_exact_occurrences() -> None:
    text = (
        "The committee approved the plan in March. Critics said the plan was rushed. "
        "The treasury funded the plan in May."
    )
    before = sections(("s", "S", text))
    sel, sid, ordinal = note(before[0], "the plan", 2)
    after = sections(("t", "T", "Preface added. " + text))
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "moved"
    assert after[0].text[result.start - 13 : result.end + 4] == "Critics said the plan was"


def test_reanchor_many_places_each_note_as_reanchor_does_when_no_section_was_renamed(
) -> None:
    items = [
        note(BRIEF[0], "revised budget"),
        note(BRIEF[1], "tax"),
        note(BRIEF[1], "harbour dredging is already six months late"),
        note(BRIEF[2], "a provisional deal on fisheries quotas"),
    ]
    after = sections(
        ("intro", "Introduction", "Preface. " + INTRO),
        ("risk-factors", "Risk factors", RISKS.replace("dredging", "dreding")),
        ("outlook", "Outlook", "Nothing is agreed yet."),
    )
    assert reanchor_many(items, after) == [reanchor(*item, after) for item in items]
    statuses = [r.status for r in reanchor_many(items, after)]
    assert statuses == ["anchored", "moved", "changed", "orphaned"]


def test_notes_of_a_renamed_section_find_it_by_their_neighbours() -> None:
    items = [
        note(BRIEF[1], "harbour dredging is already six months late"),
        note(BRIEF[1], "The port authority warns"),
        note(BRIEF[1], "tax"),
    ]
    edited = RISKS.replace("tax credit within two years", "tax rebate over a decade")
    after = sections(("intro", "Introduction", INTRO), ("risk-factors", "Risk factors", edited))
    # Alone, "tax" has one side of context left and no own section to stay in.
    assert reanchor(*items[2], after).status == "orphaned"
    # Its neighbours went to "risk-factors": that is its section, renamed.
    placed = reanchor_many(items, after)
    assert [r.status for r in placed] == ["moved", "moved", "moved"]
    assert located(placed[2], after) == "tax"
    # One neighbour is not enough to say where a section went.
    assert reanchor_many(items[1:], after)[1].status == "orphaned"


def test_copies_of_a_paragraph_in_one_section_go_to_the_nearest() -> None:
    para = "The grid operator caps the interim heat pump grant from next January."
    before = sections(("a", "A", "Opening words. " + para + " Closing words."))
    sel, sid, ordinal = note(before[0], "caps the interim heat pump grant")
    copy = "Opening words. " + para + " Closing words."
    rest = " More text follows." * 100  # the copies are about as near the old place
    after = sections(("a", "A", "A new first paragraph. " + copy + " " + copy + rest))
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "anchored"
    assert result.start == after[0].text.find(sel.exact)  # the first copy, nearer


def test_words_swapped_across_a_passages_edge_are_taken_in() -> None:
    quote = "The Parliament doubles the grant before the summer recess."
    text = "It says: The Parliament doubles the grant before the recess. summer Negotiators"
    end = text.index(" recess.") + len(" recess.")
    start = text.index("The Parliament")
    # A span that stops short of a word swapped out past its end takes it in, and only it.
    assert anchor._absorb_swapped(quote, text, start, end) == (start, end + len(" summer"))
    assert anchor._absorb_swapped(quote, text, start, end + len(" summer")) == (
        start, end + len(" summer"))
    # At the start likewise.
    text2 = "It says: Parliament The doubles the grant before the summer recess. Next"
    start2 = text2.index("The doubles")
    end2 = text2.index(" Next")
    assert anchor._absorb_swapped(quote, text2, start2, end2) == (
        text2.index("Parliament The"), end2)


def test_a_span_that_ran_into_its_stored_context_hands_it_back() -> None:
    quote = "The port authority warns that harbour dredging is already six months late"
    sel, _, _ = note(sections(("risks", "Risks", RISKS + " " + OUTLOOK))[0], quote)
    assert sel.suffix.startswith(". Negotiators expect")
    # The quote's last words and the suffix's first were cut; a span sized to the
    # quote reaches into what is left of the suffix, which ends it.
    text = (RISKS + " " + OUTLOOK).replace(" six months late. Negotiators", "")
    s = text.index("The port")
    kept = text.index(" expect a")
    assert anchor._release_context(sel, text, s, kept + 12) == (s, kept)
    assert anchor._release_context(sel, text, s, kept) == (s, kept)
    # What is in the quote itself is not context, even where the suffix's words are.
    echo = Selector(quote + " expect a provisional", sel.prefix, sel.suffix, 0, 0)
    assert anchor._release_context(echo, text, s, kept + 12) == (s, kept + 12)
    # At the head likewise: the prefix's first words stand, its last were cut.
    text2 = text.replace("years. The port", "The port")
    s2 = text2.index("within two ")
    assert sel.prefix.endswith("within two years. ")
    assert anchor._release_context(sel, text2, s2, len(text2)) == (
        text2.index("The port"), len(text2))


def test_a_long_passage_found_by_head_and_tail_leaves_out_new_words_at_its_end() -> None:
    text = normalise_text(
        "The board met in March. The reduced wage agreement is late despite strong "
        "objections. The grid operator reviews the grid upgrade in the northern districts. "
        "However, the water board funds the new budget, and our delegation extends it.")
    quote = ("despite strong objections. The grid operator reviews the grid upgrade in the "
             "northern districts. However, the water board funds the new budget, and our")
    sel, _, _ = note(sections(("s", "S", text))[0], quote)
    edited = text.replace("and our delegation", "and the regional council")
    reanchorer = anchor._Reanchorer(anchor._index(tuple(sections(("s", "S", edited)))))
    # Head and tail were found; the words after "and" resemble nothing the quote ended on.
    s, e = reanchorer._refine_edges(
        sel, edited, edited.index("despite"), edited.index(" council"), 24, 24)
    assert edited[s:e] == quote[: -len(" our")]


def test_trimming_a_span_never_cuts_words_of_the_quotes_own_end() -> None:
    quote = ("despite strong objections. The grid operator reviews the grid upgrade in the "
             "northern districts. However, the water board funds the new budget, and our")
    text = quote.replace("However, the water board funds the new budget, and our",
                         "Separately, negotiators rejects the")
    # The words that replaced the quote's end go; "northern districts." are the quote's.
    s, e = anchor._trim_edges(quote, text, 0, len(text), True, True)
    assert text[s:e] == "despite strong objections. The grid operator reviews the grid " \
                        "upgrade in the northern districts."


def test_a_stretch_counts_as_text_inserted_only_where_its_edges_hold() -> None:
    quote = ("The port authority warns that harbour dredging is already six months late. "
             "Negotiators expect a provisional deal on fisheries quotas by October. "
             "Local authorities double the grant")
    sel = Selector(quote, "Inflation could erode the value ", " in the northern districts.", 0, 0)
    inserted = "Inspectors revise the plan under the current framework. "
    genuine = quote.replace("late. ", "late. " + inserted) + " in the northern districts."
    assert anchor._Reanchorer._inserted_into(
        sel, genuine, 0, len(genuine) - len(" in the northern districts."), 24, 24)
    # The tail matched only a look-alike further on ("Local authorities publish"),
    # with nothing after it as it was: not an insertion, whatever the stretch holds.
    lookalike = quote[: quote.index("Local")] + inserted + "Local authorities publish it soon."
    end = lookalike.index(" soon.")
    assert LCSseq.similarity(quote, lookalike[:end]) > 0.9 * len(quote)  # nearly all there
    assert not anchor._Reanchorer._inserted_into(sel, lookalike, 0, end, 24, 24)


def test_a_very_common_quote_is_found_by_its_context_beyond_the_first_occurrences() -> None:
    # Over 400 letters "a" come before it: more than are ever looked at one by one.
    text = normalise_text("Alpha " * 400 + "The council will now ask a question about it.")
    at = text.index(" a question") + 1
    sel, sid, ordinal = make_selector(text, at, at + 1), "s", 0
    assert sel.prefix.endswith("will now ask ")
    after = sections(("s", "S", "Beta alpha. " * 30 + text))
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "anchored"
    assert after[0].text[result.start - 13 : result.end + 9] == "will now ask a question"


@pytest.mark.parametrize(
    "quote",
    [
        "aaaa",  # overlapping places
        "aaab",
        "harbour dredging",
        "six months late.",  # ends the brief
        "The ministry",  # begins it
        "Alpha Alpha",  # more places than are looked at
        "dredging harbour",  # every q-gram is there, the quote is not
        "zebra crossing",  # a q-gram that is nowhere
    ],
)
@pytest.mark.parametrize("stride", [1, 3, 7])  # a long brief's index skips positions
def test_the_q_gram_index_finds_the_places_a_scan_finds(
    quote: str, stride: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anchor._BriefIndex, "stride", property(lambda self: stride))
    ix = anchor._BriefIndex(tuple(sections(
        ("intro", "Introduction", INTRO + " Alpha" * 450 + " aaaaaaab"),
        ("risks", "Risks", RISKS + " harbour dredging"),
    )))  # fmt: skip
    scanned = ix._find(quote)  # before the index is built
    if len(quote) >= anchor._Q + stride - 1:  # else always scanned
        by_grams = ix._find_by_grams(ix.grams, quote, anchor._MAX_EXACT)
        assert by_grams == scanned
        ix._scanned = 0
        ix._find(quote)
        assert not ix._scanned  # found without a scan
    assert ix._find(quote) == scanned
    assert len(ix._find(quote, 3)) == min(3, len(scanned))
    if quote in ("Alpha Alpha", "aaaa"):
        assert len(scanned) == anchor._MAX_EXACT if quote == "Alpha Alpha" else 5


def test_a_brief_scanned_for_many_notes_is_indexed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(anchor, "_SCAN_BUDGET", 3 * 10_000)
    text = " ".join(f"w{i}" for i in range(2_000))
    ix = anchor._BriefIndex(tuple(sections(("s", "S", text))))
    quotes = [f"w{i} w{i + 1}" for i in range(0, 1_990, 97)]
    found = [ix._find(q) for q in quotes]
    assert ix._grams is not None
    assert ix._scanned == 3 * len(ix.joined)  # three scans of ~11,000 characters, no more
    assert found == [[text.index(q + " ")] for q in quotes]


def test_a_quote_of_common_q_grams_only_is_found_by_scanning() -> None:
    ix = anchor._BriefIndex(tuple(sections(("s", "S", "abab " * 3000 + "ab abab"))))
    assert ix._find_by_grams(ix.grams, "ab ab", anchor._MAX_EXACT) is None
    found = ix._find("ab ab")
    assert found[:2] == [2, 7] and len(found) == anchor._MAX_EXACT


@pytest.mark.parametrize("seed", [4, 7, 20])
def test_a_second_look_at_a_note_places_it_as_a_fresh_look_would(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notes of a renamed section are looked for again; what the first look found that
    does not depend on their section is kept for the second. Kept or not, the same
    places."""
    case = make_case(seed, 3, 60, truth=False)
    items = [(h.selector, h.section_id, h.ordinal) for h in case.highlights]
    reused = []

    class Watched(anchor._Reanchorer):
        def _kept_or(self, finding, find):  # type: ignore[no-untyped-def]
            reused.append(self._keep is not None and finding in self._keep)
            return super()._kept_or(finding, find)

    class Forgetful(anchor._Reanchorer):
        def run(self, sel: Selector, sid: str, ordinal: int) -> Anchoring:
            self._kept.clear()
            return super().run(sel, sid, ordinal)

    monkeypatch.setattr(anchor, "_Reanchorer", Watched)
    kept = reanchor_many(items, case.after)
    assert any(reused)  # the second look did use what the first found
    monkeypatch.setattr(anchor, "_Reanchorer", Forgetful)
    assert reanchor_many(items, case.after) == kept


def test_reanchor_with_no_sections_orphans() -> None:
    sel, sid, ordinal = note(BRIEF[0], "revised budget")
    assert reanchor(sel, sid, ordinal, []).status == "orphaned"


def test_an_empty_stored_quote_is_orphaned_not_matched_everywhere() -> None:
    assert reanchor(Selector("", "", "", 0, 0), "intro", 0, BRIEF).status == "orphaned"


def test_passage_with_a_sentence_inserted_inside_keeps_the_whole_stretch() -> None:
    quote = "The port authority warns that harbour dredging is already six months late."
    before = sections(("risks", "Risks", RISKS + " " + OUTLOOK))
    sel, sid, ordinal = note(before[0], quote + " Negotiators expect a provisional deal")
    inserted = " Dredging contracts were re-tendered in the spring after a long dispute."
    after = sections(("risks", "Risks", RISKS + inserted + " " + OUTLOOK))
    result = reanchor(sel, sid, ordinal, after)
    assert result.status == "changed"
    assert located(result, after) == (
        quote + inserted + " Negotiators expect a provisional deal"
    )


# --------------------------------------------------------------------------- sections


def test_fingerprint_is_compact_and_deterministic() -> None:
    fp = section_fingerprint(INTRO)
    assert len(fp) <= 200
    huge = " ".join(f"word{i}" for i in range(70_000))  # a count of five hex digits
    assert len(section_fingerprint(huge)) <= 200
    assert fp == section_fingerprint(INTRO)
    assert fingerprint_similarity(fp, fp) == 1.0


def test_fingerprint_similarity_tracks_how_much_text_is_shared() -> None:
    edited = INTRO.replace("revised", "amended")
    assert fingerprint_similarity(section_fingerprint(INTRO), section_fingerprint(edited)) > 0.5
    assert fingerprint_similarity(section_fingerprint(INTRO), section_fingerprint(RISKS)) < 0.1
    assert fingerprint_similarity(section_fingerprint(""), section_fingerprint("")) == 0.0
    assert fingerprint_similarity("garbage", section_fingerprint(INTRO)) == 0.0


def test_fingerprint_containment_sees_a_section_absorbed_into_a_longer_one() -> None:
    merged = section_fingerprint(INTRO + " " + RISKS + " " + OUTLOOK)
    old = section_fingerprint(RISKS)
    # Estimates from 46 hashes of a few dozen shingles: rough, but far apart.
    assert fingerprint_containment(old, merged) > 0.5
    assert fingerprint_similarity(old, merged) < 0.4
    assert fingerprint_containment(old, section_fingerprint(INTRO)) < 0.1


def ref(section: SectionText) -> SectionRef:
    return SectionRef(section.id, section.title, section.ordinal,
                      section_fingerprint(section.text))


def test_match_section_by_id_after_the_section_moved() -> None:
    after = sections(
        ("outlook", "Outlook", OUTLOOK), ("intro", "Introduction", INTRO),
        ("risks", "Risks", RISKS),
    )
    assert match_section(ref(BRIEF[1]), after) == "risks"


def test_match_section_follows_a_renamed_heading_by_content() -> None:
    after = sections(
        ("intro", "Introduction", INTRO), ("what-could-go-wrong", "What could go wrong", RISKS),
        ("outlook", "Outlook", OUTLOOK),
    )
    assert match_section(ref(BRIEF[1]), after) == "what-could-go-wrong"


def test_match_section_follows_a_slightly_renamed_heading_with_new_content() -> None:
    after = sections(
        ("intro", "Introduction", INTRO), ("risk", "Risk", "Entirely rewritten text."),
        ("outlook", "Outlook", OUTLOOK),
    )
    assert match_section(ref(BRIEF[1]), after) == "risk"


def test_match_section_returns_none_when_the_section_is_gone() -> None:
    after = sections(("intro", "Introduction", INTRO), ("outlook", "Outlook", OUTLOOK))
    assert match_section(ref(BRIEF[1]), after) is None
    assert match_section(ref(BRIEF[1]), []) is None


def test_match_section_follows_a_heading_whose_numbered_id_shifted() -> None:
    before = sections(
        ("background", "Background", INTRO), ("background-2", "Background", RISKS),
    )
    # The first "Background" was deleted: the second one's slug lost its suffix.
    after = sections(("background", "Background", RISKS), ("outlook", "Outlook", OUTLOOK))
    assert match_section(ref(before[1]), after) == "background"


def test_match_section_keeps_a_rewritten_section_under_its_heading() -> None:
    after = sections(("risks", "Risks", "Entirely new text about other matters."))
    assert match_section(ref(BRIEF[1]), after) == "risks"


@pytest.mark.parametrize("level,min_share", [(1, 1.0), (2, 0.97), (3, 0.9)])
def test_section_comments_follow_their_sections_through_edits(
    level: int, min_share: float
) -> None:
    right = total = 0
    for seed in range(1000, 1015):
        case = make_case(seed, level, 0)
        for old in case.before:
            want = section_truth(case.brief, old)
            got = match_section(ref(old), case.after)
            # A section that kept its id and heading keeps its comments, wherever
            # its paragraphs went.
            kept = any(s.id == old.id and s.title == old.title for s in case.after)
            right += got == want or (kept and got == old.id)
            total += 1
    assert right / total >= min_share, (right, total)


# --------------------------------------------------------------------------- perturbed briefs


def run_level(level: int, seeds: range, per_brief: int = 40) -> Tally:
    tally = Tally()
    for seed in seeds:
        case = make_case(seed, level, per_brief)
        items = [(h.selector, h.section_id, h.ordinal) for h in case.highlights]
        for h, truth, result in zip(
            case.highlights, case.truths, reanchor_many(items, case.after), strict=True
        ):
            tally.add(case.brief, h, truth, result)
    return tally


# Floors per level: correct %. The targets are 99.5 / 99 / 94 % with at most 1 % placed
# wrongly. Level 2 is at its target, not above it: 99.2 % on the benchmark's seeds,
# 99.0 % on another 4,000 notes, 98.9-99.0 % on the slow test's, so its floors sit a
# little below 99 %. The small run guards regressions on 400 notes (one note is
# 0.25 %; level 3 there is at exactly 1.0 % wrong); the slow run checks at scale.
SMALL_FLOORS = [(1, 99.5), (2, 98.0), (3, 95.5)]
LARGE_FLOORS = [(1, 99.5), (2, 98.75), (3, 96.0)]


@pytest.mark.parametrize("level,min_correct", SMALL_FLOORS)
def test_perturbation_targets(level: int, min_correct: float) -> None:
    tally = run_level(level, range(1000, 1010))
    assert tally.total == 400
    assert tally.pct(tally.correct) >= min_correct, tally
    assert tally.pct(tally.wrong) <= 1.0, tally
    if level > 1:  # light damage never deletes highlighted text; the others must
        assert tally.deleted, tally
        assert tally.pct(tally.deleted_orphaned, tally.deleted) >= 95.0, tally


def test_long_briefs_use_a_sparser_index_without_losing_notes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(anchor, "_MAX_INDEXED", 1_000)  # every 5th to 20th position here
    anchor._index.cache_clear()
    try:
        case = make_case(1003, 2)
        assert anchor._index(tuple(case.after)).stride >= 5
        tally = run_level(2, range(1000, 1010))
    finally:
        anchor._index.cache_clear()
    # As good as the dense index on these seeds (98.75 %), with fewer seeds per quote;
    # the floor leaves room for a sparser index to find a little less.
    assert tally.pct(tally.correct) >= 97.5, tally
    assert tally.pct(tally.wrong) <= 1.0, tally


def test_generator_knows_where_the_text_went() -> None:
    case = make_case(7, 2)
    for h, truth in zip(case.highlights, case.truths, strict=True):
        if truth.present and truth.exact:
            text = next(s.text for s in case.after if s.id == truth.section_id)
            assert text[truth.start : truth.end] == h.selector.exact
    assert any(not t.present for t in make_case(3, 3).truths)


@pytest.mark.slow
@pytest.mark.parametrize("level,min_correct", LARGE_FLOORS)
def test_perturbation_targets_at_scale(level: int, min_correct: float) -> None:
    tally = run_level(level, range(2000, 2100))
    assert tally.pct(tally.correct) >= min_correct, tally
    assert tally.pct(tally.wrong) <= 1.0, tally
    if level > 1:  # light damage never deletes highlighted text; the others must
        assert tally.deleted, tally
        assert tally.pct(tally.deleted_orphaned, tally.deleted) >= 97.0, tally


def test_random_spans_round_trip_through_an_unchanged_brief() -> None:
    rng = random.Random(5)
    secs = make_case(11, 1).before
    items = []
    for _ in range(200):
        s = rng.choice(secs)
        a = rng.randrange(len(s.text) - 1)
        b = rng.randrange(a + 1, min(len(s.text), a + 200) + 1)
        items.append((make_selector(s.text, a, b), s.id, s.ordinal))
    for (sel, sid, _), result in zip(items, reanchor_many(items, secs), strict=True):
        assert (result.status, result.section_id, result.start, result.end) == (
            "anchored", sid, sel.start, sel.end,
        ), sel


def _edited(old: str, new: str, quote: str) -> tuple[Anchoring, list[SectionText]]:
    """A note on ``quote`` in a section whose text ``old`` became ``new``: where it
    goes, and the sections after."""
    sel, sid, ordinal = note(sections(("s", "Section", old))[0], quote)
    after = sections(("s", "Section", new))
    return reanchor(sel, sid, ordinal, after), after


def test_a_passage_left_at_the_end_of_its_section_keeps_its_last_words() -> None:
    # The sentence after the passage, and the quote's last words, were cut: the section
    # now ends inside the quote. Nothing follows, which says nothing against the end.
    result, after = _edited(
        "The steering group met twice in March. The health agency endorses the new "
        "flood barrier in line with the 2024 targets. The treasury funds the emergency "
        "carbon levy for 201 municipalities. The task force questions the long-term "
        "running costs of the pumping stations.",
        "The steering group met twice in March. The health agency endorses the new "
        "flood barrier in line with the 2024 targets. The treasury funds the emergency "
        "carbon levy for 201 municipalities.",
        "health agency endorses the new flood barrier in line with the 2024 targets. The "
        "treasury funds the emergency carbon levy for 201 municipalities. The task")
    assert result.status == "changed"
    assert located(result, after).endswith("carbon levy for 201 municipalities.")


def test_a_surviving_piece_does_not_end_on_a_short_word_of_the_next_sentence() -> None:
    # The end of the passage was rewritten into another sentence: the piece that stayed
    # ends where the quote's own words do, not on a "the" that happens to follow.
    result, after = _edited(
        "The wage agreement is late despite strong objections. The grid operator "
        "reviews 75 grid upgrades in the northern districts. However, the water board "
        "funds the new budget, and our delegation extends it under the treaty.",
        "The wage agreement is late despite strong objections. The grid operator "
        "reviews 75 grid upgrades in the northern districts. Separately, negotiators "
        "reject the temporary bond issue, and the regional office agrees.",
        "despite strong objections. The grid operator reviews 75 grid upgrades in the "
        "northern districts. However, the water board funds the new budget, and our")
    assert result.section_id == "s"
    assert located(result, after).endswith("in the northern districts.")


def test_the_last_word_of_a_renamed_section_is_found_where_it_still_is() -> None:
    # Heading "Funding" becomes "Finance" (its id changes), the text stays. A word
    # selected without its full stop at the section's end keeps all of its context
    # ("." and the section ends), so it must not be orphaned.
    text = ("The treasury has agreed £12 million for emergency pipework. "
            "A further bid is planned for the autumn.")
    old = sections(("intro", "Introduction", INTRO), ("funding", "Funding", text))
    new = sections(("intro", "Introduction", INTRO), ("finance", "Finance", text))
    result = reanchor_many([note(old[1], "autumn")], new)[0]
    assert (result.status, result.section_id) == ("moved", "finance")
    assert located(result, new) == "autumn"


@pytest.mark.parametrize(
    ("before", "after", "quote", "now"),
    [
        ("1,900", "2,100", "1,900 excess deaths", "2,100 excess deaths"),
        ("1,900", "2,000", "1,900 excess deaths", "2,000 excess deaths"),
        ("1.9 thousand", "2.1 thousand", "1.9 thousand excess deaths",
         "2.1 thousand excess deaths"),
    ],
)
def test_a_revised_figure_at_the_start_of_a_quote_is_kept_whole(
    before: str, after: str, quote: str, now: str
) -> None:
    text = ("Last summer's three heatwaves were associated with an estimated {} excess "
            "deaths, most of them among people over 75 living alone.")
    old = sections(("health", "Health", text.format(before)))
    new = sections(("health", "Health", text.format(after)))
    result = reanchor_many([note(old[0], quote)], new)[0]
    assert result.status == "changed"
    assert located(result, new) == now


def test_match_section_follows_a_reworded_heading_over_subsections() -> None:
    # "2. Incident Summary" has no text of its own, only subsections: reworded in a
    # reissue, its comments must stay with it rather than be orphaned.
    timeline = "At 02:10 on 8 April the operator detected unusual encryption activity."
    status = "The incident is contained to the northern terminal's networks."
    old = sections(("1-purpose", "1. Purpose", INTRO), ("2-incident-summary",
                   "2. Incident Summary", ""), ("21-timeline", "2.1 Timeline", timeline),
                   ("22-status", "2.2 Status", status))  # fmt: skip
    new = sections(("1-purpose", "1. Purpose", INTRO), ("2-summary-of-the-incident",
                   "2. Summary of the Incident", ""), ("21-timeline", "2.1 Timeline",
                   timeline), ("22-status", "2.2 Status", status))  # fmt: skip
    ref = SectionRef("2-incident-summary", "2. Incident Summary", 1, section_fingerprint(""))
    assert match_section(ref, new) == "2-summary-of-the-incident"
    assert match_section(ref, old) == "2-incident-summary"


def test_a_span_that_ran_on_is_not_kept_for_ending_on_a_figure() -> None:
    # A long passage ending "at a cost of €160" whose span ran on to another sentence
    # ending "at a cost of €223": trimming must still bring it back. (Keeping any figure
    # at a span's end as "revised" put this note on 400 characters too many.)
    case = make_case(10043, 3, 40)
    items = [(h.selector, h.section_id, h.ordinal) for h in case.highlights]
    result = reanchor_many(items, case.after)[24]
    assert case.highlights[24].selector.exact.endswith("at a cost of €160")
    assert judge(case.brief, case.highlights[24], case.truths[24], result) == "correct"
