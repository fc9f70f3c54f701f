from __future__ import annotations

import os
import struct
import threading
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefreader import render, resource_policy, timebox
from briefreader.brief import LEAD_ID, Brief, Section, normalise_text

DATA = Path(__file__).resolve().parent / "data" / "render"
PNG_1X1 = resource_policy.PLACEHOLDER_PNG  # any valid PNG will do as "an image file"


def make_section(source: str, id: str = "sec", title: str = "Title", level: int = 2) -> Section:
    return Section(id=id, title=title, level=level, parent=None, ordinal=1, source=source)


def make_brief(*sections: Section, fmt: str = "markdown", content_hash: str = "h") -> Brief:
    return Brief(title="Brief", sections=sections, format=fmt, content_hash=content_hash)


def rendered(source: str, *, fmt: str = "markdown", **kw) -> render.RenderedSection:
    section = make_section(source)
    return render.render_section(make_brief(section, fmt=fmt), section, **kw)


@pytest.fixture(autouse=True)
def _fresh_cache():
    render.clear_cache()
    yield
    render.clear_cache()


class _Structure(HTMLParser):
    """Tags, attributes and the deepest nesting of each tag in a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.max_depth: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("br", "hr", "img"):
            return
        self.open.append(tag)
        self.max_depth[tag] = max(self.max_depth.get(tag, 0), self.open.count(tag))

    def handle_endtag(self, tag):
        if self.open and self.open[-1] == tag:
            self.open.pop()


def structure(fragment: str) -> _Structure:
    parser = _Structure()
    parser.feed(fragment)
    parser.close()
    return parser


def list_depth(fragment: str) -> int:
    """Deepest nesting of ul/ol/dl counted together."""
    depth = best = 0

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            nonlocal depth, best
            if tag in ("ul", "ol", "dl"):
                depth += 1
                best = max(best, depth)

        def handle_endtag(self, tag):
            nonlocal depth
            if tag in ("ul", "ol", "dl"):
                depth -= 1

    P().feed(fragment)
    return best


# ---------------------------------------------------------------------------
# Sanitising
# ---------------------------------------------------------------------------

ALLOWED_TAGS = render._TAGS


@pytest.mark.parametrize(
    "dirty, gone",
    [
        ("<script>alert(1)</script>after", "alert"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<iframe src="https://example.org">inside</iframe>', "iframe"),
        ('<a href="javascript:alert(1)">click</a>', "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">click</a>', "alert"),
        ('<a href="file:///etc/passwd">f</a>', "file:"),
        ('<img src="data:image/png;base64,AAAA">', "data:"),
        ('<p style="color:red">shown</p>', "color"),
        ("<style>p { color: red }</style>text", "color"),
        ('<form action="https://x"><input name="q" value="v">F</form>', "input"),
        ('<object data="x.swf"></object><embed src="x.swf">', "swf"),
        ('<svg onload="alert(1)"><circle/></svg>', "svg"),
        ('<div onclick="steal()">d</div>', "onclick"),
        ('<body onload="x()">b</body>', "onload"),
        ('<a href="#x" onmouseover="y()">m</a>', "onmouseover"),
        ("<!-- secret comment -->visible", "secret"),
    ],
)
def test_sanitise_removes_dangerous_markup(dirty, gone):
    clean = render.sanitise_html(dirty)
    assert gone.lower() not in clean.lower()
    for tag, attrs in structure(clean).tags:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" for name in attrs)


def test_sanitise_keeps_text_of_stripped_harmless_tags():
    clean = render.sanitise_html(
        "<section>Fill <b>this</b></section><center>mid</center><figure>fig</figure>"
    )
    assert render.plain_text_of_html(clean) == "Fill this mid fig"
    assert clean == "<div>Fill <b>this</b></div><div>mid</div><div>fig</div>"


def test_markdown_raw_html_is_sanitised():
    result = rendered(
        "Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[bad](javascript:alert(1)) [good](https://example.org) [in](#other)\n\n"
        "<iframe src='https://evil.example'></iframe>"
    )
    assert "<script" not in result.html
    assert "onerror" not in result.html
    assert "javascript" not in result.html
    assert "iframe" not in result.html
    assert '<a href="https://example.org">good</a>' in result.html
    assert '<a href="#other">in</a>' in result.html


def test_attribute_values_are_filtered():
    clean = render.sanitise_html(
        '<img src="a.png" width="99999" height="20">'
        '<table><tr><td colspan="100000" rowspan="2">c</td></tr></table>'
        '<div class="evil footnote">d</div><div class="footnote">f</div>'
        '<h2 id="ok-id">h</h2><p id="bad&#10;id">p</p>'
        '<code class="language-python">x</code><code class="x onclick">y</code>'
    )
    tags = structure(clean).tags
    img = next(a for t, a in tags if t == "img")
    assert "width" not in img and img["height"] == "20"
    td = next(a for t, a in tags if t == "td")
    assert "colspan" not in td and td["rowspan"] == "2"
    classes = [a.get("class") for t, a in tags if t == "div"]
    assert classes == [None, "footnote"]
    assert ("h2", {"id": "ok-id"}) in tags
    assert ("p", {}) in tags
    codes = [a.get("class") for t, a in tags if t == "code"]
    assert codes == ["language-python", None]


def test_sanitise_caps_deep_raw_html():
    deep = "<div>" * 300 + "core" + "</div>" * 300
    clean = render.sanitise_html(deep)
    assert structure(clean).max_depth["div"] <= render.MAX_DIV_DEPTH
    assert render.plain_text_of_html(clean) == "core"

    spans = "<em>" * 500 + "x" + "</em>" * 500
    assert len(structure(render.sanitise_html(spans)).tags) <= render.MAX_ELEMENT_DEPTH


# ---------------------------------------------------------------------------
# Markdown features
# ---------------------------------------------------------------------------


def test_heading_carries_section_id_and_level():
    result = rendered("Body *text*.")
    assert result.html.startswith('<h2 id="sec">Title</h2>')
    lead = Section(id=LEAD_ID, title="A <Brief>", level=0, parent=None, ordinal=0, source="x")
    html = render.render_section(make_brief(lead), lead).html
    assert html.startswith('<h1 id="_lead">A &lt;Brief&gt;</h1>')


def test_heading_text_is_not_in_plain_text():
    assert rendered("Body.").plain_text == "Body."


def test_tables_render_with_alignment():
    result = rendered("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    tags = structure(result.html).tags
    assert ("th", {"align": "left"}) in tags
    assert ("td", {"align": "right"}) in tags
    assert result.plain_text == "a b 1 2"


def test_fenced_code_is_escaped_and_kept():
    result = rendered('```python\nx = "<b>"\nif x:  pass\n```\n')
    assert '<pre><code class="language-python">' in result.html
    assert "&lt;b&gt;" in result.html
    assert result.plain_text == 'x = "<b>" if x: pass'


def test_footnotes_are_scoped_to_their_section():
    one = make_section("First[^n].\n\n[^n]: Note one.", id="one")
    two = make_section("Second[^n].\n\n[^n]: Note two.", id="two")
    brief = make_brief(one, two)
    html = render.render_brief(brief)
    ids = [a["id"] for _, a in structure(html).tags if "id" in a]
    assert len(ids) == len(set(ids)), ids
    assert "fn:one:n" in ids and "fn:two:n" in ids
    assert 'href="#fn:two:n"' in html and 'href="#fnref:two:n"' in html
    assert render.render_section(brief, two).plain_text == "Second1. Note two. ↩"


def test_footnote_labels_with_spaces_and_unicode_section_ids():
    section = make_section("Text[^my note].\n\n[^my note]: Why.", id="café")
    html = render.render_section(make_brief(section), section).html
    ids = {a["id"] for _, a in structure(html).tags if "id" in a}
    hrefs = {a["href"] for t, a in structure(html).tags if t == "a"}
    assert "fn:café:my note" in ids and "fnref:café:my note" in ids
    from PySide6.QtCore import QUrl

    for href in hrefs:
        # what the reader gets back from Qt when the link is clicked
        action = resource_policy.classify_link(QUrl(href).toString())
        assert action.kind == "anchor" and action.target in ids


def test_internal_links_and_attr_list_ids():
    result = rendered("See [the background](#background).\n\nKey point.\n{: #key-point }")
    assert '<a href="#background">the background</a>' in result.html
    assert '<p id="key-point">Key point.</p>' in result.html


def test_render_brief_joins_sections_in_order():
    a, b = make_section("alpha", id="a", title="A"), make_section("beta", id="b", title="B")
    html = render.render_brief(make_brief(a, b))
    assert html.index('id="a"') < html.index("alpha") < html.index('id="b"') < html.index("beta")


def test_rich_sample_plain_text():
    source = (DATA / "rich.md").read_text(encoding="utf-8")
    result = rendered(source)
    assert not result.fallback and result.notice is None
    assert result.plain_text == (
        "The committee met on Tuesday to review the water allocation plan for the eastern "
        "districts. Members asked for reservoir_level figures1 and a comparison with the "
        "previous season. Allocation for farms falls by 12 %. Towns keep their share: "
        "Northtown: 40 Ml/day Riverside: 25 Ml/day Review again in spring. The plan is fair "
        "only if the monitoring data are published every month. District Share Change "
        "North 41 % −2 East 33 % +1 South & West 26 % +1 level = inflow - outflow "
        "# <not a tag> Contact: the secretariat or https://example.org/water. Café au lait "
        "costs 2 €. Map above, not to scale. Levels are measured at 06:00 each day. ↩"
    )
    assert '<img alt="Reservoir map" src="maps/reservoir.png">' in result.html


# ---------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment, text",
    [
        ("<p>one</p><p>two</p>", "one two"),
        ("<ul><li>a</li><li>b</li></ul>", "a b"),
        ("<ol start='3'><li>third</li></ol>", "third"),
        ("<p>x<img src='a.png' alt='ALT'>y</p>", "xy"),
        ("<p>caf&eacute; &amp; &lt;tag&gt; &#8617;</p>", "café & <tag> ↩"),
        ("<p>a<br>b</p>", "a b"),
        ("<p>in<em>line</em> <code>c</code></p>", "inline c"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
        ("<p>Cafe\u0301\u00a0 \t end</p>", "Café end"),
        ("<p>a\ufffcb</p>", "ab"),
    ],
)
def test_plain_text_of_html(fragment, text):
    assert render.plain_text_of_html(fragment) == text


def test_section_plain_text_matches_render():
    section = make_section("Some *text* here.")
    brief = make_brief(section)
    assert render.section_plain_text(brief, section) == "Some text here."


# ---------------------------------------------------------------------------
# Text briefs
# ---------------------------------------------------------------------------


def test_text_brief_is_escaped_never_markdown():
    source = (DATA / "plain.txt").read_text(encoding="utf-8")
    result = rendered(source, fmt="text")
    assert "&lt;b&gt;draft&lt;/b&gt;" in result.html
    assert "<b>" not in result.html
    assert "<em>" not in result.html  # *before* stays literal
    assert result.html.count("<li>") == 3
    assert not result.fallback
    assert result.plain_text == (
        "Ministers agreed the <b>draft</b> text & asked for a summary by Friday. "
        "Points raised: funding for rural clinics staff training *before* launch "
        "a review after six months Next meeting: 3 March."
    )


@pytest.mark.parametrize(
    "source",
    [
        (DATA / "plain.txt").read_text(encoding="utf-8"),
        (DATA / "rich.md").read_text(encoding="utf-8"),
        "a &amp; b &lt;i&gt; <i>x</i>\r\n- y\r\n\r\n\t• z\n*  w\n-x\n\n\n",
        "Cafe\u0301 \u00a0 \u2028 end\x0b\x0c",
        "",
        "   \n\n  ",
        "- \n• \n* ",
    ],
)
def test_text_plain_shortcut_agrees_with_its_html(source):
    assert render._text_plain(source) == render.plain_text_of_html(render._text_to_html(source))


def test_text_brief_keeps_line_breaks_and_script_text_inert():
    result = rendered("line one\nline two\n\n<script>alert(1)</script>", fmt="text")
    assert "line one<br>line two" in result.html
    assert "<script" not in result.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.html


# ---------------------------------------------------------------------------
# Pathological input (DESIGN.md): comes back quickly, defused or as plain text
# ---------------------------------------------------------------------------


def test_brackets_8000_are_defused():
    result = rendered("[" * 8000, time_limit=10)
    assert not result.fallback
    assert result.plain_text == "[" * 8000


def test_nested_list_500_deep_is_capped():
    source = "\n".join("    " * i + f"- item{i}" for i in range(500))
    result = rendered(source)
    assert not result.fallback
    assert list_depth(result.html) <= render.MAX_LIST_DEPTH
    assert "item0" in result.plain_text and "item499" in result.plain_text


def test_nested_tables_20_deep_are_flattened():
    source = "<table><tr><td>" * 20 + "core" + "</td></tr></table>" * 20
    result = rendered(source)
    assert structure(result.html).max_depth["table"] <= render.MAX_TABLE_DEPTH
    assert result.plain_text == "core"


@pytest.mark.parametrize(
    "source",
    [
        "[a][" * 4000,
        "[a](b" * 4000,
        "![" * 4000,
        "[^" * 4000,
        "<a " * 4000,
        "\n".join(["["] * 4000),
        "- > " * 1000 + "x",
        ">" * 1000 + " deep",
        "\n".join("\t" * i + "- x" for i in range(500)),
        "\n".join("  " * i + "1. x" for i in range(500)),
        "<div>" * 5000 + "x",
        "<em>" * 5000 + "x",
        "<ul><li>" * 500 + "x",
        "<blockquote>" * 500 + "x",
        "*_" * 4000,
        "`" * 8000,
        "``a`" * 4000,
        "```a\nx\n" * 4000,
        "a\n=\n" * 5000,
        "# h\n" * 5000,
        "x\n---\n" * 5000,
        "\n".join("> " + "    " * i + "- x" for i in range(500)),
        "\n".join("> " * (i % 50) + "    " * i + "- x" for i in range(300)),
    ],
    ids=lambda s: repr(s[:12]),
)
def test_other_hostile_inputs_stay_bounded(source):
    # undefused, several of these take 5-12 s; defused, well under 0.5 s
    result = rendered(source, time_limit=10)
    shape = structure(result.html)
    assert list_depth(result.html) <= render.MAX_LIST_DEPTH
    assert shape.max_depth.get("blockquote", 0) <= render.MAX_QUOTE_DEPTH
    assert shape.max_depth.get("table", 0) <= render.MAX_TABLE_DEPTH
    assert len(shape.open) == 0
    # quadratic inputs are defused, not merely cut off by the time box
    assert result.notice != render.NOTICE_SLOW


def test_defuse_leaves_ordinary_markdown_alone():
    source = (DATA / "rich.md").read_text(encoding="utf-8")
    assert render.defuse_markdown(source) == source


def test_defuse_unhooks_unclosed_fences_only():
    source = "```py\n[x\n```\n```a\nstill text\n~~~\n"
    assert render.defuse_markdown(source) == "```py\n[x\n```\n ```a\nstill text\n ~~~\n"
    html = rendered(source).html
    assert html.count("<pre>") == 1 and "still text" in html


def test_defuse_escapes_backtick_floods_only():
    few = "`a` and ``b`` " * 10
    assert render.defuse_markdown(few) == few
    flood = render.defuse_markdown("``a`" * 200)
    assert flood.startswith("\\`\\`a\\`")
    assert rendered("``a`" * 200).plain_text == "``a`" * 200


def test_defuse_ends_block_after_heading_lines():
    assert render.defuse_markdown("T\n===\nnext\n# h\ntext") == "T\n===\n\nnext\n# h\n\ntext"
    html = rendered("Sub\n---\nbody\n#### Deep\nmore").html
    assert "<h2>Sub</h2>" in html and "<h4>Deep</h4>" in html and "<p>more</p>" in html


def test_defuse_skips_fenced_code():
    fenced = "```\n" + "[" * 100 + "\n" + " " * 80 + "deep\n```"
    assert render.defuse_markdown(fenced) == fenced
    outside = render.defuse_markdown("[" * 100)
    assert outside == "\\[" * 100


# ---------------------------------------------------------------------------
# Time box and fallbacks
# ---------------------------------------------------------------------------


def test_time_box_returns_plain_text_and_stops_the_worker(monkeypatch):
    render._warm_up()  # (Markdown's first run is in the calling thread)
    workers: list[threading.Thread] = []

    def spin(source: str, scope: str) -> str:
        workers.append(threading.current_thread())
        # bounded, so a failed cancel cannot burn CPU for the rest of the run
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
        return "<p>late</p>"

    monkeypatch.setattr(render, "_markdown_to_html", spin)
    result = rendered("para *one*\n\n- bullet <b>", time_limit=0.2)
    assert result.fallback
    assert result.notice == render.NOTICE_SLOW
    assert "late" not in result.html
    assert "&lt;b&gt;" in result.html
    assert result.plain_text == "para *one* bullet <b>"
    assert len(workers) == 1 and workers[0] is not threading.main_thread()
    workers[0].join(10)  # cancelled, it ends long before the 30 s spin would
    assert not workers[0].is_alive()


def _threads_formatting(monkeypatch) -> list[threading.Thread]:
    """The threads Markdown runs in from now on, one entry a section formatted."""
    seen: list[threading.Thread] = []
    real = render._markdown_to_html

    def recorded(source: str, scope: str) -> str:
        seen.append(threading.current_thread())
        return real(source, scope)

    monkeypatch.setattr(render, "_markdown_to_html", recorded)
    return seen


def test_one_worker_formats_one_section_after_another(monkeypatch):
    seen = _threads_formatting(monkeypatch)
    for i in range(5):
        assert not rendered(f"para *{i}*").fallback
    assert len(set(seen)) == 1 and seen[0] is not threading.main_thread()


def test_a_worker_that_overran_is_not_given_the_next_section(monkeypatch):
    real = render._markdown_to_html
    assert not rendered("before *a*").fallback

    overran: list[threading.Thread] = []

    def spin(source: str, scope: str) -> str:
        overran.append(threading.current_thread())
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
        return real(source, scope)

    monkeypatch.setattr(render, "_markdown_to_html", spin)
    assert rendered("slow *b*", time_limit=0.2).notice == render.NOTICE_SLOW
    monkeypatch.setattr(render, "_markdown_to_html", real)
    seen = _threads_formatting(monkeypatch)
    assert not rendered("after *c*").fallback
    assert seen[0] is not overran[0] and seen[0].name == "briefreader-render"
    overran[0].join(10)
    assert not overran[0].is_alive()  # the cancelled one ended


def test_each_thread_formats_on_its_own_worker_which_ends_when_idle(monkeypatch):
    monkeypatch.setattr(timebox, "IDLE_SECONDS", 0.05)
    seen = _threads_formatting(monkeypatch)
    other = threading.Thread(target=lambda: rendered("from *a worker*"))
    other.start()
    other.join(10)
    assert not rendered("from *here*").fallback
    assert len(set(seen)) == 2
    for worker in set(seen):
        worker.join(5)
        assert not worker.is_alive()
    assert not rendered("*again*").fallback  # a new worker when the last one ended


def test_time_box_on_real_slow_input():
    # 40,000 entities take Python-Markdown ~15 s (quadratic in inline matches)
    result = rendered("&amp;" * 40_000, time_limit=0.5)
    assert result.fallback and result.notice == render.NOTICE_SLOW
    assert result.plain_text == "&amp;" * 40_000


@pytest.mark.slow
def test_cancelling_at_random_moments_leaves_no_damage():
    source = (DATA / "rich.md").read_text(encoding="utf-8")
    failures: list[object] = []
    previous_hook = threading.excepthook
    threading.excepthook = failures.append
    try:
        outcomes = set()
        for i in range(400):
            # limits around the render time, so cancels land all through the work
            body, notice = render._time_boxed(f"{source}\n\n{i}", "x", 0.0002 * (i % 30))
            outcomes.add(notice)
            assert body is not None or notice == render.NOTICE_SLOW
    finally:
        threading.excepthook = previous_hook
    assert not failures
    assert outcomes == {"", render.NOTICE_SLOW}
    for worker in [t for t in threading.enumerate() if t.name == "briefreader-render"]:
        worker.join(10)
        assert not worker.is_alive()
    # nothing half-imported or half-built is left behind
    assert not rendered(source).fallback


def test_recursion_error_falls_back(monkeypatch):
    def boom(source: str, scope: str) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(render, "_markdown_to_html", boom)
    result = rendered("text")
    assert result.fallback and result.notice == render.NOTICE_DEEP
    assert result.plain_text == "text"


def test_unexpected_error_falls_back(monkeypatch, caplog):
    def boom(source: str, scope: str) -> str:
        raise ValueError("bug")

    monkeypatch.setattr(render, "_markdown_to_html", boom)
    result = rendered("text")
    assert result.fallback and result.notice == render.NOTICE_ERROR
    assert "could not format" in caplog.text


def test_huge_section_goes_straight_to_plain_text(monkeypatch):
    monkeypatch.setattr(render, "MAX_MARKDOWN_CHARS", 100)
    result = rendered("*word* " * 50)
    assert result.fallback and result.notice == render.NOTICE_LARGE
    assert "<em>" not in result.html


def test_cache_returns_same_object():
    section = make_section("cached *text*")
    brief = make_brief(section)
    first = render.render_section(brief, section)
    assert render.render_section(brief, section) is first
    changed = make_section("cached *text* changed")
    assert render.render_section(brief, changed) is not first
    other_brief = make_brief(section, content_hash="other")
    assert render.render_section(other_brief, section).html == first.html


# ---------------------------------------------------------------------------
# Notes and comments
# ---------------------------------------------------------------------------


def test_markdown_fragment_for_notes():
    html = render.render_markdown_fragment("A *note*[^1] <script>x()</script>\n\n[^1]: why")
    assert "<em>note</em>" in html
    assert "<script" not in html
    assert 'id="fn:note:1"' in html
    assert render.render_markdown_fragment("[" * 8000).count("[") == 8000


@pytest.mark.parametrize("text", [
    "One line.", "one\nline\n\nnext paragraph", "  padded\n\n\n  three blank lines",
    "Costs rise by 3 per cent; see annex (page 4), \"table\" 2 — ok?", "émoji 🌊 and ünïcode",
    "one\n  two", "plain\r\ntext", "a\n\xa0\nb",
])
def test_a_note_without_markdown_is_made_as_markdown_makes_it_without_a_worker(
    text, monkeypatch
):
    expected = render._render_fragment(text, 2.0)
    render._render_fragment.cache_clear()

    def no_worker(*args, **kwargs):
        raise AssertionError("a worker thread was started for text without Markdown")

    monkeypatch.setattr(render, "run_time_boxed", no_worker)
    assert render.render_markdown_fragment(text) == expected


@pytest.mark.parametrize("text", [
    "a hard  \nbreak", "a hard  \r\nbreak", "Title\r===", "Call Bob\n{urgent}",
    "line one\x0bline two", "one\n\x0c\ntwo",  # (Word's manual line break; a form feed)
])
def test_what_markdown_makes_more_of_than_paragraphs_is_markdown(text):
    assert render.needs_markdown(text)


# ---------------------------------------------------------------------------
# Link policy
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, kind, target",
    [
        ("#background", "anchor", "background"),
        ("#fn:sec:1", "anchor", "fn:sec:1"),
        ("#caf%C3%A9", "anchor", "café"),
        ("#", "ignore", "#"),
        ("https://example.org/a?b=1", "external", "https://example.org/a?b=1"),
        ("HTTP://Example.org", "external", "HTTP://Example.org"),
        ("mailto:desk@example.org", "external", "mailto:desk@example.org"),
        ("javascript:alert(1)", "ignore", "javascript:alert(1)"),
        ("java\tscript:alert(1)", "ignore", "java\tscript:alert(1)"),
        ("file:///etc/passwd", "ignore", "file:///etc/passwd"),
        ("other.md", "ignore", "other.md"),
        ("/etc/passwd", "ignore", "/etc/passwd"),
        ("ftp://example.org/x", "ignore", "ftp://example.org/x"),
        ("data:text/html,<b>", "ignore", "data:text/html,<b>"),
        ("http:no-host", "ignore", "http:no-host"),
        ("mailto:", "ignore", "mailto:"),
        # Control characters go; spaces stay where they were and are never squeezed out.
        ("https://exam\x00ple.org/\x7fa\nb", "external", "https://example.org/ab"),
        ("java script:alert(1)", "ignore", "java script:alert(1)"),
        ("https://exa mple.org/a", "ignore", "https://exa mple.org/a"),
        ("https://good.example @evil.example/", "ignore", "https://good.example @evil.example/"),
        ("https://example.org:80 80/", "ignore", "https://example.org:80 80/"),
        ("https://example.org/my file.pdf", "external", "https://example.org/my%20file.pdf"),
        ("https://example.org/a?q=two words#see this", "external",
         "https://example.org/a?q=two%20words#see%20this"),
        ("mailto:desk@example.org?subject=Hello there", "external",
         "mailto:desk@example.org?subject=Hello%20there"),
        ("  https://example.org/a  ", "external", "https://example.org/a"),
    ],
)
def test_classify_link(url, kind, target):
    assert resource_policy.classify_link(url) == resource_policy.LinkAction(kind, target)


def test_classify_link_keeps_a_spaced_path_as_qt_hands_it_over():
    from PySide6.QtCore import QUrl

    clicked = QUrl("https://example.org/annual report.pdf")  # the reader's href, as Qt parses it
    action = resource_policy.classify_link(clicked.toString())
    assert action == resource_policy.LinkAction(
        "external", "https://example.org/annual%20report.pdf"
    )
    # What the window opens is the very URL that was clicked: same host, same path.
    opened = QUrl(action.target)
    assert opened == clicked
    assert (opened.host(), opened.path()) == ("example.org", "/annual report.pdf")


# ---------------------------------------------------------------------------
# Resource policy
# ---------------------------------------------------------------------------


def test_placeholder_is_a_valid_png():
    data = resource_policy.PLACEHOLDER_PNG
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos = 8
    kinds = []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc
        kinds.append(kind)
        if kind == b"IHDR":
            assert struct.unpack(">II", body[:8]) == (16, 16)
        if kind == b"IDAT":
            assert len(zlib.decompress(body)) == 16 * 17
        pos += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]


@pytest.fixture
def brief_dir(tmp_path: Path) -> Path:
    base = tmp_path / "brief"
    (base / "maps").mkdir(parents=True)
    (base / "maps" / "map.png").write_bytes(PNG_1X1)
    (base / "photo one.png").write_bytes(PNG_1X1)
    (base / "notes.txt").write_text("not an image")
    (base / "chart.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="x"></svg>')
    (tmp_path / "outside.png").write_bytes(PNG_1X1)
    return base


@pytest.mark.parametrize(
    "url",
    [
        "maps/map.png",
        "./maps/map.png",
        "maps/../maps/map.png",
        "photo%20one.png",
        "maps/map.png?v=2#top",
    ],
)
def test_resource_inside_folder_is_loaded(brief_dir, url):
    resource = resource_policy.resolve_resource(brief_dir, url)
    assert resource.kind == "image"
    assert resource.data == (brief_dir / url.split("?")[0].replace("%20", " ")).read_bytes()


def test_file_url_inside_folder_is_loaded(brief_dir):
    url = (brief_dir / "maps" / "map.png").as_uri()
    assert resource_policy.resolve_resource(brief_dir, url).kind == "image"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x.png",
        "http://127.0.0.1/x.png",
        "ftp://example.org/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "//example.org/x.png",
        "../outside.png",
        "maps/../../outside.png",
        "..%2Foutside.png",
        "missing.png",
        "maps",
        ".",
        "",
        "notes.txt",
        "chart.svg",
        "C:/Windows/x.png",
        "maps/map.png\x00.txt",
        "file://server/share/x.png",
    ],
)
def test_resource_refused(brief_dir, url):
    resource = resource_policy.resolve_resource(brief_dir, url)
    assert resource == resource_policy.Resource("placeholder", resource_policy.PLACEHOLDER_PNG)


def test_absolute_paths_refused_even_inside_folder(brief_dir):
    inside = brief_dir / "maps" / "map.png"
    assert resource_policy.resolve_resource(brief_dir, str(inside)).kind == "placeholder"
    outside = (brief_dir.parent / "outside.png").as_uri()
    assert resource_policy.resolve_resource(brief_dir, outside).kind == "placeholder"


def test_symlinks_are_judged_by_their_target(brief_dir):
    (brief_dir / "etc").symlink_to("/etc")
    (brief_dir / "out.png").symlink_to(brief_dir.parent / "outside.png")
    (brief_dir / "zero.png").symlink_to("/dev/zero")
    (brief_dir / "alias.png").symlink_to(brief_dir / "maps" / "map.png")
    (brief_dir / "loop.png").symlink_to(brief_dir / "loop.png")
    assert resource_policy.resolve_resource(brief_dir, "etc/hostname").kind == "placeholder"
    assert resource_policy.resolve_resource(brief_dir, "out.png").kind == "placeholder"
    assert resource_policy.resolve_resource(brief_dir, "zero.png").kind == "placeholder"
    assert resource_policy.resolve_resource(brief_dir, "loop.png").kind == "placeholder"
    assert resource_policy.resolve_resource(brief_dir, "alias.png").kind == "image"


def test_device_file_refused_without_reading():
    # inside the "folder" /dev, so only the regular-file check stands in the way
    assert resource_policy.resolve_resource(Path("/dev"), "zero").kind == "placeholder"


def test_fifo_refused_without_opening(brief_dir, monkeypatch):
    fifo = brief_dir / "pipe.png"
    os.mkfifo(fifo)
    opened: list[str] = []
    real_open = os.open

    def spy(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    assert resource_policy.resolve_resource(brief_dir, "pipe.png").kind == "placeholder"
    assert str(fifo) not in opened


def test_size_limit(brief_dir):
    big = brief_dir / "big.png"
    big.write_bytes(PNG_1X1 + b"\0" * 5000)
    small_limit = resource_policy.resolve_resource(brief_dir, "big.png", max_bytes=1000)
    assert small_limit.kind == "placeholder"
    assert resource_policy.resolve_resource(brief_dir, "big.png", max_bytes=10_000).kind == "image"


def test_no_base_dir_means_placeholder(brief_dir):
    assert resource_policy.resolve_resource(None, "maps/map.png").kind == "placeholder"


# ---------------------------------------------------------------------------
# Against Qt: the text QTextDocument shows is the text we anchor to
# ---------------------------------------------------------------------------


def _qt_document(html: str, qapp):
    # QTextDocument needs a QGuiApplication (for fonts): without one, setHtml segfaults.
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setDefaultStyleSheet(render.stylesheet(False))
    doc.setHtml(html)
    return doc


def _qt_text(doc) -> str:
    return normalise_text(doc.toPlainText().replace("\ufffc", ""))


@pytest.mark.parametrize(
    "source, fmt",
    [
        ((DATA / "rich.md").read_text(encoding="utf-8"), "markdown"),
        ((DATA / "plain.txt").read_text(encoding="utf-8"), "text"),
        ("<table><tr><td>" * 20 + "core" + "</td></tr></table>" * 20, "markdown"),
        ("\n".join("    " * i + f"- item{i}" for i in range(20)), "markdown"),
        ("Term\n\n<dl><dt>A</dt><dd>alpha</dd></dl>\n\nx<sup>2</sup> <kbd>Ctrl</kbd>", "markdown"),
    ],
    ids=["rich", "text", "tables", "lists", "inline"],
)
def test_plain_text_matches_qt_document(qapp, source, fmt):
    section = make_section(source, title="Heading <one>")
    result = render.render_section(make_brief(section, fmt=fmt), section)
    doc = _qt_document(result.html, qapp)
    # the document starts with the heading; plain_text is the body after it
    assert _qt_text(doc) == normalise_text("Heading <one>") + " " + result.plain_text


@pytest.mark.parametrize(
    "fragment",
    [
        "<p>a</p><hr><p>b</p>",
        "<blockquote><blockquote><p>x</p></blockquote>y</blockquote>",
        "<pre>\nline1\n  line2</pre>",
        "<dl><dt>t</dt><dd>d</dd></dl>",
        "<p>end<br></p><p>next</p>",
        "<p><q>quoted</q> <abbr title='x'>AB</abbr> H<sub>2</sub>O</p>",
        "<ul><li><p>para in li</p></li><li>plain</li></ul>",
        "<table><caption>cap</caption><tr><th>h</th></tr></table>",
        "<p>a <span> b </span> c</p>",
        "text<div>block</div>tail",
        "<div><div>a</div>b</div>c",
        "<section>s</section>t<center>c</center>",
        "<p>x&nbsp;&nbsp;y \u2028ls</p>",
        "<p>a<img src='x.png'>b <img src='y.png'> c</p>",
        "<pre><code>x &lt; y\n\n\nz</code></pre>",
        "<ins>ins</ins><del>del</del><s>s</s><mark>m</mark>",
        "<td>orphan cell</td><li>orphan li</li>",
    ],
)
def test_plain_text_of_html_matches_qt(qapp, fragment):
    clean = render.sanitise_html(fragment)
    assert _qt_text(_qt_document(clean, qapp)) == render.plain_text_of_html(clean)


def test_qt_sees_heading_and_footnote_anchors(qapp):
    section = make_section("Text[^a].\n\n[^a]: Note.", id="water")
    doc = _qt_document(render.render_section(make_brief(section), section).html, qapp)
    names: set[str] = set()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            names.update(it.fragment().charFormat().anchorNames())
            it += 1
        block = block.next()
    assert {"water", "fn:water:a", "fnref:water:a"} <= names


def test_stylesheets_parse_in_qt(qapp):
    light, dark = render.stylesheet(False), render.stylesheet(True)
    assert dark.startswith(light) and len(dark) > len(light)
    for css in (light, dark):
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setDefaultStyleSheet(css)
        doc.setHtml("<p>body <code>c</code></p><blockquote><p>q</p></blockquote>")
        para = doc.begin()
        assert para.blockFormat().lineHeight() == 140
        quote = para.next()
        assert quote.blockFormat().leftMargin() > 0


def test_quotes_footnotes_and_links_are_legible_on_the_page_in_both_themes(qapp):
    """Muted text of the brief (a quotation, the footnotes) and links stand at 4.5:1 or
    more against the page of each theme: they are read, not skimmed past."""
    from PySide6.QtGui import QPalette, QTextDocument
    from PySide6.QtWidgets import QStyleFactory

    from briefreader.ui import theme
    from contrast import contrast

    pages = {False: QStyleFactory.create("Fusion").standardPalette(),
             True: theme._dark_palette()}
    for dark, palette in pages.items():
        page = palette.color(QPalette.ColorRole.Base)
        doc = QTextDocument()
        doc.setDefaultStyleSheet(render.stylesheet(dark))
        doc.setHtml('<blockquote><p>quoted</p></blockquote>'
                    '<div class="footnote"><p>noted</p></div><p><a href="#x">linked</a></p>')
        seen = {}
        block = doc.begin()
        while block.isValid():
            if block.text():
                fmt = block.begin().fragment().charFormat()
                seen[block.text()] = fmt.foreground().color()
            block = block.next()
        assert set(seen) == {"quoted", "noted", "linked"}
        for text, colour in seen.items():
            assert contrast(colour, page) >= 4.5, (dark, text, colour.name())


def test_placeholder_loads_in_qt(qapp):
    from PySide6.QtGui import QImage

    image = QImage()
    assert image.loadFromData(resource_policy.PLACEHOLDER_PNG)
    assert (image.width(), image.height()) == (16, 16)


def test_text_brief_plain_text_drops_object_characters_like_the_reader():
    from briefreader.brief import Brief, Section
    from briefreader.render import plain_text_of_html, render_section

    section = Section("s", "S", 1, None, 0, "Ports \ufffc reopened.\n\n- one \ufffc item")
    brief = Brief("T", (section,), "text", "h-object-char")
    rendered = render_section(brief, section)
    body = rendered.html.split("\n", 1)[1]
    assert rendered.plain_text == plain_text_of_html(body) == "Ports reopened. one item"


def test_a_section_wanted_by_several_threads_at_once_is_rendered_once(monkeypatch):
    import threading
    import time
    from functools import lru_cache

    from briefreader.parse import parse_markdown

    calls = []
    real = render._render_section.__wrapped__

    @lru_cache(maxsize=64)
    def counted(*key):
        calls.append(key[1].id)
        time.sleep(0.05)  # long enough for the other threads to ask meanwhile
        return real(*key)

    monkeypatch.setattr(render, "_render_section", counted)
    brief = parse_markdown("# One\n\nFirst part.\n\n# Two\n\nSecond part.\n", name="t.md",
                           content_hash="h-single-flight")
    out = []
    threads = [threading.Thread(target=lambda: out.append(
        [render.render_section(brief, s).plain_text for s in brief.sections]))
        for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 3 and out[0] == out[1] == out[2]
    assert "Second part." in out[0][1]
    assert sorted(calls) == sorted(s.id for s in brief.sections)  # each once


def test_a_new_version_renders_again_only_the_sections_it_changed(monkeypatch):
    from briefreader.parse import parse_markdown

    render.clear_cache()
    rendered = []
    real = render._time_boxed

    def counted(source, scope, time_limit):
        rendered.append(scope)
        return real(source, scope, time_limit)

    monkeypatch.setattr(render, "_time_boxed", counted)
    text = "# One\n\nFirst part.\n\n# Two\n\nSecond *part*.\n\n# Three\n\nThird part.\n"
    old = parse_markdown(text, name="t.md", content_hash="version-1")
    assert [render.section_plain_text(old, s) for s in old.sections] == [
        "First part.", "Second part.", "Third part."]
    assert rendered == ["one", "two", "three"]
    rendered.clear()
    new = parse_markdown(
        text.replace("# One\n\nFirst part.", "# Zero\n\nA new part.\n\n# One\n\nFirst, edited."),
        name="t.md", content_hash="version-2")
    assert [render.section_plain_text(new, s) for s in new.sections] == [
        "A new part.", "First, edited.", "Second part.", "Third part."]
    # Two and Three come later now, but read as before: they are not rendered again.
    assert rendered == ["zero", "one"]
    assert render.render_section(new, new.sections[2]).html == render.render_section(
        old, old.sections[1]).html


class _Kept:
    """A TextStore in memory."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.asked: list[list[str]] = []

    def get_many(self, keys):
        keys = list(keys)
        self.asked.append(keys)
        return {k: self.texts[k] for k in keys if k in self.texts}

    def put_many(self, texts):
        self.texts.update(texts)


