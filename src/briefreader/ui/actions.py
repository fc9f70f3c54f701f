"""Every user command as one QAction, made here and nowhere else.

Menus, toolbars, context menus and tests all trigger the same objects. Standard
shortcuts come from QKeySequence.StandardKey where the platform has one.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence

SK = QKeySequence.StandardKey


class Actions(QObject):
    """Owns the window's actions; MainWindow connects their ``triggered`` signals."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        # File
        self.open = self._make("&Open…", SK.Open, "document-open", "Open a brief or a folder")
        self.open_folder = self._make(
            "Open &Folder…", "Ctrl+Shift+O", "folder-open", "Open a folder of briefs"
        )
        self.reload = self._make("&Reload Brief", SK.Refresh, "view-refresh", "Read the file again")
        self.quit = self._make("&Quit", [SK.Quit, "Ctrl+Q"], "application-exit", "Quit briefreader")
        self.clear_recent = self._make("&Clear Recent", None, None, "Forget recently opened briefs")
        # Go
        self.next_section = self._make(
            "&Next Section", ["Alt+Down", "Ctrl+PgDown"], "go-down", "Show the next section"
        )
        self.prev_section = self._make(
            "&Previous Section", ["Alt+Up", "Ctrl+PgUp"], "go-up", "Show the previous section"
        )
        self.first_section = self._make("&First Section", "Alt+Home", "go-top", None)
        self.last_section = self._make("&Last Section", "Alt+End", "go-bottom", None)
        self.next_brief = self._make(
            "Next &Brief in Folder", "Ctrl+Shift+PgDown", None, "Open the next brief in the folder"
        )
        self.prev_brief = self._make(
            "Previous B&rief in Folder", "Ctrl+Shift+PgUp", None,
            "Open the previous brief in the folder",
        )
        self.focus_navigator = self._make(
            "Focus &Sections", "Alt+1", None, "Move the keyboard focus to the section list"
        )
        self.focus_reader = self._make(
            "Focus &Text", "Alt+2", None, "Move the keyboard focus to the brief's text"
        )
        # View
        self.zoom_in = self._make("Zoom &In", [SK.ZoomIn, "Ctrl+="], "zoom-in", None)
        self.zoom_out = self._make("Zoom &Out", SK.ZoomOut, "zoom-out", None)
        self.zoom_reset = self._make("&Actual Size", "Ctrl+0", "zoom-original", None)
        self.toggle_navigator = self._make(
            "Show Section &List", "Ctrl+Shift+L", None, "Show or hide the section list"
        )
        self.toggle_navigator.setCheckable(True)
        self.toggle_navigator.setChecked(True)
        self.theme_group = QActionGroup(self)
        self.theme_system = self._make("&System Theme", None, None, None)
        self.theme_light = self._make("&Light Theme", None, None, None)
        self.theme_dark = self._make("&Dark Theme", "Ctrl+Shift+D", None, None)
        for action, value in (
            (self.theme_system, "system"),
            (self.theme_light, "light"),
            (self.theme_dark, "dark"),
        ):
            action.setCheckable(True)
            action.setData(value)
            self.theme_group.addAction(action)
        # Edit
        self.copy = self._make("&Copy", SK.Copy, "edit-copy", None)
        self.select_all = self._make("Select &All", SK.SelectAll, "edit-select-all", None)
        # Help
        self.shortcuts = self._make(
            "&Keyboard Shortcuts", SK.HelpContents, "help-contents", "List every shortcut"
        )
        self.about = self._make("&About briefreader", None, "help-about", None)

    def _make(self, text, shortcut, icon_name, tip) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(QIcon.fromTheme(icon_name))
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            keys: list[QKeySequence] = []
            for s in shortcuts:
                if isinstance(s, QKeySequence.StandardKey):
                    keys.extend(QKeySequence.keyBindings(s))
                else:
                    keys.append(QKeySequence(s))
            # Some platforms bind nothing to a standard key (Quit on a bare X11):
            # the explicit fallback then serves, and duplicates are dropped.
            unique = list({k.toString(): k for k in keys if not k.isEmpty()}.values())
            action.setShortcuts(unique)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        return action

    def all(self) -> list[QAction]:
        return [a for a in self.findChildren(QAction)]
