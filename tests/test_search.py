"""Pure search helpers: folding, find in brief, query shaping, snippets."""

from __future__ import annotations

import sqlite3

import pytest

from briefreader.search import (
    MARK_CLOSE,
    MARK_OPEN,
    FindSession,
    QueryError,
    SearchFilters,
    SearchResult,
    Snippet,
    TextMatch,
    count_label,
    find_in_text,
    find_matches,
    fold,
    locate,
    merge_ranked,
    parse_query,
    plain_query,
    shape_snippet,
    step,
)

SECTIONS = [
    ("_lead", "The café on the quay reopened."),
    ("summary", "Cafe owners say the CAFÉ trade is back. Straße closed."),
    ("risks", "No risk here."),
    ("outlook", "A new café opens in June."),
]


# --------------------------------------------------------------------------- folding


def test_fold_drops_case_and_accents():
    assert fold("Résumé NAÏVE Ångström") == "resume naive angstrom"
    assert fold("Straße") == "strasse"
    assert fold("plain ascii") == "plain ascii"


def test_find_is_accent_and_case_insensitive_by_default():
    text = "Café, CAFE and cafe"
    assert find_in_text(text, "cafe") == [(0, 4), (6, 10), (15, 19)]
    assert find_in_text(text, "CAFÉ") == [(0, 4), (6, 10), (15, 19)]


def test_case_sensitive_find_is_exact():
    assert find_in_text("Café, CAFE and cafe", "cafe", case_sensitive=True) == [(15, 19)]
    assert find_in_text("Café, CAFE and cafe", "Café", case_sensitive=True) == [(0, 4)]


def test_positions_are_in_the_original_text_when_folding_changes_length():
    text = "Die Straße ist zu. Ende"
    # "ß" folds to "ss": the match covers the original 6 code points.
    (start, end), = find_in_text(text, "strasse")
    assert text[start:end] == "Straße"
    (start, end), = find_in_text(text, "ende")
    assert text[start:end] == "Ende"


def test_decomposed_accents_belong_to_the_match():
    text = "une cafe\u0301 noire"
    (start, end), = find_in_text(text, "cafe")
    assert text[start:end] == "cafe\u0301"


def test_emoji_before_a_match_counts_one_code_point():
    text = "🌊 flood risk"
    assert find_in_text(text, "flood") == [(2, 7)]


def test_matches_do_not_overlap_and_empty_needles_find_nothing():
    assert find_in_text("aaaa", "aa") == [(0, 2), (2, 4)]
    assert find_in_text("abc", "") == []
    assert find_in_text("abc", "\u0301") == []  # folds to nothing


# --------------------------------------------------------------------------- across sections


def test_find_matches_across_sections_in_reading_order():
    matches = find_matches(SECTIONS, "café")
    assert [(m.section_id, m.start) for m in matches] == [
        ("_lead", 4),
        ("summary", 0),
        ("summary", 20),
        ("outlook", 6),
    ]
    assert all(isinstance(m, TextMatch) for m in matches)


def test_step_wraps_both_ways():
    matches = find_matches(SECTIONS, "café")
    assert step(matches, 3, True) == 0
    assert step(matches, 0, False) == 3
    assert step(matches, 1, True) == 2
    assert step([], None, True) is None


def test_step_starts_from_where_the_reader_is():
    matches = find_matches(SECTIONS, "café")
    # In "risks" (ordinal 2): forward finds the one in "outlook", back the last in "summary".
    assert step(matches, None, True, origin=(2, 0)) == 3
    assert step(matches, None, False, origin=(2, 0)) == 2
    # Past the last match, forward wraps to the first.
    assert step(matches, None, True, origin=(3, 100)) == 0


def test_count_label():
    assert count_label(None, 0) == "No matches"
    assert count_label(1, 4) == "2 of 4"
    assert count_label(None, 1) == "1 match"


def test_find_session_moves_through_every_section_and_wraps():
    session = FindSession(SECTIONS)
    first = session.find("cafe", origin=(0, 0))
    assert (first.section_id, session.label) == ("_lead", "1 of 4")
    seen = [session.find("cafe").section_id for _ in range(4)]
    assert seen == ["summary", "summary", "outlook", "_lead"]
    assert session.find("cafe", forward=False).section_id == "outlook"
    assert [m.start for m in session.in_section("summary")] == [0, 20]


