"""Annotating speed in the real window (offscreen).

- key press (Ctrl+1 on a selection) → highlight stored and painted: p50 / p95, beside the
  raw floor (one QTextCursor.mergeCharFormat + repaint, no store);
- opening a section that holds 1,000 highlights, beside opening it with none.

    .venv/bin/python benchmarks/bench_annotate.py [--presses 150]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from briefreader.notes import NotesService  # noqa: E402
from briefreader.paths import Paths  # noqa: E402
from briefreader.render import section_plain_text  # noqa: E402
from briefreader.settings import Settings  # noqa: E402
from briefreader.store import Store  # noqa: E402
from briefreader.ui.main_window import MainWindow  # noqa: E402

SENTENCE = ("Ministers agreed to review the corridor budget and the verification "
            "framework before the next session of the council. ")


def make_brief(path: Path, words: int = 12_000) -> None:
    body = SENTENCE * (words // 18)
    paras = [body[i : i + 900] for i in range(0, len(body), 900)]
    path.write_text("# Dense Section\n\n" + "\n\n".join(paras) + "\n\n# Other\n\nShort.\n",
                    encoding="utf-8")


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
        window.close()
        store.close()

    print(f"{'figure':<44}{'briefreader':>12}{'floor':>10}{'target':>10}")
    print(f"{'key press → painted highlight p50 (ms)':<44}{p(presses, .5):>12.1f}"
          f"{p(floor, .5):>10.1f}{'≤ 16':>10}")
    print(f"{'key press → painted highlight p95 (ms)':<44}{p(presses, .95):>12.1f}"
          f"{p(floor, .95):>10.1f}{'':>10}")
    print(f"{f'open a section with {total} highlights (ms, median)':<44}"
          f"{statistics.median(opened) * 1000:>12.1f}{statistics.median(plain) * 1000:>10.1f}"
          f"{'≤ 50':>10}")
    print("floor: raw mergeCharFormat + repaint for a press; the same section with no "
          "highlights for opening.")


if __name__ == "__main__":
    main()
