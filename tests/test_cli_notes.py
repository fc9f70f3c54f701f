"""The notes commands (annotate, comment, notes, db) through cli.main and one subprocess."""

from __future__ import annotations

import io
import json
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader.cli import main
from briefreader.store import Store
from cli_run import BRIEF, run, run_json

EDITED = BRIEF.replace(
    "## Enforcement\n\n",
    "## Enforcement\n\nInspections double from March. ",
).replace("The haddock quota is unchanged.\n", "")


@pytest.fixture
def brief(tmp_path) -> Path:
    path = tmp_path / "fisheries.md"
    path.write_text(BRIEF, encoding="utf-8")
    return path


def test_annotate_prints_the_new_highlight(capsys, brief, data):
    h = run_json(
        capsys, "--data-dir", str(data), "annotate", str(brief), "--section", "catch-limits",
        "--quote", "cod quota", "--occurrence", "2", "--note", "Inshore *only*",
        "--color", "blue", "--tag", "cod", "--tag", "inshore",
    )  # fmt: skip
    assert h["exact"] == h["text"] == "cod quota"
    assert h["prefix"] == "haddock quota is unchanged. The "  # 32 characters of context
    assert (h["status"], h["section"], h["color"], h["tags"], h["note"]) == (
        "anchored",
        "catch-limits",
        "blue",
        ["cod", "inshore"],
        "Inshore *only*",
    )
    assert h["end"] - h["start"] == len("cod quota")
    listed = run_json(capsys, "--data-dir", str(data), "notes", str(brief))
    assert listed["highlights"] == [h]  # the same object as in `notes`


def test_annotate_readable_output(capsys, brief, data):
    code, out, _ = run(
        capsys, "--data-dir", str(data), "annotate", str(brief), "--section", "enforcement",
        "--quote", "Satellite monitoring", "--note", "Costs?",
    )  # fmt: skip
    assert code == 0
    assert "Highlighted in Enforcement [enforcement]" in out
    assert "“Satellite monitoring”" in out and "Costs?" in out


def test_tags_are_listed_as_typed_each_whole(capsys, brief, data):
    code, out, _ = run(
        capsys, "--data-dir", str(data), "annotate", str(brief), "--section", "enforcement",
        "--quote", "Satellite monitoring", "--tag", "needs review", "--tag", "#legal",
    )  # fmt: skip
    assert code == 0
    assert "tags: needs review, #legal · " in out  # not "#needs review ##legal"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--section", "catch-limits", "--quote", "salmon"], "does not occur"),
        (["--section", "catch-limits", "--quote", "cod quota", "--occurrence", "3"], "only 2"),
        (["--section", "annex", "--quote", "cod"], "no section 'annex'"),
    ],
)
def test_annotate_errors_exit_non_zero_with_one_line(capsys, brief, data, args, message):
    code, out, err = run(capsys, "--data-dir", str(data), "annotate", str(brief), *args)
    assert code == 1
    assert message in err and err.startswith("briefreader: ") and err.count("\n") == 1
    assert out == ""


def test_bad_colour_and_occurrence_are_usage_errors(capsys, brief, data):
    for extra in (["--color", "pink"], ["--occurrence", "0"]):
        with pytest.raises(SystemExit) as info:
            main(["--data-dir", str(data), "annotate", str(brief), "--section", "catch-limits",
                  "--quote", "cod", *extra])  # fmt: skip
        assert info.value.code == 2
    capsys.readouterr()


