"""Annotating speed in the real window (offscreen).

- key press (Ctrl+1 on a selection) → highlight stored and painted: p50 / p95, beside the
  raw floor (one QTextCursor.mergeCharFormat + repaint, no store);
- opening a section that holds 1,000 highlights, beside opening it with none;
- in a brief of 10,000 notes, key press → highlight stored, painted, and the notes panel,
  navigator counts and filters refreshed (the whole turn of the event loop), beside the
  same in that brief with no other notes.

    .venv/bin/python benchmarks/bench_annotate.py [--presses 150]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from briefreader.notes import NotesService  # noqa: E402
from briefreader.paths import Paths  # noqa: E402
from briefreader.render import section_plain_text  # noqa: E402
from briefreader.settings import Settings  # noqa: E402
from briefreader.store import Store, new_id  # noqa: E402
from briefreader.ui.main_window import MainWindow  # noqa: E402

SENTENCE = ("Ministers agreed to review the corridor budget and the verification "
            "framework before the next session of the council. ")


def make_brief(path: Path, words: int = 12_000) -> None:
    body = SENTENCE * (words // 18)
    paras = [body[i : i + 900] for i in range(0, len(body), 900)]
    path.write_text("# Dense Section\n\n" + "\n\n".join(paras) + "\n\n# Other\n\nShort.\n",
                    encoding="utf-8")


def make_long_brief(path: Path, sections: int = 100) -> None:
    words = SENTENCE.split()
    parts = ["---\ntitle: Many Notes\nid: many-notes\n---\n\n# Many Notes\n"]
    for s in range(sections):
        parts.append(f"\n## Section {s}\n")
        for i in range(12):
            parts.append("\n" + " ".join(words[(i + k) % len(words)] for k in range(60)) + ".\n")
    path.write_text("".join(parts), encoding="utf-8")


def presses_among(app: QApplication, tmp: Path, notes_count: int, presses: int) -> list[float]:
    """Seconds from Ctrl+2 on a selection until the window is idle again, in a brief
    holding ``notes_count`` highlights spread over its 100 sections."""
    brief_path = tmp / "many.md"
    make_long_brief(brief_path)
    paths = Paths(tmp / f"data-{notes_count}").ensure()
    store = Store.open(paths)
    notes = NotesService(store, author="bench")
    window = MainWindow(Settings(paths.settings_file), notes=notes)
    window.resize(1280, 800)
    window.show()
    window.open_path(brief_path)
    app.processEvents()
    brief = window.brief
    texts = notes.section_texts(brief)
    made = []
    per_section = notes_count // len(texts)
    for t in texts:
        if not per_section or len(t.text) < 40:
            continue
        template = notes.highlight_range(brief, t.id, 0, 12)
        for i in range(per_section):
            s = i * (len(t.text) - 40) // per_section
            made.append(dataclasses.replace(
                template, id=new_id(), start=s, end=s + 20, exact=t.text[s : s + 20],
                current_start=s, current_end=s + 20, note=f"note {i}"))
        store.delete_highlight(template.id)
        store.purge_highlight(template.id)
    store.add_highlights(made)
    window.note_taking.annotations.reload()
    app.processEvents()
    section = brief.sections[len(brief.sections) // 2]
    window.show_section(section.id)
    app.processEvents()
    reader = window.reader
    reader.setFocus()
    times = []
    for i in range(presses):
        cursor = reader.textCursor()
        cursor.setPosition(5 + (i * 37) % 2000)
        cursor.setPosition(cursor.position() + 9, QTextCursor.MoveMode.KeepAnchor)
        reader.setTextCursor(cursor)
        t = time.perf_counter()
        QTest.keyClick(reader, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        reader.viewport().repaint()
        app.processEvents()
        times.append(time.perf_counter() - t)
    dispose(app, window, store)
    return times


def dispose(app: QApplication, window: MainWindow, store: Store) -> None:
    """Close and delete the window (the app has one per process: a closed one left
    alive would slow the next measurement)."""
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.close()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    store.close()


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=150)
    parser.add_argument("--highlights", type=int, default=1000)
    args = parser.parse_args()
    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        brief_path = Path(tmp) / "dense.md"
        make_brief(brief_path)
        paths = Paths(Path(tmp) / "data").ensure()
        store = Store.open(paths)
        notes = NotesService(store, author="bench")
        window = MainWindow(Settings(paths.settings_file), notes=notes)
        window.resize(1280, 800)
        window.show()
        window.activateWindow()
        window.open_path(brief_path)
        app.processEvents()
        reader = window.reader
        window.show_section("dense-section")
        reader.setFocus()
        app.processEvents()
        doc_text = reader.document().toPlainText()

        # Key press → stored + painted.
        presses = []
        step = max(1, (len(doc_text) - 200) // args.presses)
        for i in range(args.presses):
            start = 20 + i * step
            cursor = reader.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + 25, QTextCursor.MoveMode.KeepAnchor)
            reader.setTextCursor(cursor)
            t = time.perf_counter()
            QTest.keyClick(reader, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
            reader.viewport().repaint()
            presses.append(time.perf_counter() - t)
        made = len(window.note_taking.annotations.highlights)

        floor = []
        doc = reader.document()
        for i in range(args.presses):
            start = 30 + i * step
            t = time.perf_counter()
            c = QTextCursor(doc)
            c.setPosition(start)
            c.setPosition(start + 25, QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#bfdbfe"))
            c.mergeCharFormat(fmt)
            reader.viewport().repaint()
            floor.append(time.perf_counter() - t)

        # A section with 1,000 highlights, opened cold (its document not cached).
        brief = window.brief
        section = brief.section("dense-section")
        text = section_plain_text(brief, section)
        n = args.highlights
        width = max(8, len(text) // n)
        for i in range(n - made):
            s = (i * width) % (len(text) - 10)
            notes.highlight_range(brief, section.id, s, s + min(width - 2, 30) or 5,
                                  color="green")
        window.note_taking.annotations.reload()
        total = len(window.note_taking.annotations.in_section(section.id))
        opened, plain = [], []
        for _ in range(7):
            window.show_section("other")
            reader.forget_brief(brief)
            t = time.perf_counter()
            window.show_section(section.id)
            reader.viewport().repaint()
            opened.append(time.perf_counter() - t)
            reader.forget_brief(brief)
            window.show_section("other")
            t = time.perf_counter()
            reader.show_section(brief, section, ())
            reader.viewport().repaint()
            plain.append(time.perf_counter() - t)
        dispose(app, window, store)
        crowded = presses_among(app, Path(tmp), 10_000, 60)
        alone = presses_among(app, Path(tmp), 0, 60)

    print(f"{'figure':<44}{'briefreader':>12}{'floor':>10}{'target':>10}")
    print(f"{'key press → painted highlight p50 (ms)':<44}{p(presses, .5):>12.1f}"
          f"{p(floor, .5):>10.1f}{'≤ 16':>10}")
    print(f"{'key press → painted highlight p95 (ms)':<44}{p(presses, .95):>12.1f}"
          f"{p(floor, .95):>10.1f}{'':>10}")
    print(f"{f'open a section with {total} highlights (ms, median)':<44}"
          f"{statistics.median(opened) * 1000:>12.1f}{statistics.median(plain) * 1000:>10.1f}"
          f"{'≤ 50':>10}")
    print(f"{'press among 10,000 notes → idle p50 (ms)':<44}{p(crowded, .5):>12.1f}"
          f"{p(alone, .5):>10.1f}{'':>10}")
    print(f"{'press among 10,000 notes → idle p95 (ms)':<44}{p(crowded, .95):>12.1f}"
          f"{p(alone, .95):>10.1f}{'':>10}")
    print("floor: raw mergeCharFormat + repaint for a press; the same section with no "
          "highlights for opening; the same brief with no other notes for a press among "
          "10,000.")


if __name__ == "__main__":
    main()
