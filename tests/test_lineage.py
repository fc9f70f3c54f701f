"""Versions of a note's parts (lineage.py): which of two copies changed a part later."""

from __future__ import annotations

from briefreader import lineage
from briefreader.records import Comment, Highlight


def highlight(**changes) -> Highlight:
    base = dict(id="h", brief_key="k", section_id="s", section_heading="S", section_ordinal=0,
                exact="quota", prefix="", suffix="", start=0, end=5)
    return Highlight(**{**base, **changes})


def exported(line: str) -> str:
    return lineage.shared(line)


def test_a_copy_whose_version_the_other_had_before_is_the_earlier_one():
    base = exported(lineage.first(highlight()))
    there = lineage.grown(base, highlight(), highlight(note="edited"))
    assert lineage.relation("text", base, there) == "theirs"
    assert lineage.relation("text", there, base) == "mine"
    assert lineage.relation("colour", base, there) == "same"
    apart = lineage.grown(base, highlight(), highlight(note="other"))
    assert lineage.relation("text", apart, there) == "apart"
    assert lineage.relation("text", "", there) == "unknown"


def test_a_value_taken_back_is_known_for_one_the_copy_had_before():
    base = exported(lineage.first(highlight(note="Tuesday")))
    # Here: Tuesday? and back to Tuesday, exported between; there: Wednesday.
    asked = exported(lineage.grown(base, highlight(note="Tuesday"), highlight(note="Tuesday?")))
    back = lineage.grown(asked, highlight(note="Tuesday?"), highlight(note="Tuesday"))
    there = lineage.grown(base, highlight(note="Tuesday"), highlight(note="Wednesday"))
    assert lineage.relation("text", back, there) == "theirs"  # Tuesday is older there
    assert lineage.relation("text", there, back) == "mine"


def test_versions_not_exported_are_replaced_not_piled_up():
    line = lineage.first(highlight())
    for n in range(lineage.KEPT + 10):
        line = lineage.grown(line, highlight(note=str(n)), highlight(note=str(n + 1)))
    assert sum(t.startswith("t:") for t in line.split()) == 1


def test_a_comment_has_a_text_and_a_place_in_the_trash_only():
    c = Comment("c", "k", "s", "S", 0, "f", "body")
    assert sorted(t[0] for t in lineage.first(c).split()) == ["d", "t"]


def test_two_copies_joining_the_same_versions_agree():
    a, b = lineage.bare(lineage.token("text", "a")), lineage.bare(lineage.token("text", "b"))
    joint = lineage.joint_token("text", "a\n\nb", a, b)
    assert joint == lineage.joint_token("text", "a\n\nb", b, a) not in (a, b)
    joined = lineage.joined(a, b, {"text": joint})
    assert lineage.current(joined)["text"] == joint
    assert set(joined.split()) == {a, b, joint}


def test_each_part_keeps_its_last_versions_only_and_a_file_cannot_repeat_one():
    line = exported(lineage.first(highlight()))
    for n in range(lineage.KEPT + 10):
        line = exported(lineage.changed(line, "text", n))
    tokens = line.split()
    assert sum(t.startswith("t:") for t in tokens) == lineage.KEPT
    assert {t[0] for t in tokens} == {"t", "c", "g", "p", "d"}  # the other parts kept theirs
    assert lineage.VALID.fullmatch(line)
    a, b = tokens[-1], tokens[-2]
    # A token repeated in a file stands where it last stands: that one is current.
    assert lineage.current(lineage.trimmed(f"{a} {b} {a}"))["text"] == a
