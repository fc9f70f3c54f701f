"""File → Export Notes…, Export All Notes…, Import Notes…, Print…, Export PDF….

The dialogs live here; the work is done by ``export``, ``importing`` and ``printing``.
Each entry point reports failures in the window's banner and never loses the user's notes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.export import (
    export_json,
    export_library,
    export_markdown,
    gather,
    suggested_file_name,
    write_atomically,
)
from briefreader.importing import import_notes
from briefreader.parse import load_brief
from briefreader.printing import build_print_document, export_pdf, print_document
from briefreader.ui.annotations import Annotations
from briefreader.ui.banner import Banner


def ask_save_path(parent: QWidget, title: str, suggested: str, filters: str) -> str:
    """A save dialog (it asks before replacing a file). Tests replace this function."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path


def ask_open_path(parent: QWidget, title: str, filters: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return path


def ask_folder(parent: QWidget, title: str) -> str:
    return QFileDialog.getExistingDirectory(parent, title)


class NotesExchange(QObject):
    def __init__(self, window: QWidget, annotations: Annotations, banner: Banner,
                 folder_briefs: Callable[[], list[Path]]) -> None:
        super().__init__(window)
        self.window = window
        self.annotations = annotations
        self.banner = banner
        self.folder_briefs = folder_briefs
        self.last_dir = Path.home()

    @property
    def brief(self) -> Brief | None:
        return self.annotations.brief

    def _done(self, message: str) -> None:
        self.banner.show_message(message, "info")

    def _failed(self, what: str, exc: Exception) -> None:
        self.banner.show_message(f"{what} failed: {exc}", "error")

    def export_notes(self) -> Path | None:
        brief = self.brief
        if brief is None:
            return None
        path = ask_save_path(
            self.window, "Export Notes", str(self.last_dir / suggested_file_name(brief, "md")),
            "Markdown (*.md);;Web Annotation JSON (*.json)",
        )
        if not path:
            return None
        target = Path(path)
        try:
            data = gather(self.annotations.notes, brief)
            text = export_json(data) if target.suffix.lower() == ".json" else export_markdown(data)
            # The dialog has already asked before replacing an existing file.
            write_atomically(target, text, force=True)
        except (BriefreaderError, OSError) as exc:
            self._failed("Export", exc)
            return None
        self.last_dir = target.parent
        self._done(f"Notes exported to {target}.")
        return target

    def export_all(self) -> list[Path]:
        paths = self.folder_briefs()
        if not paths:
            self._done("Open a folder of briefs to export the notes of all of them.")
            return []
        folder = ask_folder(self.window, "Export Notes of Every Brief Into…")
        if not folder:
            return []
        briefs = []
        for p in paths:
            try:
                briefs.append(load_brief(p))
            except BriefreaderError:
                continue  # an unreadable brief has no notes to export
        try:
            written = export_library(self.annotations.notes, briefs, Path(folder), force=False)
        except (BriefreaderError, OSError) as exc:
            self._failed("Export", exc)
            return []
        self._done(f"Notes of {len(written)} briefs exported to {folder}.")
        return written

    def import_notes(self) -> None:
        brief = self.brief
        path = ask_open_path(self.window, "Import Notes",
                             "Notes (*.json *.md);;All files (*)")
        if not path:
            return
        try:
            summary = import_notes(self.annotations.notes, Path(path), brief=brief)
        except (BriefreaderError, OSError) as exc:
            self._failed("Import", exc)
            return
        self.annotations.reload()
        self._done(f"Import: {summary.summary()}")

    def _document(self):
        brief = self.brief
        an = self.annotations
        return build_print_document(brief, list(an.highlights.values()),
                                    list(an.comments.values()), labels=an.labels)

    def print_brief(self) -> None:
        if self.brief is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            print_document(self._document(), printer)
        except (BriefreaderError, OSError) as exc:
            self._failed("Printing", exc)

    def export_pdf(self) -> Path | None:
        brief = self.brief
        if brief is None:
            return None
        stem = suggested_file_name(brief, "md").rsplit(".", 1)[0]
        path = ask_save_path(self.window, "Export PDF", str(self.last_dir / f"{stem}.pdf"),
                             "PDF (*.pdf)")
        if not path:
            return None
        try:
            export_pdf(self._document(), Path(path), force=True)
        except (BriefreaderError, OSError) as exc:
            self._failed("PDF export", exc)
            return None
        self._done(f"PDF saved to {path}.")
        return Path(path)
