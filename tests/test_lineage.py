"""Versions of a note's parts (lineage.py): which of two copies changed a part later."""

from __future__ import annotations

from briefreader import lineage
from briefreader.records import Comment, Highlight


def highlight(**changes) -> Highlight:
    base = dict(id="h", brief_key="k", section_id="s", section_heading="S", section_ordinal=0,
                exact="quota", prefix="", suffix="", start=0, end=5)
    return Highlight(**{**base, **changes})


def test_a_copy_whose_version_the_other_had_before_is_the_earlier_one():
    base = lineage.first(highlight())
    there = lineage.grown(base, highlight(), highlight(note="edited"))
    assert lineage.relation("text", base, there) == "theirs"
    assert lineage.relation("text", there, base) == "mine"
    assert lineage.relation("look", base, there) == "same"
    apart = lineage.grown(base, highlight(), highlight(note="other"))
    assert lineage.relation("text", apart, there) == "apart"
    assert lineage.relation("text", "", there) == "unknown"


def test_a_comment_has_a_text_and_a_place_in_the_trash_only():
    c = Comment("c", "k", "s", "S", 0, "f", "body")
    assert sorted(t[0] for t in lineage.first(c).split()) == ["d", "t"]


def test_two_copies_joining_the_same_versions_agree():
    a, b = lineage.token("text"), lineage.token("text")
    assert lineage.joint_token("text", a, b) == lineage.joint_token("text", b, a) != a
    joined = lineage.joined(a, b, {"text": lineage.joint_token("text", a, b)})
    assert lineage.current(joined)["text"] == lineage.joint_token("text", a, b)
    assert set(joined.split()) == {a, b, lineage.joint_token("text", a, b)}


def test_each_part_keeps_its_last_versions_only():
    line = lineage.first(highlight())
    for _ in range(lineage.KEPT + 10):
        line = lineage.grown_part(line, "text")
    tokens = line.split()
    assert sum(t.startswith("t:") for t in tokens) == lineage.KEPT
    assert {t[0] for t in tokens} == {"t", "l", "p", "d"}  # the other parts kept theirs
    assert lineage.VALID.fullmatch(line) and lineage.trimmed(line + " " + line) == line