def test_comment_and_reply(capsys, brief, data):
    root = run_json(
        capsys, "--data-dir", str(data), "comment", str(brief), "--section", "enforcement",
        "--text", "Who pays for the trackers?",
    )  # fmt: skip
    reply = run_json(
        capsys, "--data-dir", str(data), "comment", str(brief), "--section", "enforcement",
        "--text", "The ministry, for two years.", "--reply-to", root["id"],
    )  # fmt: skip
    assert (root["status"], root["section"], root["reply_to"]) == ("anchored", "enforcement", None)
    assert reply["reply_to"] == root["id"]
    listed = run_json(capsys, "--data-dir", str(data), "notes", str(brief))
    assert listed["comments"] == [root, reply]
    code, out, _ = run(capsys, "--data-dir", str(data), "notes", str(brief))
    assert code == 0
    assert "Who pays for the trackers?" in out and "› The ministry, for two years." in out


def test_a_reply_goes_to_the_section_of_its_comment(capsys, brief, data):
    # A reply named another section: it was stored there but listed in its thread's.
    base = ["--data-dir", str(data)]
    root = run_json(capsys, *base, "comment", str(brief), "--section", "enforcement",
                    "--text", "Who pays for the trackers?")  # fmt: skip
    code, out, err = run(capsys, *base, "comment", str(brief), "--section", "catch-limits",
                         "--text", "The ministry.", "--reply-to", root["id"])  # fmt: skip
    assert code == 1 and out == ""
    assert err == (f"briefreader: comment '{root['id']}' is on section 'enforcement':"
                   " its replies go there\n")
    assert run_json(capsys, *base, "notes", str(brief))["comments"] == [root]


def test_notes_json_shape_and_reanchoring_after_an_edit(capsys, brief, data):
    base = ["--data-dir", str(data)]
    kept = run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
                    "--quote", "Satellite monitoring becomes mandatory")  # fmt: skip
    gone = run_json(capsys, *base, "annotate", str(brief), "--section", "catch-limits",
                    "--quote", "The haddock quota is unchanged.")  # fmt: skip
    brief.write_text(EDITED, encoding="utf-8")
    code, out, _ = run(capsys, *base, "notes", str(brief))
    assert "The brief changed: 1 note orphaned." in out
    listed = run_json(capsys, *base, "notes", str(brief))
    assert listed["brief"] == {
        "id": "fisheries-2026",
        "title": "Fisheries Readout",
        "path": str(brief.resolve()),
    }
    assert set(listed["highlights"][0]) == {
        "id", "status", "section", "start", "end", "exact", "prefix", "suffix", "text",
        "note", "color", "tags", "author", "created", "modified",
    }  # fmt: skip
    by_id = {h["id"]: h for h in listed["highlights"]}
    now = by_id[kept["id"]]
    assert now["status"] == "anchored"
    assert now["start"] == kept["start"] + len("Inspections double from March. ")
    assert now["text"] == "Satellite monitoring becomes mandatory"
    orphan = by_id[gone["id"]]  # its text vanished: kept, with what was stored
    assert (orphan["status"], orphan["section"], orphan["start"], orphan["text"]) == (
        "orphaned",
        None,
        None,
        None,
    )
    assert orphan["exact"] == "The haddock quota is unchanged."
    code, out, _ = run(capsys, *base, "notes", str(brief))
    assert "Since they were made: 1 note orphaned." in out and "Orphaned (not found)" in out


def test_a_note_or_comment_too_long_for_a_command_line_is_read_from_a_file(
        capsys, brief, data, tmp_path, monkeypatch):
    base = ["--data-dir", str(data)]
    long_note = "Figures checked against the ministry's tables. " * 60_000  # ~2.9 MB
    (tmp_path / "note.md").write_text(long_note, encoding="utf-8")
    made = run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
                    "--quote", "Satellite", "--note-file", str(tmp_path / "note.md"))
    assert made["note"] == long_note
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Read from stdin.")))
    posted = run_json(capsys, *base, "comment", str(brief), "--section", "enforcement",
                      "--text-file", "-")
    assert posted["body"] == "Read from stdin."
    (tmp_path / "crlf.txt").write_bytes(b"One.\r\n\r\nTwo.\r\n")  # as saved on Windows
    posted = run_json(capsys, *base, "comment", str(brief), "--section", "enforcement",
                      "--text-file", str(tmp_path / "crlf.txt"))
    assert posted["body"] == "One.\n\nTwo."
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    code, _, err = run(capsys, *base, "comment", str(brief), "--section", "enforcement",
                       "--text-file", str(tmp_path / "latin1.txt"))
    assert code == 1 and "not UTF-8" in err and err.count("\n") == 1
    code, _, err = run(capsys, *base, "comment", str(brief), "--section", "enforcement",
                       "--text-file", str(tmp_path / "missing.txt"))
    assert code == 1 and "cannot read" in err


