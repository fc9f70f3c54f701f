from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys

# Before any QApplication exists: no display is needed, in CI or anywhere.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QStandardPaths  # noqa: E402

QStandardPaths.setTestModeEnabled(True)

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
BRIEFS = REPO / "briefs"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own data folder; nothing touches the user's real one."""
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFREADER_HOME", str(home))
    return home


@pytest.fixture
def data_dir(_isolated_home) -> Path:
    return _isolated_home


@pytest.fixture
def data(tmp_path) -> Path:
    """A notes folder for one CLI test (passed as --data-dir)."""
    return tmp_path / "data"


@pytest.fixture
def panel(qtbot):
    """A notes panel alone, shown and active (for the panel's own tests)."""
    from briefreader.ui.notes_panel import NotesPanel

    widget = NotesPanel()
    qtbot.addWidget(widget)
    widget.resize(380, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


@pytest.fixture
def store(tmp_path):
    """A notes store of its own (modules that need another kind define their own)."""
    from briefreader.store import Store

    s = Store(tmp_path / "notes.sqlite3")
    yield s
    s.close()


@pytest.fixture
def service(store):
    from briefreader.notes import NotesService

    return NotesService(store, author="ana")


@pytest.fixture(autouse=True)
def _collected_on_the_gui_thread(request):
    """As the app does (ui/collector.py): the cyclic collector runs on the GUI thread
    only, never in a worker still formatting for a window a test closed. Tests with a
    QApplication install it; every test ends with a collection here."""
    yield
    if "qapp" in request.fixturenames or "qtbot" in request.fixturenames:
        from PySide6.QtWidgets import QApplication

        from briefreader.ui.collector import collect_on_gui_thread

        collect_on_gui_thread(QApplication.instance())
    if not gc.isenabled():  # (between tests no event loop turns: collect here too)
        from briefreader.ui.collector import collect_on_gui_thread

        collect_on_gui_thread(None).collect()


@pytest.fixture(autouse=True)
def _theme_restored():
    """A test that switches the theme (the window's Dark Theme, apply_theme) leaves the
    application's palette as it found it: the next test, in any order, is drawn in the
    theme it expects, not in one an earlier test happened to end on."""
    app = None
    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
    before = app.palette() if app is not None else None
    yield
    if app is not None and app.palette() != before:
        app.setPalette(before)


@pytest.fixture(autouse=True)
def _no_unexpected_questions(monkeypatch):
    """A question a test did not expect fails it, instead of waiting for an answer
    in a modal dialog no one will see. Tests that expect one replace these again."""
    def unexpected(*_args, **_kwargs):
        raise AssertionError("a confirmation dialog was opened that the test did not expect")

    # Only where the window is in use already: core tests stay free of the widgets.
    for module, name in (("briefreader.ui.note_taking", "confirm_close_unsaved"),
                         ("briefreader.ui.note_taking", "confirm_empty_trash"),
                         ("briefreader.ui.note_taking", "confirm_purge"),
                         ("briefreader.ui.main_window", "confirm_external_link")):
        if module in sys.modules:
            monkeypatch.setattr(sys.modules[module], name, unexpected)


@pytest.fixture
def read_only_view(tmp_path):
    """Yield a function making a read-only view of a folder.

    As a normal user, chmod does it. Root ignores permissions, so there a read-only
    bind mount of the folder is used (skipped where mounting is not allowed).
    """
    undo: list = []

    def make(folder: Path) -> Path:
        if sys.platform == "win32":
            pytest.skip("no read-only folders through chmod on Windows")
        if os.geteuid() != 0:
            for p in [folder, *folder.iterdir()]:
                mode = p.stat().st_mode
                p.chmod(mode & ~0o222)
                undo.append(lambda p=p, mode=mode: p.chmod(mode))
            return folder
        if shutil.which("mount") is None:
            pytest.skip("a read-only folder for root needs a bind mount")
        view = tmp_path / "read-only-view"
        view.mkdir()
        cmd = f"mount --bind '{folder}' '{view}' && mount -o remount,bind,ro '{view}'"
        if subprocess.run(cmd, shell=True, capture_output=True).returncode != 0:
            subprocess.run(["umount", str(view)], capture_output=True)
            pytest.skip("cannot bind-mount read-only here")
        undo.append(lambda: subprocess.run(["umount", "-l", str(view)], check=True))
        return view

    yield make
    for action in reversed(undo):
        action()
