"""Reads and parses briefs off the GUI thread, so a large brief never freezes the window."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.parse import LOAD_ERRORS, load_brief

#: Files at most this big are parsed at once on the GUI thread (they take a few ms).
SYNC_LIMIT = 512 * 1024


def is_big(brief: Brief) -> bool:
    """Too big to render every section on the GUI thread without a visible pause."""
    return sum(len(s.source) for s in brief.sections) > SYNC_LIMIT


class BriefLoader(QObject):
    """Emits ``finished(ticket, brief_or_None, error_or_None)`` on the GUI thread."""

    finished = Signal(int, object, object)
    started = Signal(int, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ticket = 0

    def load(self, path: Path, *, encoding: str | None = None) -> int:
        """Start loading; returns the ticket the result will carry. A newer load wins."""
        self._ticket += 1
        ticket = self._ticket
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if size <= SYNC_LIMIT:
            self._run(ticket, path, encoding)
        else:
            self.started.emit(ticket, str(path))
            threading.Thread(
                target=self._run, args=(ticket, path, encoding), daemon=True,
                name="brief-loader",
            ).start()
        return ticket

    def is_current(self, ticket: int) -> bool:
        return ticket == self._ticket

    def _run(self, ticket: int, path: Path, encoding: str | None) -> None:
        try:
            brief = load_brief(path, encoding=encoding)
        except BriefreaderError as exc:
            self.finished.emit(ticket, None, exc)
        except LOAD_ERRORS as exc:
            self.finished.emit(ticket, None, BriefreaderError(f"Could not open {path.name}: {exc}"))
        else:
            self.finished.emit(ticket, brief, None)