def test_db_check_backup_restore(capsys, brief, data):
    base = ["--data-dir", str(data)]
    first = run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
                     "--quote", "Satellite")  # fmt: skip
    code, out, _ = run(capsys, *base, "db", "check")
    assert code == 0 and "sound" in out
    for daily in (data / "backups").glob("*"):
        daily.unlink()  # as on the next day: a daily backup is due
    code, out, _ = run(capsys, *base, "db", "backup")
    backup = Path(out.strip())
    assert code == 0 and backup.is_file() and backup.parent == data / "backups"
    assert list(backup.parent.iterdir()) == [backup]  # one, not a daily one besides
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "mandatory")  # fmt: skip

    code, out, _ = run(capsys, *base, "db", "restore")
    assert code == 0
    assert f"from {backup}" in out and "kept as" in out
    listed = run_json(capsys, *base, "notes", str(brief))
    assert [h["id"] for h in listed["highlights"]] == [first["id"]]
    # The replaced database is kept, with the note made after the backup.
    aside = next(data.glob("notes.sqlite3.replaced-*[0-9]Z"))
    with sqlite3.connect(aside) as conn:
        assert conn.execute("SELECT count(*) FROM highlights").fetchone()[0] == 2
    conn.close()


def test_the_command_line_keeps_as_many_backups_as_preferences_say(capsys, data):
    from briefreader.paths import Paths
    from briefreader.settings import Settings

    Settings(Paths(data).ensure().settings_file).keep_backups = 3
    for _ in range(5):
        assert run(capsys, "--data-dir", str(data), "db", "backup")[0] == 0
    assert len(list((data / "backups").glob("notes-*.sqlite3"))) == 3
    Settings(Paths(data).settings_file).keep_backups = 9
    for _ in range(8):
        run(capsys, "--data-dir", str(data), "db", "backup")
    assert len(list((data / "backups").glob("notes-*.sqlite3"))) == 9  # not the default 7


def test_db_backups_lists_each_backup_and_whether_it_can_be_restored(capsys, brief, data):
    base = ["--data-dir", str(data)]
    code, out, _ = run(capsys, *base, "db", "backups")
    assert code == 0 and out.startswith("no backups in ")
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")  # fmt: skip
    for daily in (data / "backups").glob("*"):
        daily.unlink()
    older = Path(run(capsys, *base, "db", "backup")[1].strip())
    newer = Path(run(capsys, *base, "db", "backup")[1].strip())
    older.write_bytes(b"not a database at all" * 100)  # damaged since
    listed = run_json(capsys, *base, "db", "backups")
    assert listed["folder"] == str(data / "backups")
    assert [(b["path"], b["sound"]) for b in listed["backups"]] == [
        (str(newer), True), (str(older), False)]  # newest first
    assert listed["backups"][1]["problems"] and listed["backups"][0]["problems"] == []
    code, out, _ = run(capsys, *base, "db", "backups")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(str(newer)) and lines[0].endswith("sound")
    assert lines[1].startswith(str(older)) and "cannot be restored: " in lines[1]


def test_db_restore_named_backup_and_missing(capsys, brief, data, tmp_path):
    code, _, err = run(capsys, "--data-dir", str(data), "db", "restore")
    assert code == 1 and "no sound backup" in err
    code, _, err = run(capsys, "--data-dir", str(data), "db", "restore", str(tmp_path / "x"))
    assert code == 1 and "no backup file" in err


