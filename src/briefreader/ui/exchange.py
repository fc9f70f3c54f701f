"""File → Export Notes…, Export All Notes…, Import Notes…, Attach Notes of a Missing
Brief…, Print…, Export PDF….

The dialogs live here; the work is done by ``export``, ``importing`` and ``printing``.
Each entry point reports failures in the window's banner and never loses the user's notes.
Exporting the notes of every brief of a folder reads all of them: it runs on a worker
thread (:class:`ExportAllJob`) while the window stays responsive. Export Notes, Import
Notes and Export PDF run on a worker too (:class:`_Task`): with thousands of notes each
takes seconds.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressDialog, QWidget

from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.export import (
    FilesExport,
    export_brief_files_in,
    export_json,
    export_markdown,
    gather,
    refuse_own_files,
    suggested_file_name,
    write_atomically,
)
from briefreader.importing import ImportSummary, OtherBriefError, import_notes
from briefreader.printing import build_print_document, export_pdf, print_document
from briefreader.records import StoredBrief
from briefreader.ui import attach_dialog
from briefreader.ui.annotations import Annotations
from briefreader.ui.banner import Banner
from briefreader.ui.file_dialogs import NOTES, PDF, DialogFolders


def ask_save_path(parent: QWidget, title: str, suggested: str, filters: str) -> str:
    """A save dialog (it asks before replacing a file), on the suggested path. Tests
    replace this function, and the two below."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path


def ask_open_path(parent: QWidget, title: str, filters: str, start: str = "") -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
    return path


def ask_folder(parent: QWidget, title: str, start: str = "") -> str:
    return QFileDialog.getExistingDirectory(parent, title, start)


