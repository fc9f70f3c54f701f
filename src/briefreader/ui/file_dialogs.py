"""Where the file dialogs start, and the dialogs of the File menu's Open.

Each kind of file has a folder of its own (settings.FOLDER_KINDS), remembered in the
settings: briefs (Open, Open Folder, the library's Add Folder), exported notes
(Export Notes, Import Notes, Export Notes of Every Brief) and PDFs (Export PDF). A
dialog starts in the folder last used for its kind; before there is one, beside the
brief shown; with neither, in the home folder. Open starts beside the brief shown
first: the next brief to read is most often its neighbour. Add Folder never does: it
starts in the folder last used, or the home folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from briefreader.settings import Settings

BRIEFS, NOTES, PDF = "briefs", "notes", "pdf"
BRIEF_FILTERS = "Briefs (*.md *.markdown *.txt *.text);;All files (*)"


class DialogFolders:
    """The folder each kind of file dialog starts in; ``brief_path`` tells the path of
    the brief shown (None when there is none). Without settings (a window that keeps
    none), the folders are remembered while it is open."""

    def __init__(self, settings: Settings | None, brief_path: Callable[[], Path | None]) -> None:
        self.settings = settings
        self.brief_path = brief_path
        self._kept: dict[str, str] = {}

    def start(self, kind: str, *, beside_brief: bool = True) -> Path:
        """Where a dialog for ``kind`` starts; without ``beside_brief``, in the folder
        last used for the kind or else the home folder (a folder to add to the library
        is seldom the brief's own)."""
        brief = self.brief_path() if beside_brief else None
        beside = brief.parent if brief is not None else None
        last = (
            self.settings.last_folder(kind) if self.settings is not None else self._kept.get(kind)
        )
        order = [beside, last] if kind == BRIEFS else [last, beside]
        for folder in order:
            if folder is not None and Path(folder).is_dir():
                return Path(folder)
        return Path.home()

    def remember(self, kind: str, chosen: str | Path) -> None:
        """A file or folder was chosen for this kind: its folder is where the next
        dialog of the kind starts (the folder itself, when a folder was chosen)."""
        path = Path(chosen)
        folder = str(path if path.is_dir() else path.parent)
        if self.settings is not None:
            self.settings.set_last_folder(kind, folder)
        else:
            self._kept[kind] = folder


def ask_brief(parent: QWidget, start: str) -> str:
    """Ask for a brief to open; "" when cancelled. Tests replace this function."""
    path, _ = QFileDialog.getOpenFileName(parent, "Open Brief", start, BRIEF_FILTERS)
    return path


def ask_briefs_folder(parent: QWidget, start: str) -> str:
    """Ask for a folder of briefs to open; "" when cancelled. Tests replace this."""
    return QFileDialog.getExistingDirectory(parent, "Open Folder of Briefs", start)
