"""parse: files -> Brief. Sample briefs, messy inputs, encodings, errors, ids."""

from __future__ import annotations

import hashlib
import os
import textwrap
import time
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify_unicode

from briefreader import parse as parse_mod
from briefreader.brief import LEAD_ID, Brief
from briefreader.errors import BriefreaderError
from briefreader.parse import (
    BRIEF_SUFFIXES,
    MAX_BYTES,
    BinaryFileError,
    BriefError,
    EmptyFileError,
    EncodingError,
    TooLargeError,
    UnreadableFileError,
    find_briefs,
    load_brief,
    parse_bytes,
    parse_markdown,
    parse_text,
    same_file,
    slugify,
    version_hash,
)

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "parse"
BRIEFS = HERE.parent / "briefs"

WATER = BRIEFS / "lower-meridian-water-security.md"
GRID = BRIEFS / "winter-grid-resilience-package.txt"
PORT = BRIEFS / "port-of-halvern-cyber-readout.txt"
TRADE = BRIEFS / "digital-trade-chapter-round-four.txt"
HEAT = BRIEFS / "heatwave-preparedness-briefing.md"


def outline(brief: Brief) -> list[tuple[str, str, int, str | None]]:
    return [(s.id, s.title, s.level, s.parent) for s in brief.sections]


