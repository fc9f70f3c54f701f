"""Builds the application: paths, settings, window. The one wiring place at start."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from briefreader import __version__


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="briefreader",
        description="Read briefs offline. Subcommands (outline, render, notes, …) run "
        "without a window: see 'briefreader --help'.",
    )
    parser.add_argument("--version", action="version", version=f"briefreader {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where notes and settings are kept")
    parser.add_argument("path", nargs="?", help="a brief file or a folder of briefs")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from briefreader.errors import BriefreaderError
    from briefreader.notes import NotesService
    from briefreader.paths import bundled_briefs_dir, resolve_paths, set_app_identity
    from briefreader.settings import Settings
    from briefreader.store import Store, start_daily_backup
    from briefreader.ui.collector import collect_on_gui_thread
    from briefreader.ui.main_window import MainWindow

    set_app_identity()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    collect_on_gui_thread(app)
    app.setApplicationDisplayName("briefreader")
    app.setDesktopFileName("briefreader")
    icon_path = Path(__file__).parent / "resources" / "briefreader.svg"
    if icon_path.exists():
        app.setWindowIcon(QIcon(str(icon_path)))
    try:
        paths = resolve_paths(args.data_dir).ensure()
    except OSError as exc:
        print(f"briefreader: cannot use the data folder: {exc}", file=sys.stderr)
        return 1
    settings = Settings(paths.settings_file)
    notes = None
    store_error: BriefreaderError | None = None
    try:
        # The daily backup runs once the window is up (start_daily_backup below).
        store = Store.open(paths, keep_backups=settings.keep_backups, backup_interval=None)
    except BriefreaderError as exc:
        # The reader still works; notes stay off until the database is sorted out.
        store_error = exc
    else:
        notes = NotesService(store, author=settings.author or None)
    window = MainWindow(settings, default_library=bundled_briefs_dir(), notes=notes,
                        paths=paths)
    window.show()
    window.raise_()
    window.activateWindow()
    window.open_initial(Path(args.path) if args.path else None)
    backup = None
    if notes is not None and not notes.store.read_only:
        backup = start_daily_backup(notes.store.database, backup_dir=paths.backups,
                                    keep_backups=settings.keep_backups)
    if store_error is not None:
        report_store_error(window, store_error, paths.database, paths.backups)
    close_on_interrupt(window)
    try:
        return app.exec()
    finally:
        if notes is not None:
            notes.store.close()
        if backup is not None:
            backup.join()  # a backup half written would only be thrown away


def close_on_interrupt(window) -> None:
    """Ctrl+C in the terminal that started the window closes it as its close button
    does (notes saved, questions asked), instead of a traceback while it runs on."""
    import signal
    import threading

    from PySide6.QtCore import QTimer

    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, window.close))
    # Python runs a signal handler only between bytecodes: while Qt waits for events,
    # a timer gives it some now and then.
    ticker = QTimer(window)
    ticker.timeout.connect(lambda: None)
    ticker.start(200)


def report_store_error(window, error, database: Path, backup_dir: Path) -> None:
    """Say why notes are off; for a damaged database, offer its newest sound backup."""
    from briefreader.errors import BriefreaderError
    from briefreader.records import DatabaseCorruptError
    from briefreader.store import Store

    offer = isinstance(error, DatabaseCorruptError) and bool(error.backups)
    if offer:
        text = (f"Notes are unavailable: the notes database is damaged or missing; the "
                f"damaged file is kept, untouched, as {error.moved_to}. Restore Backup puts "
                f"back the newest sound backup ({error.backups[0].name}). Reading works.")
    else:
        text = f"Notes are unavailable: {error}. Reading works; nothing was changed."
    window.banner.show_message(text, "error", action="restore-backup" if offer else "",
                               action_label="Restore Backup")

    def on_action(action: str) -> None:
        if action == "quit":
            window.close()
        if action != "restore-backup":
            return
        try:
            # Nothing is lost: whatever is at the path now is moved aside first.
            result = Store.restore(database, backup_dir=backup_dir)
        except BriefreaderError as exc:
            window.banner.show_message(f"The backup could not be restored: {exc}.", "error")
            return
        window.banner.show_message(
            f"Your notes were restored from the backup {result.restored_from.name}. "
            "Start briefreader again to use them.", "info", action="quit", action_label="Quit")

    window.banner.action_triggered.connect(on_action)