def test_db_restore_of_a_file_that_is_not_a_notes_database_is_one_clear_line(
        capsys, brief, data, tmp_path):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")  # fmt: skip
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    code, out, err = run(capsys, *base, "db", "restore", str(other))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "not a briefreader notes database" in err
    assert len(run_json(capsys, *base, "notes", str(brief))["highlights"]) == 1


def test_db_restore_refuses_the_notes_database_itself(capsys, brief, data, monkeypatch):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")  # fmt: skip
    monkeypatch.chdir(data)
    for given in (str(data / "notes.sqlite3"), "notes.sqlite3"):
        code, out, err = run(capsys, *base, "db", "restore", given)
        assert (code, out) == (1, "")
        assert "is the notes database itself" in err and str(data / "backups") in err
    assert not list(data.glob("notes.sqlite3.replaced-*"))  # nothing set aside
    assert len(run_json(capsys, *base, "notes", str(brief))["highlights"]) == 1


def test_a_data_folder_that_cannot_be_made_is_named_in_the_error(capsys, brief, tmp_path):
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(taken), "notes", str(brief))
    assert code == 1 and str(taken) in err and err.count("\n") == 1


def test_damaged_database_is_reported_and_moved_aside(capsys, brief, data):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")  # fmt: skip
    run(capsys, *base, "db", "backup")
    (data / "notes.sqlite3").write_bytes(b"\0garbage" * 2048)
    code, _, err = run(capsys, *base, "db", "check")
    assert code == 1 and "damaged" in err and "db restore" in err
    assert list(data.glob("notes.sqlite3.corrupt-*"))
    code, _, _ = run(capsys, *base, "db", "restore")
    assert code == 0
    assert len(run_json(capsys, *base, "notes", str(brief))["highlights"]) == 1


def test_a_damaged_database_with_no_backup_is_recalled_while_no_notes_are_kept(
        capsys, brief, data):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")  # fmt: skip
    (data / "notes.sqlite3").write_bytes(b"\0garbage" * 2048)
    for backup in (data / "backups").glob("*"):
        backup.unlink()
    code, _, err = run(capsys, *base, "notes", str(brief))
    assert code == 1 and "no sound backup" in err
    damaged = next(data.glob("notes.sqlite3.corrupt-*"))
    # Every later command still says where the notes went: once, and on stderr only.
    for _ in range(2):
        code, out, err = run(capsys, *base, "notes", str(brief), "--json")
        assert code == 0 and json.loads(out)["highlights"] == []
        assert err.count("\n") == 1 and str(damaged) in err
        assert "damaged" in err and "db restore" in err
    code, out, err = run(capsys, *base, "notes", str(brief))
    assert code == 0 and "0 highlights" in out and err.count(str(damaged)) == 1
    # Once a note is kept in the new database, it is not said again.
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "mandatory")  # fmt: skip
    code, _, err = run(capsys, *base, "notes", str(brief))
    assert (code, err) == (0, "")


def test_db_check_reports_problems(capsys, data, monkeypatch):
    Store(data / "notes.sqlite3").close()
    monkeypatch.setattr(Store, "check", lambda self: ["row 3 missing from index"])
    code, out, err = run(capsys, "--data-dir", str(data), "db", "check")
    assert code == 1 and "row 3 missing from index" in out and "problems" in err


def test_real_subprocess(brief, data):
    done = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), "annotate", str(brief),
         "--section", "catch-limits", "--quote", "cod quota", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["exact"] == "cod quota"
    done = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), "annotate", str(brief),
         "--section", "catch-limits", "--quote", "salmon"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and "does not occur" in done.stderr


