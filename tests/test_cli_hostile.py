"""Bad input and hostile conditions at the command line: one clear line, a non-zero
exit, never a traceback, and nothing the user wrote lost."""

from __future__ import annotations

import codecs
import io
import logging
import os
import sys
from pathlib import Path

import pytest

from briefreader.records import SaveError
from briefreader.store import Store
from cli_run import BRIEF, run, run_json


@pytest.fixture
def brief(tmp_path) -> Path:
    path = tmp_path / "fisheries.md"
    path.write_text(BRIEF, encoding="utf-8")
    return path


def _one_line_error(code: int, err: str) -> None:
    assert code == 1
    assert err.startswith("briefreader: ") and err.count("\n") == 1, err


# -------------------------------------------------------------------- imports


def test_a_bold_line_typed_into_a_note_of_a_markdown_export_is_kept(capsys, brief, data,
                                                                      tmp_path):
    base = ["--data-dir", str(data)]
    h = run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
                 "--quote", "Satellite monitoring", "--note", "Who pays?")
    out = tmp_path / "notes.md"
    assert run(capsys, *base, "export", str(brief), "-o", str(out))[0] == 0
    text = out.read_text(encoding="utf-8")
    assert "\nWho pays?\n" in text
    # The reader adds a paragraph in bold above the note, as one does in Markdown.
    out.write_text(text.replace("\nWho pays?\n", "\n**Update:** the ministry.\n\nWho pays?\n"),
                   encoding="utf-8")
    os.utime(out, (os.path.getmtime(out) + 5,) * 2)  # edited after the note was made
    code, _, err = run(capsys, *base, "import", str(out))
    assert code == 0, err
    listed = run_json(capsys, *base, "notes", str(brief))
    note = next(x["note"] for x in listed["highlights"] if x["id"] == h["id"])
    assert note == "**Update:** the ministry.\n\nWho pays?"  # was: "" (the note erased)



@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("huge.json", '{"type": "AnnotationCollection", "total": ' + "9" * 5000 + "}"),
        ("huge.md", "---\nbrief_id: x\nhighlights: " + "9" * 5000 + "\n---\n"),
        ("deep.md", "---\nbrief_id: x\nd: " + "[" * 50_000 + "]" * 50_000 + "\n---\n"),
        ("early.json", '{"type": "Annotation", "id": "n1", "created": '
                       '"0001-01-01T00:00:00+01:00", "target": {"selector": '
                       '{"type": "TextQuoteSelector", "exact": "cod"}}}'),
        ("late.json", '{"type": "Annotation", "id": "n1", "created": '
                      '"9999-12-31T23:59:59-01:00", "target": {"selector": '
                      '{"type": "TextQuoteSelector", "exact": "cod"}}}'),
    ],
)
def test_a_hostile_import_file_is_one_clear_line(capsys, brief, data, tmp_path, name, content):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, *base, "import", str(path), "--brief", str(brief))
    _one_line_error(code, err)
    assert out == "" and name in err
    assert len(run_json(capsys, *base, "notes", str(brief))["highlights"]) == 1


# ------------------------------------------- text and file names not in UTF-8


