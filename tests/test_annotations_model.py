"""The window's notes cache (``Annotations``) on a brief of thousands of notes: a
change to one note updates that note only, never re-reading the whole brief, and
the cache stays what a full load from the store would give."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from briefreader import notes as notes_module
from briefreader.notes import NotesService
from briefreader.parse import parse_bytes
from briefreader.records import Highlight, new_id, now_utc
from briefreader.store import Store
from briefreader.ui import annotations as annotations_module
from briefreader.ui.annotations import Annotations

SENTENCES = (
    "The harbour authority reported a further fall in container traffic this quarter. "
    "Dredging of the eastern channel is six months behind the agreed schedule. "
    "Insurers have raised premiums for vessels above forty thousand tonnes. "
    "Two of the four cranes at the deep-water berth are out of service until June. "
    "The board asked for a revised investment plan before the summer recess. "
)
SECTION_IDS = ("traffic", "dredging", "finance", "outlook")
BRIEF_TEXT = "---\ntitle: Harbour Capacity\nid: harbour-2027\n---\n\n" + "".join(
    f"# {sid.title()}\n\n{SENTENCES * 2}\n\n" for sid in SECTION_IDS
)
HIGHLIGHTS = 2000
COMMENTS = 200


class FullLoads:
    """Counts every full read of a brief's notes (live or trash) from the store."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[str] = []
        for owner, name in ((Store, "highlights"), (Store, "comments"),
                            (NotesService, "highlights"), (NotesService, "comments")):
            self._wrap(monkeypatch, owner, name)

    def _wrap(self, monkeypatch, owner, name) -> None:
        original = getattr(owner, name)
        label = f"{owner.__name__}.{name}"

        def counting(*args, **kwargs):
            self.calls.append(label)
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)

    def take(self) -> list[str]:
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def brief():
    return parse_bytes(BRIEF_TEXT.encode(), name="harbour.md")


@pytest.fixture
def many(qapp, service, store, brief):
    """An open brief holding HIGHLIGHTS highlights and COMMENTS comments, loaded."""
    an = Annotations(service)
    an.open_brief(brief)
    texts = service.section_texts(brief)
    per_section = HIGHLIGHTS // len(SECTION_IDS)
    stamp = now_utc()
    made: list[Highlight] = []
    for t in texts:
        if t.id not in SECTION_IDS:
            continue
        assert len(t.text) > per_section + 20
        template = service.highlight_range(brief, t.id, 0, 12)
        store.delete_highlight(template.id)
        store.purge_highlight(template.id)
        for i in range(per_section):
            start, end = i, i + 12 + i % 7
            made.append(dataclasses.replace(
                template, id=new_id(), start=start, end=end, exact=t.text[start:end],
                current_start=start, current_end=end, note=f"note {i}",
                tags=("ports",) if i % 3 else (), color=("yellow", "green", "blue")[i % 3],
                created=stamp, modified=stamp))
    store.add_highlights(made)
    first = service.comment(brief, "finance", "Who pays for the dredging?")
    store.merge_notes(add_comments=[
        dataclasses.replace(first, id=new_id(), body=f"comment {i}",
                            section_id=SECTION_IDS[i % 4], current_section=SECTION_IDS[i % 4],
                            created=f"2027-01-01T00:00:{i % 60:02d}.{i:03d}Z")
        for i in range(COMMENTS - 1)
    ])
    an.reload()
    assert len(an.highlights) == HIGHLIGHTS and len(an.comments) == COMMENTS
    an.counts_by_section()  # the window asks at once: from here on it is kept in step
    return an


def assert_as_loaded(an: Annotations, service: NotesService, brief) -> None:
    """The cache holds what a full load gives (whoever lists notes sorts them)."""
    fresh_h = service.highlights(brief)
    fresh_c = service.comments(brief)
    assert an.highlights == {h.id: h for h in fresh_h}
    assert an.comments == {c.id: c for c in fresh_c}
    assert an.deleted_comments == {c.id: c for c in service.comments(brief, trash=True)}
    assert an.bookmarks == service.bookmarks(brief)
    # What the window asks of the cache, kept in step note by note, is what a cache
    # loaded afresh works out.
    fresh = Annotations(service)
    fresh.brief = brief
    fresh.reload()
    assert queries(an, brief) == queries(fresh, brief)