def test_plain_texts_kept_from_before_are_not_rendered_again(monkeypatch):
    # As in a new session: the memoised renderings are gone, the kept texts are not.
    from briefreader.parse import parse_markdown

    text = "# One\n\nFirst part.\n\n# Two\n\nSecond *part*.\n\n# Three\n\nThird part.\n"
    old = parse_markdown(text, name="t.md", content_hash="version-1")
    kept = _Kept()
    render.clear_cache()
    assert render.plain_texts(old, kept) == ["First part.", "Second part.", "Third part."]
    assert len(kept.texts) == 3
    rendered = []
    real = render._time_boxed
    monkeypatch.setattr(render, "_time_boxed",
                        lambda source, scope, limit: rendered.append(scope)
                        or real(source, scope, limit))  # fmt: skip
    render.clear_cache()
    new = parse_markdown(text.replace("Third part.", "Third, edited."), name="t.md",
                         content_hash="version-2")
    assert render.plain_texts(new, kept) == ["First part.", "Second part.", "Third, edited."]
    assert rendered == ["three"]
    # The same text under another id, or read as plain text, is another key.
    renamed = parse_markdown(text.replace("# One", "# Uno"), name="t.md", content_hash="3")
    assert render.text_key(renamed, renamed.sections[0]) != render.text_key(old, old.sections[0])
    assert render.text_key(new, new.sections[0]) == render.text_key(old, old.sections[0])
    as_text = Brief(title="t", sections=old.sections, format="text", content_hash="4")
    assert render.text_key(as_text, old.sections[0]) != render.text_key(old, old.sections[0])


