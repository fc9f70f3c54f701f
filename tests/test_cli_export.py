"""The export and import commands through cli.main, and one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_run import run, run_json

BRIEF = """\
---
title: Harbour Readout
id: harbour-2026
---

The harbour reopens on Monday.

## Dredging

Dredging of the north channel finishes in May. The south channel waits until autumn.

## Costs

The port authority pays two thirds of the cost.
"""


@pytest.fixture
def brief(tmp_path) -> Path:
    path = tmp_path / "harbour.md"
    path.write_text(BRIEF, encoding="utf-8")
    return path


def annotate(capsys, data: Path, brief: Path, quote: str, *extra: str) -> dict:
    return run_json(capsys, "--data-dir", str(data), "annotate", str(brief), "--section",
                    "dredging", "--quote", quote, *extra)  # fmt: skip


def test_export_markdown_to_stdout(capsys, brief, data):
    h = annotate(capsys, data, brief, "north channel", "--note", "# not a heading", "--tag", "x")
    code, out, err = run(capsys, "--data-dir", str(data), "export", str(brief))
    assert code == 0, err
    assert out.startswith('---\ntitle: "Harbour Readout"\n')
    assert f"<!-- briefreader:highlight id={h['id']} " in out
    assert "> north channel" in out
    assert "\n\\# not a heading\n" in out
    assert "## Dredging" in out and "## Costs" not in out


def test_export_filters(capsys, brief, data):
    annotate(capsys, data, brief, "north channel", "--color", "red", "--tag", "dredge")
    annotate(capsys, data, brief, "south channel", "--color", "blue")
    _, red, _ = run(capsys, "--data-dir", str(data), "export", str(brief), "--color", "red")
    assert "north channel" in red and "south channel" not in red
    _, tagged, _ = run(capsys, "--data-dir", str(data), "export", str(brief), "--tag", "dredge")
    assert "north channel" in tagged and "south channel" not in tagged
    _, nobody, _ = run(capsys, "--data-dir", str(data), "export", str(brief), "--author", "zed")
    assert "No notes on this brief." in nobody


def test_export_to_a_file_refuses_to_overwrite_without_force(capsys, brief, data, tmp_path):
    annotate(capsys, data, brief, "north channel")
    target = tmp_path / "out.md"
    code, out, err = run(capsys, "--data-dir", str(data), "export", str(brief), "-o", str(target))
    assert (code, out) == (0, "")
    first = target.read_text(encoding="utf-8")
    assert "> north channel" in first
    target.write_text("precious", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(data), "export", str(brief), "-o", str(target))
    assert code == 1
    assert err.startswith("briefreader: ") and "already exists" in err and err.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "precious"
    code, _, _ = run(
        capsys, "--data-dir", str(data), "export", str(brief), "-o", str(target), "--force"
    )
    assert code == 0

    def without_time(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("exported_at:")]

    assert without_time(target.read_text(encoding="utf-8")) == without_time(first)


def test_json_round_trip_into_a_fresh_data_folder(capsys, brief, data, tmp_path):
    h = annotate(capsys, data, brief, "north channel", "--note", "first")
    run(capsys, "--data-dir", str(data), "comment", str(brief), "--section", "costs",
        "--text", "Two thirds is a lot")  # fmt: skip
    target = tmp_path / "notes.json"
    code, _, err = run(capsys, "--data-dir", str(data), "export", str(brief), "-o", str(target))
    assert code == 0, err
    assert json.loads(target.read_text(encoding="utf-8"))["type"] == "AnnotationCollection"

    fresh = tmp_path / "fresh"
    code, out, err = run(capsys, "--data-dir", str(fresh), "import", str(target), "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "added": 2, "updated": 0, "unchanged": 0, "skipped": 0, "reasons": [], "orphaned": 0,
        "brief_key": "harbour-2026", "merged": 0, "bookmarks": 0,
        "outside": [], "relabelled": [], "labels": {},
    }  # fmt: skip
    _, listed, _ = run(capsys, "--data-dir", str(fresh), "notes", str(brief), "--json")
    listed = json.loads(listed)
    assert [x["id"] for x in listed["highlights"]] == [h["id"]]
    assert [c["body"] for c in listed["comments"]] == ["Two thirds is a lot"]

    code, out, _ = run(capsys, "--data-dir", str(fresh), "import", str(target),
                       "--brief", str(brief))  # fmt: skip
    assert code == 0
    assert out.startswith("Imported notes on 'harbour-2026': 0 added, 0 updated, 2 unchanged")


def test_edited_markdown_comes_back(capsys, brief, data, tmp_path):
    h = annotate(capsys, data, brief, "north channel", "--note", "draft")
    target = tmp_path / "notes.md"
    run(capsys, "--data-dir", str(data), "export", str(brief), "-o", str(target))
    text = target.read_text(encoding="utf-8").replace("\ndraft\n", "\nfinal wording\n")
    target.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(data), "import", str(target))
    assert code == 0, err
    assert "1 updated" in out
    _, listed, _ = run(capsys, "--data-dir", str(data), "notes", str(brief), "--json")
    (after,) = json.loads(listed)["highlights"]
    assert (after["id"], after["note"]) == (h["id"], "final wording")


def test_a_bad_import_file_is_one_line_and_changes_nothing(capsys, brief, data, tmp_path):
    annotate(capsys, data, brief, "north channel", "--note", "keep me")
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "AnnotationCollection", "first": {"items": [42]}}', encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(data), "import", str(bad), "--brief", str(brief))
    assert code == 1
    assert err == "briefreader: bad.json: item 1: must be an object\n"
    _, listed, _ = run(capsys, "--data-dir", str(data), "notes", str(brief), "--json")
    assert [h["note"] for h in json.loads(listed)["highlights"]] == ["keep me"]


def test_export_runs_as_a_real_process(brief, data, tmp_path):
    target = tmp_path / "out.json"
    result = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), "export", str(brief),
         "-o", str(target)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["br:brief"]["key"] == "harbour-2026" and doc["total"] == 0


def test_an_import_without_brief_places_its_notes_in_the_version_read_here(
    capsys, brief, data, tmp_path
):
    # A colleague's copy of the brief is another version: the passage is further on.
    theirs = tmp_path / "theirs" / "harbour.md"
    theirs.parent.mkdir()
    theirs.write_text(BRIEF.replace("Dredging of", "Work began in March. Dredging of"),
                      encoding="utf-8")
    colleague = tmp_path / "colleague-data"
    h = annotate(capsys, colleague, theirs, "north channel", "--note", "on time?")
    export = tmp_path / "theirs.json"
    run(capsys, "--data-dir", str(colleague), "export", str(theirs), "--format", "json",
        "-o", str(export))  # fmt: skip
    run(capsys, "--data-dir", str(data), "notes", str(brief))  # the brief is known here
    code, _, err = run(capsys, "--data-dir", str(data), "import", str(export))
    assert code == 0, err
    _, listed, _ = run(capsys, "--data-dir", str(data), "notes", str(brief), "--json")
    (here,) = json.loads(listed)["highlights"]
    assert (here["id"], here["text"], here["status"]) == (h["id"], "north channel", "anchored")
    assert here["start"] == h["start"] - len("Work began in March. ")


def test_exports_of_a_brief_without_an_id_leave_out_its_folders_and_import_back_here(
    capsys, data, tmp_path
):
    path = tmp_path / "Private Folder" / "harbour.md"
    path.parent.mkdir()
    path.write_text(BRIEF.replace("id: harbour-2026\n", ""), encoding="utf-8")
    h = annotate(capsys, data, path, "north channel", "--note", "on time?")
    for name in ("notes.md", "notes.json"):
        out = tmp_path / name
        code, _, err = run(capsys, "--data-dir", str(data), "export", str(path), "-o", str(out))
        assert code == 0, err
        text = out.read_text(encoding="utf-8")
        assert "Private Folder" not in text and str(tmp_path) not in text
        assert "/…/harbour.md" in text
    md = tmp_path / "notes.md"
    md.write_text(md.read_text(encoding="utf-8").replace("on time?", "on time? Yes."),
                  encoding="utf-8")
    for name, counts in (("notes.json", (0, 0, 1)), ("notes.md", (0, 1, 0))):
        summary = run_json(capsys, "--data-dir", str(data), "import", str(tmp_path / name),
                           "--json")  # no --brief: the brief here its notes are on
        assert (summary["added"], summary["updated"], summary["unchanged"]) == counts
        assert summary["brief_key"] == str(path.resolve())
    _, listed, _ = run(capsys, "--data-dir", str(data), "notes", str(path), "--json")
    (here,) = json.loads(listed)["highlights"]
    assert (here["id"], here["note"]) == (h["id"], "on time? Yes.")


def test_import_refuses_notes_plainly_on_another_brief_unless_any_brief(
    capsys, data, tmp_path
):
    harbour = tmp_path / "harbour.md"
    harbour.write_text(BRIEF.replace("id: harbour-2026\n", ""), encoding="utf-8")
    other = tmp_path / "schools.txt"
    other.write_text("School Meals Brief\n\nFree meals reach every pupil from January.\n",
                     encoding="utf-8")
    annotate(capsys, data, harbour, "north channel", "--note", "dredging note")
    out_file = tmp_path / "harbour.json"
    run(capsys, "--data-dir", str(data), "export", str(harbour), "-o", str(out_file))
    elsewhere = tmp_path / "elsewhere"
    code, _, err = run(capsys, "--data-dir", str(elsewhere), "import", str(out_file),
                       "--brief", str(other))
    assert code == 1
    assert ("'Harbour Readout', which has no title, section or quote in common with "
            "'School Meals Brief'") in err
    assert "--any-brief" in err
    listed = run_json(capsys, "--data-dir", str(elsewhere), "notes", str(other))
    assert listed["highlights"] == []
    summary = run_json(capsys, "--data-dir", str(elsewhere), "import", str(out_file),
                       "--brief", str(other), "--any-brief")
    assert summary["added"] == 1


def test_a_json_export_made_while_the_database_was_busy_marks_its_versions_before_it_ends(
    capsys, brief, data, tmp_path, monkeypatch
):
    import sqlite3

    from briefreader import export
    from briefreader import store as store_mod
    from briefreader.store import Store

    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 100)  # the real wait is 10 s
    h = annotate(capsys, data, brief, "north channel", "--note", "n")
    real = export.gather

    def busy_while_read(service, *a, **k):
        lock = sqlite3.connect(service.store.database, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # another program, done before the file is
        try:
            return real(service, *a, **k)
        finally:
            lock.execute("ROLLBACK")
            lock.close()

    monkeypatch.setattr(export, "gather", busy_while_read)
    code, _, err = run(capsys, "--data-dir", str(data), "export", str(brief), "-o",
                       str(tmp_path / "n.json"))
    assert code == 0 and "could not be written" not in err
    with Store(data / "notes.sqlite3", backup_interval=None) as s:
        assert "*" not in s.lineages(ids=[h["id"]])[h["id"]]
