"""Every user command as one QAction, made here and nowhere else.

Menus, toolbars, context menus and tests all trigger the same objects. Standard
shortcuts come from QKeySequence.StandardKey where the platform has one.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence

from briefreader.records import COLORS, DEFAULT_LABELS

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
        self.export_notes = self._make("&Export Notes…", "Ctrl+E", "document-export",
                                       "Export this brief's notes to Markdown or JSON")
        self.export_all_notes = self._make("Export Notes of &Every Brief…", "Ctrl+Shift+E", None,
                                           "One export file per brief in this folder")
        self.import_notes = self._make("&Import Notes…", "Ctrl+I", "document-import",
                                       "Merge notes from a colleague's export")
        self.attach_notes = self._make(
            "&Attach Notes of a Missing Brief…", "Ctrl+Shift+I", None,
            "Give this brief the notes of a brief no longer where it was read from")
        self.print = self._make("&Print…", [SK.Print, "Ctrl+P"], "document-print",
                                "Print the brief with highlights and notes")
        self.export_pdf = self._make("Export P&DF…", "Ctrl+Shift+P", None,
                                     "Save the brief with highlights and notes as a PDF")
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
        self.focus_notes = self._make(
            "Focus N&otes Panel", "Alt+3", None,
            "Move the keyboard focus to the notes panel (the view whose tab is in front)",
        )
        self.focus_library = self._make(
            "Focus Librar&y", "Alt+4", None, "Move the keyboard focus to the library's list"
        )
        self.focus_results = self._make(
            "Focus Search Res&ults", "Alt+5", None,
            "Move the keyboard focus to the results of Search Everywhere",
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
        # (L is the section list's: Light takes the H of "light", System the Y.)
        self.theme_system = self._make("&System Theme", "Ctrl+Shift+Y", None,
                                       "Light or dark as the desktop is")
        self.theme_light = self._make("&Light Theme", "Ctrl+Shift+H", None, None)
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
        self.find = self._make("&Find…", SK.Find, "edit-find", "Find words in this brief")
        self.find_next = self._make("Find &Next", SK.FindNext, "go-down-search",
                                    "Go to the next match in this brief")
        self.find_previous = self._make("Find Pre&vious", SK.FindPrevious, "go-up-search",
                                        "Go to the previous match in this brief")
        self.context_menu = self._make(
            "Context &Menu", "Shift+F10", None,
            "Open the menu of what has the keyboard focus, at its cursor (as the Menu key does)",
        )
        self.preferences = self._make("&Preferences…", [SK.Preferences, "Ctrl+,"],
                                      "preferences-system",
                                      "Author, library folders, colour labels, theme, font")
        # Library and search
        self.show_library = self._make("Li&brary", "Ctrl+Shift+B", None,
                                       "Show or hide every brief in the library")
        self.show_library.setCheckable(True)
        self.search_everywhere = self._make("&Search Everywhere…", "Ctrl+Shift+F", "edit-find",
                                            "Search every brief in the library and every note")
        self.close_panel = self._make(
            "&Close Panel", ["Ctrl+W", SK.Close], "window-close",
            "Close the panel with the keyboard focus (Notes, Review, Trash, Bookmarks, Library,"
            " Search); the focus goes back to the text")
        # Notes (undo/redo come from the notes' QUndoStack and are added by the window)
        # In shortcut order (Ctrl+1 …), named by their labels (see set_colour_labels).
        self.highlight_colours: dict[str, QAction] = {}
        for n, colour in enumerate(COLORS, start=1):
            action = self._make("", f"Ctrl+{n}", None, f"Highlight the selected text in {colour}")
            action.setData(colour)
            self.highlight_colours[colour] = action
        self.set_colour_labels(DEFAULT_LABELS)
        self.delete_highlight = self._make(
            "&Delete Highlight", None, "edit-delete", "Move the selected highlight to the trash"
        )
        self.edit_note = self._make(
            "&Edit Note", ["Ctrl+Return", "Ctrl+Enter"], None,
            "Write a note on the selected highlight",
        )
        self.add_comment = self._make(
            "&Comment on Section…", "Ctrl+Shift+M", None, "Write a comment on the whole section"
        )
        self.toggle_bookmark = self._make(
            "&Bookmark Section", "Ctrl+D", "bookmark-new", "Add or remove a bookmark here"
        )
        self.show_notes = self._make("&Notes Panel", "Ctrl+Shift+N", None,
                                     "Show or hide the notes panel")
        self.show_notes.setCheckable(True)
        self.show_review = self._make("&Review Changed Notes", "Ctrl+Shift+R", None,
                                      "Notes whose text changed in this version of the brief")
        self.show_trash = self._make("&Trash", "Ctrl+Shift+T", "user-trash",
                                     "Deleted highlights and comments")
        self.show_bookmarks = self._make("Boo&kmarks", "Ctrl+Shift+K", None,
                                         "Every bookmark in this brief")
        # Help
        self.shortcuts = self._make(
            "&Keyboard Shortcuts", SK.HelpContents, "help-contents", "List every shortcut"
        )
        self.about = self._make("&About briefreader", None, "help-about", None)

    def set_colour_labels(self, labels: dict[str, str]) -> None:
        """Name the Highlight actions by the colours' labels (Preferences)."""
        for n, (colour, action) in enumerate(self.highlight_colours.items(), start=1):
            action.setText(f"Highlight &{n}: {labels.get(colour, DEFAULT_LABELS[colour])}")

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
