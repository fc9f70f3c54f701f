"""File → Export Notes of Every Brief… on the real window: the briefs are read and their
notes exported on a worker thread; the banner tells the outcome."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from briefreader.notes import NotesService
from briefreader.parse import load_brief
from briefreader.paths import Paths
from briefreader.settings import Settings
from briefreader.store import Store
from briefreader.ui import exchange as exchange_module
from briefreader.ui.main_window import MainWindow

FERRY = """\
---
title: Coastal Ferry Subsidy Review
id: ferry-2026
---

# Background

The ferry link carries 1.1 million passengers a year.

# Options

Option one keeps the subsidy flat. Option two ties it to sailings kept.
"""

HARBOUR = """\
# Harbour Dues

Dues rise in May for every vessel over twelve metres.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "briefs"
    f.mkdir()
    (f / "a-ferry.md").write_text(FERRY, encoding="utf-8")
    (f / "b-broken.md").write_text("", encoding="utf-8")  # empty: cannot be read
    (f / "c-harbour.md").write_text(HARBOUR, encoding="utf-8")
    return f


@pytest.fixture
def store(tmp_path):
    s = Store.open(Paths(tmp_path / "data").ensure())
    yield s
    s.close()


@pytest.fixture
def window(qtbot, store, folder):
    notes = NotesService(store, author="Ana")
    notes.annotate(load_brief(folder / "a-ferry.md"), "options", "Option two",
                   note="Preferred by the islands.")
    w = MainWindow(Settings(Paths(store.database.parent).settings_file), notes=notes)
    qtbot.addWidget(w)
    w.resize(1100, 700)
    w.show()
    qtbot.waitExposed(w)
    w.open_path(folder)
    qtbot.waitUntil(lambda: w.brief is not None)
    yield w
    w.close()


def test_export_all_runs_in_the_background_and_reports_a_broken_brief(
        qtbot, window, folder, tmp_path, monkeypatch):
    out = tmp_path / "exports"
    out.mkdir()
    monkeypatch.setattr(exchange_module, "ask_folder", lambda *a: str(out))
    exchange = window.note_taking.exchange
    with qtbot.waitSignal(exchange.export_all_finished, timeout=30000) as blocker:
        window.actions_.export_all_notes.trigger()
        # The action returned at once: the job runs on its own thread.
        assert exchange.export_job is not None
        assert window.banner.text() == "Exporting the notes of 3 briefs…"
    report = blocker.args[0]
    assert exchange.export_job is None
    assert sorted(p.name for p in out.iterdir()) == [
        "coastal-ferry-subsidy-review-notes.md", "harbour-dues-notes.md",
    ]
    ferry = (out / "coastal-ferry-subsidy-review-notes.md").read_text(encoding="utf-8")
    assert "> Option two" in ferry and "Preferred by the islands." in ferry
    assert [p.name for p, _ in report.failed] == ["b-broken.md"]
    assert window.banner.text() == (
        f"Notes of 2 briefs exported to {out}. Could not be exported: b-broken.md is empty."
    )
    assert window.banner.level == "warning"

    # Again into the same folder: nothing is replaced, and the banner says why.
    with qtbot.waitSignal(exchange.export_all_finished, timeout=30000) as blocker:
        window.actions_.export_all_notes.trigger()
    assert blocker.args[0] is None
    assert window.banner.text().startswith("Export failed:")
    assert "already exists" in window.banner.text()
    assert ferry == (out / "coastal-ferry-subsidy-review-notes.md").read_text(encoding="utf-8")


def test_export_all_without_a_folder_of_briefs_says_what_to_do(qtbot, store, tmp_path,
                                                               monkeypatch):
    brief = tmp_path / "single.md"
    brief.write_text(HARBOUR, encoding="utf-8")
    w = MainWindow(Settings(Paths(store.database.parent).settings_file),
                   notes=NotesService(store, author="Ana"))
    qtbot.addWidget(w)
    w.show()
    w.open_path(brief)
    qtbot.waitUntil(lambda: w.brief is not None)
    asked: list[object] = []
    monkeypatch.setattr(exchange_module, "ask_folder", lambda *a: asked.append(a) or "")
    w.actions_.export_all_notes.trigger()
    assert asked == []
    assert w.note_taking.exchange.export_job is None
    assert w.banner.text() == "Open a folder of briefs to export the notes of all of them."
    w.close()


def test_the_banner_names_every_kind_of_failure_with_short_reasons():
    failed = [
        (Path("/b/a.md"), "a.md is empty"),  # the reason already names the brief
        (Path("/b/b.md"), "database is locked"),  # a notes / database error
        (Path("/b/c.md"), "x" * 200),  # too long to show: the name only
        (Path("/b/d.md"), "unreadable"),
        (Path("/b/e.md"), "unreadable"),
    ]
    assert exchange_module._failures(failed) == (
        "a.md is empty; b.md (database is locked); c.md and 2 more")
    assert exchange_module._failures(failed[1:2]) == "b.md (database is locked)"


def test_closing_the_window_stops_a_running_export(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "exports"
    out.mkdir()
    monkeypatch.setattr(exchange_module, "ask_folder", lambda *a: str(out))
    stops: list[float] = []
    real_stop = exchange_module.ExportAllJob.stop

    def stop(job, timeout: float = 5.0) -> None:
        stops.append(timeout)
        real_stop(job, timeout)

    monkeypatch.setattr(exchange_module.ExportAllJob, "stop", stop)
    running = threading.Event()

    def endless(*_args, cancelled, **_kwargs):
        # An export that only a stop request ends (a minute at most, should none come).
        running.set()
        deadline = time.monotonic() + 60
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        return None

    monkeypatch.setattr(exchange_module, "export_brief_files_in", endless)
    exchange = window.note_taking.exchange
    window.actions_.export_all_notes.trigger()
    job = exchange.export_job
    assert job is not None
    assert running.wait(10)  # still exporting when the window closes
    window.close()
    assert stops == [5.0]  # asked to stop after the current brief, and waited for
    assert not job._thread.is_alive()