def queries(an: Annotations, brief) -> dict:
    ids = {h.id for h in an.highlights.values()}
    sections = [s.id for s in brief.sections]
    return {
        "placed": {s: [h.id for h in an.in_section(s)] for s in sections},
        "comments": {s: [c.id for c in an.threads_in(s)] for s in sections},
        "review": sorted(h.id for h in an.needs_review()),
        "kept": sorted(h.id for h in an.kept_orphans()),
        "counts": an.counts_by_section(),
        "tags": an.tags(),
        "authors": an.authors(),
        "all": len(ids),
    }


def changes(an: Annotations) -> list[int]:
    calls: list[int] = []
    an.changed.connect(lambda: calls.append(1))
    return calls


def pick(an: Annotations, n: int = 777) -> str:
    return list(an.highlights)[n]


# ----------------------------------------------------------------------------- highlights


def test_editing_a_note_updates_only_that_note(many, service, brief, monkeypatch):
    an = many
    hid = pick(an)
    before = an.highlights[hid]
    other = an.highlights[pick(an, 5)]
    saved, changed, texts = [], changes(an), []
    an.saved.connect(saved.append)
    an.text_changed.connect(texts.append)
    loads = FullLoads(monkeypatch)
    for text in ("C", "Ch", "Check the dredging costs"):  # autosaves while typing
        an.edit_note(hid, text)
    assert loads.take() == []
    assert an.highlights[hid].note == "Check the dredging costs"
    assert an.highlights[pick(an, 5)] is other  # the rest untouched
    # Only the text changed: no full refresh of places, counts and review is asked for.
    assert saved == [hid] * 3 and texts == [hid] * 3 and changed == []
    assert an.undo_stack.count() == 1  # the autosaves merged into one step
    assert_as_loaded(an, service, brief)

    loads.take()
    an.undo_stack.undo()
    assert loads.take() == []
    assert an.highlights[hid].note == before.note
    assert_as_loaded(an, service, brief)


def test_recolour_and_retag_with_undo_and_redo(many, service, brief, monkeypatch):
    an = many
    hid = pick(an, 1234)
    before = an.highlights[hid]
    loads = FullLoads(monkeypatch)
    an.recolour(hid, "red")
    an.set_tags(hid, ["harbour", "costs"])
    assert loads.take() == []
    assert (an.highlights[hid].color, an.highlights[hid].tags) == ("red", ("harbour", "costs"))
    assert_as_loaded(an, service, brief)

    loads.take()
    an.undo_stack.undo()
    an.undo_stack.undo()
    assert loads.take() == []
    assert (an.highlights[hid].color, an.highlights[hid].tags) == (before.color, before.tags)
    assert_as_loaded(an, service, brief)

    loads.take()
    an.undo_stack.redo()
    assert loads.take() == []
    assert an.highlights[hid].color == "red"
    assert_as_loaded(an, service, brief)


def test_delete_undo_redo_and_restore_from_the_trash(many, service, store, brief,
                                                     monkeypatch):
    an = many
    hid = pick(an, 1500)
    changed = changes(an)
    loads = FullLoads(monkeypatch)
    an.delete_highlight(hid)
    assert loads.take() == []
    assert hid not in an.highlights and len(an.highlights) == HIGHLIGHTS - 1
    assert store.get_highlight(hid).deleted_at is not None
    assert len(changed) == 1
    assert_as_loaded(an, service, brief)

    loads.take()
    an.undo_stack.undo()  # back from the trash, at its place in reading order
    assert loads.take() == []
    assert hid in an.highlights and len(changed) == 2
    assert_as_loaded(an, service, brief)

    loads.take()
    an.undo_stack.redo()
    assert loads.take() == []
    assert hid not in an.highlights
    assert_as_loaded(an, service, brief)

    loads.take()
    an.restore_highlight(hid)  # the Trash view's Restore
    assert loads.take() == []
    assert hid in an.highlights
    assert_as_loaded(an, service, brief)


def test_create_undo_redo(many, service, brief, monkeypatch):
    an = many
    loads = FullLoads(monkeypatch)
    hid = an.create_highlight("dredging", 40, 60, "purple")
    assert hid is not None
    assert loads.take() == []
    assert an.highlights[hid].color == "purple"
    assert_as_loaded(an, service, brief)

    loads.take()
    an.undo_stack.undo()  # to the trash
    assert loads.take() == []
    assert hid not in an.highlights
    assert [h.id for h in service.highlights(brief, trash=True)] == [hid]
    assert_as_loaded(an, service, brief)

    loads.take()
    an.undo_stack.redo()
    assert loads.take() == []
    assert hid in an.highlights
    assert_as_loaded(an, service, brief)