def file_line(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` that equals ``text``."""
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


# ---------------------------------------------------------------------------
# The sample library
# ---------------------------------------------------------------------------


def test_sample_library_is_complete():
    assert find_briefs(BRIEFS) == sorted([WATER, GRID, PORT, TRADE, HEAT])
    for path in find_briefs(BRIEFS):
        assert 2_500 <= path.stat().st_size <= 8_192, path.name


def test_markdown_sample_outline_and_front_matter():
    brief = load_brief(WATER)
    assert brief.format == "markdown"
    assert brief.title == "Lower Meridian Basin: Regional Water Security Outlook"
    assert brief.doc_id == "WS-2026-014"
    assert brief.date == "2026-03-02"
    assert brief.metadata == {
        "classification": "OFFICIAL",
        "author": "Basin Analysis Unit, Office for Regional Resilience",
        "tags": ["water", "drought", "infrastructure"],
        "review": {"due": "2026-09-01", "owner": "Deputy Director, Resilience Policy"},
    }
    top = "situation-overview"
    assert outline(brief) == [
        (LEAD_ID, brief.title, 0, None),
        (top, "Situation Overview", 1, None),
        ("supply-and-demand", "Supply and Demand", 2, top),
        ("groundwater-depletion", "Groundwater Depletion", 3, "supply-and-demand"),
        ("reservoir-storage", "Reservoir Storage", 3, "supply-and-demand"),
        ("governance", "Governance", 2, top),
        ("risks", "Risks", 1, None),
        ("drought-scenarios", "Drought Scenarios", 2, "risks"),
        ("infrastructure-condition", "Infrastructure Condition", 2, "risks"),
        ("monitoring-data", "Monitoring Data", 1, None),
        ("options-for-ministers", "Options for Ministers", 1, None),
        ("option-a-demand-restrictions", "Option A: Demand Restrictions", 2,
         "options-for-ministers"),
        ("option-b-emergency-transfers", "Option B: Emergency Transfers", 2,
         "options-for-ministers"),
        ("recommendation", "Our Recommendation", 2, "options-for-ministers"),
    ]  # fmt: skip
    assert [s.ordinal for s in brief.sections] == list(range(len(brief.sections)))


def test_markdown_sample_sources_keep_their_markdown():
    brief = load_brief(WATER)
    lead = brief.section(LEAD_ID)
    assert lead.source.startswith("This brief sets out")
    assert lead.source.endswith("[see the options](#options-for-ministers).")
    assert lead.line == file_line(WATER, lead.source.split("\n")[0])
    # the internal link points at a real section
    assert brief.section("options-for-ministers").title == "Options for Ministers"
    assert "| Desalination and reuse          | 4%" in brief.section("supply-and-demand").source
    groundwater = brief.section("groundwater-depletion").source
    assert "eastern orchards.[^kesh]" in groundwater and "[^kesh]: Provincial" in groundwater
    assert "> We manage the river in three pieces" in brief.section("governance").source
    code = brief.section("monitoring-data").source
    assert "```yaml\n# not a heading: export settings" in code and code.endswith("```")
    # a section's source stops before the next heading, trimmed of blank lines
    assert brief.section("risks").source == (
        "Two risks dominate: a third dry winter, and failures in ageing infrastructure that\n"
        "turn a shortage into an outage."
    )
    written = {  # headings whose Markdown differs from their title
        "option-a-demand-restrictions": "## Option A: *Demand* Restrictions",
        "recommendation": "## Our Recommendation {#recommendation}",
    }
    for s in brief.sections[1:]:
        assert s.line == file_line(WATER, written.get(s.id, "#" * s.level + " " + s.title))


def test_front_matter_is_never_part_of_a_section():
    brief = load_brief(WATER)
    for s in brief.sections:
        assert not s.source.startswith("---")
        for leaked in ("classification", "WS-2026-014", "Deputy Director", "review:", "due:"):
            assert leaked not in s.source, (s.id, leaked)


def test_setext_sample():
    brief = load_brief(HEAT)
    top = "heatwave-preparedness-public-health-briefing"
    assert brief.title == "Heatwave Preparedness: Public Health Briefing"
    assert brief.doc_id is None and brief.metadata == {}
    assert outline(brief) == [
        (top, brief.title, 1, None),
        ("summary", "Summary", 2, top),
        ("health-impacts", "Health Impacts", 2, top),
        ("vulnerable-groups", "Vulnerable Groups", 2, top),
        ("care-homes", "Care Homes", 3, "vulnerable-groups"),
        ("people-sleeping-rough", "People Sleeping Rough", 3, "vulnerable-groups"),
        ("operational-readiness", "Operational Readiness", 2, top),
        ("decisions-for-the-committee", "Decisions for the Committee", 2, top),
    ]
    assert brief.sections[0].line == 1
    assert brief.section("summary").line == file_line(HEAT, "Summary")
    assert brief.sections[0].source.startswith("Prepared by the Health Protection")
    # "---" after a blank line is a thematic break inside the section, not a heading
    readiness = brief.section("operational-readiness").source
    assert "local authorities.\n\n---\n\nThe directorate has tested" in readiness
    assert "* Mortality rises" in brief.section("health-impacts").source


GRID_SECTIONS = [
    "Ministers Back Joint Measures Ahead of the Cold Season",
    "Storage Targets and Reserve Capacity",
    "Cross-Border Interconnector Upgrades",
    "Protecting Critical Grid Infrastructure",
    "Demand Flexibility and Consumer Support",
    "Financing the Package",
    "Reactions From Industry and Consumer Groups",
    "What Happens Next",
]


def test_web_article_sample_has_title_and_exactly_eight_sections():
    """The shape of a brief copied from a news page: title, title repeated, short
    standalone headings, one paragraph per line, boilerplate at the end."""
    brief = load_brief(GRID)
    assert brief.format == "text"
    assert brief.title == "Energy Ministers Agree Winter Grid Resilience Package"
    assert [s.title for s in brief.sections] == GRID_SECTIONS
    assert {s.level for s in brief.sections} == {1}
    assert {s.parent for s in brief.sections} == {None}
    assert brief.sections[0].id == "ministers-back-joint-measures-ahead-of-the-cold-season"
    assert brief.sections[0].line == 5
    storage = brief.section("storage-targets-and-reserve-capacity").source
    assert storage.count("\n\n") == 1 and storage.count("\n") == 2  # two paragraphs
    everything = "\n".join(s.source for s in brief.sections)
    assert brief.title not in everything
    assert "Share this article" not in everything and "Leave a Comment" not in everything


@pytest.mark.parametrize("variant", ["no-blank-lines", "crlf", "hard-wrapped", "cr"])
def test_web_article_variants_give_the_same_brief(tmp_path, variant):
    original = load_brief(GRID)
    text = GRID.read_text(encoding="utf-8")
    if variant == "no-blank-lines":
        data = "\n".join(ln for ln in text.split("\n") if ln.strip()).encode()
    elif variant == "crlf":
        data = text.replace("\n", "\r\n").encode()
    elif variant == "cr":
        data = text.replace("\n", "\r").encode()
    else:
        paragraphs = text.strip().split("\n\n")
        data = ("\n\n".join(textwrap.fill(p, 72) for p in paragraphs) + "\n").encode()
    path = tmp_path / GRID.name
    path.write_bytes(data)
    brief = load_brief(path)
    assert brief.title == original.title
    assert [(s.id, s.level, s.source) for s in brief.sections] == [
        (s.id, s.level, s.source) for s in original.sections
    ]


def test_hard_wrapped_numbered_sample():
    brief = load_brief(PORT)
    assert brief.title == "Readout: Cyber Incident Coordination Call, Port of Halvern"
    assert outline(brief) == [
        (LEAD_ID, brief.title, 0, None),
        ("1-purpose-of-the-call", "1. Purpose of the Call", 1, None),
        ("2-incident-summary", "2. Incident Summary", 1, None),
        ("21-timeline", "2.1 Timeline", 2, "2-incident-summary"),
        ("22-systems-affected", "2.2 Systems Affected", 2, "2-incident-summary"),
        ("23-current-status", "2.3 Current Status", 2, "2-incident-summary"),
        ("3-impact-assessment", "3. Impact Assessment", 1, None),
        ("31-freight-and-logistics", "3.1 Freight and Logistics", 2, "3-impact-assessment"),
        ("32-data-exposure", "3.2 Data Exposure", 2, "3-impact-assessment"),
        ("4-actions-agreed", "4. Actions Agreed", 1, None),
        ("5-public-lines", "5. Public Lines", 1, None),
        ("6-next-call", "6. Next Call", 1, None),
    ]
    # short lines written one under another keep their breaks
    assert brief.section(LEAD_ID).source == (
        "Date of call: 9 April 2026, 08:30 to 09:15\n"
        "Chair: National Cyber Coordination Centre (NCCC)\n"
        "Handling: OFFICIAL-SENSITIVE, named recipients only"
    )
    assert brief.section(LEAD_ID).line == 3
    # hard-wrapped lines join into one paragraph, with single spaces
    purpose = brief.section("1-purpose-of-the-call").source
    assert "\n" not in purpose and "  " not in purpose
    assert "afternoon press briefing. Representatives of the port authority" in purpose
    # bullets: one per line, wrapped continuation lines joined to their bullet
    systems = brief.section("22-systems-affected").source.split("\n")
    assert len(systems) == 4 and all(line.startswith("- ") for line in systems)
    assert systems[0].endswith("vessel stowage. Unavailable since 03:30.")
    actions = brief.section("4-actions-agreed").source.split("\n")
    assert len(actions) == 5 and all(line.startswith("* ") for line in actions)
    assert brief.section("2-incident-summary").source == ""
    assert brief.section("21-timeline").line == file_line(PORT, "2.1 Timeline")


def test_all_caps_sample_with_title_case_subheadings():
    brief = load_brief(TRADE)
    assert brief.title == "Preparatory Note: Digital Trade Chapter, Negotiating Round Four"
    assert outline(brief) == [
        (LEAD_ID, brief.title, 0, None),
        ("purpose", "PURPOSE", 1, None),
        ("background", "BACKGROUND", 1, None),
        ("progress-in-earlier-rounds", "Progress in Earlier Rounds", 2, "background"),
        ("partner-priorities", "Partner Priorities", 2, "background"),
        ("key-issues", "KEY ISSUES", 1, None),
        ("cross-border-data-flows", "Cross-Border Data Flows", 2, "key-issues"),
        ("source-code-protection", "Source Code Protection", 2, "key-issues"),
        ("electronic-signatures-and-trust-services", "Electronic Signatures and Trust Services",
         2, "key-issues"),
        ("our-objectives", "OUR OBJECTIVES", 1, None),
        ("risks-and-mitigations", "RISKS AND MITIGATIONS", 1, None),
        ("next-steps", "NEXT STEPS", 1, None),
    ]  # fmt: skip
    objectives = brief.section("our-objectives").source.split("\n")
    assert objectives[0] == "Our objectives for round four are:"  # ends in ":": body text
    assert len(objectives) == 5 and all(line.startswith("• ") for line in objectives[1:])
    assert objectives[2].endswith("government data carve-out;")
    # a caps heading directly above its paragraph, with no blank line between
    risks = brief.section("risks-and-mitigations")
    assert risks.line == file_line(TRADE, "RISKS AND MITIGATIONS")
    assert risks.source.startswith("The main risk is that the partner links")
    assert risks.source.split("\n\n")[1].startswith("- Risk: the partner's data protection")


# ---------------------------------------------------------------------------
# Plain text: messy inputs
# ---------------------------------------------------------------------------


def test_one_paragraph_per_line_without_blank_lines():
    brief = load_brief(DATA / "one-paragraph-per-line.txt")
    assert brief.title == "Coastal Shipping Lanes Reopen After Storm Closures"
    assert outline(brief) == [
        (LEAD_ID, brief.title, 0, None),
        ("authorities-lift-restrictions-on-northern-routes",
         "Authorities Lift Restrictions on Northern Routes", 1, None),
        ("backlog-at-the-ports", "Backlog at the Ports", 1, None),
        ("what-the-storms-revealed", "What the Storms Revealed", 1, None),
    ]  # fmt: skip
    # byline and dateline are not headings
    assert brief.section(LEAD_ID).source == "By Maren Ostby\n\nPublished 3 February 2026"
    first = brief.section("authorities-lift-restrictions-on-northern-routes").source
    assert first.count("\n\n") == 1 and first.startswith("Maritime authorities lifted")
    assert "Share this" not in brief.sections[-1].source
    assert brief.sections[-1].source.endswith("extended to a second vessel.")


def test_boilerplate_variants_are_dropped():
    brief = load_brief(DATA / "boilerplate-variants.txt")
    assert outline(brief) == [
        (LEAD_ID, "Rural Broadband Rollout Passes Halfway Mark", 0, None),
        ("costs-per-connection-rising", "Costs Per Connection Rising", 1, None),
    ]
    assert brief.section(LEAD_ID).source.startswith("The national rural broadband programme")
    assert "\n" not in brief.section(LEAD_ID).source  # "Advertisement" dropped mid-text
    assert brief.sections[-1].source.endswith("rather than existing ones.")
    assert "\n" not in brief.sections[-1].source


def test_heading_like_lines_without_body():
    brief = load_brief(DATA / "headings-without-body.txt")
    assert outline(brief) == [
        (LEAD_ID, "Annual Review of Inland Waterways", 0, None),
        ("navigation", "Navigation", 1, None),
        ("funding", "Funding", 1, None),
    ]
    # a contents list (a run of heading-like lines) is body text
    assert brief.section(LEAD_ID).source == "Contents\n\nNavigation\n\nMaintenance\n\nFunding"
    # "Maintenance" is followed by another heading, not by body: it is a paragraph
    assert brief.section("navigation").source.endswith("leisure craft.\n\nMaintenance")
    # "Annex A" / "Annex B" at the end have nothing after them: paragraphs, kept
    assert brief.section("funding").source == (
        "Lock gates on the eastern canal were replaced ahead of schedule and under budget."
        "\n\nAnnex A\n\nAnnex B"
    )


def test_short_lines_ending_a_brief_are_kept():
    """A contact line, a signature or a page footer after the last paragraph is the
    brief's own text, not boilerplate: it stays at the end of the last section. Titles
    listed after boilerplate ("Related Posts") still go with it."""
    brief = parse_text(
        "Visit of the Estonian Foreign Minister\n\n"
        "Background\n\n"
        "Estonia spends over 3% of GDP on defence.\n\n"
        "Contact: Desk Officer, Nordic-Baltic Team, ext. 4412\n\n"
        "Jane Whitfield\n\n"
        "Share this\n\n"
        "Related Posts\n\n"
        "Five Things to Know About the Baltic States\n",
        name="visit.txt",
        content_hash="h",
    )
    assert outline(brief) == [("background", "Background", 1, None)]
    assert brief.section("background").source == (
        "Estonia spends over 3% of GDP on defence.\n\n"
        "Contact: Desk Officer, Nordic-Baltic Team, ext. 4412\n\n"
        "Jane Whitfield"
    )


def test_text_without_headings_is_one_lead_section():
    brief = load_brief(DATA / "no-headings.txt")
    assert brief.title == "no headings"  # first line is a sentence: name of the file
    assert outline(brief) == [(LEAD_ID, "no headings", 0, None)]
    paragraphs = brief.sections[0].source.split("\n\n")
    assert len(paragraphs) == 3 and "\n" not in brief.sections[0].source.replace("\n\n", "")
    assert paragraphs[0].startswith("The committee met on Tuesday to consider the draft")
    assert paragraphs[2] == "The next meeting is in May."
    assert brief.sections[0].line == 1


def test_underlined_headings_and_separators():
    brief = load_brief(DATA / "underlined.txt")
    assert brief.title == "MEMORANDUM ON PORT STATE CONTROL"
    assert outline(brief) == [
        ("background", "BACKGROUND", 1, None),
        ("detentions", "Detentions", 2, "background"),
        ("recommendations", "RECOMMENDATIONS", 1, None),
    ]
    assert "* * *" not in brief.section("detentions").source
    assert brief.section("detentions").line == 9


def test_underline_levels_follow_the_order_underlines_appear_in():
    # The title's "=====" is used up by the title: the "-----" sections are level 1,
    # not level 2 with no parent; the "~~~~~" one below them is level 2, and "====="
    # used again is level 1.
    brief = load_brief(DATA / "underline-order.txt")
    assert brief.title == "Reservoir Safety Review"
    assert outline(brief) == [
        (LEAD_ID, "Reservoir Safety Review", 0, None),
        ("upland-reservoirs", "Upland Reservoirs", 1, None),
        ("lowland-reservoirs", "Lowland Reservoirs", 1, None),
        ("eastern-embankment", "Eastern Embankment", 2, "lowland-reservoirs"),
        ("next-steps", "Next Steps", 1, None),
    ]
    # Below an ALL-CAPS heading, "-----" headings stay one level down.
    assert outline(load_brief(DATA / "underlined-under-caps.txt")) == [
        ("outer-channel", "OUTER CHANNEL", 1, None),
        ("northern-edge", "Northern Edge", 2, "outer-channel"),
        ("turning-basin", "Turning Basin", 2, "outer-channel"),
    ]


def test_labelled_lines_are_not_joined_as_wrapped_text():
    # "Recommendation 1: ….", then "Recommendation 2: …": a new line, not a wrapped one,
    # however long the line above; a label's own wrapped text still joins it.
    brief = load_brief(DATA / "labelled-lines.txt")
    assert brief.section("recommendations").source.split("\n") == [
        "Recommendation 1: Give every combined authority the power to franchise.",
        "Recommendation 2: Fund a national ticketing platform that smaller operators"
        " can join at no cost to themselves.",
        "Option A: Franchise the whole network at once from the start of next year.",
        "Option B: Franchise route by route as the current contracts come to an end.",
    ]
    assert "\n" not in brief.section("findings").source


def test_words_broken_at_line_ends_are_joined():
    # "regula-" / "tion": one word, as the brief writes it elsewhere; compounds keep
    # their hyphen ("cross-border", "well-known", "co-operation", "long-term"); a dash
    # between words is not a broken word.
    brief = load_brief(DATA / "hyphen-breaks.txt")
    summary = brief.section("summary").source
    for word in ("embankment regulation are", "long-term repairs", "the cross-border canals",
                 "their well-known aqueducts", "The information returned", "and co-operation",
                 "slow - which the review finds - has"):
        assert word in summary
    assert "- " not in summary.replace(" - ", " ")
    regulation = brief.section("regulation").source
    assert "no long-term plan" in regulation
    assert "to small- and medium-sized contractors" in regulation
    assert "of them UK-based subsidiaries" in regulation


def test_a_heading_directly_above_its_paragraph():
    # "Officers" / "Band 3 officer numbers rose…", no blank line between, in a brief with
    # headings like it: a heading, below the heading with no text of its own above it.
    brief = load_brief(DATA / "run-in-headings.txt")
    assert outline(brief) == [
        ("summary", "Summary", 1, None),
        ("staffing", "Staffing", 1, None),
        ("officers", "Officers", 2, "staffing"),
        ("governors", "Governors", 2, "staffing"),
        ("contact", "Contact", 1, None),
    ]
    assert brief.section("officers").source.startswith("Band 3 officer numbers rose by 4%")
    assert brief.section("officers").line == 10
    # A name above a title and an address is not a heading with its text.
    assert brief.section("contact").source.split("\n")[0] == "Jane Okoro"
    # Under ALL-CAPS headings.
    assert outline(load_brief(DATA / "run-in-under-caps.txt")) == [
        ("steering-brief", "STEERING BRIEF", 1, None),
        ("objectives", "Objectives", 2, "steering-brief"),
        ("bilaterals", "Bilaterals", 2, "steering-brief"),
        ("session-1-food-security", "SESSION 1: FOOD SECURITY", 1, None),
    ]
    # One such line in a brief with no headings like it stays the first line of its
    # paragraph.
    brief = load_brief(DATA / "run-in-alone.txt")
    assert outline(brief) == [(LEAD_ID, "Note for the Record", 0, None)]
    assert brief.sections[0].source.startswith(
        "Meeting with the Harbour Trust\nThe Trust asked for an extension"
    )


def test_an_email_is_titled_from_its_subject():
    brief = load_brief(DATA / "email-reply.txt")
    assert brief.title == "Ferry timetable - lines for Friday"  # no "RE: FW:"
    assert outline(brief) == [
        (LEAD_ID, "Ferry timetable - lines for Friday", 0, None),
        ("top-lines", "Top lines:", 1, None),
        ("background", "Background:", 1, None),
    ]
    # The headers stay, as text of the lead, one to a line.
    assert brief.sections[0].source.split("\n")[:5] == [
        "From: Priya Natarajan <p.natarajan@example.org>",
        "Sent: Thursday, 6 March 2025 08:05",
        "To: Private Office; Press Office; Special Advisers; Communications Directorate;"
        " Policy Unit",
        "Cc: Ferry Services Team",
        "Subject: RE: FW: Ferry timetable - lines for Friday",
    ]


def test_markdown_title_from_a_plain_first_line():
    # A short first line standing alone, above everything else, is the title a reader
    # sees, not the first "# heading" further down; it heads the lead, not its text.
    brief = load_brief(DATA / "plain-first-line.md")
    assert brief.title == "Justice and Home Affairs Council – Steering Note"
    assert outline(brief) == [
        (LEAD_ID, "Justice and Home Affairs Council – Steering Note", 0, None),
        ("lines-to-take", "Lines to take", 1, None),
        ("background", "Background", 2, "lines-to-take"),
    ]
    assert brief.sections[0].source.startswith("Agenda\n\nMigration pact implementation")
    assert brief.sections[0].line == 3
    # A protective marking is not a title; nor is a line that is all there is above
    # the brief's only "# heading".
    assert load_brief(DATA / "marking-above-title.md").title == "Coastal Shipping Levy"
    draft = parse_markdown("DRAFT\n\n# Port Levy\n\n## Costs\n\nText.\n", name="x.md",
                           content_hash="h")
    assert draft.title == "Port Levy" and draft.sections[0].source == "DRAFT"
    # Front matter still gives the title.
    fm = parse_markdown("---\ntitle: Set Title\n---\nFirst Line\n\nText.\n", name="x.md",
                        content_hash="h")
    assert fm.title == "Set Title" and fm.sections[0].source.startswith("First Line")


def test_bylines_dates_and_quotes_are_body_text():
    brief = load_brief(DATA / "bylines-and-dates.txt")
    assert outline(brief) == [
        (LEAD_ID, "Council Approves Coastal Erosion Plan", 0, None),
        ("funding-the-relocation", "Funding the Relocation", 1, None),
    ]
    lead = brief.section(LEAD_ID).source.split("\n\n")
    assert lead[:2] == ["By Ilse Varga and Tomas Brenner", "12 March 2026"]
    assert '"We cannot hold the line everywhere."' in lead


def test_numbered_headings_versus_list_items():
    brief = load_brief(DATA / "numbered-items-not-headings.txt")
    assert outline(brief) == [
        (LEAD_ID, "Procurement Reform Note", 0, None),
        ("1-scope", "1. Scope", 1, None),
        ("2-timing", "2. Timing.", 1, None),  # "0. Definitions." style: a heading
    ]
    assert brief.section(LEAD_ID).source == (
        "The working group recommends the following changes:\n\n"
        "1) raise the threshold for open tenders;\n"
        "2) publish all contract awards within thirty days."
    )
    timing = brief.section("2-timing").source.split("\n\n")
    assert timing[1:] == ["2026", "Key points:", "- Thresholds rise with inflation each year."]


def test_text_heading_levels_from_numbers_and_caps():
    text = "\n\n".join([
        "Levels Test Brief",
        "ANNEX", "Overview of the annex.",
        "1. First", "Body one.",
        "1.2.3 Deep Point", "Body deep.",
        "IV. Roman Numeral Heading", "Body roman.",
        "Plain Heading", "Body plain.",
    ])  # fmt: skip
    brief = parse_text(text, name="levels.txt", content_hash="h")
    # with an ALL-CAPS heading present, numbered and plain headings sit one level below
    assert outline(brief) == [
        ("annex", "ANNEX", 1, None),
        ("1-first", "1. First", 2, "annex"),
        ("123-deep-point", "1.2.3 Deep Point", 4, "1-first"),
        ("iv-roman-numeral-heading", "IV. Roman Numeral Heading", 2, "annex"),
        ("plain-heading", "Plain Heading", 2, "annex"),
    ]
    no_caps = parse_text(text.replace("ANNEX", "Annex"), name="levels.txt", content_hash="h")
    assert [s.level for s in no_caps.sections] == [1, 1, 3, 1, 1]


# ---------------------------------------------------------------------------
# Markdown: messy inputs
# ---------------------------------------------------------------------------


def test_headings_inside_code_and_comments_are_ignored():
    brief = load_brief(DATA / "fenced-code.md")
    assert outline(brief) == [
        ("real-heading", "Real Heading", 1, None),
        ("second-heading", "Second Heading", 2, "real-heading"),
        ("third-heading", "Third Heading", 1, None),
        # an unclosed fence is text (as in Python-Markdown): headings after it count
        ("after-an-unclosed-fence-treated-as-text", "After an unclosed fence (treated as text)",
         1, None),
        ("fourth-heading", "Fourth Heading", 2, "after-an-unclosed-fence-treated-as-text"),
    ]  # fmt: skip
    first = brief.section("real-heading").source
    for inside in (
        "# not a heading (backtick fence)",
        "Not a setext heading either\n---",
        "## not a heading (tilde fence)",
        "# still inside the four-backtick fence",
        "    # indented code, not a heading",
        "# commented out, not a heading",
        "Paragraph text.\n\n---\n\nA thematic break",
        "- list item\n---",
    ):
        assert inside in first, inside
    assert brief.section("second-heading").source.startswith("``` not-a-fence-because")
    assert brief.section("third-heading").line == file_line(
        DATA / "fenced-code.md", "# Third Heading"
    )


def test_inline_markdown_is_removed_from_titles():
    brief = load_brief(DATA / "inline-headings.md")
    assert brief.title == "The parse() Function and Emphasis"
    assert [(s.id, s.title, s.level) for s in brief.sections] == [
        ("the-parse-function-and-emphasis", "The parse() Function and Emphasis", 1),
        ("linked-title-with-strong-text", "Linked Title with strong text", 2),
        ("custom-anchor", "Escaped *stars* & entities", 2),  # {#custom-anchor} names it
        ("snake_case_names-stay-intact", "Snake_case_names stay intact", 2),
        ("chart-image-alt-text", "Chart Image alt text", 3),
        ("c", "C#", 4),
    ]
    assert "#5 is not a heading" in brief.section("chart-image-alt-text").source


def test_setext_edge_cases():
    brief = load_brief(DATA / "setext-edge-cases.md")
    assert outline(brief) == [
        (LEAD_ID, "Heading From Second Line", 0, None),
        ("heading-from-second-line", "Heading From Second Line", 1, None),
        ("final-heading", "Final Heading", 2, "heading-from-second-line"),
    ]
    assert brief.section(LEAD_ID).source == "Intro paragraph line one"
    assert brief.section("heading-from-second-line").line == 2
    body = brief.section("heading-from-second-line").source
    assert "> quoted line\n---" in body and "    indented code\n---" in body
    assert brief.section("final-heading").source == "Closing text."


def test_duplicate_headings_get_numbered_ids():
    brief = load_brief(DATA / "duplicate-headings.md")
    assert [s.id for s in brief.sections] == [
        "findings", "findings-2", "findings-3",
        "scope", "scope-2", "scope-3",  # "Scope 2" took scope-2; the next "Scope" skips it
        "section", "section-2",  # headings with no slug-able text
    ]  # fmt: skip
    assert [s.source for s in brief.sections[:3]] == [
        "First findings.",
        "Second findings.",
        "Third findings.",
    ]
    assert len({s.id for s in brief.sections}) == len(brief.sections)


def test_ids_are_stable_across_parses(tmp_path):
    for path in [*find_briefs(BRIEFS), DATA / "duplicate-headings.md"]:
        assert load_brief(path) == load_brief(path)
    copy = tmp_path / WATER.name
    copy.write_bytes(WATER.read_bytes())
    assert [s.id for s in load_brief(copy).sections] == [s.id for s in load_brief(WATER).sections]


def test_explicit_ids_are_kept_as_written():
    text = "# A {#Custom_Id}\n\n# B {#_lead}\n\n# C {: #x.y .wide}\n"
    brief = parse_markdown(text, name="x.md", content_hash="h")
    assert [(s.id, s.title) for s in brief.sections] == [
        ("Custom_Id", "A"),
        ("lead", "B"),  # never LEAD_ID
        ("xy", "C"),
    ]


def test_no_heading_can_take_the_lead_id():
    brief = parse_markdown("Lead.\n\n# _lead\n\n# Lead\n", name="x.md", content_hash="h")
    assert [s.id for s in brief.sections] == [LEAD_ID, "lead", "lead-2"]


def test_odd_front_matter_keys():
    brief = load_brief(DATA / "odd-front-matter.md")
    assert brief.title == "Port Levy: A Review"
    assert brief.doc_id == "42"
    assert brief.date == "2026-01-05T10:30:00"
    assert brief.metadata == {
        "Title": "capitalised keys are ordinary metadata",
        "reviewer": None,
        "tags": ["ports", "levies"],
        "contacts": {"lead": "Ana Ruiz", "deputy": None},
        "123": "numeric key",
        "summary": "A multi-line\nsummary.\n",
    }
    assert outline(brief) == [("heading-one", "Heading One", 1, None)]
    assert brief.sections[0].line == 17
    assert brief.sections[0].source.startswith("Body text. The word title: appears")


def test_malformed_front_matter_is_a_clear_error():
    with pytest.raises(BriefError) as info:
        load_brief(DATA / "bad-front-matter.md")
    message = str(info.value)
    assert "bad-front-matter.md" in message and "line 4" in message and "YAML" in message
    assert "\n" not in message


def test_rules_around_a_sentence_are_not_front_matter():
    brief = load_brief(DATA / "not-front-matter.md")
    assert brief.metadata == {} and brief.doc_id is None
    assert outline(brief) == [
        ("just-a-sentence-between-two-rules", "Just a sentence between two rules.", 2, None),
    ]
    assert brief.title == "not front matter"


def test_lead_section_only_when_there_is_text_before_the_first_heading():
    with_lead = parse_markdown("Intro.\n\n# A\n\nText.\n", name="a.md", content_hash="h")
    assert [s.id for s in with_lead.sections] == [LEAD_ID, "a"]
    assert with_lead.sections[0].title == "A" and with_lead.sections[0].source == "Intro."
    without = parse_markdown("\n\n# A\n\nText.\n", name="b.md", content_hash="h")
    assert [s.id for s in without.sections] == ["a"]
    only_text = parse_markdown("Just text.\n", name="my_notes-file.md", content_hash="h")
    assert outline(only_text) == [(LEAD_ID, "my notes file", 0, None)]


def test_empty_headings_get_a_placeholder_title():
    brief = parse_markdown("# A\n\n##\n\nx\n", name="e.md", content_hash="h")
    assert [(s.id, s.title) for s in brief.sections] == [
        ("a", "A"),
        ("untitled-section", "Untitled section"),
    ]


# ---------------------------------------------------------------------------
# Encodings and line endings
# ---------------------------------------------------------------------------


def test_crlf_markdown():
    path = DATA / "crlf.md"
    assert b"\r\n" in path.read_bytes()
    brief = load_brief(path)
    assert brief.title == "Flood Defence Funding" and brief.doc_id == "fd-7"
    assert outline(brief) == [
        (LEAD_ID, "Flood Defence Funding", 0, None),
        ("schemes", "Schemes", 1, None),
        ("capital", "Capital", 2, "schemes"),
    ]
    assert [s.line for s in brief.sections] == [6, 8, 12]
    assert all("\r" not in s.source for s in brief.sections)
    assert brief.content_hash == version_hash(hashlib.sha256(path.read_bytes()).hexdigest())


def test_lone_carriage_returns():
    brief = load_brief(DATA / "cr-only.txt")
    assert brief.title == "Harbour Dues Review"
    assert [s.title for s in brief.sections] == ["Harbour Dues Review", "Enforcement"]
    assert brief.sections[1].line == 6
    assert all("\r" not in s.source for s in brief.sections)


def test_utf8_bom_is_dropped():
    path = DATA / "bom.md"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    brief = load_brief(path)
    assert brief.title == "Fisheries Quota Note"  # the front matter was still found
    assert outline(brief) == [("quotas", "Quotas", 1, None)]
    assert brief.sections[0].line == 5
    assert brief.content_hash == version_hash(hashlib.sha256(path.read_bytes()).hexdigest())


def test_utf16_with_bom_is_read():
    brief = load_brief(DATA / "utf16.txt")
    assert brief.title == "Rail Freight Note"
    assert brief.sections[0].source == "Freight volumes rose by 4 per cent."


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(codec):
    text = "Rail Freight Note\n\nVolumes\n\nFreight rose by 4 per cent – café, 🚆, 一.\n"
    brief = parse_bytes(text.encode(codec), name="freight.txt")
    assert brief.title == "Rail Freight Note"
    assert brief.sections[-1].source == "Freight rose by 4 per cent – café, 🚆, 一."


@pytest.mark.parametrize("text", ["Memo\n", "Ενημέρωση\n\nΤα αποθέματα νερού είναι χαμηλά.\n"])
def test_short_or_greek_utf16_without_bom_is_read(text):
    brief = parse_bytes(text.encode("utf-16-le"), name="memo.txt")
    assert text.split("\n")[0] in (brief.title, *(s.source for s in brief.sections))


def test_utf16_cut_short_says_so_and_suggests_no_8_bit_encoding():
    data = "Rail Freight Note\n\nVolumes rose.\n".encode("utf-16-le") + b"\n"
    with pytest.raises(EncodingError) as info:
        parse_bytes(data, name="cut.txt")
    assert "cut short" in str(info.value) and info.value.suggested_encoding is None
    assert "Windows-1252" not in str(info.value)


@pytest.mark.parametrize("data", [
    bytes.fromhex("deda571236b2006a"),  # (a database's checkpoint file)
    bytes(range(256)) * 4,  # NULs every 256 bytes
    b"\x00\x01\x02\x03" * 64,  # NULs on both sides
    ("Looks like text " * 8).encode("utf-16-le")[:40] + b"\x00\x00\x07\x08" * 40,
])
def test_binary_with_nul_bytes_is_not_taken_for_utf16(data):
    with pytest.raises(BinaryFileError):
        parse_bytes(data, name="blob.txt")


@pytest.mark.parametrize("damage, said", [
    (lambda b: b[:20000] + b"\x00\xdc" + b[20000:], "not valid"),  # a lone surrogate
    (lambda b: b + "🚆".encode("utf-16-le")[:2], "cut short"),  # half an emoji at the end
])
def test_utf16_without_bom_damaged_deep_inside_says_how(damage, said):
    data = damage(("Rail Freight Note\n\nVolumes rose by 4 per cent. " * 600)
                  .encode("utf-16-le"))
    with pytest.raises(EncodingError, match=said):
        parse_bytes(data, name="freight.txt")


def test_compiled_python_is_a_binary_file_not_bad_utf16(tmp_path):
    import py_compile
    import random

    r = random.Random(1)
    source = tmp_path / "model.py"
    source.write_text("MODEL = {\n" + "".join(
        "    " + str(i) + ": {" + ", ".join(f"{j}: {r.randrange(4)}" for j in range(60)) + "},\n"
        for i in range(60)) + "}\n", encoding="utf-8")
    compiled = py_compile.compile(str(source), cfile=str(tmp_path / "model.txt"))
    with pytest.raises(BinaryFileError, match="binary file"):
        parse_bytes(Path(compiled).read_bytes(), name="model.txt")


def test_windows_1252_is_an_encoding_error_with_offset_then_opens_when_asked():
    path = DATA / "cp1252.txt"
    assert path.read_bytes()[22] == 0xE9
    with pytest.raises(EncodingError) as info:
        load_brief(path)
    error = info.value
    assert error.offset == 22
    assert error.suggested_encoding == "cp1252"
    assert str(error) == (
        "cp1252.txt is not valid UTF-8 (byte 0xE9 at offset 22); open it as Windows-1252 instead?"
    )
    brief = load_brief(path, encoding="cp1252")
    assert brief.title == "Trade Talks at the Café Central"
    assert brief.sections[0].source == "Ministers said the “framework” was close."


def test_encoding_error_offset_counts_the_bom():
    data = b"\xef\xbb\xbfAbc \xff"
    with pytest.raises(EncodingError) as info:
        parse_bytes(data, name="x.txt")
    assert info.value.offset == 7


def test_explicit_encodings():
    with pytest.raises(EncodingError) as info:
        parse_bytes("Café talks\n\nText.\n".encode(), name="x.txt", encoding="ascii")
    assert info.value.offset == 3 and "ascii" in str(info.value)
    with pytest.raises(BriefError, match="not a text encoding"):
        parse_bytes(b"Text\n", name="x.txt", encoding="no-such-codec")
    brief = parse_bytes("Titel\n\nGrüße.\n".encode("latin-1"), name="x.txt", encoding="latin-1")
    assert brief.sections[0].source == "Grüße."


# ---------------------------------------------------------------------------
# Files that are not briefs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, error",
    [
        ("empty.txt", EmptyFileError),
        ("blank.md", EmptyFileError),
        ("binary.txt", BinaryFileError),
        ("fake-pdf.txt", BinaryFileError),
    ],
)
def test_unusable_files(name, error):
    with pytest.raises(error) as info:
        load_brief(DATA / name)
    assert name in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, BriefError) and isinstance(info.value, BriefreaderError)


