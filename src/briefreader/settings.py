"""User preferences, window state and unposted comment drafts, kept in an INI file in
the data folder.

Built by app.py and passed in; nothing here is global. Only QtCore is used.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from briefreader.store import KEEP_BACKUPS

MAX_RECENT = 10
THEMES = ("system", "light", "dark")
DEFAULT_FONT_SIZE = 12
FONT_SIZES = (8, 36)  # the reader's font size in points, least and most (Preferences)
BACKUPS_KEPT = (1, 100)  # how many backups may be kept, least and most (Preferences)
#: Unposted comments and replies kept on disk, however old: at most this many (the
#: oldest go first, checked when a new draft is added).
MAX_COMMENT_DRAFTS = 300
_DRAFTS = "comment_drafts"
#: The kinds of file the file dialogs open or save, each with a folder of its own:
#: briefs (Open, Open Folder), exported notes (Export and Import Notes) and PDFs.
FOLDER_KINDS = ("briefs", "notes", "pdf")


class Settings:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def _fresh(self) -> None:
        """Before a write that is checked: QSettings goes on reporting its first error
        for good, so after one a fresh QSettings, read from the file, takes over, and
        the next write is judged on its own."""
        if self._qs.status() != QSettings.Status.NoError:
            self._qs = QSettings(str(self._path), QSettings.Format.IniFormat)

    def _written(self) -> bool:
        """Write what changed to disk; whether that worked."""
        self._qs.sync()
        return self._qs.status() == QSettings.Status.NoError

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
        return _within(self._get("notes/keep_backups", KEEP_BACKUPS, int), BACKUPS_KEPT)

    @keep_backups.setter
    def keep_backups(self, value: int) -> None:
        self._qs.setValue("notes/keep_backups", _within(int(value), BACKUPS_KEPT))

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

    # -- where the file dialogs start -------------------------------------------------
    def last_folder(self, kind: str) -> str | None:
        """The folder last used in a file dialog for this kind of file (FOLDER_KINDS)."""
        if kind not in FOLDER_KINDS:
            return None
        return self._get(f"folders/{kind}", None, str) or None

    def set_last_folder(self, kind: str, folder: str) -> None:
        if kind in FOLDER_KINDS:
            self._qs.setValue(f"folders/{kind}", folder)

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

    # -- unposted comment and reply drafts --------------------------------------------
    # One key a draft, so two windows writing drafts of different sections never
    # overwrite each other's: "comment_drafts/<hash of brief+section>-<new|hash of the
    # comment replied to>", its value a JSON object that names them in full.
    @staticmethod
    def _draft_prefix(brief: str, section: str) -> str:
        return _digest(f"{brief}\x1f{section}") + "-"

    @classmethod
    def _draft_key(cls, brief: str, section: str, reply_to: str | None) -> str:
        return cls._draft_prefix(brief, section) + (_digest(reply_to) if reply_to else "new")

    def _draft_entries(self, prefix: str = "") -> dict[str, dict]:
        self._qs.beginGroup(_DRAFTS)
        try:
            entries = {}
            for key in self._qs.childKeys():
                if not key.startswith(prefix):
                    continue
                try:
                    entry = json.loads(str(self._qs.value(key, "")))
                except (TypeError, ValueError):
                    entry = None
                entries[key] = entry if isinstance(entry, dict) else {}
            return entries
        finally:
            self._qs.endGroup()

    def comment_drafts(self, brief: str, section: str) -> dict[str | None, str]:
        """The unposted comment (key None) and replies (key: the comment replied to)
        written in a section of a brief."""
        drafts: dict[str | None, str] = {}
        for entry in self._draft_entries(self._draft_prefix(brief, section)).values():
            text = entry.get("text")
            if (entry.get("brief") == brief and entry.get("section") == section
                    and isinstance(text, str) and text.strip()):
                drafts[entry.get("reply_to") or None] = text
        return drafts

    def comment_draft_saved(self, brief: str, section: str, reply_to: str | None
                            ) -> float | None:
        """When the draft kept for this box was written (seconds since the epoch);
        None when there is none."""
        key = self._draft_key(brief, section, reply_to)
        entry = self._draft_entries(key).get(key)
        return None if entry is None else _saved_at(entry)

    def move_reply_drafts(self, brief: str, section: str, comments: Iterable[str]
                          ) -> dict[str, str]:
        """Replies to these comments kept under another section of ``brief`` (the
        comment was moved here since, by a reissued brief) are kept under ``section``
        from now on, with the time they were written; their texts, by the comment
        replied to. Of several copies of one reply, the latest written is kept."""
        wanted = set(comments)
        found: dict[str, list[tuple[float, str, str]]] = {}  # reply_to → (saved, text, key)
        for key, entry in self._draft_entries().items():
            target, text = entry.get("reply_to"), entry.get("text")
            if entry.get("brief") == brief and target in wanted and isinstance(text, str):
                found.setdefault(target, []).append((_saved_at(entry), text, key))
        moved: dict[str, str] = {}
        here = self._draft_prefix(brief, section)
        for target, copies in found.items():
            if all(key.startswith(here) for _, _, key in copies):
                continue  # kept here only: nothing to move
            saved, text, _key = max(copies)
            for _, _, key in copies:  # first, so that no other draft is pruned for room
                self._qs.remove(f"{_DRAFTS}/{key}")
            if text.strip() and self.save_comment_draft(brief, section, target, text,
                                                        now=saved):
                moved[target] = text
        self._qs.sync()
        return moved

    def move_brief_drafts(self, from_briefs: Collection[str], to_brief: str) -> int:
        """Drafts kept under the brief keys ``from_briefs`` are kept under ``to_brief``
        from now on (their notes went there), after any draft of the same box there;
        how many were moved."""
        moved = 0
        for key, entry in self._draft_entries().items():
            section, text = entry.get("section"), entry.get("text")
            reply_to = entry.get("reply_to") or None
            if (entry.get("brief") not in from_briefs or not isinstance(section, str)
                    or not isinstance(text, str)):
                continue
            there = self.comment_drafts(to_brief, section).get(reply_to, "")
            if there.strip():
                text = _joined(there, text)
            # Taken out first, so that no other draft is pruned to make room for it;
            # put back should it not be kept where it goes.
            self._qs.remove(f"{_DRAFTS}/{key}")
            if self.save_comment_draft(to_brief, section, reply_to, text,
                                       now=_saved_at(entry)):
                moved += 1
            else:
                self._qs.setValue(f"{_DRAFTS}/{key}", json.dumps(entry, ensure_ascii=False))
        if moved:
            self._qs.sync()
        return moved

    def rehome_comment_drafts(self, brief: str, sections: Collection[str],
                              home: Callable[[str], str],
                              placed: Collection[str] | None = None) -> list[tuple[str, str]]:
        """Unposted new comments of ``brief`` kept under a section it no longer has (a
        reissue renamed or removed it) are kept under ``home(section)`` from now on,
        after any draft there; (old, new) section of each moved. (Replies go with their
        comment: :meth:`move_reply_drafts`.) With ``placed`` (the comments that have a
        section in this version), a reply there to a comment not among them (orphaned,
        or deleted) goes to ``home(section)`` as a new comment: no box would show it."""
        moved = []
        for key, entry in self._draft_entries().items():
            section, text = entry.get("section"), entry.get("text")
            reply_to = entry.get("reply_to")
            if (entry.get("brief") != brief or section in sections
                    or (reply_to and (placed is None or reply_to in placed))
                    or not isinstance(section, str) or not isinstance(text, str)):
                continue
            new = home(section)
            there = self.comment_drafts(brief, new).get(None, "")
            if there.strip():
                text = _joined(there, text)
            # Written now, as far as pruning old drafts goes: it was just shown.
            if self.save_comment_draft(brief, new, None, text):
                self._qs.remove(f"{_DRAFTS}/{key}")
                moved.append((section, new))
        self._qs.sync()
        return moved

    def save_comment_draft(self, brief: str, section: str, reply_to: str | None, text: str,
                           *, now: float | None = None) -> bool:
        """Keep (or, for blank text, forget) a draft and write it to disk at once;
        QSettings replaces the file atomically. False when it could not be written."""
        self._fresh()
        key = self._draft_key(brief, section, reply_to)
        path = f"{_DRAFTS}/{key}"
        now = time.time() if now is None else now
        if not text.strip():
            if not self._qs.contains(path):
                return True
            self._qs.remove(path)
        else:
            if not self._qs.contains(path):
                self._prune_drafts(room_for=1)
            self._qs.setValue(path, json.dumps({
                "brief": brief, "section": section, "reply_to": reply_to or "",
                "saved": now, "text": text,
            }, ensure_ascii=False))
        return self._written()

    def _prune_drafts(self, *, room_for: int = 0) -> None:
        """Drop the oldest drafts beyond the limit (a draft is kept however old: it is
        text the user wrote and has not posted)."""
        entries = self._draft_entries()
        if len(entries) + room_for <= MAX_COMMENT_DRAFTS:
            return
        oldest = sorted(entries, key=lambda k: _saved_at(entries[k]))
        for key in oldest[: len(entries) + room_for - MAX_COMMENT_DRAFTS]:
            self._qs.remove(f"{_DRAFTS}/{key}")


def _joined(there: str, text: str) -> str:
    """A draft put in a box that holds one already: after it, unless it is there."""
    paragraphs = {p.strip() for p in there.split("\n\n")}
    return there if text.strip() in paragraphs else there.rstrip() + "\n\n" + text


def _saved_at(entry: dict) -> float:
    """When a draft entry was written (seconds since the epoch; 0 when it does not say)."""
    value = entry.get("saved")
    return float(value) if isinstance(value, int | float) else 0.0


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _within(value: int, bounds: tuple[int, int]) -> int:
    return min(bounds[1], max(bounds[0], value))