def test_review_keep_orphan_and_attach(many, service, brief, monkeypatch):
    an = many
    orphan, moved = pick(an, 10), pick(an, 1900)
    loads = FullLoads(monkeypatch)
    an.keep_orphan(orphan)
    assert loads.take() == []
    h = an.highlights[orphan]
    assert (h.status, h.current_section) == ("orphaned", None) and h.reviewed
    assert_as_loaded(an, service, brief)

    loads.take()
    an.attach(moved, "traffic", 3, 30)  # moves it to another place in reading order
    assert loads.take() == []
    h = an.highlights[moved]
    assert (h.section_id, h.start, h.end, h.status) == ("traffic", 3, 30, "anchored")
    assert_as_loaded(an, service, brief)


def test_a_failed_write_changes_nothing(many, service, store, brief, monkeypatch):
    an = many
    hid = pick(an, 42)
    an.delete_highlight(hid)
    store.purge_highlight(hid)  # another window emptied the trash meanwhile
    failures, changed = [], changes(an)
    an.save_failed.connect(lambda item, message: failures.append(item))
    loads = FullLoads(monkeypatch)
    an.undo_stack.undo()
    an.restore_highlight(hid)
    assert loads.take() == []
    assert failures == [hid, hid] and changed == []
    assert_as_loaded(an, service, brief)


# ----------------------------------------------------------------------------- comments


def test_comments_add_edit_delete_restore(many, service, brief, monkeypatch):
    an = many
    loads = FullLoads(monkeypatch)
    added = an.add_comment("outlook", "Ask about the cranes.", None)
    reply = an.add_comment("outlook", "June at the earliest.", added.id)
    an.edit_comment(added.id, "Ask about the two cranes.")
    assert loads.take() == []
    assert an.comments[added.id].body == "Ask about the two cranes."
    assert an.comments[reply.id].reply_to == added.id
    assert_as_loaded(an, service, brief)

    loads.take()
    old = list(an.comments)[3]
    an.delete_comment(old)
    assert loads.take() == []
    assert old not in an.comments
    assert_as_loaded(an, service, brief)

    loads.take()
    an.restore_comment(old)
    assert loads.take() == []
    assert old in an.comments
    assert_as_loaded(an, service, brief)


def test_a_deleted_comment_with_replies_keeps_its_thread_in_shape(many):
    an = many
    question = an.add_comment("outlook", "Ask about the cranes.", None)
    reply = an.add_comment("outlook", "June at the earliest.", question.id)
    answer = an.add_comment("outlook", "Confirmed by the port.", reply.id)
    alone = an.add_comment("outlook", "A comment with no replies.", None)
    an.delete_comment(question.id)
    an.delete_comment(reply.id)
    an.delete_comment(alone.id)
    assert question.id not in an.comments and question.id in an.deleted_comments
    # The panel gets both deleted comments the last reply answers, not the lone one.
    shown = [(c.id, c.deleted_at is not None) for c in an.threads_in("outlook")
             if c.id in (question.id, reply.id, answer.id, alone.id)]
    assert shown == [(question.id, True), (reply.id, True), (answer.id, False)]
    assert [c.id for c in an.comments_in("outlook")].count(question.id) == 0
    an.restore_comment(question.id)
    assert question.id in an.comments and question.id not in an.deleted_comments


def test_a_thread_written_in_one_instant_keeps_its_shape_around_a_deleted_comment(
    many, monkeypatch
):
    # Comments stamped alike (imported, or typed fast): a deleted one still comes before
    # the replies that answer it.
    from briefreader import store as store_module

    monkeypatch.setattr(store_module, "now_utc", lambda: "2026-11-28T03:00:00.000Z")
    an = many
    question = an.add_comment("outlook", "Ask about the cranes.", None)
    reply = an.add_comment("outlook", "June at the earliest.", question.id)
    answer = an.add_comment("outlook", "Confirmed by the port.", reply.id)
    an.delete_comment(question.id)
    an.delete_comment(reply.id)
    shown = [c.id for c in an.threads_in("outlook") if c.id in (question.id, reply.id,
                                                                 answer.id)]  # fmt: skip
    assert shown == [question.id, reply.id, answer.id]


# ----------------------------------------------------------------------------- the rest


def test_bookmarks_are_reread_without_the_notes(many, service, brief, monkeypatch):
    an = many
    loads = FullLoads(monkeypatch)
    assert an.toggle_bookmark("finance", 120, "Finance") is True
    assert [b.section_id for b in an.bookmarks] == ["finance"]
    an.rename_bookmark(an.bookmarks[0].id, "Costs")
    assert [b.label for b in an.bookmarks] == ["Costs"]
    assert an.toggle_bookmark("outlook", 0, "Outlook") is True
    an.remove_bookmark(an.bookmark_in("outlook").id)
    assert loads.take() == []
    assert_as_loaded(an, service, brief)
    loads.take()
    assert an.toggle_bookmark("finance", 0, "Finance") is False
    assert an.bookmarks == []
    assert loads.take() == []