def test_notes_follow_a_brief_that_gains_a_front_matter_id(capsys, tmp_path, data):
    # A reissue adds an id to a brief that had none: its identity goes from its path
    # to the id, and the notes made on it must come along.
    path = tmp_path / "fisheries.md"
    path.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    base = ["--data-dir", str(data)]
    h = run_json(capsys, *base, "annotate", str(path), "--section", "enforcement",
                 "--quote", "Satellite monitoring", "--note", "Costs?")  # fmt: skip
    c = run_json(capsys, *base, "comment", str(path), "--section", "catch-limits",
                 "--text", "Inshore fleet?")  # fmt: skip
    path.write_text(BRIEF, encoding="utf-8")
    listed = run_json(capsys, *base, "notes", str(path))
    assert listed["brief"]["id"] == "fisheries-2026"
    assert [(x["id"], x["status"], x["section"], x["text"], x["note"])
            for x in listed["highlights"]] == [
        (h["id"], "anchored", "enforcement", "Satellite monitoring", "Costs?")
    ]  # fmt: skip
    assert [(x["id"], x["section"]) for x in listed["comments"]] == [(c["id"], "catch-limits")]


def test_notes_follow_a_brief_without_an_id_that_is_moved_not_one_copied(capsys, tmp_path,
                                                                          data):
    # Known by its path: moved or renamed, the same bytes elsewhere are that brief.
    base = ["--data-dir", str(data)]
    first = tmp_path / "fisheries.md"
    first.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    h = run_json(capsys, *base, "annotate", str(first), "--section", "enforcement",
                 "--quote", "Satellite monitoring")  # fmt: skip
    copy = tmp_path / "copy.md"
    copy.write_bytes(first.read_bytes())  # the original is still there: a copy of its own
    assert run_json(capsys, *base, "notes", str(copy))["highlights"] == []
    moved = tmp_path / "archive" / "fisheries-final.md"
    moved.parent.mkdir()
    first.rename(moved)
    listed = run_json(capsys, *base, "notes", str(moved))
    assert listed["brief"]["path"] == str(moved.resolve())
    assert [(x["id"], x["status"]) for x in listed["highlights"]] == [(h["id"], "anchored")]


#: A brief without an id, four sections of text; its reissues below edit one of them.
HARBOUR = """\
# Harbour Works Brief

## Summary

The harbour wall repairs start in March and run for eleven weeks.

## Costs

The council pays two thirds; the port authority pays the rest.

## Traffic

Lorries use the north gate while the south quay is closed.

## Next steps

The contractor reports to the board every fortnight.
"""


def _harbour_note(capsys, base: list[str], path: Path) -> dict:
    path.write_text(HARBOUR, encoding="utf-8")
    return run_json(capsys, *base, "annotate", str(path), "--section", "costs",
                    "--quote", "two thirds", "--note", "Check the split")  # fmt: skip


