"""User preferences and window state, kept in an INI file in the data folder.

Built by app.py and passed in; nothing here is global. Only QtCore is used.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10
THEMES = ("system", "light", "dark")
DEFAULT_FONT_SIZE = 12
FONT_SIZES = (6, 72)
DEFAULT_KEEP_BACKUPS = 7


class Settings:
    def __init__(self, path: Path) -> None:
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._qs.sync()

    # -- typed accessors -------------------------------------------------------------
    def _get(self, key: str, default, kind):
        value = self._qs.value(key, default)
        try:
            return kind(value) if value is not None else default
        except (TypeError, ValueError):
            return default

    @property
    def theme(self) -> str:
        value = self._get("view/theme", "system", str)
        return value if value in THEMES else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self._qs.setValue("view/theme", value if value in THEMES else "system")

    @property
    def author(self) -> str:
        """Name put on new notes; empty means the system user name."""
        return self._get("notes/author", "", str)

    @author.setter
    def author(self, value: str) -> None:
        self._qs.setValue("notes/author", value.strip())

    @property
    def reader_font_family(self) -> str:
        """The reader's font; empty means the system's default."""
        return self._get("reader/font_family", "", str)

    @reader_font_family.setter
    def reader_font_family(self, value: str) -> None:
        self._qs.setValue("reader/font_family", value.strip())

    @property
    def reader_font_size(self) -> int:
        size = self._get("reader/font_size", DEFAULT_FONT_SIZE, int)
        return size if FONT_SIZES[0] <= size <= FONT_SIZES[1] else DEFAULT_FONT_SIZE

    @reader_font_size.setter
    def reader_font_size(self, value: int) -> None:
        self._qs.setValue("reader/font_size", int(value))

    @property
    def keep_backups(self) -> int:
        """How many backups of the notes database are kept."""
        return max(1, self._get("notes/keep_backups", DEFAULT_KEEP_BACKUPS, int))

    @keep_backups.setter
    def keep_backups(self, value: int) -> None:
        self._qs.setValue("notes/keep_backups", max(1, int(value)))

    @property
    def zoom(self) -> int:
        return self._get("view/zoom", 100, int)

    @zoom.setter
    def zoom(self, value: int) -> None:
        self._qs.setValue("view/zoom", int(value))

    @property
    def navigator_visible(self) -> bool:
        return self._get("view/navigator", "true", str).lower() != "false"

    @navigator_visible.setter
    def navigator_visible(self, value: bool) -> None:
        self._qs.setValue("view/navigator", "true" if value else "false")

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._qs.setValue("window/state", value)

    @property
    def splitter(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    @splitter.setter
    def splitter(self, value: QByteArray) -> None:
        self._qs.setValue("window/splitter", value)

    @property
    def last_path(self) -> str | None:
        return self._get("session/path", None, str) or None

    @property
    def last_brief(self) -> str | None:
        return self._get("session/brief", None, str) or None

    @property
    def last_section(self) -> str | None:
        return self._get("session/section", None, str) or None

    def set_session(self, opened_path: str | None, brief: str | None, section: str | None) -> None:
        self._qs.setValue("session/path", opened_path or "")
        self._qs.setValue("session/brief", brief or "")
        self._qs.setValue("session/section", section or "")

    def section_for(self, brief_path: str) -> str | None:
        """Last section read in a given brief (so a folder of briefs keeps each place)."""
        positions = self._qs.value("session/sections", {}) or {}
        if isinstance(positions, dict):
            value = positions.get(brief_path)
            return str(value) if value else None
        return None

    def remember_section(self, brief_path: str, section_id: str) -> None:
        positions = self._qs.value("session/sections", {}) or {}
        if not isinstance(positions, dict):
            positions = {}
        positions[brief_path] = section_id
        if len(positions) > 200:  # keep the file small; oldest entries go first
            for key in list(positions)[: len(positions) - 200]:
                del positions[key]
        self._qs.setValue("session/sections", positions)

    # -- recent files ----------------------------------------------------------------
    @property
    def recent(self) -> list[str]:
        value = self._qs.value("recent/paths", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str) -> None:
        paths = [path] + [p for p in self.recent if p != path]
        self._qs.setValue("recent/paths", paths[:MAX_RECENT])

    def clear_recent(self) -> None:
        self._qs.setValue("recent/paths", [])
