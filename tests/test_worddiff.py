from __future__ import annotations

import random

import pytest

from briefreader.worddiff import (
    DARK_DELETE_STYLE,
    DARK_INSERT_STYLE,
    DELETE_STYLE,
    INSERT_STYLE,
    MAX_TOKENS,
    diff_html,
    mark_styles,
    similarity,
    tokenize,
    word_diff,
)


def _old(ops: list[tuple[str, str]]) -> str:
    return "".join(text for kind, text in ops if kind != "insert")


def _new(ops: list[tuple[str, str]]) -> str:
    return "".join(text for kind, text in ops if kind != "delete")


def test_tokenize_keeps_every_character():
    text = "Ministers agreed,  at last — on 3.5% (net) café\u00a0spending."
    assert "".join(tokenize(text)) == text
    assert tokenize("plan, now") == ["plan", ",", " ", "now"]


def test_equal_texts_are_one_equal_op():
    assert word_diff("the same words", "the same words") == [("equal", "the same words")]
    assert word_diff("", "") == []


def test_typo_is_one_word_replaced():
    ops = word_diff("the quikc brown fox", "the quick brown fox")
    assert ops == [
        ("equal", "the "),
        ("delete", "quikc"),
        ("insert", "quick"),
        ("equal", " brown fox"),
    ]


def test_inserted_and_deleted_words():
    # A lone change starts at its word; the space it brings follows it.
    ops = word_diff("Ministers agreed the plan", "Ministers quickly agreed the plan")
    assert ops == [("equal", "Ministers "), ("insert", "quickly "), ("equal", "agreed the plan")]
    ops = word_diff("Ministers quickly agreed the plan", "Ministers agreed the plan")
    assert ops == [("equal", "Ministers "), ("delete", "quickly "), ("equal", "agreed the plan")]
    assert word_diff("a b", "a b c") == [("equal", "a b"), ("insert", " c")]
    assert word_diff("a b c", "a b") == [("equal", "a b"), ("delete", " c")]


def test_punctuation_differs_alone():
    ops = word_diff("agreed the plan.", "agreed the plan!")
    assert ops == [("equal", "agreed the plan"), ("delete", "."), ("insert", "!")]


def test_replaced_phrase_reads_as_one_change():
    # The space between two replaced words is not shown as kept on its own.
    ops = word_diff("a b c", "x y c")
    assert ops == [("delete", "a b"), ("insert", "x y"), ("equal", " c")]


def test_everything_new_or_everything_gone():
    assert word_diff("", "new text") == [("insert", "new text")]
    assert word_diff("old text", "") == [("delete", "old text")]


def test_unicode_words_are_words():
    ops = word_diff("café naïve 日本語 text 🙂", "cafe naïve 日本 text 🙂")
    changes = [op for op in ops if op[0] != "equal"]
    assert changes == [("delete", "café"), ("insert", "cafe"), ("delete", "日本語"),
                       ("insert", "日本")]
    assert _new(ops) == "cafe naïve 日本 text 🙂"


def test_ops_rebuild_both_texts_random():
    rng = random.Random(7)
    words = ["the", "plan", "was", "agreed", ",", ".", "café", "日本", "  ", "<b>", "&"]
    for _ in range(300):
        old = " ".join(rng.choice(words) for _ in range(rng.randint(0, 15)))
        new = " ".join(rng.choice(words) for _ in range(rng.randint(0, 15)))
        ops = word_diff(old, new)
        assert _old(ops) == old
        assert _new(ops) == new
        kinds = [kind for kind, _ in ops]
        # Merged: no two neighbours of one kind, and no empty pieces.
        assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
        assert all(text for _, text in ops)
        # A deletion never follows the insertion it goes with.
        assert all(not (a == "insert" and b == "delete") for a, b in zip(kinds, kinds[1:],
                                                                          strict=False))


def test_very_long_texts_are_replaced_whole_not_diffed():
    old = "word " * (MAX_TOKENS + 10)
    new = old + "more"
    assert word_diff(old, new) == [("delete", old), ("insert", new)]
    assert word_diff(old, old) == [("equal", old)]


def test_diff_html_marks_deletions_in_old_and_insertions_in_new():
    old_html, new_html = diff_html("the quikc brown fox", "the quick brown fox")
    assert old_html == f'the <span style="{DELETE_STYLE}">quikc</span> brown fox'
    assert new_html == f'the <span style="{INSERT_STYLE}">quick</span> brown fox'
    assert "line-through" in DELETE_STYLE
    assert "quick<" not in old_html and "quikc" not in new_html


def test_diff_html_marks_in_dark_colours_for_a_dark_window():
    old_html, new_html = diff_html("the quikc brown fox", "the quick brown fox", dark=True)
    assert old_html == f'the <span style="{DARK_DELETE_STYLE}">quikc</span> brown fox'
    assert new_html == f'the <span style="{DARK_INSERT_STYLE}">quick</span> brown fox'
    assert mark_styles(True) == (DARK_DELETE_STYLE, DARK_INSERT_STYLE)
    assert mark_styles(False) == (DELETE_STYLE, INSERT_STYLE)
    # Said by more than the colour: struck out and underlined in both.
    assert "line-through" in DARK_DELETE_STYLE and "underline" in DARK_INSERT_STYLE


def test_diff_html_equal_texts_have_no_marks():
    assert diff_html("same & same", "same & same") == ("same &amp; same", "same &amp; same")


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="/dev/zero" onerror="x()">',
        "a & b < c > d \" e ' f",
    ],
)
def test_diff_html_escapes_user_text(hostile):
    for old, new in ((hostile, "plain"), ("plain", hostile), (hostile, hostile + " more")):
        for part in diff_html(old, new):
            assert "<script" not in part
            assert "<img" not in part
            # The only tags left are our own marks.
            stripped = part.replace(f'<span style="{DELETE_STYLE}">', "")
            stripped = stripped.replace(f'<span style="{INSERT_STYLE}">', "")
            stripped = stripped.replace("</span>", "")
            assert "<" not in stripped and ">" not in stripped and '"' not in stripped


def test_similarity():
    assert similarity("", "") == 1.0
    assert similarity("a b c", "a b c") == 1.0
    assert similarity("a b c", "x y z") < similarity("a b c", "a b z") < 1.0
    assert similarity("", "something") == 0.0
