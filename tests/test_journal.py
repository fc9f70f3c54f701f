"""The typing journal: typed text kept keystroke by keystroke until it is saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefreader import journal as journal_mod
from briefreader.journal import TypingJournal, read_journal


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "journal"


def texts(j: TypingJournal, brief: str = "b1") -> list[tuple[str, str, str]]:
    return [(e.kind, e.item, e.text) for e in j.pending(brief)]


def test_typed_text_is_on_disk_at_once_and_settling_forgets_it(folder):
    j = TypingJournal(folder)
    assert j.typed("note", "b1", "h1", "Fares r")
    assert j.typed("note", "b1", "h1", "Fares rose")
    assert [(e.item, e.text) for e in read_journal(j.path)] == [("h1", "Fares rose")]
    j.settled("note", "b1", "h1", "Fares r")  # an older text was saved: the newer stays
    assert texts(j) == [("note", "h1", "Fares rose")]
    j.settled("note", "b1", "h1", "Fares rose")
    assert texts(j) == []
    assert j.path.stat().st_size == 0  # nothing unsettled: the file is emptied
    j.close()
    assert not j.path.exists()


def test_a_journal_left_behind_is_adopted_by_the_next_window(folder):
    first = TypingJournal(folder)
    first.typed("note", "b1", "h1", "kept")
    first.typed("comment", "b1", "c1", "settled")
    first.settled("comment", "b1", "c1", "settled")
    first.typed("draft", "b1", "s2", "a reply", reply_to="c9")
    first.typed("note", "b2", "h7", "other brief")
    first.close()  # closed with unsettled text (or killed: the same file is left)
    assert first.path.exists()

    second = TypingJournal(folder)
    assert texts(second) == [("note", "h1", "kept"), ("draft", "s2", "a reply")]
    assert second.pending("b1")[1].reply_to == "c9"
    assert texts(second, "b2") == [("note", "h7", "other brief")]
    assert not first.path.exists()  # taken over: it is in the second one's file now
    assert {e.text for e in read_journal(second.path)} == {"kept", "a reply", "other brief"}
    second.close()


def test_text_typed_under_a_brief_key_follows_its_notes_to_another(folder):
    j = TypingJournal(folder)
    j.typed("note", "b1", "h1", "typed on the old key", base="saved")
    j.typed("draft", "b1", "s2", "older draft")
    j.typed("draft", "b2", "s2", "newer draft")
    j.typed("draft", "b1", "s3", "a reply", reply_to="c9")
    j.move_brief("b1", "b2")
    assert texts(j, "b1") == []
    assert sorted(texts(j, "b2")) == [("draft", "s2", "newer draft"),
                                      ("draft", "s3", "a reply"),
                                      ("note", "h1", "typed on the old key")]
    moved = {e.item: e for e in j.pending("b2")}
    assert moved["h1"].base == "saved" and moved["s3"].reply_to == "c9"
    j.close()  # left behind: the next window finds them under the new key
    again = TypingJournal(folder)
    assert sorted(texts(again, "b2")) == sorted(texts(j, "b2")) and texts(again, "b1") == []
    again.close()


def test_the_journal_of_a_window_still_open_is_left_alone(folder):
    running = TypingJournal(folder)
    running.typed("note", "b1", "h1", "still typing")
    other = TypingJournal(folder)
    assert other.pending("b1") == []
    assert read_journal(running.path)[0].text == "still typing"
    other.close()
    running.close()


KILLED = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from briefreader.journal import TypingJournal
    j = TypingJournal(Path(sys.argv[1]))
    j.typed("note", "b1", "h1", "typed just before the kill")
    os.kill(os.getpid(), 9)
    """
)


def test_a_killed_window_loses_nothing_it_typed(folder):
    done = subprocess.run([sys.executable, "-c", KILLED, str(folder)], capture_output=True)
    assert done.returncode == -9, done.stderr.decode()
    assert list(folder.glob("*.lock"))  # its lock is left behind, stale
    j = TypingJournal(folder)
    assert texts(j) == [("note", "h1", "typed just before the kill")]
    j.close()


def test_a_line_cut_short_is_skipped_and_old_text_kept(folder):
    # Old text is kept however old: its brief may not have been opened for months.
    folder.mkdir()
    old = {"kind": "note", "brief": "b1", "item": "h0", "reply_to": "", "text": "ancient",
           "at": "2001-01-01T00:00:00.000Z"}
    good = dict(old, item="h1", text="whole", at="2099-01-01T00:00:00.000Z")
    (folder / "dead.jsonl").write_text(
        json.dumps(old) + "\n" + json.dumps(good) + "\n" + '{"kind": "note", "brief": "b1", "it',
        encoding="utf-8")
    j = TypingJournal(folder)
    assert texts(j) == [("note", "h0", "ancient"), ("note", "h1", "whole")]
    j.close()


