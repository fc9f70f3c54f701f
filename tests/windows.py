"""The real window on a notes folder of its own, for the window tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefreader.notes import NotesService
from briefreader.paths import Paths
from briefreader.settings import Settings
from briefreader.store import Store
from briefreader.ui.main_window import MainWindow

BRIEF = """\
---
title: Coastal Ferry Subsidy Review
id: ferry-2026
---

# Background

The ferry link carries 1.1 million passengers a year. Fares rose by a fifth in
two years while sailings fell. Island councils asked for a review in March.

# Options

Option one keeps the subsidy flat. Option two ties it to sailings kept.
Option three tenders the route again from next spring.

# Recommendation

Ministers should choose option two and review it after one year.
"""


def ferry_brief(folder: Path) -> Path:
    """BRIEF written to ``folder``/ferry.md."""
    path = folder / "ferry.md"
    path.write_text(BRIEF, encoding="utf-8")
    return path


def open_window(qtbot, paths: Paths, path: Path | None = None, *, library: bool = False
                ) -> tuple[MainWindow, Store]:
    """A 1280x800 window shown on a new Store of ``paths`` (with ``library``, the
    library offers its default folders, as at a first start), ``path`` opened in it."""
    store = Store.open(paths)
    window = MainWindow(Settings(paths.settings_file), notes=NotesService(store, author="Ana"),
                        paths=paths if library else None)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    if path is not None:
        window.open_path(path)
        qtbot.waitUntil(lambda: window.brief is not None)
    return window, store


@contextmanager
def focused_window(qtbot, paths: Paths, path: Path) -> Iterator[tuple[MainWindow, Store]]:
    """The window with ``path`` open and the text's focus (where keys are typed), and
    its store; both closed after."""
    window, store = open_window(qtbot, paths, path)
    qtbot.waitUntil(window.reader.hasFocus)
    try:
        yield window, store
    finally:
        window.close()
        store.close()


@contextmanager
def a_note_to_review(qtbot, paths: Paths, brief_path: Path
                     ) -> Iterator[tuple[MainWindow, Store, str]]:
    """The window reopened on the ferry brief reissued without the passage of a red
    highlight made before (a note for the Review view), its store and the note's id;
    the keyboard in the text."""
    window, store = open_window(qtbot, paths, brief_path)
    window.show_section("background")
    text = window.reader.rendered.plain_text
    quote = "Island councils asked for a review"
    start = text.index(quote)
    hid = window.note_taking.annotations.create_highlight("background", start,
                                                          start + len(quote), "red")
    window.close()
    store.close()
    brief_path.write_text(BRIEF.replace("Island councils asked for a review in March.", ""),
                          encoding="utf-8")
    with focused_window(qtbot, paths, brief_path) as (window, store):
        yield window, store, hid