def test_pdf_is_named_as_such():
    with pytest.raises(BinaryFileError, match="PDF"):
        load_brief(DATA / "fake-pdf.txt")


def test_too_large(tmp_path):
    with pytest.raises(TooLargeError) as info:
        load_brief(WATER, max_bytes=1000)
    assert WATER.name in str(info.value) and "limit" in str(info.value)
    assert MAX_BYTES == 50 * 1024 * 1024
    assert load_brief(WATER, max_bytes=WATER.stat().st_size).title  # exactly at the limit


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UnreadableFileError, match="does not exist"):
        load_brief(tmp_path / "missing.md")
    with pytest.raises(UnreadableFileError, match="folder"):
        load_brief(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFileError, match="not a regular file"):
        load_brief(fifo)  # opening it would block for ever


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_device_is_refused():
    with pytest.raises(UnreadableFileError, match="not a regular file"):
        load_brief("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(tmp_path):
    path = tmp_path / "secret.md"
    path.write_text("# Secret\n")
    path.chmod(0)
    try:
        with pytest.raises(UnreadableFileError, match="permission denied"):
            load_brief(path)
    finally:
        path.chmod(0o600)


def test_path_is_resolved(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# B\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "sub")
    brief = load_brief("../sub/b.md")
    assert brief.path == (tmp_path / "sub" / "b.md").resolve()
    assert brief.path.is_absolute() and brief.base_dir == brief.path.parent


def test_format_follows_the_suffix():
    data = b"# Heading\n\nText.\n"
    assert parse_bytes(data, name="a.md").format == "markdown"
    assert parse_bytes(data, name="a.MARKDOWN").format == "markdown"
    assert parse_bytes(data, name="a.txt").format == "text"
    assert parse_bytes(data, name="a.text").format == "text"
    assert parse_bytes(data, name="notes").format == "text"


# ---------------------------------------------------------------------------
# Folders, slugs, size
# ---------------------------------------------------------------------------


def test_find_briefs(tmp_path):
    for name in ("b.md", "A.TXT", "c.markdown", "d.text", ".hidden.md", "e.pdf", "f.md~"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub.md").mkdir()
    assert [p.name for p in find_briefs(tmp_path)] == ["A.TXT", "b.md", "c.markdown", "d.text"]
    assert BRIEF_SUFFIXES == (".md", ".markdown", ".txt", ".text")
    with pytest.raises(UnreadableFileError):
        find_briefs(tmp_path / "missing")


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Key Findings", "key-findings"),
        ("Option A: Demand Restrictions", "option-a-demand-restrictions"),
        ("2.3 Scope", "23-scope"),
        ("Über Maßnahmen", "über-maßnahmen"),
        ("  Spaced   out  ", "spaced-out"),
        ("_lead", "lead"),
        ("???", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert slugify(text) == slugify_unicode(text, "-").lstrip("_-")


def test_ten_megabyte_markdown_brief_parses():
    paragraph = ("Officials reviewed the figures and agreed the next steps. " * 16 + "\n\n") * 4
    parts = [f"## Part {i}\n\n{paragraph}```\n# code {i}\n```\n\n" for i in range(2_800)]
    data = ("---\ntitle: Big Brief\n---\n\n# Big Brief\n\nIntro.\n\n" + "".join(parts)).encode()
    assert len(data) > 10_000_000
    brief = parse_bytes(data, name="big.md")
    assert len(brief.sections) == 2_801
    assert brief.sections[-1].id == "part-2799" and brief.sections[-1].parent == "big-brief"
    assert brief.sections[-1].source.endswith("```\n# code 2799\n```")
    last_line = data.decode().split("\n").index("## Part 2799") + 1
    assert brief.sections[-1].line == last_line


def test_large_text_brief_parses():
    body = "The ministers agreed the text of the declaration after a long night. " * 10
    data = "Big Text Brief\n\n" + "".join(f"Heading Number {i}\n\n{body}\n\n" for i in range(3_000))
    brief = parse_text(data, name="big.txt", content_hash="h")
    assert len(brief.sections) == 3_000
    assert brief.sections[-1].title == "Heading Number 2999"
    assert brief.sections[-1].source == body.strip()


def test_a_brief_of_short_lines_keeps_its_text():
    brief = parse_text(
        "Alpha\n\nBeta\n\nGamma\n\nLeave a Comment\n", name="x.txt", content_hash="h"
    )
    assert brief.title == "Alpha"
    assert outline(brief) == [(LEAD_ID, "Alpha", 0, None)]
    assert brief.sections[0].source == "Beta\n\nGamma"


@pytest.mark.parametrize(
    "text",
    [
        "<!--\n# h\n" * 60_000,  # comments that never close
        "".join("`" * n + "\n# h\n" for n in range(3_000, 3, -1)),  # fences that never close
        "# " + "**a " * 20_000 + "\n\ntext\n",  # emphasis markers without end
        "---\n" + "".join(f"k{i}: v\n" for i in range(20_000)) + "---\n# h\n",  # huge block
    ],
    ids=["comments", "fences", "emphasis", "front-matter"],
)
def test_crafted_markdown_stays_linear(text):
    # Each took 6 s to minutes when the scan was quadratic; now well under half a second.
    started = time.perf_counter()
    brief = parse_bytes(text.encode(), name="x.md")
    assert brief.sections
    assert time.perf_counter() - started < 5


def test_yaml_alias_bomb_is_refused():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    text = "---\n" + "\n".join(levels) + "\n---\n# H\n"
    with pytest.raises(BriefError, match="front matter"):
        parse_bytes(text.encode(), name="bomb.md")


def test_brief_error_lives_in_errors_and_is_re_exported():
    from briefreader import errors, parse
    from briefreader import parse_markdown as parse_markdown_module

    assert parse.BriefError is errors.BriefError
    assert parse_markdown_module.BriefError is errors.BriefError
    assert issubclass(EncodingError, errors.BriefError)
    # parse_markdown raises it (from a module-level import) for broken front matter.
    with pytest.raises(errors.BriefError, match="not valid YAML"):
        parse_markdown_module.parse_markdown(
            "---\nkey: [unclosed\n---\n# H\n", name="bad.md", content_hash="x"
        )


def test_page_furniture_is_never_a_heading_or_the_title():
    """A protective marking, a page number or a PDF's running header is text (kept where
    it stands) but neither the title nor a heading: the numbered sections of the second
    page stay under the heading of the first."""
    brief = load_brief(DATA / "pdf-page-furniture.txt")
    assert brief.title == "Harbour Authority Funding Review"
    assert outline(brief) == [
        (LEAD_ID, "Harbour Authority Funding Review", 0, None),
        ("submission-to-the-ports-minister", "SUBMISSION TO THE PORTS MINISTER", 1, None),
        ("1-purpose", "1. PURPOSE", 2, "submission-to-the-ports-minister"),
        ("2-background", "2. BACKGROUND", 2, "submission-to-the-ports-minister"),
        ("3-risks", "3. RISKS", 2, "submission-to-the-ports-minister"),
        ("4-handling", "4. HANDLING", 2, "submission-to-the-ports-minister"),
    ]
    assert brief.section(LEAD_ID).source.split("\n\n") == [
        "OFFICIAL-SENSITIVE",
        "Harbour Authority Funding Review" + " " * 34 + "1",
    ]
    assert brief.section("2-background").source.split("\n\n")[1:] == [
        "OFFICIAL-SENSITIVE\nPage 1 of 2",
        "OFFICIAL-SENSITIVE",
        "Harbour Authority Funding Review" + " " * 34 + "2",
    ]
    assert brief.section("3-risks").source.split("\n\n")[1:] == [
        "[SECRET UK EYES ONLY]",
        "- 2 -",
    ]
    assert brief.section("4-handling").source.endswith("May.\n\nOFFICIAL-SENSITIVE\nPage 2 of 2")


@pytest.mark.parametrize("line", ["Secret", "Official Visits", "1\tIntroduction",
                                  "RESTRICTED AREAS", "Page Layout"])
def test_headings_that_are_not_page_furniture(line):
    brief = parse_text(f"Brief\n\n{line}\n\nBody text.", name="b.txt", content_hash="h")
    assert [s.title for s in brief.sections] == [line]


def test_numbered_paragraphs_are_not_headings():
    """In a submission whose paragraphs are numbered, a paragraph's first line is no
    heading: not when the sentence runs on to the next line, nor when it is a whole
    sentence of its own."""
    text = textwrap.dedent("""\
        Submission on Flood Recovery Funding

        2. RECOMMENDATION

        2.1 That you agree the allocation set out in Annex A, totalling
        £42 million across eleven local authorities.

        3. BACKGROUND

        3.1 The first tranche was released in November.
        Take-up has been uneven: four authorities have spent most of theirs,
        while three have yet to submit plans.

        3.2 Officials met the Local Government Association on 3 March.

        4. Next Steps.

        Ministers decide in April.
    """)
    brief = parse_text(text, name="submission.txt", content_hash="h")
    assert outline(brief) == [
        ("2-recommendation", "2. RECOMMENDATION", 1, None),
        ("3-background", "3. BACKGROUND", 1, None),
        ("4-next-steps", "4. Next Steps.", 1, None),
    ]
    assert brief.section("2-recommendation").source == (
        "2.1 That you agree the allocation set out in Annex A, totalling"
        " £42 million across eleven local authorities."
    )
    background = brief.section("3-background").source.split("\n\n")
    assert background[0].startswith("3.1 The first tranche was released in November.")
    assert background[1] == "3.2 Officials met the Local Government Association on 3 March."


def test_labels_ending_in_a_colon_head_a_brief_without_other_headings():
    """An e-mail of lines to take is structured by labels such as "Top lines:"; a
    sentence leading into a list ("The reasons for the delay are:") is no label."""
    brief = load_brief(DATA / "colon-labels.txt")
    assert outline(brief) == [
        (LEAD_ID, "Lines to take - ferry cancellations", 0, None),  # the e-mail's subject
        ("top-lines", "Top lines:", 1, None),
        ("if-pressed-on-compensation", "If pressed on compensation:", 1, None),
        ("background", "Background:", 1, None),
    ]
    assert brief.section("top-lines").source.startswith("- We understand the frustration")
    assert brief.section("background").source.split("\n\n") == [
        "The two oldest ferries have been out of service for a combined 140 days"
        " this winter. Replacement vessels are due in 2027.",
        "The reasons for the delay are:\n- a shortage of dry-dock space;\n"
        "- late delivery of engine parts.",
        "Regards,\nPress Office",
    ]


def test_labels_stay_in_their_paragraph_where_a_brief_has_headings():
    text = "Note\n\nSummary\n\nThe summary.\n\nKey points:\n- one point\n- another point\n"
    brief = parse_text(text, name="note.txt", content_hash="h")
    assert outline(brief) == [("summary", "Summary", 1, None)]
    assert brief.section("summary").source == (
        "The summary.\n\nKey points:\n- one point\n- another point"
    )


def test_lettered_headings_sit_under_the_numbered_heading_before_them():
    """"II. SCOPE" followed at once by "A. Geographic Scope" heads it: it was taken for
    a line of a contents list (two headings at one level) and vanished into the
    section before."""
    text = "\n\n".join([
        "Framework for Maritime Co-operation",
        "I. INTRODUCTION", "The parties share an interest in open sea lanes.",
        "II. SCOPE",
        "A. Geographic Scope", "Territorial waters and economic zones.",
        "B. Activities Covered", "Joint patrols and port visits.",
        "III. GOVERNANCE", "A joint committee meets twice a year.",
    ])  # fmt: skip
    brief = parse_text(text, name="framework.txt", content_hash="h")
    assert outline(brief) == [
        ("i-introduction", "I. INTRODUCTION", 1, None),
        ("ii-scope", "II. SCOPE", 1, None),
        ("a-geographic-scope", "A. Geographic Scope", 2, "ii-scope"),
        ("b-activities-covered", "B. Activities Covered", 2, "ii-scope"),
        ("iii-governance", "III. GOVERNANCE", 1, None),
    ]
    assert brief.section("i-introduction").source == (
        "The parties share an interest in open sea lanes."
    )
    # without numbered headings before them, lettered headings are top-level
    options = parse_text(
        "Options Paper\n\nA. Do Nothing\n\nCosts nothing.\n\nB. Legislate\n\nTakes a year.",
        name="options.txt", content_hash="h",
    )
    assert [(s.title, s.level) for s in options.sections] == [
        ("A. Do Nothing", 1), ("B. Legislate", 1)
    ]


def test_questions_head_the_sections_of_an_explainer():
    text = textwrap.dedent("""\
        Parcels to Northern Ireland: What Changes in October?

        From 1 October, new arrangements for parcels come into force.

        What is changing?

        Businesses sending parcels to consumers no longer need customs declarations.

        Who is affected?

        Online retailers and carriers. Consumers should notice no difference.

        SUGGESTED QUESTIONS

        When will the guidance be published?

        How many firms have registered?

        Is the helpline staffed at weekends?
        Why were carriers not consulted?

        Customs Policy Team
        September 2025
    """)
    brief = parse_text(text, name="explainer.txt", content_hash="h")
    assert brief.title == "Parcels to Northern Ireland: What Changes in October?"
    assert outline(brief) == [
        (LEAD_ID, "Parcels to Northern Ireland: What Changes in October?", 0, None),
        ("what-is-changing", "What is changing?", 2, None),
        ("who-is-affected", "Who is affected?", 2, None),
        ("suggested-questions", "SUGGESTED QUESTIONS", 1, None),
    ]
    # questions one after another are a list, not headings
    assert brief.section("suggested-questions").source.split("\n\n") == [
        "When will the guidance be published?",
        "How many firms have registered?",
        "Is the helpline staffed at weekends?\nWhy were carriers not consulted?",
        "Customs Policy Team\nSeptember 2025",
    ]
    # the same in a brief of one paragraph per (long) line, as copied from a web page
    long = " ".join(["Carriers must register with the scheme before the first of October."] * 2)
    unwrapped = parse_text(
        f"Parcels Explained\n\n{long}\n\nWhat is changing?\n\n{long}\n\n"
        f"Who is affected?\n\n{long}\n",
        name="explainer.txt", content_hash="h",
    )
    assert [s.title for s in unwrapped.sections] == [
        "Parcels Explained", "What is changing?", "Who is affected?"
    ]


def test_the_content_hash_tells_a_file_read_otherwise(tmp_path, monkeypatch):
    # The same bytes read by another version of briefreader (its code, or a library it
    # reads with, changed) are another version of the brief: its notes are placed again.
    path = tmp_path / "brief.txt"
    path.write_text("Harbour Dues\n\nDues rise by a tenth in April.\n", encoding="utf-8")
    now = load_brief(path).content_hash
    assert load_brief(path).content_hash == now  # the same reading, the same version
    monkeypatch.setattr(parse_mod, "_READING_LIBRARIES", ("markdown", "nh3", "PyYAML", "x"))
    parse_mod._reading.cache_clear()
    try:
        later = load_brief(path).content_hash
        assert later != now and same_file(later, now)  # (still known for the same file)
    finally:
        monkeypatch.undo()
        parse_mod._reading.cache_clear()
    assert load_brief(path).content_hash == now
    path.write_text("Harbour Dues\n\nDues rise by a fifth in April.\n", encoding="utf-8")
    assert not same_file(load_brief(path).content_hash, now)