def test_find_session_says_when_it_went_round_the_end_of_the_brief():
    session = FindSession(SECTIONS)
    session.find("cafe", origin=(0, 0))
    assert not session.wrapped
    moves = [(session.find("cafe").section_id, session.wrapped) for _ in range(4)]
    assert moves == [("summary", False), ("summary", False), ("outlook", False),
                     ("_lead", True)]
    assert (session.find("cafe", forward=False).section_id, session.wrapped) == (
        "outlook", True)
    assert (session.find("cafe", forward=False).section_id, session.wrapped) == (
        "summary", False)
    # A new search from past the last match starts again at the top, and says so.
    session.clear()
    assert (session.find("opens", origin=(3, 10)).section_id, session.wrapped) == (
        "outlook", False)
    session.clear()
    assert (session.find("quay", origin=(3, 0)).section_id, session.wrapped) == (
        "_lead", True)
    # One match only: F3 comes back to it, round the end.
    assert (session.find("quay").section_id, session.wrapped) == ("_lead", True)


def test_typing_more_letters_keeps_the_current_match():
    session = FindSession(SECTIONS)
    session.find("ca", origin=(1, 0))
    assert session.current.section_id == "summary"
    session.find("caf")
    assert (session.current.section_id, session.current.start) == ("summary", 0)


def test_find_session_reports_no_matches():
    session = FindSession(SECTIONS)
    assert session.find("zebra") is None
    assert session.label == "No matches"
    session.clear()
    assert session.label == ""


# --------------------------------------------------------------------------- queries


def _fts_accepts(match: str) -> bool:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO t VALUES ('some text')")
    try:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (match,)).fetchall()
    except sqlite3.OperationalError:
        return False
    return True


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("grid", '"grid"'),
        ("Grid  Winter", '"Grid" AND "Winter"'),
        ('"winter grid" package', '"winter grid" AND "package"'),
        ("resil*", '"resil"*'),
        ("budget cuts OR savings", '"budget" AND ("cuts" OR "savings")'),
        ("COVID-19", '"COVID 19"'),
        ("Résumé", '"Résumé"'),
        ("or and not", '"or" AND "and" AND "not"'),
    ],
)
def test_parse_query(typed, expected):
    assert parse_query(typed).match == expected


@pytest.mark.parametrize(
    "typed",
    [
        'NEAR(a b',
        '"unclosed',
        "a AND",
        "OR b",
        "x OR OR y",
        "col:value",
        "^start",
        'he said ""quoted"" -x +y',
        "a * b",
        "(nested (parens",
        "NOT",
        "'; DROP TABLE notes; --",
    ],
)
def test_any_input_gives_a_query_fts5_accepts(typed):
    query = parse_query(typed)  # each of these has a word to search for
    assert _fts_accepts(query.match), query.match


def test_a_query_without_words_is_an_error():
    with pytest.raises(QueryError):
        parse_query('  ** "" -- ')
    with pytest.raises(QueryError):
        plain_query("()")


def test_plain_query_ignores_operators():
    assert plain_query("a OR b*").match == '"a" AND "OR" AND "b"'


def test_terms_keep_prefix_and_phrases():
    terms = parse_query('"winter grid" resil*').terms
    assert [(t.text, t.prefix) for t in terms] == [("winter grid", False), ("resil", True)]
    assert terms[0].words == ("winter", "grid")


def test_locate_finds_the_first_match_of_any_term():
    text = "The Winter Grid package improves grid resilience."
    assert locate(text, parse_query("resil*").terms) == (38, 48)
    assert locate(text, parse_query('"grid resilience"').terms) == (33, 48)
    assert locate(text, parse_query("package grid").terms) == (11, 15)
    assert locate(text, parse_query("absent").terms) is None
    # Whole words only: "grid" does not match inside "gridlock".
    assert locate("gridlock then grid", parse_query("grid").terms) == (14, 18)
    assert locate("Ein Café", parse_query("cafe").terms) == (4, 8)


# --------------------------------------------------------------------------- snippets, results


def test_shape_snippet_strips_markers_and_folds_space():
    raw = f"…the {MARK_OPEN}Café{MARK_CLOSE} and\n\n the {MARK_OPEN}cafe{MARK_CLOSE}…"
    snippet = shape_snippet(raw)
    assert snippet.text == "…the Café and the cafe…"
    assert [snippet.text[a:b] for a, b in snippet.marks] == ["Café", "cafe"]
    assert snippet.marked("«", "»") == "…the «Café» and the «cafe»…"


def test_shape_snippet_joins_the_words_of_a_phrase():
    o, c = MARK_OPEN, MARK_CLOSE
    raw = f"the {o}amber{c} {o}alert{c}, then {o}x{c}"
    assert shape_snippet(raw).marked("[", "]") == "the [amber alert], then [x]"


