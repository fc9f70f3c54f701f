"""Where the file dialogs start: beside the brief, then where that kind of file went."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefreader.export import suggested_file_name
from briefreader.paths import Paths
from briefreader.settings import Settings
from briefreader.ui import exchange as exchange_module
from briefreader.ui import file_dialogs
from briefreader.ui.file_dialogs import BRIEFS, NOTES, PDF, DialogFolders
from windows import ferry_brief, open_window


def test_settings_keep_a_folder_for_each_kind_of_file(tmp_path):
    settings = Settings(tmp_path / "settings.ini")
    assert settings.last_folder("notes") is None
    settings.set_last_folder("notes", "/exports")
    settings.set_last_folder("pdf", "/printed")
    settings.set_last_folder("anything", "/nowhere")  # not a kind: not kept
    settings.sync()
    again = Settings(tmp_path / "settings.ini")
    assert (again.last_folder("notes"), again.last_folder("pdf")) == ("/exports", "/printed")
    assert again.last_folder("briefs") is None and again.last_folder("anything") is None


def test_a_dialog_starts_where_its_kind_went_else_beside_the_brief(tmp_path):
    reading, exports, gone = tmp_path / "reading", tmp_path / "exports", tmp_path / "gone"
    reading.mkdir()
    exports.mkdir()
    brief: list[Path | None] = [None]
    folders = DialogFolders(Settings(tmp_path / "settings.ini"), lambda: brief[0])
    assert folders.start(NOTES) == Path.home()  # nothing to go by
    brief[0] = reading / "ferry.md"
    assert folders.start(NOTES) == folders.start(PDF) == folders.start(BRIEFS) == reading
    folders.remember(NOTES, exports / "ferry-notes.md")  # a file: its folder
    assert folders.start(NOTES) == exports and folders.start(PDF) == reading
    folders.remember(BRIEFS, exports)  # a folder: itself
    assert folders.start(BRIEFS) == reading  # beside the brief shown, first
    brief[0] = None
    assert folders.start(BRIEFS) == exports
    folders.remember(PDF, gone / "ferry.pdf")  # since removed: beside the brief
    brief[0] = reading / "ferry.md"
    assert folders.start(PDF) == reading


@pytest.fixture
def asked(monkeypatch):
    """Every file dialog answered by the test: (which, where it started) of each."""
    calls: list[tuple[str, str]] = []
    answers: dict[str, str] = {}

    def answer(which: str, start: str) -> str:
        calls.append((which, start))
        return answers.pop(which, "")

    monkeypatch.setattr(
        exchange_module, "ask_save_path", lambda _w, title, suggested, _f: answer(title, suggested)
    )
    monkeypatch.setattr(
        exchange_module, "ask_open_path", lambda _w, title, _f, start="": answer(title, start)
    )
    monkeypatch.setattr(
        exchange_module, "ask_folder", lambda _w, title, start="": answer(title, start)
    )
    monkeypatch.setattr(file_dialogs, "ask_brief", lambda _w, start: answer("Open", start))
    monkeypatch.setattr(
        file_dialogs, "ask_briefs_folder", lambda _w, start: answer("Open Folder", start)
    )
    return calls, answers


def test_the_file_menu_dialogs_start_beside_the_brief_then_where_each_kind_went(
    qtbot, tmp_path, asked
):
    calls, answers = asked
    reading, exports, printed = (tmp_path / name for name in ("reading", "exports", "printed"))
    for folder in (reading, exports, printed):
        folder.mkdir()
    path = ferry_brief(reading)
    paths = Paths(tmp_path / "data").ensure()
    w, store = open_window(qtbot, paths, path)
    w.folder_briefs = [path]  # as if a folder was open: Export Notes of Every Brief asks

    def starts() -> dict[str, str]:
        calls.clear()
        for action in (
            w.actions_.open,
            w.actions_.open_folder,
            w.actions_.export_notes,
            w.actions_.import_notes,
            w.actions_.export_all_notes,
            w.actions_.export_pdf,
        ):
            action.trigger()
        return {
            which: str(Path(start) if Path(start).is_dir() else Path(start).parent)
            for which, start in calls
        }

    # At first every one of them starts beside the brief: none in the working folder.
    assert set(starts().values()) == {str(reading)}
    # Notes exported elsewhere: the notes dialogs start there from now on; the others
    # stay beside the brief.
    answers["Export Notes"] = str(exports / "ferry-notes.md")
    w.actions_.export_notes.trigger()
    answers["Export PDF"] = str(printed / "ferry.pdf")
    w.actions_.export_pdf.trigger()
    qtbot.waitUntil(lambda: not w.note_taking.exchange.tasks)  # written on workers
    assert (exports / "ferry-notes.md").exists() and (printed / "ferry.pdf").exists()
    expected = {
        "Open": reading,
        "Open Folder": reading,
        "Export Notes": exports,
        "Import Notes": exports,
        "Export Notes of Every Brief Into…": exports,
        "Export PDF": printed,
    }
    assert starts() == {which: str(folder) for which, folder in expected.items()}
    # The name suggested is the brief's, in the folder remembered.
    calls.clear()
    w.actions_.export_notes.trigger()
    assert calls == [("Export Notes", str(exports / suggested_file_name(w.brief, "md")))]
    w.close()
    store.close()

    # Remembered in the settings: a window opened later starts there too.
    w, store = open_window(qtbot, paths, path)
    calls.clear()
    w.actions_.import_notes.trigger()
    w.actions_.export_pdf.trigger()
    assert [
        (which, str(Path(start).parent if which == "Export PDF" else start))
        for which, start in calls
    ] == [("Import Notes", str(exports)), ("Export PDF", str(printed))]
    w.close()
    store.close()


def test_add_folder_starts_in_the_last_folder_of_briefs_else_home(qtbot, tmp_path, monkeypatch):
    from briefreader.ui import preferences as preferences_module
    from briefreader.ui.preferences import PreferencesDialog

    reading, shelf = tmp_path / "reading", tmp_path / "shelf"
    for folder in (reading, shelf):
        folder.mkdir()
    calls: list[str] = []
    answers: list[str] = []

    def choose(_parent, start=""):
        calls.append(start)
        return answers.pop(0) if answers else None

    monkeypatch.setattr(preferences_module, "choose_folder", choose)
    path = ferry_brief(reading)
    w, store = open_window(qtbot, Paths(tmp_path / "data").ensure(), path, library=True)

    # Preferences → Library → Add Folder…, as the window shows it: nothing used yet,
    # so the home folder, never the working folder (nor the brief's own folder).
    dialogs: list[PreferencesDialog] = []
    monkeypatch.setattr(PreferencesDialog, "exec", lambda self: dialogs.append(self) or 0)
    w.actions_.preferences.trigger()
    dialogs[-1].add_folder_button.click()
    assert calls == [str(Path.home())]
    answers.append(str(shelf))
    dialogs[-1].add_folder_button.click()
    assert dialogs[-1].preferences().library_folders[-1] == str(shelf)
    # The next one starts in the folder last chosen, in the dialog and in the Library.
    calls.clear()
    dialogs[-1].add_folder_button.click()
    w.finding.library_view.add_button.click()
    assert calls == [str(shelf), str(shelf)]
    # A brief opened from elsewhere is the last folder of briefs used from then on.
    monkeypatch.setattr(file_dialogs, "ask_brief", lambda _w, _start: str(path))
    w.actions_.open.trigger()
    calls.clear()
    w.finding.library_view.add_button.click()
    assert calls == [str(reading)]
    # Remembered in the settings, as the other dialogs' folders.
    assert w.settings.last_folder("briefs") == str(reading)
    w.close()
    store.close()
