"""Where briefreader keeps its data.

Order: an explicit ``--data-dir``, then ``BRIEFREADER_HOME``, then the platform's
application-data folder (QStandardPaths). Nothing here creates module-level state.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths

APP_NAME = "briefreader"
ORG_NAME = "briefreader"
ENV_HOME = "BRIEFREADER_HOME"


def set_app_identity() -> None:
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "notes.sqlite3"

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.ini"

    def ensure(self) -> Paths:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    if data_dir:
        return Paths(Path(data_dir).expanduser().resolve())
    env = os.environ.get(ENV_HOME)
    if env:
        return Paths(Path(env).expanduser().resolve())
    set_app_identity()
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Paths(Path(location))


def bundled_briefs_dir() -> Path | None:
    """The sample library: ``briefs/`` of the source checkout, else ``./briefs``."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "briefs", Path.cwd() / "briefs"):
        if candidate.is_dir():
            return candidate
    return None