def test_a_journal_left_behind_that_cannot_be_read_now_is_kept_for_later(folder,
                                                                          monkeypatch):
    dead = TypingJournal(folder)
    dead.typed("note", "b1", "h1", "typed before the crash")
    dead.close()  # left behind, as by a crash
    real = Path.read_bytes

    def unreadable(self):
        if self == dead.path:  # e.g. EIO, or a virus scanner holding it
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    second = TypingJournal(folder)
    assert texts(second) == []
    second.close()
    monkeypatch.undo()
    assert dead.path.exists()  # not deleted unread
    third = TypingJournal(folder)
    assert texts(third) == [("note", "h1", "typed before the crash")]
    third.close()


def test_a_long_session_is_compacted_to_what_is_unsettled(folder, monkeypatch):
    monkeypatch.setattr(journal_mod, "COMPACT_AT", 4096)
    j = TypingJournal(folder)
    j.typed("note", "b1", "keep", "unsaved words")
    text = ""
    for word in range(400):
        text += f"word{word} "
        j.typed("note", "b1", "h1", text)
    assert j.path.stat().st_size < 4096 + len(text) * 2
    j.settled("note", "b1", "h1", text)
    assert [e.text for e in read_journal(j.path)] == ["unsaved words"]
    j.typed("note", "b1", "h2", "after")
    assert {e.text for e in read_journal(j.path)} == {"unsaved words", "after"}
    j.close()


def test_a_folder_that_cannot_be_written_is_reported_not_raised(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    j = TypingJournal(blocked / "journal")
    assert not j.ok
    assert j.typed("note", "b1", "h1", "text") is False
    assert texts(j) == [("note", "h1", "text")]  # still known to this window
    j.close()


def test_a_line_cut_short_by_a_full_disk_does_not_swallow_the_next(folder, monkeypatch):
    j = TypingJournal(folder)
    j.typed("note", "b1", "h1", "saved text")
    real_write, calls = os.write, []

    def full_disk(fd, data):
        calls.append(1)
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))  # part of the line, then no space
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_mod.os, "write", full_disk)
    assert not j.typed("note", "b1", "h2", "other note being typed")
    assert not j.ok
    monkeypatch.setattr(journal_mod.os, "write", real_write)
    j.settled("note", "b1", "h1", "saved text")  # space again
    assert [e.item for e in read_journal(j.path)] == []  # h2's line was never whole
    assert j.keep_all() and j.ok  # and now it is
    assert [e.item for e in read_journal(j.path)] == ["h2"]
    j.close()


def test_a_save_of_an_earlier_text_moves_the_base_on(folder):
    j = TypingJournal(folder)
    j.typed("note", "b1", "h1", "Fares r", base="")
    j.typed("note", "b1", "h1", "Fares rose", base="ignored: typing goes on")
    j.settled("note", "b1", "h1", "Fares r")  # the autosave of a moment ago
    j.close()
    again = TypingJournal(folder)
    [entry] = again.pending("b1")
    assert (entry.text, entry.base) == ("Fares rose", "Fares r")
    again.close()


def test_a_large_journal_taken_over_stays_on_disk(folder):
    dead = TypingJournal(folder)
    big = "pasted text " * 25_000  # ~300 KB: a long note whose save failed
    dead.typed("note", "b1", "h1", big)
    dead.typed("note", "b1", "h2", "a short note")
    dead.close()  # left behind, as by a crash
    second = TypingJournal(folder)  # its write of what it takes over compacts the file
    assert {e.item for e in read_journal(second.path)} == {"h1", "h2"}
    second.close()
    third = TypingJournal(folder)
    assert {e.item for e in third.pending("b1")} == {"h1", "h2"}
    third.close()


def test_a_long_note_is_written_once_a_keystroke_not_compacted_each_time(folder):
    j = TypingJournal(folder)
    text = "x" * 200_000
    j.typed("note", "b1", "h1", text, base="y" * 200_000)
    sizes = []
    for _ in range(5):
        text += "z"
        j.typed("note", "b1", "h1", text)
        sizes.append(j.path.stat().st_size)
    steps = [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
    assert all(len(text) <= step < len(text) + 200 for step in steps)  # no base, no rewrite
    [entry] = read_journal(j.path)
    assert (entry.text, entry.base) == (text, "y" * 200_000)
    j.close()


def test_the_base_is_written_again_until_a_line_carrying_it_is_on_disk(folder, monkeypatch):
    j = TypingJournal(folder)
    real_write, calls = os.write, []

    def first_fails(fd, data):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(journal_mod.os, "write", first_fails)
    assert not j.typed("note", "b1", "h1", "Stored. a", base="Stored.")
    assert j.typed("note", "b1", "h1", "Stored. ab") and j.ok
    j.close()
    again = TypingJournal(folder)
    [entry] = again.pending("b1")
    assert (entry.text, entry.base) == ("Stored. ab", "Stored.")
    again.close()


def test_of_two_journals_typing_one_box_in_the_same_instant_the_later_read_wins(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("a", "first"), ("b", "second")):  # read in name order
        (folder / f"{name}.jsonl").write_text(json.dumps({
            "kind": "note", "brief": "b1", "item": "h1", "reply_to": "", "text": text,
            "at": "2026-11-28T03:00:00.000Z", "base": ""}) + "\n", encoding="utf-8")
    j = TypingJournal(folder)
    assert texts(j) == [("note", "h1", "second")]
    j.close()