def test_a_note_in_bytes_that_are_not_utf8_is_one_clear_line(capsys, brief, data):
    bad = os.fsdecode(b"caf\xe9 prices")  # a Latin-1 terminal: a lone surrogate
    for extra in (["--note", bad], ["--tag", bad]):
        code, out, err = run(capsys, "--data-dir", str(data), "annotate", str(brief),
                             "--section", "enforcement", "--quote", "Satellite", *extra)
        _one_line_error(code, err)
        assert "UTF-8" in err and out == ""


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs non-UTF-8 file names")
def test_a_brief_whose_file_name_is_not_utf8_is_one_clear_line(capsys, data, tmp_path):
    path = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.md"))
    path.write_text(BRIEF.replace("id: fisheries-2026\n", ""), encoding="utf-8")
    for argv in (["annotate", str(path), "--section", "enforcement", "--quote", "Satellite"],
                 ["notes", str(path)]):
        code, _, err = run(capsys, "--data-dir", str(data), *argv)
        _one_line_error(code, err)
        assert "not valid UTF-8" in err


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs non-UTF-8 file names")
def test_a_library_folder_with_a_file_name_not_in_utf8_still_works(capsys, data, tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "good.md").write_text(BRIEF, encoding="utf-8")
    bad = Path(os.fsdecode(os.fsencode(str(folder)) + b"/caf\xe9.md"))
    bad.write_text(BRIEF, encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    assert code == 0, err
    code, out, err = run(capsys, "--data-dir", str(data), "library", "list")
    assert code == 0, err
    assert "Fisheries Readout" in out


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("encoding", ["hex", "base64", "rot13", "zlib"])
def test_an_encoding_that_is_not_a_text_encoding_is_one_clear_line(capsys, brief, encoding):
    code, out, err = run(capsys, "outline", str(brief), "--encoding", encoding)
    _one_line_error(code, err)
    assert "not a text encoding" in err and out == ""


# ---------------------------------------------- text read from standard input


def test_a_comment_read_from_stdin_is_not_lost_when_the_save_fails(capsys, brief, data,
                                                                    monkeypatch):
    def full(self, comment):
        raise SaveError("could not save the comment: the disk is full",
                        reason="the disk is full")

    monkeypatch.setattr(Store, "add_comment", full)
    typed = "Three paragraphs typed at the terminal,\n\nthen Ctrl+D."
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(typed.encode())))
    code, out, err = run(capsys, "--data-dir", str(data), "comment", str(brief),
                         "--section", "enforcement", "--text-file", "-")
    _one_line_error(code, err)
    assert "disk is full" in err
    assert typed in out  # standard input cannot be read again: the text is given back


def test_a_comment_read_from_stdin_is_given_back_after_a_mistake_too(capsys, brief, data,
                                                                     monkeypatch):
    typed = "Typed at the terminal, for a section that is not there."
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(typed.encode())))
    code, out, err = run(capsys, "--data-dir", str(data), "comment", str(brief),
                         "--section", "enforcment", "--text-file", "-")
    _one_line_error(code, err)
    assert "no section 'enforcment'" in err and typed in out


def test_a_comment_on_stdin_not_in_utf8_is_given_back_byte_for_byte(capfdbinary, brief, data,
                                                                    monkeypatch):
    from briefreader.cli import main

    typed = "Caf\u00e9 owners object, typed at a Latin-1 terminal.".encode("latin-1")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(typed)))
    code = main(["--data-dir", str(data), "comment", str(brief), "--section", "enforcement",
                 "--text-file", "-"])
    out, err = capfdbinary.readouterr()
    assert code == 1 and out == typed
    assert err.startswith(b"briefreader: ") and err.count(b"\n") == 1
    assert b"standard input" in err and b"UTF-8" in err


def test_a_note_file_saved_as_utf16_is_read_by_its_byte_order_mark(capsys, brief, data,
                                                                   tmp_path):
    note = tmp_path / "note.txt"  # as PowerShell's '>' writes it
    note.write_bytes(codecs.BOM_UTF16_LE + "Caf\u00e9 owners \u201cobject\u201d.\r\n"
                     .encode("utf-16-le"))
    made = run_json(capsys, "--data-dir", str(data), "annotate", str(brief), "--section",
                    "enforcement", "--quote", "Satellite", "--note-file", str(note))
    assert made["note"] == "Caf\u00e9 owners \u201cobject\u201d."


# -------------------------------------------- the data folder and its backups


def test_db_restore_takes_a_backup_by_the_name_the_messages_give(capsys, brief, data):
    base = ["--data-dir", str(data)]
    first = run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
                     "--quote", "Satellite")
    code, out, _ = run(capsys, *base, "db", "backup")
    backup = Path(out.strip())
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "mandatory")
    code, out, err = run(capsys, *base, "db", "restore", backup.name)
    assert code == 0, err
    listed = run_json(capsys, *base, "notes", str(brief))
    assert [h["id"] for h in listed["highlights"]] == [first["id"]]



