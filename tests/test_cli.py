"""The CLI's reader commands, through main(argv) and one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader.cli import main

BRIEF = """\
---
title: Water Security Outlook
id: water-2026
---

Lead text before the first heading.

# Overview

Rivers are low. <script>alert(1)</script>

## Supply

Reservoirs hold 40 % of capacity.

## Supply

A second heading with the same text.

### Empty Heading

# Annex
"""


@pytest.fixture
def brief_path(tmp_path: Path) -> Path:
    path = tmp_path / "water.md"
    path.write_text(BRIEF, encoding="utf-8")
    return path


def test_outline_json_shape(brief_path, capsys):
    assert main(["outline", str(brief_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Water Security Outlook"
    got = [(s["id"], s["title"], s["level"], s["parent"]) for s in data["sections"]]
    assert got == [
        ("_lead", "Water Security Outlook", 0, None),
        ("overview", "Overview", 1, None),
        ("supply", "Supply", 2, "overview"),
        ("supply-2", "Supply", 2, "overview"),
        ("empty-heading", "Empty Heading", 3, "supply-2"),
        ("annex", "Annex", 1, None),
    ]
    chars = {s["id"]: s["chars"] for s in data["sections"]}
    assert chars["supply"] == len("Reservoirs hold 40 % of capacity.")
    assert chars["empty-heading"] == 0 and chars["annex"] == 0
    assert set(data["sections"][0]) >= {"id", "title", "level", "parent", "chars"}


def test_outline_text(brief_path, capsys):
    assert main(["outline", str(brief_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Water Security Outlook"
    assert any("Supply" in line and "[supply-2]" in line for line in out)


def test_render_section_is_sanitised(brief_path, capsys):
    assert main(["render", str(brief_path), "--section", "overview"]) == 0
    html = capsys.readouterr().out
    assert "Rivers are low." in html
    assert "<script" not in html
    assert 'id="overview"' in html


def test_render_whole_brief(brief_path, capsys):
    assert main(["render", str(brief_path)]) == 0
    html = capsys.readouterr().out
    assert html.index("Overview") < html.index("Reservoirs") < html.index("Annex")


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["outline", "/nonexistent/brief.md"], "brief.md"),
        (["render", "{brief}", "--section", "nope"], "nope"),
    ],
)
def test_errors_are_one_line_without_traceback(brief_path, capsys, argv, needle):
    argv = [a.replace("{brief}", str(brief_path)) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_empty_and_binary_files(tmp_path, capsys):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    for path in (empty, binary):
        assert main(["outline", str(path)]) == 1
        err = capsys.readouterr().err
        assert path.name in err and "Traceback" not in err


def test_a_brief_not_in_utf8_names_the_option_that_opens_it(tmp_path, capsys):
    path = tmp_path / "memo.md"
    path.write_bytes("# Memo\n\nThe \u201cfinal\u201d text.\n".encode("cp1252"))
    assert main(["outline", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Windows-1252" in err and "--encoding cp1252" in err
    assert len(err.strip().splitlines()) == 1
    # What it says works.
    assert main(["outline", "--encoding", "cp1252", str(path)]) == 0
    assert capsys.readouterr().out.startswith("Memo")


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("briefreader ")


def test_real_subprocess(brief_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(tmp_path / "d"),
         "outline", str(brief_path), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Water Security Outlook"
    bad = subprocess.run(
        [sys.executable, "-m", "briefreader", "outline", str(tmp_path / "missing.txt")],
        capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "missing.txt" in bad.stderr