def test_shape_snippet_drops_markdown_bold_and_code_in_notes():
    raw = f"Which **{MARK_OPEN}water{MARK_CLOSE}** firms use `snake_case`?"
    snippet = shape_snippet(raw, markdown=True)
    assert snippet.marked("[", "]") == "Which [water] firms use snake_case?"
    assert shape_snippet("a **b**").text == "a **b**"  # brief text is left as it is


def test_shape_snippet_shows_a_links_words_in_notes():
    raw = (f"Source: [LGA {MARK_OPEN}cooling{MARK_CLOSE} survey](https://example.org/lga) "
           "and <https://example.org/guidance>.")
    assert shape_snippet(raw, markdown=True).marked("[", "]") == (
        "Source: LGA [cooling] survey and https://example.org/guidance.")
    # A match in the address itself keeps the address (and its mark).
    in_address = f"See [the survey](https://{MARK_OPEN}cooling{MARK_CLOSE}.example.org)"
    assert shape_snippet(in_address, markdown=True).marked("[", "]") == (
        "See [the survey](https://[cooling].example.org)")


def _shown(raw: str) -> str:
    return shape_snippet(raw, markdown=True).marked("[", "]")


def test_an_image_shows_its_words_without_a_stray_bang():
    # Rendered as <img alt="chart">; the snippet showed "!chart".
    assert _shown(f"![{MARK_OPEN}chart{MARK_CLOSE}](chart.png) shows it") == "[chart] shows it"


def test_an_address_with_parentheses_leaves_no_stray_bracket():
    # Rendered as one link to .../Foo_(bar); the snippet showed "Ferry) [fares]".
    raw = f"[Ferry](https://en.wikipedia.org/wiki/Ferry_(boat)) {MARK_OPEN}fares{MARK_CLOSE}"
    assert _shown(raw) == "Ferry [fares]"


def test_a_stray_bracket_before_a_link_stays_where_it_is():
    # Rendered as "[draft " + link "see"; the snippet showed "draft [see".
    raw = f"[draft [see](https://x.org) {MARK_OPEN}fares{MARK_CLOSE}"
    assert _shown(raw) == "[draft see [fares]"


def test_an_image_inside_a_link_shows_its_words():
    # Rendered as a link around <img alt="badge">; the snippet showed
    # "![badge](https://x.org)": Markdown again, with the link's address as the src.
    raw = f"[![badge](b.svg)](https://x.org) {MARK_OPEN}fares{MARK_CLOSE}"
    assert _shown(raw) == "badge [fares]"


def test_link_words_holding_brackets_show_as_words():
    # Rendered as a link with words "see [1]"; before and after the change it was raw.
    assert _shown(f"[see [1]](https://x.org) {MARK_OPEN}fares{MARK_CLOSE}") == "see [1] [fares]"


def test_shape_snippet_without_marks():
    assert shape_snippet("plain") == Snippet("plain", ())


def test_filters_decide_which_kinds_are_searched():
    assert SearchFilters().wants_text and SearchFilters().wants_comments
    assert not SearchFilters(scope="notes").wants_text
    assert not SearchFilters(scope="text").wants_highlights
    coloured = SearchFilters(color="red")
    assert coloured.wants_highlights and not coloured.wants_text and not coloured.wants_comments
    by_author = SearchFilters(author="ana")
    assert by_author.wants_comments and not by_author.wants_text


def _result(rank: float, kind="text") -> SearchResult:
    return SearchResult(kind, "T", "k", "s", "S", Snippet(str(rank)), rank=rank)


def test_results_merge_best_first_and_json_has_the_documented_keys():
    merged = merge_ranked([_result(-1.0), _result(-3.0)], [_result(-2.0, "note")], limit=2)
    assert [r.rank for r in merged] == [-3.0, -2.0]
    assert set(merged[0].as_json()) == {
        "kind", "brief", "brief_id", "section", "section_title", "snippet", "id"
    }
    assert merged[0].as_json()["snippet"] == "-3.0"


def test_escaped_markdown_in_a_note_shows_as_the_note_reads():
    # "\[x\](y)" reads "[x](y)", not a link; the snippet showed "\x\".
    assert _shown(rf"see \[draft\](v2) {MARK_OPEN}fares{MARK_CLOSE}") == (
        "see [draft](v2) [fares]")
    assert _shown(rf"a \*\*b\*\* {MARK_OPEN}c{MARK_CLOSE} \\ d") == r"a **b** [c] \ d"