def test_a_data_folder_that_is_a_file_says_so(capsys, brief, tmp_path):
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(taken), "notes", str(brief))
    _one_line_error(code, err)
    assert "File exists" not in err and "file" in err and str(taken) in err


# ------------------------------------------------- exports over the user's own files


def test_an_export_never_replaces_its_own_brief_or_the_notes_database(capsys, brief, data):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite", "--note", "check the fleet list")
    text = brief.read_bytes()
    database = data / "notes.sqlite3"
    for target in (brief, brief.parent / "." / brief.name, database):
        kept = target.read_bytes()
        code, out, err = run(capsys, *base, "export", str(brief), "-o", str(target), "--force")
        _one_line_error(code, err)
        assert "give another file name" in err and out == ""
        assert target.read_bytes() == kept
    assert brief.read_bytes() == text
    listed = run_json(capsys, *base, "notes", str(brief))
    assert [h["note"] for h in listed["highlights"]] == ["check the fleet list"]


# ------------------------------------------------------- a read-only notes folder


def test_a_read_only_notes_folder_still_lists_and_searches_the_library(
        capsys, brief, data, read_only_view):
    base = ["--data-dir", str(data)]
    run(capsys, *base, "library", "add", str(brief.parent))
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite", "--note", "ask about the small boats")
    # The brief changes after the folder went read-only: the library cannot record it.
    brief.write_text(BRIEF + "\n## Appeals\n\nAppeals go to the tribunal.\n", encoding="utf-8")
    view = read_only_view(data)
    base = ["--data-dir", str(view)]
    code, out, err = run(capsys, *base, "library", "list")
    assert code == 0, err
    assert "Fisheries Readout" in out and str(brief) in out
    assert "read-only" in err and "as last saved" in err and "Traceback" not in err
    for scope in ("notes", "all"):
        code, out, err = run(capsys, *base, "search", "small boats", "--in", scope)
        assert code == 0, err
        assert "ask about the «small boats»" in out
    code, out, err = run(capsys, *base, "search", "haddock", "--in", "text")
    assert code == 0, err
    assert "haddock" in out and "as last indexed" in err


def test_a_read_only_notes_folder_says_only_why_a_note_cannot_be_saved(
        capsys, caplog, brief, data, read_only_view):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")
    view = read_only_view(data)
    base = ["--data-dir", str(view)]
    caplog.set_level(logging.DEBUG)
    code, _, err = run(capsys, *base, "annotate", str(brief), "--section", "enforcement",
                       "--quote", "mandatory")
    _one_line_error(code, err)
    assert "read-only" in err
    code, _, err = run(capsys, *base, "notes", str(brief))
    assert code == 0 and err == ""
    # The section text cache is optional: that it cannot be written is no warning.
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [m for m in warned if "cache" in m]


def test_a_file_where_the_backup_folder_should_be_is_named_in_the_message(capsys, brief,
                                                                          data):
    base = ["--data-dir", str(data)]
    run_json(capsys, *base, "annotate", str(brief), "--section", "enforcement",
             "--quote", "Satellite")
    in_the_way = data / "backups"
    in_the_way.write_text("a colleague's file", encoding="utf-8")
    code, out, err = run(capsys, *base, "db", "backup")
    _one_line_error(code, err)
    assert str(in_the_way) in err and "in the way" in err and "File exists" not in err
    assert in_the_way.read_text(encoding="utf-8") == "a colleague's file"


def test_a_data_folder_that_cannot_be_made_says_which_and_what_to_do(capsys, brief, tmp_path,
                                                                     monkeypatch):
    wanted = tmp_path / "locked" / "data"
    real_mkdir = Path.mkdir

    def refused(self, *args, **kwargs):
        if self == wanted:  # as a folder without write permission answers
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refused)
    code, out, err = run(capsys, "--data-dir", str(wanted), "notes", str(brief))
    _one_line_error(code, err)
    assert f"the data folder {wanted} cannot be made: Permission denied" in err
    assert "--data-dir" in err and out == ""