def ask_import_anyway(parent: QWidget, theirs: str, here: str) -> bool:
    """The notes of a file are plainly on another brief: import them here all the same?"""
    box = QMessageBox(QMessageBox.Icon.Question, "Import Notes",
                      f"These notes are on “{theirs}”, which has no title, section or quote "
                      f"in common with “{here}”.",
                      QMessageBox.StandardButton.Cancel, parent)
    box.setInformativeText("Open that brief to import them there, or import them into "
                           "this one anyway: those not found in it are kept without a "
                           "place.")
    anyway = box.addButton("&Import Anyway", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is anyway


#: Each kind of work done on a worker: what it is (in "… failed"), what the banner says
#: meanwhile, and when it is asked for again before it is done.
_TASK_WORDS = {
    "export": ("Export", "Exporting the notes…",
               "The notes are still being exported; one moment."),
    "import": ("Import", "Importing the notes…", "Notes are still being imported; one moment."),
    "pdf": ("PDF export", "Saving the PDF…", "The PDF is still being saved; one moment."),
}


def tell_failure(parent: QWidget, title: str, text: str) -> None:
    """A failure the banner can no longer show (the window is closing). Tests replace
    this function."""
    QMessageBox.warning(parent, title, text)


#: A failure's reason longer than this is left out of the banner (the name stays).
SHORT_REASON = 80


def _failures(failed: Sequence[tuple[Path, str]], shown: int = 3) -> str:
    """The briefs whose notes were not exported (unreadable brief, notes or database
    error), each with its reason when that is short, the first few only."""
    parts = []
    for path, reason in failed[:shown]:
        reason = " ".join(reason.split())
        if not reason or len(reason) > SHORT_REASON:
            parts.append(path.name)
        elif path.name in reason:
            parts.append(reason)
        else:
            parts.append(f"{path.name} ({reason})")
    more = len(failed) - shown
    return "; ".join(parts) + (f" and {more} more" if more > 0 else "")


class ExportAllJob(QObject):
    """Runs :func:`briefreader.export.export_brief_files_in` on a worker thread with
    its own Store, and turns its callbacks into signals (on the GUI thread):
    ``progress(stage, done, total)``, then ``finished(FilesExport or None,
    exception or None)``.
    """

    progress = Signal(str, int, int)
    finished = Signal(object, object)

    def __init__(self, database: Path, author: str | None, paths: Sequence[Path],
                 folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = Path(database)
        self.author = author
        self.paths = list(paths)
        self.folder = Path(folder)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True, name="export-all")
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current brief, and wait for the worker (closing the window)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        report: FilesExport | None = None
        error: BaseException | None = None
        try:
            report = export_brief_files_in(
                self.database, self.paths, self.folder, author=self.author, force=False,
                progress=self._emit_progress, cancelled=self._stop.is_set,
            )
        except Exception as exc:  # noqa: BLE001 - reported in the window, never lost
            error = exc
        with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
            self.finished.emit(report, error)

    def _emit_progress(self, stage: str, done: int, total: int) -> None:
        with contextlib.suppress(RuntimeError):
            self.progress.emit(stage, done, total)


class _Task(QThread):
    """Runs ``work`` on a thread of its own (a QThread: a text document made there
    starts timers, which need its event dispatcher); ``done(result, error)`` then tells
    the outcome on the GUI thread."""

    done = Signal(object, object)

    def __init__(self, name: str, work: Callable[[], object], parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._work = work
        self.error: Exception | None = None

    def run(self) -> None:
        result: object = None
        error: Exception | None = None
        try:
            result = self._work()
        except Exception as exc:  # noqa: BLE001 - reported in the window, never lost
            error = exc
        self.error = error  # (read by the window closing while this ran)
        self.done.emit(result, error)


class _Finishing(QProgressDialog):
    """What the closing window waits for: not to be put away (by Escape or its title
    bar's close button) until ``may_close``."""

    may_close = False

    def reject(self) -> None:
        pass

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self.may_close:
            event.ignore()
            return
        super().closeEvent(event)


class NotesExchange(QObject):
    export_all_finished = Signal(object)
    """The :class:`~briefreader.export.FilesExport` of Export Notes of Every Brief, or
    None when it failed as a whole."""
    notes_attached = Signal(object, object)
    """The brief (a StoredBrief) whose notes the brief shown was given, and the ids of
    those notes: place them."""

    def __init__(self, window: QWidget, annotations: Annotations, banner: Banner,
                 folder_briefs: Callable[[], list[Path]]) -> None:
        super().__init__(window)
        self.window = window
        self.annotations = annotations
        self.banner = banner
        self.folder_briefs = folder_briefs
        # Where each dialog starts: the window's settings remember it between sessions.
        self.folders = DialogFolders(
            getattr(window, "settings", None),
            lambda: self.brief.path if self.brief is not None else None)
        self.export_job: ExportAllJob | None = None
        self.tasks: dict[str, _Task] = {}  # running: one export, import and PDF at a time
        self._closing = False
        self.finishing = False
        """Closing waits for the tasks still running (the window is not to close yet)."""

    def shutdown(self) -> None:
        """Stop an export after the current brief, so its own Store is closed properly
        (the window calls this when it closes; File → Quit closes it too)."""
        if self.finishing:  # (the window asked to close again meanwhile)
            return
        self._closing = True
        job = self.export_job
        if job is not None:
            job.stop()
        if self.tasks:
            self._finish_before_closing()
        for kind, task in list(self.tasks.items()):
            task.wait()  # (each is one file written, or one transaction: it ends)
            with contextlib.suppress(RuntimeError):  # told here, not again when it comes
                task.done.disconnect()
            if task.error is not None:  # the banner goes with the window: say it now
                what = _TASK_WORDS[kind][0]
                tell_failure(self.window, f"{what} failed", f"{what} failed: {task.error}")

    def _finish_before_closing(self) -> None:
        """Wait for the tasks still running, saying so in a small window, with the
        event loop turning: the window is painted and its tasks end as they would
        (each is one file written, or one transaction)."""
        doing = " ".join(_TASK_WORDS[kind][1] for kind in self.tasks)
        dialog = _Finishing(f"{doing}\nThe window closes when it is done.", "", 0, 0,
                            self.window)
        dialog.setWindowTitle("Closing")
        dialog.setCancelButton(None)  # (stopping a write halfway would keep nothing)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.show()
        self.finishing = True
        loop = QEventLoop()
        poll = QTimer(interval=50)
        polls_ended = 0  # since every task's thread ended

        def check() -> None:
            # A task's ``done`` reaches ``_start``'s handler through this loop, which
            # takes it off ``tasks`` (told as its thread ends); should it not come,
            # shutdown's own wait below takes the task in.
            nonlocal polls_ended
            if any(t.isRunning() for t in self.tasks.values()):
                return
            polls_ended += 1
            if not self.tasks or polls_ended > 40:
                loop.quit()

        poll.timeout.connect(check)
        poll.start()
        try:
            loop.exec()
        finally:
            self.finishing = False
        poll.stop()
        dialog.may_close = True
        dialog.close()
        dialog.deleteLater()

    @property
    def brief(self) -> Brief | None:
        return self.annotations.brief

    def _done(self, message: str) -> None:
        self.banner.show_message(message, "info")

    def _failed(self, what: str, exc: BaseException | None) -> None:
        self.banner.show_message(f"{what} failed: {exc}", "error")

    def _busy(self, kind: str) -> bool:
        if kind in self.tasks:
            self._done(_TASK_WORDS[kind][2])
            return True
        return False

    def _start(self, kind: str, work: Callable[[], object],
               finished: Callable[[object], None],
               failed: Callable[[Exception], bool] | None = None) -> _Task:
        """Run ``work`` on a worker, saying what is being done meanwhile; then
        ``finished`` with its result, or the failure in the banner (unless ``failed``
        takes it in: returns True)."""
        what, doing, _ = _TASK_WORDS[kind]
        task = _Task(f"briefreader-{kind}", work, self)

        def done(result: object, error: Exception | None) -> None:
            self.tasks.pop(kind, None)
            task.wait()
            task.deleteLater()
            if error is not None and self._closing:  # the banner goes with the window
                tell_failure(self.window, f"{what} failed", f"{what} failed: {error}")
            elif error is not None:
                if failed is None or not failed(error):
                    self._failed(what, error)
            else:
                finished(result)

        task.done.connect(done)
        self.tasks[kind] = task
        self._done(doing)
        task.start()
        return task

    def export_notes(self) -> Path | None:
        """Ask where, then write the export on a worker: the path chosen, or None."""
        brief = self.brief
        if brief is None or self._busy("export"):
            return None
        start = self.folders.start(NOTES)
        path = ask_save_path(
            self.window, "Export Notes", str(start / suggested_file_name(brief, "md")),
            "Markdown (*.md);;Web Annotation JSON (*.json)",
        )
        if not path:
            return None
        target = Path(path)
        self.folders.remember(NOTES, target)
        notes = self.annotations.notes
        as_json = target.suffix.lower() == ".json"
        database = notes.store.database

        def work() -> None:
            refuse_own_files(target, brief=brief, database=database)
            with notes.apart() as service:  # a connection of the worker's own
                # What the window shows: never a version the window has left since.
                # (Versions going out unmarked, the database busy, are known to the
                # window's store from then on: Store.exported_unmarked.)
                data = gather(service, brief, sync=False, share=as_json)
            text = export_json(data) if as_json else export_markdown(data)
            # The dialog has already asked before replacing an existing file.
            write_atomically(target, text, force=True)

        self._start("export", work, lambda _: self._done(f"Notes exported to {target}."))
        return target

    def export_all(self) -> ExportAllJob | None:
        """Export the notes of every brief of the open folder, on a worker thread;
        ``export_all_finished`` tells the outcome (also shown in the banner)."""
        if self.export_job is not None:
            self._done("The notes are still being exported; one moment.")
            return None
        paths = self.folder_briefs()
        if not paths:
            self._done("Open a folder of briefs to export the notes of all of them.")
            return None
        folder = ask_folder(self.window, "Export Notes of Every Brief Into…",
                            str(self.folders.start(NOTES)))
        if not folder:
            return None
        self.folders.remember(NOTES, folder)
        notes = self.annotations.notes
        job = ExportAllJob(notes.store.database, notes.author, paths, Path(folder), self)
        job.progress.connect(self.on_export_all_progress)
        job.finished.connect(self.on_export_all_finished)
        self.export_job = job
        self._done(f"Exporting the notes of {len(paths)} briefs…")
        job.start()
        return job

    def on_export_all_progress(self, stage: str, done: int, total: int) -> None:
        if self.export_job is None:
            return
        what = "Reading the briefs" if stage == "reading" else "Exporting their notes"
        self._done(f"{what}: {done} of {total}…")

    def on_export_all_finished(self, report: FilesExport | None,
                               error: BaseException | None) -> None:
        job, self.export_job = self.export_job, None
        if job is not None:
            job.deleteLater()
        if error is not None or report is None:  # the worker returns a report or raises
            self._failed("Export", error)
            report = None
        else:
            message = f"Notes of {len(report.written)} briefs exported to {report.folder}."
            if report.cancelled:
                message = "Export stopped. " + message
            if report.failed:
                message += f" Could not be exported: {_failures(report.failed)}."
            self.banner.show_message(message, "warning" if report.failed else "info")
        self.export_all_finished.emit(report)

    def import_notes(self) -> None:
        """Ask which file, then merge it in on a worker."""
        brief = self.brief
        if self._busy("import"):
            return
        path = ask_open_path(self.window, "Import Notes", "Notes (*.json *.md);;All files (*)",
                             str(self.folders.start(NOTES)))
        if not path:
            return
        self.folders.remember(NOTES, path)
        self._import_from(Path(path), brief)

    def _import_from(self, path: Path, brief: Brief | None, any_brief: bool = False) -> None:
        notes = self.annotations.notes

        def work() -> ImportSummary:
            with notes.apart() as service:  # a connection of the worker's own
                return import_notes(service, path, brief=brief, sync=False,
                                    any_brief=any_brief)

        def finished(summary: ImportSummary) -> None:
            if summary.added or summary.updated or summary.bookmarks:
                self.annotations.reload()
            else:  # nothing new (the same file again): the labels may be, not the notes
                self.annotations.reload_labels()
            message = f"Import: {summary.summary()}."
            if summary.reasons:  # which were skipped, and why
                message += " Skipped: " + "; ".join(summary.reasons) + "."
            self._done(message)

        def failed(error: Exception) -> bool:
            if not isinstance(error, OtherBriefError) or brief is not self.brief:
                return False
            if ask_import_anyway(self.window, error.theirs, error.here):
                self._import_from(path, brief, any_brief=True)
            else:
                self._done("Nothing was imported.")
            return True

        self._start("import", work, finished, failed)

    def attach_notes(self) -> None:
        brief = self.brief
        if brief is None:
            return
        notes = self.annotations.notes
        try:
            missing = notes.briefs_not_found(brief)
        except BriefreaderError as exc:
            self._failed("Attaching notes", exc)
            return
        if not missing:
            self._done("Every brief with notes is where it was read from:"
                       " there are no notes to attach.")
            return
        chosen = attach_dialog.ask_missing_brief(self.window, missing, brief.title)
        if chosen is not None:
            self.attach_from(chosen)

    def attach_from(self, source: StoredBrief) -> None:
        """Give the brief shown the notes of ``source``, a brief not found."""
        brief = self.brief
        if brief is None:
            return
        try:
            moved = self.annotations.notes.take_notes(brief, source.key)
        except BriefreaderError as exc:
            self._failed("Attaching notes", exc)
            return
        self.notes_attached.emit(source, moved)

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
        """Ask where, then make and save the PDF on a worker: the path chosen, or None."""
        brief = self.brief
        if brief is None or self._busy("pdf"):
            return None
        stem = suggested_file_name(brief, "md").rsplit(".", 1)[0]
        path = ask_save_path(self.window, "Export PDF",
                             str(self.folders.start(PDF) / f"{stem}.pdf"), "PDF (*.pdf)")
        if not path:
            return None
        self.folders.remember(PDF, path)
        an = self.annotations
        highlights, comments = list(an.highlights.values()), list(an.comments.values())
        labels = dict(an.labels)

        def work() -> None:
            document = build_print_document(brief, highlights, comments, labels=labels)
            export_pdf(document, Path(path), force=True)

        self._start("pdf", work, lambda _: self._done(f"PDF saved to {path}."))
        return Path(path)
