"""``briefreader library`` and ``briefreader search`` through cli.main and one subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_run import run, run_json

FERRY = """\
---
title: Ferry Services Review
id: ferry-2026
---

Crossings to the islands were cut twice this winter.

## Timetable

A reduced timetable runs until the new vessel arrives in April.

## Fares

Fares rise by three per cent; résidents keep their discount.
"""

BUSES = "Rural Bus Note\n\nEvening buses return in spring.\n\nFerry connections are kept.\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    f = tmp_path / "briefs"
    f.mkdir()
    (f / "ferry.md").write_text(FERRY, encoding="utf-8")
    (f / "buses.txt").write_text(BUSES, encoding="utf-8")
    return f


def own_briefs(payload, folder: Path) -> list[dict]:
    # The default library also holds the bundled samples: look at ours only.
    return [b for b in payload["briefs"] if b["path"].startswith(str(folder))]


def test_library_add_list_remove(capsys, data, folder):
    code, out, _ = run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    assert code == 0 and f"added {folder}" in out
    listing = run_json(capsys, "--data-dir", str(data), "library", "list")
    ours = own_briefs(listing, folder)
    assert [(b["title"], b["sections"], b["notes"]) for b in ours] == [
        ("Ferry Services Review", 3, 0),
        ("Rural Bus Note", 1, 0),
    ]
    assert ours[0]["id"] == "ferry-2026"
    assert ours[1]["id"] == str(folder / "buses.txt")
    assert set(ours[0]) == {"id", "title", "path", "sections", "notes"}

    code, out, _ = run(capsys, "--data-dir", str(data), "library", "list")
    assert "Ferry Services Review" in out and str(folder) in out

    code, out, _ = run(capsys, "--data-dir", str(data), "library", "remove", str(folder))
    assert code == 0 and "removed the folder" in out
    assert own_briefs(run_json(capsys, "--data-dir", str(data), "library", "list"), folder) == []


def test_library_counts_notes(capsys, data, folder):
    run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    ferry = str(folder / "ferry.md")
    code, _, err = run(capsys, "--data-dir", str(data), "comment", ferry, "--section", "fares",
                       "--text", "Check the discount")
    assert code == 0, err
    listing = run_json(capsys, "--data-dir", str(data), "library", "list")
    assert own_briefs(listing, folder)[0]["notes"] == 1


def test_library_mistakes_are_one_line_errors(capsys, data, tmp_path):
    code, _, err = run(capsys, "--data-dir", str(data), "library", "add", str(tmp_path / "nope"))
    assert code == 1 and err.startswith("briefreader: ") and "does not exist" in err
    code, _, err = run(capsys, "--data-dir", str(data), "library", "remove", str(tmp_path))
    assert code == 1 and "not in the library" in err
    assert "Traceback" not in err


def test_library_add_says_why_a_brief_cannot_be_read(capsys, data, folder):
    (folder / "scan.md").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    (folder / "blank.txt").write_bytes(b"")
    code, out, err = run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    assert code == 0 and f"added {folder}" in out
    lines = err.splitlines()
    assert f"cannot read {folder / 'scan.md'}: scan.md is a PDF document, not a text brief" \
        in lines
    assert f"cannot read {folder / 'blank.txt'}: blank.txt is empty" in lines


def test_search_text_and_notes_as_json(capsys, data, folder):
    run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    ferry = str(folder / "ferry.md")
    code, out, err = run(capsys, "--data-dir", str(data), "annotate", ferry, "--section",
                         "timetable", "--quote", "reduced timetable", "--note",
                         "Which ferry routes?", "--color", "blue", "--tag", "transport", "--json")
    assert code == 0, err
    note_id = json.loads(out)["id"]

    payload = run_json(capsys, "--data-dir", str(data), "search", "ferry")
    results = payload["results"]
    assert {(r["kind"], r["section"]) for r in results} >= {
        ("text", "_lead"), ("note", "timetable")
    }
    note = next(r for r in results if r["kind"] == "note")
    assert note == {
        "kind": "note",
        "brief": "Ferry Services Review",
        "brief_id": "ferry-2026",
        "section": "timetable",
        "section_title": "Timetable",
        "snippet": "Which ferry routes?",
        "id": note_id,
    }
    assert all(r["id"] is None for r in results if r["kind"] == "text")

    only_notes = run_json(capsys, "--data-dir", str(data), "search", "ferry", "--in", "notes")
    assert [r["kind"] for r in only_notes["results"]] == ["note"]
    blue = run_json(capsys, "--data-dir", str(data), "search", "ferry", "--color", "blue",
                    "--tag", "transport")
    assert [r["id"] for r in blue["results"]] == [note_id]
    assert run_json(capsys, "--data-dir", str(data), "search", "ferry", "--color", "red") == {
        "results": []
    }


def test_search_folds_accents_and_reads_like_a_list(capsys, data, folder):
    run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    code, out, _ = run(capsys, "--data-dir", str(data), "search", "residents")
    assert code == 0
    assert "Text · Ferry Services Review › Fares [fares]" in out
    assert "«résidents»" in out


@pytest.mark.parametrize(
    ("query", "has_words"),
    [('NEAR("ferry', True), ("ferry AND", True), ("fares:*", True), ("(((", False), ('"', False)],
)
def test_queries_fts5_cannot_parse_never_fail(capsys, data, folder, query, has_words):
    run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    code, out, err = run(capsys, "--data-dir", str(data), "search", query, "--json")
    if has_words:  # searched as plain words
        assert code == 0 and "results" in json.loads(out)
    else:  # nothing to search for: said in one line
        assert code == 1
        assert err.startswith("briefreader: ") and "Traceback" not in err


def test_a_new_brief_is_searchable_at_once(capsys, data, folder):
    run(capsys, "--data-dir", str(data), "library", "add", str(folder))
    (folder / "tram.txt").write_text("Tram Works\n\nTramlines close in August.\n",
                                     encoding="utf-8")
    results = run_json(capsys, "--data-dir", str(data), "search", "tramlines")["results"]
    assert [r["brief"] for r in results] == ["Tram Works"]


def test_search_in_a_subprocess(data, folder):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cmd = [sys.executable, "-m", "briefreader", "--data-dir", str(data)]
    subprocess.run([*cmd, "library", "add", str(folder)], check=True, capture_output=True,
                   env=env)
    done = subprocess.run([*cmd, "search", "vessel", "--json"], capture_output=True, text=True,
                          encoding="utf-8", env=env)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)["results"]
    ours = [(h["brief_id"], h["section"]) for h in hits if h["brief_id"] == "ferry-2026"]
    assert ours == [("ferry-2026", "timetable")]


def test_search_tells_apart_briefs_of_the_same_title(capsys, data, folder, tmp_path):
    copies = tmp_path / "copies"
    copies.mkdir()
    (copies / "buses.txt").write_text(BUSES, encoding="utf-8")
    (copies / "buses-copy.txt").write_text(BUSES, encoding="utf-8")
    run(capsys, "--data-dir", str(data), "library", "add", str(folder), str(copies))
    code, out, _ = run(capsys, "--data-dir", str(data), "search", "evening buses")
    assert code == 0
    heads = sorted(line for line in out.splitlines() if line.startswith("Text · Rural"))
    # The file name tells the copy apart; where names are the same too, the path.
    assert heads == sorted([
        "Text · Rural Bus Note (buses-copy.txt) › Rural Bus Note [_lead]",
        f"Text · Rural Bus Note ({copies / 'buses.txt'}) › Rural Bus Note [_lead]",
        f"Text · Rural Bus Note ({folder / 'buses.txt'}) › Rural Bus Note [_lead]",
    ])
    # A title found once is shown alone; JSON is as before.
    code, out, _ = run(capsys, "--data-dir", str(data), "search", "residents")
    assert "Text · Ferry Services Review › Fares [fares]" in out
    results = run_json(capsys, "--data-dir", str(data), "search", "evening buses")["results"]
    assert {r["brief"] for r in results} == {"Rural Bus Note"}
