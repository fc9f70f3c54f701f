"""NotesService: making notes on a brief and keeping them placed as the brief changes."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from briefreader import notes as notes_mod
from briefreader.brief import LEAD_ID, Brief, Section
from briefreader.notes import NotesError, NotesService, SyncReport, brief_key
from briefreader.store import NoteNotFoundError, SaveError, Store

LEAD = "Grain exports rose sharply this spring, led by wheat and maize."
SUMMARY = (
    "In March shipments doubled after the northern corridor reopened to bulk carriers. "
    "Insurance premiums for the route fell by almost half within six weeks. "
    "Shipments doubled again in May."
)
RISKS = (
    "Port capacity at the two deep-water terminals is now the binding constraint. "
    "A second corridor is under discussion but no date has been set."
)
MOVED_QUOTE = "Insurance premiums for the route fell by almost half within six weeks."


def make_brief(
    summary: str = SUMMARY,
    risks: str = RISKS,
    *,
    lead: str = LEAD,
    risks_title: str = "Risks",
    doc_id: str | None = "grain-2026",
    path: Path | None = None,
) -> Brief:
    risks_id = risks_title.lower().replace(" ", "-")
    sections = (
        Section(LEAD_ID, "Grain exports", 0, None, 0, lead),
        Section("summary", "Summary", 2, None, 1, summary),
        Section(risks_id, risks_title, 2, None, 2, risks),
    )
    digest = hashlib.sha256("\x00".join(s.source for s in sections).encode()).hexdigest()
    digest = hashlib.sha256((digest + risks_title).encode()).hexdigest()
    return Brief(
        title="Grain exports",
        sections=sections,
        format="markdown",
        content_hash=digest,
        path=path,
        doc_id=doc_id,
    )


def test_annotate_highlights_the_nth_occurrence(service):
    brief = make_brief()
    first = service.annotate(brief, "summary", "doubled")
    second = service.annotate(
        brief, "summary", "doubled", occurrence=2, note="Check *May* data", color="red",
        tags=["trade", " ", "trade", "ports"],
    )  # fmt: skip
    text = service.section_texts(brief)[1].text
    assert text[first.start : first.end] == text[second.start : second.end] == "doubled"
    assert first.start < second.start
    assert second.prefix == text[second.start - 32 : second.start]
    assert second.suffix == text[second.end : second.end + 32]
    assert (second.note, second.color, second.tags, second.author) == (
        "Check *May* data",
        "red",
        ("trade", "ports"),
        "ana",
    )
    assert (second.status, second.current_section, second.current_start) == (
        "anchored",
        "summary",
        second.start,
    )
    assert service.store.get_highlight(second.id) == second


def test_annotate_normalises_the_quote(service):
    brief = make_brief()
    h = service.annotate(brief, "risks", "  Port   capacity\n at the ")
    assert h.exact == "Port capacity at the"


@pytest.mark.parametrize(
    ("section", "quote", "occurrence", "message"),
    [
        ("nowhere", "doubled", 1, "no section 'nowhere'.*sections: _lead, summary, risks"),
        ("summary", "tripled", 1, "does not occur in section 'summary'"),
        ("summary", "Insurance", 2, "occurs only once in section 'summary', not 2"),
        ("summary", "doubled", 3, "occurs only 2 times"),
        ("summary", "   ", 1, "quote is empty"),
        ("summary", "doubled", 0, "1 or more"),
    ],
)
def test_annotate_errors_are_clear(service, section, quote, occurrence, message):
    with pytest.raises(NotesError, match=message):
        service.annotate(make_brief(), section, quote, occurrence=occurrence)
    assert service.store.highlights("grain-2026") == []


def test_overlapping_matches_are_counted_as_annotate_finds_them(service):
    # "no no" appears twice if matches may overlap, once if they may not: annotate
    # takes the N-th match without overlap, and its error counts the same way.
    brief = make_brief(summary="He said no no no to the quota.")
    with pytest.raises(NotesError, match="occurs only once in section 'summary', not 2"):
        service.annotate(brief, "summary", "no no", occurrence=2)


def test_highlight_range_checks_the_span_and_colour(service):
    brief = make_brief()
    length = len(service.section_texts(brief)[2].text)
    with pytest.raises(NotesError, match="outside section"):
        service.highlight_range(brief, "risks", 5, length + 1)
    with pytest.raises(NotesError, match="outside section"):
        service.highlight_range(brief, "risks", 5, 5)
    with pytest.raises(NotesError, match="unknown colour"):
        service.highlight_range(brief, "risks", 0, 4, color="teal")
    h = service.highlight_range(brief, "risks", 0, 4, color="blue")
    assert (h.exact, h.prefix, h.color) == ("Port", "", "blue")


def test_positions_count_code_points(service):
    brief = make_brief(risks="Ports 🚢 are full. Rail 🚆 lines are slow.")
    h = service.annotate(brief, "risks", "Rail")
    assert (h.start, h.end) == (18, 22)  # one code point per emoji, not two UTF-16 units


def test_sync_records_a_new_brief_once(service):
    brief = make_brief()
    report = service.sync(brief)
    assert report == SyncReport("grain-2026", new_brief=True, reanchored=False)
    record = service.store.get_brief("grain-2026")
    assert [(s.id, s.ordinal) for s in record.sections] == [
        (LEAD_ID, 0),
        ("summary", 1),
        ("risks", 2),
    ]
    again = service.sync(brief)
    assert not again.new_brief and not again.reanchored


def test_brief_identity_is_the_front_matter_id_else_the_path(tmp_path):
    assert brief_key(make_brief(doc_id="x-1", path=tmp_path / "a.md")) == "x-1"
    assert brief_key(make_brief(doc_id=None, path=tmp_path / "a.md")) == str(
        (tmp_path / "a.md").resolve()
    )
    with pytest.raises(NotesError):
        brief_key(make_brief(doc_id=None, path=None))


def _notes_on(service: NotesService, brief: Brief) -> dict[str, str]:
    return {
        "shifted": service.annotate(brief, "risks", "binding constraint").id,
        "moved": service.annotate(brief, "summary", MOVED_QUOTE).id,
        "changed": service.annotate(
            brief, "risks", "A second corridor is under discussion but no date has been set"
        ).id,
        "orphaned": service.annotate(brief, _lead(), "led by wheat and maize").id,
        "comment": service.comment(brief, "risks", "Which terminals?").id,
    }


def _lead() -> str:
    return LEAD_ID


def _edited() -> Brief:
    # The premiums sentence moves from Summary to Risks, text is inserted before the
    # "binding constraint" passage, the corridor sentence is reworded slightly and the
    # lead loses the wheat-and-maize clause.
    summary = SUMMARY.replace(MOVED_QUOTE + " ", "")
    risks = (
        "New this week: rail links are congested too. "
        + RISKS.replace("no date has been set", "no date has yet been set")
        + " "
        + MOVED_QUOTE
    )
    return make_brief(summary, risks, lead="Grain exports rose sharply this spring.")


def test_sync_reanchors_every_note_once_when_the_brief_changed(service, monkeypatch):
    ids = _notes_on(service, make_brief())
    calls = []
    real = notes_mod.reanchor_many

    def counting(items, sections):
        calls.append(len(items))
        return real(items, sections)

    monkeypatch.setattr(notes_mod, "reanchor_many", counting)
    edited = _edited()
    report = service.sync(edited)
    assert calls == [4]
    assert report.reanchored and not report.read_otherwise  # the file changed
    assert (report.anchored, report.moved, report.changed, report.orphaned) == (2, 1, 1, 1)
    assert report.summary() == "1 note moved, 1 changed, 1 orphaned"

    store = service.store
    text = service.section_texts(edited)[2].text
    shifted = store.get_highlight(ids["shifted"])
    assert shifted.status == "anchored"
    assert text[shifted.current_start : shifted.current_end] == "binding constraint"
    assert shifted.current_start > shifted.start
    moved = store.get_highlight(ids["moved"])
    assert (moved.status, moved.current_section) == ("moved", "risks")
    assert service.text_at(edited, moved) == MOVED_QUOTE
    changed = store.get_highlight(ids["changed"])
    assert changed.status == "changed"
    assert "no date has yet been" in service.text_at(edited, changed)
    orphan = store.get_highlight(ids["orphaned"])
    assert (orphan.status, orphan.current_section, service.text_at(edited, orphan)) == (
        "orphaned",
        None,
        None,
    )
    # Never dropped: the orphan is listed, with what was stored.
    assert orphan in store.highlights("grain-2026")
    assert orphan.exact == "led by wheat and maize"
    assert store.get_comment(ids["comment"]).status == "anchored"

    # The same version again: nothing is re-anchored.
    assert not service.sync(edited).reanchored
    service.annotate(edited, "summary", "Shipments")  # no re-sync either
    assert calls == [4]


def test_a_version_with_the_same_sections_leaves_every_note_where_it_was(
    service, monkeypatch
):
    # A file changed where the reader shows nothing, or read by another version of
    # briefreader to the very same sections: no note is placed again, none is counted as
    # "changed since you last read it", and Review decisions stand.
    brief = make_brief()
    ids = _notes_on(service, brief)
    service.sync(_edited())
    orphan = ids["orphaned"]
    settled = service.store.settle_highlight(orphan, orphan=True)
    assert settled.reviewed is not None
    before = {h.id: h for h in service.store.highlights("grain-2026")}
    calls = []
    monkeypatch.setattr(notes_mod, "reanchor_many", lambda *a: calls.append(a))
    again = replace(_edited(), content_hash="read-otherwise")
    report = service.sync(again)
    assert not report.reanchored and calls == []
    assert report.summary() == "1 note moved, 1 changed, 1 orphaned"  # as they stood
    assert {h.id: h for h in service.store.highlights("grain-2026")} == before
    assert service.store.get_highlight(orphan).reviewed == settled.reviewed
    assert service.store.brief_hash("grain-2026") == "read-otherwise"


def test_a_brief_read_into_other_sections_has_its_notes_placed_again(service):
    # The same file read by another version into other sections (a line it took for a
    # heading is text now): its notes are placed on them, not left at old positions.
    brief = make_brief()
    note = service.annotate(brief, "risks", "binding constraint")
    joined = replace(
        brief,
        sections=(brief.sections[0],
                  replace(brief.sections[1], source=f"{SUMMARY}\n\nRisks\n\n{RISKS}")),
        content_hash=brief.content_hash[:48] + "f" * 16,  # the same file, read otherwise
    )  # fmt: skip
    report = service.sync(joined)
    assert report.reanchored and report.read_otherwise
    placed = service.store.get_highlight(note.id)
    assert (placed.status, placed.current_section) == ("moved", "summary")
    assert service.text_at(joined, placed) == "binding constraint"


def test_reverting_the_brief_brings_orphans_back(service):
    original = make_brief()
    ids = _notes_on(service, original)
    service.sync(_edited())
    assert service.store.get_highlight(ids["orphaned"]).status == "orphaned"
    report = service.sync(original)
    assert report.reanchored
    assert service.store.get_highlight(ids["orphaned"]).status == "anchored"
    moved = service.store.get_highlight(ids["moved"])
    assert (moved.status, moved.current_section) == ("anchored", "summary")


def test_a_highlight_is_anchored_in_its_own_section_and_moved_elsewhere(service):
    # Found letter for letter, a highlight is "moved" while it is away from the section
    # it was made in (through later reissues too), and "anchored" once back, as a
    # comment on the same section is.
    original = make_brief()
    h = service.annotate(original, "risks", "binding constraint")
    c = service.comment(original, "risks", "Which terminals?")
    renamed = make_brief(risks_title="Risks and constraints")
    service.sync(renamed)
    got = service.store.get_highlight(h.id)
    assert (got.status, got.current_section) == ("moved", "risks-and-constraints")
    retyped = make_brief(SUMMARY.replace("doubled again", "doubled once more"),
                         risks_title="Risks and constraints")
    service.sync(retyped)
    got = service.store.get_highlight(h.id)
    assert (got.status, got.current_section) == ("moved", "risks-and-constraints")
    assert service.store.get_comment(c.id).status == "moved"
    report = service.sync(original)
    got = service.store.get_highlight(h.id)
    assert (got.status, got.current_section) == ("anchored", "risks")
    assert service.store.get_comment(c.id).status == "anchored"
    assert (report.anchored, report.moved) == (2, 0)


def test_comments_follow_their_section(service):
    brief = make_brief()
    c = service.comment(brief, "risks", "Which terminals?")
    renamed = make_brief(risks_title="Risks and constraints")
    report = service.sync(renamed)
    got = service.store.get_comment(c.id)
    assert (got.status, got.current_section) == ("moved", "risks-and-constraints")
    assert report.moved == 1
    gone = make_brief(risks="Completely different text about fisheries quotas and boats.",
                      risks_title="Fisheries")  # fmt: skip
    service.sync(gone)
    got = service.store.get_comment(c.id)
    assert (got.status, got.current_section) == ("orphaned", None)
    assert service.comments(gone) == [got]


def _options_brief(*options: str) -> Brief:
    # Each option has its "Costs" and "Risks"; the ids of the repeated headings are
    # numbered in reading order ("costs", "costs-2"), as the parsers number them.
    bodies = {
        "A": ("Extend the present contract.", "An 8 per cent uplift for fuel.",
              "The vessels are 28 years old."),
        "B": ("Retender for ten years.", "Bids of 7 to 8 million a year.",
              "There may be only one bidder."),
    }
    sections, seen = [], {}
    for name in options:
        body, costs, risks = bodies[name]
        for title, level, text in ((f"Option {name}", 2, body), ("Costs", 3, costs),
                                   ("Risks", 3, risks)):
            slug = title.lower().replace(" ", "-")
            seen[slug] = seen.get(slug, 0) + 1
            sid = slug if seen[slug] == 1 else f"{slug}-{seen[slug]}"
            sections.append(Section(sid, title, level, None, len(sections), text))
    digest = hashlib.sha256("\x00".join(s.source for s in sections).encode()).hexdigest()
    return Brief(title="Ferry options", sections=tuple(sections), format="markdown",
                 content_hash=digest, path=None, doc_id="ferry-2026")


def test_comments_on_a_deleted_section_do_not_take_a_namesake_that_took_its_id(service):
    both = _options_brief("A", "B")
    on_a = service.comment(both, "costs", "Is the uplift justified?")
    on_b = service.comment(both, "costs-2", "The range is wide.")
    # Option A is dropped: Option B's "Costs" is numbered "costs" now, with its own text.
    only_b = _options_brief("B")
    assert [s.id for s in only_b.sections] == ["option-b", "costs", "risks"]
    service.sync(only_b)
    got_a, got_b = service.store.get_comment(on_a.id), service.store.get_comment(on_b.id)
    assert (got_a.status, got_a.current_section) == ("orphaned", None)
    assert (got_b.status, got_b.current_section) == ("moved", "costs")
    # Put back, each is on its own section again.
    service.sync(both)
    got_a, got_b = service.store.get_comment(on_a.id), service.store.get_comment(on_b.id)
    assert (got_a.status, got_a.current_section) == ("anchored", "costs")
    assert (got_b.status, got_b.current_section) == ("anchored", "costs-2")


def test_bookmarks_follow_their_section_when_a_reissue_rewords_its_heading(service):
    brief = make_brief()
    on_risks = service.add_bookmark(brief, "risks", 40, "terminals")
    on_summary = service.add_bookmark(brief, "summary", 0, "")
    renamed = make_brief(risks_title="Risks and constraints")
    service.sync(renamed)
    where = {b.id: b.section_id for b in service.bookmarks(renamed)}
    assert where == {on_risks.id: "risks-and-constraints", on_summary.id: "summary"}
    service.sync(brief)  # put back as it was
    where = {b.id: b.section_id for b in service.bookmarks(brief)}
    assert where == {on_risks.id: "risks", on_summary.id: "summary"}
    # Option A dropped: Option B's "Costs" takes the id "costs"; its bookmark goes along.
    both = _options_brief("A", "B")
    on_b = service.add_bookmark(both, "costs-2", 0, "range")
    service.sync(_options_brief("B"))
    assert [b.section_id for b in service.bookmarks(both) if b.id == on_b.id] == ["costs"]


def test_replies_and_edits(service):
    brief = make_brief()
    root = service.comment(brief, "summary", "Source for March?")
    reply = service.comment(brief, "summary", "Port authority data.", reply_to=root.id)
    assert reply.reply_to == root.id
    assert service.edit_comment(root.id, "Source for *March*?").body == "Source for *March*?"
    with pytest.raises(NotesError, match="empty"):
        service.edit_comment(root.id, "  ")
    with pytest.raises(NotesError, match="empty"):
        service.comment(brief, "summary", "")
    with pytest.raises(NoteNotFoundError):
        service.comment(brief, "summary", "x", reply_to="nope")


def test_edit_delete_restore_highlights(service):
    brief = make_brief()
    h = service.annotate(brief, "summary", "doubled")
    edited = service.edit_highlight(h.id, note="New note", color="purple", tags=["a", "a", "b"])
    assert (edited.note, edited.color, edited.tags) == ("New note", "purple", ("a", "b"))
    with pytest.raises(NotesError):
        service.edit_highlight(h.id, color="pink")
    service.delete_highlight(h.id)
    assert service.highlights(brief) == []
    assert [x.id for x in service.highlights(brief, trash=True)] == [h.id]
    service.restore_highlight(h.id)
    assert [x.id for x in service.highlights(brief)] == [h.id]
    c = service.comment(brief, "summary", "x")
    service.delete_comment(c.id)
    assert service.comments(brief) == []
    service.restore_comment(c.id)
    assert service.comments(brief) == [service.store.get_comment(c.id)]


def test_purge_removes_only_the_notes_asked_for_good(service):
    brief = make_brief()
    gone = service.annotate(brief, "summary", "doubled")
    kept = service.annotate(brief, "risks", "Port")
    for h in (gone, kept):
        service.delete_highlight(h.id)
    service.purge([gone.id])
    assert [x.id for x in service.highlights(brief, trash=True)] == [kept.id]
    with pytest.raises(NoteNotFoundError):
        service.store.get_highlight(gone.id)
    # Recorded as removed for good, as emptying the Trash records its notes.
    assert service.store.purged([gone.id, kept.id]) == {gone.id}


def test_a_live_note_is_never_purged_nor_any_asked_with_it(service):
    brief = make_brief()
    live = service.annotate(brief, "summary", "doubled")
    trashed = service.annotate(brief, "risks", "Port")
    service.delete_highlight(trashed.id)
    c = service.comment(brief, "summary", "Live comment")
    for ask in ({"highlight_ids": [live.id]}, {"comment_ids": [c.id]},
                {"highlight_ids": [trashed.id, live.id]}, {"highlight_ids": ["no-such-note"]}):
        with pytest.raises(NoteNotFoundError):
            service.purge(**ask)
    assert [x.id for x in service.highlights(brief)] == [live.id]
    assert [x.id for x in service.highlights(brief, trash=True)] == [trashed.id]  # all or none
    assert service.comments(brief) == [service.store.get_comment(c.id)]
    assert service.store.purged([live.id, trashed.id, c.id]) == set()


def test_purging_a_comment_keeps_its_replies_as_emptying_the_trash_does(service):
    brief = make_brief()
    root = service.comment(brief, "summary", "Where are the figures from?")
    live = service.comment(brief, "summary", "Customs data.", reply_to=root.id)
    trashed = service.comment(brief, "summary", "Ask the ministry.", reply_to=root.id)
    for c in (root, trashed):
        service.delete_comment(c.id)
    service.purge(comment_ids=[root.id])
    assert [c.id for c in service.comments(brief)] == [live.id]
    assert service.store.get_comment(live.id).reply_to is None  # it survives its parent
    assert service.store.get_comment(trashed.id).reply_to is None  # restored, no dangling link
    assert service.store.purged([root.id, live.id, trashed.id]) == {root.id}


def test_a_purged_note_does_not_come_back_with_an_export_that_has_it_in_its_trash(
        service, tmp_path):
    from briefreader import export as ex
    from briefreader import importing as im

    brief = make_brief()
    h = service.annotate(brief, "summary", "doubled", note="Gone for good")
    c = service.comment(brief, "risks", "Gone too")
    kept = service.annotate(brief, "risks", "Port")
    for deleted in (h.id, kept.id):
        service.delete_highlight(deleted)
    service.delete_comment(c.id)
    # Another machine's export, taken while they were in the Trash (there as here).
    other = NotesService(Store(tmp_path / "other.sqlite3", backup_interval=None))
    try:
        im.apply_import(other, im.parse_import(ex.export_json(ex.gather(service, brief))),
                        brief=brief)
        bundle = im.parse_import(ex.export_json(ex.gather(other, brief)))
    finally:
        other.store.close()
    service.purge([h.id], [c.id])
    im.apply_import(service, bundle, brief=brief)
    assert [x.id for x in service.highlights(brief, trash=None)] == [kept.id]
    assert service.comments(brief, trash=None) == []


def test_deleted_notes_are_placed_too(service):
    h = service.annotate(make_brief(), "summary", MOVED_QUOTE)
    service.delete_highlight(h.id)
    service.sync(_edited())
    service.restore_highlight(h.id)
    assert service.store.get_highlight(h.id).current_section == "risks"


def test_a_failed_save_keeps_the_text(service):
    brief = make_brief()
    service.sync(brief)
    conn = service.store._connection
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    long_note = "An important thought. " * 5000
    with pytest.raises(SaveError) as info:
        service.annotate(brief, "summary", "doubled", note=long_note)
    assert info.value.draft == long_note
    with pytest.raises(SaveError) as info:
        service.comment(brief, "summary", long_note)
    assert info.value.draft == long_note
    assert service.highlights(brief) == [] and service.comments(brief) == []


def test_another_process_synced_first(store, tmp_path):
    # Two services on one database file, as two running copies of the app.
    other_store = Store(tmp_path / "notes.sqlite3")
    try:
        mine, theirs = NotesService(store), NotesService(other_store)
        h = mine.annotate(make_brief(), "summary", MOVED_QUOTE)
        mine.sync(make_brief())
        edited = _edited()
        stale = mine.store.get_brief("grain-2026")
        assert theirs.sync(edited).reanchored
        # Mine computed placements against the old hash: they are not applied twice.
        assert not store.apply_placements(
            mine._record(edited), expected_hash=stale.content_hash
        )
        report = mine.sync(edited)
        assert not report.reanchored and report.moved == 1
        assert store.get_highlight(h.id).current_section == "risks"
    finally:
        other_store.close()


def test_a_changed_brief_is_placed_on_a_worker_thread_and_then_only_read(service):
    import threading

    ids = _notes_on(service, make_brief())
    edited = _edited()
    assert service.notes_to_place(edited) == 5
    assert service.notes_to_place(make_brief()) == 0  # the version placed already
    found: list = []
    worker = threading.Thread(target=lambda: found.append(service.prepare(edited)))
    worker.start()
    worker.join()
    (prepared,) = found
    assert prepared.reanchored and prepared.summary() == "1 note moved, 1 changed, 1 orphaned"
    # Placed and stored by the worker's own connection: this one finds nothing to do.
    assert service.notes_to_place(edited) == 0
    report = service.sync(edited)
    assert not report.reanchored and (report.moved, report.changed) == (1, 1)
    assert service.store.get_highlight(ids["moved"]).current_section == "risks"


def test_a_worker_that_cannot_place_the_notes_leaves_them_to_sync(service, monkeypatch):
    _notes_on(service, make_brief())
    edited = _edited()

    def full_disk(*_args, **_kwargs):
        raise SaveError("could not place the notes: the disk is full", reason="the disk is full")

    monkeypatch.setattr(Store, "apply_placements", full_disk)
    assert service.prepare(edited) is None
    assert service.notes_to_place(edited) == 5  # still the old version's places
    with pytest.raises(SaveError, match="disk is full"):
        service.sync(edited)  # meets it again, for the window to say
    monkeypatch.undo()
    assert service.sync(edited).reanchored


def test_reattach_an_orphan(service):
    ids = _notes_on(service, make_brief())
    edited = _edited()
    service.sync(edited)
    orphan = service.store.get_highlight(ids["orphaned"])
    assert orphan.status == "orphaned"
    assert isinstance(service.candidates(edited, orphan), tuple)
    placed = service.reattach(edited, orphan.id, _lead(), 0, 12)
    assert (placed.status, placed.exact, placed.current_section) == (
        "anchored",
        "Grain export",
        _lead(),
    )
    assert service.store.get_highlight(orphan.id) == placed
    assert service.text_at(edited, placed) == "Grain export"


def test_listing_gives_current_text(service):
    brief = make_brief()
    h = service.annotate(brief, "risks", "binding constraint", note="n")
    c = service.comment(brief, "risks", "c")
    listing = service.listing(_edited())
    assert listing.report.reanchored
    assert [(p.highlight.id, p.text) for p in listing.highlights] == [(h.id, "binding constraint")]
    assert [x.id for x in listing.comments] == [c.id]
    assert listing.brief.key == "grain-2026"


def test_summary_wording():
    assert SyncReport("k", False, True).summary() == ""
    assert (
        SyncReport("k", False, True, moved=12, changed=2, ambiguous=1).summary()
        == "12 notes moved, 2 changed, 1 ambiguous"
    )
    assert SyncReport("k", False, True, orphaned=2).summary() == "2 notes orphaned"
    assert (SyncReport("k", False, True, changed=1, ambiguous=2, orphaned=3).summary()
            == "1 note changed, 2 ambiguous, 3 orphaned")


def test_notes_of_a_brief_known_before_under_another_key_are_counted_to_place(
    service, tmp_path
):
    # The brief gained an id in a reissue: its notes come from the key it had (its
    # path) and must be placed again, on a worker when there are many.
    path = tmp_path / "grain.md"
    _notes_on(service, make_brief(doc_id=None, path=path))
    edited = replace(_edited(), path=path)
    assert service.notes_to_place(edited) == 5
    report = service.prepare(edited)
    assert report is not None and report.reanchored and not report.new_brief
    assert service.notes_to_place(edited) == 0
    assert not service.sync(edited).reanchored


def test_section_texts_rendered_in_an_earlier_session_are_not_rendered_again(
    service, monkeypatch
):
    from briefreader import render

    first = [t.text for t in service.section_texts(make_brief())]
    render.clear_cache()  # a new session: nothing memoised

    def no_render(*_args):
        raise AssertionError("rendered again")

    monkeypatch.setattr(render, "_time_boxed", no_render)
    again = NotesService(service.store, author="Ana").section_texts(make_brief())
    assert [t.text for t in again] == first == [LEAD, SUMMARY, RISKS]
    assert (service.store.database.parent / "cache" / "section-texts.sqlite3").exists()


def test_notes_read_a_section_as_the_reader_shows_it_after_it_ran_out_of_time(
    service, monkeypatch
):
    from briefreader import render

    brief = make_brief(summary="Shipments *doubled* in March.")
    render.clear_cache()
    assert service.section_texts(brief)[1].text == "Shipments doubled in March."
    monkeypatch.setattr(render, "_time_boxed", lambda source, scope, limit: (None, "slow"))
    render.clear_cache()  # (its rendering forgotten, as after many other sections)
    shown = render.render_section(brief, brief.sections[1])  # the reader, out of time
    assert service.section_texts(brief)[1].text == shown.plain_text \
        == "Shipments *doubled* in March."
    render.clear_cache()


def test_the_texts_shared_with_a_worker_make_room_when_the_other_made_it_first(service):
    from briefreader import notes as notes_mod

    class OtherThreadFirst(dict):
        """Texts whose oldest entry another thread lets go of just as this one does."""

        def __iter__(self):
            for key in list(super().__iter__()):
                super().pop(key, None)
                yield key

    service._texts = OtherThreadFirst(
        {(str(n), ()): [] for n in range(notes_mod._TEXT_CACHE_SIZE)})
    brief = make_brief()
    texts = service.section_texts(brief)
    assert [t.id for t in texts] == [s.id for s in brief.sections]