def test_empty_trash_reloads_everything(many, service, store, brief, monkeypatch):
    an = many
    parent = list(an.comments)[0]
    reply = an.add_comment(an.comments[parent].current_section, "A reply.", parent)
    an.delete_comment(parent)
    an.delete_highlight(pick(an, 3))
    loads = FullLoads(monkeypatch)
    an.empty_trash()
    assert "NotesService.highlights" in loads.take()  # a full reload, by design
    assert service.highlights(brief, trash=True) == [] == service.comments(brief, trash=True)
    assert an.comments[reply.id].reply_to is None  # its parent is gone for good
    assert_as_loaded(an, service, brief)


def test_purging_notes_of_the_trash_reads_back_only_the_replies(many, service, store, brief,
                                                                monkeypatch):
    an = many
    parent = list(an.comments)[0]
    section = an.comments[parent].current_section
    live = an.add_comment(section, "A reply.", parent)
    trashed = an.add_comment(section, "Another reply.", parent)
    an.delete_comment(parent)
    an.delete_comment(trashed.id)
    hid = pick(an, 3)
    an.delete_highlight(hid)
    assert an.replies_to([parent]) == 2  # live and in the Trash
    loads = FullLoads(monkeypatch)
    assert an.purge([("comment", parent), ("highlight", hid)]) is True
    assert loads.take() == []  # no full reload
    assert store.purged([parent, hid, live.id]) == {parent, hid}
    assert an.comments[live.id].reply_to is None  # its parent is gone for good
    assert an.deleted_comments[trashed.id].reply_to is None
    assert_as_loaded(an, service, brief)


def test_a_purge_that_cannot_be_done_says_so_and_deletes_nothing(many, service, store):
    an = many
    gone, live = pick(an, 3), pick(an, 4)
    an.delete_highlight(gone)
    failed = []
    an.save_failed.connect(lambda item, message: failed.append(message))
    assert an.purge([("highlight", gone), ("highlight", live)]) is False
    assert len(failed) == 1 and failed[0].startswith("Nothing was deleted for good")
    assert store.purged([gone, live]) == set() and store.get_highlight(gone).deleted_at


def test_window_layer_talks_to_the_service_only():
    source = Path(annotations_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    store_uses = [node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr == "store"]
    assert store_uses == [], f"annotations.py reaches into the store at lines {store_uses}"


def test_notes_service_imports_no_qt():
    tree = ast.parse(Path(notes_module.__file__).read_text(encoding="utf-8"))
    modules = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names]
    modules += [node.module or "" for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom)]
    assert not [m for m in modules if m.startswith(("PySide6", "shiboken6", "briefreader.ui"))]


def test_a_comment_edited_in_two_windows_keeps_both_texts(qapp, service, store, brief):
    one, two = Annotations(service), Annotations(service)
    one.open_brief(brief)
    c = one.add_comment("finance", "Who pays?", None)
    two.open_brief(brief)
    two.edit_comment(c.id, "Who pays for the dredging?")
    merged_seen = []
    one.merged_elsewhere.connect(lambda cid, text: merged_seen.append((cid, text)))
    one.edit_comment(c.id, "Who pays? Ask the board.")  # one still has "Who pays?"
    both = "Who pays for the dredging?\n\nWho pays? Ask the board."
    assert store.get_comment(c.id).body == both
    assert merged_seen == [(c.id, both)] and one.comments[c.id].body == both
    two.edit_comment(c.id, both + " Soon.")  # two read nothing since: a conflict too
    assert store.get_comment(c.id).body == both + " Soon."  # went on from it: not doubled


def test_a_comment_trashed_in_another_window_is_not_reported_as_merged(qapp, service, store,
                                                                        brief):
    one, two = Annotations(service), Annotations(service)
    one.open_brief(brief)
    c = one.add_comment("finance", "Who pays?", None)
    two.open_brief(brief)
    two.edit_comment(c.id, "Who pays for it?")
    two.delete_comment(c.id)
    seen = []
    one.merged_elsewhere.connect(lambda *args: seen.append(args))
    one.edit_comment(c.id, "Who pays? Ask.")
    assert seen == [] and c.id not in one.comments  # it left the window: in the Trash
    assert "Who pays? Ask." in store.get_comment(c.id).body  # nothing typed is lost
