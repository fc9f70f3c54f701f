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
    from briefreader.ui.main_window import MainWindow

    set_app_identity()
    app = QApplication.instance() or QApplication([sys.argv[0]])
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
    try:
        # The daily backup runs once the window is up (start_daily_backup below).
        store = Store.open(paths, keep_backups=settings.keep_backups, backup_interval=None)
    except BriefreaderError as exc:
        # The reader still works; notes stay off until the database is sorted out.
        store_error = str(exc)
    else:
        store_error = ""
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
    if store_error:
        window.banner.show_message(
            f"Notes are unavailable: {store_error}. Reading works; nothing was changed.",
            "error",
        )
    try:
        return app.exec()
    finally:
        if notes is not None:
            notes.store.close()
        if backup is not None:
            backup.join()  # a backup half written would only be thrown away