def _offered(capsys, base: list[str], path: Path) -> str | None:
    """The id of the brief whose notes ``notes BRIEF`` offers, None when it offers none;
    the brief itself must have no notes yet (they are offered, never taken)."""
    code, out, err = run(capsys, *base, "notes", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["highlights"] == []
    offer = re.search(r"may be this brief's: briefreader db attach (\S+) ", err)
    return None if offer is None else shlex.split(offer.group(1))[0]


def test_a_brief_moved_and_edited_is_offered_the_notes_it_had(capsys, tmp_path, data):
    base = ["--data-dir", str(data)]
    first = tmp_path / "harbour.md"
    h = _harbour_note(capsys, base, first)
    moved = tmp_path / "sent" / "harbour v2.md"
    moved.parent.mkdir()
    moved.write_text(HARBOUR.replace("eleven weeks", "twelve weeks"), encoding="utf-8")
    first.unlink()
    assert _offered(capsys, base, moved) == str(first.resolve())
    listed = run_json(capsys, *base, "db", "attach", str(first.resolve()), str(moved))
    assert [(x["id"], x["status"], x["section"], x["text"], x["note"])
            for x in listed["highlights"]] == [
        (h["id"], "anchored", "costs", "two thirds", "Check the split")
    ]  # fmt: skip


def test_a_plain_text_brief_made_markdown_is_offered_its_notes(capsys, tmp_path, data):
    base = ["--data-dir", str(data)]
    plain = tmp_path / "harbour.txt"
    plain.write_text(HARBOUR.replace("# ", ""), encoding="utf-8")
    run_json(capsys, *base, "annotate", str(plain), "--section", "traffic",
             "--quote", "north gate")  # fmt: skip
    made = tmp_path / "harbour.md"
    made.write_text(HARBOUR, encoding="utf-8")
    plain.unlink()
    assert _offered(capsys, base, made) == str(plain.resolve())


def test_a_brief_saved_over_with_its_id_taken_out_is_offered_its_notes(capsys, tmp_path,
                                                                        data):
    base = ["--data-dir", str(data)]
    path = tmp_path / "fisheries.md"
    path.write_text(BRIEF, encoding="utf-8")
    run_json(capsys, *base, "annotate", str(path), "--section", "enforcement",
             "--quote", "Satellite monitoring")  # fmt: skip
    path.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    assert _offered(capsys, base, path) == "fisheries-2026"
    # Saved over: the file there now is another brief's, so that one is not found.
    briefs = run_json(capsys, *base, "db", "briefs")["briefs"]
    assert {b["id"]: b["found"] for b in briefs} == {
        "fisheries-2026": False, str(path.resolve()): True}


def test_a_new_brief_is_not_offered_a_gone_one_it_shares_only_some_text_with(
    capsys, tmp_path, data
):
    base = ["--data-dir", str(data)]
    first = tmp_path / "harbour.md"
    _harbour_note(capsys, base, first)
    first.unlink()
    # Half its sections are the same text (a template's), half are its own: not it.
    other = tmp_path / "bridge.md"
    other.write_text(HARBOUR.replace("harbour wall repairs", "bridge repairs")
                     .replace("north gate", "east gate"), encoding="utf-8")  # fmt: skip
    assert _offered(capsys, base, other) is None


def test_an_edited_brief_that_two_gone_briefs_fit_is_offered_neither(capsys, tmp_path, data):
    base = ["--data-dir", str(data)]
    a, b = tmp_path / "a" / "harbour.md", tmp_path / "b" / "harbour.md"
    for path in (a, b):
        path.parent.mkdir()
        _harbour_note(capsys, base, path)
    a.unlink()
    b.unlink()
    edited = tmp_path / "harbour.md"
    edited.write_text(HARBOUR.replace("eleven weeks", "twelve weeks"), encoding="utf-8")
    assert _offered(capsys, base, edited) is None


def test_db_briefs_lists_the_briefs_with_notes_and_which_are_not_found(capsys, tmp_path, data):
    base = ["--data-dir", str(data)]
    gone = tmp_path / "harbour.md"
    _harbour_note(capsys, base, gone)
    gone.unlink()
    here = tmp_path / "fisheries.md"
    here.write_text(BRIEF, encoding="utf-8")
    run_json(capsys, *base, "comment", str(here), "--section", "catch-limits", "--text", "Why?")
    listed = run_json(capsys, *base, "db", "briefs")["briefs"]
    assert [(b["id"], b["title"], b["path"], b["found"], b["highlights"], b["comments"])
            for b in listed] == [
        ("fisheries-2026", "Fisheries Readout", str(here.resolve()), True, 0, 1),
        (str(gone.resolve()), "Harbour Works Brief", str(gone.resolve()), False, 1, 0),
    ]  # fmt: skip
    code, out, _ = run(capsys, *base, "db", "briefs")
    assert code == 0
    assert out.splitlines() == [
        "Fisheries Readout  (0 highlights, 1 comment)",
        "    id: fisheries-2026",
        f"    path: {here.resolve()}",
        "Harbour Works Brief  (1 highlight, 0 comments)  - not found",
        f"    id: {gone.resolve()}",
        "",
        "1 brief with notes not found where read from: 'briefreader db attach ID BRIEF'"
        " gives a brief the notes kept under ID.",
    ]


def test_db_attach_gives_a_brief_the_notes_of_one_not_found(capsys, tmp_path, data):
    # Moved and rewritten beyond recognising: the user says which brief it was.
    base = ["--data-dir", str(data)]
    gone = tmp_path / "harbour.md"
    h = _harbour_note(capsys, base, gone)
    gone.unlink()
    rewritten = tmp_path / "harbour-final.md"
    rewritten.write_text(
        HARBOUR.replace("eleven weeks", "ten weeks").replace("north gate", "west gate")
        .replace("every fortnight", "monthly"), encoding="utf-8")  # fmt: skip
    own = run_json(capsys, *base, "annotate", str(rewritten), "--section", "summary",
                   "--quote", "ten weeks")  # fmt: skip
    listed = run_json(capsys, *base, "db", "attach", str(gone.resolve()), str(rewritten))
    assert listed["brief"]["id"] == str(rewritten.resolve())
    assert sorted((x["id"], x["status"], x["section"], x["text"])
                  for x in listed["highlights"]) == sorted([
        (h["id"], "anchored", "costs", "two thirds"),
        (own["id"], "anchored", "summary", "ten weeks"),
    ])  # fmt: skip
    assert [b["id"] for b in run_json(capsys, *base, "db", "briefs")["briefs"]] == [
        str(rewritten.resolve())
    ]
    # Asking again, or for a brief's own notes, says what is wrong.
    code, _, err = run(capsys, *base, "db", "attach", str(gone.resolve()), str(rewritten))
    assert code == 1 and "no brief" in err and "db briefs" in err
    code, _, err = run(capsys, *base, "db", "attach", str(rewritten.resolve()), str(rewritten))
    assert code == 1 and "this brief's already" in err


def test_db_attach_moves_the_notes_of_a_brief_still_found_only_when_forced(capsys, tmp_path,
                                                                           data):
    base = ["--data-dir", str(data)]
    original = tmp_path / "harbour.md"
    h = _harbour_note(capsys, base, original)
    copy = tmp_path / "harbour-copy.md"
    copy.write_text(HARBOUR, encoding="utf-8")
    key = str(original.resolve())
    code, _, err = run(capsys, *base, "db", "attach", key, str(copy))
    assert code == 1 and f"is still at {key}" in err and "--force" in err
    assert [x["id"] for x in run_json(capsys, *base, "notes", str(original))["highlights"]] \
        == [h["id"]]
    listed = run_json(capsys, *base, "db", "attach", key, str(copy), "--force")
    assert [x["id"] for x in listed["highlights"]] == [h["id"]]


def test_a_brief_put_back_where_another_was_read_since_is_the_one_found(capsys, tmp_path,
                                                                        data):
    base = ["--data-dir", str(data)]
    path = tmp_path / "current.md"
    harbour = "---\nid: harbour-a\n---\n" + HARBOUR
    path.write_text(harbour, encoding="utf-8")
    run_json(capsys, *base, "annotate", str(path), "--section", "costs", "--quote", "two thirds")
    path.write_text(BRIEF, encoding="utf-8")  # saved over by another brief
    run_json(capsys, *base, "notes", str(path))
    path.write_text(harbour, encoding="utf-8")  # and put back
    run_json(capsys, *base, "notes", str(path))
    briefs = run_json(capsys, *base, "db", "briefs")["briefs"]
    assert {b["id"]: b["found"] for b in briefs} == {"harbour-a": True,
                                                     "fisheries-2026": False}
    other = tmp_path / "other.md"
    other.write_text(HARBOUR, encoding="utf-8")
    code, _, err = run(capsys, *base, "db", "attach", "harbour-a", str(other))
    assert code == 1 and "--force" in err