def test_a_section_shown_as_text_for_lack_of_time_is_not_kept(monkeypatch):
    from briefreader.parse import parse_markdown

    render.clear_cache()
    monkeypatch.setattr(render, "_time_boxed", lambda source, scope, limit: (None, "too slow"))
    brief = parse_markdown("# One\n\nFirst *part*.\n", name="t.md", content_hash="slow")
    kept = _Kept()
    assert render.plain_texts(brief, kept) == ["First *part*."]
    assert kept.texts == {}
    render.clear_cache()


def test_a_section_that_came_close_to_its_time_limit_is_not_kept(monkeypatch):
    # On a busier machine the reader's render of it may run out of time and show it as
    # text: the notes must then read what the reader shows, not a text kept from before.
    from briefreader.parse import parse_markdown

    render.clear_cache()
    real = render._time_boxed

    def slow(source, scope, limit):
        time.sleep(render._KEEP_BELOW * render.RENDER_TIME_LIMIT + 0.05)
        return real(source, scope, limit)

    monkeypatch.setattr(render, "_time_boxed", slow)
    brief = parse_markdown("# One\n\nFirst *part*.\n", name="t.md", content_hash="close")
    kept = _Kept()
    assert render.plain_texts(brief, kept) == ["First part."]
    assert kept.texts == {}
    render.clear_cache()


def test_a_section_the_reader_shows_as_text_for_lack_of_time_is_read_so_by_the_notes(
    monkeypatch
):
    from briefreader.parse import parse_markdown

    brief = parse_markdown("# One\n\nFirst *part*.\n", name="t.md", content_hash="busy")
    kept = _Kept()
    render.clear_cache()
    assert render.plain_texts(brief, kept) == ["First part."]  # kept, a quiet session
    render.clear_cache()  # a new session on a busy machine: the reader runs out of time
    monkeypatch.setattr(render, "_time_boxed", lambda source, scope, limit: (None, "slow"))
    shown = render.render_section(brief, brief.sections[0])
    assert shown.fallback
    assert render.plain_texts(brief, kept) == [shown.plain_text] == ["First *part*."]
    render.clear_cache()
